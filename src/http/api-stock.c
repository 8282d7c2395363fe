/*
 * /api/v1/stock: stock per item and outlet, and the ways it changes by
 * hand: adjustments and counts (managers), receipts of goods (staff),
 * levels that are not on hand (on order, reorder point, maximum level),
 * and the ledger that explains every change. Everything is limited to the
 * caller's outlets: naming another outlet is 403 outlet_forbidden.
 */
#include "http/api.h"
#include "store/stock.h"

#include <string.h>

static const char *const adjust_fields[] = { "item_id", "outlet_id", "delta", "count",
                                             "reason",  "reference", "note",  NULL };
static const char *const receipt_fields[] = { "outlet_id", "reference", "note", "lines", NULL };
static const char *const line_fields[] = { "item_id", "quantity", NULL };
static const char *const transfer_fields[] = { "from_outlet_id", "to_outlet_id", "note", "lines",
                                               NULL };
static const char *const level_fields[] = { "item_id",       "outlet_id", "on_order",
                                            "reorder_point", "max_level", NULL };

#define MAX_RECEIPT_LINES 500
#define REFERENCE_MAX     100
#define NOTE_MAX          1000

/* ?outlet_id=, which the caller must be allowed to use (0 when absent). */
static sb_err query_outlet(struct sb_req *r, int64_t *ret)
{
    bool present = false;
    *ret = 0;
    sb_err err = sb_req_query_id(r, "outlet_id", ret, &present);
    if (!err && present)
        err = sb_req_outlet(r, *ret);
    return err;
}

sb_err sb_api_stock_list(struct sb_req *r)
{
    struct sb_page page;
    int64_t item_id = 0, outlet_id = 0, next = 0;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_id(r, "item_id", &item_id, NULL);
    if (!err)
        err = query_outlet(r, &outlet_id);
    if (!err)
        err = sb_store_stock_list(r->db, &r->scope, item_id, outlet_id, page.after, page.limit,
                                  &rows, &next);
    if (err)
        return err;
    /* pages are keyed by item id: ?after= is the last item of the previous page */
    return sb_reply(r, 200,
                    json_pack("{s:o,s:o}", "data", rows, "next_after",
                              next ? json_integer(next) : json_null()));
}

static sb_err parse_adjustment(struct sb_req *r, struct sb_stock_adjustment *a)
{
    struct sb_jctx c;
    bool has_delta = false, has_count = false;
    const char *reason = NULL;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, adjust_fields);
    if (!err)
        err = sb_json_id(&c, "item_id", true, &a->item_id, NULL);
    if (!err)
        err = sb_json_id(&c, "outlet_id", true, &a->outlet_id, NULL);
    if (!err)
        err = sb_json_int(&c, "delta", false, -SB_STOCK_QTY_MAX, SB_STOCK_QTY_MAX, &a->delta,
                          &has_delta);
    if (!err)
        err = sb_json_int(&c, "count", false, 0, SB_STOCK_QTY_MAX, &a->count, &has_count);
    if (!err)
        err = sb_json_str(&c, "reason", false, 32, &reason, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "reference", REFERENCE_MAX, &a->reference, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "note", NOTE_MAX, &a->note, NULL);
    if (err)
        return err;
    if (has_delta && has_count)
        return sb_fail(SB_EINVALID_FIELD, "count", "give either delta or count, not both");
    if (!has_delta && !has_count)
        return sb_fail(SB_EMISSING_FIELD, "delta",
                       "give delta (a change to on hand) or count (what is on hand)");
    if (has_delta && a->delta == 0)
        return sb_fail(SB_EINVALID_FIELD, "delta", "delta must not be zero");
    a->is_count = has_count;
    const char *want = has_count ? "count" : "adjustment";
    if (reason && strcmp(reason, want) != 0)
        return sb_fail(SB_EINVALID_FIELD, "reason", "reason must be \"%s\" with %s", want,
                       has_count ? "count" : "delta");
    return sb_req_outlet(r, a->outlet_id);
}

sb_err sb_api_stock_adjust(struct sb_req *r)
{
    struct sb_stock_adjustment a = { .user_id = r->scope.user_id };
    int64_t ledger_id = 0;
    json_t *stock = NULL, *entry = NULL;
    sb_err err = parse_adjustment(r, &a);
    if (!err)
        err = sb_store_stock_adjust(r->db, &a, &ledger_id);
    if (!err)
        err = sb_store_stock_row(r->db, a.item_id, a.outlet_id, &stock);
    if (!err)
        err = sb_store_ledger_entry(r->db, ledger_id, &entry);
    if (err) {
        json_decref(stock);
        return err;
    }
    return sb_reply(r, 201, json_pack("{s:o,s:o}", "stock", stock, "ledger_entry", entry));
}

/* lines: [{item_id, quantity >= 1}], in the arena. */
static sb_err parse_lines(struct sb_req *r, struct sb_jctx *c, json_t *arr,
                          struct sb_stock_receipt_line **ret)
{
    size_t n = json_array_size(arr);
    struct sb_stock_receipt_line *lines = sb_arena_alloc(r->arena, n * sizeof(*lines));
    if (!lines)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        json_t *el = json_array_get(arr, i);
        struct sb_jctx lc = sb_jctx_child(c, "lines", (long)i, el, buf, sizeof(buf));
        if (!json_is_object(el))
            return sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
        sb_err err = sb_json_only(&lc, line_fields);
        if (!err)
            err = sb_json_id(&lc, "item_id", true, &lines[i].item_id, NULL);
        if (!err)
            err = sb_json_int(&lc, "quantity", true, 1, SB_STOCK_QTY_MAX, &lines[i].quantity, NULL);
        if (err)
            return err;
    }
    *ret = lines;
    return SB_OK;
}

sb_err sb_api_stock_receive(struct sb_req *r)
{
    struct sb_jctx c;
    int64_t outlet_id = 0;
    const char *reference = NULL, *note = NULL;
    json_t *arr = NULL;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, receipt_fields);
    if (!err)
        err = sb_json_id(&c, "outlet_id", true, &outlet_id, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "reference", REFERENCE_MAX, &reference, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "note", NOTE_MAX, &note, NULL);
    if (!err)
        err = sb_json_array(&c, "lines", true, MAX_RECEIPT_LINES, &arr);
    if (!err && json_array_size(arr) == 0)
        err = sb_fail(SB_EINVALID_FIELD, "lines", "lines must have at least one line");
    if (err)
        return err;
    size_t n = json_array_size(arr);
    struct sb_stock_receipt_line *lines;
    err = parse_lines(r, &c, arr, &lines);
    if (err)
        return err;
    err = sb_req_outlet(r, outlet_id);
    if (!err)
        err = sb_store_stock_receive(r->db, outlet_id, reference, note, r->scope.user_id, lines, n);
    json_t *rows = json_array();
    for (size_t i = 0; !err && i < n; i++) {
        json_t *row;
        err = sb_store_stock_row(r->db, lines[i].item_id, outlet_id, &row);
        if (!err)
            json_array_append_new(rows, row);
    }
    if (err) {
        json_decref(rows);
        return err;
    }
    return sb_reply(r, 201, json_pack("{s:o}", "lines", rows));
}

sb_err sb_api_stock_levels(struct sb_req *r)
{
    struct sb_jctx c;
    struct sb_stock_levels l = { 0 };
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, level_fields);
    if (!err)
        err = sb_json_id(&c, "item_id", true, &l.item_id, NULL);
    if (!err)
        err = sb_json_id(&c, "outlet_id", true, &l.outlet_id, NULL);
    if (!err)
        err = sb_json_int(&c, "on_order", false, 0, SB_STOCK_QTY_MAX, &l.on_order, &l.on_order_set);
    if (!err)
        err = sb_json_int(&c, "reorder_point", false, 0, SB_STOCK_QTY_MAX, &l.reorder_point,
                          &l.reorder_point_set);
    if (!err)
        err = sb_json_int(&c, "max_level", false, 0, SB_STOCK_QTY_MAX, &l.max_level,
                          &l.max_level_set);
    if (!err && !l.on_order_set && !l.reorder_point_set && !l.max_level_set)
        err = sb_fail(SB_EMISSING_FIELD, "on_order",
                      "give at least one of on_order, reorder_point and max_level");
    if (!err)
        err = sb_req_outlet(r, l.outlet_id);
    if (!err)
        err = sb_store_stock_set_levels(r->db, &l);
    json_t *row;
    if (!err)
        err = sb_store_stock_row(r->db, l.item_id, l.outlet_id, &row);
    return err ? err : sb_reply(r, 200, row);
}

sb_err sb_api_stock_ledger(struct sb_req *r)
{
    struct sb_page page;
    int64_t item_id = 0, outlet_id = 0;
    bool has_item = false;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_id(r, "item_id", &item_id, &has_item);
    if (!err && !has_item)
        err = sb_fail(SB_EINVALID_QUERY, "item_id", "item_id is required");
    if (!err)
        err = query_outlet(r, &outlet_id);
    if (!err)
        err = sb_store_ledger_list(r->db, &r->scope, item_id, outlet_id, page.after, page.limit,
                                   &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

/* sb_req_outlet, naming the field. */
static sb_err outlet_allowed(struct sb_req *r, int64_t outlet_id, const char *field)
{
    sb_err err = sb_req_outlet(r, outlet_id);
    if (err == SB_EOUTLET_FORBIDDEN)
        return sb_fail(err, field, "you have no access to outlet %lld", (long long)outlet_id);
    return err;
}

/* Issue 16 item 1: stock moved between two outlets, both the caller's (SEC2); the answer is
 * each line's stock at both. */
sb_err sb_api_stock_transfer(struct sb_req *r)
{
    struct sb_jctx c;
    int64_t from = 0, to = 0;
    const char *note = NULL;
    json_t *arr = NULL;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, transfer_fields);
    if (!err)
        err = sb_json_id(&c, "from_outlet_id", true, &from, NULL);
    if (!err)
        err = sb_json_id(&c, "to_outlet_id", true, &to, NULL);
    if (!err)
        err = sb_json_str_or_null(&c, "note", NOTE_MAX, &note, NULL);
    if (!err)
        err = sb_json_array(&c, "lines", true, MAX_RECEIPT_LINES, &arr);
    if (!err && json_array_size(arr) == 0)
        err = sb_fail(SB_EINVALID_FIELD, "lines", "lines must have at least one line");
    size_t n = json_array_size(arr);
    struct sb_stock_receipt_line *lines = NULL;
    if (!err)
        err = parse_lines(r, &c, arr, &lines);
    if (!err)
        err = outlet_allowed(r, from, "from_outlet_id");
    if (!err)
        err = outlet_allowed(r, to, "to_outlet_id");
    if (!err)
        err = sb_store_stock_transfer(r->db, from, to, note, r->scope.user_id, lines, n);
    json_t *rows = json_array();
    for (size_t i = 0; !err && i < n; i++) {
        json_t *out = NULL, *in = NULL;
        err = sb_store_stock_row(r->db, lines[i].item_id, from, &out);
        if (!err)
            err = sb_store_stock_row(r->db, lines[i].item_id, to, &in);
        if (!err)
            json_array_append_new(rows, json_pack("{s:o,s:o}", "from", out, "to", in));
        else
            json_decref(out);
    }
    if (err) {
        json_decref(rows);
        return err;
    }
    return sb_reply(r, 201, json_pack("{s:o}", "lines", rows));
}
