/*
 * The web app's sign-in (issue 5): a user signs in with their password
 * (argon2id), gets a session (a random token in an HttpOnly cookie, kept
 * here only as a hash) and a CSRF token the app sends back on every change.
 * Setting a password ends the user's sessions (SEC3).
 *
 * Failed sign-ins (SEC4) are counted per (client address, user name) and
 * per client address, in fixed windows: five for one name from one address,
 * or twenty for any names from one address, within fifteen minutes, and the
 * next tries from there are refused until the window ends. A name hammered
 * from one address still signs in from another. Each attempt is counted
 * before its password is looked at, so parallel tries cannot slip past; a
 * success takes its own count back. The records are one row per key, rows
 * whose window has passed are deleted, and a hard cap bounds the rest.
 * A name that does not exist costs the same hashing work as a wrong password.
 */
#ifndef SB_STORE_SESSIONS_H
#define SB_STORE_SESSIONS_H

#include "core/scope.h"
#include "store/db.h"
#include "util/secret.h"

#include <stdint.h>

#define SB_SESSION_SECONDS (12 * 3600)

struct sb_sign_in_limits {
    int64_t per_name;    /* failures for one user name from one address in a window */
    int64_t per_address; /* failures for any names from one address in a window */
    int64_t window_secs;
    int64_t max_records; /* rows kept at most; the oldest go first */
};
/* 5, 20, 15 minutes, 10000 */
extern const struct sb_sign_in_limits sb_sign_in_defaults;

/* Sets (or, with NULL, clears) a user's password, and ends the user's sessions. */
sb_err sb_store_user_set_password(struct sb_db *db, int64_t user_id, const char *password);

/* Checks the password of a sign-in from address (the client's, as text); on success a new
 * session: its token (for the cookie) and CSRF token. SB_EINVALID_CREDENTIALS for a wrong
 * name or password (counted), SB_ETOO_MANY when too many failed lately from that address,
 * for that name or for any (*ret_retry_after: seconds until the window ends). limits NULL:
 * sb_sign_in_defaults. */
sb_err sb_store_session_sign_in(struct sb_db *db, const char *username, const char *password,
                                const char *address, const struct sb_sign_in_limits *limits,
                                int64_t *ret_user_id, char token[SB_TOKEN_LEN],
                                char csrf[SB_TOKEN_LEN], int64_t *ret_retry_after);
/* The password check of a sign-in alone, counted by the same limits (the export-model
 * connection signs in this way, E1): *ret_user_id on success, errors as above. Nothing
 * is forgiven: on success the caller calls sb_store_sign_in_forgive in the transaction
 * of what the sign-in was for. */
sb_err sb_store_sign_in_check(struct sb_db *db, const char *username, const char *password,
                              const char *address, const struct sb_sign_in_limits *limits,
                              int64_t *ret_user_id, int64_t *ret_retry_after);
/* A successful sign-in forgets that name's failures from the address and takes its own
 * count back from the address's (in the caller's transaction, if any). */
sb_err sb_store_sign_in_forgive(struct sb_db *db, const char *username, const char *address);
/* The session of a cookie token: who and its CSRF token; SB_EUNAUTHORIZED when unknown,
 * expired, or its user inactive. */
sb_err sb_store_session_lookup(struct sb_db *db, const char *token, struct sb_scope *ret_scope,
                               char csrf[SB_TOKEN_LEN]);
sb_err sb_store_session_delete(struct sb_db *db, const char *token);
/* Ends every session of the user (in the caller's transaction, if any). */
sb_err sb_store_session_end_user(struct sb_db *db, int64_t user_id);

#endif
