/*
 * The hooks of the channel interface that the next kinds need (channel.h),
 * wired into the engine and driven through the test kind "fault"
 * (tests/fault-channel.h) shaped with each capability bit: work after a
 * download (Magento's invoice), refunds made in the POS going to the
 * channel, POS status changes travelling by the kind's status table, the
 * table read into orders that come down, orders a webstore exports to us,
 * and orders downloaded as customer orders or invoices (M6). Each also shows that without its bit
 * (Shopify's case) the engine does none of it. The kind's per-channel state
 * is checked here too: opened once per channel and shared by every call.
 */
#include "fault-channel.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static unsigned shape = FC_CAPS; /* each test runs in a process of its own */

static void setup(void)
{
    fault_channel_install();
    fault_channel_shape(shape, FC_PUSH_BATCH);
    fault_channel_set_stock(1, "TEE", 0);
    fault_channel_set_stock(1, "MUG", 0);
    th_start(&t);
    th_fixture(&t, &f);
    int64_t id = th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"" FC_KIND "\",\"name\":\"Hooks\","
                           "\"credentials\":{\"shop\":\"hooks\","
                           "\"webhook_secret\":\"" TH_SHOP_SECRET "\"},"
                           "\"outlets\":[1,2],\"default_outlet_id\":1,\"register_id\":1,"
                           "\"employee_id\":1}");
    cr_assert_eq(id, 1);
    th_wait_pipeline(&t);
}

static void teardown(void)
{
    fault_channel_release(1);
    th_stop(&t);
}

#define SHAPED(name, caps)        \
    static void name(void)        \
    {                             \
        shape = FC_CAPS | (caps); \
        setup();                  \
    }
SHAPED(setup_after_download, SB_CH_AFTER_DOWNLOAD)
SHAPED(setup_refund, SB_CH_REFUND)
SHAPED(setup_status_out, SB_CH_STATUS_OUT)
SHAPED(setup_status_in, SB_CH_STATUS_IN)
SHAPED(setup_export, SB_CH_EXPORT)
SHAPED(setup_reserve, SB_CH_RESERVE)

TestSuite(channel_hooks, .init = setup, .fini = teardown, .timeout = 120);

/* ---------------------------------------------------------------- helpers */

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

/* A paid order for one T-shirt, shipped to an address, updated at `updated` (seconds past
 * 09:00), with extra JSON members (`extra`: "" or ",\"k\":v"). */
static void order_json(int64_t id, int updated, const char *extra, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"id\":%lld,\"name\":\"#%lld\",\"email\":\"buyer%lld@example.com\","
             "\"currency\":\"USD\",\"created_at\":\"2026-11-22T09:00:00Z\","
             "\"updated_at\":\"2026-11-22T09:00:%02dZ\",\"financial_status\":\"paid\","
             "\"gateway\":\"shopify_payments\",\"subtotal_price\":\"20.00\","
             "\"total_price\":\"20.00\",\"total_tax\":\"0.00\",\"total_discounts\":\"0.00\","
             "\"shipping_address\":{\"name\":\"Pat Doe\",\"address1\":\"9 Elm\","
             "\"city\":\"Bath\"},"
             "\"line_items\":[{\"id\":%lld1,\"sku\":\"TEE\",\"title\":\"T-shirt\","
             "\"quantity\":1,\"price\":\"20.00\",\"requires_shipping\":true}]%s}",
             (long long)id, (long long)id, (long long)id, updated, (long long)id, extra);
}

/* The same order as order_json, but with its financial status given ("pending": unpaid). */
static void order_json_fin(int64_t id, int updated, const char *fin, const char *extra, char *buf,
                           size_t cap)
{
    char paid[2048];
    order_json(id, updated, extra, paid, sizeof(paid));
    const char *key = "\"financial_status\":\"paid\"";
    char *at = strstr(paid, key);
    cr_assert_not_null(at);
    *at = '\0';
    snprintf(buf, cap, "%s\"financial_status\":\"%s\"%s", paid, fin, at + strlen(key));
}

/* A signed webhook to channel 1. */
static void hook(const char *topic, const char *event_id, const char *body)
{
    unsigned char mac[32];
    unsigned int n = 0;
    char sig[64] = "", h_topic[96], h_event[160], h_hmac[96];
    HMAC(EVP_sha256(), TH_SHOP_SECRET, (int)strlen(TH_SHOP_SECRET), (const unsigned char *)body,
         strlen(body), mac, &n);
    EVP_EncodeBlock((unsigned char *)sig, mac, (int)n);
    snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
    snprintf(h_event, sizeof(h_event), "X-Shopify-Event-Id: %s", event_id);
    snprintf(h_hmac, sizeof(h_hmac), "X-Shopify-Hmac-Sha256: %s", sig);
    const char *const headers[] = { h_topic, h_event, h_hmac, NULL };
    struct th_resp r = th_post_headers(&t, "/webhooks/1", body, headers);
    cr_expect_eq(r.status, 200, "%s %s: %ld %s", topic, event_id, r.status, r.body);
    th_resp_free(&r);
}

/* An order placed on the shop and announced by orders/create, applied, settled. */
static void place(int64_t id, const char *extra)
{
    char body[2048], ext[24], ev[32];
    order_json(id, 0, extra, body, sizeof(body));
    snprintf(ext, sizeof(ext), "%lld", (long long)id);
    fault_channel_put_order(1, ext, body);
    snprintf(ev, sizeof(ev), "create-%lld", (long long)id);
    hook("orders/create", ev, body);
    th_wait_pipeline(&t);
}

static int64_t sale_of(int64_t id)
{
    return sql_int("SELECT id FROM sales WHERE channel_id = 1 AND external_id = '%lld'",
                   (long long)id);
}

/* The last call of op the shop took for the order, parsed (NULL: none). */
static json_t *last(enum fc_op op, int64_t id)
{
    char ext[24];
    snprintf(ext, sizeof(ext), "%lld", (long long)id);
    char *text = fault_channel_last(1, op, ext);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j;
}

/* A POST that must answer want. */
static void post(const char *path, const char *body, long want)
{
    struct th_resp r = th_req(&t, "POST", path, t.admin, body);
    cr_assert_eq(r.status, want, "POST %s %s: %ld %s", path, body, r.status, r.body);
    th_resp_free(&r);
}

static void patch_settings(const char *settings)
{
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/channels/1", t.admin, settings);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
}

/* The newest log entry with this event name (caller decrefs), or NULL. */
static json_t *log_entry(const char *event)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/log?limit=500");
    json_t *row, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        if (!found && strcmp(th_str(row, "event"), event) == 0)
            found = json_incref(row);
    }
    json_decref(page);
    return found;
}

/* ---------------------------------------------------------------- per-channel state */

/* The kind's state (state_size, open, close) is opened once for the channel by the channel
 * cache, and every call, on every lane and the webhook path, carries that one. */
Test(channel_hooks, a_kinds_state_is_opened_once_per_channel_and_shared)
{
    place(9001, "");
    place(9002, "");
    /* a stock push (the stock lane) and a poll (the API's thread) too */
    th_create(&t, t.admin, "/api/v1/sales",
              "{\"outlet_id\":1,\"register_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}],"
              "\"payments\":[{\"payment_type_id\":1,\"amount\":2000}]}");
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, NULL);
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    cr_expect_gt(fault_channel_calls(1, FC_PUSH_STOCK), 0);
    cr_expect_gt(fault_channel_calls(1, FC_POLL), 0);
    cr_expect_eq(fault_channel_opens(1), 1, "opened once for the channel");
    cr_expect(fault_channel_one_state(1), "every call carried the one state");
}

/* ---------------------------------------------------------------- after download (M3) */

Test(channel_hooks, m3_after_download_is_called_once_per_order_that_came_down,
     .init = setup_after_download)
{
    place(9101, "");
    int64_t sale = sale_of(9101);
    cr_assert_gt(sale, 0);
    json_t *d = last(FC_AFTER_DOWNLOAD, 9101);
    cr_assert_not_null(d, "after_download was not called");
    cr_expect_eq(json_integer_value(json_object_get(d, "sale_id")), sale);
    json_decref(d);
    /* a later version of the order is not a download: no second call */
    char body[2048];
    order_json(9101, 30, "", body, sizeof(body));
    fault_channel_put_order(1, "9101", body);
    hook("orders/updated", "update-9101", body);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_AFTER_DOWNLOAD), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"
                         " AND status = 'done'"),
                 1);
}

/* Without the bit (Shopify's case) nothing is queued or called. */
Test(channel_hooks, m3_no_after_download_without_the_bit)
{
    place(9102, "");
    cr_expect_gt(sale_of(9102), 0);
    cr_expect_eq(fault_channel_calls(1, FC_AFTER_DOWNLOAD), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox"), 0);
}

/* ---------------------------------------------------------------- refunds out (S2) */

/* A return made in the POS on a web order reaches a channel that takes refunds, with the
 * channel's line ids, when its push_refunds setting is on. */
Test(channel_hooks, s2_a_pos_return_is_pushed_as_a_refund_when_the_setting_is_on,
     .init = setup_refund)
{
    place(9201, "");
    int64_t sale = sale_of(9201);
    int64_t line =
        sql_int("SELECT id FROM sale_lines WHERE sale_id = %lld AND sku = 'TEE'", (long long)sale);
    char path[64], body[160];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/returns", (long long)sale);
    /* the setting is off by default: a return sends nothing */
    snprintf(body, sizeof(body), "{\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    post(path, body, 201);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_REFUND), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE kind = 'refund'"), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM returns WHERE sale_id = %lld", (long long)sale), 1);

    /* on: the next return is sent, once */
    place(9202, "");
    sale = sale_of(9202);
    line =
        sql_int("SELECT id FROM sale_lines WHERE sale_id = %lld AND sku = 'TEE'", (long long)sale);
    patch_settings("{\"settings\":{\"" SB_CHANNEL_PUSH_REFUNDS "\":true}}");
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/returns", (long long)sale);
    snprintf(body, sizeof(body),
             "{\"reason\":\"too small\",\"lines\":[{\"sale_line_id\":%lld,\"quantity\":1}]}",
             (long long)line);
    post(path, body, 201);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_REFUND), 1);
    json_t *r = last(FC_PUSH_REFUND, 9202);
    cr_assert_not_null(r);
    cr_expect_eq(json_integer_value(json_object_get(r, "amount")), 2000);
    json_t *l = json_array_get(json_object_get(r, "lines"), 0);
    cr_expect_str_eq(th_str(l, "line"), "92021", "the channel's line id");
    cr_expect_eq(json_integer_value(json_object_get(l, "quantity")), 1);
    cr_expect_eq(json_integer_value(json_object_get(l, "amount")), 2000);
    cr_expect(json_is_true(json_object_get(l, "restock")));
    json_decref(r);
}

/* A refund made on the channel comes down as a return and goes nowhere back. */
Test(channel_hooks, s2_a_refund_from_the_channel_is_not_sent_back, .init = setup_refund)
{
    patch_settings("{\"settings\":{\"" SB_CHANNEL_PUSH_REFUNDS "\":true}}");
    place(9203, "");
    char body[2048];
    order_json(9203, 40,
               ",\"refunds\":[{\"id\":77,\"note\":\"damaged\",\"refund_line_items\":[{"
               "\"line_item_id\":92031,\"quantity\":1,\"subtotal\":\"20.00\",\"total_tax\":"
               "\"0.00\",\"restock_type\":\"return\"}],\"transactions\":[{\"kind\":\"refund\","
               "\"status\":\"success\",\"amount\":\"20.00\"}]}]",
               body, sizeof(body));
    fault_channel_put_order(1, "9203", body);
    hook("orders/updated", "refund-9203", body);
    th_wait_pipeline(&t);
    cr_expect_eq(
        sql_int("SELECT COUNT(*) FROM returns WHERE sale_id = %lld", (long long)sale_of(9203)), 1,
        "the channel's refund came down");
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_REFUND), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE kind = 'refund'"), 0);
}

/* ---------------------------------------------------------------- statuses out (SPEC 8) */

/* A fulfillment moved in the POS travels as the kind's status table names it; a move with
 * no row out does not travel, and the log says so. */
Test(channel_hooks, status_out_travels_by_the_table_and_what_does_not_travel_is_logged,
     .init = setup_status_out)
{
    patch_settings("{\"settings\":{\"" SB_CHANNEL_PUSH_STATUSES "\":true}}");
    place(9301, "");
    int64_t ff =
        sql_int("SELECT id FROM fulfillments WHERE sale_id = %lld", (long long)sale_of(9301));
    cr_assert_gt(ff, 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/fulfillments/%lld/status", (long long)ff);
    post(path, "{\"status\":\"in_progress\"}", 200);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STATUS), 0, "in_progress does not travel");
    json_t *e = log_entry("push.kept");
    cr_assert_not_null(e);
    cr_expect_str_eq(th_str(e, "message"), "status in_progress does not travel to the channel");
    json_decref(e);
    post(path, "{\"status\":\"packed\"}", 200);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STATUS), 1);
    json_t *s = last(FC_PUSH_STATUS, 9301);
    cr_assert_not_null(s);
    cr_expect_str_eq(th_str(s, "status"), "ready_for_pickup", "the table's OUT row");
    cr_expect_str_eq(th_str(s, "pos"), "packed");
    json_decref(s);
}

/* The setting off (its default), nothing is queued. */
Test(channel_hooks, status_out_needs_its_setting, .init = setup_status_out)
{
    place(9302, "");
    int64_t ff =
        sql_int("SELECT id FROM fulfillments WHERE sale_id = %lld", (long long)sale_of(9302));
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/fulfillments/%lld/status", (long long)ff);
    post(path, "{\"status\":\"packed\"}", 200);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STATUS), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE kind = 'status'"), 0);
}

/* L2: an unpaid web order whose balance staff take in the POS (the sell flow's payment on the
 * sale) travels as the table's PAID row; the channel's own payment coming down does not
 * travel back, nor does a payment that leaves a balance. */
Test(channel_hooks, l2_a_web_sale_paid_in_the_pos_travels_as_paid, .init = setup_status_out)
{
    patch_settings("{\"settings\":{\"" SB_CHANNEL_PUSH_STATUSES "\":true}}");
    char body[2048];
    order_json_fin(9311, 0, "pending", "", body, sizeof(body));
    fault_channel_put_order(1, "9311", body);
    hook("orders/create", "create-9311", body);
    th_wait_pipeline(&t);
    int64_t sale = sale_of(9311);
    cr_assert_gt(sale, 0);
    int64_t due = sql_int("SELECT balance_due FROM sales WHERE id = %lld", (long long)sale);
    cr_assert_gt(due, 1);
    char path[64], pay[96];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/payments", (long long)sale);
    snprintf(pay, sizeof(pay), "{\"payment_type_id\":1,\"amount\":%lld}", (long long)due - 1);
    post(path, pay, 201);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STATUS), 0, "a balance remains: not paid");
    post(path, "{\"payment_type_id\":1,\"amount\":1}", 201);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STATUS), 1);
    json_t *s = last(FC_PUSH_STATUS, 9311);
    cr_assert_not_null(s);
    cr_expect_str_eq(th_str(s, "status"), "paid", "the table's OUT row for paid");
    cr_expect_str_eq(th_str(s, "pos"), "paid");
    json_decref(s);

    /* P4 the other way: paid on the channel, nothing goes back */
    order_json_fin(9312, 0, "pending", "", body, sizeof(body));
    fault_channel_put_order(1, "9312", body);
    hook("orders/create", "create-9312", body);
    th_wait_pipeline(&t);
    order_json(9312, 5, "", body, sizeof(body));
    fault_channel_put_order(1, "9312", body);
    hook("orders/updated", "paid-9312", body);
    th_wait_pipeline(&t);
    cr_expect_eq(sql_int("SELECT balance_due FROM sales WHERE id = %lld", (long long)sale_of(9312)),
                 0, "paid on the channel (P4)");
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STATUS), 1, "nothing sent back");
}

/* L2: a sale voided by the channel's cancellation queues the table's cancelled row; a kind
 * with none (this one) logs that it does not travel, and sends nothing. */
Test(channel_hooks, l2_a_channel_cancel_travels_back_only_by_the_table, .init = setup_status_out)
{
    patch_settings("{\"settings\":{\"" SB_CHANNEL_PUSH_STATUSES "\":true}}");
    place(9313, "");
    char body[2048];
    order_json(9313, 9, ",\"cancelled_at\":\"2026-11-22T09:00:09Z\"", body, sizeof(body));
    fault_channel_put_order(1, "9313", body);
    hook("orders/cancelled", "cancel-9313", body);
    th_wait_pipeline(&t);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'voided'",
                         (long long)sale_of(9313)),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE kind = 'status'"), 1);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STATUS), 0);
    json_t *e = log_entry("push.kept");
    cr_assert_not_null(e);
    cr_expect_str_eq(th_str(e, "message"), "status cancelled does not travel to the channel");
    json_decref(e);
}

/* ---------------------------------------------------------------- statuses in (S1) */

/* An order whose raw status the table takes in as cancelled is voided (S1), though its own
 * fields do not say so; a status no row takes in is logged. */
Test(channel_hooks, s1_status_in_a_raw_cancelled_status_voids_the_sale, .init = setup_status_in)
{
    place(9401, ",\"fc_status\":\"processing\"");
    int64_t sale = sale_of(9401);
    cr_assert_gt(sale, 0);
    json_t *e = log_entry("status.kept");
    cr_assert_not_null(e, "the status that does not travel is logged");
    cr_expect_str_eq(th_str(e, "message"), "status processing does not travel to the POS");
    json_decref(e);
    char body[2048];
    order_json(9401, 50, ",\"fc_status\":\"canceled\"", body, sizeof(body));
    fault_channel_put_order(1, "9401", body);
    hook("orders/updated", "status-9401", body);
    th_wait_pipeline(&t);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'voided'",
                         (long long)sale),
                 1);
}

/* Without the bit the raw status is only kept: the same order stays a live sale. */
Test(channel_hooks, s1_without_the_bit_a_raw_status_changes_nothing)
{
    place(9402, "");
    char body[2048];
    order_json(9402, 50, ",\"fc_status\":\"canceled\"", body, sizeof(body));
    fault_channel_put_order(1, "9402", body);
    hook("orders/updated", "status-9402", body);
    th_wait_pipeline(&t);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'voided'",
                         (long long)sale_of(9402)),
                 0);
}

/* ---------------------------------------------------------------- the export model (E3, E4) */

/* What the webstore exports comes down on a poll, exactly once, and is acknowledged after
 * it is applied. */
Test(channel_hooks, e3_e4_exported_orders_come_down_once_and_are_acknowledged, .init = setup_export)
{
    char body[2048];
    order_json(9501, 0, "", body, sizeof(body));
    fault_channel_export(1, "9501", body);
    order_json(9502, 0, "", body, sizeof(body));
    fault_channel_export(1, "9502", body);
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "orders"), 2);
    th_resp_free(&r);
    cr_expect_gt(sale_of(9501), 0);
    cr_expect_gt(sale_of(9502), 0);
    cr_expect_eq(fault_channel_acknowledged(1, "9501"), 1);
    cr_expect_eq(fault_channel_acknowledged(1, "9502"), 1);
    /* acknowledged: not offered again, nothing new */
    r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "orders"), 0);
    th_resp_free(&r);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE channel_id = 1"), 2);
}

/* An acknowledgement that fails leaves the order offered: the next poll applies it again,
 * and it is still one sale (O2). */
Test(channel_hooks, o2_an_export_offered_again_is_one_sale, .init = setup_export)
{
    char body[2048];
    order_json(9503, 0, "", body, sizeof(body));
    fault_channel_export(1, "9503", body);
    fault_channel_set(1, FC_ACKNOWLEDGE, FC_TRANSIENT, 1);
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, NULL);
    cr_expect_neq(r.status, 200, "the poll says the acknowledgement failed");
    th_resp_free(&r);
    cr_expect_gt(sale_of(9503), 0, "applied before it was acknowledged");
    r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    cr_expect_eq(fault_channel_acknowledged(1, "9503"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE channel_id = 1"), 1);
}

/* ---------------------------------------------------------------- reservations (M6) */

/* The order's stock at outlet 1 (where the fixture has 10 TEE). */
static int64_t tee(const char *col)
{
    return sql_int("SELECT %s FROM stock WHERE item_id = 1 AND outlet_id = 1", col);
}

/* M6, I2, I6, S1: a channel set to download orders as orders: the web order becomes an open
 * customer order whose line reserves its stock (on hand stays; what the channel is sent
 * drops), the amount paid its deposit; cancelled on the channel, the order is cancelled,
 * its stock released, its deposit refunded, and nothing goes back to the channel. */
Test(channel_hooks, m6_i6_s1_an_order_downloaded_as_an_order_reserves_until_cancelled,
     .init = setup_reserve)
{
    json_t *c = th_get(&t, t.admin, "/api/v1/channels/1");
    json_t *st = json_object_get(c, "settings");
    cr_expect_str_eq(th_str(st, SB_CHANNEL_IMPORT_AS), "sale",
                     "the kind's setting, at its default");
    cr_expect(json_is_true(json_object_get(st, SB_CHANNEL_RESERVE_STOCK)), "on by default");
    cr_expect(json_is_false(json_object_get(st, SB_CHANNEL_ORDER_DEPOSITS)), "off by default");
    json_decref(c);
    /* I2: before the order, the channel is sent every linked outlet's TEE: 10 + 5 */
    cr_expect(fault_channel_wait_stock(1, "TEE", 15, 10000));
    patch_settings("{\"settings\":{\"" SB_CHANNEL_IMPORT_AS
                   "\":\"order\",\"" SB_CHANNEL_ORDER_DEPOSITS "\":true}}");
    place(9601, "");
    int64_t id = sale_of(9601);
    cr_assert_gt(id, 0);
    json_t *o = th_get(&t, t.admin, "/api/v1/orders/%lld", (long long)id);
    cr_expect_str_eq(th_str(o, "kind"), "order");
    cr_expect_str_eq(th_str(o, "order_status"), "open");
    cr_expect_eq(th_int(o, "reserved_total"), 1);
    cr_expect_eq(th_int(o, "deposit_total"), 2000, "the amount paid, as a deposit");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(o, "deposits"), 0), "payment_type_name"),
                     "Shopify Payments");
    json_decref(o);
    cr_expect_eq(tee("on_hand"), 10);
    cr_expect_eq(tee("reserved"), 1);
    /* I6: the reservation reaches the channel as any stock change does (I3) */
    cr_expect(fault_channel_wait_stock(1, "TEE", 14, 10000), "sent %lld",
              (long long)fault_channel_stock(1, "TEE"));
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/orders");
    cr_expect_str_eq(th_str(json_array_get(json_object_get(page, "data"), 0), "state"),
                     "downloaded");
    json_decref(page);

    /* S1: cancelled on the channel */
    char body[2048];
    order_json(9601, 20,
               ",\"cancelled_at\":\"2026-11-22T09:00:20Z\",\"cancel_reason\":\"customer\"", body,
               sizeof(body));
    fault_channel_put_order(1, "9601", body);
    hook("orders/cancelled", "cancel-9601", body);
    th_wait_pipeline(&t);
    o = th_get(&t, t.admin, "/api/v1/orders/%lld", (long long)id);
    cr_expect_str_eq(th_str(o, "order_status"), "voided");
    cr_expect_eq(th_int(o, "reserved_total"), 0);
    cr_expect_eq(th_int(o, "refunded_total"), 2000, "the deposit goes back");
    json_decref(o);
    cr_expect_eq(tee("on_hand"), 10, "no stock came back that never left");
    cr_expect_eq(tee("reserved"), 0);
    cr_expect(fault_channel_wait_stock(1, "TEE", 15, 10000));
    cr_expect_eq(fault_channel_cancels(1, "9601"), 0, "the channel cancelled it: nothing sent");
}

/* M6, O3, P4: without reservation or deposits, an order holds nothing and records no money;
 * with deposits on, an unpaid order later paid on the channel gets the payment as a further
 * deposit and stays an open order; staff turn it into a sale, and the stock leaves then. */
Test(channel_hooks, m6_o3_p4_an_order_paid_later_takes_a_deposit_and_becomes_a_sale,
     .init = setup_reserve)
{
    patch_settings("{\"settings\":{\"" SB_CHANNEL_IMPORT_AS
                   "\":\"order\",\"" SB_CHANNEL_RESERVE_STOCK "\":false}}");
    place(9602, "");
    int64_t a = sale_of(9602);
    cr_assert_gt(a, 0);
    cr_expect_eq(tee("reserved"), 0, "reservation off");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payments WHERE sale_id = %lld", (long long)a), 0,
                 "deposits off: the amount paid is not recorded on the order");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE sale_id = %lld", (long long)a),
                 0);

    patch_settings("{\"settings\":{\"" SB_CHANNEL_RESERVE_STOCK
                   "\":true,\"" SB_CHANNEL_ORDER_DEPOSITS "\":true}}");
    char body[2048];
    order_json_fin(9603, 0, "pending", "", body, sizeof(body));
    fault_channel_put_order(1, "9603", body);
    hook("orders/create", "create-9603", body);
    th_wait_pipeline(&t);
    int64_t b = sale_of(9603);
    cr_assert_gt(b, 0);
    cr_expect_eq(sql_int("SELECT paid_total FROM sales WHERE id = %lld", (long long)b), 0);
    cr_expect_eq(tee("reserved"), 1);
    /* P4: paid on the channel */
    order_json(9603, 30, "", body, sizeof(body));
    fault_channel_put_order(1, "9603", body);
    hook("orders/paid", "paid-9603", body);
    th_wait_pipeline(&t);
    json_t *o = th_get(&t, t.admin, "/api/v1/orders/%lld", (long long)b);
    cr_expect_str_eq(th_str(o, "order_status"), "open", "still an order");
    cr_expect_eq(th_int(o, "deposit_total"), 2000);
    cr_expect_eq(th_int(o, "balance_due"), 0);
    json_decref(o);
    /* the same version again records nothing twice (O3) */
    hook("orders/paid", "paid-9603-again", body);
    th_wait_pipeline(&t);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payments WHERE sale_id = %lld", (long long)b), 1);
    /* staff turn it into a sale: the reservation becomes the sale's stock movement */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/orders/%lld/complete", (long long)b);
    post(path, NULL, 200);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND kind = 'sale'"
                         " AND status = 'completed'",
                         (long long)b),
                 1);
    cr_expect_eq(tee("reserved"), 0);
    cr_expect_eq(tee("on_hand"), 9);
}

/* M6: downloaded as an invoice: a sale by another name, stock taken at once, paid as
 * captured, in the sales list labelled as an invoice. */
Test(channel_hooks, m6_an_order_downloaded_as_an_invoice_is_a_sale_labelled_invoice,
     .init = setup_reserve)
{
    patch_settings("{\"settings\":{\"" SB_CHANNEL_IMPORT_AS "\":\"invoice\"}}");
    place(9604, "");
    int64_t id = sale_of(9604);
    cr_assert_gt(id, 0);
    json_t *s = th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)id);
    cr_expect_str_eq(th_str(s, "kind"), "invoice");
    cr_expect_str_eq(th_str(s, "status"), "completed");
    cr_expect_eq(th_int(s, "paid_total"), 2000);
    json_decref(s);
    cr_expect_eq(tee("reserved"), 0);
    cr_expect_eq(sql_int("SELECT SUM(on_hand) FROM stock WHERE item_id = 1"), 14);
    json_t *page = th_get(&t, t.admin, "/api/v1/sales?kind=invoice");
    cr_expect_eq(json_array_size(json_object_get(page, "data")), 1);
    json_decref(page);
    /* a value the kind does not offer is refused, naming the setting */
    th_expect_error(&t, "PATCH", "/api/v1/channels/1", t.admin,
                    "{\"settings\":{\"" SB_CHANNEL_IMPORT_AS "\":\"reservation\"}}", 422,
                    "invalid_field");
}

/* A kind without SB_CH_RESERVE has no such setting: it is refused as unknown. */
Test(channel_hooks, m6_import_as_is_unknown_to_a_kind_without_the_bit)
{
    th_expect_error(&t, "PATCH", "/api/v1/channels/1", t.admin,
                    "{\"settings\":{\"" SB_CHANNEL_IMPORT_AS "\":\"sale\"}}", 422, "invalid_field");
}
