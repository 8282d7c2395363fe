/*
 * Which channels carry an item and what they were last sent (the item page,
 * issue 16 item 1): how each channel knows the item (channel_items), what is
 * waiting for it in the stock queue (sync_queue), and the last quantity and
 * prices it took (channel_sent, recorded by the stock lane).
 */
#ifndef SB_STORE_ITEM_CHANNELS_H
#define SB_STORE_ITEM_CHANNELS_H

#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>

/* The channel took the item's figure: kind "stock" (value: the quantity summed over the
 * channel's locations) or "price" (value: the regular price, sale: the sale price or 0).
 * In the caller's transaction. */
sb_err sb_store_item_sent(struct sb_db *db, int64_t channel_id, int64_t item_id, const char *kind,
                          int64_t value, int64_t sale);

/* The channels the scope may see (SEC2: those stocked from one of its outlets), each with
 * the item on it: [{channel_id, name, kind, enabled, status ("on_channel", "not_on_channel",
 * "not_looked_up"), external_item_id, checked_at, sent: {stock: {sent_at, quantity},
 * price: {sent_at, price, sale_price}}, queued: {stock, price: {status, attempts,
 * last_error, queued_at}}}], each inner object null when there is none.
 * SB_ENOT_FOUND when there is no such item. */
sb_err sb_store_item_channels(struct sb_db *db, const struct sb_scope *scope, int64_t item_id,
                              json_t **ret);

#endif
