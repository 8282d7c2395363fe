/*
 * What the files of the simulated Shopify shop share; main.c sees only
 * shopify.h (this folder is the Shopify kind's simulation; main.c is the
 * fakestore's). The model is one struct fs_shop holding orders (each an
 * arena-backed record with its lines, transactions, refunds and
 * fulfillments), products, known customers, webhook deliveries, faults and
 * counters, all guarded by its one mutex, s->mu. An order is one record
 * rendered two ways: REST-shaped for webhooks and the control API (rest.c),
 * GraphQL-shaped for queries (graphql-ops.c). The files:
 *   shop.c         the shop: create and free, ids and clock, lookups, products, routing
 *   orders.c       an order's figures and statuses, and the changes made to it
 *   rest.c         the REST shape of an order: rendered for bodies, parsed from the control API
 *   graphql.c      the Admin GraphQL endpoint: admission, faults, cost budget, throttling
 *   graphql-ops.c  the GraphQL operations of the engine's contract, in Shopify's shapes
 *   inventory.c    locations, stock levels and prices: the SKU index, bulk products, the
 *                  stock and price GraphQL operations, what orders take and give back
 *   bulk.c         bulk operations: the one bulk query of the engine's contract (its
 *                  stock, whole), its status, and its JSONL result, made as it is sent
 *   webhooks.c     events, the delivery worker, headers and HMAC, redelivery
 *   control.c      the /_fake/ control API
 *   demo.c         random orders for demo mode
 * Functions that take the shop are called with s->mu held, unless their
 * comment says they take it themselves.
 */
#ifndef SB_FAKESTORE_SHOP_H
#define SB_FAKESTORE_SHOP_H

#include "shopify.h"

#include "util/arena.h"
#include "util/err.h"
#include "util/jsonx.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_LINES        250
#define MAX_TAX_LINES    10
#define MAX_DISCOUNTS    10
#define MAX_TXNS         50
#define MAX_REFUNDS      50
#define MAX_FULFILLMENTS 20
#define MAX_OPS          32
#define MAX_DUPLICATE    10
#define STR_MAX          255
#define PRICE_MAX        ((int64_t)100000000) /* minor units: 1,000,000.00 USD */
#define QTY_MAX          10000
#define AMOUNT_MAX       (PRICE_MAX * QTY_MAX)
#define LOCATION_ID      1
#define LOCATION_NAME    "Main warehouse"
#define MAX_LOCATIONS    8 /* a product keeps one level per location in a fixed array */
#define MAX_PRODUCTS     2000000
#define QTY_LIMIT        1000000000 /* Shopify: quantities from -1e9 to 1e9 */
#define MAX_FAULT_OPS    8

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
    int64_t restocked; /* units put back into the main location's stock */
    bool stock_taken;  /* the order took its units from the main location's stock */
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

/* Address fields with their REST and GraphQL names, in the order of struct address. */
struct fs_addr_field {
    const char *rest, *gql;
};
#define ADDR_N 13
extern const struct fs_addr_field fs_addr_fields[ADDR_N];
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

/* One fulfillment order of an order: the lines to ship from one location, on hold (hold:
 * its reason notes) or scheduled (fulfill_at in the future) until released. */
struct fulfillment_order {
    int64_t id, location_id;
    int64_t fulfill_at; /* 0: not scheduled */
    const char *hold;   /* NULL: not on hold */
};
#define MAX_FOS 8

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
    /* Taxes placed on the order itself, allocated to no line (Shopify takes tax lines on the
     * order or on its lines, not both): they add to total_tax and the order's tax_lines. */
    struct tax_line tax[MAX_TAX_LINES];
    size_t n_tax;
    bool ov_subtotal, ov_tax, ov_discounts, ov_total;
    int64_t subtotal_ov, tax_ov, discounts_ov, total_ov;
    size_t n_txns, n_refunds, n_fulfillments;
    struct txn *txns;                 /* MAX_TXNS, from the arena */
    struct refund *refunds;           /* MAX_REFUNDS */
    struct fulfillment *fulfillments; /* MAX_FULFILLMENTS */
    /* Its fulfillment orders when the control API split it (orders.c, fs_order_split): none,
     * one at the main location (id fo_id) with every line. line_fo: each line's. */
    size_t n_fos;
    struct fulfillment_order *fos; /* MAX_FOS, from the arena */
    uint8_t line_fo[MAX_LINES];
};

/* One product with one variant and one inventory item. Its ids grow with its index in
 * s->products, so each id finds its product by binary search. 1M of them must fit in
 * ~300 MB: the strings live in the shop's arena, levels are 32-bit. */
struct product {
    int64_t product_id, variant_id, inventory_item_id, price;
    int64_t compare_at; /* -1: none */
    const char *sku, *title, *barcode;
    int32_t available[MAX_LOCATIONS]; /* indexed like s->locations */
    uint32_t updated[MAX_LOCATIONS];  /* seconds since the epoch of the level's last change */
    uint8_t stocked;                  /* bit i: stocked at s->locations[i] */
    bool tracked;
};

struct location {
    int64_t id;
    char name[STR_MAX + 1];
    bool active;
};

struct known_customer {
    char *email_norm;
    int64_t id;
};

struct delivery; /* webhooks.c */
struct job;

/* A control call's wait for its own deliveries: the jobs still queued or in flight. */
struct batch {
    int pending;
};

struct gql_fault {
    int status, count, delay_ms, throttle;
    bool cut;
    int after;    /* matching calls let through before the fault starts */
    size_t n_ops; /* 0: every operation */
    char ops[MAX_FAULT_OPS][64];
};

struct hook_fault {
    int drop, bad_signature;
};

/* Faults of the bulk operations (bulk.c), each for the next N of them. */
struct bulk_fault {
    int fail;         /* operations that end FAILED (INTERNAL_SERVER_ERROR) */
    int cut_download; /* result downloads cut half-way */
    int delay_ms;     /* how long the next operations stay RUNNING (not counted: it stays) */
};

struct bulk_op; /* bulk.c */

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
    char currency[4]; /* the shop's: every order's and price's (Shopify's shop money) */
    int exponent;     /* its ISO 4217 exponent: JPY 0, USD 2, KWD 3 */
    double budget, restore, available;
    uint64_t bucket_ns;

    int64_t next_order_id, next_id, next_number, clock;
    struct order **orders;
    size_t n_orders, cap_orders;
    struct product *products;
    size_t n_products, cap_products;
    uint32_t *sku_index;      /* open addressing: product index + 1, 0 empty */
    size_t sku_cap;           /* a power of two, at least twice n_products */
    struct sb_arena *strings; /* the products' strings */
    struct location locations[MAX_LOCATIONS];
    size_t n_locations;
    const char *plan; /* the last plan preset applied, NULL when none */
    struct known_customer *customers;
    size_t n_customers, cap_customers;
    struct delivery **deliveries;
    size_t n_deliveries, cap_deliveries;
    int64_t next_delivery_seq;
    json_t *api_fulfillments, *api_cancellations, *recent;
    struct op_count ops[MAX_OPS];
    size_t n_ops;
    int64_t gql_total, gql_throttled, gql_faulted, gql_unauthorized, gql_errors;
    int64_t inventory_set_calls, inventory_quantities_set;
    struct gql_fault gfault;
    struct hook_fault hfault;
    struct bulk_fault bfault;
    struct bulk_op *bulk; /* the latest bulk query operation, NULL before the first */
    int64_t next_bulk_id;
    struct fs_app *app; /* the app installed (app.c): scopes, versions, subscriptions */
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

struct totals {
    int64_t items, line_disc, ship, ship_disc, tax, subtotal, discounts, total, paid, refunded,
        outstanding;
};

/* Options any control call that changes an order takes. */
struct opts {
    bool webhooks, reverse, concurrent;
    int64_t duplicate;
};

struct refund_req {
    size_t line;
    int64_t qty;
    bool restock;
};

struct ful_req {
    size_t line;
    int64_t qty;
};

/* ---------------------------------------------------------------- shop.c */

/* Small pieces that touch no state. */
char *fs_strdup(const char *s); /* NULL stays NULL */
json_t *fs_jgid(const char *type, int64_t id);
json_t *fs_jstr(const char *s);             /* NULL: JSON null */
json_t *fs_jmoney(int64_t v, int exponent); /* "12.34" with 2, "1000" with 0, "1.234" with 3 */
int fs_exp(const char *currency);           /* its ISO 4217 exponent (2 when unknown) */
void fs_uuid4(char out[40]);
char *fs_dump(json_t *doc);
/* Sets the status and the body (doc dumped, then released; NULL for none). */
void fs_respond(struct fs_response *r, int status, json_t *doc);

int64_t fs_new_id(struct fs_shop *s);
int64_t fs_tick(struct fs_shop *s);
struct order *fs_find_order(struct fs_shop *s, int64_t id);
struct product *fs_find_product(struct fs_shop *s, const char *sku);
int64_t fs_customer_id(struct fs_shop *s, const char *email);
sb_err fs_add_product_locked(struct fs_shop *s, const char *sku, const char *title, int64_t price,
                             const char *barcode, struct product **ret);

/* ---------------------------------------------------------------- orders.c */

struct order *fs_order_new(void);
void fs_order_free(struct order *o);
int64_t fs_disc_sum(const struct discount *d, size_t n);
void fs_order_totals(const struct order *o, struct totals *t);
/* The order's taxes summed by title and rate (lines, shipping and the order's own), as
 * Shopify lists them at order level; at most cap rows in out. */
size_t fs_order_tax_sum(const struct order *o, struct tax_line *out, size_t cap);
int64_t fs_line_remaining(const struct line *l);
const char *fs_fulfillment_status(const struct order *o);
const char *fs_fo_status(const struct order *o);
/* Its fulfillment orders (orders.c): how many, the k-th (a copy), a line's, the index of one
 * by id (-1: not this order's), and the k-th's status (OPEN, IN_PROGRESS, ON_HOLD,
 * SCHEDULED, CLOSED, CANCELLED). */
size_t fs_fo_count(const struct order *o);
struct fulfillment_order fs_fo_at(const struct order *o, size_t k);
size_t fs_fo_of_line(const struct order *o, size_t line);
long fs_fo_find(const struct order *o, int64_t fo_id);
const char *fs_fo_status_at(const struct order *o, size_t k);
/* Splits an order not yet fulfilled into these fulfillment orders ([{location_id, lines:
 * [index...], hold, fulfill_at}], every line in exactly one). */
sb_err fs_order_split(struct fs_shop *s, struct order *o, json_t *list);
struct txn *fs_add_txn(struct fs_shop *s, struct order *o, const char *kind, const char *status,
                       int64_t amount, int64_t at, int64_t parent);
sb_err fs_order_pay(struct fs_shop *s, struct order *o);
sb_err fs_order_refund(struct fs_shop *s, struct order *o, const struct refund_req *rq, size_t n,
                       bool amount_given, int64_t amount, const char *note, struct refund **ret);
sb_err fs_order_cancel(struct fs_shop *s, struct order *o, const char *reason, bool refund,
                       bool restock, struct refund **ret_refund);
sb_err fs_order_fulfill(struct fs_shop *s, struct order *o, const struct ful_req *rq, size_t n,
                        const char *number, const char *company, const char *url,
                        struct fulfillment **ret);

/* ---------------------------------------------------------------- rest.c */

json_t *fs_rest_order(const struct order *o);
json_t *fs_rest_refund(const struct order *o, const struct refund *r);
json_t *fs_rest_fulfillment(const struct order *o, const struct fulfillment *f, size_t index);
sb_err fs_get_money(struct sb_jctx *c, const char *key, bool required, int exponent, int64_t max,
                    int64_t *ret, bool *ret_present);
sb_err fs_get_str(struct sb_arena *a, struct sb_jctx *c, const char *key, bool required,
                  const char **ret);
sb_err fs_check_object(json_t *v, const char *path);
sb_err fs_parse_address(struct sb_arena *a, struct sb_jctx *parent, const char *key,
                        struct address **ret);
sb_err fs_parse_attrs(struct sb_arena *a, struct sb_jctx *c, struct order *o);
sb_err fs_parse_opts(struct sb_jctx *c, struct opts *op);
sb_err fs_parse_order(struct fs_shop *s, json_t *body, struct order *o, struct opts *op);

/* ---------------------------------------------------------------- webhooks.c */

void fs_ev_add(struct events *e, const char *topic, json_t *payload, int64_t order_id);
void fs_ev_order(struct events *e, const char *topic, const struct order *o);
void fs_ev_clear(struct events *e);
void fs_enqueue(struct fs_shop *s, struct events *e, struct batch *b, int64_t duplicate,
                bool reverse, bool concurrent);
void fs_wait_batch(struct fs_shop *s, struct batch *b);
sb_err fs_redeliver(struct fs_shop *s, const char *event_id, json_t **ret);
json_t *fs_deliveries_json(struct fs_shop *s);
/* Start and stop the delivery worker; stop also frees the queue and the records. Called
 * without the lock. */
sb_err fs_webhooks_start(struct fs_shop *s);
void fs_webhooks_stop(struct fs_shop *s);

/* ---------------------------------------------------------------- inventory.c */

/* The SKU index: one slot per product, O(1) lookups; insert fails only out of memory. */
struct product *fs_sku_find(struct fs_shop *s, const char *sku);
sb_err fs_sku_insert(struct fs_shop *s, size_t index);
void fs_sku_free(struct fs_shop *s);
/* Products by id (binary search: ids grow with the index). */
struct product *fs_product_by_item(struct fs_shop *s, int64_t inventory_item_id);
struct product *fs_product_by_id(struct fs_shop *s, int64_t product_id);
struct product *fs_product_by_variant(struct fs_shop *s, int64_t variant_id);
/* The index of a location in s->locations, -1 when none. */
int fs_location_index(const struct fs_shop *s, int64_t id);
sb_err fs_location_add(struct fs_shop *s, const char *name, struct location **ret);
/* Sets a level (stocking the product there); clamps to +-QTY_LIMIT. */
void fs_level_set(struct product *p, int loc, int64_t available, int64_t now);
/* Creates count products prefix0000001..., stocked at the main location. */
sb_err fs_products_bulk(struct fs_shop *s, const char *prefix, int64_t count, int64_t price,
                        int64_t available, json_t **ret);
/* An order takes its catalogue lines from the main location; a restock gives units back. */
void fs_stock_take(struct fs_shop *s, struct order *o);
void fs_stock_restock(struct fs_shop *s, struct line *l, int64_t qty);

/* ---------------------------------------------------------------- bulk.c */

/* GET /_fake/bulk/<id>.jsonl: the result file of a completed operation, streamed (no token:
 * Shopify's result URLs are signed and need none). Takes the lock itself. */
void fs_bulk_download(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp);
/* The "bulk" group of /_fake/faults: parse (all or nothing) and show. */
sb_err fs_bulk_faults_parse(json_t *v, struct bulk_fault *ret);
json_t *fs_bulk_faults_json(const struct fs_shop *s);
/* Drops the shop's reference to its latest operation (a download in flight keeps its own). */
void fs_bulk_free(struct fs_shop *s);

/* ---------------------------------------------------------------- graphql.c */

/* Takes the lock itself. */
void fs_handle_graphql(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp);
void fs_bucket_refill(struct fs_shop *s);

/* ---------------------------------------------------------------- control.c */

/* Both take the lock themselves. */
void fs_handle_control(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp);
sb_err fs_order_place(struct fs_shop *s, json_t *body, json_t **ret);

/* ---------------------------------------------------------------- control-inventory.c */

/* The stock and price routes (path split in n segments; body parsed for POST). True when
 * the route is one of them: then *ret or *ret_err is set (*ret_status only when not 200).
 * Takes the lock itself. */
bool fs_control_inventory(struct fs_shop *s, const struct fs_request *req, const char *const *seg,
                          const size_t *len, size_t n, json_t *body, json_t **ret, int *ret_status,
                          sb_err *ret_err);

#endif
