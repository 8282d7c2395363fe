/*
 * Ecwid orders: placed from the control API (items by SKU, stock taken off
 * the product or combination as Ecwid does), their statuses changed from the
 * control API or by PUT /orders/{id} (payment CANCELLED puts the stock back,
 * once), and rendered in Ecwid's shape: the string id with the store's
 * prefix beside the numeric internalId, float money, createDate and
 * updateDate as "yyyy-MM-dd HH:mm:ss +0000" beside createTimestamp and
 * updateTimestamp in Unix seconds. Search answers the {total, count,
 * offset, limit, items} envelope, leaving INCOMPLETE orders out unless a
 * paymentStatus filter names them, as Ecwid does.
 */
#include "ecwid.h"

#include "util/grow.h"
#include "util/jsonx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const payment_statuses[] = {
    "AWAITING_PAYMENT",
    "PAID",
    "CANCELLED",
    "REFUNDED",
    "PARTIALLY_REFUNDED",
    "INCOMPLETE",
    "CUSTOM_PAYMENT_STATUS_1",
    "CUSTOM_PAYMENT_STATUS_2",
    "CUSTOM_PAYMENT_STATUS_3",
    NULL,
};

static const char *const fulfillment_statuses[] = {
    "AWAITING_PROCESSING",
    "PROCESSING",
    "SHIPPED",
    "DELIVERED",
    "WILL_NOT_DELIVER",
    "RETURNED",
    "READY_FOR_PICKUP",
    "OUT_FOR_DELIVERY",
    "CUSTOM_FULFILLMENT_STATUS_1",
    "CUSTOM_FULFILLMENT_STATUS_2",
    "CUSTOM_FULFILLMENT_STATUS_3",
    NULL,
};

static bool in(const char *const *list, const char *v)
{
    for (; *list; list++)
        if (strcmp(*list, v) == 0)
            return true;
    return false;
}

bool ec_payment_status_ok(const char *v)
{
    return v && in(payment_statuses, v);
}

bool ec_fulfillment_status_ok(const char *v)
{
    return v && in(fulfillment_statuses, v);
}

void ec_order_free(struct ec_order *o)
{
    if (!o)
        return;
    json_decref(o->billing);
    json_decref(o->shipping_person);
    free(o->items);
    free(o);
}

/* Ecwid's short ids: the internal id in base 32 over letters and digits Ecwid uses. */
static void short_id(const struct ec_shop *s, int64_t internal, char *out, size_t cap)
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char tmp[16];
    size_t n = 0;
    uint64_t v = (uint64_t)internal * 2654435761u % 33554432u; /* 5 digits of base 32 */
    for (int i = 0; i < 5; i++, v /= 32)
        tmp[n++] = alphabet[v % 32];
    tmp[n] = '\0';
    snprintf(out, cap, "%s%s", s->prefix, tmp);
}

static sb_err fail_field(const char *field, const char *msg)
{
    return sb_fail(SB_EINVALID_FIELD, field, "%s", msg);
}

static sb_err parse_money(struct ec_shop *s, json_t *obj, const char *key, int64_t *ret)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return SB_OK;
    if (!ec_money_parse(s, v, ret) || *ret < 0 || *ret > EC_PRICE_MAX)
        return fail_field(key, "must be an amount in the store's currency");
    return SB_OK;
}

static sb_err parse_items(struct ec_shop *s, struct ec_order *o, json_t *items)
{
    static const char *const keys[] = { "sku", "name",         "quantity", "price",
                                        "tax", "couponAmount", NULL };
    o->items = calloc(json_array_size(items), sizeof(*o->items));
    if (!o->items)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *j = json_array_get(items, i);
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "items[%zu]", i);
        if (!json_is_object(j))
            return fail_field(prefix, "must be an object");
        struct sb_jctx c = { .obj = j, .prefix = prefix };
        const char *sku = NULL, *name = NULL;
        int64_t qty = 1;
        sb_err err;
        if ((err = sb_json_only(&c, keys)) ||
            (err = sb_json_str(&c, "sku", true, EC_STR - 1, &sku, NULL)) ||
            (err = sb_json_str(&c, "name", false, EC_STR - 1, &name, NULL)) ||
            (err = sb_json_int(&c, "quantity", false, 1, 10000, &qty, NULL)))
            return err;
        struct ec_comb *comb = NULL;
        struct ec_product *p = ec_product_by_sku(s, sku, &comb);
        if (!p)
            return fail_field(prefix, "no product or combination has this SKU");
        struct ec_item *it = &o->items[o->n_items];
        it->price = p->price;
        if ((err = parse_money(s, j, "price", &it->price)) ||
            (err = parse_money(s, j, "tax", &it->tax)) ||
            (err = parse_money(s, j, "couponAmount", &it->coupon)))
            return err;
        it->product_id = p->id;
        it->combination_id = comb ? comb->id : 0;
        it->quantity = qty;
        snprintf(it->sku, sizeof(it->sku), "%s", sku);
        snprintf(it->name, sizeof(it->name), "%s", name ? name : p->name);
        o->n_items++;
    }
    return SB_OK;
}

static sb_err copy_str(struct sb_jctx *c, const char *key, char *dst, size_t cap)
{
    const char *v = NULL;
    sb_err err = sb_json_str(c, key, false, cap - 1, &v, NULL);
    if (!err && v)
        snprintf(dst, cap, "%s", v);
    return err;
}

sb_err ec_order_place(struct ec_shop *s, json_t *body, struct ec_order **ret)
{
    static const char *const keys[] = {
        "paymentStatus",
        "fulfillmentStatus",
        "email",
        "paymentMethod",
        "items",
        "shipping",
        "tax",
        "discount",
        "couponDiscount",
        "isPickup",
        "fulfillmentType",
        "shippingMethodName",
        "billingPerson",
        "shippingPerson",
        "createTimestamp",
        NULL,
    };
    if (s->n_orders >= EC_MAX_ORDERS)
        return sb_fail(SB_ECONFLICT, NULL, "the store is full");
    struct sb_jctx c = { .obj = body };
    json_t *items = NULL, *billing = NULL, *ship = NULL;
    int64_t created = 0;
    bool has_created = false;
    sb_err err;
    struct ec_order *o = calloc(1, sizeof(*o));
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    snprintf(o->payment_status, sizeof(o->payment_status), "AWAITING_PAYMENT");
    snprintf(o->fulfillment_status, sizeof(o->fulfillment_status), "AWAITING_PROCESSING");
    snprintf(o->email, sizeof(o->email), "customer@example.com");
    snprintf(o->payment_method, sizeof(o->payment_method), "Credit or debit card");
    snprintf(o->fulfillment_type, sizeof(o->fulfillment_type), "SHIPPING");
    snprintf(o->shipping_method, sizeof(o->shipping_method), "Standard");
    if ((err = sb_json_only(&c, keys)) ||
        (err = copy_str(&c, "paymentStatus", o->payment_status, sizeof(o->payment_status))) ||
        (err = copy_str(&c, "fulfillmentStatus", o->fulfillment_status,
                        sizeof(o->fulfillment_status))) ||
        (err = copy_str(&c, "email", o->email, sizeof(o->email))) ||
        (err = copy_str(&c, "paymentMethod", o->payment_method, sizeof(o->payment_method))) ||
        (err = copy_str(&c, "fulfillmentType", o->fulfillment_type, sizeof(o->fulfillment_type))) ||
        (err =
             copy_str(&c, "shippingMethodName", o->shipping_method, sizeof(o->shipping_method))) ||
        (err = sb_json_bool(&c, "isPickup", false, &o->pickup, NULL)) ||
        (err =
             sb_json_int(&c, "createTimestamp", false, 1, 4102444800LL, &created, &has_created)) ||
        (err = sb_json_array(&c, "items", true, EC_MAX_ITEMS, &items)) ||
        (err = sb_json_object(&c, "billingPerson", false, &billing)) ||
        (err = sb_json_object(&c, "shippingPerson", false, &ship)) ||
        (err = parse_money(s, body, "shipping", &o->shipping)) ||
        (err = parse_money(s, body, "tax", &o->tax)) ||
        (err = parse_money(s, body, "discount", &o->discount)) ||
        (err = parse_money(s, body, "couponDiscount", &o->coupon_discount)))
        goto bad;
    if (!ec_payment_status_ok(o->payment_status)) {
        err = fail_field("paymentStatus", "is not one of Ecwid's payment statuses");
        goto bad;
    }
    if (!ec_fulfillment_status_ok(o->fulfillment_status)) {
        err = fail_field("fulfillmentStatus", "is not one of Ecwid's fulfillment statuses");
        goto bad;
    }
    if (strcmp(o->fulfillment_type, "SHIPPING") != 0 &&
        strcmp(o->fulfillment_type, "PICKUP") != 0 &&
        strcmp(o->fulfillment_type, "DELIVERY") != 0) {
        err = fail_field("fulfillmentType", "must be SHIPPING, PICKUP or DELIVERY");
        goto bad;
    }
    if (json_array_size(items) == 0) {
        err = fail_field("items", "an order needs at least one item");
        goto bad;
    }
    if ((err = parse_items(s, o, items)))
        goto bad;
    if (!sb_grow((void **)&s->orders, &s->cap_orders, s->n_orders + 1, sizeof(*s->orders), 64)) {
        err = sb_fail(SB_ENOMEM, NULL, NULL);
        goto bad;
    }
    o->billing = json_incref(billing);
    o->shipping_person = json_incref(ship);
    int64_t tax_lines = 0;
    for (size_t i = 0; i < o->n_items; i++) {
        o->items[i].id = s->next_item++;
        o->subtotal += o->items[i].price * o->items[i].quantity;
        tax_lines += o->items[i].tax;
    }
    if (!json_object_get(body, "tax"))
        o->tax = tax_lines;
    o->total = o->subtotal + o->tax + o->shipping - o->discount - o->coupon_discount;
    o->internal_id = s->next_internal++;
    short_id(s, o->internal_id, o->id, sizeof(o->id));
    o->created = has_created ? created : ec_now(s);
    o->updated = ec_now(s);
    s->orders[s->n_orders++] = o;
    /* Ecwid takes stock when the order is placed; a cancelled one never held any. */
    if (strcmp(o->payment_status, "CANCELLED") == 0)
        o->restocked = true;
    else
        for (size_t i = 0; i < o->n_items; i++) {
            struct ec_comb *comb = NULL;
            struct ec_product *p = ec_product_by_sku(s, o->items[i].sku, &comb);
            ec_stock_move(s, p, comb, -o->items[i].quantity);
        }
    ec_event_raise(s, "order.created", o->internal_id,
                   json_pack("{s:s,s:s,s:s}", "orderId", o->id, "newPaymentStatus",
                             o->payment_status, "newFulfillmentStatus", o->fulfillment_status));
    *ret = o;
    return SB_OK;
bad:
    ec_order_free(o);
    return err;
}

struct ec_order *ec_order_find(struct ec_shop *s, const char *id)
{
    for (size_t i = 0; i < s->n_orders; i++) {
        struct ec_order *o = s->orders[i];
        char internal[24];
        snprintf(internal, sizeof(internal), "%lld", (long long)o->internal_id);
        if (strcmp(o->id, id) == 0 || strcmp(internal, id) == 0)
            return o;
    }
    return NULL;
}

void ec_order_delete(struct ec_shop *s, struct ec_order *o)
{
    for (size_t i = 0; i < s->n_orders; i++) {
        if (s->orders[i] != o)
            continue;
        memmove(&s->orders[i], &s->orders[i + 1], (s->n_orders - i - 1) * sizeof(*s->orders));
        s->n_orders--;
        ec_event_raise(s, "order.deleted", o->internal_id, json_pack("{s:s}", "orderId", o->id));
        ec_order_free(o);
        return;
    }
}

void ec_order_set(struct ec_shop *s, struct ec_order *o, const char *payment,
                  const char *fulfillment, const char *tracking)
{
    json_t *data = json_pack("{s:s,s:s,s:s}", "orderId", o->id, "oldPaymentStatus",
                             o->payment_status, "oldFulfillmentStatus", o->fulfillment_status);
    if (payment)
        snprintf(o->payment_status, sizeof(o->payment_status), "%s", payment);
    if (fulfillment)
        snprintf(o->fulfillment_status, sizeof(o->fulfillment_status), "%s", fulfillment);
    if (tracking)
        snprintf(o->tracking, sizeof(o->tracking), "%s", tracking);
    o->updated = ec_now(s);
    json_object_set_new(data, "newPaymentStatus", json_string(o->payment_status));
    json_object_set_new(data, "newFulfillmentStatus", json_string(o->fulfillment_status));
    ec_event_raise(s, "order.updated", o->internal_id, data);
    if (strcmp(o->payment_status, "CANCELLED") == 0 && !o->restocked) {
        o->restocked = true; /* Ecwid puts a cancelled order's stock back */
        for (size_t i = 0; i < o->n_items; i++) {
            struct ec_comb *comb = NULL;
            struct ec_product *p = ec_product_by_sku(s, o->items[i].sku, &comb);
            if (p)
                ec_stock_move(s, p, comb, o->items[i].quantity);
        }
    }
}

static json_t *person(const json_t *given)
{
    return given ? json_deep_copy(given) : json_pack("{s:s}", "name", "");
}

json_t *ec_order_json(struct ec_shop *s, const struct ec_order *o)
{
    char created[40], updated[40];
    ec_date(o->created, created, sizeof(created));
    ec_date(o->updated, updated, sizeof(updated));
    json_t *items = json_array();
    for (size_t i = 0; i < o->n_items; i++) {
        const struct ec_item *it = &o->items[i];
        json_t *j = json_pack(
            "{s:I,s:I,s:s,s:s,s:I,s:o,s:o,s:o,s:[],s:[]}", "id", (json_int_t)it->id, "productId",
            (json_int_t)it->product_id, "sku", it->sku, "name", it->name, "quantity",
            (json_int_t)it->quantity, "price", ec_money(s, it->price), "tax", ec_money(s, it->tax),
            "couponAmount", ec_money(s, it->coupon), "discounts", "selectedOptions");
        if (it->combination_id)
            json_object_set_new(j, "combinationId", json_integer(it->combination_id));
        json_array_append_new(items, j);
    }
    json_t *j = json_pack(
        "{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:I,s:s,s:I,s:o,s:o,s:o,"
        "s:{s:s,s:o,s:b,s:s},s:[],s:o}",
        "id", o->id, "internalId", (json_int_t)o->internal_id, "orderNumber",
        (json_int_t)o->internal_id, "email", o->email, "paymentMethod", o->payment_method,
        "paymentStatus", o->payment_status, "fulfillmentStatus", o->fulfillment_status, "subtotal",
        ec_money(s, o->subtotal), "total", ec_money(s, o->total), "tax", ec_money(s, o->tax),
        "discount", ec_money(s, o->discount), "couponDiscount", ec_money(s, o->coupon_discount),
        "refundedAmount", ec_money(s, 0), "createDate", created, "createTimestamp",
        (json_int_t)o->created, "updateDate", updated, "updateTimestamp", (json_int_t)o->updated,
        "items", items, "billingPerson", person(o->billing), "shippingPerson",
        person(o->shipping_person), "shippingOption", "shippingMethodName", o->shipping_method,
        "shippingRate", ec_money(s, o->shipping), "isPickup", o->pickup, "fulfillmentType",
        o->fulfillment_type, "refunds", "pricesIncludeTax", json_false());
    if (o->tracking[0])
        json_object_set_new(j, "trackingNumber", json_string(o->tracking));
    return j;
}

/* ---------------------------------------------------------------- routes */

static bool in_csv(const char *list, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

static bool parse_ts(const char *v, int64_t *ret)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < 0)
        return false;
    *ret = n;
    return true;
}

static int cmp_created_desc(const void *a, const void *b)
{
    const struct ec_order *x = *(struct ec_order *const *)a, *y = *(struct ec_order *const *)b;
    if (x->created != y->created)
        return x->created < y->created ? 1 : -1;
    return x->internal_id < y->internal_id ? 1 : -1;
}

static int cmp_created_asc(const void *a, const void *b)
{
    return -cmp_created_desc(a, b);
}

static int cmp_updated_asc(const void *a, const void *b)
{
    const struct ec_order *x = *(struct ec_order *const *)a, *y = *(struct ec_order *const *)b;
    if (x->updated != y->updated)
        return x->updated < y->updated ? -1 : 1;
    return x->internal_id < y->internal_id ? -1 : 1;
}

static int cmp_updated_desc(const void *a, const void *b)
{
    return -cmp_updated_asc(a, b);
}

void ec_route_orders(struct ec_shop *s, const struct fs_args *a, struct fs_ec_response *r)
{
    int64_t offset, limit, updated_from = -1, created_from = -1;
    if (!ec_paging(a, 100, &offset, &limit, r))
        return;
    const char *uf = fs_args_first(a, "updatedFrom"), *cf = fs_args_first(a, "createdFrom");
    const char *ps = fs_args_first(a, "paymentStatus"), *fs = fs_args_first(a, "fulfillmentStatus");
    const char *sort = fs_args_first(a, "sortBy");
    if ((uf && !parse_ts(uf, &updated_from)) || (cf && !parse_ts(cf, &created_from)))
        return ec_error(r, 400, "INVALID_PARAMETER",
                        "updatedFrom and createdFrom must be Unix timestamps in seconds");
    int (*cmp)(const void *, const void *) = cmp_created_desc;
    if (sort && strcmp(sort, "ADDED_TIME_ASC") == 0)
        cmp = cmp_created_asc;
    else if (sort && strcmp(sort, "UPDATED_TIME_ASC") == 0)
        cmp = cmp_updated_asc;
    else if (sort && strcmp(sort, "UPDATED_TIME_DESC") == 0)
        cmp = cmp_updated_desc;
    else if (sort && strcmp(sort, "ADDED_TIME_DESC") != 0)
        return ec_error(r, 400, "INVALID_PARAMETER", "sortBy is not a known sort order");
    struct ec_order **match = malloc((s->n_orders + 1) * sizeof(*match));
    if (!match)
        return ec_error(r, 500, NULL, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < s->n_orders; i++) {
        struct ec_order *o = s->orders[i];
        if (ps ? !in_csv(ps, o->payment_status) : strcmp(o->payment_status, "INCOMPLETE") == 0)
            continue;
        if (fs && !in_csv(fs, o->fulfillment_status))
            continue;
        if (updated_from >= 0 && o->updated < updated_from)
            continue;
        if (created_from >= 0 && o->created < created_from)
            continue;
        match[n++] = o;
    }
    qsort(match, n, sizeof(*match), cmp);
    json_t *items = json_array();
    for (size_t i = (size_t)offset; i < n && i < (size_t)(offset + limit); i++)
        json_array_append_new(items, ec_order_json(s, match[i]));
    free(match);
    ec_reply(r, 200,
             json_pack("{s:I,s:I,s:I,s:I,s:o}", "total", (json_int_t)n, "count",
                       (json_int_t)json_array_size(items), "offset", (json_int_t)offset, "limit",
                       (json_int_t)limit, "items", items));
}

void ec_route_order_get(struct ec_shop *s, const char *id, struct fs_ec_response *r)
{
    struct ec_order *o = ec_order_find(s, id);
    if (!o)
        return ec_error(r, 404, "ORDER_NOT_FOUND", "Order not found");
    ec_reply(r, 200, ec_order_json(s, o));
}

void ec_route_order_put(struct ec_shop *s, const char *id, json_t *body, struct fs_ec_response *r)
{
    struct ec_order *o = ec_order_find(s, id);
    if (!o)
        return ec_error(r, 404, "ORDER_NOT_FOUND", "Order not found");
    json_t *p = json_object_get(body, "paymentStatus"),
           *f = json_object_get(body, "fulfillmentStatus");
    json_t *t = json_object_get(body, "trackingNumber");
    if (p && !ec_payment_status_ok(json_string_value(p)))
        return ec_error(r, 400, "INVALID_PARAMETER", "paymentStatus is not a valid status");
    if (f && !ec_fulfillment_status_ok(json_string_value(f)))
        return ec_error(r, 400, "INVALID_PARAMETER", "fulfillmentStatus is not a valid status");
    if (t && (!json_is_string(t) || strlen(json_string_value(t)) >= EC_STR))
        return ec_error(r, 400, "INVALID_PARAMETER", "trackingNumber must be a string");
    json_array_append_new(s->order_updates, json_pack("{s:s,s:O}", "orderId", o->id, "body", body));
    ec_order_set(s, o, p ? json_string_value(p) : NULL, f ? json_string_value(f) : NULL,
                 t ? json_string_value(t) : NULL);
    ec_reply(r, 200, json_pack("{s:i}", "updateCount", 1));
}
