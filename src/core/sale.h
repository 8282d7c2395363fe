/*
 * Sales: the POS record of a purchase, made at the till or built from a web
 * order by the channel pipeline. One input struct describes both, so the
 * HTTP layer and the pipeline only translate their own format into it.
 *
 * The arithmetic, kept exactly as `stockbridge check` verifies it:
 *   line:  tax_total  = sum of the line's taxes
 *          line_total = quantity * unit_price - line_discount + tax_total
 *   sale:  subtotal         = sum of quantity * unit_price
 *          discount_total   = sum of line discounts + sum of order discounts
 *          tax_total        = sum of every tax (line and order level)
 *          adjustment_total = sum of adjustments (signed)
 *          total            = subtotal - discount_total + tax_total + adjustment_total
 *          paid_total       = sum of payments; balance_due = total - paid_total
 *   status: "completed" when nothing is due, else "open"; "voided" after a void.
 * Refunds (returns) never change these figures: they add up in
 * sales.refunded_total, so a sale's takings stay what the customer paid.
 */
#ifndef SB_SALE_H
#define SB_SALE_H

#include "core/address.h"
#include "core/customer-order.h"
#include "core/money.h"
#include "core/outlet.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Input bounds: what one request (or one web order) may carry. */
#define SB_SALE_MAX_LINES 500
#define SB_SALE_MAX_PARTS 50 /* taxes per line, order taxes, discounts, adjustments, payments */
#define SB_QTY_MAX        1000000 /* units on one line */

enum sb_sale_status {
    SB_SALE_OPEN,
    SB_SALE_COMPLETED,
    SB_SALE_VOIDED
};
enum sb_sale_source {
    SB_SALE_SOURCE_POS,
    SB_SALE_SOURCE_CHANNEL
};

const char *sb_sale_status_name(enum sb_sale_status s);
bool sb_sale_status_parse(const char *s, enum sb_sale_status *ret);
const char *sb_sale_source_name(enum sb_sale_source s);

/* A tax as the till or the channel computed it: never recomputed here (SPEC O4). */
struct sb_sale_tax {
    const char *name;
    const char *rate; /* decimal text such as "8.25", may be NULL */
    int64_t amount;
};

struct sb_sale_line {
    int64_t item_id;         /* 0: a non-inventory line (free text, or a channel product the POS
                         does not know, SPEC O5) */
    const char *sku;         /* NULL: the item's SKU */
    const char *description; /* NULL: the item's name; required without an item */
    int64_t quantity;
    int64_t unit_price;
    bool unit_price_set;   /* false: the item's price at the sale's price level */
    int64_t line_discount; /* for the whole line, not per unit */
    const struct sb_sale_tax *taxes;
    size_t n_taxes;
    int64_t outlet_id;            /* where its stock leaves; 0: the sale's outlet */
    const char *external_line_id; /* the channel's line id, may be NULL */
    bool shipping;                /* the order's shipping charge: never an item to pack */
};

struct sb_sale_discount {
    const char *name, *code;
    int64_t amount;
};

/* An explicit correction, e.g. a channel's rounding remainder (SPEC O4). Signed. */
struct sb_sale_adjustment {
    const char *reason;
    int64_t amount;
};

struct sb_sale_payment {
    int64_t payment_type_id;
    int64_t amount;
    const char *reference;   /* may be NULL */
    const char *external_id; /* the channel's transaction id, may be NULL */
};

struct sb_sale_input {
    int64_t outlet_id;
    int64_t register_id, employee_id, customer_id, user_id; /* 0: none */
    int64_t price_level_id; /* 0: the price level with the lowest id */
    const char *note;
    enum sb_sale_source source;
    int64_t channel_id; /* with source channel */
    const char *external_id, *external_number;
    bool needs_review;
    const char *review_reason;
    const struct sb_sale_line *lines;
    size_t n_lines;
    const struct sb_sale_tax *taxes; /* order level */
    size_t n_taxes;
    const struct sb_sale_discount *discounts; /* order level */
    size_t n_discounts;
    const struct sb_sale_adjustment *adjustments;
    size_t n_adjustments;
    const struct sb_sale_payment *payments;
    size_t n_payments;
    /* Shipping: with ship_to, a shipment is created; unless the caller allocates
     * fulfillments itself (a channel order split across outlets), one fulfillment at
     * the sale's outlet covers every line, and a notification announces it. */
    const struct sb_address *ship_to;
    const char *ship_method, *ship_note;
    bool pickup;
    bool own_fulfillments; /* the caller creates the fulfillments */
    bool no_notification;  /* notifications are off for this channel (SPEC N3) */
    bool allow_oversell;   /* a POS sale may take more than the outlet has (the clerk
                              confirmed it); see core/oversell.h */
    /* M6: a sale (default), a customer order (stays open; its payments are deposits; its
     * stock is reserved when `reserve`, else untouched until it becomes a sale), or an
     * invoice (a sale by another name). core/customer-order.h */
    enum sb_sale_kind kind;
    bool reserve;
};

/* Per-line results of sb_sale_compute. */
struct sb_sale_line_calc {
    int64_t gross; /* quantity * unit_price */
    int64_t tax_total;
    int64_t line_total;
};

struct sb_sale_totals {
    int64_t subtotal, discount_total, tax_total, adjustment_total, total, paid_total, balance_due;
};

/* Shape checks that need no database: line count, quantities, non-inventory lines
 * carrying a description and a price, amounts in range, tax rates. Field names are
 * paths such as "lines[2].quantity". */
sb_err sb_sale_validate(const struct sb_sale_input *in);

/* The arithmetic above, overflow-checked. Every line must have its unit price by now.
 * calc has in->n_lines entries. Refuses a line discount above the line's value, a
 * negative total, and payments above the total. */
sb_err sb_sale_compute(const struct sb_sale_input *in, struct sb_sale_line_calc *calc,
                       struct sb_sale_totals *ret);

/* The status that follows from the figures (never "voided"). */
enum sb_sale_status sb_sale_status_for(int64_t total, int64_t paid_total);

/* A payment on an open sale: amount > 0 and not above the balance due. Updates t. */
sb_err sb_sale_pay(struct sb_sale_totals *t, int64_t amount);

/* True for a non-negative decimal such as "8", "8.25", "0.0825" (at most 32 chars). */
bool sb_sale_rate_valid(const char *s);

/*
 * The default refund for returning qty units of a line: that share of the line
 * total, rounded down; the return that takes the line's last units gets what is
 * left of the line total, so a line returned in parts refunds to the cent.
 *   line_total, quantity: the line; returned_qty, refunded: what earlier returns took.
 */
int64_t sb_sale_return_share(int64_t line_total, int64_t quantity, int64_t returned_qty,
                             int64_t refunded, int64_t qty);

/* Checks one returned line: qty > 0 and within what is left (SB_EINSUFFICIENT), and an
 * explicit amount within what is left to refund on the line (SB_EINVALID_FIELD). field is
 * the path prefix for errors, such as "lines[0]". */
sb_err sb_sale_return_check(const char *field, int64_t quantity, int64_t returned_qty,
                            int64_t line_total, int64_t refunded, int64_t qty, bool amount_set,
                            int64_t amount);

/* A return: some units of some lines come back, with a refund (SPEC S2). */
struct sb_return_line {
    int64_t sale_line_id;
    int64_t quantity;
    int64_t amount; /* the refund for these units, when amount_set */
    bool amount_set;
    bool restock; /* put the units back in stock at the line's outlet */
};

struct sb_return_input {
    const char *reason;
    int64_t payment_type_id; /* how the refund was given; 0: not said */
    int64_t user_id;         /* 0: none */
    const char *external_id; /* the channel's refund id, may be NULL */
    const struct sb_return_line *lines;
    size_t n_lines;
};

/* Shape checks for a return: 1..SB_SALE_MAX_LINES lines, quantities > 0, amounts >= 0. */
sb_err sb_return_validate(const struct sb_return_input *in);

/* Payment types: a name unique case-insensitively, and whether the till's terminal
 * takes it (integrated). */
struct sb_payment_type {
    struct sb_opt_str name;
    bool integrated, integrated_set;
};
sb_err sb_payment_type_validate(const struct sb_payment_type *p, bool create);

#endif
