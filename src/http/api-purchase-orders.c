/*
 * /api/v1/purchase-orders: orders to suppliers, delivered to one outlet
 * (issue 16 item 1; what each action does to stock is in
 * store/purchase-orders.h). Managers create, edit (drafts), order and
 * cancel; staff receive, as they receive any goods (POST /stock/receipts).
 * Everything is limited to the caller's outlets: an order elsewhere is 404,
 * naming another outlet 403 outlet_forbidden.
 */
#include "http/api.h"
#include "core/stock.h"
#include "store/purchase-orders.h"

#include <stdio.h>
#include <string.h>

static const char *const create_fields[] = { "supplier_id", "outlet_id", "currency", "expected_on",
                                             "note",        "lines",     NULL };
static const char *const update_fields[] = { "supplier_id", "currency", "expected_on",
                                             "note",        "lines",    NULL };
static const char *const line_fields[] = { "item_id", "quantity", "unit_cost", NULL };
static const char *const receive_fields[] = { "reference", "note", "lines", NULL };
static const char *const receive_line_fields[] = { "line_id", "item_id", "quantity", NULL };

#define NOTE_MAX      1000
#define REFERENCE_MAX 100
#define Q_MAX         100
#define COST_MAX      1000000000000LL /* minor units: ten billion dollars a unit is plenty */

static sb_err parse_lines(struct sb_req *r, struct sb_jctx *c, bool required,
                          struct sb_po_input *in)
{
    json_t *arr = NULL;
    sb_err err = sb_json_array(c, "lines", required, SB_PO_MAX_LINES, &arr);
    if (err || !arr)
        return err;
    size_t n = json_array_size(arr);
    if (n == 0)
        return sb_fail(SB_EINVALID_FIELD, "lines", "lines must have at least one line");
    struct sb_po_line_input *lines = sb_arena_alloc(r->arena, n * sizeof(*lines));
    if (!lines)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        json_t *el = json_array_get(arr, i);
        struct sb_jctx lc = sb_jctx_child(c, "lines", (long)i, el, buf, sizeof(buf));
        if (!json_is_object(el))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
        lines[i] = (struct sb_po_line_input){ 0 };
        err = sb_json_only(&lc, line_fields);
        if (!err)
            err = sb_json_id(&lc, "item_id", true, &lines[i].item_id, NULL);
        if (!err)
            err = sb_json_int(&lc, "quantity", true, 1, SB_STOCK_QTY_MAX, &lines[i].quantity, NULL);
        if (!err)
            err = sb_json_int(&lc, "unit_cost", false, 0, COST_MAX, &lines[i].unit_cost,
                              &lines[i].unit_cost_set);
        for (size_t k = 0; !err && k < i; k++) {
            if (lines[k].item_id == lines[i].item_id) {
                char field[80];
                snprintf(field, sizeof(field), "%s.item_id", buf);
                err = sb_fail(SB_EINVALID_FIELD, field, "item %lld is on the order twice",
                              (long long)lines[i].item_id);
            }
        }
        if (err)
            return err;
    }
    in->lines = lines;
    in->n_lines = n;
    in->lines_set = true;
    return SB_OK;
}

static sb_err parse(struct sb_req *r, struct sb_po_input *in, bool create)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, create ? create_fields : update_fields);
    if (!err)
        err = sb_json_id(&c, "supplier_id", create, &in->supplier_id, &in->supplier_set);
    if (!err && create)
        err = sb_json_id(&c, "outlet_id", true, &in->outlet_id, NULL);
    if (!err)
        err = sb_json_str(&c, "currency", false, 3, &in->currency.v, &in->currency.set);
    if (!err)
        err = sb_json_str_or_null(&c, "expected_on", 10, &in->expected_on.v, &in->expected_on.set);
    if (!err)
        err = sb_json_str_or_null(&c, "note", NOTE_MAX, &in->note.v, &in->note.set);
    if (!err)
        err = parse_lines(r, &c, create, in);
    return err;
}

static sb_err reply_one(struct sb_req *r, int status, int64_t id)
{
    json_t *doc;
    sb_err err = sb_store_po_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, status, doc);
}

sb_err sb_api_purchase_orders_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_po_filter f = { .q = sb_req_query(r, "q") };
    bool has_outlet = false;
    const char *status = sb_req_query(r, "status");
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err && f.q && strlen(f.q) > Q_MAX)
        err = sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d bytes", Q_MAX);
    if (!err && status && *status) {
        f.status_set = true;
        if (!sb_po_status_parse(status, &f.status))
            err = sb_fail(SB_EINVALID_QUERY, "status",
                          "status must be draft, ordered, partial, received or cancelled");
    }
    if (!err)
        err = sb_req_query_id(r, "supplier_id", &f.supplier_id, NULL);
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &f.outlet_id, &has_outlet);
    if (!err && has_outlet)
        err = sb_req_outlet(r, f.outlet_id);
    if (!err)
        err = sb_store_po_list(r->db, &r->scope, &f, page.after, page.limit, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_purchase_orders_create(struct sb_req *r)
{
    struct sb_po_input in = { .user_id = r->scope.user_id };
    int64_t id;
    sb_err err = parse(r, &in, true);
    if (!err)
        err = sb_req_outlet(r, in.outlet_id);
    if (!err)
        err = sb_store_po_create(r->db, &in, &id);
    return err ? err : reply_one(r, 201, id);
}

sb_err sb_api_purchase_orders_get(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_purchase_orders_update(struct sb_req *r)
{
    struct sb_po_input in = { .user_id = r->scope.user_id };
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &in, false);
    if (!err)
        err = sb_store_po_update(r->db, &r->scope, id, &in);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_purchase_orders_order(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_po_order(r->db, &r->scope, id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_purchase_orders_cancel(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_po_cancel(r->db, &r->scope, id);
    return err ? err : reply_one(r, 200, id);
}

sb_err sb_api_purchase_orders_receive(struct sb_req *r)
{
    struct sb_jctx c;
    int64_t id;
    const char *reference = NULL, *note = NULL;
    json_t *arr = NULL;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, receive_fields);
    if (!err)
        err = sb_json_str_or_null(&c, "reference", REFERENCE_MAX, &reference, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "note", NOTE_MAX, &note, NULL);
    if (!err)
        err = sb_json_array(&c, "lines", true, SB_PO_MAX_LINES, &arr);
    if (!err && json_array_size(arr) == 0)
        err = sb_fail(SB_EINVALID_FIELD, "lines", "lines must have at least one line");
    if (err)
        return err;
    size_t n = json_array_size(arr);
    struct sb_po_receive_line *lines = sb_arena_alloc(r->arena, n * sizeof(*lines));
    if (!lines)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        json_t *el = json_array_get(arr, i);
        struct sb_jctx lc = sb_jctx_child(&c, "lines", (long)i, el, buf, sizeof(buf));
        if (!json_is_object(el))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
        bool has_line = false, has_item = false;
        lines[i] = (struct sb_po_receive_line){ 0 };
        err = sb_json_only(&lc, receive_line_fields);
        if (!err)
            err = sb_json_id(&lc, "line_id", false, &lines[i].line_id, &has_line);
        if (!err)
            err = sb_json_id(&lc, "item_id", false, &lines[i].item_id, &has_item);
        if (!err)
            err = sb_json_int(&lc, "quantity", true, 1, SB_STOCK_QTY_MAX, &lines[i].quantity, NULL);
        if (err)
            return err;
        if (!has_line && !has_item) {
            char field[80];
            snprintf(field, sizeof(field), "%s.line_id", buf);
            return sb_fail(SB_EMISSING_FIELD, field, "give line_id or item_id");
        }
    }
    bool replayed = false;
    err = sb_store_po_receive(r->db, &r->scope, id, reference, note, r->scope.user_id, lines, n,
                              &replayed);
    json_t *doc;
    if (!err)
        err = sb_store_po_get(r->db, &r->scope, id, &doc);
    if (err)
        return err;
    /* a delivery seen before: 200 with the order as it is, nothing received twice */
    json_object_set_new(doc, "replayed", json_boolean(replayed));
    return sb_reply(r, replayed ? 200 : 201, doc);
}
