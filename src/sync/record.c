/*
 * The record path: a verified webhook's event is recorded durably,
 * de-duplicated by event id, through the group-commit writer, so a burst of
 * webhooks shares fsyncs. When the handler could parse its order, the order
 * is applied in the same write job: one commit makes the event durable and
 * its effects visible, so the 200 means "recorded" and, almost always,
 * "applied" too. Parsing happens on the handler's thread, beside other
 * requests, not on the writer's. When the apply fails, all of it is undone
 * and the event is recorded pending instead, in the same write job
 * (sb_store_write_else: no savepoint of its own in the usual case): the
 * worker retries it with backoff, as any other.
 */
#include "store/channel-events.h"
#include "store/store.h"
#include "sync/lanes.h"
#include "sync/order-apply.h"
#include "sync/pipeline.h"
#include "util/timeutil.h"

#include <string.h>

struct record_job {
    const struct sb_channel_rt *rt;
    const struct sb_event_info *info;
    const char *body;
    const struct sb_order *order; /* NULL: recorded only, the worker applies it */
    bool duplicate, stale;
};

static sb_err record_fn(struct sb_db *db, void *ctx)
{
    struct record_job *j = ctx;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    struct sb_event_record e = { .channel_id = j->rt->ch.id,
                                 .event_id = j->info->event_id,
                                 .topic = j->info->topic,
                                 .order_ref = j->info->order_ref,
                                 .body = j->body,
                                 .done = j->order != NULL };
    int64_t id = 0;
    bool stale = false;
    sb_err err = sb_store_event_record_at(db, &e, now, j->rt->rec.revision, &id, &stale);
    if (!err && stale) { /* the channel changed since it was cached: nothing written */
        j->stale = true;
        return SB_OK;
    }
    if (!err && !id) { /* seen before */
        j->duplicate = true;
        return SB_OK;
    }
    if (err || !j->order)
        return err;
    return sb_sync_apply_order(db, j->rt, j->order, NULL);
}

/* The job's other way, when the apply (or anything before it) failed: the writer has
 * undone all of it, and the event is recorded as pending, left to the worker. */
static sb_err record_only_fn(struct sb_db *db, void *ctx)
{
    struct record_job *j = ctx;
    j->order = NULL;
    j->duplicate = j->stale = false;
    return record_fn(db, ctx);
}

sb_err sb_pipeline_channel(struct sb_pipeline *p, struct sb_db *db, int64_t id,
                           const struct sb_channel_rt **ret)
{
    return sb_channel_cache_get(p->channels, db, id, ret);
}

void sb_pipeline_channel_put(struct sb_pipeline *p, const struct sb_channel_rt *rt, bool forget)
{
    if (forget)
        sb_channel_cache_forget(p->channels, rt);
    sb_channel_cache_put(p->channels, rt);
}

sb_err sb_pipeline_record(struct sb_pipeline *p, const struct sb_channel_rt *rt,
                          const struct sb_event_info *info, const char *body, size_t len,
                          struct sb_arena *a, struct sb_record_result *ret)
{
    if (strlen(body) != len)
        return sb_fail(SB_EINVALID_JSON, NULL, "the body contains a NUL byte");
    struct record_job j = { .rt = rt, .info = info, .body = body };
    /* an ingest-only server leaves applying to another process; an event that does not
     * parse, or carries no order, is the worker's to report or fetch */
    if (p->apply_inline) {
        struct sb_order *order = NULL;
        if (!rt->ops->parse_event(&rt->ch, info->topic, body, len, a, &order))
            j.order = order;
        sb_err_clear();
    }
    sb_err err = sb_store_write_else(p->store, record_fn, j.order ? record_only_fn : NULL, &j);
    if (err)
        return err;
    pthread_mutex_lock(&p->lock);
    bool kick = !j.duplicate && !j.stale && (!j.order || p->retries_waiting);
    pthread_mutex_unlock(&p->lock);
    if (kick) /* an event applied here needs no worker, unless retries wait for news */
        sb_lane_kick(p, &p->worker);
    *ret = (struct sb_record_result){ .duplicate = j.duplicate, .stale = j.stale };
    return SB_OK;
}
