/*
 * Shopify's search syntax (shopify.dev/docs/api/usage/search-syntax) for the
 * `query` argument of the simulated shop's connections: terms `field:value`
 * with the comparators :, :>, :>=, :<, :<= (also written >, >=, ... right
 * after the colon), values bare or quoted ('...' or "...", a backslash
 * escapes the next character), a trailing * for a prefix, connectives AND
 * (also implied by a space) and OR, modifiers NOT and "-", parentheses.
 * A term whose field the connection does not know is dropped (it matches
 * everything), as Shopify does, and named in a warning that graphql.c
 * returns in extensions.search - Shopify's shape: the query, the path of the
 * field and {"field", "message": "Invalid search field for this query."}.
 * A free-text term (no field) matches everything here.
 */
#include "graphql-search.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum node_kind {
    N_TERM,
    N_AND,
    N_OR,
    N_NOT,
    N_TRUE
};

struct fs_search_node {
    enum node_kind kind;
    struct fs_search_node *a, *b;
    struct fs_search_term term;
};

struct parser {
    const char *p;
    const char *const *known;
    struct fs_search *s;
    int depth;
    bool bad;
};

struct fs_search {
    struct fs_search_node nodes[FS_SEARCH_MAX_NODES];
    size_t n;
    struct fs_search_node *root;
    char *text; /* the values, each NUL-terminated, in a copy of the query's size */
    size_t text_used, text_cap;
    json_t *unknown; /* field names */
};

static struct fs_search_node *node(struct parser *ps, enum node_kind k)
{
    if (ps->s->n == FS_SEARCH_MAX_NODES) {
        ps->bad = true;
        return NULL;
    }
    struct fs_search_node *n = &ps->s->nodes[ps->s->n++];
    memset(n, 0, sizeof(*n));
    n->kind = k;
    return n;
}

static void skip_space(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static bool word(struct parser *ps, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(ps->p, w, n) != 0)
        return false;
    char c = ps->p[n];
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(';
}

/* A value into the text area: quoted (escapes undone) or bare (to a space or ')'). */
static char *value(struct parser *ps)
{
    struct fs_search *s = ps->s;
    char *out = s->text + s->text_used, *o = out;
    if (*ps->p == '"' || *ps->p == '\'') {
        char q = *ps->p++;
        while (*ps->p && *ps->p != q) {
            if (*ps->p == '\\' && ps->p[1])
                ps->p++;
            *o++ = *ps->p++;
        }
        if (*ps->p != q) {
            ps->bad = true;
            return NULL;
        }
        ps->p++;
    } else {
        while (*ps->p && *ps->p != ' ' && *ps->p != '\t' && *ps->p != '\n' && *ps->p != '\r' &&
               *ps->p != ')') {
            if (*ps->p == '\\' && ps->p[1])
                ps->p++;
            *o++ = *ps->p++;
        }
    }
    *o++ = '\0';
    s->text_used = (size_t)(o - s->text);
    return out;
}

static bool known(const char *const *list, const char *f)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], f) == 0)
            return true;
    return false;
}

static struct fs_search_node *parse_or(struct parser *ps);

static struct fs_search_node *parse_term(struct parser *ps)
{
    skip_space(ps);
    if (*ps->p == '(') {
        if (++ps->depth > 32) {
            ps->bad = true;
            return NULL;
        }
        ps->p++;
        struct fs_search_node *n = parse_or(ps);
        skip_space(ps);
        if (ps->bad || *ps->p != ')') {
            ps->bad = true;
            return NULL;
        }
        ps->p++;
        ps->depth--;
        return n;
    }
    if (word(ps, "NOT") || (*ps->p == '-' && ps->p[1] && ps->p[1] != ' ')) {
        ps->p += *ps->p == '-' ? 1 : 3;
        if (++ps->depth > 32) {
            ps->bad = true;
            return NULL;
        }
        struct fs_search_node *n = node(ps, N_NOT);
        if (n)
            n->a = parse_term(ps);
        ps->depth--;
        return ps->bad ? NULL : n;
    }
    /* field:[comparator]value, or a free-text value */
    const char *start = ps->p;
    while (*ps->p && *ps->p != ':' && *ps->p != ' ' && *ps->p != '\t' && *ps->p != '\n' &&
           *ps->p != '\r' && *ps->p != ')' && *ps->p != '"' && *ps->p != '\'')
        ps->p++;
    struct fs_search_node *n = node(ps, N_TERM);
    if (!n)
        return NULL;
    if (*ps->p == ':' && ps->p > start) {
        struct fs_search *s = ps->s;
        size_t len = (size_t)(ps->p - start);
        char *f = s->text + s->text_used;
        memcpy(f, start, len);
        f[len] = '\0';
        s->text_used += len + 1;
        n->term.field = f;
        ps->p++;
        if (ps->p[0] == '>' && ps->p[1] == '=')
            n->term.op = FS_SEARCH_GE, ps->p += 2;
        else if (ps->p[0] == '<' && ps->p[1] == '=')
            n->term.op = FS_SEARCH_LE, ps->p += 2;
        else if (ps->p[0] == '>')
            n->term.op = FS_SEARCH_GT, ps->p++;
        else if (ps->p[0] == '<')
            n->term.op = FS_SEARCH_LT, ps->p++;
        else
            n->term.op = FS_SEARCH_EQ;
    } else {
        ps->p = start;
    }
    n->term.value = value(ps);
    if (ps->bad)
        return NULL;
    size_t vl = strlen(n->term.value);
    if (vl && n->term.value[vl - 1] == '*' && n->term.op == FS_SEARCH_EQ) {
        n->term.value[vl - 1] = '\0';
        n->term.prefix = true;
    }
    if (!n->term.field) {
        n->kind = N_TRUE; /* free text: not modelled, matches everything */
    } else if (!known(ps->known, n->term.field)) {
        n->kind = N_TRUE;
        json_t *name = json_string(n->term.field);
        size_t i;
        json_t *u;
        bool seen = false;
        json_array_foreach(ps->s->unknown, i, u) seen = seen || json_equal(u, name);
        if (!seen)
            json_array_append(ps->s->unknown, name);
        json_decref(name);
    }
    return n;
}

static struct fs_search_node *parse_and(struct parser *ps)
{
    struct fs_search_node *left = parse_term(ps);
    for (;;) {
        skip_space(ps);
        if (ps->bad || !*ps->p || *ps->p == ')' || word(ps, "OR"))
            return ps->bad ? NULL : left;
        if (word(ps, "AND"))
            ps->p += 3;
        struct fs_search_node *n = node(ps, N_AND);
        if (!n)
            return NULL;
        n->a = left;
        n->b = parse_term(ps);
        left = n;
    }
}

static struct fs_search_node *parse_or(struct parser *ps)
{
    struct fs_search_node *left = parse_and(ps);
    for (;;) {
        skip_space(ps);
        if (ps->bad || !word(ps, "OR"))
            return ps->bad ? NULL : left;
        ps->p += 2;
        struct fs_search_node *n = node(ps, N_OR);
        if (!n)
            return NULL;
        n->a = left;
        n->b = parse_and(ps);
        left = n;
    }
}

struct fs_search *fs_search_parse(const char *q, const char *const *known_fields)
{
    struct fs_search *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    /* every value and field fits in twice the query's length, NULs included */
    s->text_cap = 2 * strlen(q) + 2;
    s->text = malloc(s->text_cap);
    s->unknown = json_array();
    struct parser ps = { .p = q, .known = known_fields, .s = s };
    if (!s->text || !s->unknown) {
        fs_search_free(s);
        return NULL;
    }
    skip_space(&ps);
    if (*ps.p) {
        s->root = parse_or(&ps);
        skip_space(&ps);
        if (!ps.bad && *ps.p) /* a stray ')' */
            ps.bad = true;
    }
    if (ps.bad) {
        fs_search_free(s);
        return NULL;
    }
    return s;
}

void fs_search_free(struct fs_search *s)
{
    if (!s)
        return;
    free(s->text);
    json_decref(s->unknown);
    free(s);
}

static bool eval(const struct fs_search_node *n, fs_search_match_fn match, const void *obj)
{
    if (!n)
        return true;
    switch (n->kind) {
    case N_TERM:
        return match(obj, &n->term);
    case N_AND:
        return eval(n->a, match, obj) && eval(n->b, match, obj);
    case N_OR:
        return eval(n->a, match, obj) || eval(n->b, match, obj);
    case N_NOT:
        return !eval(n->a, match, obj);
    case N_TRUE:
        return true;
    }
    return true;
}

bool fs_search_matches(const struct fs_search *s, fs_search_match_fn match, const void *obj)
{
    return !s || eval(s->root, match, obj);
}

json_t *fs_search_warning(const struct fs_search *s, const char *path, const char *query)
{
    if (!s || !json_array_size(s->unknown))
        return NULL;
    json_t *w = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(s->unknown, i, f) json_array_append_new(
        w, json_pack("{s:O,s:s}", "field", f, "message", "Invalid search field for this query."));
    return json_pack("{s:s,s:[s],s:o}", "query", query, "path", path, "warnings", w);
}

static int compare_result(int c, enum fs_search_op op)
{
    switch (op) {
    case FS_SEARCH_EQ:
        return c == 0;
    case FS_SEARCH_GT:
        return c > 0;
    case FS_SEARCH_GE:
        return c >= 0;
    case FS_SEARCH_LT:
        return c < 0;
    case FS_SEARCH_LE:
        return c <= 0;
    }
    return 0;
}

bool fs_search_int(const struct fs_search_term *t, int64_t v)
{
    char *end;
    long long x = strtoll(t->value, &end, 10);
    if (end == t->value || *end)
        return false;
    return compare_result(v < x ? -1 : v > x, t->op);
}

bool fs_search_time(const struct fs_search_term *t, int64_t v)
{
    int64_t x;
    if (!sb_time_parse(t->value, &x)) {
        /* a bare date: its first second */
        char full[40];
        if (strlen(t->value) != 10)
            return false;
        snprintf(full, sizeof(full), "%sT00:00:00Z", t->value);
        if (!sb_time_parse(full, &x))
            return false;
    }
    return compare_result(v < x ? -1 : v > x, t->op);
}

bool fs_search_str(const struct fs_search_term *t, const char *v)
{
    if (!v)
        return false;
    if (t->prefix)
        return strncasecmp(v, t->value, strlen(t->value)) == 0;
    return compare_result(strcasecmp(v, t->value), t->op);
}

bool fs_search_id(const struct fs_search_term *t, int64_t id)
{
    const char *v = t->value;
    const char *slash = strrchr(v, '/');
    if (strncmp(v, "gid://", 6) == 0 && slash) {
        struct fs_search_term bare = *t;
        bare.value = (char *)slash + 1;
        return fs_search_int(&bare, id);
    }
    return fs_search_int(t, id);
}

const struct fs_search_term *fs_search_bad_time(const struct fs_search *s,
                                                const char *const *time_fields)
{
    for (size_t i = 0; s && i < s->n; i++) {
        const struct fs_search_node *n = &s->nodes[i];
        if (n->kind != N_TERM || !known(time_fields, n->term.field))
            continue;
        int64_t t;
        char full[40];
        if (sb_time_parse(n->term.value, &t))
            continue;
        snprintf(full, sizeof(full), "%sT00:00:00Z", n->term.value);
        if (strlen(n->term.value) != 10 || !sb_time_parse(full, &t))
            return &n->term;
    }
    return NULL;
}
