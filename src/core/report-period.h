/*
 * The calendar of the reports (issue 16 item 6): local days "YYYY-MM-DD" as day numbers,
 * and the periods a range is grouped by - days, weeks starting on Monday, calendar
 * months - so that a long range stays readable. Pure date arithmetic on the proleptic
 * Gregorian calendar: the days are already each outlet's own (SPEC T1), so no time zone
 * enters here.
 */
#ifndef SB_REPORT_PERIOD_H
#define SB_REPORT_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_REPORT_DAY_LEN   11   /* "2026-11-22" + NUL */
#define SB_REPORT_MAX_DAYS  1827 /* five years and a leap day: the longest range */
#define SB_REPORT_AUTO_DAY  62   /* auto: days up to two months */
#define SB_REPORT_AUTO_WEEK 366  /* auto: weeks up to a year; months beyond */

enum sb_report_group {
    SB_GROUP_AUTO,
    SB_GROUP_DAY,
    SB_GROUP_WEEK,
    SB_GROUP_MONTH
};

/* "YYYY-MM-DD" (a real date, years 1000-9999) as days since 1970-01-01. */
bool sb_report_day_parse(const char *s, int64_t *ret);
void sb_report_day_format(int64_t day, char buf[SB_REPORT_DAY_LEN]);
/* "auto", "day", "week", "month". */
bool sb_report_group_parse(const char *s, enum sb_report_group *ret);
const char *sb_report_group_name(enum sb_report_group g);
/* The group auto chooses for a range of n days. */
enum sb_report_group sb_report_group_auto(int64_t ndays);
/* The first day of the period (g: day, week or month) that holds day. */
int64_t sb_report_period_start(int64_t day, enum sb_report_group g);
/* The first day of the period after the one that starts at start. */
int64_t sb_report_period_next(int64_t start, enum sb_report_group g);

#endif
