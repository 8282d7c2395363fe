/*
 * The channel events table (portable SQL): every webhook a channel sent,
 * recorded once (unique on channel and event id, O2) and applied by the
 * pipeline, or kept pending with its attempts and next try (the events
 * queue's retry policy, core/retry.c), or failed for good with why (O10).
 */
#ifndef SB_STORE_CHANNEL_EVENTS_H
#define SB_STORE_CHANNEL_EVENTS_H

#include "store/db.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An event to record. */
struct sb_event_record {
    int64_t channel_id;
    const char *event_id, *topic, *order_ref; /* order_ref may be NULL */
    const char *body;
    bool done; /* applied in the same transaction: recorded as done */
};

/* Records the event at now (ISO 8601 UTC). *ret_id is its row id, or 0 when the channel
 * sent this event id before (nothing is written then). */
sb_err sb_store_event_record(struct sb_db *db, const struct sb_event_record *e, const char *now,
                             int64_t *ret_id);
/* The same, only while the channel's revision is `revision` (the run-time channel the
 * event was verified with is current): *ret_stale and nothing written when the channel
 * changed since; else as sb_store_event_record. One statement in the usual case. */
sb_err sb_store_event_record_at(struct sb_db *db, const struct sb_event_record *e, const char *now,
                                int64_t revision, int64_t *ret_id, bool *ret_stale);
/* The event was applied: done at now. */
sb_err sb_store_event_done(struct sb_db *db, int64_t id, const char *now);
/* An event recorded as done whose apply was undone: pending again, for the worker. */
sb_err sb_store_event_reopen(struct sb_db *db, int64_t id);
/* A failed attempt: attempts so far, and either pending until next_at or failed for good
 * (parked), with the error. */
sb_err sb_store_event_failed(struct sb_db *db, int64_t id, int64_t attempts, bool parked,
                             const char *next_at, const char *error);

/* A recorded event to apply; the strings are malloc'd (sb_due_event_clear). */
struct sb_due_event {
    int64_t id, channel_id, attempts;
    char *topic, *order_ref, *body; /* order_ref may be NULL */
};

/* Up to cap of the channel's events due at now (ISO 8601 UTC), oldest first (the channels
 * with some due: store/due.h). */
sb_err sb_store_events_due(struct sb_db *db, int64_t channel_id, const char *now,
                           struct sb_due_event *out, size_t cap, size_t *ret_n);
void sb_due_event_clear(struct sb_due_event *e);

/* Whether any event is pending, due now or later. */
sb_err sb_store_events_pending(struct sb_db *db, bool *ret);

#endif
