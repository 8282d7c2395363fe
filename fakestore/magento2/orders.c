/*
 * A Magento order: placed from the control API's partial Magento shape (what
 * is left out gets a default), changed by the control API, and rendered as
 * GET /V1/orders/{id} answers it: integers for ids and 0/1 flags, JSON
 * numbers for money, dates "YYYY-MM-DD HH:MM:SS" in UTC with no zone, the
 * order's discount negative and its items' positive, totals that Magento
 * keeps null (total_invoiced, total_paid, total_refunded, payment.amount_paid
 * ...) left out until set, payment.cc_last4 and account_status null, a child
 * item's parent_item_id and parent_item, and the shipping assignment under
 * extension_attributes. Configurable children are priced 0 or carry a copy of
 * the parent's price (the store's child_price_copy switch); neither counts in
 * the subtotal. A fixed bundle is a priced parent with children at 0, a
 * dynamic one a parent at 0 with priced children.
 */
#include "magento2.h"

#include "core/money.h"
#include "util/jsonx.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_SHIP_DESC   "Flat Rate - Fixed"
#define DEFAULT_SHIP_METHOD "flatrate_flatrate"
#define STORE_NAME          "Main Website\nMain Website Store\nDefault Store View"

void m2_order_free(struct m2_order *o)
{
    if (!o)
        return;
    json_decref(o->billing);
    json_decref(o->shipping_address);
    sb_arena_free(o->arena);
    free(o);
}

bool m2_item_is_parent(const struct m2_item *it)
{
    return strcmp(it->product_type, "configurable") == 0 || strcmp(it->product_type, "bundle") == 0;
}

int64_t m2_item_to_invoice(const struct m2_item *it)
{
    int64_t n = it->qty_ordered - it->qty_invoiced - it->qty_canceled;
    return n > 0 ? n : 0;
}

int64_t m2_item_to_ship(const struct m2_item *it)
{
    int64_t n = it->qty_ordered - it->qty_shipped - it->qty_canceled - it->qty_refunded;
    return n > 0 ? n : 0;
}

void m2_order_history(struct m2_order *o, int64_t at, const char *comment)
{
    if (o->n_history == M2_MAX_HISTORY)
        return;
    o->history[o->n_history++] =
        (struct m2_history){ sb_arena_strdup(o->arena, comment), o->status, at };
}

/* ---------------------------------------------------------------- reading the control API */

static sb_err money_field(struct m2_shop *s, json_t *obj, const char *prefix, const char *key,
                          bool allow_negative, int64_t *ret, bool *ret_present)
{
    json_t *v = json_object_get(obj, key);
    if (ret_present)
        *ret_present = v && !json_is_null(v);
    if (!v || json_is_null(v))
        return SB_OK;
    int64_t m;
    if (!m2_money_parse(s, v, &m) || m > M2_PRICE_MAX * M2_QTY_MAX ||
        m < (allow_negative ? -M2_PRICE_MAX * M2_QTY_MAX : 0))
        return sb_fail(SB_EINVALID_FIELD, key, "%s%s%s must be an amount in %s",
                       prefix ? prefix : "", prefix ? "." : "", key, s->currency);
    *ret = m;
    return SB_OK;
}

static const char *str_or(struct sb_arena *a, json_t *obj, const char *key, const char *def)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? sb_arena_strdup(a, json_string_value(v)) : def;
}

static sb_err check_strings(json_t *obj, const char *prefix, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        if (v && !json_is_null(v) &&
            (!json_is_string(v) || strlen(json_string_value(v)) > M2_STR_MAX))
            return sb_fail(SB_EINVALID_FIELD, keys[i],
                           "%s%s%s must be a string of at most %d bytes", prefix ? prefix : "",
                           prefix ? "." : "", keys[i], M2_STR_MAX);
    }
    return SB_OK;
}

/* A Magento address from the control API: an object of strings (street an array of them),
 * completed with defaults for the fields Magento requires. */
static sb_err address(json_t *given, const char *type, const char *first, const char *last,
                      const char *email, json_t **ret)
{
    json_t *a = json_object();
    if (given) {
        if (!json_is_object(given)) {
            json_decref(a);
            return sb_fail(SB_EINVALID_FIELD, type, "%s_address must be an object", type);
        }
        const char *k;
        json_t *v;
        json_object_foreach(given, k, v)
        {
            bool ok = json_is_string(v) && strlen(json_string_value(v)) <= M2_STR_MAX;
            if (strcmp(k, "street") == 0) {
                ok = json_is_array(v) && json_array_size(v) <= 4;
                for (size_t i = 0; ok && i < json_array_size(v); i++)
                    ok = json_is_string(json_array_get(v, i));
            } else if (strcmp(k, "region_id") == 0 || strcmp(k, "customer_address_id") == 0)
                ok = json_is_integer(v);
            if (!ok) {
                json_decref(a);
                return sb_fail(SB_EINVALID_FIELD, k, "%s_address.%s has the wrong type", type, k);
            }
            json_object_set(a, k, v);
        }
    }
    json_object_set_new(a, "address_type", json_string(type));
    static const char *const keys[] = { "firstname",  "lastname",    "city",
                                        "region",     "region_code", "postcode",
                                        "country_id", "telephone",   NULL };
    static const char *const defs[] = { NULL,    NULL, "Springfield", "Oregon", "OR",
                                        "97477", "US", "555-0100",    NULL };
    for (size_t i = 0; keys[i]; i++)
        if (!json_object_get(a, keys[i]))
            json_object_set_new(a, keys[i], json_string(i == 0 ? first : i == 1 ? last : defs[i]));
    if (!json_object_get(a, "street"))
        json_object_set_new(a, "street", json_pack("[s]", "1 Main Street"));
    if (!json_object_get(a, "email"))
        json_object_set_new(a, "email", json_string(email));
    *ret = a;
    return SB_OK;
}

static sb_err read_items(struct m2_shop *s, struct m2_order *o, json_t *items)
{
    static const char *const keys[] = { "sku",          "name",         "qty_ordered",
                                        "price",        "product_type", "parent",
                                        "tax_amount",   "tax_percent",  "discount_amount",
                                        "row_total",    "qty_invoiced", "qty_shipped",
                                        "qty_refunded", "qty_canceled", NULL };
    size_t n = json_array_size(items);
    if (!json_is_array(items) || n == 0 || n > M2_MAX_ITEMS)
        return sb_fail(SB_EINVALID_FIELD, "items", "items must be an array of 1 to %d items",
                       M2_MAX_ITEMS);
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(items, i);
        char buf[64];
        struct sb_jctx c = { .obj = j, .prefix = NULL };
        snprintf(buf, sizeof(buf), "items[%zu]", i);
        c.prefix = buf;
        if (!json_is_object(j))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
        struct m2_item *it = &o->items[i];
        const char *sku = NULL, *name = NULL, *type = "simple";
        int64_t qty = 1, parent = -1;
        bool has_parent = false;
        sb_err err;
        if ((err = sb_json_only(&c, keys)) ||
            (err = sb_json_str(&c, "sku", true, M2_STR_MAX, &sku, NULL)) ||
            (err = sb_json_str(&c, "name", false, M2_STR_MAX, &name, NULL)) ||
            (err = sb_json_str(&c, "product_type", false, 32, &type, NULL)) ||
            (err = sb_json_int(&c, "qty_ordered", false, 1, M2_QTY_MAX, &qty, NULL)) ||
            (err = sb_json_int(&c, "parent", false, 0, (int64_t)i - 1 < 0 ? 0 : (int64_t)i - 1,
                               &parent, &has_parent)))
            return err;
        if (has_parent && i == 0)
            return sb_fail(SB_EINVALID_FIELD, "parent", "%s.parent must index an earlier item",
                           buf);
        if (has_parent && !m2_item_is_parent(&o->items[parent]))
            return sb_fail(SB_EINVALID_FIELD, "parent",
                           "%s.parent must index a configurable or bundle item", buf);
        *it = (struct m2_item){ .item_id = s->next_item++, .parent = has_parent ? parent : -1 };
        it->sku = sb_arena_strdup(o->arena, sku);
        it->name = sb_arena_strdup(o->arena, name ? name : sku);
        it->product_type = sb_arena_strdup(o->arena, type);
        it->qty_ordered = qty;
        struct m2_product *p = m2_product_find(s, sku);
        it->product_id = p ? p->id : 0;
        bool has_price;
        if ((err = money_field(s, j, buf, "price", false, &it->price, &has_price)) ||
            (err = money_field(s, j, buf, "tax_amount", false, &it->tax_amount, NULL)) ||
            (err = money_field(s, j, buf, "discount_amount", false, &it->discount_amount, NULL)) ||
            (err = money_field(s, j, buf, "row_total", false, &it->row_total, &it->has_row_total)))
            return err;
        if (!has_price) {
            const struct m2_item *par = it->parent >= 0 ? &o->items[it->parent] : NULL;
            if (par && strcmp(par->product_type, "configurable") == 0)
                it->price = s->child_price_copy ? par->price : 0;
            else if (par)
                it->price = 0; /* a fixed bundle's child */
            else
                it->price = p ? p->price : 0;
        }
        json_t *tp = json_object_get(j, "tax_percent");
        if (tp && !json_is_null(tp)) {
            int64_t bp;
            struct m2_shop pct = { .exponent = 2 };
            if (!m2_money_parse(&pct, tp, &bp) || bp < 0 || bp > 10000)
                return sb_fail(SB_EINVALID_FIELD, "tax_percent",
                               "%s.tax_percent must be a number from 0 to 100", buf);
            it->tax_percent_bp = bp;
        }
        static const char *const qk[] = { "qty_invoiced", "qty_shipped", "qty_refunded",
                                          "qty_canceled" };
        int64_t *qv[] = { &it->qty_invoiced, &it->qty_shipped, &it->qty_refunded,
                          &it->qty_canceled };
        for (size_t k = 0; k < 4; k++)
            if ((err = sb_json_int(&c, qk[k], false, 0, qty, qv[k], NULL)))
                return err;
        o->n_items++;
    }
    return SB_OK;
}

static int64_t row_total(const struct m2_item *it)
{
    return it->has_row_total ? it->row_total : it->price * it->qty_ordered;
}

/* The items' sum: every row except a configurable's child (its price, if any, is a copy). */
static int64_t items_subtotal(const struct m2_order *o)
{
    int64_t sum = 0;
    for (size_t i = 0; i < o->n_items; i++) {
        const struct m2_item *it = &o->items[i];
        if (it->parent >= 0 && strcmp(o->items[it->parent].product_type, "configurable") == 0)
            continue;
        sum += row_total(it);
    }
    return sum;
}

static void invoice_rest(struct m2_order *o)
{
    for (size_t i = 0; i < o->n_items; i++)
        o->items[i].qty_invoiced = o->items[i].qty_ordered - o->items[i].qty_canceled;
    o->has_invoiced = o->has_paid = true;
    o->total_invoiced = o->total_paid = o->grand_total;
}

static const char *state_of(const char *status)
{
    static const char *const map[][2] = {
        { "pending", "new" },           { "pending_payment", "pending_payment" },
        { "processing", "processing" }, { "complete", "complete" },
        { "closed", "closed" },         { "canceled", "canceled" },
        { "holded", "holded" },         { "payment_review", "payment_review" },
        { "fraud", "payment_review" },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], status) == 0)
            return map[i][1];
    return NULL;
}

static sb_err state_status(struct m2_order *o, json_t *body)
{
    json_t *st = json_object_get(body, "state"), *ss = json_object_get(body, "status");
    if ((st && !json_is_string(st)) || (ss && !json_is_string(ss)))
        return sb_fail(SB_EINVALID_FIELD, st && !json_is_string(st) ? "state" : "status",
                       "state and status must be strings");
    static const char *const states[] = { "new",      "pending_payment", "processing",
                                          "complete", "closed",          "canceled",
                                          "holded",   "payment_review",  NULL };
    if (st) {
        bool ok = false;
        for (size_t i = 0; states[i]; i++)
            ok = ok || strcmp(states[i], json_string_value(st)) == 0;
        if (!ok)
            return sb_fail(SB_EINVALID_FIELD, "state", "state must be one of Magento's states");
        o->state = sb_arena_strdup(o->arena, json_string_value(st));
    }
    if (ss) {
        if (!*json_string_value(ss) || strlen(json_string_value(ss)) > 32)
            return sb_fail(SB_EINVALID_FIELD, "status", "status must be 1 to 32 bytes");
        o->status = sb_arena_strdup(o->arena, json_string_value(ss));
        if (!st) {
            const char *derived = state_of(o->status);
            o->state = derived ? derived : o->state; /* a custom status keeps the state */
        }
    } else if (st) {
        o->status = strcmp(o->state, "new") == 0 ? "pending" : o->state;
    }
    return SB_OK;
}

/* A status placed or set directly brings the quantities a real order in it would have:
 * complete is invoiced and shipped, closed invoiced and refunded, canceled canceled. */
static void quantities_for_state(struct m2_order *o)
{
    bool complete = strcmp(o->state, "complete") == 0, closed = strcmp(o->state, "closed") == 0,
         canceled = strcmp(o->state, "canceled") == 0;
    if (!complete && !closed && !canceled)
        return;
    for (size_t i = 0; i < o->n_items; i++) {
        struct m2_item *it = &o->items[i];
        if (canceled) {
            it->qty_canceled = it->qty_ordered - it->qty_invoiced;
            continue;
        }
        it->qty_invoiced = it->qty_ordered;
        if (complete)
            it->qty_shipped = it->qty_ordered;
        else
            it->qty_refunded = it->qty_ordered;
    }
    if (canceled) {
        o->has_canceled = true;
        o->total_canceled = o->grand_total - (o->has_invoiced ? o->total_invoiced : 0);
        return;
    }
    o->has_invoiced = o->has_paid = true;
    o->total_invoiced = o->total_paid = o->grand_total;
    if (closed) {
        o->has_refunded = true;
        o->total_refunded = o->grand_total;
    }
}

static sb_err payment(struct m2_shop *s, struct m2_order *o, json_t *body)
{
    json_t *p = json_object_get(body, "payment");
    if (!p)
        return SB_OK;
    if (!json_is_object(p))
        return sb_fail(SB_EINVALID_FIELD, "payment", "payment must be an object");
    json_t *m = json_object_get(p, "method");
    if (m && (!json_is_string(m) || strlen(json_string_value(m)) > 64))
        return sb_fail(SB_EINVALID_FIELD, "method", "payment.method must be a string");
    if (m)
        o->payment_method = sb_arena_strdup(o->arena, json_string_value(m));
    sb_err err;
    bool has;
    int64_t v = 0;
    if ((err = money_field(s, p, "payment", "amount_authorized", false, &v, &has)))
        return err;
    if (has) {
        o->has_authorized = true;
        o->amount_authorized = v;
    }
    if ((err = money_field(s, p, "payment", "amount_paid", false, &v, &has)))
        return err;
    if (has) {
        o->has_paid = true;
        o->total_paid = v;
    }
    return SB_OK;
}

static sb_err totals(struct m2_shop *s, struct m2_order *o, json_t *body)
{
    sb_err err;
    bool has;
    int64_t v = 0;
    struct {
        const char *key;
        bool *has;
        int64_t *val;
    } opt[] = {
        { "total_invoiced", &o->has_invoiced, &o->total_invoiced },
        { "total_paid", &o->has_paid, &o->total_paid },
        { "total_refunded", &o->has_refunded, &o->total_refunded },
        { "total_canceled", &o->has_canceled, &o->total_canceled },
    };
    for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
        json_t *j = json_object_get(body, opt[i].key);
        if (j && json_is_null(j)) {
            *opt[i].has = false;
            continue;
        }
        if ((err = money_field(s, body, NULL, opt[i].key, false, &v, &has)))
            return err;
        if (has) {
            *opt[i].has = true;
            *opt[i].val = v;
        }
    }
    return SB_OK;
}

static sb_err explicit_time(json_t *body, const char *key, int64_t *ret, bool *ret_present)
{
    json_t *v = json_object_get(body, key);
    *ret_present = false;
    if (!v)
        return SB_OK;
    int64_t t;
    if (!json_is_string(v) || !m2_time_parse(json_string_value(v), &t))
        return sb_fail(SB_EINVALID_FIELD, key, "%s must be \"YYYY-MM-DD HH:MM:SS\" (UTC)", key);
    *ret = t;
    *ret_present = true;
    return SB_OK;
}

sb_err m2_order_place(struct m2_shop *s, json_t *body, struct m2_order **ret)
{
    static const char *const strs[] = { "increment_id",         "customer_email",
                                        "customer_firstname",   "customer_lastname",
                                        "shipping_description", "shipping_method",
                                        "pickup_location_code", NULL };
    if (s->n_orders >= M2_MAX_ORDERS)
        return sb_fail(SB_EINSUFFICIENT, NULL, "the store holds %d orders, its limit",
                       M2_MAX_ORDERS);
    sb_err err = check_strings(body, NULL, strs);
    if (err)
        return err;
    struct m2_order *o = calloc(1, sizeof(*o));
    if (!o || !(o->arena = sb_arena_new())) {
        free(o);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    int64_t saved_item = s->next_item;
    o->entity_id = s->next_order;
    o->state = "new";
    o->status = "pending";
    o->payment_method = "checkmo";
    o->email = str_or(o->arena, body, "customer_email", "guest@example.com");
    o->firstname = str_or(o->arena, body, "customer_firstname", "Veronica");
    o->lastname = str_or(o->arena, body, "customer_lastname", "Costello");
    o->shipping_description = str_or(o->arena, body, "shipping_description", DEFAULT_SHIP_DESC);
    o->shipping_method = str_or(o->arena, body, "shipping_method", DEFAULT_SHIP_METHOD);
    o->pickup_location_code = str_or(o->arena, body, "pickup_location_code", NULL);
    if (o->pickup_location_code && !json_object_get(body, "shipping_method"))
        o->shipping_method = "instore_pickup";
    json_t *inc = json_object_get(body, "increment_id");
    o->increment_id =
        inc ? sb_arena_strdup(o->arena, json_string_value(inc))
            : sb_arena_printf(o->arena, "%s%09lld", s->prefix, (long long)o->entity_id);
    struct sb_jctx c = { .obj = body };
    bool guest = true, has_guest;
    json_t *guest_j = json_object_get(body, "customer_is_guest");
    if (guest_j && !(json_is_integer(guest_j) &&
                     (json_integer_value(guest_j) == 0 || json_integer_value(guest_j) == 1)))
        err = sb_fail(SB_EINVALID_FIELD, "customer_is_guest", "customer_is_guest must be 0 or 1");
    has_guest = guest_j != NULL;
    if (has_guest && !err)
        guest = json_integer_value(guest_j) == 1;
    bool has_cid = false;
    int64_t created = 0, updated = 0;
    bool has_created, has_updated, has_sub, has_total, has_tax;
    json_t *disc = json_object_get(body, "discount_amount");
    if (!err && (err = sb_json_id(&c, "customer_id", false, &o->customer_id, &has_cid)))
        ;
    else if (!err && !(err = read_items(s, o, json_object_get(body, "items"))) &&
             !(err = money_field(s, body, NULL, "subtotal", false, &o->subtotal, &has_sub)) &&
             !(err = money_field(s, body, NULL, "tax_amount", false, &o->tax, &has_tax)) &&
             !(err = money_field(s, body, NULL, "shipping_amount", false, &o->shipping, NULL)) &&
             !(err = money_field(s, body, NULL, "discount_amount", true, &o->discount, NULL)) &&
             !(err =
                   money_field(s, body, NULL, "grand_total", false, &o->grand_total, &has_total)) &&
             !(err = explicit_time(body, "created_at", &created, &has_created)) &&
             !(err = explicit_time(body, "updated_at", &updated, &has_updated)) &&
             !(err = state_status(o, body)) && !(err = payment(s, o, body))) {
        (void)disc;
        if (o->discount < 0)
            o->discount = -o->discount;
        if (!has_sub)
            o->subtotal = items_subtotal(o);
        if (!has_tax)
            for (size_t i = 0; i < o->n_items; i++)
                o->tax += o->items[i].tax_amount;
        if (!has_total)
            o->grand_total = o->subtotal - o->discount + o->tax + o->shipping;
        o->guest = has_guest ? guest : !has_cid;
        if (!(err = address(json_object_get(body, "billing_address"), "billing", o->firstname,
                            o->lastname, o->email, &o->billing)))
            err = address(json_object_get(body, "shipping_address"), "shipping", o->firstname,
                          o->lastname, o->email, &o->shipping_address);
    }
    if (!err) {
        json_t *inv = json_object_get(body, "invoiced");
        if (inv && !json_is_boolean(inv))
            err = sb_fail(SB_EINVALID_FIELD, "invoiced", "invoiced must be true or false");
        else if (json_is_true(inv))
            invoice_rest(o);
    }
    if (!err)
        err = totals(s, o, body);
    if (err) {
        s->next_item = saved_item;
        m2_order_free(o);
        return err;
    }
    quantities_for_state(o);
    int64_t now = m2_now(s);
    o->created_at = has_created ? created : now;
    o->updated_at = has_updated ? updated : has_created && created > now ? created : now;
    if (o->updated_at > s->clock)
        s->clock = o->updated_at;
    m2_order_history(o, o->created_at, "Order placed");
    if (s->n_orders == s->cap_orders) {
        size_t cap = s->cap_orders ? s->cap_orders * 2 : 256;
        struct m2_order **n = realloc(s->orders, cap * sizeof(*n));
        if (!n) {
            m2_order_free(o);
            return sb_fail(SB_ENOMEM, NULL, NULL);
        }
        s->orders = n;
        s->cap_orders = cap;
    }
    s->orders[s->n_orders++] = o;
    s->next_order++;
    *ret = o;
    return SB_OK;
}

sb_err m2_order_edit(struct m2_shop *s, struct m2_order *o, json_t *body)
{
    static const char *const keys[] = {
        "state",      "status",         "touch",          "updated_at", "total_invoiced",
        "total_paid", "total_refunded", "total_canceled", "payment",    "invoice",
        "hold",       "customer_email", "comment",        NULL
    };
    struct sb_jctx c = { .obj = body };
    sb_err err = sb_json_only(&c, keys);
    if (err)
        return err;
    /* checked whole on a copy, so that a bad field changes nothing */
    struct m2_order copy = *o;
    bool touch = false, invoice = false, hold = false, has_hold, has_updated;
    int64_t updated = 0;
    const char *comment = NULL, *email = NULL;
    if ((err = sb_json_bool(&c, "touch", false, &touch, NULL)) ||
        (err = sb_json_bool(&c, "invoice", false, &invoice, NULL)) ||
        (err = sb_json_bool(&c, "hold", false, &hold, &has_hold)) ||
        (err = sb_json_str(&c, "comment", false, M2_STR_MAX, &comment, NULL)) ||
        (err = sb_json_str(&c, "customer_email", false, M2_STR_MAX, &email, NULL)) ||
        (err = explicit_time(body, "updated_at", &updated, &has_updated)) ||
        (err = state_status(&copy, body)) || (err = payment(s, &copy, body)) ||
        (err = totals(s, &copy, body)))
        return err;
    if (has_hold && hold && strcmp(copy.state, "holded") != 0) {
        copy.hold_before_state = copy.state;
        copy.hold_before_status = copy.status;
        copy.state = copy.status = "holded";
    } else if (has_hold && !hold && strcmp(copy.state, "holded") == 0) {
        copy.state = copy.hold_before_state ? copy.hold_before_state : "processing";
        copy.status = copy.hold_before_status ? copy.hold_before_status : copy.state;
        copy.hold_before_state = copy.hold_before_status = NULL;
    }
    if (email)
        copy.email = sb_arena_strdup(o->arena, email);
    *o = copy;
    if (json_object_get(body, "state") || json_object_get(body, "status"))
        quantities_for_state(o);
    if (invoice) {
        int64_t before = o->total_invoiced;
        invoice_rest(o);
        if (strcmp(o->state, "new") == 0 || strcmp(o->state, "pending_payment") == 0)
            o->state = o->status = "processing";
        (void)before;
    }
    m2_touch(s, o);
    if (has_updated) {
        o->updated_at = updated;
        if (updated > s->clock)
            s->clock = updated;
    }
    m2_order_history(o, o->updated_at, comment ? comment : "Changed by the control API");
    return SB_OK;
}

/* ---------------------------------------------------------------- rendering */

static void set_time(json_t *o, const char *key, int64_t t)
{
    char buf[32];
    m2_time_format(t, buf, sizeof(buf));
    json_object_set_new(o, key, json_string(buf));
}

static json_t *item_json(struct m2_shop *s, const struct m2_order *o, size_t i, bool with_parent)
{
    const struct m2_item *it = &o->items[i];
    json_t *j = json_object();
    int64_t rt = row_total(it);
    json_object_set_new(j, "amount_refunded", m2_money(s, it->price * it->qty_refunded));
    json_object_set_new(j, "base_amount_refunded", m2_money(s, it->price * it->qty_refunded));
    json_object_set_new(j, "base_discount_amount", m2_money(s, it->discount_amount));
    json_object_set_new(j, "base_original_price", m2_money(s, it->price));
    json_object_set_new(j, "base_price", m2_money(s, it->price));
    json_object_set_new(j, "base_price_incl_tax", m2_money(s, it->price));
    json_object_set_new(j, "base_row_total", m2_money(s, rt));
    json_object_set_new(j, "base_row_total_incl_tax", m2_money(s, rt + it->tax_amount));
    json_object_set_new(j, "base_tax_amount", m2_money(s, it->tax_amount));
    set_time(j, "created_at", o->created_at);
    json_object_set_new(j, "discount_amount", m2_money(s, it->discount_amount));
    json_object_set_new(j, "discount_percent", json_integer(0));
    json_object_set_new(j, "free_shipping", json_integer(0));
    json_object_set_new(j, "is_qty_decimal", json_integer(0));
    json_object_set_new(j, "is_virtual", json_integer(0));
    json_object_set_new(j, "item_id", json_integer(it->item_id));
    json_object_set_new(j, "name", json_string(it->name));
    json_object_set_new(j, "no_discount", json_integer(0));
    json_object_set_new(j, "order_id", json_integer(o->entity_id));
    json_object_set_new(j, "original_price", m2_money(s, it->price));
    if (it->parent >= 0)
        json_object_set_new(j, "parent_item_id", json_integer(o->items[it->parent].item_id));
    json_object_set_new(j, "price", m2_money(s, it->price));
    json_object_set_new(j, "price_incl_tax", m2_money(s, it->price));
    if (it->product_id)
        json_object_set_new(j, "product_id", json_integer(it->product_id));
    json_object_set_new(j, "product_type", json_string(it->product_type));
    json_object_set_new(j, "qty_canceled", json_integer(it->qty_canceled));
    json_object_set_new(j, "qty_invoiced", json_integer(it->qty_invoiced));
    json_object_set_new(j, "qty_ordered", json_integer(it->qty_ordered));
    json_object_set_new(j, "qty_refunded", json_integer(it->qty_refunded));
    json_object_set_new(j, "qty_shipped", json_integer(it->qty_shipped));
    json_object_set_new(j, "row_invoiced", m2_money(s, it->price * it->qty_invoiced));
    json_object_set_new(j, "row_total", m2_money(s, rt));
    json_object_set_new(j, "row_total_incl_tax", m2_money(s, rt + it->tax_amount));
    json_object_set_new(j, "sku", json_string(it->sku));
    json_object_set_new(j, "store_id", json_integer(1));
    json_object_set_new(j, "tax_amount", m2_money(s, it->tax_amount));
    json_object_set_new(j, "tax_invoiced", m2_money(s, it->qty_invoiced ? it->tax_amount : 0));
    json_object_set_new(j, "tax_percent", json_real((double)it->tax_percent_bp / 100.0));
    set_time(j, "updated_at", o->updated_at);
    if (with_parent && it->parent >= 0)
        json_object_set_new(j, "parent_item", item_json(s, o, (size_t)it->parent, false));
    return j;
}

static json_t *items_json(struct m2_shop *s, const struct m2_order *o)
{
    json_t *a = json_array();
    for (size_t i = 0; i < o->n_items; i++)
        json_array_append_new(a, item_json(s, o, i, true));
    return a;
}

json_t *m2_order_json(struct m2_shop *s, const struct m2_order *o)
{
    json_t *j = json_object();
    int64_t paid = o->has_paid ? o->total_paid : 0;
    int64_t qty = 0;
    for (size_t i = 0; i < o->n_items; i++)
        if (o->items[i].parent < 0)
            qty += o->items[i].qty_ordered;
    json_object_set_new(j, "base_currency_code", json_string(s->currency));
    json_object_set_new(j, "base_discount_amount", m2_money(s, -o->discount));
    json_object_set_new(j, "base_grand_total", m2_money(s, o->grand_total));
    json_object_set_new(j, "base_shipping_amount", m2_money(s, o->shipping));
    json_object_set_new(j, "base_subtotal", m2_money(s, o->subtotal));
    json_object_set_new(j, "base_tax_amount", m2_money(s, o->tax));
    json_object_set_new(j, "base_total_due", m2_money(s, o->grand_total - paid));
    if (o->has_invoiced)
        json_object_set_new(j, "base_total_invoiced", m2_money(s, o->total_invoiced));
    if (o->has_paid)
        json_object_set_new(j, "base_total_paid", m2_money(s, o->total_paid));
    if (o->has_refunded)
        json_object_set_new(j, "base_total_refunded", m2_money(s, o->total_refunded));
    set_time(j, "created_at", o->created_at);
    json_object_set_new(j, "customer_email", json_string(o->email));
    json_object_set_new(j, "customer_firstname", json_string(o->firstname));
    json_object_set_new(j, "customer_group_id", json_integer(o->guest ? 0 : 1));
    if (o->customer_id)
        json_object_set_new(j, "customer_id", json_integer(o->customer_id));
    json_object_set_new(j, "customer_is_guest", json_integer(o->guest ? 1 : 0));
    json_object_set_new(j, "customer_lastname", json_string(o->lastname));
    json_object_set_new(j, "customer_note_notify", json_integer(1));
    json_object_set_new(j, "discount_amount", m2_money(s, -o->discount));
    json_object_set_new(j, "email_sent", json_integer(1));
    json_object_set_new(j, "entity_id", json_integer(o->entity_id));
    json_object_set_new(j, "global_currency_code", json_string(s->currency));
    json_object_set_new(j, "grand_total", m2_money(s, o->grand_total));
    if (o->hold_before_state) {
        json_object_set_new(j, "hold_before_state", json_string(o->hold_before_state));
        json_object_set_new(j, "hold_before_status", json_string(o->hold_before_status));
    }
    json_object_set_new(j, "increment_id", json_string(o->increment_id));
    json_object_set_new(j, "is_virtual", json_integer(0));
    json_object_set_new(j, "order_currency_code", json_string(s->currency));
    json_object_set_new(j, "protect_code", json_string("fakestore"));
    json_object_set_new(j, "shipping_amount", m2_money(s, o->shipping));
    json_object_set_new(j, "shipping_description", json_string(o->shipping_description));
    json_object_set_new(j, "shipping_incl_tax", m2_money(s, o->shipping));
    json_object_set_new(j, "state", json_string(o->state));
    json_object_set_new(j, "status", json_string(o->status));
    json_object_set_new(j, "store_currency_code", json_string(s->currency));
    json_object_set_new(j, "store_id", json_integer(1));
    json_object_set_new(j, "store_name", json_string(STORE_NAME));
    json_object_set_new(j, "subtotal", m2_money(s, o->subtotal));
    json_object_set_new(j, "subtotal_incl_tax", m2_money(s, o->subtotal + o->tax));
    json_object_set_new(j, "tax_amount", m2_money(s, o->tax));
    if (o->has_canceled)
        json_object_set_new(j, "total_canceled", m2_money(s, o->total_canceled));
    json_object_set_new(j, "total_due", m2_money(s, o->grand_total - paid));
    if (o->has_invoiced)
        json_object_set_new(j, "total_invoiced", m2_money(s, o->total_invoiced));
    json_object_set_new(j, "total_item_count", json_integer((json_int_t)o->n_items));
    if (o->has_paid)
        json_object_set_new(j, "total_paid", m2_money(s, o->total_paid));
    json_object_set_new(j, "total_qty_ordered", json_integer(qty));
    if (o->has_refunded)
        json_object_set_new(j, "total_refunded", m2_money(s, o->total_refunded));
    set_time(j, "updated_at", o->updated_at);
    json_object_set_new(j, "items", items_json(s, o));
    json_object_set(j, "billing_address", o->billing);
    json_t *pay = json_object();
    json_object_set_new(pay, "account_status", json_null());
    json_object_set_new(pay, "additional_information", json_array());
    if (o->has_authorized)
        json_object_set_new(pay, "amount_authorized", m2_money(s, o->amount_authorized));
    json_object_set_new(pay, "amount_ordered", m2_money(s, o->grand_total));
    if (o->has_paid)
        json_object_set_new(pay, "amount_paid", m2_money(s, o->total_paid));
    if (o->has_refunded)
        json_object_set_new(pay, "amount_refunded", m2_money(s, o->total_refunded));
    json_object_set_new(pay, "base_amount_ordered", m2_money(s, o->grand_total));
    json_object_set_new(pay, "base_shipping_amount", m2_money(s, o->shipping));
    json_object_set_new(pay, "cc_last4", json_null());
    json_object_set_new(pay, "entity_id", json_integer(o->entity_id));
    json_object_set_new(pay, "method", json_string(o->payment_method));
    json_object_set_new(pay, "parent_id", json_integer(o->entity_id));
    json_object_set_new(pay, "shipping_amount", m2_money(s, o->shipping));
    json_object_set_new(j, "payment", pay);
    json_t *hist = json_array();
    for (size_t i = o->n_history; i-- > 0;) { /* newest first, as Magento */
        json_t *h = json_object();
        json_object_set_new(h, "comment", json_string(o->history[i].comment));
        set_time(h, "created_at", o->history[i].created_at);
        json_object_set_new(h, "entity_id", json_integer(o->entity_id * 100 + (json_int_t)i));
        json_object_set_new(h, "entity_name", json_string("order"));
        json_object_set_new(h, "is_customer_notified", json_integer(0));
        json_object_set_new(h, "is_visible_on_front", json_integer(0));
        json_object_set_new(h, "parent_id", json_integer(o->entity_id));
        json_object_set_new(h, "status", json_string(o->history[i].status));
        json_array_append_new(hist, h);
    }
    json_object_set_new(j, "status_histories", hist);
    json_t *total = json_object();
    json_object_set_new(total, "base_shipping_amount", m2_money(s, o->shipping));
    json_object_set_new(total, "base_shipping_incl_tax", m2_money(s, o->shipping));
    json_object_set_new(total, "shipping_amount", m2_money(s, o->shipping));
    json_object_set_new(total, "shipping_incl_tax", m2_money(s, o->shipping));
    json_object_set_new(total, "shipping_tax_amount", m2_money(s, 0));
    json_t *ship = json_pack("{s:O,s:s,s:o}", "address", o->shipping_address, "method",
                             o->shipping_method, "total", total);
    json_t *ext = json_object();
    json_object_set_new(ext, "shipping_assignments",
                        json_pack("[{s:o,s:o}]", "shipping", ship, "items", items_json(s, o)));
    if (o->pickup_location_code)
        json_object_set_new(ext, "pickup_location_code", json_string(o->pickup_location_code));
    json_object_set_new(j, "extension_attributes", ext);
    return j;
}

/* ---------------------------------------------------------------- searching */

static void money_val(struct m2_shop *s, bool has, int64_t v, struct m2_val *out)
{
    if (!has) {
        out->null = true;
        return;
    }
    sb_money_format(v, s->exponent, out->buf, sizeof(out->buf));
    out->str = out->buf;
}

/* The time as Magento's SQL compares it, kept in the order until the time changes. */
static const char *time_text(int64_t t, int64_t *text_at, char *text, size_t cap)
{
    if (!text[0] || *text_at != t) {
        m2_time_format(t, text, cap);
        *text_at = t;
    }
    return text;
}

void m2_order_field(struct m2_shop *s, void *ctx, size_t i, const char *f, struct m2_val *v)
{
    (void)ctx;
    struct m2_order *o = s->orders[i];
    v->null = false;
    v->str = NULL;
    if (strcmp(f, "entity_id") == 0)
        snprintf(v->buf, sizeof(v->buf), "%lld", (long long)o->entity_id);
    else if (strcmp(f, "created_at") == 0)
        v->str =
            time_text(o->created_at, &o->created_text_at, o->created_text, sizeof(o->created_text));
    else if (strcmp(f, "updated_at") == 0)
        v->str =
            time_text(o->updated_at, &o->updated_text_at, o->updated_text, sizeof(o->updated_text));
    else if (strcmp(f, "increment_id") == 0)
        v->str = o->increment_id;
    else if (strcmp(f, "state") == 0)
        v->str = o->state;
    else if (strcmp(f, "status") == 0)
        v->str = o->status;
    else if (strcmp(f, "customer_email") == 0)
        v->str = o->email;
    else if (strcmp(f, "customer_firstname") == 0)
        v->str = o->firstname;
    else if (strcmp(f, "customer_lastname") == 0)
        v->str = o->lastname;
    else if (strcmp(f, "customer_is_guest") == 0)
        v->str = o->guest ? "1" : "0";
    else if (strcmp(f, "store_id") == 0)
        v->str = "1";
    else if (strcmp(f, "order_currency_code") == 0 || strcmp(f, "base_currency_code") == 0)
        v->str = s->currency;
    else if (strcmp(f, "customer_id") == 0) {
        if (!o->customer_id)
            v->null = true;
        else
            snprintf(v->buf, sizeof(v->buf), "%lld", (long long)o->customer_id);
    } else if (strcmp(f, "grand_total") == 0 || strcmp(f, "base_grand_total") == 0)
        money_val(s, true, o->grand_total, v);
    else if (strcmp(f, "subtotal") == 0)
        money_val(s, true, o->subtotal, v);
    else if (strcmp(f, "total_invoiced") == 0 || strcmp(f, "base_total_invoiced") == 0)
        money_val(s, o->has_invoiced, o->total_invoiced, v);
    else if (strcmp(f, "total_paid") == 0 || strcmp(f, "base_total_paid") == 0)
        money_val(s, o->has_paid, o->total_paid, v);
    else if (strcmp(f, "total_refunded") == 0)
        money_val(s, o->has_refunded, o->total_refunded, v);
    else if (strcmp(f, "pickup_location_code") == 0) {
        v->null = !o->pickup_location_code;
        v->str = o->pickup_location_code;
    } else
        v->null = true;
    if (!v->null && !v->str)
        v->str = v->buf;
}
