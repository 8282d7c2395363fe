/*
 * The control API's stock and price routes, beside control.c (which
 * routes here first): the levels a test reads and hand-edits as a merchant
 * would in the Shopify admin (GET|POST /_fake/inventory), the locations
 * (GET|POST /_fake/locations), a catalogue made in one call for benchmarks
 * (POST /_fake/products/bulk), a variant's prices (GET /_fake/prices) and
 * a feed of the levels' changes with their times (GET
 * /_fake/inventory/changes), for benchmarks that time how soon a stock
 * change reaches the shop. Same conventions as the other routes: JSON in and
 * out, unknown fields refused, a refused call changes nothing.
 */
#include "graphql.h"

#include "util/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LEVELS_LISTED 10000
#define FEED_KEEP         100000 /* change rows kept */
#define FEED_LIST_MAX     10000  /* rows in one answer */
#define FEED_WAIT_MAX_MS  10000
#define FEED_LOOK_NS      200000  /* while a call waits, it looks this often */
#define FEED_FULL_LOOK_NS 5000000 /* and compares every level at least this often */

static json_t *level_json(const struct fs_shop *s, const struct product *p, int loc)
{
    char ts[SB_TIME_LEN];
    sb_time_format((int64_t)p->updated[loc], ts, sizeof(ts));
    return json_pack("{s:s,s:o,s:o,s:i,s:s}", "sku", p->sku, "inventory_item_id",
                     fs_jgid("InventoryItem", p->inventory_item_id), "location_id",
                     fs_jgid("Location", s->locations[loc].id), "available", (int)p->available[loc],
                     "updated_at", ts);
}

static json_t *location_json(const struct location *l)
{
    return json_pack("{s:I,s:o,s:s,s:b}", "id", (json_int_t)l->id, "gid",
                     fs_jgid("Location", l->id), "name", l->name, "active", l->active);
}

/* A location given as a number or a gid; the main one when absent. */
static sb_err location_ref(const struct fs_shop *s, json_t *v, int *ret)
{
    int64_t id = LOCATION_ID;
    if (v && json_is_integer(v))
        id = json_integer_value(v);
    else if (v && !(json_is_string(v) && fs_gql_parse_gid(json_string_value(v), "Location", &id)))
        return sb_fail(SB_EINVALID_FIELD, "location_id",
                       "location_id must be a number or a gid://shopify/Location/N");
    int i = fs_location_index(s, id);
    if (i < 0)
        return sb_fail(SB_ENOT_FOUND, "location_id", "no location %lld", (long long)id);
    *ret = i;
    return SB_OK;
}

static const char *arg(const struct fs_request *req, const char *name)
{
    return req->arg ? req->arg(req, name) : NULL;
}

static sb_err get_inventory(struct fs_shop *s, const char *sku, json_t **ret)
{
    json_t *levels = json_array();
    bool truncated = false;
    if (sku) {
        struct product *p = fs_find_product(s, sku);
        if (!p) {
            json_decref(levels);
            return sb_fail(SB_ENOT_FOUND, "sku", "no product with SKU %s", sku);
        }
        for (size_t k = 0; k < s->n_locations; k++)
            if ((p->stocked >> k) & 1u)
                json_array_append_new(levels, level_json(s, p, (int)k));
    } else {
        for (size_t i = 0; i < s->n_products && !truncated; i++)
            for (size_t k = 0; k < s->n_locations; k++) {
                if (!((s->products[i].stocked >> k) & 1u))
                    continue;
                if (json_array_size(levels) == MAX_LEVELS_LISTED) {
                    truncated = true;
                    break;
                }
                json_array_append_new(levels, level_json(s, &s->products[i], (int)k));
            }
    }
    *ret = json_pack("{s:o}", "levels", levels);
    if (truncated)
        json_object_set_new(*ret, "truncated", json_true());
    return SB_OK;
}

/* A merchant's edit in the Shopify admin: stocks the item at the location if needed. */
static sb_err set_inventory(struct fs_shop *s, json_t *body, json_t **ret)
{
    static const char *const keys[] = { "sku", "location_id", "available", NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    const char *sku = NULL;
    int64_t available = 0;
    int loc = 0;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_str(&c, "sku", true, STR_MAX, &sku, NULL)) ||
        (err = sb_json_int(&c, "available", true, -QTY_LIMIT, QTY_LIMIT, &available, NULL)))
        return err;
    struct product *p = fs_find_product(s, sku);
    if (!p)
        return sb_fail(SB_ENOT_FOUND, "sku", "no product with SKU %s", sku);
    if ((err = location_ref(s, json_object_get(body, "location_id"), &loc)))
        return err;
    fs_level_set(p, loc, available, sb_time_now());
    *ret = level_json(s, p, loc);
    return SB_OK;
}

static sb_err bulk_products(struct fs_shop *s, json_t *body, json_t **ret)
{
    static const char *const keys[] = { "count", "prefix", "price", "available", NULL };
    struct sb_jctx c = { .obj = body, .prefix = NULL };
    const char *prefix = "R";
    int64_t count = 0, price = 2500, available = 0;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_int(&c, "count", true, 1, MAX_PRODUCTS, &count, NULL)) ||
        (err = sb_json_str(&c, "prefix", false, 64, &prefix, NULL)) ||
        (err = fs_get_money(&c, "price", false, s->exponent, PRICE_MAX, &price, NULL)) ||
        (err = sb_json_int(&c, "available", false, -QTY_LIMIT, QTY_LIMIT, &available, NULL)))
        return err;
    return fs_products_bulk(s, prefix, count, price, available, ret);
}

static sb_err get_prices(struct fs_shop *s, const char *sku, json_t **ret)
{
    if (!sku)
        return sb_fail(SB_EMISSING_FIELD, "sku", "give ?sku=");
    struct product *p = fs_find_product(s, sku);
    if (!p)
        return sb_fail(SB_ENOT_FOUND, "sku", "no product with SKU %s", sku);
    *ret = json_pack("{s:s,s:o,s:o}", "sku", p->sku, "price", fs_jmoney(p->price, s->exponent),
                     "compare_at_price",
                     p->compare_at < 0 ? json_null() : fs_jmoney(p->compare_at, s->exponent));
    return SB_OK;
}

/* ---------------------------------------------------------------- the change feed */

/*
 * The levels are changed in several files (GraphQL, orders, hand edits) that
 * do not announce it, so the feed finds changes by comparing every level
 * with a copy of what it last saw: at each call, and while a call waits,
 * every FEED_LOOK_NS when inventorySetQuantities ran since the last look
 * (its counter moved) and every FEED_FULL_LOOK_NS anyway. A row's at_ns is
 * the time of the look that saw it: with a call waiting, within about 0.2 ms
 * of an inventorySetQuantities and 5 ms of other changes. One process plays
 * one shop, so the feed is this file's; everything in it is guarded by the
 * shop's mutex.
 */
struct feed_row {
    int64_t seq, at_ns;
    uint32_t product; /* index into s->products */
    uint8_t loc;
    int32_t available;
};

static struct {
    int32_t *seen; /* n products x MAX_LOCATIONS levels as last seen */
    uint8_t *stocked;
    size_t n, cap;
    int64_t seq; /* the last row's */
    int64_t set_calls;
    uint64_t looked_ns;
    struct feed_row *rows; /* a ring of FEED_KEEP: row seq is at rows[(seq - 1) % FEED_KEEP] */
} feed;

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Products made since the last look join silently: their first levels are no change. */
static sb_err feed_grow(const struct fs_shop *s)
{
    if (s->n_products > feed.cap) {
        size_t cap = feed.cap ? feed.cap : 1024;
        while (cap < s->n_products)
            cap *= 2;
        int32_t *seen = realloc(feed.seen, cap * MAX_LOCATIONS * sizeof(*seen));
        if (!seen)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        feed.seen = seen;
        uint8_t *stocked = realloc(feed.stocked, cap);
        if (!stocked)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        feed.stocked = stocked;
        feed.cap = cap;
    }
    for (size_t i = feed.n; i < s->n_products; i++) {
        memcpy(&feed.seen[i * MAX_LOCATIONS], s->products[i].available,
               sizeof(s->products[i].available));
        feed.stocked[i] = s->products[i].stocked;
    }
    feed.n = s->n_products;
    return SB_OK;
}

/* Compares the levels with the last look and records what changed. */
static sb_err feed_look(const struct fs_shop *s, bool force)
{
    if (!feed.rows) {
        feed.rows = malloc(FEED_KEEP * sizeof(*feed.rows));
        if (!feed.rows)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        feed.set_calls = s->inventory_set_calls;
        feed.looked_ns = sb_clock_ns();
        return feed_grow(s); /* the feed starts from the levels as they are */
    }
    uint64_t mono = sb_clock_ns();
    if (!force && s->inventory_set_calls == feed.set_calls &&
        mono - feed.looked_ns < FEED_FULL_LOOK_NS)
        return SB_OK;
    int64_t at = realtime_ns();
    feed.set_calls = s->inventory_set_calls;
    feed.looked_ns = mono;
    size_t known = feed.n < s->n_products ? feed.n : s->n_products;
    for (size_t i = 0; i < known; i++) {
        const struct product *p = &s->products[i];
        int32_t *seen = &feed.seen[i * MAX_LOCATIONS];
        if (p->stocked == feed.stocked[i] && memcmp(seen, p->available, sizeof(p->available)) == 0)
            continue;
        for (size_t k = 0; k < s->n_locations; k++) {
            if (!((p->stocked >> k) & 1u) ||
                (((feed.stocked[i] >> k) & 1u) && seen[k] == p->available[k]))
                continue;
            feed.seq++;
            feed.rows[(feed.seq - 1) % FEED_KEEP] =
                (struct feed_row){ .seq = feed.seq,
                                   .at_ns = at,
                                   .product = (uint32_t)i,
                                   .loc = (uint8_t)k,
                                   .available = p->available[k] };
        }
        memcpy(seen, p->available, sizeof(p->available));
        feed.stocked[i] = p->stocked;
    }
    return feed_grow(s);
}

/* A whole number from the query string within [lo, hi], def when absent. */
static sb_err int_arg(const struct fs_request *req, const char *name, int64_t lo, int64_t hi,
                      int64_t def, int64_t *ret)
{
    const char *v = arg(req, name);
    if (!v) {
        *ret = def;
        return SB_OK;
    }
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi)
        return sb_fail(SB_EINVALID_FIELD, name, "%s must be a whole number from %lld to %lld", name,
                       (long long)lo, (long long)hi);
    *ret = x;
    return SB_OK;
}

static json_t *feed_answer(const struct fs_shop *s, int64_t after, int64_t limit)
{
    int64_t first = feed.seq > FEED_KEEP ? feed.seq - FEED_KEEP + 1 : 1;
    json_t *rows = json_array();
    bool missed = after + 1 < first;
    for (int64_t q = missed ? first : after + 1; q <= feed.seq && limit > 0; q++, limit--) {
        const struct feed_row *r = &feed.rows[(q - 1) % FEED_KEEP];
        json_array_append_new(rows,
                              json_pack("{s:I,s:s,s:o,s:i,s:I}", "seq", (json_int_t)r->seq, "sku",
                                        s->products[r->product].sku, "location_id",
                                        fs_jgid("Location", s->locations[r->loc].id), "available",
                                        (int)r->available, "at_ns", (json_int_t)r->at_ns));
    }
    return json_pack("{s:o,s:I,s:b}", "changes", rows, "last_seq", (json_int_t)feed.seq, "missed",
                     missed);
}

/* GET /_fake/inventory/changes?after=SEQ&wait_ms=N&limit=N. Takes the lock itself. */
static sb_err get_changes(struct fs_shop *s, const struct fs_request *req, json_t **ret)
{
    int64_t after, wait_ms, limit;
    sb_err err;
    if ((err = int_arg(req, "after", 0, INT64_MAX, 0, &after)) ||
        (err = int_arg(req, "wait_ms", 0, FEED_WAIT_MAX_MS, 0, &wait_ms)) ||
        (err = int_arg(req, "limit", 1, FEED_LIST_MAX, 1000, &limit)))
        return err;
    uint64_t until = sb_clock_ns() + (uint64_t)wait_ms * 1000000u;
    for (bool first = true;; first = false) {
        pthread_mutex_lock(&s->mu);
        err = feed_look(s, first);
        bool done = err || feed.seq > after || sb_clock_ns() >= until;
        if (done && !err)
            *ret = feed_answer(s, after, limit);
        pthread_mutex_unlock(&s->mu);
        if (done)
            return err;
        struct timespec ts = { 0, FEED_LOOK_NS };
        nanosleep(&ts, NULL);
    }
}

bool fs_control_inventory(struct fs_shop *s, const struct fs_request *req, const char *const *seg,
                          const size_t *len, size_t n, json_t *body, json_t **ret, int *ret_status,
                          sb_err *ret_err)
{
#define SEG(i, lit) (n > (i) && len[i] == strlen(lit) && memcmp(seg[i], lit, len[i]) == 0)
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    sb_err err = SB_OK;
    if (n == 1 && SEG(0, "inventory")) {
        if (!get && !post)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        err = get ? get_inventory(s, arg(req, "sku"), ret) : set_inventory(s, body, ret);
        pthread_mutex_unlock(&s->mu);
    } else if (n == 2 && SEG(0, "inventory") && SEG(1, "changes")) {
        if (!get)
            goto not_allowed;
        err = get_changes(s, req, ret);
    } else if (n == 1 && SEG(0, "locations")) {
        if (!get && !post)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        if (get) {
            json_t *list = json_array();
            for (size_t i = 0; i < s->n_locations; i++)
                json_array_append_new(list, location_json(&s->locations[i]));
            *ret = json_pack("{s:o}", "locations", list);
        } else {
            static const char *const keys[] = { "name", NULL };
            struct sb_jctx c = { .obj = body, .prefix = NULL };
            const char *name = NULL;
            struct location *l = NULL;
            if (!(err = sb_json_only(&c, keys)) &&
                !(err = sb_json_str(&c, "name", true, STR_MAX, &name, NULL)) &&
                !(err = fs_location_add(s, name, &l))) {
                *ret = location_json(l);
                *ret_status = 201;
            }
        }
        pthread_mutex_unlock(&s->mu);
    } else if (n == 2 && SEG(0, "products") && SEG(1, "bulk")) {
        if (!post)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        err = bulk_products(s, body, ret);
        pthread_mutex_unlock(&s->mu);
        *ret_status = 201;
    } else if (n == 1 && SEG(0, "prices")) {
        if (!get)
            goto not_allowed;
        pthread_mutex_lock(&s->mu);
        err = get_prices(s, arg(req, "sku"), ret);
        pthread_mutex_unlock(&s->mu);
    } else {
        return false;
    }
#undef SEG
    *ret_err = err;
    return true;
not_allowed:
    *ret_err =
        sb_fail(SB_EMETHOD_NOT_ALLOWED, NULL, "%s is not allowed on %s", req->method, req->path);
    return true;
}
