/*
 * The stock queue: stock and prices on their way to the channels (SPEC I1-I9,
 * PR1-PR4), as the database holds them: the coalescing queue (sync_queue, one
 * row per channel, kind and item, written in the transaction of every stock,
 * price or SKU change by the store functions below), how each channel knows
 * each item (channel_items), the figures a channel should show, and what
 * sync-status reports (channel_sync).
 */
#ifndef SB_STORE_STOCK_QUEUE_H
#define SB_STORE_STOCK_QUEUE_H

#include "core/availability.h"
#include "core/channel-item.h"
#include "store/channels.h"
#include "core/retry.h"
#include "store/db.h"
#include "util/arena.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* One queued change: an item whose figure the channel must be sent. */
struct sb_sync_row {
    int64_t item_id, seq, attempts;
};

/*
 * What queues a change, in the caller's transaction (these were SQLite triggers until
 * migration 10): every writer of stock rows, prices and SKUs calls one of them for each
 * row it writes, so a burst of changes to one item is one row whose seq counts them.
 */
/* I3, I4: the item's stock row at the outlet was written (on hand, reserved, on order,
 * reorder point or maximum level): the item is queued ("stock") for every enabled channel
 * with stock sync on that stocks from the outlet (linked outlets and location links
 * alike). A parked row gets a fresh start (no attempts, due now); one backing off keeps
 * its wait. */
sb_err sb_store_queue_stock_change(struct sb_db *db, int64_t item_id, int64_t outlet_id);
/* The same for n stock rows (item_ids[i] at outlet_ids[i]), reading the channels once per
 * outlet rather than once per row. */
sb_err sb_store_queue_stock_changes(struct sb_db *db, const int64_t *item_ids,
                                    const int64_t *outlet_ids, size_t n);
/* PR4: one of the item's prices was written: its price is queued for every channel (one
 * without POS pricing drops it when its turn comes). */
sb_err sb_store_queue_price_change(struct sb_db *db, int64_t item_id);
/* The item's record was written, its SKU perhaps: how each channel knows the item is
 * forgotten, and its stock queued for every channel, so it is found by SKU again. */
sb_err sb_store_queue_item_change(struct sb_db *db, int64_t item_id);

/* Channels with rows due now (pending or parked, next attempt reached), up to cap. */
sb_err sb_store_sync_due_channels(struct sb_db *db, int64_t now, int64_t *ids, size_t cap,
                                  size_t *ret_n);
/* Up to cap due rows of one channel and kind ("stock" or "price"), oldest first. */
sb_err sb_store_sync_due(struct sb_db *db, int64_t channel_id, const char *kind, int64_t now,
                         struct sb_sync_row *rows, size_t cap, size_t *ret_n);
/* Sent (or no longer to send): the row goes, unless a change arrived meanwhile (its seq
 * moved), which keeps it for the next pass. */
sb_err sb_store_sync_done(struct sb_db *db, int64_t channel_id, const char *kind,
                          const struct sb_sync_row *row);
/* Failed: tried again with backoff, parked with the error (core/retry.c: sb_retry_stock). */
sb_err sb_store_sync_failed(struct sb_db *db, int64_t channel_id, const char *kind,
                            const struct sb_sync_row *row, const char *error);
/* Queues one item for a channel (a reconciliation found its figure wrong there): a row
 * already queued is due again at once, with its attempts reset. */
sb_err sb_store_sync_queue_item(struct sb_db *db, int64_t channel_id, const char *kind,
                                int64_t item_id);
/* Queues, for one channel, every item on the lines of a sale (M9: a downloaded order the
 * channel holds itself changed, not the stock: what the channel is sent changes with it). */
sb_err sb_store_sync_queue_sale(struct sb_db *db, int64_t channel_id, const char *kind,
                                int64_t sale_id);
/* Queues every item for a channel (a channel linked anew, or its stock sync turned on). */
sb_err sb_store_sync_queue_all(struct sb_db *db, int64_t channel_id, const char *kind);

/* How the channel knows an item; known false when it was never looked up. */
struct sb_sync_item {
    int64_t item_id;
    const char *sku;
    bool known;
    struct sb_channel_item ref; /* ref.item_id NULL: not on the channel */
};
/* Fills items[i] for the item ids (sku from the item, the rest from channel_items). */
sb_err sb_store_sync_items(struct sb_db *db, int64_t channel_id, const int64_t *item_ids, size_t n,
                           struct sb_arena *a, struct sb_sync_item *items);
sb_err sb_store_sync_item_set(struct sb_db *db, int64_t channel_id, int64_t item_id,
                              const struct sb_channel_item *ref);

/* The item's stock rows in every outlet (a handful), in the arena: what the levels a
 * channel should show are computed from (sync/stock-levels.h). */
sb_err sb_store_outlet_stock(struct sb_db *db, int64_t item_id, struct sb_arena *a,
                             struct sb_outlet_stock **ret, size_t *ret_n);

/* PR1-PR3: the item's prices for the channel at time now: *ret_regular from the regular
 * price level, *ret_sale from the sale level while the channel's sale is on and lower
 * than the regular price (else 0). *ret_why (static text) when the item has no regular
 * price: nothing is sent. */
sb_err sb_store_sync_price(struct sb_db *db, const struct sb_channel_settings *s, int64_t item_id,
                           int64_t now, int64_t *ret_regular, int64_t *ret_sale,
                           const char **ret_why);
/* PR3: whether the channel's sale is on at time now. */
bool sb_sync_sale_on(const struct sb_channel_settings *s, int64_t now);
/* PR3: counts the channels whose sale started or ended since last seen; with apply (in a
 * write), queues every item's price again for them. */
sb_err sb_store_sync_sale_windows(struct sb_db *db, int64_t now, bool apply, size_t *ret_changed);

/* Records a push (n levels sent) or a failed one (error) for sync-status. */
sb_err sb_store_sync_pushed(struct sb_db *db, int64_t channel_id, int64_t n, const char *error);

/* I9: a failed poll is tried again after SB_POLL_BACKOFF_FIRST seconds, doubling with each
 * failure in a row up to SB_POLL_BACKOFF_MAX, give or take a quarter (jitter), whatever the
 * channel's poll interval; a poll that works puts the channel back on its interval. The
 * figures are the poll's retry policy (core/retry.c: sb_retry_poll). */
#define SB_POLL_BACKOFF_FIRST (sb_retry_poll.base_seconds)
#define SB_POLL_BACKOFF_MAX   (sb_retry_poll.cap_seconds)
/* The wait after the failures-th failure in a row; jitter_permille in [-250, 250]. */
int64_t sb_sync_poll_backoff(int64_t failures, int64_t jitter_permille);
/* Records a poll's outcome at time now: error NULL for one that worked (failures reset),
 * else the failure, with the next try due after the backoff. In a write. */
sb_err sb_store_poll_record(struct sb_db *db, int64_t channel_id, int64_t now, const char *error,
                            int64_t jitter_permille);
/* Every channel's poll state, for /metrics: [{channel_id, failures, retry_at, last_error,
 * last_error_at, last_ok_at}]. */
sb_err sb_store_poll_states(struct sb_db *db, json_t **ret);

/* /metrics: the rows waiting in the stock queue, per channel, kind and state:
 * [{channel_id, kind, status, count, oldest_queued_at}], in that order. */
sb_err sb_store_sync_queue_gauges(struct sb_db *db, json_t **ret);

/* GET /api/v1/channels/{id}/sync-status (with "poll": the poll's state, I9). */
sb_err sb_store_sync_status(struct sb_db *db, int64_t channel_id, json_t **ret);
/* GET /api/v1/channels/{id}/items?status=excluded: the items that do not reach the
 * channel, each with why (not on the channel, changes parked, not published: I7, I8); up
 * to limit rows after item id `after`. */
sb_err sb_store_sync_excluded(struct sb_db *db, const struct sb_channel_record *rec, int64_t after,
                              int64_t limit, json_t **ret);

#endif
