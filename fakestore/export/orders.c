/*
 * The export store's own orders (SPEC E2-E6, E8): placed from the control API
 * with lines by SKU (priced from the POS catalogue unless the body prices
 * them), an email, shipping and payments by method name, captured or not.
 * An order with a balance due (total less its captured payments) is HELD,
 * "unbalanced", and never sent unless forced (to see the POS refuse it);
 * "capture offline" adds a payment "Manual" for the amount due (E6). An
 * export is one POST /api/v1/connection/orders of one order or a batch, in
 * the body docs/channels/export.md documents; each order keeps the POS's
 * answer (created, existing, refused, the sale id, the error) and, after a
 * successful export, takes the site status --export-status (E5: nothing is
 * sent for that). Auto-export sends an order once it is balanced and every
 * line is fulfilled. A refund is recorded on the site and, when asked, sent
 * to POST /connection/orders/{id}/refund (E8).
 */
#include "export.h"

#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PRICE 2500

void xp_order_free(struct xp_order *o)
{
    if (!o)
        return;
    json_decref(o->lines);
    json_decref(o->shipping);
    json_decref(o->payments);
    json_decref(o->ship_to);
    json_decref(o->result);
    json_decref(o->refunds);
    free(o);
}

struct xp_order *xp_order_find(struct xp_site *s, const char *id)
{
    for (size_t i = 0; i < s->n_orders; i++)
        if (strcmp(s->orders[i]->id, id) == 0)
            return s->orders[i];
    return NULL;
}

int64_t xp_order_due(const struct xp_order *o)
{
    int64_t paid = 0;
    size_t i;
    json_t *p;
    json_array_foreach(o->payments, i, p)
    {
        if (json_is_true(json_object_get(p, "captured")))
            paid += json_integer_value(json_object_get(p, "amount"));
    }
    return o->total - paid;
}

bool xp_order_fulfilled(const struct xp_order *o)
{
    size_t i;
    json_t *l;
    json_array_foreach(o->lines, i, l)
    {
        if (!json_is_true(json_object_get(l, "fulfilled")))
            return false;
    }
    return true;
}

/* The unit price of a SKU: the POS catalogue's (sale, else regular), the site's own
 * product's, else DEFAULT_PRICE. */
static int64_t price_of(struct xp_site *s, const char *sku)
{
    json_t *price = json_object_get(json_object_get(s->items, sku), "price");
    json_t *v = json_object_get(price, "sale");
    if (!json_is_integer(v))
        v = json_object_get(price, "regular");
    if (json_is_integer(v))
        return json_integer_value(v);
    size_t i;
    json_t *p;
    json_array_foreach(s->products, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "sku")), sku) == 0)
            return json_integer_value(json_object_get(p, "price"));
    }
    return DEFAULT_PRICE;
}

static sb_err bad(const char *msg)
{
    return sb_fail(SB_EINVALID_FIELD, NULL, "%s", msg);
}

static const char *str_or(json_t *obj, const char *key, const char *dflt)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : dflt;
}

sb_err xp_order_place(struct xp_site *s, json_t *body, struct xp_order **ret)
{
    if (!json_is_object(body))
        return bad("the body must be an object");
    json_t *lines = json_object_get(body, "lines");
    if (!json_is_array(lines) || !json_array_size(lines) || json_array_size(lines) > 500)
        return bad("lines must be an array of 1-500 {sku, quantity}");
    if (s->n_orders >= XP_MAX_ORDERS)
        return sb_fail(SB_ECONFLICT, NULL, "too many orders");
    struct xp_order *o = calloc(1, sizeof(*o));
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    o->lines = json_array();
    o->payments = json_array();
    o->refunds = json_array();
    const char *id = json_string_value(json_object_get(body, "id"));
    if (id && (!*id || strlen(id) >= sizeof(o->id) || xp_order_find(s, id))) {
        xp_order_free(o);
        return bad("id must be 1-63 characters and new");
    }
    if (id)
        snprintf(o->id, sizeof(o->id), "%s", id);
    else
        snprintf(o->id, sizeof(o->id), "%lld", (long long)s->next_order++);
    snprintf(o->number, sizeof(o->number), "SITE-%s", o->id);
    snprintf(o->email, sizeof(o->email), "%s", str_or(body, "email", ""));
    snprintf(o->location_id, sizeof(o->location_id), "%s",
             str_or(body, "location_id", s->locations[0].id));
    snprintf(o->status, sizeof(o->status), "%s", str_or(body, "status", "Pending"));
    sb_time_format(sb_time_now(), o->created_at, sizeof(o->created_at));
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        const char *sku = json_string_value(json_object_get(l, "sku"));
        json_t *q = json_object_get(l, "quantity"), *up = json_object_get(l, "unit_price");
        if (!sku || !*sku || !json_is_integer(q) || json_integer_value(q) < 1 ||
            json_integer_value(q) > 100000 || (up && !json_is_integer(up)) ||
            (up && json_integer_value(up) < 0)) {
            xp_order_free(o);
            return bad("each line needs a sku and a quantity 1-100000 (unit_price >= 0)");
        }
        int64_t unit = up ? json_integer_value(up) : price_of(s, sku);
        int64_t qty = json_integer_value(q);
        o->total += unit * qty;
        json_array_append_new(o->lines,
                              json_pack("{s:s,s:s,s:I,s:I,s:b}", "sku", sku, "title",
                                        str_or(l, "title", sku), "quantity", (json_int_t)qty,
                                        "unit_price", (json_int_t)unit, "fulfilled", false));
    }
    json_t *ship = json_object_get(body, "shipping");
    if (ship) {
        json_t *p = json_object_get(ship, "price");
        if (!json_is_object(ship) || !json_is_integer(p) || json_integer_value(p) < 0) {
            xp_order_free(o);
            return bad("shipping must be {title, price}");
        }
        o->shipping =
            json_pack("{s:s,s:O}", "title", str_or(ship, "title", "Shipping"), "price", p);
        o->total += json_integer_value(p);
    }
    if (json_is_object(json_object_get(body, "ship_to")))
        o->ship_to = json_incref(json_object_get(body, "ship_to"));
    json_t *pays = json_object_get(body, "payments");
    if (pays && !json_is_array(pays)) {
        xp_order_free(o);
        return bad("payments must be an array of {method, amount, captured}");
    }
    int64_t left = o->total;
    json_array_foreach(pays, i, l)
    {
        json_t *a = json_object_get(l, "amount"), *c = json_object_get(l, "captured");
        if (!json_is_object(l) || (a && !json_is_integer(a)) || (c && !json_is_boolean(c))) {
            xp_order_free(o);
            return bad("a payment is {method, amount, captured, reference}");
        }
        int64_t amount = a ? json_integer_value(a) : left;
        left -= amount;
        json_t *p = json_pack("{s:s,s:I,s:b}", "method", str_or(l, "method", "Card"), "amount",
                              (json_int_t)amount, "captured", c ? json_is_true(c) : true);
        if (p && json_object_get(l, "reference"))
            json_object_set(p, "reference", json_object_get(l, "reference"));
        json_array_append_new(o->payments, p);
    }
    if (s->n_orders == s->cap_orders) {
        size_t cap = s->cap_orders ? s->cap_orders * 2 : 64;
        struct xp_order **n = realloc(s->orders, cap * sizeof(*n));
        if (!n) {
            xp_order_free(o);
            return sb_fail(SB_ENOMEM, NULL, NULL);
        }
        s->orders = n;
        s->cap_orders = cap;
    }
    s->orders[s->n_orders++] = o;
    *ret = o;
    return SB_OK;
}

static const char *state_of(const struct xp_order *o)
{
    if (o->exported)
        return "exported";
    if (xp_order_due(o) != 0)
        return "unbalanced";
    const char *outcome = json_string_value(json_object_get(o->result, "outcome"));
    if (outcome && strcmp(outcome, "refused") == 0)
        return "refused";
    return "ready";
}

json_t *xp_order_json(struct xp_site *s, const struct xp_order *o)
{
    (void)s;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:O,s:O?,s:O,s:O?,s:I,s:O}", "id", o->id,
                     "number", o->number, "email", o->email, "location_id", o->location_id,
                     "status", o->status, "state", state_of(o), "total", (json_int_t)o->total,
                     "amount_due", (json_int_t)xp_order_due(o), "fulfilled", xp_order_fulfilled(o),
                     "lines", o->lines, "shipping", o->shipping, "payments", o->payments, "result",
                     o->result, "exports", (json_int_t)o->exports, "refunds", o->refunds);
}

/* The order in the body shape of POST /connection/orders: captured payments only. */
static json_t *wire(struct xp_site *s, const struct xp_order *o)
{
    json_t *lines = json_array(), *pays = json_array(), *l;
    size_t i;
    json_array_foreach(o->lines, i, l)
    {
        json_array_append_new(lines,
                              json_pack("{s:O,s:O,s:O,s:O}", "sku", json_object_get(l, "sku"),
                                        "title", json_object_get(l, "title"), "quantity",
                                        json_object_get(l, "quantity"), "unit_price",
                                        json_object_get(l, "unit_price")));
    }
    json_array_foreach(o->payments, i, l)
    {
        if (!json_is_true(json_object_get(l, "captured")))
            continue;
        json_t *p = json_pack("{s:O,s:O}", "method", json_object_get(l, "method"), "amount",
                              json_object_get(l, "amount"));
        if (p && json_object_get(l, "reference"))
            json_object_set(p, "reference", json_object_get(l, "reference"));
        if (p && json_is_true(json_object_get(l, "offline")))
            json_object_set_new(p, "offline", json_true());
        json_array_append_new(pays, p);
    }
    json_t *w = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:o,s:s}", "order_id", o->id, "number",
                          o->number, "created_at", o->created_at, "currency", s->currency,
                          "location_id", o->location_id, "lines", lines, "total",
                          (json_int_t)o->total, "payments", pays, "status", o->status);
    if (w && o->email[0])
        json_object_set_new(w, "email", json_string(o->email));
    if (w && o->shipping)
        json_object_set(w, "shipping", o->shipping);
    if (w && o->ship_to)
        json_object_set(w, "ship_to", o->ship_to);
    return w;
}

int xp_export(struct xp_site *s, const char *const *ids, size_t n, bool force, json_t **ret)
{
    char token[128];
    json_t *results = json_array(), *orders = json_array();
    pthread_mutex_lock(&s->mu);
    bool connected = strcmp(s->state, "connected") == 0 && s->token[0];
    if (!connected) {
        *ret = json_pack("{s:{s:s,s:s,s:s?}}", "error", "code", "not_connected", "state", s->state,
                         "reason", s->retired_reason[0] ? s->retired_reason : NULL);
        pthread_mutex_unlock(&s->mu);
        json_decref(results);
        json_decref(orders);
        return 409;
    }
    snprintf(token, sizeof(token), "%s", s->token);
    for (size_t i = 0; i < n; i++) {
        struct xp_order *o = xp_order_find(s, ids[i]);
        if (!o) {
            json_array_append_new(results,
                                  json_pack("{s:s,s:s}", "order_id", ids[i], "outcome", "unknown"));
        } else if (!force && xp_order_due(o) != 0) {
            /* E2: held on the site, never sent */
            json_array_append_new(results,
                                  json_pack("{s:s,s:s,s:I}", "order_id", o->id, "outcome", "held",
                                            "amount_due", (json_int_t)xp_order_due(o)));
        } else {
            o->exporting = true;
            json_array_append_new(orders, wire(s, o));
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (json_array_size(orders)) {
        json_t *body = json_pack("{s:O}", "orders", orders);
        struct xp_reply rep;
        xp_call(s, "POST", "/api/v1/connection/orders", NULL, body, token, NULL, &rep);
        json_decref(body);
        pthread_mutex_lock(&s->mu);
        if (xp_is_retired(&rep))
            xp_note_retired(s, &rep, "export");
        else if (rep.status != 200)
            xp_note_error(s, &rep, "export");
        size_t i;
        json_t *w;
        json_array_foreach(orders, i, w)
        {
            const char *oid = json_string_value(json_object_get(w, "order_id"));
            struct xp_order *o = xp_order_find(s, oid);
            json_t *res = NULL, *r;
            size_t k;
            json_array_foreach(json_object_get(rep.body, "results"), k, r)
            {
                const char *rid = json_string_value(json_object_get(r, "order_id"));
                if (rid && strcmp(rid, oid) == 0)
                    res = r;
            }
            json_t *kept = res ? json_incref(res)
                               : json_pack("{s:s,s:s,s:I,s:O?}", "order_id", oid, "outcome",
                                           "error", "status", (json_int_t)rep.status, "error",
                                           json_object_get(rep.body, "error"));
            if (!res && !rep.status && kept)
                json_object_set_new(kept, "error", json_string(rep.error));
            if (o) {
                o->exporting = false;
                o->exports++;
                json_decref(o->result);
                o->result = json_incref(kept);
                const char *outcome = json_string_value(json_object_get(kept, "outcome"));
                bool ok = outcome &&
                          (strcmp(outcome, "created") == 0 || strcmp(outcome, "existing") == 0);
                if (ok) {
                    o->exported = true;
                    if (s->export_status[0]) /* E5: the site's own status; nothing sent */
                        snprintf(o->status, sizeof(o->status), "%s", s->export_status);
                }
            }
            json_array_append_new(results, kept);
        }
        pthread_mutex_unlock(&s->mu);
        xp_reply_free(&rep);
    }
    json_decref(orders);
    *ret = json_pack("{s:o}", "results", results);
    return 200;
}

void xp_auto_export(struct xp_site *s, const char *id)
{
    pthread_mutex_lock(&s->mu);
    struct xp_order *o = xp_order_find(s, id);
    bool go = s->auto_export && o && !o->exported && !o->exporting && xp_order_due(o) == 0 &&
              xp_order_fulfilled(o);
    char oid[64];
    if (go)
        snprintf(oid, sizeof(oid), "%s", o->id);
    pthread_mutex_unlock(&s->mu);
    if (!go)
        return;
    const char *ids[] = { oid };
    json_t *res = NULL;
    xp_export(s, ids, 1, false, &res);
    json_decref(res);
}

int xp_refund(struct xp_site *s, const char *id, json_t *body, json_t **ret)
{
    json_t *lines = json_object_get(body, "lines"), *amount = json_object_get(body, "amount");
    if ((lines && !json_is_array(lines)) || (amount && !json_is_integer(amount))) {
        *ret = json_pack("{s:s}", "error", "lines must be an array and amount an integer");
        return 400;
    }
    bool send = json_is_true(json_object_get(body, "send"));
    char token[128] = "";
    pthread_mutex_lock(&s->mu);
    struct xp_order *o = xp_order_find(s, id);
    if (!o) {
        pthread_mutex_unlock(&s->mu);
        *ret = json_pack("{s:s}", "error", "no such order");
        return 404;
    }
    if (send && !(strcmp(s->state, "connected") == 0 && s->token[0])) {
        *ret = json_pack("{s:{s:s,s:s,s:s?}}", "error", "code", "not_connected", "state", s->state,
                         "reason", s->retired_reason[0] ? s->retired_reason : NULL);
        pthread_mutex_unlock(&s->mu);
        return 409;
    }
    snprintf(token, sizeof(token), "%s", s->token);
    char refund_id[96], oid[64];
    snprintf(refund_id, sizeof(refund_id), "re_%s_%zu", o->id, json_array_size(o->refunds) + 1);
    snprintf(oid, sizeof(oid), "%s", o->id);
    json_t *rec = json_pack("{s:s,s:O?,s:O?,s:b}", "refund_id", refund_id, "lines", lines, "amount",
                            amount, "sent", send);
    json_array_append(o->refunds, rec);
    pthread_mutex_unlock(&s->mu);
    if (send) {
        json_t *req = json_pack("{s:s}", "refund_id", refund_id);
        if (lines)
            json_object_set(req, "lines", lines);
        if (amount)
            json_object_set(req, "amount", amount);
        if (json_is_string(json_object_get(body, "note")))
            json_object_set(req, "note", json_object_get(body, "note"));
        char path[256];
        snprintf(path, sizeof(path), "/api/v1/connection/orders/%s/refund", oid);
        struct xp_reply rep;
        xp_call(s, "POST", path, NULL, req, token, NULL, &rep);
        json_decref(req);
        pthread_mutex_lock(&s->mu);
        if (xp_is_retired(&rep))
            xp_note_retired(s, &rep, "refund");
        json_object_set_new(rec, "pos_status", json_integer(rep.status));
        json_object_set(rec, "pos", rep.body ? rep.body : json_null());
        pthread_mutex_unlock(&s->mu);
        xp_reply_free(&rep);
    }
    pthread_mutex_lock(&s->mu);
    *ret = json_deep_copy(rec);
    pthread_mutex_unlock(&s->mu);
    json_decref(rec);
    return 200;
}
