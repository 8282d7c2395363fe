/*
 * The validator's state, shared by its three files: validate.c walks the
 * document (fields, fragments, selections), validate-args.c checks arguments,
 * input objects, directives and variables where they are used, and
 * validate-doc.c the rules over the whole document (names, fragment use and
 * cycles, variables declared and used, depth, fields that must merge).
 */
#ifndef SB_GQL_VALIDATE_H
#define SB_GQL_VALIDATE_H

#include "gql/internal.h"

/* One step of an error's "path": graphql-ruby's names for where the walk is ("query
 * SbOrders", a field's response key, "... on Order", "fragment F", an argument's name,
 * a list index). */
struct vstep {
    const char *name; /* NULL: index */
    long index;
};

struct vpath {
    struct vstep *steps;
    unsigned n, cap;
};

/* Where a variable is used: what the rules over the whole document need. */
struct usage {
    const char *name;
    struct sb_gql_loc loc;
    struct vpath path;                     /* a copy */
    const struct sb_gql_typeref *loc_type; /* the type expected where it stands */
    bool loc_default;                      /* that position has a default value */
    /* the argument (or input field) it stands in, for messages */
    const char *arg_name;
    struct sb_gql_loc arg_loc;
    const struct sb_gql_typeref *arg_type;
    unsigned list_wrap; /* list literals between the argument and the variable */
};

struct spread {
    const char *name;
    struct sb_gql_loc loc;
    struct vpath path;
};

/* An operation or a fragment definition: what it uses. */
struct definition {
    struct usage *usages;
    size_t n_usages, cap_usages;
    struct spread *spreads;
    size_t n_spreads, cap_spreads;
    /* for the graph walks of validate-doc.c */
    int mark;
    int index, low; /* Tarjan's */
    bool on_stack, cyclic, reached;
    int depth; /* expanded depth, -1: not known yet */
};

struct validator {
    const struct sb_gql_schema *s;
    const struct sb_gql_document *doc;
    const struct sb_gql_limits *lim;
    struct sb_arena *a;
    struct gql_errors errs;
    struct vpath path;
    struct definition *defs; /* doc->n_ops operations, then doc->n_frags fragments */
    struct definition *cur;  /* the definition being walked */
    /* fields-will-merge */
    unsigned *frag_stamp, stamp;
    size_t merge_budget;
};

/* validate.c */
void v_push(struct validator *v, const char *name);
void v_push_index(struct validator *v, long index);
void v_pop(struct validator *v);
/* The current path as JSON (or a saved one). */
json_t *v_path_json(struct validator *v, const struct vpath *p);
struct vpath v_path_copy(struct validator *v);
void v_oom(struct validator *v);
const struct sb_gql_fragment *v_fragment(struct validator *v, const char *name, size_t *ret_index);

/* validate-args.c */
/* Checks the arguments of a field or directive: kind is "Field" or "Directive",
 * owner the field's response key or the directive's name, at the node's location. */
void v_arguments(struct validator *v, const char *kind, const char *owner,
                 const struct sb_gql_loc *owner_loc, const struct sb_gql_input_value *defs,
                 size_t n_defs, const struct sb_gql_arg *args, size_t n_args);
/* Required arguments given (graphql-ruby's "Field 'x' is missing required arguments: a"). */
void v_required_arguments(struct validator *v, const char *kind, const char *name,
                          const struct sb_gql_loc *loc, const struct sb_gql_input_value *defs,
                          size_t n_defs, const struct sb_gql_arg *args, size_t n_args);
/* The directives on a node, standing at location (SB_GQL_LOC_*). */
void v_directives(struct validator *v, const struct sb_gql_directive *dirs, size_t n,
                  unsigned location);
/* An operation's variable definitions. */
void v_variable_definitions(struct validator *v, const struct sb_gql_operation *op);
/* A variable's use against its declaration (IsVariableUsageAllowed, spec 5.8.5). */
void v_variable_usage(struct validator *v, const struct sb_gql_operation *op,
                      const struct sb_gql_vardef *def, const struct usage *u);

/* validate-doc.c */
void v_document_rules(struct validator *v);
/* Fields of one selection set that share a response key can merge (spec 5.3.2). */
void v_fields_merge(struct validator *v, const struct sb_gql_selset *ss,
                    const struct sb_gql_type *parent);

#endif
