/*
 * The worker lane: recorded events that were not applied as they came in (an
 * apply that failed, events that carry no order, an ingest-only server's
 * events drained by `stockbridge sync --drain`), applied in id order per
 * channel, a batch at a time.
 *
 * A batch is prepared outside the database (channel loaded, body parsed,
 * orders fetched when an event carries none) and then applied in ONE write
 * job: each event in its own savepoint, so a bad one rolls back alone, and
 * one commit for all. Under a webhook storm that is one fsync per batch
 * instead of one per order. An event is applied and marked done in the same
 * savepoint: after a crash it is still pending and is applied again, which
 * changes nothing twice (order-apply.c is idempotent per order version). A
 * failure is retried under the events queue's policy (core/retry.c), or
 * fails for good, in the channel's log either way.
 */
#include "core/retry.h"
#include "store/channel-events.h"
#include "store/channel-log.h"
#include "store/due.h"
#include "store/savepoint.h"
#include "sync/lanes.h"
#include "sync/order-apply.h"
#include "util/crashpoint.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 64

struct prepared {
    const struct sb_due_event *e;
    const struct sb_channel_rt *rt;
    const struct sb_order *order;
    sb_err err;          /* preparing failed: record it */
    bool not_applicable; /* the channel does not show the event's order (error says why) */
    char error[300];
};

struct batch_job {
    struct prepared *items;
    size_t n;
};

/* Records a failure: retried later, or failed for good (permanent, or too many
 * attempts); logged either way. */
static sb_err record_failure(struct sb_db *db, const struct sb_due_event *e, sb_err why,
                             const char *error)
{
    struct sb_retry_next r;
    sb_retry_after(&sb_retry_events, e->attempts, why, sb_retry_jitter(&sb_retry_events), &r);
    char next[SB_TIME_LEN];
    sb_time_format(sb_time_now() + r.delay, next, sizeof(next));
    sb_err err = sb_store_event_failed(db, e->id, r.attempts, r.parked, next, error);
    if (!err)
        err = sb_store_channel_log(db, e->channel_id, r.parked ? "error" : "warn",
                                   r.parked ? "event.failed" : "event.retry", e->order_ref,
                                   "%s %s: %s%s", e->topic, r.parked ? "failed" : "will be retried",
                                   error, r.parked ? "" : " (retrying with backoff)");
    return err;
}

/* One event, in its savepoint: its order applied and the event marked done. */
static sb_err apply_one(struct sb_db *db, void *ctx)
{
    const struct prepared *it = ctx;
    sb_err err = SB_OK;
    if (it->order)
        err = sb_sync_apply_order(db, it->rt, it->order, NULL);
    if (!err) {
        char now[SB_TIME_LEN];
        sb_time_format(sb_time_now(), now, sizeof(now));
        err = sb_store_event_done(db, it->e->id, now);
    }
    return err;
}

static sb_err batch_fn(struct sb_db *db, void *ctx)
{
    struct batch_job *j = ctx;
    for (size_t i = 0; i < j->n; i++) {
        struct prepared *it = &j->items[i];
        if (it->not_applicable) { /* O10: done, with why, rather than failed or retried */
            sb_err err = sb_store_channel_log(db, it->e->channel_id, "info", "event.not_applicable",
                                              it->e->order_ref, "%s not applicable: %s",
                                              it->e->topic, it->error);
            sb_err why = SB_OK;
            if (!err)
                err = sb_store_savepoint(db, apply_one, it, &why);
            if (!err && why)
                err = record_failure(db, it->e, why, sb_err_last()->message);
            if (err)
                return err;
            continue;
        }
        if (it->err) {
            sb_err err = record_failure(db, it->e, it->err, it->error);
            if (err)
                return err;
            continue;
        }
        sb_err why = SB_OK;
        sb_err err = sb_store_savepoint(db, apply_one, it, &why);
        if (!err && why) {
            char msg[300];
            snprintf(msg, sizeof(msg), "%s",
                     sb_err_last()->message[0] ? sb_err_last()->message : sb_err_message(why));
            err = record_failure(db, it->e, why, msg);
        }
        if (err)
            return err;
        sb_crashpoint("apply"); /* applied, the batch not yet committed */
    }
    return SB_OK;
}

/* Loads the channel (once per batch), parses the event, fetches the order when the
 * event carries none. */
static void prepare(struct sb_pipeline *p, struct sb_arena *a, struct prepared *it,
                    struct sb_channel_rt **cache, size_t *ncache)
{
    const struct sb_due_event *e = it->e;
    struct sb_channel_rt *rt = NULL;
    for (size_t c = 0; c < *ncache; c++)
        if (cache[c]->ch.id == e->channel_id)
            rt = cache[c];
    sb_err err = SB_OK;
    if (!rt) {
        struct sb_db *db;
        err = sb_store_acquire(p->store, &db);
        if (!err) {
            err = sb_channel_load(p->channels, db, e->channel_id, a, &rt);
            sb_store_release(p->store, db);
        }
        if (!err && *ncache < BATCH)
            cache[(*ncache)++] = rt;
    }
    struct sb_order *order = NULL;
    if (!err)
        err = rt->ops->parse_event(&rt->ch, e->topic, e->body, strlen(e->body), a, &order);
    if (!err && !order && e->order_ref && (rt->ops->caps & SB_CH_FETCH)) {
        err = rt->ops->fetch_order(&rt->ch, e->order_ref, a, &order);
        it->not_applicable = err == SB_EFORBIDDEN;
    }
    if (!err && !order) /* never mark an event done without knowing which order it meant */
        err = sb_fail(SB_EINVALID_JSON, NULL, "the event names no order");
    it->rt = rt;
    it->order = order;
    it->err = it->not_applicable ? SB_OK : err;
    if (err)
        snprintf(it->error, sizeof(it->error), "%s",
                 sb_err_last()->message[0] ? sb_err_last()->message : sb_err_message(err));
}

static void process_batch(struct sb_pipeline *p, const struct sb_due_event *events, size_t n)
{
    struct sb_arena *a = sb_arena_new();
    struct prepared *items = a ? sb_arena_alloc(a, n * sizeof(*items)) : NULL;
    struct sb_channel_rt **cache = a ? sb_arena_alloc(a, BATCH * sizeof(*cache)) : NULL;
    if (!items || !cache) {
        sb_log(SB_LOG_ERROR, "pipeline.nomem", NULL);
        sb_arena_free(a);
        return;
    }
    size_t ncache = 0;
    for (size_t i = 0; i < n; i++) {
        items[i].e = &events[i];
        prepare(p, a, &items[i], cache, &ncache);
    }
    struct batch_job j = { .items = items, .n = n };
    if (sb_store_write(p->store, batch_fn, &j)) {
        /* something below the savepoints failed: go one by one, and record what still
         * fails, so no event is retried in a tight loop */
        for (size_t i = 0; i < n; i++) {
            struct batch_job one = { .items = &items[i], .n = 1 };
            if (!sb_store_write(p->store, batch_fn, &one))
                continue;
            items[i].err = SB_EINTERNAL;
            items[i].not_applicable = false;
            snprintf(items[i].error, sizeof(items[i].error), "%s", sb_err_last()->message);
            if (sb_store_write(p->store, batch_fn, &one))
                sb_log(SB_LOG_ERROR, "pipeline.unrecorded", "error", sb_err_last()->message, NULL);
        }
    }
    sb_arena_free(a);
}

/* Reads up to BATCH of the channel's due events, oldest first. */
static size_t due_events(struct sb_pipeline *p, int64_t channel, struct sb_due_event *out)
{
    struct sb_db *db;
    if (sb_store_acquire(p->store, &db))
        return 0;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    size_t n = 0;
    if (sb_store_events_due(db, channel, now, out, BATCH, &n))
        n = 0;
    sb_store_release(p->store, db);
    return n;
}

/* Whether any event is still pending (due later); true when it cannot tell. */
static bool pending_events(struct sb_pipeline *p)
{
    struct sb_db *db;
    bool any = true;
    if (sb_store_acquire(p->store, &db))
        return true;
    if (sb_store_events_pending(db, &any))
        any = true;
    sb_store_release(p->store, db);
    return any;
}

/* A worker run: the channel's due events, a batch at a time, until none is due. */
static void worker_run(struct sb_pipeline *p, int64_t channel, unsigned flags)
{
    struct sb_due_event *batch = calloc(BATCH, sizeof(*batch));
    if (!batch) {
        sb_log(SB_LOG_ERROR, "pipeline.nomem", NULL);
        return;
    }
    size_t n;
    while (sb_run_go_on(p, channel) && (n = due_events(p, channel, batch)) > 0) {
        process_batch(p, batch, n);
        for (size_t i = 0; i < n; i++)
            sb_due_event_clear(&batch[i]);
    }
    free(batch);
}

void *sb_worker_main(void *arg)
{
    struct sb_pipeline *p = arg;
    if (!p->apply_inline) /* ingest-only */
        return NULL;
    do {
        sb_lane_begin(p, &p->worker);
        int64_t ids[BATCH];
        size_t n = sb_lane_due_channels(p, sb_store_events_due_channels, ids, BATCH);
        for (size_t i = 0; i < n; i++)
            sb_run_start(p, &p->worker, ids[i], worker_run, 0);
        bool waiting = pending_events(p);
        pthread_mutex_lock(&p->lock);
        p->retries_waiting = waiting;
        pthread_mutex_unlock(&p->lock);
        /* new events kick; every second, retries that fell due */
    } while (sb_lane_rest(p, &p->worker, 1000));
    return NULL;
}
