/*
 * The connection API's token buckets (ratelimit.h). A bucket holds its
 * requests in thousandths, so that a refill of SB_RATE_PER_MINUTE a minute
 * judged on a clock of whole seconds loses nothing to rounding. The buckets
 * are a plain array searched in order: there is one per export channel that
 * has called since the server started, which is a handful.
 */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>

#define MILLI 1000

struct bucket {
    int64_t channel_id;
    int64_t milli; /* requests left, in thousandths */
    int64_t at;    /* when milli was last brought up to date */
};

struct sb_ratelimit {
    pthread_mutex_t mu;
    int64_t per_minute, burst;
    struct bucket *b;
    size_t n, cap;
};

sb_err sb_ratelimit_new(int64_t per_minute, int64_t burst, struct sb_ratelimit **ret)
{
    struct sb_ratelimit *rl = calloc(1, sizeof(*rl));
    if (!rl || pthread_mutex_init(&rl->mu, NULL) != 0) {
        free(rl);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    rl->per_minute = per_minute;
    rl->burst = burst;
    *ret = rl;
    return SB_OK;
}

void sb_ratelimit_free(struct sb_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl->b);
    free(rl);
}

static struct bucket *find(struct sb_ratelimit *rl, int64_t channel_id, int64_t now)
{
    for (size_t i = 0; i < rl->n; i++)
        if (rl->b[i].channel_id == channel_id)
            return &rl->b[i];
    if (rl->n == rl->cap) {
        size_t cap = rl->cap ? rl->cap * 2 : 16;
        struct bucket *nb = realloc(rl->b, cap * sizeof(*nb));
        if (!nb)
            return NULL;
        rl->b = nb;
        rl->cap = cap;
    }
    rl->b[rl->n] = (struct bucket){ channel_id, rl->burst * MILLI, now };
    return &rl->b[rl->n++];
}

sb_err sb_ratelimit_take(struct sb_ratelimit *rl, int64_t channel_id, int64_t now, bool *ret_ok,
                         int64_t *ret_remaining, int64_t *ret_retry_after)
{
    const int64_t full = rl->burst * MILLI;
    pthread_mutex_lock(&rl->mu);
    struct bucket *b = find(rl, channel_id, now);
    if (!b) {
        pthread_mutex_unlock(&rl->mu);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (now > b->at) {
        /* capped so that the product cannot overflow (server.c bounds the rates); the cap
         * refills any bucket the server allows */
        int64_t elapsed = now - b->at > 10000000 ? 10000000 : now - b->at;
        int64_t add = elapsed * rl->per_minute * MILLI / 60;
        b->milli = b->milli + add > full ? full : b->milli + add;
    }
    /* a clock set back (the test clock) does not hand out requests: only the future refills */
    b->at = now;
    bool ok = b->milli >= MILLI;
    if (ok)
        b->milli -= MILLI;
    *ret_ok = ok;
    *ret_remaining = b->milli / MILLI;
    /* the seconds until a whole request has come in, rounded up */
    int64_t per_s = rl->per_minute * MILLI / 60;
    per_s = per_s < 1 ? 1 : per_s;
    int64_t wait = ok ? 0 : (MILLI - b->milli + per_s - 1) / per_s;
    *ret_retry_after = ok ? 0 : wait < 1 ? 1 : wait;
    pthread_mutex_unlock(&rl->mu);
    return SB_OK;
}
