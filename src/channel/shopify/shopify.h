/*
 * The Shopify kind (src/channel/shopify/): what its files share, and the pure
 * functions tests check without a network. The files:
 *   adapter.c    the kind's row: capabilities, descriptions, and the operations
 *                (webhooks, poll, fetch, decide, fulfillments, cancellations)
 *   transport.c  one Admin GraphQL call: the API's URL, errors, throttling, the
 *                per-channel cost budget (the adapter's state), retries
 *   query.c      the order query: its page sizes, its cost, cut-short orders
 *   cursor.c     the poll cursor
 *   payment.c    gateways as payment types (P1, P3)
 *   order.c      an order's JSON (REST webhook body or GraphQL node) as an sb_order
 *   stock.c      stock: items by SKU, levels set and read
 *   prices.c     prices
 *   bulk.c       the whole stock through a bulk operation
 *   app.c        the adapter as an app: its access scopes checked against what the
 *                channel's settings need, its webhook subscriptions made and repaired,
 *                and how the connection stands (the API version that answers)
 */
#ifndef SB_CHANNEL_SHOPIFY_H
#define SB_CHANNEL_SHOPIFY_H

#include "channel/channel.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* The one Admin API version the adapter is written against: in every URL, and checked
 * against the X-Shopify-API-Version of every answer (a shop serves the oldest supported
 * version in place of an unsupported one). */
#define SB_SHOPIFY_API_VERSION "2026-10"
#define SB_SHOPIFY_MAX_LINES   500
#define SB_SHOPIFY_MAX_RETRIES 3                  /* throttled or 429: retries before SB_EBUSY */
#define SB_SHOPIFY_MAX_WAIT_MS 10000              /* one wait never exceeds this */
#define SB_SHOPIFY_MAX_BODY    ((size_t)16 << 20) /* an answer or a webhook body */

/* app.c: the kind's own settings (webhook_base_url), as data. */
extern const struct sb_field sb_shopify_settings[];
/* app.c: the ops connect and connection (channel.h, SB_CH_CONNECT). */
sb_err sb_shopify_connect(const struct sb_channel *ch, json_t **ret_report);
json_t *sb_shopify_connection(const struct sb_channel *ch, struct sb_arena *a,
                              const char **ret_notice);
/* app.c: whether the last connection check found the scope not granted (false before a
 * check, or when it could not read the scopes). */
bool sb_shopify_scope_missing(const struct sb_channel *ch, const char *scope);

/* adapter.c: what the kind's credentials are, as data (the engine checks them). */
extern const struct sb_field sb_shopify_credentials[];
/* credentials.base_url, else https://<shop_domain>; no trailing slash. */
const char *sb_shopify_base_url(json_t *credentials, struct sb_arena *a);

/*
 * transport.c: the adapter's state per channel (sb_channel.state): the cost budget the
 * last answers reported, per operation, so that a loop of calls is paced instead of
 * refused (I9). Opened and closed by the engine (ops open, close); shared by the threads
 * working on the channel, under its lock.
 */
#define SB_SHOPIFY_BUDGET_OPS 12
struct sb_shopify_state {
    pthread_mutex_t lock;
    double max, available, restore;
    uint64_t at_ns;
    struct {
        const char *op; /* static text: the operation names are literals */
        double cost;
    } ops[SB_SHOPIFY_BUDGET_OPS];
    size_t n_ops;
    /* The connection (app.c), under the same lock: the X-Shopify-API-Version the last
     * answer carried ("" before one did), whether a change of it is still to be told
     * (sb_channel_ops.connection), and the last connect's report (NULL before one). */
    char served_version[16];
    bool version_notice;
    json_t *connection;
};
sb_err sb_shopify_open(const struct sb_channel *ch, void *state);
void sb_shopify_close(void *state);
/* app.c: the X-Shopify-API-Version an answer carried (NULL: none), noted in the state
 * (which may be NULL). */
void sb_shopify_note_version(struct sb_shopify_state *s, const char *version);

/* A credential as non-empty text without a NUL, or NULL. */
const char *sb_shopify_cred(const struct sb_channel *ch, const char *key);
/* Parses text as a JSON object whose lifetime is the arena's (at most
 * SB_SHOPIFY_MAX_BODY bytes); what names it in errors. */
sb_err sb_shopify_load_object(const char *text, size_t len, const char *what, struct sb_arena *a,
                              json_t **ret);

/* order.c: an order in the REST shape (webhook body) or as a GraphQL Order node.
 * The object must stay alive as long as the arena: strings are borrowed from it. */
sb_err sb_shopify_parse_rest_order(json_t *obj, struct sb_arena *a, struct sb_order **ret);
sb_err sb_shopify_parse_gql_order(json_t *node, struct sb_arena *a, struct sb_order **ret);

/* A Shopify numeric id as text: 1 to 20 digits, no leading zero, not 0. */
bool sb_shopify_numeric_id(const char *s);
/* A REST id: a positive JSON integer (int64 in jansson, never a double) or a string of
 * digits, as text in the arena; SB_EINVALID_FIELD naming path otherwise. */
sb_err sb_shopify_id_value(json_t *v, const char *path, struct sb_arena *a, const char **ret);

/* P1/P3: the payment type for a gateway name (NULL or "": "Shopify"); unknown gateways
 * are named as given. *ret_integrated (may be NULL) false for offline methods. */
const char *sb_shopify_payment_type(const char *gateway, bool *ret_integrated);

/* How long to wait after a THROTTLED answer: the time the bucket needs to hold the
 * query's requested cost at the restore rate, rounded up, at most
 * SB_SHOPIFY_MAX_WAIT_MS; 1 s when the figures are missing or absurd (negative, NaN). */
uint64_t sb_shopify_throttle_wait_ms(double requested, double available, double restore_rate);
/* The wait a Retry-After header asks for (seconds, capped); 1 s when absent or not a
 * number of seconds. */
uint64_t sb_shopify_retry_after_ms(const char *retry_after);

/*
 * The page sizes of an order query (SbOrders when orders > 0, SbOrder for one order when
 * 0): how many of each list one answer may hold. Every size is Shopify's `first`, 1 to 250.
 * query.c explains the arithmetic and the choice.
 */
struct sb_shopify_sizes {
    int orders;              /* orders per page; 0: one order */
    int lines;               /* lineItems */
    int transactions;        /* the order's transactions */
    int refunds;             /* refunds */
    int refund_lines;        /* refundLineItems of each refund */
    int refund_transactions; /* transactions of each refund */
    int fulfillments;        /* fulfillments */
};
extern const struct sb_shopify_sizes sb_shopify_page;  /* the poll's SbOrders */
extern const struct sb_shopify_sizes sb_shopify_alone; /* SbOrder: one order, larger lists */

#define SB_SHOPIFY_MAX_QUERY_COST 1000 /* Shopify refuses a single query above this */
#define SB_SHOPIFY_COST_BUDGET    800  /* what ours may request: a fifth to spare */

/* The requested cost Shopify's documented rules give the order query with these sizes;
 * -1 when a size is out of bounds. */
int64_t sb_shopify_query_cost(const struct sb_shopify_sizes *s);
/* The GraphQL document for these sizes (SbOrders or SbOrder), in the arena; NULL: no
 * memory. */
const char *sb_shopify_order_query(const struct sb_shopify_sizes *s, struct sb_arena *a);
/* Why an Order node read with these sizes may be incomplete - the name of the first list
 * cut short ("lineItems", "refunds", "refunds.refundLineItems", ...) - or NULL when every
 * list is whole. A connection is cut short when its pageInfo says hasNextPage (lacking
 * pageInfo: when it holds as many nodes as asked for); a list, which has no pageInfo, when
 * it holds as many as asked for. */
const char *sb_shopify_truncated(json_t *node, const struct sb_shopify_sizes *s);

/*
 * The poll cursor, stored by the pipeline between polls. Either empty/NULL
 * (never polled), "SINCE" (an ISO 8601 UTC time: the newest updatedAt seen),
 * or "SINCE|MAX|AFTER" while a poll is paging: the lower bound the pages were
 * asked with, the newest updatedAt seen so far, and Shopify's endCursor
 * (opaque, last so it may hold anything).
 */
struct sb_shopify_cursor {
    int64_t since;     /* 0: none */
    int64_t max;       /* 0: none */
    const char *after; /* NULL: first page */
};
sb_err sb_shopify_cursor_parse(const char *text, struct sb_arena *a, struct sb_shopify_cursor *ret);
const char *sb_shopify_cursor_format(const struct sb_shopify_cursor *c, struct sb_arena *a);

/* transport.c: runs one Admin GraphQL operation (variables are taken) and returns its
 * "data" object, alive as long as the arena. Throttling (THROTTLED, HTTP 429) waits as
 * Shopify asks and retries, at most SB_SHOPIFY_MAX_RETRIES times, then SB_EBUSY. */
sb_err sb_shopify_gql(const struct sb_channel *ch, struct sb_arena *a, const char *operation,
                      const char *query, json_t *variables, json_t **ret_data);

/* stock.c: stock sync (the ops of the same names). */
#define SB_SHOPIFY_ITEMS_PAGE 20  /* inventory items per SbInventoryItems page */
#define SB_SHOPIFY_LEVELS     10  /* inventory levels read per item */
#define SB_SHOPIFY_SET_MAX    250 /* quantities per inventorySetQuantities call */
sb_err sb_shopify_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                             struct sb_arena *a);
sb_err sb_shopify_push_stock(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                             struct sb_arena *a);
sb_err sb_shopify_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                             struct sb_stock_page *ret);
/* prices.c: prices (the op of the same name). */
sb_err sb_shopify_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                              struct sb_arena *a);
/* bulk.c: the whole stock through a bulk operation (the op read_stock_all). */
/* Its result file's reader, for tests: fed the file in pieces of any size, grouped or
 * ungrouped, it calls each() for every item, in the order the items' lines came, when
 * finished. Errors are SB_EIO with why (the caller discards what it got). */
struct sb_shopify_bulk_reader;
sb_err sb_shopify_bulk_reader_new(sb_err (*each)(void *ud, const struct sb_channel_stock *st),
                                  void *ud, struct sb_shopify_bulk_reader **ret);
sb_err sb_shopify_bulk_feed(struct sb_shopify_bulk_reader *r, const char *data, size_t len);
sb_err sb_shopify_bulk_finish(struct sb_shopify_bulk_reader *r);
void sb_shopify_bulk_reader_free(struct sb_shopify_bulk_reader *r); /* accepts NULL */
sb_err sb_shopify_read_stock_all(const struct sb_channel *ch,
                                 sb_err (*each)(void *ud, const struct sb_channel_stock *st),
                                 void *ud);
/* The "available" quantity of an InventoryLevel node ({quantities: [{name, quantity}]});
 * false when it has none. */
bool sb_shopify_level_available(json_t *level, int64_t *ret);
/* The search query that finds these SKUs ("sku:A OR sku:\"B C\""), in the arena. */
const char *sb_shopify_sku_query(const char *const *skus, size_t n, struct sb_arena *a);

/* The numeric tail of a gid ("gid://shopify/Order/450789469" -> "450789469"), or NULL. */
const char *sb_shopify_gid_tail(const char *gid, const char *type, struct sb_arena *a);

#endif
