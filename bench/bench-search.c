/*
 * Finding any sale among a million (SPEC T2, issue 16): the sales list's
 * searches, filters, sorts and counts through the real server
 * (GET /api/v1/sales), on a database of 1,000,000 sales (BENCH_SALES to
 * change it), 2,000,000 lines and 100,000 customers. Each search is asked
 * many times with varying terms; its p50 and p99 are printed beside the
 * ceiling measured in the same run: GET /api/v1/sales?limit=1, the list's
 * least work (one row by primary key) through the same server.
 *   bench-search [--db URL]     (default: a scratch SQLite file)
 */
#include "bench.h"
#include "sales-data.h"
#include "http/server.h"
#include "store/db.h"
#include "store/store.h"
#include "store/users.h"
#include "sync/pipeline.h"
#include "util/secret.h"
#include "util/secretbox.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct bench B;
static char admin[SB_TOKEN_LEN];
static unsigned port;
static int64_t n_sales;

enum {
    CUSTOMERS = BENCH_CUSTOMERS,
    ITEMS = BENCH_ITEMS,
    OUTLETS = BENCH_OUTLETS,
    ROUNDS = 200
};
#define FIRST bench_first_names
#define LAST  bench_last_names

static void exec(struct sb_db *db, const char *sql)
{
    if (sb_db_exec(db, sql, NULL))
        bench_die(&B, sql);
}

/* ---------------------------------------------------------------- the measurements */

/* ROUNDS GETs of path(i); prints p50 and p99 in ms, the rows the last answer had and the
 * ratio to ceiling_p50 (when > 0); returns the p50. */
static double measure(struct bench_client *c, const char *what,
                      void (*path)(int i, char *p, size_t n), double ceiling_p50)
{
    static double ms[ROUNDS];
    char url[512], p[400], auth[128];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin);
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    size_t rows = 0;
    for (int i = 0; i < ROUNDS; i++) {
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
            fprintf(stderr, "bench-search: GET %s -> %ld %.300s\n", p, status, c->buf);
            exit(1);
        }
        ms[i] = bench_now_ms() - t0;
        json_t *doc = json_loads(c->buf, 0, NULL);
        rows = json_array_size(json_object_get(doc, "data"));
        json_decref(doc);
    }
    curl_slist_free_all(hdr);
    bench_sort_ms(ms, (size_t)(ROUNDS));
    double p50 = ms[ROUNDS / 2], p99 = ms[ROUNDS * 99 / 100];
    if (ceiling_p50 > 0)
        printf("  %-44s p50 %7.2f ms  p99 %7.2f ms  (%3zu rows)  x%.1f the ceiling\n", what, p50,
               p99, rows, p50 / ceiling_p50);
    else
        printf("  %-44s p50 %7.2f ms  p99 %7.2f ms\n", what, p50, p99);
    return p50;
}

static double ceiling_p50;

static int64_t any_sale(int i)
{
    return 1 + (int64_t)((uint64_t)(i + 1) * 2654435761u % (uint64_t)n_sales);
}

/* the list's least work: the first sale by primary key */
static void p_ceiling(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/sales?limit=1");
}
static void p_newest(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/sales?sort=-id&limit=50");
}
static void p_newest_count(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/sales?sort=-id&limit=50&count=true");
}
static void p_deep(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/sales?sort=-id&limit=50&after=%lld", (long long)any_sale(i));
}
static void p_number(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/sales?sort=-id&q=%%23%lld", (long long)any_sale(i));
}
static void p_order_number(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/sales?sort=-id&q=%%23W%lld", (long long)(any_sale(i) / 3 * 3 + 3));
}
static void p_email(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/sales?sort=-id&q=c%d%%40shop", 1 + (i * 7919) % CUSTOMERS);
}
static void p_name(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/sales?sort=-id&q=%s%%20%s%d&count=true", FIRST[i % 20],
             LAST[(i / 20) % 20], i % 50);
}
static void p_last(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/sales?sort=-id&q=%s%d", LAST[i % 20], (i / 20) % 50);
}
static void p_sku(int i, char *p, size_t n)
{
    snprintf(p, n, "/api/v1/sales?sort=-id&q=SKU-%03d&count=true", 1 + i % ITEMS);
}
static void p_filters(int i, char *p, size_t n)
{
    static const char *const st[] = { "completed", "open", "voided" };
    snprintf(p, n, "/api/v1/sales?sort=-id&outlet_id=%d&status=%s&count=true", 1 + i % OUTLETS,
             st[i % 3]);
}
static void p_days(int i, char *p, size_t n)
{
    char from[SB_TIME_LEN], to[SB_TIME_LEN];
    int64_t at = BENCH_FIRST_SALE_AT + any_sale(i) * BENCH_SALE_EVERY;
    sb_time_format(at, from, sizeof(from));
    sb_time_format(at + 7 * 86400, to, sizeof(to));
    snprintf(p, n, "/api/v1/sales?sort=-id&from=%.10s&to=%.10s&channel=1&count=true", from, to);
}
static void p_total(int i, char *p, size_t n)
{
    if (i % 2)
        snprintf(p, n, "/api/v1/sales?sort=-total&limit=50&after=%lld", (long long)any_sale(i));
    else
        snprintf(p, n, "/api/v1/sales?sort=-total&limit=50");
}

int main(int argc, char **argv)
{
    bench_begin(&B, "bench-search", argc, argv);
    const char *env = getenv("BENCH_SALES");
    n_sales = env ? strtoll(env, NULL, 10) : 1000000;
    if (n_sales < 1000)
        n_sales = 1000;
    char url[400];
    if (B.db)
        snprintf(url, sizeof(url), "%s", B.db);
    else
        snprintf(url, sizeof(url), "sqlite:%s/search.db", B.dir);
    printf("bench-search: %lld sales on %s, %d requests per measurement, one client\n",
           (long long)n_sales, B.db ? B.db : "a scratch SQLite file", ROUNDS);
    struct sb_store *store;
    struct sb_pipeline *pipeline;
    struct sb_server *server;
    if (sb_secretbox_init(url) || sb_store_open(url, 8, &store))
        bench_die(&B, "store");
    struct sb_db *db;
    if (sb_store_acquire(store, &db))
        bench_die(&B, "acquire");
    bench_sales_seed(&B, db, n_sales, false);
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
    if (!bench_client_init(&c, 4 << 20))
        bench_die(&B, "client");
    /* the ceiling twice: the first warms the caches, the second is the figure */
    (void)measure(&c, "ceiling: GET /sales?limit=1, cold", p_ceiling, 0);
    ceiling_p50 = measure(&c, "ceiling: GET /sales?limit=1", p_ceiling, 0);
    measure(&c, "newest first, first page (50)", p_newest, ceiling_p50);
    measure(&c, "newest first, with the count", p_newest_count, ceiling_p50);
    measure(&c, "newest first, a page deep in the list", p_deep, ceiling_p50);
    measure(&c, "q = a sale number (#n)", p_number, ceiling_p50);
    measure(&c, "q = a web order number (#Wn)", p_order_number, ceiling_p50);
    measure(&c, "q = the start of an email", p_email, ceiling_p50);
    measure(&c, "q = a full name (first last), with count", p_name, ceiling_p50);
    measure(&c, "q = a last name", p_last, ceiling_p50);
    measure(&c, "q = a SKU (1 sale in 100), with count", p_sku, ceiling_p50);
    measure(&c, "outlet + status, with count", p_filters, ceiling_p50);
    measure(&c, "a week of one channel's orders, with count", p_days, ceiling_p50);
    measure(&c, "largest total first, first and later pages", p_total, ceiling_p50);
    bench_client_free(&c);
    sb_server_stop(server);
    sb_pipeline_stop(pipeline);
    sb_store_close(store);
    bench_end(&B);
    return 0;
}
