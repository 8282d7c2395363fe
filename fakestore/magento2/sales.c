/*
 * The order routes of the simulated Magento: GET /V1/orders (searchCriteria)
 * and /V1/orders/{id}, POST /V1/orders/{id}/cancel (a bare true, or a bare
 * false with 200 when Magento's canCancel() says no: complete, closed,
 * canceled, on hold, in payment review, or nothing left to invoice), and the
 * documents on /V1/order/{id}/: invoice and ship answer a bare integer id or
 * a 400 "... Document Validation Error(s):\n..." with Magento's reasons,
 * refund creates a credit memo. Credit memos are searched on
 * GET /V1/creditmemos. Every change bumps the order's updated_at (one-second
 * resolution, as Magento's) and is recorded for the control API to read.
 */
#include "magento2.h"

#include "core/money.h"

#include <stdlib.h>
#include <string.h>

#define INVOICE_ERR "Invoice Document Validation Error(s):\n"
#define SHIP_ERR    "Shipment Document Validation Error(s):\n"
#define MEMO_ERR    "Creditmemo Document Validation Error(s):\n"

static bool state_is(const struct m2_order *o, const char *const *states)
{
    for (size_t i = 0; states[i]; i++)
        if (strcmp(o->state, states[i]) == 0)
            return true;
    return false;
}

static bool is_config_child(const struct m2_order *o, const struct m2_item *it)
{
    return it->parent >= 0 && strcmp(o->items[it->parent].product_type, "configurable") == 0;
}

static long item_index(const struct m2_order *o, int64_t item_id)
{
    for (size_t i = 0; i < o->n_items; i++)
        if (o->items[i].item_id == item_id)
            return (long)i;
    return -1;
}

static void refuse(struct fs_m2_response *r, const char *prefix, const char *reason)
{
    char msg[512];
    snprintf(msg, sizeof(msg), "%s%s", prefix, reason);
    m2_error(r, 400, msg, NULL);
}

/* items[{order_item_id, qty}] into per-item quantities (qty[i]); false with *why on a bad
 * entry. An absent or empty list leaves qty all zero and sets *all. */
static bool read_qtys(const struct m2_order *o, json_t *items, int64_t *qty, bool *all,
                      const char **why)
{
    memset(qty, 0, sizeof(int64_t) * M2_MAX_ITEMS);
    *all = !items || json_array_size(items) == 0;
    if (items && !json_is_array(items)) {
        *why = "The \"items\" value's type is invalid.";
        return false;
    }
    for (size_t k = 0; k < json_array_size(items); k++) {
        json_t *e = json_array_get(items, k);
        json_t *id = json_object_get(e, "order_item_id"), *q = json_object_get(e, "qty");
        if (!json_is_integer(id) || !(json_is_integer(q) || json_is_real(q))) {
            *why = "Each item needs an integer order_item_id and a numeric qty.";
            return false;
        }
        long i = item_index(o, json_integer_value(id));
        double dq = json_number_value(q);
        if (i < 0 || dq < 0 || dq > M2_QTY_MAX || dq != (double)(int64_t)dq) {
            *why = i < 0 ? "The order does not have an item with that order_item_id."
                         : "The quantity is not a whole number of units.";
            return false;
        }
        qty[i] += (int64_t)dq;
    }
    return true;
}

/* A parent's quantity carries to its children (Magento invoices, ships and refunds a
 * configurable or bundle with its products): a child's share is its own units per parent
 * unit. */
static void carry_to_children(const struct m2_order *o, int64_t *qty)
{
    for (size_t i = 0; i < o->n_items; i++) {
        const struct m2_item *it = &o->items[i];
        if (it->parent < 0 || qty[i] || !qty[it->parent])
            continue;
        const struct m2_item *p = &o->items[it->parent];
        qty[i] = qty[it->parent] * it->qty_ordered / p->qty_ordered;
    }
}

/* ---------------------------------------------------------------- reading */

void m2_route_orders(struct m2_shop *s, const struct fs_m2_request *req, const struct fs_args *args,
                     struct fs_m2_response *r)
{
    (void)req;
    size_t *idx, n;
    int64_t total;
    json_t *crit;
    if (!m2_search(s, args, s->n_orders, m2_order_field, NULL, r, &idx, &n, &total, &crit))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, m2_order_json(s, s->orders[idx[i]]));
    free(idx);
    m2_search_reply(r, items, crit, total);
}

void m2_route_order_get(struct m2_shop *s, int64_t id, struct fs_m2_response *r)
{
    struct m2_order *o = m2_order_find(s, id);
    if (!o)
        return m2_not_found(r);
    m2_reply(r, 200, m2_order_json(s, o));
}

/* ---------------------------------------------------------------- cancel */

void m2_route_cancel(struct m2_shop *s, int64_t id, struct fs_m2_response *r)
{
    struct m2_order *o = m2_order_find(s, id);
    if (!o)
        return m2_not_found(r);
    static const char *const no[] = { "canceled", "complete",       "closed",
                                      "holded",   "payment_review", NULL };
    bool to_invoice = false;
    for (size_t i = 0; i < o->n_items; i++)
        to_invoice = to_invoice || m2_item_to_invoice(&o->items[i]) > 0;
    bool ok = !state_is(o, no) && to_invoice;
    json_array_append_new(s->cancels,
                          json_pack("{s:I,s:b}", "order_id", (json_int_t)id, "result", ok));
    if (!ok)
        return m2_reply(r, 200, json_false());
    for (size_t i = 0; i < o->n_items; i++) {
        struct m2_item *it = &o->items[i];
        it->qty_canceled = it->qty_ordered - it->qty_invoiced;
    }
    o->has_canceled = true;
    o->total_canceled = o->grand_total - (o->has_invoiced ? o->total_invoiced : 0);
    o->state = o->status = "canceled";
    m2_touch(s, o);
    m2_order_history(o, o->updated_at, "Order canceled");
    m2_reply(r, 200, json_true());
}

/* ---------------------------------------------------------------- invoice */

/* Invoices qty[] of order o: the amount its lines bring, the shipping with the first
 * invoice, the rest of the grand total with the last. Returns the amount. */
static int64_t invoice_qtys(struct m2_shop *s, struct m2_order *o, const int64_t *qty)
{
    int64_t amount = 0;
    bool first = !o->has_invoiced || o->total_invoiced == 0;
    for (size_t i = 0; i < o->n_items; i++) {
        struct m2_item *it = &o->items[i];
        if (!qty[i])
            continue;
        it->qty_invoiced += qty[i];
        if (is_config_child(o, it))
            continue;
        amount +=
            it->price * qty[i] + (it->tax_amount - it->discount_amount) * qty[i] / it->qty_ordered;
    }
    if (first)
        amount += o->shipping;
    bool all = true;
    for (size_t i = 0; i < o->n_items; i++)
        all = all && m2_item_to_invoice(&o->items[i]) == 0;
    int64_t before = o->has_invoiced ? o->total_invoiced : 0;
    int64_t paid = o->has_paid ? o->total_paid : 0;
    if (all || before + amount > o->grand_total)
        amount = o->grand_total - before;
    o->has_invoiced = o->has_paid = true;
    o->total_invoiced = before + amount;
    o->total_paid = paid + amount;
    if (o->total_paid > o->grand_total)
        o->total_paid = o->grand_total;
    if (strcmp(o->state, "new") == 0 || strcmp(o->state, "pending_payment") == 0)
        o->state = o->status = "processing";
    m2_touch(s, o);
    return amount;
}

bool m2_order_invoice_all(struct m2_shop *s, struct m2_order *o)
{
    int64_t qty[M2_MAX_ITEMS] = { 0 };
    bool any = false;
    for (size_t i = 0; i < o->n_items; i++) {
        qty[i] = m2_item_to_invoice(&o->items[i]);
        any = any || qty[i] > 0;
    }
    if (any)
        invoice_qtys(s, o, qty);
    return any;
}

void m2_route_invoice(struct m2_shop *s, int64_t id, json_t *body, struct fs_m2_response *r)
{
    struct m2_order *o = m2_order_find(s, id);
    if (!o)
        return m2_not_found(r);
    if (s->invoice_fails > 0) {
        s->invoice_fails--;
        return refuse(r, INVOICE_ERR, "The order does not allow an invoice to be created.");
    }
    static const char *const no[] = { "payment_review", "holded", "canceled",
                                      "complete",       "closed", NULL };
    if (state_is(o, no)) {
        char why[160];
        snprintf(why, sizeof(why), "An invoice cannot be created when an order has a status of %s",
                 o->status);
        return refuse(r, INVOICE_ERR, why);
    }
    int64_t qty[M2_MAX_ITEMS];
    bool all;
    const char *why = NULL;
    if (!read_qtys(o, json_object_get(body, "items"), qty, &all, &why))
        return refuse(r, INVOICE_ERR, why);
    bool any = false;
    for (size_t i = 0; i < o->n_items; i++) {
        int64_t left = m2_item_to_invoice(&o->items[i]);
        if (all)
            qty[i] = left;
        else if (qty[i] > left)
            return refuse(r, INVOICE_ERR,
                          "The invoice can't be created without products. Add "
                          "products and try again.");
        any = any || qty[i] > 0;
    }
    if (!any)
        return refuse(r, INVOICE_ERR, "The order does not allow an invoice to be created.");
    if (!all)
        carry_to_children(o, qty);
    int64_t amount = invoice_qtys(s, o, qty);
    int64_t inv = s->next_invoice++;
    m2_order_history(o, o->updated_at, "Invoiced through the REST API");
    json_t *lines = json_array();
    for (size_t i = 0; i < o->n_items; i++)
        if (qty[i])
            json_array_append_new(lines, json_pack("{s:I,s:I}", "order_item_id",
                                                   (json_int_t)o->items[i].item_id, "qty",
                                                   (json_int_t)qty[i]));
    json_t *capture = json_object_get(body, "capture");
    json_array_append_new(s->invoices,
                          json_pack("{s:I,s:I,s:o,s:o,s:b}", "invoice_id", (json_int_t)inv,
                                    "order_id", (json_int_t)id, "amount", m2_money(s, amount),
                                    "items", lines, "capture", json_is_true(capture)));
    m2_reply(r, 200, json_integer(inv));
}

/* ---------------------------------------------------------------- ship */

void m2_route_ship(struct m2_shop *s, int64_t id, json_t *body, struct fs_m2_response *r)
{
    struct m2_order *o = m2_order_find(s, id);
    if (!o)
        return m2_not_found(r);
    static const char *const no[] = { "payment_review", "holded", "canceled",
                                      "complete",       "closed", NULL };
    if (s->ship_fails > 0) {
        s->ship_fails--;
        return refuse(r, SHIP_ERR, "The order does not allow a shipment to be created.");
    }
    if (state_is(o, no))
        return refuse(r, SHIP_ERR, "The order does not allow a shipment to be created.");
    int64_t qty[M2_MAX_ITEMS];
    bool all;
    const char *why = NULL;
    if (!read_qtys(o, json_object_get(body, "items"), qty, &all, &why))
        return refuse(r, SHIP_ERR, why);
    json_t *tracks = json_object_get(body, "tracks");
    if (tracks && (!json_is_array(tracks) || json_array_size(tracks) > M2_MAX_TRACKS))
        return refuse(r, SHIP_ERR, "The \"tracks\" value's type is invalid.");
    for (size_t k = 0; k < json_array_size(tracks); k++) {
        json_t *t = json_array_get(tracks, k);
        static const char *const need[] = { "track_number", "title", "carrier_code" };
        for (size_t q = 0; q < 3; q++) {
            json_t *v = json_object_get(t, need[q]);
            if (!json_is_string(v) || strlen(json_string_value(v)) > M2_STR_MAX) {
                char msg[96];
                snprintf(msg, sizeof(msg), "Please enter a %s.",
                         q == 0   ? "tracking number"
                         : q == 1 ? "title"
                                  : "carrier code");
                return refuse(r, SHIP_ERR, msg);
            }
        }
    }
    bool any = false;
    for (size_t i = 0; i < o->n_items; i++) {
        int64_t left = m2_item_to_ship(&o->items[i]);
        if (all)
            qty[i] = left;
        else if (qty[i] > left)
            return refuse(r, SHIP_ERR, "The order does not allow a shipment to be created.");
        any = any || qty[i] > 0;
    }
    if (!any)
        return refuse(r, SHIP_ERR, "You can't create a shipment without products.");
    if (!all)
        carry_to_children(o, qty);
    json_t *lines = json_array();
    for (size_t i = 0; i < o->n_items; i++) {
        struct m2_item *it = &o->items[i];
        if (!qty[i])
            continue;
        it->qty_shipped += qty[i];
        if (!m2_item_is_parent(it))
            m2_source_move(s, it->sku, -qty[i]); /* MSI: the source gives the units */
        json_array_append_new(lines, json_pack("{s:I,s:I}", "order_item_id",
                                               (json_int_t)it->item_id, "qty", (json_int_t)qty[i]));
    }
    bool done = true;
    for (size_t i = 0; i < o->n_items; i++)
        done = done && m2_item_to_ship(&o->items[i]) == 0 && m2_item_to_invoice(&o->items[i]) == 0;
    if (done)
        o->state = o->status = "complete";
    else if (strcmp(o->state, "new") == 0)
        o->state = o->status = "processing";
    m2_touch(s, o);
    m2_order_history(o, o->updated_at, "Shipped through the REST API");
    int64_t sid = s->next_shipment++;
    json_array_append_new(s->shipments,
                          json_pack("{s:I,s:I,s:o,s:o,s:b}", "shipment_id", (json_int_t)sid,
                                    "order_id", (json_int_t)id, "items", lines, "tracks",
                                    tracks ? json_incref(tracks) : json_array(), "notify",
                                    json_is_true(json_object_get(body, "notify"))));
    m2_reply(r, 200, json_integer(sid));
}

/* ---------------------------------------------------------------- credit memos */

static bool restock_line(json_t *restock, int64_t item_id)
{
    if (json_is_true(restock))
        return true;
    for (size_t i = 0; i < json_array_size(restock); i++)
        if (json_integer_value(json_array_get(restock, i)) == item_id)
            return true;
    return false;
}

sb_err m2_memo_create(struct m2_shop *s, struct m2_order *o, const struct m2_memo_args *a,
                      struct m2_memo **ret)
{
    if (s->n_memos >= M2_MAX_MEMOS)
        return sb_fail(SB_EINSUFFICIENT, NULL, "the store holds %d credit memos, its limit",
                       M2_MAX_MEMOS);
    if (a->strict) {
        static const char *const no[] = { "canceled", "closed", "holded", "payment_review", NULL };
        if (state_is(o, no) || !o->has_invoiced || o->total_invoiced == 0)
            return sb_fail(SB_ECONFLICT, NULL,
                           "The order does not allow a creditmemo to be created.");
    }
    int64_t qty[M2_MAX_ITEMS];
    bool all;
    const char *why = NULL;
    if (!read_qtys(o, a->items, qty, &all, &why))
        return sb_fail(SB_EINVALID_FIELD, "items", "%s", why);
    bool any = false;
    for (size_t i = 0; i < o->n_items; i++) {
        const struct m2_item *it = &o->items[i];
        int64_t left =
            (a->strict ? it->qty_invoiced : it->qty_ordered - it->qty_canceled) - it->qty_refunded;
        if (left < 0)
            left = 0;
        if (all)
            qty[i] = left;
        else if (qty[i] > left)
            return sb_fail(SB_EINVALID_FIELD, "items",
                           "The most you can refund of item %lld is %lld.", (long long)it->item_id,
                           (long long)left);
        any = any || qty[i] > 0;
    }
    if (!any && a->adj_pos == 0 && a->shipping == 0)
        return sb_fail(SB_EINVALID_FIELD, "items",
                       "You can't create a creditmemo without products.");
    if (!all)
        carry_to_children(o, qty);
    struct m2_memo *m = calloc(1, sizeof(*m));
    if (!m || !(m->arena = sb_arena_new())) {
        free(m);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (s->n_memos == s->cap_memos) {
        size_t cap = s->cap_memos ? s->cap_memos * 2 : 64;
        struct m2_memo **nm = realloc(s->memos, cap * sizeof(*nm));
        if (!nm) {
            sb_arena_free(m->arena);
            free(m);
            return sb_fail(SB_ENOMEM, NULL, NULL);
        }
        s->memos = nm;
        s->cap_memos = cap;
    }
    m->items = sb_arena_alloc(m->arena, sizeof(*m->items) * o->n_items);
    m->entity_id = s->next_memo++;
    m->order_id = o->entity_id;
    m->state = a->state;
    m->increment_id = sb_arena_printf(m->arena, "%s%09lld", s->prefix, (long long)m->entity_id);
    m->adjustment_positive = a->adj_pos;
    m->adjustment_negative = a->adj_neg;
    m->shipping = a->shipping;
    for (size_t i = 0; i < o->n_items; i++) {
        struct m2_item *it = &o->items[i];
        if (!qty[i])
            continue;
        struct m2_memo_item *mi = &m->items[m->n_items++];
        *mi = (struct m2_memo_item){
            .entity_id = s->next_memo_item++,
            .order_item_id = it->item_id,
            .product_id = it->product_id,
            .sku = it->sku,
            .name = it->name,
            .qty = qty[i],
            .price = it->price,
            .row_total = it->price * qty[i],
            .tax_amount = it->tax_amount * qty[i] / it->qty_ordered,
            .discount_amount = it->discount_amount * qty[i] / it->qty_ordered,
        };
        if (!is_config_child(o, it)) {
            m->subtotal += mi->row_total;
            m->tax += mi->tax_amount;
            m->discount += mi->discount_amount;
        }
    }
    m->grand_total = m->subtotal + m->tax + m->shipping - m->discount + m->adjustment_positive -
                     m->adjustment_negative;
    m->created_at = m->updated_at = m2_now(s);
    if (m->state == 2) {
        bool closed = true;
        for (size_t i = 0; i < o->n_items; i++) {
            struct m2_item *it = &o->items[i];
            it->qty_refunded += qty[i];
            if (qty[i] && !m2_item_is_parent(it) && restock_line(a->restock, it->item_id))
                m2_source_move(s, it->sku, qty[i]);
            closed = closed && it->qty_refunded >= it->qty_ordered - it->qty_canceled;
        }
        o->total_refunded = (o->has_refunded ? o->total_refunded : 0) + m->grand_total;
        o->has_refunded = true;
        if (closed)
            o->state = o->status = "closed";
    }
    m2_touch(s, o);
    m2_order_history(o, o->updated_at, "Credit memo created");
    s->memos[s->n_memos++] = m;
    *ret = m;
    return SB_OK;
}

void m2_route_refund(struct m2_shop *s, int64_t id, json_t *body, struct fs_m2_response *r)
{
    struct m2_order *o = m2_order_find(s, id);
    if (!o)
        return m2_not_found(r);
    json_t *args = json_object_get(body, "arguments");
    struct m2_memo_args a = { .items = json_object_get(body, "items"), .state = 2, .strict = true };
    static const char *const money[] = { "shipping_amount", "adjustment_positive",
                                         "adjustment_negative" };
    int64_t *dst[] = { &a.shipping, &a.adj_pos, &a.adj_neg };
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(args, money[i]);
        if (v && (!m2_money_parse(s, v, dst[i]) || *dst[i] < 0))
            return refuse(r, MEMO_ERR, "The credit memo's amounts must be positive numbers.");
    }
    a.restock =
        json_object_get(json_object_get(args, "extension_attributes"), "return_to_stock_items");
    struct m2_memo *m;
    if (m2_memo_create(s, o, &a, &m))
        return refuse(r, MEMO_ERR, sb_err_last()->message);
    json_array_append_new(s->refunds,
                          json_pack("{s:I,s:I,s:O}", "creditmemo_id", (json_int_t)m->entity_id,
                                    "order_id", (json_int_t)id, "request", body));
    m2_reply(r, 200, json_integer(m->entity_id));
}

json_t *m2_memo_json(struct m2_shop *s, const struct m2_memo *m)
{
    char t[32];
    json_t *items = json_array();
    for (size_t i = 0; i < m->n_items; i++) {
        const struct m2_memo_item *mi = &m->items[i];
        json_t *j = json_object();
        json_object_set_new(j, "base_cost", m2_money(s, 0));
        json_object_set_new(j, "base_discount_amount", m2_money(s, mi->discount_amount));
        json_object_set_new(j, "base_price", m2_money(s, mi->price));
        json_object_set_new(j, "base_price_incl_tax", m2_money(s, mi->price));
        json_object_set_new(j, "base_row_total", m2_money(s, mi->row_total));
        json_object_set_new(j, "base_row_total_incl_tax",
                            m2_money(s, mi->row_total + mi->tax_amount));
        json_object_set_new(j, "base_tax_amount", m2_money(s, mi->tax_amount));
        json_object_set_new(j, "discount_amount", m2_money(s, mi->discount_amount));
        json_object_set_new(j, "entity_id", json_integer(mi->entity_id));
        json_object_set_new(j, "name", json_string(mi->name));
        json_object_set_new(j, "order_item_id", json_integer(mi->order_item_id));
        json_object_set_new(j, "parent_id", json_integer(m->entity_id));
        json_object_set_new(j, "price", m2_money(s, mi->price));
        json_object_set_new(j, "price_incl_tax", m2_money(s, mi->price));
        if (mi->product_id)
            json_object_set_new(j, "product_id", json_integer(mi->product_id));
        json_object_set_new(j, "qty", json_integer(mi->qty));
        json_object_set_new(j, "row_total", m2_money(s, mi->row_total));
        json_object_set_new(j, "row_total_incl_tax", m2_money(s, mi->row_total + mi->tax_amount));
        json_object_set_new(j, "sku", json_string(mi->sku));
        json_object_set_new(j, "tax_amount", m2_money(s, mi->tax_amount));
        json_array_append_new(items, j);
    }
    json_t *j = json_object();
    json_object_set_new(j, "adjustment",
                        m2_money(s, m->adjustment_positive - m->adjustment_negative));
    json_object_set_new(j, "adjustment_negative", m2_money(s, m->adjustment_negative));
    json_object_set_new(j, "adjustment_positive", m2_money(s, m->adjustment_positive));
    json_object_set_new(j, "base_adjustment",
                        m2_money(s, m->adjustment_positive - m->adjustment_negative));
    json_object_set_new(j, "base_adjustment_negative", m2_money(s, m->adjustment_negative));
    json_object_set_new(j, "base_adjustment_positive", m2_money(s, m->adjustment_positive));
    json_object_set_new(j, "base_currency_code", json_string(s->currency));
    json_object_set_new(j, "base_discount_amount", m2_money(s, -m->discount));
    json_object_set_new(j, "base_grand_total", m2_money(s, m->grand_total));
    json_object_set_new(j, "base_shipping_amount", m2_money(s, m->shipping));
    json_object_set_new(j, "base_subtotal", m2_money(s, m->subtotal));
    json_object_set_new(j, "base_tax_amount", m2_money(s, m->tax));
    m2_time_format(m->created_at, t, sizeof(t));
    json_object_set_new(j, "created_at", json_string(t));
    json_object_set_new(j, "discount_amount", m2_money(s, -m->discount));
    json_object_set_new(j, "email_sent", json_integer(0));
    json_object_set_new(j, "entity_id", json_integer(m->entity_id));
    json_object_set_new(j, "global_currency_code", json_string(s->currency));
    json_object_set_new(j, "grand_total", m2_money(s, m->grand_total));
    json_object_set_new(j, "increment_id", json_string(m->increment_id));
    json_object_set_new(j, "order_currency_code", json_string(s->currency));
    json_object_set_new(j, "order_id", json_integer(m->order_id));
    json_object_set_new(j, "shipping_amount", m2_money(s, m->shipping));
    json_object_set_new(j, "shipping_incl_tax", m2_money(s, m->shipping));
    json_object_set_new(j, "state", json_integer(m->state));
    json_object_set_new(j, "store_currency_code", json_string(s->currency));
    json_object_set_new(j, "store_id", json_integer(1));
    json_object_set_new(j, "subtotal", m2_money(s, m->subtotal));
    json_object_set_new(j, "subtotal_incl_tax", m2_money(s, m->subtotal + m->tax));
    json_object_set_new(j, "tax_amount", m2_money(s, m->tax));
    m2_time_format(m->updated_at, t, sizeof(t));
    json_object_set_new(j, "updated_at", json_string(t));
    json_object_set_new(j, "items", items);
    json_object_set_new(j, "comments", json_array());
    return j;
}

static void memo_field(struct m2_shop *s, void *ctx, size_t i, const char *f, struct m2_val *v)
{
    (void)ctx;
    const struct m2_memo *m = s->memos[i];
    v->null = false;
    v->str = v->buf;
    if (strcmp(f, "entity_id") == 0)
        snprintf(v->buf, sizeof(v->buf), "%lld", (long long)m->entity_id);
    else if (strcmp(f, "order_id") == 0)
        snprintf(v->buf, sizeof(v->buf), "%lld", (long long)m->order_id);
    else if (strcmp(f, "state") == 0)
        snprintf(v->buf, sizeof(v->buf), "%lld", (long long)m->state);
    else if (strcmp(f, "increment_id") == 0)
        v->str = m->increment_id;
    else if (strcmp(f, "created_at") == 0)
        m2_time_format(m->created_at, v->buf, sizeof(v->buf));
    else if (strcmp(f, "updated_at") == 0)
        m2_time_format(m->updated_at, v->buf, sizeof(v->buf));
    else if (strcmp(f, "grand_total") == 0)
        sb_money_format(m->grand_total, s->exponent, v->buf, sizeof(v->buf));
    else
        v->null = true;
}

void m2_route_creditmemos(struct m2_shop *s, const struct fs_args *args, struct fs_m2_response *r)
{
    size_t *idx, n;
    int64_t total;
    json_t *crit;
    if (!m2_search(s, args, s->n_memos, memo_field, NULL, r, &idx, &n, &total, &crit))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, m2_memo_json(s, s->memos[idx[i]]));
    free(idx);
    m2_search_reply(r, items, crit, total);
}
