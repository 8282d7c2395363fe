/*
 * RFC 5322 text for util/mail.h. A growing buffer bounded by the message's own inputs;
 * headers first, a blank line, then the body.
 */
#include "util/mail.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_base64(struct buf *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        char out[4] = { b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                        i + 2 < n ? b64[v & 63] : '=' };
        put(b, out, 4);
    }
}

/* How many bytes the UTF-8 sequence starting at s takes (1 for a stray byte), so that an
 * encoded-word never splits a character. */
static size_t char_len(const unsigned char *s, size_t left)
{
    size_t n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
    return n <= left ? n : 1;
}

char *sb_mail_header_value(const char *text, size_t name_len)
{
    /* control characters (CR and LF among them) become spaces: one line, no new header */
    size_t n = strlen(text);
    unsigned char *clean = malloc(n + 1);
    if (!clean)
        return NULL;
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        clean[i] = c < 0x20 || c == 0x7f ? ' ' : c;
        ascii &= c < 0x80;
    }
    clean[n] = '\0';
    struct buf b = { 0 };
    /* plain ASCII that does not look like an encoded-word stays as it is (folded by the
     * reader if long: header lines may be up to 998 bytes) */
    if (ascii && n < 900 && !strstr((char *)clean, "=?")) {
        puts_(&b, (char *)clean);
        free(clean);
        return b.p ? b.p : calloc(1, 1);
    }
    /* =?UTF-8?B?...?= words, each line within 76 columns: the first after "Name: ", the
     * others after a space; 4 base64 characters carry 3 bytes, and a word never splits a
     * character */
    size_t room = name_len + 2 + 12 < 76 ? 76 - (name_len + 2) - 12 : 12;
    for (size_t i = 0; i < n;) {
        size_t most = room / 4 * 3, take = 0;
        while (i + take < n) {
            size_t c = char_len(clean + i + take, n - i - take);
            if (take + c > most)
                break;
            take += c;
        }
        if (take == 0) /* a character longer than the room: it still goes, whole */
            take = char_len(clean + i, n - i);
        if (i > 0)
            puts_(&b, "\r\n ");
        puts_(&b, "=?UTF-8?B?");
        put_base64(&b, clean + i, take);
        puts_(&b, "?=");
        i += take;
        room = 76 - 1 - 12;
    }
    free(clean);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : calloc(1, 1);
}

static void header(struct buf *b, const char *name, const char *value)
{
    char *v = sb_mail_header_value(value, strlen(name));
    if (!v) {
        b->failed = true;
        return;
    }
    puts_(b, name);
    puts_(b, ": ");
    puts_(b, v);
    puts_(b, "\r\n");
    free(v);
}

/* The body: "\n" or "\r\n" ends a line (a lone CR is one too), other control characters
 * but tab are dropped, lines longer than 998 bytes are broken. */
static void body(struct buf *b, const char *s)
{
    size_t col = 0;
    for (const char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u == '\r' || u == '\n') {
            if (u == '\r' && c[1] == '\n')
                c++;
            puts_(b, "\r\n");
            col = 0;
            continue;
        }
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            continue;
        if (col == 998) {
            puts_(b, "\r\n");
            col = 0;
        }
        put(b, c, 1);
        col++;
    }
    if (col)
        puts_(b, "\r\n");
}

char *sb_mail_compose(const struct sb_mail *m, size_t *ret_len)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;
    gmtime_r(&m->date, &tm);
    char date[64];
    snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    struct buf b = { 0 };
    header(&b, "Date", date);
    header(&b, "From", m->from);
    puts_(&b, "To: ");
    for (size_t i = 0; i < m->n_to; i++) {
        char *v = sb_mail_header_value(m->to[i], 2);
        if (!v) {
            b.failed = true;
            break;
        }
        puts_(&b, i ? ",\r\n " : "");
        puts_(&b, v);
        free(v);
    }
    puts_(&b, "\r\n");
    header(&b, "Subject", m->subject);
    header(&b, "Message-ID", m->message_id);
    puts_(&b, "MIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=UTF-8\r\n"
              "Content-Transfer-Encoding: 8bit\r\n"
              "Auto-Submitted: auto-generated\r\n"
              "\r\n");
    body(&b, m->body);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    *ret_len = b.len;
    return b.p;
}
