/*
 * O3 as a property: the result depends only on the versions of an order that arrive,
 * never on the order they arrive in. One order is taken through its life on the
 * fakestore with its webhooks held back - created (cash on delivery, pending), updated
 * (a new note and ship-to), paid, partially refunded (one unit, restocked), cancelled
 * (Shopify's default cancel: the rest refunded and restocked) - and each version is kept
 * as the shop renders it. Then every permutation of those versions is delivered as signed
 * webhooks to the real server, each permutation as its own order (the versions' order id
 * rewritten), and what each permutation left in the POS - the sale, its lines, taxes,
 * payments, returns, stock movements, fulfillments, shipment and notification - is
 * compared, with ids and clock times left out.
 *
 * Without the cancel, every permutation must leave exactly the same. With it, S1 draws
 * the one line the arrival order may: an order whose first version to arrive is already
 * cancelled is never downloaded (nothing at all in the POS); every other permutation
 * leaves the same voided sale - and all of them the same stock.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake;

static void setup(void)
{
    th_shop_start(&t, &f, &fake);
    /* room for every permutation's order at outlet 1, so allocation never differs (A2) */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"outlet_id\":1,\"reference\":\"PO-O3\",\"lines\":[{\"item_id\":%lld,"
             "\"quantity\":5000},{\"item_id\":%lld,\"quantity\":5000}]}",
             (long long)f.tee, (long long)f.mug);
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/receipts", t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
}

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(versions, .init = setup, .fini = teardown, .timeout = 240);

enum {
    CREATED,
    UPDATED,
    PAID,
    REFUNDED,
    CANCELLED,
    N_VERSIONS
};

static const char *const topics[N_VERSIONS] = { "orders/create", "orders/updated", "orders/paid",
                                                "orders/updated", "orders/cancelled" };
static const char *const names[N_VERSIONS] = { "created", "updated", "paid", "refunded",
                                               "cancelled" };

static json_t *versions[N_VERSIONS];

static json_t *shop_order(const char *id)
{
    char path[64];
    snprintf(path, sizeof(path), "/_fake/orders/%s", id);
    struct th_resp r = th_fake_req(&fake, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *o = json_deep_copy(r.json);
    th_resp_free(&r);
    return o;
}

static void shop_act(const char *id, const char *action, const char *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/_fake/orders/%s/%s", id, action);
    struct th_resp r = th_fake_req(&fake, "POST", path, body);
    cr_assert_eq(r.status / 100, 2, "%s: %s", action, r.body);
    th_resp_free(&r);
}

/* The order's life on the shop, no webhook sent; each version as the shop renders it. */
static void make_versions(void)
{
    char id[32];
    struct th_resp r = th_fake_req(
        &fake, "POST", "/_fake/orders",
        "{\"webhooks\":false,\"gateway\":\"Cash on Delivery (COD)\","
        "\"financial_status\":\"pending\",\"email\":\"vera@example.com\","
        "\"customer\":{\"first_name\":\"Vera\",\"last_name\":\"Sion\"},\"note\":\"ring twice\","
        "\"shipping_address\":{\"first_name\":\"Vera\",\"last_name\":\"Sion\","
        "\"address1\":\"1 Old Rd\",\"city\":\"Bath\",\"zip\":\"BA1\",\"country_code\":\"GB\"},"
        "\"shipping_lines\":[{\"title\":\"Standard\",\"price\":\"5.00\"}],"
        "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"Tee\",\"quantity\":2,\"price\":\"20.00\","
        "\"tax_lines\":[{\"title\":\"VAT\",\"rate\":0.2,\"price\":\"8.00\"}]},"
        "{\"sku\":\"MUG\",\"title\":\"Mug\",\"quantity\":1,\"price\":\"12.50\"}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    json_t *oid = json_object_get(r.json, "id");
    if (json_is_integer(oid))
        snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(oid));
    else
        snprintf(id, sizeof(id), "%s", json_string_value(oid));
    th_resp_free(&r);
    versions[CREATED] = shop_order(id);

    shop_act(id, "update",
             "{\"webhooks\":false,\"note\":\"leave with the neighbour\","
             "\"shipping_address\":{\"first_name\":\"Vera\",\"last_name\":\"Sion\","
             "\"address1\":\"9 New St\",\"city\":\"Wells\",\"zip\":\"BA5\","
             "\"country_code\":\"GB\"}}");
    versions[UPDATED] = shop_order(id);
    shop_act(id, "pay", "{\"webhooks\":false}");
    versions[PAID] = shop_order(id);

    char body[200];
    json_t *tee = json_array_get(json_object_get(versions[PAID], "line_items"), 0);
    snprintf(body, sizeof(body),
             "{\"webhooks\":false,\"lines\":[{\"line_item_id\":%lld,\"quantity\":1,"
             "\"restock\":true}]}",
             (long long)json_integer_value(json_object_get(tee, "id")));
    shop_act(id, "refund", body);
    versions[REFUNDED] = shop_order(id);
    shop_act(id, "cancel", "{\"webhooks\":false,\"refund\":true,\"restock\":true}");
    versions[CANCELLED] = shop_order(id);

    /* each version is newer than the one before, and says what it should */
    for (int v = 1; v < N_VERSIONS; v++)
        cr_assert(strcmp(th_str(versions[v], "updated_at"), th_str(versions[v - 1], "updated_at")) >
                      0,
                  "%s is newer than %s", names[v], names[v - 1]);
    cr_assert_str_eq(th_str(versions[PAID], "financial_status"), "paid");
    cr_assert_str_eq(th_str(versions[REFUNDED], "financial_status"), "partially_refunded");
    cr_assert(json_is_string(json_object_get(versions[CANCELLED], "cancelled_at")));
}

static void free_versions(void)
{
    for (int v = 0; v < N_VERSIONS; v++)
        json_decref(versions[v]);
}

/* Delivers version v as order `order_id`, signed, with its own event id. */
static void deliver(int v, long long order_id, int perm)
{
    json_t *o = json_deep_copy(versions[v]);
    json_object_set_new(o, "id", json_integer(order_id));
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    unsigned char mac[32];
    unsigned int len = 0;
    char b64[64], sig[128], topic[64], event[64];
    HMAC(EVP_sha256(), TH_SHOP_SECRET, (int)strlen(TH_SHOP_SECRET), (const unsigned char *)body,
         strlen(body), mac, &len);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)len);
    snprintf(sig, sizeof(sig), "X-Shopify-Hmac-Sha256: %s", b64);
    snprintf(topic, sizeof(topic), "X-Shopify-Topic: %s", topics[v]);
    snprintf(event, sizeof(event), "X-Shopify-Event-Id: o3-%lld-%d-%d", order_id, perm, v);
    const char *headers[] = { topic, sig, event, NULL };
    struct th_resp r = th_post_headers(&t, "/webhooks/1", body, headers);
    cr_assert_eq(r.status, 200, "%s: %s", names[v], r.body);
    th_resp_free(&r);
    free(body);
}

/* Rows of a query about one order (its external id bound to its one ?), as text. */
static void dump(struct sb_db *db, const char *title, const char *sql, const char *ext, FILE *out)
{
    cr_assert_eq(strchr(sql, '?'), strrchr(sql, '?'), "one ? per query: %s", sql);
    struct sb_q q;
    cr_assert_eq(sb_q_open(&q, db, sql, "s", ext), SB_OK, "%s: %s", sql, sb_err_last()->message);
    fprintf(out, "%s:\n", title);
    while (sb_q_next(&q)) {
        for (int c = 0; c < sb_q_columns(&q); c++) {
            const char *v = sb_q_null(&q, c) ? NULL : sb_q_text(&q, c);
            fprintf(out, "%s%s", c ? "|" : "  ", v ? v : "NULL");
        }
        fputc('\n', out);
    }
    cr_assert_eq(sb_q_close(&q), SB_OK, "%s: %s", sql, sb_err_last()->message);
}

#define SALE "(SELECT id FROM sales WHERE source = 'channel' AND external_id = ?)"

/* What one order left in the POS, without ids and clock times. */
static char *outcome(long long order_id)
{
    char ext[32];
    snprintf(ext, sizeof(ext), "%lld", order_id);
    struct sb_db *db;
    cr_assert_eq(sb_db_open(t.db_url, &db), SB_OK, "%s", sb_err_last()->message);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    static const struct {
        const char *title, *sql;
    } parts[] = {
        { "channel order", "SELECT state, reason, version, financial_status, fulfillment_status,"
                           " cancelled, total, currency, sale_id IS NULL FROM channel_orders"
                           " WHERE channel_id = 1 AND external_id = ?" },
        { "sale", "SELECT s.status, s.outlet_id, s.register_id, s.employee_id, c.email,"
                  " s.currency, s.subtotal, s.discount_total, s.tax_total, s.adjustment_total,"
                  " s.total, s.paid_total, s.balance_due, s.refunded_total, s.note,"
                  " s.external_number, s.needs_review FROM sales s"
                  " LEFT JOIN customers c ON c.id = s.customer_id"
                  " WHERE s.source = 'channel' AND s.external_id = ?" },
        { "lines", "SELECT line_no, item_id, sku, description, quantity, unit_price,"
                   " line_discount, tax_total, line_total, outlet_id, returned_quantity,"
                   " external_line_id FROM sale_lines WHERE sale_id = " SALE " ORDER BY line_no" },
        { "taxes", "SELECT l.line_no, x.name, x.rate, x.amount FROM sale_taxes x"
                   " LEFT JOIN sale_lines l ON l.id = x.sale_line_id WHERE x.sale_id = " SALE
                   " ORDER BY l.line_no, x.name" },
        { "discounts",
          "SELECT name, code, amount FROM sale_discounts WHERE sale_id = " SALE " ORDER BY name" },
        { "adjustments",
          "SELECT reason, amount FROM sale_adjustments WHERE sale_id = " SALE " ORDER BY reason" },
        { "payments", "SELECT t.name, p.amount, p.reference, p.external_id FROM payments p"
                      " JOIN payment_types t ON t.id = p.payment_type_id WHERE p.sale_id = " SALE
                      " ORDER BY p.external_id, p.amount" },
        { "returns", "SELECT r.external_id, r.reason, r.refund_total, l.line_no, rl.quantity,"
                     " rl.amount, rl.restock FROM returns r"
                     " JOIN return_lines rl ON rl.return_id = r.id"
                     " JOIN sale_lines l ON l.id = rl.sale_line_id WHERE r.sale_id = " SALE
                     " ORDER BY r.external_id, l.line_no" },
        { "stock", "SELECT item_id, outlet_id, reason, SUM(on_hand_delta), SUM(reserved_delta)"
                   " FROM stock_ledger WHERE sale_id = " SALE
                   " GROUP BY item_id, outlet_id, reason ORDER BY item_id, outlet_id, reason" },
        { "fulfillments", "SELECT f.outlet_id, f.kind, f.status, f.is_split, f.is_backorder,"
                          " l.line_no, fl.quantity, fl.backorder_quantity FROM fulfillments f"
                          " JOIN fulfillment_lines fl ON fl.fulfillment_id = f.id"
                          " JOIN sale_lines l ON l.id = fl.sale_line_id WHERE f.sale_id = " SALE
                          " ORDER BY f.outlet_id, l.line_no" },
        { "shipment", "SELECT name, company, line1, line2, city, region, postcode, country,"
                      " phone, email, method, note, shipped, tracking_number, carrier"
                      " FROM shipments WHERE sale_id = " SALE },
        { "notifications", "SELECT outlet_id, kind, title, body FROM notifications"
                           " WHERE sale_id = " SALE " ORDER BY outlet_id, title" },
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        dump(db, parts[i].title, parts[i].sql, ext, out);
    fclose(out);
    sb_db_close(db);
    return buf;
}

/* Heap's algorithm, iteratively: every permutation of a[0..n-1], one call each. */
static void each_permutation(int *a, int n, void (*fn)(const int *, int, void *), void *ud)
{
    int c[N_VERSIONS] = { 0 };
    fn(a, n, ud);
    for (int i = 1; i < n;) {
        if (c[i] < i) {
            int j = i % 2 ? c[i] : 0, tmp = a[j];
            a[j] = a[i];
            a[i] = tmp;
            fn(a, n, ud);
            c[i]++;
            i = 1;
        } else {
            c[i++] = 0;
        }
    }
}

struct run {
    long long next_id;
    int perms;
    char *reference;      /* the outcome every permutation must leave (not cancelled first) */
    char *reference_perm; /* which permutation made it, for the failure message */
    int cancelled_first;
};

static void permutation_name(const int *a, int n, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", names[a[i]]);
}

static void run_one(const int *a, int n, void *ud)
{
    struct run *r = ud;
    long long id = r->next_id++;
    for (int i = 0; i < n; i++)
        deliver(a[i], id, r->perms);
    th_wait_pipeline(&t);
    r->perms++;
    char perm[128];
    permutation_name(a, n, perm, sizeof(perm));
    if (a[0] == CANCELLED) {
        /* S1: cancelled before download - never downloaded, whatever follows */
        r->cancelled_first++;
        char sql[200];
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM channel_orders WHERE external_id = '%lld'"
                 " AND state = 'skipped' AND sale_id IS NULL",
                 id);
        cr_expect_eq(th_sql_int(&t, sql), 1, "[%s] is skipped", perm);
        snprintf(sql, sizeof(sql),
                 "SELECT COUNT(*) FROM sales WHERE source = 'channel' AND external_id = '%lld'",
                 id);
        cr_expect_eq(th_sql_int(&t, sql), 0, "[%s] leaves no sale", perm);
        return;
    }
    char *got = outcome(id);
    if (!r->reference) {
        r->reference = got;
        r->reference_perm = strdup(perm);
        return;
    }
    if (strcmp(got, r->reference) != 0)
        fprintf(stderr, "--- [%s]\n%s--- [%s]\n%s", r->reference_perm, r->reference, perm, got);
    cr_expect_str_eq(got, r->reference, "delivered as [%s] vs [%s]", perm, r->reference_perm);
    free(got);
}

static void run_all(int n, struct run *r)
{
    int a[N_VERSIONS];
    for (int i = 0; i < n; i++)
        a[i] = i;
    each_permutation(a, n, run_one, r);
}

/* O3, P3, P4, S2, C1, O7: created, updated, paid and partially refunded, in all 24 orders,
 * leave exactly the same - a paid sale with the new note and ship-to and one return. */
Test(versions, o3_every_delivery_order_of_the_same_versions_gives_the_same_sale)
{
    make_versions();
    struct run r = { .next_id = 7000000000000001LL };
    run_all(4, &r);
    cr_expect_eq(r.perms, 24);
    cr_assert_not_null(r.reference);
    /* and what they all left is the newest version's state */
    cr_expect(strstr(r.reference, "completed|") != NULL, "paid in full: %s", r.reference);
    cr_expect(strstr(r.reference, "leave with the neighbour") != NULL, "the newest note");
    cr_expect(strstr(r.reference, "9 New St") != NULL, "the newest ship-to");
    cr_expect(strstr(r.reference, "1 Old Rd") == NULL, "not the first ship-to");
    cr_expect(strstr(r.reference, "Cash on Delivery (COD)|") != NULL, "P4: the payment");
    free(r.reference);
    free(r.reference_perm);
    free_versions();
}

/* O3 and S1 with the cancel among the versions: all 120 orders of delivery. The 24 that
 * start with the cancel leave nothing; the 96 others the same voided sale, each unit back
 * in stock once. */
Test(versions, o3_s1_with_the_cancel_the_only_difference_is_the_one_s1_makes)
{
    make_versions();
    char tee[96];
    snprintf(tee, sizeof(tee), "SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = 1",
             (long long)f.tee);
    int64_t tee_before = th_sql_int(&t, tee);
    struct run r = { .next_id = 7100000000000001LL };
    run_all(5, &r);
    cr_expect_eq(r.perms, 120);
    cr_expect_eq(r.cancelled_first, 24);
    cr_assert_not_null(r.reference);
    cr_expect(strstr(r.reference, "sale:\n  voided|") != NULL, "voided: %s", r.reference);
    cr_expect(strstr(r.reference, "shipping|new|") == NULL &&
                  strstr(r.reference, "shipping|cancelled|") != NULL,
              "no fulfillment left to ship: %s", r.reference);
    cr_expect_eq(th_sql_int(&t, tee), tee_before,
                 "every unit back exactly once, in every permutation");
    free(r.reference);
    free(r.reference_perm);
    free_versions();
}
