/*
 * Restocking a return later (return-restock.h): the lines still off the
 * shelf, each put back through the one stock-move path, and flagged so a
 * second call finds nothing to do.
 */
#include "store/return-restock.h"

#include "core/stock.h"
#include "store/stock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pending {
    int64_t return_line_id, item_id, outlet_id, quantity;
};

static sb_err restock_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t return_id,
                            int64_t user_id, int64_t *ret_n)
{
    int64_t sale_id = 0;
    const char *why = NULL;
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT s.id, s.status FROM returns r JOIN sales s ON s.id = r.sale_id"
                           " WHERE r.id = ? AND " SB_SQL_SCOPE("s.outlet_id"),
                           "ibi", return_id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        sale_id = sb_q_int(&q, 0);
        if (strcmp(sb_q_text(&q, 1), "voided") == 0)
            why = "its sale is voided";
    }
    if ((err = sb_q_close(&q)))
        return err;
    if (!sale_id)
        return sb_fail(SB_ENOT_FOUND, NULL, "no return %lld", (long long)return_id);
    if (why)
        return sb_fail(SB_ECONFLICT, NULL, "return %lld cannot be restocked: %s",
                       (long long)return_id, why);

    struct pending *p = NULL;
    size_t n = 0, cap = 0;
    int64_t done = 0;
    err = sb_q_open(&q, db,
                    "SELECT rl.id, l.item_id, COALESCE(l.outlet_id, s.outlet_id), rl.quantity"
                    " FROM return_lines rl JOIN sale_lines l ON l.id = rl.sale_line_id"
                    " JOIN sales s ON s.id = l.sale_id"
                    " WHERE rl.return_id = ? AND rl.restock = FALSE AND l.item_id IS NOT NULL"
                    " ORDER BY rl.id",
                    "i", return_id);
    while (!err && !q.err && sb_q_next(&q)) {
        if (n == cap) {
            size_t c = cap ? cap * 2 : 8;
            struct pending *more = realloc(p, c * sizeof(*p));
            if (!more) {
                q.err = sb_fail(SB_ENOMEM, NULL, NULL);
                break;
            }
            p = more;
            cap = c;
        }
        p[n++] = (struct pending){ .return_line_id = sb_q_int(&q, 0),
                                   .item_id = sb_q_int(&q, 1),
                                   .outlet_id = sb_q_int(&q, 2),
                                   .quantity = sb_q_int(&q, 3) };
    }
    if (!err)
        err = sb_q_close(&q);
    char ref[32];
    snprintf(ref, sizeof(ref), "return:%lld", (long long)return_id);
    for (size_t i = 0; !err && i < n; i++) {
        struct sb_stock_move m = { .item_id = p[i].item_id,
                                   .outlet_id = p[i].outlet_id,
                                   .reason = SB_STOCK_RETURN,
                                   .quantity = p[i].quantity,
                                   .reference = ref,
                                   .sale_id = sale_id,
                                   .user_id = user_id,
                                   .note = "restocked after the return" };
        bool moved = false; /* an item that tracks no stock stays as it was */
        err = sb_store_stock_move(db, &m, NULL, &moved);
        if (!err && moved)
            err = sb_db_exec(db, "UPDATE return_lines SET restock = TRUE WHERE id = ?", "i",
                             p[i].return_line_id);
        if (!err && moved)
            done++;
    }
    free(p);
    if (!err && !done)
        err = sb_fail(SB_ECONFLICT, NULL, "return %lld has nothing left to restock",
                      (long long)return_id);
    if (!err)
        *ret_n = done;
    return err;
}

sb_err sb_store_return_restock(struct sb_db *db, const struct sb_scope *scope, int64_t return_id,
                               int64_t user_id, int64_t *ret_n)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    return sb_db_end(db, restock_in_tx(db, scope, return_id, user_id, ret_n));
}
