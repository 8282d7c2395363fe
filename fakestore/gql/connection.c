/*
 * Relay connections, for the simulation's resolvers: reading a connection
 * field's paging arguments, cutting the page they ask for out of an ordered
 * list of items, and building the value the executor completes - edges with
 * their cursor and node, nodes, and pageInfo with hasNextPage,
 * hasPreviousPage, startCursor and endCursor. Whatever the document selects
 * of it (edges { node }, nodes, pageInfo, aliases of them) is then answered
 * from that one value.
 *
 * A connection asked for without first or last is refused with Shopify's
 * message ("you must provide one of first or last", from Shopify's own
 * client tests); sizes are taken as given (Shopify's text for a size over 250
 * is not known here, so none is made up).
 */
#include "gql/internal.h"

#include <string.h>

static bool size_arg(json_t *args, const char *name, bool *has, int64_t *ret)
{
    json_t *v = json_object_get(args, name);
    *has = json_is_integer(v);
    *ret = *has ? json_integer_value(v) : 0;
    if (*ret < 0)
        *ret = 0;
    return true;
}

bool sb_gql_page_args(json_t *args, struct sb_gql_page *ret, struct sb_gql_field_error *ret_error)
{
    struct sb_gql_page p = { .after = NULL };
    size_arg(args, "first", &p.has_first, &p.first);
    size_arg(args, "last", &p.has_last, &p.last);
    p.after = json_string_value(json_object_get(args, "after"));
    p.before = json_string_value(json_object_get(args, "before"));
    p.reverse = json_is_true(json_object_get(args, "reverse"));
    if (!p.has_first && !p.has_last) {
        ret_error->message = "you must provide one of first or last";
        ret_error->code = NULL;
        return false;
    }
    *ret = p;
    return true;
}

static size_t find(const char *const *cursors, size_t n, const char *c)
{
    for (size_t i = 0; i < n; i++)
        if (cursors[i] && strcmp(cursors[i], c) == 0)
            return i;
    return n;
}

void sb_gql_page_window(const struct sb_gql_page *p, const char *const *cursors, size_t n,
                        size_t *ret_from, size_t *ret_to, bool *ret_has_next, bool *ret_has_prev)
{
    size_t from = 0, to = n;
    if (p->after) {
        size_t i = find(cursors, n, p->after);
        from = i < n ? i + 1 : 0;
    }
    if (p->before) {
        size_t i = find(cursors, n, p->before);
        to = i < n ? i : n;
    }
    if (to < from)
        to = from;
    if (p->has_first && (int64_t)(to - from) > p->first)
        to = from + (size_t)p->first;
    if (p->has_last && (int64_t)(to - from) > p->last)
        from = to - (size_t)p->last;
    *ret_from = from;
    *ret_to = to;
    *ret_has_next = to < n;
    *ret_has_prev = from > 0;
}

json_t *sb_gql_connection(json_t *nodes, const char *const *cursors, bool has_next, bool has_prev)
{
    size_t n = json_array_size(nodes);
    json_t *conn = json_object(), *edges = json_array();
    json_t *info =
        json_pack("{s:b, s:b, s:s?, s:s?}", "hasNextPage", has_next, "hasPreviousPage", has_prev,
                  "startCursor", n ? cursors[0] : NULL, "endCursor", n ? cursors[n - 1] : NULL);
    bool ok = conn && edges && info && json_is_array(nodes);
    for (size_t i = 0; ok && i < n; i++) {
        json_t *edge =
            json_pack("{s:s?, s:O}", "cursor", cursors[i], "node", json_array_get(nodes, i));
        ok = edge && !json_array_append_new(edges, edge);
    }
    if (ok)
        ok = !json_object_set(conn, "edges", edges) && !json_object_set(conn, "nodes", nodes) &&
             !json_object_set(conn, "pageInfo", info);
    json_decref(edges);
    json_decref(info);
    json_decref(nodes);
    if (!ok) {
        json_decref(conn);
        return NULL;
    }
    return conn;
}
