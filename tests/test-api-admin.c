/*
 * Back-office records end to end: registers (scoped by outlet, admin
 * writes), employees (staff read, managers write) and users (admin only),
 * with their uniqueness rules, the guard that keeps a store from losing its
 * last admin, and every kind of bad input. The guard's rule is also checked
 * directly, for the cases no API caller can reach.
 */
#include "harness.h"
#include "core/user.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture fx;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &fx);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(admin, .init = setup, .fini = teardown);

/* The ids of a list page, as "1,2,3". */
static const char *list_ids(const char *token, char *buf, size_t cap, const char *path)
{
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

static struct th_resp patch(const char *token, const char *path, const char *body)
{
    return th_req(&t, "PATCH", path, token, body);
}

/* ---- registers ---- */

Test(admin, registers_crud)
{
    int64_t id =
        th_create(&t, t.admin, "/api/v1/registers", "{\"outlet_id\":1,\"name\":\"Till 2\"}");
    json_t *g = th_get(&t, fx.staff1, "/api/v1/registers/%lld", (long long)id);
    cr_expect_eq(th_int(g, "outlet_id"), 1);
    cr_expect_str_eq(th_str(g, "name"), "Till 2");
    cr_expect(json_is_string(json_object_get(g, "created_at")));
    json_decref(g);

    char path[64], b[64];
    snprintf(path, sizeof(path), "/api/v1/registers/%lld", (long long)id);
    struct th_resp r = patch(t.admin, path, "{\"name\":\"Front till\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "name"), "Front till");
    cr_expect_eq(th_int(r.json, "outlet_id"), 1);
    th_resp_free(&r);
    /* a register without sales may move to another outlet */
    r = patch(t.admin, path, "{\"outlet_id\":2}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "outlet_id"), 2);
    th_resp_free(&r);

    /* the same name is fine in another outlet ("Till 1" exists in both) */
    int64_t other =
        th_create(&t, t.admin, "/api/v1/registers", "{\"outlet_id\":1,\"name\":\"Front till\"}");
    cr_expect_gt(other, id);

    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/registers"), "1,2,3,4");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/registers?outlet_id=2"), "2,3");
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/registers?limit=1&after=2"), "3");
    json_t *page = th_get(&t, t.admin, "/api/v1/registers?limit=2");
    cr_expect_eq(th_int(page, "next_after"), 2);
    json_decref(page);
}

Test(admin, registers_are_scoped_by_outlet)
{
    char b[64];
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/registers"), "1");
    cr_expect_str_eq(list_ids(fx.staff2, b, sizeof(b), "/api/v1/registers"), "2");
    cr_expect_str_eq(list_ids(fx.manager, b, sizeof(b), "/api/v1/registers"), "1,2");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/registers?outlet_id=1"), "1");
    th_expect_error(&t, "GET", "/api/v1/registers/2", fx.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/registers?outlet_id=2", fx.staff1, NULL, 403,
                    "outlet_forbidden");
}

Test(admin, registers_bad_input)
{
    const char *P = "/api/v1/registers";
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":1,\"name\":\"Till 1\"}", 409,
                    "duplicate");
    th_expect_error(&t, "PATCH", "/api/v1/registers/1", t.admin, "{\"outlet_id\":2}", 409,
                    "duplicate");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":99,\"name\":\"X\"}", 422,
                    "unknown_reference");
    th_expect_error(&t, "PATCH", "/api/v1/registers/1", t.admin, "{\"outlet_id\":99}", 422,
                    "unknown_reference");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\"X\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":1}", 422, "missing_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":1,\"name\":\"\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":\"1\",\"name\":\"X\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":0,\"name\":\"X\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":-1,\"name\":\"X\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":1,\"name\":7}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":1,\"name\":\"X\",\"float\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "PATCH", "/api/v1/registers/1", t.admin, "{\"name\":\"\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"outlet_id\":1,", 400, "invalid_json");
    th_expect_error(&t, "POST", P, t.admin, "[]", 400, "invalid_json");
    th_expect_error(&t, "PATCH", "/api/v1/registers/99", t.admin, "{\"name\":\"X\"}", 404,
                    "not_found");
    th_expect_error(&t, "GET", "/api/v1/registers/99", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/registers/x", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/registers?outlet_id=abc", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/registers?limit=0", t.admin, NULL, 400, "invalid_query");
    /* roles: staff and managers read, only admins write */
    th_expect_error(&t, "POST", P, fx.staff1, "{\"outlet_id\":1,\"name\":\"X\"}", 403, "forbidden");
    th_expect_error(&t, "POST", P, fx.manager, "{\"outlet_id\":1,\"name\":\"X\"}", 403,
                    "forbidden");
    th_expect_error(&t, "PATCH", "/api/v1/registers/1", fx.manager, "{\"name\":\"X\"}", 403,
                    "forbidden");
    th_expect_error(&t, "POST", P, NULL, "{\"outlet_id\":1,\"name\":\"X\"}", 401, "unauthorized");
    th_expect_error(&t, "GET", P, "sb_wrong", NULL, 401, "unauthorized");
}

Test(admin, register_with_sales_stays_in_its_outlet)
{
    th_sql_exec(&t, "INSERT INTO sales (id, outlet_id, register_id, status, currency, subtotal,"
                    " discount_total, tax_total, adjustment_total, total, paid_total,"
                    " balance_due, created_at, updated_at) VALUES (1, 1, 1, 'open', 'USD', 500,"
                    " 0, 0, 0, 500, 0, 500, '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');"
                    "INSERT INTO sale_lines (id, sale_id, line_no, item_id, sku, description,"
                    " quantity, unit_price, line_total) VALUES (1, 1, 1, 3, 'GIFTWRAP',"
                    " 'Gift wrap', 1, 500, 500)");
    th_expect_error(&t, "PATCH", "/api/v1/registers/1", t.admin, "{\"outlet_id\":2,\"name\":\"Z\"}",
                    409, "conflict");
    /* renaming, or naming its own outlet again, is fine */
    struct th_resp r = patch(t.admin, "/api/v1/registers/1", "{\"outlet_id\":1,\"name\":\"Main\"}");
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "name"), "Main");
    th_resp_free(&r);
}

/* ---- employees ---- */

Test(admin, employees_crud)
{
    int64_t id = th_create(&t, fx.manager, "/api/v1/employees",
                           "{\"name\":\"Sam\",\"email\":\"sam@x.test\",\"code\":\"S1\"}");
    json_t *e = th_get(&t, fx.staff1, "/api/v1/employees/%lld", (long long)id);
    cr_expect_str_eq(th_str(e, "name"), "Sam");
    cr_expect_str_eq(th_str(e, "email"), "sam@x.test");
    cr_expect_str_eq(th_str(e, "code"), "S1");
    cr_expect(json_is_true(json_object_get(e, "active")));
    json_decref(e);

    char path[64], b[64];
    snprintf(path, sizeof(path), "/api/v1/employees/%lld", (long long)id);
    struct th_resp r = patch(fx.manager, path, "{\"active\":false,\"email\":null}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_false(json_object_get(r.json, "active")));
    cr_expect(json_is_null(json_object_get(r.json, "email")));
    cr_expect_str_eq(th_str(r.json, "name"), "Sam");
    cr_expect_str_eq(th_str(r.json, "code"), "S1");
    th_resp_free(&r);

    /* a code may be cleared, and several employees may have none */
    r = patch(t.admin, path, "{\"code\":null}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_null(json_object_get(r.json, "code")));
    th_resp_free(&r);
    int64_t third =
        th_create(&t, t.admin, "/api/v1/employees", "{\"name\":\"Kim\",\"active\":true}");

    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/employees"), "1,2,3");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/employees?active=true"), "1,3");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/employees?active=false"), "2");
    cr_expect_str_eq(list_ids(fx.staff1, b, sizeof(b), "/api/v1/employees?limit=1&after=1"), "2");
    cr_expect_eq(third, 3);
}

Test(admin, employees_bad_input)
{
    const char *P = "/api/v1/employees";
    th_create(&t, fx.manager, P, "{\"name\":\"Sam\",\"code\":\"S1\"}");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\":\"Other\",\"code\":\"S1\"}", 409,
                    "duplicate");
    th_expect_error(&t, "PATCH", "/api/v1/employees/1", fx.manager, "{\"code\":\"S1\"}", 409,
                    "duplicate");
    th_expect_error(&t, "POST", P, fx.manager, "{\"email\":\"a@b\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\":null}", 422, "missing_field");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\":\"\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\":\"X\",\"code\":\"\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\":\"X\",\"active\":\"yes\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\":\"X\",\"email\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\":\"X\",\"pin\":\"1234\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "PATCH", "/api/v1/employees/1", fx.manager, "{\"name\":\"\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, fx.manager, "{\"name\"", 400, "invalid_json");
    th_expect_error(&t, "PATCH", "/api/v1/employees/99", fx.manager, "{\"name\":\"X\"}", 404,
                    "not_found");
    th_expect_error(&t, "GET", "/api/v1/employees/99", fx.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/employees?active=1", fx.staff1, NULL, 400, "invalid_query");
    /* roles: staff read, managers and admins write */
    th_expect_error(&t, "POST", P, fx.staff1, "{\"name\":\"X\"}", 403, "forbidden");
    th_expect_error(&t, "PATCH", "/api/v1/employees/1", fx.staff2, "{\"name\":\"X\"}", 403,
                    "forbidden");
    th_expect_error(&t, "POST", P, NULL, "{\"name\":\"X\"}", 401, "unauthorized");
}

/* ---- users ---- */

Test(admin, users_crud)
{
    int64_t id = th_create(&t, t.admin, "/api/v1/users",
                           "{\"username\":\"kim\",\"name\":\"Kim\",\"email\":\"kim@x.test\","
                           "\"role\":\"staff\",\"employee_id\":1,\"outlet_ids\":[2,1]}");
    json_t *u = th_get(&t, t.admin, "/api/v1/users/%lld", (long long)id);
    cr_expect_str_eq(th_str(u, "username"), "kim");
    cr_expect_str_eq(th_str(u, "name"), "Kim");
    cr_expect_str_eq(th_str(u, "email"), "kim@x.test");
    cr_expect_str_eq(th_str(u, "role"), "staff");
    cr_expect_eq(th_int(u, "employee_id"), 1);
    cr_expect(json_is_true(json_object_get(u, "active")));
    json_t *outlets = json_object_get(u, "outlet_ids");
    cr_assert_eq(json_array_size(outlets), 2);
    cr_expect_eq(json_integer_value(json_array_get(outlets, 0)), 1);
    cr_expect_eq(json_integer_value(json_array_get(outlets, 1)), 2);
    cr_expect_null(json_object_get(u, "password_hash"));
    json_decref(u);

    char path[64];
    snprintf(path, sizeof(path), "/api/v1/users/%lld", (long long)id);
    struct th_resp r = patch(t.admin, path,
                             "{\"role\":\"manager\",\"outlet_ids\":[1],\"employee_id\":null,"
                             "\"active\":false}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "role"), "manager");
    cr_expect(json_is_null(json_object_get(r.json, "employee_id")));
    cr_expect(json_is_false(json_object_get(r.json, "active")));
    cr_expect_eq(json_array_size(json_object_get(r.json, "outlet_ids")), 1);
    cr_expect_str_eq(th_str(r.json, "username"), "kim");
    th_resp_free(&r);
    /* an empty list takes every outlet away */
    r = patch(t.admin, path, "{\"outlet_ids\":[]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(json_array_size(json_object_get(r.json, "outlet_ids")), 0);
    th_resp_free(&r);

    /* the list carries outlet_ids too: admin, staff1, staff2, manager, kim */
    json_t *page = th_get(&t, t.admin, "/api/v1/users");
    json_t *rows = json_object_get(page, "data");
    cr_assert_eq(json_array_size(rows), 5);
    cr_expect_str_eq(th_str(json_array_get(rows, 1), "username"), "staff1");
    cr_expect_eq(json_array_size(json_object_get(json_array_get(rows, 1), "outlet_ids")), 1);
    cr_expect_eq(json_array_size(json_object_get(json_array_get(rows, 3), "outlet_ids")), 2);
    json_decref(page);
    char b[64];
    cr_expect_str_eq(list_ids(t.admin, b, sizeof(b), "/api/v1/users?limit=2&after=3"), "4,5");
}

Test(admin, deactivated_user_can_no_longer_sign_in)
{
    json_t *me = th_get(&t, fx.staff1, "/api/v1/registers");
    json_decref(me);
    struct th_resp r = patch(t.admin, "/api/v1/users/2", "{\"active\":false}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_expect_error(&t, "GET", "/api/v1/registers", fx.staff1, NULL, 401, "unauthorized");
}

Test(admin, admin_may_not_demote_or_deactivate_themself)
{
    /* the harness admin is user 1 */
    th_expect_error(&t, "PATCH", "/api/v1/users/1", t.admin, "{\"role\":\"manager\"}", 409,
                    "conflict");
    th_expect_error(&t, "PATCH", "/api/v1/users/1", t.admin, "{\"active\":false}", 409, "conflict");
    th_expect_error(&t, "PATCH", "/api/v1/users/1", t.admin,
                    "{\"name\":\"Boss\",\"role\":\"staff\"}", 409, "conflict");
    /* other changes to oneself are fine, including re-stating the role */
    struct th_resp r =
        patch(t.admin, "/api/v1/users/1", "{\"name\":\"Boss\",\"role\":\"admin\",\"active\":true}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "name"), "Boss");
    th_resp_free(&r);

    /* with a second admin, the other may be demoted, but still not oneself */
    int64_t other =
        th_create(&t, t.admin, "/api/v1/users", "{\"username\":\"root2\",\"role\":\"admin\"}");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/users/%lld", (long long)other);
    th_expect_error(&t, "PATCH", "/api/v1/users/1", t.admin, "{\"role\":\"manager\"}", 409,
                    "conflict");
    r = patch(t.admin, path, "{\"role\":\"manager\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "role"), "manager");
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active"), 1);
}

Test(admin, users_bad_input)
{
    const char *P = "/api/v1/users";
    th_expect_error(&t, "POST", P, t.admin, "{\"username\":\"staff1\",\"role\":\"staff\"}", 409,
                    "duplicate");
    th_expect_error(&t, "PATCH", "/api/v1/users/3", t.admin, "{\"username\":\"staff1\"}", 409,
                    "duplicate");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"outlet_ids\":[1,99]}", 422,
                    "unknown_reference");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"employee_id\":99}", 422,
                    "unknown_reference");
    th_expect_error(&t, "PATCH", "/api/v1/users/2", t.admin, "{\"employee_id\":99}", 422,
                    "unknown_reference");
    th_expect_error(&t, "PATCH", "/api/v1/users/2", t.admin, "{\"outlet_ids\":[99]}", 422,
                    "unknown_reference");
    th_expect_error(&t, "POST", P, t.admin, "{\"role\":\"staff\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"username\":\"x\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"username\":\"x\",\"role\":\"owner\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"username\":\"a b\",\"role\":\"staff\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"username\":\"\",\"role\":\"staff\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"outlet_ids\":[1,1]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"outlet_ids\":[\"1\"]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"outlet_ids\":[0]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"outlet_ids\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"employee_id\":\"1\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"username\":\"x\",\"role\":\"staff\",\"active\":0}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", P, t.admin,
                    "{\"username\":\"x\",\"role\":\"staff\",\"password\":\"hunter2\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"username\":", 400, "invalid_json");
    th_expect_error(&t, "PATCH", "/api/v1/users/99", t.admin, "{\"name\":\"X\"}", 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/users/99", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/users?after=-1", t.admin, NULL, 400, "invalid_query");
    /* admin only, reads included */
    th_expect_error(&t, "GET", P, fx.manager, NULL, 403, "forbidden");
    th_expect_error(&t, "GET", "/api/v1/users/2", fx.staff1, NULL, 403, "forbidden");
    th_expect_error(&t, "POST", P, fx.manager, "{\"username\":\"x\",\"role\":\"admin\"}", 403,
                    "forbidden");
    th_expect_error(&t, "PATCH", "/api/v1/users/4", fx.manager, "{\"role\":\"admin\"}", 403,
                    "forbidden");
    th_expect_error(&t, "GET", P, NULL, NULL, 401, "unauthorized");
}

/* ---- the last-admin guard as a rule (no API caller can reach every case) ---- */

Test(admin_rules, last_active_admin_is_kept)
{
    struct sb_user demote = { .role = { "staff", true } };
    struct sb_user deactivate = { .active = false, .active_set = true };
    struct sb_user rename = { .name = { "New name", true } };
    struct sb_user restate = { .role = { "admin", true }, .active = true, .active_set = true };
    /* yourself: never, whoever else is admin */
    cr_expect_eq(sb_user_check_admin_change(&demote, true, true, 5), SB_ECONFLICT);
    cr_expect_str_eq(sb_err_last()->field, "role");
    cr_expect_eq(sb_user_check_admin_change(&deactivate, true, true, 5), SB_ECONFLICT);
    cr_expect_str_eq(sb_err_last()->field, "active");
    /* someone else: only while another active admin remains */
    cr_expect_eq(sb_user_check_admin_change(&demote, false, true, 0), SB_ECONFLICT);
    cr_expect_eq(sb_user_check_admin_change(&deactivate, false, true, 0), SB_ECONFLICT);
    cr_expect_eq(sb_user_check_admin_change(&demote, false, true, 1), SB_OK);
    cr_expect_eq(sb_user_check_admin_change(&deactivate, false, true, 1), SB_OK);
    /* changes that keep an admin, or targets that are not active admins, always pass */
    cr_expect_eq(sb_user_check_admin_change(&rename, true, true, 0), SB_OK);
    cr_expect_eq(sb_user_check_admin_change(&restate, true, true, 0), SB_OK);
    cr_expect_eq(sb_user_check_admin_change(&demote, false, false, 0), SB_OK);
    cr_expect_eq(sb_user_check_admin_change(&deactivate, true, false, 0), SB_OK);
}

Test(admin_rules, employee_rules)
{
    struct sb_employee none = { 0 };
    cr_expect_eq(sb_employee_validate(&none, true), SB_EMISSING_FIELD);
    cr_expect_eq(sb_employee_validate(&none, false), SB_OK);
    struct sb_employee empty_code = { .name = { "A", true }, .code = { "", true } };
    cr_expect_eq(sb_employee_validate(&empty_code, true), SB_EINVALID_FIELD);
    struct sb_employee null_code = { .name = { "A", true }, .code = { NULL, true } };
    cr_expect_eq(sb_employee_validate(&null_code, true), SB_OK);
}
