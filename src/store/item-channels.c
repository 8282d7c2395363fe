/*
 * An item on the channels (store/item-channels.h): the record of what each
 * channel last took, and the item page's view of every channel the caller
 * may see, read in one statement.
 */
#include "store/item-channels.h"
#include "util/timeutil.h"

#include <string.h>

sb_err sb_store_item_sent(struct sb_db *db, int64_t channel_id, int64_t item_id, const char *kind,
                          int64_t value, int64_t sale)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (strcmp(kind, "stock") == 0)
        return sb_db_exec(db,
                          "INSERT INTO channel_sent (channel_id, item_id, quantity, stock_sent_at)"
                          " VALUES (?, ?, ?, ?) ON CONFLICT (channel_id, item_id) DO UPDATE SET"
                          " quantity = excluded.quantity, stock_sent_at = excluded.stock_sent_at",
                          "iiis", channel_id, item_id, value, now);
    return sb_db_exec(db,
                      "INSERT INTO channel_sent (channel_id, item_id, price, sale_price,"
                      " price_sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id, item_id)"
                      " DO UPDATE SET price = excluded.price, sale_price = excluded.sale_price,"
                      " price_sent_at = excluded.price_sent_at",
                      "iiiis", channel_id, item_id, value, sale, now);
}

/* Moves the row's columns named prefix* into an object under `as` (null when the first
 * is null). */
static void nest(json_t *row, const char *as, const char *const *cols, const char *const *names)
{
    json_t *first = json_object_get(row, cols[0]);
    json_t *o = json_is_null(first) || !first ? json_null() : json_object();
    for (size_t i = 0; cols[i]; i++) {
        if (json_is_object(o))
            json_object_set(o, names[i], json_object_get(row, cols[i]));
        json_object_del(row, cols[i]);
    }
    json_object_set_new(row, as, o);
}

sb_err sb_store_item_channels(struct sb_db *db, const struct sb_scope *scope, int64_t item_id,
                              json_t **ret)
{
    int64_t one;
    sb_err err = sb_db_int(db, &one, "SELECT id FROM items WHERE id = ?", "i", item_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no item %lld", (long long)item_id);
    if (err)
        return err;
    json_t *rows;
    err = sb_db_json_all(
        db, &rows,
        "SELECT c.id AS channel_id, c.name, c.kind, c.enabled,"
        " CASE WHEN ci.item_id IS NULL THEN 'not_looked_up'"
        " WHEN ci.external_item_id IS NULL THEN 'not_on_channel' ELSE 'on_channel' END AS status,"
        " ci.external_item_id, ci.checked_at,"
        " cs.stock_sent_at, cs.quantity, cs.price_sent_at, cs.price, cs.sale_price,"
        " qs.status AS qs_status, qs.attempts AS qs_attempts, qs.last_error AS qs_last_error,"
        " qs.queued_at AS qs_queued_at,"
        " qp.status AS qp_status, qp.attempts AS qp_attempts, qp.last_error AS qp_last_error,"
        " qp.queued_at AS qp_queued_at"
        " FROM channels c"
        " LEFT JOIN channel_items ci ON ci.channel_id = c.id AND ci.item_id = ?"
        " LEFT JOIN channel_sent cs ON cs.channel_id = c.id AND cs.item_id = ?"
        " LEFT JOIN sync_queue qs ON qs.channel_id = c.id AND qs.kind = 'stock'"
        " AND qs.item_id = ?"
        " LEFT JOIN sync_queue qp ON qp.channel_id = c.id AND qp.kind = 'price'"
        " AND qp.item_id = ?"
        " WHERE (? OR EXISTS (SELECT 1 FROM channel_outlets co JOIN user_outlets uo"
        " ON uo.outlet_id = co.outlet_id WHERE co.channel_id = c.id AND uo.user_id = ?))"
        " ORDER BY c.id",
        "iiiibi", item_id, item_id, item_id, item_id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    static const char *const stock_cols[] = { "stock_sent_at", "quantity", NULL };
    static const char *const stock_names[] = { "sent_at", "quantity", NULL };
    static const char *const price_cols[] = { "price_sent_at", "price", "sale_price", NULL };
    static const char *const price_names[] = { "sent_at", "price", "sale_price", NULL };
    static const char *const qs_cols[] = { "qs_status", "qs_attempts", "qs_last_error",
                                           "qs_queued_at", NULL };
    static const char *const qp_cols[] = { "qp_status", "qp_attempts", "qp_last_error",
                                           "qp_queued_at", NULL };
    static const char *const q_names[] = { "status", "attempts", "last_error", "queued_at", NULL };
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *sent = json_object();
        json_t *queued = json_object();
        nest(row, "stock", stock_cols, stock_names);
        json_object_set(sent, "stock", json_object_get(row, "stock"));
        json_object_del(row, "stock");
        nest(row, "price", price_cols, price_names);
        json_object_set(sent, "price", json_object_get(row, "price"));
        json_object_del(row, "price");
        nest(row, "stock", qs_cols, q_names);
        json_object_set(queued, "stock", json_object_get(row, "stock"));
        json_object_del(row, "stock");
        nest(row, "price", qp_cols, q_names);
        json_object_set(queued, "price", json_object_get(row, "price"));
        json_object_del(row, "price");
        json_object_set_new(row, "sent", sent);
        json_object_set_new(row, "queued", queued);
    }
    *ret = rows;
    return SB_OK;
}
