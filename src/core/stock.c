/*
 * Stock reasons, and the rules of manual adjustments and stock levels.
 */
#include "core/stock.h"

#include <string.h>

static const char *const names[] = { "sale",         "void",       "return",      "receipt",
                                     "count",        "adjustment", "reservation", "release",
                                     "transfer_out", "transfer_in" };

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

sb_err sb_stock_transfer_check(int64_t on_hand, int64_t quantity, const char *field)
{
    if (on_hand - quantity < 0)
        return sb_fail(SB_EINSUFFICIENT, field,
                       "only %lld on hand at the outlet it leaves: moving %lld would go below zero",
                       (long long)on_hand, (long long)quantity);
    return SB_OK;
}

sb_err sb_stock_adjustment_quantity(const struct sb_stock_adjustment *a, int64_t on_hand,
                                    int64_t *ret)
{
    if (a->is_count) {
        *ret = a->count - on_hand;
        return SB_OK;
    }
    if (a->delta < 0 && on_hand + a->delta < 0)
        return sb_fail(SB_EINSUFFICIENT, "delta",
                       "only %lld on hand: a decrease of %lld would go below zero (count the"
                       " stock instead)",
                       (long long)on_hand, (long long)-a->delta);
    *ret = a->delta;
    return SB_OK;
}

sb_err sb_stock_levels_check(int64_t reorder_point, int64_t max_level)
{
    if (max_level > 0 && max_level < reorder_point)
        return sb_fail(SB_EINVALID_FIELD, "max_level",
                       "max_level (%lld) must not be below reorder_point (%lld)",
                       (long long)max_level, (long long)reorder_point);
    return SB_OK;
}
