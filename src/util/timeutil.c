/*
 * UTC time formatting and a strict ISO 8601 parser.
 */
#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t test_now; /* 0: the real clock; else the time, stopped; atomic */

int64_t sb_time_now(void)
{
    int64_t t = __atomic_load_n(&test_now, __ATOMIC_RELAXED);
    return t ? t : (int64_t)time(NULL);
}

void sb_time_set_for_tests(int64_t now)
{
    __atomic_store_n(&test_now, now, __ATOMIC_RELAXED);
}

uint64_t sb_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* By hand rather than strftime: %Y does not pad years below 1000 to four digits, and text
 * that does not parse back (or sort) must never be stored or sent. */
void sb_time_format(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)(t < SB_TIME_MIN ? SB_TIME_MIN : t > SB_TIME_MAX ? SB_TIME_MAX : t);
    struct tm tm = { 0 };
    if (!cap)
        return;
    if (!gmtime_r(&tt, &tm)) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool digits(const char *s, int n, int *ret)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *ret = v;
    return true;
}

bool sb_time_parse(const char *s, int64_t *ret_t)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!s || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    const char *p = s + 10;
    long offset = 0;
    if (*p == 'T' || *p == ' ') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
            return false;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &se))
                return false;
            p += 3;
        }
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return false;
            while (isdigit((unsigned char)*p))
                p++;
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            int sign = *p == '-' ? -1 : 1;
            if (!digits(p + 1, 2, &oh))
                return false;
            p += 3;
            if (*p == ':')
                p++;
            if (!digits(p, 2, &om))
                return false;
            p += 2;
            offset = sign * (oh * 3600L + om * 60L);
        }
    }
    if (*p != '\0')
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    struct tm tm = { .tm_year = y - 1900,
                     .tm_mon = mo - 1,
                     .tm_mday = d,
                     .tm_hour = h,
                     .tm_min = mi,
                     .tm_sec = se };
    time_t t = timegm(&tm);
    struct tm check;
    gmtime_r(&t, &check);
    if (check.tm_mday != d) /* 2026-02-31 and friends */
        return false;
    int64_t at = (int64_t)t - offset;
    if (at < SB_TIME_MIN || at > SB_TIME_MAX) /* 0000-01-01T00:30+01:00: no text for it */
        return false;
    *ret_t = at;
    return true;
}
