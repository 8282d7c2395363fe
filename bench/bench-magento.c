/*
 * bench-magento: a backlog of Magento 2 orders downloaded by polling (issue
 * 12), the real engine over a SQLite file against a fakestore child process
 * playing the Magento store (--kind magento2).
 *
 * --orders N (default 100,000) invoiced orders wait on the store, each of one
 * to three lines among 20 simple products. The figure is the time the
 * engine's poll (sb_sync_poll_channel, as the poller and POST
 * /api/v1/channels/{id}/poll run it: keyset pages of 100 through GET
 * /rest/V1/orders, each page parsed, judged by the download mode and applied
 * in one write) takes to bring every order down as a sale: orders a second,
 * and the requests it used (the store's own count). The ceiling, measured in
 * the same run: the fakestore's own answer rate for the same pages, read by
 * a bare client that only fetches them (no parsing, no writes). The ratio
 * says what share of the wire's pace the engine keeps; the rest is parsing
 * and the writes, which share the machine's cores with the fakestore.
 *
 * Run with `make bench` (or build/bench/bench-magento --orders N). Exit 0
 * with the figures, met or not; 1 on an error.
 */
#include "bench.h"
#include "http/server.h"
#include "store/store.h"
#include "store/users.h"
#include "sync/pipeline.h"
#include "util/secretbox.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN    "m2_bench_token"
#define N_SKUS   20
#define MAX_BODY (16 * 1024 * 1024)
#define PAGE     100

static struct bench B;
static long n_orders = 100000;
static char admin[SB_TOKEN_LEN];

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench-magento: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- one keep-alive client */

/* One request; the status (0: no answer), the body in c->buf. */
static long request(struct bench_client *c, const char *url, const char *method, const char *auth,
                    const char *body)
{
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    if (auth)
        hdr = curl_slist_append(hdr, auth);
    c->len = 0;
    c->buf[0] = '\0';
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, bench_client_collect);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 120L);
    if (body) {
        curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
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

static json_t *request_json(struct bench_client *c, const char *base, const char *method,
                            const char *path, const char *auth, const char *body, long want)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s%s", base, path);
    long status = request(c, url, method, auth, body);
    if (status != want)
        die("%s %s answered %ld (wanted %ld): %.300s", method, path, status, want, c->buf);
    json_t *doc = json_loads(c->buf, JSON_DECODE_ANY, NULL);
    if (!doc)
        die("%s %s: the answer is not JSON: %.300s", method, path, c->buf);
    return doc;
}

/* ---------------------------------------------------------------- the Magento store */

struct fake {
    pid_t pid;
    char url[64];
    struct bench_client c;
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
    for (int k = 0; k < 2; k++) { /* .../build/bench/bench-magento -> .../build */
        char *slash = strrchr(exe, '/');
        if (!slash)
            die("cannot find the fakestore beside %s", exe);
        *slash = '\0';
    }
    snprintf(out, cap, "%s/stockbridge-fakestore", exe);
}

static void fake_start(struct fake *f, const char *skus)
{
    char bin[512];
    fake_path(bin, sizeof(bin));
    const char *argv[] = { "stockbridge-fakestore",
                           "--kind",
                           "magento2",
                           "--listen",
                           "127.0.0.1:0",
                           "--token",
                           TOKEN,
                           "--sku",
                           skus,
                           NULL };
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

/* The store's own count of the /rest/ requests it answered; with show, by route. */
static int64_t fake_requests(struct fake *f, bool show)
{
    json_t *r = request_json(&f->c, f->url, "GET", "/_fake/magento2/calls", NULL, NULL, 200);
    int64_t n = json_integer_value(json_object_get(r, "requests"));
    size_t i;
    json_t *route;
    json_array_foreach(json_object_get(r, "routes"), i, route)
    {
        if (show)
            printf("    %-6s %-40s %lld\n", json_string_value(json_object_get(route, "method")),
                   json_string_value(json_object_get(route, "path")),
                   (long long)json_integer_value(json_object_get(route, "count")));
    }
    json_decref(r);
    return n;
}

/* N invoiced orders of one to three lines, placed through the control API; the seconds it
 * took. */
static double place_orders(struct fake *f)
{
    double t0 = now_s();
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    char body[1024];
    for (long i = 0; i < n_orders; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        int lines = 1 + (int)(rng % 3);
        int len = snprintf(body, sizeof(body),
                           "{\"customer_email\":\"buyer%ld@example.com\",\"customer_firstname\":"
                           "\"Buyer\",\"customer_lastname\":\"%ld\",\"invoiced\":true,"
                           "\"payment\":{\"method\":\"checkmo\"},\"items\":[",
                           i % 5000, i);
        for (int l = 0; l < lines; l++)
            len += snprintf(body + len, sizeof(body) - (size_t)len,
                            "%s{\"sku\":\"M2B%02d\",\"qty_ordered\":%d}", l ? "," : "",
                            (int)((rng >> (8 * l)) % N_SKUS), 1 + l);
        snprintf(body + len, sizeof(body) - (size_t)len, "]}");
        json_decref(request_json(&f->c, f->url, "POST", "/_fake/magento2/orders", NULL, body, 201));
    }
    return now_s() - t0;
}

/*
 * The ceiling: every order read through the same route, keyset pages of PAGE as the
 * adapter asks for them (sorted by updated_at then entity_id, currentPage 1), by a client
 * that only fetches. Orders a second.
 */
static double fake_answer_rate(struct fake *f, int64_t *ret_pages)
{
    double t0 = now_s();
    long seen = 0, last_id = 0;
    int64_t pages = 0;
    char path[1024];
    for (;;) {
        snprintf(path, sizeof(path),
                 "/rest/V1/orders?searchCriteria[filter_groups][0][filters][0][field]=entity_id"
                 "&searchCriteria[filter_groups][0][filters][0][value]=%ld"
                 "&searchCriteria[filter_groups][0][filters][0][condition_type]=gt"
                 "&searchCriteria[sortOrders][0][field]=entity_id"
                 "&searchCriteria[sortOrders][0][direction]=ASC"
                 "&searchCriteria[pageSize]=%d&searchCriteria[currentPage]=1",
                 last_id, PAGE);
        json_t *r =
            request_json(&f->c, f->url, "GET", path, "Authorization: Bearer " TOKEN, NULL, 200);
        json_t *items = json_object_get(r, "items");
        size_t n = json_array_size(items);
        if (n)
            last_id = (long)json_integer_value(
                json_object_get(json_array_get(items, n - 1), "entity_id"));
        seen += (long)n;
        pages++;
        json_decref(r);
        if (n < PAGE)
            break;
    }
    if (seen != n_orders)
        die("the bare client read %ld orders, not %ld", seen, n_orders);
    *ret_pages = pages;
    return (double)seen / (now_s() - t0);
}

/* ---------------------------------------------------------------- the POS */

struct pos {
    struct sb_store *store;
    struct sb_pipeline *pipeline;
    struct sb_server *server;
    char url[64];
};

/* An outlet, a till, an employee, the store's 20 products as items with stock, a token. */
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
        " VALUES (1, 'Bench', 'USD', 'x', 'x')",
        "INSERT INTO registers (id, outlet_id, name, created_at, updated_at)"
        " VALUES (1, 1, 'Till', 'x', 'x')",
        "INSERT INTO employees (id, name, created_at, updated_at) VALUES (1, 'E', 'x', 'x')",
        "WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < 19)"
        " INSERT INTO items (id, sku, name, created_at, updated_at)"
        " SELECT x + 1, printf('M2B%02d', x), 'Item', 'x', 'x' FROM c",
        "INSERT INTO stock (item_id, outlet_id, on_hand, updated_at)"
        " SELECT id, 1, 100000000, 'x' FROM items",
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
    if (sb_store_user_create(db, &u, &uid) || sb_store_token_create(db, uid, "bench", admin))
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

static int64_t pos_count(struct pos *p, const char *sql)
{
    struct sb_db *db;
    int64_t n = -1;
    if (sb_store_acquire(p->store, &db))
        bench_die(&B, "acquire");
    if (sb_db_int(db, &n, sql, NULL))
        bench_die(&B, "count");
    sb_store_release(p->store, db);
    return n;
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--orders") == 0)
            n_orders = strtol(argv[i + 1], NULL, 10);
    if (n_orders < PAGE || n_orders > 10000000) {
        fprintf(stderr, "usage: bench-magento [--orders N (100-10000000)]\n");
        return 2;
    }
    bench_begin(&B, "bench-magento", argc, argv);
    setenv("STOCKBRIDGE_POLL_SCHEDULE", "off", 1);
    setenv("STOCKBRIDGE_RECONCILE_MINUTES", "off", 1);
    setenv("STOCKBRIDGE_SYNC_PERIOD", "off", 1);
    signal(SIGPIPE, SIG_IGN);

    char skus[N_SKUS * 8];
    size_t len = 0;
    for (int i = 0; i < N_SKUS; i++)
        len += (size_t)snprintf(skus + len, sizeof(skus) - len, "%sM2B%02d", i ? "," : "", i);
    struct fake f = { 0 };
    fake_start(&f, skus);
    printf("bench-magento: %ld waiting Magento orders downloaded by polling (fakestore --kind "
           "magento2), durable commits (WAL, synchronous=FULL)\n",
           n_orders);
    double placing = place_orders(&f);
    printf("  placed                   %ld invoiced orders in %.1f s (control API)\n", n_orders,
           placing);
    int64_t bare_pages = 0;
    double ceiling = fake_answer_rate(&f, &bare_pages);

    struct pos p;
    pos_start(&p);
    struct bench_client c;
    if (!bench_client_init(&c, MAX_BODY))
        die("out of memory");
    char body[512];
    snprintf(body, sizeof(body),
             "{\"kind\":\"magento2\",\"name\":\"Bench Magento\",\"credentials\":{\"base_url\":"
             "\"%s\",\"access_token\":\"" TOKEN "\"},\"outlets\":[1],\"default_outlet_id\":1,"
             "\"register_id\":1,\"employee_id\":1,\"locations\":[{\"location_id\":\"default\","
             "\"outlet_id\":1}],\"settings\":{\"stock_sync\":false,\"download_mode\":"
             "\"wait_for_invoice\"}}",
             f.url);
    char auth[128];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin);
    json_t *ch = request_json(&c, p.url, "POST", "/api/v1/channels", auth, body, 201);
    int64_t channel = json_integer_value(json_object_get(ch, "id"));
    json_decref(ch);
    if (!sb_pipeline_wait_idle(p.pipeline, 600000)) /* the connect call settles first */
        die("the pipeline did not settle");

    int64_t before = fake_requests(&f, false);
    double t0 = now_s();
    json_t *report = NULL;
    if (sb_sync_poll_channel(p.store, sb_pipeline_channels(p.pipeline), channel, &report))
        bench_die(&B, "poll");
    double took = now_s() - t0;
    int64_t used = fake_requests(&f, getenv("BENCH_ROUTES") != NULL) - before -
                   1; /* less this count's own request */
    int64_t sales = pos_count(&p, "SELECT COUNT(*) FROM sales WHERE source = 'channel'");
    int64_t down = pos_count(&p, "SELECT COUNT(*) FROM channel_orders WHERE state = 'downloaded'");
    if (sales != n_orders || down != n_orders)
        die("%lld sales and %lld orders downloaded, not %ld", (long long)sales, (long long)down,
            n_orders);
    double rate = (double)n_orders / took;
    printf("  engine                   %10.0f orders/s  (%ld orders as sales in %.1f s, %lld "
           "requests, %.0f orders a request)\n",
           rate, n_orders, took, (long long)used, (double)n_orders / (double)used);
    printf("  ceiling: the fakestore   %10.0f orders/s  (the same pages read bare: %lld "
           "requests)\n",
           ceiling, (long long)bare_pages);
    printf("  ratio to the ceiling     %.3f\n", rate / ceiling);
    json_decref(report);
    bench_client_free(&c);
    pos_stop(&p);
    fake_stop(&f);
    bench_end(&B);
    return 0;
}
