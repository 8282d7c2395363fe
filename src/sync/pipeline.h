/*
 * The order pipeline (SPEC O1-O10 and the rules it applies): web orders come
 * down from channels into POS sales exactly once.
 *
 *   receive -> verify -> record the raw event durably, de-duplicated by event
 *   id (the HTTP answer is sent here, once the commit that records it, and
 *   usually applies it too, is durable) -> normalize (the channel adapter) ->
 *   decide (download now, wait, or skip, with the reason) -> apply in one
 *   transaction: the sale with its customer, lines, discounts, taxes,
 *   payments, adjustment, shipment, allocation, fulfillments, stock and
 *   notification — or, for an order already down, its later changes (paid,
 *   cancelled, refunded, fulfilled) — and the event marked done.
 *
 * Exactly-once comes from the database: channel_events is unique on
 * (channel, event id) and channel_orders and sales on (channel, order id);
 * everything about one event commits together, so a crash replays the event
 * and nothing is applied twice. Versions (the channel's updated_at) order
 * the changes: an older version never overwrites a newer one (O3).
 */
#ifndef SB_PIPELINE_H
#define SB_PIPELINE_H

#include "store/store.h"
#include "sync/channel-cache.h"

#include <jansson.h>
#include <stdbool.h>

struct sb_pipeline;

/* Starts the lanes: the worker (events), the poller (scheduled polls and reconciliations),
 * the dispatcher (the outbox) and the stock lane (sync/lanes.h). First holds every channel
 * kind to its capability bits (sb_channel_kinds_check): SB_EINTERNAL naming what is wrong,
 * and nothing started, when one does not hold. */
sb_err sb_pipeline_start(struct sb_store *store, struct sb_pipeline **ret);
void sb_pipeline_stop(struct sb_pipeline *p); /* accepts NULL */

/* The pipeline's channel cache (sync/channel-cache.h): every lane's channels and their
 * adapter state; NULL for p NULL (a server without a pipeline). */
struct sb_channel_cache *sb_pipeline_channels(struct sb_pipeline *p);

/* A channel for the webhook path, kept in memory across requests; hand it back with
 * sb_pipeline_channel_put, with forget set when it proved out of date (a signature it
 * refused, or a stale record). */
sb_err sb_pipeline_channel(struct sb_pipeline *p, struct sb_db *db, int64_t id,
                           const struct sb_channel_rt **ret);
void sb_pipeline_channel_put(struct sb_pipeline *p, const struct sb_channel_rt *rt, bool forget);

struct sb_record_result {
    bool duplicate; /* this event id was seen before: nothing changed */
    bool stale;     /* rt is out of date (the channel changed): nothing written, load it
                     * again and retry */
};

/* Records a verified event durably. When the event carries its order, the order is
 * parsed here (allocated in a) and applied in the same commit; otherwise, or when
 * applying fails, the worker is woken to apply or retry it. */
sb_err sb_pipeline_record(struct sb_pipeline *p, const struct sb_channel_rt *rt,
                          const struct sb_event_info *info, const char *body, size_t len,
                          struct sb_arena *a, struct sb_record_result *ret);

/* Whether this is the first webhook of an unused topic the channel sent since the process
 * started; the first is written to the channel's log (webhook.ignored, info), later ones
 * are answered 200 quietly. True for p NULL (nothing written). */
bool sb_pipeline_first_ignored(struct sb_pipeline *p, int64_t channel, const char *topic,
                               const char *event_id);

/* Wakes the dispatcher after an outbox row was committed (it also looks every second). */
void sb_pipeline_kick_outbox(struct sb_pipeline *p); /* accepts NULL */

/* Blocks until no recorded event is waiting to be processed and no outbox call is due,
 * at most timeout_ms;
 * false on time-out. For tests and benchmarks: an event to wait on, not a sleep. */
bool sb_pipeline_wait_idle(struct sb_pipeline *p, int timeout_ms);

/* Polls one channel now: every order changed since its cursor is applied, and the
 * cursor moves with them. *ret_report: {"orders": n, "pages": n, "cursor": "..."}. */
sb_err sb_sync_poll_channel(struct sb_store *store, struct sb_channel_cache *channels,
                            int64_t channel_id, json_t **ret_report);

/* Whether the poll schedule polls channels of this kind: one that downloads orders
 * (SB_CH_POLL) or collects exported ones (SB_CH_EXPORT). An export-model kind sends its
 * orders itself (E4): polling it would only fill its log with "cannot be polled". */
bool sb_sync_kind_polled(const char *kind);

#endif
