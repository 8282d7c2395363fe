/*
 * /api/v1/customers: list (?email=, ?q=), create, get, update, and the
 * customer's sales. Customers are store-wide, so every staff member sees
 * them all; the sales listed under a customer are only those of the
 * caller's outlets.
 */
#include "http/api.h"
#include "http/sale-page.h"
#include "store/customers.h"
#include "store/sales.h"

#include <string.h>

static const char *const fields[] = { "first_name", "last_name", "email",     "phone",
                                      "company",    "note",      "addresses", NULL };
static const char *const address_fields[] = { "kind",    "name",  "company", "line1",
                                              "line2",   "city",  "region",  "postcode",
                                              "country", "phone", NULL };

static sb_err parse_address(struct sb_jctx *parent, size_t i, json_t *obj,
                            struct sb_customer_address *a)
{
    char buf[64];
    struct sb_jctx c = sb_jctx_child(parent, "addresses", (long)i, obj, buf, sizeof(buf));
    if (!json_is_object(obj))
        return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
    sb_err err = sb_json_only(&c, address_fields);
    if (!err)
        err = sb_json_str(&c, "kind", false, 16, &a->kind, NULL);
    struct {
        const char *key;
        const char **dst;
    } strs[] = { { "name", &a->name },         { "company", &a->company }, { "line1", &a->line1 },
                 { "line2", &a->line2 },       { "city", &a->city },       { "region", &a->region },
                 { "postcode", &a->postcode }, { "country", &a->country }, { "phone", &a->phone } };
    for (size_t k = 0; !err && k < sizeof(strs) / sizeof(strs[0]); k++)
        err = sb_json_str_or_null(&c, strs[k].key, 200, strs[k].dst, NULL);
    return err;
}

static sb_err parse(struct sb_req *r, struct sb_customer *cu, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str_or_null(&c, "first_name", 100, &cu->first_name.v, &cu->first_name.set);
    if (!err)
        err = sb_json_str_or_null(&c, "last_name", 100, &cu->last_name.v, &cu->last_name.set);
    if (!err)
        err = sb_json_str_or_null(&c, "email", SB_EMAIL_MAX, &cu->email.v, &cu->email.set);
    if (!err)
        err = sb_json_str_or_null(&c, "phone", 64, &cu->phone.v, &cu->phone.set);
    if (!err)
        err = sb_json_str_or_null(&c, "company", 200, &cu->company.v, &cu->company.set);
    if (!err)
        err = sb_json_str_or_null(&c, "note", SB_STR_MAX, &cu->note.v, &cu->note.set);
    json_t *addrs = NULL;
    if (!err)
        err = sb_json_array(&c, "addresses", false, SB_CUSTOMER_MAX_ADDRESSES, &addrs);
    if (!err && json_object_get(c.obj, "addresses")) {
        /* null or [] both clear the list on update */
        cu->addresses_set = true;
        cu->n_addresses = json_array_size(addrs);
        struct sb_customer_address *a =
            sb_arena_alloc(r->arena, (cu->n_addresses + 1) * sizeof(*a));
        if (!a)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; !err && i < cu->n_addresses; i++)
            err = parse_address(&c, i, json_array_get(addrs, i), &a[i]);
        cu->addresses = a;
    }
    if (!err)
        err = sb_customer_validate(cu, create);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_customer_get(r->db, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_customers_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_customer_filter f = { .email = sb_req_query(r, "email"), .q = sb_req_query(r, "q") };
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err && f.q && strlen(f.q) > 200)
        err = sb_fail(SB_EINVALID_QUERY, "q", "q is longer than 200 characters");
    if (!err && f.email && strlen(f.email) > SB_EMAIL_MAX)
        err = sb_fail(SB_EINVALID_QUERY, "email", "email is too long");
    if (!err)
        err = sb_store_customer_list(r->db, &f, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_customers_create(struct sb_req *r)
{
    struct sb_customer c = { 0 };
    int64_t id;
    sb_err err = parse(r, &c, true);
    if (!err)
        err = sb_store_customer_create(r->db, &c, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_customers_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_customers_update(struct sb_req *r)
{
    struct sb_customer c = { 0 };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &c, false);
    if (!err)
        err = sb_store_customer_update(r->db, id, &c);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_customers_sales(struct sb_req *r)
{
    int64_t id;
    struct sb_page page;
    json_t *customer = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_page(r, &page);
    if (!err)
        err = sb_store_customer_get(r->db, id, &customer); /* 404 for an unknown customer */
    json_decref(customer);
    struct sb_sale_filter f = { .customer_id = id };
    bool count = false;
    if (!err)
        err = sb_req_sale_search(r, &f, &count);
    return err ? err : sb_reply_sale_page(r, &f, &page, count);
}

sb_err sb_api_customers_summary(struct sb_req *r)
{
    int64_t id;
    json_t *customer = NULL, *doc = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_customer_get(r->db, id, &customer); /* 404 for an unknown customer */
    json_decref(customer);
    if (!err)
        err = sb_store_customer_summary(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

sb_err sb_api_customers_merge(struct sb_req *r)
{
    static const char *const merge_fields[] = { "from_customer_id", NULL };
    struct sb_jctx c;
    int64_t id = 0, from = 0, moved = 0;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, merge_fields);
    if (!err)
        err = sb_json_id(&c, "from_customer_id", true, &from, NULL);
    if (!err)
        err = sb_store_customer_merge(r->db, &r->scope, id, from, r->scope.user_id, &moved);
    json_t *doc = NULL;
    if (!err)
        err = sb_store_customer_get(r->db, id, &doc);
    if (err)
        return err;
    json_object_set_new(doc, "moved_sales", json_integer(moved));
    return sb_reply(r, 200, doc);
}
