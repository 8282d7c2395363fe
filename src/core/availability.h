/*
 * What a channel may sell (SPEC I2, I6): each outlet offers its on-hand stock
 * less what is reserved for orders not yet fulfilled, never below zero, and a
 * channel (or a channel location) offers the sum over the outlets linked to
 * it. On-hand alone is never what a channel sees.
 */
#ifndef SB_CORE_AVAILABILITY_H
#define SB_CORE_AVAILABILITY_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

struct sb_outlet_stock {
    int64_t outlet_id, on_hand, reserved, on_order, reorder_point, max_level;
    /* M9: what the channel being sent to still holds back itself for orders already
     * deducted here (Magento's reservations); added to what is sent so that the channel
     * does not count those orders twice. 0 for every other channel. */
    int64_t held;
};

/* I7: which items a channel publishes; any filter that is on publishes. */
struct sb_publish_filters {
    bool on_hand;  /* on hand > 0 (the default) */
    bool on_order; /* on order > 0 */
    bool reorder;  /* a reorder point or maximum level > 0 */
};

/* I2, I6: on hand less reserved, never below zero. */
int64_t sb_available(int64_t on_hand, int64_t reserved);

/* I2: the sum of sb_available over the rows whose outlet is one of outlet_ids (rows of
 * other outlets, and outlets without a row, add nothing); saturates at INT64_MAX. */
int64_t sb_available_sum(const struct sb_outlet_stock *rows, size_t n, const int64_t *outlet_ids,
                         size_t n_outlets);

/* I7: NULL when the filters publish the item, given its stock in the outlets the channel
 * stocks from; otherwise why not (static text, for the excluded list). An item the
 * channel stops publishing is sent 0 (withdrawn), never left at its last figure. */
const char *sb_unpublished_reason(const struct sb_publish_filters *f,
                                  const struct sb_outlet_stock *rows, size_t n,
                                  const int64_t *outlet_ids, size_t n_outlets);

#endif
