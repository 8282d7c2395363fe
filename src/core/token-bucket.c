/*
 * The token bucket's arithmetic (token-bucket.h), moved here from the
 * connection API's in-memory buckets when they went into the database.
 */
#include "core/token-bucket.h"

struct sb_bucket sb_bucket_full(int64_t burst, int64_t now)
{
    return (struct sb_bucket){ .milli = burst * SB_BUCKET_MILLI, .at = now };
}

bool sb_bucket_take(struct sb_bucket *b, int64_t per_minute, int64_t burst, int64_t now,
                    int64_t *ret_remaining, int64_t *ret_retry_after)
{
    const int64_t full = burst * SB_BUCKET_MILLI;
    if (now > b->at) {
        /* capped so that the product cannot overflow (server.c bounds the rates); the cap
         * refills any bucket the server allows */
        int64_t elapsed = now - b->at > 10000000 ? 10000000 : now - b->at;
        int64_t add = elapsed * per_minute * SB_BUCKET_MILLI / 60;
        b->milli = b->milli + add > full ? full : b->milli + add;
    }
    /* a clock set back (the test clock) does not hand out requests: only the future refills */
    b->at = now;
    bool ok = b->milli >= SB_BUCKET_MILLI;
    if (ok)
        b->milli -= SB_BUCKET_MILLI;
    *ret_remaining = b->milli / SB_BUCKET_MILLI;
    /* the seconds until a whole request has come in, rounded up */
    int64_t per_s = per_minute * SB_BUCKET_MILLI / 60;
    per_s = per_s < 1 ? 1 : per_s;
    int64_t wait = ok ? 0 : (SB_BUCKET_MILLI - b->milli + per_s - 1) / per_s;
    *ret_retry_after = ok ? 0 : wait < 1 ? 1 : wait;
    return ok;
}
