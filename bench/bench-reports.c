/*
 * The reports screen on a million sales (issue 16 item 6): GET /api/v1/reports/sales,
 * top-items, top-customers and takings through the real server, over a week, a month
 * and the whole year the data spans (1,000,000 sales a sale every 30 seconds from
 * 2025-01-01: 347 days; BENCH_SALES to change it), with a payment a sale and a return
 * every 50 (bench/sales-data.h). Each report is asked ROUNDS times over ranges that move
 * through the data; its p50 and p99 are printed beside the ceiling measured in the same
 * run: GET /api/v1/sales?limit=1, one row by primary key through the same server.
 *   bench-reports [--db URL]     (default: a scratch SQLite file)
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

enum {
    ROUNDS = 20
};

static struct bench B;
static char admin[SB_TOKEN_LEN];
static unsigned port;
static int64_t n_sales, span_days;

/* ROUNDS GETs of path(i); prints p50 and p99 in ms, the rows of the last answer (JSON
 * "data", or CSV lines) and the ratio to ceiling_p50 (when > 0); returns the p50. */
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
            fprintf(stderr, "bench-reports: GET %s -> %ld %.300s\n", p, status, c->buf);
            exit(1);
        }
        ms[i] = bench_now_ms() - t0;
        json_t *doc = json_loadb(c->buf, c->len, 0, NULL);
        json_t *data = json_object_get(doc, "data");
        rows = 0;
        if (data && json_array_size(data) && json_object_get(json_array_get(data, 0), "buckets"))
            rows = json_array_size(json_object_get(json_array_get(data, 0), "buckets"));
        else if (data)
            rows = json_array_size(data);
        else
            for (size_t k = 0; k < c->len; k++)
                rows += c->buf[k] == '\n';
        json_decref(doc);
    }
    curl_slist_free_all(hdr);
    bench_sort_ms(ms, (size_t)(ROUNDS));
    double p50 = ms[ROUNDS / 2], p99 = ms[ROUNDS * 99 / 100];
    if (ceiling_p50 > 0)
        printf("  %-46s p50 %8.2f ms  p99 %8.2f ms  (%3zu rows)  x%.0f the ceiling\n", what, p50,
               p99, rows, p50 / ceiling_p50);
    else
        printf("  %-46s p50 %8.2f ms  p99 %8.2f ms\n", what, p50, p99);
    return p50;
}

/* [from, from + days) with from moving through the data, so no two rounds ask alike */
static void range(int i, int64_t days, char *ret_from, char *ret_to)
{
    char a[SB_TIME_LEN], b[SB_TIME_LEN];
    int64_t room = span_days > days ? span_days - days : 1;
    int64_t start = BENCH_FIRST_SALE_AT + (int64_t)((uint64_t)(i + 1) * 2654435761u % room) * 86400;
    if (days >= span_days)
        start = BENCH_FIRST_SALE_AT;
    sb_time_format(start, a, sizeof(a));
    sb_time_format(start + days * 86400, b, sizeof(b));
    snprintf(ret_from, 11, "%.10s", a);
    snprintf(ret_to, 11, "%.10s", b);
}

#define RANGED(name, days, fmt)                                            \
    static void name(int i, char *p, size_t n)                             \
    {                                                                      \
        char from[11], to[11];                                             \
        range(i, days, from, to);                                          \
        snprintf(p, n, "/api/v1/reports/" fmt "&from=%s&to=%s", from, to); \
    }

static void p_ceiling(int i, char *p, size_t n)
{
    (void)i;
    snprintf(p, n, "/api/v1/sales?limit=1");
}
RANGED(p_week, 7, "sales?group=auto")
RANGED(p_month_cmp, 30, "sales?compare=previous")
RANGED(p_quarter_cmp, 91, "sales?compare=previous")
RANGED(p_year, 366, "sales?group=auto")
RANGED(p_year_csv, 366, "sales?format=csv")
RANGED(p_items_month, 30, "top-items?by=revenue")
RANGED(p_items_year, 366, "top-items?by=quantity")
RANGED(p_customers_month, 30, "top-customers?limit=10")
RANGED(p_customers_year, 366, "top-customers?limit=10")
RANGED(p_takings_month, 30, "takings?channel=pos")
RANGED(p_takings_year, 366, "takings?format=json")
RANGED(p_outlet_month, 30, "top-items?outlet_id=2")

int main(int argc, char **argv)
{
    bench_begin(&B, "bench-reports", argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it comes */
    const char *env = getenv("BENCH_SALES");
    n_sales = env ? strtoll(env, NULL, 10) : 1000000;
    if (n_sales < 1000)
        n_sales = 1000;
    span_days = n_sales * BENCH_SALE_EVERY / 86400 + 1;
    char url[400];
    if (B.db)
        snprintf(url, sizeof(url), "%s", B.db);
    else
        snprintf(url, sizeof(url), "sqlite:%s/reports.db", B.dir);
    printf("bench-reports: %lld sales over %lld days on %s, %d requests per measurement,"
           " one client\n",
           (long long)n_sales, (long long)span_days, B.db ? B.db : "a scratch SQLite file", ROUNDS);
    struct sb_store *store;
    struct sb_pipeline *pipeline;
    struct sb_server *server;
    if (sb_secretbox_init(url) || sb_store_open(url, 8, &store))
        bench_die(&B, "store");
    struct sb_db *db;
    if (sb_store_acquire(store, &db))
        bench_die(&B, "acquire");
    bench_sales_seed(&B, db, n_sales, true);
    if (sb_db_exec(db, "ANALYZE", NULL))
        bench_die(&B, "ANALYZE");
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
    (void)measure(&c, "ceiling: GET /sales?limit=1, cold", p_ceiling, 0);
    double ceiling = measure(&c, "ceiling: GET /sales?limit=1", p_ceiling, 0);
    measure(&c, "sales, a week by day", p_week, ceiling);
    measure(&c, "sales, 30 days by day + the previous 30", p_month_cmp, ceiling);
    measure(&c, "sales, 91 days by week + the previous 91", p_quarter_cmp, ceiling);
    measure(&c, "sales, a year (366 days: by week)", p_year, ceiling);
    measure(&c, "sales, a year as CSV", p_year_csv, ceiling);
    measure(&c, "top 10 items by revenue, 30 days", p_items_month, ceiling);
    measure(&c, "top 10 items by quantity, a year", p_items_year, ceiling);
    measure(&c, "top 10 items, one outlet, 30 days", p_outlet_month, ceiling);
    measure(&c, "top 10 customers, 30 days", p_customers_month, ceiling);
    measure(&c, "top 10 customers, a year", p_customers_year, ceiling);
    measure(&c, "takings by payment type, 30 days (POS)", p_takings_month, ceiling);
    measure(&c, "takings by payment type, a year", p_takings_year, ceiling);
    bench_client_free(&c);
    sb_server_stop(server);
    sb_pipeline_stop(pipeline);
    sb_store_close(store);
    bench_end(&B);
    return 0;
}
