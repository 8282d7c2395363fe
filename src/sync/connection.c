/*
 * Connecting an export-model webstore (connection.h): the channel is made as
 * every channel is (sync/channel-edit.c checks it against its kind) and the
 * token issued in the same transaction, so a failure leaves neither.
 */
#include "sync/connection.h"

#include "store/channel-log.h"
#include "store/sessions.h"
#include "store/store.h"
#include "sync/channel-edit.h"

#include <stdio.h>
#include <string.h>

static sb_err make_channel(struct sb_db *db, const char *webstore_id, const char *name,
                           int64_t *ret_id)
{
    char dflt[SB_CONNECTION_WEBSTORE_MAX + 16];
    snprintf(dflt, sizeof(dflt), "Webstore %s", webstore_id);
    json_t *cred = json_pack("{s:s}", "webstore_id", webstore_id);
    /* nothing is sent to an inbound channel: the stock lane has nothing to queue for it */
    json_t *settings = json_pack("{s:b}", "stock_sync", 0);
    sb_err err = cred && settings ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_channel_input in = {
        .kind = SB_CONNECTION_KIND,
        .name = name ? name : dflt,
        .name_set = true,
        .settings = settings,
        .credentials = cred,
        .credentials_set = true,
    };
    if (!err)
        err = sb_sync_channel_create(db, &in, ret_id);
    json_decref(cred);
    json_decref(settings);
    return err;
}

struct open_job {
    int64_t user_id;
    const char *username, *address, *webstore_id, *name;
    char *out;
    int64_t channel_id;
};

static sb_err open_in(struct sb_db *db, void *ctx)
{
    struct open_job *j = ctx;
    sb_err err = sb_store_sign_in_forgive(db, j->username, j->address);
    if (!err)
        err = sb_store_connection_find(db, j->webstore_id, &j->channel_id);
    if (!err && !j->channel_id)
        err = make_channel(db, j->webstore_id, j->name, &j->channel_id);
    if (!err)
        err = sb_store_connection_issue(db, j->channel_id, j->user_id, j->out);
    if (!err)
        err = sb_store_channel_log(db, j->channel_id, "info", "connection.connected", NULL,
                                   "connected by %s (E1)", j->username);
    return err;
}

sb_err sb_sync_connection_open(struct sb_db *db, int64_t user_id, const char *username,
                               const char *address, const char *webstore_id, const char *name,
                               char out[SB_TOKEN_LEN], int64_t *ret_channel_id)
{
    struct open_job j = { .user_id = user_id,
                          .username = username,
                          .address = address,
                          .webstore_id = webstore_id,
                          .name = name,
                          .out = out };
    sb_err err = sb_store_transaction(db, open_in, &j);
    if (!err)
        *ret_channel_id = j.channel_id;
    return err;
}

sb_err sb_sync_connection_ready(struct sb_db *db, int64_t channel_id, json_t **ret_missing)
{
    json_t *missing = NULL;
    sb_err err = sb_store_connection_missing(db, channel_id, &missing);
    if (err)
        return err;
    size_t n = json_array_size(missing);
    if (!n) {
        json_decref(missing);
        return SB_OK;
    }
    char msg[256];
    size_t len = 0;
    msg[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(msg + len, sizeof(msg) - len, "%s%s", i ? ", " : "",
                         json_string_value(json_array_get(missing, i)));
        if (w < 0 || (size_t)w >= sizeof(msg) - len)
            break;
        len += (size_t)w;
    }
    if (ret_missing)
        *ret_missing = missing;
    else
        json_decref(missing);
    return sb_fail(SB_ECONNECTION_INCOMPLETE, NULL, "the connection is incomplete: %s", msg);
}
