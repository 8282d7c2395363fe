/*
 * The packer's shipping table (issue 16 item 3) over HTTP, on either
 * backend: the list's filters (outlet, state), its search including shipped
 * orders (SH1: sale and order number, customer name and email, tracking
 * number), newest first with keyset pages and a count (T2), shipping
 * charges never listed as items to pack, tracking links, and the bulk
 * "mark shipped": each row all or nothing with its own result, a cancelled
 * or voided order refused with its reason (F3), another outlet's not found
 * (outlet scope), the request bounded and checked whole before any row.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture fx;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &fx);
    th_sql_exec(
        &t, "INSERT INTO channels (id, kind, name, created_at, updated_at)"
            " VALUES (1, 'shopify', 'Web', '2026-01-01T00:00:00Z',"
            " '2026-01-01T00:00:00Z');"
            "INSERT INTO customers (id, first_name, last_name, email, email_norm, created_at,"
            " updated_at) VALUES (7, 'Grace', 'Hopper', 'grace@navy.example', 'grace@navy.example',"
            " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(shipments_search, .init = setup, .fini = teardown);

#define SHIPMENT_ID(sale) ((sale) + 100)
#define LINE_ID(sale, k)  (1000 + (sale)*10 + (k))

/*
 * A web order: sale `sale` at `outlet`, 2 x TEE and 1 x MUG and a shipping charge of 500
 * (a sale line marked is_shipping, as the order pipeline writes it), total 5750, customer
 * `customer` (0: none), with its shipment and one shipping fulfillment of the two items.
 */
static void order(int64_t sale, int64_t outlet, const char *number, int64_t customer,
                  const char *ship_name, const char *city)
{
    char sql[4096], cust[32];
    snprintf(cust, sizeof(cust), customer ? "%lld" : "NULL", (long long)customer);
    snprintf(sql, sizeof(sql),
             "INSERT INTO sales (id, outlet_id, customer_id, status, currency, subtotal,"
             " discount_total, tax_total, adjustment_total, total, paid_total, balance_due,"
             " source, channel_id, external_id, external_number, created_at, updated_at)"
             " VALUES (%1$lld, %2$lld, %3$s, 'open', 'USD', 5750, 0, 0, 0, 5750, 0, 5750,"
             " 'channel', 1, 'ext-%1$lld', '%4$s', '2026-02-%1$02lldT10:00:00Z',"
             " '2026-02-%1$02lldT10:00:00Z');"
             "INSERT INTO sale_lines (id, sale_id, line_no, item_id, sku, description, quantity,"
             " unit_price, line_total, outlet_id, is_shipping) VALUES"
             " (%5$lld, %1$lld, 1, 1, 'TEE', 'T-shirt', 2, 2000, 4000, %2$lld, false),"
             " (%6$lld, %1$lld, 2, 2, 'MUG', 'Mug', 1, 1250, 1250, %2$lld, false),"
             " (%6$lld + 1, %1$lld, 3, NULL, 'STD', 'Shipping: Standard', 1, 500, 500, %2$lld,"
             " true);"
             "INSERT INTO shipments (id, sale_id, name, line1, city, country, method,"
             " created_at, updated_at) VALUES (%7$lld, %1$lld, '%8$s', '1 Dock Road', '%9$s',"
             " 'US', 'Ground', '2026-02-%1$02lldT10:00:00Z', '2026-02-%1$02lldT10:00:00Z');"
             "INSERT INTO fulfillments (id, sale_id, outlet_id, kind, status, is_split,"
             " is_backorder, created_at, updated_at) VALUES (%1$lld, %1$lld, %2$lld,"
             " 'shipping', 'new', false, false, '2026-02-01T10:00:00Z',"
             " '2026-02-01T10:00:00Z');"
             "INSERT INTO fulfillment_lines (fulfillment_id, sale_line_id, quantity,"
             " backorder_quantity) VALUES (%1$lld, %5$lld, 2, 0), (%1$lld, %6$lld, 1, 0);",
             (long long)sale, (long long)outlet, cust, number, (long long)LINE_ID(sale, 1),
             (long long)LINE_ID(sale, 2), (long long)SHIPMENT_ID(sale), ship_name, city);
    th_sql_exec(&t, sql);
}

static void ship(int64_t sale, const char *tracking, const char *carrier)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"shipped\":true,\"tracking_number\":\"%s\",\"carrier\":\"%s\"}",
             tracking, carrier);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%lld", (long long)SHIPMENT_ID(sale));
    struct th_resp r = th_req(&t, "PATCH", path, t.admin, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
}

/* The ids of a list page, as "103,102", for exact comparisons. */
static const char *list_ids(const char *token, char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static const char *list_ids(const char *token, char *buf, size_t cap, const char *fmt, ...)
{
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    json_t *page = th_get(&t, token, "%s", path);
    size_t n = 0, i;
    json_t *row;
    buf[0] = '\0';
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "",
                              (long long)json_integer_value(json_object_get(row, "id")));
    }
    json_decref(page);
    return buf;
}

static const char *const S = "/api/v1/shipments";

Test(shipments_search, sh1_search_and_filters_include_shipped_orders)
{
    order(1, 1, "#1001", 7, "G. Hopper", "Springfield");
    order(2, 1, "#1002", 0, "Ada Lovelace", "London");
    order(3, 2, "W-77", 0, "Alan Turing", "Wilmslow");
    order(4, 2, "W-78", 0, "Alan Turing", "Wilmslow");
    ship(1, "1Z999AA10123456784", "UPS");
    ship(3, "JD0002", "Royal Mail");
    char b[128];
    /* T2: newest first; the list to ship, the shipped, and both */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s", S), "104,102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=to_ship", S), "104,102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=shipped", S), "103,101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?shipped=true", S), "103,101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all", S), "104,103,102,101");
    /* SH1: shipped orders are found by tracking number, customer email, order number */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&q=1Z999AA10123456784", S),
                     "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=shipped&q=jd000", S), "103");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&q=GRACE%%40NAVY", S), "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&q=w-77", S), "103");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&q=%%234", S), "104");
    /* names, emails, city, postcode and tracking from their start, by index, on every list */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&q=alan%%20t", S), "104,103");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=shipped&q=WILMS", S), "103");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=shipped&q=hopper", S), "101");
    /* anywhere in any column: the list to ship only (the shipped are found by index) */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=turing", S), "104");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&q=turing", S), "");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=dock%%20road", S), "104,102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=1Z999AA10123456784", S), "");
    /* the shipping outlet */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&outlet_id=2", S), "104,103");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=all&outlet_id=1&q=turing", S), "");
    /* a split order shows at the other outlet too, by its shipping fulfillment there */
    th_sql_exec(&t, "INSERT INTO fulfillments (id, sale_id, outlet_id, kind, status, is_split,"
                    " is_backorder, created_at, updated_at) VALUES (42, 2, 2, 'shipping', 'new',"
                    " true, false, '2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z')");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?outlet_id=2", S), "104,102");
    json_t *one = th_get(&t, t.admin, "%s/%d", S, SHIPMENT_ID(2));
    json_t *outs = json_object_get(one, "ship_outlets");
    cr_assert_eq(json_array_size(outs), 2);
    cr_expect_str_eq(th_str(json_array_get(outs, 0), "name"), "Downtown");
    cr_expect_str_eq(th_str(json_array_get(outs, 1), "name"), "Uptown");
    json_decref(one);
    /* outlet scope: staff1 sees outlet 1's orders only, and may not ask for outlet 2 */
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s?status=all", S), "102,101");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s?status=all&q=turing", S), "");
    th_expect_error(&t, "GET", "/api/v1/shipments?outlet_id=2", fx.staff1, NULL, 403,
                    "outlet_forbidden");
    /* bad queries are named */
    th_expect_error(&t, "GET", "/api/v1/shipments?status=lost", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/shipments?status=all&shipped=true", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/shipments?outlet_id=x", t.admin, NULL, 400,
                    "invalid_query");
}

Test(shipments_search, t2_newest_first_keyset_pages_and_count)
{
    for (int i = 1; i <= 5; i++)
        order(i, 1, "#1", 0, "Buyer", "Town");
    char b[128];
    json_t *page = th_get(&t, t.admin, "%s?limit=2&count=true", S);
    cr_expect_eq(th_int(page, "total"), 5);
    cr_expect(json_is_false(json_object_get(page, "total_capped")));
    cr_expect_eq(th_int(page, "next_after"), 104);
    json_decref(page);
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?limit=2", S), "105,104");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?limit=2&after=104", S), "103,102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?limit=2&after=102", S), "101");
    page = th_get(&t, t.admin, "%s?limit=2&after=102&count=true&q=buyer", S);
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    cr_expect_eq(th_int(page, "total"), 5);
    json_decref(page);
    page = th_get(&t, fx.staff2, "%s?count=true", S);
    cr_expect_eq(th_int(page, "total"), 0);
    json_decref(page);
}

Test(shipments_search, item3_shipping_charge_is_no_item_to_pack_and_tracking_links)
{
    order(1, 1, "#1001", 7, "G. Hopper", "Springfield");
    order(2, 1, "#1002", 0, "Ada Lovelace", "London");
    ship(1, "1Z 999", "ups");
    ship(2, "P-1", "Pigeon Post");
    json_t *page = th_get(&t, t.admin, "%s?status=shipped", S);
    json_t *rows = json_object_get(page, "data");
    cr_assert_eq(json_array_size(rows), 2);
    json_t *a = json_array_get(rows, 1), *b = json_array_get(rows, 0);
    cr_expect_eq(th_int(a, "id"), 101);
    json_t *lines = json_object_get(a, "lines");
    cr_assert_eq(json_array_size(lines), 2);
    cr_expect_str_eq(th_str(json_array_get(lines, 0), "sku"), "TEE");
    cr_expect_str_eq(th_str(json_array_get(lines, 1), "sku"), "MUG");
    cr_expect_eq(th_int(a, "items_count"), 3);
    cr_expect_str_eq(th_str(a, "outlet_name"), "Downtown");
    cr_expect_str_eq(th_str(a, "customer_email"), "grace@navy.example");
    cr_expect_str_eq(th_str(a, "tracking_url"), "https://www.ups.com/track?tracknum=1Z999");
    /* an unknown carrier: the number, no link */
    cr_expect_str_eq(th_str(b, "tracking_number"), "P-1");
    cr_expect(json_is_null(json_object_get(b, "tracking_url")));
    json_decref(page);
    json_t *one = th_get(&t, t.admin, "%s/%d", S, SHIPMENT_ID(1));
    cr_expect_eq(json_array_size(json_object_get(one, "lines")), 2);
    cr_expect_str_eq(th_str(one, "tracking_url"), "https://www.ups.com/track?tracknum=1Z999");
    json_decref(one);
}

static struct th_resp bulk(const char *token, const char *body)
{
    return th_req(&t, "POST", "/api/v1/shipments/bulk", token, body);
}

Test(shipments_search, f3_bulk_ship_each_row_all_or_nothing_with_its_reason)
{
    order(1, 1, "#1001", 7, "G. Hopper", "Springfield");
    order(2, 1, "#1002", 0, "Ada Lovelace", "London");
    order(3, 1, "#1003", 0, "Edsger Dijkstra", "Nuenen");
    order(4, 2, "W-78", 0, "Alan Turing", "Wilmslow");
    th_sql_exec(&t, "UPDATE fulfillments SET status = 'cancelled' WHERE id = 2;"
                    "UPDATE sales SET status = 'voided', voided_at = '2026-02-05T00:00:00Z'"
                    " WHERE id = 3");
    struct th_resp r =
        bulk(fx.staff1, "{\"action\":\"ship\",\"shipments\":["
                        "{\"id\":101,\"tracking_number\":\"1Z1\",\"carrier\":\"UPS\"},"
                        "{\"id\":102,\"tracking_number\":\"1Z2\"},"
                        "{\"id\":103,\"tracking_number\":\"1Z3\"},"
                        "{\"id\":104,\"tracking_number\":\"1Z4\"}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "shipped"), 1);
    cr_expect_eq(th_int(r.json, "refused"), 3);
    json_t *res = json_object_get(r.json, "results");
    cr_assert_eq(json_array_size(res), 4);
    json_t *r1 = json_array_get(res, 0);
    cr_expect(json_is_true(json_object_get(r1, "ok")));
    json_t *s1 = json_object_get(r1, "shipment");
    cr_expect(json_is_true(json_object_get(s1, "shipped")));
    cr_expect_str_eq(th_str(s1, "tracking_url"), "https://www.ups.com/track?tracknum=1Z1");
    static const char *const codes[] = { "fulfillment_cancelled", "sale_voided", "not_found" };
    for (int i = 0; i < 3; i++) {
        json_t *ri = json_array_get(res, (size_t)i + 1);
        cr_expect_eq(th_int(ri, "id"), 102 + i);
        cr_expect(json_is_false(json_object_get(ri, "ok")));
        json_t *e = json_object_get(ri, "error");
        cr_expect_str_eq(th_str(e, "code"), codes[i]);
        cr_expect(strlen(th_str(e, "message")) > 0);
    }
    th_resp_free(&r);
    /* the refused rows are untouched: no tracking kept, nothing shipped */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM shipments WHERE shipped"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM shipments WHERE tracking_number IS NOT"
                                " NULL"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillments WHERE status = 'shipped'"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillments WHERE id = 1"
                                " AND status = 'shipped'"),
                 1);
    /* a second click: already shipped, refused, nothing sent again */
    int64_t outbox = th_sql_int(&t, "SELECT COUNT(*) FROM outbox");
    r = bulk(fx.staff1, "{\"action\":\"ship\",\"shipments\":[{\"id\":101}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *again = json_array_get(json_object_get(r.json, "results"), 0);
    cr_expect_str_eq(th_str(json_object_get(again, "error"), "code"), "conflict");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox"), outbox);
    /* the shipped one left the list to ship */
    char b[64];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s", S), "104");
}

Test(shipments_search, item3_bulk_request_is_bounded_and_checked_whole)
{
    order(1, 1, "#1001", 7, "G. Hopper", "Springfield");
    const char *B = "/api/v1/shipments/bulk";
    th_expect_error(&t, "POST", B, fx.staff1, "{\"shipments\":[{\"id\":101}]}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", B, fx.staff1, "{\"action\":\"void\",\"shipments\":[{\"id\":101}]}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", B, fx.staff1, "{\"action\":\"ship\",\"shipments\":[]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", B, fx.staff1, "{\"action\":\"ship\",\"shipments\":[101]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", B, fx.staff1,
                    "{\"action\":\"ship\",\"shipments\":[{\"id\":101,\"shipped\":false}]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", B, fx.staff1,
                    "{\"action\":\"ship\",\"shipments\":[{\"id\":\"101\"}]}", 422, "invalid_field");
    /* a bad row anywhere: no row is done */
    th_expect_error(&t, "POST", B, fx.staff1,
                    "{\"action\":\"ship\",\"shipments\":[{\"id\":101},"
                    "{\"id\":102,\"tracking_number\":\"  \"}]}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", B, fx.staff1,
                    "{\"action\":\"ship\",\"shipments\":[{\"id\":101},{\"id\":101}]}", 422,
                    "invalid_field");
    /* at most 100 rows */
    char body[4096];
    size_t n = (size_t)snprintf(body, sizeof(body), "{\"action\":\"ship\",\"shipments\":[");
    for (int i = 0; i < 101; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s{\"id\":%d}", i ? "," : "", 1000 + i);
    snprintf(body + n, sizeof(body) - n, "]}");
    th_expect_error(&t, "POST", B, fx.staff1, body, 422, "invalid_field");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM shipments WHERE shipped"), 0);
}

/* ---- a real channel order: its shipping line is marked so by the pipeline ---- */

static struct th_fake fake;

static void shop_setup(void)
{
    th_shop_start(&t, &fx, &fake);
}

static void shop_teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(shipments_shop, .init = shop_setup, .fini = shop_teardown);

Test(shipments_shop, item3_pipeline_marks_the_shipping_line_which_is_never_packed)
{
    char order[32];
    th_shop_place(&t, &fake,
                  "{\"email\":\"web@example.com\",\"financial_status\":\"paid\","
                  "\"shipping_address\":{\"name\":\"Web Buyer\",\"address1\":\"1 Quay St\","
                  "\"city\":\"Portland\",\"country_code\":\"US\"},"
                  "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":3,"
                  "\"price\":\"20.00\"}],"
                  "\"shipping_lines\":[{\"title\":\"Standard\",\"code\":\"STD\","
                  "\"price\":\"5.00\"}]}",
                  order, sizeof(order));
    /* the sale keeps the charge as a line, marked as shipping */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sale_lines WHERE is_shipping"
                                " AND description = 'Shipping: Standard'"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sale_lines WHERE NOT is_shipping"), 1);
    json_t *page = th_get(&t, t.admin, "/api/v1/shipments?q=web%%20buyer");
    json_t *rows = json_object_get(page, "data");
    cr_assert_eq(json_array_size(rows), 1);
    json_t *lines = json_object_get(json_array_get(rows, 0), "lines");
    cr_assert_eq(json_array_size(lines), 1);
    cr_expect_str_eq(th_str(json_array_get(lines, 0), "sku"), "TEE");
    cr_expect_eq(th_int(json_array_get(rows, 0), "items_count"), 3);
    json_decref(page);
}
