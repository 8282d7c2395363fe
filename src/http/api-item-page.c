/*
 * The item page's reads beyond the item record (issue 16 item 1): which
 * channels carry an item and what they were last sent
 * (GET /api/v1/items/{id}/channels), and every item as a CSV file in the
 * import's columns (GET /api/v1/items/export). The item's prices and stock
 * per outlet come with GET /api/v1/items/{id}, its ledger from
 * GET /api/v1/stock/ledger?item_id=.
 */
#include "core/currency.h"
#include "http/api.h"
#include "store/item-channels.h"
#include "store/items.h"

#include <stdlib.h>

sb_err sb_api_items_channels(struct sb_req *r)
{
    int64_t id;
    json_t *rows;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_item_channels(r->db, &r->scope, id, &rows);
    return err ? err : sb_reply(r, 200, json_pack("{s:o}", "data", rows));
}

static void free_csv(void *p)
{
    free(p);
}

/* ?currency=: the currency whose decimals the prices are written with (default: the
 * outlets' one, as the import). */
sb_err sb_api_items_export(struct sb_req *r)
{
    const char *currency = sb_req_query(r, "currency");
    if (currency && sb_currency_exponent(currency) < 0)
        return sb_fail(SB_EINVALID_QUERY, "currency",
                       "currency must be an ISO 4217 currency code such as USD");
    char *csv = NULL;
    size_t len = 0;
    sb_err err = sb_store_items_export(r->db, &r->scope, currency, &csv, &len);
    if (err)
        return err;
    if (!sb_arena_defer(r->arena, free_csv, csv)) /* freed already */
        return sb_fail(SB_ENOMEM, NULL, NULL);
    return sb_reply_raw(r, 200, "text/csv; charset=utf-8", csv, len);
}
