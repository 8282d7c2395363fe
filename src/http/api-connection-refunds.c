/*
 * POST /api/v1/connection/orders/{order_id}/refund: the webstore refunded an
 * order it exported (SPEC E8, S2). The POS records the return on the sale,
 * restocking the items at the sale's outlet, and flags the sale for staff to
 * check the money went back on the webstore. Once per refund_id: a repeat is
 * answered with the return made before (200, not 201). Lines are named by sku
 * or line_index (the sale's lines in order); none: every line, what is left of
 * it. The body and the return's lines it makes are channel/export/refund.c's.
 * docs/channels/export.md "Refunds" shows examples.
 */
#include "channel/export/refund.h"
#include "http/api.h"
#include "http/server.h"
#include "store/channel-log.h"
#include "store/channel-orders.h"
#include "store/export-refund.h"
#include "store/sales.h"

#include <string.h>

static const struct sb_scope everything = { .all_outlets = true, .role = SB_ROLE_ADMIN };

struct refund {
    int64_t channel_id, sale_id, return_id;
    const char *order_id;
    struct sb_return_input in;
};

static sb_err refund_fn(struct sb_db *db, void *ctx)
{
    struct refund *f = ctx;
    sb_err err = sb_store_sale_return(db, &everything, f->sale_id, &f->in, &f->return_id);
    if (!err)
        err = sb_store_channel_log(db, f->channel_id, "info", "order.refunded", f->order_id,
                                   "refunded on the webstore: return %lld on sale %lld, restocked"
                                   " (E8)",
                                   (long long)f->return_id, (long long)f->sale_id);
    return err;
}

/* The sale's lines as the refund reads them (store/sales.h's sale document). */
static sb_err sale_lines(struct sb_req *r, json_t *sale, struct sb_export_sale_line **ret,
                         size_t *ret_n)
{
    json_t *lines = json_object_get(sale, "lines"), *l;
    size_t n = json_array_size(lines), i;
    struct sb_export_sale_line *out = sb_arena_alloc(r->arena, (n ? n : 1) * sizeof(*out));
    if (!out)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    json_array_foreach(lines, i, l)
    {
        out[i] = (struct sb_export_sale_line){
            .id = json_integer_value(json_object_get(l, "id")),
            .sku = json_string_value(json_object_get(l, "sku")),
            .quantity = json_integer_value(json_object_get(l, "quantity")),
            .returned_quantity = json_integer_value(json_object_get(l, "returned_quantity")),
            .line_total = json_integer_value(json_object_get(l, "line_total")),
        };
    }
    *ret = out;
    *ret_n = n;
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
    struct sb_export_refund body;
    if ((err = sb_req_json(r, &c)) || (err = sb_export_refund_read(&c, r->arena, &body)))
        return err;
    struct refund f = { .channel_id = r->scope.channel_id,
                        .order_id = order_id,
                        .in = { .external_id = body.refund_id, .reason = body.note } };

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
    struct sb_export_sale_line *lines = NULL;
    size_t n_lines = 0;
    struct sb_return_line *l = NULL;
    err = sale_lines(r, sale, &lines, &n_lines);
    if (!err)
        err = sb_export_refund_lines(&body, lines, n_lines, r->arena, &l, &f.in.n_lines);
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
