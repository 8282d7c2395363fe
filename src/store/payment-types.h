/*
 * Payment types (Cash, Card, "Shopify", ...): how a payment or a refund was
 * made. Names are unique case-insensitively (name_norm = lower(trim(name))).
 */
#ifndef SB_STORE_PAYMENT_TYPES_H
#define SB_STORE_PAYMENT_TYPES_H

#include "core/sale.h"
#include "store/db.h"

#include <jansson.h>

/* SB_EDUPLICATE (field "name") when the name is taken. */
sb_err sb_store_payment_type_create(struct sb_db *db, const struct sb_payment_type *p,
                                    int64_t *ret_id);
/* SB_ENOT_FOUND for an unknown id; SB_EDUPLICATE as above. */
sb_err sb_store_payment_type_update(struct sb_db *db, int64_t id, const struct sb_payment_type *p);
sb_err sb_store_payment_type_get(struct sb_db *db, int64_t id, json_t **ret);
sb_err sb_store_payment_type_list(struct sb_db *db, int64_t after, int64_t limit, json_t **ret);

/*
 * SPEC P2, for the order pipeline: the payment type with this name
 * (case-insensitively, surrounding spaces ignored), created with `integrated`
 * when none exists. An existing type keeps its own flag. Safe when two workers
 * ensure the same name at once (the unique key decides, then both read it).
 */
sb_err sb_store_payment_type_ensure(struct sb_db *db, const char *name, bool integrated,
                                    int64_t *ret_id);

#endif
