/*
 * The catalogue an export-model webstore reads (SPEC E7), and its change
 * feed, as JSON in the shape the connection API will serve (documented in
 * docs/channels/export.md, "The catalogue"). For one channel: its items in
 * id order, each with its identifiers under the channel's names (I8), its
 * available stock per channel location (I2, I6), and its prices when the
 * channel uses POS pricing (PR1-PR3), filtered by the channel's publish
 * filters (I7); items that pass the filters but miss a required field come
 * separately with the reason (I8).
 *
 * The change feed rests on one table, catalogue_changes: one row per item
 * holding the sequence number of its latest change, taken from a counter
 * that only grows, written in the transaction of every stock move, price
 * change and item edit (sb_store_catalogue_touch, called by the stock
 * queue's hooks in store/stock-queue.c), while a channel of kind export
 * exists to read it (none: nothing is written; a channel made later starts
 * from a full page). A burst of changes to an item is one row. A feed cursor also carries a fingerprint of what the channel's
 * catalogue depends on besides the items (its settings, its locations,
 * whether its sale is on): when that moved, the feed answers "reset" and the
 * webstore reads the catalogue again.
 */
#ifndef SB_STORE_CATALOGUE_H
#define SB_STORE_CATALOGUE_H

#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

#define SB_CATALOGUE_LIMIT_MAX 500
/* A page examines at most this many items (filtered-out ones included), so that a
 * request is bounded whatever the filters hide: a page may hold fewer than its limit and
 * still have a next cursor. */
#define SB_CATALOGUE_SCAN_MAX 2000

/* The item's latest change gets the next sequence number; in the writer's transaction.
 * Every stock, price and item write reaches it through store/stock-queue.h. Nothing is
 * written while no channel of kind export exists. */
sb_err sb_store_catalogue_touch(struct sb_db *db, int64_t item_id);
/* The same for n items, in that order, asking once whether anything reads the feed. */
sb_err sb_store_catalogue_touch_many(struct sb_db *db, const int64_t *item_ids, size_t n);

/*
 * E7: up to limit (1..SB_CATALOGUE_LIMIT_MAX) entries of the channel's catalogue after
 * cursor (NULL or "": from the start), at time now (PR3's sale dates are judged at now):
 * {"channel_id", "currency", "items": [...], "incomplete": [...], "next_cursor": text or
 * null at the end, "changes_cursor": where the change feed starts for a reader of this
 * catalogue}. SB_ENOT_FOUND for an unknown channel; SB_EINVALID_QUERY (field "cursor" or
 * "limit") for a cursor this function did not give or a limit out of range.
 */
sb_err sb_store_catalogue_page(struct sb_db *db, int64_t channel_id, const char *cursor,
                               int64_t limit, int64_t now, json_t **ret);

/*
 * E7: what changed since a feed cursor (from a page's "changes_cursor" or a previous
 * answer's "next_cursor"): {"channel_id", "currency", "reset": bool, "items",
 * "incomplete", "removed": [{"id", "sku"}], "next_cursor", "more": bool}, up to limit
 * changed items in the order of their latest change. An item no longer published (the
 * filters, I7; an inactive item) is "removed"; nothing changed gives empty lists and
 * next_cursor equal to since. "reset" (lists empty): the channel's settings, locations or
 * sale state changed since the cursor, so the whole catalogue must be read again; its
 * next_cursor follows from now.
 */
sb_err sb_store_catalogue_changes(struct sb_db *db, int64_t channel_id, const char *since,
                                  int64_t limit, int64_t now, json_t **ret);

#endif
