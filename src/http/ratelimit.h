/*
 * Item 6 of issue 14: the per-connection rate limit of the connection API
 * (/api/v1/connection and the routes under it). A token bucket per export
 * channel, so a connection's replacement (connecting again retires the old
 * token) shares its predecessor's budget: SB_RATE_PER_MINUTE requests a
 * minute on average, in bursts of up to SB_RATE_BURST (the defaults; an
 * operator or a benchmark sets others, or none, with
 * STOCKBRIDGE_CONNECTION_RATE: http/server.h). The buckets are rows of
 * the database (store/rate-buckets.h), so several nodes behind one address
 * grant one budget between them, and a restart does not refill them (issue
 * 15). The clock is sb_time_now(), so the e2e tests refill a bucket by
 * moving the test clock, not by sleeping.
 */
#ifndef SB_HTTP_RATELIMIT_H
#define SB_HTTP_RATELIMIT_H

#include "store/db.h"
#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>

#define SB_RATE_PER_MINUTE 120
#define SB_RATE_BURST      60

struct sb_ratelimit;

/* per_minute and burst >= 1. */
sb_err sb_ratelimit_new(int64_t per_minute, int64_t burst, struct sb_ratelimit **ret);
void sb_ratelimit_free(struct sb_ratelimit *rl);

/*
 * Takes one request from channel_id's bucket at time now (seconds), with db (its own
 * transaction). True when it had one: *ret_remaining is what is left (whole requests).
 * False when empty: *ret_retry_after is the seconds until the next request is granted (at
 * least 1). A store error when the bucket cannot be read or written.
 */
sb_err sb_ratelimit_take(struct sb_ratelimit *rl, struct sb_db *db, int64_t channel_id, int64_t now,
                         bool *ret_ok, int64_t *ret_remaining, int64_t *ret_retry_after);

#endif
