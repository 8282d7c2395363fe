/*
 * Shopify's search syntax for the simulated shop's connections
 * (graphql-search.c says what is modelled): a query parsed once, then
 * matched against each object through the connection's own term matcher.
 */
#ifndef SB_FAKESTORE_GRAPHQL_SEARCH_H
#define SB_FAKESTORE_GRAPHQL_SEARCH_H

#include "util/timeutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define FS_SEARCH_MAX_NODES 4096

enum fs_search_op {
    FS_SEARCH_EQ,
    FS_SEARCH_GT,
    FS_SEARCH_GE,
    FS_SEARCH_LT,
    FS_SEARCH_LE
};

struct fs_search_term {
    const char *field; /* a known field (unknown ones never reach the matcher) */
    enum fs_search_op op;
    char *value; /* unquoted, unescaped; the trailing * of a prefix removed */
    bool prefix;
};

struct fs_search;
/* Whether obj satisfies one term. */
typedef bool (*fs_search_match_fn)(const void *obj, const struct fs_search_term *t);

/* NULL when the query does not parse (an unterminated quote, an unbalanced parenthesis,
 * more than FS_SEARCH_MAX_NODES terms) or memory runs out. known_fields ends with NULL. */
struct fs_search *fs_search_parse(const char *q, const char *const *known_fields);
void fs_search_free(struct fs_search *s); /* accepts NULL */
/* true for a NULL search */
bool fs_search_matches(const struct fs_search *s, fs_search_match_fn match, const void *obj);
/* The extensions.search entry for a query with unknown fields, or NULL when there are none. */
json_t *fs_search_warning(const struct fs_search *s, const char *path, const char *query);

/* The first term on one of these fields whose value is neither a time nor a date. */
const struct fs_search_term *fs_search_bad_time(const struct fs_search *s,
                                                const char *const *time_fields);

/* Term matchers for the usual kinds of value. */
bool fs_search_int(const struct fs_search_term *t, int64_t v);
bool fs_search_time(const struct fs_search_term *t, int64_t v);    /* a time or a bare date */
bool fs_search_str(const struct fs_search_term *t, const char *v); /* case-insensitive */
bool fs_search_id(const struct fs_search_term *t, int64_t id);     /* a number or a gid */

#endif
