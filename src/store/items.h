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

/* The item list's orders (issue 16 item 1): by id, name (case-insensitive) or SKU, each
 * either way; ties by id. */
enum sb_item_sort {
    SB_ITEM_SORT_ID,
    SB_ITEM_SORT_ID_DESC,
    SB_ITEM_SORT_NAME,
    SB_ITEM_SORT_NAME_DESC,
    SB_ITEM_SORT_SKU,
    SB_ITEM_SORT_SKU_DESC,
};

struct sb_item_filter {
    const char *sku, *upc, *ean, *manufacturer_sku; /* exact; NULL: any */
    /* an exact SKU, UPC, EAN or manufacturer SKU, or case-insensitive text in the name,
     * SKU or description */
    const char *q;
    bool active, active_set;
    /* items whose available stock (on hand less reserved) is below their reorder point at
     * an outlet of the scope (at outlet_id, when given) */
    bool low_stock;
    int64_t outlet_id; /* the outlet the stock columns and low_stock read; 0: the scope's */
    enum sb_item_sort sort;
};
#define SB_ITEM_QUERY_MAX 200
#define SB_ITEM_COUNT_CAP 100000

/* A page of the item list (store/item-search.c): up to limit items after the item `after`
 * in the sort's order, each with its prices and its stock summed over the scope's outlets
 * (or outlet_id): on_hand, available, on_order, and low_stock (below the reorder point at
 * one of them). SB_EINVALID_QUERY ("after") when after names no item. */
sb_err sb_store_item_list(struct sb_db *db, const struct sb_scope *scope,
                          const struct sb_item_filter *f, int64_t after, int64_t limit,
                          json_t **ret);
/* How many items the filters match, up to SB_ITEM_COUNT_CAP + 1. */
sb_err sb_store_item_list_count(struct sb_db *db, const struct sb_scope *scope,
                                const struct sb_item_filter *f, int64_t *ret);
/* The item's prices as the item record carries them: [{price_level_id, name, amount}]. */
sb_err sb_store_item_prices(struct sb_db *db, json_t *item);

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

/* The decimals of a file's prices: those of the currency given (NULL: of the one currency
 * the outlets use; SB_EMISSING_FIELD "currency" when they use several). */
sb_err sb_store_items_exponent(struct sb_db *db, const char *currency, int *ret);

/* The CSV export (store/item-export.c): every item, by id, in the columns the import
 * reads (sku, name, upc, ean, manufacturer_sku, description, default_cost, msrp,
 * tax_class, track_stock, active, price:<level> for every price level), and then
 * on_hand:<outlet> for each outlet of the scope, which the import ignores; money in the
 * currency's decimals as sb_store_items_exponent. *ret_csv is malloc'd. */
sb_err sb_store_items_export(struct sb_db *db, const struct sb_scope *scope, const char *currency,
                             char **ret_csv, size_t *ret_len);

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
