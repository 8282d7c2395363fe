/*
 * Literal values against input types: whether a literal fits a type (spec
 * 5.6.1, "Values of Correct Type", the literal half) and what it becomes as
 * JSON once variables are substituted and defaults applied (spec 6.4.1,
 * CoerceArgumentValues) - what resolvers receive as a call's arguments.
 *
 * Built-in scalars follow the spec: Int is a 32-bit integer, Float takes
 * integers too, ID takes strings and integers (and is handed on as a string).
 * Shopify's own scalars (Decimal, Money, DateTime, URL, UnsignedInt64, ...)
 * are taken as the literal gives them, except that a float literal reaches
 * the resolver as its text: an amount written 19.99 is never a double. JSON
 * takes any value. A lone value where a list is expected is a list of one.
 */
#include "gql/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is(const struct sb_gql_type *t, const char *name)
{
    return strcmp(t->name, name) == 0;
}

static bool int32_text(const char *text)
{
    errno = 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    return errno == 0 && *end == '\0' && v >= INT32_MIN && v <= INT32_MAX;
}

static bool scalar_fits(const struct sb_gql_type *t, const struct sb_gql_value *v)
{
    if (is(t, "Int"))
        return v->kind == SB_GQL_V_INT && int32_text(v->text);
    if (is(t, "Float"))
        return v->kind == SB_GQL_V_INT || v->kind == SB_GQL_V_FLOAT;
    if (is(t, "String"))
        return v->kind == SB_GQL_V_STRING;
    if (is(t, "Boolean"))
        return v->kind == SB_GQL_V_BOOLEAN;
    if (is(t, "ID"))
        return v->kind == SB_GQL_V_STRING || v->kind == SB_GQL_V_INT;
    if (is(t, "JSON"))
        return true;
    return v->kind == SB_GQL_V_STRING || v->kind == SB_GQL_V_INT || v->kind == SB_GQL_V_FLOAT ||
           v->kind == SB_GQL_V_BOOLEAN;
}

bool gql_literal_fits(const struct sb_gql_schema *s, const struct sb_gql_value *v,
                      const struct sb_gql_typeref *t, bool vars_ok)
{
    if (v->kind == SB_GQL_V_VARIABLE)
        return vars_ok;
    if (t->form == SB_GQL_NON_NULL)
        return v->kind != SB_GQL_V_NULL && gql_literal_fits(s, v, t->of, vars_ok);
    if (v->kind == SB_GQL_V_NULL)
        return true;
    if (t->form == SB_GQL_LIST) {
        if (v->kind != SB_GQL_V_LIST)
            return gql_literal_fits(s, v, t->of, vars_ok);
        for (size_t i = 0; i < v->n_items; i++)
            if (!gql_literal_fits(s, v->items[i], t->of, vars_ok))
                return false;
        return true;
    }
    const struct sb_gql_type *n = t->named;
    switch (n->kind) {
    case SB_GQL_SCALAR:
        return scalar_fits(n, v);
    case SB_GQL_ENUM:
        return v->kind == SB_GQL_V_ENUM && sb_gql_type_has_enum_value(n, v->text);
    case SB_GQL_INPUT_OBJECT:
        if (v->kind != SB_GQL_V_OBJECT)
            return false;
        for (size_t i = 0; i < v->n_fields; i++) {
            const struct sb_gql_input_value *f = sb_gql_type_input(n, v->fields[i].name);
            if (!f || !gql_literal_fits(s, v->fields[i].value, f->type, vars_ok))
                return false;
            for (size_t k = 0; k < i; k++)
                if (strcmp(v->fields[k].name, v->fields[i].name) == 0)
                    return false;
        }
        for (size_t i = 0; i < n->n_inputs; i++) {
            const struct sb_gql_input_value *f = &n->inputs[i];
            if (f->type->form != SB_GQL_NON_NULL || f->default_value)
                continue;
            size_t k = 0;
            while (k < v->n_fields && strcmp(v->fields[k].name, f->name) != 0)
                k++;
            if (k == v->n_fields)
                return false;
        }
        if (n->one_of && (v->n_fields != 1 || v->fields[0].value->kind == SB_GQL_V_NULL))
            return false;
        return true;
    default:
        return false;
    }
}

const struct sb_gql_typeref *gql_typeref_of_ast(const struct sb_gql_schema *s,
                                                const struct sb_gql_type_ast *t, struct sb_arena *a)
{
    if (t->form == SB_GQL_NAMED) {
        const struct sb_gql_type *named = sb_gql_schema_type(s, t->name);
        return named ? gql_typeref_new(a, SB_GQL_NAMED, named, NULL) : NULL;
    }
    const struct sb_gql_typeref *of = gql_typeref_of_ast(s, t->of, a);
    return of ? gql_typeref_new(a, t->form, NULL, of) : NULL;
}

bool gql_literal_fits_ast(const struct sb_gql_schema *s, const struct sb_gql_value *v,
                          const struct sb_gql_type_ast *t)
{
    /* a typeref on the stack, one level at a time: no arena needed */
    if (t->form == SB_GQL_NAMED) {
        const struct sb_gql_type *named = sb_gql_schema_type(s, t->name);
        struct sb_gql_typeref r = { .form = SB_GQL_NAMED, .named = named };
        return named && gql_literal_fits(s, v, &r, false);
    }
    if (v->kind == SB_GQL_V_VARIABLE)
        return false;
    if (t->form == SB_GQL_NON_NULL)
        return v->kind != SB_GQL_V_NULL && gql_literal_fits_ast(s, v, t->of);
    if (v->kind == SB_GQL_V_NULL)
        return true;
    if (v->kind != SB_GQL_V_LIST)
        return gql_literal_fits_ast(s, v, t->of);
    for (size_t i = 0; i < v->n_items; i++)
        if (!gql_literal_fits_ast(s, v->items[i], t->of))
            return false;
    return true;
}

/* ------------------------------------------------------------------ to JSON */

static json_t *scalar_json(const struct sb_gql_type *t, const struct sb_gql_value *v)
{
    switch (v->kind) {
    case SB_GQL_V_INT:
        if (is(t, "Float"))
            return json_real(strtod(v->text, NULL));
        if (is(t, "ID"))
            return json_stringn(v->text, v->len);
        errno = 0;
        long long n = strtoll(v->text, NULL, 10);
        /* a custom scalar's integer past 64 bits stays text */
        return errno ? json_stringn(v->text, v->len) : json_integer((json_int_t)n);
    case SB_GQL_V_FLOAT:
        return is(t, "Float") ? json_real(strtod(v->text, NULL)) : json_stringn(v->text, v->len);
    case SB_GQL_V_STRING:
    case SB_GQL_V_ENUM:
        return json_stringn(v->text, v->len);
    case SB_GQL_V_BOOLEAN:
        return json_boolean(v->boolean);
    default:
        return json_null();
    }
}

static json_t *untyped_json(const struct sb_gql_value *v, json_t *vars, bool *oom);

/* A JSON scalar's literal (lists and objects included), no type to go by. */
static json_t *untyped_json(const struct sb_gql_value *v, json_t *vars, bool *oom)
{
    json_t *r;
    switch (v->kind) {
    case SB_GQL_V_VARIABLE:
        r = json_object_get(vars, v->text);
        return r ? json_incref(r) : json_null();
    case SB_GQL_V_INT: {
        errno = 0;
        long long n = strtoll(v->text, NULL, 10);
        r = errno ? json_stringn(v->text, v->len) : json_integer((json_int_t)n);
        break;
    }
    case SB_GQL_V_FLOAT:
    case SB_GQL_V_STRING:
    case SB_GQL_V_ENUM:
        r = json_stringn(v->text, v->len);
        break;
    case SB_GQL_V_BOOLEAN:
        r = json_boolean(v->boolean);
        break;
    case SB_GQL_V_NULL:
        r = json_null();
        break;
    case SB_GQL_V_LIST:
        r = json_array();
        for (size_t i = 0; r && i < v->n_items; i++)
            if (json_array_append_new(r, untyped_json(v->items[i], vars, oom)))
                *oom = true;
        break;
    default:
        r = json_object();
        for (size_t i = 0; r && i < v->n_fields; i++)
            if (json_object_set_new(r, v->fields[i].name,
                                    untyped_json(v->fields[i].value, vars, oom)))
                *oom = true;
        break;
    }
    if (!r)
        *oom = true;
    return r;
}

static json_t *input_object_json(const struct sb_gql_schema *s,
                                 const struct sb_gql_input_value *defs, size_t n_defs,
                                 const struct sb_gql_arg *given, size_t n_given, json_t *vars,
                                 bool *oom)
{
    json_t *obj = json_object();
    if (!obj) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < n_defs; i++) {
        const struct sb_gql_input_value *d = &defs[i];
        const struct sb_gql_value *v = NULL;
        for (size_t k = 0; k < n_given && !v; k++)
            if (strcmp(given[k].name, d->name) == 0)
                v = given[k].value;
        json_t *j = NULL;
        if (v && !(v->kind == SB_GQL_V_VARIABLE && !json_object_get(vars, v->text)))
            j = gql_literal_json(s, v, d->type, vars, oom);
        else if (d->default_value)
            j = gql_literal_json(s, d->default_value, d->type, NULL, oom);
        if (j && json_object_set_new(obj, d->name, j))
            *oom = true;
    }
    return obj;
}

json_t *gql_literal_json(const struct sb_gql_schema *s, const struct sb_gql_value *v,
                         const struct sb_gql_typeref *t, json_t *vars, bool *oom)
{
    json_t *r;
    if (v->kind == SB_GQL_V_VARIABLE) {
        r = json_object_get(vars, v->text);
        return r ? json_incref(r) : NULL;
    }
    if (v->kind == SB_GQL_V_NULL)
        return json_null();
    if (t->form == SB_GQL_NON_NULL)
        return gql_literal_json(s, v, t->of, vars, oom);
    if (t->form == SB_GQL_LIST) {
        if (!(r = json_array())) {
            *oom = true;
            return NULL;
        }
        if (v->kind != SB_GQL_V_LIST) {
            json_t *one = gql_literal_json(s, v, t->of, vars, oom);
            if (json_array_append_new(r, one ? one : json_null()))
                *oom = true;
            return r;
        }
        for (size_t i = 0; i < v->n_items; i++) {
            json_t *item = gql_literal_json(s, v->items[i], t->of, vars, oom);
            if (json_array_append_new(r, item ? item : json_null()))
                *oom = true;
        }
        return r;
    }
    const struct sb_gql_type *n = t->named;
    if (n->kind == SB_GQL_INPUT_OBJECT && v->kind == SB_GQL_V_OBJECT)
        return input_object_json(s, n->inputs, n->n_inputs, v->fields, v->n_fields, vars, oom);
    if (n->kind == SB_GQL_SCALAR && is(n, "JSON"))
        return untyped_json(v, vars, oom);
    if (!(r = scalar_json(n, v)))
        *oom = true;
    return r;
}

json_t *gql_args_json(const struct sb_gql_schema *s, const struct sb_gql_input_value *defs,
                      size_t n_defs, const struct sb_gql_arg *args, size_t n_args, json_t *vars,
                      bool *oom)
{
    return input_object_json(s, defs, n_defs, args, n_args, vars, oom);
}

bool gql_included(const struct sb_gql_schema *s, const struct sb_gql_directive *dirs, size_t n,
                  json_t *vars)
{
    (void)s;
    for (size_t i = 0; i < n; i++) {
        bool skip = strcmp(dirs[i].name, "skip") == 0;
        if (!skip && strcmp(dirs[i].name, "include") != 0)
            continue;
        for (size_t k = 0; k < dirs[i].n_args; k++) {
            const struct sb_gql_value *v = dirs[i].args[k].value;
            if (strcmp(dirs[i].args[k].name, "if") != 0)
                continue;
            bool cond = v->kind == SB_GQL_V_BOOLEAN ? v->boolean
                        : v->kind == SB_GQL_V_VARIABLE
                            ? json_is_true(json_object_get(vars, v->text))
                            : false;
            if (cond == skip)
                return false;
        }
    }
    return true;
}
