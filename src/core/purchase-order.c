/*
 * Purchase order statuses and the rules of receiving (core/purchase-order.h).
 */
#include "core/purchase-order.h"

#include <string.h>

static const char *const names[] = {
    [SB_PO_DRAFT] = "draft",       [SB_PO_ORDERED] = "ordered",     [SB_PO_PARTIAL] = "partial",
    [SB_PO_RECEIVED] = "received", [SB_PO_CANCELLED] = "cancelled",
};

const char *sb_po_status_name(enum sb_po_status s)
{
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "draft";
}

bool sb_po_status_parse(const char *name, enum sb_po_status *ret)
{
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i], name) == 0) {
            *ret = (enum sb_po_status)i;
            return true;
        }
    }
    return false;
}

bool sb_po_open(enum sb_po_status s)
{
    return s == SB_PO_ORDERED || s == SB_PO_PARTIAL;
}

sb_err sb_po_check(enum sb_po_status s, enum sb_po_action a)
{
    const char *st = sb_po_status_name(s);
    switch (a) {
    case SB_PO_EDIT:
        if (s != SB_PO_DRAFT)
            return sb_fail(SB_EINVALID_TRANSITION, "status",
                           "the purchase order is %s: only a draft is edited", st);
        return SB_OK;
    case SB_PO_ORDER:
        if (s != SB_PO_DRAFT)
            return sb_fail(SB_EINVALID_TRANSITION, "status",
                           "the purchase order is %s: only a draft is ordered", st);
        return SB_OK;
    case SB_PO_RECEIVE:
        if (s == SB_PO_DRAFT)
            return sb_fail(SB_EINVALID_TRANSITION, "status",
                           "the purchase order is a draft: order it before receiving");
        if (!sb_po_open(s))
            return sb_fail(SB_EINVALID_TRANSITION, "status",
                           "the purchase order is %s: nothing is left to receive", st);
        return SB_OK;
    case SB_PO_CANCEL:
        if (s == SB_PO_RECEIVED || s == SB_PO_CANCELLED)
            return sb_fail(SB_EINVALID_TRANSITION, "status", "the purchase order is %s already",
                           st);
        return SB_OK;
    }
    return sb_fail(SB_EINTERNAL, NULL, "unknown purchase order action");
}

sb_err sb_po_receive_check(int64_t ordered, int64_t received, int64_t quantity, const char *field)
{
    int64_t outstanding = ordered > received ? ordered - received : 0;
    if (quantity > outstanding)
        return sb_fail(SB_ECONFLICT, field,
                       "%lld is more than the %lld still outstanding on this line: receive extra"
                       " goods as a stock receipt",
                       (long long)quantity, (long long)outstanding);
    return SB_OK;
}

enum sb_po_status sb_po_after_receipt(int64_t outstanding)
{
    return outstanding > 0 ? SB_PO_PARTIAL : SB_PO_RECEIVED;
}
