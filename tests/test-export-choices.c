/*
 * GET /api/v1/connection/choices (SPEC E1, issue 14 item 7): what a webstore
 * completes its connection from - the POS's outlets with their registers, its
 * active employees (with the user tied to each, if any), its price levels -
 * read with the connection token, also while the connection is incomplete;
 * a retired token is answered 401 connection_retired as on every connection
 * route, and a user's token 403.
 */
#include "export-test.h"

#include <criterion/criterion.h>
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

TestSuite(export_choices, .init = setup, .fini = teardown, .timeout = 120);

/* RULE E1: an incomplete connection reads the lists it completes itself from. */
Test(export_choices, e1_incomplete_connection_lists_outlets_registers_employees_levels)
{
    /* a second employee, inactive, and one tied to the manager user */
    th_sql_exec(&t, "INSERT INTO employees (id, name, active, created_at, updated_at) VALUES"
                    " (2, 'Gone', false, 'x', 'x'), (3, 'Mo', true, 'x', 'x');"
                    "UPDATE users SET employee_id = 3 WHERE username = 'manager';"
                    "INSERT INTO registers (id, outlet_id, name, created_at, updated_at) VALUES"
                    " (3, 1, 'Till 2', 'x', 'x');");
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", false, token);
    struct th_resp r = th_req(&t, "GET", "/api/v1/connection/choices", token, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *want = json_loads(
        "{\"outlets\":[{\"id\":1,\"name\":\"Downtown\",\"registers\":["
        "{\"id\":1,\"name\":\"Till 1\"},{\"id\":3,\"name\":\"Till 2\"}]},"
        "{\"id\":2,\"name\":\"Uptown\",\"registers\":[{\"id\":2,\"name\":\"Till 1\"}]}],"
        "\"employees\":[{\"id\":1,\"name\":\"Erin\",\"username\":null,\"role\":null},"
        "{\"id\":3,\"name\":\"Mo\",\"username\":\"manager\",\"role\":\"manager\"}],"
        "\"price_levels\":[{\"id\":1,\"name\":\"Default\"},{\"id\":2,\"name\":\"Sale\"}]}",
        0, NULL);
    cr_assert(want);
    char *got = json_dumps(r.json, JSON_SORT_KEYS);
    cr_expect(json_equal(r.json, want), "got %s", got);
    free(got);
    json_decref(want);
    th_resp_free(&r);
}

/* RULE E1: a deactivated user's name is not shown beside its employee. */
Test(export_choices, e1_inactive_user_is_not_named)
{
    th_sql_exec(&t, "UPDATE users SET employee_id = 1, active = false WHERE username = 'manager';");
    char token[SB_TOKEN_LEN];
    te_connect(&t, "site-1", true, token);
    struct th_resp r = th_req(&t, "GET", "/api/v1/connection/choices", token, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *e = json_array_get(json_object_get(r.json, "employees"), 0);
    cr_expect_eq(th_int(e, "id"), 1);
    cr_expect(json_is_null(json_object_get(e, "username")), "%s", r.body);
    th_resp_free(&r);
}

/* RULE E1: a retired connection's token reads nothing; a user's token is refused. */
Test(export_choices, e1_retired_token_401_and_user_token_403)
{
    char first[SB_TOKEN_LEN], second[SB_TOKEN_LEN];
    te_connect(&t, "site-1", false, first);
    te_connect(&t, "site-1", false, second);
    struct th_resp r = th_req(&t, "GET", "/api/v1/connection/choices", first, NULL);
    cr_expect_eq(r.status, 401, "%s", r.body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "code"), "connection_retired");
    cr_expect(strncmp(th_str(json_object_get(r.json, "error"), "message"), "replaced by", 11) == 0,
              "%s", r.body);
    th_resp_free(&r);
    r = th_req(&t, "GET", "/api/v1/connection/choices", second, NULL);
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = th_req(&t, "GET", "/api/v1/connection/choices", t.admin, NULL);
    cr_expect_eq(r.status, 403, "%s", r.body);
    th_resp_free(&r);
}
