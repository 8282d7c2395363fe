/*
 * Fulfillment records, their lines and their status history. Every status
 * change writes a fulfillment_events row in the same transaction, so the
 * history is complete; bulk changes (a void cancelling everything, a
 * shipment shipping everything) write the events first, from the rows they
 * are about to change, then change them.
 */
#include "store/fulfillments.h"
#include "store/rows.h"
#include "store/outbox-queue.h"
#include "store/shipments.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define FF_COLS                                                                                 \
    "f.id, f.sale_id, f.outlet_id, f.kind, f.status, f.is_split, f.is_backorder, f.created_at," \
    " f.updated_at"

/* The sale's customer by name, else the ship-to name (C5); the ship-to's phone and email
 * (else the customer's), to call a customer whose pickup is ready. */
#define ROW_SELECT                                                                           \
    "SELECT " FF_COLS ", s.external_number,"                                                 \
    " COALESCE(NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, ''))," \
    " ''), sh.name) AS customer_name, s.status AS sale_status, s.created_at AS order_date,"  \
    " sh.phone, COALESCE(sh.email, c.email) AS email"                                        \
    " FROM fulfillments f JOIN sales s ON s.id = f.sale_id"                                  \
    " LEFT JOIN customers c ON c.id = s.customer_id"                                         \
    " LEFT JOIN shipments sh ON sh.sale_id = s.id"

static sb_err add_event(struct sb_db *db, int64_t ff_id, const char *from, const char *to,
                        int64_t user_id, const char *now)
{
    return sb_db_exec(db,
                      "INSERT INTO fulfillment_events (fulfillment_id, from_status, to_status,"
                      " user_id, created_at) VALUES (?, ?, ?, ?, ?)",
                      "issns", ff_id, from, to, user_id, now);
}

/* The fulfillment's lines in one statement (rows.h). A refused row is named as when they
 * went one by one: the rows go in in order, and the first that breaks a rule stops them. */
static sb_err insert_lines(struct sb_db *db, int64_t id, const struct sb_ff_line *lines, size_t n)
{
    struct sb_db_arg *args = calloc(n * 4 + 1, sizeof(*args));
    if (!args)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        args[i * 4] = (struct sb_db_arg){ .kind = 'i', .i = id };
        args[i * 4 + 1] = (struct sb_db_arg){ .kind = 'i', .i = lines[i].sale_line_id };
        args[i * 4 + 2] = (struct sb_db_arg){ .kind = 'i', .i = lines[i].quantity };
        args[i * 4 + 3] = (struct sb_db_arg){ .kind = 'i', .i = lines[i].backorder_quantity };
    }
    sb_err err = sb_rows_insert(db,
                                "INSERT INTO fulfillment_lines (fulfillment_id, sale_line_id,"
                                " quantity, backorder_quantity)",
                                "(?, ?, ?, ?)", NULL, args, n, NULL, NULL);
    free(args);
    for (size_t i = 0; err == SB_EDUPLICATE && i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (lines[j].sale_line_id == lines[i].sale_line_id)
                return sb_fail(err, "lines", "sale line %lld is listed twice",
                               (long long)lines[i].sale_line_id);
    for (size_t i = 0; err == SB_ECONFLICT && i < n; i++)
        if (lines[i].quantity <= 0 || lines[i].backorder_quantity < 0 || i + 1 == n)
            return sb_fail(err, "lines", "quantities must be positive (sale line %lld)",
                           (long long)lines[i].sale_line_id);
    return err;
}

sb_err sb_store_fulfillment_create(struct sb_db *db, const struct sb_ff_new *f, int64_t *ret_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t id = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_int(db, &id,
                    "INSERT INTO fulfillments (sale_id, outlet_id, kind, status, is_split,"
                    " is_backorder, created_at, updated_at) VALUES (?, ?, ?, 'new', ?, ?, ?, ?)"
                    " RETURNING id",
                    "iisbbss", f->sale_id, f->outlet_id, sb_ff_kind_name(f->kind), f->is_split,
                    f->is_backorder, now, now);
    if (err == SB_EDUPLICATE)
        err = sb_fail(err, "outlet_id", "the sale already has a fulfillment at outlet %lld",
                      (long long)f->outlet_id);
    if (!err)
        err = insert_lines(db, id, f->lines, f->n_lines);
    if (!err)
        err = add_event(db, id, NULL, "new", f->user_id, now);
    err = sb_db_end(db, err);
    if (!err)
        *ret_id = id;
    return err;
}

/* Moves the sale's fulfillments matching (kind, new, in progress or `last`) to `to`, events
 * first. kind NULL matches both kinds; last is the third open status (packed) or one of the
 * first two again. */
static sb_err bulk_move_from(struct sb_db *db, int64_t sale_id, const char *kind, const char *last,
                             const char *to, int64_t user_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_exec(db,
                     "INSERT INTO fulfillment_events (fulfillment_id, from_status, to_status,"
                     " user_id, created_at) SELECT id, status, ?, ?, ? FROM fulfillments"
                     " WHERE sale_id = ? AND (? OR kind = ?)"
                     " AND status IN ('new', 'in_progress', ?) ORDER BY id",
                     "snsibss", to, user_id, now, sale_id, kind == NULL, kind ? kind : "", last);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE fulfillments SET status = ?, updated_at = ?"
                         " WHERE sale_id = ? AND (? OR kind = ?)"
                         " AND status IN ('new', 'in_progress', ?)",
                         "ssibss", to, now, sale_id, kind == NULL, kind ? kind : "", last);
    return sb_db_end(db, err);
}

/* The same from every open status. */
static sb_err bulk_move(struct sb_db *db, int64_t sale_id, const char *kind, const char *to,
                        int64_t user_id)
{
    return bulk_move_from(db, sale_id, kind, "packed", to, user_id);
}

sb_err sb_store_fulfillments_cancel_sale(struct sb_db *db, int64_t sale_id, int64_t user_id)
{
    return bulk_move(db, sale_id, NULL, sb_ff_status_name(SB_FF_CANCELLED), user_id);
}

/* Every open status may go straight to shipped for a shipping fulfillment (F2 allows
 * skipping forward), so a shipment marked shipped never breaks the rule. */
sb_err sb_store_fulfillments_ship_sale(struct sb_db *db, int64_t sale_id, int64_t user_id)
{
    return bulk_move(db, sale_id, sb_ff_kind_name(SB_FF_SHIPPING), sb_ff_status_name(SB_FF_SHIPPED),
                     user_id);
}

sb_err sb_store_fulfillments_pick_up_sale(struct sb_db *db, int64_t sale_id, int64_t user_id,
                                          int64_t *ret_pickups, int64_t *ret_moved)
{
    int64_t all = 0, open = 0;
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status IN ('new',"
                           " 'in_progress', 'packed') THEN 1 ELSE 0 END), 0) FROM fulfillments"
                           " WHERE sale_id = ? AND kind = ?",
                           "is", sale_id, sb_ff_kind_name(SB_FF_PICKUP));
    if (err)
        return err;
    if (sb_q_next(&q)) {
        all = sb_q_int(&q, 0);
        open = sb_q_int(&q, 1);
    }
    err = sb_q_close(&q);
    if (!err && open)
        err = bulk_move(db, sale_id, sb_ff_kind_name(SB_FF_PICKUP),
                        sb_ff_status_name(SB_FF_PICKED_UP), user_id);
    if (!err) {
        *ret_pickups = all;
        *ret_moved = open;
    }
    return err;
}

sb_err sb_store_fulfillments_pack_pickups(struct sb_db *db, int64_t sale_id, int64_t *ret_moved)
{
    sb_err err = sb_db_int(db, ret_moved,
                           "SELECT COUNT(*) FROM fulfillments WHERE sale_id = ? AND kind = ?"
                           " AND status IN ('new', 'in_progress')",
                           "is", sale_id, sb_ff_kind_name(SB_FF_PICKUP));
    if (!err && *ret_moved)
        err = bulk_move_from(db, sale_id, sb_ff_kind_name(SB_FF_PICKUP), "in_progress",
                             sb_ff_status_name(SB_FF_PACKED), 0);
    return err;
}

static sb_err add_lines(struct sb_db *db, json_t *row)
{
    json_t *lines;
    sb_err err = sb_db_json_all(
        db, &lines,
        "SELECT fl.sale_line_id, fl.quantity, fl.backorder_quantity, sl.sku, sl.description"
        " FROM fulfillment_lines fl JOIN sale_lines sl ON sl.id = fl.sale_line_id"
        " WHERE fl.fulfillment_id = ? ORDER BY sl.line_no, sl.id",
        "i", (int64_t)json_integer_value(json_object_get(row, "id")));
    if (!err)
        json_object_set_new(row, "lines", lines);
    return err;
}

/* Adds "lines" to every row; on failure the rows are released. */
static sb_err finish_rows(struct sb_db *db, json_t *rows, json_t **ret)
{
    size_t i;
    json_t *row;
    sb_err err = SB_OK;
    json_array_foreach(rows, i, row)
    {
        err = add_lines(db, row);
        if (err) {
            json_decref(rows);
            return err;
        }
    }
    *ret = rows;
    return SB_OK;
}

sb_err sb_store_fulfillments_for_sale(struct sb_db *db, const struct sb_scope *scope,
                                      int64_t sale_id, json_t **ret)
{
    json_t *rows;
    sb_err err = sb_db_json_all(db, &rows,
                                "SELECT " FF_COLS
                                " FROM fulfillments f WHERE f.sale_id = ? AND " SB_SQL_SCOPE(
                                    "f.outlet_id") " ORDER BY f.id",
                                "ibi", sale_id, scope->all_outlets, scope->user_id);
    return err ? err : finish_rows(db, rows, ret);
}

sb_err sb_store_fulfillment_list(struct sb_db *db, const struct sb_scope *scope,
                                 const struct sb_ff_filter *f, json_t **ret)
{
    json_t *rows;
    sb_err err = sb_db_json_all(
        db, &rows,
        ROW_SELECT " WHERE f.id > ? AND " SB_SQL_SCOPE(
            "f.outlet_id") " AND (? OR f.status = ?) AND (? OR f.outlet_id = ?)"
                           " AND (? OR f.kind = ?)"
                           " AND (? OR (f.status IN ('new', 'in_progress', 'packed') AND"
                           " s.status <> 'voided') = ?)"
                           " ORDER BY f.id LIMIT ?",
        "ibibsbibsbbi", f->after, scope->all_outlets, scope->user_id, !f->status_set,
        sb_ff_status_name(f->status), f->outlet_id == 0, f->outlet_id, !f->kind_set,
        sb_ff_kind_name(f->kind), !f->open_set, f->open, f->limit);
    return err ? err : finish_rows(db, rows, ret);
}

sb_err sb_store_fulfillment_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                json_t **ret)
{
    json_t *row, *events = NULL, *shipment = NULL;
    sb_err err =
        sb_db_json_one(db, &row, ROW_SELECT " WHERE f.id = ? AND " SB_SQL_SCOPE("f.outlet_id"),
                       "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    err = add_lines(db, row);
    if (!err)
        err = sb_db_json_all(db, &events,
                             "SELECT e.id, e.from_status, e.to_status, e.user_id, u.username,"
                             " e.created_at FROM fulfillment_events e"
                             " LEFT JOIN users u ON u.id = e.user_id"
                             " WHERE e.fulfillment_id = ? ORDER BY e.id",
                             "i", id);
    if (!err) {
        json_object_set_new(row, "events", events);
        err = sb_store_shipment_for_sale(
            db, (int64_t)json_integer_value(json_object_get(row, "sale_id")), &shipment);
        if (err == SB_ENOT_FOUND) {
            shipment = json_null();
            err = SB_OK;
        }
    }
    if (err) {
        json_decref(row);
        return err;
    }
    json_object_set_new(row, "shipment", shipment);
    *ret = row;
    return SB_OK;
}

sb_err sb_store_fulfillment_set_status(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                       enum sb_ff_status to)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    struct sb_q q;
    bool found = false;
    int64_t sale_id = 0;
    enum sb_ff_kind kind = SB_FF_SHIPPING;
    enum sb_ff_status from = SB_FF_NEW;
    bool known = true, voided = false;
    err = sb_q_open(
        &q, db,
        "SELECT f.sale_id, f.kind, f.status, s.status FROM fulfillments f"
        " JOIN sales s ON s.id = f.sale_id WHERE f.id = ? AND " SB_SQL_SCOPE("f.outlet_id"),
        "ibi", id, scope->all_outlets, scope->user_id);
    if (!err) {
        found = sb_q_next(&q);
        if (found) {
            sale_id = sb_q_int(&q, 0);
            known = sb_ff_kind_parse(sb_q_text(&q, 1), &kind) &&
                    sb_ff_status_parse(sb_q_text(&q, 2), &from);
            voided = strcmp(sb_q_text(&q, 3), "voided") == 0;
        }
        err = sb_q_close(&q);
    }
    if (!err && !found)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no such fulfillment");
    if (!err && !known)
        err = sb_fail(SB_EINTERNAL, NULL, "fulfillment %lld has an unknown kind or status",
                      (long long)id);
    /* F3 before F2: nothing cancelled or voided ships or is picked up */
    if (!err)
        err = sb_ff_move_check(kind, from, to, voided);
    if (!err)
        err =
            add_event(db, id, sb_ff_status_name(from), sb_ff_status_name(to), scope->user_id, now);
    if (!err)
        err = sb_db_exec(db, "UPDATE fulfillments SET status = ?, updated_at = ? WHERE id = ?",
                         "ssi", sb_ff_status_name(to), now, id);
    /* The last open shipping fulfillment closing completes the shipment. */
    if (!err && kind == SB_FF_SHIPPING && sb_ff_status_final(to))
        err = sb_store_shipment_sync(db, sale_id);
    /* the move may travel to the web order's channel (its status table) */
    if (!err)
        err = sb_store_outbox_fulfillment_moved(db, id, sb_ff_status_name(to));
    return sb_db_end(db, err);
}
