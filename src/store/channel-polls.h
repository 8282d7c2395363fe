/*
 * When a channel is polled (portable SQL over channels and channel_sync):
 * its cursor and last poll, and which channels are due. How a failed poll
 * backs off is the poll's retry policy (store/stock-queue.h:
 * sb_store_poll_record, core/retry.c).
 */
#ifndef SB_STORE_CHANNEL_POLLS_H
#define SB_STORE_CHANNEL_POLLS_H

#include "store/db.h"

#include <stddef.h>
#include <stdint.h>

/* Records a poll: last_poll_at = now and, when cursor is not NULL, poll_cursor = cursor.
 * SB_ENOT_FOUND for an unknown channel. */
sb_err sb_store_channel_set_cursor(struct sb_db *db, int64_t id, const char *cursor);

/* Enabled channels whose next poll is due at `now` (never polled, or last polled
 * poll_interval_seconds ago or more; after a failed poll, once its backed-off retry time
 * has come, I9) and that download orders, oldest poll first; at most cap ids. Only
 * channels of a kind for which pollable(kind) is true (NULL: every kind): the store does
 * not know which kinds can be polled (an export-model kind is never, E4). */
sb_err sb_store_channel_poll_due(struct sb_db *db, int64_t now, bool (*pollable)(const char *kind),
                                 int64_t *ids, size_t cap, size_t *ret_n);

#endif
