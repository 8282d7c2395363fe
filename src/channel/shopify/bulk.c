/*
 * Reading a Shopify shop's whole stock with a bulk operation (SPEC I5): what
 * a reconciliation of a large catalogue needs. Paging inventoryItems 20 at a
 * time is 50,000 calls for a million items, hours of cost budget; a bulk
 * query is three kinds of call whatever the size:
 *
 *   SbBulkStock   bulkOperationRunQuery(query: <the document below>): starts the
 *                 operation (a mutation: cost 10)
 *   SbBulkStatus  currentBulkOperation(type: QUERY): its status, polled every 100 ms at
 *                 first, backing off to every second (cost 1 each), until COMPLETED,
 *                 FAILED or CANCELED, or until STOCKBRIDGE_BULK_TIMEOUT_SECONDS (default
 *                 600) have gone by
 *   the result    a JSONL file at the status's url (signed: no token), streamed: each
 *                 line is parsed as it arrives and nothing but the current item is held
 *
 * In the file every InventoryItem is a line of its own, and each of its levels (a node of
 * the nested inventoryLevels connection) a line carrying "__parentId", the item's id.
 * Shopify writes a parent's children right after the parent (API 2025-01: results are
 * grouped; later versions need groupObjects: true for that); this reader relies on it, so
 * that an item is complete when the next item's line starts or the file ends, and a level
 * whose parent is not the item just read is an error rather than something to hold on to.
 *
 * Any failure (the operation refused, failed or canceled, the download cut short, a line
 * that does not parse, a level of an unknown parent) is SB_EIO with why: the caller has
 * then seen part of the stock and must discard it. The URL is never put in a message.
 */
#include "channel/shopify/shopify.h"

#include "util/http-client.h"
#include "util/timeutil.h"

#include <errno.h>
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
static const char q_status[] = "query SbBulkStatus { currentBulkOperation(type: QUERY) { id "
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
        sb_err err = sb_shopify_gql(ch, a, "SbBulkStatus", q_status, NULL, &data);
        json_t *op = err ? NULL : json_object_get(data, "currentBulkOperation");
        const char *op_id = json_string_value(json_object_get(op, "id"));
        const char *status = json_string_value(json_object_get(op, "status"));
        const char *code = json_string_value(json_object_get(op, "errorCode"));
        json_t *url = json_object_get(op, "url");
        bool done = false;
        if (err) {
        } else if (!op_id || strcmp(op_id, id) != 0 || !status) {
            err = sb_fail(SB_EIO, NULL,
                          "Shopify's current bulk query is not the one stockbridge started: "
                          "another bulk query replaced it");
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

/* Parsing is most of the work (two lines an item). It stays on the caller's thread: spread
 * over worker threads, jansson's allocations contended in malloc and the read took twice
 * as long (measured with a million items). */
struct reader {
    sb_err (*each)(void *ud, const struct sb_channel_stock *st);
    void *ud;
    char *line; /* a line split across pieces of the download */
    size_t len, cap;
    size_t line_no;
    json_t *item;   /* the current item's line; NULL before the first */
    json_t **level; /* its level lines */
    const char **loc;
    int64_t *avail;
    size_t n, n_cap;
};

static void reader_clear(struct reader *r)
{
    json_decref(r->item);
    r->item = NULL;
    for (size_t i = 0; i < r->n; i++)
        json_decref(r->level[i]);
    r->n = 0;
}

static const char *str_at(json_t *obj, const char *k1, const char *k2)
{
    json_t *v = json_object_get(obj, k1);
    return json_string_value(k2 ? json_object_get(v, k2) : v);
}

/* The current item is complete: hand it over. */
static sb_err flush(struct reader *r)
{
    if (!r->item)
        return SB_OK;
    json_t *variant = json_object_get(r->item, "variant");
    struct sb_channel_stock st = {
        .item = { .sku = str_at(r->item, "sku", NULL),
                  .item_id = str_at(r->item, "id", NULL),
                  .variant_id = str_at(variant, "id", NULL),
                  .product_id = str_at(json_object_get(variant, "product"), "id", NULL),
                  .location_id = r->n == 1 ? r->loc[0] : NULL },
        .location_ids = r->loc,
        .available = r->avail,
        .n_levels = r->n,
    };
    sb_err err = r->each(r->ud, &st);
    reader_clear(r);
    return err;
}

static sb_err add_level(struct reader *r, json_t *lv)
{
    const char *loc = str_at(lv, "location", "id");
    int64_t available = 0;
    if (!loc || !sb_shopify_level_available(lv, &available))
        return sb_fail(SB_EIO, NULL,
                       "line %zu of Shopify's bulk stock result is an inventory level without "
                       "its location or its available quantity",
                       r->line_no);
    if (r->n == r->n_cap) {
        if (r->n_cap >= LEVELS_MAX)
            return sb_fail(SB_EIO, NULL,
                           "an inventory item in Shopify's bulk stock result has more than %d "
                           "levels",
                           LEVELS_MAX);
        size_t cap = r->n_cap ? r->n_cap * 2 : 8;
        json_t **level = realloc(r->level, cap * sizeof(*level));
        if (level)
            r->level = level;
        const char **l = level ? realloc(r->loc, cap * sizeof(*l)) : NULL;
        if (l)
            r->loc = l;
        int64_t *av = l ? realloc(r->avail, cap * sizeof(*av)) : NULL;
        if (!av)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        r->avail = av;
        r->n_cap = cap;
    }
    r->level[r->n] = json_incref(lv);
    r->loc[r->n] = loc;
    r->avail[r->n++] = available;
    return SB_OK;
}

static sb_err parse_line(struct reader *r, const char *s, size_t len)
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
    sb_err err = SB_OK;
    json_t *parent = json_object_get(obj, "__parentId");
    if (parent) {
        /* a level: its item is the one just read, or the file is not grouped as expected */
        const char *item_id = str_at(r->item, "id", NULL);
        if (!json_is_string(parent) || !item_id || strcmp(json_string_value(parent), item_id))
            err = sb_fail(SB_EIO, NULL,
                          "line %zu of Shopify's bulk stock result is an inventory level whose "
                          "item is unknown (not the item just before it)",
                          r->line_no);
        else
            err = add_level(r, obj);
        json_decref(obj);
        return err;
    }
    if (!json_is_string(json_object_get(obj, "id"))) {
        json_decref(obj);
        return sb_fail(SB_EIO, NULL,
                       "line %zu of Shopify's bulk stock result is an inventory item without an id",
                       r->line_no);
    }
    if ((err = flush(r))) {
        json_decref(obj);
        return err;
    }
    r->item = obj;
    return SB_OK;
}

/* A piece of the download: whole lines are parsed where they lie; a line split across
 * pieces is put together in r->line first (at most LINE_MAX_BYTES). */
static sb_err on_data(void *ud, const char *data, size_t len)
{
    struct reader *r = ud;
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

static sb_err download(const char *url, struct reader *r)
{
    sb_err err = sb_http_get_stream(url, on_data, r, FILE_MAX_BYTES, 0);
    if (err == SB_EIO && strncmp(sb_err_last()->message, "the download", 12) == 0) {
        char why[sizeof(sb_err_last()->message)];
        memcpy(why, sb_err_last()->message, sizeof(why));
        err = sb_fail(SB_EIO, NULL, "Shopify's bulk stock result did not download whole: %s", why);
    }
    if (!err && r->len) { /* a last line without its newline */
        err = parse_line(r, r->line, r->len);
        r->len = 0;
    }
    if (!err)
        err = flush(r);
    return err;
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
        struct reader r = { .each = each, .ud = ud };
        err = download(url, &r);
        reader_clear(&r);
        free(r.line);
        free(r.level);
        free(r.loc);
        free(r.avail);
    }
    free(id);
    free(url);
    return err;
}
