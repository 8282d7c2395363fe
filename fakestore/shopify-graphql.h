/*
 * What the two halves of the Admin GraphQL endpoint share: shopify-graphql.c admits
 * a request (faults, token, body, the operation the document declares, the
 * cost budget) and shopify-graphql-ops.c runs the operation. struct gql carries one
 * request from one to the other.
 */
#ifndef SB_FAKESTORE_GRAPHQL_H
#define SB_FAKESTORE_GRAPHQL_H

#include "shopify-shop.h"

/* One term of SbOrders' $query: a time field compared with a time. */
enum {
    F_UPDATED,
    F_CREATED
};
enum {
    C_GT,
    C_GE,
    C_LT,
    C_LE,
    C_EQ
};

struct cond {
    int field, op;
    int64_t t;
};

#define MAX_CONDS 8

struct gql {
    struct fs_shop *s;
    const char *query; /* the document */
    json_t *vars;      /* an object, never NULL */
    json_t *errors;    /* top-level GraphQL errors */
    int requested, actual;
    int64_t first, cur_t, cur_id, id;
    bool has_cursor;
    struct cond conds[MAX_CONDS];
    size_t n_conds;
    struct events ev; /* webhooks the operation raised */
};

struct gql_op {
    const char *name, *kind;
    bool (*prepare)(struct gql *g); /* false: g->errors says why; nothing is charged */
    json_t *(*run)(struct gql *g);  /* the "data" object */
};

static inline bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static inline bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
}

void fs_gql_error(struct gql *g, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The operation the shop models under this name, NULL when none. */
const struct gql_op *fs_gql_find_op(const char *name);

#endif
