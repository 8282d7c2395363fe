/*
 * /api/v1/shipments: the shipping list (SPEC SH1). By default it shows what
 * is still to ship; ?shipped=true finds shipped ones, and ?q= searches by
 * customer, order number and address. PATCH edits the ship-to details and
 * marks a shipment shipped, which ships the sale's open shipping
 * fulfillments with it; a voided or cancelled order, or a pickup, is refused
 * (SPEC F3, SH2) and nothing goes to the channel.
 */
#include "http/api.h"
#include "http/server.h"
#include "sync/pipeline.h"
#include "store/shipments.h"

#include <string.h>

static const char *const fields[] = { "shipped", "tracking_number", "carrier", "name",
                                      "company", "line1",           "line2",   "city",
                                      "region",  "postcode",        "country", "phone",
                                      "email",   "method",          "note",    NULL };

sb_err sb_api_shipments_list(struct sb_req *r)
{
    struct sb_page page;
    struct sb_shipment_filter f = { .shipped = false };
    json_t *rows;
    sb_err err = sb_req_page(r, &page);
    if (!err)
        err = sb_req_query_bool(r, "shipped", &f.shipped, NULL);
    if (!err) {
        f.q = sb_req_query(r, "q");
        if (f.q && strlen(f.q) > SB_SHIPMENT_Q_MAX)
            err = sb_fail(SB_EINVALID_QUERY, "q", "q is longer than %d bytes", SB_SHIPMENT_Q_MAX);
    }
    if (err)
        return err;
    f.after = page.after;
    f.limit = page.limit;
    err = sb_store_shipment_list(r->db, &r->scope, &f, &rows);
    return err ? err : sb_reply(r, 200, sb_page_json(rows, &page));
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
