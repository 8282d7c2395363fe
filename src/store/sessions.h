/*
 * The web app's sign-in (issue 5): a user signs in with their password
 * (argon2id), gets a session (a random token in an HttpOnly cookie, kept
 * here only as a hash) and a CSRF token the app sends back on every change.
 * Failed sign-ins are counted per user name: five in fifteen minutes and the
 * next tries are refused until the oldest ages out.
 */
#ifndef SB_STORE_SESSIONS_H
#define SB_STORE_SESSIONS_H

#include "core/scope.h"
#include "store/db.h"
#include "util/secret.h"

#include <stdint.h>

#define SB_SESSION_SECONDS     (12 * 3600)
#define SB_SIGN_IN_MAX_FAILS   5
#define SB_SIGN_IN_WINDOW_SECS (15 * 60)

/* Sets (or, with NULL, clears) a user's password. */
sb_err sb_store_user_set_password(struct sb_db *db, int64_t user_id, const char *password);

/* Checks the password; on success a new session: its token (for the cookie) and CSRF
 * token. SB_EINVALID_CREDENTIALS for a wrong name or password (recorded), SB_ETOO_MANY when
 * too many failed lately (*ret_retry_after: seconds until the next try is taken). */
sb_err sb_store_session_sign_in(struct sb_db *db, const char *username, const char *password,
                                int64_t *ret_user_id, char token[SB_TOKEN_LEN],
                                char csrf[SB_TOKEN_LEN], int64_t *ret_retry_after);
/* The session of a cookie token: who and its CSRF token; SB_EUNAUTHORIZED when unknown,
 * expired, or its user inactive. */
sb_err sb_store_session_lookup(struct sb_db *db, const char *token, struct sb_scope *ret_scope,
                               char csrf[SB_TOKEN_LEN]);
sb_err sb_store_session_delete(struct sb_db *db, const char *token);

#endif
