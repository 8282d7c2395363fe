/*
 * The simulated Shopify shop behind stockbridge-fakestore. main.c owns the
 * process (flags, the HTTP listener, signals, demo timer); this interface is
 * the shop itself: state in memory, the Admin GraphQL operations of the
 * engine's contract, the /_fake/ control API and webhook delivery. Requests
 * come in as plain method/path/headers/body and go out as status/body, so
 * the shop knows nothing of libmicrohttpd.
 */
#ifndef SB_FAKESTORE_SHOPIFY_H
#define SB_FAKESTORE_SHOPIFY_H

#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_API_VERSION "2026-10"     /* the webhooks' version: the app's (the adapter's) */
#define FS_BODY_MAX    (1024 * 1024) /* bytes in one request body */
/* 2^53 + 1: the lowest first order id, so that an engine that reads ids through a double
 * fails. */
#define FS_ID_BASE ((int64_t)9007199254740993)

struct fs_config {
    const char *token;       /* X-Shopify-Access-Token the GraphQL endpoint accepts */
    const char *secret;      /* webhook HMAC key */
    const char *webhook_url; /* NULL: none until POST /_fake/config sets one */
    const char *shop_domain;
    double budget;        /* cost bucket size (maximumAvailable) */
    double restore;       /* points restored per second (restoreRate) */
    int64_t id_base;      /* the first order id; 0: FS_ID_BASE */
    const char *plan;     /* the preset budget and restore came from (fs_plan_find), or NULL */
    const char *currency; /* the shop's ISO 4217 currency; NULL: USD */
};

struct fs_request {
    const char *method;
    const char *path; /* without the query string */
    const char *content_type;
    const char *token; /* X-Shopify-Access-Token, NULL when absent */
    const char *host;  /* the Host header, NULL when absent (for URLs the shop hands out) */
    const char *body;
    size_t body_len;
    /* A query-string argument (?sku=X), NULL when absent; arg may be NULL. */
    const char *(*arg)(const struct fs_request *req, const char *name);
    void *conn; /* the listener's connection, for arg */
};

struct fs_response {
    int status;
    char *body;           /* malloc'd JSON text (the caller frees it); NULL for none */
    char retry_after[16]; /* "" when the answer carries no Retry-After */
    bool cut;             /* close the connection without answering (a fault) */
    /* A body too large to hold, made as it is sent (status 200, chunked), instead of body:
     * read() fills buf with at most max bytes and returns how many, 0 at the end, or -1 to
     * close the connection there (a fault); done(ud) is called once, however it ended. */
    long (*read)(void *ud, char *buf, size_t max);
    void (*done)(void *ud);
    void *ud;
    const char *content_type; /* NULL: JSON */
    char api_version[16];     /* X-Shopify-API-Version; "" for none (app.c) */
};

struct fs_shop;

sb_err fs_shop_new(const struct fs_config *cfg, struct fs_shop **ret);
/* Stops the webhook worker (pending deliveries are recorded as failed) and frees everything.
 * Call after the HTTP listener has stopped. Accepts NULL. */
void fs_shop_free(struct fs_shop *shop);

/* Adds a product with one variant and an inventory item at the location. price in minor
 * units of the shop's currency; title and barcode may be NULL. SB_EDUPLICATE when the SKU
 * exists. */
sb_err fs_shop_add_product(struct fs_shop *shop, const char *sku, const char *title, int64_t price,
                           const char *barcode);
size_t fs_shop_product_count(struct fs_shop *shop);

/* A plan preset of the GraphQL cost bucket ("standard", "advanced", "plus"): its size and
 * restore rate, and the name's static copy. False for an unknown name. */
bool fs_plan_find(const char *name, double *ret_budget, double *ret_restore, const char **ret_name);

/* Answers one request; thread-safe. */
void fs_shop_handle(struct fs_shop *shop, const struct fs_request *req, struct fs_response *resp);

/* Places one random order from the catalogue (demo mode), webhooks delivered before it
 * returns. rng is the caller's xorshift state (never 0). */
sb_err fs_shop_demo_order(struct fs_shop *shop, uint64_t *rng);

#endif
