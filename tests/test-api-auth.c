/*
 * Authentication and authorization across the whole route table: every
 * route but /healthz and /metrics needs a valid bearer token; every route
 * with a least role refuses a lesser one before touching anything; every
 * body route refuses an oversized body; and /metrics counts what happened.
 */
#include "harness.h"
#include "http/request.h"
#include "util/timeutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
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

TestSuite(auth, .init = setup, .fini = teardown);

/* The route's pattern with every {param} replaced by 1. */
static void concrete(const char *pattern, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 2 < cap; p++) {
        if (*p == '{') {
            out[n++] = '1';
            while (*p && *p != '}')
                p++;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

static bool has_body(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0;
}

Test(auth, every_private_route_needs_a_valid_token)
{
    size_t n;
    const struct sb_route *routes = sb_routes(&n);
    for (size_t i = 0; i < n; i++) {
        if ((routes[i].flags & SB_AUTH_MASK) == SB_AUTH_NONE)
            continue;
        char path[256];
        concrete(routes[i].pattern, path, sizeof(path));
        const char *body = has_body(routes[i].method) ? "{}" : NULL;
        th_expect_error(&t, routes[i].method, path, NULL, body, 401, "unauthorized");
        th_expect_error(&t, routes[i].method, path, "sb_not-a-token", body, 401, "unauthorized");
    }
}

Test(auth, lesser_roles_are_refused_before_anything_happens)
{
    struct th_fixture f;
    th_fixture(&t, &f);
    size_t n;
    const struct sb_route *routes = sb_routes(&n);
    int checked = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned need = routes[i].flags & SB_AUTH_MASK;
        char path[256];
        concrete(routes[i].pattern, path, sizeof(path));
        const char *body = has_body(routes[i].method) ? "{}" : NULL;
        if (need >= SB_AUTH_MANAGER) {
            th_expect_error(&t, routes[i].method, path, f.staff1, body, 403, "forbidden");
            checked++;
        }
        if (need == SB_AUTH_ADMIN) {
            th_expect_error(&t, routes[i].method, path, f.manager, body, 403, "forbidden");
            checked++;
        }
    }
    cr_expect_gt(checked, 10);
}

Test(auth, inactive_users_and_malformed_headers)
{
    struct th_fixture f;
    th_fixture(&t, &f);
    json_t *me = th_get(&t, f.staff1, "/api/v1/me");
    cr_expect_str_eq(json_string_value(json_object_get(me, "username")), "staff1");
    json_decref(me);
    th_sql_exec(&t, "UPDATE users SET active = false WHERE username = 'staff1'");
    th_expect_error(&t, "GET", "/api/v1/me", f.staff1, NULL, 401, "unauthorized");
    char huge[200];
    memset(huge, 'a', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    th_expect_error(&t, "GET", "/api/v1/me", huge, NULL, 401, "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/me", "", NULL, 401, "unauthorized");
}

Test(auth, oversized_bodies_are_refused_on_every_route)
{
    size_t n;
    const struct sb_route *routes = sb_routes(&n);
    size_t size = 65 * 1024 + 1; /* the harness limit is 64 KiB; imports allow more */
    char *big = malloc(size + 1);
    memset(big, ' ', size);
    big[size] = '\0';
    big[0] = '{';
    big[size - 1] = '}';
    for (size_t i = 0; i < n; i++) {
        if (!has_body(routes[i].method) || (routes[i].flags & SB_BODY_LARGE))
            continue;
        char path[256];
        concrete(routes[i].pattern, path, sizeof(path));
        th_expect_error(&t, routes[i].method, path, t.admin, big, 413, "payload_too_large");
    }
    free(big);
}

Test(auth, health_and_metrics_are_public)
{
    json_t *h = th_get(&t, NULL, "/healthz");
    cr_expect_str_eq(json_string_value(json_object_get(h, "status")), "ok");
    cr_expect_eq(json_integer_value(json_object_get(h, "schema_version")),
                 sb_store_schema_version(t.store));
    json_decref(h);
    th_expect_error(&t, "GET", "/api/v1/outlets/12345", t.admin, NULL, 404, "not_found");
    struct th_resp r = th_req(&t, "GET", "/metrics", NULL, NULL);
    cr_expect_eq(r.status, 200);
    cr_expect(strncmp(r.content_type, "text/plain", 10) == 0);
    cr_expect(strstr(r.body, "stockbridge_http_requests_total{method=\"GET\",route=\"/healthz\","
                             "status=\"200\"} 1\n") != NULL,
              "%s", r.body);
    cr_expect(strstr(r.body, "route=\"/api/v1/outlets/{id}\",status=\"404\"} 1\n") != NULL);
    cr_expect(strstr(r.body, "stockbridge_http_request_duration_seconds_bucket{le=\"+Inf\"}") !=
              NULL);
    cr_expect(strstr(r.body, "stockbridge_storage_errors_total 0\n") != NULL);
    th_resp_free(&r);
}

static long me_status(const char *token)
{
    struct th_resp r = th_req(&t, "GET", "/api/v1/me", token, NULL);
    long st = r.status;
    th_resp_free(&r);
    return st;
}

Test(auth, sec3_admins_list_make_and_revoke_tokens_and_a_revoked_one_fails_at_once)
{
    /* SEC3 */
    struct th_fixture f;
    th_fixture(&t, &f);
    int64_t staff1 = th_sql_int(&t, "SELECT id FROM users WHERE username = 'staff1'");
    char body[128];
    snprintf(body, sizeof(body), "{\"user_id\":%lld,\"name\":\"till 2\",\"expires_in\":86400}",
             (long long)staff1);
    struct th_resp r = th_req(&t, "POST", "/api/v1/tokens", t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    char token[SB_TOKEN_LEN];
    snprintf(token, sizeof(token), "%s", th_str(r.json, "token"));
    int64_t id = th_int(r.json, "id");
    cr_expect_eq(strncmp(token, "sb_", 3), 0);
    cr_expect_str_eq(th_str(r.json, "name"), "till 2");
    cr_expect_str_eq(th_str(r.json, "username"), "staff1");
    cr_expect_str_eq(th_str(r.json, "state"), "active");
    int64_t exp = 0, made = 0;
    cr_assert(sb_time_parse(th_str(r.json, "expires_at"), &exp));
    cr_assert(sb_time_parse(th_str(r.json, "created_at"), &made));
    cr_expect_eq(exp - made, 86400);
    th_resp_free(&r);
    cr_expect_eq(me_status(token), 200);
    /* the secret is never shown again, nor its hash */
    json_t *one = th_get(&t, t.admin, "/api/v1/tokens/%lld", (long long)id);
    cr_expect_null(json_object_get(one, "token"));
    cr_expect_null(json_object_get(one, "token_hash"));
    json_decref(one);
    json_t *list = th_get(&t, t.admin, "/api/v1/tokens?user_id=%lld", (long long)staff1);
    json_t *data = json_object_get(list, "data");
    cr_expect_eq(json_array_size(data), 2, "the fixture's and the new one");
    size_t i;
    json_t *row;
    json_array_foreach(data, i, row)
    {
        cr_expect_eq(th_int(row, "user_id"), staff1);
        cr_expect_null(json_object_get(row, "token"));
        cr_expect_null(json_object_get(row, "token_hash"));
    }
    json_decref(list);
    list = th_get(&t, t.admin, "/api/v1/tokens");
    cr_expect_eq(json_array_size(json_object_get(list, "data")), 5,
                 "admin, staff1 (2), staff2,"
                 " manager");
    json_decref(list);
    /* revoked: the very next request fails */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/tokens/%lld/revoke", (long long)id);
    r = th_req(&t, "POST", path, t.admin, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "state"), "revoked");
    cr_expect(json_is_string(json_object_get(r.json, "revoked_at")));
    th_resp_free(&r);
    cr_expect_eq(me_status(token), 401);
    cr_expect_eq(me_status(f.staff1), 200, "the user's other token still works");
    /* revoking again changes nothing; an unknown token is 404 */
    uint64_t before = th_fingerprint(&t);
    r = th_req(&t, "POST", path, t.admin, NULL);
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before);
    th_expect_error(&t, "POST", "/api/v1/tokens/999/revoke", t.admin, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/tokens/999", t.admin, NULL, 404, "not_found");
    /* only admins */
    th_expect_error(&t, "GET", "/api/v1/tokens", f.manager, NULL, 403, "forbidden");
    th_expect_error(&t, "POST", path, f.manager, NULL, 403, "forbidden");
}

Test(auth, sec3_a_token_expires_when_asked_and_bad_expiries_are_refused)
{
    /* SEC3 */
    struct th_fixture f;
    th_fixture(&t, &f);
    int64_t staff1 = th_sql_int(&t, "SELECT id FROM users WHERE username = 'staff1'");
    char body[160], next_year[SB_TIME_LEN];
    sb_time_format(sb_time_now() + 365 * 86400, next_year, sizeof(next_year));
    snprintf(body, sizeof(body), "{\"user_id\":%lld,\"expires_at\":\"%s\"}", (long long)staff1,
             next_year);
    struct th_resp r = th_req(&t, "POST", "/api/v1/tokens", t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "expires_at"), next_year);
    char token[SB_TOKEN_LEN];
    snprintf(token, sizeof(token), "%s", th_str(r.json, "token"));
    int64_t id = th_int(r.json, "id");
    th_resp_free(&r);
    cr_expect_eq(me_status(token), 200);
    /* its time comes: it fails at once, and is listed as expired */
    char sql[128];
    snprintf(sql, sizeof(sql),
             "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE id = %lld",
             (long long)id);
    th_sql_exec(&t, sql);
    cr_expect_eq(me_status(token), 401);
    json_t *one = th_get(&t, t.admin, "/api/v1/tokens/%lld", (long long)id);
    cr_expect_str_eq(th_str(one, "state"), "expired");
    json_decref(one);
    /* refused, and nothing is made */
    const char *bad[] = {
        "\"expires_in\":59",        "\"expires_in\":\"30d\"",
        "\"expires_in\":400000000", "\"expires_at\":\"2020-01-01T00:00:00Z\"",
        "\"expires_at\":\"soon\"",  "\"expires_in\":3600,\"expires_at\":\"2099-01-01T00:00:00Z\"",
        "\"token\":\"sb_mine\"",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body), "{\"user_id\":%lld,%s}", (long long)staff1, bad[i]);
        th_expect_error(&t, "POST", "/api/v1/tokens", t.admin, body, 422, "invalid_field");
    }
    th_expect_error(&t, "POST", "/api/v1/tokens", t.admin, "{\"name\":\"x\"}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", "/api/v1/tokens", t.admin, "{\"user_id\":999}", 422,
                    "unknown_reference");
    th_sql_exec(&t, "UPDATE users SET active = false WHERE username = 'staff2'");
    snprintf(body, sizeof(body), "{\"user_id\":%lld}",
             (long long)th_sql_int(&t, "SELECT id FROM users WHERE username = 'staff2'"));
    th_expect_error(&t, "POST", "/api/v1/tokens", t.admin, body, 409, "conflict");
}
