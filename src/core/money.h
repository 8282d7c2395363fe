/*
 * Money is an int64 count of minor units (cents) with its ISO 4217
 * currency; never a float. Arithmetic helpers refuse to overflow.
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
/* "12.34" for 1234 with 2 decimals; for display and CSV only. */
void sb_money_format(int64_t minor, char *buf, size_t cap);
/* Parses "12", "12.3", "12.34", "-1.5" into minor units (2 decimals); false on
 * anything else, including a third decimal. */
bool sb_money_parse(const char *s, int64_t *ret);

#endif
