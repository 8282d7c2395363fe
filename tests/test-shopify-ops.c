/*
 * The Shopify adapter's GraphQL operations and the HTTP client, against a
 * scripted fake Shopify on loopback (libmicrohttpd in this process): polls
 * and their cursors, fetches, throttling (SP2, I9), refusals, fulfillments
 * with tracking (S3) and cancellations (S1).
 */
#include "channel/shopify/shopify.h"
#include "shopify-test.h"
#include "util/arena.h"
#include "util/http-client.h"
#include "util/timeutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------------ a fake Shopify */

struct script {
    long status;
    char *body;
    const char *retry_after;
    bool hold; /* answer only once the test releases it */
};

struct recorded {
    char *path, *token, *ctype, *op;
    json_t *json; /* the request body */
};

static struct {
    struct MHD_Daemon *d;
    uint16_t port;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct script script[16];
    size_t n_script, next;
    struct recorded req[16];
    size_t n_req;
    bool release;
    char base_url[64];
} fk = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

struct conn {
    char *buf;
    size_t len;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static enum MHD_Result fk_handler(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    struct conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof(*cn));
        *con_cls = cn;
        return MHD_YES;
    }
    if (*data_size) {
        if (cn->len + *data_size > (1 << 20))
            return MHD_NO;
        cn->buf = realloc(cn->buf, cn->len + *data_size + 1);
        memcpy(cn->buf + cn->len, data, *data_size);
        cn->len += *data_size;
        cn->buf[cn->len] = '\0';
        *data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&fk.mu);
    if (fk.n_req < 16) {
        struct recorded *r = &fk.req[fk.n_req++];
        r->path = strdup(url);
        r->token =
            dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Shopify-Access-Token"));
        r->ctype = dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"));
        r->json = cn->buf ? json_loads(cn->buf, 0, NULL) : NULL;
        r->op = dup_or_null(json_string_value(json_object_get(r->json, "operationName")));
    }
    struct script s = { .status = 500, .body = "{\"errors\":\"no script\"}" };
    if (fk.next < fk.n_script)
        s = fk.script[fk.next++];
    if (s.hold) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        while (!fk.release && pthread_cond_timedwait(&fk.cv, &fk.mu, &until) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&fk.mu);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(s.body), s.body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (s.retry_after)
        MHD_add_response_header(resp, "Retry-After", s.retry_after);
    MHD_add_response_header(resp, "X-Shopify-Shop-Api-Call-Limit", "1/40");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)s.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void fk_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn *cn = *con_cls;
    if (cn) {
        free(cn->buf);
        free(cn);
        *con_cls = NULL;
    }
}

/* The channel's credentials; base_url points at the fake below. */
static json_t *creds;

static void fk_start(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fk.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, fk_handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                            MHD_OPTION_NOTIFY_COMPLETED, fk_completed, NULL, MHD_OPTION_END);
    cr_assert(fk.d);
    fk.port = MHD_get_daemon_info(fk.d, MHD_DAEMON_INFO_BIND_PORT)->port;
    snprintf(fk.base_url, sizeof(fk.base_url), "http://127.0.0.1:%u", fk.port);
    json_decref(creds);
    creds = json_pack("{s:s, s:s, s:s, s:s}", "shop_domain", "demo.myshopify.com", "access_token",
                      "shpat_test", "webhook_secret", "hush", "base_url", fk.base_url);
}

static void fk_stop(void)
{
    pthread_mutex_lock(&fk.mu);
    fk.release = true;
    pthread_cond_broadcast(&fk.cv);
    pthread_mutex_unlock(&fk.mu);
    MHD_stop_daemon(fk.d);
    for (size_t i = 0; i < fk.n_req; i++) {
        free(fk.req[i].path);
        free(fk.req[i].token);
        free(fk.req[i].ctype);
        free(fk.req[i].op);
        json_decref(fk.req[i].json);
    }
    for (size_t i = 0; i < fk.n_script; i++)
        free(fk.script[i].body);
    json_decref(creds);
    creds = NULL;
}

static void fk_push(long status, const char *body, const char *retry_after)
{
    cr_assert(fk.n_script < 16);
    fk.script[fk.n_script++] =
        (struct script){ .status = status, .body = strdup(body), .retry_after = retry_after };
}

static void fk_push_file(const char *name)
{
    char *body = read_fixture(name, NULL);
    fk_push(200, body, NULL);
    free(body);
}

static json_t *vars(size_t i)
{
    cr_assert(i < fk.n_req, "request %zu was not made", i);
    return json_object_get(fk.req[i].json, "variables");
}

static const char throttled[] =
    "{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\","
    "\"documentation\":\"https://shopify.dev/api/usage/rate-limits\"}}],\"extensions\":{\"cost\":"
    "{\"requestedQueryCost\":100,\"actualQueryCost\":null,\"throttleStatus\":{"
    "\"maximumAvailable\":1000.0,\"currentlyAvailable\":90,\"restoreRate\":1000.0}}}}";
static const char no_order[] = "{\"data\":{\"order\":null},\"extensions\":{\"cost\":{"
                               "\"requestedQueryCost\":1,\"actualQueryCost\":1}}}";

TestSuite(http, .init = fk_start, .fini = fk_stop);

Test(http, client_posts_and_captures_headers)
{
    fk_push(200, "{\"ok\":true}", "3");
    char url[128];
    snprintf(url, sizeof(url), "%s/echo", fk.base_url);
    struct sb_http_header h[] = { { "X-Shopify-Access-Token", "tok" } };
    /* the client captures what the caller asks for, and no header of its own */
    const char *const capture[] = { "Content-Type", "Retry-After", "X-Shopify-Shop-Api-Call-Limit",
                                    NULL };
    struct sb_http_request req = { .url = url,
                                   .headers = h,
                                   .n_headers = 1,
                                   .body = "{\"a\":1}",
                                   .body_len = 7,
                                   .capture = capture };
    struct sb_http_response resp;
    cr_assert_eq(sb_http_post_json(&req, &resp), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(resp.status, 200);
    cr_expect_str_eq(resp.body, "{\"ok\":true}");
    cr_expect_eq(resp.len, 11);
    cr_expect_str_eq(resp.captured[1], "3");
    cr_expect_str_eq(resp.captured[2], "1/40");
    cr_expect_str_eq(resp.captured[0], "application/json");
    sb_http_response_free(&resp);
    cr_assert_eq(fk.n_req, 1);
    cr_expect_str_eq(fk.req[0].token, "tok");
    cr_expect_str_eq(fk.req[0].ctype, "application/json");
    cr_expect_eq(json_integer_value(json_object_get(fk.req[0].json, "a")), 1);
    sb_http_response_free(NULL);
}

Test(http, client_bounds_the_response)
{
    char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    fk_push(200, big, NULL);
    fk_push(200, big, NULL);
    char url[128];
    snprintf(url, sizeof(url), "%s/big", fk.base_url);
    struct sb_http_request req = { .url = url, .body = "{}", .body_len = 2, .max_response = 1000 };
    struct sb_http_response resp;
    cr_expect_eq(sb_http_post_json(&req, &resp), SB_ETOO_LARGE);
    cr_expect_null(resp.body);
    req.max_response = sizeof(big) - 1;
    cr_assert_eq(sb_http_post_json(&req, &resp), SB_OK, "exactly at the cap");
    cr_expect_eq(resp.len, sizeof(big) - 1);
    sb_http_response_free(&resp);
}

Test(http, client_transport_failures)
{
    struct sb_http_response resp;
    /* nothing listens on port 1 */
    struct sb_http_request req = { .url = "http://127.0.0.1:1/x", .body = "{}", .body_len = 2 };
    cr_expect_eq(sb_http_post_json(&req, &resp), SB_EIO);
    cr_expect(strlen(sb_err_last()->message) > 0);
    req.url = "ftp://127.0.0.1/x";
    cr_expect_eq(sb_http_post_json(&req, &resp), SB_EINVALID_FIELD);
    req.url = "file:///etc/passwd";
    cr_expect_eq(sb_http_post_json(&req, &resp), SB_EINVALID_FIELD);
    /* header injection */
    char url[128];
    snprintf(url, sizeof(url), "%s/x", fk.base_url);
    struct sb_http_header h[] = { { "X-Token", "a\r\nX-Evil: 1" } };
    struct sb_http_request inj = { .url = url, .headers = h, .n_headers = 1 };
    cr_expect_eq(sb_http_post_json(&inj, &resp), SB_EINVALID_FIELD);
    cr_expect_eq(fk.n_req, 0, "nothing was sent");
}

Test(http, client_times_out)
{
    fk_push(200, "{}", NULL);
    fk.script[0].hold = true;
    char url[128];
    snprintf(url, sizeof(url), "%s/slow", fk.base_url);
    struct sb_http_request req = { .url = url, .body = "{}", .body_len = 2, .timeout_ms = 200 };
    struct sb_http_response resp;
    uint64_t t0 = sb_clock_ns();
    cr_expect_eq(sb_http_post_json(&req, &resp), SB_EIO);
    uint64_t ms = (sb_clock_ns() - t0) / 1000000;
    cr_expect(ms >= 150 && ms < 3000, "gave up after %llu ms", (unsigned long long)ms);
}

static struct sb_channel fk_channel(void)
{
    return (struct sb_channel){ .id = 1, .kind = "shopify", .credentials = creds };
}

Test(http, sp1_poll_reads_a_page_and_keeps_the_cursor)
{
    fk_push_file("graphql-orders-page.json");
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order_page page = { 0 };
    cr_assert_eq(sb_channel_shopify.poll_orders(&ch, NULL, a, &page), SB_OK, "%s",
                 sb_err_last()->message);
    cr_assert_eq(page.n, 2);
    expect_str(page.orders[0]->external_id, "450789469", "first");
    expect_str(page.orders[1]->external_id, "9007199254740993123", "second");
    cr_expect(page.more);
    expect_str(
        page.next_cursor,
        "|2026-11-24T14:00:05Z|eyJsYXN0X2lkIjo0NTA3ODk0NjksImxhc3RfdmFsdWUiOiIyMDI2LTExLTI0In0=",
        "cursor while paging");

    cr_assert_eq(fk.n_req, 1);
    cr_expect_str_eq(fk.req[0].path, "/admin/api/" SB_SHOPIFY_API_VERSION "/graphql.json");
    cr_expect_str_eq(fk.req[0].token, "shpat_test");
    cr_expect_str_eq(fk.req[0].op, "SbOrders");
    cr_expect(strstr(json_string_value(json_object_get(fk.req[0].json, "query")),
                     "query SbOrders($first: Int!, $after: String, $query: String)"));
    cr_expect(
        strstr(json_string_value(json_object_get(fk.req[0].json, "query")), "sortKey: UPDATED_AT"));
    cr_expect_eq(json_integer_value(json_object_get(vars(0), "first")), sb_shopify_page.orders);
    cr_expect(strstr(json_string_value(json_object_get(fk.req[0].json, "query")),
                     "lineItems(first: 10) { pageInfo { hasNextPage }"));
    cr_expect(json_is_null(json_object_get(vars(0), "after")));
    cr_expect(json_is_null(json_object_get(vars(0), "query")));

    /* the next page: same lower bound, after the end cursor; the last page ends the cycle */
    fk_push(200,
            "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null},"
            "\"nodes\":[]}}}",
            NULL);
    struct sb_order_page page2 = { 0 };
    cr_assert_eq(sb_channel_shopify.poll_orders(&ch, page.next_cursor, a, &page2), SB_OK);
    cr_expect_eq(page2.n, 0);
    cr_expect_not(page2.more);
    expect_str(page2.next_cursor, "2026-11-24T14:00:05Z", "newest updatedAt seen");
    expect_str(json_string_value(json_object_get(vars(1), "after")),
               "eyJsYXN0X2lkIjo0NTA3ODk0NjksImxhc3RfdmFsdWUiOiIyMDI2LTExLTI0In0=", "after");
    cr_expect(json_is_null(json_object_get(vars(1), "query")));

    /* the next cycle asks from a second before the newest seen */
    fk_push(200,
            "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null},"
            "\"nodes\":[]}}}",
            NULL);
    struct sb_order_page page3 = { 0 };
    cr_assert_eq(sb_channel_shopify.poll_orders(&ch, page2.next_cursor, a, &page3), SB_OK);
    expect_str(json_string_value(json_object_get(vars(2), "query")),
               "updated_at:>'2026-11-24T14:00:04Z'", "query");
    cr_expect(json_is_null(json_object_get(vars(2), "after")));
    expect_str(page3.next_cursor, "2026-11-24T14:00:05Z", "unchanged when nothing is new");
    sb_arena_free(a);
}

Test(http, poll_skips_an_unparseable_order_but_moves_on)
{
    fk_push(200,
            "{\"data\":{\"orders\":{\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":\"c1\"},"
            "\"nodes\":[{\"id\":\"gid://shopify/Order/5\",\"updatedAt\":\"2026-12-01T00:00:00Z\","
            "\"lineItems\":{\"nodes\":[]}}]}}}",
            NULL);
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order_page page = { 0 };
    cr_assert_eq(sb_channel_shopify.poll_orders(&ch, "2026-11-01T00:00:00Z", a, &page), SB_OK);
    cr_expect_eq(page.n, 0);
    expect_str(page.next_cursor, "2026-12-01T00:00:00Z", "moved past it");
    cr_expect_eq(sb_channel_shopify.poll_orders(&ch, "garbage", a, &page), SB_EINVALID_FIELD);
    sb_arena_free(a);
}

Test(http, fetch_order_by_id)
{
    char *page = read_fixture("graphql-orders-page.json", NULL);
    json_t *j = json_loads(page, 0, NULL);
    json_t *node = json_array_get(
        json_object_get(json_object_get(json_object_get(j, "data"), "orders"), "nodes"), 0);
    json_t *answer = json_pack("{s:{s:O}}", "data", "order", node);
    char *text = json_dumps(answer, 0);
    fk_push(200, text, NULL);
    fk_push(200, no_order, NULL);
    free(text);
    json_decref(answer);
    json_decref(j);
    free(page);

    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_assert_eq(sb_channel_shopify.fetch_order(&ch, "450789469", a, &o), SB_OK, "%s",
                 sb_err_last()->message);
    cr_expect_eq(o->total_price, 6753);
    cr_expect_str_eq(fk.req[0].op, "SbOrder");
    expect_str(json_string_value(json_object_get(vars(0), "id")), "gid://shopify/Order/450789469",
               "gid");
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "1", a, &o), SB_ENOT_FOUND);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "1 OR 1", a, &o), SB_EINVALID_FIELD);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, NULL, a, &o), SB_EINVALID_FIELD);
    cr_expect_eq(fk.n_req, 2);
    sb_arena_free(a);
}

/* The fixture's order node i, a copy (the caller owns it). */
static json_t *fixture_node(size_t i)
{
    json_t *page = fixture_json("graphql-orders-page.json");
    json_t *node = json_deep_copy(json_array_get(
        json_object_get(json_object_get(json_object_get(page, "data"), "orders"), "nodes"), i));
    json_decref(page);
    cr_assert(node);
    return node;
}

/* Cuts a node's line items short the way Shopify does: fewer nodes, hasNextPage. */
static json_t *cut_lines(json_t *node)
{
    json_t *li = json_object_get(node, "lineItems");
    json_array_remove(json_object_get(li, "nodes"), 1);
    json_object_set_new(json_object_get(li, "pageInfo"), "hasNextPage", json_true());
    return node;
}

static void with_id(json_t *node, const char *id)
{
    char gid[64];
    snprintf(gid, sizeof(gid), "gid://shopify/Order/%s", id);
    json_object_set_new(node, "id", json_string(gid));
    json_object_set_new(node, "legacyResourceId", json_string(id));
}

/* Answers SbOrders with these nodes (stolen), the last page. */
static void push_page(json_t *nodes)
{
    json_t *a = json_pack("{s:{s:{s:{s:b,s:s},s:o}}}", "data", "orders", "pageInfo", "hasNextPage",
                          0, "endCursor", "c9", "nodes", nodes);
    char *text = json_dumps(a, 0);
    fk_push(200, text, NULL);
    free(text);
    json_decref(a);
}

/* Answers SbOrder with this node (stolen; NULL: no such order). */
static void push_order(json_t *node)
{
    json_t *a = json_pack("{s:{s:o}}", "data", "order", node ? node : json_null());
    char *text = json_dumps(a, 0);
    fk_push(200, text, NULL);
    free(text);
    json_decref(a);
}

Test(http, sp2_poll_reads_an_order_too_big_for_a_page_alone)
{
    push_page(json_pack("[o,o]", cut_lines(fixture_node(0)), fixture_node(1)));
    push_order(fixture_node(0));
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order_page page = { 0 };
    cr_assert_eq(sb_channel_shopify.poll_orders(&ch, NULL, a, &page), SB_OK, "%s",
                 sb_err_last()->message);
    cr_assert_eq(page.n, 2);
    expect_str(page.orders[0]->external_id, "450789469", "read alone");
    cr_expect_eq(page.orders[0]->n_lines, 2, "whole, not the page's one line");
    expect_str(page.orders[1]->external_id, "9007199254740993123", "from the page");
    expect_str(page.next_cursor, "2026-11-24T14:00:05Z", "the cursor moves on");
    cr_assert_eq(fk.n_req, 2);
    cr_expect_str_eq(fk.req[1].op, "SbOrder");
    expect_str(json_string_value(json_object_get(vars(1), "id")), "gid://shopify/Order/450789469",
               "gid");
    const char *q = json_string_value(json_object_get(fk.req[1].json, "query"));
    cr_expect(q && strstr(q, "lineItems(first: 30) { pageInfo { hasNextPage }"), "%s", q);
    sb_arena_free(a);
}

Test(http, sp2_poll_leaves_out_an_order_it_cannot_read_whole)
{
    json_t *gone = cut_lines(fixture_node(0));
    with_id(gone, "450789470");
    json_object_del(gone, "legacyResourceId"); /* found by its gid */
    push_page(json_pack("[o,o,o]", cut_lines(fixture_node(0)), gone, fixture_node(1)));
    push_order(cut_lines(fixture_node(0))); /* still more lines than SbOrder reads */
    push_order(NULL);                       /* deleted since the page was read */
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order_page page = { 0 };
    cr_assert_eq(sb_channel_shopify.poll_orders(&ch, "2026-11-01T00:00:00Z", a, &page), SB_OK, "%s",
                 sb_err_last()->message);
    cr_assert_eq(page.n, 1, "never imported in part");
    expect_str(page.orders[0]->external_id, "9007199254740993123", "the rest come down");
    expect_str(page.next_cursor, "2026-11-24T14:00:05Z", "moved past them");
    cr_assert_eq(fk.n_req, 3);
    expect_str(json_string_value(json_object_get(vars(1), "id")), "gid://shopify/Order/450789469",
               "first");
    expect_str(json_string_value(json_object_get(vars(2), "id")), "gid://shopify/Order/450789470",
               "by gid tail");
    sb_arena_free(a);
}

Test(http, sp2_poll_stops_when_shopify_cannot_be_reached_for_an_order_alone)
{
    push_page(json_pack("[o]", cut_lines(fixture_node(0))));
    fk_push(503, "upstream unavailable", NULL);
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order_page page = { 0 };
    cr_expect_eq(sb_channel_shopify.poll_orders(&ch, "2026-11-01T00:00:00Z", a, &page), SB_EIO,
                 "the cursor stays where it was: the next poll tries again");
    cr_expect_null(page.next_cursor);
    cr_expect_eq(fk.n_req, 2);
    sb_arena_free(a);
}

Test(http, sp2_o10_fetch_refuses_an_order_it_cannot_read_whole)
{
    push_order(cut_lines(fixture_node(0)));
    json_t *refunds = fixture_node(0), *r0 = json_array_get(json_object_get(refunds, "refunds"), 0);
    for (int i = 0; i < 3; i++)
        json_array_append_new(json_object_get(refunds, "refunds"), json_deep_copy(r0));
    push_order(refunds); /* 4 refunds: as many as SbOrder asks for, maybe more */
    json_t *more = fixture_node(0);
    json_t *rli =
        json_object_get(json_array_get(json_object_get(more, "refunds"), 0), "refundLineItems");
    json_object_set_new(json_object_get(rli, "pageInfo"), "hasNextPage", json_true());
    push_order(more);
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "450789469", a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "lineItems", "field");
    cr_expect(strstr(sb_err_last()->message,
                     "order 450789469 cannot be read whole from Shopify: its lineItems do not "
                     "fit in one query"),
              "%s", sb_err_last()->message);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "450789469", a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "refunds", "field");
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "450789469", a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "refunds.refundLineItems", "field");
    cr_expect_null(o, "nothing returned");
    cr_expect_eq(fk.n_req, 3);
    sb_arena_free(a);
}

Test(http, sp2_max_cost_exceeded_is_permanent_and_says_why)
{
    /* Shopify's answer, as the fakestore gives it */
    fk_push(200,
            "{\"errors\":[{\"message\":\"Query cost is 4053653, which exceeds the single query "
            "max cost limit (1000).\",\"extensions\":{\"code\":\"MAX_COST_EXCEEDED\",\"cost\":"
            "4053653,\"maxCost\":1000,\"documentation\":\"https://shopify.dev/api/usage/"
            "rate-limits\"}}],\"extensions\":{\"cost\":{\"requestedQueryCost\":4053653,"
            "\"actualQueryCost\":null,\"throttleStatus\":{\"maximumAvailable\":1000.0,"
            "\"currentlyAvailable\":1000,\"restoreRate\":50.0}}}}",
            NULL);
    /* the figure only in extensions.cost; and beside a THROTTLED, which must not win */
    fk_push(200,
            "{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\"}},"
            "{\"message\":\"too costly\",\"extensions\":{\"code\":\"MAX_COST_EXCEEDED\"}}],"
            "\"extensions\":{\"cost\":{\"requestedQueryCost\":1200}}}",
            NULL);
    /* no figures at all */
    fk_push(200,
            "{\"errors\":[{\"message\":\"x\",\"extensions\":{\"code\":\"MAX_COST_EXCEEDED\","
            "\"cost\":\"lots\"}}]}",
            NULL);
    fk_push(200,
            "{\"errors\":[{\"message\":\"x\",\"extensions\":{\"code\":\"MAX_COST_EXCEEDED\"}}]}",
            NULL);
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "query", "field");
    cr_expect(strstr(sb_err_last()->message,
                     "Shopify refused SbOrder as too costly (MAX_COST_EXCEEDED): it asks for "
                     "4053653 points, over the single-query limit of 1000"),
              "%s", sb_err_last()->message);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EINVALID_FIELD);
    cr_expect(strstr(sb_err_last()->message, "asks for 1200 points, over the single-query limit "
                                             "of 1000"),
              "%s", sb_err_last()->message);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EINVALID_FIELD);
    cr_expect(strstr(sb_err_last()->message, "asks for unknown points"), "%s",
              sb_err_last()->message);
    struct sb_order_page page = { 0 };
    cr_expect_eq(sb_channel_shopify.poll_orders(&ch, NULL, a, &page), SB_EINVALID_FIELD);
    cr_expect(strstr(sb_err_last()->message, "Shopify refused SbOrders as too costly"), "%s",
              sb_err_last()->message);
    cr_expect_eq(fk.n_req, 4, "never retried");
    sb_arena_free(a);
}

Test(http, sp2_throttled_waits_and_retries)
{
    fk_push(200, throttled, NULL);
    fk_push(429, "{\"errors\":\"Exceeded 2 calls per second for api client.\"}", "0");
    fk_push(200, no_order, NULL);
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_ENOT_FOUND);
    cr_expect_eq(fk.n_req, 3, "throttled, 429, then the answer");
    sb_arena_free(a);
}

Test(http, sp2_throttled_too_often_is_busy)
{
    for (int i = 0; i < 5; i++)
        fk_push(200, throttled, NULL);
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EBUSY);
    cr_expect_eq(fk.n_req, 4, "the first try and 3 retries");
    sb_arena_free(a);
}

Test(http, refused_credentials_server_errors_and_graphql_errors)
{
    fk_push(401,
            "{\"errors\":\"[API] Invalid API key or access token (unrecognized login or wrong "
            "password)\"}",
            NULL);
    fk_push(503, "upstream unavailable", NULL);
    fk_push(200, "{\"errors\":[{\"message\":\"Field 'bogus' doesn't exist on type 'Order'\"}]}",
            NULL);
    fk_push(200, "not json", NULL);
    fk_push(200, "{\"data\":null}", NULL);
    fk_push(404, "{\"errors\":\"Not Found\"}", NULL);
    struct sb_channel ch = fk_channel();
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EUNAUTHORIZED);
    cr_expect(strstr(sb_err_last()->message, "refused the channel's credentials"), "%s",
              sb_err_last()->message);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EIO);
    cr_expect(strstr(sb_err_last()->message, "503"));
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EIO);
    cr_expect(strstr(sb_err_last()->message, "Field 'bogus' doesn't exist"), "%s",
              sb_err_last()->message);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EIO);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EIO);
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EIO);
    cr_expect_eq(fk.n_req, 6, "none of these is retried");
    sb_arena_free(a);
}

Test(http, credentials_are_checked_before_calling)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_order *o = NULL;
    json_t *c = json_pack("{s:s}", "shop_domain", "demo.myshopify.com");
    struct sb_channel ch = { .id = 3, .kind = "shopify", .credentials = c };
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EMISSING_FIELD);
    expect_str(sb_err_last()->field, "credentials.access_token", "field");
    json_object_set_new(c, "access_token", json_string("x"));
    json_object_set_new(c, "shop_domain", json_string("evil.com/path?"));
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EINVALID_FIELD);
    expect_str(sb_err_last()->field, "credentials.shop_domain", "field");
    json_object_set_new(c, "base_url", json_string("gopher://x"));
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_EINVALID_FIELD);
    /* the channel's base_url wins over the credentials' */
    fk_push(200, no_order, NULL);
    ch.base_url = fk.base_url;
    cr_expect_eq(sb_channel_shopify.fetch_order(&ch, "7", a, &o), SB_ENOT_FOUND);
    cr_expect_eq(fk.n_req, 1);
    json_decref(c);
    sb_arena_free(a);
}

static const char fulfillment_orders[] =
    "{\"data\":{\"order\":{\"fulfillmentOrders\":{\"nodes\":["
    "{\"id\":\"gid://shopify/FulfillmentOrder/1\",\"status\":\"CLOSED\",\"lineItems\":{"
    "\"nodes\":[]}},"
    "{\"id\":\"gid://shopify/FulfillmentOrder/2\",\"status\":\"OPEN\",\"lineItems\":{\"nodes\":["
    "{\"id\":\"gid://shopify/FulfillmentOrderLineItem/9\",\"remainingQuantity\":2,\"lineItem\":{"
    "\"id\":\"gid://shopify/LineItem/466157049\"}}]}},"
    "{\"id\":\"gid://shopify/FulfillmentOrder/3\",\"status\":\"IN_PROGRESS\",\"lineItems\":{"
    "\"nodes\":[]}},"
    "{\"id\":\"gid://shopify/FulfillmentOrder/4\",\"status\":\"ON_HOLD\",\"lineItems\":{"
    "\"nodes\":[]}}]}}}}";
static const char created[] =
    "{\"data\":{\"fulfillmentCreate\":{\"fulfillment\":{\"id\":\"gid://shopify/Fulfillment/1\","
    "\"status\":\"SUCCESS\",\"trackingInfo\":[]},\"userErrors\":[]}}}";

Test(http, s3_fulfillment_with_tracking_for_each_open_fulfillment_order)
{
    fk_push(200, fulfillment_orders, NULL);
    fk_push(200, created, NULL);
    fk_push(200, created, NULL);
    struct sb_channel ch = fk_channel();
    struct sb_fulfillment_push f = { .order_external_id = "450789469",
                                     .tracking_number = "1Z999AA10123456784",
                                     .tracking_company = "UPS",
                                     .tracking_url = NULL,
                                     .notify_customer = true };
    /* S4: the open and in-progress ones are fulfilled; the one on hold keeps the call open
     * (SB_EBUSY: sent again until Shopify releases it) */
    cr_assert_eq(sb_channel_shopify.push_fulfillment(&ch, &f), SB_EBUSY, "%s",
                 sb_err_last()->message);
    cr_expect(strstr(sb_err_last()->message, "1 fulfillment order is on hold or scheduled"), "%s",
              sb_err_last()->message);
    cr_expect(strstr(sb_err_last()->message, "(2 fulfilled now)"), "%s", sb_err_last()->message);
    cr_assert_eq(fk.n_req, 3);
    cr_expect_str_eq(fk.req[0].op, "SbFulfillmentOrders");
    cr_expect_str_eq(json_string_value(json_object_get(fk.req[0].json, "query")),
                     "query SbFulfillmentOrders($id: ID!) { order(id: $id) { "
                     "fulfillmentOrders(first: 20) { nodes { id status } } } }",
                     "1 + 2 + 20 x 1 = 23 points, not 10,063");
    expect_str(json_string_value(json_object_get(vars(0), "id")), "gid://shopify/Order/450789469",
               "order gid");
    cr_expect_str_eq(fk.req[1].op, "SbFulfillmentCreate");
    json_t *in = json_object_get(vars(1), "fulfillment");
    expect_str(json_string_value(json_object_get(
                   json_array_get(json_object_get(in, "lineItemsByFulfillmentOrder"), 0),
                   "fulfillmentOrderId")),
               "gid://shopify/FulfillmentOrder/2", "open one");
    json_t *ti = json_object_get(in, "trackingInfo");
    expect_str(json_string_value(json_object_get(ti, "number")), "1Z999AA10123456784", "number");
    expect_str(json_string_value(json_object_get(ti, "company")), "UPS", "company");
    cr_expect_null(json_object_get(ti, "url"));
    cr_expect(json_is_true(json_object_get(in, "notifyCustomer")));
    json_t *in2 = json_object_get(vars(2), "fulfillment");
    expect_str(json_string_value(json_object_get(
                   json_array_get(json_object_get(in2, "lineItemsByFulfillmentOrder"), 0),
                   "fulfillmentOrderId")),
               "gid://shopify/FulfillmentOrder/3", "in progress one");
}

Test(http, s3_fulfillment_refusals)
{
    fk_push(200, fulfillment_orders, NULL);
    fk_push(200,
            "{\"data\":{\"fulfillmentCreate\":{\"fulfillment\":null,\"userErrors\":[{\"field\":["
            "\"fulfillment\"],\"message\":\"Fulfillment order 2 has an unfulfillable status\"}]}}}",
            NULL);
    /* already fulfilled on Shopify: nothing to do */
    fk_push(200,
            "{\"data\":{\"order\":{\"fulfillmentOrders\":{\"nodes\":[{\"id\":\"gid://shopify/"
            "FulfillmentOrder/1\",\"status\":\"CLOSED\"}]}}}}",
            NULL);
    /* only on hold */
    fk_push(200,
            "{\"data\":{\"order\":{\"fulfillmentOrders\":{\"nodes\":[{\"id\":\"gid://shopify/"
            "FulfillmentOrder/1\",\"status\":\"ON_HOLD\"}]}}}}",
            NULL);
    fk_push(200, no_order, NULL);
    struct sb_channel ch = fk_channel();
    struct sb_fulfillment_push f = { .order_external_id = "450789469" };
    cr_expect_eq(sb_channel_shopify.push_fulfillment(&ch, &f), SB_ECONFLICT);
    cr_expect(strstr(sb_err_last()->message, "unfulfillable status"), "%s", sb_err_last()->message);
    cr_expect_eq(sb_channel_shopify.push_fulfillment(&ch, &f), SB_OK);
    /* only on hold: nothing to fulfil yet, sent again until Shopify releases it (S4) */
    cr_expect_eq(sb_channel_shopify.push_fulfillment(&ch, &f), SB_EBUSY);
    cr_expect(strstr(sb_err_last()->message, "(0 fulfilled now)"), "%s", sb_err_last()->message);
    cr_expect_eq(sb_channel_shopify.push_fulfillment(&ch, &f), SB_ENOT_FOUND);
    cr_expect_eq(fk.n_req, 5);
    /* without tracking, no trackingInfo at all */
    cr_expect_null(json_object_get(json_object_get(vars(1), "fulfillment"), "trackingInfo"));
}

Test(http, s1_cancel_on_shopify)
{
    fk_push(200,
            "{\"data\":{\"orderCancel\":{\"job\":{\"id\":\"gid://shopify/Job/1\",\"done\":false},"
            "\"orderCancelUserErrors\":[]}}}",
            NULL);
    fk_push(200,
            "{\"data\":{\"orderCancel\":{\"job\":null,\"orderCancelUserErrors\":[{\"field\":["
            "\"orderId\"],\"message\":\"Order has already been cancelled\",\"code\":\"INVALID\"}]}}"
            "}",
            NULL);
    struct sb_channel ch = fk_channel();
    cr_assert_eq(sb_channel_shopify.push_cancel(&ch, "450789469", "voided in the POS"), SB_OK, "%s",
                 sb_err_last()->message);
    cr_expect_str_eq(fk.req[0].op, "SbOrderCancel");
    json_t *v = vars(0);
    expect_str(json_string_value(json_object_get(v, "orderId")), "gid://shopify/Order/450789469",
               "order");
    expect_str(json_string_value(json_object_get(v, "reason")), "OTHER", "reason");
    cr_expect(json_is_true(json_object_get(v, "restock")));
    /* refundMethod (2026-10: refund: is deprecated): the money goes back as it was paid */
    cr_expect_null(json_object_get(v, "refund"));
    cr_expect(json_is_true(
        json_object_get(json_object_get(v, "refundMethod"), "originalPaymentMethodsRefund")));
    cr_expect(json_is_false(json_object_get(v, "notifyCustomer")));
    cr_expect_eq(sb_channel_shopify.push_cancel(&ch, "450789469", "staff"), SB_ECONFLICT);
    expect_str(json_string_value(json_object_get(vars(1), "reason")), "STAFF", "enum kept");
    cr_expect(strstr(sb_err_last()->message, "already been cancelled"));
    cr_expect_eq(sb_channel_shopify.push_cancel(&ch, "abc", "staff"), SB_EINVALID_FIELD);
    cr_expect_eq(fk.n_req, 2);
}

Test(caps, shopify_ops_are_complete)
{
    const struct sb_channel_ops *ops = sb_channel_ops_for("shopify");
    cr_assert_eq(ops, &sb_channel_shopify);
    cr_expect(ops->caps & SB_CH_WEBHOOKS);
    cr_expect(ops->caps & SB_CH_POLL);
    cr_expect(ops->caps & SB_CH_FULFILL);
    cr_expect(ops->caps & SB_CH_CANCEL);
    cr_expect(ops->verify_webhook && ops->parse_event && ops->poll_orders && ops->fetch_order &&
              ops->decide && ops->payment_type && ops->push_fulfillment && ops->push_cancel);
}
