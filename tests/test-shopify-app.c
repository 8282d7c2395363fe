/*
 * The Shopify adapter connecting as a real app does (issue 11, WIRE.md
 * "Versions and what changed"), end to end against the fakestore: the access
 * scopes checked at connect time and the missing ones named in the channel's
 * sync-status; webhook subscriptions made by the engine at the configured
 * public address and repaired; the API version that answers shown, and a
 * mismatch logged once; a stock push carrying changeFromQuantity: null; an
 * operation the app lacks a scope for refused with the scope named.
 */
#include "channel/shopify/shopify.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct th T;
static struct th_fixture FX;
static struct th_fake FAKE;

static void setup(void)
{
    th_shop_start(&T, &FX, &FAKE);
    th_wait_pipeline(&T); /* the connect call the channel's creation queued */
}

static void teardown(void)
{
    th_fake_stop(&FAKE);
    th_stop(&T);
}

TestSuite(shopify_app, .init = setup, .fini = teardown, .timeout = 120);

static json_t *fake(const char *method, const char *path, const char *body, long want)
{
    struct th_resp r = th_fake_req(&FAKE, method, path, body);
    cr_assert_eq(r.status, want, "%s %s: %ld %s", method, path, r.status, r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

static json_t *connect_now(void)
{
    struct th_resp r = th_req(&T, "POST", "/api/v1/channels/1/connect", T.admin, "{}");
    cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

static char *dumps(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(s);
    return s;
}

/* WIRE.md: scopes (read_all_orders, else order(id:) sees only 60 days; write_orders for
 * cancellations): a connect with some missing names them, and the features they leave off
 * with why, in the connect's answer and in sync-status. */
Test(shopify_app, wire_connect_with_missing_scopes_names_them)
{
    json_decref(fake("POST", "/_fake/app",
                     "{\"scopes\":[\"read_orders\",\"write_merchant_managed_fulfillment_orders\","
                     "\"read_products\",\"read_inventory\",\"write_inventory\","
                     "\"read_locations\"]}",
                     200));
    json_decref(connect_now());
    json_t *st = th_get(&T, T.admin, "/api/v1/channels/1/sync-status");
    json_t *c = json_object_get(st, "connection");
    char *missing = dumps(json_object_get(json_object_get(c, "scopes"), "missing"));
    cr_expect_str_eq(missing, "[\"read_all_orders\",\"write_orders\"]");
    free(missing);
    /* each feature that is on, with what it lacks */
    json_t *features = json_object_get(c, "features");
    size_t i, off = 0;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        const char *name = th_str(f, "feature");
        bool ok = json_is_true(json_object_get(f, "ok"));
        if (strcmp(name, "cancellations") == 0 || strcmp(name, "orders older than 60 days") == 0) {
            cr_expect(!ok, "%s", name);
            cr_expect(strstr(th_str(f, "reason"), "the app lacks"), "%s", th_str(f, "reason"));
            off++;
        } else {
            cr_expect(ok, "%s", name); /* orders, fulfillments (write_merchant_managed_...) */
        }
    }
    cr_expect_eq(off, 2);
    json_decref(st);
    /* granted again: nothing missing */
    json_decref(fake("POST", "/_fake/app",
                     "{\"scopes\":[\"read_orders\",\"read_all_orders\",\"write_orders\"]}", 200));
    json_t *c2 = connect_now();
    cr_expect_eq(json_array_size(json_object_get(json_object_get(c2, "scopes"), "missing")), 0);
    json_decref(c2);
}

static size_t count_subs(json_t *app, const char *uri, bool admin)
{
    size_t i, n = 0;
    json_t *s;
    json_array_foreach(json_object_get(app, "subscriptions"), i, s)
    {
        if (strcmp(th_str(s, "uri"), uri) == 0 &&
            json_is_true(json_object_get(s, "admin")) == admin)
            n++;
    }
    return n;
}

/* WIRE.md: webhooks are subscribed by the app (webhookSubscriptionCreate, topic enums) to
 * its callback: setting webhook_base_url makes the six topics' subscriptions at
 * <base>/webhooks/<id>; one of ours left at an old address is deleted and made again; one
 * made by hand in the admin is left alone; a second pass finds everything right. */
Test(shopify_app, wire_webhook_subscriptions_created_and_repaired)
{
    /* nothing is subscribed while webhook_base_url is not set */
    json_t *app = fake("GET", "/_fake/app", NULL, 200);
    cr_expect_eq(json_array_size(json_object_get(app, "subscriptions")), 0);
    json_decref(app);
    json_decref(fake("POST", "/_fake/app/subscriptions",
                     "{\"topic\":\"ORDERS_PAID\",\"uri\":\"https://old.example.com/webhooks/1\"}",
                     201));
    json_decref(fake("POST", "/_fake/app/subscriptions",
                     "{\"topic\":\"ORDERS_CREATE\",\"uri\":\"https://pos.example.com/hand\","
                     "\"admin\":true}",
                     201));
    struct th_resp r = th_req(&T, "PATCH", "/api/v1/channels/1", T.admin,
                              "{\"settings\":{\"webhook_base_url\":\"https://pos.example.com/\"}}");
    cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
    th_resp_free(&r);
    th_wait_pipeline(&T); /* the connect call the change queued, through the outbox */
    app = fake("GET", "/_fake/app", NULL, 200);
    cr_expect_eq(count_subs(app, "https://pos.example.com/webhooks/1", false), 6);
    cr_expect_eq(count_subs(app, "https://old.example.com/webhooks/1", false), 0);
    cr_expect_eq(count_subs(app, "https://pos.example.com/hand", true), 1);
    json_decref(app);
    json_t *c = connect_now();
    json_t *wh = json_object_get(c, "webhooks");
    cr_expect_str_eq(th_str(wh, "callback_url"), "https://pos.example.com/webhooks/1");
    cr_expect_eq(th_int(wh, "kept"), 6);
    cr_expect_eq(th_int(wh, "created"), 0);
    cr_expect_eq(th_int(wh, "deleted"), 0);
    json_decref(c);
}

static size_t log_count(const char *event)
{
    struct th_resp r = th_req(&T, "GET", "/api/v1/channels/1/log?limit=200", T.admin, NULL);
    cr_assert_eq(r.status, 200);
    size_t n = 0;
    for (const char *p = r.body; (p = strstr(p, event)); p += strlen(event))
        n++;
    th_resp_free(&r);
    return n;
}

/* WIRE.md: a call to an unsupported version is served by the oldest supported one, and the
 * answer's X-Shopify-API-Version says which: a shop that no longer serves 2026-10 shows in
 * sync-status, and the change is logged once, not once per call. */
Test(shopify_app, wire_version_mismatch_is_shown_and_logged_once)
{
    json_decref(connect_now());
    json_t *st = th_get(&T, T.admin, "/api/v1/channels/1/sync-status");
    json_t *v = json_object_get(json_object_get(st, "connection"), "api_version");
    cr_expect_str_eq(th_str(v, "requested"), SB_SHOPIFY_API_VERSION);
    cr_expect_str_eq(th_str(v, "served"), "2026-10");
    cr_expect(json_is_false(json_object_get(v, "mismatch")));
    json_decref(st);
    cr_expect_eq(log_count("connection.api_version"), 0);

    json_decref(fake("POST", "/_fake/app", "{\"versions\":[\"2027-01\",\"2027-04\"]}", 200));
    json_decref(connect_now());
    json_decref(connect_now());
    st = th_get(&T, T.admin, "/api/v1/channels/1/sync-status");
    v = json_object_get(json_object_get(st, "connection"), "api_version");
    cr_expect_str_eq(th_str(v, "served"), "2027-01");
    cr_expect(json_is_true(json_object_get(v, "mismatch")));
    json_decref(st);
    cr_expect_eq(log_count("connection.api_version"), 1);
}

/* ---------------------------------------------------------------- the adapter alone */

struct item {
    char sku[64], item[96], location[96];
};

static struct item first_item(void)
{
    json_decref(fake("POST", "/_fake/products/bulk", "{\"count\":1}", 201));
    json_t *all = fake("GET", "/_fake/products", NULL, 200);
    json_t *p = json_array_get(json_object_get(all, "products"), 0);
    struct item it = { 0 };
    snprintf(it.sku, sizeof(it.sku), "%s", th_str(p, "sku"));
    snprintf(it.item, sizeof(it.item), "%s", th_str(p, "inventory_item_gid"));
    json_decref(all);
    char path[128];
    snprintf(path, sizeof(path), "/_fake/inventory?sku=%s", it.sku);
    json_t *inv = fake("GET", path, NULL, 200);
    snprintf(it.location, sizeof(it.location), "%s",
             th_str(json_array_get(json_object_get(inv, "levels"), 0), "location_id"));
    json_decref(inv);
    cr_assert(it.item[0] && it.location[0]);
    return it;
}

static sb_err push_one(const struct item *it, int64_t available, struct sb_stock_level *lv)
{
    json_t *creds = json_pack("{s:s,s:s}", "access_token", TH_SHOP_TOKEN, "base_url", FAKE.url);
    struct sb_channel ch = { .id = 1, .kind = "shopify", .credentials = creds };
    *lv = (struct sb_stock_level){ .item_id = 1,
                                   .external_item_id = it->item,
                                   .location_id = it->location,
                                   .available = available };
    struct sb_arena *a = sb_arena_new();
    sb_err err = sb_shopify_push_stock(&ch, lv, 1, a);
    sb_arena_free(a);
    json_decref(creds);
    return err;
}

/* I1 + WIRE.md (2026-04: every quantity carries changeFromQuantity; null skips the
 * compare-and-swap; ignoreCompareQuantity is deprecated): what the shop received. */
Test(shopify_app, i1_stock_push_sends_change_from_quantity_null)
{
    struct item it = first_item();
    struct sb_stock_level lv;
    cr_assert_eq(push_one(&it, 17, &lv), SB_OK, "%s", sb_err_last()->message);
    cr_assert_null(lv.error);
    json_t *req = fake("GET", "/_fake/requests", NULL, 200);
    json_t *recent = json_object_get(req, "recent"), *vars = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(recent, i, r)
    {
        if (strcmp(th_str(r, "operation"), "SbInventorySet") == 0)
            vars = json_object_get(r, "variables");
    }
    cr_assert(vars, "no SbInventorySet was received");
    json_t *input = json_object_get(vars, "input");
    json_t *q = json_array_get(json_object_get(input, "quantities"), 0);
    json_t *cfq = json_object_get(q, "changeFromQuantity");
    cr_expect(cfq && json_is_null(cfq), "changeFromQuantity must be present and null");
    cr_expect_null(json_object_get(input, "ignoreCompareQuantity"));
    cr_expect_null(json_object_get(q, "compareQuantity"));
    cr_expect_eq(th_int(q, "quantity"), 17);
    json_decref(req);
}

/* WIRE.md (scopes: write_inventory for stock): without it the shop answers ACCESS_DENIED,
 * and the push fails naming the scope, not as an unreadable answer. */
Test(shopify_app, wire_access_denied_names_the_scope)
{
    struct item it = first_item();
    json_decref(
        fake("POST", "/_fake/app", "{\"scopes\":[\"read_inventory\",\"read_products\"]}", 200));
    struct sb_stock_level lv;
    cr_assert_eq(push_one(&it, 3, &lv), SB_ECONFLICT);
    cr_expect(strstr(sb_err_last()->message, "write_inventory"), "%s", sb_err_last()->message);
    cr_expect(strstr(sb_err_last()->message, "ACCESS_DENIED"), "%s", sb_err_last()->message);
}

/* O10 (what fails is shown with why): a check that cannot be made - the shop refuses the
 * token - answers 409 naming the credentials, and sync-status keeps the error beside what
 * the last good check found; the log says connection.failed. */
Test(shopify_app, o10_a_failed_connection_check_is_shown)
{
    json_decref(connect_now());
    char body[512];
    snprintf(body, sizeof(body),
             "{\"credentials\":{\"shop_domain\":\"demo.myshopify.com\",\"access_token\":"
             "\"shpat_wrong\",\"webhook_secret\":\"" TH_SHOP_SECRET "\",\"base_url\":\"%s\"}}",
             FAKE.url);
    struct th_resp r = th_req(&T, "PATCH", "/api/v1/channels/1", T.admin, body);
    cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
    th_resp_free(&r);
    th_wait_pipeline(&T);
    r = th_req(&T, "POST", "/api/v1/channels/1/connect", T.admin, "{}");
    cr_expect_eq(r.status, 409, "%ld %s", r.status, r.body);
    cr_expect(strstr(r.body, "credentials"), "%s", r.body);
    th_resp_free(&r);
    json_t *st = th_get(&T, T.admin, "/api/v1/channels/1/sync-status");
    json_t *c = json_object_get(st, "connection");
    cr_expect(strstr(th_str(c, "error"), "access token"), "%s", th_str(c, "error"));
    json_decref(st);
    cr_expect_eq(log_count("connection.failed"), 1);
}

/* WIRE.md: the app's subscriptions are signed with the app's client secret, those made by
 * hand in the admin with another key. Once the engine has subscribed (webhook_base_url:
 * this server), an order placed on the shop reaches it through the subscription and comes
 * down (O1); the admin-made subscription's copy of the same event is refused (401: another
 * key) and changes nothing. */
Test(shopify_app, wire_deliveries_follow_the_subscriptions_and_their_keys)
{
    char body[256], url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/webhooks/1", (unsigned)T.port);
    snprintf(body, sizeof(body), "{\"topic\":\"ORDERS_CREATE\",\"uri\":\"%s\",\"admin\":true}",
             url);
    json_decref(fake("POST", "/_fake/app/subscriptions", body, 201));
    snprintf(body, sizeof(body), "{\"settings\":{\"webhook_base_url\":\"http://127.0.0.1:%u\"}}",
             (unsigned)T.port);
    struct th_resp r = th_req(&T, "PATCH", "/api/v1/channels/1", T.admin, body);
    cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
    th_resp_free(&r);
    th_wait_pipeline(&T);
    char id[32];
    th_shop_place(&T, &FAKE,
                  "{\"email\":\"s@example.com\",\"financial_status\":\"paid\",\"line_items\":"
                  "[{\"sku\":\"TEE\",\"title\":\"TEE item\",\"quantity\":1,\"price\":\"20.00\"}]}",
                  id, sizeof(id));
    json_t *d = fake("GET", "/_fake/deliveries", NULL, 200);
    size_t i, ok = 0, refused = 0;
    json_t *x;
    const char *event = NULL;
    json_array_foreach(json_object_get(d, "deliveries"), i, x)
    {
        if (strcmp(th_str(x, "topic"), "orders/create") != 0)
            continue;
        cr_expect_str_eq(th_str(x, "url"), url);
        if (event) /* one event, the same id on every subscription's copy */
            cr_expect_str_eq(th_str(x, "event_id"), event);
        event = th_str(x, "event_id");
        if (th_int(x, "status") == 200)
            ok++;
        else if (th_int(x, "status") == 401)
            refused++;
    }
    cr_expect_eq(ok, 1, "the app's subscription");
    cr_expect_eq(refused, 1, "the admin's, signed with another key");
    json_decref(d);
    json_t *orders = th_get(&T, T.admin, "/api/v1/channels/1/orders");
    cr_expect_eq(json_array_size(json_object_get(orders, "data")), 1);
    json_decref(orders);
}

/* WIRE.md (read_all_orders, else order(id:) sees only the last 60 days) + O10: a token
 * without read_all_orders and an order older than 60 days. The connection names the
 * missing scope; order(id:) answers null for the order, as Shopify does; and a fulfillment
 * webhook for it is logged as not applicable with the reason, the event done, not failed
 * or retried as an order that is "not on Shopify". */
Test(shopify_app, o10_an_event_on_an_order_beyond_the_60_day_window_is_not_applicable)
{
    char id[32];
    th_shop_place(&T, &FAKE,
                  "{\"line_items\":[{\"title\":\"Gift card\",\"price\":\"10.00\","
                  "\"quantity\":1}]}",
                  id, sizeof(id));
    cr_assert_eq(th_sql_int(&T, "SELECT COUNT(*) FROM channel_events WHERE status != 'done'"), 0);
    json_decref(fake("POST", "/_fake/app",
                     "{\"scopes\":[\"read_orders\",\"write_orders\",\"read_products\","
                     "\"read_inventory\",\"write_inventory\",\"read_locations\"]}",
                     200));
    json_t *c = connect_now();
    char *missing = dumps(json_object_get(json_object_get(c, "scopes"), "missing"));
    cr_expect_str_eq(missing, "[\"read_all_orders\"]");
    free(missing);
    json_decref(c);
    char body[96];
    snprintf(body, sizeof(body), "{\"order_id\":%s,\"days\":70}", id);
    json_decref(fake("POST", "/_fake/app/backdate", body, 200));

    /* order(id:) does not see it: null, which alone reads as "not on Shopify" */
    json_t *creds = json_pack("{s:s,s:s}", "access_token", TH_SHOP_TOKEN, "base_url", FAKE.url);
    struct sb_channel ch = { .id = 1, .kind = "shopify", .credentials = creds };
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_expect_eq(sb_channel_ops_for("shopify")->fetch_order(&ch, id, a, &o), SB_ENOT_FOUND);
    cr_expect(strstr(sb_err_last()->message, "is not on Shopify"), "%s", sb_err_last()->message);
    sb_arena_free(a);
    json_decref(creds);

    th_shop_act(&T, &FAKE, id, "fulfill", "{}");
    th_wait_pipeline(&T);
    cr_expect_eq(th_sql_int(&T, "SELECT COUNT(*) FROM channel_events WHERE status = 'done' AND "
                                "topic = 'fulfillments/create' AND error IS NULL"),
                 1, "the fulfillment's event is done");
    cr_expect_eq(th_sql_int(&T, "SELECT COUNT(*) FROM channel_events WHERE status != 'done'"), 0);
    cr_expect_eq(log_count("event.not_applicable"), 1);
    cr_expect_eq(log_count("event.failed"), 0);
    cr_expect_eq(log_count("event.retry"), 0);
    struct th_resp r = th_req(&T, "GET", "/api/v1/channels/1/log?limit=200", T.admin, NULL);
    cr_expect(strstr(r.body, "fulfillments/create not applicable: order ") &&
                  strstr(r.body, "without the read_all_orders access scope Shopify shows an app "
                                 "only the orders of the last 60 days"),
              "%s", r.body);
    th_resp_free(&r);
}
