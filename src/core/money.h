/*
 * Money is an int64 count of the currency's minor units with its ISO 4217
 * currency; never a float. The size of the minor unit is the currency's
 * exponent (core/currency.h): 1000 JPY is 1000, 12.34 USD is 1234, 1.234 KWD
 * is 1234. Arithmetic helpers refuse to overflow.
 */
#ifndef SB_MONEY_H
#define SB_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Amounts beyond this (about 92 trillion in major units) are refused at input. */
#define SB_MONEY_MAX ((int64_t)9000000000000000000 / 100)

/* True for three upper-case ASCII letters. */
bool sb_currency_valid(const char *code);
/* a + b and a * b, false on overflow or beyond SB_MONEY_MAX. */
bool sb_money_add(int64_t a, int64_t b, int64_t *ret);
bool sb_money_mul(int64_t a, int64_t b, int64_t *ret);
/* Decimal text with exactly `exponent` decimals: "12.34" for 1234 with 2, "1000" for 1000
 * with 0, "-1.234" for -1234 with 3. For display, CSV and the channels' wire formats. */
void sb_money_format(int64_t minor, int exponent, char *buf, size_t cap);
/* Parses decimal text ("12", "12.3", "-1.5") into minor units of a currency with
 * `exponent` decimals. Exact: more decimals are accepted only when they are zeros
 * ("1000.00" is 1000 yen), anything else is false, as are a sign other than a leading
 * "-", a missing digit on either side of the point, and amounts beyond SB_MONEY_MAX. */
bool sb_money_parse(const char *s, int exponent, int64_t *ret);
/* The same, rounding decimals beyond the currency's to its minor unit, half away from
 * zero (SPEC O4: "1.005" USD is 101, "-1.005" is -101, "0.5" JPY is 1). */
bool sb_money_parse_round(const char *s, int exponent, int64_t *ret);

#endif
