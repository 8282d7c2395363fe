/*
 * The queries behind the reports screen (issue 16 item 6): sales per business day,
 * top items, top customers and takings by payment type over a range of local days
 * [from, to) (SPEC T1: each sale's day in its outlet's time zone, stored with it), for
 * the caller's outlets, optionally one outlet and one channel (or the POS alone).
 * Every figure is per currency; the HTTP layer groups the days into weeks or months.
 * A return counts against the period of its sale, so that "net of returns" describes
 * the same sales as the period's totals. Voided sales and open customer orders are left
 * out, as in the sales-by-day report.
 */
#include "store/reports.h"
#include "store/sqlbuild.h"

#include <stdlib.h>

/* The range, scope and filters every query shares; `s` is the sales table. */
static void conditions(struct sb_sqlb *q, const struct sb_scope *scope,
                       const struct sb_report_filter *f)
{
    sb_sqlb_add(q, " s.business_day >= ? AND s.business_day < ?"
                   " AND s.status <> 'voided' AND s.kind <> 'order'");
    sb_sqlb_text(q, f->from);
    sb_sqlb_text(q, f->to);
    if (!scope->all_outlets) {
        sb_sqlb_add(q,
                    " AND s.outlet_id IN (SELECT outlet_id FROM user_outlets WHERE user_id = ?)");
        sb_sqlb_int(q, scope->user_id);
    }
    if (f->outlet_id) {
        sb_sqlb_add(q, " AND s.outlet_id = ?");
        sb_sqlb_int(q, f->outlet_id);
    }
    if (f->pos_only)
        sb_sqlb_add(q, " AND s.source = 'pos'");
    if (f->channel_id) {
        sb_sqlb_add(q, " AND s.channel_id = ?");
        sb_sqlb_int(q, f->channel_id);
    }
}

static sb_err run(struct sb_sqlb *q, struct sb_db *db, json_t **ret)
{
    sb_err err = sb_sqlb_json_all(q, db, ret);
    free(q);
    return err;
}

sb_err sb_store_report_day_totals(struct sb_db *db, const struct sb_scope *scope,
                                  const struct sb_report_filter *f, json_t **ret)
{
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_sqlb_add(q, "SELECT s.business_day AS day, s.currency, COUNT(*) AS sales,"
                   " SUM(s.total) AS total, SUM(s.refunded_total) AS refunded FROM sales s WHERE");
    conditions(q, scope, f);
    sb_sqlb_add(q, " GROUP BY s.business_day, s.currency ORDER BY s.business_day, s.currency");
    return run(q, db, ret);
}

/* The same range and filters over the top items' per-day summary, `d`. */
static void day_conditions(struct sb_sqlb *q, const struct sb_scope *scope,
                           const struct sb_report_filter *f)
{
    sb_sqlb_add(q, " d.business_day >= ? AND d.business_day < ?");
    sb_sqlb_text(q, f->from);
    sb_sqlb_text(q, f->to);
    if (!scope->all_outlets) {
        sb_sqlb_add(q,
                    " AND d.outlet_id IN (SELECT outlet_id FROM user_outlets WHERE user_id = ?)");
        sb_sqlb_int(q, scope->user_id);
    }
    if (f->outlet_id) {
        sb_sqlb_add(q, " AND d.outlet_id = ?");
        sb_sqlb_int(q, f->outlet_id);
    }
    if (f->pos_only)
        sb_sqlb_add(q, " AND d.source = 'pos'");
    if (f->channel_id) {
        sb_sqlb_add(q, " AND d.channel_id = ?");
        sb_sqlb_int(q, f->channel_id);
    }
}

sb_err sb_store_report_top_items(struct sb_db *db, const struct sb_scope *scope,
                                 const struct sb_report_filter *f, bool by_quantity, int64_t limit,
                                 json_t **ret)
{
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    /* summed per item from report_item_days (a row per day, outlet, source, channel,
     * currency and item, kept by triggers with every sale, line and return: the lines of
     * the range are never read), the names joined to the top rows only (items are never
     * deleted); an item whose lines all went (lines 0) is not listed */
    sb_sqlb_add(q, "WITH t AS (SELECT d.item_id, d.currency, SUM(d.quantity) AS quantity,"
                   " SUM(d.revenue) AS revenue, ROW_NUMBER() OVER (PARTITION BY d.currency"
                   " ORDER BY");
    if (by_quantity)
        sb_sqlb_add(q, " SUM(d.quantity) DESC,");
    else
        sb_sqlb_add(q, " SUM(d.revenue) DESC,");
    sb_sqlb_add(q, " d.item_id) AS rank FROM report_item_days d WHERE");
    day_conditions(q, scope, f);
    sb_sqlb_add(q, " GROUP BY d.item_id, d.currency HAVING SUM(d.lines) > 0)"
                   " SELECT t.item_id, i.sku, i.name, t.currency, t.quantity, t.revenue, t.rank"
                   " FROM t JOIN items i ON i.id = t.item_id"
                   " WHERE t.rank <= ? ORDER BY t.currency, t.rank");
    sb_sqlb_int(q, limit);
    return run(q, db, ret);
}

sb_err sb_store_report_top_customers(struct sb_db *db, const struct sb_scope *scope,
                                     const struct sb_report_filter *f, int64_t limit, json_t **ret)
{
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    /* the sales summed per customer first (walk-in sales have none), the names joined to
     * the top rows only: joined first, the planner may walk every customer to its sales */
    sb_sqlb_add(q, "WITH t AS (SELECT s.customer_id, s.currency, COUNT(*) AS sales,"
                   " SUM(s.total - s.refunded_total) AS spend,"
                   " ROW_NUMBER() OVER (PARTITION BY s.currency ORDER BY"
                   " SUM(s.total - s.refunded_total) DESC, s.customer_id) AS rank"
                   " FROM sales s WHERE s.customer_id IS NOT NULL AND");
    conditions(q, scope, f);
    sb_sqlb_add(q, " GROUP BY s.customer_id, s.currency)"
                   " SELECT t.customer_id, COALESCE(NULLIF(TRIM(c.first_name || ' ' ||"
                   " c.last_name), ''), c.company, c.email) AS name, c.email, t.currency,"
                   " t.sales, t.spend, t.rank FROM t JOIN customers c ON c.id = t.customer_id"
                   " WHERE t.rank <= ? ORDER BY t.currency, t.rank");
    sb_sqlb_int(q, limit);
    return run(q, db, ret);
}

sb_err sb_store_report_takings(struct sb_db *db, const struct sb_scope *scope,
                               const struct sb_report_filter *f, json_t **ret)
{
    struct sb_sqlb *q = calloc(1, sizeof(*q));
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_sqlb_add(q, "WITH t AS (SELECT p.payment_type_id, s.currency, p.amount AS paid,"
                   " 0 AS refunded FROM sales s JOIN payments p ON p.sale_id = s.id WHERE");
    conditions(q, scope, f);
    sb_sqlb_add(q, " UNION ALL SELECT r.payment_type_id, s.currency, 0, r.refund_total"
                   " FROM sales s JOIN returns r ON r.sale_id = s.id WHERE r.refund_total > 0 AND");
    conditions(q, scope, f);
    sb_sqlb_add(q, ") SELECT t.payment_type_id, COALESCE(MAX(pt.name), 'Not recorded') AS"
                   " payment_type, t.currency, SUM(t.paid) AS payments, SUM(t.refunded) AS"
                   " refunds, SUM(t.paid) - SUM(t.refunded) AS net"
                   " FROM t LEFT JOIN payment_types pt ON pt.id = t.payment_type_id"
                   " GROUP BY t.payment_type_id, t.currency"
                   " ORDER BY t.currency, SUM(t.paid) - SUM(t.refunded) DESC, t.payment_type_id");
    return run(q, db, ret);
}
