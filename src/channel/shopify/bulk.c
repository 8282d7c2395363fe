/*
 * Reading a Shopify shop's whole stock with a bulk operation (SPEC I5): what
 * a reconciliation of a large catalogue needs. Paging inventoryItems 20 at a
 * time is 50,000 calls for a million items, hours of cost budget; a bulk
 * query is three kinds of call whatever the size:
 *
 *   SbBulkStock   bulkOperationRunQuery(query: <the document below>): starts the
 *                 operation (a mutation: cost 10)
 *   SbBulkStatus  bulkOperation(id:): its status, polled every 100 ms at
 *                 first, backing off to every second (cost 1 each), until COMPLETED,
 *                 FAILED or CANCELED, or until STOCKBRIDGE_BULK_TIMEOUT_SECONDS (default
 *                 600) have gone by
 *   the result    a JSONL file at the status's url (signed: no token), streamed: each
 *                 line is parsed as it arrives; the items are held, compactly, until the
 *                 file ends (ungrouped output: below)
 *
 * In the file every InventoryItem is a line of its own, and each of its levels (a node of
 * the nested inventoryLevels connection) a line carrying "__parentId", the item's id.
 * From API 2026-01 the output is not grouped unless groupObjects: true is asked for: a
 * level's line may come anywhere, before its item or long after it. The reader does not
 * ask for grouping (Shopify warns that it makes the operation slower) and takes the lines
 * in any order, grouped or not (the reader below says how); a level whose item the file
 * never lists is an error.
 *
 * Any failure (the operation refused, failed or canceled, the download cut short, a line
 * that does not parse, a level of an unknown parent) is SB_EIO with why: the caller has
 * then seen part of the stock and must discard it. The URL is never put in a message.
 */
#include "channel/shopify/shopify.h"

#include "util/grow.h"
#include "util/hash.h"
#include "util/http-client.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_FIRST_MS   100
#define POLL_MAX_MS     1000
#define LINE_MAX_BYTES  ((size_t)1 << 20)  /* one line of the file */
#define FILE_MAX_BYTES  ((size_t)64 << 30) /* the whole file: far beyond any catalogue */
#define LEVELS_MAX      10000              /* levels of one item (one per location) */
#define TIMEOUT_DEFAULT 600                /* seconds an operation may take to complete */
#define TIMEOUT_ENV     "STOCKBRIDGE_BULK_TIMEOUT_SECONDS"

static const char m_run[] =
    "mutation SbBulkStock($query: String!) { bulkOperationRunQuery(query: $query) { "
    "bulkOperation { id status } userErrors { field message code } } }";
/* bulkOperation(id:), the one started: currentBulkOperation is deprecated in 2026-10 */
static const char q_status[] = "query SbBulkStatus($id: ID!) { bulkOperation(id: $id) { id "
                               "status errorCode objectCount url } }";
/* The bulk query: no `first` on nested connections in a bulk query, and every node of a
 * connection that has a nested connection selects its id (the children's __parentId). */
static const char bulk_query[] =
    "{ inventoryItems { edges { node { id sku variant { id product { id } } "
    "inventoryLevels { edges { node { location { id } quantities(names: [\"available\"]) { "
    "name quantity } } } } } } } }";

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t timeout_ms(void)
{
    const char *v = getenv(TIMEOUT_ENV);
    char *end;
    long s = v && *v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || s < 1 || s > 864000)
        s = TIMEOUT_DEFAULT;
    return (uint64_t)s * 1000u;
}

/* ---------------------------------------------------------------- starting and polling */

static sb_err start(const struct sb_channel *ch, char **ret_id)
{
    struct sb_arena *a = sb_arena_new();
    json_t *vars = json_pack("{s:s}", "query", bulk_query), *data = NULL;
    if (!a || !vars) {
        sb_arena_free(a);
        json_decref(vars);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_err err = sb_shopify_gql(ch, a, "SbBulkStock", m_run, vars, &data);
    json_t *payload = err ? NULL : json_object_get(data, "bulkOperationRunQuery");
    json_t *uerr = json_array_get(json_object_get(payload, "userErrors"), 0);
    const char *id =
        json_string_value(json_object_get(json_object_get(payload, "bulkOperation"), "id"));
    if (err) {
    } else if (uerr) {
        const char *code = json_string_value(json_object_get(uerr, "code"));
        const char *msg = json_string_value(json_object_get(uerr, "message"));
        if (code && strcmp(code, "OPERATION_IN_PROGRESS") == 0)
            err = sb_fail(SB_EBUSY, NULL,
                          "Shopify is still running an earlier bulk query of stockbridge's; the "
                          "stock can be read once it ends");
        else
            err = sb_fail(SB_EIO, NULL, "Shopify refused the bulk stock query: %.200s%s%s%s",
                          msg ? msg : "no reason given", code ? " (" : "", code ? code : "",
                          code ? ")" : "");
    } else if (!id) {
        err = sb_fail(SB_EIO, NULL, "Shopify's bulkOperationRunQuery answer has no operation");
    } else if (!(*ret_id = strdup(id))) {
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_arena_free(a);
    return err;
}

/* Polls until the operation ends; *ret_url is its result (NULL: no results). */
static sb_err wait_done(const struct sb_channel *ch, const char *id, char **ret_url)
{
    uint64_t limit = timeout_ms(), begun = sb_clock_ns() / 1000000u, wait = POLL_FIRST_MS;
    for (;;) {
        sleep_ms(wait);
        wait = wait * 2 < POLL_MAX_MS ? wait * 2 : POLL_MAX_MS;
        struct sb_arena *a = sb_arena_new();
        json_t *data = NULL;
        if (!a)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        json_t *vars = json_pack("{s:s}", "id", id);
        sb_err err = vars ? sb_shopify_gql(ch, a, "SbBulkStatus", q_status, vars, &data)
                          : sb_fail(SB_ENOMEM, NULL, NULL);
        json_t *op = err ? NULL : json_object_get(data, "bulkOperation");
        const char *op_id = json_string_value(json_object_get(op, "id"));
        const char *status = json_string_value(json_object_get(op, "status"));
        const char *code = json_string_value(json_object_get(op, "errorCode"));
        json_t *url = json_object_get(op, "url");
        bool done = false;
        if (err) {
        } else if (!op_id || strcmp(op_id, id) != 0 || !status) {
            err = sb_fail(SB_EIO, NULL,
                          "Shopify does not know the bulk query stockbridge started (%.80s): "
                          "another bulk query replaced it",
                          id);
        } else if (strcmp(status, "COMPLETED") == 0) {
            done = true;
            if (json_is_string(url) && !(*ret_url = strdup(json_string_value(url))))
                err = sb_fail(SB_ENOMEM, NULL, NULL);
            else if (url && !json_is_null(url) && !json_is_string(url))
                err = sb_fail(SB_EIO, NULL, "Shopify's bulk query result URL is not a string");
        } else if (strcmp(status, "FAILED") == 0) {
            err = sb_fail(SB_EIO, NULL, "Shopify's bulk stock query failed (%.60s)",
                          code ? code : "no error code");
        } else if (strcmp(status, "CANCELED") == 0 || strcmp(status, "EXPIRED") == 0) {
            err = sb_fail(SB_EIO, NULL, "Shopify's bulk stock query ended %s", status);
        } else if (strcmp(status, "CREATED") != 0 && strcmp(status, "RUNNING") != 0 &&
                   strcmp(status, "CANCELING") != 0) {
            err = sb_fail(SB_EIO, NULL, "Shopify's bulk stock query has an unknown status");
        }
        sb_arena_free(a);
        if (err || done)
            return err;
        if (sb_clock_ns() / 1000000u - begun >= limit)
            return sb_fail(SB_EIO, NULL,
                           "Shopify's bulk stock query was still running after %llu s (%s)",
                           (unsigned long long)(limit / 1000), TIMEOUT_ENV);
    }
}

/* ---------------------------------------------------------------- the result file */

/*
 * Parsing is most of the work (two lines an item). It stays on the caller's thread: spread
 * over worker threads, jansson's allocations contended in malloc and the read took twice
 * as long (measured with a million items).
 *
 * Ungrouped output (API 2026-01 on, unless groupObjects is asked for) puts a level's line
 * anywhere: before its item, or long after it. So no item is complete before the file
 * ends, and the reader keeps every item until then, compactly: its four ids in one
 * allocation of a string pool, its levels in one array linked per item, location ids
 * interned (a shop has a few), and an index from item id to item. A level read before its
 * item waits in a list and is joined to it at the end. Items are handed over in the order
 * their lines came, each with its levels in the order theirs came, so grouped and ungrouped
 * files of the same stock give the same calls.
 */
struct held_level {
    uint32_t loc;  /* index into locs */
    uint32_t next; /* the item's next level, NO_LEVEL at the end */
    int64_t available;
    uint64_t line; /* where it came: an item's levels are handed over in this order */
};

/*
 * An id kept in 8 bytes: 0 for none; the number of a gid of the usual form
 * (gid://shopify/InventoryItem/123: 123) for its type; else RAW_ID with the index of the
 * text in raws. A million items are then about 100 bytes each, not 250.
 */
#define RAW_ID ((uint64_t)1 << 63)
enum {
    T_ITEM,
    T_VARIANT,
    T_PRODUCT
};
static const char *const gid_prefix[] = { "gid://shopify/InventoryItem/",
                                          "gid://shopify/ProductVariant/",
                                          "gid://shopify/Product/" };

struct held_item {
    uint64_t id, variant, product;
    const char *sku;         /* in the pool */
    uint32_t first, last, n; /* its levels */
};

struct orphan {
    const char *parent; /* in the pool */
    uint32_t loc;
    int64_t available;
    size_t line;
};

#define NO_LEVEL  UINT32_MAX
#define MAX_ITEMS ((size_t)50 << 20) /* held at once: far beyond any catalogue */

struct sb_shopify_bulk_reader {
    sb_err (*each)(void *ud, const struct sb_channel_stock *st);
    void *ud;
    char *line; /* a line split across pieces of the download */
    size_t len, cap;
    size_t line_no;
    struct sb_arena *pool; /* every string kept */
    struct held_item *items;
    size_t n_items, cap_items;
    uint32_t *index; /* open addressing: item index + 1, 0 empty */
    size_t index_cap;
    struct held_level *levels;
    size_t n_levels, cap_levels;
    struct orphan *orphans;
    size_t n_orphans, cap_orphans;
    const char **locs;
    size_t n_locs, cap_locs;
    const char **raws; /* ids not of the usual form */
    size_t n_raws, cap_raws;
};

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    return sb_grow(p, cap, need, size, 64);
}

/* The number of a gid of the usual form for its type, else 0. */
static uint64_t gid_number(const char *s, int type)
{
    size_t n = strlen(gid_prefix[type]);
    if (!s || strncmp(s, gid_prefix[type], n) != 0 || s[n] < '1' || s[n] > '9')
        return 0;
    uint64_t v = 0;
    for (s += n; *s; s++) {
        if (*s < '0' || *s > '9' || v > (RAW_ID - 1 - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

/* An id as kept (NULL: 0); SB_ENOMEM when its text could not be kept. */
static sb_err keep_id(struct sb_shopify_bulk_reader *r, const char *s, int type, uint64_t *ret)
{
    uint64_t v = s ? gid_number(s, type) : 0;
    if (!s || v) {
        *ret = v;
        return SB_OK;
    }
    const char *copy = sb_arena_strdup(r->pool, s);
    if (!copy || !grow((void **)&r->raws, &r->cap_raws, r->n_raws + 1, sizeof(*r->raws)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->raws[r->n_raws] = copy;
    *ret = RAW_ID | r->n_raws++;
    return SB_OK;
}

/* A kept id as text: in buf, or the kept text; NULL for none. */
static const char *id_text(const struct sb_shopify_bulk_reader *r, uint64_t v, int type, char *buf,
                           size_t cap)
{
    if (!v)
        return NULL;
    if (v & RAW_ID)
        return r->raws[v & ~RAW_ID];
    snprintf(buf, cap, "%s%llu", gid_prefix[type], (unsigned long long)v);
    return buf;
}

static uint64_t hash_id(const char *id, uint64_t num)
{
    return num ? num * 0x9E3779B97F4A7C15ull : sb_fnv1a(id);
}

/* The slot of id (num: its number, 0 when not of the usual form) in the index: its
 * item's, or the empty one where it would go. */
static size_t slot_of(const struct sb_shopify_bulk_reader *r, const char *id, uint64_t num)
{
    size_t mask = r->index_cap - 1, i = (size_t)(hash_id(id, num) >> 7) & mask;
    for (; r->index[i]; i = (i + 1) & mask) {
        uint64_t have = r->items[r->index[i] - 1].id;
        if (num ? have == num : (have & RAW_ID) && strcmp(r->raws[have & ~RAW_ID], id) == 0)
            break;
    }
    return i;
}

static struct held_item *find_item(const struct sb_shopify_bulk_reader *r, const char *id)
{
    if (!r->index_cap)
        return NULL;
    uint32_t k = r->index[slot_of(r, id, gid_number(id, T_ITEM))];
    return k ? &r->items[k - 1] : NULL;
}

static sb_err rehash(struct sb_shopify_bulk_reader *r)
{
    size_t cap = r->index_cap ? r->index_cap * 2 : 1024;
    uint32_t *old = r->index;
    size_t old_cap = r->index_cap;
    if (!(r->index = calloc(cap, sizeof(*r->index)))) {
        r->index = old;
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    r->index_cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i])
            continue;
        uint64_t v = r->items[old[i] - 1].id;
        r->index[slot_of(r, v & RAW_ID ? r->raws[v & ~RAW_ID] : NULL, v & RAW_ID ? 0 : v)] = old[i];
    }
    free(old);
    return SB_OK;
}

static const char *pool_dup(struct sb_shopify_bulk_reader *r, const char *s)
{
    return s ? sb_arena_strdup(r->pool, s) : NULL;
}

static sb_err intern_loc(struct sb_shopify_bulk_reader *r, const char *loc, uint32_t *ret)
{
    for (size_t i = r->n_locs; i-- > 0;)
        if (strcmp(r->locs[i], loc) == 0) {
            *ret = (uint32_t)i;
            return SB_OK;
        }
    if (r->n_locs >= LEVELS_MAX)
        return sb_fail(SB_EIO, NULL, "Shopify's bulk stock result names more than %d locations",
                       LEVELS_MAX);
    const char *copy = pool_dup(r, loc);
    if (!copy || !grow((void **)&r->locs, &r->cap_locs, r->n_locs + 1, sizeof(*r->locs)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->locs[r->n_locs] = copy;
    *ret = (uint32_t)r->n_locs++;
    return SB_OK;
}

static sb_err attach(struct sb_shopify_bulk_reader *r, struct held_item *it, uint32_t loc,
                     int64_t available, size_t line)
{
    if (it->n >= LEVELS_MAX)
        return sb_fail(SB_EIO, NULL,
                       "an inventory item in Shopify's bulk stock result has more than %d levels",
                       LEVELS_MAX);
    if (r->n_levels >= NO_LEVEL ||
        !grow((void **)&r->levels, &r->cap_levels, r->n_levels + 1, sizeof(*r->levels)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    uint32_t k = (uint32_t)r->n_levels++;
    r->levels[k] =
        (struct held_level){ .loc = loc, .next = NO_LEVEL, .available = available, .line = line };
    if (it->n++)
        r->levels[it->last].next = k;
    else
        it->first = k;
    it->last = k;
    return SB_OK;
}

static const char *str_at(json_t *obj, const char *k1, const char *k2)
{
    json_t *v = json_object_get(obj, k1);
    return json_string_value(k2 ? json_object_get(v, k2) : v);
}

static sb_err add_level(struct sb_shopify_bulk_reader *r, json_t *lv, const char *parent)
{
    const char *loc = str_at(lv, "location", "id");
    int64_t available = 0;
    uint32_t li = 0;
    if (!loc || !sb_shopify_level_available(lv, &available))
        return sb_fail(SB_EIO, NULL,
                       "line %zu of Shopify's bulk stock result is an inventory level without "
                       "its location or its available quantity",
                       r->line_no);
    sb_err err = intern_loc(r, loc, &li);
    if (err)
        return err;
    struct held_item *it = find_item(r, parent);
    if (it)
        return attach(r, it, li, available, r->line_no);
    /* its item comes later (ungrouped output): joined at the end */
    const char *p = pool_dup(r, parent);
    if (!p || !grow((void **)&r->orphans, &r->cap_orphans, r->n_orphans + 1, sizeof(*r->orphans)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->orphans[r->n_orphans++] =
        (struct orphan){ .parent = p, .loc = li, .available = available, .line = r->line_no };
    return SB_OK;
}

static sb_err add_item(struct sb_shopify_bulk_reader *r, json_t *obj)
{
    const char *id = str_at(obj, "id", NULL);
    if (find_item(r, id))
        return sb_fail(SB_EIO, NULL,
                       "line %zu of Shopify's bulk stock result repeats inventory item %.100s",
                       r->line_no, id);
    if (r->n_items >= MAX_ITEMS)
        return sb_fail(SB_EIO, NULL, "Shopify's bulk stock result has more than %zu items",
                       MAX_ITEMS);
    if ((r->n_items + 1) * 2 > r->index_cap) {
        sb_err err = rehash(r);
        if (err)
            return err;
    }
    json_t *variant = json_object_get(obj, "variant");
    struct held_item it = {
        .sku = pool_dup(r, str_at(obj, "sku", NULL)),
        .first = NO_LEVEL,
        .last = NO_LEVEL,
    };
    sb_err err;
    if ((err = keep_id(r, id, T_ITEM, &it.id)) ||
        (err = keep_id(r, str_at(variant, "id", NULL), T_VARIANT, &it.variant)) ||
        (err = keep_id(r, str_at(json_object_get(variant, "product"), "id", NULL), T_PRODUCT,
                       &it.product)))
        return err;
    if ((str_at(obj, "sku", NULL) && !it.sku) ||
        !grow((void **)&r->items, &r->cap_items, r->n_items + 1, sizeof(*r->items)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    r->items[r->n_items] = it;
    r->index[slot_of(r, id, it.id & RAW_ID ? 0 : it.id)] = (uint32_t)++r->n_items;
    return SB_OK;
}

static sb_err parse_line(struct sb_shopify_bulk_reader *r, const char *s, size_t len)
{
    r->line_no++;
    if (len && s[len - 1] == '\r')
        len--;
    if (len == 0)
        return SB_OK;
    json_t *obj = json_loadb(s, len, 0, NULL);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return sb_fail(SB_EIO, NULL, "line %zu of Shopify's bulk stock result is not a JSON object",
                       r->line_no);
    }
    sb_err err;
    json_t *parent = json_object_get(obj, "__parentId");
    if (parent && (!json_is_string(parent) || !*json_string_value(parent)))
        err = sb_fail(SB_EIO, NULL,
                      "line %zu of Shopify's bulk stock result has a __parentId that is not an id",
                      r->line_no);
    else if (parent)
        err = add_level(r, obj, json_string_value(parent));
    else if (!json_is_string(json_object_get(obj, "id")))
        err = sb_fail(SB_EIO, NULL,
                      "line %zu of Shopify's bulk stock result is an inventory item without an id",
                      r->line_no);
    else
        err = add_item(r, obj);
    json_decref(obj);
    return err;
}

sb_err sb_shopify_bulk_reader_new(sb_err (*each)(void *ud, const struct sb_channel_stock *st),
                                  void *ud, struct sb_shopify_bulk_reader **ret)
{
    struct sb_shopify_bulk_reader *r = calloc(1, sizeof(*r));
    if (!r || !(r->pool = sb_arena_new())) {
        free(r);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    r->each = each;
    r->ud = ud;
    *ret = r;
    return SB_OK;
}

void sb_shopify_bulk_reader_free(struct sb_shopify_bulk_reader *r)
{
    if (!r)
        return;
    sb_arena_free(r->pool);
    free(r->line);
    free(r->items);
    free(r->index);
    free(r->levels);
    free(r->orphans);
    free(r->locs);
    free(r->raws);
    free(r);
}

/* A piece of the download: whole lines are parsed where they lie; a line split across
 * pieces is put together in r->line first (at most LINE_MAX_BYTES). */
sb_err sb_shopify_bulk_feed(struct sb_shopify_bulk_reader *r, const char *data, size_t len)
{
    while (len) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        sb_err err = SB_OK;
        if (r->len == 0 && nl) {
            err = parse_line(r, data, n);
        } else {
            if (n > LINE_MAX_BYTES - r->len)
                return sb_fail(SB_EIO, NULL,
                               "a line of Shopify's bulk stock result is longer than %zu bytes",
                               LINE_MAX_BYTES);
            if (r->len + n > r->cap) {
                size_t cap = r->cap ? r->cap : 4096;
                while (cap < r->len + n)
                    cap *= 2;
                char *b = realloc(r->line, cap);
                if (!b)
                    return sb_fail(SB_ENOMEM, NULL, NULL);
                r->line = b;
                r->cap = cap;
            }
            memcpy(r->line + r->len, data, n);
            r->len += n;
            if (nl) {
                err = parse_line(r, r->line, r->len);
                r->len = 0;
            }
        }
        if (err)
            return err;
        if (!nl)
            break;
        data = nl + 1;
        len -= n + 1;
    }
    return SB_OK;
}

sb_err sb_shopify_bulk_finish(struct sb_shopify_bulk_reader *r)
{
    sb_err err = SB_OK;
    if (r->len) { /* a last line without its newline */
        err = parse_line(r, r->line, r->len);
        r->len = 0;
    }
    for (size_t i = 0; !err && i < r->n_orphans; i++) {
        struct held_item *it = find_item(r, r->orphans[i].parent);
        if (!it)
            return sb_fail(SB_EIO, NULL,
                           "Shopify's bulk stock result has an inventory level of an item it "
                           "does not list (%.100s)",
                           r->orphans[i].parent);
        err = attach(r, it, r->orphans[i].loc, r->orphans[i].available, r->orphans[i].line);
    }
    size_t most = 1;
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].n > most)
            most = r->items[i].n;
    const char **loc = err ? NULL : malloc(most * sizeof(*loc));
    int64_t *avail = loc ? malloc(most * sizeof(*avail)) : NULL;
    const struct held_level **lv = avail ? malloc(most * sizeof(*lv)) : NULL;
    if (!err && !lv)
        err = sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; !err && i < r->n_items; i++) {
        const struct held_item *it = &r->items[i];
        size_t n = 0;
        for (uint32_t k = it->first; n < it->n && k != NO_LEVEL; k = r->levels[k].next) {
            /* in the order their lines came (those before their item were attached last) */
            size_t at = n++;
            while (at > 0 && lv[at - 1]->line > r->levels[k].line) {
                lv[at] = lv[at - 1];
                at--;
            }
            lv[at] = &r->levels[k];
        }
        for (size_t k = 0; k < n; k++) {
            loc[k] = r->locs[lv[k]->loc];
            avail[k] = lv[k]->available;
        }
        char ib[64], vb[64], pb[64];
        struct sb_channel_stock st = {
            .item = { .sku = it->sku,
                      .item_id = id_text(r, it->id, T_ITEM, ib, sizeof(ib)),
                      .variant_id = id_text(r, it->variant, T_VARIANT, vb, sizeof(vb)),
                      .product_id = id_text(r, it->product, T_PRODUCT, pb, sizeof(pb)),
                      .location_id = n == 1 ? loc[0] : NULL },
            .location_ids = loc,
            .available = avail,
            .n_levels = n,
        };
        err = r->each(r->ud, &st);
    }
    free(loc);
    free(avail);
    free(lv);
    return err;
}

static sb_err on_data(void *ud, const char *data, size_t len)
{
    return sb_shopify_bulk_feed(ud, data, len);
}

static sb_err download(const char *url, struct sb_shopify_bulk_reader *r)
{
    sb_err err = sb_http_get_stream(url, on_data, r, FILE_MAX_BYTES, 0);
    if (err == SB_EIO && strncmp(sb_err_last()->message, "the download", 12) == 0) {
        char why[sizeof(sb_err_last()->message)];
        memcpy(why, sb_err_last()->message, sizeof(why));
        err = sb_fail(SB_EIO, NULL, "Shopify's bulk stock result did not download whole: %s", why);
    }
    return err ? err : sb_shopify_bulk_finish(r);
}

sb_err sb_shopify_read_stock_all(const struct sb_channel *ch,
                                 sb_err (*each)(void *ud, const struct sb_channel_stock *st),
                                 void *ud)
{
    char *id = NULL, *url = NULL;
    sb_err err = start(ch, &id);
    if (!err)
        err = wait_done(ch, id, &url);
    if (!err && url) { /* COMPLETED without a url: the shop has no inventory items */
        struct sb_shopify_bulk_reader *r = NULL;
        err = sb_shopify_bulk_reader_new(each, ud, &r);
        if (!err)
            err = download(url, r);
        sb_shopify_bulk_reader_free(r);
    }
    free(id);
    free(url);
    return err;
}
