/*
 * This node's leases (leases.h): a short table of the leases the node has
 * wanted, under a mutex, and a thread that renews those it holds every third
 * of a lease. Each entry knows until when, on the node's monotonic clock, the
 * node may act under it: two thirds of a lease after the take or renewal that
 * last succeeded began. Taking and renewing are the same upsert
 * (store/leases.c), on a pooled connection in a transaction of its own, not
 * through the group-commit writer: a lease must not wait behind a batch.
 */
#include "sync/leases.h"

#include "store/leases.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

struct lease {
    char name[SB_LEASE_NAME_LEN];
    bool held;
    int64_t valid_until_ms; /* monotonic: the node acts under it until then */
    int64_t retry_at_ms;    /* monotonic: held elsewhere, not tried again before then */
};

struct sb_leases {
    struct sb_store *store;
    char node[SB_NODE_ID_LEN];
    int64_t seconds;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    pthread_t thread;
    struct lease *v;
    size_t n, cap;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct take_job {
    const struct sb_leases *l;
    const char *const *names;
    size_t n;
    bool *held;
    bool release;
};

static sb_err take_fn(struct sb_db *db, void *ctx)
{
    struct take_job *j = ctx;
    int64_t now = sb_time_now();
    char at[SB_TIME_LEN], until[SB_TIME_LEN];
    sb_time_format(now, at, sizeof(at));
    sb_time_format(now + j->l->seconds, until, sizeof(until));
    sb_err err = SB_OK;
    for (size_t i = 0; !err && i < j->n; i++)
        err = j->release ? sb_store_lease_release(db, j->names[i], j->l->node)
                         : sb_store_lease_take(db, j->names[i], j->l->node, at, until, &j->held[i]);
    return err;
}

/* Takes (or renews, or gives back) the named leases in one transaction. */
static sb_err take(const struct sb_leases *l, const char *const *names, size_t n, bool *held,
                   bool release)
{
    struct sb_db *db;
    sb_err err = sb_store_acquire(l->store, &db);
    if (err)
        return err;
    struct take_job j = { .l = l, .names = names, .n = n, .held = held, .release = release };
    err = sb_store_transaction(db, take_fn, &j);
    sb_store_release(l->store, db);
    return err;
}

/* The entry for name, added when new (the lock held); NULL when out of memory. */
static struct lease *entry(struct sb_leases *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct lease *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    struct lease *e = &l->v[l->n++];
    *e = (struct lease){ 0 };
    snprintf(e->name, sizeof(e->name), "%s", name);
    return e;
}

/* What a take or renewal that began at `began` found (the lock held). */
static void settle(struct sb_leases *l, struct lease *e, sb_err err, bool held, int64_t began)
{
    int64_t third = l->seconds * 1000 / 3;
    if (err) { /* the database did not answer: kept while its time lasts */
        if (!(e->held && mono_ms() < e->valid_until_ms))
            e->held = false;
        e->retry_at_ms = mono_ms() + third;
        return;
    }
    if (held && !e->held)
        sb_log(SB_LOG_INFO, "lease.taken", "lease", e->name, "node", l->node, NULL);
    else if (!held && e->held)
        sb_log(SB_LOG_WARN, "lease.lost", "lease", e->name, "node", l->node, NULL);
    e->held = held;
    e->valid_until_ms = held ? began + 2 * third : 0;
    e->retry_at_ms = held ? 0 : began + third;
}

bool sb_leases_hold(struct sb_leases *l, const char *name)
{
    int64_t now = mono_ms();
    pthread_mutex_lock(&l->lock);
    struct lease *e = entry(l, name);
    bool ok = e && e->held && now < e->valid_until_ms;
    bool try = e && !ok && now >= e->retry_at_ms && !l->stop;
    pthread_mutex_unlock(&l->lock);
    if (!try)
        return ok;
    bool held = false;
    const char *names[] = { name };
    sb_err err = take(l, names, 1, &held, false);
    pthread_mutex_lock(&l->lock);
    e = entry(l, name);
    if (e) {
        settle(l, e, err, held, now);
        ok = e->held && mono_ms() < e->valid_until_ms;
    }
    pthread_mutex_unlock(&l->lock);
    sb_err_clear();
    return ok;
}

bool sb_leases_valid(struct sb_leases *l, const char *name)
{
    int64_t now = mono_ms();
    bool ok = false;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            ok = l->v[i].held && now < l->v[i].valid_until_ms;
    pthread_mutex_unlock(&l->lock);
    return ok;
}

void sb_leases_drop(struct sb_leases *l, const char *name)
{
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].name, name) == 0 && l->v[i].held) {
            sb_log(SB_LOG_WARN, "lease.lost", "lease", name, "node", l->node, NULL);
            l->v[i].held = false;
            l->v[i].valid_until_ms = 0;
            l->v[i].retry_at_ms = mono_ms() + l->seconds * 1000 / 3;
        }
    }
    pthread_mutex_unlock(&l->lock);
}

void sb_lease_channel_name(int64_t channel, char *buf, size_t cap)
{
    snprintf(buf, cap, "channel:%lld", (long long)channel);
}

bool sb_leases_hold_channel(struct sb_leases *l, int64_t channel)
{
    if (!l)
        return true;
    char name[SB_LEASE_NAME_LEN];
    sb_lease_channel_name(channel, name, sizeof(name));
    return sb_leases_hold(l, name);
}

bool sb_leases_valid_channel(struct sb_leases *l, int64_t channel)
{
    if (!l)
        return true;
    char name[SB_LEASE_NAME_LEN];
    sb_lease_channel_name(channel, name, sizeof(name));
    return sb_leases_valid(l, name);
}

void sb_lease_fence_channel(struct sb_leases *l, int64_t channel, struct sb_lease_fence *ret)
{
    sb_lease_channel_name(channel, ret->name, sizeof(ret->name));
    ret->holder = l ? l->node : NULL;
    ret->leases = l;
}

bool sb_lease_fence_holds(struct sb_db *db, const struct sb_lease_fence *f)
{
    bool held = false;
    if (!f || !f->holder)
        return true;
    if (sb_store_lease_held(db, f->name, f->holder, &held)) {
        sb_err_clear();
        return false; /* not known to hold: the work is done again by whoever holds it */
    }
    if (!held && f->leases)
        sb_leases_drop(f->leases, f->name);
    return held;
}

const char *sb_leases_node(const struct sb_leases *l)
{
    return l->node;
}

int64_t sb_leases_seconds(const struct sb_leases *l)
{
    return l->seconds;
}

/* Renews every lease held, in one transaction, every third of a lease. */
static void *renew_main(void *arg)
{
    struct sb_leases *l = arg;
    pthread_setname_np(pthread_self(), "sb-leases");
    pthread_mutex_lock(&l->lock);
    while (!l->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ms = l->seconds * 1000 / 3;
        until.tv_sec += ms / 1000;
        until.tv_nsec += (ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&l->wake, &l->lock, &until);
        if (l->stop)
            break;
        size_t n = 0;
        const char **names = calloc(l->n + 1, sizeof(*names));
        char(*copy)[SB_LEASE_NAME_LEN] = calloc(l->n + 1, sizeof(*copy));
        bool *held = calloc(l->n + 1, sizeof(*held));
        for (size_t i = 0; names && copy && held && i < l->n; i++)
            if (l->v[i].held) {
                memcpy(copy[n], l->v[i].name, SB_LEASE_NAME_LEN);
                names[n] = copy[n];
                n++;
            }
        pthread_mutex_unlock(&l->lock);
        int64_t began = mono_ms();
        sb_err err = n ? take(l, names, n, held, false) : SB_OK;
        if (err)
            sb_log(SB_LOG_WARN, "lease.renew_failed", "node", l->node, "error",
                   sb_err_last()->message, NULL);
        sb_err_clear();
        pthread_mutex_lock(&l->lock);
        for (size_t i = 0; i < n; i++) {
            struct lease *e = entry(l, names[i]);
            if (e)
                settle(l, e, err, held[i], began);
        }
        free(names);
        free(copy);
        free(held);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

sb_err sb_leases_start(struct sb_store *store, struct sb_leases **ret)
{
    int64_t seconds = 30;
    const char *env = getenv("STOCKBRIDGE_LEASE_SECONDS");
    if (env && *env) {
        char *end = NULL;
        long v = strtol(env, &end, 10);
        if (*end || v < 3 || v > 3600)
            return sb_fail(SB_EINVALID_FIELD, "STOCKBRIDGE_LEASE_SECONDS",
                           "a lease lasts 3 to 3600 seconds, not %.40s", env);
        seconds = v;
    }
    if (sodium_init() < 0)
        return sb_fail(SB_EINTERNAL, NULL, "libsodium failed to start");
    struct sb_leases *l = calloc(1, sizeof(*l));
    if (!l)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    l->store = store;
    l->seconds = seconds;
    char host[64] = "localhost";
    (void)gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(l->node, sizeof(l->node), "%s:%ld:%08x", host, (long)getpid(),
             (unsigned)randombytes_random());
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    if (pthread_create(&l->thread, NULL, renew_main, l) != 0) {
        pthread_cond_destroy(&l->wake);
        pthread_mutex_destroy(&l->lock);
        free(l);
        return sb_fail(SB_EINTERNAL, NULL, "cannot start the lease thread");
    }
    *ret = l;
    return SB_OK;
}

void sb_leases_stop(struct sb_leases *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stop = true;
    pthread_cond_broadcast(&l->wake);
    pthread_mutex_unlock(&l->lock);
    pthread_join(l->thread, NULL);
    /* what this node held goes back at once: another node need not wait for it to expire;
     * the caller's own error (a server that could not start) stays what it was */
    struct sb_errinfo saved = *sb_err_last();
    size_t n = 0;
    const char **names = calloc(l->n + 1, sizeof(*names));
    for (size_t i = 0; names && i < l->n; i++)
        if (l->v[i].held)
            names[n++] = l->v[i].name;
    if (n && take(l, names, n, NULL, true))
        sb_log(SB_LOG_WARN, "lease.release_failed", "node", l->node, "error",
               sb_err_last()->message, NULL);
    sb_err_clear();
    if (saved.err)
        (void)sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
    free(names);
    free(l->v);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    free(l);
}
