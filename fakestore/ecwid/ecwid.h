/*
 * The simulated Ecwid store behind `stockbridge-fakestore --kind ecwid` (it
 * serves the native eCom store too: E-Series runs on Ecwid): REST v3 under
 * /api/v3/{storeId}/ in Ecwid's shapes (string order ids with the store's
 * prefix, float money, Unix timestamps beside "yyyy-MM-dd HH:mm:ss Z" dates,
 * the payment and fulfillment enums with the custom statuses), signed
 * webhooks on Ecwid's retry schedule, and the control API under
 * /_fake/ecwid/. main.c owns the process; requests come in as plain
 * method/path/query/headers/body. The model is one struct ec_shop guarded by
 * its one mutex (s->mu). The files:
 *   shop.c      the store: create and free, clock, money, the route table,
 *               admission (faults, the 600-a-minute limit, the token), Ecwid's
 *               error bodies, the traffic log
 *   orders.c    an order: placed from the control API, its statuses changed
 *               (cancel puts the stock back), rendered in Ecwid's shape; the
 *               order routes (search, get, update)
 *   catalog.c   products and combinations with quantity or unlimited stock, and
 *               their routes (list, get, absolute updates, inventory deltas)
 *   webhooks.c  events, their signature, the delivery thread and the retry
 *               schedule on a clock the control API moves forward
 *   control.c   the /_fake/ecwid/ control API, the faults, what the engine did
 *   demo.c      a random order for demo mode
 * Functions that take the shop are called with s->mu held unless their comment
 * says otherwise. Amounts are int64 minor units of the store's currency; they
 * become JSON numbers only when rendered.
 */
#ifndef SB_FAKESTORE_ECWID_H
#define SB_FAKESTORE_ECWID_H

#include "query.h"
#include "util/err.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- the process's view */

struct fs_ec_config {
    const char *token;         /* the API token (default secret_fakestore) */
    const char *client_secret; /* the app's client secret, the webhook key */
    const char *store_id;      /* digits (default 1003) */
    const char *webhook_url;   /* NULL: none until the control API sets one */
    const char *currency;      /* ISO 4217; NULL: USD */
    const char *order_prefix;  /* before every order id (default none) */
    const char *traffic_log;   /* NULL: none */
    int64_t rate_limit;        /* requests a minute; 0: 600 */
};

struct fs_ec_request {
    const char *method;
    const char *path;  /* without the query string */
    const char *query; /* raw, "" when none */
    const char *authorization;
    const char *body;
    size_t body_len;
};

struct fs_ec_response {
    int status;
    char *body; /* malloc'd; NULL for none */
    bool cut;   /* close the connection without answering (a fault) */
    bool garbled;
    char retry_after[16]; /* "" for none */
};

struct ec_shop;

sb_err fs_ec_new(const struct fs_ec_config *cfg, struct ec_shop **ret);
void fs_ec_free(struct ec_shop *s); /* accepts NULL; stops the delivery thread */
/* A product with quantity 100; price in minor units; name may be NULL. Takes the lock. */
sb_err fs_ec_add_product(struct ec_shop *s, const char *sku, const char *name, int64_t price);
size_t fs_ec_product_count(struct ec_shop *s);
void fs_ec_handle(struct ec_shop *s, const struct fs_ec_request *req, struct fs_ec_response *r);
sb_err fs_ec_demo_order(struct ec_shop *s, uint64_t *rng); /* takes the lock */

/* ---------------------------------------------------------------- the model */

#define EC_STR          256
#define EC_MAX_ITEMS    100
#define EC_MAX_ORDERS   200000
#define EC_MAX_PRODUCTS 200000
#define EC_MAX_COMBS    64
#define EC_MAX_EVENTS   20000
#define EC_QTY_MAX      1000000
#define EC_PRICE_MAX    ((int64_t)100000000)

struct ec_item {
    int64_t id, product_id, combination_id; /* combination_id 0: none */
    char sku[EC_STR], name[EC_STR];
    int64_t quantity, price, tax, coupon;
};

struct ec_order {
    int64_t internal_id;
    char id[64];
    char payment_status[40], fulfillment_status[40], payment_method[EC_STR];
    char email[EC_STR], shipping_method[EC_STR], fulfillment_type[16], tracking[EC_STR];
    bool pickup, restocked;
    int64_t created, updated;
    int64_t subtotal, total, tax, discount, coupon_discount, shipping;
    json_t *billing, *shipping_person; /* Ecwid person objects as given */
    size_t n_items;
    struct ec_item *items;
};

struct ec_comb {
    int64_t id;
    char sku[EC_STR];
    bool unlimited;
    int64_t quantity;
    int64_t price, compare_to; /* minor units; its product's price when made; 0: no "was" */
};

struct ec_product {
    int64_t id, price, updated;
    int64_t compare_to; /* compareToPrice, minor units; 0: none */
    char sku[EC_STR], name[EC_STR];
    bool unlimited;
    int64_t quantity;
    size_t n_combs;
    struct ec_comb combs[EC_MAX_COMBS];
};

struct ec_fault {
    int status, count, delay_ms, retry_after; /* retry_after: a 429's Retry-After seconds */
    bool cut;
    char prefix[128]; /* "" every /api/v3/ path; else paths after the store id starting so */
    bool has_body;
    char body[4096];
};

/* Webhook faults, taken per send. */
struct ec_hook_fault {
    int bad_signature, drop, duplicate;
};

struct ec_event {
    char event_id[48], type[40];
    int64_t created, entity_id;
    json_t *data;
    int attempts;     /* sends made */
    int next;         /* index into the retry schedule of the next send */
    bool delivered;   /* a send answered 200, 201, 202, 204 or 209 */
    bool failed;      /* the schedule ran out */
    json_t *statuses; /* each send's answer status (0: no answer) */
};

struct ec_shop {
    pthread_mutex_t mu;
    char token[128], secret[128], store_id[24], prefix[24], currency[4];
    char *webhook_url;
    int exponent;
    int64_t clock, next_internal, next_item, next_product, next_comb;
    struct ec_order **orders;
    size_t n_orders, cap_orders;
    struct ec_product **products;
    size_t n_products, cap_products;
    struct ec_fault fault;
    int64_t rate_limit, window_start, window_count;
    int64_t requests, limited, unauthorized;
    json_t *order_updates, *stock_calls;
    /* webhooks */
    struct ec_hook_fault hook_fault;
    bool hook_hold;    /* events queue up unsent until the control API releases them */
    bool hook_reverse; /* while releasing: the last raised is sent first */
    struct ec_event *events;
    size_t n_events, cap_events;
    int64_t next_event, hook_offset; /* seconds added to the clock for the schedule */
    pthread_t worker;
    bool worker_running, stopping;
    int sending; /* sends under way outside the lock */
    pthread_cond_t wake, idle;
    pthread_mutex_t log_mu;
    int log_fd;
};

/* shop.c */
int64_t ec_now(struct ec_shop *s); /* Unix seconds, never earlier than the last handed out */
void ec_date(int64_t t, char *buf, size_t cap); /* "2024-09-04 07:22:09 +0000" */
json_t *ec_money(const struct ec_shop *s, int64_t minor);
/* A JSON number or numeric string as minor units; false when it is not one or has more
 * decimals than the currency. */
bool ec_money_parse(const struct ec_shop *s, const json_t *v, int64_t *ret);
void ec_reply(struct fs_ec_response *r, int status, json_t *body); /* steals body */
void ec_error(struct fs_ec_response *r, int status, const char *code, const char *message);
bool ec_args_parse(const char *query, struct fs_args *ret);
/* offset and limit (<= max) from the query; answers r 400 and returns false when bad. */
bool ec_paging(const struct fs_args *a, int64_t max, int64_t *offset, int64_t *limit,
               struct fs_ec_response *r);

/* orders.c */
bool ec_payment_status_ok(const char *v);
bool ec_fulfillment_status_ok(const char *v);
sb_err ec_order_place(struct ec_shop *s, json_t *body, struct ec_order **ret);
struct ec_order *ec_order_find(struct ec_shop *s, const char *id); /* id or internalId */
/* Sets the statuses (NULL: unchanged) and tracking number, raises order.updated; payment
 * CANCELLED puts the order's stock back once. */
void ec_order_set(struct ec_shop *s, struct ec_order *o, const char *payment,
                  const char *fulfillment, const char *tracking);
json_t *ec_order_json(struct ec_shop *s, const struct ec_order *o);
void ec_order_free(struct ec_order *o);
/* Removes the order from the store (its stock stays where it is) and raises order.deleted. */
void ec_order_delete(struct ec_shop *s, struct ec_order *o);
void ec_route_orders(struct ec_shop *s, const struct fs_args *a, struct fs_ec_response *r);
void ec_route_order_get(struct ec_shop *s, const char *id, struct fs_ec_response *r);
void ec_route_order_put(struct ec_shop *s, const char *id, json_t *body, struct fs_ec_response *r);

/* catalog.c */
sb_err ec_product_add(struct ec_shop *s, json_t *body, struct ec_product **ret);
struct ec_product *ec_product_find(struct ec_shop *s, int64_t id);
struct ec_product *ec_product_by_sku(struct ec_shop *s, const char *sku, struct ec_comb **comb);
/* Moves stock by delta on a product or combination (NULL) unless unlimited, then raises
 * product.updated. */
void ec_stock_move(struct ec_shop *s, struct ec_product *p, struct ec_comb *c, int64_t delta);
json_t *ec_product_json(struct ec_shop *s, const struct ec_product *p);
void ec_route_products(struct ec_shop *s, const struct fs_args *a, struct fs_ec_response *r);
void ec_route_product(struct ec_shop *s, const char *method, const char *pid, const char *cid,
                      bool inventory, json_t *body, struct fs_ec_response *r);

/* webhooks.c */
sb_err ec_hooks_start(struct ec_shop *s); /* without the lock */
void ec_hooks_stop(struct ec_shop *s);    /* without the lock */
/* Queues an event (data stolen); the worker sends it. */
void ec_event_raise(struct ec_shop *s, const char *type, int64_t entity_id, json_t *data);
/* Waits (the lock held, released while waiting) until no send is due, at most 15 s. */
void ec_hooks_drain(struct ec_shop *s);
json_t *ec_deliveries_json(struct ec_shop *s);
/* The signature of an event: base64 HMAC-SHA256 of "{created}.{eventId}" with key. */
void ec_signature(const char *key, int64_t created, const char *event_id, char *out, size_t cap);

/* control.c */
void ec_control(struct ec_shop *s, const struct fs_ec_request *req, struct fs_ec_response *r);

#endif
