/*
 * POST /api/v1/sales/{id}/lines/{line_id}/item {"item_id": N}: a web order's
 * line whose product the POS did not know (SPEC O5) is matched to an item by
 * staff. The rules and the writes are store/sale-map-line.c's (one
 * transaction: the line, its stock movement, the sale's history, the review
 * flag); this file reads the JSON and answers the sale as GET shows it.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/sale-map-line.h"
#include "store/sales.h"
#include "store/store.h"

struct map_write {
    const struct sb_scope *scope;
    int64_t sale_id, line_id, item_id;
};

static sb_err map_fn(struct sb_db *db, void *ctx)
{
    struct map_write *w = ctx;
    return sb_store_sale_map_line(db, w->scope, w->sale_id, w->line_id, w->item_id,
                                  w->scope->user_id, NULL);
}

sb_err sb_api_sales_map_line(struct sb_req *r)
{
    static const char *const fields[] = { "item_id", NULL };
    struct map_write w = { .scope = &r->scope };
    struct sb_jctx c;
    sb_err err = sb_req_id(r, 0, &w.sale_id);
    if (!err)
        err = sb_req_id(r, 1, &w.line_id);
    if (!err)
        err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_id(&c, "item_id", true, &w.item_id, NULL);
    if (!err)
        err = sb_store_write(sb_server_store(r->server), map_fn, &w);
    json_t *doc = NULL;
    if (!err)
        err = sb_store_sale_get(r->db, &r->scope, w.sale_id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}
