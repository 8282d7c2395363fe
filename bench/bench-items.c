/*
 * Finding an item among 100,000 (issue 16 item 1): the item list's searches,
 * filters, sorts and counts through the real server (GET /api/v1/items), on
 * a database of 100,000 items (BENCH_ITEMS to change it) with two prices each
 * and stock at four outlets (a reorder point on one row in ten, a tenth of
 * those below it), and the CSV export of them all. Each search is asked many
 * times with varying terms; its p50 and p99 are printed beside the ceiling
 * measured in the same run: GET /api/v1/items?limit=1, the list's least work.
 *   bench-items [--db URL]     (default: a scratch SQLite file)
 */
#include "bench.h"
#include "http/server.h"
#include "store/db.h"
#include "store/rows.h"
#include "store/store.h"
#include "store/users.h"
#include "sync/pipeline.h"
#include "util/secret.h"
#include "util/secretbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct bench B;
static char admin[SB_TOKEN_LEN];
static unsigned port;
static int64_t n_items;

enum {
    OUTLETS = 4,
    ROUNDS = 100
};

static const char *const COLOUR[] = { "Black", "White", "Red",   "Blue", "Green",
                                      "Grey",  "Navy",  "Olive", "Sand", "Rust" };
static const char *const STUFF[] = { "Linen", "Cotton", "Wool",  "Canvas", "Leather",
                                     "Oak",   "Steel",  "Glass", "Cork",   "Paper" };
static const char *const THING[] = { "Apron", "Bag",    "Cap",    "Mug",   "Tee",
                                     "Scarf", "Wallet", "Bottle", "Board", "Lamp",
                                     "Bowl",  "Candle", "Poster", "Sock",  "Notebook",
                                     "Tray",  "Vase",   "Clock",  "Mat",   "Basket" };

static void exec(struct sb_db *db, const char *sql)
{
    if (sb_db_exec(db, sql, NULL))
        bench_die(&B, sql);
}

/* Rows of one table, SB_ROWS_MAX a statement; fill(i, args) writes row i's values. */
static void insert_rows(struct sb_db *db, const char *head, const char *row, size_t ncols,
                        int64_t n, void (*fill)(int64_t i, struct sb_db_arg *a, char *text))
{
    struct sb_db_arg args[SB_ROWS_MAX * 16];
    static char text[SB_ROWS_MAX][8][48];
    int64_t done = 0;
    while (done < n) {
        if (sb_db_begin(db))
            bench_die(&B, "begin");
        for (int64_t in_tx = 0; in_tx < 20000 && done < n;) {
            size_t k = 0;
            for (; k < SB_ROWS_MAX && done + (int64_t)k < n; k++)
                fill(done + (int64_t)k, &args[k * ncols], text[k][0]);
            if (sb_rows_insert(db, head, row, NULL, args, k, NULL, NULL))
                bench_die(&B, head);
            done += (int64_t)k;
            in_tx += (int64_t)k;
        }
        if (sb_db_end(db, SB_OK))
            bench_die(&B, "commit");
    }
}

/* item i+1: SKU-000001, "Black Linen Apron 1", a UPC and a manufacturer SKU */
static void fill_item(int64_t i, struct sb_db_arg *a, char *text)
{
    int64_t id = i + 1;
    char *sku = text, *name = text + 48, *upc = text + 96, *mfr = text + 144;
    snprintf(sku, 48, "SKU-%06lld", (long long)id);
    snprintf(name, 48, "%s %s %s %lld", COLOUR[id % 10], STUFF[(id / 10) % 10],
             THING[(id / 100) % 20], (long long)id);
    snprintf(upc, 48, "%012lld", (long long)(400000000000 + id));
    snprintf(mfr, 48, "MFR-%lld", (long long)(id * 7));
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = id };
    a[1] = (struct sb_db_arg){ .kind = 's', .s = sku };
    a[2] = (struct sb_db_arg){ .kind = 's', .s = upc };
    a[3] = (struct sb_db_arg){ .kind = 's', .s = mfr };
    a[4] = (struct sb_db_arg){ .kind = 's', .s = name };
}

/* two prices an item */
static void fill_price(int64_t i, struct sb_db_arg *a, char *text)
{
    (void)text;
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = i / 2 + 1 };
    a[1] = (struct sb_db_arg){ .kind = 'i', .i = i % 2 + 1 };
    a[2] = (struct sb_db_arg){ .kind = 'i', .i = 500 + (i * 37) % 9000 };
}

/* stock at four outlets; a reorder point on one row in ten, below it one in a hundred */
static void fill_stock(int64_t i, struct sb_db_arg *a, char *text)
{
    (void)text;
    int64_t on_hand = (i * 13) % 40;
    int64_t reorder = i % 10 == 0 ? (i % 100 == 0 ? on_hand + 5 : 1 + on_hand / 2) : 0;
    a[0] = (struct sb_db_arg){ .kind = 'i', .i = i / OUTLETS + 1 };
    a[1] = (struct sb_db_arg){ .kind = 'i', .i = i % OUTLETS + 1 };
    a[2] = (struct sb_db_arg){ .kind = 'i', .i = on_hand };
    a[3] = (struct sb_db_arg){ .kind = 'i', .i = reorder };
}

static void seed(struct sb_db *db)
{
    double t0 = bench_now_ms();
    exec(db, "INSERT INTO outlets (id, name, currency, created_at, updated_at) VALUES"
             " (1, 'Harbour', 'USD', 'x', 'x'), (2, 'Old Town', 'USD', 'x', 'x'),"
             " (3, 'Station', 'USD', 'x', 'x'), (4, 'Airport', 'USD', 'x', 'x')");
    exec(db, "INSERT INTO price_levels (id, name, created_at, updated_at) VALUES"
             " (1, 'Default', 'x', 'x'), (2, 'Sale', 'x', 'x')");
    insert_rows(db,
                "INSERT INTO items (id, sku, upc, manufacturer_sku, name, description, created_at,"
                " updated_at)",
                "(?, ?, ?, ?, ?, 'A thing made well, to last.', 'x', 'x')", 5, n_items, fill_item);
    insert_rows(db, "INSERT INTO item_prices (item_id, price_level_id, amount)", "(?, ?, ?)", 3,
                2 * n_items, fill_price);
    insert_rows(db, "INSERT INTO stock (item_id, outlet_id, on_hand, reorder_point, updated_at)",
                "(?, ?, ?, ?, 'x')", 4, OUTLETS * n_items, fill_stock);
    printf("  seeded %lld items, %lld prices, %lld stock rows in %.1f s\n", (long long)n_items,
           (long long)(2 * n_items), (long long)(OUTLETS * n_items), (bench_now_ms() - t0) / 1e3);
}

/* ---------------------------------------------------------------- the measurements */

/* rounds GETs of path(i); prints p50 and p99 in ms, the rows (or bytes) of the last answer
 * and the ratio to ceiling_p50 (when > 0); returns the p50. */
static double measure_n(struct bench_client *c, const char *what,
                        void (*path)(int i, char *p, size_t n), double ceiling_p50, int rounds)
{
    static double ms[ROUNDS];
    char url[512], p[400], auth[128];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin);
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    size_t rows = 0;
    bool csv = false;
    for (int i = 0; i < rounds; i++) {
        path(i, p, sizeof(p));
        snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, p);
        c->len = 0;
        curl_easy_setopt(c->h, CURLOPT_URL, url);
        curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, bench_client_collect);
        curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
        double t0 = bench_now_ms();
        long status = 0;
        if (curl_easy_perform(c->h) != CURLE_OK ||
            curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200) {
            fprintf(stderr, "bench-items: GET %s -> %ld %.300s\n", p, status, c->buf);
            exit(1);
        }
        ms[i] = bench_now_ms() - t0;
        csv = strstr(p, "/export") != NULL;
        if (csv) {
            rows = 0;
            for (size_t k = 0; k < c->len; k++)
                rows += c->buf[k] == '\n';
        } else {
            json_t *doc = json_loads(c->buf, 0, NULL);
            rows = json_array_size(json_object_get(doc, "data"));
            json_decref(doc);
        }
    }
    curl_slist_free_all(hdr);
    bench_sort_ms(ms, (size_t)rounds);
    double p50 = ms[rounds / 2], p99 = ms[rounds * 99 / 100];
    if (ceiling_p50 > 0)
        printf("  %-44s p50 %7.2f ms  p99 %7.2f ms  (%6zu %s)  x%.1f the ceiling\n", what, p50, p99,
               rows, csv ? "lines" : "rows", p50 / ceiling_p50);
    else
        printf("  %-44s p50 %7.2f ms  p99 %7.2f ms\n", what, p50, p99);
    return p50;
}

static double measure(struct bench_client *c, const char *what,
                      void (*path)(int i, char *p, size_t n), double ceiling_p50)
{
    return measure_n(c, what, path, ceiling_p50, ROUNDS);
}

static int64_t any_item(int i)
{
    return 1 + (int64_t)((uint64_t)(i + 1) * 2654435761u % (uint64_t)n_items);
}

static void p_ceiling(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/items?limit=1");
}
static void p_name(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/items?sort=name&limit=50&count=true");
}
static void p_name_deep(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&limit=50&after=%lld", (long long)any_item(i));
}
static void p_sku_desc_deep(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=-sku&limit=50&after=%lld", (long long)any_item(i));
}
static void p_upc(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&q=%012lld&count=true",
             (long long)(400000000000 + any_item(i)));
}
static void p_mfr(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&q=MFR-%lld", (long long)(any_item(i) * 7));
}
static void p_sku(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&q=SKU-%06lld&count=true", (long long)any_item(i));
}
static void p_sku_part(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&q=U-%05lld&count=true", (long long)any_item(i) / 10);
}
static void p_word(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&q=%s&count=true", THING[i % 20]);
}
static void p_two_words(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&q=%s%%20%s", STUFF[i % 10], THING[(i / 10) % 20]);
}
static void p_nothing(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?sort=name&q=zzq%d&count=true", i);
}
static void p_low(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/items?low_stock=true&sort=name&limit=50&count=true");
}
static void p_low_outlet(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/items?low_stock=true&outlet_id=%d&sort=-name&limit=50&count=true",
             1 + i % OUTLETS);
}
static void p_export(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/items/export");
}

int main(int argc, char **argv)
{
    bench_begin(&B, "bench-items", argc, argv);
    const char *env = getenv("BENCH_ITEMS");
    n_items = env ? strtoll(env, NULL, 10) : 100000;
    if (n_items < 1000)
        n_items = 1000;
    char url[400];
    if (B.db)
        snprintf(url, sizeof(url), "%s", B.db);
    else
        snprintf(url, sizeof(url), "sqlite:%s/items.db", B.dir);
    printf("bench-items: %lld items on %s, %d requests per measurement, one client\n",
           (long long)n_items, B.db ? B.db : "a scratch SQLite file", ROUNDS);
    struct sb_store *store;
    struct sb_pipeline *pipeline;
    struct sb_server *server;
    if (sb_secretbox_init(url) || sb_store_open(url, 8, &store))
        bench_die(&B, "store");
    struct sb_db *db;
    if (sb_store_acquire(store, &db))
        bench_die(&B, "acquire");
    seed(db);
    exec(db, "ANALYZE");
    struct sb_user u = { .username = { "bench", true }, .role = { "admin", true } };
    int64_t uid;
    if (sb_store_user_create(db, &u, &uid) || sb_store_token_create(db, uid, "bench", admin))
        bench_die(&B, "user");
    sb_store_release(store, db);
    if (sb_pipeline_start(store, &pipeline))
        bench_die(&B, "pipeline");
    struct sb_server_config cfg = { .host = "127.0.0.1", .store = store, .pipeline = pipeline };
    if (sb_server_start(&cfg, &server))
        bench_die(&B, "server");
    port = sb_server_port(server);

    struct bench_client c;
    if (!bench_client_init(&c, 64 << 20))
        bench_die(&B, "client");
    (void)measure(&c, "ceiling: GET /items?limit=1, cold", p_ceiling, 0);
    double ceiling = measure(&c, "ceiling: GET /items?limit=1", p_ceiling, 0);
    measure(&c, "by name, first page (50), with count", p_name, ceiling);
    measure(&c, "by name, a page deep in the list", p_name_deep, ceiling);
    measure(&c, "by SKU descending, a page deep", p_sku_desc_deep, ceiling);
    measure(&c, "q = a UPC (scanned), with count", p_upc, ceiling);
    measure(&c, "q = a manufacturer SKU", p_mfr, ceiling);
    measure(&c, "q = a SKU, with count", p_sku, ceiling);
    measure(&c, "q = part of a SKU (10 items), with count", p_sku_part, ceiling);
    measure(&c, "q = a word (1 item in 20), with count", p_word, ceiling);
    measure(&c, "q = two words (1 in 200)", p_two_words, ceiling);
    measure(&c, "q = text no item has, with count", p_nothing, ceiling);
    measure(&c, "low stock, by name, with count", p_low, ceiling);
    measure(&c, "low stock at one outlet, with count", p_low_outlet, ceiling);
    measure_n(&c, "CSV export of every item", p_export, ceiling, 5);
    bench_client_free(&c);
    sb_server_stop(server);
    sb_pipeline_stop(pipeline);
    sb_store_close(store);
    bench_end(&B);
    return 0;
}
