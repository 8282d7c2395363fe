/*
 * The Magento 2 kind (src/channel/magento2/): what its files share, and the
 * pure functions tests check without a network. Magento's admin REST API
 * lives under <base_url>/rest/V1/...; its shapes are those of Magento's
 * official OpenAPI description (2.4.9). The files:
 *   adapter.c    the kind's row: capabilities, credentials and settings as data,
 *                the status table, the per-channel state, payment types (P1, P3)
 *   transport.c  one REST call: URL, bearer or OAuth 1.0a, the answer parsed,
 *                Magento's error messages with their placeholders filled, the
 *                sb_err for a status
 *   oauth.c      OAuth 1.0a (RFC 5849) signing with HMAC-SHA256
 *   query.c      searchCriteria query strings
 *   cursor.c     the poll cursor (orders and credit memos, keyset on updated_at)
 *   order.c      an order's JSON as an sb_order (M8 merges parents and children),
 *                and its credit memos as its refunds (M7, S2)
 *   poll.c       poll_orders and fetch_order
 *   decide.c     download modes (M1-M5) and the reasons an order waits (O10)
 *   connect.c    connect and connection: the credentials checked, MSI sources listed
 * and, written by the "up" side: invoice.c ship.c cancel.c stock.c prices.c, and
 * reread.c (the order re-read that keeps them exactly-once).
 */
#ifndef SB_CHANNEL_MAGENTO2_H
#define SB_CHANNEL_MAGENTO2_H

#include "channel/channel.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_M2_MAX_BODY   ((size_t)16 << 20) /* one answer */
#define SB_M2_MAX_LINES  500                /* items of one order (as Shopify's) */
#define SB_M2_MAX_MEMOS  200                /* credit memos of one order */
#define SB_M2_PAGE_SIZE  100                /* orders or memos asked per poll request */
#define SB_M2_PAGE_SMALL 20                 /* after a 400 about the page size */
/* A second this recent (by our clock, skew allowed for) may still get updates on Magento:
 * a poll that ends in it leaves the cursor at its start, so the next poll reads it again */
#define SB_M2_SECOND_OPEN 300
#define SB_M2_MSG_MAX     1024 /* a filled error message */

/* ---------------------------------------------------------------- adapter.c */

extern const struct sb_field sb_m2_credentials[];
extern const struct sb_field sb_m2_settings[];
/* transport.c: credentials.base_url (http or https) without its trailing slashes, in the
 * arena; NULL when absent or not a URL. */
const char *sb_m2_base_url(json_t *credentials, struct sb_arena *a);

/* How requests authenticate (transport.c chooses by the credentials). */
enum sb_m2_auth {
    SB_M2_AUTH_NONE,   /* no access_token: nothing can be called */
    SB_M2_AUTH_BEARER, /* Authorization: Bearer <access_token> */
    SB_M2_AUTH_OAUTH,  /* all four OAuth 1.0a values: every request signed */
};
enum sb_m2_auth sb_m2_auth_mode(const struct sb_channel *ch);
const char *sb_m2_auth_name(enum sb_m2_auth m); /* "bearer", "oauth", "none" */

/* The adapter's state per channel (sb_channel.state), under its lock: the page size the
 * store accepts (0: not learned, SB_M2_PAGE_SIZE), and the last connect's report. */
struct sb_m2_state {
    pthread_mutex_t lock;
    int page_size;
    json_t *connection;
};
sb_err sb_m2_open(const struct sb_channel *ch, void *state);
void sb_m2_close(void *state);
/* The page size to ask for (the state's, else SB_M2_PAGE_SIZE), and remembering a smaller
 * one after a refusal; state may be NULL. */
int sb_m2_page_size(const struct sb_channel *ch);
void sb_m2_page_size_learn(const struct sb_channel *ch, int size);

/* P1/P3: the payment type for Magento's payment.method; *ret_integrated (may be NULL)
 * false for offline methods (checkmo, banktransfer, cashondelivery, purchaseorder, free
 * and anything the customer pays outside Magento). */
const char *sb_m2_payment_type_name(const char *method, bool *ret_integrated);

/* A credential as non-empty text without a NUL, or NULL. */
const char *sb_m2_cred(const struct sb_channel *ch, const char *key);

/* ---------------------------------------------------------------- transport.c */

/*
 * One REST call: method, a path under /rest ("/V1/orders/5/cancel") and an already-encoded
 * query (NULL: none), an optional JSON body (borrowed: the caller keeps its reference and
 * decrefs it); signs or bears per the credentials. Answers every HTTP status as SB_OK with
 * ret->status set (the caller judges), the body parsed (ret->body: any JSON value incl.
 * bare true/false/integers, NULL when empty or not JSON, owned by the caller: json_decref),
 * ret->message: Magento's error message with its %1 / %name placeholders filled from
 * parameters (in the arena), or NULL; ret->auth: how the call authenticated. Transport
 * failures: SB_EIO (retryable); no access_token or a bad base_url: SB_EMISSING_FIELD /
 * SB_EINVALID_FIELD. 401/403 are mapped by the caller via sb_m2_status_err.
 */
struct sb_m2_reply {
    long status;
    json_t *body;
    const char *message;
    enum sb_m2_auth auth;
};
sb_err sb_m2_call(const struct sb_channel *ch, const char *method, const char *path,
                  const char *query, json_t *body, struct sb_arena *a, struct sb_m2_reply *ret);
/*
 * The sb_err for a non-2xx reply, with a message naming the call (what: "listing orders"):
 * 401 -> SB_EUNAUTHORIZED (the message says bearer refused vs OAuth signature refused and
 * what to change), 403 -> SB_EFORBIDDEN (a resource not granted), 404 -> SB_ENOT_FOUND,
 * 400/422 -> SB_EINVALID_FIELD (Magento's message), 429/5xx and anything else -> SB_EIO
 * (retried). Sets sb_fail.
 */
sb_err sb_m2_status_err(const struct sb_m2_reply *r, const char *what);
/* Magento's message with its placeholders filled from parameters (an object: %name; an
 * array: %1..%n), in the arena, at most SB_M2_MSG_MAX bytes; NULL when message is not a
 * string. Placeholders without a parameter stay as written. */
const char *sb_m2_fill_message(json_t *message, json_t *parameters, struct sb_arena *a);
/* s (UTF-8) cut to at most max bytes (< 256) without splitting a character, in the arena;
 * NULL for NULL or when out of memory. For Magento's text in our messages. */
const char *sb_m2_cut(struct sb_arena *a, const char *s, size_t max);

/* ---------------------------------------------------------------- oauth.c */

/* RFC 3986 percent-encoding (unreserved kept: A-Z a-z 0-9 - . _ ~), in the arena. */
const char *sb_m2_pct(struct sb_arena *a, const char *s);

struct sb_m2_oauth {
    const char *consumer_key, *consumer_secret, *token, *token_secret;
    const char *signature_method; /* "HMAC-SHA256" (tests: "HMAC-SHA1" for RFC 5849's base) */
    const char *nonce, *timestamp;
    const char *version; /* "1.0"; NULL leaves oauth_version out of the base string (RFC
                          * 5849's example does) */
};
/* RFC 5849 3.4.1: the signature base string for method and url (scheme://host[:port]/path,
 * any query ignored), with query (already encoded, may be NULL; "a=b&c" pairs, a key
 * without '=' has an empty value) and the oauth_* parameters; NULL when out of memory
 * or the url is not http(s). */
const char *sb_m2_oauth_base_string(struct sb_arena *a, const char *method, const char *url,
                                    const char *query, const struct sb_m2_oauth *o);
/* The base64 HMAC-SHA256 signature of base with key pct(consumer_secret)&pct(token_secret). */
const char *sb_m2_oauth_sign(struct sb_arena *a, const char *base, const struct sb_m2_oauth *o);
/* The whole Authorization header value ("OAuth oauth_consumer_key=\"..\", ..."). */
const char *sb_m2_oauth_header(struct sb_arena *a, const char *method, const char *url,
                               const char *query, const struct sb_m2_oauth *o);

/* ---------------------------------------------------------------- query.c */

/* One filter, each in its own filter group (groups are ANDed). condition: "eq", "gt"... */
struct sb_m2_filter {
    const char *field, *value, *condition;
};
/* "searchCriteria[filter_groups][0][filters][0][field]=...&...[value]=...&...
 * [condition_type]=...&searchCriteria[sortOrders][0][field]=...&...[direction]=ASC
 * &searchCriteria[pageSize]=N&searchCriteria[currentPage]=P", keys and values
 * percent-encoded (RFC 3986), in the arena; sort orders as "field:ASC" / "field:DESC";
 * page_size or page <= 0 leaves that part out. NULL when out of memory. */
const char *sb_m2_search(struct sb_arena *a, const struct sb_m2_filter *f, size_t n,
                         const char *const *sort, size_t n_sort, int page_size, int page);

/* ---------------------------------------------------------------- times (cursor.c) */

/* Magento's "YYYY-MM-DD HH:MM:SS" (UTC, no zone) and back; parse is strict. */
bool sb_m2_time_parse(const char *s, int64_t *ret);
void sb_m2_time_format(int64_t t, char *buf, size_t cap); /* cap >= 20 */

/* ---------------------------------------------------------------- cursor.c */

/*
 * The poll cursor, kept by the pipeline between polls (restart-safe text):
 *   "T|I|MT|MI": the orders' keyset position (updated_at T in Magento's format, entity_id
 *   I of the last order seen at T) and the credit memos' (MT, MI); "" for a position not
 *   started (T empty, I 0). NULL or "" is the beginning of time for both.
 */
struct sb_m2_pos {
    int64_t at; /* updated_at of the last one seen; 0: none yet */
    int64_t id; /* its entity_id; 0 with at 0 */
};
struct sb_m2_cursor {
    struct sb_m2_pos orders, memos;
};
sb_err sb_m2_cursor_parse(const char *text, struct sb_m2_cursor *ret);
const char *sb_m2_cursor_format(const struct sb_m2_cursor *c, struct sb_arena *a);

/* ---------------------------------------------------------------- order.c */

/* An order (GET /V1/orders/{id} or an item of GET /V1/orders) as an sb_order. obj must
 * stay alive as long as the arena: strings are borrowed from it. SB_EINVALID_FIELD /
 * SB_EMISSING_FIELD naming the field when it cannot be read. */
sb_err sb_m2_parse_order(json_t *obj, struct sb_arena *a, struct sb_order **ret);
/* The order's credit memos (items of GET /V1/creditmemos for its order_id) as its
 * refunds: state 2 (refunded) only, lines mapped to the order's merged lines (order_obj:
 * the JSON o was parsed from), 0-qty lines skipped; restock on every line when restock is
 * set (the return_to_stock setting, M7). Replaces o->refunds. */
sb_err sb_m2_attach_memos(struct sb_order *o, json_t *order_obj, json_t *memos, bool restock,
                          struct sb_arena *a);

/* ---------------------------------------------------------------- poll.c */

sb_err sb_m2_poll_orders(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                         struct sb_order_page *ret);
sb_err sb_m2_fetch_order(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                         struct sb_order **ret);

/* ---------------------------------------------------------------- decide.c */

enum sb_decision sb_m2_decide(const struct sb_channel *ch, const struct sb_order *o,
                              const char **ret_reason);
/* The same with the modes given: the one at the order's creation (M5) and today's (the
 * reason names the first when they differ); NULL or unknown is wait_for_invoice. */
enum sb_decision sb_m2_decide_modes(const struct sb_order *o, const char *mode_then,
                                    const char *mode_now, const char **ret_reason);

/* ---------------------------------------------------------------- connect.c */

sb_err sb_m2_connect(const struct sb_channel *ch, json_t **ret_report);
json_t *sb_m2_connection(const struct sb_channel *ch, struct sb_arena *a, const char **ret_notice);

/* up: */
/* What travels up to Magento (invoice.c, ship.c, cancel.c, stock.c, prices.c, and
 * reread.c which they share): the kind's operations, and the answer parsers the tests
 * and the fuzzer call alone. */
sb_err sb_m2_after_download(const struct sb_channel *ch, const struct sb_after_download *d);
bool sb_m2_wants_after_download(const struct sb_channel *ch, const struct sb_order *o);
sb_err sb_m2_push_fulfillment(const struct sb_channel *ch, const struct sb_fulfillment_push *f);
sb_err sb_m2_push_cancel(const struct sb_channel *ch, const char *order_external_id,
                         const char *reason);
sb_err sb_m2_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                        struct sb_arena *a);
sb_err sb_m2_push_stock(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                        struct sb_arena *a);
sb_err sb_m2_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                        struct sb_stock_page *ret);
sb_err sb_m2_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                         struct sb_arena *a);
#define SB_M2_PUSH_BATCH 100 /* push_batch: source items or prices in one call */
#define SB_M2_FIND_BATCH 100 /* SKUs in one "in" filter (find_items, read_stock) */
#define SB_M2_STOCK_PAGE 100 /* source items read a page at a time (read_stock) */

/* reread.c: the order as Magento holds it now (GET /V1/orders/{id}), the re-read that
 * makes every upward call idempotent; kept alive by the arena. SB_EINVALID_FIELD when id
 * is not an entity id (decimal digits). */
sb_err sb_m2up_order(const struct sb_channel *ch, const char *id, struct sb_arena *a, json_t **ret);
/* "/V1/<before><id><after>" for an order route, or NULL when id is not decimal digits. */
const char *sb_m2up_order_path(struct sb_arena *a, const char *before, const char *id,
                               const char *after);
/* A reply's body kept alive by the arena (decref'd when it is freed); returns body. */
json_t *sb_m2up_keep(struct sb_arena *a, json_t *body);
/* An order's label for messages: its increment_id, else "#<entity id>". */
const char *sb_m2up_order_label(json_t *order, const char *id, struct sb_arena *a);

/* Whether an error's parameters (an object's values or an array's items) hold value. */
bool sb_m2up_names(json_t *parameters, const char *value);

/* invoice.c: whether an order (GET /V1/orders/{id}) is invoiced: total_invoiced > 0. */
bool sb_m2up_invoiced(json_t *order);
/* ... and the capture flag its invoice is created with: the payment authorized and not
 * yet paid, by a method that captures online. */
bool sb_m2up_capture(json_t *order);
/* ship.c: whether nothing is left to ship (complete or closed, or every shippable item's
 * qty_shipped covers qty_ordered - qty_refunded - qty_canceled). */
bool sb_m2up_shipped(json_t *order);
/* ship.c: Magento's carrier code for a tracking company ("ups", "usps", "fedex", "dhl",
 * else "custom"). */
const char *sb_m2up_carrier(const char *company);
/* stock.c: one page of GET /V1/inventory/source-items (sorted by sku) as items with their
 * levels per source. A full page (page_size rows, total_count saying more) may stop
 * inside its last SKU: that SKU is left for the next page (unless it is the page's only
 * one); next_cursor is the last SKU kept. */
sb_err sb_m2up_source_page(json_t *body, size_t page_size, struct sb_arena *a,
                           struct sb_stock_page *ret);
/* stock.c: a 400 to POST /V1/inventory/source-items: marks levels[idx[k]].error for the
 * items its errors name (by sku, and source_code when named); SB_OK only when every
 * error names at least one of them (*ret_marked counts them), else SB_EINVALID_FIELD. */
sb_err sb_m2up_stock_refusal(const struct sb_m2_reply *r, struct sb_stock_level *levels,
                             const size_t *idx, size_t m, struct sb_arena *a, size_t *ret_marked);
/* prices.c: the answer to a price call (a list of PriceUpdateResult, [] = all taken): sets
 * prices[idx[k]].error for the SKUs its results name; SB_OK when every result names one,
 * else SB_EINVALID_FIELD (Magento's message). A price's SKU is its variant_id. */
sb_err sb_m2up_price_results(json_t *body, struct sb_price *prices, const size_t *idx, size_t m,
                             struct sb_arena *a);
/* prices.c: a decimal JSON number for minor units with `exponent` decimals, built from
 * its exact decimal text (an integer when it has no fraction). */
json_t *sb_m2up_decimal(int64_t minor, int exponent);
/* :up */

#endif
