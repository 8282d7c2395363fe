/*
 * Channel settings over time (settings-history.h): one row per change in
 * channel_settings_history, the whole object each time, so that reading
 * "what was in force at T" is one pick and never a replay of diffs.
 */
#include "store/settings-history.h"

#include "util/timeutil.h"

#include <string.h>

sb_err sb_store_settings_history_add(struct sb_db *db, int64_t channel_id, const char *since,
                                     const char *settings_text)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT settings FROM channel_settings_history WHERE channel_id = ?"
                           " ORDER BY id DESC LIMIT 1",
                           "i", channel_id);
    if (err)
        return err;
    bool same = sb_q_next(&q) && strcmp(sb_q_text(&q, 0), settings_text) == 0;
    if ((err = sb_q_close(&q)) || same)
        return err;
    return sb_db_exec(db,
                      "INSERT INTO channel_settings_history (channel_id, since, settings)"
                      " VALUES (?, ?, ?)",
                      "iss", channel_id, since, settings_text);
}

static void decref(void *p)
{
    json_decref(p);
}

sb_err sb_store_settings_history_load(struct sb_db *db, int64_t channel_id, struct sb_arena *a,
                                      json_t **ret)
{
    json_t *list = json_array();
    if (!list || !sb_arena_defer(a, decref, list)) {
        json_decref(list);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT since, settings FROM channel_settings_history"
                           " WHERE channel_id = ? ORDER BY id",
                           "i", channel_id);
    if (err)
        return err;
    while (!q.err && sb_q_next(&q)) {
        int64_t since = 0;
        json_t *settings = json_loads(sb_q_text(&q, 1), 0, NULL);
        if (!sb_time_parse(sb_q_text(&q, 0), &since) || !json_is_object(settings)) {
            json_decref(settings); /* a row that does not read back is left out */
            continue;
        }
        if (json_array_append_new(
                list, json_pack("{sI so}", "since", (json_int_t)since, "settings", settings)))
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if ((err = sb_q_close(&q)))
        return err;
    *ret = list;
    return SB_OK;
}
