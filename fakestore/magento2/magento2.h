/*
 * The simulated Magento 2.4 store behind `stockbridge-fakestore --kind magento2`:
 * its admin REST API under /rest/V1/ in Magento's own wire format (the shapes
 * of Magento's OpenAPI description, the quirks of docs/fakestore.md), and the
 * control API under /_fake/magento2/. main.c owns the process; requests come
 * in as plain method/path/query/headers/body and go out as status/body, so
 * the store knows nothing of libmicrohttpd. The model is one struct m2_shop
 * guarded by its one mutex (s->mu): orders with their items, credit memos,
 * products, MSI sources and source items, prices, faults and counters.
 * The files:
 *   shop.c      the store: create and free, ids and clock, the route table,
 *               admission (auth, faults, call counts), Magento's error bodies,
 *               the traffic log
 *   auth.c      bearer tokens and OAuth 1.0a signatures (HMAC-SHA256 and -SHA1)
 *   search.c    searchCriteria (both spellings): filters, sort orders, paging with
 *               the last-page-again quirk, the page-size maximum
 *   orders.c    an order: placed from the control API's partial Magento shape,
 *               its figures, rendered in Magento's shape
 *   sales.c     the order routes: search, get, cancel, invoice, ship, refund, and
 *               credit memos (created, rendered, searched)
 *   catalog.c   products, base and special prices, sources, source items and the
 *               MSI reservations orders hold (salable quantity)
 *   control.c   the /_fake/magento2/ control API and the faults
 *   demo.c      random orders in a mix of states for demo mode
 * Functions that take the shop are called with s->mu held unless their comment
 * says otherwise. Amounts are int64 minor units of the store's currency; they
 * become JSON numbers only when rendered.
 */
#ifndef SB_FAKESTORE_MAGENTO2_H
#define SB_FAKESTORE_MAGENTO2_H

#include "util/arena.h"
#include "query.h"
#include "util/err.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---------------------------------------------------------------- the process's view */

struct fs_m2_config {
    const char *token;        /* the integration's access token (default m2_fakestore_token) */
    const char *consumer_key; /* OAuth 1.0a: all four set, signed requests are accepted */
    const char *consumer_secret;
    const char *token_secret;
    bool bearer_off;              /* the integration token is refused as a bearer */
    int64_t page_size_max;        /* 0: off */
    const char *traffic_log;      /* NULL: none */
    const char *sources;          /* "default,shop2"; NULL: "default" */
    const char *currency;         /* ISO 4217; NULL: USD */
    const char *increment_prefix; /* before increment_id's digits; NULL: none */
};

struct fs_m2_request {
    const char *method;
    const char *path;  /* without the query string */
    const char *query; /* raw, "" when none */
    const char *authorization;
    const char *host;
    const char *body;
    size_t body_len;
};

struct fs_m2_response {
    int status;
    char *body;   /* malloc'd; NULL for none */
    bool cut;     /* close the connection without answering (a fault) */
    bool garbled; /* a fault's body, not Magento's: kept out of the traffic log */
};

struct m2_shop;

sb_err fs_m2_new(const struct fs_m2_config *cfg, struct m2_shop **ret);
void fs_m2_free(struct m2_shop *s); /* accepts NULL */
/* A simple product with one source item of quantity 100 per source; price in minor units;
 * name may be NULL. SB_EDUPLICATE when the SKU exists. Takes the lock. */
sb_err fs_m2_add_product(struct m2_shop *s, const char *sku, const char *name, int64_t price);
size_t fs_m2_product_count(struct m2_shop *s);
int fs_m2_exponent(struct m2_shop *s);
/* Answers one request; thread-safe. */
void fs_m2_handle(struct m2_shop *s, const struct fs_m2_request *req, struct fs_m2_response *resp);
/* Places one random order (demo mode); rng is the caller's xorshift state. Takes the lock. */
sb_err fs_m2_demo_order(struct m2_shop *s, uint64_t *rng);

/* ---------------------------------------------------------------- the model */

#define M2_STR_MAX       255
#define M2_MAX_ITEMS     100
#define M2_MAX_ORDERS    200000
#define M2_MAX_MEMOS     100000
#define M2_MAX_PRODUCTS  200000
#define M2_MAX_SOURCES   16
#define M2_MAX_HISTORY   32
#define M2_MAX_TRACKS    8
#define M2_PRICE_MAX     ((int64_t)100000000) /* minor units */
#define M2_QTY_MAX       10000
#define M2_MAX_ROUTE_CNT 64

struct m2_item {
    int64_t item_id, product_id;
    long parent; /* index of the parent item in the order, -1 for none */
    const char *sku, *name, *product_type;
    int64_t qty_ordered, qty_invoiced, qty_shipped, qty_refunded, qty_canceled;
    int64_t price, tax_amount, discount_amount; /* discount_amount: positive, as Magento's items */
    int64_t tax_percent_bp;                     /* basis points: 825 = 8.25 % */
    bool has_row_total;
    int64_t row_total; /* given by the control API (a child priced 0 keeps 0) */
};

struct m2_history {
    const char *comment, *status;
    int64_t created_at;
};

struct m2_order {
    struct sb_arena *arena;
    int64_t entity_id, customer_id; /* customer_id 0: none (a guest) */
    const char *increment_id, *state, *status;
    int64_t created_at, updated_at;
    /* the two times as searches compare them, formatted once per change (a search reads
     * every order: formatting each time cost most of a page's answer) */
    int64_t created_text_at, updated_text_at;
    char created_text[20], updated_text[20];
    const char *email, *firstname, *lastname;
    bool guest;
    int64_t subtotal, discount, tax, shipping; /* discount positive; rendered negative */
    int64_t grand_total;
    const char *shipping_description, *shipping_method, *pickup_location_code, *payment_method;
    bool has_invoiced, has_paid, has_refunded, has_canceled, has_authorized;
    int64_t total_invoiced, total_paid, total_refunded, total_canceled, amount_authorized;
    const char *hold_before_state, *hold_before_status;
    json_t *billing, *shipping_address; /* Magento address objects, validated */
    size_t n_items;
    struct m2_item items[M2_MAX_ITEMS];
    size_t n_history;
    struct m2_history history[M2_MAX_HISTORY];
};

struct m2_memo_item {
    int64_t entity_id, order_item_id, product_id;
    const char *sku, *name;
    int64_t qty, price, row_total, tax_amount, discount_amount;
};

struct m2_memo {
    struct sb_arena *arena;
    int64_t entity_id, order_id, state, created_at, updated_at;
    const char *increment_id;
    int64_t subtotal, tax, shipping, discount, adjustment_positive, adjustment_negative,
        grand_total;
    size_t n_items;
    struct m2_memo_item *items;
};

struct m2_product {
    int64_t id, price, created_at, updated_at;
    const char *sku, *name, *type_id;
    int64_t qty[M2_MAX_SOURCES]; /* per source, indexed like s->sources */
    uint8_t status[M2_MAX_SOURCES];
    uint32_t assigned; /* bit i: a source item at s->sources[i] */
    bool has_special;
    int64_t special_price;
    const char *special_from, *special_to;
};

struct m2_source {
    char code[64], name[128];
    bool enabled;
};

struct m2_fault {
    int status, count, delay_ms;
    bool cut;
    char prefix[128]; /* "" every /rest/ path; else only paths starting with it */
    bool has_body;    /* answer this raw text (with status, default 200): a malformed answer */
    char body[4096];
};

struct m2_route_count {
    char method[8], route[96];
    int64_t n;
};

struct m2_nonce {
    uint64_t hash; /* 0: empty */
    int64_t at;
};

struct m2_shop {
    pthread_mutex_t mu;
    char *token, *consumer_key, *consumer_secret, *token_secret, *prefix;
    bool bearer_allowed;
    int64_t page_size_max;
    bool child_price_copy; /* children of configurables carry the parent's price, not 0 */
    char currency[4];
    int exponent;
    int64_t clock; /* the last updated_at handed out, for one-second ordering */
    int64_t next_order, next_item, next_memo, next_memo_item, next_invoice, next_shipment,
        next_product;
    struct m2_order **orders;
    size_t n_orders, cap_orders;
    struct m2_memo **memos;
    size_t n_memos, cap_memos;
    struct m2_product *products;
    size_t n_products, cap_products;
    uint32_t *sku_index; /* open addressing: product index + 1, 0 empty */
    size_t sku_cap;
    struct sb_arena *strings;
    struct m2_source sources[M2_MAX_SOURCES];
    size_t n_sources;
    struct m2_nonce *nonces;
    size_t nonce_cap, n_nonces;
    struct m2_fault fault;
    int invoice_fails, ship_fails;
    json_t *invoices, *shipments, *cancels, *refunds, *source_item_calls, *price_calls;
    struct m2_route_count counts[M2_MAX_ROUTE_CNT];
    size_t n_counts;
    int64_t requests, unauthorized;
    pthread_mutex_t log_mu;
    int log_fd; /* -1: no traffic log */
};

/* shop.c */
int64_t m2_now(struct m2_shop *s); /* the store's clock: never earlier than the last handed out */
void m2_touch(struct m2_shop *s, struct m2_order *o);
void m2_time_format(int64_t t, char *buf, size_t cap); /* "YYYY-MM-DD HH:MM:SS" UTC */
bool m2_time_parse(const char *s, int64_t *ret);
json_t *m2_money(const struct m2_shop *s, int64_t minor); /* a JSON number */
/* A JSON number (integer or real) or numeric string as minor units; false when it is not
 * one or has more decimals than the currency. */
bool m2_money_parse(const struct m2_shop *s, const json_t *v, int64_t *ret);
struct m2_order *m2_order_find(struct m2_shop *s, int64_t id);
struct m2_product *m2_product_find(struct m2_shop *s, const char *sku);
long m2_source_find(struct m2_shop *s, const char *code);
/* Magento's error body: {message, parameters?}; params a JSON object (named %name
 * placeholders) or array (%1), stolen; NULL for none. */
void m2_error(struct fs_m2_response *r, int status, const char *message, json_t *params);
void m2_reply(struct fs_m2_response *r, int status, json_t *body); /* steals body */
void m2_not_found(struct fs_m2_response *r);

/* auth.c: true when the request may pass; *ret_why says why not (for the log). */
bool m2_auth_check(struct m2_shop *s, const struct fs_m2_request *req, const char **ret_why);

/* search.c */
bool m2_args_parse(const char *query, struct fs_args *ret);

struct m2_val {
    bool null;
    const char *str; /* the value as Magento's SQL would compare it */
    char buf[48];
};
/* The value of a field of record i; an unknown field is null. */
typedef void (*m2_getter)(struct m2_shop *s, void *ctx, size_t i, const char *field,
                          struct m2_val *v);
/* Runs searchCriteria from the query over n records: on success *ret_idx (malloc'd) holds
 * the page's record indexes, *ret_n their count, *ret_total the matches, *ret_criteria the
 * echo of the criteria; on a bad query, answers r (400) and returns false. */
bool m2_search(struct m2_shop *s, const struct fs_args *args, size_t n, m2_getter get, void *ctx,
               struct fs_m2_response *r, size_t **ret_idx, size_t *ret_n, int64_t *ret_total,
               json_t **ret_criteria);
void m2_search_reply(struct fs_m2_response *r, json_t *items, json_t *criteria, int64_t total);

/* orders.c */
/* Places an order from the control API's partial Magento shape; answers its id. */
sb_err m2_order_place(struct m2_shop *s, json_t *body, struct m2_order **ret);
/* Changes an order from the control API (state, status, totals, payment, touch...). */
sb_err m2_order_edit(struct m2_shop *s, struct m2_order *o, json_t *body);
json_t *m2_order_json(struct m2_shop *s, const struct m2_order *o);
void m2_order_field(struct m2_shop *s, void *ctx, size_t i, const char *field, struct m2_val *v);
void m2_order_history(struct m2_order *o, int64_t at, const char *comment);
void m2_order_free(struct m2_order *o);
bool m2_item_is_parent(const struct m2_item *it); /* configurable or bundle parent */
/* The units of item i still to invoice / ship. */
int64_t m2_item_to_invoice(const struct m2_item *it);
int64_t m2_item_to_ship(const struct m2_item *it);

/* sales.c */
void m2_route_orders(struct m2_shop *s, const struct fs_m2_request *req, const struct fs_args *args,
                     struct fs_m2_response *r);
void m2_route_order_get(struct m2_shop *s, int64_t id, struct fs_m2_response *r);
void m2_route_cancel(struct m2_shop *s, int64_t id, struct fs_m2_response *r);
void m2_route_invoice(struct m2_shop *s, int64_t id, json_t *body, struct fs_m2_response *r);
void m2_route_ship(struct m2_shop *s, int64_t id, json_t *body, struct fs_m2_response *r);
void m2_route_refund(struct m2_shop *s, int64_t id, json_t *body, struct fs_m2_response *r);
void m2_route_creditmemos(struct m2_shop *s, const struct fs_args *args, struct fs_m2_response *r);
/* A credit memo on order o: items [{order_item_id, qty}] (NULL or empty: everything
 * refundable: invoiced and not refunded when strict, else ordered and not canceled or
 * refunded), its state (1 open, 2 refunded, 3 canceled), adjustments and shipping; restock
 * (NULL: none, true: every line, or an array of order item ids) puts the units back at the
 * first source. On a refusal answers r (when not NULL) with Magento's 400. */
struct m2_memo_args {
    json_t *items, *restock;
    int64_t state, adj_pos, adj_neg, shipping;
    bool strict;
};
sb_err m2_memo_create(struct m2_shop *s, struct m2_order *o, const struct m2_memo_args *a,
                      struct m2_memo **ret);
json_t *m2_memo_json(struct m2_shop *s, const struct m2_memo *m);
/* Invoices the rest of order o (the control API's "invoice": true); false when nothing to. */
bool m2_order_invoice_all(struct m2_shop *s, struct m2_order *o);

/* catalog.c */
void m2_route_products(struct m2_shop *s, const struct fs_args *args, struct fs_m2_response *r);
void m2_route_prices(struct m2_shop *s, const char *kind, json_t *body, struct fs_m2_response *r);
void m2_route_special_info(struct m2_shop *s, json_t *body, struct fs_m2_response *r);
void m2_route_sources(struct m2_shop *s, const struct fs_args *args, struct fs_m2_response *r);
void m2_route_source_items_get(struct m2_shop *s, const struct fs_args *args,
                               struct fs_m2_response *r);
void m2_route_source_items_post(struct m2_shop *s, json_t *body, struct fs_m2_response *r);
void m2_route_salable(struct m2_shop *s, const char *sku, const char *stock,
                      struct fs_m2_response *r);
sb_err m2_product_add(struct m2_shop *s, const char *sku, const char *name, int64_t price,
                      const char *type_id, struct m2_product **ret);
json_t *m2_product_json(struct m2_shop *s, const struct m2_product *p);
/* Units of sku held by Magento's reservations: ordered, not shipped, canceled or refunded. */
int64_t m2_reserved(struct m2_shop *s, const char *sku);
/* Shipped or returned units leave or come back to the first source holding the SKU. */
void m2_source_move(struct m2_shop *s, const char *sku, int64_t delta);
json_t *m2_source_items_json(struct m2_shop *s, const struct m2_product *p);

/* control.c */
void m2_control(struct m2_shop *s, const struct fs_m2_request *req, const struct fs_args *args,
                struct fs_m2_response *r);
json_t *m2_counts_json(struct m2_shop *s);

#endif
