/*
 * /api/v1/suppliers: list (?q= part of a name, email or phone), create, get,
 * update. Store-wide, as items are: everyone reads them (receiving staff see
 * whom goods came from); managers, who place purchase orders, write them.
 */
#include "http/api.h"
#include "store/suppliers.h"

#include <string.h>

static const char *const fields[] = { "name", "email", "phone", "note", NULL };

#define Q_MAX 100

static sb_err parse(struct sb_req *r, struct sb_supplier *s, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "name", create, SB_SUPPLIER_NAME_MAX, &s->name.v, &s->name.set);
    if (!err)
        err = sb_json_str_or_null(&c, "email", 254, &s->email.v, &s->email.set);
    if (!err)
        err = sb_json_str_or_null(&c, "phone", 50, &s->phone.v, &s->phone.set);
    if (!err)
        err = sb_json_str_or_null(&c, "note", 1000, &s->note.v, &s->note.set);
    if (!err)
        err = sb_supplier_validate(s, create);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_supplier_get(r->db, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_suppliers_list(struct sb_req *r)
{
    struct sb_page page;
    json_t *rows;
    const char *q = sb_req_query(r, "q");
    sb_err err = sb_req_page(r, &page);
    if (!err && q && strlen(q) > Q_MAX)
        err = sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d bytes", Q_MAX);
    if (!err)
        err = sb_store_supplier_list(r->db, q, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_suppliers_create(struct sb_req *r)
{
    struct sb_supplier s = { 0 };
    int64_t id;
    sb_err err = parse(r, &s, true);
    if (!err)
        err = sb_store_supplier_create(r->db, &s, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_suppliers_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_suppliers_update(struct sb_req *r)
{
    struct sb_supplier s = { 0 };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &s, false);
    if (!err)
        err = sb_store_supplier_update(r->db, id, &s);
    return err ? err : reply_one(r, 200, id);
}
