/*
 * A GraphQL engine for the simulated webstores: it parses executable documents
 * (the GraphQL specification, October 2021), validates them against a schema
 * loaded from an introspection answer (Shopify publishes its Admin schema in
 * that form), computes a query's cost by Shopify's documented rules and
 * executes it against resolvers that the simulation supplies. It knows nothing
 * of Shopify's data: the shop plugs in through struct sb_gql_resolver.
 *
 * Everything sent to it is hostile: documents are bounded (bytes, tokens,
 * depth), and every refusal is a GraphQL error object in the shape Shopify
 * answers ({"message", "locations", "path", "extensions": {"code", ...}}),
 * appended to a caller's JSON array. Documents live in the caller's arena; a
 * schema owns its own.
 *
 * The usual sequence: sb_gql_schema_load_file once; per request
 * sb_gql_prepare (parse, validate, pick the operation, coerce the variables,
 * cost), the caller's throttle, then sb_gql_execute.
 */
#ifndef SB_GQL_H
#define SB_GQL_H

#include "gql/ast.h"
#include "util/arena.h"
#include "util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ limits */

/* What one document may hold. A document past a bound is refused before it is parsed
 * further; the executor and the cost walk have a budget of their own (see below). */
struct sb_gql_limits {
    size_t max_bytes;   /* the document's text */
    size_t max_tokens;  /* punctuators, names, values */
    unsigned max_depth; /* nested selection sets (fragments expanded), values, types */
};
#define SB_GQL_MAX_BYTES  (256u * 1024u)
#define SB_GQL_MAX_TOKENS 30000u
#define SB_GQL_MAX_DEPTH  40u
extern const struct sb_gql_limits sb_gql_default_limits;

/* Fields the cost walk and the executor visit for one request, fragments expanded: past
 * this a document is refused as too large, whatever its cost (a chain of fragments can
 * expand to many times its own size). */
#define SB_GQL_MAX_VISITS 200000u
/* Errors one answer carries at most; the rest are dropped. */
#define SB_GQL_MAX_ERRORS 100u

/* ------------------------------------------------------------------ schema */

enum sb_gql_kind {
    SB_GQL_SCALAR,
    SB_GQL_OBJECT,
    SB_GQL_INTERFACE,
    SB_GQL_UNION,
    SB_GQL_ENUM,
    SB_GQL_INPUT_OBJECT,
};

struct sb_gql_type;

/* A type as a field or an argument declares it: a named type, a list of, or non-null. */
struct sb_gql_typeref {
    enum sb_gql_type_form form;
    const struct sb_gql_type *named; /* SB_GQL_NAMED */
    const struct sb_gql_typeref *of; /* SB_GQL_LIST, SB_GQL_NON_NULL */
};

/* An argument, an input object's field, a directive's argument. */
struct sb_gql_input_value {
    const char *name;
    const struct sb_gql_typeref *type;
    const struct sb_gql_value *default_value; /* NULL: none */
};

struct sb_gql_field {
    const char *name;
    const struct sb_gql_typeref *type;
    const struct sb_gql_input_value *args;
    size_t n_args;
    bool deprecated;
};

struct sb_gql_map; /* name -> pointer, open addressing (map.c) */

struct sb_gql_type {
    const char *name;
    enum sb_gql_kind kind;
    const struct sb_gql_field *fields; /* objects, interfaces */
    size_t n_fields;
    const struct sb_gql_type **interfaces; /* objects, interfaces: what they implement */
    size_t n_interfaces;
    const struct sb_gql_type **possible; /* interfaces, unions: the object types */
    size_t n_possible;
    const struct sb_gql_input_value *inputs; /* input objects */
    size_t n_inputs;
    const char **enum_values; /* enums */
    size_t n_enum_values;
    bool one_of;     /* an input object that takes exactly one field (@oneOf) */
    bool connection; /* an object with edges, nodes and pageInfo: a Relay connection */
    struct sb_gql_map *field_map, *input_map, *enum_map, *possible_map;
};

/* Where a directive may stand (bits). */
enum {
    SB_GQL_LOC_QUERY = 1 << 0,
    SB_GQL_LOC_MUTATION = 1 << 1,
    SB_GQL_LOC_SUBSCRIPTION = 1 << 2,
    SB_GQL_LOC_FIELD = 1 << 3,
    SB_GQL_LOC_FRAGMENT_DEFINITION = 1 << 4,
    SB_GQL_LOC_FRAGMENT_SPREAD = 1 << 5,
    SB_GQL_LOC_INLINE_FRAGMENT = 1 << 6,
    SB_GQL_LOC_VARIABLE_DEFINITION = 1 << 7,
};

struct sb_gql_directive_def {
    const char *name;
    unsigned locations;
    const struct sb_gql_input_value *args;
    size_t n_args;
    bool repeatable;
};

struct sb_gql_schema;

/* Loads a schema from an introspection answer: {"data": {"__schema": ...}} or
 * {"__schema": ...} (the form of @shopify/dev-mcp's dist/data/admin_<version>.json).
 * SB_EINVALID_JSON with sb_fail's message when it is not one. */
sb_err sb_gql_schema_load(json_t *introspection, struct sb_gql_schema **ret);
sb_err sb_gql_schema_load_file(const char *path, struct sb_gql_schema **ret);
void sb_gql_schema_free(struct sb_gql_schema *s); /* accepts NULL */

const struct sb_gql_type *sb_gql_schema_type(const struct sb_gql_schema *s, const char *name);
const struct sb_gql_type *sb_gql_schema_root(const struct sb_gql_schema *s, enum sb_gql_op_kind op);
size_t sb_gql_schema_type_count(const struct sb_gql_schema *s);
/* Possible types and interfaces the introspection named without defining them, which were
 * left out (Shopify's 2026-10 Admin schema has 4). */
size_t sb_gql_schema_dangling(const struct sb_gql_schema *s);
const struct sb_gql_directive_def *sb_gql_schema_directive(const struct sb_gql_schema *s,
                                                           const char *name);
/* A field of an object or interface, __typename included (and __schema, __type on the
 * query root); NULL when there is none. */
const struct sb_gql_field *sb_gql_type_field(const struct sb_gql_schema *s,
                                             const struct sb_gql_type *t, const char *name);
const struct sb_gql_input_value *sb_gql_type_input(const struct sb_gql_type *t, const char *name);
bool sb_gql_type_has_enum_value(const struct sb_gql_type *t, const char *name);
/* Whether object type obj is one of abstract's possible types (or is abstract itself). */
bool sb_gql_type_possible(const struct sb_gql_type *abstract, const struct sb_gql_type *obj);
/* The named type under lists and non-nulls. */
const struct sb_gql_type *sb_gql_typeref_named(const struct sb_gql_typeref *t);
/* "[Int!]!", in the arena (NULL: no memory). */
const char *sb_gql_typeref_text(const struct sb_gql_typeref *t, struct sb_arena *a);

/* ------------------------------------------------------------------ a request */

/* Parses one executable document (no type system definitions). SB_OK, or
 * SB_EINVALID_QUERY with one error appended (the first syntax error, with its line and
 * column), or SB_ENOMEM. limits NULL: sb_gql_default_limits. */
sb_err sb_gql_parse(const char *text, size_t len, const struct sb_gql_limits *limits,
                    struct sb_arena *a, json_t *errors, struct sb_gql_document **ret);

/* Validates a parsed document against the schema (the rules listed in validate.c).
 * SB_OK, or SB_EINVALID_QUERY with every error found appended, or SB_ENOMEM. */
sb_err sb_gql_validate(const struct sb_gql_schema *s, const struct sb_gql_document *doc,
                       const struct sb_gql_limits *limits, struct sb_arena *a, json_t *errors);

/* The operation to run: the one named (NULL or "": the only one). SB_EINVALID_QUERY with
 * an error appended when there is no such operation, or several and no name. */
sb_err sb_gql_operation(const struct sb_gql_document *doc, const char *name, json_t *errors,
                        const struct sb_gql_operation **ret);

/* Coerces the variables given (a JSON object, or NULL: none) to the operation's
 * declarations, defaults applied: *ret a new object holding each variable given or
 * defaulted. SB_EINVALID_QUERY with an INVALID_VARIABLE error per variable refused. */
sb_err sb_gql_coerce_variables(const struct sb_gql_schema *s, const struct sb_gql_operation *op,
                               json_t *given, struct sb_arena *a, json_t *errors, json_t **ret);

/* The requested cost of a valid operation by Shopify's documented rules (cost.c says
 * which); variables are the coerced ones. SB_EINVALID_QUERY with an error appended when
 * the walk exceeds SB_GQL_MAX_VISITS. */
sb_err sb_gql_cost(const struct sb_gql_schema *s, const struct sb_gql_document *doc,
                   const struct sb_gql_operation *op, json_t *variables, json_t *errors,
                   int64_t *ret);
/* Appends Shopify's MAX_COST_EXCEEDED error for a query of this cost. */
void sb_gql_cost_error(json_t *errors, int64_t cost, int64_t max_cost);

/* A request made ready to run: parsed, valid, its operation chosen, its variables
 * coerced, its cost known. The document lives in the arena; variables are released with
 * the arena. */
struct sb_gql_request {
    const struct sb_gql_schema *schema;
    const struct sb_gql_document *doc;
    const struct sb_gql_operation *op;
    json_t *variables;
    int64_t cost;
};
/* The five steps above. SB_OK, or SB_EINVALID_QUERY with the errors appended (nothing is
 * to be executed), or SB_ENOMEM. */
sb_err sb_gql_prepare(const struct sb_gql_schema *s, const char *text, size_t len,
                      const char *operation_name, json_t *variables,
                      const struct sb_gql_limits *limits, struct sb_arena *a, json_t *errors,
                      struct sb_gql_request *ret);

/* ------------------------------------------------------------------ execution */

/* What a resolver says went wrong with one field: the field is null in the answer and an
 * error names it (path and location filled in by the executor). */
struct sb_gql_field_error {
    const char *message;
    const char *code; /* extensions.code, or NULL: none */
};

/* One field to resolve. */
struct sb_gql_field_call {
    const struct sb_gql_schema *schema;
    const struct sb_gql_type *parent_type; /* the parent's object type */
    const struct sb_gql_field *field;
    json_t *parent;           /* the parent's value (borrowed) */
    json_t *args;             /* coerced arguments (borrowed): those given or defaulted */
    const char *response_key; /* the alias, or the field's name */
    enum sb_gql_op_kind op;   /* the operation's kind */
    struct sb_arena *arena;   /* the request's */
};

enum sb_gql_outcome {
    SB_GQL_DEFAULT, /* the parent's member named like the field (absent: null) */
    SB_GQL_VALUE,   /* *ret: a new reference; NULL or JSON null for null */
    SB_GQL_ERROR,   /* *ret_error says why */
};

/*
 * What the simulation implements. resolve is asked for every field (NULL: default
 * resolution everywhere); a value is a JSON value: a scalar or an enum name for leaves,
 * an object whose members are resolved in turn for objects, an array for lists. A
 * connection is an object with edges, nodes and pageInfo: sb_gql_connection builds one.
 * type_of names the object type of a value whose field is an interface or a union (NULL,
 * or a NULL answer: the value's "__typename" member).
 */
struct sb_gql_resolver {
    enum sb_gql_outcome (*resolve)(void *ud, const struct sb_gql_field_call *call, json_t **ret,
                                   struct sb_gql_field_error *ret_error);
    const char *(*type_of)(void *ud, const struct sb_gql_type *abstract, json_t *value);
    void *ud;
};

/* Runs a prepared request: *ret_data the "data" object (NULL when an error reached the
 * root through non-null fields); field errors appended. SB_ENOMEM only. */
sb_err sb_gql_execute(const struct sb_gql_request *req, const struct sb_gql_resolver *r,
                      struct sb_arena *a, json_t *errors, json_t **ret_data);

/* The actual cost of a request that ran, from its answer's data (cost.c says how): what
 * Shopify reports as actualQueryCost. 0 when data is not an object. */
sb_err sb_gql_actual_cost(const struct sb_gql_request *req, json_t *data, json_t *errors,
                          int64_t *ret);

/* ------------------------------------------------------------------ connections */

/* The paging arguments of a connection field (first, last, after, before, reverse). */
struct sb_gql_page {
    bool has_first, has_last;
    int64_t first, last;
    const char *after, *before; /* NULL: none */
    bool reverse;
};
#define SB_GQL_PAGE_MAX 250 /* Shopify's largest page */

/* Reads them from a call's coerced arguments. false, with Shopify's message in
 * *ret_error, when neither first nor last is given or one is out of 0..250. */
bool sb_gql_page_args(json_t *args, struct sb_gql_page *ret, struct sb_gql_field_error *ret_error);

/* The slice of n items (in order, item i with cursors[i]) a page asks for:
 * [*ret_from, *ret_to), and whether items lie beyond it on either side. A cursor not
 * among them counts as before the first (after) or past the last (before). */
void sb_gql_page_window(const struct sb_gql_page *p, const char *const *cursors, size_t n,
                        size_t *ret_from, size_t *ret_to, bool *ret_has_next, bool *ret_has_prev);

/* A connection's value from a slice of nodes (taken) and their cursors: {edges: [{cursor,
 * node}], nodes, pageInfo: {hasNextPage, hasPreviousPage, startCursor, endCursor}}. NULL:
 * no memory. */
json_t *sb_gql_connection(json_t *nodes, const char *const *cursors, bool has_next, bool has_prev);

#endif
