/*
 * /api/v1/payment-types: list, create, get, update. Everyone reads them (the
 * till needs them); only admins create or rename them.
 */
#include "http/api.h"
#include "store/payment-types.h"

static const char *const fields[] = { "name", "integrated", NULL };

static sb_err parse(struct sb_req *r, struct sb_payment_type *p, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "name", create, 100, &p->name.v, &p->name.set);
    if (!err)
        err = sb_json_bool(&c, "integrated", false, &p->integrated, &p->integrated_set);
    if (!err)
        err = sb_payment_type_validate(p, create);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_payment_type_get(r->db, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_payment_types_list(struct sb_req *r)
{
    struct sb_page page;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_store_payment_type_list(r->db, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_payment_types_create(struct sb_req *r)
{
    struct sb_payment_type p = { 0 };
    int64_t id;
    sb_err err = parse(r, &p, true);
    if (!err)
        err = sb_store_payment_type_create(r->db, &p, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_payment_types_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_payment_types_update(struct sb_req *r)
{
    struct sb_payment_type p = { 0 };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &p, false);
    if (!err)
        err = sb_store_payment_type_update(r->db, id, &p);
    return err ? err : reply_one(r, 200, id);
}
