/*
 * Magento orders come down, end to end (issue 12 items 3, 5, 9): the real
 * server (th_start) polls the real fakestore in Magento 2 mode over
 * loopback. The download modes and every reason an order waits (M1-M5,
 * O10) exactly as the API shows them, the mode switched between two orders,
 * the invoice made exactly once (retried, refused, across crashes), the
 * configurable and bundle items (M8, O4, O5), customers and payments (C, P),
 * the poll across Magento's paging quirk with orders updated mid-poll (O2),
 * and bad answers from the store. Waits are on the pipeline's own signal
 * (th_wait_pipeline) and, for the fakestore, a bounded loop on its request
 * count: no sleeps.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "m2_e2e_token"

static struct th t;
static struct th_fixture fx;
static struct th_fake fk;

/* ---------------------------------------------------------------- helpers */

static void fake_start(const char *const *extra)
{
    const char *args[32] = { "--kind", "magento2", "--token", TOKEN, "--sku", "TEE,MUG" };
    size_t n = 6;
    for (; extra && *extra && n < 31; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    th_fake_start_args(&fk, args);
}

/* Channel 1 on the fakestore, linked to outlet 1 (source "default"), stock sync off (the
 * tests count the store's requests); settings_extra is more of the settings object. */
static void channel_with(const char *mode, const char *settings_extra, const char *creds_extra)
{
    if (!fk.pid)
        fake_start(NULL);
    int64_t id = th_create(
        &t, t.admin, "/api/v1/channels",
        "{\"kind\":\"magento2\",\"name\":\"Magento\","
        "\"credentials\":{\"base_url\":\"%s\",\"access_token\":\"" TOKEN "\"%s},"
        "\"outlets\":[1],\"default_outlet_id\":1,\"register_id\":1,\"employee_id\":1,"
        "\"locations\":[{\"location_id\":\"default\",\"outlet_id\":1}],"
        "\"settings\":{\"download_mode\":\"%s\",\"stock_sync\":false%s}}",
        fk.url, creds_extra ? creds_extra : "", mode, settings_extra ? settings_extra : "");
    cr_assert_eq(id, 1);
    th_wait_pipeline(&t); /* its connection check */
}

/* The store comes with the first channel (a test's own .init may start another kind, run
 * after this one: Criterion runs both). */
static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &fx);
}

static void teardown(void)
{
    th_fake_stop(&fk);
    if (t.store)
        th_stop(&t);
}

TestSuite(m2_download, .init = setup, .fini = teardown, .timeout = 240);

/* Magento's "YYYY-MM-DD HH:MM:SS" (UTC) for now + offset seconds. */
static const char *m2_time(int64_t offset, char buf[24])
{
    time_t when = time(NULL) + (time_t)offset;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(buf, 24, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

/* Places an order on the fakestore (control API); returns its entity_id. */
static int64_t place(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t place(const char *fmt, ...)
{
    char body[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    struct th_resp r = th_fake_req(&fk, "POST", "/_fake/magento2/orders", body);
    cr_assert_eq(r.status, 201, "fakestore: %ld %s", r.status, r.body);
    int64_t id = th_int(r.json, "entity_id");
    th_resp_free(&r);
    return id;
}

/* POST /_fake/magento2/orders/{id} (an edit on Magento's side). */
static void edit(int64_t id, const char *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/_fake/magento2/orders/%lld", (long long)id);
    struct th_resp r = th_fake_req(&fk, "POST", path, body);
    cr_assert_eq(r.status, 200, "fakestore edit: %ld %s", r.status, r.body);
    th_resp_free(&r);
}

static void fake_config(const char *body)
{
    struct th_resp r = th_fake_req(&fk, "POST", "/_fake/magento2/config", body);
    cr_assert_eq(r.status, 200, "fakestore config: %ld %s", r.status, r.body);
    th_resp_free(&r);
}

/* GET /_fake/magento2/calls (caller decrefs). */
static json_t *calls(void)
{
    struct th_resp r = th_fake_req(&fk, "GET", "/_fake/magento2/calls", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

/* How many invoices the store recorded for the order (made through its REST route). */
static int64_t invoices_for(int64_t order)
{
    json_t *c = calls();
    int64_t n = 0;
    size_t i;
    json_t *inv;
    json_array_foreach(json_object_get(c, "invoices"), i, inv)
    {
        n += json_integer_value(json_object_get(inv, "order_id")) == order;
    }
    json_decref(c);
    return n;
}

/* The count of one route in the store's traffic (method and route pattern). */
static int64_t route_count(const char *method, const char *pattern)
{
    json_t *c = calls();
    int64_t n = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(c, "routes"), i, r)
    {
        if (strcmp(th_str(r, "method"), method) == 0 && strcmp(th_str(r, "path"), pattern) == 0)
            n = th_int(r, "count");
    }
    json_decref(c);
    return n;
}

static int64_t store_requests(void)
{
    json_t *c = calls();
    int64_t n = th_int(c, "requests");
    json_decref(c);
    return n;
}

/* POST /api/v1/channels/1/poll, which must answer 200; then the outbox settles (the
 * invoices). Returns the number of orders the poll read. */
static int64_t poll(void)
{
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, "{}");
    cr_assert_eq(r.status, 200, "poll: %ld %s", r.status, r.body);
    int64_t n = th_int(r.json, "orders");
    th_resp_free(&r);
    th_wait_pipeline(&t);
    return n;
}

/* The channel's record of order `ext` (caller decrefs), or NULL. */
static json_t *corder(int64_t ext)
{
    char want[24];
    snprintf(want, sizeof(want), "%lld", (long long)ext);
    int64_t after = 0;
    for (;;) {
        json_t *page =
            th_get(&t, t.admin, "/api/v1/channels/1/orders?limit=500&after=%lld", (long long)after);
        size_t i;
        json_t *row, *found = NULL;
        json_array_foreach(json_object_get(page, "data"), i, row)
        {
            if (!found && strcmp(th_str(row, "external_id"), want) == 0)
                found = json_incref(row);
        }
        json_t *next = json_object_get(page, "next_after");
        after = json_is_integer(next) ? json_integer_value(next) : 0;
        json_decref(page);
        if (found || !after)
            return found;
    }
}

/* Order ext is in this state with this reason (NULL: none). */
static void expect_order(int64_t ext, const char *state, const char *reason)
{
    json_t *o = corder(ext);
    cr_assert_not_null(o, "order %lld was not seen", (long long)ext);
    cr_expect_str_eq(th_str(o, "state"), state, "order %lld", (long long)ext);
    if (reason)
        cr_expect_str_eq(th_str(o, "reason"), reason, "order %lld", (long long)ext);
    else
        cr_expect(json_is_null(json_object_get(o, "reason")), "order %lld has a reason: %s",
                  (long long)ext, th_str(o, "reason"));
    json_decref(o);
}

static int64_t sales_of(int64_t ext)
{
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM sales WHERE channel_id = 1 AND external_id = '%lld'",
             (long long)ext);
    return th_sql_int(&t, sql);
}

/* The sale order ext became (caller decrefs). */
static json_t *sale_of(int64_t ext)
{
    json_t *o = corder(ext);
    cr_assert_not_null(o, "order %lld was not seen", (long long)ext);
    json_t *sid = json_object_get(o, "sale_id");
    cr_assert(json_is_integer(sid), "order %lld has no sale", (long long)ext);
    json_t *s = th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)json_integer_value(sid));
    json_decref(o);
    return s;
}

static json_t *line_with_sku(json_t *sale, const char *sku)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(sale, "lines"), i, l)
    {
        if (strcmp(th_str(l, "sku"), sku) == 0)
            return l;
    }
    cr_assert_fail("the sale has no line %s", sku);
    return NULL;
}

/* The stock ledger's on-hand movement of an item for a sale. */
static int64_t ledger_delta(int64_t sale_id, const char *sku)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT COALESCE(SUM(l.on_hand_delta), 0) FROM stock_ledger l JOIN items i"
             " ON i.id = l.item_id WHERE l.sale_id = %lld AND i.sku = '%s'",
             (long long)sale_id, sku);
    return th_sql_int(&t, sql);
}

/* The newest entry of the channel's log with this event (caller decrefs), or NULL. */
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

/* Makes every pending outbox call due now and wakes the dispatcher, then waits for it. */
static void outbox_due_now(void)
{
    th_sql_exec(&t, "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'"
                    " WHERE status = 'pending'");
    sb_pipeline_kick_outbox(t.pipeline);
    th_wait_pipeline(&t);
}

/* An order as the modes judge it: one TEE at 20.00, this status and payment. */
#define TEE_ORDER(status, payment)                                   \
    "{\"items\":[{\"sku\":\"TEE\",\"qty_ordered\":1,\"price\":20}]," \
    "\"status\":\"" status "\",\"payment\":" payment "}"
#define AUTHORIZED "{\"method\":\"braintree\",\"amount_authorized\":20}"
#define CHECKMO    "{\"method\":\"checkmo\"}"

/* ---------------------------------------------------------------- 1. download modes */

/* M3: pending and authorized: a sale, invoiced on Magento once (capturing the
 * authorization); a second poll invoices nothing more. */
Test(m2_download, m3_auto_invoice_downloads_an_authorized_order_and_invoices_it_once)
{
    channel_with("auto_invoice", NULL, NULL);
    int64_t id = place(TEE_ORDER("pending", AUTHORIZED));
    cr_expect_eq(poll(), 1);
    expect_order(id, "downloaded", NULL);
    cr_expect_eq(sales_of(id), 1);
    cr_expect_eq(invoices_for(id), 1, "invoiced on Magento");
    json_t *c = calls();
    json_t *inv = json_array_get(json_object_get(c, "invoices"), 0);
    cr_expect(json_is_true(json_object_get(inv, "capture")), "the authorization is captured");
    cr_expect(json_is_number(json_object_get(inv, "amount")) &&
                  json_number_value(json_object_get(inv, "amount")) == 20.0,
              "the whole order");
    json_decref(c);
    /* the invoice moved the order on Magento: read again, applied, not invoiced again */
    poll();
    poll();
    cr_expect_eq(invoices_for(id), 1, "exactly once");
    cr_expect_eq(route_count("POST", "V1/order/{id}/invoice"), 1);
    cr_expect_eq(sales_of(id), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"
                                " AND status = 'done'"),
                 1);
}

/* M3, O10: the auto-invoice mode's other cases, each with its reason as the API shows it. */
Test(m2_download, m3_o10_auto_invoice_waits_and_skips_with_its_reasons)
{
    channel_with("auto_invoice", NULL, NULL);
    int64_t unpaid = place(TEE_ORDER("pending_payment", CHECKMO));
    int64_t invoiced = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":"
                             "\"processing\",\"invoiced\":true,\"payment\":" AUTHORIZED "}");
    int64_t complete = place(TEE_ORDER("complete", AUTHORIZED));
    int64_t review = place(TEE_ORDER("payment_review", AUTHORIZED));
    cr_expect_eq(poll(), 4);
    expect_order(unpaid, "waiting", "not paid");
    expect_order(invoiced, "skipped", "already invoiced on Magento (auto-invoice mode)");
    expect_order(complete, "skipped", "complete");
    expect_order(review, "waiting", "payment under review");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE channel_id = 1"), 0);
    cr_expect_eq(route_count("POST", "V1/order/{id}/invoice"), 0);
    /* touched on Magento, read again: each keeps its own reason (a skipped order stays
     * skipped, M2, but not as "cancelled") */
    edit(invoiced, "{\"comment\":\"looked at\"}");
    edit(complete, "{\"comment\":\"looked at\"}");
    poll();
    expect_order(invoiced, "skipped", "already invoiced on Magento (auto-invoice mode)");
    expect_order(complete, "skipped", "complete");
}

/* M2: cancelled before download: skipped, and never downloaded even once it changes. */
Test(m2_download, m2_cancelled_before_download_is_never_downloaded)
{
    channel_with("auto_invoice", NULL, NULL);
    int64_t id = place(TEE_ORDER("canceled", AUTHORIZED));
    cr_expect_eq(poll(), 1);
    expect_order(id, "skipped", "cancelled before download");
    edit(id, "{\"state\":\"processing\",\"status\":\"processing\"}");
    cr_expect_eq(poll(), 1);
    expect_order(id, "skipped", "cancelled before download");
    cr_expect_eq(sales_of(id), 0);
    cr_expect_eq(route_count("POST", "V1/order/{id}/invoice"), 0);
}

/* M3, O10: a held order waits "held"; released, it comes down and is invoiced. */
Test(m2_download, m3_held_waits_then_comes_down_once_released)
{
    channel_with("auto_invoice", NULL, NULL);
    int64_t id = place(TEE_ORDER("pending", AUTHORIZED));
    edit(id, "{\"hold\":true}");
    cr_expect_eq(poll(), 1);
    expect_order(id, "waiting", "held");
    cr_expect_eq(sales_of(id), 0);
    edit(id, "{\"hold\":false}");
    cr_expect_eq(poll(), 1);
    expect_order(id, "downloaded", NULL);
    cr_expect_eq(sales_of(id), 1);
    cr_expect_eq(invoices_for(id), 1);
}

/* M4: wait-for-invoice: "not invoiced" until Magento shows it invoiced (here by the
 * merchant), then downloaded, and never invoiced by us. */
Test(m2_download, m4_wait_for_invoice_downloads_once_invoiced_and_does_not_invoice)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t id = place(TEE_ORDER("pending", AUTHORIZED));
    cr_expect_eq(poll(), 1);
    expect_order(id, "waiting", "not invoiced");
    edit(id, "{\"invoice\":true}");
    cr_expect_eq(poll(), 1);
    expect_order(id, "downloaded", NULL);
    cr_expect_eq(sales_of(id), 1);
    json_t *s = sale_of(id);
    cr_expect_eq(th_int(s, "total"), 2000);
    cr_expect_eq(th_int(s, "balance_due"), 0, "invoiced and captured: paid");
    json_decref(s);
    cr_expect_eq(route_count("POST", "V1/order/{id}/invoice"), 0, "not invoiced by us");
    /* an order created under wait-for-invoice wants no after-download call at all
     * (wants_after_download): no outbox row, no re-read */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"), 0,
                 "no after-download call queued");
}

/* Issue 12 item 2: an order changed on Magento in the very second the poll read last,
 * after the read, with a smaller entity_id than the cursor's, is not skipped: the next poll
 * reads that second again. */
Test(m2_download, o2_an_order_changed_in_the_last_second_read_is_not_skipped)
{
    channel_with("wait_for_invoice", NULL, NULL);
    char when[24];
    m2_time(-10, when);
    int64_t a = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"created_at\":\"%s\","
                      "\"updated_at\":\"%s\"}",
                      when, when);
    int64_t b = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"created_at\":\"%s\","
                      "\"updated_at\":\"%s\"}",
                      when, when);
    cr_expect_eq(poll(), 2);
    expect_order(a, "waiting", "not invoiced");
    expect_order(b, "waiting", "not invoiced");
    /* invoiced on Magento in that same second */
    char body[96];
    snprintf(body, sizeof(body), "{\"invoice\":true,\"updated_at\":\"%s\"}", when);
    edit(a, body);
    poll();
    expect_order(a, "downloaded", NULL);
    cr_expect_eq(sales_of(a), 1);
    expect_order(b, "waiting", "not invoiced");
    poll();
    cr_expect_eq(sales_of(a), 1, "read again, applied once");
}

/* M1: order download off: every order waits, saying so. */
Test(m2_download, m1_download_orders_off_waits_with_the_reason)
{
    channel_with("wait_for_invoice", ",\"download_orders\":false", NULL);
    int64_t id = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                       "\"invoiced\":true}");
    cr_expect_eq(poll(), 1);
    expect_order(id, "waiting", "order download is off for this channel");
    cr_expect_eq(sales_of(id), 0);
}

/* ---------------------------------------------------------------- 2. the mode switched */

/* M5: an order is judged by the mode in force when it was created, not today's. */
Test(m2_download, m5_the_mode_switched_between_two_orders_is_not_retroactive)
{
    channel_with("wait_for_invoice", NULL, NULL);
    char before[24], after[24];
    int64_t a = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"pending\","
                      "\"payment\":" AUTHORIZED ",\"created_at\":\"%s\"}",
                      m2_time(-3600, before));
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/channels/1", t.admin,
                              "{\"settings\":{\"download_mode\":\"auto_invoice\","
                              "\"stock_sync\":false}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    int64_t b = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"pending\","
                      "\"payment\":" AUTHORIZED ",\"created_at\":\"%s\"}",
                      m2_time(2, after));
    cr_expect_eq(poll(), 2);
    expect_order(a, "waiting", "not invoiced (created under wait-for-invoice mode)");
    expect_order(b, "downloaded", NULL);
    cr_expect_eq(invoices_for(a), 0, "A is not invoiced by us");
    cr_expect_eq(invoices_for(b), 1, "B is");
    /* A invoiced by the merchant: down under its own mode, still not invoiced by us */
    edit(a, "{\"invoice\":true}");
    poll();
    expect_order(a, "downloaded", NULL);
    cr_expect_eq(route_count("POST", "V1/order/{id}/invoice"), 1);
}

/* ---------------------------------------------------------------- 3. invoices that fail */

/* M3: a 503 on the invoice is retried with backoff (made due again here, not waited
 * for) and the order ends invoiced exactly once. */
Test(m2_download, m3_an_invoice_that_fails_is_retried_and_made_once)
{
    channel_with("auto_invoice", NULL, NULL);
    fake_config("{\"fault\":{\"status\":503,\"count\":2,\"path\":\"/rest/V1/order/\"}}");
    int64_t id = place(TEE_ORDER("pending", AUTHORIZED));
    poll();
    expect_order(id, "downloaded", NULL);
    cr_expect_eq(invoices_for(id), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"
                                " AND status = 'pending' AND attempts = 1"
                                " AND next_attempt_at > created_at"),
                 1, "pending, backed off");
    outbox_due_now();
    cr_expect_eq(th_sql_int(&t, "SELECT attempts FROM outbox WHERE kind = 'after_download'"
                                " AND status = 'pending'"),
                 2, "failed again, backed off again");
    outbox_due_now();
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"
                                " AND status = 'done'"),
                 1);
    cr_expect_eq(invoices_for(id), 1, "invoiced once");
    cr_expect_eq(route_count("POST", "V1/order/{id}/invoice"), 3, "two 503s, one invoice");
    cr_expect_eq(sales_of(id), 1);
}

/* M3: Magento's refusal is permanent: parked, in sight in the channel's log. */
Test(m2_download, m3_an_invoice_refused_by_magento_is_parked_in_sight)
{
    channel_with("auto_invoice", NULL, NULL);
    fake_config("{\"invoice_fails\":1}");
    int64_t id = place("{\"increment_id\":\"WEB-7\",\"items\":[{\"sku\":\"TEE\",\"price\":20}],"
                       "\"status\":\"pending\",\"payment\":" AUTHORIZED "}");
    poll();
    cr_expect_eq(invoices_for(id), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"
                                " AND status = 'parked' AND attempts = 1"),
                 1);
    json_t *e = log_entry("push.parked");
    cr_assert_not_null(e, "the parked call is in the channel's log");
    cr_expect_str_eq(th_str(e, "message"),
                     "after_download failed (attempt 1): Magento refused to invoice order WEB-7: "
                     "Invoice Document Validation Error(s):\n"
                     "The order does not allow an invoice to be created.");
    json_decref(e);
    cr_expect_eq(sales_of(id), 1, "the sale stays: only the invoice waits for staff");
}

/* ---------------------------------------------------------------- 4. crashes */

/* Hands the database to a `stockbridge serve` process with STOCKBRIDGE_CRASH_AT=point:1,
 * polls through it, and waits for it to kill itself at the point. */
static void crash_at(const char *point)
{
    sb_server_stop(t.server);
    sb_pipeline_stop(t.pipeline);
    sb_store_close(t.store);
    t.server = NULL;
    t.pipeline = NULL;
    t.store = NULL;
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        char env[64];
        snprintf(env, sizeof(env), "%s:1", point);
        setenv("STOCKBRIDGE_CRASH_AT", env, 1);
        execl(getenv("SB_BIN"), "stockbridge", "serve", "--db", t.db_url, "--listen", "127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof(line) && read(pipefd[0], line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    close(pipefd[0]);
    unsigned port = 0;
    cr_assert_eq(sscanf(line, "stockbridge is serving on http://127.0.0.1:%u/", &port), 1,
                 "serve said: %s", line);
    /* the poll imports the order (committed, its invoice queued); the dispatcher then
     * reaches the crash point and the process dies */
    t.port = (uint16_t)port;
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, "{}");
    cr_assert_eq(r.status, 200, "poll: %ld %s", r.status, r.body);
    th_resp_free(&r);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
              "the server died at %s (status %d)", point, status);
}

static void crash_test(const char *point, int64_t invoices_before_restart)
{
    channel_with("auto_invoice", NULL, NULL);
    int64_t id = place(TEE_ORDER("pending", AUTHORIZED));
    crash_at(point);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE channel_id = 1"), 1,
                 "the import committed before the crash");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"
                                " AND status = 'pending'"),
                 1, "the invoice call is still owed");
    cr_expect_eq(invoices_for(id), invoices_before_restart);
    th_resume(&t); /* the same database, a server in this process again */
    th_wait_pipeline(&t);
    cr_expect_eq(invoices_for(id), 1, "invoiced exactly once");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE kind = 'after_download'"
                                " AND status = 'done'"),
                 1);
    poll();
    cr_expect_eq(sales_of(id), 1, "one sale");
    cr_expect_eq(invoices_for(id), 1);
}

/* M3: killed after the import committed, before the invoice call. */
Test(m2_download, m3_a_crash_before_the_invoice_call_invoices_once_after_restart)
{
    crash_test("outbox-call", 0);
}

/* M3: killed after the invoice was made, before its result was recorded. */
Test(m2_download, m3_a_crash_after_the_invoice_call_does_not_invoice_twice)
{
    crash_test("outbox-sent", 1);
}

/* ---------------------------------------------------------------- 5. items (M8) */

static int64_t add_item(const char *sku, const char *extra)
{
    return th_create(&t, t.admin, "/api/v1/items", "{\"sku\":\"%s\",\"name\":\"%s\"%s}", sku, sku,
                     extra ? extra : "");
}

/* M8, O4: a configurable (its child at 0) is one line at the parent's price; with the
 * child's price a copy of the parent's, the same. */
static void configurable(bool copy)
{
    channel_with("wait_for_invoice", NULL, NULL);
    add_item("TEE-RED-M", NULL);
    if (copy)
        fake_config("{\"child_price_copy\":true}");
    int64_t id = place("{\"items\":[{\"sku\":\"TEE-CONF\",\"product_type\":\"configurable\","
                       "\"price\":25,\"qty_ordered\":2,\"tax_amount\":4,\"tax_percent\":8},"
                       "{\"sku\":\"TEE-RED-M\",\"parent\":0,\"qty_ordered\":2}],"
                       "\"shipping_amount\":5,\"status\":\"processing\",\"invoiced\":true,"
                       "\"payment\":{\"method\":\"stripe_payments\"}}");
    poll();
    json_t *s = sale_of(id);
    cr_expect_eq(json_array_size(json_object_get(s, "lines")), 2, "one line, and shipping's");
    cr_expect_eq(th_int(line_with_sku(s, "flatrate_flatrate"), "unit_price"), 500);
    json_t *l = line_with_sku(s, "TEE-RED-M");
    cr_expect_eq(th_int(l, "quantity"), 2);
    cr_expect_eq(th_int(l, "unit_price"), 2500, "the parent's price, the child's not added");
    cr_expect_eq(th_int(l, "tax_total"), 400);
    cr_expect(json_is_integer(json_object_get(l, "item_id")));
    cr_expect_eq(th_int(s, "total"), 5000 + 400 + 500, "Magento's grand_total to the cent");
    cr_expect_eq(json_is_true(json_object_get(s, "needs_review")), false);
    cr_expect_eq(ledger_delta(th_int(s, "id"), "TEE-RED-M"), -2);
    json_decref(s);
}

Test(m2_download, m8_o4_a_configurable_is_one_line_at_the_parents_price)
{
    configurable(false);
}

Test(m2_download, m8_o4_a_configurable_whose_child_copies_the_price_is_not_counted_twice)
{
    configurable(true);
}

/* M8, O5: a fixed-price bundle: the parent's line (its SKU unknown to the POS: a
 * non-inventory line, not for review) and its children at 0, whose stock moves. */
Test(m2_download, m8_o5_a_fixed_price_bundle_moves_its_childrens_stock_without_review)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t id = place("{\"items\":[{\"sku\":\"GIFTSET\",\"product_type\":\"bundle\","
                       "\"price\":30},"
                       "{\"sku\":\"TEE\",\"parent\":0,\"qty_ordered\":1},"
                       "{\"sku\":\"MUG\",\"parent\":0,\"qty_ordered\":1}],"
                       "\"status\":\"processing\",\"invoiced\":true}");
    poll();
    json_t *s = sale_of(id);
    cr_expect_eq(json_array_size(json_object_get(s, "lines")), 3);
    json_t *parent = line_with_sku(s, "GIFTSET");
    cr_expect(json_is_null(json_object_get(parent, "item_id")), "non-inventory");
    cr_expect_eq(th_int(parent, "unit_price"), 3000);
    cr_expect_eq(th_int(line_with_sku(s, "TEE"), "unit_price"), 0);
    cr_expect_eq(th_int(line_with_sku(s, "MUG"), "unit_price"), 0);
    cr_expect_eq(th_int(s, "total"), 3000);
    cr_expect_eq(json_is_true(json_object_get(s, "needs_review")), false,
                 "a bundle's container is not for review");
    cr_expect_eq(ledger_delta(th_int(s, "id"), "TEE"), -1);
    cr_expect_eq(ledger_delta(th_int(s, "id"), "MUG"), -1);
    json_decref(s);
}

/* M8: a dynamic bundle: its children's lines at their prices, the parent dropped. */
Test(m2_download, m8_a_dynamic_bundle_comes_as_its_priced_children)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t id = place("{\"items\":[{\"sku\":\"PICKSET\",\"product_type\":\"bundle\","
                       "\"price\":0},"
                       "{\"sku\":\"TEE\",\"parent\":0,\"qty_ordered\":2,\"price\":18},"
                       "{\"sku\":\"MUG\",\"parent\":0,\"qty_ordered\":1,\"price\":11.5}],"
                       "\"status\":\"processing\",\"invoiced\":true}");
    poll();
    json_t *s = sale_of(id);
    cr_expect_eq(json_array_size(json_object_get(s, "lines")), 2, "the parent dropped");
    cr_expect_eq(th_int(line_with_sku(s, "TEE"), "unit_price"), 1800);
    cr_expect_eq(th_int(line_with_sku(s, "TEE"), "quantity"), 2);
    cr_expect_eq(th_int(line_with_sku(s, "MUG"), "unit_price"), 1150);
    cr_expect_eq(th_int(s, "total"), 4750);
    cr_expect_eq(ledger_delta(th_int(s, "id"), "TEE"), -2);
    cr_expect_eq(ledger_delta(th_int(s, "id"), "MUG"), -1);
    json_decref(s);
}

/* O5: an unknown simple SKU is a non-inventory line and the sale is flagged; items are
 * matched by UPC and by manufacturer SKU where the POS has them. */
Test(m2_download, o5_unknown_skus_are_flagged_and_codes_match_items)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t by_upc = add_item("POS-CAP", ",\"upc\":\"725272730706\"");
    int64_t by_mfr = add_item("POS-SOCK", ",\"manufacturer_sku\":\"SOCK-MFR-1\"");
    int64_t id = place("{\"items\":[{\"sku\":\"725272730706\",\"price\":9},"
                       "{\"sku\":\"SOCK-MFR-1\",\"price\":4},"
                       "{\"sku\":\"NOPE-1\",\"name\":\"Mystery\",\"price\":7}],"
                       "\"status\":\"processing\",\"invoiced\":true}");
    poll();
    json_t *s = sale_of(id);
    cr_expect_eq(th_int(line_with_sku(s, "725272730706"), "item_id"), by_upc);
    cr_expect_eq(th_int(line_with_sku(s, "SOCK-MFR-1"), "item_id"), by_mfr);
    json_t *unknown = line_with_sku(s, "NOPE-1");
    cr_expect(json_is_null(json_object_get(unknown, "item_id")));
    cr_expect_str_eq(th_str(unknown, "description"), "Mystery");
    cr_expect_eq(th_int(unknown, "unit_price"), 700);
    cr_expect_eq(json_is_true(json_object_get(s, "needs_review")), true, "flagged for review");
    cr_expect_eq(th_int(s, "total"), 2000);
    json_decref(s);
}

/* ---------------------------------------------------------------- 6. customers, payments */

/* C1: matched by email, case and spaces aside; C5: a guest without an email has none. */
Test(m2_download, c1_c5_customers_matched_by_email_and_guests_without_one)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t cust = th_create(&t, t.admin, "/api/v1/customers",
                             "{\"first_name\":\"Ada\",\"last_name\":\"L\","
                             "\"email\":\"ada@example.com\"}");
    int64_t a = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                      "\"invoiced\":true,\"customer_email\":\"ADA@Example.COM\","
                      "\"customer_firstname\":\"Someone\",\"customer_lastname\":\"Else\"}");
    int64_t b = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                      "\"invoiced\":true,\"customer_email\":\"\"}");
    poll();
    json_t *s = sale_of(a);
    cr_expect_eq(th_int(s, "customer_id"), cust);
    json_decref(s);
    json_t *c = th_get(&t, t.admin, "/api/v1/customers/%lld", (long long)cust);
    cr_expect_str_eq(th_str(c, "first_name"), "Ada", "C2: not overwritten");
    json_decref(c);
    s = sale_of(b);
    cr_expect(json_is_null(json_object_get(s, "customer_id")), "a guest without email");
    json_decref(s);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customers"), 1, "none created");
}

/* P1-P3: an offline method comes down unpaid with a balance; online ones are paid under
 * "Magento" or the processor's name. */
Test(m2_download, p1_p3_payment_types_and_offline_methods)
{
    channel_with("wait_for_invoice", NULL, NULL);
    /* invoiced but not paid: checkmo's money arrives outside Magento */
    int64_t offline = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":"
                            "\"processing\",\"total_invoiced\":20,\"payment\":" CHECKMO "}");
    int64_t stripe = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":"
                           "\"processing\",\"invoiced\":true,"
                           "\"payment\":{\"method\":\"stripe_payments\"}}");
    int64_t other = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":"
                          "\"processing\",\"invoiced\":true,"
                          "\"payment\":{\"method\":\"some_gateway\"}}");
    poll();
    json_t *s = sale_of(offline);
    cr_expect_eq(json_array_size(json_object_get(s, "payments")), 0, "P3: not recorded");
    cr_expect_eq(th_int(s, "balance_due"), 2000);
    json_decref(s);
    s = sale_of(stripe);
    json_t *p = json_array_get(json_object_get(s, "payments"), 0);
    cr_expect_str_eq(th_str(p, "payment_type_name"), "Stripe");
    cr_expect_eq(th_int(p, "amount"), 2000);
    cr_expect_eq(th_int(s, "balance_due"), 0);
    json_decref(s);
    s = sale_of(other);
    p = json_array_get(json_object_get(s, "payments"), 0);
    cr_expect_str_eq(th_str(p, "payment_type_name"), "Magento");
    json_decref(s);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM payment_types WHERE name IN"
                                " ('Stripe', 'Magento')"),
                 2, "P2: created once each");
}

/* ---------------------------------------------------------------- 7. paging mid-poll */

struct poller {
    pthread_t th;
    long status;
};

static void *poll_thread(void *arg)
{
    struct poller *p = arg;
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, "{}");
    p->status = r.status;
    th_resp_free(&r);
    return NULL;
}

/* O2, issue 12 item 2: 250 orders read by keyset while one already read and one not yet
 * read change under the poll; every order is one sale at its newest version, none
 * skipped, and no request asks a page past the first. */
Test(m2_download, o2_a_poll_across_the_last_page_quirk_with_orders_updated_mid_poll, .timeout = 240)
{
    channel_with("wait_for_invoice", NULL, NULL);
    enum {
        N = 250
    };
    char when[24], later[24];
    m2_time(-2000, when); /* seconds Magento writes no more in: polls do not read them again */
    m2_time(-1900, later);
    int64_t first = 0;
    for (int i = 0; i < N; i++) {
        int64_t id =
            place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":"
                  "\"processing\",\"invoiced\":true,\"customer_email\":\"o%d@example.com\","
                  "\"created_at\":\"%s\",\"updated_at\":\"%s\"}",
                  i, when, when);
        if (!first)
            first = id;
    }
    int64_t read = first + 49, unread = first + 179; /* pages of 100 */
    /* the first two searches are held while the test changes orders under the poll */
    fake_config("{\"fault\":{\"delay_ms\":1500,\"count\":2,\"path\":\"/rest/V1/orders\"}}");
    int64_t base = store_requests();
    struct poller p = { 0 };
    cr_assert_eq(pthread_create(&p.th, NULL, poll_thread, &p), 0);
    bool seen = false;
    for (int i = 0; i < 200000 && !seen; i++) /* bounded: the second search has arrived */
        seen = store_requests() >= base + 2;
    cr_assert(seen, "the poll's second search never came");
    char body[160];
    snprintf(body, sizeof(body),
             "{\"customer_email\":\"new-read@example.com\","
             "\"updated_at\":\"%s\"}",
             later);
    edit(read, body);
    snprintf(body, sizeof(body),
             "{\"customer_email\":\"new-unread@example.com\","
             "\"updated_at\":\"%s\"}",
             later);
    edit(unread, body);
    pthread_join(p.th, NULL);
    cr_assert_eq(p.status, 200);
    th_wait_pipeline(&t);
    poll(); /* converged: nothing more to read */
    cr_expect_eq(poll(), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE channel_id = 1"), N,
                 "every order once");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(DISTINCT external_id) FROM sales"
                                " WHERE channel_id = 1"),
                 N);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders WHERE channel_id = 1"
                                " AND state = 'downloaded'"),
                 N, "none skipped");
    char iso[32];
    snprintf(iso, sizeof(iso), "%.10sT%.8sZ", later, later + 11);
    int64_t ids[2] = { read, unread };
    for (int i = 0; i < 2; i++) {
        json_t *o = corder(ids[i]);
        cr_assert_not_null(o);
        cr_expect_str_eq(th_str(o, "version"), iso, "order %lld at its newest version",
                         (long long)ids[i]);
        json_decref(o);
    }
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customers WHERE email IN"
                                " ('new-unread@example.com')"),
                 1, "the unread one came down as it is now");
    /* keyset paging: every search asked page 1 */
    /* the first poll 4 (3 pages, then the seconds after), the others 2 each */
    cr_expect_eq(route_count("GET", "V1/orders"), 8, "the searches made");
    if (fk.traffic_log[0]) {
        FILE *fp = fopen(fk.traffic_log, "r");
        cr_assert_not_null(fp);
        char *line = NULL;
        size_t cap = 0;
        int searches = 0;
        while (getline(&line, &cap, fp) > 0) { /* an answer of 100 orders is a long line */
            json_t *j = json_loads(line, 0, NULL);
            cr_assert_not_null(j, "a traffic log line is not JSON");
            const char *path = json_string_value(json_object_get(j, "path"));
            const char *q = json_string_value(json_object_get(j, "query"));
            if (path && strcmp(path, "/rest/V1/orders") == 0) {
                searches++;
                const char *cp = q ? strstr(q, "searchCriteria%5BcurrentPage%5D=") : NULL;
                cr_expect(cp && cp[32] == '1' && (cp[33] == '&' || cp[33] == '\0'),
                          "a search asked another page: %s", q ? q : "(none)");
            }
            json_decref(j);
        }
        free(line);
        fclose(fp);
        cr_expect_eq(searches, 8);
    }
}

/* ---------------------------------------------------------------- 8. bad input */

/* O10: a store answering 401: the poll fails saying bearer vs OAuth, nothing written. */
Test(m2_download, m2_a_store_answering_401_fails_the_poll_naming_the_auth)
{
    channel_with("wait_for_invoice", NULL, NULL);
    place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
          "\"invoiced\":true}");
    fake_config("{\"bearer_allowed\":false}");
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, "{}");
    cr_expect_eq(r.status, 409, "%s", r.body);
    const char *msg =
        json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
    cr_assert_not_null(msg, "%s", r.body);
    cr_expect(strstr(msg, "bearer"), "the reason names the bearer: %s", msg);
    cr_expect(strstr(msg, "OAuth"), "and what to use instead: %s", msg);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders"), 0, "nothing written");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 0);
    json_t *e = log_entry("poll.failed");
    cr_expect_not_null(e, "the failed poll is in the log");
    json_decref(e);
}

/* O2: a 5xx storm: the polls fail and back off, nothing is lost; after it, all come down. */
Test(m2_download, o2_a_5xx_storm_loses_nothing)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                       "\"invoiced\":true}");
    fake_config("{\"fault\":{\"status\":503,\"count\":3}}");
    for (int i = 0; i < 3; i++) {
        struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, "{}");
        cr_expect_eq(r.status / 100, 5, "poll %d during the storm: %ld %s", i, r.status, r.body);
        th_resp_free(&r);
    }
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_sync WHERE channel_id = 1"
                                " AND poll_retry_at IS NOT NULL"),
                 1, "the poll backs off");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 0);
    cr_expect_eq(poll(), 3, "recovered");
    for (int i = 0; i < 3; i++)
        cr_expect_eq(sales_of(ids[i]), 1);
}

/* O10: an answer that is not a search result (Magento's 500 "Internal Error") fails the
 * poll, in the log, and writes nothing; the next poll reads the order. */
Test(m2_download, o10_an_error_answer_fails_the_poll_and_writes_nothing)
{
    channel_with("wait_for_invoice", NULL, NULL);
    fake_config("{\"fault\":{\"status\":500,\"count\":1,\"path\":\"/rest/V1/orders\"}}");
    int64_t id = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                       "\"invoiced\":true}");
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, "{}");
    cr_expect_eq(r.status / 100, 5, "%ld %s", r.status, r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders"), 0, "nothing written");
    json_t *e = log_entry("poll.failed");
    cr_assert_not_null(e);
    cr_expect(strstr(th_str(e, "message"), "Magento answered HTTP 500 while listing orders"), "%s",
              th_str(e, "message"));
    json_decref(e);
    cr_expect_eq(poll(), 1);
    cr_expect_eq(sales_of(id), 1);
}

/* Issue 12 item 9 (O2, O10): malformed answers. A 200 whose body is not JSON (a proxy's
 * page, a cut-short answer) fails the poll and writes nothing; the next poll takes the
 * order. A page whose order has no readable entity_id or updated_at keeps the others: the
 * bad one is listed as unreadable with why, the good one comes down. */
Test(m2_download, o10_a_malformed_answer_fails_the_poll_and_writes_nothing)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t id = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                       "\"invoiced\":true}");
    fake_config("{\"fault\":{\"body\":\"<html>Bad Gateway</html>\",\"count\":1,"
                "\"path\":\"/rest/V1/orders\"}}");
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", t.admin, "{}");
    cr_expect_eq(r.status / 100, 5, "%ld %s", r.status, r.body);
    th_resp_free(&r);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders"), 0, "nothing written");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales"), 0);
    json_t *e = log_entry("poll.failed");
    cr_assert_not_null(e);
    json_decref(e);
    cr_expect_eq(poll(), 1);
    cr_expect_eq(sales_of(id), 1);
}

Test(m2_download, o10_an_unreadable_order_in_a_page_is_listed_the_others_come_down)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t id = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                       "\"invoiced\":true}");
    /* the order as Magento would send it, beside one whose entity_id is not a number */
    char path[64];
    snprintf(path, sizeof(path), "/_fake/magento2/orders/%lld", (long long)id);
    struct th_resp got = th_fake_req(&fk, "GET", path, NULL);
    cr_assert_eq(got.status, 200, "%s", got.body);
    json_t *good = json_incref(got.json);
    th_resp_free(&got);
    json_t *page = json_pack("{s:[O,{s:i,s:s}],s:i}", "items", good, "entity_id", 999999,
                             "updated_at", "not a time", "total_count", 2);
    char *items = json_dumps(page, JSON_COMPACT);
    json_t *cfg = json_pack("{s:{s:s,s:i,s:s}}", "fault", "body", items, "count", 1, "path",
                            "/rest/V1/orders");
    char *cfg_text = json_dumps(cfg, JSON_COMPACT);
    fake_config(cfg_text);
    free(cfg_text);
    json_decref(cfg);
    free(items);
    json_decref(page);
    json_decref(good);
    cr_expect_eq(poll(), 1, "the readable order");
    cr_expect_eq(sales_of(id), 1);
    /* the unreadable one is shown waiting, with why (O10) */
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders WHERE external_id ="
                                " '999999' AND state = 'waiting' AND reason LIKE '%updated_at%'"),
                 1);
}

/* Issue 12 item 9: an unknown order id. A credit memo naming an order Magento no longer
 * has (GET /V1/orders/{id} answers 404) is passed over: the poll goes on, nothing is
 * written for it, and the orders that exist still come down. */
Test(m2_download, o10_a_credit_memo_of_an_unknown_order_is_passed_over)
{
    channel_with("wait_for_invoice", NULL, NULL);
    int64_t id = place("{\"items\":[{\"sku\":\"TEE\",\"price\":20}],\"status\":\"processing\","
                       "\"invoiced\":true}");
    fake_config("{\"fault\":{\"body\":\"{\\\"items\\\":[{\\\"entity_id\\\":7,"
                "\\\"order_id\\\":424242,\\\"state\\\":2,\\\"updated_at\\\":"
                "\\\"2026-01-01 00:00:00\\\",\\\"items\\\":[]}],\\\"total_count\\\":1}\","
                "\"count\":1,\"path\":\"/rest/V1/creditmemos\"}}");
    cr_expect_eq(poll(), 1, "the order that exists");
    cr_expect_eq(sales_of(id), 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_orders WHERE external_id ="
                                " '424242'"),
                 0);
    cr_expect_eq(route_count("GET", "V1/orders/{id}"), 1, "the memo's order was looked up");
}

/* A store whose access token is no bearer, with the OAuth 1.0a credentials. */
static void setup_oauth(void)
{
    static const char *const oauth[] = { "--bearer",
                                         "off",
                                         "--consumer-key",
                                         "ck_e2e",
                                         "--consumer-secret",
                                         "cs_e2e",
                                         "--token-secret",
                                         "ts_e2e",
                                         NULL };
    fake_start(oauth);
}

/* Issue 12 item 1: OAuth 1.0a (the four values) works end to end where bearer is off. */
Test(m2_download, m2_oauth_credentials_work_with_bearer_off, .init = setup_oauth)
{
    channel_with("auto_invoice", NULL,
                 ",\"consumer_key\":\"ck_e2e\",\"consumer_secret\":\"cs_e2e\","
                 "\"access_token_secret\":\"ts_e2e\"");
    int64_t id = place(TEE_ORDER("pending", AUTHORIZED));
    cr_expect_eq(poll(), 1);
    expect_order(id, "downloaded", NULL);
    cr_expect_eq(invoices_for(id), 1, "the invoice signed too");
    json_t *c = calls();
    cr_expect_eq(th_int(c, "unauthorized"), 0, "every request signed and accepted");
    json_decref(c);
}
