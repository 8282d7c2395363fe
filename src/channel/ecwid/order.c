/*
 * An Ecwid order (FetchedOrder in Ecwid's Java client; GET /orders/{id} and
 * the items of GET /orders) read into the normalized order (channel/order.h).
 * Ecwid's ways: ids are text that may carry the store's prefix ("MYSTORE-
 * X8UYE"), money is a float in the store's currency (which the order does not
 * name) rounded here to its minor unit half away from zero (O4), times are
 * Unix seconds (createTimestamp, updateTimestamp) beside "yyyy-MM-dd HH:mm:ss
 * Z" dates. Everything is hostile: types checked, lists and strings bounded;
 * a bad field fails the whole order naming it, which the poll keeps as the
 * reason the order could not be read (O10).
 */
#include "channel/ecwid/ecwid.h"

#include "core/currency.h"
#include "core/money.h"
#include "util/arena.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX       1024
#define NOTE_MAX       16384
#define REAL_MONEY_MAX 1e10 /* major units: beyond this sums leave SB_MONEY_MAX */
#define MAX_REFUNDS    100
#define QTY_MAX        1000000
#define TIME_MAX       INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define MAX_DISCOUNTS  50

/* ---------------------------------------------------------------- fields */

static void real_text(double x, char *buf, size_t cap)
{
    for (int prec = 0; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*f", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* Money: a number in the store's currency, to minor units; absent or null: 0. */
static sb_err money(json_t *obj, const char *key, const char *path, int exponent, int64_t *ret)
{
    json_t *v = json_object_get(obj, key);
    char text[64];
    *ret = 0;
    if (!v || json_is_null(v))
        return SB_OK;
    if (json_is_integer(v)) {
        snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        double x = json_real_value(v);
        if (!isfinite(x) || fabs(x) > REAL_MONEY_MAX)
            return sb_fail(SB_EINVALID_FIELD, path, "%s.%s is out of range", path, key);
        real_text(x, text, sizeof(text));
    } else {
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must be a number", path, key);
    }
    if (text[0] == '-')
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must not be negative", path, key);
    if (!sb_money_parse_round(text, exponent, ret))
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s is not an amount", path, key);
    return SB_OK;
}

static sb_err text(json_t *obj, const char *key, const char *path, size_t max, const char **ret)
{
    json_t *v = json_object_get(obj, key);
    *ret = NULL;
    if (!v || json_is_null(v))
        return SB_OK;
    if (!json_is_string(v) || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must be text of at most %zu bytes", path,
                       key, max);
    *ret = *json_string_value(v) ? json_string_value(v) : NULL;
    return SB_OK;
}

/* A whole number in [0, max] (ids, quantities, timestamps); absent: *present false. */
static sb_err whole(json_t *obj, const char *key, const char *path, int64_t max, int64_t *ret,
                    bool *present)
{
    json_t *v = json_object_get(obj, key);
    *ret = 0;
    *present = v && !json_is_null(v);
    if (!*present)
        return SB_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must be a whole number", path, key);
    *ret = json_integer_value(v);
    return SB_OK;
}

/* An optional id as text ("12345"), in the arena; NULL when absent. */
static sb_err id_text(json_t *obj, const char *key, const char *path, struct sb_arena *a,
                      const char **ret)
{
    int64_t n;
    bool present;
    sb_err err = whole(obj, key, path, INT64_MAX / 2, &n, &present);
    *ret = NULL;
    if (err || !present)
        return err;
    if (n == 0)
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must be a positive id", path, key);
    *ret = sb_arena_printf(a, "%" PRId64, n);
    return *ret ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

static bool flag(json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

bool sb_ec_date_parse(const char *s, int64_t *ret)
{
    /* "yyyy-MM-dd HH:mm:ss +hhmm" */
    if (!s || strlen(s) != 25 || s[10] != ' ' || s[19] != ' ' || (s[20] != '+' && s[20] != '-'))
        return false;
    for (int i = 21; i < 25; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    char iso[32];
    snprintf(iso, sizeof(iso), "%.10sT%.8s%c%.2s:%.2s", s, s + 11, s[20], s + 21, s + 23);
    return sb_time_parse(iso, ret);
}

bool sb_ec_order_id_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
              (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == '_'))
            return false;
    return n > 0 && n <= SB_EC_ID_MAX;
}

/* ---------------------------------------------------------------- pieces */

static sb_err person(json_t *p, const char *path, struct sb_arena *a, struct sb_address *ret,
                     const char **first, const char **last)
{
    sb_err err;
    memset(ret, 0, sizeof(*ret));
    *first = *last = NULL;
    if (!p || json_is_null(p))
        return SB_OK;
    if (!json_is_object(p))
        return sb_fail(SB_EINVALID_FIELD, path, "%s must be an object", path);
    if ((err = text(p, "name", path, TEXT_MAX, &ret->name)) ||
        (err = text(p, "firstName", path, TEXT_MAX, first)) ||
        (err = text(p, "lastName", path, TEXT_MAX, last)) ||
        (err = text(p, "companyName", path, TEXT_MAX, &ret->company)) ||
        (err = text(p, "street", path, TEXT_MAX, &ret->line1)) ||
        (err = text(p, "city", path, TEXT_MAX, &ret->city)) ||
        (err = text(p, "stateOrProvinceCode", path, TEXT_MAX, &ret->region)) ||
        (err = text(p, "postalCode", path, TEXT_MAX, &ret->postcode)) ||
        (err = text(p, "countryCode", path, TEXT_MAX, &ret->country)) ||
        (err = text(p, "phone", path, TEXT_MAX, &ret->phone)))
        return err;
    /* C3: a person with only its full name (orders from before Ecwid split it): the first
     * word is the first name, the rest the last */
    if (!*first && !*last && ret->name) {
        const char *n = ret->name;
        while (*n == ' ')
            n++;
        const char *sp = strchr(n, ' ');
        if (!*n)
            return SB_OK;
        if (!sp) {
            *first = n;
            return SB_OK;
        }
        const char *rest = sp;
        while (*rest == ' ')
            rest++;
        if (!(*first = sb_arena_strndup(a, n, (size_t)(sp - n))))
            return sb_fail(SB_ENOMEM, NULL, NULL);
        *last = *rest ? rest : NULL;
    }
    return SB_OK;
}

static sb_err line(json_t *it, size_t i, int exponent, struct sb_arena *a, struct sb_order_line *l)
{
    char path[48];
    snprintf(path, sizeof(path), "items[%zu]", i);
    sb_err err;
    bool present;
    int64_t tax = 0, coupon = 0;
    if (!json_is_object(it))
        return sb_fail(SB_EINVALID_FIELD, "items", "%s must be an object", path);
    if ((err = id_text(it, "id", path, a, &l->external_id)) ||
        (err = id_text(it, "productId", path, a, &l->product_id)) ||
        (err = id_text(it, "combinationId", path, a, &l->variant_id)) ||
        (err = text(it, "sku", path, TEXT_MAX, &l->sku)) ||
        (err = text(it, "name", path, TEXT_MAX, &l->title)) ||
        (err = whole(it, "quantity", path, QTY_MAX, &l->quantity, &present)) ||
        (err = money(it, "price", path, exponent, &l->unit_price)) ||
        (err = money(it, "tax", path, exponent, &tax)) ||
        (err = money(it, "couponAmount", path, exponent, &coupon)))
        return err;
    if (!l->external_id)
        l->external_id = sb_arena_printf(a, "%zu", i + 1);
    if (!present || l->quantity == 0)
        return sb_fail(SB_EINVALID_FIELD, path, "%s.quantity must be a positive whole number",
                       path);
    if (!l->title)
        l->title = l->sku ? l->sku : "Item";
    json_t *ship = json_object_get(it, "isShippingRequired");
    l->requires_shipping = !json_is_false(ship);

    /* the line's discount: its discounts[].total plus its share of the coupon */
    int64_t disc = coupon;
    json_t *ds = json_object_get(it, "discounts");
    if (ds && !json_is_null(ds)) {
        if (!json_is_array(ds) || json_array_size(ds) > MAX_DISCOUNTS)
            return sb_fail(SB_EINVALID_FIELD, path, "%s.discounts must be a short list", path);
        size_t k;
        json_t *d;
        json_array_foreach(ds, k, d)
        {
            int64_t t;
            if (!json_is_object(d))
                return sb_fail(SB_EINVALID_FIELD, path, "%s.discounts[%zu] must be an object", path,
                               k);
            if ((err = money(d, "total", path, exponent, &t)))
                return err;
            disc += t < 0 ? -t : t;
        }
    }
    l->discount = disc;

    /* taxes: taxes[] by name when listed, else the one amount */
    json_t *ts = json_object_get(it, "taxes");
    if (json_is_array(ts) && json_array_size(ts) > 0) {
        if (json_array_size(ts) > MAX_DISCOUNTS)
            return sb_fail(SB_EINVALID_FIELD, path, "%s.taxes is too long", path);
        l->taxes = sb_arena_alloc(a, json_array_size(ts) * sizeof(*l->taxes));
        if (!l->taxes)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        size_t k;
        json_t *t;
        json_array_foreach(ts, k, t)
        {
            struct sb_order_tax *x = &l->taxes[l->n_taxes];
            if (!json_is_object(t))
                return sb_fail(SB_EINVALID_FIELD, path, "%s.taxes[%zu] must be an object", path, k);
            if ((err = text(t, "name", path, TEXT_MAX, &x->title)) ||
                (err = money(t, "total", path, exponent, &x->amount)))
                return err;
            if (!x->title)
                x->title = "Tax";
            l->n_taxes++;
        }
    } else if (ts && !json_is_null(ts) && !json_is_array(ts)) {
        return sb_fail(SB_EINVALID_FIELD, path, "%s.taxes must be a list", path);
    } else if (tax) {
        l->taxes = sb_arena_alloc(a, sizeof(*l->taxes));
        if (!l->taxes)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        l->taxes[0] = (struct sb_order_tax){ .title = "Tax", .amount = tax };
        l->n_taxes = 1;
    }

    /* the selected options, "Size: L, Color: Red" */
    json_t *opts = json_object_get(it, "selectedOptions");
    if (json_is_array(opts) && json_array_size(opts) > 0) {
        char buf[TEXT_MAX];
        size_t n = 0;
        size_t k;
        json_t *o;
        buf[0] = '\0';
        json_array_foreach(opts, k, o)
        {
            const char *name = json_string_value(json_object_get(o, "name"));
            const char *value = json_string_value(json_object_get(o, "value"));
            if (!name || !value)
                continue;
            int w = snprintf(buf + n, sizeof(buf) - n, "%s%s: %s", n ? ", " : "", name, value);
            if (w < 0 || (size_t)w >= sizeof(buf) - n)
                break;
            n += (size_t)w;
        }
        if (n && !(l->variant_title = sb_arena_strdup(a, buf)))
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return SB_OK;
}

static enum sb_order_financial financial(const char *s)
{
    if (!s)
        return SB_FIN_PENDING;
    if (!strcmp(s, "PAID"))
        return SB_FIN_PAID;
    if (!strcmp(s, "CANCELLED"))
        return SB_FIN_VOIDED;
    if (!strcmp(s, "REFUNDED"))
        return SB_FIN_REFUNDED;
    if (!strcmp(s, "PARTIALLY_REFUNDED"))
        return SB_FIN_PARTIALLY_REFUNDED;
    return SB_FIN_PENDING; /* AWAITING_PAYMENT, INCOMPLETE, CUSTOM_PAYMENT_STATUS_n */
}

static enum sb_order_fulfillment fulfillment(const char *s)
{
    if (s && (!strcmp(s, "SHIPPED") || !strcmp(s, "DELIVERED")))
        return SB_FUL_FULFILLED;
    return SB_FUL_UNFULFILLED;
}

static sb_err refunds(json_t *obj, int exponent, struct sb_order *o, struct sb_arena *a)
{
    json_t *rs = json_object_get(obj, "refunds");
    if (!rs || json_is_null(rs))
        return SB_OK;
    if (!json_is_array(rs) || json_array_size(rs) > MAX_REFUNDS)
        return sb_fail(SB_EINVALID_FIELD, "refunds", "refunds must be a list");
    o->refunds = sb_arena_alloc(a, (json_array_size(rs) + 1) * sizeof(*o->refunds));
    if (!o->refunds)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t k;
    json_t *r;
    json_array_foreach(rs, k, r)
    {
        struct sb_order_refund *x = &o->refunds[o->n_refunds];
        const char *date, *reason;
        sb_err err;
        if (!json_is_object(r))
            return sb_fail(SB_EINVALID_FIELD, "refunds", "refunds[%zu] must be an object", k);
        if ((err = text(r, "date", "refunds", TEXT_MAX, &date)) ||
            (err = text(r, "reason", "refunds", TEXT_MAX, &reason)) ||
            (err = money(r, "amount", "refunds", exponent, &x->amount)))
            return err;
        /* Ecwid gives refunds no id, and appends them: the position stands for one */
        x->external_id = sb_arena_printf(a, "%zu", k + 1);
        x->note = reason;
        if (!x->external_id)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->n_refunds++;
    }
    return SB_OK;
}

/* ---------------------------------------------------------------- the order */

sb_err sb_ec_parse_order(json_t *obj, const char *currency, struct sb_arena *a,
                         struct sb_order **ret)
{
    sb_err err;
    bool present;
    int exponent = sb_currency_exponent(currency);
    if (exponent < 0)
        return sb_fail(SB_EINVALID_FIELD, "currency", "the store's currency is not ISO 4217");
    if (!json_is_object(obj))
        return sb_fail(SB_EINVALID_FIELD, NULL, "the order is not an object");
    struct sb_order *o = sb_arena_alloc(a, sizeof(*o));
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    o->currency = currency;

    json_t *idv = json_object_get(obj, "id");
    if ((err = text(obj, "id", "order", SB_EC_ID_MAX, &o->external_id)))
        return err;
    if (!o->external_id && json_is_integer(idv) && json_integer_value(idv) > 0)
        o->external_id = sb_arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(idv));
    if (!o->external_id)
        return sb_fail(SB_EMISSING_FIELD, "id", "the order has no id");
    if (!sb_ec_order_id_ok(o->external_id))
        return sb_fail(SB_EINVALID_FIELD, "id", "the order's id is not an Ecwid order id");
    o->number = o->external_id;

    const char *pay, *ful, *date;
    if ((err = whole(obj, "createTimestamp", "order", TIME_MAX, &o->created_at, &present)))
        return err;
    if (!present && !(text(obj, "createDate", "order", 64, &date) == SB_OK && date &&
                      sb_ec_date_parse(date, &o->created_at)))
        return sb_fail(SB_EMISSING_FIELD, "createTimestamp", "the order has no creation time");
    if ((err = whole(obj, "updateTimestamp", "order", TIME_MAX, &o->updated_at, &present)))
        return err;
    if (!present && !(text(obj, "updateDate", "order", 64, &date) == SB_OK && date &&
                      sb_ec_date_parse(date, &o->updated_at)))
        o->updated_at = o->created_at;

    if ((err = text(obj, "email", "order", TEXT_MAX, &o->email)) ||
        (err = text(obj, "paymentStatus", "order", 64, &pay)) ||
        (err = text(obj, "fulfillmentStatus", "order", 64, &ful)) ||
        (err = text(obj, "paymentMethod", "order", TEXT_MAX, &o->gateway)) ||
        (err = text(obj, "orderComments", "order", NOTE_MAX, &o->note)) ||
        (err = money(obj, "subtotal", "order", exponent, &o->subtotal)) ||
        (err = money(obj, "total", "order", exponent, &o->total_price)) ||
        (err = money(obj, "tax", "order", exponent, &o->total_tax)))
        return err;
    int64_t coupon = 0, discount = 0;
    if ((err = money(obj, "couponDiscount", "order", exponent, &coupon)) ||
        (err = money(obj, "discount", "order", exponent, &discount)))
        return err;
    /* Ecwid's discount is every discount but the coupon's */
    o->total_discounts = (coupon < 0 ? -coupon : coupon) + (discount < 0 ? -discount : discount);
    o->financial = financial(pay);
    o->payment_status = pay;
    o->cancelled = pay && !strcmp(pay, "CANCELLED");
    o->channel_status = o->cancelled ? "CANCELLED" : ful;
    o->fulfillment = fulfillment(ful);
    /* a shipped order's tracking number (and its carrier, the shipping option's) travels
     * with it: the sale's shipment keeps it (W2, S4) */
    const char *tracking = NULL, *carrier = NULL;
    if ((err = text(obj, "trackingNumber", "order", TEXT_MAX, &tracking)) ||
        (err = text(json_object_get(obj, "shippingOption"), "shippingCarrierName",
                    "order.shippingOption", TEXT_MAX, &carrier)))
        return err;
    if (tracking && o->fulfillment == SB_FUL_FULFILLED) {
        struct sb_order_shipment *sh = sb_arena_alloc(a, sizeof(*sh));
        if (!sh)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        *sh =
            (struct sb_order_shipment){ .tracking_number = tracking, .tracking_company = carrier };
        o->shipments = sh;
        o->n_shipments = 1;
    }
    o->taxes_included = flag(obj, "pricesIncludeTax");
    o->total_outstanding = o->financial == SB_FIN_PENDING ? o->total_price : 0;

    /* customer and addresses (C1-C5) */
    const char *bf, *bl, *sf, *sl;
    struct sb_address bill;
    if ((err =
             person(json_object_get(obj, "billingPerson"), "billingPerson", a, &bill, &bf, &bl)) ||
        (err = person(json_object_get(obj, "shippingPerson"), "shippingPerson", a, &o->ship_to, &sf,
                      &sl)))
        return err;
    o->first_name = bf || bl ? bf : sf;
    o->last_name = bf || bl ? bl : sl;
    o->phone = bill.phone ? bill.phone : o->ship_to.phone;
    o->has_ship_to = o->ship_to.name || o->ship_to.line1 || o->ship_to.city;
    o->ship_to.email = o->email;

    /* items */
    json_t *items = json_object_get(obj, "items");
    if (items && !json_is_null(items)) {
        if (!json_is_array(items) || json_array_size(items) > SB_EC_MAX_LINES)
            return sb_fail(SB_EINVALID_FIELD, "items", "items must be a list of at most %d",
                           SB_EC_MAX_LINES);
        o->lines = sb_arena_alloc(a, (json_array_size(items) + 1) * sizeof(*o->lines));
        if (!o->lines)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if ((err = line(it, i, exponent, a, &o->lines[o->n_lines])))
                return err;
            o->n_lines++;
        }
    }

    if (o->n_lines == 0)
        return sb_fail(SB_EMISSING_FIELD, "items", "the order has no items");

    /* shipping, or a pickup (A1) */
    json_t *so = json_object_get(obj, "shippingOption");
    if (so && !json_is_null(so)) {
        if (!json_is_object(so))
            return sb_fail(SB_EINVALID_FIELD, "shippingOption", "shippingOption must be an object");
        struct sb_order_shipping *s = sb_arena_alloc(a, sizeof(*s));
        const char *ftype;
        if (!s)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        if ((err = text(so, "shippingMethodName", "shippingOption", TEXT_MAX, &s->title)) ||
            (err = text(so, "fulfillmentType", "shippingOption", 32, &ftype)) ||
            (err = money(so, "shippingRate", "shippingOption", exponent, &s->price)))
            return err;
        s->code = ftype;
        if (!s->title)
            s->title = ftype ? ftype : "Shipping";
        o->shipping = s;
        o->n_shipping = 1;
        o->total_shipping = s->price;
        if (flag(so, "isPickup") || (ftype && !strcmp(ftype, "PICKUP")))
            o->pickup_location = s->title;
    }

    /* discounts: the coupon and each order discount, by name (informative) */
    json_t *dc = json_object_get(obj, "discountCoupon");
    json_t *di = json_object_get(obj, "discountInfo");
    size_t nd = (json_is_array(di) ? json_array_size(di) : 0) + 1;
    if (nd > MAX_DISCOUNTS)
        return sb_fail(SB_EINVALID_FIELD, "discountInfo", "discountInfo is too long");
    o->discounts = sb_arena_alloc(a, nd * sizeof(*o->discounts));
    if (!o->discounts)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (json_is_object(dc) && coupon) {
        const char *code, *name;
        if ((err = text(dc, "code", "discountCoupon", TEXT_MAX, &code)) ||
            (err = text(dc, "name", "discountCoupon", TEXT_MAX, &name)))
            return err;
        o->discounts[o->n_discounts++] =
            (struct sb_order_discount){ .code = code   ? code
                                                : name ? name
                                                       : "Coupon",
                                        .amount = coupon < 0 ? -coupon : coupon };
    }
    if (json_is_array(di)) {
        size_t k;
        json_t *d;
        json_array_foreach(di, k, d)
        {
            const char *desc;
            int64_t v;
            if (!json_is_object(d))
                return sb_fail(SB_EINVALID_FIELD, "discountInfo",
                               "discountInfo[%zu] must be an "
                               "object",
                               k);
            if ((err = text(d, "description", "discountInfo", TEXT_MAX, &desc)) ||
                (err = money(d, "orderTotal", "discountInfo", exponent, &v)))
                return err;
            o->discounts[o->n_discounts++] =
                (struct sb_order_discount){ .code = desc ? desc : "Discount", .amount = v };
        }
    }

    /* O4: what the lines do not carry stays at order level, under its own name */
    int64_t line_disc = 0, line_tax = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        line_disc += o->lines[i].discount;
        for (size_t k = 0; k < o->lines[i].n_taxes; k++)
            line_tax += o->lines[i].taxes[k].amount;
    }
    if (o->total_discounts > line_disc) {
        o->order_discounts = sb_arena_alloc(a, sizeof(*o->order_discounts));
        if (!o->order_discounts)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->order_discounts[0] =
            (struct sb_order_discount){ .code = o->n_discounts ? o->discounts[0].code : "Discount",
                                        .amount = o->total_discounts - line_disc };
        o->n_order_discounts = 1;
    }
    if (o->total_tax > line_tax) {
        o->order_taxes = sb_arena_alloc(a, sizeof(*o->order_taxes));
        if (!o->order_taxes)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->order_taxes[0] =
            (struct sb_order_tax){ .title = o->n_shipping ? "Tax on shipping" : "Tax",
                                   .amount = o->total_tax - line_tax };
        o->n_order_taxes = 1;
    }

    /* the payment Ecwid took (P1): the whole total once PAID */
    if (o->financial == SB_FIN_PAID || o->financial == SB_FIN_PARTIALLY_REFUNDED ||
        o->financial == SB_FIN_REFUNDED) {
        o->payments = sb_arena_alloc(a, sizeof(*o->payments));
        if (!o->payments)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        const char *tx;
        if ((err = text(obj, "externalTransactionId", "order", TEXT_MAX, &tx)))
            return err;
        o->payments[0] = (struct sb_order_payment){ .external_id = tx,
                                                    .gateway = o->gateway,
                                                    .amount = o->total_price };
        o->n_payments = 1;
    }
    if ((err = refunds(obj, exponent, o, a)))
        return err;
    *ret = o;
    return SB_OK;
}
