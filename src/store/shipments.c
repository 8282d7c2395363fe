/*
 * Shipment records and the shipping list (SPEC SH1). The list joins each
 * shipment to its sale for the order date, status, customer and order
 * details; access follows the sale's outlet. Marking a shipment shipped
 * ships the sale's open shipping fulfillments in the same transaction, so
 * the two never disagree (fulfillments.c does the reverse).
 */
#include "store/shipments.h"
#include "store/fulfillments.h"
#include "util/timeutil.h"

#include <string.h>

#define SHIP_COLS                                                                     \
    "sh.id, sh.sale_id, sh.name, sh.company, sh.line1, sh.line2, sh.city, sh.region," \
    " sh.postcode, sh.country, sh.phone, sh.email, sh.method, sh.note, sh.shipped,"   \
    " sh.tracking_number, sh.carrier, sh.shipped_at, sh.created_at, sh.updated_at"

/* The customer's name when the sale has a customer, else the ship-to name (C5). */
#define CUSTOMER_NAME                                                                            \
    "COALESCE(NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' || COALESCE(c.last_name, '')), '')," \
    " sh.name)"

/* One status when every fulfillment of the sale agrees, "split" when they differ. */
#define FF_STATUS                                                                                \
    "CASE WHEN (SELECT COUNT(DISTINCT f.status) FROM fulfillments f WHERE f.sale_id = s.id) > 1" \
    " THEN 'split' ELSE (SELECT MIN(f.status) FROM fulfillments f WHERE f.sale_id = s.id) END"

#define ROW_SELECT                                                                          \
    "SELECT " SHIP_COLS ", s.created_at AS order_date, " CUSTOMER_NAME " AS customer_name," \
    " s.status AS sale_status, s.external_number, s.outlet_id, " FF_STATUS                  \
    " AS fulfillment_status FROM shipments sh JOIN sales s ON s.id = sh.sale_id"            \
    " LEFT JOIN customers c ON c.id = s.customer_id"

#define LIKE_Q(col) "lower(" col ") LIKE ? ESCAPE '\\'"

/* The search (SH1), bound as: skip-flag, 5 patterns, the exact text, 6 patterns. Customer
 * name: the ship-to name and the customer's names; order number: the channel's number, or
 * the sale id exactly (a search for "1" should not list sales 10 to 19); then the address. */
/* clang-format off */
#define SEARCH                                                                                     \
    "(? OR " LIKE_Q("sh.name")                                                                     \
    " OR " LIKE_Q("c.first_name")                                                                  \
    " OR " LIKE_Q("c.last_name")                                                                   \
    " OR " LIKE_Q("c.first_name || ' ' || c.last_name")                                            \
    " OR " LIKE_Q("s.external_number")                                                             \
    " OR CAST(s.id AS TEXT) = ?"                                                                   \
    " OR " LIKE_Q("sh.line1")                                                                      \
    " OR " LIKE_Q("sh.line2")                                                                      \
    " OR " LIKE_Q("sh.city")                                                                       \
    " OR " LIKE_Q("sh.region")                                                                     \
    " OR " LIKE_Q("sh.postcode")                                                                   \
    " OR " LIKE_Q("sh.country") ")"
/* clang-format on */

sb_err sb_store_shipment_create(struct sb_db *db, int64_t sale_id, const struct sb_address *to,
                                const char *method, const char *note, int64_t *ret_id)
{
    static const struct sb_address none = { 0 };
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    if (!to)
        to = &none;
    sb_err err = sb_db_int(db, ret_id,
                           "INSERT INTO shipments (sale_id, name, company, line1, line2, city,"
                           " region, postcode, country, phone, email, method, note, created_at,"
                           " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                           " RETURNING id",
                           "issssssssssssss", sale_id, to->name, to->company, to->line1, to->line2,
                           to->city, to->region, to->postcode, to->country, to->phone, to->email,
                           method, note, now, now);
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "ship_to", "sale %lld already has a shipment", (long long)sale_id);
    if (err == SB_EUNKNOWN_REFERENCE)
        return sb_fail(err, "sale_id", "no sale %lld", (long long)sale_id);
    return err;
}

sb_err sb_store_shipment_for_sale(struct sb_db *db, int64_t sale_id, json_t **ret)
{
    return sb_db_json_one(db, ret, "SELECT " SHIP_COLS " FROM shipments sh WHERE sh.sale_id = ?",
                          "i", sale_id);
}

/* Adds "lines" (the order details) to a shipment row. */
static sb_err add_lines(struct sb_db *db, json_t *row)
{
    json_t *lines;
    sb_err err = sb_db_json_all(db, &lines,
                                "SELECT sku, description, quantity FROM sale_lines"
                                " WHERE sale_id = ? ORDER BY line_no",
                                "i", (int64_t)json_integer_value(json_object_get(row, "sale_id")));
    if (!err)
        json_object_set_new(row, "lines", lines);
    return err;
}

/* "%q%" in lower case with LIKE's wildcards escaped, so the text is matched literally. */
static sb_err like_pattern(const char *q, char *buf, size_t cap)
{
    size_t n = 0;
    if (strlen(q) > SB_SHIPMENT_Q_MAX)
        return sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d bytes", SB_SHIPMENT_Q_MAX);
    buf[n++] = '%';
    for (; *q && n + 4 < cap; q++) {
        char ch = *q;
        if (ch == '%' || ch == '_' || ch == '\\')
            buf[n++] = '\\';
        buf[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    buf[n++] = '%';
    buf[n] = '\0';
    return SB_OK;
}

sb_err sb_store_shipment_list(struct sb_db *db, const struct sb_scope *scope,
                              const struct sb_shipment_filter *f, json_t **ret)
{
    char pat[2 * SB_SHIPMENT_Q_MAX + 8];
    const char *q = f->q && f->q[0] ? f->q : NULL;
    sb_err err = like_pattern(q ? q : "", pat, sizeof(pat));
    if (err)
        return err;
    json_t *rows;
    err = sb_db_json_all(db, &rows,
                         ROW_SELECT " WHERE sh.id > ? AND sh.shipped = ? AND " SB_SQL_SCOPE(
                             "s.outlet_id") " AND " SEARCH " ORDER BY sh.id LIMIT ?",
                         "ibbibssssssssssssi", f->after, f->shipped, scope->all_outlets,
                         scope->user_id, !q, pat, pat, pat, pat, pat, q ? q : "", pat, pat, pat,
                         pat, pat, pat, f->limit);
    if (err)
        return err;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        err = add_lines(db, row);
        if (err)
            break;
    }
    if (err) {
        json_decref(rows);
        return err;
    }
    *ret = rows;
    return SB_OK;
}

sb_err sb_store_shipment_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             json_t **ret)
{
    json_t *row = NULL;
    sb_err err =
        sb_db_json_one(db, &row, ROW_SELECT " WHERE sh.id = ? AND " SB_SQL_SCOPE("s.outlet_id"),
                       "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    err = add_lines(db, row);
    if (err) {
        json_decref(row);
        return err;
    }
    *ret = row;
    return SB_OK;
}

sb_err sb_store_shipment_sync(struct sb_db *db, int64_t sale_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    return sb_db_exec(db,
                      "UPDATE shipments SET shipped = 1, shipped_at = ?, updated_at = ?"
                      " WHERE sale_id = ? AND shipped = 0"
                      " AND EXISTS (SELECT 1 FROM sales WHERE id = ? AND status <> 'voided')"
                      " AND EXISTS (SELECT 1 FROM fulfillments WHERE sale_id = ?"
                      "   AND kind = 'shipping' AND status = 'shipped')"
                      " AND NOT EXISTS (SELECT 1 FROM fulfillments WHERE sale_id = ?"
                      "   AND kind = 'shipping' AND status NOT IN ('shipped', 'cancelled'))",
                      "ssiiii", now, now, sale_id, sale_id, sale_id, sale_id);
}

/* The shipped flag may only go forward, and never for a voided sale. */
static sb_err check_shipped(struct sb_db *db, int64_t id, const struct sb_shipment_patch *p,
                            int64_t *ret_sale_id, bool *ret_ship_now)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT sh.sale_id, sh.shipped, s.status FROM shipments sh"
                           " JOIN sales s ON s.id = sh.sale_id WHERE sh.id = ?",
                           "i", id);
    if (err)
        return err;
    bool found = sb_q_next(&q), shipped = false, voided = false;
    if (found) {
        *ret_sale_id = sb_q_int(&q, 0);
        shipped = sb_q_int(&q, 1) != 0;
        voided = strcmp(sb_q_text(&q, 2), "voided") == 0;
    }
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!found)
        return sb_fail(SB_ENOT_FOUND, NULL, "no such shipment");
    *ret_ship_now = false;
    if (!p->shipped_set)
        return SB_OK;
    if (!p->shipped && shipped)
        return sb_fail(SB_ECONFLICT, "shipped", "a shipped shipment cannot be unshipped");
    if (p->shipped && !shipped) {
        if (voided)
            return sb_fail(SB_ECONFLICT, "shipped", "the sale is voided");
        *ret_ship_now = true;
    }
    return SB_OK;
}

sb_err sb_store_shipment_update(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                const struct sb_shipment_patch *p)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t sale_id = 0, got;
    bool ship_now = false;
    sb_err err = sb_db_begin(db);
    if (err)
        return err;
    /* Scope first: another outlet's shipment does not exist for this caller. */
    err = sb_db_int(db, &got,
                    "SELECT sh.id FROM shipments sh JOIN sales s ON s.id = sh.sale_id"
                    " WHERE sh.id = ? AND " SB_SQL_SCOPE("s.outlet_id"),
                    "ibi", id, scope->all_outlets, scope->user_id);
    if (!err)
        err = check_shipped(db, id, p, &sale_id, &ship_now);
    if (!err)
        err = sb_db_exec(db,
                         "UPDATE shipments SET"
                         " name = CASE WHEN ? THEN ? ELSE name END,"
                         " company = CASE WHEN ? THEN ? ELSE company END,"
                         " line1 = CASE WHEN ? THEN ? ELSE line1 END,"
                         " line2 = CASE WHEN ? THEN ? ELSE line2 END,"
                         " city = CASE WHEN ? THEN ? ELSE city END,"
                         " region = CASE WHEN ? THEN ? ELSE region END,"
                         " postcode = CASE WHEN ? THEN ? ELSE postcode END,"
                         " country = CASE WHEN ? THEN ? ELSE country END,"
                         " phone = CASE WHEN ? THEN ? ELSE phone END,"
                         " email = CASE WHEN ? THEN ? ELSE email END,"
                         " method = CASE WHEN ? THEN ? ELSE method END,"
                         " note = CASE WHEN ? THEN ? ELSE note END,"
                         " tracking_number = CASE WHEN ? THEN ? ELSE tracking_number END,"
                         " carrier = CASE WHEN ? THEN ? ELSE carrier END,"
                         " shipped = CASE WHEN ? THEN 1 ELSE shipped END,"
                         " shipped_at = CASE WHEN ? THEN ? ELSE shipped_at END,"
                         " updated_at = ? WHERE id = ?",
                         "bsbsbsbsbsbsbsbsbsbsbsbsbsbsbbssi", p->name.set, p->name.v,
                         p->company.set, p->company.v, p->line1.set, p->line1.v, p->line2.set,
                         p->line2.v, p->city.set, p->city.v, p->region.set, p->region.v,
                         p->postcode.set, p->postcode.v, p->country.set, p->country.v, p->phone.set,
                         p->phone.v, p->email.set, p->email.v, p->method.set, p->method.v,
                         p->note.set, p->note.v, p->tracking_number.set, p->tracking_number.v,
                         p->carrier.set, p->carrier.v, ship_now, ship_now, now, now, id);
    if (!err && ship_now)
        err = sb_store_fulfillments_ship_sale(db, sale_id, scope->user_id);
    return sb_db_end(db, err);
}
