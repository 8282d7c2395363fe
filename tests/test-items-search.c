/*
 * Issue 16 item 1, the item list: GET /api/v1/items found by a code (SKU, UPC,
 * EAN, manufacturer SKU, exactly: that item alone) or else by text in the
 * name, SKU or description;
 * filtered (active, low stock at the caller's outlets or one of them); sorted
 * by id, name or SKU either way, a page at a time by keyset, with a capped
 * count; stock columns summed over the caller's outlets only (SEC2); bad
 * queries refused with the parameter named. Also the item page's channels
 * (GET /api/v1/items/{id}/channels) and the CSV export round trip.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
/* the fixture's TEE (1, "T-shirt"), MUG (2, "Mug"), GIFTWRAP (3, "Gift wrap"), and: */
static int64_t apron, bag, bag2;

static void level(const char *token, int64_t item, int64_t outlet, int64_t reorder)
{
    char body[128];
    snprintf(body, sizeof(body), "{\"item_id\":%lld,\"outlet_id\":%lld,\"reorder_point\":%lld}",
             (long long)item, (long long)outlet, (long long)reorder);
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/levels", token, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
}

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    apron = th_create(&t, f.manager, "/api/v1/items",
                      "{\"sku\":\"ZAP-1\",\"name\":\"apron\",\"description\":\"Kitchen, canvas\"}");
    bag = th_create(&t, f.manager, "/api/v1/items",
                    "{\"sku\":\"BAG\",\"name\":\"Bag\",\"active\":false}");
    bag2 = th_create(&t, f.manager, "/api/v1/items", "{\"sku\":\"BAG-2\",\"name\":\"bag\"}");
    /* TEE: 10 at Downtown (below 20), 5 at Uptown; MUG: 3 at Downtown, 0 at Uptown (below 1) */
    level(f.manager, f.tee, f.outlet1, 20);
    level(f.manager, f.mug, f.outlet2, 1);
    level(f.manager, f.mug, f.outlet1, 3); /* 3 is not below 3 */
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(items_search, .init = setup, .fini = teardown);

/* The ids of a page, in order, as "a,b,c" (the page kept in *ret_page when asked). */
static void ids_of(const char *token, const char *query, char *out, size_t cap, json_t **ret_page)
{
    json_t *page = th_get(&t, token, "/api/v1/items?%s", query);
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
    cr_expect_str_eq(got, exp, "GET /api/v1/items?%s", query);
}

#define ID(x) ((long long)(x))

Test(items_search, item1_by_code_exactly_and_by_text_anywhere)
{
    expect_ids(f.staff1, "q=012345678905", "%lld", ID(f.tee));  /* UPC */
    expect_ids(f.staff1, "q=4006381333931", "%lld", ID(f.tee)); /* EAN */
    expect_ids(f.staff1, "q=MFR-MUG", "%lld", ID(f.mug));       /* manufacturer SKU */
    expect_ids(f.staff1, "q=mfr-mug", "%s", "");                /* codes are exact */
    expect_ids(f.staff1, "q=01234567890", "%s", "");            /* no part of a code */
    expect_ids(f.staff1, "q=zap", "%lld", ID(apron));           /* in the SKU */
    expect_ids(f.staff1, "q=WRAP", "%lld", ID(f.giftwrap));     /* in the name, any case */
    expect_ids(f.staff1, "q=canvas", "%lld", ID(apron));        /* in the description */
    expect_ids(f.staff1, "q=bag&sort=name", "%lld,%lld", ID(bag), ID(bag2));
    expect_ids(f.staff1, "q=bag&active=true", "%lld", ID(bag2));
    /* a SKU typed exactly is that item alone; in another case it is text, found anywhere */
    expect_ids(f.staff1, "q=BAG&sort=name", "%lld", ID(bag));
    expect_ids(f.staff1, "q=TEE", "%lld", ID(f.tee));
    /* a text search pages as the list does (names tie: by id) */
    char q[96];
    expect_ids(f.staff1, "q=bag&sort=-name&limit=1", "%lld", ID(bag2));
    snprintf(q, sizeof(q), "q=bag&sort=-name&limit=1&after=%lld", ID(bag2));
    expect_ids(f.staff1, q, "%lld", ID(bag));
    snprintf(q, sizeof(q), "q=a&sort=sku&limit=2&after=%lld", ID(bag2));
    expect_ids(f.staff1, q, "%lld,%lld", ID(f.giftwrap), ID(apron)); /* "a" in gift wrap, apron */
    expect_ids(f.staff1, "active=false", "%lld", ID(bag));
    expect_ids(f.staff1, "q=nothing-like-it", "%s", "");
}

Test(items_search, item1_sorts_page_by_keyset)
{
    /* names, case-insensitively: apron, Bag, bag (tie: by id), Gift wrap, Mug, T-shirt */
    expect_ids(f.staff1, "sort=name", "%lld,%lld,%lld,%lld,%lld,%lld", ID(apron), ID(bag), ID(bag2),
               ID(f.giftwrap), ID(f.mug), ID(f.tee));
    char q[96];
    expect_ids(f.staff1, "sort=name&limit=2", "%lld,%lld", ID(apron), ID(bag));
    snprintf(q, sizeof(q), "sort=name&limit=2&after=%lld", ID(bag));
    expect_ids(f.staff1, q, "%lld,%lld", ID(bag2), ID(f.giftwrap));
    snprintf(q, sizeof(q), "sort=name&limit=2&after=%lld", ID(f.giftwrap));
    expect_ids(f.staff1, q, "%lld,%lld", ID(f.mug), ID(f.tee));
    expect_ids(f.staff1, "sort=-name&limit=3", "%lld,%lld,%lld", ID(f.tee), ID(f.mug),
               ID(f.giftwrap));
    snprintf(q, sizeof(q), "sort=-name&limit=3&after=%lld", ID(f.giftwrap));
    expect_ids(f.staff1, q, "%lld,%lld,%lld", ID(bag2), ID(bag), ID(apron));
    /* SKUs: BAG, BAG-2, GIFTWRAP, MUG, TEE, ZAP-1 */
    expect_ids(f.staff1, "sort=sku", "%lld,%lld,%lld,%lld,%lld,%lld", ID(bag), ID(bag2),
               ID(f.giftwrap), ID(f.mug), ID(f.tee), ID(apron));
    snprintf(q, sizeof(q), "sort=sku&limit=2&after=%lld", ID(bag2));
    expect_ids(f.staff1, q, "%lld,%lld", ID(f.giftwrap), ID(f.mug));
    snprintf(q, sizeof(q), "sort=-sku&limit=2&after=%lld", ID(f.mug));
    expect_ids(f.staff1, q, "%lld,%lld", ID(f.giftwrap), ID(bag2));
    expect_ids(f.staff1, "sort=-id&limit=2", "%lld,%lld", ID(bag2), ID(bag));
    snprintf(q, sizeof(q), "sort=-id&after=%lld", ID(f.mug));
    expect_ids(f.staff1, q, "%lld", ID(f.tee));
    /* a full page says where the next one starts; a short one does not */
    json_t *page;
    char got[64];
    ids_of(f.staff1, "sort=name&limit=2&count=true", got, sizeof(got), &page);
    cr_expect_eq(th_int(page, "next_after"), ID(bag));
    cr_expect_eq(th_int(page, "total"), 6);
    cr_expect(json_is_false(json_object_get(page, "total_capped")));
    json_decref(page);
    ids_of(f.staff1, "q=bag&count=true", got, sizeof(got), &page);
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    cr_expect_eq(th_int(page, "total"), 2);
    json_decref(page);
}

Test(items_search, item1_low_stock_at_the_callers_outlets_sec2)
{
    /* staff1 works at Downtown: TEE (10 < 20); staff2 at Uptown: MUG (0 < 1) */
    expect_ids(f.staff1, "low_stock=true", "%lld", ID(f.tee));
    expect_ids(f.staff2, "low_stock=true", "%lld", ID(f.mug));
    expect_ids(f.manager, "low_stock=true", "%lld,%lld", ID(f.tee), ID(f.mug));
    expect_ids(f.manager, "low_stock=true&outlet_id=2", "%lld", ID(f.mug));
    expect_ids(f.manager, "low_stock=true&outlet_id=1&sort=-name", "%lld", ID(f.tee));
    expect_ids(f.manager, "low_stock=false&sort=id&limit=1", "%lld", ID(f.tee));
    /* the stock columns sum the caller's outlets only */
    json_t *page = th_get(&t, f.staff1, "/api/v1/items?sku=TEE");
    json_t *row = json_array_get(json_object_get(page, "data"), 0);
    cr_expect_eq(th_int(row, "on_hand"), 10);
    cr_expect_eq(th_int(row, "available"), 10);
    cr_expect(json_is_true(json_object_get(row, "low_stock")));
    cr_expect_eq(json_array_size(json_object_get(row, "prices")), 2);
    json_decref(page);
    page = th_get(&t, f.manager, "/api/v1/items?sku=TEE");
    row = json_array_get(json_object_get(page, "data"), 0);
    cr_expect_eq(th_int(row, "on_hand"), 15);
    json_decref(page);
    page = th_get(&t, f.staff2, "/api/v1/items?sku=TEE");
    row = json_array_get(json_object_get(page, "data"), 0);
    cr_expect_eq(th_int(row, "on_hand"), 5);
    cr_expect(json_is_false(json_object_get(row, "low_stock")));
    json_decref(page);
    /* another's outlet is refused, not answered empty */
    th_expect_error(&t, "GET", "/api/v1/items?low_stock=true&outlet_id=2", f.staff1, NULL, 403,
                    "outlet_forbidden");
}

Test(items_search, item1_bad_queries_name_the_parameter)
{
    const struct {
        const char *query;
        long status;
        const char *code, *field;
    } bad[] = {
        { "sort=price", 400, "invalid_query", "sort" },
        { "low_stock=maybe", 400, "invalid_query", "low_stock" },
        { "count=2", 400, "invalid_query", "count" },
        { "outlet_id=abc", 400, "invalid_query", "outlet_id" },
        { "sort=name&after=999", 400, "invalid_query", "after" },
        { "sort=-sku&after=999", 400, "invalid_query", "after" },
        { "limit=0", 400, "invalid_query", "limit" },
        { "outlet_id=9", 403, "outlet_forbidden", "outlet_id" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/items?%s", bad[i].query);
        struct th_resp r = th_req(&t, "GET", path, f.staff1, NULL);
        cr_expect_eq(r.status, bad[i].status, "%s: %ld %s", bad[i].query, r.status, r.body);
        json_t *e = json_object_get(r.json, "error");
        cr_expect_str_eq(th_str(e, "code"), bad[i].code, "%s", bad[i].query);
        cr_expect_str_eq(th_str(e, "field"), bad[i].field, "%s", bad[i].query);
        th_resp_free(&r);
    }
    char q[300] = "/api/v1/items?sort=name&q=";
    memset(q + strlen(q), 'a', 210);
    th_expect_error(&t, "GET", q, f.staff1, NULL, 400, "invalid_query");
}

/* The item page's channels: those the caller may see (SEC2), how each knows the item and what
 * it was last sent. */
Test(items_search, item1_channels_of_an_item)
{
    th_sql_exec(&t,
                "INSERT INTO channels (id, kind, name, created_at, updated_at)"
                " VALUES (7, 'shopify', 'Web', 'x', 'x'), (8, 'shopify', 'Outlet web', 'x', 'x');"
                "INSERT INTO channel_outlets (channel_id, outlet_id, priority)"
                " VALUES (7, 1, 1), (8, 2, 1);"
                "INSERT INTO channel_items (channel_id, item_id, sku, external_item_id,"
                " checked_at) VALUES (7, 1, 'TEE', 'gid://1', '2026-03-01T10:00:00Z'),"
                " (8, 1, 'TEE', NULL, '2026-03-01T10:00:00Z');"
                "INSERT INTO channel_sent (channel_id, item_id, quantity, stock_sent_at)"
                " VALUES (7, 1, 15, '2026-03-02T09:30:00Z')");
    json_t *doc = th_get(&t, f.staff1, "/api/v1/items/%lld/channels", ID(f.tee));
    json_t *rows = json_object_get(doc, "data");
    cr_assert_eq(json_array_size(rows), 1, "staff1 sees the channel of Downtown only");
    json_t *c = json_array_get(rows, 0);
    cr_expect_eq(th_int(c, "channel_id"), 7);
    cr_expect_str_eq(th_str(c, "status"), "on_channel");
    cr_expect_str_eq(th_str(c, "external_item_id"), "gid://1");
    json_t *sent = json_object_get(json_object_get(c, "sent"), "stock");
    cr_expect_eq(th_int(sent, "quantity"), 15);
    cr_expect_str_eq(th_str(sent, "sent_at"), "2026-03-02T09:30:00Z");
    cr_expect(json_is_null(json_object_get(json_object_get(c, "sent"), "price")));
    json_decref(doc);
    doc = th_get(&t, f.manager, "/api/v1/items/%lld/channels", ID(f.tee));
    rows = json_object_get(doc, "data");
    cr_assert_eq(json_array_size(rows), 2);
    cr_expect_str_eq(th_str(json_array_get(rows, 1), "status"), "not_on_channel");
    json_decref(doc);
    doc = th_get(&t, f.manager, "/api/v1/items/%lld/channels", ID(f.mug));
    cr_expect_str_eq(th_str(json_array_get(json_object_get(doc, "data"), 0), "status"),
                     "not_looked_up");
    json_decref(doc);
    th_expect_error(&t, "GET", "/api/v1/items/999/channels", f.staff1, NULL, 404, "not_found");
}

/* The export writes the columns the import reads (and each outlet's on hand, which it
 * ignores): imported again unchanged, it changes nothing. */
Test(items_search, item1_export_round_trips_through_the_import)
{
    struct th_resp r = th_req(&t, "GET", "/api/v1/items/export", f.staff1, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    const char *header = "sku,name,upc,ean,manufacturer_sku,description,default_cost,msrp,"
                         "tax_class,track_stock,active,price:Default,price:Sale,"
                         "on_hand:Downtown\r\n";
    cr_expect(strncmp(r.body, header, strlen(header)) == 0, "%s", r.body);
    cr_expect(strstr(r.body, "\r\nTEE,T-shirt,012345678905,4006381333931,MFR-TEE,,8.00,25.00,"
                             "standard,true,true,20.00,15.00,10\r\n"),
              "%s", r.body);
    cr_expect(strstr(r.body, "\r\nZAP-1,apron,,,,\"Kitchen, canvas\",0.00,0.00,standard,true,"
                             "true,,,0\r\n"),
              "%s", r.body);
    cr_expect(strstr(r.body, "\r\nBAG,Bag,,,,,0.00,0.00,standard,true,false,,,0\r\n"), "%s",
              r.body);
    /* six items and the header */
    size_t lines = 0;
    for (const char *p = r.body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    cr_expect_eq(lines, 7);
    struct th_resp imp = th_req_raw(&t, "POST", "/api/v1/items/import", f.manager, "text/csv",
                                    r.body, strlen(r.body));
    cr_expect_eq(imp.status, 200, "%s", imp.body);
    cr_expect_eq(th_int(imp.json, "updated"), 6);
    cr_expect_eq(th_int(imp.json, "created"), 0);
    th_resp_free(&imp);
    /* the rows were written again, but hold what they held (their times aside) */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items WHERE sku = 'ZAP-1'"
                                " AND description = 'Kitchen, canvas' AND active"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT amount FROM item_prices WHERE item_id = 1"
                                " AND price_level_id = 2"),
                 1500);
    cr_expect_eq(th_sql_int(&t, "SELECT on_hand FROM stock WHERE item_id = 1 AND outlet_id = 1"),
                 10);
    th_resp_free(&r);
    /* the manager sees both outlets' columns */
    r = th_req(&t, "GET", "/api/v1/items/export", f.manager, NULL);
    cr_expect(strstr(r.body, ",on_hand:Downtown,on_hand:Uptown\r\n"), "%s", r.body);
    th_resp_free(&r);
    th_expect_error(&t, "GET", "/api/v1/items/export?currency=XX", f.staff1, NULL, 400,
                    "invalid_query");
}
