/*
 * The Shopify channel: webhooks in (HMAC-checked before anything is parsed),
 * orders read from REST-shaped webhook bodies and from Admin GraphQL nodes
 * into the normalized order (order.h), polling by updated_at, and
 * fulfillments and cancellations pushed back through GraphQL within the
 * shop's cost budget.
 *
 * One parser serves both shapes of an order. They carry the same facts
 * under different names (snake_case and camelCase, "price" and
 * "originalUnitPriceSet", integer ids and gids), so the parser asks a small
 * dialect for names and branches only where the structure differs.
 *
 * Everything from Shopify is treated as hostile: types are checked, every
 * list and string is bounded, money is parsed from decimal text into minor
 * units, and ids stay text (they outgrow a double). A bad field fails the
 * whole order with its path ("line_items[3].price"), which the pipeline
 * records as the reason (SPEC O10).
 */
#include "channel/shopify.h"

#include "core/money.h"
#include "util/http-client.h"
#include "util/jsonx.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
#define MAX_BODY           ((size_t)16 << 20)
#define REAL_MONEY_MAX     1e9 /* amounts sent as JSON numbers: beyond this a double is not exact */

/* ---------------------------------------------------------------- helpers */

static void json_decref_cb(void *p)
{
    json_decref(p);
}

/* Parses text as a JSON object whose lifetime is the arena's. */
static sb_err load_object(const char *text, size_t len, const char *what, struct sb_arena *a,
                          json_t **ret)
{
    if (!text)
        return sb_fail(SB_EINVALID_JSON, NULL, "%s is empty", what);
    if (len > MAX_BODY)
        return sb_fail(SB_ETOO_LARGE, NULL, "%s is larger than %zu bytes", what, MAX_BODY);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return sb_fail(SB_EINVALID_JSON, NULL, "%s is not valid JSON: %s at line %d", what,
                       jerr.text, jerr.line);
    if (!sb_arena_defer(a, json_decref_cb, root))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (!json_is_object(root))
        return sb_fail(SB_EINVALID_JSON, NULL, "%s is not a JSON object", what);
    *ret = root;
    return SB_OK;
}

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

static bool all_digits(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return false;
    return n > 0 && n <= max && !(n > 1 && s[0] == '0') && strcmp(s, "0") != 0;
}

/* A REST id: a positive JSON integer (int64 in jansson, never a double) or a string of
 * digits. */
static sb_err id_value(json_t *v, const char *path, struct sb_arena *a, const char **ret)
{
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        char *s = sb_arena_printf(a, "%lld", (long long)json_integer_value(v));
        if (!s)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        *ret = s;
        return SB_OK;
    }
    if (json_is_string(v) && all_digits(json_string_value(v), 20)) {
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
    return id_value(v, path, a, ret);
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
    return gql_type ? gid_value(v, path, gql_type, a, ret) : id_value(v, path, a, ret);
}

/* Money: decimal text ("199.00", at most 2 decimals), an integer, or - where Shopify
 * sends a JSON number (refund line subtotals) - a number that is exact in cents. */
static sb_err money_value(json_t *v, const char *path, bool allow_negative, int64_t *ret)
{
    int64_t cents;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!sb_money_parse(s, &cents)) {
            const char *dot = strchr(s, '.');
            if (dot && strspn(dot + 1, "0123456789") > 2 && !dot[1 + strspn(dot + 1, "0123456789")])
                return sb_fail(SB_EINVALID_FIELD, path,
                               "%s has more than 2 decimals (\"%.32s\"): currencies with 3 "
                               "decimals are not supported",
                               path, s);
            return sb_fail(SB_EINVALID_FIELD, path, "%s is not an amount (\"%.32s\")", path, s);
        }
    } else if (json_is_integer(v)) {
        if (!sb_money_mul(json_integer_value(v), 100, &cents))
            return sb_fail(SB_EINVALID_FIELD, path, "%s is too large", path);
    } else if (json_is_real(v)) {
        double x = json_real_value(v);
        if (!isfinite(x) || fabs(x) > REAL_MONEY_MAX)
            return sb_fail(SB_EINVALID_FIELD, path, "%s is out of range", path);
        double c = x * 100.0;
        cents = llround(c);
        if (fabs(c - (double)cents) > 1e-3)
            return sb_fail(SB_EINVALID_FIELD, path, "%s has more than 2 decimals", path);
    } else {
        return sb_fail(SB_EINVALID_FIELD, path, "%s must be an amount", path);
    }
    if (cents < 0 && !allow_negative)
        return sb_fail(SB_EINVALID_FIELD, path, "%s must not be negative", path);
    *ret = cents;
    return SB_OK;
}

/* ---------------------------------------------------------------- dialects */

/* The two shapes of an order: REST (webhook bodies) and GraphQL (polls, fetches). */
struct dialect {
    bool gql;
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
        return money_value(v, fpath(c, plain, pbuf, sizeof(pbuf)), allow_negative, ret);
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
    return money_value(amount, pbuf, allow_negative, ret);
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
    const struct dialect rest = { false }, *d = &rest;
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
            (err = text(&cc, K("last_name", "lastName"), NAME_MAX_, &c_last)) ||
            (err = text(&cc, "email", EMAIL_MAX, &c_email)) ||
            (err = text(&cc, "phone", 64, &c_phone)))
            return err;
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
    if (!sb_currency_valid(o->currency))
        return sb_fail(SB_EINVALID_FIELD, ckey, "%s must be an ISO 4217 code", ckey);

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
    if (!d->gql && (err = parse_discount_codes(&c, a, o)))
        return err;
    if ((err = parse_payments(&c, d, a, o)) || (err = parse_refunds(&c, d, a, o)) ||
        (err = parse_fulfillments(&c, d, a, o)))
        return err;
    if ((err = parse_totals(&c, d, o)))
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

/* ---------------------------------------------------------------- payment types */

/* Words of a gateway name, lower case, separated by anything not a letter or digit. */
static bool has_word(const char *norm, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = norm; (p = strstr(p, word)); p++) {
        bool start = p == norm || !isalnum((unsigned char)p[-1]);
        bool end = !isalnum((unsigned char)p[n]);
        if (start && end)
            return true;
    }
    return false;
}

const char *sb_shopify_payment_type(const char *gateway, bool *ret_integrated)
{
    /* Gateways that are payment processors Shopify settles with: named after them (P1). */
    static const struct {
        const char *gateway, *name;
    } known[] = {
        { "shopify_payments", "Shopify Payments" },
        { "stripe", "Stripe" },
        { "paypal", "PayPal" },
        { "paypal_express", "PayPal" },
        { "paypal_express_checkout", "PayPal" },
        { "braintree", "Braintree" },
        { "authorize_net", "Authorize.Net" },
        { "authorize.net", "Authorize.Net" },
        { "adyen", "Adyen" },
        { "klarna", "Klarna" },
        { "afterpay", "Afterpay" },
        { "affirm", "Affirm" },
        { "amazon_payments", "Amazon Pay" },
        { "amazon_pay", "Amazon Pay" },
        { "square", "Square" },
        { "mollie", "Mollie" },
        { "worldpay", "Worldpay" },
        { "shop_pay_installments", "Shop Pay Installments" },
        { "shopify_installments", "Shop Pay Installments" },
        { "gift_card", "Gift Card" },
        { "lightspeed_payments", "Lightspeed Payments" },
        { "bogus", "Shopify" }, /* Shopify's test gateway */
    };
    bool integrated = true;
    const char *name = gateway;
    char norm[128];
    size_t n = 0;
    const char *s = gateway ? gateway : "";
    while (isspace((unsigned char)*s))
        s++;
    for (; *s && n + 1 < sizeof(norm); s++)
        norm[n++] = *s == ' ' || *s == '-' ? '_' : (char)tolower((unsigned char)*s);
    while (n && norm[n - 1] == '_')
        n--;
    norm[n] = '\0';

    if (n == 0) {
        name = "Shopify";
    } else {
        size_t i = 0;
        for (; i < sizeof(known) / sizeof(known[0]); i++)
            if (strcmp(norm, known[i].gateway) == 0)
                break;
        if (i < sizeof(known) / sizeof(known[0])) {
            name = known[i].name;
        } else if (strstr(norm, "manual") || strstr(norm, "bank") || strstr(norm, "money_order") ||
                   strstr(norm, "moneyorder") || strstr(norm, "cash") || has_word(norm, "cod") ||
                   has_word(norm, "cheque") || has_word(norm, "check")) {
            /* Confirmed offline, later: the sale comes down unpaid (P3). */
            integrated = false;
        }
    }
    if (ret_integrated)
        *ret_integrated = integrated;
    return name;
}

/* ---------------------------------------------------------------- throttling */

uint64_t sb_shopify_throttle_wait_ms(double requested, double available, double restore_rate)
{
    if (!isfinite(requested) || !isfinite(available) || !isfinite(restore_rate) ||
        restore_rate <= 0 || requested < 0)
        return 1000;
    double deficit = requested - available;
    if (deficit <= 0)
        return 0;
    double ms = ceil(deficit * 1000.0 / restore_rate);
    return ms >= SB_SHOPIFY_MAX_WAIT_MS ? SB_SHOPIFY_MAX_WAIT_MS : (uint64_t)ms;
}

uint64_t sb_shopify_retry_after_ms(const char *retry_after)
{
    if (!retry_after)
        return 1000;
    const char *s = retry_after;
    while (*s == ' ')
        s++;
    if (!*s)
        return 1000;
    uint64_t ms = 0;
    bool seen_digit = false;
    for (; *s >= '0' && *s <= '9'; s++) {
        seen_digit = true;
        ms = ms * 10 + (uint64_t)(*s - '0') * 1000;
        if (ms >= SB_SHOPIFY_MAX_WAIT_MS)
            return SB_SHOPIFY_MAX_WAIT_MS;
    }
    if (*s == '.') { /* Shopify sends "2.0" */
        s++;
        if (*s >= '0' && *s <= '9')
            ms += (uint64_t)(*s - '0') * 100;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    while (*s == ' ')
        s++;
    if (!seen_digit || *s)
        return 1000; /* an HTTP date or garbage: wait a second */
    return ms > SB_SHOPIFY_MAX_WAIT_MS ? SB_SHOPIFY_MAX_WAIT_MS : ms;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---------------------------------------------------------------- poll cursor */

sb_err sb_shopify_cursor_parse(const char *s, struct sb_arena *a, struct sb_shopify_cursor *ret)
{
    struct sb_shopify_cursor c = { 0 };
    if (!s || !*s) {
        *ret = c;
        return SB_OK;
    }
    if (strlen(s) > 4096)
        return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is too long");
    const char *bar = strchr(s, '|');
    char part[SB_TIME_LEN + 16];
    size_t n = bar ? (size_t)(bar - s) : strlen(s);
    if (n >= sizeof(part))
        return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
    memcpy(part, s, n);
    part[n] = '\0';
    if (n && !sb_time_parse(part, &c.since))
        return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
    if (bar) {
        const char *m = bar + 1, *bar2 = strchr(m, '|');
        if (!bar2)
            return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
        n = (size_t)(bar2 - m);
        if (n >= sizeof(part))
            return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
        memcpy(part, m, n);
        part[n] = '\0';
        if (n && !sb_time_parse(part, &c.max))
            return sb_fail(SB_EINVALID_FIELD, "cursor", "the poll cursor is not valid");
        if (bar2[1] && !(c.after = sb_arena_strdup(a, bar2 + 1)))
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    *ret = c;
    return SB_OK;
}

const char *sb_shopify_cursor_format(const struct sb_shopify_cursor *c, struct sb_arena *a)
{
    char since[SB_TIME_LEN] = "", max[SB_TIME_LEN] = "";
    if (c->since)
        sb_time_format(c->since, since, sizeof(since));
    if (!c->after)
        return sb_arena_strdup(a, since);
    if (c->max)
        sb_time_format(c->max, max, sizeof(max));
    return sb_arena_printf(a, "%s|%s|%s", since, max, c->after);
}

/* ---------------------------------------------------------------- GraphQL transport */

#define AMOUNT    "{ shopMoney { amount } }"
#define MONEY     "{ shopMoney { amount currencyCode } }"
#define TAX_LINES "taxLines { title rate priceSet " AMOUNT " }"
#define ORDER_FIELDS                                                                      \
    "id legacyResourceId name email phone createdAt updatedAt cancelledAt cancelReason "  \
    "displayFinancialStatus displayFulfillmentStatus currencyCode taxesIncluded note "    \
    "customAttributes { key value } paymentGatewayNames "                                 \
    "subtotalPriceSet " MONEY " totalDiscountsSet " MONEY " totalTaxSet " MONEY           \
    " totalShippingPriceSet " MONEY " totalPriceSet " MONEY " totalOutstandingSet " MONEY \
    " customer { firstName lastName email phone } "                                       \
    "shippingAddress { firstName lastName name company address1 address2 city province "  \
    "provinceCode zip country countryCodeV2 phone } "                                     \
    "shippingLine { title code originalPriceSet " AMOUNT " discountedPriceSet " AMOUNT    \
    " " TAX_LINES " } "                                                                   \
    "lineItems(first: 250) { nodes { id sku name title variantTitle quantity "            \
    "requiresShipping variant { barcode } originalUnitPriceSet " AMOUNT                   \
    " discountAllocations { allocatedAmountSet " AMOUNT " } " TAX_LINES " } } "           \
    "transactions(first: 50) { id gateway kind status amountSet " AMOUNT " } "            \
    "refunds(first: 50) { id note refundLineItems(first: 250) { nodes { lineItem { id } " \
    "quantity restockType subtotalSet " AMOUNT " totalTaxSet " AMOUNT " } } "             \
    "transactions(first: 20) { nodes { kind status amountSet " AMOUNT " } } } "           \
    "fulfillments(first: 20) { id status trackingInfo { number company url } }"

static const char q_orders[] =
    "query SbOrders($first: Int!, $after: String, $query: String) { orders(first: $first, "
    "after: $after, query: $query, sortKey: UPDATED_AT) { pageInfo { hasNextPage endCursor } "
    "nodes { " ORDER_FIELDS " } } }";
static const char q_order[] = "query SbOrder($id: ID!) { order(id: $id) { " ORDER_FIELDS " } }";
static const char q_fulfillment_orders[] =
    "query SbFulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 20) { "
    "nodes { id status lineItems(first: 250) { nodes { id remainingQuantity lineItem { id } } } "
    "} } } }";
static const char m_fulfillment_create[] =
    "mutation SbFulfillmentCreate($fulfillment: FulfillmentInput!) { "
    "fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status trackingInfo { "
    "number company url } } userErrors { field message } } }";
static const char m_order_cancel[] =
    "mutation SbOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!, "
    "$notifyCustomer: Boolean, $refund: Boolean!) { orderCancel(orderId: $orderId, reason: "
    "$reason, restock: $restock, notifyCustomer: $notifyCustomer, refund: $refund) { job { id "
    "done } orderCancelUserErrors { field message code } } }";

static const char *cred(const struct sb_channel *ch, const char *key)
{
    json_t *v = json_object_get(ch->credentials, key);
    const char *s = json_string_value(v);
    return s && *s && strlen(s) == json_string_length(v) ? s : NULL;
}

static bool valid_domain(const char *s)
{
    if (!s || !*s || strlen(s) > 255)
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '.' || *s == '-'))
            return false;
    return true;
}

/* Where the Admin API lives: the channel's base_url, the credentials' base_url, or the
 * shop's own domain over https. */
static sb_err api_url(const struct sb_channel *ch, struct sb_arena *a, const char **ret)
{
    const char *base = ch->base_url && *ch->base_url ? ch->base_url : cred(ch, "base_url");
    char *url;
    if (base) {
        if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0)
            return sb_fail(SB_EINVALID_FIELD, "credentials.base_url",
                           "base_url must start with http:// or https://");
        size_t n = strlen(base);
        while (n && base[n - 1] == '/')
            n--;
        url = sb_arena_printf(a, "%.*s/admin/api/" SB_SHOPIFY_API_VERSION "/graphql.json", (int)n,
                              base);
    } else {
        const char *domain = cred(ch, "shop_domain");
        if (!domain)
            return sb_fail(SB_EMISSING_FIELD, "credentials.shop_domain",
                           "the channel's credentials have no shop_domain");
        if (!valid_domain(domain))
            return sb_fail(SB_EINVALID_FIELD, "credentials.shop_domain",
                           "shop_domain must be a host name (demo.myshopify.com)");
        url = sb_arena_printf(a, "https://%s/admin/api/" SB_SHOPIFY_API_VERSION "/graphql.json",
                              domain);
    }
    if (!url)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = url;
    return SB_OK;
}

static bool is_throttled(json_t *errors)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *code =
            json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
        if (code && strcmp(code, "THROTTLED") == 0)
            return true;
    }
    return false;
}

static uint64_t throttle_wait(json_t *root)
{
    json_t *cost = json_object_get(json_object_get(root, "extensions"), "cost");
    json_t *ts = json_object_get(cost, "throttleStatus");
    json_t *req = json_object_get(cost, "requestedQueryCost");
    json_t *avail = json_object_get(ts, "currentlyAvailable");
    json_t *rate = json_object_get(ts, "restoreRate");
    if (!json_is_number(req) || !json_is_number(avail) || !json_is_number(rate))
        return 1000;
    return sb_shopify_throttle_wait_ms(json_number_value(req), json_number_value(avail),
                                       json_number_value(rate));
}

/* The first message of a GraphQL "errors" member: an array of {message} or, on 401, a
 * bare string. */
static const char *first_error(json_t *errors)
{
    if (json_is_string(errors))
        return json_string_value(errors);
    const char *m = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
    return m ? m : "unknown error";
}

/*
 * Runs one GraphQL operation and returns its "data" object (alive as long as the
 * arena). Throttling (THROTTLED, or HTTP 429) waits as Shopify asks and retries, at most
 * SB_SHOPIFY_MAX_RETRIES times, then SB_EBUSY.
 */
static sb_err gql(const struct sb_channel *ch, struct sb_arena *a, const char *operation,
                  const char *query, json_t *variables, json_t **ret_data)
{
    const char *url = NULL, *token = cred(ch, "access_token");
    sb_err err;
    if (!token) {
        json_decref(variables);
        return sb_fail(SB_EMISSING_FIELD, "credentials.access_token",
                       "the channel's credentials have no access_token");
    }
    if ((err = api_url(ch, a, &url))) {
        json_decref(variables);
        return err;
    }
    json_t *req = json_pack("{s:s, s:s, s:o}", "query", query, "operationName", operation,
                            "variables", variables ? variables : json_object());
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body || !sb_arena_defer(a, free, body))
        return sb_fail(SB_ENOMEM, NULL, NULL);

    const struct sb_http_header headers[] = { { "X-Shopify-Access-Token", token } };
    for (int attempt = 0;; attempt++) {
        struct sb_http_request hreq = {
            .url = url,
            .headers = headers,
            .n_headers = 1,
            .body = body,
            .body_len = strlen(body),
            .max_response = MAX_BODY /* a page of 50 orders of 250 lines is large */
        };
        struct sb_http_response resp;
        if ((err = sb_http_post_json(&hreq, &resp)))
            return err;
        uint64_t wait = 0;
        bool retry = false;
        json_t *root = NULL;
        if (resp.status == 401 || resp.status == 403) {
            err = sb_fail(SB_EUNAUTHORIZED, "credentials",
                          "Shopify refused the channel's credentials (HTTP %ld): check the "
                          "access token",
                          resp.status);
        } else if (resp.status == 429) {
            retry = true;
            wait = sb_shopify_retry_after_ms(resp.retry_after);
        } else if (resp.status >= 500) {
            err = sb_fail(SB_EIO, NULL, "Shopify answered HTTP %ld to %s", resp.status, operation);
        } else if (resp.status != 200) {
            err = sb_fail(SB_EIO, NULL, "Shopify answered HTTP %ld to %s", resp.status, operation);
        } else if ((err = load_object(resp.body, resp.len, "Shopify's answer", a, &root))) {
            err = sb_fail(SB_EIO, NULL, "Shopify's answer to %s is not a JSON object", operation);
        } else {
            json_t *errors = json_object_get(root, "errors");
            json_t *data = json_object_get(root, "data");
            if (json_is_array(errors) && is_throttled(errors)) {
                retry = true;
                wait = throttle_wait(root);
            } else if (errors && !json_is_null(errors) &&
                       (!json_is_array(errors) || json_array_size(errors) > 0)) {
                err = sb_fail(SB_EIO, NULL, "Shopify refused %s: %.200s", operation,
                              first_error(errors));
            } else if (!json_is_object(data)) {
                err = sb_fail(SB_EIO, NULL, "Shopify's answer to %s has no data", operation);
            } else {
                *ret_data = data;
            }
        }
        sb_http_response_free(&resp);
        if (!retry)
            return err;
        if (attempt >= SB_SHOPIFY_MAX_RETRIES)
            return sb_fail(SB_EBUSY, NULL,
                           "Shopify is throttling %s: still over the cost budget after %d "
                           "retries",
                           operation, SB_SHOPIFY_MAX_RETRIES);
        sleep_ms(wait);
    }
}

static sb_err order_gid(const char *external_id, struct sb_arena *a, const char **ret)
{
    if (!external_id || !all_digits(external_id, 20))
        return sb_fail(SB_EINVALID_FIELD, "external_id", "a Shopify order id is a number");
    char *gid = sb_arena_printf(a, "gid://shopify/Order/%s", external_id);
    if (!gid)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    *ret = gid;
    return SB_OK;
}

/* ---------------------------------------------------------------- the ops */

static const char *const topics[] = {
    "orders/create",    "orders/updated", "orders/paid",
    "orders/cancelled", "refunds/create", "fulfillments/create",
};

static bool known_topic(const char *t)
{
    for (size_t i = 0; t && i < sizeof(topics) / sizeof(topics[0]); i++)
        if (strcmp(t, topics[i]) == 0)
            return true;
    return false;
}

static bool is_order_topic(const char *t)
{
    return t && strncmp(t, "orders/", 7) == 0;
}

static bool printable_token(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] <= ' ' || s[n] > '~')
            return false;
    return n > 0 && n <= max;
}

static sb_err shopify_verify_webhook(const struct sb_channel *ch, const struct sb_webhook *wh,
                                     struct sb_arena *a, struct sb_event_info *ret)
{
    const char *secret = cred(ch, "webhook_secret");
    if (!secret)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the channel has no webhook secret to verify with");
    const char *sig = wh->header(wh->ud, "X-Shopify-Hmac-Sha256");
    if (!sig || !*sig)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook has no X-Shopify-Hmac-Sha256 header");

    /* Decode what was sent, compute ours over the raw bytes, compare in constant time. */
    unsigned char sent[64], mac[EVP_MAX_MD_SIZE];
    size_t sent_len = 0;
    unsigned int mac_len = 0;
    static const unsigned char empty[1];
    if (strlen(sig) > 88 ||
        sodium_base642bin(sent, sizeof(sent), sig, strlen(sig), NULL, &sent_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        sent_len != 32)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook signature does not verify");
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret),
              wh->body && wh->len ? (const unsigned char *)wh->body : empty, wh->len, mac,
              &mac_len) ||
        mac_len != 32)
        return sb_fail(SB_EINTERNAL, NULL, "HMAC-SHA256 failed");
    if (CRYPTO_memcmp(sent, mac, 32) != 0)
        return sb_fail(SB_EUNAUTHORIZED, NULL, "the webhook signature does not verify");

    /* Verified: now the headers and the body may be read. */
    const char *topic = wh->header(wh->ud, "X-Shopify-Topic");
    if (!topic || !*topic)
        return sb_fail(SB_EMISSING_FIELD, "topic", "the webhook has no X-Shopify-Topic header");
    if (!known_topic(topic))
        return sb_fail(SB_EINVALID_FIELD, "topic", "topic %.64s is not one stockbridge takes",
                       topic);
    const char *event_id = wh->header(wh->ud, "X-Shopify-Event-Id");
    if (!event_id || !*event_id)
        event_id = wh->header(wh->ud, "X-Shopify-Webhook-Id");
    if (!event_id || !*event_id)
        return sb_fail(SB_EMISSING_FIELD, "event_id",
                       "the webhook has neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id");
    if (!printable_token(event_id, 128))
        return sb_fail(SB_EINVALID_FIELD, "event_id", "the webhook's event id is not valid");

    json_t *root = NULL;
    sb_err err = load_object(wh->body, wh->len, "the webhook body", a, &root);
    if (err)
        return err;
    struct sb_jctx c = { .obj = root, .prefix = NULL };
    const char *order_ref = NULL;
    if ((err = id_field(&c, is_order_topic(topic) ? "id" : "order_id", NULL, true, a, &order_ref)))
        return err;
    const char *t = sb_arena_strdup(a, topic), *e = sb_arena_strdup(a, event_id);
    if (!t || !e)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    ret->topic = t;
    ret->event_id = e;
    ret->order_ref = order_ref;
    return SB_OK;
}

static sb_err shopify_parse_event(const struct sb_channel *ch, const char *topic, const char *body,
                                  size_t len, struct sb_arena *a, struct sb_order **ret)
{
    if (!known_topic(topic))
        return sb_fail(SB_EINVALID_FIELD, "topic", "topic %.64s is not one stockbridge takes",
                       topic ? topic : "(none)");
    if (!is_order_topic(topic)) {
        /* A refund or a fulfillment: the pipeline fetches the whole order, which carries it
         * in its version order. */
        *ret = NULL;
        return SB_OK;
    }
    json_t *root = NULL;
    sb_err err = load_object(body, len, "the webhook body", a, &root);
    if (err)
        return err;
    return sb_shopify_parse_rest_order(root, a, ret);
}

static sb_err shopify_poll_orders(const struct sb_channel *ch, const char *cursor,
                                  struct sb_arena *a, struct sb_order_page *ret)
{
    struct sb_shopify_cursor cur;
    sb_err err = sb_shopify_cursor_parse(cursor, a, &cur);
    if (err)
        return err;
    json_t *vars =
        json_pack("{s:i, s:o, s:o}", "first", SB_SHOPIFY_PAGE_SIZE, "after",
                  cur.after ? json_string(cur.after) : json_null(), "query", json_null());
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (cur.since) {
        /* A second early: Shopify compares whole seconds with ">", and an order updated in the
         * same second as the last one seen must not slip through. Seeing it again is
         * harmless: the pipeline ignores versions it has. */
        char since[SB_TIME_LEN], q[64];
        sb_time_format(cur.since - 1, since, sizeof(since));
        snprintf(q, sizeof(q), "updated_at:>'%s'", since);
        json_object_set_new(vars, "query", json_string(q));
    }
    json_t *data = NULL;
    if ((err = gql(ch, a, "SbOrders", q_orders, vars, &data)))
        return err;
    json_t *orders = json_object_get(data, "orders");
    json_t *page_info = json_object_get(orders, "pageInfo");
    json_t *nodes = json_object_get(orders, "nodes");
    if (!json_is_object(orders) || !json_is_array(nodes))
        return sb_fail(SB_EIO, NULL, "Shopify's orders answer has no nodes");
    if (json_array_size(nodes) > 250)
        return sb_fail(SB_EIO, NULL, "Shopify's orders answer has too many nodes");
    size_t n = json_array_size(nodes);
    struct sb_order **list = alloc_array(a, n, sizeof(*list));
    if (!list)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t kept = 0;
    int64_t max = cur.max > cur.since ? cur.max : cur.since;
    for (size_t i = 0; i < n; i++) {
        struct sb_order *o = NULL;
        /* An order that does not parse is left out rather than stopping every poll after
         * it; its webhook records why (O10). The cursor still moves past it. */
        json_t *updated = json_object_get(json_array_get(nodes, i), "updatedAt");
        int64_t t;
        if (json_is_string(updated) && sb_time_parse(json_string_value(updated), &t) && t > max)
            max = t;
        if (sb_shopify_parse_gql_order(json_array_get(nodes, i), a, &o) == SB_OK)
            list[kept++] = o;
    }
    sb_err_clear();
    json_t *has_next = json_object_get(page_info, "hasNextPage");
    const char *end = json_string_value(json_object_get(page_info, "endCursor"));
    struct sb_shopify_cursor next = { .since = cur.since, .max = max };
    ret->more = json_is_true(has_next) && end && *end && strlen(end) <= 2048;
    if (ret->more) {
        next.after = end;
    } else {
        next.since = max;
        next.max = 0;
    }
    ret->next_cursor = sb_shopify_cursor_format(&next, a);
    if (!ret->next_cursor)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    ret->orders = list;
    ret->n = kept;
    return SB_OK;
}

static sb_err shopify_fetch_order(const struct sb_channel *ch, const char *external_id,
                                  struct sb_arena *a, struct sb_order **ret)
{
    const char *gid = NULL;
    sb_err err = order_gid(external_id, a, &gid);
    if (err)
        return err;
    json_t *vars = json_pack("{s:s}", "id", gid), *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if ((err = gql(ch, a, "SbOrder", q_order, vars, &data)))
        return err;
    json_t *order = json_object_get(data, "order");
    if (!order || json_is_null(order))
        return sb_fail(SB_ENOT_FOUND, NULL, "order %s is not on Shopify", external_id);
    return sb_shopify_parse_gql_order(order, a, ret);
}

static enum sb_decision shopify_decide(const struct sb_channel *ch, const struct sb_order *o,
                                       const char **ret_reason)
{
    const char *reason = NULL;
    enum sb_decision d = SB_DECIDE_DOWNLOAD;
    if (o->cancelled) {
        reason = "cancelled before download";
        d = SB_DECIDE_SKIP;
    }
    /* Otherwise paid or not: an unpaid order comes down with a balance due (P3, P4). */
    if (ret_reason)
        *ret_reason = reason;
    return d;
}

static const char *shopify_payment_type(const struct sb_channel *ch, const char *gateway,
                                        bool *ret_integrated)
{
    return sb_shopify_payment_type(gateway, ret_integrated);
}

/* The userErrors of a mutation payload as SB_ECONFLICT with the first message. */
static sb_err user_errors(json_t *payload, const char *key, const char *what)
{
    json_t *errs = json_object_get(payload, key);
    if (!json_is_array(errs) || json_array_size(errs) == 0)
        return SB_OK;
    json_t *e = json_array_get(errs, 0);
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    if (code && strcmp(code, "NOT_FOUND") == 0)
        return sb_fail(SB_ENOT_FOUND, NULL, "Shopify: %s: %.200s", what, msg ? msg : code);
    return sb_fail(SB_ECONFLICT, NULL, "Shopify refused the %s: %.200s", what,
                   msg ? msg : "no reason given");
}

static sb_err push_fulfillment(const struct sb_channel *ch, const struct sb_fulfillment_push *f,
                               struct sb_arena *a)
{
    const char *gid = NULL;
    sb_err err = order_gid(f->order_external_id, a, &gid);
    if (err)
        return err;
    json_t *vars = json_pack("{s:s}", "id", gid), *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if ((err = gql(ch, a, "SbFulfillmentOrders", q_fulfillment_orders, vars, &data)))
        return err;
    json_t *order = json_object_get(data, "order");
    if (!json_is_object(order))
        return sb_fail(SB_ENOT_FOUND, NULL, "order %s is not on Shopify", f->order_external_id);
    json_t *nodes = json_object_get(json_object_get(order, "fulfillmentOrders"), "nodes");
    size_t i, open = 0, closed = 0;
    json_t *fo;
    json_array_foreach(nodes, i, fo)
    {
        const char *id = json_string_value(json_object_get(fo, "id"));
        const char *status = json_string_value(json_object_get(fo, "status"));
        if (status && strcmp(status, "CLOSED") == 0)
            closed++;
        if (!id || !status || (strcmp(status, "OPEN") != 0 && strcmp(status, "IN_PROGRESS") != 0))
            continue;
        open++;
        json_t *input =
            json_pack("{s:[{s:s}], s:b}", "lineItemsByFulfillmentOrder", "fulfillmentOrderId", id,
                      "notifyCustomer", f->notify_customer ? 1 : 0);
        if (!input)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        if (f->tracking_number || f->tracking_company || f->tracking_url) {
            json_t *tracking = json_object();
            if (f->tracking_number)
                json_object_set_new(tracking, "number", json_string(f->tracking_number));
            if (f->tracking_company)
                json_object_set_new(tracking, "company", json_string(f->tracking_company));
            if (f->tracking_url)
                json_object_set_new(tracking, "url", json_string(f->tracking_url));
            json_object_set_new(input, "trackingInfo", tracking);
        }
        json_t *mvars = json_pack("{s:o}", "fulfillment", input), *mdata = NULL;
        if (!mvars)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        if ((err = gql(ch, a, "SbFulfillmentCreate", m_fulfillment_create, mvars, &mdata)))
            return err;
        json_t *payload = json_object_get(mdata, "fulfillmentCreate");
        if (!json_is_object(payload))
            return sb_fail(SB_EIO, NULL, "Shopify's fulfillmentCreate answer has no payload");
        if ((err = user_errors(payload, "userErrors", "fulfillment")))
            return err;
    }
    if (open == 0 && (closed == 0 || closed != json_array_size(nodes)))
        return sb_fail(SB_ECONFLICT, NULL,
                       "order %s has no open fulfillment order on Shopify to fulfill",
                       f->order_external_id);
    return SB_OK; /* all closed already: fulfilled before, nothing to do */
}

static sb_err shopify_push_fulfillment(const struct sb_channel *ch,
                                       const struct sb_fulfillment_push *f)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = push_fulfillment(ch, f, a);
    sb_arena_free(a);
    return err;
}

/* Shopify's OrderCancelReason for a reason text: the enum value itself when it is one,
 * else OTHER. */
static const char *cancel_reason(const char *reason)
{
    static const char *const values[] = { "CUSTOMER",  "DECLINED", "FRAUD",
                                          "INVENTORY", "STAFF",    "OTHER" };
    for (size_t i = 0; reason && i < sizeof(values) / sizeof(values[0]); i++)
        if (strcasecmp(reason, values[i]) == 0)
            return values[i];
    return "OTHER";
}

static sb_err push_cancel(const struct sb_channel *ch, const char *external_id, const char *reason,
                          struct sb_arena *a)
{
    const char *gid = NULL;
    sb_err err = order_gid(external_id, a, &gid);
    if (err)
        return err;
    /* A sale voided in the POS (S1): the customer gets their money back and Shopify's
     * committed stock is released; stock levels themselves follow from the POS (I1). */
    json_t *vars = json_pack("{s:s, s:s, s:b, s:b, s:b}", "orderId", gid, "reason",
                             cancel_reason(reason), "restock", 1, "notifyCustomer", 0, "refund", 1),
           *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if ((err = gql(ch, a, "SbOrderCancel", m_order_cancel, vars, &data)))
        return err;
    json_t *payload = json_object_get(data, "orderCancel");
    if (!json_is_object(payload))
        return sb_fail(SB_EIO, NULL, "Shopify's orderCancel answer has no payload");
    if ((err = user_errors(payload, "orderCancelUserErrors", "cancellation")) ||
        (err = user_errors(payload, "userErrors", "cancellation")))
        return err;
    return SB_OK;
}

static sb_err shopify_push_cancel(const struct sb_channel *ch, const char *external_id,
                                  const char *reason)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = push_cancel(ch, external_id, reason, a);
    sb_arena_free(a);
    return err;
}

const struct sb_channel_ops sb_channel_shopify = {
    .kind = "shopify",
    .caps = SB_CH_WEBHOOKS | SB_CH_POLL | SB_CH_LOCATIONS | SB_CH_FULFILL | SB_CH_CANCEL,
    .verify_webhook = shopify_verify_webhook,
    .parse_event = shopify_parse_event,
    .poll_orders = shopify_poll_orders,
    .fetch_order = shopify_fetch_order,
    .decide = shopify_decide,
    .payment_type = shopify_payment_type,
    .push_fulfillment = shopify_push_fulfillment,
    .push_cancel = shopify_push_cancel,
};
