/*
 * The reports screen's API end to end (issue 16 item 6): sales over local days [from, to)
 * grouped by day, week (from Monday) or month on each outlet's own days (SPEC T1) across
 * a daylight saving change and a month end, with the previous period beside them; top
 * items and top customers net of returns; takings per payment type net of refunds; the
 * CSV of each, exactly; the caller's outlets only (SEC2); bad input refused by name.
 * Sales are rung up at chosen instants (sb_time_set_for_tests: the server runs in this
 * process).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

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

TestSuite(reports_periods, .init = setup, .fini = teardown, .timeout = 120);

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

/* A sale at outlet rung up at iso: lines and payments as JSON, customer 0 for walk-in. */
static int64_t sale_at(const char *iso, int64_t outlet, int64_t customer, const char *lines,
                       const char *payments)
{
    clock_at(iso);
    char c[64] = "";
    if (customer)
        snprintf(c, sizeof(c), ",\"customer_id\":%lld", (long long)customer);
    return th_create(&t, t.admin, "/api/v1/sales",
                     "{\"outlet_id\":%lld%s,\"allow_oversell\":true,\"lines\":%s,"
                     "\"payments\":%s}",
                     (long long)outlet, c, lines, payments);
}

static json_t *bucket(json_t *doc, size_t cur, const char *which, size_t i)
{
    json_t *s = json_array_get(json_object_get(doc, "data"), cur);
    if (which)
        s = json_object_get(s, which);
    return json_array_get(json_object_get(s, "buckets"), i);
}

static void expect_bucket(json_t *b, const char *start, const char *end, int64_t sales, int64_t net)
{
    cr_assert(b, "no bucket %s", start);
    cr_expect_str_eq(th_str(b, "start"), start);
    cr_expect_str_eq(th_str(b, "end"), end);
    cr_expect_eq(th_int(b, "sales"), sales, "%s: %lld sales", start, (long long)th_int(b, "sales"));
    cr_expect_eq(th_int(b, "net"), net, "%s: net %lld", start, (long long)th_int(b, "net"));
}

static size_t nbuckets(json_t *doc, size_t cur, const char *which)
{
    json_t *s = json_array_get(json_object_get(doc, "data"), cur);
    if (which)
        s = json_object_get(s, which);
    return json_array_size(json_object_get(s, "buckets"));
}

#define TEE   "[{\"item_id\":1,\"quantity\":1}]"
#define MUG   "[{\"item_id\":2,\"quantity\":1}]"
#define WRAP  "[{\"item_id\":3,\"quantity\":1}]"
#define NOPAY "[]"

/* New York: the sales on either side of the spring change and of the March/April month
 * end, each on its local day (two of them are on the next day in UTC). */
static void dst_and_month_end(void)
{
    set_zone(f.outlet1, "America/New_York");
    sale_at("2026-03-08T04:30:00Z", f.outlet1, 0, TEE, NOPAY);  /* Sat 7th, 23:30 EST */
    sale_at("2026-03-09T03:30:00Z", f.outlet1, 0, MUG, NOPAY);  /* Sun 8th, 23:30 EDT */
    sale_at("2026-03-09T04:30:00Z", f.outlet1, 0, WRAP, NOPAY); /* Mon 9th, 00:30 EDT */
    sale_at("2026-04-01T03:00:00Z", f.outlet1, 0, TEE, NOPAY);  /* Tue 31st, 23:00 EDT */
    sale_at("2026-04-01T04:30:00Z", f.outlet1, 0, MUG, NOPAY);  /* Wed 1st, 00:30 EDT */
}

/* T1, item 6: days are the outlet's local days, also on the 23-hour day of the change. */
Test(reports_periods, t1_days_are_local_across_dst_and_month_end)
{
    dst_and_month_end();
    json_t *d = th_get(&t, t.admin, "/api/v1/reports/sales?from=2026-03-04&to=2026-04-02");
    cr_expect_str_eq(th_str(d, "group"), "day", "auto: 29 days are shown by day");
    cr_expect_eq(json_array_size(json_object_get(d, "data")), 1, "one currency");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(d, "data"), 0), "currency"), "USD");
    cr_assert_eq(nbuckets(d, 0, NULL), 29, "every day, empty ones too");
    expect_bucket(bucket(d, 0, NULL, 0), "2026-03-04", "2026-03-05", 0, 0);
    expect_bucket(bucket(d, 0, NULL, 3), "2026-03-07", "2026-03-08", 1, 2000);
    expect_bucket(bucket(d, 0, NULL, 4), "2026-03-08", "2026-03-09", 1, 1250);
    expect_bucket(bucket(d, 0, NULL, 5), "2026-03-09", "2026-03-10", 1, 500);
    expect_bucket(bucket(d, 0, NULL, 27), "2026-03-31", "2026-04-01", 1, 2000);
    expect_bucket(bucket(d, 0, NULL, 28), "2026-04-01", "2026-04-02", 1, 1250);
    json_t *tot = json_object_get(json_array_get(json_object_get(d, "data"), 0), "totals");
    expect_bucket(tot, "2026-03-04", "2026-04-02", 5, 7000);
    json_decref(d);
}

/* Item 6: weeks start on Monday, the first and last cut at the range's ends. */
Test(reports_periods, weeks_start_on_monday)
{
    dst_and_month_end();
    json_t *d =
        th_get(&t, t.admin, "/api/v1/reports/sales?from=2026-03-04&to=2026-04-02&group=week");
    cr_expect_str_eq(th_str(d, "group"), "week");
    cr_assert_eq(nbuckets(d, 0, NULL), 5);
    expect_bucket(bucket(d, 0, NULL, 0), "2026-03-04", "2026-03-09", 2, 3250); /* Sat + Sun */
    expect_bucket(bucket(d, 0, NULL, 1), "2026-03-09", "2026-03-16", 1, 500);
    expect_bucket(bucket(d, 0, NULL, 2), "2026-03-16", "2026-03-23", 0, 0);
    expect_bucket(bucket(d, 0, NULL, 4), "2026-03-30", "2026-04-02", 2, 3250);
    json_decref(d);
}

/* T1, item 6: months by local day: the 23:00 sale of 31 March (1 April in UTC) is March's. */
Test(reports_periods, months_by_local_day)
{
    dst_and_month_end();
    json_t *d =
        th_get(&t, t.admin, "/api/v1/reports/sales?from=2026-03-04&to=2026-04-02&group=month");
    cr_assert_eq(nbuckets(d, 0, NULL), 2);
    expect_bucket(bucket(d, 0, NULL, 0), "2026-03-04", "2026-04-01", 4, 5750);
    expect_bucket(bucket(d, 0, NULL, 1), "2026-04-01", "2026-04-02", 1, 1250);
    json_decref(d);
    /* auto: weeks past 62 days, months past a year */
    d = th_get(&t, t.admin, "/api/v1/reports/sales?from=2026-01-01&to=2026-04-01");
    cr_expect_str_eq(th_str(d, "group"), "week");
    json_decref(d);
    d = th_get(&t, t.admin, "/api/v1/reports/sales?from=2025-01-01&to=2026-04-02");
    cr_expect_str_eq(th_str(d, "group"), "month");
    cr_assert_eq(nbuckets(d, 0, NULL), 16);
    expect_bucket(bucket(d, 0, NULL, 14), "2026-03-01", "2026-04-01", 4, 5750);
    json_decref(d);
}

/* Item 6: compare=previous: the same number of days just before, its totals and the change. */
Test(reports_periods, compare_with_the_previous_period)
{
    dst_and_month_end();
    json_t *d =
        th_get(&t, t.admin, "/api/v1/reports/sales?from=2026-03-09&to=2026-04-02&compare=previous");
    cr_expect_str_eq(th_str(json_object_get(d, "previous"), "from"), "2026-02-13");
    cr_expect_str_eq(th_str(json_object_get(d, "previous"), "to"), "2026-03-09");
    json_t *s = json_array_get(json_object_get(d, "data"), 0);
    expect_bucket(json_object_get(s, "totals"), "2026-03-09", "2026-04-02", 3, 3750);
    expect_bucket(json_object_get(json_object_get(s, "previous"), "totals"), "2026-02-13",
                  "2026-03-09", 2, 3250);
    cr_expect_eq(nbuckets(d, 0, "previous"), 24);
    expect_bucket(bucket(d, 0, "previous", 22), "2026-03-07", "2026-03-08", 1, 2000);
    json_t *ch = json_object_get(s, "change");
    cr_expect_eq(th_int(ch, "net"), 500);
    cr_expect_eq(th_int(ch, "sales"), 1);
    cr_expect(json_real_value(json_object_get(ch, "net_percent")) == 15.4, "500 / 3250");
    cr_expect(json_real_value(json_object_get(ch, "sales_percent")) == 50.0);
    json_decref(d);
    /* nothing before: no percent */
    d = th_get(&t, t.admin, "/api/v1/reports/sales?from=2026-03-01&to=2026-03-08&compare=previous");
    s = json_array_get(json_object_get(d, "data"), 0);
    cr_expect(json_is_null(json_object_get(json_object_get(s, "change"), "net_percent")));
    cr_expect_eq(th_int(json_object_get(s, "change"), "net"), 2000);
    json_decref(d);
}

/* Top items, top customers and takings over one UTC day at outlet 2: Ann (whose name has a
 * comma) buys 3 TEEs in cash and returns one, Bob 2 MUGs by card, a walk-in 10 gift wraps in
 * cash, Ann a MUG by card; a voided sale of Bob's counts for nothing. */
static int64_t ann, bob;
static void shop_day(void)
{
    ann = th_create(&t, t.admin, "/api/v1/customers",
                    "{\"first_name\":\"Ann\",\"last_name\":\"Lee, Jr\",\"email\":\"ann@x.test\"}");
    bob = th_create(&t, t.admin, "/api/v1/customers",
                    "{\"first_name\":\"Bob\",\"last_name\":\"Ray\",\"email\":\"bob@x.test\"}");
    int64_t s1 = sale_at("2026-05-10T09:00:00Z", f.outlet2, ann, "[{\"item_id\":1,\"quantity\":3}]",
                         "[{\"payment_type_id\":1,\"amount\":6000}]");
    sale_at("2026-05-10T10:00:00Z", f.outlet2, bob, "[{\"item_id\":2,\"quantity\":2}]",
            "[{\"payment_type_id\":2,\"amount\":2500}]");
    sale_at("2026-05-10T11:00:00Z", f.outlet2, 0, "[{\"item_id\":3,\"quantity\":10}]",
            "[{\"payment_type_id\":1,\"amount\":5000}]");
    sale_at("2026-05-10T12:00:00Z", f.outlet2, ann, MUG,
            "[{\"payment_type_id\":2,\"amount\":1250}]");
    int64_t v = sale_at("2026-05-10T13:00:00Z", f.outlet2, bob, "[{\"item_id\":1,\"quantity\":5}]",
                        "[{\"payment_type_id\":2,\"amount\":10000}]");
    char path[64], body[160];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/void", (long long)v);
    struct th_resp r = th_req(&t, "POST", path, f.manager, "{}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/returns", (long long)s1);
    snprintf(body, sizeof(body),
             "{\"payment_type_id\":1,\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)th_sql_intf(&t, "SELECT id FROM sale_lines WHERE sale_id = %lld",
                                    (long long)s1));
    r = th_req(&t, "POST", path, t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
}

static void expect_row(json_t *rows, size_t i, const char *k1, const char *v1, const char *k2,
                       int64_t v2, const char *k3, int64_t v3)
{
    json_t *row = json_array_get(rows, i);
    cr_assert(row, "no row %zu", i);
    cr_expect_str_eq(th_str(row, k1), v1, "row %zu", i);
    cr_expect_eq(th_int(row, k2), v2, "row %zu %s: %lld", i, k2, (long long)th_int(row, k2));
    cr_expect_eq(th_int(row, k3), v3, "row %zu %s: %lld", i, k3, (long long)th_int(row, k3));
}

#define DAY "from=2026-05-10&to=2026-05-11"

/* Item 6: top items net of returns, by revenue and by quantity, N of them. */
Test(reports_periods, top_items_net_of_returns)
{
    shop_day();
    json_t *d = th_get(&t, t.admin, "/api/v1/reports/top-items?" DAY);
    json_t *rows = json_object_get(d, "data");
    cr_assert_eq(json_array_size(rows), 3);
    expect_row(rows, 0, "sku", "GIFTWRAP", "revenue", 5000, "quantity", 10);
    expect_row(rows, 1, "sku", "TEE", "revenue", 4000, "quantity", 2);
    expect_row(rows, 2, "sku", "MUG", "revenue", 3750, "quantity", 3);
    json_decref(d);
    d = th_get(&t, t.admin, "/api/v1/reports/top-items?" DAY "&by=quantity&limit=2");
    rows = json_object_get(d, "data");
    cr_assert_eq(json_array_size(rows), 2);
    expect_row(rows, 0, "sku", "GIFTWRAP", "quantity", 10, "rank", 1);
    expect_row(rows, 1, "sku", "MUG", "quantity", 3, "rank", 2);
    json_decref(d);
}

/* Item 6: top customers by spend net of refunds; walk-in sales are no one's. */
Test(reports_periods, top_customers_leave_out_walk_in)
{
    shop_day();
    json_t *d = th_get(&t, t.admin, "/api/v1/reports/top-customers?" DAY);
    json_t *rows = json_object_get(d, "data");
    cr_assert_eq(json_array_size(rows), 2);
    expect_row(rows, 0, "name", "Ann Lee, Jr", "spend", 5250, "sales", 2);
    expect_row(rows, 1, "name", "Bob Ray", "spend", 2500, "sales", 1);
    cr_expect_eq(th_int(json_array_get(rows, 0), "customer_id"), ann);
    cr_expect_eq(th_int(json_array_get(rows, 1), "customer_id"), bob);
    json_decref(d);
}

/* Item 6: takings per payment type: payments minus refunds. */
Test(reports_periods, takings_by_payment_type_net_of_refunds)
{
    shop_day();
    json_t *d = th_get(&t, t.admin, "/api/v1/reports/takings?" DAY);
    json_t *rows = json_object_get(d, "data");
    cr_assert_eq(json_array_size(rows), 2);
    expect_row(rows, 0, "payment_type", "Cash", "payments", 11000, "refunds", 2000);
    expect_row(rows, 1, "payment_type", "Card", "payments", 3750, "refunds", 0);
    cr_expect_eq(th_int(json_array_get(rows, 0), "net"), 9000);
    json_decref(d);
}

static void expect_csv(const char *path, const char *want)
{
    struct th_resp r = th_req(&t, "GET", path, t.admin, NULL);
    cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
    cr_expect_str_eq(r.body, want, "%s", path);
    th_resp_free(&r);
}

/* Item 6: each table as CSV, header row first, money as decimal text beside its currency. */
Test(reports_periods, csv_exact_text)
{
    shop_day();
    expect_csv("/api/v1/reports/takings?" DAY "&format=csv",
               "payment_type_id,payment_type,currency,payments,refunds,net\r\n"
               "1,Cash,USD,110.00,20.00,90.00\r\n"
               "2,Card,USD,37.50,0.00,37.50\r\n");
    expect_csv("/api/v1/reports/top-customers?" DAY "&format=csv",
               "rank,customer_id,name,email,currency,sales,spend\r\n"
               "1,1,\"Ann Lee, Jr\",ann@x.test,USD,2,52.50\r\n"
               "2,2,Bob Ray,bob@x.test,USD,1,25.00\r\n");
    expect_csv("/api/v1/reports/top-items?" DAY "&limit=1&format=csv",
               "rank,item_id,sku,name,currency,quantity,revenue\r\n"
               "1,3,GIFTWRAP,Gift wrap,USD,10,50.00\r\n");
    expect_csv("/api/v1/reports/sales?" DAY "&compare=previous&format=csv",
               "series,currency,start,end,sales,total,refunded,net\r\n"
               "current,USD,2026-05-10,2026-05-11,4,147.50,20.00,127.50\r\n"
               "previous,USD,2026-05-09,2026-05-10,0,0.00,0.00,0.00\r\n");
}

/* Network input is hostile: a customer named by a webstore as a formula stays text in the
 * CSV (opened with a quote); amounts below zero keep their sign. */
Test(reports_periods, csv_text_is_never_a_formula)
{
    int64_t c = th_create(&t, t.admin, "/api/v1/customers", "{\"first_name\":\"=HYPERLINK(1)\"}");
    sale_at("2026-05-10T09:00:00Z", f.outlet2, c, WRAP, NOPAY);
    char want[256];
    snprintf(want, sizeof(want),
             "rank,customer_id,name,email,currency,sales,spend\r\n"
             "1,%lld,'=HYPERLINK(1),,USD,1,5.00\r\n",
             (long long)c);
    expect_csv("/api/v1/reports/top-customers?" DAY "&format=csv", want);
}

/* SEC2: a staff member sees their outlets' sales only and may not name another outlet. */
Test(reports_periods, sec2_scoped_to_my_outlets)
{
    dst_and_month_end();
    shop_day();
    json_t *d = th_get(&t, f.staff2, "/api/v1/reports/sales?from=2026-03-01&to=2026-06-01");
    json_t *tot = json_object_get(json_array_get(json_object_get(d, "data"), 0), "totals");
    cr_expect_eq(th_int(tot, "sales"), 4, "outlet 2's four sales, not outlet 1's five");
    json_decref(d);
    d = th_get(&t, f.staff1, "/api/v1/reports/takings?" DAY);
    cr_expect_eq(json_array_size(json_object_get(d, "data")), 0);
    json_decref(d);
    d = th_get(&t, f.staff1, "/api/v1/reports/top-customers?" DAY);
    cr_expect_eq(json_array_size(json_object_get(d, "data")), 0);
    json_decref(d);
    th_expect_error(&t, "GET", "/api/v1/reports/top-items?outlet_id=2", f.staff1, NULL, 403,
                    "outlet_forbidden");
    /* a filter by outlet and channel */
    d = th_get(&t, t.admin, "/api/v1/reports/sales?from=2026-03-01&to=2026-06-01&outlet_id=1");
    tot = json_object_get(json_array_get(json_object_get(d, "data"), 0), "totals");
    cr_expect_eq(th_int(tot, "sales"), 5);
    json_decref(d);
    d = th_get(&t, t.admin, "/api/v1/reports/takings?" DAY "&channel=pos");
    cr_expect_eq(json_array_size(json_object_get(d, "data")), 2);
    json_decref(d);
    d = th_get(&t, t.admin, "/api/v1/reports/takings?" DAY "&channel=7");
    cr_expect_eq(json_array_size(json_object_get(d, "data")), 0);
    json_decref(d);
}

static void expect_bad(const char *path, const char *field)
{
    th_expect_error(&t, "GET", path, t.admin, NULL, 400, "invalid_query");
    struct th_resp r = th_req(&t, "GET", path, t.admin, NULL);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), field, "%s", path);
    th_resp_free(&r);
}

/* Network input is hostile: each bad parameter refused by name. */
Test(reports_periods, bad_input_names_the_field)
{
    expect_bad("/api/v1/reports/sales?from=2026-02-30", "from");
    expect_bad("/api/v1/reports/sales?from=2026-1-01", "from");
    expect_bad("/api/v1/reports/sales?to=tomorrow", "to");
    expect_bad("/api/v1/reports/sales?from=2026-03-02&to=2026-03-02", "to");
    expect_bad("/api/v1/reports/sales?from=2020-01-01&to=2026-01-01", "to");
    expect_bad("/api/v1/reports/sales?group=year", "group");
    expect_bad("/api/v1/reports/sales?compare=next", "compare");
    expect_bad("/api/v1/reports/takings?format=xml", "format");
    expect_bad("/api/v1/reports/takings?channel=web", "channel");
    expect_bad("/api/v1/reports/top-items?by=price", "by");
    expect_bad("/api/v1/reports/top-items?limit=0", "limit");
    expect_bad("/api/v1/reports/top-customers?limit=101", "limit");
    expect_bad("/api/v1/reports/top-customers?outlet_id=x", "outlet_id");
    /* five years is the most: 1827 days pass */
    json_t *d = th_get(&t, t.admin, "/api/v1/reports/sales?from=2021-01-01&to=2026-01-02");
    cr_expect_str_eq(th_str(d, "group"), "month");
    json_decref(d);
}
