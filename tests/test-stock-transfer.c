/*
 * Issue 16 item 1: stock transferred between outlets (POST /api/v1/stock/transfers):
 * per line a ledger entry out of one outlet and one into the other, in one
 * transaction (a bad line writes nothing); both outlets the caller's (SEC2);
 * the outlet left not taken below zero, as an adjustment may not; the change
 * sent to the channels like any other (I3).
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
    th_stop(&t);
}

TestSuite(stock_transfer, .init = setup, .fini = teardown);

static int64_t on_hand(int64_t item, int64_t outlet)
{
    return th_sql_intf(&t, "SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = %lld",
                       (long long)item, (long long)outlet);
}

Test(stock_transfer, item1_moves_stock_with_two_ledger_entries_per_line)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"from_outlet_id\":1,\"to_outlet_id\":2,\"note\":\"for the weekend\","
             "\"lines\":[{\"item_id\":%lld,\"quantity\":4},{\"item_id\":%lld,\"quantity\":3}]}",
             (long long)f.tee, (long long)f.mug);
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/transfers", f.manager, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    json_t *lines = json_object_get(r.json, "lines");
    cr_assert_eq(json_array_size(lines), 2);
    json_t *tee = json_array_get(lines, 0);
    cr_expect_eq(th_int(json_object_get(tee, "from"), "on_hand"), 6);
    cr_expect_eq(th_int(json_object_get(tee, "to"), "on_hand"), 9);
    cr_expect_eq(th_int(json_object_get(json_array_get(lines, 1), "from"), "on_hand"), 0);
    th_resp_free(&r);
    cr_expect_eq(on_hand(f.tee, 1), 6);
    cr_expect_eq(on_hand(f.tee, 2), 9);
    cr_expect_eq(on_hand(f.mug, 1), 0);
    cr_expect_eq(on_hand(f.mug, 2), 3);
    /* the ledger: out of Downtown, into Uptown, with where from and to */
    json_t *ledger = th_get(&t, f.manager, "/api/v1/stock/ledger?item_id=%lld", (long long)f.tee);
    json_t *rows = json_object_get(ledger, "data");
    cr_assert_eq(json_array_size(rows), 4, "two fixture receipts and the transfer's two");
    json_t *out = json_array_get(rows, 2), *in = json_array_get(rows, 3);
    cr_expect_str_eq(th_str(out, "reason"), "transfer_out");
    cr_expect_eq(th_int(out, "outlet_id"), 1);
    cr_expect_eq(th_int(out, "on_hand_delta"), -4);
    cr_expect_eq(th_int(out, "on_hand_after"), 6);
    cr_expect_str_eq(th_str(out, "reference"), "transfer-to:2");
    cr_expect_str_eq(th_str(out, "note"), "for the weekend");
    cr_expect_str_eq(th_str(in, "reason"), "transfer_in");
    cr_expect_eq(th_int(in, "outlet_id"), 2);
    cr_expect_eq(th_int(in, "on_hand_delta"), 4);
    cr_expect_str_eq(th_str(in, "reference"), "transfer-from:1");
    json_decref(ledger);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger WHERE reason IN"
                                " ('transfer_out', 'transfer_in')"),
                 4);
}

Test(stock_transfer, item1_both_outlets_must_be_the_callers_sec2)
{
    char mgr1[SB_TOKEN_LEN];
    int64_t o1[] = { 1, 0 };
    th_user(&t, "mgr1", "manager", o1, mgr1);
    char body[160];
    snprintf(body, sizeof(body),
             "{\"from_outlet_id\":1,\"to_outlet_id\":2,\"lines\":[{\"item_id\":%lld,"
             "\"quantity\":1}]}",
             (long long)f.tee);
    th_expect_error(&t, "POST", "/api/v1/stock/transfers", mgr1, body, 403, "outlet_forbidden");
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/transfers", mgr1, body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "field"), "to_outlet_id");
    th_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"from_outlet_id\":2,\"to_outlet_id\":1,\"lines\":[{\"item_id\":%lld,"
             "\"quantity\":1}]}",
             (long long)f.tee);
    th_expect_error(&t, "POST", "/api/v1/stock/transfers", mgr1, body, 403, "outlet_forbidden");
    /* staff may receive goods but not move them between outlets */
    th_expect_error(&t, "POST", "/api/v1/stock/transfers", f.staff1, body, 403, "forbidden");
    cr_expect_eq(on_hand(f.tee, 1), 10);
}

/* A bad line anywhere: nothing is written, and the error names the line. */
Test(stock_transfer, item1_a_bad_line_rolls_back_the_whole_transfer)
{
    const struct {
        const char *lines;
        long status;
        const char *code, *field;
    } bad[] = {
        /* 2 TEE would go, but only 3 MUG are at Downtown */
        { "[{\"item_id\":1,\"quantity\":2},{\"item_id\":2,\"quantity\":50}]", 422, "insufficient",
          "lines[1].quantity" },
        { "[{\"item_id\":1,\"quantity\":2},{\"item_id\":99,\"quantity\":1}]", 422,
          "unknown_reference", "lines[1].item_id" },
        { "[{\"item_id\":1,\"quantity\":2},{\"item_id\":3,\"quantity\":1}]", 422, "invalid_field",
          "lines[1].item_id" }, /* gift wrap tracks no stock */
        { "[{\"item_id\":1,\"quantity\":0}]", 422, "invalid_field", "lines[0].quantity" },
        { "[{\"item_id\":1}]", 422, "missing_field", "lines[0].quantity" },
        { "[]", 422, "invalid_field", "lines" },
        /* the same item twice: the second finds what the first left (10 - 6 < 5) */
        { "[{\"item_id\":1,\"quantity\":6},{\"item_id\":1,\"quantity\":5}]", 422, "insufficient",
          "lines[1].quantity" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[256];
        snprintf(body, sizeof(body), "{\"from_outlet_id\":1,\"to_outlet_id\":2,\"lines\":%s}",
                 bad[i].lines);
        uint64_t before = th_fingerprint(&t);
        struct th_resp r = th_req(&t, "POST", "/api/v1/stock/transfers", f.manager, body);
        cr_expect_eq(r.status, bad[i].status, "%s: %ld %s", bad[i].lines, r.status, r.body);
        json_t *e = json_object_get(r.json, "error");
        cr_expect_str_eq(th_str(e, "code"), bad[i].code, "%s", bad[i].lines);
        cr_expect_str_eq(th_str(e, "field"), bad[i].field, "%s", bad[i].lines);
        th_resp_free(&r);
        cr_expect_eq(th_fingerprint(&t), before, "%s wrote something", bad[i].lines);
    }
    th_expect_error(&t, "POST", "/api/v1/stock/transfers", f.manager,
                    "{\"from_outlet_id\":1,\"to_outlet_id\":1,"
                    "\"lines\":[{\"item_id\":1,\"quantity\":1}]}",
                    422, "invalid_field");
    th_expect_error(&t, "POST", "/api/v1/stock/transfers", t.admin,
                    "{\"from_outlet_id\":1,\"to_outlet_id\":9,"
                    "\"lines\":[{\"item_id\":1,\"quantity\":1}]}",
                    422, "unknown_reference");
    th_expect_error(&t, "POST", "/api/v1/stock/transfers", f.manager,
                    "{\"from_outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}", 422,
                    "missing_field");
    th_expect_error(&t, "POST", "/api/v1/stock/transfers", f.manager,
                    "{\"from_outlet_id\":1,\"to_outlet_id\":2,\"when\":1,"
                    "\"lines\":[{\"item_id\":1,\"quantity\":1}]}",
                    422, "invalid_field");
    cr_expect_eq(on_hand(f.tee, 1), 10);
    cr_expect_eq(on_hand(f.tee, 2), 5);
}

/* I3 end to end: a shop stocked from Downtown alone sees the stock leave, and the item page
 * says what it was last sent. */
static struct th_fake fake;

static void shop_setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    th_fake_start(&t, &fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1");
    struct th_resp r = th_fake_req(&fake, "POST", "/_fake/products",
                                   "{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"price\":\"20.00\"}");
    cr_assert_eq(r.status / 100, 2, "%s", r.body);
    th_resp_free(&r);
    int64_t id = th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"shopify\",\"name\":\"Web shop\","
                           "\"credentials\":{\"shop_domain\":\"demo.myshopify.com\","
                           "\"access_token\":\"" TH_SHOP_TOKEN "\","
                           "\"webhook_secret\":\"" TH_SHOP_SECRET "\",\"base_url\":\"%s\"},"
                           "\"outlets\":[1],\"default_outlet_id\":1}",
                           fake.url);
    cr_assert_eq(id, 1);
    th_wait_pipeline(&t);
}

static void shop_teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(stock_transfer_sync, .init = shop_setup, .fini = shop_teardown, .timeout = 120);

static int64_t shop_available(void)
{
    struct th_resp r = th_fake_req(&fake, "GET", "/_fake/inventory?sku=TEE", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    int64_t v = th_int(json_array_get(json_object_get(r.json, "levels"), 0), "available");
    th_resp_free(&r);
    return v;
}

Test(stock_transfer_sync, i3_a_transfer_reaches_the_channel)
{
    cr_assert_eq(shop_available(), 10);
    json_t *doc = th_get(&t, f.staff1, "/api/v1/items/%lld/channels", (long long)f.tee);
    json_t *c = json_array_get(json_object_get(doc, "data"), 0);
    cr_expect_str_eq(th_str(c, "status"), "on_channel");
    cr_expect_eq(th_int(json_object_get(json_object_get(c, "sent"), "stock"), "quantity"), 10);
    json_decref(doc);
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/transfers", f.manager,
                              "{\"from_outlet_id\":1,\"to_outlet_id\":2,"
                              "\"lines\":[{\"item_id\":1,\"quantity\":4}]}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    cr_expect_eq(shop_available(), 6);
    doc = th_get(&t, f.staff1, "/api/v1/items/%lld/channels", (long long)f.tee);
    c = json_array_get(json_object_get(doc, "data"), 0);
    json_t *sent = json_object_get(json_object_get(c, "sent"), "stock");
    cr_expect_eq(th_int(sent, "quantity"), 6);
    cr_expect(th_str(sent, "sent_at")[0] == '2', "sent_at is a time");
    cr_expect(json_is_null(json_object_get(json_object_get(c, "queued"), "stock")),
              "nothing left waiting");
    json_decref(doc);
}
