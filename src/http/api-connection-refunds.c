/*
 * POST /api/v1/connection/orders/{order_id}/refund: the webstore refunded an
 * order it exported (SPEC E8, S2). The POS records the return on the sale,
 * restocking the items at the sale's outlet, and flags the sale for staff to
 * check the money went back on the webstore. Once per refund_id: a repeat is
 * answered with the return made before (200, not 201). Lines are named by sku
 * or line_index (the sale's lines in order); none: every line, what is left of
 * it. docs/channels/export.md "Refunds" shows examples.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/channel-orders.h"
#include "store/export-refund.h"
#include "store/sales.h"

#include <string.h>

static const struct sb_scope everything = { .all_outlets = true, .role = SB_ROLE_ADMIN };

struct refund {
    int64_t sale_id, return_id;
    struct sb_return_input in;
};

static sb_err refund_fn(struct sb_db *db, void *ctx)
{
    struct refund *f = ctx;
    return sb_store_sale_return(db, &everything, f->sale_id, &f->in, &f->return_id);
}

/* The sale line an entry names, by sku (the first line with it that has units left)
 * or by line_index. */
static sb_err line_of(struct sb_jctx *e, json_t *sale_lines, int64_t *ret_line, json_t **ret)
{
    const char *sku = NULL;
    int64_t index = 0;
    bool has_sku = false, has_index = false;
    sb_err err = sb_json_str(e, "sku", false, 64, &sku, &has_sku);
    if (!err)
        err = sb_json_int(e, "line_index", false, 0, SB_SALE_MAX_LINES, &index, &has_index);
    if (err)
        return err;
    if (has_sku == has_index)
        return sb_fail(SB_EINVALID_FIELD, e->prefix, "%s needs either sku or line_index",
                       e->prefix);
    json_t *line = NULL;
    if (has_index) {
        line = json_array_get(sale_lines, (size_t)index);
    } else {
        size_t i;
        json_t *l;
        json_array_foreach(sale_lines, i, l)
        {
            const char *s = json_string_value(json_object_get(l, "sku"));
            if (!s || strcmp(s, sku) != 0)
                continue;
            if (!line)
                line = l;
            if (json_integer_value(json_object_get(l, "quantity")) >
                json_integer_value(json_object_get(l, "returned_quantity"))) {
                line = l;
                break;
            }
        }
    }
    if (!line) {
        char field[96];
        snprintf(field, sizeof(field), "%s.%s", e->prefix, has_sku ? "sku" : "line_index");
        return sb_fail(SB_EINVALID_FIELD, field, "is not a line of this order");
    }
    *ret_line = json_integer_value(json_object_get(line, "id"));
    *ret = line;
    return SB_OK;
}

/* The return's lines from the body's, or every line's units not yet returned. */
static sb_err read_lines(struct sb_req *r, struct sb_jctx *c, json_t *sale_lines,
                         struct sb_return_line **ret, json_t ***ret_src, size_t *ret_n)
{
    json_t *lines = NULL;
    sb_err err = sb_json_array(c, "lines", false, SB_SALE_MAX_LINES, &lines);
    if (err)
        return err;
    size_t n = lines ? json_array_size(lines) : json_array_size(sale_lines);
    if (lines && n == 0)
        return sb_fail(SB_EINVALID_FIELD, "lines", "lines needs at least 1 entry");
    struct sb_return_line *l = sb_arena_alloc(r->arena, (n ? n : 1) * sizeof(*l));
    json_t **src = sb_arena_alloc(r->arena, (n ? n : 1) * sizeof(*src));
    if (!l || !src)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lines) { /* every line, what is left of it */
            json_t *sl = json_array_get(sale_lines, i);
            int64_t left = json_integer_value(json_object_get(sl, "quantity")) -
                           json_integer_value(json_object_get(sl, "returned_quantity"));
            if (left <= 0)
                continue;
            l[k] = (struct sb_return_line){ .sale_line_id =
                                                json_integer_value(json_object_get(sl, "id")),
                                            .quantity = left,
                                            .restock = true };
            src[k++] = sl;
            continue;
        }
        char buf[64];
        json_t *v = json_array_get(lines, i);
        struct sb_jctx e = sb_jctx_child(c, "lines", (long)i, v, buf, sizeof(buf));
        static const char *const keys[] = { "sku", "line_index", "quantity", NULL };
        if (!json_is_object(v))
            return sb_fail(SB_EINVALID_FIELD, e.prefix, "%s must be an object", e.prefix);
        l[k] = (struct sb_return_line){ .restock = true };
        if ((err = sb_json_only(&e, keys)) ||
            (err = line_of(&e, sale_lines, &l[k].sale_line_id, &src[k])) ||
            (err = sb_json_int(&e, "quantity", true, 1, SB_QTY_MAX, &l[k].quantity, NULL)))
            return err;
        k++;
    }
    if (k == 0)
        return sb_fail(SB_EINSUFFICIENT, "lines", "every unit of this order is already returned");
    *ret = l;
    *ret_src = src;
    *ret_n = k;
    return SB_OK;
}

/* An amount given for the whole refund, spread over the lines up to each one's value
 * (line_total for the units returned); more than the lines are worth is refused. */
static sb_err spread_amount(int64_t amount, struct sb_return_line *l, json_t **src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t total = json_integer_value(json_object_get(src[i], "line_total"));
        int64_t qty = json_integer_value(json_object_get(src[i], "quantity"));
        int64_t value = qty > 0 ? total / qty * l[i].quantity : 0;
        if (i + 1 < n && value > amount)
            value = amount;
        if (i + 1 == n)
            value = amount;
        l[i].amount = value;
        l[i].amount_set = true;
        amount -= value;
    }
    return SB_OK;
}

static sb_err answer(struct sb_req *r, int status, int64_t sale_id, int64_t return_id)
{
    json_t *ret = NULL, *sale = NULL;
    sb_err err = sb_store_return_get(r->db, return_id, &ret);
    if (!err)
        err = sb_store_sale_get(r->db, &everything, sale_id, &sale);
    if (err) {
        json_decref(ret);
        return err;
    }
    json_t *doc = json_pack("{s:o,s:I,s:b,s:O}", "return", ret, "sale_id", (json_int_t)sale_id,
                            "needs_review", json_is_true(json_object_get(sale, "needs_review")),
                            "review_reason", json_object_get(sale, "review_reason"));
    json_decref(sale);
    return sb_reply(r, status, doc);
}

sb_err sb_api_connection_refund(struct sb_req *r)
{
    sb_err err = sb_api_connection_require_ready(r);
    if (err)
        return err;
    const char *order_id = r->params[0];
    struct sb_jctx c;
    if ((err = sb_req_json(r, &c)))
        return err;
    static const char *const keys[] = { "refund_id", "lines", "amount", "note", NULL };
    struct refund f = { 0 };
    int64_t amount = 0;
    bool amount_set = false;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str(&c, "refund_id", true, 64, &f.in.external_id, NULL)) ||
        (err = sb_json_int(&c, "amount", false, 0, SB_MONEY_MAX, &amount, &amount_set)) ||
        (err = sb_json_str_or_null(&c, "note", 500, &f.in.reason, NULL)))
        return err;
    if (!f.in.external_id[0])
        return sb_fail(SB_EINVALID_FIELD, "refund_id", "refund_id must not be empty");

    struct sb_channel_order_state was;
    err = order_id ? sb_store_channel_order_get(r->db, r->scope.channel_id, order_id, &was)
                   : SB_ENOT_FOUND;
    if (err == SB_ENOT_FOUND || (!err && !was.sale_id))
        return sb_fail(SB_ENOT_FOUND, NULL, "no exported order %s on this connection",
                       order_id ? order_id : "");
    if (err)
        return err;
    f.sale_id = was.sale_id;
    /* once per refund_id: a repeat is answered with the return made before */
    err = sb_store_return_by_external(r->db, f.sale_id, f.in.external_id, &f.return_id);
    if (!err)
        return answer(r, 200, f.sale_id, f.return_id);
    if (err != SB_ENOT_FOUND)
        return err;
    sb_err_clear();

    json_t *sale = NULL;
    if ((err = sb_store_sale_get(r->db, &everything, f.sale_id, &sale)))
        return err;
    struct sb_return_line *l = NULL;
    json_t **src = NULL;
    err = read_lines(r, &c, json_object_get(sale, "lines"), &l, &src, &f.in.n_lines);
    if (!err && amount_set)
        err = spread_amount(amount, l, src, f.in.n_lines);
    f.in.lines = l;
    if (!err)
        err = sb_store_write(sb_server_store(r->server), refund_fn, &f);
    json_decref(sale);
    if (err == SB_EDUPLICATE) { /* the same refund, sent twice at once */
        sb_err_clear();
        err = sb_store_return_by_external(r->db, f.sale_id, f.in.external_id, &f.return_id);
        return err ? err : answer(r, 200, f.sale_id, f.return_id);
    }
    return err ? err : answer(r, 201, f.sale_id, f.return_id);
}
