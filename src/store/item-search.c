/*
 * Finding items (issue 16 item 1): the item list's filters, its text search
 * and its orders, assembled into one query of only the conditions asked for
 * (as the sales search, store/sale-search.c), with keyset pages: after the
 * item `after` in the sort's order, by id or by that item's (name, id) or
 * SKU. Items are store-wide; their stock columns and the low-stock filter
 * read the outlets of the caller's scope only (SEC2).
 */
#include "store/items.h"
#include "store/sqlbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_COLS                                                                           \
    "i.id, i.sku, i.upc, i.ean, i.manufacturer_sku, i.name, i.description, i.default_cost," \
    " i.msrp, i.tax_class, i.track_stock, i.active, i.created_at, i.updated_at"

/* "%text%" in lower case, with LIKE's wildcards escaped by a backslash. */
static void like_pattern(const char *q, char *buf, size_t cap)
{
    size_t n = 0;
    buf[n++] = '%';
    for (; *q && n + 4 < cap; q++) {
        char ch = *q >= 'A' && *q <= 'Z' ? (char)(*q - 'A' + 'a') : *q;
        if (ch == '%' || ch == '_' || ch == '\\')
            buf[n++] = '\\';
        buf[n++] = ch;
    }
    buf[n++] = '%';
    buf[n] = '\0';
}

/* Which stock rows the stock columns and the low-stock filter read: the outlet asked for,
 * else the scope's outlets. */
static void stock_outlets(struct sb_sqlb *q, const struct sb_scope *scope,
                          const struct sb_item_filter *f)
{
    if (f->outlet_id) {
        sb_sqlb_add(q, " AND s.outlet_id = ?");
        sb_sqlb_int(q, f->outlet_id);
    } else if (!scope->all_outlets) {
        sb_sqlb_add(q,
                    " AND s.outlet_id IN (SELECT outlet_id FROM user_outlets WHERE user_id = ?)");
        sb_sqlb_int(q, scope->user_id);
    }
}

#define CODE_IDS                                                                      \
    "SELECT id FROM items WHERE sku = ? UNION ALL SELECT id FROM items WHERE upc = ?" \
    " UNION ALL SELECT id FROM items WHERE ean = ? UNION ALL SELECT id FROM items"    \
    " WHERE manufacturer_sku = ?"

#define LOW " AND s.reorder_point > 0 AND s.on_hand - s.reserved < s.reorder_point"

static void conditions(struct sb_sqlb *q, const struct sb_scope *scope,
                       const struct sb_item_filter *f, bool code, char *pattern, size_t cap)
{
    sb_sqlb_add(q, " WHERE 1 = 1");
    const struct {
        const char *v, *sql;
    } exact[] = {
        { f->sku, " AND i.sku = ?" },
        { f->upc, " AND i.upc = ?" },
        { f->ean, " AND i.ean = ?" },
        { f->manufacturer_sku, " AND i.manufacturer_sku = ?" },
    };
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (exact[i].v) {
            sb_sqlb_add(q, exact[i].sql);
            sb_sqlb_text(q, exact[i].v);
        }
    }
    if (f->q && f->q[0] && code) {
        /* a code typed or scanned exactly: that item alone, through the codes' indexes (a
         * union, which SQLite's planner serves from each index where it would scan for an
         * OR under an ORDER BY) */
        sb_sqlb_add(q, " AND i.id IN (" CODE_IDS ")");
        for (int i = 0; i < 4; i++)
            sb_sqlb_text(q, f->q);
    } else if (f->q && f->q[0]) {
        /* text anywhere in the name, SKU or description: one pattern over the three
         * together, a scan of the items that costs tens of milliseconds on 100,000
         * (bench/bench-items) */
        like_pattern(f->q, pattern, cap);
        sb_sqlb_add(q, " AND lower(i.name || ' ' || i.sku || ' ' || COALESCE(i.description, ''))"
                       " LIKE ? ESCAPE '\\'");
        sb_sqlb_text(q, pattern);
    }
    if (f->active_set) {
        sb_sqlb_add(q, " AND i.active = ?");
        sb_sqlb_int(q, f->active);
    }
    if (f->low_stock) {
        sb_sqlb_add(q, " AND i.id IN (SELECT s.item_id FROM stock s WHERE 1 = 1" LOW);
        stock_outlets(q, scope, f);
        sb_sqlb_add(q, ")");
    }
}

/* Checks q, and says whether it is an item's SKU, UPC, EAN or manufacturer SKU exactly
 * (then the search is for that code alone). */
static sb_err check_q(struct sb_db *db, const struct sb_item_filter *f, bool *ret_code)
{
    *ret_code = false;
    if (!f->q || !f->q[0])
        return SB_OK;
    if (strlen(f->q) > SB_ITEM_QUERY_MAX)
        return sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d characters", SB_ITEM_QUERY_MAX);
    int64_t one;
    sb_err err = sb_db_int(db, &one, CODE_IDS " LIMIT 1", "ssss", f->q, f->q, f->q, f->q);
    *ret_code = err == SB_OK;
    return err == SB_ENOT_FOUND ? SB_OK : err;
}

/* The page boundary of the sorts by name and SKU: that of the item `after`. */
static sb_err boundary(struct sb_db *db, const struct sb_item_filter *f, int64_t after, char **ret)
{
    bool by_name = f->sort == SB_ITEM_SORT_NAME || f->sort == SB_ITEM_SORT_NAME_DESC;
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           by_name ? "SELECT lower(name) FROM items WHERE id = ?"
                                   : "SELECT sku FROM items WHERE id = ?",
                           "i", after);
    if (err)
        return err;
    char *v = NULL;
    bool found = sb_q_next(&q);
    if (found && sb_q_text(&q, 0) && !(v = strdup(sb_q_text(&q, 0))))
        q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    err = sb_q_close(&q);
    if (!err && !found)
        err = sb_fail(SB_EINVALID_QUERY, "after", "after names no item");
    if (err) {
        free(v);
        return err;
    }
    *ret = v ? v : strdup("");
    return *ret ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

/* The keyset condition of the page after `after` and the order of the rows. With scan (a
 * text search, which reads every item anyway) the order is written so that no index
 * serves it: the planner then scans the items once (or reads the few the filter names)
 * and sorts those that match, rather than walking the whole name index for a rare word, a
 * random read per item. */
static const char *page_order(struct sb_sqlb *q, const struct sb_item_filter *f, int64_t after,
                              const char *bound, bool scan)
{
    switch (f->sort) {
    case SB_ITEM_SORT_ID:
        if (after) {
            sb_sqlb_add(q, " AND i.id > ?");
            sb_sqlb_int(q, after);
        }
        return " ORDER BY i.id";
    case SB_ITEM_SORT_ID_DESC:
        if (after) {
            sb_sqlb_add(q, " AND i.id < ?");
            sb_sqlb_int(q, after);
        }
        return " ORDER BY i.id DESC";
    case SB_ITEM_SORT_NAME:
        if (after) {
            /* a range on the name first, which the index (lower(name), id) serves */
            sb_sqlb_add(q, " AND lower(i.name) >= ? AND (lower(i.name) > ? OR i.id > ?)");
            sb_sqlb_text(q, bound);
            sb_sqlb_text(q, bound);
            sb_sqlb_int(q, after);
        }
        return scan ? " ORDER BY lower(i.name) || '', i.id" : " ORDER BY lower(i.name), i.id";
    case SB_ITEM_SORT_NAME_DESC:
        if (after) {
            sb_sqlb_add(q, " AND lower(i.name) <= ? AND (lower(i.name) < ? OR i.id < ?)");
            sb_sqlb_text(q, bound);
            sb_sqlb_text(q, bound);
            sb_sqlb_int(q, after);
        }
        return scan ? " ORDER BY lower(i.name) || '' DESC, i.id DESC"
                    : " ORDER BY lower(i.name) DESC, i.id DESC";
    case SB_ITEM_SORT_SKU: /* SKUs are unique: no tie to break */
        if (after) {
            sb_sqlb_add(q, " AND i.sku > ?");
            sb_sqlb_text(q, bound);
        }
        return scan ? " ORDER BY i.sku || ''" : " ORDER BY i.sku";
    case SB_ITEM_SORT_SKU_DESC:
        if (after) {
            sb_sqlb_add(q, " AND i.sku < ?");
            sb_sqlb_text(q, bound);
        }
        return scan ? " ORDER BY i.sku || '' DESC" : " ORDER BY i.sku DESC";
    }
    return " ORDER BY i.id";
}

/* One stock column of a row: the sum over the outlets read. */
static void stock_sum(struct sb_sqlb *q, const struct sb_scope *scope,
                      const struct sb_item_filter *f, const char *expr, const char *as)
{
    sb_sqlb_add(q, ", (SELECT COALESCE(SUM(");
    sb_sqlb_add(q, expr);
    sb_sqlb_add(q, "), 0) FROM stock s WHERE s.item_id = i.id");
    stock_outlets(q, scope, f);
    sb_sqlb_add(q, ") AS ");
    sb_sqlb_add(q, as);
}

/* low_stock as a JSON boolean on both backends (SQLite answers CASE with an integer) */
static sb_err finish_rows(struct sb_db *db, json_t *rows)
{
    sb_err err = SB_OK;
    for (size_t i = 0; !err && i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        json_t *low = json_object_get(row, "low_stock");
        json_object_set_new(row, "low_stock", json_boolean(json_integer_value(low) != 0));
        err = sb_store_item_prices(db, row);
    }
    return err;
}

sb_err sb_store_item_list(struct sb_db *db, const struct sb_scope *scope,
                          const struct sb_item_filter *f, int64_t after, int64_t limit,
                          json_t **ret)
{
    bool code = false;
    sb_err err = check_q(db, f, &code);
    char *bound = NULL;
    bool by_id = f->sort == SB_ITEM_SORT_ID || f->sort == SB_ITEM_SORT_ID_DESC;
    if (!err && after && !by_id)
        err = boundary(db, f, after, &bound);
    if (err)
        return err;
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q) {
        free(bound);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    char pattern[2 * SB_ITEM_QUERY_MAX + 8];
    /* the page's ids first, then the stock columns of those rows only */
    sb_sqlb_add(q, "SELECT " ITEM_COLS);
    stock_sum(q, scope, f, "s.on_hand", "on_hand");
    stock_sum(q, scope, f, "s.on_hand - s.reserved", "available");
    stock_sum(q, scope, f, "s.on_order", "on_order");
    sb_sqlb_add(q, ", CASE WHEN EXISTS (SELECT 1 FROM stock s WHERE s.item_id = i.id" LOW);
    stock_outlets(q, scope, f);
    sb_sqlb_add(q, ") THEN 1 ELSE 0 END AS low_stock FROM items i"
                   " WHERE i.id IN (SELECT i.id FROM items i");
    conditions(q, scope, f, code, pattern, sizeof(pattern));
    /* a text search reads every item; the low-stock view starts from the few stock rows
     * below their reorder point: both sort what they find rather than walk an index */
    const char *order = page_order(q, f, after, bound, (f->q && f->q[0] && !code) || f->low_stock);
    sb_sqlb_add(q, order);
    sb_sqlb_add(q, " LIMIT ?)");
    sb_sqlb_int(q, limit);
    sb_sqlb_add(q, order);
    json_t *rows = NULL;
    err = sb_sqlb_json_all(q, db, &rows);
    free(q);
    free(bound);
    if (!err)
        err = finish_rows(db, rows);
    if (err) {
        json_decref(rows);
        return err;
    }
    *ret = rows;
    return SB_OK;
}

sb_err sb_store_item_list_count(struct sb_db *db, const struct sb_scope *scope,
                                const struct sb_item_filter *f, int64_t *ret)
{
    bool code = false;
    sb_err err = check_q(db, f, &code);
    if (err)
        return err;
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    char pattern[2 * SB_ITEM_QUERY_MAX + 8];
    sb_sqlb_add(q, "SELECT i.id FROM items i");
    conditions(q, scope, f, code, pattern, sizeof(pattern));
    sb_sqlb_int(q, SB_ITEM_COUNT_CAP + 1);
    char *sql = NULL;
    if (q->overflow || asprintf(&sql, "SELECT COUNT(*) FROM (%s LIMIT ?) AS capped", q->sql) < 0) {
        sql = NULL;
        err = sb_fail(SB_EINTERNAL, NULL, "the items query does not fit");
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
