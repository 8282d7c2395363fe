/*
 * The connection API's token buckets (ratelimit.h): one per export channel,
 * kept in the database (store/rate-buckets.c, the arithmetic in
 * core/token-bucket.c), so that every node spends from the same budget.
 */
#include "http/ratelimit.h"

#include "store/rate-buckets.h"

#include <stdio.h>
#include <stdlib.h>

struct sb_ratelimit {
    int64_t per_minute, burst;
};

sb_err sb_ratelimit_new(int64_t per_minute, int64_t burst, struct sb_ratelimit **ret)
{
    struct sb_ratelimit *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    rl->per_minute = per_minute;
    rl->burst = burst;
    *ret = rl;
    return SB_OK;
}

void sb_ratelimit_free(struct sb_ratelimit *rl)
{
    free(rl);
}

sb_err sb_ratelimit_take(struct sb_ratelimit *rl, struct sb_db *db, int64_t channel_id, int64_t now,
                         bool *ret_ok, int64_t *ret_remaining, int64_t *ret_retry_after)
{
    char name[48];
    snprintf(name, sizeof(name), "connection:%lld", (long long)channel_id);
    return sb_store_rate_take(db, name, rl->per_minute, rl->burst, now, ret_ok, ret_remaining,
                              ret_retry_after);
}
