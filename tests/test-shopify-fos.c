/*
 * The Shopify adapter's fulfillment push (push_fulfillment) against a spawned
 * stockbridge-fakestore whose order has several fulfillment orders (issue 11
 * point 4; shopify.dev FulfillmentOrder: one per assigned location, ON_HOLD
 * and SCHEDULED ones not fulfillable): lines split across two locations are
 * both shipped; a push that meets a fulfillment order on hold must not report
 * the order shipped. The last is a FINDING for the adapter's owner (SHOP,
 * src/channel/shopify/adapter.c): it is disabled here until the adapter is
 * fixed, so that the suite stays green - see the test's comment.
 */
#include "channel/channel.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

struct shop {
    struct th t; /* only for th_fake_start: no server is started */
    struct th_fake fake;
    json_t *creds;
    struct sb_channel ch;
};

static struct shop S;

static void suite_init(void)
{
    memset(&S, 0, sizeof(S));
    th_fake_start(&S.t, &S.fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1");
    S.creds = json_pack("{s:s,s:s}", "access_token", TH_SHOP_TOKEN, "base_url", S.fake.url);
    S.ch = (struct sb_channel){
        .id = 1, .kind = "shopify", .name = "fos", .credentials = S.creds, .currency = "USD"
    };
}

static void suite_fini(void)
{
    th_fake_stop(&S.fake);
    json_decref(S.creds);
}

TestSuite(shopify_fos, .init = suite_init, .fini = suite_fini, .timeout = 60);

static json_t *ctl(const char *method, const char *path, const char *body, long want)
{
    struct th_resp r = th_fake_req(&S.fake, method, path, body);
    cr_assert_eq(r.status, want, "%s %s: %ld %s", method, path, r.status, r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

/* An order of two lines (a tee, two mugs) split as the body says; its id. */
static long long split_order(const char *split)
{
    json_t *o = ctl("POST", "/_fake/orders",
                    "{\"webhooks\":false,\"line_items\":[{\"title\":\"Tee\",\"price\":\"10.00\","
                    "\"quantity\":1},{\"title\":\"Mug\",\"price\":\"4.00\",\"quantity\":2}]}",
                    201);
    long long id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    char path[96];
    snprintf(path, sizeof(path), "/_fake/orders/%lld/split", id);
    json_decref(ctl("POST", path, split, 200));
    return id;
}

static sb_err push(long long id)
{
    char ext[32];
    snprintf(ext, sizeof(ext), "%lld", id);
    struct sb_fulfillment_push f = { .order_external_id = ext, .tracking_number = "1Z1" };
    return sb_channel_ops_for("shopify")->push_fulfillment(&S.ch, &f);
}

static const char *rest_status(long long id, char *buf, size_t cap)
{
    char path[96];
    snprintf(path, sizeof(path), "/_fake/orders/%lld", id);
    json_t *o = ctl("GET", path, NULL, 200);
    const char *st = json_string_value(json_object_get(o, "fulfillment_status"));
    snprintf(buf, cap, "%s", st ? st : "null");
    json_decref(o);
    return buf;
}

/* SPEC S4 (a shipment goes up to the channel): lines at two locations are two fulfillment
 * orders; the push fulfils both. */
Test(shopify_fos, s4_push_fulfils_every_location)
{
    json_decref(ctl("POST", "/_fake/locations", "{\"name\":\"Uptown\"}", 201));
    long long id = split_order("{\"webhooks\":false,\"fulfillment_orders\":[{\"location_id\":1,"
                               "\"lines\":[0]},{\"location_id\":2,\"lines\":[1]}]}");
    cr_assert_eq(push(id), SB_OK, "%s", sb_err_last()->message);
    char st[32];
    cr_expect_str_eq(rest_status(id, st, sizeof(st)), "fulfilled");
}

/* S4: with one fulfillment order open and one ON_HOLD, the open part is fulfilled and the
 * call is not done: SB_EBUSY (the outbox sends it again) naming the held part, so the order
 * is never recorded as shipped on Shopify while Shopify holds part of it. Sent again while
 * the hold stays, nothing is fulfilled twice and the answer is the same. */
Test(shopify_fos, s4_push_does_not_report_a_held_part_as_shipped)
{
    long long id = split_order("{\"webhooks\":false,\"fulfillment_orders\":[{\"lines\":[0]},"
                               "{\"lines\":[1],\"hold\":\"awaiting stock\"}]}");
    sb_err err = push(id);
    char st[32];
    cr_expect_str_eq(rest_status(id, st, sizeof(st)), "partial");
    cr_expect_eq(err, SB_EBUSY, "the adapter reported a partly held order as shipped");
    cr_expect(strstr(sb_err_last()->message, "1 fulfillment order is on hold or scheduled"), "%s",
              sb_err_last()->message);
    cr_expect(strstr(sb_err_last()->message, "(1 fulfilled now)"), "%s", sb_err_last()->message);
    cr_expect_eq(push(id), SB_EBUSY);
    cr_expect(strstr(sb_err_last()->message, "(0 fulfilled now)"), "%s", sb_err_last()->message);
    cr_expect_str_eq(rest_status(id, st, sizeof(st)), "partial");
}
