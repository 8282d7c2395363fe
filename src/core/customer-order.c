/*
 * The customer order's rules without a store (core/customer-order.h): the
 * document kinds' names and which actions an order in a given state takes.
 */
#include "core/customer-order.h"

#include <string.h>

static const char *const kind_names[] = { "sale", "order", "invoice" };

const char *sb_sale_kind_name(enum sb_sale_kind k)
{
    return (unsigned)k <= SB_KIND_INVOICE ? kind_names[k] : "sale";
}

bool sb_sale_kind_parse(const char *s, enum sb_sale_kind *ret)
{
    for (unsigned i = 0; s && i <= SB_KIND_INVOICE; i++) {
        if (strcmp(s, kind_names[i]) == 0) {
            *ret = (enum sb_sale_kind)i;
            return true;
        }
    }
    return false;
}

sb_err sb_order_can(const char *kind, const char *status, bool began_as_order,
                    enum sb_order_action action, long long id)
{
    static const char *const verbs[] = { "take a deposit", "be turned into a sale",
                                         "be cancelled" };
    const char *verb = verbs[(unsigned)action <= SB_ORDER_CANCEL ? action : 0];
    bool order = kind && strcmp(kind, "order") == 0;
    if (!order && began_as_order)
        return sb_fail(SB_EINVALID_TRANSITION, NULL,
                       "order %lld has been turned into a sale: it cannot %s", id, verb);
    if (!order)
        return sb_fail(SB_EINVALID_TRANSITION, NULL,
                       "%lld is a %s, not a customer order: it cannot %s", id, kind ? kind : "sale",
                       verb);
    if (!status || strcmp(status, "open") != 0)
        return sb_fail(SB_EINVALID_TRANSITION, NULL, "order %lld is %s: it cannot %s", id,
                       status && strcmp(status, "voided") == 0 ? "cancelled" : "closed", verb);
    return SB_OK;
}
