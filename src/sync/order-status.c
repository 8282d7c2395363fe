/*
 * The status table, in (order-status.h). A status only ever adds what it
 * means to the order (cancelled, paid, fulfilled); it never takes back what
 * the order's own fields say.
 */
#include "sync/order-status.h"

void sb_sync_order_status(const struct sb_channel_rt *rt, const struct sb_order *o,
                          struct sb_order *ret, const char **ret_kept)
{
    *ret = *o;
    *ret_kept = NULL;
    if (!(rt->ops->caps & SB_CH_STATUS_IN) || !o->channel_status)
        return;
    const struct sb_status_map *m =
        sb_channel_status_in(rt->ops, o->channel_status, o->pickup_location != NULL);
    if (!m) {
        *ret_kept = o->channel_status;
        return;
    }
    switch (m->pos) {
    case SB_POS_CANCELLED:
        ret->cancelled = true;
        break;
    case SB_POS_PAID:
        if (ret->financial == SB_FIN_PENDING || ret->financial == SB_FIN_AUTHORIZED ||
            ret->financial == SB_FIN_PARTIALLY_PAID)
            ret->financial = SB_FIN_PAID;
        break;
    case SB_POS_SHIPPED:
    case SB_POS_PICKED_UP:
        ret->fulfillment = SB_FUL_FULFILLED;
        break;
    case SB_POS_PACKED:
        ret->ready_for_pickup = true;
        break;
    case SB_POS_PENDING:
        break; /* nothing for the POS to do with the order itself */
    }
}
