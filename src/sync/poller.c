/*
 * The poller lane: every channel that can be polled, on its interval (and
 * POST .../poll at once): pages of orders changed since the cursor, each page
 * applied with the cursor moved in the same write job, so a poll that fails
 * half-way leaves nothing half applied and resumes where it stopped. A failed
 * poll backs off under the poll's retry policy (core/retry.c), recorded with
 * the channel (store/stock-queue.h: sb_store_poll_record). A kind of the export model
 * (SB_CH_EXPORT) is asked on the same schedule for the orders its webstore hands over,
 * which are applied and then acknowledged. The same runs reconcile each channel's stock on
 * its schedule (I5).
 */
#include "core/retry.h"
#include "store/channel-log.h"
#include "store/channel-polls.h"
#include "store/due.h"
#include "store/stock-queue.h"
#include "sync/connect.h"
#include "sync/lanes.h"
#include "sync/order-apply.h"
#include "sync/pipeline.h"
#include "sync/reconcile.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct page_job {
    const struct sb_channel_rt *rt;
    const struct sb_order_page *page;
};

/* A page's orders applied, and the orders it could not read recorded (O10). */
static sb_err apply_page(struct sb_db *db, const struct page_job *j)
{
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
    return SB_OK;
}

/* A polled page: applied with the cursor moved in the same job. */
static sb_err page_fn(struct sb_db *db, void *ctx)
{
    struct page_job *j = ctx;
    sb_err err = apply_page(db, j);
    return err ? err : sb_store_channel_set_cursor(db, j->rt->ch.id, j->page->next_cursor);
}

/* An exported page: applied, and the poll's time noted (its cursor is the polls'). */
static sb_err export_fn(struct sb_db *db, void *ctx)
{
    struct page_job *j = ctx;
    sb_err err = apply_page(db, j);
    return err ? err : sb_store_channel_set_cursor(db, j->rt->ch.id, NULL);
}

/* SB_CH_EXPORT: the orders the webstore hands over, a page at a time, each page applied in
 * one write and then acknowledged (what is applied is durable first: an acknowledgement
 * lost is an order offered again, applied idempotently, O2). */
static sb_err take_exported(struct sb_store *store, const struct sb_channel_rt *rt,
                            struct sb_arena *a, int64_t *orders, int64_t *pages)
{
    const char *cursor = NULL;
    for (;;) {
        struct sb_order_page page = { 0 };
        sb_err err = rt->ops->list_exported(&rt->ch, cursor, a, &page);
        struct page_job j = { .rt = rt, .page = &page };
        if (!err)
            err = sb_store_write(store, export_fn, &j);
        const char **ids = err ? NULL : sb_arena_alloc(a, (page.n + 1) * sizeof(*ids));
        if (!err && !ids)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; !err && i < page.n; i++)
            ids[i] = page.orders[i]->external_id;
        if (!err && page.n)
            err = rt->ops->acknowledge(&rt->ch, ids, page.n);
        if (err)
            return err;
        *orders += (int64_t)page.n;
        (*pages)++;
        cursor = page.next_cursor;
        if (!page.more)
            return SB_OK;
    }
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
                                      sb_retry_jitter(&sb_retry_poll));
    if (err)
        return err;
    if (l->err)
        return sb_store_channel_log(db, l->channel_id, "error", "poll.failed", NULL,
                                    "%s (tried again with backoff)", l->message);
    return sb_store_channel_log(db, l->channel_id, "info", "poll.done", NULL,
                                "%lld order%s changed since the last poll", (long long)l->orders,
                                l->orders == 1 ? "" : "s");
}

sb_err sb_sync_poll_channel(struct sb_store *store, struct sb_channel_cache *channels,
                            int64_t channel_id, json_t **ret_report)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_db *db;
    struct sb_channel_rt *rt = NULL;
    sb_err err = sb_store_acquire(store, &db);
    if (!err) {
        err = sb_channel_load(channels, db, channel_id, a, &rt);
        sb_store_release(store, db);
    }
    if (!err && !(rt->ops->caps & (SB_CH_POLL | SB_CH_EXPORT)))
        err = sb_fail(SB_ECONFLICT, NULL, "this kind of channel cannot be polled");
    int64_t orders = 0, pages = 0;
    const char *cursor = err ? NULL : rt->rec.poll_cursor;
    while (!err && (rt->ops->caps & SB_CH_POLL)) {
        /* each page in its own arena, so a poll of a large backlog holds one page at a time;
         * only the cursor it ends at outlives it */
        struct sb_arena *pa = sb_arena_new();
        if (!pa) {
            err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        struct sb_order_page page = { 0 };
        err = rt->ops->poll_orders(&rt->ch, cursor, pa, &page);
        if (err == SB_EUNAUTHORIZED) {
            /* the channel's credentials were refused, not the caller's token: a 401 would
             * read as "sign in again"; 409, as for a channel without credentials */
            char msg[300];
            snprintf(msg, sizeof(msg), "%s", sb_err_last()->message);
            err = sb_fail(SB_ECONFLICT, "credentials", "%s", msg);
        }
        struct page_job j = { .rt = rt, .page = &page };
        if (!err)
            err = sb_store_write(store, page_fn, &j);
        if (!err) {
            orders += (int64_t)page.n;
            pages++;
            if (page.next_cursor && !(cursor = sb_arena_strdup(a, page.next_cursor)))
                err = sb_fail(SB_ENOMEM, NULL, NULL);
        }
        bool more = page.more;
        sb_arena_free(pa);
        if (err || !more)
            break;
    }
    if (!err && (rt->ops->caps & SB_CH_EXPORT))
        err = take_exported(store, rt, a, &orders, &pages);
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
    if ((flags & POLL_DUE) && sb_run_go_on(p, channel)) {
        json_t *report = NULL;
        sb_err err = sb_sync_poll_channel(p->store, p->channels, channel, &report);
        json_decref(report);
        if (err)
            sb_log(SB_LOG_WARN, "poll.failed", "channel", id, "error", sb_err_last()->message,
                   NULL);
    }
    if ((flags & POLL_DUE) && sb_run_go_on(p, channel)) {
        /* a kind that connects as an app is checked again from time to time: its access,
         * and its webhook subscriptions repaired (cheap when nothing is wrong) */
        struct sb_arena *a = sb_arena_new();
        struct sb_db *db;
        struct sb_channel_rt *rt = NULL;
        bool due = false;
        if (a && !sb_store_acquire(p->store, &db)) {
            due = sb_channel_load(p->channels, db, channel, a, &rt) == SB_OK &&
                  sb_sync_connect_due(rt, a);
            sb_store_release(p->store, db);
        }
        sb_arena_free(a);
        if (due && sb_sync_connect(p->store, p->channels, channel, NULL))
            sb_log(SB_LOG_WARN, "connect.failed", "channel", id, "error", sb_err_last()->message,
                   NULL);
        sb_err_clear();
    }
    if ((flags & RECONCILE_DUE) && sb_run_go_on(p, channel)) {
        json_t *report = NULL;
        sb_err err = sb_sync_reconcile(p->store, p->channels, channel, NULL, &report);
        json_decref(report);
        if (err && err != SB_ECONFLICT) /* conflict: keeps no stock, or sync is off */
            sb_log(SB_LOG_WARN, "reconcile.failed", "channel", id, "error", sb_err_last()->message,
                   NULL);
    }
}

bool sb_sync_kind_polled(const char *kind)
{
    const struct sb_channel_ops *ops = sb_channel_ops_for(kind);
    return ops && (ops->caps & (SB_CH_POLL | SB_CH_EXPORT));
}

static bool listed(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

void *sb_poller_main(void *arg)
{
    struct sb_pipeline *p = arg;
    /* tests poll on demand (POST /api/v1/channels/{id}/poll) to stay deterministic */
    const char *schedule = getenv("STOCKBRIDGE_POLL_SCHEDULE");
    if (schedule && strcmp(schedule, "off") == 0)
        return NULL;
    /* let the server and its neighbours come up before the first poll; then a pass every
     * 5 s (a poll that failed is tried again on the next, not at once) */
    while (sb_lane_rest(p, &p->poller, 5000)) {
        struct sb_db *db;
        int64_t polls[64], recs[64];
        size_t np = 0;
        if (!sb_store_acquire(p->store, &db)) {
            if (sb_store_channel_poll_due(db, sb_time_now(), sb_sync_kind_polled, polls, 64, &np))
                np = 0;
            sb_store_release(p->store, db);
        }
        size_t nr = reconcile_due(p, recs, 64);
        for (size_t i = 0; i < np; i++)
            sb_run_start(p, &p->poller, polls[i], poll_run,
                         POLL_DUE | (listed(recs, nr, polls[i]) ? RECONCILE_DUE : 0));
        for (size_t i = 0; i < nr; i++)
            if (!listed(polls, np, recs[i]))
                sb_run_start(p, &p->poller, recs[i], poll_run, RECONCILE_DUE);
    }
    return NULL;
}
