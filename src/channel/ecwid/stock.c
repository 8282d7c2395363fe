/*
 * Stock to Ecwid (I1-I9): the POS sends absolute quantities, PUT
 * /products/{id} {quantity} for a product and PUT
 * /products/{id}/combinations/{cid} {quantity} for one of its combinations
 * (Ecwid's relative /inventory calls are not used: a retried delta counts
 * twice). An item whose stock Ecwid keeps unlimited has no quantity there and
 * is left alone: find_items does not match it, so nothing is ever pushed to
 * it. Every call goes through the transport's budget (600 a minute, 429).
 */
#include "channel/ecwid/ecwid.h"

#include "util/arena.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_id(const char **p, int64_t *ret)
{
    const char *s = *p;
    int64_t n = 0;
    if (*s < '1' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > (INT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (*s - '0');
    }
    *ret = n;
    *p = s;
    return true;
}

bool sb_ec_stock_target(const char *item_id, int64_t *ret_product, int64_t *ret_combination)
{
    const char *p = item_id;
    *ret_combination = 0;
    if (!p || !parse_id(&p, ret_product))
        return false;
    if (*p == '\0')
        return true;
    if (*p != '/')
        return false;
    p++;
    return parse_id(&p, ret_combination) && *p == '\0';
}

const char *sb_ec_stock_path(const struct sb_stock_level *l, struct sb_arena *a)
{
    int64_t p, c;
    if (l->available < 0 || !sb_ec_stock_target(l->external_item_id, &p, &c))
        return NULL;
    return c ? sb_arena_printf(a, "/products/%" PRId64 "/combinations/%" PRId64, p, c)
             : sb_arena_printf(a, "/products/%" PRId64, p);
}

/* Whether a product or combination keeps a count: not unlimited. */
static bool counted(json_t *o)
{
    return !json_is_true(json_object_get(o, "unlimited"));
}

static bool same(json_t *o, const char *sku)
{
    const char *s = json_string_value(json_object_get(o, "sku"));
    return s && !strcmp(s, sku);
}

const char *sb_ec_match_sku(json_t *product, const char *sku, struct sb_arena *a)
{
    json_t *pid = json_object_get(product, "id");
    if (!json_is_object(product) || !json_is_integer(pid) || json_integer_value(pid) <= 0)
        return NULL;
    if (same(product, sku))
        return counted(product)
                   ? sb_arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(pid))
                   : NULL;
    json_t *cs = json_object_get(product, "combinations");
    size_t i;
    json_t *c;
    json_array_foreach(cs, i, c)
    {
        json_t *cid = json_object_get(c, "id");
        if (json_is_object(c) && same(c, sku) && json_is_integer(cid) &&
            json_integer_value(cid) > 0)
            return counted(c) ? sb_arena_printf(a, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
                                                json_integer_value(pid), json_integer_value(cid))
                              : NULL;
    }
    return NULL;
}

sb_err sb_ec_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                        struct sb_arena *a)
{
    for (size_t i = 0; i < n; i++) {
        items[i].item_id = items[i].variant_id = items[i].product_id = NULL;
        items[i].location_id = NULL;
        if (!items[i].sku || !*items[i].sku || strlen(items[i].sku) > 256)
            continue;
        const char *q = sb_arena_printf(a, "sku=%s", sb_ec_pct(a, items[i].sku));
        if (!q)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        struct sb_ec_reply r;
        sb_err err = sb_ec_call(ch, "GET", "/products", q, NULL, a, &r);
        if (err)
            return err;
        if (r.status != 200)
            return sb_ec_status_err(&r, "finding products by SKU");
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(r.body, "items"), k, p)
        {
            const char *id = sb_ec_match_sku(p, items[i].sku, a);
            if (id) {
                items[i].item_id = id;
                items[i].variant_id = id;
                items[i].product_id = sb_arena_printf(a, "%" JSON_INTEGER_FORMAT,
                                                      json_integer_value(json_object_get(p, "id")));
                items[i].location_id = SB_EC_LOCATION;
                break;
            }
        }
    }
    return SB_OK;
}

sb_err sb_ec_push_stock(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                        struct sb_arena *a)
{
    for (size_t i = 0; i < n; i++) {
        const char *path = sb_ec_stock_path(&levels[i], a);
        if (!path) {
            levels[i].error = "not an Ecwid product or combination id, or a negative level";
            continue;
        }
        json_t *body = json_pack("{s:I}", "quantity", (json_int_t)levels[i].available);
        if (!body)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        struct sb_ec_reply r;
        sb_err err = sb_ec_call(ch, "PUT", path, NULL, body, a, &r);
        json_decref(body);
        if (err)
            return err;
        if (r.status == 200)
            continue;
        if (r.status == 400 || r.status == 404) {
            levels[i].error = sb_arena_printf(a, "Ecwid refused the quantity (HTTP %ld): %s",
                                              r.status, r.message ? r.message : "no message");
            continue;
        }
        return sb_ec_status_err(&r, "setting a quantity");
    }
    return SB_OK;
}

/* ---------------------------------------------------------------- reading it back (I5) */

/* One stock item into st: its id, sku and the one level. False when it is not counted. */
static bool stock_item(json_t *o, int64_t pid, int64_t cid, struct sb_arena *a,
                       struct sb_channel_stock *st)
{
    json_t *q = json_object_get(o, "quantity");
    const char *sku = json_string_value(json_object_get(o, "sku"));
    if (!counted(o) || !json_is_integer(q) || !sku || !*sku)
        return false;
    const char *id = cid ? sb_arena_printf(a, "%" PRId64 "/%" PRId64, pid, cid)
                         : sb_arena_printf(a, "%" PRId64, pid);
    const char **locs = sb_arena_alloc(a, sizeof(*locs));
    int64_t *avail = sb_arena_alloc(a, sizeof(*avail));
    if (!id || !locs || !avail)
        return false;
    locs[0] = SB_EC_LOCATION;
    avail[0] = json_integer_value(q);
    *st = (struct sb_channel_stock){
        .item = { .sku = sb_arena_strdup(a, sku),
                  .item_id = id,
                  .variant_id = id,
                  .product_id = sb_arena_printf(a, "%" PRId64, pid),
                  .location_id = SB_EC_LOCATION },
        .location_ids = locs,
        .available = avail,
        .n_levels = 1,
    };
    return st->item.sku && st->item.product_id;
}

sb_err sb_ec_stock_page(json_t *body, int64_t offset, struct sb_arena *a, struct sb_stock_page *ret)
{
    json_t *items = json_object_get(body, "items"), *total = json_object_get(body, "total");
    if (!json_is_object(body) || !json_is_array(items) || !json_is_integer(total))
        return sb_fail(SB_EIO, NULL, "Ecwid's product list is not {total, items[]}");
    size_t cap = 1, i, k;
    json_t *p, *c;
    json_array_foreach(items, i, p)
    {
        size_t nc = json_array_size(json_object_get(p, "combinations"));
        cap += nc ? nc : 1;
    }
    *ret = (struct sb_stock_page){ .items = sb_arena_alloc(a, cap * sizeof(*ret->items)) };
    if (!ret->items)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_array_foreach(items, i, p)
    {
        json_t *pid = json_object_get(p, "id"), *cs = json_object_get(p, "combinations");
        if (!json_is_integer(pid) || json_integer_value(pid) <= 0)
            continue;
        if (json_array_size(cs) == 0) {
            ret->n += stock_item(p, json_integer_value(pid), 0, a, &ret->items[ret->n]);
            continue;
        }
        json_array_foreach(cs, k, c)
        {
            json_t *cid = json_object_get(c, "id");
            if (json_is_integer(cid) && json_integer_value(cid) > 0)
                ret->n += stock_item(c, json_integer_value(pid), json_integer_value(cid), a,
                                     &ret->items[ret->n]);
        }
    }
    int64_t next = offset + (int64_t)json_array_size(items);
    ret->more = json_array_size(items) > 0 && next < json_integer_value(total);
    ret->next_cursor = ret->more ? sb_arena_printf(a, "%" PRId64, next) : NULL;
    return SB_OK;
}

sb_err sb_ec_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                        struct sb_stock_page *ret)
{
    int64_t offset = 0;
    if (cursor && *cursor) {
        char *end;
        errno = 0;
        long long v = strtoll(cursor, &end, 10);
        if (errno || *end || v < 0)
            return sb_fail(SB_EINVALID_FIELD, "cursor", "not an Ecwid stock cursor");
        offset = v;
    }
    const char *q = sb_arena_printf(a, "offset=%" PRId64 "&limit=%d", offset, SB_EC_PAGE_SIZE);
    if (!q)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_ec_reply r;
    sb_err err = sb_ec_call(ch, "GET", "/products", q, NULL, a, &r);
    if (err)
        return err;
    if (r.status != 200)
        return sb_ec_status_err(&r, "reading the store's stock");
    return sb_ec_stock_page(r.body, offset, a, ret);
}
