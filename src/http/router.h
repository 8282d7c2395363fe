/*
 * Matches "METHOD /path" against the route table (routes.c). Patterns are
 * literal segments and "{name}" segments, which capture into params.
 */
#ifndef SB_ROUTER_H
#define SB_ROUTER_H

#include "http/request.h"

#include <stdbool.h>

/* The index of the matching route, or -1; *ret_method_mismatch is true when the
 * path matched a route under another method (405). */
int sb_router_match(const char *method, const char *path, const char *params[SB_MAX_PARAMS],
                    struct sb_arena *a, bool *ret_method_mismatch);
/* The methods the path answers to, as an Allow header value. */
void sb_router_allow(const char *path, char *buf, size_t cap);

#endif
