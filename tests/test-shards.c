/*
 * The step after one PostgreSQL (docs/scaling.md, "After one PostgreSQL"),
 * by simulation: merchants sharded one database each, requests routed to a
 * merchant by host name through a directory, and a merchant moved between
 * shards. Two merchants, each with its own Shopify shop (its own webhook
 * secret, its own order numbers, which overlap the other's) and its own
 * shard: a database of its own (a fresh PostgreSQL database on the
 * PostgreSQL pass, a SQLite file on the SQLite pass), served by a
 * `stockbridge serve` node of its own. The front proxy of the plan is the
 * test's route(): it looks a host name up in the directory and forwards to
 * that shard's node, or answers 503 while the merchant is moving, as the plan
 * says the front does.
 *
 * Checked: each merchant's orders become sales in its own shard only, each
 * once; a request sent to the wrong shard is refused (its signature is the
 * other shop's) and writes nothing; a stock change reaches its own shop only;
 * and a merchant moved to a new shard (front answers 503, node drained,
 * database copied with pg_dump/pg_restore or as a file, key file beside it,
 * directory pointed at the new shard) loses nothing and doubles nothing: the
 * orders refused during the move are taken when the shop retries, replays of
 * orders taken before the move are recognised, the stock pushes resume, and
 * `stockbridge check` is clean on the new shard. Every wait is bounded on
 * something observable.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ORDERS 12

/* A merchant: its host name, its shop, its shard and the node serving it. */
struct merchant {
    const char *host, *shop;
    const char *token, *secret, *email_domain;
    struct th t; /* its shard (t.db_url) and its admin token */
    struct th_fixture f;
    struct th_fake fake;
    struct th_node node;
    char key_file[400];
    bool moving; /* the directory's state for it */
};

static struct merchant m[2] = {
    { .host = "alder.example.net",
      .shop = "alder",
      .token = "shpat_alder",
      .secret = "whsec_alder",
      .email_domain = "alder.example" },
    { .host = "birch.example.net",
      .shop = "birch",
      .token = "shpat_birch",
      .secret = "whsec_birch",
      .email_domain = "birch.example" },
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls cond(x) every 50 ms until it holds or `seconds` pass; whether it held. */
static bool wait_for(bool (*cond)(struct merchant *), struct merchant *x, double seconds)
{
    double until = now_s() + seconds;
    for (;;) {
        if (cond(x))
            return true;
        if (now_s() > until)
            return false;
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
    }
}

/* The key file a merchant's node seals its credentials with: beside the SQLite file, or the
 * one the harness chose for the PostgreSQL pass. */
static void key_file_of(struct merchant *x)
{
    const char *env = getenv("STOCKBRIDGE_KEY_FILE");
    snprintf(x->key_file, sizeof(x->key_file), "%s", th_pg() && env ? env : "");
    if (!x->key_file[0])
        snprintf(x->key_file, sizeof(x->key_file), "%s.key", x->t.db_path);
}

static void merchant_start(struct merchant *x)
{
    th_start(&x->t);
    key_file_of(x);
    th_fixture(&x->t, &x->f);
    th_fake_start(&x->t, &x->fake, x->token, x->secret, "/webhooks/1");
    struct th_resp r = th_fake_req(&x->fake, "POST", "/_fake/products",
                                   "{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"price\":\"20.00\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
    int64_t id = th_create(&x->t, x->t.admin, "/api/v1/channels",
                           "{\"kind\":\"shopify\",\"name\":\"Web shop\","
                           "\"credentials\":{\"shop_domain\":\"%s.myshopify.com\","
                           "\"access_token\":\"%s\",\"webhook_secret\":\"%s\",\"base_url\":\"%s\"},"
                           "\"outlets\":[1,2],\"default_outlet_id\":1}",
                           x->shop, x->token, x->secret, x->fake.url);
    cr_assert_eq(id, 1); /* channel 1 in both shards: the host name tells them apart */
    th_wait_pipeline(&x->t);
    th_hand_over(&x->t);
    th_node_start(&x->node, x->t.db_url, x->key_file);
}

static void setup(void)
{
    /* one after the other: the harness's in-process engine of one is stopped before the
     * next starts, and each node has its own key file */
    for (int i = 0; i < 2; i++)
        merchant_start(&m[i]);
}

static void teardown(void)
{
    for (int i = 0; i < 2; i++) {
        th_node_stop(&m[i].node, SIGTERM);
        th_fake_stop(&m[i].fake);
        th_stop(&m[i].t); /* `stockbridge check` on the shard */
        m[i].moving = false;
    }
}

TestSuite(shards, .init = setup, .fini = teardown, .timeout = 240);

/* The front: the node serving host, or NULL (and *status 503) while its merchant moves. */
static const struct th_node *route(const char *host, long *status)
{
    for (int i = 0; i < 2; i++) {
        if (strcmp(m[i].host, host) != 0)
            continue;
        if (m[i].moving) {
            *status = 503;
            return NULL;
        }
        return &m[i].node;
    }
    *status = 404;
    return NULL;
}

/* Order n of merchant x's shop (its id 1000+n, its email at its own domain), through the
 * front (or straight to `to` when not NULL: a misrouted request). The HTTP status. */
static long order_hook(struct merchant *x, const struct th_node *to, int n, const char *event)
{
    char body[1200], email[96];
    snprintf(email, sizeof(email), "c%d@%s", n, x->email_domain);
    th_shopify_order_json(body, sizeof(body), 1000 + n, email, 0, true);
    long status = 0;
    if (!to)
        to = route(x->host, &status);
    if (!to)
        return status;
    return th_shopify_hook(to->port, "/webhooks/1", x->secret, "orders/create", event, body);
}

static long deliver(struct merchant *x, int n)
{
    char event[64];
    snprintf(event, sizeof(event), "%s-create-%d", x->host, n);
    return order_hook(x, NULL, n, event);
}

static int64_t channel_sales(struct merchant *x)
{
    return th_sql_int(&x->t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'");
}

static int want_sales;
static bool has_all_sales(struct merchant *x)
{
    return channel_sales(x) == want_sales;
}

static int64_t shop_available(struct merchant *x)
{
    struct th_resp r = th_fake_req(&x->fake, "GET", "/_fake/inventory?sku=TEE", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    int64_t v = th_int(json_array_get(json_object_get(r.json, "levels"), 0), "available");
    th_resp_free(&r);
    return v;
}

/* I2: what the POS offers the shop for TEE (item 1): available over its two outlets. */
static int64_t pos_available(struct merchant *x)
{
    return th_sql_int(&x->t, "SELECT COALESCE(SUM(CASE WHEN on_hand - reserved > 0"
                             " THEN on_hand - reserved ELSE 0 END), 0) FROM stock"
                             " WHERE item_id = 1 AND outlet_id IN (1, 2)");
}

static bool shop_at_pos_figure(struct merchant *x)
{
    return th_sql_int(&x->t, "SELECT COUNT(*) FROM sync_queue") == 0 &&
           shop_available(x) == pos_available(x);
}

/* A stock adjustment made through the merchant's node (via the front). */
static void adjust(struct merchant *x, int64_t delta)
{
    long status = 0;
    const struct th_node *to = route(x->host, &status);
    cr_assert_not_null(to, "the front answered %ld", status);
    char body[128];
    snprintf(body, sizeof(body), "{\"item_id\":1,\"outlet_id\":1,\"delta\":%lld}",
             (long long)delta);
    x->t.port = (uint16_t)to->port;
    struct th_resp r = th_req(&x->t, "POST", "/api/v1/stock/adjustments", x->t.admin, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
}

/* O2: the merchant's shard holds its orders 1001..1000+n, each once, all of its own shop. */
static void expect_own_orders_once(struct merchant *x, int n)
{
    cr_expect_eq(channel_sales(x), n, "%s: every order a sale", x->host);
    cr_expect_eq(th_sql_int(&x->t, "SELECT COUNT(DISTINCT external_id) FROM sales"
                                   " WHERE source = 'channel'"),
                 n, "%s: no order twice", x->host);
    cr_expect_eq(th_sql_intf(&x->t,
                             "SELECT COUNT(*) FROM sales s JOIN customers c"
                             " ON c.id = s.customer_id WHERE s.source = 'channel'"
                             " AND c.email LIKE '%%@%s'",
                             x->email_domain),
                 n, "%s: every sale is its own shop's customer's", x->host);
}

Test(shards, issue15_6_o2_each_request_reaches_its_merchants_shard_only)
{
    adjust(&m[0], 50);
    adjust(&m[1], 50);
    for (int n = 1; n <= ORDERS; n++) {
        for (int i = 0; i < 2; i++) {
            cr_assert_eq(deliver(&m[i], n), 200, "%s order %d", m[i].host, n);
            cr_assert_eq(deliver(&m[i], n), 200, "%s order %d again", m[i].host, n);
        }
        if (n % 4 == 0) {
            /* misrouted: the other merchant's node checks the signature with its own
             * shop's secret, and refuses */
            cr_expect_eq(order_hook(&m[0], &m[1].node, n, "misrouted"), 401);
            cr_expect_eq(order_hook(&m[1], &m[0].node, n, "misrouted"), 401);
        }
    }
    long status = 0;
    cr_expect_null(route("oak.example.net", &status), "an unknown host goes nowhere");
    cr_expect_eq(status, 404);
    want_sales = ORDERS;
    for (int i = 0; i < 2; i++)
        cr_assert(wait_for(has_all_sales, &m[i], 30), "%s took its orders (%lld)", m[i].host,
                  (long long)channel_sales(&m[i]));
    for (int i = 0; i < 2; i++) {
        expect_own_orders_once(&m[i], ORDERS);
        cr_expect_eq(th_sql_int(&m[i].t, "SELECT COUNT(*) FROM channel_events"
                                         " WHERE event_id = 'misrouted'"),
                     0, "%s: a refused request wrote nothing", m[i].host);
        cr_assert(wait_for(shop_at_pos_figure, &m[i], 30), "%s's shop at its POS's figure",
                  m[i].host);
    }
    /* a stock change reaches its own shop, and only it */
    int64_t mine = shop_available(&m[0]), other = shop_available(&m[1]);
    adjust(&m[0], 9);
    cr_assert(wait_for(shop_at_pos_figure, &m[0], 30), "the change reached alder's shop");
    cr_expect_eq(shop_available(&m[0]), mine + 9);
    cr_expect_eq(shop_available(&m[1]), other, "birch's shop did not move");
}

/* The merchant's shard copied to a new one, with its key file: pg_dump and pg_restore on
 * PostgreSQL (what moves a merchant between clusters), the file on SQLite (its node
 * stopped, so the file is whole). */
static void copy_shard(struct merchant *x, struct th_db *to, char *key_to, size_t cap)
{
    char cmd[2048];
    if (th_pg()) {
        snprintf(cmd, sizeof(cmd),
                 "set -e; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1);"
                 " \"$bin/pg_dump\" -Fc -d '%s' | \"$bin/pg_restore\" --no-owner -d '%s'",
                 x->t.db_url, to->url);
        snprintf(key_to, cap, "%s/moved.key", to->dir);
    } else {
        snprintf(cmd, sizeof(cmd),
                 "set -e; cp '%s' '%s/t.db'; if [ -f '%s-wal' ]; then cp '%s-wal' '%s/t.db-wal';"
                 " fi",
                 x->t.db_path, to->dir, x->t.db_path, x->t.db_path, to->dir);
        snprintf(key_to, cap, "%s/t.db.key", to->dir);
    }
    cr_assert_eq(system(cmd), 0, "copying the shard: %s", cmd);
    snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", x->key_file, key_to);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

Test(shards, issue15_6_o2_i3_a_merchant_moved_to_another_shard_loses_and_doubles_nothing)
{
    struct merchant *x = &m[0];
    adjust(x, 50);
    int64_t on_hand =
        th_sql_int(&x->t, "SELECT on_hand FROM stock WHERE item_id = 1 AND outlet_id = 1");
    for (int n = 1; n <= 6; n++)
        cr_assert_eq(deliver(x, n), 200);
    want_sales = 6;
    cr_assert(wait_for(has_all_sales, x, 30), "the first orders taken");

    /* the move: the front refuses the merchant's requests (the shop keeps them to retry),
     * its node drains and stops, its database and key file are copied */
    x->moving = true;
    for (int n = 7; n <= 9; n++)
        cr_expect_eq(deliver(x, n), 503, "order %d refused while moving", n);
    th_node_stop(&x->node, SIGTERM);
    struct th_db shard;
    th_db_make(&shard);
    char key[400];
    copy_shard(x, &shard, key, sizeof(key));
    th_node_start(&x->node, shard.url, key);
    /* the old shard is kept for the teardown's check; the directory points at the new one */
    struct th moved = x->t;
    snprintf(moved.db_url, sizeof(moved.db_url), "%s", shard.url);
    moved.db_path[0] = '\0';
    struct merchant old = *x;
    x->t = moved;
    x->moving = false;

    /* the shop retries what was refused and replays what was taken (a lost answer) */
    for (int n = 1; n <= ORDERS; n++)
        cr_assert_eq(deliver(x, n), 200, "order %d after the move", n);
    want_sales = ORDERS;
    cr_assert(wait_for(has_all_sales, x, 30), "the new shard took the orders (%lld)",
              (long long)channel_sales(x));
    expect_own_orders_once(x, ORDERS);
    cr_expect_eq(th_sql_int(&x->t, "SELECT on_hand FROM stock WHERE item_id = 1"
                                   " AND outlet_id = 1"),
                 on_hand - ORDERS, "stock left once per order");
    cr_assert(wait_for(shop_at_pos_figure, x, 30), "the stock pushes resumed from the new shard");
    cr_expect_eq(th_sql_int(&old.t, "SELECT COUNT(*) FROM sales WHERE source = 'channel'"), 6,
                 "the old shard took nothing after the move");
    cr_expect_eq(channel_sales(&m[1]), 0, "the other merchant saw none of it");

    /* the new shard is sound (the teardown checks the old one) */
    th_node_stop(&x->node, SIGTERM);
    char out[4096];
    int rc = th_run_cli(&x->t, out, sizeof(out), "check", NULL);
    cr_expect_eq(rc, 0, "stockbridge check on the new shard:\n%s", out);
    x->t = old.t;
    th_db_drop(&shard);
}
