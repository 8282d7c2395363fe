/*
 * Demo mode for the Ecwid store: one random order from the catalogue, one to
 * three lines, mostly paid, some awaiting payment, a few for pickup, so that
 * `make demo` shows both what comes down and what waits.
 */
#include "ecwid.h"

#include <stdio.h>

static uint64_t next(uint64_t *rng)
{
    *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
    return *rng;
}

sb_err fs_ec_demo_order(struct ec_shop *s, uint64_t *rng)
{
    pthread_mutex_lock(&s->mu);
    if (s->n_products == 0) {
        pthread_mutex_unlock(&s->mu);
        return sb_fail(SB_ECONFLICT, NULL, "no products to order");
    }
    json_t *items = json_array();
    size_t lines = 1 + next(rng) % 3;
    for (size_t i = 0; i < lines; i++) {
        const struct ec_product *p = s->products[next(rng) % s->n_products];
        const char *sku = p->n_combs ? p->combs[next(rng) % p->n_combs].sku : p->sku;
        json_array_append_new(
            items, json_pack("{s:s,s:I}", "sku", sku, "quantity", (json_int_t)(1 + next(rng) % 2)));
    }
    bool pickup = next(rng) % 5 == 0;
    json_t *body = json_pack("{s:s,s:b,s:s,s:o}", "paymentStatus",
                             next(rng) % 4 ? "PAID" : "AWAITING_PAYMENT", "isPickup", pickup,
                             "fulfillmentType", pickup ? "PICKUP" : "SHIPPING", "items", items);
    struct ec_order *o;
    sb_err err = body ? ec_order_place(s, body, &o) : sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_mutex_unlock(&s->mu);
    json_decref(body);
    return err;
}
