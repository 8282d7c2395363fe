/*
 * SPEC T1 end to end: a sale's business day is the day of its creation in
 * its outlet's time zone; "today" (GET /api/v1/sales?today=true) is each
 * outlet's own today; day filters and the sales-by-day report count business
 * days. Sales are rung up at chosen instants (sb_time_set_for_tests: the
 * server runs in this process) around a New York midnight and both daylight
 * saving changes, so nothing depends on the hour of the wall clock. Also: the
 * migration that adds business days fills them in for the sales made before it.
 */
#include "harness.h"
#include "store/pg-migrations.h"
#include "store/sqlite-migrations.h"
#include "store/store.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
}

static void teardown(void)
{
    sb_time_set_for_tests(0);
    th_stop(&t);
}

TestSuite(business_day, .init = setup, .fini = teardown, .timeout = 120);

static void set_zone(int64_t outlet, const char *zone)
{
    char path[64], body[128];
    snprintf(path, sizeof(path), "/api/v1/outlets/%lld", (long long)outlet);
    snprintf(body, sizeof(body), "{\"timezone\":\"%s\"}", zone);
    struct th_resp r = th_req(&t, "PATCH", path, t.admin, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
}

static void clock_at(const char *iso)
{
    int64_t when;
    cr_assert(sb_time_parse(iso, &when), "%s", iso);
    sb_time_set_for_tests(when);
}

/* A sale of one gift wrap (5.00, no stock) at outlet, rung up at iso; its business day
 * must be `day`. */
static int64_t sale_at(const char *iso, int64_t outlet, const char *day)
{
    clock_at(iso);
    char body[128];
    snprintf(body, sizeof(body),
             "{\"outlet_id\":%lld,\"lines\":[{\"item_id\":%lld,\"quantity\":1}]}",
             (long long)outlet, (long long)f.giftwrap);
    struct th_resp r = th_req(&t, "POST", "/api/v1/sales", t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    int64_t id = th_int(r.json, "id");
    cr_expect_str_eq(th_str(r.json, "created_at"), iso);
    cr_expect_str_eq(th_str(r.json, "business_day"), day, "sale at %s: %s, want %s", iso,
                     th_str(r.json, "business_day"), day);
    th_resp_free(&r);
    return id;
}

/* The ids GET /api/v1/sales?query lists must be exactly want (0-terminated). */
static void expect_sales(const char *query, const int64_t *want)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/sales?%s", query);
    json_t *data = json_object_get(page, "data");
    size_t n = 0;
    while (want[n])
        n++;
    char got[256] = "";
    for (size_t i = 0; i < json_array_size(data); i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), " %lld",
                 (long long)th_int(json_array_get(data, i), "id"));
    cr_expect_eq(json_array_size(data), n, "%s: got%s", query, got);
    for (size_t i = 0; i < n && i < json_array_size(data); i++)
        cr_expect_eq(th_int(json_array_get(data, i), "id"), want[i], "%s: got%s", query, got);
    json_decref(page);
}

/* T1, O9: at 23:59 in New York, the morning's sales there are still today's, while an
 * outlet on UTC is already on the next day; at New York's midnight its day turns. */
Test(business_day, t1_today_is_each_outlets_own_day)
{
    set_zone(f.outlet1, "America/New_York");
    int64_t a = sale_at("2026-01-15T14:00:00Z", f.outlet1, "2026-01-15"); /* 09:00 in NY */
    int64_t b = sale_at("2026-01-15T14:00:00Z", f.outlet2, "2026-01-15");
    int64_t c = sale_at("2026-01-16T00:30:00Z", f.outlet1, "2026-01-15"); /* 19:30 in NY */
    int64_t d = sale_at("2026-01-16T00:30:00Z", f.outlet2, "2026-01-16");

    clock_at("2026-01-16T04:59:00Z"); /* 23:59 in New York */
    expect_sales("today=true", (int64_t[]){ a, c, d, 0 });
    expect_sales("today=true&outlet_id=1", (int64_t[]){ a, c, 0 });
    expect_sales("today=true&outlet_id=2", (int64_t[]){ d, 0 });
    expect_sales("today=false", (int64_t[]){ a, b, c, d, 0 });

    clock_at("2026-01-16T05:00:00Z"); /* midnight in New York */
    expect_sales("today=true", (int64_t[]){ d, 0 });
    int64_t e = sale_at("2026-01-16T05:00:30Z", f.outlet1, "2026-01-16");
    expect_sales("today=true", (int64_t[]){ d, e, 0 });
}

/* T1: the day of the spring change is 23 hours long, the autumn one 25. */
Test(business_day, t1_today_across_daylight_saving_changes)
{
    set_zone(f.outlet1, "America/New_York");
    int64_t a = sale_at("2026-03-08T05:00:00Z", f.outlet1, "2026-03-08"); /* 00:00 EST */
    int64_t b = sale_at("2026-03-09T03:59:00Z", f.outlet1, "2026-03-08"); /* 23:59 EDT */
    clock_at("2026-03-09T03:59:30Z");
    expect_sales("today=true", (int64_t[]){ a, b, 0 });
    clock_at("2026-03-09T04:00:30Z"); /* 00:00:30 EDT, March 9 */
    expect_sales("today=true", (int64_t[]){ 0 });

    int64_t c = sale_at("2026-11-01T04:00:00Z", f.outlet1, "2026-11-01"); /* 00:00 EDT */
    int64_t d = sale_at("2026-11-02T04:30:00Z", f.outlet1, "2026-11-01"); /* 23:30 EST */
    clock_at("2026-11-02T04:59:30Z");
    expect_sales("today=true", (int64_t[]){ c, d, 0 });
    clock_at("2026-11-02T05:00:30Z");
    expect_sales("today=true", (int64_t[]){ 0 });
    expect_sales("from=2026-03-08&to=2026-03-09", (int64_t[]){ a, b, 0 });
    expect_sales("from=2026-11-01&to=2026-11-02", (int64_t[]){ c, d, 0 });
}

/* T1: from/to days on the sales list and the sales-by-day report count business days:
 * the 19:30 sale in New York is on the 15th, whatever its UTC date. */
Test(business_day, t1_day_filters_and_the_report_use_business_days)
{
    set_zone(f.outlet1, "America/New_York");
    set_zone(f.outlet2, "Asia/Tokyo");
    int64_t a = sale_at("2026-01-15T14:00:00Z", f.outlet1, "2026-01-15"); /* 09:00 in NY */
    int64_t b = sale_at("2026-01-16T00:30:00Z", f.outlet1, "2026-01-15"); /* 19:30 in NY */
    int64_t c = sale_at("2026-01-15T14:00:00Z", f.outlet2, "2026-01-15"); /* 23:00 in Tokyo */
    int64_t d = sale_at("2026-01-15T15:00:00Z", f.outlet2, "2026-01-16"); /* 00:00 in Tokyo */
    int64_t e = sale_at("2026-01-14T23:30:00Z", f.outlet2, "2026-01-15"); /* 08:30 in Tokyo */

    expect_sales("from=2026-01-15&to=2026-01-16", (int64_t[]){ a, b, c, e, 0 });
    expect_sales("from=2026-01-16", (int64_t[]){ d, 0 });
    expect_sales("to=2026-01-15", (int64_t[]){ 0 });
    /* instants are instants */
    expect_sales("from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z", (int64_t[]){ a, c, d, 0 });

    json_t *rep = th_get(&t, t.admin, "/api/v1/reports/sales-by-day?from=2026-01-14&to=2026-01-16");
    json_t *want = json_pack("{s:[{s:s,s:n,s:s,s:i,s:i,s:s},{s:s,s:n,s:s,s:i,s:i,s:s}],s:s,s:s}",
                             "data", "day", "2026-01-15", "channel_id", "channel", "In store",
                             "sales", 4, "total", 2000, "currency", "USD", "day", "2026-01-16",
                             "channel_id", "channel", "In store", "sales", 1, "total", 500,
                             "currency", "USD", "from", "2026-01-14", "to", "2026-01-16");
    char *got = json_dumps(rep, JSON_SORT_KEYS), *exp = json_dumps(want, JSON_SORT_KEYS);
    cr_expect(json_equal(rep, want), "report: %s\nwant:   %s", got, exp);
    free(got);
    free(exp);
    json_decref(want);
    json_decref(rep);
}

/* The report's default is the 30 days to today in the caller's outlet that is furthest
 * ahead. */
Test(business_day, t1_report_defaults_to_the_outlets_today)
{
    set_zone(f.outlet1, "America/New_York");
    set_zone(f.outlet2, "America/Los_Angeles");
    clock_at("2026-01-16T04:30:00Z"); /* 23:30 in New York, 20:30 in Los Angeles */
    json_t *rep = th_get(&t, t.admin, "/api/v1/reports/sales-by-day");
    cr_expect_str_eq(th_str(rep, "from"), "2025-12-17");
    cr_expect_str_eq(th_str(rep, "to"), "2026-01-15");
    json_decref(rep);
    set_zone(f.outlet2, "Europe/Paris"); /* 05:30 on the 16th */
    rep = th_get(&t, t.admin, "/api/v1/reports/sales-by-day");
    cr_expect_str_eq(th_str(rep, "to"), "2026-01-16");
    json_decref(rep);
    rep = th_get(&t, f.staff1, "/api/v1/reports/sales-by-day"); /* outlet 1 only */
    cr_expect_str_eq(th_str(rep, "to"), "2026-01-15");
    json_decref(rep);
}

/* ---------------------------------------------------------------- the migration */

static void raw_exec(struct sb_db *db, const char *sql)
{
    cr_assert_eq(sb_db_script(db, sql), SB_OK, "%s: %s", sql, sb_err_last()->message);
}

/* T1: sales made before business days existed get theirs from the migration: the day of
 * their creation in their outlet's zone (a zone the database does not know: UTC). On each
 * backend, with its own migrations. */
Test(business_day_migration, t1_existing_sales_get_their_business_day)
{
    struct th_db tdb;
    th_db_make(&tdb);

    /* the schema as it was just before the migration that adds business_day */
    size_t n;
    const char *const *m = th_pg() ? sb_pg_migrations(&n) : sb_sqlite_migrations(&n);
    size_t mine = 0;
    for (size_t i = 0; i < n; i++)
        if (strstr(m[i], "ADD COLUMN business_day"))
            mine = i + 1;
    cr_assert_gt(mine, 1, "no migration adds business_day");
    struct sb_db *db;
    cr_assert_eq(sb_db_open(tdb.url, &db), SB_OK, "%s", sb_err_last()->message);
    raw_exec(db, "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY,"
                 " applied_at TEXT NOT NULL)");
    for (size_t v = 1; v < mine; v++) {
        raw_exec(db, m[v - 1]);
        char rec[128];
        snprintf(rec, sizeof(rec), "INSERT INTO schema_migrations VALUES (%zu, 'x')", v);
        raw_exec(db, rec);
    }
    raw_exec(db, "INSERT INTO outlets (id, name, currency, timezone, created_at, updated_at)"
                 " VALUES (1, 'NY', 'USD', 'America/New_York', 'x', 'x'),"
                 " (2, 'Tokyo', 'JPY', 'Asia/Tokyo', 'x', 'x'),"
                 " (3, 'Old', 'USD', 'Mars/Base', 'x', 'x'), (4, 'UTC', 'USD', 'UTC', 'x', 'x');"
                 "INSERT INTO sales (id, outlet_id, status, currency, subtotal, discount_total,"
                 " tax_total, adjustment_total, total, paid_total, balance_due, created_at,"
                 " updated_at) VALUES"
                 " (1, 1, 'open', 'USD', 0, 0, 0, 0, 0, 0, 0, '2026-01-16T04:59:59Z', 'x'),"
                 " (2, 1, 'open', 'USD', 0, 0, 0, 0, 0, 0, 0, '2026-01-16T05:00:00Z', 'x'),"
                 " (3, 1, 'open', 'USD', 0, 0, 0, 0, 0, 0, 0, '2026-03-09T03:59:59Z', 'x'),"
                 " (4, 2, 'open', 'JPY', 0, 0, 0, 0, 0, 0, 0, '2026-01-15T15:00:00Z', 'x'),"
                 " (5, 3, 'open', 'USD', 0, 0, 0, 0, 0, 0, 0, '2026-01-16T04:59:59Z', 'x'),"
                 " (6, 4, 'open', 'USD', 0, 0, 0, 0, 0, 0, 0, '2026-01-16T04:59:59Z', 'x');");
    sb_db_close(db);

    struct sb_store *store;
    cr_assert_eq(sb_store_open(tdb.url, 2, &store), SB_OK, "%s", sb_err_last()->message);
    struct sb_db *conn;
    cr_assert_eq(sb_store_acquire(store, &conn), SB_OK);
    static const char *const want[] = { "2026-01-15", "2026-01-16", "2026-03-08",
                                        "2026-01-16", "2026-01-16", "2026-01-16" };
    for (int id = 1; id <= 6; id++) {
        json_t *row = NULL;
        cr_assert_eq(sb_db_json_one(conn, &row, "SELECT business_day FROM sales WHERE id = ?", "i",
                                    (int64_t)id),
                     SB_OK);
        cr_expect_str_eq(th_str(row, "business_day"), want[id - 1], "sale %d", id);
        json_decref(row);
    }
    sb_store_release(store, conn);
    sb_store_close(store);
    th_db_drop(&tdb);
}
