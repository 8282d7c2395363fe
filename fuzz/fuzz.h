/*
 * What every libFuzzer harness in fuzz/ shares: the entry point's declaration,
 * a check that turns a broken invariant into a crash libFuzzer keeps (with the
 * input that caused it), and copies of the input as C strings. Harnesses feed
 * the library's own parsers exactly as the network would; see docs/testing.md.
 */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant: when it does not hold, say which and abort (libFuzzer saves the input). */
#define FZ_CHECK(cond, ...)                                                                       \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fputc('\n', stderr);                                                                  \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

/* data[0..size) as a NUL-terminated string in malloc'd memory (NULL only when out of
 * memory: the harness then returns). Embedded NULs stay: C readers stop at the first. */
static inline char *fz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return NULL;
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Cuts the next piece off *data: the bytes up to sep (which is skipped) or to the end.
 * Returns false when nothing is left. Harnesses whose input holds several parts (a header
 * and a body, several answers) split it this way, so that seeds stay readable text. */
static inline bool fz_next(const uint8_t **data, size_t *size, const char *sep, const uint8_t **ret,
                           size_t *ret_len)
{
    if (!*data)
        return false;
    size_t n = strlen(sep);
    const uint8_t *p = *data, *end = *data + *size;
    for (const uint8_t *q = p; n && (size_t)(end - q) >= n; q++) {
        if (memcmp(q, sep, n) == 0) {
            *ret = p;
            *ret_len = (size_t)(q - p);
            *size -= (size_t)(q + n - p);
            *data = q + n;
            return true;
        }
    }
    *ret = p;
    *ret_len = *size;
    *data = NULL;
    *size = 0;
    return true;
}

/* Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF). */
static inline bool fz_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char b = u[i];
        size_t len = b < 0x80                 ? 1
                     : b >= 0xC2 && b <= 0xDF ? 2
                     : b >= 0xE0 && b <= 0xEF ? 3
                     : b >= 0xF0 && b <= 0xF4 ? 4
                                              : 0;
        if (!len || i + len > n)
            return false;
        uint32_t cp = len == 1 ? b : b & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (u[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* What every failure must leave behind (SEC1): the error's field and message go into the
 * JSON error body and the channel logs, so they are valid UTF-8 - else jansson refuses the
 * string and the body loses its message. */
static inline void fz_check_error(sb_err err)
{
    if (err == SB_OK)
        return;
    const struct sb_errinfo *e = sb_err_last();
    FZ_CHECK(fz_utf8(e->field, strlen(e->field)), "error field is not UTF-8: \"%s\"", e->field);
    FZ_CHECK(fz_utf8(e->message, strlen(e->message)), "error message is not UTF-8: \"%s\"",
             e->message);
}

#endif
