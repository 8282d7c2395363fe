/*
 * Refunds on exported orders end to end (SPEC E8, S2; issue 14 item 4): the
 * webstore posts its refund to /api/v1/connection/orders/{order_id}/refund.
 * The POS records a return on the sale, restocking at the sale's outlet, and
 * flags the sale for review, exactly once per refund_id; a return staff make
 * on an exported sale flags it the same way. Unknown order 404, more than was
 * sold 422, bad input the error shape; nothing is written half.
 */
#include "export-test.h"
#include "harness.h"
#include "store/sessions.h"

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

TestSuite(export_refunds, .init = setup, .fini = teardown, .timeout = 120);

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

#define REVIEW "refunded on the webstore (E8): check the money was returned there"

/* A connection on site-1 with order 1001 exported: its sale id; the token into out. */
static int64_t exported(char out[SB_TOKEN_LEN])
{
    te_connect(&t, "site-1", true, out);
    struct th_resp r = te_export(&t, out, ORDER("1001", PAID_BY_CARD));
    int64_t sale = th_int(te_result(&r, 0), "sale_id");
    th_resp_free(&r);
    cr_assert_eq(sql_int("SELECT needs_review FROM sales WHERE id = %lld", (long long)sale), 0);
    cr_assert_eq(te_on_hand(&t, f.tee, 1), 8);
    cr_assert_eq(te_on_hand(&t, f.mug, 1), 2);
    return sale;
}

static struct th_resp refund(const char *token, const char *order, const char *body)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/connection/orders/%s/refund", order);
    return th_req(&t, "POST", path, token, body);
}

static void expect_flagged(int64_t sale)
{
    json_t *s = th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)sale);
    cr_expect(json_is_true(json_object_get(s, "needs_review")), "needs_review");
    cr_expect_str_eq(th_str(s, "review_reason"), REVIEW);
    json_decref(s);
}

Test(export_refunds, e8_a_full_refund_restocks_every_line_and_flags_the_sale)
{
    /* RULE E8, S2 */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    struct th_resp r = refund(token, "1001", "{\"refund_id\":\"R-1\",\"note\":\"damaged\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_expect_eq(th_int(r.json, "sale_id"), sale);
    json_t *ret = json_object_get(r.json, "return");
    cr_expect_str_eq(th_str(ret, "external_id"), "R-1");
    cr_expect_str_eq(th_str(ret, "reason"), "damaged");
    /* every line of the sale, its shipping line among them */
    cr_expect_eq((int64_t)json_array_size(json_object_get(ret, "lines")),
                 sql_int("SELECT COUNT(*) FROM sale_lines WHERE sale_id = %lld", (long long)sale));
    cr_expect_str_eq(th_str(r.json, "review_reason"), REVIEW);
    th_resp_free(&r);
    /* restocked at the sale's outlet */
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 10);
    cr_expect_eq(te_on_hand(&t, f.mug, 1), 3);
    cr_expect_eq(te_on_hand(&t, f.tee, 2), 5);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sale_lines WHERE sale_id = %lld"
                         " AND returned_quantity <> quantity",
                         (long long)sale),
                 0);
    expect_flagged(sale);
}

Test(export_refunds, e8_a_repeated_refund_id_answers_the_same_return_once)
{
    /* RULE E8 (exactly once per refund_id) */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    const char *body = "{\"refund_id\":\"R-7\",\"lines\":[{\"sku\":\"TEE\",\"quantity\":1}]}";
    struct th_resp r = refund(token, "1001", body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    int64_t rid = th_int(json_object_get(r.json, "return"), "id");
    th_resp_free(&r);
    r = refund(token, "1001", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(json_object_get(r.json, "return"), "id"), rid);
    th_resp_free(&r);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM returns WHERE sale_id = %lld", (long long)sale), 1);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 9);
}

Test(export_refunds, e8_s2_a_partial_refund_by_sku_and_line_index_with_its_amount)
{
    /* RULE E8, S2 (partial refunds stay partial) */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    struct th_resp r =
        refund(token, "1001",
               "{\"refund_id\":\"R-2\",\"amount\":1500,\"lines\":["
               "{\"sku\":\"TEE\",\"quantity\":1},{\"line_index\":1,\"quantity\":1}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_expect_eq(th_int(json_object_get(r.json, "return"), "refund_total"), 1500);
    th_resp_free(&r);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 9);
    cr_expect_eq(te_on_hand(&t, f.mug, 1), 3);
    cr_expect_eq(sql_int("SELECT refunded_total FROM sales WHERE id = %lld", (long long)sale),
                 1500);
    expect_flagged(sale);
}

static void expect_nothing_written(int64_t sale)
{
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM returns"), 0);
    cr_expect_eq(sql_int("SELECT needs_review FROM sales WHERE id = %lld", (long long)sale), 0);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 8);
    cr_expect_eq(te_on_hand(&t, f.mug, 1), 2);
}

static void expect_error(struct th_resp *r, long status, const char *code, const char *field)
{
    cr_expect_eq(r->status, status, "%s", r->body);
    json_t *e = json_object_get(r->json, "error");
    cr_expect_str_eq(th_str(e, "code"), code, "%s", r->body);
    if (field)
        cr_expect_str_eq(th_str(e, "field"), field, "%s", r->body);
    th_resp_free(r);
}

Test(export_refunds, e8_unknown_order_404_more_than_sold_422_nothing_written)
{
    /* RULE E8 */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    struct th_resp r = refund(token, "9999", "{\"refund_id\":\"R-1\"}");
    expect_error(&r, 404, "not_found", NULL);
    r = refund(token, "1001",
               "{\"refund_id\":\"R-1\",\"lines\":[{\"sku\":\"MUG\",\"quantity\":1},"
               "{\"sku\":\"TEE\",\"quantity\":3}]}");
    expect_error(&r, 422, "insufficient", NULL);
    expect_nothing_written(sale);
    /* an amount above what is left to refund on the line (TEE: 3800) */
    r = refund(
        token, "1001",
        "{\"refund_id\":\"R-1\",\"amount\":3801,\"lines\":[{\"sku\":\"TEE\",\"quantity\":1}]}");
    expect_error(&r, 422, "invalid_field", "lines[0].amount");
    expect_nothing_written(sale);
    /* another connection's order is not this one's */
    char other[SB_TOKEN_LEN];
    te_connect(&t, "site-2", true, other);
    r = refund(other, "1001", "{\"refund_id\":\"R-1\"}");
    expect_error(&r, 404, "not_found", NULL);
    expect_nothing_written(sale);
}

Test(export_refunds, e8_bad_input_answers_the_error_shape_and_writes_nothing)
{
    /* RULE E8 */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    static const struct {
        const char *body, *field;
    } bad[] = {
        { "{}", "refund_id" },
        { "{\"refund_id\":\"\"}", "refund_id" },
        { "{\"refund_id\":7}", "refund_id" },
        { "{\"refund_id\":\"R\",\"extra\":1}", "extra" },
        { "{\"refund_id\":\"R\",\"amount\":-1}", "amount" },
        { "{\"refund_id\":\"R\",\"lines\":[]}", "lines" },
        { "{\"refund_id\":\"R\",\"lines\":[{\"quantity\":1}]}", "lines[0]" },
        { "{\"refund_id\":\"R\",\"lines\":[{\"sku\":\"TEE\",\"line_index\":0,\"quantity\":1}]}",
          "lines[0]" },
        { "{\"refund_id\":\"R\",\"lines\":[{\"sku\":\"NOPE\",\"quantity\":1}]}", "lines[0].sku" },
        { "{\"refund_id\":\"R\",\"lines\":[{\"line_index\":5,\"quantity\":1}]}",
          "lines[0].line_index" },
        { "{\"refund_id\":\"R\",\"lines\":[{\"sku\":\"TEE\",\"quantity\":0}]}",
          "lines[0].quantity" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct th_resp r = refund(token, "1001", bad[i].body);
        cr_expect(r.status == 400 || r.status == 422, "%s: %ld %s", bad[i].body, r.status, r.body);
        json_t *e = json_object_get(r.json, "error");
        cr_expect_str_eq(th_str(e, "field"), bad[i].field, "%s: %s", bad[i].body, r.body);
        th_resp_free(&r);
    }
    char long_id[80];
    memset(long_id, 'x', 65);
    long_id[65] = '\0';
    char body[128];
    snprintf(body, sizeof(body), "{\"refund_id\":\"%s\"}", long_id);
    struct th_resp r = refund(token, "1001", body);
    expect_error(&r, 422, "invalid_field", "refund_id");
    expect_nothing_written(sale);
}

Test(export_refunds, e8_a_staff_return_on_an_exported_sale_flags_it)
{
    /* RULE E8 (the POS records its return when staff ask, and flags the sale) */
    char token[SB_TOKEN_LEN];
    int64_t sale = exported(token);
    int64_t line = sql_int("SELECT MIN(id) FROM sale_lines WHERE sale_id = %lld", (long long)sale);
    char path[64], body[128];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/returns", (long long)sale);
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    struct th_resp r = th_req(&t, "POST", path, t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    expect_flagged(sale);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 9);
}

Test(export_refunds, e8_a_refund_before_the_connection_is_ready_is_refused)
{
    /* RULE E8, E1 */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-3", false, token);
    struct th_resp r = refund(token, "1001", "{\"refund_id\":\"R-1\"}");
    cr_expect_eq(r.status, 409, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM returns"), 0);
}
