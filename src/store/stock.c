/*
 * Stock movements. One upsert keeps the stock row and returns the new
 * figures; the ledger entry records them, so the ledger can be audited
 * against the row at any time (stockbridge check). Every change of on hand
 * or reserved goes through move() below; the business actions here
 * (adjustments, counts, receipts) are built on it. On order, reorder point
 * and maximum level are plain settings and change without the ledger.
 * Every write of a stock row queues the item for the channels that stock from
 * the outlet (store/stock-queue.h) in the same transaction.
 */
#include "store/stock.h"
#include "store/rows.h"
#include "store/sqlbuild.h"
#include "store/stock-queue.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>

#define ROW_COLS                                                                      \
    "s.item_id, i.sku, i.name, s.outlet_id, s.on_hand, s.reserved,"                   \
    " s.on_hand - s.reserved AS available, s.on_order, s.reorder_point, s.max_level," \
    " s.updated_at"

#define LEDGER_COLS                                                                 \
    "id, item_id, outlet_id, reason, on_hand_delta, reserved_delta, on_hand_after," \
    " reserved_after, reference, sale_id, user_id, note, created_at"

static sb_err no_outlet(sb_err err, int64_t outlet_id)
{
    if (err == SB_EUNKNOWN_REFERENCE)
        return sb_fail(err, "outlet_id", "no outlet %lld", (long long)outlet_id);
    return err;
}

/* One movement of an item known to track stock. */
static sb_err move_tracked(struct sb_db *db, const struct sb_stock_move *m, int64_t *ret_on_hand,
                           int64_t *ret_ledger_id)
{
    sb_err err;
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
    if (err)
        return no_outlet(err, m->outlet_id);
    int64_t on_hand = 0, reserved = 0;
    if (sb_q_next(&q)) {
        on_hand = sb_q_int(&q, 0);
        reserved = sb_q_int(&q, 1);
    }
    err = sb_q_close(&q);
    if (!err)
        err = sb_store_queue_stock_change(db, m->item_id, m->outlet_id); /* I3 */
    if (err)
        return no_outlet(err, m->outlet_id);
    int64_t ledger_id = 0;
    err = sb_db_int(db, &ledger_id,
                    "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta,"
                    " reserved_delta, on_hand_after, reserved_after, reference, sale_id, user_id,"
                    " note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    "iisiiiisnnss", m->item_id, m->outlet_id, sb_stock_reason_name(m->reason),
                    d_on_hand, d_reserved, on_hand, reserved, m->reference, m->sale_id, m->user_id,
                    m->note, now);
    if (err)
        return err;
    if (ret_on_hand)
        *ret_on_hand = on_hand;
    if (ret_ledger_id)
        *ret_ledger_id = ledger_id;
    return SB_OK;
}

static sb_err move(struct sb_db *db, const struct sb_stock_move *m, int64_t *ret_on_hand,
                   bool *ret_applied, int64_t *ret_ledger_id)
{
    int64_t track = 0;
    sb_err err =
        sb_db_int(db, &track, "SELECT track_stock FROM items WHERE id = ?", "i", m->item_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "item_id", "no item %lld", (long long)m->item_id);
    if (err)
        return err;
    if (ret_applied)
        *ret_applied = track != 0;
    return track ? move_tracked(db, m, ret_on_hand, ret_ledger_id) : SB_OK;
}

/* ---- several movements at once (a sale's lines) ---- */

struct batch {
    const struct sb_stock_move *m;
    size_t n;
    signed char *track;          /* per movement: 1 tracks stock, 0 not, -1 no such item */
    size_t *idx;                 /* the applied movements, in order */
    size_t k;                    /* how many */
    int64_t *on_hand, *reserved; /* after, per applied movement */
    int64_t *items, *outlets;    /* per applied movement */
};

static sb_err took_track(struct sb_q *q, void *ud)
{
    struct batch *b = ud;
    int64_t id = sb_q_int(q, 0);
    bool track = sb_q_int(q, 1) != 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->m[i].item_id == id)
            b->track[i] = track;
    return SB_OK;
}

static sb_err took_row(struct sb_q *q, void *ud)
{
    struct batch *b = ud;
    int64_t item = sb_q_int(q, 0), outlet = sb_q_int(q, 1);
    for (size_t j = 0; j < b->k; j++) {
        if (b->items[j] == item && b->outlets[j] == outlet) {
            b->on_hand[j] = sb_q_int(q, 2);
            b->reserved[j] = sb_q_int(q, 3);
        }
    }
    return SB_OK;
}

/* Whether two applied movements share a stock row: then one multi-row upsert cannot
 * give each its own figures after (and PostgreSQL refuses to touch a row twice in one
 * statement), so they go one at a time. */
static bool shared_rows(const struct batch *b)
{
    for (size_t i = 0; i < b->k; i++)
        for (size_t j = 0; j < i; j++)
            if (b->items[i] == b->items[j] && b->outlets[i] == b->outlets[j])
                return true;
    return false;
}

static sb_err moves_batch(struct sb_db *db, struct batch *b, const bool *known)
{
    const struct sb_stock_move *m = b->m;
    sb_err err = SB_OK;
    if (known) {
        for (size_t i = 0; i < b->n; i++)
            b->track[i] = known[i];
    } else {
        struct sb_db_arg *ids = calloc(b->n, sizeof(*ids));
        if (!ids)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < b->n; i++) {
            ids[i] = (struct sb_db_arg){ .kind = 'i', .i = m[i].item_id };
            b->track[i] = -1; /* until read */
        }
        err = sb_rows_select(db, "SELECT id, track_stock FROM items WHERE id IN (", ")", NULL, 0,
                             ids, b->n, NULL, 0, took_track, b);
        free(ids);
        for (size_t i = 0; !err && i < b->n; i++)
            if (b->track[i] < 0)
                return sb_fail(SB_EUNKNOWN_REFERENCE, "item_id", "no item %lld",
                               (long long)m[i].item_id);
        if (err)
            return err;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->track[i] <= 0)
            continue;
        b->idx[b->k] = i;
        b->items[b->k] = m[i].item_id;
        b->outlets[b->k] = m[i].outlet_id;
        b->on_hand[b->k] = b->reserved[b->k] = 0;
        b->k++;
    }
    if (!b->k)
        return SB_OK;
    if (b->k == 1 || shared_rows(b)) {
        for (size_t j = 0; !err && j < b->k; j++)
            err = move_tracked(db, &m[b->idx[j]], NULL, NULL);
        return err;
    }
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct sb_db_arg *args = calloc(b->k * 12, sizeof(*args));
    if (!args)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t j = 0; j < b->k; j++) {
        const struct sb_stock_move *x = &m[b->idx[j]];
        bool reserve = x->reason == SB_STOCK_RESERVATION || x->reason == SB_STOCK_RELEASE;
        struct sb_db_arg *a = &args[j * 5];
        a[0] = (struct sb_db_arg){ .kind = 'i', .i = x->item_id };
        a[1] = (struct sb_db_arg){ .kind = 'i', .i = x->outlet_id };
        a[2] = (struct sb_db_arg){ .kind = 'i', .i = reserve ? 0 : x->quantity };
        a[3] = (struct sb_db_arg){ .kind = 'i', .i = reserve ? x->quantity : 0 };
        a[4] = (struct sb_db_arg){ .kind = 's', .s = now };
    }
    err =
        sb_rows_insert(db, "INSERT INTO stock (item_id, outlet_id, on_hand, reserved, updated_at)",
                       "(?, ?, ?, ?, ?)",
                       " ON CONFLICT (item_id, outlet_id) DO UPDATE SET"
                       " on_hand = stock.on_hand + excluded.on_hand,"
                       " reserved = stock.reserved + excluded.reserved,"
                       " updated_at = excluded.updated_at"
                       " RETURNING item_id, outlet_id, on_hand, reserved",
                       args, b->k, took_row, b);
    if (err)
        err = no_outlet(err, b->outlets[0]);
    if (!err) /* I3 */
        err = sb_store_queue_stock_changes(db, b->items, b->outlets, b->k);
    for (size_t j = 0; !err && j < b->k; j++) {
        const struct sb_stock_move *x = &m[b->idx[j]];
        bool reserve = x->reason == SB_STOCK_RESERVATION || x->reason == SB_STOCK_RELEASE;
        struct sb_db_arg *a = &args[j * 12];
        a[0] = (struct sb_db_arg){ .kind = 'i', .i = x->item_id };
        a[1] = (struct sb_db_arg){ .kind = 'i', .i = x->outlet_id };
        a[2] = (struct sb_db_arg){ .kind = 's', .s = sb_stock_reason_name(x->reason) };
        a[3] = (struct sb_db_arg){ .kind = 'i', .i = reserve ? 0 : x->quantity };
        a[4] = (struct sb_db_arg){ .kind = 'i', .i = reserve ? x->quantity : 0 };
        a[5] = (struct sb_db_arg){ .kind = 'i', .i = b->on_hand[j] };
        a[6] = (struct sb_db_arg){ .kind = 'i', .i = b->reserved[j] };
        a[7] = (struct sb_db_arg){ .kind = 's', .s = x->reference };
        a[8] = (struct sb_db_arg){ .kind = 'n', .i = x->sale_id };
        a[9] = (struct sb_db_arg){ .kind = 'n', .i = x->user_id };
        a[10] = (struct sb_db_arg){ .kind = 's', .s = x->note };
        a[11] = (struct sb_db_arg){ .kind = 's', .s = now };
    }
    if (!err)
        err = sb_rows_insert(db,
                             "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta,"
                             " reserved_delta, on_hand_after, reserved_after, reference, sale_id,"
                             " user_id, note, created_at)",
                             "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, args, b->k, NULL, NULL);
    free(args);
    return err;
}

sb_err sb_store_stock_moves(struct sb_db *db, const struct sb_stock_move *m, size_t n,
                            const bool *tracked, bool *ret_applied)
{
    if (!n)
        return SB_OK;
    struct batch b = { .m = m,
                       .n = n,
                       .track = calloc(n, 1),
                       .idx = calloc(n, sizeof(size_t)),
                       .on_hand = calloc(n, sizeof(int64_t)),
                       .reserved = calloc(n, sizeof(int64_t)),
                       .items = calloc(n, sizeof(int64_t)),
                       .outlets = calloc(n, sizeof(int64_t)) };
    sb_err err = b.track && b.idx && b.on_hand && b.reserved && b.items && b.outlets
                     ? moves_batch(db, &b, tracked)
                     : sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && ret_applied && i < n; i++)
        ret_applied[i] = b.track[i] > 0;
    free(b.track);
    free(b.idx);
    free(b.on_hand);
    free(b.reserved);
    free(b.items);
    free(b.outlets);
    return err;
}

sb_err sb_store_stock_move(struct sb_db *db, const struct sb_stock_move *m, int64_t *ret_on_hand,
                           bool *ret_applied)
{
    return move(db, m, ret_on_hand, ret_applied, NULL);
}

sb_err sb_store_stock_move_entry(struct sb_db *db, const struct sb_stock_move *m,
                                 int64_t *ret_ledger_id, bool *ret_applied)
{
    int64_t id = 0;
    sb_err err = move(db, m, NULL, ret_applied, &id);
    if (!err && ret_ledger_id)
        *ret_ledger_id = id;
    return err;
}

sb_err sb_store_stock_row(struct sb_db *db, int64_t item_id, int64_t outlet_id, json_t **ret)
{
    sb_err err = sb_db_json_one(db, ret,
                                "SELECT " ROW_COLS " FROM stock s JOIN items i ON i.id = s.item_id"
                                " WHERE s.item_id = ? AND s.outlet_id = ?",
                                "ii", item_id, outlet_id);
    if (err != SB_ENOT_FOUND)
        return err;
    /* never moved here: the same shape, with zeros (built here rather than by binding the
     * outlet as a selected constant, which not every backend can type) */
    json_t *item;
    err = sb_db_json_one(db, &item, "SELECT id AS item_id, sku, name FROM items WHERE id = ?", "i",
                         item_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no item %lld", (long long)item_id);
    if (err)
        return err;
    json_object_set_new(item, "outlet_id", json_integer(outlet_id));
    static const char *const zero[] = { "on_hand",       "reserved",  "available", "on_order",
                                        "reorder_point", "max_level", NULL };
    for (const char *const *k = zero; *k; k++)
        json_object_set_new(item, *k, json_integer(0));
    json_object_set_new(item, "updated_at", json_null());
    *ret = item;
    return SB_OK;
}

sb_err sb_store_stock_list(struct sb_db *db, const struct sb_scope *scope, int64_t item_id,
                           int64_t outlet_id, int64_t after, int64_t limit, json_t **ret,
                           int64_t *ret_next)
{
    struct sb_sqlb b = { 0 };
    sb_sqlb_add(&b, "SELECT " ROW_COLS " FROM stock s JOIN items i ON i.id = s.item_id"
                    " WHERE s.item_id IN (SELECT DISTINCT k.item_id FROM stock k"
                    " WHERE k.item_id > ?");
    sb_sqlb_int(&b, after);
    if (item_id) {
        sb_sqlb_add(&b, " AND k.item_id = ?");
        sb_sqlb_int(&b, item_id);
    }
    if (outlet_id) {
        sb_sqlb_add(&b, " AND k.outlet_id = ?");
        sb_sqlb_int(&b, outlet_id);
    }
    sb_sqlb_add(&b, " AND " SB_SQL_SCOPE("k.outlet_id") " ORDER BY k.item_id LIMIT ?)");
    sb_sqlb_int(&b, scope->all_outlets);
    sb_sqlb_int(&b, scope->user_id);
    sb_sqlb_int(&b, limit);
    if (outlet_id) {
        sb_sqlb_add(&b, " AND s.outlet_id = ?");
        sb_sqlb_int(&b, outlet_id);
    }
    sb_sqlb_add(&b, " AND " SB_SQL_SCOPE("s.outlet_id") " ORDER BY s.item_id, s.outlet_id");
    sb_sqlb_int(&b, scope->all_outlets);
    sb_sqlb_int(&b, scope->user_id);
    json_t *rows;
    sb_err err = sb_sqlb_json_all(&b, db, &rows);
    if (err)
        return err;
    int64_t items = 0, last = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        int64_t id = json_integer_value(json_object_get(json_array_get(rows, i), "item_id"));
        items += id != last;
        last = id;
    }
    *ret = rows;
    *ret_next = items >= limit ? last : 0;
    return SB_OK;
}

sb_err sb_store_ledger_entry(struct sb_db *db, int64_t id, json_t **ret)
{
    return sb_db_json_one(db, ret, "SELECT " LEDGER_COLS " FROM stock_ledger WHERE id = ?", "i",
                          id);
}

sb_err sb_store_ledger_list(struct sb_db *db, const struct sb_scope *scope, int64_t item_id,
                            int64_t outlet_id, int64_t after, int64_t limit, json_t **ret)
{
    struct sb_sqlb b = { 0 };
    sb_sqlb_add(&b, "SELECT " LEDGER_COLS " FROM stock_ledger WHERE item_id = ?");
    sb_sqlb_int(&b, item_id);
    if (outlet_id) {
        sb_sqlb_add(&b, " AND outlet_id = ?");
        sb_sqlb_int(&b, outlet_id);
    }
    sb_sqlb_add(&b, " AND id > ? AND " SB_SQL_SCOPE("outlet_id") " ORDER BY id LIMIT ?");
    sb_sqlb_int(&b, after);
    sb_sqlb_int(&b, scope->all_outlets);
    sb_sqlb_int(&b, scope->user_id);
    sb_sqlb_int(&b, limit);
    return sb_sqlb_json_all(&b, db, ret);
}

/* An item that exists and tracks stock; field names the request field. */
static sb_err stocked_item(struct sb_db *db, int64_t item_id, const char *field)
{
    int64_t track;
    sb_err err = sb_db_int(db, &track, "SELECT track_stock FROM items WHERE id = ?", "i", item_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, field, "no item %lld", (long long)item_id);
    if (!err && !track)
        err =
            sb_fail(SB_EINVALID_FIELD, field, "item %lld does not track stock", (long long)item_id);
    return err;
}

static sb_err outlet_exists(struct sb_db *db, int64_t outlet_id)
{
    int64_t one;
    sb_err err = sb_db_int(db, &one, "SELECT 1 FROM outlets WHERE id = ?", "i", outlet_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "outlet_id", "no outlet %lld", (long long)outlet_id);
    return err;
}

static sb_err on_hand_now(struct sb_db *db, int64_t item_id, int64_t outlet_id, int64_t *ret)
{
    sb_err err = sb_db_int(db, ret, "SELECT on_hand FROM stock WHERE item_id = ? AND outlet_id = ?",
                           "ii", item_id, outlet_id);
    if (err == SB_ENOT_FOUND) {
        *ret = 0;
        return SB_OK;
    }
    return err;
}

sb_err sb_store_stock_adjust(struct sb_db *db, const struct sb_stock_adjustment *a,
                             int64_t *ret_ledger_id)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = stocked_item(db, a->item_id, "item_id");
    if (!err)
        err = outlet_exists(db, a->outlet_id);
    int64_t on_hand = 0, qty = 0, id = 0;
    if (!err)
        err = on_hand_now(db, a->item_id, a->outlet_id, &on_hand);
    if (!err)
        err = sb_stock_adjustment_quantity(a, on_hand, &qty);
    if (!err) {
        struct sb_stock_move m = { .item_id = a->item_id,
                                   .outlet_id = a->outlet_id,
                                   .reason = a->is_count ? SB_STOCK_COUNT : SB_STOCK_ADJUSTMENT,
                                   .quantity = qty,
                                   .reference = a->reference,
                                   .user_id = a->user_id,
                                   .note = a->note };
        err = move(db, &m, NULL, NULL, &id);
    }
    err = sb_db_end(db, err);
    if (!err)
        *ret_ledger_id = id;
    return err;
}

sb_err sb_store_stock_receive(struct sb_db *db, int64_t outlet_id, const char *reference,
                              const char *note, int64_t user_id,
                              const struct sb_stock_receipt_line *lines, size_t n)
{
    char ref[160];
    if (reference)
        snprintf(ref, sizeof(ref), "receipt:%s", reference);
    else
        snprintf(ref, sizeof(ref), "receipt");
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = outlet_exists(db, outlet_id);
    for (size_t i = 0; !err && i < n; i++) {
        char field[48];
        snprintf(field, sizeof(field), "lines[%zu].item_id", i);
        err = stocked_item(db, lines[i].item_id, field);
        struct sb_stock_move m = { .item_id = lines[i].item_id,
                                   .outlet_id = outlet_id,
                                   .reason = SB_STOCK_RECEIPT,
                                   .quantity = lines[i].quantity,
                                   .reference = ref,
                                   .user_id = user_id,
                                   .note = note };
        if (!err)
            err = move(db, &m, NULL, NULL, NULL);
        if (!err)
            err = sb_db_exec(db,
                             "UPDATE stock SET on_order = CASE WHEN on_order > ?"
                             " THEN on_order - ? ELSE 0 END WHERE item_id = ? AND outlet_id = ?",
                             "iiii", lines[i].quantity, lines[i].quantity, lines[i].item_id,
                             outlet_id);
        if (!err) /* I3, I7: on order counts for a channel that publishes by it */
            err = sb_store_queue_stock_change(db, lines[i].item_id, outlet_id);
    }
    return sb_db_end(db, err);
}

static sb_err transfer_line(struct sb_db *db, int64_t from, int64_t to, const char *note,
                            int64_t user_id, const struct sb_stock_receipt_line *l, size_t i)
{
    char field[48], out_ref[48], in_ref[48];
    snprintf(field, sizeof(field), "lines[%zu].item_id", i);
    sb_err err = stocked_item(db, l->item_id, field);
    int64_t on_hand = 0;
    if (!err)
        err = on_hand_now(db, l->item_id, from, &on_hand);
    snprintf(field, sizeof(field), "lines[%zu].quantity", i);
    if (!err)
        err = sb_stock_transfer_check(on_hand, l->quantity, field);
    snprintf(out_ref, sizeof(out_ref), "transfer-to:%lld", (long long)to);
    snprintf(in_ref, sizeof(in_ref), "transfer-from:%lld", (long long)from);
    struct sb_stock_move out = { .item_id = l->item_id,
                                 .outlet_id = from,
                                 .reason = SB_STOCK_TRANSFER_OUT,
                                 .quantity = -l->quantity,
                                 .reference = out_ref,
                                 .user_id = user_id,
                                 .note = note };
    struct sb_stock_move in = out;
    in.outlet_id = to;
    in.reason = SB_STOCK_TRANSFER_IN;
    in.quantity = l->quantity;
    in.reference = in_ref;
    if (!err)
        err = move(db, &out, NULL, NULL, NULL);
    if (!err)
        err = move(db, &in, NULL, NULL, NULL);
    return err;
}

sb_err sb_store_stock_transfer(struct sb_db *db, int64_t from_outlet_id, int64_t to_outlet_id,
                               const char *note, int64_t user_id,
                               const struct sb_stock_receipt_line *lines, size_t n)
{
    if (from_outlet_id == to_outlet_id)
        return sb_fail(SB_EINVALID_FIELD, "to_outlet_id",
                       "the stock must go to another outlet than the one it leaves");
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = outlet_exists(db, from_outlet_id);
    if (err == SB_EUNKNOWN_REFERENCE)
        err = sb_fail(err, "from_outlet_id", "no outlet %lld", (long long)from_outlet_id);
    if (!err) {
        err = outlet_exists(db, to_outlet_id);
        if (err == SB_EUNKNOWN_REFERENCE)
            err = sb_fail(err, "to_outlet_id", "no outlet %lld", (long long)to_outlet_id);
    }
    for (size_t i = 0; !err && i < n; i++)
        err = transfer_line(db, from_outlet_id, to_outlet_id, note, user_id, &lines[i], i);
    return sb_db_end(db, err);
}

sb_err sb_store_stock_set_levels(struct sb_db *db, const struct sb_stock_levels *l)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = stocked_item(db, l->item_id, "item_id");
    if (!err)
        err = outlet_exists(db, l->outlet_id);
    /* the resulting pair is checked, so a request may change either side alone */
    int64_t reorder = 0, max = 0;
    struct sb_q q;
    if (!err)
        err = sb_q_open(&q, db,
                        "SELECT reorder_point, max_level FROM stock"
                        " WHERE item_id = ? AND outlet_id = ?",
                        "ii", l->item_id, l->outlet_id);
    if (!err) {
        if (sb_q_next(&q)) {
            reorder = sb_q_int(&q, 0);
            max = sb_q_int(&q, 1);
        }
        err = sb_q_close(&q);
    }
    if (!err)
        err = sb_stock_levels_check(l->reorder_point_set ? l->reorder_point : reorder,
                                    l->max_level_set ? l->max_level : max);
    if (!err)
        err = sb_db_exec(
            db,
            "INSERT INTO stock (item_id, outlet_id, on_order, reorder_point, max_level,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (item_id, outlet_id) DO UPDATE SET"
            " on_order = CASE WHEN ? THEN excluded.on_order ELSE stock.on_order END,"
            " reorder_point = CASE WHEN ? THEN excluded.reorder_point ELSE stock.reorder_point END,"
            " max_level = CASE WHEN ? THEN excluded.max_level ELSE stock.max_level END,"
            " updated_at = excluded.updated_at",
            "iiiiisbbb", l->item_id, l->outlet_id, l->on_order_set ? l->on_order : 0,
            l->reorder_point_set ? l->reorder_point : 0, l->max_level_set ? l->max_level : 0, now,
            l->on_order_set, l->reorder_point_set, l->max_level_set);
    if (!err) /* I7: the levels decide whether the item is published */
        err = sb_store_queue_stock_change(db, l->item_id, l->outlet_id);
    return sb_db_end(db, no_outlet(err, l->outlet_id));
}
