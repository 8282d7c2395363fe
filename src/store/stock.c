/*
 * Stock movements. One upsert keeps the stock row and returns the new
 * figures; the ledger entry records them, so the ledger can be audited
 * against the row at any time (stockbridge check).
 */
#include "store/stock.h"
#include "util/timeutil.h"

sb_err sb_store_stock_move(struct sb_db *db, const struct sb_stock_move *m, int64_t *ret_on_hand,
                           bool *ret_applied)
{
    int64_t track = 0;
    sb_err err = sb_db_int(db, &track, "SELECT track_stock FROM items WHERE id = ?", "i",
                           m->item_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "item_id", "no item %lld", (long long)m->item_id);
    if (err)
        return err;
    if (ret_applied)
        *ret_applied = track != 0;
    if (!track)
        return SB_OK;
    bool reserve = m->reason == SB_STOCK_RESERVATION || m->reason == SB_STOCK_RELEASE;
    int64_t d_on_hand = reserve ? 0 : m->quantity;
    int64_t d_reserved = reserve ? m->quantity : 0;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct sb_q q;
    err = sb_q_open(&q, db,
                    "INSERT INTO stock (item_id, outlet_id, on_hand, reserved, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_id, outlet_id) DO UPDATE SET"
                    " on_hand = stock.on_hand + excluded.on_hand,"
                    " reserved = stock.reserved + excluded.reserved,"
                    " updated_at = excluded.updated_at RETURNING on_hand, reserved",
                    "iiiis", m->item_id, m->outlet_id, d_on_hand, d_reserved, now);
    if (err) {
        if (err == SB_EUNKNOWN_REFERENCE)
            return sb_fail(err, "outlet_id", "no outlet %lld", (long long)m->outlet_id);
        return err;
    }
    int64_t on_hand = 0, reserved = 0;
    if (sb_q_next(&q)) {
        on_hand = sb_q_int(&q, 0);
        reserved = sb_q_int(&q, 1);
    }
    err = sb_q_close(&q);
    if (err == SB_EUNKNOWN_REFERENCE)
        return sb_fail(err, "outlet_id", "no outlet %lld", (long long)m->outlet_id);
    if (err)
        return err;
    err = sb_db_exec(db,
                     "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta,"
                     " reserved_delta, on_hand_after, reserved_after, reference, sale_id, user_id,"
                     " note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "iisiiiisnnss", m->item_id, m->outlet_id, sb_stock_reason_name(m->reason),
                     d_on_hand, d_reserved, on_hand, reserved, m->reference, m->sale_id,
                     m->user_id, m->note, now);
    if (!err && ret_on_hand)
        *ret_on_hand = on_hand;
    return err;
}
