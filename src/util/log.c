/*
 * key=value event logging. Each line is formatted into a local buffer and
 * written with one write(2), so lines from several threads never interleave.
 */
#include "util/log.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum sb_log_level min_level = SB_LOG_INFO;
static const char *names[] = { "debug", "info", "warn", "error" };

void sb_log_set_level(enum sb_log_level level)
{
    min_level = level;
}

void sb_log_level_from_env(void)
{
    const char *level = getenv("STOCKBRIDGE_LOG_LEVEL");
    for (int i = 0; level && i < 4; i++)
        if (strcmp(level, names[i]) == 0)
            min_level = (enum sb_log_level)i;
}

/* Appends s, truncating so that one byte always stays free for the newline. */
static size_t append(char *buf, size_t len, size_t cap, const char *s)
{
    if (len + 1 >= cap)
        return len;
    size_t n = strnlen(s, cap - len - 1);
    memcpy(buf + len, s, n);
    return len + n;
}

static size_t append_value(char *buf, size_t len, size_t cap, const char *v)
{
    int quote = v[0] == '\0' || strpbrk(v, " \t\"=\n") != NULL;
    if (!quote)
        return append(buf, len, cap, v);
    len = append(buf, len, cap, "\"");
    for (; *v && len < cap - 3; v++) {
        if (*v == '"' || *v == '\\')
            buf[len++] = '\\';
        buf[len++] = (*v == '\n' || *v == '\t') ? ' ' : *v;
    }
    return append(buf, len, cap, "\"");
}

void sb_log(enum sb_log_level level, const char *event, ...)
{
    if (level < min_level)
        return;
    char buf[2048], ts[32];
    sb_time_format(sb_time_now(), ts, sizeof(ts));
    size_t len =
        (size_t)snprintf(buf, sizeof(buf), "ts=%s level=%s event=%s", ts, names[level], event);
    va_list ap;
    va_start(ap, event);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        len = append(buf, len, sizeof(buf), " ");
        len = append(buf, len, sizeof(buf), k);
        len = append(buf, len, sizeof(buf), "=");
        len = append_value(buf, len, sizeof(buf), v ? v : "");
    }
    va_end(ap);
    buf[len++] = '\n'; /* append() always leaves room for it */
    ssize_t w = write(STDERR_FILENO, buf, len);
    (void)w;
}
