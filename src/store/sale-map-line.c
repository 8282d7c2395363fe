/*
 * Matching a web order's unknown line to an item after the import (SPEC O5,
 * store/sale-map-line.h): the line, the stock, the history and the review
 * flag change together in one transaction.
 */
#include "store/sale-map-line.h"
#include "core/stock.h"
#include "store/stock.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

struct line_state {
    int64_t sale_outlet, outlet, quantity, returned, line_no;
    bool has_item, web_line, channel_sale, needs_review, order_open, voided;
    char sku[80], description[160], review_reason[512];
};

static sb_err load_line(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                        int64_t line_id, struct line_state *ret)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT s.status, s.kind, s.source, s.needs_review, s.review_reason,"
                           " s.outlet_id, l.id, l.line_no, l.item_id, l.sku, l.description,"
                           " l.quantity, l.returned_quantity, COALESCE(l.outlet_id, s.outlet_id),"
                           " l.external_line_id"
                           " FROM sales s LEFT JOIN sale_lines l ON l.sale_id = s.id AND l.id = ?"
                           " WHERE s.id = ? AND " SB_SQL_SCOPE("s.outlet_id"),
                           "iibi", line_id, sale_id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    bool found = sb_q_next(&q), line = false;
    if (found) {
        const char *status = sb_q_text(&q, 0), *kind = sb_q_text(&q, 1);
        ret->voided = status && strcmp(status, "voided") == 0;
        ret->order_open =
            kind && strcmp(kind, "order") == 0 && status && strcmp(status, "open") == 0;
        ret->channel_sale = sb_q_text(&q, 2) && strcmp(sb_q_text(&q, 2), "channel") == 0;
        ret->needs_review = sb_q_int(&q, 3) != 0;
        snprintf(ret->review_reason, sizeof(ret->review_reason), "%s",
                 sb_q_text(&q, 4) ? sb_q_text(&q, 4) : "");
        ret->sale_outlet = sb_q_int(&q, 5);
        line = !sb_q_null(&q, 6);
        ret->line_no = sb_q_int(&q, 7);
        ret->has_item = !sb_q_null(&q, 8);
        snprintf(ret->sku, sizeof(ret->sku), "%s", sb_q_text(&q, 9) ? sb_q_text(&q, 9) : "");
        snprintf(ret->description, sizeof(ret->description), "%s",
                 sb_q_text(&q, 10) ? sb_q_text(&q, 10) : "");
        ret->quantity = sb_q_int(&q, 11);
        ret->returned = sb_q_int(&q, 12);
        ret->outlet = sb_q_int(&q, 13);
        /* a product line of a web order carries the channel's line id; shipping lines none */
        ret->web_line = !sb_q_null(&q, 14);
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!found)
        return sb_fail(SB_ENOT_FOUND, NULL, "no sale %lld", (long long)sale_id);
    if (!line)
        return sb_fail(SB_ENOT_FOUND, NULL, "sale %lld has no line %lld", (long long)sale_id,
                       (long long)line_id);
    return SB_OK;
}

static sb_err map_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                        int64_t line_id, int64_t item_id, int64_t user_id, int64_t *ret_moved)
{
    struct line_state l = { 0 };
    sb_err err = load_line(db, scope, sale_id, line_id, &l);
    if (err)
        return err;
    if (l.voided)
        return sb_fail(SB_ESALE_VOIDED, NULL, "sale %lld is voided: its lines stay as they are",
                       (long long)sale_id);
    if (l.order_open)
        return sb_fail(SB_ECONFLICT, NULL,
                       "%lld is an open customer order: match its line once it is a sale",
                       (long long)sale_id);
    if (l.has_item)
        return sb_fail(SB_ECONFLICT, NULL, "line %lld is already matched to an item",
                       (long long)l.line_no);
    if (!l.channel_sale || !l.web_line)
        return sb_fail(SB_ECONFLICT, NULL,
                       "line %lld is not a web order's product line waiting for an item",
                       (long long)l.line_no);
    if (!scope->all_outlets) {
        int64_t n = 0;
        err = sb_db_int(db, &n,
                        "SELECT COUNT(*) FROM user_outlets WHERE user_id = ? AND outlet_id = ?",
                        "ii", scope->user_id, l.outlet);
        if (err)
            return err;
        if (!n)
            return sb_fail(SB_EOUTLET_FORBIDDEN, NULL,
                           "line %lld is sent from an outlet you have no access to",
                           (long long)l.line_no);
    }
    struct sb_q q;
    err = sb_q_open(&q, db,
                    "SELECT i.name, i.sku, i.track_stock, o.name FROM items i"
                    " JOIN outlets o ON o.id = ? WHERE i.id = ?",
                    "ii", l.outlet, item_id);
    if (err)
        return err;
    bool found = sb_q_next(&q), tracked = false;
    char name[160] = "", sku[80] = "", outlet[160] = "";
    if (found) {
        snprintf(name, sizeof(name), "%s", sb_q_text(&q, 0) ? sb_q_text(&q, 0) : "");
        snprintf(sku, sizeof(sku), "%s", sb_q_text(&q, 1) ? sb_q_text(&q, 1) : "");
        tracked = sb_q_int(&q, 2) != 0;
        snprintf(outlet, sizeof(outlet), "%s", sb_q_text(&q, 3) ? sb_q_text(&q, 3) : "");
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!found)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "item_id", "item %lld does not exist",
                       (long long)item_id);

    char now[SB_TIME_LEN], ref[32], note[1024];
    sb_time_format(sb_time_now(), now, sizeof(now));
    err = sb_db_exec(db, "UPDATE sale_lines SET item_id = ? WHERE id = ? AND item_id IS NULL", "ii",
                     item_id, line_id);
    /* the units still sold leave the shelf, as the import's movement would have taken them */
    int64_t units = l.quantity - l.returned;
    bool applied = false;
    snprintf(ref, sizeof(ref), "sale:%lld", (long long)sale_id);
    if (!err && units > 0) {
        struct sb_stock_move m = { .item_id = item_id,
                                   .outlet_id = l.outlet,
                                   .reason = SB_STOCK_SALE,
                                   .quantity = -units,
                                   .reference = ref,
                                   .sale_id = sale_id,
                                   .user_id = user_id,
                                   .note = "web order line matched to an item" };
        err = sb_store_stock_move(db, &m, NULL, &applied);
    }
    int64_t moved = applied ? units : 0;
    if (tracked && moved)
        snprintf(note, sizeof(note), "Line %lld (%s%s%s%s) matched to %s (%s): %lld taken from %s",
                 (long long)l.line_no, l.sku[0] ? "SKU " : "", l.sku[0] ? l.sku : "",
                 l.sku[0] ? ", " : "", l.description, name, sku, (long long)moved, outlet);
    else
        snprintf(note, sizeof(note), "Line %lld (%s%s%s%s) matched to %s (%s): no stock moved",
                 (long long)l.line_no, l.sku[0] ? "SKU " : "", l.sku[0] ? l.sku : "",
                 l.sku[0] ? ", " : "", l.description, name, sku);
    if (!err)
        err = sb_db_exec(db,
                         "INSERT INTO sale_events (sale_id, kind, note, user_id, created_at)"
                         " VALUES (?, 'note', ?, ?, ?)",
                         "isns", sale_id, note, user_id, now);
    int64_t left = 0;
    if (!err)
        err = sb_db_int(db, &left,
                        "SELECT COUNT(*) FROM sale_lines WHERE sale_id = ? AND item_id IS NULL"
                        " AND external_line_id IS NOT NULL",
                        "i", sale_id);
    bool clear =
        !err && left == 0 && l.needs_review &&
        strncmp(l.review_reason, SB_REVIEW_UNKNOWN_PREFIX, strlen(SB_REVIEW_UNKNOWN_PREFIX)) == 0;
    if (clear)
        err = sb_db_exec(db,
                         "INSERT INTO sale_events (sale_id, kind, note, reason, user_id,"
                         " created_at) VALUES (?, 'reviewed', ?, ?, ?, ?)",
                         "issns", sale_id, "every line matched to an item", l.review_reason,
                         user_id, now);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET updated_at = ?,"
                         " needs_review = CASE WHEN ? THEN FALSE ELSE needs_review END,"
                         " review_reason = CASE WHEN ? THEN NULL ELSE review_reason END"
                         " WHERE id = ?",
                         "sbbi", now, clear, clear, sale_id);
    if (!err && ret_moved)
        *ret_moved = moved;
    return err;
}

sb_err sb_store_sale_map_line(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                              int64_t line_id, int64_t item_id, int64_t user_id, int64_t *ret_moved)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    return sb_db_end(db, map_in_tx(db, scope, sale_id, line_id, item_id, user_id, ret_moved));
}
