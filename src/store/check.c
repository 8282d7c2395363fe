/*
 * Invariant queries. Each SELECT returns only the offending rows, so a
 * healthy database costs one pass over sales and one over stock.
 */
#include "store/check.h"

#include <stdio.h>

static sb_err run(struct sb_db *db, enum sb_invariant inv, const char *sql, const char *what,
                  sb_violation_fn fn, void *ud, int64_t *count)
{
    struct sb_q q;
    sb_err err = sb_q_open(&q, db, sql, NULL);
    if (err)
        return err;
    while (sb_q_next(&q)) {
        char detail[256];
        /* `what` is always one of the literals below, each taking four integers */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(detail, sizeof(detail), what, (long long)sb_q_int(&q, 0),
                 (long long)sb_q_int(&q, 1), (long long)sb_q_int(&q, 2),
                 (long long)sb_q_int(&q, 3));
#pragma GCC diagnostic pop
        fn(ud, inv, detail);
        (*count)++;
    }
    return sb_q_close(&q);
}

sb_err sb_store_check(struct sb_db *db, sb_violation_fn fn, void *ud, int64_t *ret_count)
{
    int64_t n = 0;
    sb_err err = run(db, SB_INV_SALE_TOTAL,
                     "SELECT id, total, subtotal - discount_total + tax_total + adjustment_total,"
                     " 0 FROM sales"
                     " WHERE total <> subtotal - discount_total + tax_total + adjustment_total",
                     "sale %lld: total %lld, but its parts add up to %lld", fn, ud, &n);
    if (!err)
        err = run(db, SB_INV_SALE_TOTAL,
                  "SELECT s.id, s.subtotal, COALESCE((SELECT SUM(quantity * unit_price)"
                  " FROM sale_lines WHERE sale_id = s.id), 0), 0 FROM sales s"
                  " WHERE s.subtotal <> COALESCE((SELECT SUM(quantity * unit_price)"
                  " FROM sale_lines WHERE sale_id = s.id), 0)",
                  "sale %lld: subtotal %lld, but its lines add up to %lld", fn, ud, &n);
    if (!err)
        err = run(db, SB_INV_SALE_TOTAL,
                  "SELECT s.id, s.discount_total, COALESCE((SELECT SUM(line_discount)"
                  " FROM sale_lines WHERE sale_id = s.id), 0) + COALESCE((SELECT SUM(amount)"
                  " FROM sale_discounts WHERE sale_id = s.id), 0), 0 FROM sales s"
                  " WHERE s.discount_total <> COALESCE((SELECT SUM(line_discount)"
                  " FROM sale_lines WHERE sale_id = s.id), 0) + COALESCE((SELECT SUM(amount)"
                  " FROM sale_discounts WHERE sale_id = s.id), 0)",
                  "sale %lld: discount_total %lld, but its discounts add up to %lld", fn, ud, &n);
    if (!err)
        err = run(db, SB_INV_SALE_TOTAL,
                  "SELECT s.id, s.tax_total, COALESCE((SELECT SUM(amount) FROM sale_taxes"
                  " WHERE sale_id = s.id), 0), 0 FROM sales s"
                  " WHERE s.tax_total <> COALESCE((SELECT SUM(amount) FROM sale_taxes"
                  " WHERE sale_id = s.id), 0)",
                  "sale %lld: tax_total %lld, but its taxes add up to %lld", fn, ud, &n);
    if (!err)
        err =
            run(db, SB_INV_SALE_TOTAL,
                "SELECT s.id, s.adjustment_total, COALESCE((SELECT SUM(amount)"
                " FROM sale_adjustments WHERE sale_id = s.id), 0), 0 FROM sales s"
                " WHERE s.adjustment_total <> COALESCE((SELECT SUM(amount)"
                " FROM sale_adjustments WHERE sale_id = s.id), 0)",
                "sale %lld: adjustment_total %lld, but its adjustments add up to %lld", fn, ud, &n);
    if (!err)
        err = run(db, SB_INV_SALE_BALANCE,
                  "SELECT id, balance_due, total - paid_total, 0 FROM sales"
                  " WHERE balance_due <> total - paid_total",
                  "sale %lld: balance due %lld, but total less payments is %lld", fn, ud, &n);
    if (!err)
        err = run(db, SB_INV_SALE_BALANCE,
                  "SELECT s.id, s.paid_total, COALESCE((SELECT SUM(amount) FROM payments"
                  " WHERE sale_id = s.id), 0), 0 FROM sales s"
                  " WHERE s.paid_total <> COALESCE((SELECT SUM(amount) FROM payments"
                  " WHERE sale_id = s.id), 0)",
                  "sale %lld: paid_total %lld, but its payments add up to %lld", fn, ud, &n);
    if (!err)
        err = run(db, SB_INV_STOCK_LEDGER,
                  "SELECT s.item_id, s.outlet_id, s.on_hand, COALESCE(SUM(l.on_hand_delta), 0)"
                  " FROM stock s LEFT JOIN stock_ledger l"
                  " ON l.item_id = s.item_id AND l.outlet_id = s.outlet_id"
                  " GROUP BY s.item_id, s.outlet_id, s.on_hand"
                  " HAVING s.on_hand <> COALESCE(SUM(l.on_hand_delta), 0)",
                  "item %lld at outlet %lld: on hand %lld, but its ledger adds up to %lld", fn, ud,
                  &n);
    if (!err)
        err = run(db, SB_INV_STOCK_LEDGER,
                  "SELECT s.item_id, s.outlet_id, s.reserved, COALESCE(SUM(l.reserved_delta), 0)"
                  " FROM stock s LEFT JOIN stock_ledger l"
                  " ON l.item_id = s.item_id AND l.outlet_id = s.outlet_id"
                  " GROUP BY s.item_id, s.outlet_id, s.reserved"
                  " HAVING s.reserved <> COALESCE(SUM(l.reserved_delta), 0)",
                  "item %lld at outlet %lld: reserved %lld, but its ledger adds up to %lld", fn, ud,
                  &n);
    /* the top items' per-day summary (report_item_days, kept by triggers) against the lines
     * it sums: every key either side, with its lines, quantity and revenue */
    if (!err)
        err = run(db, SB_INV_REPORT_SUMMARY,
                  "WITH live AS (SELECT COALESCE(s.business_day, '') AS business_day, s.outlet_id,"
                  " s.source, COALESCE(s.channel_id, 0) AS channel_id, s.currency, sl.item_id,"
                  " COUNT(*) AS lines, SUM(sl.quantity - sl.returned_quantity) AS quantity,"
                  " SUM(sl.line_total - CASE WHEN sl.returned_quantity > 0 THEN"
                  " COALESCE((SELECT SUM(rl.amount) FROM return_lines rl"
                  " WHERE rl.sale_line_id = sl.id), 0) ELSE 0 END) AS revenue"
                  " FROM sales s JOIN sale_lines sl ON sl.sale_id = s.id"
                  " WHERE sl.item_id IS NOT NULL AND s.status <> 'voided' AND s.kind <> 'order'"
                  " GROUP BY COALESCE(s.business_day, ''), s.outlet_id, s.source,"
                  " COALESCE(s.channel_id, 0), s.currency, sl.item_id)"
                  " SELECT d.item_id, d.outlet_id, d.revenue, COALESCE(l.revenue, 0)"
                  " FROM report_item_days d LEFT JOIN live l ON l.business_day = d.business_day"
                  " AND l.outlet_id = d.outlet_id AND l.source = d.source"
                  " AND l.channel_id = d.channel_id AND l.currency = d.currency"
                  " AND l.item_id = d.item_id"
                  " WHERE COALESCE(l.lines, 0) <> d.lines OR COALESCE(l.quantity, 0) <> d.quantity"
                  " OR COALESCE(l.revenue, 0) <> d.revenue"
                  " UNION ALL SELECT l.item_id, l.outlet_id, 0, l.revenue FROM live l"
                  " WHERE NOT EXISTS (SELECT 1 FROM report_item_days d"
                  " WHERE d.business_day = l.business_day AND d.outlet_id = l.outlet_id"
                  " AND d.source = l.source AND d.channel_id = l.channel_id"
                  " AND d.currency = l.currency AND d.item_id = l.item_id)",
                  "item %lld at outlet %lld: the report summary says revenue %lld, but its sales'"
                  " lines add up to %lld",
                  fn, ud, &n);
    if (!err)
        *ret_count = n;
    return err;
}
