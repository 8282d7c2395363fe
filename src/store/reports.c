#include "store/reports.h"

sb_err sb_store_report_sales_by_day(struct sb_db *db, const struct sb_scope *scope,
                                    const char *from, const char *to, json_t **ret)
{
    return sb_db_json_all(
        db, ret,
        "SELECT substr(s.created_at, 1, 10) AS day, s.channel_id,"
        " COALESCE(c.name, 'In store') AS channel, COUNT(*) AS sales, SUM(s.total) AS total,"
        " s.currency FROM sales s LEFT JOIN channels c ON c.id = s.channel_id"
        " WHERE s.status <> 'voided' AND substr(s.created_at, 1, 10) BETWEEN ? AND ?"
        " AND " SB_SQL_SCOPE("s.outlet_id") " GROUP BY day, s.channel_id, s.currency ORDER BY day, "
                                            "s.channel_id IS NOT NULL,"
                                            " s.channel_id",
        "ssbi", from, to, scope->all_outlets, scope->user_id);
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
