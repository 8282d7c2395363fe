/*
 * The shop's resolver for the GraphQL engine (fakestore/gql/gql.h): how a
 * field of Shopify's Admin schema gets its value. A field some file models
 * with code is looked up in the resolver tables (struct fs_gql_field: a type
 * and a field name, "QueryRoot" and "Mutation" for the roots); every file
 * that answers fields lists its table in `tables` below, the one place to add
 * one. Every other field is read from its parent's value (the JSON object its
 * resolver rendered), with Shopify's arguments applied where the value is a
 * plain list: a connection (edges, nodes, pageInfo) paged by first, last,
 * after, before and reverse, a list cut at its `first`, quantities filtered
 * by `names`. A value {"__ref": TYPE, "id": N} is rendered when it is
 * reached (a variant's product, an item's location), so that objects that
 * point at each other are rendered only as deep as the document goes.
 */
#include "graphql.h"
#include "app.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static const struct fs_gql_field *const tables[] = {
    fs_gql_order_fields, fs_gql_inventory_fields, fs_gql_bulk_fields,
    fs_gql_node_fields,  fs_gql_app_fields,       NULL,
};

static const struct fs_gql_field *find_field(const char *type, const char *field)
{
    for (size_t t = 0; tables[t]; t++)
        for (const struct fs_gql_field *f = tables[t]; f->type; f++)
            if (strcmp(f->type, type) == 0 && strcmp(f->field, field) == 0)
                return f;
    return NULL;
}

/* Opaque cursors of a plain list's entries: base64 of {"index": i}. */
static const char *index_cursor(struct sb_arena *a, size_t i)
{
    char raw[48];
    int n = snprintf(raw, sizeof(raw), "{\"index\":%zu}", i);
    unsigned char out[80];
    EVP_EncodeBlock(out, (const unsigned char *)raw, n);
    return sb_arena_strdup(a, (const char *)out);
}

json_t *fs_gql_page_list(json_t *list, json_t *args, struct sb_arena *a,
                         struct sb_gql_field_error *ret_error)
{
    struct sb_gql_page p;
    if (!sb_gql_page_args(args, &p, ret_error))
        return NULL;
    size_t n = json_array_size(list);
    const char **cursors = sb_arena_alloc(a, (n ? n : 1) * sizeof(*cursors));
    if (!cursors)
        return NULL;
    for (size_t i = 0; i < n; i++)
        cursors[p.reverse ? n - 1 - i : i] = index_cursor(a, i);
    size_t from, to;
    bool next, prev;
    sb_gql_page_window(&p, cursors, n, &from, &to, &next, &prev);
    json_t *nodes = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append(nodes, json_array_get(list, p.reverse ? n - 1 - i : i));
    return sb_gql_connection(nodes, cursors + from, next, prev);
}

static enum sb_gql_outcome from_parent(struct gql *g, const struct sb_gql_field_call *call,
                                       json_t **ret, struct sb_gql_field_error *ret_error)
{
    json_t *v = json_object_get(call->parent, call->field->name);
    if (!v)
        return SB_GQL_DEFAULT;
    const struct sb_gql_type *named = sb_gql_typeref_named(call->field->type);
    if (json_is_object(v) && json_object_get(v, "__ref")) {
        *ret = fs_gql_render_ref(g, v);
        return SB_GQL_VALUE;
    }
    if (named && named->connection && json_is_array(v)) {
        *ret = fs_gql_page_list(v, call->args, call->arena, ret_error);
        return *ret ? SB_GQL_VALUE : SB_GQL_ERROR;
    }
    if (json_is_array(v) && json_is_integer(json_object_get(call->args, "first"))) {
        json_int_t first = json_integer_value(json_object_get(call->args, "first"));
        if (first < 0 || first > SB_GQL_PAGE_MAX) {
            ret_error->message = "first must be between 0 and 250";
            return SB_GQL_ERROR;
        }
        json_t *cut = json_array();
        for (size_t i = 0; i < json_array_size(v) && (json_int_t)i < first; i++)
            json_array_append(cut, json_array_get(v, i));
        *ret = cut;
        return SB_GQL_VALUE;
    }
    json_t *names = json_object_get(call->args, "names");
    if (json_is_array(v) && json_is_array(names) && strcmp(call->field->name, "quantities") == 0) {
        json_t *out = json_array();
        size_t i, k;
        json_t *q, *name;
        json_array_foreach(names, k, name){ json_array_foreach(v, i, q){
            if (json_equal(json_object_get(q, "name"), name)) json_array_append(out, q);
    }
}
*ret = out;
return SB_GQL_VALUE;
}
return SB_GQL_DEFAULT;
}

static enum sb_gql_outcome resolve(void *ud, const struct sb_gql_field_call *call, json_t **ret,
                                   struct sb_gql_field_error *ret_error)
{
    struct gql *g = ud;
    const struct sb_gql_type *named = sb_gql_typeref_named(call->field->type);
    if (g->bulk && named && named->connection && json_is_object(call->args) &&
        !json_object_get(call->args, "first") && !json_object_get(call->args, "last"))
        json_object_set_new(call->args, "first", json_integer(FS_BULK_ALL));
    if (!fs_app_field_allowed(g, call, ret_error)) /* the app's access scopes (app.c) */
        return SB_GQL_ERROR;
    const struct fs_gql_field *f = find_field(call->parent_type->name, call->field->name);
    if (f)
        return f->fn(g, call, ret, ret_error);
    const struct sb_gql_type *root = sb_gql_schema_root(call->schema, call->op);
    if (call->parent_type == root) {
        char msg[160];
        snprintf(msg, sizeof(msg), "fakestore does not model %s.%s (see docs/fakestore.md)",
                 call->parent_type->name, call->field->name);
        ret_error->message = sb_arena_strdup(call->arena, msg);
        ret_error->code = "NOT_IMPLEMENTED";
        return SB_GQL_ERROR;
    }
    return from_parent(g, call, ret, ret_error);
}

const struct sb_gql_resolver *fs_gql_resolver(struct gql *g, struct sb_gql_resolver *r)
{
    *r = (struct sb_gql_resolver){ .resolve = resolve, .ud = g };
    return r;
}

enum sb_gql_outcome fs_gql_bridge(struct gql *g, const struct sb_gql_field_call *call,
                                  bool (*prep)(struct gql *g), json_t *(*run)(struct gql *g),
                                  json_t **ret, struct sb_gql_field_error *ret_error)
{
    json_t *saved = g->vars;
    int requested = g->requested, actual = g->actual; /* the engine's, not prep's and run's */
    size_t n_errors = json_array_size(g->errors);
    g->vars = call->args;
    g->first = g->cur_t = g->cur_id = g->id = 0;
    g->has_cursor = false;
    g->n_conds = 0;
    enum sb_gql_outcome out = SB_GQL_VALUE;
    if (!prep(g)) {
        json_t *e = json_array_get(g->errors, n_errors);
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *code =
            json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
        /* the error stays in g->errors: the request is answered with it alone, charged
         * nothing (graphql.c), as Shopify refuses arguments before it runs anything */
        ret_error->message = sb_arena_strdup(call->arena, msg ? msg : "invalid arguments");
        ret_error->code = code ? sb_arena_strdup(call->arena, code) : NULL;
        out = SB_GQL_ERROR;
    } else {
        json_t *data = run(g);
        *ret = json_incref(json_object_get(data, call->field->name));
        json_decref(data);
    }
    g->vars = saved;
    g->requested = requested;
    g->actual = actual;
    return out;
}

json_t *fs_gql_ref(const char *type, int64_t id)
{
    return json_pack("{s:s,s:I}", "__ref", type, "id", (json_int_t)id);
}

json_t *fs_gql_render_ref(struct gql *g, json_t *ref)
{
    const char *type = json_string_value(json_object_get(ref, "__ref"));
    int64_t id = json_integer_value(json_object_get(ref, "id"));
    if (strcmp(type, "Order") == 0)
        return fs_gql_order_json(g->s, id);
    return fs_inv_render_ref(g->s, type, id);
}
