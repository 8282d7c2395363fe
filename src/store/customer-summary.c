/*
 * What a customer has bought (issue 16, customers): their completed sales in
 * the caller's outlets, what they spent (per currency: net of refunds) and
 * when they last bought.
 */
#include "store/customers.h"

#include <string.h>

sb_err sb_store_customer_summary(struct sb_db *db, const struct sb_scope *scope, int64_t id,
                                 json_t **ret)
{
    json_t *spend = NULL;
    sb_err err = sb_db_json_all(
        db, &spend,
        "SELECT s.currency, COUNT(*) AS sales, SUM(s.total - s.refunded_total) AS amount,"
        " MAX(s.created_at) AS last_purchase_at FROM sales s WHERE s.customer_id = ?"
        " AND s.status = 'completed' AND s.kind <> 'order' AND " SB_SQL_SCOPE(
            "s.outlet_id") " GROUP BY s.currency ORDER BY s.currency",
        "ibi", id, scope->all_outlets, scope->user_id);
    if (err)
        return err;
    int64_t sales = 0;
    const char *last = NULL;
    for (size_t i = 0; i < json_array_size(spend); i++) {
        json_t *row = json_array_get(spend, i);
        sales += json_integer_value(json_object_get(row, "sales"));
        const char *at = json_string_value(json_object_get(row, "last_purchase_at"));
        if (at && (!last || strcmp(at, last) > 0))
            last = at;
    }
    json_t *doc =
        json_pack("{s:I,s:s?,s:[]}", "sales", (json_int_t)sales, "last_purchase_at", last, "spend");
    if (!doc) {
        json_decref(spend);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_t *list = json_object_get(doc, "spend");
    for (size_t i = 0; i < json_array_size(spend); i++) {
        json_t *row = json_array_get(spend, i);
        json_array_append_new(list, json_pack("{s:O,s:O,s:O}", "currency",
                                              json_object_get(row, "currency"), "amount",
                                              json_object_get(row, "amount"), "sales",
                                              json_object_get(row, "sales")));
    }
    json_decref(spend);
    *ret = doc;
    return SB_OK;
}
