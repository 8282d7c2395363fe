/*
 * Money: overflow-checked arithmetic and decimal text in and out.
 */
#include "core/money.h"

#include <criterion/criterion.h>

Test(money, currency_codes)
{
    cr_expect(sb_currency_valid("USD"));
    cr_expect(sb_currency_valid("EUR"));
    cr_expect_not(sb_currency_valid("usd"));
    cr_expect_not(sb_currency_valid("US"));
    cr_expect_not(sb_currency_valid("USDD"));
    cr_expect_not(sb_currency_valid(NULL));
}

Test(money, parse_decimal_text)
{
    int64_t v = 0;
    cr_expect(sb_money_parse("12.34", &v));
    cr_expect_eq(v, 1234);
    cr_expect(sb_money_parse("12.3", &v));
    cr_expect_eq(v, 1230);
    cr_expect(sb_money_parse("7", &v));
    cr_expect_eq(v, 700);
    cr_expect(sb_money_parse("-0.05", &v));
    cr_expect_eq(v, -5);
    cr_expect(sb_money_parse("0.00", &v));
    cr_expect_eq(v, 0);
    cr_expect_not(sb_money_parse("1.234", &v));
    cr_expect_not(sb_money_parse("1.", &v));
    cr_expect_not(sb_money_parse(".5", &v));
    cr_expect_not(sb_money_parse("1e3", &v));
    cr_expect_not(sb_money_parse("", &v));
    cr_expect_not(sb_money_parse("12,50", &v));
    cr_expect_not(sb_money_parse("99999999999999999999", &v));
}

Test(money, format)
{
    char buf[32];
    sb_money_format(1234, buf, sizeof(buf));
    cr_expect_str_eq(buf, "12.34");
    sb_money_format(-5, buf, sizeof(buf));
    cr_expect_str_eq(buf, "-0.05");
    sb_money_format(0, buf, sizeof(buf));
    cr_expect_str_eq(buf, "0.00");
    sb_money_format(INT64_MIN, buf, sizeof(buf));
    cr_expect_str_eq(buf, "-92233720368547758.08");
}

Test(money, overflow_is_refused)
{
    int64_t v;
    cr_expect(sb_money_add(1, 2, &v));
    cr_expect_eq(v, 3);
    cr_expect_not(sb_money_add(SB_MONEY_MAX, 1, &v));
    cr_expect_not(sb_money_add(INT64_MAX, INT64_MAX, &v));
    cr_expect(sb_money_mul(3, 1999, &v));
    cr_expect_eq(v, 5997);
    cr_expect_not(sb_money_mul(SB_MONEY_MAX, 2, &v));
    cr_expect_not(sb_money_mul(INT64_MAX, 3, &v));
}
