/*
 * Demo mode: one random order from the catalogue, placed at the rate main.c's
 * timer sets (--orders-per-minute): one of a handful of customers (one
 * with a mixed-case email, one without a name, one without an email), one
 * to three distinct products each with an 8% tax line, and now and then an
 * item the catalogue does not know or a cash-on-delivery order left
 * pending. The order takes the control API's path, so its webhooks are
 * delivered before the call returns.
 */
#include "shop.h"

#include "core/money.h"

#include <pthread.h>
#include <stdio.h>

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ULL;
}

sb_err fs_shop_demo_order(struct fs_shop *s, uint64_t *rng)
{
    static const struct {
        const char *first, *last, *email, *city, *zip, *province;
    } people[] = {
        { "Ada", "Lovelace", "ada@example.com", "Boston", "02108", "MA" },
        { "Grace", "Hopper", "grace@example.com", "Arlington", "22201", "VA" },
        { "Alan", "Turing", "alan@example.com", "Seattle", "98101", "WA" },
        { "Katherine", "Johnson", "Katherine.Johnson@Example.com", "Hampton", "23666", "VA" },
        { NULL, NULL, "no.name@example.com", "Denver", "80202", "CO" },
        { "Walk", "In", NULL, "Portland", "97201", "OR" },
    };
    json_t *lines = json_array();
    char gift[32], shipping[32]; /* 999 and 500 minor units, in the shop's decimals */
    pthread_mutex_lock(&s->mu);
    int e = s->exponent;
    size_t np = s->n_products;
    size_t picked[3];
    for (uint64_t k = 0, n = 1 + rnd(rng) % 3; np && k < n && k < np; k++) {
        /* distinct products: Shopify keeps one line per variant */
        size_t at = (size_t)(rnd(rng) % np);
        for (uint64_t q = 0; q < k; q++)
            if (picked[q] == at) {
                at = (at + 1) % np;
                q = (uint64_t)-1; /* look again from the start */
            }
        picked[k] = at;
        const struct product *p = &s->products[at];
        int64_t qty = 1 + (int64_t)(rnd(rng) % 2);
        int64_t tax = (p->price * qty * 8 + 50) / 100;
        char tax_s[32];
        sb_money_format(tax, e, tax_s, sizeof(tax_s));
        json_array_append_new(lines, json_pack("{s:s,s:I,s:[{s:s,s:f,s:s}]}", "sku", p->sku,
                                               "quantity", (json_int_t)qty, "tax_lines", "title",
                                               "State tax", "rate", 0.08, "price", tax_s));
    }
    pthread_mutex_unlock(&s->mu);
    sb_money_format(999, e, gift, sizeof(gift));
    sb_money_format(500, e, shipping, sizeof(shipping));
    if (!np) {
        json_decref(lines);
        return sb_fail(SB_EINSUFFICIENT, NULL, "demo mode needs products (--skus or --sku)");
    }
    if (rnd(rng) % 8 == 0) {
        char sku[32];
        snprintf(sku, sizeof(sku), "UNKNOWN-%03u", (unsigned)(rnd(rng) % 1000));
        json_array_append_new(lines, json_pack("{s:s,s:s,s:i,s:s}", "sku", sku, "title",
                                               "Mystery gift", "quantity", 1, "price", gift));
    }
    size_t who = (size_t)(rnd(rng) % (sizeof(people) / sizeof(people[0])));
    json_t *addr =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "address1", "1 Main Street", "city",
                  people[who].city, "zip", people[who].zip, "province_code", people[who].province,
                  "country", "United States", "country_code", "US");
    if (people[who].first) {
        json_object_set_new(addr, "first_name", json_string(people[who].first));
        json_object_set_new(addr, "last_name", json_string(people[who].last));
    }
    json_t *body = json_pack("{s:o,s:o,s:[{s:s,s:s,s:s}]}", "line_items", lines, "shipping_address",
                             addr, "shipping_lines", "title", "Standard Shipping", "code",
                             "STANDARD", "price", shipping);
    if (people[who].email)
        json_object_set_new(body, "email", json_string(people[who].email));
    if (people[who].first)
        json_object_set_new(
            body, "customer",
            json_pack("{s:s,s:s}", "first_name", people[who].first, "last_name", people[who].last));
    if (rnd(rng) % 6 == 0) {
        json_object_set_new(body, "gateway", json_string("Cash on Delivery (COD)"));
        json_object_set_new(body, "financial_status", json_string("pending"));
    }
    json_t *order = NULL;
    sb_err err = body ? fs_order_place(s, body, &order) : sb_fail(SB_ENOMEM, NULL, NULL);
    json_decref(order);
    json_decref(body);
    return err;
}
