/*
 * What a merchant can set on every channel, whatever its kind (SPEC N3, S3,
 * S4, I4, I7, PR1-PR3): each setting described once as data (util/fields.h:
 * type, bounds, default, label and help) in the order records show them,
 * beside the typed struct the engine reads. A kind adds its own settings in
 * its adapter's descriptions (channel/channel.h); the settings of a channel
 * are these plus its kind's. The JSON side is the store's (settings as
 * stored: store/channel-settings.h) and the sync layer's (checked against
 * the descriptions: sync/channel-edit.c).
 */
#ifndef SB_CHANNEL_SETTINGS_H
#define SB_CHANNEL_SETTINGS_H

#include "util/err.h"
#include "util/fields.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_POLL_INTERVAL_MIN     60
#define SB_POLL_INTERVAL_MAX     86400
#define SB_POLL_INTERVAL_DEFAULT 300
#define SB_EMAIL_RECIPIENTS_MAX  1000 /* bytes of the N4 recipients list */
#define SB_EMAIL_RECIPIENTS_N    20   /* addresses in it */

struct sb_channel_settings {
    bool notifications;     /* N3: a notification per new web order (default on) */
    bool auto_fulfillment;  /* S3: a POS shipment marked shipped fulfils the order (on) */
    bool take_fulfillments; /* S4: a fulfillment on the channel marks the POS shipped (off) */
    bool stock_sync;        /* I4: stock goes to the channel (on) */
    bool use_pos_pricing;   /* PR1: prices go to the channel (off) */
    bool download_orders;   /* orders come down at all (on) */
    int64_t regular_price_level_id; /* PR2: required when use_pos_pricing; 0 = none */
    int64_t sale_price_level_id;    /* PR2: optional; 0 = none */
    int64_t poll_interval_seconds;  /* 60..86400, default 300 */
    /* I7: which items the channel publishes: on hand > 0 (on), on order > 0 (off),
     * a reorder point or maximum level > 0 (off); any filter that is on publishes */
    bool publish_on_hand, publish_on_order, publish_reorder;
    /* PR3: the sale price level shows from sale_starts_at (none: never) until
     * sale_ends_at (none: open-ended); Unix seconds, 0 = none */
    int64_t sale_starts_at, sale_ends_at;
    /* N4: each new web order is also emailed to these addresses (comma-separated; off by
     * default), through the outbox */
    bool email_new_orders;
    char email_recipients[SB_EMAIL_RECIPIENTS_MAX + 1]; /* "" when none */
};

/* The common settings' descriptions, NULL-name-terminated, in the order records show them:
 * BOOL (a bool member), INT and REF (int64_t), TIME (int64_t Unix seconds, 0: none), TEXT
 * (a char array of max + 1 bytes, "": none). */
extern const struct sb_field sb_channel_common_settings[];
/* Where struct sb_channel_settings keeps the i-th of them. */
size_t sb_channel_setting_offset(size_t i);

/*
 * Settings a kind describes among its own when it has the capability that needs them
 * (channel/channel.h; sb_channel_kind_check holds kinds to it), named here because the
 * store's actions read them too: the return and fulfillment rules queue a channel's call
 * only when its setting is on (store/outbox-queue.h), and the sync layer imports orders as
 * sales, customer orders or invoices by the last three (SPEC M6).
 */
#define SB_CHANNEL_PUSH_REFUNDS  "push_refunds"  /* bool (SB_CH_REFUND) */
#define SB_CHANNEL_PUSH_STATUSES "push_statuses" /* bool (SB_CH_STATUS_OUT) */
/* M6: "sale", "order" (a customer order, core/customer-order.h) or "invoice" (SB_CH_RESERVE:
 * a kind offers sale and order at least) */
#define SB_CHANNEL_IMPORT_AS "import_as"
/* M6, I6: an order's lines reserve their stock (bool, SB_CH_RESERVE; on by default) */
#define SB_CHANNEL_RESERVE_STOCK "reserve_order_inventory"
/* M6: the amount paid is a deposit on the order (bool, SB_CH_RESERVE; off by default) */
#define SB_CHANNEL_ORDER_DEPOSITS "create_order_deposits"

/* N4: splits a recipients list ("a@x.com, b@y.org") into its addresses, each checked as a
 * plain addr-spec (local@domain, printable ASCII without spaces, quotes, angle brackets or
 * commas: nothing that could end a mail header or add a recipient); at most cap. Returns
 * how many, or SB_EINVALID_FIELD naming the bad one. out[i] point into buf (a copy). */
sb_err sb_email_list_split(const char *list, char *buf, size_t buf_cap, const char **out,
                           size_t cap, size_t *ret_n);

/* Every setting at its described default. */
void sb_channel_settings_defaults(struct sb_channel_settings *s);

/* Rules across settings (PR2): a regular price level when POS pricing is on; a sale
 * that ends after it starts (PR3). The price levels' existence is the store's to check. */
sb_err sb_channel_settings_check(const struct sb_channel_settings *s);

#endif
