/*
 * Rate buckets kept in the database (portable SQL over rate_buckets), so that
 * a budget is one budget however many nodes grant it (issue 15: the
 * connection API's limit per export channel, http/ratelimit.h). The
 * arithmetic is core/token-bucket.h's.
 */
#ifndef SB_STORE_RATE_BUCKETS_H
#define SB_STORE_RATE_BUCKETS_H

#include "store/db.h"

#include <stdbool.h>
#include <stdint.h>

/* Takes one request from the bucket `name` at now (seconds; a new bucket starts full):
 * *ret_ok, and what is left or the seconds to wait, as sb_bucket_take says. Its own
 * transaction (or the caller's); a concurrent take by another node is never lost: the
 * write is a compare-and-set, tried again when another took first. */
sb_err sb_store_rate_take(struct sb_db *db, const char *name, int64_t per_minute, int64_t burst,
                          int64_t now, bool *ret_ok, int64_t *ret_remaining,
                          int64_t *ret_retry_after);

#endif
