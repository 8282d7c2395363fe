/*
 * Shipments: the ship-to record of a sale (one per sale), with the
 * shipping method, shipment notes, the shipped flag and tracking number.
 */
#ifndef SB_STORE_SHIPMENTS_H
#define SB_STORE_SHIPMENTS_H

#include "core/address.h"
#include "core/scope.h"
#include "store/db.h"

/* Inside the caller's transaction. */
sb_err sb_store_shipment_create(struct sb_db *db, int64_t sale_id, const struct sb_address *to,
                                const char *method, const char *note, int64_t *ret_id);
/* The sale's shipment as JSON, or SB_ENOT_FOUND. */
sb_err sb_store_shipment_for_sale(struct sb_db *db, int64_t sale_id, json_t **ret);

#endif
