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

/* The error a request gets, and an unchanged database. */
static void expect_field_error(const char *method, const char *path, const char *body,
                               const char *field)
{
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = th_req(&t, method, path, t.admin, body);
    json_t *e = json_object_get(r.json, "error");
    cr_expect_eq(r.status, 422, "%s %s: %ld %s", method, body, r.status, r.body);
    cr_expect_str_eq(th_str(e, "code"), "invalid_field", "%s", body);
    cr_expect_str_eq(th_str(e, "field"), field, "%s", body);
    cr_expect_eq(th_fingerprint(&t), before, "%s changed the database", body);
    th_resp_free(&r);
}

/* T1: an outlet's time zone is a name of the tz database, on create and on update. */
Test(outlets, t1_timezone_must_be_a_tz_database_name)
{
    int64_t id =
        th_create(&t, t.admin, "/api/v1/outlets",
                  "{\"name\":\"NY\",\"currency\":\"USD\",\"timezone\":\"America/New_York\"}");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/outlets/%lld", (long long)id);
    static const char *const bad[] = { "\"\"",
                                       "\"america/new_york\"",
                                       "\"Mars/Base\"",
                                       "\"../../etc/passwd\"",
                                       "\"EST5EDT,M3.2.0,M11.1.0\"",
                                       "\"right/UTC\"",
                                       "42" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[160];
        snprintf(body, sizeof(body), "{\"name\":\"X\",\"currency\":\"USD\",\"timezone\":%s}",
                 bad[i]);
        expect_field_error("POST", "/api/v1/outlets", body, "timezone");
        snprintf(body, sizeof(body), "{\"timezone\":%s}", bad[i]);
        expect_field_error("PATCH", path, body, "timezone");
    }
    struct th_resp r = th_req(&t, "PATCH", path, t.admin, "{\"timezone\":\"Asia/Kolkata\"}");
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "timezone"), "Asia/Kolkata");
    th_resp_free(&r);
    json_t *o = th_get(&t, t.admin, "/api/v1/outlets/%lld", (long long)id);
    cr_expect_str_eq(th_str(o, "timezone"), "Asia/Kolkata");
    json_decref(o);
}

/* O4: an outlet's currency is an ISO 4217 code, and its records (and the signed-in
 * user's outlets) say how many decimals its amounts have. */
Test(outlets, o4_currency_is_iso_4217_with_its_exponent)
{
    expect_field_error("POST", "/api/v1/outlets", "{\"name\":\"X\",\"currency\":\"ZZZ\"}",
                       "currency");
    int64_t jp = th_create(&t, t.admin, "/api/v1/outlets",
                           "{\"name\":\"Tokyo\",\"currency\":\"JPY\",\"timezone\":\"Asia/Tokyo\"}");
    int64_t kw =
        th_create(&t, t.admin, "/api/v1/outlets",
                  "{\"name\":\"Kuwait\",\"currency\":\"KWD\",\"timezone\":\"Asia/Kuwait\"}");
    int64_t iq =
        th_create(&t, t.admin, "/api/v1/outlets", "{\"name\":\"Baghdad\",\"currency\":\"IQD\"}");
    json_t *o = th_get(&t, t.admin, "/api/v1/outlets/%lld", (long long)jp);
    cr_expect_eq(th_int(o, "currency_exponent"), 0);
    json_decref(o);
    o = th_get(&t, t.admin, "/api/v1/outlets/%lld", (long long)kw);
    cr_expect_eq(th_int(o, "currency_exponent"), 3);
    json_decref(o);
    o = th_get(&t, t.admin, "/api/v1/outlets/%lld", (long long)iq);
    cr_expect_eq(th_int(o, "currency_exponent"), 3, "ISO 4217's, not CLDR's 0");
    json_decref(o);
    json_t *page = th_get(&t, t.admin, "/api/v1/outlets");
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 1), "currency_exponent"), 3);
    json_decref(page);
    json_t *me = th_get(&t, t.admin, "/api/v1/me");
    json_t *mine = json_array_get(json_object_get(me, "outlets"), 0);
    cr_expect_str_eq(th_str(mine, "currency"), "JPY");
    cr_expect_str_eq(th_str(mine, "timezone"), "Asia/Tokyo");
    cr_expect_eq(th_int(mine, "currency_exponent"), 0);
    json_decref(me);
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
