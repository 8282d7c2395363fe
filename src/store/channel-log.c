/*
 * The channel log (channel-log.h).
 */
#include "store/channel-log.h"

#include "store/channels.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

sb_err sb_store_channel_log(struct sb_db *db, int64_t channel_id, const char *level,
                            const char *event, const char *external_id, const char *fmt, ...)
{
    if (!level ||
        (strcmp(level, "info") != 0 && strcmp(level, "warn") != 0 && strcmp(level, "error") != 0))
        return sb_fail(SB_EINTERNAL, "level", "unknown log level");
    char msg[1001];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_exec(db,
                            "INSERT INTO channel_log (channel_id, level, event, external_id,"
                            " message, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                            "isssss", channel_id, level, event, external_id, msg, now);
    return err == SB_EUNKNOWN_REFERENCE
               ? sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld", (long long)channel_id)
               : err;
}

sb_err sb_store_channel_log_list(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 int64_t before, int64_t limit, json_t **ret)
{
    sb_err err = sb_store_channel_visible(db, scope, id);
    if (err)
        return err;
    return sb_db_json_all(db, ret,
                          "SELECT id, level, event, external_id, message, created_at"
                          " FROM channel_log WHERE channel_id = ? AND (? OR id < ?)"
                          " ORDER BY id DESC LIMIT ?",
                          "ibii", id, before == 0, before, limit);
}
