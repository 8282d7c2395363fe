/*
 * What the files of the Admin GraphQL endpoint share: graphql.c admits a
 * request (faults, token, body, the API version, the engine's validation and
 * cost, the budget), graphql-resolve.c is the engine's resolver, and the
 * files that model fields (graphql-ops.c: orders; inventory.c: stock,
 * products and prices; bulk.c: bulk operations) list them in resolver
 * tables. struct gql carries one request through them.
 */
#ifndef SB_FAKESTORE_GRAPHQL_H
#define SB_FAKESTORE_GRAPHQL_H

#include "shop.h"

#include "gql/gql.h"

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
    struct events ev;    /* webhooks the operation raised */
    const char *version; /* the API version served */
    json_t *warnings;    /* extensions.search: unknown search fields, as Shopify warns */
    bool bulk;           /* a bulk query's run: connections without first or last take all */
};

/* A bulk query's connections are not paged: the page size they are given when the document
 * names none (graphql-resolve.c), and the caps the resolvers waive for it. */
#define FS_BULK_ALL 100000000

static inline bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static inline bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
}

/* ---------------------------------------------------------------- versions and schemas (graphql-schema.c) */

#define FS_GQL_N_VERSIONS 4
/* The supported versions, oldest first. */
extern const char *const fs_gql_versions[FS_GQL_N_VERSIONS];
/* The version a request naming this one (len bytes) is served: itself when supported, the
 * oldest supported when older, the newest when newer or "unstable". */
const char *fs_gql_version_served(const char *requested, size_t len);
/* That version's schema, loaded on first use (SB_ENOT_FOUND, SB_EINVALID_JSON, SB_EIO: with
 * sb_fail's message). Takes its own lock; the schema lives until fs_gql_schemas_free. */
sb_err fs_gql_schema_for(const char *version, const struct sb_gql_schema **ret);
void fs_gql_schemas_free(void);

/* ---------------------------------------------------------------- the resolver (graphql-resolve.c) */

/* A field modelled with code: on type (QueryRoot and Mutation for the roots), its value
 * from the call (see struct sb_gql_resolver). A table ends with a row of NULLs. */
typedef enum sb_gql_outcome (*fs_gql_field_fn)(struct gql *g, const struct sb_gql_field_call *call,
                                               json_t **ret, struct sb_gql_field_error *ret_error);
struct fs_gql_field {
    const char *type, *field;
    fs_gql_field_fn fn;
};
/* The tables of the files that model fields; a new file adds its table to graphql-resolve.c. */
extern const struct fs_gql_field fs_gql_order_fields[], fs_gql_inventory_fields[],
    fs_gql_bulk_fields[], fs_gql_node_fields[], fs_gql_app_fields[];

const struct sb_gql_resolver *fs_gql_resolver(struct gql *g, struct sb_gql_resolver *r);
/* A plain list as a connection paged by the call's arguments (first, last, after, before,
 * reverse); NULL with *ret_error set when the arguments are refused. */
json_t *fs_gql_page_list(json_t *list, json_t *args, struct sb_arena *a,
                         struct sb_gql_field_error *ret_error);
/* {"__ref": TYPE, "id": N} rendered: Product, ProductVariant, InventoryItem, Location,
 * Order (null when there is none). */
json_t *fs_gql_render_ref(struct gql *g, json_t *ref);
json_t *fs_inv_render_ref(struct fs_shop *s, const char *type, int64_t id);
json_t *fs_gql_order_json(struct fs_shop *s, int64_t id); /* graphql-ops.c; null: none */
/* An order's fulfillment orders, a list (graphql-ops.c). */
json_t *fs_gql_fulfillment_orders(struct fs_shop *s, const struct order *o);
/* The bulk operation of this id, null when it is not the shop's latest (bulk.c). */
json_t *fs_bulk_op_json(struct gql *g, int64_t id);
json_t *fs_gql_ref(const char *type, int64_t id);
/* A root field answered by an operation's prepare and run (their variables: the field's
 * arguments; run's "data" member named like the field). */
enum sb_gql_outcome fs_gql_bridge(struct gql *g, const struct sb_gql_field_call *call,
                                  bool (*prep)(struct gql *g), json_t *(*run)(struct gql *g),
                                  json_t **ret, struct sb_gql_field_error *ret_error);

void fs_gql_error(struct gql *g, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The operations of inventory.c, for the table in graphql-ops.c. */
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

#endif
