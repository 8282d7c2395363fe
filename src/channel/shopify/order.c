/*
 * Shopify orders read into the normalized order (order.h): from the
 * REST-shaped bodies of order webhooks and from Admin GraphQL Order nodes
 * (polls and fetches). The requests that bring the nodes, and everything
 * else the adapter does, live in adapter.c and transport.c.
 *
 * One parser serves both shapes of an order. They carry the same facts
 * under different names (snake_case and camelCase, "price" and
 * "originalUnitPriceSet", integer ids and gids), so the parser asks a small
 * dialect for names and branches only where the structure differs.
 *
 * Everything from Shopify is treated as hostile: types are checked, every
 * list and string is bounded, money is parsed from decimal text into the
 * minor units of the order's currency (rounded half away from zero, O4), and
 * ids stay text (they outgrow a double). A bad field fails the
 * whole order with its path ("line_items[3].price"), which the pipeline
 * records as the reason (SPEC O10).
 */
#include "channel/shopify/shopify.h"

#include "core/currency.h"
#include "core/money.h"
#include "util/jsonx.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PATH_CAP           192
#define TITLE_MAX          512
#define NAME_MAX_          255
#define NOTE_MAX           16384
#define EMAIL_MAX          254
#define TRACKING_MAX       1024
#define MAX_TAX_LINES      100
#define MAX_ALLOCATIONS    100
#define MAX_SHIPPING_LINES 50
#define MAX_DISCOUNT_CODES 50
#define MAX_TRANSACTIONS   250
#define MAX_REFUNDS        100
#define MAX_FULFILLMENTS   100
#define MAX_ATTRIBUTES     100
#define MAX_GATEWAYS       20
#define REAL_MONEY_MAX     1e9 /* amounts sent as JSON numbers: beyond this a double is not exact */

/* ---------------------------------------------------------------- helpers */

static const char *fpath(const struct sb_jctx *c, const char *key, char *buf, size_t cap)
{
    if (!c->prefix || !*c->prefix)
        return key;
    snprintf(buf, cap, "%s.%s", c->prefix, key);
    return buf;
}

static json_t *field(const struct sb_jctx *c, const char *key)
{
    json_t *v = json_object_get(c->obj, key);
    return json_is_null(v) ? NULL : v;
}

/* An optional string; absent, null and "" all give NULL. */
static sb_err text(struct sb_jctx *c, const char *key, size_t max, const char **ret)
{
    const char *s = NULL;
    sb_err err = sb_json_str_or_null(c, key, max, &s, NULL);
    if (err)
        return err;
    *ret = s && *s ? s : NULL;
    return SB_OK;
}

/* s without surrounding white space, NULL when nothing is left. */
static sb_err trimmed(struct sb_arena *a, const char *s, const char **ret)
{
    *ret = NULL;
    if (!s)
        return SB_OK;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n)
        return SB_OK;
    if (!s[n]) {
        *ret = s;
        return SB_OK;
    }
    char *p = sb_arena_strndup(a, s, n);
    if (!p)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = p;
    return SB_OK;
}

bool sb_shopify_numeric_id(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return false;
    return n > 0 && n <= 20 && !(n > 1 && s[0] == '0') && strcmp(s, "0") != 0;
}

sb_err sb_shopify_id_value(json_t *v, const char *path, struct sb_arena *a, const char **ret)
{
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        char *s = sb_arena_printf(a, "%lld", (long long)json_integer_value(v));
        if (!s)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        *ret = s;
        return SB_OK;
    }
    if (json_is_string(v) && sb_shopify_numeric_id(json_string_value(v))) {
        *ret = json_string_value(v);
        return SB_OK;
    }
    return sb_fail(SB_EINVALID_FIELD, path, "%s must be a positive numeric id", path);
}

const char *sb_shopify_gid_tail(const char *gid, const char *type, struct sb_arena *a)
{
    static const char prefix[] = "gid://shopify/";
    if (!gid || strncmp(gid, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    const char *p = gid + sizeof(prefix) - 1;
    const char *slash = strchr(p, '/');
    if (!slash || slash == p)
        return NULL;
    if (type && (strlen(type) != (size_t)(slash - p) || strncmp(p, type, strlen(type)) != 0))
        return NULL;
    const char *digits = slash + 1;
    size_t n = strcspn(digits, "?");
    if (n == 0 || n > 20 || (n > 1 && digits[0] == '0') || (n == 1 && digits[0] == '0'))
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return NULL;
    return sb_arena_strndup(a, digits, n);
}

/* A GraphQL id: a gid of the given type (its numeric tail is kept), or plain digits. */
static sb_err gid_value(json_t *v, const char *path, const char *type, struct sb_arena *a,
                        const char **ret)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strncmp(s, "gid://", 6) == 0) {
            const char *tail = sb_shopify_gid_tail(s, type, a);
            if (tail) {
                *ret = tail;
                return SB_OK;
            }
            return sb_fail(SB_EINVALID_FIELD, path, "%s must be a gid://shopify/%s/ id", path,
                           type);
        }
    }
    return sb_shopify_id_value(v, path, a, ret);
}

static sb_err id_field(struct sb_jctx *c, const char *key, const char *gql_type, bool required,
                       struct sb_arena *a, const char **ret)
{
    char pbuf[PATH_CAP];
    const char *path = fpath(c, key, pbuf, sizeof(pbuf));
    json_t *v = field(c, key);
    if (!v) {
        if (required)
            return sb_fail(SB_EMISSING_FIELD, path, "%s is required", path);
        *ret = NULL;
        return SB_OK;
    }
    return gql_type ? gid_value(v, path, gql_type, a, ret) : sb_shopify_id_value(v, path, a, ret);
}

/* A JSON number as the shortest plain decimal text that reads back as the same double:
 * 0.1 is "0.1", 1000.0 is "1000", 1.005 is "1.005" (not 1.00499999999999989...). */
static void real_text(double x, char *buf, size_t cap)
{
    for (int prec = 0; prec <= 20; prec++) {
        snprintf(buf, cap, "%.*f", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* Money in the order's currency, whose minor unit has `exponent` decimals (JPY 0, USD 2,
 * KWD 3): decimal text ("199.00", "1000", "1.234"), an integer (whole units), or - where
 * Shopify sends a JSON number (refund line subtotals) - a number. Text or numbers with
 * more decimals than the currency has are rounded to its minor unit, half away from zero
 * (SPEC O4), as decimal text, never through a binary fraction. */
static sb_err money_value(json_t *v, const char *path, int exponent, bool allow_negative,
                          int64_t *ret)
{
    int64_t minor;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!sb_money_parse_round(s, exponent, &minor))
            return sb_fail(SB_EINVALID_FIELD, path, "%s is not an amount (\"%.32s\")", path, s);
    } else if (json_is_integer(v)) {
        minor = json_integer_value(v);
        for (int i = 0; i < exponent; i++)
            if (!sb_money_mul(minor, 10, &minor))
                return sb_fail(SB_EINVALID_FIELD, path, "%s is too large", path);
    } else if (json_is_real(v)) {
        double x = json_real_value(v);
        char text[64];
        if (!isfinite(x) || fabs(x) > REAL_MONEY_MAX)
            return sb_fail(SB_EINVALID_FIELD, path, "%s is out of range", path);
        real_text(x, text, sizeof(text));
        if (!sb_money_parse_round(text, exponent, &minor))
            return sb_fail(SB_EINVALID_FIELD, path, "%s is not an amount", path);
    } else {
        return sb_fail(SB_EINVALID_FIELD, path, "%s must be an amount", path);
    }
    if (minor < 0 && !allow_negative)
        return sb_fail(SB_EINVALID_FIELD, path, "%s must not be negative", path);
    *ret = minor;
    return SB_OK;
}

/* ---------------------------------------------------------------- dialects */

/* The two shapes of an order: REST (webhook bodies) and GraphQL (polls, fetches). */
struct dialect {
    bool gql;
    int exponent; /* the decimals of the order's currency (set once it is known) */
};

#define K(rest, gql_) (d->gql ? (gql_) : (rest))

/*
 * An amount from an object: the plain decimal field when given (REST "price"),
 * else its money bag ("price_set"/"priceSet") in shop money, never the
 * presentment currency. Absent and not required leaves *ret alone.
 */
static sb_err money(struct sb_jctx *c, const struct dialect *d, const char *plain, const char *set,
                    bool required, bool allow_negative, int64_t *ret)
{
    char pbuf[PATH_CAP];
    json_t *v = plain ? field(c, plain) : NULL;
    if (v)
        return money_value(v, fpath(c, plain, pbuf, sizeof(pbuf)), d->exponent, allow_negative,
                           ret);
    json_t *bag = set ? field(c, set) : NULL;
    if (!bag) {
        const char *path = fpath(c, plain ? plain : set, pbuf, sizeof(pbuf));
        return required ? sb_fail(SB_EMISSING_FIELD, path, "%s is required", path) : SB_OK;
    }
    const char *shop = K("shop_money", "shopMoney");
    json_t *sm = json_object_get(bag, shop);
    json_t *amount = json_object_get(sm, "amount");
    snprintf(pbuf, sizeof(pbuf), "%s%s%s.%s.amount", c->prefix ? c->prefix : "",
             c->prefix && *c->prefix ? "." : "", set, shop);
    if (!json_is_object(bag) || !json_is_object(sm) || !amount || json_is_null(amount))
        return sb_fail(SB_EINVALID_FIELD, pbuf, "%s is required in the money bag", pbuf);
    return money_value(amount, pbuf, d->exponent, allow_negative, ret);
}

/*
 * A list: a plain array (REST, and GraphQL lists) or a GraphQL connection
 * {nodes: [...]}. Items are reached with list_item(), which checks they are
 * objects and names them "parent[i]" or "parent.nodes[i]".
 */
struct list {
    json_t *arr;
    struct sb_jctx parent;
    const char *key;
    char buf[PATH_CAP];
};

static sb_err get_list(struct sb_jctx *c, const char *key, bool connection, size_t max,
                       struct list *l)
{
    l->arr = NULL;
    if (!connection) {
        l->parent = *c;
        l->key = key;
        return sb_json_array(c, key, false, max, &l->arr);
    }
    json_t *conn = NULL;
    sb_err err = sb_json_object(c, key, false, &conn);
    if (err || !conn)
        return err;
    l->parent = sb_jctx_child(c, key, -1, conn, l->buf, sizeof(l->buf));
    l->key = "nodes";
    return sb_json_array(&l->parent, "nodes", false, max, &l->arr);
}

static size_t list_size(const struct list *l)
{
    return l->arr ? json_array_size(l->arr) : 0;
}

static sb_err list_item(struct list *l, size_t i, char *buf, size_t cap, struct sb_jctx *ret)
{
    json_t *v = json_array_get(l->arr, i);
    *ret = sb_jctx_child(&l->parent, l->key, (long)i, v, buf, cap);
    if (!json_is_object(v))
        return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
    return SB_OK;
}

static void *alloc_array(struct sb_arena *a, size_t n, size_t size)
{
    return sb_arena_alloc(a, (n ? n : 1) * size);
}

/* A tax rate as text: Shopify sends a JSON number (0.08); keep the shortest text that
 * reads back as the same number, so 0.08 stays "0.08". */
static sb_err rate_text(json_t *v, const char *path, struct sb_arena *a, const char **ret)
{
    char buf[40];
    if (!v || json_is_null(v)) {
        *ret = NULL;
        return SB_OK;
    }
    if (json_is_string(v)) {
        if (json_string_length(v) > 32)
            return sb_fail(SB_EINVALID_FIELD, path, "%s is too long", path);
        *ret = json_string_value(v);
        return SB_OK;
    }
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v) && isfinite(json_real_value(v))) {
        double x = json_real_value(v);
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof(buf), "%.*g", prec, x);
            if (strtod(buf, NULL) == x)
                break;
        }
    } else {
        return sb_fail(SB_EINVALID_FIELD, path, "%s must be a number", path);
    }
    char *s = sb_arena_strdup(a, buf);
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = s;
    return SB_OK;
}

static sb_err parse_taxes(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                          struct sb_order_tax **ret, size_t *ret_n)
{
    struct list l;
    sb_err err = get_list(c, K("tax_lines", "taxLines"), false, MAX_TAX_LINES, &l);
    if (err)
        return err;
    size_t n = list_size(&l);
    struct sb_order_tax *taxes = alloc_array(a, n, sizeof(*taxes));
    if (!taxes)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP], pbuf[PATH_CAP];
        struct sb_jctx tc;
        if ((err = list_item(&l, i, buf, sizeof(buf), &tc)))
            return err;
        struct sb_order_tax *t = &taxes[i];
        if ((err = text(&tc, "title", NAME_MAX_, &t->title)))
            return err;
        if (!t->title)
            t->title = "Tax";
        if ((err = rate_text(json_object_get(tc.obj, "rate"),
                             fpath(&tc, "rate", pbuf, sizeof(pbuf)), a, &t->rate)))
            return err;
        if ((err = money(&tc, d, K("price", NULL), K("price_set", "priceSet"), true, false,
                         &t->amount)))
            return err;
    }
    *ret = taxes;
    *ret_n = n;
    return SB_OK;
}

/* The sum of a line's (or shipping line's) discount allocations: what Shopify took off it,
 * whatever total_discount says (it is often "0.00" on a discounted line). */
static sb_err sum_allocations(struct sb_jctx *c, const struct dialect *d, int64_t *ret)
{
    struct list l;
    sb_err err =
        get_list(c, K("discount_allocations", "discountAllocations"), false, MAX_ALLOCATIONS, &l);
    if (err)
        return err;
    int64_t sum = 0;
    for (size_t i = 0; i < list_size(&l); i++) {
        char buf[PATH_CAP];
        struct sb_jctx ac;
        int64_t amount = 0;
        if ((err = list_item(&l, i, buf, sizeof(buf), &ac)))
            return err;
        if ((err = money(&ac, d, K("amount", NULL), K("amount_set", "allocatedAmountSet"), true,
                         false, &amount)))
            return err;
        if (!sb_money_add(sum, amount, &sum))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s: the discounts add up beyond range", buf);
    }
    *ret = sum;
    return SB_OK;
}

static sb_err parse_line(struct sb_jctx *lc, const struct dialect *d, struct sb_arena *a,
                         struct sb_order_line *line)
{
    sb_err err;
    if ((err = id_field(lc, "id", K(NULL, "LineItem"), true, a, &line->external_id)))
        return err;
    if ((err = text(lc, "sku", NAME_MAX_, &line->sku)))
        return err;
    if (d->gql) {
        json_t *variant = NULL;
        if ((err = sb_json_object(lc, "variant", false, &variant)))
            return err;
        if (variant) {
            char buf[PATH_CAP];
            struct sb_jctx vc = sb_jctx_child(lc, "variant", -1, variant, buf, sizeof(buf));
            if ((err = text(&vc, "barcode", NAME_MAX_, &line->barcode)))
                return err;
        }
    }
    if ((err = text(lc, "title", TITLE_MAX, &line->title)))
        return err;
    if (!line->title && (err = text(lc, "name", TITLE_MAX, &line->title)))
        return err;
    if (!line->title) {
        char pbuf[PATH_CAP];
        const char *path = fpath(lc, "title", pbuf, sizeof(pbuf));
        return sb_fail(SB_EMISSING_FIELD, path, "%s is required", path);
    }
    if ((err = text(lc, K("variant_title", "variantTitle"), TITLE_MAX, &line->variant_title)))
        return err;
    if ((err = sb_json_int(lc, "quantity", true, 1, 1000000, &line->quantity, NULL)))
        return err;
    if ((err = money(lc, d, K("price", NULL), K("price_set", "originalUnitPriceSet"), true, false,
                     &line->unit_price)))
        return err;
    if ((err = sum_allocations(lc, d, &line->discount)))
        return err;
    if ((err = parse_taxes(lc, d, a, &line->taxes, &line->n_taxes)))
        return err;
    line->requires_shipping = true;
    return sb_json_bool(lc, K("requires_shipping", "requiresShipping"), false,
                        &line->requires_shipping, NULL);
}

static bool says_pickup(const char *s)
{
    return s && (strcasecmp(s, "pickup") == 0 || strcasecmp(s, "pick-up") == 0 ||
                 strcasecmp(s, "pick_up") == 0 || strcasecmp(s, "local_pickup") == 0);
}

static sb_err parse_shipping_line(struct sb_jctx *sc, const struct dialect *d, struct sb_arena *a,
                                  struct sb_order_shipping *s, bool *ret_pickup)
{
    sb_err err;
    const char *source = NULL, *category = NULL;
    if ((err = text(sc, "title", TITLE_MAX, &s->title)))
        return err;
    if (!s->title)
        s->title = "Shipping";
    if ((err = text(sc, "code", TITLE_MAX, &s->code)))
        return err;
    if ((err = text(sc, "source", NAME_MAX_, &source)))
        return err;
    if ((err = text(sc, K("delivery_category", "deliveryCategory"), NAME_MAX_, &category)))
        return err;
    /* Shopify's local pickup looks like any shipping line (title and code are the
     * location's name, source "shopify"), and carriers' "pick-up point" codes are not
     * in-store pickups: only an explicit delivery category counts here. The pipeline
     * also treats titles listed in the channel's methods as pickups (A1). */
    (void)source;
    *ret_pickup = says_pickup(category);
    if (d->gql) {
        int64_t discounted = 0;
        if ((err = money(sc, d, NULL, "originalPriceSet", true, false, &s->price)))
            return err;
        discounted = s->price;
        if ((err = money(sc, d, NULL, "discountedPriceSet", false, false, &discounted)))
            return err;
        s->discount = s->price > discounted ? s->price - discounted : 0;
    } else {
        if ((err = money(sc, d, "price", "price_set", true, false, &s->price)))
            return err;
        if ((err = sum_allocations(sc, d, &s->discount)))
            return err;
    }
    return parse_taxes(sc, d, a, &s->taxes, &s->n_taxes);
}

static sb_err parse_shipping(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                             struct sb_order *o)
{
    sb_err err;
    bool pickup = false;
    if (d->gql) {
        json_t *sl = NULL;
        if ((err = sb_json_object(c, "shippingLine", false, &sl)) || !sl)
            return err;
        char buf[PATH_CAP];
        struct sb_jctx sc = sb_jctx_child(c, "shippingLine", -1, sl, buf, sizeof(buf));
        o->shipping = sb_arena_alloc(a, sizeof(*o->shipping));
        if (!o->shipping)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->n_shipping = 1;
        if ((err = parse_shipping_line(&sc, d, a, o->shipping, &pickup)))
            return err;
        if (pickup)
            o->pickup_location = o->shipping->title;
        return SB_OK;
    }
    struct list l;
    if ((err = get_list(c, "shipping_lines", false, MAX_SHIPPING_LINES, &l)))
        return err;
    size_t n = list_size(&l);
    o->shipping = alloc_array(a, n, sizeof(*o->shipping));
    if (!o->shipping)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    o->n_shipping = n;
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP];
        struct sb_jctx sc;
        if ((err = list_item(&l, i, buf, sizeof(buf), &sc)))
            return err;
        if ((err = parse_shipping_line(&sc, d, a, &o->shipping[i], &pickup)))
            return err;
        if (pickup && !o->pickup_location)
            o->pickup_location = o->shipping[i].title;
    }
    return SB_OK;
}

static sb_err parse_discount_codes(struct sb_jctx *c, struct sb_arena *a, struct sb_order *o)
{
    const struct dialect rest = { .gql = false, .exponent = sb_currency_exponent(o->currency) },
                         *d = &rest;
    struct list l;
    sb_err err = get_list(c, "discount_codes", false, MAX_DISCOUNT_CODES, &l);
    if (err)
        return err;
    size_t n = list_size(&l);
    o->discounts = alloc_array(a, n, sizeof(*o->discounts));
    if (!o->discounts)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP];
        struct sb_jctx dc;
        struct sb_order_discount *disc = &o->discounts[o->n_discounts];
        if ((err = list_item(&l, i, buf, sizeof(buf), &dc)))
            return err;
        if ((err = text(&dc, "code", NAME_MAX_, &disc->code)))
            return err;
        if ((err = money(&dc, d, "amount", "amount_set", false, false, &disc->amount)))
            return err;
        if (disc->code)
            o->n_discounts++;
    }
    return SB_OK;
}

/* GraphQL's Order.discountCodes: the codes alone, as [String!]!. */
static sb_err parse_gql_discount_codes(struct sb_jctx *c, struct sb_arena *a, struct sb_order *o)
{
    json_t *codes = NULL;
    sb_err err = sb_json_array(c, "discountCodes", false, MAX_DISCOUNT_CODES, &codes);
    if (err || !codes)
        return err;
    o->discounts = alloc_array(a, json_array_size(codes), sizeof(*o->discounts));
    if (!o->discounts)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < json_array_size(codes); i++) {
        json_t *v = json_array_get(codes, i);
        if (!json_is_string(v) || json_string_length(v) > NAME_MAX_ ||
            strlen(json_string_value(v)) != json_string_length(v))
            return sb_fail(SB_EINVALID_FIELD, "discountCodes",
                           "discountCodes[%zu] must be a code of at most %d bytes", i, NAME_MAX_);
        if (json_string_length(v))
            o->discounts[o->n_discounts++] =
                (struct sb_order_discount){ .code = json_string_value(v) };
    }
    return SB_OK;
}

static bool is_success(const char *status)
{
    return status && strcasecmp(status, "success") == 0;
}

/* Settled payments: sale and capture transactions that succeeded. REST order webhooks
 * carry none (the pipeline then reads financial_status and total_outstanding). */
static sb_err parse_payments(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                             struct sb_order *o)
{
    struct list l;
    sb_err err = get_list(c, "transactions", false, MAX_TRANSACTIONS, &l);
    if (err)
        return err;
    size_t n = list_size(&l);
    o->payments = alloc_array(a, n, sizeof(*o->payments));
    if (!o->payments)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP];
        struct sb_jctx tc;
        const char *kind = NULL, *status = NULL;
        struct sb_order_payment *p = &o->payments[o->n_payments];
        if ((err = list_item(&l, i, buf, sizeof(buf), &tc)))
            return err;
        if ((err = text(&tc, "kind", 64, &kind)) || (err = text(&tc, "status", 64, &status)))
            return err;
        if (!kind || !(strcasecmp(kind, "sale") == 0 || strcasecmp(kind, "capture") == 0) ||
            !is_success(status))
            continue;
        if ((err = id_field(&tc, "id", K(NULL, "OrderTransaction"), false, a, &p->external_id)))
            return err;
        if ((err = text(&tc, "gateway", NAME_MAX_, &p->gateway)))
            return err;
        if ((err = money(&tc, d, K("amount", NULL), K("amount_set", "amountSet"), true, false,
                         &p->amount)))
            return err;
        o->n_payments++;
    }
    return SB_OK;
}

static bool restock_from_type(const char *type, bool fallback)
{
    if (!type)
        return fallback;
    return strcasecmp(type, "no_restock") != 0;
}

static sb_err parse_refund(struct sb_jctx *rc, const struct dialect *d, struct sb_arena *a,
                           struct sb_order_refund *r)
{
    sb_err err;
    bool legacy_restock = false;
    if ((err = id_field(rc, "id", K(NULL, "Refund"), true, a, &r->external_id)))
        return err;
    if ((err = text(rc, "note", NOTE_MAX, &r->note)))
        return err;
    if (!d->gql && (err = sb_json_bool(rc, "restock", false, &legacy_restock, NULL)))
        return err;

    struct list l;
    if ((err = get_list(rc, K("refund_line_items", "refundLineItems"), d->gql, SB_SHOPIFY_MAX_LINES,
                        &l)))
        return err;
    size_t n = list_size(&l);
    r->lines = alloc_array(a, n, sizeof(*r->lines));
    if (!r->lines)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->n_lines = n;
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP];
        struct sb_jctx lc;
        struct sb_order_refund_line *rl = &r->lines[i];
        const char *type = NULL;
        int64_t subtotal = 0, tax = 0;
        if ((err = list_item(&l, i, buf, sizeof(buf), &lc)))
            return err;
        if (d->gql) {
            json_t *li = NULL;
            if ((err = sb_json_object(&lc, "lineItem", true, &li)))
                return err;
            char lbuf[PATH_CAP];
            struct sb_jctx lic = sb_jctx_child(&lc, "lineItem", -1, li, lbuf, sizeof(lbuf));
            if ((err = id_field(&lic, "id", "LineItem", true, a, &rl->line_external_id)))
                return err;
        } else if ((err = id_field(&lc, "line_item_id", NULL, true, a, &rl->line_external_id))) {
            return err;
        }
        if ((err = sb_json_int(&lc, "quantity", true, 0, 1000000, &rl->quantity, NULL)))
            return err;
        if ((err = text(&lc, K("restock_type", "restockType"), 64, &type)))
            return err;
        rl->restock = restock_from_type(type, legacy_restock);
        if ((err = money(&lc, d, K("subtotal", NULL), K("subtotal_set", "subtotalSet"), false,
                         false, &subtotal)))
            return err;
        if ((err = money(&lc, d, K("total_tax", NULL), K("total_tax_set", "totalTaxSet"), false,
                         false, &tax)))
            return err;
        if (!sb_money_add(subtotal, tax, &rl->amount))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s: amounts out of range", buf);
    }

    if ((err = get_list(rc, "transactions", d->gql, MAX_TRANSACTIONS, &l)))
        return err;
    for (size_t i = 0; i < list_size(&l); i++) {
        char buf[PATH_CAP];
        struct sb_jctx tc;
        const char *kind = NULL, *status = NULL;
        int64_t amount = 0;
        if ((err = list_item(&l, i, buf, sizeof(buf), &tc)))
            return err;
        if ((err = text(&tc, "kind", 64, &kind)) || (err = text(&tc, "status", 64, &status)))
            return err;
        if (!kind || strcasecmp(kind, "refund") != 0 || !is_success(status))
            continue;
        if ((err = money(&tc, d, K("amount", NULL), K("amount_set", "amountSet"), true, false,
                         &amount)))
            return err;
        if (!sb_money_add(r->amount, amount, &r->amount))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s: amounts out of range", buf);
    }
    return SB_OK;
}

static sb_err parse_refunds(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                            struct sb_order *o)
{
    struct list l;
    sb_err err = get_list(c, "refunds", false, MAX_REFUNDS, &l);
    if (err)
        return err;
    size_t n = list_size(&l);
    o->refunds = alloc_array(a, n, sizeof(*o->refunds));
    if (!o->refunds)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    o->n_refunds = n;
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP];
        struct sb_jctx rc;
        if ((err = list_item(&l, i, buf, sizeof(buf), &rc)))
            return err;
        if ((err = parse_refund(&rc, d, a, &o->refunds[i])))
            return err;
    }
    return SB_OK;
}

/* Fulfillments made on Shopify, with their tracking; cancelled and failed ones are
 * left out. */
static sb_err parse_fulfillments(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                                 struct sb_order *o)
{
    struct list l;
    sb_err err = get_list(c, "fulfillments", false, MAX_FULFILLMENTS, &l);
    if (err)
        return err;
    size_t n = list_size(&l);
    o->shipments = alloc_array(a, n, sizeof(*o->shipments));
    if (!o->shipments)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP];
        struct sb_jctx fc;
        const char *status = NULL;
        struct sb_order_shipment *s = &o->shipments[o->n_shipments];
        if ((err = list_item(&l, i, buf, sizeof(buf), &fc)))
            return err;
        if ((err = text(&fc, "status", 64, &status)))
            return err;
        if (status && (strcasecmp(status, "cancelled") == 0 || strcasecmp(status, "error") == 0 ||
                       strcasecmp(status, "failure") == 0))
            continue;
        if ((err = id_field(&fc, "id", K(NULL, "Fulfillment"), true, a, &s->external_id)))
            return err;
        if (d->gql) {
            struct list tl;
            if ((err = get_list(&fc, "trackingInfo", false, 20, &tl)))
                return err;
            if (list_size(&tl) > 0) {
                char tbuf[PATH_CAP];
                struct sb_jctx tc;
                if ((err = list_item(&tl, 0, tbuf, sizeof(tbuf), &tc)))
                    return err;
                if ((err = text(&tc, "number", TRACKING_MAX, &s->tracking_number)) ||
                    (err = text(&tc, "company", NAME_MAX_, &s->tracking_company)) ||
                    (err = text(&tc, "url", TRACKING_MAX, &s->tracking_url)))
                    return err;
            }
        } else {
            if ((err = text(&fc, "tracking_number", TRACKING_MAX, &s->tracking_number)) ||
                (err = text(&fc, "tracking_company", NAME_MAX_, &s->tracking_company)) ||
                (err = text(&fc, "tracking_url", TRACKING_MAX, &s->tracking_url)))
                return err;
            if (!s->tracking_number) {
                json_t *nums = NULL;
                if ((err = sb_json_array(&fc, "tracking_numbers", false, 20, &nums)))
                    return err;
                json_t *first = json_array_get(nums, 0);
                if (json_is_string(first) && json_string_length(first) > 0 &&
                    json_string_length(first) <= TRACKING_MAX)
                    s->tracking_number = json_string_value(first);
            }
        }
        o->n_shipments++;
    }
    return SB_OK;
}

static sb_err parse_address(struct sb_jctx *ac, const struct dialect *d, struct sb_arena *a,
                            struct sb_address *addr, const char **ret_first, const char **ret_last)
{
    sb_err err;
    const char *first = NULL, *last = NULL, *name = NULL, *region = NULL, *region_code = NULL,
               *country = NULL, *country_code = NULL;
    if ((err = text(ac, K("first_name", "firstName"), NAME_MAX_, &first)) ||
        (err = text(ac, K("last_name", "lastName"), NAME_MAX_, &last)) ||
        (err = text(ac, "name", NAME_MAX_, &name)) ||
        (err = text(ac, "company", NAME_MAX_, &addr->company)) ||
        (err = text(ac, "address1", NAME_MAX_, &addr->line1)) ||
        (err = text(ac, "address2", NAME_MAX_, &addr->line2)) ||
        (err = text(ac, "city", NAME_MAX_, &addr->city)) ||
        (err = text(ac, "province", NAME_MAX_, &region)) ||
        (err = text(ac, K("province_code", "provinceCode"), 16, &region_code)) ||
        (err = text(ac, "zip", 32, &addr->postcode)) ||
        (err = text(ac, "country", NAME_MAX_, &country)) ||
        (err = text(ac, K("country_code", "countryCodeV2"), 8, &country_code)) ||
        (err = text(ac, "phone", 64, &addr->phone)))
        return err;
    if ((err = trimmed(a, first, &first)) || (err = trimmed(a, last, &last)) ||
        (err = trimmed(a, name, &name)))
        return err;
    if (!name && (first || last)) {
        name = first && last ? sb_arena_printf(a, "%s %s", first, last) : first ? first : last;
        if (!name)
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    addr->name = name;
    addr->region = region_code ? region_code : region;
    addr->country = country_code ? country_code : country;
    if (ret_first)
        *ret_first = first;
    if (ret_last)
        *ret_last = last;
    return SB_OK;
}

/* The order note, then each note attribute (custom attribute) as a "name: value" line. */
static sb_err parse_note(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                         struct sb_order *o)
{
    const char *note = NULL;
    sb_err err = text(c, "note", NOTE_MAX, &note);
    if (err)
        return err;
    struct list l;
    if ((err = get_list(c, K("note_attributes", "customAttributes"), false, MAX_ATTRIBUTES, &l)))
        return err;
    size_t n = list_size(&l), total = note ? strlen(note) : 0;
    const char **names = alloc_array(a, n, sizeof(*names));
    const char **values = alloc_array(a, n, sizeof(*values));
    if (!names || !values)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[PATH_CAP];
        struct sb_jctx ac;
        if ((err = list_item(&l, i, buf, sizeof(buf), &ac)))
            return err;
        if ((err = text(&ac, K("name", "key"), NAME_MAX_, &names[i])) ||
            (err = text(&ac, "value", 1024, &values[i])))
            return err;
        if (names[i])
            total += strlen(names[i]) + (values[i] ? strlen(values[i]) : 0) + 3;
    }
    if (!total) {
        o->note = NULL;
        return SB_OK;
    }
    char *out = sb_arena_alloc(a, total + 1), *p = out;
    if (!out)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (note) {
        size_t len = strlen(note);
        memcpy(p, note, len);
        p += len;
    }
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        if (p != out)
            *p++ = '\n';
        size_t len = strlen(names[i]);
        memcpy(p, names[i], len);
        p += len;
        *p++ = ':';
        *p++ = ' ';
        if (values[i]) {
            len = strlen(values[i]);
            memcpy(p, values[i], len);
            p += len;
        }
    }
    *p = '\0';
    o->note = out;
    return SB_OK;
}

static enum sb_order_financial financial_from(const char *s)
{
    static const struct {
        const char *name;
        enum sb_order_financial f;
    } table[] = {
        { "pending", SB_FIN_PENDING },
        { "authorized", SB_FIN_AUTHORIZED },
        { "partially_paid", SB_FIN_PARTIALLY_PAID },
        { "paid", SB_FIN_PAID },
        { "partially_refunded", SB_FIN_PARTIALLY_REFUNDED },
        { "refunded", SB_FIN_REFUNDED },
        { "voided", SB_FIN_VOIDED },
        { "expired", SB_FIN_VOIDED },
    };
    for (size_t i = 0; s && i < sizeof(table) / sizeof(table[0]); i++)
        if (strcasecmp(s, table[i].name) == 0)
            return table[i].f;
    return SB_FIN_PENDING; /* unknown: record no payment */
}

static enum sb_order_fulfillment fulfillment_from(const char *s)
{
    if (!s)
        return SB_FUL_UNFULFILLED;
    if (strcasecmp(s, "fulfilled") == 0)
        return SB_FUL_FULFILLED;
    if (strcasecmp(s, "partial") == 0 || strcasecmp(s, "partially_fulfilled") == 0)
        return SB_FUL_PARTIAL;
    return SB_FUL_UNFULFILLED;
}

static sb_err time_field(struct sb_jctx *c, const char *key, int64_t *ret)
{
    const char *s = NULL;
    sb_err err = sb_json_str(c, key, true, 64, &s, NULL);
    if (err)
        return err;
    if (!sb_time_parse(s, ret)) {
        char pbuf[PATH_CAP];
        const char *path = fpath(c, key, pbuf, sizeof(pbuf));
        return sb_fail(SB_EINVALID_FIELD, path, "%s is not an ISO 8601 time", path);
    }
    return SB_OK;
}

static sb_err parse_people(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                           struct sb_order *o)
{
    sb_err err;
    const char *email = NULL, *phone = NULL;
    const char *c_first = NULL, *c_last = NULL, *c_email = NULL, *c_phone = NULL;
    const char *b_first = NULL, *b_last = NULL, *s_first = NULL, *s_last = NULL;
    if ((err = text(c, "email", EMAIL_MAX, &email)) || (err = text(c, "phone", 64, &phone)))
        return err;

    json_t *customer = NULL;
    if ((err = sb_json_object(c, "customer", false, &customer)))
        return err;
    if (customer) {
        char buf[PATH_CAP];
        struct sb_jctx cc = sb_jctx_child(c, "customer", -1, customer, buf, sizeof(buf));
        if ((err = text(&cc, K("first_name", "firstName"), NAME_MAX_, &c_first)) ||
            (err = text(&cc, K("last_name", "lastName"), NAME_MAX_, &c_last)))
            return err;
        if (d->gql) {
            /* GraphQL (2026-10): Customer.email and phone are deprecated for
             * defaultEmailAddress { emailAddress } and defaultPhoneNumber { phoneNumber } */
            json_t *em = NULL, *ph = NULL;
            if ((err = sb_json_object(&cc, "defaultEmailAddress", false, &em)) ||
                (err = sb_json_object(&cc, "defaultPhoneNumber", false, &ph)))
                return err;
            if (em) {
                char b2[PATH_CAP];
                struct sb_jctx ec =
                    sb_jctx_child(&cc, "defaultEmailAddress", -1, em, b2, sizeof(b2));
                if ((err = text(&ec, "emailAddress", EMAIL_MAX, &c_email)))
                    return err;
            }
            if (ph) {
                char b2[PATH_CAP];
                struct sb_jctx pc =
                    sb_jctx_child(&cc, "defaultPhoneNumber", -1, ph, b2, sizeof(b2));
                if ((err = text(&pc, "phoneNumber", 64, &c_phone)))
                    return err;
            }
        } else if ((err = text(&cc, "email", EMAIL_MAX, &c_email)) ||
                   (err = text(&cc, "phone", 64, &c_phone))) {
            return err;
        }
        if ((err = trimmed(a, c_first, &c_first)) || (err = trimmed(a, c_last, &c_last)))
            return err;
    }

    json_t *billing = NULL, *shipping = NULL;
    if (!d->gql && (err = sb_json_object(c, "billing_address", false, &billing)))
        return err;
    if (billing) {
        char buf[PATH_CAP];
        struct sb_address ignored = { 0 };
        struct sb_jctx bc = sb_jctx_child(c, "billing_address", -1, billing, buf, sizeof(buf));
        if ((err = parse_address(&bc, d, a, &ignored, &b_first, &b_last)))
            return err;
    }
    const char *skey = K("shipping_address", "shippingAddress");
    if ((err = sb_json_object(c, skey, false, &shipping)))
        return err;
    if (shipping) {
        char buf[PATH_CAP];
        struct sb_jctx sc = sb_jctx_child(c, skey, -1, shipping, buf, sizeof(buf));
        if ((err = parse_address(&sc, d, a, &o->ship_to, &s_first, &s_last)))
            return err;
        o->has_ship_to = true;
    }

    /* The order's own email first; a customer record's when the order has none. */
    if ((err = trimmed(a, email ? email : c_email, &o->email)))
        return err;
    if (c_first || c_last) {
        o->first_name = c_first;
        o->last_name = c_last;
    } else if (b_first || b_last) {
        o->first_name = b_first;
        o->last_name = b_last;
    } else {
        o->first_name = s_first;
        o->last_name = s_last;
    }
    o->phone = phone ? phone : c_phone ? c_phone : o->ship_to.phone;
    if (o->has_ship_to)
        o->ship_to.email = o->email;
    return SB_OK;
}

static sb_err parse_gateway(struct sb_jctx *c, const struct dialect *d, struct sb_order *o)
{
    json_t *names = NULL;
    sb_err err = sb_json_array(c, K("payment_gateway_names", "paymentGatewayNames"), false,
                               MAX_GATEWAYS, &names);
    if (err)
        return err;
    json_t *first = json_array_get(names, 0);
    if (first) {
        char pbuf[PATH_CAP];
        snprintf(pbuf, sizeof(pbuf), "%s[0]", K("payment_gateway_names", "paymentGatewayNames"));
        if (!json_is_string(first) || json_string_length(first) > NAME_MAX_ ||
            strlen(json_string_value(first)) != json_string_length(first))
            return sb_fail(SB_EINVALID_FIELD, pbuf, "%s must be a gateway name", pbuf);
        if (json_string_length(first) > 0) {
            o->gateway = json_string_value(first);
            return SB_OK;
        }
    }
    if (!d->gql)
        return text(c, "gateway", NAME_MAX_, &o->gateway);
    return SB_OK;
}

static sb_err parse_totals(struct sb_jctx *c, const struct dialect *d, struct sb_order *o)
{
    sb_err err;
    bool has_outstanding = false, has_shipping = false;
    o->total_outstanding = INT64_MIN;
    o->total_shipping = INT64_MIN;
    if ((err = money(c, d, K("subtotal_price", NULL), K("subtotal_price_set", "subtotalPriceSet"),
                     false, false, &o->subtotal)) ||
        (err =
             money(c, d, K("total_discounts", NULL), K("total_discounts_set", "totalDiscountsSet"),
                   false, false, &o->total_discounts)) ||
        (err = money(c, d, K("total_tax", NULL), K("total_tax_set", "totalTaxSet"), false, false,
                     &o->total_tax)) ||
        (err = money(c, d, NULL, K("total_shipping_price_set", "totalShippingPriceSet"), false,
                     false, &o->total_shipping)) ||
        (err = money(c, d, K("total_price", NULL), K("total_price_set", "totalPriceSet"), true,
                     false, &o->total_price)) ||
        (err = money(c, d, K("total_outstanding", NULL),
                     K("total_outstanding_set", "totalOutstandingSet"), false, true,
                     &o->total_outstanding)))
        return err;
    has_outstanding = o->total_outstanding != INT64_MIN;
    has_shipping = o->total_shipping != INT64_MIN;
    if (!has_shipping) {
        /* Not in every payload: the shipping lines' prices less their discounts. */
        o->total_shipping = 0;
        for (size_t i = 0; i < o->n_shipping; i++) {
            int64_t net = o->shipping[i].price - o->shipping[i].discount;
            if (!sb_money_add(o->total_shipping, net, &o->total_shipping))
                return sb_fail(SB_EINVALID_FIELD, "shipping_lines", "shipping out of range");
        }
    }
    if (!has_outstanding) {
        /* Older payloads: nothing outstanding once paid, everything before. */
        bool settled = o->financial == SB_FIN_PAID || o->financial == SB_FIN_PARTIALLY_REFUNDED ||
                       o->financial == SB_FIN_REFUNDED;
        o->total_outstanding = settled ? 0 : o->total_price;
    }
    return SB_OK;
}

static bool same_text(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

/* Takes from *left what the lines and shipping carry of tax (title, rate); adds them all to
 * *all. False when a sum leaves the money range. */
static bool take_allocated(const struct sb_order_tax *t, size_t n, const char *title,
                           const char *rate, int64_t *left)
{
    for (size_t i = 0; i < n; i++)
        if (same_text(t[i].title, title) && same_text(t[i].rate, rate) &&
            !sb_money_add(*left, -t[i].amount, left))
            return false;
    return true;
}

static bool add_taxes(const struct sb_order_tax *t, size_t n, int64_t *sum)
{
    for (size_t i = 0; i < n; i++)
        if (!sb_money_add(*sum, t[i].amount, sum))
            return false;
    return true;
}

/*
 * O4: the order-level taxes and discounts no line or shipping line carries. Shopify's
 * order tax_lines sum every tax of the order by title and rate; what is left of each once
 * the lines' and shipping's own are taken away belongs to the order alone (an order placed
 * with its taxes on the order). Of total_tax, what no tax line names at all is one more
 * order-level "Tax"; of total_discounts, what no allocation carries is an order-level
 * discount named after the order's discount code. Run after the lines, shipping and totals.
 */
static sb_err unallocated(struct sb_jctx *c, const struct dialect *d, struct sb_arena *a,
                          struct sb_order *o)
{
    struct sb_order_tax *listed = NULL;
    size_t n_listed = 0;
    sb_err err = parse_taxes(c, d, a, &listed, &n_listed);
    if (err)
        return err;
    o->order_taxes = alloc_array(a, n_listed + 1, sizeof(*o->order_taxes));
    o->order_discounts = alloc_array(a, 1, sizeof(*o->order_discounts));
    if (!o->order_taxes || !o->order_discounts)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    bool ok = true;
    int64_t allocated = 0, named = 0, disc = 0;
    for (size_t i = 0; ok && i < o->n_lines; i++)
        ok = add_taxes(o->lines[i].taxes, o->lines[i].n_taxes, &allocated) &&
             sb_money_add(disc, o->lines[i].discount, &disc);
    for (size_t i = 0; ok && i < o->n_shipping; i++)
        ok = add_taxes(o->shipping[i].taxes, o->shipping[i].n_taxes, &allocated) &&
             sb_money_add(disc, o->shipping[i].discount, &disc);
    for (size_t i = 0; ok && i < n_listed; i++) {
        int64_t left = listed[i].amount;
        for (size_t l = 0; ok && l < o->n_lines; l++)
            ok = take_allocated(o->lines[l].taxes, o->lines[l].n_taxes, listed[i].title,
                                listed[i].rate, &left);
        for (size_t l = 0; ok && l < o->n_shipping; l++)
            ok = take_allocated(o->shipping[l].taxes, o->shipping[l].n_taxes, listed[i].title,
                                listed[i].rate, &left);
        if (ok && left > 0) {
            o->order_taxes[o->n_order_taxes] = listed[i];
            o->order_taxes[o->n_order_taxes++].amount = left;
            ok = sb_money_add(named, left, &named);
        }
    }
    int64_t carried = 0;
    if (!ok || !sb_money_add(allocated, named, &carried))
        return sb_fail(SB_EINVALID_FIELD, K("tax_lines", "taxLines"),
                       "the order's taxes add up beyond range");
    if (o->total_tax > carried)
        o->order_taxes[o->n_order_taxes++] =
            (struct sb_order_tax){ .title = "Tax", .amount = o->total_tax - carried };
    if (o->total_discounts > disc)
        o->order_discounts[o->n_order_discounts++] = (struct sb_order_discount){
            .code = o->n_discounts && o->discounts[0].code ? o->discounts[0].code : "Discount",
            .amount = o->total_discounts - disc
        };
    return SB_OK;
}

static sb_err parse_order(json_t *obj, const struct dialect *d, struct sb_arena *a,
                          struct sb_order **ret)
{
    if (!json_is_object(obj))
        return sb_fail(SB_EINVALID_FIELD, "order", "the order must be a JSON object");
    struct sb_jctx c = { .obj = obj, .prefix = NULL };
    struct sb_order *o = sb_arena_alloc(a, sizeof(*o));
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err;

    if (d->gql) {
        if ((err = id_field(&c, "legacyResourceId", NULL, false, a, &o->external_id)))
            return err;
        if (!o->external_id && (err = id_field(&c, "id", "Order", true, a, &o->external_id)))
            return err;
    } else if ((err = id_field(&c, "id", NULL, true, a, &o->external_id))) {
        return err;
    }

    if ((err = text(&c, "name", 64, &o->number)))
        return err;
    if (!o->number && !d->gql) {
        int64_t number = 0;
        bool has = false;
        if ((err = sb_json_int(&c, "order_number", false, 1, INT64_MAX, &number, &has)))
            return err;
        if (has && !(o->number = sb_arena_printf(a, "#%lld", (long long)number)))
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (!o->number)
        o->number = o->external_id;

    const char *ckey = K("currency", "currencyCode");
    if ((err = text(&c, ckey, 8, &o->currency)))
        return err;
    if (!o->currency) {
        json_t *set = json_object_get(obj, K("total_price_set", "totalPriceSet"));
        json_t *sm = json_object_get(set, K("shop_money", "shopMoney"));
        json_t *cc = json_object_get(sm, K("currency_code", "currencyCode"));
        o->currency = json_string_value(cc);
    }
    if (!o->currency)
        return sb_fail(SB_EMISSING_FIELD, ckey, "%s is required", ckey);
    /* from here on, money is read in the currency's own minor unit */
    struct dialect in_currency = *d;
    in_currency.exponent = sb_currency_exponent(o->currency);
    if (in_currency.exponent < 0)
        return sb_fail(SB_EINVALID_FIELD, ckey, "%s must be an ISO 4217 currency code", ckey);
    d = &in_currency;

    if ((err = time_field(&c, K("created_at", "createdAt"), &o->created_at)) ||
        (err = time_field(&c, K("updated_at", "updatedAt"), &o->updated_at)))
        return err;

    if ((err = parse_people(&c, d, a, o)))
        return err;

    const char *fin = NULL, *ful = NULL, *cancelled_at = NULL;
    if ((err = text(&c, K("financial_status", "displayFinancialStatus"), 64, &fin)) ||
        (err = text(&c, K("fulfillment_status", "displayFulfillmentStatus"), 64, &ful)) ||
        (err = text(&c, K("cancelled_at", "cancelledAt"), 64, &cancelled_at)) ||
        (err = text(&c, K("cancel_reason", "cancelReason"), 64, &o->cancel_reason)))
        return err;
    o->financial = financial_from(fin);
    o->channel_status = fin;
    o->fulfillment = fulfillment_from(ful);
    o->cancelled = cancelled_at != NULL;
    if ((err = sb_json_bool(&c, K("taxes_included", "taxesIncluded"), false, &o->taxes_included,
                            NULL)))
        return err;
    if ((err = parse_gateway(&c, d, o)) || (err = parse_note(&c, d, a, o)))
        return err;

    struct list l;
    if ((err = get_list(&c, K("line_items", "lineItems"), d->gql, SB_SHOPIFY_MAX_LINES, &l)))
        return err;
    o->n_lines = list_size(&l);
    if (o->n_lines == 0) {
        const char *key = K("line_items", "lineItems");
        return sb_fail(SB_EMISSING_FIELD, key, "%s must hold at least one line", key);
    }
    o->lines = alloc_array(a, o->n_lines, sizeof(*o->lines));
    if (!o->lines)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < o->n_lines; i++) {
        char buf[PATH_CAP];
        struct sb_jctx lc;
        if ((err = list_item(&l, i, buf, sizeof(buf), &lc)))
            return err;
        if ((err = parse_line(&lc, d, a, &o->lines[i])))
            return err;
    }

    if ((err = parse_shipping(&c, d, a, o)))
        return err;
    if ((err = d->gql ? parse_gql_discount_codes(&c, a, o) : parse_discount_codes(&c, a, o)))
        return err;
    if ((err = parse_payments(&c, d, a, o)) || (err = parse_refunds(&c, d, a, o)) ||
        (err = parse_fulfillments(&c, d, a, o)))
        return err;
    if ((err = parse_totals(&c, d, o)) || (err = unallocated(&c, d, a, o)))
        return err;
    *ret = o;
    return SB_OK;
}

sb_err sb_shopify_parse_rest_order(json_t *obj, struct sb_arena *a, struct sb_order **ret)
{
    static const struct dialect rest = { .gql = false };
    return parse_order(obj, &rest, a, ret);
}

sb_err sb_shopify_parse_gql_order(json_t *node, struct sb_arena *a, struct sb_order **ret)
{
    static const struct dialect gql = { .gql = true };
    return parse_order(node, &gql, a, ret);
}
