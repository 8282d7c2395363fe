/*
 * The catalogue an export-model webstore reads, end to end through the
 * connection API (SPEC E7, I2, I7, I8, PR1-PR3; issue 14 items 2 and 6):
 * GET /api/v1/connection/catalogue pages the items with their stock per
 * location, identifiers and prices; GET /api/v1/connection/changes answers
 * what changed since a cursor (a stock change made through the POS API shows
 * the item and nothing else; a burst of changes is one entry); both carry a
 * strong ETag (If-None-Match answers 304 with no body). An incomplete
 * connection gets 409, a user's token 403, a bad cursor or limit 400 with
 * the field. Every connection route is rate limited per channel (a token
 * bucket: 429 rate_limited with Retry-After), refilled here by moving the
 * test clock, not by sleeping.
 */
#include "harness.h"
#include "http/ratelimit.h"
#include "http/server.h"
#include "store/sessions.h"
#include "store/stock.h"
#include "util/timeutil.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct th t;
static struct th_fixture f;
/* the test clock: 2026-06-15T12:00:00Z, inside the sale of the pricing tests */
static const int64_t T0 = 1781524800;

static void setup(void)
{
    sb_time_set_for_tests(T0);
    th_start(&t);
    th_fixture(&t, &f);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(t.store, &db), SB_OK);
    int64_t id = 0;
    cr_assert_eq(sb_db_int(db, &id, "SELECT id FROM users WHERE username = 'admin'", NULL), SB_OK);
    cr_assert_eq(sb_store_user_set_password(db, id, "admin-secret"), SB_OK);
    sb_store_release(t.store, db);
}

static void teardown(void)
{
    th_stop(&t);
    sb_time_set_for_tests(0);
}

TestSuite(export_catalogue, .init = setup, .fini = teardown, .timeout = 120);

/* ---- connecting (as tests/test-export-connection.c does) ---- */

/* A connection made by the admin for webstore: its token into out, its channel id back. */
static int64_t connected(const char *webstore, char out[SB_TOKEN_LEN])
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"username\":\"admin\",\"password\":\"admin-secret\",\"webstore_id\":\"%s\"}",
             webstore);
    struct th_resp r = th_req(&t, "POST", "/api/v1/connection", NULL, body);
    cr_assert_eq(r.status, 201, "connect: %ld %s", r.status, r.body);
    snprintf(out, SB_TOKEN_LEN, "%s", th_str(r.json, "token"));
    int64_t id = th_int(r.json, "channel_id");
    th_resp_free(&r);
    return id;
}

/* Completes a connection: L1 -> outlet 1, L2 -> outlet 2, employee 1, register 1, and the
 * settings given (a JSON object's text). */
static void complete(const char *token, const char *settings)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":1},"
             "{\"location_id\":\"L2\",\"outlet_id\":2}],\"employee_id\":1,\"register_id\":1,"
             "\"settings\":%s}",
             settings);
    struct th_resp r = th_req(&t, "PATCH", "/api/v1/connection", token, body);
    cr_assert_eq(r.status, 200, "complete: %ld %s", r.status, r.body);
    cr_assert(json_is_true(json_object_get(r.json, "ready")), "%s", r.body);
    th_resp_free(&r);
}

/* ---- requests with headers ---- */

struct hresp {
    long status;
    json_t *json;
    char *body;
    char etag[80], retry_after[16], remaining[16], limit[16], cache_control[64];
};

static void header_value(const char *line, size_t n, const char *name, char *out, size_t cap)
{
    size_t k = strlen(name);
    if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
        return;
    const char *v = line + k + 1;
    const char *end = line + n;
    while (v < end && *v == ' ')
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    snprintf(out, cap, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    struct hresp *h = ud;
    size_t len = size * n;
    header_value(line, len, "ETag", h->etag, sizeof(h->etag));
    header_value(line, len, "Retry-After", h->retry_after, sizeof(h->retry_after));
    header_value(line, len, "X-RateLimit-Remaining", h->remaining, sizeof(h->remaining));
    header_value(line, len, "X-RateLimit-Limit", h->limit, sizeof(h->limit));
    header_value(line, len, "Cache-Control", h->cache_control, sizeof(h->cache_control));
    return len;
}

struct sbuf {
    char *p;
    size_t n;
};

static size_t on_body(char *ptr, size_t size, size_t n, void *ud)
{
    struct sbuf *b = ud;
    size_t len = size * n;
    char *np = realloc(b->p, b->n + len + 1);
    if (!np)
        return 0;
    b->p = np;
    memcpy(b->p + b->n, ptr, len);
    b->n += len;
    b->p[b->n] = '\0';
    return len;
}

/* GET path with token and, when not NULL, If-None-Match: inm. */
static struct hresp get(const char *path, const char *token, const char *inm)
{
    struct hresp h = { 0 };
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    char url[1024], auth[128], cond[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)t.port, path);
    struct curl_slist *hs = NULL;
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    hs = curl_slist_append(hs, auth);
    if (inm) {
        snprintf(cond, sizeof(cond), "If-None-Match: %s", inm);
        hs = curl_slist_append(hs, cond);
    }
    struct sbuf b = { 0 };
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    cr_assert_eq(rc, CURLE_OK, "GET %s: %s", path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h.status);
    h.body = b.p ? b.p : strdup("");
    h.json = json_loads(h.body, 0, NULL);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    return h;
}

static void hfree(struct hresp *h)
{
    json_decref(h->json);
    free(h->body);
    memset(h, 0, sizeof(*h));
}

static void expect_error(struct hresp *h, long status, const char *code, const char *field)
{
    cr_expect_eq(h->status, status, "want %ld, got %ld %s", status, h->status, h->body);
    json_t *e = json_object_get(h->json, "error");
    cr_expect_str_eq(th_str(e, "code"), code, "%s", h->body);
    if (field)
        cr_expect_str_eq(th_str(e, "field"), field, "%s", h->body);
}

/* GET that must answer 200; the JSON (caller frees). */
static json_t *get_ok(const char *token, const char *path)
{
    struct hresp h = get(path, token, NULL);
    cr_assert_eq(h.status, 200, "GET %s: %ld %s", path, h.status, h.body);
    json_t *doc = json_incref(h.json);
    hfree(&h);
    return doc;
}

static void stock_adjust(int64_t item, int64_t outlet, int64_t delta)
{
    char body[160];
    snprintf(body, sizeof(body), "{\"item_id\":%lld,\"outlet_id\":%lld,\"delta\":%lld}",
             (long long)item, (long long)outlet, (long long)delta);
    struct th_resp r = th_req(&t, "POST", "/api/v1/stock/adjustments", f.manager, body);
    cr_assert_eq(r.status, 201, "adjust: %ld %s", r.status, r.body);
    th_resp_free(&r);
}

static sb_err reserve_two_tees(struct sb_db *db, void *ud)
{
    (void)ud;
    struct sb_stock_move m = {
        .item_id = 1, .outlet_id = 1, .reason = SB_STOCK_RESERVATION, .quantity = 2
    };
    int64_t on_hand;
    return sb_store_stock_move(db, &m, &on_hand, NULL);
}

/* An item made through the POS API with no UPC, EAN or manufacturer SKU, 4 received at
 * outlet 1: published (on hand > 0) but incomplete under I8. */
static int64_t bare_item(void)
{
    int64_t id = th_create(&t, t.admin, "/api/v1/items",
                           "{\"sku\":\"CAP\",\"name\":\"Cap\",\"default_cost\":300}");
    stock_adjust(id, 1, 4);
    return id;
}

static json_t *by_id(json_t *list, int64_t id)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (th_int(e, "id") == id) return e;
    return NULL;
}

static const char *pricing =
    "{\"use_pos_pricing\":true,\"regular_price_level_id\":1,"
    "\"sale_price_level_id\":2,\"sale_starts_at\":\"2026-06-01T00:00:00Z\","
    "\"sale_ends_at\":\"2026-07-01T00:00:00Z\"}";

Test(export_catalogue, e7_i2_i7_i8_pr1_pr3_the_catalogue_through_the_route)
{
    /* RULE E7 I2 I7 I8 PR1 PR2 PR3 */
    char token[SB_TOKEN_LEN];
    int64_t ch = connected("site-1", token);
    complete(token, pricing);
    th_db_write(&t, reserve_two_tees, NULL);
    int64_t cap = bare_item();

    json_t *doc = get_ok(token, "/api/v1/connection/catalogue");
    cr_expect_eq(th_int(doc, "channel_id"), ch);
    cr_expect_str_eq(th_str(doc, "currency"), "USD");
    /* exactly, for one item: identifiers under the webstore's names (I8), available per
     * location (I2: 10 on hand less 2 reserved at outlet 1), the sale on (PR3) */
    json_t *want = json_loads(
        "{\"id\":1,\"sku\":\"TEE\",\"name\":\"T-shirt\",\"GTIN1\":\"012345678905\","
        "\"GTIN2\":\"4006381333931\",\"MPN\":\"MFR-TEE\",\"default_cost\":800,\"msrp\":2500,"
        "\"stock\":[{\"location_id\":\"L1\",\"available\":8},{\"location_id\":\"L2\","
        "\"available\":5}],\"price\":{\"regular\":2000,\"sale\":1500,"
        "\"sale_starts_at\":\"2026-06-01T00:00:00Z\",\"sale_ends_at\":\"2026-07-01T00:00:00Z\"}}",
        0, NULL);
    cr_assert_not_null(want);
    json_t *items = json_object_get(doc, "items");
    json_t *tee = json_array_get(items, 0);
    cr_expect(json_equal(tee, want), "got %s", json_dumps(tee, JSON_COMPACT));
    json_decref(want);
    /* the mug: no EAN, no sale price; the gift wrap (no stock: I7) is not published */
    cr_assert_eq(json_array_size(items), 2, "%s", json_dumps(doc, JSON_COMPACT));
    json_t *mug = json_array_get(items, 1);
    cr_expect_eq(th_int(mug, "id"), f.mug);
    cr_expect(json_is_null(json_object_get(mug, "GTIN2")));
    json_t *mp = json_object_get(mug, "price");
    cr_expect_eq(th_int(mp, "regular"), 1250);
    cr_expect(json_is_null(json_object_get(mp, "sale")));
    /* I8: the cap misses its codes (and, with POS pricing, a regular price); listed with
     * why, not silently skipped */
    json_t *inc = json_object_get(doc, "incomplete");
    cr_assert_eq(json_array_size(inc), 1, "%s", json_dumps(inc, JSON_COMPACT));
    cr_expect_eq(th_int(json_array_get(inc, 0), "id"), cap);
    cr_expect_str_eq(th_str(json_array_get(inc, 0), "reason"),
                     "needs a UPC or an EAN; needs a manufacturer SKU; the item has no price at "
                     "the channel's regular price level");
    cr_expect(json_is_null(json_object_get(doc, "next_cursor")));
    cr_expect(json_is_string(json_object_get(doc, "changes_cursor")));
    json_decref(doc);
}

Test(export_catalogue, i8_requirements_are_settings_of_the_connection)
{
    /* RULE I8: the export kind describes its requirements, so PATCH /connection takes them */
    char token[SB_TOKEN_LEN];
    int64_t ch = connected("site-1", token);
    complete(token, "{\"require_upc_or_ean\":false,\"require_manufacturer_sku\":false}");
    int64_t cap = bare_item();
    json_t *doc = get_ok(token, "/api/v1/connection/catalogue");
    cr_expect_eq(json_array_size(json_object_get(doc, "incomplete")), 0, "%s",
                 json_dumps(doc, JSON_COMPACT));
    json_t *c = by_id(json_object_get(doc, "items"), cap);
    cr_assert_not_null(c, "%s", json_dumps(doc, JSON_COMPACT));
    cr_expect(json_is_null(json_object_get(c, "GTIN1")));
    cr_expect(json_is_null(json_object_get(c, "MPN")));
    json_decref(doc);

    /* described with their defaults: the connection and the channel show them */
    json_t *conn = th_get(&t, token, "/api/v1/connection");
    json_t *s = json_object_get(conn, "settings");
    cr_expect(json_is_true(json_object_get(s, "require_cost_or_msrp")));
    cr_expect(json_is_false(json_object_get(s, "require_upc_or_ean")));
    cr_expect(json_is_false(json_object_get(s, "require_manufacturer_sku")));
    json_decref(conn);
    /* and the channel API takes them too; a wrong type is refused */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/channels/%lld", (long long)ch);
    struct th_resp r =
        th_req(&t, "PATCH", path, t.admin, "{\"settings\":{\"require_manufacturer_sku\":true}}");
    cr_expect_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    th_expect_error(&t, "PATCH", "/api/v1/connection", token,
                    "{\"settings\":{\"require_upc_or_ean\":\"no\"}}", 422, "invalid_field");
    doc = get_ok(token, "/api/v1/connection/catalogue");
    json_t *inc = json_object_get(doc, "incomplete");
    cr_assert_eq(json_array_size(inc), 1, "%s", json_dumps(doc, JSON_COMPACT));
    cr_expect_str_eq(th_str(json_array_get(inc, 0), "reason"), "needs a manufacturer SKU");
    json_decref(doc);
}

Test(export_catalogue, e7_paging_to_the_end)
{
    /* RULE E7: limit 1 pages through every published entry once, in id order */
    char token[SB_TOKEN_LEN];
    connected("site-1", token);
    complete(token, "{}");
    int64_t cap = bare_item();
    int64_t want[] = { f.tee, f.mug, cap };
    char path[256] = "/api/v1/connection/catalogue?limit=1";
    size_t n = 0;
    for (int guard = 0; guard < 10; guard++) {
        json_t *doc = get_ok(token, path);
        json_t *items = json_object_get(doc, "items"), *inc = json_object_get(doc, "incomplete");
        cr_assert_eq(json_array_size(items) + json_array_size(inc), 1, "%s",
                     json_dumps(doc, JSON_COMPACT));
        json_t *e = json_array_size(items) ? json_array_get(items, 0) : json_array_get(inc, 0);
        cr_assert_lt(n, 3);
        cr_expect_eq(th_int(e, "id"), want[n], "entry %zu", n);
        n++;
        json_t *next = json_object_get(doc, "next_cursor");
        if (json_is_null(next)) {
            json_decref(doc);
            break;
        }
        snprintf(path, sizeof(path), "/api/v1/connection/catalogue?limit=1&cursor=%s",
                 json_string_value(next));
        json_decref(doc);
    }
    cr_expect_eq(n, 3);
}

Test(export_catalogue, e7_change_feed_after_a_pos_stock_change_and_a_burst)
{
    /* RULE E7 I2: a stock change made through the POS API shows that item and nothing else */
    char token[SB_TOKEN_LEN];
    connected("site-1", token);
    complete(token, "{}");
    json_t *page = get_ok(token, "/api/v1/connection/catalogue");
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/connection/changes?since=%s",
             th_str(page, "changes_cursor"));
    json_decref(page);

    /* nothing yet */
    json_t *feed = get_ok(token, path);
    cr_expect_eq(json_array_size(json_object_get(feed, "items")), 0);
    json_decref(feed);

    stock_adjust(f.mug, 1, 2);
    feed = get_ok(token, path);
    json_t *items = json_object_get(feed, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", json_dumps(feed, JSON_COMPACT));
    json_t *mug = json_array_get(items, 0);
    cr_expect_eq(th_int(mug, "id"), f.mug);
    json_t *want = json_loads("[{\"location_id\":\"L1\",\"available\":5},"
                              "{\"location_id\":\"L2\",\"available\":0}]",
                              0, NULL);
    cr_expect(json_equal(json_object_get(mug, "stock"), want), "%s", json_dumps(mug, JSON_COMPACT));
    json_decref(want);
    cr_expect_eq(json_array_size(json_object_get(feed, "incomplete")), 0);
    cr_expect_eq(json_array_size(json_object_get(feed, "removed")), 0);
    cr_expect(json_is_false(json_object_get(feed, "reset")));
    snprintf(path, sizeof(path), "/api/v1/connection/changes?since=%s",
             th_str(feed, "next_cursor"));
    json_decref(feed);

    /* a burst of 50 sales-sized changes to the tee is one entry, the tee as it is now */
    for (int i = 0; i < 50; i++)
        stock_adjust(f.tee, 2, i % 2 ? 1 : -1);
    stock_adjust(f.tee, 2, 3);
    feed = get_ok(token, path);
    items = json_object_get(feed, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", json_dumps(feed, JSON_COMPACT));
    json_t *tee = json_array_get(items, 0);
    cr_expect_eq(th_int(tee, "id"), f.tee);
    cr_expect_eq(th_int(json_array_get(json_object_get(tee, "stock"), 1), "available"), 8);
    cr_expect(json_is_false(json_object_get(feed, "more")));
    json_decref(feed);
}

Test(export_catalogue, e7_etag_answers_304_until_something_changes)
{
    /* RULE E7: conditional requests; a strong ETag, If-None-Match -> 304 with no body */
    char token[SB_TOKEN_LEN];
    connected("site-1", token);
    complete(token, "{}");
    struct hresp a = get("/api/v1/connection/catalogue", token, NULL);
    cr_assert_eq(a.status, 200, "%s", a.body);
    cr_expect_eq(strlen(a.etag), 34, "a quoted 32-hex-digit tag: %s", a.etag);
    cr_expect_eq(a.etag[0], '"');
    cr_expect_str_eq(a.cache_control, "no-cache");
    struct hresp b = get("/api/v1/connection/catalogue", token, a.etag);
    cr_expect_eq(b.status, 304, "%s", b.body);
    cr_expect_str_eq(b.body, "");
    cr_expect_str_eq(b.etag, a.etag);
    hfree(&b);
    /* another tag, or a list naming it (weakly, as a proxy may), */
    b = get("/api/v1/connection/catalogue", token, "\"0123\"");
    cr_expect_eq(b.status, 200);
    cr_expect_str_eq(b.etag, a.etag);
    hfree(&b);
    char list[128];
    snprintf(list, sizeof(list), "\"x\", W/%s", a.etag);
    b = get("/api/v1/connection/catalogue", token, list);
    cr_expect_eq(b.status, 304);
    hfree(&b);
    /* a change: the old tag no longer matches */
    stock_adjust(f.mug, 1, 1);
    b = get("/api/v1/connection/catalogue", token, a.etag);
    cr_expect_eq(b.status, 200, "%s", b.body);
    cr_expect_str_neq(b.etag, a.etag);
    cr_assert_not_null(b.json);
    hfree(&b);

    /* the feed too */
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/connection/changes?since=%s",
             th_str(a.json, "changes_cursor"));
    struct hresp c = get(path, token, NULL);
    cr_assert_eq(c.status, 200, "%s", c.body);
    struct hresp d = get(path, token, c.etag);
    cr_expect_eq(d.status, 304, "%s", d.body);
    cr_expect_str_eq(d.body, "");
    hfree(&c);
    hfree(&d);
    hfree(&a);
}

Test(export_catalogue, e1_incomplete_connection_and_user_token_are_refused)
{
    /* RULE E1 E7: 409 until the connection is complete; a user's token is 403 */
    char token[SB_TOKEN_LEN];
    connected("site-1", token);
    const char *paths[] = { "/api/v1/connection/catalogue",
                            "/api/v1/connection/changes?since=c1-0-0000000000000000" };
    for (size_t i = 0; i < 2; i++) {
        struct hresp h = get(paths[i], token, NULL);
        expect_error(&h, 409, "connection_incomplete", NULL);
        json_t *d = json_object_get(json_object_get(h.json, "error"), "details");
        cr_expect_eq(json_array_size(d), 3, "%s", h.body);
        hfree(&h);
        h = get(paths[i], t.admin, NULL);
        expect_error(&h, 403, "forbidden", NULL);
        hfree(&h);
        h = get(paths[i], f.manager, NULL);
        expect_error(&h, 403, "forbidden", NULL);
        hfree(&h);
    }
}

Test(export_catalogue, e7_bad_cursor_or_limit_is_400_with_the_field)
{
    /* RULE E7: hostile query strings are refused with the field named */
    char token[SB_TOKEN_LEN];
    connected("site-1", token);
    complete(token, "{}");
    const struct {
        const char *path, *field;
    } bad[] = {
        { "/api/v1/connection/catalogue?cursor=nope", "cursor" },
        { "/api/v1/connection/catalogue?cursor=p1-99999999999999999999999", "cursor" },
        { "/api/v1/connection/catalogue?limit=0", "limit" },
        { "/api/v1/connection/catalogue?limit=501", "limit" },
        { "/api/v1/connection/catalogue?limit=ten", "limit" },
        { "/api/v1/connection/changes", "since" },
        { "/api/v1/connection/changes?since=p1-1", "since" },
        { "/api/v1/connection/changes?since=c1-1-xyz", "since" },
        { "/api/v1/connection/changes?since=c1-0-0000000000000000&limit=-1", "limit" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct hresp h = get(bad[i].path, token, NULL);
        expect_error(&h, 400, "invalid_query", bad[i].field);
        hfree(&h);
    }
}

Test(export_catalogue, item6_rate_limit_per_channel_429_then_recovery)
{
    /* RULE issue 14 item 6: a token bucket per connection's channel, on every
     * /api/v1/connection route; 429 rate_limited with Retry-After, then refilled by time */
    char token[SB_TOKEN_LEN], other[SB_TOKEN_LEN];
    connected("site-1", token);
    connected("site-2", other);
    /* the burst: SB_RATE_BURST requests at one instant, the budget counting down */
    for (int i = 0; i < SB_RATE_BURST; i++) {
        struct hresp h = get("/api/v1/connection", token, NULL);
        cr_assert_eq(h.status, 200, "request %d: %ld %s", i, h.status, h.body);
        cr_expect_eq(strtol(h.remaining, NULL, 10), SB_RATE_BURST - 1 - i, "request %d: %s", i,
                     h.remaining);
        cr_expect_eq(strtol(h.limit, NULL, 10), SB_RATE_PER_MINUTE);
        hfree(&h);
    }
    struct hresp h = get("/api/v1/connection/catalogue", token, NULL);
    expect_error(&h, 429, "rate_limited", NULL);
    cr_expect_str_eq(h.retry_after, "1");
    cr_expect_str_eq(h.remaining, "0");
    hfree(&h);
    /* PATCH counts too */
    struct th_resp p = th_req(&t, "PATCH", "/api/v1/connection", token, "{\"employee_id\":1}");
    cr_expect_eq(p.status, 429, "%s", p.body);
    th_resp_free(&p);
    /* another connection has its own bucket */
    h = get("/api/v1/connection", other, NULL);
    cr_expect_eq(h.status, 200);
    cr_expect_str_eq(h.remaining, "59");
    hfree(&h);
    /* connecting again gives a new token, not a new budget: the bucket is the channel's */
    char again[SB_TOKEN_LEN];
    connected("site-1", again);
    h = get("/api/v1/connection", again, NULL);
    expect_error(&h, 429, "rate_limited", NULL);
    hfree(&h);
    /* a second later: SB_RATE_PER_MINUTE / 60 = 2 requests come back, and no more */
    sb_time_set_for_tests(T0 + 1);
    for (int i = 0; i < SB_RATE_PER_MINUTE / 60; i++) {
        h = get("/api/v1/connection", again, NULL);
        cr_expect_eq(h.status, 200, "after a second, request %d: %ld %s", i, h.status, h.body);
        hfree(&h);
    }
    h = get("/api/v1/connection", again, NULL);
    expect_error(&h, 429, "rate_limited", NULL);
    hfree(&h);
    /* a minute later: the whole burst again, no more */
    sb_time_set_for_tests(T0 + 61);
    h = get("/api/v1/connection", again, NULL);
    cr_expect_eq(h.status, 200);
    cr_expect_str_eq(h.remaining, "59");
    hfree(&h);
}

/* ---- the limit's setting (STOCKBRIDGE_CONNECTION_RATE), read when the server starts ---- */

static void setup_bare(void)
{
    sb_time_set_for_tests(T0);
}

TestSuite(export_catalogue_rate, .init = setup_bare, .fini = teardown, .timeout = 120);

/* Starts the server with STOCKBRIDGE_CONNECTION_RATE=value and the fixture; a connection. */
static void start_with_rate(const char *value, char token[SB_TOKEN_LEN])
{
    cr_assert_eq(setenv("STOCKBRIDGE_CONNECTION_RATE", value, 1), 0);
    setup();
    connected("site-1", token);
}

Test(export_catalogue_rate, item6_the_operator_sets_the_rate_and_burst)
{
    /* RULE issue 14 item 6: STOCKBRIDGE_CONNECTION_RATE=PER_MINUTE/BURST */
    char token[SB_TOKEN_LEN];
    start_with_rate("30/2", token);
    for (int i = 0; i < 2; i++) {
        struct hresp h = get("/api/v1/connection", token, NULL);
        cr_expect_eq(h.status, 200, "%s", h.body);
        cr_expect_str_eq(h.limit, "30");
        hfree(&h);
    }
    struct hresp h = get("/api/v1/connection", token, NULL);
    expect_error(&h, 429, "rate_limited", NULL);
    cr_expect_str_eq(h.retry_after, "2", "30 a minute: one every 2 s");
    hfree(&h);
}

Test(export_catalogue_rate, item6_off_for_a_benchmark)
{
    /* RULE issue 14 item 6: "off" lifts the limit (no budget headers either) */
    char token[SB_TOKEN_LEN];
    start_with_rate("off", token);
    for (int i = 0; i < SB_RATE_BURST + 5; i++) {
        struct hresp h = get("/api/v1/connection", token, NULL);
        cr_assert_eq(h.status, 200, "request %d: %s", i, h.body);
        cr_expect_str_eq(h.remaining, "");
        hfree(&h);
    }
}

/* no server was started */
static void clock_back(void)
{
    sb_time_set_for_tests(0);
}

TestSuite(export_catalogue_config, .init = setup_bare, .fini = clock_back);

Test(export_catalogue_config, item6_a_bad_setting_stops_the_server_from_starting)
{
    /* RULE issue 14 item 6: a typo is refused, not silently the default */
    const char *bad[] = { "120", "120/", "0/60", "120/0", "-1/5", "120/60x", "fast" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(setenv("STOCKBRIDGE_CONNECTION_RATE", bad[i], 1), 0);
        struct sb_server_config cfg = { 0 };
        cr_expect_eq(sb_server_config_defaults(&cfg), SB_EINVALID_FIELD, "%s", bad[i]);
    }
    cr_assert_eq(setenv("STOCKBRIDGE_CONNECTION_RATE", "600/100", 1), 0);
    struct sb_server_config cfg = { 0 };
    cr_assert_eq(sb_server_config_defaults(&cfg), SB_OK);
    cr_expect_eq(cfg.rate_per_minute, 600);
    cr_expect_eq(cfg.rate_burst, 100);
    unsetenv("STOCKBRIDGE_CONNECTION_RATE");
    cfg = (struct sb_server_config){ 0 };
    cr_assert_eq(sb_server_config_defaults(&cfg), SB_OK);
    cr_expect_eq(cfg.rate_per_minute, SB_RATE_PER_MINUTE);
    cr_expect_eq(cfg.rate_burst, SB_RATE_BURST);
}
