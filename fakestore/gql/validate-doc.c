/*
 * The validation rules that look at the document as a whole, after validate.c
 * has walked every definition and recorded where fragments are spread and
 * variables used (graphql-ruby's names and messages):
 *
 *   - "Operation name \"x\" must be unique", "Operation name is required when multiple
 *     operations are present" (uniquelyNamedOperations) - OperationNamesAreValid;
 *   - "Fragment name \"F\" must be unique" (fragmentNotUnique) - FragmentNamesAreUnique;
 *   - "Fragment F was used, but not defined", "Fragment F was defined, but not used"
 *     (useAndDefineFragment) - FragmentsAreUsed;
 *   - "Fragment F contains an infinite loop" (infiniteLoop) - FragmentsAreFinite;
 *   - "Variable $x is used by Q but not declared" (variableNotDefined), "Variable $x is
 *     declared by Q but not used" (variableNotUsed), following fragment spreads -
 *     VariablesAreUsedAndDefined; and each use against its declaration
 *     (VariableUsagesAreAllowed, validate-args.c);
 *   - "Query has depth of N, which exceeds max depth of M" (graphql-ruby's MaxQueryDepth
 *     analysis), fragments expanded, when the document is otherwise valid;
 *
 * and fields that must merge (spec 5.3.2, FieldsWillMerge): two fields of one
 * selection set under the same response key must be the same field with the
 * same arguments ("Field 'a' has a field conflict: order or shop?",
 * "... an argument conflict: {first: 1} or {first: 2}?", fieldConflict) unless
 * their parents are distinct object types, and have compatible return types
 * ("... a return_type conflict: `String` or `Int`?"), their sub-selections
 * compared the same way. That comparison has a budget (merge_budget pairs per
 * document) so that a hostile document cannot make it quadratic without end.
 */
#include "gql/validate.h"

#include <stdlib.h>
#include <string.h>

static const char *op_label(struct validator *v, const struct sb_gql_operation *op)
{
    static const char *const words[] = { "query", "mutation", "subscription" };
    const char *r = op->name ? op->name : sb_arena_printf(v->a, "anonymous %s", words[op->kind]);
    if (!r)
        v_oom(v);
    return r ? r : "";
}

static void unique_definitions(struct validator *v)
{
    const struct sb_gql_document *doc = v->doc;
    for (size_t i = 0; i < doc->n_ops; i++) {
        const struct sb_gql_operation *op = &doc->ops[i];
        if (!op->name) {
            if (doc->n_ops > 1)
                gql_error(&v->errs, &op->loc, json_array(),
                          gql_ext(&v->errs, "uniquelyNamedOperations", NULL),
                          "Operation name is required when multiple operations are present");
            continue;
        }
        size_t first = 0;
        while (!doc->ops[first].name || strcmp(doc->ops[first].name, op->name) != 0)
            first++;
        if (first != i)
            continue;
        json_t *err = NULL;
        for (size_t k = i + 1; k < doc->n_ops; k++) {
            if (!doc->ops[k].name || strcmp(doc->ops[k].name, op->name) != 0)
                continue;
            if (!err && !(err = gql_error(&v->errs, &op->loc, json_array(),
                                          gql_ext(&v->errs, "uniquelyNamedOperations",
                                                  "operationName", op->name, NULL),
                                          "Operation name \"%s\" must be unique", op->name)))
                break;
            gql_error_loc(&v->errs, err, &doc->ops[k].loc);
        }
    }
    for (size_t i = 0; i < doc->n_frags; i++) {
        const struct sb_gql_fragment *f = &doc->frags[i];
        size_t first = 0;
        while (strcmp(doc->frags[first].name, f->name) != 0)
            first++;
        if (first != i)
            continue;
        json_t *err = NULL;
        for (size_t k = i + 1; k < doc->n_frags; k++) {
            if (strcmp(doc->frags[k].name, f->name) != 0)
                continue;
            if (!err && !(err = gql_error(
                              &v->errs, &f->loc, json_array(),
                              gql_ext(&v->errs, "fragmentNotUnique", "fragmentName", f->name, NULL),
                              "Fragment name \"%s\" must be unique", f->name)))
                break;
            gql_error_loc(&v->errs, err, &doc->frags[k].loc);
        }
    }
}

/* The definition a spread leads to, or NULL when no fragment has that name. */
static struct definition *target(struct validator *v, const struct spread *sp)
{
    size_t idx;
    return v_fragment(v, sp->name, &idx) ? &v->defs[v->doc->n_ops + idx] : NULL;
}

static json_t *fragment_path(struct validator *v, const struct sb_gql_fragment *f)
{
    json_t *p = json_pack("[s+]", "fragment ", f->name);
    if (!p)
        v_oom(v);
    return p;
}

static void reach(struct validator *v, struct definition *d)
{
    if (d->reached)
        return;
    d->reached = true;
    for (size_t i = 0; i < d->n_spreads; i++) {
        struct definition *t = target(v, &d->spreads[i]);
        if (t)
            reach(v, t);
    }
}

/* Tarjan's strongly connected components over the fragments. */
static void strong(struct validator *v, struct definition *d, int *counter,
                   struct definition **stack, size_t *sp)
{
    d->index = d->low = ++*counter;
    stack[(*sp)++] = d;
    d->on_stack = true;
    for (size_t i = 0; i < d->n_spreads; i++) {
        struct definition *t = target(v, &d->spreads[i]);
        if (!t)
            continue;
        if (t == d)
            d->cyclic = true;
        if (!t->index) {
            strong(v, t, counter, stack, sp);
            if (t->low < d->low)
                d->low = t->low;
        } else if (t->on_stack && t->index < d->low) {
            d->low = t->index;
        }
    }
    if (d->low == d->index) {
        size_t start = *sp;
        do
            start--;
        while (stack[start] != d);
        for (size_t k = start; k < *sp; k++) {
            stack[k]->on_stack = false;
            if (*sp - start > 1)
                stack[k]->cyclic = true;
        }
        *sp = start;
    }
}

static void fragment_rules(struct validator *v)
{
    const struct sb_gql_document *doc = v->doc;
    size_t n_defs = doc->n_ops + doc->n_frags;
    for (size_t i = 0; i < n_defs; i++) {
        for (size_t k = 0; k < v->defs[i].n_spreads; k++) {
            const struct spread *sp = &v->defs[i].spreads[k];
            if (!target(v, sp))
                gql_error(&v->errs, &sp->loc, v_path_json(v, &sp->path),
                          gql_ext(&v->errs, "useAndDefineFragment", "fragmentName", sp->name, NULL),
                          "Fragment %s was used, but not defined", sp->name);
        }
    }
    for (size_t i = 0; i < doc->n_ops; i++)
        reach(v, &v->defs[i]);
    for (size_t i = 0; i < doc->n_frags; i++) {
        const struct sb_gql_fragment *f = &doc->frags[i];
        if (!v->defs[doc->n_ops + i].reached)
            gql_error(&v->errs, &f->loc, fragment_path(v, f),
                      gql_ext(&v->errs, "useAndDefineFragment", "fragmentName", f->name, NULL),
                      "Fragment %s was defined, but not used", f->name);
    }
    struct definition **stack = sb_arena_alloc(v->a, (doc->n_frags + 1) * sizeof(*stack));
    if (!stack) {
        v_oom(v);
        return;
    }
    int counter = 0;
    size_t sp = 0;
    for (size_t i = 0; i < doc->n_frags; i++)
        if (!v->defs[doc->n_ops + i].index)
            strong(v, &v->defs[doc->n_ops + i], &counter, stack, &sp);
    for (size_t i = 0; i < doc->n_frags; i++) {
        const struct sb_gql_fragment *f = &doc->frags[i];
        if (v->defs[doc->n_ops + i].cyclic)
            gql_error(&v->errs, &f->loc, fragment_path(v, f),
                      gql_ext(&v->errs, "infiniteLoop", "fragmentName", f->name, NULL),
                      "Fragment %s contains an infinite loop", f->name);
    }
}

/* The definitions an operation reaches, each once: mark == stamp. */
static void visit_uses(struct validator *v, struct definition *d, int stamp,
                       const struct sb_gql_operation *op, bool *used, const char ***undeclared,
                       size_t *n_undeclared)
{
    if (d->mark == stamp)
        return;
    d->mark = stamp;
    for (size_t i = 0; i < d->n_usages; i++) {
        const struct usage *u = &d->usages[i];
        size_t k = 0;
        while (k < op->n_vars && strcmp(op->vars[k].name, u->name) != 0)
            k++;
        if (k < op->n_vars) {
            used[k] = true;
            v_variable_usage(v, op, &op->vars[k], u);
            continue;
        }
        size_t r = 0;
        while (r < *n_undeclared && strcmp((*undeclared)[r], u->name) != 0)
            r++;
        if (r < *n_undeclared)
            continue;
        const char **more = sb_arena_alloc(v->a, (*n_undeclared + 1) * sizeof(*more));
        if (!more) {
            v_oom(v);
            return;
        }
        if (*n_undeclared)
            memcpy(more, *undeclared, *n_undeclared * sizeof(*more));
        more[(*n_undeclared)++] = u->name;
        *undeclared = more;
        gql_error(&v->errs, &u->loc, v_path_json(v, &u->path),
                  gql_ext(&v->errs, "variableNotDefined", "variableName", u->name, NULL),
                  "Variable $%s is used by %s but not declared", u->name, op_label(v, op));
    }
    for (size_t i = 0; i < d->n_spreads; i++) {
        struct definition *t = target(v, &d->spreads[i]);
        if (t)
            visit_uses(v, t, stamp, op, used, undeclared, n_undeclared);
    }
}

static void variable_rules(struct validator *v)
{
    static const char *const words[] = { "query", "mutation", "subscription" };
    for (size_t i = 0; i < v->doc->n_ops; i++) {
        const struct sb_gql_operation *op = &v->doc->ops[i];
        bool *used = sb_arena_alloc(v->a, (op->n_vars + 1) * sizeof(*used));
        const char **undeclared = NULL;
        size_t n_undeclared = 0;
        if (!used) {
            v_oom(v);
            return;
        }
        visit_uses(v, &v->defs[i], (int)i + 1, op, used, &undeclared, &n_undeclared);
        for (size_t k = 0; k < op->n_vars; k++) {
            if (used[k])
                continue;
            json_t *path = op->name ? json_pack("[s++]", words[op->kind], " ", op->name)
                                    : json_pack("[s]", words[op->kind]);
            gql_error(&v->errs, &op->vars[k].loc, path,
                      gql_ext(&v->errs, "variableNotUsed", "variableName", op->vars[k].name, NULL),
                      "Variable $%s is declared by %s but not used", op->vars[k].name,
                      op_label(v, op));
        }
    }
}

/* ------------------------------------------------------------------ depth */

static int selset_depth(struct validator *v, const struct sb_gql_selset *ss);

static int fragment_depth(struct validator *v, const char *name)
{
    size_t idx;
    const struct sb_gql_fragment *f = v_fragment(v, name, &idx);
    if (!f)
        return 0;
    struct definition *d = &v->defs[v->doc->n_ops + idx];
    if (d->depth == -2)
        return 0; /* a cycle, reported already */
    if (d->depth < 0) {
        d->depth = -2;
        d->depth = selset_depth(v, f->selset);
    }
    return d->depth;
}

static int selset_depth(struct validator *v, const struct sb_gql_selset *ss)
{
    int max = 0;
    for (size_t i = 0; i < ss->n; i++) {
        const struct sb_gql_selection *s = &ss->items[i];
        int d = s->kind == SB_GQL_FIELD    ? 1 + (s->selset ? selset_depth(v, s->selset) : 0)
                : s->kind == SB_GQL_INLINE ? selset_depth(v, s->selset)
                                           : fragment_depth(v, s->name);
        if (d > max)
            max = d;
    }
    return max;
}

static void depth_rule(struct validator *v)
{
    for (size_t i = 0; i < v->doc->n_ops; i++) {
        int depth = selset_depth(v, v->doc->ops[i].selset);
        if (depth > (int)v->lim->max_depth)
            gql_error(&v->errs, &gql_no_locations, NULL, NULL,
                      "Query has depth of %d, which exceeds max depth of %u", depth,
                      v->lim->max_depth);
    }
}

void v_document_rules(struct validator *v)
{
    unique_definitions(v);
    fragment_rules(v);
    variable_rules(v);
    if (!v->errs.count)
        depth_rule(v);
}

/* ------------------------------------------------------------------ fields that must merge */

struct mfield {
    size_t order; /* document order, for a stable sort */
    const char *key;
    const struct sb_gql_selection *sel;
    const struct sb_gql_type *parent;
    const struct sb_gql_field *def;
};

struct mlist {
    struct mfield *items;
    size_t n, cap;
};

struct reported {
    const char *key;
    const char *kind;
    json_t *error;
};

struct merge {
    struct validator *v;
    struct reported seen[16];
    size_t n_seen;
};

/* graphql-ruby's collect_fields: fields and inline fragments in order, then named
 * fragments (deferred), each once. */
static void collect(struct validator *v, const struct sb_gql_selset *ss,
                    const struct sb_gql_type *parent, struct mlist *out, unsigned depth)
{
    if (depth > v->lim->max_depth)
        return;
    for (size_t i = 0; i < ss->n; i++) {
        const struct sb_gql_selection *s = &ss->items[i];
        if (s->kind == SB_GQL_FIELD) {
            if (out->n == out->cap) {
                size_t cap = out->cap ? out->cap * 2 : 8;
                struct mfield *items = sb_arena_alloc(v->a, cap * sizeof(*items));
                if (!items) {
                    v_oom(v);
                    return;
                }
                if (out->n)
                    memcpy(items, out->items, out->n * sizeof(*items));
                out->items = items;
                out->cap = cap;
            }
            out->items[out->n] = (struct mfield){
                .order = out->n,
                .key = s->alias ? s->alias : s->name,
                .sel = s,
                .parent = parent,
                .def = parent ? sb_gql_type_field(v->s, parent, s->name) : NULL,
            };
            out->n++;
        } else if (s->kind == SB_GQL_INLINE) {
            const struct sb_gql_type *t =
                s->type_cond ? sb_gql_schema_type(v->s, s->type_cond) : parent;
            if (t && gql_is_composite(t))
                collect(v, s->selset, t, out, depth + 1);
        }
    }
    for (size_t i = 0; i < ss->n; i++) {
        const struct sb_gql_selection *s = &ss->items[i];
        size_t idx;
        const struct sb_gql_fragment *f;
        if (s->kind != SB_GQL_SPREAD || !(f = v_fragment(v, s->name, &idx)) ||
            v->frag_stamp[idx] == v->stamp)
            continue;
        v->frag_stamp[idx] = v->stamp;
        const struct sb_gql_type *t = sb_gql_schema_type(v->s, f->type_cond);
        if (t && gql_is_composite(t))
            collect(v, f->selset, t, out, depth + 1);
    }
}

static bool same_value(const struct sb_gql_value *a, const struct sb_gql_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case SB_GQL_V_BOOLEAN:
        return a->boolean == b->boolean;
    case SB_GQL_V_NULL:
        return true;
    case SB_GQL_V_LIST:
        if (a->n_items != b->n_items)
            return false;
        for (size_t i = 0; i < a->n_items; i++)
            if (!same_value(a->items[i], b->items[i]))
                return false;
        return true;
    case SB_GQL_V_OBJECT:
        if (a->n_fields != b->n_fields)
            return false;
        for (size_t i = 0; i < a->n_fields; i++)
            if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
                !same_value(a->fields[i].value, b->fields[i].value))
                return false;
        return true;
    default:
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
    }
}

static bool same_args(const struct sb_gql_selection *a, const struct sb_gql_selection *b)
{
    if (a->n_args != b->n_args)
        return false;
    for (size_t i = 0; i < a->n_args; i++) {
        size_t k = 0;
        while (k < b->n_args && strcmp(b->args[k].name, a->args[i].name) != 0)
            k++;
        if (k == b->n_args || !same_value(a->args[i].value, b->args[k].value))
            return false;
    }
    return true;
}

static void print_args(struct gql_buf *b, const struct sb_gql_selection *s)
{
    gql_buf_add(b, "{", 1);
    for (size_t i = 0; i < s->n_args; i++) {
        if (i)
            gql_buf_add(b, ", ", 2);
        gql_buf_add(b, s->args[i].name, strlen(s->args[i].name));
        gql_buf_add(b, ": ", 2);
        gql_print_value(b, s->args[i].value);
    }
    gql_buf_add(b, "}", 1);
}

/* graphql-ruby's return_types_conflict? */
static bool types_conflict(const struct sb_gql_typeref *a, const struct sb_gql_typeref *b)
{
    for (;;) {
        if ((a->form == SB_GQL_LIST) != (b->form == SB_GQL_LIST) ||
            (a->form == SB_GQL_NON_NULL) != (b->form == SB_GQL_NON_NULL))
            return true;
        if (a->form == SB_GQL_NAMED)
            return gql_is_leaf(a->named) && gql_is_leaf(b->named) && a->named != b->named;
        a = a->of;
        b = b->of;
    }
}

static void conflict(struct merge *m, const char *kind, const char *key, const char *one,
                     const char *two, const struct mfield *a, const struct mfield *b)
{
    struct validator *v = m->v;
    for (size_t i = 0; i < m->n_seen; i++) {
        if (strcmp(m->seen[i].key, key) == 0 && strcmp(m->seen[i].kind, kind) == 0) {
            gql_error_loc(&v->errs, m->seen[i].error, &b->sel->loc);
            return;
        }
    }
    const char *conflicts = sb_arena_printf(v->a, "%s or %s", one, two);
    if (!conflicts) {
        v_oom(v);
        return;
    }
    json_t *ext =
        gql_ext(&v->errs, "fieldConflict", "fieldName", key, "conflicts", conflicts, NULL);
    json_t *err =
        gql_error(&v->errs, &a->sel->loc, json_array(), ext, "Field '%s' has %s %s conflict: %s?",
                  key, strcmp(kind, "argument") == 0 ? "an" : "a", kind, conflicts);
    if (!err)
        return;
    gql_error_loc(&v->errs, err, &b->sel->loc);
    if (m->n_seen < sizeof(m->seen) / sizeof(m->seen[0]))
        m->seen[m->n_seen++] = (struct reported){ key, kind, err };
}

static void compare_lists(struct merge *m, const struct mlist *x, const struct mlist *y,
                          bool exclusive, unsigned depth);

static void find_conflict(struct merge *m, const struct mfield *a, const struct mfield *b,
                          bool exclusive, unsigned depth)
{
    struct validator *v = m->v;
    /* depth: cyclic fragments would otherwise lead the comparison round and round */
    if (!v->merge_budget || !a->def || !b->def || a->sel == b->sel || depth > v->lim->max_depth)
        return;
    v->merge_budget--;
    bool excl = exclusive || (a->parent != b->parent && a->parent->kind == SB_GQL_OBJECT &&
                              b->parent->kind == SB_GQL_OBJECT);
    bool field_conflict = false;
    if (!excl && strcmp(a->sel->name, b->sel->name) != 0) {
        conflict(m, "field", a->key, a->sel->name, b->sel->name, a, b);
        field_conflict = true;
    } else if (!excl && !same_args(a->sel, b->sel)) {
        struct gql_buf one = { .len = 0 }, two = { .len = 0 };
        one.text[0] = two.text[0] = '\0';
        print_args(&one, a->sel);
        print_args(&two, b->sel);
        conflict(m, "argument", a->key, one.text, two.text, a, b);
    }
    if (!field_conflict && a->def != b->def && types_conflict(a->def->type, b->def->type)) {
        const char *one = sb_gql_typeref_text(a->def->type, v->a);
        const char *two = sb_gql_typeref_text(b->def->type, v->a);
        const char *q1 = one ? sb_arena_printf(v->a, "`%s`", one) : NULL;
        const char *q2 = two ? sb_arena_printf(v->a, "`%s`", two) : NULL;
        if (q1 && q2)
            conflict(m, "return_type", a->key, q1, q2, a, b);
        else
            v_oom(v);
    }
    if (a->sel->selset && b->sel->selset) {
        struct mlist x = { .n = 0 }, y = { .n = 0 };
        v->stamp++;
        collect(v, a->sel->selset, sb_gql_typeref_named(a->def->type), &x, 0);
        v->stamp++;
        collect(v, b->sel->selset, sb_gql_typeref_named(b->def->type), &y, 0);
        compare_lists(m, &x, &y, excl, depth + 1);
    }
}

static void compare_lists(struct merge *m, const struct mlist *x, const struct mlist *y,
                          bool exclusive, unsigned depth)
{
    /* every comparison spends the budget, not only those that match: two large
     * sub-selections would otherwise cost their product for free */
    for (size_t i = 0; i < x->n && m->v->merge_budget; i++)
        for (size_t k = 0; k < y->n && m->v->merge_budget; k++) {
            m->v->merge_budget--;
            if (strcmp(x->items[i].key, y->items[k].key) == 0)
                find_conflict(m, &x->items[i], &y->items[k], exclusive, depth);
        }
}

static int by_key(const void *a, const void *b)
{
    const struct mfield *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

void v_fields_merge(struct validator *v, const struct sb_gql_selset *ss,
                    const struct sb_gql_type *parent)
{
    if (!v->merge_budget)
        return;
    struct mlist list = { .n = 0 };
    struct merge m = { .v = v };
    v->stamp++;
    collect(v, ss, parent, &list, 0);
    if (list.n < 2)
        return;
    qsort(list.items, list.n, sizeof(*list.items), by_key);
    for (size_t i = 0; i < list.n && v->merge_budget;) {
        size_t j = i + 1;
        while (j < list.n && strcmp(list.items[j].key, list.items[i].key) == 0)
            j++;
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j; b++)
                find_conflict(&m, &list.items[a], &list.items[b], false, 0);
        i = j;
    }
}
