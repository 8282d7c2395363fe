/*
 * The lanes' machinery (see lanes.h): kicking, resting, and a run per
 * channel on a thread of its own, named "sb-ch<id>" as top -H shows it.
 */
#include "sync/lanes.h"
#include "sync/connect.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <time.h>

void sb_lane_kick(struct sb_pipeline *p, struct sb_lane *l)
{
    pthread_mutex_lock(&p->lock);
    l->kicked = true;
    l->idle = false;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&p->lock);
}

void sb_lane_begin(struct sb_pipeline *p, struct sb_lane *l)
{
    pthread_mutex_lock(&p->lock);
    l->kicked = false;
    pthread_mutex_unlock(&p->lock);
}

bool sb_lane_rest(struct sb_pipeline *p, struct sb_lane *l, long ms)
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

bool sb_pipeline_stopping(struct sb_pipeline *p)
{
    pthread_mutex_lock(&p->lock);
    bool stop = p->stop;
    pthread_mutex_unlock(&p->lock);
    return stop;
}

bool sb_run_go_on(struct sb_pipeline *p, int64_t channel)
{
    return !sb_pipeline_stopping(p) && sb_leases_valid_channel(p->leases, channel);
}

/* The run is over: its slot is free and the lane looks again (more may be due). */
static void run_end(struct sb_run *r)
{
    struct sb_pipeline *p = r->p;
    struct sb_lane *l = r->lane;
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
    struct sb_run *r = arg;
    char name[16];
    snprintf(name, sizeof(name), "sb-ch%lld", (long long)r->channel);
    pthread_setname_np(pthread_self(), name); /* as top -H shows it */
    r->fn(r->p, r->channel, r->flags);
    /* what the run's calls told the adapter about the connection (another API version
     * answering) is logged once, here, whichever lane made them */
    sb_sync_connection_notice(r->p->store, r->p->channels, r->channel);
    run_end(r);
    return NULL;
}

void sb_run_start(struct sb_pipeline *p, struct sb_lane *l, int64_t channel, sb_run_fn fn,
                  unsigned flags)
{
    /* another node works this channel (its lease): its calls and budget stay there */
    if (!sb_leases_hold_channel(p->leases, channel))
        return;
    struct sb_run *slot = NULL;
    pthread_mutex_lock(&p->lock);
    bool go = !p->stop;
    for (size_t i = 0; go && i < SB_LANE_MAX_RUNS; i++) {
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

size_t sb_lane_due_channels(struct sb_pipeline *p,
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

/* A run in a channel's call ends when the call does (the HTTP client bounds it). */
void sb_lanes_stop(struct sb_pipeline *p, struct sb_lane *const *lanes, size_t n)
{
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    for (size_t i = 0; i < n; i++)
        pthread_cond_broadcast(&lanes[i]->wake);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < n; i++)
        pthread_join(lanes[i]->thread, NULL);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < SB_LANE_MAX_RUNS; k++)
            if (lanes[i]->runs[k].joinable)
                pthread_join(lanes[i]->runs[k].thread, NULL);
}
