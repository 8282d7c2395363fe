/*
 * How stock (and prices) reach a channel: GET /api/v1/channels/{id}/sync-status
 * (queue depth, the oldest waiting change, the last push, parked changes with
 * their errors, the last reconciliation) and GET /api/v1/channels/{id}/items
 * ?status=excluded (the items that do not reach it, each with why: I8);
 * POST /api/v1/channels/{id}/reconcile (I5, on the request's thread); and for
 * a kind that connects as an app, the connection: in sync-status as
 * "connection" (access scopes, the features they leave off, webhook
 * subscriptions, the API version that answers), checked again on demand by
 * POST /api/v1/channels/{id}/connect.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/channels.h"
#include "store/queue-gauges.h"
#include "store/stock-queue.h"
#include "sync/connect.h"
#include "sync/pipeline.h"
#include "sync/reconcile.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

sb_err sb_api_channels_sync_status(struct sb_req *r)
{
    int64_t id;
    json_t *status = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_channel_visible(r->db, &r->scope, id);
    if (!err)
        err = sb_store_sync_status(r->db, id, &status);
    json_t *queues = NULL; /* every durable queue the same way (I9, O10) */
    if (!err)
        err = sb_store_queue_status(r->db, id, sb_time_now(), &queues);
    if (!err && json_object_set_new(status, "queues", queues))
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_channel_rt *rt = NULL; /* the adapter's state is the cache's */
    if (!err) {
        /* a channel that cannot be loaded (credentials that do not open) has no connection
         * to show; the rest of its status still is */
        json_t *c = NULL;
        if (sb_channel_load(sb_pipeline_channels(sb_server_pipeline(r->server)), r->db, id,
                            r->arena, &rt) == SB_OK)
            c = sb_sync_connection(rt, r->arena);
        sb_err_clear();
        if (json_object_set_new(status, "connection", c ? c : json_null()))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (err)
        json_decref(status);
    return err ? err : sb_reply(r, 200, status);
}

sb_err sb_api_channels_items(struct sb_req *r)
{
    int64_t id;
    struct sb_page page;
    json_t *rows = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    const char *status = sb_req_query(r, "status");
    if (!err && (!status || strcmp(status, "excluded") != 0))
        err = sb_fail(status ? SB_EINVALID_FIELD : SB_EMISSING_FIELD, "status",
                      "status must be \"excluded\"");
    if (!err)
        err = sb_req_page(r, &page);
    struct sb_channel_record *rec = NULL;
    if (!err)
        err = sb_store_channel_visible(r->db, &r->scope, id);
    if (!err)
        err = sb_store_channel_record(r->db, id, r->arena, &rec);
    if (!err)
        err = sb_store_sync_excluded(r->db, rec, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_channels_reconcile(struct sb_req *r)
{
    int64_t id;
    json_t *report = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_channel_visible(r->db, &r->scope, id);
    if (!err)
        err = sb_sync_reconcile(sb_server_store(r->server),
                                sb_pipeline_channels(sb_server_pipeline(r->server)), id, NULL,
                                &report);
    if (err == SB_EUNAUTHORIZED) {
        /* the channel's credentials were refused, not the caller's token */
        char msg[300];
        snprintf(msg, sizeof(msg), "%s", sb_err_last()->message);
        err = sb_fail(SB_ECONFLICT, "credentials", "%s", msg);
    }
    return err ? err : sb_reply(r, 200, report);
}

sb_err sb_api_channels_connect(struct sb_req *r)
{
    int64_t id;
    json_t *connection = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_channel_visible(r->db, &r->scope, id);
    if (!err)
        err = sb_sync_connect(sb_server_store(r->server),
                              sb_pipeline_channels(sb_server_pipeline(r->server)), id, &connection);
    if (err == SB_EUNAUTHORIZED) {
        /* the channel's credentials were refused, not the caller's token */
        char msg[300];
        snprintf(msg, sizeof(msg), "%s", sb_err_last()->message);
        err = sb_fail(SB_ECONFLICT, "credentials", "%s", msg);
    }
    return err ? err : sb_reply(r, 200, connection ? connection : json_object());
}
