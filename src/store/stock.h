/*
 * Stock rows and the ledger (portable SQL).
 */
#ifndef SB_STORE_STOCK_H
#define SB_STORE_STOCK_H

#include "core/scope.h"
#include "core/stock.h"
#include "store/db.h"

#include <jansson.h>

/*
 * Applies one movement: appends the ledger entry and updates the stock row
 * (created on first use), inside the caller's transaction. Items that do not
 * track stock are left alone (*ret_applied false). Returns on hand after.
 */
sb_err sb_store_stock_move(struct sb_db *db, const struct sb_stock_move *m, int64_t *ret_on_hand,
                           bool *ret_applied);
/* Several movements in the caller's transaction, as sb_store_stock_move applies each in
 * turn - the same ledger entries, in order, and the same rows - in a few statements
 * rather than a few per movement. tracked[i] says whether m[i]'s item tracks stock when
 * the caller has just read it (NULL: read here); ret_applied (may be NULL) gets, for each,
 * whether it was applied. */
sb_err sb_store_stock_moves(struct sb_db *db, const struct sb_stock_move *m, size_t n,
                            const bool *tracked, bool *ret_applied);
/* The same, answering the new ledger entry's id (0 when nothing was applied). */
sb_err sb_store_stock_move_entry(struct sb_db *db, const struct sb_stock_move *m,
                                 int64_t *ret_ledger_id, bool *ret_applied);

/* The stock of an item at an outlet: item_id, sku, name, outlet_id, on_hand, reserved,
 * available (on hand less reserved), on_order, reorder_point, max_level, updated_at
 * (zeros and a null updated_at when the item has never moved there). Not scoped: the
 * caller has checked the outlet. SB_ENOT_FOUND when the item does not exist. */
sb_err sb_store_stock_row(struct sb_db *db, int64_t item_id, int64_t outlet_id, json_t **ret);

/*
 * Stock rows (as sb_store_stock_row) of up to limit items whose id is above after,
 * ordered by item then outlet: each item's rows at every outlet in scope come
 * together, so a page never splits an item. item_id / outlet_id 0: any. Only rows
 * that exist (an item that has moved, or had levels set, at the outlet).
 * *ret_next is the last item id when the page is full, else 0.
 */
sb_err sb_store_stock_list(struct sb_db *db, const struct sb_scope *scope, int64_t item_id,
                           int64_t outlet_id, int64_t after, int64_t limit, json_t **ret,
                           int64_t *ret_next);

/* One ledger entry; SB_ENOT_FOUND when there is none. */
sb_err sb_store_ledger_entry(struct sb_db *db, int64_t id, json_t **ret);
/* Ledger entries of an item (at one outlet, or 0: every outlet in scope), by id. */
sb_err sb_store_ledger_list(struct sb_db *db, const struct sb_scope *scope, int64_t item_id,
                            int64_t outlet_id, int64_t after, int64_t limit, json_t **ret);

/* A manual adjustment or count, in one transaction. SB_EUNKNOWN_REFERENCE for an
 * unknown item or outlet; SB_EINVALID_FIELD ("item_id") for an item that does not
 * track stock. */
sb_err sb_store_stock_adjust(struct sb_db *db, const struct sb_stock_adjustment *a,
                             int64_t *ret_ledger_id);

struct sb_stock_receipt_line {
    int64_t item_id, quantity;
};

/* Received goods: one ledger entry per line (reason receipt, reference
 * "receipt:<reference>" or "receipt"), on order reduced by the quantity but not
 * below zero; one transaction. Line errors name "lines[i].item_id". */
sb_err sb_store_stock_receive(struct sb_db *db, int64_t outlet_id, const char *reference,
                              const char *note, int64_t user_id,
                              const struct sb_stock_receipt_line *lines, size_t n);

/* A transfer between two outlets (issue 16 item 1): per line, a ledger entry out of the
 * one (reason transfer_out, reference "transfer-to:<outlet>") and one into the other
 * (transfer_in, "transfer-from:<outlet>"), queued for the channels like any change (I3);
 * one transaction, nothing written if a line is bad. The outlet left may not go below
 * zero (SB_EINSUFFICIENT, "lines[i].quantity"), as with an adjustment. Line errors name
 * "lines[i].item_id"; the same outlet twice is SB_EINVALID_FIELD "to_outlet_id". */
sb_err sb_store_stock_transfer(struct sb_db *db, int64_t from_outlet_id, int64_t to_outlet_id,
                               const char *note, int64_t user_id,
                               const struct sb_stock_receipt_line *lines, size_t n);

/* Sets on order, reorder point and maximum level (those given); no ledger entry. */
sb_err sb_store_stock_set_levels(struct sb_db *db, const struct sb_stock_levels *l);

#endif
