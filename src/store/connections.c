/*
 * Export-model connections (connections.h): tokens bound to an export
 * channel. Finding a webstore's channel opens the sealed credentials of the
 * export channels only (there are few, one per webstore); issuing retires the
 * previous connection and makes the new token in one transaction, so two
 * connects at once leave exactly one live token.
 */
#include "store/connections.h"

#include "store/channel-credentials.h"
#include "store/channel-log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

sb_err sb_store_connection_find(struct sb_db *db, const char *webstore_id, int64_t *ret_id)
{
    json_t *ids = NULL;
    sb_err err = sb_db_json_all(db, &ids, "SELECT id FROM channels WHERE kind = ? ORDER BY id", "s",
                                SB_CONNECTION_KIND);
    if (err)
        return err;
    int64_t found = 0;
    size_t i;
    json_t *row;
    json_array_foreach(ids, i, row)
    {
        int64_t id = json_integer_value(json_object_get(row, "id"));
        json_t *cred = NULL;
        err = sb_store_channel_credentials(db, id, &cred);
        if (err)
            break;
        const char *w = json_string_value(json_object_get(cred, "webstore_id"));
        bool same = w && strcmp(w, webstore_id) == 0;
        json_decref(cred);
        if (same) {
            found = id;
            break;
        }
    }
    json_decref(ids);
    if (!err)
        *ret_id = found;
    return err;
}

sb_err sb_store_connection_retire(struct sb_db *db, int64_t channel_id, const char *reason,
                                  int64_t *ret_n)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t n = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(db, &n, "SELECT COUNT(*) FROM api_tokens WHERE channel_id = ? AND NOT revoked",
                    "i", channel_id);
    if (!err && n)
        err = sb_db_exec(db,
                         "UPDATE api_tokens SET revoked = ?, revoked_at = ?, retired_reason = ?"
                         " WHERE channel_id = ? AND NOT revoked",
                         "bssi", true, now, reason, channel_id);
    /* the merchant reads it in the channel's log, as the webstore is told it (E1) */
    if (!err && n)
        err = sb_store_channel_log(db, channel_id, "warn", "connection.retired", NULL,
                                   "the connection was retired: %s", reason);
    err = sb_db_end(db, err);
    if (!err && ret_n)
        *ret_n = n;
    return err;
}

sb_err sb_store_connection_issue(struct sb_db *db, int64_t channel_id, int64_t user_id,
                                 char out[SB_TOKEN_LEN])
{
    char token[SB_TOKEN_LEN], hash[SB_TOKEN_HASH_LEN], now[SB_TIME_LEN],
        reason[SB_CONNECTION_REASON_MAX];
    sb_time_format(sb_time_now(), now, sizeof(now));
    snprintf(reason, sizeof(reason), "replaced by a new connection at %s", now);
    sb_token_generate(token);
    sb_token_hash(token, hash);
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_store_connection_retire(db, channel_id, reason, NULL);
    if (!err)
        err = sb_db_exec(db,
                         "INSERT INTO api_tokens (user_id, name, token_hash, created_at,"
                         " channel_id) VALUES (?, ?, ?, ?, ?)",
                         "isssi", user_id, "connection", hash, now, channel_id);
    err = sb_db_end(db, err);
    if (!err)
        memcpy(out, token, SB_TOKEN_LEN);
    return err;
}

sb_err sb_store_connection_json(struct sb_db *db, int64_t channel_id, json_t **ret)
{
    json_t *live = NULL, *retired = NULL;
    sb_err err = sb_db_json_one(db, &live,
                                "SELECT t.created_at, u.id, u.username FROM api_tokens t"
                                " JOIN users u ON u.id = t.user_id"
                                " WHERE t.channel_id = ? AND NOT t.revoked"
                                " ORDER BY t.id DESC LIMIT 1",
                                "i", channel_id);
    if (err == SB_ENOT_FOUND) {
        sb_err_clear();
        err = SB_OK;
        live = NULL;
    }
    if (!err)
        err = sb_db_json_all(db, &retired,
                             "SELECT revoked_at AS at, retired_reason AS reason FROM api_tokens"
                             " WHERE channel_id = ? AND revoked ORDER BY revoked_at DESC, id DESC"
                             " LIMIT ?",
                             "ii", channel_id, (int64_t)SB_CONNECTION_HISTORY);
    json_t *o = NULL;
    if (!err) {
        json_t *by = live ? json_pack("{s:I,s:O}", "id",
                                      (json_int_t)json_integer_value(json_object_get(live, "id")),
                                      "username", json_object_get(live, "username"))
                          : json_null();
        json_t *at = live ? json_copy(json_object_get(live, "created_at")) : json_null();
        o = by && at ? json_pack("{s:o,s:o,s:o}", "connected_at", at, "connected_by", by, "retired",
                                 retired)
                     : NULL;
        if (!o)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        else
            retired = NULL;
    }
    json_decref(live);
    json_decref(retired);
    if (!err)
        *ret = o;
    return err;
}

sb_err sb_store_connection_missing(struct sb_db *db, int64_t channel_id, json_t **ret)
{
    int64_t locations = 0, employee = 0, reg = 0;
    sb_err err =
        sb_db_int(db, &locations, "SELECT COUNT(*) FROM channel_locations WHERE channel_id = ?",
                  "i", channel_id);
    if (!err)
        err = sb_db_int(db, &employee, "SELECT COALESCE(employee_id, 0) FROM channels WHERE id = ?",
                        "i", channel_id);
    if (!err)
        err = sb_db_int(db, &reg, "SELECT COALESCE(register_id, 0) FROM channels WHERE id = ?", "i",
                        channel_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no channel %lld", (long long)channel_id);
    if (err)
        return err;
    json_t *a = json_array();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int bad = 0;
    if (!locations)
        bad |= json_array_append_new(a, json_string("no location is mapped to an outlet"));
    if (!employee)
        bad |= json_array_append_new(a, json_string("no employee"));
    if (!reg)
        bad |= json_array_append_new(a, json_string("no register"));
    if (bad) {
        json_decref(a);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    *ret = a;
    return SB_OK;
}

/* Each outlet with its registers under "registers", both by id. */
static sb_err choice_outlets(struct sb_db *db, json_t **ret)
{
    json_t *outlets = NULL, *regs = NULL;
    sb_err err = sb_db_json_all(db, &outlets, "SELECT id, name FROM outlets ORDER BY id", NULL);
    if (!err)
        err = sb_db_json_all(
            db, &regs, "SELECT id, outlet_id, name FROM registers ORDER BY outlet_id, id", NULL);
    size_t i, k;
    json_t *o, *g;
    json_array_foreach(outlets, i, o)
    {
        json_t *list = json_array();
        if (err || !list || json_object_set_new(o, "registers", list)) {
            err = err ? err : sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        json_int_t id = json_integer_value(json_object_get(o, "id"));
        json_array_foreach(regs, k, g)
        {
            if (json_integer_value(json_object_get(g, "outlet_id")) != id)
                continue;
            if (json_array_append_new(list, json_pack("{s:O,s:O}", "id", json_object_get(g, "id"),
                                                      "name", json_object_get(g, "name")))) {
                err = sb_fail(SB_ENOMEM, NULL, NULL);
                break;
            }
        }
    }
    json_decref(regs);
    if (err) {
        json_decref(outlets);
        return err;
    }
    *ret = outlets;
    return SB_OK;
}

sb_err sb_store_connection_choices(struct sb_db *db, json_t **ret)
{
    json_t *outlets = NULL, *employees = NULL, *levels = NULL;
    sb_err err = choice_outlets(db, &outlets);
    if (!err)
        err = sb_db_json_all(db, &employees,
                             "SELECT e.id, e.name,"
                             " (SELECT u.username FROM users u WHERE u.employee_id = e.id"
                             "   AND u.active ORDER BY u.id LIMIT 1) AS username,"
                             " (SELECT u.role FROM users u WHERE u.employee_id = e.id"
                             "   AND u.active ORDER BY u.id LIMIT 1) AS role"
                             " FROM employees e WHERE e.active ORDER BY e.id",
                             NULL);
    if (!err)
        err = sb_db_json_all(db, &levels, "SELECT id, name FROM price_levels ORDER BY id", NULL);
    json_t *doc = NULL;
    if (!err) {
        doc = json_pack("{s:o,s:o,s:o}", "outlets", outlets, "employees", employees, "price_levels",
                        levels);
        outlets = employees = levels = NULL;
        if (!doc)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_decref(outlets);
    json_decref(employees);
    json_decref(levels);
    if (!err)
        *ret = doc;
    return err;
}
