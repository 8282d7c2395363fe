/*
 * bench-webhooks: signed Shopify orders/create webhooks posted over loopback
 * at full speed by a load generator, into the real server and pipeline over
 * a real SQLite file (WAL, synchronous=FULL). It reports:
 *   - webhooks acknowledged per second, and their latency (p50, p99): the
 *     200 is sent only once the event is durably recorded;
 *   - orders durably imported per second: from the first post until the
 *     pipeline has turned every event into a sale (3 lines, a payment, a
 *     shipment, a fulfillment, stock ledger entries, a notification);
 * beside two ceilings measured in the same run: GET /healthz on the same
 * server with the same clients (HTTP), and the rows of one import written
 * with raw SQLite calls, one durable transaction per order (storage).
 * Run with `make bench`; --seconds N, --clients N.
 */
#include "bench.h"
#include "http/server.h"
#include "store/channels.h"
#include "store/store.h"
#include "store/users.h"
#include "sync/pipeline.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/secretbox.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET      "bench-webhook-secret"
#define MAX_SAMPLES (4 * 1024 * 1024)

static struct bench B;
static uint16_t port;
static atomic_int stop_flag;
static atomic_llong next_order = 1;
static uint32_t *samples; /* latencies in microseconds */
static atomic_llong nsamples;

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
    if (sb_store_channel_create(db, &in, &id))
        bench_die(&B, "channel");
    json_decref(creds);
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

struct client {
    pthread_t th;
    bool webhooks;
    uint64_t ok, bad;
};

static void *client_main(void *arg)
{
    struct client *c = arg;
    CURL *h = curl_easy_init();
    char url[128], body[4096], sig[128], event[96], b64[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port,
             c->webhooks ? "/webhooks/1" : "/healthz");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bench_discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    while (!atomic_load(&stop_flag)) {
        struct curl_slist *hdr = NULL;
        if (c->webhooks) {
            long long n = atomic_fetch_add(&next_order, 1);
            int len = order_body(body, sizeof(body), n);
            unsigned char mac[32];
            unsigned int maclen = 0;
            HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (unsigned char *)body, (size_t)len, mac,
                 &maclen);
            EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
            snprintf(sig, sizeof(sig), "X-Shopify-Hmac-Sha256: %s", b64);
            snprintf(event, sizeof(event), "X-Shopify-Event-Id: bench-%lld", n);
            hdr = curl_slist_append(hdr, "Content-Type: application/json");
            hdr = curl_slist_append(hdr, "X-Shopify-Topic: orders/create");
            hdr = curl_slist_append(hdr, sig);
            hdr = curl_slist_append(hdr, event);
            hdr = curl_slist_append(hdr, "Expect:");
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
        }
        uint64_t t0 = sb_clock_ns();
        long status = 0;
        if (curl_easy_perform(h) == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        uint64_t us = (sb_clock_ns() - t0) / 1000;
        curl_slist_free_all(hdr);
        if (status == 200) {
            c->ok++;
            long long i = atomic_fetch_add(&nsamples, 1);
            if (c->webhooks && i < MAX_SAMPLES)
                samples[i] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
        } else {
            c->bad++;
        }
    }
    curl_easy_cleanup(h);
    return NULL;
}

static double load(bool webhooks, uint64_t *ret_ok)
{
    struct client *cs = calloc((size_t)B.clients, sizeof(*cs));
    atomic_store(&stop_flag, 0);
    atomic_store(&nsamples, 0);
    uint64_t t0 = sb_clock_ns();
    for (int i = 0; i < B.clients; i++) {
        cs[i].webhooks = webhooks;
        pthread_create(&cs[i].th, NULL, client_main, &cs[i]);
    }
    usleep((useconds_t)(B.seconds * 1e6));
    atomic_store(&stop_flag, 1);
    uint64_t ok = 0, bad = 0;
    for (int i = 0; i < B.clients; i++) {
        pthread_join(cs[i].th, NULL);
        ok += cs[i].ok;
        bad += cs[i].bad;
    }
    double elapsed = (double)(sb_clock_ns() - t0) / 1e9;
    free(cs);
    if (bad) {
        fprintf(stderr, "bench-webhooks: %llu unexpected answers\n", (unsigned long long)bad);
        exit(1);
    }
    *ret_ok = ok;
    return (double)ok / elapsed;
}

static int cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The storage ceiling: an import's rows, raw, one durable transaction per order. */
static double raw_sqlite(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE events (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT);"
                 "CREATE TABLE orders (id INTEGER PRIMARY KEY, ext TEXT UNIQUE, state TEXT);"
                 "CREATE TABLE sales (id INTEGER PRIMARY KEY, ext TEXT UNIQUE, total INTEGER);"
                 "CREATE TABLE lines (id INTEGER PRIMARY KEY, sale_id, item_id, qty, price);"
                 "CREATE TABLE taxes (id INTEGER PRIMARY KEY, sale_id, amount);"
                 "CREATE TABLE payments (id INTEGER PRIMARY KEY, sale_id, amount);"
                 "CREATE TABLE shipments (id INTEGER PRIMARY KEY, sale_id, name);"
                 "CREATE TABLE fulfillments (id INTEGER PRIMARY KEY, sale_id, outlet_id);"
                 "CREATE TABLE notes (id INTEGER PRIMARY KEY, sale_id, title);"
                 "CREATE TABLE stock (item_id PRIMARY KEY, on_hand);"
                 "CREATE TABLE ledger (id INTEGER PRIMARY KEY, item_id, delta, after);"
                 "INSERT INTO stock VALUES (1, 1000000000), (2, 1000000000), (3, 1000000000);",
                 NULL, NULL, NULL);
    uint64_t t0 = sb_clock_ns(), n = 0, limit = (uint64_t)(B.seconds * 1e9);
    char sql[1024];
    while (sb_clock_ns() - t0 < limit) {
        snprintf(sql, sizeof(sql),
                 "BEGIN IMMEDIATE;"
                 "INSERT INTO events (event_id, body) VALUES ('e%llu', 'x');"
                 "INSERT INTO orders (ext, state) VALUES ('o%llu', 'downloaded');"
                 "INSERT INTO sales (ext, total) VALUES ('o%llu', 5900);"
                 "INSERT INTO lines (sale_id, item_id, qty, price) VALUES (last_insert_rowid(), 1,"
                 " 1, 2000), (last_insert_rowid(), 2, 2, 1000), (last_insert_rowid(), 3, 1, 1000);"
                 "INSERT INTO taxes (sale_id, amount) VALUES (1, 160), (1, 160), (1, 80);"
                 "INSERT INTO payments (sale_id, amount) VALUES (1, 5900);"
                 "INSERT INTO shipments (sale_id, name) VALUES (1, 'B');"
                 "INSERT INTO fulfillments (sale_id, outlet_id) VALUES (1, 1);"
                 "INSERT INTO notes (sale_id, title) VALUES (1, 'new');"
                 "UPDATE stock SET on_hand = on_hand - 1 WHERE item_id IN (1, 2, 3);"
                 "INSERT INTO ledger (item_id, delta, after) VALUES (1, -1, 0), (2, -2, 0),"
                 " (3, -1, 0);"
                 "COMMIT;",
                 (unsigned long long)n, (unsigned long long)n, (unsigned long long)n);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            exit(1);
        n++;
    }
    double rate = (double)n / ((double)(sb_clock_ns() - t0) / 1e9);
    sqlite3_close(db);
    return rate;
}

int main(int argc, char **argv)
{
    bench_begin(&B, "bench-webhooks", argc, argv);
    setenv("STOCKBRIDGE_POLL_SCHEDULE", "off", 1);
    samples = malloc(MAX_SAMPLES * sizeof(*samples));
    if (!samples)
        return 1;
    const char *dir = B.dir;
    char url[128], raw[128];
    snprintf(url, sizeof(url), "sqlite:%s/bench.db", dir);
    snprintf(raw, sizeof(raw), "%s/raw.db", dir);
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

    printf("bench-webhooks: %d clients, %.0f s of load, durable commits (WAL, "
           "synchronous=FULL)\n",
           B.clients, B.seconds);
    uint64_t n_http, n_hooks;
    double http = load(false, &n_http);
    uint64_t t0 = sb_clock_ns();
    double acked = load(true, &n_hooks);
    long long n = atomic_load(&nsamples) < MAX_SAMPLES ? atomic_load(&nsamples) : MAX_SAMPLES;
    if (!sb_pipeline_wait_idle(pipeline, 600000))
        bench_die(&B, "the pipeline did not settle");
    double import_s = (double)(sb_clock_ns() - t0) / 1e9;
    struct sb_db *db;
    int64_t sales = 0;
    if (sb_store_acquire(store, &db) ||
        sb_db_int(db, &sales, "SELECT COUNT(*) FROM sales WHERE source = 'channel'", NULL))
        bench_die(&B, "count");
    sb_store_release(store, db);
    if ((uint64_t)sales != n_hooks) {
        fprintf(stderr, "bench-webhooks: %llu webhooks acknowledged but %lld sales\n",
                (unsigned long long)n_hooks, (long long)sales);
        return 1;
    }
    sb_server_stop(server);
    sb_pipeline_stop(pipeline);
    sb_store_close(store);
    qsort(samples, (size_t)n, sizeof(*samples), cmp);
    double storage = raw_sqlite(raw);

    printf("  HTTP ceiling     GET /healthz                    %10.0f req/s\n", http);
    printf("  storage ceiling  raw SQLite, an import's rows     %10.0f orders/s\n", storage);
    printf("  webhooks acknowledged (durably recorded)         %10.0f /s\n", acked);
    printf("  webhook latency  p50 %.2f ms  p99 %.2f ms\n", samples[n / 2] / 1000.0,
           samples[n * 99 / 100] / 1000.0);
    printf("  orders durably imported                          %10.0f orders/s "
           "(%lld orders in %.1f s)\n",
           (double)sales / import_s, (long long)sales, import_s);
    printf("  ratio to HTTP ceiling    %.3f\n", (double)sales / import_s / http);
    printf("  ratio to storage ceiling %.3f\n", (double)sales / import_s / storage);
    printf("  target 10000 orders/s: %s\n", (double)sales / import_s >= 10000 ? "met" : "not met");
    free(samples);
    bench_end(&B);
    return 0;
}
