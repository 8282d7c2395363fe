/*
 * The fakestore's Ecwid mode (stockbridge-fakestore --kind ecwid) end to end
 * over loopback: the orders search envelope and Ecwid's shapes (string ids
 * with the store's prefix, float money, both date forms, INCOMPLETE left
 * out, limit capped at 100, updatedFrom), status writes and the stock a
 * cancel puts back, absolute stock on products and combinations with
 * unlimited ones left alone, 429 with Retry-After past the rate limit, the
 * 403 of a bad token, faults, and webhooks: signed as W5 says, received by a
 * small listener of this file's own, sent again on Ecwid's schedule and
 * given up after 24 hours, product.updated after a stock change (W6). Each
 * test names the rule it checks (issue 13 item 11, SPEC W5-W6).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN  "secret_test_token"
#define SECRET "client_secret_test"
#define AUTH   "Authorization: Bearer " TOKEN
#define API    "/api/v3/4242"

static const char *const auth[] = { AUTH, NULL };

static struct th_resp api(struct th_fake *f, const char *method, const char *path, const char *body)
{
    char full[512];
    snprintf(full, sizeof(full), "%s%s", API, path);
    return th_fake_req_headers(f, method, full, body, auth);
}

static void start(struct th_fake *f, const char *const *extra)
{
    const char *args[32] = {
        "--kind",     "ecwid", "--token",        TOKEN,   "--secret", SECRET,
        "--store-id", "4242",  "--order-prefix", "SHOP-", "--sku",    "A1,B2"
    };
    size_t n = 12;
    for (; extra && *extra && n < 31; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    th_fake_start_args(f, args);
}

static json_t *control(struct th_fake *f, const char *method, const char *path, const char *body,
                       long want)
{
    struct th_resp r = th_fake_req(f, method, path, body);
    cr_assert_eq(r.status, want, "%s %s: %ld %s", method, path, r.status, r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

/* ---------------------------------------------------------------- a webhook listener */

#define MAX_HOOKS 64

struct hook {
    char url[512], signature[128];
    json_t *body;
};

struct listener {
    struct MHD_Daemon *d;
    uint16_t port;
    pthread_mutex_t mu;
    struct hook hooks[MAX_HOOKS];
    size_t n;
    int answers[MAX_HOOKS]; /* the status for the n-th request; 0: 200 */
};

struct upload {
    char buf[8192];
    size_t len;
};

static enum MHD_Result on_hook(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
    (void)method;
    (void)version;
    struct listener *l = cls;
    struct upload *u = *con_cls;
    if (!u) {
        *con_cls = calloc(1, sizeof(struct upload));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*size) {
        size_t n = *size < sizeof(u->buf) - 1 - u->len ? *size : sizeof(u->buf) - 1 - u->len;
        memcpy(u->buf + u->len, data, n);
        u->len += n;
        *size = 0;
        return MHD_YES;
    }
    u->buf[u->len] = '\0';
    int status = 200;
    pthread_mutex_lock(&l->mu);
    if (l->n < MAX_HOOKS) {
        struct hook *h = &l->hooks[l->n];
        const char *et = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "eventtype");
        const char *sig =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Ecwid-Webhook-Signature");
        snprintf(h->url, sizeof(h->url), "%s?eventtype=%s", url, et ? et : "(none)");
        snprintf(h->signature, sizeof(h->signature), "%s", sig ? sig : "");
        h->body = json_loads(u->buf, 0, NULL);
        if (l->answers[l->n])
            status = l->answers[l->n];
        l->n++;
    }
    pthread_mutex_unlock(&l->mu);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static void listener_start(struct listener *l)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    struct sockaddr_in addr = { .sin_family = AF_INET };
    addr.sin_addr.s_addr = htonl(0x7f000001);
    l->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, on_hook, l, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    cr_assert_not_null(l->d);
    l->port = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void listener_stop(struct listener *l)
{
    MHD_stop_daemon(l->d);
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->hooks[i].body);
    pthread_mutex_destroy(&l->mu);
}

static void point_hooks(struct th_fake *f, struct listener *l)
{
    char body[160];
    snprintf(body, sizeof(body), "{\"webhook_url\":\"http://127.0.0.1:%u/ecwid/hook\"}",
             (unsigned)l->port);
    json_decref(control(f, "POST", "/_fake/ecwid/config", body, 200));
}

/* The signature W5 defines, computed here independently of the fakestore. */
static void expected_signature(json_t *body, char *out, size_t cap)
{
    char msg[160];
    int n = snprintf(msg, sizeof(msg), "%lld.%s",
                     (long long)json_integer_value(json_object_get(body, "eventCreated")),
                     json_string_value(json_object_get(body, "eventId")));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (unsigned char *)msg, (size_t)n, mac, &len);
    unsigned char b64[128];
    EVP_EncodeBlock(b64, mac, (int)len);
    snprintf(out, cap, "%s", (char *)b64);
}

/* The deliveries of one event type, in order, as the control API lists them. */
static json_t *delivery_of(json_t *list, const char *type, size_t nth)
{
    size_t seen = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *d = json_array_get(list, i);
        if (strcmp(th_str(d, "eventType"), type) == 0 && seen++ == nth)
            return d;
    }
    cr_assert_fail("no %zu-th %s delivery", nth, type);
    return NULL;
}

/* ---------------------------------------------------------------- orders */

/* Issue 13 item 11 / WIRE "Ecwid REST v3": the {total,count,offset,limit,items} envelope,
 * string ids with the store's prefix, float money, both date forms, INCOMPLETE left out
 * without a paymentStatus filter, limit capped at 100, updatedFrom in Unix seconds. */
Test(fakestore_ecwid, ecwid_orders_search_envelope_and_shapes)
{
    struct th_fake f;
    start(&f, NULL);
    json_decref(control(&f, "POST", "/_fake/ecwid/orders",
                        "{\"paymentStatus\":\"PAID\",\"items\":[{\"sku\":\"A1\",\"quantity\":2,"
                        "\"price\":10.25}],\"shipping\":4.5,\"tax\":1.1}",
                        201));
    json_decref(control(&f, "POST", "/_fake/ecwid/orders",
                        "{\"paymentStatus\":\"INCOMPLETE\",\"items\":[{\"sku\":\"B2\"}]}", 201));
    /* an amount the store's currency cannot hold is refused, not rounded */
    json_decref(control(&f, "POST", "/_fake/ecwid/orders",
                        "{\"items\":[{\"sku\":\"A1\",\"price\":20.005}]}", 422));
    json_decref(control(&f, "POST", "/_fake/ecwid/orders",
                        "{\"paymentStatus\":\"CUSTOM_PAYMENT_STATUS_2\",\"fulfillmentStatus\":"
                        "\"CUSTOM_FULFILLMENT_STATUS_1\",\"items\":[{\"sku\":\"B2\"}]}",
                        201));
    struct th_resp r = api(&f, "GET", "/orders?limit=500&sortBy=ADDED_TIME_ASC", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(th_int(r.json, "total"), 2); /* the INCOMPLETE one is left out */
    cr_assert_eq(th_int(r.json, "count"), 2);
    cr_assert_eq(th_int(r.json, "offset"), 0);
    cr_assert_eq(th_int(r.json, "limit"), 100); /* capped */
    json_t *o = json_array_get(json_object_get(r.json, "items"), 0);
    cr_assert(json_is_string(json_object_get(o, "id")));
    cr_assert_eq(strncmp(th_str(o, "id"), "SHOP-", 5), 0, "%s", th_str(o, "id"));
    cr_assert(json_is_integer(json_object_get(o, "internalId")));
    cr_assert(json_is_real(json_object_get(o, "total")));
    cr_assert_float_eq(json_real_value(json_object_get(o, "total")), 26.1, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(o, "subtotal")), 20.5, 1e-9);
    regex_t re;
    cr_assert_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \\+0000$",
                         REG_EXTENDED | REG_NOSUB),
                 0);
    cr_assert_eq(regexec(&re, th_str(o, "createDate"), 0, NULL, 0), 0, "%s",
                 th_str(o, "createDate"));
    regfree(&re);
    cr_assert(json_is_integer(json_object_get(o, "updateTimestamp")));
    json_t *o2 = json_array_get(json_object_get(r.json, "items"), 1);
    cr_assert_str_eq(th_str(o2, "paymentStatus"), "CUSTOM_PAYMENT_STATUS_2");
    cr_assert_str_eq(th_str(o2, "fulfillmentStatus"), "CUSTOM_FULFILLMENT_STATUS_1");
    int64_t updated = th_int(o, "updateTimestamp");
    char id[64];
    snprintf(id, sizeof(id), "%s", th_str(o, "id"));
    th_resp_free(&r);

    r = api(&f, "GET", "/orders?paymentStatus=INCOMPLETE", NULL);
    cr_assert_eq(th_int(r.json, "total"), 1);
    th_resp_free(&r);
    char path[128];
    snprintf(path, sizeof(path), "/orders?updatedFrom=%lld", (long long)updated + 3600);
    r = api(&f, "GET", path, NULL);
    cr_assert_eq(th_int(r.json, "total"), 0);
    th_resp_free(&r);
    r = api(&f, "GET", "/orders?limit=1&offset=1&sortBy=ADDED_TIME_ASC", NULL);
    cr_assert_eq(th_int(r.json, "count"), 1);
    cr_assert_eq(th_int(r.json, "total"), 2);
    th_resp_free(&r);
    r = api(&f, "GET", "/orders?updatedFrom=yesterday", NULL);
    cr_assert_eq(r.status, 400);
    th_resp_free(&r);
    snprintf(path, sizeof(path), "/orders/%s", id);
    r = api(&f, "GET", path, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(th_str(r.json, "id"), id);
    th_resp_free(&r);
    r = api(&f, "GET", "/orders/NOPE1", NULL);
    cr_assert_eq(r.status, 404);
    cr_assert_str_eq(th_str(r.json, "errorCode"), "ORDER_NOT_FOUND");
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* Issue 13 item 11: PUT /orders/{id} writes the statuses ({updateCount}), refuses ones that
 * are not Ecwid's, is recorded for the tests; payment CANCELLED puts the stock back once. */
Test(fakestore_ecwid, ecwid_order_put_statuses_and_cancel_puts_stock_back)
{
    struct th_fake f;
    start(&f, NULL);
    json_t *p = control(&f, "POST", "/_fake/ecwid/products",
                        "{\"sku\":\"TEE\",\"price\":9,\"quantity\":10,\"combinations\":[{\"sku\":"
                        "\"TEE-S\",\"quantity\":5}]}",
                        201);
    int64_t pid = th_int(p, "id");
    json_decref(p);
    json_t *o = control(&f, "POST", "/_fake/ecwid/orders",
                        "{\"paymentStatus\":\"PAID\",\"items\":[{\"sku\":\"TEE-S\",\"quantity\":"
                        "2},{\"sku\":\"TEE\",\"quantity\":3}]}",
                        201);
    char path[128], ppath[64];
    snprintf(path, sizeof(path), "/orders/%s", th_str(o, "id"));
    snprintf(ppath, sizeof(ppath), "/products/%lld", (long long)pid);
    json_decref(o);
    struct th_resp r = api(&f, "GET", ppath, NULL);
    cr_assert_eq(th_int(r.json, "quantity"), 7);
    cr_assert_eq(th_int(json_array_get(json_object_get(r.json, "combinations"), 0), "quantity"), 3);
    th_resp_free(&r);

    r = api(&f, "PUT", path, "{\"fulfillmentStatus\":\"PACKED\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    th_resp_free(&r);
    r = api(&f, "PUT", path, "{\"fulfillmentStatus\":\"SHIPPED\",\"trackingNumber\":\"1Z9\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(th_int(r.json, "updateCount"), 1);
    th_resp_free(&r);
    for (int i = 0; i < 2; i++) { /* the second cancel puts nothing back */
        r = api(&f, "PUT", path, "{\"paymentStatus\":\"CANCELLED\"}");
        cr_assert_eq(r.status, 200, "%s", r.body);
        th_resp_free(&r);
    }
    r = api(&f, "GET", path, NULL);
    cr_assert_str_eq(th_str(r.json, "paymentStatus"), "CANCELLED");
    cr_assert_str_eq(th_str(r.json, "fulfillmentStatus"), "SHIPPED");
    cr_assert_str_eq(th_str(r.json, "trackingNumber"), "1Z9");
    th_resp_free(&r);
    r = api(&f, "GET", ppath, NULL);
    cr_assert_eq(th_int(r.json, "quantity"), 10);
    cr_assert_eq(th_int(json_array_get(json_object_get(r.json, "combinations"), 0), "quantity"), 5);
    th_resp_free(&r);
    json_t *calls = control(&f, "GET", "/_fake/ecwid/calls", NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(calls, "order_updates")), 3);
    json_decref(calls);
    th_fake_stop(&f);
}

/* Issue 13 item 5 / 11: absolute stock by PUT /products/{id} {quantity} and
 * .../combinations/{cid}; an unlimited product shows no quantity and keeps none; the
 * relative inventory call; a quantity that is not an integer is refused. */
Test(fakestore_ecwid, ecwid_stock_absolute_combinations_and_unlimited)
{
    struct th_fake f;
    start(&f, NULL);
    json_t *p = control(&f, "POST", "/_fake/ecwid/products",
                        "{\"sku\":\"CAP\",\"quantity\":4,\"combinations\":[{\"sku\":\"CAP-R\","
                        "\"quantity\":1},{\"sku\":\"CAP-U\",\"unlimited\":true}]}",
                        201);
    int64_t pid = th_int(p, "id");
    int64_t c1 = th_int(json_array_get(json_object_get(p, "combinations"), 0), "id");
    int64_t c2 = th_int(json_array_get(json_object_get(p, "combinations"), 1), "id");
    json_decref(p);
    json_t *u =
        control(&f, "POST", "/_fake/ecwid/products", "{\"sku\":\"EBOOK\",\"unlimited\":true}", 201);
    int64_t uid = th_int(u, "id");
    cr_assert_null(json_object_get(u, "quantity"));
    json_decref(u);
    char path[160];
    snprintf(path, sizeof(path), "/products/%lld", (long long)pid);
    struct th_resp r = api(&f, "PUT", path, "{\"quantity\":12}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = api(&f, "PUT", path, "{\"quantity\":\"12\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    th_resp_free(&r);
    r = api(&f, "PUT", path, "not json");
    cr_assert_eq(r.status, 400, "%s", r.body);
    th_resp_free(&r);
    snprintf(path, sizeof(path), "/products/%lld/combinations/%lld", (long long)pid, (long long)c1);
    r = api(&f, "PUT", path, "{\"quantity\":6}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    snprintf(path, sizeof(path), "/products/%lld/combinations/%lld/inventory", (long long)pid,
             (long long)c1);
    r = api(&f, "PUT", path, "{\"quantityDelta\":-2}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    snprintf(path, sizeof(path), "/products/%lld/combinations/%lld", (long long)pid, (long long)c2);
    r = api(&f, "PUT", path, "{\"quantity\":6}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    snprintf(path, sizeof(path), "/products/%lld", (long long)uid);
    r = api(&f, "PUT", path, "{\"quantity\":3}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = api(&f, "GET", path, NULL);
    cr_assert(json_is_true(json_object_get(r.json, "unlimited")));
    cr_assert_null(json_object_get(r.json, "quantity"));
    th_resp_free(&r);
    snprintf(path, sizeof(path), "/products/%lld", (long long)pid);
    r = api(&f, "GET", path, NULL);
    cr_assert_eq(th_int(r.json, "quantity"), 12);
    json_t *cs = json_object_get(r.json, "combinations");
    cr_assert_eq(th_int(json_array_get(cs, 0), "quantity"), 4);
    cr_assert_null(json_object_get(json_array_get(cs, 1), "quantity"));
    th_resp_free(&r);
    r = api(&f, "GET", "/products?sku=CAP-R", NULL);
    cr_assert_eq(th_int(r.json, "total"), 1);
    th_resp_free(&r);
    r = api(&f, "GET", "/products/999999", NULL);
    cr_assert_eq(r.status, 404);
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* ---------------------------------------------------------------- admission */

static size_t keep_header(char *p, size_t size, size_t n, void *ud)
{
    char *out = ud;
    if (strncasecmp(p, "Retry-After:", 12) == 0) {
        size_t len = size * n - 12 < 31 ? size * n - 12 : 31;
        memcpy(out, p + 12, len);
        out[len] = '\0';
    }
    return size * n;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* A GET through curl of our own: the status (0: nothing answered), the curl result and
 * the Retry-After header ("" when none). */
static CURLcode raw_get(struct th_fake *f, const char *path, long *status, char *retry)
{
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof(url), "%s%s%s", f->url, API, path);
    struct curl_slist *h = curl_slist_append(NULL, AUTH);
    retry[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, retry);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

/* Issue 13 item 5 / 11: past the rate limit (600 a minute; --rate-limit lowers it) Ecwid
 * answers 429 with Retry-After in seconds. */
Test(fakestore_ecwid, ecwid_rate_limit_answers_429_with_retry_after)
{
    struct th_fake f;
    static const char *const extra[] = { "--rate-limit", "3", NULL };
    start(&f, extra);
    for (int i = 0; i < 3; i++) {
        struct th_resp r = api(&f, "GET", "/orders", NULL);
        cr_assert_eq(r.status, 200, "request %d: %s", i, r.body);
        th_resp_free(&r);
    }
    long status;
    char retry[32];
    cr_assert_eq(raw_get(&f, "/orders", &status, retry), CURLE_OK);
    cr_assert_eq(status, 429);
    long secs = strtol(retry, NULL, 10);
    cr_assert(secs >= 1 && secs <= 60, "Retry-After \"%s\"", retry);
    json_t *calls = control(&f, "GET", "/_fake/ecwid/calls", NULL, 200);
    cr_assert_eq(th_int(calls, "limited"), 1);
    json_decref(calls);
    th_fake_stop(&f);
}

/* Issue 13 item 11 / WIRE: a bad token answers 403 INVALID_API_TOKEN; another store id 404;
 * the token is also taken from ?token=. */
Test(fakestore_ecwid, ecwid_bad_token_answers_403)
{
    struct th_fake f;
    start(&f, NULL);
    static const char *const bad[] = { "Authorization: Bearer secret_wrong", NULL };
    struct th_resp r = th_fake_req_headers(&f, "GET", API "/orders", NULL, bad);
    cr_assert_eq(r.status, 403);
    cr_assert_str_eq(th_str(r.json, "errorCode"), "INVALID_API_TOKEN");
    th_resp_free(&r);
    r = th_fake_req_headers(&f, "GET", "/api/v3/999/orders", NULL, auth);
    cr_assert_eq(r.status, 404);
    th_resp_free(&r);
    r = th_fake_req(&f, "GET", API "/orders?token=" TOKEN, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* Issue 13 item 12: faults answer before Ecwid looks at anything (a 401 or 503 storm of
 * `count` answers, a cut connection), then the store answers again. */
Test(fakestore_ecwid, ecwid_faults_then_recovery)
{
    struct th_fake f;
    start(&f, NULL);
    json_decref(control(&f, "POST", "/_fake/ecwid/config",
                        "{\"fault\":{\"status\":401,\"count\":2,\"path\":\"orders\"}}", 200));
    for (int i = 0; i < 2; i++) {
        struct th_resp r = api(&f, "GET", "/orders", NULL);
        cr_assert_eq(r.status, 401);
        th_resp_free(&r);
    }
    struct th_resp r = api(&f, "GET", "/orders", NULL);
    cr_assert_eq(r.status, 200);
    th_resp_free(&r);
    json_decref(control(&f, "POST", "/_fake/ecwid/config", "{\"fault\":{\"cut\":true}}", 200));
    long status;
    char retry[32];
    cr_assert_neq(raw_get(&f, "/products", &status, retry), CURLE_OK);
    cr_assert_eq(status, 0, "a cut connection answers nothing");
    r = api(&f, "GET", "/products", NULL);
    cr_assert_eq(r.status, 200);
    th_resp_free(&r);
    json_decref(control(&f, "POST", "/_fake/ecwid/config", "{\"fault\":{\"kind\":\"x\"}}", 422));
    th_fake_stop(&f);
}

/* ---------------------------------------------------------------- webhooks */

/* SPEC W5: every webhook carries X-Ecwid-Webhook-Signature = base64 HMAC-SHA256 of
 * "{eventCreated}.{eventId}" with the client secret, ?eventtype= on the URL, data values
 * as strings with data.orderId; a bad_signature fault signs one wrong. */
Test(fakestore_ecwid, ecwid_webhooks_signed_with_the_client_secret)
{
    struct listener l;
    listener_start(&l);
    struct th_fake f;
    start(&f, NULL);
    point_hooks(&f, &l);
    json_t *o =
        control(&f, "POST", "/_fake/ecwid/orders",
                "{\"paymentStatus\":\"AWAITING_PAYMENT\",\"items\":[{\"sku\":\"A1\"}]}", 201);
    char id[64], path[128];
    snprintf(id, sizeof(id), "%s", th_str(o, "id"));
    json_decref(o);
    json_decref(control(&f, "POST", "/_fake/ecwid/config",
                        "{\"webhook_fault\":{\"bad_signature\":1}}", 200));
    snprintf(path, sizeof(path), "/_fake/ecwid/orders/%s", id);
    json_decref(control(&f, "POST", path, "{\"paymentStatus\":\"PAID\"}", 200));
    pthread_mutex_lock(&l.mu);
    /* product.updated (stock taken), order.created, order.updated (signed wrong) */
    cr_assert_eq(l.n, 3, "%zu webhooks", l.n);
    for (size_t i = 0; i < l.n; i++) {
        char want[128];
        json_t *b = l.hooks[i].body;
        cr_assert_not_null(b);
        expected_signature(b, want, sizeof(want));
        const char *type = th_str(b, "eventType");
        char url[128];
        snprintf(url, sizeof(url), "/ecwid/hook?eventtype=%s", type);
        cr_assert_str_eq(l.hooks[i].url, url);
        cr_assert_eq(th_int(b, "storeId"), 4242);
        if (i < 2)
            cr_assert_str_eq(l.hooks[i].signature, want, "hook %zu", i);
        else
            cr_assert_str_neq(l.hooks[i].signature, want);
    }
    json_t *upd = l.hooks[2].body;
    cr_assert_str_eq(th_str(upd, "eventType"), "order.updated");
    json_t *data = json_object_get(upd, "data");
    cr_assert_str_eq(th_str(data, "orderId"), id);
    cr_assert_str_eq(th_str(data, "oldPaymentStatus"), "AWAITING_PAYMENT");
    cr_assert_str_eq(th_str(data, "newPaymentStatus"), "PAID");
    pthread_mutex_unlock(&l.mu);
    th_fake_stop(&f);
    listener_stop(&l);
}

/* SPEC W6 / WIRE: a stock change the engine pushes fires product.updated, as Ecwid does. */
Test(fakestore_ecwid, ecwid_stock_push_fires_product_updated)
{
    struct listener l;
    listener_start(&l);
    struct th_fake f;
    start(&f, NULL);
    point_hooks(&f, &l);
    struct th_resp r = api(&f, "GET", "/products?sku=B2", NULL);
    int64_t pid = th_int(json_array_get(json_object_get(r.json, "items"), 0), "id");
    th_resp_free(&r);
    char path[64];
    snprintf(path, sizeof(path), "/products/%lld", (long long)pid);
    r = api(&f, "PUT", path, "{\"quantity\":42}");
    cr_assert_eq(r.status, 200);
    th_resp_free(&r);
    json_t *d = control(&f, "GET", "/_fake/ecwid/deliveries", NULL, 200);
    json_t *ev = delivery_of(d, "product.updated", 0);
    cr_assert_eq(th_int(ev, "entityId"), pid);
    cr_assert(json_is_true(json_object_get(ev, "delivered")));
    json_decref(d);
    json_t *calls = control(&f, "GET", "/_fake/ecwid/calls", NULL, 200);
    json_t *st = json_array_get(json_object_get(calls, "stock"), 0);
    cr_assert_eq(th_int(json_object_get(st, "body"), "quantity"), 42);
    json_decref(calls);
    th_fake_stop(&f);
    listener_stop(&l);
}

/* WIRE "Webhook ... retries at 15, 30, 45 min, 1 h, then hourly to 24 h": a failed send
 * (Ecwid counts only 200, 201, 202, 204, 209; 3xx fails) is sent again when the webhook
 * clock reaches the next step; past 24 h the event is given up. */
Test(fakestore_ecwid, ecwid_webhook_retry_schedule)
{
    struct listener l;
    listener_start(&l);
    for (size_t i = 0; i < MAX_HOOKS; i++)
        l.answers[i] = 302;
    l.answers[2] = 209; /* the first event's third send succeeds */
    struct th_fake f;
    start(&f, NULL);
    point_hooks(&f, &l);
    struct th_resp r = api(&f, "PUT", "/products/100001", "{\"quantity\":1}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    json_t *d = control(&f, "GET", "/_fake/ecwid/deliveries", NULL, 200);
    json_t *ev = json_array_get(d, 0);
    cr_assert_eq(th_int(ev, "attempts"), 1);
    cr_assert(json_is_false(json_object_get(ev, "delivered")));
    cr_assert_eq(th_int(ev, "nextAttempt"), th_int(ev, "eventCreated") + 900);
    json_decref(d);
    /* the steps are minutes apart: a minute's margin keeps the wall clock out of it */
    d = control(&f, "POST", "/_fake/ecwid/advance", "{\"seconds\":840}", 200);
    cr_assert_eq(th_int(json_array_get(d, 0), "attempts"), 1, "not due before 15 minutes");
    json_decref(d);
    d = control(&f, "POST", "/_fake/ecwid/advance", "{\"seconds\":960}", 200); /* 30 min */
    ev = json_array_get(d, 0);
    cr_assert_eq(th_int(ev, "attempts"), 3);
    cr_assert(json_is_true(json_object_get(ev, "delivered")));
    json_t *st = json_object_get(ev, "statuses");
    cr_assert_eq(json_integer_value(json_array_get(st, 0)), 302);
    cr_assert_eq(json_integer_value(json_array_get(st, 2)), 209);
    json_decref(d);

    /* a second event that never gets through: 28 sends over 24 hours, then given up */
    r = api(&f, "PUT", "/products/100001", "{\"quantity\":2}");
    th_resp_free(&r);
    d = control(&f, "POST", "/_fake/ecwid/advance", "{\"seconds\":86340}", 200);
    ev = json_array_get(d, 1);
    cr_assert_eq(th_int(ev, "attempts"), 27);
    cr_assert(json_is_false(json_object_get(ev, "failed")));
    json_decref(d);
    d = control(&f, "POST", "/_fake/ecwid/advance", "{\"seconds\":60}", 200);
    ev = json_array_get(d, 1);
    cr_assert_eq(th_int(ev, "attempts"), 28);
    cr_assert(json_is_true(json_object_get(ev, "failed")));
    cr_assert_null(json_object_get(ev, "nextAttempt"));
    json_decref(d);
    th_fake_stop(&f);
    listener_stop(&l);
}

/* ---------------------------------------------------------------- shapes the official clients check */

/* Issue 13 item 11 (tests/ecwid-official, the Java client's FetchedStoreProfile): GET /profile
 * answers generalInfo as an object naming the store id (a number), and the store's currency
 * in formatsAndUnits, which the engine may read. */
Test(fakestore_ecwid, ecwid_profile_names_the_store_and_its_currency)
{
    struct th_fake f;
    static const char *const extra[] = { "--currency", "EUR", NULL };
    start(&f, extra);
    struct th_resp r = api(&f, "GET", "/profile", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *gi = json_object_get(r.json, "generalInfo");
    cr_assert(json_is_object(gi), "generalInfo: %s", r.body);
    cr_assert(json_is_integer(json_object_get(gi, "storeId")), "%s", r.body);
    cr_assert_eq(th_int(gi, "storeId"), 4242);
    cr_assert_str_eq(th_str(json_object_get(r.json, "formatsAndUnits"), "currency"), "EUR");
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* Issue 13 item 11 (tests/ecwid-official, the Java client's FetchedVariation): a combination
 * carries Ecwid's fields only (id, sku, price, quantity, unlimited, inStock; compareToPrice
 * once one is set): no productId, which
 * Ecwid's combinations do not have, whether read alone or inside its product. */
Test(fakestore_ecwid, ecwid_combination_has_only_ecwids_fields)
{
    struct th_fake f;
    start(&f, NULL);
    json_t *p = control(&f, "POST", "/_fake/ecwid/products",
                        "{\"sku\":\"CAP\",\"price\":9,\"quantity\":4,\"combinations\":[{\"sku\":"
                        "\"CAP-S\",\"quantity\":2}]}",
                        201);
    char path[128];
    snprintf(path, sizeof(path), "/products/%lld/combinations/%lld", (long long)th_int(p, "id"),
             (long long)th_int(json_array_get(json_object_get(p, "combinations"), 0), "id"));
    json_decref(p);
    struct th_resp r = api(&f, "GET", path, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    static const char *const want[] = { "id", "sku", "price", "quantity", "unlimited", "inStock" };
    cr_assert_eq(json_object_size(r.json), 6, "%s", r.body);
    for (size_t i = 0; i < 6; i++)
        cr_assert_not_null(json_object_get(r.json, want[i]), "%s missing: %s", want[i], r.body);
    th_resp_free(&r);
    r = api(&f, "GET", "/products?sku=CAP", NULL);
    json_t *c = json_array_get(
        json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "combinations"), 0);
    cr_assert_null(json_object_get(c, "productId"), "%s", r.body);
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* ---------------------------------------------------------------- control for the engine's tests */

/* Issue 13 item 11 / WIRE "Types: order.created/updated/deleted": deleting an order from the
 * control API raises order.deleted (data.orderId the string id, entityId the internal id,
 * ?eventtype=order.deleted), and then the API answers 404 ORDER_NOT_FOUND for it and
 * leaves it out of searches. */
Test(fakestore_ecwid, ecwid_control_delete_order_fires_order_deleted_then_404)
{
    struct listener l;
    listener_start(&l);
    struct th_fake f;
    start(&f, NULL);
    json_t *o = control(&f, "POST", "/_fake/ecwid/orders",
                        "{\"paymentStatus\":\"PAID\",\"items\":[{\"sku\":\"A1\"}]}", 201);
    char id[64], path[128];
    snprintf(id, sizeof(id), "%s", th_str(o, "id"));
    int64_t internal = th_int(o, "internalId");
    json_decref(o);
    point_hooks(&f, &l);
    snprintf(path, sizeof(path), "/_fake/ecwid/orders/%s", id);
    json_t *d = control(&f, "DELETE", path, NULL, 200);
    cr_assert_str_eq(th_str(d, "deleted"), id);
    json_decref(d);
    json_decref(control(&f, "DELETE", path, NULL, 404));
    pthread_mutex_lock(&l.mu);
    cr_assert_eq(l.n, 1, "%zu webhooks", l.n);
    json_t *b = l.hooks[0].body;
    cr_assert_str_eq(th_str(b, "eventType"), "order.deleted");
    cr_assert_str_eq(l.hooks[0].url, "/ecwid/hook?eventtype=order.deleted");
    cr_assert_eq(th_int(b, "entityId"), internal);
    cr_assert_str_eq(th_str(json_object_get(b, "data"), "orderId"), id);
    pthread_mutex_unlock(&l.mu);
    snprintf(path, sizeof(path), "/orders/%s", id);
    struct th_resp r = api(&f, "GET", path, NULL);
    cr_assert_eq(r.status, 404, "%s", r.body);
    cr_assert_str_eq(th_str(r.json, "errorCode"), "ORDER_NOT_FOUND");
    th_resp_free(&r);
    r = api(&f, "GET", "/orders", NULL);
    cr_assert_eq(th_int(r.json, "total"), 0, "%s", r.body);
    th_resp_free(&r);
    th_fake_stop(&f);
    listener_stop(&l);
}

/* Issue 13 item 12 (duplicate and reordered events; WIRE "order not guaranteed"): with
 * webhook_hold the events queue up unsent; POST release {order:"reverse"} sends them the
 * last raised first; the duplicate webhook fault sends one event twice, same eventId. */
Test(fakestore_ecwid, ecwid_held_webhooks_released_in_reverse_and_one_sent_twice)
{
    struct listener l;
    listener_start(&l);
    struct th_fake f;
    start(&f, NULL);
    point_hooks(&f, &l);
    json_decref(control(&f, "POST", "/_fake/ecwid/config", "{\"webhook_hold\":true}", 200));
    json_t *o =
        control(&f, "POST", "/_fake/ecwid/orders",
                "{\"paymentStatus\":\"AWAITING_PAYMENT\",\"items\":[{\"sku\":\"A1\"}]}", 201);
    char path[128];
    snprintf(path, sizeof(path), "/_fake/ecwid/orders/%s", th_str(o, "id"));
    json_decref(o);
    json_decref(control(&f, "POST", path, "{\"paymentStatus\":\"PAID\"}", 200));
    json_t *d = control(&f, "GET", "/_fake/ecwid/deliveries", NULL, 200);
    cr_assert_eq(json_array_size(d), 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(th_int(json_array_get(d, i), "attempts"), 0, "held events are not sent");
    json_decref(d);
    pthread_mutex_lock(&l.mu);
    cr_assert_eq(l.n, 0);
    pthread_mutex_unlock(&l.mu);
    json_decref(control(&f, "POST", "/_fake/ecwid/release", "{\"order\":\"sideways\"}", 422));
    json_decref(control(&f, "POST", "/_fake/ecwid/release", "{\"order\":\"reverse\"}", 200));
    pthread_mutex_lock(&l.mu);
    cr_assert_eq(l.n, 3, "%zu webhooks", l.n);
    /* raised: product.updated (stock taken), order.created, order.updated */
    cr_assert_str_eq(th_str(l.hooks[0].body, "eventType"), "order.updated");
    cr_assert_str_eq(th_str(l.hooks[1].body, "eventType"), "order.created");
    cr_assert_str_eq(th_str(l.hooks[2].body, "eventType"), "product.updated");
    pthread_mutex_unlock(&l.mu);

    json_decref(
        control(&f, "POST", "/_fake/ecwid/config", "{\"webhook_fault\":{\"duplicate\":1}}", 200));
    json_decref(control(&f, "POST", path, "{\"fulfillmentStatus\":\"PROCESSING\"}", 200));
    pthread_mutex_lock(&l.mu);
    cr_assert_eq(l.n, 5, "%zu webhooks", l.n);
    cr_assert_str_eq(th_str(l.hooks[3].body, "eventId"), th_str(l.hooks[4].body, "eventId"));
    cr_assert_str_eq(l.hooks[3].signature, l.hooks[4].signature);
    pthread_mutex_unlock(&l.mu);
    th_fake_stop(&f);
    listener_stop(&l);
}

/* Issue 13 item 12 ("a store answering 401"; WIRE: a bad or revoked token answers 403
 * INVALID_API_TOKEN): a new token set from the control API refuses the engine's old one,
 * counted as unauthorized, and accepts the new one. */
Test(fakestore_ecwid, ecwid_control_new_token_refuses_the_old_one_with_403)
{
    struct th_fake f;
    start(&f, NULL);
    json_decref(control(&f, "POST", "/_fake/ecwid/config", "{\"token\":\"secret_rotated\"}", 200));
    json_decref(control(&f, "POST", "/_fake/ecwid/config", "{\"token\":\"\"}", 422));
    struct th_resp r = api(&f, "GET", "/orders", NULL);
    cr_assert_eq(r.status, 403, "%s", r.body);
    cr_assert_str_eq(th_str(r.json, "errorCode"), "INVALID_API_TOKEN");
    th_resp_free(&r);
    static const char *const fresh[] = { "Authorization: Bearer secret_rotated", NULL };
    r = th_fake_req_headers(&f, "GET", API "/orders", NULL, fresh);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    json_t *calls = control(&f, "GET", "/_fake/ecwid/calls", NULL, 200);
    cr_assert_eq(th_int(calls, "unauthorized"), 1);
    json_decref(calls);
    th_fake_stop(&f);
}

/* Issue 13 item 12 ("429 storms"; WIRE: 429 carries Retry-After in seconds): the fault
 * {status:429, count:N, retry_after:S} answers the next N calls 429 with Retry-After S,
 * then the store answers again. */
Test(fakestore_ecwid, ecwid_429_storm_with_retry_after_then_recovery)
{
    struct th_fake f;
    start(&f, NULL);
    json_decref(control(&f, "POST", "/_fake/ecwid/config",
                        "{\"fault\":{\"status\":429,\"count\":3,\"retry_after\":30}}", 200));
    long status;
    char retry[32];
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(raw_get(&f, i == 1 ? "/products" : "/orders", &status, retry), CURLE_OK);
        cr_assert_eq(status, 429, "call %d", i);
        cr_assert_eq(strtol(retry, NULL, 10), 30, "call %d: Retry-After \"%s\"", i, retry);
    }
    struct th_resp r = api(&f, "GET", "/orders", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    json_decref(control(&f, "POST", "/_fake/ecwid/config",
                        "{\"fault\":{\"status\":429,\"retry_after\":0}}", 422));
    th_fake_stop(&f);
}

/* WIRE "Cancelling an order on Ecwid puts its stock back on Ecwid" (issue 13 item 11): PUT
 * /orders/{id} {paymentStatus: CANCELLED} puts the order's quantities back and fires
 * order.updated (newPaymentStatus CANCELLED), then product.updated for the stock. */
Test(fakestore_ecwid, ecwid_put_cancelled_restocks_and_fires_order_updated)
{
    struct listener l;
    listener_start(&l);
    struct th_fake f;
    start(&f, NULL);
    json_t *o =
        control(&f, "POST", "/_fake/ecwid/orders",
                "{\"paymentStatus\":\"PAID\",\"items\":[{\"sku\":\"B2\",\"quantity\":3}]}", 201);
    char path[128];
    snprintf(path, sizeof(path), "/orders/%s", th_str(o, "id"));
    int64_t pid = th_int(json_array_get(json_object_get(o, "items"), 0), "productId");
    json_decref(o);
    point_hooks(&f, &l);
    struct th_resp r = api(&f, "PUT", path, "{\"paymentStatus\":\"CANCELLED\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    json_decref(control(&f, "GET", "/_fake/ecwid/deliveries", NULL, 200));
    pthread_mutex_lock(&l.mu);
    cr_assert_eq(l.n, 2, "%zu webhooks", l.n);
    cr_assert_str_eq(th_str(l.hooks[0].body, "eventType"), "order.updated");
    cr_assert_str_eq(th_str(json_object_get(l.hooks[0].body, "data"), "newPaymentStatus"),
                     "CANCELLED");
    cr_assert_str_eq(th_str(l.hooks[1].body, "eventType"), "product.updated");
    cr_assert_eq(th_int(l.hooks[1].body, "entityId"), pid);
    pthread_mutex_unlock(&l.mu);
    char ppath[64];
    snprintf(ppath, sizeof(ppath), "/products/%lld", (long long)pid);
    r = api(&f, "GET", ppath, NULL);
    cr_assert_eq(th_int(r.json, "quantity"), 100, "%s", r.body);
    th_resp_free(&r);
    th_fake_stop(&f);
    listener_stop(&l);
}

/* SPEC PR1-PR4 on the fake: PUT /products/{id} and .../combinations/{cid} take Ecwid's
 * price and compareToPrice (UpdatedProduct / UpdatedVariation), amounts of the store's
 * currency (a string, a negative or a fraction of a cent refused 400, nothing else of the
 * body applied); both are rendered (compareToPrice left out once cleared with 0); a price
 * change fires product.updated like a stock change. */
Test(fakestore_ecwid, ecwid_prices_on_products_and_combinations)
{
    struct listener l;
    listener_start(&l);
    struct th_fake f;
    start(&f, NULL);
    point_hooks(&f, &l);
    json_t *p = control(&f, "POST", "/_fake/ecwid/products",
                        "{\"sku\":\"TEE\",\"price\":12.5,\"quantity\":3,\"combinations\":[{\"sku\":"
                        "\"TEE-L\",\"quantity\":1}]}",
                        201);
    int64_t pid = th_int(p, "id");
    int64_t cid = th_int(json_array_get(json_object_get(p, "combinations"), 0), "id");
    /* a combination starts at its product's price, with no "was" price */
    cr_assert_eq(json_real_value(json_object_get(
                     json_array_get(json_object_get(p, "combinations"), 0), "price")),
                 12.5);
    json_decref(p);
    char ppath[64], cpath[96];
    snprintf(ppath, sizeof(ppath), "/products/%lld", (long long)pid);
    snprintf(cpath, sizeof(cpath), "/products/%lld/combinations/%lld", (long long)pid,
             (long long)cid);
    struct th_resp r = api(&f, "PUT", ppath, "{\"price\":15.99,\"compareToPrice\":19.99}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = api(&f, "PUT", cpath, "{\"price\":21,\"compareToPrice\":0}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    static const char *const bad[] = { "{\"price\":\"15.99\"}", "{\"price\":-1}",
                                       "{\"compareToPrice\":20.005}",
                                       "{\"quantity\":9,\"price\":true}" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = api(&f, "PUT", i % 2 ? cpath : ppath, bad[i]);
        cr_assert_eq(r.status, 400, "%s: %s", bad[i], r.body);
        th_resp_free(&r);
    }
    r = api(&f, "GET", ppath, NULL);
    cr_assert(strstr(r.body, "\"price\":15.99"), "%s", r.body);
    cr_assert(strstr(r.body, "\"compareToPrice\":19.99"), "%s", r.body);
    cr_assert_eq(th_int(r.json, "quantity"), 3); /* the refused body set nothing */
    json_t *c = json_array_get(json_object_get(r.json, "combinations"), 0);
    cr_assert_eq(json_real_value(json_object_get(c, "price")), 21.0);
    cr_assert_null(json_object_get(c, "compareToPrice"));
    th_resp_free(&r);
    /* 0 clears the "was" price */
    r = api(&f, "PUT", ppath, "{\"price\":19.99,\"compareToPrice\":0}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = api(&f, "GET", cpath, NULL);
    cr_assert_eq(json_real_value(json_object_get(r.json, "price")), 21.0);
    th_resp_free(&r);
    r = api(&f, "GET", ppath, NULL);
    cr_assert(strstr(r.body, "\"price\":19.99"), "%s", r.body);
    cr_assert_null(json_object_get(r.json, "compareToPrice"), "%s", r.body);
    th_resp_free(&r);
    /* each of the three price changes fired product.updated for the product */
    json_t *d = control(&f, "GET", "/_fake/ecwid/deliveries", NULL, 200);
    for (size_t i = 0; i < 3; i++) {
        json_t *ev = delivery_of(d, "product.updated", i);
        cr_assert(ev, "product.updated %zu", i);
        cr_assert_eq(th_int(ev, "entityId"), pid);
    }
    size_t updated = 0;
    for (size_t i = 0; i < json_array_size(d); i++)
        updated += strcmp(th_str(json_array_get(d, i), "eventType"), "product.updated") == 0;
    cr_assert_eq(updated, 3); /* the refused bodies changed nothing, fired nothing */
    json_decref(d);
    th_fake_stop(&f);
    listener_stop(&l);
}
