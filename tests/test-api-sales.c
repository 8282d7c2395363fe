/*
 * /api/v1/sales and /api/v1/payment-types end to end, over the fixture store
 * (tests/harness.h): exact totals to the cent, stock ledger rows, open and
 * completed sales, payments, voids, returns, shipping, list filters, outlet
 * scoping, roles, and every kind of bad input (with the database unchanged).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

TestSuite(sales, .init = setup, .fini = teardown);
TestSuite(payment_types, .init = setup, .fini = teardown);

static json_t *at(json_t *o, const char *key, size_t i)
{
    json_t *v = json_array_get(json_object_get(o, key), i);
    cr_assert_not_null(v, "%s[%zu] missing", key, i);
    return v;
}

/* Sends method path with a printf-formatted body, asserts the status, returns the JSON. */
static json_t *call(const char *method, const char *token, long status, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static json_t *call(const char *method, const char *token, long status, const char *path,
                    const char *fmt, ...)
{
    char body[16384];
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

static const char *sale_path(int64_t id, const char *tail)
{
    static char path[128];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld%s", (long long)id, tail);
    return path;
}

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

static int64_t on_hand(int64_t item, int64_t outlet)
{
    return sql_int("SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = %lld",
                   (long long)item, (long long)outlet);
}

/* th_expect_error, then the field the error names. */
static void expect_field(const char *method, const char *path, const char *token, const char *body,
                         long status, const char *code, const char *field)
{
    th_expect_error(&t, method, path, token, body, status, code);
    struct th_resp r = th_req(&t, method, path, token, body);
    json_t *got = json_object_get(json_object_get(r.json, "error"), "field");
    cr_expect(json_is_string(got) && strcmp(json_string_value(got), field) == 0,
              "%s %s %s: want field %s, got %s", method, path, body, field, r.body);
    th_resp_free(&r);
}

/* A one-line sale of item qty at the given price at outlet 1, paid `paid`. */
static int64_t simple_sale(const char *token, int64_t outlet, int64_t item, int64_t qty,
                           int64_t price, int64_t paid)
{
    char pay[128] = "";
    if (paid)
        snprintf(pay, sizeof(pay), ",\"payments\":[{\"payment_type_id\":1,\"amount\":%lld}]",
                 (long long)paid);
    json_t *s = call("POST", token, 201, "/api/v1/sales",
                     "{\"outlet_id\":%lld,\"lines\":[{\"item_id\":%lld,\"quantity\":%lld,"
                     "\"unit_price\":%lld}]%s}",
                     (long long)outlet, (long long)item, (long long)qty, (long long)price, pay);
    int64_t id = th_int(s, "id");
    json_decref(s);
    return id;
}

/* The worked example: every total field, every row, and the ledger. */
Test(sales, three_lines_with_discounts_taxes_and_adjustment)
{
    json_t *s = call(
        "POST", f.staff1, 201, "/api/v1/sales",
        "{\"outlet_id\":1,\"register_id\":1,\"employee_id\":1,\"note\":\"gift\","
        "\"lines\":["
        "{\"item_id\":1,\"quantity\":2,\"line_discount\":100,\"taxes\":["
        "{\"name\":\"State\",\"rate\":\"6.25\",\"amount\":119},{\"name\":\"City\",\"amount\":19}]},"
        "{\"item_id\":2,\"quantity\":1,\"taxes\":[{\"name\":\"State\",\"rate\":\"6.25\","
        "\"amount\":78}]},"
        "{\"description\":\"Engraving\",\"sku\":\"ENGR\",\"quantity\":3,\"unit_price\":333,"
        "\"line_discount\":99}],"
        "\"discounts\":[{\"name\":\"Loyalty\",\"code\":\"LOYAL5\",\"amount\":300}],"
        "\"taxes\":[{\"name\":\"Shipping tax\",\"amount\":50}],"
        "\"adjustments\":[{\"reason\":\"Rounding\",\"amount\":-1}],"
        "\"payments\":[{\"payment_type_id\":1,\"amount\":6000},"
        "{\"payment_type_id\":2,\"amount\":15,\"reference\":\"auth-77\"}]}");
    int64_t id = th_int(s, "id");
    /* subtotal 2x2000 + 1250 + 3x333 = 6249; discounts 100 + 99 + 300 = 499;
     * taxes 119 + 19 + 78 + 50 = 266; adjustment -1; total 6015 */
    cr_expect_eq(th_int(s, "subtotal"), 6249);
    cr_expect_eq(th_int(s, "discount_total"), 499);
    cr_expect_eq(th_int(s, "tax_total"), 266);
    cr_expect_eq(th_int(s, "adjustment_total"), -1);
    cr_expect_eq(th_int(s, "total"), 6015);
    cr_expect_eq(th_int(s, "paid_total"), 6015);
    cr_expect_eq(th_int(s, "balance_due"), 0);
    cr_expect_eq(th_int(s, "refunded_total"), 0);
    cr_expect_str_eq(th_str(s, "status"), "completed");
    cr_expect(json_is_string(json_object_get(s, "completed_at")));
    cr_expect(json_is_null(json_object_get(s, "voided_at")));
    cr_expect_str_eq(th_str(s, "currency"), "USD");
    cr_expect_str_eq(th_str(s, "source"), "pos");
    cr_expect_str_eq(th_str(s, "note"), "gift");
    cr_expect_eq(th_int(s, "outlet_id"), 1);
    cr_expect_eq(th_int(s, "register_id"), 1);
    cr_expect_eq(th_int(s, "employee_id"), 1);
    cr_expect(json_is_integer(json_object_get(s, "user_id")));
    cr_expect(json_is_false(json_object_get(s, "needs_review")));

    json_t *l0 = at(s, "lines", 0), *l1 = at(s, "lines", 1), *l2 = at(s, "lines", 2);
    cr_expect_eq(json_array_size(json_object_get(s, "lines")), 3);
    cr_expect_eq(th_int(l0, "line_no"), 1);
    cr_expect_str_eq(th_str(l0, "sku"), "TEE");
    cr_expect_str_eq(th_str(l0, "description"), "T-shirt");
    cr_expect_eq(th_int(l0, "unit_price"), 2000, "price from the lowest price level");
    cr_expect_eq(th_int(l0, "line_discount"), 100);
    cr_expect_eq(th_int(l0, "tax_total"), 138);
    cr_expect_eq(th_int(l0, "line_total"), 4038);
    cr_expect_eq(th_int(l0, "outlet_id"), 1);
    cr_expect_eq(th_int(l0, "returned_quantity"), 0);
    cr_expect_eq(json_array_size(json_object_get(l0, "taxes")), 2);
    cr_expect_str_eq(th_str(at(l0, "taxes", 0), "rate"), "6.25");
    cr_expect_eq(th_int(at(l0, "taxes", 1), "amount"), 19);
    cr_expect_str_eq(th_str(l1, "description"), "Mug");
    cr_expect_eq(th_int(l1, "unit_price"), 1250);
    cr_expect_eq(th_int(l1, "line_total"), 1328);
    cr_expect(json_is_null(json_object_get(l2, "item_id")));
    cr_expect_str_eq(th_str(l2, "sku"), "ENGR");
    cr_expect_eq(th_int(l2, "line_total"), 900);
    cr_expect_eq(json_array_size(json_object_get(l2, "taxes")), 0);

    cr_expect_eq(json_array_size(json_object_get(s, "taxes")), 1, "order-level taxes only");
    cr_expect_eq(th_int(at(s, "taxes", 0), "amount"), 50);
    cr_expect_str_eq(th_str(at(s, "discounts", 0), "code"), "LOYAL5");
    cr_expect_eq(th_int(at(s, "discounts", 0), "amount"), 300);
    cr_expect_str_eq(th_str(at(s, "adjustments", 0), "reason"), "Rounding");
    cr_expect_eq(json_array_size(json_object_get(s, "payments")), 2);
    cr_expect_str_eq(th_str(at(s, "payments", 0), "payment_type_name"), "Cash");
    cr_expect_str_eq(th_str(at(s, "payments", 1), "payment_type_name"), "Card");
    cr_expect_str_eq(th_str(at(s, "payments", 1), "reference"), "auth-77");
    cr_expect(json_is_null(json_object_get(s, "customer")));
    cr_expect(json_is_null(json_object_get(s, "shipment")));
    cr_expect_eq(json_array_size(json_object_get(s, "fulfillments")), 0);
    cr_expect_eq(json_array_size(json_object_get(s, "returns")), 0);
    json_decref(s);

    /* stock left outlet 1: one ledger entry per stocked line */
    cr_expect_eq(on_hand(f.tee, 1), 8);
    cr_expect_eq(on_hand(f.mug, 1), 2);
    cr_expect_eq(on_hand(f.tee, 2), 5);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE sale_id = %lld", (long long)id),
                 2);
    cr_expect_eq(sql_int("SELECT on_hand_delta FROM stock_ledger WHERE reason = 'sale'"
                         " AND item_id = 1 AND outlet_id = 1 AND reference = 'sale:%lld'",
                         (long long)id),
                 -2);
    cr_expect_eq(sql_int("SELECT on_hand_after FROM stock_ledger WHERE reason = 'sale'"
                         " AND item_id = 2 AND reference = 'sale:%lld'",
                         (long long)id),
                 2);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE sale_id = %lld"
                         " AND user_id IS NOT NULL",
                         (long long)id),
                 2);

    /* GET returns the same document */
    json_t *g = th_get(&t, f.staff1, "%s", sale_path(id, ""));
    cr_expect_eq(th_int(g, "total"), 6015);
    cr_expect_eq(json_array_size(json_object_get(g, "lines")), 3);
    json_decref(g);
}

Test(sales, open_sale_is_paid_off)
{
    int64_t id = simple_sale(f.staff1, 1, f.tee, 1, 2000, 500);
    json_t *s = th_get(&t, f.staff1, "%s", sale_path(id, ""));
    cr_expect_str_eq(th_str(s, "status"), "open");
    cr_expect_eq(th_int(s, "balance_due"), 1500);
    cr_expect(json_is_null(json_object_get(s, "completed_at")));
    json_decref(s);

    s = call("POST", f.staff1, 201, sale_path(id, "/payments"),
             "{\"payment_type_id\":1,\"amount\":1000}");
    cr_expect_str_eq(th_str(s, "status"), "open");
    cr_expect_eq(th_int(s, "paid_total"), 1500);
    cr_expect_eq(th_int(s, "balance_due"), 500);
    json_decref(s);

    expect_field("POST", sale_path(id, "/payments"), f.staff1,
                 "{\"payment_type_id\":1,\"amount\":501}", 422, "invalid_field", "amount");

    s = call("POST", f.staff1, 201, sale_path(id, "/payments"),
             "{\"payment_type_id\":2,\"amount\":500,\"reference\":\"visa\"}");
    cr_expect_str_eq(th_str(s, "status"), "completed");
    cr_expect_eq(th_int(s, "paid_total"), 2000);
    cr_expect_eq(th_int(s, "balance_due"), 0);
    cr_expect(json_is_string(json_object_get(s, "completed_at")));
    cr_expect_eq(json_array_size(json_object_get(s, "payments")), 3);
    json_decref(s);

    /* a completed sale takes no more payments */
    th_expect_error(&t, "POST", sale_path(id, "/payments"), f.staff1,
                    "{\"payment_type_id\":1,\"amount\":1}", 409, "conflict");
}

Test(sales, overpayment_is_refused)
{
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
                 "\"payments\":[{\"payment_type_id\":1,\"amount\":2001}]}",
                 422, "invalid_field", "payments");
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
                 "\"payments\":[{\"payment_type_id\":1,\"amount\":2000},"
                 "{\"payment_type_id\":2,\"amount\":1}]}",
                 422, "invalid_field", "payments");
}

Test(sales, prices_come_from_the_chosen_price_level)
{
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"price_level_id\":2,\"lines\":["
                     "{\"item_id\":1,\"quantity\":1},{\"item_id\":1,\"quantity\":1,"
                     "\"unit_price\":1800}]}");
    cr_expect_eq(th_int(at(s, "lines", 0), "unit_price"), 1500);
    cr_expect_eq(th_int(at(s, "lines", 1), "unit_price"), 1800, "a given price wins");
    cr_expect_eq(th_int(s, "total"), 3300);
    json_decref(s);
    /* the mug has no price at level 2: the till must give one */
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"price_level_id\":2,\"lines\":[{\"item_id\":2,"
                 "\"quantity\":1}]}",
                 422, "invalid_field", "lines[0].unit_price");
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"price_level_id\":99,\"lines\":[{\"item_id\":2,"
                 "\"quantity\":1}]}",
                 422, "unknown_reference", "price_level_id");
}

Test(sales, item_without_stock_tracking_has_no_ledger_entry)
{
    int64_t before = sql_int("SELECT COUNT(*) FROM stock_ledger");
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":3,\"quantity\":2}]}");
    cr_expect_eq(th_int(s, "total"), 1000);
    cr_expect_str_eq(th_str(s, "status"), "open");
    json_decref(s);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger"), before);
}

/* th_expect_error plus the exact field and message of the refusal. */
static void expect_refusal(const char *token, const char *body, const char *code, const char *field,
                           const char *message)
{
    expect_field("POST", "/api/v1/sales", token, body, 409, code, field);
    struct th_resp r = th_req(&t, "POST", "/api/v1/sales", token, body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "message"), message);
    th_resp_free(&r);
}

/* A4 (stock goes negative only as a web order's backorder): a till sale of more than the
 * outlet has is refused, naming what it has, and nothing is written; the clerk's
 * confirmation (allow_oversell) records it. Was: a silent sale and on hand -2. */
Test(sales, a4_till_sale_past_stock_is_refused_unless_confirmed)
{
    const char *sale = "{\"outlet_id\":1,\"lines\":[{\"item_id\":2,\"quantity\":5}],"
                       "\"payments\":[{\"payment_type_id\":1,\"amount\":6250}]}";
    expect_refusal(f.staff1, sale, "exceeds_stock", "lines[0].quantity",
                   "5 x Mug is more than Downtown has in stock (3)");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales"), 0);
    cr_expect_eq(on_hand(f.mug, 1), 3);
    /* an explicit false is no confirmation */
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"allow_oversell\":false,"
                 "\"lines\":[{\"item_id\":2,\"quantity\":5}]}",
                 409, "exceeds_stock", "lines[0].quantity");

    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"allow_oversell\":true,"
                     "\"lines\":[{\"item_id\":2,\"quantity\":5}],"
                     "\"payments\":[{\"payment_type_id\":1,\"amount\":6250}]}");
    cr_expect_eq(th_int(s, "total"), 6250);
    cr_expect_str_eq(th_str(s, "status"), "completed");
    json_decref(s);
    cr_expect_eq(on_hand(f.mug, 1), -2);

    /* now that it is negative, even one more needs the confirmation */
    expect_refusal(f.staff1, "{\"outlet_id\":1,\"lines\":[{\"item_id\":2,\"quantity\":1}]}",
                   "exceeds_stock", "lines[0].quantity", "1 x Mug: Downtown has none in stock");
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"allow_oversell\":1,"
                 "\"lines\":[{\"item_id\":2,\"quantity\":1}]}",
                 422, "invalid_field", "allow_oversell");
}

/* A4: the units of one item are counted over every line, per outlet; exactly what is
 * available sells; reserved stock is not available; items that do not track stock and
 * lines without an item are never refused. */
Test(sales, a4_oversell_counts_every_line_and_reserved_stock)
{
    expect_refusal(f.staff1,
                   "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":6},"
                   "{\"item_id\":2,\"quantity\":1},{\"item_id\":1,\"quantity\":6}]}",
                   "exceeds_stock", "lines[2].quantity",
                   "12 x T-shirt is more than Downtown has in stock (10)");
    expect_refusal(f.staff2, "{\"outlet_id\":2,\"lines\":[{\"item_id\":2,\"quantity\":1}]}",
                   "exceeds_stock", "lines[0].quantity", "1 x Mug: Uptown has none in stock");

    /* 4 of the 10 T-shirts at Downtown reserved (M6): 6 are available */
    th_sql_exec(&t, "UPDATE stock SET reserved = 4 WHERE item_id = 1 AND outlet_id = 1;"
                    "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta,"
                    " reserved_delta, on_hand_after, reserved_after, reference, created_at)"
                    " VALUES (1, 1, 'reservation', 0, 4, 10, 4, 'order:1',"
                    " '2026-01-02T00:00:00Z')");
    expect_refusal(f.staff1, "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":7}]}",
                   "exceeds_stock", "lines[0].quantity",
                   "7 x T-shirt is more than Downtown has in stock (6)");

    /* exactly what is there, with gift wrap (no stock kept) and a free-text line */
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":2},"
                     "{\"item_id\":2,\"quantity\":3},{\"item_id\":1,\"quantity\":4},"
                     "{\"item_id\":3,\"quantity\":1000},"
                     "{\"description\":\"Engraving\",\"quantity\":500,\"unit_price\":1}]}");
    json_decref(s);
    cr_expect_eq(on_hand(f.tee, 1), 4);
    cr_expect_eq(on_hand(f.mug, 1), 0);
    /* the other outlet's stock is its own */
    cr_expect_eq(on_hand(f.tee, 2), 5);
    simple_sale(f.staff2, 2, f.tee, 5, 2000, 0);
    cr_expect_eq(on_hand(f.tee, 2), 0);
}

/* A failure in the middle (the third line's item does not exist) leaves nothing behind. */
Test(sales, failure_half_way_changes_nothing)
{
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1},"
                 "{\"item_id\":2,\"quantity\":1},{\"item_id\":999,\"quantity\":1}],"
                 "\"payments\":[{\"payment_type_id\":1,\"amount\":100}]}",
                 422, "unknown_reference", "lines[2].item_id");
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
                 "\"payments\":[{\"payment_type_id\":1,\"amount\":100},"
                 "{\"payment_type_id\":77,\"amount\":100}]}",
                 422, "unknown_reference", "payments[1].payment_type_id");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales"), 0);
}

/* O7/F1/N1 for a till sale that ships: shipment, one fulfillment, a notification. */
Test(sales, ship_to_creates_shipment_fulfillment_and_notification)
{
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1},"
                     "{\"item_id\":3,\"quantity\":1}],"
                     "\"ship_to\":{\"name\":\"Ann Lee\",\"line1\":\"1 Main St\","
                     "\"city\":\"Springfield\",\"postcode\":\"12345\",\"country\":\"US\","
                     "\"method\":\"UPS Ground\",\"note\":\"leave at door\"}}");
    int64_t id = th_int(s, "id");
    json_t *sh = json_object_get(s, "shipment");
    cr_assert(json_is_object(sh), "the sale has its shipment");
    cr_expect_str_eq(th_str(sh, "name"), "Ann Lee");
    cr_expect_str_eq(th_str(sh, "city"), "Springfield");
    cr_expect_str_eq(th_str(sh, "method"), "UPS Ground");
    cr_expect_eq(json_array_size(json_object_get(s, "fulfillments")), 1);
    json_t *ff = at(s, "fulfillments", 0);
    cr_expect_str_eq(th_str(ff, "kind"), "shipping");
    cr_expect_str_eq(th_str(ff, "status"), "new");
    cr_expect_eq(th_int(ff, "outlet_id"), 1);
    int64_t ff_id = th_int(ff, "id");
    json_decref(s);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM fulfillment_lines WHERE fulfillment_id = %lld",
                         (long long)ff_id),
                 2);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM notifications WHERE kind = 'fulfillment.new'"
                         " AND outlet_id = 1 AND sale_id = %lld AND fulfillment_id = %lld"
                         " AND title = 'New shipping order #%lld'",
                         (long long)id, (long long)ff_id, (long long)id),
                 1);

    s = call("POST", f.staff1, 201, "/api/v1/sales",
             "{\"outlet_id\":1,\"lines\":[{\"item_id\":2,\"quantity\":1}],"
             "\"ship_to\":{\"name\":\"Bo\",\"pickup\":true}}");
    int64_t id2 = th_int(s, "id");
    cr_expect_str_eq(th_str(at(s, "fulfillments", 0), "kind"), "pickup");
    json_decref(s);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM notifications WHERE sale_id = %lld"
                         " AND title = 'New pickup order #%lld'",
                         (long long)id2, (long long)id2),
                 1);
}

/* S1 (POS side): a void returns stock, cancels fulfillments, keeps payments. */
Test(sales, void_returns_stock_and_cancels_fulfillments)
{
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":3},"
                     "{\"item_id\":2,\"quantity\":1},{\"item_id\":3,\"quantity\":1}],"
                     "\"payments\":[{\"payment_type_id\":1,\"amount\":1000}],"
                     "\"ship_to\":{\"name\":\"Ann\",\"city\":\"Springfield\"}}");
    int64_t id = th_int(s, "id");
    json_decref(s);
    cr_expect_eq(on_hand(f.tee, 1), 7);
    cr_expect_eq(on_hand(f.mug, 1), 2);

    th_expect_error(&t, "POST", sale_path(id, "/void"), f.staff1, "{}", 403, "forbidden");

    s = call("POST", f.manager, 200, sale_path(id, "/void"), "{\"reason\":\"wrong items\"}");
    cr_expect_str_eq(th_str(s, "status"), "voided");
    cr_expect(json_is_string(json_object_get(s, "voided_at")));
    cr_expect_str_eq(th_str(s, "note"), "Voided: wrong items");
    cr_expect_eq(th_int(s, "paid_total"), 1000, "payments stay recorded");
    cr_expect_eq(th_int(s, "total"), 7750);
    cr_expect_eq(json_array_size(json_object_get(s, "payments")), 1);
    cr_expect_str_eq(th_str(at(s, "fulfillments", 0), "status"), "cancelled");
    json_decref(s);

    cr_expect_eq(on_hand(f.tee, 1), 10);
    cr_expect_eq(on_hand(f.mug, 1), 3);
    cr_expect_eq(sql_int("SELECT on_hand_delta FROM stock_ledger WHERE reason = 'void'"
                         " AND item_id = 1 AND reference = 'void:%lld' AND sale_id = %lld",
                         (long long)id, (long long)id),
                 3);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reason = 'void'"), 2);

    /* voiding twice, paying or returning a voided sale */
    th_expect_error(&t, "POST", sale_path(id, "/void"), f.manager, NULL, 409, "conflict");
    th_expect_error(&t, "POST", sale_path(id, "/payments"), f.staff1,
                    "{\"payment_type_id\":1,\"amount\":1}", 409, "conflict");
    json_t *g = th_get(&t, f.staff1, "%s", sale_path(id, ""));
    char body[256];
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)th_int(at(g, "lines", 0), "id"));
    json_decref(g);
    th_expect_error(&t, "POST", sale_path(id, "/returns"), f.staff1, body, 409, "conflict");
}

Test(sales, void_without_body_and_of_an_open_sale)
{
    int64_t id = simple_sale(f.staff1, 1, f.tee, 2, 2000, 0);
    json_t *s = call("POST", f.manager, 200, sale_path(id, "/void"), NULL);
    cr_expect_str_eq(th_str(s, "status"), "voided");
    cr_expect(json_is_null(json_object_get(s, "note")));
    json_decref(s);
    cr_expect_eq(on_hand(f.tee, 1), 10);
}

Test(sales, sale_with_returns_cannot_be_voided)
{
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":2}],"
                     "\"payments\":[{\"payment_type_id\":1,\"amount\":4000}]}");
    int64_t id = th_int(s, "id"), line = th_int(at(s, "lines", 0), "id");
    json_decref(s);
    json_decref(call("POST", f.staff1, 201, sale_path(id, "/returns"),
                     "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}", (long long)line));
    th_expect_error(&t, "POST", sale_path(id, "/void"), f.manager, "{}", 409, "conflict");
}

/* S2 (POS side): partial returns default to the share rounded down; the last takes the
 * remainder so the whole line refunds to the cent. */
Test(sales, partial_returns_refund_to_the_cent)
{
    /* 3 x 333 + 2 tax = 1001 */
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":3,"
                     "\"unit_price\":333,\"taxes\":[{\"name\":\"VAT\",\"amount\":2}]}],"
                     "\"payments\":[{\"payment_type_id\":1,\"amount\":1001}]}");
    int64_t id = th_int(s, "id"), line = th_int(at(s, "lines", 0), "id");
    cr_expect_eq(th_int(at(s, "lines", 0), "line_total"), 1001);
    json_decref(s);
    cr_expect_eq(on_hand(f.tee, 1), 7);

    json_t *r = call("POST", f.staff1, 201, sale_path(id, "/returns"),
                     "{\"reason\":\"too small\",\"payment_type_id\":1,"
                     "\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
                     (long long)line);
    json_t *ret = json_object_get(r, "return");
    int64_t rid = th_int(ret, "id");
    cr_expect_eq(th_int(ret, "refund_total"), 333);
    cr_expect_str_eq(th_str(ret, "reason"), "too small");
    cr_expect_str_eq(th_str(ret, "payment_type_name"), "Cash");
    cr_expect_eq(th_int(at(ret, "lines", 0), "amount"), 333);
    cr_expect(json_is_true(json_object_get(at(ret, "lines", 0), "restock")));
    json_t *sale = json_object_get(r, "sale");
    cr_expect_eq(th_int(sale, "refunded_total"), 333);
    cr_expect_eq(th_int(sale, "total"), 1001, "a return leaves the totals alone");
    cr_expect_eq(th_int(sale, "balance_due"), 0);
    cr_expect_str_eq(th_str(sale, "status"), "completed");
    cr_expect_eq(th_int(at(sale, "lines", 0), "returned_quantity"), 1);
    cr_expect_eq(json_array_size(json_object_get(sale, "returns")), 1);
    json_decref(r);
    cr_expect_eq(on_hand(f.tee, 1), 8);
    cr_expect_eq(sql_int("SELECT on_hand_delta FROM stock_ledger WHERE reason = 'return'"
                         " AND reference = 'return:%lld' AND sale_id = %lld",
                         (long long)rid, (long long)id),
                 1);

    r = call("POST", f.staff1, 201, sale_path(id, "/returns"),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}", (long long)line);
    cr_expect_eq(th_int(json_object_get(r, "return"), "refund_total"), 333);
    json_decref(r);
    r = call("POST", f.staff1, 201, sale_path(id, "/returns"),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}", (long long)line);
    cr_expect_eq(th_int(json_object_get(r, "return"), "refund_total"), 335, "the remainder");
    cr_expect_eq(th_int(json_object_get(r, "sale"), "refunded_total"), 1001);
    json_decref(r);
    cr_expect_eq(on_hand(f.tee, 1), 10);

    /* nothing is left to return */
    char body[128];
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    expect_field("POST", sale_path(id, "/returns"), f.staff1, body, 422, "insufficient",
                 "lines[0].quantity");
}

Test(sales, full_return_and_return_without_restock)
{
    /* 3 x 1000 + 1 tax = 3001, and a mug */
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":3,"
                     "\"unit_price\":1000,\"taxes\":[{\"name\":\"VAT\",\"amount\":1}]},"
                     "{\"item_id\":2,\"quantity\":2},{\"item_id\":3,\"quantity\":1}],"
                     "\"payments\":[{\"payment_type_id\":2,\"amount\":6001}]}");
    int64_t id = th_int(s, "id"), tee = th_int(at(s, "lines", 0), "id"),
            mug = th_int(at(s, "lines", 1), "id"), wrap = th_int(at(s, "lines", 2), "id");
    cr_expect_eq(th_int(s, "total"), 6001);
    json_decref(s);
    cr_expect_eq(on_hand(f.mug, 1), 1);
    int64_t ledger = sql_int("SELECT COUNT(*) FROM stock_ledger");

    /* 1 then 2 units of the tee: 1000, then the remaining 2001 */
    json_t *r = call("POST", f.staff1, 201, sale_path(id, "/returns"),
                     "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}", (long long)tee);
    cr_expect_eq(th_int(json_object_get(r, "return"), "refund_total"), 1000);
    json_decref(r);
    /* the mugs are damaged (no restock), the gift wrap does not track stock */
    r = call("POST", f.staff1, 201, sale_path(id, "/returns"),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":2},"
             "{\"sale_line_id\":%lld,\"quantity\":2,\"restock\":false},"
             "{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)tee, (long long)mug, (long long)wrap);
    json_t *ret = json_object_get(r, "return");
    cr_expect_eq(th_int(ret, "refund_total"), 2001 + 2500 + 500);
    cr_expect_eq(th_int(at(ret, "lines", 0), "amount"), 2001);
    cr_expect(json_is_true(json_object_get(at(ret, "lines", 0), "restock")));
    cr_expect(json_is_false(json_object_get(at(ret, "lines", 1), "restock")));
    cr_expect(json_is_false(json_object_get(at(ret, "lines", 2), "restock")),
              "an item that does not track stock is not restocked");
    json_t *sale = json_object_get(r, "sale");
    cr_expect_eq(th_int(sale, "refunded_total"), 6001);
    cr_expect_eq(th_int(sale, "total"), 6001);
    cr_expect_eq(json_array_size(json_object_get(sale, "returns")), 2);
    cr_expect_eq(json_array_size(json_object_get(at(sale, "returns", 1), "lines")), 3);
    json_decref(r);
    cr_expect_eq(on_hand(f.tee, 1), 10);
    cr_expect_eq(on_hand(f.mug, 1), 1, "not restocked");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger"), ledger + 2);
}

Test(sales, return_rules)
{
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":2}],"
                     "\"payments\":[{\"payment_type_id\":1,\"amount\":4000}]}");
    int64_t id = th_int(s, "id"), line = th_int(at(s, "lines", 0), "id");
    json_decref(s);
    int64_t other = simple_sale(f.staff1, 1, f.mug, 1, 1250, 1250);
    json_t *o = th_get(&t, f.staff1, "%s", sale_path(other, ""));
    int64_t other_line = th_int(at(o, "lines", 0), "id");
    json_decref(o);
    const char *P = sale_path(id, "/returns");
    char path[128], body[256];
    snprintf(path, sizeof(path), "%s", P);

    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)other_line);
    expect_field("POST", path, f.staff1, body, 422, "invalid_field", "lines[0].sale_line_id");
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":3}]}",
             (long long)line);
    expect_field("POST", path, f.staff1, body, 422, "insufficient", "lines[0].quantity");
    /* the same line twice in one return counts both */
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":2},"
             "{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line, (long long)line);
    expect_field("POST", path, f.staff1, body, 422, "insufficient", "lines[1].quantity");
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1,\"amount\":4001}]}",
             (long long)line);
    expect_field("POST", path, f.staff1, body, 422, "invalid_field", "lines[0].amount");
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":0}]}",
             (long long)line);
    expect_field("POST", path, f.staff1, body, 422, "invalid_field", "lines[0].quantity");
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":-1}]}",
             (long long)line);
    th_expect_error(&t, "POST", path, f.staff1, body, 422, "invalid_field");
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1,\"amount\":-5}]}", (long long)line);
    th_expect_error(&t, "POST", path, f.staff1, body, 422, "invalid_field");
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1,\"restock\":\"yes\"}]}",
             (long long)line);
    th_expect_error(&t, "POST", path, f.staff1, body, 422, "invalid_field");
    snprintf(body, sizeof(body),
             "{\"payment_type_id\":99,\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    expect_field("POST", path, f.staff1, body, 422, "unknown_reference", "payment_type_id");
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1,\"colour\":1}]}", (long long)line);
    th_expect_error(&t, "POST", path, f.staff1, body, 422, "invalid_field");
    th_expect_error(&t, "POST", path, f.staff1, "{\"lines\":[]}", 422, "invalid_field");
    th_expect_error(&t, "POST", path, f.staff1, "{\"reason\":\"x\"}", 422, "missing_field");
    th_expect_error(&t, "POST", path, f.staff1, "{\"lines\":[{\"quantity\":1}]}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", path, f.staff1, "{\"lines\":[1]}", 422, "invalid_field");
    th_expect_error(&t, "POST", path, f.staff1, "{\"lines\":", 400, "invalid_json");
    th_expect_error(&t, "POST", path, NULL, "{\"lines\":[]}", 401, "unauthorized");
    th_expect_error(&t, "POST", "/api/v1/sales/999/returns", f.staff1,
                    "{\"lines\":[{\"sale_line_id\":1,\"quantity\":1}]}", 404, "not_found");

    /* an explicit amount is kept */
    json_t *r = call("POST", f.staff1, 201, path,
                     "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1,\"amount\":1500,"
                     "\"restock\":false}]}",
                     (long long)line);
    cr_expect_eq(th_int(json_object_get(r, "return"), "refund_total"), 1500);
    json_decref(r);
    /* the last unit takes what is left of the line: 4000 - 1500 */
    r = call("POST", f.staff1, 201, path, "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    cr_expect_eq(th_int(json_object_get(r, "return"), "refund_total"), 2500);
    json_decref(r);
}

/* A return on an unpaid sale gives no money back (refunds never exceed payments). */
Test(sales, return_on_unpaid_sale_refunds_nothing)
{
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":2}],"
                     "\"payments\":[{\"payment_type_id\":1,\"amount\":1000}]}");
    int64_t id = th_int(s, "id"), line = th_int(at(s, "lines", 0), "id");
    json_decref(s);
    json_t *r = call("POST", f.staff1, 201, sale_path(id, "/returns"),
                     "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":2}]}", (long long)line);
    cr_expect_eq(th_int(json_object_get(r, "return"), "refund_total"), 1000);
    cr_expect_eq(th_int(json_object_get(r, "sale"), "refunded_total"), 1000);
    cr_expect_str_eq(th_str(json_object_get(r, "sale"), "status"), "open");
    json_decref(r);
    cr_expect_eq(on_hand(f.tee, 1), 10);
}

/* O9 (sales history, today's transactions): every list filter. "Now" is pinned (T1: the
 * outlets are on UTC here), so today's sales stay today's whatever the wall clock says. */
Test(sales, list_filters)
{
    int64_t pinned;
    cr_assert(sb_time_parse("2026-06-15T12:00:00Z", &pinned));
    sb_time_set_for_tests(pinned);
    int64_t cust = th_create(&t, f.staff1, "/api/v1/customers",
                             "{\"first_name\":\"Ann\",\"last_name\":\"Lee\"}");
    int64_t a = simple_sale(t.admin, 1, f.tee, 1, 2000, 2000); /* completed, outlet 1 */
    int64_t b = simple_sale(t.admin, 1, f.tee, 1, 2000, 0);    /* open, outlet 1 */
    int64_t c = simple_sale(t.admin, 2, f.tee, 1, 2000, 2000); /* completed, outlet 2 */
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"customer_id\":%lld,\"lines\":[{\"item_id\":3,"
                     "\"quantity\":1}]}",
                     (long long)cust);
    int64_t d = th_int(s, "id");
    json_decref(s);
    json_decref(call("POST", f.manager, 200, sale_path(b, "/void"), NULL));
    /* a is from last year; a channel order (O9) came in today */
    cr_assert_eq(a, 1);
    th_sql_exec(&t, "UPDATE sales SET created_at = '2025-06-01T10:00:00Z',"
                    " business_day = '2025-06-01' WHERE id = 1");
    th_sql_exec(&t, "INSERT INTO channels (id, kind, name, created_at, updated_at)"
                    " VALUES (7, 'shopify', 'Web', 'x', 'x')");
    char sql[1024], now[32];
    sb_time_format(sb_time_now(), now, sizeof(now));
    snprintf(sql, sizeof(sql),
             "INSERT INTO sales (id, outlet_id, status, currency, subtotal, discount_total,"
             " tax_total, adjustment_total, total, paid_total, balance_due, source, channel_id,"
             " external_id, created_at, updated_at, business_day) VALUES (100, 2, 'completed',"
             " 'USD', 0, 0, 0, 0, 0, 0, 0, 'channel', 7, '1001', '%s', '%s', '%.10s')",
             now, now, now);
    th_sql_exec(&t, sql);

    struct {
        const char *query;
        const char *token;
        int64_t want[6];
    } cases[] = {
        { "", t.admin, { a, b, c, d, 100, 0 } },
        { "?outlet_id=1", t.admin, { a, b, d, 0 } },
        { "?outlet_id=2", f.manager, { c, 100, 0 } },
        { "?status=open", t.admin, { d, 0 } },
        { "?status=completed", t.admin, { a, c, 100, 0 } },
        { "?status=voided", t.admin, { b, 0 } },
        { "?customer_id=1", t.admin, { d, 0 } },
        { "?channel=pos", t.admin, { a, b, c, d, 0 } },
        { "?channel=7", t.admin, { 100, 0 } },
        { "?channel=8", t.admin, { 0 } },
        { "?today=true", t.admin, { b, c, d, 100, 0 } },
        { "?today=false", t.admin, { a, b, c, d, 100, 0 } },
        { "?from=2025-06-01&to=2025-06-02", t.admin, { a, 0 } },
        { "?from=2025-06-01T10:00:00Z&to=2025-06-01T10:00:00Z", t.admin, { 0 } },
        { "?from=2025-06-01T10:00:00Z&to=2025-06-01T10:00:01Z", t.admin, { a, 0 } },
        { "?to=2025-06-01T10:00:00Z", t.admin, { 0 } },
        { "?from=2025-06-02", t.admin, { b, c, d, 100, 0 } },
        { "?from=2025-06-01&today=true", t.admin, { b, c, d, 100, 0 } },
        { "?outlet_id=1&status=completed&channel=pos", t.admin, { a, 0 } },
        { "", f.staff1, { a, b, d, 0 } },
        { "", f.staff2, { c, 100, 0 } },
        { "?today=true&outlet_id=2&channel=pos", f.staff2, { c, 0 } },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *page = th_get(&t, cases[i].token, "/api/v1/sales%s", cases[i].query);
        json_t *data = json_object_get(page, "data");
        size_t n = 0;
        while (cases[i].want[n])
            n++;
        cr_expect_eq(json_array_size(data), n, "%s: %zu rows, want %zu", cases[i].query,
                     json_array_size(data), n);
        for (size_t k = 0; k < n && k < json_array_size(data); k++)
            cr_expect_eq(th_int(json_array_get(data, k), "id"), cases[i].want[k], "%s row %zu",
                         cases[i].query, k);
        json_decref(page);
    }

    /* rows carry the customer's name */
    json_t *page = th_get(&t, t.admin, "/api/v1/sales?customer_id=%lld", (long long)cust);
    cr_expect_str_eq(th_str(json_array_get(json_object_get(page, "data"), 0), "customer_name"),
                     "Ann Lee");
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/sales?limit=1");
    cr_expect(json_is_null(
        json_object_get(json_array_get(json_object_get(page, "data"), 0), "customer_name")));
    json_decref(page);

    /* keyset pagination */
    page = th_get(&t, t.admin, "/api/v1/sales?limit=2");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 2);
    cr_expect_eq(th_int(page, "next_after"), b);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/sales?limit=2&after=%lld", (long long)b);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), c);
    cr_expect_eq(th_int(page, "next_after"), d);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/sales?limit=2&after=%lld", (long long)d);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);

    /* bad filters */
    const char *bad[] = { "?status=paid",   "?channel=web", "?channel=0",     "?from=yesterday",
                          "?to=2025-13-01", "?today=yes",   "?outlet_id=abc", "?customer_id=-1",
                          "?limit=0",       "?after=x",     "?limit=501" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/sales%s", bad[i]);
        th_expect_error(&t, "GET", path, t.admin, NULL, 400, "invalid_query");
    }
    th_expect_error(&t, "GET", "/api/v1/sales?outlet_id=2", f.staff1, NULL, 403,
                    "outlet_forbidden");
    th_expect_error(&t, "GET", "/api/v1/sales", NULL, NULL, 401, "unauthorized");
}

/* Outlet scoping: staff1 (outlet 1) cannot see, create, pay, void or return outlet 2's. */
Test(sales, outlet_scoping)
{
    int64_t id = simple_sale(f.staff2, 2, f.tee, 1, 2000, 1000);
    json_t *s = th_get(&t, f.staff2, "%s", sale_path(id, ""));
    int64_t line = th_int(at(s, "lines", 0), "id");
    json_decref(s);
    cr_expect_eq(on_hand(f.tee, 2), 4);

    th_expect_error(&t, "GET", sale_path(id, ""), f.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "POST", sale_path(id, "/payments"), f.staff1,
                    "{\"payment_type_id\":1,\"amount\":100}", 404, "not_found");
    char body[128];
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    th_expect_error(&t, "POST", sale_path(id, "/returns"), f.staff1, body, 404, "not_found");
    expect_field("POST", "/api/v1/sales", f.staff1,
                 "{\"outlet_id\":2,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 403,
                 "outlet_forbidden", "outlet_id");
    json_t *list = th_get(&t, f.staff1, "/api/v1/sales");
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 0);
    json_decref(list);

    /* a manager of both outlets may; an outlet-1-only manager may not void it */
    char mgr1[SB_TOKEN_LEN];
    int64_t o1[] = { 1, 0 };
    th_user(&t, "mgr1", "manager", o1, mgr1);
    th_expect_error(&t, "POST", sale_path(id, "/void"), mgr1, NULL, 404, "not_found");
    json_decref(call("POST", f.manager, 201, sale_path(id, "/payments"),
                     "{\"payment_type_id\":1,\"amount\":1000}"));
    json_decref(call("POST", f.manager, 200, sale_path(id, "/void"), NULL));
    cr_expect_eq(on_hand(f.tee, 2), 5);
}

Test(sales, create_bad_input)
{
    const char *P = "/api/v1/sales";
    struct {
        const char *body;
        long status;
        const char *code, *field;
    } cases[] = {
        { "{\"outlet_id\":1,", 400, "invalid_json", NULL },
        { "[1]", 400, "invalid_json", NULL },
        { "{\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422, "missing_field", "outlet_id" },
        { "{\"outlet_id\":\"1\",\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422, "invalid_field",
          "outlet_id" },
        { "{\"outlet_id\":1}", 422, "missing_field", "lines" },
        { "{\"outlet_id\":1,\"lines\":[]}", 422, "invalid_field", "lines" },
        { "{\"outlet_id\":1,\"lines\":{}}", 422, "invalid_field", "lines" },
        { "{\"outlet_id\":1,\"lines\":[7]}", 422, "invalid_field", "lines[0]" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1}]}", 422, "missing_field",
          "lines[0].quantity" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":0}]}", 422, "invalid_field",
          "lines[0].quantity" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":-2}]}", 422, "invalid_field",
          "lines[0].quantity" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1.5}]}", 422, "invalid_field",
          "lines[0].quantity" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":\"1\"}]}", 422, "invalid_field",
          "lines[0].quantity" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"unit_price\":-1}]}", 422,
          "invalid_field", "lines[0].unit_price" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"line_discount\":-1}]}", 422,
          "invalid_field", "lines[0].line_discount" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"line_discount\":2001}]}",
          422, "invalid_field", "lines[0].line_discount" },
        { "{\"outlet_id\":1,\"lines\":[{\"quantity\":1,\"unit_price\":100}]}", 422, "missing_field",
          "lines[0].description" },
        { "{\"outlet_id\":1,\"lines\":[{\"description\":\"Fee\",\"quantity\":1}]}", 422,
          "missing_field", "lines[0].unit_price" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"colour\":\"red\"}]}", 422,
          "invalid_field", "lines[0].colour" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],\"colour\":1}", 422,
          "invalid_field", "colour" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"taxes\":"
          "[{\"name\":\"VAT\",\"rate\":\"20%\",\"amount\":1}]}]}",
          422, "invalid_field", "lines[0].taxes[0].rate" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"taxes\":"
          "[{\"name\":\"VAT\",\"amount\":-1}]}]}",
          422, "invalid_field", "lines[0].taxes[0].amount" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"taxes\":"
          "[{\"amount\":1}]}]}",
          422, "missing_field", "lines[0].taxes[0].name" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"discounts\":[{\"name\":\"All\",\"amount\":2001}]}",
          422, "invalid_field", "discounts" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"discounts\":[{\"name\":\"All\",\"amount\":-1}]}",
          422, "invalid_field", "discounts[0].amount" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"adjustments\":[{\"amount\":5}]}",
          422, "missing_field", "adjustments[0].reason" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"adjustments\":[{\"reason\":\"x\",\"amount\":-2001}]}",
          422, "invalid_field", "discounts" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"payments\":[{\"payment_type_id\":1,\"amount\":0}]}",
          422, "invalid_field", "payments[0].amount" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"payments\":[{\"amount\":10}]}",
          422, "missing_field", "payments[0].payment_type_id" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"payments\":[{\"payment_type_id\":9,\"amount\":10}]}",
          422, "unknown_reference", "payments[0].payment_type_id" },
        { "{\"outlet_id\":1,\"customer_id\":42,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
          "unknown_reference", "customer_id" },
        { "{\"outlet_id\":1,\"employee_id\":42,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
          "unknown_reference", "employee_id" },
        { "{\"outlet_id\":1,\"register_id\":2,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
          "invalid_field", "register_id" },
        { "{\"outlet_id\":1,\"register_id\":42,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
          "unknown_reference", "register_id" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":42,\"quantity\":1}]}", 422, "unknown_reference",
          "lines[0].item_id" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],\"ship_to\":\"home\"}", 422,
          "invalid_field", "ship_to" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"ship_to\":{\"street\":\"x\"}}",
          422, "invalid_field", "ship_to.street" },
        { "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
          "\"ship_to\":{\"pickup\":\"yes\"}}",
          422, "invalid_field", "ship_to.pickup" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].field)
            expect_field("POST", P, f.staff1, cases[i].body, cases[i].status, cases[i].code,
                         cases[i].field);
        else
            th_expect_error(&t, "POST", P, f.staff1, cases[i].body, cases[i].status, cases[i].code);
    }
    const char *ok = "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}";
    expect_field("POST", P, t.admin, "{\"outlet_id\":9,\"lines\":[{\"item_id\":1,\"quantity\":1}]}",
                 422, "unknown_reference", "outlet_id");
    th_expect_error(&t, "POST", P, NULL, ok, 401, "unauthorized");
    th_expect_error(&t, "POST", P, "sb_nope", ok, 401, "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/sales/999", f.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/sales/x", f.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "DELETE", "/api/v1/sales/1", f.staff1, NULL, 405, "method_not_allowed");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales"), 0);
}

Test(sales, pay_and_void_bad_input)
{
    int64_t id = simple_sale(f.staff1, 1, f.tee, 1, 2000, 0);
    char P[64], V[64];
    snprintf(P, sizeof(P), "%s", sale_path(id, "/payments"));
    snprintf(V, sizeof(V), "%s", sale_path(id, "/void"));
    th_expect_error(&t, "POST", P, f.staff1, "{\"payment_type_id\":1", 400, "invalid_json");
    th_expect_error(&t, "POST", P, f.staff1, NULL, 400, "invalid_json");
    expect_field("POST", P, f.staff1, "{\"payment_type_id\":1}", 422, "missing_field", "amount");
    expect_field("POST", P, f.staff1, "{\"amount\":5}", 422, "missing_field", "payment_type_id");
    expect_field("POST", P, f.staff1, "{\"payment_type_id\":1,\"amount\":0}", 422, "invalid_field",
                 "amount");
    expect_field("POST", P, f.staff1, "{\"payment_type_id\":1,\"amount\":-5}", 422, "invalid_field",
                 "amount");
    expect_field("POST", P, f.staff1, "{\"payment_type_id\":1,\"amount\":\"5\"}", 422,
                 "invalid_field", "amount");
    expect_field("POST", P, f.staff1, "{\"payment_type_id\":1,\"amount\":5,\"tip\":1}", 422,
                 "invalid_field", "tip");
    expect_field("POST", P, f.staff1, "{\"payment_type_id\":5,\"amount\":5}", 422,
                 "unknown_reference", "payment_type_id");
    th_expect_error(&t, "POST", "/api/v1/sales/999/payments", f.staff1,
                    "{\"payment_type_id\":1,\"amount\":5}", 404, "not_found");
    th_expect_error(&t, "POST", P, NULL, "{\"payment_type_id\":1,\"amount\":5}", 401,
                    "unauthorized");

    th_expect_error(&t, "POST", V, f.manager, "{\"reason\":", 400, "invalid_json");
    th_expect_error(&t, "POST", V, f.manager, "{\"reason\":5}", 422, "invalid_field");
    th_expect_error(&t, "POST", V, f.manager, "{\"why\":\"x\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", V, f.staff1, NULL, 403, "forbidden");
    th_expect_error(&t, "POST", "/api/v1/sales/999/void", f.manager, NULL, 404, "not_found");
}

/* ---- payment types ---- */

Test(payment_types, crud_and_uniqueness)
{
    json_t *list = th_get(&t, f.staff1, "/api/v1/payment-types");
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 2);
    cr_expect_str_eq(th_str(json_array_get(json_object_get(list, "data"), 0), "name"), "Cash");
    cr_expect(json_is_true(
        json_object_get(json_array_get(json_object_get(list, "data"), 1), "integrated")));
    json_decref(list);

    json_t *p = call("POST", t.admin, 201, "/api/v1/payment-types",
                     "{\"name\":\"  Gift Card \",\"integrated\":true}");
    int64_t id = th_int(p, "id");
    cr_expect_str_eq(th_str(p, "name"), "Gift Card");
    cr_expect(json_is_true(json_object_get(p, "integrated")));
    cr_expect(json_object_get(p, "name_norm") == NULL);
    json_decref(p);
    p = call("POST", t.admin, 201, "/api/v1/payment-types", "{\"name\":\"Cheque\"}");
    cr_expect(json_is_false(json_object_get(p, "integrated")));
    json_decref(p);

    expect_field("POST", "/api/v1/payment-types", t.admin, "{\"name\":\" CASH \"}", 409,
                 "duplicate", "name");
    expect_field("POST", "/api/v1/payment-types", t.admin, "{\"name\":\"gift card\"}", 409,
                 "duplicate", "name");

    char path[64];
    snprintf(path, sizeof(path), "/api/v1/payment-types/%lld", (long long)id);
    p = call("PATCH", t.admin, 200, path, "{\"name\":\"Voucher\",\"integrated\":false}");
    cr_expect_str_eq(th_str(p, "name"), "Voucher");
    cr_expect(json_is_false(json_object_get(p, "integrated")));
    json_decref(p);
    p = call("PATCH", t.admin, 200, path, "{\"name\":\"VOUCHER\"}");
    cr_expect_str_eq(th_str(p, "name"), "VOUCHER", "its own name in another case");
    json_decref(p);
    p = th_get(&t, f.staff1, "%s", path);
    cr_expect_str_eq(th_str(p, "name"), "VOUCHER");
    json_decref(p);

    expect_field("PATCH", path, t.admin, "{\"name\":\"card\"}", 409, "duplicate", "name");
    th_expect_error(&t, "PATCH", "/api/v1/payment-types/999", t.admin, "{\"name\":\"X\"}", 404,
                    "not_found");
    th_expect_error(&t, "GET", "/api/v1/payment-types/999", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/payment-types", f.staff1, "{\"name\":\"X\"}", 403,
                    "forbidden");
    th_expect_error(&t, "POST", "/api/v1/payment-types", f.manager, "{\"name\":\"X\"}", 403,
                    "forbidden");
    th_expect_error(&t, "PATCH", path, f.staff1, "{\"name\":\"X\"}", 403, "forbidden");
    th_expect_error(&t, "POST", "/api/v1/payment-types", t.admin, "{\"name\":", 400,
                    "invalid_json");
    expect_field("POST", "/api/v1/payment-types", t.admin, "{}", 422, "missing_field", "name");
    expect_field("POST", "/api/v1/payment-types", t.admin, "{\"name\":\"\"}", 422, "invalid_field",
                 "name");
    expect_field("POST", "/api/v1/payment-types", t.admin, "{\"name\":\"   \"}", 422,
                 "invalid_field", "name");
    expect_field("POST", "/api/v1/payment-types", t.admin, "{\"name\":7}", 422, "invalid_field",
                 "name");
    expect_field("POST", "/api/v1/payment-types", t.admin,
                 "{\"name\":\"X\",\"integrated\":\"yes\"}", 422, "invalid_field", "integrated");
    expect_field("POST", "/api/v1/payment-types", t.admin, "{\"name\":\"X\",\"kind\":1}", 422,
                 "invalid_field", "kind");
    expect_field("PATCH", path, t.admin, "{\"name\":\" \"}", 422, "invalid_field", "name");
    th_expect_error(&t, "GET", "/api/v1/payment-types?limit=x", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/payment-types", NULL, NULL, 401, "unauthorized");

    list = th_get(&t, f.staff1, "/api/v1/payment-types?limit=2&after=2");
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 2);
    json_decref(list);
}

/* M7, S2: a return recorded without restocking (a credit memo, by the channel's setting)
 * is restocked later by staff: the lines still off the shelf come back once, those of items
 * that keep no stock stay as they were, and the return's outlet scoping holds. */
Test(sales, m7_a_return_is_restocked_later_once)
{
    json_t *s = call("POST", f.staff1, 201, "/api/v1/sales",
                     "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":3,"
                     "\"unit_price\":1000},{\"item_id\":2,\"quantity\":2},{\"item_id\":3,"
                     "\"quantity\":1}],\"payments\":[{\"payment_type_id\":2,\"amount\":6000}]}");
    int64_t id = th_int(s, "id"), tee = th_int(at(s, "lines", 0), "id"),
            mug = th_int(at(s, "lines", 1), "id"), wrap = th_int(at(s, "lines", 2), "id");
    json_decref(s);
    int64_t tee_before = on_hand(f.tee, 1), mug_before = on_hand(f.mug, 1);
    json_t *r = call("POST", f.staff1, 201, sale_path(id, "/returns"),
                     "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":2,\"restock\":false},"
                     "{\"sale_line_id\":%lld,\"quantity\":1,\"restock\":true},"
                     "{\"sale_line_id\":%lld,\"quantity\":1,\"restock\":false}]}",
                     (long long)tee, (long long)mug, (long long)wrap);
    int64_t rid = th_int(json_object_get(r, "return"), "id");
    json_decref(r);
    cr_expect_eq(on_hand(f.tee, 1), tee_before, "not restocked yet");
    cr_expect_eq(on_hand(f.mug, 1), mug_before + 1);
    int64_t ledger = sql_int("SELECT COUNT(*) FROM stock_ledger");

    char path[96];
    snprintf(path, sizeof(path), "/api/v1/returns/%lld/restock", (long long)rid);
    /* staff of another outlet do not see it */
    th_expect_error(&t, "POST", path, f.staff2, NULL, 404, "not_found");
    r = call("POST", f.staff1, 200, path, NULL);
    cr_expect_eq(th_int(r, "restocked"), 1,
                 "the tee only: the mug was restocked, the wrap "
                 "keeps no stock");
    json_t *lines = json_object_get(json_object_get(r, "return"), "lines");
    cr_expect(json_is_true(json_object_get(json_array_get(lines, 0), "restock")));
    cr_expect(json_is_true(json_object_get(json_array_get(lines, 1), "restock")));
    cr_expect(json_is_false(json_object_get(json_array_get(lines, 2), "restock")));
    json_decref(r);
    cr_expect_eq(on_hand(f.tee, 1), tee_before + 2);
    cr_expect_eq(on_hand(f.mug, 1), mug_before + 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger"), ledger + 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reason = 'return' AND"
                         " reference = 'return:%lld' AND item_id = %lld",
                         (long long)rid, (long long)f.tee),
                 1);
    /* a second time: nothing left */
    th_expect_error(&t, "POST", path, f.staff1, NULL, 409, "conflict");
    cr_expect_eq(on_hand(f.tee, 1), tee_before + 2);
    th_expect_error(&t, "POST", "/api/v1/returns/999999/restock", f.staff1, NULL, 404, "not_found");
}
