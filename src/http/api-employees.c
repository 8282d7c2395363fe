/*
 * /api/v1/employees: the people who serve customers. Staff may read the
 * list (to pick who is serving); managers and admins keep it.
 */
#include "http/api.h"
#include "store/employees.h"

static const char *const fields[] = { "name", "email", "code", "active", NULL };

static sb_err parse(struct sb_req *r, struct sb_employee *e, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "name", create, 200, &e->name.v, &e->name.set);
    if (!err)
        err = sb_json_str_or_null(&c, "email", 254, &e->email.v, &e->email.set);
    if (!err)
        err = sb_json_str_or_null(&c, "code", 64, &e->code.v, &e->code.set);
    if (!err)
        err = sb_json_bool(&c, "active", false, &e->active, &e->active_set);
    if (!err)
        err = sb_employee_validate(e, create);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_employee_get(r->db, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_employees_list(struct sb_req *r)
{
    struct sb_page page;
    bool active = false, active_set = false;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_bool(r, "active", &active, &active_set);
    if (!err)
        err = sb_store_employee_list(r->db, active_set, active, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_employees_create(struct sb_req *r)
{
    struct sb_employee e = { 0 };
    int64_t id;
    sb_err err = parse(r, &e, true);
    if (!err)
        err = sb_store_employee_create(r->db, &e, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_employees_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_employees_update(struct sb_req *r)
{
    struct sb_employee e = { 0 };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &e, false);
    if (!err)
        err = sb_store_employee_update(r->db, id, &e);
    return err ? err : reply_one(r, 200, id);
}
