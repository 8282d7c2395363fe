/*
 * CollectFields (spec 6.3.2), which the cost walk and the executor share: the
 * fields a set of selection sets asks of one object type, grouped by response
 * key in the order they first appear, with @skip and @include applied, each
 * fragment spread once, and fragments (named or inline) kept only when their
 * type condition applies to the object type. Every field collected spends one
 * unit of the request's visit budget: fragments can make a small document ask
 * for a great many fields, and the budget is what stops it.
 */
#include "gql/internal.h"

#include <stdlib.h>
#include <string.h>

struct flat {
    const char *key;
    const struct sb_gql_selection *sel;
    size_t order;
};

struct state {
    const struct sb_gql_schema *s;
    const struct sb_gql_document *doc;
    const struct sb_gql_type *obj;
    json_t *vars;
    struct sb_arena *a;
    size_t *budget;
    struct flat *items;
    size_t n, cap;
    const char **visited;
    size_t n_visited, cap_visited;
    bool oom, over;
};

static bool grow(struct state *st, void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 8;
    void *more = sb_arena_alloc(st->a, c * size);
    if (!more) {
        st->oom = true;
        return false;
    }
    if (n)
        memcpy(more, *items, n * size);
    *items = more;
    *cap = c;
    return true;
}

static void walk(struct state *st, const struct sb_gql_selset *ss)
{
    for (size_t i = 0; i < ss->n && !st->oom && !st->over; i++) {
        const struct sb_gql_selection *sel = &ss->items[i];
        if (!gql_included(st->s, sel->dirs, sel->n_dirs, st->vars))
            continue;
        if (sel->kind == SB_GQL_FIELD) {
            if (!*st->budget) {
                st->over = true;
                return;
            }
            --*st->budget;
            if (!grow(st, (void **)&st->items, &st->cap, st->n, sizeof(*st->items)))
                return;
            st->items[st->n] = (struct flat){ sel->alias ? sel->alias : sel->name, sel, st->n };
            st->n++;
        } else if (sel->kind == SB_GQL_INLINE) {
            const struct sb_gql_type *t =
                sel->type_cond ? sb_gql_schema_type(st->s, sel->type_cond) : st->obj;
            if (t && gql_type_applies(t, st->obj))
                walk(st, sel->selset);
        } else {
            size_t k = 0;
            while (k < st->n_visited && strcmp(st->visited[k], sel->name) != 0)
                k++;
            if (k < st->n_visited)
                continue;
            if (!grow(st, (void **)&st->visited, &st->cap_visited, st->n_visited,
                      sizeof(*st->visited)))
                return;
            st->visited[st->n_visited++] = sel->name;
            const struct sb_gql_fragment *f = sb_gql_document_fragment(st->doc, sel->name);
            const struct sb_gql_type *t = f ? sb_gql_schema_type(st->s, f->type_cond) : NULL;
            if (t && gql_type_applies(t, st->obj))
                walk(st, f->selset);
        }
    }
}

static int by_key(const void *a, const void *b)
{
    const struct flat *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_first(const void *a, const void *b)
{
    const struct gql_group *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

sb_err gql_collect(const struct sb_gql_schema *s, const struct sb_gql_document *doc,
                   const struct sb_gql_selset *const *selsets, size_t n_selsets,
                   const struct sb_gql_type *obj, json_t *vars, struct sb_arena *a, size_t *budget,
                   struct gql_fieldset *ret)
{
    struct state st = { .s = s, .doc = doc, .obj = obj, .vars = vars, .a = a, .budget = budget };
    for (size_t i = 0; i < n_selsets && !st.oom && !st.over; i++)
        walk(&st, selsets[i]);
    if (st.oom)
        return SB_ENOMEM;
    if (st.over)
        return SB_ETOO_LARGE;
    ret->groups = NULL;
    ret->n = 0;
    if (!st.n)
        return SB_OK;
    /* group by key: sorted (ties in document order), then back in first-seen order */
    qsort(st.items, st.n, sizeof(*st.items), by_key);
    size_t n_groups = 0;
    for (size_t i = 0; i < st.n; i++)
        n_groups += i == 0 || strcmp(st.items[i].key, st.items[i - 1].key) != 0;
    struct gql_group *g = sb_arena_alloc(a, n_groups * sizeof(*g));
    const struct sb_gql_selection **sels = sb_arena_alloc(a, st.n * sizeof(*sels));
    if (!g || !sels)
        return SB_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < st.n; i++) {
        if (i == 0 || strcmp(st.items[i].key, st.items[i - 1].key) != 0) {
            if (i)
                k++;
            g[k] = (struct gql_group){ .key = st.items[i].key,
                                       .sels = &sels[i],
                                       .order = st.items[i].order };
        }
        sels[i] = st.items[i].sel;
        g[k].n++;
    }
    qsort(g, n_groups, sizeof(*g), by_first);
    ret->groups = g;
    ret->n = n_groups;
    return SB_OK;
}

sb_err gql_subselections(const struct gql_group *g, struct sb_arena *a,
                         const struct sb_gql_selset ***ret, size_t *ret_n)
{
    const struct sb_gql_selset **sub = sb_arena_alloc(a, (g->n ? g->n : 1) * sizeof(*sub));
    if (!sub)
        return SB_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->sels[i]->selset)
            sub[n++] = g->sels[i]->selset;
    *ret = sub;
    *ret_n = n;
    return SB_OK;
}
