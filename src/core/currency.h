/*
 * Currencies and their minor units. Money is held as an integer count of the
 * currency's minor unit, whose size is the ISO 4217 exponent: JPY 0 (a yen is
 * the unit), USD 2 (cents), KWD 3 (fils), CLF 4. SPEC O4.
 */
#ifndef SB_CURRENCY_H
#define SB_CURRENCY_H

#include <stdbool.h>

#define SB_CURRENCY_EXPONENT_MAX 4

/* The currency's ISO 4217 exponent (decimals of its minor unit), or -1 when code is not
 * an ISO 4217 currency code (three upper-case letters that ISO lists, current or
 * withdrawn). */
int sb_currency_exponent(const char *code);

#endif
