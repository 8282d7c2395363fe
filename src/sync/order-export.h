/*
 * An order a webstore exports (SPEC E2-E6): refused when unbalanced (E2),
 * else applied as any web order is (sync/order-apply.c) so the channel's
 * order record makes it one sale however often, or however concurrently,
 * it is sent (E3, O2); a later export of it changes nothing (E5).
 */
#ifndef SB_SYNC_ORDER_EXPORT_H
#define SB_SYNC_ORDER_EXPORT_H

#include "channel/export/order.h"
#include "store/db.h"
#include "sync/channel-cache.h"

enum sb_export_outcome {
    SB_EXPORT_CREATED,
    SB_EXPORT_EXISTING,
    SB_EXPORT_REFUSED
};

struct sb_export_result {
    enum sb_export_outcome outcome;
    int64_t sale_id;    /* created, existing */
    sb_err refusal;     /* refused: the error */
    char message[256];  /* refused: why */
    char field[64];     /* refused: the field at fault, or "" */
    int64_t amount_due; /* refused as unbalanced: total - paid */
};

/*
 * The outlet the order's sale is made at: the outlet the webstore location location_id
 * is mapped to, else the outlet of the connection's register (W4). SB_EUNKNOWN_REFERENCE
 * (field `field`) for a location the connection does not map.
 */
sb_err sb_sync_export_outlet(struct sb_db *db, const struct sb_channel_rt *rt,
                             const char *location_id, const char *field, int64_t *ret);

/*
 * One order, inside a write whose failure rolls back what it wrote (the writer's savepoint,
 * sb_store_write), at outlet (from sb_sync_export_outlet). An unbalanced order is SB_OK with outcome refused: its
 * refusal is written to the channel's log and its order record (waiting, with why) and
 * nothing else. Any other fault is returned (the engine's refusal of the order, or the
 * store's) and nothing of it is written.
 */
sb_err sb_sync_export_order(struct sb_db *db, const struct sb_channel_rt *rt,
                            const struct sb_export_order *e, int64_t outlet,
                            struct sb_export_result *ret);

#endif
