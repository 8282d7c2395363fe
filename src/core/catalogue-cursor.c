/*
 * The catalogue's page and feed cursors (see catalogue-cursor.h): split out
 * of store/catalogue.c, which hands them out, so that they are read without a
 * database (and fuzzed so).
 */
#include "core/catalogue-cursor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sb_err bad_cursor(const char *field)
{
    return sb_fail(SB_EINVALID_QUERY, field, "%s is not a cursor this catalogue gave", field);
}

/* A decimal number >= 0 from s up to the first stop character (or the end). */
static bool number(const char *s, char stop, int64_t *ret, const char **ret_end)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || v < 0 || (*end != stop && *end))
        return false;
    *ret = v;
    *ret_end = end;
    return true;
}

void sb_catalogue_page_cursor_format(int64_t after, char *buf, size_t size)
{
    snprintf(buf, size, "p1-%lld", (long long)after);
}

sb_err sb_catalogue_page_cursor_parse(const char *s, int64_t *ret_after)
{
    const char *end;
    *ret_after = 0;
    if (!s || !*s)
        return SB_OK;
    if (strlen(s) > 40 || strncmp(s, "p1-", 3) != 0 || !number(s + 3, '\0', ret_after, &end))
        return bad_cursor("cursor");
    return SB_OK;
}

void sb_catalogue_feed_cursor_format(int64_t seq, uint64_t fp, char *buf, size_t size)
{
    snprintf(buf, size, "c1-%lld-%016" PRIx64, (long long)seq, fp);
}

sb_err sb_catalogue_feed_cursor_parse(const char *s, int64_t *ret_seq, uint64_t *ret_fp)
{
    const char *end;
    if (!s || strlen(s) > 60 || strncmp(s, "c1-", 3) != 0 || !number(s + 3, '-', ret_seq, &end) ||
        *end != '-' || strlen(end + 1) != 16)
        return bad_cursor("since");
    uint64_t fp = 0;
    for (const char *p = end + 1; *p; p++) {
        int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        if (d < 0)
            return bad_cursor("since");
        fp = fp << 4 | (uint64_t)d;
    }
    *ret_fp = fp;
    return SB_OK;
}
