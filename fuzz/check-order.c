/*
 * The order invariants of check-order.h. The bounds are those the parsers
 * document (shopify-order.c: lines, lists and text lengths); amounts are
 * held to the money range (core/money.h), where the sale arithmetic of
 * core/sale.c and sync/import.c is exact.
 */
#include "check-order.h"

#include "channel/shopify/shopify.h"
#include "core/money.h"
#include "fuzz.h"
#include "util/timeutil.h"

#define TEXT_MAX (16384 + 100 * (255 + 1024 + 3)) /* the longest: a note with its attributes */

static void text(const char *s, bool required, const char *what)
{
    FZ_CHECK(s || !required, "%s is missing", what);
    if (!s)
        return;
    size_t n = strlen(s);
    FZ_CHECK(n <= TEXT_MAX, "%s is %zu bytes", what, n);
    FZ_CHECK(fz_utf8(s, n), "%s is not UTF-8", what);
}

static void amount(int64_t v, bool negative, const char *what)
{
    FZ_CHECK(v <= SB_MONEY_MAX && v >= (negative ? -SB_MONEY_MAX : 0), "%s is %lld", what,
             (long long)v);
}

static void taxes(const struct sb_order_tax *t, size_t n, const char *what)
{
    FZ_CHECK(n <= 100, "%zu taxes on %s", n, what);
    for (size_t i = 0; i < n; i++) {
        text(t[i].title, true, "a tax title");
        text(t[i].rate, false, "a tax rate");
        amount(t[i].amount, false, "a tax");
    }
}

void fz_check_order(const struct sb_order *o)
{
    FZ_CHECK(o, "no order");
    FZ_CHECK(sb_shopify_numeric_id(o->external_id), "order id \"%s\"",
             o->external_id ? o->external_id : "(null)");
    text(o->number, true, "number");
    FZ_CHECK(sb_currency_valid(o->currency), "currency");
    FZ_CHECK(o->created_at >= SB_TIME_MIN && o->updated_at >= SB_TIME_MIN, "times");
    text(o->email, false, "email");
    text(o->first_name, false, "first name");
    text(o->last_name, false, "last name");
    text(o->phone, false, "phone");
    text(o->cancel_reason, false, "cancel reason");
    text(o->gateway, false, "gateway");
    text(o->note, false, "note");
    text(o->pickup_location, false, "pickup location");
    FZ_CHECK(o->financial <= SB_FIN_VOIDED && o->fulfillment <= SB_FUL_FULFILLED, "statuses");
    amount(o->subtotal, false, "subtotal");
    amount(o->total_discounts, false, "total discounts");
    amount(o->total_tax, false, "total tax");
    amount(o->total_shipping, true, "total shipping");
    amount(o->total_price, false, "total price");
    amount(o->total_outstanding, true, "total outstanding");

    FZ_CHECK(o->n_lines >= 1 && o->n_lines <= SB_SHOPIFY_MAX_LINES, "%zu lines", o->n_lines);
    for (size_t i = 0; i < o->n_lines; i++) {
        const struct sb_order_line *l = &o->lines[i];
        FZ_CHECK(sb_shopify_numeric_id(l->external_id), "line id");
        text(l->sku, false, "sku");
        text(l->barcode, false, "barcode");
        text(l->title, true, "line title");
        text(l->variant_title, false, "variant title");
        FZ_CHECK(l->quantity >= 1 && l->quantity <= 1000000, "quantity %lld",
                 (long long)l->quantity);
        amount(l->unit_price, false, "unit price");
        amount(l->discount, false, "line discount");
        taxes(l->taxes, l->n_taxes, "a line");
    }
    FZ_CHECK(o->n_shipping <= 50, "%zu shipping lines", o->n_shipping);
    for (size_t i = 0; i < o->n_shipping; i++) {
        text(o->shipping[i].title, true, "shipping title");
        text(o->shipping[i].code, false, "shipping code");
        amount(o->shipping[i].price, false, "shipping price");
        amount(o->shipping[i].discount, false, "shipping discount");
        taxes(o->shipping[i].taxes, o->shipping[i].n_taxes, "a shipping line");
    }
    FZ_CHECK(o->n_discounts <= 50, "%zu discounts", o->n_discounts);
    for (size_t i = 0; i < o->n_discounts; i++) {
        text(o->discounts[i].code, true, "discount code");
        amount(o->discounts[i].amount, false, "discount");
    }
    FZ_CHECK(o->n_payments <= 250, "%zu payments", o->n_payments);
    for (size_t i = 0; i < o->n_payments; i++) {
        FZ_CHECK(!o->payments[i].external_id || sb_shopify_numeric_id(o->payments[i].external_id),
                 "payment id");
        text(o->payments[i].gateway, false, "payment gateway");
        amount(o->payments[i].amount, false, "payment");
    }
    FZ_CHECK(o->n_refunds <= 100, "%zu refunds", o->n_refunds);
    for (size_t i = 0; i < o->n_refunds; i++) {
        const struct sb_order_refund *r = &o->refunds[i];
        FZ_CHECK(sb_shopify_numeric_id(r->external_id), "refund id");
        text(r->note, false, "refund note");
        amount(r->amount, false, "refund");
        FZ_CHECK(r->n_lines <= SB_SHOPIFY_MAX_LINES, "%zu refund lines", r->n_lines);
        for (size_t k = 0; k < r->n_lines; k++) {
            FZ_CHECK(sb_shopify_numeric_id(r->lines[k].line_external_id), "refund line id");
            FZ_CHECK(r->lines[k].quantity >= 0 && r->lines[k].quantity <= 1000000,
                     "refund quantity");
            amount(r->lines[k].amount, false, "refund line");
        }
    }
    FZ_CHECK(o->n_shipments <= 100, "%zu shipments", o->n_shipments);
    for (size_t i = 0; i < o->n_shipments; i++) {
        FZ_CHECK(sb_shopify_numeric_id(o->shipments[i].external_id), "shipment id");
        text(o->shipments[i].tracking_number, false, "tracking number");
        text(o->shipments[i].tracking_company, false, "tracking company");
        text(o->shipments[i].tracking_url, false, "tracking url");
    }
    const struct sb_address *to = &o->ship_to;
    const char *parts[] = { to->name,   to->company,  to->line1,   to->line2, to->city,
                            to->region, to->postcode, to->country, to->phone, to->email };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        text(parts[i], false, "ship-to");
}
