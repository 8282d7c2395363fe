/*
 * API tokens: made, listed, revoked, and looked up for every request that
 * carries one (SEC3). Times are ISO 8601 UTC text, so "expired" is a text
 * comparison with now.
 */
#include "store/tokens.h"
#include "store/channel-log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

#define COLS                                                                  \
    "SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.expires_at," \
    " t.revoked_at, CASE WHEN t.revoked THEN 'revoked'"                       \
    " WHEN t.expires_at IS NOT NULL AND t.expires_at <= ? THEN 'expired'"     \
    " ELSE 'active' END AS state FROM api_tokens t JOIN users u ON u.id = t.user_id"

sb_err sb_store_token_issue(struct sb_db *db, int64_t user_id, const char *name, int64_t expires_at,
                            char out[SB_TOKEN_LEN], int64_t *ret_id)
{
    int64_t now = sb_time_now();
    if (name && strlen(name) > SB_TOKEN_NAME_MAX)
        return sb_fail(SB_EINVALID_FIELD, "name", "a token's name has at most %d characters",
                       SB_TOKEN_NAME_MAX);
    if (expires_at && expires_at <= now)
        return sb_fail(SB_EINVALID_FIELD, "expires_at", "a token's expiry must be in the future");
    char token[SB_TOKEN_LEN], hash[SB_TOKEN_HASH_LEN], at[SB_TIME_LEN], until[SB_TIME_LEN];
    sb_time_format(now, at, sizeof(at));
    if (expires_at)
        sb_time_format(expires_at, until, sizeof(until));
    int64_t active = 0, id = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(db, &active, "SELECT active FROM users WHERE id = ?", "i", user_id);
    if (err == SB_ENOT_FOUND)
        err = sb_fail(SB_EUNKNOWN_REFERENCE, "user_id", "no user %lld", (long long)user_id);
    else if (!err && !active)
        err = sb_fail(SB_ECONFLICT, "user_id",
                      "the user is inactive: reactivate them before making a token");
    if (!err) {
        sb_token_generate(token);
        sb_token_hash(token, hash);
        err = sb_db_int(db, &id,
                        "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)"
                        " VALUES (?, ?, ?, ?, ?) RETURNING id",
                        "issss", user_id, name, hash, at, expires_at ? until : NULL);
    }
    err = sb_db_end(db, err);
    if (!err) {
        memcpy(out, token, SB_TOKEN_LEN);
        if (ret_id)
            *ret_id = id;
    }
    return err;
}

sb_err sb_store_token_create(struct sb_db *db, int64_t user_id, const char *name,
                             char out[SB_TOKEN_LEN])
{
    return sb_store_token_issue(db, user_id, name, 0, out, NULL);
}

sb_err sb_store_token_get(struct sb_db *db, int64_t id, json_t **ret)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_json_one(db, ret, COLS " WHERE t.id = ?", "si", now, id);
    return err == SB_ENOT_FOUND ? sb_fail(err, NULL, "no token %lld", (long long)id) : err;
}

sb_err sb_store_token_list(struct sb_db *db, int64_t user_id, int64_t after, int64_t limit,
                           json_t **ret)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_json_all(db, ret,
                          COLS " WHERE t.id > ? AND (? OR t.user_id = ?) ORDER BY t.id LIMIT ?",
                          "sibii", now, after, user_id == 0, user_id, limit);
}

sb_err sb_store_token_revoke(struct sb_db *db, int64_t id)
{
    char now[SB_TIME_LEN], reason[80];
    sb_time_format(sb_time_now(), now, sizeof(now));
    snprintf(reason, sizeof(reason), "revoked at %s", now);
    int64_t got;
    /* a connection token keeps why it was retired, for its webstore (E1) */
    sb_err err = sb_db_int(db, &got,
                           "UPDATE api_tokens SET revoked = ?,"
                           " revoked_at = COALESCE(revoked_at, ?),"
                           " retired_reason = CASE WHEN channel_id IS NULL THEN NULL"
                           " ELSE COALESCE(retired_reason, ?) END WHERE id = ? RETURNING id",
                           "bssi", true, now, reason, id);
    return err == SB_ENOT_FOUND ? sb_fail(err, NULL, "no token %lld", (long long)id) : err;
}

sb_err sb_store_token_revoke_user(struct sb_db *db, int64_t user_id)
{
    char now[SB_TIME_LEN], reason[120];
    sb_time_format(sb_time_now(), now, sizeof(now));
    snprintf(reason, sizeof(reason), "the user who made the connection was deactivated at %s", now);
    /* the connections it retires, each told in its channel's log (E1) */
    json_t *channels = NULL;
    sb_err err = sb_db_json_all(db, &channels,
                                "SELECT DISTINCT channel_id AS id FROM api_tokens WHERE user_id = ?"
                                " AND NOT revoked AND channel_id IS NOT NULL ORDER BY channel_id",
                                "i", user_id);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE api_tokens SET revoked = ?, revoked_at = ?,"
                         " retired_reason = CASE WHEN channel_id IS NULL THEN NULL ELSE ? END"
                         " WHERE user_id = ? AND NOT revoked",
                         "bssi", true, now, reason, user_id);
    size_t i;
    json_t *row;
    json_array_foreach(channels, i, row)
    {
        if (err)
            break;
        err = sb_store_channel_log(db, json_integer_value(json_object_get(row, "id")), "warn",
                                   "connection.retired", NULL, "the connection was retired: %s",
                                   reason);
    }
    json_decref(channels);
    return err;
}

sb_err sb_store_token_lookup(struct sb_db *db, const char *token, struct sb_scope *ret_scope)
{
    if (!token || strlen(token) >= SB_TOKEN_LEN)
        return sb_fail(SB_EUNAUTHORIZED, NULL, NULL);
    char hash[SB_TOKEN_HASH_LEN], now[SB_TIME_LEN];
    sb_token_hash(token, hash);
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT u.id, u.role, t.channel_id, t.retired_reason,"
                           " NOT t.revoked AND u.active"
                           " AND (t.expires_at IS NULL OR t.expires_at > ?) AS live, t.revoked"
                           " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                           " WHERE t.token_hash = ?",
                           "ss", now, hash);
    if (err)
        return err;
    bool found = sb_q_next(&q), live = found && sb_q_int(&q, 4) != 0;
    int64_t channel_id = found ? sb_q_int(&q, 2) : 0;
    bool retired = found && channel_id && sb_q_int(&q, 5) != 0;
    char reason[SB_TOKEN_REASON_MAX];
    snprintf(reason, sizeof(reason), "%s",
             retired && sb_q_text(&q, 3) ? sb_q_text(&q, 3) : "this connection was retired");
    if (live) {
        ret_scope->user_id = sb_q_int(&q, 0);
        /* E1: a connection token stands for its channel, with no role of a user's */
        ret_scope->role = channel_id ? SB_ROLE_NONE : sb_role_parse(sb_q_text(&q, 1));
        ret_scope->all_outlets = !channel_id && ret_scope->role == SB_ROLE_ADMIN;
        ret_scope->channel_id = channel_id;
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    if (retired) /* E1: its webstore is told why, so that it can tell the merchant */
        return sb_fail(SB_ECONNECTION_RETIRED, NULL, "%s", reason);
    return live ? SB_OK : sb_fail(SB_EUNAUTHORIZED, NULL, NULL);
}
