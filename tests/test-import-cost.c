/*
 * What one web order costs the writer (issue 15, item 4: a lighter import). A signed
 * Shopify orders/create webhook of the shape bench-webhooks posts (3 lines, each with a
 * tax, shipping, a payment, a ship-to: a shipment and a fulfillment, stock ledger
 * entries, a notification) goes through the real server and pipeline; the writer
 * connection's statement counter (sb_store_writer_stats) must move by exactly the number
 * pinned here, so a change that adds statements to the import fails until the figure is
 * changed on purpose (and docs/performance.md with it). The rows the order leaves behind
 * are checked too: fewer statements, the same rows.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#define SECRET "import-cost-secret"

/* The statements of one imported web order, BEGIN and COMMIT of its batch included
 * (alone in its batch here; under load those two are shared by the batch). */
#define STATEMENTS_PER_ORDER 26

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    /* three items that track stock, with plenty of it and its ledger, as bench-webhooks */
    th_sql_exec(&t, "INSERT INTO items (id, sku, name, created_at, updated_at) VALUES"
                    " (10, 'A', 'A', 'x', 'x'), (11, 'B', 'B', 'x', 'x'), (12, 'C', 'C', 'x', 'x');"
                    "INSERT INTO stock (item_id, outlet_id, on_hand, updated_at) VALUES"
                    " (10, 1, 1000, 'x'), (11, 1, 1000, 'x'), (12, 1, 1000, 'x');"
                    "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta,"
                    " reserved_delta, on_hand_after, reserved_after, created_at) VALUES"
                    " (10, 1, 'receipt', 1000, 0, 1000, 0, 'x'),"
                    " (11, 1, 'receipt', 1000, 0, 1000, 0, 'x'),"
                    " (12, 1, 'receipt', 1000, 0, 1000, 0, 'x')");
    int64_t id = th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"shopify\",\"name\":\"Web shop\","
                           "\"credentials\":{\"shop_domain\":\"cost.myshopify.com\","
                           "\"access_token\":\"shpat_cost\",\"webhook_secret\":\"" SECRET "\"},"
                           "\"outlets\":[1],\"default_outlet_id\":1,"
                           "\"settings\":{\"stock_sync\":false}}");
    cr_assert_eq(id, 1);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(import_cost, .init = setup, .fini = teardown, .timeout = 120);

/* bench-webhooks's order n */
static void order_body(char *buf, size_t cap, int n)
{
    snprintf(buf, cap,
             "{\"id\":%d,\"name\":\"#%d\",\"email\":\"buyer%d@example.com\","
             "\"created_at\":\"2026-11-22T10:00:00Z\",\"updated_at\":\"2026-11-22T10:00:00Z\","
             "\"currency\":\"USD\",\"financial_status\":\"paid\",\"fulfillment_status\":null,"
             "\"gateway\":\"shopify_payments\",\"payment_gateway_names\":[\"shopify_payments\"],"
             "\"taxes_included\":false,\"subtotal_price\":\"50.00\",\"total_discounts\":\"0.00\","
             "\"total_tax\":\"4.00\",\"total_price\":\"59.00\",\"total_outstanding\":\"0.00\","
             "\"customer\":{\"first_name\":\"Buyer\",\"last_name\":\"%d\"},"
             "\"shipping_address\":{\"name\":\"Buyer %d\",\"address1\":\"1 Main St\","
             "\"city\":\"Portland\",\"zip\":\"04101\",\"country_code\":\"US\"},"
             "\"shipping_lines\":[{\"title\":\"Standard\",\"price\":\"5.00\",\"tax_lines\":[],"
             "\"discount_allocations\":[]}],"
             "\"line_items\":["
             "{\"id\":%d1,\"sku\":\"A\",\"title\":\"A\",\"quantity\":1,\"price\":\"20.00\","
             "\"requires_shipping\":true,\"discount_allocations\":[],"
             "\"tax_lines\":[{\"title\":\"Tax\",\"rate\":0.08,\"price\":\"1.60\"}]},"
             "{\"id\":%d2,\"sku\":\"B\",\"title\":\"B\",\"quantity\":2,\"price\":\"10.00\","
             "\"requires_shipping\":true,\"discount_allocations\":[],"
             "\"tax_lines\":[{\"title\":\"Tax\",\"rate\":0.08,\"price\":\"1.60\"}]},"
             "{\"id\":%d3,\"sku\":\"C\",\"title\":\"C\",\"quantity\":1,\"price\":\"10.00\","
             "\"requires_shipping\":true,\"discount_allocations\":[],"
             "\"tax_lines\":[{\"title\":\"Tax\",\"rate\":0.08,\"price\":\"0.80\"}]}]}",
             n, n, n, n, n, n, n, n);
}

/* Posts order n as Shopify would and answers how many statements the writer ran for it. */
static uint64_t import(int n)
{
    char body[4096], mac_b64[64], hmac[128], event[64];
    order_body(body, sizeof(body), n);
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body, strlen(body), mac,
         &len);
    EVP_EncodeBlock((unsigned char *)mac_b64, mac, (int)len);
    snprintf(hmac, sizeof(hmac), "X-Shopify-Hmac-Sha256: %s", mac_b64);
    snprintf(event, sizeof(event), "X-Shopify-Event-Id: cost-%d", n);
    const char *headers[] = { "X-Shopify-Topic: orders/create", hmac, event, NULL };
    th_wait_pipeline(&t);
    struct sb_db_stats before = sb_store_writer_stats(t.store, NULL);
    struct th_resp r = th_post_headers(&t, "/webhooks/1", body, headers);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    struct sb_db_stats after = sb_store_writer_stats(t.store, NULL);
    cr_assert_eq(th_sql_intf(&t, "SELECT COUNT(*) FROM sales WHERE external_id = '%d'", n), 1,
                 "order %d became a sale when its webhook was answered", n);
    return after.statements - before.statements;
}

Test(import_cost, item4_a_web_order_costs_the_writer_exactly_its_statements)
{
    /* the first order of a server (cold caches, a new payment type) and the ones after */
    uint64_t first = import(1001);
    uint64_t second = import(1002);
    uint64_t third = import(1003);
    cr_expect_gt(first, 0);
    cr_expect_eq(second, STATEMENTS_PER_ORDER, "statements for a web order: %llu (first %llu)",
                 (unsigned long long)second, (unsigned long long)first);
    cr_expect_eq(third, second, "every order after the first costs the same");
}

/* A scalar of sql with $S read as the sale's id. */
static int64_t sale_int(const char *sql, int64_t sale)
{
    char buf[512];
    const char *at = strstr(sql, "$S");
    cr_assert_not_null(at);
    snprintf(buf, sizeof(buf), "%.*s%lld%s", (int)(at - sql), sql, (long long)sale, at + 2);
    return th_sql_int(&t, buf);
}

/* Fewer statements, the same rows: what an order leaves behind. */
Test(import_cost, item4_a_web_order_leaves_every_row_it_did)
{
    (void)import(2001);
    (void)import(2002);
    int64_t sale = th_sql_int(&t, "SELECT id FROM sales WHERE external_id = '2002'");
    cr_assert_gt(sale, 0);
    const struct {
        const char *sql;
        int64_t want;
    } rows[] = {
        { "SELECT COUNT(*) FROM sale_lines WHERE sale_id = $S", 4 },
        { "SELECT COUNT(*) FROM sale_lines WHERE sale_id = $S AND item_id IS NOT NULL", 3 },
        { "SELECT COUNT(*) FROM sale_lines WHERE sale_id = $S AND line_no BETWEEN 1 AND 4", 4 },
        { "SELECT COUNT(*) FROM sale_lines WHERE sale_id = $S AND sku = 'B' AND quantity = 2"
          " AND unit_price = 1000 AND tax_total = 160 AND line_total = 2160"
          " AND external_line_id = '20022'",
          1 },
        { "SELECT COUNT(*) FROM sale_taxes WHERE sale_id = $S AND sale_line_id IS NOT NULL", 3 },
        { "SELECT SUM(amount) FROM sale_taxes WHERE sale_id = $S", 400 },
        { "SELECT COUNT(*) FROM sale_taxes x JOIN sale_lines l ON l.id = x.sale_line_id"
          " WHERE x.sale_id = $S AND l.sku = 'C' AND x.amount = 80",
          1 },
        { "SELECT total FROM sales WHERE id = $S", 5900 },
        { "SELECT balance_due FROM sales WHERE id = $S", 0 },
        { "SELECT COUNT(*) FROM payments WHERE sale_id = $S AND amount = 5900", 1 },
        { "SELECT COUNT(*) FROM shipments WHERE sale_id = $S", 1 },
        { "SELECT COUNT(*) FROM fulfillments WHERE sale_id = $S", 1 },
        { "SELECT COUNT(*) FROM fulfillment_lines fl JOIN fulfillments ff"
          " ON ff.id = fl.fulfillment_id WHERE ff.sale_id = $S",
          3 },
        { "SELECT COUNT(*) FROM fulfillment_lines fl JOIN fulfillments ff"
          " ON ff.id = fl.fulfillment_id JOIN sale_lines l ON l.id = fl.sale_line_id"
          " WHERE ff.sale_id = $S AND l.sale_id = ff.sale_id AND fl.quantity = l.quantity",
          3 },
        { "SELECT COUNT(*) FROM fulfillment_events e JOIN fulfillments ff"
          " ON ff.id = e.fulfillment_id WHERE ff.sale_id = $S",
          1 },
        { "SELECT COUNT(*) FROM notifications WHERE sale_id = $S", 1 },
        { "SELECT COUNT(*) FROM stock_ledger WHERE sale_id = $S", 3 },
        { "SELECT COUNT(*) FROM stock_ledger WHERE sale_id = $S AND item_id = 11"
          " AND on_hand_delta = -2 AND on_hand_after = 996",
          1 },
        { "SELECT on_hand FROM stock WHERE item_id = 11 AND outlet_id = 1 AND $S > 0", 996 },
        { "SELECT COUNT(*) FROM channel_orders WHERE sale_id = $S AND state = 'downloaded'", 1 },
        { "SELECT COUNT(*) FROM customers c JOIN sales s ON s.customer_id = c.id"
          " WHERE s.id = $S AND c.email = 'buyer2002@example.com'",
          1 },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t got = sale_int(rows[i].sql, sale);
        cr_expect_eq(got, rows[i].want, "%s: %lld", rows[i].sql, (long long)got);
    }
    cr_expect_eq(
        th_sql_int(&t, "SELECT COUNT(*) FROM channel_log WHERE event = 'order.downloaded'"), 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status = 'done'"), 2);
}

/* A long order goes in several statements of at most 8 rows (store/rows.c), and two lines
 * of one item share a stock row (moved one at a time): the same rows either way, each line
 * with its own id, taxes, fulfillment line and ledger entry, the figures after in order. */
Test(import_cost, item4_a_long_order_and_a_repeated_item_keep_every_row)
{
    char items[1024] = "", lines[8192] = "";
    size_t il = 0, ll = 0;
    for (int i = 0; i < 10; i++) {
        il += (size_t)snprintf(items + il, sizeof(items) - il, "%s(%d, 'L%d', 'L%d', 'x', 'x')",
                               i ? ", " : "", 20 + i, i, i);
        /* line i: quantity 1, price 1.00 + i, a tax of i + 1 cents; line 10 repeats L0 */
        ll += (size_t)snprintf(lines + ll, sizeof(lines) - ll,
                               "{\"id\":90%d,\"sku\":\"L%d\",\"title\":\"L%d\",\"quantity\":1,"
                               "\"price\":\"%d.00\",\"requires_shipping\":true,"
                               "\"discount_allocations\":[],\"tax_lines\":[{\"title\":\"Tax\","
                               "\"rate\":0.01,\"price\":\"0.%02d\"}]},",
                               i, i, i, 1 + i, i + 1);
    }
    ll += (size_t)snprintf(lines + ll, sizeof(lines) - ll,
                           "{\"id\":9010,\"sku\":\"L0\",\"title\":\"L0 again\",\"quantity\":2,"
                           "\"price\":\"1.00\",\"requires_shipping\":true,"
                           "\"discount_allocations\":[],\"tax_lines\":[]}");
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "INSERT INTO items (id, sku, name, created_at, updated_at) VALUES %s;"
             "INSERT INTO stock (item_id, outlet_id, on_hand, updated_at)"
             " SELECT id, 1, 100, 'x' FROM items WHERE id BETWEEN 20 AND 29;"
             "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta,"
             " reserved_delta, on_hand_after, reserved_after, created_at)"
             " SELECT id, 1, 'receipt', 100, 0, 100, 0, 'x' FROM items WHERE id BETWEEN 20 AND 29",
             items);
    th_sql_exec(&t, sql);
    /* 10 lines at 1+i dollars = 55.00, taxes 0.01..0.10 = 0.55, L0 again 2.00, no shipping */
    char body[12288], mac_b64[64], hmac[128];
    snprintf(body, sizeof(body),
             "{\"id\":3001,\"name\":\"#3001\",\"email\":\"long@example.com\","
             "\"created_at\":\"2026-11-22T10:00:00Z\",\"updated_at\":\"2026-11-22T10:00:00Z\","
             "\"currency\":\"USD\",\"financial_status\":\"paid\",\"fulfillment_status\":null,"
             "\"gateway\":\"shopify_payments\",\"taxes_included\":false,"
             "\"total_tax\":\"0.55\",\"total_price\":\"57.55\",\"total_outstanding\":\"0.00\","
             "\"shipping_address\":{\"name\":\"Long\",\"address1\":\"1 Main St\","
             "\"city\":\"Portland\",\"zip\":\"04101\",\"country_code\":\"US\"},"
             "\"line_items\":[%s]}",
             lines);
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body, strlen(body), mac,
         &len);
    EVP_EncodeBlock((unsigned char *)mac_b64, mac, (int)len);
    snprintf(hmac, sizeof(hmac), "X-Shopify-Hmac-Sha256: %s", mac_b64);
    const char *headers[] = { "X-Shopify-Topic: orders/create", hmac,
                              "X-Shopify-Event-Id: cost-long", NULL };
    struct th_resp r = th_post_headers(&t, "/webhooks/1", body, headers);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    int64_t sale = th_sql_int(&t, "SELECT id FROM sales WHERE external_id = '3001'");
    cr_assert_gt(sale, 0, "the long order came down");
    const struct {
        const char *sql;
        int64_t want;
    } rows[] = {
        { "SELECT COUNT(*) FROM sale_lines WHERE sale_id = $S", 11 },
        { "SELECT COUNT(DISTINCT line_no) FROM sale_lines WHERE sale_id = $S", 11 },
        /* each line's id is its own: line_no i+1 holds L<i> at 1+i dollars */
        { "SELECT COUNT(*) FROM sale_lines WHERE sale_id = $S AND line_no <= 10"
          " AND item_id = 19 + line_no AND unit_price = 100 * line_no",
          10 },
        /* each tax under its own line */
        { "SELECT COUNT(*) FROM sale_taxes x JOIN sale_lines l ON l.id = x.sale_line_id"
          " WHERE x.sale_id = $S AND x.amount = l.line_no",
          10 },
        { "SELECT total FROM sales WHERE id = $S", 5755 },
        { "SELECT COUNT(*) FROM fulfillment_lines fl JOIN fulfillments ff"
          " ON ff.id = fl.fulfillment_id JOIN sale_lines l ON l.id = fl.sale_line_id"
          " WHERE ff.sale_id = $S AND l.sale_id = ff.sale_id AND fl.quantity = l.quantity",
          11 },
        { "SELECT COUNT(*) FROM stock_ledger WHERE sale_id = $S", 11 },
        /* L0 moved twice, one after the other: 100 - 1 = 99, then 99 - 2 = 97 */
        { "SELECT COUNT(*) FROM stock_ledger WHERE sale_id = $S AND item_id = 20"
          " AND ((on_hand_delta = -1 AND on_hand_after = 99)"
          " OR (on_hand_delta = -2 AND on_hand_after = 97))",
          2 },
        { "SELECT on_hand FROM stock WHERE item_id = 20 AND outlet_id = 1 AND $S > 0", 97 },
        { "SELECT on_hand FROM stock WHERE item_id = 29 AND outlet_id = 1 AND $S > 0", 99 },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int64_t got = sale_int(rows[i].sql, sale);
        cr_expect_eq(got, rows[i].want, "%s: %lld", rows[i].sql, (long long)got);
    }
}
