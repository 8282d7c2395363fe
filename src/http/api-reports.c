/*
 * Reports for the web app, scoped to the caller's outlets:
 * GET /api/v1/reports/sales-by-day?from=YYYY-MM-DD&to=YYYY-MM-DD (sales not
 * voided per business day, in each outlet's time zone, and channel; in-store
 * sales have channel null; by default the 30 days to today) and
 * GET /api/v1/reports/stock-value (default cost times on hand, per outlet).
 */
#include "http/api.h"
#include "store/reports.h"
#include "util/timeutil.h"

#include <string.h>

/* A day "YYYY-MM-DD", checked by parsing it as the start of that day. */
static sb_err day_param(struct sb_req *r, const char *name, const char *fallback, const char **ret)
{
    const char *v = sb_req_query(r, name);
    if (!v) {
        *ret = fallback;
        return SB_OK;
    }
    char t[32];
    int64_t when;
    if (strlen(v) != 10 || !(snprintf(t, sizeof(t), "%sT00:00:00Z", v) > 0) ||
        !sb_time_parse(t, &when))
        return sb_fail(SB_EINVALID_QUERY, name, "%s must be a day: YYYY-MM-DD", name);
    *ret = v;
    return SB_OK;
}

sb_err sb_api_reports_sales_by_day(struct sb_req *r)
{
    char today[SB_DAY_LEN], month_ago[SB_TIME_LEN];
    int64_t t = 0;
    sb_err err = sb_store_report_today(r->db, &r->scope, sb_time_now(), today);
    if (err)
        return err;
    /* 29 days before today: the default shows 30 days */
    (void)sb_time_parse(today, &t);
    sb_time_format(t - 29 * 86400, month_ago, sizeof(month_ago));
    month_ago[10] = '\0';
    const char *from = NULL, *to = NULL;
    json_t *rows;
    err = day_param(r, "from", month_ago, &from);
    if (!err)
        err = day_param(r, "to", today, &to);
    if (!err && strcmp(from, to) > 0)
        err = sb_fail(SB_EINVALID_QUERY, "from", "from must not come after to");
    if (!err)
        err = sb_store_report_sales_by_day(r->db, &r->scope, from, to, &rows);
    return err ? err
               : sb_reply(r, 200, json_pack("{s:o,s:s,s:s}", "data", rows, "from", from, "to", to));
}

sb_err sb_api_reports_stock_value(struct sb_req *r)
{
    json_t *rows;
    sb_err err = sb_store_report_stock_value(r->db, &r->scope, &rows);
    return err ? err : sb_reply(r, 200, json_pack("{s:o}", "data", rows));
}
