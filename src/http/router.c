/*
 * Route matching by segments. The table is small (under a hundred routes),
 * so a linear scan with early segment mismatch is faster than building a
 * tree, and keeps the table the single source of truth.
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

/* Matches one pattern; fills params (arena copies) on success. */
static bool match(const char *pattern, const char *path, const char *params[SB_MAX_PARAMS],
                  struct sb_arena *a)
{
    int np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return false;
        p++;
        u++;
        const char *pe = strchr(p, '/');
        const char *ue = strchr(u, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t ul = ue ? (size_t)(ue - u) : strlen(u);
        if (pl > 0 && p[0] == '{') {
            if (ul == 0 || np >= SB_MAX_PARAMS)
                return false;
            if (a)
                params[np] = sb_arena_strndup(a, u, ul);
            np++;
        } else if (pl != ul || memcmp(p, u, pl) != 0) {
            return false;
        }
        p += pl;
        u += ul;
    }
    return *p == '\0' && *u == '\0';
}

int sb_router_match(const char *method, const char *path, const char *params[SB_MAX_PARAMS],
                    struct sb_arena *a, bool *ret_method_mismatch)
{
    size_t n;
    const struct sb_route *routes = sb_routes(&n);
    *ret_method_mismatch = false;
    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, path, NULL, NULL))
            continue;
        if (strcmp(routes[i].method, method) == 0) {
            match(routes[i].pattern, path, params, a);
            return (int)i;
        }
        *ret_method_mismatch = true;
    }
    return -1;
}

void sb_router_allow(const char *path, char *buf, size_t cap)
{
    size_t n, len = 0;
    const struct sb_route *routes = sb_routes(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < cap; i++) {
        if (!match(routes[i].pattern, path, NULL, NULL))
            continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", routes[i].method);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}
