/*
 * Overflow-checked money arithmetic and decimal text conversion.
 */
#include "core/money.h"

#include <stdio.h>

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

void sb_money_format(int64_t minor, char *buf, size_t cap)
{
    uint64_t abs = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    snprintf(buf, cap, "%s%llu.%02llu", minor < 0 ? "-" : "", (unsigned long long)(abs / 100),
             (unsigned long long)(abs % 100));
}

bool sb_money_parse(const char *s, int64_t *ret)
{
    if (!s || !*s)
        return false;
    bool neg = *s == '-';
    if (neg)
        s++;
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
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
            if (fdigits == 2)
                return false;
            frac = frac * 10 + (*s - '0');
        }
        if (fdigits == 0)
            return false;
        if (fdigits == 1)
            frac *= 10;
    }
    if (*s)
        return false;
    int64_t v;
    if (!sb_money_mul(whole, 100, &v) || !sb_money_add(v, frac, &v))
        return false;
    *ret = neg ? -v : v;
    return true;
}
