/*
 * /api/v1/outlets: list, create, get, update. Staff see the outlets they
 * have access to; only admins create or change outlets. Each outlet comes
 * with its currency's ISO 4217 exponent (currency_exponent: the decimals of
 * its amounts), so clients never guess how to show an amount.
 */
#include "http/api.h"
#include "core/currency.h"
#include "store/outlets.h"

static const char *const fields[] = { "name",  "currency", "timezone", "address",
                                      "phone", "email",    NULL };

static sb_err parse(struct sb_req *r, struct sb_outlet *o, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "name", create, 200, &o->name.v, &o->name.set);
    if (!err)
        err = sb_json_str(&c, "currency", create, 3, &o->currency.v, &o->currency.set);
    if (!err)
        err = sb_json_str(&c, "timezone", false, 64, &o->timezone.v, &o->timezone.set);
    if (!err)
        err = sb_json_str_or_null(&c, "address", SB_STR_MAX, &o->address.v, &o->address.set);
    if (!err)
        err = sb_json_str_or_null(&c, "phone", 64, &o->phone.v, &o->phone.set);
    if (!err)
        err = sb_json_str_or_null(&c, "email", 254, &o->email.v, &o->email.set);
    if (!err)
        err = sb_outlet_validate(o, create);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_outlet_get(r->db, &r->scope, id, &doc);
    if (!err)
        sb_outlet_add_exponent(doc);
    return err ? err : sb_reply(r, status, doc);
}

void sb_outlet_add_exponent(json_t *outlet)
{
    const char *cur = json_string_value(json_object_get(outlet, "currency"));
    int e = sb_currency_exponent(cur);
    json_object_set_new(outlet, "currency_exponent", e < 0 ? json_null() : json_integer(e));
}

sb_err sb_api_outlets_list(struct sb_req *r)
{
    struct sb_page page;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_store_outlet_list(r->db, &r->scope, page.after, page.limit, &rows);
    if (err)
        return err;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        sb_outlet_add_exponent(row);
    }
    return sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_outlets_create(struct sb_req *r)
{
    struct sb_outlet o = { 0 };
    int64_t id;
    sb_err err = parse(r, &o, true);
    if (!err)
        err = sb_store_outlet_create(r->db, &o, &id);
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "name", "an outlet with this name exists");
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_outlets_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_outlets_update(struct sb_req *r)
{
    struct sb_outlet o = { 0 };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &o, false);
    if (!err)
        err = sb_store_outlet_update(r->db, id, &o);
    if (err == SB_EDUPLICATE)
        return sb_fail(err, "name", "an outlet with this name exists");
    return err ? err : reply_one(r, 200, id);
}
