/*
 * Sales, payments, voids and returns (portable SQL). Each function that
 * changes something is one business action: one transaction, joining the
 * caller's when there is one (the order pipeline wraps a whole web order).
 * Sale reads honour the caller's scope: a sale of another outlet is
 * SB_ENOT_FOUND, exactly as if it did not exist.
 */
#ifndef SB_STORE_SALES_H
#define SB_STORE_SALES_H

#include "core/sale.h"
#include "core/scope.h"
#include "store/db.h"

#include <jansson.h>

/*
 * Records a sale from the till or from a channel: the sale and its lines,
 * taxes, discounts, adjustments and payments; stock leaving each line's outlet
 * (ledger reason sale, reference "sale:<id>"); and with in->ship_to a
 * shipment, one fulfillment at the sale's outlet (unless own_fulfillments) and
 * a "fulfillment.new" notification (unless no_notification). References that
 * do not exist are SB_EUNKNOWN_REFERENCE naming the field ("lines[2].item_id"); a POS
 * sale taking more of an item than its outlet has available is SB_EEXCEEDS_STOCK
 * ("lines[i].quantity") unless in->allow_oversell (core/oversell.h);
 * a register of another outlet is SB_EINVALID_FIELD "register_id"; a channel
 * order already recorded is SB_EDUPLICATE "external_id" (SPEC O2).
 */
sb_err sb_store_sale_create(struct sb_db *db, const struct sb_sale_input *in, int64_t *ret_id);
/* The same, answering the new lines' ids too (ret_line_ids: in->n_lines of them, in
 * line order), for a caller that goes on to write rows about them (fulfillments). */
sb_err sb_store_sale_create_lines(struct sb_db *db, const struct sb_sale_input *in, int64_t *ret_id,
                                  int64_t *ret_line_ids);

/* The whole sale: its columns with "lines" (each with "taxes"), "taxes" (order
 * level), "discounts", "adjustments", "payments" (with payment_type_name),
 * "returns" (each with "lines"), "customer" (or null), "shipment" (or null) and
 * "fulfillments". */
sb_err sb_store_sale_get(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t **ret);

/* The longest order number a sales search takes (?external_number=, SPEC T2). */
#define SB_SALE_EXTERNAL_NUMBER_MAX 200

struct sb_sale_filter {
    const char *from, *to; /* created_at >= from, < to; ISO 8601 UTC text, NULL: open */
    /* business_day >= from_day, < to_day: "YYYY-MM-DD" days in each sale's outlet's time
     * zone (SPEC T1), NULL: open */
    const char *from_day, *to_day;
    /* today (SPEC T1, O9): each outlet's own today, in its time zone, at `now` (ISO 8601
     * UTC text) */
    const char *today;
    int64_t outlet_id;   /* 0: any (within the scope) */
    int64_t customer_id; /* 0: any */
    bool pos_only;       /* sales made in the POS (source pos) */
    int64_t channel_id;  /* 0: any */
    /* T2: the channel's order number, exactly: the sale's external_number (the number the
     * webstore shows its customer) or its external_id (the channel's own order id); NULL:
     * any */
    const char *external_number;
    bool status_set;
    enum sb_sale_status status;
    /* M6: one document kind; unset: sales and invoices, not open customer orders (they
     * have their own list, store/orders.h, until they become sales) */
    bool kind_set;
    enum sb_sale_kind kind;
    /* T2: a sale's number ("123" or "#123"), the channel's order number or id, an item's SKU,
     * or the start of the customer's email, full name or last name (case-insensitive); NULL
     * or "": any */
    const char *q;
    /* the order of the rows: by id (the default: oldest first), newest first, or by total
     * (largest first or smallest first), each keyset-paginated after the id of the last
     * row of the page before */
    enum sb_sale_sort {
        SB_SALE_SORT_ID,
        SB_SALE_SORT_NEWEST,
        SB_SALE_SORT_TOTAL_DESC,
        SB_SALE_SORT_TOTAL_ASC
    } sort;
};

/* The longest q a sales search takes. */
#define SB_SALE_Q_MAX 200
/* A count of the sales a search matches stops here (the answer says "at least"). */
#define SB_SALE_COUNT_CAP 10000

/* Sale rows (columns, "channel_name" among them, plus "customer_name"), in f->sort's
 * order, after the sale `after` (0: from the first); store/sale-search.c. A sale `after`
 * that the caller cannot see or that does not exist is SB_EINVALID_QUERY "after" for the
 * sorts by total (their page boundary is that sale's total). */
sb_err sb_store_sale_list(struct sb_db *db, const struct sb_scope *scope,
                          const struct sb_sale_filter *f, int64_t after, int64_t limit,
                          json_t **ret);
/* How many sales the filters match, up to SB_SALE_COUNT_CAP + 1 (more than the cap: at
 * least that many). */
sb_err sb_store_sale_count(struct sb_db *db, const struct sb_scope *scope,
                           const struct sb_sale_filter *f, int64_t *ret);

/* Adds a payment to an open sale (completed or voided: SB_ECONFLICT); an amount
 * above the balance due is SB_EINVALID_FIELD "amount". Completes the sale when
 * nothing is left to pay. A repeated external_id is SB_EDUPLICATE (SPEC P4). */
sb_err sb_store_sale_pay(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                         const struct sb_sale_payment *p, int64_t user_id, int64_t *ret_id);

/* Voids an open or completed sale without returns (else SB_ECONFLICT): its stock
 * comes back (reason void, reference "void:<id>"), its open fulfillments are
 * cancelled; payments stay as they were. The reason (may be NULL) is appended to
 * the sale's note as "Voided: <reason>". A web order's cancellation is queued for its
 * channel (S1) in the same transaction. */
sb_err sb_store_sale_void(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                          int64_t user_id, const char *reason);

/* S1: the channel cancelled the order after download. The sale is voided whatever was
 * returned before (a cancel often carries its own refund): returns stay on record as
 * they are, the units no return took come back to stock, every fulfillment not yet
 * completed is cancelled; nothing is queued for the channel, which cancelled it.
 * SB_ECONFLICT when it is already voided. */
sb_err sb_store_sale_void_cancelled(struct sb_db *db, int64_t sale_id, const char *reason);

/* O3: a newer version of a web order changed its note or customer on the channel: the
 * sale takes them (customer_id 0: none). */
sb_err sb_store_sale_set_channel_details(struct sb_db *db, int64_t sale_id, const char *note,
                                         int64_t customer_id);

/* Records a return on a sale that is not voided (else SB_ECONFLICT): return and
 * return_lines rows, returned quantities, the sale's refunded_total, and stock
 * back where asked (reason return, reference "return:<return id>"). Lines of
 * another sale are SB_EINVALID_FIELD, too many units SB_EINSUFFICIENT. Refunds
 * never exceed what was paid: a default amount stops there, an explicit amount
 * above it is SB_EINVALID_FIELD "lines[i].amount". */
sb_err sb_store_sale_return(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                            const struct sb_return_input *in, int64_t *ret_return_id);

/* One return with its "lines". */
sb_err sb_store_return_get(struct sb_db *db, int64_t return_id, json_t **ret);

#endif
