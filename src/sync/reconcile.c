/*
 * Reconciliation (SPEC I5): the channel's stock is read whole, compared with
 * what the POS says each item should show there, and every difference is
 * queued for correction (the dispatcher sends the POS figure, I1). The read
 * comes first and must succeed whole: when any page fails, nothing is
 * written but the report saying so, so a failed or partial read can never
 * zero a channel.
 */
#include "sync/reconcile.h"
#include "store/channels.h"
#include "store/sync.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN  100  /* differences listed in the report */
#define WRITE_EACH 2000 /* items per write job */

/* The channel's items by SKU: open addressing over a power-of-two table. */
struct sku_map {
    const struct sb_channel_stock **slots;
    size_t cap, n;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool map_grow(struct sku_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    const struct sb_channel_stock **slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i])
            continue;
        size_t k = hash(m->slots[i]->item.sku) & (cap - 1);
        while (slots[k])
            k = (k + 1) & (cap - 1);
        slots[k] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

/* Adds an item; the first one Shopify lists for a SKU is kept. */
static bool map_put(struct sku_map *m, const struct sb_channel_stock *st)
{
    if ((m->n + 1) * 2 > m->cap && !map_grow(m))
        return false;
    size_t k = hash(st->item.sku) & (m->cap - 1);
    while (m->slots[k]) {
        if (strcmp(m->slots[k]->item.sku, st->item.sku) == 0)
            return true;
        k = (k + 1) & (m->cap - 1);
    }
    m->slots[k] = st;
    m->n++;
    return true;
}

static const struct sb_channel_stock *map_get(const struct sku_map *m, const char *sku)
{
    if (!m->cap)
        return NULL;
    size_t k = hash(sku) & (m->cap - 1);
    while (m->slots[k]) {
        if (strcmp(m->slots[k]->item.sku, sku) == 0)
            return m->slots[k];
        k = (k + 1) & (m->cap - 1);
    }
    return NULL;
}

/* What one write job records: the items' mappings and the corrections to queue. */
struct write_job {
    int64_t channel_id;
    struct sb_sync_item *items;
    bool *correct;
    size_t n;
};

static sb_err write_fn(struct sb_db *db, void *ctx)
{
    struct write_job *j = ctx;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    for (size_t i = 0; i < j->n; i++) {
        sb_err err =
            sb_store_sync_item_set(db, j->channel_id, j->items[i].item_id, &j->items[i].ref);
        if (!err && j->correct[i])
            err = sb_db_exec(db,
                             "INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
                             " VALUES (?, 'stock', ?, ?) ON CONFLICT (channel_id, kind, item_id)"
                             " DO UPDATE SET seq = sync_queue.seq + 1, status = 'pending',"
                             " attempts = 0, next_attempt_at = NULL",
                             "iis", j->channel_id, j->items[i].item_id, now);
        if (err)
            return err;
    }
    return SB_OK;
}

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
    sb_err err =
        sb_db_exec(db,
                   "INSERT INTO channel_sync (channel_id, last_reconcile_at, last_reconcile)"
                   " VALUES (?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET"
                   " last_reconcile_at = excluded.last_reconcile_at,"
                   " last_reconcile = excluded.last_reconcile",
                   "iss", j->channel_id, at, text);
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

/* The channel's figure at a location, or -1 when the item is not stocked there. */
static int64_t channel_at(const struct sb_channel_stock *st, const char *location)
{
    for (size_t i = 0; i < st->n_levels; i++)
        if (strcmp(st->location_ids[i], location) == 0)
            return st->available[i];
    return -1;
}

/* Compares the POS items, a batch at a time, and writes mappings and corrections. */
static sb_err compare(struct sb_store *store, const struct sb_channel_rt *rt,
                      const struct sku_map *map, json_t *report, struct sb_reconcile_progress *pr)
{
    int64_t after = 0, compared = 0, corrected = 0, missing = 0;
    json_t *shown = json_object_get(report, "differences");
    for (;;) {
        struct sb_arena *a = sb_arena_new();
        struct sb_sync_item *items = a ? sb_arena_alloc(a, WRITE_EACH * sizeof(*items)) : NULL;
        bool *correct = a ? sb_arena_alloc(a, WRITE_EACH * sizeof(*correct)) : NULL;
        if (!items || !correct) {
            sb_arena_free(a);
            return sb_fail(SB_ENOMEM, NULL, NULL);
        }
        struct sb_db *db = NULL;
        sb_err err = sb_store_acquire(store, &db);
        size_t n = 0;
        struct sb_q q;
        if (!err && !(err = sb_q_open(&q, db,
                                      "SELECT id, sku FROM items WHERE id > ? ORDER BY id"
                                      " LIMIT ?",
                                      "ii", after, (int64_t)WRITE_EACH))) {
            while (n < WRITE_EACH && sb_q_next(&q)) {
                const char *sku = sb_arena_strdup(a, sb_q_text(&q, 1));
                items[n] = (struct sb_sync_item){ .item_id = sb_q_int(&q, 0), .sku = sku };
                if (!sku)
                    q.err = sb_fail(SB_ENOMEM, NULL, NULL);
                n++;
            }
            err = sb_q_close(&q);
        }
        for (size_t i = 0; !err && i < n; i++) {
            struct sb_sync_item *it = &items[i];
            const struct sb_channel_stock *st = map_get(map, it->sku);
            correct[i] = false;
            it->known = true;
            it->ref = st ? st->item : (struct sb_channel_item){ 0 };
            it->ref.sku = it->sku;
            if (!st) {
                missing++;
                continue;
            }
            struct sb_stock_level *levels = NULL;
            size_t nl = 0;
            const char *why = NULL;
            err = sb_store_sync_levels(db, rt, it, a, &levels, &nl, &why);
            compared++;
            for (size_t k = 0; !err && k < nl; k++) {
                int64_t have = channel_at(st, levels[k].location_id);
                if (have == levels[k].available)
                    continue;
                correct[i] = true;
                if (json_array_size(shown) < MAX_SHOWN)
                    json_array_append_new(shown,
                                          json_pack("{s:s,s:s,s:o,s:I}", "sku", it->sku,
                                                    "location_id", levels[k].location_id, "channel",
                                                    have < 0 ? json_null() : json_integer(have),
                                                    "pos", (json_int_t)levels[k].available));
            }
            if (correct[i])
                corrected++;
        }
        sb_store_release(store, db);
        if (!err && n) {
            struct write_job j = {
                .channel_id = rt->ch.id, .items = items, .correct = correct, .n = n
            };
            err = sb_store_write(store, write_fn, &j);
        }
        if (n)
            after = items[n - 1].item_id;
        sb_arena_free(a);
        if (err)
            return err;
        if (pr && pr->compared)
            pr->compared(pr->ud, compared + missing);
        if (n < WRITE_EACH)
            break;
    }
    json_object_set_new(report, "compared", json_integer(compared));
    json_object_set_new(report, "corrected", json_integer(corrected));
    json_object_set_new(report, "not_on_channel", json_integer(missing));
    return SB_OK;
}

sb_err sb_sync_reconcile(struct sb_store *store, int64_t channel_id,
                         struct sb_reconcile_progress *pr, json_t **ret_report)
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
    if (!err && !(rt->ops->caps & SB_CH_STOCK && rt->ops->read_stock))
        err = sb_fail(SB_ECONFLICT, NULL, "this kind of channel keeps no stock to reconcile");
    if (!err && !rt->settings.stock_sync)
        err = sb_fail(SB_ECONFLICT, NULL, "stock sync is off for this channel");
    if (err) {
        sb_arena_free(a);
        return err;
    }
    char started[SB_TIME_LEN], finished[SB_TIME_LEN];
    sb_time_format(sb_time_now(), started, sizeof(started));
    json_t *report = json_pack("{s:s,s:s,s:I,s:[]}", "status", "ok", "started_at", started, "read",
                               (json_int_t)0, "differences");
    struct sku_map map = { 0 };
    int64_t read = 0;
    const char *cursor = NULL;
    /* the read, whole, before anything is written */
    while (!err && report) {
        struct sb_stock_page page = { 0 };
        err = rt->ops->read_stock(&rt->ch, cursor, a, &page);
        for (size_t i = 0; !err && i < page.n; i++) {
            if (page.items[i].item.sku && *page.items[i].item.sku && !map_put(&map, &page.items[i]))
                err = sb_fail(SB_ENOMEM, NULL, NULL);
        }
        read += (int64_t)page.n;
        if (pr && pr->read)
            pr->read(pr->ud, read);
        if (err || !page.more)
            break;
        cursor = page.next_cursor;
    }
    if (!report)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    bool failed = err != SB_OK;
    char message[300] = "";
    if (failed)
        snprintf(message, sizeof(message), "%s", sb_err_last()->message);
    json_object_set_new(report, "read", json_integer(read));
    if (!failed)
        err = compare(store, rt, &map, report, pr);
    sb_time_format(sb_time_now(), finished, sizeof(finished));
    json_object_set_new(report, "finished_at", json_string(finished));
    if (failed) {
        json_object_set_new(report, "status", json_string("failed"));
        json_object_set_new(report, "error", json_string(message));
        /* what the failed read saw is not compared: nothing else is written */
        json_object_set_new(report, "compared", json_integer(0));
        json_object_set_new(report, "corrected", json_integer(0));
        json_object_set_new(report, "not_on_channel", json_integer(0));
    }
    if (!err || failed) {
        struct sb_errinfo saved = *sb_err_last();
        struct report_job j = { .channel_id = channel_id, .report = report, .failed = failed };
        sb_err werr = sb_store_write(store, report_fn, &j);
        if (failed) /* the read's error, not the report's, is what the caller gets */
            sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
        else
            err = werr;
    }
    free(map.slots);
    sb_arena_free(a);
    if (!err && ret_report)
        *ret_report = report;
    else
        json_decref(report);
    return err;
}
