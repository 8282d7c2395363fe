/*
 * The simulated Magento's catalogue and inventory: products (GET
 * /V1/products), their base and special prices (the efficient price API:
 * POST /V1/products/base-prices, special-price, special-price-delete, each
 * answering the list of rows it refused, [] when none), the MSI sources (GET
 * /V1/inventory/sources; every source is in stock 1), their source items
 * (GET and POST /V1/inventory/source-items: a save is checked whole and
 * refused whole with Magento's "Validation Failed"), and the reservations
 * orders hold: an order's units count against the salable quantity
 * (GET /V1/inventory/get-product-salable-quantity/{sku}/1) until they ship,
 * are canceled or refunded; a shipment takes its units from the first
 * source holding the SKU, a credit memo that returns to stock gives them back
 * there.
 */
#include "magento2.h"

#include "core/money.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_QTY 100

/* ---------------------------------------------------------------- products */

static bool index_grow(struct m2_shop *s)
{
    if (s->n_products * 2 < s->sku_cap)
        return true;
    size_t cap = s->sku_cap ? s->sku_cap * 2 : 1024;
    uint32_t *t = calloc(cap, sizeof(*t));
    if (!t)
        return false;
    for (size_t i = 0; i < s->n_products; i++) {
        size_t h = sb_fnv1a(s->products[i].sku) & (cap - 1);
        while (t[h])
            h = (h + 1) & (cap - 1);
        t[h] = (uint32_t)(i + 1);
    }
    free(s->sku_index);
    s->sku_index = t;
    s->sku_cap = cap;
    return true;
}

sb_err m2_product_add(struct m2_shop *s, const char *sku, const char *name, int64_t price,
                      const char *type_id, struct m2_product **ret)
{
    if (!sku || !*sku || strlen(sku) > 64)
        return sb_fail(SB_EINVALID_FIELD, "sku", "a SKU is 1 to 64 bytes");
    if (m2_product_find(s, sku))
        return sb_fail(SB_EDUPLICATE, "sku", "SKU %s exists", sku);
    if (s->n_products >= M2_MAX_PRODUCTS)
        return sb_fail(SB_EINSUFFICIENT, NULL, "the store holds %d products, its limit",
                       M2_MAX_PRODUCTS);
    if (s->n_products == s->cap_products) {
        size_t cap = s->cap_products ? s->cap_products * 2 : 256;
        struct m2_product *n = realloc(s->products, cap * sizeof(*n));
        if (!n)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        s->products = n;
        s->cap_products = cap;
    }
    struct m2_product *p = &s->products[s->n_products];
    *p = (struct m2_product){
        .id = s->next_product,
        .price = price,
        .sku = sb_arena_strdup(s->strings, sku),
        .name = sb_arena_strdup(s->strings, name ? name : sku),
        .type_id = sb_arena_strdup(s->strings, type_id ? type_id : "simple"),
    };
    p->created_at = p->updated_at = m2_now(s);
    if (strcmp(p->type_id, "simple") == 0)
        for (size_t i = 0; i < s->n_sources; i++) {
            p->qty[i] = DEFAULT_QTY;
            p->status[i] = 1;
            p->assigned |= 1u << i;
        }
    s->n_products++;
    if (!index_grow(s)) {
        s->n_products--;
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    size_t h = sb_fnv1a(p->sku) & (s->sku_cap - 1);
    while (s->sku_index[h])
        h = (h + 1) & (s->sku_cap - 1);
    s->sku_index[h] = (uint32_t)s->n_products;
    s->next_product++;
    if (ret)
        *ret = p;
    return SB_OK;
}

json_t *m2_product_json(struct m2_shop *s, const struct m2_product *p)
{
    char t[32];
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(p->id));
    json_object_set_new(j, "sku", json_string(p->sku));
    json_object_set_new(j, "name", json_string(p->name));
    json_object_set_new(j, "attribute_set_id", json_integer(4));
    json_object_set_new(j, "price", m2_money(s, p->price));
    json_object_set_new(j, "status", json_integer(1));
    json_object_set_new(j, "visibility", json_integer(4));
    json_object_set_new(j, "type_id", json_string(p->type_id));
    m2_time_format(p->created_at, t, sizeof(t));
    json_object_set_new(j, "created_at", json_string(t));
    m2_time_format(p->updated_at, t, sizeof(t));
    json_object_set_new(j, "updated_at", json_string(t));
    json_object_set_new(j, "extension_attributes", json_pack("{s:[i]}", "website_ids", 1));
    json_object_set_new(j, "product_links", json_array());
    json_object_set_new(j, "options", json_array());
    json_object_set_new(j, "media_gallery_entries", json_array());
    json_object_set_new(j, "tier_prices", json_array());
    json_t *attrs = json_array();
    if (p->has_special) {
        char buf[48];
        sb_money_format(p->special_price, s->exponent, buf, sizeof(buf));
        json_array_append_new(
            attrs, json_pack("{s:s,s:s}", "attribute_code", "special_price", "value", buf));
        json_array_append_new(attrs, json_pack("{s:s,s:s}", "attribute_code", "special_from_date",
                                               "value", p->special_from));
        json_array_append_new(attrs, json_pack("{s:s,s:s}", "attribute_code", "special_to_date",
                                               "value", p->special_to));
    }
    json_object_set_new(j, "custom_attributes", attrs);
    return j;
}

static void product_field(struct m2_shop *s, void *ctx, size_t i, const char *f, struct m2_val *v)
{
    (void)ctx;
    const struct m2_product *p = &s->products[i];
    v->null = false;
    v->str = v->buf;
    if (strcmp(f, "sku") == 0)
        v->str = p->sku;
    else if (strcmp(f, "name") == 0)
        v->str = p->name;
    else if (strcmp(f, "type_id") == 0)
        v->str = p->type_id;
    else if (strcmp(f, "entity_id") == 0 || strcmp(f, "id") == 0)
        snprintf(v->buf, sizeof(v->buf), "%lld", (long long)p->id);
    else if (strcmp(f, "price") == 0)
        sb_money_format(p->price, s->exponent, v->buf, sizeof(v->buf));
    else if (strcmp(f, "status") == 0 || strcmp(f, "visibility") == 0)
        v->str = strcmp(f, "status") == 0 ? "1" : "4";
    else if (strcmp(f, "updated_at") == 0)
        m2_time_format(p->updated_at, v->buf, sizeof(v->buf));
    else if (strcmp(f, "created_at") == 0)
        m2_time_format(p->created_at, v->buf, sizeof(v->buf));
    else
        v->null = true;
}

void m2_route_products(struct m2_shop *s, const struct fs_args *args, struct fs_m2_response *r)
{
    size_t *idx, n;
    int64_t total;
    json_t *crit;
    if (!m2_search(s, args, s->n_products, product_field, NULL, r, &idx, &n, &total, &crit))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, m2_product_json(s, &s->products[idx[i]]));
    free(idx);
    m2_search_reply(r, items, crit, total);
}

/* ---------------------------------------------------------------- prices */

static json_t *price_error(const char *message, json_t *params)
{
    return json_pack("{s:s,s:o}", "message", message, "parameters", params);
}

/* A date Magento would check: a non-empty string (PHP's truthiness: "" and null are not). */
static bool given(json_t *v)
{
    return json_is_string(v) && json_string_value(v)[0] != '\0';
}

void m2_route_prices(struct m2_shop *s, const char *kind, json_t *body, struct fs_m2_response *r)
{
    json_t *prices = json_object_get(body, "prices");
    if (!json_is_array(prices))
        return m2_error(r, 400, "\"%fieldName\" is required. Enter and try again.",
                        json_pack("{s:s}", "fieldName", "prices"));
    bool special = strcmp(kind, "base") != 0, del = strcmp(kind, "special-delete") == 0;
    json_t *errors = json_array();
    for (size_t i = 0; i < json_array_size(prices); i++) {
        json_t *e = json_array_get(prices, i);
        json_t *sku = json_object_get(e, "sku"), *store = json_object_get(e, "store_id");
        json_t *from = json_object_get(e, "price_from"), *to = json_object_get(e, "price_to");
        int64_t price = 0, t;
        const char *sku_s = json_is_string(sku) ? json_string_value(sku) : "";
        struct m2_product *p = json_is_string(sku) ? m2_product_find(s, sku_s) : NULL;
        if (!p) {
            json_array_append_new(
                errors, price_error("The SKU \"%SKU\" doesn't exist. Verify the product and try "
                                    "again.",
                                    json_pack("[s]", sku_s)));
            continue;
        }
        if (!m2_money_parse(s, json_object_get(e, "price"), &price) || price < 0) {
            json_array_append_new(errors, price_error("Invalid attribute %fieldName = %fieldValue.",
                                                      json_pack("[s,s]", "Price", sku_s)));
            continue;
        }
        if (!json_is_integer(store) || json_integer_value(store) < 0 ||
            json_integer_value(store) > 1) {
            json_array_append_new(
                errors, price_error("Requested store is not found. Row ID: SKU = %SKU, Store ID: "
                                    "%storeId.",
                                    json_pack("[s,s]", sku_s, "?")));
            continue;
        }
        /* as Magento's SpecialPriceStorage::checkDate: a date given (not empty) must read as
         * Y-m-d H:i:s; an empty one is no bound (an open-ended special price) */
        if (special && ((given(from) && !m2_time_parse(json_string_value(from), &t)) ||
                        (given(to) && !m2_time_parse(json_string_value(to), &t)) ||
                        (from && !json_is_null(from) && !json_is_string(from)) ||
                        (to && !json_is_null(to) && !json_is_string(to)))) {
            json_array_append_new(errors, price_error("Invalid attribute %fieldName = %fieldValue.",
                                                      json_pack("[s,s]", "Price From/To", sku_s)));
            continue;
        }
        if (!special)
            p->price = price;
        else if (del)
            p->has_special = false;
        else {
            p->has_special = true;
            p->special_price = price;
            p->special_from =
                sb_arena_strdup(s->strings, given(from) ? json_string_value(from) : "");
            p->special_to = sb_arena_strdup(s->strings, given(to) ? json_string_value(to) : "");
        }
        p->updated_at = m2_now(s);
    }
    json_array_append_new(s->price_calls, json_pack("{s:s,s:O,s:O}", "kind", kind, "prices", prices,
                                                    "errors", errors));
    m2_reply(r, 200, errors);
}

/* POST /V1/products/special-price-information {"skus"}: the special prices held for those
 * SKUs; an unknown SKU fails the whole call, as Magento's NoSuchEntityException does. */
void m2_route_special_info(struct m2_shop *s, json_t *body, struct fs_m2_response *r)
{
    json_t *skus = json_object_get(body, "skus");
    if (!json_is_array(skus))
        return m2_error(r, 400, "\"%fieldName\" is required. Enter and try again.",
                        json_pack("{s:s}", "fieldName", "skus"));
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(skus); i++) {
        json_t *sku = json_array_get(skus, i);
        struct m2_product *p =
            json_is_string(sku) ? m2_product_find(s, json_string_value(sku)) : NULL;
        if (!p) {
            json_decref(out);
            return m2_error(r, 404,
                            "The product that was requested doesn't exist. Verify the product "
                            "and try again.",
                            NULL);
        }
        if (p->has_special)
            json_array_append_new(out, json_pack("{s:o,s:i,s:s,s:s,s:s}", "price",
                                                 m2_money(s, p->special_price), "store_id", 0,
                                                 "sku", p->sku, "price_from", p->special_from,
                                                 "price_to", p->special_to));
    }
    m2_reply(r, 200, out);
}

/* ---------------------------------------------------------------- sources */

static json_t *source_json(const struct m2_source *src)
{
    return json_pack("{s:s,s:s,s:b,s:s,s:s,s:b}", "source_code", src->code, "name", src->name,
                     "enabled", src->enabled, "country_id", "US", "postcode", "97477",
                     "use_default_carrier_config", 1);
}

static void source_field(struct m2_shop *s, void *ctx, size_t i, const char *f, struct m2_val *v)
{
    (void)ctx;
    v->null = false;
    if (strcmp(f, "source_code") == 0)
        v->str = s->sources[i].code;
    else if (strcmp(f, "name") == 0)
        v->str = s->sources[i].name;
    else if (strcmp(f, "enabled") == 0)
        v->str = s->sources[i].enabled ? "1" : "0";
    else
        v->null = true;
}

void m2_route_sources(struct m2_shop *s, const struct fs_args *args, struct fs_m2_response *r)
{
    size_t *idx, n;
    int64_t total;
    json_t *crit;
    if (!m2_search(s, args, s->n_sources, source_field, NULL, r, &idx, &n, &total, &crit))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, source_json(&s->sources[idx[i]]));
    free(idx);
    m2_search_reply(r, items, crit, total);
}

/* ---------------------------------------------------------------- source items */

struct pair {
    uint32_t product;
    uint8_t source;
};

static void item_field(struct m2_shop *s, void *ctx, size_t i, const char *f, struct m2_val *v)
{
    const struct pair *pr = &((const struct pair *)ctx)[i];
    const struct m2_product *p = &s->products[pr->product];
    v->null = false;
    v->str = v->buf;
    if (strcmp(f, "sku") == 0)
        v->str = p->sku;
    else if (strcmp(f, "source_code") == 0)
        v->str = s->sources[pr->source].code;
    else if (strcmp(f, "quantity") == 0)
        snprintf(v->buf, sizeof(v->buf), "%lld", (long long)p->qty[pr->source]);
    else if (strcmp(f, "status") == 0)
        snprintf(v->buf, sizeof(v->buf), "%d", p->status[pr->source]);
    else
        v->null = true;
}

static json_t *source_item(struct m2_shop *s, const struct m2_product *p, size_t src)
{
    return json_pack("{s:s,s:s,s:I,s:i}", "sku", p->sku, "source_code", s->sources[src].code,
                     "quantity", (json_int_t)p->qty[src], "status", p->status[src]);
}

json_t *m2_source_items_json(struct m2_shop *s, const struct m2_product *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_sources; i++)
        if (p->assigned & (1u << i))
            json_array_append_new(a, source_item(s, p, i));
    return a;
}

void m2_route_source_items_get(struct m2_shop *s, const struct fs_args *args,
                               struct fs_m2_response *r)
{
    size_t np = 0;
    for (size_t i = 0; i < s->n_products; i++)
        np += (size_t)__builtin_popcount(s->products[i].assigned);
    struct pair *pairs = malloc((np ? np : 1) * sizeof(*pairs));
    if (!pairs)
        return m2_error(r, 500, "Internal Error.", NULL);
    size_t k = 0;
    for (size_t i = 0; i < s->n_products; i++)
        for (size_t j = 0; j < s->n_sources; j++)
            if (s->products[i].assigned & (1u << j))
                pairs[k++] = (struct pair){ (uint32_t)i, (uint8_t)j };
    size_t *idx, n;
    int64_t total;
    json_t *crit;
    if (m2_search(s, args, np, item_field, pairs, r, &idx, &n, &total, &crit)) {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                items, source_item(s, &s->products[pairs[idx[i]].product], pairs[idx[i]].source));
        free(idx);
        m2_search_reply(r, items, crit, total);
    }
    free(pairs);
}

void m2_route_source_items_post(struct m2_shop *s, json_t *body, struct fs_m2_response *r)
{
    json_t *items = json_object_get(body, "sourceItems");
    if (!json_is_array(items))
        return m2_error(r, 400, "\"%fieldName\" is required. Enter and try again.",
                        json_pack("{s:s}", "fieldName", "sourceItems"));
    json_t *errors = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *e = json_array_get(items, i);
        json_t *sku = json_object_get(e, "sku"), *code = json_object_get(e, "source_code");
        json_t *q = json_object_get(e, "quantity"), *st = json_object_get(e, "status");
        if (!json_is_string(sku) || !*json_string_value(sku))
            json_array_append_new(errors, json_pack("{s:s,s:{s:s}}", "message",
                                                    "\"%field\" can not be empty.", "parameters",
                                                    "field", "sku"));
        else if (!m2_product_find(s, json_string_value(sku)))
            json_array_append_new(errors, json_pack("{s:s,s:{s:s}}", "message",
                                                    "Product with SKU \"%sku\" does not exist.",
                                                    "parameters", "sku", json_string_value(sku)));
        if (!json_is_string(code) || m2_source_find(s, json_string_value(code)) < 0)
            json_array_append_new(
                errors, json_pack("{s:s,s:{s:s}}", "message",
                                  "Source with code \"%code\" does not exist.", "parameters",
                                  "code", json_is_string(code) ? json_string_value(code) : ""));
        double dq = json_number_value(q);
        if (!(json_is_integer(q) || json_is_real(q)) || dq != (double)(int64_t)dq || dq < -1e9 ||
            dq > 1e9)
            json_array_append_new(errors, json_pack("{s:s,s:{s:s}}", "message",
                                                    "\"%field\" should be numeric.", "parameters",
                                                    "field", "quantity"));
        if (!json_is_integer(st) || json_integer_value(st) < 0 || json_integer_value(st) > 1)
            json_array_append_new(errors, json_pack("{s:s,s:{s:s}}", "message",
                                                    "\"%field\" should be numeric.", "parameters",
                                                    "field", "status"));
    }
    if (json_array_size(errors)) {
        json_t *b = json_pack("{s:s,s:o}", "message", "Validation Failed", "errors", errors);
        return m2_reply(r, 400, b);
    }
    json_decref(errors);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *e = json_array_get(items, i);
        struct m2_product *p = m2_product_find(s, json_string_value(json_object_get(e, "sku")));
        long src = m2_source_find(s, json_string_value(json_object_get(e, "source_code")));
        p->qty[src] = (int64_t)json_number_value(json_object_get(e, "quantity"));
        p->status[src] = (uint8_t)json_integer_value(json_object_get(e, "status"));
        p->assigned |= 1u << src;
    }
    json_array_append_new(
        s->source_item_calls,
        json_pack("{s:I,s:O}", "count", (json_int_t)json_array_size(items), "sourceItems", items));
    m2_reply(r, 200, json_array());
}

/* ---------------------------------------------------------------- reservations */

int64_t m2_reserved(struct m2_shop *s, const char *sku)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->n_orders; i++) {
        const struct m2_order *o = s->orders[i];
        for (size_t k = 0; k < o->n_items; k++) {
            const struct m2_item *it = &o->items[k];
            if (!m2_item_is_parent(it) && strcmp(it->sku, sku) == 0)
                n += m2_item_to_ship(it);
        }
    }
    return n;
}

void m2_source_move(struct m2_shop *s, const char *sku, int64_t delta)
{
    struct m2_product *p = m2_product_find(s, sku);
    if (!p)
        return;
    for (size_t i = 0; i < s->n_sources; i++)
        if (p->assigned & (1u << i)) {
            p->qty[i] += delta;
            return;
        }
}

void m2_route_salable(struct m2_shop *s, const char *sku, const char *stock,
                      struct fs_m2_response *r)
{
    if (strcmp(stock, "1") != 0)
        return m2_error(r, 404, "Stock with id \"%value\" does not exist.",
                        json_pack("{s:s}", "value", stock));
    struct m2_product *p = m2_product_find(s, sku);
    if (!p)
        return m2_error(r, 404,
                        "The product that was requested doesn't exist. Verify the product and "
                        "try again.",
                        NULL);
    int64_t qty = 0;
    for (size_t i = 0; i < s->n_sources; i++)
        if ((p->assigned & (1u << i)) && p->status[i] && s->sources[i].enabled)
            qty += p->qty[i];
    m2_reply(r, 200, json_integer(qty - m2_reserved(s, sku)));
}
