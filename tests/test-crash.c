/*
 * An acknowledged order is never lost: the real `stockbridge serve` takes
 * signed webhooks, is killed with SIGKILL right after the last 200, and
 * `stockbridge sync --drain` then brings down every acknowledged order as
 * exactly one sale (whatever the dead server had already applied), with
 * the invariants intact.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake; /* for the stock test; stopped by teardown whatever happens */

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
    th_create(&t, t.admin, "/api/v1/channels",
              "{\"kind\":\"shopify\",\"name\":\"Web shop\","
              "\"credentials\":{\"shop_domain\":\"crash.myshopify.com\","
              "\"access_token\":\"" TH_SHOP_TOKEN "\",\"webhook_secret\":\"" TH_SHOP_SECRET "\"},"
              "\"outlets\":[1],\"default_outlet_id\":1}");
    /* hand the database over to a separate server process */
    sb_server_stop(t.server);
    sb_pipeline_stop(t.pipeline);
    sb_store_close(t.store);
    t.server = NULL;
    t.pipeline = NULL;
    t.store = NULL;
}

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t); /* runs `stockbridge check` on the database */
}

TestSuite(crash, .init = setup, .fini = teardown, .timeout = 240);

/* Starts `stockbridge serve`; ingest_only: webhooks are recorded, never applied. */
static pid_t serve(unsigned *ret_port, bool ingest_only)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        if (ingest_only)
            setenv("STOCKBRIDGE_PIPELINE_WORKER", "off", 1);
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
    cr_assert_eq(sscanf(line, "stockbridge is serving on http://127.0.0.1:%u/", ret_port), 1,
                 "serve said: %s", line);
    return pid;
}

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

/* Posts one signed orders/create webhook; returns the HTTP status. */
static long post_order(CURL *h, unsigned port, int n)
{
    char body[1024], url[96], sig[128], event[96], b64[64];
    int len = snprintf(body, sizeof(body),
                       "{\"id\":%d,\"name\":\"#%d\",\"email\":\"c%d@example.com\","
                       "\"created_at\":\"2026-11-22T10:00:00Z\","
                       "\"updated_at\":\"2026-11-22T10:00:00Z\",\"currency\":\"USD\","
                       "\"financial_status\":\"paid\",\"gateway\":\"shopify_payments\","
                       "\"subtotal_price\":\"20.00\",\"total_discounts\":\"0.00\","
                       "\"total_tax\":\"0.00\",\"total_price\":\"20.00\","
                       "\"total_outstanding\":\"0.00\","
                       "\"shipping_address\":{\"name\":\"C %d\",\"address1\":\"1 St\"},"
                       "\"line_items\":[{\"id\":%d00,\"sku\":\"TEE\",\"title\":\"Tee\","
                       "\"quantity\":1,\"price\":\"20.00\",\"requires_shipping\":true}]}",
                       1000 + n, 1000 + n, n, n, 1000 + n);
    unsigned char mac[32];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), TH_SHOP_SECRET, (int)strlen(TH_SHOP_SECRET), (unsigned char *)body,
         (size_t)len, mac, &maclen);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
    snprintf(sig, sizeof(sig), "X-Shopify-Hmac-Sha256: %s", b64);
    snprintf(event, sizeof(event), "X-Shopify-Event-Id: crash-%d", n);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/webhooks/1", port);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "X-Shopify-Topic: orders/create");
    hdr = curl_slist_append(hdr, sig);
    hdr = curl_slist_append(hdr, event);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    return status;
}

Test(crash, o2_acknowledged_orders_survive_a_sigkill_exactly_once)
{
    enum {
        N = 150,
        APPLIED = 40
    };
    unsigned port;
    CURL *h = curl_easy_init();
    int status;

    /* a normal server takes and applies the first orders, then dies */
    pid_t pid = serve(&port, false);
    for (int i = 0; i < APPLIED; i++)
        cr_assert_eq(post_order(h, port, i), 200, "order %d", i);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);

    /* an ingest-only server acknowledges the rest, then dies before anything applies them */
    pid = serve(&port, true);
    int acked = 0;
    for (int i = APPLIED; i < N; i++)
        acked += post_order(h, port, i) == 200;
    for (int i = 0; i < 10; i++) /* deliveries again: duplicates, nothing new */
        acked += post_order(h, port, i) == 200;
    kill(pid, SIGKILL); /* no goodbye */
    waitpid(pid, &status, 0);
    curl_easy_cleanup(h);
    cr_assert_eq(acked, N - APPLIED + 10, "every webhook was acknowledged before the kill");
    cr_expect_geq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status = 'pending'"),
                  N - APPLIED, "the orders acknowledged by the ingest-only server wait, recorded");
    cr_expect_leq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'"), APPLIED,
                  "nothing applied them yet");

    char out[256];
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "sync", "--drain", NULL), 0, "%s", out);
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "sync", "--drain", NULL), 0,
                 "draining again changes nothing: %s", out);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events"), N);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status = 'done'"), N);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'"), N,
                 "every acknowledged order is a sale");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(DISTINCT external_id) FROM sales"
                                " WHERE source = 'channel'"),
                 N, "and no order is a sale twice");
    cr_expect_eq(th_sql_int(&t, "SELECT 10 - on_hand FROM stock WHERE item_id = 1"
                                " AND outlet_id = 1"),
                 N, "stock left once per order");
}

/* A drain applies what an ingest-only server recorded, even where the environment that
 * made that server ingest-only (STOCKBRIDGE_PIPELINE_WORKER=off) is its own too. */
Test(crash, o2_drain_applies_events_whatever_the_worker_setting)
{
    enum {
        N = 12
    };
    unsigned port;
    int status;
    CURL *h = curl_easy_init();
    pid_t pid = serve(&port, true);
    for (int i = 0; i < N; i++)
        cr_assert_eq(post_order(h, port, i), 200, "order %d", i);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    curl_easy_cleanup(h);
    cr_assert_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status = 'pending'"), N);

    setenv("STOCKBRIDGE_PIPELINE_WORKER", "off", 1); /* as on the ingest-only host */
    char out[256];
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "sync", "--drain", "--timeout", "60", NULL), 0,
                 "%s", out);
    unsetenv("STOCKBRIDGE_PIPELINE_WORKER");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status = 'done'"), N);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'"), N,
                 "every recorded order came down");
}

/* A JSON request to a server process; returns the HTTP status. */
static long http(unsigned port, const char *method, const char *path, const char *body)
{
    char url[160], auth[160];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", t.admin);
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, auth);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return status;
}

static int64_t shop_available(const char *sku)
{
    char path[96];
    snprintf(path, sizeof(path), "/_fake/inventory?sku=%s", sku);
    struct th_resp r = th_fake_req(&fake, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    int64_t v = th_int(json_array_get(json_object_get(r.json, "levels"), 0), "available");
    th_resp_free(&r);
    return v;
}

Test(crash, i9_stock_committed_but_not_yet_pushed_survives_a_sigkill)
{
    th_fake_start(&t, &fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1");
    const char *setup[] = { "{\"sku\":\"TEE\"}", "{\"sku\":\"MUG\"}" };
    for (size_t i = 0; i < 2; i++) {
        struct th_resp r = th_fake_req(&fake, "POST", "/_fake/products", setup[i]);
        cr_assert_eq(r.status, 201, "%s", r.body);
        th_resp_free(&r);
    }
    /* the shop takes stock calls but never answers them in time */
    struct th_resp r = th_fake_req(&fake, "POST", "/_fake/faults",
                                   "{\"graphql\":{\"delay_ms\":5000,\"count\":1000,"
                                   "\"operations\":[\"SbInventorySet\"]}}");
    cr_assert_eq(r.status / 100, 2, "%s", r.body);
    th_resp_free(&r);

    unsigned port;
    int status;
    pid_t pid = serve(&port, false);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"credentials\":{\"shop_domain\":\"crash.myshopify.com\",\"access_token\":"
             "\"" TH_SHOP_TOKEN "\",\"webhook_secret\":\"" TH_SHOP_SECRET
             "\",\"base_url\":\"%s\"}}",
             fake.url);
    cr_assert_eq(http(port, "PATCH", "/api/v1/channels/1", body), 200); /* queues every item */
    cr_assert_eq(http(port, "POST", "/api/v1/sales",
                      "{\"outlet_id\":1,\"lines\":[{\"item_id\":1,\"quantity\":1}]}"),
                 201);
    /* committed; the push cannot have finished: the server dies */
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue WHERE kind = 'stock'"
                                " AND item_id IN (1, 2)"),
                 2, "both changes still queued");

    /* the shop recovers; draining sends what was queued, as it is now */
    r = th_fake_req(&fake, "POST", "/_fake/faults", "{\"graphql\":{}}");
    cr_assert_eq(r.status / 100, 2, "%s", r.body);
    th_resp_free(&r);
    char out[256];
    cr_assert_eq(th_run_cli(&t, out, sizeof(out), "sync", "--drain", NULL), 0, "%s", out);
    cr_expect_eq(shop_available("TEE"), 9, "10 in outlet 1, one sold");
    cr_expect_eq(shop_available("MUG"), 3);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue WHERE kind = 'stock'"), 0);
}
