/*
 * The queues' gauges (see queue-gauges.h), read in one query at each scrape
 * or sync-status: each queue's waiting rows grouped by channel and state,
 * its terminal "given up" state named "parked" whatever the table calls it.
 */
#include "store/queue-gauges.h"
#include "util/timeutil.h"

#include <string.h>

/* The same rows for every queue; ? twice per queue: the channel (0: all). */
#define QUEUE_ROWS                                                                           \
    "SELECT 'events' AS queue, channel_id,"                                                  \
    " CASE WHEN status = 'failed' THEN 'parked' ELSE status END AS state,"                   \
    " COUNT(*) AS entries, MIN(received_at) AS oldest_at FROM channel_events"                \
    " WHERE status IN ('pending', 'failed') AND (? = 0 OR channel_id = ?)"                   \
    " GROUP BY channel_id, status"                                                           \
    " UNION ALL SELECT 'outbox' AS queue, channel_id, status AS state, COUNT(*) AS entries," \
    " MIN(created_at) AS oldest_at FROM outbox"                                              \
    " WHERE status IN ('pending', 'parked') AND (? = 0 OR channel_id = ?)"                   \
    " GROUP BY channel_id, status"                                                           \
    " UNION ALL SELECT 'stock' AS queue, channel_id, status AS state, COUNT(*) AS entries,"  \
    " MIN(queued_at) AS oldest_at FROM sync_queue"                                           \
    " WHERE (? = 0 OR channel_id = ?)"                                                       \
    " GROUP BY channel_id, status"                                                           \
    " ORDER BY queue, channel_id, state"

sb_err sb_store_queue_gauges(struct sb_db *db, int64_t channel_id, json_t **ret)
{
    return sb_db_json_all(db, ret, QUEUE_ROWS, "iiiiii", channel_id, channel_id, channel_id,
                          channel_id, channel_id, channel_id);
}

sb_err sb_store_queue_status(struct sb_db *db, int64_t channel_id, int64_t now, json_t **ret)
{
    static const char *const queues[] = { "events", "outbox", "stock" };
    json_t *rows = NULL;
    sb_err err = sb_store_queue_gauges(db, channel_id, &rows);
    if (err)
        return err;
    json_t *out = json_object();
    for (size_t i = 0; out && i < sizeof(queues) / sizeof(queues[0]); i++) {
        int64_t pending = 0, parked = 0, oldest = 0;
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row)
        {
            if (strcmp(json_string_value(json_object_get(row, "queue")), queues[i]) != 0)
                continue;
            int64_t n = json_integer_value(json_object_get(row, "entries"));
            if (strcmp(json_string_value(json_object_get(row, "state")), "parked") == 0)
                parked += n;
            else
                pending += n;
            int64_t t;
            const char *at = json_string_value(json_object_get(row, "oldest_at"));
            if (at && sb_time_parse(at, &t) && (!oldest || t < oldest))
                oldest = t;
        }
        json_t *q = json_pack("{s:I,s:I,s:o}", "pending", (json_int_t)pending, "parked",
                              (json_int_t)parked, "oldest_age_seconds",
                              oldest ? json_integer(now > oldest ? now - oldest : 0) : json_null());
        if (!q || json_object_set_new(out, queues[i], q)) {
            json_decref(out);
            out = NULL;
        }
    }
    json_decref(rows);
    if (!out)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = out;
    return SB_OK;
}
