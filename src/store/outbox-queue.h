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

#endif
