/*
 * The one retry policy of stockbridge's durable queues (SPEC I9, O10): the
 * channel events the worker applies, the outbox of calls to the channels,
 * the stock and price queue, and a channel's polls. A failure is tried again
 * after a wait that doubles from the queue's base up to its cap, give or
 * take a jitter so that failures do not come back in step; an entry is
 * parked after so many failures, or at once on an error that trying again
 * cannot cure, and shows as parked until a person (or, for the stock queue,
 * an hourly retry) takes it up. Each queue is one const policy below: its
 * figures in one place, the rule the same for all.
 */
#ifndef SB_CORE_RETRY_H
#define SB_CORE_RETRY_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sb_retry_policy {
    const char *queue;       /* its name in sync-status and /metrics */
    int64_t base_seconds;    /* the wait after the first failure */
    int64_t cap_seconds;     /* the longest wait before a retry */
    int64_t park_after;      /* parked at this many failures; 0: never */
    int64_t parked_seconds;  /* a parked entry is tried again this long after; 0: never */
    int64_t jitter_permille; /* waits vary by up to this many thousandths either way */
    const sb_err *permanent; /* errors that park at once (a payload that will never do) */
    size_t n_permanent;
};

/* The queues (figures in retry.c). */
extern const struct sb_retry_policy sb_retry_events; /* channel_events: webhooks to apply */
extern const struct sb_retry_policy sb_retry_outbox; /* outbox: fulfillments, cancellations */
extern const struct sb_retry_policy sb_retry_stock;  /* sync_queue: stock and prices */
extern const struct sb_retry_policy sb_retry_poll;   /* a channel's failing polls */

/* The wait before the next try after the attempts-th failure in a row (attempts < 1
 * counts as 1): base doubled attempts - 1 times, at most cap, then varied by
 * jitter_permille / 1000 of itself (clamped to the policy's jitter). */
int64_t sb_retry_delay(const struct sb_retry_policy *p, int64_t attempts, int64_t jitter_permille);

/* A random jitter within the policy's bounds, for sb_retry_delay and sb_retry_after. */
int64_t sb_retry_jitter(const struct sb_retry_policy *p);

/* What becomes of an entry that failed with err after `attempts` failures before this
 * one. */
struct sb_retry_next {
    int64_t attempts; /* failures so far, this one included */
    bool parked;      /* given up: kept with its error for a person to see */
    int64_t delay;    /* seconds until it is tried again: parked, the policy's parked_seconds
                       * (when it retries parked entries; else the backoff, kept with the
                       * entry but read by nothing) */
};
void sb_retry_after(const struct sb_retry_policy *p, int64_t attempts, sb_err err,
                    int64_t jitter_permille, struct sb_retry_next *ret);

#endif
