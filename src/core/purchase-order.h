/*
 * Purchase orders to suppliers (issue 16 item 1): the statuses an order goes
 * through and what each allows, and what a delivery may receive. No store,
 * no HTTP: the store asks these questions inside its transaction.
 *
 *   draft --order--> ordered --receive (some)--> partial --receive (rest)--> received
 *     |                 |                           |
 *     +----cancel-------+-----------cancel----------+-----> cancelled
 *
 * Only a draft is edited. An ordered (or partly received) order holds its
 * outstanding quantities in stock.on_order at its outlet (SPEC I7 reads it).
 */
#ifndef SB_CORE_PURCHASE_ORDER_H
#define SB_CORE_PURCHASE_ORDER_H

#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>

enum sb_po_status {
    SB_PO_DRAFT,
    SB_PO_ORDERED,
    SB_PO_PARTIAL,
    SB_PO_RECEIVED,
    SB_PO_CANCELLED,
};

enum sb_po_action {
    SB_PO_EDIT,
    SB_PO_ORDER,
    SB_PO_RECEIVE,
    SB_PO_CANCEL,
};

/* "draft", "ordered", ...; the names the database and the API use. */
const char *sb_po_status_name(enum sb_po_status s);
/* False for a name that is no status. */
bool sb_po_status_parse(const char *name, enum sb_po_status *ret);

/* SB_OK when an order in status s may take action a; SB_EINVALID_TRANSITION with a message
 * that says why not (and what to do) otherwise. */
sb_err sb_po_check(enum sb_po_status s, enum sb_po_action a);

/* Whether an order holds quantities on order (ordered or partly received). */
bool sb_po_open(enum sb_po_status s);

/* A delivery of quantity for a line of which ordered were ordered and received already
 * received: SB_OK, or SB_ECONFLICT naming field when it is more than is outstanding (an
 * order is never over-received: extra goods are a stock receipt of their own). */
sb_err sb_po_receive_check(int64_t ordered, int64_t received, int64_t quantity, const char *field);

/* The status after a delivery: received when nothing is outstanding, else partial. */
enum sb_po_status sb_po_after_receipt(int64_t outstanding);

#endif
