/*
 * An exported order's body (SPEC E2-E6, POST /api/v1/connection/orders) read
 * into the engine's struct sb_order: every field typed and bounded, the
 * first fault reported with its path ("orders[2].lines[0].quantity"). What
 * the body says is taken as sent (O4): nothing is recomputed here; E2's
 * balance is the caller's to judge (sb_export_order.paid).
 */
#ifndef SB_CHANNEL_EXPORT_ORDER_H
#define SB_CHANNEL_EXPORT_ORDER_H

#include "channel/order.h"
#include "util/arena.h"
#include "util/jsonx.h"

#define SB_EXPORT_ORDERS_MAX    100
#define SB_EXPORT_LINES_MAX     500
#define SB_EXPORT_PAYMENTS_MAX  20
#define SB_EXPORT_TAXES_MAX     20
#define SB_EXPORT_DISCOUNTS_MAX 50
#define SB_EXPORT_ORDER_ID_MAX  64

struct sb_export_order {
    struct sb_order order;   /* payments[].gateway: the method, "Manual" when offline */
    const char *location_id; /* the webstore location named, or NULL */
    int64_t paid;            /* the sum of the payments */
};

/*
 * Reads one order (the object at c) into arena a; currency must equal `currency` (the
 * channel's). SB_EMISSING_FIELD / SB_EINVALID_FIELD with the field's path.
 */
sb_err sb_export_order_read(struct sb_jctx *c, const char *currency, struct sb_arena *a,
                            struct sb_export_order *ret);

#endif
