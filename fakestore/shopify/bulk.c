/*
 * Bulk operations, as Shopify runs them for a large catalogue: the engine
 * starts one query (SbBulkStock: bulkOperationRunQuery), polls its status
 * (SbBulkStatus: currentBulkOperation) and downloads the result, a JSONL
 * file, from the URL the status gives once it is COMPLETED.
 *
 * The engine's bulk query (every inventory item with its SKU, variant,
 * product and "available" level per location) is served from the shop's
 * arrays, streamed; one runs at a time: starting another while
 * one is CREATED or RUNNING is refused with OPERATION_IN_PROGRESS.
 *
 * The levels are copied when the operation starts (a few bytes a product),
 * so the file is what the shop held then, as on Shopify. The file itself is
 * never held: each download writes its lines a few hundred products at a
 * time as the listener sends them (a million products make ~300 MB of
 * JSONL). Items come in product order. From 2026-01 groupObjects defaults to
 * false (every version served is 2026-01 or later): every item line first,
 * then every level line, each naming its item in __parentId; with
 * groupObjects: true each item's level lines come right after it.
 *
 * Any other query (a merchant's tool's) is run through the engine when it
 * starts, unpaged, and its answer kept as the file (op_run_any).
 *
 * Faults (POST /_fake/faults {"bulk": ...}): the next N operations FAIL
 * (errorCode INTERNAL_SERVER_ERROR, no URL); the next N downloads are cut
 * half-way (after half the lines, in the middle of a line); and every
 * operation stays RUNNING delay_ms before it completes.
 */
#include "graphql.h"

#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BULK_QUERY_MAX  (64 * 1024) /* bytes of $query */
#define CHUNK_PRODUCTS  256         /* products written per block of a download */
#define DELAY_MAX_MS    600000
#define BULK_FAULTS_MAX 1000

/* The engine's bulk query (docs/fakestore.md). Compared after normalize(): a query that
 * differs only in white space or commas is the same query. */
static const char contract_query[] =
    "{ inventoryItems { edges { node { id sku variant { id product { id } } "
    "inventoryLevels { edges { node { location { id } quantities(names: [\"available\"]) { "
    "name quantity } } } } } } } }";

struct bulk_op {
    int64_t id;
    int refs; /* the shop's while it is the latest, and one per download in flight (s->mu) */
    uint64_t started_ns, ready_ns;
    bool failed;
    size_t n_products; /* the file covers s->products[0, n_products) */
    size_t n_locs;
    int64_t loc_ids[MAX_LOCATIONS];
    uint8_t *stocked; /* per product, as product.stocked then */
    int32_t *levels;  /* the levels of the stocked locations, product by product */
    int64_t objects;  /* the file's lines: items and levels */
    char *jsonl;      /* any other query's file, written when it starts (NULL: the stock read) */
    size_t jsonl_len;
    bool grouped; /* groupObjects: a parent's children right after it */
};

static void op_unref(struct bulk_op *op)
{
    if (op && --op->refs == 0) {
        free(op->stocked);
        free(op->levels);
        free(op->jsonl);
        free(op);
    }
}

void fs_bulk_free(struct fs_shop *s)
{
    op_unref(s->bulk);
    s->bulk = NULL;
}

/* ---------------------------------------------------------------- faults */

sb_err fs_bulk_faults_parse(json_t *v, struct bulk_fault *ret)
{
    static const char *const keys[] = { "fail", "cut_download", "delay_ms", NULL };
    struct sb_jctx c = { .obj = v, .prefix = "bulk" };
    int64_t fail = 0, cut = 0, delay = 0;
    sb_err err;
    if ((err = sb_json_only(&c, keys)) ||
        (err = sb_json_int(&c, "fail", false, 0, BULK_FAULTS_MAX, &fail, NULL)) ||
        (err = sb_json_int(&c, "cut_download", false, 0, BULK_FAULTS_MAX, &cut, NULL)) ||
        (err = sb_json_int(&c, "delay_ms", false, 0, DELAY_MAX_MS, &delay, NULL)))
        return err;
    *ret =
        (struct bulk_fault){ .fail = (int)fail, .cut_download = (int)cut, .delay_ms = (int)delay };
    return SB_OK;
}

json_t *fs_bulk_faults_json(const struct fs_shop *s)
{
    return json_pack("{s:i,s:i,s:i}", "fail", s->bfault.fail, "cut_download",
                     s->bfault.cut_download, "delay_ms", s->bfault.delay_ms);
}

/* ---------------------------------------------------------------- the query */

/* White space and commas dropped, except one space between two names. */
static char *normalize(const char *q)
{
    size_t n = strlen(q);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    bool gap = false;
    for (const char *p = q; *p; p++) {
        if (is_space(*p)) {
            gap = true;
            continue;
        }
        if (gap && o > out && is_ident(o[-1]) && is_ident(*p))
            *o++ = ' ';
        gap = false;
        *o++ = *p;
        if (*p == '"') { /* a string literal is copied as is */
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    *o++ = *p++;
                *o++ = *p;
            }
            if (!*p)
                break;
            *o++ = '"';
        }
    }
    *o = '\0';
    return out;
}

static bool is_contract_query(const char *q)
{
    char *a = normalize(q), *b = normalize(contract_query);
    bool same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

/* ---------------------------------------------------------------- SbBulkStock */

bool fs_bulk_prep_run(struct gql *g)
{
    g->requested = 10; /* a mutation */
    const char *q = NULL;
    return fs_gql_var_str(g, "query", "String!", true, BULK_QUERY_MAX, &q);
}

static bool running(const struct bulk_op *op, uint64_t now)
{
    return op && now < op->ready_ns;
}

/* The operation, its levels copied now. NULL: no memory. */
static struct bulk_op *op_start(struct fs_shop *s)
{
    struct bulk_op *op = calloc(1, sizeof(*op));
    size_t n = s->n_products, n_levels = 0;
    if (!op)
        return NULL;
    for (size_t i = 0; i < n; i++)
        n_levels += (size_t)__builtin_popcount(s->products[i].stocked);
    op->stocked = malloc(n ? n : 1);
    op->levels = malloc((n_levels ? n_levels : 1) * sizeof(*op->levels));
    if (!op->stocked || !op->levels) {
        free(op->stocked);
        free(op->levels);
        free(op);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct product *p = &s->products[i];
        op->stocked[i] = p->stocked;
        for (size_t l = 0; l < s->n_locations; l++)
            if (p->stocked & (1u << l))
                op->levels[k++] = p->available[l];
    }
    op->n_products = n;
    op->n_locs = s->n_locations;
    for (size_t l = 0; l < s->n_locations; l++)
        op->loc_ids[l] = s->locations[l].id;
    op->objects = (int64_t)(n + n_levels);
    op->id = ++s->next_bulk_id;
    op->refs = 1;
    op->started_ns = sb_clock_ns();
    op->ready_ns = op->started_ns + (uint64_t)s->bfault.delay_ms * 1000000u;
    if (s->bfault.fail > 0) {
        s->bfault.fail--;
        op->failed = true;
    }
    return op;
}

/* ---------------------------------------------------------------- any other query */

/* The JSONL file of a bulk query's answer: every node of a connection is a line; a node's
 * own connections are taken out of it and their nodes written as lines of their own that
 * name it in __parentId - right after it when grouped, else level by level (every parent
 * before any child), as Shopify writes them from 2026-01 unless groupObjects is true. */
struct flat {
    char *buf;
    size_t len, cap;
    int64_t lines;
    bool oom;
};

static bool grow(struct flat *f, size_t more)
{
    size_t cap = f->cap ? f->cap : 4096;
    while (cap < f->len + more)
        cap *= 2;
    char *b = realloc(f->buf, cap);
    if (!b)
        return false;
    f->buf = b;
    f->cap = cap;
    return true;
}

static void flat_line(struct flat *f, json_t *obj)
{
    char *t = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t n = t ? strlen(t) : 0;
    if (!t || (f->len + n + 1 > f->cap && !grow(f, n + 1))) {
        f->oom = true;
        free(t);
        return;
    }
    memcpy(f->buf + f->len, t, n);
    f->buf[f->len + n] = '\n';
    f->len += n + 1;
    f->lines++;
    free(t);
}

static json_t *connection_nodes(json_t *v)
{
    if (!json_is_object(v))
        return NULL;
    json_t *edges = json_object_get(v, "edges"), *nodes = json_object_get(v, "nodes"), *e;
    if (json_is_array(nodes))
        return json_incref(nodes);
    if (!json_is_array(edges))
        return NULL;
    json_t *out = json_array();
    size_t i;
    json_array_foreach(edges, i, e) json_array_append(out, json_object_get(e, "node"));
    return out;
}

/* Writes node's line; its children go into later (ungrouped) or are written now. */
static void flat_node(struct flat *f, json_t *node, json_t *parent_id, bool grouped, json_t *later)
{
    if (!json_is_object(node))
        return;
    json_t *line = json_object(), *children = json_array(), *v;
    const char *key;
    json_object_foreach(node, key, v)
    {
        json_t *kids = connection_nodes(v);
        if (kids)
            json_array_append_new(children, kids);
        else
            json_object_set(line, key, v);
    }
    if (parent_id)
        json_object_set(line, "__parentId", parent_id);
    flat_line(f, line);
    json_decref(line);
    json_t *id = json_object_get(node, "id"), *kids, *kid;
    size_t i, k;
    json_array_foreach(children, i, kids) json_array_foreach(kids, k, kid)
    {
        if (grouped)
            flat_node(f, kid, id, true, NULL);
        else
            json_array_append_new(later, json_pack("{s:O,s:O?}", "node", kid, "parent", id));
    }
    json_decref(children);
}

static void flatten(struct flat *f, json_t *data, bool grouped)
{
    json_t *level = json_array(), *v, *e;
    const char *key;
    json_object_foreach(data, key, v)
    {
        json_t *nodes = connection_nodes(v), *n;
        size_t i;
        json_array_foreach(nodes, i, n)
            json_array_append_new(level, json_pack("{s:O,s:n}", "node", n, "parent"));
        json_decref(nodes);
    }
    while (json_array_size(level) && !f->oom) {
        json_t *next = json_array();
        size_t i;
        json_array_foreach(level, i, e)
        {
            json_t *parent = json_object_get(e, "parent");
            flat_node(f, json_object_get(e, "node"), json_is_null(parent) ? NULL : parent, grouped,
                      next);
        }
        json_decref(level);
        level = next;
    }
    json_decref(level);
}

/* Runs any other bulk query through the engine now (the shop is small when it is not the
 * stock read) and keeps its file. NULL with a userError when it cannot run. */
static struct bulk_op *op_run_any(struct gql *g, const char *q, json_t *uerr)
{
    struct fs_shop *s = g->s;
    const struct sb_gql_schema *schema;
    if (fs_gql_schema_for(g->version, &schema)) {
        fs_gql_user_error(uerr, json_null(), "INTERNAL_SERVER_ERROR", "no schema for %s",
                          g->version);
        return NULL;
    }
    struct sb_arena *a = sb_arena_new();
    json_t *errors = json_array(), *data = NULL;
    struct sb_gql_request req;
    struct bulk_op *op = NULL;
    struct flat f = { .buf = NULL };
    if (!a || !errors)
        goto out;
    if (sb_gql_prepare(schema, q, strlen(q), NULL, NULL, NULL, a, errors, &req) ||
        req.op->kind != SB_GQL_QUERY) {
        const char *msg = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
        fs_gql_user_error(uerr, json_pack("[s]", "query"), "INVALID", "Invalid bulk query: %s",
                          msg ? msg : "a bulk operation runs a query");
        goto out;
    }
    struct gql sub = *g;
    struct sb_gql_resolver r;
    sub.bulk = true;
    sub.errors = errors;
    sub.warnings = json_array();
    sb_err err = sb_gql_execute(&req, fs_gql_resolver(&sub, &r), a, errors, &data);
    json_decref(sub.warnings);
    if (err || json_array_size(errors) || !json_is_object(data)) {
        const char *msg = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
        fs_gql_user_error(uerr, json_pack("[s]", "query"), "INVALID", "Invalid bulk query: %s",
                          msg ? msg : "it did not run");
        goto out;
    }
    bool grouped = json_is_true(fs_gql_var(g, "groupObjects"));
    flatten(&f, data, grouped);
    if (f.oom || !(op = calloc(1, sizeof(*op)))) {
        fs_gql_user_error(uerr, json_null(), "INTERNAL_SERVER_ERROR", "fakestore is out of memory");
        goto out;
    }
    op->jsonl = f.buf;
    op->jsonl_len = f.len;
    f.buf = NULL;
    op->grouped = grouped;
    op->objects = f.lines;
    op->id = ++s->next_bulk_id;
    op->refs = 1;
    op->started_ns = sb_clock_ns();
    op->ready_ns = op->started_ns + (uint64_t)s->bfault.delay_ms * 1000000u;
    if (s->bfault.fail > 0) {
        s->bfault.fail--;
        op->failed = true;
    }
out:
    free(f.buf);
    json_decref(data);
    json_decref(errors);
    sb_arena_free(a);
    return op;
}

json_t *fs_bulk_run_run(struct gql *g)
{
    struct fs_shop *s = g->s;
    const char *q = json_string_value(fs_gql_var(g, "query"));
    json_t *uerr = json_array(), *bop = json_null();
    if (running(s->bulk, sb_clock_ns())) {
        fs_gql_user_error(uerr, json_null(), "OPERATION_IN_PROGRESS",
                          "A bulk query operation for this app and shop is already in progress: "
                          "gid://shopify/BulkOperation/%lld.",
                          (long long)s->bulk->id);
    } else if (!is_contract_query(q)) {
        struct bulk_op *op = op_run_any(g, q, uerr);
        if (op) {
            op_unref(s->bulk);
            s->bulk = op;
            bop =
                json_pack("{s:o,s:s}", "id", fs_jgid("BulkOperation", op->id), "status", "CREATED");
        }
    } else {
        struct bulk_op *op = op_start(s);
        if (op)
            op->grouped = json_is_true(fs_gql_var(g, "groupObjects"));
        if (!op) {
            fs_gql_user_error(uerr, json_null(), "INTERNAL_SERVER_ERROR",
                              "fakestore is out of memory");
        } else {
            op_unref(s->bulk);
            s->bulk = op;
            bop =
                json_pack("{s:o,s:s}", "id", fs_jgid("BulkOperation", op->id), "status", "CREATED");
        }
    }
    return json_pack("{s:{s:o,s:o}}", "bulkOperationRunQuery", "bulkOperation", bop, "userErrors",
                     uerr);
}

/* ---------------------------------------------------------------- SbBulkStatus */

bool fs_bulk_prep_status(struct gql *g)
{
    g->requested = 1; /* one object */
    return true;
}

/* host:port as the client reached us, or the loopback default when it looks odd. */
static const char *safe_host(const char *h)
{
    if (!h || !*h || strlen(h) > 255)
        return "127.0.0.1";
    for (const char *p = h; *p; p++)
        if (!(is_ident(*p) || *p == '.' || *p == ':' || *p == '-' || *p == '[' || *p == ']'))
            return "127.0.0.1";
    return h;
}

json_t *fs_bulk_run_status(struct gql *g)
{
    struct fs_shop *s = g->s;
    const struct bulk_op *op = s->bulk;
    if (!op)
        return json_pack("{s:n}", "currentBulkOperation");
    uint64_t now = sb_clock_ns();
    bool run = running(op, now);
    const char *status = run ? "RUNNING" : op->failed ? "FAILED" : "COMPLETED";
    int64_t objects = op->objects;
    if (run) /* a running count: the share of the delay gone by */
        objects = (int64_t)((double)op->objects * (double)(now - op->started_ns) /
                            (double)(op->ready_ns - op->started_ns));
    else if (op->failed)
        objects /= 2;
    char count[24], url[320];
    snprintf(count, sizeof(count), "%lld", (long long)objects); /* UnsignedInt64: a string */
    snprintf(url, sizeof(url), "http://%s/_fake/bulk/%lld.jsonl", safe_host(g->host),
             (long long)op->id);
    bool has_url = !run && !op->failed && op->objects > 0; /* no results: url null */
    return json_pack(
        "{s:{s:s,s:o,s:s,s:s,s:o,s:s,s:o,s:n}}", "currentBulkOperation", "__typename",
        "BulkOperation", "id", fs_jgid("BulkOperation", op->id), "type", "QUERY", "status", status,
        "errorCode", !run && op->failed ? json_string("INTERNAL_SERVER_ERROR") : json_null(),
        "objectCount", count, "url", has_url ? json_string(url) : json_null(), "partialDataUrl");
}

json_t *fs_bulk_op_json(struct gql *g, int64_t id)
{
    if (!g->s->bulk || g->s->bulk->id != id)
        return json_null(); /* the shop keeps its latest operation only */
    json_t *wrap = fs_bulk_run_status(g);
    json_t *op = json_incref(json_object_get(wrap, "currentBulkOperation"));
    json_decref(wrap);
    return op;
}

/* ---------------------------------------------------------------- the download */

struct download {
    struct fs_shop *s;
    struct bulk_op *op;
    size_t next;     /* the next product to write */
    size_t level;    /* its first level in op->levels */
    int64_t lines;   /* lines written so far */
    int64_t cut_at;  /* the line cut in half, -1: none */
    bool cut;        /* cut: the connection closes once buf is sent */
    bool jsonl_done; /* a written file's lines are all in buf */
    bool levels;     /* ungrouped: the second pass, the level lines after every item line */
    char *buf;       /* the block being sent */
    size_t len, off, cap;
};

static bool reserve(struct download *d, size_t more)
{
    if (d->len + more <= d->cap)
        return true;
    size_t cap = d->cap ? d->cap : 64 * 1024;
    while (cap < d->len + more)
        cap *= 2;
    char *b = realloc(d->buf, cap);
    if (!b)
        return false;
    d->buf = b;
    d->cap = cap;
    return true;
}

static void put(struct download *d, const char *s, size_t n)
{
    memcpy(d->buf + d->len, s, n);
    d->len += n;
}

#define PUTS(d, lit) put(d, lit, sizeof(lit) - 1)

static void put_i64(struct download *d, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        d->buf[d->len++] = '-';
    while (n)
        d->buf[d->len++] = tmp[--n];
}

/* A JSON string's contents (quotes not included); room for 6 bytes a byte is reserved. */
static void put_escaped(struct download *d, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            d->buf[d->len++] = '\\';
            d->buf[d->len++] = (char)c;
        } else if (c < 0x20) {
            put(d, "\\u00", 4);
            d->buf[d->len++] = hex[c >> 4];
            d->buf[d->len++] = hex[c & 15];
        } else {
            d->buf[d->len++] = (char)c;
        }
    }
}

/* A line was just completed at [start, d->len): count it, and cut it in half when it is the
 * line the fault cuts. */
static void line_done(struct download *d, size_t start)
{
    if (d->lines++ == d->cut_at) {
        d->len = start + (d->len - start) / 2;
        d->cut = true;
    }
}

/* The whole of a file written when its query ran, line by line (the cut fault counts
 * lines). */
static bool refill_jsonl(struct download *d)
{
    const struct bulk_op *op = d->op;
    d->len = d->off = 0;
    if (!reserve(d, op->jsonl_len + 1))
        return false;
    const char *p = op->jsonl, *end = op->jsonl + op->jsonl_len;
    while (p < end && !d->cut) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        size_t start = d->len;
        put(d, p, n);
        line_done(d, start);
        p += n;
    }
    d->next = op->n_products; /* nothing more */
    d->jsonl_done = true;
    return true;
}

/* Writes the next products' lines into buf. Takes the lock: s->products may move. */
static bool refill(struct download *d)
{
    if (d->op->jsonl)
        return refill_jsonl(d);
    struct fs_shop *s = d->s;
    struct bulk_op *op = d->op;
    d->len = d->off = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t k = 0; k < CHUNK_PRODUCTS && d->next < op->n_products && !d->cut; k++) {
        const struct product *p = &s->products[d->next];
        size_t sku_len = p->sku ? strlen(p->sku) : 0;
        if (!reserve(d, 256 + 6 * sku_len + MAX_LOCATIONS * 192)) {
            pthread_mutex_unlock(&s->mu);
            return false;
        }
        size_t start = d->len;
        bool items = op->grouped || !d->levels, levels = op->grouped || d->levels;
        if (!items)
            goto levels;
        PUTS(d, "{\"id\":\"gid://shopify/InventoryItem/");
        put_i64(d, p->inventory_item_id);
        PUTS(d, "\",\"sku\":");
        if (p->sku) {
            PUTS(d, "\"");
            put_escaped(d, p->sku);
            PUTS(d, "\"");
        } else {
            PUTS(d, "null");
        }
        PUTS(d, ",\"variant\":{\"id\":\"gid://shopify/ProductVariant/");
        put_i64(d, p->variant_id);
        PUTS(d, "\",\"product\":{\"id\":\"gid://shopify/Product/");
        put_i64(d, p->product_id);
        PUTS(d, "\"}}}\n");
        line_done(d, start);
    levels:
        for (size_t l = 0; levels && l < op->n_locs && !d->cut; l++) {
            if (!(op->stocked[d->next] & (1u << l)))
                continue;
            start = d->len;
            PUTS(d, "{\"location\":{\"id\":\"gid://shopify/Location/");
            put_i64(d, op->loc_ids[l]);
            PUTS(d, "\"},\"quantities\":[{\"name\":\"available\",\"quantity\":");
            put_i64(d, op->levels[d->level++]);
            PUTS(d, "}],\"__parentId\":\"gid://shopify/InventoryItem/");
            put_i64(d, p->inventory_item_id);
            PUTS(d, "\"}\n");
            line_done(d, start);
        }
        d->next++;
        if (d->next == op->n_products && !op->grouped && !d->levels) {
            d->levels = true; /* every item written: now the levels, from the first product */
            d->next = d->level = 0;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return true;
}

static long download_read(void *ud, char *out, size_t max)
{
    struct download *d = ud;
    if (d->off == d->len) {
        if (d->cut || (d->op->jsonl ? d->jsonl_done : d->next >= d->op->n_products))
            return d->cut ? -1 : 0;
        if (!refill(d))
            return -1;
        if (d->len == 0)
            return d->cut ? -1 : 0;
    }
    size_t n = d->len - d->off < max ? d->len - d->off : max;
    memcpy(out, d->buf + d->off, n);
    d->off += n;
    return (long)n;
}

static void download_done(void *ud)
{
    struct download *d = ud;
    pthread_mutex_lock(&d->s->mu);
    op_unref(d->op);
    pthread_mutex_unlock(&d->s->mu);
    free(d->buf);
    free(d);
}

void fs_bulk_download(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp)
{
    const char *name = req->path + strlen("/_fake/bulk/");
    char *end;
    long long id = strtoll(name, &end, 10);
    if (strcmp(req->method, "GET") != 0) {
        fs_respond(resp, 405, json_pack("{s:s}", "errors", "Method Not Allowed"));
        return;
    }
    bool well_formed = name[0] >= '1' && name[0] <= '9' && strcmp(end, ".jsonl") == 0;
    struct download *d = well_formed ? calloc(1, sizeof(*d)) : NULL;
    pthread_mutex_lock(&s->mu);
    struct bulk_op *op = s->bulk;
    /* Only the latest operation's file is kept, once it is complete. */
    if (!d || !op || op->id != id || running(op, sb_clock_ns()) || op->failed || op->objects == 0) {
        pthread_mutex_unlock(&s->mu);
        free(d);
        fs_respond(resp, 404, json_pack("{s:s}", "errors", "Not Found"));
        return;
    }
    op->refs++;
    d->s = s;
    d->op = op;
    d->cut_at = -1;
    if (s->bfault.cut_download > 0) {
        s->bfault.cut_download--;
        d->cut_at = op->objects / 2;
    }
    pthread_mutex_unlock(&s->mu);
    resp->status = 200;
    resp->read = download_read;
    resp->done = download_done;
    resp->ud = d;
    resp->content_type = "application/jsonl";
}

/* ---------------------------------------------------------------- the fields */

static enum sb_gql_outcome field_run(struct gql *g, const struct sb_gql_field_call *call,
                                     json_t **ret, struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, fs_bulk_prep_run, fs_bulk_run_run, ret, ret_error);
}

static enum sb_gql_outcome field_status(struct gql *g, const struct sb_gql_field_call *call,
                                        json_t **ret, struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, fs_bulk_prep_status, fs_bulk_run_status, ret, ret_error);
}

const struct fs_gql_field fs_gql_bulk_fields[] = {
    { "Mutation", "bulkOperationRunQuery", field_run },
    { "QueryRoot", "currentBulkOperation", field_status },
    { NULL, NULL, NULL },
};
