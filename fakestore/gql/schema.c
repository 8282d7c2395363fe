/*
 * A schema from an introspection answer - the JSON a GraphQL server gives to
 * the standard introspection query, which is how Shopify publishes its Admin
 * API (@shopify/dev-mcp ships dist/data/admin_<version>.json.gz: 3,500 types,
 * 11 MB). Types, their fields with argument definitions, interfaces, unions,
 * enums, input objects (with @oneOf), scalars and directives, with every
 * reference between them resolved, and name maps for the lookups validation
 * and execution make per field. Default values arrive as GraphQL text
 * ("false", "[]", "CREATED_AT") and are parsed once, here.
 *
 * Extra members Shopify adds (accessRestricted, requiredAccess, ...) are
 * ignored. Everything lives in the schema's own arena.
 */
#include "gql/internal.h"

#include <string.h>

struct sb_gql_schema {
    struct sb_arena *arena;
    struct sb_gql_type *types;
    size_t n_types;
    struct sb_gql_map *type_map;
    const struct sb_gql_type *roots[3]; /* query, mutation, subscription */
    size_t n_dangling;                  /* possible types named but not defined, dropped */
    struct sb_gql_directive_def *directives;
    size_t n_directives;
    /* the meta fields (spec 4.1, 4.2) */
    struct sb_gql_field typename_field, schema_field, type_field;
};

static const char *str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

struct loader {
    struct sb_gql_schema *s;
    const char *problem; /* why the introspection is refused */
    char detail[160];
};

static bool refuse(struct loader *l, const char *what, const char *name)
{
    if (!l->problem) {
        l->problem = what;
        snprintf(l->detail, sizeof(l->detail), "%s", name ? name : "");
    }
    return false;
}

static char *dup(struct loader *l, const char *s)
{
    char *d = s ? sb_arena_strdup(l->s->arena, s) : NULL;
    if (s && !d)
        refuse(l, "out of memory", NULL);
    return d;
}

/* {"kind": "NON_NULL", "ofType": {"kind": "LIST", "ofType": {"kind": "OBJECT", "name":
 * "Order"}}} */
static const struct sb_gql_typeref *typeref(struct loader *l, json_t *j, int depth)
{
    const char *kind = str(j, "kind");
    if (!kind || depth > 16)
        return refuse(l, "a type reference without a kind", NULL), NULL;
    if (strcmp(kind, "NON_NULL") == 0 || strcmp(kind, "LIST") == 0) {
        const struct sb_gql_typeref *of = typeref(l, json_object_get(j, "ofType"), depth + 1);
        if (!of)
            return NULL;
        const struct sb_gql_typeref *t =
            gql_typeref_new(l->s->arena, kind[0] == 'N' ? SB_GQL_NON_NULL : SB_GQL_LIST, NULL, of);
        if (!t)
            refuse(l, "out of memory", NULL);
        return t;
    }
    const char *name = str(j, "name");
    const struct sb_gql_type *named = sb_gql_schema_type(l->s, name);
    if (!named)
        return refuse(l, "a reference to an unknown type", name), NULL;
    const struct sb_gql_typeref *t = gql_typeref_new(l->s->arena, SB_GQL_NAMED, named, NULL);
    if (!t)
        refuse(l, "out of memory", NULL);
    return t;
}

static bool input_values(struct loader *l, json_t *list, const struct sb_gql_input_value **ret,
                         size_t *ret_n)
{
    size_t n = json_array_size(list);
    struct sb_gql_input_value *vals = NULL;
    if (n && !(vals = sb_arena_alloc(l->s->arena, n * sizeof(*vals))))
        return refuse(l, "out of memory", NULL);
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(list, i);
        const char *dv = str(j, "defaultValue");
        if (!(vals[i].name = dup(l, str(j, "name"))))
            return refuse(l, "an argument without a name", NULL);
        if (!(vals[i].type = typeref(l, json_object_get(j, "type"), 0)))
            return false;
        if (dv && !(vals[i].default_value = gql_parse_const_value(dv, strlen(dv), l->s->arena)))
            return refuse(l, "a default value that is not a GraphQL value", dv);
    }
    *ret = vals;
    *ret_n = n;
    return true;
}

static struct sb_gql_map *input_map(struct loader *l, const struct sb_gql_input_value *v, size_t n)
{
    struct sb_gql_map *m = sb_gql_map_new(l->s->arena, n);
    if (!m)
        return refuse(l, "out of memory", NULL), NULL;
    for (size_t i = 0; i < n; i++)
        if (!sb_gql_map_put(m, v[i].name, &v[i]))
            return refuse(l, "a name given twice", v[i].name), NULL;
    return m;
}

/* Interfaces and possible types. Shopify's published schema names a few possible types
 * it leaves out of its type list (ExchangeV2 as a Node, three user errors as
 * DisplayableError): those are dropped and counted, as no value can have them. */
static const struct sb_gql_type **type_list(struct loader *l, json_t *list, size_t *ret_n)
{
    size_t n = json_array_size(list), k = 0;
    const struct sb_gql_type **types = sb_arena_alloc(l->s->arena, (n ? n : 1) * sizeof(*types));
    if (!types)
        return refuse(l, "out of memory", NULL), NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = str(json_array_get(list, i), "name");
        if (!name)
            return refuse(l, "a type reference without a name", NULL), NULL;
        if ((types[k] = sb_gql_schema_type(l->s, name)))
            k++;
        else
            l->s->n_dangling++;
    }
    *ret_n = k;
    return types;
}

static bool fill_type(struct loader *l, struct sb_gql_type *t, json_t *j)
{
    struct sb_arena *a = l->s->arena;
    json_t *fields = json_object_get(j, "fields");
    if (t->kind == SB_GQL_OBJECT || t->kind == SB_GQL_INTERFACE) {
        size_t n = json_array_size(fields);
        struct sb_gql_field *f = sb_arena_alloc(a, (n ? n : 1) * sizeof(*f));
        if (!f || !(t->field_map = sb_gql_map_new(a, n)))
            return refuse(l, "out of memory", NULL);
        for (size_t i = 0; i < n; i++) {
            json_t *fj = json_array_get(fields, i);
            if (!(f[i].name = dup(l, str(fj, "name"))))
                return refuse(l, "a field without a name", t->name);
            if (!(f[i].type = typeref(l, json_object_get(fj, "type"), 0)) ||
                !input_values(l, json_object_get(fj, "args"), &f[i].args, &f[i].n_args))
                return false;
            f[i].deprecated = json_is_true(json_object_get(fj, "isDeprecated"));
            if (!sb_gql_map_put(t->field_map, f[i].name, &f[i]))
                return refuse(l, "a field given twice", f[i].name);
        }
        t->fields = f;
        t->n_fields = n;
        if (!(t->interfaces = type_list(l, json_object_get(j, "interfaces"), &t->n_interfaces)))
            return false;
        t->connection =
            t->kind == SB_GQL_OBJECT && sb_gql_map_get(t->field_map, "pageInfo") &&
            (sb_gql_map_get(t->field_map, "edges") || sb_gql_map_get(t->field_map, "nodes"));
    }
    if (t->kind == SB_GQL_INTERFACE || t->kind == SB_GQL_UNION) {
        if (!(t->possible = type_list(l, json_object_get(j, "possibleTypes"), &t->n_possible)) ||
            !(t->possible_map = sb_gql_map_new(a, t->n_possible)))
            return false;
        for (size_t i = 0; i < t->n_possible; i++)
            sb_gql_map_put(t->possible_map, t->possible[i]->name, t->possible[i]);
    }
    if (t->kind == SB_GQL_INPUT_OBJECT) {
        if (!input_values(l, json_object_get(j, "inputFields"), &t->inputs, &t->n_inputs) ||
            !(t->input_map = input_map(l, t->inputs, t->n_inputs)))
            return false;
        t->one_of = json_is_true(json_object_get(j, "isOneOf"));
    }
    if (t->kind == SB_GQL_ENUM) {
        json_t *vals = json_object_get(j, "enumValues");
        size_t n = json_array_size(vals);
        const char **names = sb_arena_alloc(a, (n ? n : 1) * sizeof(*names));
        if (!names || !(t->enum_map = sb_gql_map_new(a, n)))
            return refuse(l, "out of memory", NULL);
        for (size_t i = 0; i < n; i++) {
            if (!(names[i] = dup(l, str(json_array_get(vals, i), "name"))))
                return refuse(l, "an enum value without a name", t->name);
            if (!sb_gql_map_put(t->enum_map, names[i], names[i]))
                return refuse(l, "an enum value given twice", names[i]);
        }
        t->enum_values = names;
        t->n_enum_values = n;
    }
    return true;
}

static unsigned location_bit(const char *name)
{
    static const struct {
        const char *name;
        unsigned bit;
    } locs[] = {
        { "QUERY", SB_GQL_LOC_QUERY },
        { "MUTATION", SB_GQL_LOC_MUTATION },
        { "SUBSCRIPTION", SB_GQL_LOC_SUBSCRIPTION },
        { "FIELD", SB_GQL_LOC_FIELD },
        { "FRAGMENT_DEFINITION", SB_GQL_LOC_FRAGMENT_DEFINITION },
        { "FRAGMENT_SPREAD", SB_GQL_LOC_FRAGMENT_SPREAD },
        { "INLINE_FRAGMENT", SB_GQL_LOC_INLINE_FRAGMENT },
        { "VARIABLE_DEFINITION", SB_GQL_LOC_VARIABLE_DEFINITION },
    };
    for (size_t i = 0; name && i < sizeof(locs) / sizeof(locs[0]); i++)
        if (strcmp(locs[i].name, name) == 0)
            return locs[i].bit;
    return 0; /* a type system location: no use in an executable document */
}

static bool load_directives(struct loader *l, json_t *list)
{
    size_t n = json_array_size(list);
    struct sb_gql_directive_def *d = sb_arena_alloc(l->s->arena, (n ? n : 1) * sizeof(*d));
    if (!d)
        return refuse(l, "out of memory", NULL);
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(list, i), *loc;
        size_t k;
        if (!(d[i].name = dup(l, str(j, "name"))))
            return refuse(l, "a directive without a name", NULL);
        json_array_foreach(json_object_get(j, "locations"), k, loc) d[i].locations |=
            location_bit(json_string_value(loc));
        d[i].repeatable = json_is_true(json_object_get(j, "isRepeatable"));
        if (!input_values(l, json_object_get(j, "args"), &d[i].args, &d[i].n_args))
            return false;
    }
    l->s->directives = d;
    l->s->n_directives = n;
    return true;
}

static bool meta_fields(struct loader *l)
{
    struct sb_gql_schema *s = l->s;
    struct sb_arena *a = s->arena;
    const struct sb_gql_type *string = sb_gql_schema_type(s, "String");
    const struct sb_gql_type *schema = sb_gql_schema_type(s, "__Schema");
    const struct sb_gql_type *type = sb_gql_schema_type(s, "__Type");
    if (!string)
        return refuse(l, "no String type", NULL);
    const struct sb_gql_typeref *string_nn =
        gql_typeref_new(a, SB_GQL_NON_NULL, NULL, gql_typeref_new(a, SB_GQL_NAMED, string, NULL));
    if (!string_nn)
        return refuse(l, "out of memory", NULL);
    s->typename_field = (struct sb_gql_field){ .name = "__typename", .type = string_nn };
    if (schema && type) {
        struct sb_gql_input_value *name_arg = sb_arena_alloc(a, sizeof(*name_arg));
        const struct sb_gql_typeref *schema_nn = gql_typeref_new(
            a, SB_GQL_NON_NULL, NULL, gql_typeref_new(a, SB_GQL_NAMED, schema, NULL));
        const struct sb_gql_typeref *type_ref = gql_typeref_new(a, SB_GQL_NAMED, type, NULL);
        if (!name_arg || !schema_nn || !type_ref)
            return refuse(l, "out of memory", NULL);
        *name_arg = (struct sb_gql_input_value){ .name = "name", .type = string_nn };
        s->schema_field = (struct sb_gql_field){ .name = "__schema", .type = schema_nn };
        s->type_field = (struct sb_gql_field){
            .name = "__type", .type = type_ref, .args = name_arg, .n_args = 1
        };
    }
    return true;
}

static const char *kind_names[] = {
    [SB_GQL_SCALAR] = "SCALAR", [SB_GQL_OBJECT] = "OBJECT", [SB_GQL_INTERFACE] = "INTERFACE",
    [SB_GQL_UNION] = "UNION",   [SB_GQL_ENUM] = "ENUM",     [SB_GQL_INPUT_OBJECT] = "INPUT_OBJECT",
};

static bool load(struct loader *l, json_t *root)
{
    struct sb_gql_schema *s = l->s;
    json_t *schema = json_object_get(json_object_get(root, "data"), "__schema");
    if (!schema)
        schema = json_object_get(root, "__schema");
    json_t *types = json_object_get(schema, "types");
    if (!json_is_array(types))
        return refuse(l, "no __schema.types", NULL);
    s->n_types = json_array_size(types);
    if (!(s->types = sb_arena_alloc(s->arena, (s->n_types ? s->n_types : 1) * sizeof(*s->types))) ||
        !(s->type_map = sb_gql_map_new(s->arena, s->n_types)))
        return refuse(l, "out of memory", NULL);
    /* the names first: fields refer to types declared after them */
    for (size_t i = 0; i < s->n_types; i++) {
        json_t *j = json_array_get(types, i);
        struct sb_gql_type *t = &s->types[i];
        const char *kind = str(j, "kind");
        size_t k = 0;
        while (kind && k < sizeof(kind_names) / sizeof(kind_names[0]) &&
               strcmp(kind_names[k], kind) != 0)
            k++;
        if (!kind || k == sizeof(kind_names) / sizeof(kind_names[0]))
            return refuse(l, "a type of unknown kind", str(j, "name"));
        t->kind = (enum sb_gql_kind)k;
        if (!(t->name = dup(l, str(j, "name"))))
            return refuse(l, "a type without a name", NULL);
        if (!sb_gql_map_put(s->type_map, t->name, t))
            return refuse(l, "a type given twice", t->name);
    }
    for (size_t i = 0; i < s->n_types; i++)
        if (!fill_type(l, &s->types[i], json_array_get(types, i)))
            return false;
    static const char *const roots[] = { "queryType", "mutationType", "subscriptionType" };
    for (int r = 0; r < 3; r++) {
        const char *name = str(json_object_get(schema, roots[r]), "name");
        if (name && !(s->roots[r] = sb_gql_schema_type(s, name)))
            return refuse(l, "an unknown root type", name);
        if (s->roots[r] && s->roots[r]->kind != SB_GQL_OBJECT)
            return refuse(l, "a root type that is not an object", name);
    }
    if (!s->roots[SB_GQL_QUERY])
        return refuse(l, "no query type", NULL);
    return load_directives(l, json_object_get(schema, "directives")) && meta_fields(l);
}

sb_err sb_gql_schema_load(json_t *introspection, struct sb_gql_schema **ret)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_gql_schema *s = a ? sb_arena_alloc(a, sizeof(*s)) : NULL;
    if (!s) {
        sb_arena_free(a);
        return sb_fail(SB_ENOMEM, NULL, "no memory for the GraphQL schema");
    }
    s->arena = a;
    struct loader l = { .s = s };
    if (!load(&l, introspection)) {
        sb_err err = strcmp(l.problem, "out of memory") == 0 ? SB_ENOMEM : SB_EINVALID_JSON;
        sb_err r = sb_fail(err, NULL, "not a GraphQL introspection answer: %s%s%s", l.problem,
                           l.detail[0] ? " " : "", l.detail);
        sb_arena_free(a);
        return r;
    }
    *ret = s;
    return SB_OK;
}

sb_err sb_gql_schema_load_file(const char *path, struct sb_gql_schema **ret)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        return sb_fail(SB_EIO, NULL, "%s: %s (line %d)", path, jerr.text, jerr.line);
    sb_err err = sb_gql_schema_load(root, ret);
    json_decref(root);
    return err;
}

void sb_gql_schema_free(struct sb_gql_schema *s)
{
    if (s)
        sb_arena_free(s->arena);
}

const struct sb_gql_type *sb_gql_schema_type(const struct sb_gql_schema *s, const char *name)
{
    return sb_gql_map_get(s->type_map, name);
}

const struct sb_gql_type *sb_gql_schema_root(const struct sb_gql_schema *s, enum sb_gql_op_kind op)
{
    return s->roots[op];
}

size_t sb_gql_schema_type_count(const struct sb_gql_schema *s)
{
    return s->n_types;
}

size_t sb_gql_schema_dangling(const struct sb_gql_schema *s)
{
    return s->n_dangling;
}

const struct sb_gql_directive_def *sb_gql_schema_directive(const struct sb_gql_schema *s,
                                                           const char *name)
{
    for (size_t i = 0; i < s->n_directives; i++)
        if (strcmp(s->directives[i].name, name) == 0)
            return &s->directives[i];
    return NULL;
}

const struct sb_gql_field *sb_gql_type_field(const struct sb_gql_schema *s,
                                             const struct sb_gql_type *t, const char *name)
{
    if (!t || !gql_is_composite(t))
        return NULL;
    if (name[0] == '_' && name[1] == '_') {
        if (strcmp(name, "__typename") == 0)
            return &s->typename_field;
        if (t == s->roots[SB_GQL_QUERY] && s->schema_field.name) {
            if (strcmp(name, "__schema") == 0)
                return &s->schema_field;
            if (strcmp(name, "__type") == 0)
                return &s->type_field;
        }
    }
    return sb_gql_map_get(t->field_map, name);
}

const struct sb_gql_input_value *sb_gql_type_input(const struct sb_gql_type *t, const char *name)
{
    return t ? sb_gql_map_get(t->input_map, name) : NULL;
}

bool sb_gql_type_has_enum_value(const struct sb_gql_type *t, const char *name)
{
    return t && sb_gql_map_get(t->enum_map, name) != NULL;
}

bool sb_gql_type_possible(const struct sb_gql_type *abstract, const struct sb_gql_type *obj)
{
    if (abstract == obj)
        return true;
    return obj && sb_gql_map_get(abstract->possible_map, obj->name) == obj;
}

const struct sb_gql_type *sb_gql_typeref_named(const struct sb_gql_typeref *t)
{
    while (t->form != SB_GQL_NAMED)
        t = t->of;
    return t->named;
}

const struct sb_gql_typeref *gql_typeref_new(struct sb_arena *a, enum sb_gql_type_form form,
                                             const struct sb_gql_type *named,
                                             const struct sb_gql_typeref *of)
{
    if (form != SB_GQL_NAMED && !of)
        return NULL;
    struct sb_gql_typeref *t = sb_arena_alloc(a, sizeof(*t));
    if (t)
        *t = (struct sb_gql_typeref){ .form = form, .named = named, .of = of };
    return t;
}

bool gql_builtin_scalar(const struct sb_gql_type *t)
{
    static const char *const names[] = { "String", "Int", "Float", "Boolean", "ID" };
    for (size_t i = 0; t->kind == SB_GQL_SCALAR && i < 5; i++)
        if (strcmp(t->name, names[i]) == 0)
            return true;
    return false;
}

bool gql_is_composite(const struct sb_gql_type *t)
{
    return t->kind == SB_GQL_OBJECT || t->kind == SB_GQL_INTERFACE || t->kind == SB_GQL_UNION;
}

bool gql_is_leaf(const struct sb_gql_type *t)
{
    return t->kind == SB_GQL_SCALAR || t->kind == SB_GQL_ENUM;
}

bool gql_is_input(const struct sb_gql_type *t)
{
    return t->kind == SB_GQL_SCALAR || t->kind == SB_GQL_ENUM || t->kind == SB_GQL_INPUT_OBJECT;
}

bool gql_type_applies(const struct sb_gql_type *cond, const struct sb_gql_type *obj)
{
    return cond == obj || (cond->kind != SB_GQL_OBJECT && sb_gql_type_possible(cond, obj));
}

bool gql_types_overlap(const struct sb_gql_type *a, const struct sb_gql_type *b)
{
    if (a == b)
        return true;
    if (a->kind == SB_GQL_OBJECT)
        return b->kind != SB_GQL_OBJECT && sb_gql_type_possible(b, a);
    if (b->kind == SB_GQL_OBJECT)
        return sb_gql_type_possible(a, b);
    for (size_t i = 0; i < a->n_possible; i++)
        if (sb_gql_type_possible(b, a->possible[i]))
            return true;
    return false;
}
