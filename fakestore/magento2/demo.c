/*
 * Demo mode of the simulated Magento (--orders-per-minute): random orders
 * from the catalogue in the mix a real store shows, so that every download
 * mode has something to do: pending and not invoiced (half of them paid by
 * card: authorized, which auto-invoice downloads and invoices), pending_payment,
 * processing and invoiced (paid), a configurable product (a priced parent
 * with its simple child) and bundles (a fixed one: priced parent, children at
 * 0; a dynamic one: parent at 0, priced children).
 */
#include "magento2.h"

#include "util/log.h"

#include <stdio.h>
#include <string.h>

static uint64_t next(uint64_t *rng)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return *rng;
}

static const struct m2_product *pick(struct m2_shop *s, uint64_t *rng)
{
    return &s->products[next(rng) % s->n_products];
}

static json_t *simple_item(struct m2_shop *s, const struct m2_product *p, int64_t qty)
{
    return json_pack("{s:s,s:s,s:I,s:o}", "sku", p->sku, "name", p->name, "qty_ordered",
                     (json_int_t)qty, "price", m2_money(s, p->price));
}

sb_err fs_m2_demo_order(struct m2_shop *s, uint64_t *rng)
{
    static const char *const names[][2] = {
        { "Veronica", "Costello" },
        { "John", "Smith" },
        { "Ana", "Silva" },
        { "Kenji", "Sato" },
    };
    pthread_mutex_lock(&s->mu);
    if (!s->n_products) {
        pthread_mutex_unlock(&s->mu);
        return sb_fail(SB_EINSUFFICIENT, NULL, "the demo needs a catalogue");
    }
    size_t who = next(rng) % 4;
    char email[64];
    snprintf(email, sizeof(email), "%s.%s@example.com", names[who][0], names[who][1]);
    json_t *items = json_array();
    uint64_t kind = next(rng) % 10;
    const struct m2_product *a = pick(s, rng), *b = pick(s, rng);
    int64_t qty = 1 + (int64_t)(next(rng) % 3);
    if (kind < 6) {
        json_array_append_new(items, simple_item(s, a, qty));
    } else if (kind < 8) { /* configurable: the parent carries the child's SKU */
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s,s:I,s:o}", "sku", a->sku, "name", a->name,
                                        "product_type", "configurable", "qty_ordered",
                                        (json_int_t)qty, "price", m2_money(s, a->price)));
        json_array_append_new(items, json_pack("{s:s,s:s,s:I,s:i}", "sku", a->sku, "name", a->name,
                                               "qty_ordered", (json_int_t)qty, "parent", 0));
    } else if (kind < 9) { /* fixed bundle */
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:I,s:o}", "sku", "BUNDLE-FIXED",
                                               "name", "Fixed bundle", "product_type", "bundle",
                                               "qty_ordered", (json_int_t)1, "price",
                                               m2_money(s, a->price + b->price - 100)));
        json_array_append_new(items, json_pack("{s:s,s:I,s:i}", "sku", a->sku, "qty_ordered",
                                               (json_int_t)1, "parent", 0));
        json_array_append_new(items, json_pack("{s:s,s:I,s:i}", "sku", b->sku, "qty_ordered",
                                               (json_int_t)1, "parent", 0));
    } else { /* dynamic bundle */
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:I,s:i}", "sku", "BUNDLE-DYN", "name",
                                               "Dynamic bundle", "product_type", "bundle",
                                               "qty_ordered", (json_int_t)1, "price", 0));
        json_t *ca = simple_item(s, a, 1), *cb = simple_item(s, b, 1);
        json_object_set_new(ca, "parent", json_integer(0));
        json_object_set_new(cb, "parent", json_integer(0));
        json_array_append_new(items, ca);
        json_array_append_new(items, cb);
    }
    json_t *body = json_pack("{s:s,s:s,s:s,s:o,s:o}", "customer_email", email, "customer_firstname",
                             names[who][0], "customer_lastname", names[who][1], "items", items,
                             "shipping_amount", m2_money(s, 500));
    uint64_t state = next(rng) % 4;
    if (state == 1)
        json_object_set_new(body, "status", json_string("pending_payment"));
    else if (state >= 2) {
        json_object_set_new(body, "status", json_string("processing"));
        json_object_set_new(body, "invoiced", json_true());
    } else if (next(rng) % 2) /* pending, paid by card: authorized, waiting to be invoiced */
        json_object_set_new(body, "payment", json_pack("{s:s}", "method", "braintree"));
    struct m2_order *o;
    sb_err err = m2_order_place(s, body, &o);
    char id[24];
    if (!err && o->payment_method && strcmp(o->payment_method, "braintree") == 0 &&
        !o->has_invoiced) { /* the card authorized for the whole order */
        o->has_authorized = true;
        o->amount_authorized = o->grand_total;
    }
    if (!err) {
        snprintf(id, sizeof(id), "%lld", (long long)o->entity_id);
        sb_log(SB_LOG_INFO, "fakestore.magento2.demo", "order", id, "status", o->status, NULL);
    }
    pthread_mutex_unlock(&s->mu);
    json_decref(body);
    return err;
}
