/*
 * The GraphQL lexer (spec section 2.1, October 2021): punctuators, names,
 * integer and float values as written, strings and block strings decoded
 * (escapes, surrogate pairs, the block string indentation rule). The
 * document must be UTF-8; every position it reports is a line and a
 * character column, as graphql-ruby reports them. Its messages follow
 * graphql-ruby's lexer ("Name after number is not allowed (in `12ab`)",
 * "This query is too large to execute.", "Parse error on bad Unicode escape
 * sequence").
 */
#include "gql/lex.h"

#include <stdio.h>
#include <string.h>

/* Decodes one UTF-8 character at p (before end): its length, 0 when it is not valid
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_char(const unsigned char *p, const unsigned char *end, uint32_t *ret)
{
    uint32_t c = p[0];
    size_t n;
    if (c < 0x80) {
        *ret = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, c &= 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, c &= 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, c &= 0x07;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *ret = c;
    return n;
}

static bool valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    uint32_t c;
    while (p < end) {
        size_t n = utf8_char(p, end, &c);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

void gql_lex_init(struct gql_lexer *lx, const char *src, size_t len, size_t max_tokens,
                  struct sb_arena *a)
{
    *lx = (struct gql_lexer){
        .src = src,
        .end = src + len,
        .pos = src,
        .line = 1,
        .line_start = src,
        .col_pos = src,
        .col = 1,
        .max_tokens = max_tokens,
        .arena = a,
    };
    /* graphql-ruby refuses a document that is not UTF-8 before it reads a token */
    lx->bad_utf8 = !valid_utf8(src, len);
    /* a byte order mark is ignored (spec 2.1.1) */
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        lx->pos += 3, lx->line_start = lx->col_pos = lx->pos;
}

/* The column of p, on the current line, at or after the last column asked for. */
static unsigned column(struct gql_lexer *lx, const char *p)
{
    if (lx->col_pos < lx->line_start) {
        lx->col_pos = lx->line_start;
        lx->col = 1;
    }
    for (; lx->col_pos < p; lx->col_pos++)
        if (((unsigned char)*lx->col_pos & 0xC0) != 0x80)
            lx->col++;
    return lx->col;
}

static struct sb_gql_loc here(struct gql_lexer *lx, const char *p)
{
    return (struct sb_gql_loc){ lx->line, column(lx, p) };
}

/* Steps over a line terminator at p (\n, \r\n or \r). */
static const char *newline(struct gql_lexer *lx, const char *p)
{
    if (*p == '\r' && p + 1 < lx->end && p[1] == '\n')
        p++;
    p++;
    lx->line++;
    lx->line_start = p;
    return p;
}

static void skip_ignored(struct gql_lexer *lx)
{
    const char *p = lx->pos;
    while (p < lx->end) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == ',') {
            p++;
        } else if (c == '\n' || c == '\r') {
            p = newline(lx, p);
        } else if (c == '#') {
            while (p < lx->end && *p != '\n' && *p != '\r')
                p++;
        } else if (lx->end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
        } else {
            break;
        }
    }
    lx->pos = p;
}

static bool name_start(char c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct gql_token fail(struct gql_lexer *lx, struct gql_token t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct gql_token fail(struct gql_lexer *lx, struct gql_token t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lx->error, sizeof(lx->error), fmt, ap);
    va_end(ap);
    t.kind = TOK_ERROR;
    return t;
}

/* A piece of source text for a message: at most 40 of its n bytes, cut on a character
 * boundary (s[n] may be read: the source goes on, or ends with a NUL). */
static size_t excerpt(const char *s, size_t n, const char *end)
{
    size_t k = n < 40 ? n : 40;
    while (k > 0 && s + k < end && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* The same, quoted for a message: quotes and backslashes escaped, as graphql-ruby's
 * inspect writes them. */
static const char *quoted(const char *s, size_t n, const char *end, char *buf, size_t cap)
{
    size_t k = excerpt(s, n, end), o = 0;
    for (size_t i = 0; i < k && o + 3 < cap; i++) {
        if (s[i] == '"' || s[i] == '\\')
            buf[o++] = '\\';
        buf[o++] = s[i];
    }
    buf[o] = '\0';
    return buf;
}

static struct gql_token number(struct gql_lexer *lx, struct gql_token t)
{
    const char *p = lx->pos;
    bool is_float = false;
    if (*p == '-')
        p++;
    if (p < lx->end && *p == '0') {
        p++;
        if (p < lx->end && digit(*p))
            goto bad;
    } else if (p < lx->end && digit(*p)) {
        while (p < lx->end && digit(*p))
            p++;
    } else {
        goto bad;
    }
    if (p < lx->end && *p == '.') {
        is_float = true;
        p++;
        if (p == lx->end || !digit(*p))
            goto bad;
        while (p < lx->end && digit(*p))
            p++;
    }
    if (p < lx->end && (*p == 'e' || *p == 'E')) {
        is_float = true;
        p++;
        if (p < lx->end && (*p == '+' || *p == '-'))
            p++;
        if (p == lx->end || !digit(*p))
            goto bad;
        while (p < lx->end && digit(*p))
            p++;
    }
    if (p < lx->end && (*p == '.' || name_start(*p))) {
        const char *q = p;
        while (q < lx->end && name_char(*q))
            q++;
        if (*p == '.')
            goto bad;
        return fail(lx, t, "Name after number is not allowed (in `%.*s%.*s`)",
                    (int)excerpt(lx->pos, (size_t)(p - lx->pos), lx->end), lx->pos,
                    (int)excerpt(p, (size_t)(q - p), lx->end), p);
    }
    t.kind = is_float ? TOK_FLOAT : TOK_INT;
    t.len = (size_t)(p - lx->pos);
    lx->pos = p;
    return t;
bad:
    while (p < lx->end && (name_char(*p) || *p == '.' || *p == '-' || *p == '+'))
        p++;
    {
        char q[96];
        return fail(
            lx, t, "Parse error on \"%s\" (UNKNOWN_CHAR)",
            quoted(lx->pos, p > lx->pos ? (size_t)(p - lx->pos) : 1, lx->end, q, sizeof(q)));
    }
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *p, const char *end, uint32_t *ret)
{
    if (end - p < 4)
        return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex(p[i]);
        if (h < 0)
            return false;
        v = (v << 4) | (uint32_t)h;
    }
    *ret = v;
    return true;
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static struct gql_token string(struct gql_lexer *lx, struct gql_token t)
{
    const char *p = lx->pos + 1;
    /* the decoded text is never longer than the source: \uXXXX (6 bytes) gives at most 3,
     * a surrogate pair (12) gives 4 */
    char *out = sb_arena_alloc(lx->arena, (size_t)(lx->end - p) + 1);
    size_t n = 0;
    if (!out) {
        lx->error[0] = '\0';
        t.kind = TOK_ERROR;
        return t;
    }
    for (;;) {
        if (p == lx->end || *p == '\n' || *p == '\r') {
            char q[96];
            return fail(lx, t, "Parse error on \"%s\" (UNTERMINATED_STRING)",
                        quoted(lx->pos, (size_t)(p - lx->pos), lx->end, q, sizeof(q)));
        }
        if (*p == '"')
            break;
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        if (p + 1 == lx->end)
            return fail(lx, t, "Parse error on bad Unicode escape sequence");
        char e = p[1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char to[] = "\"\\/\b\f\n\r\t";
            out[n++] = to[simple - "\"\\/bfnrt"];
            p += 2;
            continue;
        }
        uint32_t c, lo;
        if (e != 'u' || !hex4(p + 2, lx->end, &c))
            return fail(lx, t, "Parse error on bad Unicode escape sequence");
        p += 6;
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (lx->end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, lx->end, &lo) ||
                lo < 0xDC00 || lo > 0xDFFF)
                return fail(lx, t, "Parse error on bad Unicode escape sequence");
            c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            return fail(lx, t, "Parse error on bad Unicode escape sequence");
        }
        n += put_utf8(out + n, c);
    }
    out[n] = '\0';
    t.kind = TOK_STRING;
    t.value = out;
    t.value_len = n;
    t.len = (size_t)(p + 1 - lx->pos);
    lx->pos = p + 1;
    return t;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* BlockStringValue (spec 2.9.4): the common indentation of every line but the first
 * removed, leading and trailing blank lines dropped, lines joined with \n. raw is the
 * text between the quotes with \""" already turned into """. */
static void block_value(const char *raw, size_t len, char *out, size_t *ret_len)
{
    size_t common = (size_t)-1;
    size_t n_lines = 0;
    /* first pass: the common indentation */
    for (size_t i = 0; i <= len;) {
        size_t j = i;
        while (j < len && raw[j] != '\n' && raw[j] != '\r')
            j++;
        if (n_lines > 0) {
            size_t ind = 0;
            while (i + ind < j && (raw[i + ind] == ' ' || raw[i + ind] == '\t'))
                ind++;
            if (ind < j - i && ind < common)
                common = ind;
        }
        n_lines++;
        if (j == len)
            break;
        i = j + (raw[j] == '\r' && j + 1 < len && raw[j + 1] == '\n' ? 2 : 1);
    }
    /* second pass: the lines, indentation removed, blank ones at both ends dropped */
    size_t n = 0, line = 0, last_text_end = 0;
    bool started = false;
    for (size_t i = 0; i <= len; line++) {
        size_t j = i;
        while (j < len && raw[j] != '\n' && raw[j] != '\r')
            j++;
        const char *s = raw + i;
        size_t sl = j - i;
        if (line > 0 && common != (size_t)-1) {
            size_t cut = common < sl ? common : sl;
            s += cut;
            sl -= cut;
        }
        if (started || !blank(s, sl)) {
            if (started)
                out[n++] = '\n';
            started = true;
            memcpy(out + n, s, sl);
            n += sl;
            if (!blank(s, sl))
                last_text_end = n;
        }
        if (j == len)
            break;
        i = j + (raw[j] == '\r' && j + 1 < len && raw[j + 1] == '\n' ? 2 : 1);
    }
    /* the trailing blank lines: keep up to the end of the last line with text */
    if (started) {
        size_t end = last_text_end;
        while (end < n && out[end] != '\n')
            end++;
        n = end;
    }
    out[n] = '\0';
    *ret_len = n;
}

static struct gql_token block_string(struct gql_lexer *lx, struct gql_token t)
{
    const char *p = lx->pos + 3;
    char *raw = sb_arena_alloc(lx->arena, (size_t)(lx->end - p) + 1);
    char *out = sb_arena_alloc(lx->arena, (size_t)(lx->end - p) + 1);
    size_t n = 0;
    if (!raw || !out) {
        lx->error[0] = '\0';
        t.kind = TOK_ERROR;
        return t;
    }
    for (;;) {
        if (p == lx->end) {
            char q[96];
            return fail(lx, t, "Parse error on \"%s\" (UNTERMINATED_STRING)",
                        quoted(lx->pos, (size_t)(p - lx->pos), lx->end, q, sizeof(q)));
        }
        if (lx->end - p >= 3 && memcmp(p, "\"\"\"", 3) == 0)
            break;
        if (lx->end - p >= 4 && memcmp(p, "\\\"\"\"", 4) == 0) {
            memcpy(raw + n, "\"\"\"", 3);
            n += 3;
            p += 4;
            continue;
        }
        if (*p == '\n' || *p == '\r') {
            /* keep the terminator as written; count the line */
            const char *q = newline(lx, p);
            memcpy(raw + n, p, (size_t)(q - p));
            n += (size_t)(q - p);
            p = q;
            continue;
        }
        raw[n++] = *p++;
    }
    size_t len;
    block_value(raw, n, out, &len);
    t.kind = TOK_BLOCK_STRING;
    t.value = out;
    t.value_len = len;
    t.len = (size_t)(p + 3 - lx->pos);
    lx->pos = p + 3;
    return t;
}

struct gql_token gql_lex_next(struct gql_lexer *lx)
{
    struct gql_token t = { .kind = TOK_EOF };
    if (lx->bad_utf8) {
        t.loc = (struct sb_gql_loc){ 1, 1 };
        return fail(lx, t, "Parse error on bad Unicode escape sequence");
    }
    skip_ignored(lx);
    t.start = lx->pos;
    t.loc = here(lx, lx->pos);
    if (lx->pos == lx->end)
        return t;
    if (++lx->n_tokens > lx->max_tokens)
        return fail(lx, t, "This query is too large to execute.");
    static const struct {
        char c;
        enum gql_tok tok;
    } punct[] = {
        { '!', TOK_BANG },     { '$', TOK_DOLLAR },   { '&', TOK_AMP },    { '(', TOK_LPAREN },
        { ')', TOK_RPAREN },   { ':', TOK_COLON },    { '=', TOK_EQUALS }, { '@', TOK_AT },
        { '[', TOK_LBRACKET }, { ']', TOK_RBRACKET }, { '{', TOK_LBRACE }, { '|', TOK_PIPE },
        { '}', TOK_RBRACE },
    };
    char c = *lx->pos;
    for (size_t i = 0; i < sizeof(punct) / sizeof(punct[0]); i++) {
        if (punct[i].c == c) {
            t.kind = punct[i].tok;
            t.len = 1;
            lx->pos++;
            return t;
        }
    }
    if (c == '.') {
        if (lx->end - lx->pos >= 3 && memcmp(lx->pos, "...", 3) == 0) {
            t.kind = TOK_SPREAD;
            t.len = 3;
            lx->pos += 3;
            return t;
        }
        char q[16];
        size_t left = (size_t)(lx->end - lx->pos);
        return fail(lx, t, "Expected `...`, actual: \"%s\"",
                    quoted(lx->pos, left < 3 ? left : 3, lx->end, q, sizeof(q)));
    }
    if (name_start(c)) {
        const char *p = lx->pos;
        while (p < lx->end && name_char(*p))
            p++;
        t.kind = TOK_NAME;
        t.len = (size_t)(p - lx->pos);
        lx->pos = p;
        return t;
    }
    if (c == '-' || digit(c))
        return number(lx, t);
    if (c == '"') {
        if (lx->end - lx->pos >= 3 && memcmp(lx->pos, "\"\"\"", 3) == 0)
            return block_string(lx, t);
        return string(lx, t);
    }
    uint32_t cp = 0;
    size_t n = utf8_char((const unsigned char *)lx->pos, (const unsigned char *)lx->end, &cp);
    if (n == 0) { /* not UTF-8: the byte itself is what is refused */
        n = 1;
        cp = (unsigned char)c;
    }
    if (cp < 0x20 || cp == 0x7F)
        return fail(lx, t, "Parse error on \"\\u%04x\" (UNKNOWN_CHAR)", (unsigned)cp);
    char q[16];
    return fail(lx, t, "Parse error on \"%s\" (UNKNOWN_CHAR)",
                quoted(lx->pos, n, lx->end, q, sizeof(q)));
}

const char *gql_tok_name(const struct gql_token *t)
{
    static const char *const names[] = {
        [TOK_EOF] = "EOF",           [TOK_BANG] = "BANG",
        [TOK_DOLLAR] = "VAR_SIGN",   [TOK_AMP] = "AMP",
        [TOK_LPAREN] = "LPAREN",     [TOK_RPAREN] = "RPAREN",
        [TOK_SPREAD] = "ELLIPSIS",   [TOK_COLON] = "COLON",
        [TOK_EQUALS] = "EQUALS",     [TOK_AT] = "DIR_SIGN",
        [TOK_LBRACKET] = "LBRACKET", [TOK_RBRACKET] = "RBRACKET",
        [TOK_LBRACE] = "LCURLY",     [TOK_PIPE] = "PIPE",
        [TOK_RBRACE] = "RCURLY",     [TOK_NAME] = "IDENTIFIER",
        [TOK_INT] = "INT",           [TOK_FLOAT] = "FLOAT",
        [TOK_STRING] = "STRING",     [TOK_BLOCK_STRING] = "STRING",
        [TOK_ERROR] = "error",
    };
    /* keywords have tokens of their own in graphql-ruby's lexer */
    static const char *const keywords[][2] = {
        { "query", "QUERY" },
        { "mutation", "MUTATION" },
        { "subscription", "SUBSCRIPTION" },
        { "fragment", "FRAGMENT" },
        { "on", "ON" },
        { "true", "TRUE" },
        { "false", "FALSE" },
        { "null", "NULL" },
    };
    if (t->kind == TOK_NAME)
        for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
            if (t->len == strlen(keywords[i][0]) && memcmp(t->start, keywords[i][0], t->len) == 0)
                return keywords[i][1];
    return names[t->kind];
}
