/*
 * Request paths (http/router.c and the path ids of http/request.c): every
 * request's method and path are matched against the route table before
 * anything else runs. The input is "METHOD PATH". A match must name a
 * route of that method whose pattern the path fits segment by segment,
 * with one parameter per {name}, each a non-empty segment without '/';
 * sb_req_id must accept exactly the parameters that are positive decimal
 * ids, and the Allow list must name the method of every route that fits.
 */
#include "fuzz.h"

#include "http/request.h"
#include "http/router.h"

#include <errno.h>

/* The pattern's {name} count, and whether path fits it (checked here independently). */
static bool fits(const char *pattern, const char *path, size_t *ret_params)
{
    size_t n = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++;
        path++;
        size_t pl = strcspn(pattern, "/"), ul = strcspn(path, "/");
        if (*pattern == '{') {
            if (ul == 0)
                return false;
            n++;
        } else if (pl != ul || memcmp(pattern, path, pl) != 0) {
            return false;
        }
        pattern += pl;
        path += ul;
    }
    *ret_params = n;
    return !*pattern && !*path;
}

static bool positive_id(const char *s)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    return !errno && !*end && v > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *m, *p;
    size_t ml, pl;
    if (!fz_next(&data, &size, " ", &m, &ml) || !fz_next(&data, &size, "", &p, &pl))
        return 0;
    char *method = fz_cstr(m, ml), *path = fz_cstr(p, pl);
    struct sb_arena *a = sb_arena_new();
    if (!method || !path || !a)
        goto done;
    size_t n_routes;
    const struct sb_route *routes = sb_routes(&n_routes);
    const char *params[SB_MAX_PARAMS] = { 0 };
    bool mismatch = false;
    int i = sb_router_match(method, path, params, a, &mismatch);
    size_t want = 0;
    if (i >= 0) {
        FZ_CHECK((size_t)i < n_routes, "route %d of %zu", i, n_routes);
        FZ_CHECK(strcmp(routes[i].method, method) == 0, "%s matched a %s route", method,
                 routes[i].method);
        FZ_CHECK(fits(routes[i].pattern, path, &want), "%s does not fit %s", path,
                 routes[i].pattern);
        for (size_t k = 0; k < SB_MAX_PARAMS; k++) {
            FZ_CHECK((k < want) == (params[k] != NULL), "parameter %zu of %zu", k, want);
            if (!params[k])
                continue;
            FZ_CHECK(*params[k] && !strchr(params[k], '/'), "parameter \"%s\"", params[k]);
            struct sb_req r = { .arena = a };
            memcpy(r.params, params, sizeof(params));
            int64_t id = 0;
            sb_err err = sb_req_id(&r, (int)k, &id);
            fz_check_error(err);
            FZ_CHECK((err == SB_OK) == positive_id(params[k]), "sb_req_id(\"%s\") = %d", params[k],
                     err);
            FZ_CHECK(err || id > 0, "id %lld", (long long)id);
        }
    }
    /* the first route that fits, whatever its method, decides 404 against 405 */
    bool any = false, same = false;
    for (size_t k = 0; k < n_routes; k++) {
        size_t np;
        if (fits(routes[k].pattern, path, &np)) {
            any = true;
            same |= strcmp(routes[k].method, method) == 0;
        }
    }
    FZ_CHECK(same == (i >= 0), "%s %s: a route fits but none matched", method, path);
    FZ_CHECK(i >= 0 || mismatch == any, "%s %s: 405 %d, a route fits %d", method, path, mismatch,
             any);
    char allow[256];
    sb_router_allow(path, allow, sizeof(allow));
    FZ_CHECK(memchr(allow, '\0', sizeof(allow)), "Allow is not terminated");
    FZ_CHECK(!any == !*allow, "Allow \"%s\" for %s", allow, path);
done:
    sb_arena_free(a);
    free(method);
    free(path);
    return 0;
}
