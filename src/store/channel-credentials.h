/*
 * A channel's credentials at rest: stored only sealed (util/secretbox.h),
 * opened only for the sync layer's run-time channel. What they must hold is
 * the kind's business, checked above the store against its descriptions
 * (sync/channel-edit.c); here they are sealed and opened, never logged, and
 * the plain text is wiped after use.
 */
#ifndef SB_STORE_CHANNEL_CREDENTIALS_H
#define SB_STORE_CHANNEL_CREDENTIALS_H

#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

/* Seals a credentials object as compact JSON with sorted keys; *ret_sealed malloc'd. */
sb_err sb_store_credentials_seal(json_t *cred, char **ret_sealed);
/* The channel's credentials opened, a new reference: an object, empty when it has none.
 * SB_ENOT_FOUND for an unknown channel; SB_EINTERNAL when they cannot be opened (another
 * key file) or are damaged - the message never holds them. */
sb_err sb_store_channel_credentials(struct sb_db *db, int64_t id, json_t **ret);

#endif
