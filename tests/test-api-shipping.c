/*
 * Shipping end to end: the shipping list and its search (SH1), marking
 * shipments shipped and the cascade both ways between shipments and
 * fulfillments, the fulfillment status rule over HTTP (F1, F2),
 * notifications per outlet and per user (N1, N2), outlet scoping, and every
 * kind of bad input.
 *
 * Orders are written with SQL (as the order pipeline or a POS sale with a
 * ship-to would leave them), keeping the invariants `stockbridge check`
 * verifies: each sale's totals add up from its lines.
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
    th_sql_exec(&t, "INSERT INTO channels (id, kind, name, created_at, updated_at)"
                    " VALUES (1, 'shopify', 'Web', '2026-01-01T00:00:00Z',"
                    " '2026-01-01T00:00:00Z')");
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(shipping, .init = setup, .fini = teardown);

/* Ids are offset per table so that a mix-up between them shows in the assertions. */
#define SHIPMENT_ID(sale) ((sale) + 100)
#define LINE_ID(sale, k)  (1000 + (sale)*10 + (k))

/*
 * A web order: sale `sale` at `outlet` with two lines (2 x TEE at 2000, 1 x MUG at 1250),
 * total 5250 unpaid, customer `customer` (0: none), and its shipment.
 */
static void order(int64_t sale, int64_t outlet, const char *number, int64_t customer,
                  const char *ship_name, const char *city, const char *postcode)
{
    char sql[4096], cust[32];
    snprintf(cust, sizeof(cust), customer ? "%lld" : "NULL", (long long)customer);
    snprintf(sql, sizeof(sql),
             "INSERT INTO sales (id, outlet_id, customer_id, status, currency, subtotal,"
             " discount_total, tax_total, adjustment_total, total, paid_total, balance_due,"
             " source, channel_id, external_id, external_number, created_at, updated_at)"
             " VALUES (%1$lld, %2$lld, %3$s, 'open', 'USD', 5250, 0, 0, 0, 5250, 0, 5250,"
             " 'channel', 1, 'ext-%1$lld', '%4$s', '2026-02-%1$02lldT10:00:00Z',"
             " '2026-02-%1$02lldT10:00:00Z');"
             "INSERT INTO sale_lines (id, sale_id, line_no, item_id, sku, description, quantity,"
             " unit_price, line_total, outlet_id) VALUES"
             " (%5$lld, %1$lld, 1, 1, 'TEE', 'T-shirt', 2, 2000, 4000, %2$lld),"
             " (%6$lld, %1$lld, 2, 2, 'MUG', 'Mug', 1, 1250, 1250, %2$lld);"
             "INSERT INTO shipments (id, sale_id, name, line1, city, region, postcode, country,"
             " method, created_at, updated_at) VALUES (%7$lld, %1$lld, '%8$s', '1 Dock Road',"
             " '%9$s', 'CA', '%10$s', 'US', 'Ground', '2026-02-%1$02lldT10:00:00Z',"
             " '2026-02-%1$02lldT10:00:00Z');",
             (long long)sale, (long long)outlet, cust, number, (long long)LINE_ID(sale, 1),
             (long long)LINE_ID(sale, 2), (long long)SHIPMENT_ID(sale), ship_name, city, postcode);
    th_sql_exec(&t, sql);
}

/* A fulfillment of the whole order at `outlet`, in `status`, with its first event and a
 * "fulfillment.new" notification (N1). */
static void fulfillment(int64_t id, int64_t sale, int64_t outlet, const char *kind,
                        const char *status, int split)
{
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "INSERT INTO fulfillments (id, sale_id, outlet_id, kind, status, is_split,"
             " is_backorder, created_at, updated_at) VALUES (%1$lld, %2$lld, %3$lld, '%4$s',"
             " '%5$s', %6$s, false, '2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z');"
             "INSERT INTO fulfillment_lines (fulfillment_id, sale_line_id, quantity,"
             " backorder_quantity) VALUES (%1$lld, %7$lld, 2, 0), (%1$lld, %8$lld, 1, 0);"
             "INSERT INTO fulfillment_events (fulfillment_id, from_status, to_status, user_id,"
             " created_at) VALUES (%1$lld, NULL, 'new', NULL, '2026-02-01T10:00:00Z');"
             "INSERT INTO notifications (outlet_id, kind, title, sale_id, fulfillment_id,"
             " created_at) VALUES (%3$lld, 'fulfillment.new', 'New web order', %2$lld,"
             " %1$lld, '2026-02-01T10:00:00Z');",
             (long long)id, (long long)sale, (long long)outlet, kind, status,
             split ? "true" : "false", (long long)LINE_ID(sale, 1), (long long)LINE_ID(sale, 2));
    th_sql_exec(&t, sql);
}

static struct th_resp req(const char *method, const char *token, const char *body, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));
static struct th_resp req(const char *method, const char *token, const char *body, const char *fmt,
                          ...)
{
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return th_req(&t, method, path, token, body);
}

static json_t *data(json_t *page)
{
    return json_object_get(page, "data");
}

/* The ids of a list page, as "1,2,3", for exact comparisons. */
static const char *ids(json_t *page, char *buf, size_t cap)
{
    size_t n = 0, i;
    json_t *row;
    buf[0] = '\0';
    json_array_foreach(data(page), i, row)
    {
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "",
                              (long long)json_integer_value(json_object_get(row, "id")));
    }
    return buf;
}

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
    ids(page, buf, cap);
    json_decref(page);
    return buf;
}

/* ---- shipments: the list (SH1) ---- */

Test(shipping, sh1_list_shows_unfulfilled_orders_with_details)
{
    th_sql_exec(&t, "INSERT INTO customers (id, first_name, last_name, email, email_norm,"
                    " created_at, updated_at) VALUES (7, 'Grace', 'Hopper', 'g@x.test',"
                    " 'g@x.test', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    order(1, 1, "#1001", 7, "Grace Hopper", "Springfield", "90210");
    fulfillment(11, 1, 1, "shipping", "new", 0);

    json_t *page = th_get(&t, t.admin, "/api/v1/shipments");
    cr_assert_eq(json_array_size(data(page)), 1);
    json_t *s = json_array_get(data(page), 0);
    cr_expect_eq(th_int(s, "id"), SHIPMENT_ID(1));
    cr_expect_eq(th_int(s, "sale_id"), 1);
    cr_expect_str_eq(th_str(s, "order_date"), "2026-02-01T10:00:00Z");
    cr_expect_str_eq(th_str(s, "customer_name"), "Grace Hopper");
    cr_expect_str_eq(th_str(s, "sale_status"), "open");
    cr_expect_str_eq(th_str(s, "external_number"), "#1001");
    cr_expect_eq(th_int(s, "outlet_id"), 1);
    cr_expect_str_eq(th_str(s, "fulfillment_status"), "new");
    cr_expect_str_eq(th_str(s, "name"), "Grace Hopper");
    cr_expect_str_eq(th_str(s, "line1"), "1 Dock Road");
    cr_expect_str_eq(th_str(s, "city"), "Springfield");
    cr_expect_str_eq(th_str(s, "region"), "CA");
    cr_expect_str_eq(th_str(s, "postcode"), "90210");
    cr_expect_str_eq(th_str(s, "country"), "US");
    cr_expect_str_eq(th_str(s, "method"), "Ground");
    cr_expect(json_is_false(json_object_get(s, "shipped")));
    cr_expect(json_is_null(json_object_get(s, "shipped_at")));
    cr_expect(json_is_null(json_object_get(s, "tracking_number")));
    json_t *lines = json_object_get(s, "lines");
    cr_assert_eq(json_array_size(lines), 2);
    cr_expect_str_eq(th_str(json_array_get(lines, 0), "sku"), "TEE");
    cr_expect_str_eq(th_str(json_array_get(lines, 0), "description"), "T-shirt");
    cr_expect_eq(th_int(json_array_get(lines, 0), "quantity"), 2);
    cr_expect_str_eq(th_str(json_array_get(lines, 1), "sku"), "MUG");
    cr_expect_eq(th_int(json_array_get(lines, 1), "quantity"), 1);
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);

    /* GET one answers the same row */
    json_t *one = th_get(&t, fx.staff1, "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_expect_str_eq(th_str(one, "customer_name"), "Grace Hopper");
    cr_expect_eq(json_array_size(json_object_get(one, "lines")), 2);
    json_decref(one);
}

Test(shipping, sh1_customer_name_falls_back_to_ship_to_name)
{
    /* C5: an order without a customer keeps its ship-to name */
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    json_t *one = th_get(&t, t.admin, "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_expect_str_eq(th_str(one, "customer_name"), "Ada Lovelace");
    cr_expect(json_is_null(json_object_get(one, "fulfillment_status")),
              "no fulfillment: no status");
    json_decref(one);
}

Test(shipping, sh1_search_by_name_number_city_postcode)
{
    th_sql_exec(&t, "INSERT INTO customers (id, first_name, last_name, created_at, updated_at)"
                    " VALUES (7, 'Grace', 'Hopper', '2026-01-01T00:00:00Z',"
                    " '2026-01-01T00:00:00Z')");
    order(1, 1, "#1001", 7, "G. Hopper", "Springfield", "90210");
    order(2, 1, "#1002", 0, "Ada Lovelace", "London", "N1 9GU");
    order(3, 2, "W-77", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    char b[128];
    const char *S = "/api/v1/shipments";
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s", S), "103,102,101");
    /* customer name: ship-to name, customer first/last and full name, any case */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=lovelace", S), "102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=GRACE", S), "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=grace%%20hopper", S), "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=turing", S), "103");
    /* order number: the channel's number, or the sale id exactly */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=1002", S), "102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=w-77", S), "103");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=3", S), "103");
    /* address: city, postcode, region, country */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=springf", S), "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=n1%%209gu", S), "102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=sk9", S), "103");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=dock", S), "103,102,101");
    /* LIKE wildcards in the search are taken literally */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=%%25", S), "");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=_", S), "");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=nobody", S), "");
    /* an empty q is no filter */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?q=", S), "103,102,101");
    /* scoped by the sale's outlet: staff1 (outlet 1) never sees outlet 2's order */
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s?q=turing", S), "");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s", S), "102,101");
    cr_expect_str_eq(list_ids(fx.staff2, b, sizeof(b), "%s", S), "103");
}

Test(shipping, sh1_list_is_paginated)
{
    /* newest first (T2); after is the id of the last row of the page before */
    for (int i = 1; i <= 5; i++)
        order(i, 1, "#1", 0, "Buyer", "Town", "1000");
    char b[128];
    json_t *page = th_get(&t, t.admin, "/api/v1/shipments?limit=2");
    cr_expect_str_eq(ids(page, b, sizeof(b)), "105,104");
    cr_expect_eq(th_int(page, "next_after"), 104);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/shipments?limit=2&after=104");
    cr_expect_str_eq(ids(page, b, sizeof(b)), "103,102");
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/shipments?limit=2&after=102");
    cr_expect_str_eq(ids(page, b, sizeof(b)), "101");
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);
}

Test(shipping, sh1_marking_shipped_moves_it_to_the_shipped_list)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    order(2, 1, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    fulfillment(11, 1, 1, "shipping", "packed", 0);
    fulfillment(21, 2, 1, "shipping", "new", 0);

    struct th_resp r = req("PATCH", fx.staff1,
                           "{\"shipped\":true,\"tracking_number\":\"1Z999\",\"carrier\":\"UPS\"}",
                           "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_true(json_object_get(r.json, "shipped")));
    cr_expect(json_is_string(json_object_get(r.json, "shipped_at")));
    cr_expect_str_eq(th_str(r.json, "tracking_number"), "1Z999");
    cr_expect_str_eq(th_str(r.json, "carrier"), "UPS");
    cr_expect_str_eq(th_str(r.json, "fulfillment_status"), "shipped");
    th_resp_free(&r);

    char b[128];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments"), "102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?shipped=false"), "102");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?shipped=true"), "101");
    /* shipped orders can be searched (SH1) */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?shipped=true&q=london"),
                     "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?shipped=true&q=turing"),
                     "");

    /* the cascade: the packed fulfillment became shipped, with an event by staff1 */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillments WHERE id = 11"
                                " AND status = 'shipped'"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillment_events e JOIN users u"
                                " ON u.id = e.user_id WHERE e.fulfillment_id = 11"
                                " AND e.from_status = 'packed' AND e.to_status = 'shipped'"
                                " AND u.username = 'staff1'"),
                 1);
    /* the other order is untouched */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillments WHERE id = 21"
                                " AND status = 'new'"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillment_events"
                                " WHERE fulfillment_id = 21"),
                 1);
}

Test(shipping, patch_cascades_to_every_open_shipping_fulfillment)
{
    /* a split order (A3): packed at outlet 1, new at outlet 2; a third, already
     * cancelled, stays cancelled */
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "packed", 1);
    fulfillment(12, 1, 2, "shipping", "new", 1);
    json_t *before = th_get(&t, t.admin, "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_expect_str_eq(th_str(before, "fulfillment_status"), "split");
    json_decref(before);
    th_sql_exec(&t, "INSERT INTO outlets (id, name, currency, created_at, updated_at) VALUES"
                    " (3, 'Harbour', 'USD', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    fulfillment(13, 1, 3, "shipping", "cancelled", 1);

    struct th_resp r =
        req("PATCH", fx.manager, "{\"shipped\":true}", "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_true(json_object_get(r.json, "shipped")));
    /* cancelled and shipped differ: the order still shows as split */
    cr_expect_str_eq(th_str(r.json, "fulfillment_status"), "split");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillments WHERE sale_id = 1"
                                " AND status = 'shipped'"),
                 2);
    cr_expect_eq(th_sql_int(&t, "SELECT status = 'cancelled' FROM fulfillments WHERE id = 13"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillment_events WHERE to_status ="
                                " 'shipped' AND fulfillment_id IN (11, 12)"),
                 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillment_events"
                                " WHERE fulfillment_id = 13"),
                 1);
}

Test(shipping, shipped_is_final_and_shipping_twice_changes_nothing)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "new", 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%d", SHIPMENT_ID(1));
    struct th_resp r = th_req(&t, "PATCH", path, t.admin, "{\"shipped\":true}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    char shipped_at[32];
    snprintf(shipped_at, sizeof(shipped_at), "%s", th_str(r.json, "shipped_at"));
    th_resp_free(&r);

    /* F2: shipped is final */
    th_expect_error(&t, "PATCH", path, t.admin, "{\"shipped\":false}", 409, "conflict");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"shipped\":false,\"note\":\"x\"}", 409,
                    "conflict");

    /* shipping again is a no-op for the flag; the tracking number may still be added */
    r = th_req(&t, "PATCH", path, t.admin, "{\"shipped\":true,\"tracking_number\":\"T1\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "shipped_at"), shipped_at);
    cr_expect_str_eq(th_str(r.json, "tracking_number"), "T1");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillment_events"
                                " WHERE fulfillment_id = 11"),
                 2);
}

Test(shipping, patch_edits_ship_to_fields_and_clears_with_null)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    struct th_resp r = req("PATCH", fx.staff1,
                           "{\"name\":\"Ada King\",\"company\":\"Analytical Ltd\","
                           "\"line2\":\"Flat 2\",\"city\":\"Leeds\",\"postcode\":\"LS1 1AA\","
                           "\"phone\":\"0113\",\"email\":\"ada@x.test\",\"method\":\"Express\","
                           "\"note\":\"leave at door\",\"region\":null}",
                           "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "name"), "Ada King");
    cr_expect_str_eq(th_str(r.json, "company"), "Analytical Ltd");
    cr_expect_str_eq(th_str(r.json, "line1"), "1 Dock Road");
    cr_expect_str_eq(th_str(r.json, "line2"), "Flat 2");
    cr_expect_str_eq(th_str(r.json, "city"), "Leeds");
    cr_expect_str_eq(th_str(r.json, "postcode"), "LS1 1AA");
    cr_expect_str_eq(th_str(r.json, "phone"), "0113");
    cr_expect_str_eq(th_str(r.json, "email"), "ada@x.test");
    cr_expect_str_eq(th_str(r.json, "method"), "Express");
    cr_expect_str_eq(th_str(r.json, "note"), "leave at door");
    cr_expect(json_is_null(json_object_get(r.json, "region")));
    cr_expect(json_is_false(json_object_get(r.json, "shipped")));
    th_resp_free(&r);
}

/* ---- what cannot ship: F3 (cancelled, voided), SH2 (pickups) ---- */

/* The outbox rows of kind fulfillment: what the channel would be told was shipped. */
static int64_t fulfillment_calls(void)
{
    return th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'fulfillment'");
}

Test(shipping, f3_voided_sale_cannot_be_shipped_and_leaves_the_list)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "cancelled", 0);
    th_sql_exec(&t, "UPDATE sales SET status = 'voided', voided_at = '2026-02-02T00:00:00Z'"
                    " WHERE id = 1");
    /* a voided sale whose fulfillment was left open (as a crash between the two could) */
    order(2, 1, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    fulfillment(21, 2, 1, "shipping", "packed", 0);
    th_sql_exec(&t, "UPDATE sales SET status = 'voided', voided_at = '2026-02-02T00:00:00Z'"
                    " WHERE id = 2");
    char b[64];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments"), "");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?shipped=true"), "");
    char path[64];
    for (int sale = 1; sale <= 2; sale++) {
        snprintf(path, sizeof(path), "/api/v1/shipments/%d", SHIPMENT_ID(sale));
        th_expect_error(&t, "PATCH", path, t.admin, "{\"shipped\":true}", 409, "sale_voided");
        th_expect_error(&t, "PATCH", path, t.admin,
                        "{\"shipped\":true,\"tracking_number\":\"1Z1\"}", 409, "sale_voided");
        json_t *one = th_get(&t, t.admin, "%s", path);
        cr_expect_str_eq(th_str(one, "sale_status"), "voided");
        cr_expect(json_is_false(json_object_get(one, "can_ship")));
        json_decref(one);
    }
    /* nor by its fulfillment: only cancelling it is left */
    th_expect_error(&t, "POST", "/api/v1/fulfillments/21/status", fx.staff1,
                    "{\"status\":\"shipped\"}", 409, "sale_voided");
    th_expect_error(&t, "POST", "/api/v1/fulfillments/11/status", fx.staff1,
                    "{\"status\":\"shipped\"}", 409, "fulfillment_cancelled");
    struct th_resp r =
        req("POST", fx.staff1, "{\"status\":\"cancelled\"}", "/api/v1/fulfillments/21/status");
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(fulfillment_calls(), 0);
}

/* The defect: Fulfillments -> Cancelled, then Shipping still offered "Mark shipped", and
 * shipping it told the webstore (an outbox row). */
Test(shipping, f3_cancelled_fulfillment_is_not_shipped_by_any_route)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "in_progress", 0);
    char b[64];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments"), "101");
    json_t *one = th_get(&t, t.admin, "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_expect(json_is_true(json_object_get(one, "can_ship")));
    json_decref(one);

    struct th_resp r =
        req("POST", fx.staff1, "{\"status\":\"cancelled\"}", "/api/v1/fulfillments/11/status");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);

    /* off the list to ship (and not shipped either) */
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/shipments"), "");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/shipments?q=lovelace"), "");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/shipments?shipped=true"), "");
    one = th_get(&t, fx.staff1, "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_expect(json_is_false(json_object_get(one, "can_ship")));
    cr_expect_str_eq(th_str(one, "fulfillment_status"), "cancelled");
    json_decref(one);

    /* every route refuses, and nothing is written (th_expect_error checks) */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%d", SHIPMENT_ID(1));
    th_expect_error(&t, "PATCH", path, fx.staff1,
                    "{\"shipped\":true,\"tracking_number\":\"1Z999\",\"carrier\":\"UPS\"}", 409,
                    "fulfillment_cancelled");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"shipped\":true}", 409, "fulfillment_cancelled");
    const char *P = "/api/v1/fulfillments/11/status";
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":\"shipped\"}", 409,
                    "fulfillment_cancelled");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":\"packed\"}", 409,
                    "fulfillment_cancelled");
    r = req("PATCH", fx.staff1, "{\"shipped\":true}", "%s", path);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), "shipped");
    th_resp_free(&r);
    /* the ship-to details may still be corrected */
    r = req("PATCH", fx.staff1, "{\"note\":\"customer cancelled\"}", "%s", path);
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_false(json_object_get(r.json, "shipped")));
    th_resp_free(&r);
    cr_expect_eq(fulfillment_calls(), 0, "the channel is told nothing");
}

/* F3 per part: a split order with one part cancelled still ships the other. */
Test(shipping, f3_split_order_ships_the_part_not_cancelled)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "cancelled", 1);
    fulfillment(12, 1, 2, "shipping", "packed", 1);
    char b[64];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments"), "101");
    json_t *one = th_get(&t, t.admin, "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_expect(json_is_true(json_object_get(one, "can_ship")));
    cr_expect_str_eq(th_str(one, "fulfillment_status"), "split");
    json_t *ffs = json_object_get(one, "fulfillments");
    cr_assert_eq(json_array_size(ffs), 2);
    cr_expect_str_eq(th_str(json_array_get(ffs, 0), "status"), "cancelled");
    cr_expect_str_eq(th_str(json_array_get(ffs, 1), "status"), "packed");
    json_decref(one);
    struct th_resp r = req("PATCH", t.admin, "{\"shipped\":true,\"tracking_number\":\"1Z2\"}",
                           "/api/v1/shipments/%d", SHIPMENT_ID(1));
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillments WHERE sale_id = 1"
                                " AND ((id = 11 AND status = 'cancelled')"
                                " OR (id = 12 AND status = 'shipped'))"),
                 2);
    cr_expect_eq(fulfillment_calls(), 1);
}

/* SH2: a pickup is not on the shipping list and is not shipped; it has its own list
 * (?kind=pickup&open=true) and flow: packed = ready for pickup, then picked up, with no
 * tracking number and nothing sent as a shipment. */
Test(shipping, sh2_pickups_have_their_own_list_and_flow)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    order(2, 1, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    order(3, 2, "#1003", 0, "Grace Hopper", "Arlington", "22201");
    fulfillment(11, 1, 1, "shipping", "new", 0);
    fulfillment(21, 2, 1, "pickup", "new", 0);
    fulfillment(31, 3, 2, "pickup", "in_progress", 0);
    th_sql_exec(&t, "UPDATE shipments SET phone = '555-0100' WHERE sale_id = 2");
    char b[64];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments"), "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?q=turing"), "");
    json_t *one = th_get(&t, t.admin, "/api/v1/shipments/%d", SHIPMENT_ID(2));
    cr_expect(json_is_false(json_object_get(one, "can_ship")));
    json_decref(one);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%d", SHIPMENT_ID(2));
    th_expect_error(&t, "PATCH", path, fx.staff1, "{\"shipped\":true}", 409, "invalid_transition");

    const char *L = "/api/v1/fulfillments?kind=pickup&open=true";
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s", L), "21,31");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s", L), "21");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s&status=in_progress", L), "31");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/fulfillments?kind=shipping"), "11");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/fulfillments?open=false"), "");
    json_t *page = th_get(&t, fx.staff1, "%s", L);
    json_t *p = json_array_get(data(page), 0);
    cr_expect_str_eq(th_str(p, "customer_name"), "Alan Turing");
    cr_expect_str_eq(th_str(p, "phone"), "555-0100");
    cr_expect_str_eq(th_str(p, "kind"), "pickup");
    json_decref(page);

    /* ready for pickup, then picked up */
    struct th_resp r =
        req("POST", fx.staff1, "{\"status\":\"packed\"}", "/api/v1/fulfillments/21/status");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s&status=packed", L), "21");
    r = req("POST", fx.staff1, "{\"status\":\"picked_up\"}", "/api/v1/fulfillments/21/status");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "status"), "picked_up");
    th_resp_free(&r);
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s", L), "");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/fulfillments?kind=pickup&open=false"),
                     "21");
    /* still not on either shipping list, and nothing for the channel to ship */
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments"), "101");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?shipped=true"), "");
    cr_expect_eq(fulfillment_calls(), 0);

    th_expect_error(&t, "GET", "/api/v1/fulfillments?kind=parcel", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?kind=", t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?open=yes", t.admin, NULL, 400,
                    "invalid_query");
}

/* A tracking number of spaces shipped the order and the webstore got tracking_number ''.
 * A blank one (after trimming) is refused; what is kept and sent is trimmed (S3). */
Test(shipping, s3_blank_tracking_is_refused_and_tracking_is_trimmed)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "new", 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%d", SHIPMENT_ID(1));
    const char *blank[] = {
        "{\"shipped\":true,\"tracking_number\":\"   \"}",
        "{\"shipped\":true,\"tracking_number\":\"\"}",
        "{\"shipped\":true,\"tracking_number\":\" \\t\\n \"}",
        "{\"tracking_number\":\"  \"}",
    };
    for (size_t i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
        th_expect_error(&t, "PATCH", path, fx.staff1, blank[i], 422, "invalid_field");
        struct th_resp r = th_req(&t, "PATCH", path, fx.staff1, blank[i]);
        cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), "tracking_number", "%s",
                         blank[i]);
        th_resp_free(&r);
    }
    th_expect_error(&t, "PATCH", path, fx.staff1,
                    "{\"shipped\":true,\"tracking_number\":\"1Z9\",\"carrier\":\"  \"}", 422,
                    "invalid_field");
    cr_expect_eq(th_sql_int(&t, "SELECT shipped FROM shipments WHERE sale_id = 1"), 0);

    struct th_resp r = th_req(&t, "PATCH", path, fx.staff1,
                              "{\"shipped\":true,\"tracking_number\":\"  1Z999AA1 \\t\","
                              "\"carrier\":\" UPS \"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "tracking_number"), "1Z999AA1");
    cr_expect_str_eq(th_str(r.json, "carrier"), "UPS");
    th_resp_free(&r);
    cr_expect_eq(fulfillment_calls(), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'fulfillment'"
                                " AND payload = '{\"tracking_number\":\"1Z999AA1\","
                                "\"tracking_company\":\"UPS\"}'"),
                 1);
    /* null still clears it */
    r = th_req(&t, "PATCH", path, fx.staff1, "{\"carrier\":null}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_null(json_object_get(r.json, "carrier")));
    th_resp_free(&r);
}

Test(shipping, shipments_are_scoped_by_the_sales_outlet)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%d", SHIPMENT_ID(1));
    th_expect_error(&t, "GET", path, fx.staff2, NULL, 404, "not_found");
    th_expect_error(&t, "PATCH", path, fx.staff2, "{\"shipped\":true}", 404, "not_found");
    json_t *one = th_get(&t, fx.manager, "%s", path);
    json_decref(one);
}

Test(shipping, shipments_bad_input)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%d", SHIPMENT_ID(1));
    const char *L = "/api/v1/shipments";
    th_expect_error(&t, "GET", "/api/v1/shipments?shipped=maybe", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/shipments?shipped=1", t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/shipments?limit=0", t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/shipments?after=x", t.admin, NULL, 400, "invalid_query");
    char longq[300] = "/api/v1/shipments?q=";
    memset(longq + strlen(longq), 'a', 201);
    th_expect_error(&t, "GET", longq, t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", L, NULL, NULL, 401, "unauthorized");
    th_expect_error(&t, "GET", L, "sb_wrong", NULL, 401, "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/shipments/999", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/shipments/abc", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "PATCH", "/api/v1/shipments/999", t.admin, "{\"shipped\":true}", 404,
                    "not_found");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"shipped\":", 400, "invalid_json");
    th_expect_error(&t, "PATCH", path, t.admin, "[]", 400, "invalid_json");
    th_expect_error(&t, "PATCH", path, t.admin, NULL, 400, "invalid_json");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"shipped\":\"yes\"}", 422, "invalid_field");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"shipped\":1}", 422, "invalid_field");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"tracking_number\":5}", 422, "invalid_field");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"city\":[]}", 422, "invalid_field");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"sale_id\":2}", 422, "invalid_field");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"colour\":\"red\"}", 422, "invalid_field");
    th_expect_error(&t, "PATCH", path, NULL, "{\"shipped\":true}", 401, "unauthorized");
    th_expect_error(&t, "POST", L, t.admin, "{}", 405, "method_not_allowed");
    th_expect_error(&t, "DELETE", path, t.admin, NULL, 405, "method_not_allowed");
}

/* ---- fulfillments (F1, F2) ---- */

Test(shipping, f2_status_walk_records_every_event)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "new", 0);
    const char *steps[] = { "in_progress", "packed", "shipped" };
    for (int i = 0; i < 3; i++) {
        char body[64];
        snprintf(body, sizeof(body), "{\"status\":\"%s\"}", steps[i]);
        struct th_resp r = req("POST", fx.staff1, body, "/api/v1/fulfillments/11/status");
        cr_assert_eq(r.status, 200, "%s: %s", steps[i], r.body);
        cr_expect_str_eq(th_str(r.json, "status"), steps[i]);
        cr_expect_eq(json_array_size(json_object_get(r.json, "events")), (size_t)i + 2);
        th_resp_free(&r);
    }
    json_t *f = th_get(&t, fx.staff1, "/api/v1/fulfillments/11");
    json_t *ev = json_object_get(f, "events");
    cr_assert_eq(json_array_size(ev), 4);
    cr_expect(json_is_null(json_object_get(json_array_get(ev, 0), "from_status")));
    cr_expect_str_eq(th_str(json_array_get(ev, 0), "to_status"), "new");
    const char *from[] = { "new", "in_progress", "packed" };
    for (int i = 0; i < 3; i++) {
        json_t *e = json_array_get(ev, (size_t)i + 1);
        cr_expect_str_eq(th_str(e, "from_status"), from[i]);
        cr_expect_str_eq(th_str(e, "to_status"), steps[i]);
        cr_expect_str_eq(th_str(e, "username"), "staff1");
        cr_expect(json_is_string(json_object_get(e, "created_at")));
    }
    /* the last shipping fulfillment shipped: the shipment is shipped too */
    json_t *sh = json_object_get(f, "shipment");
    cr_expect_eq(th_int(sh, "id"), SHIPMENT_ID(1));
    cr_expect(json_is_true(json_object_get(sh, "shipped")));
    cr_expect(json_is_string(json_object_get(sh, "shipped_at")));
    json_decref(f);
    char b[64];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments"), "");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/shipments?shipped=true"), "101");
}

Test(shipping, f2_skipping_forward_and_cancelling_are_allowed)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    order(2, 1, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    order(3, 1, "#1003", 0, "Grace Hopper", "Arlington", "22201");
    fulfillment(11, 1, 1, "shipping", "new", 0);
    fulfillment(21, 2, 1, "pickup", "in_progress", 0);
    fulfillment(31, 3, 1, "shipping", "packed", 0);
    struct th_resp r =
        req("POST", fx.staff1, "{\"status\":\"shipped\"}", "/api/v1/fulfillments/11/status");
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = req("POST", fx.staff1, "{\"status\":\"picked_up\"}", "/api/v1/fulfillments/21/status");
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "status"), "picked_up");
    cr_expect_str_eq(th_str(r.json, "kind"), "pickup");
    th_resp_free(&r);
    r = req("POST", fx.staff1, "{\"status\":\"cancelled\"}", "/api/v1/fulfillments/31/status");
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "status"), "cancelled");
    th_resp_free(&r);
    /* a pickup does not ship the sale's shipment; a cancelled one alone does not either */
    cr_expect_eq(th_sql_int(&t, "SELECT shipped FROM shipments WHERE sale_id = 2"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT shipped FROM shipments WHERE sale_id = 3"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT shipped FROM shipments WHERE sale_id = 1"), 1);
}

Test(shipping, f2_illegal_transitions_are_409_and_change_nothing)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    order(2, 1, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    order(3, 1, "#1003", 0, "Grace Hopper", "Arlington", "22201");
    order(4, 1, "#1004", 0, "Edsger Dijkstra", "Austin", "78701");
    fulfillment(11, 1, 1, "shipping", "packed", 0);
    fulfillment(21, 2, 1, "shipping", "shipped", 0);
    fulfillment(31, 3, 1, "pickup", "new", 0);
    fulfillment(41, 4, 1, "shipping", "cancelled", 0);
    const char *P1 = "/api/v1/fulfillments/11/status", *P2 = "/api/v1/fulfillments/21/status",
               *P3 = "/api/v1/fulfillments/31/status", *P4 = "/api/v1/fulfillments/41/status";
    /* backwards */
    th_expect_error(&t, "POST", P1, fx.staff1, "{\"status\":\"new\"}", 409, "invalid_transition");
    th_expect_error(&t, "POST", P1, fx.staff1, "{\"status\":\"in_progress\"}", 409,
                    "invalid_transition");
    /* to the current status */
    th_expect_error(&t, "POST", P1, fx.staff1, "{\"status\":\"packed\"}", 409,
                    "invalid_transition");
    /* the wrong completion for the kind */
    th_expect_error(&t, "POST", P1, fx.staff1, "{\"status\":\"picked_up\"}", 409,
                    "invalid_transition");
    th_expect_error(&t, "POST", P3, fx.staff1, "{\"status\":\"shipped\"}", 409,
                    "invalid_transition");
    /* out of a final status; a cancelled one says so (F3) */
    th_expect_error(&t, "POST", P2, fx.staff1, "{\"status\":\"cancelled\"}", 409,
                    "invalid_transition");
    th_expect_error(&t, "POST", P2, fx.staff1, "{\"status\":\"packed\"}", 409,
                    "invalid_transition");
    th_expect_error(&t, "POST", P2, fx.staff1, "{\"status\":\"shipped\"}", 409,
                    "invalid_transition");
    th_expect_error(&t, "POST", P4, fx.staff1, "{\"status\":\"new\"}", 409,
                    "fulfillment_cancelled");
    th_expect_error(&t, "POST", P4, fx.staff1, "{\"status\":\"shipped\"}", 409,
                    "fulfillment_cancelled");
}

Test(shipping, f2_fulfillments_cascade_to_the_shipment)
{
    /* split across two outlets: the shipment ships when the last open one ships */
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "shipping", "new", 1);
    fulfillment(12, 1, 2, "shipping", "new", 1);
    struct th_resp r =
        req("POST", fx.manager, "{\"status\":\"shipped\"}", "/api/v1/fulfillments/11/status");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_false(json_object_get(json_object_get(r.json, "shipment"), "shipped")));
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT shipped FROM shipments WHERE sale_id = 1"), 0);
    r = req("POST", fx.manager, "{\"status\":\"shipped\"}", "/api/v1/fulfillments/12/status");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_true(json_object_get(json_object_get(r.json, "shipment"), "shipped")));
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM shipments WHERE sale_id = 1"
                                " AND shipped AND shipped_at IS NOT NULL"),
                 1);

    /* one shipped, the other cancelled: the shipment is complete when the last closes */
    order(2, 1, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    fulfillment(21, 2, 1, "shipping", "shipped", 1);
    fulfillment(22, 2, 2, "shipping", "packed", 1);
    r = req("POST", fx.manager, "{\"status\":\"cancelled\"}", "/api/v1/fulfillments/22/status");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT shipped FROM shipments WHERE sale_id = 2"), 1);

    /* every one cancelled: nothing was shipped, so neither is the shipment */
    order(3, 1, "#1003", 0, "Grace Hopper", "Arlington", "22201");
    fulfillment(31, 3, 1, "shipping", "new", 0);
    r = req("POST", fx.manager, "{\"status\":\"cancelled\"}", "/api/v1/fulfillments/31/status");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT shipped FROM shipments WHERE sale_id = 3"), 0);
}

Test(shipping, f1_fulfillment_detail_and_list)
{
    th_sql_exec(&t, "INSERT INTO customers (id, first_name, last_name, created_at, updated_at)"
                    " VALUES (7, 'Grace', 'Hopper', '2026-01-01T00:00:00Z',"
                    " '2026-01-01T00:00:00Z')");
    order(1, 1, "#1001", 7, "G. Hopper", "Arlington", "22201");
    order(2, 2, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    fulfillment(11, 1, 1, "shipping", "new", 1);
    fulfillment(12, 1, 2, "shipping", "packed", 1);
    fulfillment(21, 2, 2, "pickup", "new", 0);

    json_t *f = th_get(&t, fx.staff1, "/api/v1/fulfillments/11");
    cr_expect_eq(th_int(f, "id"), 11);
    cr_expect_eq(th_int(f, "sale_id"), 1);
    cr_expect_eq(th_int(f, "outlet_id"), 1);
    cr_expect_str_eq(th_str(f, "kind"), "shipping");
    cr_expect_str_eq(th_str(f, "status"), "new");
    cr_expect(json_is_true(json_object_get(f, "is_split")));
    cr_expect(json_is_false(json_object_get(f, "is_backorder")));
    cr_expect_str_eq(th_str(f, "external_number"), "#1001");
    cr_expect_str_eq(th_str(f, "customer_name"), "Grace Hopper");
    cr_expect_str_eq(th_str(f, "sale_status"), "open");
    cr_expect_str_eq(th_str(f, "order_date"), "2026-02-01T10:00:00Z");
    json_t *lines = json_object_get(f, "lines");
    cr_assert_eq(json_array_size(lines), 2);
    cr_expect_eq(th_int(json_array_get(lines, 0), "sale_line_id"), LINE_ID(1, 1));
    cr_expect_eq(th_int(json_array_get(lines, 0), "quantity"), 2);
    cr_expect_eq(th_int(json_array_get(lines, 0), "backorder_quantity"), 0);
    cr_expect_str_eq(th_str(json_array_get(lines, 0), "sku"), "TEE");
    cr_expect_str_eq(th_str(json_array_get(lines, 0), "description"), "T-shirt");
    cr_expect_str_eq(th_str(json_array_get(lines, 1), "sku"), "MUG");
    cr_expect_eq(json_array_size(json_object_get(f, "events")), 1);
    cr_expect_eq(th_int(json_object_get(f, "shipment"), "id"), SHIPMENT_ID(1));
    json_decref(f);

    char b[128];
    const char *F = "/api/v1/fulfillments";
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s", F), "11,12,21");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=new", F), "11,21");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=packed", F), "12");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?status=shipped", F), "");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?outlet_id=2", F), "12,21");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?outlet_id=2&status=new", F), "21");
    cr_expect_str_eq(list_ids(fx.manager, b, sizeof(b), "%s?outlet_id=1", F), "11");
    /* scoped by the fulfillment's own outlet */
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s", F), "11");
    cr_expect_str_eq(list_ids(fx.staff2, b, sizeof(b), "%s", F), "12,21");
    json_t *page = th_get(&t, t.admin, "%s?limit=2", F);
    cr_expect_str_eq(ids(page, b, sizeof(b)), "11,12");
    cr_expect_eq(th_int(page, "next_after"), 12);
    cr_expect_eq(json_array_size(json_object_get(json_array_get(data(page), 0), "lines")), 2);
    json_decref(page);
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s?limit=2&after=12", F), "21");
}

Test(shipping, fulfillments_scoping_and_bad_input)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    order(2, 2, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    fulfillment(11, 1, 1, "shipping", "new", 0);
    fulfillment(21, 2, 2, "shipping", "new", 0);
    const char *P = "/api/v1/fulfillments/11/status";
    /* another outlet's fulfillment does not exist for staff1 */
    th_expect_error(&t, "GET", "/api/v1/fulfillments/21", fx.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/fulfillments/21/status", fx.staff1,
                    "{\"status\":\"packed\"}", 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?outlet_id=2", fx.staff1, NULL, 403,
                    "outlet_forbidden");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?outlet_id=99", fx.staff1, NULL, 403,
                    "outlet_forbidden");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?outlet_id=x", fx.staff1, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?outlet_id=0", fx.staff1, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?status=done", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?status=", t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/fulfillments?limit=501", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/fulfillments/999", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/fulfillments/-1", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/fulfillments/999/status", t.admin,
                    "{\"status\":\"packed\"}", 404, "not_found");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":", 400, "invalid_json");
    th_expect_error(&t, "POST", P, fx.staff1, "\"packed\"", 400, "invalid_json");
    th_expect_error(&t, "POST", P, fx.staff1, NULL, 400, "invalid_json");
    th_expect_error(&t, "POST", P, fx.staff1, "{}", 422, "missing_field");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":null}", 422, "missing_field");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":\"done\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":\"Packed\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":3}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":\"\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, fx.staff1, "{\"status\":\"packed\",\"by\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, NULL, "{\"status\":\"packed\"}", 401, "unauthorized");
    th_expect_error(&t, "POST", P, "sb_wrong", "{\"status\":\"packed\"}", 401, "unauthorized");
    th_expect_error(&t, "GET", P, t.admin, NULL, 405, "method_not_allowed");
    th_expect_error(&t, "POST", "/api/v1/fulfillments", t.admin, "{}", 405, "method_not_allowed");
}

/* ---- notifications (N1, N2) ---- */

/* Orders 1 and 2 at outlet 1, order 3 at outlet 2: notifications 1, 2 (outlet 1), 3 (2). */
static void three_notifications(void)
{
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    order(2, 1, "#1002", 0, "Alan Turing", "Wilmslow", "SK9 1AA");
    order(3, 2, "#1003", 0, "Grace Hopper", "Arlington", "22201");
    fulfillment(11, 1, 1, "shipping", "new", 0);
    fulfillment(21, 2, 1, "shipping", "new", 0);
    fulfillment(31, 3, 2, "shipping", "new", 0);
}

Test(shipping, n2_users_see_only_their_outlets_notifications)
{
    three_notifications();
    char b[64];
    const char *N = "/api/v1/notifications";
    /* newest first */
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "%s", N), "2,1");
    cr_expect_str_eq(list_ids(fx.staff2, b, sizeof(b), "%s", N), "3");
    cr_expect_str_eq(list_ids(fx.manager, b, sizeof(b), "%s", N), "3,2,1");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "%s", N), "3,2,1");

    json_t *page = th_get(&t, fx.staff1, "%s", N);
    cr_expect_eq(th_int(page, "unread_count"), 2);
    json_t *n = json_array_get(data(page), 0);
    cr_expect_eq(th_int(n, "outlet_id"), 1);
    cr_expect_str_eq(th_str(n, "kind"), "fulfillment.new");
    cr_expect_str_eq(th_str(n, "title"), "New web order");
    cr_expect_eq(th_int(n, "sale_id"), 2);
    cr_expect_eq(th_int(n, "fulfillment_id"), 21);
    cr_expect(json_is_null(json_object_get(n, "item_id")));
    cr_expect(json_is_null(json_object_get(n, "body")));
    cr_expect(json_is_false(json_object_get(n, "read")));
    cr_expect(json_is_null(json_object_get(n, "read_at")));
    json_decref(page);
    page = th_get(&t, fx.staff2, "%s", N);
    cr_expect_eq(th_int(page, "unread_count"), 1);
    json_decref(page);

    /* another outlet's notification does not exist for staff2 */
    th_expect_error(&t, "POST", "/api/v1/notifications/1/read", fx.staff2, NULL, 404, "not_found");
}

Test(shipping, notifications_read_is_per_user_and_idempotent)
{
    three_notifications();
    struct th_resp r = req("POST", fx.staff1, NULL, "/api/v1/notifications/1/read");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "id"), 1);
    cr_expect(json_is_true(json_object_get(r.json, "read")));
    char read_at[32];
    snprintf(read_at, sizeof(read_at), "%s", th_str(r.json, "read_at"));
    th_resp_free(&r);

    /* again: same answer, same first read time, one row */
    r = req("POST", fx.staff1, NULL, "/api/v1/notifications/1/read");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_true(json_object_get(r.json, "read")));
    cr_expect_str_eq(th_str(r.json, "read_at"), read_at);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM notification_reads"), 1);

    json_t *page = th_get(&t, fx.staff1, "/api/v1/notifications");
    cr_expect_eq(th_int(page, "unread_count"), 1);
    cr_expect(json_is_false(json_object_get(json_array_get(data(page), 0), "read")));
    cr_expect(json_is_true(json_object_get(json_array_get(data(page), 1), "read")));
    json_decref(page);
    char b[64];
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/notifications?unread=true"), "2");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/notifications?unread=false"),
                     "2,1");
    /* the manager has read nothing */
    page = th_get(&t, fx.manager, "/api/v1/notifications");
    cr_expect_eq(th_int(page, "unread_count"), 3);
    json_decref(page);
    cr_expect_str_eq(list_ids(fx.manager, b, sizeof(b), "/api/v1/notifications?unread=true"),
                     "3,2,1");
}

Test(shipping, notifications_read_all_marks_only_what_the_user_sees)
{
    three_notifications();
    struct th_resp r = req("POST", fx.staff1, NULL, "/api/v1/notifications/1/read");
    th_resp_free(&r);
    r = req("POST", fx.staff1, NULL, "/api/v1/notifications/read-all");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "marked"), 1);
    th_resp_free(&r);
    r = req("POST", fx.staff1, NULL, "/api/v1/notifications/read-all");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "marked"), 0);
    th_resp_free(&r);
    json_t *page = th_get(&t, fx.staff1, "/api/v1/notifications");
    cr_expect_eq(th_int(page, "unread_count"), 0);
    json_decref(page);
    /* outlet 2's notification is still unread for everyone */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM notification_reads"
                                " WHERE notification_id = 3"),
                 0);
    page = th_get(&t, fx.staff2, "/api/v1/notifications");
    cr_expect_eq(th_int(page, "unread_count"), 1);
    json_decref(page);
    r = req("POST", fx.manager, NULL, "/api/v1/notifications/read-all");
    cr_expect_eq(th_int(r.json, "marked"), 3);
    th_resp_free(&r);
}

Test(shipping, notifications_page_downwards)
{
    three_notifications();
    char b[64];
    json_t *page = th_get(&t, t.admin, "/api/v1/notifications?limit=2");
    cr_expect_str_eq(ids(page, b, sizeof(b)), "3,2");
    cr_expect_eq(th_int(page, "next_after"), 2);
    cr_expect_eq(th_int(page, "unread_count"), 3);
    json_decref(page);
    /* ?after=2 means older than 2 */
    page = th_get(&t, t.admin, "/api/v1/notifications?limit=2&after=2");
    cr_expect_str_eq(ids(page, b, sizeof(b)), "1");
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);
}

Test(shipping, notifications_bad_input)
{
    three_notifications();
    th_expect_error(&t, "GET", "/api/v1/notifications?unread=yes", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/notifications?limit=-1", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/notifications", NULL, NULL, 401, "unauthorized");
    th_expect_error(&t, "POST", "/api/v1/notifications/99/read", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/notifications/abc/read", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/notifications/1/read", NULL, NULL, 401, "unauthorized");
    th_expect_error(&t, "POST", "/api/v1/notifications/read-all", "sb_wrong", NULL, 401,
                    "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/notifications/1/read", t.admin, NULL, 405,
                    "method_not_allowed");
}

/* ---- through the sales API (O7, F1, N1): a POS sale with a ship-to ---- */

Test(shipping, o7_f1_n1_sale_with_ship_to_is_on_the_shipping_list)
{
    int64_t sale = th_create(&t, fx.staff1, "/api/v1/sales",
                             "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":2}],"
                             "\"ship_to\":{\"name\":\"Ada Lovelace\",\"line1\":\"12 St James\","
                             "\"city\":\"London\",\"postcode\":\"SW1\",\"country\":\"GB\","
                             "\"method\":\"Courier\"}}");
    json_t *page = th_get(&t, fx.staff1, "/api/v1/shipments?q=lovelace");
    cr_assert_eq(json_array_size(data(page)), 1, "%s", json_dumps(page, 0));
    json_t *s = json_array_get(data(page), 0);
    cr_expect_eq(th_int(s, "sale_id"), sale);
    cr_expect_str_eq(th_str(s, "customer_name"), "Ada Lovelace");
    cr_expect_str_eq(th_str(s, "method"), "Courier");
    cr_expect_str_eq(th_str(s, "fulfillment_status"), "new");
    cr_expect_eq(json_array_size(json_object_get(s, "lines")), 1);
    int64_t shipment = th_int(s, "id");
    json_decref(page);

    /* one fulfillment at the sale's outlet, starting new (F1) */
    page = th_get(&t, fx.staff1, "/api/v1/fulfillments?status=new");
    cr_assert_eq(json_array_size(data(page)), 1);
    json_t *f = json_array_get(data(page), 0);
    cr_expect_eq(th_int(f, "sale_id"), sale);
    cr_expect_eq(th_int(f, "outlet_id"), 1);
    cr_expect_str_eq(th_str(f, "kind"), "shipping");
    cr_expect_eq(th_int(json_array_get(json_object_get(f, "lines"), 0), "quantity"), 2);
    int64_t ff = th_int(f, "id");
    json_decref(page);

    /* a notification linked to it, for outlet 1 only (N1, N2) */
    page = th_get(&t, fx.staff1, "/api/v1/notifications");
    cr_assert_eq(json_array_size(data(page)), 1);
    json_t *n = json_array_get(data(page), 0);
    cr_expect_str_eq(th_str(n, "kind"), "fulfillment.new");
    cr_expect_eq(th_int(n, "fulfillment_id"), ff);
    cr_expect_eq(th_int(n, "sale_id"), sale);
    cr_expect_eq(th_int(page, "unread_count"), 1);
    json_decref(page);
    page = th_get(&t, fx.staff2, "/api/v1/notifications");
    cr_expect_eq(json_array_size(data(page)), 0);
    cr_expect_eq(th_int(page, "unread_count"), 0);
    json_decref(page);

    /* voiding the sale cancels the fulfillment; its shipment can no longer ship */
    struct th_resp r = req("POST", fx.manager, "{\"reason\":\"customer changed mind\"}",
                           "/api/v1/sales/%lld/void", (long long)sale);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    json_t *fj = th_get(&t, fx.staff1, "/api/v1/fulfillments/%lld", (long long)ff);
    cr_expect_str_eq(th_str(fj, "status"), "cancelled");
    cr_expect_str_eq(th_str(fj, "sale_status"), "voided");
    json_decref(fj);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/shipments/%lld", (long long)shipment);
    th_expect_error(&t, "PATCH", path, fx.staff1, "{\"shipped\":true}", 409, "sale_voided");
    snprintf(path, sizeof(path), "/api/v1/fulfillments/%lld/status", (long long)ff);
    th_expect_error(&t, "POST", path, fx.staff1, "{\"status\":\"packed\"}", 409,
                    "fulfillment_cancelled");
}

/* The names in a JSON array of strings, comma-joined, into buf. */
static const char *names_of(json_t *arr, char *buf, size_t cap)
{
    size_t len = 0, i;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(arr, i, v)
    {
        int n = snprintf(buf + len, cap - len, "%s%s", len ? "," : "", json_string_value(v));
        if (n > 0 && (size_t)n < cap - len)
            len += (size_t)n;
    }
    return buf;
}

/* F2, F3: the table the web app builds its buttons from is the one the server checks moves
 * against (written out here, not derived), and a move it offers is taken while one it does
 * not offer is refused. */
Test(shipping, f2_f3_the_served_status_table_is_the_servers_rule)
{
    json_t *doc = th_get(&t, fx.staff1, "/api/v1/fulfillment-statuses");
    char b[160];
    cr_expect_str_eq(names_of(json_object_get(doc, "statuses"), b, sizeof(b)),
                     "new,in_progress,packed,shipped,picked_up,cancelled");
    cr_expect_str_eq(names_of(json_object_get(doc, "final"), b, sizeof(b)),
                     "shipped,picked_up,cancelled");
    json_t *kinds = json_object_get(doc, "kinds");
    const struct {
        const char *kind, *from, *next, *when_voided;
    } rows[] = {
        { "shipping", "new", "in_progress,packed,shipped,cancelled", "cancelled" },
        { "shipping", "in_progress", "packed,shipped,cancelled", "cancelled" },
        { "shipping", "packed", "shipped,cancelled", "cancelled" },
        { "shipping", "shipped", "", "" },
        { "shipping", "cancelled", "", "" },
        { "pickup", "new", "in_progress,packed,picked_up,cancelled", "cancelled" },
        { "pickup", "packed", "picked_up,cancelled", "cancelled" },
        { "pickup", "picked_up", "", "" },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        json_t *m = json_object_get(json_object_get(kinds, rows[i].kind), rows[i].from);
        cr_expect_str_eq(names_of(json_object_get(m, "next"), b, sizeof(b)), rows[i].next, "%s %s",
                         rows[i].kind, rows[i].from);
        cr_expect_str_eq(names_of(json_object_get(m, "next_when_voided"), b, sizeof(b)),
                         rows[i].when_voided, "%s %s when voided", rows[i].kind, rows[i].from);
    }
    json_decref(doc);
    /* what it offers from an in_progress pickup is taken; what it leaves out is refused */
    order(1, 1, "#1001", 0, "Ada Lovelace", "London", "N1 9GU");
    fulfillment(11, 1, 1, "pickup", "in_progress", 0);
    th_expect_error(&t, "POST", "/api/v1/fulfillments/11/status", fx.staff1,
                    "{\"status\":\"shipped\"}", 409, "invalid_transition");
    struct th_resp r =
        req("POST", fx.staff1, "{\"status\":\"picked_up\"}", "/api/v1/fulfillments/11/status");
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
}
