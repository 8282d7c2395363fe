/*
 * Channel orders (see channel-orders.h): read the state a version is applied
 * over, record what it left, and list them for staff (O10).
 */
#include "store/channel-orders.h"

#include "store/channels.h"
#include "store/sqlbuild.h"

#include <stdio.h>

sb_err sb_store_channel_order_get(struct sb_db *db, int64_t channel_id, const char *external_id,
                                  struct sb_channel_order_state *ret)
{
    struct sb_q q;
    *ret = (struct sb_channel_order_state){ 0 };
    sb_err err = sb_q_open(&q, db,
                           "SELECT state, version, sale_id, details, reason, channel_status"
                           " FROM channel_orders"
                           " WHERE channel_id = ? AND external_id = ?",
                           "is", channel_id, external_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        snprintf(ret->state, sizeof(ret->state), "%s", sb_q_text(&q, 0));
        snprintf(ret->version, sizeof(ret->version), "%s", sb_q_text(&q, 1));
        ret->sale_id = sb_q_null(&q, 2) ? 0 : sb_q_int(&q, 2);
        if (!sb_q_null(&q, 3))
            snprintf(ret->details, sizeof(ret->details), "%s", sb_q_text(&q, 3));
        if (!sb_q_null(&q, 4))
            snprintf(ret->reason, sizeof(ret->reason), "%s", sb_q_text(&q, 4));
        if (!sb_q_null(&q, 5))
            snprintf(ret->channel_status, sizeof(ret->channel_status), "%s", sb_q_text(&q, 5));
    }
    return sb_q_close(&q);
}

sb_err sb_store_channel_order_record(struct sb_db *db, const struct sb_channel_order_rec *r)
{
    return sb_db_exec(
        db,
        "INSERT INTO channel_orders (channel_id, external_id, number, state, reason, version,"
        " financial_status, fulfillment_status, cancelled, sale_id, total, currency,"
        " first_seen_at, updated_at, details, channel_status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (channel_id, external_id) DO UPDATE SET number = excluded.number,"
        " state = excluded.state, reason = excluded.reason, version = excluded.version,"
        " financial_status = excluded.financial_status,"
        " fulfillment_status = excluded.fulfillment_status, cancelled = excluded.cancelled,"
        " sale_id = COALESCE(excluded.sale_id, channel_orders.sale_id), total = excluded.total,"
        " currency = excluded.currency, updated_at = excluded.updated_at,"
        " details = COALESCE(excluded.details, channel_orders.details),"
        " channel_status = excluded.channel_status",
        "isssssssbnisssss", r->channel_id, r->external_id, r->number, r->state, r->reason,
        r->version, r->financial_status, r->fulfillment_status, (int)r->cancelled, r->sale_id,
        r->total, r->currency, r->now, r->now, r->details, r->channel_status);
}

sb_err sb_store_channel_order_unreadable(struct sb_db *db, int64_t channel_id,
                                         const char *external_id, const char *reason,
                                         const char *now)
{
    return sb_db_exec(db,
                      "INSERT INTO channel_orders (channel_id, external_id, state, reason,"
                      " version, first_seen_at, updated_at) VALUES (?, ?, 'waiting', ?,"
                      " '', ?, ?) ON CONFLICT (channel_id, external_id) DO UPDATE SET"
                      " reason = CASE WHEN channel_orders.state IN ('downloaded', 'skipped')"
                      " THEN channel_orders.reason ELSE excluded.reason END,"
                      " updated_at = excluded.updated_at",
                      "issss", channel_id, external_id, reason, now, now);
}

#define ORDER_COLS                                                                                \
    "SELECT id, external_id, number, state, reason, version, channel_status,"                     \
    " financial_status, fulfillment_status, cancelled, sale_id, total, currency, first_seen_at, " \
    "updated_at"                                                                                  \
    " FROM channel_orders WHERE channel_id = ?"

sb_err sb_store_channel_orders(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                               const struct sb_channel_order_filter *f, int64_t after,
                               int64_t limit, json_t **ret)
{
    sb_err err = sb_store_channel_visible(db, scope, id);
    if (err)
        return err;
    struct sb_sqlb b = { 0 };
    char bare[SB_CHANNEL_ORDER_Q_MAX + 2], hashed[SB_CHANNEL_ORDER_Q_MAX + 2];
    sb_sqlb_add(&b, ORDER_COLS);
    sb_sqlb_int(&b, id);
    if (f->state) {
        sb_sqlb_add(&b, " AND state = ?");
        sb_sqlb_text(&b, f->state);
    }
    if (f->q) {
        /* "#1001" and "1001" find the same order, whichever way the channel writes it */
        const char *q = f->q[0] == '#' ? f->q + 1 : f->q;
        snprintf(bare, sizeof(bare), "%s", q);
        snprintf(hashed, sizeof(hashed), "#%s", q);
        sb_sqlb_add(&b, " AND (number IN (?, ?) OR external_id = ?)");
        sb_sqlb_text(&b, bare);
        sb_sqlb_text(&b, hashed);
        sb_sqlb_text(&b, f->q);
    }
    if (f->newest_first) {
        if (after > 0) {
            sb_sqlb_add(&b, " AND id < ?");
            sb_sqlb_int(&b, after);
        }
        sb_sqlb_add(&b, " ORDER BY id DESC LIMIT ?");
    } else {
        sb_sqlb_add(&b, " AND id > ? ORDER BY id LIMIT ?");
        sb_sqlb_int(&b, after);
    }
    sb_sqlb_int(&b, limit);
    return sb_sqlb_json_all(&b, db, ret);
}
