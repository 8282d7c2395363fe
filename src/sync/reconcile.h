/*
 * Reconciliation (SPEC I5): on a schedule (every STOCKBRIDGE_RECONCILE_MINUTES,
 * default 30), on demand (POST /api/v1/channels/{id}/reconcile, `stockbridge
 * reconcile`): the channel's stock read whole, compared with the POS, and
 * every difference queued for correction. A failed or partial read writes
 * nothing but its report.
 */
#ifndef SB_SYNC_RECONCILE_H
#define SB_SYNC_RECONCILE_H

#include "store/store.h"
#include "sync/channel-cache.h"

#include <jansson.h>

/* Optional callbacks for a progress bar: items read from the channel so far, items
 * compared so far. */
struct sb_reconcile_progress {
    void (*read)(void *ud, int64_t n);
    void (*compared)(void *ud, int64_t n);
    void *ud;
};

/*
 * Reconciles one channel (channels: the cache its adapter state is kept in, or NULL). *ret_report (caller decrefs):
 *   {"status": "ok", "started_at", "finished_at", "read": items read on the channel,
 *    "compared": POS items found there, "corrected": items whose figures differed (queued),
 *    "not_on_channel": POS items the channel has no SKU for,
 *    "differences": [{"sku", "location_id", "channel", "pos"}] (the first 100)}
 * The report is also kept for sync-status and logged. A failed read returns its error
 * (the report, status "failed", is kept and logged). SB_ECONFLICT when the channel keeps
 * no stock or its stock sync is off.
 */
sb_err sb_sync_reconcile(struct sb_store *store, struct sb_channel_cache *channels,
                         int64_t channel_id, struct sb_reconcile_progress *progress,
                         json_t **ret_report);

#endif
