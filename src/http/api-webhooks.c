/*
 * POST /webhooks/{channel_id}: where webstores push their events (SPEC SP1).
 * Nothing is parsed before the channel's adapter has verified the signature
 * over the raw body; a bad or missing signature is 401 and nothing is stored.
 * The answer (200) is sent as soon as the event is durably recorded; the
 * pipeline applies it afterwards. A repeated event id answers 200 too (the
 * channel must stop retrying) and changes nothing.
 */
#include "http/api.h"
#include "http/server.h"
#include "store/channels.h"
#include "sync/pipeline.h"

static const char *header(void *ud, const char *name)
{
    return sb_req_header(ud, name);
}

sb_err sb_api_webhooks_receive(struct sb_req *r)
{
    int64_t id;
    struct sb_channel_rt *rt;
    sb_err err = sb_req_id(r, 0, &id);
    if (!err)
        err = sb_store_channel_load(r->db, id, r->arena, &rt);
    if (err == SB_ENOT_FOUND || (!err && !(rt->ops->caps & SB_CH_WEBHOOKS)))
        return sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld takes webhooks", (long long)id);
    if (err)
        return err;
    struct sb_pipeline *p = sb_server_pipeline(r->server);
    if (!p)
        return sb_fail(SB_EBUSY, NULL, "this server does not take webhooks");
    struct sb_webhook wh = {
        .body = r->body ? r->body : "", .len = r->body_len, .header = header, .ud = r
    };
    struct sb_event_info info = { 0 };
    err = rt->ops->verify_webhook(&rt->ch, &wh, r->arena, &info);
    if (err)
        return err;
    bool duplicate = false;
    err = sb_pipeline_record(p, id, &info, wh.body, wh.len, &duplicate);
    if (err)
        return err;
    return sb_reply(r, 200,
                    json_pack("{s:s,s:s}", "status", duplicate ? "duplicate" : "accepted",
                              "event_id", info.event_id));
}
