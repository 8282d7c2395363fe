/*
 * The pipeline's moving parts: recording events (durably, de-duplicated,
 * through the group-commit writer, so a burst of webhooks shares fsyncs),
 * the worker that turns recorded events into applied orders in event order,
 * retries with backoff when a channel cannot be reached, and the poller that
 * asks each channel for what webhooks missed.
 *
 * The worker applies an event and marks it done in one write job: after a
 * crash the event is still pending and is applied again, which changes
 * nothing twice (import.c is idempotent per order version).
 *
 * Every lane works each channel on a thread of its own (a run): a shop that
 * stops answering holds up its own channel's events, pushes and polls, never
 * another channel's, and never a webhook's answer (those are recorded and
 * applied on the request's thread).
 */
#include "sync/pipeline.h"
#include "store/channels.h"
#include "store/due.h"
#include "store/stock-queue.h"
#include "sync/import.h"
#include "sync/outbox.h"
#include "sync/reconcile.h"
#include "sync/rt-cache.h"
#include "sync/stock-push.h"
#include "util/crashpoint.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH        64
#define MAX_ATTEMPTS 8
#define MAX_RUNS     16 /* channels one lane works on at once */

struct sb_pipeline;
struct lane;

/* A lane's work for one channel, on a thread of its own; flags say what is due. */
typedef void (*run_fn)(struct sb_pipeline *p, int64_t channel, unsigned flags);

struct run {
    struct sb_pipeline *p;
    struct lane *lane;
    run_fn fn;
    unsigned flags;
    int64_t channel;  /* 0: the slot is free */
    pthread_t thread; /* joined before the slot is used again, and at stop */
    bool joinable;
};

/*
 * Each background thread is a lane: it looks for the channels with work due,
 * starts a run for each that has none in flight, then rests until kicked or
 * until its period ends; a run that ends kicks it. A kick that arrives while
 * it works is not lost: the lane only rests when it was not kicked since it
 * started the pass. It is idle when it rests with no run in flight.
 */
struct lane {
    pthread_t thread;
    pthread_cond_t wake;
    bool kicked, idle;
    bool rerun; /* a run that ends wakes the lane: more may be due at once */
    struct run runs[MAX_RUNS];
    size_t running;
};

struct sb_pipeline {
    struct sb_store *store;
    pthread_mutex_t lock;
    pthread_cond_t idle_cv; /* broadcast when a lane becomes idle */
    bool stop;
    bool apply_inline;            /* webhooks' orders applied as they are recorded */
    struct sb_rt_cache *channels; /* for the webhook path */
    bool retries_waiting;         /* the worker left events pending for later: kick it on news */
    bool check_sales; /* sb_pipeline_wait_idle asks the stock lane to look at sales now */
    struct lane worker, poller, dispatcher, stock;
};

static void lane_kick(struct sb_pipeline *p, struct lane *l)
{
    pthread_mutex_lock(&p->lock);
    l->kicked = true;
    l->idle = false;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&p->lock);
}

/* Called before a pass: kicks from now on mean "look again". */
static void lane_begin(struct sb_pipeline *p, struct lane *l)
{
    pthread_mutex_lock(&p->lock);
    l->kicked = false;
    pthread_mutex_unlock(&p->lock);
}

/* After a pass: rests up to `ms` unless kicked meanwhile; false once stopping. */
static bool lane_rest(struct sb_pipeline *p, struct lane *l, long ms)
{
    pthread_mutex_lock(&p->lock);
    if (!l->kicked) {
        l->idle = l->running == 0;
        pthread_cond_broadcast(&p->idle_cv);
        if (!p->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += ms / 1000;
            until.tv_nsec += (ms % 1000) * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&l->wake, &p->lock, &until);
        }
    }
    bool go_on = !p->stop;
    pthread_mutex_unlock(&p->lock);
    return go_on;
}

static bool stopping(struct sb_pipeline *p)
{
    pthread_mutex_lock(&p->lock);
    bool stop = p->stop;
    pthread_mutex_unlock(&p->lock);
    return stop;
}

/* ---- runs: a lane's work for one channel ---- */

/* The run is over: its slot is free and the lane looks again (more may be due). */
static void run_end(struct run *r)
{
    struct sb_pipeline *p = r->p;
    struct lane *l = r->lane;
    pthread_mutex_lock(&p->lock);
    r->channel = 0;
    l->running--;
    if (l->rerun) {
        l->kicked = true;
        l->idle = false;
        pthread_cond_signal(&l->wake);
    }
    pthread_mutex_unlock(&p->lock);
}

static void *run_main(void *arg)
{
    struct run *r = arg;
    char name[16];
    snprintf(name, sizeof(name), "sb-ch%lld", (long long)r->channel);
    pthread_setname_np(pthread_self(), name); /* as top -H shows it */
    r->fn(r->p, r->channel, r->flags);
    run_end(r);
    return NULL;
}

/* Starts fn for the channel on a thread of its own, unless the channel has a run in
 * flight on this lane or every slot is taken (the lane looks again when a run ends).
 * Called by the lane's thread only. */
static void run_start(struct sb_pipeline *p, struct lane *l, int64_t channel, run_fn fn,
                      unsigned flags)
{
    struct run *slot = NULL;
    pthread_mutex_lock(&p->lock);
    bool go = !p->stop;
    for (size_t i = 0; go && i < MAX_RUNS; i++) {
        if (l->runs[i].channel == channel)
            go = false;
        else if (!l->runs[i].channel && !slot)
            slot = &l->runs[i];
    }
    go = go && slot;
    if (go) {
        slot->channel = channel;
        l->running++;
    }
    pthread_mutex_unlock(&p->lock);
    if (!go)
        return;
    if (slot->joinable) /* the slot's last run has ended: its thread is on its way out */
        pthread_join(slot->thread, NULL);
    slot->joinable = false;
    slot->p = p;
    slot->lane = l;
    slot->fn = fn;
    slot->flags = flags;
    if (pthread_create(&slot->thread, NULL, run_main, slot) == 0) {
        slot->joinable = true;
        return;
    }
    fn(p, channel, flags); /* no thread to be had: the lane does it itself */
    run_end(slot);
}

/* ---- recording ---- */

/*
 * A webhook's event is recorded and, when the handler could parse its order,
 * applied in the same write job: one commit makes the event durable and its
 * effects visible, so the 200 means "recorded" and, almost always, "applied"
 * too. Parsing happens on the handler's thread, beside other requests, not on
 * the writer's. When the apply fails, its savepoint is rolled back and the
 * event is left pending: the worker retries it with backoff, as any other.
 */
struct record_job {
    const struct sb_channel_rt *rt;
    const struct sb_event_info *info;
    const char *body;
    const struct sb_order *order; /* NULL: recorded only, the worker applies it */
    bool duplicate, stale;
};

static sb_err record_fn(struct sb_db *db, void *ctx)
{
    struct record_job *j = ctx;
    int64_t revision = 0;
    sb_err err = sb_store_channel_revision(db, j->rt->ch.id, &revision);
    if (err)
        return err;
    if (revision != j->rt->revision) { /* changed since it was cached: nothing written */
        j->stale = true;
        return SB_OK;
    }
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t id = 0;
    err = sb_db_int(db, &id,
                    "INSERT INTO channel_events (channel_id, event_id, topic, order_ref,"
                    " body, status, received_at, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (channel_id, event_id) DO NOTHING RETURNING id",
                    "isssssss", j->rt->ch.id, j->info->event_id, j->info->topic, j->info->order_ref,
                    j->body, j->order ? "done" : "pending", now, j->order ? now : NULL);
    if (err == SB_ENOT_FOUND) { /* the conflict: seen before */
        j->duplicate = true;
        return SB_OK;
    }
    if (err || !j->order)
        return err;
    if ((err = sb_db_exec(db, "SAVEPOINT sb_inline", NULL)))
        return err;
    sb_err why = sb_sync_apply_order(db, j->rt, j->order, NULL);
    if (why) {
        err = sb_db_exec(db, "ROLLBACK TO SAVEPOINT sb_inline", NULL);
        if (!err)
            err = sb_db_exec(db,
                             "UPDATE channel_events SET status = 'pending', processed_at = NULL"
                             " WHERE id = ?",
                             "i", id);
    }
    sb_err rel = sb_db_exec(db, "RELEASE SAVEPOINT sb_inline", NULL);
    if (!err && why)
        j->order = NULL; /* left to the worker */
    return err ? err : rel;
}

sb_err sb_pipeline_channel(struct sb_pipeline *p, struct sb_db *db, int64_t id,
                           const struct sb_channel_rt **ret)
{
    return sb_rt_cache_get(p->channels, db, id, ret);
}

void sb_pipeline_channel_put(struct sb_pipeline *p, const struct sb_channel_rt *rt, bool forget)
{
    if (forget)
        sb_rt_cache_forget(p->channels, rt);
    sb_rt_cache_put(p->channels, rt);
}

sb_err sb_pipeline_record(struct sb_pipeline *p, const struct sb_channel_rt *rt,
                          const struct sb_event_info *info, const char *body, size_t len,
                          struct sb_arena *a, struct sb_record_result *ret)
{
    if (strlen(body) != len)
        return sb_fail(SB_EINVALID_JSON, NULL, "the body contains a NUL byte");
    struct record_job j = { .rt = rt, .info = info, .body = body };
    /* an ingest-only server leaves applying to another process; an event that does not
     * parse, or carries no order, is the worker's to report or fetch */
    if (p->apply_inline) {
        struct sb_order *order = NULL;
        if (!rt->ops->parse_event(&rt->ch, info->topic, body, len, a, &order))
            j.order = order;
        sb_err_clear();
    }
    sb_err err = sb_store_write(p->store, record_fn, &j);
    if (err)
        return err;
    pthread_mutex_lock(&p->lock);
    bool kick = !j.duplicate && !j.stale && (!j.order || p->retries_waiting);
    pthread_mutex_unlock(&p->lock);
    if (kick) /* an event applied here needs no worker, unless retries wait for news */
        lane_kick(p, &p->worker);
    *ret = (struct sb_record_result){ .duplicate = j.duplicate, .stale = j.stale };
    return SB_OK;
}

bool sb_pipeline_wait_idle(struct sb_pipeline *p, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    /* a stock pass that starts after this call, so changes made before it are pushed */
    p->stock.kicked = true;
    p->stock.idle = false;
    p->check_sales = true;
    pthread_cond_signal(&p->stock.wake);
    while (!(p->worker.idle && p->dispatcher.idle && p->stock.idle) && rc == 0)
        rc = pthread_cond_timedwait(&p->idle_cv, &p->lock, &until);
    bool idle = p->worker.idle && p->dispatcher.idle && p->stock.idle;
    pthread_mutex_unlock(&p->lock);
    return idle;
}

/* ---- processing ---- */

/*
 * A batch of events is prepared outside the database (channel loaded, body
 * parsed, orders fetched when an event carries none) and then applied in
 * ONE write job: each event in its own savepoint, so a bad one rolls back
 * alone, and one commit for all. Under a webhook storm that is one fsync per
 * batch instead of one per order.
 */
struct prepared {
    const struct sb_due_event *e;
    const struct sb_channel_rt *rt;
    const struct sb_order *order;
    sb_err err; /* preparing failed: record it */
    char error[300];
};

struct batch_job {
    struct prepared *items;
    size_t n;
};

static sb_err mark_done(struct sb_db *db, int64_t event_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "UPDATE channel_events SET status = 'done', processed_at = ?, error = NULL"
                      " WHERE id = ?",
                      "si", now, event_id);
}

/* When to try again after `attempts` failures: exponential backoff (2, 4, 8 ... s, at
 * most about an hour) with +-25% jitter, so failed calls do not retry in step. */
static void retry_time(int64_t attempts, char out[SB_TIME_LEN])
{
    int64_t delay = (int64_t)1 << (attempts < 12 ? attempts : 12);
    delay += (int64_t)(rand() % (int)(delay / 2 + 1)) - delay / 4;
    sb_time_format(sb_time_now() + delay, out, SB_TIME_LEN);
}

static bool permanent(sb_err err)
{
    return err == SB_EINVALID_FIELD || err == SB_EINVALID_JSON || err == SB_EMISSING_FIELD ||
           err == SB_ENOT_FOUND || err == SB_EUNKNOWN_REFERENCE;
}

/* Records a failure: retried later (retry_time), or failed for good when permanent or
 * after MAX_ATTEMPTS; logged either way. */
static sb_err record_failure(struct sb_db *db, const struct sb_due_event *e, sb_err why,
                             const char *error)
{
    int64_t attempts = e->attempts + 1;
    bool give_up = permanent(why) || attempts >= MAX_ATTEMPTS;
    char next[SB_TIME_LEN];
    retry_time(attempts, next);
    sb_err err = sb_db_exec(db,
                            "UPDATE channel_events SET status = ?, attempts = ?,"
                            " next_attempt_at = ?, error = ? WHERE id = ?",
                            "sissi", give_up ? "failed" : "pending", attempts, next, error, e->id);
    if (!err)
        err = sb_store_channel_log(db, e->channel_id, give_up ? "error" : "warn",
                                   give_up ? "event.failed" : "event.retry", e->order_ref,
                                   "%s %s: %s%s", e->topic, give_up ? "failed" : "will be retried",
                                   error, give_up ? "" : " (retrying with backoff)");
    return err;
}

static sb_err batch_fn(struct sb_db *db, void *ctx)
{
    struct batch_job *j = ctx;
    for (size_t i = 0; i < j->n; i++) {
        struct prepared *it = &j->items[i];
        if (it->err) {
            sb_err err = record_failure(db, it->e, it->err, it->error);
            if (err)
                return err;
            continue;
        }
        sb_err err = sb_db_exec(db, "SAVEPOINT sb_event", NULL);
        if (err)
            return err;
        sb_err why = SB_OK;
        if (it->order)
            why = sb_sync_apply_order(db, it->rt, it->order, NULL);
        if (!why)
            why = mark_done(db, it->e->id);
        if (why) {
            char msg[300];
            snprintf(msg, sizeof(msg), "%s",
                     sb_err_last()->message[0] ? sb_err_last()->message : sb_err_message(why));
            err = sb_db_exec(db, "ROLLBACK TO SAVEPOINT sb_event", NULL);
            if (!err)
                err = record_failure(db, it->e, why, msg);
        }
        sb_err rel = sb_db_exec(db, "RELEASE SAVEPOINT sb_event", NULL);
        if (err || rel)
            return err ? err : rel;
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
            err = sb_store_channel_load(db, e->channel_id, a, &rt);
            sb_store_release(p->store, db);
        }
        if (!err && *ncache < BATCH)
            cache[(*ncache)++] = rt;
    }
    struct sb_order *order = NULL;
    if (!err)
        err = rt->ops->parse_event(&rt->ch, e->topic, e->body, strlen(e->body), a, &order);
    if (!err && !order && e->order_ref && rt->ops->fetch_order)
        err = rt->ops->fetch_order(&rt->ch, e->order_ref, a, &order);
    if (!err && !order) /* never mark an event done without knowing which order it meant */
        err = sb_fail(SB_EINVALID_JSON, NULL, "the event names no order");
    it->rt = rt;
    it->order = order;
    it->err = err;
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

/* The channels with events due now, for a lane of channel runs. */
static size_t due_channels(struct sb_pipeline *p,
                           sb_err (*query)(struct sb_db *, const char *, int64_t *, size_t,
                                           size_t *),
                           int64_t *ids, size_t cap)
{
    struct sb_db *db;
    if (sb_store_acquire(p->store, &db))
        return 0;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    size_t n = 0;
    if (query(db, now, ids, cap, &n))
        n = 0;
    sb_store_release(p->store, db);
    return n;
}

/* Whether any event is still pending (due later); true when it cannot tell. */
static bool pending_events(struct sb_pipeline *p)
{
    struct sb_db *db;
    int64_t n = 1;
    if (sb_store_acquire(p->store, &db))
        return true;
    if (sb_db_int(db, &n,
                  "SELECT COUNT(*) FROM (SELECT 1 FROM channel_events WHERE status = 'pending'"
                  " LIMIT 1)",
                  NULL))
        n = 1;
    sb_store_release(p->store, db);
    return n > 0;
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
    while (!stopping(p) && (n = due_events(p, channel, batch)) > 0) {
        process_batch(p, batch, n);
        for (size_t i = 0; i < n; i++)
            sb_due_event_clear(&batch[i]);
    }
    free(batch);
}

static void *worker_main(void *arg)
{
    struct sb_pipeline *p = arg;
    if (!p->apply_inline) /* ingest-only */
        return NULL;
    do {
        lane_begin(p, &p->worker);
        int64_t ids[BATCH];
        size_t n = due_channels(p, sb_store_events_due_channels, ids, BATCH);
        for (size_t i = 0; i < n; i++)
            run_start(p, &p->worker, ids[i], worker_run, 0);
        bool waiting = pending_events(p);
        pthread_mutex_lock(&p->lock);
        p->retries_waiting = waiting;
        pthread_mutex_unlock(&p->lock);
        /* new events kick; every second, retries that fell due */
    } while (lane_rest(p, &p->worker, 1000));
    return NULL;
}

/* ---- polling ---- */

struct page_job {
    const struct sb_channel_rt *rt;
    const struct sb_order_page *page;
};

static sb_err page_fn(struct sb_db *db, void *ctx)
{
    struct page_job *j = ctx;
    for (size_t i = 0; i < j->page->n; i++) {
        sb_err err = sb_sync_apply_order(db, j->rt, j->page->orders[i], NULL);
        if (err)
            return err;
    }
    for (size_t i = 0; i < j->page->n_unreadable; i++) {
        const struct sb_order_unreadable *u = &j->page->unreadable[i];
        sb_err err = sb_sync_record_unreadable(db, j->rt, u->external_id, u->reason);
        if (err)
            return err;
    }
    return sb_store_channel_set_cursor(db, j->rt->ch.id, j->page->next_cursor);
}

struct poll_log {
    int64_t channel_id, orders;
    sb_err err;
    char message[300];
};

static sb_err poll_log_fn(struct sb_db *db, void *ctx)
{
    struct poll_log *l = ctx;
    int64_t now = sb_time_now();
    /* I9: a failed poll backs off with jitter, as pushes do, instead of being tried again on
     * the poller's next tick */
    sb_err err = sb_store_poll_record(db, l->channel_id, now, l->err ? l->message : NULL,
                                      (int64_t)(rand() % 501) - 250);
    if (err)
        return err;
    if (l->err)
        return sb_store_channel_log(db, l->channel_id, "error", "poll.failed", NULL,
                                    "%s (tried again with backoff)", l->message);
    return sb_store_channel_log(db, l->channel_id, "info", "poll.done", NULL,
                                "%lld order%s changed since the last poll", (long long)l->orders,
                                l->orders == 1 ? "" : "s");
}

sb_err sb_sync_poll_channel(struct sb_store *store, int64_t channel_id, json_t **ret_report)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_db *db;
    struct sb_channel_rt *rt = NULL;
    sb_err err = sb_store_acquire(store, &db);
    if (!err) {
        err = sb_store_channel_load(db, channel_id, a, &rt);
        sb_store_release(store, db);
    }
    if (!err && !rt->ops->poll_orders)
        err = sb_fail(SB_ECONFLICT, NULL, "this kind of channel cannot be polled");
    int64_t orders = 0, pages = 0;
    const char *cursor = err ? NULL : rt->poll_cursor;
    while (!err) {
        struct sb_order_page page = { 0 };
        err = rt->ops->poll_orders(&rt->ch, cursor, a, &page);
        if (err == SB_EUNAUTHORIZED) {
            /* the channel's credentials were refused, not the caller's token: a 401 would
             * read as "sign in again"; 409, as for a channel without credentials */
            char msg[300];
            snprintf(msg, sizeof(msg), "%s", sb_err_last()->message);
            err = sb_fail(SB_ECONFLICT, "credentials", "%s", msg);
        }
        if (err)
            break;
        struct page_job j = { .rt = rt, .page = &page };
        err = sb_store_write(store, page_fn, &j);
        if (err)
            break;
        orders += (int64_t)page.n;
        pages++;
        cursor = page.next_cursor;
        if (!page.more)
            break;
    }
    if (rt) { /* every poll, good or bad, is in the channel's log (O10) */
        struct poll_log l = { .channel_id = channel_id, .err = err, .orders = orders };
        if (err)
            snprintf(l.message, sizeof(l.message), "%s", sb_err_last()->message);
        struct sb_errinfo saved = *sb_err_last();
        (void)sb_store_write(store, poll_log_fn, &l);
        if (err) /* the poll's error, not the log's, is what the caller gets */
            sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
    }
    if (!err && ret_report)
        *ret_report = json_pack("{s:I,s:I,s:s?}", "orders", (json_int_t)orders, "pages",
                                (json_int_t)pages, "cursor", cursor);
    sb_arena_free(a);
    return err;
}

/* I5: every channel that keeps stock is reconciled every STOCKBRIDGE_RECONCILE_MINUTES
 * (default 30; "off": never on a schedule). The channels due, up to cap. */
static size_t reconcile_due(struct sb_pipeline *p, int64_t *ids, size_t cap)
{
    const char *env = getenv("STOCKBRIDGE_RECONCILE_MINUTES");
    if (env && strcmp(env, "off") == 0)
        return 0;
    long minutes = env ? strtol(env, NULL, 10) : 30;
    if (minutes <= 0)
        minutes = 30;
    char before[SB_TIME_LEN];
    sb_time_format(sb_time_now() - minutes * 60, before, sizeof(before));
    struct sb_db *db;
    size_t n = 0;
    if (sb_store_acquire(p->store, &db))
        return 0;
    if (sb_store_reconcile_due_channels(db, before, ids, cap, &n))
        n = 0;
    sb_store_release(p->store, db);
    return n;
}

enum {
    POLL_DUE = 1,
    RECONCILE_DUE = 2
};

/* A poller run: the channel's poll and reconciliation, whichever is due. */
static void poll_run(struct sb_pipeline *p, int64_t channel, unsigned flags)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)channel);
    if (flags & POLL_DUE) {
        json_t *report = NULL;
        sb_err err = sb_sync_poll_channel(p->store, channel, &report);
        json_decref(report);
        if (err)
            sb_log(SB_LOG_WARN, "poll.failed", "channel", id, "error", sb_err_last()->message,
                   NULL);
    }
    if (flags & RECONCILE_DUE) {
        json_t *report = NULL;
        sb_err err = sb_sync_reconcile(p->store, channel, NULL, &report);
        json_decref(report);
        if (err && err != SB_ECONFLICT) /* conflict: keeps no stock, or sync is off */
            sb_log(SB_LOG_WARN, "reconcile.failed", "channel", id, "error", sb_err_last()->message,
                   NULL);
    }
}

static bool listed(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static void *poller_main(void *arg)
{
    struct sb_pipeline *p = arg;
    /* tests poll on demand (POST /api/v1/channels/{id}/poll) to stay deterministic */
    const char *schedule = getenv("STOCKBRIDGE_POLL_SCHEDULE");
    if (schedule && strcmp(schedule, "off") == 0)
        return NULL;
    /* let the server and its neighbours come up before the first poll; then a pass every
     * 5 s (a poll that failed is tried again on the next, not at once) */
    while (lane_rest(p, &p->poller, 5000)) {
        struct sb_db *db;
        int64_t polls[64], recs[64];
        size_t np = 0;
        if (!sb_store_acquire(p->store, &db)) {
            if (sb_store_channel_poll_due(db, sb_time_now(), polls, 64, &np))
                np = 0;
            sb_store_release(p->store, db);
        }
        size_t nr = reconcile_due(p, recs, 64);
        for (size_t i = 0; i < np; i++)
            run_start(p, &p->poller, polls[i], poll_run,
                      POLL_DUE | (listed(recs, nr, polls[i]) ? RECONCILE_DUE : 0));
        for (size_t i = 0; i < nr; i++)
            if (!listed(polls, np, recs[i]))
                run_start(p, &p->poller, recs[i], poll_run, RECONCILE_DUE);
    }
    return NULL;
}

/* ---- the outbox dispatcher ---- */

void sb_pipeline_kick_outbox(struct sb_pipeline *p)
{
    if (p)
        lane_kick(p, &p->dispatcher);
}

struct sent_job {
    const struct sb_due_call *c;
    sb_err err;
    const char *error;
};

static sb_err sent_fn(struct sb_db *db, void *ctx)
{
    struct sent_job *j = ctx;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (!j->err) {
        sb_err err = sb_db_exec(db,
                                "UPDATE outbox SET status = 'done', done_at = ?, attempts = ?,"
                                " last_error = NULL WHERE id = ?",
                                "sii", now, j->c->attempts + 1, j->c->id);
        return err ? err
                   : sb_store_channel_log(db, j->c->channel_id, "info", "push.done", j->c->ref,
                                          "%s sent", j->c->kind);
    }
    int64_t attempts = j->c->attempts + 1;
    bool park = attempts >= SB_OUTBOX_MAX_ATTEMPTS || j->err == SB_EINVALID_FIELD ||
                j->err == SB_ENOT_FOUND;
    char next[SB_TIME_LEN];
    retry_time(attempts, next);
    sb_err err =
        sb_db_exec(db,
                   "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
                   " last_error = ? WHERE id = ?",
                   "sissi", park ? "parked" : "pending", attempts, next, j->error, j->c->id);
    return err ? err
               : sb_store_channel_log(db, j->c->channel_id, park ? "error" : "warn",
                                      park ? "push.parked" : "push.retry", j->c->ref,
                                      "%s failed (attempt %lld): %s", j->c->kind,
                                      (long long)attempts, j->error);
}

static sb_err send_call(struct sb_pipeline *p, const struct sb_due_call *c)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_db *db;
    struct sb_channel_rt *rt = NULL;
    sb_err err = a ? sb_store_acquire(p->store, &db) : sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err) {
        err = sb_store_channel_load(db, c->channel_id, a, &rt);
        sb_store_release(p->store, db);
    }
    json_t *payload = err ? NULL : json_loads(c->payload, 0, NULL);
    if (!err && strcmp(c->kind, "fulfillment") == 0 && rt->ops->push_fulfillment) {
        struct sb_fulfillment_push f = {
            .order_external_id = c->ref,
            .tracking_number = json_string_value(json_object_get(payload, "tracking_number")),
            .tracking_company = json_string_value(json_object_get(payload, "tracking_company")),
            .notify_customer = true,
        };
        err = rt->ops->push_fulfillment(&rt->ch, &f);
    } else if (!err && strcmp(c->kind, "cancel") == 0 && rt->ops->push_cancel) {
        err = rt->ops->push_cancel(&rt->ch, c->ref,
                                   json_string_value(json_object_get(payload, "reason")));
    } else if (!err) {
        err = sb_fail(SB_EINVALID_FIELD, "kind", "the channel takes no %s calls", c->kind);
    }
    json_decref(payload);
    sb_arena_free(a);
    return err;
}

static size_t due_calls(struct sb_pipeline *p, int64_t channel, struct sb_due_call *out, size_t cap)
{
    struct sb_db *db;
    if (sb_store_acquire(p->store, &db))
        return 0;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    size_t n = 0;
    if (sb_store_calls_due(db, channel, now, out, cap, &n))
        n = 0;
    sb_store_release(p->store, db);
    return n;
}

/* A dispatcher run: the channel's due calls, in order, until none is due. */
static void dispatch_run(struct sb_pipeline *p, int64_t channel, unsigned flags)
{
    struct sb_due_call calls[32];
    size_t n;
    while (!stopping(p) && (n = due_calls(p, channel, calls, 32)) > 0) {
        for (size_t i = 0; i < n; i++) {
            struct sent_job j = { .c = &calls[i] };
            j.err = send_call(p, &calls[i]);
            char msg[300];
            snprintf(msg, sizeof(msg), "%s",
                     sb_err_last()->message[0] ? sb_err_last()->message : sb_err_message(j.err));
            j.error = msg;
            if (sb_store_write(p->store, sent_fn, &j))
                sb_log(SB_LOG_ERROR, "outbox.unrecorded", "error", sb_err_last()->message, NULL);
            sb_due_call_clear(&calls[i]);
        }
    }
}

static void *dispatcher_main(void *arg)
{
    struct sb_pipeline *p = arg;
    do {
        lane_begin(p, &p->dispatcher);
        int64_t ids[64];
        size_t n = due_channels(p, sb_store_calls_due_channels, ids, 64);
        for (size_t i = 0; i < n; i++)
            run_start(p, &p->dispatcher, ids[i], dispatch_run, 0);
    } while (lane_rest(p, &p->dispatcher, 1000));
    return NULL;
}

/* ---- stock to the channels ---- */

/* Woken by every commit of the writer (a stock change queues rows in its transaction),
 * and every STOCK_PERIOD_MS for changes committed elsewhere and retries that fell due. */
#define STOCK_PERIOD_MS 250

static void on_commit(void *ud)
{
    struct sb_pipeline *p = ud;
    lane_kick(p, &p->stock);
}

/* A stock run: the channel's due stock and price rows, a batch at a time. */
static void stock_run(struct sb_pipeline *p, int64_t channel, unsigned flags)
{
    while (!stopping(p) && sb_sync_stock_channel(p->store, channel)) {
    }
}

static void *stock_main(void *arg)
{
    struct sb_pipeline *p = arg;
    pthread_setname_np(pthread_self(), "sb-stock");
    /* tests run passes only when kicked (commits, sb_pipeline_wait_idle), so that no timer
     * decides what they see */
    const char *period = getenv("STOCKBRIDGE_SYNC_PERIOD");
    long ms = period && strcmp(period, "off") == 0 ? 24L * 3600 * 1000 : STOCK_PERIOD_MS;
    int64_t sales_checked = 0;
    do {
        lane_begin(p, &p->stock);
        /* sales start and end by the clock: a look a second is enough, not one per commit */
        pthread_mutex_lock(&p->lock);
        bool asked = p->check_sales;
        p->check_sales = false;
        pthread_mutex_unlock(&p->lock);
        if (asked || sb_time_now() != sales_checked) {
            sales_checked = sb_time_now();
            sb_sync_sale_windows(p->store);
        }
        int64_t ids[64];
        size_t n = sb_sync_stock_due(p->store, ids, 64);
        for (size_t i = 0; i < n; i++)
            run_start(p, &p->stock, ids[i], stock_run, 0);
    } while (lane_rest(p, &p->stock, ms));
    return NULL;
}

/* ---- life cycle ---- */

/* Stops and joins the first n lanes (the ones that were started), then their runs: a run
 * in a channel's call ends when the call does (the HTTP client bounds it). */
static void stop_lanes(struct sb_pipeline *p, struct lane *const *started, size_t n)
{
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    for (size_t i = 0; i < n; i++)
        pthread_cond_broadcast(&started[i]->wake);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < n; i++)
        pthread_join(started[i]->thread, NULL);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < MAX_RUNS; k++)
            if (started[i]->runs[k].joinable)
                pthread_join(started[i]->runs[k].thread, NULL);
}

static void free_pipeline(struct sb_pipeline *p)
{
    struct lane *lanes[] = { &p->worker, &p->poller, &p->dispatcher, &p->stock };
    for (size_t i = 0; i < 4; i++)
        pthread_cond_destroy(&lanes[i]->wake);
    pthread_cond_destroy(&p->idle_cv);
    pthread_mutex_destroy(&p->lock);
    sb_rt_cache_free(p->channels);
    free(p);
}

sb_err sb_pipeline_start(struct sb_store *store, struct sb_pipeline **ret)
{
    struct sb_pipeline *p = calloc(1, sizeof(*p));
    if (!p)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    p->store = store;
    if (sb_rt_cache_new(&p->channels)) {
        free(p);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    /* an ingest-only server records and acknowledges events and leaves applying them to
     * another process (`stockbridge sync --drain`) */
    const char *worker = getenv("STOCKBRIDGE_PIPELINE_WORKER");
    p->apply_inline = !(worker && strcmp(worker, "off") == 0);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->idle_cv, NULL);
    struct lane *lanes[] = { &p->worker, &p->poller, &p->dispatcher, &p->stock };
    void *(*mains[])(void *) = { worker_main, poller_main, dispatcher_main, stock_main };
    for (size_t i = 0; i < 4; i++)
        pthread_cond_init(&lanes[i]->wake, NULL);
    /* the poller's work is due on its schedule; a poll that failed waits for the next pass */
    p->worker.rerun = p->dispatcher.rerun = p->stock.rerun = true;
    for (size_t i = 0; i < 4; i++) {
        if (pthread_create(&lanes[i]->thread, NULL, mains[i], p) != 0) {
            stop_lanes(p, lanes, i);
            free_pipeline(p);
            return sb_fail(SB_EINTERNAL, NULL, "cannot start the pipeline threads");
        }
    }
    sb_store_on_commit(store, on_commit, p);
    *ret = p;
    return SB_OK;
}

void sb_pipeline_stop(struct sb_pipeline *p)
{
    if (!p)
        return;
    sb_store_on_commit(p->store, NULL, NULL);
    struct lane *lanes[] = { &p->worker, &p->poller, &p->dispatcher, &p->stock };
    stop_lanes(p, lanes, 4);
    free_pipeline(p);
}
