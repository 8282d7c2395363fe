/*
 * Fulfillments per outlet, their lines and status history.
 */
#ifndef SB_STORE_FULFILLMENTS_H
#define SB_STORE_FULFILLMENTS_H

#include "core/fulfillment.h"
#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>

/* Creates a fulfillment in status new with its lines and a first history event,
 * inside the caller's transaction. */
sb_err sb_store_fulfillment_create(struct sb_db *db, const struct sb_ff_new *f, int64_t *ret_id);
/* Cancels every non-final fulfillment of a sale (a void), recording the events. */
sb_err sb_store_fulfillments_cancel_sale(struct sb_db *db, int64_t sale_id, int64_t user_id);
/* The sale's fulfillments as a JSON array (each with its lines), honouring the scope. */
sb_err sb_store_fulfillments_for_sale(struct sb_db *db, const struct sb_scope *scope,
                                      int64_t sale_id, json_t **ret);

#endif
