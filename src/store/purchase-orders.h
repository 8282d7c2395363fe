/*
 * Purchase orders to suppliers, delivered to one outlet (issue 16 item 1;
 * the statuses in core/purchase-order.h). How stock.on_order is kept:
 *
 *   - ordering a draft adds each line's quantity to on_order of the item at
 *     the order's outlet;
 *   - receiving goes through the stock receipt (sb_store_stock_receive: a
 *     ledger entry "receipt:<PO number>" per line, I3), which takes what was
 *     received off on_order;
 *   - cancelling takes what was still outstanding off on_order;
 *
 * each in the transaction of its action, never below zero, and each queues
 * the item for the channels (I3; I7 publishes by on order). on_order is one
 * figure per item and outlet: POST /stock/levels may still set it by hand, and
 * then replaces the whole figure, purchase orders' share included; later
 * receipts and cancellations subtract from what was set (never below zero).
 *
 * Every function takes the caller's scope: an order at an outlet the caller
 * may not use is SB_ENOT_FOUND, as if it did not exist.
 */
#ifndef SB_STORE_PURCHASE_ORDERS_H
#define SB_STORE_PURCHASE_ORDERS_H

#include "core/outlet.h" /* struct sb_opt_str */
#include "core/purchase-order.h"
#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>

#define SB_PO_MAX_LINES 500

struct sb_po_line_input {
    int64_t item_id, quantity, unit_cost;
    bool unit_cost_set; /* else the item's default cost */
};

struct sb_po_input {
    int64_t supplier_id, outlet_id, user_id;
    bool supplier_set;
    struct sb_opt_str currency, expected_on, note; /* expected_on "YYYY-MM-DD" */
    const struct sb_po_line_input *lines;
    size_t n_lines;
    bool lines_set; /* replace the lines (the whole of them) */
};

struct sb_po_filter {
    bool status_set;
    enum sb_po_status status;
    int64_t supplier_id, outlet_id; /* 0: any */
    /* a PO number ("PO-00042", "42"): that order; else part of the number or of the
     * supplier's name */
    const char *q;
};

/* A draft. The outlet's currency unless one is given. Line errors name "lines[i].item_id"
 * (unknown, or does not track stock). SB_EUNKNOWN_REFERENCE for the supplier or outlet. */
sb_err sb_store_po_create(struct sb_db *db, const struct sb_po_input *in, int64_t *ret_id);
/* A draft's supplier, expected date, note and lines (those set). */
sb_err sb_store_po_update(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                          const struct sb_po_input *in);
/* The order with its supplier, lines (item, sku, name, quantity, received, outstanding,
 * unit_cost), total and deliveries. */
sb_err sb_store_po_get(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t **ret);
/* Newest first: ids below after (0: from the newest). */
sb_err sb_store_po_list(struct sb_db *db, const struct sb_scope *scope,
                        const struct sb_po_filter *f, int64_t after, int64_t limit, json_t **ret);

/* draft -> ordered: on_order grows by every line's quantity. */
sb_err sb_store_po_order(struct sb_db *db, const struct sb_scope *scope, int64_t id);

struct sb_po_receive_line {
    int64_t line_id, item_id; /* one of them (line_id wins) */
    int64_t quantity;
};

/*
 * A delivery: lines[i] receives quantity of its line, through the stock receipt (ledger
 * reference "receipt:<number>"); status becomes partial or received. More than is
 * outstanding on a line is SB_ECONFLICT naming "lines[i].quantity"; a line of another
 * order is SB_EUNKNOWN_REFERENCE. A delivery with a reference this order has seen is not
 * received again: *ret_replayed is true and nothing changes.
 */
sb_err sb_store_po_receive(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                           const char *reference, const char *note, int64_t user_id,
                           const struct sb_po_receive_line *lines, size_t n, bool *ret_replayed);

/* -> cancelled: what was outstanding leaves on_order. */
sb_err sb_store_po_cancel(struct sb_db *db, const struct sb_scope *scope, int64_t id);

#endif
