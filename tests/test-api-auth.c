/*
 * Authentication and authorization across the whole route table: every
 * route but /healthz and /metrics needs a valid bearer token; every route
 * with a least role refuses a lesser one before touching anything; every
 * body route refuses an oversized body; and /metrics counts what happened.
 */
#include "harness.h"
#include "http/request.h"

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
    th_sql_exec(&t, "UPDATE users SET active = 0 WHERE username = 'staff1'");
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
