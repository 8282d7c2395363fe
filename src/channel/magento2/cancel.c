/*
 * Cancellations (SPEC S1): a sale voided in the POS cancels its Magento order,
 * POST /V1/orders/{id}/cancel (no body), which answers a bare boolean. true is
 * done. false comes with HTTP 200 and means Magento did not cancel (an order
 * invoiced, shipped, closed or on hold cannot be); since a retry after a lost
 * answer also gets false (cancelled already), the order is read again:
 * canceled is done; anything else is a permanent SB_EINVALID_FIELD saying what
 * the order is ("Magento did not cancel order N: it is processing/processing"),
 * parked in sight by the outbox (SB_ECONFLICT would be retried for ever).
 * Magento's cancel takes no reason; the POS keeps its own.
 */
#include "channel/magento2/magento2.h"

#include <string.h>

static sb_err cancel(const struct sb_channel *ch, const char *id, struct sb_arena *a)
{
    const char *path = sb_m2up_order_path(a, "orders/", id, "/cancel");
    if (!path)
        return sb_fail(SB_EINVALID_FIELD, "order_external_id",
                       "\"%.40s\" is not a Magento order id (its entity_id, decimal digits)",
                       id ? id : "");
    struct sb_m2_reply r = { 0 };
    sb_err err = sb_m2_call(ch, "POST", path, NULL, NULL, a, &r);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    if (r.status < 200 || r.status > 299)
        return sb_m2_status_err(&r, sb_arena_printf(a, "cancelling order #%s", id));
    if (json_is_true(r.body))
        return SB_OK;
    /* false, or an answer that is no boolean: what Magento holds now decides */
    json_t *now = NULL;
    if ((err = sb_m2up_order(ch, id, a, &now)))
        return err;
    const char *state = sb_m2_cut(a, json_string_value(json_object_get(now, "state")), 40);
    const char *status = sb_m2_cut(a, json_string_value(json_object_get(now, "status")), 40);
    if (state && strcmp(state, "canceled") == 0)
        return SB_OK;
    const char *label = sb_m2up_order_label(now, id, a);
    if (!json_is_false(r.body))
        return sb_fail(SB_EIO, NULL,
                       "Magento answered the cancel of order %s with neither true nor false, "
                       "and the order is %.40s/%.40s",
                       label, state ? state : "?", status ? status : "?");
    return sb_fail(SB_EINVALID_FIELD, NULL, "Magento did not cancel order %s: it is %.40s/%.40s",
                   label, state ? state : "?", status ? status : "?");
}

sb_err sb_m2_push_cancel(const struct sb_channel *ch, const char *order_external_id,
                         const char *reason)
{
    (void)reason; /* Magento's cancel route takes none */
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = cancel(ch, order_external_id, a);
    sb_arena_free(a);
    return err;
}
