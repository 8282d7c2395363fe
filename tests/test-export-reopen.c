/*
 * Reopening an exported sale (SPEC E9; issue 14 item 5) and clearing its
 * review flag (E8), end to end: POST /api/v1/sales/{id}/reopen changes the
 * outlet (the stock follows through compensating ledger movements, which the
 * change feed shows), the register, the customer, adds a note; every change
 * is in the sale's history with who and when; every refusal writes nothing;
 * two reopens at once end consistent. POST /api/v1/sales/{id}/review clears
 * the flag, recorded the same way.
 */
#include "export-test.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    te_start(&t, &f);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(export_reopen, .init = setup, .fini = teardown, .timeout = 120);

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

#define REVIEW "refunded on the webstore (E8): check the money was returned there"

/* A connection on site-1 with order 1001 exported to outlet 1 (register 1): its sale id;
 * the token into out. TEE 10 -> 8 and MUG 3 -> 2 at outlet 1. */
static int64_t exported(char out[SB_TOKEN_LEN])
{
    te_connect(&t, "site-1", true, out);
    struct th_resp r = te_export(&t, out, ORDER("1001", PAID_BY_CARD));
    int64_t sale = th_int(te_result(&r, 0), "sale_id");
    th_resp_free(&r);
    cr_assert_eq(sql_int("SELECT outlet_id FROM sales WHERE id = %lld", (long long)sale), 1);
    cr_assert_eq(sql_int("SELECT register_id FROM sales WHERE id = %lld", (long long)sale), 1);
    cr_assert_eq(te_on_hand(&t, f.tee, 1), 8);
    cr_assert_eq(te_on_hand(&t, f.mug, 1), 2);
    return sale;
}

static struct th_resp post(const char *token, int64_t sale, const char *action, const char *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/%s", (long long)sale, action);
    return th_req(&t, "POST", path, token, body);
}

/* Reopens and asserts 200; returns the sale as answered (caller decrefs). */
static json_t *reopen(const char *token, int64_t sale, const char *body)
{
    struct th_resp r = post(token, sale, "reopen", body);
    cr_assert_eq(r.status, 200, "%s: %s", body, r.body);
    json_t *doc = json_incref(r.json);
    th_resp_free(&r);
    return doc;
}

static void expect_refused(const char *token, int64_t sale, const char *action, const char *body,
                           long status, const char *code, const char *field)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/%s", (long long)sale, action);
    th_expect_error(&t, "POST", path, token, body, status, code);
    if (!field)
        return;
    struct th_resp r = th_req(&t, "POST", path, token, body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), field, "%s", r.body);
    th_resp_free(&r);
}

/* One history event: kind, field, old and new ids (0: null), the user's name. */
static void expect_event(json_t *sale, size_t i, const char *kind, const char *field,
                         int64_t old_id, int64_t new_id, const char *username)
{
    json_t *e = json_array_get(json_object_get(sale, "history"), i);
    cr_assert(e, "no history event %zu", i);
    cr_expect_str_eq(th_str(e, "kind"), kind);
    if (field)
        cr_expect_str_eq(th_str(e, "field"), field);
    else
        cr_expect(json_is_null(json_object_get(e, "field")));
    json_t *o = json_object_get(e, "old"), *n = json_object_get(e, "new");
    cr_expect(old_id ? json_integer_value(o) == old_id : json_is_null(o), "old of event %zu", i);
    cr_expect(new_id ? json_integer_value(n) == new_id : json_is_null(n), "new of event %zu", i);
    cr_expect_str_eq(th_str(e, "username"), username);
    cr_expect(json_is_string(json_object_get(e, "created_at")));
}

/* The ids in items, incomplete and removed of a change-feed answer. */
static bool feed_has(json_t *feed, int64_t item)
{
    static const char *const lists[] = { "items", "incomplete", "removed" };
    for (size_t k = 0; k < 3; k++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(feed, lists[k]), i, e)
        {
            if (json_integer_value(json_object_get(e, "id")) == item)
                return true;
        }
    }
    return false;
}

static char *feed_cursor(const char *token)
{
    struct th_resp r = th_req(&t, "GET", "/api/v1/connection/catalogue?limit=1", token, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    char *c = strdup(th_str(r.json, "changes_cursor"));
    th_resp_free(&r);
    return c;
}

Test(export_reopen, e9_a_new_outlet_moves_the_stock_through_the_ledger)
{
    /* RULE E9, I2, I3 (the change feed follows: E7) */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    char *cursor = feed_cursor(token);
    int64_t ledger_before = sql_int("SELECT MAX(id) FROM stock_ledger");
    json_t *s = reopen(f.manager, sale,
                       "{\"outlet_id\":2,\"register_id\":2,\"note\":\"collected at Uptown\"}");
    cr_expect_eq(th_int(s, "outlet_id"), 2);
    cr_expect_eq(th_int(s, "register_id"), 2);
    cr_expect_str_eq(th_str(s, "channel_kind"), "export");
    /* what the sale took comes back at outlet 1 and is taken at outlet 2 */
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 10);
    cr_expect_eq(te_on_hand(&t, f.tee, 2), 3);
    cr_expect_eq(te_on_hand(&t, f.mug, 1), 3);
    cr_expect_eq(te_on_hand(&t, f.mug, 2), -1);
    /* four new ledger rows, exactly: the old ones stand as they were */
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM stock_ledger WHERE id > %lld AND reason = 'adjustment'"
             " AND reference = 'reopen:%lld' AND sale_id = %lld AND user_id ="
             " (SELECT id FROM users WHERE username = 'manager') AND ("
             " (item_id = %lld AND outlet_id = 1 AND on_hand_delta = 2 AND on_hand_after = 10) OR"
             " (item_id = %lld AND outlet_id = 2 AND on_hand_delta = -2 AND on_hand_after = 3) OR"
             " (item_id = %lld AND outlet_id = 1 AND on_hand_delta = 1 AND on_hand_after = 3) OR"
             " (item_id = %lld AND outlet_id = 2 AND on_hand_delta = -1 AND on_hand_after = -1))",
             (long long)ledger_before, (long long)sale, (long long)sale, (long long)f.tee,
             (long long)f.tee, (long long)f.mug, (long long)f.mug);
    cr_expect_eq(th_sql_int(&t, sql), 4);
    cr_expect_eq(
        sql_int("SELECT COUNT(*) FROM stock_ledger WHERE id > %lld", (long long)ledger_before), 4);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reference = 'sale:%lld'"
                         " AND outlet_id = 1",
                         (long long)sale),
                 2);
    /* its lines are at the new outlet now */
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sale_lines WHERE sale_id = %lld AND outlet_id = 1",
                         (long long)sale),
                 0);
    /* history: outlet, register, then the note, each by the manager */
    cr_expect_eq(json_array_size(json_object_get(s, "history")), 3);
    expect_event(s, 0, "change", "outlet_id", 1, 2, "manager");
    json_t *e0 = json_array_get(json_object_get(s, "history"), 0);
    cr_expect_str_eq(th_str(e0, "old_name"), "Downtown");
    cr_expect_str_eq(th_str(e0, "new_name"), "Uptown");
    expect_event(s, 1, "change", "register_id", 1, 2, "manager");
    expect_event(s, 2, "note", NULL, 0, 0, "manager");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(s, "history"), 2), "note"),
                     "collected at Uptown");
    json_decref(s);
    /* GET shows the same history */
    s = th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)sale);
    cr_expect_eq(json_array_size(json_object_get(s, "history")), 3);
    json_decref(s);
    /* the webstore's change feed shows both items */
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/connection/changes?since=%s", cursor);
    struct th_resp r = th_req(&t, "GET", path, token, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(feed_has(r.json, f.tee), "%s", r.body);
    cr_expect(feed_has(r.json, f.mug), "%s", r.body);
    th_resp_free(&r);
    free(cursor);
}

Test(export_reopen, e9_returns_made_stay_where_they_were_made)
{
    /* RULE E9, E8: units a return put back at outlet 1 stay there; what is still out moves,
     * and a later return restocks at the new outlet */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    int64_t tee_line = sql_int("SELECT id FROM sale_lines WHERE sale_id = %lld AND item_id = %lld",
                               (long long)sale, (long long)f.tee);
    char body[128];
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)tee_line);
    struct th_resp r = post(f.manager, sale, "returns", body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    cr_assert_eq(te_on_hand(&t, f.tee, 1), 9);
    json_decref(reopen(f.manager, sale, "{\"outlet_id\":2,\"register_id\":null}"));
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 10);
    cr_expect_eq(te_on_hand(&t, f.tee, 2), 4);
    cr_expect_eq(te_on_hand(&t, f.mug, 1), 3);
    cr_expect_eq(te_on_hand(&t, f.mug, 2), -1);
    r = post(f.manager, sale, "returns", body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 10);
    cr_expect_eq(te_on_hand(&t, f.tee, 2), 5);
}

Test(export_reopen, e9_a_register_change_moves_no_stock)
{
    /* RULE E9: staff of the sale's outlet may change its register there */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    int64_t reg =
        th_create(&t, t.admin, "/api/v1/registers", "{\"outlet_id\":1,\"name\":\"Back\"}");
    int64_t ledger = sql_int("SELECT COUNT(*) FROM stock_ledger");
    char body[64];
    snprintf(body, sizeof(body), "{\"register_id\":%lld}", (long long)reg);
    json_t *s = reopen(f.staff1, sale, body);
    cr_expect_eq(th_int(s, "register_id"), reg);
    cr_expect_eq(th_int(s, "outlet_id"), 1);
    cr_expect_eq(json_array_size(json_object_get(s, "history")), 1);
    expect_event(s, 0, "change", "register_id", 1, reg, "staff1");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(s, "history"), 0), "new_name"), "Back");
    json_decref(s);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger"), ledger);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 8);
}

Test(export_reopen, e9_the_customer_changes_and_can_be_none)
{
    /* RULE E9 (C1: an existing customer or none) */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    int64_t ann = sql_int("SELECT customer_id FROM sales WHERE id = %lld", (long long)sale);
    cr_assert_gt(ann, 0);
    int64_t bob = th_create(&t, t.admin, "/api/v1/customers",
                            "{\"first_name\":\"Bob\",\"last_name\":\"Ray\"}");
    char body[64];
    snprintf(body, sizeof(body), "{\"customer_id\":%lld}", (long long)bob);
    json_t *s = reopen(f.manager, sale, body);
    cr_expect_eq(th_int(s, "customer_id"), bob);
    cr_expect_str_eq(th_str(json_object_get(s, "customer"), "first_name"), "Bob");
    json_decref(s);
    s = reopen(f.manager, sale, "{\"customer_id\":null}");
    cr_expect(json_is_null(json_object_get(s, "customer_id")));
    cr_expect_eq(json_array_size(json_object_get(s, "history")), 2);
    expect_event(s, 0, "change", "customer_id", ann, bob, "manager");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(s, "history"), 0), "old_name"),
                     "Ann Lee");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(s, "history"), 0), "new_name"),
                     "Bob Ray");
    expect_event(s, 1, "change", "customer_id", bob, 0, "manager");
    json_decref(s);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 8);
}

Test(export_reopen, e9_a_note_alone_is_one_event)
{
    /* RULE E9 (add notes) */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    json_t *s = reopen(f.staff1, sale, "{\"note\":\"the buyer called: gift wrap\"}");
    cr_expect_eq(th_int(s, "outlet_id"), 1);
    cr_expect_eq(json_array_size(json_object_get(s, "history")), 1);
    expect_event(s, 0, "note", NULL, 0, 0, "staff1");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(s, "history"), 0), "note"),
                     "the buyer called: gift wrap");
    json_decref(s);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reference LIKE 'reopen:%%'"), 0);
}

Test(export_reopen, e9_staff_of_both_outlets_may_move_it)
{
    /* RULE E9 (who may: staff with access to the old and the new outlet) */
    char token[SB_TOKEN_LEN], both[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    int64_t outlets[] = { 1, 2, 0 };
    th_user(&t, "staff12", "staff", outlets, both);
    json_t *s = reopen(both, sale, "{\"outlet_id\":2,\"register_id\":2}");
    cr_expect_eq(th_int(s, "outlet_id"), 2);
    expect_event(s, 0, "change", "outlet_id", 1, 2, "staff12");
    json_decref(s);
    cr_expect_eq(te_on_hand(&t, f.tee, 2), 3);
}

Test(export_reopen, e9_every_refusal_writes_nothing)
{
    /* RULE E9, SEC1: each refusal with its status and code, the database unchanged */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    /* not an exported sale: 409, the sale's kind forbids it (like a voided one) */
    int64_t pos = th_create(&t, t.admin, "/api/v1/sales",
                            "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}");
    expect_refused(f.manager, pos, "reopen", "{\"outlet_id\":2,\"register_id\":2}", 409,
                   "not_exported", NULL);
    /* unknown references */
    expect_refused(f.manager, sale, "reopen", "{\"outlet_id\":99}", 422, "unknown_reference",
                   "outlet_id");
    expect_refused(f.manager, sale, "reopen", "{\"register_id\":99}", 422, "unknown_reference",
                   "register_id");
    expect_refused(f.manager, sale, "reopen", "{\"customer_id\":99}", 422, "unknown_reference",
                   "customer_id");
    /* a register not at the sale's (new) outlet */
    expect_refused(f.manager, sale, "reopen", "{\"register_id\":2}", 422, "invalid_field",
                   "register_id");
    expect_refused(f.manager, sale, "reopen", "{\"outlet_id\":2}", 422, "invalid_field",
                   "register_id");
    expect_refused(f.manager, sale, "reopen", "{\"outlet_id\":2,\"register_id\":1}", 422,
                   "invalid_field", "register_id");
    /* nothing to change */
    expect_refused(f.manager, sale, "reopen", "{}", 422, "no_change", NULL);
    expect_refused(f.manager, sale, "reopen", "{\"outlet_id\":1,\"register_id\":1}", 422,
                   "no_change", NULL);
    /* bad input */
    expect_refused(f.manager, sale, "reopen", "{\"note\":\"\"}", 422, "invalid_field", "note");
    expect_refused(f.manager, sale, "reopen", "{\"outlet\":2}", 422, "invalid_field", "outlet");
    expect_refused(f.manager, sale, "reopen", "{\"outlet_id\":\"2\"}", 422, "invalid_field",
                   "outlet_id");
    expect_refused(f.manager, sale, "reopen", "[1]", 400, "invalid_json", NULL);
    /* no access: another outlet's sale is not found; an outlet the user lacks is 403 */
    expect_refused(f.staff2, sale, "reopen", "{\"note\":\"x\"}", 404, "not_found", NULL);
    expect_refused(f.staff1, sale, "reopen", "{\"outlet_id\":2,\"register_id\":2}", 403,
                   "outlet_forbidden", "outlet_id");
    expect_refused(f.manager, 999, "reopen", "{\"note\":\"x\"}", 404, "not_found", NULL);
    expect_refused(NULL, sale, "reopen", "{\"note\":\"x\"}", 401, "unauthorized", NULL);
    /* a voided sale */
    struct th_resp r = post(f.manager, sale, "void", "{}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    expect_refused(f.manager, sale, "reopen", "{\"outlet_id\":2,\"register_id\":2}", 409,
                   "sale_voided", NULL);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sale_events"), 0);
}

struct racer {
    int64_t sale;
    const char *body;
    long status;
};

static void *race(void *ud)
{
    struct racer *rc = ud;
    struct th_resp r = post(f.manager, rc->sale, "reopen", rc->body);
    rc->status = r.status;
    th_resp_free(&r);
    return NULL;
}

Test(export_reopen, e9_concurrent_reopens_end_consistent)
{
    /* RULE E9, I2: four reopens of one sale at once, two to each outlet's register: each is
     * applied whole, one after the other; the stock matches the outlet the sale ends at */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    pthread_t th[4];
    struct racer rc[4];
    for (int i = 0; i < 4; i++) {
        rc[i] = (struct racer){ .sale = sale,
                                .body = i % 2 ? "{\"outlet_id\":2,\"register_id\":2}"
                                              : "{\"outlet_id\":1,\"register_id\":1}" };
        cr_assert_eq(pthread_create(&th[i], NULL, race, &rc[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    int moved = 0;
    for (int i = 0; i < 4; i++) {
        cr_expect(rc[i].status == 200 || rc[i].status == 422, "%ld", rc[i].status);
        moved += rc[i].status == 200;
    }
    int64_t outlet = sql_int("SELECT outlet_id FROM sales WHERE id = %lld", (long long)sale);
    int64_t other = outlet == 1 ? 2 : 1;
    /* as many moves as outlet changes in the history, each one a pair of ledger rows per item */
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sale_events WHERE sale_id = %lld", (long long)sale),
                 2 * moved);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reference = 'reopen:%lld'",
                         (long long)sale),
                 4 * moved);
    cr_expect_eq(sql_int("SELECT register_id FROM sales WHERE id = %lld", (long long)sale), outlet);
    /* the sale holds 2 TEE and 1 MUG at the outlet it ends at, none at the other */
    cr_expect_eq(te_on_hand(&t, f.tee, outlet), (outlet == 1 ? 10 : 5) - 2);
    cr_expect_eq(te_on_hand(&t, f.tee, other), other == 1 ? 10 : 5);
    cr_expect_eq(te_on_hand(&t, f.mug, outlet), (outlet == 1 ? 3 : 0) - 1);
    cr_expect_eq(te_on_hand(&t, f.mug, other), other == 1 ? 3 : 0);
}

Test(export_reopen, e8_staff_mark_a_flagged_sale_reviewed)
{
    /* RULE E8: the review flag cleared, with who, when, the reason it had and the note */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    struct th_resp r =
        th_req(&t, "POST", "/api/v1/connection/orders/1001/refund", token,
               "{\"refund_id\":\"R-1\",\"lines\":[{\"sku\":\"TEE\",\"quantity\":1}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    /* another outlet's staff do not see it; nothing written */
    expect_refused(f.staff2, sale, "review", "{}", 404, "not_found", NULL);
    expect_refused(f.staff1, sale, "review", "{\"note\":\"\"}", 422, "invalid_field", "note");
    r = post(f.staff1, sale, "review", "{\"note\":\"refund seen on the webstore\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_false(json_object_get(r.json, "needs_review")), "%s", r.body);
    cr_expect(json_is_null(json_object_get(r.json, "review_reason")), "%s", r.body);
    cr_expect_eq(json_array_size(json_object_get(r.json, "history")), 1);
    expect_event(r.json, 0, "reviewed", NULL, 0, 0, "staff1");
    json_t *e = json_array_get(json_object_get(r.json, "history"), 0);
    cr_expect_str_eq(th_str(e, "reason"), REVIEW);
    cr_expect_str_eq(th_str(e, "note"), "refund seen on the webstore");
    th_resp_free(&r);
    /* not flagged any more: a second one is refused and writes nothing */
    expect_refused(f.staff1, sale, "review", NULL, 409, "conflict", NULL);
    /* flagged again by a staff return, cleared again without a body */
    int64_t line = sql_int("SELECT id FROM sale_lines WHERE sale_id = %lld AND item_id = %lld",
                           (long long)sale, (long long)f.tee);
    char body[96];
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    r = post(f.staff1, sale, "returns", body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    cr_assert_eq(sql_int("SELECT needs_review FROM sales WHERE id = %lld", (long long)sale), 1);
    r = post(f.manager, sale, "review", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(json_array_size(json_object_get(r.json, "history")), 2);
    expect_event(r.json, 1, "reviewed", NULL, 0, 0, "manager");
    cr_expect(json_is_null(
        json_object_get(json_array_get(json_object_get(r.json, "history"), 1), "note")));
    th_resp_free(&r);
    cr_expect_eq(sql_int("SELECT needs_review FROM sales WHERE id = %lld", (long long)sale), 0);
}

Test(export_reopen, e9_open_fulfillments_follow_the_outlet)
{
    /* RULE E9, F1: a shipped order's fulfillment not yet done is made at the new outlet */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    struct th_resp r = te_export(&t, token,
                                 ORDER("1002", PAID_BY_CARD
                                       ",\"ship_to\":{\"name\":\"Ann Lee\",\"line1\":\"1 Main St\","
                                       "\"city\":\"Springfield\",\"country\":\"US\"}"));
    int64_t sale = th_int(te_result(&r, 0), "sale_id");
    th_resp_free(&r);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM fulfillments WHERE sale_id = %lld AND outlet_id = 1",
                         (long long)sale),
                 1);
    json_decref(reopen(f.manager, sale, "{\"outlet_id\":2,\"register_id\":2}"));
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM fulfillments WHERE sale_id = %lld AND outlet_id = 2",
                         (long long)sale),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM fulfillments WHERE sale_id = %lld", (long long)sale),
                 1);
}
