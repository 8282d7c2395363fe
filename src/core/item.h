/*
 * Items of the catalogue: identifiers (SKU, UPC, EAN, manufacturer SKU), a
 * name, costs in minor units, a tax class, whether stock is tracked, and a
 * price per price level. Items are store-wide; their stock is per outlet
 * (core/stock.h).
 *
 * This file also turns CSV records into items, so that the HTTP import and
 * `stockbridge items import` read files by the same rules: a header row
 * names the columns (any order, case-insensitive), money is decimal text,
 * and an empty cell means "not given".
 */
#ifndef SB_ITEM_H
#define SB_ITEM_H

#include "core/outlet.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_ITEM_SKU_MAX    64
#define SB_ITEM_NAME_MAX   200
#define SB_ITEM_TEXT_MAX   4000 /* description */
#define SB_ITEM_CODE_MAX   64   /* manufacturer SKU, tax class */
#define SB_ITEM_MAX_PRICES 64
#define SB_PRICE_LEVEL_MAX 100 /* name length */

struct sb_item_price {
    int64_t price_level_id;
    int64_t amount;
};

struct sb_item {
    struct sb_opt_str sku, name, upc, ean, manufacturer_sku, description, tax_class;
    int64_t default_cost, msrp;
    bool default_cost_set, msrp_set;
    bool track_stock, track_stock_set;
    bool active, active_set;
    /* On create and PATCH the list replaces the item's prices; a CSV row sets only
     * the levels it gives. */
    struct sb_item_price prices[SB_ITEM_MAX_PRICES];
    size_t n_prices;
    bool prices_set;
};

/* UPC-A: 12 digits whose last is the check digit. */
bool sb_upc_valid(const char *s);
/* EAN-13: 13 digits whose last is the check digit. */
bool sb_ean_valid(const char *s);
/* 1..64 bytes, no spaces or control characters. */
bool sb_sku_valid(const char *s);

/* Checks the fields that are set; on create, sku and name are required. Price
 * problems name "prices[i].amount" / "prices[i].price_level_id". */
sb_err sb_item_validate(const struct sb_item *it, bool create);

sb_err sb_price_level_validate(const char *name);

/* CSV import: the meaning of each column of a file. */
enum sb_item_col {
    SB_ICOL_SKU,
    SB_ICOL_NAME,
    SB_ICOL_UPC,
    SB_ICOL_EAN,
    SB_ICOL_MANUFACTURER_SKU,
    SB_ICOL_DESCRIPTION,
    SB_ICOL_DEFAULT_COST,
    SB_ICOL_MSRP,
    SB_ICOL_TAX_CLASS,
    SB_ICOL_TRACK_STOCK,
    SB_ICOL_ACTIVE,
    SB_ICOL_PRICE,  /* "price:<Level Name>" */
    SB_ICOL_STOCK,  /* "on_hand:<Outlet Name>": written by the export, read and ignored by
                     * the import (stock moves through the ledger, not the catalogue) */
    SB_ICOL_IGNORE, /* a column without a name: its cells must be empty */
};

struct sb_price_level_ref {
    int64_t id;
    const char *name;
};

struct sb_item_csv_col {
    enum sb_item_col kind;
    int64_t price_level_id; /* SB_ICOL_PRICE */
    char name[64];          /* canonical, for error reports: "upc", "price:Sale" (clipped to fit) */
};

struct sb_item_csv_map {
    struct sb_item_csv_col *cols; /* caller-provided, cap entries */
    size_t n, cap;
    int exponent; /* the decimals of the prices' currency (ISO 4217: JPY 0, USD 2, KWD 3) */
};

/* Reads the header row. Unknown or duplicate column names, a price level
 * that is not in levels, too many price columns and a missing "sku" column are
 * SB_EINVALID_CSV, with the column in the error's field. Names are trimmed in place. */
sb_err sb_item_csv_header(struct sb_item_csv_map *map, char *const *fields, size_t n,
                          const struct sb_price_level_ref *levels, size_t n_levels);
/* Fills *ret from one record: each non-empty cell is set (surrounding spaces trimmed
 * in place), money is parsed from decimal text with at most map->exponent decimals
 * (beyond them only zeros), flags from true/false/1/0/yes/no.
 * SB_EINVALID_FIELD names the column (no field for a value in a column without a
 * name, or beyond the header). Missing trailing cells count as empty. */
sb_err sb_item_csv_row(const struct sb_item_csv_map *map, char *const *fields, size_t n,
                       struct sb_item *ret);
/* True when every cell is empty or blank (such records are skipped). */
bool sb_item_csv_blank(char *const *fields, size_t n);

#endif
