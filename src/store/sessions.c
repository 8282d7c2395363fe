/*
 * Sessions and sign-in (see sessions.h): passwords, the failed-attempt
 * counters that hold off guessing (SEC4), and the sessions a password
 * change or a deactivation ends (SEC3).
 */
#include "store/sessions.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

const struct sb_sign_in_limits sb_sign_in_defaults = {
    .per_name = 5,
    .per_address = 20,
    .window_secs = 15 * 60,
    .max_records = 10000,
};

/* The counter of every name from an address is the row with the empty name (a sign-in
 * never has an empty name). */
#define ANY_NAME ""

sb_err sb_store_user_set_password(struct sb_db *db, int64_t user_id, const char *password)
{
    char hash[SB_PASSWORD_HASH_LEN];
    if (password) {
        sb_err err = sb_password_hash(password, hash);
        if (err)
            return err;
    }
    int64_t id;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(db, &id, "UPDATE users SET password_hash = ? WHERE id = ? RETURNING id", "si",
                    password ? hash : NULL, user_id);
    if (err == SB_ENOT_FOUND)
        err = sb_fail(err, NULL, "no user %lld", (long long)user_id);
    if (!err) /* SEC3: whoever knew the old password is signed out */
        err = sb_store_session_end_user(db, user_id);
    return sb_db_end(db, err);
}

sb_err sb_store_session_end_user(struct sb_db *db, int64_t user_id)
{
    return sb_db_exec(db, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);
}

/* Counts one attempt for (address, username) in its window; *ret_count is the count with
 * it, *ret_window_start when the window began. A window that has passed starts again. */
static sb_err count_attempt(struct sb_db *db, const char *address, const char *username,
                            const char *now, const char *since, int64_t *ret_count,
                            int64_t *ret_window_start)
{
    struct sb_q q;
    sb_err err = sb_q_open(
        &q, db,
        "INSERT INTO sign_in_throttle (address, username, failures, window_start, last_at)"
        " VALUES (?, ?, 1, ?, ?) ON CONFLICT (address, username) DO UPDATE SET"
        " failures = CASE WHEN sign_in_throttle.window_start <= ? THEN 1"
        " ELSE sign_in_throttle.failures + 1 END,"
        " window_start = CASE WHEN sign_in_throttle.window_start <= ?"
        " THEN excluded.window_start ELSE sign_in_throttle.window_start END,"
        " last_at = excluded.last_at RETURNING failures, window_start",
        "ssssss", address, username, now, now, since, since);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        *ret_count = sb_q_int(&q, 0);
        if (!sb_q_text(&q, 1) || !sb_time_parse(sb_q_text(&q, 1), ret_window_start))
            *ret_window_start = 0;
    }
    return sb_q_close(&q);
}

/* Deletes the records whose window has passed, then the oldest beyond the cap. */
static sb_err prune(struct sb_db *db, const char *since, int64_t max_records)
{
    int64_t rows = 0;
    sb_err err = sb_db_exec(db, "DELETE FROM sign_in_throttle WHERE last_at <= ?", "s", since);
    if (!err)
        err = sb_db_int(db, &rows, "SELECT COUNT(*) FROM sign_in_throttle", NULL);
    if (!err && rows > max_records)
        err = sb_db_exec(db,
                         "DELETE FROM sign_in_throttle WHERE (address, username) IN"
                         " (SELECT address, username FROM sign_in_throttle"
                         " ORDER BY last_at, address, username LIMIT ?)",
                         "i", rows - max_records);
    return err;
}

/*
 * Counts the attempt before its password is looked at, in one short transaction (not
 * held while hashing): per address first, so an address held off makes no more rows, then
 * per (address, name). SB_ETOO_MANY when either is over its limit.
 */
static sb_err reserve_attempt(struct sb_db *db, const char *address, const char *username,
                              const struct sb_sign_in_limits *lim, int64_t now,
                              int64_t *ret_retry_after)
{
    char at[SB_TIME_LEN], since[SB_TIME_LEN];
    sb_time_format(now, at, sizeof(at));
    sb_time_format(now - lim->window_secs, since, sizeof(since));
    int64_t count = 0, start = now;
    const char *over = NULL;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = count_attempt(db, address, ANY_NAME, at, since, &count, &start);
    if (!err && count > lim->per_address)
        over = "from this address";
    if (!err && !over) {
        err = count_attempt(db, address, username, at, since, &count, &start);
        if (!err && count > lim->per_name)
            over = "for this user from this address";
    }
    if (!err)
        err = prune(db, since, lim->max_records);
    err = sb_db_end(db, err);
    if (err || !over)
        return err;
    int64_t wait = start + lim->window_secs - now;
    *ret_retry_after = wait > 0 ? wait : 1;
    return sb_fail(SB_ETOO_MANY, NULL, "too many failed sign-ins %s: try again in %lld s", over,
                   (long long)*ret_retry_after);
}

/* The user's id and password hash ("" when none), for an active user; 0 when no such. */
static sb_err find_user(struct sb_db *db, const char *username, int64_t *ret_id,
                        char hash[SB_PASSWORD_HASH_LEN])
{
    struct sb_q q;
    *ret_id = 0;
    hash[0] = '\0';
    sb_err err = sb_q_open(
        &q, db, "SELECT id, password_hash FROM users WHERE username = ? AND active", "s", username);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        *ret_id = sb_q_int(&q, 0);
        if (sb_q_text(&q, 1))
            snprintf(hash, SB_PASSWORD_HASH_LEN, "%s", sb_q_text(&q, 1));
    }
    return sb_q_close(&q);
}

sb_err sb_store_sign_in_check(struct sb_db *db, const char *username, const char *password,
                              const char *address, const struct sb_sign_in_limits *limits,
                              int64_t *ret_user_id, int64_t *ret_retry_after)
{
    const struct sb_sign_in_limits *lim = limits ? limits : &sb_sign_in_defaults;
    int64_t now = sb_time_now(), user_id = 0;
    char hash[SB_PASSWORD_HASH_LEN];
    *ret_retry_after = 0;
    /* the stand-in hash is made by the process's first sign-in, whoever it names, so that
     * making it tells nothing either */
    (void)sb_password_dummy_hash();
    sb_err err = reserve_attempt(db, address, username, lim, now, ret_retry_after);
    if (!err)
        err = find_user(db, username, &user_id, hash);
    if (err)
        return err;
    /* the same argon2id work whether or not the user exists, is active or has a password */
    bool ok = false;
    if (user_id && hash[0])
        ok = sb_password_verify(hash, password);
    else
        sb_password_verify_dummy(password);
    if (!ok)
        return sb_fail(SB_EINVALID_CREDENTIALS, NULL, "wrong user name or password");
    *ret_user_id = user_id;
    return SB_OK;
}

sb_err sb_store_sign_in_forgive(struct sb_db *db, const char *username, const char *address)
{
    /* a success forgets this name's failures from the address and takes its own count back
     * from the address's */
    sb_err err = sb_db_exec(db, "DELETE FROM sign_in_throttle WHERE address = ? AND username = ?",
                            "ss", address, username);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sign_in_throttle SET failures = failures - 1"
                         " WHERE address = ? AND username = ? AND failures > 0",
                         "ss", address, ANY_NAME);
    return err;
}

sb_err sb_store_session_sign_in(struct sb_db *db, const char *username, const char *password,
                                const char *address, const struct sb_sign_in_limits *limits,
                                int64_t *ret_user_id, char token[SB_TOKEN_LEN],
                                char csrf[SB_TOKEN_LEN], int64_t *ret_retry_after)
{
    int64_t user_id = 0;
    sb_err err =
        sb_store_sign_in_check(db, username, password, address, limits, &user_id, ret_retry_after);
    if (err)
        return err;
    int64_t now = sb_time_now();
    sb_token_generate(token);
    sb_token_generate(csrf);
    char token_hash[SB_TOKEN_HASH_LEN], at[SB_TIME_LEN], until[SB_TIME_LEN];
    sb_token_hash(token, token_hash);
    sb_time_format(now, at, sizeof(at));
    sb_time_format(now + SB_SESSION_SECONDS, until, sizeof(until));
    if ((err = sb_db_begin(db)))
        return err;
    err =
        sb_db_exec(db,
                   "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   "sisss", token_hash, user_id, csrf, at, until);
    if (!err)
        err = sb_store_sign_in_forgive(db, username, address);
    /* expired sessions go */
    if (!err)
        err = sb_db_exec(db, "DELETE FROM sessions WHERE expires_at <= ?", "s", at);
    err = sb_db_end(db, err);
    if (!err)
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
                           " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active",
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
