/*
 * The error table and the thread-local "last error" detail record.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int status;
    const char *code;
    const char *message;
} table[] = {
#define XX(name, status, code, msg) { status, code, msg },
    SB_ERRORS(XX)
#undef XX
};

static _Thread_local struct sb_errinfo last;

/* The length of the UTF-8 sequence at s (strict: no overlong forms, surrogates or code
 * points above U+10FFFF), 0 when it is not one; *ret_cut says it ended at the NUL. */
static size_t utf8_len(const unsigned char *s, bool *ret_cut)
{
    unsigned char b = s[0];
    size_t len = b < 0x80                 ? 1
                 : b >= 0xC2 && b <= 0xDF ? 2
                 : b >= 0xE0 && b <= 0xEF ? 3
                 : b >= 0xF0 && b <= 0xF4 ? 4
                                          : 0;
    *ret_cut = false;
    if (len <= 1)
        return len;
    uint32_t cp = b & (0x7Fu >> len);
    for (size_t k = 1; k < len; k++) {
        if (!s[k])
            *ret_cut = true;
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Error details go into JSON bodies and logs, and jansson refuses text that is not UTF-8
 * (the error body would lose its message, SEC1). Fields and messages quote the input, cut
 * to fit (%.32s, a full buffer), which can split a character: a sequence cut at the end is
 * dropped and any other byte that is not UTF-8 becomes '?'. */
static void utf8_clean(char *text)
{
    unsigned char *s = (unsigned char *)text;
    while (*s) {
        bool cut;
        size_t len = utf8_len(s, &cut);
        if (len) {
            s += len;
        } else if (cut) {
            *s = '\0';
        } else {
            *s++ = '?';
        }
    }
}

sb_err sb_fail(sb_err err, const char *field, const char *fmt, ...)
{
    last.err = err;
    snprintf(last.field, sizeof(last.field), "%s", field ? field : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(last.message, sizeof(last.message), fmt, ap);
        va_end(ap);
    } else {
        snprintf(last.message, sizeof(last.message), "%s", sb_err_message(err));
    }
    utf8_clean(last.field);
    utf8_clean(last.message);
    return err;
}

const struct sb_errinfo *sb_err_last(void)
{
    return &last;
}

void sb_err_clear(void)
{
    memset(&last, 0, sizeof(last));
}

int sb_err_status(sb_err err)
{
    return (unsigned)err < SB_E__COUNT ? table[err].status : 500;
}

const char *sb_err_code(sb_err err)
{
    return (unsigned)err < SB_E__COUNT ? table[err].code : "internal";
}

const char *sb_err_message(sb_err err)
{
    return (unsigned)err < SB_E__COUNT ? table[err].message : "internal error";
}
