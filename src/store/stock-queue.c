/*
 * The stock queue's tables (sync_queue, channel_items, channel_sync), in
 * portable SQL: what queues a change, what the stock lane takes and gives
 * back, and what sync-status and /metrics show of it.
 */
#include "store/stock-queue.h"
#include "store/catalogue.h"
#include "core/availability.h"
#include "core/retry.h"
#include "store/channel-log.h"
#include "store/channel-settings.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUE_CLAUSE \
    "status IN ('pending', 'parked') AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"

/* Whether a JSON value is true the way SQL took json_extract()'s answer in a WHERE (as the
 * trigger did): true, a number other than 0, or text whose leading number is not 0. */
static bool sql_truthy(const json_t *v)
{
    if (json_is_true(v))
        return true;
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_real(v))
        return json_real_value(v) != 0;
    if (json_is_string(v))
        return strtod(json_string_value(v), NULL) != 0;
    return false;
}

/*
 * Whether a channel's settings text has stock sync on. Every stock move asks, for each
 * channel that stocks from its outlet, and parsing the settings each time would cost more
 * than the rest of the queueing: so the answer is kept per channel with the exact text it
 * came from (a pure function of the text: a channel edited is parsed again). A few
 * slots, by channel id; what they hold stays reachable until the process ends.
 */
enum {
    FLAG_SLOTS = 16
};
static struct {
    int64_t channel_id;
    char *text;
    bool on;
} flags[FLAG_SLOTS];
static pthread_mutex_t flags_lock = PTHREAD_MUTEX_INITIALIZER;

static bool stock_sync_on(int64_t channel_id, const char *text)
{
    if (!text)
        return false;
    size_t slot = (size_t)((uint64_t)channel_id % FLAG_SLOTS);
    pthread_mutex_lock(&flags_lock);
    bool hit = flags[slot].text && flags[slot].channel_id == channel_id &&
               strcmp(flags[slot].text, text) == 0;
    bool on = flags[slot].on;
    pthread_mutex_unlock(&flags_lock);
    if (hit)
        return on;
    json_t *settings = json_loads(text, 0, NULL);
    on = sql_truthy(json_object_get(settings, "stock_sync"));
    json_decref(settings);
    char *copy = strdup(text);
    if (!copy)
        return on; /* answered, not kept */
    pthread_mutex_lock(&flags_lock);
    char *old = flags[slot].text;
    flags[slot].channel_id = channel_id;
    flags[slot].text = copy;
    flags[slot].on = on;
    pthread_mutex_unlock(&flags_lock);
    free(old);
    return on;
}

/* The items (n of them) queued for every channel that stocks from the outlet with stock
 * sync on. */
static sb_err queue_at_outlet(struct sb_db *db, const int64_t *item_ids, size_t n,
                              int64_t outlet_id, const char *now)
{
    enum {
        PAGE = 16
    };
    int64_t after = 0;
    for (;;) {
        /* the channels that stock from the outlet, a page at a time (a handful, nearly
         * always one page); stock sync is a setting, read from the channel's JSON here */
        int64_t ids[PAGE];
        size_t nch = 0, seen = 0;
        struct sb_q q;
        sb_err err = sb_q_open(&q, db,
                               "SELECT c.id, c.settings FROM channels c WHERE c.enabled"
                               " AND c.id > ? AND c.id IN (SELECT channel_id FROM channel_outlets"
                               " WHERE outlet_id = ? UNION SELECT channel_id FROM"
                               " channel_locations WHERE outlet_id = ?) ORDER BY c.id LIMIT ?",
                               "iiii", after, outlet_id, outlet_id, (int64_t)PAGE);
        if (err)
            return err;
        while (seen < PAGE && sb_q_next(&q)) {
            seen++;
            after = sb_q_int(&q, 0);
            if (stock_sync_on(after, sb_q_text(&q, 1)))
                ids[nch++] = after;
        }
        if ((err = sb_q_close(&q)))
            return err;
        for (size_t c = 0; c < nch; c++) {
            for (size_t i = 0; i < n; i++) {
                err = sb_db_exec(
                    db,
                    "INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
                    " VALUES (?, 'stock', ?, ?) ON CONFLICT (channel_id, kind, item_id) DO UPDATE"
                    " SET seq = sync_queue.seq + 1,"
                    " attempts = CASE WHEN sync_queue.status = 'parked' THEN 0"
                    " ELSE sync_queue.attempts END,"
                    " next_attempt_at = CASE WHEN sync_queue.status = 'parked' THEN NULL"
                    " ELSE sync_queue.next_attempt_at END,"
                    " status = 'pending'",
                    "iis", ids[c], item_ids[i], now);
                if (err)
                    return err;
            }
        }
        if (seen < PAGE)
            return SB_OK;
    }
}

sb_err sb_store_queue_stock_change(struct sb_db *db, int64_t item_id, int64_t outlet_id)
{
    return sb_store_queue_stock_changes(db, &item_id, &outlet_id, 1);
}

sb_err sb_store_queue_stock_changes(struct sb_db *db, const int64_t *item_ids,
                                    const int64_t *outlet_ids, size_t n)
{
    sb_err err = sb_store_catalogue_touch_many(db, item_ids, n); /* E7: the change feed */
    if (err || !n)
        return err;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    /* the channels are read once per outlet, for that outlet's items (nearly always one) */
    int64_t *items = malloc(n * sizeof(*items));
    if (!items)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < n; i++) {
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = outlet_ids[j] != outlet_ids[i];
        if (!first)
            continue;
        size_t k = 0;
        for (size_t j = i; j < n; j++)
            if (outlet_ids[j] == outlet_ids[i])
                items[k++] = item_ids[j];
        err = queue_at_outlet(db, items, k, outlet_ids[i], now);
    }
    free(items);
    return err;
}

/* The item queued as `kind` for every channel: seq moves, the row is pending again. */
static sb_err queue_everywhere(struct sb_db *db, const char *kind, int64_t item_id)
{
    sb_err err = sb_store_catalogue_touch(db, item_id); /* E7: the change feed */
    if (err)
        return err;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
                      " SELECT id, ?, ?, ? FROM channels WHERE true"
                      " ON CONFLICT (channel_id, kind, item_id) DO UPDATE SET"
                      " seq = sync_queue.seq + 1, status = 'pending'",
                      "sis", kind, item_id, now);
}

sb_err sb_store_queue_price_change(struct sb_db *db, int64_t item_id)
{
    return queue_everywhere(db, "price", item_id);
}

sb_err sb_store_queue_item_change(struct sb_db *db, int64_t item_id)
{
    sb_err err = sb_db_exec(db, "DELETE FROM channel_items WHERE item_id = ?", "i", item_id);
    return err ? err : queue_everywhere(db, "stock", item_id);
}

sb_err sb_store_sync_due_channels(struct sb_db *db, int64_t now, int64_t *ids, size_t cap,
                                  size_t *ret_n)
{
    char t[SB_TIME_LEN];
    sb_time_format(now, t, sizeof(t));
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT DISTINCT channel_id FROM sync_queue WHERE " DUE_CLAUSE
                           " ORDER BY channel_id LIMIT ?",
                           "si", t, (int64_t)cap);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q))
        ids[n++] = sb_q_int(&q, 0);
    *ret_n = n;
    return sb_q_close(&q);
}

sb_err sb_store_sync_due(struct sb_db *db, int64_t channel_id, const char *kind, int64_t now,
                         struct sb_sync_row *rows, size_t cap, size_t *ret_n)
{
    char t[SB_TIME_LEN];
    sb_time_format(now, t, sizeof(t));
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT item_id, seq, attempts FROM sync_queue"
                           " WHERE channel_id = ? AND kind = ? AND " DUE_CLAUSE
                           " ORDER BY queued_at, item_id LIMIT ?",
                           "issi", channel_id, kind, t, (int64_t)cap);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q)) {
        rows[n] = (struct sb_sync_row){ .item_id = sb_q_int(&q, 0),
                                        .seq = sb_q_int(&q, 1),
                                        .attempts = sb_q_int(&q, 2) };
        n++;
    }
    *ret_n = n;
    return sb_q_close(&q);
}

sb_err sb_store_sync_done(struct sb_db *db, int64_t channel_id, const char *kind,
                          const struct sb_sync_row *row)
{
    return sb_db_exec(db,
                      "DELETE FROM sync_queue WHERE channel_id = ? AND kind = ? AND item_id = ?"
                      " AND seq = ?",
                      "isii", channel_id, kind, row->item_id, row->seq);
}

sb_err sb_store_sync_failed(struct sb_db *db, int64_t channel_id, const char *kind,
                            const struct sb_sync_row *row, const char *error)
{
    /* the stock queue's retry policy (core/retry.c): backoff, then parked and tried again
     * hourly */
    struct sb_retry_next r;
    sb_retry_after(&sb_retry_stock, row->attempts, SB_OK, sb_retry_jitter(&sb_retry_stock), &r);
    int64_t attempts = r.attempts;
    bool park = r.parked;
    char next[SB_TIME_LEN];
    sb_time_format(sb_time_now() + r.delay, next, sizeof(next));
    /* a change that arrived meanwhile (seq moved: a new value, or new credentials) keeps
     * its chances: no attempt counted, no wait */
    return sb_db_exec(db,
                      "UPDATE sync_queue SET attempts = CASE WHEN seq = ? THEN ? ELSE attempts END,"
                      " status = CASE WHEN seq = ? AND ? THEN 'parked' ELSE status END,"
                      " next_attempt_at = CASE WHEN seq = ? THEN ? ELSE next_attempt_at END,"
                      " last_error = ? WHERE channel_id = ? AND kind = ? AND item_id = ?",
                      "iiibissisi", row->seq, attempts, row->seq, (int)park, row->seq, next, error,
                      channel_id, kind, row->item_id);
}

sb_err sb_store_sync_queue_item(struct sb_db *db, int64_t channel_id, const char *kind,
                                int64_t item_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
                      " VALUES (?, ?, ?, ?) ON CONFLICT (channel_id, kind, item_id)"
                      " DO UPDATE SET seq = sync_queue.seq + 1, status = 'pending',"
                      " attempts = 0, next_attempt_at = NULL",
                      "isis", channel_id, kind, item_id, now);
}

sb_err sb_store_sync_queue_sale(struct sb_db *db, int64_t channel_id, const char *kind,
                                int64_t sale_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
                      " SELECT DISTINCT CAST(? AS BIGINT), CAST(? AS TEXT), item_id,"
                      " CAST(? AS TEXT) FROM sale_lines"
                      " WHERE sale_id = ? AND item_id IS NOT NULL"
                      " ON CONFLICT (channel_id, kind, item_id) DO UPDATE SET"
                      " seq = sync_queue.seq + 1, status = 'pending', attempts = 0,"
                      " next_attempt_at = NULL",
                      "issi", channel_id, kind, now, sale_id);
}

sb_err sb_store_sync_queue_all(struct sb_db *db, int64_t channel_id, const char *kind)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(
        db,
        "INSERT INTO sync_queue (channel_id, kind, item_id, queued_at)"
        " SELECT ?, ?, id, ? FROM items WHERE true"
        " ON CONFLICT (channel_id, kind, item_id) DO UPDATE SET seq = sync_queue.seq + 1,"
        " status = 'pending', attempts = 0, next_attempt_at = NULL",
        "iss", channel_id, kind, now);
}

sb_err sb_store_sync_items(struct sb_db *db, int64_t channel_id, const int64_t *item_ids, size_t n,
                           struct sb_arena *a, struct sb_sync_item *items)
{
    for (size_t i = 0; i < n; i++) {
        struct sb_q q;
        sb_err err = sb_q_open(&q, db,
                               "SELECT i.sku, ci.item_id IS NOT NULL AND ci.sku = i.sku,"
                               " ci.external_item_id, ci.external_variant_id,"
                               " ci.external_product_id, ci.location_id FROM items i"
                               " LEFT JOIN channel_items ci ON ci.item_id = i.id"
                               " AND ci.channel_id = ? WHERE i.id = ?",
                               "ii", channel_id, item_ids[i]);
        if (err)
            return err;
        struct sb_sync_item *it = &items[i];
        *it = (struct sb_sync_item){ .item_id = item_ids[i] };
        if (sb_q_next(&q)) {
            it->sku = sb_arena_strdup(a, sb_q_text(&q, 0));
            it->known = sb_q_int(&q, 1) != 0;
            it->ref.sku = it->sku;
            for (int c = 2; c <= 5; c++) {
                const char *v = sb_q_text(&q, c);
                const char *copy = v ? sb_arena_strdup(a, v) : NULL;
                if (v && !copy)
                    q.err = sb_fail(SB_ENOMEM, NULL, NULL);
                if (c == 2)
                    it->ref.item_id = copy;
                else if (c == 3)
                    it->ref.variant_id = copy;
                else if (c == 4)
                    it->ref.product_id = copy;
                else
                    it->ref.location_id = copy;
            }
            if (!it->sku)
                q.err = sb_fail(SB_ENOMEM, NULL, NULL);
        }
        if ((err = sb_q_close(&q)))
            return err;
    }
    return SB_OK;
}

sb_err sb_store_sync_item_set(struct sb_db *db, int64_t channel_id, int64_t item_id,
                              const struct sb_channel_item *ref)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "INSERT INTO channel_items (channel_id, item_id, sku, external_item_id,"
                      " external_variant_id, external_product_id, location_id, checked_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                      " ON CONFLICT (channel_id, item_id) DO UPDATE SET sku = excluded.sku,"
                      " external_item_id = excluded.external_item_id,"
                      " external_variant_id = excluded.external_variant_id,"
                      " external_product_id = excluded.external_product_id,"
                      " location_id = excluded.location_id, checked_at = excluded.checked_at",
                      "iissssss", channel_id, item_id, ref->sku, ref->item_id, ref->variant_id,
                      ref->product_id, ref->location_id, now);
}

sb_err sb_store_outlet_stock(struct sb_db *db, int64_t item_id, struct sb_arena *a,
                             struct sb_outlet_stock **ret, size_t *ret_n)
{
    struct sb_q q;
    struct sb_outlet_stock *rows = NULL;
    size_t n = 0, cap = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT outlet_id, on_hand, reserved, on_order, reorder_point, max_level"
                           " FROM stock WHERE item_id = ?",
                           "i", item_id);
    if (err)
        return err;
    while (sb_q_next(&q)) {
        if (n == cap) { /* arena memory: the old array is left behind, which is cheap here */
            struct sb_outlet_stock *more = sb_arena_alloc(a, (cap ? cap * 2 : 8) * sizeof(*more));
            if (!more) {
                q.err = sb_fail(SB_ENOMEM, NULL, NULL);
                break;
            }
            if (n)
                memcpy(more, rows, n * sizeof(*rows));
            rows = more;
            cap = cap ? cap * 2 : 8;
        }
        rows[n++] = (struct sb_outlet_stock){ .outlet_id = sb_q_int(&q, 0),
                                              .on_hand = sb_q_int(&q, 1),
                                              .reserved = sb_q_int(&q, 2),
                                              .on_order = sb_q_int(&q, 3),
                                              .reorder_point = sb_q_int(&q, 4),
                                              .max_level = sb_q_int(&q, 5) };
    }
    *ret = rows;
    *ret_n = n;
    return sb_q_close(&q);
}

bool sb_sync_sale_on(const struct sb_channel_settings *s, int64_t now)
{
    return s->sale_price_level_id && s->sale_starts_at && now >= s->sale_starts_at &&
           (!s->sale_ends_at || now < s->sale_ends_at);
}

static sb_err level_price(struct sb_db *db, int64_t item_id, int64_t level, int64_t *ret)
{
    *ret = -1;
    if (!level)
        return SB_OK;
    sb_err err = sb_db_int(
        db, ret, "SELECT amount FROM item_prices WHERE item_id = ? AND price_level_id = ?", "ii",
        item_id, level);
    if (err == SB_ENOT_FOUND) {
        *ret = -1;
        return SB_OK;
    }
    return err;
}

sb_err sb_store_sync_price(struct sb_db *db, const struct sb_channel_settings *s, int64_t item_id,
                           int64_t now, int64_t *ret_regular, int64_t *ret_sale,
                           const char **ret_why)
{
    int64_t regular, sale = -1;
    *ret_why = NULL;
    *ret_sale = 0;
    sb_err err = level_price(db, item_id, s->regular_price_level_id, &regular);
    if (!err && sb_sync_sale_on(s, now))
        err = level_price(db, item_id, s->sale_price_level_id, &sale);
    if (err)
        return err;
    if (regular < 0) {
        *ret_why = "the item has no price at the channel's regular price level";
        return SB_OK;
    }
    *ret_regular = regular;
    if (sale >= 0 && sale < regular)
        *ret_sale = sale;
    return SB_OK;
}

sb_err sb_store_sync_sale_windows(struct sb_db *db, int64_t now, bool apply, size_t *ret_changed)
{
    struct sb_q q;
    int64_t ids[64], states[64];
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT c.id, c.settings, COALESCE(s.sale_state, 0) FROM channels c"
                           " LEFT JOIN channel_sync s ON s.channel_id = c.id WHERE c.enabled"
                           " ORDER BY c.id",
                           NULL);
    if (err)
        return err;
    while (n < 64 && sb_q_next(&q)) {
        struct sb_channel_settings st;
        (void)sb_store_settings_read(sb_q_text(&q, 1), &st, NULL);
        int64_t on = st.use_pos_pricing && sb_sync_sale_on(&st, now) ? 1 : 0;
        if (on != sb_q_int(&q, 2)) {
            ids[n] = sb_q_int(&q, 0);
            states[n++] = on;
        }
    }
    if ((err = sb_q_close(&q)))
        return err;
    if (ret_changed)
        *ret_changed = n;
    for (size_t i = 0; apply && !err && i < n; i++) {
        err = sb_db_exec(db,
                         "INSERT INTO channel_sync (channel_id, sale_state) VALUES (?, ?)"
                         " ON CONFLICT (channel_id) DO UPDATE SET sale_state = excluded.sale_state",
                         "ii", ids[i], states[i]);
        if (!err)
            err = sb_store_sync_queue_all(db, ids[i], "price");
        if (!err)
            err = sb_store_channel_log(db, ids[i], "info", "price.sale", NULL,
                                       "the sale %s: every price is sent again",
                                       states[i] ? "started" : "ended");
    }
    return err;
}

sb_err sb_store_sync_pushed(struct sb_db *db, int64_t channel_id, int64_t n, const char *error)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_exec(db,
                            "INSERT INTO channel_sync (channel_id) VALUES (?)"
                            " ON CONFLICT (channel_id) DO NOTHING",
                            "i", channel_id);
    if (err)
        return err;
    if (error)
        return sb_db_exec(db,
                          "UPDATE channel_sync SET last_error = ?, last_error_at = ?"
                          " WHERE channel_id = ?",
                          "ssi", error, now, channel_id);
    return sb_db_exec(db,
                      "UPDATE channel_sync SET last_push_at = ?, pushed_total = pushed_total + ?"
                      " WHERE channel_id = ?",
                      "sii", now, n, channel_id);
}

int64_t sb_sync_poll_backoff(int64_t failures, int64_t jitter_permille)
{
    return sb_retry_delay(&sb_retry_poll, failures, jitter_permille);
}

sb_err sb_store_poll_record(struct sb_db *db, int64_t channel_id, int64_t now, const char *error,
                            int64_t jitter_permille)
{
    char at[SB_TIME_LEN];
    sb_time_format(now, at, sizeof(at));
    sb_err err = sb_db_exec(db,
                            "INSERT INTO channel_sync (channel_id) VALUES (?)"
                            " ON CONFLICT (channel_id) DO NOTHING",
                            "i", channel_id);
    if (err)
        return err;
    if (!error)
        return sb_db_exec(db,
                          "UPDATE channel_sync SET poll_failures = 0, poll_retry_at = NULL,"
                          " poll_ok_at = ? WHERE channel_id = ?",
                          "si", at, channel_id);
    int64_t failures = 0;
    err = sb_db_int(db, &failures, "SELECT poll_failures FROM channel_sync WHERE channel_id = ?",
                    "i", channel_id);
    if (err)
        return err;
    char retry[SB_TIME_LEN];
    sb_time_format(now + sb_sync_poll_backoff(failures + 1, jitter_permille), retry, sizeof(retry));
    return sb_db_exec(db,
                      "UPDATE channel_sync SET poll_failures = poll_failures + 1,"
                      " poll_retry_at = ?, poll_error = ?, poll_error_at = ? WHERE channel_id = ?",
                      "sssi", retry, error, at, channel_id);
}

sb_err sb_store_poll_states(struct sb_db *db, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT channel_id, poll_failures AS failures, poll_retry_at AS retry_at,"
                          " poll_error AS last_error, poll_error_at AS last_error_at,"
                          " poll_ok_at AS last_ok_at FROM channel_sync"
                          " WHERE poll_failures > 0 OR poll_ok_at IS NOT NULL ORDER BY channel_id",
                          NULL);
}

sb_err sb_store_sync_queue_gauges(struct sb_db *db, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT channel_id, kind, status, COUNT(*) AS count,"
                          " MIN(queued_at) AS oldest_queued_at FROM sync_queue"
                          " GROUP BY channel_id, kind, status ORDER BY channel_id, kind, status",
                          NULL);
}

sb_err sb_store_sync_status(struct sb_db *db, int64_t channel_id, json_t **ret)
{
    json_t *q = NULL, *s = NULL, *parked = NULL;
    sb_err err = sb_db_json_one(db, &q,
                                "SELECT COUNT(*) AS queued,"
                                " COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0)"
                                " AS pending,"
                                " COALESCE(SUM(CASE WHEN status = 'parked' THEN 1 ELSE 0 END), 0)"
                                " AS parked, MIN(queued_at) AS oldest_queued_at"
                                " FROM sync_queue WHERE channel_id = ?",
                                "i", channel_id);
    if (!err)
        err = sb_db_json_all(db, &parked,
                             "SELECT q.kind, q.item_id, i.sku, q.attempts, q.last_error AS error,"
                             " q.queued_at, q.next_attempt_at FROM sync_queue q"
                             " JOIN items i ON i.id = q.item_id"
                             " WHERE q.channel_id = ? AND q.status = 'parked'"
                             " ORDER BY q.queued_at, q.item_id LIMIT 100",
                             "i", channel_id);
    if (!err) {
        err = sb_db_json_one(db, &s,
                             "SELECT last_push_at, pushed_total, last_error, last_error_at,"
                             " last_reconcile_at, last_reconcile, poll_failures, poll_retry_at,"
                             " poll_error, poll_error_at, poll_ok_at FROM channel_sync"
                             " WHERE channel_id = ?",
                             "i", channel_id);
        if (err == SB_ENOT_FOUND) {
            err = SB_OK;
            s = json_pack("{s:n,s:i,s:n,s:n,s:n,s:n,s:i,s:n,s:n,s:n,s:n}", "last_push_at",
                          "pushed_total", 0, "last_error", "last_error_at", "last_reconcile_at",
                          "last_reconcile", "poll_failures", 0, "poll_retry_at", "poll_error",
                          "poll_error_at", "poll_ok_at");
        }
        if (s) { /* the poll's state as one object (I9) */
            json_t *poll =
                json_pack("{s:O,s:O,s:O,s:O,s:O}", "failures", json_object_get(s, "poll_failures"),
                          "retry_at", json_object_get(s, "poll_retry_at"), "last_error",
                          json_object_get(s, "poll_error"), "last_error_at",
                          json_object_get(s, "poll_error_at"), "last_ok_at",
                          json_object_get(s, "poll_ok_at"));
            static const char *const cols[] = { "poll_failures", "poll_retry_at", "poll_error",
                                                "poll_error_at", "poll_ok_at" };
            for (size_t i = 0; i < 5; i++)
                json_object_del(s, cols[i]);
            if (!poll || json_object_set_new(s, "poll", poll))
                err = sb_fail(SB_ENOMEM, NULL, NULL);
        }
    }
    if (!err && (!q || !s || !parked))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err) {
        /* the last reconciliation's report is stored as JSON text */
        json_t *rep = json_object_get(s, "last_reconcile");
        if (json_is_string(rep))
            json_object_set_new(s, "last_reconcile", json_loads(json_string_value(rep), 0, NULL));
        json_t *oldest = json_object_get(q, "oldest_queued_at");
        int64_t t;
        json_object_set_new(q, "oldest_age_seconds",
                            json_is_string(oldest) && sb_time_parse(json_string_value(oldest), &t)
                                ? json_integer(sb_time_now() - t > 0 ? sb_time_now() - t : 0)
                                : json_null());
        json_object_set_new(s, "queue", q);
        json_object_set_new(s, "parked_changes", parked);
        q = parked = NULL;
        *ret = s;
        s = NULL;
    }
    json_decref(q);
    json_decref(s);
    json_decref(parked);
    return err;
}

sb_err sb_store_sync_excluded(struct sb_db *db, const struct sb_channel_record *rec, int64_t after,
                              int64_t limit, json_t **ret)
{
    enum {
        SCAN = 1000
    };
    struct sb_publish_filters pf = { .on_hand = rec->settings.publish_on_hand,
                                     .on_order = rec->settings.publish_on_order,
                                     .reorder = rec->settings.publish_reorder };
    json_t *rows = json_array();
    if (!rows)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t id = rec->id;
    for (;;) {
        struct sb_q q;
        size_t scanned = 0;
        sb_err err = sb_q_open(
            &q, db,
            "SELECT i.id, i.sku, i.name,"
            " ci.item_id IS NOT NULL AND ci.external_item_id IS NULL, q.item_id IS NOT NULL,"
            " q.last_error,"
            " COALESCE(SUM(CASE WHEN s.on_hand > 0 THEN s.on_hand ELSE 0 END), 0),"
            " COALESCE(SUM(s.on_order), 0),"
            " COALESCE(MAX(CASE WHEN s.reorder_point > 0 OR s.max_level > 0 THEN 1 ELSE 0 END), 0)"
            " FROM items i"
            " LEFT JOIN channel_items ci ON ci.channel_id = ? AND ci.item_id = i.id"
            " LEFT JOIN sync_queue q ON q.channel_id = ? AND q.item_id = i.id AND q.kind = 'stock'"
            "  AND q.status = 'parked'"
            " LEFT JOIN stock s ON s.item_id = i.id AND s.outlet_id IN ("
            "  SELECT outlet_id FROM channel_outlets WHERE channel_id = ?"
            "  UNION SELECT outlet_id FROM channel_locations WHERE channel_id = ?)"
            " WHERE i.id > ? GROUP BY i.id, i.sku, i.name, ci.item_id, ci.external_item_id,"
            " q.item_id, q.last_error ORDER BY i.id LIMIT ?",
            "iiiiii", id, id, id, id, after, (int64_t)SCAN);
        if (err) {
            json_decref(rows);
            return err;
        }
        while ((int64_t)json_array_size(rows) < limit && sb_q_next(&q)) {
            scanned++;
            after = sb_q_int(&q, 0);
            const char *why = NULL;
            char buf[600];
            if (sb_q_int(&q, 3)) {
                why = "the channel has no product with this SKU";
            } else if (sb_q_int(&q, 4)) {
                snprintf(buf, sizeof(buf), "its changes keep failing: %s",
                         sb_q_text(&q, 5) ? sb_q_text(&q, 5) : "unknown error");
                why = buf;
            } else {
                struct sb_outlet_stock agg = { .outlet_id = 1,
                                               .on_hand = sb_q_int(&q, 6),
                                               .on_order = sb_q_int(&q, 7),
                                               .reorder_point = sb_q_int(&q, 8) };
                int64_t one = 1;
                why = sb_unpublished_reason(&pf, &agg, 1, &one, 1);
            }
            if (why)
                json_array_append_new(rows, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)after,
                                                      "sku", sb_q_text(&q, 1), "name",
                                                      sb_q_text(&q, 2), "reason", why));
        }
        if ((err = sb_q_close(&q))) {
            json_decref(rows);
            return err;
        }
        if ((int64_t)json_array_size(rows) >= limit || scanned < SCAN)
            break;
    }
    *ret = rows;
    return SB_OK;
}
