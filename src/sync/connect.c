/*
 * Connecting a channel as an app (sync/connect.h): the adapter does the work
 * (ops->connect, ops->connection); here it is called, its outcome and its
 * notices written to the channel's log, and the periodic pass decided.
 */
#include "sync/connect.h"

#include "store/channel-log.h"
#include "store/outbox-queue.h"
#include "store/outbox.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_MINUTES_DEFAULT 60

sb_err sb_sync_queue_connect(struct sb_db *db, const struct sb_channel_ops *ops, int64_t id,
                             json_t *settings)
{
    /* a kind whose connect sets up webhooks: only a channel set up to have them made (a
     * public base URL given); others are checked by the poller's pass and on demand, and
     * make no calls when merely edited. A kind without webhooks (Magento), or one whose
     * connect is only a test (Ecwid: its webhooks are the app's, set up on Ecwid): its
     * connect is the connection test, made whenever the channel is saved (a 401 says which
     * way of signing in was refused). */
    const char *base = json_string_value(json_object_get(settings, "webhook_base_url"));
    if (!ops || !(ops->caps & SB_CH_CONNECT))
        return SB_OK;
    if ((ops->caps & SB_CH_WEBHOOKS) && !ops->connect_on_save && (!base || !*base))
        return SB_OK;
    return sb_store_outbox_queue(db, id, SB_OUTBOX_CONNECT, "channel", "{}");
}

const char *sb_sync_connect_summary(json_t *report, char *buf, size_t cap)
{
    json_t *scopes = json_object_get(report, "scopes");
    json_t *missing = json_object_get(scopes, "missing");
    json_t *wh = json_object_get(report, "webhooks");
    const char *note = json_string_value(json_object_get(wh, "note"));
    size_t len = 0;
    if (!scopes) { /* a kind without access scopes (Magento, Ecwid): its test passed */
        len = (size_t)snprintf(buf, cap, "connection ok");
    } else if (json_array_size(missing) == 0) {
        len = (size_t)snprintf(buf, cap, "access scopes: all granted");
    } else {
        len = (size_t)snprintf(buf, cap, "access scopes missing:");
        size_t i;
        json_t *m;
        json_array_foreach(missing, i, m)
        {
            if (len < cap)
                len += (size_t)snprintf(buf + len, cap - len, "%s %s", i ? "," : "",
                                        json_string_value(m));
        }
    }
    if (len < cap && json_is_true(json_object_get(wh, "managed")))
        len +=
            (size_t)snprintf(buf + len, cap - len, "; webhooks: %lld kept, %lld made, %lld deleted",
                             (long long)json_integer_value(json_object_get(wh, "kept")),
                             (long long)json_integer_value(json_object_get(wh, "created")),
                             (long long)json_integer_value(json_object_get(wh, "deleted")));
    else if (len < cap && note) /* the kind says who sets its webhooks up (Ecwid: the app) */
        snprintf(buf + len, cap - len, "; webhooks: %s", note);
    else if (len < cap && wh)
        snprintf(buf + len, cap - len, "; webhooks: not managed (webhook_base_url is not set)");
    return buf;
}

struct log_job {
    int64_t id;
    const char *level, *event, *text;
};

static sb_err log_fn(struct sb_db *db, void *ctx)
{
    struct log_job *j = ctx;
    return sb_store_channel_log(db, j->id, j->level, j->event, NULL, "%s", j->text);
}

static void channel_log(struct sb_store *store, int64_t id, const char *level, const char *event,
                        const char *text)
{
    struct log_job j = { id, level, event, text };
    char ch[24];
    snprintf(ch, sizeof(ch), "%lld", (long long)id);
    sb_log(strcmp(level, "info") == 0 ? SB_LOG_INFO : SB_LOG_WARN, event, "channel", ch, "message",
           text, NULL);
    if (sb_store_write(store, log_fn, &j))
        sb_log(SB_LOG_ERROR, "channel.log_failed", "channel", ch, "error", sb_err_last()->message,
               NULL);
}

static sb_err load(struct sb_store *store, struct sb_channel_cache *channels, int64_t id,
                   struct sb_arena *a, struct sb_channel_rt **rt)
{
    struct sb_db *db;
    sb_err err = sb_store_acquire(store, &db);
    if (!err) {
        err = sb_channel_load(channels, db, id, a, rt);
        sb_store_release(store, db);
    }
    return err;
}

json_t *sb_sync_connection(const struct sb_channel_rt *rt, struct sb_arena *a)
{
    if (!(rt->ops->caps & SB_CH_CONNECT))
        return NULL;
    return rt->ops->connection(&rt->ch, a, NULL);
}

void sb_sync_connection_notice(struct sb_store *store, struct sb_channel_cache *channels,
                               int64_t id)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_channel_rt *rt = NULL;
    if (!a || load(store, channels, id, a, &rt) || !(rt->ops->caps & SB_CH_CONNECT)) {
        sb_err_clear();
        sb_arena_free(a);
        return;
    }
    const char *notice = NULL;
    json_t *c = rt->ops->connection(&rt->ch, a, &notice);
    json_decref(c);
    if (notice)
        channel_log(store, id, "warn", "connection.api_version", notice);
    sb_arena_free(a);
}

sb_err sb_sync_connect(struct sb_store *store, struct sb_channel_cache *channels, int64_t id,
                       json_t **ret)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_channel_rt *rt = NULL;
    sb_err err = a ? load(store, channels, id, a, &rt) : sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err && !(rt->ops->caps & SB_CH_CONNECT))
        err = sb_fail(SB_ECONFLICT, NULL, "this kind of channel has no connection to check");
    json_t *report = NULL;
    if (!err) {
        err = rt->ops->connect(&rt->ch, &report);
        char text[600];
        if (err) {
            snprintf(text, sizeof(text), "connection check failed: %s", sb_err_last()->message);
            struct sb_errinfo saved = *sb_err_last();
            channel_log(store, id, "error", "connection.failed", text);
            sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
        } else {
            bool missing =
                json_array_size(json_object_get(json_object_get(report, "scopes"), "missing"));
            channel_log(store, id, missing ? "warn" : "info", "connection.checked",
                        sb_sync_connect_summary(report, text, sizeof(text)));
        }
    }
    json_decref(report);
    if (rt) {
        struct sb_errinfo saved = *sb_err_last();
        sb_sync_connection_notice(store, channels, id);
        if (err)
            sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
    }
    if (!err && ret)
        *ret = rt->ops->connection(&rt->ch, a, NULL);
    sb_arena_free(a);
    return err;
}

bool sb_sync_connect_due(const struct sb_channel_rt *rt, struct sb_arena *a)
{
    if (!(rt->ops->caps & SB_CH_CONNECT))
        return false;
    const char *env = getenv("STOCKBRIDGE_CONNECT_MINUTES");
    long minutes = env ? strtol(env, NULL, 10) : CONNECT_MINUTES_DEFAULT;
    if (minutes <= 0)
        minutes = CONNECT_MINUTES_DEFAULT;
    json_t *c = rt->ops->connection(&rt->ch, a, NULL);
    int64_t at = 0;
    const char *checked = json_string_value(json_object_get(c, "checked_at"));
    bool due = !checked || !sb_time_parse(checked, &at) || sb_time_now() - at >= minutes * 60;
    json_decref(c);
    return due;
}
