/*
 * The stock dispatcher (SPEC I3, I4, I9): takes the coalesced rows of
 * sync_queue, finds the items on the channel, computes each one's figures as
 * they are now (I2, I6), sends them in batches through the channel's adapter,
 * and settles each row: gone when sent (unless a newer change came in
 * meanwhile), retried with backoff when the call failed, parked with its
 * error after too many failures.
 */
#ifndef SB_SYNC_STOCK_PUSH_H
#define SB_SYNC_STOCK_PUSH_H

#include "store/store.h"
#include "sync/channel-cache.h"
#include "sync/leases.h"

#include <stdbool.h>

/* PR3: a sale that started or ended since last seen queues every price of its channels.
 * Reads every channel's settings: the dispatcher calls it at most once a second. */
void sb_sync_sale_windows(struct sb_store *store);

/* The channels with rows due now, up to cap (the pipeline gives each its own thread). */
size_t sb_sync_stock_due(struct sb_store *store, int64_t *ids, size_t cap);
/* One batch of one channel's stock and price rows. True when more is due now. The rows are
 * settled only under the fence (NULL: none): a node that lost the channel's lease while its
 * call was on the way queues the rows again instead, so the node that took the channel
 * over sends the figures as they are after that call landed (no stale figure last). */
bool sb_sync_stock_channel(struct sb_store *store, struct sb_channel_cache *channels,
                           int64_t channel_id, const struct sb_lease_fence *fence);

#endif
