/*
 * Sale records. The figures come from core/sale.c; this file resolves what
 * the input refers to (outlet, register, items and their prices, payment
 * types), writes the rows, and moves stock through sb_store_stock_move, all
 * in one transaction so a failure half-way leaves nothing behind.
 */
#include "store/sales.h"
#include "store/sale-cols.h"
#include "store/export-refund.h"
#include "store/sale-reopen.h"
#include "core/oversell.h"
#include "store/orders.h"
#include "store/fulfillments.h"
#include "store/notifications.h"
#include "store/outbox-queue.h"
#include "store/rows.h"
#include "store/shipments.h"
#include "store/stock.h"
#include "util/timeutil.h"
#include "util/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The channel's name comes with its id: staff may not read channel records, but they
 * see which webstore a sale came from. */
#define LINE_COLS                                                                             \
    "id, line_no, item_id, sku, description, quantity, unit_price, line_discount, tax_total," \
    " line_total, outlet_id, returned_quantity, external_line_id, reserved"

/* A field of an indexed entry, such as "lines[2].item_id". */
static sb_err fail_at(sb_err err, const char *array, size_t i, const char *key, const char *msg)
{
    char field[64];
    snprintf(field, sizeof(field), "%s[%zu].%s", array, i, key);
    return sb_fail(err, field, "%s %s", field, msg);
}

static sb_err exists(struct sb_db *db, const char *sql, int64_t id, const char *field)
{
    int64_t one;
    sb_err err = sb_db_int(db, &one, sql, "i", id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, field, "%s %lld does not exist", field,
                       (long long)id);
    return err;
}

/* Checks the sale's own references and returns the outlet's currency, its business day
 * at `now` (SPEC T1: the calendar day in the outlet's time zone; a zone the tz database
 * does not know counts as UTC) and the default price level (0: none). One read answers
 * for the outlet and every reference the sale names (one row of subqueries), each checked
 * in the order a reader of the input would; payments after the first are checked one by
 * one. */
static sb_err check_header(struct sb_db *db, const struct sb_sale_input *in, int64_t now,
                           char currency[4], char day[SB_DAY_LEN], int64_t *ret_level)
{
    struct sb_q q;
    int64_t pt0 = in->n_payments ? in->payments[0].payment_type_id : 0;
    sb_err err = sb_q_open(&q, db,
                           "SELECT o.currency, o.timezone,"
                           " (SELECT r.outlet_id FROM registers r WHERE r.id = ?),"
                           " (SELECT COUNT(*) FROM employees e WHERE e.id = ?),"
                           " (SELECT COUNT(*) FROM customers c WHERE c.id = ?),"
                           " (SELECT COUNT(*) FROM price_levels p WHERE p.id = ?),"
                           " (SELECT COUNT(*) FROM channels ch WHERE ch.id = ?),"
                           " (SELECT COUNT(*) FROM payment_types t WHERE t.id = ?),"
                           " (SELECT MIN(d.id) FROM price_levels d)"
                           " FROM outlets o WHERE o.id = ?",
                           "iiiiiii", in->register_id, in->employee_id, in->customer_id,
                           in->price_level_id, in->channel_id, pt0, in->outlet_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    bool reg_found = false;
    int64_t reg_outlet = 0, employee = 0, customer = 0, level = 0, channel = 0, ptype = 0, dflt = 0;
    if (found) {
        snprintf(currency, 4, "%s", sb_q_text(&q, 0) ? sb_q_text(&q, 0) : "");
        const char *zone = sb_q_text(&q, 1);
        if (!(zone && sb_zone_day(zone, now, day)) && !sb_zone_day("UTC", now, day))
            day[0] = '\0';
        reg_found = !sb_q_null(&q, 2);
        reg_outlet = sb_q_int(&q, 2);
        employee = sb_q_int(&q, 3);
        customer = sb_q_int(&q, 4);
        level = sb_q_int(&q, 5);
        channel = sb_q_int(&q, 6);
        ptype = sb_q_int(&q, 7);
        dflt = sb_q_null(&q, 8) ? 0 : sb_q_int(&q, 8);
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!found)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "outlet_id", "outlet %lld does not exist",
                       (long long)in->outlet_id);
    if (in->register_id && !reg_found)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "register_id", "register %lld does not exist",
                       (long long)in->register_id);
    if (in->register_id && reg_outlet != in->outlet_id)
        return sb_fail(SB_EINVALID_FIELD, "register_id", "register %lld belongs to another outlet",
                       (long long)in->register_id);
    const struct {
        int64_t id, have;
        const char *field;
    } refs[] = {
        { in->employee_id, employee, "employee_id" },
        { in->customer_id, customer, "customer_id" },
        { in->price_level_id, level, "price_level_id" },
        { in->source == SB_SALE_SOURCE_CHANNEL ? in->channel_id : 0, channel, "channel_id" },
        { pt0, ptype, "payments[0].payment_type_id" },
    };
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
        if (refs[i].id && !refs[i].have)
            return sb_fail(SB_EUNKNOWN_REFERENCE, refs[i].field, "%s %lld does not exist",
                           refs[i].field, (long long)refs[i].id);
    /* a channel sale names its channel, whose id 0 exists nowhere */
    if (in->source == SB_SALE_SOURCE_CHANNEL && !in->channel_id)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "channel_id", "channel_id 0 does not exist");
    if (in->n_payments && !pt0)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "payments[0].payment_type_id",
                       "payments[0].payment_type_id 0 does not exist");
    for (size_t i = 1; !err && i < in->n_payments; i++) {
        char field[64];
        snprintf(field, sizeof(field), "payments[%zu].payment_type_id", i);
        err = exists(db, "SELECT 1 FROM payment_types WHERE id = ?",
                     in->payments[i].payment_type_id, field);
    }
    *ret_level = in->price_level_id ? in->price_level_id : dflt;
    return err;
}

/* What resolve_lines reads of the sale's items, in one statement. */
struct line_items {
    const struct sb_sale_line *lines;
    size_t n;
    signed char *found; /* per line: 1 when its item exists */
    bool *tracked, *priced;
    int64_t *price;
};

static sb_err took_item(struct sb_q *q, void *ud)
{
    struct line_items *li = ud;
    int64_t id = sb_q_int(q, 0);
    for (size_t i = 0; i < li->n; i++) {
        if (li->lines[i].item_id != id)
            continue;
        li->found[i] = 1;
        li->tracked[i] = sb_q_int(q, 1) != 0;
        li->priced[i] = !sb_q_null(q, 2);
        li->price[i] = li->priced[i] ? sb_q_int(q, 2) : 0;
    }
    return SB_OK;
}

/* Fills in each item line's unit price from the price level when it was not given,
 * checks that items and line outlets exist, and says which lines' items track stock
 * (tracked). The items are read in one statement; the lines are then judged in order,
 * so the first bad line is the one named. */
static sb_err resolve_lines(struct sb_db *db, const struct sb_sale_input *in, int64_t level,
                            struct sb_sale_line *lines, bool *tracked)
{
    size_t n = in->n_lines;
    struct line_items li = { .lines = lines,
                             .n = n,
                             .found = calloc(n + 1, 1),
                             .tracked = tracked,
                             .priced = calloc(n + 1, sizeof(bool)),
                             .price = calloc(n + 1, sizeof(int64_t)) };
    struct sb_db_arg *ids = calloc(n + 1, sizeof(*ids));
    sb_err err = li.found && li.priced && li.price && ids ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
    size_t nids = 0;
    for (size_t i = 0; !err && i < n; i++) {
        tracked[i] = false;
        if (lines[i].item_id)
            ids[nids++] = (struct sb_db_arg){ .kind = 'i', .i = lines[i].item_id };
    }
    struct sb_db_arg lvl = { .kind = 'i', .i = level };
    if (!err)
        err = sb_rows_select(db,
                             "SELECT i.id, i.track_stock, (SELECT amount FROM item_prices"
                             " WHERE item_id = i.id AND price_level_id = ?) FROM items i"
                             " WHERE i.id IN (",
                             ")", &lvl, 1, ids, nids, NULL, 0, took_item, &li);
    for (size_t i = 0; !err && i < n; i++) {
        struct sb_sale_line *l = &lines[i];
        if (l->outlet_id && l->outlet_id != in->outlet_id) {
            err = exists(db, "SELECT 1 FROM outlets WHERE id = ?", l->outlet_id, "outlet_id");
            if (err == SB_EUNKNOWN_REFERENCE)
                err = fail_at(err, "lines", i, "outlet_id", "does not exist");
        }
        if (err || !l->item_id)
            continue;
        if (!li.found[i])
            err = fail_at(SB_EUNKNOWN_REFERENCE, "lines", i, "item_id", "does not exist");
        else if (!l->unit_price_set && !li.priced[i])
            err = fail_at(SB_EINVALID_FIELD, "lines", i, "unit_price",
                          "is needed: the item has no price at the sale's price level");
        else if (!l->unit_price_set) {
            l->unit_price = li.price[i];
            l->unit_price_set = true;
        }
    }
    free(li.found);
    free(li.priced);
    free(li.price);
    free(ids);
    return err;
}

/* What an outlet has of an item, for core/oversell.c. */
static sb_err stock_have(void *ctx, int64_t item_id, int64_t outlet_id, struct sb_stock_have *ret)
{
    struct sb_db *db = ctx;
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT i.track_stock, i.name, o.name,"
                           " COALESCE(st.on_hand - st.reserved, 0) FROM items i"
                           " JOIN outlets o ON o.id = ?"
                           " LEFT JOIN stock st ON st.item_id = i.id AND st.outlet_id = o.id"
                           " WHERE i.id = ?",
                           "ii", outlet_id, item_id);
    if (err)
        return err;
    if (sb_q_next(&q)) {
        ret->tracked = sb_q_int(&q, 0) != 0;
        snprintf(ret->item, sizeof(ret->item), "%s", sb_q_text(&q, 1) ? sb_q_text(&q, 1) : "");
        snprintf(ret->outlet, sizeof(ret->outlet), "%s", sb_q_text(&q, 2) ? sb_q_text(&q, 2) : "");
        ret->available = sb_q_int(&q, 3);
    }
    return sb_q_close(&q);
}

static sb_err took_line(struct sb_q *q, void *ud)
{
    int64_t *line_ids = ud;
    line_ids[sb_q_int(q, 1) - 1] = sb_q_int(q, 0); /* by line_no */
    return SB_OK;
}

static void tax_row(struct sb_db_arg *a, int64_t sale_id, int64_t line_id,
                    const struct sb_sale_tax *t)
{
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = sale_id };
    a[1] = (struct sb_db_arg){ .kind = 'n', .i = line_id };
    a[2] = (struct sb_db_arg){ .kind = 's', .s = t->name };
    a[3] = (struct sb_db_arg){ .kind = 's', .s = t->rate };
    a[4] = (struct sb_db_arg){ .kind = 'i', .i = t->amount };
}

/* The lines, their taxes and the order's, and the stock the lines take: each kind of row
 * in one statement (a few for long sales, rows.h), in line order. line_ids gets each
 * line's id; tracked says which lines' items track stock (resolve_lines). */
static sb_err insert_lines(struct sb_db *db, const struct sb_sale_input *in,
                           const struct sb_sale_line *lines, const struct sb_sale_line_calc *calc,
                           const bool *tracked, int64_t sale_id, int64_t *line_ids)
{
    /* M6: an order holds its stock as reserved (or leaves it alone); a sale or an invoice
     * takes it */
    bool order = in->kind == SB_KIND_ORDER;
    bool moves = !order || in->reserve;
    char ref[32];
    snprintf(ref, sizeof(ref), order ? "order:%lld" : "sale:%lld", (long long)sale_id);
    size_t n = in->n_lines, ntax = in->n_taxes;
    for (size_t i = 0; i < n; i++)
        ntax += lines[i].n_taxes;
    struct sb_db_arg *args = calloc(n * 15 + ntax * 5 + 1, sizeof(*args));
    struct sb_stock_move *m = calloc(n + 1, sizeof(*m));
    bool *known = calloc(n + 1, sizeof(bool)), *applied = calloc(n + 1, sizeof(bool));
    if (!args || !m || !known || !applied) {
        free(args);
        free(m);
        free(known);
        free(applied);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        const struct sb_sale_line *l = &lines[i];
        struct sb_db_arg *a = &args[i * 15];
        a[0] = (struct sb_db_arg){ .kind = 'i', .i = sale_id };
        a[1] = (struct sb_db_arg){ .kind = 'i', .i = (int64_t)(i + 1) };
        a[2] = (struct sb_db_arg){ .kind = 'n', .i = l->item_id };
        a[3] = (struct sb_db_arg){ .kind = 's', .s = l->sku };
        a[4] = (struct sb_db_arg){ .kind = 'n', .i = l->item_id };
        a[5] = (struct sb_db_arg){ .kind = 's', .s = l->description };
        a[6] = (struct sb_db_arg){ .kind = 'n', .i = l->item_id };
        a[7] = (struct sb_db_arg){ .kind = 'i', .i = l->quantity };
        a[8] = (struct sb_db_arg){ .kind = 'i', .i = l->unit_price };
        a[9] = (struct sb_db_arg){ .kind = 'i', .i = l->line_discount };
        a[10] = (struct sb_db_arg){ .kind = 'i', .i = calc[i].tax_total };
        a[11] = (struct sb_db_arg){ .kind = 'i', .i = calc[i].line_total };
        a[12] = (struct sb_db_arg){ .kind = 'i', .i = l->outlet_id ? l->outlet_id : in->outlet_id };
        a[13] = (struct sb_db_arg){ .kind = 's', .s = l->external_line_id };
        a[14] = (struct sb_db_arg){ .kind = 'b', .i = l->shipping };
        line_ids[i] = 0;
    }
    sb_err err = sb_rows_insert(db,
                                "INSERT INTO sale_lines (sale_id, line_no, item_id, sku,"
                                " description, quantity, unit_price, line_discount, tax_total,"
                                " line_total, outlet_id, external_line_id, is_shipping)",
                                "(?, ?, ?, COALESCE(?, (SELECT sku FROM items WHERE id = ?)),"
                                " COALESCE(?, (SELECT name FROM items WHERE id = ?)),"
                                " ?, ?, ?, ?, ?, ?, ?, ?)",
                                " RETURNING id, line_no", args, n, took_line, line_ids);
    /* the lines' taxes, then the order's (no line) */
    size_t k = 0;
    for (size_t i = 0; !err && i < n; i++)
        for (size_t t = 0; t < lines[i].n_taxes; t++, k++)
            tax_row(&args[k * 5], sale_id, line_ids[i], &lines[i].taxes[t]);
    for (size_t t = 0; !err && t < in->n_taxes; t++, k++)
        tax_row(&args[k * 5], sale_id, 0, &in->taxes[t]);
    if (!err)
        err =
            sb_rows_insert(db, "INSERT INTO sale_taxes (sale_id, sale_line_id, name, rate, amount)",
                           "(?, ?, ?, ?, ?)", NULL, args, k, NULL, NULL);
    size_t nm = 0;
    for (size_t i = 0; !err && moves && i < n; i++) {
        const struct sb_sale_line *l = &lines[i];
        if (!l->item_id)
            continue;
        m[nm] = (struct sb_stock_move){ .item_id = l->item_id,
                                        .outlet_id = l->outlet_id ? l->outlet_id : in->outlet_id,
                                        .reason = order ? SB_STOCK_RESERVATION : SB_STOCK_SALE,
                                        .quantity = order ? l->quantity : -l->quantity,
                                        .reference = ref,
                                        .sale_id = sale_id,
                                        .user_id = in->user_id };
        known[nm++] = tracked[i];
    }
    if (!err)
        err = sb_store_stock_moves(db, m, nm, known, applied);
    /* what an order's line holds, released when the order becomes a sale or is cancelled */
    for (size_t i = 0, j = 0; !err && order && moves && i < n; i++) {
        if (!lines[i].item_id)
            continue;
        if (applied[j++])
            err = sb_db_exec(db, "UPDATE sale_lines SET reserved = ? WHERE id = ?", "ii",
                             lines[i].quantity, line_ids[i]);
    }
    free(args);
    free(m);
    free(known);
    free(applied);
    return err;
}

static sb_err insert_parts(struct sb_db *db, const struct sb_sale_input *in, int64_t sale_id,
                           const char *now)
{
    size_t most = in->n_discounts > in->n_adjustments ? in->n_discounts : in->n_adjustments;
    struct sb_db_arg *args = calloc(most * 4 + 1, sizeof(*args));
    if (!args)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < in->n_discounts; i++) {
        args[i * 4] = (struct sb_db_arg){ .kind = 'i', .i = sale_id };
        args[i * 4 + 1] = (struct sb_db_arg){ .kind = 's', .s = in->discounts[i].name };
        args[i * 4 + 2] = (struct sb_db_arg){ .kind = 's', .s = in->discounts[i].code };
        args[i * 4 + 3] = (struct sb_db_arg){ .kind = 'i', .i = in->discounts[i].amount };
    }
    sb_err err = sb_rows_insert(db, "INSERT INTO sale_discounts (sale_id, name, code, amount)",
                                "(?, ?, ?, ?)", NULL, args, in->n_discounts, NULL, NULL);
    for (size_t i = 0; i < in->n_adjustments; i++) {
        args[i * 3] = (struct sb_db_arg){ .kind = 'i', .i = sale_id };
        args[i * 3 + 1] = (struct sb_db_arg){ .kind = 's', .s = in->adjustments[i].reason };
        args[i * 3 + 2] = (struct sb_db_arg){ .kind = 'i', .i = in->adjustments[i].amount };
    }
    if (!err)
        err = sb_rows_insert(db, "INSERT INTO sale_adjustments (sale_id, reason, amount)",
                             "(?, ?, ?)", NULL, args, in->n_adjustments, NULL, NULL);
    free(args);
    /* one at a time: a repeated external id is named by its index */
    for (size_t i = 0; !err && i < in->n_payments; i++) {
        const struct sb_sale_payment *p = &in->payments[i];
        err = sb_db_exec(db,
                         "INSERT INTO payments (sale_id, payment_type_id, amount, reference,"
                         " external_id, user_id, created_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         "iiissnss", sale_id, p->payment_type_id, p->amount, p->reference,
                         p->external_id, in->user_id, now,
                         in->kind == SB_KIND_ORDER ? "deposit" : "payment");
        if (err == SB_EDUPLICATE)
            err = fail_at(err, "payments", i, "external_id", "is repeated");
    }
    return err;
}

/* Shipment, fulfillment of every line at the sale's outlet, and the notification. */
static sb_err ship(struct sb_db *db, const struct sb_sale_input *in, int64_t sale_id,
                   const int64_t *line_ids)
{
    int64_t shipment_id, ff_id = 0;
    sb_err err = sb_store_shipment_create(db, sale_id, in->ship_to, in->ship_method, in->ship_note,
                                          &shipment_id);
    if (err || in->own_fulfillments)
        return err;
    struct sb_ff_line *ffl = calloc(in->n_lines, sizeof(*ffl));
    if (!ffl)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < in->n_lines; i++)
        ffl[i] =
            (struct sb_ff_line){ .sale_line_id = line_ids[i], .quantity = in->lines[i].quantity };
    struct sb_ff_new f = { .sale_id = sale_id,
                           .outlet_id = in->outlet_id,
                           .user_id = in->user_id,
                           .kind = in->pickup ? SB_FF_PICKUP : SB_FF_SHIPPING,
                           .lines = ffl,
                           .n_lines = in->n_lines };
    err = sb_store_fulfillment_create(db, &f, &ff_id);
    free(ffl);
    if (err || in->no_notification)
        return err;
    char title[160];
    if (in->external_number)
        snprintf(title, sizeof(title), "New %s order #%s", in->pickup ? "pickup" : "shipping",
                 in->external_number);
    else
        snprintf(title, sizeof(title), "New %s order #%lld", in->pickup ? "pickup" : "shipping",
                 (long long)sale_id);
    struct sb_notification n = { .outlet_id = in->outlet_id,
                                 .kind = "fulfillment.new",
                                 .title = title,
                                 .sale_id = sale_id,
                                 .fulfillment_id = ff_id };
    int64_t nid;
    return sb_store_notification_create(db, &n, &nid);
}

static sb_err create_in_tx(struct sb_db *db, const struct sb_sale_input *in,
                           struct sb_sale_line *lines, struct sb_sale_line_calc *calc,
                           bool *tracked, int64_t *line_ids, int64_t *ret_id)
{
    char currency[4] = "", now[SB_TIME_LEN], day[SB_DAY_LEN] = "";
    int64_t at = sb_time_now(), level = 0;
    sb_time_format(at, now, sizeof(now));
    sb_err err = check_header(db, in, at, currency, day, &level);
    if (!err)
        err = resolve_lines(db, in, level, lines, tracked);
    struct sb_sale_input resolved = *in;
    resolved.lines = lines;
    struct sb_sale_totals t;
    if (!err)
        err = sb_sale_compute(&resolved, calc, &t);
    /* in the sale's transaction: the stock cannot change between the check and the sale */
    if (!err && (in->kind != SB_KIND_ORDER || in->reserve))
        err = sb_oversell_check(in, stock_have, db);
    if (err)
        return err;
    /* an order stays open whatever it holds in deposits, until it becomes a sale (M6) */
    enum sb_sale_status status =
        in->kind == SB_KIND_ORDER ? SB_SALE_OPEN : sb_sale_status_for(t.total, t.paid_total);
    int64_t id = 0;
    err = sb_db_int(db, &id,
                    "INSERT INTO sales (outlet_id, register_id, employee_id, customer_id, user_id,"
                    " status, currency, subtotal, discount_total, tax_total, adjustment_total,"
                    " total, paid_total, balance_due, note, source, channel_id, external_id,"
                    " external_number, needs_review, review_reason, created_at, updated_at,"
                    " completed_at, business_day, kind, began_as_order) VALUES (?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    "innnnssiiiiiiissnssbssssssb", in->outlet_id, in->register_id, in->employee_id,
                    in->customer_id, in->user_id, sb_sale_status_name(status), currency, t.subtotal,
                    t.discount_total, t.tax_total, t.adjustment_total, t.total, t.paid_total,
                    t.balance_due, in->note, sb_sale_source_name(in->source), in->channel_id,
                    in->external_id, in->external_number, in->needs_review, in->review_reason, now,
                    now, status == SB_SALE_COMPLETED ? now : NULL, day[0] ? day : NULL,
                    sb_sale_kind_name(in->kind), in->kind == SB_KIND_ORDER);
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "external_id", "this channel order is already recorded");
    if (!err)
        err = insert_lines(db, in, lines, calc, tracked, id, line_ids);
    if (!err)
        err = insert_parts(db, in, id, now);
    if (!err && in->ship_to)
        err = ship(db, in, id, line_ids);
    if (!err)
        *ret_id = id;
    return err;
}

sb_err sb_store_sale_create_lines(struct sb_db *db, const struct sb_sale_input *in, int64_t *ret_id,
                                  int64_t *ret_line_ids)
{
    sb_err err = sb_sale_validate(in);
    if (err)
        return err;
    /* a working copy: unit prices get filled in from the price level */
    struct sb_sale_line *lines = calloc(in->n_lines + 1, sizeof(*lines));
    struct sb_sale_line_calc *calc = calloc(in->n_lines + 1, sizeof(*calc));
    int64_t *line_ids = calloc(in->n_lines + 1, sizeof(*line_ids));
    bool *tracked = calloc(in->n_lines + 1, sizeof(*tracked));
    if (!lines || !calc || !line_ids || !tracked) {
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    } else {
        if (in->n_lines)
            memcpy(lines, in->lines, in->n_lines * sizeof(*lines));
        err = sb_db_begin(db);
        if (!err)
            err = sb_db_end(db, create_in_tx(db, in, lines, calc, tracked, line_ids, ret_id));
        if (!err && ret_line_ids && in->n_lines)
            memcpy(ret_line_ids, line_ids, in->n_lines * sizeof(*line_ids));
    }
    free(lines);
    free(calc);
    free(line_ids);
    free(tracked);
    return err;
}

sb_err sb_store_sale_create(struct sb_db *db, const struct sb_sale_input *in, int64_t *ret_id)
{
    return sb_store_sale_create_lines(db, in, ret_id, NULL);
}

/* ---- reading a sale ---- */

/* Puts each row of rows into the array `key` of the object in parents whose "id"
 * equals the row's parent_key: line taxes under their line, return lines under
 * their return. One query per kind of child instead of one per parent. */
static void nest(json_t *parents, const char *key, json_t *rows, const char *parent_key)
{
    json_t *by_id = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(parents, i, p)
    {
        char k[24];
        snprintf(k, sizeof(k), "%lld", (long long)json_integer_value(json_object_get(p, "id")));
        json_object_set_new(p, key, json_array());
        json_object_set(by_id, k, p);
    }
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        char k[24];
        snprintf(k, sizeof(k), "%lld",
                 (long long)json_integer_value(json_object_get(row, parent_key)));
        json_t *parent = json_object_get(by_id, k);
        if (parent)
            json_array_append(json_object_get(parent, key), row);
    }
    json_decref(by_id);
}

static sb_err sale_parts(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t *s)
{
    json_t *lines = NULL, *taxes = NULL, *line_taxes = json_array(), *order_taxes = json_array(),
           *rets = NULL, *ret_lines = NULL, *v = NULL;
    sb_err err = sb_db_json_all(db, &lines,
                                "SELECT " LINE_COLS " FROM sale_lines WHERE sale_id = ?"
                                " ORDER BY line_no",
                                "i", id);
    if (!err)
        err = sb_db_json_all(db, &taxes,
                             "SELECT id, sale_line_id, name, rate, amount FROM sale_taxes"
                             " WHERE sale_id = ? ORDER BY id",
                             "i", id);
    if (!err) {
        size_t i;
        json_t *t;
        json_array_foreach(taxes, i, t)
        {
            json_array_append(
                json_is_null(json_object_get(t, "sale_line_id")) ? order_taxes : line_taxes, t);
        }
        nest(lines, "taxes", line_taxes, "sale_line_id");
        json_object_set(s, "lines", lines);
        json_object_set(s, "taxes", order_taxes);
    }
    if (!err)
        err = sb_db_json_all(db, &v,
                             "SELECT id, name, code, amount FROM sale_discounts WHERE sale_id = ?"
                             " ORDER BY id",
                             "i", id);
    if (!err) {
        json_object_set_new(s, "discounts", v);
        err = sb_db_json_all(db, &v,
                             "SELECT id, reason, amount FROM sale_adjustments WHERE sale_id = ?"
                             " ORDER BY id",
                             "i", id);
    }
    if (!err) {
        json_object_set_new(s, "adjustments", v);
        err = sb_db_json_all(
            db, &v,
            "SELECT p.id, p.payment_type_id, t.name AS payment_type_name,"
            " p.amount, p.kind, p.reference, p.external_id, p.user_id,"
            " p.created_at FROM payments p JOIN payment_types t ON t.id = p.payment_type_id"
            " WHERE p.sale_id = ? ORDER BY p.id",
            "i", id);
    }
    if (!err) {
        json_object_set_new(s, "payments", v);
        err = sb_db_json_all(db, &rets,
                             "SELECT r.id, r.reason, r.refund_total, r.payment_type_id,"
                             " t.name AS payment_type_name, r.external_id, r.user_id,"
                             " r.created_at FROM returns r"
                             " LEFT JOIN payment_types t ON t.id = r.payment_type_id"
                             " WHERE r.sale_id = ? ORDER BY r.id",
                             "i", id);
    }
    if (!err)
        err = sb_db_json_all(db, &ret_lines,
                             "SELECT l.id, l.return_id, l.sale_line_id, l.quantity, l.amount,"
                             " l.restock FROM return_lines l JOIN returns r ON r.id = l.return_id"
                             " WHERE r.sale_id = ? ORDER BY l.id",
                             "i", id);
    if (!err) {
        nest(rets, "lines", ret_lines, "return_id");
        json_object_set(s, "returns", rets);
        json_t *cid = json_object_get(s, "customer_id");
        if (json_is_integer(cid)) {
            err = sb_db_json_one(db, &v,
                                 "SELECT id, first_name, last_name, email, company"
                                 " FROM customers WHERE id = ?",
                                 "i", (int64_t)json_integer_value(cid));
            if (!err)
                json_object_set_new(s, "customer", v);
        } else {
            json_object_set_new(s, "customer", json_null());
        }
    }
    if (!err) {
        err = sb_store_shipment_for_sale(db, id, &v);
        if (err == SB_ENOT_FOUND) {
            v = json_null();
            err = SB_OK;
        }
        if (!err)
            json_object_set_new(s, "shipment", v);
    }
    if (!err) {
        err = sb_store_fulfillments_for_sale(db, scope, id, &v);
        if (!err)
            json_object_set_new(s, "fulfillments", v);
    }
    /* E9: who changed what on the sale, and when */
    if (!err) {
        err = sb_store_sale_history(db, id, &v);
        if (!err)
            json_object_set_new(s, "history", v);
    }
    json_decref(lines);
    json_decref(taxes);
    json_decref(line_taxes);
    json_decref(order_taxes);
    json_decref(rets);
    json_decref(ret_lines);
    return err;
}

sb_err sb_store_sale_get(struct sb_db *db, const struct sb_scope *scope, int64_t id, json_t **ret)
{
    json_t *s;
    sb_err err = sb_db_json_one(db, &s,
                                "SELECT " SALE_COLS " FROM sales s WHERE s.id = ?"
                                " AND " SB_SQL_SCOPE("s.outlet_id"),
                                "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    err = sale_parts(db, scope, id, s);
    if (err) {
        json_decref(s);
        return err;
    }
    *ret = s;
    return SB_OK;
}

/* ---- changing a sale ---- */

struct sale_state {
    enum sb_sale_status status;
    bool order; /* an open customer order (M6) */
    int64_t outlet_id;
    struct sb_sale_totals t;
    int64_t refunded_total;
};

/* The sale as the caller may see it: another outlet's is SB_ENOT_FOUND. */
static sb_err load(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                   struct sale_state *ret)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT status, outlet_id, total, paid_total, balance_due,"
                           " refunded_total, kind FROM sales s WHERE s.id = ?"
                           " AND " SB_SQL_SCOPE("s.outlet_id"),
                           "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    if (found) {
        if (!sb_sale_status_parse(sb_q_text(&q, 0), &ret->status))
            ret->status = SB_SALE_OPEN;
        ret->outlet_id = sb_q_int(&q, 1);
        ret->t.total = sb_q_int(&q, 2);
        ret->t.paid_total = sb_q_int(&q, 3);
        ret->t.balance_due = sb_q_int(&q, 4);
        ret->refunded_total = sb_q_int(&q, 5);
        ret->order = sb_q_text(&q, 6) && strcmp(sb_q_text(&q, 6), "order") == 0;
    }
    err = sb_q_close(&q);
    if (!err && !found)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no sale %lld", (long long)id);
    return err;
}

static sb_err pay_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                        const struct sb_sale_payment *p, int64_t user_id, int64_t *ret_id)
{
    struct sale_state s;
    sb_err err = load(db, scope, sale_id, &s);
    if (err)
        return err;
    if (s.status != SB_SALE_OPEN)
        return sb_fail(SB_ECONFLICT, NULL, "sale %lld is %s: only open sales take payments",
                       (long long)sale_id, sb_sale_status_name(s.status));
    err = exists(db, "SELECT 1 FROM payment_types WHERE id = ?", p->payment_type_id,
                 "payment_type_id");
    if (!err)
        err = sb_sale_pay(&s.t, p->amount);
    if (err)
        return err;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    /* M6: money taken on an open order is a deposit, and the order stays open. A payment
     * recorded already (its external id) is a duplicate the channel's order import goes on
     * from. */
    sb_db_may_fail(db);
    err = sb_db_int(db, ret_id,
                    "INSERT INTO payments (sale_id, payment_type_id, amount, reference,"
                    " external_id, user_id, created_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " RETURNING id",
                    "iiissnss", sale_id, p->payment_type_id, p->amount, p->reference,
                    p->external_id, user_id, now, s.order ? "deposit" : "payment");
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "external_id", "this payment is already recorded");
    enum sb_sale_status st = s.order ? SB_SALE_OPEN : sb_sale_status_for(s.t.total, s.t.paid_total);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET paid_total = ?, balance_due = ?, status = ?,"
                         " completed_at = CASE WHEN ? THEN ? ELSE completed_at END,"
                         " updated_at = ? WHERE id = ?",
                         "iisbssi", s.t.paid_total, s.t.balance_due, sb_sale_status_name(st),
                         st == SB_SALE_COMPLETED, now, now, sale_id);
    /* L2: a web order staff took the balance of (a channel's own payment comes with no
     * user) may travel to its channel as paid */
    if (!err && user_id && st == SB_SALE_COMPLETED)
        err = sb_store_outbox_sale_status(db, sale_id, "paid");
    return err;
}

sb_err sb_store_sale_pay(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                         const struct sb_sale_payment *p, int64_t user_id, int64_t *ret_id)
{
    int64_t id = 0;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = sb_db_end(db, pay_in_tx(db, scope, sale_id, p, user_id, &id));
    if (!err && ret_id)
        *ret_id = id;
    return err;
}

/* A void: in the POS (staff), refused once anything was returned; for a channel's cancel
 * (S1), whatever was returned before: returns stay on record as they are, and only the
 * units no return took come back to stock, so each unit comes back exactly once. */
static sb_err void_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                         int64_t user_id, const char *reason, bool after_returns)
{
    struct sale_state s;
    sb_err err = load(db, scope, sale_id, &s);
    if (err)
        return err;
    if (s.status == SB_SALE_VOIDED)
        return sb_fail(SB_ECONFLICT, NULL, "sale %lld is already voided", (long long)sale_id);
    /* M6, S1: an open order has taken no stock: voiding it is cancelling it (its
     * reservations released, its deposits refunded) */
    if (s.order)
        return sb_store_order_cancel_in_tx(db, scope, sale_id, user_id, reason);
    int64_t n_returns = 0;
    err = sb_db_int(db, &n_returns, "SELECT COUNT(*) FROM returns WHERE sale_id = ?", "i", sale_id);
    if (err)
        return err;
    if (n_returns > 0 && !after_returns)
        return sb_fail(SB_ECONFLICT, NULL,
                       "sale %lld has returns: its returned units and refunds are on record,"
                       " so it cannot be voided; return the rest instead",
                       (long long)sale_id);
    json_t *lines;
    err = sb_db_json_all(db, &lines,
                         "SELECT item_id, quantity - returned_quantity AS quantity,"
                         " COALESCE(outlet_id, ?) AS outlet_id FROM sale_lines"
                         " WHERE sale_id = ? AND item_id IS NOT NULL"
                         " AND quantity > returned_quantity ORDER BY id",
                         "ii", s.outlet_id, sale_id);
    if (err)
        return err;
    char ref[32];
    snprintf(ref, sizeof(ref), "void:%lld", (long long)sale_id);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        struct sb_stock_move m = {
            .item_id = json_integer_value(json_object_get(l, "item_id")),
            .outlet_id = json_integer_value(json_object_get(l, "outlet_id")),
            .reason = SB_STOCK_VOID,
            .quantity = json_integer_value(json_object_get(l, "quantity")),
            .reference = ref,
            .sale_id = sale_id,
            .user_id = user_id,
            .note = reason,
        };
        err = sb_store_stock_move(db, &m, NULL, NULL);
        if (err)
            break;
    }
    json_decref(lines);
    if (!err)
        err = sb_store_fulfillments_cancel_sale(db, sale_id, user_id);
    char now[SB_TIME_LEN], note[600] = "";
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (reason)
        snprintf(note, sizeof(note), "Voided: %s", reason);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET status = 'voided', voided_at = ?, updated_at = ?,"
                         " note = CASE WHEN ? THEN COALESCE(note || ?, '') || ? ELSE note END"
                         " WHERE id = ?",
                         "ssbssi", now, now, reason != NULL, "\n", note, sale_id);
    return err;
}

sb_err sb_store_sale_void(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                          int64_t user_id, const char *reason)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    err = void_in_tx(db, scope, sale_id, user_id, reason, false);
    /* S1: a web order voided in the POS is cancelled on its channel */
    if (!err)
        err = sb_store_outbox_sale_voided(db, sale_id);
    return sb_db_end(db, err);
}

sb_err sb_store_sale_void_cancelled(struct sb_db *db, int64_t sale_id, const char *reason)
{
    static const struct sb_scope everything = { .all_outlets = true, .role = SB_ROLE_ADMIN };
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    return sb_db_end(db, void_in_tx(db, &everything, sale_id, 0, reason, true));
}

sb_err sb_store_sale_set_channel_details(struct sb_db *db, int64_t sale_id, const char *note,
                                         int64_t customer_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "UPDATE sales SET note = ?, customer_id = ?, updated_at = ?"
                      " WHERE id = ? AND source = 'channel' AND status <> 'voided'",
                      "snsi", note, customer_id, now, sale_id);
}

/* One returned line: the checks, the row, the returned quantity and the stock. */
static sb_err return_line(struct sb_db *db, int64_t sale_id, int64_t sale_outlet, int64_t return_id,
                          const char *ref, const struct sb_return_input *in, size_t i,
                          int64_t *room, int64_t *refund)
{
    const struct sb_return_line *rl = &in->lines[i];
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT l.quantity, l.returned_quantity, l.line_total, l.item_id,"
                           " COALESCE(l.outlet_id, ?), (SELECT COALESCE(SUM(amount), 0)"
                           " FROM return_lines WHERE sale_line_id = l.id)"
                           " FROM sale_lines l WHERE l.id = ? AND l.sale_id = ?",
                           "iii", sale_outlet, rl->sale_line_id, sale_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    int64_t quantity = 0, returned = 0, line_total = 0, item_id = 0, outlet = 0, refunded = 0;
    if (found) {
        quantity = sb_q_int(&q, 0);
        returned = sb_q_int(&q, 1);
        line_total = sb_q_int(&q, 2);
        item_id = sb_q_null(&q, 3) ? 0 : sb_q_int(&q, 3);
        outlet = sb_q_int(&q, 4);
        refunded = sb_q_int(&q, 5);
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!found)
        return fail_at(SB_EINVALID_FIELD, "lines", i, "sale_line_id", "is not a line of this sale");
    char field[32];
    snprintf(field, sizeof(field), "lines[%zu]", i);
    err = sb_sale_return_check(field, quantity, returned, line_total, refunded, rl->quantity,
                               rl->amount_set, rl->amount);
    if (err)
        return err;
    int64_t amount = rl->amount_set ? rl->amount
                                    : sb_sale_return_share(line_total, quantity, returned, refunded,
                                                           rl->quantity);
    /* a refund gives back money that was taken, never more: a default amount stops at
     * what is left of the payments (an order discount makes the lines worth more than
     * the sale), an explicit one above it is refused */
    if (amount > *room) {
        if (rl->amount_set)
            return fail_at(SB_EINVALID_FIELD, "lines", i, "amount",
                           "is more than is left of the sale's payments");
        amount = *room;
    }
    bool restocked = false;
    if (rl->restock && item_id) {
        struct sb_stock_move m = { .item_id = item_id,
                                   .outlet_id = outlet,
                                   .reason = SB_STOCK_RETURN,
                                   .quantity = rl->quantity,
                                   .reference = ref,
                                   .sale_id = sale_id,
                                   .user_id = in->user_id,
                                   .note = in->reason };
        err = sb_store_stock_move(db, &m, NULL, &restocked);
    }
    if (!err)
        err = sb_db_exec(db,
                         "INSERT INTO return_lines (return_id, sale_line_id, quantity, amount,"
                         " restock) VALUES (?, ?, ?, ?, ?)",
                         "iiiib", return_id, rl->sale_line_id, rl->quantity, amount, restocked);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sale_lines SET returned_quantity = returned_quantity + ?"
                         " WHERE id = ?",
                         "ii", rl->quantity, rl->sale_line_id);
    if (!err) {
        *refund += amount;
        *room -= amount;
    }
    return err;
}

static sb_err return_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                           const struct sb_return_input *in, int64_t *ret_id)
{
    struct sale_state s;
    sb_err err = load(db, scope, sale_id, &s);
    if (err)
        return err;
    if (s.status == SB_SALE_VOIDED)
        return sb_fail(SB_ECONFLICT, NULL, "sale %lld is voided: nothing can be returned",
                       (long long)sale_id);
    if (s.order)
        return sb_fail(SB_ECONFLICT, NULL,
                       "%lld is an open customer order: nothing has left to be returned;"
                       " cancel it (its deposits are refunded) or turn it into a sale first",
                       (long long)sale_id);
    if (in->payment_type_id)
        err = exists(db, "SELECT 1 FROM payment_types WHERE id = ?", in->payment_type_id,
                     "payment_type_id");
    if (err)
        return err;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t rid = 0;
    err = sb_db_int(db, &rid,
                    "INSERT INTO returns (sale_id, reason, refund_total, payment_type_id,"
                    " external_id, user_id, created_at) VALUES (?, ?, 0, ?, ?, ?, ?) RETURNING id",
                    "isnsns", sale_id, in->reason, in->payment_type_id, in->external_id,
                    in->user_id, now);
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "external_id", "this refund is already recorded");
    char ref[32];
    snprintf(ref, sizeof(ref), "return:%lld", (long long)rid);
    int64_t refund = 0, room = s.t.paid_total - s.refunded_total;
    if (room < 0)
        room = 0;
    for (size_t i = 0; !err && i < in->n_lines; i++)
        err = return_line(db, sale_id, s.outlet_id, rid, ref, in, i, &room, &refund);
    if (err)
        return err;
    err = sb_db_exec(db, "UPDATE returns SET refund_total = ? WHERE id = ?", "ii", refund, rid);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET refunded_total = refunded_total + ?, updated_at = ?"
                         " WHERE id = ?",
                         "isi", refund, now, sale_id);
    if (!err)
        *ret_id = rid;
    return err;
}

sb_err sb_store_sale_return(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                            const struct sb_return_input *in, int64_t *ret_return_id)
{
    sb_err err = sb_return_validate(in);
    if (err)
        return err;
    int64_t rid = 0;
    err = sb_db_begin(db);
    if (err)
        return err;
    err = return_in_tx(db, scope, sale_id, in, &rid);
    /* a web order's return made here may owe its channel a refund (S2 the other way) */
    if (!err)
        err = sb_store_outbox_return_made(db, rid);
    /* E8: a return on an exported sale is owed on the webstore too */
    if (!err)
        err = sb_store_sale_flag_exported_return(db, sale_id);
    err = sb_db_end(db, err);
    if (!err)
        *ret_return_id = rid;
    return err;
}

sb_err sb_store_return_get(struct sb_db *db, int64_t return_id, json_t **ret)
{
    json_t *r, *lines;
    sb_err err = sb_db_json_one(db, &r,
                                "SELECT r.id, r.sale_id, r.reason, r.refund_total,"
                                " r.payment_type_id, t.name AS payment_type_name, r.external_id,"
                                " r.user_id, r.created_at FROM returns r"
                                " LEFT JOIN payment_types t ON t.id = r.payment_type_id"
                                " WHERE r.id = ?",
                                "i", return_id);
    if (err)
        return err;
    err = sb_db_json_all(db, &lines,
                         "SELECT id, sale_line_id, quantity, amount, restock FROM return_lines"
                         " WHERE return_id = ? ORDER BY id",
                         "i", return_id);
    if (err) {
        json_decref(r);
        return err;
    }
    json_object_set_new(r, "lines", lines);
    *ret = r;
    return SB_OK;
}
