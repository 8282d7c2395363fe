/*
 * Time: strict ISO 8601 parsing and UTC formatting.
 */
#include "util/timeutil.h"

#include <criterion/criterion.h>

Test(time, parses_dates_times_and_offsets)
{
    int64_t t;
    cr_expect(sb_time_parse("1970-01-01", &t));
    cr_expect_eq(t, 0);
    cr_expect(sb_time_parse("2026-11-22T14:01:44Z", &t));
    cr_expect_eq(t, 1795356104);
    cr_expect(sb_time_parse("2026-11-22T15:01:44+01:00", &t));
    cr_expect_eq(t, 1795356104);
    cr_expect(sb_time_parse("2026-11-22T09:01:44.123-05:00", &t));
    cr_expect_eq(t, 1795356104);
    cr_expect(sb_time_parse("2026-11-22 14:01:44", &t)); /* Magento's form: UTC, no zone */
    cr_expect_eq(t, 1795356104);
    cr_expect(sb_time_parse("2026-11-22T14:01", &t));
    cr_expect_eq(t, 1795356060);
}

Test(time, refuses_malformed)
{
    int64_t t;
    cr_expect_not(sb_time_parse("2026-02-30", &t));
    cr_expect_not(sb_time_parse("2026-13-01", &t));
    cr_expect_not(sb_time_parse("2026-1-1", &t));
    cr_expect_not(sb_time_parse("yesterday", &t));
    cr_expect_not(sb_time_parse("2026-11-22T25:00:00Z", &t));
    cr_expect_not(sb_time_parse("2026-11-22Tx", &t));
    cr_expect_not(sb_time_parse("2026-11-22T14:01:44Zjunk", &t));
    cr_expect_not(sb_time_parse("", &t));
    cr_expect_not(sb_time_parse(NULL, &t));
}

Test(time, formats_utc)
{
    char buf[SB_TIME_LEN];
    sb_time_format(1795356104, buf, sizeof(buf));
    cr_expect_str_eq(buf, "2026-11-22T14:01:44Z");
    sb_time_format(0, buf, sizeof(buf));
    cr_expect_str_eq(buf, "1970-01-01T00:00:00Z");
}
