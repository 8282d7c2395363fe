/*
 * A web order as the engine sees it, whatever channel it came from. Channel
 * adapters turn their wire formats (Shopify's REST webhook body or GraphQL
 * node, Magento's order, Ecwid's order...) into this; the pipeline turns
 * this into a sale. Money is in minor units of `currency`, exactly as the
 * channel computed it (SPEC O4): nothing here is recomputed.
 *
 * All strings and arrays live in the arena the order was parsed into.
 */
#ifndef SB_ORDER_H
#define SB_ORDER_H

#include "core/address.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sb_order_financial {
    SB_FIN_PENDING, /* nothing paid yet (including unintegrated methods awaiting payment) */
    SB_FIN_AUTHORIZED,
    SB_FIN_PARTIALLY_PAID,
    SB_FIN_PAID,
    SB_FIN_PARTIALLY_REFUNDED,
    SB_FIN_REFUNDED,
    SB_FIN_VOIDED,
};

enum sb_order_fulfillment {
    SB_FUL_UNFULFILLED,
    SB_FUL_PARTIAL,
    SB_FUL_FULFILLED
};

struct sb_order_tax {
    const char *title;
    const char *rate; /* decimal text as sent ("0.08"), may be NULL */
    int64_t amount;
};

struct sb_order_line {
    const char *external_id;
    const char *sku;     /* may be NULL or empty */
    const char *barcode; /* the variant's barcode when the channel sends it; may be NULL */
    const char *title;
    const char *variant_title; /* may be NULL */
    /* the channel's product and variant ids when it sends them (Ecwid: productId and
     * combinationId, as text); NULL otherwise */
    const char *product_id, *variant_id;
    int64_t quantity;
    int64_t unit_price;
    int64_t discount; /* the whole line's discount (Shopify: sum of discount_allocations) */
    struct sb_order_tax *taxes;
    size_t n_taxes;
    bool requires_shipping;
    /* A priced line whose products follow as their own lines (Magento's fixed-price bundle:
     * the parent is charged, its children at 0 move the stock, M8): matched as any line, but
     * an unknown SKU makes it a non-inventory line without flagging the sale for review. */
    bool container;
};

struct sb_order_shipping {
    const char *title; /* the shipping method as the customer chose it */
    const char *code;
    int64_t price;
    int64_t discount;
    struct sb_order_tax *taxes;
    size_t n_taxes;
};

struct sb_order_discount {
    const char *code; /* or title */
    int64_t amount;   /* in discounts[]: informative, already allocated to lines and shipping;
                       * in order_discounts[]: the order-level amount no line carries */
};

struct sb_order_payment {
    const char *external_id; /* transaction id; may be NULL */
    const char *gateway;     /* "shopify_payments", "manual", "Cash on Delivery (COD)" ... */
    int64_t amount;
};

struct sb_order_refund_line {
    const char *line_external_id;
    int64_t quantity;
    int64_t amount; /* subtotal + tax refunded for the line */
    bool restock;
};

struct sb_order_refund {
    const char *external_id;
    const char *note;
    struct sb_order_refund_line *lines;
    size_t n_lines;
    int64_t amount; /* money returned (transactions) */
};

struct sb_order_shipment {
    const char *external_id;
    const char *tracking_number, *tracking_company, *tracking_url;
};

struct sb_order {
    const char *external_id; /* the channel's order id, e.g. "450789469" */
    const char *number;      /* what staff and customers call it: "#1001" */
    const char *currency;
    int64_t created_at;
    int64_t updated_at; /* the version: a newer one supersedes an older one (O3) */
    const char *email;  /* NULL when the order has none (C5) */
    const char *first_name, *last_name, *phone;
    enum sb_order_financial financial;
    enum sb_order_fulfillment fulfillment;
    bool cancelled;
    const char *cancel_reason;
    /* The order's status as the channel names it, raw (Shopify: its financial status as
     * sent), or NULL. For a kind with a status table (SB_CH_STATUS_IN) the engine reads
     * the POS's meaning from the table (sync/order-status.c); for the others it is kept
     * for the log only. */
    const char *channel_status;
    /* The order's payment status as the channel names it, raw (Ecwid's paymentStatus), or
     * NULL: what a kind's decide says why an order waits by (O10). */
    const char *payment_status;
    bool taxes_included;
    const char *gateway; /* the payment gateway named by the order */
    const char *note;    /* the order note, plus note attributes as "name: value" lines */
    /* the channel's totals */
    int64_t subtotal, total_discounts, total_tax, total_shipping, total_price, total_outstanding;
    /* what the channel has invoiced (Magento's total_invoiced: M3, M4 decide by it); 0 where
     * the channel keeps no invoices */
    int64_t total_invoiced;
    struct sb_order_line *lines;
    size_t n_lines;
    struct sb_order_shipping *shipping;
    size_t n_shipping;
    struct sb_order_discount *discounts;
    size_t n_discounts;
    /* O4: taxes and discounts at order level that the channel did not allocate to lines or
     * shipping (an order placed with its taxes on the order, say): kept as order-level rows
     * under their own names, never folded into the rounding adjustment */
    struct sb_order_tax *order_taxes;
    size_t n_order_taxes;
    struct sb_order_discount *order_discounts;
    size_t n_order_discounts;
    struct sb_order_payment *payments; /* captured/settled payments, when the channel lists them */
    size_t n_payments;
    /* E6: payments[] are the sale's payments, each under the payment type its gateway names
     * (the export-model webstore); otherwise the sale takes one payment of what the order
     * says was paid, under the order's gateway */
    bool itemized_payments;
    struct sb_order_refund *refunds;
    size_t n_refunds;
    struct sb_order_shipment *shipments; /* fulfillments made on the channel */
    size_t n_shipments;
    bool has_ship_to;
    struct sb_address ship_to;
    const char *pickup_location; /* set for an in-store pickup (A1), else NULL */
    /* the channel says the pickup is ready to collect (the native eCom store's
     * READY_FOR_PICKUP, read by its status table: L2): its POS fulfillments are Packed */
    bool ready_for_pickup;
};

const char *sb_order_financial_name(enum sb_order_financial f);

#endif
