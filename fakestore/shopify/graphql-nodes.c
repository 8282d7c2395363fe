/*
 * The root fields that read one object by its global id, and the catalogue's
 * and fulfillment orders' connections: node(id:) and nodes(ids:) (Order,
 * Product, ProductVariant, InventoryItem, Location, FulfillmentOrder,
 * BulkOperation), order-independent lookups inventoryItem(id:),
 * location(id:), product(id:), productVariant(id:), fulfillmentOrder(id:),
 * bulkOperation(id:); products and productVariants (search sku:, title:,
 * updated_at, id; sortKey ID, TITLE, UPDATED_AT, SKU for variants; reverse)
 * and the shop's fulfillmentOrders (search status:, id:, order_id:,
 * updated_at; closed ones only with includeClosed). An id of the wrong type,
 * or of nothing, is null, as Shopify answers.
 */
#include "graphql-search.h"
#include "graphql.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "gid://shopify/TYPE/N": TYPE into type (cap bytes) and N. */
static bool split_gid(const char *gid, char *type, size_t cap, int64_t *ret)
{
    const char *p = gid, *slash;
    if (!p || strncmp(p, "gid://shopify/", 14) != 0)
        return false;
    p += 14;
    if (!(slash = strchr(p, '/')) || (size_t)(slash - p) >= cap || slash == p)
        return false;
    memcpy(type, p, (size_t)(slash - p));
    type[slash - p] = '\0';
    return fs_gql_parse_gid(gid, type, ret);
}

static json_t *fulfillment_order(struct fs_shop *s, int64_t id)
{
    for (size_t i = 0; i < s->n_orders; i++) {
        long k = fs_fo_find(s->orders[i], id);
        if (k < 0)
            continue;
        json_t *list = fs_gql_fulfillment_orders(s, s->orders[i]);
        json_t *fo = json_incref(json_array_get(list, (size_t)k));
        json_decref(list);
        return fo;
    }
    return json_null();
}

static json_t *by_gid(struct gql *g, const char *gid)
{
    char type[64];
    int64_t id;
    if (!split_gid(gid, type, sizeof(type), &id))
        return json_null();
    if (strcmp(type, "Order") == 0)
        return fs_gql_order_json(g->s, id);
    if (strcmp(type, "FulfillmentOrder") == 0)
        return fulfillment_order(g->s, id);
    if (strcmp(type, "BulkOperation") == 0)
        return fs_bulk_op_json(g, id);
    json_t *v = fs_inv_render_ref(g->s, type, id);
    if (json_is_object(v) && !json_object_get(v, "__typename"))
        json_object_set_new(v, "__typename", json_string(type));
    return v;
}

static enum sb_gql_outcome invalid_id(const struct sb_gql_field_call *call, const char *gid,
                                      struct sb_gql_field_error *ret_error)
{
    ret_error->message = sb_arena_printf(call->arena, "Invalid global id '%.128s'", gid);
    ret_error->code = "argumentLiteralsIncompatible";
    return SB_GQL_ERROR;
}

static enum sb_gql_outcome field_node(struct gql *g, const struct sb_gql_field_call *call,
                                      json_t **ret, struct sb_gql_field_error *ret_error)
{
    const char *gid = json_string_value(json_object_get(call->args, "id"));
    if (!gid || strncmp(gid, "gid://", 6) != 0)
        return invalid_id(call, gid ? gid : "", ret_error);
    *ret = by_gid(g, gid);
    return SB_GQL_VALUE;
}

static enum sb_gql_outcome field_nodes(struct gql *g, const struct sb_gql_field_call *call,
                                       json_t **ret, struct sb_gql_field_error *ret_error)
{
    json_t *ids = json_object_get(call->args, "ids"), *id;
    size_t i;
    if (json_array_size(ids) > SB_GQL_PAGE_MAX) {
        ret_error->message = "nodes takes at most 250 ids";
        return SB_GQL_ERROR;
    }
    json_array_foreach(ids, i, id) if (strncmp(json_string_value(id), "gid://", 6) !=
                                       0) return invalid_id(call, json_string_value(id), ret_error);
    json_t *out = json_array();
    json_array_foreach(ids, i, id) json_array_append_new(out, by_gid(g, json_string_value(id)));
    *ret = out;
    return SB_GQL_VALUE;
}

/* A lookup of one type: the id must name that type. */
static enum sb_gql_outcome typed(struct gql *g, const struct sb_gql_field_call *call,
                                 const char *type, json_t **ret,
                                 struct sb_gql_field_error *ret_error)
{
    const char *gid = json_string_value(json_object_get(call->args, "id"));
    int64_t id;
    if (!fs_gql_parse_gid(gid, type, &id))
        return invalid_id(call, gid ? gid : "", ret_error);
    *ret = by_gid(g, gid);
    return SB_GQL_VALUE;
}

#define TYPED(fn, type)                                                                \
    static enum sb_gql_outcome fn(struct gql *g, const struct sb_gql_field_call *call, \
                                  json_t **ret, struct sb_gql_field_error *ret_error)  \
    {                                                                                  \
        return typed(g, call, type, ret, ret_error);                                   \
    }
TYPED(field_item, "InventoryItem")
TYPED(field_location, "Location")
TYPED(field_product, "Product")
TYPED(field_variant, "ProductVariant")
TYPED(field_fo, "FulfillmentOrder")
TYPED(field_bulk, "BulkOperation")

/* ---------------------------------------------------------------- paging by id */

static const char *id_cursor(struct sb_arena *a, int64_t id)
{
    char raw[48];
    int n = snprintf(raw, sizeof(raw), "{\"last_id\":%lld}", (long long)id);
    unsigned char out[80];
    EVP_EncodeBlock(out, (const unsigned char *)raw, n);
    return sb_arena_strdup(a, (const char *)out);
}

/* The page of ids[0, n) (in their sorted order) the arguments ask for, rendered by render;
 * a cursor names the id it was given for. */
static json_t *page_ids(struct gql *g, const struct sb_gql_field_call *call, const int64_t *ids,
                        size_t n, json_t *(*render)(struct gql *g, int64_t id),
                        struct sb_gql_field_error *ret_error)
{
    struct sb_gql_page p;
    if (!sb_gql_page_args(call->args, &p, ret_error))
        return NULL;
    if (!g->bulk && (p.first > SB_GQL_PAGE_MAX || p.last > SB_GQL_PAGE_MAX)) {
        ret_error->message = "first and last must be between 0 and 250";
        return NULL;
    }
    size_t from = 0, to = n;
    for (size_t i = 0; p.after && i < n; i++)
        if (strcmp(id_cursor(call->arena, ids[i]), p.after) == 0)
            from = i + 1;
    for (size_t i = from; p.before && i < n; i++)
        if (strcmp(id_cursor(call->arena, ids[i]), p.before) == 0)
            to = i;
    bool prev = from > 0, next = to < n;
    if (p.has_first && (int64_t)(to - from) > p.first)
        to = from + (size_t)p.first, next = true;
    if (p.has_last && (int64_t)(to - from) > p.last)
        from = to - (size_t)p.last, prev = true;
    const char **cursors = sb_arena_alloc(call->arena, (to - from + 1) * sizeof(*cursors));
    if (!cursors)
        return NULL;
    json_t *nodes = json_array();
    for (size_t i = from; i < to; i++) {
        json_array_append_new(nodes, render(g, ids[i]));
        cursors[i - from] = id_cursor(call->arena, ids[i]);
    }
    return sb_gql_connection(nodes, cursors, next, prev);
}

static bool search_of(struct gql *g, const struct sb_gql_field_call *call,
                      const char *const *fields, struct fs_search **ret,
                      struct sb_gql_field_error *ret_error)
{
    const char *q = json_string_value(json_object_get(call->args, "query"));
    *ret = NULL;
    if (!q)
        return true;
    if (!(*ret = fs_search_parse(q, fields))) {
        ret_error->message =
            sb_arena_printf(call->arena, "fakestore: the search query '%.200s' does not parse", q);
        ret_error->code = "BAD_REQUEST";
        return false;
    }
    json_t *w = fs_search_warning(*ret, call->response_key, q);
    if (w)
        json_array_append_new(g->warnings, w);
    return true;
}

/* ---------------------------------------------------------------- products, productVariants */

static const char *const product_fields[] = { "sku", "title", "updated_at", "id", NULL };

struct product_ctx {
    const struct product *p;
    uint32_t updated;
    bool variant; /* id: names the variant */
};

static bool product_term(const void *obj, const struct fs_search_term *t)
{
    const struct product_ctx *c = obj;
    if (strcmp(t->field, "sku") == 0)
        return fs_search_str(t, c->p->sku);
    if (strcmp(t->field, "title") == 0)
        return fs_search_str(t, c->p->title ? c->p->title : c->p->sku);
    if (strcmp(t->field, "updated_at") == 0)
        return fs_search_time(t, c->updated);
    return fs_search_id(t, c->variant ? c->p->variant_id : c->p->product_id);
}

/* A product's last change: its levels' latest */
static uint32_t product_updated(const struct fs_shop *s, const struct product *p)
{
    uint32_t u = 0;
    for (size_t i = 0; i < s->n_locations; i++)
        if (p->updated[i] > u)
            u = p->updated[i];
    return u;
}

enum cat_key {
    CK_ID,
    CK_TITLE,
    CK_UPDATED,
    CK_SKU
};

struct cat_sort {
    const struct fs_shop *s;
    enum cat_key key;
    bool reverse;
};

static int cat_cmp(const void *a, const void *b, void *ud)
{
    const struct cat_sort *by = ud;
    const struct product *x = *(const struct product *const *)a,
                         *y = *(const struct product *const *)b;
    int c = 0;
    if (by->key == CK_TITLE)
        c = strcmp(x->title ? x->title : x->sku, y->title ? y->title : y->sku);
    else if (by->key == CK_SKU)
        c = strcmp(x->sku, y->sku);
    else if (by->key == CK_UPDATED) {
        uint32_t ux = product_updated(by->s, x), uy = product_updated(by->s, y);
        c = ux < uy ? -1 : ux > uy;
    }
    if (!c)
        c = x->product_id < y->product_id ? -1 : x->product_id > y->product_id;
    return by->reverse ? -c : c;
}

static json_t *render_product(struct gql *g, int64_t id)
{
    return fs_inv_render_ref(g->s, "Product", id);
}

static json_t *render_variant(struct gql *g, int64_t id)
{
    return fs_inv_render_ref(g->s, "ProductVariant", id);
}

static enum sb_gql_outcome catalogue(struct gql *g, const struct sb_gql_field_call *call,
                                     bool variants, json_t **ret,
                                     struct sb_gql_field_error *ret_error)
{
    struct fs_shop *s = g->s;
    struct fs_search *search;
    if (!search_of(g, call, product_fields, &search, ret_error))
        return SB_GQL_ERROR;
    const struct product **sel = malloc((s->n_products ? s->n_products : 1) * sizeof(*sel));
    int64_t *ids = malloc((s->n_products ? s->n_products : 1) * sizeof(*ids));
    size_t n = 0;
    if (!sel || !ids) {
        free(sel);
        free(ids);
        fs_search_free(search);
        return SB_GQL_ERROR;
    }
    for (size_t i = 0; i < s->n_products; i++) {
        struct product_ctx c = { .p = &s->products[i], .variant = variants };
        c.updated = search ? product_updated(s, c.p) : 0;
        if (fs_search_matches(search, product_term, &c))
            sel[n++] = c.p;
    }
    fs_search_free(search);
    const char *key = json_string_value(json_object_get(call->args, "sortKey"));
    struct cat_sort by = { .s = s,
                           .key = !key                             ? CK_ID
                                  : strcmp(key, "TITLE") == 0      ? CK_TITLE
                                  : strcmp(key, "UPDATED_AT") == 0 ? CK_UPDATED
                                  : strcmp(key, "SKU") == 0        ? CK_SKU
                                                                   : CK_ID,
                           .reverse = json_is_true(json_object_get(call->args, "reverse")) };
    qsort_r(sel, n, sizeof(*sel), cat_cmp, &by);
    for (size_t i = 0; i < n; i++)
        ids[i] = variants ? sel[i]->variant_id : sel[i]->product_id;
    free(sel);
    *ret = page_ids(g, call, ids, n, variants ? render_variant : render_product, ret_error);
    free(ids);
    return *ret ? SB_GQL_VALUE : SB_GQL_ERROR;
}

static enum sb_gql_outcome field_products(struct gql *g, const struct sb_gql_field_call *call,
                                          json_t **ret, struct sb_gql_field_error *ret_error)
{
    return catalogue(g, call, false, ret, ret_error);
}

static enum sb_gql_outcome field_variants(struct gql *g, const struct sb_gql_field_call *call,
                                          json_t **ret, struct sb_gql_field_error *ret_error)
{
    return catalogue(g, call, true, ret, ret_error);
}

/* ---------------------------------------------------------------- the shop's fulfillment orders */

static const char *const fo_fields[] = { "status", "id", "order_id", "updated_at", NULL };

struct fo_ctx {
    const struct order *o;
    struct fulfillment_order fo;
    const char *status;
};

static bool fo_term(const void *obj, const struct fs_search_term *t)
{
    const struct fo_ctx *c = obj;
    if (strcmp(t->field, "status") == 0)
        return fs_search_str(t, c->status);
    if (strcmp(t->field, "id") == 0)
        return fs_search_id(t, c->fo.id);
    if (strcmp(t->field, "order_id") == 0)
        return fs_search_id(t, c->o->id);
    return fs_search_time(t, c->o->updated_at);
}

static json_t *render_fo(struct gql *g, int64_t id)
{
    return fulfillment_order(g->s, id);
}

static int by_id(const void *a, const void *b, void *ud)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    int c = x < y ? -1 : x > y;
    return *(bool *)ud ? -c : c;
}

static enum sb_gql_outcome field_fos(struct gql *g, const struct sb_gql_field_call *call,
                                     json_t **ret, struct sb_gql_field_error *ret_error)
{
    struct fs_shop *s = g->s;
    struct fs_search *search;
    if (!search_of(g, call, fo_fields, &search, ret_error))
        return SB_GQL_ERROR;
    bool closed = json_is_true(json_object_get(call->args, "includeClosed"));
    int64_t *ids = malloc((s->n_orders ? s->n_orders : 1) * sizeof(*ids));
    size_t n = 0;
    if (!ids) {
        fs_search_free(search);
        return SB_GQL_ERROR;
    }
    size_t cap = 0;
    for (size_t i = 0; i < s->n_orders; i++)
        cap += fs_fo_count(s->orders[i]);
    int64_t *more = realloc(ids, (cap ? cap : 1) * sizeof(*ids));
    if (!more) {
        free(ids);
        fs_search_free(search);
        return SB_GQL_ERROR;
    }
    ids = more;
    for (size_t i = 0; i < s->n_orders; i++)
        for (size_t k = 0; k < fs_fo_count(s->orders[i]); k++) {
            struct fo_ctx c = { .o = s->orders[i],
                                .fo = fs_fo_at(s->orders[i], k),
                                .status = fs_fo_status_at(s->orders[i], k) };
            bool done =
                strcasecmp(c.status, "CLOSED") == 0 || strcasecmp(c.status, "CANCELLED") == 0;
            if ((closed || !done) && fs_search_matches(search, fo_term, &c))
                ids[n++] = c.fo.id;
        }
    fs_search_free(search);
    bool reverse = json_is_true(json_object_get(call->args, "reverse"));
    qsort_r(ids, n, sizeof(*ids), by_id, &reverse); /* ID; UPDATED_AT is not modelled */
    *ret = page_ids(g, call, ids, n, render_fo, ret_error);
    free(ids);
    return *ret ? SB_GQL_VALUE : SB_GQL_ERROR;
}

const struct fs_gql_field fs_gql_node_fields[] = {
    { "QueryRoot", "node", field_node },
    { "QueryRoot", "nodes", field_nodes },
    { "QueryRoot", "inventoryItem", field_item },
    { "QueryRoot", "location", field_location },
    { "QueryRoot", "product", field_product },
    { "QueryRoot", "productVariant", field_variant },
    { "QueryRoot", "fulfillmentOrder", field_fo },
    { "QueryRoot", "bulkOperation", field_bulk },
    { "QueryRoot", "products", field_products },
    { "QueryRoot", "productVariants", field_variants },
    { "QueryRoot", "fulfillmentOrders", field_fos },
    { NULL, NULL, NULL },
};
