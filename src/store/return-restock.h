/*
 * Restocking a return later (SPEC M7, S2): a credit memo that came down
 * from Magento says nothing of what went back on the shelf, so its return
 * is recorded by the channel's setting, and staff put the goods back when
 * they have them in hand.
 */
#ifndef SB_STORE_RETURN_RESTOCK_H
#define SB_STORE_RETURN_RESTOCK_H

#include "core/scope.h"
#include "store/db.h"
#include "util/err.h"

#include <stdint.h>

/*
 * Puts back in stock every line of the return that was not restocked and is an item the
 * POS keeps (a ledger entry "return", reference "return:<id>", at the line's outlet), and
 * marks those lines restocked, in one transaction. *ret_n: how many lines it restocked.
 * SB_ENOT_FOUND for a return the scope does not reach; SB_ECONFLICT when nothing is left
 * to restock (every line restocked already, or none is a kept item) or the sale is voided.
 */
sb_err sb_store_return_restock(struct sb_db *db, const struct sb_scope *scope, int64_t return_id,
                               int64_t user_id, int64_t *ret_n);

#endif
