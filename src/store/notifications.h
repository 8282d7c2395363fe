/*
 * Notifications for staff, each for one outlet (SPEC N1-N3), read per user.
 * A user sees the notifications of the outlets they have access to (N2);
 * whether one is read is recorded per user, so one person reading it does
 * not hide it from a colleague.
 */
#ifndef SB_STORE_NOTIFICATIONS_H
#define SB_STORE_NOTIFICATIONS_H

#include "core/scope.h"
#include "store/db.h"

struct sb_notification {
    int64_t outlet_id;
    const char *kind;                         /* "fulfillment.new", ... */
    const char *title;                        /* one line for the bell */
    const char *body;                         /* may be NULL */
    int64_t sale_id, fulfillment_id, item_id; /* 0: none */
};

/* Inside the caller's transaction. */
sb_err sb_store_notification_create(struct sb_db *db, const struct sb_notification *n,
                                    int64_t *ret_id);

/* The caller's notifications, newest first: before is an id (0: from the newest), so the
 * keyset runs downwards. Each row carries "read" (bool) and "read_at" for this user. */
sb_err sb_store_notification_list(struct sb_db *db, const struct sb_scope *scope, bool unread_only,
                                  int64_t before, int64_t limit, json_t **ret);
/* The caller's notifications with an id above after, oldest first (a stream's next events),
 * at most limit, each as in the list. */
sb_err sb_store_notification_since(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                                   int64_t limit, json_t **ret);
/* The newest notification's id, whoever may see it (0: none): where a new stream starts, and
 * what a node looks at to learn that another node raised one. */
sb_err sb_store_notification_last_id(struct sb_db *db, int64_t *ret);
/* How many visible notifications this user has not read. */
sb_err sb_store_notification_unread_count(struct sb_db *db, const struct sb_scope *scope,
                                          int64_t *ret);
/* One visible notification as in the list; another outlet's is SB_ENOT_FOUND. */
sb_err sb_store_notification_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 json_t **ret);
/* Marks one read for this user (idempotent: the first read time is kept). */
sb_err sb_store_notification_read(struct sb_db *db, const struct sb_scope *scope, int64_t id);
/* Marks every visible unread one read; *ret_marked says how many. */
sb_err sb_store_notification_read_all(struct sb_db *db, const struct sb_scope *scope,
                                      int64_t *ret_marked);

#endif
