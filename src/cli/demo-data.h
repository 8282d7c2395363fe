/*
 * The demo store: everything a newcomer needs to try stockbridge, written
 * through the same store functions as the API uses.
 */
#ifndef SB_DEMO_DATA_H
#define SB_DEMO_DATA_H

#include "store/db.h"
#include "util/secret.h"

#include <stdbool.h>

#define SB_DEMO_ITEMS    50
#define SB_DEMO_CURRENCY "USD" /* the outlets', the catalogue's and the demo shop's */
/* The admin's demo password (the web app's sign-in; the export-model site connects with it). */
#define SB_DEMO_ADMIN_PASSWORD "admin-demo"

/* Creates the demo store in an empty database (SB_ECONFLICT when it already has outlets). */
sb_err sb_demo_seed(struct sb_db *db);
/* The 50-item catalogue as CSV (sku, name, ..., price:Default), amounts in the decimals of
 * SB_DEMO_CURRENCY, for the fakestore too.
 * Returns its length; 0 when cap is too small. */
size_t sb_demo_catalogue_csv(char *buf, size_t cap);

/* The demo's Shopify channel, linked to both outlets, whose shop is the fakestore at
 * shop_url; created on first use. Returns its id, access token and webhook secret (in
 * out buffers of 64 bytes). */
sb_err sb_demo_channel(struct sb_db *db, const char *shop_url, int64_t *ret_id, char token[64],
                       char secret[64]);

/* The demo's Magento 2 channel (issue 12), its store the fakestore at store_url (--kind
 * magento2): both outlets, the store's "default" source linked to the first, auto-invoice,
 * polled every minute; created on first use. Returns its id and access token (64 bytes). */
sb_err sb_demo_magento_channel(struct sb_db *db, const char *store_url, int64_t *ret_id,
                               char token[64]);

/* The demo's Ecwid store (kind "ecwid", issue 13) and native eCom store (kind "ecom"), both
 * on Ecwid's wire, each a fakestore (--kind ecwid) at store_url serving store_id. */
struct sb_demo_ecwid {
    const char *kind;      /* "ecwid" or "ecom" */
    const char *name;      /* the channel's name: it is found by it on the next run */
    const char *store_url; /* http://HOST:PORT of the fakestore */
    const char *store_id;  /* its --store-id */
    bool statuses;         /* the kind's statuses travel out (ecom: push_statuses on, and no
                            * auto_fulfillment: it takes statuses, not fulfillment calls) */
};
/* The channel, created on first use: both outlets, the first outlet's register (W4) and the
 * first employee, polled every minute. Returns its id, API token (secret_...) and client
 * secret (the webhook signing key), in out buffers of 64 bytes. */
sb_err sb_demo_ecwid_channel(struct sb_db *db, const struct sb_demo_ecwid *d, int64_t *ret_id,
                             char token[64], char secret[64]);

/* A fresh bearer token for the demo's admin user. */
sb_err sb_demo_admin_token(struct sb_db *db, char out[SB_TOKEN_LEN]);

#endif
