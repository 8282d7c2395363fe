/*
 * POST /webhooks/{channel_id}: where webstores push their events (SPEC SP1).
 * Nothing is parsed before the channel's adapter has verified the signature
 * over the raw body; a bad or missing signature is 401 and nothing is stored.
 * The answer (200) is sent as soon as the event is durably recorded; the
 * order it carries is applied in that same commit (or, when that fails, by
 * the pipeline's worker afterwards). A repeated event id answers 200 too (the
 * channel must stop retrying) and changes nothing.
 */
#include "http/api.h"
#include "http/server.h"
#include "sync/pipeline.h"
#include "util/log.h"

#include <stdio.h>

static const char *header(void *ud, const char *name)
{
    return sb_req_header(ud, name);
}

/* One try: the channel from the pipeline's cache, verified, recorded. *retry when the
 * cached channel proved out of date (then it is forgotten). */
static sb_err receive(struct sb_req *r, struct sb_pipeline *p, int64_t id, bool last_try,
                      bool *retry)
{
    const struct sb_channel_rt *rt;
    sb_err err = sb_pipeline_channel(p, r->db, id, &rt);
    if (err == SB_ENOT_FOUND || (!err && !(rt->ops->caps & SB_CH_WEBHOOKS))) {
        if (!err)
            sb_pipeline_channel_put(p, rt, false);
        return sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld takes webhooks", (long long)id);
    }
    if (err)
        return err;
    struct sb_webhook wh = {
        .body = r->body ? r->body : "", .len = r->body_len, .header = header, .ud = r
    };
    struct sb_event_info info = { 0 };
    struct sb_record_result res = { 0 };
    err = rt->ops->verify_webhook(&rt->ch, &wh, r->arena, &info);
    if (err == SB_EUNAUTHORIZED && !last_try) { /* the secret may have changed meanwhile */
        sb_pipeline_channel_put(p, rt, true);
        *retry = true;
        return err;
    }
    if (!err && info.ignored) {
        /* not the engine's topic: 200 so the channel does not retry it and drop the
         * subscription, nothing stored, and a log line the first time the topic comes */
        char ch[24];
        snprintf(ch, sizeof(ch), "%lld", (long long)id);
        sb_pipeline_channel_put(p, rt, false);
        if (sb_pipeline_first_ignored(p, id, info.topic, info.event_id))
            sb_log(SB_LOG_INFO, "webhook.ignored", "channel", ch, "topic", info.topic, "event_id",
                   info.event_id, "note",
                   "a topic stockbridge does not use: answered 200; later ones are not logged",
                   NULL);
        return sb_reply(r, 200,
                        json_pack("{s:s,s:s,s:s}", "status", "ignored", "event_id", info.event_id,
                                  "topic", info.topic));
    }
    if (!err)
        err = sb_pipeline_record(p, rt, &info, wh.body, wh.len, r->arena, &res);
    sb_pipeline_channel_put(p, rt, res.stale);
    if (err)
        return err;
    if (res.stale) {
        *retry = true;
        return last_try ? sb_fail(SB_EBUSY, NULL, "the channel keeps changing; try again") : SB_OK;
    }
    return sb_reply(r, 200,
                    json_pack("{s:s,s:s}", "status", res.duplicate ? "duplicate" : "accepted",
                              "event_id", info.event_id));
}

sb_err sb_api_webhooks_receive(struct sb_req *r)
{
    int64_t id;
    sb_err err = sb_req_id(r, 0, &id);
    if (err)
        return err;
    struct sb_pipeline *p = sb_server_pipeline(r->server);
    if (!p) {
        struct sb_channel_rt *rt;
        err = sb_channel_load(NULL, r->db, id, r->arena, &rt);
        if (err == SB_ENOT_FOUND || (!err && !(rt->ops->caps & SB_CH_WEBHOOKS)))
            return sb_fail(SB_ENOT_FOUND, NULL, "no channel %lld takes webhooks", (long long)id);
        return err ? err : sb_fail(SB_EBUSY, NULL, "this server does not take webhooks");
    }
    for (int attempt = 0;; attempt++) {
        bool retry = false;
        err = receive(r, p, id, attempt == 2, &retry);
        if (!retry || attempt == 2)
            return err;
        sb_err_clear();
    }
}
