/*
 * Outlets (shops) and their registers. An outlet keeps stock and makes
 * sales in one currency.
 */
#ifndef SB_OUTLET_H
#define SB_OUTLET_H

#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>

/* A field a PATCH may or may not carry. */
struct sb_opt_str {
    const char *v;
    bool set;
};

struct sb_outlet {
    struct sb_opt_str name, currency, timezone, address, phone, email;
};

/* Checks the fields that are set; on create, name and currency are required. */
sb_err sb_outlet_validate(const struct sb_outlet *o, bool create);

#endif
