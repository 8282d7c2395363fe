/*
 * /api/v1/orders end to end (SPEC M6, I2, I6): customer orders taken in the
 * POS over the fixture store (tests/harness.h). An order with reservation
 * holds its lines' stock as reserved (on hand stays, available drops, one
 * ledger entry each); turned into a sale, the reservation is released and
 * the stock taken as a sale takes it, the deposits become its payments;
 * cancelled, the reservation is released and the deposits refunded. Also:
 * orders without reservation, further deposits, the one-way transitions
 * (409), outlet scoping and roles, bad input with the database unchanged,
 * and the sales list and reports, which an open order is not part of.
 * `stockbridge check` runs at th_stop: reserved always equals its ledger.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(orders, .init = setup, .fini = teardown);

static json_t *call(const char *method, const char *token, long status, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static json_t *call(const char *method, const char *token, long status, const char *path,
                    const char *fmt, ...)
{
    char body[4096];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof(body), fmt, ap);
        va_end(ap);
    }
    struct th_resp r = th_req(&t, method, path, token, fmt ? body : NULL);
    cr_assert_eq(r.status, status, "%s %s %s -> %ld %s", method, path, fmt ? body : "", r.status,
                 r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

static const char *order_path(int64_t id, const char *tail)
{
    static char path[128];
    snprintf(path, sizeof(path), "/api/v1/orders/%lld%s", (long long)id, tail);
    return path;
}

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

static int64_t stock_of(const char *col, int64_t item, int64_t outlet)
{
    return sql_int("SELECT %s FROM stock WHERE item_id = %lld AND outlet_id = %lld", col,
                   (long long)item, (long long)outlet);
}

/* What GET /stock says is available (I2: on hand less reserved). */
static int64_t available(int64_t item, int64_t outlet)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/stock?item_id=%lld&outlet_id=%lld", (long long)item,
                          (long long)outlet);
    int64_t v = th_int(json_array_get(json_object_get(page, "data"), 0), "available");
    json_decref(page);
    return v;
}

static int64_t ledger(int64_t sale, const char *reason, int64_t item)
{
    return sql_int("SELECT COALESCE(SUM(on_hand_delta + reserved_delta), 0) FROM stock_ledger"
                   " WHERE sale_id = %lld AND reason = '%s' AND item_id = %lld",
                   (long long)sale, reason, (long long)item);
}

/* 2 TEE (2000) and 1 GIFTWRAP (500, untracked) at outlet 1: total 4500. */
static int64_t take_order(const char *token, bool reserve, const char *deposit)
{
    json_t *o = call("POST", token, 201, "/api/v1/orders",
                     "{\"outlet_id\":1,\"register_id\":1,\"reserve\":%s,"
                     "\"lines\":[{\"item_id\":1,\"quantity\":2},{\"item_id\":3,\"quantity\":1}]%s}",
                     reserve ? "true" : "false", deposit);
    int64_t id = th_int(o, "id");
    json_decref(o);
    return id;
}

/* M6, I2, I6: the order holds its stock as reserved; turned into a sale, the reservation
 * becomes the sale's stock movement and the deposit its payment. */
Test(orders, m6_i6_an_order_reserves_then_becomes_a_sale_with_its_deposit)
{
    json_t *o = call("POST", f.staff1, 201, "/api/v1/orders",
                     "{\"outlet_id\":1,\"register_id\":1,\"customer_id\":null,"
                     "\"lines\":[{\"item_id\":1,\"quantity\":2},{\"item_id\":3,\"quantity\":1}],"
                     "\"deposit\":{\"payment_type_id\":1,\"amount\":1000}}");
    int64_t id = th_int(o, "id");
    cr_expect_str_eq(th_str(o, "kind"), "order");
    cr_expect_str_eq(th_str(o, "status"), "open");
    cr_expect_str_eq(th_str(o, "order_status"), "open");
    cr_expect_eq(th_int(o, "total"), 4500);
    cr_expect_eq(th_int(o, "paid_total"), 1000);
    cr_expect_eq(th_int(o, "balance_due"), 3500);
    cr_expect_eq(th_int(o, "deposit_total"), 1000);
    cr_expect_eq(th_int(o, "reserved_total"), 2, "the untracked gift wrap reserves nothing");
    cr_expect_eq(th_int(json_array_get(json_object_get(o, "lines"), 0), "reserved"), 2);
    cr_expect_eq(th_int(json_array_get(json_object_get(o, "lines"), 1), "reserved"), 0);
    json_t *dep = json_array_get(json_object_get(o, "deposits"), 0);
    cr_expect_str_eq(th_str(dep, "kind"), "deposit");
    cr_expect_eq(th_int(dep, "amount"), 1000);
    cr_expect(json_is_null(json_object_get(o, "completed_at")));
    json_decref(o);
    /* I6: reserved, on hand unchanged, available lowered; one ledger entry */
    cr_expect_eq(stock_of("on_hand", 1, 1), 10);
    cr_expect_eq(stock_of("reserved", 1, 1), 2);
    cr_expect_eq(available(1, 1), 8);
    cr_expect_eq(ledger(id, "reservation", 1), 2);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE sale_id = %lld", (long long)id),
                 1);
    /* another clerk cannot sell what the order holds: 9 is more than the 8 available */
    th_expect_error(&t, "POST", "/api/v1/sales", f.staff1,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":9}]}", 409,
                    "exceeds_stock");

    /* turned into a sale, paying the rest */
    o = call("POST", f.staff1, 200, order_path(id, "/complete"),
             "{\"payment\":{\"payment_type_id\":2,\"amount\":3500}}");
    cr_expect_str_eq(th_str(o, "kind"), "sale");
    cr_expect_str_eq(th_str(o, "status"), "completed");
    cr_expect_str_eq(th_str(o, "order_status"), "completed");
    cr_expect_eq(th_int(o, "paid_total"), 4500);
    cr_expect_eq(th_int(o, "balance_due"), 0);
    cr_expect_eq(th_int(o, "reserved_total"), 0);
    cr_expect(json_is_string(json_object_get(o, "completed_at")));
    json_t *pays = json_object_get(o, "payments");
    cr_expect_eq(json_array_size(pays), 2, "the deposit and the further payment");
    cr_expect_str_eq(th_str(json_array_get(pays, 0), "kind"), "deposit");
    cr_expect_str_eq(th_str(json_array_get(pays, 1), "kind"), "payment");
    json_decref(o);
    cr_expect_eq(stock_of("on_hand", 1, 1), 8);
    cr_expect_eq(stock_of("reserved", 1, 1), 0);
    cr_expect_eq(available(1, 1), 8);
    cr_expect_eq(ledger(id, "release", 1), -2);
    cr_expect_eq(ledger(id, "sale", 1), -2);
    /* it is a sale now: in the sales list, showing its kind */
    json_t *page = th_get(&t, t.admin, "/api/v1/sales?status=completed");
    json_t *row = json_array_get(json_object_get(page, "data"), 0);
    cr_expect_eq(th_int(row, "id"), id);
    cr_expect_str_eq(th_str(row, "kind"), "sale");
    json_decref(page);
    /* M6: a completed order cannot be completed or cancelled again */
    th_expect_error(&t, "POST", order_path(id, "/complete"), f.staff1, NULL, 409,
                    "invalid_transition");
    th_expect_error(&t, "POST", order_path(id, "/cancel"), f.manager, "{}", 409,
                    "invalid_transition");
    th_expect_error(&t, "POST", order_path(id, "/deposits"), f.staff1,
                    "{\"payment_type_id\":1,\"amount\":1}", 409, "invalid_transition");
}

/* M6: cancelled, the reservation comes back and the deposits are refunded, no stock moved. */
Test(orders, m6_i6_a_cancelled_order_releases_its_stock_and_refunds_its_deposits)
{
    int64_t id = take_order(f.staff1, true, ",\"deposit\":{\"payment_type_id\":1,\"amount\":500}");
    json_t *o = call("POST", f.staff1, 201, order_path(id, "/deposits"),
                     "{\"payment_type_id\":2,\"amount\":700,\"reference\":\"slip 4\"}");
    cr_expect_str_eq(th_str(o, "status"), "open", "a deposit leaves the order open");
    cr_expect_eq(th_int(o, "deposit_total"), 1200);
    cr_expect_eq(json_array_size(json_object_get(o, "deposits")), 2);
    json_decref(o);
    cr_expect_eq(available(1, 1), 8);
    /* staff may not cancel: a manager's, as a void */
    th_expect_error(&t, "POST", order_path(id, "/cancel"), f.staff1, "{}", 403, "forbidden");
    o = call("POST", f.manager, 200, order_path(id, "/cancel"),
             "{\"reason\":\"customer changed their mind\"}");
    cr_expect_str_eq(th_str(o, "status"), "voided");
    cr_expect_str_eq(th_str(o, "order_status"), "voided");
    cr_expect_str_eq(th_str(o, "kind"), "order");
    cr_expect_eq(th_int(o, "refunded_total"), 1200, "the deposits go back");
    cr_expect_eq(th_int(o, "reserved_total"), 0);
    cr_expect_str_eq(th_str(o, "note"), "Cancelled: customer changed their mind");
    json_t *ret = json_array_get(json_object_get(o, "returns"), 0);
    cr_expect_eq(th_int(ret, "refund_total"), 1200);
    cr_expect_eq(json_array_size(json_object_get(ret, "lines")), 0, "money only, no stock");
    json_decref(o);
    cr_expect_eq(stock_of("on_hand", 1, 1), 10);
    cr_expect_eq(stock_of("reserved", 1, 1), 0);
    cr_expect_eq(ledger(id, "release", 1), -2);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE sale_id = %lld"
                         " AND on_hand_delta <> 0",
                         (long long)id),
                 0);
    th_expect_error(&t, "POST", order_path(id, "/cancel"), f.manager, "{}", 409,
                    "invalid_transition");
    th_expect_error(&t, "POST", order_path(id, "/complete"), f.staff1, NULL, 409,
                    "invalid_transition");
}

/* M6: without reservation, nothing moves until the order becomes a sale; then stock leaves
 * as a sale's, and what is unpaid stays due as on a sale. */
Test(orders, m6_an_order_without_reservation_moves_stock_only_when_completed)
{
    int64_t id = take_order(f.staff1, false, "");
    cr_expect_eq(stock_of("reserved", 1, 1), 0);
    cr_expect_eq(available(1, 1), 10);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE sale_id = %lld", (long long)id),
                 0);
    json_t *o = call("POST", f.staff1, 200, order_path(id, "/complete"), NULL);
    cr_expect_str_eq(th_str(o, "kind"), "sale");
    cr_expect_str_eq(th_str(o, "status"), "open", "unpaid: open with its balance, as a sale");
    cr_expect_eq(th_int(o, "balance_due"), 4500);
    json_decref(o);
    cr_expect_eq(stock_of("on_hand", 1, 1), 8);
    cr_expect_eq(ledger(id, "release", 1), 0);
    cr_expect_eq(ledger(id, "sale", 1), -2);
    /* the balance is paid as on any sale */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/payments", (long long)id);
    json_decref(call("POST", f.staff1, 201, path, "{\"payment_type_id\":1,\"amount\":4500}"));
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'completed'",
                         (long long)id),
                 1);
}

/* M6: a void of an open order from the sales routes is its cancellation (no stock comes
 * back that never left); a return on it is refused. */
Test(orders, m6_voiding_an_open_order_cancels_it)
{
    int64_t id = take_order(f.staff1, true, "");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/returns", (long long)id);
    th_expect_error(&t, "POST", path, f.staff1, "{\"lines\":[{\"sale_line_id\":1,\"quantity\":1}]}",
                    409, "conflict");
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/void", (long long)id);
    json_decref(call("POST", f.manager, 200, path, "{}"));
    cr_expect_eq(stock_of("on_hand", 1, 1), 10);
    cr_expect_eq(stock_of("reserved", 1, 1), 0);
    cr_expect_eq(ledger(id, "void", 1), 0);
}

/* M6: lists, newest first and filtered; open orders are not sales yet: not in the sales
 * list (unless asked for by kind) nor in the sales report. */
Test(orders, m6_orders_list_newest_first_and_stay_out_of_sales)
{
    int64_t a = take_order(f.staff1, true, "");
    int64_t b = take_order(f.staff1, false, "");
    json_decref(call("POST", f.manager, 200, order_path(a, "/cancel"), NULL));
    json_t *page = th_get(&t, t.admin, "/api/v1/orders");
    json_t *data = json_object_get(page, "data");
    cr_expect_eq(json_array_size(data), 2);
    cr_expect_eq(th_int(json_array_get(data, 0), "id"), b, "newest first");
    cr_expect_eq(th_int(json_array_get(data, 1), "id"), a);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/orders?status=open");
    data = json_object_get(page, "data");
    cr_expect_eq(json_array_size(data), 1);
    cr_expect_eq(th_int(json_array_get(data, 0), "id"), b);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/orders?limit=1&after=%lld", (long long)b);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), a,
                 "after: older than");
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/sales");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 0, "no sale yet");
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/sales?kind=order");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 2);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/reports/sales-by-day?from=2000-01-01&to=2100-01-01");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 0, "an order is not takings");
    json_decref(page);
    th_expect_error(&t, "GET", "/api/v1/orders?status=pending", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/sales?kind=quote", t.admin, NULL, 400, "invalid_query");
}

/* M6 and outlet scoping as for sales: another outlet's order is not found, nor listed. */
Test(orders, m6_orders_are_scoped_to_their_outlet)
{
    int64_t id = take_order(f.staff1, true, "");
    th_expect_error(&t, "GET", order_path(id, ""), f.staff2, NULL, 404, "not_found");
    th_expect_error(&t, "POST", order_path(id, "/complete"), f.staff2, NULL, 404, "not_found");
    th_expect_error(&t, "POST", order_path(id, "/deposits"), f.staff2,
                    "{\"payment_type_id\":1,\"amount\":100}", 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff2,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 403,
                    "outlet_forbidden");
    json_t *page = th_get(&t, f.staff2, "/api/v1/orders");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 0);
    json_decref(page);
    th_expect_error(&t, "GET", "/api/v1/orders?outlet_id=1", f.staff2, NULL, 403,
                    "outlet_forbidden");
    /* a sale is not an order */
    int64_t sale = th_create(&t, f.staff1, "/api/v1/sales",
                             "{\"outlet_id\":1,\"lines\":[{\"item_id\":2,\"quantity\":1}]}");
    th_expect_error(&t, "GET", order_path(sale, ""), f.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "POST", order_path(sale, "/complete"), f.staff1, NULL, 409,
                    "invalid_transition");
}

/* M6: bad input is refused with the exact error, nothing written. */
Test(orders, m6_bad_orders_are_refused_whole)
{
    /* reserving more than the outlet has, unless the clerk confirmed it */
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff1,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":2,\"quantity\":4}]}", 409,
                    "exceeds_stock");
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff1,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
                    "\"deposit\":{\"payment_type_id\":1,\"amount\":2001}}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff1,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
                    "\"deposit\":{\"payment_type_id\":99,\"amount\":100}}",
                    422, "unknown_reference");
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff1,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
                    "\"reserve\":\"yes\"}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff1,
                    "{\"outlet_id\":1,\"lines\":[],\"kind\":\"sale\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff1, "{\"outlet_id\":1}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", "/api/v1/orders", f.staff1, "[1]", 400, "invalid_json");
    int64_t id = take_order(f.staff1, true, ",\"deposit\":{\"payment_type_id\":1,\"amount\":4000}");
    th_expect_error(&t, "POST", order_path(id, "/deposits"), f.staff1,
                    "{\"payment_type_id\":1,\"amount\":501}", 422, "invalid_field");
    th_expect_error(&t, "POST", order_path(id, "/deposits"), f.staff1,
                    "{\"payment_type_id\":1,\"amount\":0}", 422, "invalid_field");
    th_expect_error(&t, "POST", order_path(id, "/complete"), f.staff1,
                    "{\"payment\":{\"payment_type_id\":1,\"amount\":501}}", 422, "invalid_field");
    th_expect_error(&t, "POST", order_path(id, "/complete"), f.staff1, "{\"pay\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", order_path(id, "/cancel"), f.manager, "{\"reason\":5}", 422,
                    "invalid_field");
    th_expect_error(&t, "GET", "/api/v1/orders/999", f.staff1, NULL, 404, "not_found");
    cr_expect_eq(stock_of("reserved", 1, 1), 2, "the refusals left the order as it was");
}
