/*
 * A request's variables, coerced to what its operation declares (spec 6.4.1,
 * CoerceVariableValues), and the choice of the operation to run. A refused
 * variable is answered as graphql-ruby (and so Shopify) answers it:
 *
 *   {"message": "Variable $input of type InventorySetQuantitiesInput! was provided
 *                invalid value for quantities.0.changeFromQuantity (Expected value to
 *                not be null)",
 *    "locations": [...],
 *    "extensions": {"code": "INVALID_VARIABLE", "value": <what was given>,
 *                   "problems": [{"path": ["quantities", 0, "changeFromQuantity"],
 *                                 "explanation": "Expected value to not be null"}]}}
 *
 * with graphql-ruby's explanations: "Expected value to not be null", "Field is
 * not defined on T", "Expected \"X\" to be one of: A, B", "Could not coerce
 * value \"x\" to Int", "Expected [1] to be a key-value object.". A missing
 * variable takes its default; Int is 32 bits; ID takes strings and integers
 * and is handed on as a string; Shopify's own scalars are taken as given.
 */
#include "gql/internal.h"

#include <math.h>
#include <string.h>

struct coercer {
    const struct sb_gql_schema *s;
    struct gql_errors *errs;
    json_t *problems;
    json_t *path; /* the path being coerced (an array, pushed and popped) */
};

static void problem(struct coercer *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct coercer *c, const char *fmt, ...)
{
    struct gql_buf b = { .len = 0 };
    char tmp[sizeof(b.text)];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    b.text[0] = '\0';
    if (n > 0)
        gql_buf_add(&b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    /* the path is copied, not shared: it changes as the walk goes on */
    json_t *p = json_object();
    if (!p || json_object_set_new(p, "path", json_deep_copy(c->path)) ||
        json_object_set_new(p, "explanation", json_stringn(b.text, b.len))) {
        json_decref(p);
        c->errs->oom = true;
        return;
    }
    if (json_array_append_new(c->problems, p))
        c->errs->oom = true;
}

static const char *text_of(json_t *v, struct gql_buf *b)
{
    b->len = 0;
    b->cut = false;
    b->text[0] = '\0';
    gql_print_json(b, v);
    return b->text;
}

static bool is(const struct sb_gql_type *t, const char *name)
{
    return strcmp(t->name, name) == 0;
}

static json_t *scalar(struct coercer *c, json_t *v, const struct sb_gql_type *t)
{
    struct gql_buf b;
    if (is(t, "Int")) {
        if (json_is_integer(v) && json_integer_value(v) >= INT32_MIN &&
            json_integer_value(v) <= INT32_MAX)
            return json_incref(v);
        if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v) &&
            json_real_value(v) >= INT32_MIN && json_real_value(v) <= INT32_MAX)
            return json_integer((json_int_t)json_real_value(v));
    } else if (is(t, "Float")) {
        if (json_is_number(v))
            return json_real(json_number_value(v));
    } else if (is(t, "String")) {
        if (json_is_string(v))
            return json_incref(v);
    } else if (is(t, "Boolean")) {
        if (json_is_boolean(v))
            return json_incref(v);
    } else if (is(t, "ID")) {
        if (json_is_string(v))
            return json_incref(v);
        if (json_is_integer(v))
            return json_sprintf("%lld", (long long)json_integer_value(v));
    } else if (is(t, "JSON") || !(json_is_object(v) || json_is_array(v))) {
        return json_incref(v);
    }
    problem(c, "Could not coerce value %s to %s", text_of(v, &b), t->name);
    return NULL;
}

static json_t *coerce(struct coercer *c, json_t *v, const struct sb_gql_typeref *t);

static json_t *input_object(struct coercer *c, json_t *v, const struct sb_gql_type *t)
{
    struct gql_buf b;
    if (!json_is_object(v)) {
        problem(c, "Expected %s to be a key-value object.", text_of(v, &b));
        return NULL;
    }
    json_t *out = json_object();
    const char *key;
    json_t *val;
    bool ok = out != NULL;
    if (!out)
        c->errs->oom = true;
    json_object_foreach(v, key, val)
    {
        if (sb_gql_type_input(t, key))
            continue;
        json_array_append_new(c->path, json_string(key));
        problem(c, "Field is not defined on %s", t->name);
        json_array_remove(c->path, json_array_size(c->path) - 1);
        ok = false;
    }
    for (size_t i = 0; i < t->n_inputs; i++) {
        const struct sb_gql_input_value *f = &t->inputs[i];
        json_t *given = json_object_get(v, f->name), *r = NULL;
        json_array_append_new(c->path, json_string(f->name));
        if (given) {
            r = coerce(c, given, f->type);
            ok = ok && r;
        } else if (f->default_value) {
            bool oom = false;
            r = gql_literal_json(c->s, f->default_value, f->type, NULL, &oom);
            if (oom)
                c->errs->oom = true;
        } else if (f->type->form == SB_GQL_NON_NULL) {
            problem(c, "Expected value to not be null");
            ok = false;
        }
        json_array_remove(c->path, json_array_size(c->path) - 1);
        if (r && out && json_object_set_new(out, f->name, r))
            c->errs->oom = true;
    }
    if (t->one_of && ok) {
        if (json_object_size(v) != 1) {
            problem(c, "'%s' requires exactly one argument, but %zu were provided.", t->name,
                    json_object_size(v));
            ok = false;
        } else {
            json_object_foreach(v, key, val)
            {
                if (json_is_null(val)) {
                    problem(c, "'%s' requires exactly one argument, but '%s' was `null`.", t->name,
                            key);
                    ok = false;
                }
            }
        }
    }
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *coerce(struct coercer *c, json_t *v, const struct sb_gql_typeref *t)
{
    struct gql_buf b;
    if (t->form == SB_GQL_NON_NULL) {
        if (json_is_null(v)) {
            problem(c, "Expected value to not be null");
            return NULL;
        }
        return coerce(c, v, t->of);
    }
    if (json_is_null(v))
        return json_null();
    if (t->form == SB_GQL_LIST) {
        json_t *out = json_array();
        if (!out) {
            c->errs->oom = true;
            return NULL;
        }
        if (!json_is_array(v)) {
            json_t *one = coerce(c, v, t->of);
            if (!one || json_array_append_new(out, one)) {
                json_decref(out);
                return NULL;
            }
            return out;
        }
        bool ok = true;
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_array_append_new(c->path, json_integer((json_int_t)i));
            json_t *item = coerce(c, json_array_get(v, i), t->of);
            json_array_remove(c->path, json_array_size(c->path) - 1);
            if (!item)
                ok = false;
            else if (json_array_append_new(out, item))
                c->errs->oom = true;
        }
        if (!ok) {
            json_decref(out);
            return NULL;
        }
        return out;
    }
    const struct sb_gql_type *n = t->named;
    switch (n->kind) {
    case SB_GQL_SCALAR:
        return scalar(c, v, n);
    case SB_GQL_ENUM:
        if (json_is_string(v) && sb_gql_type_has_enum_value(n, json_string_value(v)))
            return json_incref(v);
        {
            struct gql_buf values = { .len = 0 };
            values.text[0] = '\0';
            for (size_t i = 0; i < n->n_enum_values; i++) {
                if (i)
                    gql_buf_add(&values, ", ", 2);
                gql_buf_add(&values, n->enum_values[i], strlen(n->enum_values[i]));
            }
            problem(c, "Expected %s to be one of: %s", text_of(v, &b), values.text);
        }
        return NULL;
    case SB_GQL_INPUT_OBJECT:
        return input_object(c, v, n);
    default:
        problem(c, "Could not coerce value %s to %s", text_of(v, &b), n->name);
        return NULL;
    }
}

/* "quantities.0.changeFromQuantity (Expected value to not be null)", for each problem
 * with a path. */
static void problem_fields(json_t *problems, struct gql_buf *b)
{
    size_t i;
    json_t *p;
    bool first = true;
    json_array_foreach(problems, i, p)
    {
        json_t *path = json_object_get(p, "path"), *step;
        size_t k;
        if (!json_array_size(path))
            continue;
        gql_buf_add(b, first ? " for " : ", ", first ? 5 : 2);
        first = false;
        json_array_foreach(path, k, step)
        {
            if (k)
                gql_buf_add(b, ".", 1);
            if (json_is_string(step))
                gql_buf_add(b, json_string_value(step), json_string_length(step));
            else
                gql_buf_addf(b, "%lld", (long long)json_integer_value(step));
        }
        const char *why = json_string_value(json_object_get(p, "explanation"));
        gql_buf_addf(b, " (%s)", why ? why : "");
    }
}

sb_err sb_gql_coerce_variables(const struct sb_gql_schema *s, const struct sb_gql_operation *op,
                               json_t *given, struct sb_arena *a, json_t *errors, json_t **ret)
{
    struct gql_errors errs = { .list = errors };
    json_t *out = json_object();
    if (!out)
        return SB_ENOMEM;
    if (!json_is_object(given))
        given = NULL;
    for (size_t i = 0; i < op->n_vars; i++) {
        const struct sb_gql_vardef *d = &op->vars[i];
        const struct sb_gql_typeref *t = gql_typeref_of_ast(s, d->type, a);
        if (!t || !gql_is_input(sb_gql_typeref_named(t)))
            continue; /* refused by validation */
        json_t *v = given ? json_object_get(given, d->name) : NULL, *r = NULL;
        if (!v && d->default_value) {
            bool oom = false;
            r = gql_literal_json(s, d->default_value, t, NULL, &oom);
            if (oom)
                errs.oom = true;
            if (r && json_object_set_new(out, d->name, r))
                errs.oom = true;
            continue;
        }
        if (!v && t->form != SB_GQL_NON_NULL)
            continue; /* absent, and may be */
        struct coercer c = {
            .s = s, .errs = &errs, .problems = json_array(), .path = json_array()
        };
        if (!c.problems || !c.path) {
            json_decref(c.problems);
            json_decref(c.path);
            errs.oom = true;
            break;
        }
        r = coerce(&c, v ? v : json_null(), t);
        if (r) {
            if (json_object_set_new(out, d->name, r))
                errs.oom = true;
        } else {
            struct gql_buf sig = { .len = 0 }, fields = { .len = 0 };
            sig.text[0] = fields.text[0] = '\0';
            gql_print_type_ast(&sig, d->type);
            problem_fields(c.problems, &fields);
            json_t *ext = json_pack("{s:s, s:O, s:O}", "code", "INVALID_VARIABLE", "value",
                                    v ? v : json_null(), "problems", c.problems);
            gql_error(&errs, &d->loc, NULL, ext,
                      "Variable $%s of type %s was provided invalid value%s", d->name, sig.text,
                      fields.text);
        }
        json_decref(c.problems);
        json_decref(c.path);
    }
    if (errs.oom) {
        json_decref(out);
        return SB_ENOMEM;
    }
    if (errs.count) {
        json_decref(out);
        return SB_EINVALID_QUERY;
    }
    *ret = out;
    return SB_OK;
}

sb_err sb_gql_operation(const struct sb_gql_document *doc, const char *name, json_t *errors,
                        const struct sb_gql_operation **ret)
{
    struct gql_errors errs = { .list = errors };
    if (name && !*name)
        name = NULL; /* Shopify takes an empty operationName as none */
    if (!name) {
        if (doc->n_ops == 1) {
            *ret = &doc->ops[0];
            return SB_OK;
        }
        gql_error(&errs, &gql_no_locations, NULL, NULL,
                  doc->n_ops ? "An operation name is required" : "No operations in the document");
        return errs.oom ? SB_ENOMEM : SB_EINVALID_QUERY;
    }
    for (size_t i = 0; i < doc->n_ops; i++) {
        if (doc->ops[i].name && strcmp(doc->ops[i].name, name) == 0) {
            *ret = &doc->ops[i];
            return SB_OK;
        }
    }
    gql_error(&errs, &gql_no_locations, NULL, NULL, "No operation named \"%s\"", name);
    return errs.oom ? SB_ENOMEM : SB_EINVALID_QUERY;
}

sb_err sb_gql_prepare(const struct sb_gql_schema *s, const char *text, size_t len,
                      const char *operation_name, json_t *variables,
                      const struct sb_gql_limits *limits, struct sb_arena *a, json_t *errors,
                      struct sb_gql_request *ret)
{
    struct sb_gql_document *doc;
    const struct sb_gql_operation *op;
    json_t *vars;
    sb_err err;
    if ((err = sb_gql_parse(text, len, limits, a, errors, &doc)) ||
        (err = sb_gql_validate(s, doc, limits, a, errors)) ||
        (err = sb_gql_operation(doc, operation_name, errors, &op)) ||
        (err = sb_gql_coerce_variables(s, op, variables, a, errors, &vars)))
        return err;
    if (!sb_arena_defer(a, (void (*)(void *))json_decref, vars))
        return SB_ENOMEM;
    *ret = (struct sb_gql_request){ .schema = s, .doc = doc, .op = op, .variables = vars };
    return sb_gql_cost(s, doc, op, vars, errors, &ret->cost);
}
