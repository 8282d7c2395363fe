/*
 * Customer orders (SPEC M6; core/customer-order.h): sale records of kind
 * "order" that hold their lines' stock as reserved and take deposits, until
 * staff turn them into sales or cancel them. Created through
 * sb_store_sale_create (kind SB_KIND_ORDER), which writes the reservation
 * with the order; everything after that is here. Each action is one
 * transaction, joining the caller's when there is one, and honours the
 * caller's scope: another outlet's order is SB_ENOT_FOUND.
 */
#ifndef SB_STORE_ORDERS_H
#define SB_STORE_ORDERS_H

#include "core/sale.h"
#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>

/* An order as the sale it is (sb_store_sale_get: lines with "reserved", payments with
 * "kind"), plus "order_status" (open, completed: turned into a sale, voided: cancelled),
 * "deposits" (the payments taken as deposits), "deposit_total" and "reserved_total" (units
 * the order holds now). A record that never was an order is SB_ENOT_FOUND. */
sb_err sb_store_order_get(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t **ret);

struct sb_order_filter {
    bool status_set;
    enum sb_sale_status status; /* open, completed (turned into a sale), voided (cancelled) */
    int64_t outlet_id;          /* 0: any within the scope */
};

/* Orders, newest first: up to limit rows older than `before` (0: from the newest), each
 * with customer_name, deposit_total and reserved_total. */
sb_err sb_store_order_list(struct sb_db *db, const struct sb_scope *scope,
                           const struct sb_order_filter *f, int64_t before, int64_t limit,
                           json_t **ret);

/* A deposit on an open order (else SB_EINVALID_TRANSITION): a payment of kind deposit, not
 * above the balance (SB_EINVALID_FIELD "amount"); the order stays open. */
sb_err sb_store_order_deposit(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                              const struct sb_sale_payment *p, int64_t user_id, int64_t *ret_id);

/*
 * Turns an open order into a sale (else SB_EINVALID_TRANSITION): each line's reservation
 * is released (ledger reason release) and its stock taken as a sale takes it (reason sale,
 * reference "sale:<id>"); the deposits stay as the sale's payments, `payment` (may be NULL)
 * is added to them; the kind becomes sale and the status follows the money as a sale's
 * does (completed when nothing is due, else open with its balance); the business day is
 * the day it became a sale (SPEC T1, at the outlet).
 */
sb_err sb_store_order_complete(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                               const struct sb_sale_payment *payment, int64_t user_id);

/*
 * Cancels an open order (else SB_EINVALID_TRANSITION): its reservations released, its
 * fulfillments cancelled, its deposits refunded (one return with no lines and a refund of
 * what was paid: the money goes back, no stock moves), status voided with "Cancelled:
 * <reason>" in its note. A web order cancelled here is cancelled on its channel (S1).
 */
sb_err sb_store_order_cancel(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             int64_t user_id, const char *reason);

/* The cancellation inside the caller's transaction, for an order known to be open, with
 * nothing queued for a channel: the sale's void (store/sales.c) uses it for an order,
 * whether staff or the channel (S1) cancelled it. */
sb_err sb_store_order_cancel_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                   int64_t user_id, const char *reason);

#endif
