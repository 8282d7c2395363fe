/*
 * Notifications for staff, each for one outlet (SPEC N1-N3), read per user.
 */
#ifndef SB_STORE_NOTIFICATIONS_H
#define SB_STORE_NOTIFICATIONS_H

#include "core/scope.h"
#include "store/db.h"

struct sb_notification {
    int64_t outlet_id;
    const char *kind;  /* "fulfillment.new", ... */
    const char *title; /* one line for the bell */
    const char *body;  /* may be NULL */
    int64_t sale_id, fulfillment_id, item_id; /* 0: none */
};

/* Inside the caller's transaction. */
sb_err sb_store_notification_create(struct sb_db *db, const struct sb_notification *n,
                                    int64_t *ret_id);

#endif
