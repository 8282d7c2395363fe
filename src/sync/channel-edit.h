/*
 * Creating and changing channels above the store: what the API (and the demo
 * data) send is first checked against the descriptions of the channel's kind
 * - the common settings and the kind's own (unknown names refused against
 * that union), its credentials (unknown, missing and malformed ones refused)
 * - and then handed to the store, which applies the rules that need the
 * database, seals the credentials and stores (store/channels.h). Records read
 * back get the kind's setting defaults filled in.
 */
#ifndef SB_SYNC_CHANNEL_EDIT_H
#define SB_SYNC_CHANNEL_EDIT_H

#include "store/channels.h"

/* Errors name the field as the store's do ("kind": no adapter for it; "settings.<name>";
 * "credentials.<name>"), and nothing is written when there is one. */
sb_err sb_sync_channel_create(struct sb_db *db, const struct sb_channel_input *in, int64_t *ret_id);
sb_err sb_sync_channel_update(struct sb_db *db, int64_t id, const struct sb_channel_input *in);

/* sb_store_channel_get and _list, with the kind's settings at their defaults where the
 * record has none. */
sb_err sb_sync_channel_get(struct sb_db *db, int64_t id, json_t **ret);
sb_err sb_sync_channel_list(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                            int64_t limit, json_t **ret);

#endif
