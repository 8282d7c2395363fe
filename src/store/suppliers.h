/*
 * Suppliers: whom purchase orders go to (store/purchase-orders.h). Store-wide,
 * not bound to an outlet. Names are unique case-insensitively (name_norm =
 * lower(trim(name)), computed in C as payment types do).
 */
#ifndef SB_STORE_SUPPLIERS_H
#define SB_STORE_SUPPLIERS_H

#include "core/outlet.h" /* struct sb_opt_str */
#include "store/db.h"

#include <jansson.h>

#define SB_SUPPLIER_NAME_MAX 100

struct sb_supplier {
    struct sb_opt_str name, email, phone, note; /* email, phone, note: NULL v clears */
};

/* Checks the fields that are set (a name on create, an email's shape). */
sb_err sb_supplier_validate(const struct sb_supplier *s, bool create);

/* SB_EDUPLICATE (field "name") when the name is taken. */
sb_err sb_store_supplier_create(struct sb_db *db, const struct sb_supplier *s, int64_t *ret_id);
/* SB_ENOT_FOUND for an unknown id; SB_EDUPLICATE as above. */
sb_err sb_store_supplier_update(struct sb_db *db, int64_t id, const struct sb_supplier *s);
/* id, name, email, phone, note, created_at, updated_at. */
sb_err sb_store_supplier_get(struct sb_db *db, int64_t id, json_t **ret);
/* Suppliers by id, above after; q (may be NULL) matches part of the name, email or phone. */
sb_err sb_store_supplier_list(struct sb_db *db, const char *q, int64_t after, int64_t limit,
                              json_t **ret);

#endif
