#include "store/sessions.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

sb_err sb_store_user_set_password(struct sb_db *db, int64_t user_id, const char *password)
{
    char hash[SB_PASSWORD_HASH_LEN];
    if (password) {
        sb_err err = sb_password_hash(password, hash);
        if (err)
            return err;
    }
    int64_t id;
    sb_err err = sb_db_int(db, &id, "UPDATE users SET password_hash = ? WHERE id = ? RETURNING id",
                           "si", password ? hash : NULL, user_id);
    return err == SB_ENOT_FOUND ? sb_fail(err, NULL, "no user %lld", (long long)user_id) : err;
}

static sb_err record_failure(struct sb_db *db, const char *username)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db, "INSERT INTO sign_in_failures (username, at) VALUES (?, ?)", "ss",
                      username, now);
}

sb_err sb_store_session_sign_in(struct sb_db *db, const char *username, const char *password,
                                int64_t *ret_user_id, char token[SB_TOKEN_LEN],
                                char csrf[SB_TOKEN_LEN], int64_t *ret_retry_after)
{
    int64_t now = sb_time_now(), fails = 0;
    char since[SB_TIME_LEN];
    sb_time_format(now - SB_SIGN_IN_WINDOW_SECS, since, sizeof(since));
    *ret_retry_after = 0;
    sb_err err =
        sb_db_int(db, &fails, "SELECT COUNT(*) FROM sign_in_failures WHERE username = ? AND at > ?",
                  "ss", username, since);
    if (err)
        return err;
    if (fails >= SB_SIGN_IN_MAX_FAILS) {
        /* refused without looking at the password: guessing stops paying */
        struct sb_q q;
        int64_t oldest = now;
        if (!(err = sb_q_open(&q, db,
                              "SELECT at FROM sign_in_failures WHERE username = ? AND at > ?"
                              " ORDER BY at DESC LIMIT 1 OFFSET ?",
                              "ssi", username, since, (int64_t)(SB_SIGN_IN_MAX_FAILS - 1)))) {
            if (sb_q_next(&q) && sb_q_text(&q, 0))
                (void)sb_time_parse(sb_q_text(&q, 0), &oldest);
            err = sb_q_close(&q);
        }
        if (err)
            return err;
        int64_t wait = oldest + SB_SIGN_IN_WINDOW_SECS - now;
        *ret_retry_after = wait > 0 ? wait : 1;
        return sb_fail(SB_ETOO_MANY, NULL,
                       "too many failed sign-ins for this user: try again in %lld s",
                       (long long)*ret_retry_after);
    }
    struct sb_q q;
    int64_t user_id = 0;
    char hash[SB_PASSWORD_HASH_LEN] = "";
    if ((err = sb_q_open(&q, db,
                         "SELECT id, password_hash FROM users WHERE username = ? AND active = 1",
                         "s", username)))
        return err;
    if (sb_q_next(&q)) {
        user_id = sb_q_int(&q, 0);
        if (sb_q_text(&q, 1))
            snprintf(hash, sizeof(hash), "%s", sb_q_text(&q, 1));
    }
    if ((err = sb_q_close(&q)))
        return err;
    if (!user_id || !hash[0] || !sb_password_verify(hash, password)) {
        if ((err = record_failure(db, username)))
            return err;
        return sb_fail(SB_EINVALID_CREDENTIALS, NULL, "wrong user name or password");
    }
    sb_token_generate(token);
    sb_token_generate(csrf);
    char token_hash[SB_TOKEN_HASH_LEN], at[SB_TIME_LEN], until[SB_TIME_LEN];
    sb_token_hash(token, token_hash);
    sb_time_format(now, at, sizeof(at));
    sb_time_format(now + SB_SESSION_SECONDS, until, sizeof(until));
    err =
        sb_db_exec(db,
                   "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   "sisss", token_hash, user_id, csrf, at, until);
    if (!err) /* a success forgets the failures; expired sessions go */
        err = sb_db_exec(db, "DELETE FROM sign_in_failures WHERE username = ?", "s", username);
    if (!err)
        err = sb_db_exec(db, "DELETE FROM sessions WHERE expires_at <= ?", "s", at);
    *ret_user_id = user_id;
    return err;
}

sb_err sb_store_session_lookup(struct sb_db *db, const char *token, struct sb_scope *ret_scope,
                               char csrf[SB_TOKEN_LEN])
{
    if (!token || strlen(token) >= SB_TOKEN_LEN)
        return sb_fail(SB_EUNAUTHORIZED, NULL, NULL);
    char hash[SB_TOKEN_HASH_LEN], now[SB_TIME_LEN];
    sb_token_hash(token, hash);
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT u.id, u.role, s.csrf_token FROM sessions s"
                           " JOIN users u ON u.id = s.user_id"
                           " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1",
                           "ss", hash, now);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    if (found) {
        ret_scope->user_id = sb_q_int(&q, 0);
        ret_scope->role = sb_role_parse(sb_q_text(&q, 1));
        ret_scope->all_outlets = ret_scope->role == SB_ROLE_ADMIN;
        snprintf(csrf, SB_TOKEN_LEN, "%s", sb_q_text(&q, 2));
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    return found ? SB_OK : sb_fail(SB_EUNAUTHORIZED, NULL, "not signed in, or the session ended");
}

sb_err sb_store_session_delete(struct sb_db *db, const char *token)
{
    char hash[SB_TOKEN_HASH_LEN];
    sb_token_hash(token, hash);
    return sb_db_exec(db, "DELETE FROM sessions WHERE token_hash = ?", "s", hash);
}
