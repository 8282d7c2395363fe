/*
 * The export-model connection (SPEC E1) as the store keeps it: a connection
 * is an API token bound to its export channel (api_tokens.channel_id), made
 * by the admin or manager who connected (user_id, kept for the record). At
 * most one is live per channel: connecting again retires the others at once,
 * and a retired token keeps why (retired_reason), which is what its webstore
 * is told when it next calls. Finding a webstore's channel, issuing, retiring
 * and describing connections live here; the sign-in check and the channel
 * itself are other modules' (store/sessions.h, sync/channel-edit.h).
 */
#ifndef SB_STORE_CONNECTIONS_H
#define SB_STORE_CONNECTIONS_H

#include "store/db.h"
#include "util/secret.h"

#include <jansson.h>
#include <stdint.h>

/* The kind name of export-model channels, as channels.kind spells it. */
#define SB_CONNECTION_KIND         "export"
#define SB_CONNECTION_REASON_MAX   300
#define SB_CONNECTION_HISTORY      10 /* retired connections shown */
#define SB_CONNECTION_WEBSTORE_MAX 100

/* The export channel whose credentials' webstore_id is webstore_id, or 0 in *ret_id. */
sb_err sb_store_connection_find(struct sb_db *db, const char *webstore_id, int64_t *ret_id);

/* Retires every live connection token of the channel (revoked, with reason); *ret_n (may
 * be NULL) how many. In the caller's transaction, if any. */
sb_err sb_store_connection_retire(struct sb_db *db, int64_t channel_id, const char *reason,
                                  int64_t *ret_n);

/* A new connection token for the channel, made by user_id: the clear token to out (shown
 * once). The others are retired first, "replaced by a new connection at <time>". */
sb_err sb_store_connection_issue(struct sb_db *db, int64_t channel_id, int64_t user_id,
                                 char out[SB_TOKEN_LEN]);

/* How the channel's connection stands, for admins: {connected_at, connected_by {id,
 * username}} of the live token (nulls when none) and retired [{at, reason}], the last
 * SB_CONNECTION_HISTORY, newest first. */
sb_err sb_store_connection_json(struct sb_db *db, int64_t channel_id, json_t **ret);

/* E1: what the channel's connection lacks before it can be used, as a JSON array of
 * reasons (empty: ready): "no location is mapped to an outlet", "no employee",
 * "no register". */
sb_err sb_store_connection_missing(struct sb_db *db, int64_t channel_id, json_t **ret);

/* What a webstore chooses from to complete its connection (GET /api/v1/connection/choices):
 * {"outlets": [{id, name, registers: [{id, name}]}], "employees": [{id, name, username,
 * role}] (the active employees; username and role those of the active user tied to the
 * employee, null when none), "price_levels": [{id, name}]}, each list by id. */
sb_err sb_store_connection_choices(struct sb_db *db, json_t **ret);

#endif
