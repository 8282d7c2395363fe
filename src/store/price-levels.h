/*
 * Price levels ("Default", "Sale", "Wholesale"): named columns of item
 * prices (portable SQL over the db interface). Store-wide, not per outlet.
 */
#ifndef SB_STORE_PRICE_LEVELS_H
#define SB_STORE_PRICE_LEVELS_H

#include "core/item.h"
#include "store/db.h"

/* SB_EDUPLICATE (field "name") when the name is taken. */
sb_err sb_store_price_level_create(struct sb_db *db, const char *name, int64_t *ret_id);
/* SB_ENOT_FOUND when there is no such level. */
sb_err sb_store_price_level_update(struct sb_db *db, int64_t id, const char *name);
sb_err sb_store_price_level_get(struct sb_db *db, int64_t id, json_t **ret);
sb_err sb_store_price_level_list(struct sb_db *db, int64_t after, int64_t limit, json_t **ret);

/* Every level, in id order, for reading price columns of a CSV file; free with
 * sb_store_price_levels_free(). */
sb_err sb_store_price_levels_load(struct sb_db *db, struct sb_price_level_ref **ret, size_t *ret_n);
void sb_store_price_levels_free(struct sb_price_level_ref *levels, size_t n);

#endif
