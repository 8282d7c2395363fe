/*
 * ISO 4217 exponents from ICU's currency data (Debian's libicu), which is
 * CLDR's: ucurr_getNumericCode() says whether ISO lists a code, and
 * ucurr_getDefaultFractionDigits() gives its digits. CLDR's digits are those
 * in everyday use, and for a few currencies they differ from ISO 4217's minor
 * unit (CLDR gives 0 where ISO keeps 2, or 3 for IQD, because the minor unit is
 * no longer used in practice). Channels and payment processors count in
 * ISO's unit, and SPEC O4 says amounts are held in it, so those currencies
 * take ISO's exponent from the table below; test-money.c checks that every
 * entry still differs from ICU's data, so the table never outlives its reason.
 */
#include "core/currency.h"
#include "core/money.h"

#include <string.h>
#include <unicode/ucurr.h>
#include <unicode/ustring.h>

/* Where CLDR's digits (ICU 72) differ from the ISO 4217 list (amendment 176). */
static const struct {
    char code[4];
    int exponent;
} iso_differs[] = {
    { "AFN", 2 }, { "ALL", 2 }, { "IQD", 3 }, { "IRR", 2 }, { "KPW", 2 },
    { "LAK", 2 }, { "LBP", 2 }, { "MGA", 2 }, { "MMK", 2 }, { "RSD", 2 },
    { "SLL", 2 }, { "SOS", 2 }, { "SYP", 2 }, { "YER", 2 },
};

int sb_currency_exponent(const char *code)
{
    if (!sb_currency_valid(code))
        return -1;
    UChar u[4];
    u_charsToUChars(code, u, 4);
    if (ucurr_getNumericCode(u) == 0)
        return -1;
    for (size_t i = 0; i < sizeof(iso_differs) / sizeof(iso_differs[0]); i++)
        if (memcmp(code, iso_differs[i].code, 4) == 0)
            return iso_differs[i].exponent;
    UErrorCode st = U_ZERO_ERROR;
    int32_t digits = ucurr_getDefaultFractionDigits(u, &st);
    if (U_FAILURE(st) || digits < 0 || digits > SB_CURRENCY_EXPONENT_MAX)
        return -1;
    return digits;
}
