/*
 * Days, weeks and months of the reports (core/report-period.h). The conversions
 * between civil dates and day numbers are Howard Hinnant's days_from_civil and
 * civil_from_days, exact over the whole range without tables.
 */
#include "core/report-period.h"

#include <stdio.h>
#include <string.h>

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *ret_y, int64_t *ret_m, int64_t *ret_d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *ret_d = doy - (153 * mp + 2) / 5 + 1;
    *ret_m = mp < 10 ? mp + 3 : mp - 9;
    *ret_y = yoe + era * 400 + (*ret_m <= 2);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool sb_report_day_parse(const char *s, int64_t *ret)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1000 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    int64_t day = days_from_civil(y, m, d);
    int64_t yy, mm, dd;
    civil_from_days(day, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) /* 31 April, 29 February of a common year */
        return false;
    *ret = day;
    return true;
}

void sb_report_day_format(int64_t day, char buf[SB_REPORT_DAY_LEN])
{
    int64_t y, m, d;
    civil_from_days(day, &y, &m, &d);
    /* years outside 0-9999 cannot come from a parsed day plus a range of five years */
    unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000), mm = (unsigned)m % 100, dd = (unsigned)d % 100;
    snprintf(buf, SB_REPORT_DAY_LEN, "%04u-%02u-%02u", yy, mm, dd);
}

static const char *const group_names[] = { "auto", "day", "week", "month" };

bool sb_report_group_parse(const char *s, enum sb_report_group *ret)
{
    for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
        if (s && strcmp(s, group_names[i]) == 0) {
            *ret = (enum sb_report_group)i;
            return true;
        }
    return false;
}

const char *sb_report_group_name(enum sb_report_group g)
{
    return group_names[g];
}

enum sb_report_group sb_report_group_auto(int64_t ndays)
{
    return ndays <= SB_REPORT_AUTO_DAY    ? SB_GROUP_DAY
           : ndays <= SB_REPORT_AUTO_WEEK ? SB_GROUP_WEEK
                                          : SB_GROUP_MONTH;
}

int64_t sb_report_period_start(int64_t day, enum sb_report_group g)
{
    int64_t y, m, d;
    switch (g) {
    case SB_GROUP_WEEK: {
        /* 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday */
        int64_t wd = ((day % 7) + 7 + 3) % 7;
        return day - wd;
    }
    case SB_GROUP_MONTH:
        civil_from_days(day, &y, &m, &d);
        return days_from_civil(y, m, 1);
    default:
        return day;
    }
}

int64_t sb_report_period_next(int64_t start, enum sb_report_group g)
{
    int64_t y, m, d;
    switch (g) {
    case SB_GROUP_WEEK:
        return start + 7;
    case SB_GROUP_MONTH:
        civil_from_days(start, &y, &m, &d);
        return m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
    default:
        return start + 1;
    }
}
