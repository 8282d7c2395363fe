/*
 * Ecwid products and their combinations (variations), each with a quantity
 * or unlimited stock (then no quantity at all on the wire), and their routes:
 * GET /products (offset, limit <= 100, sku), GET/PUT /products/{id} (an
 * absolute {quantity} or {unlimited}, and the prices {price, compareToPrice}
 * in the store's currency), GET /products/{id}/combinations,
 * GET/PUT /products/{id}/combinations/{cid}, and the relative PUT
 * .../inventory {quantityDelta} answering {updateCount, warning}. Every stock
 * or price change, the engine's included, fires product.updated, as Ecwid's
 * do, and every PUT is recorded for the control API.
 */
#include "ecwid.h"

#include "util/grow.h"
#include "util/jsonx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ec_product *ec_product_find(struct ec_shop *s, int64_t id)
{
    for (size_t i = 0; i < s->n_products; i++)
        if (s->products[i]->id == id)
            return s->products[i];
    return NULL;
}

struct ec_product *ec_product_by_sku(struct ec_shop *s, const char *sku, struct ec_comb **comb)
{
    *comb = NULL;
    for (size_t i = 0; i < s->n_products; i++) {
        struct ec_product *p = s->products[i];
        for (size_t k = 0; k < p->n_combs; k++)
            if (strcmp(p->combs[k].sku, sku) == 0) {
                *comb = &p->combs[k];
                return p;
            }
        if (strcmp(p->sku, sku) == 0)
            return p;
    }
    return NULL;
}

static bool sku_taken(struct ec_shop *s, const char *sku)
{
    struct ec_comb *c;
    return ec_product_by_sku(s, sku, &c) != NULL;
}

sb_err ec_product_add(struct ec_shop *s, json_t *body, struct ec_product **ret)
{
    static const char *const keys[] = { "sku",       "name",         "price", "quantity",
                                        "unlimited", "combinations", NULL };
    static const char *const ckeys[] = { "sku", "quantity", "unlimited", NULL };
    struct sb_jctx c = { .obj = body };
    const char *sku = NULL, *name = NULL;
    int64_t qty = 0;
    bool unlimited = false;
    json_t *combs = NULL;
    sb_err err;
    if (s->n_products >= EC_MAX_PRODUCTS)
        return sb_fail(SB_ECONFLICT, NULL, "the catalogue is full");
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str(&c, "sku", true, EC_STR - 1, &sku, NULL)) ||
        (err = sb_json_str(&c, "name", false, EC_STR - 1, &name, NULL)) ||
        (err = sb_json_int(&c, "quantity", false, 0, EC_QTY_MAX, &qty, NULL)) ||
        (err = sb_json_bool(&c, "unlimited", false, &unlimited, NULL)) ||
        (err = sb_json_array(&c, "combinations", false, EC_MAX_COMBS, &combs)))
        return err;
    if (sku_taken(s, sku))
        return sb_fail(SB_EDUPLICATE, "sku", "a product or combination has this SKU");
    struct ec_product *p = calloc(1, sizeof(*p));
    if (!p)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_t *pv = json_object_get(body, "price");
    if (pv && (!ec_money_parse(s, pv, &p->price) || p->price < 0 || p->price > EC_PRICE_MAX)) {
        free(p);
        return sb_fail(SB_EINVALID_FIELD, "price", "must be an amount in the store's currency");
    }
    snprintf(p->sku, sizeof(p->sku), "%s", sku);
    snprintf(p->name, sizeof(p->name), "%s", name ? name : sku);
    p->quantity = qty;
    p->unlimited = unlimited;
    for (size_t i = 0; i < json_array_size(combs); i++) {
        char buf[64];
        json_t *cj = json_array_get(combs, i);
        struct sb_jctx cc = sb_jctx_child(&c, "combinations", (long)i, cj, buf, sizeof(buf));
        const char *csku = NULL;
        int64_t cq = 0;
        bool cu = false;
        if (!json_is_object(cj))
            err = sb_fail(SB_EINVALID_FIELD, "combinations", "must be objects");
        else if (!(err = sb_json_only(&cc, ckeys)) &&
                 !(err = sb_json_str(&cc, "sku", true, EC_STR - 1, &csku, NULL)) &&
                 !(err = sb_json_int(&cc, "quantity", false, 0, EC_QTY_MAX, &cq, NULL)) &&
                 !(err = sb_json_bool(&cc, "unlimited", false, &cu, NULL))) {
            bool dup = sku_taken(s, csku) || strcmp(csku, p->sku) == 0;
            for (size_t k = 0; k < p->n_combs && !dup; k++)
                dup = strcmp(p->combs[k].sku, csku) == 0;
            if (dup)
                err = sb_fail(SB_EDUPLICATE, "combinations", "a SKU is used twice");
        }
        if (err) {
            free(p);
            return err;
        }
        struct ec_comb *cm = &p->combs[p->n_combs++];
        cm->id = s->next_comb++;
        snprintf(cm->sku, sizeof(cm->sku), "%s", csku);
        cm->quantity = cq;
        cm->unlimited = cu;
        cm->price = p->price;
    }
    if (!sb_grow((void **)&s->products, &s->cap_products, s->n_products + 1, sizeof(*s->products),
                 64)) {
        free(p);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    p->id = s->next_product++;
    p->updated = ec_now(s);
    s->products[s->n_products++] = p;
    if (ret)
        *ret = p;
    return SB_OK;
}

static void product_updated(struct ec_shop *s, struct ec_product *p)
{
    p->updated = ec_now(s);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)p->id);
    ec_event_raise(s, "product.updated", p->id, json_pack("{s:s}", "productId", id));
}

void ec_stock_move(struct ec_shop *s, struct ec_product *p, struct ec_comb *c, int64_t delta)
{
    if (!p || (c ? c->unlimited : p->unlimited))
        return;
    int64_t *q = c ? &c->quantity : &p->quantity;
    *q += delta; /* Ecwid lets stock go below zero when orders oversell */
    product_updated(s, p);
}

/* Ecwid's combination (the Java client's FetchedVariation) names no product id. */
static json_t *comb_json(const struct ec_shop *s, const struct ec_comb *c)
{
    json_t *j = json_pack("{s:I,s:s,s:o,s:b,s:b}", "id", (json_int_t)c->id, "sku", c->sku, "price",
                          ec_money(s, c->price), "unlimited", c->unlimited, "inStock",
                          c->unlimited || c->quantity > 0);
    if (!c->unlimited)
        json_object_set_new(j, "quantity", json_integer(c->quantity));
    if (c->compare_to > 0) /* Ecwid leaves an unset "was" price out */
        json_object_set_new(j, "compareToPrice", ec_money(s, c->compare_to));
    return j;
}

json_t *ec_product_json(struct ec_shop *s, const struct ec_product *p)
{
    char updated[40];
    ec_date(p->updated, updated, sizeof(updated));
    json_t *combs = json_array();
    for (size_t i = 0; i < p->n_combs; i++)
        json_array_append_new(combs, comb_json(s, &p->combs[i]));
    json_t *j = json_pack("{s:I,s:s,s:s,s:o,s:b,s:b,s:b,s:s,s:I,s:o}", "id", (json_int_t)p->id,
                          "sku", p->sku, "name", p->name, "price", ec_money(s, p->price),
                          "unlimited", p->unlimited, "inStock", p->unlimited || p->quantity > 0,
                          "enabled", true, "updated", updated, "updateTimestamp",
                          (json_int_t)p->updated, "combinations", combs);
    if (!p->unlimited)
        json_object_set_new(j, "quantity", json_integer(p->quantity));
    if (p->compare_to > 0)
        json_object_set_new(j, "compareToPrice", ec_money(s, p->compare_to));
    return j;
}

void ec_route_products(struct ec_shop *s, const struct fs_args *a, struct fs_ec_response *r)
{
    int64_t offset, limit;
    if (!ec_paging(a, 100, &offset, &limit, r))
        return;
    const char *sku = fs_args_first(a, "sku");
    json_t *items = json_array();
    size_t total = 0;
    for (size_t i = 0; i < s->n_products; i++) {
        struct ec_product *p = s->products[i];
        struct ec_comb *c;
        if (sku && ec_product_by_sku(s, sku, &c) != p)
            continue;
        if (total >= (size_t)offset && total < (size_t)(offset + limit))
            json_array_append_new(items, ec_product_json(s, p));
        total++;
    }
    ec_reply(r, 200,
             json_pack("{s:I,s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "count",
                       (json_int_t)json_array_size(items), "offset", (json_int_t)offset, "limit",
                       (json_int_t)limit, "items", items));
}

static bool parse_id(const char *v, int64_t *ret)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n <= 0)
        return false;
    *ret = n;
    return true;
}

/* An amount field of an update body (price, compareToPrice): a number of the store's
 * currency, 0..EC_PRICE_MAX; false (r answered) when present and not one. */
static bool body_money(struct ec_shop *s, json_t *body, const char *key, bool *has, int64_t *ret,
                       struct fs_ec_response *r)
{
    json_t *v = json_object_get(body, key);
    *has = v != NULL;
    if (!v)
        return true;
    if (!json_is_number(v) || !ec_money_parse(s, v, ret) || *ret < 0 || *ret > EC_PRICE_MAX) {
        char msg[128];
        snprintf(msg, sizeof(msg), "%s must be a non-negative amount in the store's currency", key);
        ec_error(r, 400, "INVALID_PARAMETER", msg);
        return false;
    }
    return true;
}

/* An integer field of an update body; false (r answered) when present and not one. */
static bool body_int(json_t *body, const char *key, int64_t min, int64_t max, bool *has,
                     int64_t *ret, struct fs_ec_response *r)
{
    json_t *v = json_object_get(body, key);
    *has = v != NULL;
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%s must be an integer", key);
        ec_error(r, 400, "INVALID_PARAMETER", msg);
        return false;
    }
    *ret = json_integer_value(v);
    return true;
}

void ec_route_product(struct ec_shop *s, const char *method, const char *pid, const char *cid,
                      bool inventory, json_t *body, struct fs_ec_response *r)
{
    int64_t id, comb_id = 0;
    struct ec_product *p = parse_id(pid, &id) ? ec_product_find(s, id) : NULL;
    if (!p)
        return ec_error(r, 404, "PRODUCT_NOT_FOUND", "Product not found");
    if (strcmp(method, "COMBINATIONS") == 0) {
        json_t *a = json_array();
        for (size_t i = 0; i < p->n_combs; i++)
            json_array_append_new(a, comb_json(s, &p->combs[i]));
        return ec_reply(r, 200, a);
    }
    struct ec_comb *c = NULL;
    if (cid) {
        if (parse_id(cid, &comb_id))
            for (size_t i = 0; i < p->n_combs; i++)
                if (p->combs[i].id == comb_id)
                    c = &p->combs[i];
        if (!c)
            return ec_error(r, 404, "COMBINATION_NOT_FOUND", "Combination not found");
    }
    if (strcmp(method, "GET") == 0)
        return ec_reply(r, 200, c ? comb_json(s, c) : ec_product_json(s, p));
    json_t *call = json_pack("{s:I,s:O,s:b}", "productId", (json_int_t)p->id, "body", body,
                             "inventory", inventory);
    if (c)
        json_object_set_new(call, "combinationId", json_integer(c->id));
    json_array_append_new(s->stock_calls, call);
    bool *unl = c ? &c->unlimited : &p->unlimited;
    int64_t *qty = c ? &c->quantity : &p->quantity;
    if (inventory) {
        bool has;
        int64_t delta = 0;
        if (!body_int(body, "quantityDelta", -EC_QTY_MAX, EC_QTY_MAX, &has, &delta, r))
            return;
        if (!has)
            return ec_error(r, 400, "INVALID_PARAMETER", "quantityDelta is required");
        if (*unl)
            return ec_reply(
                r, 200,
                json_pack("{s:i,s:s}", "updateCount", 0, "warning", "Product has unlimited stock"));
        ec_stock_move(s, p, c, delta);
        return ec_reply(r, 200, json_pack("{s:i}", "updateCount", 1));
    }
    bool has_q, has_u = false, has_p, has_w;
    int64_t q = 0, price = 0, was = 0;
    if (!body_int(body, "quantity", 0, EC_QTY_MAX, &has_q, &q, r) ||
        !body_money(s, body, "price", &has_p, &price, r) ||
        !body_money(s, body, "compareToPrice", &has_w, &was, r))
        return;
    json_t *u = json_object_get(body, "unlimited");
    if (u && !json_is_boolean(u))
        return ec_error(r, 400, "INVALID_PARAMETER", "unlimited must be a boolean");
    has_u = u != NULL;
    bool changed = false;
    if (has_u && json_boolean_value(u) != *unl) {
        *unl = json_boolean_value(u);
        changed = true;
    }
    if (has_q && !*unl) { /* a quantity on an unlimited product is ignored, as Ecwid does */
        changed = changed || *qty != q;
        *qty = q;
    }
    int64_t *pr = c ? &c->price : &p->price, *wp = c ? &c->compare_to : &p->compare_to;
    if (has_p && *pr != price) {
        *pr = price;
        changed = true;
    }
    if (has_w && *wp != was) { /* 0 clears it */
        *wp = was;
        changed = true;
    }
    if (changed)
        product_updated(s, p);
    ec_reply(r, 200, json_pack("{s:i}", "updateCount", 1));
}
