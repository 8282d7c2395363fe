/*
 * /api/v1/stock end to end: adjustments and counts, receipts (on order
 * reduced), levels, the stock list (paginated by item) and the ledger,
 * outlet access and roles, every kind of bad input, and the invariant that
 * on hand equals the sum of the ledger after a mix of movements (checked
 * here and again by `stockbridge check` when each test stops).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static int64_t manager_id, staff1_id;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    manager_id = th_sql_int(&t, "SELECT id FROM users WHERE username = 'manager'");
    staff1_id = th_sql_int(&t, "SELECT id FROM users WHERE username = 'staff1'");
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(stock, .init = setup, .fini = teardown);

static int64_t on_hand(int64_t item, int64_t outlet)
{
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = %lld", (long long)item,
             (long long)outlet);
    return th_sql_int(&t, sql);
}

static int64_t ledger_sum(int64_t item, int64_t outlet)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT COALESCE(SUM(on_hand_delta), 0) FROM stock_ledger WHERE item_id = %lld"
             " AND outlet_id = %lld",
             (long long)item, (long long)outlet);
    return th_sql_int(&t, sql);
}

static struct th_resp post(const char *path, const char *token, const char *body, long status)
{
    struct th_resp r = th_req(&t, "POST", path, token, body);
    cr_assert_eq(r.status, status, "POST %s %s -> %ld %s", path, body, r.status, r.body);
    return r;
}

/* I2/I6: "available" is on hand less reserved (what channels are sent, floored at zero). */
static void expect_stock_row(json_t *s, int64_t item, int64_t outlet, int64_t oh, int64_t on_order,
                             int64_t reorder, int64_t max)
{
    cr_expect_eq(th_int(s, "item_id"), item);
    cr_expect_eq(th_int(s, "outlet_id"), outlet);
    cr_expect_eq(th_int(s, "on_hand"), oh);
    cr_expect_eq(th_int(s, "reserved"), 0);
    cr_expect_eq(th_int(s, "available"), oh);
    cr_expect_eq(th_int(s, "on_order"), on_order);
    cr_expect_eq(th_int(s, "reorder_point"), reorder);
    cr_expect_eq(th_int(s, "max_level"), max);
}

/* ---- adjustments and counts ---- */

Test(stock, adjustment_by_delta)
{
    struct th_resp r =
        post("/api/v1/stock/adjustments", f.manager,
             "{\"item_id\":1,\"outlet_id\":1,\"delta\":5,\"note\":\"found a box\"}", 201);
    json_t *s = json_object_get(r.json, "stock");
    expect_stock_row(s, 1, 1, 15, 0, 0, 0);
    cr_expect_str_eq(th_str(s, "sku"), "TEE");
    cr_expect_str_eq(th_str(s, "name"), "T-shirt");
    cr_expect(th_str(s, "updated_at") != NULL);
    json_t *e = json_object_get(r.json, "ledger_entry");
    cr_expect_eq(th_int(e, "id"), 4); /* after the fixture's three */
    cr_expect_eq(th_int(e, "item_id"), 1);
    cr_expect_eq(th_int(e, "outlet_id"), 1);
    cr_expect_str_eq(th_str(e, "reason"), "adjustment");
    cr_expect_eq(th_int(e, "on_hand_delta"), 5);
    cr_expect_eq(th_int(e, "reserved_delta"), 0);
    cr_expect_eq(th_int(e, "on_hand_after"), 15);
    cr_expect_eq(th_int(e, "reserved_after"), 0);
    cr_expect_eq(th_int(e, "user_id"), manager_id);
    cr_expect_str_eq(th_str(e, "note"), "found a box");
    cr_expect(json_is_null(json_object_get(e, "reference")));
    cr_expect(json_is_null(json_object_get(e, "sale_id")));
    th_resp_free(&r);

    r = post("/api/v1/stock/adjustments", f.manager,
             "{\"item_id\":1,\"outlet_id\":1,\"delta\":-15,\"reason\":\"adjustment\","
             "\"reference\":\"damaged\"}",
             201);
    cr_expect_eq(th_int(json_object_get(r.json, "stock"), "on_hand"), 0);
    cr_expect_str_eq(th_str(json_object_get(r.json, "ledger_entry"), "reference"), "damaged");
    th_resp_free(&r);
    cr_expect_eq(on_hand(1, 1), 0);
    cr_expect_eq(ledger_sum(1, 1), 0);
}

Test(stock, decrease_below_zero_is_refused)
{
    th_expect_error(&t, "POST", "/api/v1/stock/adjustments", f.manager,
                    "{\"item_id\":2,\"outlet_id\":1,\"delta\":-4}", 422, "insufficient");
    th_expect_error(&t, "POST", "/api/v1/stock/adjustments", f.manager,
                    "{\"item_id\":2,\"outlet_id\":2,\"delta\":-1}", 422, "insufficient");
}

Test(stock, count_records_the_difference)
{
    struct th_resp r = post("/api/v1/stock/adjustments", f.manager,
                            "{\"item_id\":1,\"outlet_id\":2,\"count\":2}", 201);
    expect_stock_row(json_object_get(r.json, "stock"), 1, 2, 2, 0, 0, 0);
    json_t *e = json_object_get(r.json, "ledger_entry");
    cr_expect_str_eq(th_str(e, "reason"), "count");
    cr_expect_eq(th_int(e, "on_hand_delta"), -3);
    cr_expect_eq(th_int(e, "on_hand_after"), 2);
    th_resp_free(&r);

    /* a count that matches still records that it happened, with 0 */
    r = post("/api/v1/stock/adjustments", f.manager,
             "{\"item_id\":1,\"outlet_id\":2,\"count\":2,\"reason\":\"count\"}", 201);
    e = json_object_get(r.json, "ledger_entry");
    cr_expect_eq(th_int(e, "on_hand_delta"), 0);
    cr_expect_eq(th_int(e, "on_hand_after"), 2);
    th_resp_free(&r);

    /* a count where the item never moved creates the row */
    r = post("/api/v1/stock/adjustments", f.manager, "{\"item_id\":2,\"outlet_id\":2,\"count\":0}",
             201);
    cr_expect_eq(th_int(json_object_get(r.json, "ledger_entry"), "on_hand_delta"), 0);
    th_resp_free(&r);
    int64_t item = th_create(&t, f.manager, "/api/v1/items", "{\"sku\":\"NEW\",\"name\":\"New\"}");
    char body[128];
    snprintf(body, sizeof(body), "{\"item_id\":%lld,\"outlet_id\":1,\"count\":12}",
             (long long)item);
    r = post("/api/v1/stock/adjustments", f.manager, body, 201);
    expect_stock_row(json_object_get(r.json, "stock"), item, 1, 12, 0, 0, 0);
    cr_expect_eq(th_int(json_object_get(r.json, "ledger_entry"), "on_hand_delta"), 12);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger WHERE reason = 'count'"), 4);
}

Test(stock, adjustment_bad_input)
{
    const char *P = "/api/v1/stock/adjustments";
    const char *M = f.manager;
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,", 400, "invalid_json");
    th_expect_error(&t, "POST", P, M, "{\"outlet_id\":1,\"delta\":1}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"delta\":1}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"delta\":0}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"delta\":1.5}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"delta\":\"3\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"delta\":2000000000}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"count\":-1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"count\":3,\"delta\":1}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"item_id\":1,\"outlet_id\":1,\"delta\":1,\"reason\":\"sale\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"item_id\":1,\"outlet_id\":1,\"delta\":1,\"reason\":\"count\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"item_id\":1,\"outlet_id\":1,\"count\":1,\"reason\":\"adjustment\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"item_id\":1,\"outlet_id\":1,\"delta\":1,\"colour\":\"red\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":0,\"outlet_id\":1,\"delta\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":99,\"outlet_id\":1,\"delta\":1}", 422,
                    "unknown_reference");
    th_expect_error(&t, "POST", P, t.admin, "{\"item_id\":1,\"outlet_id\":99,\"delta\":1}", 422,
                    "unknown_reference");
    /* gift wrap does not track stock */
    th_expect_error(&t, "POST", P, M, "{\"item_id\":3,\"outlet_id\":1,\"delta\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":3,\"outlet_id\":1,\"count\":1}", 422,
                    "invalid_field");
}

Test(stock, adjustment_roles_and_outlets)
{
    const char *P = "/api/v1/stock/adjustments";
    const char *body = "{\"item_id\":1,\"outlet_id\":1,\"delta\":1}";
    th_expect_error(&t, "POST", P, f.staff1, body, 403, "forbidden");
    th_expect_error(&t, "POST", P, NULL, body, 401, "unauthorized");
    char m1[SB_TOKEN_LEN];
    int64_t only1[] = { 1, 0 };
    th_user(&t, "m1", "manager", only1, m1);
    th_expect_error(&t, "POST", P, m1, "{\"item_id\":1,\"outlet_id\":2,\"delta\":1}", 403,
                    "outlet_forbidden");
    th_expect_error(&t, "POST", P, m1, "{\"item_id\":1,\"outlet_id\":2,\"count\":1}", 403,
                    "outlet_forbidden");
    struct th_resp r = post(P, m1, body, 201);
    th_resp_free(&r);
}

/* ---- receipts ---- */

Test(stock, receipt_of_several_lines_reduces_on_order)
{
    struct th_resp r = post("/api/v1/stock/levels", f.manager,
                            "{\"item_id\":1,\"outlet_id\":1,\"on_order\":4}", 200);
    th_resp_free(&r);
    r = post("/api/v1/stock/receipts", f.staff1,
             "{\"outlet_id\":1,\"reference\":\"PO-1001\",\"note\":\"morning delivery\","
             "\"lines\":[{\"item_id\":1,\"quantity\":3},{\"item_id\":2,\"quantity\":2}]}",
             201);
    json_t *lines = json_object_get(r.json, "lines");
    cr_assert_eq(json_array_size(lines), 2);
    expect_stock_row(json_array_get(lines, 0), 1, 1, 13, 1, 0, 0);
    expect_stock_row(json_array_get(lines, 1), 2, 1, 5, 0, 0, 0);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger WHERE reason = 'receipt'"
                                " AND reference = 'receipt:PO-1001' AND note = 'morning delivery'"),
                 2);
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM stock_ledger WHERE reference = 'receipt:PO-1001'"
             " AND user_id = %lld",
             (long long)staff1_id);
    cr_expect_eq(th_sql_int(&t, sql), 2);
    cr_expect_eq(th_sql_int(&t, "SELECT on_hand_delta FROM stock_ledger WHERE item_id = 2"
                                " AND reference = 'receipt:PO-1001'"),
                 2);

    /* more than is on order: on order stops at zero; no reference: "receipt" */
    r = post("/api/v1/stock/receipts", f.staff1,
             "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":5}]}", 201);
    expect_stock_row(json_array_get(json_object_get(r.json, "lines"), 0), 1, 1, 18, 0, 0, 0);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger WHERE reference = 'receipt'"),
                 1);
    cr_expect_eq(on_hand(1, 1), ledger_sum(1, 1));
}

Test(stock, receipt_bad_input_changes_nothing)
{
    const char *P = "/api/v1/stock/receipts";
    const char *S = f.staff1;
    th_expect_error(&t, "POST", P, S, "{\"outlet_id\":1", 400, "invalid_json");
    th_expect_error(&t, "POST", P, S, "{\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", P, S, "{\"outlet_id\":1}", 422, "missing_field");
    th_expect_error(&t, "POST", P, S, "{\"outlet_id\":1,\"lines\":[]}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, S, "{\"outlet_id\":1,\"lines\":{}}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, S, "{\"outlet_id\":1,\"lines\":[3]}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, S, "{\"outlet_id\":1,\"lines\":[{\"item_id\":1}]}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", P, S,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":0}]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, S,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":-2}]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, S,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1,\"cost\":5}]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, S,
                    "{\"outlet_id\":1,\"reference\":7,\"lines\":[{\"item_id\":1,\"quantity\":1}]}",
                    422, "invalid_field");
    /* the second line fails: the first is rolled back */
    th_expect_error(&t, "POST", P, S,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1},"
                    "{\"item_id\":42,\"quantity\":1}]}",
                    422, "unknown_reference");
    struct th_resp r = th_req(&t, "POST", P, S,
                              "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1},"
                              "{\"item_id\":3,\"quantity\":1}]}");
    cr_expect_eq(r.status, 422);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), "lines[1].item_id");
    th_resp_free(&r);
    cr_expect_eq(on_hand(1, 1), 10);
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"outlet_id\":99,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
                    "unknown_reference");
    /* staff1 may not receive at outlet 2 */
    th_expect_error(&t, "POST", P, S,
                    "{\"outlet_id\":2,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 403,
                    "outlet_forbidden");
    th_expect_error(&t, "POST", P, NULL,
                    "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 401,
                    "unauthorized");
    /* at most 500 lines */
    size_t cap = 501 * 32 + 64, n = 0;
    char *big = malloc(cap);
    n += (size_t)snprintf(big + n, cap - n, "{\"outlet_id\":1,\"lines\":[");
    for (int i = 0; i < 501; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s{\"item_id\":1,\"quantity\":1}", i ? "," : "");
    snprintf(big + n, cap - n, "]}");
    th_expect_error(&t, "POST", P, S, big, 422, "invalid_field");
    free(big);
}

/* ---- levels ---- */

Test(stock, levels)
{
    struct th_resp r = post("/api/v1/stock/levels", f.manager,
                            "{\"item_id\":2,\"outlet_id\":2,\"on_order\":12,\"reorder_point\":2,"
                            "\"max_level\":20}",
                            200);
    expect_stock_row(r.json, 2, 2, 0, 12, 2, 20);
    th_resp_free(&r);
    /* only what is given changes */
    r = post("/api/v1/stock/levels", f.manager,
             "{\"item_id\":2,\"outlet_id\":2,\"reorder_point\":5}", 200);
    expect_stock_row(r.json, 2, 2, 0, 12, 5, 20);
    th_resp_free(&r);
    /* no ledger entry: levels are not on hand */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger"), 3);
    /* an item that never moved at the outlet gets a row */
    int64_t item = th_create(&t, f.manager, "/api/v1/items", "{\"sku\":\"NEW\",\"name\":\"New\"}");
    char body[128];
    snprintf(body, sizeof(body), "{\"item_id\":%lld,\"outlet_id\":1,\"max_level\":0}",
             (long long)item);
    r = post("/api/v1/stock/levels", f.manager, body, 200);
    expect_stock_row(r.json, item, 1, 0, 0, 0, 0);
    th_resp_free(&r);
    /* the item's GET shows them */
    json_t *it = th_get(&t, f.staff2, "/api/v1/items/2");
    json_t *s = json_array_get(json_object_get(it, "stock"), 0);
    cr_expect_eq(th_int(s, "outlet_id"), 2);
    cr_expect_eq(th_int(s, "on_hand"), 0);
    cr_expect_eq(th_int(s, "on_order"), 12);
    cr_expect_eq(th_int(s, "reorder_point"), 5);
    cr_expect_eq(th_int(s, "max_level"), 20);
    json_decref(it);
}

Test(stock, levels_bad_input)
{
    const char *P = "/api/v1/stock/levels";
    const char *M = f.manager;
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"outlet_id\":1,\"on_order\":1}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"on_order\":-1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"on_order\":\"1\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"item_id\":1,\"outlet_id\":1,\"reorder_point\":5,\"max_level\":4}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"on_hand\":4}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":77,\"outlet_id\":1,\"on_order\":1}", 422,
                    "unknown_reference");
    th_expect_error(&t, "POST", P, M, "{\"item_id\":3,\"outlet_id\":1,\"on_order\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"item_id\":1,\"outlet_id\":9,\"on_order\":1}", 422,
                    "unknown_reference");
    th_expect_error(&t, "POST", P, f.staff1, "{\"item_id\":1,\"outlet_id\":1,\"on_order\":1}", 403,
                    "forbidden");
    th_expect_error(&t, "POST", P, M, "not json", 400, "invalid_json");
    /* the pair is checked against what is stored */
    struct th_resp r = post(P, M, "{\"item_id\":1,\"outlet_id\":1,\"max_level\":10}", 200);
    th_resp_free(&r);
    th_expect_error(&t, "POST", P, M, "{\"item_id\":1,\"outlet_id\":1,\"reorder_point\":11}", 422,
                    "invalid_field");
}

/* ---- the list ---- */

static void rows_of(json_t *page, char *buf, size_t cap)
{
    size_t n = 0, i;
    json_t *row;
    buf[0] = '\0';
    json_array_foreach(json_object_get(page, "data"), i, row) n +=
        (size_t)snprintf(buf + n, cap - n, "%s%lld@%lld", i ? "," : "",
                         (long long)th_int(row, "item_id"), (long long)th_int(row, "outlet_id"));
}

static void expect_rows(const char *token, const char *query, const char *want,
                        long long next_after)
{
    json_t *page = th_get(&t, token, "/api/v1/stock%s", query);
    char got[256];
    rows_of(page, got, sizeof(got));
    cr_expect_str_eq(got, want, "GET /api/v1/stock%s", query);
    json_t *next = json_object_get(page, "next_after");
    if (next_after)
        cr_expect_eq(json_integer_value(next), next_after, "%s next_after", query);
    else
        cr_expect(json_is_null(next), "%s next_after should be null", query);
    json_decref(page);
}

Test(stock, list_is_scoped_filtered_and_paginated_by_item)
{
    expect_rows(f.manager, "", "1@1,1@2,2@1,2@2", 0);
    expect_rows(t.admin, "", "1@1,1@2,2@1,2@2", 0);
    expect_rows(f.staff1, "", "1@1,2@1", 0);
    expect_rows(f.staff2, "?item_id=1", "1@2", 0);
    expect_rows(f.manager, "?item_id=2", "2@1,2@2", 0);
    expect_rows(f.manager, "?outlet_id=2", "1@2,2@2", 0);
    expect_rows(f.manager, "?item_id=1&outlet_id=1", "1@1", 0);
    expect_rows(f.manager, "?item_id=3", "", 0);
    /* a page holds whole items: limit counts items */
    expect_rows(f.manager, "?limit=1", "1@1,1@2", 1);
    expect_rows(f.manager, "?limit=1&after=1", "2@1,2@2", 2);
    expect_rows(f.manager, "?limit=1&after=2", "", 0);
    expect_rows(f.staff1, "?limit=1&after=1", "2@1", 2);

    json_t *page = th_get(&t, f.staff1, "/api/v1/stock?item_id=1");
    json_t *row = json_array_get(json_object_get(page, "data"), 0);
    cr_expect_str_eq(th_str(row, "sku"), "TEE");
    cr_expect_str_eq(th_str(row, "name"), "T-shirt");
    expect_stock_row(row, 1, 1, 10, 0, 0, 0);
    cr_expect_str_eq(th_str(row, "updated_at"), "2026-01-01T00:00:00Z");
    json_decref(page);

    th_expect_error(&t, "GET", "/api/v1/stock?outlet_id=2", f.staff1, NULL, 403,
                    "outlet_forbidden");
    th_expect_error(&t, "GET", "/api/v1/stock?outlet_id=x", f.staff1, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/stock?item_id=0", f.staff1, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/stock?limit=1000", f.staff1, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/stock", NULL, NULL, 401, "unauthorized");
}

/* ---- the ledger ---- */

Test(stock, ledger_listing)
{
    struct th_resp r = post("/api/v1/stock/adjustments", f.manager,
                            "{\"item_id\":1,\"outlet_id\":2,\"delta\":-2}", 201);
    th_resp_free(&r);
    r = post("/api/v1/stock/receipts", f.staff1,
             "{\"outlet_id\":1,\"reference\":\"PO-7\",\"lines\":[{\"item_id\":1,\"quantity\":4}]}",
             201);
    th_resp_free(&r);

    json_t *page = th_get(&t, f.manager, "/api/v1/stock/ledger?item_id=1");
    json_t *data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 4);
    static const struct {
        int64_t id, outlet, delta, after;
        const char *reason;
    } want[] = { { 1, 1, 10, 10, "receipt" },
                 { 2, 2, 5, 5, "receipt" },
                 { 4, 2, -2, 3, "adjustment" },
                 { 5, 1, 4, 14, "receipt" } };
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(data, i);
        cr_expect_eq(th_int(e, "id"), want[i].id);
        cr_expect_eq(th_int(e, "item_id"), 1);
        cr_expect_eq(th_int(e, "outlet_id"), want[i].outlet);
        cr_expect_eq(th_int(e, "on_hand_delta"), want[i].delta);
        cr_expect_eq(th_int(e, "on_hand_after"), want[i].after);
        cr_expect_str_eq(th_str(e, "reason"), want[i].reason);
        cr_expect(th_str(e, "created_at") != NULL);
    }
    cr_expect_str_eq(th_str(json_array_get(data, 3), "reference"), "receipt:PO-7");
    cr_expect_eq(th_int(json_array_get(data, 3), "user_id"), staff1_id);
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);

    /* staff1 sees outlet 1's entries only */
    page = th_get(&t, f.staff1, "/api/v1/stock/ledger?item_id=1");
    data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 2);
    cr_expect_eq(th_int(json_array_get(data, 0), "id"), 1);
    cr_expect_eq(th_int(json_array_get(data, 1), "id"), 5);
    json_decref(page);

    page = th_get(&t, f.manager, "/api/v1/stock/ledger?item_id=1&outlet_id=2&limit=1");
    data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 1);
    cr_expect_eq(th_int(json_array_get(data, 0), "id"), 2);
    cr_expect_eq(th_int(page, "next_after"), 2);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/stock/ledger?item_id=1&outlet_id=2&limit=1&after=2");
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), 4);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/stock/ledger?item_id=99");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 0);
    json_decref(page);

    th_expect_error(&t, "GET", "/api/v1/stock/ledger", f.manager, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/stock/ledger?outlet_id=1", f.manager, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/stock/ledger?item_id=abc", f.manager, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/stock/ledger?item_id=1&outlet_id=2", f.staff1, NULL, 403,
                    "outlet_forbidden");
    th_expect_error(&t, "GET", "/api/v1/stock/ledger?item_id=1", NULL, NULL, 401, "unauthorized");
}

/* ---- the invariant ---- */

/* I1/I3: stock changes only through the ledger, so every change (receipt, count,
 * adjustment) is one entry that explains it and on hand is their sum. */
Test(stock, on_hand_equals_the_sum_of_the_ledger)
{
    static const struct {
        const char *path, *token, *body;
    } steps[] = {
        { "/api/v1/stock/adjustments", "M", "{\"item_id\":1,\"outlet_id\":1,\"delta\":7}" },
        { "/api/v1/stock/receipts", "S",
          "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":2},{\"item_id\":2,"
          "\"quantity\":9},{\"item_id\":1,\"quantity\":1}]}" },
        { "/api/v1/stock/adjustments", "M", "{\"item_id\":2,\"outlet_id\":1,\"count\":4}" },
        { "/api/v1/stock/adjustments", "M", "{\"item_id\":1,\"outlet_id\":2,\"delta\":-5}" },
        { "/api/v1/stock/receipts", "M",
          "{\"outlet_id\":2,\"lines\":[{\"item_id\":2,\"quantity\":6}]}" },
        { "/api/v1/stock/adjustments", "M", "{\"item_id\":1,\"outlet_id\":1,\"count\":3}" },
        { "/api/v1/stock/adjustments", "M", "{\"item_id\":2,\"outlet_id\":2,\"delta\":-6}" },
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct th_resp r = post(steps[i].path, steps[i].token[0] == 'M' ? f.manager : f.staff1,
                                steps[i].body, 201);
        th_resp_free(&r);
    }
    cr_expect_eq(on_hand(1, 1), 3);
    cr_expect_eq(on_hand(2, 1), 4);
    cr_expect_eq(on_hand(1, 2), 0);
    cr_expect_eq(on_hand(2, 2), 0);
    for (int64_t item = 1; item <= 2; item++)
        for (int64_t outlet = 1; outlet <= 2; outlet++)
            cr_expect_eq(on_hand(item, outlet), ledger_sum(item, outlet), "item %lld outlet %lld",
                         (long long)item, (long long)outlet);
    /* every entry's running figure matches the sum of the entries up to it */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger l WHERE on_hand_after <>"
                                " (SELECT SUM(on_hand_delta) FROM stock_ledger k"
                                " WHERE k.item_id = l.item_id AND k.outlet_id = l.outlet_id"
                                " AND k.id <= l.id)"),
                 0);
    /* the ledger refuses changes (append-only) */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger"), 12);
}
