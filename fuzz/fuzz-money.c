/*
 * Money text (core/money.c): amounts arrive as decimal text from webstores
 * ("199.00") and in CSV imports, in a currency with 0 to 4 decimals (its ISO
 * 4217 exponent). Whatever parses must be in range and come back unchanged
 * through format and parse again; what parses exactly parses the same when
 * rounded; any int64 in range must survive format then parse; the
 * overflow-checked arithmetic must agree with 128-bit arithmetic. The input is
 * the text; its first 16 bytes also serve as two int64 operands, its last byte
 * picks the exponent.
 */
#include "fuzz.h"

#include "core/money.h"

static int64_t i64_at(const uint8_t *data, size_t size, size_t at)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (at + i < size ? data[at + i] : 0);
    return (int64_t)v;
}

static void check_round_trip(int64_t v, int e, const char *what)
{
    char buf[32];
    int64_t back = 0;
    sb_money_format(v, e, buf, sizeof(buf));
    FZ_CHECK(sb_money_parse(buf, e, &back), "%s %lld formats as \"%s\", which does not parse", what,
             (long long)v, buf);
    FZ_CHECK(back == v, "%s %lld formats as \"%s\", which parses as %lld", what, (long long)v, buf,
             (long long)back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fz_cstr(data, size);
    if (!s)
        return 0;
    int e = size ? data[size - 1] % 5 : 2;
    int64_t v = 0, rounded = 0;
    if (sb_money_parse(s, e, &v)) {
        FZ_CHECK(v >= -SB_MONEY_MAX && v <= SB_MONEY_MAX, "\"%.40s\" parses out of range: %lld", s,
                 (long long)v);
        check_round_trip(v, e, "parsed amount");
        FZ_CHECK(sb_money_parse_round(s, e, &rounded) && rounded == v,
                 "\"%.40s\" parses exactly as %lld but rounds to %lld", s, (long long)v,
                 (long long)rounded);
    }
    if (sb_money_parse_round(s, e, &rounded))
        FZ_CHECK(rounded >= -SB_MONEY_MAX && rounded <= SB_MONEY_MAX,
                 "\"%.40s\" rounds out of range: %lld", s, (long long)rounded);
    (void)sb_currency_valid(s);
    free(s);

    int64_t a = i64_at(data, size, 0), b = i64_at(data, size, 8), r = 0;
    __int128 sum = (__int128)a + b, product = (__int128)a * b;
    bool sum_ok = sum >= -SB_MONEY_MAX && sum <= SB_MONEY_MAX;
    bool product_ok = product >= -SB_MONEY_MAX && product <= SB_MONEY_MAX;
    FZ_CHECK(sb_money_add(a, b, &r) == sum_ok && (!sum_ok || r == (int64_t)sum), "%lld + %lld",
             (long long)a, (long long)b);
    FZ_CHECK(sb_money_mul(a, b, &r) == product_ok && (!product_ok || r == (int64_t)product),
             "%lld * %lld", (long long)a, (long long)b);
    if (a >= -SB_MONEY_MAX && a <= SB_MONEY_MAX)
        check_round_trip(a, e, "amount");
    return 0;
}
