/*
 * Purchase order records and their actions (store/purchase-orders.h). Each
 * action first touches the order's row (an UPDATE that changes nothing,
 * RETURNING its status) under the caller's scope, which on PostgreSQL locks it, so
 * two deliveries of one order at once are applied one after the other.
 */
#include "store/purchase-orders.h"
#include "core/currency.h"
#include "store/sqlbuild.h"
#include "store/stock-queue.h"
#include "store/stock.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PO_COLS                                                                           \
    "p.id, p.number, p.status, p.supplier_id, su.name AS supplier_name, p.outlet_id,"     \
    " o.name AS outlet_name, p.currency, p.expected_on, p.note, p.user_id, p.ordered_at," \
    " p.closed_at, p.created_at, p.updated_at,"                                           \
    " (SELECT COALESCE(SUM(l.quantity * l.unit_cost), 0) FROM purchase_order_lines l"     \
    " WHERE l.purchase_order_id = p.id) AS total,"                                        \
    " (SELECT COALESCE(SUM(l.quantity), 0) FROM purchase_order_lines l"                   \
    " WHERE l.purchase_order_id = p.id) AS quantity,"                                     \
    " (SELECT COALESCE(SUM(l.received), 0) FROM purchase_order_lines l"                   \
    " WHERE l.purchase_order_id = p.id) AS received"
#define PO_FROM                                                          \
    " FROM purchase_orders p JOIN suppliers su ON su.id = p.supplier_id" \
    " JOIN outlets o ON o.id = p.outlet_id"

/* The order's row touched under the caller's scope (the lock, see above): its status,
 * outlet and number. SB_ENOT_FOUND when there is none the caller may see. */
static sb_err touch(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                    enum sb_po_status *ret_status, int64_t *ret_outlet, char *number, size_t cap)
{
    struct sb_q q;
    sb_err err = sb_q_open(
        &q, db,
        "UPDATE purchase_orders SET updated_at = updated_at WHERE id = ? AND " SB_SQL_SCOPE(
            "outlet_id") " RETURNING status, outlet_id, number",
        "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    if (found) {
        if (!sb_po_status_parse(sb_q_text(&q, 0), ret_status))
            err = sb_fail(SB_EINTERNAL, NULL, "purchase order %lld has no known status",
                          (long long)id);
        *ret_outlet = sb_q_int(&q, 1);
        const char *n = sb_q_text(&q, 2);
        snprintf(number, cap, "%s", n ? n : "");
    }
    sb_err cerr = sb_q_close(&q);
    if (!err)
        err = cerr;
    if (!err && !found)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no purchase order %lld", (long long)id);
    return err;
}

static sb_err set_status(struct sb_db *db, int64_t id, enum sb_po_status s, const char *now)
{
    bool closes = s == SB_PO_RECEIVED || s == SB_PO_CANCELLED;
    return sb_db_exec(db,
                      "UPDATE purchase_orders SET status = ?, updated_at = ?,"
                      " ordered_at = CASE WHEN ? THEN ? ELSE ordered_at END,"
                      " closed_at = CASE WHEN ? THEN ? ELSE closed_at END WHERE id = ?",
                      "ssbsbsi", sb_po_status_name(s), now, s == SB_PO_ORDERED, now, closes, now,
                      id);
}

/* An item that exists and tracks stock (a purchase order's goods are received into stock);
 * its default cost into *ret_cost. */
static sb_err stocked_item(struct sb_db *db, int64_t item_id, const char *field, int64_t *ret_cost)
{
    struct sb_q q;
    sb_err err =
        sb_q_open(&q, db, "SELECT track_stock, default_cost FROM items WHERE id = ?", "i", item_id);
    if (err)
        return err;
    bool found = sb_q_next(&q), track = found && sb_q_int(&q, 0) != 0;
    int64_t cost = found && !sb_q_null(&q, 1) ? sb_q_int(&q, 1) : 0;
    err = sb_q_close(&q);
    if (!err && !found)
        err = sb_fail(SB_EUNKNOWN_REFERENCE, field, "no item %lld", (long long)item_id);
    if (!err && !track)
        err = sb_fail(SB_EINVALID_FIELD, field,
                      "item %lld does not track stock: it cannot be ordered", (long long)item_id);
    if (!err)
        *ret_cost = cost;
    return err;
}

static sb_err put_lines(struct sb_db *db, int64_t id, const struct sb_po_input *in)
{
    sb_err err =
        sb_db_exec(db, "DELETE FROM purchase_order_lines WHERE purchase_order_id = ?", "i", id);
    for (size_t i = 0; !err && i < in->n_lines; i++) {
        const struct sb_po_line_input *l = &in->lines[i];
        char field[48];
        snprintf(field, sizeof(field), "lines[%zu].item_id", i);
        int64_t cost = 0;
        err = stocked_item(db, l->item_id, field, &cost);
        if (!err)
            err = sb_db_exec(
                db,
                "INSERT INTO purchase_order_lines (purchase_order_id, item_id, quantity,"
                " unit_cost) VALUES (?, ?, ?, ?)",
                "iiii", id, l->item_id, l->quantity, l->unit_cost_set ? l->unit_cost : cost);
        if (err == SB_EDUPLICATE)
            err = sb_fail(err, field, "item %lld is on the order twice", (long long)l->item_id);
    }
    return err;
}

static sb_err supplier_exists(struct sb_db *db, int64_t supplier_id)
{
    int64_t one;
    sb_err err = sb_db_int(db, &one, "SELECT 1 FROM suppliers WHERE id = ?", "i", supplier_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "supplier_id", "no supplier %lld",
                       (long long)supplier_id);
    return err;
}

static sb_err check_fields(const struct sb_po_input *in)
{
    int64_t t;
    if (in->currency.set && in->currency.v && sb_currency_exponent(in->currency.v) < 0)
        return sb_fail(SB_EINVALID_FIELD, "currency", "currency must be an ISO 4217 code");
    if (in->expected_on.set && in->expected_on.v &&
        (strlen(in->expected_on.v) != 10 || !sb_time_parse(in->expected_on.v, &t)))
        return sb_fail(SB_EINVALID_FIELD, "expected_on", "expected_on must be a date, YYYY-MM-DD");
    return SB_OK;
}

sb_err sb_store_po_create(struct sb_db *db, const struct sb_po_input *in, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = check_fields(in);
    if (err)
        return err;
    err = sb_db_begin(db);
    if (err)
        return err;
    char currency[8] = "";
    if (in->currency.set && in->currency.v) {
        snprintf(currency, sizeof(currency), "%s", in->currency.v);
    } else {
        struct sb_q q;
        err = sb_q_open(&q, db, "SELECT currency FROM outlets WHERE id = ?", "i", in->outlet_id);
        if (!err && sb_q_next(&q))
            snprintf(currency, sizeof(currency), "%s", sb_q_text(&q, 0));
        if (!err)
            err = sb_q_close(&q);
        if (!err && !currency[0])
            err = sb_fail(SB_EUNKNOWN_REFERENCE, "outlet_id", "no outlet %lld",
                          (long long)in->outlet_id);
    }
    if (!err)
        err = supplier_exists(db, in->supplier_id);
    int64_t id = 0;
    if (!err)
        err = sb_db_int(db, &id,
                        "INSERT INTO purchase_orders (supplier_id, outlet_id, status, currency,"
                        " expected_on, note, user_id, created_at, updated_at)"
                        " VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?) RETURNING id",
                        "iisssnss", in->supplier_id, in->outlet_id, currency,
                        in->expected_on.set ? in->expected_on.v : NULL,
                        in->note.set ? in->note.v : NULL, in->user_id, now, now);
    char number[32];
    snprintf(number, sizeof(number), "PO-%05lld", (long long)id);
    if (!err)
        err =
            sb_db_exec(db, "UPDATE purchase_orders SET number = ? WHERE id = ?", "si", number, id);
    if (!err)
        err = put_lines(db, id, in);
    err = sb_db_end(db, err);
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_store_po_update(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                          const struct sb_po_input *in)
{
    char now[SB_TIME_LEN], number[32];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = check_fields(in);
    if (err)
        return err;
    err = sb_db_begin(db);
    if (err)
        return err;
    enum sb_po_status status = SB_PO_DRAFT;
    int64_t outlet = 0;
    err = touch(db, scope, id, &status, &outlet, number, sizeof(number));
    if (!err)
        err = sb_po_check(status, SB_PO_EDIT);
    if (!err && in->supplier_set)
        err = supplier_exists(db, in->supplier_id);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE purchase_orders SET"
                         " supplier_id = CASE WHEN ? THEN ? ELSE supplier_id END,"
                         " currency = CASE WHEN ? THEN ? ELSE currency END,"
                         " expected_on = CASE WHEN ? THEN ? ELSE expected_on END,"
                         " note = CASE WHEN ? THEN ? ELSE note END, updated_at = ? WHERE id = ?",
                         "bibsbsbssi", in->supplier_set, in->supplier_id,
                         in->currency.set && in->currency.v, in->currency.v, in->expected_on.set,
                         in->expected_on.v, in->note.set, in->note.v, now, id);
    if (!err && in->lines_set)
        err = put_lines(db, id, in);
    return sb_db_end(db, err);
}

sb_err sb_store_po_get(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t **ret)
{
    json_t *po = NULL, *lines = NULL, *receipts = NULL;
    sb_err err = sb_db_json_one(
        db, &po, "SELECT " PO_COLS PO_FROM " WHERE p.id = ? AND " SB_SQL_SCOPE("p.outlet_id"),
        "ibi", id, scope->all_outlets, scope->user_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no purchase order %lld", (long long)id);
    if (!err)
        err = sb_db_json_all(db, &lines,
                             "SELECT l.id, l.item_id, i.sku, i.name, l.quantity, l.received,"
                             " l.quantity - l.received AS outstanding, l.unit_cost,"
                             " l.quantity * l.unit_cost AS amount"
                             " FROM purchase_order_lines l JOIN items i ON i.id = l.item_id"
                             " WHERE l.purchase_order_id = ? ORDER BY l.id",
                             "i", id);
    if (!err)
        err = sb_db_json_all(db, &receipts,
                             "SELECT r.id, r.reference, r.user_id, u.username, r.created_at"
                             " FROM purchase_order_receipts r LEFT JOIN users u ON u.id = r.user_id"
                             " WHERE r.purchase_order_id = ? ORDER BY r.id",
                             "i", id);
    if (err) {
        json_decref(po);
        json_decref(lines);
        return err;
    }
    json_object_set_new(po, "lines", lines);
    json_object_set_new(po, "receipts", receipts);
    *ret = po;
    return SB_OK;
}

/* "%q%" in lower case with LIKE's wildcards escaped; false when it does not fit. */
static bool like_pattern(const char *q, char *buf, size_t cap)
{
    size_t n = 0;
    buf[n++] = '%';
    for (; *q; q++) {
        if (n + 4 > cap)
            return false;
        char ch = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
        if (ch == '%' || ch == '_' || ch == '\\')
            buf[n++] = '\\';
        buf[n++] = ch;
    }
    buf[n++] = '%';
    buf[n] = '\0';
    return true;
}

/* "PO-00042", "po42", "#42" or "42" as the number "PO-00042"; false for anything else. */
static bool as_number(const char *q, char *buf, size_t cap)
{
    while (*q == ' ')
        q++;
    if ((q[0] == 'P' || q[0] == 'p') && (q[1] == 'O' || q[1] == 'o')) {
        q += 2;
        if (*q == '-')
            q++;
    } else if (*q == '#') {
        q++;
    }
    int64_t v = 0;
    size_t n = 0;
    for (; *q >= '0' && *q <= '9' && n < 18; q++, n++)
        v = v * 10 + (*q - '0');
    while (*q == ' ')
        q++;
    if (n == 0 || *q)
        return false;
    snprintf(buf, cap, "PO-%05lld", (long long)v);
    return true;
}

sb_err sb_store_po_list(struct sb_db *db, const struct sb_scope *scope,
                        const struct sb_po_filter *f, int64_t after, int64_t limit, json_t **ret)
{
    struct sb_sqlb b = { 0 };
    char like[256];
    sb_sqlb_add(&b, "SELECT " PO_COLS PO_FROM " WHERE " SB_SQL_SCOPE("p.outlet_id"));
    sb_sqlb_int(&b, scope->all_outlets);
    sb_sqlb_int(&b, scope->user_id);
    if (after) {
        sb_sqlb_add(&b, " AND p.id < ?");
        sb_sqlb_int(&b, after);
    }
    if (f->status_set) {
        sb_sqlb_add(&b, " AND p.status = ?");
        sb_sqlb_text(&b, sb_po_status_name(f->status));
    }
    if (f->supplier_id) {
        sb_sqlb_add(&b, " AND p.supplier_id = ?");
        sb_sqlb_int(&b, f->supplier_id);
    }
    if (f->outlet_id) {
        sb_sqlb_add(&b, " AND p.outlet_id = ?");
        sb_sqlb_int(&b, f->outlet_id);
    }
    char number[32];
    if (f->q && as_number(f->q, number, sizeof(number))) {
        /* a PO number (or its digits): the unique index finds it, where LIKE would scan */
        sb_sqlb_add(&b, " AND p.number = ?");
        sb_sqlb_text(&b, number);
    } else if (f->q && *f->q) {
        if (!like_pattern(f->q, like, sizeof(like)))
            return sb_fail(SB_EINVALID_QUERY, "q", "q is too long");
        sb_sqlb_add(&b,
                    " AND (lower(p.number) LIKE ? ESCAPE '\\' OR su.name_norm LIKE ? ESCAPE '\\')");
        sb_sqlb_text(&b, like);
        sb_sqlb_text(&b, like);
    }
    sb_sqlb_add(&b, " ORDER BY p.id DESC LIMIT ?");
    sb_sqlb_int(&b, limit);
    return sb_sqlb_json_all(&b, db, ret);
}

/* The order's lines as (item, quantity still outstanding). */
struct open_line {
    int64_t item_id, outstanding;
};

static sb_err open_lines(struct sb_db *db, int64_t id, struct open_line **ret, size_t *ret_n)
{
    struct sb_q q;
    size_t n = 0, cap = 0;
    struct open_line *v = NULL;
    sb_err err = sb_q_open(&q, db,
                           "SELECT item_id, quantity - received FROM purchase_order_lines"
                           " WHERE purchase_order_id = ? ORDER BY id",
                           "i", id);
    if (err)
        return err;
    while (sb_q_next(&q)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct open_line *nv = realloc(v, cap * sizeof(*v));
            if (!nv) {
                (void)sb_q_close(&q);
                free(v);
                return sb_fail(SB_ENOMEM, NULL, NULL);
            }
            v = nv;
        }
        v[n++] = (struct open_line){ sb_q_int(&q, 0), sb_q_int(&q, 1) };
    }
    err = sb_q_close(&q);
    if (err) {
        free(v);
        return err;
    }
    *ret = v;
    *ret_n = n;
    return SB_OK;
}

sb_err sb_store_po_order(struct sb_db *db, const struct sb_scope *scope, int64_t id)
{
    char now[SB_TIME_LEN], number[32];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    enum sb_po_status status = SB_PO_DRAFT;
    int64_t outlet = 0;
    struct open_line *lines = NULL;
    size_t n = 0;
    err = touch(db, scope, id, &status, &outlet, number, sizeof(number));
    if (!err)
        err = sb_po_check(status, SB_PO_ORDER);
    if (!err)
        err = open_lines(db, id, &lines, &n);
    if (!err && n == 0)
        err = sb_fail(SB_EINVALID_FIELD, "lines", "the purchase order has no lines");
    for (size_t i = 0; !err && i < n; i++) {
        err = sb_db_exec(db,
                         "INSERT INTO stock (item_id, outlet_id, on_order, updated_at)"
                         " VALUES (?, ?, ?, ?) ON CONFLICT (item_id, outlet_id) DO UPDATE SET"
                         " on_order = stock.on_order + excluded.on_order,"
                         " updated_at = excluded.updated_at",
                         "iiis", lines[i].item_id, outlet, lines[i].outstanding, now);
        if (!err) /* I3, I7: on order counts for a channel that publishes by it */
            err = sb_store_queue_stock_change(db, lines[i].item_id, outlet);
    }
    if (!err)
        err = set_status(db, id, SB_PO_ORDERED, now);
    free(lines);
    return sb_db_end(db, err);
}

sb_err sb_store_po_cancel(struct sb_db *db, const struct sb_scope *scope, int64_t id)
{
    char now[SB_TIME_LEN], number[32];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    enum sb_po_status status = SB_PO_DRAFT;
    int64_t outlet = 0;
    struct open_line *lines = NULL;
    size_t n = 0;
    err = touch(db, scope, id, &status, &outlet, number, sizeof(number));
    if (!err)
        err = sb_po_check(status, SB_PO_CANCEL);
    if (!err && sb_po_open(status))
        err = open_lines(db, id, &lines, &n);
    for (size_t i = 0; !err && i < n; i++) {
        if (lines[i].outstanding <= 0)
            continue;
        err = sb_db_exec(db,
                         "UPDATE stock SET on_order = CASE WHEN on_order > ? THEN on_order - ?"
                         " ELSE 0 END, updated_at = ? WHERE item_id = ? AND outlet_id = ?",
                         "iisii", lines[i].outstanding, lines[i].outstanding, now, lines[i].item_id,
                         outlet);
        if (!err) /* I3, I7 */
            err = sb_store_queue_stock_change(db, lines[i].item_id, outlet);
    }
    if (!err)
        err = set_status(db, id, SB_PO_CANCELLED, now);
    free(lines);
    return sb_db_end(db, err);
}

/* The delivery's record; *ret_seen when this order has had one with this reference. */
static sb_err record_receipt(struct sb_db *db, int64_t id, const char *reference, int64_t user_id,
                             const char *now, bool *ret_seen)
{
    int64_t rid = 0;
    sb_err err = sb_db_int(db, &rid,
                           "INSERT INTO purchase_order_receipts (purchase_order_id, reference,"
                           " user_id, created_at) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT (purchase_order_id, reference) DO NOTHING RETURNING id",
                           "isns", id, reference, user_id, now);
    *ret_seen = err == SB_ENOT_FOUND;
    return *ret_seen ? SB_OK : err;
}

sb_err sb_store_po_receive(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                           const char *reference, const char *note, int64_t user_id,
                           const struct sb_po_receive_line *lines, size_t n, bool *ret_replayed)
{
    char now[SB_TIME_LEN], number[32];
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct sb_stock_receipt_line *stock = calloc(n ? n : 1, sizeof(*stock));
    if (!stock)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_db_begin(db);
    if (err) {
        free(stock);
        return err;
    }
    enum sb_po_status status = SB_PO_DRAFT;
    int64_t outlet = 0;
    bool seen = false;
    err = touch(db, scope, id, &status, &outlet, number, sizeof(number));
    /* a delivery seen before is answered as done, whatever the order's status is now */
    if (!err)
        err = record_receipt(db, id, reference, user_id, now, &seen);
    if (!err && !seen)
        err = sb_po_check(status, SB_PO_RECEIVE);
    for (size_t i = 0; !err && !seen && i < n; i++) {
        char field[48], qfield[48];
        snprintf(field, sizeof(field), "lines[%zu].%s", i,
                 lines[i].line_id ? "line_id" : "item_id");
        snprintf(qfield, sizeof(qfield), "lines[%zu].quantity", i);
        struct sb_q q;
        err = sb_q_open(&q, db,
                        "SELECT id, item_id, quantity, received FROM purchase_order_lines"
                        " WHERE purchase_order_id = ? AND (id = ? OR (? AND item_id = ?))",
                        "iibi", id, lines[i].line_id, lines[i].line_id == 0, lines[i].item_id);
        if (err)
            break;
        bool found = sb_q_next(&q);
        int64_t line_id = found ? sb_q_int(&q, 0) : 0, ordered = found ? sb_q_int(&q, 2) : 0,
                received = found ? sb_q_int(&q, 3) : 0;
        stock[i] = (struct sb_stock_receipt_line){ found ? sb_q_int(&q, 1) : 0, lines[i].quantity };
        err = sb_q_close(&q);
        if (!err && !found)
            err = sb_fail(SB_EUNKNOWN_REFERENCE, field, "%s is not a line of %s", field, number);
        if (!err)
            err = sb_po_receive_check(ordered, received, lines[i].quantity, qfield);
        if (!err)
            err = sb_db_exec(db,
                             "UPDATE purchase_order_lines SET received = received + ? WHERE id = ?",
                             "ii", lines[i].quantity, line_id);
    }
    /* the goods come in as any receipt does: ledger, on hand, on order less, I3 */
    if (!err && !seen)
        err = sb_store_stock_receive(db, outlet, number, note, user_id, stock, n);
    int64_t outstanding = 0;
    if (!err && !seen)
        err = sb_db_int(db, &outstanding,
                        "SELECT COALESCE(SUM(quantity - received), 0) FROM purchase_order_lines"
                        " WHERE purchase_order_id = ?",
                        "i", id);
    if (!err && !seen)
        err = set_status(db, id, sb_po_after_receipt(outstanding), now);
    free(stock);
    err = sb_db_end(db, err);
    if (!err)
        *ret_replayed = seen;
    return err;
}
