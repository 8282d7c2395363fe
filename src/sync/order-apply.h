/*
 * Applying one version of a web order to the POS, inside a write
 * transaction: the first download (a new sale) or the later changes of an
 * order already down. Used by the pipeline for webhooks and polls alike.
 */
#ifndef SB_SYNC_ORDER_APPLY_H
#define SB_SYNC_ORDER_APPLY_H

#include "channel/order.h"
#include "store/db.h"
#include "sync/channel-cache.h"

/* What happened, for the log and the tests. */
enum sb_apply_outcome {
    SB_APPLY_IMPORTED,  /* a new sale */
    SB_APPLY_UPDATED,   /* later changes applied to the sale */
    SB_APPLY_UNCHANGED, /* nothing new (the same version again) */
    SB_APPLY_STALE,     /* older than what was applied: ignored (O3) */
    SB_APPLY_WAITING,   /* not downloaded yet, with a reason (O10) */
    SB_APPLY_SKIPPED,   /* never to be downloaded, with a reason (O10) */
};

sb_err sb_sync_apply_order(struct sb_db *db, const struct sb_channel_rt *rt,
                           const struct sb_order *o, enum sb_apply_outcome *ret);

/* An order seen (on a poll) but not readable: shown as waiting with why (O10), unless it
 * is already down; logged either way. */
sb_err sb_sync_record_unreadable(struct sb_db *db, const struct sb_channel_rt *rt,
                                 const char *external_id, const char *reason);

#endif
