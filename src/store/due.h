/*
 * Which channels have work due, per background lane (portable SQL): recorded
 * webstore events to apply, outbox calls to send, channels to reconcile. The
 * lanes work each channel on a thread of its own, so that a shop that stops
 * answering holds up only its own channel: they first ask which channels have
 * something due here, then take one channel's rows, oldest first, from the
 * queue's own file (channel-events.h, outbox.h).
 */
#ifndef SB_STORE_DUE_H
#define SB_STORE_DUE_H

#include "store/db.h"

#include <stddef.h>
#include <stdint.h>

/* Channels with events pending and due at now (ISO 8601 UTC), lowest id first. */
sb_err sb_store_events_due_channels(struct sb_db *db, const char *now, int64_t *ids, size_t cap,
                                    size_t *ret_n);
/* Channels with outbox calls pending and due at now, lowest id first. */
sb_err sb_store_calls_due_channels(struct sb_db *db, const char *now, int64_t *ids, size_t cap,
                                   size_t *ret_n);
/* Enabled channels not reconciled since `before` (ISO 8601 UTC), lowest id first (I5). */
sb_err sb_store_reconcile_due_channels(struct sb_db *db, const char *before, int64_t *ids,
                                       size_t cap, size_t *ret_n);

#endif
