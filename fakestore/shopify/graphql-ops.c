/*
 * The Admin GraphQL operations of the engine's contract (docs/fakestore.md and
 * the queries in src/channel/shopify.c), answered in Shopify's shapes: SbOrders,
 * SbOrder, SbFulfillmentOrders, SbFulfillmentCreate and SbOrderCancel (the stock
 * and price operations are in inventory.c, listed in the table below). The
 * documents are not parsed: each operation checks its variables against
 * their declared types and sets its requested cost (prepare), then runs
 * under the lock and sets its actual cost (run). Here too is what they
 * need: the GraphQL rendering of an order (UTC times, gids, money bags),
 * nested lists cut at the literal `first` the document gives them, the
 * updated_at/created_at search, and cursors, opaque like Shopify's, that
 * page through orders in updatedAt order.
 */
#include "graphql.h"
#include "app.h"

#include "core/money.h"
#include "util/timeutil.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* How many entries of each nested list the document asked for: the literal `first` of
 * lineItems, transactions, refunds, refundLineItems, the refunds' transactions and
 * fulfillments, in the contract's order; the contract's sizes when not given. */
struct gql_sizes {
    size_t lines, txns, refunds, refund_lines, refund_txns, fulfillments;
};

static const struct gql_sizes contract_sizes = { 250, 50, 50, 250, 20, 20 };

/* A connection's nodes with pageInfo { hasNextPage }, as Shopify answers a cut list. */
static json_t *gql_connection(json_t *nodes, bool more)
{
    return json_pack("{s:{s:b},s:o}", "pageInfo", "hasNextPage", more, "nodes", nodes);
}

static json_t *gql_order(const struct order *o, const struct gql_sizes *sz)
{
    struct totals t;
    fs_order_totals(o, &t);
    const char *cur = o->currency;
    int e = fs_exp(cur);
    char legacy[24];
    snprintf(legacy, sizeof(legacy), "%lld", (long long)o->id);
    json_t *x = json_object();
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
            json_pack("{s:o,s:o,s:o,s:o}", "firstName", fs_jstr(o->customer->first_name),
                      "lastName", fs_jstr(o->customer->last_name), "email",
                      fs_jstr(o->customer->email), "phone", fs_jstr(o->customer->phone)));
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
    for (size_t i = 0; i < o->n_lines && i < sz->lines; i++) {
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
    json_object_set_new(x, "lineItems", gql_connection(nodes, o->n_lines > sz->lines));
    json_t *txns = json_array();
    for (size_t i = 0; i < o->n_txns && i < sz->txns; i++)
        json_array_append_new(txns, gql_txn(&o->txns[i], true, e));
    json_object_set_new(x, "transactions", txns);
    json_t *refunds = json_array();
    for (size_t i = 0; i < o->n_refunds && i < sz->refunds; i++) {
        const struct refund *r = &o->refunds[i];
        json_t *rl = json_array();
        for (size_t k = 0; k < r->n_lines && k < sz->refund_lines; k++) {
            const struct refund_line *y = &r->lines[k];
            json_array_append_new(rl, json_pack("{s:{s:o},s:I,s:o,s:o,s:o}", "lineItem", "id",
                                                fs_jgid("LineItem", o->lines[y->line].id),
                                                "quantity", (json_int_t)y->quantity, "restockType",
                                                jupper(y->restock_type), "subtotalSet",
                                                gql_amount(y->subtotal, e), "totalTaxSet",
                                                gql_amount(y->tax, e)));
        }
        json_t *rt = json_array();
        if (r->txn >= 0 && sz->refund_txns > 0)
            json_array_append_new(rt, gql_txn(&o->txns[r->txn], false, e));
        json_array_append_new(
            refunds,
            json_pack("{s:o,s:o,s:o,s:o}", "id", fs_jgid("Refund", r->id), "note", fs_jstr(r->note),
                      "refundLineItems", gql_connection(rl, r->n_lines > sz->refund_lines),
                      "transactions", gql_connection(rt, r->txn >= 0 && sz->refund_txns == 0)));
    }
    json_object_set_new(x, "refunds", refunds);
    json_t *ful = json_array();
    for (size_t i = 0; i < o->n_fulfillments && i < sz->fulfillments; i++) {
        const struct fulfillment *f = &o->fulfillments[i];
        json_array_append_new(
            ful, json_pack("{s:o,s:s,s:o}", "id", fs_jgid("Fulfillment", f->id), "status",
                           "SUCCESS", "trackingInfo",
                           gql_tracking(f->tracking_number, f->tracking_company, f->tracking_url)));
    }
    json_object_set_new(x, "fulfillments", ful);
    return x;
}

static json_t *gql_fulfillment_orders(const struct order *o)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < o->n_lines; i++) {
        const struct line *l = &o->lines[i];
        json_array_append_new(lines,
                              json_pack("{s:o,s:I,s:I,s:{s:o}}", "id",
                                        fs_jgid("FulfillmentOrderLineItem", l->fo_line_id),
                                        "remainingQuantity", (json_int_t)fs_line_remaining(l),
                                        "totalQuantity", (json_int_t)(l->quantity - l->cancelled),
                                        "lineItem", "id", fs_jgid("LineItem", l->id)));
    }
    json_t *fo =
        json_pack("{s:o,s:s,s:{s:s,s:{s:o}},s:{s:o}}", "id", fs_jgid("FulfillmentOrder", o->fo_id),
                  "status", fs_fo_status(o), "assignedLocation", "name", LOCATION_NAME, "location",
                  "id", fs_jgid("Location", LOCATION_ID), "lineItems", "nodes", lines);
    json_t *nodes = json_array();
    json_array_append_new(nodes, fo);
    return json_pack("{s:{s:o}}", "fulfillmentOrders", "nodes", nodes);
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

/* Shopify's search syntax, the part the engine uses: updated_at / created_at with
 * >, >=, <, <= or equality, values quoted or bare, terms joined by spaces or AND. */
static bool parse_search(struct gql *g, const char *q)
{
    const char *p = q;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            return true;
        if (strncmp(p, "AND", 3) == 0 && (p[3] == ' ' || !p[3])) {
            p += 3;
            continue;
        }
        struct cond c;
        if (strncmp(p, "updated_at:", 11) == 0) {
            c.field = F_UPDATED;
            p += 11;
        } else if (strncmp(p, "created_at:", 11) == 0) {
            c.field = F_CREATED;
            p += 11;
        } else {
            fs_gql_error(g, "BAD_REQUEST",
                         "fakestore: unsupported search term in '%s' (only updated_at and "
                         "created_at comparisons are modelled)",
                         q);
            return false;
        }
        if (p[0] == '>' && p[1] == '=')
            c.op = C_GE, p += 2;
        else if (p[0] == '<' && p[1] == '=')
            c.op = C_LE, p += 2;
        else if (p[0] == '>')
            c.op = C_GT, p++;
        else if (p[0] == '<')
            c.op = C_LT, p++;
        else
            c.op = C_EQ;
        char value[48];
        size_t n = 0;
        if (*p == '\'' || *p == '"') {
            char quote = *p++;
            while (*p && *p != quote && n + 1 < sizeof(value))
                value[n++] = *p++;
            if (*p != quote) {
                fs_gql_error(g, "BAD_REQUEST", "unterminated or overlong value in search '%s'", q);
                return false;
            }
            p++;
        } else {
            while (*p && *p != ' ' && n + 1 < sizeof(value))
                value[n++] = *p++;
        }
        value[n] = '\0';
        if (!sb_time_parse(value, &c.t)) {
            fs_gql_error(g, "BAD_REQUEST", "not a date or time in search '%s'", q);
            return false;
        }
        if (g->n_conds == MAX_CONDS) {
            fs_gql_error(g, "BAD_REQUEST", "too many search terms in '%s'", q);
            return false;
        }
        g->conds[g->n_conds++] = c;
    }
}

static bool matches(const struct gql *g, const struct order *o)
{
    for (size_t i = 0; i < g->n_conds; i++) {
        const struct cond *c = &g->conds[i];
        int64_t v = c->field == F_UPDATED ? o->updated_at : o->created_at;
        bool ok = c->op == C_GT   ? v > c->t
                  : c->op == C_GE ? v >= c->t
                  : c->op == C_LT ? v < c->t
                  : c->op == C_LE ? v <= c->t
                                  : v == c->t;
        if (!ok)
            return false;
    }
    return true;
}

/* Cursors are opaque to the engine; like Shopify's, base64 of {"last_id","last_value"}. */
static json_t *cursor_encode(const struct order *o)
{
    char ts[SB_TIME_LEN], raw[128];
    sb_time_format(o->updated_at, ts, sizeof(ts));
    int n = snprintf(raw, sizeof(raw), "{\"last_id\":%lld,\"last_value\":\"%s\"}", (long long)o->id,
                     ts);
    unsigned char out[4 * ((sizeof(raw) + 2) / 3) + 1];
    EVP_EncodeBlock(out, (const unsigned char *)raw, n);
    return json_string((const char *)out);
}

static bool cursor_decode(const char *c, int64_t *ret_t, int64_t *ret_id)
{
    size_t n = strlen(c);
    unsigned char raw[256];
    if (n == 0 || n % 4 || n / 4 * 3 >= sizeof(raw))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_ident(c[i]) && c[i] != '+' && c[i] != '/' && c[i] != '=')
            return false;
    int m = EVP_DecodeBlock(raw, (const unsigned char *)c, (int)n);
    if (m < 0)
        return false;
    size_t len = (size_t)m - (c[n - 1] == '=') - (c[n - 2] == '=');
    json_t *doc = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *id = json_object_get(doc, "last_id");
    const char *v = json_string_value(json_object_get(doc, "last_value"));
    bool ok = json_is_integer(id) && v && sb_time_parse(v, ret_t);
    if (ok)
        *ret_id = json_integer_value(id);
    json_decref(doc);
    return ok;
}

/* The literal N of the nth "name(first: N" in the document, else def. Only the list's own
 * name matches: "lineItems" is not found inside "refundLineItems". */
static size_t doc_first(const char *q, const char *name, int nth, size_t def)
{
    size_t n = strlen(name);
    for (const char *p = strstr(q, name); p; p = strstr(p + n, name)) {
        if ((p > q && is_ident(p[-1])) || is_ident(p[n]))
            continue;
        const char *r = p + n;
        while (is_space(*r))
            r++;
        if (*r++ != '(')
            continue;
        while (is_space(*r))
            r++;
        if (strncmp(r, "first", 5) != 0)
            continue;
        r += 5;
        while (is_space(*r))
            r++;
        if (*r++ != ':')
            continue;
        while (is_space(*r))
            r++;
        if (nth-- > 0)
            continue;
        size_t v = 0, digits = 0;
        while (*r >= '0' && *r <= '9' && digits < 4)
            v = v * 10 + (size_t)(*r++ - '0'), digits++;
        return digits && v >= 1 && v <= 250 ? v : def;
    }
    return def;
}

static struct gql_sizes doc_sizes(const char *q)
{
    const struct gql_sizes *d = &contract_sizes;
    /* Order-level transactions come before the refunds' own, as in the contract. */
    return (struct gql_sizes){ doc_first(q, "lineItems", 0, d->lines),
                               doc_first(q, "transactions", 0, d->txns),
                               doc_first(q, "refunds", 0, d->refunds),
                               doc_first(q, "refundLineItems", 0, d->refund_lines),
                               doc_first(q, "transactions", 1, d->refund_txns),
                               doc_first(q, "fulfillments", 0, d->fulfillments) };
}

/* ---------------------------------------------------------------- orders, order, fulfillmentOrders */

static bool prep_orders(struct gql *g)
{
    const char *after = NULL, *query = NULL;
    if (!var_int(g, "first", "Int!", true, 1, 250, &g->first) ||
        !var_str(g, "after", "String", false, 1024, &after) ||
        !var_str(g, "query", "String", false, 1024, &query))
        return false;
    if (query && !parse_search(g, query))
        return false;
    if (after) {
        if (!cursor_decode(after, &g->cur_t, &g->cur_id)) {
            fs_gql_error(g, "BAD_REQUEST", "Invalid cursor for current pagination sort.");
            return false;
        }
        g->has_cursor = true;
    }
    g->requested = 2 + (int)g->first;
    return true;
}

static int by_updated(const void *a, const void *b)
{
    const struct order *x = *(struct order *const *)a, *y = *(struct order *const *)b;
    if (x->updated_at != y->updated_at)
        return x->updated_at < y->updated_at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static json_t *run_orders(struct gql *g)
{
    struct fs_shop *s = g->s;
    struct order **sel = malloc((s->n_orders ? s->n_orders : 1) * sizeof(*sel));
    json_t *nodes = json_array();
    size_t n = 0, taken = 0, i = 0;
    if (sel) {
        for (size_t k = 0; k < s->n_orders; k++)
            if (matches(g, s->orders[k]))
                sel[n++] = s->orders[k];
        qsort(sel, n, sizeof(*sel), by_updated);
        if (g->has_cursor)
            while (i < n && (sel[i]->updated_at < g->cur_t ||
                             (sel[i]->updated_at == g->cur_t && sel[i]->id <= g->cur_id)))
                i++;
    }
    size_t start = i;
    struct gql_sizes sz = doc_sizes(g->query);
    for (; i < n && taken < (size_t)g->first; i++, taken++)
        json_array_append_new(nodes, gql_order(sel[i], &sz));
    json_t *page =
        json_pack("{s:b,s:b,s:o,s:o}", "hasNextPage", i < n, "hasPreviousPage", g->has_cursor,
                  "startCursor", taken ? cursor_encode(sel[start]) : json_null(), "endCursor",
                  taken ? cursor_encode(sel[i - 1]) : json_null());
    free(sel);
    g->actual = 2 + (int)taken;
    return json_pack("{s:{s:o,s:o}}", "orders", "pageInfo", page, "nodes", nodes);
}

static bool prep_order(struct gql *g)
{
    g->requested = 2;
    return var_gid(g, "id", "Order", &g->id);
}

static json_t *run_order(struct gql *g)
{
    struct order *o = fs_find_order(g->s, g->id);
    g->actual = o ? 2 : 1;
    struct gql_sizes sz = doc_sizes(g->query);
    return json_pack("{s:o}", "order", o ? gql_order(o, &sz) : json_null());
}

static bool prep_fulfillment_orders(struct gql *g)
{
    g->requested = 3;
    return var_gid(g, "id", "Order", &g->id);
}

static json_t *run_fulfillment_orders(struct gql *g)
{
    struct order *o = fs_find_order(g->s, g->id);
    g->actual = o ? 3 : 1;
    return json_pack("{s:o}", "order", o ? gql_fulfillment_orders(o) : json_null());
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

static struct order *find_order_by_fo(struct fs_shop *s, int64_t fo_id)
{
    for (size_t i = 0; i < s->n_orders; i++)
        if (s->orders[i]->fo_id == fo_id)
            return s->orders[i];
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
    struct order *o =
        parse_gid(fo_gid, "FulfillmentOrder", &fo_id) ? find_order_by_fo(s, fo_id) : NULL;
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
                   "All fulfillment orders must belong to the same order; each order here has "
                   "one fulfillment order.");
        goto out;
    }
    const char *st = fs_fo_status(o);
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
    rq = calloc(ni ? ni : 1, sizeof(*rq));
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
                if (o->lines[k].fo_line_id == lid)
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
        !var_bool(g, "refund", "Boolean!", true, &b) ||
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
    bool restock = json_is_true(var(g, "restock")), refund = json_is_true(var(g, "refund"));
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

/* ---------------------------------------------------------------- the operations */

static const struct gql_op gql_ops[] = {
    { "SbOrders", "query", prep_orders, run_orders },
    { "SbOrder", "query", prep_order, run_order },
    { "SbFulfillmentOrders", "query", prep_fulfillment_orders, run_fulfillment_orders },
    { "SbFulfillmentCreate", "mutation", prep_fulfillment_create, run_fulfillment_create },
    { "SbOrderCancel", "mutation", prep_order_cancel, run_order_cancel },
    { "SbLocations", "query", fs_inv_prep_locations, fs_inv_run_locations },
    { "SbInventoryItems", "query", fs_inv_prep_items, fs_inv_run_items },
    { "SbInventorySet", "mutation", fs_inv_prep_set, fs_inv_run_set },
    { "SbVariantsPrice", "mutation", fs_inv_prep_prices, fs_inv_run_prices },
    { "SbBulkStock", "mutation", fs_bulk_prep_run, fs_bulk_run_run },
    { "SbBulkStatus", "query", fs_bulk_prep_status, fs_bulk_run_status },
    /* the app (app.c) */
    { "SbAppInstallation", "query", fs_app_prep_installation, fs_app_run_installation },
    { "SbWebhooks", "query", fs_app_prep_webhooks, fs_app_run_webhooks },
    { "SbWebhookCreate", "mutation", fs_app_prep_webhook_create, fs_app_run_webhook_create },
    { "SbWebhookDelete", "mutation", fs_app_prep_webhook_delete, fs_app_run_webhook_delete },
};

const struct gql_op *fs_gql_find_op(const char *name)
{
    for (size_t i = 0; i < sizeof(gql_ops) / sizeof(gql_ops[0]); i++)
        if (strcmp(gql_ops[i].name, name) == 0)
            return &gql_ops[i];
    return NULL;
}

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

size_t fs_gql_doc_first(const char *q, const char *name, int nth, size_t def)
{
    return doc_first(q, name, nth, def);
}
