/*
 * The pipeline's life cycle: its lanes started and stopped together (lanes.h
 * describes them, one file each), and the wait for them to settle that tests
 * and benchmarks use instead of sleeps.
 */
#include "store/channel-log.h"
#include "store/due.h"
#include "sync/pipeline.h"
#include "sync/lanes.h"
#include "sync/stock-push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Whether an event or an outbox call is due now: the pipeline's own writes may have queued
 * one after the lane's last pass (an order downloaded owes its channel an after-download
 * call), or its channel's lease is another node's (a node killed a moment ago holds it
 * until it expires: sync/leases.h), and the work is not done; false when the store cannot
 * say. */
static bool work_due(struct sb_pipeline *p)
{
    int64_t id;
    return sb_lane_due_channels(p, sb_store_calls_due_channels, &id, 1) > 0 ||
           sb_sync_stock_due(p->store, &id, 1) > 0 ||
           (p->apply_inline && sb_lane_due_channels(p, sb_store_events_due_channels, &id, 1) > 0);
}

static bool passed(const struct timespec *until)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec > until->tv_sec ||
           (now.tv_sec == until->tv_sec && now.tv_nsec >= until->tv_nsec);
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
    /* a stock pass that starts after this call, so changes made before it are pushed */
    p->stock.kicked = true;
    p->stock.idle = false;
    p->check_sales = true;
    pthread_cond_signal(&p->stock.wake);
    for (;;) {
        int rc = 0;
        while (!(p->worker.idle && p->dispatcher.idle && p->stock.idle) && rc == 0)
            rc = pthread_cond_timedwait(&p->idle_cv, &p->lock, &until);
        bool idle = p->worker.idle && p->dispatcher.idle && p->stock.idle;
        pthread_mutex_unlock(&p->lock);
        if (!idle || !work_due(p))
            return idle;
        if (passed(&until))
            return false; /* work still due that the lanes do not settle */
        /* work queued after the lanes' passes, or leased elsewhere: a breath (a lane that
         * finds the lease held elsewhere is idle at once), then another pass, and wait
         * for it */
        struct timespec breath;
        clock_gettime(CLOCK_REALTIME, &breath);
        breath.tv_nsec += 100 * 1000000L;
        if (breath.tv_nsec >= 1000000000L) {
            breath.tv_sec++;
            breath.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&p->lock);
        if (!p->stop)
            pthread_cond_timedwait(&p->idle_cv, &p->lock, &breath);
        p->dispatcher.kicked = p->stock.kicked = true;
        p->dispatcher.idle = p->stock.idle = false;
        pthread_cond_signal(&p->dispatcher.wake);
        pthread_cond_signal(&p->stock.wake);
        if (p->apply_inline) { /* an ingest-only server has no worker to kick */
            p->worker.kicked = true;
            p->worker.idle = false;
            pthread_cond_signal(&p->worker.wake);
        }
    }
}

struct sb_channel_cache *sb_pipeline_channels(struct sb_pipeline *p)
{
    return p ? p->channels : NULL;
}

struct ignored_job {
    int64_t channel;
    const char *topic, *event_id;
};

static sb_err ignored_fn(struct sb_db *db, void *ctx)
{
    const struct ignored_job *j = ctx;
    return sb_store_channel_log(db, j->channel, "info", "webhook.ignored", NULL,
                                "%.100s (event %.100s): a topic stockbridge does not use, "
                                "answered 200; later deliveries of it are not logged",
                                j->topic, j->event_id ? j->event_id : "-");
}

bool sb_pipeline_first_ignored(struct sb_pipeline *p, int64_t channel, const char *topic,
                               const char *event_id)
{
    if (!p)
        return true;
    size_t cap = sizeof(p->ignored) / sizeof(p->ignored[0]);
    bool first = true;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; first && i < p->n_ignored; i++)
        if (p->ignored[i].channel == channel &&
            strncmp(p->ignored[i].topic, topic, sizeof(p->ignored[i].topic) - 1) == 0)
            first = false;
    if (first) {
        size_t i = p->n_ignored < cap ? p->n_ignored++ : (p->next_ignored++ % cap);
        p->ignored[i].channel = channel;
        snprintf(p->ignored[i].topic, sizeof(p->ignored[i].topic), "%s", topic);
    }
    pthread_mutex_unlock(&p->lock);
    struct ignored_job j = { channel, topic, event_id };
    if (first) /* best effort: the answer is 200 whatever the log says */
        (void)sb_store_write(p->store, ignored_fn, &j);
    return first;
}

static void free_pipeline(struct sb_pipeline *p)
{
    struct sb_lane *lanes[] = { &p->worker, &p->poller, &p->dispatcher, &p->stock };
    for (size_t i = 0; i < 4; i++)
        pthread_cond_destroy(&lanes[i]->wake);
    pthread_cond_destroy(&p->idle_cv);
    pthread_mutex_destroy(&p->lock);
    sb_channel_cache_free(p->channels);
    sb_leases_stop(p->leases); /* after the lanes: what this node held goes back */
    free(p);
}

sb_err sb_pipeline_start(struct sb_store *store, struct sb_pipeline **ret)
{
    /* every kind held to its capability bits before anything tests them */
    sb_err err = sb_channel_kinds_check();
    if (err)
        return err;
    struct sb_pipeline *p = calloc(1, sizeof(*p));
    if (!p)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    p->store = store;
    if (sb_channel_cache_new(&p->channels)) {
        free(p);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if ((err = sb_leases_start(store, &p->leases))) {
        sb_channel_cache_free(p->channels);
        free(p);
        return err;
    }
    /* an ingest-only server records and acknowledges events and leaves applying them to
     * another process (`stockbridge sync --drain`) */
    const char *worker = getenv("STOCKBRIDGE_PIPELINE_WORKER");
    p->apply_inline = !(worker && strcmp(worker, "off") == 0);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->idle_cv, NULL);
    struct sb_lane *lanes[] = { &p->worker, &p->poller, &p->dispatcher, &p->stock };
    void *(*mains[])(void *) = { sb_worker_main, sb_poller_main, sb_dispatcher_main,
                                 sb_stock_main };
    for (size_t i = 0; i < 4; i++)
        pthread_cond_init(&lanes[i]->wake, NULL);
    /* the poller's work is due on its schedule; a poll that failed waits for the next pass */
    p->worker.rerun = p->dispatcher.rerun = p->stock.rerun = true;
    for (size_t i = 0; i < 4; i++) {
        if (pthread_create(&lanes[i]->thread, NULL, mains[i], p) != 0) {
            sb_lanes_stop(p, lanes, i);
            free_pipeline(p);
            return sb_fail(SB_EINTERNAL, NULL, "cannot start the pipeline threads");
        }
    }
    sb_store_on_commit(store, sb_stock_on_commit, p);
    *ret = p;
    return SB_OK;
}

void sb_pipeline_stop(struct sb_pipeline *p)
{
    if (!p)
        return;
    sb_store_on_commit(p->store, NULL, NULL);
    struct sb_lane *lanes[] = { &p->worker, &p->poller, &p->dispatcher, &p->stock };
    sb_lanes_stop(p, lanes, 4);
    free_pipeline(p);
}
