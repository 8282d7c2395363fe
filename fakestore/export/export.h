/*
 * The simulated export-model webstore behind `stockbridge-fakestore --kind
 * export`: a SmartEtailing-style Site Manager, the ACTIVE side. It serves no
 * store API; it calls stockbridge's connection API (docs/channels/export.md)
 * with libcurl: it connects with POS credentials and completes the
 * connection from GET /connection/choices, reads the catalogue and follows
 * its change feed, keeps its own orders (held while a balance is due) and
 * exports them, records refunds on both sides. The control API under /_fake/
 * drives it (docs/fakestore.md, "The export-model store"). main.c owns the
 * process. The model is one struct xp_site guarded by its one mutex (s->mu);
 * no call to the POS is made with it held. The files:
 *   site.c       the site: create and free, the connection (connect, map the
 *                locations, complete it), its state as JSON
 *   client.c     the POS client: one exchange with the connection API, its
 *                traffic log line, 429 and 401 connection_retired noted
 *   catalogue.c  the site's copy of the POS catalogue: the full read, the
 *                change feed with its cursor and ETag
 *   orders.c     the site's orders: placed, paid, fulfilled, captured
 *                offline, exported (one or a batch), their status, refunds
 *   control.c    the /_fake/ control API
 *   demo.c       the timer: connect with backoff, refresh every
 *                --refresh-seconds; and a random order for demo mode
 * Amounts are int64 minor units of the site's currency.
 */
#ifndef SB_FAKESTORE_EXPORT_H
#define SB_FAKESTORE_EXPORT_H

#include "util/err.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- the process's view */

struct fs_xp_config {
    const char *pos_url;      /* e.g. http://127.0.0.1:8080 (required) */
    const char *pos_username; /* required */
    const char *pos_password; /* required */
    const char *webstore_id;  /* default "fakestore-site" */
    const char *site_name;    /* NULL: the POS names it */
    const char *locations;    /* "L1:Main St,L2:Warehouse" (default "L1:Main St") */
    int64_t refresh_seconds;  /* 0: only on request */
    bool auto_export;
    const char *export_status; /* NULL: "No Change" */
    const char *traffic_log;   /* NULL: none */
    const char *traffic_dir;   /* NULL: none; else also <dir>/<pid>.jsonl */
    /* when to connect: XP_CONNECT_START (once, at start), XP_CONNECT_RETRY (at start, again
     * with backoff until it works: make demo), XP_CONNECT_REQUEST (only on POST /_fake/connect) */
    int connect;
};

struct fs_xp_request {
    const char *method;
    const char *path;  /* without the query string */
    const char *query; /* raw, "" when none */
    const char *body;
    size_t body_len;
};

struct fs_xp_response {
    int status;
    char *body; /* malloc'd; NULL for none */
};

struct xp_site;

sb_err fs_xp_new(const struct fs_xp_config *cfg, struct xp_site **ret);
/* Starts the timer thread (connects at once). Without the lock. */
sb_err fs_xp_start(struct xp_site *s);
void fs_xp_free(struct xp_site *s); /* accepts NULL; stops the timer */
/* A product the site sells (for demo orders before the POS catalogue is read). */
sb_err fs_xp_add_product(struct xp_site *s, const char *sku, const char *name, int64_t price);
size_t fs_xp_product_count(struct xp_site *s);
void fs_xp_handle(struct xp_site *s, const struct fs_xp_request *req, struct fs_xp_response *r);
sb_err fs_xp_demo_order(struct xp_site *s, uint64_t *rng); /* without the lock */

/* ---------------------------------------------------------------- the model */

#define XP_STR        256
#define XP_MAX_ORDERS 100000
#define XP_MAX_LOC    32
#define XP_BATCH      100

enum {
    XP_CONNECT_START,
    XP_CONNECT_RETRY,
    XP_CONNECT_REQUEST
};

struct xp_location {
    char id[XP_STR], name[XP_STR];
};

struct xp_order {
    char id[64], number[80], created_at[32];
    char email[XP_STR], location_id[XP_STR];
    char status[XP_STR]; /* the site's own status */
    int64_t total;
    json_t *lines;    /* [{sku, title, quantity, unit_price, fulfilled}] */
    json_t *shipping; /* {title, price} or NULL */
    json_t *payments; /* [{method, amount, reference?, captured, offline?}] */
    json_t *ship_to;  /* or NULL */
    json_t *result;   /* the POS's last answer: {outcome, sale_id?, error?} or NULL */
    json_t *refunds;  /* [{refund_id, lines, amount, sent, pos_status, pos}] */
    int exports;      /* how many times it was sent */
    bool exported;    /* the POS holds it (created or existing) */
    bool exporting;   /* a send is under way */
};

struct xp_site {
    pthread_mutex_t mu;
    /* configuration */
    char pos_url[XP_STR], username[XP_STR], password[XP_STR], webstore_id[XP_STR];
    char site_name[XP_STR], export_status[XP_STR];
    struct xp_location locations[XP_MAX_LOC];
    size_t n_locations;
    int64_t refresh_seconds;
    bool auto_export;
    int connect;
    int log_fd[2];
    pthread_mutex_t log_mu;
    /* the connection */
    char state[32]; /* disconnected, connecting, connected, failed, retired */
    char token[128];
    char retired_reason[512];
    int64_t channel_id;
    bool ready;
    json_t *not_ready;  /* reasons */
    json_t *last_error; /* {status, code, message, retry_after?, during} or NULL */
    json_t *choices;    /* GET /connection/choices */
    json_t *mapping;    /* what the control API asked for: {locations, employee_id, ...} */
    json_t *patched;    /* the connection as the PATCH answered */
    int64_t connects;   /* connections made */
    /* the catalogue */
    json_t *items;      /* sku -> the item as the POS sent it */
    json_t *incomplete; /* sku -> the entry */
    char currency[4];
    char *feed_cursor, *feed_etag;
    int64_t last_refresh, refreshes, not_modified, resets, retry_until;
    json_t *products; /* the site's own: [{sku, name, price}] */
    /* the orders */
    struct xp_order **orders;
    size_t n_orders, cap_orders;
    int64_t next_order;
    /* the timer */
    pthread_t timer;
    bool timer_running, stopping, refresh_now;
    pthread_cond_t wake;
};

/* One answer of the POS. */
struct xp_reply {
    long status;  /* 0: no answer (the network) */
    json_t *body; /* parsed, or NULL */
    char retry_after[16], etag[128];
    char error[256]; /* curl's, when status is 0 */
};

/* site.c */
/* Connects (POST /connection), maps and completes the connection, reads the catalogue.
 * Without the lock. Returns false when it did not connect (the state says why). */
bool xp_connect(struct xp_site *s);
json_t *xp_state_json(struct xp_site *s); /* with the lock */
/* The token to call with, copied under the lock; false when not connected. */
bool xp_token(struct xp_site *s, char *out, size_t cap);
/* Notes an answer that retired the connection (401 connection_retired), during: what the
 * site was doing ("export", "refresh", ...). With the lock. */
void xp_note_retired(struct xp_site *s, const struct xp_reply *rep, const char *during);
/* An error answer kept in the state (last_error). With the lock. */
void xp_note_error(struct xp_site *s, const struct xp_reply *rep, const char *during);
bool xp_is_retired(const struct xp_reply *rep);

/* client.c */
/* One exchange: method path?query with body (may be NULL; not stolen), the token (NULL:
 * none), if_none_match (NULL: none). Without the lock. */
void xp_call(struct xp_site *s, const char *method, const char *path, const char *query,
             json_t *body, const char *token, const char *if_none_match, struct xp_reply *rep);
void xp_reply_free(struct xp_reply *rep);
const char *xp_error_code(const struct xp_reply *rep); /* "" when none */
const char *xp_error_message(const struct xp_reply *rep);

/* catalogue.c */
/* The full read, all pages; without the lock. False on a failure (noted in the state). */
bool xp_catalogue_read(struct xp_site *s);
/* The change feed from the cursor (a full read on reset or without a cursor); without
 * the lock. */
bool xp_catalogue_refresh(struct xp_site *s);
json_t *xp_catalogue_json(struct xp_site *s); /* with the lock */

/* orders.c */
/* Places an order from the control API's body (with the lock); SB_EINVALID_FIELD with a
 * message when the body is wrong. */
sb_err xp_order_place(struct xp_site *s, json_t *body, struct xp_order **ret);
struct xp_order *xp_order_find(struct xp_site *s, const char *id);
int64_t xp_order_due(const struct xp_order *o); /* total less captured payments */
bool xp_order_fulfilled(const struct xp_order *o);
json_t *xp_order_json(struct xp_site *s, const struct xp_order *o);
void xp_order_free(struct xp_order *o);
/* Exports the orders (ids; at most XP_BATCH) in one request; force sends a held one too.
 * Without the lock. *ret: {"results": [...]} of what happened to each, or the error. */
int xp_export(struct xp_site *s, const char *const *ids, size_t n, bool force, json_t **ret);
/* Exports the order if auto-export is on and it is balanced, fulfilled and not yet
 * exported. Without the lock. */
void xp_auto_export(struct xp_site *s, const char *id);
/* A refund recorded on the site and, when send, at the POS. Without the lock. */
int xp_refund(struct xp_site *s, const char *id, json_t *body, json_t **ret);

/* control.c */
void xp_control(struct xp_site *s, const struct fs_xp_request *req, struct fs_xp_response *r);

#endif
