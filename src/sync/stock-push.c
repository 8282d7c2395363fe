/*
 * One pass of the stock lane over one channel (SPEC I3, I4, I9, PR1-PR4): up to
 * the adapter's push batch of due stock rows, then of price rows, the figures
 * as they are now, one call each, and every row settled in one write (sent,
 * retried with backoff, or parked) under the stock queue's retry policy.
 */
#include "sync/stock-push.h"
#include "store/channel-log.h"
#include "store/item-channels.h"
#include "sync/stock-levels.h"
#include "store/stock-queue.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

/* How one row ends this pass. */
struct settle {
    struct sb_sync_row row;
    const char *error; /* NULL: sent, or nothing to send */
    /* what the channel took, recorded for the item page (store/item-channels.h): the
     * quantity summed over its locations, or the regular and sale price */
    bool took;
    int64_t value, sale;
};

struct settle_job {
    int64_t channel_id;
    const struct sb_lease_fence *fence;
    const char *kind;
    struct settle *rows;
    size_t n;
    const struct sb_sync_item *found; /* items looked up on the channel this pass */
    size_t n_found;
    int64_t sent;      /* levels the channel took */
    const char *error; /* the call failed as a whole */
};

/* The lease was lost before this settle: what was sent may have landed after the new
 * holder's own push, so every row is queued again (a new seq) for the holder to send the
 * figure as it is now; nothing is counted against the rows. */
static sb_err requeue(struct sb_db *db, const struct settle_job *j)
{
    sb_err err = SB_OK;
    for (size_t i = 0; !err && i < j->n; i++)
        err = sb_store_sync_queue_item(db, j->channel_id, j->kind, j->rows[i].row.item_id);
    return err ? err
               : sb_store_channel_log(db, j->channel_id, "warn", "push.requeued", NULL,
                                      "%s of %zu item%s sent after this node lost the channel's "
                                      "lease: queued again for the node that holds it",
                                      j->kind, j->n, j->n == 1 ? "" : "s");
}

static sb_err settle_fn(struct sb_db *db, void *ctx)
{
    struct settle_job *j = ctx;
    if (!sb_lease_fence_holds(db, j->fence))
        return requeue(db, j);
    sb_err err = SB_OK;
    for (size_t i = 0; !err && i < j->n_found; i++)
        err = sb_store_sync_item_set(db, j->channel_id, j->found[i].item_id, &j->found[i].ref);
    size_t failed = 0;
    for (size_t i = 0; !err && i < j->n; i++) {
        if (j->rows[i].error) {
            failed++;
            err =
                sb_store_sync_failed(db, j->channel_id, j->kind, &j->rows[i].row, j->rows[i].error);
        } else {
            err = sb_store_sync_done(db, j->channel_id, j->kind, &j->rows[i].row);
            if (!err && j->rows[i].took)
                err = sb_store_item_sent(db, j->channel_id, j->rows[i].row.item_id, j->kind,
                                         j->rows[i].value, j->rows[i].sale);
        }
    }
    if (!err && (j->sent || j->error))
        err = sb_store_sync_pushed(db, j->channel_id, j->sent, j->error);
    if (!err && j->error)
        err = sb_store_channel_log(db, j->channel_id, "warn", "push.retry", NULL,
                                   "%s of %zu item%s failed (retrying with backoff): %s", j->kind,
                                   j->n, j->n == 1 ? "" : "s", j->error);
    else if (!err && j->sent && strcmp(j->kind, "price") == 0)
        err = sb_store_channel_log(
            db, j->channel_id, "info", "push.price", NULL, "%lld price%s set%s", (long long)j->sent,
            j->sent == 1 ? "" : "s", failed ? " (some refused: see sync-status)" : "");
    else if (!err && j->sent)
        err = sb_store_channel_log(db, j->channel_id, "info", "push.stock", NULL,
                                   "%lld quantit%s set%s", (long long)j->sent,
                                   j->sent == 1 ? "y" : "ies",
                                   failed ? " (some refused: see sync-status)" : "");
    return err;
}

static void settle(struct sb_store *store, struct settle_job *j)
{
    if (sb_store_write(store, settle_fn, j))
        sb_log(SB_LOG_ERROR, "sync.unrecorded", "error", sb_err_last()->message, NULL);
}

/* Every row of the pass fails with the same error (the call as a whole failed). */
static void fail_all(struct sb_store *store, struct settle_job *j, const char *error)
{
    for (size_t i = 0; i < j->n; i++)
        j->rows[i].error = error;
    j->error = error;
    j->n_found = 0;
    j->sent = 0;
    settle(store, j);
}

static const char *last_message(struct sb_arena *a)
{
    const char *m = sb_err_last()->message;
    const char *copy = sb_arena_strdup(a, m[0] ? m : sb_err_message(sb_err_last()->err));
    return copy ? copy : "out of memory";
}

/* Items never looked up on this channel are found by SKU now, and recorded with the
 * settle (j->found). */
static sb_err find_unknown(const struct sb_channel_rt *rt, struct sb_sync_item *items, size_t n,
                           struct sb_arena *a, struct settle_job *j)
{
    struct sb_sync_item *found = sb_arena_alloc(a, n * sizeof(*found));
    struct sb_channel_item *refs = sb_arena_alloc(a, n * sizeof(*refs));
    size_t n_refs = 0;
    if (!found || !refs)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        if (!items[i].known)
            refs[n_refs++] = (struct sb_channel_item){ .sku = items[i].sku };
    if (n_refs) {
        sb_err err = rt->ops->find_items(&rt->ch, refs, n_refs, a);
        if (err)
            return err;
    }
    for (size_t i = 0, k = 0; i < n; i++) {
        if (items[i].known)
            continue;
        items[i].ref = refs[k++];
        items[i].ref.sku = items[i].sku;
        items[i].known = true;
        found[j->n_found++] = items[i];
    }
    j->found = found;
    return SB_OK;
}

/* Up to the adapter's push batch of the channel's due rows of a kind, in the arena. */
static sb_err due_rows(struct sb_db *db, const struct sb_channel_rt *rt, const char *kind,
                       struct sb_arena *a, struct sb_sync_row **ret_rows, size_t *ret_batch,
                       size_t *ret_n)
{
    size_t batch = rt->ops->push_batch ? rt->ops->push_batch : 1;
    struct sb_sync_row *rows = sb_arena_alloc(a, batch * sizeof(*rows));
    if (!rows)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret_rows = rows;
    *ret_batch = batch;
    return sb_store_sync_due(db, rt->ch.id, kind, sb_time_now(), rows, batch, ret_n);
}

/* PR1-PR4: one batch of price rows for one channel. Prices go only when the channel uses
 * POS pricing; otherwise the rows are dropped. */
static sb_err push_prices(struct sb_store *store, struct sb_channel_cache *channels,
                          int64_t channel_id, const struct sb_lease_fence *fence,
                          struct sb_arena *a, bool *ret_more)
{
    struct sb_sync_row *rows = NULL;
    size_t n = 0, batch = 0;
    struct sb_db *db;
    struct sb_channel_rt *rt = NULL;
    sb_err err = sb_store_acquire(store, &db);
    if (err)
        return err;
    err = sb_channel_load(channels, db, channel_id, a, &rt);
    if (!err)
        err = due_rows(db, rt, "price", a, &rows, &batch, &n);
    struct settle *st = n ? sb_arena_alloc(a, n * sizeof(*st)) : NULL;
    struct sb_sync_item *items = n ? sb_arena_alloc(a, n * sizeof(*items)) : NULL;
    int64_t *ids = n ? sb_arena_alloc(a, n * sizeof(*ids)) : NULL;
    if (!err && n && (!st || !items || !ids))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < n; i++) {
        st[i] = (struct settle){ .row = rows[i] };
        ids[i] = rows[i].item_id;
    }
    bool active = !err && rt->rec.enabled && rt->rec.settings.use_pos_pricing &&
                  rt->rec.has_credentials && (rt->ops->caps & SB_CH_PRICES);
    if (!err && n && active)
        err = sb_store_sync_items(db, channel_id, ids, n, a, items);
    sb_store_release(store, db);
    if (err || n == 0)
        return err;
    *ret_more = *ret_more || n == batch;
    struct settle_job j = {
        .channel_id = channel_id, .fence = fence, .kind = "price", .rows = st, .n = n
    };
    if (!active) {
        settle(store, &j);
        return SB_OK;
    }
    if (find_unknown(rt, items, n, a, &j)) {
        fail_all(store, &j, last_message(a));
        return SB_OK;
    }
    struct sb_price *prices = sb_arena_alloc(a, n * sizeof(*prices));
    size_t *row_of = sb_arena_alloc(a, n * sizeof(*row_of)), m = 0;
    if (!prices || !row_of || (err = sb_store_acquire(store, &db)))
        return err ? err : sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t now = sb_time_now();
    for (size_t i = 0; !err && i < n; i++) {
        if (!items[i].ref.variant_id || !items[i].ref.product_id)
            continue; /* not on the channel: excluded, listed with why */
        int64_t regular = 0, sale = 0;
        const char *why = NULL;
        err = sb_store_sync_price(db, &rt->rec.settings, items[i].item_id, now, &regular, &sale,
                                  &why);
        if (err || why)
            continue; /* no regular price: nothing to send */
        prices[m] = (struct sb_price){ .item_id = items[i].item_id,
                                       .variant_id = items[i].ref.variant_id,
                                       .product_id = items[i].ref.product_id,
                                       .regular = regular,
                                       .sale = sale };
        row_of[m++] = i;
    }
    sb_store_release(store, db);
    if (err)
        return err;
    if (m && rt->ops->push_prices(&rt->ch, prices, m, a)) {
        const char *why = last_message(a);
        for (size_t k = 0; k < m; k++)
            st[row_of[k]].error = why;
        j.error = why;
        settle(store, &j);
        return SB_OK;
    }
    for (size_t k = 0; k < m; k++) {
        if (prices[k].error) {
            st[row_of[k]].error = prices[k].error;
        } else {
            j.sent++;
            st[row_of[k]].took = true;
            st[row_of[k]].value = prices[k].regular;
            st[row_of[k]].sale = prices[k].sale;
        }
    }
    settle(store, &j);
    return SB_OK;
}

/* One batch of stock rows for one channel; *ret_more when a full batch was taken. */
static sb_err push_channel(struct sb_store *store, struct sb_channel_cache *channels,
                           int64_t channel_id, const struct sb_lease_fence *fence,
                           struct sb_arena *a, bool *ret_more)
{
    struct sb_db *db;
    struct sb_channel_rt *rt = NULL;
    struct sb_sync_row *rows = NULL;
    size_t n = 0, batch = 0;
    sb_err err = sb_store_acquire(store, &db);
    if (err)
        return err;
    err = sb_channel_load(channels, db, channel_id, a, &rt);
    if (!err)
        err = due_rows(db, rt, "stock", a, &rows, &batch, &n);
    struct settle *st = NULL;
    struct sb_sync_item *items = NULL;
    int64_t *ids = NULL;
    if (!err && n) {
        st = sb_arena_alloc(a, n * sizeof(*st));
        items = sb_arena_alloc(a, n * sizeof(*items));
        ids = sb_arena_alloc(a, n * sizeof(*ids));
        if (!st || !items || !ids)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    for (size_t i = 0; !err && i < n; i++) {
        st[i] = (struct settle){ .row = rows[i] };
        ids[i] = rows[i].item_id;
    }
    /* a channel without credentials cannot be sent anything; setting them queues every
     * item again */
    bool active = !err && rt->rec.enabled && rt->rec.settings.stock_sync &&
                  rt->rec.has_credentials && (rt->ops->caps & SB_CH_STOCK);
    if (!err && n && active)
        err = sb_store_sync_items(db, channel_id, ids, n, a, items);
    sb_store_release(store, db);
    if (err || n == 0)
        return err;
    *ret_more = n == batch;
    struct settle_job j = {
        .channel_id = channel_id, .fence = fence, .kind = "stock", .rows = st, .n = n
    };
    if (!active) { /* I4: stock sync off, the channel disabled or without credentials */
        settle(store, &j);
        return SB_OK;
    }

    if (find_unknown(rt, items, n, a, &j)) {
        fail_all(store, &j, last_message(a));
        return SB_OK;
    }

    /* the figures as they are now */
    struct sb_stock_level *levels = NULL, **per_item = sb_arena_alloc(a, n * sizeof(*per_item));
    size_t *n_per_item = sb_arena_alloc(a, n * sizeof(*n_per_item)), total = 0;
    if (!per_item || !n_per_item || (err = sb_store_acquire(store, &db)))
        return err ? err : sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < n; i++) {
        n_per_item[i] = 0;
        if (!items[i].ref.item_id) /* not on the channel: excluded, listed with why */
            continue;
        const char *why = NULL;
        err = sb_sync_levels(db, rt, &items[i], a, &per_item[i], &n_per_item[i], &why);
        if (!err && why)
            st[i].error = why;
        total += n_per_item[i];
    }
    sb_store_release(store, db);
    if (err)
        return err;
    levels = sb_arena_alloc(a, (total + 1) * sizeof(*levels));
    if (!levels)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n_per_item[i]; k++)
            levels[m++] = per_item[i][k];
    if (m && rt->ops->push_stock(&rt->ch, levels, m, a)) {
        const char *why = last_message(a);
        for (size_t i = 0; i < n; i++)
            if (n_per_item[i])
                st[i].error = why;
        j.error = why;
        settle(store, &j);
        return SB_OK;
    }
    /* a row fails when any of its levels was refused */
    for (size_t i = 0, at = 0; i < n; i++) {
        for (size_t k = 0; k < n_per_item[i]; k++, at++) {
            if (levels[at].error && !st[i].error)
                st[i].error = levels[at].error;
            else if (!levels[at].error)
                j.sent++;
            st[i].value += levels[at].available;
        }
        st[i].took = n_per_item[i] > 0 && !st[i].error;
    }
    settle(store, &j);
    return SB_OK;
}

static sb_err sale_windows_fn(struct sb_db *db, void *ctx)
{
    (void)ctx;
    return sb_store_sync_sale_windows(db, sb_time_now(), true, NULL);
}

void sb_sync_sale_windows(struct sb_store *store)
{
    struct sb_db *db;
    if (sb_store_acquire(store, &db))
        return;
    size_t changed = 0;
    sb_err err = sb_store_sync_sale_windows(db, sb_time_now(), false, &changed);
    sb_store_release(store, db);
    if (!err && changed) /* the write only when a sale started or ended */
        err = sb_store_write(store, sale_windows_fn, NULL);
    if (err)
        sb_log(SB_LOG_WARN, "sync.sale_windows", "error", sb_err_last()->message, NULL);
}

size_t sb_sync_stock_due(struct sb_store *store, int64_t *ids, size_t cap)
{
    struct sb_db *db;
    size_t n = 0;
    if (sb_store_acquire(store, &db))
        return 0;
    if (sb_store_sync_due_channels(db, sb_time_now(), ids, cap, &n))
        n = 0;
    sb_store_release(store, db);
    return n;
}

bool sb_sync_stock_channel(struct sb_store *store, struct sb_channel_cache *channels,
                           int64_t channel_id, const struct sb_lease_fence *fence)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return false;
    bool more = false;
    if (push_channel(store, channels, channel_id, fence, a, &more) ||
        push_prices(store, channels, channel_id, fence, a, &more)) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)channel_id);
        sb_log(SB_LOG_WARN, "sync.pass", "channel", id, "error", sb_err_last()->message, NULL);
        more = false; /* the store failed: the lane looks again later */
    }
    sb_arena_free(a);
    return more;
}
