/*
 * The transactional outbox: every call stockbridge must make to a channel
 * is first a row written in the same transaction as the change that needs
 * it (a shipment marked shipped, a sale voided in the POS, later a stock or
 * price change). The dispatcher (pipeline.c) sends due rows, retries with
 * exponential backoff and jitter, and parks a row that keeps failing with
 * its error, visible in the channel's log. Nothing is lost across a crash:
 * an unsent row is still there at the next start.
 */
#ifndef SB_OUTBOX_H
#define SB_OUTBOX_H

#include "store/db.h"

#include <jansson.h>

#define SB_OUTBOX_MAX_ATTEMPTS 10

/* A POS shipment of a channel sale was marked shipped: when the channel's
 * auto-fulfillment is on (S3), queue the fulfillment with its tracking. A sale
 * that did not come from a channel queues nothing. In the caller's transaction. */
sb_err sb_outbox_shipment_shipped(struct sb_db *db, int64_t shipment_id);
/* A channel sale was voided in the POS (S1): queue the cancellation. */
sb_err sb_outbox_sale_voided(struct sb_db *db, int64_t sale_id);

#endif
