/*
 * O5 resolved: a web order's line that named a product the POS did not know
 * (imported as a non-inventory line carrying the channel's SKU, title and
 * price, the sale flagged for review) is matched to an item by staff; from
 * then on it is that item's line, and the stock moves as the import would
 * have moved it.
 */
#ifndef SB_STORE_SALE_MAP_LINE_H
#define SB_STORE_SALE_MAP_LINE_H

#include "core/scope.h"
#include "store/db.h"

#include <stdint.h>

/*
 * Maps line line_id of sale sale_id to item item_id, in one transaction (joining the
 * caller's), or refuses with nothing written:
 *   - a sale the scope does not see, or a line not of that sale: SB_ENOT_FOUND;
 *   - a voided sale: SB_ESALE_VOIDED; an open customer order (M6, its stock is held, not
 *     taken): SB_ECONFLICT;
 *   - a line that is not an unmatched web order line (it has an item already, or it is a
 *     shipping line or a till sale's line): SB_ECONFLICT;
 *   - a line at an outlet outside the scope (a split order's other part):
 *     SB_EOUTLET_FORBIDDEN;
 *   - an item that does not exist: SB_EUNKNOWN_REFERENCE ("item_id").
 * Then: the line names the item (its SKU stays the channel's); the units no return took
 * leave the line's outlet as the import's sale movement would have (reason sale,
 * reference "sale:<id>", which queues the stock sync, I3; nothing for an item that does
 * not track stock); the sale's history gets a note saying which line became which item
 * and what moved; and when no unmatched line is left, a review flag raised for unknown
 * products (review_reason "unknown product: ...") is cleared, with a "reviewed" event.
 * *ret_moved (may be NULL) gets the units taken from stock.
 */
sb_err sb_store_sale_map_line(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                              int64_t line_id, int64_t item_id, int64_t user_id,
                              int64_t *ret_moved);

/* The review reason O5's import gives, which mapping the last unknown line clears. */
#define SB_REVIEW_UNKNOWN_PREFIX "unknown product:"

#endif
