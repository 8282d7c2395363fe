/*
 * Users and their outlet access. Their API tokens are in store/tokens.h
 * (included here, as the callers that make users make tokens too).
 */
#ifndef SB_STORE_USERS_H
#define SB_STORE_USERS_H

#include "core/scope.h"
#include "core/user.h"
#include "store/db.h"
#include "store/tokens.h"

/* Creates the user and its outlet list in one transaction. Unknown outlets or
 * employee: SB_EUNKNOWN_REFERENCE; a taken username: SB_EDUPLICATE. */
sb_err sb_store_user_create(struct sb_db *db, const struct sb_user *u, int64_t *ret_id);
/* Deactivating (active false) also ends the user's sessions and revokes their tokens, in the
 * same transaction. */
sb_err sb_store_user_update(struct sb_db *db, int64_t id, const struct sb_user *u);
/* The user with "outlet_ids": [..]. */
sb_err sb_store_user_get(struct sb_db *db, int64_t id, json_t **ret);
sb_err sb_store_user_list(struct sb_db *db, int64_t after, int64_t limit, json_t **ret);
/* As sb_store_user_list, each row with "outlet_ids" as in sb_store_user_get. */
sb_err sb_store_user_list_full(struct sb_db *db, int64_t after, int64_t limit, json_t **ret);
/* sb_store_user_update on behalf of actor_id, in one transaction with the admin guard
 * (sb_user_check_admin_change): SB_ENOT_FOUND for an unknown user, SB_ECONFLICT when
 * the change would demote or deactivate the actor or the last active admin. */
sb_err sb_store_user_update_guarded(struct sb_db *db, int64_t actor_id, int64_t id,
                                    const struct sb_user *u);
sb_err sb_store_user_find(struct sb_db *db, const char *username, int64_t *ret_id);
/* The user's role; SB_ENOT_FOUND for no such user. */
sb_err sb_store_user_role(struct sb_db *db, int64_t id, enum sb_role *ret);
/* Whether the user's outlets include the outlet (what a user who is not an admin may
 * work at). */
sb_err sb_store_user_has_outlet(struct sb_db *db, int64_t user_id, int64_t outlet_id, bool *ret);
/* GET /api/v1/me: the scope's user (id, username, name, email, role, employee_id) with
 * "outlets": those the scope may see (id, name, currency, timezone), by id. */
sb_err sb_store_user_me(struct sb_db *db, const struct sb_scope *scope, json_t **ret);

#endif
