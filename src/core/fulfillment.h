/*
 * Fulfillments (SPEC F1, F2): each order that must be shipped or picked up
 * has one fulfillment per outlet it was allocated to, starting New.
 *   new -> in_progress -> packed -> shipped | picked_up   (final: "completed")
 *   cancelled from any non-final status.
 * Shipped is for shipping fulfillments, picked_up for pickups.
 */
#ifndef SB_FULFILLMENT_H
#define SB_FULFILLMENT_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sb_ff_status {
    SB_FF_NEW,
    SB_FF_IN_PROGRESS,
    SB_FF_PACKED,
    SB_FF_SHIPPED,
    SB_FF_PICKED_UP,
    SB_FF_CANCELLED,
};

enum sb_ff_kind {
    SB_FF_SHIPPING,
    SB_FF_PICKUP
};

const char *sb_ff_status_name(enum sb_ff_status s);
bool sb_ff_status_parse(const char *s, enum sb_ff_status *ret);
const char *sb_ff_kind_name(enum sb_ff_kind k);
bool sb_ff_kind_parse(const char *s, enum sb_ff_kind *ret);
bool sb_ff_status_final(enum sb_ff_status s);
/* SB_OK when from -> to is allowed for this kind; SB_EINVALID_TRANSITION otherwise. */
sb_err sb_ff_transition(enum sb_ff_kind kind, enum sb_ff_status from, enum sb_ff_status to);

struct sb_ff_line {
    int64_t sale_line_id;
    int64_t quantity;
    int64_t backorder_quantity;
};

struct sb_ff_new {
    int64_t sale_id, outlet_id, user_id;
    enum sb_ff_kind kind;
    bool is_split, is_backorder;
    const struct sb_ff_line *lines;
    size_t n_lines;
};

#endif
