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

/* The reports screen (issue 16 item 6, store/report-periods.c): local days [from, to)
 * "YYYY-MM-DD", the caller's outlets, optionally one outlet (outlet_id) and one channel
 * (channel_id) or the POS alone (pos_only). */
struct sb_report_filter {
    const char *from, *to;
    int64_t outlet_id;
    int64_t channel_id;
    bool pos_only;
};
/* [{"day","currency","sales","total","refunded"}] per business day and currency. */
sb_err sb_store_report_day_totals(struct sb_db *db, const struct sb_scope *scope,
                                  const struct sb_report_filter *f, json_t **ret);
/* The `limit` best items per currency, net of returns, by revenue or quantity:
 * [{"item_id","sku","name","currency","quantity","revenue","rank"}]. */
sb_err sb_store_report_top_items(struct sb_db *db, const struct sb_scope *scope,
                                 const struct sb_report_filter *f, bool by_quantity, int64_t limit,
                                 json_t **ret);
/* The `limit` customers per currency by spend net of refunds (walk-in sales left out):
 * [{"customer_id","name","email","currency","sales","spend","rank"}]. */
sb_err sb_store_report_top_customers(struct sb_db *db, const struct sb_scope *scope,
                                     const struct sb_report_filter *f, int64_t limit, json_t **ret);
/* Per payment type and currency, the payments and the refunds of the range's sales:
 * [{"payment_type_id","payment_type","currency","payments","refunds","net"}]. */
sb_err sb_store_report_takings(struct sb_db *db, const struct sb_scope *scope,
                               const struct sb_report_filter *f, json_t **ret);

#endif
