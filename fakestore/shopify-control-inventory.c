/*
 * The control API's stock and price routes, beside shopify-control.c (which
 * routes here first): the levels a test reads and hand-edits as a merchant
 * would in the Shopify admin (GET|POST /_fake/inventory), the locations
 * (GET|POST /_fake/locations), a catalogue made in one call for benchmarks
 * (POST /_fake/products/bulk) and a variant's prices (GET /_fake/prices).
 * Same conventions as the other routes: JSON in and out, unknown fields
 * refused, a refused call changes nothing.
 */
#include "shopify-graphql.h"

#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_LEVELS_LISTED 10000

static json_t *level_json(const struct fs_shop *s, const struct product *p, int loc)
{
    char ts[SB_TIME_LEN];
    sb_time_format((int64_t)p->updated[loc], ts, sizeof(ts));
    return json_pack("{s:s,s:o,s:o,s:i,s:s}", "sku", p->sku, "inventory_item_id",
                     fs_jgid("InventoryItem", p->inventory_item_id), "location_id",
                     fs_jgid("Location", s->locations[loc].id), "available", (int)p->available[loc],
                     "updated_at", ts);
}

static json_t *location_json(const struct location *l)
{
    return json_pack("{s:I,s:o,s:s,s:b}", "id", (json_int_t)l->id, "gid",
                     fs_jgid("Location", l->id), "name", l->name, "active", l->active);
}

/* A location given as a number or a gid; the main one when absent. */
static sb_err location_ref(const struct fs_shop *s, json_t *v, int *ret)
{
    int64_t id = LOCATION_ID;
    if (v && json_is_integer(v))
        id = json_integer_value(v);
    else if (v && !(json_is_string(v) && fs_gql_parse_gid(json_string_value(v), "Location", &id)))
        return sb_fail(SB_EINVALID_FIELD, "location_id",
                       "location_id must be a number or a gid://shopify/Location/N");
    int i = fs_location_index(s, id);
    if (i < 0)
        return sb_fail(SB_ENOT_FOUND, "location_id", "no location %lld", (long long)id);
    *ret = i;
    return SB_OK;
}

static const char *arg(const struct fs_request *req, const char *name)
{
    return req->arg ? req->arg(req, name) : NULL;
}

static sb_err get_inventory(struct fs_shop *s, const char *sku, json_t **ret)
{
    json_t *levels = json_array();
    bool truncated = false;
    if (sku) {
        struct product *p = fs_find_product(s, sku);
        if (!p) {
            json_decref(levels);
            return sb_fail(SB_ENOT_FOUND, "sku", "no product with SKU %s", sku);
        }
        for (size_t k = 0; k < s->n_locations; k++)
            if ((p->stocked >> k) & 1u)
                json_array_append_new(levels, level_json(s, p, (int)k));
    } else {
        for (size_t i = 0; i < s->n_products && !truncated; i++)
            for (size_t k = 0; k < s->n_locations; k++) {
                if (!((s->products[i].stocked >> k) & 1u))
                    continue;
                if (json_array_size(levels) == MAX_LEVELS_LISTED) {
                    truncated = true;
                    break;
                }
                json_array_append_new(levels, level_json(s, &s->products[i], (int)k));
            }
    }
    *ret = json_pack("{s:o}", "levels", levels);
    if (truncated)
        json_object_set_new(*ret, "truncated", json_true());
    return SB_OK;
}

/* A merchant's edit in the Shopify admin: stocks the item at the location if needed. */
static sb_err set_inventory(struct fs_shop *s, json_t *body, json_t **ret)
{
    static const char *const keys[] = { "sku", "location_id", "available", NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    const char *sku = NULL;
    int64_t available = 0;
    int loc = 0;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str(&c, "sku", true, STR_MAX, &sku, NULL)) ||
        (err = sb_json_int(&c, "available", true, -QTY_LIMIT, QTY_LIMIT, &available, NULL)))
        return err;
    struct product *p = fs_find_product(s, sku);
    if (!p)
        return sb_fail(SB_ENOT_FOUND, "sku", "no product with SKU %s", sku);
    if ((err = location_ref(s, json_object_get(body, "location_id"), &loc)))
        return err;
    fs_level_set(p, loc, available, sb_time_now());
    *ret = level_json(s, p, loc);
    return SB_OK;
}

static sb_err bulk_products(struct fs_shop *s, json_t *body, json_t **ret)
{
    static const char *const keys[] = { "count", "prefix", "price", "available", NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    const char *prefix = "R";
    int64_t count = 0, price = 2500, available = 0;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_int(&c, "count", true, 1, MAX_PRODUCTS, &count, NULL)) ||
        (err = sb_json_str(&c, "prefix", false, 64, &prefix, NULL)) ||
        (err = fs_get_money(&c, "price", false, PRICE_MAX, &price, NULL)) ||
        (err = sb_json_int(&c, "available", false, -QTY_LIMIT, QTY_LIMIT, &available, NULL)))
        return err;
    return fs_products_bulk(s, prefix, count, price, available, ret);
}

static sb_err get_prices(struct fs_shop *s, const char *sku, json_t **ret)
{
    if (!sku)
        return sb_fail(SB_EMISSING_FIELD, "sku", "give ?sku=");
    struct product *p = fs_find_product(s, sku);
    if (!p)
        return sb_fail(SB_ENOT_FOUND, "sku", "no product with SKU %s", sku);
    *ret =
        json_pack("{s:s,s:o,s:o}", "sku", p->sku, "price", fs_jmoney(p->price), "compare_at_price",
                  p->compare_at < 0 ? json_null() : fs_jmoney(p->compare_at));
    return SB_OK;
}

bool fs_control_inventory(struct fs_shop *s, const struct fs_request *req, const char *const *seg,
                          const size_t *len, size_t n, json_t *body, json_t **ret, int *ret_status,
                          sb_err *ret_err)
{
#define SEG(i, lit) (n > (i) && len[i] == strlen(lit) && memcmp(seg[i], lit, len[i]) == 0)
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    sb_err err = SB_OK;
    if (n == 1 && SEG(0, "inventory")) {
        if (!get && !post)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        err = get ? get_inventory(s, arg(req, "sku"), ret) : set_inventory(s, body, ret);
        pthread_mutex_unlock(&s->mu);
    } else if (n == 1 && SEG(0, "locations")) {
        if (!get && !post)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        if (get) {
            json_t *list = json_array();
            for (size_t i = 0; i < s->n_locations; i++)
                json_array_append_new(list, location_json(&s->locations[i]));
            *ret = json_pack("{s:o}", "locations", list);
        } else {
            static const char *const keys[] = { "name", NULL };
            struct sb_jctx c = { .obj = body, .prefix = NULL };
            const char *name = NULL;
            struct location *l = NULL;
            if (!(err = sb_json_only(&c, keys)) &&
                !(err = sb_json_str(&c, "name", true, STR_MAX, &name, NULL)) &&
                !(err = fs_location_add(s, name, &l))) {
                *ret = location_json(l);
                *ret_status = 201;
            }
        }
        pthread_mutex_unlock(&s->mu);
    } else if (n == 2 && SEG(0, "products") && SEG(1, "bulk")) {
        if (!post)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        err = bulk_products(s, body, ret);
        pthread_mutex_unlock(&s->mu);
        *ret_status = 201;
    } else if (n == 1 && SEG(0, "prices")) {
        if (!get)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        err = get_prices(s, arg(req, "sku"), ret);
        pthread_mutex_unlock(&s->mu);
    } else {
        return false;
    }
#undef SEG
    *ret_err = err;
    return true;
not_allowed:
    *ret_err =
        sb_fail(SB_EMETHOD_NOT_ALLOWED, NULL, "%s is not allowed on %s", req->method, req->path);
    return true;
}
