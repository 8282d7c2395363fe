/*
 * An order's figures and the changes made to it. The figures are derived,
 * never stored: the totals as Shopify reports them (docs/fakestore.md,
 * "What it models"), with the totals a test gave standing in for computed
 * ones; what is left to fulfil; and the fulfillment statuses. The changes
 * are pay, refund, cancel and fulfil, made by the control API (and the
 * last two by the GraphQL mutations too): each checks that it applies,
 * records its transactions, takes the shop's next tick as updated_at, and
 * leaves the webhooks to its caller.
 */
#include "shop.h"

#include "core/money.h"
#include "util/timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- figures and statuses */

int64_t fs_disc_sum(const struct discount *d, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += d[i].amount;
    return sum;
}

static int64_t tax_sum(const struct tax_line *t, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += t[i].price;
    return sum;
}

/* Input bounds (PRICE_MAX, QTY_MAX, MAX_LINES) keep every sum here far from overflow. */
void fs_order_totals(const struct order *o, struct totals *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < o->n_lines; i++) {
        const struct line *l = &o->lines[i];
        t->items += l->price * l->quantity;
        t->line_disc += fs_disc_sum(l->disc, l->n_disc);
        t->tax += tax_sum(l->tax, l->n_tax);
    }
    for (size_t i = 0; i < o->n_ship; i++) {
        t->ship += o->ship[i].price;
        t->ship_disc += fs_disc_sum(o->ship[i].disc, o->ship[i].n_disc);
        t->tax += tax_sum(o->ship[i].tax, o->ship[i].n_tax);
    }
    t->tax += tax_sum(o->tax, o->n_tax);
    t->subtotal = t->items - t->line_disc;
    t->discounts = t->line_disc + t->ship_disc;
    t->total = t->subtotal + t->ship - t->ship_disc + (o->taxes_included ? 0 : t->tax);
    /* Given totals stand in for computed ones: public payloads do not always add up. */
    if (o->ov_subtotal)
        t->subtotal = o->subtotal_ov;
    if (o->ov_tax)
        t->tax = o->tax_ov;
    if (o->ov_discounts)
        t->discounts = o->discounts_ov;
    if (o->ov_total)
        t->total = o->total_ov;
    for (size_t i = 0; i < o->n_txns; i++) {
        const struct txn *x = &o->txns[i];
        if (strcmp(x->status, "success") != 0)
            continue;
        if (strcmp(x->kind, "sale") == 0 || strcmp(x->kind, "capture") == 0)
            t->paid += x->amount;
        else if (strcmp(x->kind, "refund") == 0)
            t->refunded += x->amount;
    }
    t->outstanding = t->total - t->paid;
    if (t->outstanding < 0 || strcmp(o->financial_status, "voided") == 0)
        t->outstanding = 0;
}

size_t fs_order_tax_sum(const struct order *o, struct tax_line *out, size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; k <= o->n_lines + o->n_ship; k++) {
        const struct tax_line *t = k < o->n_lines               ? o->lines[k].tax
                                   : k < o->n_lines + o->n_ship ? o->ship[k - o->n_lines].tax
                                                                : o->tax;
        size_t nt = k < o->n_lines               ? o->lines[k].n_tax
                    : k < o->n_lines + o->n_ship ? o->ship[k - o->n_lines].n_tax
                                                 : o->n_tax;
        for (size_t i = 0; i < nt; i++) {
            size_t j = 0;
            while (j < n &&
                   !(strcmp(out[j].title, t[i].title) == 0 && json_equal(out[j].rate, t[i].rate)))
                j++;
            if (j == n) {
                if (n == cap)
                    continue;
                out[n++] = (struct tax_line){ t[i].title, t[i].rate, 0 };
            }
            out[j].price += t[i].price;
        }
    }
    return n;
}

int64_t fs_line_remaining(const struct line *l)
{
    int64_t r = l->quantity - l->fulfilled - l->cancelled;
    return r > 0 ? r : 0;
}

static int64_t order_remaining(const struct order *o, int64_t *ret_fulfilled)
{
    int64_t rem = 0, done = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        rem += fs_line_remaining(&o->lines[i]);
        done += o->lines[i].fulfilled;
    }
    if (ret_fulfilled)
        *ret_fulfilled = done;
    return rem;
}

/* REST fulfillment_status: null, "partial" or "fulfilled". */
const char *fs_fulfillment_status(const struct order *o)
{
    int64_t done;
    int64_t rem = order_remaining(o, &done);
    if (!done)
        return NULL;
    return rem ? "partial" : "fulfilled";
}

/* One fulfillment order per order, at the one location; its status follows the lines. */
const char *fs_fo_status(const struct order *o)
{
    int64_t done;
    int64_t rem = order_remaining(o, &done);
    if (!rem)
        return "CLOSED";
    if (o->cancelled_at)
        return "CANCELLED";
    return done ? "IN_PROGRESS" : "OPEN";
}

size_t fs_fo_count(const struct order *o)
{
    return o->n_fos ? o->n_fos : 1;
}

struct fulfillment_order fs_fo_at(const struct order *o, size_t k)
{
    if (!o->n_fos)
        return (struct fulfillment_order){ .id = o->fo_id, .location_id = LOCATION_ID };
    return o->fos[k];
}

size_t fs_fo_of_line(const struct order *o, size_t line)
{
    return o->n_fos ? o->line_fo[line] : 0;
}

long fs_fo_find(const struct order *o, int64_t fo_id)
{
    for (size_t k = 0; k < fs_fo_count(o); k++)
        if (fs_fo_at(o, k).id == fo_id)
            return (long)k;
    return -1;
}

/* A split order's fulfillment order: its own lines decide, then its hold and schedule. */
const char *fs_fo_status_at(const struct order *o, size_t k)
{
    int64_t rem = 0, done = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        if (fs_fo_of_line(o, i) == k) {
            rem += fs_line_remaining(&o->lines[i]);
            done += o->lines[i].fulfilled;
        }
    struct fulfillment_order fo = fs_fo_at(o, k);
    if (!rem)
        return "CLOSED";
    if (o->cancelled_at)
        return "CANCELLED";
    if (fo.hold)
        return "ON_HOLD";
    if (fo.fulfill_at && fo.fulfill_at > sb_time_now())
        return "SCHEDULED";
    return done ? "IN_PROGRESS" : "OPEN";
}

sb_err fs_order_split(struct fs_shop *s, struct order *o, json_t *list)
{
    static const char *const keys[] = { "location_id", "lines", "hold", "fulfill_at", NULL };
    if (o->n_fulfillments || o->cancelled_at)
        return sb_fail(SB_ECONFLICT, NULL,
                       "order %s is fulfilled or cancelled: it keeps its "
                       "fulfillment orders",
                       o->name);
    size_t n = json_array_size(list);
    if (!json_is_array(list) || n < 1 || n > MAX_FOS)
        return sb_fail(SB_EINVALID_FIELD, "fulfillment_orders",
                       "fulfillment_orders must list 1 to %d fulfillment orders", MAX_FOS);
    struct fulfillment_order fos[MAX_FOS];
    uint8_t line_fo[MAX_LINES];
    bool seen[MAX_LINES] = { false };
    size_t assigned = 0;
    for (size_t k = 0; k < n; k++) {
        json_t *e = json_array_get(list, k);
        char prefix[40];
        snprintf(prefix, sizeof(prefix), "fulfillment_orders[%zu]", k);
        struct sb_jctx c = { .obj = e, .prefix = prefix };
        int64_t loc = LOCATION_ID;
        const char *hold = NULL, *at = NULL;
        sb_err err;
        if (!json_is_object(e))
            return sb_fail(SB_EINVALID_FIELD, "fulfillment_orders", "%s must be an object", prefix);
        if ((err = sb_json_only(&c, keys)) ||
            (err = sb_json_int(&c, "location_id", false, 1, INT64_MAX, &loc, NULL)) ||
            (err = fs_get_str(o->arena, &c, "hold", false, &hold)) ||
            (err = fs_get_str(o->arena, &c, "fulfill_at", false, &at)))
            return err;
        if (fs_location_index(s, loc) < 0)
            return sb_fail(SB_EINVALID_FIELD, "location_id", "%s.location_id: no such location",
                           prefix);
        fos[k] = (struct fulfillment_order){ .location_id = loc, .hold = hold };
        if (at && !sb_time_parse(at, &fos[k].fulfill_at))
            return sb_fail(SB_EINVALID_FIELD, "fulfill_at", "%s.fulfill_at is not a time", prefix);
        json_t *lines = json_object_get(e, "lines"), *l;
        size_t i;
        if (!json_is_array(lines) || !json_array_size(lines))
            return sb_fail(SB_EINVALID_FIELD, "lines", "%s.lines must list line indexes", prefix);
        json_array_foreach(lines, i, l)
        {
            json_int_t x = json_is_integer(l) ? json_integer_value(l) : -1;
            if (x < 0 || (size_t)x >= o->n_lines || seen[x])
                return sb_fail(SB_EINVALID_FIELD, "lines",
                               "%s.lines: each index of a line of the order, once", prefix);
            seen[x] = true;
            line_fo[x] = (uint8_t)k;
            assigned++;
        }
    }
    if (assigned != o->n_lines)
        return sb_fail(SB_EINVALID_FIELD, "lines", "every line must be in a fulfillment order");
    if (!o->fos && !(o->fos = sb_arena_alloc(o->arena, MAX_FOS * sizeof(*o->fos))))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t k = 0; k < n; k++) {
        fos[k].id = k == 0 ? o->fo_id : fs_new_id(s);
        o->fos[k] = fos[k];
    }
    memcpy(o->line_fo, line_fo, sizeof(line_fo));
    o->n_fos = n;
    o->updated_at = fs_tick(s);
    return SB_OK;
}

/* ---------------------------------------------------------------- orders and transactions */

struct order *fs_order_new(void)
{
    struct order *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->arena = sb_arena_new();
    if (!o->arena) {
        free(o);
        return NULL;
    }
    return o;
}

void fs_order_free(struct order *o)
{
    if (!o)
        return;
    sb_arena_free(o->arena);
    free(o);
}

struct txn *fs_add_txn(struct fs_shop *s, struct order *o, const char *kind, const char *status,
                       int64_t amount, int64_t at, int64_t parent)
{
    if (!o->txns)
        o->txns = sb_arena_alloc(o->arena, MAX_TXNS * sizeof(*o->txns));
    if (!o->txns || o->n_txns == MAX_TXNS)
        return NULL;
    struct txn *t = &o->txns[o->n_txns++];
    *t = (struct txn){ .id = fs_new_id(s),
                       .parent_id = parent,
                       .amount = amount,
                       .created_at = at,
                       .kind = kind,
                       .status = status,
                       .gateway = o->gateway };
    return t;
}

/* The id of the last successful sale, capture or authorization: a refund's or capture's parent. */
static int64_t payment_parent(const struct order *o, const char *kind)
{
    for (size_t i = o->n_txns; i-- > 0;) {
        const struct txn *t = &o->txns[i];
        if (strcmp(t->status, "success") == 0 &&
            (kind ? strcmp(t->kind, kind) == 0
                  : (strcmp(t->kind, "sale") == 0 || strcmp(t->kind, "capture") == 0)))
            return t->id;
    }
    return 0;
}

/* ---------------------------------------------------------------- changes */

sb_err fs_order_pay(struct fs_shop *s, struct order *o)
{
    if (o->cancelled_at)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is cancelled", o->name);
    const char *fs = o->financial_status;
    if (strcmp(fs, "pending") != 0 && strcmp(fs, "authorized") != 0 &&
        strcmp(fs, "partially_paid") != 0)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is %s, not awaiting payment", o->name, fs);
    struct totals t;
    fs_order_totals(o, &t);
    int64_t at = fs_tick(s);
    bool capture = strcmp(fs, "authorized") == 0;
    if (t.outstanding > 0 &&
        !fs_add_txn(s, o, capture ? "capture" : "sale", "success", t.outstanding, at,
                    capture ? payment_parent(o, "authorization") : 0))
        return sb_fail(SB_ECONFLICT, NULL, "order %s has too many transactions", o->name);
    o->financial_status = "paid";
    o->updated_at = at;
    return SB_OK;
}

sb_err fs_order_refund(struct fs_shop *s, struct order *o, const struct refund_req *rq, size_t n,
                       bool amount_given, int64_t amount, const char *note, struct refund **ret)
{
    if (o->n_refunds == MAX_REFUNDS)
        return sb_fail(SB_ECONFLICT, NULL, "order %s has too many refunds", o->name);
    for (size_t i = 0; i < n; i++) {
        int64_t want = 0;
        for (size_t k = 0; k < n; k++)
            if (rq[k].line == rq[i].line)
                want += rq[k].qty;
        const struct line *l = &o->lines[rq[i].line];
        if (want > l->quantity - l->refunded)
            return sb_fail(SB_EINVALID_FIELD, "quantity",
                           "line %lld has %lld unit(s) left to refund", (long long)l->id,
                           (long long)(l->quantity - l->refunded));
    }
    struct totals t;
    fs_order_totals(o, &t);
    int64_t refundable = t.paid - t.refunded, computed = 0;
    struct refund_line *rl = sb_arena_alloc(o->arena, (n ? n : 1) * sizeof(*rl));
    if (!rl)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        const struct line *l = &o->lines[rq[i].line];
        int64_t net = l->price * l->quantity - fs_disc_sum(l->disc, l->n_disc);
        rl[i] = (struct refund_line){ .id = fs_new_id(s),
                                      .quantity = rq[i].qty,
                                      .subtotal = net * rq[i].qty / l->quantity,
                                      .tax = tax_sum(l->tax, l->n_tax) * rq[i].qty / l->quantity,
                                      .line = rq[i].line };
        computed += rl[i].subtotal + (o->taxes_included ? 0 : rl[i].tax);
    }
    if (!amount_given)
        amount = computed < refundable ? computed : refundable;
    else if (amount > refundable) {
        char left[32];
        sb_money_format(refundable, fs_exp(o->currency), left, sizeof(left));
        return sb_fail(SB_EINVALID_FIELD, "amount", "amount exceeds what is left to refund (%s)",
                       left);
    }
    if (n == 0 && amount == 0)
        return sb_fail(SB_EINVALID_FIELD, "lines", "a refund needs lines or an amount");
    if (!o->refunds)
        o->refunds = sb_arena_alloc(o->arena, MAX_REFUNDS * sizeof(*o->refunds));
    if (!o->refunds)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t at = fs_tick(s);
    long txn = -1;
    if (amount > 0) {
        if (!fs_add_txn(s, o, "refund", "success", amount, at, payment_parent(o, NULL)))
            return sb_fail(SB_ECONFLICT, NULL, "order %s has too many transactions", o->name);
        txn = (long)o->n_txns - 1;
    }
    bool any_restock = false;
    for (size_t i = 0; i < n; i++) {
        struct line *l = &o->lines[rq[i].line];
        int64_t unfulfilled = l->quantity - l->fulfilled - l->cancelled;
        int64_t c = rq[i].qty < unfulfilled ? rq[i].qty : unfulfilled;
        if (c < 0)
            c = 0;
        l->cancelled += c;
        l->refunded += rq[i].qty;
        rl[i].restock_type = !rq[i].restock ? "no_restock" : c == rq[i].qty ? "cancel" : "return";
        any_restock |= rq[i].restock;
        if (rq[i].restock)
            fs_stock_restock(s, l, rq[i].qty);
    }
    struct refund *r = &o->refunds[o->n_refunds++];
    *r = (struct refund){ .id = fs_new_id(s),
                          .created_at = at,
                          .note = note,
                          .restock = any_restock,
                          .n_lines = n,
                          .lines = rl,
                          .txn = txn };
    if (amount > 0)
        o->financial_status = t.refunded + amount >= t.paid ? "refunded" : "partially_refunded";
    o->updated_at = at;
    if (ret)
        *ret = r;
    return SB_OK;
}

sb_err fs_order_cancel(struct fs_shop *s, struct order *o, const char *reason, bool refund,
                       bool restock, struct refund **ret_refund)
{
    if (o->cancelled_at)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is already cancelled", o->name);
    struct totals t;
    fs_order_totals(o, &t);
    if (refund && t.paid > t.refunded) {
        struct refund_req *rq = calloc(o->n_lines, sizeof(*rq));
        if (!rq)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        size_t n = 0;
        for (size_t i = 0; i < o->n_lines; i++)
            if (o->lines[i].quantity > o->lines[i].refunded)
                rq[n++] =
                    (struct refund_req){ i, o->lines[i].quantity - o->lines[i].refunded, restock };
        sb_err err =
            fs_order_refund(s, o, rq, n, true, t.paid - t.refunded, "Order cancelled", ret_refund);
        free(rq);
        if (err)
            return err;
    }
    /* Without a refund the restock still happens, as on Shopify: the units no refund has
     * covered yet (the refund above restocks its own). */
    for (size_t i = 0; restock && !(refund && t.paid > t.refunded) && i < o->n_lines; i++)
        fs_stock_restock(s, &o->lines[i], o->lines[i].quantity - o->lines[i].refunded);
    const char *fs = o->financial_status;
    if (strcmp(fs, "pending") == 0 || strcmp(fs, "authorized") == 0)
        o->financial_status = "voided";
    o->cancelled_at = o->updated_at = fs_tick(s);
    o->cancel_reason = reason;
    return SB_OK;
}

/* n == 0: everything left to fulfil. */
sb_err fs_order_fulfill(struct fs_shop *s, struct order *o, const struct ful_req *rq, size_t n,
                        const char *number, const char *company, const char *url,
                        struct fulfillment **ret)
{
    if (o->cancelled_at)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is cancelled", o->name);
    if (o->n_fulfillments == MAX_FULFILLMENTS)
        return sb_fail(SB_ECONFLICT, NULL, "order %s has too many fulfillments", o->name);
    for (size_t i = 0; i < n; i++) {
        int64_t want = 0;
        for (size_t k = 0; k < n; k++)
            if (rq[k].line == rq[i].line)
                want += rq[k].qty;
        const struct line *l = &o->lines[rq[i].line];
        if (want > fs_line_remaining(l))
            return sb_fail(SB_EINVALID_FIELD, "quantity",
                           "line %lld has %lld unit(s) left to fulfil", (long long)l->id,
                           (long long)fs_line_remaining(l));
    }
    size_t cap = n ? n : o->n_lines;
    struct fulfillment f = { .tracking_number = number,
                             .tracking_company = company,
                             .tracking_url = url };
    f.lines = sb_arena_alloc(o->arena, cap * sizeof(*f.lines));
    f.qty = sb_arena_alloc(o->arena, cap * sizeof(*f.qty));
    if (!o->fulfillments)
        o->fulfillments = sb_arena_alloc(o->arena, MAX_FULFILLMENTS * sizeof(*o->fulfillments));
    if (!f.lines || !f.qty || !o->fulfillments)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (n) {
        for (size_t i = 0; i < n; i++) {
            f.lines[f.n] = rq[i].line;
            f.qty[f.n++] = rq[i].qty;
        }
    } else {
        for (size_t i = 0; i < o->n_lines; i++)
            if (fs_line_remaining(&o->lines[i])) {
                f.lines[f.n] = i;
                f.qty[f.n++] = fs_line_remaining(&o->lines[i]);
            }
    }
    if (!f.n)
        return sb_fail(SB_ECONFLICT, NULL, "order %s has nothing left to fulfil", o->name);
    for (size_t i = 0; i < f.n; i++)
        o->lines[f.lines[i]].fulfilled += f.qty[i];
    f.id = fs_new_id(s);
    f.created_at = o->updated_at = fs_tick(s);
    o->fulfillments[o->n_fulfillments] = f;
    if (ret)
        *ret = &o->fulfillments[o->n_fulfillments];
    o->n_fulfillments++;
    return SB_OK;
}
