/*
 * The order pipeline when things go wrong, end to end: the real server and
 * pipeline over a real SQLite file, and the real stockbridge-fakestore
 * playing a Shopify shop, driven through its control API (/_fake/...) to
 * duplicate, reorder, drop, truncate and refuse. Also the settings that
 * change what the pipeline does (S4, N3, O10) and the POS-side void (S1).
 * Each test starts its own server, store and shop, and waits on the
 * pipeline's own "settled" signal, never a sleep.
 */
#include "harness.h"
#include "store/channel-polls.h"
#include "store/channels.h"
#include "store/stock-queue.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN  TH_SHOP_TOKEN
#define SECRET TH_SHOP_SECRET
/* src/sync/pipeline.c: an event that keeps failing is given up after this many attempts */
#define MAX_ATTEMPTS 8

static struct th t;
static struct th_fixture f;
static struct th_fake fake;

static void setup(void)
{
    th_shop_start(&t, &f, &fake);
}

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 120);

/* ---- helpers ---- */

/* Places an order on the fake shop; returns its REST id as text. */
static void place(const char *body, char *id, size_t cap)
{
    th_shop_place(&t, &fake, body, id, cap);
}

static void act(const char *id, const char *action, const char *body)
{
    th_shop_act(&t, &fake, id, action, body);
}

/* A fakestore control call that must answer 200; its JSON (caller decrefs). */
static json_t *fake_get(const char *path)
{
    struct th_resp r = th_fake_req(&fake, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "fakestore GET %s: %ld %s", path, r.status, r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

static void fake_faults(const char *body)
{
    struct th_resp r = th_fake_req(&fake, "POST", "/_fake/faults", body);
    cr_assert_eq(r.status, 200, "faults %s: %ld %s", body, r.status, r.body);
    th_resp_free(&r);
}

/* The order as the shop renders it in webhooks (REST shape), as text (caller frees). */
static char *order_text(const char *id)
{
    char path[64];
    snprintf(path, sizeof(path), "/_fake/orders/%s", id);
    struct th_resp r = th_fake_req(&fake, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    char *text = strdup(r.body);
    th_resp_free(&r);
    cr_assert_not_null(text);
    return text;
}

/* The channel_orders row for an order, as JSON (caller decrefs); NULL when never seen. */
static json_t *seen_or_null(const char *id)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/orders?limit=500");
    json_t *row, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        if (strcmp(th_str(row, "external_id"), id) == 0)
            found = json_incref(row);
    }
    json_decref(page);
    return found;
}

static json_t *seen(const char *id)
{
    json_t *row = seen_or_null(id);
    cr_assert_not_null(row, "order %s was never seen", id);
    return row;
}

static json_t *sale_of(const char *id)
{
    json_t *row = seen(id);
    cr_assert_str_eq(th_str(row, "state"), "downloaded", "state %s: %s", th_str(row, "state"),
                     th_str(row, "reason"));
    json_t *sale = th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)th_int(row, "sale_id"));
    json_decref(row);
    return sale;
}

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

static int64_t on_hand(int64_t item, int64_t outlet)
{
    return sql_int("SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = %lld",
                   (long long)item, (long long)outlet);
}

static int64_t sales_for(const char *id)
{
    return sql_int("SELECT COUNT(*) FROM sales WHERE channel_id = 1 AND external_id = '%s'", id);
}

/* The newest row of the channel's log (GET /api/v1/channels/1/log) with this event and
 * external id (NULL: any); caller decrefs; NULL when there is none. */
static json_t *log_entry(const char *event, const char *external_id)
{
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/log?limit=500");
    json_t *row, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        if (found || strcmp(th_str(row, "event"), event) != 0)
            continue;
        if (external_id && strcmp(th_str(row, "external_id"), external_id) != 0)
            continue;
        found = json_incref(row);
    }
    json_decref(page);
    return found;
}

static void patch_channel(const char *body)
{
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/channels/1", t.admin, body);
    cr_assert_eq(r.status, 200, "PATCH %s: %ld %s", body, r.status, r.body);
    th_resp_free(&r);
}

static struct th_resp poll_now(void)
{
    struct th_resp r = th_req(&t, "POST", "/api/v1/channels/1/poll", f.manager, NULL);
    th_wait_pipeline(&t);
    return r;
}

/* Polls and asserts it worked; returns the report's "orders". */
static int64_t poll_ok(void)
{
    struct th_resp r = poll_now();
    cr_assert_eq(r.status, 200, "poll: %ld %s", r.status, r.body);
    int64_t n = th_int(r.json, "orders");
    th_resp_free(&r);
    return n;
}

static void expect_error(struct th_resp *r, long status, const char *code, const char *message)
{
    json_t *e = json_object_get(r->json, "error");
    cr_expect_eq(r->status, status, "want %ld, got %ld %s", status, r->status, r->body);
    cr_expect_str_eq(th_str(e, "code"), code, "%s", r->body);
    cr_expect_str_eq(th_str(e, "message"), message, "%s", r->body);
}

static void sign(const char *body, size_t len, char out[64])
{
    unsigned char mac[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body, len, mac, &n);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)n);
}

/* A webhook POST on its own connection; no Criterion assertion, so threads may call it. */
struct hook {
    const char *topic, *event_id, *body;
    size_t len;
    bool sign_it;
    pthread_barrier_t *start; /* NULL: go at once */
    long status;              /* out: 0 when nothing answered */
    char answer[256];         /* out: the start of the body */
};

static size_t keep(char *p, size_t size, size_t n, void *ud)
{
    struct hook *h = ud;
    size_t have = strlen(h->answer), k = size * n;
    if (have + 1 < sizeof(h->answer)) {
        size_t c = k < sizeof(h->answer) - have - 1 ? k : sizeof(h->answer) - have - 1;
        memcpy(h->answer + have, p, c);
        h->answer[have + c] = '\0';
    }
    return k;
}

static void *send_hook(void *arg)
{
    struct hook *h = arg;
    char url[96], topic[96], event[160], hmac[96], mac[64] = "";
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/webhooks/1", (unsigned)t.port);
    snprintf(topic, sizeof(topic), "X-Shopify-Topic: %s", h->topic);
    snprintf(event, sizeof(event), "X-Shopify-Event-Id: %s", h->event_id);
    if (h->sign_it)
        sign(h->body, h->len, mac);
    snprintf(hmac, sizeof(hmac), "X-Shopify-Hmac-Sha256: %s", mac);
    struct curl_slist *hs = NULL;
    hs = curl_slist_append(hs, topic);
    hs = curl_slist_append(hs, event);
    hs = curl_slist_append(hs, hmac);
    hs = curl_slist_append(hs, "Content-Type: application/json");
    hs = curl_slist_append(hs, "Expect:");
    CURL *c = curl_easy_init();
    h->status = 0;
    h->answer[0] = '\0';
    if (h->start)
        pthread_barrier_wait(h->start);
    if (c && hs) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h->status);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hs);
    return NULL;
}

/* One signed webhook from the test thread; returns the HTTP status. */
static long post_hook(const char *topic, const char *event_id, const char *body, size_t len)
{
    struct hook h = {
        .topic = topic, .event_id = event_id, .body = body, .len = len, .sign_it = true
    };
    send_hook(&h);
    cr_assert_neq(h.status, 0, "the webhook %s got no answer", event_id);
    return h.status;
}

/* Two webhooks at the same instant, each on its own thread and connection. */
static void post_together(struct hook *a, struct hook *b)
{
    pthread_barrier_t start;
    cr_assert_eq(pthread_barrier_init(&start, NULL, 2), 0);
    a->start = b->start = &start;
    pthread_t ta, tb;
    cr_assert_eq(pthread_create(&ta, NULL, send_hook, a), 0);
    cr_assert_eq(pthread_create(&tb, NULL, send_hook, b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&start);
}

static const char *PAID_TEE =
    "{\"email\":\"web@example.com\",\"financial_status\":\"paid\","
    "\"shipping_address\":{\"name\":\"Web Buyer\",\"address1\":\"1 Quay St\",\"city\":\"Bath\"},"
    "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":1,\"price\":\"20.00\"}]}";

static const char *QUIET_MUG = /* no webhooks: only a poll brings it down */
    "{\"webhooks\":false,\"financial_status\":\"paid\","
    "\"line_items\":[{\"sku\":\"MUG\",\"title\":\"Mug\",\"quantity\":1,\"price\":\"12.50\"}]}";

/* ---- customers ---- */

Test(faults, c4_an_order_with_an_email_and_no_name_names_the_customer_after_the_email)
{
    char id[32];
    place("{\"email\":\"  Solo.Buyer@Example.com \",\"financial_status\":\"paid\","
          "\"line_items\":[{\"sku\":\"MUG\",\"title\":\"Mug\",\"quantity\":1,"
          "\"price\":\"12.50\"}]}",
          id, sizeof(id));
    json_t *sale = sale_of(id);
    json_t *customer = json_object_get(sale, "customer");
    cr_assert(json_is_object(customer), "C3: a customer was created");
    cr_expect_str_eq(th_str(customer, "first_name"), "Solo.Buyer@Example.com", "C4");
    cr_expect_str_eq(th_str(customer, "email"), "Solo.Buyer@Example.com");
    int64_t cid = th_int(sale, "customer_id");
    json_decref(sale);
    json_t *c = th_get(&t, t.admin, "/api/v1/customers/%lld", (long long)cid);
    cr_expect_str_eq(th_str(c, "first_name"), "Solo.Buyer@Example.com", "C4");
    json_t *last = json_object_get(c, "last_name");
    cr_expect(json_is_null(last) || (json_is_string(last) && !*json_string_value(last)),
              "no last name is made up");
    json_decref(c);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM customers"), 1);
}

/* ---- O2: at most once, whatever arrives ---- */

Test(faults, o2_the_same_signed_event_posted_concurrently_is_recorded_and_applied_once)
{
    char id[32];
    place("{\"webhooks\":false,\"financial_status\":\"paid\",\"line_items\":[{\"sku\":\"TEE\","
          "\"title\":\"T-shirt\",\"quantity\":2,\"price\":\"20.00\"}]}",
          id, sizeof(id));
    char *body = order_text(id);
    struct hook a = { .topic = "orders/create",
                      .event_id = "evt-same",
                      .body = body,
                      .len = strlen(body),
                      .sign_it = true };
    struct hook b = a;
    post_together(&a, &b);
    cr_expect_eq(a.status, 200, "%s", a.answer);
    cr_expect_eq(b.status, 200, "%s", b.answer);
    bool a_new = strstr(a.answer, "\"accepted\"") != NULL;
    bool b_new = strstr(b.answer, "\"accepted\"") != NULL;
    bool a_dup = strstr(a.answer, "\"duplicate\"") != NULL;
    bool b_dup = strstr(b.answer, "\"duplicate\"") != NULL;
    cr_expect((a_new && b_dup) || (a_dup && b_new), "one accepted, one duplicate: %s | %s",
              a.answer, b.answer);
    th_wait_pipeline(&t);
    free(body);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = 'evt-same'"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = 'evt-same'"
                         " AND status = 'done' AND attempts = 0"),
                 1);
    cr_expect_eq(sales_for(id), 1, "O2: one sale");
    cr_expect_eq(on_hand(f.tee, 1), 8, "stock left once");

    /* the shop itself sending every event four times at the same instant */
    char again[32];
    place("{\"financial_status\":\"paid\",\"duplicate\":3,\"concurrent\":true,"
          "\"line_items\":[{\"sku\":\"MUG\",\"title\":\"Mug\",\"quantity\":1,"
          "\"price\":\"12.50\"}]}",
          again, sizeof(again));
    json_t *d = fake_get("/_fake/deliveries");
    json_t *list = json_object_get(d, "deliveries");
    size_t i, mine = 0;
    json_t *row;
    json_array_foreach(list, i, row)
    {
        char oid[32];
        snprintf(oid, sizeof(oid), "%lld", (long long)th_int(row, "order_id"));
        if (strcmp(oid, again) != 0)
            continue;
        mine++;
        cr_expect_eq(th_int(row, "attempts"), 4, "%s sent 4 times", th_str(row, "topic"));
        cr_expect(json_is_true(json_object_get(row, "ok")), "every copy answered 2xx");
        cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = '%s'",
                             th_str(row, "event_id")),
                     1, "one row per event id");
    }
    json_decref(d);
    cr_expect_eq(mine, 2, "orders/create and orders/paid");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events"), 3);
    cr_expect_eq(sales_for(again), 1, "O2: one sale");
    cr_expect_eq(on_hand(f.mug, 1), 2, "stock left once");
}

Test(faults, o2_two_event_ids_for_the_same_order_version_give_one_sale)
{
    char id[32];
    place("{\"webhooks\":false,\"financial_status\":\"paid\",\"line_items\":[{\"sku\":\"TEE\","
          "\"title\":\"T-shirt\",\"quantity\":3,\"price\":\"20.00\"}]}",
          id, sizeof(id));
    char *body = order_text(id);
    struct hook a = { .topic = "orders/create",
                      .event_id = "evt-a",
                      .body = body,
                      .len = strlen(body),
                      .sign_it = true };
    struct hook b = a;
    b.event_id = "evt-b";
    b.topic = "orders/updated";
    post_together(&a, &b);
    cr_expect_eq(a.status, 200, "%s", a.answer);
    cr_expect_eq(b.status, 200, "%s", b.answer);
    cr_expect(strstr(a.answer, "\"accepted\"") != NULL, "%s", a.answer);
    cr_expect(strstr(b.answer, "\"accepted\"") != NULL, "%s", b.answer);
    th_wait_pipeline(&t);
    free(body);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = 'evt-a'"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = 'evt-b'"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE status = 'done'"), 2,
                 "both applied: the second changes nothing");
    cr_expect_eq(sales_for(id), 1, "O2: one sale");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_orders"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payments"), 1, "paid once");
    cr_expect_eq(on_hand(f.tee, 1), 7, "stock left once");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM fulfillments"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM notifications"), 1, "N1: once, not per event");
}

/* ---- O3: versions ---- */

Test(faults, o3_an_older_version_arriving_after_a_newer_one_is_ignored)
{
    char id[32];
    place("{\"email\":\"late@example.com\",\"gateway\":\"shopify_payments\","
          "\"financial_status\":\"pending\","
          "\"shipping_address\":{\"name\":\"Late\",\"address1\":\"2 Elm\",\"city\":\"Bath\"},"
          "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":1,"
          "\"price\":\"20.00\"}]}",
          id, sizeof(id));
    char *v1_body = order_text(id); /* the order as its first webhook carried it */
    json_t *row = seen(id);
    char v1[64];
    snprintf(v1, sizeof(v1), "%s", th_str(row, "version"));
    cr_expect_str_eq(th_str(row, "financial_status"), "pending");
    json_decref(row);
    json_t *sale = sale_of(id);
    cr_expect_eq(th_int(sale, "balance_due"), 2000);
    json_decref(sale);

    act(id, "pay", NULL);
    row = seen(id);
    char v2[64];
    snprintf(v2, sizeof(v2), "%s", th_str(row, "version"));
    cr_assert(strcmp(v2, v1) > 0, "the payment is a newer version: %s after %s", v2, v1);
    json_decref(row);

    /* a redelivery of the first event is the same event: recorded once, applied once */
    json_t *d = fake_get("/_fake/deliveries");
    const char *first_event = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(d, "deliveries"), i, it)
    {
        if (!first_event && strcmp(th_str(it, "topic"), "orders/create") == 0)
            first_event = th_str(it, "event_id");
    }
    cr_assert_not_null(first_event);
    char body[128];
    snprintf(body, sizeof(body), "{\"event_id\":\"%s\"}", first_event);
    struct th_resp r = th_fake_req(&fake, "POST", "/_fake/redeliver", body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "status"), 200, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = '%s'", first_event),
                 1);
    json_decref(d);

    /* the first version again under a new event id: older than what was applied */
    cr_expect_eq(post_hook("orders/updated", "evt-stale", v1_body, strlen(v1_body)), 200);
    th_wait_pipeline(&t);
    free(v1_body);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = 'evt-stale'"
                         " AND status = 'done'"),
                 1);
    json_t *stale = log_entry("order.stale", id);
    cr_assert_not_null(stale, "O3: the log says the old version was ignored");
    char want[200];
    snprintf(want, sizeof(want), "version %s ignored: %s already applied", v1, v2);
    cr_expect_str_eq(th_str(stale, "message"), want);
    json_decref(stale);
    row = seen(id);
    cr_expect_str_eq(th_str(row, "version"), v2, "O3: the newer version stands");
    cr_expect_str_eq(th_str(row, "financial_status"), "paid");
    json_decref(row);
    sale = sale_of(id);
    cr_expect_eq(th_int(sale, "balance_due"), 0);
    cr_expect_str_eq(th_str(sale, "status"), "completed");
    cr_expect_eq(json_array_size(json_object_get(sale, "payments")), 1);
    json_decref(sale);
    cr_expect_eq(sales_for(id), 1);
}

/* ---- bodies: signed but unusable, and too large ---- */

/* A signed body the engine cannot read must not be answered with an error (Shopify would
 * retry it for two days, then drop the subscription) nor vanish: it is recorded once,
 * fails for good, and the channel's log says why (SP1, O10). */
Test(faults, sp1_o10_signed_bodies_that_do_not_parse_are_recorded_once_and_fail_visibly)
{
    char id[32];
    place(QUIET_MUG, id, sizeof(id));
    char *full = order_text(id);
    size_t half = strlen(full) / 2;
    char numeric_id_missing[64];
    snprintf(numeric_id_missing, sizeof(numeric_id_missing), "{\"id\":\"order %s\"}", id);
    const struct {
        const char *event, *body;
        size_t len;
    } cases[] = {
        { "evt-truncated", full, half },
        { "evt-array", "[1,2,3]", 7 },
        { "evt-bad-id", numeric_id_missing, strlen(numeric_id_missing) },
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            struct hook h = { .topic = "orders/create",
                              .event_id = cases[i].event,
                              .body = cases[i].body,
                              .len = cases[i].len,
                              .sign_it = true };
            send_hook(&h);
            cr_expect_eq(h.status, 200, "%s (delivery %d) answered %ld %s", cases[i].event, k + 1,
                         h.status, h.answer);
        }
    }
    th_wait_pipeline(&t);
    free(full);
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(
            sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = '%s'", cases[i].event), 1,
            "%s recorded once", cases[i].event);
        cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = '%s'"
                             " AND status = 'failed' AND error IS NOT NULL",
                             cases[i].event),
                     1, "%s failed for good, with its error", cases[i].event);
    }
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/log?limit=500");
    size_t i, failed = 0;
    json_t *row;
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        if (strcmp(th_str(row, "event"), "event.failed") != 0)
            continue;
        failed++;
        cr_expect_str_eq(th_str(row, "level"), "error");
        cr_expect(strncmp(th_str(row, "message"), "orders/create failed: ", 22) == 0, "%s",
                  th_str(row, "message"));
    }
    json_decref(page);
    cr_expect_eq(failed, n, "one log line per event, not per delivery");
    cr_expect_eq(sales_for(id), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_orders"), 0);
}

Test(faults, sp1_o10_a_signed_order_of_the_wrong_shape_is_recorded_once_and_fails_visibly)
{
    char id[32];
    place(QUIET_MUG, id, sizeof(id));
    /* the shop's own order, with its lines replaced by a string */
    char *text = order_text(id);
    json_t *order = json_loads(text, 0, NULL);
    free(text);
    cr_assert_not_null(order);
    json_object_set_new(order, "line_items", json_string("many"));
    char *body = json_dumps(order, JSON_COMPACT);
    json_decref(order);
    cr_assert_not_null(body);
    cr_expect_eq(post_hook("orders/create", "evt-shape", body, strlen(body)), 200);
    cr_expect_eq(post_hook("orders/create", "evt-shape", body, strlen(body)), 200);
    th_wait_pipeline(&t);
    free(body);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = 'evt-shape'"), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE event_id = 'evt-shape'"
                         " AND status = 'failed' AND attempts = 1"),
                 1, "a bad body is not retried");
    json_t *e = log_entry("event.failed", id);
    cr_assert_not_null(e, "the log names the order");
    cr_expect_str_eq(th_str(e, "level"), "error");
    cr_expect(strstr(th_str(e, "message"), "line_items") != NULL, "the log says what is wrong: %s",
              th_str(e, "message"));
    json_decref(e);
    cr_expect_eq(sales_for(id), 0);
    /* the order itself is fine: a poll brings it down */
    cr_expect_eq(poll_ok(), 1);
    cr_expect_eq(sales_for(id), 1);
}

Test(faults, sp1_an_oversized_webhook_is_413_and_nothing_is_recorded)
{
    size_t len = 70 * 1024; /* the test server's body limit is 64 KiB */
    char *big = malloc(len + 1);
    cr_assert_not_null(big);
    memset(big, ' ', len);
    memcpy(big, "{\"id\":1,\"note\":\"", 16);
    memset(big + 16, 'x', len - 18);
    memcpy(big + len - 2, "\"}", 2);
    big[len] = '\0';
    int64_t events = sql_int("SELECT COUNT(*) FROM channel_events");
    int64_t log = sql_int("SELECT COUNT(*) FROM channel_log");
    struct hook h = {
        .topic = "orders/create", .event_id = "evt-big", .body = big, .len = len, .sign_it = true
    };
    send_hook(&h);
    free(big);
    cr_expect_eq(h.status, 413, "%s", h.answer);
    cr_expect(strstr(h.answer, "payload_too_large") != NULL, "%s", h.answer);
    th_wait_pipeline(&t);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events"), events);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_log"), log);
}

/* ---- refused credentials: retried with backoff ---- */

Test(faults, sp1_an_event_whose_fetch_is_refused_is_retried_with_backoff_and_the_poll_says_why)
{
    char id[32];
    place(PAID_TEE, id, sizeof(id));
    json_t *sale = sale_of(id);
    json_decref(sale);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"credentials\":{\"shop_domain\":\"demo.myshopify.com\","
             "\"access_token\":\"shpat_wrong\",\"webhook_secret\":\"" SECRET "\","
             "\"base_url\":\"%s\"}}",
             fake.url);
    patch_channel(body);

    /* fulfillments/create carries no order: the engine must fetch it, and is refused */
    act(id, "fulfill", "{\"tracking_number\":\"1Z1\",\"tracking_company\":\"UPS\"}");
    const char *ev = "topic = 'fulfillments/create'";
    cr_assert_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE %s", ev), 1);
    cr_expect_eq(sql_int("SELECT attempts FROM channel_events WHERE %s", ev), 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE %s AND status = 'pending'"
                         " AND next_attempt_at > received_at",
                         ev),
                 1, "pending, due again later (backoff)");
    /* parked while the test looks around, so that no timer decides what it sees */
    th_sql_exec(&t, "UPDATE channel_events SET next_attempt_at = '9999-12-31T00:00:00Z'"
                    " WHERE topic = 'fulfillments/create'");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE %s AND error ="
                         " 'Shopify refused the channel''s credentials (HTTP 401): check the"
                         " access token'",
                         ev),
                 1, "the event keeps its error");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE topic = 'orders/updated'"
                         " AND status = 'done'"),
                 1, "an event that carries its order needs no fetch");
    json_t *e = log_entry("event.retry", id);
    cr_assert_not_null(e, "the log says why");
    cr_expect_str_eq(th_str(e, "level"), "warn");
    cr_expect_str_eq(th_str(e, "message"),
                     "fulfillments/create will be retried: Shopify refused the channel's "
                     "credentials (HTTP 401): check the access token (retrying with backoff)");
    json_decref(e);
    json_t *req = fake_get("/_fake/requests");
    cr_expect_eq(th_int(req, "unauthorized"), 1, "one fetch, refused");
    json_decref(req);

    /* a poll with these credentials fails, and says why; it is not the caller's 401 */
    struct th_resp r = poll_now();
    expect_error(&r, 409, "conflict",
                 "Shopify refused the channel's credentials (HTTP 401): check the access token");
    th_resp_free(&r);

    /* the next attempt (made due now; any new event wakes the worker) counts up */
    th_sql_exec(&t, "UPDATE channel_events SET next_attempt_at = NULL"
                    " WHERE topic = 'fulfillments/create'");
    act(id, "update", "{\"note\":\"wake up\"}");
    cr_expect_eq(sql_int("SELECT attempts FROM channel_events WHERE %s", ev), 2);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE %s AND status = 'pending'", ev),
                 1);
    /* ... until the last attempt, which gives up and says so */
    th_sql_exec(&t, "UPDATE channel_events SET next_attempt_at = NULL, attempts = 7"
                    " WHERE topic = 'fulfillments/create'");
    act(id, "update", "{\"note\":\"last try\"}");
    cr_expect_eq(sql_int("SELECT attempts FROM channel_events WHERE %s", ev), MAX_ATTEMPTS);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE %s AND status = 'failed'", ev),
                 1);
    e = log_entry("event.failed", id);
    cr_assert_not_null(e, "the log says it gave up");
    cr_expect_str_eq(th_str(e, "level"), "error");
    cr_expect_str_eq(th_str(e, "message"),
                     "fulfillments/create failed: Shopify refused the channel's credentials "
                     "(HTTP 401): check the access token");
    json_decref(e);
    req = fake_get("/_fake/requests");
    cr_expect_eq(th_int(req, "unauthorized"), 4, "three fetches and the poll");
    json_decref(req);
}

/* ---- the shop's GraphQL misbehaving during a poll ---- */

static void expect_recent(const char *const *outcomes, size_t n)
{
    json_t *req = fake_get("/_fake/requests");
    json_t *recent = json_object_get(req, "recent");
    cr_assert_eq(json_array_size(recent), n, "%zu calls, want %zu", json_array_size(recent), n);
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(recent, i);
        cr_expect_str_eq(th_str(c, "operation"), "SbOrders");
        cr_expect_str_eq(th_str(c, "outcome"), outcomes[i], "call %zu", i);
    }
    json_decref(req);
}

Test(faults, sp2_throttled_answers_are_waited_out_and_the_poll_succeeds)
{
    char a[32], b[32];
    place(QUIET_MUG, a, sizeof(a));
    place(QUIET_MUG, b, sizeof(b));
    fake_faults("{\"graphql\":{\"throttle\":2}}");
    cr_expect_eq(poll_ok(), 2, "both orders came down");
    cr_expect_eq(sales_for(a), 1);
    cr_expect_eq(sales_for(b), 1);
    json_t *req = fake_get("/_fake/requests");
    cr_expect_eq(th_int(req, "throttled"), 2, "the shop throttled twice");
    json_decref(req);
    const char *const outcomes[] = { "throttled", "throttled", "ok" };
    expect_recent(outcomes, 3);
}

Test(faults, sp2_a_429_is_waited_out_and_the_poll_succeeds)
{
    char a[32], b[32];
    place(QUIET_MUG, a, sizeof(a));
    place(QUIET_MUG, b, sizeof(b));
    fake_faults("{\"graphql\":{\"status\":429,\"count\":1}}");
    cr_expect_eq(poll_ok(), 2, "both orders came down");
    cr_expect_eq(sales_for(a), 1);
    cr_expect_eq(sales_for(b), 1);
    json_t *req = fake_get("/_fake/requests");
    cr_expect_eq(th_int(req, "faulted"), 1);
    json_t *first = json_array_get(json_object_get(req, "recent"), 0);
    cr_expect_eq(th_int(first, "status"), 429);
    json_decref(req);
    const char *const outcomes[] = { "fault_status", "ok" };
    expect_recent(outcomes, 2);
}

static void expect_nothing_applied(void)
{
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales"), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_orders"), 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channels WHERE poll_cursor IS NULL"
                         " AND last_poll_at IS NULL"),
                 1, "the cursor did not move");
    cr_expect_eq(on_hand(f.mug, 1), 3);
}

Test(faults, sp2_a_poll_throttled_beyond_its_retries_fails_cleanly_and_the_next_succeeds)
{
    char a[32];
    place(QUIET_MUG, a, sizeof(a));
    fake_faults("{\"graphql\":{\"throttle\":4}}");
    struct th_resp r = poll_now();
    expect_error(&r, 503, "busy",
                 "Shopify is throttling SbOrders: still over the cost budget after 3 retries");
    th_resp_free(&r);
    expect_nothing_applied();
    cr_expect_eq(poll_ok(), 1);
    cr_expect_eq(sales_for(a), 1);
}

Test(faults, sp2_a_500_fails_the_poll_with_nothing_half_applied_and_the_next_poll_succeeds)
{
    char a[32], b[32];
    place(QUIET_MUG, a, sizeof(a));
    place(QUIET_MUG, b, sizeof(b));
    fake_faults("{\"graphql\":{\"status\":500,\"count\":1}}");
    struct th_resp r = poll_now();
    expect_error(&r, 500, "io_error", "Shopify answered HTTP 500 to SbOrders");
    th_resp_free(&r);
    expect_nothing_applied();

    fake_faults("{\"graphql\":{\"cut\":true,\"count\":1}}");
    r = poll_now();
    cr_expect_eq(r.status, 500, "a cut connection fails the poll: %s", r.body);
    cr_expect_str_eq(th_str(json_object_get(r.json, "error"), "code"), "io_error", "%s", r.body);
    th_resp_free(&r);
    expect_nothing_applied();

    cr_expect_eq(poll_ok(), 2);
    cr_expect_eq(sales_for(a), 1);
    cr_expect_eq(sales_for(b), 1);
    cr_expect_eq(on_hand(f.mug, 1), 1);
}

/* Whether the poller would poll channel 1 at time `at`. */
static bool poll_due_at(int64_t at)
{
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    int64_t ids[8];
    size_t n = 0;
    cr_assert_eq(sb_store_channel_poll_due(db, at, NULL, ids, 8, &n), SB_OK);
    sb_store_release(t.store, db);
    return n == 1 && ids[0] == 1;
}

static json_t *poll_state(void)
{
    json_t *st = th_get(&t, f.manager, "/api/v1/channels/1/sync-status");
    json_t *poll = json_incref(json_object_get(st, "poll"));
    json_decref(st);
    cr_assert(json_is_object(poll), "sync-status has the poll's state");
    return poll;
}

static int64_t time_of(json_t *o, const char *key)
{
    int64_t v = 0;
    cr_assert(sb_time_parse(th_str(o, key), &v), "%s: %s", key, th_str(o, key));
    return v;
}

static bool metrics_say(const char *line)
{
    struct th_resp r = th_req(&t, "GET", "/metrics", NULL, NULL);
    cr_assert_eq(r.status, 200);
    bool found = r.body && strstr(r.body, line) != NULL;
    th_resp_free(&r);
    return found;
}

/* I9: a poll that fails is not tried again on the poller's next tick (it was: every 5 s,
 * forever) but after a backoff that doubles, with jitter; sync-status and /metrics show it;
 * one poll that works puts the channel back on its interval. */
Test(faults, i9_a_failing_poll_backs_off_with_jitter_and_is_visible)
{
    cr_expect_eq(sb_sync_poll_backoff(1, 0), SB_POLL_BACKOFF_FIRST);
    cr_expect_eq(sb_sync_poll_backoff(2, 0), 2 * SB_POLL_BACKOFF_FIRST);
    cr_expect_eq(sb_sync_poll_backoff(3, 250), 4 * SB_POLL_BACKOFF_FIRST * 5 / 4);
    cr_expect_eq(sb_sync_poll_backoff(1, -250), SB_POLL_BACKOFF_FIRST - SB_POLL_BACKOFF_FIRST / 4);
    cr_expect_eq(sb_sync_poll_backoff(40, 0), SB_POLL_BACKOFF_MAX);

    fake_faults("{\"graphql\":{\"status\":500,\"count\":2}}");
    for (int64_t failures = 1; failures <= 2; failures++) {
        struct th_resp r = poll_now();
        expect_error(&r, 500, "io_error", "Shopify answered HTTP 500 to SbOrders");
        th_resp_free(&r);
        json_t *poll = poll_state();
        cr_expect_eq(th_int(poll, "failures"), failures);
        cr_expect_str_eq(th_str(poll, "last_error"), "Shopify answered HTTP 500 to SbOrders");
        int64_t failed = time_of(poll, "last_error_at"), retry = time_of(poll, "retry_at");
        int64_t wait = SB_POLL_BACKOFF_FIRST << (failures - 1);
        cr_expect(retry - failed >= wait - wait / 4 && retry - failed <= wait + wait / 4,
                  "failure %lld: retry after %lld s, want %lld s give or take a quarter",
                  (long long)failures, (long long)(retry - failed), (long long)wait);
        cr_expect_not(poll_due_at(failed + 5), "not tried again on the poller's next tick");
        cr_expect_not(poll_due_at(retry - 1));
        cr_expect(poll_due_at(retry), "due once its backed-off time has come");
        json_decref(poll);
        char line[96];
        snprintf(line, sizeof(line), "stockbridge_poll_failures{channel=\"1\"} %lld\n",
                 (long long)failures);
        cr_expect(metrics_say(line), "/metrics has %s", line);
    }
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_log WHERE event = 'poll.failed'"), 2);

    cr_expect_eq(poll_ok(), 0);
    json_t *poll = poll_state();
    cr_expect_eq(th_int(poll, "failures"), 0);
    cr_expect(json_is_null(json_object_get(poll, "retry_at")));
    int64_t ok = time_of(poll, "last_ok_at");
    json_decref(poll);
    cr_expect_not(poll_due_at(ok + 5), "back on its interval");
    cr_expect(metrics_say("stockbridge_poll_failures{channel=\"1\"} 0\n"));
}

Test(faults, sp1_webhooks_dropped_by_the_shop_are_caught_by_the_poll)
{
    fake_faults("{\"webhooks\":{\"drop\":2}}");
    char id[32];
    place("{\"financial_status\":\"paid\",\"line_items\":[{\"sku\":\"MUG\",\"title\":\"Mug\","
          "\"quantity\":1,\"price\":\"12.50\"}]}",
          id, sizeof(id));
    json_t *d = fake_get("/_fake/deliveries");
    json_t *list = json_object_get(d, "deliveries");
    cr_assert_eq(json_array_size(list), 2, "orders/create and orders/paid");
    for (size_t i = 0; i < 2; i++)
        cr_expect(json_is_true(json_object_get(json_array_get(list, i), "dropped")));
    json_decref(d);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events"), 0, "nothing arrived");
    cr_expect_null(seen_or_null(id));
    cr_expect_eq(poll_ok(), 1);
    json_t *sale = sale_of(id);
    cr_expect_eq(th_int(sale, "total"), 1250);
    cr_expect_eq(th_int(sale, "balance_due"), 0);
    json_decref(sale);
}

/* ---- S4: fulfilled on the channel ---- */

static int64_t shipment_of(const char *id, json_t **ret)
{
    json_t *sale = sale_of(id);
    json_t *sh = json_object_get(sale, "shipment");
    cr_assert(json_is_object(sh), "the order has a shipment");
    *ret = json_incref(sh);
    int64_t sid = th_int(sh, "id");
    json_decref(sale);
    return sid;
}

Test(faults, s4_fulfilled_on_the_channel_stays_unshipped_when_take_fulfillments_is_off)
{
    char id[32];
    place(PAID_TEE, id, sizeof(id));
    act(id, "fulfill", "{\"tracking_number\":\"1ZOFF\",\"tracking_company\":\"UPS\"}");
    json_t *sh;
    shipment_of(id, &sh);
    cr_expect(json_is_false(json_object_get(sh, "shipped")), "S4: off by default");
    cr_expect(json_is_null(json_object_get(sh, "tracking_number")));
    json_decref(sh);
    json_t *e = log_entry("order.fulfilled_on_channel", id);
    cr_assert_not_null(e, "the log says why it stays unshipped");
    cr_expect_str_eq(th_str(e, "message"),
                     "fulfilled on the channel; mark it shipped in the POS (S4: taking "
                     "fulfillments from the channel is off)");
    json_decref(e);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0);
    json_t *row = seen(id);
    cr_expect_str_eq(th_str(row, "fulfillment_status"), "fulfilled");
    json_decref(row);
}

Test(faults, s4_fulfilled_on_the_channel_ships_with_tracking_when_take_fulfillments_is_on)
{
    patch_channel("{\"settings\":{\"take_fulfillments\":true}}");
    char id[32];
    place(PAID_TEE, id, sizeof(id));
    act(id, "fulfill", "{\"tracking_number\":\"1ZON\",\"tracking_company\":\"UPS\"}");
    json_t *sh;
    shipment_of(id, &sh);
    cr_expect(json_is_true(json_object_get(sh, "shipped")), "S4");
    cr_expect_str_eq(th_str(sh, "tracking_number"), "1ZON");
    cr_expect_str_eq(th_str(sh, "carrier"), "UPS");
    json_decref(sh);
    json_t *e = log_entry("order.shipped", id);
    cr_assert_not_null(e);
    cr_expect_str_eq(th_str(e, "message"), "fulfilled on the channel (S4)");
    json_decref(e);
    cr_expect_null(log_entry("order.fulfilled_on_channel", id));
    /* what came from the channel does not go back to it */
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox"), 0);
    json_t *ff = fake_get("/_fake/fulfillments");
    cr_expect_eq(json_array_size(json_object_get(ff, "fulfillments")), 0);
    json_decref(ff);
}

/* S4 with SH2: a pickup the channel fulfilled is picked up in the POS, never "shipped". */
Test(faults, s4_sh2_a_pickup_fulfilled_on_the_channel_is_picked_up)
{
    patch_channel("{\"settings\":{\"take_fulfillments\":true}}");
    char id[32];
    place("{\"email\":\"pick@example.com\",\"financial_status\":\"paid\","
          "\"shipping_lines\":[{\"title\":\"Pickup at Uptown\",\"price\":\"0.00\"}],"
          "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":1,"
          "\"price\":\"20.00\"}]}",
          id, sizeof(id));
    act(id, "fulfill", "{}");
    json_t *sale = sale_of(id);
    json_t *ff = json_array_get(json_object_get(sale, "fulfillments"), 0);
    cr_expect_str_eq(th_str(ff, "kind"), "pickup");
    cr_expect_str_eq(th_str(ff, "status"), "picked_up", "S4: picked up");
    json_decref(sale);
    json_t *e = log_entry("order.picked_up", id);
    cr_expect_not_null(e);
    json_decref(e);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0,
                 "nothing left failing or waiting");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox"), 0);
}

/* S4 with F3: staff cancelled the fulfillment; the channel then says fulfilled: the POS does
 * not ship what it cancelled, logs why, and the event is done (not retried for ever). */
Test(faults, s4_f3_a_fulfillment_cancelled_in_the_pos_is_not_shipped_by_the_channel)
{
    patch_channel("{\"settings\":{\"take_fulfillments\":true}}");
    char id[32], path[64];
    place(PAID_TEE, id, sizeof(id));
    json_t *sale = sale_of(id);
    snprintf(path, sizeof(path), "/api/v1/fulfillments/%lld/status",
             (long long)th_int(json_array_get(json_object_get(sale, "fulfillments"), 0), "id"));
    json_decref(sale);
    struct th_resp r = th_req(&t, "POST", path, t.admin, "{\"status\":\"cancelled\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    act(id, "fulfill", "{\"tracking_number\":\"1ZLATE\"}");
    json_t *sh;
    shipment_of(id, &sh);
    cr_expect(json_is_false(json_object_get(sh, "shipped")), "F3: not shipped");
    json_decref(sh);
    json_t *e = log_entry("order.fulfilled_refused", id);
    cr_expect_not_null(e);
    json_decref(e);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_events WHERE status <> 'done'"), 0,
                 "the event is done, not retried");
}

/* ---- N3: notifications per channel ---- */

Test(faults, n3_notifications_off_raise_none_and_on_raise_one_per_fulfillment)
{
    patch_channel("{\"settings\":{\"notifications\":false}}");
    char quiet[32], loud[32];
    place(PAID_TEE, quiet, sizeof(quiet));
    json_t *sale = sale_of(quiet);
    cr_expect_eq(json_array_size(json_object_get(sale, "fulfillments")), 1);
    json_decref(sale);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM notifications"), 0, "N3: off");

    patch_channel("{\"settings\":{\"notifications\":true}}");
    /* TEE: 9 left at outlet 1, 5 at outlet 2: 12 splits 9 + 3, two fulfillments */
    place("{\"email\":\"split@example.com\",\"financial_status\":\"paid\","
          "\"shipping_address\":{\"name\":\"Split\",\"address1\":\"3 Oak\",\"city\":\"Bath\"},"
          "\"line_items\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":12,"
          "\"price\":\"20.00\"}]}",
          loud, sizeof(loud));
    sale = sale_of(loud);
    int64_t sale_id = th_int(sale, "id");
    json_t *ffs = json_object_get(sale, "fulfillments");
    cr_assert_eq(json_array_size(ffs), 2);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM notifications"), 2, "N1: one per fulfillment");
    for (size_t i = 0; i < 2; i++) {
        json_t *ff = json_array_get(ffs, i);
        cr_expect_eq(sql_int("SELECT COUNT(*) FROM notifications WHERE kind = 'order.new'"
                             " AND sale_id = %lld AND fulfillment_id = %lld AND outlet_id = %lld",
                             (long long)sale_id, (long long)th_int(ff, "id"),
                             (long long)th_int(ff, "outlet_id")),
                     1, "linked to its fulfillment, at its outlet");
    }
    json_decref(sale);
}

/* ---- O10: download off ---- */

Test(faults, o10_with_download_off_an_order_waits_with_its_reason_and_a_poll_takes_it_later)
{
    patch_channel("{\"settings\":{\"download_orders\":false}}");
    char id[32];
    place(PAID_TEE, id, sizeof(id));
    json_t *row = seen(id);
    cr_expect_str_eq(th_str(row, "state"), "waiting");
    cr_expect_str_eq(th_str(row, "reason"), "order download is off for this channel");
    cr_expect(json_is_null(json_object_get(row, "sale_id")));
    json_decref(row);
    cr_expect_eq(sales_for(id), 0);
    cr_expect_eq(on_hand(f.tee, 1), 10);
    json_t *w = th_get(&t, t.admin, "/api/v1/channels/1/orders?state=waiting");
    cr_expect_eq(json_array_size(json_object_get(w, "data")), 1);
    json_decref(w);

    patch_channel("{\"settings\":{\"download_orders\":true}}");
    cr_expect_eq(poll_ok(), 1);
    json_t *sale = sale_of(id);
    cr_expect_eq(th_int(sale, "total"), 2000);
    json_decref(sale);
    row = seen(id);
    cr_expect(json_is_null(json_object_get(row, "reason")), "no reason once downloaded");
    json_decref(row);
    cr_expect_eq(on_hand(f.tee, 1), 9);
    cr_expect_eq(sales_for(id), 1);
}

/* ---- S1: voided in the POS ---- */

Test(faults, s1_a_web_sale_voided_in_the_pos_is_cancelled_on_the_shop)
{
    char id[32];
    place(PAID_TEE, id, sizeof(id));
    json_t *sale = sale_of(id);
    int64_t sale_id = th_int(sale, "id");
    json_decref(sale);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/void", (long long)sale_id);
    struct th_resp r = th_req(&t, "POST", path, f.manager, "{\"reason\":\"customer called\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_wait_pipeline(&t);

    json_t *c = fake_get("/_fake/cancellations");
    json_t *list = json_object_get(c, "cancellations");
    cr_assert_eq(json_array_size(list), 1, "S1: the shop received the cancellation");
    json_t *one = json_array_get(list, 0);
    char oid[32];
    snprintf(oid, sizeof(oid), "%lld", (long long)th_int(one, "order_id"));
    cr_expect_str_eq(oid, id);
    json_decref(c);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox WHERE kind = 'cancel' AND status = 'done'"),
                 1);
    json_t *e = log_entry("push.done", id);
    cr_expect_not_null(e, "the log records the push");
    json_decref(e);

    /* the shop's own orders/cancelled webhook comes back: nothing more happens */
    json_decref(fake_get("/_fake/deliveries")); /* waits for the shop's queue to drain */
    th_wait_pipeline(&t);
    sale = sale_of(id);
    cr_expect_str_eq(th_str(sale, "status"), "voided");
    json_decref(sale);
    json_t *row = seen(id);
    cr_expect(json_is_true(json_object_get(row, "cancelled")), "the channel says cancelled");
    json_decref(row);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM outbox"), 1, "no second cancellation");
    cr_expect_eq(on_hand(f.tee, 1), 10, "stock returned once");
}

/* ---- P1/P2: payment types after the processor ---- */

Test(faults, p1_p2_a_named_processor_gateway_names_the_payment_type)
{
    int64_t stripe = th_create(&t, t.admin, "/api/v1/payment-types",
                               "{\"name\":\"Stripe\",\"integrated\":true}");
    const struct {
        const char *gateway, *name;
    } cases[] = { { "paypal", "PayPal" }, { "stripe", "Stripe" }, { "paypal", "PayPal" } };
    for (size_t i = 0; i < 3; i++) {
        char body[256], id[32];
        snprintf(body, sizeof(body),
                 "{\"gateway\":\"%s\",\"financial_status\":\"paid\",\"line_items\":[{\"sku\":"
                 "\"MUG\",\"title\":\"Mug\",\"quantity\":1,\"price\":\"12.50\"}]}",
                 cases[i].gateway);
        place(body, id, sizeof(id));
        json_t *sale = sale_of(id);
        json_t *pays = json_object_get(sale, "payments");
        cr_assert_eq(json_array_size(pays), 1, "%s", cases[i].gateway);
        json_t *pay = json_array_get(pays, 0);
        cr_expect_str_eq(th_str(pay, "payment_type_name"), cases[i].name, "P1");
        cr_expect_eq(th_int(pay, "amount"), 1250);
        if (strcmp(cases[i].gateway, "stripe") == 0)
            cr_expect_eq(th_int(pay, "payment_type_id"), stripe, "P2: matched by name");
        cr_expect_eq(th_int(sale, "balance_due"), 0);
        json_decref(sale);
    }
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payment_types WHERE name = 'PayPal'"), 1,
                 "P2: created once");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM payment_types WHERE name_norm = 'stripe'"), 1);
}
