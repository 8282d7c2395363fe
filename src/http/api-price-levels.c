/*
 * /api/v1/price-levels: list, create, get, rename. Price levels are
 * store-wide names for columns of item prices; staff may read them, only
 * admins change them (the route table says so).
 */
#include "http/api.h"
#include "store/price-levels.h"

static const char *const fields[] = { "name", NULL };

static sb_err parse(struct sb_req *r, const char **name, bool create)
{
    struct sb_jctx c;
    bool set = false;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "name", create, SB_PRICE_LEVEL_MAX, name, &set);
    if (!err && set)
        err = sb_price_level_validate(*name);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_price_level_get(r->db, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_price_levels_list(struct sb_req *r)
{
    struct sb_page page;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_store_price_level_list(r->db, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_price_levels_create(struct sb_req *r)
{
    const char *name = NULL;
    int64_t id;
    sb_err err = parse(r, &name, true);
    if (!err)
        err = sb_store_price_level_create(r->db, name, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_price_levels_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_price_levels_update(struct sb_req *r)
{
    const char *name = NULL;
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &name, false);
    if (!err)
        err = sb_store_price_level_update(r->db, id, name);
    return err ? err : reply_one(r, 200, id);
}
