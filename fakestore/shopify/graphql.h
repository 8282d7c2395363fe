/*
 * What the two halves of the Admin GraphQL endpoint share: graphql.c admits
 * a request (faults, token, body, the operation the document declares, the
 * cost budget) and graphql-ops.c runs the operation. struct gql carries one
 * request from one to the other.
 */
#ifndef SB_FAKESTORE_GRAPHQL_H
#define SB_FAKESTORE_GRAPHQL_H

#include "shop.h"

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
    const char *host;  /* the request's Host header, or NULL (for URLs handed out) */
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
/* The operations of inventory.c, for the table in graphql-ops.c. */
bool fs_inv_prep_locations(struct gql *g);
json_t *fs_inv_run_locations(struct gql *g);
bool fs_inv_prep_items(struct gql *g);
json_t *fs_inv_run_items(struct gql *g);
bool fs_inv_prep_set(struct gql *g);
json_t *fs_inv_run_set(struct gql *g);
bool fs_inv_prep_prices(struct gql *g);
json_t *fs_inv_run_prices(struct gql *g);
/* The bulk operations of bulk.c: SbBulkStock and SbBulkStatus. */
bool fs_bulk_prep_run(struct gql *g);
json_t *fs_bulk_run_run(struct gql *g);
bool fs_bulk_prep_status(struct gql *g);
json_t *fs_bulk_run_status(struct gql *g);

/* Variables, gids, userErrors and nested page sizes as graphql-ops.c reads them
 * (there as static helpers; these are for the operations in other files). A false answer
 * has added its GraphQL error to g->errors. */
json_t *fs_gql_var(struct gql *g, const char *name); /* NULL for null or absent */
void fs_gql_var_error(struct gql *g, const char *name, const char *type, json_t *value,
                      const char *explanation);
bool fs_gql_var_int(struct gql *g, const char *name, const char *type, bool required, int64_t min,
                    int64_t max, int64_t *ret);
bool fs_gql_var_str(struct gql *g, const char *name, const char *type, bool required,
                    size_t max_len, const char **ret);
bool fs_gql_var_gid(struct gql *g, const char *name, const char *type, int64_t *ret);
bool fs_gql_parse_gid(const char *s, const char *type, int64_t *ret);
void fs_gql_user_error(json_t *errors, json_t *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The literal N of the nth "name(first: N" in the document (1 to 250), else def. */
size_t fs_gql_doc_first(const char *q, const char *name, int nth, size_t def);

#endif
