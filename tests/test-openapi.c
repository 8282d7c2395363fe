/*
 * docs/api/openapi.yaml describes every route the server registers, and
 * nothing the server does not serve. The file is read with a small line
 * scanner: paths are the two-space-indented keys under "paths:", methods
 * the four-space-indented keys below each path.
 */
#include "http/request.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct op {
    char method[8];
    char path[160];
};

static size_t load(struct op *ops, size_t cap)
{
    const char *root = getenv("SB_SOURCE_ROOT");
    cr_assert_not_null(root, "SB_SOURCE_ROOT is not set (run through meson)");
    char file[512];
    snprintf(file, sizeof(file), "%s/docs/api/openapi.yaml", root);
    FILE *f = fopen(file, "r");
    cr_assert_not_null(f, "cannot open %s", file);
    char line[1024], path[160] = "";
    bool in_paths = false;
    size_t n = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && line[0] != ' ' && line[0] != '#') {
            in_paths = strcmp(line, "paths:") == 0;
            continue;
        }
        if (!in_paths)
            continue;
        if (strncmp(line, "  /", 3) == 0) {
            char *colon = strrchr(line, ':');
            cr_assert_not_null(colon, "bad path line: %s", line);
            *colon = '\0';
            snprintf(path, sizeof(path), "%s", line + 2);
        } else if (strncmp(line, "    ", 4) == 0 && line[4] != ' ' && path[0]) {
            static const char *const methods[] = { "get", "post", "put", "patch", "delete", NULL };
            for (int m = 0; methods[m]; m++) {
                size_t len = strlen(methods[m]);
                if (strncmp(line + 4, methods[m], len) == 0 && line[4 + len] == ':') {
                    cr_assert_lt(n, cap);
                    for (size_t k = 0; k <= len; k++)
                        ops[n].method[k] = (char)toupper((unsigned char)methods[m][k]);
                    snprintf(ops[n].path, sizeof(ops[n].path), "%s", path);
                    n++;
                }
            }
        }
    }
    fclose(f);
    return n;
}

Test(openapi, every_route_is_described)
{
    static struct op ops[512];
    size_t nops = load(ops, 512);
    size_t nroutes;
    const struct sb_route *routes = sb_routes(&nroutes);
    for (size_t i = 0; i < nroutes; i++) {
        bool found = false;
        for (size_t k = 0; k < nops && !found; k++)
            found = strcmp(ops[k].method, routes[i].method) == 0 &&
                    strcmp(ops[k].path, routes[i].pattern) == 0;
        cr_expect(found, "route %s %s is not described in docs/api/openapi.yaml", routes[i].method,
                  routes[i].pattern);
    }
}

Test(openapi, nothing_described_is_missing)
{
    static struct op ops[512];
    size_t nops = load(ops, 512);
    cr_expect_gt(nops, 0);
    size_t nroutes;
    const struct sb_route *routes = sb_routes(&nroutes);
    for (size_t k = 0; k < nops; k++) {
        bool found = false;
        for (size_t i = 0; i < nroutes && !found; i++)
            found = strcmp(ops[k].method, routes[i].method) == 0 &&
                    strcmp(ops[k].path, routes[i].pattern) == 0;
        cr_expect(found, "openapi.yaml describes %s %s, which the server does not serve",
                  ops[k].method, ops[k].path);
    }
}
