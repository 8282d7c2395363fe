/*
 * What the pipeline's background lanes have due, per channel (portable SQL):
 * recorded webstore events to apply, outbox calls to send, channels to
 * reconcile. The lanes work each channel on a thread of its own, so that a
 * shop that stops answering holds up only its own channel: they first ask
 * which channels have something due, then take one channel's rows, oldest
 * first.
 */
#ifndef SB_STORE_DUE_H
#define SB_STORE_DUE_H

#include "store/db.h"

#include <stddef.h>
#include <stdint.h>

/* A recorded event to apply; the strings are malloc'd (sb_due_event_clear). */
struct sb_due_event {
    int64_t id, channel_id, attempts;
    char *topic, *order_ref, *body; /* order_ref may be NULL */
};

/* An outbox call to send; the strings are malloc'd (sb_due_call_clear). */
struct sb_due_call {
    int64_t id, channel_id, attempts;
    char *kind, *ref, *payload;
};

/* Channels with events pending and due at now (ISO 8601 UTC), lowest id first. */
sb_err sb_store_events_due_channels(struct sb_db *db, const char *now, int64_t *ids, size_t cap,
                                    size_t *ret_n);
/* Up to cap of the channel's due events, oldest first. */
sb_err sb_store_events_due(struct sb_db *db, int64_t channel_id, const char *now,
                           struct sb_due_event *out, size_t cap, size_t *ret_n);
void sb_due_event_clear(struct sb_due_event *e);

/* Channels with outbox calls pending and due at now, lowest id first. */
sb_err sb_store_calls_due_channels(struct sb_db *db, const char *now, int64_t *ids, size_t cap,
                                   size_t *ret_n);
/* Up to cap of the channel's due outbox calls, oldest first. */
sb_err sb_store_calls_due(struct sb_db *db, int64_t channel_id, const char *now,
                          struct sb_due_call *out, size_t cap, size_t *ret_n);
void sb_due_call_clear(struct sb_due_call *c);

/* Enabled channels not reconciled since `before` (ISO 8601 UTC), lowest id first (I5). */
sb_err sb_store_reconcile_due_channels(struct sb_db *db, const char *before, int64_t *ids,
                                       size_t cap, size_t *ret_n);

#endif
