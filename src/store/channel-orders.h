/*
 * The channel_orders record (portable SQL): every web order the engine has
 * seen on a channel, with its state (downloaded, waiting, skipped) and why
 * (O10), the version last applied (O3: an older one never overwrites it), the
 * sale it became, and a digest of the details staff may also edit.
 */
#ifndef SB_STORE_CHANNEL_ORDERS_H
#define SB_STORE_CHANNEL_ORDERS_H

#include "core/scope.h"
#include "store/db.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* What is known of an order; state "" when it was never seen. */
struct sb_channel_order_state {
    char state[16];
    char version[SB_TIME_LEN]; /* ISO 8601 UTC */
    int64_t sale_id;           /* 0: none */
    char details[24];          /* "" when not kept */
    char reason[256];          /* why it waits or was skipped, "" when none */
    char channel_status[72];   /* the raw status last recorded, "" when none */
};
sb_err sb_store_channel_order_get(struct sb_db *db, int64_t channel_id, const char *external_id,
                                  struct sb_channel_order_state *ret);

/* A version applied: the record inserted or brought up to it. */
struct sb_channel_order_rec {
    int64_t channel_id;
    const char *external_id, *number;
    const char *state, *reason; /* reason may be NULL */
    const char *version;
    const char *financial_status, *fulfillment_status;
    bool cancelled;
    int64_t sale_id; /* 0: keeps the one recorded */
    int64_t total;
    const char *currency;
    const char *details;        /* NULL: keeps the one recorded */
    const char *channel_status; /* the order's raw status on the channel; may be NULL */
    const char *now;
};
sb_err sb_store_channel_order_record(struct sb_db *db, const struct sb_channel_order_rec *r);

/* An order a poll saw but could not read (O10): a new one waits with the reason; one
 * already downloaded or skipped keeps its state and reason. */
sb_err sb_store_channel_order_unreadable(struct sb_db *db, int64_t channel_id,
                                         const char *external_id, const char *reason,
                                         const char *now);

#define SB_CHANNEL_ORDER_Q_MAX 200

/* Which of a channel's orders to list: NULLs and false for all, oldest first. */
struct sb_channel_order_filter {
    const char *state;
    const char *q; /* T2: the order's number (with or without its '#') or its id */
    bool newest_first;
};

/* Web orders seen on a channel (O10), after an id in the filter's order (after 0: from
 * the start). A channel the caller cannot see is SB_ENOT_FOUND: admins see every
 * channel, others the channels linked to at least one of their outlets. */
sb_err sb_store_channel_orders(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                               const struct sb_channel_order_filter *f, int64_t after,
                               int64_t limit, json_t **ret);

#endif
