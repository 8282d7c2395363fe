/*
 * The pipeline's machinery, shared by its lanes (inside src/sync only): each
 * background lane is a thread that asks which channels have work due, starts
 * a run for each on a thread of its own (at most one per channel per lane,
 * SB_LANE_MAX_RUNS at once), then rests until kicked or until its period
 * ends. A shop that stops answering holds up only its own channel's run.
 *
 * The lanes: the worker (worker.c: recorded events), the poller (poller.c:
 * polls and the reconciliation schedule), the dispatcher (dispatcher.c: the
 * outbox) and the stock lane (stock-lane.c). The record path (record.c) runs
 * on the webhook's own thread and only kicks the worker.
 */
#ifndef SB_SYNC_LANES_H
#define SB_SYNC_LANES_H

#include "store/store.h"
#include "sync/channel-cache.h"
#include "sync/leases.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_LANE_MAX_RUNS 16 /* channels one lane works on at once */

struct sb_pipeline;
struct sb_lane;

/* A lane's work for one channel, on a thread of its own; flags say what is due. */
typedef void (*sb_run_fn)(struct sb_pipeline *p, int64_t channel, unsigned flags);

struct sb_run {
    struct sb_pipeline *p;
    struct sb_lane *lane;
    sb_run_fn fn;
    unsigned flags;
    int64_t channel;  /* 0: the slot is free */
    pthread_t thread; /* joined before the slot is used again, and at stop */
    bool joinable;
};

/*
 * A lane starts a run for each channel that has work due and none in flight, then
 * rests until kicked or until its period ends; a run that ends kicks it. A kick that
 * arrives while it works is not lost: the lane only rests when it was not kicked since
 * it started the pass. It is idle when it rests with no run in flight.
 */
struct sb_lane {
    pthread_t thread;
    pthread_cond_t wake;
    bool kicked, idle;
    bool rerun; /* a run that ends wakes the lane: more may be due at once */
    struct sb_run runs[SB_LANE_MAX_RUNS];
    size_t running;
};

struct sb_pipeline {
    struct sb_store *store;
    pthread_mutex_t lock;
    pthread_cond_t idle_cv; /* broadcast when a lane becomes idle */
    bool stop;
    bool apply_inline;                 /* webhooks' orders applied as they are recorded */
    struct sb_channel_cache *channels; /* every lane's channels, and the webhook path's */
    struct sb_leases *leases;          /* which channels this node works (sync/leases.h) */
    bool retries_waiting; /* the worker left events pending for later: kick it on news */
    bool check_sales;     /* sb_pipeline_wait_idle asks the stock lane to look at sales now */
    struct sb_lane worker, poller, dispatcher, stock;
    /* the unused webhook topics already logged, per channel (sb_pipeline_first_ignored),
     * under lock; when full, the oldest is forgotten */
    struct {
        int64_t channel;
        char topic[64];
    } ignored[32];
    size_t n_ignored, next_ignored;
};

void sb_lane_kick(struct sb_pipeline *p, struct sb_lane *l);
/* Called before a pass: kicks from now on mean "look again". */
void sb_lane_begin(struct sb_pipeline *p, struct sb_lane *l);
/* After a pass: rests up to `ms` unless kicked meanwhile; false once stopping. */
bool sb_lane_rest(struct sb_pipeline *p, struct sb_lane *l, long ms);
bool sb_pipeline_stopping(struct sb_pipeline *p);
/* Whether a run may take its next step for the channel: the pipeline is not stopping and
 * this node still holds the channel's lease. Checked before each batch, call or push. */
bool sb_run_go_on(struct sb_pipeline *p, int64_t channel);

/* Starts fn for the channel on a thread of its own, unless the channel has a run in
 * flight on this lane, every slot is taken (the lane looks again when a run ends), or
 * another node holds the channel's lease (sync/leases.h). Called by the lane's thread
 * only. */
void sb_run_start(struct sb_pipeline *p, struct sb_lane *l, int64_t channel, sb_run_fn fn,
                  unsigned flags);

/* The channels with rows due now, by one of store/due.h's queries; up to cap (0 when the
 * store cannot say: the lane looks again on its next pass). */
size_t sb_lane_due_channels(struct sb_pipeline *p,
                            sb_err (*query)(struct sb_db *, const char *, int64_t *, size_t,
                                            size_t *),
                            int64_t *ids, size_t cap);

/* Stops and joins the first n lanes (the ones that were started), then their runs. */
void sb_lanes_stop(struct sb_pipeline *p, struct sb_lane *const *lanes, size_t n);

/* The lanes' threads (arg: the pipeline). */
void *sb_worker_main(void *arg);
void *sb_poller_main(void *arg);
void *sb_dispatcher_main(void *arg);
void *sb_stock_main(void *arg);
/* Kicks the stock lane: installed as the writer's on-commit hook. */
void sb_stock_on_commit(void *arg);

#endif
