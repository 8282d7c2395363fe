/*
 * Finding sales (SPEC T2): the sales list's filters, a text search and the
 * orders of the rows, assembled into one query of only the conditions asked
 * for, so that each can use its index on a million sales (the catch-all
 * "(? OR cond)" form would make every query a scan). Keyset pages: after the
 * id of the last row of the page before, and for the sorts by total after
 * that row's (total, id).
 */
#include "store/sale-cols.h"
#include "store/sales.h"
#include "store/sqlbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A prefix search as a range, lower <= x < upper, which an index serves on both backends
 * (LIKE 'x%' does not, on SQLite, without a NOCASE index): upper is the prefix with its
 * last byte raised. False when the prefix is empty or cannot be raised. */
static bool prefix_range(const char *prefix, char *lower, char *upper, size_t cap)
{
    size_t n = strlen(prefix);
    if (n == 0 || n + 1 > cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = prefix[i];
        lower[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    lower[n] = '\0';
    memcpy(upper, lower, n + 1);
    while (n > 0 && (unsigned char)upper[n - 1] == 0xff)
        upper[--n] = '\0';
    if (n == 0)
        return false;
    upper[n - 1] = (char)((unsigned char)upper[n - 1] + 1);
    return true;
}

/* The text search's terms: each uses an index (sales' primary key, its external numbers,
 * sale_lines' SKU, customers' email and names). */
struct text {
    char lower[SB_SALE_Q_MAX + 1], upper[SB_SALE_Q_MAX + 1];
    bool ranged;
    int64_t number; /* the q read as a sale number, or 0 */
};

/* "123" or "#123": a sale number (up to 15 digits); else 0. */
static int64_t sale_number(const char *text)
{
    const char *p = text[0] == '#' ? text + 1 : text;
    int64_t v = 0;
    size_t n = 0;
    for (; p[n]; n++) {
        if (p[n] < '0' || p[n] > '9' || n >= 15)
            return 0;
        v = v * 10 + (p[n] - '0');
    }
    return n ? v : 0;
}

static void text_terms(struct sb_sqlb *q, const char *text, struct text *t)
{
    t->number = sale_number(text);
    t->ranged = prefix_range(text, t->lower, t->upper, sizeof(t->lower));
    sb_sqlb_add(q, " AND (s.external_number = ? OR s.external_id = ?"
                   " OR s.id IN (SELECT sl.sale_id FROM sale_lines sl WHERE sl.sku = ?)");
    sb_sqlb_text(q, text);
    sb_sqlb_text(q, text);
    sb_sqlb_text(q, text);
    if (t->number) {
        sb_sqlb_add(q, " OR s.id = ?");
        sb_sqlb_int(q, t->number);
    }
    if (t->ranged) {
        sb_sqlb_add(q, " OR s.customer_id IN (SELECT c.id FROM customers c WHERE"
                       " (c.email_norm >= ? AND c.email_norm < ?)"
                       " OR (lower(c.first_name || ' ' || c.last_name) >= ?"
                       " AND lower(c.first_name || ' ' || c.last_name) < ?)"
                       " OR (lower(c.last_name) >= ? AND lower(c.last_name) < ?))");
        for (int i = 0; i < 3; i++) {
            sb_sqlb_text(q, t->lower);
            sb_sqlb_text(q, t->upper);
        }
    }
    sb_sqlb_add(q, ")");
}

/* The conditions every query of the list shares: scope and filters. */
static void conditions(struct sb_sqlb *q, const struct sb_scope *scope,
                       const struct sb_sale_filter *f, struct text *t)
{
    sb_sqlb_add(q, " WHERE 1 = 1");
    if (!scope->all_outlets) {
        sb_sqlb_add(q,
                    " AND s.outlet_id IN (SELECT outlet_id FROM user_outlets WHERE user_id = ?)");
        sb_sqlb_int(q, scope->user_id);
    }
    if (f->from) {
        sb_sqlb_add(q, " AND s.created_at >= ?");
        sb_sqlb_text(q, f->from);
    }
    if (f->to) {
        sb_sqlb_add(q, " AND s.created_at < ?");
        sb_sqlb_text(q, f->to);
    }
    if (f->outlet_id) {
        sb_sqlb_add(q, " AND s.outlet_id = ?");
        sb_sqlb_int(q, f->outlet_id);
    }
    if (f->customer_id) {
        sb_sqlb_add(q, " AND s.customer_id = ?");
        sb_sqlb_int(q, f->customer_id);
    }
    if (f->pos_only)
        sb_sqlb_add(q, " AND s.source = 'pos'");
    if (f->channel_id) {
        sb_sqlb_add(q, " AND s.channel_id = ?");
        sb_sqlb_int(q, f->channel_id);
    }
    if (f->external_number) {
        sb_sqlb_add(q, " AND (s.external_number = ? OR s.external_id = ?)");
        sb_sqlb_text(q, f->external_number);
        sb_sqlb_text(q, f->external_number);
    }
    if (f->status_set) {
        sb_sqlb_add(q, " AND s.status = ?");
        sb_sqlb_text(q, sb_sale_status_name(f->status));
    }
    if (f->from_day) {
        sb_sqlb_add(q, " AND s.business_day >= ?");
        sb_sqlb_text(q, f->from_day);
    }
    if (f->to_day) {
        sb_sqlb_add(q, " AND s.business_day < ?");
        sb_sqlb_text(q, f->to_day);
    }
    if (f->today) {
        sb_sqlb_add(q, " AND s.business_day = (SELECT sb_local_date(?, o.timezone) FROM outlets o"
                       " WHERE o.id = s.outlet_id)");
        sb_sqlb_text(q, f->today);
    }
    if (f->kind_set) {
        sb_sqlb_add(q, " AND s.kind = ?");
        sb_sqlb_text(q, sb_sale_kind_name(f->kind));
    } else {
        sb_sqlb_add(q, " AND s.kind <> 'order'");
    }
    if (f->q && f->q[0])
        text_terms(q, f->q, t);
}

/* The page boundary of the sorts by total: the total of the sale `after`. */
static sb_err boundary_total(struct sb_db *db, const struct sb_scope *scope, int64_t after,
                             int64_t *ret)
{
    sb_err err = sb_db_int(
        db, ret, "SELECT s.total FROM sales s WHERE s.id = ? AND " SB_SQL_SCOPE("s.outlet_id"),
        "ibi", after, scope->all_outlets, scope->user_id);
    if (err == SB_ENOT_FOUND)
        return sb_fail(SB_EINVALID_QUERY, "after", "after names no sale of this list");
    return err;
}

static sb_err check_q(const struct sb_sale_filter *f)
{
    if (f->q && strlen(f->q) > SB_SALE_Q_MAX)
        return sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d characters", SB_SALE_Q_MAX);
    return SB_OK;
}

sb_err sb_store_sale_list(struct sb_db *db, const struct sb_scope *scope,
                          const struct sb_sale_filter *f, int64_t after, int64_t limit,
                          json_t **ret)
{
    sb_err qerr = check_q(f);
    if (qerr)
        return qerr;
    int64_t bound = 0;
    bool by_total = f->sort == SB_SALE_SORT_TOTAL_DESC || f->sort == SB_SALE_SORT_TOTAL_ASC;
    if (by_total && after) {
        sb_err err = boundary_total(db, scope, after, &bound);
        if (err)
            return err;
    }
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct text t;
    /* the page's ids first, then the columns of those rows only: the join and the
     * columns' subqueries are not paid for every sale a search matches before it is
     * sorted */
    sb_sqlb_add(
        q, "SELECT " SALE_COLS ", CASE WHEN c.id IS NULL THEN NULL ELSE"
           " COALESCE(NULLIF(TRIM(c.first_name || ' ' || c.last_name), ''), c.company, c.email)"
           " END AS customer_name FROM sales s LEFT JOIN customers c ON c.id = s.customer_id"
           " WHERE s.id IN (SELECT s.id FROM sales s");
    conditions(q, scope, f, &t);
    const char *order = " ORDER BY s.id";
    switch (f->sort) {
    case SB_SALE_SORT_ID:
        if (after) {
            sb_sqlb_add(q, " AND s.id > ?");
            sb_sqlb_int(q, after);
        }
        break;
    case SB_SALE_SORT_NEWEST:
        if (after) {
            sb_sqlb_add(q, " AND s.id < ?");
            sb_sqlb_int(q, after);
        }
        order = " ORDER BY s.id DESC";
        break;
    case SB_SALE_SORT_TOTAL_DESC:
        if (after) {
            /* a range on total first, which the index (total, id) serves */
            sb_sqlb_add(q, " AND s.total <= ? AND (s.total < ? OR s.id < ?)");
            sb_sqlb_int(q, bound);
            sb_sqlb_int(q, bound);
            sb_sqlb_int(q, after);
        }
        order = " ORDER BY s.total DESC, s.id DESC";
        break;
    case SB_SALE_SORT_TOTAL_ASC:
        if (after) {
            sb_sqlb_add(q, " AND s.total >= ? AND (s.total > ? OR s.id > ?)");
            sb_sqlb_int(q, bound);
            sb_sqlb_int(q, bound);
            sb_sqlb_int(q, after);
        }
        order = " ORDER BY s.total, s.id";
        break;
    }
    sb_sqlb_add(q, order);
    sb_sqlb_add(q, " LIMIT ?)");
    sb_sqlb_int(q, limit);
    sb_sqlb_add(q, order);
    sb_err err = sb_sqlb_json_all(q, db, ret);
    free(q);
    return err;
}

sb_err sb_store_sale_count(struct sb_db *db, const struct sb_scope *scope,
                           const struct sb_sale_filter *f, int64_t *ret)
{
    sb_err qerr = check_q(f);
    if (qerr)
        return qerr;
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct text t;
    /* the customers table is not joined: no condition reads it but through a subquery */
    sb_sqlb_add(q, "SELECT s.id FROM sales s");
    conditions(q, scope, f, &t);
    sb_sqlb_int(q, SB_SALE_COUNT_CAP + 1);
    char *sql = NULL;
    sb_err err = SB_OK;
    if (q->overflow || asprintf(&sql, "SELECT COUNT(*) FROM (%s LIMIT ?) AS capped", q->sql) < 0) {
        sql = NULL;
        err = sb_fail(SB_EINTERNAL, NULL, "the sales query does not fit");
    } else {
        struct sb_q r;
        err = sb_q_open_args(&r, db, sql, q->args, (size_t)q->n);
        if (!err) {
            *ret = sb_q_next(&r) ? sb_q_int(&r, 0) : 0;
            err = sb_q_close(&r);
        }
    }
    free(sql);
    free(q);
    return err;
}
