/*
 * A query's requested cost, by the rules Shopify documents for the Admin API
 * (shopify.dev, "API rate limits" / "GraphQL Admin API rate limits", and the
 * engineering post "Rate limiting GraphQL APIs by calculating query
 * complexity"): a scalar or an enum costs 0; an object 1 plus what is selected
 * in it; an interface or a union the maximum of its possible selections (the
 * costliest object type it can be, given the fragments that apply to each);
 * a connection 2 plus its page size (`first` or `last`, from a literal or a
 * variable) times the cost of one node; a mutation's root field 10. A single
 * query may cost at most 1,000 (SB_GQL_MAX_COST_EXCEEDED).
 *
 * Where the documents say nothing, the choices are these, and the tests pin
 * them: a list that is not a connection costs as one object (its size is not
 * known before it is read), unless it takes `first` itself (eight fields of the
 * 2026-10 Admin schema do: Order.transactions, refunds, fulfillments, risks,
 * LineItem.taxLines, ...), when it costs `first` objects - sized like a
 * connection, without the connection's 2; a connection's node costs as an object, whether
 * it is reached through edges { node } or nodes, and when both are selected
 * the dearer of the two counts (they are the same nodes); pageInfo and cursor
 * are in the connection's 2; a connection without first or last counts a page
 * of 0 (Shopify's own client tests show such a query requested at 2, before
 * it fails with "you must provide one of first or last"); a mutation's root
 * field costs 10 whatever its payload selects (shopify.dev's webPixelCreate
 * example, which selects two objects, reports 10). @skip and @include are
 * applied. Costs saturate at 10^12 rather than overflow.
 *
 * The actual cost (sb_gql_actual_cost) walks the same selections over the
 * answer's data, as Shopify reports it after running a query: a connection
 * or a sized list counts the nodes it returned (each at its own cost), not
 * the page it asked for; a list the document gives no `first` is unsized
 * there too (one object, its first; an empty one 1), even when its field
 * takes `first` (LineItem.taxLines); a null object still costs its 1; a
 * mutation's root field its 10.
 */
#include "gql/internal.h"

#include <stdlib.h>
#include <string.h>

#define COST_CAP 1000000000000LL

struct cost {
    const struct sb_gql_schema *s;
    const struct sb_gql_document *doc;
    json_t *vars;
    struct sb_arena *a;
    size_t budget;
    sb_err err;
    bool actual; /* walking the answer's data: sizes are what it holds */
};

static int64_t add(int64_t x, int64_t y)
{
    return x + y > COST_CAP ? COST_CAP : x + y;
}

static int64_t mul(int64_t x, int64_t y)
{
    if (x == 0 || y == 0)
        return 0;
    return x > COST_CAP / y ? COST_CAP : x * y;
}

static int64_t object_cost(struct cost *c, const struct sb_gql_selset *const *sub, size_t n,
                           const struct sb_gql_type *t, json_t *data);

/* The largest `first` or `last` the group's selections give; -1 when none does. */
static int64_t page_size(struct cost *c, const struct gql_group *g)
{
    int64_t size = -1;
    for (size_t i = 0; i < g->n; i++) {
        const struct sb_gql_selection *sel = g->sels[i];
        for (size_t k = 0; k < sel->n_args; k++) {
            const char *name = sel->args[k].name;
            if (strcmp(name, "first") != 0 && strcmp(name, "last") != 0)
                continue;
            const struct sb_gql_value *v = sel->args[k].value;
            json_t *var = v->kind == SB_GQL_V_VARIABLE ? json_object_get(c->vars, v->text) : NULL;
            int64_t n;
            if (v->kind == SB_GQL_V_INT)
                n = strtoll(v->text, NULL, 10);
            else if (json_is_integer(var))
                n = json_integer_value(var);
            else
                continue; /* null, or a variable not given: no size */
            if (n < 0)
                n = 0; /* asks for nothing */
            if (n > size)
                size = n;
        }
    }
    return size;
}

/* A list field that takes first or last (not a connection). */
static bool sized_list(const struct sb_gql_field *f)
{
    const struct sb_gql_typeref *t = f->type;
    bool list = false;
    for (; t->form != SB_GQL_NAMED; t = t->of)
        list = list || t->form == SB_GQL_LIST;
    for (size_t i = 0; list && i < f->n_args; i++)
        if (strcmp(f->args[i].name, "first") == 0 || strcmp(f->args[i].name, "last") == 0)
            return true;
    return false;
}

static const struct sb_gql_type *field_type(struct cost *c, const struct sb_gql_type *parent,
                                            const char *name)
{
    const struct sb_gql_field *f = sb_gql_type_field(c->s, parent, name);
    return f ? sb_gql_typeref_named(f->type) : NULL;
}

/* The cost of one node of a connection: the dearer of edges { node } and nodes (node i of
 * the connection's value conn_data when the walk is over the data). */
static int64_t node_cost(struct cost *c, const struct sb_gql_selset *const *sub, size_t n,
                         const struct sb_gql_type *conn, json_t *conn_data, size_t i_node)
{
    struct gql_fieldset fs;
    int64_t best = 0;
    if ((c->err = gql_collect(c->s, c->doc, sub, n, conn, c->vars, c->a, &c->budget, &fs)))
        return 0;
    for (size_t i = 0; i < fs.n && !c->err; i++) {
        const struct gql_group *g = &fs.groups[i];
        const char *name = g->sels[0]->name;
        const struct sb_gql_selset **gsub;
        size_t gn;
        int64_t v = 0;
        if ((c->err = gql_subselections(g, c->a, &gsub, &gn)))
            return 0;
        json_t *gdata = json_object_get(conn_data, g->key);
        if (strcmp(name, "nodes") == 0) {
            if (c->actual && i_node >= json_array_size(gdata))
                continue;
            v = add(1, object_cost(c, gsub, gn, field_type(c, conn, "nodes"),
                                   json_array_get(gdata, i_node)));
        } else if (strcmp(name, "edges") == 0) {
            const struct sb_gql_type *edge = field_type(c, conn, "edges");
            struct gql_fieldset efs;
            if ((c->err =
                     gql_collect(c->s, c->doc, gsub, gn, edge, c->vars, c->a, &c->budget, &efs)))
                return 0;
            if (c->actual && i_node >= json_array_size(gdata))
                continue;
            for (size_t k = 0; k < efs.n && !c->err; k++) {
                const struct sb_gql_selset **nsub;
                size_t nn;
                if (strcmp(efs.groups[k].sels[0]->name, "node") != 0)
                    continue;
                if ((c->err = gql_subselections(&efs.groups[k], c->a, &nsub, &nn)))
                    return 0;
                json_t *node = json_object_get(json_array_get(gdata, i_node), efs.groups[k].key);
                v = add(v, add(1, object_cost(c, nsub, nn, field_type(c, edge, "node"), node)));
            }
        }
        if (v > best)
            best = v;
    }
    return best;
}

/* The number of nodes a connection's value holds (nodes, or edges). */
static size_t returned(json_t *conn)
{
    size_t a = json_array_size(json_object_get(conn, "nodes")), b = 0;
    const char *key;
    json_t *v;
    json_object_foreach(conn, key, v)
    {
        if (json_is_array(v) && json_array_size(v) > b)
            b = json_array_size(v);
    }
    return a > b ? a : b;
}

static int64_t fields_cost(struct cost *c, const struct sb_gql_selset *const *sub, size_t n,
                           const struct sb_gql_type *obj, json_t *data)
{
    struct gql_fieldset fs;
    int64_t total = 0;
    if ((c->err = gql_collect(c->s, c->doc, sub, n, obj, c->vars, c->a, &c->budget, &fs)))
        return 0;
    for (size_t i = 0; i < fs.n && !c->err; i++) {
        const struct gql_group *g = &fs.groups[i];
        const struct sb_gql_field *f = sb_gql_type_field(c->s, obj, g->sels[0]->name);
        if (!f)
            continue; /* not in a valid document */
        const struct sb_gql_type *t = sb_gql_typeref_named(f->type);
        if (gql_is_leaf(t))
            continue;
        const struct sb_gql_selset **gsub;
        size_t gn;
        if ((c->err = gql_subselections(g, c->a, &gsub, &gn)))
            return 0;
        int64_t size = page_size(c, g);
        json_t *fd = json_object_get(data, g->key);
        if (c->actual && t->connection) {
            int64_t sum = 2;
            for (size_t k = 0, m = returned(fd); k < m && !c->err; k++)
                sum = add(sum, node_cost(c, gsub, gn, t, fd, k));
            total = add(total, sum);
        } else if (c->actual && json_is_array(fd) && size >= 0 && sized_list(f)) {
            int64_t sum = 0;
            for (size_t k = 0; k < json_array_size(fd) && !c->err; k++)
                sum = add(sum, add(1, object_cost(c, gsub, gn, t, json_array_get(fd, k))));
            total = add(total, sum);
        } else if (t->connection) {
            total =
                add(total, add(2, mul(size > 0 ? size : 0, node_cost(c, gsub, gn, t, NULL, 0))));
        } else if (size >= 0 && sized_list(f)) {
            total = add(total, mul(size, add(1, object_cost(c, gsub, gn, t, NULL))));
        } else {
            /* an unsized list costs as one object: its first */
            json_t *one = json_is_array(fd) ? json_array_get(fd, 0) : fd;
            total = add(total, add(1, object_cost(c, gsub, gn, t, one)));
        }
    }
    return total;
}

static int64_t object_cost(struct cost *c, const struct sb_gql_selset *const *sub, size_t n,
                           const struct sb_gql_type *t, json_t *data)
{
    if (!t || c->err || (c->actual && !json_is_object(data)))
        return 0;
    if (t->kind == SB_GQL_OBJECT)
        return fields_cost(c, sub, n, t, data);
    int64_t best = 0;
    for (size_t i = 0; i < t->n_possible && !c->err; i++) {
        int64_t v = fields_cost(c, sub, n, t->possible[i], data);
        if (v > best)
            best = v;
    }
    return best;
}

static sb_err walk(const struct sb_gql_schema *s, const struct sb_gql_document *doc,
                   const struct sb_gql_operation *op, json_t *variables, json_t *data,
                   json_t *errors, int64_t *ret)
{
    struct gql_errors errs = { .list = errors };
    struct sb_arena *a = sb_arena_new();
    struct cost c = { .s = s,
                      .doc = doc,
                      .vars = variables,
                      .a = a,
                      .budget = SB_GQL_MAX_VISITS,
                      .actual = data != NULL };
    const struct sb_gql_type *root = sb_gql_schema_root(s, op->kind);
    int64_t total = 0;
    if (!a)
        return SB_ENOMEM;
    if (op->kind == SB_GQL_MUTATION && root) {
        struct gql_fieldset fs;
        if (!(c.err = gql_collect(s, doc, &op->selset, 1, root, variables, a, &c.budget, &fs)))
            for (size_t i = 0; i < fs.n; i++)
                if (strcmp(fs.groups[i].sels[0]->name, "__typename") != 0)
                    total = add(total, 10);
    } else {
        total = object_cost(&c, &op->selset, 1, root, data);
    }
    sb_arena_free(a);
    if (c.err == SB_ETOO_LARGE) {
        gql_error(&errs, &gql_no_locations, NULL, NULL, "This query is too large to execute.");
        return errs.oom ? SB_ENOMEM : SB_EINVALID_QUERY;
    }
    if (c.err)
        return c.err;
    *ret = total;
    return SB_OK;
}

void sb_gql_cost_error(json_t *errors, int64_t cost, int64_t max_cost)
{
    struct gql_errors errs = { .list = errors };
    /* the text Shopify answers, line breaks included */
    json_t *ext = json_pack("{s:s, s:I, s:I, s:s}", "code", "MAX_COST_EXCEEDED", "cost",
                            (json_int_t)cost, "maxCost", (json_int_t)max_cost, "documentation",
                            "https://shopify.dev/api/usage/limits#rate-limits");
    gql_error(&errs, &gql_no_locations, NULL, ext,
              "Query cost is %lld, which exceeds the single query max cost limit (%lld).\n\n"
              "See https://shopify.dev/concepts/about-apis/rate-limits for more information on "
              "how the\ncost of a query is calculated.\n\nTo query larger amounts of data with "
              "fewer limits, bulk operations should be used instead.\nSee "
              "https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage "
              "details.\n",
              (long long)cost, (long long)max_cost);
}

sb_err sb_gql_cost(const struct sb_gql_schema *s, const struct sb_gql_document *doc,
                   const struct sb_gql_operation *op, json_t *variables, json_t *errors,
                   int64_t *ret)
{
    return walk(s, doc, op, variables, NULL, errors, ret);
}

sb_err sb_gql_actual_cost(const struct sb_gql_request *req, json_t *data, json_t *errors,
                          int64_t *ret)
{
    if (!json_is_object(data)) {
        *ret = 0;
        return SB_OK;
    }
    return walk(req->schema, req->doc, req->op, req->variables, data, errors, ret);
}
