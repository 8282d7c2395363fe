/*
 * bench-webhooks: signed Shopify orders/create webhooks posted over loopback
 * at full speed by a load generator, into the real server and pipeline over
 * a real SQLite file (WAL, synchronous=FULL). It reports:
 *   - webhooks acknowledged per second, and their latency (p50, p99): the
 *     200 is sent only once the event is durably recorded;
 *   - orders durably imported per second: from the first post until the
 *     pipeline has turned every event into a sale (3 lines, a payment, a
 *     shipment, a fulfillment, stock ledger entries, a notification);
 *   - the CPU time every thread of the process spent per order;
 *   - the statements the writer ran per order, and the time it spent in SQLite's calls
 *     for them (sb_db_stats: prepare, bind, step and reset; not BEGIN and COMMIT, which
 *     wait for the lock and the disk) - for the server's writer and for the storage path
 *     alone;
 * beside two ceilings measured in the same run: GET /healthz on the same
 * server with the same connections (HTTP), and the storage path alone: the
 * same orders recorded and applied in-process, 64 per durable commit, with
 * no HTTP, parsing or queueing (storage).
 * Run with `make bench`; --seconds N, --clients N (connections, default 32).
 */
#include "bench.h"
#include "http/server.h"
#include "store/channels.h"
#include "store/store.h"
#include "store/users.h"
#include "sync/order-apply.h"
#include "sync/channel-cache.h"
#include "sync/channel-edit.h"
#include "sync/pipeline.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/secretbox.h"
#include "util/timeutil.h"

#include <dirent.h>
#include <limits.h>
#include <openssl/evp.h>
#include <signal.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SECRET      "bench-webhook-secret"
#define MAX_SAMPLES (4 * 1024 * 1024)

static struct bench B;
static uint16_t port;

/* --nodes N: node 0 is this process's server; the others are `stockbridge serve` processes
 * on the same database (the binary beside this one's folder), their ports in node_ports. */
static int nnodes = 1;
static uint16_t node_ports[8];
static pid_t node_pids[8];

static void nodes_start(const char *url)
{
    char self[PATH_MAX], bin[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        bench_die(&B, "/proc/self/exe");
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(bin, sizeof(bin), "%s/../stockbridge", self);
    for (int i = 1; i < nnodes; i++) {
        int fds[2];
        if (pipe(fds))
            bench_die(&B, "pipe");
        pid_t pid = fork();
        if (pid < 0)
            bench_die(&B, "fork");
        if (pid == 0) {
            dup2(fds[1], STDOUT_FILENO);
            close(fds[0]);
            close(fds[1]);
            setenv("STOCKBRIDGE_LOG_LEVEL", "error", 1);
            execl(bin, "stockbridge", "serve", "--db", url, "--listen", "127.0.0.1:0",
                  (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        char line[256];
        size_t k = 0;
        while (k + 1 < sizeof(line) && read(fds[0], line + k, 1) == 1 && line[k] != '\n')
            k++;
        line[k] = '\0';
        close(fds[0]);
        unsigned p = 0;
        if (sscanf(line, "stockbridge is serving on http://127.0.0.1:%u/", &p) != 1)
            bench_die(&B, "a node did not start");
        node_pids[i] = pid;
        node_ports[i] = (uint16_t)p;
    }
}

static void nodes_stop(void)
{
    for (int i = 1; i < nnodes; i++) {
        if (node_pids[i] <= 0)
            continue;
        int st;
        kill(node_pids[i], SIGTERM);
        waitpid(node_pids[i], &st, 0);
        node_pids[i] = 0;
    }
}

/* CPU seconds of process pid (utime + stime from /proc/pid/stat), 0 when it is gone. */
static double proc_cpu_seconds(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command may hold spaces */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds of the other nodes; and, on PostgreSQL, of every process named postgres on
 * this machine (the database server's: run the benchmark with no other cluster busy) */
static double nodes_cpu_seconds(void)
{
    double s = 0;
    for (int i = 1; i < nnodes; i++)
        s += proc_cpu_seconds(node_pids[i]);
    return s;
}

static double postgres_cpu_seconds(void)
{
    if (!B.db || strncmp(B.db, "postgres", 8) != 0)
        return 0; /* on SQLite no database server works for the benchmark */
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    double s = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64], comm[64] = "";
        snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof(comm), f) && strncmp(comm, "postgres", 8) == 0)
            s += proc_cpu_seconds((pid_t)pid);
        fclose(f);
    }
    closedir(d);
    return s;
}
static atomic_llong next_order = 1;
static uint32_t *samples; /* latencies in microseconds */

static void seed(struct sb_store *store)
{
    struct sb_db *db;
    if (sb_store_acquire(store, &db))
        bench_die(&B, "acquire");
    static const char *const sql[] = {
        "INSERT INTO outlets (id, name, currency, created_at, updated_at)"
        " VALUES (1, 'Web', 'USD', 'x', 'x')",
        "INSERT INTO items (id, sku, name, created_at, updated_at) VALUES"
        " (1, 'A', 'A', 'x', 'x'), (2, 'B', 'B', 'x', 'x'), (3, 'C', 'C', 'x', 'x')",
        "INSERT INTO stock (item_id, outlet_id, on_hand, updated_at) VALUES"
        " (1, 1, 1000000000, 'x'), (2, 1, 1000000000, 'x'), (3, 1, 1000000000, 'x')",
        "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta, reserved_delta,"
        " on_hand_after, reserved_after, created_at) VALUES"
        " (1, 1, 'receipt', 1000000000, 0, 1000000000, 0, 'x'),"
        " (2, 1, 'receipt', 1000000000, 0, 1000000000, 0, 'x'),"
        " (3, 1, 'receipt', 1000000000, 0, 1000000000, 0, 'x')",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
        if (sb_db_exec(db, sql[i], NULL))
            bench_die(&B, "seed");
    json_t *creds = json_pack("{s:s,s:s,s:s}", "shop_domain", "bench.myshopify.com", "access_token",
                              "shpat_bench", "webhook_secret", SECRET);
    int64_t outlets[] = { 1 }, id;
    /* no shop to send stock to: this benchmark measures orders coming down */
    json_t *settings = json_pack("{s:b}", "stock_sync", 0);
    struct sb_channel_input in = { .kind = "shopify",
                                   .settings = settings,
                                   .name = "Bench shop",
                                   .name_set = true,
                                   .credentials = creds,
                                   .credentials_set = true,
                                   .outlet_ids = outlets,
                                   .n_outlets = 1,
                                   .outlets_set = true,
                                   .default_outlet_id = 1,
                                   .default_outlet_set = true };
    if (sb_sync_channel_create(db, &in, &id))
        bench_die(&B, "channel");
    json_decref(creds);
    json_decref(settings);
    sb_store_release(store, db);
}

static int order_body(char *buf, size_t cap, long long n)
{
    return snprintf(
        buf, cap,
        "{\"id\":%lld,\"name\":\"#%lld\",\"email\":\"buyer%lld@example.com\","
        "\"created_at\":\"2026-11-22T10:00:00Z\",\"updated_at\":\"2026-11-22T10:00:00Z\","
        "\"currency\":\"USD\",\"financial_status\":\"paid\",\"fulfillment_status\":null,"
        "\"gateway\":\"shopify_payments\",\"payment_gateway_names\":[\"shopify_payments\"],"
        "\"taxes_included\":false,\"subtotal_price\":\"50.00\",\"total_discounts\":\"0.00\","
        "\"total_tax\":\"4.00\",\"total_price\":\"59.00\",\"total_outstanding\":\"0.00\","
        "\"customer\":{\"first_name\":\"Buyer\",\"last_name\":\"%lld\"},"
        "\"shipping_address\":{\"name\":\"Buyer %lld\",\"address1\":\"1 Main St\","
        "\"city\":\"Portland\",\"zip\":\"04101\",\"country_code\":\"US\"},"
        "\"shipping_lines\":[{\"title\":\"Standard\",\"price\":\"5.00\",\"tax_lines\":[],"
        "\"discount_allocations\":[]}],"
        "\"line_items\":["
        "{\"id\":%lld1,\"sku\":\"A\",\"title\":\"A\",\"quantity\":1,\"price\":\"20.00\","
        "\"requires_shipping\":true,\"discount_allocations\":[],"
        "\"tax_lines\":[{\"title\":\"Tax\",\"rate\":0.08,\"price\":\"1.60\"}]},"
        "{\"id\":%lld2,\"sku\":\"B\",\"title\":\"B\",\"quantity\":2,\"price\":\"10.00\","
        "\"requires_shipping\":true,\"discount_allocations\":[],"
        "\"tax_lines\":[{\"title\":\"Tax\",\"rate\":0.08,\"price\":\"1.60\"}]},"
        "{\"id\":%lld3,\"sku\":\"C\",\"title\":\"C\",\"quantity\":1,\"price\":\"10.00\","
        "\"requires_shipping\":true,\"discount_allocations\":[],"
        "\"tax_lines\":[{\"title\":\"Tax\",\"rate\":0.08,\"price\":\"0.80\"}]}]}",
        n, n, n, n, n, n, n, n);
}

static size_t next_healthz(void *ud, char *buf, size_t cap)
{
    (void)ud;
    return (size_t)snprintf(buf, cap, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

/* A new order, signed as Shopify signs it. */
static size_t next_webhook(void *ud, char *buf, size_t cap)
{
    (void)ud;
    char body[4096], b64[64];
    long long n = atomic_fetch_add(&next_order, 1);
    int len = order_body(body, sizeof(body), n);
    unsigned char mac[32];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (unsigned char *)body, (size_t)len, mac,
         &maclen);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
    return (size_t)snprintf(buf, cap,
                            "POST /webhooks/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Type: application/json\r\n"
                            "X-Shopify-Topic: orders/create\r\n"
                            "X-Shopify-Hmac-Sha256: %s\r\n"
                            "X-Shopify-Event-Id: bench-%lld\r\n"
                            "Content-Length: %d\r\n\r\n%s",
                            b64, n, len, body);
}

/* Runs one load; exits when any answer was not 200. */
static void load(struct bench_load *l, bool webhooks)
{
    *l = (struct bench_load){ .port = port,
                              .nports = nnodes > 1 ? nnodes : 0,
                              .conns = B.clients,
                              .seconds = B.seconds,
                              .next = webhooks ? next_webhook : next_healthz,
                              .samples = samples,
                              .max_samples = MAX_SAMPLES };
    for (int i = 0; i < nnodes && nnodes > 1; i++)
        l->ports[i] = node_ports[i];
    bench_run_load(l);
    if (l->bad) {
        fprintf(stderr, "bench-webhooks: %llu unexpected answers\n", (unsigned long long)l->bad);
        exit(1);
    }
}

static double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The import ceiling: the same orders, parsed beforehand, each recorded and applied
 * (sb_sync_apply_order) in-process on one connection, BATCH_CEIL orders per durable
 * commit: what the storage path does per order, without HTTP, parsing or queueing.
 */
#define BATCH_CEIL 64
static struct sb_db_stats ceiling_stats; /* over the timed part */
static double ceiling_cpu;               /* seconds of this thread's CPU, the same */
static size_t ceiling_orders;

static double import_ceiling(const char *dir)
{
    char url[512];
    if (B.db)
        snprintf(url, sizeof(url), "%s", B.ceiling_db);
    else
        snprintf(url, sizeof(url), "sqlite:%s/ceiling.db", dir);
    struct sb_store *store;
    if (sb_store_open(url, 4, &store))
        bench_die(&B, "ceiling store");
    seed(store);
    struct sb_db *db;
    struct sb_arena *a = sb_arena_new();
    struct sb_channel_rt *rt;
    if (!a || sb_store_acquire(store, &db) || sb_channel_load(NULL, db, 1, a, &rt))
        bench_die(&B, "ceiling channel");
    size_t cap = 200000, n = 0;
    struct sb_order **orders = malloc(cap * sizeof(*orders));
    char body[4096], event[32], now[SB_TIME_LEN];
    uint64_t t0 = sb_clock_ns(), limit = (uint64_t)(B.seconds * 1e9), spent = 0;
    while (spent < limit && n + BATCH_CEIL <= cap) {
        for (size_t i = n; i < n + BATCH_CEIL; i++) { /* parsed outside the clock */
            int len = order_body(body, sizeof(body), 1000000000LL + (long long)i);
            if (rt->ops->parse_event(&rt->ch, "orders/create", body, (size_t)len, a, &orders[i]))
                bench_die(&B, "ceiling parse");
        }
        t0 = sb_clock_ns();
        double c0 = thread_cpu_seconds();
        struct sb_db_stats st0 = sb_db_stats(db);
        sb_err err = sb_db_begin(db);
        for (size_t i = n; !err && i < n + BATCH_CEIL; i++) {
            snprintf(event, sizeof(event), "ceiling-%zu", i);
            sb_time_format(sb_time_now(), now, sizeof(now));
            err = sb_db_exec(db,
                             "INSERT INTO channel_events (channel_id, event_id, topic, order_ref,"
                             " body, status, received_at, processed_at)"
                             " VALUES (1, ?, 'orders/create', ?, ?, 'done', ?, ?)",
                             "sssss", event, orders[i]->external_id, body, now, now);
            if (!err)
                err = sb_sync_apply_order(db, rt, orders[i], NULL);
        }
        if (sb_db_end(db, err))
            bench_die(&B, "ceiling import");
        spent += sb_clock_ns() - t0;
        ceiling_cpu += thread_cpu_seconds() - c0;
        struct sb_db_stats st1 = sb_db_stats(db);
        ceiling_stats.statements += st1.statements - st0.statements;
        ceiling_stats.backend_ns += st1.backend_ns - st0.backend_ns;
        n += BATCH_CEIL;
    }
    ceiling_orders = n;
    free(orders);
    sb_store_release(store, db);
    sb_arena_free(a);
    sb_store_close(store);
    return (double)n / ((double)spent / 1e9);
}

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    bench_begin(&B, "bench-webhooks", argc, argv);
    sb_db_stats_timing(true); /* two clock reads per SQLite call: about 1% of the CPU */
    setenv("STOCKBRIDGE_POLL_SCHEDULE", "off", 1);
    samples = malloc(MAX_SAMPLES * sizeof(*samples));
    if (!samples)
        return 1;
    const char *dir = B.dir;
    char url[512];
    if (B.db)
        snprintf(url, sizeof(url), "%s", B.db);
    else
        snprintf(url, sizeof(url), "sqlite:%s/bench.db", dir);
    struct sb_store *store;
    struct sb_pipeline *pipeline;
    if (sb_secretbox_init(url) || sb_store_open(url, 64, &store))
        bench_die(&B, "store");
    seed(store);
    if (sb_pipeline_start(store, &pipeline))
        bench_die(&B, "pipeline");
    struct sb_server_config cfg = { .host = "127.0.0.1", .store = store, .pipeline = pipeline };
    struct sb_server *server;
    if (sb_server_start(&cfg, &server))
        bench_die(&B, "server");
    port = sb_server_port(server);
    nnodes = B.nodes;
    node_ports[0] = port;
    nodes_start(url);

    printf("bench-webhooks: %d connections, %.0f s of load, durable commits (%s), %d node%s\n",
           B.clients, B.seconds, B.db ? B.db : "SQLite: WAL, synchronous=FULL", nnodes,
           nnodes > 1 ? "s (connections spread over them)" : "");
    struct bench_load http, hooks;
    load(&http, false);
    uint64_t t0 = sb_clock_ns();
    double cpu0 = cpu_seconds(), ncpu0 = nodes_cpu_seconds(), pgcpu0 = postgres_cpu_seconds();
    uint64_t wcpu0 = 0, wcpu1 = 0;
    struct sb_db_stats w0 = sb_store_writer_stats(store, &wcpu0);
    load(&hooks, true);
    if (!sb_pipeline_wait_idle(pipeline, 600000))
        bench_die(&B, "the pipeline did not settle");
    double import_s = (double)(sb_clock_ns() - t0) / 1e9;
    double cpu = cpu_seconds() - cpu0, ncpu = nodes_cpu_seconds() - ncpu0;
    double pgcpu = postgres_cpu_seconds() - pgcpu0;
    struct sb_db_stats w1 = sb_store_writer_stats(store, &wcpu1);
    struct sb_db *db;
    int64_t sales = 0;
    if (sb_store_acquire(store, &db) ||
        sb_db_int(db, &sales, "SELECT COUNT(*) FROM sales WHERE source = 'channel'", NULL))
        bench_die(&B, "count");
    sb_store_release(store, db);
    if ((uint64_t)sales != hooks.ok) {
        fprintf(stderr, "bench-webhooks: %llu webhooks acknowledged but %lld sales\n",
                (unsigned long long)hooks.ok, (long long)sales);
        return 1;
    }
    nodes_stop();
    sb_server_stop(server);
    sb_pipeline_stop(pipeline);
    sb_store_close(store);
    /* with --db and no --ceiling-db there is no second empty database: no ceiling */
    double storage = !B.db || B.ceiling_db ? import_ceiling(dir) : 0;

    double http_rate = (double)http.ok / http.elapsed;
    double p50 = bench_percentile(&hooks, 50), p99 = bench_percentile(&hooks, 99);
    printf("  HTTP ceiling     GET /healthz                    %10.0f req/s\n", http_rate);
    printf("  storage ceiling  the import alone, in-process,    %10.0f orders/s\n", storage);
    printf("                   %d orders per durable commit\n", BATCH_CEIL);
    printf("                   %.1f statements per order, %.0f us of storage calls per order"
           " (wall), %.0f us of CPU per order\n",
           (double)ceiling_stats.statements / (double)ceiling_orders,
           (double)ceiling_stats.backend_ns / 1e3 / (double)ceiling_orders,
           ceiling_cpu * 1e6 / (double)ceiling_orders);
    printf("  webhooks acknowledged (durably recorded)         %10.0f /s\n",
           (double)hooks.ok / hooks.elapsed);
    printf("  webhook latency  p50 %.2f ms  p99 %.2f ms\n", p50, p99);
    printf("  orders durably imported                          %10.0f orders/s "
           "(%lld orders in %.1f s)\n",
           (double)sales / import_s, (long long)sales, import_s);
    printf("  CPU per order    %.0f us (every thread: server, writer, load generator; "
           "2 cores = %.0f us of CPU per second)\n",
           cpu / (double)sales * 1e6, 2e6);
    if (nnodes > 1)
        printf("  other nodes      %.0f us of CPU per order (the %d serve processes)\n",
               ncpu / (double)sales * 1e6, nnodes - 1);
    if (pgcpu > 0)
        printf("  PostgreSQL       %.0f us of the server's CPU per order (every postgres"
               " process on this machine)\n",
               pgcpu / (double)sales * 1e6);
    if (nnodes == 1)
        printf("  writer           %.1f statements per order (BEGIN and COMMIT shared by a batch),"
               " %.0f us of storage calls per order (wall), %.0f us of the writer thread's CPU per"
               " order\n",
               (double)(w1.statements - w0.statements) / (double)sales,
               (double)(w1.backend_ns - w0.backend_ns) / 1e3 / (double)sales,
               (double)(wcpu1 - wcpu0) / 1e3 / (double)sales);
    printf("  ratio to HTTP ceiling    %.3f\n", (double)sales / import_s / http_rate);
    printf("  ratio to storage ceiling %.3f\n", (double)sales / import_s / storage);
    printf("  target 10000 orders/s: %s\n", (double)sales / import_s >= 10000 ? "met" : "not met");
    free(samples);
    bench_end(&B);
    return 0;
}
