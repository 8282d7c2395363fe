/*
 * Validation of a document against the schema (spec section 5), with the
 * messages, codes and paths of graphql-ruby's static validation, which is what
 * Shopify answers with (lib/graphql/static_validation/rules/). This file
 * walks each operation and fragment definition in document order:
 *
 *   - fields exist on their parent type ("Field 'x' doesn't exist on type 'Order'",
 *     undefinedField; on a union: "Selections can't be made directly on unions",
 *     selectionMismatch) - FieldsAreDefinedOnType;
 *   - leaf fields have no selection set, composite ones have one ("Selections can't be
 *     made on scalars (...)", "Field must have selections (...)", selectionMismatch) -
 *     FieldsHaveAppropriateSelections;
 *   - fragment type conditions exist ("No such type X, so it can't be a fragment
 *     condition", undefinedType), are composite ("Invalid fragment on type X (must be
 *     Union, Interface or Object)", fragmentOnNonCompositeType) and can apply where they
 *     are spread ("Fragment F on X can't be spread inside Y", cannotSpreadFragment) -
 *     FragmentTypesExist, FragmentsAreOnCompositeTypes, FragmentSpreadsArePossible;
 *   - mutations and subscriptions need their root ("Schema is not configured for
 *     mutations") - MutationRootExists, SubscriptionRootExists;
 *
 * and hands arguments, directives and variables to validate-args.c, and the
 * whole-document rules to validate-doc.c. As in graphql-ruby, a field that
 * does not exist, or whose selections are wrong, is not looked into further.
 */
#include "gql/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void v_oom(struct validator *v)
{
    v->errs.oom = true;
}

void v_push(struct validator *v, const char *name)
{
    if (v->path.n == v->path.cap) {
        unsigned cap = v->path.cap ? v->path.cap * 2 : 32;
        struct vstep *steps = sb_arena_alloc(v->a, cap * sizeof(*steps));
        if (!steps) {
            v_oom(v);
            v->path.n++; /* keep pushes and pops paired; the steps are lost */
            return;
        }
        if (v->path.n)
            memcpy(steps, v->path.steps, v->path.n * sizeof(*steps));
        v->path.steps = steps;
        v->path.cap = cap;
    }
    v->path.steps[v->path.n++] = (struct vstep){ .name = name };
}

void v_push_index(struct validator *v, long index)
{
    v_push(v, NULL);
    if (v->path.n <= v->path.cap)
        v->path.steps[v->path.n - 1].index = index;
}

void v_pop(struct validator *v)
{
    v->path.n--;
}

json_t *v_path_json(struct validator *v, const struct vpath *p)
{
    if (!p)
        p = &v->path;
    json_t *j = json_array();
    for (unsigned i = 0; j && i < p->n && i < p->cap; i++) {
        const struct vstep *st = &p->steps[i];
        if (json_array_append_new(j, st->name ? json_string(st->name) : json_integer(st->index)))
            v_oom(v);
    }
    if (!j)
        v_oom(v);
    return j;
}

struct vpath v_path_copy(struct validator *v)
{
    struct vpath c = { .n = v->path.n, .cap = v->path.n };
    if (v->path.n && v->path.n <= v->path.cap) {
        if (!(c.steps = sb_arena_alloc(v->a, v->path.n * sizeof(*c.steps)))) {
            v_oom(v);
            c.n = c.cap = 0;
        } else {
            memcpy(c.steps, v->path.steps, v->path.n * sizeof(*c.steps));
        }
    }
    return c;
}

const struct sb_gql_fragment *v_fragment(struct validator *v, const char *name, size_t *ret_index)
{
    for (size_t i = 0; i < v->doc->n_frags; i++) {
        if (strcmp(v->doc->frags[i].name, name) == 0) {
            if (ret_index)
                *ret_index = i;
            return &v->doc->frags[i];
        }
    }
    return NULL;
}

static const char *kind_word(const struct sb_gql_type *t)
{
    return t->kind == SB_GQL_ENUM ? "enums" : "scalars";
}

static const char *printf_a(struct validator *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *printf_a(struct validator *v, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    const char *r = sb_arena_strdup(v->a, buf);
    if (!r)
        v_oom(v);
    return r ? r : "";
}

static void walk_selset(struct validator *v, const struct sb_gql_selset *ss,
                        const struct sb_gql_type *parent);

/* FieldsHaveAppropriateSelections: true when the field may be looked into. */
static bool selections_fit(struct validator *v, const struct sb_gql_selection *f,
                           const struct sb_gql_type *t)
{
    if (gql_is_leaf(t) && f->selset) {
        struct gql_buf sel = { .len = 0 };
        sel.text[0] = '\0';
        for (size_t i = 0; i < f->selset->n; i++) {
            const struct sb_gql_selection *s = &f->selset->items[i];
            if (i)
                gql_buf_add(&sel, ", ", 2);
            if (s->kind == SB_GQL_INLINE)
                gql_buf_addf(&sel, "\"... on %s { ... }\"", s->type_cond ? s->type_cond : "");
            else
                gql_buf_addf(&sel, "\"%s\"", s->name);
        }
        const char *node = printf_a(v, "field '%s'", f->name);
        gql_error(
            &v->errs, &f->loc, v_path_json(v, NULL),
            gql_ext(&v->errs, "selectionMismatch", "nodeName", node, "typeName", t->name, NULL),
            "Selections can't be made on %s (%s returns %s but has selections [%s])", kind_word(t),
            node, t->name, sel.text);
        return false;
    }
    if (!gql_is_leaf(t) && !f->selset) {
        const char *node = printf_a(v, "field '%s'", f->name);
        gql_error(
            &v->errs, &f->loc, v_path_json(v, NULL),
            gql_ext(&v->errs, "selectionMismatch", "nodeName", node, "typeName", t->name, NULL),
            "Field must have selections (%s returns %s but has no selections. Did you mean "
            "'%s { ... }'?)",
            node, t->name, f->name);
        return false;
    }
    return true;
}

static void walk_field(struct validator *v, const struct sb_gql_selection *f,
                       const struct sb_gql_type *parent)
{
    const char *key = f->alias ? f->alias : f->name;
    v_push(v, key);
    const struct sb_gql_field *def = sb_gql_type_field(v->s, parent, f->name);
    if (!def) {
        if (parent->kind == SB_GQL_UNION)
            gql_error(&v->errs, &f->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "selectionMismatch", "nodeName", parent->name, NULL),
                      "Selections can't be made directly on unions (see selections on %s)",
                      parent->name);
        else
            gql_error(&v->errs, &f->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "undefinedField", "typeName", parent->name, "fieldName",
                              f->name, NULL),
                      "Field '%s' doesn't exist on type '%s'", f->name, parent->name);
        v_pop(v);
        return;
    }
    const struct sb_gql_type *t = sb_gql_typeref_named(def->type);
    if (selections_fit(v, f, t)) {
        v_required_arguments(v, "Field", f->name, &f->loc, def->args, def->n_args, f->args,
                             f->n_args);
        v_arguments(v, "Field", key, &f->loc, def->args, def->n_args, f->args, f->n_args);
        v_directives(v, f->dirs, f->n_dirs, SB_GQL_LOC_FIELD);
        if (f->selset)
            walk_selset(v, f->selset, t);
    }
    v_pop(v);
}

/* FragmentSpreadsArePossible */
static void spread_possible(struct validator *v, const struct sb_gql_type *parent,
                            const struct sb_gql_type *child, const char *name,
                            const struct sb_gql_loc *loc)
{
    if (!gql_is_composite(child) || gql_types_overlap(parent, child))
        return;
    const char *frag = name ? printf_a(v, " %s", name) : "";
    gql_error(&v->errs, loc, v_path_json(v, NULL),
              gql_ext(&v->errs, "cannotSpreadFragment", "typeName", child->name, "fragmentName",
                      name ? frag : "unknown", "parentName", parent->name, NULL),
              "Fragment%s on %s can't be spread inside %s", frag, child->name, parent->name);
}

/* FragmentTypesExist, FragmentsAreOnCompositeTypes: the type, or NULL (reported). */
static const struct sb_gql_type *condition(struct validator *v, const char *name,
                                           const struct sb_gql_loc *loc)
{
    const struct sb_gql_type *t = sb_gql_schema_type(v->s, name);
    if (!t) {
        gql_error(&v->errs, loc, v_path_json(v, NULL),
                  gql_ext(&v->errs, "undefinedType", "typeName", name, NULL),
                  "No such type %s, so it can't be a fragment condition", name);
        return NULL;
    }
    if (!gql_is_composite(t)) {
        gql_error(&v->errs, loc, v_path_json(v, NULL),
                  gql_ext(&v->errs, "fragmentOnNonCompositeType", "typeName", name, NULL),
                  "Invalid fragment on type %s (must be Union, Interface or Object)", name);
        return NULL;
    }
    return t;
}

static void record_spread(struct validator *v, const struct sb_gql_selection *s)
{
    struct definition *d = v->cur;
    if (d->n_spreads == d->cap_spreads) {
        size_t cap = d->cap_spreads ? d->cap_spreads * 2 : 4;
        struct spread *sp = sb_arena_alloc(v->a, cap * sizeof(*sp));
        if (!sp) {
            v_oom(v);
            return;
        }
        if (d->n_spreads)
            memcpy(sp, d->spreads, d->n_spreads * sizeof(*sp));
        d->spreads = sp;
        d->cap_spreads = cap;
    }
    d->spreads[d->n_spreads++] = (struct spread){
        .name = s->name,
        .loc = s->loc,
        .path = v_path_copy(v),
    };
}

static void walk_selset(struct validator *v, const struct sb_gql_selset *ss,
                        const struct sb_gql_type *parent)
{
    v_fields_merge(v, ss, parent);
    for (size_t i = 0; i < ss->n; i++) {
        const struct sb_gql_selection *s = &ss->items[i];
        if (s->kind == SB_GQL_FIELD) {
            walk_field(v, s, parent);
        } else if (s->kind == SB_GQL_SPREAD) {
            v_push(v, printf_a(v, "... %s", s->name));
            record_spread(v, s);
            const struct sb_gql_fragment *frag = v_fragment(v, s->name, NULL);
            const struct sb_gql_type *ft = frag ? sb_gql_schema_type(v->s, frag->type_cond) : NULL;
            if (ft)
                spread_possible(v, parent, ft, s->name, &s->loc);
            v_directives(v, s->dirs, s->n_dirs, SB_GQL_LOC_FRAGMENT_SPREAD);
            v_pop(v);
        } else {
            v_push(v, s->type_cond ? printf_a(v, "... on %s", s->type_cond) : "...");
            const struct sb_gql_type *t =
                s->type_cond ? condition(v, s->type_cond, &s->loc) : parent;
            if (t) {
                spread_possible(v, parent, t, NULL, &s->loc);
                v_directives(v, s->dirs, s->n_dirs, SB_GQL_LOC_INLINE_FRAGMENT);
                walk_selset(v, s->selset, t);
            }
            v_pop(v);
        }
    }
}

static const char *const op_words[] = { "query", "mutation", "subscription" };

static void walk_operation(struct validator *v, const struct sb_gql_operation *op)
{
    const char *word = op_words[op->kind];
    v_push(v, op->name ? printf_a(v, "%s %s", word, op->name) : word);
    const struct sb_gql_type *root = sb_gql_schema_root(v->s, op->kind);
    if (!root) {
        gql_error(&v->errs, &op->loc, v_path_json(v, NULL),
                  gql_ext(&v->errs,
                          op->kind == SB_GQL_MUTATION ? "missingMutationConfiguration"
                                                      : "missingSubscriptionConfiguration",
                          NULL),
                  "Schema is not configured for %ss", word);
    } else if (op->kind == SB_GQL_SUBSCRIPTION && op->selset->n != 1) {
        gql_error(&v->errs, &op->loc, v_path_json(v, NULL),
                  gql_ext(&v->errs, "notSingleSubscription", NULL),
                  "A subscription operation may only have one selection");
    } else {
        static const unsigned locs[] = { SB_GQL_LOC_QUERY, SB_GQL_LOC_MUTATION,
                                         SB_GQL_LOC_SUBSCRIPTION };
        v_directives(v, op->dirs, op->n_dirs, locs[op->kind]);
        v_variable_definitions(v, op);
        walk_selset(v, op->selset, root);
    }
    v_pop(v);
}

static void walk_fragment(struct validator *v, const struct sb_gql_fragment *f)
{
    v_push(v, printf_a(v, "fragment %s", f->name));
    const struct sb_gql_type *t = condition(v, f->type_cond, &f->loc);
    if (t) {
        v_directives(v, f->dirs, f->n_dirs, SB_GQL_LOC_FRAGMENT_DEFINITION);
        walk_selset(v, f->selset, t);
    }
    v_pop(v);
}

sb_err sb_gql_validate(const struct sb_gql_schema *s, const struct sb_gql_document *doc,
                       const struct sb_gql_limits *limits, struct sb_arena *a, json_t *errors)
{
    struct validator v = {
        .s = s,
        .doc = doc,
        .lim = limits ? limits : &sb_gql_default_limits,
        .a = a,
        .errs = { .list = errors },
        .merge_budget = 20000,
    };
    size_t n_defs = doc->n_ops + doc->n_frags;
    v.defs = sb_arena_alloc(a, (n_defs ? n_defs : 1) * sizeof(*v.defs));
    v.frag_stamp = sb_arena_alloc(a, (doc->n_frags ? doc->n_frags : 1) * sizeof(*v.frag_stamp));
    if (!v.defs || !v.frag_stamp)
        return SB_ENOMEM;
    for (size_t i = 0; i < n_defs; i++)
        v.defs[i].depth = -1;
    /* in document order, as graphql-ruby visits: operations and fragments interleave in
     * the text, but each list keeps its order, and messages do not depend on which of two
     * definitions comes first */
    for (size_t i = 0; i < doc->n_ops; i++) {
        v.cur = &v.defs[i];
        walk_operation(&v, &doc->ops[i]);
    }
    for (size_t i = 0; i < doc->n_frags; i++) {
        v.cur = &v.defs[doc->n_ops + i];
        walk_fragment(&v, &doc->frags[i]);
    }
    v.cur = NULL;
    v_document_rules(&v);
    if (v.errs.oom)
        return SB_ENOMEM;
    return v.errs.count ? SB_EINVALID_QUERY : SB_OK;
}
