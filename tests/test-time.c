/*
 * Time: strict ISO 8601 parsing and UTC formatting.
 */
#include "util/timeutil.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

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

/* O3, SP2: updated_at versions and poll cursors are kept and compared as this text, so
 * every time that parses must format as 20 characters that parse back to it. Found by
 * fuzz/fuzz-time (fuzz/corpus/time/regress-year-below-1000): years below 1000 formatted
 * unpadded ("225-01-02T03:04:00Z"), and an offset could carry a time past year 9999,
 * whose 21 characters did not fit SB_TIME_LEN. */
Test(time, o3_every_parsed_time_formats_and_parses_back)
{
    static const char *const texts[] = {
        "0225-01-02T03:04:00Z", "0001-01-01",           "0999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59+01:00",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        int64_t t = 0, back = 0;
        char buf[SB_TIME_LEN];
        cr_assert(sb_time_parse(texts[i], &t), "%s", texts[i]);
        sb_time_format(t, buf, sizeof(buf));
        cr_expect_eq(strlen(buf), SB_TIME_LEN - 1, "%s formats as %s", texts[i], buf);
        cr_expect(sb_time_parse(buf, &back) && back == t, "%s formats as %s", texts[i], buf);
    }
    char buf[SB_TIME_LEN];
    sb_time_format(-55066769760, buf, sizeof(buf));
    cr_expect_str_eq(buf, "0225-01-02T03:04:00Z");
}

/* O3: an instant outside years 0000-9999 (an offset pushing it over) has no text form:
 * refused, and formatting clamps rather than writing past the buffer. */
Test(time, o3_refuses_instants_outside_the_text_range)
{
    int64_t t = 0;
    char buf[SB_TIME_LEN];
    cr_expect_not(sb_time_parse("9999-12-31T23:59:59-00:01", &t));
    cr_expect_not(sb_time_parse("0000-01-01T00:00:00+00:01", &t));
    sb_time_format(SB_TIME_MAX + 86400, buf, sizeof(buf));
    cr_expect_str_eq(buf, "9999-12-31T23:59:59Z");
    sb_time_format(INT64_MIN, buf, sizeof(buf));
    cr_expect_str_eq(buf, "0000-01-01T00:00:00Z");
}
