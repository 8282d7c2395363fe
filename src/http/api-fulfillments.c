/*
 * /api/v1/fulfillments: the work each outlet has to do for orders to be
 * shipped or picked up (SPEC F1, F2). Staff see their outlets' fulfillments
 * and move them through the statuses; the rule lives in core/fulfillment.c
 * (F3 first: nothing cancelled or voided moves on). ?kind=pickup&open=true is
 * the pickups list (SH2): ready for pickup when packed, then picked up.
 */
#include "http/api.h"
#include "http/server.h"
#include "sync/pipeline.h"
#include "store/fulfillments.h"

static const char *const status_fields[] = { "status", NULL };

sb_err sb_api_fulfillments_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_ff_filter f = { 0 };
    json_t *rows;
    bool present = false;
    sb_err err = sb_req_page(r, &page);
    if (!err) {
        const char *s = sb_req_query(r, "status");
        if (s && !sb_ff_status_parse(s, &f.status))
            err = sb_fail(SB_EINVALID_QUERY, "status",
                          "status must be one of new, in_progress, packed, shipped, picked_up,"
                          " cancelled");
        f.status_set = s != NULL;
    }
    if (!err) {
        const char *k = sb_req_query(r, "kind");
        if (k && !sb_ff_kind_parse(k, &f.kind))
            err = sb_fail(SB_EINVALID_QUERY, "kind", "kind must be shipping or pickup");
        f.kind_set = k != NULL;
    }
    if (!err)
        err = sb_req_query_bool(r, "open", &f.open, &f.open_set);
    if (!err)
        err = sb_req_query_id(r, "outlet_id", &f.outlet_id, &present);
    if (!err && present)
        err = sb_req_outlet(r, f.outlet_id);
    if (err)
        return err;
    f.after = page.after;
    f.limit = page.limit;
    err = sb_store_fulfillment_list(r->db, &r->scope, &f, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
}

sb_err sb_api_fulfillments_get(struct sb_req *r)
{
    int64_t id;
    json_t *doc;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_fulfillment_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

sb_err sb_api_fulfillments_status(struct sb_req *r)
{
    int64_t id;
    struct sb_jctx c;
    const char *s = NULL;
    enum sb_ff_status to;
    json_t *doc;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_req_json(r, &c);
    if (!err)
        err = sb_json_only(&c, status_fields);
    if (!err)
        err = sb_json_str(&c, "status", true, 32, &s, NULL);
    if (!err && !sb_ff_status_parse(s, &to))
        err = sb_fail(SB_EINVALID_FIELD, "status",
                      "status must be one of new, in_progress, packed, shipped, picked_up,"
                      " cancelled");
    /* when this change ships the sale's shipment, the store queues the channel's call (S3)
     * in the same transaction; the dispatcher is woken to send it */
    if (!err)
        err = sb_store_fulfillment_set_status(r->db, &r->scope, id, to);
    if (!err)
        sb_pipeline_kick_outbox(sb_server_pipeline(r->server));
    if (!err)
        err = sb_store_fulfillment_get(r->db, &r->scope, id, &doc);
    return err ? err : sb_reply(r, 200, doc);
}

/* GET /api/v1/fulfillment-statuses: the F2 table (core/fulfillment.c) as the web app
 * reads it, so the buttons it offers are the moves the server takes: the statuses in
 * order, the final ones, and per kind and status the moves allowed, and those allowed
 * when the sale is voided (F3). */
sb_err sb_api_fulfillment_statuses(struct sb_req *r)
{
    json_t *statuses = json_array(), *final = json_array(), *kinds = json_object();
    int bad = !statuses || !final || !kinds;
    for (int s = 0; !bad && s < SB_FF_N_STATUSES; s++) {
        bad |= json_array_append_new(statuses, json_string(sb_ff_status_name(s)));
        if (sb_ff_status_final(s))
            bad |= json_array_append_new(final, json_string(sb_ff_status_name(s)));
    }
    for (int k = SB_FF_SHIPPING; !bad && k <= SB_FF_PICKUP; k++) {
        json_t *moves = json_object();
        bad |= json_object_set_new(kinds, sb_ff_kind_name(k), moves);
        for (int from = 0; !bad && from < SB_FF_N_STATUSES; from++) {
            json_t *next = json_array(), *voided = json_array();
            bad |= json_object_set_new(
                moves, sb_ff_status_name(from),
                json_pack("{s:o,s:o}", "next", next, "next_when_voided", voided));
            for (int to = 0; !bad && to < SB_FF_N_STATUSES; to++) {
                if (sb_ff_move_allowed(k, from, to, false))
                    bad |= json_array_append_new(next, json_string(sb_ff_status_name(to)));
                if (sb_ff_move_allowed(k, from, to, true))
                    bad |= json_array_append_new(voided, json_string(sb_ff_status_name(to)));
            }
        }
    }
    json_t *doc =
        bad ? NULL
            : json_pack("{s:o,s:o,s:o}", "statuses", statuses, "final", final, "kinds", kinds);
    if (!doc) {
        if (bad) {
            json_decref(statuses);
            json_decref(final);
            json_decref(kinds);
        }
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return sb_reply(r, 200, doc);
}
