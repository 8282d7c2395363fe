/*
 * The pipeline's due work, per channel (see due.h). The rows are copied out
 * (strdup) so that the connection goes back to the pool before the slow part,
 * the channel's adapter, runs.
 */
#include "store/due.h"

#include <stdlib.h>
#include <string.h>

static sb_err channel_ids(struct sb_db *db, const char *sql, const char *now, int64_t *ids,
                          size_t cap, size_t *ret_n)
{
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db, sql, "si", now, (int64_t)cap);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q))
        ids[n++] = sb_q_int(&q, 0);
    err = sb_q_close(&q);
    if (!err)
        *ret_n = n;
    return err;
}

sb_err sb_store_events_due_channels(struct sb_db *db, const char *now, int64_t *ids, size_t cap,
                                    size_t *ret_n)
{
    return channel_ids(db,
                       "SELECT DISTINCT channel_id FROM channel_events WHERE status = 'pending'"
                       " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
                       " ORDER BY channel_id LIMIT ?",
                       now, ids, cap, ret_n);
}

static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    *ok = *ok && c;
    return c;
}

void sb_due_event_clear(struct sb_due_event *e)
{
    free(e->topic);
    free(e->order_ref);
    free(e->body);
    memset(e, 0, sizeof(*e));
}

sb_err sb_store_events_due(struct sb_db *db, int64_t channel_id, const char *now,
                           struct sb_due_event *out, size_t cap, size_t *ret_n)
{
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT id, channel_id, attempts, topic, order_ref, body"
                           " FROM channel_events WHERE channel_id = ? AND status = 'pending'"
                           " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
                           " ORDER BY id LIMIT ?",
                           "isi", channel_id, now, (int64_t)cap);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q)) {
        bool ok = true;
        out[n] = (struct sb_due_event){ .id = sb_q_int(&q, 0),
                                        .channel_id = sb_q_int(&q, 1),
                                        .attempts = sb_q_int(&q, 2),
                                        .topic = dup_or_null(sb_q_text(&q, 3), &ok),
                                        .order_ref = dup_or_null(sb_q_text(&q, 4), &ok),
                                        .body = dup_or_null(sb_q_text(&q, 5), &ok) };
        if (!ok || !out[n].topic || !out[n].body) {
            sb_due_event_clear(&out[n]);
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        n++;
    }
    err = sb_q_close(&q);
    if (err) {
        for (size_t i = 0; i < n; i++)
            sb_due_event_clear(&out[i]);
        return err;
    }
    *ret_n = n;
    return SB_OK;
}

sb_err sb_store_calls_due_channels(struct sb_db *db, const char *now, int64_t *ids, size_t cap,
                                   size_t *ret_n)
{
    return channel_ids(db,
                       "SELECT DISTINCT channel_id FROM outbox WHERE status = 'pending'"
                       " AND next_attempt_at <= ? ORDER BY channel_id LIMIT ?",
                       now, ids, cap, ret_n);
}

void sb_due_call_clear(struct sb_due_call *c)
{
    free(c->kind);
    free(c->ref);
    free(c->payload);
    memset(c, 0, sizeof(*c));
}

sb_err sb_store_calls_due(struct sb_db *db, int64_t channel_id, const char *now,
                          struct sb_due_call *out, size_t cap, size_t *ret_n)
{
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT id, channel_id, attempts, kind, ref, payload FROM outbox"
                           " WHERE channel_id = ? AND status = 'pending' AND next_attempt_at <= ?"
                           " ORDER BY id LIMIT ?",
                           "isi", channel_id, now, (int64_t)cap);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q)) {
        bool ok = true;
        out[n] = (struct sb_due_call){ .id = sb_q_int(&q, 0),
                                       .channel_id = sb_q_int(&q, 1),
                                       .attempts = sb_q_int(&q, 2),
                                       .kind = dup_or_null(sb_q_text(&q, 3), &ok),
                                       .ref = dup_or_null(sb_q_text(&q, 4), &ok),
                                       .payload = dup_or_null(sb_q_text(&q, 5), &ok) };
        if (!ok || !out[n].kind || !out[n].ref || !out[n].payload) {
            sb_due_call_clear(&out[n]);
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        n++;
    }
    err = sb_q_close(&q);
    if (err) {
        for (size_t i = 0; i < n; i++)
            sb_due_call_clear(&out[i]);
        return err;
    }
    *ret_n = n;
    return SB_OK;
}

sb_err sb_store_reconcile_due_channels(struct sb_db *db, const char *before, int64_t *ids,
                                       size_t cap, size_t *ret_n)
{
    return channel_ids(db,
                       "SELECT c.id FROM channels c LEFT JOIN channel_sync s ON s.channel_id = c.id"
                       " WHERE c.enabled AND (s.last_reconcile_at IS NULL"
                       " OR s.last_reconcile_at <= ?) ORDER BY c.id LIMIT ?",
                       before, ids, cap, ret_n);
}
