/*
 * The stock lane ("sb-stock"): stock and price changes to the channels. It is
 * woken by every commit of the writer (a stock change queues its rows in its
 * own transaction) and every STOCK_PERIOD_MS for changes committed elsewhere
 * and retries that fell due; each channel with rows due gets a run that takes
 * a batch at a time (stock-push.c) until none is due. Once a second it also
 * looks whether a channel's sale started or ended (PR3).
 */
#include "sync/lanes.h"
#include "sync/stock-push.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define STOCK_PERIOD_MS 250

void sb_stock_on_commit(void *arg)
{
    struct sb_pipeline *p = arg;
    sb_lane_kick(p, &p->stock);
}

/* A stock run: the channel's due stock and price rows, a batch at a time. */
static void stock_run(struct sb_pipeline *p, int64_t channel, unsigned flags)
{
    struct sb_lease_fence fence;
    sb_lease_fence_channel(p->leases, channel, &fence);
    while (sb_run_go_on(p, channel) &&
           sb_sync_stock_channel(p->store, p->channels, channel, &fence)) {
    }
}

void *sb_stock_main(void *arg)
{
    struct sb_pipeline *p = arg;
    pthread_setname_np(pthread_self(), "sb-stock");
    /* tests run passes only when kicked (commits, sb_pipeline_wait_idle), so that no timer
     * decides what they see */
    const char *period = getenv("STOCKBRIDGE_SYNC_PERIOD");
    long ms = period && strcmp(period, "off") == 0 ? 24L * 3600 * 1000 : STOCK_PERIOD_MS;
    int64_t sales_checked = 0;
    do {
        sb_lane_begin(p, &p->stock);
        /* sales start and end by the clock: a look a second is enough, not one per commit */
        pthread_mutex_lock(&p->lock);
        bool asked = p->check_sales;
        p->check_sales = false;
        pthread_mutex_unlock(&p->lock);
        /* one node at a time looks (a lease of its own), whichever works the channels */
        if ((asked || sb_time_now() != sales_checked) &&
            sb_leases_hold(p->leases, SB_LEASE_SALE_WINDOWS)) {
            sales_checked = sb_time_now();
            sb_sync_sale_windows(p->store);
        }
        int64_t ids[64];
        size_t n = sb_sync_stock_due(p->store, ids, 64);
        for (size_t i = 0; i < n; i++)
            sb_run_start(p, &p->stock, ids[i], stock_run, 0);
    } while (sb_lane_rest(p, &p->stock, ms));
    return NULL;
}
