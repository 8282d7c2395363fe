/*
 * Purchase orders to suppliers (issue 16 item 1), through the API on the
 * real server: a draft with lines, ordered (stock.on_order grows by exactly
 * its quantities at its outlet), received in part and then in full through
 * the stock receipt (on hand up, on order down, ledger entries that name the
 * order, I3), cancelled (what was outstanding leaves on order, a figure set
 * by hand stays); over-receipt refused; a delivery retried with its
 * reference received once; outlet scoping; bad requests answered 4xx naming
 * the field and changing nothing; and SPEC I7: an export channel that
 * publishes by on order publishes an item only on order. `stockbridge check`
 * at teardown (the ledger agrees with the stock rows).
 */
#include "harness.h"
#include "store/sessions.h"
#include "store/users.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static int64_t supplier;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    supplier = th_create(&t, f.manager, "/api/v1/suppliers",
                         "{\"name\":\"Acme Textiles\",\"email\":\"orders@acme.example\"}");
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(purchase_orders, .init = setup, .fini = teardown, .timeout = 120);

static int64_t on_order(int64_t item, int64_t outlet)
{
    return th_sql_intf(&t,
                       "SELECT COALESCE(SUM(on_order), 0) FROM stock WHERE item_id = %lld AND"
                       " outlet_id = %lld",
                       (long long)item, (long long)outlet);
}

static int64_t on_hand(int64_t item, int64_t outlet)
{
    return th_sql_intf(&t,
                       "SELECT COALESCE(SUM(on_hand), 0) FROM stock WHERE item_id = %lld AND"
                       " outlet_id = %lld",
                       (long long)item, (long long)outlet);
}

/* A draft at outlet for the lines given (a JSON array's text). */
static int64_t draft(int64_t outlet, const char *lines)
{
    return th_create(&t, f.manager, "/api/v1/purchase-orders",
                     "{\"supplier_id\":%lld,\"outlet_id\":%lld,\"expected_on\":\"2026-02-01\","
                     "\"note\":\"spring stock\",\"lines\":%s}",
                     (long long)supplier, (long long)outlet, lines);
}

/* POST /purchase-orders/{id}/<action> that must answer want; the order it answers. */
static json_t *act(int64_t id, const char *action, const char *token, const char *body, long want)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld/%s", (long long)id, action);
    struct th_resp r = th_req(&t, "POST", path, token, body ? body : "{}");
    cr_assert_eq(r.status, want, "%s: want %ld, got %ld %s", path, want, r.status, r.body);
    json_t *doc = json_incref(r.json);
    th_resp_free(&r);
    return doc;
}

static json_t *line_of(json_t *po, int64_t item)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(po, "lines"), i, l)
    {
        if (th_int(l, "item_id") == item)
            return l;
    }
    cr_assert_fail("no line for item %lld", (long long)item);
    return NULL;
}

/* A refused request: status, code and field as given, and the database unchanged. */
static void refused(const char *method, const char *path, const char *token, const char *body,
                    long status, const char *code, const char *field)
{
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = th_req(&t, method, path, token, body);
    cr_expect_eq(r.status, status, "%s %s %s: want %ld, got %ld %s", method, path, body ? body : "",
                 status, r.status, r.body);
    json_t *e = json_object_get(r.json, "error");
    cr_expect_str_eq(th_str(e, "code"), code, "%s %s", body ? body : "", r.body);
    if (field)
        cr_expect_str_eq(th_str(e, "field"), field, "%s %s", body ? body : "", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before, "%s %s %s changed the database", method, path,
                 body ? body : "");
}

Test(purchase_orders, ordered_then_received_in_part_and_in_full)
{
    /* issue 16 item 1; I3: receipts reach the ledger and the channels' queue */
    int64_t id = draft(f.outlet1, "[{\"item_id\":1,\"quantity\":6,\"unit_cost\":700},"
                                  "{\"item_id\":2,\"quantity\":4}]");
    json_t *po = th_get(&t, f.staff1, "/api/v1/purchase-orders/%lld", (long long)id);
    cr_expect_str_eq(th_str(po, "status"), "draft");
    char number[32];
    snprintf(number, sizeof(number), "%s", th_str(po, "number"));
    cr_expect_eq(strncmp(number, "PO-", 3), 0, "%s", number);
    cr_expect_str_eq(th_str(po, "supplier_name"), "Acme Textiles");
    cr_expect_str_eq(th_str(po, "currency"), "USD", "the outlet's currency");
    cr_expect_str_eq(th_str(po, "expected_on"), "2026-02-01");
    /* the mug's cost is the item's default cost (400) when none is given */
    cr_expect_eq(th_int(line_of(po, f.mug), "unit_cost"), 400);
    cr_expect_eq(th_int(po, "total"), 6 * 700 + 4 * 400);
    int64_t tee_line = th_int(line_of(po, f.tee), "id");
    json_decref(po);
    /* a draft holds nothing on order */
    cr_expect_eq(on_order(f.tee, f.outlet1), 0);

    /* staff do not order; the manager does: on order grows by exactly the quantities, at
     * the order's outlet only */
    json_decref(act(id, "order", f.staff1, NULL, 403));
    int64_t queued = th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger");
    po = act(id, "order", f.manager, NULL, 200);
    cr_expect_str_eq(th_str(po, "status"), "ordered");
    cr_expect(json_is_string(json_object_get(po, "ordered_at")));
    json_decref(po);
    cr_expect_eq(on_order(f.tee, f.outlet1), 6);
    cr_expect_eq(on_order(f.mug, f.outlet1), 4);
    cr_expect_eq(on_order(f.tee, f.outlet2), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger"), queued,
                 "ordering moves no stock");
    /* a placed order is not edited */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld", (long long)id);
    refused("PATCH", path, f.manager, "{\"note\":\"x\"}", 409, "invalid_transition", "status");

    /* staff receive part: 2 tees by line, the 4 mugs by item */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"reference\":\"DN-1\",\"lines\":[{\"line_id\":%lld,\"quantity\":2},"
             "{\"item_id\":2,\"quantity\":4}]}",
             (long long)tee_line);
    po = act(id, "receive", f.staff1, body, 201);
    cr_expect_str_eq(th_str(po, "status"), "partial");
    cr_expect(json_is_false(json_object_get(po, "replayed")));
    cr_expect_eq(th_int(line_of(po, f.tee), "received"), 2);
    cr_expect_eq(th_int(line_of(po, f.tee), "outstanding"), 4);
    cr_expect_eq(th_int(line_of(po, f.mug), "outstanding"), 0);
    cr_expect_eq(json_array_size(json_object_get(po, "receipts")), 1);
    json_decref(po);
    cr_expect_eq(on_hand(f.tee, f.outlet1), 12);
    cr_expect_eq(on_hand(f.mug, f.outlet1), 7);
    cr_expect_eq(on_order(f.tee, f.outlet1), 4);
    cr_expect_eq(on_order(f.mug, f.outlet1), 0);
    cr_expect_eq(th_sql_intf(&t,
                             "SELECT COUNT(*) FROM stock_ledger WHERE reason = 'receipt' AND"
                             " reference = 'receipt:%s' AND user_id IS NOT NULL",
                             number),
                 2, "one ledger entry per line, naming the order");

    /* the rest */
    po = act(id, "receive", f.staff1, "{\"lines\":[{\"item_id\":1,\"quantity\":4}]}", 201);
    cr_expect_str_eq(th_str(po, "status"), "received");
    cr_expect(json_is_string(json_object_get(po, "closed_at")));
    cr_expect_eq(th_int(po, "received"), 10);
    json_decref(po);
    cr_expect_eq(on_hand(f.tee, f.outlet1), 16);
    cr_expect_eq(on_order(f.tee, f.outlet1), 0);
    cr_expect_eq(
        th_sql_intf(&t, "SELECT COUNT(*) FROM stock_ledger WHERE reference = 'receipt:%s'", number),
        3);
    /* I3: the received items wait in the queue of a channel that stocks from the outlet
     * (none here) - the queue's writer ran: the stock rows' figures are the API's */
    json_t *stock = th_get(&t, f.staff1, "/api/v1/stock?item_id=1&outlet_id=1");
    json_t *row = json_array_get(json_object_get(stock, "data"), 0);
    cr_expect_eq(th_int(row, "on_hand"), 16);
    cr_expect_eq(th_int(row, "on_order"), 0);
    json_decref(stock);
    /* nothing is left to receive, nor to cancel */
    refused("POST", "/api/v1/purchase-orders/1/receive", f.staff1,
            "{\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 409, "invalid_transition", "status");
    refused("POST", "/api/v1/purchase-orders/1/cancel", f.manager, "{}", 409, "invalid_transition",
            "status");
}

Test(purchase_orders, cancelling_takes_what_was_outstanding_off_on_order)
{
    /* issue 16 item 1: on order set by hand (POST /stock/levels) is the same figure; a
     * purchase order adds to it and takes back only its own share */
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/levels", f.manager,
                              "{\"item_id\":1,\"outlet_id\":1,\"on_order\":5}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    int64_t id = draft(f.outlet1, "[{\"item_id\":1,\"quantity\":10}]");
    json_decref(act(id, "order", f.manager, NULL, 200));
    cr_expect_eq(on_order(f.tee, f.outlet1), 15);
    json_decref(act(id, "receive", f.staff1, "{\"lines\":[{\"item_id\":1,\"quantity\":3}]}", 201));
    cr_expect_eq(on_order(f.tee, f.outlet1), 12);
    json_decref(act(id, "cancel", f.staff1, NULL, 403));
    json_t *po = act(id, "cancel", f.manager, NULL, 200);
    cr_expect_str_eq(th_str(po, "status"), "cancelled");
    cr_expect_eq(th_int(line_of(po, f.tee), "received"), 3, "what came in stays received");
    json_decref(po);
    cr_expect_eq(on_order(f.tee, f.outlet1), 5, "the figure set by hand is left");
    cr_expect_eq(on_hand(f.tee, f.outlet1), 13);
    /* never below zero: the figure set by hand lowered under the order's share */
    int64_t id2 = draft(f.outlet1, "[{\"item_id\":2,\"quantity\":4}]");
    json_decref(act(id2, "order", f.manager, NULL, 200));
    r = th_req(&t, "POST", "/api/v1/stock/levels", f.manager,
               "{\"item_id\":2,\"outlet_id\":1,\"on_order\":1}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    json_decref(act(id2, "cancel", f.manager, NULL, 200));
    cr_expect_eq(on_order(f.mug, f.outlet1), 0);
    /* a draft cancelled holds nothing to give back */
    int64_t id3 = draft(f.outlet2, "[{\"item_id\":1,\"quantity\":7}]");
    json_decref(act(id3, "cancel", f.manager, NULL, 200));
    cr_expect_eq(on_order(f.tee, f.outlet2), 0);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld/order", (long long)id3);
    refused("POST", path, f.manager, "{}", 409, "invalid_transition", "status");
}

Test(purchase_orders, more_than_outstanding_is_refused_and_nothing_changes)
{
    /* issue 16 item 1: an order is never over-received (extra goods are a stock receipt) */
    int64_t id =
        draft(f.outlet1, "[{\"item_id\":1,\"quantity\":2},{\"item_id\":2,\"quantity\":1}]");
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld/receive", (long long)id);
    refused("POST", path, f.staff1, "{\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 409,
            "invalid_transition", "status");
    json_decref(act(id, "order", f.manager, NULL, 200));
    refused("POST", path, f.staff1,
            "{\"lines\":[{\"item_id\":2,\"quantity\":1},{\"item_id\":1,\"quantity\":3}]}", 409,
            "conflict", "lines[1].quantity");
    /* the same line twice in one delivery counts both */
    refused("POST", path, f.staff1,
            "{\"lines\":[{\"item_id\":1,\"quantity\":2},{\"item_id\":1,\"quantity\":1}]}", 409,
            "conflict", "lines[1].quantity");
    /* a line of another order, an item not on this one */
    int64_t other = draft(f.outlet1, "[{\"item_id\":2,\"quantity\":1}]");
    int64_t other_line = th_sql_intf(
        &t, "SELECT id FROM purchase_order_lines WHERE purchase_order_id = %lld", (long long)other);
    char body[128];
    snprintf(body, sizeof(body), "{\"lines\":[{\"line_id\":%lld,\"quantity\":1}]}",
             (long long)other_line);
    refused("POST", path, f.staff1, body, 422, "unknown_reference", "lines[0].line_id");
    refused("POST", path, f.staff1, "{\"lines\":[{\"item_id\":3,\"quantity\":1}]}", 422,
            "unknown_reference", "lines[0].item_id");
    cr_expect_eq(on_order(f.tee, f.outlet1), 2);
    cr_expect_eq(on_hand(f.tee, f.outlet1), 10);
}

Test(purchase_orders, a_delivery_retried_with_its_reference_is_received_once)
{
    /* issue 16 item 1: a lost answer retried does not double the stock */
    int64_t id = draft(f.outlet1, "[{\"item_id\":1,\"quantity\":5}]");
    json_decref(act(id, "order", f.manager, NULL, 200));
    const char *body = "{\"reference\":\"DN-77\",\"lines\":[{\"item_id\":1,\"quantity\":2}]}";
    json_decref(act(id, "receive", f.staff1, body, 201));
    uint64_t before = th_fingerprint(&t);
    json_t *po = act(id, "receive", f.staff1, body, 200);
    cr_expect(json_is_true(json_object_get(po, "replayed")));
    cr_expect_eq(th_int(line_of(po, f.tee), "received"), 2);
    json_decref(po);
    cr_expect_eq(th_fingerprint(&t), before, "the retry changed the database");
    cr_expect_eq(on_hand(f.tee, f.outlet1), 12);
    cr_expect_eq(on_order(f.tee, f.outlet1), 3);
    /* another reference is another delivery */
    json_decref(act(id, "receive", f.staff1,
                    "{\"reference\":\"DN-78\",\"lines\":[{\"item_id\":1,\"quantity\":3}]}", 201));
    cr_expect_eq(on_hand(f.tee, f.outlet1), 15);
}

Test(purchase_orders, another_outlets_users_neither_see_nor_touch_an_order)
{
    /* outlet scoping (issue 9): an order at outlet 1 is not found from outlet 2 */
    int64_t id = draft(f.outlet1, "[{\"item_id\":1,\"quantity\":2}]");
    json_decref(act(id, "order", f.manager, NULL, 200));
    char manager2[SB_TOKEN_LEN];
    int64_t o2[] = { 2, 0 };
    th_user(&t, "manager2", "manager", o2, manager2);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld", (long long)id);
    refused("GET", path, f.staff2, NULL, 404, "not_found", NULL);
    refused("PATCH", path, manager2, "{\"note\":\"x\"}", 404, "not_found", NULL);
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld/receive", (long long)id);
    refused("POST", path, f.staff2, "{\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 404,
            "not_found", NULL);
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld/cancel", (long long)id);
    refused("POST", path, manager2, "{}", 404, "not_found", NULL);
    char body[160];
    snprintf(body, sizeof(body),
             "{\"supplier_id\":%lld,\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}",
             (long long)supplier);
    refused("POST", "/api/v1/purchase-orders", manager2, body, 403, "outlet_forbidden", NULL);
    refused("GET", "/api/v1/purchase-orders?outlet_id=1", f.staff2, NULL, 403, "outlet_forbidden",
            NULL);
    json_t *page = th_get(&t, f.staff2, "/api/v1/purchase-orders");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 0);
    json_decref(page);
    page = th_get(&t, f.staff1, "/api/v1/purchase-orders");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 1);
    json_decref(page);
}

Test(purchase_orders, bad_requests_name_the_field_and_change_nothing)
{
    /* network input is hostile: 4xx naming the field, nothing written */
    char ok_head[64];
    snprintf(ok_head, sizeof(ok_head), "{\"supplier_id\":%lld,\"outlet_id\":1",
             (long long)supplier);
    static const struct {
        const char *tail;
        long status;
        const char *code, *field;
    } cases[] = {
        { "}", 422, "missing_field", "lines" },
        { ",\"lines\":[]}", 422, "invalid_field", "lines" },
        { ",\"lines\":[1]}", 422, "invalid_field", "lines[0]" },
        { ",\"lines\":[{\"quantity\":1}]}", 422, "missing_field", "lines[0].item_id" },
        { ",\"lines\":[{\"item_id\":1,\"quantity\":0}]}", 422, "invalid_field",
          "lines[0].quantity" },
        { ",\"lines\":[{\"item_id\":1,\"quantity\":1,\"unit_cost\":-1}]}", 422, "invalid_field",
          "lines[0].unit_cost" },
        { ",\"lines\":[{\"item_id\":1,\"quantity\":1},{\"item_id\":1,\"quantity\":2}]}", 422,
          "invalid_field", "lines[1].item_id" },
        { ",\"lines\":[{\"item_id\":999,\"quantity\":1}]}", 422, "unknown_reference",
          "lines[0].item_id" },
        { ",\"lines\":[{\"item_id\":3,\"quantity\":1}]}", 422, "invalid_field",
          "lines[0].item_id" },
        { ",\"expected_on\":\"soon\",\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
          "invalid_field", "expected_on" },
        { ",\"currency\":\"XXY\",\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422, "invalid_field",
          "currency" },
        { ",\"colour\":\"red\",\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422, "invalid_field",
          "colour" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[512];
        snprintf(body, sizeof(body), "%s%s", ok_head, cases[i].tail);
        refused("POST", "/api/v1/purchase-orders", f.manager, body, cases[i].status, cases[i].code,
                cases[i].field);
    }
    refused("POST", "/api/v1/purchase-orders", f.manager,
            "{\"supplier_id\":999,\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
            "unknown_reference", "supplier_id");
    refused("POST", "/api/v1/purchase-orders", f.manager, "{\"outlet_id\":1,\"lines\":[]}", 422,
            "missing_field", "supplier_id");
    refused("POST", "/api/v1/purchase-orders", f.manager, "not json", 400, "invalid_json", NULL);
    refused("POST", "/api/v1/purchase-orders", f.staff1, "{}", 403, "forbidden", NULL);
    refused("GET", "/api/v1/purchase-orders?status=open", f.staff1, NULL, 400, "invalid_query",
            "status");
    refused("GET", "/api/v1/purchase-orders/999", f.staff1, NULL, 404, "not_found", NULL);
    /* receive */
    int64_t id = draft(f.outlet1, "[{\"item_id\":1,\"quantity\":2}]");
    json_decref(act(id, "order", f.manager, NULL, 200));
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/purchase-orders/%lld/receive", (long long)id);
    refused("POST", path, f.staff1, "{\"lines\":[{\"quantity\":1}]}", 422, "missing_field",
            "lines[0].line_id");
    refused("POST", path, f.staff1, "{\"lines\":[{\"item_id\":1}]}", 422, "missing_field",
            "lines[0].quantity");
    refused("POST", path, f.staff1, "{\"lines\":[{\"item_id\":1,\"quantity\":-2}]}", 422,
            "invalid_field", "lines[0].quantity");
    refused("POST", path, f.staff1, "{}", 422, "missing_field", "lines");
    /* suppliers */
    refused("POST", "/api/v1/suppliers", f.manager, "{\"email\":\"a@b.c\"}", 422, "missing_field",
            "name");
    refused("POST", "/api/v1/suppliers", f.manager, "{\"name\":\"  \"}", 422, "invalid_field",
            "name");
    refused("POST", "/api/v1/suppliers", f.manager, "{\"name\":\"X\",\"email\":\"nope\"}", 422,
            "invalid_field", "email");
    refused("POST", "/api/v1/suppliers", f.manager, "{\"name\":\" acme TEXTILES \"}", 409,
            "duplicate", "name");
    refused("POST", "/api/v1/suppliers", f.staff1, "{\"name\":\"Y\"}", 403, "forbidden", NULL);
}

Test(purchase_orders, drafts_are_edited_and_the_list_filters_newest_first)
{
    /* issue 16 item 1: the list (status, supplier, outlet, q = number or supplier name) */
    int64_t other = th_create(&t, f.manager, "/api/v1/suppliers", "{\"name\":\"Mugs & Co\"}");
    int64_t a = draft(f.outlet1, "[{\"item_id\":1,\"quantity\":2}]");
    int64_t b = th_create(&t, f.manager, "/api/v1/purchase-orders",
                          "{\"supplier_id\":%lld,\"outlet_id\":2,\"lines\":[{\"item_id\":2,"
                          "\"quantity\":3}]}",
                          (long long)other);
    int64_t c = draft(f.outlet1, "[{\"item_id\":2,\"quantity\":1}]");
    /* a draft's lines are replaced whole */
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/purchase-orders/1", f.manager,
                              "{\"note\":null,\"expected_on\":\"2026-03-01\",\"lines\":"
                              "[{\"item_id\":2,\"quantity\":9,\"unit_cost\":350}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_null(json_object_get(r.json, "note")));
    cr_expect_str_eq(th_str(r.json, "expected_on"), "2026-03-01");
    cr_expect_eq(json_array_size(json_object_get(r.json, "lines")), 1);
    cr_expect_eq(th_int(r.json, "total"), 9 * 350);
    th_resp_free(&r);
    json_decref(act(b, "order", f.manager, NULL, 200));

    json_t *page = th_get(&t, f.manager, "/api/v1/purchase-orders");
    json_t *data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 3);
    cr_expect_eq(th_int(json_array_get(data, 0), "id"), c, "newest first");
    cr_expect_eq(th_int(json_array_get(data, 2), "id"), a);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?limit=2");
    cr_expect_eq(th_int(page, "next_after"), b);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?after=%lld", (long long)b);
    cr_assert_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), a);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?status=ordered");
    cr_assert_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), b);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?q=MUGS");
    cr_assert_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), b);
    json_decref(page);
    json_t *po = th_get(&t, f.manager, "/api/v1/purchase-orders/%lld", (long long)c);
    char q[48];
    snprintf(q, sizeof(q), "%s", th_str(po, "number"));
    json_decref(po);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?q=%s", q);
    cr_assert_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), c);
    json_decref(page);
    /* its digits alone, or lower case without the dash, find it too (by the unique index) */
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?q=%lld", (long long)c);
    cr_assert_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), c);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?q=po%lld", (long long)c);
    cr_assert_eq(json_array_size(json_object_get(page, "data")), 1);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?q=999999");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 0);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/purchase-orders?supplier_id=%lld&outlet_id=1",
                  (long long)supplier);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 2);
    json_decref(page);
    /* suppliers: found by part of a name, renamed */
    page = th_get(&t, f.staff1, "/api/v1/suppliers?q=acme");
    cr_assert_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), supplier);
    json_decref(page);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/suppliers/%lld", (long long)other);
    r = th_req(&t, "PATCH", path, f.manager, "{\"name\":\"Mugs and Co\",\"phone\":\"555-0199\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "name"), "Mugs and Co");
    cr_expect_str_eq(th_str(r.json, "phone"), "555-0199");
    th_resp_free(&r);
}

/* ---- SPEC I7 through the export channel's catalogue ---- */

static void admin_password(void)
{
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    int64_t id = 0;
    cr_assert_eq(sb_db_int(db, &id, "SELECT id FROM users WHERE username = 'admin'", NULL), SB_OK);
    cr_assert_eq(sb_store_user_set_password(db, id, "admin-secret"), SB_OK);
    sb_store_release(t.store, db);
}

/* The ids of the catalogue's published items, as "1,5" text. */
static void published(const char *token, char *out, size_t cap)
{
    json_t *doc = th_get(&t, token, "/api/v1/connection/catalogue");
    size_t i, n = 0;
    json_t *it;
    out[0] = '\0';
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        n +=
            (size_t)snprintf(out + n, cap - n, "%s%lld", i ? "," : "", (long long)th_int(it, "id"));
        cr_assert_lt(n, cap);
    }
    json_decref(doc);
}

Test(purchase_orders, i7_an_item_on_order_is_published_by_the_on_order_filter)
{
    /* RULE I7: on-order > 0 publishes an item (the filter on, on-hand off) */
    admin_password();
    struct th_resp r = th_req(&t, "POST", "/api/v1/connection", NULL,
                              "{\"username\":\"admin\",\"password\":\"admin-secret\","
                              "\"webstore_id\":\"site-1\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    char token[SB_TOKEN_LEN];
    snprintf(token, sizeof(token), "%s", th_str(r.json, "token"));
    th_resp_free(&r);
    r = th_req(&t, "PATCH", "/api/v1/connection", token,
               "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":1}],\"employee_id\":1,"
               "\"register_id\":1,\"settings\":{\"publish_on_hand\":false,"
               "\"publish_on_order\":true}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    char ids[64];
    published(token, ids, sizeof(ids));
    cr_expect_str_eq(ids, "", "nothing is on order yet");

    int64_t id = draft(f.outlet1, "[{\"item_id\":2,\"quantity\":4}]");
    published(token, ids, sizeof(ids));
    cr_expect_str_eq(ids, "", "a draft orders nothing");
    json_decref(act(id, "order", f.manager, NULL, 200));
    published(token, ids, sizeof(ids));
    char want[32];
    snprintf(want, sizeof(want), "%lld", (long long)f.mug);
    cr_expect_str_eq(ids, want, "the mug is on order");
    json_decref(act(id, "receive", f.staff1, "{\"lines\":[{\"item_id\":2,\"quantity\":1}]}", 201));
    published(token, ids, sizeof(ids));
    cr_expect_str_eq(ids, want, "3 still on order");
    json_decref(act(id, "cancel", f.manager, NULL, 200));
    published(token, ids, sizeof(ids));
    cr_expect_str_eq(ids, "", "nothing on order after the cancel");
}
