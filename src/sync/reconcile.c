/*
 * Reconciliation (SPEC I5): the channel's stock is read whole, compared with
 * what the POS says each item should show there, and every difference is
 * queued for correction (the dispatcher sends the POS figure, I1). The read
 * comes first and must succeed whole: when it fails at any point, nothing is
 * written but the report saying so, so a failed or partial read can never
 * zero a channel.
 *
 * Built for large catalogues: the read is the channel's bulk read when it has
 * one (Shopify: a bulk operation, streamed), kept compactly (strings in an
 * arena, locations interned); the POS side is walked in item id order a batch
 * at a time (three queries per batch: items, their stock rows, their known
 * channel ids), and only what changed is written.
 */
#include "sync/reconcile.h"
#include "core/availability.h"
#include "store/channel-log.h"
#include "sync/stock-levels.h"
#include "store/reconcile.h"
#include "store/stock-queue.h"
#include "util/grow.h"
#include "util/hash.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN     100  /* differences listed in the report */
#define BATCH         5000 /* POS items per batch (and per write job) */
#define MAX_LOCATIONS 1024 /* distinct channel locations */

/* ---------------------------------------------------------------- the channel's side */

struct rec {
    struct sb_channel_item item; /* sku and the channel's ids, in the arena */
    uint32_t first;              /* its levels: lv[first .. first + n) */
    uint32_t n;
};

struct level {
    uint32_t loc; /* index into locs */
    int64_t available;
};

struct channel_stock {
    struct sb_arena *a;
    struct rec *recs;
    size_t n, cap;
    struct level *lv;
    size_t n_lv, cap_lv;
    const char *locs[MAX_LOCATIONS];
    size_t n_locs;
    struct rec **slots; /* by SKU: open addressing over a power-of-two table */
    size_t n_slots;
    struct sb_reconcile_progress *pr;
};

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    return sb_grow(p, cap, need, size, 4096);
}

static const char *copy(struct sb_arena *a, const char *s, bool *ok)
{
    if (!s)
        return NULL;
    const char *c = sb_arena_strdup(a, s);
    *ok = *ok && c;
    return c;
}

static long intern(struct channel_stock *cs, const char *loc)
{
    for (size_t i = 0; i < cs->n_locs; i++)
        if (strcmp(cs->locs[i], loc) == 0)
            return (long)i;
    if (cs->n_locs == MAX_LOCATIONS || !(cs->locs[cs->n_locs] = sb_arena_strdup(cs->a, loc)))
        return -1;
    return (long)cs->n_locs++;
}

/* Keeps one item the channel sent; the first one listed for a SKU wins. */
static sb_err keep(void *ud, const struct sb_channel_stock *st)
{
    struct channel_stock *cs = ud;
    if (!st->item.sku || !*st->item.sku)
        return SB_OK; /* an item without a SKU cannot be matched */
    if (!grow((void **)&cs->recs, &cs->cap, cs->n + 1, sizeof(*cs->recs)) ||
        !grow((void **)&cs->lv, &cs->cap_lv, cs->n_lv + st->n_levels, sizeof(*cs->lv)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    bool ok = true;
    struct rec *r = &cs->recs[cs->n];
    r->item = (struct sb_channel_item){ .sku = copy(cs->a, st->item.sku, &ok),
                                        .item_id = copy(cs->a, st->item.item_id, &ok),
                                        .variant_id = copy(cs->a, st->item.variant_id, &ok),
                                        .product_id = copy(cs->a, st->item.product_id, &ok) };
    r->first = (uint32_t)cs->n_lv;
    r->n = 0;
    for (size_t i = 0; ok && i < st->n_levels; i++) {
        long loc = intern(cs, st->location_ids[i]);
        if (loc < 0)
            return sb_fail(SB_EINVALID_FIELD, NULL, "the channel has more than %d locations",
                           MAX_LOCATIONS);
        cs->lv[cs->n_lv++] = (struct level){ .loc = (uint32_t)loc, .available = st->available[i] };
        r->n++;
    }
    if (!ok)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->item.location_id = r->n == 1 ? cs->locs[cs->lv[r->first].loc] : NULL;
    cs->n++;
    if (cs->pr && cs->pr->read && cs->n % 10000 == 0)
        cs->pr->read(cs->pr->ud, (int64_t)cs->n);
    return SB_OK;
}

static bool index_skus(struct channel_stock *cs)
{
    size_t n = 1024;
    while (n < cs->n * 2)
        n *= 2;
    cs->slots = calloc(n, sizeof(*cs->slots));
    if (!cs->slots)
        return false;
    cs->n_slots = n;
    for (size_t i = 0; i < cs->n; i++) {
        size_t k = sb_fnv1a(cs->recs[i].item.sku) & (n - 1);
        bool dup = false;
        for (; cs->slots[k]; k = (k + 1) & (n - 1))
            if (strcmp(cs->slots[k]->item.sku, cs->recs[i].item.sku) == 0)
                dup = true;
        if (!dup)
            cs->slots[k] = &cs->recs[i];
    }
    return true;
}

static const struct rec *find(const struct channel_stock *cs, const char *sku)
{
    for (size_t k = sb_fnv1a(sku) & (cs->n_slots - 1); cs->slots[k];
         k = (k + 1) & (cs->n_slots - 1))
        if (strcmp(cs->slots[k]->item.sku, sku) == 0)
            return cs->slots[k];
    return NULL;
}

/* The channel's figure for a record at a location, or -1 when not stocked there. */
static int64_t channel_at(const struct channel_stock *cs, const struct rec *r, const char *loc)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (strcmp(cs->locs[cs->lv[r->first + i].loc], loc) == 0)
            return cs->lv[r->first + i].available;
    return -1;
}

/* The whole read: the channel's bulk read when it has one, else page by page. */
static sb_err read_channel(const struct sb_channel_rt *rt, struct channel_stock *cs)
{
    if (rt->ops->caps & SB_CH_STOCK_ALL)
        return rt->ops->read_stock_all(&rt->ch, keep, cs);
    const char *cursor = NULL;
    for (;;) {
        struct sb_arena *page_arena = sb_arena_new();
        if (!page_arena)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        struct sb_stock_page page = { 0 };
        sb_err err = rt->ops->read_stock(&rt->ch, cursor, page_arena, &page);
        for (size_t i = 0; !err && i < page.n; i++)
            err = keep(cs, &page.items[i]);
        bool more = !err && page.more;
        cursor = more ? sb_arena_strdup(cs->a, page.next_cursor) : NULL;
        sb_arena_free(page_arena);
        if (err)
            return err;
        if (!more)
            return SB_OK;
        if (!cursor)
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
}

/* ---------------------------------------------------------------- the POS side */

/* One batch: the POS items, their stock rows and what is known of them on the channel. */
struct batch {
    size_t n;
    struct sb_sync_item items[BATCH];
    bool known_same[BATCH];   /* nothing to record of the channel ids */
    bool known_before[BATCH]; /* the channel ids were recorded before */
    bool correct[BATCH];      /* queue a correction */
    size_t first_row[BATCH];  /* its stock rows: rows[first_row .. first_row + n_rows) */
    size_t n_rows[BATCH];
    struct sb_outlet_stock *rows;
    size_t n_all_rows, cap_rows;
};

/* Loading a batch: where the walk in item id order is. */
struct load {
    struct batch *b;
    struct sb_arena *a;
    size_t at;
};

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static sb_err add_item(void *ud, int64_t item_id, const char *sku_text)
{
    struct load *l = ud;
    struct batch *b = l->b;
    const char *sku = sb_arena_strdup(l->a, sku_text);
    if (!sku)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    b->items[b->n] = (struct sb_sync_item){ .item_id = item_id, .sku = sku };
    b->known_same[b->n] = false;
    b->n_rows[b->n] = 0;
    b->n++;
    return SB_OK;
}

/* The batch's entry for an item, walking forward (rows come in item id order); NULL for an
 * item not in the batch. */
static size_t at_item(struct load *l, int64_t item)
{
    struct batch *b = l->b;
    while (l->at < b->n && b->items[l->at].item_id < item)
        l->at++;
    return l->at < b->n && b->items[l->at].item_id == item ? l->at : SIZE_MAX;
}

static sb_err add_row(void *ud, int64_t item, const struct sb_outlet_stock *row)
{
    struct load *l = ud;
    struct batch *b = l->b;
    size_t at = at_item(l, item);
    if (at == SIZE_MAX)
        return SB_OK;
    if (!grow((void **)&b->rows, &b->cap_rows, b->n_all_rows + 1, sizeof(*b->rows)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (b->n_rows[at] == 0)
        b->first_row[at] = b->n_all_rows;
    b->rows[b->n_all_rows++] = *row;
    b->n_rows[at]++;
    return SB_OK;
}

/* compared once the channel's ids are known: kept as text here */
static sb_err add_known(void *ud, int64_t item, const struct sb_known_item *k)
{
    struct load *l = ud;
    size_t at = at_item(l, item);
    if (at == SIZE_MAX)
        return SB_OK;
    struct sb_sync_item *it = &l->b->items[at];
    bool ok = true;
    it->known = true;
    it->ref.sku = copy(l->a, k->sku, &ok);
    it->ref.item_id = copy(l->a, k->item_id, &ok);
    it->ref.variant_id = copy(l->a, k->variant_id, &ok);
    it->ref.product_id = copy(l->a, k->product_id, &ok);
    it->ref.location_id = copy(l->a, k->location_id, &ok);
    return ok ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

static sb_err load_batch(struct sb_db *db, int64_t channel_id, int64_t after, struct sb_arena *a,
                         struct batch *b)
{
    b->n = 0;
    b->n_all_rows = 0;
    struct load l = { .b = b, .a = a };
    sb_err err = sb_store_items_after(db, after, BATCH, add_item, &l);
    if (err || b->n == 0)
        return err;
    int64_t lo = b->items[0].item_id, hi = b->items[b->n - 1].item_id;
    /* stock rows, item id order: walked beside the items */
    err = sb_store_stock_rows_between(db, lo, hi, add_row, &l);
    if (err)
        return err;
    /* what the channel ids were: unchanged ones are not written again */
    l.at = 0;
    return sb_store_channel_items_between(db, channel_id, lo, hi, add_known, &l);
}

struct write_job {
    int64_t channel_id;
    struct batch *b;
};

static sb_err write_fn(struct sb_db *db, void *ctx)
{
    struct write_job *j = ctx;
    struct batch *b = j->b;
    for (size_t i = 0; i < b->n; i++) {
        sb_err err = SB_OK;
        if (!b->known_same[i])
            err = sb_store_sync_item_set(db, j->channel_id, b->items[i].item_id, &b->items[i].ref);
        if (!err && b->correct[i])
            err = sb_store_sync_queue_item(db, j->channel_id, "stock", b->items[i].item_id);
        if (err)
            return err;
    }
    return SB_OK;
}

/* ---------------------------------------------------------------- the report */

struct report_job {
    int64_t channel_id;
    json_t *report;
    bool failed;
};

static sb_err report_fn(struct sb_db *db, void *ctx)
{
    struct report_job *j = ctx;
    char *text = json_dumps(j->report, JSON_COMPACT);
    if (!text)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    const char *at = json_string_value(json_object_get(j->report, "finished_at"));
    sb_err err = sb_store_reconcile_report(db, j->channel_id, at, text);
    free(text);
    if (err)
        return err;
    json_t *r = j->report;
    if (j->failed)
        return sb_store_channel_log(db, j->channel_id, "error", "reconcile.failed", NULL,
                                    "reconciliation failed, nothing was changed: %s",
                                    json_string_value(json_object_get(r, "error")));
    return sb_store_channel_log(
        db, j->channel_id, "info", "reconcile.done", NULL,
        "reconciliation: %lld items read, %lld compared, %lld corrected, %lld not on the channel",
        (long long)json_integer_value(json_object_get(r, "read")),
        (long long)json_integer_value(json_object_get(r, "compared")),
        (long long)json_integer_value(json_object_get(r, "corrected")),
        (long long)json_integer_value(json_object_get(r, "not_on_channel")));
}

/* The last batch's writes and the report: one job, so that a reconciliation that fits
 * in one batch commits whole or not at all. */
struct final_job {
    struct write_job w;
    struct report_job r;
};

static sb_err final_fn(struct sb_db *db, void *ctx)
{
    struct final_job *j = ctx;
    sb_err err = write_fn(db, &j->w);
    return err ? err : report_fn(db, &j->r);
}

static void set_finished(json_t *report)
{
    char finished[SB_TIME_LEN];
    sb_time_format(sb_time_now(), finished, sizeof(finished));
    json_object_set_new(report, "finished_at", json_string(finished));
}

/* Compares every POS item with the channel's figures, a batch at a time, and writes the
 * report with the last batch. A catalogue larger than a batch commits batch by batch:
 * the batches written before a failure stay queued (each correction only sends the
 * POS's own figure again), and no report says "ok". */
static sb_err compare(struct sb_store *store, const struct sb_channel_rt *rt,
                      const struct channel_stock *cs, json_t *report,
                      struct sb_reconcile_progress *pr)
{
    struct batch *b = calloc(1, sizeof(*b));
    if (!b)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t after = 0, compared = 0, corrected = 0, missing = 0;
    json_t *shown = json_object_get(report, "differences");
    sb_err err = SB_OK;
    for (;;) {
        struct sb_arena *a = sb_arena_new();
        struct sb_db *db = NULL;
        if (!a) {
            err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        struct sb_held *held = NULL; /* M9: what the channel holds itself */
        size_t n_held = 0;
        err = sb_store_acquire(store, &db);
        if (!err)
            err = load_batch(db, rt->ch.id, after, a, b);
        if (!err && rt->ops->held_statuses)
            err =
                sb_store_channel_held(db, rt->ch.id, rt->ops->held_statuses, 0, a, &held, &n_held);
        sb_store_release(store, db);
        for (size_t i = 0; !err && i < b->n; i++) {
            struct sb_sync_item *it = &b->items[i];
            const struct rec *r = find(cs, it->sku);
            struct sb_channel_item now = r ? r->item : (struct sb_channel_item){ 0 };
            now.sku = it->sku;
            b->known_before[i] = it->known;
            b->known_same[i] = it->known && same(it->ref.sku, now.sku) &&
                               same(it->ref.item_id, now.item_id) &&
                               same(it->ref.variant_id, now.variant_id) &&
                               same(it->ref.product_id, now.product_id) &&
                               same(it->ref.location_id, now.location_id);
            it->ref = now;
            it->known = true;
            b->correct[i] = false;
            if (!r) {
                missing++;
                continue;
            }
            struct sb_stock_level *levels = NULL;
            size_t nl = 0;
            const char *why = NULL;
            if (b->n_rows[i])
                sb_sync_add_held(held, n_held, it->item_id, &b->rows[b->first_row[i]],
                                 b->n_rows[i]);
            err = sb_sync_levels_of(rt, it, b->n_rows[i] ? &b->rows[b->first_row[i]] : NULL,
                                    b->n_rows[i], a, &levels, &nl, &why);
            compared++;
            for (size_t k = 0; !err && k < nl; k++) {
                int64_t have = channel_at(cs, r, levels[k].location_id);
                if (have == levels[k].available)
                    continue;
                b->correct[i] = true;
                if (json_array_size(shown) < MAX_SHOWN)
                    json_array_append_new(shown,
                                          json_pack("{s:s,s:s,s:o,s:I}", "sku", it->sku,
                                                    "location_id", levels[k].location_id, "channel",
                                                    have < 0 ? json_null() : json_integer(have),
                                                    "pos", (json_int_t)levels[k].available));
            }
            if (b->correct[i])
                corrected++;
            /* an item never looked up that needs nothing is not recorded: the dispatcher
             * finds it when it first changes (1,000,000 rows written for nothing would
             * double the time) */
            if (!b->known_same[i] && !b->known_before[i] && !b->correct[i])
                b->known_same[i] = true;
        }
        bool writes = false;
        for (size_t i = 0; !err && i < b->n && !writes; i++)
            writes = !b->known_same[i] || b->correct[i];
        size_t n = b->n;
        if (!err && n < BATCH) {
            json_object_set_new(report, "compared", json_integer(compared));
            json_object_set_new(report, "corrected", json_integer(corrected));
            json_object_set_new(report, "not_on_channel", json_integer(missing));
            set_finished(report);
            struct final_job j = { .w = { .channel_id = rt->ch.id, .b = b },
                                   .r = { .channel_id = rt->ch.id, .report = report } };
            err = sb_store_write(store, final_fn, &j);
        } else if (!err && writes) {
            struct write_job j = { .channel_id = rt->ch.id, .b = b };
            err = sb_store_write(store, write_fn, &j);
        }
        if (n)
            after = b->items[n - 1].item_id;
        sb_arena_free(a);
        if (err)
            break;
        if (pr && pr->compared)
            pr->compared(pr->ud, compared + missing);
        if (n < BATCH)
            break;
    }
    free(b->rows);
    free(b);
    return err;
}

sb_err sb_sync_reconcile(struct sb_store *store, struct sb_channel_cache *channels,
                         int64_t channel_id, struct sb_reconcile_progress *pr, json_t **ret_report)
{
    struct sb_arena *rt_arena = sb_arena_new();
    struct channel_stock cs = { .a = sb_arena_new(), .pr = pr };
    if (!rt_arena || !cs.a) {
        sb_arena_free(rt_arena);
        sb_arena_free(cs.a);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    struct sb_db *db;
    struct sb_channel_rt *rt = NULL;
    sb_err err = sb_store_acquire(store, &db);
    if (!err) {
        err = sb_channel_load(channels, db, channel_id, rt_arena, &rt);
        sb_store_release(store, db);
    }
    if (!err && !(rt->ops->caps & SB_CH_STOCK))
        err = sb_fail(SB_ECONFLICT, NULL, "this kind of channel keeps no stock to reconcile");
    if (!err && !rt->rec.settings.stock_sync)
        err = sb_fail(SB_ECONFLICT, NULL, "stock sync is off for this channel");
    json_t *report = NULL;
    char started[SB_TIME_LEN];
    if (!err) {
        sb_time_format(sb_time_now(), started, sizeof(started));
        report = json_pack("{s:s,s:s,s:I,s:[]}", "status", "ok", "started_at", started, "read",
                           (json_int_t)0, "differences");
        if (!report)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (err) {
        sb_arena_free(rt_arena);
        sb_arena_free(cs.a);
        return err;
    }
    /* the read, whole, before anything is written */
    err = read_channel(rt, &cs);
    if (!err && !index_skus(&cs))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    bool failed = err != SB_OK;
    char message[300] = "";
    if (failed)
        snprintf(message, sizeof(message), "%s", sb_err_last()->message);
    json_object_set_new(report, "read", json_integer(failed ? 0 : (json_int_t)cs.n));
    if (!failed) {
        err = compare(store, rt, &cs, report, pr); /* writes the report with the last batch */
    } else {
        set_finished(report);
        json_object_set_new(report, "status", json_string("failed"));
        json_object_set_new(report, "error", json_string(message));
        json_object_set_new(report, "compared", json_integer(0));
        json_object_set_new(report, "corrected", json_integer(0));
        json_object_set_new(report, "not_on_channel", json_integer(0));
        struct sb_errinfo saved = *sb_err_last();
        struct report_job j = { .channel_id = channel_id, .report = report, .failed = true };
        (void)sb_store_write(store, report_fn, &j);
        /* the read's error, not the report's, is what the caller gets */
        sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
    }
    free(cs.recs);
    free(cs.lv);
    free(cs.slots);
    sb_arena_free(cs.a);
    sb_arena_free(rt_arena);
    if (!err && ret_report)
        *ret_report = report;
    else
        json_decref(report);
    return err;
}
