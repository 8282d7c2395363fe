/*
 * Reading a Shopify shop's whole stock through a bulk operation (SPEC I5),
 * end to end: the Shopify adapter's read_stock_all against a spawned
 * stockbridge-fakestore. Every item and level comes through once with its
 * figures; an empty shop; an operation that fails, a download cut half-way,
 * an operation that outlives the time limit; the fakestore's own side of the
 * contract (one operation at a time, the one query it runs, the costs).
 * And the result file's reader alone, on JSONL fixtures of the same stock
 * grouped and ungrouped (WIRE.md, "Versions and what changed": from 2026-01
 * children are no longer grouped after their parent, each carries
 * __parentId), fed in pieces of every size.
 */
#include "channel/shopify/shopify.h"
#include "harness.h"
#include "util/http-client.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GQL_PATH "/admin/api/2025-01/graphql.json"

static const char bulk_query[] =
    "{ inventoryItems { edges { node { id sku variant { id product { id } } "
    "inventoryLevels { edges { node { location { id } quantities(names: [\"available\"]) { "
    "name quantity } } } } } } } }";

/* ---------------------------------------------------------------- set-up */

struct shop {
    struct th t; /* only for th_fake_start: no server is started */
    struct th_fake fake;
    json_t *creds;
    struct sb_channel ch;
};

static void shop_start(struct shop *s)
{
    memset(s, 0, sizeof(*s));
    th_fake_start(&s->t, &s->fake, TH_SHOP_TOKEN, TH_SHOP_SECRET, "/webhooks/1");
    s->creds = json_pack("{s:s,s:s}", "access_token", TH_SHOP_TOKEN, "base_url", s->fake.url);
    s->ch = (struct sb_channel){ .id = 1, .kind = "shopify", .credentials = s->creds };
}

static void shop_stop(struct shop *s)
{
    th_fake_stop(&s->fake);
    json_decref(s->creds);
    s->creds = NULL;
}

/* One shop per test, stopped by the suite's fini even when an assertion failed (a shop left
 * running would hold the test's stderr open). */
static struct shop S;

static void suite_init(void)
{
    shop_start(&S);
}

static void suite_fini(void)
{
    shop_stop(&S);
}

TestSuite(shopify_bulk, .init = suite_init, .fini = suite_fini);

static void ctl(struct shop *s, const char *method, const char *path, const char *body, long want)
{
    struct th_resp r = th_fake_req(&s->fake, method, path, body);
    cr_assert_eq(r.status, want, "%s %s: %ld %s", method, path, r.status, r.body);
    th_resp_free(&r);
}

/* A raw GraphQL call to the fakestore; returns the whole answer (caller decrefs). */
static json_t *gql(struct shop *s, const char *op, const char *doc, json_t *vars)
{
    json_t *req = json_pack("{s:s,s:s,s:o}", "query", doc, "operationName", op, "variables",
                            vars ? vars : json_object());
    char *body = json_dumps(req, JSON_COMPACT), url[128];
    json_decref(req);
    snprintf(url, sizeof(url), "%s" GQL_PATH, s->fake.url);
    const struct sb_http_header h[] = { { "X-Shopify-Access-Token", TH_SHOP_TOKEN } };
    struct sb_http_request hr = {
        .url = url, .headers = h, .n_headers = 1, .body = body, .body_len = strlen(body)
    };
    struct sb_http_response resp;
    cr_assert_eq(sb_http_post_json(&hr, &resp), SB_OK, "%s", sb_err_last()->message);
    free(body);
    cr_assert_eq(resp.status, 200, "%ld %s", resp.status, resp.body);
    json_t *j = json_loads(resp.body, 0, NULL);
    cr_assert(j, "%s", resp.body);
    sb_http_response_free(&resp);
    return j;
}

static json_t *run_bulk(struct shop *s, const char *query)
{
    return gql(s, "SbBulkStock",
               "mutation SbBulkStock($query: String!) { bulkOperationRunQuery(query: $query) { "
               "bulkOperation { id status } userErrors { field message code } } }",
               json_pack("{s:s}", "query", query));
}

static json_t *bulk_status(struct shop *s)
{
    return gql(s, "SbBulkStatus",
               "query SbBulkStatus { currentBulkOperation(type: QUERY) { id status errorCode "
               "objectCount url } }",
               NULL);
}

/* ---------------------------------------------------------------- what each() saw */

struct seen_item {
    char *sku, *item_id, *variant_id, *product_id, *location_id;
    size_t n;
    char *loc[4];
    int64_t avail[4];
};

struct seen {
    struct seen_item *items;
    size_t n, cap;
    size_t stop_after; /* 0: never; else each() fails on this call */
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static sb_err collect(void *ud, const struct sb_channel_stock *st)
{
    struct seen *sn = ud;
    if (sn->stop_after && sn->n + 1 == sn->stop_after)
        return sb_fail(SB_EINVALID_FIELD, NULL, "stopped by the test");
    if (sn->n == sn->cap) {
        sn->cap = sn->cap ? sn->cap * 2 : 64;
        sn->items = realloc(sn->items, sn->cap * sizeof(*sn->items));
        cr_assert(sn->items);
    }
    struct seen_item *it = &sn->items[sn->n++];
    memset(it, 0, sizeof(*it));
    it->sku = dup_or_null(st->item.sku);
    it->item_id = dup_or_null(st->item.item_id);
    it->variant_id = dup_or_null(st->item.variant_id);
    it->product_id = dup_or_null(st->item.product_id);
    it->location_id = dup_or_null(st->item.location_id);
    cr_assert_leq(st->n_levels, 4);
    it->n = st->n_levels;
    for (size_t i = 0; i < st->n_levels; i++) {
        it->loc[i] = strdup(st->location_ids[i]);
        it->avail[i] = st->available[i];
    }
    return SB_OK;
}

static void seen_free(struct seen *sn)
{
    for (size_t i = 0; i < sn->n; i++) {
        struct seen_item *it = &sn->items[i];
        free(it->sku), free(it->item_id), free(it->variant_id), free(it->product_id);
        free(it->location_id);
        for (size_t k = 0; k < it->n; k++)
            free(it->loc[k]);
    }
    free(sn->items);
    memset(sn, 0, sizeof(*sn));
}

static int64_t by_op(struct shop *s, const char *op)
{
    struct th_resp r = th_fake_req(&s->fake, "GET", "/_fake/requests", NULL);
    cr_assert_eq(r.status, 200);
    json_t *v = json_object_get(json_object_get(r.json, "by_operation"), op);
    int64_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    th_resp_free(&r);
    return n;
}

/* ---------------------------------------------------------------- the engine's read */

#define N_ITEMS 2500

Test(shopify_bulk, i5_read_stock_all_gives_every_item_and_level_once)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    ctl(&s, "POST", "/_fake/products/bulk",
        "{\"count\": 2500, \"prefix\": \"B\", \"available\": 7}", 201);
    ctl(&s, "POST", "/_fake/locations", "{\"name\": \"Uptown\"}", 201);
    char body[160];
    /* a hand edit at the main location every 100 items; a second location every 250 */
    for (int i = 100; i <= N_ITEMS; i += 100) {
        snprintf(body, sizeof(body), "{\"sku\": \"B%07d\", \"available\": %d}", i, 1000 + i);
        ctl(&s, "POST", "/_fake/inventory", body, 200);
    }
    for (int i = 250; i <= N_ITEMS; i += 250) {
        snprintf(body, sizeof(body), "{\"sku\": \"B%07d\", \"location_id\": 2, \"available\": %d}",
                 i, -i);
        ctl(&s, "POST", "/_fake/inventory", body, 200);
    }
    cr_assert_eq(s.ch.credentials, s.creds);
    cr_assert_not_null(sb_channel_shopify.read_stock_all);

    struct seen sn = { 0 };
    sb_err err = sb_channel_shopify.read_stock_all(&s.ch, collect, &sn);
    cr_assert_eq(err, SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sn.n, N_ITEMS);
    size_t levels = 0;
    for (size_t i = 0; i < sn.n; i++) {
        struct seen_item *it = &sn.items[i];
        int k = (int)i + 1; /* the shop lists its items in the order they were made */
        char sku[16];
        snprintf(sku, sizeof(sku), "B%07d", k);
        cr_assert_str_eq(it->sku, sku);
        cr_assert(strncmp(it->item_id, "gid://shopify/InventoryItem/", 28) == 0, "%s", it->item_id);
        cr_assert(strncmp(it->variant_id, "gid://shopify/ProductVariant/", 29) == 0);
        cr_assert(strncmp(it->product_id, "gid://shopify/Product/", 22) == 0);
        for (size_t j = 0; i > 0 && j < 1; j++) /* ids distinct: they grow */
            cr_assert(strcmp(it->item_id, sn.items[i - 1].item_id) != 0);
        int64_t main_want = k % 100 == 0 ? 1000 + k : 7;
        cr_assert_str_eq(it->loc[0], "gid://shopify/Location/1");
        cr_assert_eq(it->avail[0], main_want, "%s: %lld", sku, (long long)it->avail[0]);
        if (k % 250 == 0) {
            cr_assert_eq(it->n, 2, "%s", sku);
            cr_assert_str_eq(it->loc[1], "gid://shopify/Location/2");
            cr_assert_eq(it->avail[1], -k);
            cr_assert_null(it->location_id, "stocked at two: no single location");
        } else {
            cr_assert_eq(it->n, 1, "%s", sku);
            cr_assert_str_eq(it->location_id, "gid://shopify/Location/1");
        }
        levels += it->n;
    }
    cr_assert_eq(levels, N_ITEMS + N_ITEMS / 250);
    cr_assert_eq(by_op(&s, "SbBulkStock"), 1);
    cr_assert_eq(by_op(&s, "SbInventoryItems"), 0, "no paging");
    seen_free(&sn);
}

Test(shopify_bulk, i5_read_stock_all_of_an_empty_shop_gives_nothing)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    struct seen sn = { 0 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_OK, "%s",
                 sb_err_last()->message);
    cr_assert_eq(sn.n, 0);
    json_t *st = bulk_status(&s);
    json_t *op = json_object_get(json_object_get(st, "data"), "currentBulkOperation");
    cr_assert_str_eq(json_string_value(json_object_get(op, "status")), "COMPLETED");
    cr_assert(json_is_null(json_object_get(op, "url")), "no results: url null");
    cr_assert_str_eq(json_string_value(json_object_get(op, "objectCount")), "0");
    json_decref(st);
}

Test(shopify_bulk, i5_read_stock_all_waits_while_the_operation_runs)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    ctl(&s, "POST", "/_fake/products/bulk", "{\"count\": 30, \"available\": 2}", 201);
    ctl(&s, "POST", "/_fake/faults", "{\"bulk\": {\"delay_ms\": 900}}", 200);
    struct seen sn = { 0 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_OK, "%s",
                 sb_err_last()->message);
    cr_assert_eq(sn.n, 30);
    /* polls after 100, 300, 700 ms saw it RUNNING, one after 1.7 s COMPLETED */
    cr_assert_geq(by_op(&s, "SbBulkStatus"), 3);
    seen_free(&sn);
}

Test(shopify_bulk, i5_a_failed_operation_is_an_error)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    ctl(&s, "POST", "/_fake/products/bulk", "{\"count\": 40}", 201);
    ctl(&s, "POST", "/_fake/faults", "{\"bulk\": {\"fail\": 1}}", 200);
    struct seen sn = { 0 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_EIO);
    cr_assert(strstr(sb_err_last()->message, "failed (INTERNAL_SERVER_ERROR)"), "%s",
              sb_err_last()->message);
    cr_assert_eq(sn.n, 0);
    /* the fault was for one operation: the next read goes through */
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_OK, "%s",
                 sb_err_last()->message);
    cr_assert_eq(sn.n, 40);
    seen_free(&sn);
}

Test(shopify_bulk, i5_a_cut_download_is_an_error)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    ctl(&s, "POST", "/_fake/products/bulk", "{\"count\": 3000}", 201);
    ctl(&s, "POST", "/_fake/faults", "{\"bulk\": {\"cut_download\": 1}}", 200);
    struct seen sn = { 0 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_EIO);
    const char *msg = sb_err_last()->message;
    cr_assert(strstr(msg, "did not download whole"), "%s", msg);
    cr_assert_null(strstr(msg, "/_fake/bulk/"), "the URL stays out of messages: %s", msg);
    cr_assert_null(strstr(msg, TH_SHOP_TOKEN));
    /* the file may be ungrouped (a level's line anywhere), so no item is complete before
     * the end: nothing is handed over from a file cut short */
    cr_assert_eq(sn.n, 0);
    seen_free(&sn);
}

Test(shopify_bulk, i5_an_error_from_each_stops_the_read)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    ctl(&s, "POST", "/_fake/products/bulk", "{\"count\": 50}", 201);
    struct seen sn = { .stop_after = 10 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_EINVALID_FIELD);
    cr_assert_str_eq(sb_err_last()->message, "stopped by the test");
    cr_assert_eq(sn.n, 9);
    seen_free(&sn);
}

Test(shopify_bulk, i5_an_operation_that_runs_too_long_is_given_up)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    setenv("STOCKBRIDGE_BULK_TIMEOUT_SECONDS", "1", 1);
    ctl(&s, "POST", "/_fake/faults", "{\"bulk\": {\"delay_ms\": 4000}}", 200);
    struct seen sn = { 0 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_EIO);
    cr_assert(strstr(sb_err_last()->message, "still running after 1 s"), "%s",
              sb_err_last()->message);
    /* the shop still runs it: a new read is refused as busy, not started twice */
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_EBUSY);
    unsetenv("STOCKBRIDGE_BULK_TIMEOUT_SECONDS");
}

/* ---------------------------------------------------------------- the fakestore's side */

Test(shopify_bulk, i5_fakestore_runs_one_operation_at_a_time)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    ctl(&s, "POST", "/_fake/products/bulk", "{\"count\": 5}", 201);
    ctl(&s, "POST", "/_fake/faults", "{\"bulk\": {\"delay_ms\": 3000}}", 200);
    json_t *a = run_bulk(&s, bulk_query);
    json_t *p = json_object_get(json_object_get(a, "data"), "bulkOperationRunQuery");
    cr_assert_eq(json_array_size(json_object_get(p, "userErrors")), 0);
    json_t *op = json_object_get(p, "bulkOperation");
    cr_assert_str_eq(json_string_value(json_object_get(op, "status")), "CREATED");
    const char *id = json_string_value(json_object_get(op, "id"));
    cr_assert(id && strncmp(id, "gid://shopify/BulkOperation/", 28) == 0);

    json_t *st = bulk_status(&s);
    json_t *cur = json_object_get(json_object_get(st, "data"), "currentBulkOperation");
    cr_assert_str_eq(json_string_value(json_object_get(cur, "status")), "RUNNING");
    cr_assert_str_eq(json_string_value(json_object_get(cur, "id")), id);
    cr_assert(json_is_null(json_object_get(cur, "url")));
    json_decref(st);

    json_t *b = run_bulk(&s, bulk_query);
    json_t *pb = json_object_get(json_object_get(b, "data"), "bulkOperationRunQuery");
    json_t *ue = json_array_get(json_object_get(pb, "userErrors"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(ue, "code")), "OPERATION_IN_PROGRESS");
    cr_assert(json_is_null(json_object_get(pb, "bulkOperation")));
    json_decref(b);

    /* the engine is told it is busy, and starts nothing */
    struct seen sn = { 0 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_EBUSY);
    json_decref(a);
}

/* The fakestore runs any valid bulk query through its GraphQL engine (issue 11 round 2); one
 * the schema refuses is an INVALID userError and starts nothing. */
Test(shopify_bulk, i5_fakestore_refuses_an_invalid_query)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    json_t *a = run_bulk(&s, "{ products { edges { node { id nope } } } }");
    json_t *p = json_object_get(json_object_get(a, "data"), "bulkOperationRunQuery");
    json_t *ue = json_array_get(json_object_get(p, "userErrors"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(ue, "code")), "INVALID");
    cr_assert(json_is_null(json_object_get(p, "bulkOperation")));
    json_decref(a);
    /* the same query laid out differently is the same query */
    a = run_bulk(&s, "{\n  inventoryItems {\n    edges { node { id, sku, variant { id product { "
                     "id } } inventoryLevels { edges { node { location { id } "
                     "quantities(names: [\"available\"]) { name quantity } } } } } }\n  }\n}\n");
    p = json_object_get(json_object_get(a, "data"), "bulkOperationRunQuery");
    cr_assert_eq(json_array_size(json_object_get(p, "userErrors")), 0);
    json_decref(a);
}

Test(shopify_bulk, i5_bulk_costs_are_charged)
{
    struct shop s = S; /* the suite's shop (a copy of its handles) */
    ctl(&s, "POST", "/_fake/config", "{\"budget\": 1000, \"restore\": 0}", 200);
    ctl(&s, "POST", "/_fake/products/bulk", "{\"count\": 10}", 201);
    json_t *a = run_bulk(&s, bulk_query);
    json_t *cost = json_object_get(json_object_get(a, "extensions"), "cost");
    cr_assert_eq(json_integer_value(json_object_get(cost, "requestedQueryCost")), 10);
    cr_assert_eq(json_integer_value(json_object_get(cost, "actualQueryCost")), 10);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(cost, "throttleStatus"),
                                                    "currentlyAvailable")),
                 990);
    json_decref(a);
    json_t *st = bulk_status(&s);
    cost = json_object_get(json_object_get(st, "extensions"), "cost");
    cr_assert_eq(json_integer_value(json_object_get(cost, "requestedQueryCost")), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(cost, "throttleStatus"),
                                                    "currentlyAvailable")),
                 989);
    json_decref(st);

    /* the engine's read: 10 to start, 1 a poll */
    struct seen sn = { 0 };
    cr_assert_eq(sb_shopify_read_stock_all(&s.ch, collect, &sn), SB_OK, "%s",
                 sb_err_last()->message);
    int64_t polls = by_op(&s, "SbBulkStatus") - 1;
    cr_assert_geq(polls, 1);
    st = bulk_status(&s);
    cost = json_object_get(json_object_get(st, "extensions"), "cost");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(cost, "throttleStatus"),
                                                    "currentlyAvailable")),
                 989 - 10 - polls - 1);
    json_decref(st);
    seen_free(&sn);
}

/* ---------------------------------------------------------------- the reader alone */

TestSuite(shopify_bulk_reader);

static char *read_fixture(const char *name, size_t *ret_len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/fixtures/shopify/%s", getenv("SB_SOURCE_ROOT"), name);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    char *buf = malloc(1 << 16);
    cr_assert(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    buf[n] = '\0';
    *ret_len = n;
    return buf;
}

/* What each() saw, one line an item: "sku|item|variant|product|location|loc=n,loc=n". */
static char *seen_text(const struct seen *sn)
{
    size_t cap = 8192, len = 0;
    char *out = malloc(cap);
    cr_assert(out);
    out[0] = '\0';
    for (size_t i = 0; i < sn->n; i++) {
        const struct seen_item *it = &sn->items[i];
        len += (size_t)snprintf(out + len, cap - len, "%s|%s|%s|%s|%s|", it->sku ? it->sku : "-",
                                it->item_id, it->variant_id, it->product_id,
                                it->location_id ? it->location_id : "-");
        for (size_t k = 0; k < it->n; k++)
            len += (size_t)snprintf(out + len, cap - len, "%s%s=%lld", k ? "," : "",
                                    it->loc[k] + strlen("gid://shopify/Location/"),
                                    (long long)it->avail[k]);
        len += (size_t)snprintf(out + len, cap - len, "\n");
        cr_assert_lt(len, cap);
    }
    return out;
}

/* The fixture fed in pieces of `piece` bytes; what each() saw as text (NULL: an error). */
static char *read_in_pieces(const char *data, size_t len, size_t piece, sb_err *ret_err)
{
    struct seen sn = { 0 };
    struct sb_shopify_bulk_reader *r = NULL;
    cr_assert_eq(sb_shopify_bulk_reader_new(collect, &sn, &r), SB_OK);
    sb_err err = SB_OK;
    for (size_t at = 0; !err && at < len; at += piece)
        err = sb_shopify_bulk_feed(r, data + at, len - at < piece ? len - at : piece);
    if (!err)
        err = sb_shopify_bulk_finish(r);
    sb_shopify_bulk_reader_free(r);
    char *text = err ? NULL : seen_text(&sn);
    seen_free(&sn);
    *ret_err = err;
    return text;
}

static const char expected_stock[] =
    "TEE-S|gid://shopify/InventoryItem/101|gid://shopify/ProductVariant/201|"
    "gid://shopify/Product/301|-|1=5,2=-2\n"
    "TEE M|gid://shopify/InventoryItem/102|gid://shopify/ProductVariant/202|"
    "gid://shopify/Product/301|gid://shopify/Location/1|1=0\n"
    "-|gid://shopify/InventoryItem/103|gid://shopify/ProductVariant/203|"
    "gid://shopify/Product/302|-|\n"
    "MUG|gid://shopify/InventoryItem/104|gid://shopify/ProductVariant/204|"
    "gid://shopify/Product/303|-|2=12,1=7,3=1\n";

/* I5 + WIRE.md (2026-01: bulk output ungrouped, children carry __parentId): the same stock
 * grouped and ungrouped gives the same items, in the same order, with the same levels, so
 * a reconciliation reads the same whichever Shopify sends; the pieces the download comes
 * in change nothing. (The reader before this change refused the ungrouped file: a level
 * whose item was not the line just before it was an error.) */
Test(shopify_bulk_reader, i5_grouped_and_ungrouped_output_read_the_same)
{
    size_t glen, ulen;
    char *grouped = read_fixture("bulk-stock-grouped.jsonl", &glen);
    char *ungrouped = read_fixture("bulk-stock-ungrouped.jsonl", &ulen);
    static const size_t pieces[] = { 1, 2, 7, 64, 100000 };
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        sb_err gerr, uerr;
        char *g = read_in_pieces(grouped, glen, pieces[i], &gerr);
        char *u = read_in_pieces(ungrouped, ulen, pieces[i], &uerr);
        cr_assert_eq(gerr, SB_OK, "grouped, pieces of %zu: %s", pieces[i], sb_err_last()->message);
        cr_assert_eq(uerr, SB_OK, "ungrouped, pieces of %zu: %s", pieces[i],
                     sb_err_last()->message);
        cr_expect_str_eq(g, expected_stock, "grouped, pieces of %zu", pieces[i]);
        cr_expect_str_eq(u, g, "ungrouped, pieces of %zu", pieces[i]);
        free(g);
        free(u);
    }
    free(grouped);
    free(ungrouped);
}

/* I5: a level whose item the file never lists, an item listed twice, and a __parentId that
 * is not an id are errors (SB_EIO): the caller then discards the read. */
Test(shopify_bulk_reader, i5_a_level_of_an_unlisted_item_is_an_error)
{
    static const struct {
        const char *jsonl, *why;
    } cases[] = {
        { "{\"id\":\"gid://shopify/InventoryItem/1\",\"sku\":\"A\"}\n"
          "{\"location\":{\"id\":\"gid://shopify/Location/1\"},\"quantities\":[{\"name\":"
          "\"available\",\"quantity\":1}],\"__parentId\":\"gid://shopify/InventoryItem/9\"}\n",
          "does not list" },
        { "{\"id\":\"gid://shopify/InventoryItem/1\",\"sku\":\"A\"}\n"
          "{\"id\":\"gid://shopify/InventoryItem/1\",\"sku\":\"A\"}\n",
          "repeats" },
        { "{\"location\":{\"id\":\"gid://shopify/Location/1\"},\"quantities\":[{\"name\":"
          "\"available\",\"quantity\":1}],\"__parentId\":7}\n",
          "not an id" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sb_err err;
        char *text = read_in_pieces(cases[i].jsonl, strlen(cases[i].jsonl), 5, &err);
        cr_expect_eq(err, SB_EIO, "case %zu", i);
        cr_expect(strstr(sb_err_last()->message, cases[i].why), "case %zu: %s", i,
                  sb_err_last()->message);
        free(text);
    }
}
