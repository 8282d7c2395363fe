/*
 * bench-stock: stock pushed to a Shopify shop (SPEC I3, I9), the real server,
 * pipeline and stock dispatcher over a SQLite file, against a fakestore child
 * process playing the shop. Two measurements:
 *
 *   1. Propagation. A steady load of in-store sales (POST /api/v1/sales, one
 *      unit of a random item among --items, default 200, at --rate sales/s,
 *      default 200) for --seconds; for every sale, the time from its 201
 *      until the shop shows the new figure for that item (or a lower one: a
 *      later sale of the same item may travel in the same call). The shop's
 *      side is read from its change feed (GET /_fake/inventory/changes, long
 *      polled: each change with the CLOCK_REALTIME time the shop saw it), so
 *      nothing here sleeps to wait for a result. The shop has a Plus budget:
 *      the cost budget is not what is measured. Ceilings, same run: the
 *      server's bare HTTP answer (GET /healthz, one connection, p50) and the
 *      shop's own round trip for one inventorySetQuantities call (p50).
 *
 *   2. Push throughput against a Standard plan (a 1,000-point bucket, 100
 *      points/s, 10 points an inventorySetQuantities of up to 250
 *      quantities). --big-items (default 20,000) items are looked up and
 *      synced once with an unlimited budget; then the shop is switched to the
 *      Standard plan and a writer changes every item's stock, then goes on
 *      changing them over and over (1,000 items a commit, 5 commits a second,
 *      twice what the plan lets through: the queue never runs dry)
 *      for --seconds. The figure is the quantities the shop took a second
 *      beside the most the plan allows over that time: (bucket + restore x
 *      seconds) / 10 calls of 250 quantities. The ceiling is the plan.
 *
 * Run with `make bench`; --seconds N (each measurement, default 5), --rate N,
 * --items N, --big-items N. Exit 0 with the figures, met or not; 1 on an error.
 */
#include "bench.h"
#include "http/server.h"
#include "store/channels.h"
#include "store/stock-queue.h"
#include "store/store.h"
#include "store/users.h"
#include "sync/channel-cache.h"
#include "sync/channel-edit.h"
#include "sync/pipeline.h"
#include "sync/reconcile.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/secretbox.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHOP_TOKEN    "shpat_bench"
#define START_STOCK   1000000
#define START_STOCK_S "1000000" /* the same, for SQL */
#define POSTERS       4 /* sale threads; each owns the items i with i % POSTERS == its index */
#define MAX_BODY      (8 * 1024 * 1024)
#define CHUNK         1000 /* items changed per commit in the throughput writer */
#define CHUNK_GAP_NS  200000000ull
#define CEIL_CALLS    200 /* inventorySetQuantities calls timed for the shop's round trip */
#define DRAIN_TIMEOUT 30  /* s: after the load, the last figures must reach the shop by then */

static struct bench B;
static int n_items = 200, n_big = 20000;
static double rate = 200;
static char token[SB_TOKEN_LEN];

/* ---------------------------------------------------------------- small helpers */

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench-stock: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The p-th percentile (0-100) of v[0..n) (sorted here). */
static int64_t percentile(int64_t *v, size_t n, int p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_i64);
    size_t i = n * (size_t)p / 100;
    return v[i < n ? i : n - 1];
}

/* ---------------------------------------------------------------- HTTP with libcurl */

/* One keep-alive client, for one thread. */
/* Makes one request; returns the status (0 when no answer). The body is in c->buf. */
static long request(struct bench_client *c, const char *url, const char *method, const char *bearer,
                    const char *extra_header, const char *body)
{
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    char auth[160];
    if (bearer) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
        hdr = curl_slist_append(hdr, auth);
    }
    if (extra_header)
        hdr = curl_slist_append(hdr, extra_header);
    c->len = 0;
    c->buf[0] = '\0';
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, bench_client_collect);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
    } else {
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
    }
    long status = 0;
    if (curl_easy_perform(c->h) == CURLE_OK)
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    return status;
}

/* A request that must answer `want` with a JSON body; the caller frees the answer. */
static json_t *request_json(struct bench_client *c, const char *base, const char *method,
                            const char *path, const char *bearer, const char *body, long want)
{
    char url[512];
    snprintf(url, sizeof(url), "%s%s", base, path);
    long status = request(c, url, method, bearer, NULL, body);
    if (status != want)
        die("%s %s answered %ld (wanted %ld): %.300s", method, path, status, want, c->buf);
    json_t *doc = json_loads(c->buf, 0, NULL);
    if (!doc)
        die("%s %s: the answer is not JSON: %.300s", method, path, c->buf);
    return doc;
}

/* ---------------------------------------------------------------- the fakestore */

struct fake {
    pid_t pid;
    char url[64];
    struct bench_client c; /* for the main thread */
};

/* The fakestore built beside this benchmark (../stockbridge-fakestore), or $SB_FAKESTORE. */
static void fake_path(char *out, size_t cap)
{
    const char *env = getenv("SB_FAKESTORE");
    if (env) {
        snprintf(out, cap, "%s", env);
        return;
    }
    char exe[400];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        die("cannot find this program's path");
    exe[n] = '\0';
    for (int k = 0; k < 2; k++) { /* .../build/bench/bench-stock -> .../build */
        char *slash = strrchr(exe, '/');
        if (!slash)
            die("cannot find the fakestore beside %s", exe);
        *slash = '\0';
    }
    snprintf(out, cap, "%s/stockbridge-fakestore", exe);
}

/* Starts a fakestore with the extra flags (NULL-terminated); reads its port from the first
 * line it prints. */
static void fake_start(struct fake *f, const char *const *flags)
{
    char bin[512];
    fake_path(bin, sizeof(bin));
    const char *argv[24] = { "stockbridge-fakestore", "--listen", "127.0.0.1:0", "--token",
                             SHOP_TOKEN };
    size_t n = 5;
    for (size_t i = 0; flags[i] && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
        argv[n++] = flags[i];
    argv[n] = NULL;
    int pipefd[2];
    if (pipe(pipefd) != 0)
        die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("STOCKBRIDGE_LOG_LEVEL", "error", 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t k = 0;
    while (k + 1 < sizeof(line)) {
        ssize_t got = read(pipefd[0], line + k, 1);
        if (got <= 0 || line[k] == '\n')
            break;
        k++;
    }
    line[k] = '\0';
    close(pipefd[0]);
    unsigned port = 0;
    if (sscanf(line, "fakestore listening on http://127.0.0.1:%u/", &port) != 1) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        die("the fakestore (%s) did not start; it said: \"%s\"", bin, line);
    }
    f->pid = pid;
    snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u", port);
    if (!bench_client_init(&f->c, MAX_BODY))
        die("out of memory");
}

static void fake_stop(struct fake *f)
{
    if (f->pid <= 0)
        return;
    kill(f->pid, SIGTERM);
    waitpid(f->pid, NULL, 0);
    f->pid = 0;
    bench_client_free(&f->c);
}

static json_t *fake_call(struct fake *f, const char *method, const char *path, const char *body,
                         long want)
{
    return request_json(&f->c, f->url, method, path, NULL, body, want);
}

struct counters {
    int64_t calls, quantities, throttled, arrived; /* arrived: SbInventorySet calls received */
    double budget, restore;
};

static struct counters fake_counters(struct fake *f)
{
    json_t *r = fake_call(f, "GET", "/_fake/requests", NULL, 200);
    json_t *bucket = json_object_get(r, "bucket");
    struct counters c = {
        .calls = json_integer_value(json_object_get(r, "inventory_set_calls")),
        .quantities = json_integer_value(json_object_get(r, "inventory_quantities_set")),
        .throttled = json_integer_value(json_object_get(r, "throttled")),
        .arrived = json_integer_value(
            json_object_get(json_object_get(r, "by_operation"), "SbInventorySet")),
        .budget = json_number_value(json_object_get(bucket, "maximumAvailable")),
        .restore = json_number_value(json_object_get(bucket, "restoreRate")),
    };
    json_decref(r);
    return c;
}

/* ---------------------------------------------------------------- the POS */

struct pos {
    struct sb_store *store;
    struct sb_pipeline *pipeline;
    struct sb_server *server;
    char url[64];
};

/* An outlet, a till, an employee, cash, n items <prefix>0000001... with START_STOCK each
 * (ledger and all), and an admin token. */
static void pos_start(struct pos *p, const char *file, const char *prefix, int n)
{
    char url[160];
    snprintf(url, sizeof(url), "sqlite:%s/%s", B.dir, file);
    if (sb_secretbox_init(url) || sb_store_open(url, 64, &p->store))
        bench_die(&B, "store");
    struct sb_db *db;
    if (sb_store_acquire(p->store, &db))
        bench_die(&B, "acquire");
    static const char *const sql[] = {
        "INSERT INTO outlets (id, name, currency, created_at, updated_at)"
        " VALUES (1, 'Bench', 'USD', 'x', 'x')",
        "INSERT INTO registers (id, outlet_id, name, created_at, updated_at)"
        " VALUES (1, 1, 'Till', 'x', 'x')",
        "INSERT INTO employees (id, name, created_at, updated_at) VALUES (1, 'E', 'x', 'x')",
        "INSERT INTO payment_types (id, name, name_norm, created_at, updated_at)"
        " VALUES (1, 'Cash', 'cash', 'x', 'x')",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)"
        " INSERT INTO items (id, sku, name, created_at, updated_at)"
        " SELECT x, printf('%s%07d', ?, x), 'Item', 'x', 'x' FROM c",
        "INSERT INTO stock (item_id, outlet_id, on_hand, updated_at)"
        " SELECT id, 1, " START_STOCK_S ", 'x' FROM items",
        "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta, reserved_delta,"
        " on_hand_after, reserved_after, created_at)"
        " SELECT id, 1, 'receipt', " START_STOCK_S ", 0, " START_STOCK_S ", 0, 'x'"
        " FROM items",
    };
    sb_err err = sb_db_begin(db);
    for (size_t i = 0; !err && i < sizeof(sql) / sizeof(sql[0]); i++)
        err = i == 4 ? sb_db_exec(db, sql[i], "is", (int64_t)n, prefix)
                     : sb_db_exec(db, sql[i], NULL);
    if (sb_db_end(db, err))
        bench_die(&B, "seed");
    struct sb_user u = { .username = { "bench", true }, .role = { "admin", true } };
    int64_t uid;
    if (sb_store_user_create(db, &u, &uid) || sb_store_token_create(db, uid, "bench", token))
        bench_die(&B, "token");
    sb_store_release(p->store, db);
    if (sb_pipeline_start(p->store, &p->pipeline))
        bench_die(&B, "pipeline");
    struct sb_server_config cfg = { .host = "127.0.0.1",
                                    .store = p->store,
                                    .pipeline = p->pipeline };
    if (sb_server_start(&cfg, &p->server))
        bench_die(&B, "server");
    snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%u", (unsigned)sb_server_port(p->server));
}

static void pos_stop(struct pos *p)
{
    sb_server_stop(p->server);
    sb_pipeline_stop(p->pipeline);
    sb_store_close(p->store);
}

/* A Shopify channel selling outlet 1's stock, on the fakestore: every item is queued. */
static void pos_channel(struct pos *p, struct bench_client *c, const struct fake *f)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"kind\":\"shopify\",\"name\":\"Bench shop\",\"credentials\":{\"shop_domain\":"
             "\"bench.myshopify.com\",\"access_token\":\"" SHOP_TOKEN "\",\"webhook_secret\":"
             "\"bench-secret\",\"base_url\":\"%s\"},\"outlets\":[1],\"default_outlet_id\":1}",
             f->url);
    json_decref(request_json(c, p->url, "POST", "/api/v1/channels", token, body, 201));
}

static void pos_settle(struct pos *p, const char *what)
{
    if (!sb_pipeline_wait_idle(p->pipeline, 600000))
        die("%s: the pipeline did not settle in 10 minutes", what);
}

/* ---------------------------------------------------------------- 1. propagation */

struct sale {
    int item;
    int64_t expected; /* the item's figure once this sale is shown */
    int64_t answered; /* CLOCK_REALTIME ns of the 201 */
};

struct change {
    int item;
    int64_t available, at_ns;
};

static struct {
    struct pos *pos;
    struct fake *fake;
    atomic_int load_over;
    int64_t *sold;   /* per item, written by its poster only */
    int64_t *lowest; /* per item, the lowest figure the shop showed (watcher) */
    struct change *changes;
    size_t n_changes, cap_changes;
    int64_t after; /* the feed's sequence the measurement starts after */
    bool drained;
} P;

struct poster {
    pthread_t th;
    int index;
    struct sale *sales;
    size_t n, cap;
};

static void *poster_main(void *arg)
{
    struct poster *ps = arg;
    struct bench_client c;
    if (!bench_client_init(&c, MAX_BODY))
        die("out of memory");
    char url[128], body[512];
    snprintf(url, sizeof(url), "%s/api/v1/sales", P.pos->url);
    uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(ps->index + 1);
    int mine = (n_items - ps->index + POSTERS - 1) / POSTERS;
    double gap_ns = 1e9 * POSTERS / rate;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t start = (uint64_t)t0.tv_sec * 1000000000u + (uint64_t)t0.tv_nsec;
    uint64_t end = start + (uint64_t)(B.seconds * 1e9);
    for (uint64_t k = 0;; k++) {
        /* an open-loop arrival schedule: the k-th sale is due at start + k gaps */
        uint64_t due = start + (uint64_t)((double)k * gap_ns);
        if (due >= end)
            break;
        struct timespec ts = { (time_t)(due / 1000000000u), (long)(due % 1000000000u) };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        int item = ps->index + POSTERS * (int)(rng % (uint64_t)mine) + 1; /* 1-based id */
        snprintf(body, sizeof(body),
                 "{\"outlet_id\":1,\"register_id\":1,\"employee_id\":1,"
                 "\"lines\":[{\"item_id\":%d,\"quantity\":1,\"unit_price\":1000}],"
                 "\"payments\":[{\"payment_type_id\":1,\"amount\":1000}]}",
                 item);
        long status = request(&c, url, "POST", token, NULL, body);
        int64_t answered = realtime_ns();
        if (status != 201)
            die("POST /api/v1/sales answered %ld: %.300s", status, c.buf);
        if (ps->n == ps->cap) {
            ps->cap = ps->cap ? 2 * ps->cap : 1024;
            ps->sales = realloc(ps->sales, ps->cap * sizeof(*ps->sales));
            if (!ps->sales)
                die("out of memory");
        }
        ps->sales[ps->n++] = (struct sale){ .item = item,
                                            .expected = START_STOCK - ++P.sold[item],
                                            .answered = answered };
    }
    bench_client_free(&c);
    return NULL;
}

/* The item of a SKU P0000123. */
static int sku_item(const char *sku)
{
    return sku && sku[0] == 'P' ? (int)strtol(sku + 1, NULL, 10) : 0;
}

/* Reads the shop's change feed until the load is over and every item shows its last figure. */
static void *watcher_main(void *arg)
{
    (void)arg;
    struct bench_client c;
    if (!bench_client_init(&c, MAX_BODY))
        die("out of memory");
    int64_t after = P.after;
    uint64_t deadline = 0;
    for (;;) {
        char path[128];
        snprintf(path, sizeof(path), "/_fake/inventory/changes?after=%lld&wait_ms=200&limit=10000",
                 (long long)after);
        json_t *r = request_json(&c, P.fake->url, "GET", path, NULL, NULL, 200);
        if (json_is_true(json_object_get(r, "missed")))
            die("the shop's change feed lost rows: read too slowly");
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(r, "changes"), i, row)
        {
            int item = sku_item(json_string_value(json_object_get(row, "sku")));
            if (item < 1 || item > n_items)
                continue;
            if (P.n_changes == P.cap_changes) {
                P.cap_changes = P.cap_changes ? 2 * P.cap_changes : 4096;
                P.changes = realloc(P.changes, P.cap_changes * sizeof(*P.changes));
                if (!P.changes)
                    die("out of memory");
            }
            struct change ch = { .item = item,
                                 .available = json_integer_value(json_object_get(row, "available")),
                                 .at_ns = json_integer_value(json_object_get(row, "at_ns")) };
            P.changes[P.n_changes++] = ch;
            if (ch.available < P.lowest[item])
                P.lowest[item] = ch.available;
            after = json_integer_value(json_object_get(row, "seq"));
        }
        json_decref(r);
        if (!atomic_load(&P.load_over))
            continue;
        if (!deadline)
            deadline = sb_clock_ns() + DRAIN_TIMEOUT * 1000000000ull;
        bool all = true;
        for (int k = 1; all && k <= n_items; k++)
            all = P.lowest[k] <= START_STOCK - P.sold[k];
        if (all || sb_clock_ns() > deadline) {
            P.drained = all;
            break;
        }
    }
    bench_client_free(&c);
    return NULL;
}

/* The shop's own round trip for one inventorySetQuantities (the item's figure unchanged). */
static double set_quantities_p50(struct fake *f)
{
    json_t *inv = fake_call(f, "GET", "/_fake/inventory?sku=P0000001", NULL, 200);
    json_t *lv = json_array_get(json_object_get(inv, "levels"), 0);
    char body[1024], url[128];
    snprintf(body, sizeof(body),
             "{\"operationName\":\"SbInventorySet\",\"query\":\"mutation SbInventorySet($input: "
             "InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { "
             "inventoryAdjustmentGroup { reason } userErrors { field message code } } }\","
             "\"variables\":{\"input\":{\"name\":\"available\",\"reason\":\"correction\","
             "\"ignoreCompareQuantity\":true,\"quantities\":[{\"inventoryItemId\":\"%s\","
             "\"locationId\":\"%s\",\"quantity\":%lld}]}}}",
             json_string_value(json_object_get(lv, "inventory_item_id")),
             json_string_value(json_object_get(lv, "location_id")),
             (long long)json_integer_value(json_object_get(lv, "available")));
    json_decref(inv);
    snprintf(url, sizeof(url), "%s/admin/api/2025-01/graphql.json", f->url);
    struct bench_client c;
    if (!bench_client_init(&c, MAX_BODY))
        die("out of memory");
    int64_t ns[CEIL_CALLS];
    for (int i = 0; i < CEIL_CALLS; i++) {
        uint64_t t0 = sb_clock_ns();
        long status = request(&c, url, "POST", NULL, "X-Shopify-Access-Token: " SHOP_TOKEN, body);
        ns[i] = (int64_t)(sb_clock_ns() - t0);
        if (status != 200 || !strstr(c.buf, "\"userErrors\":[]"))
            die("inventorySetQuantities on the fakestore answered %ld: %.300s", status, c.buf);
    }
    bench_client_free(&c);
    return (double)percentile(ns, CEIL_CALLS, 50) / 1e6;
}

static size_t next_healthz(void *ud, char *buf, size_t cap)
{
    (void)ud;
    return (size_t)snprintf(buf, cap, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

/* The server's bare answer time: GET /healthz on one keep-alive connection, for a second. */
static double healthz_p50(struct pos *p)
{
    static uint32_t samples[1 << 20];
    struct bench_load l = { .port = (uint16_t)sb_server_port(p->server),
                            .conns = 1,
                            .seconds = B.seconds < 1 ? B.seconds : 1,
                            .next = next_healthz,
                            .samples = samples,
                            .max_samples = sizeof(samples) / sizeof(samples[0]) };
    bench_run_load(&l);
    if (l.bad)
        die("GET /healthz: %llu unexpected answers", (unsigned long long)l.bad);
    return bench_percentile(&l, 50);
}

static void propagation(void)
{
    struct fake fake;
    struct pos pos;
    const char *const flags[] = { "--plan", "plus", NULL };
    fake_start(&fake, flags);
    pos_start(&pos, "propagation.db", "P", n_items);
    struct bench_client c;
    if (!bench_client_init(&c, MAX_BODY))
        die("out of memory");
    char bulk[128];
    snprintf(bulk, sizeof(bulk), "{\"count\":%d,\"prefix\":\"P\",\"available\":0}", n_items);
    json_decref(fake_call(&fake, "POST", "/_fake/products/bulk", bulk, 201));
    pos_channel(&pos, &c, &fake);
    pos_settle(&pos, "the first sync");
    for (int i = 1; i <= n_items; i++) { /* the first sync put every item on the shop */
        char path[64];
        if (i > 3 && i < n_items) /* the first and last few tell */
            continue;
        snprintf(path, sizeof(path), "/_fake/inventory?sku=P%07d", i);
        json_t *r = fake_call(&fake, "GET", path, NULL, 200);
        int64_t v = json_integer_value(
            json_object_get(json_array_get(json_object_get(r, "levels"), 0), "available"));
        json_decref(r);
        if (v != START_STOCK)
            die("after the first sync the shop shows %lld for P%07d, not %d", (long long)v, i,
                START_STOCK);
    }

    double http_p50 = healthz_p50(&pos);
    double set_p50 = set_quantities_p50(&fake);
    /* the feed starts from the figures as they are now */
    json_t *r = fake_call(&fake, "GET", "/_fake/inventory/changes", NULL, 200);
    P.after = json_integer_value(json_object_get(r, "last_seq"));
    json_decref(r);

    P.pos = &pos;
    P.fake = &fake;
    P.sold = calloc((size_t)n_items + 1, sizeof(*P.sold));
    P.lowest = malloc(((size_t)n_items + 1) * sizeof(*P.lowest));
    if (!P.sold || !P.lowest)
        die("out of memory");
    for (int i = 0; i <= n_items; i++)
        P.lowest[i] = START_STOCK;
    struct counters c0 = fake_counters(&fake);
    pthread_t watcher;
    pthread_create(&watcher, NULL, watcher_main, NULL);
    struct poster ps[POSTERS] = { 0 };
    uint64_t t0 = sb_clock_ns();
    for (int i = 0; i < POSTERS; i++) {
        ps[i].index = i;
        pthread_create(&ps[i].th, NULL, poster_main, &ps[i]);
    }
    size_t n_sales = 0;
    for (int i = 0; i < POSTERS; i++) {
        pthread_join(ps[i].th, NULL);
        n_sales += ps[i].n;
    }
    double load_s = (double)(sb_clock_ns() - t0) / 1e9;
    atomic_store(&P.load_over, 1);
    pthread_join(watcher, NULL);
    struct counters c1 = fake_counters(&fake);
    if (!P.drained)
        die("%d s after the load, some sales' figures had still not reached the shop",
            DRAIN_TIMEOUT);

    /* each sale against its item's changes, in order: the first figure at or below the sale's */
    size_t *first = calloc((size_t)n_items + 1, sizeof(*first));
    size_t *count = calloc((size_t)n_items + 1, sizeof(*count));
    struct change *by_item = malloc((P.n_changes + 1) * sizeof(*by_item));
    int64_t *lat = malloc((n_sales + 1) * sizeof(*lat));
    if (!first || !count || !by_item || !lat)
        die("out of memory");
    for (size_t i = 0; i < P.n_changes; i++)
        count[P.changes[i].item]++;
    for (int i = 1, at = 0; i <= n_items; i++) {
        first[i] = (size_t)at;
        at += (int)count[i];
        count[i] = 0;
    }
    for (size_t i = 0; i < P.n_changes; i++) {
        int it = P.changes[i].item;
        by_item[first[it] + count[it]++] = P.changes[i];
    }
    size_t n_lat = 0, early = 0;
    for (int i = 0; i < POSTERS; i++) {
        for (size_t k = 0; k < ps[i].n; k++) {
            const struct sale *s = &ps[i].sales[k];
            const struct change *ch = &by_item[first[s->item]];
            size_t m = 0;
            while (m < count[s->item] && ch[m].available > s->expected)
                m++;
            if (m == count[s->item])
                die("sale %zu of item %d never showed on the shop", k, s->item);
            int64_t d = ch[m].at_ns - s->answered;
            if (d < 0) { /* the shop had it before the 201 reached the client */
                early++;
                d = 0;
            }
            lat[n_lat++] = d;
        }
        free(ps[i].sales);
    }
    double p50 = (double)percentile(lat, n_lat, 50) / 1e6;
    double p99 = (double)percentile(lat, n_lat, 99) / 1e6;
    double pmax = n_lat ? (double)lat[n_lat - 1] / 1e6 : 0;
    int64_t calls = c1.calls - c0.calls, qty = c1.quantities - c0.quantities;

    printf("\n1. propagation: %d items, %.0f sales/s asked, %.1f s of load, Plus budget\n", n_items,
           rate, B.seconds);
    printf("  HTTP ceiling     GET /healthz, one connection       p50 %8.2f ms\n", http_p50);
    printf("  shop ceiling     one inventorySetQuantities call    p50 %8.2f ms\n", set_p50);
    printf("  sales            %zu in %.1f s (%.0f /s), every one timed\n", n_sales, load_s,
           (double)n_sales / load_s);
    printf("  pushes           %lld inventorySetQuantities calls, %lld quantities (%.1f a call), "
           "%lld throttled\n",
           (long long)calls, (long long)qty, calls ? (double)qty / (double)calls : 0,
           (long long)(c1.throttled - c0.throttled));
    printf("  propagation      201 -> shop shows the figure       p50 %8.2f ms  p99 %8.2f ms  "
           "max %.2f ms\n",
           p50, p99, pmax);
    if (early)
        printf("                   (%zu shown before their 201 reached the client: counted 0)\n",
               early);
    printf("  ratio p50 to the ceilings (healthz + one shop call)   %.1f\n",
           p50 / (http_p50 + set_p50));
    printf("  target p99 under 1000 ms: %s\n", p99 < 1000 ? "met" : "not met");
    free(first);
    free(count);
    free(by_item);
    free(lat);
    free(P.changes);
    free(P.sold);
    free(P.lowest);
    bench_client_free(&c);
    pos_stop(&pos);
    fake_stop(&fake);
}

/* ---------------------------------------------------------------- 2. throughput */

struct writer {
    pthread_t th;
    struct sb_store *store;
    atomic_int stop;
    int64_t commits, changes;
    int next; /* the first item of the next chunk */
};

/* The next CHUNK items' on hand up by one (every item the first time), with their ledger
 * entries, set by set as a bulk count would write them; then each item queued for the
 * channels as the store queues every stock change (store/stock-queue.h). */
static sb_err write_chunk(struct sb_db *db, void *ctx)
{
    struct writer *w = ctx;
    int64_t lo = w->next, hi = w->commits ? w->next + CHUNK - 1 : n_big;
    if (hi > n_big)
        hi = n_big;
    sb_err err = sb_db_exec(db,
                            "UPDATE stock SET on_hand = on_hand + 1 WHERE outlet_id = 1 AND"
                            " item_id BETWEEN ? AND ?",
                            "ii", lo, hi);
    if (!err)
        err = sb_db_exec(db,
                         "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta,"
                         " reserved_delta, on_hand_after, reserved_after, created_at)"
                         " SELECT item_id, 1, 'adjustment', 1, 0, on_hand, reserved, 'x'"
                         " FROM stock WHERE outlet_id = 1 AND item_id BETWEEN ? AND ?",
                         "ii", lo, hi);
    for (int64_t item = lo; !err && item <= hi; item++)
        err = sb_store_queue_stock_change(db, item, 1);
    return err;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    uint64_t due = sb_clock_ns();
    while (!atomic_load(&w->stop)) {
        if (sb_store_write(w->store, write_chunk, w))
            bench_die(&B, "the stock writer");
        w->changes += !w->commits                    ? n_big
                      : w->next + CHUNK - 1 <= n_big ? CHUNK
                                                     : n_big - w->next + 1;
        w->next = !w->commits || w->next + CHUNK > n_big ? 1 : w->next + CHUNK;
        w->commits++;
        due += CHUNK_GAP_NS; /* pacing the load, not waiting for a result */
        struct timespec ts = { (time_t)(due / 1000000000u), (long)(due % 1000000000u) };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
    }
    return NULL;
}

static void throughput(void)
{
    struct fake fake;
    struct pos pos;
    /* set up with an unlimited budget: the lookups (20 items a call) are not measured */
    const char *const flags[] = { "--budget", "100000000", "--restore", "100000000", NULL };
    fake_start(&fake, flags);
    pos_start(&pos, "throughput.db", "R", n_big);
    struct bench_client c;
    if (!bench_client_init(&c, MAX_BODY))
        die("out of memory");
    char bulk[128];
    snprintf(bulk, sizeof(bulk), "{\"count\":%d,\"prefix\":\"R\",\"available\":0}", n_big);
    json_decref(fake_call(&fake, "POST", "/_fake/products/bulk", bulk, 201));
    uint64_t s0 = sb_clock_ns();
    pos_channel(&pos, &c, &fake);
    pos_settle(&pos, "the first sync");
    double setup_s = (double)(sb_clock_ns() - s0) / 1e9;
    struct counters cs = fake_counters(&fake);
    if (cs.quantities < n_big)
        die("the first sync set %lld quantities, not %d", (long long)cs.quantities, n_big);

    /* the measurement: the plan's bucket starts full now */
    struct writer w = { .store = pos.store };
    json_decref(fake_call(&fake, "POST", "/_fake/config", "{\"plan\":\"standard\"}", 200));
    struct counters c0 = fake_counters(&fake);
    /* The window opens once every item is queued: until then the queue is empty and the full
     * bucket cannot grow, so the plan allows nothing more for that time. Calls the dispatcher
     * makes meanwhile take from the bucket and are counted. */
    uint64_t w0 = sb_clock_ns();
    w.next = 1;
    if (sb_store_write(w.store, write_chunk, &w))
        bench_die(&B, "the stock writer");
    w.changes = n_big;
    w.commits = 1;
    uint64_t t0 = sb_clock_ns();
    double sweep_s = (double)(t0 - w0) / 1e9;
    pthread_create(&w.th, NULL, writer_main, &w);
    struct timespec ts = { (time_t)B.seconds,
                           (long)((B.seconds - (double)(time_t)B.seconds) * 1e9) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { /* the measurement's length */
    }
    struct counters c1 = fake_counters(&fake);
    double elapsed = (double)(sb_clock_ns() - t0) / 1e9;
    atomic_store(&w.stop, 1);
    pthread_join(w.th, NULL);
    json_t *st =
        request_json(&c, pos.url, "GET", "/api/v1/channels/1/sync-status", token, NULL, 200);
    json_t *q = json_object_get(st, "queue");
    const char *last_error = json_string_value(json_object_get(st, "last_error"));

    int64_t calls = c1.calls - c0.calls, qty = c1.quantities - c0.quantities;
    int64_t arrived = c1.arrived - c0.arrived, throttled = c1.throttled - c0.throttled;
    double allowed_calls = (c0.budget + c0.restore * elapsed) / 10.0;
    double allowed_qty = allowed_calls * 250.0;
    double sustained_calls = c0.restore / 10.0;
    printf("\n2. push throughput: %d items, Standard plan (bucket %.0f, %.0f points/s, 10 a call "
           "of up to 250), %.1f s\n",
           n_big, c0.budget, c0.restore, elapsed);
    printf("  set-up           first sync of %d items (lookups + pushes, unlimited budget) "
           "%.1f s\n",
           n_big, setup_s);
    printf("  writer           every item changed in one commit (%.2f s, before the window), "
           "then %d every %.1f s\n",
           sweep_s, CHUNK, (double)CHUNK_GAP_NS / 1e9);
    printf("                   %lld stock changes in %lld commits; queue at the end: %lld "
           "queued, %lld pending, %lld parked\n",
           (long long)w.changes, (long long)w.commits,
           (long long)json_integer_value(json_object_get(q, "queued")),
           (long long)json_integer_value(json_object_get(q, "pending")),
           (long long)json_integer_value(json_object_get(q, "parked")));
    printf("  ceiling          the plan: %.0f calls = %.0f quantities in %.1f s "
           "(sustained %.0f calls/s, %.0f quantities/s)\n",
           allowed_calls, allowed_qty, elapsed, sustained_calls, sustained_calls * 250);
    printf("  stockbridge      %lld calls ran (%.1f /s), %lld quantities (%.0f /s, %.1f a call)\n",
           (long long)calls, (double)calls / elapsed, (long long)qty, (double)qty / elapsed,
           calls ? (double)qty / (double)calls : 0);
    printf("                   %lld SbInventorySet calls arrived, %lld answered THROTTLED\n",
           (long long)arrived, (long long)throttled);
    if (last_error)
        printf("                   last error: %s\n", last_error);
    printf("  ratio to the plan's limit  %.3f (calls %.3f)\n", qty / allowed_qty,
           (double)calls / allowed_calls);
    printf("  target above 0.95 of the plan: %s\n", qty / allowed_qty > 0.95 ? "met" : "not met");
    json_decref(st);
    bench_client_free(&c);
    pos_stop(&pos);
    fake_stop(&fake);
}

/* ---------------------------------------------------------------- 3. reconciliation */

static sb_err count_item(void *ud, const struct sb_channel_stock *st)
{
    (void)st;
    (*(int64_t *)ud)++;
    return SB_OK;
}

/* Peak resident memory since the last reset, in MB (VmHWM). */
static double peak_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtod(line + 6, NULL);
    if (f)
        fclose(f);
    return kb / 1024.0;
}

/* Resets the peak (Linux: 5 to clear_refs), so the figure is this section's. */
static void peak_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/*
 * n items in the POS and on the shop (5 each; every 10,000th differs on the shop), a
 * Shopify channel with stock sync on, then one reconciliation, timed: the shop read whole
 * (a bulk operation), every item compared, the differences queued. The ceiling: the same
 * bulk result downloaded with nothing done to it.
 */
static void reconciliation(int n)
{
    char url[160], file[64];
    snprintf(file, sizeof(file), "reconcile-%d.db", n);
    snprintf(url, sizeof(url), "sqlite:%s/%s", B.dir, file);
    struct sb_store *store;
    if (sb_secretbox_init(url) || sb_store_open(url, 8, &store))
        bench_die(&B, "store");
    struct sb_db *db;
    if (sb_store_acquire(store, &db))
        bench_die(&B, "acquire");
    static const char *const sql[] = {
        "INSERT INTO outlets (id, name, currency, created_at, updated_at)"
        " VALUES (1, 'Bench', 'USD', 'x', 'x')",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)"
        " INSERT INTO items (id, sku, name, created_at, updated_at)"
        " SELECT x, printf('R%07d', x), 'Item', 'x', 'x' FROM c",
        "INSERT INTO stock (item_id, outlet_id, on_hand, updated_at)"
        " SELECT id, 1, CASE WHEN id % 10000 = 0 THEN 6 ELSE 5 END, 'x' FROM items",
    };
    sb_err err = sb_db_begin(db);
    for (size_t i = 0; !err && i < sizeof(sql) / sizeof(sql[0]); i++)
        err = i == 1 ? sb_db_exec(db, sql[i], "i", (int64_t)n) : sb_db_exec(db, sql[i], NULL);
    if (sb_db_end(db, err))
        bench_die(&B, "seed");
    struct fake f = { 0 };
    const char *flags[] = { "--budget", "1000000", "--restore", "1000000", NULL };
    fake_start(&f, flags);
    char body[160];
    snprintf(body, sizeof(body), "{\"count\":%d,\"prefix\":\"R\",\"available\":5}", n);
    json_decref(fake_call(&f, "POST", "/_fake/products/bulk", body, 201));
    json_t *creds =
        json_pack("{s:s,s:s,s:s,s:s}", "shop_domain", "bench.myshopify.com", "access_token",
                  SHOP_TOKEN, "webhook_secret", "bench-secret", "base_url", f.url);
    int64_t outlets[] = { 1 }, id;
    struct sb_channel_input in = { .kind = "shopify",
                                   .name = "Bench shop",
                                   .name_set = true,
                                   .credentials = creds,
                                   .credentials_set = true,
                                   .outlet_ids = outlets,
                                   .n_outlets = 1,
                                   .outlets_set = true,
                                   .default_outlet_id = 1,
                                   .default_outlet_set = true };
    if (sb_sync_channel_create(db, &in, &id) ||
        sb_db_exec(db, "DELETE FROM sync_queue", NULL)) /* the first sync is not measured */
        bench_die(&B, "channel");
    json_decref(creds);
    sb_store_release(store, db);

    /* the ceiling: the bulk result alone, downloaded and dropped */
    struct sb_arena *a = sb_arena_new();
    struct sb_channel_rt *rt;
    if (sb_store_acquire(store, &db) || sb_channel_load(NULL, db, id, a, &rt))
        bench_die(&B, "channel load");
    sb_store_release(store, db);
    uint64_t t0 = sb_clock_ns();
    if (rt->ops->read_stock_all(&rt->ch, count_item, &(int64_t){ 0 }))
        bench_die(&B, "bulk read");
    double read_s = (double)(sb_clock_ns() - t0) / 1e9;
    sb_arena_free(a);

    peak_reset();
    double before = peak_mb();
    json_t *report = NULL;
    t0 = sb_clock_ns();
    if (sb_sync_reconcile(store, NULL, id, NULL, &report))
        bench_die(&B, "reconcile");
    double took = (double)(sb_clock_ns() - t0) / 1e9;
    double peak = peak_mb();
    int64_t corrected = json_integer_value(json_object_get(report, "corrected"));
    int64_t compared = json_integer_value(json_object_get(report, "compared"));
    json_decref(report);
    fake_stop(&f);
    sb_store_close(store);
    if (compared != n || corrected != n / 10000)
        die("reconciliation of %d items compared %lld and corrected %lld", n, (long long)compared,
            (long long)corrected);
    printf("  %7d items: %6.2f s (%lld differences found and queued), peak memory %.0f MB"
           " (%.0f MB before)\n",
           n, took, (long long)corrected, peak, before);
    printf("                 ceiling: the shop's bulk result read alone %6.2f s, ratio %.2f\n",
           read_s, read_s / took);
    if (n >= 1000000)
        printf("  target 1,000,000 items under 10 s and 500 MB: %s\n",
               took < 10 && peak < 500 ? "met" : "not met");
}

int main(int argc, char **argv)
{
    /* our own flags first; bench_begin reads --seconds and --clients and ignores the rest */
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rate") == 0)
            rate = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--items") == 0)
            n_items = (int)strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--big-items") == 0)
            n_big = (int)strtol(argv[i + 1], NULL, 10);
    }
    if (rate <= 0 || n_items < POSTERS || n_items > 1000000 || n_big < CHUNK || n_big > 1000000) {
        fprintf(stderr, "usage: bench-stock [--seconds N] [--rate SALES_PER_S] [--items N "
                        "(4-1000000)] [--big-items N (1000-1000000)]\n");
        return 2;
    }
    bench_begin(&B, "bench-stock", argc, argv);
    setenv("STOCKBRIDGE_POLL_SCHEDULE", "off", 1);
    setenv("STOCKBRIDGE_RECONCILE_MINUTES", "off", 1);
    signal(SIGPIPE, SIG_IGN);
    printf("bench-stock: stock to a Shopify shop (fakestore), durable commits (WAL, "
           "synchronous=FULL)\n");
    if (!getenv("BENCH_RECONCILE_ONLY")) {
        propagation();
        throughput();
    }
    printf("reconciliation: the shop read whole (bulk operation), compared, differences queued\n");
    reconciliation(100000);
    reconciliation(1000000);
    bench_end(&B);
    return 0;
}
