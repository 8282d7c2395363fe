/*
 * The error table and the thread-local "last error" detail record.
 */
#include "util/err.h"

#include <stdarg.h>
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
