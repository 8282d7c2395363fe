/*
 * A channel's own holds on orders the POS already deducted (channel-held.h,
 * SPEC M9): one grouped read over the channel's downloaded orders in the
 * kind's holding statuses.
 */
#include "store/channel-held.h"

#include "store/sqlbuild.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

sb_err sb_store_channel_held(struct sb_db *db, int64_t channel_id, const char *const *statuses,
                             int64_t item_id, struct sb_arena *a, struct sb_held **ret,
                             size_t *ret_n)
{
    *ret = NULL;
    *ret_n = 0;
    if (!statuses || !statuses[0])
        return SB_OK;
    struct sb_sqlb b = { 0 };
    sb_sqlb_add(&b, "SELECT l.item_id, COALESCE(l.outlet_id, s.outlet_id),"
                    " SUM(l.quantity - l.returned_quantity)"
                    " FROM channel_orders co JOIN sales s ON s.id = co.sale_id"
                    " JOIN sale_lines l ON l.sale_id = s.id"
                    " WHERE co.channel_id = ? AND co.state = 'downloaded'"
                    " AND s.status <> 'voided' AND l.item_id IS NOT NULL");
    sb_sqlb_int(&b, channel_id);
    if (item_id) {
        sb_sqlb_add(&b, " AND l.item_id = ?");
        sb_sqlb_int(&b, item_id);
    }
    sb_sqlb_add(&b, " AND co.channel_status IN (");
    for (size_t i = 0; statuses[i]; i++) {
        sb_sqlb_add(&b, i ? ", ?" : "?");
        sb_sqlb_text(&b, statuses[i]);
    }
    sb_sqlb_add(&b, ") GROUP BY l.item_id, COALESCE(l.outlet_id, s.outlet_id)"
                    " HAVING SUM(l.quantity - l.returned_quantity) > 0"
                    " ORDER BY l.item_id, COALESCE(l.outlet_id, s.outlet_id)");
    struct sb_q q;
    sb_err err = sb_sqlb_open(&b, db, &q);
    if (err)
        return err;
    struct sb_held *rows = NULL;
    size_t n = 0, cap = 0;
    while (!q.err && sb_q_next(&q)) {
        if (!sb_grow((void **)&rows, &cap, n + 1, sizeof(*rows), 64)) {
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        rows[n++] = (struct sb_held){ .item_id = sb_q_int(&q, 0),
                                      .outlet_id = sb_q_int(&q, 1),
                                      .quantity = sb_q_int(&q, 2) };
    }
    err = sb_q_close(&q);
    if (!err && n) {
        struct sb_held *copy = sb_arena_alloc(a, n * sizeof(*copy));
        if (!copy)
            err = sb_fail(SB_ENOMEM, NULL, NULL);
        else {
            memcpy(copy, rows, n * sizeof(*copy));
            *ret = copy;
            *ret_n = n;
        }
    }
    free(rows);
    return err;
}
