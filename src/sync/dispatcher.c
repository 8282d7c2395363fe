/*
 * The dispatcher lane: the outbox's due calls (store/outbox.h), per channel
 * in order, sent through the channel's adapter and settled: done, retried
 * under the outbox's retry policy (core/retry.c), or parked with the error,
 * in the channel's log either way.
 *
 * What each kind of call does is a row of one table: the capability it needs
 * and the adapter operation it becomes. A channel without the capability
 * takes no such calls (the call is parked, saying so); the engine never asks
 * which kind of channel it talks to.
 */
#include "core/retry.h"
#include "store/channel-log.h"
#include "store/channel-orders.h"
#include "store/due.h"
#include "store/outbox.h"
#include "store/stock-queue.h"
#include "sync/connect.h"
#include "sync/lanes.h"
#include "sync/order-email.h"
#include "sync/pipeline.h"
#include "util/log.h"
#include "util/crashpoint.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a call did besides going through: NULL, or why nothing was sent (a status that does
 * not travel), for the log. */
struct sent_note {
    const char *text;
    char buf[400];
};

static sb_err send_fulfillment(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                               struct sent_note *note)
{
    struct sb_fulfillment_push f = {
        .order_external_id = ref,
        .tracking_number = json_string_value(json_object_get(payload, "tracking_number")),
        .tracking_company = json_string_value(json_object_get(payload, "tracking_company")),
        .notify_customer = true,
    };
    return rt->ops->push_fulfillment(&rt->ch, &f);
}

static sb_err send_cancel(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                          struct sent_note *note)
{
    return rt->ops->push_cancel(&rt->ch, ref,
                                json_string_value(json_object_get(payload, "reason")));
}

static sb_err send_after_download(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                                  struct sent_note *note)
{
    struct sb_after_download d = {
        .order_external_id = ref,
        .sale_id = json_integer_value(json_object_get(payload, "sale_id")),
    };
    return rt->ops->after_download(&rt->ch, &d);
}

static sb_err send_refund(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                          struct sent_note *note)
{
    json_t *lines = json_object_get(payload, "lines");
    size_t n = json_array_size(lines);
    struct sb_refund_push_line *l = calloc(n + 1, sizeof(*l));
    if (!l)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        json_t *line = json_array_get(lines, i);
        l[i] = (struct sb_refund_push_line){
            .line_external_id = json_string_value(json_object_get(line, "line")),
            .quantity = json_integer_value(json_object_get(line, "quantity")),
            .amount = json_integer_value(json_object_get(line, "amount")),
            .restock = json_is_true(json_object_get(line, "restock")),
        };
    }
    struct sb_refund_push r = {
        .order_external_id = ref,
        .return_id = json_integer_value(json_object_get(payload, "return_id")),
        .amount = json_integer_value(json_object_get(payload, "amount")),
        .note = json_string_value(json_object_get(payload, "note")),
        .lines = l,
        .n_lines = n,
    };
    sb_err err = rt->ops->push_refund(&rt->ch, &r);
    free(l);
    return err;
}

/* A fulfillment's move in the POS, or the sale paid or voided (L2), as the kind's status
 * table says it travels; one with no row going out does not travel, and says so in the
 * log. */
static sb_err send_status(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                          struct sent_note *note)
{
    /* the POS statuses a table can name: a fulfillment's (a cancelled fulfillment is not a
     * voided sale, which travels as a cancellation, S1), the sale paid in the POS, and the
     * sale voided by the channel's own cancellation */
    static const struct {
        const char *name;
        enum sb_pos_status pos;
    } moves[] = { { "packed", SB_POS_PACKED },
                  { "shipped", SB_POS_SHIPPED },
                  { "picked_up", SB_POS_PICKED_UP },
                  { "paid", SB_POS_PAID },
                  { "cancelled", SB_POS_CANCELLED } };
    const char *status = json_string_value(json_object_get(payload, "status"));
    bool pickup = json_is_true(json_object_get(payload, "pickup"));
    enum sb_pos_status pos = SB_POS_PENDING;
    const struct sb_status_map *m = NULL;
    for (size_t i = 0; status && !m && i < sizeof(moves) / sizeof(moves[0]); i++)
        if (strcmp(moves[i].name, status) == 0)
            m = sb_channel_status_out(rt->ops, pos = moves[i].pos, pickup);
    if (!m) {
        snprintf(note->buf, sizeof(note->buf), "status %s%s does not travel to the channel",
                 status ? status : "(none)", pickup ? " (a pickup)" : "");
        note->text = note->buf;
        return SB_OK;
    }
    struct sb_status_push s = {
        .order_external_id = ref,
        .status = m->channel,
        .pos = pos,
        .pickup = pickup,
        .tracking_number = json_string_value(json_object_get(payload, "tracking_number")),
    };
    return rt->ops->push_status(&rt->ch, &s);
}

/* The channel connects as an app; what it found is the note (missing scopes, webhooks). */
static sb_err send_connect(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                           struct sent_note *note)
{
    json_t *report = NULL;
    sb_err err = rt->ops->connect(&rt->ch, &report);
    if (!err) {
        note->text = sb_sync_connect_summary(report, note->buf, sizeof(note->buf));
        json_decref(report);
    }
    return err;
}

/* N4: a new web order emailed to staff; the channel itself is not called. */
static sb_err send_email(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                         struct sent_note *note)
{
    return sb_order_email_send(rt->ch.id, ref, payload);
}

/* The kinds of outbox call: to add one, a row here and its SB_OUTBOX_ name. */
static const struct outbox_kind {
    const char *kind;
    unsigned cap; /* the channel must have it (0: none needed) */
    sb_err (*send)(const struct sb_channel_rt *rt, const char *ref, json_t *payload,
                   struct sent_note *note);
} kinds[] = {
    { SB_OUTBOX_FULFILLMENT, SB_CH_FULFILL, send_fulfillment },              /* S3 */
    { SB_OUTBOX_CANCEL, SB_CH_CANCEL, send_cancel },                         /* S1 */
    { SB_OUTBOX_AFTER_DOWNLOAD, SB_CH_AFTER_DOWNLOAD, send_after_download }, /* M3 */
    { SB_OUTBOX_REFUND, SB_CH_REFUND, send_refund },                         /* S2 */
    { SB_OUTBOX_STATUS, SB_CH_STATUS_OUT, send_status },                     /* 8 */
    { SB_OUTBOX_CONNECT, SB_CH_CONNECT, send_connect },                      /* app */
    { SB_OUTBOX_EMAIL, 0, send_email }, /* N4: any channel (SMTP, not the channel) */
};

static const struct outbox_kind *kind_of(const char *name)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].kind, name) == 0)
            return &kinds[i];
    return NULL;
}

void sb_pipeline_kick_outbox(struct sb_pipeline *p)
{
    if (p)
        sb_lane_kick(p, &p->dispatcher);
}

struct sent_job {
    const struct sb_due_call *c;
    const struct sb_lease_fence *fence;
    sb_err err;
    const char *error;
    struct sent_note note;
};

/* S1, I1: a cancel the channel took may put the order's stock back on its side (Ecwid
 * does), after the POS's own figure was sent: the sale's items are queued to be sent again,
 * so the channel ends at the POS's figure. */
static sb_err resend_stock(struct sb_db *db, const struct sb_due_call *c)
{
    struct sb_channel_order_state st;
    sb_err err = sb_store_channel_order_get(db, c->channel_id, c->ref, &st);
    if (err || !st.sale_id)
        return err;
    return sb_store_sync_queue_sale(db, c->channel_id, "stock", st.sale_id);
}

static sb_err sent_fn(struct sb_db *db, void *ctx)
{
    struct sent_job *j = ctx;
    int64_t now = sb_time_now();
    char at[SB_TIME_LEN];
    if (!j->err) {
        sb_time_format(now, at, sizeof(at));
        sb_err err = sb_store_call_sent(db, j->c->id, j->c->attempts + 1, at);
        if (!err && strcmp(j->c->kind, SB_OUTBOX_CANCEL) == 0)
            err = resend_stock(db, j->c);
        if (!err && j->note.text)
            return sb_store_channel_log(db, j->c->channel_id, "info", "push.kept", j->c->ref, "%s",
                                        j->note.text);
        return err ? err
                   : sb_store_channel_log(db, j->c->channel_id, "info", "push.done", j->c->ref,
                                          "%s sent", j->c->kind);
    }
    /* a failure is the lease holder's to count: a node that lost the channel meanwhile
     * leaves the row to the node that took it over (which tries the call again) */
    if (!sb_lease_fence_holds(db, j->fence))
        return SB_OK;
    struct sb_retry_next r;
    sb_retry_after(&sb_retry_outbox, j->c->attempts, j->err, sb_retry_jitter(&sb_retry_outbox), &r);
    sb_time_format(now + r.delay, at, sizeof(at));
    sb_err err = sb_store_call_failed(db, j->c->id, r.attempts, r.parked, at, j->error);
    return err ? err
               : sb_store_channel_log(db, j->c->channel_id, r.parked ? "error" : "warn",
                                      r.parked ? "push.parked" : "push.retry", j->c->ref,
                                      "%s failed (attempt %lld): %s", j->c->kind,
                                      (long long)r.attempts, j->error);
}

static sb_err send_call(struct sb_pipeline *p, const struct sb_due_call *c, struct sent_note *note)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_db *db;
    struct sb_channel_rt *rt = NULL;
    sb_err err = a ? sb_store_acquire(p->store, &db) : sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err) {
        err = sb_channel_load(p->channels, db, c->channel_id, a, &rt);
        sb_store_release(p->store, db);
    }
    const struct outbox_kind *k = kind_of(c->kind);
    if (!err && !(k && (!k->cap || (rt->ops->caps & k->cap))))
        err = sb_fail(SB_EINVALID_FIELD, "kind", "the channel takes no %s calls", c->kind);
    if (!err) {
        json_t *payload = json_loads(c->payload, 0, NULL);
        err = k->send(rt, c->ref, payload, note);
        json_decref(payload);
    }
    sb_arena_free(a);
    return err;
}

static size_t due_calls(struct sb_pipeline *p, int64_t channel, struct sb_due_call *out, size_t cap)
{
    struct sb_db *db;
    if (sb_store_acquire(p->store, &db))
        return 0;
    char now[SB_TIME_LEN];
    sb_time_format(sb_time_now(), now, sizeof(now));
    size_t n = 0;
    if (sb_store_calls_due(db, channel, now, out, cap, &n))
        n = 0;
    sb_store_release(p->store, db);
    return n;
}

/* A dispatcher run: the channel's due calls, in order, until none is due. */
static void dispatch_run(struct sb_pipeline *p, int64_t channel, unsigned flags)
{
    struct sb_due_call calls[32];
    struct sb_lease_fence fence;
    sb_lease_fence_channel(p->leases, channel, &fence);
    size_t n;
    while (sb_run_go_on(p, channel) && (n = due_calls(p, channel, calls, 32)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (!sb_run_go_on(p, channel)) { /* no call under a lease this node lost */
                sb_due_call_clear(&calls[i]);
                continue;
            }
            struct sent_job j = { .c = &calls[i], .fence = &fence };
            /* crash tests: killed with the call due and not made, and made but not recorded
             * as made (an answer lost): either way it is made again after a restart, and the
             * adapter keeps it once on the channel (M3's invoice) */
            sb_crashpoint("outbox-call");
            j.err = send_call(p, &calls[i], &j.note);
            sb_crashpoint("outbox-sent");
            char msg[300];
            snprintf(msg, sizeof(msg), "%s",
                     sb_err_last()->message[0] ? sb_err_last()->message : sb_err_message(j.err));
            j.error = msg;
            if (sb_store_write(p->store, sent_fn, &j))
                sb_log(SB_LOG_ERROR, "outbox.unrecorded", "error", sb_err_last()->message, NULL);
            sb_due_call_clear(&calls[i]);
        }
    }
}

void *sb_dispatcher_main(void *arg)
{
    struct sb_pipeline *p = arg;
    do {
        sb_lane_begin(p, &p->dispatcher);
        int64_t ids[64];
        size_t n = sb_lane_due_channels(p, sb_store_calls_due_channels, ids, 64);
        for (size_t i = 0; i < n; i++)
            sb_run_start(p, &p->dispatcher, ids[i], dispatch_run, 0);
    } while (sb_lane_rest(p, &p->dispatcher, 1000));
    return NULL;
}
