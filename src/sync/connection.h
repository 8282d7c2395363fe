/*
 * The export-model connection (SPEC E1) above the store: connecting makes or
 * finds the webstore's export channel (through the channel checks of
 * sync/channel-edit.h, as any channel is made) and issues its token, in one
 * transaction; the readiness check the connection routes call before they
 * serve a webstore (catalogue, orders) lives here too.
 */
#ifndef SB_SYNC_CONNECTION_H
#define SB_SYNC_CONNECTION_H

#include "store/connections.h"
#include "store/db.h"
#include "util/secret.h"

#include <jansson.h>
#include <stdint.h>

/* After the sign-in was checked (user_id, an admin or manager): in one transaction, the
 * sign-in's failures forgiven (username from address), the export channel whose webstore_id
 * is this one found or made (named name, or "Webstore <webstore_id>" when name is NULL),
 * every other connection of it retired, and a new token issued to out. */
sb_err sb_sync_connection_open(struct sb_db *db, int64_t user_id, const char *username,
                               const char *address, const char *webstore_id, const char *name,
                               char out[SB_TOKEN_LEN], int64_t *ret_channel_id);

/* E1: SB_OK when the channel's connection is complete; otherwise SB_ECONNECTION_INCOMPLETE
 * with the reasons in the message, and *ret_missing (may be NULL; a new reference, set
 * only then) the reasons as a JSON array (sb_store_connection_missing). The connection
 * routes that serve a webstore call it first. */
sb_err sb_sync_connection_ready(struct sb_db *db, int64_t channel_id, json_t **ret_missing);

#endif
