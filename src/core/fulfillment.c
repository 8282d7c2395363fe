/*
 * Fulfillment statuses and the one rule that moves them (SPEC F2): forward
 * only, skipping steps allowed (staff who ship at once go new -> shipped),
 * cancelled from any non-final status, and the final status must match the
 * kind (shipped for shipping, picked_up for pickup). The names are the wire
 * and database spelling. F3 comes first: nothing cancelled or voided ships.
 */
#include "core/fulfillment.h"

#include <string.h>

static const char *const status_names[] = {
    [SB_FF_NEW] = "new",
    [SB_FF_IN_PROGRESS] = "in_progress",
    [SB_FF_PACKED] = "packed",
    [SB_FF_SHIPPED] = "shipped",
    [SB_FF_PICKED_UP] = "picked_up",
    [SB_FF_CANCELLED] = "cancelled",
};

static const char *const kind_names[] = {
    [SB_FF_SHIPPING] = "shipping", [SB_FF_PICKUP] = "pickup"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(COUNT(status_names) == SB_FF_N_STATUSES, "SB_FF_N_STATUSES is the count");

const char *sb_ff_status_name(enum sb_ff_status s)
{
    return (unsigned)s < COUNT(status_names) ? status_names[s] : "unknown";
}

bool sb_ff_status_parse(const char *s, enum sb_ff_status *ret)
{
    for (size_t i = 0; s && i < COUNT(status_names); i++)
        if (strcmp(s, status_names[i]) == 0) {
            *ret = (enum sb_ff_status)i;
            return true;
        }
    return false;
}

const char *sb_ff_kind_name(enum sb_ff_kind k)
{
    return (unsigned)k < COUNT(kind_names) ? kind_names[k] : "unknown";
}

bool sb_ff_kind_parse(const char *s, enum sb_ff_kind *ret)
{
    for (size_t i = 0; s && i < COUNT(kind_names); i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *ret = (enum sb_ff_kind)i;
            return true;
        }
    return false;
}

bool sb_ff_status_final(enum sb_ff_status s)
{
    return s == SB_FF_SHIPPED || s == SB_FF_PICKED_UP || s == SB_FF_CANCELLED;
}

/* The position on the way to completion; both completed statuses share the last step. */
static int step(enum sb_ff_status s)
{
    switch (s) {
    case SB_FF_NEW:
        return 0;
    case SB_FF_IN_PROGRESS:
        return 1;
    case SB_FF_PACKED:
        return 2;
    default:
        return 3;
    }
}

sb_err sb_ff_transition(enum sb_ff_kind kind, enum sb_ff_status from, enum sb_ff_status to)
{
    const char *f = sb_ff_status_name(from), *t = sb_ff_status_name(to);
    if ((unsigned)from >= COUNT(status_names) || (unsigned)to >= COUNT(status_names) ||
        (unsigned)kind >= COUNT(kind_names))
        return sb_fail(SB_EINVALID_TRANSITION, "status", "unknown status or kind");
    if (sb_ff_status_final(from))
        return sb_fail(SB_EINVALID_TRANSITION, "status", "the fulfillment is already %s", f);
    if (from == to)
        return sb_fail(SB_EINVALID_TRANSITION, "status", "the fulfillment is already %s", f);
    if (to == SB_FF_CANCELLED)
        return SB_OK;
    if (to == SB_FF_SHIPPED && kind != SB_FF_SHIPPING)
        return sb_fail(SB_EINVALID_TRANSITION, "status",
                       "a pickup is completed as picked_up, not shipped");
    if (to == SB_FF_PICKED_UP && kind != SB_FF_PICKUP)
        return sb_fail(SB_EINVALID_TRANSITION, "status",
                       "a shipping fulfillment is completed as shipped, not picked_up");
    if (step(to) < step(from))
        return sb_fail(SB_EINVALID_TRANSITION, "status",
                       "a fulfillment cannot go from %s back to %s", f, t);
    return SB_OK;
}

sb_err sb_ff_move_check(enum sb_ff_kind kind, enum sb_ff_status from, enum sb_ff_status to,
                        bool sale_voided)
{
    if (from == SB_FF_CANCELLED)
        return sb_fail(SB_EFULFILLMENT_CANCELLED, "status",
                       "the fulfillment is cancelled: it cannot be %s",
                       to == SB_FF_SHIPPED     ? "shipped"
                       : to == SB_FF_PICKED_UP ? "picked up"
                                               : "moved again");
    if (sale_voided && to != SB_FF_CANCELLED)
        return sb_fail(SB_ESALE_VOIDED, "status",
                       "the sale is voided: its fulfillments can only be cancelled");
    return sb_ff_transition(kind, from, to);
}

bool sb_ff_move_allowed(enum sb_ff_kind kind, enum sb_ff_status from, enum sb_ff_status to,
                        bool sale_voided)
{
    struct sb_errinfo saved = *sb_err_last();
    bool ok = sb_ff_move_check(kind, from, to, sale_voided) == SB_OK;
    if (saved.err || saved.message[0]) /* leave the caller's last error as it was */
        sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
    else
        sb_err_clear();
    return ok;
}

sb_err sb_ff_shipment_check(const struct sb_ff_ship_state *s)
{
    if (s->sale_voided)
        return sb_fail(SB_ESALE_VOIDED, "shipped", "the sale is voided: it cannot be shipped");
    if (s->n_fulfillments == 0 || s->n_shipping_alive > 0)
        return SB_OK;
    if (s->n_shipping > 0)
        return sb_fail(SB_EFULFILLMENT_CANCELLED, "shipped",
                       "the order's fulfillments are cancelled: it cannot be shipped");
    return sb_fail(SB_EINVALID_TRANSITION, "shipped",
                   "a pickup order is not shipped: it is picked up (on the Pickups list)");
}
