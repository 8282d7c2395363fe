/*
 * GraphQL error objects in the shape Shopify answers them (graphql-ruby's
 * GraphQL::StaticValidation::Error#to_h and GraphQL::ExecutionError#to_h):
 * {"message", "locations": [{"line", "column"}], "path", "extensions"}.
 * Messages are built in a bounded buffer: a hostile document cannot make one
 * error larger than about a kilobyte, nor an answer hold more than
 * SB_GQL_MAX_ERRORS of them.
 */
#include "gql/internal.h"

#include <stdio.h>
#include <string.h>

void gql_buf_add(struct gql_buf *b, const char *s, size_t n)
{
    const size_t room = sizeof(b->text) - 4; /* "..." and NUL */
    if (b->cut)
        return;
    if (b->len + n > room) {
        /* cut on a character boundary, so the message stays UTF-8 */
        size_t keep = room - b->len;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--;
        memcpy(b->text + b->len, s, keep);
        b->len += keep;
        memcpy(b->text + b->len, "...", 4);
        b->len += 3;
        b->cut = true;
        return;
    }
    memcpy(b->text + b->len, s, n);
    b->len += n;
    b->text[b->len] = '\0';
}

void gql_buf_addf(struct gql_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    gql_buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

const struct sb_gql_loc gql_no_locations = { 0, 0 };

/* The length of the valid UTF-8 character at s (n bytes left), 0 when there is none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    uint32_t cp = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Every message must be UTF-8 or jansson refuses it: what is not becomes '?' (messages are
 * built from valid pieces; this is the net under them). */
static void utf8_only(char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = utf8_len((const unsigned char *)s + i, n - i);
        if (!len) {
            s[i++] = '?';
            continue;
        }
        i += len;
    }
}

static json_t *location(const struct sb_gql_loc *loc)
{
    return json_pack("{s:I, s:I}", "line", (json_int_t)loc->line, "column", (json_int_t)loc->col);
}

json_t *gql_error(struct gql_errors *e, const struct sb_gql_loc *loc, json_t *path,
                  json_t *extensions, const char *fmt, ...)
{
    struct gql_buf msg = { .len = 0 };
    va_list ap;
    va_start(ap, fmt);
    char tmp[sizeof(msg.text)];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    msg.text[0] = '\0';
    if (n > 0)
        gql_buf_add(&msg, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    utf8_only(msg.text, msg.len);
    e->count++;
    if (json_array_size(e->list) >= SB_GQL_MAX_ERRORS) {
        json_decref(path);
        json_decref(extensions);
        return NULL;
    }
    json_t *err = json_object();
    if (!err || json_object_set_new(err, "message", json_stringn(msg.text, msg.len)) ||
        json_object_set_new(err, "locations", json_array())) {
        json_decref(err);
        json_decref(path);
        json_decref(extensions);
        e->oom = true;
        return NULL;
    }
    json_t *locs = json_object_get(err, "locations");
    if (loc == &gql_no_locations)
        json_object_del(err, "locations");
    else if (loc && json_array_append_new(locs, location(loc)))
        e->oom = true;
    if (path && json_object_set_new(err, "path", path))
        e->oom = true;
    if (extensions && json_object_set_new(err, "extensions", extensions))
        e->oom = true;
    if (json_array_append_new(e->list, err)) {
        e->oom = true;
        return NULL;
    }
    return err;
}

void gql_error_loc(struct gql_errors *e, json_t *error, const struct sb_gql_loc *loc)
{
    if (error && json_array_append_new(json_object_get(error, "locations"), location(loc)))
        e->oom = true;
}

json_t *gql_ext(struct gql_errors *e, const char *code, ...)
{
    json_t *ext = json_pack("{s:s}", "code", code);
    va_list ap;
    va_start(ap, code);
    for (const char *k; (k = va_arg(ap, const char *));) {
        const char *v = va_arg(ap, const char *);
        if (ext && v && json_object_set_new(ext, k, json_string(v)))
            e->oom = true;
    }
    va_end(ap);
    if (!ext)
        e->oom = true;
    return ext;
}
