/*
 * Shipment records and the shipping list (SPEC SH1). The list joins each
 * shipment to its sale for the order date, status, customer and order
 * details; access follows the sale's outlet. It lists only what can still
 * ship: a voided sale, an order whose fulfillments are all cancelled (F3)
 * and a pickup (SH2) are not on it. Marking a shipment shipped ships the
 * sale's open shipping fulfillments in the same transaction, so the two
 * never disagree (fulfillments.c does the reverse), and queues what the
 * channel is owed (S3) in it too, whoever ships it.
 */
#include "store/shipments.h"
#include "store/fulfillments.h"
#include "store/outbox-queue.h"
#include "store/sqlbuild.h"
#include "core/carrier.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
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

/* Whether the shipment may still be marked shipped: the rule of sb_ff_shipment_check
 * (SPEC F3, SH2) as SQL, so the list shows exactly what can ship. Not yet shipped, the
 * sale not voided, and either no fulfillment at all or a shipping one not cancelled. */
#define CAN_SHIP                                                             \
    "(NOT sh.shipped AND s.status <> 'voided'"                               \
    " AND (NOT EXISTS (SELECT 1 FROM fulfillments f WHERE f.sale_id = s.id)" \
    " OR EXISTS (SELECT 1 FROM fulfillments f WHERE f.sale_id = s.id"        \
    " AND f.kind = 'shipping' AND f.status <> 'cancelled')))"

#define ROW_SELECT                                                                              \
    "SELECT " SHIP_COLS ", s.created_at AS order_date, " CUSTOMER_NAME " AS customer_name,"     \
    " s.status AS sale_status, s.external_number, s.outlet_id, o.name AS outlet_name,"          \
    " c.email AS customer_email, " FF_STATUS " AS fulfillment_status, " CAN_SHIP " AS can_ship" \
    " FROM shipments sh JOIN sales s ON s.id = sh.sale_id"                                      \
    " JOIN outlets o ON o.id = s.outlet_id LEFT JOIN customers c ON c.id = s.customer_id"

/* The list to ship is small (what is not shipped yet: the shipped index finds it), so its
 * search also reads every column, anywhere in the text, as one pattern over them all: the
 * customer's and the ship-to names and emails, the channel's order number, the address,
 * the tracking number (one bound value, where a pattern per column would be fourteen). */
#define ANYWHERE                                                                  \
    "lower(COALESCE(sh.name, '') || ' ' || COALESCE(c.first_name, '') || ' '"     \
    " || COALESCE(c.last_name, '') || ' ' || COALESCE(c.email, '') || ' '"        \
    " || COALESCE(sh.email, '') || ' ' || COALESCE(s.external_number, '') || ' '" \
    " || COALESCE(sh.line1, '') || ' ' || COALESCE(sh.line2, '') || ' '"          \
    " || COALESCE(sh.city, '') || ' ' || COALESCE(sh.region, '') || ' '"          \
    " || COALESCE(sh.postcode, '') || ' ' || COALESCE(sh.country, '') || ' '"     \
    " || COALESCE(sh.tracking_number, '')) LIKE ? ESCAPE '\\'"

/* The terms every search has, each served by an index on a million shipments (the
 * shipped ones are most of them): a range lower <= x < upper is a prefix. */
static const char *const range_cols[] = {
    "lower(sh.tracking_number)", "lower(sh.name)", "lower(sh.email)", "lower(sh.city)",
    "lower(sh.postcode)",
};

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

/* "tracking_url": the carrier's tracking page for the row's number (core/carrier.h), or
 * null for an unknown carrier or none. */
static void add_tracking_url(json_t *row)
{
    char url[SB_CARRIER_URL_MAX];
    bool linked = sb_carrier_tracking_url(
        json_string_value(json_object_get(row, "carrier")),
        json_string_value(json_object_get(row, "tracking_number")), url, sizeof(url));
    json_object_set_new(row, "tracking_url", linked ? json_string(url) : json_null());
}

sb_err sb_store_shipment_for_sale(struct sb_db *db, int64_t sale_id, json_t **ret)
{
    json_t *row;
    sb_err err = sb_db_json_one(
        db, &row, "SELECT " SHIP_COLS " FROM shipments sh WHERE sh.sale_id = ?", "i", sale_id);
    if (err)
        return err;
    add_tracking_url(row);
    *ret = row;
    return SB_OK;
}

/* Adds what a packer reads to a shipment row: "lines" (the order details: the items to
 * pack, never the shipping charge), "items_count" (their units), "ship_outlets" (the
 * outlets whose open shipping fulfillments ship it; the sale's outlet when it has none)
 * and "tracking_url" (core/carrier.h; null for an unknown carrier). Makes "can_ship" (an
 * SQL expression: an integer on SQLite, a boolean on PostgreSQL) a boolean. */
static sb_err add_lines(struct sb_db *db, json_t *row)
{
    json_t *lines = NULL, *outlets = NULL, *can = json_object_get(row, "can_ship");
    int64_t sale_id = json_integer_value(json_object_get(row, "sale_id"));
    json_object_set_new(row, "can_ship",
                        json_boolean(json_is_true(can) || json_integer_value(can) != 0));
    sb_err err = sb_db_json_all(db, &lines,
                                "SELECT id, item_id, sku, description, quantity FROM sale_lines"
                                " WHERE sale_id = ? AND NOT is_shipping ORDER BY line_no",
                                "i", sale_id);
    if (!err)
        err = sb_db_json_all(db, &outlets,
                             "SELECT DISTINCT o.id, o.name FROM fulfillments f"
                             " JOIN outlets o ON o.id = f.outlet_id WHERE f.sale_id = ?"
                             " AND f.kind = 'shipping' AND f.status <> 'cancelled' ORDER BY o.id",
                             "i", sale_id);
    if (err) {
        json_decref(lines);
        return err;
    }
    if (json_array_size(outlets) == 0) {
        json_t *own = json_object();
        json_object_set(own, "id", json_object_get(row, "outlet_id"));
        json_object_set(own, "name", json_object_get(row, "outlet_name"));
        json_array_append_new(outlets, own);
    }
    int64_t units = 0;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        units += json_integer_value(json_object_get(l, "quantity"));
    }
    json_object_set_new(row, "lines", lines);
    json_object_set_new(row, "items_count", json_integer(units));
    json_object_set_new(row, "ship_outlets", outlets);
    add_tracking_url(row);
    return SB_OK;
}

/* A search's terms, prepared once for the list and its count. */
struct text {
    const char *q;
    char pat[2 * SB_SHIPMENT_Q_MAX + 8]; /* "%q%", lower case, LIKE's wildcards escaped */
    char lower[SB_SHIPMENT_Q_MAX + 2], upper[SB_SHIPMENT_Q_MAX + 2]; /* the prefix range */
    char upcase[SB_SHIPMENT_Q_MAX + 1], hashed[SB_SHIPMENT_Q_MAX + 2];
    bool ranged;
    int64_t number; /* "123" or "#123" read as a sale number, else 0 */
};

static void text_prepare(const char *q, struct text *t)
{
    size_t n = 0, len = strlen(q);
    t->q = q;
    t->pat[n++] = '%';
    for (const char *p = q; *p && n + 4 < sizeof(t->pat); p++) {
        char ch = *p;
        if (ch == '%' || ch == '_' || ch == '\\')
            t->pat[n++] = '\\';
        t->pat[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    t->pat[n++] = '%';
    t->pat[n] = '\0';
    for (size_t i = 0; i <= len; i++) {
        char ch = q[i];
        t->lower[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
        t->upcase[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    /* the upper bound: the prefix with its last byte raised (none past 0xff) */
    memcpy(t->upper, t->lower, len + 1);
    size_t m = len;
    while (m > 0 && (unsigned char)t->upper[m - 1] == 0xff)
        t->upper[--m] = '\0';
    t->ranged = m > 0;
    if (t->ranged)
        t->upper[m - 1] = (char)((unsigned char)t->upper[m - 1] + 1);
    snprintf(t->hashed, sizeof(t->hashed), "#%s", q);
    const char *d = q[0] == '#' ? q + 1 : q;
    t->number = 0;
    size_t k = 0;
    for (; d[k]; k++) {
        if (d[k] < '0' || d[k] > '9' || k >= 15) {
            t->number = 0;
            break;
        }
        t->number = t->number * 10 + (d[k] - '0');
    }
}

/* The search (SH1): the sale's own number exactly, the channel's order number as written
 * (also with a '#' or in capitals), the customer's email or name from its start (the
 * customers' indexes, as the sales search), and the ship-to's tracking number, name,
 * email, city and postcode from their start; on the list to ship, any column anywhere. */
static void text_terms(struct sb_sqlb *b, bool anywhere, const struct text *t)
{
    /* every term names the shipments table alone, so that the planner can serve each
     * by its own index and join the answers (SQLite's OR optimisation, PostgreSQL's
     * bitmap OR); a term on the sales table would make it read them all */
    sb_sqlb_add(b, " AND (sh.sale_id IN (SELECT s2.id FROM sales s2"
                   " WHERE s2.external_number IN (?, ?, ?))");
    sb_sqlb_text(b, t->q);
    sb_sqlb_text(b, t->hashed);
    sb_sqlb_text(b, t->upcase);
    if (t->number) {
        sb_sqlb_add(b, " OR sh.sale_id = ?");
        sb_sqlb_int(b, t->number);
    }
    if (t->ranged) {
        sb_sqlb_add(b, " OR sh.sale_id IN (SELECT s2.id FROM sales s2 WHERE s2.customer_id IN"
                       " (SELECT c2.id FROM customers c2 WHERE"
                       " (c2.email_norm >= ? AND c2.email_norm < ?)"
                       " OR (lower(c2.first_name || ' ' || c2.last_name) >= ?"
                       " AND lower(c2.first_name || ' ' || c2.last_name) < ?)"
                       " OR (lower(c2.last_name) >= ? AND lower(c2.last_name) < ?)))");
        for (int i = 0; i < 3; i++) {
            sb_sqlb_text(b, t->lower);
            sb_sqlb_text(b, t->upper);
        }
        for (size_t i = 0; i < sizeof(range_cols) / sizeof(range_cols[0]); i++) {
            sb_sqlb_add(b, " OR (");
            sb_sqlb_add(b, range_cols[i]);
            sb_sqlb_add(b, " >= ? AND ");
            sb_sqlb_add(b, range_cols[i]);
            sb_sqlb_add(b, " < ?)");
            sb_sqlb_text(b, t->lower);
            sb_sqlb_text(b, t->upper);
        }
    }
    if (anywhere) {
        sb_sqlb_add(b, " OR " ANYWHERE);
        sb_sqlb_text(b, t->pat);
    }
    sb_sqlb_add(b, ")");
}

/* The conditions the list and its count share: state, scope, outlet, search. */
static void conditions(struct sb_sqlb *b, const struct sb_scope *scope,
                       const struct sb_shipment_filter *f, const struct text *t)
{
    switch (f->state) {
    case SB_SHIPMENT_TO_SHIP:
        /* what can still ship (F3, SH2) */
        sb_sqlb_add(b, " WHERE sh.shipped = false AND " CAN_SHIP);
        break;
    case SB_SHIPMENT_SHIPPED:
        sb_sqlb_add(b, " WHERE sh.shipped = true");
        break;
    case SB_SHIPMENT_ALL:
        sb_sqlb_add(b, " WHERE (sh.shipped OR " CAN_SHIP ")");
        break;
    }
    if (!scope->all_outlets) {
        sb_sqlb_add(b,
                    " AND s.outlet_id IN (SELECT outlet_id FROM user_outlets WHERE user_id = ?)");
        sb_sqlb_int(b, scope->user_id);
    }
    if (f->outlet_id) {
        /* the outlet that ships it: the sale's, or one of its shipping fulfillments' */
        sb_sqlb_add(b, " AND (s.outlet_id = ? OR EXISTS (SELECT 1 FROM fulfillments f"
                       " WHERE f.sale_id = s.id AND f.outlet_id = ? AND f.kind = 'shipping'))");
        sb_sqlb_int(b, f->outlet_id);
        sb_sqlb_int(b, f->outlet_id);
    }
    if (t)
        text_terms(b, f->state == SB_SHIPMENT_TO_SHIP, t);
}

static sb_err check_q(const struct sb_shipment_filter *f)
{
    if (f->q && strlen(f->q) > SB_SHIPMENT_Q_MAX)
        return sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d bytes", SB_SHIPMENT_Q_MAX);
    return SB_OK;
}

#define FROM_JOINS                                         \
    " FROM shipments sh JOIN sales s ON s.id = sh.sale_id" \
    " LEFT JOIN customers c ON c.id = s.customer_id"

sb_err sb_store_shipment_list(struct sb_db *db, const struct sb_scope *scope,
                              const struct sb_shipment_filter *f, json_t **ret)
{
    sb_err err = check_q(f);
    if (err)
        return err;
    bool searching = f->q && f->q[0];
    struct sb_sqlb *b = calloc(1, sizeof(*b));
    struct text *t = calloc(1, sizeof(*t));
    if (!b || !t) {
        free(b);
        free(t);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (searching)
        text_prepare(f->q, t);
    /* newest first (T2), keyset pages by id: the page's ids first, then their columns */
    sb_sqlb_add(b, ROW_SELECT " WHERE sh.id IN (SELECT sh.id" FROM_JOINS);
    conditions(b, scope, f, searching ? t : NULL);
    if (f->after) {
        sb_sqlb_add(b, " AND sh.id < ?");
        sb_sqlb_int(b, f->after);
    }
    /* a search is read through its terms' indexes and its few rows sorted: "+sh.id" keeps
     * the planner from walking the whole table in id order instead, hoping to fill the
     * page early (it cannot know the page is small next to what a rare text would scan) */
    sb_sqlb_add(b, searching ? " ORDER BY +sh.id DESC LIMIT ?) ORDER BY sh.id DESC"
                             : " ORDER BY sh.id DESC LIMIT ?) ORDER BY sh.id DESC");
    sb_sqlb_int(b, f->limit);
    json_t *rows = NULL;
    err = sb_sqlb_json_all(b, db, &rows);
    free(b);
    free(t);
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

sb_err sb_store_shipment_count(struct sb_db *db, const struct sb_scope *scope,
                               const struct sb_shipment_filter *f, int64_t *ret)
{
    sb_err err = check_q(f);
    if (err)
        return err;
    bool searching = f->q && f->q[0];
    struct sb_sqlb *b = calloc(1, sizeof(*b));
    struct text *t = calloc(1, sizeof(*t));
    if (!b || !t) {
        free(b);
        free(t);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (searching)
        text_prepare(f->q, t);
    sb_sqlb_add(b, "SELECT sh.id" FROM_JOINS);
    conditions(b, scope, f, searching ? t : NULL);
    sb_sqlb_int(b, SB_SHIPMENT_COUNT_CAP + 1);
    /* counted up to the cap: the rows past it are never read (as the sales count) */
    char *sql = NULL;
    if (b->overflow || asprintf(&sql, "SELECT COUNT(*) FROM (%s LIMIT ?) AS capped", b->sql) < 0) {
        sql = NULL;
        err = sb_fail(SB_EINTERNAL, NULL, "the shipments query does not fit");
    } else {
        struct sb_q q;
        err = sb_q_open_args(&q, db, sql, b->args, (size_t)b->n);
        if (!err) {
            *ret = sb_q_next(&q) ? sb_q_int(&q, 0) : 0;
            err = sb_q_close(&q);
        }
    }
    free(sql);
    free(b);
    free(t);
    return err;
}

sb_err sb_store_shipment_get(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                             json_t **ret)
{
    json_t *row = NULL, *ffs = NULL;
    sb_err err =
        sb_db_json_one(db, &row, ROW_SELECT " WHERE sh.id = ? AND " SB_SQL_SCOPE("s.outlet_id"),
                       "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    err = add_lines(db, row);
    /* the detail view: where each part of the order stands */
    if (!err)
        err = sb_db_json_all(
            db, &ffs,
            "SELECT f.id, f.outlet_id, f.kind, f.status, f.is_split,"
            " f.is_backorder FROM fulfillments f WHERE f.sale_id = ? AND " SB_SQL_SCOPE(
                "f.outlet_id") " ORDER BY f.id",
            "ibi", (int64_t)json_integer_value(json_object_get(row, "sale_id")), scope->all_outlets,
            scope->user_id);
    if (err) {
        json_decref(row);
        return err;
    }
    json_object_set_new(row, "fulfillments", ffs);
    *ret = row;
    return SB_OK;
}

sb_err sb_store_shipment_sync(struct sb_db *db, int64_t sale_id)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t id = 0;
    sb_err err = sb_db_int(db, &id,
                           "UPDATE shipments SET shipped = ?, shipped_at = ?, updated_at = ?"
                           " WHERE sale_id = ? AND shipped = ?"
                           " AND EXISTS (SELECT 1 FROM sales WHERE id = ? AND status <> 'voided')"
                           " AND EXISTS (SELECT 1 FROM fulfillments WHERE sale_id = ?"
                           "   AND kind = 'shipping' AND status = 'shipped')"
                           " AND NOT EXISTS (SELECT 1 FROM fulfillments WHERE sale_id = ?"
                           "   AND kind = 'shipping' AND status NOT IN ('shipped', 'cancelled'))"
                           " RETURNING id",
                           "bssibiii", true, now, now, sale_id, false, sale_id, sale_id, sale_id);
    if (err == SB_ENOT_FOUND)
        return SB_OK; /* nothing shipped now */
    return err ? err : sb_store_outbox_shipment_shipped(db, id);
}

/* The shipped flag may only go forward, and only while the order can ship (SPEC F3,
 * SH2: sb_ff_shipment_check). */
static sb_err check_shipped(struct sb_db *db, int64_t id, const struct sb_shipment_patch *p,
                            int64_t *ret_sale_id, bool *ret_ship_now)
{
    struct sb_q q;
    struct sb_ff_ship_state st = { 0 };
    sb_err err = sb_q_open(
        &q, db,
        "SELECT sh.sale_id, sh.shipped, s.status,"
        " (SELECT COUNT(*) FROM fulfillments f WHERE f.sale_id = s.id),"
        " (SELECT COUNT(*) FROM fulfillments f WHERE f.sale_id = s.id AND f.kind = 'shipping'"
        "  AND f.status <> 'cancelled'),"
        " (SELECT COUNT(*) FROM fulfillments f WHERE f.sale_id = s.id AND f.kind = 'shipping')"
        " FROM shipments sh JOIN sales s ON s.id = sh.sale_id WHERE sh.id = ?",
        "i", id);
    if (err)
        return err;
    bool found = sb_q_next(&q), shipped = false;
    if (found) {
        *ret_sale_id = sb_q_int(&q, 0);
        shipped = sb_q_int(&q, 1) != 0;
        st.sale_voided = strcmp(sb_q_text(&q, 2), "voided") == 0;
        st.n_fulfillments = sb_q_int(&q, 3);
        st.n_shipping_alive = sb_q_int(&q, 4);
        st.n_shipping = sb_q_int(&q, 5);
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
        err = sb_ff_shipment_check(&st);
        if (err)
            return err;
        *ret_ship_now = true;
    }
    return SB_OK;
}

/* A text without its surrounding white space, NULL when nothing is left (a tracking
 * number of spaces is no tracking number). malloc'ed; NULL in, NULL out. */
static sb_err trimmed_or_null(const char *s, char **ret)
{
    *ret = NULL;
    if (!s)
        return SB_OK;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    if (n == 0)
        return SB_OK;
    *ret = malloc(n + 1);
    if (!*ret)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    memcpy(*ret, s, n);
    (*ret)[n] = '\0';
    return SB_OK;
}

sb_err sb_store_shipment_update(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                const struct sb_shipment_patch *p)
{
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    int64_t sale_id = 0, got;
    bool ship_now = false;
    /* what goes to the channel is what is stored: trimmed, and a blank one is none */
    char *tracking = NULL, *carrier = NULL;
    sb_err err = trimmed_or_null(p->tracking_number.v, &tracking);
    if (!err)
        err = trimmed_or_null(p->carrier.v, &carrier);
    if (!err)
        err = sb_db_begin(db);
    if (err) {
        free(tracking);
        free(carrier);
        return err;
    }
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
                         " shipped = CASE WHEN ? THEN ? ELSE shipped END,"
                         " shipped_at = CASE WHEN ? THEN ? ELSE shipped_at END,"
                         " updated_at = ? WHERE id = ?",
                         "bsbsbsbsbsbsbsbsbsbsbsbsbsbsbbbssi", p->name.set, p->name.v,
                         p->company.set, p->company.v, p->line1.set, p->line1.v, p->line2.set,
                         p->line2.v, p->city.set, p->city.v, p->region.set, p->region.v,
                         p->postcode.set, p->postcode.v, p->country.set, p->country.v, p->phone.set,
                         p->phone.v, p->email.set, p->email.v, p->method.set, p->method.v,
                         p->note.set, p->note.v, p->tracking_number.set, tracking, p->carrier.set,
                         carrier, ship_now, true, ship_now, now, now, id);
    if (!err && ship_now)
        err = sb_store_fulfillments_ship_sale(db, sale_id, scope->user_id);
    /* S3: shipped in the POS, the channel hears of it (with the tracking as now kept) */
    if (!err && p->shipped_set && p->shipped && !p->from_channel)
        err = sb_store_outbox_shipment_shipped(db, id);
    /* L2: ... and a kind whose statuses travel by its table hears of it as shipped */
    if (!err && ship_now && !p->from_channel)
        err = sb_store_outbox_sale_status(db, sale_id, "shipped");
    free(tracking);
    free(carrier);
    return sb_db_end(db, err);
}
