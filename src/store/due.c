/*
 * The channels with work due, per lane (see due.h): one query shape, the
 * distinct channel ids of a queue's due rows.
 */
#include "store/due.h"

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

sb_err sb_store_calls_due_channels(struct sb_db *db, const char *now, int64_t *ids, size_t cap,
                                   size_t *ret_n)
{
    return channel_ids(db,
                       "SELECT DISTINCT channel_id FROM outbox WHERE status = 'pending'"
                       " AND next_attempt_at <= ? ORDER BY channel_id LIMIT ?",
                       now, ids, cap, ret_n);
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
