/*
 * Exporting orders into the POS end to end (SPEC E2-E6, issue 14 item 3): a
 * connected webstore posts its orders to /api/v1/connection/orders. A
 * balanced order becomes one completed sale with the connection's employee
 * and register, however often or concurrently it is sent (E3, O2); a later
 * export changes nothing (E5); an unbalanced one is refused with the amount
 * due, in the log and the order's record, and nothing else is written (E2);
 * each payment goes under its method's type, an offline one under "Manual"
 * (E6); a batch takes each order in its own transaction (E4). Bad input
 * answers the error shape and writes nothing.
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

TestSuite(export_orders, .init = setup, .fini = teardown, .timeout = 120);

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

Test(export_orders, e3_balanced_order_is_one_completed_sale_with_the_connections_staff)
{
    /* RULE E3, O2, O4, O6, C1, T2 */
    char token[SB_TOKEN_LEN];
    int64_t ch = te_connect(&t, "site-1", true, token);
    struct th_resp r = te_export(&t, token, ORDER("1001", PAID_BY_CARD));
    json_t *res = te_result(&r, 0);
    cr_expect_str_eq(th_str(res, "order_id"), "1001");
    cr_expect_str_eq(th_str(res, "outcome"), "created");
    int64_t sale = th_int(res, "sale_id");
    cr_expect_null(json_object_get(res, "error"));
    th_resp_free(&r);

    json_t *s = th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)sale);
    cr_expect_str_eq(th_str(s, "status"), "completed");
    cr_expect_eq(th_int(s, "total"), 5050);
    cr_expect_eq(th_int(s, "balance_due"), 0);
    json_decref(s);
    cr_expect_eq(sql_int("SELECT employee_id FROM sales WHERE id = %lld", (long long)sale), 1);
    cr_expect_eq(sql_int("SELECT register_id FROM sales WHERE id = %lld", (long long)sale), 1);
    cr_expect_eq(sql_int("SELECT outlet_id FROM sales WHERE id = %lld", (long long)sale), 1);
    cr_expect_eq(sql_int("SELECT channel_id FROM sales WHERE id = %lld", (long long)sale),
                 (long long)ch);
    cr_expect_eq(sql_int("SELECT needs_review FROM sales WHERE id = %lld", (long long)sale), 0);
    cr_expect_eq(
        sql_int("SELECT COUNT(*) FROM sales WHERE external_number = 'W-1001' AND id = %lld",
                (long long)sale),
        1);
    /* C1: the customer by email */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customers WHERE email = 'ann@example.com'"),
                 1);
    /* O6: stock at the register's outlet */
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 8);
    cr_expect_eq(te_on_hand(&t, f.mug, 1), 2);
    cr_expect_eq(te_on_hand(&t, f.tee, 2), 5);
    /* O4: lines, tax and discount as sent; the total stands */
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sale_lines WHERE sale_id = %lld", (long long)sale),
                 3);
    cr_expect_eq(sql_int("SELECT tax_total FROM sales WHERE id = %lld", (long long)sale), 100);
    cr_expect_eq(sql_int("SELECT discount_total FROM sales WHERE id = %lld", (long long)sale), 200);
    /* E6: the payment under Card, its reference kept */
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payments WHERE sale_id = %lld AND payment_type_id"
                         " = 2 AND amount = 5050 AND reference = 'tx-1'",
                         (long long)sale),
                 1);
    /* T2: listed with the channel's web sales */
    json_t *list = th_get(&t, t.admin, "/api/v1/sales?channel=%lld", (long long)ch);
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 1);
    json_decref(list);
}

Test(export_orders, o2_e5_a_repeat_is_existing_and_changes_nothing)
{
    /* RULE O2, E5: the same order_id with other data and status answers the same sale */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    struct th_resp r = te_export(&t, token, ORDER("1001", PAID_BY_CARD));
    int64_t sale = th_int(te_result(&r, 0), "sale_id");
    th_resp_free(&r);
    uint64_t before = th_fingerprint(&t);
    r = te_export(&t, token,
                  ORDER("1001", PAID_BY_CARD ",\"status\":\"cancelled\","
                                             "\"note\":\"changed\""));
    json_t *res = te_result(&r, 0);
    cr_expect_str_eq(th_str(res, "outcome"), "existing");
    cr_expect_eq(th_int(res, "sale_id"), sale);
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before, "a repeated export wrote something");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 1);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 8);
}

struct racer {
    const char *token;
    long status;
    char outcome[16];
    int64_t sale;
};

static void *race(void *ud)
{
    struct racer *rc = ud;
    struct th_resp r = te_export(&t, rc->token, ORDER("2001", PAID_BY_CARD));
    rc->status = r.status;
    json_t *res = json_array_get(json_object_get(r.json, "results"), 0);
    snprintf(rc->outcome, sizeof(rc->outcome), "%s", th_str(res, "outcome"));
    rc->sale = th_int(res, "sale_id");
    th_resp_free(&r);
    return NULL;
}

Test(export_orders, o2_concurrent_exports_make_one_sale)
{
    /* RULE E3, O2: four exports of one order at once: one sale */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    pthread_t th[4];
    struct racer rc[4];
    for (int i = 0; i < 4; i++) {
        rc[i] = (struct racer){ .token = token };
        cr_assert_eq(pthread_create(&th[i], NULL, race, &rc[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    int created = 0;
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(rc[i].status, 200);
        created += strcmp(rc[i].outcome, "created") == 0;
        cr_expect(strcmp(rc[i].outcome, "created") == 0 || strcmp(rc[i].outcome, "existing") == 0,
                  "%s", rc[i].outcome);
        cr_expect_eq(rc[i].sale, rc[0].sale);
    }
    cr_expect_eq(created, 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 1);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 8);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM payments"), 1);
}

Test(export_orders, e2_unbalanced_order_is_refused_with_the_amount_due)
{
    /* RULE E2, O10: refused inside the 200, the log and the order's record say why, nothing
     * else is written */
    char token[SB_TOKEN_LEN];
    int64_t ch = te_connect(&t, "site-1", true, token);
    uint64_t before = th_fingerprint(&t);
    int64_t logs = th_sql_int(&t, "SELECT COUNT(*) FROM channel_log");
    struct th_resp r =
        te_export(&t, token,
                  ORDER("3001", ",\"payments\":[{\"method\":\"Card\",\"amount\":3000},"
                                "{\"method\":\"Gift card\",\"amount\":50}]"));
    json_t *res = te_result(&r, 0);
    cr_expect_str_eq(th_str(res, "outcome"), "refused");
    cr_expect_null(json_object_get(res, "sale_id"));
    json_t *e = json_object_get(res, "error");
    cr_expect_str_eq(th_str(e, "code"), "unbalanced");
    cr_expect_str_eq(th_str(e, "field"), "payments");
    cr_expect_eq(th_int(e, "amount_due"), 2000);
    const char *why = "unbalanced: total 5050, paid 3050, amount due 2000 USD (E2: only "
                      "balanced orders are accepted)";
    cr_expect_str_eq(th_str(e, "message"), why);
    th_resp_free(&r);
    cr_expect_neq(th_fingerprint(&t), before);
    /* the log line, exact */
    json_t *log = th_get(&t, t.admin, "/api/v1/channels/%lld/log?limit=500", (long long)ch);
    json_t *row, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(log, "data"), i, row)
    {
        if (strcmp(th_str(row, "event"), "order.refused") == 0)
            found = row;
    }
    cr_assert(found, "no order.refused line");
    cr_expect_str_eq(th_str(found, "message"), why);
    cr_expect_str_eq(th_str(found, "level"), "warn");
    cr_expect_str_eq(th_str(found, "external_id"), "3001");
    json_decref(log);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_log"), logs + 1);
    /* the order's record: waiting, with why */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders WHERE external_id = '3001'"
                                " AND state = 'waiting' AND sale_id IS NULL"),
                 1);
    /* nothing else: no sale, no payment type, no customer, no stock moved */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM payment_types"), 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customers"), 0);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 10);
    /* and exactly: without the log line and the order's record, the database is as before */
    th_sql_exec(&t, "DELETE FROM channel_log WHERE event = 'order.refused';"
                    "DELETE FROM channel_orders WHERE external_id = '3001'");
    cr_expect_eq(th_fingerprint(&t), before, "a refusal wrote more than its log and record");
    r = te_export(&t, token,
                  ORDER("3001", ",\"payments\":[{\"method\":\"Card\",\"amount\":3000},"
                                "{\"method\":\"Gift card\",\"amount\":50}]"));
    cr_expect_str_eq(th_str(te_result(&r, 0), "outcome"), "refused");
    th_resp_free(&r);
    /* balanced later, it comes down */
    r = te_export(&t, token, ORDER("3001", PAID_BY_CARD));
    cr_expect_str_eq(th_str(te_result(&r, 0), "outcome"), "created");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders WHERE external_id = '3001'"
                                " AND state = 'downloaded'"),
                 1);
}

Test(export_orders, e6_an_unknown_method_is_created_once_and_offline_is_manual)
{
    /* RULE E6, P2 */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    struct th_resp r = te_export(
        &t, token,
        ORDER(
            "4001",
            ",\"payments\":[{\"method\":\"Gift card\",\"amount\":5000},"
            "{\"method\":\"Card\",\"amount\":50,\"offline\":true}]") "," ORDER("4002",
                                                                               ",\"payments\":[{"
                                                                               "\"method\":\"Gift "
                                                                               "card\",\"amount\":"
                                                                               "5050}]"));
    int64_t s1 = th_int(te_result(&r, 0), "sale_id"), s2 = th_int(te_result(&r, 1), "sale_id");
    cr_expect_str_eq(th_str(te_result(&r, 0), "outcome"), "created");
    cr_expect_str_eq(th_str(te_result(&r, 1), "outcome"), "created");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM payment_types WHERE name = 'Gift card'"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM payment_types WHERE name = 'Manual'"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM payment_types"), 4);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payments p JOIN payment_types pt ON pt.id ="
                         " p.payment_type_id WHERE p.sale_id = %lld AND pt.name = 'Manual' AND"
                         " p.amount = 50",
                         (long long)s1),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payments p JOIN payment_types pt ON pt.id ="
                         " p.payment_type_id WHERE p.sale_id = %lld AND pt.name = 'Gift card' AND"
                         " p.amount = 5000",
                         (long long)s1),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payments WHERE sale_id = %lld", (long long)s2), 1);
    cr_expect_eq(sql_int("SELECT balance_due FROM sales WHERE id = %lld", (long long)s1), 0);
}

Test(export_orders, e4_a_batch_takes_each_order_on_its_own)
{
    /* RULE E4: one refused does not stop the others; answers in the request's order */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    struct th_resp r =
        te_export(&t, token,
                  ORDER("5001", PAID_BY_CARD) "," ORDER("5002", ",\"payments\":[]") "," ORDER(
                      "5003", PAID_BY_CARD) "," ORDER("5001", PAID_BY_CARD));
    const char *want[][2] = {
        { "5001", "created" }, { "5002", "refused" }, { "5003", "created" }, { "5001", "existing" }
    };
    for (size_t i = 0; i < 4; i++) {
        cr_expect_str_eq(th_str(te_result(&r, i), "order_id"), want[i][0]);
        cr_expect_str_eq(th_str(te_result(&r, i), "outcome"), want[i][1]);
    }
    cr_expect_eq(th_int(json_object_get(te_result(&r, 1), "error"), "amount_due"), 5050);
    cr_expect_eq(th_int(te_result(&r, 3), "sale_id"), th_int(te_result(&r, 0), "sale_id"));
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 2);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 6);
}

Test(export_orders, o5_location_picks_the_outlet_and_an_unknown_sku_flags_the_sale)
{
    /* RULE O5, O6, E3: location L2 is outlet 2; an unknown SKU is a non-inventory line */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    struct th_resp r = te_export(
        &t, token,
        "{\"order_id\":\"6001\",\"created_at\":\"2026-03-01T10:00:00Z\",\"currency\":\"USD\","
        "\"location_id\":\"L2\",\"lines\":[{\"ean\":\"4006381333931\",\"title\":\"Tee\","
        "\"quantity\":1,\"unit_price\":2000},{\"sku\":\"NOPE-1\",\"title\":\"Bell\","
        "\"quantity\":1,\"unit_price\":700}],\"taxes\":[{\"name\":\"City\",\"amount\":"
        "27}],\"discounts\":[{\"code\":\"SPRING\",\"name\":\"Spring\",\"amount\":100}],"
        "\"total\":2630,\"payments\":[{\"method\":\"Cash\",\"amount\":2630}]}");
    int64_t sale = th_int(te_result(&r, 0), "sale_id");
    th_resp_free(&r);
    cr_expect_eq(sql_int("SELECT outlet_id FROM sales WHERE id = %lld", (long long)sale), 2);
    cr_expect_eq(te_on_hand(&t, f.tee, 2), 4);
    cr_expect_eq(te_on_hand(&t, f.tee, 1), 10);
    cr_expect_eq(sql_int("SELECT needs_review FROM sales WHERE id = %lld", (long long)sale), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sale_lines WHERE sale_id = %lld AND item_id IS NULL"
                         " AND sku = 'NOPE-1'",
                         (long long)sale),
                 1);
    cr_expect_eq(sql_int("SELECT total FROM sales WHERE id = %lld", (long long)sale), 2630);
    cr_expect_eq(sql_int("SELECT tax_total FROM sales WHERE id = %lld", (long long)sale), 27);
    /* O4: 2000 + 700 + 27 - 100 = 2627; the webstore's 2630 stands, 3 as an adjustment */
    cr_expect_eq(sql_int("SELECT adjustment_total FROM sales WHERE id = %lld", (long long)sale), 3);
    cr_expect_eq(sql_int("SELECT discount_total FROM sales WHERE id = %lld", (long long)sale), 100);
    cr_expect_eq(sql_int("SELECT balance_due FROM sales WHERE id = %lld", (long long)sale), 0);
    /* no customer for an order without an email (C5) */
    cr_expect_eq(sql_int("SELECT customer_id IS NULL FROM sales WHERE id = %lld", (long long)sale),
                 1);
}

Test(export_orders, e3_refused_until_the_connection_is_complete)
{
    /* RULE E1, E3: 409 connection_incomplete, nothing written */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", false, token);
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token,
                    "{\"orders\":[" ORDER("1", PAID_BY_CARD) "]}", 409, "connection_incomplete");
    /* a user's token does not open it */
    th_expect_error(&t, "POST", "/api/v1/connection/orders", t.admin,
                    "{\"orders\":[" ORDER("1", PAID_BY_CARD) "]}", 403, "forbidden");
    th_expect_error(&t, "POST", "/api/v1/connection/orders", NULL,
                    "{\"orders\":[" ORDER("1", PAID_BY_CARD) "]}", 401, "unauthorized");
}

Test(export_orders, e1_a_connection_retired_mid_export_keeps_its_sales)
{
    /* RULE E1, E3: the next request is 401 connection_retired; earlier sales stay */
    char token[SB_TOKEN_LEN], again[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    struct th_resp r = te_export(&t, token, ORDER("7001", PAID_BY_CARD));
    int64_t sale = th_int(te_result(&r, 0), "sale_id");
    th_resp_free(&r);
    te_connect(&t, "site-1", false, again); /* connecting again retires the first */
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token,
                    "{\"orders\":[" ORDER("7002", PAID_BY_CARD) "]}", 401, "connection_retired");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'completed'",
                         (long long)sale),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 1);
}

/* A body with the order o (a JSON object text) as its one order. */
static void expect_bad(const char *token, const char *o, long status, const char *code,
                       const char *field)
{
    size_t n = strlen(o) + 32;
    char *body = malloc(n);
    cr_assert(body);
    snprintf(body, n, "{\"orders\":[%s]}", o);
    struct th_resp r = th_req(&t, "POST", "/api/v1/connection/orders", token, body);
    cr_expect_eq(r.status, status, "%s: %ld %s", o, r.status, r.body);
    json_t *e = json_object_get(r.json, "error");
    cr_expect_str_eq(th_str(e, "code"), code, "%s: %s", o, r.body);
    if (field)
        cr_expect_str_eq(th_str(e, "field"), field, "%s: %s", o, r.body);
    th_resp_free(&r);
    free(body);
}

#define BASE_HEAD "\"created_at\":\"2026-03-01T10:00:00Z\",\"currency\":\"USD\","
#define LINE      "{\"sku\":\"TEE\",\"title\":\"T\",\"quantity\":1,\"unit_price\":100}"
#define PAY       "\"payments\":[{\"method\":\"Card\",\"amount\":100}]"

Test(export_orders, e2_bad_input_on_every_field_writes_nothing)
{
    /* RULE E2, E3: every field typed and bounded; the JSON error; nothing written */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    uint64_t before = th_fingerprint(&t);
    char long_id[400];
    snprintf(long_id, sizeof(long_id),
             "{\"order_id\":\"%065d\"," BASE_HEAD "\"lines\":[" LINE "],\"total\":100," PAY "}", 0);
    const struct {
        const char *o;
        long status;
        const char *code, *field;
    } cases[] = {
        { "{" BASE_HEAD "\"lines\":[" LINE "],\"total\":100," PAY "}", 422, "missing_field",
          "orders[0].order_id" },
        { "{\"order_id\":7," BASE_HEAD "\"lines\":[" LINE "],\"total\":100," PAY "}", 422,
          "invalid_field", "orders[0].order_id" },
        { "{\"order_id\":\"\"," BASE_HEAD "\"lines\":[" LINE "],\"total\":100," PAY "}", 422,
          "invalid_field", "orders[0].order_id" },
        { long_id, 422, "invalid_field", "orders[0].order_id" },
        { "{\"order_id\":\"a\",\"currency\":\"USD\",\"lines\":[" LINE "],\"total\":100," PAY "}",
          422, "missing_field", "orders[0].created_at" },
        { "{\"order_id\":\"a\",\"created_at\":\"yesterday\",\"currency\":\"USD\",\"lines\":[" LINE
          "],\"total\":100," PAY "}",
          422, "invalid_field", "orders[0].created_at" },
        { "{\"order_id\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\",\"currency\":\"EUR\","
          "\"lines\":[" LINE "],\"total\":100," PAY "}",
          422, "invalid_field", "orders[0].currency" },
        { "{\"order_id\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\",\"currency\":\"XYZ\","
          "\"lines\":[" LINE "],\"total\":100," PAY "}",
          422, "invalid_field", "orders[0].currency" },
        { "{\"order_id\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\",\"lines\":[" LINE
          "],\"total\":100," PAY "}",
          422, "missing_field", "orders[0].currency" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[],\"total\":100," PAY "}", 422,
          "invalid_field", "orders[0].lines" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"total\":100," PAY "}", 422, "missing_field",
          "orders[0].lines" },
        { "{\"order_id\":\"a\"," BASE_HEAD
          "\"lines\":[{\"sku\":\"TEE\",\"title\":\"T\",\"quantity\":0,\"unit_price\":100}],"
          "\"total\":100," PAY "}",
          422, "invalid_field", "orders[0].lines[0].quantity" },
        { "{\"order_id\":\"a\"," BASE_HEAD
          "\"lines\":[{\"sku\":\"TEE\",\"title\":\"T\",\"quantity\":1.5,\"unit_price\":100}],"
          "\"total\":100," PAY "}",
          422, "invalid_field", "orders[0].lines[0].quantity" },
        { "{\"order_id\":\"a\"," BASE_HEAD
          "\"lines\":[{\"sku\":\"TEE\",\"title\":\"T\",\"quantity\":1,\"unit_price\":\"1\"}],"
          "\"total\":100," PAY "}",
          422, "invalid_field", "orders[0].lines[0].unit_price" },
        { "{\"order_id\":\"a\"," BASE_HEAD
          "\"lines\":[{\"sku\":\"TEE\",\"quantity\":1,\"unit_price\":100}],\"total\":100," PAY "}",
          422, "missing_field", "orders[0].lines[0].title" },
        { "{\"order_id\":\"a\"," BASE_HEAD
          "\"lines\":[{\"sku\":\"TEE\",\"title\":\"T\",\"quantity\":1,\"unit_price\":100,"
          "\"taxes\":[{\"name\":\"VAT\"}]}],\"total\":100," PAY "}",
          422, "missing_field", "orders[0].lines[0].taxes[0].amount" },
        { "{\"order_id\":\"a\"," BASE_HEAD
          "\"lines\":[{\"sku\":\"TEE\",\"title\":\"T\",\"quantity\":1,\"unit_price\":100,"
          "\"color\":\"red\"}],\"total\":100," PAY "}",
          422, "invalid_field", NULL },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE "]," PAY "}", 422, "missing_field",
          "orders[0].total" },
        { "{\"order_id\":\"a\"," BASE_HEAD
          "\"lines\":[{\"sku\":\"TEE\",\"title\":\"T\",\"quantity\":2,\"unit_price\":100,"
          "\"discount\":201}],\"total\":100," PAY "}",
          422, "invalid_field", "orders[0].lines[0].discount" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE "],\"total\":-1," PAY "}", 422,
          "invalid_field", "orders[0].total" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE "],\"total\":100}", 422,
          "missing_field", "orders[0].payments" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
          "],\"total\":100,\"payments\":[{\"method\":\"Card\",\"amount\":0}]}",
          422, "invalid_field", "orders[0].payments[0].amount" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
          "],\"total\":100,\"payments\":[{\"method\":\"\",\"amount\":100}]}",
          422, "invalid_field", "orders[0].payments[0].method" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
          "],\"total\":100,\"payments\":[{\"method\":\"Card\",\"amount\":100,\"offline\":1}]}",
          422, "invalid_field", "orders[0].payments[0].offline" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
          "],\"total\":100,\"shipping\":{\"price\":5}," PAY "}",
          422, "missing_field", "orders[0].shipping.title" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
          "],\"total\":100,\"ship_to\":{\"line1\":3}," PAY "}",
          422, "invalid_field", "orders[0].ship_to.line1" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
          "],\"total\":100,\"location_id\":\"L9\"," PAY "}",
          422, "unknown_reference", "orders[0].location_id" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
          "],\"total\":100,\"discounts\":[{\"amount\":5}]," PAY "}",
          422, "missing_field", "orders[0].discounts[0].name" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE "],\"total\":100,\"email\":5," PAY
          "}",
          422, "invalid_field", "orders[0].email" },
        { "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE "],\"total\":100,\"extra\":1," PAY
          "}",
          422, "invalid_field", NULL },
        { "5", 422, "invalid_field", "orders[0]" },
        /* a good order before a bad one: nothing of either is written */
        { "{\"order_id\":\"ok\"," BASE_HEAD "\"lines\":[" LINE "],\"total\":100," PAY "},"
          "{\"order_id\":\"bad\"," BASE_HEAD "\"lines\":[" LINE "]," PAY "}",
          422, "missing_field", "orders[1].total" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_bad(token, cases[i].o, cases[i].status, cases[i].code, cases[i].field);
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token, "{\"orders\":[]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token, "{}", 422, "missing_field");
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token, "{\"orders\":{}}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token, "not json", 400,
                    "invalid_json");
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token, NULL, 400, "invalid_json");
    /* 501 lines, 21 payments: over their bounds */
    size_t lcap = 501 * (sizeof(LINE) + 1) + 512;
    char *lines = malloc(lcap);
    cr_assert(lines);
    size_t ll = (size_t)snprintf(lines, lcap, "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[");
    for (int i = 0; i < 501; i++)
        ll += (size_t)snprintf(lines + ll, lcap - ll, "%s" LINE, i ? "," : "");
    snprintf(lines + ll, lcap - ll, "],\"total\":100," PAY "}");
    expect_bad(token, lines, 422, "invalid_field", "orders[0].lines");
    ll = (size_t)snprintf(lines, lcap,
                          "{\"order_id\":\"a\"," BASE_HEAD "\"lines\":[" LINE
                          "],\"total\":21,\"payments\":[");
    for (int i = 0; i < 21; i++)
        ll += (size_t)snprintf(lines + ll, lcap - ll, "%s{\"method\":\"Card\",\"amount\":1}",
                               i ? "," : "");
    snprintf(lines + ll, lcap - ll, "]}");
    expect_bad(token, lines, 422, "invalid_field", "orders[0].payments");
    free(lines);
    /* 101 orders: too many for one request */
    size_t cap = 101 * 8 + 32;
    char *many = malloc(cap);
    cr_assert(many);
    size_t len = (size_t)snprintf(many, cap, "{\"orders\":[");
    for (int i = 0; i < 101; i++)
        len += (size_t)snprintf(many + len, cap - len, "%s{}", i ? "," : "");
    snprintf(many + len, cap - len, "]}");
    th_expect_error(&t, "POST", "/api/v1/connection/orders", token, many, 413, "payload_too_large");
    free(many);
    cr_expect_eq(th_fingerprint(&t), before, "bad input wrote something");
}

Test(export_orders, e4_an_order_the_engine_refuses_is_refused_alone)
{
    /* RULE E4: an order the sale itself refuses (order discounts over the lines) is refused
     * with the engine's error and nothing of it is written; the next order is taken */
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = te_export(&t, token,
                                 "{\"order_id\":\"8001\"," BASE_HEAD "\"lines\":[" LINE
                                 "],\"discounts\":[{\"name\":"
                                 "\"Big\",\"amount\":500}],\"total\":0,\"payments\":[]}");
    json_t *res = te_result(&r, 0);
    cr_expect_str_eq(th_str(res, "outcome"), "refused", "%s", r.body);
    json_t *e = json_object_get(res, "error");
    cr_expect_str_eq(th_str(e, "code"), "invalid_field");
    cr_expect_str_eq(th_str(e, "message"),
                     "the discounts and adjustments take the total below zero");
    cr_expect_null(json_object_get(e, "amount_due"));
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before, "a refused order wrote something");
    r = te_export(&t, token,
                  "{\"order_id\":\"8001\"," BASE_HEAD "\"lines\":[" LINE
                  "],\"discounts\":[{\"name\":\"Big\",\"amount\":500}],\"total\":0,"
                  "\"payments\":[]}," ORDER("8002", PAID_BY_CARD));
    cr_expect_str_eq(th_str(te_result(&r, 0), "outcome"), "refused");
    cr_expect_str_eq(th_str(te_result(&r, 1), "outcome"), "created");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders WHERE external_id = '8001'"),
                 0);
}

/* The ids of a page of GET /api/v1/sales (at most 4), as "id,id,...". */
static void sale_ids(const char *query, char *out, size_t size)
{
    json_t *list = th_get(&t, t.admin, "/api/v1/sales?%s", query);
    json_t *data = json_object_get(list, "data"), *row;
    size_t i, n = 0;
    out[0] = '\0';
    json_array_foreach(data, i, row)
    {
        n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? "," : "",
                              (long long)th_int(row, "id"));
    }
    json_decref(list);
}

Test(export_orders, t2_an_exported_sale_is_found_by_the_webstores_order_number)
{
    /* RULE T2: GET /api/v1/sales?external_number= finds a web sale by the webstore's order
     * number ("W-1002") or its order id ("1002"), exactly, alone or with ?channel= */
    char token[SB_TOKEN_LEN], got[64], want[64];
    int64_t ch = te_connect(&t, "site-1", true, token);
    struct th_resp r =
        te_export(&t, token, ORDER("1001", PAID_BY_CARD) "," ORDER("1002", PAID_BY_CARD));
    int64_t first = th_int(te_result(&r, 0), "sale_id"),
            second = th_int(te_result(&r, 1), "sale_id");
    th_resp_free(&r);
    cr_assert_neq(first, second);
    snprintf(want, sizeof(want), "%lld", (long long)second);
    sale_ids("external_number=W-1002", got, sizeof(got));
    cr_expect_str_eq(got, want, "by number");
    sale_ids("external_number=1002", got, sizeof(got));
    cr_expect_str_eq(got, want, "by order id");
    char q[96];
    snprintf(q, sizeof(q), "channel=%lld&external_number=W-1002", (long long)ch);
    sale_ids(q, got, sizeof(got));
    cr_expect_str_eq(got, want, "with its channel");
    snprintf(want, sizeof(want), "%lld", (long long)first);
    sale_ids("external_number=W-1001", got, sizeof(got));
    cr_expect_str_eq(got, want, "the other one");
    /* exact: no prefix, no other channel, not the POS's */
    sale_ids("external_number=W-100", got, sizeof(got));
    cr_expect_str_eq(got, "", "a prefix");
    snprintf(q, sizeof(q), "channel=%lld&external_number=W-1002", (long long)ch + 1);
    sale_ids(q, got, sizeof(got));
    cr_expect_str_eq(got, "", "another channel");
    sale_ids("channel=pos&external_number=W-1002", got, sizeof(got));
    cr_expect_str_eq(got, "", "the POS's sales");
    /* bounded: empty or longer than 200 characters is 400 invalid_query */
    char path[300] = "/api/v1/sales?external_number=";
    size_t n = strlen(path);
    memset(path + n, '7', 201);
    path[n + 201] = '\0';
    const char *bad[] = { "/api/v1/sales?external_number=", path };
    for (size_t i = 0; i < 2; i++) {
        r = th_req(&t, "GET", bad[i], t.admin, NULL);
        cr_expect_eq(r.status, 400, "%s", r.body);
        json_t *e = json_object_get(r.json, "error");
        cr_expect_str_eq(th_str(e, "code"), "invalid_query");
        cr_expect_str_eq(th_str(e, "field"), "external_number");
        th_resp_free(&r);
    }
}
