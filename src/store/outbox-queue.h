/*
 * Queueing calls to a channel: the transactional outbox's rows, written in the
 * transaction of the change that needs the call. The store's business actions
 * queue them themselves (a shipment of a web order shipped in the POS: S3; a
 * web order voided in the POS: S1), so every path that ships or voids - the
 * API, the web app, the pipeline - gets the same rule. The dispatcher
 * (src/sync) sends the rows, reading the channel at send time.
 */
#ifndef SB_STORE_OUTBOX_QUEUE_H
#define SB_STORE_OUTBOX_QUEUE_H

#include "store/db.h"

#include <stdint.h>

/* Queues one call: kind ("fulfillment", "cancel"), ref (the channel's order id) and
 * payload_json (a JSON object as text), due now. In the caller's transaction. */
sb_err sb_store_outbox_queue(struct sb_db *db, int64_t channel_id, const char *kind,
                             const char *ref, const char *payload_json);

/* S3: the shipment was marked shipped in the POS. When it is a web order's (not voided)
 * and its channel's auto-fulfillment is not off, its fulfillment is queued with the
 * tracking number and carrier; anything else queues nothing. In the caller's transaction. */
sb_err sb_store_outbox_shipment_shipped(struct sb_db *db, int64_t shipment_id);
/* S1: the sale was voided in the POS: a web order's cancellation is queued; a POS sale
 * queues nothing. In the caller's transaction. */
sb_err sb_store_outbox_sale_voided(struct sb_db *db, int64_t sale_id);
/* S2 the other way: a return made in the POS (one without an external id: not the
 * channel's own refund coming down) on a web order whose channel has its "push_refunds"
 * setting on (kinds that take refunds describe it) queues the channel's refund with the
 * return's lines (the channel's line ids), amount and note. In the caller's transaction. */
sb_err sb_store_outbox_return_made(struct sb_db *db, int64_t return_id);
/* SPEC 8, status tables: a web order's fulfillment moved in the POS to status, on a channel
 * whose "push_statuses" setting is on (kinds whose statuses travel out describe it): the
 * change is queued; the dispatcher reads the kind's status table, and a status that does
 * not travel is logged and sent nowhere. In the caller's transaction. */
sb_err sb_store_outbox_fulfillment_moved(struct sb_db *db, int64_t fulfillment_id,
                                         const char *status);
/* The same for the sale itself (L2): "paid" when staff took its balance in the POS, and
 * "cancelled" when its channel's cancellation voided it (the channel then marks the order
 * as not to be delivered). In the caller's transaction. */
sb_err sb_store_outbox_sale_status(struct sb_db *db, int64_t sale_id, const char *status);

#endif
