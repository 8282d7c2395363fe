/*
 * Notification records and per-user read marks. Reads are rows in
 * notification_reads keyed by (notification, user): marking read is an
 * idempotent upsert, and "unread" is the absence of the row.
 */
#include "store/notifications.h"
#include "util/bell.h"
#include "util/timeutil.h"

#define ROW_SELECT                                                                    \
    "SELECT n.id, n.outlet_id, n.kind, n.title, n.body, n.sale_id, n.fulfillment_id," \
    " n.item_id, n.created_at, r.read_at FROM notifications n"                        \
    " LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.user_id = ?"

#define UNREAD                                        \
    "NOT EXISTS (SELECT 1 FROM notification_reads r2" \
    " WHERE r2.notification_id = n.id AND r2.user_id = ?)"

sb_err sb_store_notification_create(struct sb_db *db, const struct sb_notification *n,
                                    int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_int(db, ret_id,
                           "INSERT INTO notifications (outlet_id, kind, title, body, sale_id,"
                           " fulfillment_id, item_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                           " RETURNING id",
                           "isssnnns", n->outlet_id, n->kind, n->title, n->body, n->sale_id,
                           n->fulfillment_id, n->item_id, now);
    if (err == SB_EUNKNOWN_REFERENCE)
        return sb_fail(err, "notification", "the notification names an unknown record");
    if (!err)
        sb_bell_mark(); /* the commit rings this node's streams */
    return err;
}

/* "read" is derived from read_at, which SQL returns as a plain column. */
static void add_read(json_t *row)
{
    json_object_set_new(row, "read", json_boolean(!json_is_null(json_object_get(row, "read_at"))));
}

sb_err sb_store_notification_list(struct sb_db *db, const struct sb_scope *scope, bool unread_only,
                                  int64_t before, int64_t limit, json_t **ret)
{
    json_t *rows;
    sb_err err = sb_db_json_all(db, &rows,
                                ROW_SELECT " WHERE (? OR n.id < ?) AND " SB_SQL_SCOPE(
                                    "n.outlet_id") " AND (? OR r.read_at IS NULL)"
                                                   " ORDER BY n.id DESC LIMIT ?",
                                "ibibibi", scope->user_id, before == 0, before, scope->all_outlets,
                                scope->user_id, !unread_only, limit);
    if (err)
        return err;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        add_read(row);
    }
    *ret = rows;
    return SB_OK;
}

sb_err sb_store_notification_since(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                                   int64_t limit, json_t **ret)
{
    json_t *rows;
    sb_err err = sb_db_json_all(
        db, &rows,
        ROW_SELECT " WHERE n.id > ? AND " SB_SQL_SCOPE("n.outlet_id") " ORDER BY n.id LIMIT ?",
        "iibii", scope->user_id, after, scope->all_outlets, scope->user_id, limit);
    if (err)
        return err;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        add_read(row);
    }
    *ret = rows;
    return SB_OK;
}

sb_err sb_store_notification_last_id(struct sb_db *db, int64_t *ret)
{
    return sb_db_int(db, ret, "SELECT COALESCE(MAX(id), 0) FROM notifications", "");
}

sb_err sb_store_notification_unread_count(struct sb_db *db, const struct sb_scope *scope,
                                          int64_t *ret)
{
    return sb_db_int(
        db, ret,
        "SELECT COUNT(*) FROM notifications n WHERE " SB_SQL_SCOPE("n.outlet_id") " AND " UNREAD,
        "bii", scope->all_outlets, scope->user_id, scope->user_id);
}

sb_err sb_store_notification_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 json_t **ret)
{
    sb_err err =
        sb_db_json_one(db, ret, ROW_SELECT " WHERE n.id = ? AND " SB_SQL_SCOPE("n.outlet_id"),
                       "iibi", scope->user_id, id, scope->all_outlets, scope->user_id);
    if (!err)
        add_read(*ret);
    return err;
}

sb_err sb_store_notification_read(struct sb_db *db, const struct sb_scope *scope, int64_t id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t got;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(
        db, &got,
        "SELECT n.id FROM notifications n WHERE n.id = ? AND " SB_SQL_SCOPE("n.outlet_id"), "ibi",
        id, scope->all_outlets, scope->user_id);
    if (err == SB_ENOT_FOUND)
        err = sb_fail(err, NULL, "no such notification");
    if (!err)
        err = sb_db_exec(db,
                         "INSERT INTO notification_reads (notification_id, user_id, read_at)"
                         " VALUES (?, ?, ?) ON CONFLICT (notification_id, user_id) DO NOTHING",
                         "iis", id, scope->user_id, now);
    return sb_db_end(db, err);
}

sb_err sb_store_notification_read_all(struct sb_db *db, const struct sb_scope *scope,
                                      int64_t *ret_marked)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t n = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    /* Count and insert inside one write transaction, so the count is what was marked. */
    err = sb_store_notification_unread_count(db, scope, &n);
    if (!err)
        err = sb_db_exec(db,
                         "INSERT INTO notification_reads (notification_id, user_id, read_at)"
                         " SELECT n.id, ?, ? FROM notifications n WHERE " SB_SQL_SCOPE(
                             "n.outlet_id") " AND " UNREAD,
                         "isbii", scope->user_id, now, scope->all_outlets, scope->user_id,
                         scope->user_id);
    err = sb_db_end(db, err);
    if (!err)
        *ret_marked = n;
    return err;
}
