/*
 * Fulfillments per outlet, their lines and status history. A fulfillment
 * belongs to its own outlet for access (scope): staff see the work their
 * outlet has to do.
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

struct sb_ff_filter {
    bool status_set;
    enum sb_ff_status status;
    bool kind_set;
    enum sb_ff_kind kind;
    bool open_set;
    bool open;         /* true: still to do (new, in progress, packed, sale not voided) */
    int64_t outlet_id; /* 0: every outlet in scope */
    int64_t after, limit;
};

/* Rows: the fulfillment's columns, its sale's summary ("external_number", "customer_name",
 * "sale_status", "order_date"), the ship-to's "phone" and "email" (else the customer's
 * email) and "lines". kind and open narrow it (open: still to do, for a sale not voided). */
sb_err sb_store_fulfillment_list(struct sb_db *db, const struct sb_scope *scope,
                                 const struct sb_ff_filter *f, json_t **ret);
/* One row as in the list, with "events" and the sale's "shipment" (or null); another
 * outlet's fulfillment is SB_ENOT_FOUND. */
sb_err sb_store_fulfillment_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                json_t **ret);
/* Moves a fulfillment to a new status (SPEC F3, F2: sb_ff_move_check) in one transaction,
 * recording the event by the scope's user; when the sale's shipping is then complete, its
 * shipment is marked shipped and the channel's fulfillment queued (S3).
 * SB_EFULFILLMENT_CANCELLED, SB_ESALE_VOIDED or SB_EINVALID_TRANSITION when the rule
 * refuses. */
sb_err sb_store_fulfillment_set_status(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                       enum sb_ff_status to);
/* Moves every non-final shipping fulfillment of the sale to shipped, recording the events;
 * inside the caller's transaction. */
sb_err sb_store_fulfillments_ship_sale(struct sb_db *db, int64_t sale_id, int64_t user_id);
/* Moves every open pickup fulfillment of the sale to picked up (S4 for a pickup the channel
 * fulfilled), recording the events: *ret_pickups says how many pickup fulfillments the sale
 * has, *ret_moved how many moved. Cancelled ones stay cancelled (F3). */
sb_err sb_store_fulfillments_pick_up_sale(struct sb_db *db, int64_t sale_id, int64_t user_id,
                                          int64_t *ret_pickups, int64_t *ret_moved);
/* L2: the sale's pickup fulfillments still New or In progress move to Packed (ready to
 * collect, as the channel says); *ret_moved how many did. Nothing travels back. */
sb_err sb_store_fulfillments_pack_pickups(struct sb_db *db, int64_t sale_id, int64_t *ret_moved);

#endif
