/*
 * The durable queues as one set of gauges (SPEC I9, O10): channel events to
 * apply, outbox calls to send, stock and price changes to push. Each queue
 * shows the same three figures per channel - entries pending (waiting for
 * their first try or a retry), entries parked (given up under the queue's
 * retry policy, core/retry.c: an event failed for good, an outbox call or a
 * stock change parked) and the age of the oldest waiting entry - in
 * sync-status ("queues") and /metrics (stockbridge_queue_entries,
 * stockbridge_queue_oldest_seconds).
 */
#ifndef SB_STORE_QUEUE_GAUGES_H
#define SB_STORE_QUEUE_GAUGES_H

#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

/* Every queue's waiting entries, grouped: [{queue, channel_id, state ("pending" or
 * "parked"), entries, oldest_at}], by queue, channel and state; channel_id 0 for every
 * channel. Only groups that have entries are listed. */
sb_err sb_store_queue_gauges(struct sb_db *db, int64_t channel_id, json_t **ret);

/* One channel's queues for sync-status, every queue listed, at time now:
 * {"events": {"pending", "parked", "oldest_age_seconds" (null when empty)}, "outbox": ...,
 *  "stock": ...}. */
sb_err sb_store_queue_status(struct sb_db *db, int64_t channel_id, int64_t now, json_t **ret);

#endif
