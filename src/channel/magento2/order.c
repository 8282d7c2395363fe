/*
 * A Magento 2 order (sales-data-order-interface in Magento's OpenAPI, as GET
 * /V1/orders and /V1/orders/{id} answer it) read into the normalized order
 * (channel/order.h). Magento's ways: money as JSON numbers in the order's
 * currency (rounded to its minor unit, half away from zero, O4), times as
 * "YYYY-MM-DD HH:MM:SS" in UTC without a zone, null fields left out, flags
 * as 0/1, increment_id text that may carry a prefix.
 *
 * M8: Magento lists a configurable or bundle product as a parent item and
 * child items (parent_item_id). They are merged into the products sold, the
 * price taken from one side only (merge_items says which), never both.
 *
 * Everything is hostile: types checked, lists and strings bounded; a bad
 * field fails the whole order with its path, which the poll keeps as the
 * reason the order could not be read (O10).
 */
#include "channel/magento2/magento2.h"

#include "core/currency.h"
#include "core/money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX       1024
#define NOTE_MAX       16384
#define REAL_MONEY_MAX 1e12 /* Magento's amounts are numbers: beyond this no longer exact */

/* ---------------------------------------------------------------- reading fields */

/* A JSON number as the shortest decimal text that reads back as the same double. */
static void real_text(double x, char *buf, size_t cap)
{
    for (int prec = 0; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*f", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* Money: a number (or numeric text) in the order's currency, to minor units. Absent or
 * null: 0 and *present false. */
static sb_err money(json_t *obj, const char *key, const char *path, int exponent, int64_t *ret,
                    bool *ret_present)
{
    json_t *v = json_object_get(obj, key);
    char text[64];
    const char *s = NULL;
    int64_t minor = 0;
    if (ret_present)
        *ret_present = v && !json_is_null(v);
    if (!v || json_is_null(v)) {
        *ret = 0;
        return SB_OK;
    }
    if (json_is_integer(v)) {
        snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = text;
    } else if (json_is_real(v)) {
        double x = json_real_value(v);
        if (!isfinite(x) || fabs(x) > REAL_MONEY_MAX)
            return sb_fail(SB_EINVALID_FIELD, path, "%s.%s is out of range", path, key);
        real_text(x, text, sizeof(text));
        s = text;
    } else if (json_is_string(v)) {
        s = json_string_value(v);
    }
    if (!s || !sb_money_parse_round(s, exponent, &minor))
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s is not an amount", path, key);
    *ret = minor;
    return SB_OK;
}

/* A quantity: a whole number (Magento sends 1 or 1.0; "is_qty_decimal" items are refused:
 * the POS counts in units). Absent: 0. */
static sb_err qty(json_t *obj, const char *key, const char *path, int64_t *ret)
{
    json_t *v = json_object_get(obj, key);
    double x;
    if (!v || json_is_null(v)) {
        *ret = 0;
        return SB_OK;
    }
    if (json_is_integer(v))
        x = (double)json_integer_value(v);
    else if (json_is_real(v))
        x = json_real_value(v);
    else if (json_is_string(v))
        x = strtod(json_string_value(v), NULL);
    else
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must be a number", path, key);
    if (!isfinite(x) || x < 0 || x > 1e9 || x != floor(x))
        return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must be a whole number of units", path, key);
    *ret = (int64_t)x;
    return SB_OK;
}

/* Text: a string up to max bytes without NUL, or absent/null (NULL). */
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

/* An id: a positive integer (or digits as text); 0 when absent. */
static sb_err id(json_t *obj, const char *key, const char *path, int64_t *ret)
{
    json_t *v = json_object_get(obj, key);
    *ret = 0;
    if (!v || json_is_null(v))
        return SB_OK;
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        *ret = json_integer_value(v);
        return SB_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        long long n = strtoll(s, &end, 10);
        if (*s >= '1' && *s <= '9' && !*end && n > 0 && strlen(s) < 19) {
            *ret = n;
            return SB_OK;
        }
    }
    return sb_fail(SB_EINVALID_FIELD, path, "%s.%s must be a positive integer id", path, key);
}

/* A 0/1 flag (Magento's), or true/false. */
static bool flag(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0);
}

/* tax_percent (8.25) as the rate text the POS keeps ("0.0825"), or NULL. */
static const char *rate_text(json_t *item, struct sb_arena *a)
{
    json_t *v = json_object_get(item, "tax_percent");
    if (!json_is_number(v))
        return NULL;
    double p = json_number_value(v);
    if (!isfinite(p) || p <= 0 || p > 1000)
        return NULL;
    char buf[64];
    real_text(p / 100.0, buf, sizeof(buf));
    return sb_arena_strdup(a, buf);
}

static void *alloc_array(struct sb_arena *a, size_t n, size_t size)
{
    void *p = sb_arena_alloc(a, (n ? n : 1) * size);
    if (p)
        memset(p, 0, (n ? n : 1) * size);
    return p;
}

/* ---------------------------------------------------------------- M8: items merged */

enum role {
    ROLE_LINE,      /* a line of its own, priced as it comes */
    ROLE_DROPPED,   /* merged into another line (configurable child, dynamic bundle parent) */
    ROLE_CONTAINER, /* a fixed-price bundle's parent: priced, its children follow */
    ROLE_UNPRICED,  /* a fixed-price bundle's child: a line at price 0 */
};

struct merged {
    enum role role;
    int64_t item_id, parent_id;
    size_t parent; /* index of the parent item, SIZE_MAX when none found */
    size_t line;   /* the line it became or merged into, SIZE_MAX when none */
};

static double price_of(json_t *item)
{
    json_t *v = json_object_get(item, "price");
    return json_is_number(v) ? json_number_value(v) : 0;
}

static bool type_is(json_t *item, const char *type)
{
    const char *t = json_string_value(json_object_get(item, "product_type"));
    return t && strcmp(t, type) == 0;
}

/*
 * Who is what. A child whose parent is in the order: under a configurable parent it
 * merges into the parent (the parent carries the child's SKU and the price; the child's
 * price is 0 or a copy, never added); under a bundle, the bundle is dynamic when any child
 * is priced (the children are the lines, the parent dropped) and fixed-price otherwise
 * (the parent a container line with the price, the children lines at 0). A child whose
 * parent is missing is a line of its own.
 */
static sb_err merge_items(json_t *items, struct sb_arena *a, struct merged **ret)
{
    size_t n = json_array_size(items);
    struct merged *m = alloc_array(a, n, sizeof(*m));
    if (!m)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    char path[48];
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(items, i);
        snprintf(path, sizeof(path), "items[%zu]", i);
        if (!json_is_object(it))
            return sb_fail(SB_EINVALID_FIELD, path, "%s must be an object", path);
        sb_err err = id(it, "item_id", path, &m[i].item_id);
        if (!err)
            err = id(it, "parent_item_id", path, &m[i].parent_id);
        if (err)
            return err;
        if (!m[i].item_id)
            return sb_fail(SB_EMISSING_FIELD, path, "%s.item_id is missing", path);
        m[i].parent = m[i].line = SIZE_MAX;
        for (size_t k = 0; k < i; k++)
            if (m[k].item_id == m[i].item_id)
                return sb_fail(SB_EINVALID_FIELD, path, "%s.item_id %lld is given twice", path,
                               (long long)m[i].item_id);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; m[i].parent_id && k < n; k++)
            if (k != i && m[k].item_id == m[i].parent_id && !m[k].parent_id)
                m[i].parent = k;
    for (size_t p = 0; p < n; p++) {
        json_t *parent = json_array_get(items, p);
        bool has_children = false, priced_children = false;
        for (size_t c = 0; c < n; c++) {
            if (m[c].parent != p)
                continue;
            has_children = true;
            priced_children = priced_children || price_of(json_array_get(items, c)) > 0;
        }
        if (!has_children)
            continue;
        bool bundle = type_is(parent, "bundle");
        if (bundle && priced_children) {
            m[p].role = ROLE_DROPPED;
        } else if (bundle) {
            m[p].role = ROLE_CONTAINER;
            for (size_t c = 0; c < n; c++)
                if (m[c].parent == p)
                    m[c].role = ROLE_UNPRICED;
        } else {
            for (size_t c = 0; c < n; c++)
                if (m[c].parent == p)
                    m[c].role = ROLE_DROPPED;
        }
    }
    *ret = m;
    return SB_OK;
}

/* The line external id an order item id stands for, or NULL (a dropped parent, unknown). */
static const char *line_for_item(const struct sb_order *o, const struct merged *m, size_t n,
                                 int64_t item_id, bool *ret_merged_child)
{
    *ret_merged_child = false;
    for (size_t i = 0; i < n; i++) {
        if (m[i].item_id != item_id)
            continue;
        if (m[i].role == ROLE_DROPPED && m[i].parent != SIZE_MAX) {
            *ret_merged_child = true;
            return m[m[i].parent].line < o->n_lines ? o->lines[m[m[i].parent].line].external_id
                                                    : NULL;
        }
        return m[i].line < o->n_lines ? o->lines[m[i].line].external_id : NULL;
    }
    return NULL;
}

static sb_err read_line(json_t *it, const char *path, const struct merged *me, json_t *child,
                        int exponent, struct sb_arena *a, struct sb_order_line *l)
{
    sb_err err;
    const char *sku, *name;
    if ((err = text(it, "sku", path, 255, &sku)) || (err = text(it, "name", path, 512, &name)))
        return err;
    if (child) { /* a configurable: the child's SKU (the parent carries it too) */
        const char *csku;
        if ((err = text(child, "sku", path, 255, &csku)))
            return err;
        if (csku)
            sku = csku;
    }
    l->external_id = sb_arena_printf(a, "%lld", (long long)me->item_id);
    l->sku = sku;
    l->title = name ? name : sku ? sku : "Item";
    l->requires_shipping = !flag(it, "is_virtual");
    l->container = me->role == ROLE_CONTAINER;
    if ((err = qty(it, "qty_ordered", path, &l->quantity)))
        return err;
    if (l->quantity <= 0)
        return sb_fail(SB_EINVALID_FIELD, path, "%s.qty_ordered must be at least 1", path);
    if (me->role == ROLE_UNPRICED)
        return l->external_id ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t tax = 0;
    if ((err = money(it, "price", path, exponent, &l->unit_price, NULL)) ||
        (err = money(it, "discount_amount", path, exponent, &l->discount, NULL)) ||
        (err = money(it, "tax_amount", path, exponent, &tax, NULL)))
        return err;
    if (l->unit_price < 0 || tax < 0)
        return sb_fail(SB_EINVALID_FIELD, path, "%s: negative price or tax", path);
    if (l->discount < 0) /* Magento gives item discounts positive; some exports negate them */
        l->discount = -l->discount;
    if (tax) {
        l->taxes = alloc_array(a, 1, sizeof(*l->taxes));
        if (!l->taxes)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        l->taxes[0] =
            (struct sb_order_tax){ .title = "Tax", .rate = rate_text(it, a), .amount = tax };
        l->n_taxes = 1;
    }
    return l->external_id ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

/* ---------------------------------------------------------------- the order */

static sb_err read_address(json_t *addr, struct sb_arena *a, struct sb_address *ret)
{
    const char *path = "extension_attributes.shipping_assignments[0].shipping.address";
    const char *first, *last, *company, *city, *region, *postcode, *country, *phone, *email;
    sb_err err;
    if ((err = text(addr, "firstname", path, 255, &first)) ||
        (err = text(addr, "lastname", path, 255, &last)) ||
        (err = text(addr, "company", path, 255, &company)) ||
        (err = text(addr, "city", path, 255, &city)) ||
        (err = text(addr, "region_code", path, 255, &region)) ||
        (err = text(addr, "postcode", path, 64, &postcode)) ||
        (err = text(addr, "country_id", path, 8, &country)) ||
        (err = text(addr, "telephone", path, 64, &phone)) ||
        (err = text(addr, "email", path, 254, &email)))
        return err;
    if (!region)
        if ((err = text(addr, "region", path, 255, &region)))
            return err;
    json_t *street = json_object_get(addr, "street");
    const char *l1 = json_string_value(json_array_get(street, 0));
    const char *l2 = json_string_value(json_array_get(street, 1));
    if (street && !json_is_array(street))
        return sb_fail(SB_EINVALID_FIELD, path, "%s.street must be a list", path);
    if ((l1 && strlen(l1) > TEXT_MAX) || (l2 && strlen(l2) > TEXT_MAX))
        return sb_fail(SB_EINVALID_FIELD, path, "%s.street is too long", path);
    const char *name = first && last ? sb_arena_printf(a, "%s %s", first, last)
                       : first       ? first
                                     : last;
    *ret = (struct sb_address){ .name = name,
                                .company = company,
                                .line1 = l1,
                                .line2 = l2,
                                .city = city,
                                .region = region,
                                .postcode = postcode,
                                .country = country,
                                .phone = phone,
                                .email = email };
    return SB_OK;
}

/* Ship-to, shipping method and pickup point from extension_attributes. */
static sb_err read_delivery(json_t *obj, struct sb_order *o, const char **ret_method,
                            struct sb_arena *a)
{
    json_t *ext = json_object_get(obj, "extension_attributes");
    sb_err err;
    *ret_method = NULL;
    if (ext && !json_is_object(ext))
        return sb_fail(SB_EINVALID_FIELD, "extension_attributes", "must be an object");
    if ((err = text(ext, "pickup_location_code", "extension_attributes", 255, &o->pickup_location)))
        return err;
    json_t *sa = json_object_get(ext, "shipping_assignments");
    if (sa && !json_is_array(sa))
        return sb_fail(SB_EINVALID_FIELD, "extension_attributes.shipping_assignments",
                       "must be a list");
    json_t *shipping = json_object_get(json_array_get(sa, 0), "shipping");
    if (shipping && !json_is_object(shipping))
        return sb_fail(SB_EINVALID_FIELD, "extension_attributes.shipping_assignments[0].shipping",
                       "must be an object");
    if ((err = text(shipping, "method", "extension_attributes.shipping_assignments[0].shipping",
                    255, ret_method)))
        return err;
    json_t *addr = json_object_get(shipping, "address");
    if (json_is_object(addr)) {
        if ((err = read_address(addr, a, &o->ship_to)))
            return err;
        o->has_ship_to = true;
    } else if (addr && !json_is_null(addr)) {
        return sb_fail(SB_EINVALID_FIELD,
                       "extension_attributes.shipping_assignments[0].shipping.address",
                       "must be an object");
    }
    return SB_OK;
}

static enum sb_order_financial financial_of(int64_t total, int64_t paid, int64_t refunded,
                                            int64_t authorized)
{
    if (refunded > 0)
        return refunded >= total ? SB_FIN_REFUNDED : SB_FIN_PARTIALLY_REFUNDED;
    if (paid > 0)
        return paid >= total ? SB_FIN_PAID : SB_FIN_PARTIALLY_PAID;
    if (authorized > 0)
        return SB_FIN_AUTHORIZED;
    return total == 0 ? SB_FIN_PAID : SB_FIN_PENDING;
}

/* O4: the order's taxes and discount beyond what its lines and shipping carry, as
 * order-level rows under their own names (what is left besides is the engine's rounding
 * adjustment). */
static sb_err order_level(struct sb_order *o, const char *discount_name, struct sb_arena *a)
{
    int64_t tax = 0, disc = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        disc += o->lines[i].discount;
        for (size_t t = 0; t < o->lines[i].n_taxes; t++)
            tax += o->lines[i].taxes[t].amount;
    }
    for (size_t i = 0; i < o->n_shipping; i++) {
        disc += o->shipping[i].discount;
        for (size_t t = 0; t < o->shipping[i].n_taxes; t++)
            tax += o->shipping[i].taxes[t].amount;
    }
    if (o->total_tax - tax > 0) {
        o->order_taxes = alloc_array(a, 1, sizeof(*o->order_taxes));
        if (!o->order_taxes)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->order_taxes[0] = (struct sb_order_tax){ .title = "Tax", .amount = o->total_tax - tax };
        o->n_order_taxes = 1;
    }
    if (o->total_discounts - disc > 0) {
        o->order_discounts = alloc_array(a, 1, sizeof(*o->order_discounts));
        if (!o->order_discounts)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->order_discounts[0] =
            (struct sb_order_discount){ .code = discount_name ? discount_name : "Discount",
                                        .amount = o->total_discounts - disc };
        o->n_order_discounts = 1;
    }
    if (o->total_discounts > 0) {
        o->discounts = alloc_array(a, 1, sizeof(*o->discounts));
        if (!o->discounts)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        o->discounts[0] =
            (struct sb_order_discount){ .code = discount_name ? discount_name : "Discount",
                                        .amount = o->total_discounts };
        o->n_discounts = 1;
    }
    return SB_OK;
}

static sb_err read_lines(json_t *obj, struct sb_order *o, int exponent, struct sb_arena *a)
{
    json_t *items = json_object_get(obj, "items");
    if (!json_is_array(items))
        return sb_fail(items ? SB_EINVALID_FIELD : SB_EMISSING_FIELD, "items",
                       "the order's items must be a list");
    size_t n = json_array_size(items);
    if (n > SB_M2_MAX_LINES)
        return sb_fail(SB_ETOO_LARGE, "items", "the order has more than %d items", SB_M2_MAX_LINES);
    struct merged *m;
    sb_err err = merge_items(items, a, &m);
    if (err)
        return err;
    o->lines = alloc_array(a, n, sizeof(*o->lines));
    if (!o->lines)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t ordered = 0, shipped = 0;
    char path[48];
    for (size_t i = 0; i < n; i++) {
        if (m[i].role == ROLE_DROPPED)
            continue;
        json_t *it = json_array_get(items, i), *child = NULL;
        snprintf(path, sizeof(path), "items[%zu]", i);
        for (size_t c = 0; c < n && !type_is(it, "bundle"); c++)
            if (m[c].parent == i && m[c].role == ROLE_DROPPED)
                child = json_array_get(items, c);
        if ((err = read_line(it, path, &m[i], child, exponent, a, &o->lines[o->n_lines])))
            return err;
        int64_t s = 0;
        if ((err = qty(it, "qty_shipped", path, &s)))
            return err;
        ordered += o->lines[o->n_lines].quantity;
        shipped += s < o->lines[o->n_lines].quantity ? s : o->lines[o->n_lines].quantity;
        m[i].line = o->n_lines++;
    }
    if (!o->n_lines)
        return sb_fail(SB_EINVALID_FIELD, "items", "the order has no items");
    o->fulfillment = shipped == 0         ? SB_FUL_UNFULFILLED
                     : shipped >= ordered ? SB_FUL_FULFILLED
                                          : SB_FUL_PARTIAL;
    return SB_OK;
}

sb_err sb_m2_parse_order(json_t *obj, struct sb_arena *a, struct sb_order **ret)
{
    if (!json_is_object(obj))
        return sb_fail(SB_EINVALID_JSON, NULL, "a Magento order must be a JSON object");
    struct sb_order *o = alloc_array(a, 1, sizeof(*o));
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    const char *P = "order";
    sb_err err;
    int64_t entity;
    if ((err = id(obj, "entity_id", P, &entity)))
        return err;
    if (!entity)
        return sb_fail(SB_EMISSING_FIELD, "entity_id", "the order has no entity_id");
    o->external_id = sb_arena_printf(a, "%lld", (long long)entity);
    const char *created, *updated, *state, *status, *increment;
    if ((err = text(obj, "increment_id", P, 64, &increment)) ||
        (err = text(obj, "order_currency_code", P, 3, &o->currency)) ||
        (err = text(obj, "created_at", P, 32, &created)) ||
        (err = text(obj, "updated_at", P, 32, &updated)) ||
        (err = text(obj, "state", P, 64, &state)) || (err = text(obj, "status", P, 64, &status)) ||
        (err = text(obj, "customer_email", P, 254, &o->email)) ||
        (err = text(obj, "customer_firstname", P, 255, &o->first_name)) ||
        (err = text(obj, "customer_lastname", P, 255, &o->last_name)) ||
        (err = text(obj, "customer_note", P, NOTE_MAX, &o->note)))
        return err;
    o->number = increment ? increment : o->external_id;
    int exponent = o->currency ? sb_currency_exponent(o->currency) : -1;
    if (exponent < 0)
        return sb_fail(o->currency ? SB_EINVALID_FIELD : SB_EMISSING_FIELD, "order_currency_code",
                       "the order's currency is not an ISO 4217 code");
    if (!created || !sb_m2_time_parse(created, &o->created_at))
        return sb_fail(created ? SB_EINVALID_FIELD : SB_EMISSING_FIELD, "created_at",
                       "the order's created_at is not a time (YYYY-MM-DD HH:MM:SS)");
    o->updated_at = o->created_at;
    if (updated && !sb_m2_time_parse(updated, &o->updated_at))
        return sb_fail(SB_EINVALID_FIELD, "updated_at",
                       "the order's updated_at is not a time (YYYY-MM-DD HH:MM:SS)");
    o->channel_status = status ? status : state;
    o->cancelled = state && strcmp(state, "canceled") == 0;

    /* C4, C5: a guest's name may only be on the billing address */
    json_t *billing = json_object_get(obj, "billing_address");
    if (json_is_object(billing)) {
        const char *bf, *bl, *phone;
        if ((err = text(billing, "firstname", "billing_address", 255, &bf)) ||
            (err = text(billing, "lastname", "billing_address", 255, &bl)) ||
            (err = text(billing, "telephone", "billing_address", 64, &phone)))
            return err;
        if (!o->first_name && !o->last_name) {
            o->first_name = bf;
            o->last_name = bl;
        }
        o->phone = phone;
    }

    /* money */
    int64_t discount, paid, refunded, due, authorized = 0, ship_tax, ship_disc;
    bool has_due, has_shipping;
    json_t *payment = json_object_get(obj, "payment");
    if ((err = money(obj, "subtotal", P, exponent, &o->subtotal, NULL)) ||
        (err = money(obj, "discount_amount", P, exponent, &discount, NULL)) ||
        (err = money(obj, "tax_amount", P, exponent, &o->total_tax, NULL)) ||
        (err = money(obj, "shipping_amount", P, exponent, &o->total_shipping, &has_shipping)) ||
        (err = money(obj, "shipping_tax_amount", P, exponent, &ship_tax, NULL)) ||
        (err = money(obj, "shipping_discount_amount", P, exponent, &ship_disc, NULL)) ||
        (err = money(obj, "grand_total", P, exponent, &o->total_price, NULL)) ||
        (err = money(obj, "total_due", P, exponent, &due, &has_due)) ||
        (err = money(obj, "total_paid", P, exponent, &paid, NULL)) ||
        (err = money(obj, "total_refunded", P, exponent, &refunded, NULL)) ||
        (err = money(obj, "total_invoiced", P, exponent, &o->total_invoiced, NULL)))
        return err;
    if (payment && !json_is_object(payment))
        return sb_fail(SB_EINVALID_FIELD, "payment", "the order's payment must be an object");
    if ((err = money(payment, "amount_authorized", "payment", exponent, &authorized, NULL)) ||
        (err = text(payment, "method", "payment", 255, &o->gateway)))
        return err;
    if (o->total_price < 0 || o->total_tax < 0 || o->total_shipping < 0 || paid < 0 ||
        refunded < 0 || o->subtotal < 0 || o->total_invoiced < 0 || authorized < 0)
        return sb_fail(SB_EINVALID_FIELD, "grand_total", "the order's totals must not be negative");
    o->total_discounts = discount < 0 ? -discount : discount; /* negative on the order */
    o->total_outstanding = has_due ? due : o->total_price - paid;
    if (o->total_outstanding < 0)
        o->total_outstanding = 0;
    o->financial = financial_of(o->total_price, paid, refunded, authorized);

    /* lines, delivery, shipping line */
    if ((err = read_lines(obj, o, exponent, a)))
        return err;
    const char *method, *ship_title;
    if ((err = read_delivery(obj, o, &method, a)) ||
        (err = text(obj, "shipping_description", P, 512, &ship_title)))
        return err;
    /* Magento sends shipping_amount 0 on orders with nothing to ship: a line only when
     * there is a method or a price */
    if ((has_shipping && o->total_shipping) || ship_title || method) {
        o->shipping = alloc_array(a, 1, sizeof(*o->shipping));
        if (!o->shipping)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        struct sb_order_shipping *s = &o->shipping[0];
        *s = (struct sb_order_shipping){ .title = ship_title ? ship_title
                                                  : method   ? method
                                                             : "Shipping",
                                         .code = method,
                                         .price = o->total_shipping,
                                         .discount = ship_disc < 0 ? -ship_disc : ship_disc };
        if (ship_tax > 0) {
            s->taxes = alloc_array(a, 1, sizeof(*s->taxes));
            if (!s->taxes)
                return sb_fail(SB_ENOMEM, NULL, NULL);
            s->taxes[0] = (struct sb_order_tax){ .title = "Shipping tax", .amount = ship_tax };
            s->n_taxes = 1;
        }
        o->n_shipping = 1;
    }
    const char *discount_name;
    if ((err = text(obj, "discount_description", P, 255, &discount_name)))
        return err;
    if (!discount_name && (err = text(obj, "coupon_code", P, 255, &discount_name)))
        return err;
    if ((err = order_level(o, discount_name, a)))
        return err;
    *ret = o;
    return SB_OK;
}

/* ---------------------------------------------------------------- credit memos (M7, S2) */

/* One memo (state 2) as a refund; *ret_skip when it is not a refund yet (open, canceled). */
static sb_err read_memo(json_t *memo, size_t index, const struct sb_order *o,
                        const struct merged *m, size_t n_items, int exponent, bool restock,
                        struct sb_arena *a, struct sb_order_refund *r, bool *ret_skip)
{
    char path[48];
    snprintf(path, sizeof(path), "creditmemos[%zu]", index);
    if (!json_is_object(memo))
        return sb_fail(SB_EINVALID_FIELD, path, "%s must be an object", path);
    int64_t mid, state = 0;
    sb_err err = id(memo, "entity_id", path, &mid);
    if (err)
        return err;
    if (!mid)
        return sb_fail(SB_EMISSING_FIELD, path, "%s.entity_id is missing", path);
    json_t *st = json_object_get(memo, "state");
    if (json_is_integer(st))
        state = json_integer_value(st);
    else if (json_is_string(st))
        state = strtol(json_string_value(st), NULL, 10);
    *ret_skip = state != 2;
    if (*ret_skip)
        return SB_OK;
    *r = (struct sb_order_refund){ .external_id = sb_arena_printf(a, "%lld", (long long)mid) };
    if ((err = money(memo, "grand_total", path, exponent, &r->amount, NULL)))
        return err;
    if (r->amount < 0)
        return sb_fail(SB_EINVALID_FIELD, path, "%s.grand_total must not be negative", path);
    json_t *items = json_object_get(memo, "items");
    if (items && !json_is_array(items))
        return sb_fail(SB_EINVALID_FIELD, path, "%s.items must be a list", path);
    size_t ni = json_array_size(items);
    if (ni > SB_M2_MAX_LINES)
        return sb_fail(SB_ETOO_LARGE, path, "%s has too many items", path);
    r->lines = alloc_array(a, ni, sizeof(*r->lines));
    if (!r->lines || !r->external_id)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < ni; i++) {
        json_t *it = json_array_get(items, i);
        char ip[80];
        snprintf(ip, sizeof(ip), "%s.items[%zu]", path, i);
        int64_t oid, q, row = 0, tax = 0, disc = 0;
        if (!json_is_object(it))
            return sb_fail(SB_EINVALID_FIELD, ip, "%s must be an object", ip);
        if ((err = id(it, "order_item_id", ip, &oid)) || (err = qty(it, "qty", ip, &q)) ||
            (err = money(it, "row_total", ip, exponent, &row, NULL)) ||
            (err = money(it, "tax_amount", ip, exponent, &tax, NULL)) ||
            (err = money(it, "discount_amount", ip, exponent, &disc, NULL)))
            return err;
        if (row < 0 || tax < 0)
            return sb_fail(SB_EINVALID_FIELD, ip, "%s: negative amounts", ip);
        if (!q)
            continue;
        bool child;
        const char *line = line_for_item(o, m, n_items, oid, &child);
        if (!line)
            continue; /* a dynamic bundle's parent: its children carry the refund */
        if (child) {  /* a configurable's child beside its parent in the memo: counted once */
            bool parent_listed = false;
            for (size_t k = 0; k < ni; k++) {
                int64_t other = 0, other_q = 0;
                bool dummy;
                (void)id(json_array_get(items, k), "order_item_id", ip, &other);
                (void)qty(json_array_get(items, k), "qty", ip, &other_q);
                if (other && other_q && other != oid &&
                    line_for_item(o, m, n_items, other, &dummy) == line && !dummy)
                    parent_listed = true;
            }
            if (parent_listed)
                continue;
        }
        struct sb_order_refund_line *rl = &r->lines[r->n_lines++];
        *rl = (struct sb_order_refund_line){ .line_external_id = line,
                                             .quantity = q,
                                             .amount = row + tax > (disc < 0 ? -disc : disc)
                                                           ? row + tax - (disc < 0 ? -disc : disc)
                                                           : 0,
                                             .restock = restock };
    }
    return SB_OK;
}

sb_err sb_m2_attach_memos(struct sb_order *o, json_t *order_obj, json_t *memos, bool restock,
                          struct sb_arena *a)
{
    if (memos && !json_is_array(memos))
        return sb_fail(SB_EINVALID_FIELD, "creditmemos", "the credit memos must be a list");
    size_t n = json_array_size(memos);
    if (n > SB_M2_MAX_MEMOS)
        return sb_fail(SB_ETOO_LARGE, "creditmemos", "the order has more than %d credit memos",
                       SB_M2_MAX_MEMOS);
    json_t *items = json_object_get(order_obj, "items");
    struct merged *m;
    sb_err err = merge_items(items, a, &m);
    if (err)
        return err;
    /* the lines the order's parse made, in the same order: find them again by item id */
    size_t ni = json_array_size(items);
    for (size_t i = 0; i < ni; i++)
        for (size_t l = 0; m[i].role != ROLE_DROPPED && l < o->n_lines; l++) {
            char idtext[24];
            snprintf(idtext, sizeof(idtext), "%lld", (long long)m[i].item_id);
            if (strcmp(o->lines[l].external_id, idtext) == 0)
                m[i].line = l;
        }
    struct sb_order_refund *r = alloc_array(a, n, sizeof(*r));
    if (!r)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t nr = 0;
    int exponent = sb_currency_exponent(o->currency);
    for (size_t i = 0; i < n; i++) {
        bool skip;
        if ((err = read_memo(json_array_get(memos, i), i, o, m, ni, exponent, restock, a, &r[nr],
                             &skip)))
            return err;
        nr += !skip;
    }
    o->refunds = r;
    o->n_refunds = nr;
    return SB_OK;
}
