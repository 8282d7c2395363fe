/*
 * Item records and their prices (portable SQL over the db interface), and
 * the CSV import shared by POST /api/v1/items/import and
 * `stockbridge items import`.
 */
#ifndef SB_STORE_ITEMS_H
#define SB_STORE_ITEMS_H

#include "core/item.h"
#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>

/* Writes a validated item and its prices in one transaction. SB_EDUPLICATE (field
 * "sku") when the SKU is taken; SB_EUNKNOWN_REFERENCE ("prices[i].price_level_id")
 * for a price level that does not exist. */
sb_err sb_store_item_create(struct sb_db *db, const struct sb_item *it, int64_t *ret_id);
/* Changes the fields that are set; a price list replaces the item's prices.
 * SB_ENOT_FOUND when there is no such item. */
sb_err sb_store_item_update(struct sb_db *db, int64_t id, const struct sb_item *it);
/* How many items there are. */
sb_err sb_store_item_count(struct sb_db *db, int64_t *ret);
/* The item with its "prices"; with a scope, also its "stock" at each outlet the scope
 * may see (zeros where the item has never moved). */
sb_err sb_store_item_get(struct sb_db *db, int64_t id, const struct sb_scope *stock_scope,
                         json_t **ret);

struct sb_item_filter {
    const char *sku, *upc, *ean, *manufacturer_sku; /* exact; NULL: any */
    const char *q; /* case-insensitive text in name, SKU or description */
    bool active, active_set;
};
#define SB_ITEM_QUERY_MAX 200

sb_err sb_store_item_list(struct sb_db *db, const struct sb_item_filter *f, int64_t after,
                          int64_t limit, json_t **ret);

struct sb_item_import {
    /* out */
    int64_t created, updated;
    /* On SB_EINVALID_FIELD (bad rows) and SB_EINVALID_CSV (a broken file):
     * [{"line": N, "field": name or null, "message": text}], at most
     * SB_IMPORT_MAX_DETAILS; the caller owns it. */
    json_t *details;
    /* in, optional: the ISO 4217 currency of the file's prices, which sets their decimals
     * (JPY 0, USD 2, KWD 3). NULL: the currency of the outlets, when they all have the
     * same one (USD when there is no outlet yet); when they have several it must be
     * given (SB_EMISSING_FIELD "currency"). Not a currency: SB_EINVALID_FIELD. */
    const char *currency;
    /* in, optional: called now and then with bytes read and the total */
    void (*progress)(void *ud, size_t done, size_t total);
    void *progress_ud;
};
#define SB_IMPORT_MAX_DETAILS 100

/*
 * Imports a CSV file in one transaction: a row whose SKU exists updates that item
 * (the columns given, non-empty cells only; prices for the levels given), any other
 * row creates an item. Every row is checked; if one is bad nothing is written and
 * the answer is SB_EINVALID_FIELD with a detail per bad row. A file that cannot be
 * read as CSV, or whose header is wrong, is SB_EINVALID_CSV.
 */
sb_err sb_store_items_import(struct sb_db *db, const char *data, size_t len,
                             struct sb_item_import *io);

#endif
