/*
 * The reports' queries. Days are business days: each sale's day in its outlet's time
 * zone, stored with the sale (SPEC T1).
 */
#include "store/reports.h"
#include "util/timeutil.h"

#include <stdio.h>

sb_err sb_store_report_sales_by_day(struct sb_db *db, const struct sb_scope *scope,
                                    const char *from, const char *to, json_t **ret)
{
    return sb_db_json_all(
        db, ret,
        "SELECT s.business_day AS day, s.channel_id,"
        " COALESCE(c.name, 'In store') AS channel, COUNT(*) AS sales, SUM(s.total) AS total,"
        " s.currency FROM sales s LEFT JOIN channels c ON c.id = s.channel_id"
        " WHERE s.status <> 'voided' AND s.kind <> 'order' AND s.business_day BETWEEN ? AND ?"
        " AND " SB_SQL_SCOPE(
            "s.outlet_id") " GROUP BY s.business_day, s.channel_id, c.name, s.currency"
                           " ORDER BY s.business_day, s.channel_id IS NOT NULL,"
                           " s.channel_id",
        "ssbi", from, to, scope->all_outlets, scope->user_id);
}

sb_err sb_store_report_today(struct sb_db *db, const struct sb_scope *scope, int64_t now,
                             char ret[SB_DAY_LEN])
{
    char at[SB_TIME_LEN];
    sb_time_format(now, at, sizeof(at));
    struct sb_q q;
    sb_err err = sb_q_open(&q, db,
                           "SELECT MAX(sb_local_date(?, timezone)) FROM outlets"
                           " WHERE " SB_SQL_SCOPE("id"),
                           "sbi", at, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    const char *day = sb_q_next(&q) ? sb_q_text(&q, 0) : NULL;
    if (day)
        snprintf(ret, SB_DAY_LEN, "%s", day);
    else
        snprintf(ret, SB_DAY_LEN, "%.10s", at); /* no outlet: the UTC day */
    return sb_q_close(&q);
}

sb_err sb_store_report_stock_value(struct sb_db *db, const struct sb_scope *scope, json_t **ret)
{
    return sb_db_json_all(
        db, ret,
        "SELECT o.id AS outlet_id, o.name AS outlet,"
        " COALESCE(SUM(CASE WHEN st.on_hand > 0 THEN st.on_hand * COALESCE(i.default_cost, 0)"
        " ELSE 0 END), 0) AS value,"
        " COALESCE(SUM(CASE WHEN st.on_hand > 0 THEN 1 ELSE 0 END), 0) AS items, o.currency"
        " FROM outlets o LEFT JOIN stock st ON st.outlet_id = o.id"
        " LEFT JOIN items i ON i.id = st.item_id AND i.track_stock"
        " WHERE " SB_SQL_SCOPE("o.id") " GROUP BY o.id ORDER BY o.id",
        "bi", scope->all_outlets, scope->user_id);
}
