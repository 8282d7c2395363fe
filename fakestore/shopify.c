/*
 * The simulated Shopify shop: orders, products, one location, fulfillment
 * orders, fulfillments and cancellations, held in memory behind one mutex
 * and served two ways:
 *   - the Admin GraphQL operations of the engine's contract
 *     (docs/fakestore.md, /work/briefs/shopify-contract.md), recognised by
 *     operationName and answered in Shopify's shapes, with a leaky-bucket
 *     cost budget, cursor pagination and the updated_at search filter;
 *   - a control API under /_fake/ for tests and the demo: place and change
 *     orders, inject faults, read what the engine did.
 * An order is one record (struct order) rendered two ways: REST-shaped for
 * webhooks and the control API, GraphQL-shaped for queries. Every change is
 * announced by webhooks with Shopify's headers and HMAC, sent by one worker
 * thread: a control call waits for its own deliveries (so a test knows they
 * are done when the call returns); GraphQL mutations do not (as on Shopify,
 * webhooks are asynchronous), and GET /_fake/deliveries waits for the queue
 * to drain.
 */
#include "shopify.h"

#include "core/money.h"
#include "util/arena.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define MAX_ORDERS         20000
#define MAX_PRODUCTS       10000
#define MAX_DELIVERIES     10000 /* records kept; the oldest finished ones go first */
#define MAX_LINES          250
#define MAX_SHIPPING_LINES 5
#define MAX_TAX_LINES      10
#define MAX_DISCOUNTS      10
#define MAX_ATTRS          50
#define MAX_TXNS           50
#define MAX_REFUNDS        50
#define MAX_FULFILLMENTS   20
#define MAX_ENGINE_LOG     1000 /* fulfillments and cancellations made through GraphQL */
#define MAX_RECENT         100  /* GraphQL calls remembered for GET /_fake/requests */
#define MAX_OPS            32
#define MAX_DUPLICATE      10
#define STR_MAX            255
#define PRICE_MAX          ((int64_t)100000000) /* 1,000,000.00 */
#define QTY_MAX            10000
#define AMOUNT_MAX         (PRICE_MAX * QTY_MAX)
#define LOCATION_ID        1
#define LOCATION_NAME      "Main warehouse"
#define SHOP_UTC_OFFSET_S  (-5 * 3600) /* REST times carry the shop's offset, GraphQL's are UTC */
#define WEBHOOK_TIMEOUT_MS 5000        /* Shopify counts a delivery failed after 5 s */
#define DUMP_FLAGS         (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* ---------------------------------------------------------------- the model */

struct tax_line {
    const char *title;
    json_t *rate; /* the number as given (0.06), echoed, never computed with */
    int64_t price;
};

struct discount {
    int64_t amount;
    int64_t index; /* discount_application_index */
};

struct line {
    int64_t id, fo_line_id, variant_id, product_id; /* variant/product 0: a custom item */
    const char *sku, *title, *variant_title, *name, *barcode, *vendor;
    int64_t quantity, price;
    int64_t fulfilled; /* units fulfilled */
    int64_t cancelled; /* unfulfilled units refunded: no longer to fulfil */
    int64_t refunded;  /* all units refunded */
    bool requires_shipping, taxable;
    size_t n_disc, n_tax;
    struct discount disc[MAX_DISCOUNTS];
    struct tax_line tax[MAX_TAX_LINES];
};

struct ship_line {
    int64_t id;
    const char *title, *code, *source;
    int64_t price;
    size_t n_disc, n_tax;
    struct discount disc[MAX_DISCOUNTS];
    struct tax_line tax[MAX_TAX_LINES];
};

/* Address fields with their REST and GraphQL names. */
static const struct {
    const char *rest, *gql;
} addr_fields[] = {
    { "first_name", "firstName" },
    { "last_name", "lastName" },
    { "name", "name" },
    { "company", "company" },
    { "address1", "address1" },
    { "address2", "address2" },
    { "city", "city" },
    { "province", "province" },
    { "province_code", "provinceCode" },
    { "zip", "zip" },
    { "country", "country" },
    { "country_code", "countryCodeV2" },
    { "phone", "phone" },
};
#define ADDR_N (sizeof(addr_fields) / sizeof(addr_fields[0]))
enum {
    A_FIRST,
    A_LAST,
    A_NAME
};

struct address {
    const char *v[ADDR_N];
};

struct customer {
    int64_t id;
    const char *email, *first_name, *last_name, *phone;
};

struct txn {
    int64_t id, parent_id, amount, created_at;
    const char *kind;   /* sale, authorization, capture, refund, void */
    const char *status; /* success, pending, failure */
    const char *gateway;
};

struct refund_line {
    int64_t id, quantity, subtotal, tax;
    size_t line;              /* index into order.lines */
    const char *restock_type; /* return, cancel, no_restock */
};

struct refund {
    int64_t id, created_at;
    const char *note;
    bool restock;
    size_t n_lines;
    struct refund_line *lines;
    long txn; /* index into order.txns, -1 when no money moved */
};

struct fulfillment {
    int64_t id, created_at;
    const char *tracking_number, *tracking_company, *tracking_url;
    size_t n;
    size_t *lines; /* indexes into order.lines */
    int64_t *qty;
};

struct order {
    struct sb_arena *arena; /* every string and small array of the order */
    int64_t id, number, fo_id, customer_id;
    char name[24];
    const char *email, *phone, *currency, *note, *gateway, *financial_status, *cancel_reason, *tags,
        *source_name;
    int64_t created_at, updated_at, cancelled_at;
    bool taxes_included;
    size_t n_attrs;
    const char **attr_name, **attr_value;
    struct customer *customer;
    struct address *shipping, *billing;
    size_t n_lines, n_ship;
    struct line *lines;
    struct ship_line *ship;
    json_t *discount_codes; /* as given, validated */
    bool ov_subtotal, ov_tax, ov_discounts, ov_total;
    int64_t subtotal_ov, tax_ov, discounts_ov, total_ov;
    size_t n_txns, n_refunds, n_fulfillments;
    struct txn *txns;                 /* MAX_TXNS, from the arena */
    struct refund *refunds;           /* MAX_REFUNDS */
    struct fulfillment *fulfillments; /* MAX_FULFILLMENTS */
};

struct product {
    int64_t product_id, variant_id, inventory_item_id, price;
    char *sku, *title, *barcode;
};

struct known_customer {
    char *email_norm;
    int64_t id;
};

/* One webhook: one event, sent one or more times (duplicates, redeliveries). */
struct delivery {
    int64_t seq, order_id;
    char topic[32];
    char event_id[40], webhook_id[40];
    char triggered_at[40];
    char *body;
    size_t body_len;
    int attempts, failures; /* sends, and sends that got no 2xx */
    int status;             /* HTTP status of the last attempt, 0 when nothing answered */
    bool ok, dropped, bad_signature;
    char error[160];
    int queued; /* sends waiting or in flight: the record is not evicted meanwhile */
    int pins;   /* control calls about to read it: not evicted either */
};

struct batch {
    int pending;
};

struct job {
    struct delivery *d;
    struct batch *batch; /* NULL: nobody waits */
    int copies;          /* > 1: that many sends at the same instant */
    struct job *next;
};

struct gql_fault {
    int status, count, delay_ms, throttle;
    bool cut;
};

struct hook_fault {
    int drop, bad_signature;
};

struct op_count {
    char name[64];
    int64_t n;
};

struct fs_shop {
    pthread_mutex_t mu;
    pthread_cond_t work; /* the queue has jobs, or stopping */
    pthread_cond_t done; /* a job finished */
    pthread_t worker;
    bool worker_running, stopping;
    struct job *q_head, *q_tail;
    int in_flight;

    char *token, *secret, *webhook_url, *shop_domain;
    double budget, restore, available;
    uint64_t bucket_ns;

    int64_t next_order_id, next_id, next_number, clock;
    struct order **orders;
    size_t n_orders, cap_orders;
    struct product *products;
    size_t n_products, cap_products;
    struct known_customer *customers;
    size_t n_customers, cap_customers;
    struct delivery **deliveries;
    size_t n_deliveries, cap_deliveries;
    int64_t next_delivery_seq;
    json_t *api_fulfillments, *api_cancellations, *recent;
    struct op_count ops[MAX_OPS];
    size_t n_ops;
    int64_t gql_total, gql_throttled, gql_faulted, gql_unauthorized, gql_errors;
    struct gql_fault gfault;
    struct hook_fault hfault;
};

/* Events one action raises, delivered in this order (or reversed on request). */
struct event {
    const char *topic;
    json_t *payload;
    int64_t order_id;
};

struct events {
    struct event ev[4];
    size_t n;
};

/* ---------------------------------------------------------------- small helpers */

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void json_free(void *p)
{
    json_decref(p);
}

static int64_t new_id(struct fs_shop *s)
{
    return s->next_id++;
}

/* Strictly increasing shop time: two changes never share a second, so updated_at orders
 * every change and `updated_at:>'…'` never hides one behind an equal timestamp. */
static int64_t tick(struct fs_shop *s)
{
    int64_t now = sb_time_now();
    s->clock = now > s->clock ? now : s->clock + 1;
    return s->clock;
}

static void gid(char *buf, size_t cap, const char *type, int64_t id)
{
    snprintf(buf, cap, "gid://shopify/%s/%lld", type, (long long)id);
}

static json_t *jgid(const char *type, int64_t id)
{
    char buf[96];
    gid(buf, sizeof(buf), type, id);
    return json_string(buf);
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jmoney(int64_t v)
{
    char buf[32];
    sb_money_format(v, buf, sizeof(buf));
    return json_string(buf);
}

/* REST money: "12.34" as a JSON number (refund line subtotals are numbers on Shopify). */
static json_t *jmoney_number(int64_t v)
{
    return json_real((double)v / 100.0);
}

/* REST: key "12.34" and key_set {shop_money, presentment_money}. */
static json_t *rest_set(int64_t v, const char *cur)
{
    char buf[32];
    sb_money_format(v, buf, sizeof(buf));
    return json_pack("{s:{s:s,s:s},s:{s:s,s:s}}", "shop_money", "amount", buf, "currency_code", cur,
                     "presentment_money", "amount", buf, "currency_code", cur);
}

static void rest_money(json_t *o, const char *key, int64_t v, const char *cur)
{
    char set[64];
    json_object_set_new(o, key, jmoney(v));
    snprintf(set, sizeof(set), "%s_set", key);
    json_object_set_new(o, set, rest_set(v, cur));
}

/* GraphQL MoneyBag. */
static json_t *gql_bag(int64_t v, const char *cur)
{
    char buf[32];
    sb_money_format(v, buf, sizeof(buf));
    return json_pack("{s:{s:s,s:s},s:{s:s,s:s}}", "shopMoney", "amount", buf, "currencyCode", cur,
                     "presentmentMoney", "amount", buf, "currencyCode", cur);
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

static void uuid4(char out[40])
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        /* No entropy: a clock-and-counter id is still unique within the run. */
        static uint64_t counter;
        uint64_t a = sb_clock_ns(), c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
        memcpy(b, &a, 8);
        memcpy(b + 8, &c, 8);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static char *dump(json_t *doc)
{
    return json_dumps(doc, DUMP_FLAGS);
}

/* The email as the shop compares it: trimmed, lower-case. */
static char *email_norm(const char *e)
{
    while (*e == ' ' || *e == '\t')
        e++;
    size_t n = strlen(e);
    while (n && (e[n - 1] == ' ' || e[n - 1] == '\t'))
        n--;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = (e[i] >= 'A' && e[i] <= 'Z') ? (char)(e[i] - 'A' + 'a') : e[i];
    out[n] = '\0';
    return out;
}

/* ---------------------------------------------------------------- derived state */

struct totals {
    int64_t items, line_disc, ship, ship_disc, tax, subtotal, discounts, total, paid, refunded,
        outstanding;
};

static int64_t disc_sum(const struct discount *d, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += d[i].amount;
    return sum;
}

static int64_t tax_sum(const struct tax_line *t, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += t[i].price;
    return sum;
}

/* Input bounds (PRICE_MAX, QTY_MAX, MAX_LINES) keep every sum here far from overflow. */
static void order_totals(const struct order *o, struct totals *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < o->n_lines; i++) {
        const struct line *l = &o->lines[i];
        t->items += l->price * l->quantity;
        t->line_disc += disc_sum(l->disc, l->n_disc);
        t->tax += tax_sum(l->tax, l->n_tax);
    }
    for (size_t i = 0; i < o->n_ship; i++) {
        t->ship += o->ship[i].price;
        t->ship_disc += disc_sum(o->ship[i].disc, o->ship[i].n_disc);
        t->tax += tax_sum(o->ship[i].tax, o->ship[i].n_tax);
    }
    t->subtotal = t->items - t->line_disc;
    t->discounts = t->line_disc + t->ship_disc;
    t->total = t->subtotal + t->ship - t->ship_disc + (o->taxes_included ? 0 : t->tax);
    /* Given totals stand in for computed ones: public payloads do not always add up. */
    if (o->ov_subtotal)
        t->subtotal = o->subtotal_ov;
    if (o->ov_tax)
        t->tax = o->tax_ov;
    if (o->ov_discounts)
        t->discounts = o->discounts_ov;
    if (o->ov_total)
        t->total = o->total_ov;
    for (size_t i = 0; i < o->n_txns; i++) {
        const struct txn *x = &o->txns[i];
        if (strcmp(x->status, "success") != 0)
            continue;
        if (strcmp(x->kind, "sale") == 0 || strcmp(x->kind, "capture") == 0)
            t->paid += x->amount;
        else if (strcmp(x->kind, "refund") == 0)
            t->refunded += x->amount;
    }
    t->outstanding = t->total - t->paid;
    if (t->outstanding < 0 || strcmp(o->financial_status, "voided") == 0)
        t->outstanding = 0;
}

static int64_t line_remaining(const struct line *l)
{
    int64_t r = l->quantity - l->fulfilled - l->cancelled;
    return r > 0 ? r : 0;
}

static int64_t order_remaining(const struct order *o, int64_t *ret_fulfilled)
{
    int64_t rem = 0, done = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        rem += line_remaining(&o->lines[i]);
        done += o->lines[i].fulfilled;
    }
    if (ret_fulfilled)
        *ret_fulfilled = done;
    return rem;
}

/* REST fulfillment_status: null, "partial" or "fulfilled". */
static const char *fulfillment_status(const struct order *o)
{
    int64_t done;
    int64_t rem = order_remaining(o, &done);
    if (!done)
        return NULL;
    return rem ? "partial" : "fulfilled";
}

static const char *display_fulfillment_status(const struct order *o)
{
    const char *f = fulfillment_status(o);
    if (!f)
        return "UNFULFILLED";
    return strcmp(f, "partial") == 0 ? "PARTIALLY_FULFILLED" : "FULFILLED";
}

/* One fulfillment order per order, at the one location; its status follows the lines. */
static const char *fo_status(const struct order *o)
{
    int64_t done;
    int64_t rem = order_remaining(o, &done);
    if (!rem)
        return "CLOSED";
    if (o->cancelled_at)
        return "CANCELLED";
    return done ? "IN_PROGRESS" : "OPEN";
}

/* ---------------------------------------------------------------- REST rendering */

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

/* Order-level tax_lines: the line and shipping taxes summed by title and rate. */
static json_t *rest_order_taxes(const struct order *o)
{
    size_t cap = 0;
    for (size_t i = 0; i < o->n_lines; i++)
        cap += o->lines[i].n_tax;
    for (size_t i = 0; i < o->n_ship; i++)
        cap += o->ship[i].n_tax;
    struct tax_line *sum = calloc(cap ? cap : 1, sizeof(*sum));
    if (!sum)
        return json_array();
    size_t n = 0;
    for (size_t k = 0; k < o->n_lines + o->n_ship; k++) {
        const struct tax_line *t = k < o->n_lines ? o->lines[k].tax : o->ship[k - o->n_lines].tax;
        size_t nt = k < o->n_lines ? o->lines[k].n_tax : o->ship[k - o->n_lines].n_tax;
        for (size_t i = 0; i < nt; i++) {
            size_t j = 0;
            while (j < n &&
                   !(strcmp(sum[j].title, t[i].title) == 0 && json_equal(sum[j].rate, t[i].rate)))
                j++;
            if (j == n)
                sum[n++] = (struct tax_line){ t[i].title, t[i].rate, 0 };
            sum[j].price += t[i].price;
        }
    }
    json_t *a = rest_tax_lines(sum, n, o->currency);
    free(sum);
    return a;
}

static json_t *rest_address(const struct address *a)
{
    if (!a)
        return json_null();
    json_t *x = json_object();
    for (size_t i = 0; i < ADDR_N; i++)
        json_object_set_new(x, addr_fields[i].rest, jstr(a->v[i]));
    return x;
}

static json_t *rest_customer(const struct order *o)
{
    const struct customer *c = o->customer;
    if (!c)
        return json_null();
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(c->id));
    json_object_set_new(x, "email", jstr(c->email));
    json_object_set_new(x, "first_name", jstr(c->first_name));
    json_object_set_new(x, "last_name", jstr(c->last_name));
    json_object_set_new(x, "phone", jstr(c->phone));
    json_object_set_new(x, "currency", json_string(o->currency));
    json_object_set_new(x, "state", json_string("enabled"));
    json_object_set_new(x, "admin_graphql_api_id", jgid("Customer", c->id));
    return x;
}

/* qty < 0: the line's own quantity. */
static json_t *rest_line(const struct order *o, const struct line *l, int64_t qty)
{
    json_t *x = json_object();
    const char *cur = o->currency;
    json_object_set_new(x, "id", json_integer(l->id));
    json_object_set_new(x, "admin_graphql_api_id", jgid("LineItem", l->id));
    json_object_set_new(x, "variant_id", l->variant_id ? json_integer(l->variant_id) : json_null());
    json_object_set_new(x, "product_id", l->product_id ? json_integer(l->product_id) : json_null());
    json_object_set_new(x, "sku", jstr(l->sku));
    json_object_set_new(x, "title", json_string(l->title));
    json_object_set_new(x, "variant_title", jstr(l->variant_title));
    json_object_set_new(x, "name", json_string(l->name));
    json_object_set_new(x, "vendor", jstr(l->vendor));
    json_object_set_new(x, "quantity", json_integer(qty < 0 ? l->quantity : qty));
    json_object_set_new(x, "current_quantity", json_integer(l->quantity - l->refunded));
    json_object_set_new(x, "fulfillable_quantity", json_integer(line_remaining(l)));
    const char *fs = !l->fulfilled ? NULL : line_remaining(l) ? "partial" : "fulfilled";
    json_object_set_new(x, "fulfillment_status", jstr(fs));
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
    json_object_set_new(x, "code", jstr(sl->code));
    json_object_set_new(x, "source", jstr(sl->source));
    rest_money(x, "price", sl->price, o->currency);
    rest_money(x, "discounted_price", sl->price - disc_sum(sl->disc, sl->n_disc), o->currency);
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
    json_object_set_new(x, "admin_graphql_api_id", jgid("OrderTransaction", t->id));
    json_object_set_new(x, "order_id", json_integer(o->id));
    json_object_set_new(x, "kind", json_string(t->kind));
    json_object_set_new(x, "status", json_string(t->status));
    json_object_set_new(x, "gateway", json_string(t->gateway));
    json_object_set_new(x, "amount", jmoney(t->amount));
    json_object_set_new(x, "currency", json_string(o->currency));
    json_object_set_new(x, "parent_id", t->parent_id ? json_integer(t->parent_id) : json_null());
    json_object_set_new(x, "created_at", jtime_rest(t->created_at));
    json_object_set_new(x, "test", json_false());
    return x;
}

static json_t *rest_refund(const struct order *o, const struct refund *r)
{
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(r->id));
    json_object_set_new(x, "admin_graphql_api_id", jgid("Refund", r->id));
    json_object_set_new(x, "order_id", json_integer(o->id));
    json_object_set_new(x, "created_at", jtime_rest(r->created_at));
    json_object_set_new(x, "processed_at", jtime_rest(r->created_at));
    json_object_set_new(x, "note", jstr(r->note));
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
        json_object_set_new(y, "subtotal", jmoney_number(rl->subtotal));
        json_object_set_new(y, "subtotal_set", rest_set(rl->subtotal, o->currency));
        json_object_set_new(y, "total_tax", jmoney_number(rl->tax));
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

static json_t *rest_fulfillment(const struct order *o, const struct fulfillment *f, size_t index)
{
    json_t *x = json_object();
    char name[40];
    snprintf(name, sizeof(name), "%s.%zu", o->name, index + 1);
    json_object_set_new(x, "id", json_integer(f->id));
    json_object_set_new(x, "admin_graphql_api_id", jgid("Fulfillment", f->id));
    json_object_set_new(x, "order_id", json_integer(o->id));
    json_object_set_new(x, "name", json_string(name));
    json_object_set_new(x, "status", json_string("success"));
    json_object_set_new(x, "service", json_string("manual"));
    json_object_set_new(x, "shipment_status", json_null());
    json_object_set_new(x, "location_id", json_integer(LOCATION_ID));
    json_object_set_new(x, "created_at", jtime_rest(f->created_at));
    json_object_set_new(x, "updated_at", jtime_rest(f->created_at));
    json_object_set_new(x, "tracking_company", jstr(f->tracking_company));
    json_object_set_new(x, "tracking_number", jstr(f->tracking_number));
    json_object_set_new(x, "tracking_numbers", tracking_array(f->tracking_number));
    json_object_set_new(x, "tracking_url", jstr(f->tracking_url));
    json_object_set_new(x, "tracking_urls", tracking_array(f->tracking_url));
    json_t *lines = json_array();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(lines, rest_line(o, &o->lines[f->lines[i]], f->qty[i]));
    json_object_set_new(x, "line_items", lines);
    return x;
}

static json_t *rest_order(const struct order *o)
{
    struct totals t;
    order_totals(o, &t);
    const char *cur = o->currency;
    json_t *x = json_object();
    json_object_set_new(x, "id", json_integer(o->id));
    json_object_set_new(x, "admin_graphql_api_id", jgid("Order", o->id));
    json_object_set_new(x, "name", json_string(o->name));
    json_object_set_new(x, "number", json_integer(o->number - 1000));
    json_object_set_new(x, "order_number", json_integer(o->number));
    json_object_set_new(x, "email", jstr(o->email));
    json_object_set_new(x, "contact_email", jstr(o->email));
    json_object_set_new(x, "phone", jstr(o->phone));
    json_object_set_new(x, "created_at", jtime_rest(o->created_at));
    json_object_set_new(x, "updated_at", jtime_rest(o->updated_at));
    json_object_set_new(x, "processed_at", jtime_rest(o->created_at));
    json_object_set_new(x, "cancelled_at", jtime_rest(o->cancelled_at));
    json_object_set_new(x, "cancel_reason", jstr(o->cancel_reason));
    json_object_set_new(x, "closed_at", json_null());
    json_object_set_new(x, "confirmed", json_true());
    json_object_set_new(x, "test", json_false());
    json_object_set_new(x, "currency", json_string(cur));
    json_object_set_new(x, "presentment_currency", json_string(cur));
    json_object_set_new(x, "financial_status", json_string(o->financial_status));
    json_object_set_new(x, "fulfillment_status", jstr(fulfillment_status(o)));
    json_object_set_new(x, "gateway", json_string(o->gateway));
    json_t *gw = json_array();
    json_array_append_new(gw, json_string(o->gateway));
    json_object_set_new(x, "payment_gateway_names", gw);
    json_object_set_new(x, "note", jstr(o->note));
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
    json_object_set_new(x, "total_outstanding", jmoney(t.outstanding));
    json_object_set_new(x, "total_tip_received", jmoney(0));
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
        json_array_append_new(refunds, rest_refund(o, &o->refunds[i]));
    json_object_set_new(x, "refunds", refunds);
    json_t *ful = json_array();
    for (size_t i = 0; i < o->n_fulfillments; i++)
        json_array_append_new(ful, rest_fulfillment(o, &o->fulfillments[i], i));
    json_object_set_new(x, "fulfillments", ful);
    return x;
}

/* ---------------------------------------------------------------- GraphQL rendering */

static json_t *gql_amount(int64_t v)
{
    return json_pack("{s:{s:o}}", "shopMoney", "amount", jmoney(v));
}

static json_t *gql_tax_lines(const struct tax_line *t, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a,
                              json_pack("{s:s,s:o,s:o}", "title", t[i].title, "rate",
                                        json_copy(t[i].rate), "priceSet", gql_amount(t[i].price)));
    return a;
}

static json_t *gql_address(const struct address *a)
{
    if (!a)
        return json_null();
    json_t *x = json_object();
    for (size_t i = 0; i < ADDR_N; i++)
        json_object_set_new(x, addr_fields[i].gql, jstr(a->v[i]));
    return x;
}

static json_t *gql_txn(const struct txn *t, bool with_id)
{
    json_t *x = json_object();
    if (with_id) {
        json_object_set_new(x, "id", jgid("OrderTransaction", t->id));
        json_object_set_new(x, "gateway", json_string(t->gateway));
    }
    json_object_set_new(x, "kind", jupper(t->kind));
    json_object_set_new(x, "status", jupper(t->status));
    json_object_set_new(x, "amountSet", gql_amount(t->amount));
    return x;
}

static json_t *gql_tracking(const char *number, const char *company, const char *url)
{
    json_t *a = json_array();
    if (number || company || url)
        json_array_append_new(a, json_pack("{s:o,s:o,s:o}", "number", jstr(number), "company",
                                           jstr(company), "url", jstr(url)));
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
    order_totals(o, &t);
    const char *cur = o->currency;
    char legacy[24];
    snprintf(legacy, sizeof(legacy), "%lld", (long long)o->id);
    json_t *x = json_object();
    json_object_set_new(x, "id", jgid("Order", o->id));
    json_object_set_new(x, "legacyResourceId", json_string(legacy));
    json_object_set_new(x, "name", json_string(o->name));
    json_object_set_new(x, "email", jstr(o->email));
    json_object_set_new(x, "phone", jstr(o->phone));
    json_object_set_new(x, "createdAt", jtime_gql(o->created_at));
    json_object_set_new(x, "updatedAt", jtime_gql(o->updated_at));
    json_object_set_new(x, "cancelledAt", jtime_gql(o->cancelled_at));
    json_object_set_new(x, "cancelReason", jupper(o->cancel_reason));
    json_object_set_new(x, "displayFinancialStatus", jupper(o->financial_status));
    json_object_set_new(x, "displayFulfillmentStatus", json_string(display_fulfillment_status(o)));
    json_object_set_new(x, "currencyCode", json_string(cur));
    json_object_set_new(x, "taxesIncluded", json_boolean(o->taxes_included));
    json_object_set_new(x, "note", jstr(o->note));
    json_t *attrs = json_array();
    for (size_t i = 0; i < o->n_attrs; i++)
        json_array_append_new(
            attrs, json_pack("{s:s,s:s}", "key", o->attr_name[i], "value", o->attr_value[i]));
    json_object_set_new(x, "customAttributes", attrs);
    json_t *gw = json_array();
    json_array_append_new(gw, json_string(o->gateway));
    json_object_set_new(x, "paymentGatewayNames", gw);
    json_object_set_new(x, "subtotalPriceSet", gql_bag(t.subtotal, cur));
    json_object_set_new(x, "totalDiscountsSet", gql_bag(t.discounts, cur));
    json_object_set_new(x, "totalTaxSet", gql_bag(t.tax, cur));
    json_object_set_new(x, "totalShippingPriceSet", gql_bag(t.ship, cur));
    json_object_set_new(x, "totalPriceSet", gql_bag(t.total, cur));
    json_object_set_new(x, "totalOutstandingSet", gql_bag(t.outstanding, cur));
    if (o->customer)
        json_object_set_new(x, "customer",
                            json_pack("{s:o,s:o,s:o,s:o}", "firstName",
                                      jstr(o->customer->first_name), "lastName",
                                      jstr(o->customer->last_name), "email",
                                      jstr(o->customer->email), "phone", jstr(o->customer->phone)));
    else
        json_object_set_new(x, "customer", json_null());
    json_object_set_new(x, "shippingAddress", gql_address(o->shipping));
    if (o->n_ship) {
        const struct ship_line *sl = &o->ship[0];
        json_object_set_new(x, "shippingLine",
                            json_pack("{s:s,s:o,s:o,s:o,s:o}", "title", sl->title, "code",
                                      jstr(sl->code), "originalPriceSet", gql_amount(sl->price),
                                      "discountedPriceSet",
                                      gql_amount(sl->price - disc_sum(sl->disc, sl->n_disc)),
                                      "taxLines", gql_tax_lines(sl->tax, sl->n_tax)));
    } else {
        json_object_set_new(x, "shippingLine", json_null());
    }
    json_t *nodes = json_array();
    for (size_t i = 0; i < o->n_lines && i < sz->lines; i++) {
        const struct line *l = &o->lines[i];
        json_t *y = json_object();
        json_object_set_new(y, "id", jgid("LineItem", l->id));
        json_object_set_new(y, "sku", jstr(l->sku));
        json_object_set_new(y, "name", json_string(l->name));
        json_object_set_new(y, "title", json_string(l->title));
        json_object_set_new(y, "variantTitle", jstr(l->variant_title));
        json_object_set_new(y, "quantity", json_integer(l->quantity));
        json_object_set_new(y, "requiresShipping", json_boolean(l->requires_shipping));
        json_object_set_new(y, "variant",
                            l->variant_id ? json_pack("{s:o}", "barcode", jstr(l->barcode))
                                          : json_null());
        json_object_set_new(y, "originalUnitPriceSet", gql_amount(l->price));
        json_t *da = json_array();
        for (size_t k = 0; k < l->n_disc; k++)
            json_array_append_new(
                da, json_pack("{s:o}", "allocatedAmountSet", gql_amount(l->disc[k].amount)));
        json_object_set_new(y, "discountAllocations", da);
        json_object_set_new(y, "taxLines", gql_tax_lines(l->tax, l->n_tax));
        json_array_append_new(nodes, y);
    }
    json_object_set_new(x, "lineItems", gql_connection(nodes, o->n_lines > sz->lines));
    json_t *txns = json_array();
    for (size_t i = 0; i < o->n_txns && i < sz->txns; i++)
        json_array_append_new(txns, gql_txn(&o->txns[i], true));
    json_object_set_new(x, "transactions", txns);
    json_t *refunds = json_array();
    for (size_t i = 0; i < o->n_refunds && i < sz->refunds; i++) {
        const struct refund *r = &o->refunds[i];
        json_t *rl = json_array();
        for (size_t k = 0; k < r->n_lines && k < sz->refund_lines; k++) {
            const struct refund_line *y = &r->lines[k];
            json_array_append_new(rl, json_pack("{s:{s:o},s:I,s:o,s:o,s:o}", "lineItem", "id",
                                                jgid("LineItem", o->lines[y->line].id), "quantity",
                                                (json_int_t)y->quantity, "restockType",
                                                jupper(y->restock_type), "subtotalSet",
                                                gql_amount(y->subtotal), "totalTaxSet",
                                                gql_amount(y->tax)));
        }
        json_t *rt = json_array();
        if (r->txn >= 0 && sz->refund_txns > 0)
            json_array_append_new(rt, gql_txn(&o->txns[r->txn], false));
        json_array_append_new(
            refunds,
            json_pack("{s:o,s:o,s:o,s:o}", "id", jgid("Refund", r->id), "note", jstr(r->note),
                      "refundLineItems", gql_connection(rl, r->n_lines > sz->refund_lines),
                      "transactions", gql_connection(rt, r->txn >= 0 && sz->refund_txns == 0)));
    }
    json_object_set_new(x, "refunds", refunds);
    json_t *ful = json_array();
    for (size_t i = 0; i < o->n_fulfillments && i < sz->fulfillments; i++) {
        const struct fulfillment *f = &o->fulfillments[i];
        json_array_append_new(
            ful, json_pack("{s:o,s:s,s:o}", "id", jgid("Fulfillment", f->id), "status", "SUCCESS",
                           "trackingInfo",
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
                                        jgid("FulfillmentOrderLineItem", l->fo_line_id),
                                        "remainingQuantity", (json_int_t)line_remaining(l),
                                        "totalQuantity", (json_int_t)(l->quantity - l->cancelled),
                                        "lineItem", "id", jgid("LineItem", l->id)));
    }
    json_t *fo =
        json_pack("{s:o,s:s,s:{s:s,s:{s:o}},s:{s:o}}", "id", jgid("FulfillmentOrder", o->fo_id),
                  "status", fo_status(o), "assignedLocation", "name", LOCATION_NAME, "location",
                  "id", jgid("Location", LOCATION_ID), "lineItems", "nodes", lines);
    json_t *nodes = json_array();
    json_array_append_new(nodes, fo);
    return json_pack("{s:{s:o}}", "fulfillmentOrders", "nodes", nodes);
}

/* ---------------------------------------------------------------- lookups */

static struct order *find_order(struct fs_shop *s, int64_t id)
{
    for (size_t i = 0; i < s->n_orders; i++)
        if (s->orders[i]->id == id)
            return s->orders[i];
    return NULL;
}

static struct order *find_order_by_fo(struct fs_shop *s, int64_t fo_id)
{
    for (size_t i = 0; i < s->n_orders; i++)
        if (s->orders[i]->fo_id == fo_id)
            return s->orders[i];
    return NULL;
}

static struct product *find_product(struct fs_shop *s, const char *sku)
{
    for (size_t i = 0; sku && i < s->n_products; i++)
        if (strcmp(s->products[i].sku, sku) == 0)
            return &s->products[i];
    return NULL;
}

static long find_line(const struct order *o, int64_t line_id)
{
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i].id == line_id)
            return (long)i;
    return -1;
}

/* One customer id per email, as a shop keeps one customer per address. */
static int64_t customer_id_for(struct fs_shop *s, const char *email)
{
    char *norm = email ? email_norm(email) : NULL;
    if (!norm || !*norm) {
        free(norm);
        return new_id(s);
    }
    for (size_t i = 0; i < s->n_customers; i++)
        if (strcmp(s->customers[i].email_norm, norm) == 0) {
            free(norm);
            return s->customers[i].id;
        }
    int64_t id = new_id(s);
    if (s->n_customers == s->cap_customers) {
        size_t cap = s->cap_customers ? s->cap_customers * 2 : 64;
        struct known_customer *nc = realloc(s->customers, cap * sizeof(*nc));
        if (!nc) {
            free(norm);
            return id;
        }
        s->customers = nc;
        s->cap_customers = cap;
    }
    s->customers[s->n_customers++] = (struct known_customer){ norm, id };
    return id;
}

/* ---------------------------------------------------------------- input */

static const char *fpath(struct sb_jctx *c, const char *key, char *buf, size_t cap)
{
    if (!c->prefix || !*c->prefix)
        return key;
    snprintf(buf, cap, "%s.%s", c->prefix, key);
    return buf;
}

/* Money arrives as a decimal string ("19.99"), never as a JSON number. */
static sb_err get_money(struct sb_jctx *c, const char *key, bool required, int64_t max,
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
    if (!sb_money_parse(s, &v))
        return sb_fail(SB_EINVALID_FIELD, f,
                       "%s must be a decimal string with at most 2 decimals, like \"19.99\"", f);
    sb_money_format(max, maxs, sizeof(maxs));
    if (v < 0 || v > max)
        return sb_fail(SB_EINVALID_FIELD, f, "%s must be between 0.00 and %s", f, maxs);
    *ret = v;
    return SB_OK;
}

/* An optional string (null allowed) copied into the arena; required ones must be non-empty. */
static sb_err get_str(struct sb_arena *a, struct sb_jctx *c, const char *key, bool required,
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

static sb_err check_object(json_t *v, const char *path)
{
    return json_is_object(v) ? SB_OK
                             : sb_fail(SB_EINVALID_FIELD, path, "%s must be an object", path);
}

static sb_err parse_taxes(struct sb_arena *a, struct sb_jctx *c, struct tax_line *out,
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
        if ((err = check_object(v, buf)) || (err = sb_json_only(&t, keys)))
            return err;
        out[i].title = "Tax";
        if ((err = get_str(a, &t, "title", false, &out[i].title)))
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
        if ((err = get_money(&t, "price", true, AMOUNT_MAX, &out[i].price, NULL)))
            return err;
    }
    *ret_n = json_array_size(arr);
    return SB_OK;
}

static sb_err parse_discounts(struct sb_jctx *c, struct discount *out, size_t *ret_n)
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
        if ((err = check_object(v, buf)) || (err = sb_json_only(&d, keys)) ||
            (err = get_money(&d, "amount", true, AMOUNT_MAX, &out[i].amount, NULL)) ||
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
    if (err || (err = get_str(a, c, "sku", false, &l->sku)))
        return err;
    struct product *p = find_product(s, l->sku);
    if (p) {
        l->title = p->title;
        l->price = p->price;
        l->barcode = p->barcode;
        l->variant_id = p->variant_id;
        l->product_id = p->product_id;
    }
    l->requires_shipping = l->taxable = true;
    if ((err = get_str(a, c, "title", !p, &l->title)) ||
        (err = get_str(a, c, "variant_title", false, &l->variant_title)) ||
        (err = get_str(a, c, "barcode", false, &l->barcode)) ||
        (err = get_str(a, c, "vendor", false, &l->vendor)) ||
        (err = sb_json_int(c, "quantity", true, 1, QTY_MAX, &l->quantity, NULL)) ||
        (err = get_money(c, "price", !p, PRICE_MAX, &l->price, NULL)) ||
        (err = sb_json_bool(c, "requires_shipping", false, &l->requires_shipping, NULL)) ||
        (err = sb_json_bool(c, "taxable", false, &l->taxable, NULL)) ||
        (err = parse_discounts(c, l->disc, &l->n_disc)) ||
        (err = parse_taxes(a, c, l->tax, &l->n_tax)))
        return err;
    if (!l->title)
        return sb_fail(SB_EMISSING_FIELD, "title", "%s.title is required", c->prefix);
    if (disc_sum(l->disc, l->n_disc) > l->price * l->quantity)
        return sb_fail(SB_EINVALID_FIELD, "discount_allocations",
                       "%s.discount_allocations exceed the line's price times quantity", c->prefix);
    l->name =
        l->variant_title ? sb_arena_printf(a, "%s - %s", l->title, l->variant_title) : l->title;
    if (!l->name)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    l->id = new_id(s);
    l->fo_line_id = new_id(s);
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
    if ((err = sb_json_only(c, keys)) || (err = get_str(a, c, "title", true, &sl->title)) ||
        (err = get_str(a, c, "code", false, &sl->code)) ||
        (err = get_str(a, c, "source", false, &sl->source)) ||
        (err = get_money(c, "price", true, PRICE_MAX, &sl->price, NULL)) ||
        (err = parse_discounts(c, sl->disc, &sl->n_disc)) ||
        (err = parse_taxes(a, c, sl->tax, &sl->n_tax)))
        return err;
    if (disc_sum(sl->disc, sl->n_disc) > sl->price)
        return sb_fail(SB_EINVALID_FIELD, "discount_allocations",
                       "%s.discount_allocations exceed the shipping price", c->prefix);
    if (!sl->source)
        sl->source = "shopify";
    sl->id = new_id(s);
    return SB_OK;
}

static sb_err parse_address(struct sb_arena *a, struct sb_jctx *parent, const char *key,
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
    sb_err err = check_object(v, buf);
    if (err)
        return err;
    static const char *keys[ADDR_N + 1];
    for (size_t i = 0; i < ADDR_N; i++)
        keys[i] = addr_fields[i].rest;
    if ((err = sb_json_only(&c, keys)))
        return err;
    struct address *ad = sb_arena_alloc(a, sizeof(*ad));
    if (!ad)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < ADDR_N; i++)
        if ((err = get_str(a, &c, addr_fields[i].rest, false, &ad->v[i])))
            return err;
    if (!ad->v[A_NAME] && (ad->v[A_FIRST] || ad->v[A_LAST])) {
        const char *f = ad->v[A_FIRST], *l = ad->v[A_LAST];
        ad->v[A_NAME] = sb_arena_printf(a, "%s%s%s", f ? f : "", f && l ? " " : "", l ? l : "");
    }
    *ret = ad;
    return SB_OK;
}

static sb_err parse_attrs(struct sb_arena *a, struct sb_jctx *c, struct order *o)
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
        if ((err = check_object(v, buf)) || (err = sb_json_only(&t, keys)) ||
            (err = get_str(a, &t, "name", true, &names[i])) ||
            (err = get_str(a, &t, "value", false, &values[i])))
            return err;
        if (!values[i])
            values[i] = "";
    }
    o->attr_name = names;
    o->attr_value = values;
    o->n_attrs = n;
    return SB_OK;
}

static sb_err parse_discount_codes(struct sb_jctx *c, struct order *o)
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
        if ((err = check_object(v, buf)) || (err = sb_json_only(&t, keys)) ||
            (err = sb_json_str(&t, "code", true, STR_MAX, &str, NULL)) ||
            (err = get_money(&t, "amount", true, AMOUNT_MAX, &amount, NULL)) ||
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
    if ((err = check_object(v, buf)) || (err = sb_json_only(&c, keys)) ||
        (err = get_str(a, &c, "first_name", false, &cu->first_name)) ||
        (err = get_str(a, &c, "last_name", false, &cu->last_name)) ||
        (err = get_str(a, &c, "email", false, &cu->email)) ||
        (err = get_str(a, &c, "phone", false, &cu->phone)))
        return err;
    *ret = cu;
    return SB_OK;
}

/* Options any control call that changes an order takes. */
struct opts {
    bool webhooks, reverse, concurrent;
    int64_t duplicate;
};

static sb_err parse_opts(struct sb_jctx *c, struct opts *op)
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

static struct order *order_new(void)
{
    struct order *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->arena = sb_arena_new();
    if (!o->arena) {
        free(o);
        return NULL;
    }
    return o;
}

static void order_free(struct order *o)
{
    if (!o)
        return;
    sb_arena_free(o->arena);
    free(o);
}

static struct txn *add_txn(struct fs_shop *s, struct order *o, const char *kind, const char *status,
                           int64_t amount, int64_t at, int64_t parent)
{
    if (!o->txns)
        o->txns = sb_arena_alloc(o->arena, MAX_TXNS * sizeof(*o->txns));
    if (!o->txns || o->n_txns == MAX_TXNS)
        return NULL;
    struct txn *t = &o->txns[o->n_txns++];
    *t = (struct txn){ .id = new_id(s),
                       .parent_id = parent,
                       .amount = amount,
                       .created_at = at,
                       .kind = kind,
                       .status = status,
                       .gateway = o->gateway };
    return t;
}

/* The id of the last successful sale, capture or authorization: a refund's or capture's parent. */
static int64_t payment_parent(const struct order *o, const char *kind)
{
    for (size_t i = o->n_txns; i-- > 0;) {
        const struct txn *t = &o->txns[i];
        if (strcmp(t->status, "success") == 0 &&
            (kind ? strcmp(t->kind, kind) == 0
                  : (strcmp(t->kind, "sale") == 0 || strcmp(t->kind, "capture") == 0)))
            return t->id;
    }
    return 0;
}

static sb_err parse_order(struct fs_shop *s, json_t *body, struct order *o, struct opts *op)
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
                                        "webhooks",
                                        "duplicate",
                                        "reverse",
                                        "concurrent",
                                        NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    struct sb_arena *a = o->arena;
    const char *currency = "USD";
    sb_err err;
    if ((err = sb_json_only(&c, keys)) || (err = parse_opts(&c, op)) ||
        (err = get_str(a, &c, "email", false, &o->email)) ||
        (err = get_str(a, &c, "phone", false, &o->phone)) ||
        (err = get_str(a, &c, "note", false, &o->note)) ||
        (err = get_str(a, &c, "tags", false, &o->tags)) ||
        (err = get_str(a, &c, "source_name", false, &o->source_name)) ||
        (err = get_str(a, &c, "gateway", false, &o->gateway)) ||
        (err = get_str(a, &c, "financial_status", false, &o->financial_status)) ||
        (err = get_str(a, &c, "currency", false, &currency)) ||
        (err = sb_json_bool(&c, "taxes_included", false, &o->taxes_included, NULL)) ||
        (err = parse_customer(a, &c, &o->customer)) ||
        (err = parse_address(a, &c, "shipping_address", &o->shipping)) ||
        (err = parse_address(a, &c, "billing_address", &o->billing)) ||
        (err = parse_attrs(a, &c, o)) || (err = parse_discount_codes(&c, o)) ||
        (err = get_money(&c, "subtotal_price", false, SB_MONEY_MAX, &o->subtotal_ov,
                         &o->ov_subtotal)) ||
        (err = get_money(&c, "total_tax", false, SB_MONEY_MAX, &o->tax_ov, &o->ov_tax)) ||
        (err = get_money(&c, "total_discounts", false, SB_MONEY_MAX, &o->discounts_ov,
                         &o->ov_discounts)) ||
        (err = get_money(&c, "total_price", false, SB_MONEY_MAX, &o->total_ov, &o->ov_total)))
        return err;
    if (!currency || !sb_currency_valid(currency))
        return sb_fail(SB_EINVALID_FIELD, "currency",
                       "currency must be an ISO 4217 code of three upper-case letters");
    o->currency = currency;
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
        if ((err = check_object(v, buf)) || (err = parse_line(s, o, &lc, &o->lines[i])))
            return err;
    }
    for (i = 0; i < o->n_ship; i++) {
        char buf[64];
        v = json_array_get(ship, i);
        struct sb_jctx sc = sb_jctx_child(&c, "shipping_lines", (long)i, v, buf, sizeof(buf));
        if ((err = check_object(v, buf)) || (err = parse_ship_line(s, o, &sc, &o->ship[i])))
            return err;
    }
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
        o->customer->id = customer_id_for(s, o->customer->email);
    }

    o->id = s->next_order_id++;
    o->number = s->next_number++;
    snprintf(o->name, sizeof(o->name), "#%lld", (long long)o->number);
    o->fo_id = new_id(s);
    o->created_at = o->updated_at = tick(s);
    struct totals t;
    order_totals(o, &t);
    if (t.total > 0) {
        const char *fs = o->financial_status;
        bool ok = strcmp(fs, "paid") == 0
                      ? add_txn(s, o, "sale", "success", t.total, o->created_at, 0) != NULL
                  : strcmp(fs, "authorized") == 0
                      ? add_txn(s, o, "authorization", "success", t.total, o->created_at, 0) != NULL
                      : add_txn(s, o, "sale", "pending", t.total, o->created_at, 0) != NULL;
        if (!ok)
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return SB_OK;
}

/* ---------------------------------------------------------------- actions */

static sb_err do_pay(struct fs_shop *s, struct order *o)
{
    if (o->cancelled_at)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is cancelled", o->name);
    const char *fs = o->financial_status;
    if (strcmp(fs, "pending") != 0 && strcmp(fs, "authorized") != 0 &&
        strcmp(fs, "partially_paid") != 0)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is %s, not awaiting payment", o->name, fs);
    struct totals t;
    order_totals(o, &t);
    int64_t at = tick(s);
    bool capture = strcmp(fs, "authorized") == 0;
    if (t.outstanding > 0 && !add_txn(s, o, capture ? "capture" : "sale", "success", t.outstanding,
                                      at, capture ? payment_parent(o, "authorization") : 0))
        return sb_fail(SB_ECONFLICT, NULL, "order %s has too many transactions", o->name);
    o->financial_status = "paid";
    o->updated_at = at;
    return SB_OK;
}

struct refund_req {
    size_t line;
    int64_t qty;
    bool restock;
};

static sb_err do_refund(struct fs_shop *s, struct order *o, const struct refund_req *rq, size_t n,
                        bool amount_given, int64_t amount, const char *note, struct refund **ret)
{
    if (o->n_refunds == MAX_REFUNDS)
        return sb_fail(SB_ECONFLICT, NULL, "order %s has too many refunds", o->name);
    for (size_t i = 0; i < n; i++) {
        int64_t want = 0;
        for (size_t k = 0; k < n; k++)
            if (rq[k].line == rq[i].line)
                want += rq[k].qty;
        const struct line *l = &o->lines[rq[i].line];
        if (want > l->quantity - l->refunded)
            return sb_fail(SB_EINVALID_FIELD, "quantity",
                           "line %lld has %lld unit(s) left to refund", (long long)l->id,
                           (long long)(l->quantity - l->refunded));
    }
    struct totals t;
    order_totals(o, &t);
    int64_t refundable = t.paid - t.refunded, computed = 0;
    struct refund_line *rl = sb_arena_alloc(o->arena, (n ? n : 1) * sizeof(*rl));
    if (!rl)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        const struct line *l = &o->lines[rq[i].line];
        int64_t net = l->price * l->quantity - disc_sum(l->disc, l->n_disc);
        rl[i] = (struct refund_line){ .id = new_id(s),
                                      .quantity = rq[i].qty,
                                      .subtotal = net * rq[i].qty / l->quantity,
                                      .tax = tax_sum(l->tax, l->n_tax) * rq[i].qty / l->quantity,
                                      .line = rq[i].line };
        computed += rl[i].subtotal + (o->taxes_included ? 0 : rl[i].tax);
    }
    if (!amount_given)
        amount = computed < refundable ? computed : refundable;
    else if (amount > refundable)
        return sb_fail(SB_EINVALID_FIELD, "amount",
                       "amount exceeds what is left to refund (%lld.%02lld)",
                       (long long)(refundable / 100), (long long)(refundable % 100));
    if (n == 0 && amount == 0)
        return sb_fail(SB_EINVALID_FIELD, "lines", "a refund needs lines or an amount");
    if (!o->refunds)
        o->refunds = sb_arena_alloc(o->arena, MAX_REFUNDS * sizeof(*o->refunds));
    if (!o->refunds)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t at = tick(s);
    long txn = -1;
    if (amount > 0) {
        if (!add_txn(s, o, "refund", "success", amount, at, payment_parent(o, NULL)))
            return sb_fail(SB_ECONFLICT, NULL, "order %s has too many transactions", o->name);
        txn = (long)o->n_txns - 1;
    }
    bool any_restock = false;
    for (size_t i = 0; i < n; i++) {
        struct line *l = &o->lines[rq[i].line];
        int64_t unfulfilled = l->quantity - l->fulfilled - l->cancelled;
        int64_t c = rq[i].qty < unfulfilled ? rq[i].qty : unfulfilled;
        if (c < 0)
            c = 0;
        l->cancelled += c;
        l->refunded += rq[i].qty;
        rl[i].restock_type = !rq[i].restock ? "no_restock" : c == rq[i].qty ? "cancel" : "return";
        any_restock |= rq[i].restock;
    }
    struct refund *r = &o->refunds[o->n_refunds++];
    *r = (struct refund){ .id = new_id(s),
                          .created_at = at,
                          .note = note,
                          .restock = any_restock,
                          .n_lines = n,
                          .lines = rl,
                          .txn = txn };
    if (amount > 0)
        o->financial_status = t.refunded + amount >= t.paid ? "refunded" : "partially_refunded";
    o->updated_at = at;
    if (ret)
        *ret = r;
    return SB_OK;
}

static sb_err do_cancel(struct fs_shop *s, struct order *o, const char *reason, bool refund,
                        bool restock, struct refund **ret_refund)
{
    if (o->cancelled_at)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is already cancelled", o->name);
    struct totals t;
    order_totals(o, &t);
    if (refund && t.paid > t.refunded) {
        struct refund_req *rq = calloc(o->n_lines, sizeof(*rq));
        if (!rq)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        size_t n = 0;
        for (size_t i = 0; i < o->n_lines; i++)
            if (o->lines[i].quantity > o->lines[i].refunded)
                rq[n++] =
                    (struct refund_req){ i, o->lines[i].quantity - o->lines[i].refunded, restock };
        sb_err err =
            do_refund(s, o, rq, n, true, t.paid - t.refunded, "Order cancelled", ret_refund);
        free(rq);
        if (err)
            return err;
    }
    const char *fs = o->financial_status;
    if (strcmp(fs, "pending") == 0 || strcmp(fs, "authorized") == 0)
        o->financial_status = "voided";
    o->cancelled_at = o->updated_at = tick(s);
    o->cancel_reason = reason;
    return SB_OK;
}

struct ful_req {
    size_t line;
    int64_t qty;
};

/* n == 0: everything left to fulfil. */
static sb_err do_fulfill(struct fs_shop *s, struct order *o, const struct ful_req *rq, size_t n,
                         const char *number, const char *company, const char *url,
                         struct fulfillment **ret)
{
    if (o->cancelled_at)
        return sb_fail(SB_ECONFLICT, NULL, "order %s is cancelled", o->name);
    if (o->n_fulfillments == MAX_FULFILLMENTS)
        return sb_fail(SB_ECONFLICT, NULL, "order %s has too many fulfillments", o->name);
    for (size_t i = 0; i < n; i++) {
        int64_t want = 0;
        for (size_t k = 0; k < n; k++)
            if (rq[k].line == rq[i].line)
                want += rq[k].qty;
        const struct line *l = &o->lines[rq[i].line];
        if (want > line_remaining(l))
            return sb_fail(SB_EINVALID_FIELD, "quantity",
                           "line %lld has %lld unit(s) left to fulfil", (long long)l->id,
                           (long long)line_remaining(l));
    }
    size_t cap = n ? n : o->n_lines;
    struct fulfillment f = { .tracking_number = number,
                             .tracking_company = company,
                             .tracking_url = url };
    f.lines = sb_arena_alloc(o->arena, cap * sizeof(*f.lines));
    f.qty = sb_arena_alloc(o->arena, cap * sizeof(*f.qty));
    if (!o->fulfillments)
        o->fulfillments = sb_arena_alloc(o->arena, MAX_FULFILLMENTS * sizeof(*o->fulfillments));
    if (!f.lines || !f.qty || !o->fulfillments)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (n) {
        for (size_t i = 0; i < n; i++) {
            f.lines[f.n] = rq[i].line;
            f.qty[f.n++] = rq[i].qty;
        }
    } else {
        for (size_t i = 0; i < o->n_lines; i++)
            if (line_remaining(&o->lines[i])) {
                f.lines[f.n] = i;
                f.qty[f.n++] = line_remaining(&o->lines[i]);
            }
    }
    if (!f.n)
        return sb_fail(SB_ECONFLICT, NULL, "order %s has nothing left to fulfil", o->name);
    for (size_t i = 0; i < f.n; i++)
        o->lines[f.lines[i]].fulfilled += f.qty[i];
    f.id = new_id(s);
    f.created_at = o->updated_at = tick(s);
    o->fulfillments[o->n_fulfillments] = f;
    if (ret)
        *ret = &o->fulfillments[o->n_fulfillments];
    o->n_fulfillments++;
    return SB_OK;
}

/* ---------------------------------------------------------------- webhooks */

static void ev_add(struct events *e, const char *topic, json_t *payload, int64_t order_id)
{
    if (!payload)
        return;
    if (e->n == sizeof(e->ev) / sizeof(e->ev[0])) {
        json_decref(payload);
        return;
    }
    e->ev[e->n++] = (struct event){ topic, payload, order_id };
}

static void ev_order(struct events *e, const char *topic, const struct order *o)
{
    ev_add(e, topic, rest_order(o), o->id);
}

static void ev_clear(struct events *e)
{
    for (size_t i = 0; i < e->n; i++)
        json_decref(e->ev[i].payload);
    e->n = 0;
}

static void delivery_free(struct delivery *d)
{
    if (d)
        free(d->body);
    free(d);
}

/* Keeps the record list bounded: the oldest record with nothing queued goes. */
static void deliveries_evict(struct fs_shop *s)
{
    if (s->n_deliveries < MAX_DELIVERIES)
        return;
    for (size_t i = 0; i < s->n_deliveries; i++)
        if (!s->deliveries[i]->queued && !s->deliveries[i]->pins) {
            delivery_free(s->deliveries[i]);
            memmove(&s->deliveries[i], &s->deliveries[i + 1],
                    (s->n_deliveries - i - 1) * sizeof(s->deliveries[0]));
            s->n_deliveries--;
            return;
        }
}

static bool push_job(struct fs_shop *s, struct delivery *d, struct batch *b, int copies)
{
    struct job *j = calloc(1, sizeof(*j));
    if (!j)
        return false;
    j->d = d;
    j->batch = b;
    j->copies = copies;
    if (s->q_tail)
        s->q_tail->next = j;
    else
        s->q_head = j;
    s->q_tail = j;
    d->queued++;
    if (b)
        b->pending++;
    return true;
}

/* Records the events as deliveries and queues 1 + duplicate sends of each, one after
 * another or (concurrent) all at once; consumes e. Called with the lock held; b (may be
 * NULL) counts the jobs to wait for. */
static void enqueue(struct fs_shop *s, struct events *e, struct batch *b, int64_t duplicate,
                    bool reverse, bool concurrent)
{
    for (size_t k = 0; k < e->n; k++) {
        struct event *ev = &e->ev[reverse ? e->n - 1 - k : k];
        struct delivery *d = calloc(1, sizeof(*d));
        char *body = dump(ev->payload);
        if (s->n_deliveries == s->cap_deliveries) {
            size_t cap = s->cap_deliveries ? s->cap_deliveries * 2 : 64;
            struct delivery **nd = realloc(s->deliveries, cap * sizeof(*nd));
            if (nd) {
                s->deliveries = nd;
                s->cap_deliveries = cap;
            }
        }
        if (!d || !body || s->n_deliveries == s->cap_deliveries) {
            free(d);
            free(body);
            sb_log(SB_LOG_ERROR, "fakestore.webhook", "topic", ev->topic, "error",
                   "out of memory: event not recorded", NULL);
            continue;
        }
        d->seq = ++s->next_delivery_seq;
        d->order_id = ev->order_id;
        snprintf(d->topic, sizeof(d->topic), "%s", ev->topic);
        uuid4(d->event_id);
        uuid4(d->webhook_id);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char base[SB_TIME_LEN];
        sb_time_format((int64_t)ts.tv_sec, base, sizeof(base));
        base[19] = '\0'; /* drop the Z: milliseconds go first */
        snprintf(d->triggered_at, sizeof(d->triggered_at), "%s.%03ldZ", base, ts.tv_nsec / 1000000);
        d->body = body;
        d->body_len = strlen(body);
        deliveries_evict(s);
        s->deliveries[s->n_deliveries++] = d;
        if (concurrent)
            push_job(s, d, b, (int)duplicate + 1);
        else
            for (int64_t c = 0; c <= duplicate; c++)
                if (!push_job(s, d, b, 1))
                    break;
    }
    ev_clear(e);
    pthread_cond_signal(&s->work);
}

static void wait_batch(struct fs_shop *s, struct batch *b)
{
    /* Every send ends within the webhook timeout, so this wait is bounded. */
    while (b->pending > 0)
        pthread_cond_wait(&s->done, &s->mu);
}

static size_t discard_body(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

struct send_spec {
    char *url, *secret, *domain;
    bool drop, bad_signature;
};

/* One POST with Shopify's headers. Returns the HTTP status, 0 when nothing answered. */
static int send_webhook(CURL *curl, const struct send_spec *sp, const struct delivery *d, char *err,
                        size_t cap)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), sp->secret, (int)strlen(sp->secret), (const unsigned char *)d->body,
              d->body_len, mac, &mac_len)) {
        snprintf(err, cap, "HMAC failed");
        return 0;
    }
    if (sp->bad_signature)
        mac[0] ^= 0x5a; /* a signature that looks right and is not */
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    EVP_EncodeBlock(b64, mac, (int)mac_len);

    char h[8][160];
    snprintf(h[0], sizeof(h[0]), "X-Shopify-Topic: %s", d->topic);
    snprintf(h[1], sizeof(h[1]), "X-Shopify-Hmac-Sha256: %s", (const char *)b64);
    snprintf(h[2], sizeof(h[2]), "X-Shopify-Shop-Domain: %s", sp->domain);
    snprintf(h[3], sizeof(h[3]), "X-Shopify-Webhook-Id: %s", d->webhook_id);
    snprintf(h[4], sizeof(h[4]), "X-Shopify-Event-Id: %s", d->event_id);
    snprintf(h[5], sizeof(h[5]), "X-Shopify-API-Version: %s", FS_API_VERSION);
    snprintf(h[6], sizeof(h[6]), "X-Shopify-Triggered-At: %s", d->triggered_at);
    snprintf(h[7], sizeof(h[7]), "Content-Type: application/json");
    struct curl_slist *hdrs = NULL, *tmp;
    for (size_t i = 0; i < 8; i++) {
        if (!(tmp = curl_slist_append(hdrs, h[i])))
            goto oom;
        hdrs = tmp;
    }
    if (!(tmp = curl_slist_append(hdrs, "Expect:")))
        goto oom;
    hdrs = tmp;

    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, sp->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->body_len);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "Shopify-Captain-Hook");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)WEBHOOK_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(hdrs);
    if (rc != CURLE_OK) {
        snprintf(err, cap, "%s", curl_easy_strerror(rc));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return (int)status;
oom:
    curl_slist_free_all(hdrs);
    snprintf(err, cap, "out of memory");
    return 0;
}

/* One send of a delivery: what the faults and configuration said, then what happened. */
struct attempt {
    struct send_spec sp;
    const struct delivery *d;
    CURL *curl;
    int status;
    char err[160];
    /* concurrent sends wait at this gate so that they leave together */
    pthread_mutex_t *gate_mu;
    pthread_cond_t *gate_cv;
    bool *gate_open;
};

/* Decides one send under the lock: faults are consumed per send. */
static void take_attempt(struct fs_shop *s, struct attempt *a)
{
    if (s->stopping)
        snprintf(a->err, sizeof(a->err), "fakestore stopping");
    else if (!s->webhook_url)
        snprintf(a->err, sizeof(a->err), "no webhook_url configured");
    else if (s->hfault.drop > 0) {
        s->hfault.drop--;
        a->sp.drop = true;
        snprintf(a->err, sizeof(a->err), "dropped by fault injection");
    } else {
        if (s->hfault.bad_signature > 0) {
            s->hfault.bad_signature--;
            a->sp.bad_signature = true;
        }
        a->sp.url = xstrdup(s->webhook_url);
        a->sp.secret = xstrdup(s->secret);
        a->sp.domain = xstrdup(s->shop_domain);
        if (!a->sp.url || !a->sp.secret || !a->sp.domain)
            snprintf(a->err, sizeof(a->err), "out of memory");
    }
}

static void run_attempt(struct attempt *a)
{
    if (a->err[0])
        return;
    if (a->curl)
        a->status = send_webhook(a->curl, &a->sp, a->d, a->err, sizeof(a->err));
    else
        snprintf(a->err, sizeof(a->err), "curl unavailable");
}

static void *attempt_thread(void *arg)
{
    struct attempt *a = arg;
    pthread_mutex_lock(a->gate_mu);
    while (!*a->gate_open)
        pthread_cond_wait(a->gate_cv, a->gate_mu);
    pthread_mutex_unlock(a->gate_mu);
    run_attempt(a);
    return NULL;
}

/* Sends n copies at the same instant, each on its own connection. */
static void run_concurrently(struct attempt *a, int n)
{
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    bool open = false;
    pthread_t th[MAX_DUPLICATE + 1];
    bool started[MAX_DUPLICATE + 1] = { false };
    for (int k = 0; k < n; k++) {
        a[k].curl = curl_easy_init();
        a[k].gate_mu = &mu;
        a[k].gate_cv = &cv;
        a[k].gate_open = &open;
        started[k] = pthread_create(&th[k], NULL, attempt_thread, &a[k]) == 0;
        if (!started[k] && !a[k].err[0])
            snprintf(a[k].err, sizeof(a[k].err), "cannot start a sending thread");
    }
    pthread_mutex_lock(&mu);
    open = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int k = 0; k < n; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        curl_easy_cleanup(a[k].curl);
    }
    pthread_cond_destroy(&cv);
    pthread_mutex_destroy(&mu);
}

/* Logs one send and records it on the delivery (lock held). */
static void record_attempt(struct delivery *d, struct attempt *a)
{
    char st[8], seq[24];
    snprintf(st, sizeof(st), "%d", a->status);
    snprintf(seq, sizeof(seq), "%lld", (long long)d->seq);
    bool ok = a->status >= 200 && a->status < 300;
    sb_log(ok ? SB_LOG_INFO : SB_LOG_WARN, "fakestore.webhook", "topic", d->topic, "event_id",
           d->event_id, "seq", seq, "status", st, "error", a->err, NULL);
    d->attempts++;
    d->failures += !ok;
    d->status = a->status;
    d->ok = ok;
    d->dropped = a->sp.drop;
    d->bad_signature = a->sp.bad_signature;
    snprintf(d->error, sizeof(d->error), "%s",
             a->err[0] ? a->err
             : ok      ? ""
                       : "answered with a non-2xx status");
    free(a->sp.url);
    free(a->sp.secret);
    free(a->sp.domain);
}

static void *worker_main(void *arg)
{
    struct fs_shop *s = arg;
    CURL *curl = curl_easy_init(); /* one kept-alive connection for the sequential sends */
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->q_head && !s->stopping)
            pthread_cond_wait(&s->work, &s->mu);
        if (!s->q_head)
            break;
        struct job *j = s->q_head;
        s->q_head = j->next;
        if (!s->q_head)
            s->q_tail = NULL;
        s->in_flight++;
        struct delivery *d = j->d;
        struct attempt a[MAX_DUPLICATE + 1];
        int n = j->copies < 1 ? 1 : j->copies > MAX_DUPLICATE + 1 ? MAX_DUPLICATE + 1 : j->copies;
        memset(a, 0, sizeof(a));
        for (int k = 0; k < n; k++) {
            a[k].d = d;
            take_attempt(s, &a[k]);
        }
        pthread_mutex_unlock(&s->mu);

        /* d's body, ids and topic never change, and d->queued keeps it from eviction. */
        if (n == 1) {
            a[0].curl = curl;
            run_attempt(&a[0]);
        } else {
            run_concurrently(a, n);
        }

        pthread_mutex_lock(&s->mu);
        for (int k = 0; k < n; k++)
            record_attempt(d, &a[k]);
        d->queued--;
        s->in_flight--;
        if (j->batch)
            j->batch->pending--;
        free(j);
        pthread_cond_broadcast(&s->done);
    }
    pthread_mutex_unlock(&s->mu);
    curl_easy_cleanup(curl);
    return NULL;
}

static json_t *delivery_json(const struct delivery *d)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:i,s:i,s:i,s:b,s:b,s:b,s:s,s:b}", "seq",
                     (json_int_t)d->seq, "topic", d->topic, "event_id", d->event_id, "webhook_id",
                     d->webhook_id, "order_id", (json_int_t)d->order_id, "triggered_at",
                     d->triggered_at, "attempts", d->attempts, "failures", d->failures, "status",
                     d->status, "ok", d->ok, "dropped", d->dropped, "bad_signature",
                     d->bad_signature, "error", d->error, "queued", d->queued > 0);
}

/* ---------------------------------------------------------------- GraphQL */

enum {
    F_UPDATED,
    F_CREATED
};
enum {
    C_GT,
    C_GE,
    C_LT,
    C_LE,
    C_EQ
};

struct cond {
    int field, op;
    int64_t t;
};

#define MAX_CONDS 8

struct gql {
    struct fs_shop *s;
    const char *query; /* the document */
    json_t *vars;      /* an object, never NULL */
    json_t *errors;    /* top-level GraphQL errors */
    int requested, actual;
    int64_t first, cur_t, cur_id, id;
    bool has_cursor;
    struct cond conds[MAX_CONDS];
    size_t n_conds;
    struct events ev; /* webhooks the operation raised */
};

struct gql_op {
    const char *name, *kind;
    bool (*prepare)(struct gql *g); /* false: g->errors says why; nothing is charged */
    json_t *(*run)(struct gql *g);  /* the "data" object */
};

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
}

/* "query" or "mutation" when the document declares an operation with this name. */
static const char *declared_kind(const char *q, const char *name)
{
    size_t n = strlen(name);
    if (!n)
        return NULL;
    for (const char *p = strstr(q, name); p; p = strstr(p + 1, name)) {
        if (is_ident(p[n]) || (p > q && is_ident(p[-1])))
            continue;
        const char *b = p;
        while (b > q && is_space(b[-1]))
            b--;
        if (b == p)
            continue;
        static const char *const kw[] = { "query", "mutation" };
        for (size_t k = 0; k < 2; k++) {
            size_t kl = strlen(kw[k]);
            if ((size_t)(b - q) >= kl && memcmp(b - kl, kw[k], kl) == 0 &&
                (b - kl == q || !is_ident(b[-(long)kl - 1])))
                return kw[k];
        }
    }
    return NULL;
}

/* The name of the first operation the document declares, "" when none. */
static void first_operation(const char *q, char *out, size_t cap)
{
    out[0] = '\0';
    const char *p = q;
    while (*p) {
        if (!is_ident(*p) || (p > q && is_ident(p[-1]))) {
            p++;
            continue;
        }
        const char *w = p;
        while (is_ident(*p))
            p++;
        size_t wl = (size_t)(p - w);
        if ((wl == 5 && memcmp(w, "query", 5) == 0) || (wl == 8 && memcmp(w, "mutation", 8) == 0)) {
            while (is_space(*p))
                p++;
            const char *nm = p;
            while (is_ident(*p))
                p++;
            size_t nl = (size_t)(p - nm);
            if (nl && nl < cap) {
                memcpy(out, nm, nl);
                out[nl] = '\0';
            }
            return;
        }
    }
}

static void gql_error(struct gql *g, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void gql_error(struct gql *g, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(g->errors,
                          json_pack("{s:s,s:{s:s}}", "message", msg, "extensions", "code", code));
}

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
        gql_error(g, "argumentLiteralsIncompatible", "Invalid global id '%s'", s);
        return false;
    }
    return true;
}

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
            gql_error(g, "BAD_REQUEST",
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
                gql_error(g, "BAD_REQUEST", "unterminated or overlong value in search '%s'", q);
                return false;
            }
            p++;
        } else {
            while (*p && *p != ' ' && n + 1 < sizeof(value))
                value[n++] = *p++;
        }
        value[n] = '\0';
        if (!sb_time_parse(value, &c.t)) {
            gql_error(g, "BAD_REQUEST", "not a date or time in search '%s'", q);
            return false;
        }
        if (g->n_conds == MAX_CONDS) {
            gql_error(g, "BAD_REQUEST", "too many search terms in '%s'", q);
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
            gql_error(g, "BAD_REQUEST", "Invalid cursor for current pagination sort.");
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
    struct order *o = find_order(g->s, g->id);
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
    struct order *o = find_order(g->s, g->id);
    g->actual = o ? 3 : 1;
    return json_pack("{s:o}", "order", o ? gql_fulfillment_orders(o) : json_null());
}

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
    const char *st = fo_status(o);
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
    sb_err err = do_fulfill(s, o, rq, n, number_c, company_c, url_c, &f);
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
    json_object_set_new(rec, "gid", jgid("Fulfillment", f->id));
    json_object_set_new(rec, "order_id", json_integer(o->id));
    json_object_set_new(rec, "order_name", json_string(o->name));
    json_object_set_new(rec, "fulfillment_order_id", json_string(fo_gid));
    json_object_set_new(rec, "tracking_number", jstr(f->tracking_number));
    json_object_set_new(rec, "tracking_company", jstr(f->tracking_company));
    json_object_set_new(rec, "tracking_url", jstr(f->tracking_url));
    json_object_set_new(rec, "notify_customer", json_boolean(notify));
    json_object_set_new(rec, "line_items", lines);
    json_object_set_new(rec, "created_at", jtime_gql(f->created_at));
    log_engine_action(s->api_fulfillments, rec);
    ev_add(&g->ev, "fulfillments/create", rest_fulfillment(o, f, o->n_fulfillments - 1), o->id);
    ev_order(&g->ev, "orders/updated", o);
out:
    free(rq);
    json_t *fj =
        f ? json_pack("{s:o,s:s,s:o}", "id", jgid("Fulfillment", f->id), "status", "SUCCESS",
                      "trackingInfo",
                      gql_tracking(f->tracking_number, f->tracking_company, f->tracking_url))
          : json_null();
    return json_pack("{s:{s:o,s:o}}", "fulfillmentCreate", "fulfillment", fj, "userErrors", uerr);
}

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
    struct order *o = find_order(s, g->id);
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
    sb_err err =
        reason_c ? do_cancel(s, o, reason_c, refund, restock, &r) : sb_fail(SB_ENOMEM, NULL, NULL);
    if (err) {
        const char *msg =
            o->cancelled_at ? "Order has already been cancelled" : sb_err_last()->message;
        user_error(errs, field_path("orderId", NULL, NULL), "INVALID", "%s", msg);
        user_error(legacy, field_path("orderId", NULL, NULL), NULL, "%s", msg);
        goto out;
    }
    char job_id[40], job_gid[80];
    uuid4(job_id);
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
    json_object_set_new(rec, "staff_note", jstr(json_string_value(var(g, "staffNote"))));
    json_object_set_new(rec, "refunded",
                        r && r->txn >= 0 ? jmoney(o->txns[r->txn].amount) : jmoney(0));
    json_object_set_new(rec, "job_id", json_string(job_gid));
    json_object_set_new(rec, "cancelled_at", jtime_gql(o->cancelled_at));
    log_engine_action(s->api_cancellations, rec);
    ev_order(&g->ev, "orders/cancelled", o);
out:
    return json_pack("{s:{s:o,s:o,s:o}}", "orderCancel", "job", job, "orderCancelUserErrors", errs,
                     "userErrors", legacy);
}

static const struct gql_op gql_ops[] = {
    { "SbOrders", "query", prep_orders, run_orders },
    { "SbOrder", "query", prep_order, run_order },
    { "SbFulfillmentOrders", "query", prep_fulfillment_orders, run_fulfillment_orders },
    { "SbFulfillmentCreate", "mutation", prep_fulfillment_create, run_fulfillment_create },
    { "SbOrderCancel", "mutation", prep_order_cancel, run_order_cancel },
};

static const struct gql_op *find_op(const char *name)
{
    for (size_t i = 0; i < sizeof(gql_ops) / sizeof(gql_ops[0]); i++)
        if (strcmp(gql_ops[i].name, name) == 0)
            return &gql_ops[i];
    return NULL;
}

/* ---------------------------------------------------------------- GraphQL endpoint */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void respond(struct fs_response *r, int status, json_t *doc)
{
    r->status = status;
    r->body = doc ? dump(doc) : NULL;
    json_decref(doc);
}

/* The budget refills at restoreRate points a second up to maximumAvailable. */
static void bucket_refill(struct fs_shop *s)
{
    uint64_t now = sb_clock_ns();
    s->available += (double)(now - s->bucket_ns) / 1e9 * s->restore;
    s->bucket_ns = now;
    if (s->available > s->budget)
        s->available = s->budget;
}

static json_t *cost_json(struct fs_shop *s, int requested, int actual)
{
    return json_pack("{s:{s:i,s:o,s:{s:f,s:I,s:f}}}", "cost", "requestedQueryCost", requested,
                     "actualQueryCost", actual < 0 ? json_null() : json_integer(actual),
                     "throttleStatus", "maximumAvailable", s->budget, "currentlyAvailable",
                     (json_int_t)s->available, "restoreRate", s->restore);
}

static void count_op(struct fs_shop *s, const char *name)
{
    for (size_t i = 0; i < s->n_ops; i++)
        if (strcmp(s->ops[i].name, name) == 0) {
            s->ops[i].n++;
            return;
        }
    size_t i = s->n_ops < MAX_OPS ? s->n_ops++ : MAX_OPS - 1;
    if (i == MAX_OPS - 1)
        snprintf(s->ops[i].name, sizeof(s->ops[i].name), "(other)");
    else
        snprintf(s->ops[i].name, sizeof(s->ops[i].name), "%s", name);
    s->ops[i].n++;
}

static void remember(struct fs_shop *s, const char *op, json_t *vars, int status,
                     const char *outcome)
{
    if (json_array_size(s->recent) >= MAX_RECENT)
        json_array_remove(s->recent, 0);
    char ts[SB_TIME_LEN];
    sb_time_format(sb_time_now(), ts, sizeof(ts));
    json_array_append_new(s->recent,
                          json_pack("{s:s,s:o,s:i,s:s,s:s}", "operation", op, "variables",
                                    json_is_object(vars) ? json_deep_copy(vars) : json_null(),
                                    "status", status, "outcome", outcome, "at", ts));
}

static bool token_ok(const char *given, const char *want)
{
    if (!given)
        return false;
    size_t n = strlen(given), m = strlen(want);
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n && i < m; i++)
        diff |= (unsigned char)(given[i] ^ want[i]);
    return diff == 0;
}

static void handle_graphql(struct fs_shop *s, const struct fs_request *req,
                           struct fs_response *resp)
{
    json_t *doc =
        req->body_len ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const char *query = json_string_value(json_object_get(doc, "query"));
    json_t *opn = json_object_get(doc, "operationName");
    json_t *vars = json_object_get(doc, "variables");
    char opname[64] = "";
    if (json_is_string(opn) && json_string_length(opn) < sizeof(opname))
        snprintf(opname, sizeof(opname), "%s", json_string_value(opn));
    else if (query && (!opn || json_is_null(opn)))
        first_operation(query, opname, sizeof(opname));
    const char *label = opname[0] ? opname : "(unnamed)";

    pthread_mutex_lock(&s->mu);
    s->gql_total++;
    count_op(s, label);
    struct gql_fault f = { 0 };
    if (s->gfault.count > 0) {
        f = s->gfault;
        if (--s->gfault.count == 0)
            s->gfault.status = s->gfault.delay_ms = 0, s->gfault.cut = false;
    }
    pthread_mutex_unlock(&s->mu);

    if (f.delay_ms > 0)
        sleep_ms(f.delay_ms);
    if (f.cut || f.status) {
        pthread_mutex_lock(&s->mu);
        s->gql_faulted++;
        remember(s, label, vars, f.cut ? 0 : f.status, f.cut ? "cut" : "fault_status");
        pthread_mutex_unlock(&s->mu);
        if (f.cut) {
            resp->cut = true;
        } else if (f.status == 429) {
            snprintf(resp->retry_after, sizeof(resp->retry_after), "1.0");
            respond(resp, 429,
                    json_pack("{s:s}", "errors",
                              "Exceeded 2 calls per second for api client. Reduce "
                              "request rates to resume uninterrupted service."));
        } else {
            respond(resp, f.status,
                    json_pack("{s:s}", "errors",
                              f.status >= 500 ? "Internal Server Error" : "Bad Request"));
        }
        json_decref(doc);
        return;
    }

    pthread_mutex_lock(&s->mu);
    bool authorized = token_ok(req->token, s->token); /* the token may change: compare locked */
    pthread_mutex_unlock(&s->mu);
    if (!authorized) {
        pthread_mutex_lock(&s->mu);
        s->gql_unauthorized++;
        remember(s, label, vars, 401, "unauthorized");
        pthread_mutex_unlock(&s->mu);
        respond(resp, 401,
                json_pack("{s:s}", "errors",
                          "[API] Invalid API key or access token (unrecognized login or wrong "
                          "password)"));
        json_decref(doc);
        return;
    }
    if (req->content_type && strncasecmp(req->content_type, "application/json", 16) != 0) {
        respond(resp, 415, json_pack("{s:s}", "errors", "Content-Type must be application/json"));
        json_decref(doc);
        return;
    }
    if (!json_is_object(doc) || !query || (vars && !json_is_null(vars) && !json_is_object(vars)) ||
        (opn && !json_is_null(opn) && !json_is_string(opn))) {
        pthread_mutex_lock(&s->mu);
        s->gql_errors++;
        remember(s, label, NULL, 400, "bad_request");
        pthread_mutex_unlock(&s->mu);
        respond(resp, 400,
                json_pack("{s:{s:s}}", "errors", "query", "Required parameter missing or invalid"));
        json_decref(doc);
        return;
    }

    json_t *empty = json_object();
    struct gql g = {
        .s = s, .query = query, .vars = json_is_object(vars) ? vars : empty, .errors = json_array()
    };
    const struct gql_op *op = find_op(opname);
    const char *kind = opname[0] ? declared_kind(query, opname) : NULL;
    pthread_mutex_lock(&s->mu);
    json_t *answer = NULL;
    const char *outcome = "errors";
    if (!opname[0] || !kind) {
        if (opname[0])
            gql_error(&g, "OPERATION_NOT_FOUND", "Unknown operation named \"%s\".", opname);
        else
            gql_error(&g, "OPERATION_NOT_FOUND",
                      "the document names no operation: send operationName");
    } else if (!op) {
        gql_error(&g, "UNSUPPORTED_OPERATION",
                  "fakestore does not model operation %s (see docs/fakestore.md)", opname);
    } else if (strcmp(kind, op->kind) != 0) {
        gql_error(&g, "UNSUPPORTED_OPERATION", "%s must be declared as a %s", opname, op->kind);
    } else if (op->prepare(&g)) {
        bucket_refill(s);
        if (g.requested > s->budget) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "Query cost is %d, which exceeds the single query max cost limit (%.0f).",
                     g.requested, s->budget);
            answer =
                json_pack("{s:[{s:s,s:{s:s,s:i,s:f,s:s}}],s:o}", "errors", "message", msg,
                          "extensions", "code", "MAX_COST_EXCEEDED", "cost", g.requested, "maxCost",
                          s->budget, "documentation", "https://shopify.dev/api/usage/rate-limits",
                          "extensions", cost_json(s, g.requested, -1));
            outcome = "max_cost_exceeded";
        } else if (s->gfault.throttle > 0 || (double)g.requested > s->available) {
            if (s->gfault.throttle > 0)
                s->gfault.throttle--;
            s->gql_throttled++;
            answer = json_pack("{s:[{s:s,s:{s:s,s:s}}],s:o}", "errors", "message", "Throttled",
                               "extensions", "code", "THROTTLED", "documentation",
                               "https://shopify.dev/api/usage/rate-limits", "extensions",
                               cost_json(s, g.requested, -1));
            outcome = "throttled";
        } else {
            s->available -= g.requested;
            g.actual = g.requested;
            json_t *data = op->run(&g);
            s->available += g.requested - g.actual;
            if (s->available > s->budget)
                s->available = s->budget;
            answer = json_pack("{s:o,s:o}", "data", data, "extensions",
                               cost_json(s, g.requested, g.actual));
            outcome = "ok";
            enqueue(s, &g.ev, NULL, 0, false, false);
        }
    }
    if (!answer) {
        s->gql_errors++;
        answer = json_pack("{s:O,s:o}", "errors", g.errors, "extensions", cost_json(s, 0, 0));
    }
    /* The request log keeps variables of ordinary size only. */
    remember(s, label, req->body_len <= 8192 ? g.vars : NULL, 200, outcome);
    pthread_mutex_unlock(&s->mu);
    char cost[16];
    snprintf(cost, sizeof(cost), "%d", g.requested);
    sb_log(SB_LOG_INFO, "fakestore.graphql", "operation", label, "outcome", outcome, "cost", cost,
           NULL);
    ev_clear(&g.ev);
    json_decref(g.errors);
    json_decref(empty);
    json_decref(doc);
    respond(resp, 200, answer);
}

/* ---------------------------------------------------------------- control API */

static void reply_err(struct fs_response *r, sb_err err)
{
    const struct sb_errinfo *info = sb_err_last();
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(sb_err_code(err)));
    json_object_set_new(
        e, "message",
        json_string(info->err == err && info->message[0] ? info->message : sb_err_message(err)));
    if (info->err == err && info->field[0])
        json_object_set_new(e, "field", json_string(info->field));
    respond(r, sb_err_status(err), json_pack("{s:o}", "error", e));
}

static sb_err parse_body(const struct fs_request *req, json_t **ret)
{
    if (!req->body_len) {
        *ret = json_object();
        return *ret ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_error_t e;
    json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!doc)
        return sb_fail(SB_EINVALID_JSON, NULL, "body is not valid JSON (line %d, column %d)",
                       e.line, e.column);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return sb_fail(SB_EINVALID_JSON, NULL, "body must be a JSON object");
    }
    *ret = doc;
    return SB_OK;
}

static void log_action(const char *action, const struct order *o)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)o->id);
    sb_log(SB_LOG_INFO, "fakestore.order", "action", action, "order", id, "name", o->name, NULL);
}

static sb_err create_order(struct fs_shop *s, json_t *body, json_t **ret)
{
    struct order *o = order_new();
    if (!o)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct opts op = { 0 };
    struct batch b = { 0 };
    struct events ev = { 0 };
    pthread_mutex_lock(&s->mu);
    sb_err err = SB_OK;
    if (s->n_orders >= MAX_ORDERS)
        err = sb_fail(SB_EINSUFFICIENT, NULL, "the shop holds %d orders, its limit", MAX_ORDERS);
    if (!err && s->n_orders == s->cap_orders) {
        size_t cap = s->cap_orders ? s->cap_orders * 2 : 64;
        struct order **no = realloc(s->orders, cap * sizeof(*no));
        if (!no)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        else
            s->orders = no, s->cap_orders = cap;
    }
    if (!err)
        err = parse_order(s, body, o, &op);
    if (err) {
        pthread_mutex_unlock(&s->mu);
        order_free(o);
        return err;
    }
    s->orders[s->n_orders++] = o;
    ev_order(&ev, "orders/create", o);
    if (strcmp(o->financial_status, "paid") == 0)
        ev_order(&ev, "orders/paid", o);
    if (op.webhooks)
        enqueue(s, &ev, &b, op.duplicate, op.reverse, op.concurrent);
    ev_clear(&ev);
    *ret = rest_order(o);
    log_action("create", o);
    wait_batch(s, &b);
    pthread_mutex_unlock(&s->mu);
    return SB_OK;
}

static sb_err lines_field(struct sb_jctx *c, json_t **ret)
{
    return sb_json_array(c, "lines", false, MAX_LINES, ret);
}

static sb_err line_ref(struct sb_jctx *c, json_t *v, size_t i, const struct order *o,
                       bool with_restock, size_t *ret_line, int64_t *ret_qty, bool *ret_restock)
{
    char buf[64];
    struct sb_jctx lc = sb_jctx_child(c, "lines", (long)i, v, buf, sizeof(buf));
    static const char *const keys_r[] = { "line_item_id", "quantity", "restock", NULL };
    static const char *const keys_f[] = { "line_item_id", "quantity", NULL };
    int64_t lid = 0;
    sb_err err;
    if ((err = check_object(v, buf)) || (err = sb_json_only(&lc, with_restock ? keys_r : keys_f)) ||
        (err = sb_json_int(&lc, "line_item_id", true, 1, INT64_MAX, &lid, NULL)) ||
        (err = sb_json_int(&lc, "quantity", true, 1, QTY_MAX, ret_qty, NULL)) ||
        (with_restock && (err = sb_json_bool(&lc, "restock", false, ret_restock, NULL))))
        return err;
    long line = find_line(o, lid);
    if (line < 0) {
        char f[96];
        snprintf(f, sizeof(f), "%s.line_item_id", buf);
        return sb_fail(SB_EUNKNOWN_REFERENCE, f, "order %s has no line item %lld", o->name,
                       (long long)lid);
    }
    *ret_line = (size_t)line;
    return SB_OK;
}

static const char *const ctl_reasons[] = { "customer", "declined", "fraud", "inventory",
                                           "other",    "staff",    NULL };

/* pay, cancel, refund, fulfill, update: the change, then its webhooks. */
static sb_err order_action(struct fs_shop *s, struct order *o, const char *action, json_t *body,
                           struct events *ev)
{
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    sb_err err;
    if (strcmp(action, "pay") == 0) {
        static const char *const keys[] = { "webhooks", "duplicate", "reverse", "concurrent",
                                            NULL };
        if ((err = sb_json_only(&c, keys)) || (err = do_pay(s, o)))
            return err;
        ev_order(ev, "orders/paid", o);
    } else if (strcmp(action, "cancel") == 0) {
        static const char *const keys[] = { "reason",    "refund",  "restock",    "webhooks",
                                            "duplicate", "reverse", "concurrent", NULL };
        const char *reason = "customer";
        bool refund = false, restock = false;
        if ((err = sb_json_only(&c, keys)) ||
            (err = sb_json_str(&c, "reason", false, 32, &reason, NULL)) ||
            (err = sb_json_bool(&c, "refund", false, &refund, NULL)) ||
            (err = sb_json_bool(&c, "restock", false, &restock, NULL)))
            return err;
        size_t i = 0;
        while (ctl_reasons[i] && strcmp(ctl_reasons[i], reason) != 0)
            i++;
        if (!ctl_reasons[i])
            return sb_fail(SB_EINVALID_FIELD, "reason",
                           "reason must be customer, declined, fraud, inventory, other or staff");
        if ((err = do_cancel(s, o, ctl_reasons[i], refund, restock, NULL)))
            return err;
        ev_order(ev, "orders/cancelled", o);
    } else if (strcmp(action, "refund") == 0) {
        static const char *const keys[] = { "lines",     "amount",  "note",       "webhooks",
                                            "duplicate", "reverse", "concurrent", NULL };
        json_t *lines = NULL;
        int64_t amount = 0;
        bool has_amount = false;
        const char *note = NULL;
        if ((err = sb_json_only(&c, keys)) || (err = lines_field(&c, &lines)) ||
            (err = get_money(&c, "amount", false, SB_MONEY_MAX, &amount, &has_amount)) ||
            (err = get_str(o->arena, &c, "note", false, &note)))
            return err;
        size_t n = lines ? json_array_size(lines) : 0;
        struct refund_req *rq = calloc(n ? n : 1, sizeof(*rq));
        if (!rq)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < n && !err; i++)
            err = line_ref(&c, json_array_get(lines, i), i, o, true, &rq[i].line, &rq[i].qty,
                           &rq[i].restock);
        struct refund *r = NULL;
        if (!err)
            err = do_refund(s, o, rq, n, has_amount, amount, note, &r);
        free(rq);
        if (err)
            return err;
        ev_add(ev, "refunds/create", rest_refund(o, r), o->id);
        ev_order(ev, "orders/updated", o);
    } else if (strcmp(action, "fulfill") == 0) {
        static const char *const keys[] = { "tracking_number", "tracking_company", "tracking_url",
                                            "lines",           "webhooks",         "duplicate",
                                            "reverse",         "concurrent",       NULL };
        const char *number = NULL, *company = NULL, *url = NULL;
        json_t *lines = NULL;
        if ((err = sb_json_only(&c, keys)) ||
            (err = get_str(o->arena, &c, "tracking_number", false, &number)) ||
            (err = get_str(o->arena, &c, "tracking_company", false, &company)) ||
            (err = get_str(o->arena, &c, "tracking_url", false, &url)) ||
            (err = lines_field(&c, &lines)))
            return err;
        size_t n = lines ? json_array_size(lines) : 0;
        if (lines && !n)
            return sb_fail(SB_EINVALID_FIELD, "lines", "lines must not be empty when given");
        struct ful_req *rq = calloc(n ? n : 1, sizeof(*rq));
        if (!rq)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < n && !err; i++)
            err =
                line_ref(&c, json_array_get(lines, i), i, o, false, &rq[i].line, &rq[i].qty, NULL);
        struct fulfillment *f = NULL;
        if (!err)
            err = do_fulfill(s, o, rq, n, number, company, url, &f);
        free(rq);
        if (err)
            return err;
        ev_add(ev, "fulfillments/create", rest_fulfillment(o, f, o->n_fulfillments - 1), o->id);
        ev_order(ev, "orders/updated", o);
    } else if (strcmp(action, "update") == 0) {
        static const char *const keys[] = { "note",
                                            "email",
                                            "phone",
                                            "tags",
                                            "note_attributes",
                                            "shipping_address",
                                            "billing_address",
                                            "webhooks",
                                            "duplicate",
                                            "reverse",
                                            "concurrent",
                                            NULL };
        static const char *const changes[] = { "note",
                                               "email",
                                               "phone",
                                               "tags",
                                               "note_attributes",
                                               "shipping_address",
                                               "billing_address",
                                               NULL };
        if ((err = sb_json_only(&c, keys)))
            return err;
        bool any = false;
        for (size_t i = 0; changes[i]; i++)
            any |= json_object_get(body, changes[i]) != NULL;
        if (!any)
            return sb_fail(SB_EMISSING_FIELD, NULL,
                           "update needs one of note, email, phone, tags, note_attributes, "
                           "shipping_address, billing_address");
        struct order tmp = *o;
        if ((err = get_str(o->arena, &c, "note", false, &tmp.note)) ||
            (err = get_str(o->arena, &c, "email", false, &tmp.email)) ||
            (err = get_str(o->arena, &c, "phone", false, &tmp.phone)) ||
            (err = get_str(o->arena, &c, "tags", false, &tmp.tags)) ||
            (err = parse_attrs(o->arena, &c, &tmp)) ||
            (err = parse_address(o->arena, &c, "shipping_address", &tmp.shipping)) ||
            (err = parse_address(o->arena, &c, "billing_address", &tmp.billing)))
            return err;
        o->note = tmp.note;
        o->email = tmp.email;
        o->phone = tmp.phone;
        o->tags = tmp.tags;
        o->n_attrs = tmp.n_attrs;
        o->attr_name = tmp.attr_name;
        o->attr_value = tmp.attr_value;
        o->shipping = tmp.shipping;
        o->billing = tmp.billing;
        o->updated_at = tick(s);
        ev_order(ev, "orders/updated", o);
    } else {
        return sb_fail(SB_ENOT_FOUND, NULL, "no such action: %s", action);
    }
    return SB_OK;
}

static sb_err ctl_order_action(struct fs_shop *s, int64_t id, const char *action, json_t *body,
                               json_t **ret)
{
    struct events ev = { 0 };
    struct batch b = { 0 };
    struct opts op = { 0 };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    sb_err err = parse_opts(&c, &op);
    if (err)
        return err;
    pthread_mutex_lock(&s->mu);
    struct order *o = find_order(s, id);
    if (!o)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no order %lld", (long long)id);
    if (!err)
        err = order_action(s, o, action, body, &ev);
    if (err) {
        ev_clear(&ev);
        pthread_mutex_unlock(&s->mu);
        return err;
    }
    if (op.webhooks)
        enqueue(s, &ev, &b, op.duplicate, op.reverse, op.concurrent);
    ev_clear(&ev);
    *ret = rest_order(o);
    log_action(action, o);
    wait_batch(s, &b);
    pthread_mutex_unlock(&s->mu);
    return SB_OK;
}

static json_t *product_json(const struct product *p)
{
    return json_pack("{s:I,s:I,s:I,s:o,s:o,s:s,s:o,s:o,s:o}", "product_id",
                     (json_int_t)p->product_id, "variant_id", (json_int_t)p->variant_id,
                     "inventory_item_id", (json_int_t)p->inventory_item_id, "variant_gid",
                     jgid("ProductVariant", p->variant_id), "inventory_item_gid",
                     jgid("InventoryItem", p->inventory_item_id), "sku", p->sku, "title",
                     jstr(p->title), "price", jmoney(p->price), "barcode", jstr(p->barcode));
}

static sb_err add_product_locked(struct fs_shop *s, const char *sku, const char *title,
                                 int64_t price, const char *barcode, struct product **ret)
{
    if (!sku || !*sku || strlen(sku) > STR_MAX)
        return sb_fail(SB_EINVALID_FIELD, "sku", "sku must be 1 to %d bytes", STR_MAX);
    if (find_product(s, sku))
        return sb_fail(SB_EDUPLICATE, "sku", "a product with SKU %s exists", sku);
    if (s->n_products >= MAX_PRODUCTS)
        return sb_fail(SB_EINSUFFICIENT, NULL, "the shop holds %d products, its limit",
                       MAX_PRODUCTS);
    if (price < 0 || price > PRICE_MAX)
        return sb_fail(SB_EINVALID_FIELD, "price", "price out of range");
    if (s->n_products == s->cap_products) {
        size_t cap = s->cap_products ? s->cap_products * 2 : 64;
        struct product *np = realloc(s->products, cap * sizeof(*np));
        if (!np)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        s->products = np;
        s->cap_products = cap;
    }
    char deftitle[300];
    snprintf(deftitle, sizeof(deftitle), "Product %s", sku);
    struct product p = { .product_id = new_id(s),
                         .variant_id = new_id(s),
                         .inventory_item_id = new_id(s),
                         .price = price,
                         .sku = strdup(sku),
                         .title = strdup(title && *title ? title : deftitle),
                         .barcode = barcode && *barcode ? strdup(barcode) : NULL };
    if (!p.sku || !p.title || (barcode && *barcode && !p.barcode)) {
        free(p.sku);
        free(p.title);
        free(p.barcode);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    s->products[s->n_products++] = p;
    if (ret)
        *ret = &s->products[s->n_products - 1];
    return SB_OK;
}

static json_t *faults_json(const struct fs_shop *s)
{
    return json_pack("{s:{s:i,s:i,s:i,s:b,s:i},s:{s:i,s:i}}", "graphql", "status", s->gfault.status,
                     "count", s->gfault.count, "delay_ms", s->gfault.delay_ms, "cut", s->gfault.cut,
                     "throttle", s->gfault.throttle, "webhooks", "drop", s->hfault.drop,
                     "bad_signature", s->hfault.bad_signature);
}

static sb_err ctl_faults(struct fs_shop *s, json_t *body)
{
    static const char *const keys[] = { "graphql", "webhooks", NULL };
    static const char *const gkeys[] = { "status", "count", "delay_ms", "cut", "throttle", NULL };
    static const char *const wkeys[] = { "drop", "bad_signature", NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    json_t *gq = NULL, *wh = NULL;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) || (err = sb_json_object(&c, "graphql", false, &gq)) ||
        (err = sb_json_object(&c, "webhooks", false, &wh)))
        return err;
    struct gql_fault gf = { 0 };
    struct hook_fault hf = { 0 };
    if (gq) {
        struct sb_jctx g = { .obj = gq, .prefix = "graphql" };
        int64_t status = 0, count = 1, delay = 0, throttle = 0;
        bool has_status = false, has_delay = false;
        if ((err = sb_json_only(&g, gkeys)) ||
            (err = sb_json_int(&g, "status", false, 400, 599, &status, &has_status)) ||
            (err = sb_json_int(&g, "count", false, 1, 1000, &count, NULL)) ||
            (err = sb_json_int(&g, "delay_ms", false, 0, 60000, &delay, &has_delay)) ||
            (err = sb_json_bool(&g, "cut", false, &gf.cut, NULL)) ||
            (err = sb_json_int(&g, "throttle", false, 0, 1000, &throttle, NULL)))
            return err;
        gf.status = (int)status;
        gf.delay_ms = (int)delay;
        gf.throttle = (int)throttle;
        gf.count = (has_status || delay > 0 || gf.cut) ? (int)count : 0;
    }
    if (wh) {
        struct sb_jctx w = { .obj = wh, .prefix = "webhooks" };
        int64_t drop = 0, bad = 0;
        if ((err = sb_json_only(&w, wkeys)) ||
            (err = sb_json_int(&w, "drop", false, 0, 1000, &drop, NULL)) ||
            (err = sb_json_int(&w, "bad_signature", false, 0, 1000, &bad, NULL)))
            return err;
        hf.drop = (int)drop;
        hf.bad_signature = (int)bad;
    }
    if (gq)
        s->gfault = gf;
    if (wh)
        s->hfault = hf;
    return SB_OK;
}

static sb_err number_field(json_t *body, const char *key, double min, double max, double *ret,
                           bool *ret_present)
{
    json_t *v = json_object_get(body, key);
    *ret_present = v != NULL;
    if (!v)
        return SB_OK;
    if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max)
        return sb_fail(SB_EINVALID_FIELD, key, "%s must be a number from %.0f to %.0f", key, min,
                       max);
    *ret = json_number_value(v);
    return SB_OK;
}

static json_t *config_json(const struct fs_shop *s)
{
    return json_pack("{s:o,s:s,s:s,s:f,s:f}", "webhook_url", jstr(s->webhook_url), "shop_domain",
                     s->shop_domain, "api_version", FS_API_VERSION, "budget", s->budget, "restore",
                     s->restore);
}

static sb_err replace_str(char **slot, const char *v)
{
    char *n = NULL;
    if (v && !(n = strdup(v)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    free(*slot);
    *slot = n;
    return SB_OK;
}

static sb_err ctl_config(struct fs_shop *s, json_t *body)
{
    static const char *const keys[] = { "webhook_url", "secret",  "token", "shop_domain",
                                        "budget",      "restore", NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    const char *url = NULL, *secret = NULL, *token = NULL, *domain = NULL;
    bool has_url = false, has_secret, has_token, has_domain, has_budget, has_restore;
    double budget = 0, restore = 0;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str_or_null(&c, "webhook_url", 2048, &url, &has_url)) ||
        (err = sb_json_str(&c, "secret", false, STR_MAX, &secret, &has_secret)) ||
        (err = sb_json_str(&c, "token", false, STR_MAX, &token, &has_token)) ||
        (err = sb_json_str(&c, "shop_domain", false, STR_MAX, &domain, &has_domain)) ||
        (err = number_field(body, "budget", 1, 1e9, &budget, &has_budget)) ||
        (err = number_field(body, "restore", 0, 1e9, &restore, &has_restore)))
        return err;
    if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return sb_fail(SB_EINVALID_FIELD, "webhook_url", "webhook_url must be an http(s) URL");
    if ((has_secret && !*secret) || (has_token && !*token) || (has_domain && !*domain))
        return sb_fail(SB_EINVALID_FIELD, NULL, "secret, token and shop_domain must not be empty");
    if ((has_url && (err = replace_str(&s->webhook_url, url))) ||
        (has_secret && (err = replace_str(&s->secret, secret))) ||
        (has_token && (err = replace_str(&s->token, token))) ||
        (has_domain && (err = replace_str(&s->shop_domain, domain))))
        return err;
    bucket_refill(s);
    if (has_restore)
        s->restore = restore;
    if (has_budget)
        s->budget = s->available = budget; /* a new bucket starts full */
    return SB_OK;
}

static bool parse_path_id(const char *s, size_t n, int64_t *ret)
{
    int64_t v = 0;
    if (!n || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || __builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, s[i] - '0', &v))
            return false;
    }
    *ret = v;
    return v > 0;
}

static json_t *requests_json(struct fs_shop *s)
{
    json_t *by = json_object();
    for (size_t i = 0; i < s->n_ops; i++)
        json_object_set_new(by, s->ops[i].name, json_integer(s->ops[i].n));
    bucket_refill(s);
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:O,s:{s:f,s:f,s:f}}", "total",
                     (json_int_t)s->gql_total, "throttled", (json_int_t)s->gql_throttled, "faulted",
                     (json_int_t)s->gql_faulted, "unauthorized", (json_int_t)s->gql_unauthorized,
                     "errors", (json_int_t)s->gql_errors, "by_operation", by, "recent", s->recent,
                     "bucket", "maximumAvailable", s->budget, "currentlyAvailable", s->available,
                     "restoreRate", s->restore);
}

static void wait_idle(struct fs_shop *s, int seconds)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += seconds;
    while ((s->q_head || s->in_flight) && pthread_cond_timedwait(&s->done, &s->mu, &dl) == 0)
        ;
}

static void handle_control(struct fs_shop *s, const struct fs_request *req,
                           struct fs_response *resp)
{
    const char *p = req->path + strlen("/_fake/");
    const char *seg[4] = { 0 };
    size_t len[4] = { 0 }, n = 0;
    while (*p && n < 4) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        seg[n] = p;
        len[n++] = l;
        p += l;
        if (*p == '/')
            p++;
    }
    if (*p) {
        respond(resp, 404,
                json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
                          "no such control route"));
        return;
    }
#define SEG(i, lit) (n > (i) && len[i] == strlen(lit) && memcmp(seg[i], lit, len[i]) == 0)
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    json_t *body = NULL, *out = NULL;
    int status = 200;
    sb_err err = SB_OK;
    if (post && (err = parse_body(req, &body)))
        goto done;
    int64_t id = 0;
    if (SEG(0, "orders") && n == 1) {
        if (post) {
            err = create_order(s, body, &out);
            status = 201;
        } else if (get) {
            pthread_mutex_lock(&s->mu);
            json_t *list = json_array();
            for (size_t i = 0; i < s->n_orders; i++)
                json_array_append_new(list, rest_order(s->orders[i]));
            pthread_mutex_unlock(&s->mu);
            out = json_pack("{s:o}", "orders", list);
        } else {
            goto not_allowed;
        }
    } else if (SEG(0, "orders") && n >= 2 && n <= 3 && parse_path_id(seg[1], len[1], &id)) {
        if (n == 2 && get) {
            pthread_mutex_lock(&s->mu);
            struct order *o = find_order(s, id);
            out = o ? rest_order(o) : NULL;
            pthread_mutex_unlock(&s->mu);
            if (!o)
                err = sb_fail(SB_ENOT_FOUND, NULL, "no order %lld", (long long)id);
        } else if (n == 3 && post) {
            char action[16];
            if (len[2] >= sizeof(action))
                goto not_found;
            memcpy(action, seg[2], len[2]);
            action[len[2]] = '\0';
            if (strcmp(action, "pay") && strcmp(action, "cancel") && strcmp(action, "refund") &&
                strcmp(action, "fulfill") && strcmp(action, "update"))
                goto not_found;
            err = ctl_order_action(s, id, action, body, &out);
        } else {
            goto not_allowed;
        }
    } else if (SEG(0, "products") && n == 1) {
        pthread_mutex_lock(&s->mu);
        if (post) {
            static const char *const keys[] = { "sku", "title", "price", "barcode", NULL };
            struct sb_jctx c = { .obj = body, .prefix = NULL };
            const char *sku = NULL, *title = NULL, *barcode = NULL;
            int64_t price = 0;
            struct product *pr = NULL;
            if (!(err = sb_json_only(&c, keys)) &&
                !(err = sb_json_str(&c, "sku", true, STR_MAX, &sku, NULL)) &&
                !(err = sb_json_str(&c, "title", false, STR_MAX, &title, NULL)) &&
                !(err = sb_json_str(&c, "barcode", false, STR_MAX, &barcode, NULL)) &&
                !(err = get_money(&c, "price", false, PRICE_MAX, &price, NULL)) &&
                !(err = add_product_locked(s, sku, title, price, barcode, &pr)))
                out = product_json(pr);
            status = 201;
        } else if (get) {
            json_t *list = json_array();
            for (size_t i = 0; i < s->n_products; i++)
                json_array_append_new(list, product_json(&s->products[i]));
            out = json_pack("{s:o}", "products", list);
        }
        pthread_mutex_unlock(&s->mu);
        if (!post && !get)
            goto not_allowed;
    } else if (SEG(0, "locations") && n == 1 && get) {
        out = json_pack("{s:[{s:i,s:o,s:s,s:b}]}", "locations", "id", LOCATION_ID, "gid",
                        jgid("Location", LOCATION_ID), "name", LOCATION_NAME, "active", true);
    } else if ((SEG(0, "fulfillments") || SEG(0, "cancellations")) && n == 1 && get) {
        pthread_mutex_lock(&s->mu);
        bool ful = SEG(0, "fulfillments");
        out = json_pack("{s:o}", ful ? "fulfillments" : "cancellations",
                        json_deep_copy(ful ? s->api_fulfillments : s->api_cancellations));
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "requests") && n == 1 && get) {
        pthread_mutex_lock(&s->mu);
        out = requests_json(s);
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "deliveries") && n == 1 && get) {
        pthread_mutex_lock(&s->mu);
        wait_idle(s, 10);
        json_t *list = json_array();
        for (size_t i = 0; i < s->n_deliveries; i++)
            json_array_append_new(list, delivery_json(s->deliveries[i]));
        out = json_pack("{s:o}", "deliveries", list);
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "redeliver") && n == 1 && post) {
        static const char *const keys[] = { "event_id", NULL };
        struct sb_jctx c = { .obj = body, .prefix = NULL };
        const char *eid = NULL;
        if ((err = sb_json_only(&c, keys)) ||
            (err = sb_json_str(&c, "event_id", true, 64, &eid, NULL)))
            goto done;
        struct batch b = { 0 };
        pthread_mutex_lock(&s->mu);
        struct delivery *d = NULL;
        for (size_t i = s->n_deliveries; i-- > 0 && !d;)
            if (strcmp(s->deliveries[i]->event_id, eid) == 0)
                d = s->deliveries[i];
        if (!d)
            err = sb_fail(SB_ENOT_FOUND, "event_id", "no delivery with event id %s", eid);
        else if (!push_job(s, d, &b, 1))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        if (!err) {
            d->pins++;
            pthread_cond_signal(&s->work);
            wait_batch(s, &b);
            out = delivery_json(d);
            d->pins--;
        }
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "config") && n == 1 && (get || post)) {
        pthread_mutex_lock(&s->mu);
        if (post)
            err = ctl_config(s, body);
        if (!err)
            out = config_json(s);
        pthread_mutex_unlock(&s->mu);
    } else if (SEG(0, "faults") && n == 1 && (get || post)) {
        pthread_mutex_lock(&s->mu);
        if (post)
            err = ctl_faults(s, body);
        if (!err)
            out = faults_json(s);
        pthread_mutex_unlock(&s->mu);
    } else if (n == 1 && (SEG(0, "orders") || SEG(0, "products") || SEG(0, "locations") ||
                          SEG(0, "fulfillments") || SEG(0, "cancellations") || SEG(0, "requests") ||
                          SEG(0, "deliveries") || SEG(0, "redeliver") || SEG(0, "config") ||
                          SEG(0, "faults"))) {
        goto not_allowed;
    } else {
        goto not_found;
    }
#undef SEG
done:
    json_decref(body);
    if (err) {
        json_decref(out);
        reply_err(resp, err);
    } else {
        respond(resp, status, out);
    }
    return;
not_found:
    err = sb_fail(SB_ENOT_FOUND, NULL, "no such control route: %s %s", req->method, req->path);
    goto done;
not_allowed:
    err = sb_fail(SB_EMETHOD_NOT_ALLOWED, NULL, "%s is not allowed on %s", req->method, req->path);
    goto done;
}

/* ---------------------------------------------------------------- the interface */

sb_err fs_shop_new(const struct fs_config *cfg, struct fs_shop **ret)
{
    struct fs_shop *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, &ca);
    pthread_cond_init(&s->done, &ca);
    pthread_condattr_destroy(&ca);
    s->token = xstrdup(cfg->token ? cfg->token : "shpat_fakestore");
    s->secret = xstrdup(cfg->secret ? cfg->secret : "fakestore-webhook-secret");
    s->webhook_url = xstrdup(cfg->webhook_url);
    s->shop_domain = xstrdup(cfg->shop_domain ? cfg->shop_domain : "demo.myshopify.com");
    s->budget = s->available = cfg->budget > 0 ? cfg->budget : 1000.0;
    s->restore = cfg->restore >= 0 ? cfg->restore : 50.0;
    s->bucket_ns = sb_clock_ns();
    s->next_order_id = cfg->id_base > 0 ? cfg->id_base : FS_ID_BASE;
    s->next_id = s->next_order_id + 1000000000; /* other objects: their own range, also > 2^53 */
    s->next_number = 1001;
    s->api_fulfillments = json_array();
    s->api_cancellations = json_array();
    s->recent = json_array();
    if (!s->token || !s->secret || !s->shop_domain || (cfg->webhook_url && !s->webhook_url) ||
        !s->api_fulfillments || !s->api_cancellations || !s->recent) {
        fs_shop_free(s);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (pthread_create(&s->worker, NULL, worker_main, s) != 0) {
        fs_shop_free(s);
        return sb_fail(SB_EIO, NULL, "cannot start the webhook worker");
    }
    s->worker_running = true;
    *ret = s;
    return SB_OK;
}

void fs_shop_free(struct fs_shop *s)
{
    if (!s)
        return;
    if (s->worker_running) {
        pthread_mutex_lock(&s->mu);
        s->stopping = true;
        pthread_cond_broadcast(&s->work);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->worker, NULL);
    }
    while (s->q_head) {
        struct job *j = s->q_head;
        s->q_head = j->next;
        free(j);
    }
    for (size_t i = 0; i < s->n_orders; i++)
        order_free(s->orders[i]);
    free(s->orders);
    for (size_t i = 0; i < s->n_products; i++) {
        free(s->products[i].sku);
        free(s->products[i].title);
        free(s->products[i].barcode);
    }
    free(s->products);
    for (size_t i = 0; i < s->n_customers; i++)
        free(s->customers[i].email_norm);
    free(s->customers);
    for (size_t i = 0; i < s->n_deliveries; i++)
        delivery_free(s->deliveries[i]);
    free(s->deliveries);
    json_decref(s->api_fulfillments);
    json_decref(s->api_cancellations);
    json_decref(s->recent);
    free(s->token);
    free(s->secret);
    free(s->webhook_url);
    free(s->shop_domain);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->done);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

sb_err fs_shop_add_product(struct fs_shop *s, const char *sku, const char *title, int64_t price,
                           const char *barcode)
{
    pthread_mutex_lock(&s->mu);
    sb_err err = add_product_locked(s, sku, title, price, barcode, NULL);
    pthread_mutex_unlock(&s->mu);
    return err;
}

size_t fs_shop_product_count(struct fs_shop *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n_products;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* "/admin/api/{version}/graphql.json" with version "YYYY-MM" or "unstable". */
static bool graphql_path(const char *path)
{
    const char *p = path + strlen("/admin/api/");
    const char *slash = strchr(p, '/');
    if (!slash || strcmp(slash, "/graphql.json") != 0)
        return false;
    size_t n = (size_t)(slash - p);
    if (n == 8 && memcmp(p, "unstable", 8) == 0)
        return true;
    if (n != 7 || p[4] != '-')
        return false;
    for (size_t i = 0; i < 7; i++)
        if (i != 4 && (p[i] < '0' || p[i] > '9'))
            return false;
    return true;
}

void fs_shop_handle(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp)
{
    sb_err_clear();
    if (strncmp(req->path, "/admin/api/", 11) == 0 && graphql_path(req->path)) {
        if (strcmp(req->method, "POST") != 0) {
            respond(resp, 405, json_pack("{s:s}", "errors", "Method Not Allowed"));
            return;
        }
        handle_graphql(s, req, resp);
    } else if (strncmp(req->path, "/_fake/", 7) == 0) {
        handle_control(s, req, resp);
    } else if (strcmp(req->path, "/") == 0 && strcmp(req->method, "GET") == 0) {
        pthread_mutex_lock(&s->mu);
        respond(resp, 200,
                json_pack("{s:s,s:s,s:s,s:s}", "fakestore", "shopify", "shop_domain",
                          s->shop_domain, "graphql", "/admin/api/" FS_API_VERSION "/graphql.json",
                          "control", "/_fake/"));
        pthread_mutex_unlock(&s->mu);
    } else {
        respond(resp, 404, json_pack("{s:s}", "errors", "Not Found"));
    }
}

/* ---------------------------------------------------------------- demo mode */

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ULL;
}

sb_err fs_shop_demo_order(struct fs_shop *s, uint64_t *rng)
{
    static const struct {
        const char *first, *last, *email, *city, *zip, *province;
    } people[] = {
        { "Ada", "Lovelace", "ada@example.com", "Boston", "02108", "MA" },
        { "Grace", "Hopper", "grace@example.com", "Arlington", "22201", "VA" },
        { "Alan", "Turing", "alan@example.com", "Seattle", "98101", "WA" },
        { "Katherine", "Johnson", "Katherine.Johnson@Example.com", "Hampton", "23666", "VA" },
        { NULL, NULL, "no.name@example.com", "Denver", "80202", "CO" },
        { "Walk", "In", NULL, "Portland", "97201", "OR" },
    };
    json_t *lines = json_array();
    pthread_mutex_lock(&s->mu);
    size_t np = s->n_products;
    size_t picked[3];
    for (uint64_t k = 0, n = 1 + rnd(rng) % 3; np && k < n && k < np; k++) {
        /* distinct products: Shopify keeps one line per variant */
        size_t at = (size_t)(rnd(rng) % np);
        for (uint64_t q = 0; q < k; q++)
            if (picked[q] == at) {
                at = (at + 1) % np;
                q = (uint64_t)-1; /* look again from the start */
            }
        picked[k] = at;
        const struct product *p = &s->products[at];
        int64_t qty = 1 + (int64_t)(rnd(rng) % 2);
        int64_t tax = (p->price * qty * 8 + 50) / 100;
        char tax_s[32];
        sb_money_format(tax, tax_s, sizeof(tax_s));
        json_array_append_new(lines, json_pack("{s:s,s:I,s:[{s:s,s:f,s:s}]}", "sku", p->sku,
                                               "quantity", (json_int_t)qty, "tax_lines", "title",
                                               "State tax", "rate", 0.08, "price", tax_s));
    }
    pthread_mutex_unlock(&s->mu);
    if (!np) {
        json_decref(lines);
        return sb_fail(SB_EINSUFFICIENT, NULL, "demo mode needs products (--skus or --sku)");
    }
    if (rnd(rng) % 8 == 0) {
        char sku[32];
        snprintf(sku, sizeof(sku), "UNKNOWN-%03u", (unsigned)(rnd(rng) % 1000));
        json_array_append_new(lines, json_pack("{s:s,s:s,s:i,s:s}", "sku", sku, "title",
                                               "Mystery gift", "quantity", 1, "price", "9.99"));
    }
    size_t who = (size_t)(rnd(rng) % (sizeof(people) / sizeof(people[0])));
    json_t *addr =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "address1", "1 Main Street", "city",
                  people[who].city, "zip", people[who].zip, "province_code", people[who].province,
                  "country", "United States", "country_code", "US");
    if (people[who].first) {
        json_object_set_new(addr, "first_name", json_string(people[who].first));
        json_object_set_new(addr, "last_name", json_string(people[who].last));
    }
    json_t *body = json_pack("{s:o,s:o,s:[{s:s,s:s,s:s}]}", "line_items", lines, "shipping_address",
                             addr, "shipping_lines", "title", "Standard Shipping", "code",
                             "STANDARD", "price", "5.00");
    if (people[who].email)
        json_object_set_new(body, "email", json_string(people[who].email));
    if (people[who].first)
        json_object_set_new(
            body, "customer",
            json_pack("{s:s,s:s}", "first_name", people[who].first, "last_name", people[who].last));
    if (rnd(rng) % 6 == 0) {
        json_object_set_new(body, "gateway", json_string("Cash on Delivery (COD)"));
        json_object_set_new(body, "financial_status", json_string("pending"));
    }
    json_t *order = NULL;
    sb_err err = body ? create_order(s, body, &order) : sb_fail(SB_ENOMEM, NULL, NULL);
    json_decref(order);
    json_decref(body);
    return err;
}
