/*
 * Poll scheduling (channel-polls.h): the cursor written with each page, and
 * the channels whose poll is due by their interval or their backoff.
 */
#include "store/channel-polls.h"

#include "store/channel-settings.h"
#include "util/timeutil.h"

#include <stdbool.h>

sb_err sb_store_channel_set_cursor(struct sb_db *db, int64_t id, const char *cursor)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t got;
    sb_err err = sb_db_int(db, &got,
                           "UPDATE channels SET"
                           " poll_cursor = CASE WHEN ? THEN ? ELSE poll_cursor END,"
                           " last_poll_at = ? WHERE id = ? RETURNING id",
                           "bssi", cursor != NULL, cursor, now, id);
    return err == SB_ENOT_FOUND ? sb_fail(err, NULL, "no channel %lld", (long long)id) : err;
}

sb_err sb_store_channel_poll_due(struct sb_db *db, int64_t now, bool (*pollable)(const char *kind),
                                 int64_t *ids, size_t cap, size_t *ret_n)
{
    struct sb_q q;
    size_t n = 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT c.id, c.settings, c.last_poll_at, s.poll_retry_at, c.kind"
                           " FROM channels c LEFT JOIN channel_sync s ON s.channel_id = c.id"
                           " WHERE c.enabled = ? AND c.credentials IS NOT NULL"
                           " ORDER BY c.last_poll_at IS NOT NULL, c.last_poll_at, c.id",
                           "b", 1);
    if (err)
        return err;
    while (n < cap && sb_q_next(&q)) {
        if (pollable && !pollable(sb_q_text(&q, 4) ? sb_q_text(&q, 4) : ""))
            continue;
        struct sb_channel_settings s;
        (void)sb_store_settings_read(sb_q_text(&q, 1), &s, NULL);
        int64_t last = 0, retry = 0;
        const char *at = sb_q_text(&q, 2);
        bool due = !at || !sb_time_parse(at, &last) || now - last >= s.poll_interval_seconds;
        /* after a failed poll, the next one waits for its backed-off time (I9) */
        const char *retry_at = sb_q_null(&q, 3) ? NULL : sb_q_text(&q, 3);
        if (retry_at && sb_time_parse(retry_at, &retry))
            due = now >= retry;
        if (s.download_orders && due)
            ids[n++] = sb_q_int(&q, 0);
    }
    err = sb_q_close(&q);
    if (!err)
        *ret_n = n;
    return err;
}
