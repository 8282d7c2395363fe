/*
 * Stock reasons.
 */
#include "core/stock.h"

#include <string.h>

static const char *const names[] = { "sale",       "void",        "return",  "receipt",
                                     "count",      "adjustment",  "reservation", "release" };

const char *sb_stock_reason_name(enum sb_stock_reason r)
{
    return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "adjustment";
}

bool sb_stock_reason_parse(const char *s, enum sb_stock_reason *ret)
{
    for (unsigned i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0) {
            *ret = (enum sb_stock_reason)i;
            return true;
        }
    }
    return false;
}
