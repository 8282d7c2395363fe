/*
 * /api/v1/shipments: the shipping list (SPEC SH1), newest first. By default
 * it shows what is still to ship; ?status=shipped (or ?shipped=true) finds
 * shipped ones and ?status=all both; ?outlet_id= keeps one shipping outlet,
 * ?q= searches by sale or order number, customer, email, address and
 * tracking number; ?count=true adds the list's total. PATCH edits the
 * ship-to details and marks a shipment shipped, which ships the sale's open
 * shipping fulfillments with it; a voided or cancelled order, or a pickup,
 * is refused (SPEC F3, SH2) and nothing goes to the channel. POST
 * /shipments/bulk marks up to SB_SHIPMENT_BULK_MAX shipped at once, each
 * row on its own: all of a row or none of it, with a result per row.
 */
#include "http/api.h"
#include "http/server.h"
#include "sync/pipeline.h"
#include "store/shipments.h"

#include <stdio.h>
#include <string.h>

static const char *const fields[] = { "shipped", "tracking_number", "carrier", "name",
                                      "company", "line1",           "line2",   "city",
                                      "region",  "postcode",        "country", "phone",
                                      "email",   "method",          "note",    NULL };

/* The most rows one bulk request marks: a packer's selection, bounded. */
#define SB_SHIPMENT_BULK_MAX 100

static sb_err parse_list(struct sb_req *r, struct sb_shipment_filter *f, bool *ret_count)
{
    bool shipped = false, shipped_given = false, outlet_given = false;
    sb_err err = sb_req_query_bool(r, "shipped", &shipped, &shipped_given);
    if (!err && shipped)
        f->state = SB_SHIPMENT_SHIPPED;
    const char *status = sb_req_query(r, "status");
    if (!err && status) {
        if (strcmp(status, "to_ship") == 0)
            f->state = SB_SHIPMENT_TO_SHIP;
        else if (strcmp(status, "shipped") == 0)
            f->state = SB_SHIPMENT_SHIPPED;
        else if (strcmp(status, "all") == 0)
            f->state = SB_SHIPMENT_ALL;
        else
            err = sb_fail(SB_EINVALID_QUERY, "status", "status is to_ship, shipped or all");
        if (!err && shipped_given && (f->state == SB_SHIPMENT_SHIPPED) != shipped)
            err = sb_fail(SB_EINVALID_QUERY, "shipped", "shipped and status disagree");
    }
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &f->outlet_id, &outlet_given);
    /* another outlet's list is refused, not shown empty */
    if (!err && outlet_given)
        err = sb_req_outlet(r, f->outlet_id);
    if (!err) {
        f->q = sb_req_query(r, "q");
        if (f->q && strlen(f->q) > SB_SHIPMENT_Q_MAX)
            err = sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d bytes", SB_SHIPMENT_Q_MAX);
    }
    if (!err)
        err = sb_req_query_bool(r, "count", ret_count, NULL);
    return err;
}

sb_err sb_api_shipments_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_shipment_filter f = { .state = SB_SHIPMENT_TO_SHIP };
    bool count = false;
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = parse_list(r, &f, &count);
    if (err)
        return err;
    f.after = page.after;
    f.limit = page.limit;
    err = sb_store_shipment_list(r->db, &r->scope, &f, &rows);
    if (err)
        return err;
    json_t *body = sb_page_json(rows, &page);
    if (count) {
        /* where the page is in the list: "1-25 of 130" (or "of 10,000 or more") */
        int64_t n = 0;
        err = sb_store_shipment_count(r->db, &r->scope, &f, &n);
        if (err) {
            json_decref(body);
            return err;
        }
        json_object_set_new(body, "total",
                            json_integer(n > SB_SHIPMENT_COUNT_CAP ? SB_SHIPMENT_COUNT_CAP : n));
        json_object_set_new(body, "total_capped", json_boolean(n > SB_SHIPMENT_COUNT_CAP));
    }
    return sb_reply(r, 200, body);
}

sb_err sb_api_shipments_get(struct sb_req *r)
{
    int64_t id;
    json_t *doc;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_shipment_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

/* A text field of the ship-to record: a string (up to max bytes) or null to clear it. */
static sb_err opt(struct sb_jctx *c, const char *key, size_t max, struct sb_opt_str *ret)
{
    return sb_json_str_or_null(c, key, max, &ret->v, &ret->set);
}

/* A tracking number or carrier that is given must say something: one of spaces would
 * reach the channel as an empty tracking number. The store trims what it keeps. */
static sb_err not_blank(const char *key, const struct sb_opt_str *s)
{
    if (!s->set || !s->v)
        return SB_OK;
    for (const char *c = s->v; *c; c++)
        if (*c != ' ' && (*c < '\t' || *c > '\r'))
            return SB_OK;
    return sb_fail(SB_EINVALID_FIELD, key, "%s is blank: give one, or null to clear it", key);
}

static sb_err parse(struct sb_req *r, struct sb_shipment_patch *p)
{
    struct sb_jctx c;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, fields);
    if (!err)
        err = sb_json_bool(&c, "shipped", false, &p->shipped, &p->shipped_set);
    if (!err)
        err = opt(&c, "tracking_number", 200, &p->tracking_number);
    if (!err)
        err = not_blank("tracking_number", &p->tracking_number);
    if (!err)
        err = opt(&c, "carrier", 100, &p->carrier);
    if (!err)
        err = not_blank("carrier", &p->carrier);
    if (!err)
        err = opt(&c, "name", 200, &p->name);
    if (!err)
        err = opt(&c, "company", 200, &p->company);
    if (!err)
        err = opt(&c, "line1", 200, &p->line1);
    if (!err)
        err = opt(&c, "line2", 200, &p->line2);
    if (!err)
        err = opt(&c, "city", 100, &p->city);
    if (!err)
        err = opt(&c, "region", 100, &p->region);
    if (!err)
        err = opt(&c, "postcode", 32, &p->postcode);
    if (!err)
        err = opt(&c, "country", 64, &p->country);
    if (!err)
        err = opt(&c, "phone", 64, &p->phone);
    if (!err)
        err = opt(&c, "email", 254, &p->email);
    if (!err)
        err = opt(&c, "method", 200, &p->method);
    if (!err)
        err = opt(&c, "note", SB_STR_MAX, &p->note);
    return err;
}

sb_err sb_api_shipments_update(struct sb_req *r)
{
    struct sb_shipment_patch p = { 0 };
    int64_t id;
    json_t *doc;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = parse(r, &p);
    /* the store queues the channel call a shipped shipment needs (S3) with the change;
     * the dispatcher is woken to send it */
    if (!err)
        err = sb_store_shipment_update(r->db, &r->scope, id, &p);
    if (!err)
        sb_pipeline_kick_outbox(sb_server_pipeline(r->server));
    if (!err)
        err = sb_store_shipment_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

/* One row of a bulk request, checked before any row is done. */
struct bulk_row {
    int64_t id;
    struct sb_shipment_patch p;
};

static sb_err parse_bulk(struct sb_req *r, struct bulk_row **ret, size_t *ret_n)
{
    static const char *const top[] = { "action", "shipments", NULL };
    static const char *const row_fields[] = { "id", "tracking_number", "carrier", NULL };
    struct sb_jctx c;
    const char *action = NULL;
    json_t *arr = NULL;
    sb_err err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, top);
    if (!err)
        err = sb_json_str(&c, "action", true, 32, &action, NULL);
    if (!err && strcmp(action, "ship") != 0)
        err = sb_fail(SB_EINVALID_FIELD, "action", "action must be \"ship\"");
    if (!err)
        err = sb_json_array(&c, "shipments", true, SB_SHIPMENT_BULK_MAX, &arr);
    if (!err && json_array_size(arr) == 0)
        err = sb_fail(SB_EINVALID_FIELD, "shipments", "shipments lists none");
    if (err)
        return err;
    size_t n = json_array_size(arr);
    struct bulk_row *rows = sb_arena_alloc(r->arena, n * sizeof(*rows));
    if (!rows)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    memset(rows, 0, n * sizeof(*rows));
    for (size_t i = 0; !err && i < n; i++) {
        char buf[64];
        json_t *obj = json_array_get(arr, i);
        struct sb_jctx e = sb_jctx_child(&c, "shipments", (long)i, obj, buf, sizeof(buf));
        if (!json_is_object(obj)) {
            err = sb_fail(SB_EINVALID_FIELD, buf, "%s must be an object", buf);
            break;
        }
        err = sb_json_only(&e, row_fields);
        if (!err)
            err = sb_json_int(&e, "id", true, 1, INT64_MAX, &rows[i].id, NULL);
        if (!err)
            err = opt(&e, "tracking_number", 200, &rows[i].p.tracking_number);
        if (!err)
            err = not_blank("tracking_number", &rows[i].p.tracking_number);
        if (!err)
            err = opt(&e, "carrier", 100, &rows[i].p.carrier);
        if (!err)
            err = not_blank("carrier", &rows[i].p.carrier);
        for (size_t j = 0; !err && j < i; j++)
            if (rows[j].id == rows[i].id)
                err = sb_fail(SB_EINVALID_FIELD, buf, "shipment %lld is listed twice",
                              (long long)rows[i].id);
        rows[i].p.shipped = true;
        rows[i].p.shipped_set = true;
    }
    if (!err) {
        *ret = rows;
        *ret_n = n;
    }
    return err;
}

sb_err sb_api_shipments_bulk(struct sb_req *r)
{
    struct bulk_row *rows = NULL;
    size_t n = 0, done = 0;
    sb_err err = parse_bulk(r, &rows, &n);
    if (err)
        return err;
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++) {
        /* each row in its own transaction (the store's): a refused one (F3: cancelled or
         * voided; another outlet's is not found) leaves the others done */
        json_t *doc = NULL;
        sb_err e = sb_store_shipment_get(r->db, &r->scope, rows[i].id, &doc);
        /* shipped already (a second click, or another packer): nothing is sent again */
        if (!e && json_is_true(json_object_get(doc, "shipped")))
            e = sb_fail(SB_ECONFLICT, "shipped", "shipment %lld is already shipped",
                        (long long)rows[i].id);
        json_decref(doc);
        doc = NULL;
        if (!e)
            e = sb_store_shipment_update(r->db, &r->scope, rows[i].id, &rows[i].p);
        if (!e)
            e = sb_store_shipment_get(r->db, &r->scope, rows[i].id, &doc);
        if (e) {
            if (sb_err_status(e) >= 500) {
                json_decref(results);
                return e;
            }
            const struct sb_errinfo *info = sb_err_last();
            json_t *error =
                json_pack("{s:s, s:s}", "code", sb_err_code(e), "message",
                          info->err == e && info->message[0] ? info->message : sb_err_message(e));
            if (info->err == e && info->field[0])
                json_object_set_new(error, "field", json_string(info->field));
            json_array_append_new(results,
                                  json_pack("{s:I, s:b, s:o}", "id", (json_int_t)rows[i].id, "ok",
                                            0, "error", error));
            sb_err_clear();
            continue;
        }
        done++;
        json_array_append_new(results, json_pack("{s:I, s:b, s:o}", "id", (json_int_t)rows[i].id,
                                                 "ok", 1, "shipment", doc));
    }
    if (done)
        sb_pipeline_kick_outbox(sb_server_pipeline(r->server));
    return sb_reply(r, 200,
                    json_pack("{s:o, s:I, s:I}", "results", results, "shipped", (json_int_t)done,
                              "refused", (json_int_t)(n - done)));
}
