/*
 * One version of a web order, applied inside a write transaction.
 *
 * First download: the customer (C1-C5), lines matched to items by SKU, then
 * UPC, EAN and manufacturer SKU, unknown ones kept as non-inventory lines
 * with the sale flagged for review (O5), shipping as a non-inventory line,
 * discounts and taxes exactly as the channel computed them, an explicit
 * adjustment for whatever remains between our sum and the channel's total
 * (O4), the payment under the gateway's payment type (P1-P3), the shipment
 * with its notes (O1, O7), allocation to outlets (A1-A4), one fulfillment
 * per outlet (F1), stock (O6) and a notification per fulfillment (N1, N3).
 *
 * Later versions: cancelled -> void (S1), paid -> payment (P4), refunds ->
 * returns (S2), fulfilled on the channel -> shipped when the channel says
 * so (S4). Each is idempotent: re-applying a version changes nothing.
 */
#include "sync/order-apply.h"
#include "core/allocate.h"
#include "core/sale.h"
#include "store/channel-log.h"
#include "store/channel-orders.h"
#include "store/customers.h"
#include "store/fulfillments.h"
#include "store/notifications.h"
#include "store/outbox-email.h"
#include "store/order-lookup.h"
#include "store/outbox-queue.h"
#include "store/outbox.h"
#include "store/payment-types.h"
#include "store/sales.h"
#include "store/savepoint.h"
#include "store/shipments.h"
#include "store/stock-queue.h"
#include "sync/order-status.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool setting(const struct sb_channel_rt *rt, const char *key, bool dflt)
{
    json_t *v = json_object_get(rt->ch.settings, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static const struct sb_scope everything = { .all_outlets = true, .role = SB_ROLE_ADMIN };

/* ---- matching lines to items (O5) ---- */

struct item_match {
    int64_t id;
    bool tracked;
};

/* sku_tried: the line's SKU was looked for as a SKU already (with the order's other lines,
 * sb_store_items_by_sku), and found nothing. */
static sb_err find_item(struct sb_db *db, const struct sb_order_line *l, bool sku_tried,
                        struct item_match *ret)
{
    static const enum sb_item_code by[] = { SB_ITEM_SKU, SB_ITEM_UPC, SB_ITEM_EAN, SB_ITEM_MPN };
    const char *keys[2] = { l->sku && *l->sku ? l->sku : NULL,
                            l->barcode && *l->barcode ? l->barcode : NULL };
    ret->id = 0;
    for (size_t k = 0; k < 2; k++) {
        if (!keys[k])
            continue;
        /* the SKU is tried in every field, in order; a barcode only as UPC or EAN */
        for (size_t b = k == 0 ? (sku_tried ? 1 : 0) : 1; b < (k == 0 ? 4u : 3u); b++) {
            sb_err err = sb_store_item_by_code(db, by[b], keys[k], &ret->id, &ret->tracked);
            if (err || ret->id)
                return err;
        }
    }
    return SB_OK;
}

/* ---- the first download ---- */

/* The allocation's stock reader. sb_allocate's callback cannot fail, so a failed read
 * is kept here and fails the import after it: an order is never allocated as if the
 * stock it could not read were not there. No stock row is no stock. The first question
 * about an outlet reads the stock of all the order's items there (one statement); the
 * rest are answered from that, in the same transaction. */
struct avail_ctx {
    struct sb_db *db;
    sb_err err;
    struct sb_errinfo info;
    const int64_t *items; /* the order's items that track stock */
    size_t n_items;
    const int64_t *outlets; /* the channel's */
    size_t n_outlets;
    bool *read;     /* per outlet */
    int64_t *stock; /* [outlet][item] */
};

static int64_t available(void *ud, int64_t item_id, int64_t outlet_id)
{
    struct avail_ctx *c = ud;
    int64_t v = 0;
    if (c->err)
        return 0;
    for (size_t o = 0; o < c->n_outlets; o++) {
        if (c->outlets[o] != outlet_id)
            continue;
        for (size_t i = 0; i < c->n_items; i++) {
            if (c->items[i] != item_id)
                continue;
            sb_err err = SB_OK;
            if (!c->read[o])
                err = sb_store_stock_free_many(c->db, c->items, c->n_items, outlet_id,
                                               &c->stock[o * c->n_items]);
            if (err) {
                c->err = err;
                c->info = *sb_err_last();
                return 0;
            }
            c->read[o] = true;
            return c->stock[o * c->n_items + i];
        }
    }
    sb_err err = sb_store_stock_free(c->db, item_id, outlet_id, &v);
    if (err) {
        c->err = err;
        c->info = *sb_err_last();
    }
    return err ? 0 : v;
}

/* Splits amount over a part of quantity q out of Q: floor share, the last part
 * takes the remainder so the parts add up to the cent. */
static int64_t share(int64_t amount, int64_t q, int64_t Q, int64_t *given, bool last)
{
    int64_t s = last ? amount - *given : (int64_t)((__int128)amount * q / Q);
    *given += s;
    return s;
}

static const char *method_of(const struct sb_order *o)
{
    return o->n_shipping && o->shipping[0].title ? o->shipping[0].title : NULL;
}

/* A1: the outlet tied to the order's shipping method or pickup point, if any. */
static bool forced_outlet(const struct sb_channel_rt *rt, const struct sb_order *o,
                          size_t *ret_index, bool *ret_pickup)
{
    const char *keys[2] = { o->pickup_location, method_of(o) };
    for (size_t k = 0; k < 2; k++) {
        if (!keys[k])
            continue;
        for (size_t m = 0; m < rt->rec.n_methods; m++) {
            if (strcasecmp(rt->rec.methods[m].method, keys[k]) != 0)
                continue;
            for (size_t i = 0; i < rt->rec.n_outlets; i++) {
                if (rt->rec.outlet_ids[i] == rt->rec.methods[m].outlet_id) {
                    *ret_index = i;
                    *ret_pickup = rt->rec.methods[m].pickup || k == 0;
                    return true;
                }
            }
        }
    }
    return false;
}

#define NO_REGISTER                                                                        \
    "the channel has no register at one of its outlets: choose the register whose outlet " \
    "takes its orders (W4)"

/* W4: the index among the channel's outlets of its register's outlet; false when it has no
 * register, or the register is at none of them (*ret_err set only when the read failed). */
static bool register_index(struct sb_db *db, const struct sb_channel_rt *rt, size_t *ret_index,
                           sb_err *ret_err)
{
    int64_t outlet = 0;
    *ret_err = SB_OK;
    if (!rt->rec.register_id)
        return false;
    sb_err err = sb_store_register_outlet(db, rt->rec.register_id, &outlet);
    if (err == SB_ENOT_FOUND)
        return false; /* a register gone is none */
    if (err) {
        *ret_err = err;
        return false;
    }
    for (size_t i = 0; i < rt->rec.n_outlets; i++) {
        if (rt->rec.outlet_ids[i] == outlet) {
            *ret_index = i;
            return true;
        }
    }
    return false;
}

static bool needs_fulfillment(const struct sb_order *o)
{
    if (o->has_ship_to || o->pickup_location)
        return true;
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i].requires_shipping)
            return true;
    return false;
}

static const char *shipment_note(struct sb_arena *a, const struct sb_channel_rt *rt,
                                 const struct sb_order *o, const char *payment_type)
{
    /* what is paid is the sale's balance, not the note's: the note says how */
    const char *tracking = o->n_shipments ? o->shipments[0].tracking_number : NULL;
    return sb_arena_printf(a, "Webstore order %s (%s)%s%s\nPayment: %s%s%s%s%s",
                           o->number ? o->number : o->external_id, rt->ch.name,
                           o->note ? "\nNote: " : "", o->note ? o->note : "", payment_type,
                           method_of(o) ? "\nShipping: " : "", method_of(o) ? method_of(o) : "",
                           tracking ? "\nTracking: " : "", tracking ? tracking : "");
}

/* Where the order goes: its ship-to, or for a pickup (or shipping with no address given)
 * the customer's name and email. */
static struct sb_address ship_to_of(const struct sb_order *o)
{
    if (o->has_ship_to)
        return o->ship_to;
    return (struct sb_address){ .name = o->first_name, .email = o->email };
}

static uint64_t fnv(uint64_t h, const char *s)
{
    h = sb_fnv1a_add(h, s ? s : "\x01");
    return (h ^ 0xff) * SB_FNV1A_PRIME; /* a field separator no text holds */
}

/*
 * O3: a digest of what a version says about the details staff may also edit in the POS -
 * ship-to, the shipment's and the sale's notes, the customer. Kept with the order, so a
 * newer version changes them in the POS only when the channel changed them: a newer
 * version that changes nothing of them leaves staff's edits alone, and the sale ends the
 * same whichever versions it was built from.
 */
static const char *details_digest(struct sb_arena *a, const struct sb_channel_rt *rt,
                                  const struct sb_order *o, const char *payment_type)
{
    struct sb_address to = ship_to_of(o);
    const char *const fields[] = {
        to.name,   to.company,  to.line1,      to.line2,     to.city,
        to.region, to.postcode, to.country,    to.phone,     to.email,
        o->note,   o->email,    o->first_name, o->last_name, shipment_note(a, rt, o, payment_type)
    };
    uint64_t h = SB_FNV1A_INIT;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        h = fnv(h, fields[i]);
    return sb_arena_printf(a, "%016llx", (unsigned long long)h);
}

static int64_t paid_amount(const struct sb_order *o)
{
    switch (o->financial) {
    case SB_FIN_PAID:
    case SB_FIN_PARTIALLY_PAID:
    case SB_FIN_PARTIALLY_REFUNDED:
    case SB_FIN_REFUNDED: {
        int64_t paid = o->total_price - o->total_outstanding;
        if (paid < 0)
            paid = 0;
        return paid > o->total_price ? o->total_price : paid;
    }
    default:
        return 0;
    }
}

/* P1, P2: the payment type the channel's gateway maps to, and whether it is integrated. */
static const char *payment_type_of(const struct sb_channel_rt *rt, const struct sb_order *o,
                                   bool *ret_integrated)
{
    *ret_integrated = true;
    return rt->ops->payment_type(&rt->ch, o->gateway, ret_integrated);
}

/* A payment of amount bringing the order's paid total to paid_to: keyed by that total, so
 * applying the same version again records nothing twice. */
static sb_err channel_payment(struct sb_db *db, struct sb_arena *a, const char *ptype,
                              bool integrated, const struct sb_order *o, int64_t paid_to,
                              int64_t amount, struct sb_sale_payment *ret)
{
    *ret = (struct sb_sale_payment){
        .amount = amount,
        .external_id = sb_arena_printf(a, "paid-to:%lld", (long long)paid_to),
        .reference = o->gateway,
    };
    return sb_store_payment_type_ensure(db, ptype, integrated, &ret->payment_type_id);
}

struct built {
    struct sb_sale_line *lines;
    size_t n_lines;
    size_t *order_line; /* for each sale line, its order line (SIZE_MAX: shipping) */
    int64_t *backorder; /* for each sale line */
    int64_t *outlet;    /* for each sale line */
};

/* N1: a new web order's notification at one outlet, linked to its fulfillment there (0: the
 * channel fulfils it, W2). */
static sb_err notify(struct sb_db *db, struct sb_arena *a, const struct sb_channel_rt *rt,
                     const struct sb_order *o, int64_t sale_id, int64_t outlet_id, int64_t ff,
                     bool split, bool backorder, bool pickup)
{
    struct sb_notification note = {
        .outlet_id = outlet_id,
        .kind = "order.new",
        .title = sb_arena_printf(a, "New %s order %s%s%s", rt->ch.name,
                                 o->number ? o->number : o->external_id, split ? " (split)" : "",
                                 backorder ? " (backorder)" : ""),
        .body = sb_arena_printf(
            a, "%s%s%s, %s", o->first_name ? o->first_name : (o->email ? o->email : "A customer"),
            o->first_name && o->last_name ? " " : "",
            o->first_name && o->last_name ? o->last_name : "",
            ff == 0  ? sb_arena_printf(a, "fulfilled on %s", rt->ops->label)
            : pickup ? "pickup"
                     : "to ship"),
        .sale_id = sale_id,
        .fulfillment_id = ff,
    };
    int64_t nid;
    return sb_store_notification_create(db, &note, &nid);
}

/* W2: the sale's shipment recorded as handled on the channel (it ships from there), so no
 * list of orders to ship shows it and nothing goes back to the channel. */
static sb_err channel_fulfilled(struct sb_db *db, const struct sb_order *o, int64_t sale_id)
{
    int64_t shipment = 0;
    bool shipped = false;
    sb_err err = sb_store_sale_shipment(db, sale_id, &shipment, &shipped);
    if (err || !shipment || shipped)
        return err;
    struct sb_shipment_patch patch = { .shipped = true, .shipped_set = true, .from_channel = true };
    if (o->n_shipments && o->shipments[0].tracking_number) {
        patch.tracking_number = (struct sb_opt_str){ o->shipments[0].tracking_number, true };
        patch.carrier = (struct sb_opt_str){ o->shipments[0].tracking_company, true };
    }
    return sb_store_shipment_update(db, &everything, shipment, &patch);
}

static sb_err import(struct sb_db *db, struct sb_arena *a, const struct sb_channel_rt *rt,
                     const struct sb_order *o, enum sb_sale_kind kind, int64_t *ret_sale)
{
    sb_err err;
    size_t nl = o->n_lines, ns = o->n_shipping, no = rt->rec.n_outlets;
    bool review = false;
    const char *review_reason = NULL;

    /* match lines */
    struct item_match *items = sb_arena_alloc(a, (nl + 1) * sizeof(*items));
    struct sb_alloc_line *al = sb_arena_alloc(a, (nl + 1) * sizeof(*al));
    const char **skus = sb_arena_alloc(a, (nl + 1) * sizeof(*skus));
    int64_t *ids = sb_arena_alloc(a, (nl + 1) * sizeof(*ids));
    int64_t *tracked_ids = sb_arena_alloc(a, (nl + 1) * sizeof(*tracked_ids));
    bool *tracked = sb_arena_alloc(a, (nl + 1) * sizeof(*tracked));
    int64_t *free_at_default = sb_arena_alloc(a, (nl + 1) * sizeof(int64_t));
    int64_t *tracked_free = sb_arena_alloc(a, (nl + 1) * sizeof(int64_t));
    if (!items || !al || !skus || !ids || !tracked || !tracked_ids || !free_at_default ||
        !tracked_free)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    /* every line's SKU as a SKU in one read, with the item's stock at the default outlet
     * (allocation's first choice, A3); the other codes line by line when it fails */
    for (size_t i = 0; i < nl; i++)
        skus[i] = o->lines[i].sku && *o->lines[i].sku ? o->lines[i].sku : NULL;
    err = sb_store_items_by_sku(db, skus, nl, rt->rec.default_outlet_id, ids, tracked,
                                free_at_default);
    if (err)
        return err;
    size_t n_tracked = 0;
    bool default_read = true; /* every tracked item's stock there came with it */
    for (size_t i = 0; i < nl; i++) {
        items[i] = (struct item_match){ .id = ids[i], .tracked = tracked[i] };
        err = ids[i] ? SB_OK : find_item(db, &o->lines[i], skus[i] != NULL, &items[i]);
        if (err)
            return err;
        bool listed = false;
        for (size_t j = 0; j < n_tracked; j++)
            listed |= tracked_ids[j] == items[i].id;
        if (items[i].tracked && !listed) {
            default_read &= ids[i] != 0;
            tracked_free[n_tracked] = free_at_default[i];
            tracked_ids[n_tracked++] = items[i].id;
        }
        /* M8: a fixed-price bundle's parent carries the price while its products follow as
         * their own lines and move the stock: unknown, it is a plain non-inventory line */
        if (!items[i].id && !o->lines[i].container) {
            review = true;
            review_reason =
                sb_arena_printf(a, "unknown product: SKU %s (%s)",
                                o->lines[i].sku && *o->lines[i].sku ? o->lines[i].sku : "(none)",
                                o->lines[i].title ? o->lines[i].title : "untitled");
        }
        al[i] = (struct sb_alloc_line){ .item_id = items[i].tracked ? items[i].id : 0,
                                        .quantity = o->lines[i].quantity };
    }

    /* allocate (A1-A4) */
    size_t def = 0;
    for (size_t i = 0; i < no; i++)
        if (rt->rec.outlet_ids[i] == rt->rec.default_outlet_id)
            def = i;
    bool pickup = false;
    size_t forced = 0;
    bool is_forced = forced_outlet(rt, o, &forced, &pickup);
    if (rt->ops->register_outlet) {
        /* W4: the register's outlet takes the order, whatever its method says */
        is_forced = register_index(db, rt, &forced, &err);
        if (err)
            return err;
        if (!is_forced)
            return sb_fail(SB_ECONFLICT, NULL, "%s", NO_REGISTER);
        pickup = o->pickup_location != NULL;
    }
    struct avail_ctx stock = { .db = db,
                               .items = tracked_ids,
                               .n_items = n_tracked,
                               .outlets = rt->rec.outlet_ids,
                               .n_outlets = no,
                               .read = sb_arena_alloc(a, (no + 1) * sizeof(bool)),
                               .stock = sb_arena_alloc(a, (no * n_tracked + 1) * sizeof(int64_t)) };
    if (!stock.read || !stock.stock)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    memset(stock.read, 0, (no + 1) * sizeof(bool));
    for (size_t i = 0; default_read && n_tracked && i < no; i++) {
        if (rt->rec.outlet_ids[i] != rt->rec.default_outlet_id)
            continue;
        memcpy(&stock.stock[i * n_tracked], tracked_free, n_tracked * sizeof(int64_t));
        stock.read[i] = true;
    }
    struct sb_alloc_input ai = { .lines = al,
                                 .n_lines = nl,
                                 .outlets = rt->rec.outlet_ids,
                                 .n_outlets = no,
                                 .default_outlet = def,
                                 .forced = is_forced,
                                 .forced_outlet = forced,
                                 .available = available,
                                 .ud = &stock };
    struct sb_alloc_result ar = { .parts = sb_arena_alloc(a, (nl * (no + 1) + 1) *
                                                                 sizeof(struct sb_alloc_part)) };
    if (!ar.parts)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_allocate(&ai, &ar);
    if (!err && stock.err)
        err = sb_fail(stock.err, stock.info.field[0] ? stock.info.field : NULL, "%s",
                      stock.info.message);
    if (err)
        return err;

    /* sale lines: one per allocated part, then the shipping lines */
    size_t cap = ar.n_parts + ns + 1;
    struct built b = { .lines = sb_arena_alloc(a, cap * sizeof(*b.lines)),
                       .order_line = sb_arena_alloc(a, cap * sizeof(size_t)),
                       .backorder = sb_arena_alloc(a, cap * sizeof(int64_t)),
                       .outlet = sb_arena_alloc(a, cap * sizeof(int64_t)) };
    if (!b.lines || !b.order_line || !b.backorder || !b.outlet)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < nl; i++) {
        const struct sb_order_line *l = &o->lines[i];
        int64_t disc_given = 0;
        int64_t *tax_given = sb_arena_alloc(a, (l->n_taxes + 1) * sizeof(int64_t));
        size_t nparts = 0, seen = 0;
        for (size_t p = 0; p < ar.n_parts; p++)
            nparts += ar.parts[p].line == i;
        for (size_t p = 0; p < ar.n_parts; p++) {
            const struct sb_alloc_part *part = &ar.parts[p];
            if (part->line != i)
                continue;
            bool last = ++seen == nparts;
            struct sb_sale_tax *taxes = sb_arena_alloc(a, (l->n_taxes + 1) * sizeof(*taxes));
            if (!taxes || !tax_given)
                return sb_fail(SB_ENOMEM, NULL, NULL);
            for (size_t t = 0; t < l->n_taxes; t++)
                taxes[t] =
                    (struct sb_sale_tax){ .name = l->taxes[t].title ? l->taxes[t].title : "Tax",
                                          .rate = l->taxes[t].rate,
                                          .amount = share(l->taxes[t].amount, part->quantity,
                                                          l->quantity, &tax_given[t], last) };
            const char *desc =
                l->variant_title && *l->variant_title
                    ? sb_arena_printf(a, "%s - %s", l->title ? l->title : "", l->variant_title)
                    : l->title;
            size_t k = b.n_lines++;
            b.lines[k] = (struct sb_sale_line){
                .item_id = items[i].id,
                .sku = l->sku && *l->sku ? l->sku : NULL,
                .description = desc && *desc ? desc : (l->sku && *l->sku ? l->sku : "Web item"),
                .quantity = part->quantity,
                .unit_price = l->unit_price,
                .unit_price_set = true,
                .line_discount = share(l->discount, part->quantity, l->quantity, &disc_given, last),
                .taxes = taxes,
                .n_taxes = l->n_taxes,
                .outlet_id = rt->rec.outlet_ids[part->outlet],
                .external_line_id = l->external_id,
            };
            b.order_line[k] = i;
            b.backorder[k] = part->backorder;
            b.outlet[k] = rt->rec.outlet_ids[part->outlet];
        }
    }
    int64_t sale_outlet =
        ar.n_parts ? rt->rec.outlet_ids[ar.parts[0].outlet] : rt->rec.default_outlet_id;
    for (size_t s = 0; s < ns; s++) {
        const struct sb_order_shipping *sh = &o->shipping[s];
        if (sh->price == 0 && sh->discount == 0 && sh->n_taxes == 0)
            continue;
        struct sb_sale_tax *taxes = sb_arena_alloc(a, (sh->n_taxes + 1) * sizeof(*taxes));
        if (!taxes)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t t = 0; t < sh->n_taxes; t++)
            taxes[t] =
                (struct sb_sale_tax){ .name = sh->taxes[t].title ? sh->taxes[t].title : "Tax",
                                      .rate = sh->taxes[t].rate,
                                      .amount = sh->taxes[t].amount };
        size_t k = b.n_lines++;
        b.lines[k] = (struct sb_sale_line){
            .description = sb_arena_printf(a, "Shipping: %s", sh->title ? sh->title : "shipping"),
            .sku = sh->code,
            .quantity = 1,
            .unit_price = sh->price,
            .unit_price_set = true,
            .line_discount = sh->discount > sh->price ? sh->price : sh->discount,
            .taxes = taxes,
            .n_taxes = sh->n_taxes,
            .outlet_id = sale_outlet,
            .shipping = true,
        };
        b.order_line[k] = SIZE_MAX;
        b.outlet[k] = sale_outlet;
    }

    /* payment (P1-P4): what the channel says was received, whatever the gateway. An
     * unintegrated one (P3) is pending until the merchant marks it paid (P4), and an order
     * first seen already marked paid must come down as a later sight of it would: the
     * result depends only on the version (O3). */
    bool integrated;
    const char *ptype = payment_type_of(rt, o, &integrated);
    struct sb_sale_payment pay = { 0 };
    /* P3 keeps an unintegrated method's order unpaid while the channel waits for the money;
     * once the channel says paid, it is paid (P4), whichever version came first (O3) */
    int64_t paid = paid_amount(o);
    if (kind == SB_KIND_ORDER && !setting(rt, SB_CHANNEL_ORDER_DEPOSITS, false))
        paid = 0; /* M6: an order takes what was paid only as a deposit, when asked */
    if (paid > 0 && (err = channel_payment(db, a, ptype, integrated, o, paid, paid, &pay)))
        return err;
    /* E6: a kind that lists the payments (the export-model webstore) makes each one, under
     * the payment type its method names (created when missing, P2) */
    struct sb_sale_payment *pays = paid > 0 ? &pay : NULL;
    size_t n_pays = paid > 0;
    if (o->itemized_payments && kind == SB_KIND_SALE) {
        pays = sb_arena_alloc(a, (o->n_payments + 1) * sizeof(*pays));
        if (!pays)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < o->n_payments; i++) {
            bool integ = true;
            const char *name = rt->ops->payment_type(&rt->ch, o->payments[i].gateway, &integ);
            pays[i] = (struct sb_sale_payment){
                .amount = o->payments[i].amount,
                .reference = o->payments[i].external_id,
                .external_id = sb_arena_printf(a, "payment:%zu", i),
            };
            if ((err = sb_store_payment_type_ensure(db, name, integ, &pays[i].payment_type_id)))
                return err;
        }
        n_pays = o->n_payments;
    }

    /* customer (C1-C5) */
    int64_t customer = 0;
    err = sb_customer_match_or_create(db, o->email, o->first_name, o->last_name, &customer);
    if (err)
        return err;

    /* the channel's register when it is at the sale's outlet (a register gone is none;
     * a failed read fails the import, rather than make the sale without its register) */
    int64_t reg = 0;
    if (rt->rec.register_id) {
        int64_t reg_outlet = 0;
        err = sb_store_register_outlet(db, rt->rec.register_id, &reg_outlet);
        if (err)
            return err;
        if (reg_outlet == sale_outlet)
            reg = rt->rec.register_id;
    }

    /* O4: the order's own taxes and discounts (those no line carries), under their names */
    struct sb_sale_tax *otax = sb_arena_alloc(a, (o->n_order_taxes + 1) * sizeof(*otax));
    struct sb_sale_discount *odisc = sb_arena_alloc(a, (o->n_order_discounts + 1) * sizeof(*odisc));
    if (!otax || !odisc)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < o->n_order_taxes; i++)
        otax[i] =
            (struct sb_sale_tax){ .name = o->order_taxes[i].title ? o->order_taxes[i].title : "Tax",
                                  .rate = o->order_taxes[i].rate,
                                  .amount = o->order_taxes[i].amount };
    for (size_t i = 0; i < o->n_order_discounts; i++)
        odisc[i] = (struct sb_sale_discount){ .name = o->order_discounts[i].code
                                                          ? o->order_discounts[i].code
                                                          : "Discount",
                                              .code = o->order_discounts[i].code,
                                              .amount = o->order_discounts[i].amount };

    struct sb_sale_adjustment adj[2];
    size_t nadj = 0;
    if (o->taxes_included && o->total_tax)
        adj[nadj++] = (struct sb_sale_adjustment){ .reason = "taxes included in prices",
                                                   .amount = -o->total_tax };
    bool ship = needs_fulfillment(o);
    struct sb_address to = ship_to_of(o);
    struct sb_sale_input in = {
        .outlet_id = sale_outlet,
        .register_id = reg,
        .employee_id = rt->rec.employee_id,
        .customer_id = customer,
        .note = o->note,
        .source = SB_SALE_SOURCE_CHANNEL,
        .channel_id = rt->ch.id,
        .external_id = o->external_id,
        .external_number = o->number,
        .needs_review = review,
        .review_reason = review_reason,
        .lines = b.lines,
        .n_lines = b.n_lines,
        .taxes = otax,
        .n_taxes = o->n_order_taxes,
        .discounts = odisc,
        .n_discounts = o->n_order_discounts,
        .adjustments = adj,
        .n_adjustments = nadj,
        .payments = pays,
        .n_payments = n_pays,
        .ship_to = ship ? &to : NULL,
        .ship_method = method_of(o),
        .ship_note = ship ? shipment_note(a, rt, o, ptype) : NULL,
        .pickup = pickup,
        .own_fulfillments = true,
        .no_notification = true,
        .kind = kind,
        .reserve = kind == SB_KIND_ORDER && setting(rt, SB_CHANNEL_RESERVE_STOCK, true),
    };

    /* O4: the channel's total stands; what our sum misses is an explicit adjustment */
    struct sb_sale_line_calc *calc = sb_arena_alloc(a, (b.n_lines + 1) * sizeof(*calc));
    struct sb_sale_totals t;
    if (!calc)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    in.n_payments = 0;
    err = sb_sale_compute(&in, calc, &t);
    if (err)
        return err;
    if (t.total != o->total_price)
        adj[nadj++] = (struct sb_sale_adjustment){ .reason = "channel total (rounding)",
                                                   .amount = o->total_price - t.total };
    in.n_adjustments = nadj;
    in.n_payments = n_pays;
    int64_t sale_id;
    int64_t *line_ids = sb_arena_alloc(a, (b.n_lines + 1) * sizeof(int64_t));
    if (!line_ids)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_store_sale_create_lines(db, &in, &sale_id, line_ids);
    if (err)
        return err;

    /* W2: the channel fulfils: the shipment keeps the address and notes, and is recorded as
     * handled there; one notification tells staff the order came down (N1, N3) */
    if (rt->ops->channel_fulfills) {
        err = ship ? channel_fulfilled(db, o, sale_id) : SB_OK;
        if (!err && setting(rt, "notifications", true))
            err = notify(db, a, rt, o, sale_id, sale_outlet, 0, false, false, pickup);
        if (err)
            return err;
        ship = false;
    }

    /* fulfillments, one per outlet (F1), and their notifications (N1, N3) */
    if (ship) {
        size_t n = b.n_lines;
        struct sb_ff_line *fl = sb_arena_alloc(a, (b.n_lines + 1) * sizeof(*fl));
        if (!fl)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t oi = 0; oi < no; oi++) {
            size_t nfl = 0;
            bool backorder = false;
            for (size_t k = 0; k < n; k++) {
                if (b.order_line[k] == SIZE_MAX || b.outlet[k] != rt->rec.outlet_ids[oi])
                    continue;
                fl[nfl++] = (struct sb_ff_line){ .sale_line_id = line_ids[k],
                                                 .quantity = b.lines[k].quantity,
                                                 .backorder_quantity = b.backorder[k] };
                backorder |= b.backorder[k] > 0;
            }
            if (!nfl)
                continue;
            struct sb_ff_new f = { .sale_id = sale_id,
                                   .outlet_id = rt->rec.outlet_ids[oi],
                                   .kind = pickup ? SB_FF_PICKUP : SB_FF_SHIPPING,
                                   .is_split = ar.split,
                                   .is_backorder = backorder,
                                   .lines = fl,
                                   .n_lines = nfl };
            int64_t ff;
            err = sb_store_fulfillment_create(db, &f, &ff);
            if (err)
                return err;
            if (setting(rt, "notifications", true) &&
                (err = notify(db, a, rt, o, sale_id, rt->rec.outlet_ids[oi], ff, ar.split,
                              backorder, pickup)))
                return err;
        }
    }
    /* N4: the order emailed to the channel's recipients, through the outbox, once */
    json_t *mail_to = json_object_get(rt->ch.settings, "email_recipients");
    if (setting(rt, "email_new_orders", false) && json_is_string(mail_to) &&
        (err = sb_store_outbox_order_email(db, rt->ch.id, o->external_id, sale_id,
                                           json_string_value(mail_to))))
        return err;
    *ret_sale = sale_id;
    return SB_OK;
}

/* ---- later changes ---- */

static sb_err log_line(struct sb_db *db, const struct sb_channel_rt *rt, const char *level,
                       const char *event, const struct sb_order *o, const char *msg)
{
    return sb_store_channel_log(db, rt->ch.id, level, event, o->external_id, "%s", msg);
}

/* A refund line spread over the sale lines it came from (a line split over outlets is
 * several), in line order, each giving back what it has left. */
struct refund_take {
    const struct sb_order_refund_line *l;
    int64_t want, amount_left;
    struct sb_return_line *rl;
    size_t n, cap;
};

static bool take_line(void *ud, int64_t sale_line_id, int64_t left)
{
    struct refund_take *t = ud;
    if (t->want <= 0 || t->n >= t->cap)
        return false;
    int64_t take = left < t->want ? left : t->want;
    if (take <= 0)
        return true;
    int64_t amount = take == t->want ? t->amount_left
                                     : (int64_t)((__int128)t->l->amount * take / t->l->quantity);
    t->amount_left -= amount;
    t->rl[t->n++] = (struct sb_return_line){ .sale_line_id = sale_line_id,
                                             .quantity = take,
                                             .amount = amount,
                                             .amount_set = true,
                                             .restock = t->l->restock };
    t->want -= take;
    return t->want > 0;
}

struct return_call {
    int64_t sale_id;
    const struct sb_return_input *in;
};

static sb_err return_in_savepoint(struct sb_db *db, void *ctx)
{
    const struct return_call *c = ctx;
    int64_t rid;
    return sb_store_sale_return(db, &everything, c->sale_id, c->in, &rid);
}
/* S2: each refund becomes a return, once (keyed by the refund's id). */
static sb_err apply_refund(struct sb_db *db, struct sb_arena *a, const struct sb_channel_rt *rt,
                           const struct sb_order *o, int64_t sale_id,
                           const struct sb_order_refund *rf)
{
    bool seen = false;
    sb_err err = sb_store_sale_return_seen(db, sale_id, rf->external_id, &seen);
    if (err || seen)
        return err;
    size_t cap = 0;
    for (size_t i = 0; i < rf->n_lines; i++)
        cap += 4;
    struct sb_return_line *rl = sb_arena_alloc(a, (cap + 1) * sizeof(*rl));
    if (!rl)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t n = 0;
    for (size_t i = 0; i < rf->n_lines; i++) {
        const struct sb_order_refund_line *l = &rf->lines[i];
        struct refund_take t = {
            .l = l, .want = l->quantity, .amount_left = l->amount, .rl = rl, .n = n, .cap = cap
        };
        if (t.want > 0)
            err = sb_store_sale_returnable_lines(db, sale_id, l->line_external_id, take_line, &t);
        if (err)
            return err;
        n = t.n;
    }
    if (!n)
        return log_line(db, rt, "warn", "refund.unmatched", o,
                        sb_arena_printf(a,
                                        "refund %s has no line to return (amount %lld): "
                                        "recorded here only",
                                        rf->external_id, (long long)rf->amount));
    struct sb_return_input in = { .reason = rf->note ? rf->note : "refunded on the channel",
                                  .external_id = rf->external_id,
                                  .lines = rl,
                                  .n_lines = n };
    /* in a savepoint of its own: a refund refused at its third line leaves nothing of its
     * first two written, while the rest of this version's work commits (nothing written half) */
    struct return_call call = { .sale_id = sale_id, .in = &in };
    sb_err refused = SB_OK;
    err = sb_store_savepoint(db, return_in_savepoint, &call, &refused);
    if (!err)
        err = refused;
    if (err == SB_EINVALID_FIELD || err == SB_EINSUFFICIENT || err == SB_ECONFLICT)
        return log_line(db, rt, "warn", "refund.refused", o,
                        sb_arena_printf(a, "refund %s not applied: %s", rf->external_id,
                                        sb_err_last()->message));
    return err;
}

static struct sb_opt_str opt(const char *v)
{
    return (struct sb_opt_str){ v, true };
}

/* O3: the channel changed the order's ship-to, notes or customer since the version the sale
 * was built from: the sale and its shipment (while it has not gone) take the new ones. */
static sb_err refresh_details(struct sb_db *db, struct sb_arena *a, const struct sb_channel_rt *rt,
                              const struct sb_order *o, int64_t sale_id)
{
    int64_t customer = 0, shipment = 0;
    bool shipped = false, integrated;
    sb_err err = sb_customer_match_or_create(db, o->email, o->first_name, o->last_name, &customer);
    if (!err)
        err = sb_store_sale_set_channel_details(db, sale_id, o->note, customer);
    if (!err)
        err = sb_store_sale_shipment(db, sale_id, &shipment, &shipped);
    if (err || !shipment || shipped)
        return err;
    struct sb_address to = ship_to_of(o);
    struct sb_shipment_patch patch = {
        .name = opt(to.name),
        .company = opt(to.company),
        .line1 = opt(to.line1),
        .line2 = opt(to.line2),
        .city = opt(to.city),
        .region = opt(to.region),
        .postcode = opt(to.postcode),
        .country = opt(to.country),
        .phone = opt(to.phone),
        .email = opt(to.email),
        .note = opt(shipment_note(a, rt, o, payment_type_of(rt, o, &integrated))),
    };
    err = sb_store_shipment_update(db, &everything, shipment, &patch);
    return err ? err
               : log_line(db, rt, "info", "order.details", o,
                          "ship-to, notes or customer changed on the channel: updated (O3)");
}

/* A later version of an order already down. details_changed: the channel changed the
 * details staff may also edit since the version last applied. */
static sb_err update(struct sb_db *db, struct sb_arena *a, const struct sb_channel_rt *rt,
                     const struct sb_order *o, int64_t sale_id, bool details_changed)
{
    struct sb_sale_state s;
    sb_err err = sb_store_sale_state(db, sale_id, &s);
    if (err)
        return err;
    if (strcmp(s.status, "voided") == 0)
        return SB_OK; /* a voided sale takes no further updates */
    if (details_changed && (err = refresh_details(db, a, rt, o, sale_id)))
        return err;

    /* P4: paid on the channel after download - before the refunds, which can only give
     * back what was taken (O3: a version that is both paid and refunded, arriving after an
     * unpaid one, must end as if they had come one by one) */
    int64_t paid = paid_amount(o);
    /* M6: on an open order the payment is a further deposit, when deposits are on */
    if (strcmp(s.kind, "order") == 0 && !setting(rt, SB_CHANNEL_ORDER_DEPOSITS, false))
        paid = 0;
    if (paid > s.paid_total && s.balance_due > 0) {
        bool integrated;
        const char *ptype = payment_type_of(rt, o, &integrated);
        int64_t amount = paid - s.paid_total;
        struct sb_sale_payment p;
        err = channel_payment(db, a, ptype, integrated, o, paid,
                              amount < s.balance_due ? amount : s.balance_due, &p);
        if (!err)
            err = sb_store_sale_pay(db, &everything, sale_id, &p, 0, NULL);
        if (err == SB_EDUPLICATE)
            err = SB_OK;
        if (err)
            return err;
        err = log_line(db, rt, "info", "order.paid", o, "payment added (P4)");
        if (err)
            return err;
    }

    /* S2 before S1: a refund recorded on a cancelled order still counts */
    for (size_t i = 0; i < o->n_refunds; i++) {
        err = apply_refund(db, a, rt, o, sale_id, &o->refunds[i]);
        if (err)
            return err;
    }
    if (o->cancelled) {
        /* S1: the refunds the cancel carries (Shopify's default cancel refunds and restocks)
         * are returns by now; the void brings back the units they did not, so every unit
         * comes back exactly once, however the refund and the cancel arrived */
        err = sb_store_sale_void_cancelled(
            db, sale_id,
            sb_arena_printf(a, "cancelled on %s%s%s", rt->ch.name, o->cancel_reason ? ": " : "",
                            o->cancel_reason ? o->cancel_reason : ""));
        if (err == SB_ECONFLICT)
            return log_line(db, rt, "warn", "order.cancel_refused", o,
                            sb_arena_printf(a,
                                            "cancelled on the channel, but the sale cannot be "
                                            "voided: %s",
                                            sb_err_last()->message));
        /* L2: the channel then marks the order as not to be delivered, by its table */
        if (!err)
            err = sb_store_outbox_sale_status(db, sale_id, "cancelled");
        return err ? err : log_line(db, rt, "info", "order.cancelled", o, "sale voided (S1)");
    }

    /* L2: a pickup ready to collect on the channel is Packed in the POS */
    if (o->ready_for_pickup) {
        int64_t packed = 0;
        err = sb_store_fulfillments_pack_pickups(db, sale_id, &packed);
        if (err || !packed)
            return err;
        return log_line(db, rt, "info", "order.packed", o,
                        "ready for pickup on the channel: packed (L2)");
    }

    /* S4: fulfilled on the channel */
    if (o->fulfillment == SB_FUL_FULFILLED || o->n_shipments) {
        int64_t shipment = 0;
        bool shipped = false;
        err = sb_store_sale_shipment(db, sale_id, &shipment, &shipped);
        if (err || !shipment || shipped)
            return err;
        /* a kind whose statuses travel both ways by its table (L2) takes them by it */
        if (!setting(rt, "take_fulfillments", false) && !(rt->ops->caps & SB_CH_STATUS_OUT))
            return log_line(db, rt, "info", "order.fulfilled_on_channel", o,
                            "fulfilled on the channel; mark it shipped in the POS (S4: taking "
                            "fulfillments from the channel is off)");
        /* a pickup the channel fulfilled was picked up (SH2: a pickup is never "shipped") */
        int64_t pickups = 0, picked = 0;
        err = sb_store_fulfillments_pick_up_sale(db, sale_id, 0, &pickups, &picked);
        if (err || (pickups && !picked))
            return err;
        if (picked)
            return log_line(db, rt, "info", "order.picked_up", o,
                            "fulfilled on the channel: picked up (S4)");
        struct sb_shipment_patch patch = { .shipped = true,
                                           .shipped_set = true,
                                           .from_channel = true };
        if (o->n_shipments && o->shipments[0].tracking_number) {
            patch.tracking_number = (struct sb_opt_str){ o->shipments[0].tracking_number, true };
            patch.carrier = (struct sb_opt_str){ o->shipments[0].tracking_company, true };
        }
        err = sb_store_shipment_update(db, &everything, shipment, &patch);
        if (err == SB_EFULFILLMENT_CANCELLED || err == SB_ESALE_VOIDED || err == SB_ECONFLICT ||
            err == SB_EINVALID_FIELD)
            /* F3: what the POS cancelled does not ship, whoever says so; the event is done */
            return log_line(db, rt, "warn", "order.fulfilled_refused", o,
                            sb_arena_printf(a,
                                            "fulfilled on the channel, but not shipped in the "
                                            "POS: %s",
                                            sb_err_last()->message));
        if (err)
            return err;
        return log_line(db, rt, "info", "order.shipped", o, "fulfilled on the channel (S4)");
    }
    return SB_OK;
}

/* ---- the entry point ---- */

static sb_err record(struct sb_db *db, const struct sb_channel_rt *rt, const struct sb_order *o,
                     const char *state, const char *reason, const char *version, int64_t sale_id,
                     const char *details)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    static const char *const fulfillment[] = { "unfulfilled", "partial", "fulfilled" };
    struct sb_channel_order_rec r = { .channel_id = rt->ch.id,
                                      .external_id = o->external_id,
                                      .number = o->number,
                                      .state = state,
                                      .reason = reason,
                                      .version = version,
                                      .financial_status = sb_order_financial_name(o->financial),
                                      .fulfillment_status = fulfillment[o->fulfillment],
                                      .cancelled = o->cancelled,
                                      .sale_id = sale_id,
                                      .total = o->total_price,
                                      .currency = o->currency,
                                      .details = details,
                                      .channel_status = o->channel_status,
                                      .now = now };
    return sb_store_channel_order_record(db, &r);
}

/* M6: how the channel's orders come down: as sales, unless the kind can do otherwise
 * (SB_CH_RESERVE) and its import_as setting says "order" or "invoice". */
static enum sb_sale_kind import_kind(const struct sb_channel_rt *rt)
{
    const char *as = json_string_value(json_object_get(rt->ch.settings, SB_CHANNEL_IMPORT_AS));
    enum sb_sale_kind k = SB_KIND_SALE;
    if (!(rt->ops->caps & SB_CH_RESERVE) || !sb_sale_kind_parse(as, &k))
        return SB_KIND_SALE;
    return k;
}

/* An order that came down owes its channel the kind's after-download work (Magento: its
 * invoice, M3): queued in this transaction, sent by the dispatcher once it is durable. */
static sb_err queue_after_download(struct sb_db *db, const struct sb_channel_rt *rt,
                                   const struct sb_order *o, int64_t sale_id)
{
    if (!(rt->ops->caps & SB_CH_AFTER_DOWNLOAD) ||
        (rt->ops->wants_after_download && !rt->ops->wants_after_download(&rt->ch, o)))
        return SB_OK;
    char payload[48];
    snprintf(payload, sizeof(payload), "{\"sale_id\":%lld}", (long long)sale_id);
    return sb_store_outbox_queue(db, rt->ch.id, SB_OUTBOX_AFTER_DOWNLOAD, o->external_id, payload);
}

/* M9: what a kind's channel holds itself for its downloaded orders (held_statuses) is added
 * to the stock it is sent (sync/stock-levels.c). A download or a newer version (a status, a
 * credit memo) may change that without moving any stock, which would queue nothing: the
 * order's items are queued for this channel here, in the same transaction. */
static sb_err queue_held(struct sb_db *db, const struct sb_channel_rt *rt, int64_t sale_id)
{
    if (!rt->ops->held_statuses || !rt->rec.enabled || !setting(rt, "stock_sync", true))
        return SB_OK;
    return sb_store_sync_queue_sale(db, rt->ch.id, "stock", sale_id);
}

sb_err sb_sync_apply_order(struct sb_db *db, const struct sb_channel_rt *rt,
                           const struct sb_order *given, enum sb_apply_outcome *ret)
{
    /* a kind with a status table: the raw status read into the order first */
    struct sb_order read;
    const char *kept = NULL;
    sb_sync_order_status(rt, given, &read, &kept);
    const struct sb_order *o = &read;
    char version[SB_TIME_LEN];
    sb_time_format(o->updated_at, version, sizeof(version));
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);

    struct sb_channel_order_state was;
    sb_err err = sb_store_channel_order_get(db, rt->ch.id, o->external_id, &was);
    const char *state = was.state, *old_version = was.version, *old_details = was.details;
    int64_t sale_id = err ? 0 : was.sale_id;
    bool integrated;
    const char *details = details_digest(a, rt, o, payment_type_of(rt, o, &integrated));
    if (!details)
        err = err ? err : sb_fail(SB_ENOMEM, NULL, NULL);
    enum sb_apply_outcome outcome = SB_APPLY_UNCHANGED;
    if (!err && state[0] && strcmp(version, old_version) < 0) {
        /* O3: an older version never overwrites a newer one */
        outcome = SB_APPLY_STALE;
        err = log_line(
            db, rt, "info", "order.stale", o,
            sb_arena_printf(a, "version %s ignored: %s already applied", version, old_version));
    } else if (!err && sale_id) {
        /* a digest unknown (an order down before digests were kept) changes nothing */
        bool changed =
            old_details[0] && strcmp(old_details, details) != 0 && strcmp(version, old_version) > 0;
        err = update(db, a, rt, o, sale_id, changed);
        if (!err)
            err = record(db, rt, o, "downloaded", NULL, version, sale_id, details);
        outcome = strcmp(version, old_version) == 0 ? SB_APPLY_UNCHANGED : SB_APPLY_UPDATED;
        /* a credit memo comes with the order's version unchanged (one-second times): any
         * version applied may have changed what the channel holds */
        if (!err)
            err = queue_held(db, rt, sale_id);
    } else if (!err && strcmp(state, "skipped") == 0) {
        /* skipped stays skipped (M2), for the reason it was skipped: cancelled, or a kind's
         * own (Magento's complete, or invoiced by someone else in auto-invoice mode) */
        outcome = SB_APPLY_SKIPPED;
        err = record(db, rt, o, "skipped", was.reason[0] ? was.reason : "cancelled before download",
                     version, 0, NULL);
    } else if (!err) {
        const char *reason = NULL;
        enum sb_decision d = SB_DECIDE_DOWNLOAD;
        if (o->cancelled) {
            d = SB_DECIDE_SKIP;
            reason = "cancelled before download";
        } else if (!rt->rec.enabled) {
            d = SB_DECIDE_WAIT;
            reason = "the channel is disabled";
        } else if (!setting(rt, "download_orders", true)) {
            d = SB_DECIDE_WAIT;
            reason = "order download is off for this channel";
        } else if (!rt->rec.n_outlets || !rt->rec.default_outlet_id) {
            d = SB_DECIDE_WAIT;
            reason = "the channel has no linked or default outlet";
        } else if (rt->ops->register_outlet && !register_index(db, rt, &(size_t){ 0 }, &err)) {
            d = SB_DECIDE_WAIT; /* (a failed read stops below, before anything is written) */
            reason = NO_REGISTER;
        } else {
            d = rt->ops->decide(&rt->ch, o, &reason);
        }
        if (err) {
            /* the register could not be read: nothing written, the order is tried again */
        } else if (d == SB_DECIDE_DOWNLOAD) {
            enum sb_sale_kind kind = import_kind(rt);
            err = import(db, a, rt, o, kind, &sale_id);
            for (size_t i = 0; !err && i < o->n_refunds; i++)
                err = apply_refund(db, a, rt, o, sale_id, &o->refunds[i]);
            if (!err)
                err = record(db, rt, o, "downloaded", NULL, version, sale_id, details);
            if (!err)
                err = queue_after_download(db, rt, o, sale_id);
            if (!err)
                err = queue_held(db, rt, sale_id);
            if (!err)
                err = log_line(db, rt, "info", "order.downloaded", o,
                               sb_arena_printf(a, "order %s became %s %lld",
                                               o->number ? o->number : o->external_id,
                                               kind == SB_KIND_ORDER ? "customer order"
                                                                     : sb_sale_kind_name(kind),
                                               (long long)sale_id));
            outcome = SB_APPLY_IMPORTED;
        } else {
            const char *st = d == SB_DECIDE_SKIP ? "skipped" : "waiting";
            err = record(db, rt, o, st, reason ? reason : "not downloaded", version, 0, NULL);
            outcome = d == SB_DECIDE_SKIP ? SB_APPLY_SKIPPED : SB_APPLY_WAITING;
        }
    }
    /* a status its table does not take in does not travel, and the log says so, once per
     * version - and once when it came in a version of the same second as the last one
     * (Ecwid's times are whole seconds), as the status recorded before says */
    if (!err && kept && outcome != SB_APPLY_STALE &&
        (outcome != SB_APPLY_UNCHANGED || strcmp(kept, was.channel_status) != 0))
        err = log_line(db, rt, "info", "status.kept", o,
                       sb_arena_printf(a, "status %s does not travel to the POS", kept));
    sb_arena_free(a);
    if (!err && ret)
        *ret = outcome;
    return err;
}

sb_err sb_sync_record_unreadable(struct sb_db *db, const struct sb_channel_rt *rt,
                                 const char *external_id, const char *reason)
{
    char now[SB_TIME_LEN], why[300];
    sb_time_format(sb_time_now(), now, sizeof(now));
    snprintf(why, sizeof(why), "unreadable on the channel: %s", reason ? reason : "unknown");
    /* an order already down keeps its state; a new one waits, with the reason */
    sb_err err = sb_store_channel_order_unreadable(db, rt->ch.id, external_id, why, now);
    return err ? err
               : sb_store_channel_log(db, rt->ch.id, "warn", "order.unreadable", external_id, "%s",
                                      why);
}
