/*
 * Execution of a prepared request (spec section 6): the fields the operation
 * selects, collected per object type (fragments applied, @skip and @include
 * honoured, equal response keys merged), each resolved through the
 * simulation's resolver - or read from the parent value by its name when the
 * resolver leaves it to the default - and completed against its declared
 * type: exactly the fields asked for, under their aliases; lists item by
 * item; objects field by field; interfaces and unions as the object type the
 * resolver (or the value's "__typename") names; __typename from the schema.
 *
 * Errors follow the spec: a field that fails is null, with an error carrying
 * its path (response keys and list indices) and location; a null where the
 * type is non-null makes the parent null instead ("Cannot return null for
 * non-nullable field Order.id", graphql-ruby's wording), up to the root, where
 * "data" is then null. Mutations run their root fields in order. The visit
 * budget of collect.c bounds the work a document can ask for.
 */
#include "gql/internal.h"

#include <string.h>

struct step {
    const char *key; /* NULL: index */
    long index;
};

struct exec {
    const struct sb_gql_request *req;
    const struct sb_gql_schema *s;
    const struct sb_gql_resolver *r;
    struct sb_arena *a;
    struct gql_errors errs;
    size_t budget;
    bool stop; /* out of memory, or over budget: unwind */
    sb_err stop_err;
    struct step *path;
    size_t n_path, cap_path;
};

static void push(struct exec *ex, const char *key, long index)
{
    if (ex->n_path == ex->cap_path) {
        size_t cap = ex->cap_path ? ex->cap_path * 2 : 32;
        struct step *p = sb_arena_alloc(ex->a, cap * sizeof(*p));
        if (!p) {
            ex->stop = true;
            ex->stop_err = SB_ENOMEM;
            ex->n_path++;
            return;
        }
        if (ex->n_path)
            memcpy(p, ex->path, ex->n_path * sizeof(*p));
        ex->path = p;
        ex->cap_path = cap;
    }
    ex->path[ex->n_path++] = (struct step){ key, index };
}

static void pop(struct exec *ex)
{
    ex->n_path--;
}

static json_t *path_json(struct exec *ex)
{
    json_t *j = json_array();
    for (size_t i = 0; j && i < ex->n_path && i < ex->cap_path; i++)
        if (json_array_append_new(j, ex->path[i].key ? json_string(ex->path[i].key)
                                                     : json_integer(ex->path[i].index)))
            ex->errs.oom = true;
    return j;
}

static void field_error(struct exec *ex, const struct gql_group *g, const char *code,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void field_error(struct exec *ex, const struct gql_group *g, const char *code,
                        const char *fmt, ...)
{
    char msg[sizeof(((struct gql_buf *)0)->text)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gql_error(&ex->errs, &g->sels[0]->loc, path_json(ex),
              code ? gql_ext(&ex->errs, code, NULL) : NULL, "%s", msg);
}

static json_t *execute_fields(struct exec *ex, const struct sb_gql_selset *const *sub, size_t n,
                              const struct sb_gql_type *obj, json_t *parent);

static bool serializable(const struct sb_gql_type *t, json_t *v, json_t **ret)
{
    const char *name = t->name;
    if (t->kind == SB_GQL_ENUM)
        return json_is_string(v) && sb_gql_type_has_enum_value(t, json_string_value(v)) &&
               (*ret = json_incref(v));
    if (strcmp(name, "Int") == 0)
        return json_is_integer(v) && json_integer_value(v) >= INT32_MIN &&
               json_integer_value(v) <= INT32_MAX && (*ret = json_incref(v));
    if (strcmp(name, "Float") == 0)
        return json_is_number(v) && (*ret = json_incref(v));
    if (strcmp(name, "String") == 0)
        return json_is_string(v) && (*ret = json_incref(v));
    if (strcmp(name, "Boolean") == 0)
        return json_is_boolean(v) && (*ret = json_incref(v));
    if (strcmp(name, "ID") == 0) {
        if (json_is_string(v))
            return (*ret = json_incref(v)) != NULL;
        return json_is_integer(v) &&
               (*ret = json_sprintf("%lld", (long long)json_integer_value(v))) != NULL;
    }
    return (*ret = json_incref(v)) != NULL; /* Shopify's own scalars: as the shop gives them */
}

/* Completes a value (taken) against a type. NULL: an error was raised and the value is
 * null, which the caller propagates when its type is non-null. */
static json_t *complete(struct exec *ex, const struct sb_gql_typeref *t, const struct gql_group *g,
                        const struct sb_gql_type *parent, const struct sb_gql_field *def,
                        json_t *val, bool in_list)
{
    if (ex->stop) {
        json_decref(val);
        return NULL;
    }
    if (t->form == SB_GQL_NON_NULL) {
        json_t *r = complete(ex, t->of, g, parent, def, val, in_list);
        if (!r)
            return NULL;
        if (!json_is_null(r))
            return r;
        json_decref(r);
        if (in_list) {
            const char *sig = sb_gql_typeref_text(t, ex->a);
            field_error(ex, g, NULL,
                        "Cannot return null for non-nullable element of type '%s' for %s.%s",
                        sig ? sig : "", parent->name, def->name);
        } else {
            field_error(ex, g, NULL, "Cannot return null for non-nullable field %s.%s",
                        parent->name, def->name);
        }
        return NULL;
    }
    if (!val || json_is_null(val)) {
        json_decref(val);
        return json_null();
    }
    if (t->form == SB_GQL_LIST) {
        if (!json_is_array(val)) {
            json_decref(val);
            field_error(ex, g, NULL, "%s.%s should be a list, but the shop gave something else",
                        parent->name, def->name);
            return NULL;
        }
        json_t *out = json_array();
        for (size_t i = 0; out && i < json_array_size(val) && !ex->stop; i++) {
            push(ex, NULL, (long)i);
            json_t *item =
                complete(ex, t->of, g, parent, def, json_incref(json_array_get(val, i)), true);
            pop(ex);
            if (!item && t->of->form == SB_GQL_NON_NULL) {
                json_decref(out);
                json_decref(val);
                return NULL;
            }
            if (json_array_append_new(out, item ? item : json_null()))
                ex->errs.oom = true;
        }
        json_decref(val);
        if (!out)
            ex->errs.oom = true;
        return out;
    }
    const struct sb_gql_type *n = t->named;
    json_t *r = NULL;
    if (gql_is_leaf(n)) {
        if (!serializable(n, val, &r)) {
            field_error(ex, g, NULL, "%s.%s is not a valid %s", parent->name, def->name, n->name);
            json_decref(val);
            return NULL;
        }
        json_decref(val);
        return r;
    }
    if (!json_is_object(val)) {
        json_decref(val);
        field_error(ex, g, NULL, "%s.%s should be an object, but the shop gave something else",
                    parent->name, def->name);
        return NULL;
    }
    const struct sb_gql_type *obj = n;
    if (n->kind != SB_GQL_OBJECT) {
        const char *name = ex->r && ex->r->type_of ? ex->r->type_of(ex->r->ud, n, val) : NULL;
        if (!name)
            name = json_string_value(json_object_get(val, "__typename"));
        obj = name ? sb_gql_schema_type(ex->s, name) : NULL;
        if (!obj || obj->kind != SB_GQL_OBJECT || !sb_gql_type_possible(n, obj)) {
            field_error(ex, g, NULL, "Failed to resolve the object type of %s.%s (%s: %s)",
                        parent->name, def->name, n->name, name ? name : "no type named");
            json_decref(val);
            return NULL;
        }
    }
    const struct sb_gql_selset **sub;
    size_t n_sub;
    if (gql_subselections(g, ex->a, &sub, &n_sub)) {
        ex->stop = true;
        ex->stop_err = SB_ENOMEM;
        json_decref(val);
        return NULL;
    }
    r = execute_fields(ex, sub, n_sub, obj, val);
    json_decref(val);
    return r;
}

static json_t *execute_field(struct exec *ex, const struct sb_gql_type *obj, json_t *parent,
                             const struct sb_gql_field *def, const struct gql_group *g)
{
    const struct sb_gql_selection *sel = g->sels[0];
    bool oom = false;
    json_t *args = gql_args_json(ex->s, def->args, def->n_args, sel->args, sel->n_args,
                                 ex->req->variables, &oom);
    if (!args || oom) {
        json_decref(args);
        ex->stop = true;
        ex->stop_err = SB_ENOMEM;
        return NULL;
    }
    struct sb_gql_field_call call = {
        .schema = ex->s,
        .parent_type = obj,
        .field = def,
        .parent = parent,
        .args = args,
        .response_key = g->key,
        .op = ex->req->op->kind,
        .arena = ex->a,
    };
    json_t *val = NULL;
    struct sb_gql_field_error ferr = { .message = NULL };
    enum sb_gql_outcome out =
        ex->r && ex->r->resolve ? ex->r->resolve(ex->r->ud, &call, &val, &ferr) : SB_GQL_DEFAULT;
    json_decref(args);
    if (out == SB_GQL_ERROR) {
        json_decref(val);
        field_error(ex, g, ferr.code, "%s", ferr.message ? ferr.message : "Internal error");
        return NULL;
    }
    if (out == SB_GQL_DEFAULT) {
        json_decref(val);
        if (def->name[0] == '_' && def->name[1] == '_') {
            field_error(ex, g, NULL, "Introspection is not answered by this server");
            return NULL;
        }
        val = json_incref(json_object_get(parent, def->name));
    }
    return complete(ex, def->type, g, obj, def, val, false);
}

static json_t *execute_fields(struct exec *ex, const struct sb_gql_selset *const *sub, size_t n,
                              const struct sb_gql_type *obj, json_t *parent)
{
    struct gql_fieldset fs;
    sb_err err =
        gql_collect(ex->s, ex->req->doc, sub, n, obj, ex->req->variables, ex->a, &ex->budget, &fs);
    if (err) {
        ex->stop = true;
        ex->stop_err = err;
        return NULL;
    }
    json_t *result = json_object();
    if (!result) {
        ex->stop = true;
        ex->stop_err = SB_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < fs.n && !ex->stop; i++) {
        const struct gql_group *g = &fs.groups[i];
        const char *name = g->sels[0]->name;
        json_t *v;
        if (strcmp(name, "__typename") == 0) {
            if (json_object_set_new(result, g->key, json_string(obj->name)))
                ex->errs.oom = true;
            continue;
        }
        const struct sb_gql_field *def = sb_gql_type_field(ex->s, obj, name);
        if (!def)
            continue; /* not in a valid document */
        push(ex, g->key, 0);
        v = execute_field(ex, obj, parent, def, g);
        pop(ex);
        if (!v) {
            if (def->type->form == SB_GQL_NON_NULL || ex->stop) {
                json_decref(result);
                return NULL;
            }
            v = json_null();
        }
        if (json_object_set_new(result, g->key, v))
            ex->errs.oom = true;
    }
    if (ex->stop) {
        json_decref(result);
        return NULL;
    }
    return result;
}

sb_err sb_gql_execute(const struct sb_gql_request *req, const struct sb_gql_resolver *r,
                      struct sb_arena *a, json_t *errors, json_t **ret_data)
{
    struct exec ex = {
        .req = req,
        .s = req->schema,
        .r = r,
        .a = a,
        .errs = { .list = errors },
        .budget = SB_GQL_MAX_VISITS,
    };
    const struct sb_gql_type *root = sb_gql_schema_root(req->schema, req->op->kind);
    json_t *root_value = json_object();
    json_t *data =
        root && root_value ? execute_fields(&ex, &req->op->selset, 1, root, root_value) : NULL;
    json_decref(root_value);
    if (!root_value || ex.errs.oom || (ex.stop && ex.stop_err == SB_ENOMEM)) {
        json_decref(data);
        return SB_ENOMEM;
    }
    if (ex.stop) {
        json_decref(data);
        data = NULL;
        gql_error(&ex.errs, &gql_no_locations, NULL, NULL, "This query is too large to execute.");
    }
    *ret_data = data;
    return ex.errs.oom ? SB_ENOMEM : SB_OK;
}
