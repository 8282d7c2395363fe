/*
 * The Ecwid wire (src/channel/ecwid/): Ecwid's REST API v3 as two kinds share
 * it, Ecwid itself and the native eCom store (Lightspeed eCom E-Series, which
 * runs on Ecwid: same API, webhooks and enums). Nothing here is one kind's
 * rule; the adapters (later) decide what comes down and what travels. The
 * shapes are those of Ecwid's API reference and its official Java client's
 * DTOs (FetchedOrder: string ids, money as floats, Unix-second timestamps).
 * The files:
 *   transport.c  one call to https://app.ecwid.com/api/v3/{storeId}/...: the
 *                secret_ token as a bearer, the 600-a-minute budget paced in the
 *                per-channel state, 429 waited out by its Retry-After
 *   webhook.c    the signature of "{eventCreated}.{eventId}" checked with the app's
 *                client secret before anything else is read; event id, type, orderId
 *   order.c      an order's JSON as an sb_order
 *   poll.c       the poll (updatedFrom, offset, limit 100) and its restart-safe cursor;
 *                one order fetched by its id
 *   stock.c      absolute quantities to products and combinations, and the store's
 *                stock read back (I5)
 *   profile.c    the store's profile: the connection test, the store's currency
 *   update.c     an order's statuses written (PUT /orders/{id}), and its payment
 *                status read first (the eCom store's lock after a cancel, L2)
 *   payment.c    payment types from the order's payment method (P1, P3)
 *   prices.c     prices to products and combinations (PR1-PR4): price and
 *                compareToPrice in the store's currency
 * The two kinds' rows: channel/ecwid/adapter.c (Ecwid, W1-W6) and
 * channel/ecom/adapter.c (the native eCom store, L1-L2).
 */
#ifndef SB_CHANNEL_ECWID_H
#define SB_CHANNEL_ECWID_H

#include "channel/channel.h"
#include "channel/order.h"
#include "core/channel-item.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_EC_MAX_BODY     ((size_t)16 << 20) /* one answer */
#define SB_EC_MAX_LINES    500                /* items of one order */
#define SB_EC_PAGE_SIZE    100                /* Ecwid's maximum limit */
#define SB_EC_BUDGET       600                /* requests a minute per token */
#define SB_EC_WINDOW_MS    60000
#define SB_EC_MAX_RETRIES  5     /* 429s in a row before SB_EBUSY */
#define SB_EC_MAX_WAIT_MS  60000 /* the longest wait asked by a Retry-After we honour */
#define SB_EC_OVERLAP      300   /* seconds a new sweep re-reads before what it last saw */
#define SB_EC_ID_MAX       64    /* an order id's bytes */
#define SB_EC_WEBHOOK_MAX  ((size_t)64 << 10)
#define SB_EC_DEFAULT_BASE "https://app.ecwid.com/api/v3"
#define SB_EC_PUSH_BATCH   50 /* stock levels one push sends: one PUT each */

/* Both kinds' credentials (channel/ecwid/adapter.c): store_id, api_token, client_secret,
 * base_url and currency (both optional). */
extern const struct sb_field sb_ec_credentials[];

/* What both kinds' rows take from the wire, as designated initializers: the credentials,
 * state, webhooks, poll and fetch, payment types, stock, prices and the connection test. Each row
 * adds its kind, label, bits (SB_CH_STOCK and SB_CH_PRICES among them), rules (decide, statuses, cancel) and flags. */
#define SB_EC_WIRE_OPS                                                                          \
    .credentials = sb_ec_credentials, .push_batch = SB_EC_PUSH_BATCH, .connect_on_save = true,  \
    .base_url = sb_ec_base_url, .state_size = sizeof(struct sb_ec_state), .open = sb_ec_open,   \
    .close = sb_ec_close, .verify_webhook = sb_ec_verify_webhook,                               \
    .parse_event = sb_ec_parse_event, .poll_orders = sb_ec_poll_orders,                         \
    .fetch_order = sb_ec_fetch_order, .payment_type = sb_ec_payment_type,                       \
    .find_items = sb_ec_find_items, .push_stock = sb_ec_push_stock,                             \
    .read_stock = sb_ec_read_stock, .push_prices = sb_ec_push_prices, .connect = sb_ec_connect, \
    .connection = sb_ec_connection

/* ---------------------------------------------------------------- transport.c */

/* A credential as non-empty text without a NUL, or NULL. The credentials: store_id,
 * api_token (secret_...), client_secret (the webhook signing key), base_url (optional:
 * SB_EC_DEFAULT_BASE). */
const char *sb_ec_cred(const struct sb_channel *ch, const char *key);

/* The per-channel state (sb_channel.state) under its lock: the request budget (a fixed
 * one-minute window: when it started, how many calls it has had), and a pause asked by
 * a 429 (no call before blocked_until_ms), shared by every thread calling the store. */
struct sb_ec_state {
    pthread_mutex_t lock;
    int64_t window_start_ms;
    int used;
    int64_t blocked_until_ms;
    json_t *connection;
    char currency[4]; /* the store's, from its profile; "" until read (profile.c) */
};
sb_err sb_ec_open(const struct sb_channel *ch, void *state);
void sb_ec_close(void *state);

/* The budget without the lock (tests call it with their own clock): how long to wait
 * before a call at now_ms; 0 means go now, and the call is counted. */
int64_t sb_ec_budget_take(struct sb_ec_state *s, int64_t now_ms);
/* A 429 at now_ms asking to wait wait_ms: no call before then. */
void sb_ec_budget_block(struct sb_ec_state *s, int64_t now_ms, int64_t wait_ms);
/* Retry-After in seconds ("3", " 10 ") as milliseconds, at most SB_EC_MAX_WAIT_MS; 1000
 * for anything else (absent, a date, garbage). */
int64_t sb_ec_retry_after_ms(const char *v);

struct sb_ec_reply {
    long status;
    json_t *body;        /* parsed, kept alive by the arena; NULL when empty or not JSON */
    const char *message; /* Ecwid's errorMessage (errorCode) on a refusal, or NULL */
};
/*
 * One call: method, a path under the store ("/orders/K8XTQ"), an encoded query (NULL:
 * none), a body (borrowed, NULL: none). Paced by the budget; a 429 is waited out as its
 * Retry-After asks and retried, SB_EC_MAX_RETRIES times, then SB_EBUSY. Every other
 * status comes back as SB_OK with ret->status set (the caller judges: sb_ec_status_err).
 * SB_EMISSING_FIELD for missing credentials, SB_EIO when the store cannot be reached.
 */
sb_err sb_ec_call(const struct sb_channel *ch, const char *method, const char *path,
                  const char *query, json_t *body, struct sb_arena *a, struct sb_ec_reply *ret);
/* The sb_err for a non-2xx reply naming the call (what: "listing orders"): 401 and 403
 * (Ecwid answers a bad token with 403 INVALID_API_TOKEN) -> SB_EUNAUTHORIZED, 404 ->
 * SB_ENOT_FOUND, 400/409/422 -> SB_EINVALID_FIELD, the rest -> SB_EIO. Sets sb_fail. */
sb_err sb_ec_status_err(const struct sb_ec_reply *r, const char *what);
/* RFC 3986 percent-encoding, in the arena. */
const char *sb_ec_pct(struct sb_arena *a, const char *s);

/* ops->base_url: the credentials' base_url, else SB_EC_DEFAULT_BASE. */
const char *sb_ec_base_url(json_t *credentials, struct sb_arena *a);

/* ---------------------------------------------------------------- webhook.c */

/* base64(HMAC-SHA256(client_secret, "{eventCreated}.{eventId}")) into buf (cap >= 45). */
bool sb_ec_signature(const char *client_secret, int64_t event_created, const char *event_id,
                     char *buf, size_t cap);
/*
 * Verifies a webhook (W5): the body is bounded, only eventCreated and eventId are read
 * from it to rebuild the signed text, and X-Ecwid-Webhook-Signature is compared in
 * constant time; nothing else is read before that passes (SB_EUNAUTHORIZED). Then:
 * event_id = eventId, topic = eventType, order_ref = data.orderId for order.* events
 * (a string, as Ecwid sends the values in data; SB_EMISSING_FIELD without one). Other
 * event types (product.updated, unfinished_order.*, ...) come back ignored: W6, our own
 * stock pushes never loop back; so does order.deleted (the POS keeps what it made).
 */
sb_err sb_ec_verify_webhook(const struct sb_channel *ch, const struct sb_webhook *wh,
                            struct sb_arena *a, struct sb_event_info *ret);
/* The body is a hint: always *ret NULL (the order is fetched by info->order_ref). */
sb_err sb_ec_parse_event(const struct sb_channel *ch, const char *topic, const char *body,
                         size_t len, struct sb_arena *a, struct sb_order **ret);

/* ---------------------------------------------------------------- order.c */

/*
 * An order (GET /orders/{id}, or an item of GET /orders) as an sb_order, its money
 * (floats) rounded to currency's minor unit half away from zero (O4): Ecwid's orders
 * do not name their currency, the store's (its profile) is given. obj must outlive the
 * arena's use of the order (strings are borrowed). The mapping:
 *   id -> external_id and number (text, may carry the store's prefix); updateTimestamp
 *   (else updateDate) -> updated_at; paymentStatus -> financial (CANCELLED also sets
 *   cancelled); channel_status = "CANCELLED" when the payment is, else fulfillmentStatus
 *   raw (the status tables read it); paymentMethod -> gateway; items -> lines (id as
 *   text, product_id, variant_id = combinationId, discounts[].total + couponAmount as
 *   the line's discount, taxes[] or tax); shippingOption -> shipping, and a pickup
 *   (isPickup or fulfillmentType PICKUP) names pickup_location by shippingMethodName;
 *   shippingPerson -> ship_to; billingPerson's names (else shippingPerson's; a person with
 *   only its full name "name": the first word, and the rest as the last name); what the
 *   lines do not carry of discount and tax stays as order-level rows; refunds[] ->
 *   refunds (no lines: Ecwid sends none).
 * SB_EINVALID_FIELD / SB_EMISSING_FIELD naming the field when it cannot be read.
 */
sb_err sb_ec_parse_order(json_t *obj, const char *currency, struct sb_arena *a,
                         struct sb_order **ret);
/* An Ecwid order id: 1..SB_EC_ID_MAX of A-Z a-z 0-9 - _ (it goes into URLs). */
bool sb_ec_order_id_ok(const char *s);
/* "yyyy-MM-dd HH:mm:ss Z" (Z: +hhmm or -hhmm) as Unix seconds; strict. */
bool sb_ec_date_parse(const char *s, int64_t *ret);

/* ---------------------------------------------------------------- poll.c */

/*
 * The poll cursor (restart-safe text "F|O|S|H"): a sweep over orders with
 * updateTimestamp >= F, O of them read so far, started at S (our clock, Unix seconds),
 * H the newest updateTimestamp seen in it. A sweep ends at a page short of the total;
 * the next starts at min(H, S) - SB_EC_OVERLAP (never before F): an order updated
 * while the sweep was paging moves, and is read again by the next one. NULL or "" is
 * the beginning of time.
 */
struct sb_ec_cursor {
    int64_t from, offset, started, newest;
};
sb_err sb_ec_cursor_parse(const char *text, struct sb_ec_cursor *ret);
const char *sb_ec_cursor_format(const struct sb_ec_cursor *c, struct sb_arena *a);
/* The query for a cursor's next page: "updatedFrom=F&offset=O&limit=100". */
const char *sb_ec_orders_query(const struct sb_ec_cursor *c, struct sb_arena *a);
/* One page's answer ({total, count, offset, limit, items}) parsed into ret, with the
 * cursor to store after it (now: our clock, for a sweep's start). Unreadable items are
 * listed with why (O10). */
sb_err sb_ec_orders_page(json_t *body, const struct sb_ec_cursor *c, const char *currency,
                         int64_t now, struct sb_arena *a, struct sb_order_page *ret);
/* The currency given to sb_ec_parse_order: the credentials' currency, else the store's
 * (its profile, read once: sb_ec_profile_currency), else the channel's, else USD. */
const char *sb_ec_currency(const struct sb_channel *ch);
sb_err sb_ec_poll_orders(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                         struct sb_order_page *ret);
/* GET /orders/{id}: the order's JSON (in the arena), unparsed. SB_EINVALID_FIELD when the
 * id is not an Ecwid order id (1..64 of A-Z a-z 0-9 - _). */
sb_err sb_ec_order_json(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                        json_t **ret);
/* The same, parsed (SB_CH_FETCH). */
sb_err sb_ec_fetch_order(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                         struct sb_order **ret);

/* ---------------------------------------------------------------- stock.c */

/*
 * A stock item's id on Ecwid: "P" (a product) or "P/C" (combination C of product P),
 * decimal ids. sb_ec_stock_target parses one; false when it is neither.
 */
bool sb_ec_stock_target(const char *item_id, int64_t *ret_product, int64_t *ret_combination);
/* The path and body that set a level absolutely: PUT /products/P {quantity} or PUT
 * /products/P/combinations/C {quantity}. NULL path for a bad id or a negative level. */
const char *sb_ec_stock_path(const struct sb_stock_level *l, struct sb_arena *a);
/*
 * find_items: each SKU looked up (GET /products?sku=..., its combinations searched
 * too); a product or combination with unlimited stock is left unmatched (item_id
 * NULL): the POS never sets a quantity on it.
 */
sb_err sb_ec_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                        struct sb_arena *a);
/* One product's answer searched for sku: its item id ("P" or "P/C"), NULL when none or
 * unlimited. */
const char *sb_ec_match_sku(json_t *product, const char *sku, struct sb_arena *a);
/* push_stock: one PUT a level; a 400/404 marks the level's error and the others go on;
 * anything else stops with the error (nothing after it sent). */
sb_err sb_ec_push_stock(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                        struct sb_arena *a);

/* The one location both kinds stock at: Ecwid keeps one quantity per product. */
#define SB_EC_LOCATION "store"
/* read_stock: GET /products a page (offset, limit 100) at a time: a product with no
 * combinations is one item ("P"), each combination another ("P/C"); unlimited ones are left
 * out, as find_items leaves them. The cursor is the next offset. */
sb_err sb_ec_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                        struct sb_stock_page *ret);
/* One page of GET /products parsed into ret (offset: the page's), for read_stock. */
sb_err sb_ec_stock_page(json_t *body, int64_t offset, struct sb_arena *a,
                        struct sb_stock_page *ret);

/* ---------------------------------------------------------------- profile.c */

/* The currency a profile names (formatsAndUnits.currency): three letters A-Z, or NULL. */
const char *sb_ec_profile_currency_of(json_t *profile);

/* With state and no currency in the credentials: reads the store's profile once for its
 * currency (formatsAndUnits.currency), kept in the state. SB_OK without state. */
sb_err sb_ec_profile_currency(const struct sb_channel *ch, struct sb_arena *a);
/* connect: the connection test (GET /profile), its report kept for connection(). */
sb_err sb_ec_connect(const struct sb_channel *ch, json_t **ret_report);
json_t *sb_ec_connection(const struct sb_channel *ch, struct sb_arena *a, const char **ret_notice);

/* ---------------------------------------------------------------- update.c */

/* PUT /orders/{id} with body ({"paymentStatus": ..., "fulfillmentStatus": ...}): Ecwid
 * answers {updateCount}. what names the change for errors. */
sb_err sb_ec_order_put(const struct sb_channel *ch, const char *external_id, json_t *body,
                       const char *what);
/* S1: the order cancelled on Ecwid: paymentStatus CANCELLED, and with will_not_deliver
 * fulfillmentStatus WILL_NOT_DELIVER in the same call (the eCom store's cancel, L2). */
sb_err sb_ec_cancel(const struct sb_channel *ch, const char *external_id, bool will_not_deliver);
/* The order's paymentStatus as Ecwid has it now (GET /orders/{id}), in the arena. */
sb_err sb_ec_order_payment(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                           const char **ret_status);

/* ---------------------------------------------------------------- prices.c */

/* The largest amount sent (minor units): 15 digits, what a double and the transport's
 * JSON_REAL_PRECISION(15) carry exactly. */
#define SB_EC_AMOUNT_MAX ((int64_t)999999999999999)
/* An amount of minor units as Ecwid's Double: the JSON real nearest its exact decimal text
 * with exponent decimals (1999, 2 -> 19.99). NULL when negative or above SB_EC_AMOUNT_MAX. */
json_t *sb_ec_amount(int64_t minor, int exponent);
/* PUT /products/P or /products/P/combinations/C for a price's variant_id ("P" or "P/C");
 * NULL when it is neither. */
const char *sb_ec_price_path(const struct sb_price *p, struct sb_arena *a);
/* {"price": regular, "compareToPrice": 0} without a sale, {"price": sale, "compareToPrice":
 * regular} with one (a sale below the regular price); NULL for an amount sb_ec_amount
 * refuses. */
json_t *sb_ec_price_body(const struct sb_price *p, int exponent);
/* push_prices: the store's currency read first (sb_ec_profile_currency); when it is not
 * ch->currency every price is refused naming both; one PUT a price; a 400/404 marks that
 * price's error and the others go on; anything else stops (nothing after it sent). */
sb_err sb_ec_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                         struct sb_arena *a);

/* ---------------------------------------------------------------- payment.c */

/* P1, P3: the payment type for an Ecwid payment method, the same for both kinds: an
 * integrated processor named in it (Stripe, PayPal, Square, Lightspeed Payments, ...) by
 * its own name, else "Ecwid"; an offline method (cash on delivery, pay at pickup, bank
 * transfer, cheque, invoice, phone order) is not integrated: its order stays unpaid until
 * Ecwid says PAID (P4). */
const char *sb_ec_payment_type(const struct sb_channel *ch, const char *method,
                               bool *ret_integrated);

#endif
