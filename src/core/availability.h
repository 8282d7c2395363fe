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

struct sb_outlet_stock {
    int64_t outlet_id, on_hand, reserved;
};

/* I2, I6: on hand less reserved, never below zero. */
int64_t sb_available(int64_t on_hand, int64_t reserved);

/* I2: the sum of sb_available over the rows whose outlet is one of outlet_ids (rows of
 * other outlets, and outlets without a row, add nothing); saturates at INT64_MAX. */
int64_t sb_available_sum(const struct sb_outlet_stock *rows, size_t n, const int64_t *outlet_ids,
                         size_t n_outlets);

#endif
