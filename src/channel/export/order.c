/*
 * Reading an exported order (SPEC E2-E6): the webstore's JSON, field by field,
 * into struct sb_order. Lines keep their SKU and first barcode for matching
 * (O5: SKU, then UPC, EAN and manufacturer SKU), taxes and discounts are
 * kept as sent (O4), each payment under its method (E6; one captured
 * offline after an exchange is "Manual"). Money is integer minor units.
 */
#include "channel/export/order.h"
#include "core/money.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

#define TEXT_MAX  255
#define MONEY_MAX 100000000000LL /* a billion in major units of a two-decimal currency */

struct rd {
    struct sb_jctx *c;
    struct sb_arena *a;
};

/* An arena copy of a string json owns (the body is freed before the order is applied). */
static sb_err str(struct sb_jctx *c, struct sb_arena *a, const char *key, bool required, size_t max,
                  const char **ret)
{
    const char *s = NULL;
    sb_err err = sb_json_str(c, key, required, max, &s, NULL);
    if (err || !s)
        return err;
    *ret = sb_arena_strdup(a, s);
    return *ret ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

static sb_err nonempty(struct sb_jctx *c, const char *key, const char *s)
{
    if (s && !*s) {
        char buf[160];
        struct sb_jctx f = sb_jctx_child(c, key, -1, NULL, buf, sizeof(buf));
        return sb_fail(SB_EINVALID_FIELD, f.prefix, "%s must not be empty", f.prefix);
    }
    return SB_OK;
}

/* A list of objects at key: each read by fn into the element i of an array of size each. */
typedef sb_err (*item_fn)(struct sb_jctx *c, struct sb_arena *a, void *item);

static sb_err list(struct sb_jctx *c, struct sb_arena *a, const char *key, bool required,
                   size_t min, size_t max, size_t size, item_fn fn, void **ret, size_t *ret_n)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, key, required, max, &arr);
    if (err || !arr)
        return err;
    if (json_array_size(arr) < min) {
        char buf[160];
        struct sb_jctx f = sb_jctx_child(c, key, -1, NULL, buf, sizeof(buf));
        return sb_fail(SB_EINVALID_FIELD, f.prefix, "%s needs at least %zu entries", f.prefix, min);
    }
    size_t n = json_array_size(arr);
    char *items = sb_arena_alloc(a, (n + 1) * size);
    if (!items)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    memset(items, 0, (n + 1) * size);
    for (size_t i = 0; i < n; i++) {
        char pbuf[160];
        json_t *v = json_array_get(arr, i);
        struct sb_jctx child = sb_jctx_child(c, key, (long)i, v, pbuf, sizeof(pbuf));
        if (!json_is_object(v))
            return sb_fail(SB_EINVALID_FIELD, child.prefix, "%s must be an object", child.prefix);
        if ((err = fn(&child, a, items + i * size)))
            return err;
    }
    *ret = items;
    *ret_n = n;
    return SB_OK;
}

static sb_err tax(struct sb_jctx *c, struct sb_arena *a, void *item)
{
    static const char *const keys[] = { "name", "rate", "amount", NULL };
    struct sb_order_tax *t = item;
    sb_err err;
    if ((err = sb_json_only(c, keys)) || (err = str(c, a, "name", true, TEXT_MAX, &t->title)) ||
        (err = nonempty(c, "name", t->title)) || (err = str(c, a, "rate", false, 32, &t->rate)) ||
        (err = sb_json_int(c, "amount", true, 0, MONEY_MAX, &t->amount, NULL)))
        return err;
    return SB_OK;
}

static sb_err discount(struct sb_jctx *c, struct sb_arena *a, void *item)
{
    static const char *const keys[] = { "code", "name", "amount", NULL };
    struct sb_order_discount *d = item;
    const char *code = NULL, *name = NULL;
    sb_err err;
    if ((err = sb_json_only(c, keys)) || (err = str(c, a, "code", false, TEXT_MAX, &code)) ||
        (err = str(c, a, "name", true, TEXT_MAX, &name)) || (err = nonempty(c, "name", name)) ||
        (err = sb_json_int(c, "amount", true, 0, MONEY_MAX, &d->amount, NULL)))
        return err;
    /* the sale's discount row takes one name: the code when there is one, as sent */
    d->code = code && *code ? code : name;
    return SB_OK;
}

static sb_err line(struct sb_jctx *c, struct sb_arena *a, void *item)
{
    static const char *const keys[] = { "sku",      "upc",        "ean",      "mpn",   "title",
                                        "quantity", "unit_price", "discount", "taxes", NULL };
    struct sb_order_line *l = item;
    const char *upc = NULL, *ean = NULL, *mpn = NULL;
    sb_err err;
    if ((err = sb_json_only(c, keys)) || (err = str(c, a, "sku", false, 100, &l->sku)) ||
        (err = str(c, a, "upc", false, 100, &upc)) || (err = str(c, a, "ean", false, 100, &ean)) ||
        (err = str(c, a, "mpn", false, 100, &mpn)) ||
        (err = str(c, a, "title", true, TEXT_MAX, &l->title)) ||
        (err = nonempty(c, "title", l->title)) ||
        (err = sb_json_int(c, "quantity", true, 1, 1000000, &l->quantity, NULL)) ||
        (err = sb_json_int(c, "unit_price", true, 0, MONEY_MAX, &l->unit_price, NULL)) ||
        (err = sb_json_int(c, "discount", false, 0, MONEY_MAX, &l->discount, NULL)) ||
        (err = list(c, a, "taxes", false, 0, SB_EXPORT_TAXES_MAX, sizeof(struct sb_order_tax), tax,
                    (void **)&l->taxes, &l->n_taxes)))
        return err;
    if (l->discount > l->quantity * l->unit_price) { /* both bounded: no overflow */
        char buf[160];
        struct sb_jctx f = sb_jctx_child(c, "discount", -1, NULL, buf, sizeof(buf));
        return sb_fail(SB_EINVALID_FIELD, f.prefix, "%s is more than the line is worth (%lld)",
                       f.prefix, (long long)(l->quantity * l->unit_price));
    }
    /* O5: the SKU is tried as SKU, UPC, EAN and MPN; without one, the first code given */
    if (!l->sku || !*l->sku)
        l->sku = mpn && *mpn ? mpn : NULL;
    l->barcode = upc && *upc ? upc : (ean && *ean ? ean : NULL);
    if (upc && *upc && ean && *ean && (!l->sku || !*l->sku))
        l->sku = ean; /* both barcodes: the EAN is tried too (as a code in every field) */
    return SB_OK;
}

static sb_err payment(struct sb_jctx *c, struct sb_arena *a, void *item)
{
    static const char *const keys[] = { "method", "amount", "reference", "offline", NULL };
    struct sb_order_payment *p = item;
    bool offline = false;
    sb_err err;
    if ((err = sb_json_only(c, keys)) || (err = str(c, a, "method", true, 100, &p->gateway)) ||
        (err = nonempty(c, "method", p->gateway)) ||
        (err = sb_json_int(c, "amount", true, 1, MONEY_MAX, &p->amount, NULL)) ||
        (err = str(c, a, "reference", false, TEXT_MAX, &p->external_id)) ||
        (err = sb_json_bool(c, "offline", false, &offline, NULL)))
        return err;
    if (offline)
        p->gateway = "Manual"; /* E6: captured offline after an exchange */
    return SB_OK;
}

static sb_err address(struct sb_jctx *c, struct sb_arena *a, struct sb_address *to)
{
    static const char *const keys[] = { "name",     "line1",   "line2", "city", "region",
                                        "postcode", "country", "phone", NULL };
    sb_err err;
    if ((err = sb_json_only(c, keys)) || (err = str(c, a, "name", false, TEXT_MAX, &to->name)) ||
        (err = str(c, a, "line1", false, TEXT_MAX, &to->line1)) ||
        (err = str(c, a, "line2", false, TEXT_MAX, &to->line2)) ||
        (err = str(c, a, "city", false, TEXT_MAX, &to->city)) ||
        (err = str(c, a, "region", false, TEXT_MAX, &to->region)) ||
        (err = str(c, a, "postcode", false, 32, &to->postcode)) ||
        (err = str(c, a, "country", false, 64, &to->country)) ||
        (err = str(c, a, "phone", false, 64, &to->phone)))
        return err;
    return SB_OK;
}

static sb_err shipping(struct sb_jctx *c, struct sb_arena *a, struct sb_order_shipping *s)
{
    static const char *const keys[] = { "title", "price", "taxes", NULL };
    sb_err err;
    if ((err = sb_json_only(c, keys)) || (err = str(c, a, "title", true, TEXT_MAX, &s->title)) ||
        (err = nonempty(c, "title", s->title)) ||
        (err = sb_json_int(c, "price", true, 0, MONEY_MAX, &s->price, NULL)) ||
        (err = list(c, a, "taxes", false, 0, SB_EXPORT_TAXES_MAX, sizeof(struct sb_order_tax), tax,
                    (void **)&s->taxes, &s->n_taxes)))
        return err;
    return SB_OK;
}

sb_err sb_export_order_read(struct sb_jctx *c, const char *currency, struct sb_arena *a,
                            struct sb_export_order *ret)
{
    static const char *const keys[] = { "order_id",  "number",      "created_at", "currency",
                                        "email",     "first_name",  "last_name",  "phone",
                                        "ship_to",   "location_id", "note",       "lines",
                                        "discounts", "taxes",       "shipping",   "total",
                                        "payments",  "status",      NULL };
    *ret = (struct sb_export_order){ 0 };
    struct sb_order *o = &ret->order;
    const char *created = NULL, *cur = NULL;
    json_t *to = NULL, *ship = NULL;
    sb_err err;
    if ((err = sb_json_only(c, keys)) ||
        (err = str(c, a, "order_id", true, SB_EXPORT_ORDER_ID_MAX, &o->external_id)) ||
        (err = nonempty(c, "order_id", o->external_id)) ||
        (err = str(c, a, "number", false, 64, &o->number)) ||
        (err = sb_json_str(c, "created_at", true, 40, &created, NULL)) ||
        (err = sb_json_str(c, "currency", true, 3, &cur, NULL)) ||
        (err = str(c, a, "email", false, 254, &o->email)) ||
        (err = str(c, a, "first_name", false, 100, &o->first_name)) ||
        (err = str(c, a, "last_name", false, 100, &o->last_name)) ||
        (err = str(c, a, "phone", false, 64, &o->phone)) ||
        (err = sb_json_object(c, "ship_to", false, &to)) ||
        (err = str(c, a, "location_id", false, 100, &ret->location_id)) ||
        (err = str(c, a, "note", false, 2000, &o->note)) ||
        (err = list(c, a, "lines", true, 1, SB_EXPORT_LINES_MAX, sizeof(struct sb_order_line), line,
                    (void **)&o->lines, &o->n_lines)) ||
        (err = list(c, a, "discounts", false, 0, SB_EXPORT_DISCOUNTS_MAX,
                    sizeof(struct sb_order_discount), discount, (void **)&o->order_discounts,
                    &o->n_order_discounts)) ||
        (err = list(c, a, "taxes", false, 0, SB_EXPORT_TAXES_MAX, sizeof(struct sb_order_tax), tax,
                    (void **)&o->order_taxes, &o->n_order_taxes)) ||
        (err = sb_json_object(c, "shipping", false, &ship)) ||
        (err = sb_json_int(c, "total", true, 0, MONEY_MAX, &o->total_price, NULL)) ||
        (err = list(c, a, "payments", true, 0, SB_EXPORT_PAYMENTS_MAX,
                    sizeof(struct sb_order_payment), payment, (void **)&o->payments,
                    &o->n_payments)) ||
        (err = str(c, a, "status", false, 64, &o->channel_status)))
        return err;
    char pbuf[160];
    if ((err = nonempty(c, "number", o->number)) || (err = nonempty(c, "email", o->email)))
        return err;
    struct sb_jctx sub = sb_jctx_child(c, "created_at", -1, NULL, pbuf, sizeof(pbuf));
    if (!sb_time_parse(created, &o->created_at))
        return sb_fail(SB_EINVALID_FIELD, sub.prefix, "%s must be a UTC time (ISO-8601)",
                       sub.prefix);
    sub = sb_jctx_child(c, "currency", -1, NULL, pbuf, sizeof(pbuf));
    if (!sb_currency_valid(cur))
        return sb_fail(SB_EINVALID_FIELD, sub.prefix, "%s must be an ISO 4217 code", sub.prefix);
    if (strcmp(cur, currency) != 0)
        return sb_fail(SB_EINVALID_FIELD, sub.prefix, "%s must be the channel's currency, %s",
                       sub.prefix, currency);
    o->currency = sb_arena_strdup(a, cur);
    if (to) {
        sub = sb_jctx_child(c, "ship_to", -1, to, pbuf, sizeof(pbuf));
        if ((err = address(&sub, a, &o->ship_to)))
            return err;
        o->has_ship_to = true;
        o->ship_to.email = o->email;
    }
    if (ship) {
        o->shipping = sb_arena_alloc(a, sizeof(*o->shipping));
        if (!o->shipping)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        *o->shipping = (struct sb_order_shipping){ 0 };
        sub = sb_jctx_child(c, "shipping", -1, ship, pbuf, sizeof(pbuf));
        if ((err = shipping(&sub, a, o->shipping)))
            return err;
        o->n_shipping = 1;
    }
    for (size_t i = 0; i < o->n_payments; i++)
        ret->paid += o->payments[i].amount;
    /* the lines' ids are their places in the order (1, 2, ...), for what later refers to them */
    for (size_t i = 0; i < o->n_lines; i++)
        if (!(o->lines[i].external_id = sb_arena_printf(a, "%zu", i + 1)))
            return sb_fail(SB_ENOMEM, NULL, NULL);
    if (!o->number)
        o->number = o->external_id; /* what staff find it by (T2) when it has no number */
    o->updated_at = o->created_at;  /* one version: a later export changes nothing (E5) */
    o->financial = SB_FIN_PAID;
    o->itemized_payments = true;
    o->gateway = o->n_payments ? o->payments[0].gateway : NULL;
    o->total_outstanding = 0;
    return SB_OK;
}
