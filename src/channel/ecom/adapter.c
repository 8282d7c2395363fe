/*
 * The native eCom store's row in the table of kinds (SPEC L1-L2): Lightspeed
 * eCom E-Series runs on Ecwid, so the wire is Ecwid's (channel/ecwid/ecwid.h)
 * and the rules are eCom's. Paid and unpaid orders come down with their
 * fulfillments New (L1), allocated as every web order is (A1-A4); statuses
 * travel both ways by the table below (L2), which is the whole rule:
 *
 *   eCom (Ecwid's enums)        POS                         which way
 *   AWAITING_PROCESSING         pending (nothing to do)     in
 *   PROCESSING                  -- (nor does In progress)   does not travel
 *   READY_FOR_PICKUP            Packed, pickups only        both
 *   OUT_FOR_DELIVERY            Shipped                     in
 *   SHIPPED                     Shipped, shipped orders     both
 *   DELIVERED                   Shipped / Picked up         in / both for pickups
 *   payment CANCELLED           Voided                      in (out: the cancel call)
 *   WILL_NOT_DELIVER            (after a void)              out
 *   payment PAID                paid in the POS             out (in: P4, by the payment)
 *
 * A voided order is locked: the eCom order is then WILL_NOT_DELIVER, the POS
 * takes no further updates of it (a voided sale takes none), and nothing more
 * is written to it (push_status reads its payment status first).
 */
#include "channel/ecwid/ecwid.h"

#include "core/channel-settings.h"

#include <string.h>

static const struct sb_field settings[] = {
    { .name = SB_CHANNEL_PUSH_STATUSES,
      .type = SB_FIELD_BOOL,
      .dflt = "true",
      .label = "Send statuses to eCom",
      .help = "Packed pickups, shipments, pickups collected, payments taken here and "
              "cancellations travel to the eCom order (L2)." },
    { 0 },
};

/* L2, as data (channel/channel.h, sb_status_map). The channel side is the order's
 * fulfillmentStatus, or CANCELLED when its payment is (channel/ecwid/order.c), or, going out,
 * PAID as a payment status. */
static const struct sb_status_map statuses[] = {
    { "AWAITING_PROCESSING", SB_POS_PENDING, SB_STATUS_IN, SB_WHEN_ANY },
    { "READY_FOR_PICKUP", SB_POS_PACKED, SB_STATUS_BOTH, SB_WHEN_PICKUP },
    { "OUT_FOR_DELIVERY", SB_POS_SHIPPED, SB_STATUS_IN, SB_WHEN_SHIPPING },
    { "SHIPPED", SB_POS_SHIPPED, SB_STATUS_BOTH, SB_WHEN_SHIPPING },
    { "DELIVERED", SB_POS_SHIPPED, SB_STATUS_IN, SB_WHEN_SHIPPING },
    { "DELIVERED", SB_POS_PICKED_UP, SB_STATUS_BOTH, SB_WHEN_PICKUP },
    { "CANCELLED", SB_POS_CANCELLED, SB_STATUS_IN, SB_WHEN_ANY },
    { "WILL_NOT_DELIVER", SB_POS_CANCELLED, SB_STATUS_OUT, SB_WHEN_ANY },
    { "PAID", SB_POS_PAID, SB_STATUS_OUT, SB_WHEN_ANY },
    { 0 },
};

/* L1: every order comes down, paid or not (a cancelled one never does: the engine's S1). */
static enum sb_decision decide(const struct sb_channel *ch, const struct sb_order *o,
                               const char **ret_reason)
{
    (void)ch;
    (void)o;
    (void)ret_reason;
    return SB_DECIDE_DOWNLOAD;
}

/* The lock (L2): an order whose payment is cancelled on eCom takes nothing more from us,
 * but the WILL_NOT_DELIVER that follows the cancel itself. */
static sb_err unlocked(const struct sb_channel *ch, const char *id)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    const char *pay = NULL;
    sb_err err = sb_ec_order_payment(ch, id, a, &pay);
    bool locked = !err && strcmp(pay, "CANCELLED") == 0;
    sb_arena_free(a);
    if (locked)
        return sb_fail(SB_EINVALID_FIELD, NULL,
                       "eCom order %s is cancelled: it takes no further updates (L2)", id);
    return err;
}

static sb_err push_status(const struct sb_channel *ch, const struct sb_status_push *s)
{
    sb_err err = s->pos == SB_POS_CANCELLED ? SB_OK : unlocked(ch, s->order_external_id);
    if (err)
        return err;
    json_t *body = json_pack("{s:s}", s->pos == SB_POS_PAID ? "paymentStatus" : "fulfillmentStatus",
                             s->status);
    /* a shipment's tracking number goes with it, as Ecwid shows and mails it */
    if (body && s->pos == SB_POS_SHIPPED && s->tracking_number && *s->tracking_number &&
        json_object_set_new(body, "trackingNumber", json_string(s->tracking_number))) {
        json_decref(body);
        body = NULL;
    }
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_ec_order_put(ch, s->order_external_id, body, "setting the order's status");
    json_decref(body);
    return err;
}

/* S1 and L2: voided in the POS, the payment is cancelled and the delivery with it. */
static sb_err push_cancel(const struct sb_channel *ch, const char *order_external_id,
                          const char *reason)
{
    (void)reason;
    return sb_ec_cancel(ch, order_external_id, true);
}

const struct sb_channel_ops sb_channel_ecom = {
    .kind = "ecom",
    .label = "Lightspeed eCom",
    .caps = SB_CH_WEBHOOKS | SB_CH_POLL | SB_CH_FETCH | SB_CH_CANCEL | SB_CH_STOCK | SB_CH_PRICES |
            SB_CH_STATUS_IN | SB_CH_STATUS_OUT | SB_CH_CONNECT,
    SB_EC_WIRE_OPS,
    .settings = settings,
    .statuses = statuses,
    .decide = decide,
    .push_cancel = push_cancel,
    .push_status = push_status,
};
