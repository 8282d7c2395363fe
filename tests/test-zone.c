/*
 * Time zones from the tz database (util/zone.c), for SPEC T1: offsets and
 * local days around New York's midnight and its daylight saving changes,
 * names checked against the database, and every offset compared with the C
 * library's own reading of the same files (an independent oracle) over two
 * centuries, including the years after the files' last listed transition,
 * where the POSIX rule in their footer applies.
 */
#include "util/timeutil.h"
#include "util/zone.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t at(const char *iso)
{
    int64_t t;
    cr_assert(sb_time_parse(iso, &t), "%s", iso);
    return t;
}

static void expect_day(const char *zone, const char *iso, const char *want)
{
    char day[SB_DAY_LEN];
    cr_assert(sb_zone_day(zone, at(iso), day), "%s at %s", zone, iso);
    cr_expect_str_eq(day, want, "%s at %s: %s, want %s", zone, iso, day, want);
}

static int32_t offset(const char *zone, const char *iso)
{
    int32_t off = 99;
    cr_assert(sb_zone_offset(zone, at(iso), &off), "%s", zone);
    return off;
}

/* T1: New York's day ends at 05:00 UTC in winter and 04:00 UTC in summer. */
Test(zone, t1_new_york_midnight)
{
    expect_day("America/New_York", "2026-01-15T04:59:59Z", "2026-01-14");
    expect_day("America/New_York", "2026-01-15T05:00:00Z", "2026-01-15");
    expect_day("America/New_York", "2026-07-15T03:59:59Z", "2026-07-14");
    expect_day("America/New_York", "2026-07-15T04:00:00Z", "2026-07-15");
    /* 19:30 in New York is already tomorrow in UTC */
    expect_day("America/New_York", "2026-01-16T00:30:00Z", "2026-01-15");
    expect_day("UTC", "2026-01-16T00:30:00Z", "2026-01-16");
}

/* T1: the days of the changes are 23 and 25 hours long. */
Test(zone, t1_new_york_dst_changes)
{
    /* 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC) */
    cr_expect_eq(offset("America/New_York", "2026-03-08T06:59:59Z"), -5 * 3600);
    cr_expect_eq(offset("America/New_York", "2026-03-08T07:00:00Z"), -4 * 3600);
    expect_day("America/New_York", "2026-03-08T04:59:59Z", "2026-03-07");
    expect_day("America/New_York", "2026-03-08T05:00:00Z", "2026-03-08");
    expect_day("America/New_York", "2026-03-09T03:59:59Z", "2026-03-08");
    expect_day("America/New_York", "2026-03-09T04:00:00Z", "2026-03-09");
    /* 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00 UTC) */
    cr_expect_eq(offset("America/New_York", "2026-11-01T05:59:59Z"), -4 * 3600);
    cr_expect_eq(offset("America/New_York", "2026-11-01T06:00:00Z"), -5 * 3600);
    expect_day("America/New_York", "2026-11-01T03:59:59Z", "2026-10-31");
    expect_day("America/New_York", "2026-11-01T04:00:00Z", "2026-11-01");
    expect_day("America/New_York", "2026-11-02T04:59:59Z", "2026-11-01");
    expect_day("America/New_York", "2026-11-02T05:00:00Z", "2026-11-02");
}

/* Beyond 2037 the files list no transitions: the footer's rule decides. */
Test(zone, t1_rules_after_the_last_listed_transition)
{
    cr_expect_eq(offset("America/New_York", "2077-03-14T06:59:59Z"), -5 * 3600);
    cr_expect_eq(offset("America/New_York", "2077-03-14T07:00:00Z"), -4 * 3600);
    cr_expect_eq(offset("Australia/Sydney", "2077-01-01T00:00:00Z"), 11 * 3600);
    cr_expect_eq(offset("Australia/Sydney", "2077-07-01T00:00:00Z"), 10 * 3600);
}

/* Mexico City has had no daylight saving time since October 2022 (tz 2022f). */
Test(zone, t1_rules_newer_than_icu_72)
{
    cr_expect_eq(offset("America/Mexico_City", "2023-07-01T12:00:00Z"), -6 * 3600);
    cr_expect_eq(offset("America/Mexico_City", "2022-07-01T12:00:00Z"), -5 * 3600);
}

Test(zone, t1_names_are_checked_against_the_database)
{
    cr_expect(sb_zone_valid("America/New_York"));
    cr_expect(sb_zone_valid("UTC"));
    cr_expect(sb_zone_valid("Etc/GMT+5"));
    cr_expect(sb_zone_valid("America/Argentina/Buenos_Aires"));
    cr_expect(sb_zone_valid("US/Eastern"), "a link");
    cr_expect_not(sb_zone_valid("america/new_york"), "names are case-sensitive");
    cr_expect_not(sb_zone_valid("Mars/Olympus_Mons"));
    cr_expect_not(sb_zone_valid(""));
    cr_expect_not(sb_zone_valid(NULL));
    cr_expect_not(sb_zone_valid("../../../etc/passwd"));
    cr_expect_not(sb_zone_valid("/etc/localtime"));
    cr_expect_not(sb_zone_valid("America//New_York"));
    cr_expect_not(sb_zone_valid("America/New_York/"));
    cr_expect_not(sb_zone_valid("America/.hidden"));
    cr_expect_not(sb_zone_valid("right/America/New_York"), "leap-second variant");
    cr_expect_not(sb_zone_valid("posix/America/New_York"));
    cr_expect_not(sb_zone_valid("zone.tab"), "a file of the database that is no zone");
    cr_expect_not(sb_zone_valid("America"), "a directory");
    cr_expect_not(sb_zone_valid("EST5EDT,M3.2.0,M11.1.0"), "a POSIX TZ string is no name");
    char long_name[80];
    memset(long_name, 'A', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    cr_expect_not(sb_zone_valid(long_name));
    char day[SB_DAY_LEN] = "unchanged";
    cr_expect_not(sb_zone_day("Mars/Olympus_Mons", 0, day));
    cr_expect_str_eq(day, "unchanged");
}

static long libc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    cr_assert(localtime_r(&tt, &tm));
    return tm.tm_gmtoff;
}

static int check_at(const char *zone, int64_t t)
{
    int32_t off;
    cr_assert(sb_zone_offset(zone, t, &off));
    long want = libc_offset(t);
    if (off == want)
        return 0;
    char iso[SB_TIME_LEN];
    sb_time_format(t, iso, sizeof(iso));
    cr_expect_eq(off, want, "%s at %s: %d, the C library says %ld", zone, iso, off, want);
    return 1;
}

/* Over 1900-2100, in zones with unusual rules, every offset change the C library reads
 * from the same files (found by sampling every 6 hours, then bisecting to the second)
 * happens at the same second here, and the samples between agree (negative DST, half
 * hours, 45 minutes, changes at 24:00 or -1:00, southern hemisphere, no DST at all). */
Test(zone, t1_offsets_agree_with_the_c_library)
{
    static const char *const zones[] = {
        "America/New_York", "Europe/Dublin",       "Australia/Lord_Howe", "Pacific/Chatham",
        "Asia/Kolkata",     "America/Santiago",    "America/Nuuk",        "Africa/Casablanca",
        "Asia/Tehran",      "America/Mexico_City", "Pacific/Kiritimati",  "UTC",
    };
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        char tz[80];
        snprintf(tz, sizeof(tz), ":%s", zones[z]);
        setenv("TZ", tz, 1); /* the oracle only: this test is single-threaded */
        tzset();
        int bad = 0, changes = 0;
        const int64_t step = 6 * 3600;
        long now = libc_offset(-2208988800LL);
        for (int64_t t = -2208988800LL; t < 4102444800LL && bad < 3; t += step) {
            int32_t off;
            cr_assert(sb_zone_offset(zones[z], t, &off));
            if (off != now)
                bad += check_at(zones[z], t);
            long next = libc_offset(t + step);
            if (next != now) {
                int64_t lo = t, hi = t + step; /* lo: the old offset, hi: the new one */
                while (hi - lo > 1) {
                    int64_t mid = lo + (hi - lo) / 2;
                    if (libc_offset(mid) == now)
                        lo = mid;
                    else
                        hi = mid;
                }
                bad += check_at(zones[z], lo) + check_at(zones[z], hi);
                changes++;
            }
            now = next;
        }
        if (strcmp(zones[z], "America/New_York") == 0)
            cr_expect_gt(changes, 300, "New York changed its offset %d times", changes);
    }
}
