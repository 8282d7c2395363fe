/*
 * Employee records (not bound to an outlet: people may work in several).
 */
#ifndef SB_STORE_EMPLOYEES_H
#define SB_STORE_EMPLOYEES_H

#include "core/user.h"
#include "store/db.h"

/* A taken code is SB_EDUPLICATE. */
sb_err sb_store_employee_create(struct sb_db *db, const struct sb_employee *e, int64_t *ret_id);
/* SB_ENOT_FOUND for an unknown employee; a taken code is SB_EDUPLICATE. */
sb_err sb_store_employee_update(struct sb_db *db, int64_t id, const struct sb_employee *e);
sb_err sb_store_employee_get(struct sb_db *db, int64_t id, json_t **ret);
/* active_set false: every employee; else only those whose active flag equals active. */
sb_err sb_store_employee_list(struct sb_db *db, bool active_set, bool active, int64_t after,
                              int64_t limit, json_t **ret);

#endif
