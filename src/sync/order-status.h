/*
 * A kind's status table read into an order that came down (SPEC 8, "channel
 * status tables"): for a kind with SB_CH_STATUS_IN, the raw status the order
 * carries (sb_order.channel_status) says what the POS does with it - cancelled
 * (S1), paid (P4), fulfilled (S4) - through the fields the rest of the engine
 * already reads. A kind without the bit puts those fields in its parser.
 */
#ifndef SB_SYNC_ORDER_STATUS_H
#define SB_SYNC_ORDER_STATUS_H

#include "sync/channel-cache.h"

/* The order as the status table reads it, into *ret (a copy of o). *ret_kept: the raw
 * status when the kind has the bit but no row takes it in (it does not travel: the caller
 * logs it), else NULL. */
void sb_sync_order_status(const struct sb_channel_rt *rt, const struct sb_order *o,
                          struct sb_order *ret, const char **ret_kept);

#endif
