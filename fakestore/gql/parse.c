/*
 * The parser of GraphQL executable documents (spec section 2, October 2021):
 * operations (query, mutation, subscription, the anonymous shorthand) with
 * variable definitions, types and defaults; fragments; selection sets with
 * aliases, arguments, directives, fragment spreads and inline fragments;
 * literal values of every kind. A recursive descent over one token of
 * lookahead, building the tree of ast.h in the caller's arena.
 *
 * The first error ends the parse, reported as graphql-ruby reports it (Shopify
 * answered "Parse error on \")\" (RPAREN) at [1, 28]" with that location), or
 * "Unexpected end of document". Type system definitions (schema, type, ...)
 * are not executable and are refused the same way. Nesting - selection sets,
 * list and object values, list types - is bounded by limits->max_depth, so
 * that the recursion is.
 */
#include "gql/lex.h"

#include <string.h>

const struct sb_gql_limits sb_gql_default_limits = {
    .max_bytes = SB_GQL_MAX_BYTES,
    .max_tokens = SB_GQL_MAX_TOKENS,
    .max_depth = SB_GQL_MAX_DEPTH,
};

struct parser {
    struct gql_lexer lx;
    struct gql_token tok;
    struct sb_arena *a;
    struct gql_errors *errs;
    unsigned depth, max_depth;
    bool failed; /* an error was reported (or memory ran out): stop */
    bool oom;
};

/* A growable array in the arena: doubling, so at most twice what it holds is wasted. */
struct vec {
    void *items;
    size_t n, cap, size;
};

static bool vec_push(struct parser *p, struct vec *v, const void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        void *items = sb_arena_alloc(p->a, cap * v->size);
        if (!items) {
            p->oom = p->failed = true;
            return false;
        }
        if (v->n)
            memcpy(items, v->items, v->n * v->size);
        v->items = items;
        v->cap = cap;
    }
    memcpy((char *)v->items + v->n * v->size, item, v->size);
    v->n++;
    return true;
}

static void *alloc(struct parser *p, size_t size)
{
    void *x = sb_arena_alloc(p->a, size);
    if (!x)
        p->oom = p->failed = true;
    return x;
}

static void advance(struct parser *p)
{
    p->tok = gql_lex_next(&p->lx);
    if (p->tok.kind == TOK_ERROR && !p->failed) {
        p->failed = true;
        if (!p->lx.error[0]) {
            p->oom = true;
            return;
        }
        gql_error(p->errs, &p->tok.loc, NULL, NULL, "%s at [%u, %u]", p->lx.error, p->tok.loc.line,
                  p->tok.loc.col);
    }
}

/* Reports the current token as unexpected. Returns NULL for the callers' convenience. */
static void *unexpected(struct parser *p)
{
    if (p->failed)
        return NULL;
    p->failed = true;
    const struct gql_token *t = &p->tok;
    if (t->kind == TOK_EOF) {
        /* graphql-ruby gives this one no location */
        gql_error(p->errs, NULL, NULL, NULL, "Unexpected end of document");
        return NULL;
    }
    struct gql_buf b = { .len = 0 };
    b.text[0] = '\0';
    const char *text = t->start;
    size_t len = t->len;
    if (t->kind == TOK_STRING || t->kind == TOK_BLOCK_STRING)
        text = t->value, len = t->value_len;
    if (len > 40) {
        len = 40;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"' || text[i] == '\\')
            gql_buf_add(&b, "\\", 1);
        if ((unsigned char)text[i] < 0x20)
            gql_buf_addf(&b, "\\u%04x", (unsigned char)text[i]);
        else
            gql_buf_add(&b, text + i, 1);
    }
    gql_error(p->errs, &t->loc, NULL, NULL, "Parse error on \"%s\" (%s) at [%u, %u]", b.text,
              gql_tok_name(t), t->loc.line, t->loc.col);
    return NULL;
}

static bool at(struct parser *p, enum gql_tok k)
{
    return !p->failed && p->tok.kind == k;
}

static bool at_name(struct parser *p, const char *name)
{
    return at(p, TOK_NAME) && p->tok.len == strlen(name) &&
           memcmp(p->tok.start, name, p->tok.len) == 0;
}

static bool expect(struct parser *p, enum gql_tok k)
{
    if (!at(p, k)) {
        unexpected(p);
        return false;
    }
    advance(p);
    return !p->failed;
}

static const char *name(struct parser *p)
{
    if (!at(p, TOK_NAME))
        return unexpected(p);
    char *s = sb_arena_strndup(p->a, p->tok.start, p->tok.len);
    if (!s) {
        p->oom = p->failed = true;
        return NULL;
    }
    advance(p);
    return p->failed ? NULL : s;
}

static bool deeper(struct parser *p)
{
    if (++p->depth > p->max_depth) {
        if (!p->failed) {
            p->failed = true;
            gql_error(p->errs, &p->tok.loc, NULL, NULL,
                      "This query is too large to execute. at [%u, %u]", p->tok.loc.line,
                      p->tok.loc.col);
        }
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ values */

static struct sb_gql_value *value(struct parser *p, bool is_const);

static struct sb_gql_value *value(struct parser *p, bool is_const)
{
    if (p->failed)
        return NULL;
    struct sb_gql_value *v = alloc(p, sizeof(*v));
    if (!v)
        return NULL;
    v->loc = p->tok.loc;
    switch (p->tok.kind) {
    case TOK_DOLLAR:
        if (is_const)
            return unexpected(p);
        advance(p);
        v->kind = SB_GQL_V_VARIABLE;
        if (!(v->text = name(p)))
            return NULL;
        v->len = strlen(v->text);
        return v;
    case TOK_INT:
    case TOK_FLOAT:
        v->kind = p->tok.kind == TOK_INT ? SB_GQL_V_INT : SB_GQL_V_FLOAT;
        if (!(v->text = sb_arena_strndup(p->a, p->tok.start, p->tok.len))) {
            p->oom = p->failed = true;
            return NULL;
        }
        v->len = p->tok.len;
        advance(p);
        return p->failed ? NULL : v;
    case TOK_STRING:
    case TOK_BLOCK_STRING:
        v->kind = SB_GQL_V_STRING;
        v->block = p->tok.kind == TOK_BLOCK_STRING;
        v->text = p->tok.value;
        v->len = p->tok.value_len;
        advance(p);
        return p->failed ? NULL : v;
    case TOK_NAME:
        if (at_name(p, "true") || at_name(p, "false")) {
            v->kind = SB_GQL_V_BOOLEAN;
            v->boolean = at_name(p, "true");
            advance(p);
        } else if (at_name(p, "null")) {
            v->kind = SB_GQL_V_NULL;
            advance(p);
        } else {
            v->kind = SB_GQL_V_ENUM;
            if (!(v->text = name(p)))
                return NULL;
            v->len = strlen(v->text);
        }
        return p->failed ? NULL : v;
    case TOK_LBRACKET: {
        if (!deeper(p))
            return NULL;
        advance(p);
        struct vec items = { .size = sizeof(struct sb_gql_value *) };
        while (!p->failed && !at(p, TOK_RBRACKET)) {
            struct sb_gql_value *item = value(p, is_const);
            if (!item || !vec_push(p, &items, &item))
                return NULL;
        }
        if (!expect(p, TOK_RBRACKET))
            return NULL;
        p->depth--;
        v->kind = SB_GQL_V_LIST;
        v->items = items.items;
        v->n_items = items.n;
        return v;
    }
    case TOK_LBRACE: {
        if (!deeper(p))
            return NULL;
        advance(p);
        struct vec fields = { .size = sizeof(struct sb_gql_arg) };
        while (!p->failed && !at(p, TOK_RBRACE)) {
            struct sb_gql_arg f = { .loc = p->tok.loc };
            if (!(f.name = name(p)) || !expect(p, TOK_COLON) || !(f.value = value(p, is_const)) ||
                !vec_push(p, &fields, &f))
                return NULL;
        }
        if (!expect(p, TOK_RBRACE))
            return NULL;
        p->depth--;
        v->kind = SB_GQL_V_OBJECT;
        v->fields = fields.items;
        v->n_fields = fields.n;
        return v;
    }
    default:
        return unexpected(p);
    }
}

static bool arguments(struct parser *p, bool is_const, struct sb_gql_arg **ret, size_t *ret_n)
{
    *ret = NULL;
    *ret_n = 0;
    if (!at(p, TOK_LPAREN))
        return !p->failed;
    advance(p);
    struct vec args = { .size = sizeof(struct sb_gql_arg) };
    do {
        struct sb_gql_arg a = { .loc = p->tok.loc };
        if (!(a.name = name(p)) || !expect(p, TOK_COLON) || !(a.value = value(p, is_const)) ||
            !vec_push(p, &args, &a))
            return false;
    } while (!p->failed && !at(p, TOK_RPAREN));
    if (!expect(p, TOK_RPAREN))
        return false;
    *ret = args.items;
    *ret_n = args.n;
    return true;
}

static bool directives(struct parser *p, bool is_const, struct sb_gql_directive **ret,
                       size_t *ret_n)
{
    struct vec dirs = { .size = sizeof(struct sb_gql_directive) };
    while (at(p, TOK_AT)) {
        struct sb_gql_directive d = { .loc = p->tok.loc };
        advance(p);
        if (!(d.name = name(p)) || !arguments(p, is_const, &d.args, &d.n_args) ||
            !vec_push(p, &dirs, &d))
            return false;
    }
    *ret = dirs.items;
    *ret_n = dirs.n;
    return !p->failed;
}

/* ------------------------------------------------------------------ selections */

static const struct sb_gql_selset *selection_set(struct parser *p);

static bool selection(struct parser *p, struct sb_gql_selection *s)
{
    s->loc = p->tok.loc;
    if (at(p, TOK_SPREAD)) {
        advance(p);
        if (at(p, TOK_NAME) && !at_name(p, "on")) {
            s->kind = SB_GQL_SPREAD;
            return (s->name = name(p)) && directives(p, false, &s->dirs, &s->n_dirs);
        }
        s->kind = SB_GQL_INLINE;
        if (at_name(p, "on")) {
            advance(p);
            if (!(s->type_cond = name(p)))
                return false;
        }
        return directives(p, false, &s->dirs, &s->n_dirs) && (s->selset = selection_set(p));
    }
    s->kind = SB_GQL_FIELD;
    if (!(s->name = name(p)))
        return false;
    if (at(p, TOK_COLON)) {
        advance(p);
        s->alias = s->name;
        if (!(s->name = name(p)))
            return false;
    }
    if (!arguments(p, false, &s->args, &s->n_args) || !directives(p, false, &s->dirs, &s->n_dirs))
        return false;
    if (at(p, TOK_LBRACE))
        return (s->selset = selection_set(p)) != NULL;
    return !p->failed;
}

static const struct sb_gql_selset *selection_set(struct parser *p)
{
    struct sb_gql_selset *ss = alloc(p, sizeof(*ss));
    if (!ss || !deeper(p))
        return NULL;
    ss->loc = p->tok.loc;
    if (!expect(p, TOK_LBRACE))
        return NULL;
    struct vec items = { .size = sizeof(struct sb_gql_selection) };
    do {
        struct sb_gql_selection s = { .kind = SB_GQL_FIELD };
        if (!selection(p, &s) || !vec_push(p, &items, &s))
            return NULL;
    } while (!p->failed && !at(p, TOK_RBRACE));
    if (!expect(p, TOK_RBRACE))
        return NULL;
    p->depth--;
    ss->items = items.items;
    ss->n = items.n;
    return ss;
}

/* ------------------------------------------------------------------ definitions */

static const struct sb_gql_type_ast *type(struct parser *p)
{
    struct sb_gql_type_ast *t = alloc(p, sizeof(*t));
    if (!t)
        return NULL;
    t->loc = p->tok.loc;
    if (at(p, TOK_LBRACKET)) {
        if (!deeper(p))
            return NULL;
        advance(p);
        t->form = SB_GQL_LIST;
        if (!(t->of = type(p)) || !expect(p, TOK_RBRACKET))
            return NULL;
        p->depth--;
    } else {
        t->form = SB_GQL_NAMED;
        if (!(t->name = name(p)))
            return NULL;
    }
    if (at(p, TOK_BANG)) {
        struct sb_gql_type_ast *nn = alloc(p, sizeof(*nn));
        if (!nn)
            return NULL;
        *nn = (struct sb_gql_type_ast){ .form = SB_GQL_NON_NULL, .of = t, .loc = t->loc };
        advance(p);
        return p->failed ? NULL : nn;
    }
    return p->failed ? NULL : t;
}

static bool variable_definitions(struct parser *p, struct sb_gql_operation *op)
{
    if (!at(p, TOK_LPAREN))
        return !p->failed;
    advance(p);
    struct vec vars = { .size = sizeof(struct sb_gql_vardef) };
    do {
        struct sb_gql_vardef v = { .loc = p->tok.loc };
        if (!expect(p, TOK_DOLLAR) || !(v.name = name(p)) || !expect(p, TOK_COLON) ||
            !(v.type = type(p)))
            return false;
        if (at(p, TOK_EQUALS)) {
            advance(p);
            if (!(v.default_value = value(p, true)))
                return false;
        }
        if (!directives(p, true, &v.dirs, &v.n_dirs) || !vec_push(p, &vars, &v))
            return false;
    } while (!p->failed && !at(p, TOK_RPAREN));
    if (!expect(p, TOK_RPAREN))
        return false;
    op->vars = vars.items;
    op->n_vars = vars.n;
    return true;
}

static bool operation(struct parser *p, struct sb_gql_operation *op)
{
    op->loc = p->tok.loc;
    if (at(p, TOK_LBRACE)) {
        op->kind = SB_GQL_QUERY;
        return (op->selset = selection_set(p)) != NULL;
    }
    if (at_name(p, "query"))
        op->kind = SB_GQL_QUERY;
    else if (at_name(p, "mutation"))
        op->kind = SB_GQL_MUTATION;
    else if (at_name(p, "subscription"))
        op->kind = SB_GQL_SUBSCRIPTION;
    else
        return unexpected(p) != NULL;
    advance(p);
    if (at(p, TOK_NAME) && !(op->name = name(p)))
        return false;
    return variable_definitions(p, op) && directives(p, false, &op->dirs, &op->n_dirs) &&
           (op->selset = selection_set(p)) != NULL;
}

static bool fragment(struct parser *p, struct sb_gql_fragment *f)
{
    f->loc = p->tok.loc;
    advance(p); /* "fragment" */
    if (at_name(p, "on"))
        return unexpected(p) != NULL;
    if (!(f->name = name(p)))
        return false;
    if (!at_name(p, "on"))
        return unexpected(p) != NULL;
    advance(p);
    f->type_loc = p->tok.loc;
    return (f->type_cond = name(p)) && directives(p, false, &f->dirs, &f->n_dirs) &&
           (f->selset = selection_set(p)) != NULL;
}

sb_err sb_gql_parse(const char *text, size_t len, const struct sb_gql_limits *limits,
                    struct sb_arena *a, json_t *errors, struct sb_gql_document **ret)
{
    if (!limits)
        limits = &sb_gql_default_limits;
    struct gql_errors errs = { .list = errors };
    if (!text)
        text = "", len = 0;
    if (len > limits->max_bytes) {
        gql_error(&errs, NULL, NULL, NULL, "This query is too large to execute.");
        return errs.oom ? SB_ENOMEM : SB_EINVALID_QUERY;
    }
    struct parser p = { .a = a, .errs = &errs, .max_depth = limits->max_depth };
    gql_lex_init(&p.lx, text, len, limits->max_tokens, a);
    struct sb_gql_document *doc = alloc(&p, sizeof(*doc));
    struct vec ops = { .size = sizeof(struct sb_gql_operation) };
    struct vec frags = { .size = sizeof(struct sb_gql_fragment) };
    if (doc)
        advance(&p);
    if (!p.failed && at(&p, TOK_EOF)) {
        /* graphql-ruby: an empty document is an unexpected end */
        unexpected(&p);
    }
    while (!p.failed && !at(&p, TOK_EOF)) {
        if (at_name(&p, "fragment")) {
            struct sb_gql_fragment f = { .name = NULL };
            if (fragment(&p, &f))
                vec_push(&p, &frags, &f);
        } else {
            struct sb_gql_operation op = { .kind = SB_GQL_QUERY };
            if (operation(&p, &op))
                vec_push(&p, &ops, &op);
        }
    }
    if (p.oom || errs.oom)
        return SB_ENOMEM;
    if (p.failed)
        return SB_EINVALID_QUERY;
    doc->ops = ops.items;
    doc->n_ops = ops.n;
    doc->frags = frags.items;
    doc->n_frags = frags.n;
    doc->n_tokens = p.lx.n_tokens;
    *ret = doc;
    return SB_OK;
}

const struct sb_gql_fragment *sb_gql_document_fragment(const struct sb_gql_document *doc,
                                                       const char *name)
{
    for (size_t i = 0; i < doc->n_frags; i++)
        if (strcmp(doc->frags[i].name, name) == 0)
            return &doc->frags[i];
    return NULL;
}

struct sb_gql_value *gql_parse_const_value(const char *text, size_t len, struct sb_arena *a)
{
    json_t *scratch = json_array();
    struct gql_errors errs = { .list = scratch };
    struct parser p = { .a = a, .errs = &errs, .max_depth = SB_GQL_MAX_DEPTH };
    struct sb_gql_value *v = NULL;
    if (scratch) {
        gql_lex_init(&p.lx, text, len, SB_GQL_MAX_TOKENS, a);
        advance(&p);
        v = value(&p, true);
        if (v && !at(&p, TOK_EOF))
            v = NULL;
    }
    json_decref(scratch);
    return p.failed ? NULL : v;
}
