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

#endif
