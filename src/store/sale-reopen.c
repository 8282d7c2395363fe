/*
 * E9: reopening an exported sale, and E8's review flag cleared (portable SQL).
 * Every check runs before the first write, and everything is one transaction,
 * so a refusal writes nothing. Stock follows a new outlet through the ledger
 * only: compensating movements, never an edit of the old ones; the store's
 * stock move queues the channels' stock sync and the catalogue's change feed.
 * Returns already made stay where they were made: the units they put back on
 * a shelf came back to that shelf, so only what the sale still holds out of
 * stock moves.
 */
#include "store/sale-reopen.h"
#include "core/stock.h"
#include "store/stock.h"
#include "util/timeutil.h"
#include "util/zone.h"

#include <stdio.h>
#include <string.h>

/* The sale as a reopen reads it. */
struct sale_row {
    bool voided, exported;
    int64_t outlet_id, register_id, customer_id, created_at;
    char currency[4];
};

static sb_err load(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                   struct sale_row *ret)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT s.status, s.outlet_id, s.register_id, s.customer_id,"
                           " s.currency, s.created_at, (SELECT ch.kind FROM channels ch"
                           " WHERE ch.id = s.channel_id) FROM sales s WHERE s.id = ?"
                           " AND " SB_SQL_SCOPE("s.outlet_id"),
                           "ibi", sale_id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    if (found) {
        const char *status = sb_q_text(&q, 0), *kind = sb_q_text(&q, 6);
        ret->voided = status && strcmp(status, "voided") == 0;
        ret->outlet_id = sb_q_int(&q, 1);
        ret->register_id = sb_q_null(&q, 2) ? 0 : sb_q_int(&q, 2);
        ret->customer_id = sb_q_null(&q, 3) ? 0 : sb_q_int(&q, 3);
        snprintf(ret->currency, sizeof(ret->currency), "%s",
                 sb_q_text(&q, 4) ? sb_q_text(&q, 4) : "");
        if (!sb_q_text(&q, 5) || !sb_time_parse(sb_q_text(&q, 5), &ret->created_at))
            ret->created_at = sb_time_now();
        ret->exported = kind && strcmp(kind, "export") == 0;
    }
    err = sb_q_close(&q);
    if (!err && !found)
        err = sb_fail(SB_ENOT_FOUND, NULL, "no sale %lld", (long long)sale_id);
    return err;
}

/* The new outlet: it exists, the caller may use it, it trades in the sale's currency.
 * day gets the sale's business day there (SPEC T1). */
static sb_err check_outlet(struct sb_db *db, const struct sb_scope *scope, const struct sale_row *s,
                           int64_t outlet_id, char day[SB_DAY_LEN])
{
    struct sb_q q;
    char currency[4] = "";
    sb_err err =
        sb_q_open(&q, db, "SELECT currency, timezone FROM outlets WHERE id = ?", "i", outlet_id);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    day[0] = '\0';
    if (found) {
        snprintf(currency, sizeof(currency), "%s", sb_q_text(&q, 0) ? sb_q_text(&q, 0) : "");
        const char *zone = sb_q_text(&q, 1);
        if (!(zone && sb_zone_day(zone, s->created_at, day)) &&
            !sb_zone_day("UTC", s->created_at, day))
            day[0] = '\0';
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!found)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "outlet_id", "outlet %lld does not exist",
                       (long long)outlet_id);
    if (!scope->all_outlets) {
        int64_t n = 0;
        err = sb_db_int(db, &n,
                        "SELECT COUNT(*) FROM user_outlets WHERE user_id = ? AND outlet_id = ?",
                        "ii", scope->user_id, outlet_id);
        if (err)
            return err;
        if (!n)
            return sb_fail(SB_EOUTLET_FORBIDDEN, "outlet_id", "you have no access to outlet %lld",
                           (long long)outlet_id);
    }
    if (strcmp(currency, s->currency) != 0)
        return sb_fail(SB_EINVALID_FIELD, "outlet_id",
                       "outlet %lld trades in %s and the sale is in %s: it cannot move there",
                       (long long)outlet_id, currency, s->currency);
    return SB_OK;
}

/* The register the sale ends with (0: none) is at its outlet. */
static sb_err check_register(struct sb_db *db, const struct sb_sale_reopen *in, int64_t register_id,
                             int64_t outlet_id)
{
    if (!register_id)
        return SB_OK;
    int64_t at = 0;
    sb_err err =
        sb_db_int(db, &at, "SELECT outlet_id FROM registers WHERE id = ?", "i", register_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EUNKNOWN_REFERENCE, "register_id", "register %lld does not exist",
                       (long long)register_id);
    if (err)
        return err;
    if (at == outlet_id)
        return SB_OK;
    if (in->register_set)
        return sb_fail(SB_EINVALID_FIELD, "register_id",
                       "register %lld is at outlet %lld, not at the sale's outlet %lld",
                       (long long)register_id, (long long)at, (long long)outlet_id);
    return sb_fail(SB_EINVALID_FIELD, "register_id",
                   "the sale's register %lld is at outlet %lld: name a register of outlet %lld,"
                   " or null",
                   (long long)register_id, (long long)at, (long long)outlet_id);
}

static sb_err event(struct sb_db *db, int64_t sale_id, const char *kind, const char *field,
                    int64_t old_id, int64_t new_id, const char *note, const char *reason,
                    int64_t user_id, const char *now)
{
    return sb_db_exec(db,
                      "INSERT INTO sale_events (sale_id, kind, field, old_id, new_id, note,"
                      " reason, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      "issnnssns", sale_id, kind, field, old_id, new_id, note, reason, user_id,
                      now);
}

/* What the sale still holds out of stock at the old outlet goes back there and is
 * taken at the new one; its lines and open fulfillments follow. */
static sb_err move_outlet(struct sb_db *db, int64_t sale_id, int64_t from, int64_t to,
                          int64_t user_id)
{
    json_t *lines;
    sb_err err = sb_db_json_all(
        db, &lines,
        "SELECT l.item_id, l.quantity - COALESCE((SELECT SUM(rl.quantity) FROM return_lines rl"
        " WHERE rl.sale_line_id = l.id AND rl.restock = TRUE), 0) AS held FROM sale_lines l"
        " WHERE l.sale_id = ? AND l.item_id IS NOT NULL AND COALESCE(l.outlet_id, ?) = ?"
        " ORDER BY l.id",
        "iii", sale_id, from, from);
    if (err)
        return err;
    char ref[40], note[160];
    snprintf(ref, sizeof(ref), SB_REOPEN_REF_FMT, (long long)sale_id);
    snprintf(note, sizeof(note), "sale %lld reopened: moved from outlet %lld to outlet %lld",
             (long long)sale_id, (long long)from, (long long)to);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        int64_t held = json_integer_value(json_object_get(l, "held"));
        if (held <= 0)
            continue;
        struct sb_stock_move m = { .item_id = json_integer_value(json_object_get(l, "item_id")),
                                   .outlet_id = from,
                                   .reason = SB_STOCK_ADJUSTMENT,
                                   .quantity = held,
                                   .reference = ref,
                                   .sale_id = sale_id,
                                   .user_id = user_id,
                                   .note = note };
        err = sb_store_stock_move(db, &m, NULL, NULL);
        if (!err) {
            m.outlet_id = to;
            m.quantity = -held;
            err = sb_store_stock_move(db, &m, NULL, NULL);
        }
        if (err)
            break;
    }
    json_decref(lines);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sale_lines SET outlet_id = ? WHERE sale_id = ? AND outlet_id = ?",
                         "iii", to, sale_id, from);
    /* fulfillments not yet done are made at the new outlet (one per outlet and sale) */
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE fulfillments SET outlet_id = ? WHERE sale_id = ? AND outlet_id = ?"
                         " AND status IN ('new', 'in_progress', 'packed') AND NOT EXISTS"
                         " (SELECT 1 FROM fulfillments f WHERE f.sale_id = ? AND f.outlet_id = ?)",
                         "iiiii", to, sale_id, from, sale_id, to);
    return err;
}

static sb_err reopen_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                           const struct sb_sale_reopen *in)
{
    struct sale_row s = { 0 };
    sb_err err = load(db, scope, sale_id, &s);
    if (err)
        return err;
    if (!s.exported)
        return sb_fail(SB_ENOT_EXPORTED, NULL,
                       "sale %lld did not come from an export-model webstore: only exported"
                       " sales are reopened (E9)",
                       (long long)sale_id);
    if (s.voided)
        return sb_fail(SB_ESALE_VOIDED, NULL, "sale %lld is voided: it cannot be reopened",
                       (long long)sale_id);
    int64_t outlet = in->outlet_set ? in->outlet_id : s.outlet_id;
    int64_t reg = in->register_set ? in->register_id : s.register_id;
    int64_t customer = in->customer_set ? in->customer_id : s.customer_id;
    char day[SB_DAY_LEN] = "";
    if (in->outlet_set)
        err = check_outlet(db, scope, &s, outlet, day);
    if (!err)
        err = check_register(db, in, reg, outlet);
    if (!err && customer && in->customer_set) {
        int64_t one = 0;
        err = sb_db_int(db, &one, "SELECT 1 FROM customers WHERE id = ?", "i", customer);
        if (err == SB_ENOT_FOUND)
            err = sb_fail(SB_EUNKNOWN_REFERENCE, "customer_id", "customer %lld does not exist",
                          (long long)customer);
    }
    if (err)
        return err;
    bool moves = outlet != s.outlet_id, new_reg = reg != s.register_id,
         new_customer = customer != s.customer_id;
    if (!moves && !new_reg && !new_customer && !in->note)
        return sb_fail(SB_ENO_CHANGE, NULL,
                       "nothing to change: the sale already has this outlet, register and"
                       " customer, and no note was given");
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (moves)
        err = move_outlet(db, sale_id, s.outlet_id, outlet, in->user_id);
    if (!err && moves)
        err = event(db, sale_id, "change", "outlet_id", s.outlet_id, outlet, NULL, NULL,
                    in->user_id, now);
    if (!err && new_reg)
        err = event(db, sale_id, "change", "register_id", s.register_id, reg, NULL, NULL,
                    in->user_id, now);
    if (!err && new_customer)
        err = event(db, sale_id, "change", "customer_id", s.customer_id, customer, NULL, NULL,
                    in->user_id, now);
    if (!err && in->note)
        err = event(db, sale_id, "note", NULL, 0, 0, in->note, NULL, in->user_id, now);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET outlet_id = ?, register_id = ?, customer_id = ?,"
                         " business_day = CASE WHEN ? THEN ? ELSE business_day END,"
                         " updated_at = ? WHERE id = ?",
                         "innbssi", outlet, reg, customer, moves && day[0], day, now, sale_id);
    return err;
}

sb_err sb_store_sale_reopen(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                            const struct sb_sale_reopen *in)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    return sb_db_end(db, reopen_in_tx(db, scope, sale_id, in));
}

static sb_err reviewed_in_tx(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                             int64_t user_id, const char *note)
{
    json_t *s;
    sb_err err = sb_db_json_one(db, &s,
                                "SELECT needs_review, review_reason FROM sales s WHERE s.id = ?"
                                " AND " SB_SQL_SCOPE("s.outlet_id"),
                                "ibi", sale_id, scope->all_outlets, scope->user_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(err, NULL, "no sale %lld", (long long)sale_id);
    if (err)
        return err;
    bool flagged = json_is_true(json_object_get(s, "needs_review"));
    char reason[512] = "";
    json_t *r = json_object_get(s, "review_reason");
    if (json_is_string(r))
        snprintf(reason, sizeof(reason), "%s", json_string_value(r));
    json_decref(s);
    if (!flagged)
        return sb_fail(SB_ECONFLICT, NULL, "sale %lld is not flagged for review",
                       (long long)sale_id);
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    err = event(db, sale_id, "reviewed", NULL, 0, 0, note, reason[0] ? reason : NULL, user_id, now);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE sales SET needs_review = FALSE, review_reason = NULL,"
                         " updated_at = ? WHERE id = ?",
                         "si", now, sale_id);
    return err;
}

sb_err sb_store_sale_mark_reviewed(struct sb_db *db, const struct sb_scope *scope, int64_t sale_id,
                                   int64_t user_id, const char *note)
{
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    return sb_db_end(db, reviewed_in_tx(db, scope, sale_id, user_id, note));
}

/* A field's value by name, for people: the outlet's or register's name, the customer's. */
#define NAME_OF(col)                                                                     \
    "CASE e.field WHEN 'outlet_id' THEN (SELECT name FROM outlets WHERE id = e." col ")" \
    " WHEN 'register_id' THEN (SELECT name FROM registers WHERE id = e." col ")"         \
    " WHEN 'customer_id' THEN (SELECT COALESCE(NULLIF(TRIM(c.first_name || ' ' ||"       \
    " c.last_name), ''), c.company, c.email) FROM customers c WHERE c.id = e." col ") END"

sb_err sb_store_sale_history(struct sb_db *db, int64_t sale_id, json_t **ret)
{
    return sb_db_json_all(db, ret,
                          "SELECT e.id, e.kind, e.field, e.old_id AS old, e.new_id AS new,"
                          " " NAME_OF("old_id") " AS old_name, " NAME_OF(
                              "new_id") " AS new_name, e.note, e.reason, e.user_id,"
                                        " u.username, e.created_at FROM sale_events e"
                                        " LEFT JOIN users u ON u.id = e.user_id"
                                        " WHERE e.sale_id = ? ORDER BY e.id",
                          "i", sale_id);
}
