/*
 * The test channel kind (see fault-channel.h). One mutex guards every
 * channel's state; a stalled call waits on a condition variable, releasing
 * the mutex, so the test and other threads go on meanwhile. A stall is
 * bounded (STALL_MAX_MS, then it fails as a timed-out request would) so a
 * test that forgets to release cannot hang the suite.
 */
#include "fault-channel.h"
#include "channel/channel.h"
#include "channel/shopify/shopify.h"

#include <jansson.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SKUS     32
#define MAX_ORDERS   32
#define STALL_MAX_MS 60000

struct fc_sku {
    char sku[64];
    int64_t available;
    long taken;
};

struct fc_order {
    char id[32];
    char *json;
    long fulfilled, cancelled;
    bool exported; /* offered for export until acknowledged */
    long acked;
    char *last[FC_OPS]; /* the last refund, status or after-download call, as JSON */
};

struct fc_channel {
    enum fc_fault fault[FC_OPS];
    int times[FC_OPS];
    long calls[FC_OPS];
    long done[FC_OPS]; /* calls returned */
    int stalled[FC_OPS];
    unsigned releases; /* bumped by fault_channel_release: held calls go on */
    struct fc_sku skus[MAX_SKUS];
    size_t n_skus;
    struct fc_order orders[MAX_ORDERS];
    size_t n_orders;
    long opens;        /* the kind's state opened for the channel */
    const void *state; /* the state the first call carried */
    bool other_state;  /* a call carried another */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct fc_channel chans[FC_MAX_CHANNELS + 1];

static struct fc_channel *chan(int64_t id)
{
    if (id < 1 || id > FC_MAX_CHANNELS)
        abort(); /* a test set-up error */
    return &chans[id];
}

static void deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Every call starts here: counted, its state noted, and failed or held when the test
 * asked. */
static sb_err enter(const struct sb_channel *ch, enum fc_op op)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(ch->id);
    c->calls[op]++;
    if (!c->state)
        c->state = ch->state;
    else if (c->state != ch->state)
        c->other_state = true;
    enum fc_fault f = FC_OK;
    if (c->fault[op] != FC_OK && c->times[op] != 0) {
        f = c->fault[op];
        if (c->times[op] > 0 && --c->times[op] == 0)
            c->fault[op] = FC_OK;
    }
    sb_err err = SB_OK;
    if (f == FC_STALL) {
        unsigned gen = c->releases;
        struct timespec until;
        deadline(&until, STALL_MAX_MS);
        c->stalled[op]++;
        pthread_cond_broadcast(&changed);
        int rc = 0;
        while (c->releases == gen && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&changed, &lock, &until);
        c->stalled[op]--;
        if (c->releases == gen)
            err = sb_fail(SB_EIO, NULL, "the shop did not answer in time");
    }
    pthread_mutex_unlock(&lock);
    switch (f) {
    case FC_TRANSIENT:
        return sb_fail(SB_EIO, NULL, "the shop answered HTTP 503 (injected)");
    case FC_RATE_LIMITED:
        return sb_fail(SB_EBUSY, NULL, "the shop is rate limiting (injected)");
    case FC_BAD_PAYLOAD:
        return sb_fail(SB_EINVALID_JSON, NULL, "the shop's answer is not an order (injected)");
    default:
        return err;
    }
}

/* Every call ends here, with its answer: counted as returned, waiters told. */
static sb_err leave(int64_t id, enum fc_op op, sb_err err)
{
    pthread_mutex_lock(&lock);
    chan(id)->done[op]++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    return err;
}

/* ---------------------------------------------------------------- control */

void fault_channel_set(int64_t channel, enum fc_op op, enum fc_fault fault, int times)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    c->fault[op] = fault;
    c->times[op] = fault == FC_OK ? 0 : times;
    pthread_mutex_unlock(&lock);
}

bool fault_channel_wait_stalled(int64_t channel, enum fc_op op, int timeout_ms)
{
    struct timespec until;
    deadline(&until, timeout_ms);
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    int rc = 0;
    while (c->stalled[op] == 0 && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&changed, &lock, &until);
    bool held = c->stalled[op] > 0;
    pthread_mutex_unlock(&lock);
    return held;
}

void fault_channel_release(int64_t channel)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    for (int op = 0; op < FC_OPS; op++) {
        if (c->fault[op] == FC_STALL) {
            c->fault[op] = FC_OK;
            c->times[op] = 0;
        }
    }
    c->releases++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

bool fault_channel_wait_done(int64_t channel, enum fc_op op, long n, int timeout_ms)
{
    struct timespec until;
    deadline(&until, timeout_ms);
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    int rc = 0;
    while (c->done[op] < n && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&changed, &lock, &until);
    bool ok = c->done[op] >= n;
    pthread_mutex_unlock(&lock);
    return ok;
}

long fault_channel_calls(int64_t channel, enum fc_op op)
{
    pthread_mutex_lock(&lock);
    long n = chan(channel)->calls[op];
    pthread_mutex_unlock(&lock);
    return n;
}

static struct fc_order *order_of(struct fc_channel *c, const char *id)
{
    for (size_t i = 0; id && i < c->n_orders; i++)
        if (strcmp(c->orders[i].id, id) == 0)
            return &c->orders[i];
    return NULL;
}

/* The order, made (without JSON) when the shop does not have it yet; the lock held. */
static struct fc_order *order_made(struct fc_channel *c, const char *id)
{
    struct fc_order *o = order_of(c, id);
    if (!o) {
        if (c->n_orders == MAX_ORDERS)
            abort();
        o = &c->orders[c->n_orders++];
        snprintf(o->id, sizeof(o->id), "%s", id);
    }
    return o;
}

void fault_channel_put_order(int64_t channel, const char *external_id, const char *json)
{
    pthread_mutex_lock(&lock);
    struct fc_order *o = order_made(chan(channel), external_id);
    free(o->json);
    o->json = strdup(json);
    if (!o->json)
        abort();
    pthread_mutex_unlock(&lock);
}

void fault_channel_export(int64_t channel, const char *external_id, const char *json)
{
    fault_channel_put_order(channel, external_id, json);
    pthread_mutex_lock(&lock);
    order_of(chan(channel), external_id)->exported = true;
    pthread_mutex_unlock(&lock);
}

long fault_channel_acknowledged(int64_t channel, const char *external_id)
{
    pthread_mutex_lock(&lock);
    struct fc_order *o = order_of(chan(channel), external_id);
    long n = o ? o->acked : 0;
    pthread_mutex_unlock(&lock);
    return n;
}

char *fault_channel_last(int64_t channel, enum fc_op op, const char *external_id)
{
    pthread_mutex_lock(&lock);
    struct fc_order *o = order_of(chan(channel), external_id);
    char *copy = o && o->last[op] ? strdup(o->last[op]) : NULL;
    pthread_mutex_unlock(&lock);
    return copy;
}

long fault_channel_opens(int64_t channel)
{
    pthread_mutex_lock(&lock);
    long n = chan(channel)->opens;
    pthread_mutex_unlock(&lock);
    return n;
}

bool fault_channel_one_state(int64_t channel)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    bool one = c->state != NULL && !c->other_state;
    pthread_mutex_unlock(&lock);
    return one;
}

static struct fc_sku *sku_of(struct fc_channel *c, const char *sku)
{
    for (size_t i = 0; i < c->n_skus; i++)
        if (strcmp(c->skus[i].sku, sku) == 0)
            return &c->skus[i];
    return NULL;
}

void fault_channel_set_stock(int64_t channel, const char *sku, int64_t available)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    struct fc_sku *s = sku_of(c, sku);
    if (!s) {
        if (c->n_skus == MAX_SKUS)
            abort();
        s = &c->skus[c->n_skus++];
        snprintf(s->sku, sizeof(s->sku), "%s", sku);
    }
    s->available = available;
    pthread_mutex_unlock(&lock);
}

int64_t fault_channel_stock(int64_t channel, const char *sku)
{
    pthread_mutex_lock(&lock);
    struct fc_sku *s = sku_of(chan(channel), sku);
    int64_t n = s ? s->available : -1;
    pthread_mutex_unlock(&lock);
    return n;
}

bool fault_channel_wait_stock(int64_t channel, const char *sku, int64_t want, int timeout_ms)
{
    struct timespec until;
    deadline(&until, timeout_ms);
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    struct fc_sku *s = sku_of(c, sku);
    int rc = 0;
    while (s && s->available != want && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&changed, &lock, &until);
    bool ok = s && s->available == want;
    pthread_mutex_unlock(&lock);
    return ok;
}

long fault_channel_levels_taken(int64_t channel, const char *sku)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    long n = 0;
    for (size_t i = 0; i < c->n_skus; i++)
        if (!sku || strcmp(c->skus[i].sku, sku) == 0)
            n += c->skus[i].taken;
    pthread_mutex_unlock(&lock);
    return n;
}

long fault_channel_fulfillments(int64_t channel, const char *external_id)
{
    pthread_mutex_lock(&lock);
    struct fc_order *o = order_of(chan(channel), external_id);
    long n = o ? o->fulfilled : 0;
    pthread_mutex_unlock(&lock);
    return n;
}

long fault_channel_cancels(int64_t channel, const char *external_id)
{
    pthread_mutex_lock(&lock);
    struct fc_order *o = order_of(chan(channel), external_id);
    long n = o ? o->cancelled : 0;
    pthread_mutex_unlock(&lock);
    return n;
}

/* ---------------------------------------------------------------- the ops */

/* Each network operation is enter(), the work (*_now), leave(). */

static sb_err fc_verify_webhook(const struct sb_channel *ch, const struct sb_webhook *wh,
                                struct sb_arena *a, struct sb_event_info *ret)
{
    return sb_channel_shopify.verify_webhook(ch, wh, a, ret);
}

/* The raw status of an order of this kind: its JSON's "fc_status" (the status table reads
 * it), else what the Shopify parser found. */
static sb_err raw_status(const char *body, size_t len, struct sb_arena *a, struct sb_order *o)
{
    json_t *root = o ? json_loadb(body, len, 0, NULL) : NULL;
    const char *st = json_string_value(json_object_get(root, "fc_status"));
    if (st && !(o->channel_status = sb_arena_strdup(a, st))) {
        json_decref(root);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    json_decref(root);
    return SB_OK;
}

static sb_err fc_parse_event(const struct sb_channel *ch, const char *topic, const char *body,
                             size_t len, struct sb_arena *a, struct sb_order **ret)
{
    sb_err err = enter(ch, FC_PARSE);
    if (!err)
        err = sb_channel_shopify.parse_event(ch, topic, body, len, a, ret);
    if (!err)
        err = raw_status(body, len, a, *ret);
    return leave(ch->id, FC_PARSE, err);
}

/* The order's JSON, copied into the arena (the test may replace it meanwhile). */
static const char *order_json(int64_t channel, const char *id, struct sb_arena *a)
{
    pthread_mutex_lock(&lock);
    struct fc_order *o = order_of(chan(channel), id);
    const char *json = o ? sb_arena_strdup(a, o->json) : NULL;
    pthread_mutex_unlock(&lock);
    return json;
}

static sb_err fetch_now(const struct sb_channel *ch, const char *external_id, struct sb_arena *a,
                        struct sb_order **ret)
{
    const char *json = order_json(ch->id, external_id, a);
    if (!json)
        return sb_fail(SB_ENOT_FOUND, NULL, "the shop has no order %s", external_id);
    sb_err err = sb_channel_shopify.parse_event(ch, "orders/updated", json, strlen(json), a, ret);
    return err ? err : raw_status(json, strlen(json), a, *ret);
}

static sb_err fc_fetch_order(const struct sb_channel *ch, const char *external_id,
                             struct sb_arena *a, struct sb_order **ret)
{
    sb_err err = enter(ch, FC_FETCH);
    if (!err)
        err = fetch_now(ch, external_id, a, ret);
    return leave(ch->id, FC_FETCH, err);
}

static sb_err poll_now(const struct sb_channel *ch, struct sb_arena *a, struct sb_order_page *ret)
{
    char ids[MAX_ORDERS][32];
    size_t n = 0;
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(ch->id);
    for (size_t i = 0; i < c->n_orders; i++)
        if (c->orders[i].json && !c->orders[i].exported)
            memcpy(ids[n++], c->orders[i].id, sizeof(ids[0]));
    pthread_mutex_unlock(&lock);
    struct sb_order **orders = sb_arena_alloc(a, (n + 1) * sizeof(*orders));
    if (!orders)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        sb_err err = fetch_now(ch, ids[i], a, &orders[i]);
        if (err)
            return err;
    }
    *ret = (struct sb_order_page){ .orders = orders, .n = n, .next_cursor = "fc-cursor" };
    return SB_OK;
}

static sb_err fc_poll_orders(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                             struct sb_order_page *ret)
{
    sb_err err = enter(ch, FC_POLL);
    if (!err)
        err = poll_now(ch, a, ret);
    return leave(ch->id, FC_POLL, err);
}

static enum sb_decision fc_decide(const struct sb_channel *ch, const struct sb_order *o,
                                  const char **ret_reason)
{
    return sb_channel_shopify.decide(ch, o, ret_reason);
}

static const char *fc_payment_type(const struct sb_channel *ch, const char *gateway,
                                   bool *ret_integrated)
{
    return sb_channel_shopify.payment_type(ch, gateway, ret_integrated);
}

/* A fulfillment or a cancellation taken for an order the shop has. */
static sb_err order_call(const struct sb_channel *ch, enum fc_op op, const char *external_id)
{
    sb_err err = enter(ch, op);
    if (!err) {
        pthread_mutex_lock(&lock);
        struct fc_order *o = order_of(chan(ch->id), external_id);
        if (o && op == FC_PUSH_FULFILLMENT)
            o->fulfilled++;
        else if (o)
            o->cancelled++;
        pthread_mutex_unlock(&lock);
        if (!o)
            err = sb_fail(SB_ENOT_FOUND, NULL, "the shop has no order %s", external_id);
    }
    return leave(ch->id, op, err);
}

static sb_err fc_push_fulfillment(const struct sb_channel *ch, const struct sb_fulfillment_push *f)
{
    return order_call(ch, FC_PUSH_FULFILLMENT, f->order_external_id);
}

static sb_err fc_push_cancel(const struct sb_channel *ch, const char *order_external_id,
                             const char *reason)
{
    return order_call(ch, FC_PUSH_CANCEL, order_external_id);
}

#define ITEM_PREFIX "fc-item:"

static sb_err find_now(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                       struct sb_arena *a)
{
    sb_err err = SB_OK;
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(ch->id);
    for (size_t i = 0; i < n; i++) {
        bool known = sku_of(c, items[i].sku) != NULL;
        items[i].item_id = known ? sb_arena_printf(a, ITEM_PREFIX "%s", items[i].sku) : NULL;
        items[i].variant_id = known ? sb_arena_printf(a, "fc-variant:%s", items[i].sku) : NULL;
        items[i].product_id = known ? sb_arena_printf(a, "fc-product:%s", items[i].sku) : NULL;
        items[i].location_id = known ? FC_LOCATION : NULL;
        if (known && (!items[i].item_id || !items[i].variant_id || !items[i].product_id))
            err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    pthread_mutex_unlock(&lock);
    return err;
}

static sb_err fc_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                            struct sb_arena *a)
{
    sb_err err = enter(ch, FC_FIND);
    if (!err)
        err = find_now(ch, items, n, a);
    return leave(ch->id, FC_FIND, err);
}

static void push_now(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(ch->id);
    for (size_t i = 0; i < n; i++) {
        const char *id = levels[i].external_item_id;
        struct fc_sku *s = id && strncmp(id, ITEM_PREFIX, strlen(ITEM_PREFIX)) == 0
                               ? sku_of(c, id + strlen(ITEM_PREFIX))
                               : NULL;
        if (!s || strcmp(levels[i].location_id, FC_LOCATION) != 0) {
            levels[i].error = "the shop has no such item at that location";
            continue;
        }
        s->available = levels[i].available;
        s->taken++;
    }
    pthread_mutex_unlock(&lock);
}

static sb_err fc_push_stock(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                            struct sb_arena *a)
{
    sb_err err = enter(ch, FC_PUSH_STOCK);
    if (!err)
        push_now(ch, levels, n);
    return leave(ch->id, FC_PUSH_STOCK, err);
}

static sb_err fc_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                             struct sb_arena *a)
{
    return leave(ch->id, FC_PUSH_PRICES, enter(ch, FC_PUSH_PRICES));
}

static sb_err read_now(const struct sb_channel *ch, struct sb_arena *a, struct sb_stock_page *ret)
{
    sb_err err = SB_OK;
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(ch->id);
    size_t n = c->n_skus;
    struct sb_channel_stock *items = sb_arena_alloc(a, (n + 1) * sizeof(*items));
    for (size_t i = 0; items && i < n; i++) {
        const char **locs = sb_arena_alloc(a, sizeof(*locs));
        int64_t *avail = sb_arena_alloc(a, sizeof(*avail));
        const char *sku = sb_arena_strdup(a, c->skus[i].sku);
        if (!locs || !avail || !sku) {
            err = sb_fail(SB_ENOMEM, NULL, NULL);
            break;
        }
        locs[0] = FC_LOCATION;
        avail[0] = c->skus[i].available;
        items[i] = (struct sb_channel_stock){
            .item = { .sku = sku,
                      .item_id = sb_arena_printf(a, ITEM_PREFIX "%s", sku),
                      .variant_id = sb_arena_printf(a, "fc-variant:%s", sku),
                      .product_id = sb_arena_printf(a, "fc-product:%s", sku),
                      .location_id = FC_LOCATION },
            .location_ids = locs,
            .available = avail,
            .n_levels = 1,
        };
    }
    pthread_mutex_unlock(&lock);
    if (!items)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    if (err)
        return err;
    *ret = (struct sb_stock_page){ .items = items, .n = n };
    return SB_OK;
}

static sb_err fc_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                            struct sb_stock_page *ret)
{
    sb_err err = enter(ch, FC_READ_STOCK);
    if (!err)
        err = read_now(ch, a, ret);
    return leave(ch->id, FC_READ_STOCK, err);
}

/* ---------------------------------------------------------------- the hooks */

/* A call about an order that the shop keeps as JSON for the test (the lock not held). */
static sb_err keep_last(const struct sb_channel *ch, enum fc_op op, const char *external_id,
                        json_t *what)
{
    sb_err err = enter(ch, op);
    char *text = what ? json_dumps(what, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(what);
    if (!err && !text)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err) {
        pthread_mutex_lock(&lock);
        struct fc_order *o = order_made(chan(ch->id), external_id);
        free(o->last[op]);
        o->last[op] = text;
        text = NULL;
        pthread_mutex_unlock(&lock);
    }
    free(text);
    return leave(ch->id, op, err);
}

static sb_err fc_after_download(const struct sb_channel *ch, const struct sb_after_download *d)
{
    return keep_last(ch, FC_AFTER_DOWNLOAD, d->order_external_id,
                     json_pack("{s:I}", "sale_id", (json_int_t)d->sale_id));
}

static sb_err fc_push_refund(const struct sb_channel *ch, const struct sb_refund_push *r)
{
    json_t *lines = json_array();
    for (size_t i = 0; lines && i < r->n_lines; i++)
        json_array_append_new(
            lines, json_pack("{s:s?,s:I,s:I,s:b}", "line", r->lines[i].line_external_id, "quantity",
                             (json_int_t)r->lines[i].quantity, "amount",
                             (json_int_t)r->lines[i].amount, "restock", r->lines[i].restock));
    return keep_last(ch, FC_PUSH_REFUND, r->order_external_id,
                     lines ? json_pack("{s:I,s:I,s:o}", "return_id", (json_int_t)r->return_id,
                                       "amount", (json_int_t)r->amount, "lines", lines)
                           : NULL);
}

static sb_err fc_push_status(const struct sb_channel *ch, const struct sb_status_push *st)
{
    return keep_last(
        ch, FC_PUSH_STATUS, st->order_external_id,
        json_pack("{s:s,s:s}", "status", st->status, "pos", sb_pos_status_name(st->pos)));
}

static sb_err fc_list_exported(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                               struct sb_order_page *ret)
{
    sb_err err = enter(ch, FC_LIST_EXPORTED);
    char ids[MAX_ORDERS][32];
    size_t n = 0;
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(ch->id);
    for (size_t i = 0; i < c->n_orders; i++)
        if (c->orders[i].exported && !c->orders[i].acked)
            memcpy(ids[n++], c->orders[i].id, sizeof(ids[0]));
    pthread_mutex_unlock(&lock);
    struct sb_order **orders = err ? NULL : sb_arena_alloc(a, (n + 1) * sizeof(*orders));
    if (!err && !orders)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < n; i++)
        err = fetch_now(ch, ids[i], a, &orders[i]);
    if (!err)
        *ret = (struct sb_order_page){ .orders = orders, .n = n, .next_cursor = "fc-export" };
    return leave(ch->id, FC_LIST_EXPORTED, err);
}

static sb_err fc_acknowledge(const struct sb_channel *ch, const char *const *ids, size_t n)
{
    sb_err err = enter(ch, FC_ACKNOWLEDGE);
    pthread_mutex_lock(&lock);
    for (size_t i = 0; !err && i < n; i++) {
        struct fc_order *o = order_of(chan(ch->id), ids[i]);
        if (o)
            o->acked++;
    }
    pthread_mutex_unlock(&lock);
    return leave(ch->id, FC_ACKNOWLEDGE, err);
}

/* ---------------------------------------------------------------- the kind */

struct fc_state {
    int64_t channel;
};

static sb_err fc_open(const struct sb_channel *ch, void *state)
{
    struct fc_state *st = state;
    st->channel = ch->id;
    pthread_mutex_lock(&lock);
    chan(ch->id)->opens++;
    pthread_mutex_unlock(&lock);
    return SB_OK;
}

static void fc_close(void *state)
{
    (void)state;
}

static const char *fc_base_url(json_t *credentials, struct sb_arena *a)
{
    return NULL; /* it answers from memory */
}

static const struct sb_field fc_credentials[] = {
    { .name = "shop", .type = SB_FIELD_TEXT, .label = "Shop", .help = "Any name." },
    { .name = "webhook_secret",
      .type = SB_FIELD_TEXT,
      .required = true,
      .secret = true,
      .label = "Webhook secret",
      .help = "What webhooks are signed with, as Shopify signs them." },
    { 0 },
};

static const char *const import_choices[] = { "sale", "order", "invoice", NULL };
static const struct sb_field fc_push_refunds = { .name = SB_CHANNEL_PUSH_REFUNDS,
                                                 .type = SB_FIELD_BOOL,
                                                 .dflt = "false",
                                                 .label = "Send refunds made here" };
static const struct sb_field fc_push_statuses = { .name = SB_CHANNEL_PUSH_STATUSES,
                                                  .type = SB_FIELD_BOOL,
                                                  .dflt = "false",
                                                  .label = "Send status changes" };
static const struct sb_field fc_import_as = { .name = SB_CHANNEL_IMPORT_AS,
                                              .type = SB_FIELD_CHOICE,
                                              .dflt = "\"sale\"",
                                              .choices = import_choices,
                                              .label = "Download orders as" };
static const struct sb_field fc_reserve_stock = { .name = SB_CHANNEL_RESERVE_STOCK,
                                                  .type = SB_FIELD_BOOL,
                                                  .dflt = "true",
                                                  .label = "Reserve order inventory" };
static const struct sb_field fc_order_deposits = { .name = SB_CHANNEL_ORDER_DEPOSITS,
                                                   .type = SB_FIELD_BOOL,
                                                   .dflt = "false",
                                                   .label = "Create order deposits" };

static const struct sb_status_map fc_in[] = {
    { "canceled", SB_POS_CANCELLED, SB_STATUS_IN, SB_WHEN_ANY },
    { "paid", SB_POS_PAID, SB_STATUS_IN, SB_WHEN_ANY },
};
static const struct sb_status_map fc_out[] = {
    { "paid", SB_POS_PAID, SB_STATUS_OUT, SB_WHEN_ANY },
    { "ready_for_pickup", SB_POS_PACKED, SB_STATUS_OUT, SB_WHEN_ANY },
    { "shipped", SB_POS_SHIPPED, SB_STATUS_OUT, SB_WHEN_ANY },
    { "picked_up", SB_POS_PICKED_UP, SB_STATUS_OUT, SB_WHEN_ANY },
};

static const struct sb_channel_ops fault_channel_full = {
    .kind = FC_KIND,
    .label = "Fault (tests)",
    .credentials = fc_credentials,
    .base_url = fc_base_url,
    .state_size = sizeof(struct fc_state),
    .open = fc_open,
    .close = fc_close,
    .verify_webhook = fc_verify_webhook,
    .parse_event = fc_parse_event,
    .poll_orders = fc_poll_orders,
    .fetch_order = fc_fetch_order,
    .decide = fc_decide,
    .payment_type = fc_payment_type,
    .after_download = fc_after_download,
    .push_fulfillment = fc_push_fulfillment,
    .push_cancel = fc_push_cancel,
    .push_refund = fc_push_refund,
    .push_status = fc_push_status,
    .list_exported = fc_list_exported,
    .acknowledge = fc_acknowledge,
    .find_items = fc_find_items,
    .push_stock = fc_push_stock,
    .push_prices = fc_push_prices,
    .read_stock = fc_read_stock,
};

/* What is registered: the full kind, shaped by fault_channel_shape, with the settings and
 * the status table its bits call for. */
static struct sb_channel_ops fault_channel;
static struct sb_field settings[8];
static struct sb_status_map
    statuses[sizeof(fc_in) / sizeof(fc_in[0]) + sizeof(fc_out) / sizeof(fc_out[0]) + 1];

void fault_channel_shape(unsigned caps, size_t push_batch)
{
    struct sb_channel_ops k = fault_channel_full;
    k.caps = caps;
    k.push_batch = caps & (SB_CH_STOCK | SB_CH_PRICES) ? push_batch : 0;
#define TAKE(bit, op)    \
    if (!(caps & (bit))) \
    k.op = NULL
    TAKE(SB_CH_WEBHOOKS, verify_webhook);
    TAKE(SB_CH_WEBHOOKS, parse_event);
    TAKE(SB_CH_POLL, poll_orders);
    TAKE(SB_CH_FETCH, fetch_order);
    TAKE(SB_CH_AFTER_DOWNLOAD, after_download);
    TAKE(SB_CH_FULFILL, push_fulfillment);
    TAKE(SB_CH_CANCEL, push_cancel);
    TAKE(SB_CH_REFUND, push_refund);
    TAKE(SB_CH_STATUS_OUT, push_status);
    TAKE(SB_CH_EXPORT, list_exported);
    TAKE(SB_CH_EXPORT, acknowledge);
    TAKE(SB_CH_STOCK | SB_CH_PRICES, find_items);
    TAKE(SB_CH_STOCK, push_stock);
    TAKE(SB_CH_STOCK, read_stock);
    TAKE(SB_CH_PRICES, push_prices);
#undef TAKE
    size_t n = 0;
    memset(settings, 0, sizeof(settings));
    if (caps & SB_CH_REFUND)
        settings[n++] = fc_push_refunds;
    if (caps & SB_CH_STATUS_OUT)
        settings[n++] = fc_push_statuses;
    if (caps & SB_CH_RESERVE) {
        settings[n++] = fc_import_as;
        settings[n++] = fc_reserve_stock;
        settings[n++] = fc_order_deposits;
    }
    k.settings = n ? settings : NULL;
    n = 0;
    memset(statuses, 0, sizeof(statuses));
    for (size_t i = 0; (caps & SB_CH_STATUS_IN) && i < sizeof(fc_in) / sizeof(fc_in[0]); i++)
        statuses[n++] = fc_in[i];
    for (size_t i = 0; (caps & SB_CH_STATUS_OUT) && i < sizeof(fc_out) / sizeof(fc_out[0]); i++)
        statuses[n++] = fc_out[i];
    k.statuses = n ? statuses : NULL;
    fault_channel = k;
}

const struct sb_channel_ops *fault_channel_ops(void)
{
    return &fault_channel;
}

void fault_channel_install(void)
{
    fault_channel_shape(FC_CAPS, FC_PUSH_BATCH);
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i <= FC_MAX_CHANNELS; i++) {
        for (size_t k = 0; k < chans[i].n_orders; k++) {
            free(chans[i].orders[k].json);
            for (int op = 0; op < FC_OPS; op++)
                free(chans[i].orders[k].last[op]);
        }
        memset(&chans[i], 0, sizeof(chans[i]));
    }
    pthread_mutex_unlock(&lock);
    sb_channel_register(&fault_channel);
}
