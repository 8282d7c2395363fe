/*
 * API tokens (SEC3): a bearer token belongs to a user, may expire, and can
 * be revoked. Its secret is shown once, when it is made; only its hash is
 * kept (util/secret.h). A token works while it is not revoked, not expired
 * and its user is active; deactivating a user revokes their tokens for good,
 * so reactivating them revives none.
 */
#ifndef SB_STORE_TOKENS_H
#define SB_STORE_TOKENS_H

#include "core/scope.h"
#include "store/db.h"
#include "util/secret.h"

#include <jansson.h>
#include <stdint.h>

#define SB_TOKEN_NAME_MAX   100
#define SB_TOKEN_REASON_MAX 300 /* a retired connection's reason, as its webstore is told */

/* Makes a token for the user that expires at expires_at (seconds since the epoch; 0:
 * never); the clear token is written to out, its id to *ret_id (may be NULL). An unknown
 * user is SB_EUNKNOWN_REFERENCE (field "user_id"), an inactive one SB_ECONFLICT, an
 * expiry not in the future or a name over SB_TOKEN_NAME_MAX SB_EINVALID_FIELD. */
sb_err sb_store_token_issue(struct sb_db *db, int64_t user_id, const char *name, int64_t expires_at,
                            char out[SB_TOKEN_LEN], int64_t *ret_id);
/* sb_store_token_issue without expiry. */
sb_err sb_store_token_create(struct sb_db *db, int64_t user_id, const char *name,
                             char out[SB_TOKEN_LEN]);
/* One token as listed: id, user_id, username, name, created_at, expires_at, revoked_at and
 * state ("active", "expired" or "revoked"); never its secret or hash. */
sb_err sb_store_token_get(struct sb_db *db, int64_t id, json_t **ret);
/* Tokens in id order after `after`, of one user (user_id 0: everyone's). */
sb_err sb_store_token_list(struct sb_db *db, int64_t user_id, int64_t after, int64_t limit,
                           json_t **ret);
/* Revokes a token at once (revoking a revoked one changes nothing); SB_ENOT_FOUND when
 * there is no such token. */
sb_err sb_store_token_revoke(struct sb_db *db, int64_t id);
/* Revokes every token of the user (in the caller's transaction, if any). */
sb_err sb_store_token_revoke_user(struct sb_db *db, int64_t user_id);
/* The caller a bearer token stands for; SB_EUNAUTHORIZED when it is unknown, revoked,
 * expired or its user inactive. A connection token (E1, store/connections.h) stands for
 * its channel (scope channel_id, no role); a retired one is SB_ECONNECTION_RETIRED with
 * the reason it was retired as the message. Revoking a connection token (one at a time or
 * a deactivated user's) retires it with a reason. */
sb_err sb_store_token_lookup(struct sb_db *db, const char *token, struct sb_scope *ret_scope);

#endif
