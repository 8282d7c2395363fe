/*
 * bench-export: the export-model webstore connection (issue 14 item 9), the
 * real server (and its sync pipeline) over a SQLite file on loopback.
 *
 * 1. Exported orders a second through POST /api/v1/connection/orders:
 *    batches of 20 balanced orders (two lines, a tax, shipping, a card
 *    payment; every order id distinct), --clients keep-alive connections
 *    (default 32) on one connection token, its rate limit off (as
 *    STOCKBRIDGE_CONNECTION_RATE=off does). Each order is its own durable
 *    sale. The ceiling, measured in the same run at the same concurrency, is
 *    the cheapest route the same token opens, GET /api/v1/connection: the
 *    HTTP, token and scope cost every export request pays, and nothing else
 *    (no body to parse, no write). The ratio is orders a second over that
 *    ceiling's requests a second: the share of a bare authenticated answer
 *    that a 20-order batch costs, per order.
 * 2. Change-feed latency: an item's stock changed through the POS API (POST
 *    /api/v1/stock/adjustments, 201), then GET /api/v1/connection/changes
 *    polled back to back (a bounded loop, no sleeps) until the item shows;
 *    p50/p99 over --changes N (default 500), from the 201 to the answer that
 *    holds the item. The ceiling: the round trip of the same GET when nothing
 *    changed, p50/p99 over the same N.
 *
 * Run with `make bench` (or build/bench/bench-export [--seconds N]
 * [--clients N] [--changes N]). Exit 0 with the figures; 1 on an error.
 */
#include "bench.h"
#include "http/server.h"
#include "store/sessions.h"
#include "store/store.h"
#include "store/users.h"
#include "sync/pipeline.h"
#include "util/secretbox.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BODY    (1024 * 1024)
#define BATCH       20
#define MAX_SAMPLES 4000000

static struct bench B;
static long n_changes = 500;
static char admin[SB_TOKEN_LEN];      /* a user's token: the POS API */
static char conn_token[SB_TOKEN_LEN]; /* the connection's token */
static char base[64];
static uint16_t port;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench-export: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---------------------------------------------------------------- one keep-alive client */

/* One request with a bearer token; the status (0: no answer), the body in c->buf. */
static long request(struct bench_client *c, const char *method, const char *path, const char *token,
                    const char *body)
{
    char url[1024], auth[128];
    snprintf(url, sizeof(url), "%s%s", base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    if (token)
        hdr = curl_slist_append(hdr, auth);
    c->len = 0;
    c->buf[0] = '\0';
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, bench_client_collect);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 60L);
    if (body) {
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
    } else {
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
    long status = 0;
    if (curl_easy_perform(c->h) == CURLE_OK)
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    return status;
}

static json_t *request_json(struct bench_client *c, const char *method, const char *path,
                            const char *token, const char *body, long want)
{
    long status = request(c, method, path, token, body);
    if (status != want)
        die("%s %s answered %ld (wanted %ld): %.300s", method, path, status, want, c->buf);
    json_t *doc = json_loads(c->buf, JSON_DECODE_ANY, NULL);
    if (!doc)
        die("%s %s: the answer is not JSON: %.300s", method, path, c->buf);
    return doc;
}

/* ---------------------------------------------------------------- the POS */

struct pos {
    struct sb_store *store;
    struct sb_pipeline *pipeline;
    struct sb_server *server;
};

/* Two outlets, a till, an employee, Card, two items complete under I8 with ample stock, an
 * admin with a password (to connect) and a token (the POS API). */
static void pos_start(struct pos *p)
{
    char url[160];
    snprintf(url, sizeof(url), "sqlite:%s/bench.db", B.dir);
    if (sb_secretbox_init(url) || sb_store_open(url, 64, &p->store))
        bench_die(&B, "store");
    struct sb_db *db;
    if (sb_store_acquire(p->store, &db))
        bench_die(&B, "acquire");
    static const char *const sql[] = {
        "INSERT INTO outlets (id, name, currency, created_at, updated_at)"
        " VALUES (1, 'Bench', 'USD', 'x', 'x'), (2, 'Two', 'USD', 'x', 'x')",
        "INSERT INTO registers (id, outlet_id, name, created_at, updated_at)"
        " VALUES (1, 1, 'Till', 'x', 'x')",
        "INSERT INTO employees (id, name, created_at, updated_at) VALUES (1, 'E', 'x', 'x')",
        "INSERT INTO payment_types (id, name, name_norm, integrated, created_at, updated_at)"
        " VALUES (1, 'Cash', 'cash', false, 'x', 'x'), (2, 'Card', 'card', true, 'x', 'x')",
        "INSERT INTO items (id, sku, upc, ean, manufacturer_sku, name, default_cost, msrp,"
        " track_stock, created_at, updated_at) VALUES"
        " (1, 'TEE', '012345678905', '4006381333931', 'MFR-TEE', 'T-shirt', 800, 2500, true,"
        " 'x', 'x'),"
        " (2, 'MUG', '036000291452', NULL, 'MFR-MUG', 'Mug', 400, 1500, true, 'x', 'x')",
        "INSERT INTO stock (item_id, outlet_id, on_hand, reserved, updated_at)"
        " SELECT id, 1, 100000000, 0, 'x' FROM items",
        "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta, reserved_delta,"
        " on_hand_after, reserved_after, created_at)"
        " SELECT id, 1, 'receipt', 100000000, 0, 100000000, 0, 'x' FROM items",
    };
    sb_err err = sb_db_begin(db);
    for (size_t i = 0; !err && i < sizeof(sql) / sizeof(sql[0]); i++)
        err = sb_db_exec(db, sql[i], NULL);
    if (sb_db_end(db, err))
        bench_die(&B, "seed");
    struct sb_user u = { .username = { "bench", true }, .role = { "admin", true } };
    int64_t uid;
    if (sb_store_user_create(db, &u, &uid) || sb_store_token_create(db, uid, "bench", admin) ||
        sb_store_user_set_password(db, uid, "bench-secret"))
        bench_die(&B, "user");
    sb_store_release(p->store, db);
    if (sb_pipeline_start(p->store, &p->pipeline))
        bench_die(&B, "pipeline");
    /* rate_off: as STOCKBRIDGE_CONNECTION_RATE=off, one connection at full pace */
    struct sb_server_config cfg = {
        .host = "127.0.0.1", .store = p->store, .pipeline = p->pipeline, .rate_off = true
    };
    if (sb_server_start(&cfg, &p->server))
        bench_die(&B, "server");
    port = sb_server_port(p->server);
    snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)port);
}

static void pos_stop(struct pos *p)
{
    sb_server_stop(p->server);
    sb_pipeline_stop(p->pipeline);
    sb_store_close(p->store);
}

/* The webstore connects as the admin and completes the connection (L1 -> outlet 1, L2 ->
 * outlet 2, employee 1, register 1). */
static void connect_webstore(struct bench_client *c)
{
    json_t *doc = request_json(c, "POST", "/api/v1/connection", NULL,
                               "{\"username\":\"bench\",\"password\":\"bench-secret\","
                               "\"webstore_id\":\"bench-site\"}",
                               201);
    const char *tok = json_string_value(json_object_get(doc, "token"));
    if (!tok || strlen(tok) >= sizeof(conn_token))
        die("POST /api/v1/connection: no token: %.300s", c->buf);
    snprintf(conn_token, sizeof(conn_token), "%s", tok);
    json_decref(doc);
    doc = request_json(c, "PATCH", "/api/v1/connection", conn_token,
                       "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":1},"
                       "{\"location_id\":\"L2\",\"outlet_id\":2}],\"employee_id\":1,"
                       "\"register_id\":1}",
                       200);
    if (!json_is_true(json_object_get(doc, "ready")))
        die("the connection is not ready: %.300s", c->buf);
    json_decref(doc);
}

/* ---------------------------------------------------------------- 1: exported orders */

struct gen {
    atomic_uint_fast64_t next_order;
    const char *path;
    const char *method;
    const char *token;
    bool orders;      /* a batch body */
    const char *body; /* or this one (NULL: none) */
};

/* An in-store sale of the same goods (2 TEE, 1 MUG), paid in cash. */
static const char *sale_body = "{\"outlet_id\":1,\"register_id\":1,\"employee_id\":1,"
                               "\"lines\":[{\"item_id\":1,\"quantity\":2,\"unit_price\":1900},"
                               "{\"item_id\":2,\"quantity\":1,\"unit_price\":1250}],"
                               "\"payments\":[{\"payment_type_id\":1,\"amount\":5050}]}";

/* A balanced order: 2 TEE at 2000 less 200, 1 MUG by its UPC at 1250 with 100 tax, shipping
 * 500: total 5050 by card (as tests/test-export-orders.c's ORDER). */
static size_t order(char *buf, size_t cap, uint64_t id)
{
    int n = snprintf(
        buf, cap,
        "{\"order_id\":\"b%llu\",\"number\":\"W-%llu\",\"created_at\":\"2026-03-01T10:00:00Z\","
        "\"currency\":\"USD\",\"email\":\"ann@example.com\",\"first_name\":\"Ann\","
        "\"last_name\":\"Lee\",\"lines\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":2,"
        "\"unit_price\":2000,\"discount\":200},{\"upc\":\"036000291452\",\"title\":\"Mug\","
        "\"quantity\":1,\"unit_price\":1250,\"taxes\":[{\"name\":\"VAT\",\"rate\":\"0.08\","
        "\"amount\":100}]}],\"shipping\":{\"title\":\"Ground\",\"price\":500},\"total\":5050,"
        "\"payments\":[{\"method\":\"Card\",\"amount\":5050,\"reference\":\"tx-%llu\"}]}",
        (unsigned long long)id, (unsigned long long)id, (unsigned long long)id);
    if (n < 0 || (size_t)n >= cap)
        die("an order does not fit the request buffer");
    return (size_t)n;
}

static size_t next_request(void *ud, char *buf, size_t cap)
{
    struct gen *g = ud;
    char body[BATCH * 800];
    size_t blen = 0;
    if (g->orders) {
        uint64_t first = atomic_fetch_add(&g->next_order, BATCH);
        body[blen++] = '{';
        memcpy(body + blen, "\"orders\":[", 10);
        blen += 10;
        for (int i = 0; i < BATCH; i++) {
            if (i)
                body[blen++] = ',';
            blen += order(body + blen, sizeof(body) - blen - 4, first + (uint64_t)i);
        }
        body[blen++] = ']';
        body[blen++] = '}';
    } else if (g->body) {
        blen = strlen(g->body);
        memcpy(body, g->body, blen);
    }
    int n = snprintf(buf, cap,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     g->method, g->path, g->token, blen);
    if (n < 0 || (size_t)n + blen >= cap)
        die("a request does not fit the load generator's buffer");
    memcpy(buf + n, body, blen);
    return (size_t)n + blen;
}

/* The load against one route for --seconds; every answer must be want. */
static void run(struct bench_load *l, struct gen *g, int want)
{
    *l = (struct bench_load){ .port = port,
                              .conns = B.clients,
                              .seconds = B.seconds,
                              .next = next_request,
                              .ud = g,
                              .samples = calloc(MAX_SAMPLES, sizeof(uint32_t)),
                              .max_samples = MAX_SAMPLES,
                              .want = want };
    if (!l->samples)
        die("out of memory");
    bench_run_load(l);
    if (l->bad)
        die("%s %s: %llu answers were not %d", g->method, g->path, (unsigned long long)l->bad,
            want);
}

/* ---------------------------------------------------------------- 2: change-feed latency */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, size_t n, int p)
{
    qsort(v, n, sizeof(*v), cmp_u64);
    size_t i = n * (size_t)p / 100;
    return (double)v[i < n ? i : n - 1] / 1000.0;
}

static bool holds_item(json_t *feed, int64_t item)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(feed, "items"), i, e)
    {
        if (json_integer_value(json_object_get(e, "id")) == item)
            return true;
    }
    return false;
}

/* GET the feed from *cursor; *cursor moves to the answer's next_cursor. */
static json_t *feed_get(struct bench_client *c, char *cursor, size_t cap)
{
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/connection/changes?since=%s", cursor);
    json_t *doc = request_json(c, "GET", path, conn_token, NULL, 200);
    const char *next = json_string_value(json_object_get(doc, "next_cursor"));
    if (!next || strlen(next) >= cap)
        die("GET %s: no next_cursor: %.300s", path, c->buf);
    snprintf(cursor, cap, "%s", next);
    return doc;
}

static void change_feed(struct bench_client *c, uint64_t *lat, uint64_t *idle, long *max_polls)
{
    char cursor[128];
    json_t *page = request_json(c, "GET", "/api/v1/connection/catalogue", conn_token, NULL, 200);
    const char *cc = json_string_value(json_object_get(page, "changes_cursor"));
    if (!cc || strlen(cc) >= sizeof(cursor))
        die("the catalogue has no changes_cursor: %.300s", c->buf);
    snprintf(cursor, sizeof(cursor), "%s", cc);
    json_decref(page);
    json_decref(feed_get(c, cursor, sizeof(cursor))); /* what the orders changed */
    *max_polls = 0;
    for (long i = 0; i < n_changes; i++) {
        /* the ceiling: the same GET when nothing changed */
        uint64_t t0 = now_us();
        json_t *doc = feed_get(c, cursor, sizeof(cursor));
        idle[i] = now_us() - t0;
        if (json_array_size(json_object_get(doc, "items")))
            die("the feed moved with nothing changed: %.300s", c->buf);
        json_decref(doc);

        int64_t item = 1 + i % 2;
        char body[128];
        snprintf(body, sizeof(body), "{\"item_id\":%lld,\"outlet_id\":1,\"delta\":%d}",
                 (long long)item, i % 4 < 2 ? 1 : -1);
        json_decref(request_json(c, "POST", "/api/v1/stock/adjustments", admin, body, 201));
        t0 = now_us();
        long polls = 0;
        for (bool seen = false; !seen; polls++) {
            if (polls == 10000)
                die("change %ld: item %lld not in the feed after 10,000 polls", i, (long long)item);
            doc = feed_get(c, cursor, sizeof(cursor));
            seen = holds_item(doc, item);
            json_decref(doc);
        }
        lat[i] = now_us() - t0;
        if (polls > *max_polls)
            *max_polls = polls;
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--changes") == 0)
            n_changes = strtol(argv[i + 1], NULL, 10);
    if (n_changes < 1 || n_changes > 1000000) {
        fprintf(stderr, "usage: bench-export [--seconds N] [--clients N] [--changes N]\n");
        return 2;
    }
    bench_begin(&B, "bench-export", argc, argv);
    setenv("STOCKBRIDGE_POLL_SCHEDULE", "off", 1);
    setenv("STOCKBRIDGE_RECONCILE_MINUTES", "off", 1);
    struct pos p;
    pos_start(&p);
    struct bench_client c;
    if (!bench_client_init(&c, MAX_BODY))
        die("out of memory");
    connect_webstore(&c);

    printf("bench-export: %d connections on one connection token (rate limit off), %.0f s per"
           " measurement, batches of %d orders, durable commits\n",
           B.clients, B.seconds, BATCH);
    struct bench_load ceil_l, ord_l, sale_l;
    struct gen ceil_g = { .path = "/api/v1/connection", .method = "GET", .token = conn_token };
    struct gen ord_g = {
        .path = "/api/v1/connection/orders", .method = "POST", .token = conn_token, .orders = true
    };
    struct gen sale_g = {
        .path = "/api/v1/sales", .method = "POST", .token = admin, .body = sale_body
    };
    atomic_init(&ord_g.next_order, 1);
    run(&ceil_l, &ceil_g, 200);
    run(&ord_l, &ord_g, 200);
    double ceiling = (double)ceil_l.ok / ceil_l.elapsed;
    double batches = (double)ord_l.ok / ord_l.elapsed;
    double orders = batches * BATCH;
    int64_t sales = -1;
    struct sb_db *db;
    if (sb_store_acquire(p.store, &db) ||
        sb_db_int(db, &sales, "SELECT COUNT(*) FROM sales WHERE status = 'completed'", NULL))
        bench_die(&B, "count");
    sb_store_release(p.store, db);
    if (sales != (int64_t)ord_l.ok * BATCH)
        die("%lld sales for %llu batches of %d", (long long)sales, (unsigned long long)ord_l.ok,
            BATCH);
    run(&sale_l, &sale_g, 201);
    double pos_sales = (double)sale_l.ok / sale_l.elapsed;

    printf(
        "  ceiling      GET /api/v1/connection       %10.0f req/s    p50 %6.2f ms  p99 %6.2f ms\n",
        ceiling, bench_percentile(&ceil_l, 50), bench_percentile(&ceil_l, 99));
    printf("  stockbridge  POST /api/v1/connection/orders %8.0f orders/s (%.0f batches/s)"
           "  p50 %6.2f ms  p99 %6.2f ms per batch\n",
           orders, batches, bench_percentile(&ord_l, 50), bench_percentile(&ord_l, 99));
    printf("  orders/s over the ceiling's req/s  %.3f (%lld sales written)\n", orders / ceiling,
           (long long)sales);
    printf("  beside it    POST /api/v1/sales (same goods) %7.0f sales/s   p50 %6.2f ms  p99 %6.2f"
           " ms\n",
           pos_sales, bench_percentile(&sale_l, 50), bench_percentile(&sale_l, 99));
    free(sale_l.samples);
    free(ceil_l.samples);
    free(ord_l.samples);

    uint64_t *lat = calloc((size_t)n_changes, sizeof(*lat));
    uint64_t *idle = calloc((size_t)n_changes, sizeof(*idle));
    if (!lat || !idle)
        die("out of memory");
    long max_polls = 0;
    change_feed(&c, lat, idle, &max_polls);
    printf("bench-export: change feed, %ld stock changes through POST /api/v1/stock/adjustments,"
           " one client\n",
           n_changes);
    printf("  ceiling      GET /changes, nothing changed  p50 %6.2f ms  p99 %6.2f ms\n",
           pct(idle, (size_t)n_changes, 50), pct(idle, (size_t)n_changes, 99));
    printf("  stockbridge  201 to the item in the feed    p50 %6.2f ms  p99 %6.2f ms"
           "  (at most %ld poll(s))\n",
           pct(lat, (size_t)n_changes, 50), pct(lat, (size_t)n_changes, 99), max_polls);
    free(lat);
    free(idle);
    bench_client_free(&c);
    pos_stop(&p);
    bench_end(&B);
    return 0;
}
