/*
 * Customer orders after their creation (store/orders.h): reading and listing
 * them, deposits, turning one into a sale and cancelling one. The stock
 * moves go through sb_store_stock_move like every other (so the ledger, the
 * reserved figure and the channels' stock queue stay one story); a line's
 * `reserved` column says what it holds now, so each unit is released once.
 */
#include "store/orders.h"
#include "core/customer-order.h"
#include "store/fulfillments.h"
#include "store/outbox-queue.h"
#include "store/sales.h"
#include "store/stock.h"
#include "util/timeutil.h"
#include "util/zone.h"

#include <stdio.h>
#include <string.h>

/* An order's status as staff see it: open or voided as an order; completed once turned into
 * a sale, whatever its balance. */
#define ORDER_STATUS                                                                   \
    "(CASE WHEN s.kind = 'order' THEN s.status WHEN s.status = 'voided' THEN 'voided'" \
    " ELSE 'completed' END)"

/* The figures the list and the detail add to an order. */
#define ORDER_EXTRA                                                                   \
    " " ORDER_STATUS " AS order_status,"                                              \
    " (SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.sale_id = s.id"      \
    " AND p.kind = 'deposit') AS deposit_total,"                                      \
    " (SELECT COALESCE(SUM(l.reserved), 0) FROM sale_lines l WHERE l.sale_id = s.id)" \
    " AS reserved_total"

struct order_row {
    char kind[12], status[12];
    bool began_as_order;
    int64_t outlet_id, total, paid_total, refunded_total;
};

/* The record as the caller may see it: another outlet's is SB_ENOT_FOUND. */
static sb_err load(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                   struct order_row *ret)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT kind, status, began_as_order, outlet_id, total, paid_total,"
                           " refunded_total FROM sales s WHERE s.id = ?"
                           " AND " SB_SQL_SCOPE("s.outlet_id"),
                           "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    if (found) {
        snprintf(ret->kind, sizeof(ret->kind), "%s", sb_q_text(&q, 0) ? sb_q_text(&q, 0) : "");
        snprintf(ret->status, sizeof(ret->status), "%s", sb_q_text(&q, 1) ? sb_q_text(&q, 1) : "");
        ret->began_as_order = sb_q_int(&q, 2) != 0;
        ret->outlet_id = sb_q_int(&q, 3);
        ret->total = sb_q_int(&q, 4);
        ret->paid_total = sb_q_int(&q, 5);
        ret->refunded_total = sb_q_int(&q, 6);
    }
    err = sb_q_close(&q);
    if (!err && !found)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no order %lld", (long long)id);
    return err;
}

/* An open order the caller may act on. */
static sb_err load_open(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                        enum sb_order_action action, struct order_row *ret)
{
    sb_err err = load(db, scope, id, ret);
    return err ? err : sb_order_can(ret->kind, ret->status, ret->began_as_order, action, id);
}

sb_err sb_store_order_get(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t **ret)
{
    struct order_row row;
    sb_err err = load(db, scope, id, &row);
    if (!err && !row.began_as_order)
        err = sb_fail(SB_ENOT_FOUND, NULL, "%lld is a %s, not a customer order", (long long)id,
                      row.kind);
    json_t *doc = NULL, *extra = NULL;
    if (!err)
        err = sb_store_sale_get(db, scope, id, &doc);
    if (!err)
        err = sb_db_json_one(db, &extra, "SELECT" ORDER_EXTRA " FROM sales s WHERE s.id = ?", "i",
                             id);
    if (err) {
        json_decref(doc);
        return err;
    }
    json_object_update(doc, extra);
    json_decref(extra);
    json_t *deposits = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(doc, "payments"), i, p)
    {
        const char *k = json_string_value(json_object_get(p, "kind"));
        if (k && strcmp(k, "deposit") == 0)
            json_array_append(deposits, p);
    }
    json_object_set_new(doc, "deposits", deposits);
    *ret = doc;
    return SB_OK;
}

sb_err sb_store_order_list(struct sb_db *db, const struct sb_scope *scope,
                           const struct sb_order_filter *f, int64_t before, int64_t limit,
                           json_t **ret)
{
    /* the order's status as staff see it: completed is "turned into a sale", whatever its
     * balance */
    const char *status = !f->status_set                ? ""
                         : f->status == SB_SALE_VOIDED ? "voided"
                         : f->status == SB_SALE_OPEN   ? "open"
                                                       : "completed";
    return sb_db_json_all(
        db, ret,
        "SELECT s.id, s.outlet_id, s.customer_id, s.status, s.kind, s.currency, s.total,"
        " s.paid_total, s.balance_due, s.refunded_total, s.note, s.source, s.channel_id,"
        " (SELECT ch.name FROM channels ch WHERE ch.id = s.channel_id) AS channel_name,"
        " s.external_id, s.external_number, s.needs_review, s.created_at, s.updated_at,"
        " s.completed_at, s.voided_at, CASE WHEN c.id IS NULL THEN NULL ELSE"
        " COALESCE(NULLIF(TRIM(c.first_name || ' ' || c.last_name), ''), c.company, c.email)"
        " END AS customer_name," ORDER_EXTRA " FROM sales s"
        " LEFT JOIN customers c ON c.id = s.customer_id"
        " WHERE s.began_as_order AND (? OR s.id < ?) AND (? OR s.outlet_id = ?)"
        " AND (? OR " ORDER_STATUS
        " = ?) AND " SB_SQL_SCOPE("s.outlet_id") " ORDER BY s.id DESC LIMIT ?",
        "bibibsbii", before == 0, before, !f->outlet_id, f->outlet_id, !f->status_set, status,
        scope->all_outlets, scope->user_id, limit);
}

sb_err sb_store_order_deposit(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                              const struct sb_sale_payment *p, int64_t user_id, int64_t *ret_id)
{
    struct order_row row;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = load_open(db, scope, id, SB_ORDER_DEPOSIT, &row);
    /* a payment on an open order is a deposit (store/sales.c) */
    if (!err)
        err = sb_store_sale_pay(db, scope, id, p, user_id, ret_id);
    return sb_db_end(db, err);
}

/* The reservations the order's lines hold, released (and, for a sale, the stock taken). */
static sb_err release_lines(struct sb_db *db, int64_t id, int64_t outlet_id, int64_t user_id,
                            bool take, const char *note)
{
    json_t *lines;
    sb_err err = sb_db_json_all(db, &lines,
                                "SELECT id, item_id, quantity, reserved, COALESCE(outlet_id, ?)"
                                " AS outlet_id FROM sale_lines WHERE sale_id = ?"
                                " AND item_id IS NOT NULL ORDER BY line_no",
                                "ii", outlet_id, id);
    if (err)
        return err;
    char order_ref[32], sale_ref[32];
    snprintf(order_ref, sizeof(order_ref), "order:%lld", (long long)id);
    snprintf(sale_ref, sizeof(sale_ref), "sale:%lld", (long long)id);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        int64_t item = json_integer_value(json_object_get(l, "item_id"));
        int64_t outlet = json_integer_value(json_object_get(l, "outlet_id"));
        int64_t reserved = json_integer_value(json_object_get(l, "reserved"));
        if (reserved > 0) {
            struct sb_stock_move m = { .item_id = item,
                                       .outlet_id = outlet,
                                       .reason = SB_STOCK_RELEASE,
                                       .quantity = -reserved,
                                       .reference = order_ref,
                                       .sale_id = id,
                                       .user_id = user_id,
                                       .note = note };
            err = sb_store_stock_move(db, &m, NULL, NULL);
            if (!err)
                err = sb_db_exec(db, "UPDATE sale_lines SET reserved = 0 WHERE id = ?", "i",
                                 (int64_t)json_integer_value(json_object_get(l, "id")));
        }
        if (!err && take) {
            struct sb_stock_move m = {
                .item_id = item,
                .outlet_id = outlet,
                .reason = SB_STOCK_SALE,
                .quantity = -json_integer_value(json_object_get(l, "quantity")),
                .reference = sale_ref,
                .sale_id = id,
                .user_id = user_id,
            };
            err = sb_store_stock_move(db, &m, NULL, NULL);
        }
        if (err)
            break;
    }
    json_decref(lines);
    return err;
}

/* The outlet's business day now (SPEC T1; a zone the tz database does not know is UTC). */
static sb_err business_day(struct sb_db *db, int64_t outlet_id, int64_t at, char day[SB_DAY_LEN])
{
    struct sb_q q;
    day[0] = '\0';
    sb_err err = sb_q_open(&q, db, "SELECT timezone FROM outlets WHERE id = ?", "i", outlet_id);
    if (err)
        return err;
    const char *zone = sb_q_next(&q) ? sb_q_text(&q, 0) : NULL;
    if (!(zone && sb_zone_day(zone, at, day)) && !sb_zone_day("UTC", at, day))
        day[0] = '\0';
    return sb_q_close(&q);
}

static sb_err complete_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             const struct sb_sale_payment *payment, int64_t user_id)
{
    struct order_row row;
    sb_err err = load_open(db, scope, id, SB_ORDER_COMPLETE, &row);
    if (!err)
        err = release_lines(db, id, row.outlet_id, user_id, true, NULL);
    /* the kind changes first: the further payment is the sale's, not a deposit */
    int64_t at = sb_time_now();
    char now[SB_TIME_LEN], day[SB_DAY_LEN];
    sb_time_format(at, now, sizeof(now));
    if (!err)
        err = business_day(db, row.outlet_id, at, day);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET kind = 'sale', updated_at = ?,"
                         " business_day = COALESCE(?, business_day) WHERE id = ?",
                         "ssi", now, day[0] ? day : NULL, id);
    if (!err && payment)
        err = sb_store_sale_pay(db, scope, id, payment, user_id, NULL);
    /* completed when nothing is due, else open with its balance, as a sale */
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET status = CASE WHEN balance_due = 0 THEN 'completed'"
                         " ELSE 'open' END, completed_at = CASE WHEN balance_due = 0 THEN"
                         " COALESCE(completed_at, ?) ELSE NULL END WHERE id = ?",
                         "si", now, id);
    return err;
}

sb_err sb_store_order_complete(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                               const struct sb_sale_payment *payment, int64_t user_id)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    return sb_db_end(db, complete_in_tx(db, scope, id, payment, user_id));
}

sb_err sb_store_order_cancel_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                   int64_t user_id, const char *reason)
{
    struct order_row row;
    sb_err err = load_open(db, scope, id, SB_ORDER_CANCEL, &row);
    if (!err)
        err = release_lines(db, id, row.outlet_id, user_id, false, reason);
    if (!err)
        err = sb_store_fulfillments_cancel_sale(db, id, user_id);
    char now[SB_TIME_LEN], note[600] = "";
    sb_time_format(sb_time_now(), now, sizeof(now));
    /* the deposits go back: a return of money, no lines, no stock */
    int64_t refund = row.paid_total - row.refunded_total;
    if (!err && refund > 0)
        err = sb_db_exec(db,
                         "INSERT INTO returns (sale_id, reason, refund_total, payment_type_id,"
                         " user_id, created_at) VALUES (?, 'order cancelled: deposits refunded',"
                         " ?, (SELECT payment_type_id FROM payments WHERE sale_id = ?"
                         " ORDER BY id LIMIT 1), ?, ?)",
                         "iiins", id, refund, id, user_id, now);
    if (reason)
        snprintf(note, sizeof(note), "Cancelled: %s", reason);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET status = 'voided', voided_at = ?, updated_at = ?,"
                         " refunded_total = refunded_total + ?,"
                         " note = CASE WHEN ? THEN COALESCE(note || ?, '') || ? ELSE note END"
                         " WHERE id = ?",
                         "ssibssi", now, now, refund > 0 ? refund : 0, reason != NULL, "\n", note,
                         id);
    return err;
}

sb_err sb_store_order_cancel(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             int64_t user_id, const char *reason)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_store_order_cancel_in_tx(db, scope, id, user_id, reason);
    /* S1: a web order cancelled in the POS is cancelled on its channel */
    if (!err)
        err = sb_store_outbox_sale_voided(db, id);
    return sb_db_end(db, err);
}
