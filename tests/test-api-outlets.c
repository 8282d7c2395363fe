/*
 * /api/v1/outlets end to end: create, read, update, list with pagination,
 * outlet access for non-admins, and every kind of bad input.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>

static struct th t;

static void setup(void)
{
    th_start(&t);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(outlets, .init = setup, .fini = teardown);

Test(outlets, create_get_update)
{
    int64_t id = th_create(&t, t.admin, "/api/v1/outlets",
                           "{\"name\":\"Main Street\",\"currency\":\"USD\",\"phone\":\"555\"}");
    json_t *o = th_get(&t, t.admin, "/api/v1/outlets/%lld", (long long)id);
    cr_expect_str_eq(json_string_value(json_object_get(o, "name")), "Main Street");
    cr_expect_str_eq(json_string_value(json_object_get(o, "currency")), "USD");
    cr_expect_str_eq(json_string_value(json_object_get(o, "timezone")), "UTC");
    json_decref(o);

    char path[64];
    snprintf(path, sizeof(path), "/api/v1/outlets/%lld", (long long)id);
    struct th_resp r = th_req(&t, "PATCH", path, t.admin, "{\"name\":\"Harbour\",\"phone\":null}");
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(json_string_value(json_object_get(r.json, "name")), "Harbour");
    cr_expect(json_is_null(json_object_get(r.json, "phone")));
    cr_expect_str_eq(json_string_value(json_object_get(r.json, "currency")), "USD");
    th_resp_free(&r);
}

Test(outlets, list_is_paginated)
{
    for (int i = 0; i < 5; i++)
        th_create(&t, t.admin, "/api/v1/outlets", "{\"name\":\"Shop %d\",\"currency\":\"EUR\"}", i);
    json_t *page = th_get(&t, t.admin, "/api/v1/outlets?limit=2");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 2);
    json_int_t next = json_integer_value(json_object_get(page, "next_after"));
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/outlets?limit=10&after=%lld", (long long)next);
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 3);
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);
}

Test(outlets, staff_see_only_their_outlets)
{
    int64_t a = th_create(&t, t.admin, "/api/v1/outlets", "{\"name\":\"A\",\"currency\":\"USD\"}");
    int64_t b = th_create(&t, t.admin, "/api/v1/outlets", "{\"name\":\"B\",\"currency\":\"USD\"}");
    char staff[SB_TOKEN_LEN];
    int64_t only_a[] = { a, 0 };
    th_user(&t, "sam", "staff", only_a, staff);
    json_t *list = th_get(&t, staff, "/api/v1/outlets");
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 1);
    cr_expect_eq(
        json_integer_value(json_object_get(json_array_get(json_object_get(list, "data"), 0), "id")),
        a);
    json_decref(list);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/outlets/%lld", (long long)b);
    th_expect_error(&t, "GET", path, staff, NULL, 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/outlets", staff, "{\"name\":\"C\",\"currency\":\"USD\"}",
                    403, "forbidden");
}

Test(outlets, bad_input)
{
    int64_t id = th_create(&t, t.admin, "/api/v1/outlets", "{\"name\":\"A\",\"currency\":\"USD\"}");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/outlets/%lld", (long long)id);
    const char *P = "/api/v1/outlets";
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":", 400, "invalid_json");
    th_expect_error(&t, "POST", P, t.admin, "[1,2]", 400, "invalid_json");
    th_expect_error(&t, "POST", P, t.admin, "{\"currency\":\"USD\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":42,\"currency\":\"USD\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\"X\",\"currency\":\"usd\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\"X\",\"currency\":\"USD\",\"colour\":1}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\"A\",\"currency\":\"USD\"}", 409,
                    "duplicate");
    th_expect_error(&t, "POST", P, NULL, "{\"name\":\"X\",\"currency\":\"USD\"}", 401,
                    "unauthorized");
    th_expect_error(&t, "POST", P, "sb_wrong", "{\"name\":\"X\",\"currency\":\"USD\"}", 401,
                    "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/outlets/999", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/outlets/abc", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "PATCH", "/api/v1/outlets/999", t.admin, "{\"name\":\"Z\"}", 404,
                    "not_found");
    th_expect_error(&t, "PATCH", path, t.admin, "{\"name\":\"\"}", 422, "invalid_field");
    th_expect_error(&t, "DELETE", path, t.admin, NULL, 405, "method_not_allowed");
    th_expect_error(&t, "GET", "/api/v1/outlets?limit=0", t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/nothing", t.admin, NULL, 404, "not_found");
}

Test(outlets, oversized_body_is_413)
{
    size_t n = 70 * 1024; /* the harness sets a 64 KiB limit */
    char *big = malloc(n + 64);
    snprintf(big, 64, "{\"name\":\"");
    size_t len = strlen(big);
    memset(big + len, 'x', n);
    snprintf(big + len + n, 64 - len, "\",\"currency\":\"USD\"}");
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = th_req(&t, "POST", "/api/v1/outlets", t.admin, big);
    cr_expect_eq(r.status, 413);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r.json, "error"), "code")),
                     "payload_too_large");
    cr_expect_eq(th_fingerprint(&t), before);
    th_resp_free(&r);
    free(big);
}

Test(outlets, wrong_content_type_is_415)
{
    struct th_resp r = th_req_raw(&t, "POST", "/api/v1/outlets", t.admin, "text/plain", "{}", 2);
    cr_expect_eq(r.status, 415);
    th_resp_free(&r);
}
