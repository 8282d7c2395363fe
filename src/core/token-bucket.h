/*
 * A token bucket, as plain arithmetic (no clock, no lock, no storage): the
 * connection API's rate limit (http/ratelimit.h) keeps one per export channel
 * in the database (store/rate-buckets.c), so that several nodes grant one
 * budget between them. Requests are held in thousandths, so a refill of
 * per_minute a minute judged on a clock of whole seconds loses nothing to
 * rounding.
 */
#ifndef SB_CORE_TOKEN_BUCKET_H
#define SB_CORE_TOKEN_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#define SB_BUCKET_MILLI 1000

struct sb_bucket {
    int64_t milli; /* requests left, in thousandths */
    int64_t at;    /* when milli was last brought up to date (seconds) */
};

/* A full bucket at now. */
struct sb_bucket sb_bucket_full(int64_t burst, int64_t now);

/* Takes one request at now (per_minute, burst >= 1): true when the bucket had one
 * (*ret_remaining: whole requests left); false when empty (*ret_retry_after: seconds until
 * the next is granted, at least 1). A clock set back refills nothing. */
bool sb_bucket_take(struct sb_bucket *b, int64_t per_minute, int64_t burst, int64_t now,
                    int64_t *ret_remaining, int64_t *ret_retry_after);

#endif
