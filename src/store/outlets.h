/*
 * Outlet records (portable SQL over the db interface).
 */
#ifndef SB_STORE_OUTLETS_H
#define SB_STORE_OUTLETS_H

#include "core/outlet.h"
#include "core/scope.h"
#include "store/db.h"

sb_err sb_store_outlet_create(struct sb_db *db, const struct sb_outlet *o, int64_t *ret_id);
/* SB_ENOT_FOUND when there is no such outlet; SB_ECONFLICT when the currency
 * would change under existing sales. */
sb_err sb_store_outlet_update(struct sb_db *db, int64_t id, const struct sb_outlet *o);
/* Reads honour the scope: another outlet is SB_ENOT_FOUND. */
sb_err sb_store_outlet_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                           json_t **ret);
sb_err sb_store_outlet_list(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                            int64_t limit, json_t **ret);
/* How many outlets there are (0: an empty database). */
sb_err sb_store_outlet_count(struct sb_db *db, int64_t *ret);

#endif
