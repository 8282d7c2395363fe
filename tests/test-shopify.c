/*
 * The Shopify adapter and the HTTP client, as units: webhook signatures
 * (SP1), both order shapes (REST webhook bodies and GraphQL nodes) parsed to
 * the cent from fixtures in Shopify's documented shapes (O1, O4, O5, C5,
 * P3, S2), hostile input of every kind, the gateway table (P1, P3), the
 * throttling arithmetic (SP2, I9), query costs and truncation. The GraphQL
 * operations against a scripted fake Shopify are in test-shopify-ops.c.
 */
#include "channel/shopify/shopify.h"
#include "shopify-test.h"
#include "util/arena.h"
#include "util/http-client.h"
#include "util/timeutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------------ helpers */

static int64_t t_of(const char *iso)
{
    int64_t t = 0;
    cr_assert(sb_time_parse(iso, &t), "%s", iso);
    return t;
}

static void expect_tax(const struct sb_order_tax *t, const char *title, const char *rate,
                       int64_t amount)
{
    expect_str(t->title, title, "tax title");
    expect_str(t->rate, rate, "tax rate");
    cr_expect_eq(t->amount, amount, "tax %s: %lld != %lld", title, (long long)t->amount,
                 (long long)amount);
}

/* O4: the fixture's lines, shipping and taxes add up to its totals; the parser kept
 * every cent Shopify sent. */
static void expect_adds_up(const struct sb_order *o)
{
    int64_t lines = 0, tax = 0, ship = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        lines += o->lines[i].quantity * o->lines[i].unit_price - o->lines[i].discount;
        for (size_t j = 0; j < o->lines[i].n_taxes; j++)
            tax += o->lines[i].taxes[j].amount;
    }
    for (size_t i = 0; i < o->n_shipping; i++) {
        ship += o->shipping[i].price - o->shipping[i].discount;
        for (size_t j = 0; j < o->shipping[i].n_taxes; j++)
            tax += o->shipping[i].taxes[j].amount;
    }
    cr_expect_eq(lines, o->subtotal, "lines %lld != subtotal %lld", (long long)lines,
                 (long long)o->subtotal);
    cr_expect_eq(tax, o->total_tax);
    cr_expect_eq(ship, o->total_shipping);
    if (o->taxes_included)
        cr_expect_eq(lines + ship, o->total_price);
    else
        cr_expect_eq(lines + ship + tax, o->total_price);
}

static struct sb_order *parse_rest(struct sb_arena *a, json_t *o)
{
    struct sb_order *ord = NULL;
    sb_err err = sb_shopify_parse_rest_order(o, a, &ord);
    cr_assert_eq(err, SB_OK, "parse: %s (%s)", sb_err_last()->message, sb_err_last()->field);
    cr_assert(ord);
    return ord;
}

/* ------------------------------------------------------------------ webhooks */

struct hdr {
    const char *name, *value;
};
struct hdrs {
    struct hdr h[8];
    size_t n;
};

static const char *hdr_get(void *ud, const char *name)
{
    struct hdrs *hs = ud;
    for (size_t i = 0; i < hs->n; i++)
        if (strcasecmp(hs->h[i].name, name) == 0)
            return hs->h[i].value;
    return NULL;
}

static void sign(const char *secret, const char *body, size_t len, char out[64])
{
    unsigned char mac[32];
    unsigned int n = 0;
    cr_assert(
        HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, mac, &n));
    sodium_bin2base64(out, 64, mac, 32, sodium_base64_VARIANT_ORIGINAL);
}

static json_t *creds;
static struct sb_channel channel(void)
{
    if (!creds)
        creds = json_pack("{s:s, s:s, s:s}", "shop_domain", "demo.myshopify.com", "access_token",
                          "shpat_test", "webhook_secret", "hush");
    return (struct sb_channel){ .id = 1, .kind = "shopify", .name = "Demo", .credentials = creds };
}

static sb_err verify(const char *topic, const char *body, size_t len, const char *sig,
                     const char *event_id, const char *webhook_id, struct sb_arena *a,
                     struct sb_event_info *info)
{
    struct hdrs hs = { .n = 0 };
    if (sig)
        hs.h[hs.n++] = (struct hdr){ "X-Shopify-Hmac-Sha256", sig };
    if (topic)
        hs.h[hs.n++] = (struct hdr){ "X-Shopify-Topic", topic };
    if (event_id)
        hs.h[hs.n++] = (struct hdr){ "X-Shopify-Event-Id", event_id };
    if (webhook_id)
        hs.h[hs.n++] = (struct hdr){ "X-Shopify-Webhook-Id", webhook_id };
    hs.h[hs.n++] = (struct hdr){ "X-Shopify-Shop-Domain", "demo.myshopify.com" };
    struct sb_webhook wh = { .body = body, .len = len, .header = hdr_get, .ud = &hs };
    struct sb_channel ch = channel();
    return sb_channel_shopify.verify_webhook(&ch, &wh, a, info);
}

Test(webhook, sp1_good_signature_fills_event)
{
    size_t len;
    char *body = read_fixture("orders-create-multi.json", &len), sig[64];
    sign("hush", body, len, sig);
    struct sb_arena *a = sb_arena_new();
    struct sb_event_info info = { 0 };
    cr_assert_eq(verify("orders/create", body, len, sig, "e-1", "w-1", a, &info), SB_OK, "%s",
                 sb_err_last()->message);
    expect_str(info.topic, "orders/create", "topic");
    expect_str(info.event_id, "e-1", "event id");
    /* beyond 2^53: exact, never through a double */
    expect_str(info.order_ref, "9007199254740993123", "order ref");
    sb_arena_free(a);
    free(body);
}

Test(webhook, sp1_event_id_falls_back_to_webhook_id)
{
    size_t len;
    char *body = read_fixture("orders-create-cod.json", &len), sig[64];
    sign("hush", body, len, sig);
    struct sb_arena *a = sb_arena_new();
    struct sb_event_info info = { 0 };
    cr_assert_eq(verify("orders/paid", body, len, sig, NULL, "b54557e4-bdd9-4b37", a, &info),
                 SB_OK);
    expect_str(info.event_id, "b54557e4-bdd9-4b37", "event id");
    expect_str(info.order_ref, "5820945612345", "order ref");
    cr_expect_eq(verify("orders/paid", body, len, sig, NULL, NULL, a, &info), SB_EMISSING_FIELD);
    expect_str(sb_err_last()->field, "event_id", "field");
    cr_expect_eq(verify("orders/paid", body, len, sig, "has space", NULL, a, &info),
                 SB_EINVALID_FIELD);
    sb_arena_free(a);
    free(body);
}

Test(webhook, sp1_refund_and_fulfillment_refer_to_their_order)
{
    const char *files[] = { "refunds-create.json", "fulfillments-create.json" };
    const char *topics[] = { "refunds/create", "fulfillments/create" };
    for (int i = 0; i < 2; i++) {
        size_t len;
        char *body = read_fixture(files[i], &len), sig[64];
        sign("hush", body, len, sig);
        struct sb_arena *a = sb_arena_new();
        struct sb_event_info info = { 0 };
        cr_assert_eq(verify(topics[i], body, len, sig, "e", NULL, a, &info), SB_OK, "%s",
                     sb_err_last()->message);
        expect_str(info.order_ref, "450789469", topics[i]);
        /* the pipeline fetches the whole order for these */
        struct sb_order *o = (void *)1;
        struct sb_channel ch = channel();
        cr_expect_eq(sb_channel_shopify.parse_event(&ch, topics[i], body, len, a, &o), SB_OK);
        cr_expect_null(o);
        sb_arena_free(a);
        free(body);
    }
}

Test(webhook, sp1_bad_missing_and_tampered_signatures_are_refused)
{
    size_t len;
    char *body = read_fixture("orders-create-multi.json", &len), good[64], wrong[64];
    sign("hush", body, len, good);
    sign("not the secret", body, len, wrong);
    struct sb_arena *a = sb_arena_new();
    struct sb_event_info info = { 0 };
    cr_expect_eq(verify("orders/create", body, len, wrong, "e", NULL, a, &info), SB_EUNAUTHORIZED);
    cr_expect_eq(verify("orders/create", body, len, NULL, "e", NULL, a, &info), SB_EUNAUTHORIZED);
    cr_expect_eq(verify("orders/create", body, len, "", "e", NULL, a, &info), SB_EUNAUTHORIZED);
    cr_expect_eq(verify("orders/create", body, len, "not base64 at all!", "e", NULL, a, &info),
                 SB_EUNAUTHORIZED);
    /* a valid base64 of the wrong length */
    cr_expect_eq(verify("orders/create", body, len, "aGVsbG8=", "e", NULL, a, &info),
                 SB_EUNAUTHORIZED);
    /* one byte changed in the body */
    char *tampered = strdup(body);
    char *p = strstr(tampered, "\"81.89\"");
    cr_assert(p);
    p[1] = '9';
    cr_expect_eq(verify("orders/create", tampered, len, good, "e", NULL, a, &info),
                 SB_EUNAUTHORIZED);
    /* truncated body */
    cr_expect_eq(verify("orders/create", body, len - 1, good, "e", NULL, a, &info),
                 SB_EUNAUTHORIZED);
    /* the signature is checked before anything else: a bad one with a bad topic is 401 */
    cr_expect_eq(verify("shop/redact", body, len, wrong, "e", NULL, a, &info), SB_EUNAUTHORIZED);
    cr_expect_null(info.event_id);
    free(tampered);
    sb_arena_free(a);
    free(body);
}

Test(webhook, sp1_channel_without_secret_refuses_everything)
{
    json_t *c = json_pack("{s:s}", "access_token", "x");
    struct sb_channel ch = { .id = 2, .kind = "shopify", .credentials = c };
    struct hdrs hs = { .n = 1, .h = { { "X-Shopify-Hmac-Sha256", "AAAA" } } };
    struct sb_webhook wh = { .body = "{}", .len = 2, .header = hdr_get, .ud = &hs };
    struct sb_arena *a = sb_arena_new();
    struct sb_event_info info = { 0 };
    cr_expect_eq(sb_channel_shopify.verify_webhook(&ch, &wh, a, &info), SB_EUNAUTHORIZED);
    sb_arena_free(a);
    json_decref(c);
}

Test(webhook, sp1_o10_signed_but_unusable_bodies_are_taken)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_event_info info = { 0 };
    char sig[64];
    const char *body = "{\"id\": 1}";
    sign("hush", body, strlen(body), sig);
    /* a topic the engine does not use: verified, then marked to be answered 200 and
     * stored nowhere (WIRE: anything else makes Shopify retry it and drop the subscription) */
    cr_expect_eq(verify("shop/redact", body, strlen(body), sig, "e", NULL, a, &info), SB_OK);
    cr_expect(info.ignored);
    expect_str(info.topic, "shop/redact", "topic");
    cr_expect_null(info.order_ref);
    info = (struct sb_event_info){ 0 };
    cr_expect_eq(verify(NULL, body, strlen(body), sig, "e", NULL, a, &info), SB_EMISSING_FIELD);

    /* A genuine event whose body names no usable order is taken, with no order_ref: the
     * pipeline records it and fails it visibly instead of Shopify retrying it for days. */
    static const char *const unusable[][2] = {
        { "orders/create", "{\"id\": 1, " },       /* truncated */
        { "orders/create", "{\"name\": \"#1\"}" }, /* no id */
        { "refunds/create", "{\"id\": 5}" },       /* a refund without its order */
        { "orders/create", "{\"id\": 4.5e9}" },    /* an id that is not an integer */
        { "orders/create", "[1, 2]" },             /* not an object */
    };
    for (size_t i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++) {
        const char *b = unusable[i][1];
        sign("hush", b, strlen(b), sig);
        info = (struct sb_event_info){ 0 };
        cr_expect_eq(verify(unusable[i][0], b, strlen(b), sig, "e", NULL, a, &info), SB_OK, "%s",
                     b);
        cr_expect_null(info.order_ref, "%s", b);
        expect_str(info.event_id, "e", "event id");
    }
    sb_arena_free(a);
}

/* ------------------------------------------------------------------ REST orders */

Test(rest, o1_o4_o5_several_lines_discounts_taxes_shipping)
{
    json_t *j = fixture_json("orders-create-multi.json");
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = parse_rest(a, j);

    expect_str(o->external_id, "9007199254740993123", "external id");
    expect_str(o->number, "#1042", "number");
    expect_str(o->currency, "USD", "currency");
    cr_expect_eq(o->created_at, t_of("2026-11-22T14:00:00Z"));
    cr_expect_eq(o->updated_at, t_of("2026-11-22T14:01:30Z"));
    expect_str(o->email, "Jane.Doe@Example.com", "email (trimmed)");
    expect_str(o->first_name, "Jane", "first name");
    expect_str(o->last_name, "Doe", "last name");
    expect_str(o->phone, "+12125550101", "phone");
    cr_expect_eq(o->financial, SB_FIN_PAID);
    cr_expect_eq(o->fulfillment, SB_FUL_UNFULFILLED);
    cr_expect_not(o->cancelled);
    cr_expect_not(o->taxes_included);
    expect_str(o->gateway, "shopify_payments", "gateway");
    expect_str(o->note, "Leave at the side door\ngift_wrap: yes\ndelivery_date: 2026-11-25",
               "note");

    cr_expect_eq(o->subtotal, 6972);
    cr_expect_eq(o->total_discounts, 875);
    cr_expect_eq(o->total_tax, 617);
    cr_expect_eq(o->total_shipping, 600);
    cr_expect_eq(o->total_price, 8189);
    cr_expect_eq(o->total_outstanding, 0);

    cr_assert_eq(o->n_lines, 3);
    const struct sb_order_line *l = o->lines;
    expect_str(l[0].external_id, "9007199254740993", "line 0 id (2^53 + 1)");
    expect_str(l[0].sku, "TEE", "sku");
    expect_str(l[0].title, "Logo tee", "title");
    expect_str(l[0].variant_title, "M / Navy", "variant");
    expect_str(l[0].barcode, NULL, "barcode");
    cr_expect_eq(l[0].quantity, 2);
    cr_expect_eq(l[0].unit_price, 2000);
    cr_expect_eq(l[0].discount, 550, "sum of discount_allocations, not total_discount");
    cr_assert_eq(l[0].n_taxes, 2);
    expect_tax(&l[0].taxes[0], "NY State Tax", "0.04", 138);
    expect_tax(&l[0].taxes[1], "NYC Tax", "0.045", 155);
    cr_expect(l[0].requires_shipping);

    expect_str(l[1].external_id, "9007199254740995", "line 1 id");
    expect_str(l[1].variant_title, NULL, "variant");
    cr_expect_eq(l[1].unit_price, 1250);
    cr_expect_eq(l[1].discount, 125);
    expect_tax(&l[1].taxes[0], "NY State Tax", "0.04", 45);
    expect_tax(&l[1].taxes[1], "NYC Tax", "0.045", 51);

    /* O5: an unknown SKU is carried as sent */
    expect_str(l[2].sku, "NOPE-404", "unknown sku");
    cr_expect_eq(l[2].quantity, 3);
    cr_expect_eq(l[2].unit_price, 799);
    cr_expect_eq(l[2].discount, 0);
    expect_tax(&l[2].taxes[0], "NY State Tax", "0.04", 96);
    expect_tax(&l[2].taxes[1], "NYC Tax", "0.045", 108);

    cr_assert_eq(o->n_shipping, 1);
    expect_str(o->shipping[0].title, "Standard Shipping", "shipping title");
    expect_str(o->shipping[0].code, "STANDARD", "shipping code");
    cr_expect_eq(o->shipping[0].price, 800);
    cr_expect_eq(o->shipping[0].discount, 200);
    cr_assert_eq(o->shipping[0].n_taxes, 1);
    expect_tax(&o->shipping[0].taxes[0], "NY State Tax", "0.04", 24);

    cr_assert_eq(o->n_discounts, 1);
    expect_str(o->discounts[0].code, "SPRING10", "discount code");
    cr_expect_eq(o->discounts[0].amount, 875);
    cr_expect_eq(o->n_payments, 0, "REST webhooks carry no transactions");
    cr_expect_eq(o->n_refunds, 0);
    cr_expect_eq(o->n_shipments, 0);

    cr_assert(o->has_ship_to);
    expect_str(o->ship_to.name, "Jane Doe", "ship-to name");
    expect_str(o->ship_to.company, "Doe & Daughters", "company");
    expect_str(o->ship_to.line1, "12 Orchard Street", "line1");
    expect_str(o->ship_to.line2, "Apt 4B", "line2");
    expect_str(o->ship_to.city, "New York", "city");
    expect_str(o->ship_to.region, "NY", "region");
    expect_str(o->ship_to.postcode, "10002", "postcode");
    expect_str(o->ship_to.country, "US", "country");
    expect_str(o->ship_to.phone, "+1 212-555-0101", "ship-to phone");
    expect_str(o->ship_to.email, "Jane.Doe@Example.com", "ship-to email");
    expect_str(o->pickup_location, NULL, "pickup");
    expect_adds_up(o);

    const char *reason = "x";
    struct sb_channel ch = channel();
    cr_expect_eq(sb_channel_shopify.decide(&ch, o, &reason), SB_DECIDE_DOWNLOAD);
    sb_arena_free(a);
    json_decref(j);
}

Test(rest, c5_p3_no_email_no_customer_no_names_cash_on_delivery_taxes_included)
{
    json_t *j = fixture_json("orders-create-cod.json");
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = parse_rest(a, j);
    expect_str(o->external_id, "5820945612345", "id");
    expect_str(o->currency, "EUR", "currency");
    cr_expect_eq(o->created_at, t_of("2026-11-23T09:15:00Z"));
    expect_str(o->email, NULL, "email");
    expect_str(o->first_name, NULL, "first");
    expect_str(o->last_name, NULL, "last");
    expect_str(o->phone, NULL, "phone");
    expect_str(o->note, NULL, "note");
    cr_expect(o->taxes_included);
    cr_expect_eq(o->financial, SB_FIN_PENDING);
    expect_str(o->gateway, "Cash on Delivery (COD)", "gateway");
    bool integrated = true;
    struct sb_channel ch = channel();
    sb_channel_shopify.payment_type(&ch, o->gateway, &integrated);
    cr_expect_not(integrated, "P3: cash on delivery is not integrated");

    cr_assert_eq(o->n_lines, 1);
    expect_str(o->lines[0].external_id, "14023498712345", "id given as a string");
    expect_str(o->lines[0].sku, NULL, "empty sku");
    cr_expect_eq(o->lines[0].unit_price, 2499);
    cr_expect_eq(o->lines[0].quantity, 2);
    expect_tax(&o->lines[0].taxes[0], "MwSt", "0.19", 798);
    cr_assert_eq(o->n_shipping, 1);
    cr_expect_eq(o->shipping[0].price, 490);
    expect_tax(&o->shipping[0].taxes[0], "MwSt", "0.19", 78);
    cr_expect_eq(o->subtotal, 4998);
    cr_expect_eq(o->total_tax, 876);
    cr_expect_eq(o->total_shipping, 490);
    cr_expect_eq(o->total_price, 5488);
    cr_expect_eq(o->total_outstanding, 5488, "P3: the balance is due");
    cr_assert(o->has_ship_to);
    expect_str(o->ship_to.name, NULL, "no name on the address");
    expect_str(o->ship_to.region, NULL, "region");
    expect_str(o->ship_to.country, "DE", "country");
    expect_str(o->ship_to.city, "Berlin", "city");
    expect_adds_up(o);
    sb_arena_free(a);
    json_decref(j);
}

Test(rest, s2_refunds_fulfillments_and_transactions)
{
    json_t *j = fixture_json("orders-updated-refunded.json");
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = parse_rest(a, j);
    cr_expect_eq(o->financial, SB_FIN_PARTIALLY_REFUNDED);
    cr_expect_eq(o->fulfillment, SB_FUL_PARTIAL);
    expect_str(o->first_name, "Bob", "name from the billing address");
    expect_str(o->last_name, "Norman", "last");
    expect_str(o->phone, "+1(502)-459-2181", "phone from the address");
    expect_str(o->note, NULL, "empty note");
    expect_str(o->gateway, "stripe", "gateway");
    expect_str(o->ship_to.line2, NULL, "empty line2");
    cr_expect_not(o->lines[1].requires_shipping);
    expect_str(o->lines[1].sku, NULL, "null sku");

    cr_assert_eq(o->n_payments, 1, "the capture; not the authorization nor the refund");
    expect_str(o->payments[0].external_id, "389404470", "payment id");
    expect_str(o->payments[0].gateway, "stripe", "payment gateway");
    cr_expect_eq(o->payments[0].amount, 7077);

    cr_assert_eq(o->n_refunds, 2);
    const struct sb_order_refund *r = o->refunds;
    expect_str(r[0].external_id, "509562969", "refund id");
    expect_str(r[0].note, "Arrived scratched", "refund note");
    cr_assert_eq(r[0].n_lines, 1);
    expect_str(r[0].lines[0].line_external_id, "466157049", "refunded line");
    cr_expect_eq(r[0].lines[0].quantity, 1);
    cr_expect(r[0].lines[0].restock);
    cr_expect_eq(r[0].lines[0].amount, 2159, "subtotal 19.99 + tax 1.6, sent as numbers");
    cr_expect_eq(r[0].amount, 2159, "the failed refund transaction does not count");
    expect_str(r[1].note, NULL, "no note");
    cr_expect_not(r[1].lines[0].restock, "no_restock");
    cr_expect_eq(r[1].lines[0].amount, 1134);
    cr_expect_eq(r[1].amount, 1134);

    cr_assert_eq(o->n_shipments, 2, "the cancelled fulfillment is left out");
    expect_str(o->shipments[0].external_id, "255858046", "fulfillment id");
    expect_str(o->shipments[0].tracking_number, "1Z999AA10123456784", "tracking");
    expect_str(o->shipments[0].tracking_company, "UPS", "company");
    expect_str(o->shipments[0].tracking_url,
               "https://www.ups.com/track?tracknum=1Z999AA10123456784", "url");
    expect_str(o->shipments[1].tracking_number, "LX123456789DE", "from tracking_numbers");
    expect_str(o->shipments[1].tracking_company, NULL, "no company");
    cr_expect_eq(o->total_price, 7077);
    expect_adds_up(o);
    sb_arena_free(a);
    json_decref(j);
}

Test(rest, s1_cancelled_before_download_is_skipped)
{
    json_t *j = fixture_json("orders-cancelled.json");
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = parse_rest(a, j);
    cr_expect(o->cancelled);
    expect_str(o->cancel_reason, "customer", "reason");
    cr_expect_eq(o->financial, SB_FIN_VOIDED);
    cr_expect_not(o->has_ship_to);
    cr_expect_eq(o->n_shipping, 0);
    const char *reason = NULL;
    struct sb_channel ch = channel();
    cr_expect_eq(sb_channel_shopify.decide(&ch, o, &reason), SB_DECIDE_SKIP);
    expect_str(reason, "cancelled before download", "reason");
    sb_arena_free(a);
    json_decref(j);
}

Test(rest, parse_event_takes_the_raw_body)
{
    size_t len;
    char *body = read_fixture("orders-create-multi.json", &len);
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    struct sb_channel ch = channel();
    cr_assert_eq(sb_channel_shopify.parse_event(&ch, "orders/paid", body, len, a, &o), SB_OK);
    cr_assert(o);
    cr_expect_eq(o->total_price, 8189);
    /* truncated anywhere: invalid JSON, never a partial order */
    for (size_t cut = 0; cut < len; cut += len / 7 + 1) {
        o = NULL;
        cr_expect_eq(sb_channel_shopify.parse_event(&ch, "orders/create", body, cut, a, &o),
                     SB_EINVALID_JSON, "cut at %zu", cut);
        cr_expect_null(o);
    }
    cr_expect_eq(sb_channel_shopify.parse_event(&ch, "orders/create", "[1,2]", 5, a, &o),
                 SB_EINVALID_JSON);
    cr_expect_eq(sb_channel_shopify.parse_event(&ch, "orders/edited", body, len, a, &o),
                 SB_EINVALID_FIELD);
    const char *dup = "{\"id\": 1, \"id\": 2}";
    cr_expect_eq(sb_channel_shopify.parse_event(&ch, "orders/create", dup, strlen(dup), a, &o),
                 SB_EINVALID_JSON);
    sb_arena_free(a);
    free(body);
}

Test(rest, a1_pickup_only_when_the_delivery_category_says_so)
{
    json_t *j = fixture_json("orders-create-multi.json");
    json_t *sl = json_array_get(json_object_get(j, "shipping_lines"), 0);
    json_object_set_new(sl, "title", json_string("Downtown store"));
    json_object_set_new(sl, "code", json_string("Downtown store"));
    json_object_set_new(sl, "delivery_category", json_string("pickup"));
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = parse_rest(a, j);
    expect_str(o->pickup_location, "Downtown store", "pickup");
    expect_str(o->shipping[0].title, "Downtown store", "the title is passed as well");
    /* a carrier's pick-up point is a delivery, not a pickup at an outlet */
    json_object_set_new(sl, "delivery_category", json_null());
    json_object_set_new(sl, "code", json_string("Pick-up point"));
    o = parse_rest(a, j);
    expect_str(o->pickup_location, NULL, "pick-up point");
    sb_arena_free(a);
    json_decref(j);
}

Test(rest, fallbacks_for_older_payloads)
{
    json_t *j = fixture_json("orders-create-multi.json");
    /* no name: "#" + order_number; no plain amounts: the *_set bags; no total_outstanding */
    json_object_del(j, "name");
    json_object_del(j, "total_price");
    json_object_del(j, "subtotal_price");
    json_object_del(j, "total_outstanding");
    json_object_del(j, "total_shipping_price_set");
    json_object_del(j, "payment_gateway_names");
    json_object_set_new(j, "gateway", json_string("bogus"));
    json_t *line = json_array_get(json_object_get(j, "line_items"), 0);
    json_object_del(line, "price");
    json_t *alloc = json_array_get(json_object_get(line, "discount_allocations"), 0);
    json_object_del(alloc, "amount");
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = parse_rest(a, j);
    expect_str(o->number, "#1042", "number");
    cr_expect_eq(o->total_price, 8189);
    cr_expect_eq(o->subtotal, 6972);
    cr_expect_eq(o->total_outstanding, 0, "paid: nothing outstanding");
    cr_expect_eq(o->total_shipping, 600, "from the shipping lines");
    cr_expect_eq(o->lines[0].unit_price, 2000);
    cr_expect_eq(o->lines[0].discount, 550);
    expect_str(o->gateway, "bogus", "gateway");
    sb_arena_free(a);
    json_decref(j);
}

/* Hostile input: each mutation of a good order fails with its field's path. */
struct mutation {
    const char *what;
    void (*apply)(json_t *o);
    sb_err err;
    const char *field;
};

static json_t *line(json_t *o, size_t i)
{
    return json_array_get(json_object_get(o, "line_items"), i);
}
static void m_price_bool(json_t *o)
{
    json_object_set_new(line(o, 1), "price", json_true());
}
static void m_price_neg(json_t *o)
{
    json_object_set_new(line(o, 0), "price", json_string("-1.00"));
}
static void m_price_text(json_t *o)
{
    json_object_set_new(line(o, 0), "price", json_string("12,50"));
}
static void m_currency_unknown(json_t *o)
{
    json_object_set_new(o, "currency", json_string("ZZZ"));
}
static void m_qty_zero(json_t *o)
{
    json_object_set_new(line(o, 0), "quantity", json_integer(0));
}
static void m_qty_neg(json_t *o)
{
    json_object_set_new(line(o, 2), "quantity", json_integer(-3));
}
static void m_qty_string(json_t *o)
{
    json_object_set_new(line(o, 0), "quantity", json_string("2"));
}
static void m_id_text(json_t *o)
{
    json_object_set_new(o, "id", json_string("12abc"));
}
static void m_id_real(json_t *o)
{
    json_object_set_new(o, "id", json_real(4.5e18));
}
static void m_id_negative(json_t *o)
{
    json_object_set_new(o, "id", json_integer(-5));
}
static void m_id_missing(json_t *o)
{
    json_object_del(o, "id");
}
static void m_line_id_object(json_t *o)
{
    json_object_set_new(line(o, 1), "id", json_object());
}
static void m_no_lines(json_t *o)
{
    json_array_clear(json_object_get(o, "line_items"));
}
static void m_lines_not_array(json_t *o)
{
    json_object_set_new(o, "line_items", json_string("many"));
}
static void m_line_not_object(json_t *o)
{
    json_array_set_new(json_object_get(o, "line_items"), 1, json_integer(7));
}
static void m_too_many_lines(json_t *o)
{
    json_t *lines = json_object_get(o, "line_items");
    json_t *first = json_array_get(lines, 0);
    while (json_array_size(lines) <= SB_SHOPIFY_MAX_LINES)
        json_array_append_new(lines, json_deep_copy(first));
}
static void m_alloc_bad(json_t *o)
{
    json_t *alloc = json_array_get(json_object_get(line(o, 0), "discount_allocations"), 1);
    json_object_set_new(alloc, "amount", json_string("x"));
}
static void m_tax_price_missing(json_t *o)
{
    json_t *tax = json_array_get(json_object_get(line(o, 1), "tax_lines"), 0);
    json_object_del(tax, "price");
}
static void m_tax_rate_bool(json_t *o)
{
    json_t *tax = json_array_get(json_object_get(line(o, 1), "tax_lines"), 1);
    json_object_set_new(tax, "rate", json_false());
}
static void m_tax_lines_object(json_t *o)
{
    json_object_set_new(line(o, 0), "tax_lines", json_object());
}
static void m_title_missing(json_t *o)
{
    json_object_del(line(o, 2), "title");
    json_object_del(line(o, 2), "name");
}
static void m_sku_number(json_t *o)
{
    json_object_set_new(line(o, 0), "sku", json_integer(42));
}
static void m_created_bad(json_t *o)
{
    json_object_set_new(o, "created_at", json_string("yesterday"));
}
static void m_updated_missing(json_t *o)
{
    json_object_del(o, "updated_at");
}
static void m_currency_lower(json_t *o)
{
    json_object_set_new(o, "currency", json_string("usd"));
}
static void m_total_missing(json_t *o)
{
    json_object_del(o, "total_price");
    json_object_del(o, "total_price_set");
}
static void m_total_set_broken(json_t *o)
{
    json_object_del(o, "total_price");
    json_object_set_new(o, "total_price_set", json_pack("{s:s}", "shop_money", "81.89"));
}
static void m_customer_string(json_t *o)
{
    json_object_set_new(o, "customer", json_string("jane"));
}
static void m_email_long(json_t *o)
{
    char buf[400];
    memset(buf, 'a', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    json_object_set_new(o, "email", json_string(buf));
}
static void m_ship_price_neg(json_t *o)
{
    json_t *sl = json_array_get(json_object_get(o, "shipping_lines"), 0);
    json_object_set_new(sl, "price", json_string("-8.00"));
}
static void m_address_number(json_t *o)
{
    json_object_set_new(json_object_get(o, "shipping_address"), "zip", json_integer(10002));
}
static void m_refund_line_id(json_t *o)
{
    json_t *r = json_pack("{s:i, s:[{s:s, s:i}], s:[]}", "id", 1, "refund_line_items",
                          "line_item_id", "abc", "quantity", 1, "transactions");
    json_object_set_new(o, "refunds", json_pack("[o]", r));
}
static void m_taxes_included_string(json_t *o)
{
    json_object_set_new(o, "taxes_included", json_string("true"));
}
static void m_gateway_number(json_t *o)
{
    json_object_set_new(o, "payment_gateway_names", json_pack("[i]", 3));
}
static void m_not_an_object(json_t *o)
{
    json_object_set_new(o, "note_attributes", json_pack("[s]", "gift"));
}
static void m_amount_huge(json_t *o)
{
    json_object_set_new(o, "total_price", json_string("99999999999999999999.00"));
}

static const struct mutation mutations[] = {
    { "price is a boolean", m_price_bool, SB_EINVALID_FIELD, "line_items[1].price" },
    { "negative price", m_price_neg, SB_EINVALID_FIELD, "line_items[0].price" },
    { "price with a comma", m_price_text, SB_EINVALID_FIELD, "line_items[0].price" },
    { "not an ISO 4217 currency", m_currency_unknown, SB_EINVALID_FIELD, "currency" },
    { "quantity 0", m_qty_zero, SB_EINVALID_FIELD, "line_items[0].quantity" },
    { "negative quantity", m_qty_neg, SB_EINVALID_FIELD, "line_items[2].quantity" },
    { "quantity as text", m_qty_string, SB_EINVALID_FIELD, "line_items[0].quantity" },
    { "non-numeric id", m_id_text, SB_EINVALID_FIELD, "id" },
    { "id as a double", m_id_real, SB_EINVALID_FIELD, "id" },
    { "negative id", m_id_negative, SB_EINVALID_FIELD, "id" },
    { "no id", m_id_missing, SB_EMISSING_FIELD, "id" },
    { "line id is an object", m_line_id_object, SB_EINVALID_FIELD, "line_items[1].id" },
    { "no lines", m_no_lines, SB_EMISSING_FIELD, "line_items" },
    { "lines not an array", m_lines_not_array, SB_EINVALID_FIELD, "line_items" },
    { "line not an object", m_line_not_object, SB_EINVALID_FIELD, "line_items[1]" },
    { "more than 500 lines", m_too_many_lines, SB_EINVALID_FIELD, "line_items" },
    { "bad discount allocation", m_alloc_bad, SB_EINVALID_FIELD,
      "line_items[0].discount_allocations[1].amount" },
    { "tax without price", m_tax_price_missing, SB_EMISSING_FIELD,
      "line_items[1].tax_lines[0].price" },
    { "tax rate a boolean", m_tax_rate_bool, SB_EINVALID_FIELD, "line_items[1].tax_lines[1].rate" },
    { "tax lines an object", m_tax_lines_object, SB_EINVALID_FIELD, "line_items[0].tax_lines" },
    { "line without title", m_title_missing, SB_EMISSING_FIELD, "line_items[2].title" },
    { "sku a number", m_sku_number, SB_EINVALID_FIELD, "line_items[0].sku" },
    { "bad created_at", m_created_bad, SB_EINVALID_FIELD, "created_at" },
    { "no updated_at", m_updated_missing, SB_EMISSING_FIELD, "updated_at" },
    { "lower-case currency", m_currency_lower, SB_EINVALID_FIELD, "currency" },
    { "no total", m_total_missing, SB_EMISSING_FIELD, "total_price" },
    { "broken money bag", m_total_set_broken, SB_EINVALID_FIELD,
      "total_price_set.shop_money.amount" },
    { "customer a string", m_customer_string, SB_EINVALID_FIELD, "customer" },
    { "email too long", m_email_long, SB_EINVALID_FIELD, "email" },
    { "negative shipping", m_ship_price_neg, SB_EINVALID_FIELD, "shipping_lines[0].price" },
    { "zip a number", m_address_number, SB_EINVALID_FIELD, "shipping_address.zip" },
    { "refund line id", m_refund_line_id, SB_EINVALID_FIELD,
      "refunds[0].refund_line_items[0].line_item_id" },
    { "taxes_included a string", m_taxes_included_string, SB_EINVALID_FIELD, "taxes_included" },
    { "gateway a number", m_gateway_number, SB_EINVALID_FIELD, "payment_gateway_names[0]" },
    { "note attribute a string", m_not_an_object, SB_EINVALID_FIELD, "note_attributes[0]" },
    { "absurd amount", m_amount_huge, SB_EINVALID_FIELD, "total_price" },
};

Test(rest, hostile_fields_fail_with_their_path)
{
    json_t *good = fixture_json("orders-create-multi.json");
    for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
        json_t *o = json_deep_copy(good);
        mutations[i].apply(o);
        struct sb_arena *a = sb_arena_new();
        struct sb_order *ord = NULL;
        sb_err_clear();
        sb_err err = sb_shopify_parse_rest_order(o, a, &ord);
        cr_expect_eq(err, mutations[i].err, "%s: got %s (%s)", mutations[i].what, sb_err_code(err),
                     sb_err_last()->message);
        expect_str(sb_err_last()->field, mutations[i].field, mutations[i].what);
        cr_expect_null(ord, "%s", mutations[i].what);
        sb_arena_free(a);
        json_decref(o);
    }
    json_decref(good);
}

/* Parses a fixture with changes made by edit(); asserts it parses. */
static struct sb_order *parse_edited(struct sb_arena *a, const char *fixture,
                                     void (*edit)(json_t *o, void *ud), void *ud, json_t **ret_json)
{
    json_t *o = fixture_json(fixture);
    edit(o, ud);
    struct sb_order *ord = NULL;
    cr_assert_eq(sb_shopify_parse_rest_order(o, a, &ord), SB_OK, "%s (%s)", sb_err_last()->message,
                 sb_err_last()->field);
    *ret_json = o; /* the order borrows its strings: the caller releases it */
    return ord;
}

struct amounts {
    const char *currency, *price, *total;
    double real_price; /* used when price is NULL */
};

static void set_amounts(json_t *o, void *ud)
{
    const struct amounts *m = ud;
    json_object_set_new(o, "currency", json_string(m->currency));
    json_object_del(o, "total_price_set");
    json_object_set_new(o, "total_price", json_string(m->total));
    json_t *l = line(o, 0);
    json_object_del(l, "price_set");
    json_object_set_new(l, "price", m->price ? json_string(m->price) : json_real(m->real_price));
}

/* O4: amounts are read in the order currency's own minor unit (JPY 0 decimals, USD 2,
 * KWD 3); text or numbers with more decimals are rounded half away from zero. */
Test(rest, o4_amounts_in_the_currencys_minor_unit_rounded_half_away_from_zero)
{
    static const struct {
        struct amounts in;
        int64_t price, total;
    } cases[] = {
        { { "USD", "12.34", "54.88", 0 }, 1234, 5488 },
        { { "USD", "7.995", "54.885", 0 }, 800, 5489 },
        { { "USD", "7.994999", "54.8849", 0 }, 799, 5488 },
        { { "USD", NULL, "1.005", 1.005 }, 101, 101 }, /* the double is 1.00499999999999989 */
        { { "USD", NULL, "2.675", 2.675 }, 268, 268 },
        { { "JPY", "1000", "1100", 0 }, 1000, 1100 },
        { { "JPY", "1000.00", "1100.0", 0 }, 1000, 1100 },
        { { "JPY", "999.5", "1099.49", 0 }, 1000, 1099 },
        { { "JPY", NULL, "1100", 1000.5 }, 1001, 1100 },
        { { "KWD", "1.234", "5.5", 0 }, 1234, 5500 },
        { { "KWD", "1.2345", "5.0005", 0 }, 1235, 5001 },
        { { "KWD", NULL, "0.1", 0.1 }, 100, 100 },
        { { "IQD", "250.125", "250.125", 0 }, 250125, 250125 }, /* ISO 3, CLDR 0 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sb_arena *a = sb_arena_new();
        json_t *doc = NULL;
        struct sb_order *o =
            parse_edited(a, "orders-create-multi.json", set_amounts, (void *)&cases[i].in, &doc);
        cr_expect_str_eq(o->currency, cases[i].in.currency);
        cr_expect_eq(o->lines[0].unit_price, cases[i].price, "%s %s: %lld, want %lld",
                     cases[i].in.currency, cases[i].in.price ? cases[i].in.price : "(number)",
                     (long long)o->lines[0].unit_price, (long long)cases[i].price);
        cr_expect_eq(o->total_price, cases[i].total, "%s %s: %lld, want %lld", cases[i].in.currency,
                     cases[i].in.total, (long long)o->total_price, (long long)cases[i].total);
        sb_arena_free(a);
        json_decref(doc);
    }
}

/* ------------------------------------------------------------------ GraphQL nodes */

Test(graphql, poll_nodes_parse_like_webhooks)
{
    json_t *page = fixture_json("graphql-orders-page.json");
    json_t *nodes =
        json_object_get(json_object_get(json_object_get(page, "data"), "orders"), "nodes");
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_assert_eq(sb_shopify_parse_gql_order(json_array_get(nodes, 0), a, &o), SB_OK, "%s (%s)",
                 sb_err_last()->message, sb_err_last()->field);
    expect_str(o->external_id, "450789469", "legacyResourceId");
    expect_str(o->number, "#1001", "name");
    expect_str(o->email, "Bob@Example.com", "email");
    expect_str(o->first_name, "Bob", "first");
    cr_expect_eq(o->created_at, t_of("2026-11-20T17:00:00Z"));
    cr_expect_eq(o->updated_at, t_of("2026-11-24T13:30:00Z"));
    cr_expect_eq(o->financial, SB_FIN_PARTIALLY_REFUNDED);
    cr_expect_eq(o->fulfillment, SB_FUL_PARTIAL);
    expect_str(o->note, "Ring twice\ngift_message: Happy birthday", "note");
    expect_str(o->gateway, "stripe", "gateway");
    cr_expect_eq(o->subtotal, 5597);
    cr_expect_eq(o->total_discounts, 650);
    cr_expect_eq(o->total_tax, 406);
    cr_expect_eq(o->total_shipping, 750, "\"7.5\": one decimal");
    cr_expect_eq(o->total_price, 6753);
    cr_expect_eq(o->total_outstanding, 0);

    cr_assert_eq(o->n_lines, 2);
    expect_str(o->lines[0].external_id, "466157049", "gid tail");
    expect_str(o->lines[0].barcode, "0885909950805", "barcode");
    cr_expect_eq(o->lines[0].discount, 400);
    expect_tax(&o->lines[0].taxes[0], "State Tax", "0.06", 216);
    expect_tax(&o->lines[0].taxes[1], "County Tax", "0.0125", 45);
    expect_str(o->lines[1].barcode, NULL, "no variant");
    cr_expect_not(o->lines[1].requires_shipping);

    cr_assert_eq(o->n_shipping, 1);
    expect_str(o->shipping[0].title, "Express", "shipping");
    cr_expect_eq(o->shipping[0].price, 1000);
    cr_expect_eq(o->shipping[0].discount, 250, "original less discounted");

    cr_assert_eq(o->n_payments, 1);
    expect_str(o->payments[0].external_id, "389404470", "transaction gid tail");
    cr_expect_eq(o->payments[0].amount, 6753);
    cr_assert_eq(o->n_refunds, 1);
    expect_str(o->refunds[0].external_id, "509562969", "refund");
    expect_str(o->refunds[0].lines[0].line_external_id, "466157049", "refunded line");
    cr_expect(o->refunds[0].lines[0].restock);
    cr_expect_eq(o->refunds[0].lines[0].amount, 1930);
    cr_expect_eq(o->refunds[0].amount, 1930, "the pending refund does not count");
    cr_assert_eq(o->n_shipments, 1);
    expect_str(o->shipments[0].tracking_number, "1Z999AA10123456784", "tracking");
    expect_str(o->shipments[0].tracking_company, "UPS", "company");
    expect_str(o->ship_to.region, "KY", "region");
    expect_str(o->ship_to.country, "US", "country");
    expect_adds_up(o);

    cr_assert_eq(sb_shopify_parse_gql_order(json_array_get(nodes, 1), a, &o), SB_OK);
    expect_str(o->external_id, "9007199254740993123", "big id");
    expect_str(o->email, NULL, "no email");
    expect_str(o->first_name, NULL, "no customer");
    cr_expect_not(o->has_ship_to);
    cr_expect_eq(o->n_shipping, 0);
    cr_expect_eq(o->financial, SB_FIN_PENDING);
    cr_expect_eq(o->total_outstanding, 1250);
    expect_str(o->lines[0].external_id, "9007199254740999", "line");
    expect_adds_up(o);
    sb_arena_free(a);
    json_decref(page);
}

Test(graphql, gid_tails_and_bad_gids)
{
    struct sb_arena *a = sb_arena_new();
    expect_str(sb_shopify_gid_tail("gid://shopify/Order/450789469", "Order", a), "450789469",
               "order");
    expect_str(sb_shopify_gid_tail("gid://shopify/LineItem/12?x=1", "LineItem", a), "12", "query");
    expect_str(sb_shopify_gid_tail("gid://shopify/Order/450789469", "LineItem", a), NULL, "type");
    expect_str(sb_shopify_gid_tail("gid://shopify/Order/", "Order", a), NULL, "empty");
    expect_str(sb_shopify_gid_tail("gid://shopify/Order/12a", "Order", a), NULL, "letters");
    expect_str(sb_shopify_gid_tail("gid://other/Order/12", "Order", a), NULL, "app");
    expect_str(sb_shopify_gid_tail("gid://shopify/Order/0", "Order", a), NULL, "zero");
    expect_str(sb_shopify_gid_tail(NULL, "Order", a), NULL, "null");

    json_t *page = fixture_json("graphql-orders-page.json");
    json_t *node = json_array_get(
        json_object_get(json_object_get(json_object_get(page, "data"), "orders"), "nodes"), 1);
    json_t *li = json_array_get(json_object_get(json_object_get(node, "lineItems"), "nodes"), 0);
    json_object_set_new(li, "id", json_string("gid://shopify/Product/1"));
    struct sb_order *o = NULL;
    cr_expect_eq(sb_shopify_parse_gql_order(node, a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "lineItems.nodes[0].id", "field");
    json_object_set_new(li, "id", json_string("gid://shopify/LineItem/77"));
    json_object_set_new(li, "quantity", json_integer(-1));
    cr_expect_eq(sb_shopify_parse_gql_order(node, a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "lineItems.nodes[0].quantity", "field");
    json_object_set_new(li, "quantity", json_integer(1));
    json_object_set_new(json_object_get(json_object_get(li, "originalUnitPriceSet"), "shopMoney"),
                        "amount", json_string("12.505"));
    cr_expect_eq(sb_shopify_parse_gql_order(node, a, &o), SB_OK, "O4: rounded, not refused");
    cr_expect_eq(o->lines[0].unit_price, 1251);
    json_object_set_new(json_object_get(json_object_get(li, "originalUnitPriceSet"), "shopMoney"),
                        "amount", json_string("12,50"));
    cr_expect_eq(sb_shopify_parse_gql_order(node, a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "lineItems.nodes[0].originalUnitPriceSet.shopMoney.amount",
               "field");
    json_object_set_new(node, "legacyResourceId", json_null());
    json_object_set_new(node, "id", json_string("gid://shopify/Order/88"));
    json_object_set_new(json_object_get(json_object_get(li, "originalUnitPriceSet"), "shopMoney"),
                        "amount", json_string("12.5"));
    cr_expect_eq(sb_shopify_parse_gql_order(node, a, &o), SB_OK);
    expect_str(o->external_id, "88", "id from the gid");
    sb_arena_free(a);
    json_decref(page);
}

/* ------------------------------------------------------------------ gateways */

Test(payment_type, p1_p3_gateway_table)
{
    static const struct {
        const char *gateway, *name;
        bool integrated;
    } rows[] = {
        { NULL, "Shopify", true },
        { "", "Shopify", true },
        { "  ", "Shopify", true },
        { "shopify_payments", "Shopify Payments", true },
        { "Shopify Payments", "Shopify Payments", true },
        { "stripe", "Stripe", true },
        { "paypal", "PayPal", true },
        { "PayPal Express Checkout", "PayPal", true },
        { "authorize_net", "Authorize.Net", true },
        { "bogus", "Shopify", true },
        { "mollie", "Mollie", true },
        { "Some New Processor", "Some New Processor", true },
        { "manual", "manual", false },
        { "Manual Payment", "Manual Payment", false },
        { "Cash on Delivery (COD)", "Cash on Delivery (COD)", false },
        { "cash_on_delivery", "cash_on_delivery", false },
        { "Bank Deposit", "Bank Deposit", false },
        { "Money Order", "Money Order", false },
        { "cash", "cash", false },
        { "COD", "COD", false },
        { "Pay by cheque", "Pay by cheque", false },
        { "Codapay", "Codapay", true }, /* "cod" only as a word */
        { "checkout_com_direct", "checkout_com_direct", true },
    };
    struct sb_channel ch = channel();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        bool integrated = !rows[i].integrated;
        const char *name = sb_channel_shopify.payment_type(&ch, rows[i].gateway, &integrated);
        expect_str(name, rows[i].name, rows[i].gateway ? rows[i].gateway : "(null)");
        cr_expect_eq(integrated, rows[i].integrated, "%s",
                     rows[i].gateway ? rows[i].gateway : "(null)");
    }
    cr_expect_str_eq(sb_shopify_payment_type("stripe", NULL), "Stripe");
}

/* ------------------------------------------------------------------ throttling, cursor */

Test(throttle, sp2_wait_is_the_time_to_restore_the_requested_cost)
{
    /* 752 requested, 666 available, 50 points/s: 86 points = 1.72 s */
    cr_expect_eq(sb_shopify_throttle_wait_ms(752, 666, 50), 1720);
    cr_expect_eq(sb_shopify_throttle_wait_ms(101, 100, 50), 20);
    cr_expect_eq(sb_shopify_throttle_wait_ms(100, 99.5, 1000), 1, "rounded up");
    cr_expect_eq(sb_shopify_throttle_wait_ms(100, 100, 50), 0);
    cr_expect_eq(sb_shopify_throttle_wait_ms(100, 500, 50), 0);
    cr_expect_eq(sb_shopify_throttle_wait_ms(1000, 0, 50), 10000, "capped at 10 s");
    cr_expect_eq(sb_shopify_throttle_wait_ms(100000, 0, 1), 10000);
    cr_expect_eq(sb_shopify_throttle_wait_ms(100, 0, 0), 1000, "no restore rate");
    cr_expect_eq(sb_shopify_throttle_wait_ms(100, 0, -5), 1000);
    cr_expect_eq(sb_shopify_throttle_wait_ms(NAN, 0, 50), 1000);
    cr_expect_eq(sb_shopify_throttle_wait_ms(100, INFINITY, 50), 1000);
    cr_expect_eq(sb_shopify_throttle_wait_ms(-1, 0, 50), 1000);
}

Test(throttle, i9_retry_after)
{
    cr_expect_eq(sb_shopify_retry_after_ms("2"), 2000);
    cr_expect_eq(sb_shopify_retry_after_ms("2.0"), 2000);
    cr_expect_eq(sb_shopify_retry_after_ms("0"), 0);
    cr_expect_eq(sb_shopify_retry_after_ms(" 3 "), 3000);
    cr_expect_eq(sb_shopify_retry_after_ms("120"), 10000, "capped");
    cr_expect_eq(sb_shopify_retry_after_ms("99999999999999999999999"), 10000);
    cr_expect_eq(sb_shopify_retry_after_ms(NULL), 1000);
    cr_expect_eq(sb_shopify_retry_after_ms(""), 1000);
    cr_expect_eq(sb_shopify_retry_after_ms("Wed, 21 Oct 2026 07:28:00 GMT"), 1000);
    cr_expect_eq(sb_shopify_retry_after_ms("-1"), 1000);
}

/* ------------------------------------------------------------------ query cost (SP2) */

Test(cost, sp2_order_queries_stay_under_shopifys_single_query_limit)
{
    /* the arithmetic written out beside the queries in shopify.c */
    cr_expect_eq(sb_shopify_query_cost(&sb_shopify_page), 723, "SbOrders: %lld",
                 (long long)sb_shopify_query_cost(&sb_shopify_page));
    cr_expect_eq(sb_shopify_query_cost(&sb_shopify_alone), 789, "SbOrder: %lld",
                 (long long)sb_shopify_query_cost(&sb_shopify_alone));
    cr_expect_leq(sb_shopify_query_cost(&sb_shopify_page), SB_SHOPIFY_COST_BUDGET);
    cr_expect_leq(sb_shopify_query_cost(&sb_shopify_alone), SB_SHOPIFY_COST_BUDGET);
    cr_expect_lt(SB_SHOPIFY_COST_BUDGET, SB_SHOPIFY_MAX_QUERY_COST);
    /* reading alone holds more of every list than a page does */
    cr_expect_eq(sb_shopify_alone.orders, 0);
    cr_expect_gt(sb_shopify_alone.lines, sb_shopify_page.lines);
    cr_expect_gt(sb_shopify_alone.transactions, sb_shopify_page.transactions);
    cr_expect_gt(sb_shopify_alone.refunds, sb_shopify_page.refunds);
    cr_expect_gt(sb_shopify_alone.refund_lines, sb_shopify_page.refund_lines);
    cr_expect_gt(sb_shopify_alone.refund_transactions, sb_shopify_page.refund_transactions);
    cr_expect_gt(sb_shopify_alone.fulfillments, sb_shopify_page.fulfillments);
}

Test(cost, sp2_the_arithmetic_by_hand)
{
    /* one of everything: order = 33 + 10 + 3 + (7 + 6 + 3) + 2 = 64 */
    struct sb_shopify_sizes one = { 0, 1, 1, 1, 1, 1, 1 };
    cr_expect_eq(sb_shopify_query_cost(&one), 64);
    one.orders = 1;
    cr_expect_eq(sb_shopify_query_cost(&one), 3 + 64, "connection 2 + pageInfo 1");
    one.orders = 2;
    cr_expect_eq(sb_shopify_query_cost(&one), 3 + 2 * 64);
    /* each size adds its element's cost */
    struct sb_shopify_sizes s = { 0, 2, 1, 1, 1, 1, 1 };
    cr_expect_eq(sb_shopify_query_cost(&s), 64 + 10, "a line item costs 10");
    s = (struct sb_shopify_sizes){ 0, 1, 2, 1, 1, 1, 1 };
    cr_expect_eq(sb_shopify_query_cost(&s), 64 + 3, "a transaction costs 3");
    s = (struct sb_shopify_sizes){ 0, 1, 1, 2, 1, 1, 1 };
    cr_expect_eq(sb_shopify_query_cost(&s), 64 + 16, "a refund of one line costs 16");
    s = (struct sb_shopify_sizes){ 0, 1, 1, 2, 2, 1, 1 };
    cr_expect_eq(sb_shopify_query_cost(&s), 33 + 10 + 3 + 2 * (7 + 2 * 6 + 3) + 2,
                 "nested: multiplied");
    s = (struct sb_shopify_sizes){ 0, 1, 1, 1, 1, 2, 1 };
    cr_expect_eq(sb_shopify_query_cost(&s), 64 + 3);
    s = (struct sb_shopify_sizes){ 0, 1, 1, 1, 1, 1, 2 };
    cr_expect_eq(sb_shopify_query_cost(&s), 64 + 2, "a fulfillment costs 2");
    /* what the adapter asked for at first: Shopify would refuse every poll */
    struct sb_shopify_sizes first = { 50, 250, 50, 50, 250, 20, 20 };
    cr_expect_eq(sb_shopify_query_cost(&first), 3 + 50 * (33 + 2500 + 150 + 50 * 1567 + 40));
    cr_expect_gt(sb_shopify_query_cost(&first), SB_SHOPIFY_MAX_QUERY_COST);
    /* the largest Shopify allows */
    struct sb_shopify_sizes most = { 250, 250, 250, 250, 250, 250, 250 };
    cr_expect_gt(sb_shopify_query_cost(&most), 0, "no overflow");
}

Test(cost, sizes_out_of_shopifys_bounds)
{
    const struct sb_shopify_sizes bad[] = {
        { 0, 0, 1, 1, 1, 1, 1 },   { 0, 1, 0, 1, 1, 1, 1 },    { 0, 1, 1, 0, 1, 1, 1 },
        { 0, 1, 1, 1, 0, 1, 1 },   { 0, 1, 1, 1, 1, 0, 1 },    { 0, 1, 1, 1, 1, 1, 0 },
        { 0, 251, 1, 1, 1, 1, 1 }, { 251, 1, 1, 1, 1, 1, 1 },  { -1, 1, 1, 1, 1, 1, 1 },
        { 0, -5, 1, 1, 1, 1, 1 },  { 0, 1, 1, 1, 1, 1, 9999 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(sb_shopify_query_cost(&bad[i]), -1, "sizes %zu", i);
    cr_expect_eq(sb_shopify_query_cost(NULL), -1);
}

Test(cost, sp2_the_documents_ask_for_the_sizes_that_were_costed)
{
    struct sb_arena *a = sb_arena_new();
    const char *q = sb_shopify_order_query(&sb_shopify_page, a);
    cr_assert(q);
    cr_expect(strstr(q, "query SbOrders($first: Int!, $after: String, $query: String) { "
                        "orders(first: $first, after: $after, query: $query, sortKey: "
                        "UPDATED_AT) { pageInfo { hasNextPage endCursor } nodes { id "),
              "%s", q);
    cr_expect(strstr(q, "lineItems(first: 10) { pageInfo { hasNextPage } nodes { id sku "));
    cr_expect(strstr(q, "transactions(first: 5) { id gateway kind status amountSet "));
    cr_expect(strstr(q, "refunds(first: 2) { id note refundLineItems(first: 5) { pageInfo { "
                        "hasNextPage } nodes { lineItem { id } "));
    cr_expect(strstr(q, "transactions(first: 2) { pageInfo { hasNextPage } nodes { kind "));
    cr_expect(strstr(q, "fulfillments(first: 3) { id status trackingInfo "));
    cr_expect_null(strstr(q, "250"), "no page of 250 left");

    q = sb_shopify_order_query(&sb_shopify_alone, a);
    cr_assert(q);
    cr_expect(strstr(q, "query SbOrder($id: ID!) { order(id: $id) { id legacyResourceId "), "%s",
              q);
    cr_expect(strstr(q, "lineItems(first: 30) { pageInfo { hasNextPage } "));
    cr_expect(strstr(q, "transactions(first: 8) { id "));
    cr_expect(strstr(q, "refunds(first: 4) { id note refundLineItems(first: 15) { pageInfo"));
    cr_expect(strstr(q, "transactions(first: 3) { pageInfo { hasNextPage } "));
    cr_expect(strstr(q, "fulfillments(first: 4) { "));
    /* every "first:" in the document is one the arithmetic counted: 6 lists, +1 for orders */
    size_t n = 0;
    for (const char *p = q; (p = strstr(p, "(first: ")); p++)
        n++;
    cr_expect_eq(n, 6);
    sb_arena_free(a);
}

/* ------------------------------------------------------------------ truncation (SP2) */

/* An order node with the given lists; pageInfo: -1 none, 0 hasNextPage false, 1 true. */
static json_t *node_with(int lines, int lines_more, int txns, int refunds, int refund_lines,
                         int refund_lines_more, int refund_txns, int fulfillments)
{
    json_t *li = json_array();
    for (int i = 0; i < lines; i++)
        json_array_append_new(li, json_object());
    json_t *conn = json_pack("{s:o}", "nodes", li);
    if (lines_more >= 0)
        json_object_set_new(conn, "pageInfo", json_pack("{s:b}", "hasNextPage", lines_more));
    json_t *tx = json_array(), *rf = json_array(), *ff = json_array();
    for (int i = 0; i < txns; i++)
        json_array_append_new(tx, json_object());
    for (int i = 0; i < fulfillments; i++)
        json_array_append_new(ff, json_object());
    for (int i = 0; i < refunds; i++) {
        json_t *rl = json_array(), *rt = json_array();
        for (int k = 0; k < refund_lines; k++)
            json_array_append_new(rl, json_object());
        for (int k = 0; k < refund_txns; k++)
            json_array_append_new(rt, json_object());
        json_t *rlc = json_pack("{s:o}", "nodes", rl);
        if (refund_lines_more >= 0)
            json_object_set_new(rlc, "pageInfo",
                                json_pack("{s:b}", "hasNextPage", refund_lines_more));
        json_array_append_new(rf,
                              json_pack("{s:o, s:{s:o, s:{s:b}}}", "refundLineItems", rlc,
                                        "transactions", "nodes", rt, "pageInfo", "hasNextPage", 0));
    }
    return json_pack("{s:o, s:o, s:o, s:o}", "lineItems", conn, "transactions", tx, "refunds", rf,
                     "fulfillments", ff);
}

static void expect_cut(json_t *node, const struct sb_shopify_sizes *s, const char *want,
                       const char *what)
{
    expect_str(sb_shopify_truncated(node, s), want, what);
    json_decref(node);
}

Test(truncation, sp2_a_list_cut_short_is_named)
{
    const struct sb_shopify_sizes *p = &sb_shopify_page; /* 10 lines, 5 txns, 2 refunds ... */
    expect_cut(node_with(9, 0, 4, 1, 4, 0, 1, 2), p, NULL, "everything fits");
    expect_cut(node_with(3, 1, 0, 0, 0, 0, 0, 0), p, "lineItems", "hasNextPage says more");
    expect_cut(node_with(10, 0, 0, 0, 0, 0, 0, 0), p, NULL, "full page, pageInfo says no more");
    expect_cut(node_with(10, -1, 0, 0, 0, 0, 0, 0), p, "lineItems", "no pageInfo: full is cut");
    expect_cut(node_with(9, -1, 0, 0, 0, 0, 0, 0), p, NULL, "no pageInfo, one short of full");
    expect_cut(node_with(1, 0, 5, 0, 0, 0, 0, 0), p, "transactions", "a list has no pageInfo");
    expect_cut(node_with(1, 0, 0, 2, 1, 0, 1, 0), p, "refunds", "as many refunds as asked");
    expect_cut(node_with(1, 0, 0, 1, 2, 1, 1, 0), p, "refunds.refundLineItems", "refund lines");
    expect_cut(node_with(1, 0, 0, 1, 5, -1, 1, 0), p, "refunds.refundLineItems", "no pageInfo");
    expect_cut(node_with(1, 0, 0, 1, 1, 0, 2, 0), p, NULL, "refund transactions: pageInfo");
    expect_cut(node_with(1, 0, 0, 0, 0, 0, 0, 3), p, "fulfillments", "fulfillments");
    /* the same node fits when read alone */
    expect_cut(node_with(29, -1, 7, 3, 14, -1, 2, 3), &sb_shopify_alone, NULL, "alone");
    expect_cut(node_with(30, -1, 0, 0, 0, 0, 0, 0), &sb_shopify_alone, "lineItems", "alone");
}

Test(truncation, refund_transactions_and_odd_shapes)
{
    json_t *n = node_with(1, 0, 0, 1, 1, 0, 1, 0);
    json_t *rt = json_object_get(json_array_get(json_object_get(n, "refunds"), 0), "transactions");
    json_object_set_new(json_object_get(rt, "pageInfo"), "hasNextPage", json_true());
    expect_cut(n, &sb_shopify_page, "refunds.transactions", "refund transactions");

    /* shapes the parser refuses are not truncation: the parser names them */
    json_t *odd = json_pack("{s:s, s:i, s:n}", "lineItems", "x", "refunds", 3, "fulfillments");
    expect_cut(odd, &sb_shopify_page, NULL, "wrong types");
    expect_cut(json_object(), &sb_shopify_page, NULL, "empty");
    expect_cut(json_string("x"), &sb_shopify_page, NULL, "not an object");
    /* pageInfo of the wrong type falls back on the count */
    n = node_with(10, -1, 0, 0, 0, 0, 0, 0);
    json_object_set_new(json_object_get(n, "lineItems"), "pageInfo", json_string("no"));
    expect_cut(n, &sb_shopify_page, "lineItems", "pageInfo not an object");

    json_t *page = fixture_json("graphql-orders-page.json");
    json_t *nodes =
        json_object_get(json_object_get(json_object_get(page, "data"), "orders"), "nodes");
    expect_str(sb_shopify_truncated(json_array_get(nodes, 0), &sb_shopify_page), NULL, "fixture");
    expect_str(sb_shopify_truncated(json_array_get(nodes, 1), &sb_shopify_page), NULL, "fixture");
    json_decref(page);
}

Test(cursor, round_trips)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_shopify_cursor c;
    cr_assert_eq(sb_shopify_cursor_parse(NULL, a, &c), SB_OK);
    cr_expect_eq(c.since, 0);
    cr_expect_null(c.after);
    cr_assert_eq(sb_shopify_cursor_parse("2026-11-22T14:00:00Z", a, &c), SB_OK);
    cr_expect_eq(c.since, t_of("2026-11-22T14:00:00Z"));
    cr_expect_null(c.after);
    expect_str(sb_shopify_cursor_format(&c, a), "2026-11-22T14:00:00Z", "since only");
    cr_assert_eq(sb_shopify_cursor_parse("2026-11-22T14:00:00Z|2026-11-23T01:02:03Z|ab|c=", a, &c),
                 SB_OK);
    cr_expect_eq(c.max, t_of("2026-11-23T01:02:03Z"));
    expect_str(c.after, "ab|c=", "after keeps what follows");
    expect_str(sb_shopify_cursor_format(&c, a),
               "2026-11-22T14:00:00Z|2026-11-23T01:02:03Z|ab|c=", "paging");
    cr_assert_eq(sb_shopify_cursor_parse("||xyz", a, &c), SB_OK);
    cr_expect_eq(c.since, 0);
    expect_str(c.after, "xyz", "first cycle paging");
    struct sb_shopify_cursor none = { 0 };
    expect_str(sb_shopify_cursor_format(&none, a), "", "never polled");
    cr_expect_eq(sb_shopify_cursor_parse("yesterday", a, &c), SB_EINVALID_FIELD);
    cr_expect_eq(sb_shopify_cursor_parse("2026-11-22T14:00:00Z|x", a, &c), SB_EINVALID_FIELD);
    cr_expect_eq(sb_shopify_cursor_parse("2026-11-22T14:00:00Z|bad|x", a, &c), SB_EINVALID_FIELD);
    sb_arena_free(a);
}

/* ------------------------------------------------------------------ every field, every type */

struct sweep {
    json_t *root;
    bool gql;
    size_t runs, failures;
};

static void sweep_parse(struct sweep *s, const char *where)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    sb_err_clear();
    sb_err err = s->gql ? sb_shopify_parse_gql_order(s->root, a, &o)
                        : sb_shopify_parse_rest_order(s->root, a, &o);
    s->runs++;
    if (err == SB_OK) {
        cr_expect(o, "%s: OK without an order", where);
    } else {
        s->failures++;
        cr_expect(err == SB_EINVALID_FIELD || err == SB_EMISSING_FIELD, "%s: %s", where,
                  sb_err_code(err));
        cr_expect(sb_err_last()->field[0], "%s: no field named (%s)", where,
                  sb_err_last()->message);
        cr_expect_null(o, "%s", where);
    }
    sb_arena_free(a);
}

/* Replaces every value in the tree, one at a time, by each JSON type, and parses. */
static void sweep(struct sweep *s, json_t *node, int depth)
{
    json_t *repl[] = { json_null(),      json_true(),    json_integer(0),
                       json_integer(-1), json_real(1.5), json_string(""),
                       json_string("x"), json_array(),   json_object() };
    const size_t n_repl = sizeof(repl) / sizeof(repl[0]);
    if (json_is_object(node)) {
        /* a snapshot of the keys: deleting and re-adding one moves it to the end */
        size_t n_keys = json_object_size(node), i = 0;
        char **keys = calloc(n_keys + 1, sizeof(*keys));
        const char *key;
        json_t *v;
        json_object_foreach(node, key, v)
        {
            keys[i++] = strdup(key);
        }
        for (i = 0; i < n_keys; i++) {
            const char *k = keys[i];
            v = json_incref(json_object_get(node, k));
            for (size_t r = 0; r < n_repl; r++) {
                json_object_set(node, k, repl[r]);
                sweep_parse(s, k);
            }
            json_object_del(node, k);
            sweep_parse(s, k);
            json_object_set(node, k, v);
            if (depth < 8)
                sweep(s, v, depth + 1);
            json_decref(v);
            free(keys[i]);
        }
        free(keys);
    } else if (json_is_array(node)) {
        /* the first element stands for the rest */
        json_t *v = json_array_get(node, 0);
        if (v) {
            json_incref(v);
            for (size_t i = 0; i < n_repl; i++) {
                json_array_set(node, 0, repl[i]);
                sweep_parse(s, "[0]");
            }
            json_array_set(node, 0, v);
            if (depth < 8)
                sweep(s, v, depth + 1);
            json_decref(v);
        }
    }
    for (size_t i = 0; i < n_repl; i++)
        json_decref(repl[i]);
}

Test(sweep, rest_order_every_field_every_type)
{
    json_t *j = fixture_json("orders-updated-refunded.json");
    struct sweep s = { .root = j };
    sweep(&s, j, 0);
    cr_expect(s.runs > 1000, "%zu runs", s.runs);
    cr_expect(s.failures > 100 && s.failures < s.runs, "%zu of %zu refused", s.failures, s.runs);
    json_decref(j);
}

Test(sweep, rest_multi_order_every_field_every_type)
{
    json_t *j = fixture_json("orders-create-multi.json");
    struct sweep s = { .root = j };
    sweep(&s, j, 0);
    cr_expect(s.runs > 1000, "%zu runs", s.runs);
    json_decref(j);
}

Test(sweep, graphql_node_every_field_every_type)
{
    json_t *page = fixture_json("graphql-orders-page.json");
    json_t *node = json_array_get(
        json_object_get(json_object_get(json_object_get(page, "data"), "orders"), "nodes"), 0);
    struct sweep s = { .root = node, .gql = true };
    sweep(&s, node, 0);
    cr_expect(s.runs > 1000, "%zu runs", s.runs);
    json_decref(page);
}

Test(sweep, random_bytes_never_crash)
{
    size_t len;
    char *body = read_fixture("orders-create-multi.json", &len);
    struct sb_channel ch = channel();
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 400; round++) {
        char *copy = malloc(len);
        memcpy(copy, body, len);
        for (int k = 0; k < 4; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            copy[x % len] = (char)(x >> 32);
        }
        struct sb_arena *a = sb_arena_new();
        struct sb_order *o = NULL;
        char sig[64];
        sign("hush", copy, len, sig);
        struct sb_event_info info = { 0 };
        sb_err err = verify("orders/create", copy, len, sig, "e", NULL, a, &info);
        cr_expect(err == SB_OK || err == SB_EINVALID_JSON || err == SB_EINVALID_FIELD ||
                      err == SB_EMISSING_FIELD,
                  "round %d: %s", round, sb_err_code(err));
        err = sb_channel_shopify.parse_event(&ch, "orders/create", copy, len, a, &o);
        cr_expect(err == SB_OK ? o != NULL : o == NULL, "round %d", round);
        sb_arena_free(a);
        free(copy);
    }
    free(body);
}
