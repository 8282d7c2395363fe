/*
 * Customer orders and invoices (SPEC M6): the document kinds a sale record
 * can be, and the rules of an order's life that need no database.
 *
 * A sale is the purchase done: its stock has left and its payments are
 * taken. An ORDER is a purchase promised: it stays open, may hold its lines'
 * stock as reserved (on hand stays, available drops) and takes deposits;
 * staff later turn it into a sale (the reservation is released and the
 * stock taken as a sale takes it, the deposits become the sale's payments)
 * or cancel it (the reservation released, the deposits refunded). An
 * INVOICE is a sale under another name (Lightspeed Onsite's document): the
 * stock leaves at once and a balance stays due until paid.
 */
#ifndef SB_CUSTOMER_ORDER_H
#define SB_CUSTOMER_ORDER_H

#include "util/err.h"

#include <stdbool.h>

enum sb_sale_kind {
    SB_KIND_SALE,
    SB_KIND_ORDER,
    SB_KIND_INVOICE
};

const char *sb_sale_kind_name(enum sb_sale_kind k);
/* false for anything but "sale", "order" or "invoice" */
bool sb_sale_kind_parse(const char *s, enum sb_sale_kind *ret);

/* What staff (or the channel) may do to an order. */
enum sb_order_action {
    SB_ORDER_DEPOSIT,
    SB_ORDER_COMPLETE,
    SB_ORDER_CANCEL
};

/* SB_OK when a record of this kind and status ("open", "completed", "voided") takes the
 * action: only an open order does. Else SB_EINVALID_TRANSITION saying why: a sale that
 * never was an order, an order already turned into a sale (began_as_order, kind sale
 * now), an order cancelled. */
sb_err sb_order_can(const char *kind, const char *status, bool began_as_order,
                    enum sb_order_action action, long long id);

#endif
