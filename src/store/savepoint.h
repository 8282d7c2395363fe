/*
 * A piece of work that may fail alone inside a larger transaction: the
 * pipeline applies each event of a batch (and a webhook's order beside its
 * record) in a savepoint of its own, so a bad one is undone without undoing
 * the others, which commit together.
 */
#ifndef SB_STORE_SAVEPOINT_H
#define SB_STORE_SAVEPOINT_H

#include "store/db.h"

/*
 * Runs fn(db, ctx) in a savepoint of the caller's transaction. When fn fails, its work
 * is rolled back to the savepoint and *ret_failed is fn's error (sb_err_last() still
 * describes it); else *ret_failed is SB_OK and its work stays. The return value is the
 * savepoint's own failure (it could not be made, undone or released): then the whole
 * transaction is not to be trusted and the caller gives it up.
 */
sb_err sb_store_savepoint(struct sb_db *db, sb_err (*fn)(struct sb_db *db, void *ctx), void *ctx,
                          sb_err *ret_failed);

#endif
