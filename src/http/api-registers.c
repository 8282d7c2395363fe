/*
 * /api/v1/registers: the tills of each outlet. Staff list and read the
 * registers of their outlets; only admins create or change them.
 */
#include "http/api.h"
#include "store/registers.h"

static const char *const fields[] = { "outlet_id", "name", NULL };

static sb_err parse(struct sb_req *r, struct sb_register *g, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_id(&c, "outlet_id", create, &g->outlet_id, &g->outlet_set);
    if (!err)
        err = sb_json_str(&c, "name", create, 100, &g->name.v, &g->name.set);
    if (!err && g->name.set && !g->name.v[0])
        err = sb_fail(SB_EINVALID_FIELD, "name", "name must not be empty");
    /* Only admins write today, and they reach every outlet (an unknown one is the store's
     * 422); the check keeps any lesser writer inside its own outlets. */
    if (!err && g->outlet_set)
        err = sb_req_outlet(r, g->outlet_id);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_register_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_registers_list(struct sb_req *r)
{
    struct sb_page page;
    int64_t outlet_id = 0;
    bool present = false;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &outlet_id, &present);
    if (!err && present)
        err = sb_req_outlet(r, outlet_id);
    if (!err)
        err = sb_store_register_list(r->db, &r->scope, outlet_id, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_registers_create(struct sb_req *r)
{
    struct sb_register g = { 0 };
    int64_t id;
    sb_err err = parse(r, &g, true);
    if (!err)
        err = sb_store_register_create(r->db, &g, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_registers_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_registers_update(struct sb_req *r)
{
    struct sb_register g = { 0 };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &g, false);
    if (!err)
        err = sb_store_register_update(r->db, id, &g);
    return err ? err : reply_one(r, 200, id);
}
