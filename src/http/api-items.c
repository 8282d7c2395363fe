/*
 * /api/v1/items: the catalogue. List with filters (exact SKU, UPC, EAN,
 * manufacturer SKU; ?q= text), create and update (managers and up), read
 * one with its stock at the caller's outlets, and import a CSV file
 * (store/items.c does the reading, shared with the command line).
 */
#include "core/money.h"
#include "http/api.h"
#include "core/currency.h"
#include "store/items.h"

#include <string.h>

static const char *const fields[] = {
    "sku",  "name",      "upc",         "ean",    "manufacturer_sku", "description", "default_cost",
    "msrp", "tax_class", "track_stock", "active", "prices",           NULL
};
static const char *const price_fields[] = { "price_level_id", "amount", NULL };

static sb_err parse_prices(struct sb_jctx *c, struct sb_item *it)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "prices", false, SB_ITEM_MAX_PRICES, &arr);
    if (err || !arr)
        return err;
    it->prices_set = true;
    size_t i;
    json_t *el;
    json_array_foreach(arr, i, el)
    {
        char buf[64];
        struct sb_jctx pc = sb_jctx_child(c, "prices", (long)i, el, buf, sizeof(buf));
        if (!json_is_object(el))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
        struct sb_item_price *p = &it->prices[it->n_prices];
        err = sb_json_only(&pc, price_fields);
        if (!err)
            err = sb_json_id(&pc, "price_level_id", true, &p->price_level_id, NULL);
        if (!err)
            err = sb_json_int(&pc, "amount", true, 0, SB_MONEY_MAX, &p->amount, NULL);
        if (err)
            return err;
        it->n_prices++;
    }
    return SB_OK;
}

static sb_err parse(struct sb_req *r, struct sb_item *it, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_str(&c, "sku", create, SB_ITEM_SKU_MAX, &it->sku.v, &it->sku.set);
    if (!err)
        err = sb_json_str(&c, "name", create, SB_ITEM_NAME_MAX, &it->name.v, &it->name.set);
    if (!err)
        err = sb_json_str_or_null(&c, "upc", 64, &it->upc.v, &it->upc.set);
    if (!err)
        err = sb_json_str_or_null(&c, "ean", 64, &it->ean.v, &it->ean.set);
    if (!err)
        err = sb_json_str_or_null(&c, "manufacturer_sku", SB_ITEM_CODE_MAX, &it->manufacturer_sku.v,
                                  &it->manufacturer_sku.set);
    if (!err)
        err = sb_json_str_or_null(&c, "description", SB_ITEM_TEXT_MAX, &it->description.v,
                                  &it->description.set);
    if (!err)
        err = sb_json_str(&c, "tax_class", false, SB_ITEM_CODE_MAX, &it->tax_class.v,
                          &it->tax_class.set);
    if (!err)
        err = sb_json_int(&c, "default_cost", false, 0, SB_MONEY_MAX, &it->default_cost,
                          &it->default_cost_set);
    if (!err)
        err = sb_json_int(&c, "msrp", false, 0, SB_MONEY_MAX, &it->msrp, &it->msrp_set);
    if (!err)
        err = sb_json_bool(&c, "track_stock", false, &it->track_stock, &it->track_stock_set);
    if (!err)
        err = sb_json_bool(&c, "active", false, &it->active, &it->active_set);
    if (!err)
        err = parse_prices(&c, it);
    if (!err)
        err = sb_item_validate(it, create);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id, bool with_stock)
{
    json_t *doc;
    sb_err err = sb_store_item_get(r->db, id, with_stock ? &r->scope : NULL, &doc);
    return err ? err : sb_reply(r, status, doc);
}

/* ?sort=: id, -id, name, -name, sku, -sku. */
static sb_err parse_sort(struct sb_req *r, enum sb_item_sort *ret)
{
    static const struct {
        const char *name;
        enum sb_item_sort sort;
    } sorts[] = { { "id", SB_ITEM_SORT_ID },     { "-id", SB_ITEM_SORT_ID_DESC },
                  { "name", SB_ITEM_SORT_NAME }, { "-name", SB_ITEM_SORT_NAME_DESC },
                  { "sku", SB_ITEM_SORT_SKU },   { "-sku", SB_ITEM_SORT_SKU_DESC } };
    const char *sort = sb_req_query(r, "sort");
    if (!sort)
        return SB_OK;
    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
        if (strcmp(sort, sorts[i].name) == 0) {
            *ret = sorts[i].sort;
            return SB_OK;
        }
    return sb_fail(SB_EINVALID_QUERY, "sort", "sort must be id, -id, name, -name, sku or -sku");
}

/* Issue 16 item 1: ?q= (a code, or text in the name, SKU or description), exact ?sku= ?upc=
 * ?ean= ?manufacturer_sku=, ?active=, ?low_stock=true (below the reorder point at one of the
 * caller's outlets, or at ?outlet_id=), ?sort=, keyset ?after= and ?count=true (the
 * total, capped). */
sb_err sb_api_items_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_item_filter f = { .sku = sb_req_query(r, "sku"),
                                .upc = sb_req_query(r, "upc"),
                                .ean = sb_req_query(r, "ean"),
                                .manufacturer_sku = sb_req_query(r, "manufacturer_sku"),
                                .q = sb_req_query(r, "q") };
    bool count = false, has_outlet = false;
    sb_err err = sb_req_page(r, &page);
    if (!err && f.q && strlen(f.q) > SB_ITEM_QUERY_MAX)
        err = sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d bytes", SB_ITEM_QUERY_MAX);
    if (!err)
        err = sb_req_query_bool(r, "active", &f.active, &f.active_set);
    if (!err)
        err = sb_req_query_bool(r, "low_stock", &f.low_stock, NULL);
    if (!err)
        err = sb_req_query_bool(r, "count", &count, NULL);
    if (!err)
        err = parse_sort(r, &f.sort);
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &f.outlet_id, &has_outlet);
    if (!err && has_outlet)
        err = sb_req_outlet(r, f.outlet_id);
    json_t *rows;
    if (!err)
        err = sb_store_item_list(r->db, &r->scope, &f, page.after, page.limit, &rows);
    if (err)
        return err;
    json_t *body = sb_page_json(rows, &page);
    if (count) {
        int64_t n = 0;
        err = sb_store_item_list_count(r->db, &r->scope, &f, &n);
        if (err) {
            json_decref(body);
            return err;
        }
        json_object_set_new(body, "total",
                            json_integer(n > SB_ITEM_COUNT_CAP ? SB_ITEM_COUNT_CAP : n));
        json_object_set_new(body, "total_capped", json_boolean(n > SB_ITEM_COUNT_CAP));
    }
    return sb_reply(r, 200, body);
}

sb_err sb_api_items_create(struct sb_req *r)
{
    struct sb_item *it = sb_arena_alloc(r->arena, sizeof(*it));
    if (!it)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t id;
    sb_err err = parse(r, it, true);
    if (!err)
        err = sb_store_item_create(r->db, it, &id);
    return err ? err : reply_one(r, 201, id, false);
}

sb_err sb_api_items_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id, true);
}

sb_err sb_api_items_update(struct sb_req *r)
{
    struct sb_item *it = sb_arena_alloc(r->arena, sizeof(*it));
    if (!it)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, it, false);
    if (!err)
        err = sb_store_item_update(r->db, id, it);
    return err ? err : reply_one(r, 200, id, false);
}

/* ?currency=JPY: the currency of the file's prices (default: the outlets' one). */
sb_err sb_api_items_import(struct sb_req *r)
{
    struct sb_item_import io = { .currency = sb_req_query(r, "currency") };
    if (io.currency && sb_currency_exponent(io.currency) < 0)
        return sb_fail(SB_EINVALID_QUERY, "currency",
                       "currency must be an ISO 4217 currency code such as USD");
    sb_err err = sb_store_items_import(r->db, r->body ? r->body : "", r->body_len, &io);
    if (err) {
        if (io.details)
            sb_req_error_details(r, io.details);
        return err;
    }
    json_decref(io.details);
    return sb_reply(r, 200,
                    json_pack("{s:I,s:I}", "created", (json_int_t)io.created, "updated",
                              (json_int_t)io.updated));
}
