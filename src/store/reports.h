/*
 * Reports for the web app (issue 5), scoped to the caller's outlets.
 */
#ifndef SB_STORE_REPORTS_H
#define SB_STORE_REPORTS_H

#include "core/scope.h"
#include "store/db.h"
#include "util/zone.h"

#include <jansson.h>

/* Sales not voided, per business day (the day of their creation in their outlet's time
 * zone, SPEC T1) and channel, from and to inclusive days "YYYY-MM-DD": [{"day",
 * "channel_id" (null: in store),"channel","sales","total","currency"}], by day then
 * channel. */
sb_err sb_store_report_sales_by_day(struct sb_db *db, const struct sb_scope *scope,
                                    const char *from, const char *to, json_t **ret);
/* Today at `now` in the scope's outlet that is furthest ahead (the UTC day when the
 * scope has no outlet). */
sb_err sb_store_report_today(struct sb_db *db, const struct sb_scope *scope, int64_t now,
                             char ret[SB_DAY_LEN]);
/* Per outlet: [{"outlet_id","outlet","value" (default cost x on hand, items with stock
 * tracked, on hand above 0),"items","currency"}]. */
sb_err sb_store_report_stock_value(struct sb_db *db, const struct sb_scope *scope, json_t **ret);

#endif
