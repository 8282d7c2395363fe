/*
 * A channel's sync log (portable SQL over channel_log): what the engine did
 * and why, for staff (O10) - polls, pushes, retries, failures, changes to the
 * channel's record. Never a secret in it.
 */
#ifndef SB_STORE_CHANNEL_LOG_H
#define SB_STORE_CHANNEL_LOG_H

#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

/* Appends to the channel's sync log. level: "info", "warn" or "error". The message is
 * truncated at 1000 bytes. Never put a secret in it. SB_ENOT_FOUND for an unknown
 * channel. */
sb_err sb_store_channel_log(struct sb_db *db, int64_t channel_id, const char *level,
                            const char *event, const char *external_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The sync log, newest first: rows older than `before` (0: from the newest). A channel the
 * caller cannot see is SB_ENOT_FOUND (store/channels.h: sb_store_channel_visible). */
sb_err sb_store_channel_log_list(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 int64_t before, int64_t limit, json_t **ret);

#endif
