/*
 * The REST shape of an order, both ways. Out: the bodies of the order,
 * refund and fulfillment webhooks and of the control API's answers, in
 * Shopify's shapes with its quirks kept (a line's total_discount "0.00",
 * refund line subtotals as JSON numbers, times at the shop's UTC offset,
 * ids as integers, money as "12.34" with a *_set twin). In: the control
 * API's order bodies (POST /_fake/orders, the update action), checked as
 * hostile input: only known keys, every string and list bounded, money as
 * decimal strings, errors naming the field's path ("line_items[2].price").
 */
#include "shop.h"

#include "core/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SHIPPING_LINES 5
#define MAX_ATTRS          50
#define SHOP_UTC_OFFSET_S  (-5 * 3600) /* REST times carry the shop's offset, GraphQL's are UTC */

/* ---------------------------------------------------------------- money and times */

/* REST money: "12.34" as a JSON number (refund line subtotals are numbers on Shopify), in
 * the currency's decimals. */
static json_t *jmoney_number(int64_t v, const char *cur)
{
    double unit = 1;
    for (int i = fs_exp(cur); i > 0; i--)
        unit *= 10;
    return json_real((double)v / unit);
}

/* REST: key "12.34" and key_set {shop_money, presentment_money}, with the currency's
 * decimals ("1000" yen, "1.234" dinars). */
static json_t *rest_set(int64_t v, const char *cur)
{
    char buf[32];
    sb_money_format(v, fs_exp(cur), buf, sizeof(buf));
    return json_pack("{s:{s:s,s:s},s:{s:s,s:s}}", "shop_money", "amount", buf, "currency_code", cur,
                     "presentment_money", "amount", buf, "currency_code", cur);
}

static void rest_money(json_t *o, const char *key, int64_t v, const char *cur)
{
    char set[64];
    json_object_set_new(o, key, fs_jmoney(v, fs_exp(cur)));
    snprintf(set, sizeof(set), "%s_set", key);
    json_object_set_new(o, set, rest_set(v, cur));
}

static void rest_time(int64_t t, char *buf, size_t cap)
{
    time_t lt = (time_t)(t + SHOP_UTC_OFFSET_S);
    struct tm tm;
    gmtime_r(&lt, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    int off = SHOP_UTC_OFFSET_S < 0 ? -SHOP_UTC_OFFSET_S : SHOP_UTC_OFFSET_S;
    if (n && n < cap)
        snprintf(buf + n, cap - n, "%c%02u:%02u", SHOP_UTC_OFFSET_S < 0 ? '-' : '+',
                 (unsigned)(off / 3600) % 100u, (unsigned)(off % 3600) / 60u);
}

static json_t *jtime_rest(int64_t t)
{
    if (!t)
        return json_null();
    char buf[40];
    rest_time(t, buf, sizeof(buf));
    return json_string(buf);
}

/* ---------------------------------------------------------------- rendering */

static json_t *rest_tax_lines(const struct tax_line *t, size_t n, const char *cur)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "title", json_string(t[i].title));
        json_object_set_new(x, "rate", json_copy(t[i].rate));
        rest_money(x, "price", t[i].price, cur);
        json_object_set_new(x, "channel_liable", json_false());
        json_array_append_new(a, x);
    }
    return a;
}

static json_t *rest_discounts(const struct discount *d, size_t n, const char *cur)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_object();
        rest_money(x, "amount", d[i].amount, cur);
        json_object_set_new(x, "discount_application_index", json_integer(d[i].index));
        json_array_append_new(a, x);
    }
    return a;
}

/* Order-level tax_lines: every tax of the order summed by title and rate. */
static json_t *rest_order_taxes(const struct order *o)
{
    size_t cap = o->n_tax;
    for (size_t i = 0; i < o->n_lines; i++)
        cap += o->lines[i].n_tax;
    for (size_t i = 0; i < o->n_ship; i++)
        cap += o->ship[i].n_tax;
    struct tax_line *sum = calloc(cap ? cap : 1, sizeof(*sum));
    if (!sum)
        return json_array();
    json_t *a = rest_tax_lines(sum, fs_order_tax_sum(o, sum, cap), o->currency);
    free(sum);
    return a;
}

static json_t *rest_address(const struct address *a)
{
    if (!a)
        return json_null();
    json_t *x = json_object();
    for (size_t i = 0; i < ADDR_N; i++)
        json_object_set_new(x, fs_addr_fields[i].rest, fs_jstr(a->v[i]));
    return x;
}

static json_t *rest_customer(const struct order *o)
{
    const struct customer *c = o->customer;
    if (!c)
        return json_null();
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(c->id));
    json_object_set_new(x, "email", fs_jstr(c->email));
    json_object_set_new(x, "first_name", fs_jstr(c->first_name));
    json_object_set_new(x, "last_name", fs_jstr(c->last_name));
    json_object_set_new(x, "phone", fs_jstr(c->phone));
    json_object_set_new(x, "currency", json_string(o->currency));
    json_object_set_new(x, "state", json_string("enabled"));
    json_object_set_new(x, "admin_graphql_api_id", fs_jgid("Customer", c->id));
    return x;
}

/* qty < 0: the line's own quantity. */
static json_t *rest_line(const struct order *o, const struct line *l, int64_t qty)
{
    json_t *x = json_object();
    const char *cur = o->currency;
    json_object_set_new(x, "id", json_integer(l->id));
    json_object_set_new(x, "admin_graphql_api_id", fs_jgid("LineItem", l->id));
    json_object_set_new(x, "variant_id", l->variant_id ? json_integer(l->variant_id) : json_null());
    json_object_set_new(x, "product_id", l->product_id ? json_integer(l->product_id) : json_null());
    json_object_set_new(x, "sku", fs_jstr(l->sku));
    json_object_set_new(x, "title", json_string(l->title));
    json_object_set_new(x, "variant_title", fs_jstr(l->variant_title));
    json_object_set_new(x, "name", json_string(l->name));
    json_object_set_new(x, "vendor", fs_jstr(l->vendor));
    json_object_set_new(x, "quantity", json_integer(qty < 0 ? l->quantity : qty));
    json_object_set_new(x, "current_quantity", json_integer(l->quantity - l->refunded));
    json_object_set_new(x, "fulfillable_quantity", json_integer(fs_line_remaining(l)));
    const char *fs = !l->fulfilled ? NULL : fs_line_remaining(l) ? "partial" : "fulfilled";
    json_object_set_new(x, "fulfillment_status", fs_jstr(fs));
    json_object_set_new(x, "fulfillment_service", json_string("manual"));
    rest_money(x, "price", l->price, cur);
    /* Shopify's quirk, kept on purpose: total_discount says "0.00" even when the line is
     * discounted; the amounts are in discount_allocations. */
    rest_money(x, "total_discount", 0, cur);
    json_object_set_new(x, "discount_allocations", rest_discounts(l->disc, l->n_disc, cur));
    json_object_set_new(x, "tax_lines", rest_tax_lines(l->tax, l->n_tax, cur));
    json_object_set_new(x, "taxable", json_boolean(l->taxable));
    json_object_set_new(x, "requires_shipping", json_boolean(l->requires_shipping));
    json_object_set_new(x, "gift_card", json_false());
    json_object_set_new(x, "grams", json_integer(0));
    json_object_set_new(x, "properties", json_array());
    return x;
}

static json_t *rest_ship_line(const struct order *o, const struct ship_line *sl)
{
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(sl->id));
    json_object_set_new(x, "title", json_string(sl->title));
    json_object_set_new(x, "code", fs_jstr(sl->code));
    json_object_set_new(x, "source", fs_jstr(sl->source));
    rest_money(x, "price", sl->price, o->currency);
    rest_money(x, "discounted_price", sl->price - fs_disc_sum(sl->disc, sl->n_disc), o->currency);
    json_object_set_new(x, "discount_allocations",
                        rest_discounts(sl->disc, sl->n_disc, o->currency));
    json_object_set_new(x, "tax_lines", rest_tax_lines(sl->tax, sl->n_tax, o->currency));
    json_object_set_new(x, "carrier_identifier", json_null());
    return x;
}

static json_t *rest_txn(const struct order *o, const struct txn *t)
{
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(t->id));
    json_object_set_new(x, "admin_graphql_api_id", fs_jgid("OrderTransaction", t->id));
    json_object_set_new(x, "order_id", json_integer(o->id));
    json_object_set_new(x, "kind", json_string(t->kind));
    json_object_set_new(x, "status", json_string(t->status));
    json_object_set_new(x, "gateway", json_string(t->gateway));
    json_object_set_new(x, "amount", fs_jmoney(t->amount, fs_exp(o->currency)));
    json_object_set_new(x, "currency", json_string(o->currency));
    json_object_set_new(x, "parent_id", t->parent_id ? json_integer(t->parent_id) : json_null());
    json_object_set_new(x, "created_at", jtime_rest(t->created_at));
    json_object_set_new(x, "test", json_false());
    return x;
}

json_t *fs_rest_refund(const struct order *o, const struct refund *r)
{
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(r->id));
    json_object_set_new(x, "admin_graphql_api_id", fs_jgid("Refund", r->id));
    json_object_set_new(x, "order_id", json_integer(o->id));
    json_object_set_new(x, "created_at", jtime_rest(r->created_at));
    json_object_set_new(x, "processed_at", jtime_rest(r->created_at));
    json_object_set_new(x, "note", fs_jstr(r->note));
    json_object_set_new(x, "restock", json_boolean(r->restock));
    json_object_set_new(x, "user_id", json_null());
    json_t *lines = json_array();
    for (size_t i = 0; i < r->n_lines; i++) {
        const struct refund_line *rl = &r->lines[i];
        const struct line *l = &o->lines[rl->line];
        json_t *y = json_object();
        json_object_set_new(y, "id", json_integer(rl->id));
        json_object_set_new(y, "line_item_id", json_integer(l->id));
        json_object_set_new(y, "quantity", json_integer(rl->quantity));
        json_object_set_new(y, "restock_type", json_string(rl->restock_type));
        json_object_set_new(
            y, "location_id",
            strcmp(rl->restock_type, "no_restock") == 0 ? json_null() : json_integer(LOCATION_ID));
        json_object_set_new(y, "subtotal", jmoney_number(rl->subtotal, o->currency));
        json_object_set_new(y, "subtotal_set", rest_set(rl->subtotal, o->currency));
        json_object_set_new(y, "total_tax", jmoney_number(rl->tax, o->currency));
        json_object_set_new(y, "total_tax_set", rest_set(rl->tax, o->currency));
        json_object_set_new(y, "line_item", rest_line(o, l, -1));
        json_array_append_new(lines, y);
    }
    json_object_set_new(x, "refund_line_items", lines);
    json_t *txns = json_array();
    if (r->txn >= 0)
        json_array_append_new(txns, rest_txn(o, &o->txns[r->txn]));
    json_object_set_new(x, "transactions", txns);
    json_object_set_new(x, "order_adjustments", json_array());
    return x;
}

static json_t *tracking_array(const char *s)
{
    json_t *a = json_array();
    if (s)
        json_array_append_new(a, json_string(s));
    return a;
}

json_t *fs_rest_fulfillment(const struct order *o, const struct fulfillment *f, size_t index)
{
    json_t *x = json_object();
    char name[40];
    snprintf(name, sizeof(name), "%s.%zu", o->name, index + 1);
    json_object_set_new(x, "id", json_integer(f->id));
    json_object_set_new(x, "admin_graphql_api_id", fs_jgid("Fulfillment", f->id));
    json_object_set_new(x, "order_id", json_integer(o->id));
    json_object_set_new(x, "name", json_string(name));
    json_object_set_new(x, "status", json_string("success"));
    json_object_set_new(x, "service", json_string("manual"));
    json_object_set_new(x, "shipment_status", json_null());
    json_object_set_new(x, "location_id", json_integer(LOCATION_ID));
    json_object_set_new(x, "created_at", jtime_rest(f->created_at));
    json_object_set_new(x, "updated_at", jtime_rest(f->created_at));
    json_object_set_new(x, "tracking_company", fs_jstr(f->tracking_company));
    json_object_set_new(x, "tracking_number", fs_jstr(f->tracking_number));
    json_object_set_new(x, "tracking_numbers", tracking_array(f->tracking_number));
    json_object_set_new(x, "tracking_url", fs_jstr(f->tracking_url));
    json_object_set_new(x, "tracking_urls", tracking_array(f->tracking_url));
    json_t *lines = json_array();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(lines, rest_line(o, &o->lines[f->lines[i]], f->qty[i]));
    json_object_set_new(x, "line_items", lines);
    return x;
}

json_t *fs_rest_order(const struct order *o)
{
    struct totals t;
    fs_order_totals(o, &t);
    const char *cur = o->currency;
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(o->id));
    json_object_set_new(x, "admin_graphql_api_id", fs_jgid("Order", o->id));
    json_object_set_new(x, "name", json_string(o->name));
    json_object_set_new(x, "number", json_integer(o->number - 1000));
    json_object_set_new(x, "order_number", json_integer(o->number));
    json_object_set_new(x, "email", fs_jstr(o->email));
    json_object_set_new(x, "contact_email", fs_jstr(o->email));
    json_object_set_new(x, "phone", fs_jstr(o->phone));
    json_object_set_new(x, "created_at", jtime_rest(o->created_at));
    json_object_set_new(x, "updated_at", jtime_rest(o->updated_at));
    json_object_set_new(x, "processed_at", jtime_rest(o->created_at));
    json_object_set_new(x, "cancelled_at", jtime_rest(o->cancelled_at));
    json_object_set_new(x, "cancel_reason", fs_jstr(o->cancel_reason));
    json_object_set_new(x, "closed_at", json_null());
    json_object_set_new(x, "confirmed", json_true());
    json_object_set_new(x, "test", json_false());
    json_object_set_new(x, "currency", json_string(cur));
    json_object_set_new(x, "presentment_currency", json_string(cur));
    json_object_set_new(x, "financial_status", json_string(o->financial_status));
    json_object_set_new(x, "fulfillment_status", fs_jstr(fs_fulfillment_status(o)));
    json_object_set_new(x, "gateway", json_string(o->gateway));
    json_t *gw = json_array();
    json_array_append_new(gw, json_string(o->gateway));
    json_object_set_new(x, "payment_gateway_names", gw);
    json_object_set_new(x, "note", fs_jstr(o->note));
    json_t *attrs = json_array();
    for (size_t i = 0; i < o->n_attrs; i++)
        json_array_append_new(
            attrs, json_pack("{s:s,s:s}", "name", o->attr_name[i], "value", o->attr_value[i]));
    json_object_set_new(x, "note_attributes", attrs);
    json_object_set_new(x, "tags", json_string(o->tags ? o->tags : ""));
    json_object_set_new(x, "source_name", json_string(o->source_name ? o->source_name : "web"));
    json_object_set_new(x, "taxes_included", json_boolean(o->taxes_included));
    json_object_set_new(x, "estimated_taxes", json_false());
    rest_money(x, "total_line_items_price", t.items, cur);
    rest_money(x, "subtotal_price", t.subtotal, cur);
    rest_money(x, "total_discounts", t.discounts, cur);
    json_object_set_new(x, "total_shipping_price_set", rest_set(t.ship, cur));
    rest_money(x, "total_tax", t.tax, cur);
    rest_money(x, "total_price", t.total, cur);
    json_object_set_new(x, "total_outstanding", fs_jmoney(t.outstanding, fs_exp(cur)));
    json_object_set_new(x, "total_tip_received", fs_jmoney(0, fs_exp(cur)));
    json_object_set_new(x, "total_weight", json_integer(0));
    json_object_set_new(x, "tax_lines", rest_order_taxes(o));
    json_object_set_new(x, "discount_codes",
                        o->discount_codes ? json_deep_copy(o->discount_codes) : json_array());
    json_t *lines = json_array();
    for (size_t i = 0; i < o->n_lines; i++)
        json_array_append_new(lines, rest_line(o, &o->lines[i], -1));
    json_object_set_new(x, "line_items", lines);
    json_t *ship = json_array();
    for (size_t i = 0; i < o->n_ship; i++)
        json_array_append_new(ship, rest_ship_line(o, &o->ship[i]));
    json_object_set_new(x, "shipping_lines", ship);
    json_object_set_new(x, "shipping_address", rest_address(o->shipping));
    json_object_set_new(x, "billing_address", rest_address(o->billing));
    json_object_set_new(x, "customer", rest_customer(o));
    json_t *refunds = json_array();
    for (size_t i = 0; i < o->n_refunds; i++)
        json_array_append_new(refunds, fs_rest_refund(o, &o->refunds[i]));
    json_object_set_new(x, "refunds", refunds);
    json_t *ful = json_array();
    for (size_t i = 0; i < o->n_fulfillments; i++)
        json_array_append_new(ful, fs_rest_fulfillment(o, &o->fulfillments[i], i));
    json_object_set_new(x, "fulfillments", ful);
    return x;
}

/* ---------------------------------------------------------------- parsing */

static void json_free(void *p)
{
    json_decref(p);
}

static const char *fpath(struct sb_jctx *c, const char *key, char *buf, size_t cap)
{
    if (!c->prefix || !*c->prefix)
        return key;
    snprintf(buf, cap, "%s.%s", c->prefix, key);
    return buf;
}

/* Money arrives as a decimal string ("19.99"), never as a JSON number, with at most the
 * currency's decimals (`exponent`: 0 for JPY, 2 for USD, 3 for KWD). */
sb_err fs_get_money(struct sb_jctx *c, const char *key, bool required, int exponent, int64_t max,
                    int64_t *ret, bool *ret_present)
{
    const char *s = NULL;
    bool present = false;
    sb_err err = sb_json_str(c, key, required, 32, &s, &present);
    if (ret_present)
        *ret_present = present;
    if (err || !present)
        return err;
    char pbuf[160], maxs[32];
    const char *f = fpath(c, key, pbuf, sizeof(pbuf));
    int64_t v;
    if (!sb_money_parse(s, exponent, &v))
        return sb_fail(SB_EINVALID_FIELD, f,
                       "%s must be a decimal string with at most %d decimals, like \"19.99\"", f,
                       exponent);
    sb_money_format(max, exponent, maxs, sizeof(maxs));
    if (v < 0 || v > max)
        return sb_fail(SB_EINVALID_FIELD, f, "%s must be between 0 and %s", f, maxs);
    *ret = v;
    return SB_OK;
}

/* An optional string (null allowed) copied into the arena; required ones must be non-empty. */
sb_err fs_get_str(struct sb_arena *a, struct sb_jctx *c, const char *key, bool required,
                  const char **ret)
{
    const char *s = NULL;
    bool present = false;
    sb_err err = sb_json_str_or_null(c, key, STR_MAX, &s, &present);
    if (err)
        return err;
    char pbuf[160];
    const char *f = fpath(c, key, pbuf, sizeof(pbuf));
    if (required && (!s || !*s))
        return sb_fail(SB_EMISSING_FIELD, f, "%s is required", f);
    if (s) {
        *ret = sb_arena_strdup(a, s);
        if (!*ret)
            return sb_fail(SB_ENOMEM, NULL, NULL);
    } else if (present) {
        *ret = NULL;
    }
    return SB_OK;
}

sb_err fs_check_object(json_t *v, const char *path)
{
    return json_is_object(v) ? SB_OK
                             : sb_fail(SB_EINVALID_FIELD, path, "%s must be an object", path);
}

static sb_err parse_taxes(struct sb_arena *a, struct sb_jctx *c, int exp, struct tax_line *out,
                          size_t *ret_n)
{
    json_t *arr = NULL;
    *ret_n = 0;
    sb_err err = sb_json_array(c, "tax_lines", false, MAX_TAX_LINES, &arr);
    if (err || !arr)
        return err;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char buf[160];
        struct sb_jctx t = sb_jctx_child(c, "tax_lines", (long)i, v, buf, sizeof(buf));
        static const char *const keys[] = { "title", "rate", "price", NULL };
        if ((err = fs_check_object(v, buf)) || (err = sb_json_only(&t, keys)))
            return err;
        out[i].title = "Tax";
        if ((err = fs_get_str(a, &t, "title", false, &out[i].title)))
            return err;
        if (!out[i].title)
            out[i].title = "Tax";
        json_t *rate = json_object_get(v, "rate");
        if (rate && !json_is_null(rate)) {
            if (!json_is_number(rate) || json_number_value(rate) < 0 || json_number_value(rate) > 1)
                return sb_fail(SB_EINVALID_FIELD, "rate", "%s.rate must be a number from 0 to 1",
                               buf);
            out[i].rate = json_copy(rate);
        } else {
            out[i].rate = json_real(0.0);
        }
        if (!out[i].rate || !sb_arena_defer(a, json_free, out[i].rate))
            return sb_fail(SB_ENOMEM, NULL, NULL);
        if ((err = fs_get_money(&t, "price", true, exp, AMOUNT_MAX, &out[i].price, NULL)))
            return err;
    }
    *ret_n = json_array_size(arr);
    return SB_OK;
}

static sb_err parse_discounts(struct sb_jctx *c, int exp, struct discount *out, size_t *ret_n)
{
    json_t *arr = NULL;
    *ret_n = 0;
    sb_err err = sb_json_array(c, "discount_allocations", false, MAX_DISCOUNTS, &arr);
    if (err || !arr)
        return err;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char buf[160];
        struct sb_jctx d = sb_jctx_child(c, "discount_allocations", (long)i, v, buf, sizeof(buf));
        static const char *const keys[] = { "amount", "discount_application_index", NULL };
        if ((err = fs_check_object(v, buf)) || (err = sb_json_only(&d, keys)) ||
            (err = fs_get_money(&d, "amount", true, exp, AMOUNT_MAX, &out[i].amount, NULL)) ||
            (err =
                 sb_json_int(&d, "discount_application_index", false, 0, 100, &out[i].index, NULL)))
            return err;
    }
    *ret_n = json_array_size(arr);
    return SB_OK;
}

static sb_err parse_line(struct fs_shop *s, struct order *o, struct sb_jctx *c, struct line *l)
{
    static const char *const keys[] = { "sku",           "title",
                                        "variant_title", "quantity",
                                        "price",         "requires_shipping",
                                        "taxable",       "barcode",
                                        "vendor",        "discount_allocations",
                                        "tax_lines",     NULL };
    struct sb_arena *a = o->arena;
    sb_err err = sb_json_only(c, keys);
    if (err || (err = fs_get_str(a, c, "sku", false, &l->sku)))
        return err;
    struct product *p = fs_find_product(s, l->sku);
    if (p) {
        l->title = p->title;
        l->price = p->price;
        l->barcode = p->barcode;
        l->variant_id = p->variant_id;
        l->product_id = p->product_id;
    }
    l->requires_shipping = l->taxable = true;
    if ((err = fs_get_str(a, c, "title", !p, &l->title)) ||
        (err = fs_get_str(a, c, "variant_title", false, &l->variant_title)) ||
        (err = fs_get_str(a, c, "barcode", false, &l->barcode)) ||
        (err = fs_get_str(a, c, "vendor", false, &l->vendor)) ||
        (err = sb_json_int(c, "quantity", true, 1, QTY_MAX, &l->quantity, NULL)) ||
        (err = fs_get_money(c, "price", !p, s->exponent, PRICE_MAX, &l->price, NULL)) ||
        (err = sb_json_bool(c, "requires_shipping", false, &l->requires_shipping, NULL)) ||
        (err = sb_json_bool(c, "taxable", false, &l->taxable, NULL)) ||
        (err = parse_discounts(c, s->exponent, l->disc, &l->n_disc)) ||
        (err = parse_taxes(a, c, s->exponent, l->tax, &l->n_tax)))
        return err;
    if (!l->title)
        return sb_fail(SB_EMISSING_FIELD, "title", "%s.title is required", c->prefix);
    if (fs_disc_sum(l->disc, l->n_disc) > l->price * l->quantity)
        return sb_fail(SB_EINVALID_FIELD, "discount_allocations",
                       "%s.discount_allocations exceed the line's price times quantity", c->prefix);
    l->name =
        l->variant_title ? sb_arena_printf(a, "%s - %s", l->title, l->variant_title) : l->title;
    if (!l->name)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    l->id = fs_new_id(s);
    l->fo_line_id = fs_new_id(s);
    return SB_OK;
}

static sb_err parse_ship_line(struct fs_shop *s, struct order *o, struct sb_jctx *c,
                              struct ship_line *sl)
{
    static const char *const keys[] = {
        "title", "code", "source", "price", "discount_allocations", "tax_lines", NULL
    };
    struct sb_arena *a = o->arena;
    sb_err err;
    if ((err = sb_json_only(c, keys)) || (err = fs_get_str(a, c, "title", true, &sl->title)) ||
        (err = fs_get_str(a, c, "code", false, &sl->code)) ||
        (err = fs_get_str(a, c, "source", false, &sl->source)) ||
        (err = fs_get_money(c, "price", true, s->exponent, PRICE_MAX, &sl->price, NULL)) ||
        (err = parse_discounts(c, s->exponent, sl->disc, &sl->n_disc)) ||
        (err = parse_taxes(a, c, s->exponent, sl->tax, &sl->n_tax)))
        return err;
    if (fs_disc_sum(sl->disc, sl->n_disc) > sl->price)
        return sb_fail(SB_EINVALID_FIELD, "discount_allocations",
                       "%s.discount_allocations exceed the shipping price", c->prefix);
    if (!sl->source)
        sl->source = "shopify";
    sl->id = fs_new_id(s);
    return SB_OK;
}

sb_err fs_parse_address(struct sb_arena *a, struct sb_jctx *parent, const char *key,
                        struct address **ret)
{
    json_t *v = json_object_get(parent->obj, key);
    if (!v)
        return SB_OK;
    if (json_is_null(v)) {
        *ret = NULL;
        return SB_OK;
    }
    char buf[160];
    struct sb_jctx c = sb_jctx_child(parent, key, -1, v, buf, sizeof(buf));
    sb_err err = fs_check_object(v, buf);
    if (err)
        return err;
    static const char *keys[ADDR_N + 1];
    for (size_t i = 0; i < ADDR_N; i++)
        keys[i] = fs_addr_fields[i].rest;
    if ((err = sb_json_only(&c, keys)))
        return err;
    struct address *ad = sb_arena_alloc(a, sizeof(*ad));
    if (!ad)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < ADDR_N; i++)
        if ((err = fs_get_str(a, &c, fs_addr_fields[i].rest, false, &ad->v[i])))
            return err;
    if (!ad->v[A_NAME] && (ad->v[A_FIRST] || ad->v[A_LAST])) {
        const char *f = ad->v[A_FIRST], *l = ad->v[A_LAST];
        ad->v[A_NAME] = sb_arena_printf(a, "%s%s%s", f ? f : "", f && l ? " " : "", l ? l : "");
    }
    *ret = ad;
    return SB_OK;
}

sb_err fs_parse_attrs(struct sb_arena *a, struct sb_jctx *c, struct order *o)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "note_attributes", false, MAX_ATTRS, &arr);
    if (err || !arr)
        return err;
    size_t n = json_array_size(arr);
    const char **names = sb_arena_alloc(a, (n + 1) * sizeof(*names));
    const char **values = sb_arena_alloc(a, (n + 1) * sizeof(*values));
    if (!names || !values)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char buf[160];
        struct sb_jctx t = sb_jctx_child(c, "note_attributes", (long)i, v, buf, sizeof(buf));
        static const char *const keys[] = { "name", "value", NULL };
        values[i] = "";
        if ((err = fs_check_object(v, buf)) || (err = sb_json_only(&t, keys)) ||
            (err = fs_get_str(a, &t, "name", true, &names[i])) ||
            (err = fs_get_str(a, &t, "value", false, &values[i])))
            return err;
        if (!values[i])
            values[i] = "";
    }
    o->attr_name = names;
    o->attr_value = values;
    o->n_attrs = n;
    return SB_OK;
}

static sb_err parse_discount_codes(struct sb_jctx *c, int exp, struct order *o)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "discount_codes", false, MAX_DISCOUNTS, &arr);
    if (err || !arr)
        return err;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char buf[160];
        struct sb_jctx t = sb_jctx_child(c, "discount_codes", (long)i, v, buf, sizeof(buf));
        static const char *const keys[] = { "code", "amount", "type", NULL };
        const char *str;
        int64_t amount;
        if ((err = fs_check_object(v, buf)) || (err = sb_json_only(&t, keys)) ||
            (err = sb_json_str(&t, "code", true, STR_MAX, &str, NULL)) ||
            (err = fs_get_money(&t, "amount", true, exp, AMOUNT_MAX, &amount, NULL)) ||
            (err = sb_json_str(&t, "type", false, 32, &str, NULL)))
            return err;
    }
    o->discount_codes = json_deep_copy(arr);
    if (!o->discount_codes || !sb_arena_defer(o->arena, json_free, o->discount_codes))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    return SB_OK;
}

static sb_err parse_customer(struct sb_arena *a, struct sb_jctx *parent, struct customer **ret)
{
    json_t *v = json_object_get(parent->obj, "customer");
    if (!v || json_is_null(v))
        return SB_OK;
    char buf[160];
    struct sb_jctx c = sb_jctx_child(parent, "customer", -1, v, buf, sizeof(buf));
    static const char *const keys[] = { "first_name", "last_name", "email", "phone", NULL };
    struct customer *cu = sb_arena_alloc(a, sizeof(*cu));
    if (!cu)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err;
    if ((err = fs_check_object(v, buf)) || (err = sb_json_only(&c, keys)) ||
        (err = fs_get_str(a, &c, "first_name", false, &cu->first_name)) ||
        (err = fs_get_str(a, &c, "last_name", false, &cu->last_name)) ||
        (err = fs_get_str(a, &c, "email", false, &cu->email)) ||
        (err = fs_get_str(a, &c, "phone", false, &cu->phone)))
        return err;
    *ret = cu;
    return SB_OK;
}

sb_err fs_parse_opts(struct sb_jctx *c, struct opts *op)
{
    op->webhooks = true;
    sb_err err = sb_json_bool(c, "webhooks", false, &op->webhooks, NULL);
    if (!err)
        err = sb_json_int(c, "duplicate", false, 0, MAX_DUPLICATE, &op->duplicate, NULL);
    if (!err)
        err = sb_json_bool(c, "reverse", false, &op->reverse, NULL);
    if (!err)
        err = sb_json_bool(c, "concurrent", false, &op->concurrent, NULL);
    return err;
}

sb_err fs_parse_order(struct fs_shop *s, json_t *body, struct order *o, struct opts *op)
{
    static const char *const keys[] = { "line_items",
                                        "email",
                                        "phone",
                                        "customer",
                                        "shipping_address",
                                        "billing_address",
                                        "shipping_lines",
                                        "gateway",
                                        "financial_status",
                                        "taxes_included",
                                        "note",
                                        "note_attributes",
                                        "currency",
                                        "discount_codes",
                                        "tags",
                                        "source_name",
                                        "subtotal_price",
                                        "total_tax",
                                        "total_discounts",
                                        "total_price",
                                        "tax_lines",
                                        "webhooks",
                                        "duplicate",
                                        "reverse",
                                        "concurrent",
                                        NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    struct sb_arena *a = o->arena;
    const char *currency = s->currency;
    int exp = s->exponent;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) || (err = fs_parse_opts(&c, op)) ||
        (err = fs_get_str(a, &c, "email", false, &o->email)) ||
        (err = fs_get_str(a, &c, "phone", false, &o->phone)) ||
        (err = fs_get_str(a, &c, "note", false, &o->note)) ||
        (err = fs_get_str(a, &c, "tags", false, &o->tags)) ||
        (err = fs_get_str(a, &c, "source_name", false, &o->source_name)) ||
        (err = fs_get_str(a, &c, "gateway", false, &o->gateway)) ||
        (err = fs_get_str(a, &c, "financial_status", false, &o->financial_status)) ||
        (err = fs_get_str(a, &c, "currency", false, &currency)) ||
        (err = sb_json_bool(&c, "taxes_included", false, &o->taxes_included, NULL)) ||
        (err = parse_customer(a, &c, &o->customer)) ||
        (err = fs_parse_address(a, &c, "shipping_address", &o->shipping)) ||
        (err = fs_parse_address(a, &c, "billing_address", &o->billing)) ||
        (err = fs_parse_attrs(a, &c, o)) || (err = parse_discount_codes(&c, exp, o)) ||
        (err = fs_get_money(&c, "subtotal_price", false, exp, SB_MONEY_MAX, &o->subtotal_ov,
                            &o->ov_subtotal)) ||
        (err = fs_get_money(&c, "total_tax", false, exp, SB_MONEY_MAX, &o->tax_ov, &o->ov_tax)) ||
        (err = fs_get_money(&c, "total_discounts", false, exp, SB_MONEY_MAX, &o->discounts_ov,
                            &o->ov_discounts)) ||
        (err =
             fs_get_money(&c, "total_price", false, exp, SB_MONEY_MAX, &o->total_ov, &o->ov_total)))
        return err;
    if (!currency || !sb_currency_valid(currency))
        return sb_fail(SB_EINVALID_FIELD, "currency",
                       "currency must be an ISO 4217 code of three upper-case letters");
    if (strcmp(currency, s->currency) != 0)
        return sb_fail(SB_EINVALID_FIELD, "currency",
                       "currency must be the shop's (%s): presentment currencies are not modelled",
                       s->currency);
    o->currency = s->currency;
    if (!o->financial_status)
        o->financial_status = "paid";
    if (strcmp(o->financial_status, "paid") != 0 && strcmp(o->financial_status, "pending") != 0 &&
        strcmp(o->financial_status, "authorized") != 0)
        return sb_fail(SB_EINVALID_FIELD, "financial_status",
                       "financial_status must be paid, pending or authorized");
    if (!o->gateway)
        o->gateway = "shopify_payments";

    json_t *lines = NULL, *ship = NULL;
    if ((err = sb_json_array(&c, "line_items", true, MAX_LINES, &lines)) ||
        (err = sb_json_array(&c, "shipping_lines", false, MAX_SHIPPING_LINES, &ship)))
        return err;
    if (json_array_size(lines) == 0)
        return sb_fail(SB_EINVALID_FIELD, "line_items", "line_items must not be empty");
    o->n_lines = json_array_size(lines);
    o->lines = sb_arena_alloc(a, o->n_lines * sizeof(*o->lines));
    o->n_ship = ship ? json_array_size(ship) : 0;
    o->ship = sb_arena_alloc(a, (o->n_ship ? o->n_ship : 1) * sizeof(*o->ship));
    if (!o->lines || !o->ship)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(lines, i, v)
    {
        char buf[64];
        struct sb_jctx lc = sb_jctx_child(&c, "line_items", (long)i, v, buf, sizeof(buf));
        if ((err = fs_check_object(v, buf)) || (err = parse_line(s, o, &lc, &o->lines[i])))
            return err;
    }
    for (i = 0; i < o->n_ship; i++) {
        char buf[64];
        v = json_array_get(ship, i);
        struct sb_jctx sc = sb_jctx_child(&c, "shipping_lines", (long)i, v, buf, sizeof(buf));
        if ((err = fs_check_object(v, buf)) || (err = parse_ship_line(s, o, &sc, &o->ship[i])))
            return err;
    }
    /* taxes placed on the order, allocated to no line: on the order or on its lines, not
     * both, as Shopify takes them */
    if ((err = parse_taxes(a, &c, s->exponent, o->tax, &o->n_tax)))
        return err;
    for (i = 0; o->n_tax && i < o->n_lines + o->n_ship; i++)
        if (i < o->n_lines ? o->lines[i].n_tax : o->ship[i - o->n_lines].n_tax)
            return sb_fail(SB_EINVALID_FIELD, "tax_lines",
                           "tax_lines go on the order or on its lines, not both");
    if (!o->email && o->customer && o->customer->email)
        o->email = o->customer->email;
    if (o->email && !o->customer) {
        o->customer = sb_arena_alloc(a, sizeof(*o->customer));
        if (!o->customer)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->customer->email = o->email;
    }
    if (o->customer) {
        if (!o->customer->email)
            o->customer->email = o->email;
        o->customer->id = fs_customer_id(s, o->customer->email);
    }

    o->id = s->next_order_id++;
    o->number = s->next_number++;
    snprintf(o->name, sizeof(o->name), "#%lld", (long long)o->number);
    o->fo_id = fs_new_id(s);
    o->created_at = o->updated_at = fs_tick(s);
    struct totals t;
    fs_order_totals(o, &t);
    if (t.total > 0) {
        const char *fs = o->financial_status;
        bool ok =
            strcmp(fs, "paid") == 0
                ? fs_add_txn(s, o, "sale", "success", t.total, o->created_at, 0) != NULL
            : strcmp(fs, "authorized") == 0
                ? fs_add_txn(s, o, "authorization", "success", t.total, o->created_at, 0) != NULL
                : fs_add_txn(s, o, "sale", "pending", t.total, o->created_at, 0) != NULL;
        if (!ok)
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return SB_OK;
}
