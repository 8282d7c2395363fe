/*
 * Finds violations of the invariants in core/check.h with a few
 * aggregate queries over the whole database.
 */
#ifndef SB_STORE_CHECK_H
#define SB_STORE_CHECK_H

#include "core/check.h"
#include "store/db.h"

sb_err sb_store_check(struct sb_db *db, sb_violation_fn fn, void *ud, int64_t *ret_count);

#endif
