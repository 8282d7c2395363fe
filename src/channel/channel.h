/*
 * The channel interface: one const struct of function pointers and data per
 * kind of webstore, the way curl plugs in TLS backends. A kind is one folder
 * (src/channel/<kind>/: its adapter) and one row of the table of kinds
 * (channel/kinds.c); everything about a kind is here: what it can do
 * (capability bits, each promising operations), its credentials and its own
 * settings described as data, how its base URL is formed, its batch size,
 * its per-channel state, its status table. The engine (src/sync) tests
 * capability bits and never asks which kind it is talking to, and
 * sb_channel_kinds_check() holds every kind's bits and operations together
 * at start-up. docs/architecture.md, "Adding a channel kind", lists the steps.
 *
 * A channel at run time is its record (settings, linked outlets) plus its
 * decrypted credentials and the adapter's state for it: sync/channel-cache.h.
 */
#ifndef SB_CHANNEL_H
#define SB_CHANNEL_H

#include "channel/order.h"
#include "core/channel-item.h"
#include "core/channel-settings.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/fields.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a kind can do. The engine goes by these bits alone, never by which function
 * pointers are set: a bit promises the operations (or data) named beside it, and a kind
 * has those operations exactly when it has the bit (sb_channel_kinds_check). Everything
 * a kind does not do is "not supported": the bit off and the pointer NULL.
 */
enum {
    SB_CH_WEBHOOKS = 1 << 0,  /* pushes events to POST /webhooks/{id}: verify_webhook,
                               * parse_event */
    SB_CH_POLL = 1 << 1,      /* orders can be listed by update time: poll_orders */
    SB_CH_LOCATIONS = 1 << 2, /* stock is kept per channel location (SP3); data only */
    SB_CH_FULFILL = 1 << 3,   /* accepts fulfillments with tracking (S3): push_fulfillment */
    SB_CH_CANCEL = 1 << 4,    /* accepts cancellations (S1): push_cancel */
    SB_CH_STOCK = 1 << 5,     /* accepts stock levels (I1-I9): find_items, push_stock,
                               * read_stock, push_batch */
    SB_CH_PRICES = 1 << 6,    /* accepts prices (PR1-PR4): find_items, push_prices, push_batch */
    SB_CH_FETCH = 1 << 7,     /* one order can be read by its id: fetch_order (events that
                               * carry no order bring it this way) */
    SB_CH_STOCK_ALL = 1 << 8, /* its whole stock can be read at once (I5): read_stock_all;
                               * with SB_CH_STOCK */
    SB_CH_AFTER_DOWNLOAD = 1 << 9, /* work on the channel once an order is down (Magento:
                                    * invoice it, M3): after_download */
    SB_CH_REFUND = 1 << 10,        /* takes refunds (credit memos) made in the POS (S2 the other
                               * way): push_refund, and the setting "push_refunds" */
    SB_CH_EXPORT = 1 << 11,        /* orders the webstore exports to us, picked up by the poller:
                               * list_exported, acknowledge */
    SB_CH_STATUS_IN = 1 << 12,     /* its orders carry a raw status the status table maps to
                                 * the POS (statuses with SB_STATUS_IN rows) */
    SB_CH_STATUS_OUT = 1 << 13,    /* POS status changes travel to it by the status table:
                                 * push_status, statuses with SB_STATUS_OUT rows, and the
                                 * setting "push_statuses" */
    SB_CH_RESERVE = 1 << 14,       /* orders may come down as customer orders (reserving stock,
                               * with deposits) or invoices instead of sales: the settings
                               * import_as, reserve_order_inventory, create_order_deposits */
    SB_CH_CONNECT = 1 << 15,       /* connects as an app that checks its access and sets up
                                    * its own webhooks: connect, connection */
    SB_CH_INBOUND = 1 << 16,       /* the webstore calls us through the connection API (E1,
                                    * /api/v1/connection): no webhooks, no polling, no outgoing
                                    * calls; data only, and none of the bits that call out */
};

/* A channel as adapters see it. */
struct sb_channel {
    int64_t id;
    const char *kind;
    const char *name;
    json_t *settings;         /* every setting, common and the kind's, defaults filled in
                           * (borrowed) */
    json_t *settings_history; /* M5: the settings over time, [{"since": unix seconds,
                               * "settings": {every setting, defaults filled}}], oldest
                               * first (borrowed); read through sb_channel_setting_at. NULL
                               * or empty: only today's settings are known */
    json_t *credentials;      /* decrypted credentials object (borrowed): never log it */
    const char *base_url;     /* where its API lives: ops->base_url's answer, or NULL */
    const char *currency;     /* ISO 4217 code of the POS amounts it is sent (prices): its
                           * default outlet's currency, else its first outlet's, else USD */
    /* The adapter's state for this channel: ops->state_size bytes, opened by ops->open
     * when the channel is first used and closed by ops->close when the process lets it go
     * (sync/channel-cache.c), shared by every thread working on the channel (the adapter
     * locks what it changes). NULL when the caller keeps none (an adapter's own tests, a
     * fuzzer): an adapter must work without it, at most less well. */
    void *state;
};

/* What the HTTP layer hands over for a webhook: the raw body, untouched, and a
 * way to read its headers. */
struct sb_webhook {
    const char *body;
    size_t len;
    const char *(*header)(void *ud, const char *name);
    void *ud;
};

/* What a verified webhook says about itself. Strings live in the arena. */
struct sb_event_info {
    const char *event_id;  /* the de-duplication key (X-Shopify-Event-Id) */
    const char *topic;     /* "orders/create", ... */
    const char *order_ref; /* the order it concerns, when known */
    bool ignored;          /* a genuine event of a topic the engine does not use: answered
                            * 200 (so the channel stops sending it), logged, stored nowhere */
};

/* The engine's decision about an order (O10). */
enum sb_decision {
    SB_DECIDE_DOWNLOAD,
    SB_DECIDE_WAIT,
    SB_DECIDE_SKIP
};

/* An order a poll saw but could not read: kept out, and shown with why (O10). */
struct sb_order_unreadable {
    const char *external_id;
    const char *reason;
};

/* One page of orders changed since a cursor (or exported to us). */
struct sb_order_page {
    struct sb_order **orders;
    size_t n;
    struct sb_order_unreadable *unreadable;
    size_t n_unreadable;
    const char *next_cursor; /* to store: the poll resumes from here */
    bool more;               /* another page is ready now */
};

/* A fulfillment to report to the channel (S3). */
struct sb_fulfillment_push {
    const char *order_external_id;
    const char *tracking_number, *tracking_company, *tracking_url;
    bool notify_customer;
};

/* An order that came down, for after_download: the channel's id for it and its sale. */
struct sb_after_download {
    const char *order_external_id;
    int64_t sale_id;
};

/* A return made in the POS on a web order, for push_refund (a credit memo on Magento). */
struct sb_refund_push_line {
    const char *line_external_id; /* the channel's id of the order line */
    int64_t quantity;
    int64_t amount; /* refunded for the line, in minor units of the order's currency */
    bool restock;
};
struct sb_refund_push {
    const char *order_external_id;
    int64_t return_id; /* the POS return: an idempotency key for the channel's call */
    int64_t amount;    /* money returned */
    const char *note;  /* may be NULL */
    const struct sb_refund_push_line *lines;
    size_t n_lines;
};

/* Available stock of one item at one channel location (I2), to set on the channel. */
struct sb_stock_level {
    int64_t item_id;              /* the POS item (the engine's bookkeeping) */
    const char *external_item_id; /* the channel's id for it (sb_channel_item.item_id) */
    const char *location_id;      /* the channel's location */
    int64_t available;
    const char *error; /* out: set when the channel refused this level, with why */
};

/* The price of one item (PR1-PR4): regular, and a sale price when one applies now. */
struct sb_price {
    int64_t item_id;
    const char *variant_id, *product_id; /* the channel's */
    int64_t regular;
    int64_t sale;      /* 0: no sale price now */
    const char *error; /* out */
};

/* The channel's own figures for one item, for reconciliation (I5). */
struct sb_channel_stock {
    struct sb_channel_item item; /* sku and ids */
    const char **location_ids;
    int64_t *available; /* per location */
    size_t n_levels;
};

/* One page of the channel's stock. */
struct sb_stock_page {
    struct sb_channel_stock *items;
    size_t n;
    const char *next_cursor;
    bool more;
};

/*
 * A kind's status table (SPEC 8, "Channel status tables"): which of the channel's order
 * statuses mean which POS status, and in which direction the change travels. IN rows turn
 * the raw status an order carries (sb_order.channel_status) into what the POS does with
 * the order (sync/order-status.c); OUT rows name the channel status a POS change becomes
 * (sent by push_status). A change with no row in its direction does not travel, and is
 * logged saying so.
 */
enum sb_pos_status {
    SB_POS_PENDING,   /* open, nothing paid */
    SB_POS_PAID,      /* paid in full (P4) */
    SB_POS_PACKED,    /* a fulfillment packed (a pickup: ready to collect) */
    SB_POS_SHIPPED,   /* fulfilled: shipped */
    SB_POS_PICKED_UP, /* fulfilled: collected */
    SB_POS_CANCELLED, /* voided (S1) */
};
enum {
    SB_STATUS_IN = 1,  /* channel -> POS */
    SB_STATUS_OUT = 2, /* POS -> channel */
    SB_STATUS_BOTH = SB_STATUS_IN | SB_STATUS_OUT,
};
/* Which orders a row is for: every order, or only those shipped, or only pickups (the
 * native eCom store's READY_FOR_PICKUP is a pickup's Packed, L2). */
enum sb_status_when {
    SB_WHEN_ANY,
    SB_WHEN_SHIPPING,
    SB_WHEN_PICKUP,
};
struct sb_status_map {
    const char *channel; /* the channel's name for it, as its wire spells it; NULL ends */
    enum sb_pos_status pos;
    unsigned direction; /* SB_STATUS_IN, SB_STATUS_OUT or both */
    enum sb_status_when when;
};

/* A POS status change travelling to the channel (push_status). */
struct sb_status_push {
    const char *order_external_id;
    const char *status;          /* the channel's status (its status table's OUT row) */
    enum sb_pos_status pos;      /* what happened in the POS */
    bool pickup;                 /* the order is a pickup */
    const char *tracking_number; /* SB_POS_SHIPPED: the shipment's, or NULL */
};

/* The settings a kind with SB_CH_REFUND, SB_CH_STATUS_OUT or SB_CH_RESERVE describes
 * (SB_CHANNEL_PUSH_REFUNDS, SB_CHANNEL_PUSH_STATUSES, SB_CHANNEL_IMPORT_AS,
 * SB_CHANNEL_RESERVE_STOCK, SB_CHANNEL_ORDER_DEPOSITS) are named in
 * core/channel-settings.h, since the store's rules read them too. */

struct sb_channel_ops {
    const char *kind;  /* the name in channels.kind: "shopify" */
    const char *label; /* what staff call it: "Shopify" */
    unsigned caps;
    /* What its credentials are (util/fields.h; SB_FIELD_TEXT with secret for tokens), and
     * the settings it adds to the common ones (core/channel-settings.h); NULL-name-
     * terminated lists, both checked, defaulted and served by the engine. */
    const struct sb_field *credentials;
    const struct sb_field *settings;
    /* Its status table (SB_CH_STATUS_IN, SB_CH_STATUS_OUT), NULL-channel-terminated; NULL
     * when neither bit is set. */
    const struct sb_status_map *statuses;
    /* The most stock or price changes one push sends (SB_CH_STOCK, SB_CH_PRICES): the
     * stock lane takes this many due rows of a channel at a time. 0 without those bits. */
    size_t push_batch;
    /* M9, with SB_CH_STOCK: the channel statuses (as sb_order.channel_status spells them,
     * NULL-terminated) under which the channel still holds back its own stock for an order
     * the POS has downloaded (Magento's MSI reservations until the order ships): what such
     * orders hold is added to the available stock sent, so the channel does not deduct
     * them a second time. NULL: the channel holds nothing of its own. */
    const char *const *held_statuses;
    /* W2: fulfillment stays managed on the channel. An order comes down as a completed sale
     * with no fulfillments (nothing for staff to pack, ship or pick up); its shipment keeps
     * the address and notes (O1, O7) and is recorded as handled on the channel, so it is on
     * no list of orders to ship. Such a kind has no SB_CH_FULFILL. */
    bool channel_fulfills;
    /* W4: every order is taken at the outlet of the channel's register (its record's
     * register_id), not allocated (A1-A4); an order waits, saying why, while the channel
     * has no register at one of its linked outlets. */
    bool register_outlet;
    /* SB_CH_CONNECT: connect is only a connection test, with nothing set up on the channel:
     * it is queued whenever the channel is saved (kinds without SB_CH_WEBHOOKS always are). */
    bool connect_on_save;

    /* Where the channel's API lives, from its credentials (Shopify: base_url, else
     * https://<shop_domain>), with no trailing slash, in the arena; NULL when the
     * credentials do not say. Required. */
    const char *(*base_url)(json_t *credentials, struct sb_arena *a);

    /* Per-channel state, as curl's TLS backends keep theirs (sizeof_ssl_backend_data):
     * state_size bytes, zeroed, that open() sets up for the channel (ch->state is NULL
     * during the call; state is where it goes) and close() tears down. All three or none:
     * a kind that keeps nothing has state_size 0 and no open or close. */
    size_t state_size;
    sb_err (*open)(const struct sb_channel *ch, void *state);
    void (*close)(void *state);

    /* SB_CH_WEBHOOKS. Checks the webhook's signature over the raw body before anything is
     * parsed; SB_EUNAUTHORIZED when it does not verify. Fills info from headers. */
    sb_err (*verify_webhook)(const struct sb_channel *ch, const struct sb_webhook *wh,
                             struct sb_arena *a, struct sb_event_info *ret);
    /* SB_CH_WEBHOOKS. Parses an event body into an order. *ret NULL (and SB_OK) when the
     * event carries no order (the pipeline then fetches it by info->order_ref). */
    sb_err (*parse_event)(const struct sb_channel *ch, const char *topic, const char *body,
                          size_t len, struct sb_arena *a, struct sb_order **ret);
    /* SB_CH_POLL. Lists orders updated since cursor (NULL: from the channel's beginning of
     * time). */
    sb_err (*poll_orders)(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                          struct sb_order_page *ret);
    /* SB_CH_FETCH. One order by the channel's id for it. SB_EFORBIDDEN: the channel does
     * not show it to us (e.g. beyond what the app's access reaches): the event is not
     * applicable, logged with the message as the reason. */
    sb_err (*fetch_order)(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                          struct sb_order **ret);
    /* Required. Channel rules for downloading (paid only, invoiced only, ...). The reason
     * is a static string shown to staff. */
    enum sb_decision (*decide)(const struct sb_channel *ch, const struct sb_order *o,
                               const char **ret_reason);
    /* Required. The payment type name for a gateway (P1), and whether the gateway is
     * integrated; an unintegrated one leaves the sale unpaid (P3). */
    const char *(*payment_type)(const struct sb_channel *ch, const char *gateway,
                                bool *ret_integrated);
    /* SB_CH_AFTER_DOWNLOAD. Called once per order that came down as a new sale, after
     * that sale is durable: the engine queues the call in the import's own transaction
     * (the outbox) and the dispatcher makes it, retried with backoff, so an error here
     * never undoes the import. Idempotent on the channel's side (a retry after a lost
     * answer calls it again). */
    sb_err (*after_download)(const struct sb_channel *ch, const struct sb_after_download *d);
    /* SB_CH_AFTER_DOWNLOAD, optional: whether after_download has anything to do for this
     * order, judged from the order as it came down (Magento: only orders created under
     * auto-invoice and not invoiced yet), so that the others cost no outbox call. NULL:
     * every order. */
    bool (*wants_after_download)(const struct sb_channel *ch, const struct sb_order *o);
    /* SB_CH_FULFILL. */
    sb_err (*push_fulfillment)(const struct sb_channel *ch, const struct sb_fulfillment_push *f);
    /* SB_CH_CANCEL. */
    sb_err (*push_cancel)(const struct sb_channel *ch, const char *order_external_id,
                          const char *reason);
    /* SB_CH_REFUND. A return made in the POS on one of the channel's orders, when the
     * channel's "push_refunds" setting is on (refunds made on the channel come down with
     * their order, sb_order.refunds, and never go back). Through the outbox, as above. */
    sb_err (*push_refund)(const struct sb_channel *ch, const struct sb_refund_push *r);
    /* SB_CH_STATUS_OUT. A POS status change whose status table row travels out, when the
     * channel's "push_statuses" setting is on. Through the outbox, as above. */
    sb_err (*push_status)(const struct sb_channel *ch, const struct sb_status_push *s);
    /* SB_CH_EXPORT: the export model, where the webstore hands its orders over. The poller
     * asks for what is waiting (a page, as poll_orders; cursor as there), applies it in one
     * write, and then acknowledges each order it took (external ids), so the webstore
     * stops offering them; an order offered again after a lost acknowledgement is applied
     * idempotently (O2). A webstore that calls us instead plugs in as webhooks do
     * (docs/architecture.md, "Adding a channel kind"). */
    sb_err (*list_exported)(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                            struct sb_order_page *ret);
    sb_err (*acknowledge)(const struct sb_channel *ch, const char *const *external_ids, size_t n);
    /* SB_CH_STOCK, SB_CH_PRICES. Finds items by SKU, many per call; an unknown SKU leaves
     * its item_id NULL. */
    sb_err (*find_items)(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                         struct sb_arena *a);
    /* SB_CH_STOCK. Sets absolute available quantities, many per call. An error return
     * means nothing is known to have changed (retry them all); SB_OK with levels[i].error
     * set means the channel refused those levels, for that reason, and took the others. */
    sb_err (*push_stock)(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                         struct sb_arena *a);
    /* SB_CH_PRICES, the same way. */
    sb_err (*push_prices)(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                          struct sb_arena *a);
    /* SB_CH_STOCK. Reads the channel's stock a page at a time (I5); cursor NULL: from the
     * start. */
    sb_err (*read_stock)(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                         struct sb_stock_page *ret);
    /* SB_CH_STOCK_ALL. Reads the channel's whole stock at once (I5), for catalogues too
     * large to page through (Shopify: a bulk operation). Calls each() once per item with
     * its levels; the strings and arrays are valid only during the call, so each() copies
     * what it keeps. An error from each() stops the read and is returned. Any error means
     * the read is incomplete: the caller discards what it got. */
    sb_err (*read_stock_all)(const struct sb_channel *ch,
                             sb_err (*each)(void *ud, const struct sb_channel_stock *st), void *ud);
    /* SB_CH_CONNECT. Connects as an app does: checks the access the channel granted against
     * what its settings turn on, and puts right what the channel must do for us (Shopify:
     * its webhook subscriptions, made and repaired). Called through the outbox when a
     * channel is created or changed, by staff (POST /api/v1/channels/{id}/connect) and by
     * the poller from time to time; cheap when nothing is wrong. Keeps the outcome in its
     * state; *ret_report (a new reference, may be NULL) is what connection() then gives.
     * An error means the check itself could not be made. */
    sb_err (*connect)(const struct sb_channel *ch, json_t **ret_report);
    /* SB_CH_CONNECT. How the connection stands, as the adapter last saw it: a JSON object
     * (a new reference; served in sync-status as "connection"), NULL when nothing is known
     * yet (or the caller keeps no state). *ret_notice: a change since the last call to be
     * logged once (another API version answering), in the arena, else NULL. */
    json_t *(*connection)(const struct sb_channel *ch, struct sb_arena *a, const char **ret_notice);
};

/* channel/kinds.c: the table of kinds. */
extern const struct sb_channel_ops sb_channel_shopify;
extern const struct sb_channel_ops sb_channel_magento2;
extern const struct sb_channel_ops sb_channel_ecwid;
extern const struct sb_channel_ops sb_channel_ecom;
extern const struct sb_channel_ops sb_channel_export;

/* The ops for a kind, or NULL when stockbridge has no adapter for it. */
const struct sb_channel_ops *sb_channel_ops_for(const char *kind);
/* Every kind, the table's and the one registered (tests), for listing them; *ret_n set. */
const struct sb_channel_ops *const *sb_channel_kinds(size_t *ret_n);

/*
 * Holds every kind to its capability bits: a bit without its operations (or data), an
 * operation without its bit, a missing required operation, state without open and close,
 * a status table out of step with the status bits, a setting it needs undescribed, or a
 * description that does not hold together (a default its own check refuses, a kind
 * setting named as a common one): SB_EINTERNAL naming the kind and what is wrong.
 * `stockbridge serve` refuses to start on it.
 */
sb_err sb_channel_kind_check(const struct sb_channel_ops *ops);
sb_err sb_channel_kinds_check(void);

/*
 * Adds a kind beside the built-in ones: sb_channel_ops_for(ops->kind) answers it from now
 * on (before the table, so it may also stand in for a built-in kind). The hook through
 * which tests install an in-process kind that answers from memory and fails or stalls on
 * demand (tests/fault-channel.c); nothing in the program itself calls it. One at a time
 * (a second call replaces the first); call it before any thread looks a kind up.
 */
void sb_channel_register(const struct sb_channel_ops *ops);

/* The POS status's name ("paid", "shipped", ...) and back; false for an unknown name. */
const char *sb_pos_status_name(enum sb_pos_status s);
bool sb_pos_status_parse(const char *name, enum sb_pos_status *ret);
/* The kind's status table row for a raw channel status coming in, for a pickup or a
 * shipped order, or NULL. */
const struct sb_status_map *sb_channel_status_in(const struct sb_channel_ops *ops,
                                                 const char *channel_status, bool pickup);
/* ... and for a POS status travelling out, or NULL (it does not travel). */
const struct sb_status_map *sb_channel_status_out(const struct sb_channel_ops *ops,
                                                  enum sb_pos_status pos, bool pickup);

/* The setting `name` as it was in force at unix time `at` (M5: Magento's download mode is
 * judged as it was when the order was created): from the newest entry of the channel's
 * settings history that began at or before `at` (the oldest one for a time before the
 * channel's first), else today's ch->settings. Borrowed; NULL when the setting is unknown. */
json_t *sb_channel_setting_at(const struct sb_channel *ch, const char *name, int64_t at);

/* Adds the kind's settings that settings (an object) lacks, at their defaults: a setting
 * added to a kind later has one, as the common ones do. */
sb_err sb_channel_kind_fill_settings(const struct sb_channel_ops *ops, json_t *settings);

/* The kind's descriptions served by GET /api/v1/channel-kinds: {kind, label, capabilities
 * [names], credentials [fields], settings [the common ones, then the kind's], statuses
 * [{channel, pos, direction}]}. NULL when out of memory. */
json_t *sb_channel_kind_describe(const struct sb_channel_ops *ops);

#endif
