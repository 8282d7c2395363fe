/*
 * Overflow-checked money arithmetic and decimal text conversion in the
 * currency's own minor unit, with no floating point anywhere.
 */
#include "core/money.h"

#include <stdio.h>

#define FRACTION_DIGITS_MAX 40 /* "0.000...": no amount needs more; longer text is refused */

bool sb_currency_valid(const char *code)
{
    if (!code)
        return false;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return false;
    return code[3] == '\0';
}

bool sb_money_add(int64_t a, int64_t b, int64_t *ret)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r) || r > SB_MONEY_MAX || r < -SB_MONEY_MAX)
        return false;
    *ret = r;
    return true;
}

bool sb_money_mul(int64_t a, int64_t b, int64_t *ret)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r) || r > SB_MONEY_MAX || r < -SB_MONEY_MAX)
        return false;
    *ret = r;
    return true;
}

static uint64_t pow10u(int e)
{
    uint64_t p = 1;
    while (e-- > 0)
        p *= 10;
    return p;
}

void sb_money_format(int64_t minor, int exponent, char *buf, size_t cap)
{
    uint64_t abs = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    if (exponent <= 0 || exponent > 9) {
        snprintf(buf, cap, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)abs);
        return;
    }
    uint64_t unit = pow10u(exponent), frac = abs % unit;
    char digits[10];
    for (int i = exponent - 1; i >= 0; i--, frac /= 10)
        digits[i] = (char)('0' + frac % 10);
    digits[exponent] = '\0';
    snprintf(buf, cap, "%s%llu.%s", minor < 0 ? "-" : "", (unsigned long long)(abs / unit), digits);
}

static bool parse(const char *s, int exponent, bool round, int64_t *ret)
{
    if (!s || !*s || exponent < 0 || exponent > 9)
        return false;
    bool neg = *s == '-';
    if (neg)
        s++;
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    bool up = false;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (__builtin_mul_overflow(whole, 10, &whole) ||
            __builtin_add_overflow(whole, *s - '0', &whole))
            return false;
    }
    if (digits == 0)
        return false;
    if (*s == '.') {
        s++;
        for (; *s >= '0' && *s <= '9'; s++, fdigits++) {
            if (fdigits == FRACTION_DIGITS_MAX)
                return false;
            if (fdigits < exponent)
                frac = frac * 10 + (*s - '0');
            else if (fdigits == exponent)
                up = *s >= '5'; /* half or more of the minor unit: away from zero */
            if (fdigits >= exponent && *s != '0' && !round)
                return false;
        }
        if (fdigits == 0)
            return false;
    }
    if (*s)
        return false;
    for (int i = fdigits < exponent ? fdigits : exponent; i < exponent; i++)
        frac *= 10;
    int64_t v;
    if (!sb_money_mul(whole, (int64_t)pow10u(exponent), &v) || !sb_money_add(v, frac, &v) ||
        !sb_money_add(v, up ? 1 : 0, &v))
        return false;
    *ret = neg ? -v : v;
    return true;
}

bool sb_money_parse(const char *s, int exponent, int64_t *ret)
{
    return parse(s, exponent, false, ret);
}

bool sb_money_parse_round(const char *s, int exponent, int64_t *ret)
{
    return parse(s, exponent, true, ret);
}
