/*
 * Stock to the channels, end to end (SPEC I1-I4, I6, I8, I9): the real server
 * and pipeline over a SQLite file, and a fakestore playing the Shopify shop.
 * The shop sells TEE and MUG (not GIFTWRAP); the channel stocks from both
 * outlets. What the shop holds is read back from its control API.
 */
#include "harness.h"
#include "store/stock.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake;

static void fake_ok(const char *method, const char *path, const char *body)
{
    struct th_resp r = th_fake_req(&fake, method, path, body);
    cr_assert_eq(r.status / 100, 2, "fakestore %s %s: %ld %s", method, path, r.status, r.body);
    th_resp_free(&r);
}

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    th_fake_start(&t, &fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1");
    fake_ok("POST", "/_fake/products",
            "{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"price\":\"20.00\"}");
    fake_ok("POST", "/_fake/products", "{\"sku\":\"MUG\",\"title\":\"Mug\",\"price\":\"12.50\"}");
    int64_t id = th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"shopify\",\"name\":\"Web shop\","
                           "\"credentials\":{\"shop_domain\":\"demo.myshopify.com\","
                           "\"access_token\":\"" TH_SHOP_TOKEN "\","
                           "\"webhook_secret\":\"" TH_SHOP_SECRET "\",\"base_url\":\"%s\"},"
                           "\"outlets\":[1,2],\"default_outlet_id\":1}",
                           fake.url);
    cr_assert_eq(id, 1);
    th_wait_pipeline(&t);
}

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(stock_sync, .init = setup, .fini = teardown, .timeout = 120);

/* What the shop shows as available for a SKU at its main location. */
static int64_t shop_available(const char *sku)
{
    char path[128];
    snprintf(path, sizeof(path), "/_fake/inventory?sku=%s", sku);
    struct th_resp r = th_fake_req(&fake, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *levels = json_object_get(r.json, "levels");
    cr_assert_eq(json_array_size(levels), 1, "%s", r.body);
    int64_t v = th_int(json_array_get(levels, 0), "available");
    th_resp_free(&r);
    return v;
}

static int64_t shop_counter(const char *name)
{
    struct th_resp r = th_fake_req(&fake, "GET", "/_fake/requests", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *v = json_object_get(r.json, name);
    cr_assert(json_is_integer(v), "no counter %s in %s", name, r.body);
    int64_t n = json_integer_value(v);
    th_resp_free(&r);
    return n;
}

static json_t *sync_status(void)
{
    return th_get(&t, t.admin, "/api/v1/channels/1/sync-status");
}

static void sell(int64_t outlet, int64_t item, int64_t qty)
{
    th_create(&t, t.admin, "/api/v1/sales",
              "{\"outlet_id\":%lld,\"lines\":[{\"item_id\":%lld,\"quantity\":%lld}]}",
              (long long)outlet, (long long)item, (long long)qty);
    th_wait_pipeline(&t);
}

static void adjust(int64_t outlet, int64_t item, int64_t delta)
{
    char body[128];
    snprintf(body, sizeof(body), "{\"item_id\":%lld,\"outlet_id\":%lld,\"delta\":%lld}",
             (long long)item, (long long)outlet, (long long)delta);
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/adjustments", t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
}

/* Stock moves applied by the store in one transaction on a connection of the test's own
 * (as another process would: the server sees them when it next looks), n of them. */
struct moves {
    const struct sb_stock_move *m;
    size_t n;
};

static sb_err moves_fn(struct sb_db *db, void *ctx)
{
    const struct moves *mv = ctx;
    sb_err err = SB_OK;
    for (size_t i = 0; !err && i < mv->n; i++)
        err = sb_store_stock_move(db, &mv->m[i], NULL, NULL);
    return err;
}

static void move_stock(const struct sb_stock_move *m, size_t n)
{
    struct moves mv = { m, n };
    th_db_write(&t, moves_fn, &mv);
}

static void reserve(int64_t outlet, int64_t item, int64_t qty)
{
    struct sb_stock_move m = {
        .item_id = item, .outlet_id = outlet, .reason = SB_STOCK_RESERVATION, .quantity = qty
    };
    move_stock(&m, 1);
}

Test(stock_sync, i2_i3_the_channel_gets_the_sum_of_its_outlets_and_every_change)
{
    /* the first sync, when the channel was created: 10 + 5 T-shirts, 3 + 0 mugs */
    cr_expect_eq(shop_available("TEE"), 15);
    cr_expect_eq(shop_available("MUG"), 3);
    sell(1, 1, 2); /* a sale in the shop */
    cr_expect_eq(shop_available("TEE"), 13);
    adjust(2, 2, 4); /* a receipt counted in by hand */
    cr_expect_eq(shop_available("MUG"), 7);
    adjust(1, 2, -3);
    cr_expect_eq(shop_available("MUG"), 4);
    json_t *s = sync_status();
    json_t *q = json_object_get(s, "queue");
    cr_expect_eq(th_int(q, "queued"), 0, "nothing left waiting");
    cr_expect(json_is_null(json_object_get(q, "oldest_age_seconds")));
    cr_expect_geq(th_int(s, "pushed_total"), 4);
    cr_expect(json_is_string(json_object_get(s, "last_push_at")));
    cr_expect(json_is_null(json_object_get(s, "last_error")));
    json_decref(s);
}

Test(stock_sync, i6_reserved_stock_is_not_offered_and_no_outlet_counts_below_zero)
{
    /* reserved for orders not yet fulfilled (ledger and all); more than on hand in outlet 1 */
    reserve(1, 1, 12);
    th_wait_pipeline(&t);
    cr_expect_eq(shop_available("TEE"), 5, "outlet 1 offers 0 (not -2), outlet 2 offers 5");
    reserve(2, 1, 2);
    th_wait_pipeline(&t);
    cr_expect_eq(shop_available("TEE"), 3);
}

Test(stock_sync, i3_a_burst_of_1000_changes_to_one_item_sends_one_value)
{
    int64_t calls = shop_counter("inventory_set_calls");
    int64_t quantities = shop_counter("inventory_quantities_set");
    /* 1,000 changes committed together: on hand goes 10, 11, ... 1009, then back to 510 */
    static struct sb_stock_move burst[1000];
    for (int i = 0; i < 1000; i++)
        burst[i] = (struct sb_stock_move){ .item_id = 1,
                                           .outlet_id = 1,
                                           .reason = SB_STOCK_ADJUSTMENT,
                                           .quantity = i < 999 ? 1 : 510 - 1009 };
    move_stock(burst, 1000);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue WHERE kind = 'stock'"), 1,
                 "one queued change for the item");
    cr_expect_eq(th_sql_int(&t, "SELECT seq FROM sync_queue WHERE kind = 'stock'"), 1000,
                 "that counts the thousand changes");
    th_wait_pipeline(&t);
    cr_expect_eq(shop_available("TEE"), 515);
    cr_expect_eq(shop_counter("inventory_set_calls") - calls, 1, "one call");
    cr_expect_eq(shop_counter("inventory_quantities_set") - quantities, 1, "one value");
}

Test(stock_sync, i4_stock_sync_can_be_turned_off_and_on_again)
{
    struct th_resp r =
        th_req(&t, "PATCH", "/api/v1/channels/1", t.admin, "{\"settings\":{\"stock_sync\":false}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    int64_t calls = shop_counter("inventory_set_calls");
    sell(1, 1, 1);
    cr_expect_eq(shop_available("TEE"), 15, "nothing sent while off");
    cr_expect_eq(shop_counter("inventory_set_calls"), calls);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue"), 0, "nothing kept either");
    r = th_req(&t, "PATCH", "/api/v1/channels/1", t.admin, "{\"settings\":{\"stock_sync\":true}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    cr_expect_eq(shop_available("TEE"), 14, "on again: every item sent");
}

Test(stock_sync, i1_an_edit_on_the_webstore_is_overwritten_by_the_pos)
{
    fake_ok("POST", "/_fake/inventory", "{\"sku\":\"TEE\",\"available\":99}");
    cr_expect_eq(shop_available("TEE"), 99);
    sell(2, 1, 1);
    cr_expect_eq(shop_available("TEE"), 14, "the POS is the source of truth");
}

Test(stock_sync, i8_an_item_the_channel_does_not_sell_is_listed_with_why)
{
    /* the first sync looked every item up on the shop: it has no gift wrap */
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/items?status=excluded");
    json_t *data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 1, "%s", json_dumps(page, 0));
    json_t *row = json_array_get(data, 0);
    cr_expect_str_eq(th_str(row, "sku"), "GIFTWRAP");
    cr_expect_str_eq(th_str(row, "reason"), "the channel has no product with this SKU");
    json_decref(page);
    th_expect_error(&t, "GET", "/api/v1/channels/1/items", t.admin, NULL, 422, "missing_field");
    th_expect_error(&t, "GET", "/api/v1/channels/1/items?status=all", t.admin, NULL, 422,
                    "invalid_field");
    th_expect_error(&t, "GET", "/api/v1/channels/9/items?status=excluded", t.admin, NULL, 404,
                    "not_found");
    th_expect_error(&t, "GET", "/api/v1/channels/9/sync-status", t.admin, NULL, 404, "not_found");
}

Test(stock_sync, i9_failures_are_retried_with_backoff_then_parked_and_never_lost)
{
    /* the shop fails every stock update for now */
    fake_ok("POST", "/_fake/faults",
            "{\"graphql\":{\"status\":503,\"count\":1000,\"operations\":[\"SbInventorySet\"]}}");
    sell(1, 1, 1);
    cr_expect_eq(shop_available("TEE"), 15, "not taken");
    cr_expect_eq(th_sql_int(&t, "SELECT attempts FROM sync_queue WHERE item_id = 1"), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue WHERE item_id = 1 AND"
                                " status = 'pending' AND next_attempt_at > queued_at"),
                 1, "due again later");
    json_t *s = sync_status();
    cr_expect_str_eq(th_str(s, "last_error"), "Shopify answered HTTP 503 to SbInventorySet");
    cr_expect_eq(th_int(json_object_get(s, "queue"), "pending"), 1);
    json_decref(s);
    /* the last attempt fails too: parked, with its error, visible */
    th_sql_exec(&t, "UPDATE sync_queue SET attempts = 7, next_attempt_at = NULL");
    th_wait_pipeline(&t);
    s = sync_status();
    json_t *parked = json_object_get(s, "parked_changes");
    cr_assert_eq(json_array_size(parked), 1, "%s", json_dumps(s, 0));
    cr_expect_str_eq(th_str(json_array_get(parked, 0), "sku"), "TEE");
    cr_expect_str_eq(th_str(json_array_get(parked, 0), "error"),
                     "Shopify answered HTTP 503 to SbInventorySet");
    cr_expect_eq(th_int(json_object_get(s, "queue"), "parked"), 1);
    json_decref(s);
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/items?status=excluded");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(page, "data"), 0), "reason"),
                     "its changes keep failing: Shopify answered HTTP 503 to SbInventorySet");
    json_decref(page);
    /* and in the metrics */
    struct th_resp m = th_req(&t, "GET", "/metrics", NULL, NULL);
    cr_expect(strstr(m.body, "stockbridge_sync_queue{channel=\"1\",kind=\"stock\","
                             "state=\"parked\"} 1\n") != NULL,
              "%s", m.body);
    th_resp_free(&m);
    /* the shop recovers; a parked change is tried again (hourly, or at once on a new change) */
    fake_ok("POST", "/_fake/faults", "{\"graphql\":{}}");
    sell(1, 1, 1);
    cr_expect_eq(shop_available("TEE"), 13, "nothing lost: the latest figure arrives");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue"), 0);
}

static struct th_resp reconcile(void)
{
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/reconcile", t.admin, NULL);
    th_wait_pipeline(&t);
    return r;
}

Test(stock_sync, i5_reconciliation_corrects_what_the_webstore_changed_and_reports_it)
{
    fake_ok("POST", "/_fake/inventory", "{\"sku\":\"TEE\",\"available\":99}");
    struct th_resp r = reconcile();
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_str_eq(th_str(r.json, "status"), "ok");
    cr_expect_eq(th_int(r.json, "read"), 2);
    cr_expect_eq(th_int(r.json, "compared"), 2);
    cr_expect_eq(th_int(r.json, "corrected"), 1);
    cr_expect_eq(th_int(r.json, "not_on_channel"), 1, "gift wrap");
    json_t *d = json_array_get(json_object_get(r.json, "differences"), 0);
    cr_expect_str_eq(th_str(d, "sku"), "TEE");
    cr_expect_eq(th_int(d, "channel"), 99);
    cr_expect_eq(th_int(d, "pos"), 15);
    cr_expect_eq(json_array_size(json_object_get(r.json, "differences")), 1);
    th_resp_free(&r);
    cr_expect_eq(shop_available("TEE"), 15, "corrected");
    json_t *s = sync_status();
    json_t *last = json_object_get(s, "last_reconcile");
    cr_expect_eq(th_int(last, "corrected"), 1);
    cr_expect(json_is_string(json_object_get(s, "last_reconcile_at")));
    json_decref(s);
    /* nothing to correct the second time */
    r = reconcile();
    cr_expect_eq(th_int(r.json, "corrected"), 0);
    th_resp_free(&r);
}

Test(stock_sync, i5_a_read_that_fails_half_way_changes_nothing)
{
    /* 30 more products; the download of the shop's stock is cut half-way */
    fake_ok("POST", "/_fake/products/bulk", "{\"count\":30,\"prefix\":\"X\",\"available\":1}");
    fake_ok("POST", "/_fake/inventory", "{\"sku\":\"TEE\",\"available\":0}");
    fake_ok("POST", "/_fake/faults", "{\"bulk\":{\"cut_download\":1}}");
    int64_t calls = shop_counter("inventory_set_calls");
    struct th_resp r = reconcile();
    cr_expect_eq(r.status, 500, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue"), 0, "nothing queued");
    cr_expect_eq(shop_counter("inventory_set_calls"), calls, "nothing sent");
    cr_expect_eq(shop_available("TEE"), 0, "left as it was, for the next reconciliation");
    json_t *s = sync_status();
    json_t *last = json_object_get(s, "last_reconcile");
    cr_expect_str_eq(th_str(last, "status"), "failed");
    cr_expect_str_eq(th_str(last, "error"),
                     "Shopify's bulk stock result did not download whole: the download failed: "
                     "transfer closed with outstanding read data remaining");
    json_decref(s);
    /* the next one, whole, corrects it */
    r = reconcile();
    cr_expect_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "read"), 32);
    th_resp_free(&r);
    cr_expect_eq(shop_available("TEE"), 15);
}

static void patch_channel(const char *body)
{
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/channels/1", t.admin, body);
    cr_assert_eq(r.status, 200, "PATCH %s: %ld %s", body, r.status, r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
}

/* The shop's price and compare-at price for a SKU, as "20.00|null". */
static const char *shop_price(const char *sku, char *buf, size_t cap)
{
    char path[128];
    snprintf(path, sizeof(path), "/_fake/prices?sku=%s", sku);
    struct th_resp r = th_fake_req(&fake, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *cmp = json_object_get(r.json, "compare_at_price");
    snprintf(buf, cap, "%s|%s", th_str(r.json, "price"),
             json_is_string(cmp) ? json_string_value(cmp) : "null");
    th_resp_free(&r);
    return buf;
}

/* The item's prices at the Default and Sale levels (0: none), as staff change them. */
static void set_prices(int64_t item, int64_t regular, int64_t sale)
{
    char path[64], body[192];
    snprintf(path, sizeof(path), "/api/v1/items/%lld", (long long)item);
    int n = snprintf(body, sizeof(body), "{\"prices\":[{\"price_level_id\":1,\"amount\":%lld}",
                     (long long)regular);
    if (sale)
        n += snprintf(body + n, sizeof(body) - (size_t)n, ",{\"price_level_id\":2,\"amount\":%lld}",
                      (long long)sale);
    snprintf(body + n, sizeof(body) - (size_t)n, "]}");
    struct th_resp r = th_req(&t, "PATCH", path, t.admin, body);
    cr_assert_eq(r.status, 200, "PATCH %s %s: %ld %s", path, body, r.status, r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
}

Test(stock_sync, pr1_pr2_pr4_prices_travel_only_with_pos_pricing)
{
    char b[64];
    set_prices(1, 2100, 1500);
    cr_expect_str_eq(shop_price("TEE", b, sizeof(b)), "20.00|null", "the channel owns prices");
    patch_channel("{\"settings\":{\"use_pos_pricing\":true,\"regular_price_level_id\":1}}");
    cr_expect_str_eq(shop_price("TEE", b, sizeof(b)), "21.00|null");
    cr_expect_str_eq(shop_price("MUG", b, sizeof(b)), "12.50|null");
    /* PR4: a price change travels like stock */
    set_prices(2, 1399, 0);
    cr_expect_str_eq(shop_price("MUG", b, sizeof(b)), "13.99|null");
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/log?limit=50");
    bool seen = false;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        seen = seen || strcmp(th_str(row, "event"), "push.price") == 0;
    }
    cr_expect(seen, "the log says prices were set");
    json_decref(page);
}

/* Moves channel 1's stored sale start into the past, nothing else (the JSON edited in C:
 * SQLite's json_set() is not PostgreSQL's). */
static sb_err sale_started(struct sb_db *db, void *ud)
{
    (void)ud;
    json_t *row = NULL;
    sb_err err = sb_db_json_one(db, &row, "SELECT settings FROM channels WHERE id = 1", NULL);
    if (err)
        return err;
    json_t *settings = json_loads(json_string_value(json_object_get(row, "settings")), 0, NULL);
    json_decref(row);
    if (!settings)
        return sb_fail(SB_EINTERNAL, NULL, "channel 1's settings are not JSON");
    json_object_set_new(settings, "sale_starts_at", json_string("2020-01-01T00:00:00Z"));
    char *text = json_dumps(settings, JSON_COMPACT);
    json_decref(settings);
    err = sb_db_exec(db, "UPDATE channels SET settings = ? WHERE id = 1", "s", text);
    free(text);
    return err;
}

Test(stock_sync, pr3_the_sale_price_shows_between_its_start_and_end)
{
    char b[64];
    /* a sale that started, open-ended: the sale price, the regular one as "was" */
    patch_channel("{\"settings\":{\"use_pos_pricing\":true,\"regular_price_level_id\":1,"
                  "\"sale_price_level_id\":2,\"sale_starts_at\":\"2020-01-01T00:00:00Z\"}}");
    cr_expect_str_eq(shop_price("TEE", b, sizeof(b)), "15.00|20.00");
    cr_expect_str_eq(shop_price("MUG", b, sizeof(b)), "12.50|null", "no sale price for mugs");
    /* a sale that has ended */
    patch_channel("{\"settings\":{\"sale_ends_at\":\"2021-01-01T00:00:00Z\"}}");
    cr_expect_str_eq(shop_price("TEE", b, sizeof(b)), "20.00|null");
    /* a sale that starts later; then its start comes (the clock moves: here, the stored
     * start is moved into the past without touching the channel otherwise) */
    patch_channel("{\"settings\":{\"sale_starts_at\":\"2999-01-01T00:00:00Z\","
                  "\"sale_ends_at\":null}}");
    cr_expect_str_eq(shop_price("TEE", b, sizeof(b)), "20.00|null", "not yet");
    th_db_write(&t, sale_started, NULL);
    th_wait_pipeline(&t);
    cr_expect_str_eq(shop_price("TEE", b, sizeof(b)), "15.00|20.00", "sent when the sale starts");
}

static sb_err levels_fn(struct sb_db *db, void *ctx)
{
    return sb_store_stock_set_levels(db, ctx);
}

/* On order at an outlet, as a purchase order would set it. */
static void set_on_order(int64_t outlet, int64_t item, int64_t qty)
{
    struct sb_stock_levels l = {
        .item_id = item, .outlet_id = outlet, .on_order = qty, .on_order_set = true
    };
    th_db_write(&t, levels_fn, &l);
}

Test(stock_sync, i7_an_item_the_filters_do_not_publish_is_withdrawn_and_listed)
{
    patch_channel("{\"settings\":{\"publish_on_hand\":false}}");
    cr_expect_eq(shop_available("TEE"), 0, "withdrawn, not left at its last figure");
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/items?status=excluded");
    json_t *data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 3, "%s", json_dumps(page, 0));
    cr_expect_str_eq(th_str(json_array_get(data, 0), "reason"),
                     "not published: no publish filter is on for this channel");
    json_decref(page);
    /* on order counts when that filter is on */
    set_on_order(2, 1, 4);
    patch_channel("{\"settings\":{\"publish_on_order\":true}}");
    cr_expect_eq(shop_available("TEE"), 15);
    cr_expect_eq(shop_available("MUG"), 0);
    page = th_get(&t, t.admin, "/api/v1/channels/1/items?status=excluded");
    data = json_object_get(page, "data");
    cr_assert_eq(json_array_size(data), 2, "%s", json_dumps(page, 0));
    cr_expect_str_eq(th_str(json_array_get(data, 0), "sku"), "MUG");
    cr_expect_str_eq(
        th_str(json_array_get(data, 0), "reason"),
        "not published: none on order in the channel's outlets (filter: on order > 0)");
    json_decref(page);
    patch_channel("{\"settings\":{\"publish_on_hand\":true}}");
    cr_expect_eq(shop_available("MUG"), 3);
}

Test(stock_sync, i3_the_last_unit_sold_in_the_shop_and_on_the_web_in_the_same_second)
{
    /* one mug left, in outlet 1; the webstore shows 1 */
    adjust(1, 2, -2);
    cr_assert_eq(shop_available("MUG"), 1);
    /* the shop sells it at the till, and in the same second a customer buys it online
     * (the webstore still showed 1) */
    struct th_resp r = th_req(&t, "POST", "/api/v1/sales", t.admin,
                              "{\"outlet_id\":1,\"lines\":[{\"item_id\":2,\"quantity\":1}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    r = th_fake_req(&fake, "POST", "/_fake/orders",
                    "{\"email\":\"late@example.com\",\"financial_status\":\"paid\","
                    "\"line_items\":[{\"sku\":\"MUG\",\"title\":\"Mug\",\"quantity\":1,"
                    "\"price\":\"12.50\"}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    /* both sales stand; the web one is a backorder at the default outlet (A4), no outlet
     * goes below zero for the channel, and the webstore shows 0, not -1 */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sale_lines WHERE item_id = 2"), 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM fulfillments WHERE is_backorder"), 1);
    cr_expect_eq(shop_available("MUG"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue"), 0);
}

Test(stock_sync, i5_stockbridge_reconcile_from_the_command_line)
{
    fake_ok("POST", "/_fake/inventory", "{\"sku\":\"MUG\",\"available\":40}");
    char out[4096];
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "reconcile", "1", NULL), 0, "%s", out);
    json_t *report = json_loads(out, 0, NULL);
    cr_assert_not_null(report, "the report is JSON: %s", out);
    cr_expect_str_eq(th_str(report, "status"), "ok");
    cr_expect_eq(th_int(report, "corrected"), 1);
    json_decref(report);
    th_wait_pipeline(&t); /* the server sends what the command queued */
    cr_expect_eq(shop_available("MUG"), 3);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "reconcile", "9", NULL), 1, "%s", out);
    cr_expect_eq(th_run_cli(&t, out, sizeof(out), "reconcile", NULL), 2, "%s", out);
}

Test(stock_sync, i9_429_and_throttled_answers_are_waited_out_as_shopify_asks)
{
    /* two 429s (Retry-After: 1.0), then a THROTTLED answer: the call goes through on the
     * same pass, within Shopify's limits, and nothing is recorded as failed */
    fake_ok("POST", "/_fake/faults",
            "{\"graphql\":{\"status\":429,\"count\":2,\"operations\":[\"SbInventorySet\"]}}");
    sell(1, 1, 1);
    cr_expect_eq(shop_available("TEE"), 14);
    fake_ok("POST", "/_fake/faults",
            "{\"graphql\":{\"throttle\":1,\"operations\":[\"SbInventorySet\"]}}");
    sell(1, 1, 1);
    cr_expect_eq(shop_available("TEE"), 13);
    json_t *s = sync_status();
    cr_expect(json_is_null(json_object_get(s, "last_error")), "%s", json_dumps(s, 0));
    cr_expect_eq(th_int(json_object_get(s, "queue"), "queued"), 0);
    json_decref(s);
}

static int64_t sets_received(void)
{
    struct th_resp r = th_fake_req(&fake, "GET", "/_fake/requests", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *v = json_object_get(json_object_get(r.json, "by_operation"), "SbInventorySet");
    int64_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    th_resp_free(&r);
    return n;
}

/* I1 + WIRE.md (inventorySetQuantities: CHANGE_FROM_QUANTITY_STALE, nothing written): a
 * stale refusal is sent again at once with the POS's figure, not left to the backoff, and
 * the shop ends at the POS figure with nothing failed or queued. */
Test(stock_sync, i1_a_stale_refusal_is_sent_again_and_the_shop_ends_at_the_pos_figure)
{
    int64_t sets = sets_received();
    fake_ok("POST", "/_fake/app", "{\"stale_sets\":1}");
    sell(1, 1, 1);
    cr_expect_eq(sets_received(), sets + 2, "the refused call and the one sent again");
    struct th_resp r = th_fake_req(&fake, "GET", "/_fake/app", NULL);
    cr_expect_eq(th_int(r.json, "stale_sets"), 0, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(shop_available("TEE"), 14, "the POS is the source of truth");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue"), 0, "nothing left to retry");
    json_t *s = sync_status();
    cr_expect(json_is_null(json_object_get(s, "last_error")), "%s", json_dumps(s, 0));
    json_decref(s);
}
