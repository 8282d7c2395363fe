/*
 * The channel interface: one const struct of function pointers per kind of
 * webstore (shopify.c now; magento2.c, ecwid.c, export.c, ecom.c next), the
 * way curl plugs in TLS backends. The pipeline and the dispatcher test
 * capability bits and never ask which kind they are talking to.
 *
 * A channel at run time is its record (settings, linked outlets) plus its
 * decrypted credentials. Adapters are stateless: every call gets the channel.
 */
#ifndef SB_CHANNEL_H
#define SB_CHANNEL_H

#include "channel/order.h"
#include "util/arena.h"
#include "util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a kind can do. The engine (src/sync) goes by these bits alone, never by which
 * function pointers are set: a bit promises the operations named beside it. */
enum {
    SB_CH_WEBHOOKS = 1 << 0,  /* pushes events to POST /webhooks/{channel_id} */
    SB_CH_POLL = 1 << 1,      /* orders can be listed by update time: poll_orders */
    SB_CH_LOCATIONS = 1 << 2, /* stock is kept per channel location (SP3) */
    SB_CH_FULFILL = 1 << 3,   /* accepts fulfillments with tracking (S3): push_fulfillment */
    SB_CH_CANCEL = 1 << 4,    /* accepts cancellations (S1): push_cancel */
    SB_CH_STOCK = 1 << 5,     /* accepts stock levels (I1-I9): find_items, push_stock,
                               * read_stock (read_stock_all optional), push_batch */
    SB_CH_PRICES = 1 << 6,    /* accepts prices (PR1-PR4): find_items, push_prices */
};

/* A channel as adapters see it. */
struct sb_channel {
    int64_t id;
    const char *kind;
    const char *name;
    json_t *settings;     /* the record's settings object (borrowed) */
    json_t *credentials;  /* decrypted credentials object (borrowed): never log it */
    const char *base_url; /* where its API lives (credentials "base_url", or the shop's) */
    const char *currency; /* ISO 4217 code of the POS amounts it is sent (prices): its
                           * default outlet's currency, else its first outlet's, else USD */
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

/* One page of orders changed since a cursor. */
/* An order a poll saw but could not read: kept out, and shown with why (O10). */
struct sb_order_unreadable {
    const char *external_id;
    const char *reason;
};

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

/* An item as the channel knows it, found by SKU (SB_CH_STOCK): what stock and price
 * pushes address. */
struct sb_channel_item {
    const char *sku;         /* in */
    const char *item_id;     /* out: the channel's id for the item's stock (Shopify: the
                              * InventoryItem gid); NULL when the channel has no such SKU */
    const char *variant_id;  /* out: for prices (Shopify: the ProductVariant gid), or NULL */
    const char *product_id;  /* out: the product the variant belongs to, or NULL */
    const char *location_id; /* out: the one location the item is stocked at, NULL when it
                              * is stocked at several (then locations must be linked) */
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

/* A status change to report (the channel's status tables, SPEC 8-9). */
struct sb_status_push {
    const char *order_external_id;
    const char *status; /* channel-neutral: "paid", "packed", "picked_up", ... */
};

struct sb_channel_ops {
    const char *kind;
    unsigned caps;
    /* The most stock or price changes one push sends (SB_CH_STOCK, SB_CH_PRICES): the
     * stock lane takes this many due rows of a channel at a time. 0 counts as 1. */
    size_t push_batch;
    /* Checks the webhook's signature over the raw body before anything is parsed;
     * SB_EUNAUTHORIZED when it does not verify. Fills info from headers. */
    sb_err (*verify_webhook)(const struct sb_channel *ch, const struct sb_webhook *wh,
                             struct sb_arena *a, struct sb_event_info *ret);
    /* Parses an event body into an order. *ret NULL (and SB_OK) when the event
     * carries no order (the pipeline then fetches it by info->order_ref). */
    sb_err (*parse_event)(const struct sb_channel *ch, const char *topic, const char *body,
                          size_t len, struct sb_arena *a, struct sb_order **ret);
    /* Lists orders updated since cursor (NULL: from the channel's beginning of time). */
    sb_err (*poll_orders)(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                          struct sb_order_page *ret);
    sb_err (*fetch_order)(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                          struct sb_order **ret);
    /* Channel rules for downloading (paid only, invoiced only, ...). The reason is a
     * static string shown to staff. NULL: download everything not cancelled. */
    enum sb_decision (*decide)(const struct sb_channel *ch, const struct sb_order *o,
                               const char **ret_reason);
    /* The payment type name for a gateway (P1), and whether the gateway is
     * integrated; an unintegrated one leaves the sale unpaid (P3). */
    const char *(*payment_type)(const struct sb_channel *ch, const char *gateway,
                                bool *ret_integrated);
    sb_err (*push_fulfillment)(const struct sb_channel *ch, const struct sb_fulfillment_push *f);
    sb_err (*push_cancel)(const struct sb_channel *ch, const char *order_external_id,
                          const char *reason);
    /* Stock sync (SB_CH_STOCK). Finds items by SKU, many per call; an unknown SKU leaves
     * its item_id NULL. */
    sb_err (*find_items)(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                         struct sb_arena *a);
    /* Sets absolute available quantities, many per call. An error return means nothing is
     * known to have changed (retry them all); SB_OK with levels[i].error set means the
     * channel refused those levels, for that reason, and took the others. */
    sb_err (*push_stock)(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                         struct sb_arena *a);
    /* Prices (SB_CH_PRICES), the same way. */
    sb_err (*push_prices)(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                          struct sb_arena *a);
    /* Reads the channel's stock a page at a time (I5); cursor NULL: from the start. */
    sb_err (*read_stock)(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                         struct sb_stock_page *ret);
    /* Reads the channel's whole stock at once (I5), for catalogues too large to page
     * through (Shopify: a bulk operation); optional, NULL when the channel has none. Calls
     * each() once per item with its levels; the strings and arrays are valid only during
     * the call, so each() copies what it keeps. An error from each() stops the read and is
     * returned. Any error means the read is incomplete: the caller discards what it got. */
    sb_err (*read_stock_all)(const struct sb_channel *ch,
                             sb_err (*each)(void *ud, const struct sb_channel_stock *st), void *ud);
    /* Other status changes that travel to the channel (paid, packed/ready for pickup). */
    sb_err (*push_status)(const struct sb_channel *ch, const struct sb_status_push *s);
};

extern const struct sb_channel_ops sb_channel_shopify;

/* The ops for a kind, or NULL when stockbridge has no adapter for it. */
const struct sb_channel_ops *sb_channel_ops_for(const char *kind);

/*
 * Puts an adapter in front of the built-in ones: sb_channel_ops_for(ops->kind)
 * answers it from now on, so it may stand in for a built-in kind. The hook
 * through which tests install an in-process adapter that fails or stalls on
 * demand (tests/fault-channel.c); nothing in the program itself calls it.
 * One at a time (a second call replaces the first); call it before any
 * thread looks an adapter up.
 */
void sb_channel_register(const struct sb_channel_ops *ops);

#endif
