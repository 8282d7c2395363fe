/*
 * Registers (tills): each belongs to one outlet and is named uniquely
 * within it. Access follows the outlet (scope).
 */
#ifndef SB_STORE_REGISTERS_H
#define SB_STORE_REGISTERS_H

#include "core/outlet.h"
#include "core/scope.h"
#include "store/db.h"

struct sb_register {
    int64_t outlet_id;
    bool outlet_set;
    struct sb_opt_str name;
};

/* An unknown outlet is SB_EUNKNOWN_REFERENCE; a name taken in the outlet SB_EDUPLICATE. */
sb_err sb_store_register_create(struct sb_db *db, const struct sb_register *g, int64_t *ret_id);
/* As create; moving a register that has sales to another outlet is SB_ECONFLICT (its
 * sales stay where they were made). */
sb_err sb_store_register_update(struct sb_db *db, int64_t id, const struct sb_register *g);
sb_err sb_store_register_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             json_t **ret);
/* outlet_id 0: every outlet in scope. */
sb_err sb_store_register_list(struct sb_db *db, const struct sb_scope *scope, int64_t outlet_id,
                              int64_t after, int64_t limit, json_t **ret);

#endif
