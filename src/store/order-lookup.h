/*
 * What applying a web order reads of the POS (portable SQL): the item a line
 * names (O5: by SKU, then UPC, EAN and manufacturer SKU), the stock each
 * outlet has for allocation (A2), the outlet of the channel's register, and,
 * for an order already down, its sale's state, shipment and lines, and the
 * lines a refund can return. The decisions stay with the caller
 * (sync/order-apply.c); these only read.
 */
#ifndef SB_STORE_ORDER_LOOKUP_H
#define SB_STORE_ORDER_LOOKUP_H

#include "store/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first item (lowest id) whose code equals the given one; *ret_id 0 when none.
 * The field: SKU, UPC, EAN or manufacturer SKU. */
enum sb_item_code {
    SB_ITEM_SKU,
    SB_ITEM_UPC,
    SB_ITEM_EAN,
    SB_ITEM_MPN
};
sb_err sb_store_item_by_code(struct sb_db *db, enum sb_item_code field, const char *code,
                             int64_t *ret_id, bool *ret_tracked);

/* The same by SKU for n codes at once (one statement for a whole order's lines): for
 * each codes[i] (NULL: skipped), the first item (lowest id) with that SKU, or 0, and
 * with it what sb_store_stock_free answers for it at outlet_id (ret_free[i]). */
sb_err sb_store_items_by_sku(struct sb_db *db, const char *const *codes, size_t n,
                             int64_t outlet_id, int64_t *ret_ids, bool *ret_tracked,
                             int64_t *ret_free);

/* On hand less reserved of an item at an outlet; 0 when it has no stock row there. */
sb_err sb_store_stock_free(struct sb_db *db, int64_t item_id, int64_t outlet_id, int64_t *ret);

/* The same for n items at one outlet, in one statement: ret[i] for item_ids[i]. */
sb_err sb_store_stock_free_many(struct sb_db *db, const int64_t *item_ids, size_t n,
                                int64_t outlet_id, int64_t *ret);

/* The register's outlet; 0 when the register is gone. */
sb_err sb_store_register_outlet(struct sb_db *db, int64_t register_id, int64_t *ret_outlet);

/* A sale's status and money, as a later version of its order needs them. */
struct sb_sale_state {
    char status[16];
    char kind[16]; /* sale, order (an open customer order) or invoice (M6) */
    int64_t paid_total, balance_due, total;
};
/* SB_ENOT_FOUND for an unknown sale. */
sb_err sb_store_sale_state(struct sb_db *db, int64_t sale_id, struct sb_sale_state *ret);

/* The sale's shipment and whether it has gone; *ret_id 0 when it has none. */
sb_err sb_store_sale_shipment(struct sb_db *db, int64_t sale_id, int64_t *ret_id,
                              bool *ret_shipped);

/* The ids of the sale's lines in line order, up to cap. */
sb_err sb_store_sale_line_ids(struct sb_db *db, int64_t sale_id, int64_t *ids, size_t cap,
                              size_t *ret_n);

/* Whether the sale has a return with this external id (a refund already applied). */
sb_err sb_store_sale_return_seen(struct sb_db *db, int64_t sale_id, const char *external_id,
                                 bool *ret);

/* The sale's lines that came from the channel's line external_line_id, in line order:
 * each(ud, line, what is left to return) for each until it returns false. */
sb_err sb_store_sale_returnable_lines(struct sb_db *db, int64_t sale_id,
                                      const char *external_line_id,
                                      bool (*each)(void *ud, int64_t sale_line_id, int64_t left),
                                      void *ud);

#endif
