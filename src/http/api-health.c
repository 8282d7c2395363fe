/*
 * /healthz (the database answers), /metrics (Prometheus text) and
 * /api/v1/me (who the token belongs to, with their outlets).
 */
#include "http/api.h"
#include "http/server.h"
#include "store/queue-gauges.h"
#include "store/stock-queue.h"
#include "store/store.h"
#include "store/users.h"
#include "util/timeutil.h"

#include <string.h>

sb_err sb_api_healthz(struct sb_req *r)
{
    sb_err err = sb_store_ping(r->db);
    if (err)
        return err;
    return sb_reply(r, 200,
                    json_pack("{s:s,s:i}", "status", "ok", "schema_version",
                              sb_store_schema_version(sb_server_store(r->server))));
}

/* The stock and price changes waiting for each channel (I9: parked changes are visible
 * here too), read from the database at each scrape. */
static const char *sync_gauges(struct sb_req *r)
{
    const char *out = "# HELP stockbridge_sync_queue Stock and price changes waiting for a"
                      " channel, by kind and state (pending, parked).\n"
                      "# TYPE stockbridge_sync_queue gauge\n"
                      "# HELP stockbridge_sync_oldest_seconds How long the oldest change"
                      " waiting for a channel has waited.\n"
                      "# TYPE stockbridge_sync_oldest_seconds gauge\n";
    json_t *rows = NULL;
    if (sb_store_sync_queue_gauges(r->db, &rows))
        return out;
    int64_t now = sb_time_now();
    size_t i;
    json_t *g;
    json_array_foreach(rows, i, g)
    {
        long long ch = (long long)json_integer_value(json_object_get(g, "channel_id"));
        const char *kind = json_string_value(json_object_get(g, "kind"));
        const char *state = json_string_value(json_object_get(g, "status"));
        int64_t oldest = 0;
        const char *at = json_string_value(json_object_get(g, "oldest_queued_at"));
        bool aged = at && sb_time_parse(at, &oldest);
        out = sb_arena_printf(
            r->arena,
            "%sstockbridge_sync_queue{channel=\"%lld\",kind=\"%s\",state=\"%s\"} %lld\n"
            "stockbridge_sync_oldest_seconds{channel=\"%lld\",kind=\"%s\",state=\"%s\"}"
            " %lld\n",
            out, ch, kind, state, (long long)json_integer_value(json_object_get(g, "count")), ch,
            kind, state, (long long)(aged && now > oldest ? now - oldest : 0));
        if (!out)
            break;
    }
    json_decref(rows);
    return out;
}

/* I9, O10: every durable queue (channel events, the outbox, stock and prices) as the same
 * gauges, per channel and state (pending, parked). */
static const char *queue_gauges(struct sb_req *r)
{
    const char *out = "# HELP stockbridge_queue_entries Entries waiting in a durable queue"
                      " (events, outbox, stock), by channel and state (pending, parked).\n"
                      "# TYPE stockbridge_queue_entries gauge\n"
                      "# HELP stockbridge_queue_oldest_seconds How long the oldest entry"
                      " waiting in a durable queue has waited.\n"
                      "# TYPE stockbridge_queue_oldest_seconds gauge\n";
    json_t *rows = NULL;
    if (sb_store_queue_gauges(r->db, 0, &rows))
        return out;
    int64_t now = sb_time_now();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *queue = json_string_value(json_object_get(row, "queue"));
        const char *state = json_string_value(json_object_get(row, "state"));
        long long ch = (long long)json_integer_value(json_object_get(row, "channel_id"));
        const char *at = json_string_value(json_object_get(row, "oldest_at"));
        int64_t oldest = 0;
        bool aged = at && sb_time_parse(at, &oldest) && now > oldest;
        out = sb_arena_printf(
            r->arena,
            "%sstockbridge_queue_entries{queue=\"%s\",channel=\"%lld\",state=\"%s\"} %lld\n"
            "stockbridge_queue_oldest_seconds{queue=\"%s\",channel=\"%lld\",state=\"%s\"}"
            " %lld\n",
            out, queue, ch, state, (long long)json_integer_value(json_object_get(row, "entries")),
            queue, ch, state, (long long)(aged ? now - oldest : 0));
        if (!out)
            break;
    }
    json_decref(rows);
    return out;
}

/* I9: each channel's polls: failures in a row (0 once one works) and the seconds until the
 * backed-off next try. */
static const char *poll_gauges(struct sb_req *r)
{
    const char *out = "# HELP stockbridge_poll_failures Failed polls of a channel in a row"
                      " (0 once a poll works).\n"
                      "# TYPE stockbridge_poll_failures gauge\n"
                      "# HELP stockbridge_poll_retry_seconds Seconds until a failing channel's"
                      " next poll (backed off).\n"
                      "# TYPE stockbridge_poll_retry_seconds gauge\n";
    json_t *states = NULL;
    if (sb_store_poll_states(r->db, &states))
        return out;
    int64_t now = sb_time_now();
    size_t i;
    json_t *st;
    json_array_foreach(states, i, st)
    {
        int64_t ch = json_integer_value(json_object_get(st, "channel_id"));
        int64_t retry = 0;
        const char *at = json_string_value(json_object_get(st, "retry_at"));
        bool due_later = at && sb_time_parse(at, &retry) && retry > now;
        out = sb_arena_printf(r->arena,
                              "%sstockbridge_poll_failures{channel=\"%lld\"} %lld\n"
                              "stockbridge_poll_retry_seconds{channel=\"%lld\"} %lld\n",
                              out, (long long)ch,
                              (long long)json_integer_value(json_object_get(st, "failures")),
                              (long long)ch, (long long)(due_later ? retry - now : 0));
        if (!out)
            break;
    }
    json_decref(states);
    return out;
}

sb_err sb_api_metrics(struct sb_req *r)
{
    size_t len;
    char *text = sb_server_metrics_text(r->server, r->arena, &len);
    const char *gauges = sync_gauges(r), *polls = poll_gauges(r), *queues = queue_gauges(r);
    char *all = sb_arena_printf(r->arena, "%s%s%s%s", text, gauges ? gauges : "",
                                polls ? polls : "", queues ? queues : "");
    if (!all)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    return sb_reply_raw(r, 200, "text/plain; version=0.0.4", all, strlen(all));
}

sb_err sb_api_me(struct sb_req *r)
{
    json_t *me;
    sb_err err = sb_api_me_json(r, &me);
    return err ? err : sb_reply(r, 200, me);
}

sb_err sb_api_me_json(struct sb_req *r, json_t **ret)
{
    json_t *me;
    sb_err err = sb_store_user_me(r->db, &r->scope, &me);
    if (err)
        return err;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(me, "outlets"), i, o)
    {
        sb_outlet_add_exponent(o); /* the web app shows amounts and times the outlet's way */
    }
    *ret = me;
    return SB_OK;
}
