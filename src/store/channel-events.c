/*
 * Channel events (see channel-events.h). Due rows are copied out (strdup) so
 * that the connection goes back to the pool before the slow part, the
 * channel's adapter, runs.
 */
#include "store/channel-events.h"
#include "store/channels.h"

#include <stdlib.h>
#include <string.h>

sb_err sb_store_event_record(struct sb_db *db, const struct sb_event_record *e, const char *now,
                             int64_t *ret_id)
{
    int64_t id = 0;
    sb_err err = sb_db_int(db, &id,
                           "INSERT INTO channel_events (channel_id, event_id, topic, order_ref,"
                           " body, status, received_at, processed_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (channel_id, event_id) DO NOTHING RETURNING id",
                           "isssssss", e->channel_id, e->event_id, e->topic, e->order_ref, e->body,
                           e->done ? "done" : "pending", now, e->done ? now : NULL);
    if (err == SB_ENOT_FOUND) { /* the conflict: seen before */
        *ret_id = 0;
        return SB_OK;
    }
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_store_event_record_at(struct sb_db *db, const struct sb_event_record *e, const char *now,
                                int64_t revision, int64_t *ret_id, bool *ret_stale)
{
    /* one statement when the channel is as cached: the insert takes its channel_id from
     * the channel's row only while its revision is the one given */
    int64_t id = 0;
    sb_err err =
        sb_db_int(db, &id,
                  "INSERT INTO channel_events (channel_id, event_id, topic, order_ref,"
                  " body, status, received_at, processed_at)"
                  " SELECT c.id, ?, ?, ?, ?, ?, ?, ? FROM channels c"
                  " WHERE c.id = ? AND c.revision = ?"
                  " ON CONFLICT (channel_id, event_id) DO NOTHING RETURNING id",
                  "sssssssii", e->event_id, e->topic, e->order_ref, e->body,
                  e->done ? "done" : "pending", now, e->done ? now : NULL, e->channel_id, revision);
    *ret_stale = false;
    if (!err) {
        *ret_id = id;
        return SB_OK;
    }
    if (err != SB_ENOT_FOUND)
        return err;
    /* nothing written: a channel changed since it was cached, or an event seen before */
    int64_t now_rev = 0;
    err = sb_store_channel_revision(db, e->channel_id, &now_rev);
    if (err)
        return err;
    *ret_stale = now_rev != revision;
    *ret_id = 0;
    return SB_OK;
}

sb_err sb_store_event_done(struct sb_db *db, int64_t id, const char *now)
{
    return sb_db_exec(db,
                      "UPDATE channel_events SET status = 'done', processed_at = ?, error = NULL"
                      " WHERE id = ?",
                      "si", now, id);
}

sb_err sb_store_event_reopen(struct sb_db *db, int64_t id)
{
    return sb_db_exec(db,
                      "UPDATE channel_events SET status = 'pending', processed_at = NULL"
                      " WHERE id = ?",
                      "i", id);
}

sb_err sb_store_event_failed(struct sb_db *db, int64_t id, int64_t attempts, bool parked,
                             const char *next_at, const char *error)
{
    return sb_db_exec(db,
                      "UPDATE channel_events SET status = ?, attempts = ?, next_attempt_at = ?,"
                      " error = ? WHERE id = ?",
                      "sissi", parked ? "failed" : "pending", attempts, next_at, error, id);
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

sb_err sb_store_events_pending(struct sb_db *db, bool *ret)
{
    struct sb_q q;
    sb_err err =
        sb_q_open(&q, db, "SELECT id FROM channel_events WHERE status = 'pending' LIMIT 1", NULL);
    if (err)
        return err;
    bool any = sb_q_next(&q);
    err = sb_q_close(&q);
    if (!err)
        *ret = any;
    return err;
}
