/*
 * ThreadSanitizer over the threaded paths. Criterion and TSan do not mix (its
 * arena fails), so this suite runs in the ordinary test build and drives
 * `stockbridge serve`, `stockbridge sync --drain` and the fakestore built
 * with -fsanitize=thread ($SB_TSAN_BIN: build-tsan/stockbridge, set by
 * scripts/test-tsan, which `make test` and `make tsan` run). Each process
 * writes its reports to TSAN_OPTIONS=log_path=<dir>/tsan.<pid>; any report
 * fails the test with its first lines.
 *
 * The load: signed webhooks from several threads at once (new orders,
 * repeats of one event id, versions of one order racing), orders placed on
 * the fakestore (its webhooks, fulfillments the worker must fetch, cancels),
 * till sales, on-demand polls and reconciliations, the scheduled poller and
 * reconciliation, stock pushes after every change, voids whose cancellation
 * the dispatcher sends, the metrics; then an ingest-only server and `sync
 * --drain`. The results are checked too (every order down exactly once,
 * `stockbridge check`), so the load is known to have done its work.
 */
#include "harness.h"
#include "store/leases.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct th t;
static struct th_fixture f;
static char logdir[300];
static pid_t fake_pid, server_pid; /* running; stopped by teardown when a test failed */
static unsigned fake_port;

static void setup(void)
{
    const char *bin = getenv("SB_TSAN_BIN");
    cr_assert(bin && access(bin, X_OK) == 0,
              "SB_TSAN_BIN names no ThreadSanitizer build of stockbridge: run this suite with"
              " scripts/test-tsan (make tsan)");
    th_start(&t);
    th_fixture(&t, &f);
    th_hand_over(&t); /* the database goes to the TSan-built processes */
    snprintf(logdir, sizeof(logdir), "%s/tsan-logs", t.dir);
    cr_assert_eq(mkdir(logdir, 0700), 0);
}

/* The reports, if any, as the failure message; the files are removed either way. */
static void collect_reports(void)
{
    DIR *d = opendir(logdir);
    if (!d)
        return;
    char report[4096] = "";
    size_t len = 0;
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[600];
        snprintf(path, sizeof(path), "%s/%s", logdir, e->d_name);
        FILE *fp = fopen(path, "r");
        files++;
        char line[512];
        for (int n = 0; fp && n < 40 && fgets(line, sizeof(line), fp); n++) {
            size_t k = strlen(line);
            if (len + k + 1 < sizeof(report)) {
                memcpy(report + len, line, k + 1);
                len += k;
            }
        }
        if (fp)
            fclose(fp);
        unlink(path);
    }
    closedir(d);
    rmdir(logdir);
    cr_expect_eq(files, 0, "ThreadSanitizer reported (%d file(s)):\n%s", files, report);
}

static void teardown(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
    if (fake_pid > 0) {
        kill(fake_pid, SIGTERM);
        waitpid(fake_pid, NULL, 0);
        fake_pid = 0;
    }
    collect_reports();
    th_stop(&t); /* `stockbridge check` on what the load left */
}

TestSuite(tsan, .init = setup, .fini = teardown, .timeout = 240);

/* ---------------------------------------------------------------- processes */

static void tsan_child_env(void)
{
    char opts[512];
    snprintf(opts, sizeof(opts), "log_path=%s/tsan second_deadlock_stack=1", logdir);
    setenv("TSAN_OPTIONS", opts, 1);
    /* the scheduled paths run as in production: the poller, reconciliation, stock timer */
    unsetenv("STOCKBRIDGE_POLL_SCHEDULE");
    unsetenv("STOCKBRIDGE_SYNC_PERIOD");
}

/* Runs argv (argv[0]: a path) with stdout into a pipe; returns the pid and the first line. */
static pid_t spawn(char *const argv[], char *line, size_t cap, bool ingest_only)
{
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        tsan_child_env();
        if (ingest_only)
            setenv("STOCKBRIDGE_PIPELINE_WORKER", "off", 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    size_t n = 0;
    while (n + 1 < cap && read(pipefd[0], line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    close(pipefd[0]);
    return pid;
}

static pid_t serve(unsigned *ret_port, bool ingest_only)
{
    char line[256];
    char *const argv[] = {
        (char *)getenv("SB_TSAN_BIN"), "serve", "--db", t.db_url, "--listen", "127.0.0.1:0", NULL
    };
    pid_t pid = spawn(argv, line, sizeof(line), ingest_only);
    server_pid = pid;
    cr_assert_eq(sscanf(line, "stockbridge is serving on http://127.0.0.1:%u/", ret_port), 1,
                 "serve said: %s", line);
    t.port = (uint16_t)*ret_port; /* th_req and friends now talk to it */
    return pid;
}

/* SIGTERM, and the exit status must be 0 (TSan exits 66 when it reported). */
static void stop(pid_t pid, const char *what)
{
    int status = 0;
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    if (pid == server_pid)
        server_pid = 0;
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s ended with status %d", what,
              status);
}

static void fake_start(unsigned server_port)
{
    char bin[512], hook[128], line[256];
    snprintf(bin, sizeof(bin), "%s", getenv("SB_TSAN_BIN"));
    char *slash = strrchr(bin, '/');
    cr_assert_not_null(slash);
    snprintf(slash + 1, sizeof(bin) - (size_t)(slash + 1 - bin), "stockbridge-fakestore");
    snprintf(hook, sizeof(hook), "http://127.0.0.1:%u/webhooks/1", server_port);
    /* a budget without limit: this suite is about races, and the adapter's documents cost
     * what Shopify computes from them (SbOrder asks for 779 points), which under this load
     * would keep any plan's bucket empty and the scheduled poll waiting for it */
    char *const argv[] = { bin,        "--listen",     "127.0.0.1:0",   "--token", TH_SHOP_TOKEN,
                           "--secret", TH_SHOP_SECRET, "--webhook-url", hook,      "--budget",
                           "1000000",  "--restore",    "1000000",       NULL };
    fake_pid = spawn(argv, line, sizeof(line), false);
    cr_assert_eq(sscanf(line, "fakestore listening on http://127.0.0.1:%u/", &fake_port), 1,
                 "the fakestore said: %s", line);
}

/* `stockbridge sync --drain` (TSan-built); returns its exit status. */
static int drain(void)
{
    char line[256];
    char *const argv[] = {
        (char *)getenv("SB_TSAN_BIN"), "sync", "--drain", "--db", t.db_url, NULL
    };
    pid_t pid = spawn(argv, line, sizeof(line), false);
    int status = 0;
    waitpid(pid, &status, 0);
    cr_expect_str_eq(line, "drained");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* ---------------------------------------------------------------- HTTP from threads */

struct answer {
    char *buf;
    size_t len, cap;
};

static size_t keep(char *p, size_t s, size_t n, void *ud)
{
    struct answer *b = ud;
    for (size_t i = 0; b && i < s * n && b->len + 1 < b->cap; i++) {
        b->buf[b->len++] = p[i];
        b->buf[b->len] = '\0';
    }
    return s * n;
}

/* One request without Criterion assertions (threads call it); returns the status, the
 * start of the answer in out (may be NULL). */
static long call(unsigned port, const char *method, const char *path, const char *body,
                 const char *const *headers, char *out, size_t cap)
{
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    for (; headers && *headers; headers++)
        h = curl_slist_append(h, *headers);
    struct answer b = { out, 0, cap };
    if (out && cap)
        out[0] = '\0';
    CURL *c = curl_easy_init();
    long status = 0;
    if (c && h) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        if (body)
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, out ? (void *)&b : NULL);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    return status;
}

static long api(unsigned port, const char *method, const char *path, const char *body)
{
    char auth[160];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", t.admin);
    const char *const headers[] = { auth, NULL };
    return call(port, method, path, body, headers, NULL, 0);
}

static void order_body(int id, const char *updated, char *out, size_t cap)
{
    snprintf(out, cap,
             "{\"id\":%d,\"name\":\"#%d\",\"email\":\"c%d@example.com\","
             "\"created_at\":\"2026-11-22T10:00:00Z\",\"updated_at\":\"%s\","
             "\"currency\":\"USD\",\"financial_status\":\"paid\",\"gateway\":\"shopify_payments\","
             "\"subtotal_price\":\"20.00\",\"total_discounts\":\"0.00\",\"total_tax\":\"0.00\","
             "\"total_price\":\"20.00\",\"total_outstanding\":\"0.00\","
             "\"shipping_address\":{\"name\":\"C %d\",\"address1\":\"1 St\"},"
             "\"line_items\":[{\"id\":%d00,\"sku\":\"TEE\",\"title\":\"Tee\",\"quantity\":1,"
             "\"price\":\"20.00\",\"requires_shipping\":true}]}",
             id, id, id, updated, id, id);
}

static long webhook(unsigned port, const char *topic, const char *event, const char *body)
{
    unsigned char mac[32];
    unsigned int n = 0;
    char b64[64], h_sig[128], h_topic[96], h_event[128];
    HMAC(EVP_sha256(), TH_SHOP_SECRET, (int)strlen(TH_SHOP_SECRET), (const unsigned char *)body,
         strlen(body), mac, &n);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)n);
    snprintf(h_sig, sizeof(h_sig), "X-Shopify-Hmac-Sha256: %s", b64);
    snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
    snprintf(h_event, sizeof(h_event), "X-Shopify-Event-Id: %s", event);
    const char *const headers[] = { h_sig, h_topic, h_event, NULL };
    return call(port, "POST", "/webhooks/1", body, headers, NULL, 0);
}

enum {
    HOOK_THREADS = 4,
    HOOKS = 6,      /* new orders per webhook thread and round */
    PLACED = 3,     /* orders placed on the fakestore per round */
    TILL_SALES = 3, /* sales at the till per round */
    MAX_ROUNDS = 40,
};

/* One round of load; the threads share it. */
struct load {
    unsigned port, fake;
    int round;
    atomic_int failures; /* requests not answered as they should be */
    char first[160];     /* what the first of them was */
    atomic_int placed;
    char placed_ids[PLACED][24];
};

struct hooker {
    struct load *l;
    int id;
};

static void fail_if(struct load *l, bool bad, const char *what)
{
    if (bad && atomic_fetch_add(&l->failures, 1) == 0)
        snprintf(l->first, sizeof(l->first), "%s", what);
}

static int hook_order_id(int round, int thread, int i)
{
    return 10000 + round * 1000 + thread * 100 + i;
}

/* New orders by webhook; each also delivered again under the same event id, and an
 * updated version racing the other threads' orders. */
static void *hooks(void *arg)
{
    struct hooker *h = arg;
    struct load *l = h->l;
    for (int i = 0; i < HOOKS; i++) {
        int id = hook_order_id(l->round, h->id, i);
        char body[1024], ev[64];
        order_body(id, "2026-11-22T10:00:00Z", body, sizeof(body));
        snprintf(ev, sizeof(ev), "tsan-%d", id);
        fail_if(l, webhook(l->port, "orders/create", ev, body) != 200, "orders/create");
        fail_if(l, webhook(l->port, "orders/create", ev, body) != 200, "a repeat");
        order_body(id, "2026-11-22T10:05:00Z", body, sizeof(body));
        snprintf(ev, sizeof(ev), "tsan-%d-u", id);
        fail_if(l, webhook(l->port, "orders/updated", ev, body) != 200, "orders/updated");
    }
    return NULL;
}

/* Orders placed on the shop (its webhooks), then fulfilled there (an event the worker must
 * fetch the order for). */
static void *shop(void *arg)
{
    struct load *l = arg;
    for (int i = 0; i < PLACED; i++) {
        char out[16384];
        long st = call(l->fake, "POST", "/_fake/orders",
                       "{\"email\":\"shop@example.com\",\"financial_status\":\"paid\","
                       "\"shipping_address\":{\"name\":\"Shop Buyer\",\"address1\":\"1 Quay St\"},"
                       "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":1,"
                       "\"price\":\"20.00\"}]}",
                       NULL, out, sizeof(out));
        json_t *j = json_loads(out, 0, NULL);
        json_t *id = json_object_get(j, "id");
        fail_if(l, st != 201 || !json_is_integer(id), "placing an order");
        if (json_is_integer(id)) {
            int k = atomic_fetch_add(&l->placed, 1);
            snprintf(l->placed_ids[k], sizeof(l->placed_ids[k]), "%lld",
                     (long long)json_integer_value(id));
            char path[96];
            snprintf(path, sizeof(path), "/_fake/orders/%s/fulfill", l->placed_ids[k]);
            long fst = call(l->fake, "POST", path, "{\"tracking_number\":\"1Z1\"}", NULL, NULL, 0);
            fail_if(l, fst / 100 != 2, "fulfilling it");
        }
        json_decref(j);
    }
    return NULL;
}

/* Sales at the till, and reads beside them. Round after round they sell more mugs than
 * outlet 1 holds: they allow overselling (A4), since their subject is the threads, not the
 * till's stock guard. */
static void *till(void *arg)
{
    struct load *l = arg;
    for (int i = 0; i < TILL_SALES; i++) {
        fail_if(l,
                api(l->port, "POST", "/api/v1/sales",
                    "{\"outlet_id\":1,\"register_id\":1,\"allow_oversell\":true,"
                    "\"lines\":[{\"item_id\":2,\"quantity\":1}],"
                    "\"payments\":[{\"payment_type_id\":1,\"amount\":1250}]}") != 201,
                "a till sale");
        fail_if(l, api(l->port, "GET", "/api/v1/channels/1/sync-status", NULL) != 200,
                "sync-status");
        fail_if(l, api(l->port, "GET", "/metrics", NULL) != 200, "metrics");
    }
    return NULL;
}

/* A change of the channel, a poll and a reconciliation on demand, beside the webhooks (a
 * reconciliation may find the shop's bulk read still busy with the scheduled one: 503). */
static void *ops(void *arg)
{
    struct load *l = arg;
    /* the channel changed under the webhooks: their cached copy is found stale, reloaded */
    fail_if(l,
            api(l->port, "PATCH", "/api/v1/channels/1",
                "{\"settings\":{\"notifications\":false}}") != 200,
            "a change of the channel");
    fail_if(l, api(l->port, "POST", "/api/v1/channels/1/poll", NULL) != 200, "a poll");
    long st = api(l->port, "POST", "/api/v1/channels/1/reconcile", NULL);
    fail_if(l, st != 200 && st != 503, "a reconciliation");
    return NULL;
}

/* One round: webhooks from several threads; with_shop: orders placed on the shop and till
 * sales at the same time; with_ops: an on-demand poll and reconciliation too. */
static void round_of_load(struct load *l, bool with_shop, bool with_ops)
{
    pthread_t th[HOOK_THREADS + 3];
    struct hooker hk[HOOK_THREADS];
    size_t n = 0;
    for (int i = 0; i < HOOK_THREADS; i++) {
        hk[i] = (struct hooker){ .l = l, .id = i };
        cr_assert_eq(pthread_create(&th[n++], NULL, hooks, &hk[i]), 0);
    }
    if (with_shop) {
        cr_assert_eq(pthread_create(&th[n++], NULL, shop, l), 0);
        cr_assert_eq(pthread_create(&th[n++], NULL, till, l), 0);
    }
    if (with_ops)
        cr_assert_eq(pthread_create(&th[n++], NULL, ops, l), 0);
    for (size_t i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(atomic_load(&l->failures), 0,
                 "round %d: %d request(s) not answered as they should be, the first: %s", l->round,
                 atomic_load(&l->failures), l->first);
}

static void shop_products(unsigned fake)
{
    const char *products[] = { "{\"sku\":\"TEE\"}", "{\"sku\":\"MUG\"}" };
    for (size_t i = 0; i < 2; i++)
        cr_assert_eq(call(fake, "POST", "/_fake/products", products[i], NULL, NULL, 0), 201);
}

static int64_t log_count(const char *event)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM channel_log WHERE event = '%s'", event);
    return th_sql_int(&t, sql);
}

/* The shop's channel, on the fakestore (through the server t.port names): channel 1. */
static void shop_channel(void)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"kind\":\"shopify\",\"name\":\"Web shop\",\"credentials\":{\"shop_domain\":"
             "\"tsan.myshopify.com\",\"access_token\":\"" TH_SHOP_TOKEN "\",\"webhook_secret\":"
             "\"" TH_SHOP_SECRET "\",\"base_url\":\"http://127.0.0.1:%u\"},\"outlets\":[1,2],"
             "\"default_outlet_id\":1,\"register_id\":1,\"employee_id\":1}",
             fake_port);
    cr_assert_eq(th_create(&t, t.admin, "/api/v1/channels", "%s", body), 1);
}

/* ---------------------------------------------------------------- the tests */

Test(tsan, o2_i3_the_server_pipeline_and_stock_threads_under_load_report_no_race)
{
    unsigned port;
    pid_t server = serve(&port, false);
    fake_start(port);
    shop_products(fake_port);
    shop_channel();

    /* rounds of load until the poller's first scheduled pass (5 s after the start: the
     * channel's first poll and reconciliation) has run beside them, then a last round with
     * a poll and a reconciliation asked for as well */
    int rounds = 0;
    bool last = false;
    static struct load l;
    for (;;) {
        l = (struct load){ .port = port, .fake = fake_port, .round = rounds };
        round_of_load(&l, true, last);
        /* voids of orders placed on the shop: their cancellations go out through the
         * dispatcher */
        cr_assert_eq(atomic_load(&l.placed), PLACED);
        char sql[160];
        snprintf(sql, sizeof(sql), "SELECT id FROM sales WHERE external_id = '%s'",
                 l.placed_ids[0]);
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/sales/%lld/void", (long long)th_sql_int(&t, sql));
        cr_expect_eq(api(port, "POST", path, "{\"reason\":\"tsan\"}"), 200);
        rounds++;
        if (last)
            break;
        last = log_count("poll.done") > 0 && log_count("reconcile.done") > 0;
        cr_assert_lt(rounds, MAX_ROUNDS,
                     "the scheduled poll and reconciliation never ran (log: poll.done %lld, "
                     "poll.failed %lld, reconcile.done %lld, reconcile.failed %lld)",
                     (long long)log_count("poll.done"), (long long)log_count("poll.failed"),
                     (long long)log_count("reconcile.done"),
                     (long long)log_count("reconcile.failed"));
    }
    stop(server, "stockbridge serve");

    /* what the server left undone (events that needed a fetch, calls) is drained */
    cr_expect_eq(drain(), 0);
    int orders = rounds * (HOOK_THREADS * HOOKS + PLACED);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'"), orders,
                 "every order down");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(DISTINCT external_id) FROM sales"
                                " WHERE source = 'channel'"),
                 orders, "and once");
    char sql[160];
    /* one cancellation per void, none given up; one the shop throttled under this load waits
     * for its retry, which a drain leaves to the server (it sends what is due) */
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM outbox WHERE kind = 'cancel' AND status IN ('done', 'pending')");
    cr_expect_eq(th_sql_int(&t, sql), rounds, "one cancellation per void");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM outbox WHERE status = 'parked'"), 0,
                 "none given up");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE source = 'pos'"),
                 rounds * TILL_SALES);
}

Test(tsan, o2_an_ingest_only_server_and_sync_drain_report_no_race)
{
    unsigned port;
    pid_t server = serve(&port, true);
    cr_assert_eq(th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"shopify\",\"name\":\"Web shop\",\"credentials\":{"
                           "\"shop_domain\":\"tsan.myshopify.com\",\"access_token\":"
                           "\"" TH_SHOP_TOKEN "\",\"webhook_secret\":\"" TH_SHOP_SECRET "\"},"
                           "\"outlets\":[1],\"default_outlet_id\":1,"
                           "\"settings\":{\"stock_sync\":false}}"),
                 1);
    static struct load l;
    for (int r = 0; r < 2; r++) {
        l = (struct load){ .port = port, .round = r };
        round_of_load(&l, false, false);
    }
    stop(server, "stockbridge serve (ingest only)");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'"), 0,
                 "recorded, not applied");
    cr_expect_eq(drain(), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(DISTINCT external_id) FROM sales"
                                " WHERE source = 'channel'"),
                 2 * HOOK_THREADS * HOOKS);
}

/* Issue 15: three TSan-built nodes on one database share the channel's background work by
 * leases; the load goes to each node in turn, and the node holding the lease is stopped
 * (SIGTERM: it gives its leases back) between rounds, so the lease changes hands under load.
 * No node reports a race; every order is one sale. */
Test(tsan, issue15_2_three_nodes_on_one_database_hand_their_leases_over_under_load_no_race)
{
    setenv("STOCKBRIDGE_LEASE_SECONDS", "3", 1);
    unsigned port[3];
    pid_t node[3];
    for (int i = 0; i < 3; i++)
        node[i] = serve(&port[i], false);
    server_pid = 0; /* the nodes are stopped here; teardown stops only what a failure left */
    fake_start(port[0]);
    shop_products(fake_port);
    t.port = (uint16_t)port[0];
    shop_channel();
    static struct load l;
    bool alive[3] = { true, true, true };
    for (int round = 0; round < 3; round++) {
        int to = round;
        while (!alive[to])
            to = (to + 1) % 3;
        l = (struct load){ .port = port[to], .fake = fake_port, .round = round };
        round_of_load(&l, false, false);
        if (round == 1) {
            /* the lease holder (its pid is in the lease's holder, "host:pid:nonce") stops */
            char holder[200] = "";
            struct sb_db *db = NULL;
            cr_assert_eq(sb_db_open(t.db_url, &db), SB_OK);
            char expires[40];
            (void)sb_store_lease_get(db, "channel:1", holder, sizeof(holder), expires,
                                     sizeof(expires));
            sb_db_close(db);
            int stopped = 0;
            for (int i = 0; i < 3; i++) {
                char pid[24];
                snprintf(pid, sizeof(pid), ":%d:", (int)node[i]);
                if (strstr(holder, pid)) {
                    stop(node[i], "the lease holder");
                    alive[i] = false;
                    stopped++;
                }
            }
            cr_assert_eq(stopped, 1, "one of the nodes holds the channel's lease: \"%s\"", holder);
        }
    }
    for (int i = 0; i < 3; i++)
        if (alive[i])
            stop(node[i], "a node");
    cr_expect_eq(drain(), 0);
    int orders = 3 * HOOK_THREADS * HOOKS;
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'"), orders,
                 "every order down");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(DISTINCT external_id) FROM sales"
                                " WHERE source = 'channel'"),
                 orders, "and once");
}
