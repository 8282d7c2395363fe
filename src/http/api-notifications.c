/*
 * /api/v1/notifications: the bell (SPEC N1, N2). A user sees the
 * notifications of the outlets they may access, newest first, each with
 * whether they have read it, and the count still unread.
 *
 * Paging runs newest first, so the keyset runs downwards: ?after=<id> means
 * "older than id", and next_after is the oldest id on the page. The same
 * {"data", "next_after"} shape as every other list, plus "unread_count".
 */
#include "http/api.h"
#include "store/notifications.h"

sb_err sb_api_notifications_list(struct sb_req *r)
{
    struct sb_page page;
    bool unread = false;
    int64_t count = 0;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_bool(r, "unread", &unread, NULL);
    if (!err)
        err = sb_store_notification_list(r->db, &r->scope, unread, page.after, page.limit, &rows);
    if (err)
        return err;
    err = sb_store_notification_unread_count(r->db, &r->scope, &count);
    if (err) {
        json_decref(rows);
        return err;
    }
    json_t *doc = sb_page_json(rows, &page);
    json_object_set_new(doc, "unread_count", json_integer(count));
    return sb_reply(r, 200, doc);
}

sb_err sb_api_notifications_read(struct sb_req *r)
{
    int64_t id;
    json_t *doc;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_notification_read(r->db, &r->scope, id);
    if (!err)
        err = sb_store_notification_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

sb_err sb_api_notifications_read_all(struct sb_req *r)
{
    int64_t n = 0;
    sb_err err = sb_store_notification_read_all(r->db, &r->scope, &n);
    return err ? err : sb_reply(r, 200, json_pack("{s:I}", "marked", (json_int_t)n));
}
