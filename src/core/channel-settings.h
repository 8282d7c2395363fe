/*
 * What a merchant can set per channel, and what each kind of channel needs
 * as credentials. Plain data and rules: the JSON side (defaults filled in,
 * unknown names refused) is in store/channels.c, which holds this header's
 * code too.
 */
#ifndef SB_CHANNEL_SETTINGS_H
#define SB_CHANNEL_SETTINGS_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_POLL_INTERVAL_MIN     60
#define SB_POLL_INTERVAL_MAX     86400
#define SB_POLL_INTERVAL_DEFAULT 300

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
};

void sb_channel_settings_defaults(struct sb_channel_settings *s);

/* Rules across settings (PR2): a regular price level when POS pricing is on; a sale
 * that ends after it starts (PR3). The price levels' existence is the store's to check. */
sb_err sb_channel_settings_check(const struct sb_channel_settings *s);

/* A credential a kind of channel needs. */
enum sb_credential_type {
    SB_CRED_SECRET, /* any non-empty text (tokens, secrets) */
    SB_CRED_HOST,   /* a host name: "shop.myshopify.com" */
    SB_CRED_URL,    /* "http://..." or "https://..." with a host */
};

struct sb_credential_field {
    const char *name;
    enum sb_credential_type type;
    bool required;
};

/* The credential fields of a kind, ending with a NULL name; NULL for an unknown kind.
 * A table, so that a new kind adds rows and no code branches on the kind. */
const struct sb_credential_field *sb_channel_credential_fields(const char *kind);

/* Checks one credential value against its type; SB_EINVALID_FIELD naming field. */
sb_err sb_credential_check(const struct sb_credential_field *f, const char *value,
                           const char *field);

#endif
