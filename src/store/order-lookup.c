/*
 * The POS as applying a web order reads it (see order-lookup.h).
 */
#include "store/order-lookup.h"
#include "store/rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct by_sku {
    const char *const *codes;
    size_t n;
    int64_t *ids;
    bool *tracked;
    int64_t *free;
};

static sb_err took_sku(struct sb_q *q, void *ud)
{
    struct by_sku *b = ud;
    const char *sku = sb_q_text(q, 1);
    for (size_t i = 0; sku && i < b->n; i++) {
        if (b->codes[i] && !b->ids[i] && strcmp(b->codes[i], sku) == 0) {
            b->ids[i] = sb_q_int(q, 0); /* rows come by id: the first is the lowest */
            b->tracked[i] = sb_q_int(q, 2) != 0;
            b->free[i] = sb_q_null(q, 3) ? 0 : sb_q_int(q, 3); /* no stock row: none */
        }
    }
    return SB_OK;
}

sb_err sb_store_items_by_sku(struct sb_db *db, const char *const *codes, size_t n,
                             int64_t outlet_id, int64_t *ret_ids, bool *ret_tracked,
                             int64_t *ret_free)
{
    struct sb_db_arg *keys = calloc(n + 1, sizeof(*keys));
    if (!keys)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        ret_ids[i] = 0;
        ret_tracked[i] = false;
        ret_free[i] = 0;
        if (codes[i])
            keys[k++] = (struct sb_db_arg){ .kind = 's', .s = codes[i] };
    }
    struct sb_db_arg at = { .kind = 'i', .i = outlet_id };
    struct by_sku b = {
        .codes = codes, .n = n, .ids = ret_ids, .tracked = ret_tracked, .free = ret_free
    };
    sb_err err = sb_rows_select(db,
                                "SELECT i.id, i.sku, i.track_stock, s.on_hand - s.reserved"
                                " FROM items i LEFT JOIN stock s ON s.item_id = i.id"
                                " AND s.outlet_id = ? WHERE i.sku IN (",
                                ") ORDER BY i.id", &at, 1, keys, k, NULL, 0, took_sku, &b);
    free(keys);
    return err;
}

struct free_at {
    const int64_t *items;
    size_t n;
    int64_t *ret;
};

static sb_err took_free(struct sb_q *q, void *ud)
{
    struct free_at *f = ud;
    int64_t item = sb_q_int(q, 0);
    for (size_t i = 0; i < f->n; i++)
        if (f->items[i] == item)
            f->ret[i] = sb_q_int(q, 1);
    return SB_OK;
}

sb_err sb_store_stock_free_many(struct sb_db *db, const int64_t *item_ids, size_t n,
                                int64_t outlet_id, int64_t *ret)
{
    struct sb_db_arg *keys = calloc(n + 1, sizeof(*keys));
    if (!keys)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        ret[i] = 0; /* no stock row is no stock */
        keys[i] = (struct sb_db_arg){ .kind = 'i', .i = item_ids[i] };
    }
    struct sb_db_arg at = { .kind = 'i', .i = outlet_id };
    struct free_at f = { .items = item_ids, .n = n, .ret = ret };
    sb_err err =
        sb_rows_select(db, "SELECT item_id, on_hand - reserved FROM stock WHERE item_id IN (",
                       ") AND outlet_id = ?", NULL, 0, keys, n, &at, 1, took_free, &f);
    free(keys);
    return err;
}

sb_err sb_store_item_by_code(struct sb_db *db, enum sb_item_code field, const char *code,
                             int64_t *ret_id, bool *ret_tracked)
{
    static const char *const by[] = {
        [SB_ITEM_SKU] = "SELECT id, track_stock FROM items WHERE sku = ? ORDER BY id LIMIT 1",
        [SB_ITEM_UPC] = "SELECT id, track_stock FROM items WHERE upc = ? ORDER BY id LIMIT 1",
        [SB_ITEM_EAN] = "SELECT id, track_stock FROM items WHERE ean = ? ORDER BY id LIMIT 1",
        [SB_ITEM_MPN] =
            "SELECT id, track_stock FROM items WHERE manufacturer_sku = ? ORDER BY id LIMIT 1",
    };
    if ((unsigned)field >= sizeof(by) / sizeof(by[0]))
        return sb_fail(SB_EINTERNAL, NULL, "no such item code");
    struct sb_q q;
    sb_err err = sb_q_open(&q, db, by[field], "s", code);
    if (err)
        return err;
    int64_t id = 0;
    bool tracked = false;
    if (sb_q_next(&q)) {
        id = sb_q_int(&q, 0);
        tracked = sb_q_int(&q, 1) != 0;
    }
    err = sb_q_close(&q);
    if (!err) {
        *ret_id = id;
        *ret_tracked = tracked;
    }
    return err;
}

sb_err sb_store_stock_free(struct sb_db *db, int64_t item_id, int64_t outlet_id, int64_t *ret)
{
    int64_t v = 0;
    sb_err err = sb_db_int(
        db, &v, "SELECT on_hand - reserved FROM stock WHERE item_id = ? AND outlet_id = ?", "ii",
        item_id, outlet_id);
    if (err == SB_ENOT_FOUND) { /* no stock row is no stock */
        err = SB_OK;
        v = 0;
    }
    if (!err)
        *ret = v;
    return err;
}

sb_err sb_store_register_outlet(struct sb_db *db, int64_t register_id, int64_t *ret_outlet)
{
    int64_t outlet = 0;
    sb_err err =
        sb_db_int(db, &outlet, "SELECT outlet_id FROM registers WHERE id = ?", "i", register_id);
    if (err == SB_ENOT_FOUND) { /* a register gone is none */
        err = SB_OK;
        outlet = 0;
    }
    if (!err)
        *ret_outlet = outlet;
    return err;
}

sb_err sb_store_sale_state(struct sb_db *db, int64_t sale_id, struct sb_sale_state *ret)
{
    struct sb_q q;
    sb_err err = sb_q_open(
        &q, db, "SELECT status, paid_total, balance_due, total, kind FROM sales WHERE id = ?", "i",
        sale_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    if (found) {
        snprintf(ret->status, sizeof(ret->status), "%s", sb_q_text(&q, 0));
        ret->paid_total = sb_q_int(&q, 1);
        ret->balance_due = sb_q_int(&q, 2);
        ret->total = sb_q_int(&q, 3);
        snprintf(ret->kind, sizeof(ret->kind), "%s", sb_q_text(&q, 4) ? sb_q_text(&q, 4) : "");
    }
    err = sb_q_close(&q);
    return err     ? err
           : found ? SB_OK
                   : sb_fail(SB_ENOT_FOUND, NULL, "sale %lld", (long long)sale_id);
}

sb_err sb_store_sale_shipment(struct sb_db *db, int64_t sale_id, int64_t *ret_id, bool *ret_shipped)
{
    struct sb_q q;
    *ret_id = 0;
    *ret_shipped = false;
    sb_err err =
        sb_q_open(&q, db, "SELECT id, shipped FROM shipments WHERE sale_id = ?", "i", sale_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        *ret_id = sb_q_int(&q, 0);
        *ret_shipped = sb_q_int(&q, 1) != 0;
    }
    return sb_q_close(&q);
}

sb_err sb_store_sale_line_ids(struct sb_db *db, int64_t sale_id, int64_t *ids, size_t cap,
                              size_t *ret_n)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db, "SELECT id FROM sale_lines WHERE sale_id = ? ORDER BY line_no",
                           "i", sale_id);
    if (err)
        return err;
    size_t n = 0;
    while (n < cap && sb_q_next(&q))
        ids[n++] = sb_q_int(&q, 0);
    err = sb_q_close(&q);
    if (!err)
        *ret_n = n;
    return err;
}

sb_err sb_store_sale_return_seen(struct sb_db *db, int64_t sale_id, const char *external_id,
                                 bool *ret)
{
    int64_t seen = 0;
    sb_err err =
        sb_db_int(db, &seen, "SELECT COUNT(*) FROM returns WHERE sale_id = ? AND external_id = ?",
                  "is", sale_id, external_id);
    if (!err)
        *ret = seen > 0;
    return err;
}

sb_err sb_store_sale_returnable_lines(struct sb_db *db, int64_t sale_id,
                                      const char *external_line_id,
                                      bool (*each)(void *ud, int64_t sale_line_id, int64_t left),
                                      void *ud)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT id, quantity - returned_quantity FROM sale_lines"
                           " WHERE sale_id = ? AND external_line_id = ? ORDER BY line_no",
                           "is", sale_id, external_line_id);
    if (err)
        return err;
    while (sb_q_next(&q) && each(ud, sb_q_int(&q, 0), sb_q_int(&q, 1))) {
    }
    return sb_q_close(&q);
}
