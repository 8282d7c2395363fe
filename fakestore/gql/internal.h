/*
 * What the engine's files share and nobody else needs: the name map, GraphQL
 * error objects in Shopify's shape, the printer of values and types for
 * messages, value coercion, and fragment-aware selection walking helpers.
 */
#ifndef SB_GQL_INTERNAL_H
#define SB_GQL_INTERNAL_H

#include "gql/gql.h"

#include <stdarg.h>

/* ------------------------------------------------------------------ map.c */

/* Built once from a known number of names, then only looked up. */
struct sb_gql_map *sb_gql_map_new(struct sb_arena *a, size_t n);
/* false: the name is there already (the first stays), or the map is full. */
bool sb_gql_map_put(struct sb_gql_map *m, const char *name, const void *value);
const void *sb_gql_map_get(const struct sb_gql_map *m, const char *name);

/* ------------------------------------------------------------------ errors.c */

/* The errors of one request: appended to the caller's array, at most SB_GQL_MAX_ERRORS;
 * oom remembers a failed allocation (the request then fails with SB_ENOMEM). */
struct gql_errors {
    json_t *list;
    size_t count; /* errors reported, kept or dropped */
    bool oom;
};

/* Appends {"message", "locations": [loc] (empty when loc is NULL, left out when it is
 * &gql_no_locations), "path" (taken; NULL: none), "extensions" (taken; NULL: none)} and
 * returns it (NULL when dropped). */
extern const struct sb_gql_loc gql_no_locations;
json_t *gql_error(struct gql_errors *e, const struct sb_gql_loc *loc, json_t *path,
                  json_t *extensions, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a location to an error gql_error returned. */
void gql_error_loc(struct gql_errors *e, json_t *error, const struct sb_gql_loc *loc);
/* {"code": code} plus pairs of (key, string value) ending with NULL; NULL values skipped. */
json_t *gql_ext(struct gql_errors *e, const char *code, ...);

/* A growable text for messages (bounded: longer texts are cut with "..."). */
struct gql_buf {
    char text[1024];
    size_t len;
    bool cut;
};
void gql_buf_add(struct gql_buf *b, const char *s, size_t n);
void gql_buf_addf(struct gql_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ print.c */

/* A literal as graphql-ruby's printer writes it in messages ("\"x\"", "[1, 2]",
 * "{a: 1}", "$var"). */
void gql_print_value(struct gql_buf *b, const struct sb_gql_value *v);
void gql_print_type_ast(struct gql_buf *b, const struct sb_gql_type_ast *t);
void gql_print_typeref(struct gql_buf *b, const struct sb_gql_typeref *t);
/* A JSON value as graphql-ruby's message would quote it ("\"x\"", "12", "null"). */
void gql_print_json(struct gql_buf *b, json_t *v);

/* ------------------------------------------------------------------ values.c */

/* Whether a literal (without variables, or with them when vars_ok) fits a type: the
 * literal half of "Values of Correct Type" (spec 5.6.1). */
bool gql_literal_fits(const struct sb_gql_schema *s, const struct sb_gql_value *v,
                      const struct sb_gql_typeref *t, bool vars_ok);
bool gql_literal_fits_ast(const struct sb_gql_schema *s, const struct sb_gql_value *v,
                          const struct sb_gql_type_ast *t);
/* A literal's value as JSON, variables substituted (a missing variable: absent, *ret NULL)
 * and Shopify's custom scalars kept as written (a float literal is its text: never a
 * double). The literal was validated. NULL on no memory with *oom set. */
json_t *gql_literal_json(const struct sb_gql_schema *s, const struct sb_gql_value *v,
                         const struct sb_gql_typeref *t, json_t *vars, bool *oom);
/* The coerced arguments of a field or directive: an object holding every argument given
 * or with a default. */
json_t *gql_args_json(const struct sb_gql_schema *s, const struct sb_gql_input_value *defs,
                      size_t n_defs, const struct sb_gql_arg *args, size_t n_args, json_t *vars,
                      bool *oom);
/* @skip and @include: whether a selection with these directives is kept. */
bool gql_included(const struct sb_gql_schema *s, const struct sb_gql_directive *dirs, size_t n,
                  json_t *vars);
/* The schema's typeref for a variable's declared type; NULL when a named type is unknown. */
const struct sb_gql_typeref *gql_typeref_of_ast(const struct sb_gql_schema *s,
                                                const struct sb_gql_type_ast *t,
                                                struct sb_arena *a);

/* ------------------------------------------------------------------ parse.c */

/* One constant value from its text (an introspection defaultValue); NULL when it is not
 * one, or no memory. */
struct sb_gql_value *gql_parse_const_value(const char *text, size_t len, struct sb_arena *a);

/* ------------------------------------------------------------------ collect.c */

/* The fields of one response key (spec 6.3.2): its selections, in document order. */
struct gql_group {
    const char *key;
    const struct sb_gql_selection **sels;
    size_t n;
    size_t order; /* where the key first appears */
};

struct gql_fieldset {
    struct gql_group *groups;
    size_t n;
};

/* CollectFields over several selection sets (a merged field's) for object type obj.
 * SB_ETOO_LARGE when *budget runs out (each field collected spends one), SB_ENOMEM. */
sb_err gql_collect(const struct sb_gql_schema *s, const struct sb_gql_document *doc,
                   const struct sb_gql_selset *const *selsets, size_t n_selsets,
                   const struct sb_gql_type *obj, json_t *vars, struct sb_arena *a, size_t *budget,
                   struct gql_fieldset *ret);
/* The selection sets of a group's fields (those that have one). */
sb_err gql_subselections(const struct gql_group *g, struct sb_arena *a,
                         const struct sb_gql_selset ***ret, size_t *ret_n);

/* ------------------------------------------------------------------ schema.c */

/* Built-in scalar named: String, Int, Float, Boolean, ID. */
bool gql_builtin_scalar(const struct sb_gql_type *t);
/* Whether a fragment with this type condition can apply to objects of type obj. */
bool gql_type_applies(const struct sb_gql_type *cond, const struct sb_gql_type *obj);
/* Whether two composite types can share an object (spec 5.5.2.3). */
bool gql_types_overlap(const struct sb_gql_type *a, const struct sb_gql_type *b);
bool gql_is_composite(const struct sb_gql_type *t);
bool gql_is_leaf(const struct sb_gql_type *t);
bool gql_is_input(const struct sb_gql_type *t);
const struct sb_gql_typeref *gql_typeref_new(struct sb_arena *a, enum sb_gql_type_form form,
                                             const struct sb_gql_type *named,
                                             const struct sb_gql_typeref *of);

#endif
