/*
 * Currencies with their own exponents, end to end (SPEC O4, O1): a
 * fakestore shop in JPY (no decimals), USD (2) or KWD (3) places an order,
 * sent by signed webhook; the sale's totals, lines, discounts, taxes and
 * payment are exact in the currency's minor units, as is what the channel
 * recorded. Prices pushed to the shop (PR1-PR4) are written with the
 * currency's decimals too, and the item CSV import reads them that way.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake;

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(currencies, .fini = teardown, .timeout = 120);

/* One order in one currency: the amounts as the shop is given them, and the minor units
 * the sale must hold. */
struct order_case {
    const char *currency;
    const char *tee_price, *tee_discount, *tee_tax1, *tee_tax2, *mug_price, *mug_tax, *ship,
        *ship_tax;
    int64_t tee, discount, tax1, tax2, mug, mug_tax_minor, shipping, ship_tax_minor;
};

static json_t *line_at(json_t *sale, size_t i)
{
    json_t *l = json_array_get(json_object_get(sale, "lines"), i);
    cr_assert_not_null(l, "line %zu", i);
    return l;
}

static int64_t tax_amount(json_t *line, size_t i)
{
    json_t *tx = json_array_get(json_object_get(line, "taxes"), i);
    cr_assert_not_null(tx, "tax %zu", i);
    return th_int(tx, "amount");
}

static void order_in(const struct order_case *c)
{
    th_shop_start_currency(&t, &f, &fake, c->currency);
    char body[2048], id[32];
    snprintf(body, sizeof(body),
             "{\"email\":\"yuki@example.com\",\"financial_status\":\"paid\","
             "\"currency\":\"%s\","
             "\"shipping_address\":{\"name\":\"Yuki T\",\"address1\":\"1 Quay\",\"city\":\"X\"},"
             "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":2,"
             "\"price\":\"%s\",\"discount_allocations\":[{\"amount\":\"%s\"}],"
             "\"tax_lines\":[{\"title\":\"State\",\"rate\":0.068,\"price\":\"%s\"},"
             "{\"title\":\"City\",\"rate\":0.0085,\"price\":\"%s\"}]},"
             "{\"sku\":\"MUG\",\"title\":\"Mug\",\"quantity\":1,\"price\":\"%s\","
             "\"tax_lines\":[{\"title\":\"State\",\"rate\":0.055,\"price\":\"%s\"}]}],"
             "\"shipping_lines\":[{\"title\":\"Standard\",\"price\":\"%s\","
             "\"tax_lines\":[{\"title\":\"State\",\"rate\":0.055,\"price\":\"%s\"}]}]}",
             c->currency, c->tee_price, c->tee_discount, c->tee_tax1, c->tee_tax2, c->mug_price,
             c->mug_tax, c->ship, c->ship_tax);
    th_shop_place(&t, &fake, body, id, sizeof(id));

    int64_t taxes = c->tax1 + c->tax2 + c->mug_tax_minor + c->ship_tax_minor;
    int64_t total = 2 * c->tee - c->discount + c->mug + c->shipping + taxes;
    json_t *orders = th_get(&t, t.admin, "/api/v1/channels/1/orders");
    json_t *row = json_array_get(json_object_get(orders, "data"), 0);
    cr_assert_str_eq(th_str(row, "state"), "downloaded", "%s: %s", c->currency,
                     th_str(row, "reason"));
    cr_expect_str_eq(th_str(row, "currency"), c->currency);
    cr_expect_eq(th_int(row, "total"), total, "%s: the channel's total %lld, want %lld",
                 c->currency, (long long)th_int(row, "total"), (long long)total);
    json_t *sale = th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)th_int(row, "sale_id"));
    json_decref(orders);

    cr_expect_str_eq(th_str(sale, "currency"), c->currency);
    cr_expect_eq(th_int(sale, "total"), total, "%s: total %lld, want %lld", c->currency,
                 (long long)th_int(sale, "total"), (long long)total);
    cr_expect_eq(th_int(sale, "tax_total"), taxes, "%s tax_total", c->currency);
    cr_expect_eq(th_int(sale, "discount_total"), c->discount, "%s discount_total", c->currency);
    cr_expect_eq(th_int(sale, "adjustment_total"), 0, "%s: nothing left over", c->currency);
    cr_expect_eq(th_int(sale, "paid_total"), total, "%s paid_total", c->currency);
    cr_expect_eq(th_int(sale, "balance_due"), 0, "%s balance_due", c->currency);
    json_t *payments = json_object_get(sale, "payments");
    cr_expect_eq(json_array_size(payments), 1);
    cr_expect_eq(th_int(json_array_get(payments, 0), "amount"), total, "%s payment", c->currency);

    json_t *tee = line_at(sale, 0), *mug = line_at(sale, 1), *ship = line_at(sale, 2);
    cr_expect_eq(th_int(tee, "item_id"), f.tee);
    cr_expect_eq(th_int(tee, "unit_price"), c->tee, "%s TEE price", c->currency);
    cr_expect_eq(th_int(tee, "line_discount"), c->discount, "%s TEE discount", c->currency);
    cr_expect_eq(tax_amount(tee, 0), c->tax1, "%s TEE tax 1", c->currency);
    cr_expect_eq(tax_amount(tee, 1), c->tax2, "%s TEE tax 2", c->currency);
    cr_expect_eq(th_int(tee, "line_total"), 2 * c->tee - c->discount + c->tax1 + c->tax2,
                 "%s TEE line total", c->currency);
    cr_expect_eq(th_int(mug, "unit_price"), c->mug, "%s MUG price", c->currency);
    cr_expect_eq(tax_amount(mug, 0), c->mug_tax_minor, "%s MUG tax", c->currency);
    cr_expect_eq(th_int(ship, "unit_price"), c->shipping, "%s shipping", c->currency);
    cr_expect_eq(tax_amount(ship, 0), c->ship_tax_minor, "%s shipping tax", c->currency);
    json_decref(sale);
}

Test(currencies, o4_o1_a_jpy_order_has_no_decimals)
{
    static const struct order_case c = {
        "JPY", "2000", "300", "136", "17", "1250", "69", "500", "28",
        2000,  300,    136,   17,    1250, 69,     500,  28,
    };
    order_in(&c);
}

Test(currencies, o4_o1_a_usd_order_has_cents)
{
    static const struct order_case c = {
        "USD", "20.00", "3.00", "2.04", "0.37", "12.50", "0.69", "5.00", "0.28",
        2000,  300,     204,    37,     1250,   69,      500,    28,
    };
    order_in(&c);
}

Test(currencies, o4_o1_a_kwd_order_has_three_decimals)
{
    static const struct order_case c = {
        "KWD", "2.125", "0.300", "0.139", "0.017", "1.250", "0.069", "0.5", "0.028",
        2125,  300,     139,     17,      1250,    69,      500,     28,
    };
    order_in(&c);
}

/* O4: the fakestore plays a shop in its currency: amounts in and out with its decimals,
 * and no order in another currency. */
Test(currencies, o4_the_fakestore_answers_in_the_shops_decimals)
{
    th_start(&t);
    th_fake_start_currency(&t, &fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1", "JPY");
    struct th_resp r = th_fake_req(&fake, "POST", "/_fake/orders",
                                   "{\"webhooks\":false,\"line_items\":[{\"title\":\"Fan\","
                                   "\"quantity\":2,\"price\":\"1500\",\"tax_lines\":[{\"price\":"
                                   "\"240\"}]}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "currency"), "JPY");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(r.json, "line_items"), 0), "price"),
                     "1500");
    cr_expect_str_eq(th_str(r.json, "total_price"), "3240");
    cr_expect_str_eq(
        th_str(json_object_get(json_object_get(r.json, "total_price_set"), "shop_money"), "amount"),
        "3240");
    th_resp_free(&r);
    static const char *const bad[] = {
        "{\"line_items\":[{\"title\":\"Fan\",\"quantity\":1,\"price\":\"12.5\"}]}",
        "{\"currency\":\"USD\",\"line_items\":[{\"title\":\"Fan\",\"quantity\":1,"
        "\"price\":\"12\"}]}",
    };
    static const char *const field[] = { "line_items[0].price", "currency" };
    for (size_t i = 0; i < 2; i++) {
        r = th_fake_req(&fake, "POST", "/_fake/orders", bad[i]);
        cr_expect_eq(r.status, 422, "%s: %s", bad[i], r.body);
        cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), field[i], "%s", r.body);
        th_resp_free(&r);
    }
}

/* ---------------------------------------------------------------- prices and the catalogue */

static void fake_ok(const char *method, const char *path, const char *body)
{
    struct th_resp r = th_fake_req(&fake, method, path, body);
    cr_assert_eq(r.status / 100, 2, "fakestore %s %s: %ld %s", method, path, r.status, r.body);
    th_resp_free(&r);
}

static const char *shop_price(const char *sku, char *buf, size_t cap)
{
    char path[128];
    snprintf(path, sizeof(path), "/_fake/prices?sku=%s", sku);
    struct th_resp r = th_fake_req(&fake, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    snprintf(buf, cap, "%s", th_str(r.json, "price"));
    th_resp_free(&r);
    return buf;
}

/* PR4, O4: the POS's prices reach a JPY shop as whole yen and a KWD shop with fils. */
static void prices_in(const char *currency, const char *tee, const char *mug)
{
    th_start(&t);
    th_fixture(&t, &f);
    char sql[96];
    snprintf(sql, sizeof(sql), "UPDATE outlets SET currency = '%s'", currency);
    th_sql_exec(&t, sql);
    th_fake_start_currency(&t, &fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1", currency);
    fake_ok("POST", "/_fake/products", "{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"price\":\"1\"}");
    fake_ok("POST", "/_fake/products", "{\"sku\":\"MUG\",\"title\":\"Mug\",\"price\":\"1\"}");
    th_create(&t, t.admin, "/api/v1/channels",
              "{\"kind\":\"shopify\",\"name\":\"Web shop\","
              "\"credentials\":{\"shop_domain\":\"demo.myshopify.com\","
              "\"access_token\":\"" TH_SHOP_TOKEN "\","
              "\"webhook_secret\":\"" TH_SHOP_SECRET "\",\"base_url\":\"%s\"},"
              "\"outlets\":[1,2],\"default_outlet_id\":1,\"settings\":{\"use_pos_pricing\":true,"
              "\"regular_price_level_id\":1}}",
              fake.url);
    th_wait_pipeline(&t);
    char b[32];
    /* the fixture's prices: TEE 2000, MUG 1250 minor units */
    cr_expect_str_eq(shop_price("TEE", b, sizeof(b)), tee, "%s TEE: %s", currency, b);
    cr_expect_str_eq(shop_price("MUG", b, sizeof(b)), mug, "%s MUG: %s", currency, b);
}

Test(currencies, o4_pr4_prices_reach_a_jpy_shop_in_yen)
{
    prices_in("JPY", "2000", "1250");
}

Test(currencies, o4_pr4_prices_reach_a_kwd_shop_in_fils)
{
    prices_in("KWD", "2.000", "1.250");
}

/* O4: the item CSV's prices are read in the outlets' currency, or the one given. */
Test(currencies, o4_item_csv_prices_in_the_outlets_currency)
{
    th_start(&t);
    th_fixture(&t, &f);
    fake.pid = 0;
    th_sql_exec(&t, "UPDATE outlets SET currency = 'JPY'");
    char path[256], out[512];
    snprintf(path, sizeof(path), "%s/items.csv", t.dir);
    FILE *file = fopen(path, "w");
    cr_assert_not_null(file);
    fputs("sku,name,price:Default\nYEN-1,Fan,1500\n", file);
    fclose(file);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "items", "import", path, NULL), 0, "%s", out);
    cr_expect_eq(th_sql_int(&t, "SELECT amount FROM item_prices p JOIN items i ON i.id ="
                                " p.item_id WHERE i.sku = 'YEN-1'"),
                 1500);
    /* a price with decimals is refused for yen; with --currency KWD it is read in fils */
    file = fopen(path, "w");
    cr_assert_not_null(file);
    fputs("sku,name,price:Default\nKWD-1,Lamp,1.5\n", file);
    fclose(file);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "items", "import", path, NULL), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM items WHERE sku = 'KWD-1'"), 0);
    cr_expect_eq(
        th_run_cli(&t, out, sizeof(out), "items", "import", path, "--currency", "KWD", NULL), 0,
        "%s", out);
    cr_expect_eq(th_sql_int(&t, "SELECT amount FROM item_prices p JOIN items i ON i.id ="
                                " p.item_id WHERE i.sku = 'KWD-1'"),
                 1500);
    /* outlets in two currencies: the file must say which */
    th_sql_exec(&t, "UPDATE outlets SET currency = 'USD' WHERE id = 2");
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "items", "import", path, NULL), 1);
    const char *csv = "sku,name,price:Default\nUSD-1,Pen,2.50\n";
    struct th_resp r =
        th_req_raw(&t, "POST", "/api/v1/items/import", t.admin, "text/csv", csv, strlen(csv));
    cr_expect_eq(r.status, 422, "%s", r.body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), "currency");
    th_resp_free(&r);
    r = th_req_raw(&t, "POST", "/api/v1/items/import?currency=USD", t.admin, "text/csv", csv,
                   strlen(csv));
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT amount FROM item_prices p JOIN items i ON i.id ="
                                " p.item_id WHERE i.sku = 'USD-1'"),
                 250);
    r = th_req_raw(&t, "POST", "/api/v1/items/import?currency=ZZZ", t.admin, "text/csv", csv,
                   strlen(csv));
    cr_expect_eq(r.status, 400, "%s", r.body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), "currency");
    th_resp_free(&r);
}
