/*
 * Money: overflow-checked arithmetic, decimal text in and out in each
 * currency's own minor unit (JPY 0 decimals, USD 2, KWD 3, CLF 4), rounding
 * half away from zero (SPEC O4), and the ISO 4217 exponents themselves,
 * including the currencies where CLDR's digits (ICU's data) differ from ISO.
 */
#include "core/currency.h"
#include "core/money.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unicode/ucurr.h>
#include <unicode/ustring.h>

Test(money, currency_codes)
{
    cr_expect(sb_currency_valid("USD"));
    cr_expect(sb_currency_valid("EUR"));
    cr_expect_not(sb_currency_valid("usd"));
    cr_expect_not(sb_currency_valid("US"));
    cr_expect_not(sb_currency_valid("USDD"));
    cr_expect_not(sb_currency_valid(NULL));
}

/* O4: ISO 4217 exponents. */
Test(money, o4_iso_4217_exponents)
{
    cr_expect_eq(sb_currency_exponent("JPY"), 0);
    cr_expect_eq(sb_currency_exponent("KRW"), 0);
    cr_expect_eq(sb_currency_exponent("USD"), 2);
    cr_expect_eq(sb_currency_exponent("EUR"), 2);
    cr_expect_eq(sb_currency_exponent("KWD"), 3);
    cr_expect_eq(sb_currency_exponent("BHD"), 3);
    cr_expect_eq(sb_currency_exponent("TND"), 3);
    cr_expect_eq(sb_currency_exponent("CLF"), 4);
    /* where CLDR says otherwise */
    cr_expect_eq(sb_currency_exponent("IQD"), 3);
    cr_expect_eq(sb_currency_exponent("RSD"), 2);
    cr_expect_eq(sb_currency_exponent("ZZZ"), -1, "not a currency");
    cr_expect_eq(sb_currency_exponent("usd"), -1);
    cr_expect_eq(sb_currency_exponent(""), -1);
    cr_expect_eq(sb_currency_exponent(NULL), -1);
}

/* O4: the currencies whose ISO 4217 exponent is not CLDR's, as ICU ships it; each must
 * still differ, or core/currency.c's table has outlived its reason. And every other
 * currency ICU knows takes ICU's digits. */
Test(money, o4_iso_exponents_where_cldr_differs)
{
    static const char *const differ[] = { "AFN", "ALL", "IQD", "IRR", "KPW", "LAK", "LBP",
                                          "MGA", "MMK", "RSD", "SLL", "SOS", "SYP", "YER" };
    UErrorCode st = U_ZERO_ERROR;
    UEnumeration *all = ucurr_openISOCurrencies(UCURR_ALL, &st);
    cr_assert(U_SUCCESS(st));
    const char *code;
    int seen = 0, differing = 0;
    while ((code = uenum_next(all, NULL, &st)) && U_SUCCESS(st)) {
        UChar u[4];
        u_charsToUChars(code, u, 4);
        UErrorCode st2 = U_ZERO_ERROR;
        int cldr = ucurr_getDefaultFractionDigits(u, &st2);
        bool listed = false;
        for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++)
            listed |= strcmp(code, differ[i]) == 0;
        int ours = sb_currency_exponent(code);
        if (listed) {
            cr_expect_neq(ours, cldr, "%s: ICU now agrees with ISO (%d)", code, cldr);
            differing++;
        } else if (ucurr_getNumericCode(u) != 0) {
            cr_expect_eq(ours, cldr, "%s: %d, ICU says %d", code, ours, cldr);
        }
        seen++;
    }
    uenum_close(all);
    cr_expect_gt(seen, 150);
    cr_expect_eq(differing, (int)(sizeof(differ) / sizeof(differ[0])));
}

static void expect_parse(const char *s, int exponent, int64_t want)
{
    int64_t v = 424242;
    cr_expect(sb_money_parse(s, exponent, &v), "\"%s\" (%d decimals) refused", s, exponent);
    cr_expect_eq(v, want, "\"%s\" (%d decimals): %lld, want %lld", s, exponent, (long long)v,
                 (long long)want);
}

static void expect_refused(const char *s, int exponent)
{
    int64_t v = 424242;
    cr_expect_not(sb_money_parse(s, exponent, &v), "\"%s\" (%d decimals) accepted", s, exponent);
    cr_expect_eq(v, 424242, "\"%s\": the result was written", s);
}

static void expect_round(const char *s, int exponent, int64_t want)
{
    int64_t v = 424242;
    cr_expect(sb_money_parse_round(s, exponent, &v), "\"%s\" (%d decimals) refused", s, exponent);
    cr_expect_eq(v, want, "\"%s\" rounded (%d decimals): %lld, want %lld", s, exponent,
                 (long long)v, (long long)want);
}

Test(money, o4_parse_two_decimals)
{
    expect_parse("12.34", 2, 1234);
    expect_parse("12.3", 2, 1230);
    expect_parse("7", 2, 700);
    expect_parse("-0.05", 2, -5);
    expect_parse("0.00", 2, 0);
    expect_parse("12.3400", 2, 1234); /* zeros beyond the cent are exact */
    expect_refused("1.234", 2);
    expect_refused("1.", 2);
    expect_refused(".5", 2);
    expect_refused("+1", 2);
    expect_refused("1e3", 2);
    expect_refused("", 2);
    expect_refused("-", 2);
    expect_refused("12,50", 2);
    expect_refused("1 000", 2);
    expect_refused("99999999999999999999", 2);
    expect_refused("900000000000000000", 2); /* beyond SB_MONEY_MAX in cents */
}

/* O4: "1000" JPY is 1000 minor units, "1.234" KWD is 1234. */
Test(money, o4_parse_zero_three_and_four_decimals)
{
    expect_parse("1000", 0, 1000);
    expect_parse("1000.00", 0, 1000);
    expect_parse("-35", 0, -35);
    expect_refused("1000.5", 0);
    expect_parse("1.234", 3, 1234);
    expect_parse("1.2", 3, 1200);
    expect_parse("7", 3, 7000);
    expect_parse("-0.005", 3, -5);
    expect_refused("1.2345", 3);
    expect_parse("0.0001", 4, 1);
    expect_parse("39000.5", 4, 390005000);
}

/* O4: decimals beyond the currency's are rounded half away from zero. */
Test(money, o4_rounding_half_away_from_zero)
{
    expect_round("1.005", 2, 101);
    expect_round("1.004999", 2, 100);
    expect_round("-1.005", 2, -101);
    expect_round("-1.0049", 2, -100);
    expect_round("2.675", 2, 268); /* a double would say 2.67 */
    expect_round("0.5", 0, 1);
    expect_round("-0.5", 0, -1);
    expect_round("1000.49", 0, 1000);
    expect_round("1499.5", 0, 1500);
    expect_round("1.2345", 3, 1235);
    expect_round("1.2344999", 3, 1234);
    expect_round("-1.2345", 3, -1235);
    expect_round("0.0005", 3, 1);
    expect_round("0.0004", 3, 0);
    expect_round("12.34", 2, 1234); /* exact stays exact */
    expect_round("9.999", 2, 1000);
    int64_t v;
    cr_expect_not(sb_money_parse_round("1.2.3", 2, &v));
    cr_expect_not(sb_money_parse_round("abc", 2, &v));
}

static void expect_format(int64_t minor, int exponent, const char *want)
{
    char buf[32];
    sb_money_format(minor, exponent, buf, sizeof(buf));
    cr_expect_str_eq(buf, want, "%lld with %d decimals: %s, want %s", (long long)minor, exponent,
                     buf, want);
}

Test(money, o4_format_in_each_exponent)
{
    expect_format(1234, 2, "12.34");
    expect_format(-5, 2, "-0.05");
    expect_format(0, 2, "0.00");
    expect_format(INT64_MIN, 2, "-92233720368547758.08");
    expect_format(1000, 0, "1000");
    expect_format(-35, 0, "-35");
    expect_format(0, 0, "0");
    expect_format(1234, 3, "1.234");
    expect_format(5, 3, "0.005");
    expect_format(-1200, 3, "-1.200");
    expect_format(390005000, 4, "39000.5000");
    /* what is formatted parses back to the same amount */
    for (int e = 0; e <= 4; e++) {
        static const int64_t amounts[] = { 0, 1, -1, 99, 100, 12345, -987654321, SB_MONEY_MAX };
        for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
            char buf[32];
            int64_t back = 0;
            sb_money_format(amounts[i], e, buf, sizeof(buf));
            cr_expect(sb_money_parse(buf, e, &back) && back == amounts[i], "%s (%d)", buf, e);
        }
    }
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
    cr_expect_not(sb_money_parse_round("89999999999999999.995", 2, &v), "rounds past the max");
}
