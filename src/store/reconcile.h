/*
 * What reconciliation (SPEC I5, sync/reconcile.c) reads of the POS and
 * keeps (portable SQL): the catalogue walked in item id order a batch at a
 * time, with the batch's stock rows and what the channel's ids for those
 * items were, each streamed in item id order to a callback so nothing is
 * copied twice; and its report, kept for sync-status. Its corrections are
 * queued with the stock queue's own function (store/stock-queue.h).
 */
#ifndef SB_STORE_RECONCILE_H
#define SB_STORE_RECONCILE_H

#include "core/availability.h"
#include "store/db.h"

#include <stdint.h>

/* Up to limit items after item id `after`, by id: each(ud, id, sku) until it fails. */
sb_err sb_store_items_after(struct sb_db *db, int64_t after, int64_t limit,
                            sb_err (*each)(void *ud, int64_t item_id, const char *sku), void *ud);

/* Every stock row of the items lo..hi, by item id: each(ud, item_id, row) until it fails. */
sb_err sb_store_stock_rows_between(struct sb_db *db, int64_t lo, int64_t hi,
                                   sb_err (*each)(void *ud, int64_t item_id,
                                                  const struct sb_outlet_stock *row),
                                   void *ud);

/* How a channel knew an item (channel_items); any id may be NULL. */
struct sb_known_item {
    const char *sku, *item_id, *variant_id, *product_id, *location_id;
};
/* The channel's known items among lo..hi, by item id: each(ud, item_id, known) until it
 * fails (the strings live for the call only). */
sb_err sb_store_channel_items_between(struct sb_db *db, int64_t channel_id, int64_t lo, int64_t hi,
                                      sb_err (*each)(void *ud, int64_t item_id,
                                                     const struct sb_known_item *known),
                                      void *ud);

/* Keeps a reconciliation's report (JSON text) as the channel's last, finished at `at`. */
sb_err sb_store_reconcile_report(struct sb_db *db, int64_t channel_id, const char *at,
                                 const char *report);

#endif
