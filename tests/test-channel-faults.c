/*
 * The pipeline's and the stock dispatcher's fault handling below the
 * network: the real server, pipeline and store, with the channel adapter
 * replaced by the in-process failing channel (tests/fault-channel.h), so a
 * test says exactly which call fails, how (transient, rate limited, bad
 * payload) or that it stalls. Two channels on the same fixture store, so a
 * stalled one can be shown not to hold up the other. The store is the failing
 * store of tests/fault-db.h, disarmed unless a test arms it, so that an apply
 * can fail in the database too.
 *
 * Waits are on signals (the pipeline settling, a call of the channel
 * returning), never sleeps; a retry that backoff puts in the future is made
 * due by moving its time, as test-pipeline-faults.c does.
 */
#include "fault-channel.h"
#include "fault-db.h"
#include "harness.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;

/* A channel on the fixture's outlets 1 and 2, stock sync on. */
static void add_channel(int64_t want)
{
    int64_t id = th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"" FC_KIND "\",\"name\":\"Shop %lld\","
                           "\"credentials\":{\"shop\":\"shop%lld\","
                           "\"webhook_secret\":\"" TH_SHOP_SECRET "\"},"
                           "\"outlets\":[1,2],\"default_outlet_id\":1,\"register_id\":1,"
                           "\"employee_id\":1}",
                           (long long)want, (long long)want);
    cr_assert_eq(id, want);
}

/* The adapter's shape for this test (each test runs in a process of its own). */
static unsigned shape_caps = FC_CAPS;
static size_t shape_batch = FC_PUSH_BATCH;

static void setup(void)
{
    fault_channel_install();
    fault_channel_shape(shape_caps, shape_batch);
    fault_db_install();
    for (int64_t ch = 1; ch <= 2; ch++) {
        fault_channel_set_stock(ch, "TEE", 0);
        fault_channel_set_stock(ch, "MUG", 0);
    }
    th_start_with(&t, FAULT_SCHEME);
    th_fixture(&t, &f);
    add_channel(1);
    add_channel(2);
    th_wait_pipeline(&t);
}

static void teardown(void)
{
    fault_db_disarm();
    for (int64_t ch = 1; ch <= 2; ch++)
        fault_channel_release(ch);
    th_stop(&t);
}

TestSuite(channel_faults, .init = setup, .fini = teardown, .timeout = 120);

/* ---------------------------------------------------------------- helpers */

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

static void sql_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql_exec(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    th_sql_exec(&t, sql);
}

/* A paid Shopify order (REST shape) for one T-shirt. */
static void order_json(int64_t id, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\"id\":%lld,\"name\":\"#%lld\",\"email\":\"buyer%lld@example.com\","
             "\"currency\":\"USD\",\"created_at\":\"2026-11-22T09:00:00Z\","
             "\"updated_at\":\"2026-11-22T09:00:00Z\",\"financial_status\":\"paid\","
             "\"gateway\":\"shopify_payments\",\"subtotal_price\":\"20.00\","
             "\"total_price\":\"20.00\",\"total_tax\":\"0.00\",\"total_discounts\":\"0.00\","
             "\"line_items\":[{\"id\":%lld1,\"sku\":\"TEE\",\"title\":\"T-shirt\","
             "\"quantity\":1,\"price\":\"20.00\"}]}",
             (long long)id, (long long)id, (long long)id, (long long)id);
}

/* A signed webhook to a channel; returns the HTTP status. */
static long hook(int64_t channel, const char *topic, const char *event_id, const char *body)
{
    unsigned char mac[32];
    unsigned int n = 0;
    char sig[64] = "", path[64], h_topic[96], h_event[160], h_hmac[96];
    HMAC(EVP_sha256(), TH_SHOP_SECRET, (int)strlen(TH_SHOP_SECRET), (const unsigned char *)body,
         strlen(body), mac, &n);
    EVP_EncodeBlock((unsigned char *)sig, mac, (int)n);
    snprintf(path, sizeof(path), "/webhooks/%lld", (long long)channel);
    snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
    snprintf(h_event, sizeof(h_event), "X-Shopify-Event-Id: %s", event_id);
    snprintf(h_hmac, sizeof(h_hmac), "X-Shopify-Hmac-Sha256: %s", sig);
    const char *const headers[] = { h_topic, h_event, h_hmac, NULL };
    struct th_resp r = th_post_headers(&t, path, body, headers);
    long status = r.status;
    cr_expect_eq(status, 200, "%s %s: %ld %s", topic, event_id, status, r.body);
    th_resp_free(&r);
    return status;
}

/* An order placed on the channel's shop and announced by orders/create (applied as the
 * webhook is recorded). */
static void place(int64_t channel, int64_t id)
{
    char body[1024], ev[32];
    order_json(id, body, sizeof(body));
    char ext[24];
    snprintf(ext, sizeof(ext), "%lld", (long long)id);
    fault_channel_put_order(channel, ext, body);
    snprintf(ev, sizeof(ev), "create-%lld", (long long)id);
    hook(channel, "orders/create", ev, body);
}

/* An order on the shop that only a fulfillments/create event announces: the event carries
 * no order, so the pipeline's worker fetches it (through the adapter). */
static void announce_by_fulfillment(int64_t channel, int64_t id)
{
    char body[1024], ext[24], ev[48];
    order_json(id, body, sizeof(body));
    snprintf(ext, sizeof(ext), "%lld", (long long)id);
    fault_channel_put_order(channel, ext, body);
    snprintf(body, sizeof(body), "{\"id\":%lld9,\"order_id\":%lld}", (long long)id, (long long)id);
    snprintf(ev, sizeof(ev), "fulfil-%lld", (long long)id);
    hook(channel, "fulfillments/create", ev, body);
}

static int64_t sales_for(int64_t channel, int64_t id)
{
    return sql_int("SELECT COUNT(*) FROM sales WHERE channel_id = %lld AND external_id = '%lld'",
                   (long long)channel, (long long)id);
}

/* The channel_events column of the channel's event with this id. */
static int64_t event_int(int64_t channel, const char *event_id, const char *expr)
{
    return sql_int("SELECT %s FROM channel_events WHERE channel_id = %lld AND event_id = '%s'",
                   expr, (long long)channel, event_id);
}

/* A time column of the event, in seconds since the epoch. */
static int64_t event_time(int64_t channel, const char *event_id, const char *column)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT %s FROM channel_events WHERE channel_id = %lld"
             " AND event_id = '%s'",
             column, (long long)channel, event_id);
    return th_sql_time(&t, sql);
}

/* The newest entry of the channel's log with this event name (caller decrefs), or NULL. */
static json_t *log_entry(int64_t channel, const char *event)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/%lld/log?limit=500", (long long)channel);
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

/* Makes the channel's retries due now, and wakes the worker with an unrelated order (new
 * events wake it while retries wait), then waits for the pipeline to settle. */
static void retry_now(int64_t channel, int64_t wake_order)
{
    sql_exec("UPDATE channel_events SET next_attempt_at = NULL WHERE status = 'pending'");
    place(channel, wake_order);
    th_wait_pipeline(&t);
}

static int64_t pos_available(const char *sku)
{
    return sql_int("SELECT SUM(s.on_hand - s.reserved) FROM stock s JOIN items i"
                   " ON i.id = s.item_id WHERE i.sku = '%s'",
                   sku);
}

/* A till sale of n T-shirts at outlet 1, through the API. */
static void sell_tee(int n)
{
    th_create(&t, t.admin, "/api/v1/sales",
              "{\"outlet_id\":1,\"register_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":%d}],"
              "\"payments\":[{\"payment_type_id\":1,\"amount\":%d}]}",
              n, 2000 * n);
}

/* ---------------------------------------------------------------- retries */

Test(channel_faults, i9_sp1_an_event_whose_fetch_fails_is_retried_with_backoff_then_applied_once)
{
    /* the shop fails the fetch: first a 5xx, then rate limited, then it answers */
    fault_channel_set(1, FC_FETCH, FC_TRANSIENT, 1);
    announce_by_fulfillment(1, 7001);
    th_wait_pipeline(&t);
    const char *ev = "fulfil-7001";
    cr_expect_eq(event_int(1, ev, "attempts"), 1);
    cr_expect_eq(event_int(1, ev, "status = 'pending'"), 1, "kept, to be tried again");
    /* exponential backoff: the first retry 2 s (+-25%) after the failure */
    int64_t delay = event_time(1, ev, "next_attempt_at") - event_time(1, ev, "received_at");
    cr_expect(delay >= 1 && delay <= 3, "first retry after %lld s", (long long)delay);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = '%s'"
                         " AND error = 'the shop answered HTTP 503 (injected)'",
                         ev),
                 1, "the event keeps why");
    json_t *e = log_entry(1, "event.retry");
    cr_assert_not_null(e, "the log says it will be retried");
    cr_expect_str_eq(th_str(e, "level"), "warn");
    json_decref(e);
    cr_expect_eq(sales_for(1, 7001), 0);

    fault_channel_set(1, FC_FETCH, FC_RATE_LIMITED, 1);
    retry_now(1, 7002);
    cr_expect_eq(event_int(1, ev, "attempts"), 2, "rate limited is not permanent either");
    cr_expect_eq(event_int(1, ev, "status = 'pending'"), 1);
    int64_t delay2 = event_time(1, ev, "next_attempt_at") - sb_time_now();
    cr_expect(delay2 >= 2 && delay2 <= 5, "the second retry waits longer: %lld s",
              (long long)delay2);

    retry_now(1, 7003);
    cr_expect_eq(event_int(1, ev, "status = 'done'"), 1);
    cr_expect_eq(sales_for(1, 7001), 1, "O2: applied once");
    cr_expect_eq(fault_channel_calls(1, FC_FETCH), 3, "three fetches, no more");
    /* a repeat of the event changes nothing */
    char body[64];
    snprintf(body, sizeof(body), "{\"id\":70019,\"order_id\":7001}");
    hook(1, "fulfillments/create", ev, body);
    th_wait_pipeline(&t);
    cr_expect_eq(sales_for(1, 7001), 1);
    cr_expect_eq(fault_channel_calls(1, FC_FETCH), 3);
}

Test(channel_faults, i9_o2_an_event_whose_apply_fails_in_the_store_is_retried_then_applied_once)
{
    /* the sale cannot be written twice: as the webhook is recorded, then by the worker */
    fault_db_arm_sql("INSERT INTO sales", FAULT_FAIL, 2);
    place(1, 7051);
    th_wait_pipeline(&t);
    const char *ev = "create-7051";
    cr_expect_eq(event_int(1, ev, "attempts"), 1, "the webhook was answered, the event kept");
    cr_expect_eq(event_int(1, ev, "status = 'pending' AND next_attempt_at > received_at"), 1,
                 "to be tried again later");
    cr_expect_eq(sales_for(1, 7051), 0, "nothing of the order was written");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_orders WHERE external_id = '7051'"), 0);
    json_t *e = log_entry(1, "event.retry");
    cr_assert_not_null(e);
    cr_expect(strstr(th_str(e, "message"), "orders/create will be retried: injected storage "
                                           "failure") != NULL,
              "%s", th_str(e, "message"));
    json_decref(e);
    retry_now(1, 7052);
    cr_expect_eq(event_int(1, ev, "status = 'done'"), 1);
    cr_expect_eq(sales_for(1, 7051), 1, "O2: once");
    cr_expect_eq(sales_for(1, 7052), 1);
    cr_expect(fault_channel_wait_stock(1, "TEE", pos_available("TEE"), 10000),
              "the stock of both went out");
}

Test(channel_faults, o10_a_bad_payload_fails_for_good_and_is_visible)
{
    /* the order the shop answers is not an order: permanent, not retried */
    fault_channel_set(1, FC_FETCH, FC_BAD_PAYLOAD, 1);
    announce_by_fulfillment(1, 7101);
    th_wait_pipeline(&t);
    const char *ev = "fulfil-7101";
    cr_expect_eq(event_int(1, ev, "status = 'failed'"), 1);
    cr_expect_eq(event_int(1, ev, "attempts"), 1);
    json_t *e = log_entry(1, "event.failed");
    cr_assert_not_null(e, "the log says it failed");
    cr_expect_str_eq(th_str(e, "level"), "error");
    cr_expect_str_eq(th_str(e, "message"),
                     "fulfillments/create failed: the shop's answer is not an order (injected)");
    json_decref(e);
    /* nothing wakes it again */
    retry_now(1, 7102);
    cr_expect_eq(fault_channel_calls(1, FC_FETCH), 1);
    cr_expect_eq(sales_for(1, 7101), 0);

    /* a webhook whose body does not parse: answered (recorded, so Shopify stops sending
     * it), applied neither inline nor by the worker, failed visibly */
    fault_channel_set(1, FC_PARSE, FC_BAD_PAYLOAD, -1);
    char body[1024];
    order_json(7103, body, sizeof(body));
    hook(1, "orders/create", "create-7103", body);
    th_wait_pipeline(&t);
    fault_channel_set(1, FC_PARSE, FC_OK, 0);
    cr_expect_eq(event_int(1, "create-7103", "status = 'failed'"), 1);
    cr_expect_eq(sales_for(1, 7103), 0);
    e = log_entry(1, "event.failed");
    cr_assert_not_null(e);
    cr_expect_str_eq(th_str(e, "message"),
                     "orders/create failed: the shop's answer is not an order (injected)");
    json_decref(e);
}

/* ---------------------------------------------------------------- a stalled channel */

Test(channel_faults, sp1_a_stalled_channel_holds_up_neither_webhook_answers_nor_other_channels)
{
    /* channel 1's shop stops answering fetches: the worker's call hangs */
    fault_channel_set(1, FC_FETCH, FC_STALL, -1);
    announce_by_fulfillment(1, 7201);
    cr_assert(fault_channel_wait_stalled(1, FC_FETCH, 10000), "the fetch is held");

    /* webhooks are answered and applied meanwhile, on both channels */
    place(1, 7202);
    cr_expect_eq(sales_for(1, 7202), 1, "applied as it was recorded");
    place(2, 7203);
    cr_expect_eq(sales_for(2, 7203), 1);

    /* channel 2's own fetches, imports and stock pushes go on: 15 T-shirts less the
     * orders 7202, 7203 and 7204 */
    announce_by_fulfillment(2, 7204);
    cr_expect(fault_channel_wait_stock(2, "TEE", 12, 10000),
              "channel 2's fetch and stock push waited for channel 1's stall (TEE %lld)",
              (long long)fault_channel_stock(2, "TEE"));
    cr_expect_eq(sales_for(2, 7204), 1);
    cr_expect(fault_channel_wait_stalled(1, FC_FETCH, 0), "channel 1 is still held");

    /* the shop comes back: everything is applied, once */
    fault_channel_release(1);
    th_wait_pipeline(&t);
    cr_expect_eq(sales_for(1, 7201), 1);
    cr_expect_eq(sales_for(2, 7204), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0);
    cr_expect_eq(fault_channel_stock(1, "TEE"), pos_available("TEE"));
    cr_expect_eq(fault_channel_stock(2, "TEE"), pos_available("TEE"));
}

Test(channel_faults, i3_a_stalled_stock_push_holds_up_no_other_channel)
{
    fault_channel_set(1, FC_PUSH_STOCK, FC_STALL, -1);
    sell_tee(1);
    cr_assert(fault_channel_wait_stalled(1, FC_PUSH_STOCK, 10000), "channel 1's push is held");
    cr_expect(fault_channel_wait_stock(2, "TEE", 14, 10000),
              "channel 2's push waited for channel 1's");
    /* a sale while channel 1 is held still reaches channel 2 */
    sell_tee(2);
    cr_expect(fault_channel_wait_stock(2, "TEE", 12, 10000));
    cr_expect(fault_channel_wait_stalled(1, FC_PUSH_STOCK, 0), "channel 1 is still held");
    fault_channel_release(1);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_stock(1, "TEE"), 12, "nothing lost: the latest figure");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue"), 0);
}

/* S1: voids the channel order's sale in the POS, which queues its cancellation. */
static void void_sale(int64_t channel, int64_t id)
{
    int64_t sale = sql_int("SELECT id FROM sales WHERE channel_id = %lld AND external_id = '%lld'",
                           (long long)channel, (long long)id);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/void", (long long)sale);
    struct th_resp r = th_req(&t, "POST", path, t.admin, "{\"reason\":\"customer called\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
}

Test(channel_faults, s1_a_stalled_cancellation_holds_up_no_other_channel)
{
    place(1, 7301);
    place(2, 7302);
    th_wait_pipeline(&t);
    fault_channel_set(1, FC_PUSH_CANCEL, FC_STALL, -1);
    void_sale(1, 7301);
    cr_assert(fault_channel_wait_stalled(1, FC_PUSH_CANCEL, 10000), "channel 1's call is held");
    void_sale(2, 7302);
    cr_expect(fault_channel_wait_done(2, FC_PUSH_CANCEL, 1, 10000),
              "channel 2's cancellation waited for channel 1's");
    cr_expect_eq(fault_channel_cancels(2, "7302"), 1);
    cr_expect(fault_channel_wait_stalled(1, FC_PUSH_CANCEL, 0), "channel 1 is still held");
    fault_channel_release(1);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_cancels(1, "7301"), 1, "sent once the shop answers, once");
    cr_expect_eq(fault_channel_cancels(2, "7302"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE status = 'done'"), 2);
}

/* ---------------------------------------------------------------- stock pushes */

Test(channel_faults, i9_stock_pushes_back_off_then_park_and_nothing_is_lost_or_sent_twice)
{
    fault_channel_set(1, FC_PUSH_STOCK, FC_TRANSIENT, -1);
    long taken = fault_channel_levels_taken(1, "TEE");
    sell_tee(1);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_stock(1, "TEE"), 15, "not taken");
    cr_expect_eq(fault_channel_stock(2, "TEE"), 14, "the other channel has it");
    cr_expect_eq(sql_int("SELECT attempts FROM sync_queue WHERE channel_id = 1 AND item_id = 1"),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue WHERE channel_id = 1 AND item_id = 1"
                         " AND status = 'pending' AND next_attempt_at > queued_at"),
                 1, "backed off");

    /* rate limited: another failure, the same way */
    fault_channel_set(1, FC_PUSH_STOCK, FC_RATE_LIMITED, -1);
    sql_exec("UPDATE sync_queue SET next_attempt_at = NULL");
    th_wait_pipeline(&t);
    cr_expect_eq(sql_int("SELECT attempts FROM sync_queue WHERE channel_id = 1 AND item_id = 1"),
                 2);

    /* the last attempt fails too: parked with its error, visible */
    sql_exec("UPDATE sync_queue SET attempts = 7, next_attempt_at = NULL");
    th_wait_pipeline(&t);
    json_t *s = th_get(&t, t.admin, "/api/v1/channels/1/sync-status");
    json_t *parked = json_object_get(s, "parked_changes");
    cr_assert_eq(json_array_size(parked), 1, "%s", json_dumps(s, 0));
    cr_expect_str_eq(th_str(json_array_get(parked, 0), "sku"), "TEE");
    cr_expect_str_eq(th_str(json_array_get(parked, 0), "error"),
                     "the shop is rate limiting (injected)");
    json_decref(s);
    cr_expect_eq(fault_channel_levels_taken(1, "TEE"), taken, "nothing was taken meanwhile");

    /* the shop recovers; the next change sends the parked item's latest figure, once */
    fault_channel_set(1, FC_PUSH_STOCK, FC_OK, 0);
    sell_tee(1);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_stock(1, "TEE"), 13);
    cr_expect_eq(fault_channel_levels_taken(1, "TEE"), taken + 1, "one push, the latest value");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue"), 0);
}

/* ---------------------------------------------------------------- the poller */

static void setup_polling(void)
{
    setenv("STOCKBRIDGE_POLL_SCHEDULE", "on", 1); /* this process only: each test forks */
    setup();
}

Test(channel_faults, sp1_a_stalled_poll_holds_up_no_other_channel, .init = setup_polling)
{
    /* both channels were never polled: the poller's first pass (after 5 s) polls both */
    fault_channel_set(1, FC_POLL, FC_STALL, -1);
    char body[1024];
    order_json(7401, body, sizeof(body));
    fault_channel_put_order(2, "7401", body);
    cr_assert(fault_channel_wait_stalled(1, FC_POLL, 20000), "channel 1's poll is held");
    /* the order the poll brings down leaves stock, which goes to the shop: 15 - 1 */
    cr_expect(fault_channel_wait_stock(2, "TEE", 14, 10000),
              "channel 2's poll waited for channel 1's");
    cr_expect_eq(sales_for(2, 7401), 1, "the poll brought the order down");
    cr_expect(fault_channel_wait_stalled(1, FC_POLL, 0), "channel 1 is still held");
    fault_channel_release(1);
    th_wait_pipeline(&t);
}

/* ---------------------------------------------------------------- capabilities, batches */

static void setup_without_cancel(void)
{
    /* the kind without the cancel capability (and so without push_cancel: a kind has an
     * operation exactly when it has its bit, sb_channel_kind_check) */
    shape_caps = FC_CAPS & ~SB_CH_CANCEL;
    setup();
}

Test(channel_faults, s1_a_channel_without_the_cancel_capability_is_sent_no_cancellation,
     .init = setup_without_cancel)
{
    place(1, 7601);
    th_wait_pipeline(&t);
    void_sale(1, 7601);
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_CANCEL), 0, "the engine went by the bit");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE kind = 'cancel' AND status = 'parked'"
                         " AND attempts = 1 AND last_error = 'the channel takes no cancel calls'"),
                 1, "parked at once, saying why");
    json_t *e = log_entry(1, "push.parked");
    cr_assert_not_null(e);
    cr_expect_str_eq(th_str(e, "message"),
                     "cancel failed (attempt 1): the channel takes no cancel calls");
    json_decref(e);
}

static void setup_batch_of_one(void)
{
    shape_batch = 1;
    setup();
}

Test(channel_faults, i3_a_stock_push_sends_at_most_the_adapters_push_batch,
     .init = setup_batch_of_one)
{
    long before = fault_channel_calls(1, FC_PUSH_STOCK);
    /* one sale of two items: two rows for the channel in one commit */
    th_create(&t, t.admin, "/api/v1/sales",
              "{\"outlet_id\":1,\"register_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1},"
              "{\"item_id\":2,\"quantity\":1}],"
              "\"payments\":[{\"payment_type_id\":1,\"amount\":3250}]}");
    th_wait_pipeline(&t);
    cr_expect_eq(fault_channel_calls(1, FC_PUSH_STOCK) - before, 2,
                 "a call per row: the adapter takes one at a time");
    cr_expect_eq(fault_channel_stock(1, "TEE"), pos_available("TEE"));
    cr_expect_eq(fault_channel_stock(1, "MUG"), pos_available("MUG"));
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue"), 0);
}

/* ---------------------------------------------------------------- the queues, one way */

/* The /metrics text (caller frees). */
static char *metrics(void)
{
    struct th_resp r = th_req(&t, "GET", "/metrics", NULL, NULL);
    cr_assert_eq(r.status, 200);
    char *text = strdup(r.body);
    th_resp_free(&r);
    cr_assert_not_null(text);
    return text;
}

static json_t *queue_of(json_t *status, const char *name)
{
    json_t *q = json_object_get(json_object_get(status, "queues"), name);
    cr_assert(json_is_object(q), "queues.%s in %s", name, json_dumps(status, 0));
    return q;
}

Test(channel_faults, i9_o10_every_durable_queue_shows_pending_parked_and_oldest_age_one_way)
{
    /* events: one failed for good (a bad payload), one to retry (the fetch keeps failing;
     * its retry put off, so that it stays pending however long the test takes) */
    fault_channel_set(1, FC_FETCH, FC_BAD_PAYLOAD, 1);
    announce_by_fulfillment(1, 7702);
    th_wait_pipeline(&t);
    fault_channel_set(1, FC_FETCH, FC_TRANSIENT, -1);
    announce_by_fulfillment(1, 7701);
    th_wait_pipeline(&t);
    sql_exec("UPDATE channel_events SET received_at = '2000-01-01T00:00:00Z',"
             " next_attempt_at = '9999-12-31T00:00:00Z' WHERE event_id = 'fulfil-7701'");
    /* the outbox: a cancellation to retry, and a call of a kind no channel takes (parked) */
    place(1, 7703);
    th_wait_pipeline(&t);
    fault_channel_set(1, FC_PUSH_CANCEL, FC_TRANSIENT, -1);
    sql_exec("INSERT INTO outbox (channel_id, kind, ref, payload, next_attempt_at, created_at)"
             " VALUES (1, 'teleport', '7703', '{}', '2000-01-01T00:00:00Z',"
             " '2000-01-01T00:00:00Z')");
    void_sale(1, 7703); /* queues the cancellation, and kicks the dispatcher */
    th_wait_pipeline(&t);
    /* stock: a change to retry, and one parked */
    fault_channel_set(1, FC_PUSH_STOCK, FC_TRANSIENT, -1);
    sell_tee(1);
    th_wait_pipeline(&t);
    sql_exec("UPDATE sync_queue SET attempts = 7, next_attempt_at = NULL"
             " WHERE channel_id = 1 AND item_id = 1");
    th_wait_pipeline(&t);
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM sync_queue WHERE channel_id = 1 AND item_id = 1"
                         " AND status = 'parked'"),
                 1);
    th_create(&t, t.admin, "/api/v1/sales",
              "{\"outlet_id\":1,\"register_id\":1,\"lines\":[{\"item_id\":2,\"quantity\":1}],"
              "\"payments\":[{\"payment_type_id\":1,\"amount\":1250}]}");
    th_wait_pipeline(&t);

    json_t *s = th_get(&t, t.admin, "/api/v1/channels/1/sync-status");
    json_t *ev = queue_of(s, "events"), *ob = queue_of(s, "outbox"), *st = queue_of(s, "stock");
    cr_expect_eq(json_integer_value(json_object_get(ev, "pending")), 1);
    cr_expect_eq(json_integer_value(json_object_get(ev, "parked")), 1, "failed for good");
    cr_expect_gt(json_integer_value(json_object_get(ev, "oldest_age_seconds")), 20 * 365 * 86400,
                 "the oldest is the event received in 2000");
    cr_expect_eq(json_integer_value(json_object_get(ob, "pending")), 1);
    cr_expect_eq(json_integer_value(json_object_get(ob, "parked")), 1);
    cr_expect_gt(json_integer_value(json_object_get(ob, "oldest_age_seconds")), 20 * 365 * 86400);
    cr_expect_eq(json_integer_value(json_object_get(st, "pending")), 1, "MUG");
    cr_expect_eq(json_integer_value(json_object_get(st, "parked")), 1, "TEE");
    cr_expect(json_is_integer(json_object_get(st, "oldest_age_seconds")));
    /* the stock queue's own figures, as before */
    json_t *q = json_object_get(s, "queue");
    cr_expect_eq(json_integer_value(json_object_get(q, "pending")), 1);
    cr_expect_eq(json_integer_value(json_object_get(q, "parked")), 1);
    json_decref(s);

    /* a channel with nothing waiting: zeros, and no age */
    s = th_get(&t, t.admin, "/api/v1/channels/2/sync-status");
    ev = queue_of(s, "events");
    cr_expect_eq(json_integer_value(json_object_get(ev, "pending")), 0);
    cr_expect_eq(json_integer_value(json_object_get(ev, "parked")), 0);
    cr_expect(json_is_null(json_object_get(ev, "oldest_age_seconds")));
    json_decref(s);

    char *m = metrics();
    static const char *const lines[] = {
        "stockbridge_queue_entries{queue=\"events\",channel=\"1\",state=\"pending\"} 1\n",
        "stockbridge_queue_entries{queue=\"events\",channel=\"1\",state=\"parked\"} 1\n",
        "stockbridge_queue_entries{queue=\"outbox\",channel=\"1\",state=\"pending\"} 1\n",
        "stockbridge_queue_entries{queue=\"outbox\",channel=\"1\",state=\"parked\"} 1\n",
        "stockbridge_queue_entries{queue=\"stock\",channel=\"1\",state=\"pending\"} 1\n",
        "stockbridge_queue_entries{queue=\"stock\",channel=\"1\",state=\"parked\"} 1\n",
        "stockbridge_queue_oldest_seconds{queue=\"events\",channel=\"1\",state=\"pending\"} ",
        "stockbridge_sync_queue{channel=\"1\",kind=\"stock\",state=\"parked\"} 1\n",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        cr_expect(strstr(m, lines[i]) != NULL, "/metrics has %s", lines[i]);
    cr_expect(strstr(m, "stockbridge_queue_entries{queue=\"events\",channel=\"2\"") == NULL,
              "an empty queue is not listed");
    free(m);
}
