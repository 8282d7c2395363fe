/*
 * The levels a channel should show for an item (I2, I6, I7): one per linked channel
 * location (the sum over its outlets), or, for a channel without location links, one at
 * the location the item is stocked at on the channel (ref.location_id) summing every
 * linked outlet; an item the channel's filters do not publish shows 0 everywhere.
 */
#ifndef SB_SYNC_STOCK_LEVELS_H
#define SB_SYNC_STOCK_LEVELS_H

#include "store/channel-held.h"
#include "store/stock-queue.h"
#include "sync/channel-cache.h"

/* From the item's stock rows now. *ret_error (static text) when it cannot be said where
 * the stock goes. */
sb_err sb_sync_levels(struct sb_db *db, const struct sb_channel_rt *rt,
                      const struct sb_sync_item *it, struct sb_arena *a,
                      struct sb_stock_level **ret, size_t *ret_n, const char **ret_error);
/* M9: adds to the item's stock rows what the channel holds itself at each outlet (held:
 * sb_store_channel_held's answer, sorted by item). */
void sb_sync_add_held(const struct sb_held *held, size_t n_held, int64_t item_id,
                      struct sb_outlet_stock *rows, size_t n_rows);
/* The same, from the item's stock rows given (held already added, when the kind has
 * held_statuses) (every outlet's; those the channel does not
 * stock from are ignored). */
sb_err sb_sync_levels_of(const struct sb_channel_rt *rt, const struct sb_sync_item *it,
                         const struct sb_outlet_stock *rows, size_t n_rows, struct sb_arena *a,
                         struct sb_stock_level **ret, size_t *ret_n, const char **ret_error);

#endif
