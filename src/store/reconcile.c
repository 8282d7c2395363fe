/*
 * Reconciliation's reads and its report (see reconcile.h). Three queries per
 * batch of items, each walked once in item id order.
 */
#include "store/reconcile.h"

sb_err sb_store_items_after(struct sb_db *db, int64_t after, int64_t limit,
                            sb_err (*each)(void *ud, int64_t item_id, const char *sku), void *ud)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db, "SELECT id, sku FROM items WHERE id > ? ORDER BY id LIMIT ?",
                           "ii", after, limit);
    if (err)
        return err;
    while (!err && sb_q_next(&q))
        err = each(ud, sb_q_int(&q, 0), sb_q_text(&q, 1));
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}

sb_err sb_store_stock_rows_between(struct sb_db *db, int64_t lo, int64_t hi,
                                   sb_err (*each)(void *ud, int64_t item_id,
                                                  const struct sb_outlet_stock *row),
                                   void *ud)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT item_id, outlet_id, on_hand, reserved, on_order, reorder_point,"
                           " max_level FROM stock WHERE item_id BETWEEN ? AND ? ORDER BY item_id",
                           "ii", lo, hi);
    if (err)
        return err;
    while (!err && sb_q_next(&q)) {
        struct sb_outlet_stock row = { .outlet_id = sb_q_int(&q, 1),
                                       .on_hand = sb_q_int(&q, 2),
                                       .reserved = sb_q_int(&q, 3),
                                       .on_order = sb_q_int(&q, 4),
                                       .reorder_point = sb_q_int(&q, 5),
                                       .max_level = sb_q_int(&q, 6) };
        err = each(ud, sb_q_int(&q, 0), &row);
    }
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}

sb_err sb_store_channel_items_between(struct sb_db *db, int64_t channel_id, int64_t lo, int64_t hi,
                                      sb_err (*each)(void *ud, int64_t item_id,
                                                     const struct sb_known_item *known),
                                      void *ud)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT item_id, sku, external_item_id, external_variant_id,"
                           " external_product_id, location_id FROM channel_items"
                           " WHERE channel_id = ? AND item_id BETWEEN ? AND ? ORDER BY item_id",
                           "iii", channel_id, lo, hi);
    if (err)
        return err;
    while (!err && sb_q_next(&q)) {
        struct sb_known_item k = { .sku = sb_q_text(&q, 1),
                                   .item_id = sb_q_text(&q, 2),
                                   .variant_id = sb_q_text(&q, 3),
                                   .product_id = sb_q_text(&q, 4),
                                   .location_id = sb_q_text(&q, 5) };
        err = each(ud, sb_q_int(&q, 0), &k);
    }
    sb_err cerr = sb_q_close(&q);
    return err ? err : cerr;
}

sb_err sb_store_reconcile_report(struct sb_db *db, int64_t channel_id, const char *at,
                                 const char *report)
{
    return sb_db_exec(db,
                      "INSERT INTO channel_sync (channel_id, last_reconcile_at, last_reconcile)"
                      " VALUES (?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET"
                      " last_reconcile_at = excluded.last_reconcile_at,"
                      " last_reconcile = excluded.last_reconcile",
                      "iss", channel_id, at, report);
}
