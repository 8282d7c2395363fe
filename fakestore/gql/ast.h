/*
 * The parse tree of a GraphQL executable document (parse.c builds it in an
 * arena): operations, fragments, selections, arguments and literal values,
 * each with the line and column it starts at, as error messages need them.
 * Arrays rather than linked lists: the validator and the executor walk them
 * many times.
 */
#ifndef SB_GQL_AST_H
#define SB_GQL_AST_H

#include <stdbool.h>
#include <stddef.h>

struct sb_gql_loc {
    unsigned line, col; /* 1-based; col counts characters, not bytes */
};

enum sb_gql_value_kind {
    SB_GQL_V_VARIABLE,
    SB_GQL_V_INT,
    SB_GQL_V_FLOAT,
    SB_GQL_V_STRING,
    SB_GQL_V_BOOLEAN,
    SB_GQL_V_NULL,
    SB_GQL_V_ENUM,
    SB_GQL_V_LIST,
    SB_GQL_V_OBJECT,
};

struct sb_gql_arg;

struct sb_gql_value {
    enum sb_gql_value_kind kind;
    struct sb_gql_loc loc;
    const char *text; /* variable or enum name, a number as written, a decoded string */
    size_t len;       /* of text (a string may hold NUL) */
    bool boolean;
    bool block;                  /* a block string """...""" */
    struct sb_gql_value **items; /* list */
    size_t n_items;
    struct sb_gql_arg *fields; /* object */
    size_t n_fields;
};

/* An argument, or a field of an object literal. */
struct sb_gql_arg {
    const char *name;
    struct sb_gql_loc loc;
    struct sb_gql_value *value;
};

struct sb_gql_directive {
    const char *name;
    struct sb_gql_loc loc;
    struct sb_gql_arg *args;
    size_t n_args;
};

/* A type as written in a variable definition. */
enum sb_gql_type_form {
    SB_GQL_NAMED,
    SB_GQL_LIST,
    SB_GQL_NON_NULL,
};

struct sb_gql_type_ast {
    enum sb_gql_type_form form;
    const char *name; /* SB_GQL_NAMED */
    const struct sb_gql_type_ast *of;
    struct sb_gql_loc loc;
};

enum sb_gql_selection_kind {
    SB_GQL_FIELD,
    SB_GQL_SPREAD,
    SB_GQL_INLINE,
};

struct sb_gql_selset;

struct sb_gql_selection {
    enum sb_gql_selection_kind kind;
    struct sb_gql_loc loc;
    const char *alias;     /* a field's, or NULL */
    const char *name;      /* the field's, or the spread fragment's */
    const char *type_cond; /* an inline fragment's type condition, or NULL */
    struct sb_gql_arg *args;
    size_t n_args;
    struct sb_gql_directive *dirs;
    size_t n_dirs;
    const struct sb_gql_selset *selset; /* NULL: none (a leaf field, a spread) */
};

struct sb_gql_selset {
    struct sb_gql_loc loc;
    struct sb_gql_selection *items;
    size_t n;
};

struct sb_gql_vardef {
    const char *name;
    struct sb_gql_loc loc;
    const struct sb_gql_type_ast *type;
    const struct sb_gql_value *default_value; /* NULL: none */
    struct sb_gql_directive *dirs;
    size_t n_dirs;
};

enum sb_gql_op_kind {
    SB_GQL_QUERY,
    SB_GQL_MUTATION,
    SB_GQL_SUBSCRIPTION,
};

struct sb_gql_operation {
    enum sb_gql_op_kind kind;
    const char *name; /* NULL: anonymous */
    struct sb_gql_loc loc;
    struct sb_gql_vardef *vars;
    size_t n_vars;
    struct sb_gql_directive *dirs;
    size_t n_dirs;
    const struct sb_gql_selset *selset;
};

struct sb_gql_fragment {
    const char *name;
    struct sb_gql_loc loc;
    const char *type_cond;
    struct sb_gql_loc type_loc;
    struct sb_gql_directive *dirs;
    size_t n_dirs;
    const struct sb_gql_selset *selset;
};

struct sb_gql_document {
    struct sb_gql_operation *ops;
    size_t n_ops;
    struct sb_gql_fragment *frags;
    size_t n_frags;
    size_t n_tokens;
};

/* The fragment of that name, or NULL (the first one when names repeat). */
const struct sb_gql_fragment *sb_gql_document_fragment(const struct sb_gql_document *doc,
                                                       const char *name);

#endif
