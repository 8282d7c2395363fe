/*
 * The failing channel (see fault-channel.h). One mutex guards every
 * channel's state; a stalled call waits on a condition variable, releasing
 * the mutex, so the test and other threads go on meanwhile. A stall is
 * bounded (STALL_MAX_MS, then it fails as a timed-out request would) so a
 * test that forgets to release cannot hang the suite.
 */
#include "fault-channel.h"
#include "channel/channel.h"

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

/* Every call starts here: counted, and failed or held when the test asked. */
static sb_err enter(int64_t id, enum fc_op op)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(id);
    c->calls[op]++;
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
    for (size_t i = 0; i < c->n_orders; i++)
        if (strcmp(c->orders[i].id, id) == 0)
            return &c->orders[i];
    return NULL;
}

void fault_channel_put_order(int64_t channel, const char *external_id, const char *json)
{
    pthread_mutex_lock(&lock);
    struct fc_channel *c = chan(channel);
    struct fc_order *o = order_of(c, external_id);
    if (!o) {
        if (c->n_orders == MAX_ORDERS)
            abort();
        o = &c->orders[c->n_orders++];
        snprintf(o->id, sizeof(o->id), "%s", external_id);
    }
    free(o->json);
    o->json = strdup(json);
    if (!o->json)
        abort();
    pthread_mutex_unlock(&lock);
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

static sb_err fc_parse_event(const struct sb_channel *ch, const char *topic, const char *body,
                             size_t len, struct sb_arena *a, struct sb_order **ret)
{
    sb_err err = enter(ch->id, FC_PARSE);
    if (!err)
        err = sb_channel_shopify.parse_event(ch, topic, body, len, a, ret);
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
    return sb_channel_shopify.parse_event(ch, "orders/updated", json, strlen(json), a, ret);
}

static sb_err fc_fetch_order(const struct sb_channel *ch, const char *external_id,
                             struct sb_arena *a, struct sb_order **ret)
{
    sb_err err = enter(ch->id, FC_FETCH);
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
    for (; n < c->n_orders; n++)
        memcpy(ids[n], c->orders[n].id, sizeof(ids[n]));
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
    sb_err err = enter(ch->id, FC_POLL);
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
    sb_err err = enter(ch->id, op);
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
    sb_err err = enter(ch->id, FC_FIND);
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
    sb_err err = enter(ch->id, FC_PUSH_STOCK);
    if (!err)
        push_now(ch, levels, n);
    return leave(ch->id, FC_PUSH_STOCK, err);
}

static sb_err fc_push_prices(const struct sb_channel *ch, struct sb_price *prices, size_t n,
                             struct sb_arena *a)
{
    return leave(ch->id, FC_PUSH_PRICES, enter(ch->id, FC_PUSH_PRICES));
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
    sb_err err = enter(ch->id, FC_READ_STOCK);
    if (!err)
        err = read_now(ch, a, ret);
    return leave(ch->id, FC_READ_STOCK, err);
}

static const struct sb_channel_ops fault_channel_default = {
    .kind = "shopify",
    .caps = FC_CAPS,
    .push_batch = FC_PUSH_BATCH,
    .verify_webhook = fc_verify_webhook,
    .parse_event = fc_parse_event,
    .poll_orders = fc_poll_orders,
    .fetch_order = fc_fetch_order,
    .decide = fc_decide,
    .payment_type = fc_payment_type,
    .push_fulfillment = fc_push_fulfillment,
    .push_cancel = fc_push_cancel,
    .find_items = fc_find_items,
    .push_stock = fc_push_stock,
    .push_prices = fc_push_prices,
    .read_stock = fc_read_stock,
};

/* What is registered: the default, reshaped by fault_channel_shape. */
static struct sb_channel_ops fault_channel;

void fault_channel_shape(unsigned caps, size_t push_batch)
{
    fault_channel.caps = caps;
    fault_channel.push_batch = push_batch;
}

void fault_channel_install(void)
{
    fault_channel = fault_channel_default;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i <= FC_MAX_CHANNELS; i++) {
        for (size_t k = 0; k < chans[i].n_orders; k++)
            free(chans[i].orders[k].json);
        memset(&chans[i], 0, sizeof(chans[i]));
    }
    pthread_mutex_unlock(&lock);
    sb_channel_register(&fault_channel);
}
