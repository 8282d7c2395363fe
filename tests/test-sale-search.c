/*
 * SPEC T2 end to end: every sale, web or in-store, found by its number, the
 * channel's order number, the customer's name or email, or an item's SKU
 * (GET /api/v1/sales?q=), newest first (sort=-id) or by total, a page at a
 * time by keyset, with a count that says where the page is; the caller's
 * outlets only (SEC2).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
/* the sales: Ann's TEE (outlet 1), Bob's MUG (outlet 1), a walk-in's TEE and MUG (outlet 2),
 * Ann's two MUGs (outlet 2), and Bob's web order #1042 (channel order id 555, outlet 1) */
static int64_t ann_tee, bob_mug, walkin, ann_mugs, web;
static int64_t ann_id;

static int64_t customer(const char *first, const char *last, const char *email)
{
    return th_create(&t, t.admin, "/api/v1/customers",
                     "{\"first_name\":\"%s\",\"last_name\":\"%s\",\"email\":\"%s\"}", first, last,
                     email);
}

static int64_t sale(int64_t outlet, int64_t cust, const char *lines)
{
    char c[64] = "";
    if (cust)
        snprintf(c, sizeof(c), ",\"customer_id\":%lld", (long long)cust);
    return th_create(&t, t.admin, "/api/v1/sales",
                     "{\"outlet_id\":%lld%s,\"allow_oversell\":true,\"lines\":%s}",
                     (long long)outlet, c, lines);
}

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    int64_t ann = customer("Ann", "Lee", "ann@example.com");
    ann_id = ann;
    int64_t bob = customer("Bob", "Stone", "bob.stone@shop.example");
    char tee[96], mug[96], both[192], mugs[96];
    snprintf(tee, sizeof(tee), "[{\"item_id\":%lld,\"quantity\":1,\"unit_price\":2500}]",
             (long long)f.tee);
    snprintf(mug, sizeof(mug), "[{\"item_id\":%lld,\"quantity\":1,\"unit_price\":1500}]",
             (long long)f.mug);
    snprintf(both, sizeof(both),
             "[{\"item_id\":%lld,\"quantity\":1,\"unit_price\":2500},"
             "{\"item_id\":%lld,\"quantity\":1,\"unit_price\":1500}]",
             (long long)f.tee, (long long)f.mug);
    snprintf(mugs, sizeof(mugs), "[{\"item_id\":%lld,\"quantity\":2,\"unit_price\":1500}]",
             (long long)f.mug);
    ann_tee = sale(1, ann, tee);
    bob_mug = sale(1, bob, mug);
    walkin = sale(2, 0, both);
    ann_mugs = sale(2, ann, mugs);
    th_sql_exec(&t, "INSERT INTO channels (id, kind, name, created_at, updated_at)"
                    " VALUES (7, 'shopify', 'Web', 'x', 'x')");
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO sales (id, outlet_id, customer_id, status, currency, subtotal,"
             " discount_total, tax_total, adjustment_total, total, paid_total, balance_due, source,"
             " channel_id, external_id, external_number, created_at, updated_at, business_day)"
             " VALUES (%lld, 1, %lld, 'completed', 'USD', 0, 0, 0, 0, 0, 0, 0, 'channel', 7,"
             " '555', '#1042', '2026-06-15T12:00:00Z', '2026-06-15T12:00:00Z', '2026-06-15')",
             (long long)ann_mugs + 1, (long long)bob);
    th_sql_exec(&t, sql);
    web = ann_mugs + 1;
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(sale_search, .init = setup, .fini = teardown);

/* The ids of a list's page, in order, as "a,b,c" (the page's JSON kept in *ret_page). */
static void ids_of(const char *token, const char *query, char *out, size_t cap, json_t **ret_page)
{
    char path[512];
    snprintf(path, sizeof(path), "/api/v1/sales?%s", query);
    json_t *page = th_get(&t, token, "%s", path);
    json_t *rows = json_object_get(page, "data");
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(rows); i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%lld", i ? "," : "",
                              (long long)th_int(json_array_get(rows, i), "id"));
    if (ret_page)
        *ret_page = page;
    else
        json_decref(page);
}

static void expect_ids(const char *token, const char *query, const char *want, ...)
    __attribute__((format(printf, 3, 4)));
static void expect_ids(const char *token, const char *query, const char *want, ...)
{
    char exp[256], got[256];
    va_list ap;
    va_start(ap, want);
    vsnprintf(exp, sizeof(exp), want, ap);
    va_end(ap);
    ids_of(token, query, got, sizeof(got), NULL);
    cr_expect_str_eq(got, exp, "GET /api/v1/sales?%s", query);
}

#define ID(x) ((long long)(x))

Test(sale_search, t2_by_number_order_number_email_name_and_sku_newest_first)
{
    char q[64];
    snprintf(q, sizeof(q), "q=%%23%lld&sort=-id", ID(bob_mug)); /* "#<n>" */
    expect_ids(t.admin, q, "%lld", ID(bob_mug));
    snprintf(q, sizeof(q), "q=%lld&sort=-id", ID(walkin)); /* the bare number */
    expect_ids(t.admin, q, "%lld", ID(walkin));
    expect_ids(t.admin, "q=%231042&sort=-id", "%lld", ID(web)); /* the web order's number */
    expect_ids(t.admin, "q=555&sort=-id", "%lld", ID(web));     /* the channel's order id */
    expect_ids(t.admin, "q=ann%40exa&sort=-id", "%lld,%lld", ID(ann_mugs), ID(ann_tee));
    expect_ids(t.admin, "q=ANN&sort=-id", "%lld,%lld", ID(ann_mugs), ID(ann_tee));
    expect_ids(t.admin, "q=ann%20l&sort=-id", "%lld,%lld", ID(ann_mugs), ID(ann_tee));
    expect_ids(t.admin, "q=stone&sort=-id", "%lld,%lld", ID(web), ID(bob_mug)); /* last name */
    expect_ids(t.admin, "q=MUG&sort=-id", "%lld,%lld,%lld", ID(ann_mugs), ID(walkin), ID(bob_mug));
    expect_ids(t.admin, "q=TEE", "%lld,%lld", ID(ann_tee), ID(walkin)); /* default: by id */
    expect_ids(t.admin, "q=nobody", "%s", "");
    expect_ids(t.admin, "q=MUG&sort=-id&outlet_id=2", "%lld,%lld", ID(ann_mugs), ID(walkin));
    expect_ids(t.admin, "sort=-id", "%lld,%lld,%lld,%lld,%lld", ID(web), ID(ann_mugs), ID(walkin),
               ID(bob_mug), ID(ann_tee));
}

/* Pages by keyset: newest first, and by total both ways (ties by id), each page after the
 * last row of the one before, never repeating or skipping a sale. */
Test(sale_search, t2_pages_follow_on_in_each_sort)
{
    const char *sorts[] = { "-id", "-total", "total" };
    for (size_t k = 0; k < 3; k++) {
        char all[256], paged[256] = "", q[128];
        snprintf(q, sizeof(q), "sort=%s&limit=100", sorts[k]);
        ids_of(t.admin, q, all, sizeof(all), NULL);
        int64_t after = 0;
        for (int pages = 0; pages < 10; pages++) {
            char got[256];
            json_t *page;
            if (after)
                snprintf(q, sizeof(q), "sort=%s&limit=2&after=%lld", sorts[k], (long long)after);
            else
                snprintf(q, sizeof(q), "sort=%s&limit=2", sorts[k]);
            ids_of(t.admin, q, got, sizeof(got), &page);
            if (got[0])
                snprintf(paged + strlen(paged), sizeof(paged) - strlen(paged), "%s%s",
                         paged[0] ? "," : "", got);
            json_t *next = json_object_get(page, "next_after");
            after = json_is_integer(next) ? json_integer_value(next) : 0;
            json_decref(page);
            if (!after)
                break;
        }
        cr_expect_str_eq(paged, all, "sort=%s: the pages are the whole list", sorts[k]);
    }
    /* the totals' order: 3000 (Ann's mugs), 4000 (walk-in)... largest first */
    char q[64];
    snprintf(q, sizeof(q), "sort=-total&limit=100");
    json_t *page;
    char got[256];
    ids_of(t.admin, q, got, sizeof(got), &page);
    json_t *rows = json_object_get(page, "data");
    for (size_t i = 1; i < json_array_size(rows); i++)
        cr_expect_geq(th_int(json_array_get(rows, i - 1), "total"),
                      th_int(json_array_get(rows, i), "total"), "largest first");
    json_decref(page);
}

/* The count says where a page is: how many sales the same filters match. */
Test(sale_search, t2_the_count_is_the_lists_own)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/sales?count=true&limit=2&sort=-id");
    cr_expect_eq(th_int(page, "total"), 5);
    cr_expect(json_is_false(json_object_get(page, "total_capped")));
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 2);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/sales?count=true&q=MUG");
    cr_expect_eq(th_int(page, "total"), 3);
    json_decref(page);
    page = th_get(&t, t.admin, "/api/v1/sales?limit=2");
    cr_expect_null(json_object_get(page, "total"), "counted only when asked");
    json_decref(page);
}

/* SEC2: a search sees only the caller's outlets (staff1 works at outlet 1). */
Test(sale_search, t2_a_search_sees_the_callers_outlets_only)
{
    expect_ids(f.staff1, "q=MUG&sort=-id", "%lld", ID(bob_mug));
    expect_ids(f.staff1, "q=ann&sort=-id", "%lld", ID(ann_tee));
    json_t *page = th_get(&t, f.staff1, "/api/v1/sales?count=true");
    cr_expect_eq(th_int(page, "total"), 3, "outlet 1's three sales");
    json_decref(page);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/sales?sort=-total&after=%lld", ID(walkin));
    th_expect_error(&t, "GET", path, f.staff1, NULL, 400, "invalid_query");
}

Test(sale_search, t2_bad_queries_are_refused_in_words)
{
    th_expect_error(&t, "GET", "/api/v1/sales?sort=newest", t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/sales?count=maybe", t.admin, NULL, 400, "invalid_query");
    char path[400] = "/api/v1/sales?q=";
    size_t n = strlen(path);
    memset(path + n, 'a', 201);
    path[n + 201] = '\0';
    th_expect_error(&t, "GET", path, t.admin, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/sales?sort=total&after=99999", t.admin, NULL, 400,
                    "invalid_query");
}

/* A customer's sales take the same search, orders and count; what the customer bought in the
 * caller's outlets is summed per currency, net of refunds, completed sales only. */
Test(sale_search, t2_a_customers_sales_and_what_they_bought)
{
    char path[160];
    snprintf(path, sizeof(path), "/api/v1/customers/%lld/sales?sort=-id&count=true", ID(ann_id));
    json_t *page = th_get(&t, t.admin, "%s", path);
    json_t *rows = json_object_get(page, "data");
    cr_assert_eq(json_array_size(rows), 2);
    cr_expect_eq(th_int(json_array_get(rows, 0), "id"), ann_mugs, "newest first");
    cr_expect_eq(th_int(json_array_get(rows, 1), "id"), ann_tee);
    cr_expect_eq(th_int(page, "total"), 2);
    json_decref(page);
    snprintf(path, sizeof(path), "/api/v1/customers/%lld/sales?q=MUG", ID(ann_id));
    page = th_get(&t, t.admin, "%s", path);
    rows = json_object_get(page, "data");
    cr_expect_eq(json_array_size(rows), 1);
    cr_expect_eq(th_int(json_array_get(rows, 0), "id"), ann_mugs);
    json_decref(page);

    /* nothing completed yet: both of Ann's sales are unpaid */
    snprintf(path, sizeof(path), "/api/v1/customers/%lld/summary", ID(ann_id));
    json_t *sum = th_get(&t, t.admin, "%s", path);
    cr_expect_eq(th_int(sum, "sales"), 0);
    cr_expect_eq(json_array_size(json_object_get(sum, "spend")), 0);
    cr_expect(json_is_null(json_object_get(sum, "last_purchase_at")));
    json_decref(sum);
    /* Ann pays for the T-shirt: one completed sale, its total spent */
    char sale_path[96];
    snprintf(sale_path, sizeof(sale_path), "/api/v1/sales/%lld", ID(ann_tee));
    json_t *s = th_get(&t, t.admin, "%s", sale_path);
    int64_t due = th_int(s, "balance_due"), total = th_int(s, "total");
    json_decref(s);
    snprintf(sale_path, sizeof(sale_path), "/api/v1/sales/%lld/payments", ID(ann_tee));
    cr_assert_gt(th_create(&t, t.admin, sale_path, "{\"payment_type_id\":%lld,\"amount\":%lld}",
                           (long long)f.cash, (long long)due),
                 0);
    s = th_get(&t, t.admin, "/api/v1/sales/%lld", ID(ann_tee));
    cr_assert_str_eq(th_str(s, "status"), "completed");
    sum = th_get(&t, t.admin, "%s", path);
    cr_expect_eq(th_int(sum, "sales"), 1);
    json_t *usd = json_array_get(json_object_get(sum, "spend"), 0);
    cr_assert_not_null(usd);
    cr_expect_str_eq(th_str(usd, "currency"), "USD");
    cr_expect_eq(th_int(usd, "amount"), total);
    cr_expect_eq(th_int(usd, "sales"), 1);
    cr_expect_str_eq(th_str(sum, "last_purchase_at"), th_str(s, "created_at"));
    json_decref(sum);
    json_decref(s);
    /* staff of outlet 2 do not see the outlet 1 sale: nothing bought there */
    sum = th_get(&t, f.staff2, "%s", path);
    cr_expect_eq(th_int(sum, "sales"), 0);
    json_decref(sum);
    th_expect_error(&t, "GET", "/api/v1/customers/999999/summary", t.admin, NULL, 404, "not_found");
}

/* The ids of a channel's orders list, in order, as "a,b,c". */
static void channel_order_ids(const char *query, char *out, size_t cap, int64_t *ret_next)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/7/orders?%s", query);
    json_t *rows = json_object_get(page, "data");
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(rows); i++)
        n += (size_t)snprintf(
            out + n, cap - n, "%s%s", i ? "," : "",
            json_string_value(json_object_get(json_array_get(rows, i), "external_id")));
    json_t *next = json_object_get(page, "next_after");
    if (ret_next)
        *ret_next = json_is_integer(next) ? json_integer_value(next) : 0;
    json_decref(page);
}

/* T2 on a channel's orders (issue 16 item 2): found by number with or without its '#'
 * (Shopify writes "#1042", Ecwid "1043") or by the channel's order id; newest first a
 * page at a time; bad queries refused in words. */
Test(sale_search, t2_a_channels_orders_by_number_newest_first)
{
    const char *rows[][2] = { { "555", "#1042" }, { "556", "1043" }, { "557", "#1044" } };
    for (size_t i = 0; i < 3; i++) {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO channel_orders (channel_id, external_id, number, state, version,"
                 " first_seen_at, updated_at) VALUES (7, '%s', '%s', 'downloaded', '1',"
                 " '2026-06-15T12:00:00Z', '2026-06-15T12:00:00Z')",
                 rows[i][0], rows[i][1]);
        th_sql_exec(&t, sql);
    }
    char got[128];
    channel_order_ids("q=1042", got, sizeof(got), NULL);
    cr_expect_str_eq(got, "555");
    channel_order_ids("q=%231042", got, sizeof(got), NULL);
    cr_expect_str_eq(got, "555");
    channel_order_ids("q=%231043", got, sizeof(got), NULL);
    cr_expect_str_eq(got, "556", "'#1043' finds the order the channel numbers 1043");
    channel_order_ids("q=557", got, sizeof(got), NULL);
    cr_expect_str_eq(got, "557", "by the channel's order id");
    channel_order_ids("q=104", got, sizeof(got), NULL);
    cr_expect_str_eq(got, "", "a number is matched whole");
    channel_order_ids("sort=-id", got, sizeof(got), NULL);
    cr_expect_str_eq(got, "557,556,555");
    channel_order_ids("", got, sizeof(got), NULL);
    cr_expect_str_eq(got, "555,556,557", "oldest first by default, as before");
    int64_t next = 0;
    channel_order_ids("sort=-id&limit=2", got, sizeof(got), &next);
    cr_expect_str_eq(got, "557,556");
    char q[64];
    snprintf(q, sizeof(q), "sort=-id&limit=2&after=%lld", (long long)next);
    channel_order_ids(q, got, sizeof(got), &next);
    cr_expect_str_eq(got, "555", "the next page holds the older one");
    th_expect_error(&t, "GET", "/api/v1/channels/7/orders?sort=newest", t.admin, NULL, 400,
                    "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/channels/7/orders?q=", t.admin, NULL, 400, "invalid_query");
}
