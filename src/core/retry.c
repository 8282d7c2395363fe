/*
 * The retry figures of every durable queue, side by side, and the one
 * backoff they share. The figures are the ones each queue had before they
 * shared a rule: events and outbox calls wait 2, 4, 8 ... s (at most about
 * an hour), stock and price changes the same up to about half an hour and
 * are retried hourly once parked, polls 30 s doubling to an hour.
 */
#include "core/retry.h"

#include <stdlib.h>

/* O10: a payload that does not parse, or names what does not exist, will not do better
 * on a second try. */
static const sb_err event_permanent[] = { SB_EINVALID_FIELD, SB_EINVALID_JSON, SB_EMISSING_FIELD,
                                          SB_ENOT_FOUND, SB_EUNKNOWN_REFERENCE };
/* the channel refused the call's content, or has no such order */
static const sb_err outbox_permanent[] = { SB_EINVALID_FIELD, SB_ENOT_FOUND };

const struct sb_retry_policy sb_retry_events = {
    .queue = "events",
    .base_seconds = 2,
    .cap_seconds = 4096,
    .park_after = 8,
    .parked_seconds = 0,
    .jitter_permille = 250,
    .permanent = event_permanent,
    .n_permanent = sizeof(event_permanent) / sizeof(event_permanent[0]),
};

const struct sb_retry_policy sb_retry_outbox = {
    .queue = "outbox",
    .base_seconds = 2,
    .cap_seconds = 4096,
    .park_after = 10,
    .parked_seconds = 0,
    .jitter_permille = 250,
    .permanent = outbox_permanent,
    .n_permanent = sizeof(outbox_permanent) / sizeof(outbox_permanent[0]),
};

/* I9: a parked stock change is tried again hourly (and at once when the item changes) */
const struct sb_retry_policy sb_retry_stock = {
    .queue = "stock",
    .base_seconds = 2,
    .cap_seconds = 2048,
    .park_after = 8,
    .parked_seconds = 3600,
    .jitter_permille = 250,
};

/* I9: a poll is never given up: the poller tries again, backed off, for as long as it
 * fails */
const struct sb_retry_policy sb_retry_poll = {
    .queue = "poll",
    .base_seconds = 30,
    .cap_seconds = 3600,
    .park_after = 0,
    .parked_seconds = 0,
    .jitter_permille = 250,
};

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int64_t jittered(const struct sb_retry_policy *p, int64_t delay, int64_t jitter_permille)
{
    int64_t j = clamp(jitter_permille, -p->jitter_permille, p->jitter_permille);
    return delay + delay * j / 1000;
}

int64_t sb_retry_delay(const struct sb_retry_policy *p, int64_t attempts, int64_t jitter_permille)
{
    int64_t delay = p->base_seconds;
    for (int64_t i = 1; i < attempts && delay < p->cap_seconds; i++)
        delay *= 2;
    if (delay > p->cap_seconds)
        delay = p->cap_seconds;
    return jittered(p, delay, jitter_permille);
}

int64_t sb_retry_jitter(const struct sb_retry_policy *p)
{
    /* rand() takes glibc's lock: safe from the lanes' threads; the spread is all that
     * matters here, not its quality */
    int64_t span = 2 * p->jitter_permille + 1;
    return span > 1 ? (int64_t)(rand() % span) - p->jitter_permille : 0;
}

void sb_retry_after(const struct sb_retry_policy *p, int64_t attempts, sb_err err,
                    int64_t jitter_permille, struct sb_retry_next *ret)
{
    int64_t n = attempts < 0 ? 1 : attempts + 1;
    bool parked = p->park_after > 0 && n >= p->park_after;
    for (size_t i = 0; !parked && i < p->n_permanent; i++)
        parked = err == p->permanent[i];
    *ret = (struct sb_retry_next){
        .attempts = n,
        .parked = parked,
        .delay = parked && p->parked_seconds ? jittered(p, p->parked_seconds, jitter_permille)
                                             : sb_retry_delay(p, n, jitter_permille),
    };
}
