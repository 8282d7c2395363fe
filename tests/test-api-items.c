/*
 * /api/v1/items, /api/v1/price-levels and the CSV import (HTTP and
 * `stockbridge items import`) end to end: CRUD, filters, pagination,
 * barcode checks, prices, stock per outlet on GET, roles, every kind of
 * bad input, and imports that either write every row or nothing.
 */
#include "harness.h"

#include <criterion/criterion.h>
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
    th_stop(&t);
}

TestSuite(items, .init = setup, .fini = teardown);
TestSuite(price_levels, .init = setup, .fini = teardown);
TestSuite(import, .init = setup, .fini = teardown);

static const char *err_field(struct th_resp *r)
{
    return th_str(json_object_get(r->json, "error"), "field");
}

/* The ids of a list page, comma-separated: "1,2,5". */
static void ids_of(json_t *page, char *buf, size_t cap)
{
    size_t n = 0, i;
    json_t *row;
    buf[0] = '\0';
    json_array_foreach(json_object_get(page, "data"), i, row) n +=
        (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "", (long long)th_int(row, "id"));
}

static void expect_list(const char *query, const char *want)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/items%s", query);
    char got[256];
    ids_of(page, got, sizeof(got));
    cr_expect_str_eq(got, want, "GET /api/v1/items%s", query);
    json_decref(page);
}

/* ---- items ---- */

Test(items, create_and_get_with_prices_and_stock)
{
    int64_t id = th_create(&t, f.manager, "/api/v1/items",
                           "{\"sku\":\"CAP-1\",\"name\":\"Cap\",\"upc\":\"042100005264\","
                           "\"ean\":\"5901234123457\",\"manufacturer_sku\":\"MFR-CAP\","
                           "\"description\":\"Blue cap\",\"default_cost\":650,\"msrp\":1999,"
                           "\"tax_class\":\"reduced\",\"track_stock\":true,\"active\":true,"
                           "\"prices\":[{\"price_level_id\":2,\"amount\":1500},"
                           "{\"price_level_id\":1,\"amount\":1800}]}");
    cr_expect_eq(id, 4);
    json_t *it = th_get(&t, f.staff1, "/api/v1/items/%lld", (long long)id);
    cr_expect_str_eq(th_str(it, "sku"), "CAP-1");
    cr_expect_str_eq(th_str(it, "name"), "Cap");
    cr_expect_str_eq(th_str(it, "upc"), "042100005264");
    cr_expect_str_eq(th_str(it, "ean"), "5901234123457");
    cr_expect_str_eq(th_str(it, "manufacturer_sku"), "MFR-CAP");
    cr_expect_str_eq(th_str(it, "description"), "Blue cap");
    cr_expect_eq(th_int(it, "default_cost"), 650);
    cr_expect_eq(th_int(it, "msrp"), 1999);
    cr_expect_str_eq(th_str(it, "tax_class"), "reduced");
    cr_expect(json_is_true(json_object_get(it, "track_stock")));
    cr_expect(json_is_true(json_object_get(it, "active")));
    cr_expect(th_str(it, "created_at") && th_str(it, "updated_at"));
    json_t *prices = json_object_get(it, "prices");
    cr_assert_eq(json_array_size(prices), 2);
    cr_expect_eq(th_int(json_array_get(prices, 0), "price_level_id"), 1);
    cr_expect_str_eq(th_str(json_array_get(prices, 0), "name"), "Default");
    cr_expect_eq(th_int(json_array_get(prices, 0), "amount"), 1800);
    cr_expect_eq(th_int(json_array_get(prices, 1), "price_level_id"), 2);
    cr_expect_str_eq(th_str(json_array_get(prices, 1), "name"), "Sale");
    cr_expect_eq(th_int(json_array_get(prices, 1), "amount"), 1500);
    /* staff1 sees the stock of outlet 1 only; a new item has zeros */
    json_t *stock = json_object_get(it, "stock");
    cr_assert_eq(json_array_size(stock), 1);
    json_t *s = json_array_get(stock, 0);
    cr_expect_eq(th_int(s, "outlet_id"), 1);
    cr_expect_eq(th_int(s, "on_hand"), 0);
    cr_expect_eq(th_int(s, "available"), 0);
    json_decref(it);
}

Test(items, defaults_and_no_stock_on_create_response)
{
    struct th_resp r =
        th_req(&t, "POST", "/api/v1/items", f.manager, "{\"sku\":\"PLAIN\",\"name\":\"Plain\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "tax_class"), "standard");
    cr_expect(json_is_true(json_object_get(r.json, "track_stock")));
    cr_expect(json_is_true(json_object_get(r.json, "active")));
    cr_expect_eq(th_int(r.json, "default_cost"), 0);
    cr_expect_eq(th_int(r.json, "msrp"), 0);
    cr_expect(json_is_null(json_object_get(r.json, "upc")));
    cr_expect(json_is_null(json_object_get(r.json, "description")));
    cr_expect_eq(json_array_size(json_object_get(r.json, "prices")), 0);
    cr_expect_null(json_object_get(r.json, "stock")); /* only GET /{id} has stock */
    th_resp_free(&r);
}

Test(items, get_shows_stock_for_the_callers_outlets)
{
    json_t *it = th_get(&t, f.manager, "/api/v1/items/%lld", (long long)f.tee);
    json_t *stock = json_object_get(it, "stock");
    cr_assert_eq(json_array_size(stock), 2);
    cr_expect_eq(th_int(json_array_get(stock, 0), "outlet_id"), 1);
    cr_expect_eq(th_int(json_array_get(stock, 0), "on_hand"), 10);
    cr_expect_eq(th_int(json_array_get(stock, 1), "outlet_id"), 2);
    cr_expect_eq(th_int(json_array_get(stock, 1), "on_hand"), 5);
    json_decref(it);
    it = th_get(&t, f.staff2, "/api/v1/items/%lld", (long long)f.tee);
    stock = json_object_get(it, "stock");
    cr_assert_eq(json_array_size(stock), 1);
    cr_expect_eq(th_int(json_array_get(stock, 0), "outlet_id"), 2);
    cr_expect_eq(th_int(json_array_get(stock, 0), "on_hand"), 5);
    cr_expect_eq(th_int(json_array_get(stock, 0), "reserved"), 0);
    cr_expect_eq(th_int(json_array_get(stock, 0), "available"), 5);
    cr_expect_eq(th_int(json_array_get(stock, 0), "on_order"), 0);
    cr_expect_eq(th_int(json_array_get(stock, 0), "reorder_point"), 0);
    cr_expect_eq(th_int(json_array_get(stock, 0), "max_level"), 0);
    json_decref(it);
}

Test(items, patch_changes_given_fields_and_replaces_prices)
{
    const char *path = "/api/v1/items/1";
    struct th_resp r =
        th_req(&t, "PATCH", path, f.manager, "{\"name\":\"Tee shirt\",\"upc\":null,\"msrp\":2600}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "name"), "Tee shirt");
    cr_expect(json_is_null(json_object_get(r.json, "upc")));
    cr_expect_eq(th_int(r.json, "msrp"), 2600);
    cr_expect_str_eq(th_str(r.json, "sku"), "TEE"); /* untouched */
    cr_expect_str_eq(th_str(r.json, "ean"), "4006381333931");
    cr_expect_eq(th_int(r.json, "default_cost"), 800);
    cr_expect_eq(json_array_size(json_object_get(r.json, "prices")), 2); /* untouched */
    th_resp_free(&r);

    /* a price list replaces the whole list */
    r = th_req(&t, "PATCH", path, f.manager,
               "{\"prices\":[{\"price_level_id\":2,\"amount\":1400}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *prices = json_object_get(r.json, "prices");
    cr_assert_eq(json_array_size(prices), 1);
    cr_expect_eq(th_int(json_array_get(prices, 0), "price_level_id"), 2);
    cr_expect_eq(th_int(json_array_get(prices, 0), "amount"), 1400);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM item_prices WHERE item_id = 1"), 1);

    r = th_req(&t, "PATCH", path, f.manager, "{\"prices\":[],\"track_stock\":false}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(json_array_size(json_object_get(r.json, "prices")), 0);
    cr_expect(json_is_false(json_object_get(r.json, "track_stock")));
    th_resp_free(&r);

    /* the SKU can change, but not to one that exists */
    r = th_req(&t, "PATCH", path, f.manager, "{\"sku\":\"TEE-2\"}");
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "sku"), "TEE-2");
    th_resp_free(&r);
    r = th_req(&t, "PATCH", path, f.manager, "{\"sku\":\"MUG\"}");
    cr_expect_eq(r.status, 409);
    cr_expect_str_eq(err_field(&r), "sku");
    th_resp_free(&r);
}

Test(items, duplicate_sku_is_409_on_sku)
{
    uint64_t before = th_fingerprint(&t);
    struct th_resp r =
        th_req(&t, "POST", "/api/v1/items", f.manager, "{\"sku\":\"TEE\",\"name\":\"Again\"}");
    cr_expect_eq(r.status, 409);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "code"), "duplicate");
    cr_expect_str_eq(err_field(&r), "sku");
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before);
}

Test(items, unknown_price_level_names_the_entry)
{
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = th_req(&t, "POST", "/api/v1/items", f.manager,
                              "{\"sku\":\"NEW\",\"name\":\"New\",\"prices\":["
                              "{\"price_level_id\":1,\"amount\":100},"
                              "{\"price_level_id\":9,\"amount\":100}]}");
    cr_expect_eq(r.status, 422);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "code"), "unknown_reference");
    cr_expect_str_eq(err_field(&r), "prices[1].price_level_id");
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before);
    th_expect_error(&t, "PATCH", "/api/v1/items/1", f.manager,
                    "{\"prices\":[{\"price_level_id\":99,\"amount\":1}]}", 422,
                    "unknown_reference");
}

Test(items, filters)
{
    th_create(&t, f.manager, "/api/v1/items",
              "{\"sku\":\"POSTER\",\"name\":\"Poster\",\"description\":\"A big TEE print\"}");
    th_create(&t, f.manager, "/api/v1/items", "{\"sku\":\"PCT\",\"name\":\"100%% cotton bag\"}");
    expect_list("", "1,2,3,4,5");
    expect_list("?sku=TEE", "1");
    expect_list("?sku=tee", ""); /* SKU is exact */
    expect_list("?upc=036000291452", "2");
    expect_list("?ean=4006381333931", "1");
    expect_list("?manufacturer_sku=MFR-MUG", "2");
    expect_list("?q=tee", "1,4"); /* SKU TEE and the poster's description */
    expect_list("?q=T-SHIRT", "1");
    expect_list("?q=mug", "2");
    expect_list("?q=gift%20w", "3");
    expect_list("?q=%25", "5"); /* a literal %, not a wildcard */
    expect_list("?q=_", "");
    expect_list("?q=nothing", "");
    expect_list("?sku=TEE&q=shirt", "1");
    expect_list("?sku=TEE&q=mug", "");
    expect_list("?active=true", "1,2,3,4,5");
    expect_list("?active=false", "");
    /* each row carries its prices */
    json_t *page = th_get(&t, f.staff1, "/api/v1/items?sku=TEE");
    json_t *row = json_array_get(json_object_get(page, "data"), 0);
    cr_expect_eq(json_array_size(json_object_get(row, "prices")), 2);
    cr_expect_null(json_object_get(row, "stock"));
    json_decref(page);
}

Test(items, pagination)
{
    for (int i = 0; i < 4; i++)
        th_create(&t, f.manager, "/api/v1/items", "{\"sku\":\"P%d\",\"name\":\"Page %d\"}", i, i);
    json_t *page = th_get(&t, f.staff1, "/api/v1/items?limit=3");
    char got[64];
    ids_of(page, got, sizeof(got));
    cr_expect_str_eq(got, "1,2,3");
    cr_expect_eq(th_int(page, "next_after"), 3);
    json_decref(page);
    page = th_get(&t, f.staff1, "/api/v1/items?limit=3&after=3");
    ids_of(page, got, sizeof(got));
    cr_expect_str_eq(got, "4,5,6");
    cr_expect_eq(th_int(page, "next_after"), 6);
    json_decref(page);
    page = th_get(&t, f.staff1, "/api/v1/items?limit=3&after=6");
    ids_of(page, got, sizeof(got));
    cr_expect_str_eq(got, "7");
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);
}

Test(items, barcodes_are_checked)
{
    const char *P = "/api/v1/items";
    /* wrong check digit, wrong length, letters, empty */
    th_expect_error(&t, "POST", P, f.manager,
                    "{\"sku\":\"B\",\"name\":\"B\",\"upc\":\"012345678906\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, f.manager,
                    "{\"sku\":\"B\",\"name\":\"B\",\"upc\":\"01234567890\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, f.manager, "{\"sku\":\"B\",\"name\":\"B\",\"upc\":\"\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, f.manager,
                    "{\"sku\":\"B\",\"name\":\"B\",\"ean\":\"4006381333932\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, f.manager,
                    "{\"sku\":\"B\",\"name\":\"B\",\"ean\":\"012345678905\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, f.manager,
                    "{\"sku\":\"B\",\"name\":\"B\",\"ean\":\"40063813339a1\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "PATCH", "/api/v1/items/1", f.manager, "{\"ean\":\"123\"}", 422,
                    "invalid_field");
    struct th_resp r =
        th_req(&t, "POST", P, f.manager, "{\"sku\":\"B\",\"name\":\"B\",\"upc\":\"036000291453\"}");
    cr_expect_str_eq(err_field(&r), "upc");
    th_resp_free(&r);
    /* valid ones pass */
    th_create(&t, f.manager, P,
              "{\"sku\":\"B\",\"name\":\"B\",\"upc\":\"036000291452\","
              "\"ean\":\"0036000291452\"}");
}

Test(items, roles_and_auth)
{
    const char *body = "{\"sku\":\"S\",\"name\":\"S\"}";
    th_expect_error(&t, "POST", "/api/v1/items", f.staff1, body, 403, "forbidden");
    th_expect_error(&t, "PATCH", "/api/v1/items/1", f.staff1, "{\"name\":\"X\"}", 403, "forbidden");
    th_expect_error(&t, "POST", "/api/v1/items", NULL, body, 401, "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/items", "sb_wrong", NULL, 401, "unauthorized");
    json_decref(th_get(&t, f.staff2, "/api/v1/items/2")); /* items are store-wide */
    th_create(&t, t.admin, "/api/v1/items", "{\"sku\":\"ADM\",\"name\":\"By admin\"}");
}

Test(items, bad_input)
{
    const char *P = "/api/v1/items";
    const char *M = f.manager;
    th_expect_error(&t, "POST", P, M, "{\"sku\":", 400, "invalid_json");
    th_expect_error(&t, "POST", P, M, "[]", 400, "invalid_json");
    th_expect_error(&t, "POST", P, M, "{\"name\":\"X\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":null,\"name\":\"X\"}", 422, "missing_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"\",\"name\":\"X\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"A B\",\"name\":\"X\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"A\\u0001\",\"name\":\"X\"}", 422,
                    "invalid_field");
    th_expect_error(
        &t, "POST", P, M,
        "{\"sku\":\"12345678901234567890123456789012345678901234567890123456789012345\","
        "\"name\":\"X\"}",
        422, "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":7,\"name\":\"X\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"default_cost\":-1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"msrp\":12.5}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"msrp\":\"12\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"track_stock\":1}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"tax_class\":\"\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"colour\":\"red\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"prices\":{}}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M, "{\"sku\":\"X\",\"name\":\"X\",\"prices\":[1]}", 422,
                    "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"sku\":\"X\",\"name\":\"X\",\"prices\":[{\"price_level_id\":1}]}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"sku\":\"X\",\"name\":\"X\",\"prices\":[{\"price_level_id\":1,"
                    "\"amount\":-1}]}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"sku\":\"X\",\"name\":\"X\",\"prices\":[{\"price_level_id\":0,"
                    "\"amount\":1}]}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"sku\":\"X\",\"name\":\"X\",\"prices\":[{\"price_level_id\":1,"
                    "\"amount\":1},{\"price_level_id\":1,\"amount\":2}]}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", P, M,
                    "{\"sku\":\"X\",\"name\":\"X\",\"prices\":[{\"price_level_id\":1,"
                    "\"amount\":1,\"currency\":\"USD\"}]}",
                    422, "invalid_field");
    th_expect_error(&t, "GET", "/api/v1/items/999", M, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/items/0", M, NULL, 404, "not_found");
    th_expect_error(&t, "PATCH", "/api/v1/items/999", M, "{\"name\":\"Z\"}", 404, "not_found");
    th_expect_error(&t, "PATCH", "/api/v1/items/1", M, "{\"name\":null,\"sku\":\"\"}", 422,
                    "invalid_field");
    th_expect_error(&t, "PATCH", "/api/v1/items/1", M, "{\"tax_class\":5}", 422, "invalid_field");
    th_expect_error(&t, "DELETE", "/api/v1/items/1", M, NULL, 405, "method_not_allowed");
    th_expect_error(&t, "GET", "/api/v1/items?limit=0", M, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/items?after=x", M, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/items?active=maybe", M, NULL, 400, "invalid_query");
    char q[300] = "/api/v1/items?q=";
    memset(q + strlen(q), 'a', 210);
    th_expect_error(&t, "GET", q, M, NULL, 400, "invalid_query");
}

/* ---- price levels ---- */

Test(price_levels, crud)
{
    int64_t id = th_create(&t, t.admin, "/api/v1/price-levels", "{\"name\":\"Wholesale\"}");
    cr_expect_eq(id, 3);
    json_t *l = th_get(&t, f.staff1, "/api/v1/price-levels/%lld", (long long)id);
    cr_expect_str_eq(th_str(l, "name"), "Wholesale");
    cr_expect(th_str(l, "created_at") && th_str(l, "updated_at"));
    json_decref(l);
    struct th_resp r =
        th_req(&t, "PATCH", "/api/v1/price-levels/3", t.admin, "{\"name\":\"Trade\"}");
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(th_str(r.json, "name"), "Trade");
    cr_expect_eq(th_int(r.json, "id"), 3);
    th_resp_free(&r);
    /* a renamed level shows its new name on item prices */
    r = th_req(&t, "PATCH", "/api/v1/price-levels/2", t.admin, "{\"name\":\"Clearance\"}");
    th_resp_free(&r);
    json_t *it = th_get(&t, f.staff1, "/api/v1/items/1");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(it, "prices"), 1), "name"), "Clearance");
    json_decref(it);

    json_t *page = th_get(&t, f.staff1, "/api/v1/price-levels?limit=2");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 2);
    cr_expect_eq(th_int(page, "next_after"), 2);
    json_decref(page);
    page = th_get(&t, f.staff1, "/api/v1/price-levels?after=2");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 1);
    cr_expect_str_eq(th_str(json_array_get(json_object_get(page, "data"), 0), "name"), "Trade");
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);
}

Test(price_levels, bad_input)
{
    const char *P = "/api/v1/price-levels";
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\"Sale\"}", 409, "duplicate");
    th_expect_error(&t, "PATCH", "/api/v1/price-levels/1", t.admin, "{\"name\":\"Sale\"}", 409,
                    "duplicate");
    th_expect_error(&t, "POST", P, t.admin, "{}", 422, "missing_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\"\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\" \"}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":3}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\":\"A\",\"rank\":1}", 422, "invalid_field");
    th_expect_error(&t, "POST", P, t.admin, "{\"name\"", 400, "invalid_json");
    th_expect_error(&t, "POST", P, f.manager, "{\"name\":\"M\"}", 403, "forbidden");
    th_expect_error(&t, "POST", P, f.staff1, "{\"name\":\"M\"}", 403, "forbidden");
    th_expect_error(&t, "POST", P, NULL, "{\"name\":\"M\"}", 401, "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/price-levels/9", f.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "PATCH", "/api/v1/price-levels/9", t.admin, "{\"name\":\"N\"}", 404,
                    "not_found");
    th_expect_error(&t, "GET", "/api/v1/price-levels?limit=501", f.staff1, NULL, 400,
                    "invalid_query");
}

/* ---- CSV import ---- */

static struct th_resp post_csv(const char *token, const char *csv, size_t len)
{
    return th_req_raw(&t, "POST", "/api/v1/items/import", token, "text/csv", csv, len);
}

/* Posts csv and expects an error with nothing written; returns the response to inspect. */
static struct th_resp expect_csv_error(const char *csv, long status, const char *code)
{
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = post_csv(f.manager, csv, strlen(csv));
    cr_expect_eq(r.status, status, "%s -> %ld %s", csv, r.status, r.body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "code"), code, "%s", r.body);
    cr_expect_eq(th_fingerprint(&t), before, "the import changed the database");
    return r;
}

static void expect_counts(struct th_resp *r, int64_t created, int64_t updated)
{
    cr_expect_eq(r->status, 200, "%s", r->body);
    cr_expect_eq(th_int(r->json, "created"), created, "%s", r->body);
    cr_expect_eq(th_int(r->json, "updated"), updated, "%s", r->body);
}

Test(import, creates_and_updates)
{
    const char *csv = "sku,name,upc,default_cost,msrp,tax_class,track_stock,price:Default,"
                      "price:sale\n"
                      "HAT,Hat,042100005264,4.50,12,reduced,no,10.00,8.5\n"
                      "MUG,Big mug,,,,,,13.75,\n";
    struct th_resp r = post_csv(f.manager, csv, strlen(csv));
    expect_counts(&r, 1, 1);
    th_resp_free(&r);
    json_t *page = th_get(&t, f.staff1, "/api/v1/items?sku=HAT");
    json_t *hat = json_array_get(json_object_get(page, "data"), 0);
    cr_assert_not_null(hat);
    cr_expect_eq(th_int(hat, "id"), 4);
    cr_expect_str_eq(th_str(hat, "name"), "Hat");
    cr_expect_str_eq(th_str(hat, "upc"), "042100005264");
    cr_expect_eq(th_int(hat, "default_cost"), 450);
    cr_expect_eq(th_int(hat, "msrp"), 1200);
    cr_expect_str_eq(th_str(hat, "tax_class"), "reduced");
    cr_expect(json_is_false(json_object_get(hat, "track_stock")));
    json_t *prices = json_object_get(hat, "prices");
    cr_assert_eq(json_array_size(prices), 2);
    cr_expect_eq(th_int(json_array_get(prices, 0), "amount"), 1000);
    cr_expect_eq(th_int(json_array_get(prices, 1), "amount"), 850);
    json_decref(page);
    /* MUG: name and Default price changed; empty cells left the rest alone */
    json_t *mug = th_get(&t, f.staff1, "/api/v1/items/2");
    cr_expect_str_eq(th_str(mug, "name"), "Big mug");
    cr_expect_str_eq(th_str(mug, "upc"), "036000291452");
    cr_expect_eq(th_int(mug, "default_cost"), 400);
    cr_expect_eq(th_int(mug, "msrp"), 1500);
    cr_expect(json_is_true(json_object_get(mug, "track_stock")));
    prices = json_object_get(mug, "prices");
    cr_assert_eq(json_array_size(prices), 1);
    cr_expect_eq(th_int(json_array_get(prices, 0), "amount"), 1375);
    json_decref(mug);
    /* TEE, absent from the file, is untouched */
    cr_expect_eq(th_sql_int(&t, "SELECT amount FROM item_prices WHERE item_id = 1"
                                " AND price_level_id = 2"),
                 1500);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items"), 4);
}

Test(import, quoted_fields_bom_crlf_and_column_order)
{
    const char *csv = "\xEF\xBB\xBF"
                      "Description,NAME,Sku\r\n"
                      "\"Soft, warm\r\nand \"\"cosy\"\"\",\"Scarf, wool\",SCARF\r\n"
                      "\r\n"
                      "plain,Socks,SOCKS\r\n";
    struct th_resp r = post_csv(f.manager, csv, strlen(csv));
    expect_counts(&r, 2, 0);
    th_resp_free(&r);
    json_t *page = th_get(&t, f.staff1, "/api/v1/items?sku=SCARF");
    json_t *it = json_array_get(json_object_get(page, "data"), 0);
    cr_assert_not_null(it);
    cr_expect_str_eq(th_str(it, "name"), "Scarf, wool");
    cr_expect_str_eq(th_str(it, "description"), "Soft, warm\r\nand \"cosy\"");
    cr_expect_str_eq(th_str(it, "tax_class"), "standard");
    cr_expect(json_is_true(json_object_get(it, "track_stock")));
    json_decref(page);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items WHERE sku = 'SOCKS'"
                                " AND name = 'Socks' AND description = 'plain'"),
                 1);
}

Test(import, a_sku_twice_creates_then_updates)
{
    const char *csv = "sku,name,msrp\nNEW,First,1\nNEW,,2\n";
    struct th_resp r = post_csv(f.manager, csv, strlen(csv));
    expect_counts(&r, 1, 1);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT msrp FROM items WHERE sku = 'NEW' AND name = 'First'"),
                 200);
}

Test(import, header_only_imports_nothing)
{
    struct th_resp r = post_csv(f.manager, "sku,name\n", 9);
    expect_counts(&r, 0, 0);
    th_resp_free(&r);
}

Test(import, bad_rows_are_listed_by_line_and_nothing_is_written)
{
    const char *csv = "sku,name,description,upc,ean,default_cost,track_stock,price:Sale\n" /* 1 */
                      "OK1,Fine,,,,1.00,yes,2\n"                                           /* 2 */
                      "BAD1,,,,,,,\n"                 /* 3: no name for a new item */
                      "OK2,Two,\"two\nlines\",,,,,\n" /* 4-5 */
                      "BAD2,Upc,,012345678906,,,,\n"  /* 6 */
                      "BAD3,Ean,,,123,,,\n"           /* 7 */
                      "BAD4,Cost,,,,12.345,,\n"       /* 8 */
                      ",No sku,,,,,,\n"               /* 9 */
                      "BAD 5,Space,,,,,,\n"           /* 10 */
                      "BAD6,Flag,,,,,maybe,\n"        /* 11 */
                      "BAD7,Price,,,,,,-1\n"          /* 12 */
                      "MUG,,,,,,,\n"                  /* 13: fine, an update */
                      "BAD8,Wide,,,,,,,x\n";          /* 14 */
    struct th_resp r = expect_csv_error(csv, 422, "invalid_field");
    json_t *e = json_object_get(r.json, "error");
    cr_expect(strstr(th_str(e, "message"), "9 rows are invalid") != NULL, "%s",
              th_str(e, "message"));
    json_t *d = json_object_get(e, "details");
    cr_assert_eq(json_array_size(d), 9, "%s", r.body);
    static const struct {
        int line;
        const char *field;
    } want[] = { { 3, "name" },         { 6, "upc" },         { 7, "ean" },
                 { 8, "default_cost" }, { 9, "sku" },         { 10, "sku" },
                 { 11, "track_stock" }, { 12, "price:Sale" }, { 14, NULL } };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        json_t *x = json_array_get(d, i);
        cr_expect_eq(th_int(x, "line"), want[i].line, "detail %zu: %s", i, r.body);
        if (want[i].field)
            cr_expect_str_eq(th_str(x, "field"), want[i].field, "detail %zu", i);
        else
            cr_expect(json_is_null(json_object_get(x, "field")), "detail %zu", i);
        cr_expect(th_str(x, "message") != NULL);
    }
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items"), 3);
}

Test(import, details_are_capped_at_100)
{
    size_t cap = 150 * 32 + 64, n = 0;
    char *csv = malloc(cap);
    n += (size_t)snprintf(csv + n, cap - n, "sku,name\n");
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(csv + n, cap - n, "NONAME%d,\n", i);
    struct th_resp r = expect_csv_error(csv, 422, "invalid_field");
    json_t *e = json_object_get(r.json, "error");
    cr_expect_eq(json_array_size(json_object_get(e, "details")), 100);
    cr_expect(strstr(th_str(e, "message"), "150 rows") != NULL, "%s", th_str(e, "message"));
    cr_expect_eq(th_int(json_array_get(json_object_get(e, "details"), 99), "line"), 101);
    th_resp_free(&r);
    free(csv);
}

Test(import, structural_errors_are_400)
{
    struct th_resp r = expect_csv_error("sku,name\nA,\"open\nB,x\n", 400, "invalid_csv");
    json_t *e = json_object_get(r.json, "error");
    cr_expect(strstr(th_str(e, "message"), "line 2") != NULL, "%s", r.body);
    cr_expect_eq(th_int(json_array_get(json_object_get(e, "details"), 0), "line"), 2);
    th_resp_free(&r);
    r = expect_csv_error("sku,name,colour\nA,B,red\n", 400, "invalid_csv");
    cr_expect_str_eq(err_field(&r), "colour");
    th_resp_free(&r);
    r = expect_csv_error("sku,name,price:Wholesale\nA,B,1\n", 400, "invalid_csv");
    cr_expect_str_eq(err_field(&r), "price:Wholesale");
    th_resp_free(&r);
    r = expect_csv_error("name,upc\nA,\n", 400, "invalid_csv");
    cr_expect_str_eq(err_field(&r), "sku");
    th_resp_free(&r);
    th_resp_free((r = expect_csv_error("sku,SKU\nA,A\n", 400, "invalid_csv"), &r));
    th_resp_free((r = expect_csv_error("\n\nsku\n", 400, "invalid_csv"), &r));
    th_resp_free((r = expect_csv_error("\xEF\xBB\xBF", 400, "invalid_csv"), &r));
    th_resp_free((r = expect_csv_error("sku,name\n\"A\"x,B\n", 400, "invalid_csv"), &r));
    /* Windows-1252 text: refused with its line, not stored */
    r = expect_csv_error("sku,name\nA,Caf\xe9\n", 400, "invalid_csv");
    cr_expect(strstr(th_str(json_object_get(r.json, "error"), "message"), "line 2") != NULL, "%s",
              r.body);
    th_resp_free(&r);
    /* an unknown column of non-ASCII letters comes back as valid JSON */
    r = expect_csv_error("sku,Gr\xc3\xb6\xc3\x9f"
                         "e\nA,B\n",
                         400, "invalid_csv");
    cr_expect_str_eq(err_field(&r), "Gr\xc3\xb6\xc3\x9f"
                                    "e");
    th_resp_free(&r);
    /* an empty body: no header */
    uint64_t before = th_fingerprint(&t);
    r = post_csv(f.manager, "", 0);
    cr_expect_eq(r.status, 400, "%s", r.body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "code"), "invalid_csv");
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before);
}

Test(import, oversized_fields_and_records)
{
    size_t n = 9000;
    char *csv = malloc(n + 64);
    size_t len = (size_t)snprintf(csv, 64, "sku,description\nBIG,");
    memset(csv + len, 'x', n);
    len += n;
    memcpy(csv + len, "\n", 2);
    struct th_resp r = expect_csv_error(csv, 400, "invalid_csv");
    cr_expect(strstr(th_str(json_object_get(r.json, "error"), "message"), "too long") != NULL);
    th_resp_free(&r);
    free(csv);
    /* a description that fits a CSV field but not an item */
    n = 4100;
    csv = malloc(n + 64);
    len = (size_t)snprintf(csv, 64, "sku,name,description\nBIG,Big,");
    memset(csv + len, 'y', n);
    len += n;
    memcpy(csv + len, "\n", 2);
    r = expect_csv_error(csv, 422, "invalid_field");
    cr_expect_str_eq(
        th_str(json_array_get(json_object_get(json_object_get(r.json, "error"), "details"), 0),
               "field"),
        "description");
    th_resp_free(&r);
    free(csv);
}

Test(import, roles_and_content_type)
{
    const char *csv = "sku,name\nZ,Z\n";
    uint64_t before = th_fingerprint(&t);
    struct th_resp r = post_csv(f.staff1, csv, strlen(csv));
    cr_expect_eq(r.status, 403);
    th_resp_free(&r);
    r = post_csv(NULL, csv, strlen(csv));
    cr_expect_eq(r.status, 401);
    th_resp_free(&r);
    r = th_req_raw(&t, "POST", "/api/v1/items/import", f.manager, "application/json", csv,
                   strlen(csv));
    cr_expect_eq(r.status, 415);
    th_resp_free(&r);
    cr_expect_eq(th_fingerprint(&t), before);
    r = th_req_raw(&t, "POST", "/api/v1/items/import", f.manager, "text/csv; charset=utf-8", csv,
                   strlen(csv));
    expect_counts(&r, 1, 0);
    th_resp_free(&r);
}

Test(import, many_rows_in_one_go)
{
    enum {
        ROWS = 5000
    };
    size_t cap = (size_t)ROWS * 64 + 64, n = 0;
    char *csv = malloc(cap);
    n += (size_t)snprintf(csv + n, cap - n, "sku,name,msrp,price:Default\n");
    for (int i = 0; i < ROWS; i++)
        n += (size_t)snprintf(csv + n, cap - n, "BULK-%05d,Bulk item %d,%d.%02d,%d\n", i, i, i,
                              i % 100, i);
    struct th_resp r = post_csv(f.manager, csv, n);
    expect_counts(&r, ROWS, 0);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT msrp FROM items WHERE sku = 'BULK-04321'"), 432121);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM item_prices WHERE price_level_id = 1"),
                 ROWS + 3);
    /* the same file again updates every row */
    r = post_csv(f.manager, csv, n);
    expect_counts(&r, 0, ROWS);
    th_resp_free(&r);
    free(csv);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

Test(import, cli_import)
{
    char path[400], out[1024];
    snprintf(path, sizeof(path), "%s/items.csv", t.dir);
    write_file(path, "sku,name,price:Sale\nCLI-1,From the CLI,3.25\nCLI-2,Second,\nTEE,,1\n");
    int rc = th_run_cli(&t, out, sizeof(out), "items", "import", path, NULL);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_str_eq(out, "imported 3 items (2 created, 1 updated)\n");
    cr_expect_eq(th_sql_int(&t, "SELECT p.amount FROM item_prices p JOIN items i"
                                " ON i.id = p.item_id WHERE i.sku = 'CLI-1'"),
                 325);
    cr_expect_eq(th_sql_int(&t, "SELECT amount FROM item_prices WHERE item_id = 1"
                                " AND price_level_id = 2"),
                 100);

    /* a bad file writes nothing and fails */
    uint64_t before = th_fingerprint(&t);
    write_file(path, "sku,name\nCLI-3,Fine\nCLI-4,\n");
    rc = th_run_cli(&t, out, sizeof(out), "items", "import", path, NULL);
    cr_expect_eq(rc, 1);
    cr_expect_str_eq(out, "");
    write_file(path, "sku,name\n\"CLI-5,Fine\n");
    rc = th_run_cli(&t, out, sizeof(out), "items", "import", path, NULL);
    cr_expect_eq(rc, 1);
    snprintf(path, sizeof(path), "%s/missing.csv", t.dir);
    rc = th_run_cli(&t, out, sizeof(out), "items", "import", path, NULL);
    cr_expect_eq(rc, 1);
    cr_expect_eq(th_fingerprint(&t), before);
    rc = th_run_cli(&t, out, sizeof(out), "items", "import", NULL);
    cr_expect_eq(rc, 2);
    rc = th_run_cli(&t, out, sizeof(out), "items", "export", path, NULL);
    cr_expect_eq(rc, 2);
    unlink(path);
    snprintf(path, sizeof(path), "%s/items.csv", t.dir);
    unlink(path);
}
