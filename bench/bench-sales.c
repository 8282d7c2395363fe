/*
 * bench-sales: in-store sales over HTTP per second, beside two ceilings
 * measured in the same run so that machine noise cancels:
 *   - the HTTP ceiling: GET /healthz on the same server, same clients;
 *   - the storage ceiling: the same rows written with raw SQLite calls
 *     (one transaction per sale, WAL, synchronous=FULL: the durability the
 *     server uses), no HTTP, no JSON.
 * Each sale has 3 lines and a payment and is durably committed before the
 * server answers 201. Run with `make bench`; --seconds N and --clients N.
 */
#include "bench.h"
#include "http/server.h"
#include "store/store.h"
#include "store/users.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/timeutil.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char token[SB_TOKEN_LEN];
static struct bench B;
static uint16_t port;
static atomic_int stop_flag;

static const char *sale_body = "{\"outlet_id\":1,\"register_id\":1,\"employee_id\":1,"
                               "\"lines\":[{\"item_id\":1,\"quantity\":1,\"unit_price\":2000},"
                               "{\"item_id\":2,\"quantity\":2,\"unit_price\":1250},"
                               "{\"item_id\":3,\"quantity\":1,\"unit_price\":500}],"
                               "\"payments\":[{\"payment_type_id\":1,\"amount\":5000}]}";

static void seed(struct sb_store *store)
{
    struct sb_db *db;
    if (sb_store_acquire(store, &db))
        bench_die(&B, "acquire");
    static const char *const sql[] = {
        "INSERT INTO outlets (id, name, currency, created_at, updated_at)"
        " VALUES (1, 'Bench', 'USD', 'x', 'x')",
        "INSERT INTO registers (id, outlet_id, name, created_at, updated_at)"
        " VALUES (1, 1, 'Till', 'x', 'x')",
        "INSERT INTO employees (id, name, created_at, updated_at) VALUES (1, 'E', 'x', 'x')",
        "INSERT INTO payment_types (id, name, name_norm, created_at, updated_at)"
        " VALUES (1, 'Cash', 'cash', 'x', 'x')",
        "INSERT INTO items (id, sku, name, created_at, updated_at) VALUES"
        " (1, 'A', 'A', 'x', 'x'), (2, 'B', 'B', 'x', 'x'), (3, 'C', 'C', 'x', 'x')",
        "INSERT INTO stock (item_id, outlet_id, on_hand, updated_at) VALUES"
        " (1, 1, 100000000, 'x'), (2, 1, 100000000, 'x'), (3, 1, 100000000, 'x')",
        "INSERT INTO stock_ledger (item_id, outlet_id, reason, on_hand_delta, reserved_delta,"
        " on_hand_after, reserved_after, created_at) VALUES"
        " (1, 1, 'receipt', 100000000, 0, 100000000, 0, 'x'),"
        " (2, 1, 'receipt', 100000000, 0, 100000000, 0, 'x'),"
        " (3, 1, 'receipt', 100000000, 0, 100000000, 0, 'x')",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
        if (sb_db_exec(db, sql[i], NULL))
            bench_die(&B, "seed");
    struct sb_user u = { .username = { "bench", true }, .role = { "admin", true } };
    int64_t uid;
    if (sb_store_user_create(db, &u, &uid) || sb_store_token_create(db, uid, "bench", token))
        bench_die(&B, "token");
    sb_store_release(store, db);
}

struct client {
    pthread_t th;
    const char *method, *path, *body;
    long want;
    uint64_t ok, bad;
};

static void *client_main(void *arg)
{
    struct client *c = arg;
    CURL *h = curl_easy_init();
    char url[256], auth[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, c->path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bench_discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    if (c->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
    while (!atomic_load(&stop_flag)) {
        long status = 0;
        if (curl_easy_perform(h) == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status == c->want)
            c->ok++;
        else
            c->bad++;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return NULL;
}

/* Runs the clients against one route for the measurement time; returns requests per second. */
static double load(const char *method, const char *path, const char *body, long want)
{
    struct client *cs = calloc((size_t)B.clients, sizeof(*cs));
    atomic_store(&stop_flag, 0);
    uint64_t t0 = sb_clock_ns();
    for (int i = 0; i < B.clients; i++) {
        cs[i] = (struct client){ .method = method, .path = path, .body = body, .want = want };
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
        fprintf(stderr, "bench-sales: %s %s: %llu unexpected answers\n", method, path,
                (unsigned long long)bad);
        exit(1);
    }
    return (double)ok / elapsed;
}

/* The storage ceiling: what one sale writes, as raw SQLite statements. */
static double raw_sqlite(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE sales (id INTEGER PRIMARY KEY, outlet_id, status, total, paid,"
                 " balance, created_at);"
                 "CREATE TABLE lines (id INTEGER PRIMARY KEY, sale_id, item_id, qty, price,"
                 " total);"
                 "CREATE TABLE payments (id INTEGER PRIMARY KEY, sale_id, type_id, amount);"
                 "CREATE TABLE stock (item_id, outlet_id, on_hand, PRIMARY KEY (item_id,"
                 " outlet_id));"
                 "CREATE TABLE ledger (id INTEGER PRIMARY KEY, item_id, outlet_id, delta, after,"
                 " ref);"
                 "INSERT INTO stock VALUES (1, 1, 1000000000), (2, 1, 1000000000),"
                 " (3, 1, 1000000000);",
                 NULL, NULL, NULL);
    sqlite3_stmt *sale, *line, *pay, *stock, *ledger;
    sqlite3_prepare_v2(db,
                       "INSERT INTO sales (outlet_id, status, total, paid, balance, created_at)"
                       " VALUES (1, 'completed', 5000, 5000, 0, '2026-01-01T00:00:00Z')",
                       -1, &sale, NULL);
    sqlite3_prepare_v2(
        db, "INSERT INTO lines (sale_id, item_id, qty, price, total) VALUES (?, ?, 1, 2000, 2000)",
        -1, &line, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO payments (sale_id, type_id, amount) VALUES (?, 1, 5000)",
                       -1, &pay, NULL);
    sqlite3_prepare_v2(db,
                       "UPDATE stock SET on_hand = on_hand - 1 WHERE item_id = ? AND outlet_id = 1"
                       " RETURNING on_hand",
                       -1, &stock, NULL);
    sqlite3_prepare_v2(
        db,
        "INSERT INTO ledger (item_id, outlet_id, delta, after, ref) VALUES (?, 1, -1, ?, 'sale')",
        -1, &ledger, NULL);
    uint64_t t0 = sb_clock_ns(), n = 0;
    uint64_t limit = (uint64_t)(B.seconds * 1e9);
    while (sb_clock_ns() - t0 < limit) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_step(sale);
        sqlite3_reset(sale);
        sqlite3_int64 id = sqlite3_last_insert_rowid(db);
        for (int item = 1; item <= 3; item++) {
            sqlite3_bind_int64(line, 1, id);
            sqlite3_bind_int(line, 2, item);
            sqlite3_step(line);
            sqlite3_reset(line);
            sqlite3_bind_int(stock, 1, item);
            sqlite3_step(stock);
            sqlite3_int64 after = sqlite3_column_int64(stock, 0);
            sqlite3_reset(stock);
            sqlite3_bind_int(ledger, 1, item);
            sqlite3_bind_int64(ledger, 2, after);
            sqlite3_step(ledger);
            sqlite3_reset(ledger);
        }
        sqlite3_bind_int64(pay, 1, id);
        sqlite3_step(pay);
        sqlite3_reset(pay);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            exit(1);
        n++;
    }
    double rate = (double)n / ((double)(sb_clock_ns() - t0) / 1e9);
    sqlite3_finalize(sale);
    sqlite3_finalize(line);
    sqlite3_finalize(pay);
    sqlite3_finalize(stock);
    sqlite3_finalize(ledger);
    sqlite3_close(db);
    return rate;
}

int main(int argc, char **argv)
{
    bench_begin(&B, "bench-sales", argc, argv);
    const char *dir = B.dir;
    char url[128], raw[128];
    snprintf(url, sizeof(url), "sqlite:%s/bench.db", dir);
    snprintf(raw, sizeof(raw), "%s/raw.db", dir);
    struct sb_store *store;
    if (sb_store_open(url, 32, &store))
        bench_die(&B, "store");
    seed(store);
    struct sb_server_config cfg = { .host = "127.0.0.1", .port = 0, .store = store };
    struct sb_server *server;
    if (sb_server_start(&cfg, &server))
        bench_die(&B, "server");
    port = sb_server_port(server);

    printf("bench-sales: %d clients, %.0f s per measurement, durable commits (WAL, "
           "synchronous=FULL)\n",
           B.clients, B.seconds);
    double http = load("GET", "/healthz", NULL, 200);
    double sales = load("POST", "/api/v1/sales", sale_body, 201);
    sb_server_stop(server);
    sb_store_close(store);
    double storage = raw_sqlite(raw);

    printf("  HTTP ceiling     GET /healthz              %10.0f req/s\n", http);
    printf("  storage ceiling  raw SQLite, same rows     %10.0f sales/s\n", storage);
    printf("  stockbridge      POST /api/v1/sales        %10.0f sales/s\n", sales);
    printf("  ratio to HTTP ceiling    %.3f\n", sales / http);
    printf("  ratio to storage ceiling %.3f\n", sales / storage);
    bench_end(&B);
    return 0;
}
