/*
 * What every libFuzzer harness in fuzz/ shares: the entry point's declaration,
 * a check that turns a broken invariant into a crash libFuzzer keeps (with the
 * input that caused it), and copies of the input as C strings. Harnesses feed
 * the library's own parsers exactly as the network would; see docs/testing.md.
 */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H

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

#endif
