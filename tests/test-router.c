/*
 * The router: literal and {param} segments, 405 detection, Allow lists,
 * and that the route table has no two rows for one method and pattern.
 */
#include "http/router.h"

#include <criterion/criterion.h>
#include <string.h>

Test(router, matches_literals_and_params)
{
    struct sb_arena *a = sb_arena_new();
    const char *params[SB_MAX_PARAMS] = { 0 };
    bool mismatch;
    size_t n;
    const struct sb_route *routes = sb_routes(&n);
    int i = sb_router_match("GET", "/api/v1/sales/42", params, a, &mismatch);
    cr_assert_geq(i, 0);
    cr_expect_str_eq(routes[i].pattern, "/api/v1/sales/{id}");
    cr_expect_str_eq(params[0], "42");
    i = sb_router_match("POST", "/api/v1/sales/42/payments", params, a, &mismatch);
    cr_assert_geq(i, 0);
    cr_expect_str_eq(routes[i].pattern, "/api/v1/sales/{id}/payments");
    i = sb_router_match("POST", "/api/v1/items/import", params, a, &mismatch);
    cr_assert_geq(i, 0);
    cr_expect_str_eq(routes[i].pattern, "/api/v1/items/import");
    sb_arena_free(a);
}

Test(router, unknown_paths_and_methods)
{
    const char *params[SB_MAX_PARAMS] = { 0 };
    bool mismatch;
    cr_expect_eq(sb_router_match("GET", "/api/v1/nothing", params, NULL, &mismatch), -1);
    cr_expect_not(mismatch);
    cr_expect_eq(sb_router_match("GET", "/api/v1/sales/", params, NULL, &mismatch), -1);
    cr_expect_eq(sb_router_match("GET", "/api/v1/sales//payments", params, NULL, &mismatch), -1);
    cr_expect_eq(sb_router_match("GET", "/api/v1/sales/1/extra/more", params, NULL, &mismatch), -1);
    cr_expect_eq(sb_router_match("DELETE", "/api/v1/sales/1", params, NULL, &mismatch), -1);
    cr_expect(mismatch);
    char allow[128];
    sb_router_allow("/api/v1/outlets/1", allow, sizeof(allow));
    cr_expect_str_eq(allow, "GET, PATCH");
}

Test(router, table_has_no_duplicates)
{
    size_t n;
    const struct sb_route *routes = sb_routes(&n);
    cr_assert_gt(n, 40);
    for (size_t i = 0; i < n; i++) {
        cr_expect_not_null(routes[i].handler);
        for (size_t j = i + 1; j < n; j++)
            cr_expect(strcmp(routes[i].method, routes[j].method) != 0 ||
                          strcmp(routes[i].pattern, routes[j].pattern) != 0,
                      "route %s %s twice", routes[i].method, routes[i].pattern);
    }
}
