/*
 * The order fields of the Admin GraphQL schema the shop models (its table,
 * fs_gql_order_fields, is read by graphql-resolve.c): QueryRoot.orders and
 * order(id:), Mutation.fulfillmentCreate and orderCancel. An order is
 * rendered whole in Shopify's GraphQL shape (UTC times, gids, money bags;
 * lineItems, transactions, refunds, fulfillments and fulfillmentOrders as
 * plain lists, which the resolver pages or cuts by the document's own
 * arguments); the engine then answers exactly the fields asked for. orders
 * takes the updated_at/created_at search and pages with cursors, opaque like
 * Shopify's, in updatedAt order. The mutations and orders check their
 * arguments (prepare) and act under the lock (run); a refusal in prepare
 * refuses the whole request, charged nothing.
 */
#include "graphql.h"
#include "graphql-search.h"
#include "app.h"

#include "core/money.h"
#include "util/timeutil.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ENGINE_LOG 1000 /* fulfillments and cancellations made through GraphQL */

/* ---------------------------------------------------------------- rendering */

/* GraphQL MoneyBag, in the currency's decimals. */
static json_t *gql_bag(int64_t v, const char *cur)
{
    char buf[32];
    sb_money_format(v, fs_exp(cur), buf, sizeof(buf));
    return json_pack("{s:{s:s,s:s},s:{s:s,s:s}}", "shopMoney", "amount", buf, "currencyCode", cur,
                     "presentmentMoney", "amount", buf, "currencyCode", cur);
}

static json_t *jtime_gql(int64_t t)
{
    if (!t)
        return json_null();
    char buf[SB_TIME_LEN];
    sb_time_format(t, buf, sizeof(buf));
    return json_string(buf);
}

static void upcase(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < cap; i++)
        buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
    buf[i] = '\0';
}

static json_t *jupper(const char *s)
{
    if (!s)
        return json_null();
    char buf[64];
    upcase(s, buf, sizeof(buf));
    return json_string(buf);
}

static const char *display_fulfillment_status(const struct order *o)
{
    const char *f = fs_fulfillment_status(o);
    if (!f)
        return "UNFULFILLED";
    return strcmp(f, "partial") == 0 ? "PARTIALLY_FULFILLED" : "FULFILLED";
}

static json_t *gql_amount(int64_t v, int e)
{
    return json_pack("{s:{s:o}}", "shopMoney", "amount", fs_jmoney(v, e));
}

static json_t *gql_tax_lines(const struct tax_line *t, size_t n, int e)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:o,s:o}", "title", t[i].title, "rate",
                                           json_copy(t[i].rate), "priceSet",
                                           gql_amount(t[i].price, e)));
    return a;
}

static json_t *gql_address(const struct address *a)
{
    if (!a)
        return json_null();
    json_t *x = json_object();
    for (size_t i = 0; i < ADDR_N; i++)
        json_object_set_new(x, fs_addr_fields[i].gql, fs_jstr(a->v[i]));
    return x;
}

static json_t *gql_txn(const struct txn *t, bool with_id, int e)
{
    json_t *x = json_object();
    if (with_id) {
        json_object_set_new(x, "id", fs_jgid("OrderTransaction", t->id));
        json_object_set_new(x, "gateway", json_string(t->gateway));
    }
    json_object_set_new(x, "kind", jupper(t->kind));
    json_object_set_new(x, "status", jupper(t->status));
    json_object_set_new(x, "amountSet", gql_amount(t->amount, e));
    return x;
}

static json_t *gql_tracking(const char *number, const char *company, const char *url)
{
    json_t *a = json_array();
    if (number || company || url)
        json_array_append_new(a, json_pack("{s:o,s:o,s:o}", "number", fs_jstr(number), "company",
                                           fs_jstr(company), "url", fs_jstr(url)));
    return a;
}

static json_t *gql_order(struct fs_shop *s, const struct order *o)
{
    struct totals t;
    fs_order_totals(o, &t);
    const char *cur = o->currency;
    int e = fs_exp(cur);
    char legacy[24];
    snprintf(legacy, sizeof(legacy), "%lld", (long long)o->id);
    json_t *x = json_object();
    json_object_set_new(x, "__typename", json_string("Order"));
    json_object_set_new(x, "id", fs_jgid("Order", o->id));
    json_object_set_new(x, "legacyResourceId", json_string(legacy));
    json_object_set_new(x, "name", json_string(o->name));
    json_object_set_new(x, "email", fs_jstr(o->email));
    json_object_set_new(x, "phone", fs_jstr(o->phone));
    json_object_set_new(x, "createdAt", jtime_gql(o->created_at));
    json_object_set_new(x, "updatedAt", jtime_gql(o->updated_at));
    json_object_set_new(x, "cancelledAt", jtime_gql(o->cancelled_at));
    json_object_set_new(x, "cancelReason", jupper(o->cancel_reason));
    json_object_set_new(x, "displayFinancialStatus", jupper(o->financial_status));
    json_object_set_new(x, "displayFulfillmentStatus", json_string(display_fulfillment_status(o)));
    json_object_set_new(x, "currencyCode", json_string(cur));
    json_object_set_new(x, "taxesIncluded", json_boolean(o->taxes_included));
    json_object_set_new(x, "note", fs_jstr(o->note));
    json_t *attrs = json_array();
    for (size_t i = 0; i < o->n_attrs; i++)
        json_array_append_new(
            attrs, json_pack("{s:s,s:s}", "key", o->attr_name[i], "value", o->attr_value[i]));
    json_object_set_new(x, "customAttributes", attrs);
    json_t *codes = json_array(); /* Order.discountCodes: [String!]! */
    for (size_t i = 0; i < json_array_size(o->discount_codes); i++)
        json_array_append_new(
            codes, json_copy(json_object_get(json_array_get(o->discount_codes, i), "code")));
    json_object_set_new(x, "discountCodes", codes);
    json_t *gw = json_array();
    json_array_append_new(gw, json_string(o->gateway));
    json_object_set_new(x, "paymentGatewayNames", gw);
    json_object_set_new(x, "subtotalPriceSet", gql_bag(t.subtotal, cur));
    json_object_set_new(x, "totalDiscountsSet", gql_bag(t.discounts, cur));
    json_object_set_new(x, "totalTaxSet", gql_bag(t.tax, cur));
    struct tax_line sum[4 * MAX_TAX_LINES];
    json_object_set_new(x, "taxLines",
                        gql_tax_lines(sum, fs_order_tax_sum(o, sum, 4 * MAX_TAX_LINES), e));
    json_object_set_new(x, "totalShippingPriceSet", gql_bag(t.ship, cur));
    json_object_set_new(x, "totalPriceSet", gql_bag(t.total, cur));
    json_object_set_new(x, "totalOutstandingSet", gql_bag(t.outstanding, cur));
    if (o->customer)
        json_object_set_new(
            x, "customer",
            json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "firstName", fs_jstr(o->customer->first_name),
                      "lastName", fs_jstr(o->customer->last_name), "email",
                      fs_jstr(o->customer->email), "phone", fs_jstr(o->customer->phone),
                      "defaultEmailAddress",
                      o->customer->email ? json_pack("{s:s}", "emailAddress", o->customer->email)
                                         : json_null(),
                      "defaultPhoneNumber",
                      o->customer->phone ? json_pack("{s:s}", "phoneNumber", o->customer->phone)
                                         : json_null()));
    else
        json_object_set_new(x, "customer", json_null());
    json_object_set_new(x, "shippingAddress", gql_address(o->shipping));
    if (o->n_ship) {
        const struct ship_line *sl = &o->ship[0];
        json_object_set_new(x, "shippingLine",
                            json_pack("{s:s,s:o,s:o,s:o,s:o}", "title", sl->title, "code",
                                      fs_jstr(sl->code), "originalPriceSet",
                                      gql_amount(sl->price, e), "discountedPriceSet",
                                      gql_amount(sl->price - fs_disc_sum(sl->disc, sl->n_disc), e),
                                      "taxLines", gql_tax_lines(sl->tax, sl->n_tax, e)));
    } else {
        json_object_set_new(x, "shippingLine", json_null());
    }
    json_t *nodes = json_array();
    for (size_t i = 0; i < o->n_lines; i++) {
        const struct line *l = &o->lines[i];
        json_t *y = json_object();
        json_object_set_new(y, "id", fs_jgid("LineItem", l->id));
        json_object_set_new(y, "sku", fs_jstr(l->sku));
        json_object_set_new(y, "name", json_string(l->name));
        json_object_set_new(y, "title", json_string(l->title));
        json_object_set_new(y, "variantTitle", fs_jstr(l->variant_title));
        json_object_set_new(y, "quantity", json_integer(l->quantity));
        json_object_set_new(y, "requiresShipping", json_boolean(l->requires_shipping));
        json_object_set_new(y, "variant",
                            l->variant_id ? json_pack("{s:o}", "barcode", fs_jstr(l->barcode))
                                          : json_null());
        json_object_set_new(y, "originalUnitPriceSet", gql_amount(l->price, e));
        json_t *da = json_array();
        for (size_t k = 0; k < l->n_disc; k++)
            json_array_append_new(
                da, json_pack("{s:o}", "allocatedAmountSet", gql_amount(l->disc[k].amount, e)));
        json_object_set_new(y, "discountAllocations", da);
        json_object_set_new(y, "taxLines", gql_tax_lines(l->tax, l->n_tax, e));
        json_array_append_new(nodes, y);
    }
    json_object_set_new(x, "lineItems", nodes);
    json_t *txns = json_array();
    for (size_t i = 0; i < o->n_txns; i++)
        json_array_append_new(txns, gql_txn(&o->txns[i], true, e));
    json_object_set_new(x, "transactions", txns);
    json_t *refunds = json_array();
    for (size_t i = 0; i < o->n_refunds; i++) {
        const struct refund *r = &o->refunds[i];
        json_t *rl = json_array();
        for (size_t k = 0; k < r->n_lines; k++) {
            const struct refund_line *y = &r->lines[k];
            json_array_append_new(rl, json_pack("{s:{s:o},s:I,s:o,s:o,s:o}", "lineItem", "id",
                                                fs_jgid("LineItem", o->lines[y->line].id),
                                                "quantity", (json_int_t)y->quantity, "restockType",
                                                jupper(y->restock_type), "subtotalSet",
                                                gql_amount(y->subtotal, e), "totalTaxSet",
                                                gql_amount(y->tax, e)));
        }
        json_t *rt = json_array();
        if (r->txn >= 0)
            json_array_append_new(rt, gql_txn(&o->txns[r->txn], false, e));
        json_array_append_new(refunds, json_pack("{s:o,s:o,s:o,s:o}", "id",
                                                 fs_jgid("Refund", r->id), "note", fs_jstr(r->note),
                                                 "refundLineItems", rl, "transactions", rt));
    }
    json_object_set_new(x, "refunds", refunds);
    json_t *ful = json_array();
    for (size_t i = 0; i < o->n_fulfillments; i++) {
        const struct fulfillment *f = &o->fulfillments[i];
        json_array_append_new(
            ful, json_pack("{s:o,s:s,s:o}", "id", fs_jgid("Fulfillment", f->id), "status",
                           "SUCCESS", "trackingInfo",
                           gql_tracking(f->tracking_number, f->tracking_company, f->tracking_url)));
    }
    json_object_set_new(x, "fulfillments", ful);
    json_object_set_new(x, "fulfillmentOrders", fs_gql_fulfillment_orders(s, o));
    return x;
}

json_t *fs_gql_fulfillment_orders(struct fs_shop *s, const struct order *o)
{
    json_t *list = json_array();
    for (size_t k = 0; k < fs_fo_count(o); k++) {
        struct fulfillment_order fo = fs_fo_at(o, k);
        json_t *lines = json_array();
        for (size_t i = 0; i < o->n_lines; i++) {
            const struct line *l = &o->lines[i];
            if (fs_fo_of_line(o, i) != k)
                continue;
            json_array_append_new(
                lines,
                json_pack("{s:o,s:I,s:I,s:{s:o,s:o}}", "id",
                          fs_jgid("FulfillmentOrderLineItem", l->fo_line_id), "remainingQuantity",
                          (json_int_t)fs_line_remaining(l), "totalQuantity",
                          (json_int_t)(l->quantity - l->cancelled), "lineItem", "id",
                          fs_jgid("LineItem", l->id), "sku", fs_jstr(l->sku)));
        }
        int li = fs_location_index(s, fo.location_id);
        json_t *holds = json_array();
        if (fo.hold)
            json_array_append_new(
                holds, json_pack("{s:s,s:s}", "reason", "OTHER", "reasonNotes", fo.hold));
        json_array_append_new(
            list,
            json_pack("{s:s,s:o,s:o,s:s,s:s,s:{s:s,s:{s:o}},s:o,s:o,s:o,s:o,s:o}", "__typename",
                      "FulfillmentOrder", "id", fs_jgid("FulfillmentOrder", fo.id), "orderId",
                      fs_jgid("Order", o->id), "status", fs_fo_status_at(o, k), "requestStatus",
                      "UNSUBMITTED", "assignedLocation", "name",
                      li >= 0 ? s->locations[li].name : LOCATION_NAME, "location", "id",
                      fs_jgid("Location", fo.location_id), "lineItems", lines, "createdAt",
                      jtime_gql(o->created_at), "updatedAt", jtime_gql(o->updated_at), "fulfillAt",
                      fo.fulfill_at ? jtime_gql(fo.fulfill_at) : json_null(), "fulfillmentHolds",
                      holds));
    }
    return list;
}

/* ---------------------------------------------------------------- variables */

/* A variable that does not fit its declared type, as GraphQL reports it. */
static void var_error(struct gql *g, const char *name, const char *type, json_t *value,
                      const char *explanation)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "Variable $%s of type %s was provided invalid value", name, type);
    json_array_append_new(g->errors,
                          json_pack("{s:s,s:{s:s,s:O?,s:[{s:[],s:s}]}}", "message", msg,
                                    "extensions", "code", "INVALID_VARIABLE", "value", value,
                                    "problems", "path", "explanation", explanation));
}

static json_t *var(struct gql *g, const char *name)
{
    json_t *v = json_object_get(g->vars, name);
    return json_is_null(v) ? NULL : v;
}

static bool var_int(struct gql *g, const char *name, const char *type, bool required, int64_t min,
                    int64_t max, int64_t *ret)
{
    json_t *v = var(g, name);
    char expl[96];
    if (!v) {
        if (required)
            var_error(g, name, type, NULL, "Expected value to not be null");
        return !required;
    }
    if (!json_is_integer(v)) {
        var_error(g, name, type, v, "Could not coerce value to Int");
        return false;
    }
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(expl, sizeof(expl), "Expected a value from %lld to %lld", (long long)min,
                 (long long)max);
        var_error(g, name, type, v, expl);
        return false;
    }
    *ret = json_integer_value(v);
    return true;
}

static bool var_str(struct gql *g, const char *name, const char *type, bool required,
                    size_t max_len, const char **ret)
{
    json_t *v = var(g, name);
    if (!v) {
        if (required)
            var_error(g, name, type, NULL, "Expected value to not be null");
        return !required;
    }
    if (!json_is_string(v) || json_string_length(v) > max_len ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        var_error(g, name, type, v, "Could not coerce value to String");
        return false;
    }
    *ret = json_string_value(v);
    return true;
}

static bool var_bool(struct gql *g, const char *name, const char *type, bool required, bool *ret)
{
    json_t *v = var(g, name);
    if (!v) {
        if (required)
            var_error(g, name, type, NULL, "Expected value to not be null");
        return !required;
    }
    if (!json_is_boolean(v)) {
        var_error(g, name, type, v, "Could not coerce value to Boolean");
        return false;
    }
    *ret = json_is_true(v);
    return true;
}

/* "gid://shopify/<type>/<digits>" to the number. */
static bool parse_gid(const char *s, const char *type, int64_t *ret)
{
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "gid://shopify/%s/", type);
    size_t pl = strlen(prefix);
    if (!s || strncmp(s, prefix, pl) != 0)
        return false;
    const char *d = s + pl;
    int64_t v = 0;
    size_t n = 0;
    for (; d[n] >= '0' && d[n] <= '9'; n++)
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d[n] - '0', &v))
            return false;
    if (!n || d[n] || v <= 0)
        return false;
    *ret = v;
    return true;
}

static bool var_gid(struct gql *g, const char *name, const char *type, int64_t *ret)
{
    const char *s = NULL;
    if (!var_str(g, name, "ID!", true, 128, &s))
        return false;
    if (!parse_gid(s, type, ret)) {
        fs_gql_error(g, "argumentLiteralsIncompatible", "Invalid global id '%s'", s);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- search, cursors and nested page sizes */

/* The search fields an order answers to (graphql-search.c parses the query). */
static const char *const order_search_fields[] = {
    "updated_at",         "created_at", "processed_at", "status", "financial_status",
    "fulfillment_status", "name",       "email",        "id",     NULL,
};

static bool order_term(const void *obj, const struct fs_search_term *t)
{
    const struct order *o = obj;
    const char *f = t->field;
    if (strcmp(f, "updated_at") == 0)
        return fs_search_time(t, o->updated_at);
    if (strcmp(f, "created_at") == 0 || strcmp(f, "processed_at") == 0)
        return fs_search_time(t, o->created_at);
    if (strcmp(f, "id") == 0)
        return fs_search_id(t, o->id);
    if (strcmp(f, "email") == 0)
        return fs_search_str(t, o->email);
    if (strcmp(f, "financial_status") == 0)
        return strcasecmp(t->value, "any") == 0 || fs_search_str(t, o->financial_status);
    if (strcmp(f, "name") == 0) {
        /* "#1001" or "1001" */
        const char *v = t->value[0] == '#' ? t->value + 1 : t->value;
        struct fs_search_term bare = *t;
        bare.value = (char *)v;
        return fs_search_str(&bare, o->name[0] == '#' ? o->name + 1 : o->name);
    }
    if (strcmp(f, "status") == 0) {
        /* the shop closes no order: open is every order not cancelled */
        if (strcasecmp(t->value, "any") == 0)
            return true;
        if (strcasecmp(t->value, "cancelled") == 0)
            return o->cancelled_at != 0;
        if (strcasecmp(t->value, "open") == 0)
            return o->cancelled_at == 0;
        return false; /* closed */
    }
    if (strcmp(f, "fulfillment_status") == 0) {
        const char *d = display_fulfillment_status(o);
        const char *v = t->value;
        if (strcasecmp(v, "any") == 0)
            return true;
        if (strcasecmp(v, "shipped") == 0 || strcasecmp(v, "fulfilled") == 0)
            return strcmp(d, "FULFILLED") == 0;
        if (strcasecmp(v, "partial") == 0)
            return strcmp(d, "PARTIALLY_FULFILLED") == 0;
        if (strcasecmp(v, "unshipped") == 0 || strcasecmp(v, "unfulfilled") == 0)
            return strcmp(d, "UNFULFILLED") == 0;
        return false;
    }
    return true;
}

/* A connection's sort: the key each object sorts by, ties broken by id. */
enum order_key {
    K_ID,
    K_UPDATED,
    K_CREATED,
    K_NUMBER
};

static int64_t order_key(const struct order *o, enum order_key k)
{
    return k == K_UPDATED   ? o->updated_at
           : k == K_CREATED ? o->created_at
           : k == K_NUMBER  ? o->number
                            : o->id;
}

/* Cursors are opaque to the engine; like Shopify's, base64 of {"last_id","last_value"}:
 * the sort key's value, a time for the time keys. */
static const char *cursor_encode(struct sb_arena *a, const struct order *o, enum order_key k)
{
    char ts[SB_TIME_LEN], raw[128];
    int n;
    if (k == K_UPDATED || k == K_CREATED) {
        sb_time_format(order_key(o, k), ts, sizeof(ts));
        n = snprintf(raw, sizeof(raw), "{\"last_id\":%lld,\"last_value\":\"%s\"}", (long long)o->id,
                     ts);
    } else {
        n = snprintf(raw, sizeof(raw), "{\"last_id\":%lld,\"last_value\":%lld}", (long long)o->id,
                     (long long)order_key(o, k));
    }
    unsigned char out[4 * ((sizeof(raw) + 2) / 3) + 1];
    EVP_EncodeBlock(out, (const unsigned char *)raw, n);
    return sb_arena_strdup(a, (const char *)out);
}

static bool cursor_decode(const char *c, enum order_key k, int64_t *ret_v, int64_t *ret_id)
{
    size_t n = strlen(c);
    unsigned char raw[256];
    if (n < 4 || n % 4 || n / 4 * 3 >= sizeof(raw))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_ident(c[i]) && c[i] != '+' && c[i] != '/' && c[i] != '=')
            return false;
    int m = EVP_DecodeBlock(raw, (const unsigned char *)c, (int)n);
    if (m < 0)
        return false;
    size_t len = (size_t)m - (c[n - 1] == '=') - (c[n - 2] == '=');
    json_t *doc = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *id = json_object_get(doc, "last_id"), *v = json_object_get(doc, "last_value");
    bool ok = json_is_integer(id);
    if (ok && (k == K_UPDATED || k == K_CREATED))
        ok = json_is_string(v) && sb_time_parse(json_string_value(v), ret_v);
    else if (ok)
        ok = json_is_integer(v) && (*ret_v = json_integer_value(v), true);
    if (ok)
        *ret_id = json_integer_value(id);
    json_decref(doc);
    return ok;
}

/* ---------------------------------------------------------------- orders, order, fulfillmentOrders */

struct order_sort {
    enum order_key key;
    bool reverse;
};

/* (key, id), descending when reversed */
static int order_cmp(const struct order_sort *by, const struct order *x, int64_t kv, int64_t id)
{
    int64_t a = order_key(x, by->key);
    int c = a != kv ? (a < kv ? -1 : 1) : (x->id < id ? -1 : x->id > id);
    return by->reverse ? -c : c;
}

static int by_sort(const void *a, const void *b, void *ud)
{
    const struct order *x = *(struct order *const *)a, *y = *(struct order *const *)b;
    const struct order_sort *by = ud;
    return order_cmp(by, x, order_key(y, by->key), y->id);
}

/* Shopify's sort keys of OrderSortKeys that the shop models; the others sort by id. */
static enum order_key order_sort_key(const char *name)
{
    if (!name)
        return K_ID;
    if (strcmp(name, "UPDATED_AT") == 0)
        return K_UPDATED;
    if (strcmp(name, "CREATED_AT") == 0 || strcmp(name, "PROCESSED_AT") == 0)
        return K_CREATED;
    if (strcmp(name, "ORDER_NUMBER") == 0)
        return K_NUMBER;
    return K_ID;
}

/* An argument refused: the request is answered with this error alone and charged nothing
 * (graphql.c), as Shopify refuses arguments before it runs anything. */
static enum sb_gql_outcome refuse(struct gql *g, const struct sb_gql_field_call *call,
                                  struct sb_gql_field_error *ret_error)
{
    json_t *e = json_array_get(g->errors, json_array_size(g->errors) - 1);
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
    ret_error->message = sb_arena_strdup(call->arena, msg ? msg : "invalid arguments");
    ret_error->code = code ? sb_arena_strdup(call->arena, code) : NULL;
    return SB_GQL_ERROR;
}

/* The search query of a connection, with its warnings kept for extensions.search; false
 * with *ret_error set when it does not parse. */
static bool search_for(struct gql *g, const struct sb_gql_field_call *call,
                       const char *const *fields, struct fs_search **ret,
                       struct sb_gql_field_error *ret_error)
{
    const char *q = json_string_value(json_object_get(call->args, "query"));
    *ret = NULL;
    if (!q)
        return true;
    if (!(*ret = fs_search_parse(q, fields))) {
        fs_gql_error(g, "BAD_REQUEST", "fakestore: the search query '%.200s' does not parse", q);
        refuse(g, call, ret_error);
        return false;
    }
    json_t *w = fs_search_warning(*ret, call->response_key, q);
    if (w)
        json_array_append_new(g->warnings, w);
    return true;
}

static const char *const order_time_fields[] = { "updated_at", "created_at", "processed_at", NULL };

static enum sb_gql_outcome field_orders(struct gql *g, const struct sb_gql_field_call *call,
                                        json_t **ret, struct sb_gql_field_error *ret_error)
{
    struct sb_gql_page p;
    if (!sb_gql_page_args(call->args, &p, ret_error))
        return SB_GQL_ERROR;
    /* the arguments as round 1's SbOrders checked them: 1..250, cursors of 1 KiB at most */
    json_t *saved = g->vars;
    int64_t size;
    const char *text;
    g->vars = call->args;
    int64_t cap = g->bulk ? FS_BULK_ALL : SB_GQL_PAGE_MAX;
    bool ok = (!p.has_first || var_int(g, "first", "Int", false, 0, cap, &size)) &&
              (!p.has_last || var_int(g, "last", "Int", false, 0, cap, &size)) &&
              var_str(g, "after", "String", false, 1024, &text) &&
              var_str(g, "before", "String", false, 1024, &text);
    g->vars = saved;
    if (!ok)
        return refuse(g, call, ret_error);
    enum order_key k = order_sort_key(json_string_value(json_object_get(call->args, "sortKey")));
    int64_t after_v = 0, after_id = 0, before_v = 0, before_id = 0;
    if ((p.after && !cursor_decode(p.after, k, &after_v, &after_id)) ||
        (p.before && !cursor_decode(p.before, k, &before_v, &before_id))) {
        fs_gql_error(g, "BAD_REQUEST", "Invalid cursor for current pagination sort.");
        return refuse(g, call, ret_error);
    }
    struct fs_search *search;
    if (!search_for(g, call, order_search_fields, &search, ret_error))
        return SB_GQL_ERROR;
    const struct fs_search_term *bad = fs_search_bad_time(search, order_time_fields);
    if (bad) {
        fs_gql_error(g, "BAD_REQUEST", "not a date or time in search '%.200s': %s:%.64s",
                     json_string_value(json_object_get(call->args, "query")), bad->field,
                     bad->value);
        fs_search_free(search);
        return refuse(g, call, ret_error);
    }
    struct fs_shop *s = g->s;
    struct order **sel = malloc((s->n_orders ? s->n_orders : 1) * sizeof(*sel));
    size_t n = 0;
    if (!sel) {
        fs_search_free(search);
        return SB_GQL_ERROR;
    }
    for (size_t i = 0; i < s->n_orders; i++)
        if (fs_search_matches(search, order_term, s->orders[i]) &&
            fs_app_order_visible(s, s->orders[i]->created_at))
            sel[n++] = s->orders[i];
    fs_search_free(search);
    struct order_sort by = { .key = k, .reverse = p.reverse };
    qsort_r(sel, n, sizeof(*sel), by_sort, &by);
    size_t from = 0, to = n;
    if (p.after)
        while (from < n && order_cmp(&by, sel[from], after_v, after_id) <= 0)
            from++;
    if (p.before)
        while (to > from && order_cmp(&by, sel[to - 1], before_v, before_id) >= 0)
            to--;
    bool prev = from > 0, next = to < n;
    if (p.has_first && (int64_t)(to - from) > p.first)
        to = from + (size_t)p.first, next = true;
    if (p.has_last && (int64_t)(to - from) > p.last)
        from = to - (size_t)p.last, prev = true;
    json_t *nodes = json_array();
    const char **cursors = sb_arena_alloc(call->arena, (to - from + 1) * sizeof(*cursors));
    for (size_t i = from; cursors && i < to; i++) {
        json_array_append_new(nodes, gql_order(s, sel[i]));
        cursors[i - from] = cursor_encode(call->arena, sel[i], k);
    }
    free(sel);
    *ret = cursors ? sb_gql_connection(nodes, cursors, next, prev) : NULL;
    if (!cursors)
        json_decref(nodes);
    return *ret ? SB_GQL_VALUE : SB_GQL_ERROR;
}

/* ---------------------------------------------------------------- fulfillmentCreate */

static bool str_or_null(json_t *v, size_t max)
{
    return !v || json_is_null(v) ||
           (json_is_string(v) && json_string_length(v) <= max &&
            strlen(json_string_value(v)) == json_string_length(v));
}

/* FulfillmentInput's shape; NULL when it fits, else what is wrong. */
static const char *check_fulfillment_input(json_t *in)
{
    const char *key, *k2, *k3;
    json_t *v, *v2, *v3;
    size_t i, j;
    json_t *e, *li;
    if (!json_is_object(in))
        return "Expected value to be an object (FulfillmentInput)";
    json_object_foreach(in, key, v)
    {
        if (strcmp(key, "lineItemsByFulfillmentOrder") == 0) {
            if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 20)
                return "lineItemsByFulfillmentOrder must list 1 to 20 fulfillment orders";
            json_array_foreach(v, i, e)
            {
                if (!json_is_object(e) || !json_is_string(json_object_get(e, "fulfillmentOrderId")))
                    return "lineItemsByFulfillmentOrder entries need a fulfillmentOrderId (ID!)";
                json_object_foreach(e, k2, v2)
                {
                    if (strcmp(k2, "fulfillmentOrderId") == 0) {
                        if (!str_or_null(v2, 128))
                            return "fulfillmentOrderId is too long";
                        continue;
                    }
                    if (strcmp(k2, "fulfillmentOrderLineItems") != 0)
                        return "Field is not defined on FulfillmentOrderLineItemsInput";
                    if (json_is_null(v2))
                        continue;
                    if (!json_is_array(v2) || json_array_size(v2) > MAX_LINES)
                        return "fulfillmentOrderLineItems must be a list of at most 250";
                    json_array_foreach(v2, j, li)
                    {
                        if (!json_is_object(li) || !json_is_string(json_object_get(li, "id")) ||
                            !str_or_null(json_object_get(li, "id"), 128) ||
                            !json_is_integer(json_object_get(li, "quantity")) ||
                            json_integer_value(json_object_get(li, "quantity")) < 1 ||
                            json_integer_value(json_object_get(li, "quantity")) > QTY_MAX)
                            return "fulfillmentOrderLineItems entries need id (ID!) and a "
                                   "positive quantity (Int!)";
                        json_object_foreach(li, k3, v3)
                        {
                            if (strcmp(k3, "id") != 0 && strcmp(k3, "quantity") != 0)
                                return "Field is not defined on FulfillmentOrderLineItemInput";
                        }
                    }
                }
            }
        } else if (strcmp(key, "trackingInfo") == 0) {
            if (json_is_null(v))
                continue;
            if (!json_is_object(v))
                return "trackingInfo must be an object (FulfillmentTrackingInput)";
            json_object_foreach(v, k2, v2)
            {
                if (strcmp(k2, "number") == 0 || strcmp(k2, "company") == 0 ||
                    strcmp(k2, "url") == 0) {
                    if (!str_or_null(v2, STR_MAX))
                        return "trackingInfo number, company and url must be strings";
                } else if (strcmp(k2, "numbers") == 0 || strcmp(k2, "urls") == 0) {
                    if (json_is_null(v2))
                        continue;
                    if (!json_is_array(v2) || json_array_size(v2) > 20)
                        return "trackingInfo numbers and urls must be lists of strings";
                    json_array_foreach(v2, j, li)
                    {
                        if (!json_is_string(li) || !str_or_null(li, STR_MAX))
                            return "trackingInfo numbers and urls must be lists of strings";
                    }
                } else {
                    return "Field is not defined on FulfillmentTrackingInput";
                }
            }
        } else if (strcmp(key, "notifyCustomer") == 0) {
            if (!json_is_null(v) && !json_is_boolean(v))
                return "notifyCustomer must be a Boolean";
        } else if (strcmp(key, "originAddress") == 0) {
            if (!json_is_null(v) && !json_is_object(v))
                return "originAddress must be an object";
        } else {
            return "Field is not defined on FulfillmentInput";
        }
    }
    if (!json_object_get(in, "lineItemsByFulfillmentOrder"))
        return "lineItemsByFulfillmentOrder: Expected value to not be null";
    return NULL;
}

static bool prep_fulfillment_create(struct gql *g)
{
    g->requested = 10;
    json_t *in = var(g, "fulfillment");
    if (!in) {
        var_error(g, "fulfillment", "FulfillmentInput!", NULL, "Expected value to not be null");
        return false;
    }
    const char *why = check_fulfillment_input(in);
    if (why) {
        var_error(g, "fulfillment", "FulfillmentInput!", in, why);
        return false;
    }
    return true;
}

static void user_error(json_t *errors, json_t *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void user_error(json_t *errors, json_t *field, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:o,s:s}", "field", field, "message", msg);
    if (code)
        json_object_set_new(e, "code", json_string(code));
    json_array_append_new(errors, e);
}

static json_t *field_path(const char *a, const char *b, const char *c)
{
    json_t *f = json_array();
    json_array_append_new(f, json_string(a));
    if (b)
        json_array_append_new(f, json_string(b));
    if (c)
        json_array_append_new(f, json_string(c));
    return f;
}

static const char *str_member(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void log_engine_action(json_t *log, json_t *rec)
{
    if (json_array_size(log) >= MAX_ENGINE_LOG)
        json_array_remove(log, 0);
    json_array_append_new(log, rec);
}

static struct order *find_order_by_fo(struct fs_shop *s, int64_t fo_id, size_t *ret_k)
{
    for (size_t i = 0; i < s->n_orders; i++) {
        long k = fs_fo_find(s->orders[i], fo_id);
        if (k >= 0) {
            *ret_k = (size_t)k;
            return s->orders[i];
        }
    }
    return NULL;
}

static json_t *run_fulfillment_create(struct gql *g)
{
    struct fs_shop *s = g->s;
    json_t *in = var(g, "fulfillment");
    json_t *list = json_object_get(in, "lineItemsByFulfillmentOrder");
    json_t *uerr = json_array();
    json_t *first = json_array_get(list, 0);
    const char *fo_gid = str_member(first, "fulfillmentOrderId");
    int64_t fo_id = 0;
    size_t fo_k = 0;
    struct order *o =
        parse_gid(fo_gid, "FulfillmentOrder", &fo_id) ? find_order_by_fo(s, fo_id, &fo_k) : NULL;
    struct ful_req *rq = NULL;
    size_t n = 0;
    struct fulfillment *f = NULL;
    for (size_t i = 1; i < json_array_size(list); i++)
        if (strcmp(str_member(json_array_get(list, i), "fulfillmentOrderId"), fo_gid) == 0) {
            user_error(uerr, field_path("fulfillment", "lineItemsByFulfillmentOrder", NULL), NULL,
                       "Fulfillment order ids must be unique.");
            goto out;
        }
    if (!o) {
        user_error(uerr,
                   field_path("fulfillment", "lineItemsByFulfillmentOrder", "fulfillmentOrderId"),
                   NULL, "Fulfillment order does not exist.");
        goto out;
    }
    if (json_array_size(list) > 1) {
        user_error(uerr, field_path("fulfillment", "lineItemsByFulfillmentOrder", NULL), NULL,
                   "fakestore fulfils one fulfillment order per fulfillmentCreate (see "
                   "docs/fakestore.md).");
        goto out;
    }
    const char *st = fs_fo_status_at(o, fo_k);
    if (strcmp(st, "OPEN") != 0 && strcmp(st, "IN_PROGRESS") != 0) {
        char low[32];
        snprintf(low, sizeof(low), "%s", st);
        for (char *c = low; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        user_error(uerr, field_path("fulfillment", "lineItemsByFulfillmentOrder", NULL), NULL,
                   "Fulfillment order %s has an unfulfillable status= %s.", fo_gid, low);
        goto out;
    }
    json_t *items = json_object_get(first, "fulfillmentOrderLineItems");
    size_t ni = json_is_array(items) ? json_array_size(items) : 0;
    rq = calloc(ni ? ni : (o->n_lines ? o->n_lines : 1), sizeof(*rq));
    if (!rq) {
        user_error(uerr, field_path("fulfillment", NULL, NULL), NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ni; i++) {
        json_t *li = json_array_get(items, i);
        int64_t lid = 0;
        long line = -1;
        if (parse_gid(str_member(li, "id"), "FulfillmentOrderLineItem", &lid))
            for (size_t k = 0; k < o->n_lines; k++)
                if (o->lines[k].fo_line_id == lid && fs_fo_of_line(o, k) == fo_k)
                    line = (long)k;
        if (line < 0) {
            user_error(uerr,
                       field_path("fulfillment", "lineItemsByFulfillmentOrder",
                                  "fulfillmentOrderLineItems"),
                       NULL, "Fulfillment order line item %s does not exist in %s.",
                       str_member(li, "id"), fo_gid);
            goto out;
        }
        rq[n++] =
            (struct ful_req){ (size_t)line, json_integer_value(json_object_get(li, "quantity")) };
    }
    if (!ni) /* the whole of what this fulfillment order has left */
        for (size_t k = 0; k < o->n_lines; k++)
            if (fs_fo_of_line(o, k) == fo_k && fs_line_remaining(&o->lines[k]))
                rq[n++] = (struct ful_req){ k, fs_line_remaining(&o->lines[k]) };
    json_t *ti = json_object_get(in, "trackingInfo");
    const char *number = str_member(ti, "number"), *company = str_member(ti, "company"),
               *url = str_member(ti, "url");
    if (!number)
        number = json_string_value(json_array_get(json_object_get(ti, "numbers"), 0));
    if (!url)
        url = json_string_value(json_array_get(json_object_get(ti, "urls"), 0));
    const char *number_c = number ? sb_arena_strdup(o->arena, number) : NULL;
    const char *company_c = company ? sb_arena_strdup(o->arena, company) : NULL;
    const char *url_c = url ? sb_arena_strdup(o->arena, url) : NULL;
    sb_err err = fs_order_fulfill(s, o, rq, n, number_c, company_c, url_c, &f);
    if (err) {
        f = NULL;
        user_error(uerr, field_path("fulfillment", NULL, NULL), NULL, "%s", sb_err_last()->message);
        goto out;
    }
    bool notify = json_is_true(json_object_get(in, "notifyCustomer"));
    json_t *lines = json_array();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(lines, json_pack("{s:I,s:I}", "line_item_id",
                                               (json_int_t)o->lines[f->lines[i]].id, "quantity",
                                               (json_int_t)f->qty[i]));
    json_t *rec = json_object();
    json_object_set_new(rec, "id", json_integer(f->id));
    json_object_set_new(rec, "gid", fs_jgid("Fulfillment", f->id));
    json_object_set_new(rec, "order_id", json_integer(o->id));
    json_object_set_new(rec, "order_name", json_string(o->name));
    json_object_set_new(rec, "fulfillment_order_id", json_string(fo_gid));
    json_object_set_new(rec, "tracking_number", fs_jstr(f->tracking_number));
    json_object_set_new(rec, "tracking_company", fs_jstr(f->tracking_company));
    json_object_set_new(rec, "tracking_url", fs_jstr(f->tracking_url));
    json_object_set_new(rec, "notify_customer", json_boolean(notify));
    json_object_set_new(rec, "line_items", lines);
    json_object_set_new(rec, "created_at", jtime_gql(f->created_at));
    log_engine_action(s->api_fulfillments, rec);
    fs_ev_add(&g->ev, "fulfillments/create", fs_rest_fulfillment(o, f, o->n_fulfillments - 1),
              o->id);
    fs_ev_order(&g->ev, "orders/updated", o);
out:
    free(rq);
    json_t *fj =
        f ? json_pack("{s:o,s:s,s:o}", "id", fs_jgid("Fulfillment", f->id), "status", "SUCCESS",
                      "trackingInfo",
                      gql_tracking(f->tracking_number, f->tracking_company, f->tracking_url))
          : json_null();
    return json_pack("{s:{s:o,s:o}}", "fulfillmentCreate", "fulfillment", fj, "userErrors", uerr);
}

/* ---------------------------------------------------------------- orderCancel */

static const char *const cancel_reasons[] = { "CUSTOMER", "DECLINED", "FRAUD", "INVENTORY",
                                              "OTHER",    "STAFF",    NULL };

static bool prep_order_cancel(struct gql *g)
{
    const char *reason = NULL, *note = NULL;
    bool b;
    g->requested = 10;
    if (!var_gid(g, "orderId", "Order", &g->id) ||
        !var_str(g, "reason", "OrderCancelReason!", true, 32, &reason) ||
        !var_bool(g, "restock", "Boolean!", true, &b) ||
        !var_bool(g, "refund", "Boolean", false, &b) ||
        !var_bool(g, "notifyCustomer", "Boolean", false, &b) ||
        !var_str(g, "staffNote", "String", false, STR_MAX, &note))
        return false;
    for (size_t i = 0; cancel_reasons[i]; i++)
        if (strcmp(reason, cancel_reasons[i]) == 0)
            return true;
    var_error(g, "reason", "OrderCancelReason!", var(g, "reason"),
              "Expected one of CUSTOMER, DECLINED, FRAUD, INVENTORY, OTHER, STAFF");
    return false;
}

static json_t *run_order_cancel(struct gql *g)
{
    struct fs_shop *s = g->s;
    json_t *errs = json_array(), *legacy = json_array(), *job = json_null();
    struct order *o = fs_find_order(s, g->id);
    const char *reason = json_string_value(var(g, "reason"));
    /* refund (deprecated) or refundMethod { originalPaymentMethodsRefund } (2026-10) */
    bool restock = json_is_true(var(g, "restock")),
         refund =
             json_is_true(var(g, "refund")) ||
             json_is_true(json_object_get(var(g, "refundMethod"), "originalPaymentMethodsRefund"));
    if (!o) {
        user_error(errs, field_path("orderId", NULL, NULL), "NOT_FOUND", "Order does not exist");
        user_error(legacy, field_path("orderId", NULL, NULL), NULL, "Order does not exist");
        goto out;
    }
    char low[16];
    snprintf(low, sizeof(low), "%s", reason);
    for (char *c = low; *c; c++)
        *c = (char)(*c - 'A' + 'a');
    const char *reason_c = sb_arena_strdup(o->arena, low);
    struct refund *r = NULL;
    sb_err err = reason_c ? fs_order_cancel(s, o, reason_c, refund, restock, &r)
                          : sb_fail(SB_ENOMEM, NULL, NULL);
    if (err) {
        const char *msg =
            o->cancelled_at ? "Order has already been cancelled" : sb_err_last()->message;
        user_error(errs, field_path("orderId", NULL, NULL), "INVALID", "%s", msg);
        user_error(legacy, field_path("orderId", NULL, NULL), NULL, "%s", msg);
        goto out;
    }
    char job_id[40], job_gid[80];
    fs_uuid4(job_id);
    snprintf(job_gid, sizeof(job_gid), "gid://shopify/Job/%s", job_id);
    json_decref(job);
    /* The cancellation is applied before this answer; done stays false as on Shopify,
     * where the job finishes later. */
    job = json_pack("{s:s,s:b}", "id", job_gid, "done", false);
    json_t *rec = json_object();
    json_object_set_new(rec, "order_id", json_integer(o->id));
    json_object_set_new(rec, "order_name", json_string(o->name));
    json_object_set_new(rec, "reason", json_string(reason));
    json_object_set_new(rec, "restock", json_boolean(restock));
    json_object_set_new(rec, "refund", json_boolean(refund));
    json_object_set_new(rec, "notify_customer",
                        json_boolean(json_is_true(var(g, "notifyCustomer"))));
    json_object_set_new(rec, "staff_note", fs_jstr(json_string_value(var(g, "staffNote"))));
    json_object_set_new(
        rec, "refunded",
        fs_jmoney(r && r->txn >= 0 ? o->txns[r->txn].amount : 0, fs_exp(o->currency)));
    json_object_set_new(rec, "job_id", json_string(job_gid));
    json_object_set_new(rec, "cancelled_at", jtime_gql(o->cancelled_at));
    log_engine_action(s->api_cancellations, rec);
    fs_ev_order(&g->ev, "orders/cancelled", o);
out:
    return json_pack("{s:{s:o,s:o,s:o}}", "orderCancel", "job", job, "orderCancelUserErrors", errs,
                     "userErrors", legacy);
}

/* ---------------------------------------------------------------- the fields */

json_t *fs_gql_order_json(struct fs_shop *s, int64_t id)
{
    struct order *o = fs_find_order(s, id);
    return o ? gql_order(s, o) : json_null();
}

static enum sb_gql_outcome field_order(struct gql *g, const struct sb_gql_field_call *call,
                                       json_t **ret, struct sb_gql_field_error *ret_error)
{
    int64_t id = 0;
    const char *gid = json_string_value(json_object_get(call->args, "id"));
    if (!parse_gid(gid, "Order", &id)) {
        ret_error->message = sb_arena_printf(call->arena, "Invalid global id '%s'", gid);
        ret_error->code = "argumentLiteralsIncompatible";
        return SB_GQL_ERROR;
    }
    struct order *o = fs_find_order(g->s, id);
    /* without read_all_orders an order older than 60 days is not there for the app (app.c) */
    *ret = o && fs_app_order_visible(g->s, o->created_at) ? gql_order(g->s, o) : NULL;
    return SB_GQL_VALUE;
}

static enum sb_gql_outcome field_fulfillment_create(struct gql *g,
                                                    const struct sb_gql_field_call *call,
                                                    json_t **ret,
                                                    struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, prep_fulfillment_create, run_fulfillment_create, ret, ret_error);
}

static enum sb_gql_outcome field_order_cancel(struct gql *g, const struct sb_gql_field_call *call,
                                              json_t **ret, struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, prep_order_cancel, run_order_cancel, ret, ret_error);
}

const struct fs_gql_field fs_gql_order_fields[] = {
    { "QueryRoot", "orders", field_orders },
    { "QueryRoot", "order", field_order },
    { "Mutation", "fulfillmentCreate", field_fulfillment_create },
    { "Mutation", "orderCancel", field_order_cancel },
    { NULL, NULL, NULL },
};

/* ---------------------------------------------------------------- helpers for the other operation files */

json_t *fs_gql_var(struct gql *g, const char *name)
{
    return var(g, name);
}

void fs_gql_var_error(struct gql *g, const char *name, const char *type, json_t *value,
                      const char *explanation)
{
    var_error(g, name, type, value, explanation);
}

bool fs_gql_var_int(struct gql *g, const char *name, const char *type, bool required, int64_t min,
                    int64_t max, int64_t *ret)
{
    return var_int(g, name, type, required, min, max, ret);
}

bool fs_gql_var_str(struct gql *g, const char *name, const char *type, bool required,
                    size_t max_len, const char **ret)
{
    return var_str(g, name, type, required, max_len, ret);
}

bool fs_gql_var_gid(struct gql *g, const char *name, const char *type, int64_t *ret)
{
    return var_gid(g, name, type, ret);
}

bool fs_gql_parse_gid(const char *s, const char *type, int64_t *ret)
{
    return parse_gid(s, type, ret);
}

void fs_gql_user_error(json_t *errors, json_t *field, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    user_error(errors, field, code, "%s", msg);
}
