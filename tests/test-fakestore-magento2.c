/*
 * The fakestore's Magento 2 mode (stockbridge-fakestore --kind magento2)
 * end to end over loopback: Magento's paging quirk (the last page again past
 * the end), both searchCriteria spellings, the page-size maximum, bearer and
 * OAuth 1.0a auth (signed here by a small signer of our own, RFC 5849), the
 * invoice and cancel answers with Magento's refusals, MSI reservations, the
 * faults, and the traffic log the official-schema check reads. Each test
 * names the rule it checks (SPEC M*, issue 12's "fakestore Magento mode").
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOKEN  "m2_test_token"
#define BEARER "Authorization: Bearer " TOKEN
#define CK     "ck_test"
#define CS     "cs_test"
#define TS     "ts_test"

static const char *const bearer[] = { BEARER, NULL };

static struct th_resp rest(struct th_fake *f, const char *method, const char *path,
                           const char *body)
{
    return th_fake_req_headers(f, method, path, body, bearer);
}

static void place(struct th_fake *f, const char *body)
{
    struct th_resp r = th_fake_req(f, "POST", "/_fake/magento2/orders", body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_resp_free(&r);
}

static void place_n(struct th_fake *f, int n)
{
    for (int i = 0; i < n; i++)
        place(f, "{\"items\":[{\"sku\":\"A1\",\"qty_ordered\":1,\"price\":10}]}");
}

static void start(struct th_fake *f, const char *const *extra)
{
    const char *args[32] = { "--kind", "magento2", "--token", TOKEN, "--sku", "A1,B2" };
    size_t n = 6;
    for (; extra && *extra && n < 31; extra++)
        args[n++] = *extra;
    args[n] = NULL;
    th_fake_start_args(f, args);
}

/* The entity_ids of a search answer's items, as "1,2,3". */
static void ids(json_t *doc, char *out, size_t cap)
{
    json_t *items = json_object_get(doc, "items");
    cr_assert(json_is_array(items));
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(items); i++)
        o += (size_t)snprintf(
            out + o, cap - o, "%s%lld", i ? "," : "",
            (long long)json_integer_value(json_object_get(json_array_get(items, i), "entity_id")));
}

#define SC "searchCriteria%5B"
#define CB "%5D"

/* Issue 12, fakestore Magento mode / adapter paging (WIRE "currentPage past the end returns
 * the LAST PAGE AGAIN"). */
Test(fakestore_magento2, m2_paging_returns_the_last_page_again_past_the_end)
{
    struct th_fake f;
    start(&f, NULL);
    place_n(&f, 5);
    char got[64];
    static const struct {
        int page;
        const char *want;
    } cases[] = { { 1, "1,2" }, { 3, "5" }, { 4, "5" }, { 99, "5" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s%d",
                 "/rest/V1/orders?" SC "pageSize" CB "=2&" SC "currentPage" CB "=", cases[i].page);
        struct th_resp r = rest(&f, "GET", path, NULL);
        cr_assert_eq(r.status, 200, "%s", r.body);
        ids(r.json, got, sizeof(got));
        cr_assert_str_eq(got, cases[i].want, "page %d", cases[i].page);
        cr_assert_eq(th_int(r.json, "total_count"), 5);
        json_t *sc = json_object_get(r.json, "search_criteria");
        cr_assert_eq(json_integer_value(json_object_get(sc, "current_page")), cases[i].page);
        th_resp_free(&r);
    }
    th_fake_stop(&f);
}

/* Issue 12: both searchCriteria spellings (filter_groups/condition_type/sort_orders and
 * filterGroups/conditionType/sortOrders); groups ANDed, filters in a group ORed. */
Test(fakestore_magento2, m2_search_criteria_in_both_spellings)
{
    struct th_fake f;
    start(&f, NULL);
    place_n(&f, 6);
    static const char *const paths[] = {
        "/rest/V1/orders?" SC "filter_groups" CB "%5B0" CB "%5Bfilters" CB "%5B0" CB "%5Bfield" CB
        "=entity_id&" SC "filter_groups" CB "%5B0" CB "%5Bfilters" CB "%5B0" CB "%5Bvalue" CB
        "=2&" SC "filter_groups" CB "%5B0" CB "%5Bfilters" CB "%5B0" CB "%5Bcondition_type" CB
        "=gt&" SC "filter_groups" CB "%5B1" CB "%5Bfilters" CB "%5B0" CB "%5Bfield" CB
        "=entity_id&" SC "filter_groups" CB "%5B1" CB "%5Bfilters" CB "%5B0" CB "%5Bvalue" CB
        "=1%2C3%2C5&" SC "filter_groups" CB "%5B1" CB "%5Bfilters" CB "%5B0" CB
        "%5Bcondition_type" CB "=in&" SC "filter_groups" CB "%5B1" CB "%5Bfilters" CB "%5B1" CB
        "%5Bfield" CB "=entity_id&" SC "filter_groups" CB "%5B1" CB "%5Bfilters" CB "%5B1" CB
        "%5Bvalue" CB "=6&" SC "sort_orders" CB "%5B0" CB "%5Bfield" CB "=entity_id&" SC
        "sort_orders" CB "%5B0" CB "%5Bdirection" CB "=DESC",
        "/rest/V1/orders?" SC "filterGroups" CB "%5B0" CB "%5Bfilters" CB "%5B0" CB "%5Bfield" CB
        "=entity_id&" SC "filterGroups" CB "%5B0" CB "%5Bfilters" CB "%5B0" CB "%5Bvalue" CB
        "=2&" SC "filterGroups" CB "%5B0" CB "%5Bfilters" CB "%5B0" CB "%5BconditionType" CB
        "=gt&" SC "filterGroups" CB "%5B1" CB "%5Bfilters" CB "%5B0" CB "%5Bfield" CB
        "=entity_id&" SC "filterGroups" CB "%5B1" CB "%5Bfilters" CB "%5B0" CB "%5Bvalue" CB
        "=1%2C3%2C5&" SC "filterGroups" CB "%5B1" CB "%5Bfilters" CB "%5B0" CB "%5BconditionType" CB
        "=in&" SC "filterGroups" CB "%5B1" CB "%5Bfilters" CB "%5B1" CB "%5Bfield" CB
        "=entity_id&" SC "filterGroups" CB "%5B1" CB "%5Bfilters" CB "%5B1" CB "%5Bvalue" CB
        "=6&" SC "sortOrders" CB "%5B0" CB "%5Bfield" CB "=entity_id&" SC "sortOrders" CB "%5B0" CB
        "%5Bdirection" CB "=DESC",
    };
    for (size_t i = 0; i < 2; i++) {
        struct th_resp r = rest(&f, "GET", paths[i], NULL);
        cr_assert_eq(r.status, 200, "%s", r.body);
        char got[64];
        ids(r.json, got, sizeof(got));
        /* (id > 2) AND (id in 1,3,5 OR id = 6), newest first */
        cr_assert_str_eq(got, "6,5,3", "spelling %zu", i);
        cr_assert_eq(th_int(r.json, "total_count"), 3);
        th_resp_free(&r);
    }
    th_fake_stop(&f);
}

/* Issue 12 / WIRE corrections: with the admin's limit on, pageSize over the maximum is a 400
 * and no pageSize gives 20. */
Test(fakestore_magento2, m2_page_size_maximum_refuses_and_defaults_to_20)
{
    struct th_fake f;
    static const char *const extra[] = { "--page-size-max", "300", NULL };
    start(&f, extra);
    place_n(&f, 25);
    struct th_resp r = rest(&f, "GET", "/rest/V1/orders?" SC "pageSize" CB "=301", NULL);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert_str_eq(th_str(r.json, "message"), "Maximum SearchCriteria pageSize is %max");
    th_resp_free(&r);
    r = rest(&f, "GET", "/rest/V1/orders?" SC "currentPage" CB "=1", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 20);
    cr_assert_eq(th_int(r.json, "total_count"), 25);
    th_resp_free(&r);
    r = rest(&f, "GET", "/rest/V1/orders?" SC "pageSize" CB "=300", NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 25);
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* Issue 12 item 1: the integration token as a bearer only while the store allows it; else
 * Magento's 401 naming the ACL resource. */
Test(fakestore_magento2, m2_bearer_refused_when_off)
{
    struct th_fake f;
    static const char *const extra[] = { "--bearer", "off", NULL };
    start(&f, extra);
    struct th_resp r = rest(&f, "GET", "/rest/V1/orders/1", NULL);
    cr_assert_eq(r.status, 401, "%s", r.body);
    cr_assert_str_eq(r.body, "{\"message\":\"The consumer isn't authorized to access "
                             "%resources.\",\"parameters\":{\"resources\":\"Magento_Sales::"
                             "actions_view\"}}");
    th_resp_free(&r);
    r = th_fake_req(&f, "POST", "/_fake/magento2/config", "{\"bearer_allowed\":true}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    place_n(&f, 1);
    r = rest(&f, "GET", "/rest/V1/orders/1", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    static const char *const wrong[] = { "Authorization: Bearer nope", NULL };
    r = th_fake_req_headers(&f, "GET", "/rest/V1/orders/1", NULL, wrong);
    cr_assert_eq(r.status, 401);
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* ---------------------------------------------------------------- an OAuth 1.0a signer */

static void enc(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 4 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
    }
    out[o] = '\0';
}

struct kv {
    char k[128], v[128]; /* encoded */
};

static int cmp_kv(const void *a, const void *b)
{
    const struct kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

/* The Authorization header for GET path?query (query: raw pairs k=v, already
 * encoded), signed with sig_key's secrets by method md. */
static void oauth_header(struct th_fake *f, const char *method, const char *path,
                         const struct kv *query, size_t nq, const EVP_MD *md, const char *md_name,
                         const char *nonce, long long ts, const char *consumer_secret, char *out,
                         size_t cap)
{
    struct kv ps[32];
    size_t n = 0;
    for (size_t i = 0; i < nq; i++)
        ps[n++] = query[i];
    char tsb[32];
    snprintf(tsb, sizeof(tsb), "%lld", ts);
    const char *oauth[][2] = { { "oauth_consumer_key", CK },
                               { "oauth_nonce", nonce },
                               { "oauth_signature_method", md_name },
                               { "oauth_timestamp", tsb },
                               { "oauth_token", TOKEN },
                               { "oauth_version", "1.0" } };
    for (size_t i = 0; i < 6; i++) {
        enc(oauth[i][0], ps[n].k, sizeof(ps[n].k));
        enc(oauth[i][1], ps[n].v, sizeof(ps[n].v));
        n++;
    }
    qsort(ps, n, sizeof(ps[0]), cmp_kv);
    char norm[4096] = "", uri[256], base[8192], e1[4096], e2[512];
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o +=
            (size_t)snprintf(norm + o, sizeof(norm) - o, "%s%s=%s", i ? "&" : "", ps[i].k, ps[i].v);
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%u%s", (unsigned)f->port, path);
    enc(uri, e2, sizeof(e2));
    enc(norm, e1, sizeof(e1));
    snprintf(base, sizeof(base), "%s&%s&%s", method, e2, e1);
    char key[256], k1[128], k2[128];
    enc(consumer_secret, k1, sizeof(k1));
    enc(TS, k2, sizeof(k2));
    snprintf(key, sizeof(key), "%s&%s", k1, k2);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int ml = 0;
    HMAC(md, key, (int)strlen(key), (unsigned char *)base, strlen(base), mac, &ml);
    unsigned char b64[128];
    EVP_EncodeBlock(b64, mac, (int)ml);
    char sig[256];
    enc((char *)b64, sig, sizeof(sig));
    snprintf(out, cap,
             "Authorization: OAuth oauth_consumer_key=\"%s\", oauth_nonce=\"%s\", "
             "oauth_signature=\"%s\", oauth_signature_method=\"%s\", oauth_timestamp=\"%s\", "
             "oauth_token=\"%s\", oauth_version=\"1.0\"",
             CK, nonce, sig, md_name, tsb, TOKEN);
}

static long oauth_get(struct th_fake *f, const EVP_MD *md, const char *md_name, const char *nonce,
                      long long ts, const char *secret)
{
    struct kv q[2] = { { SC "pageSize" CB, "5" }, { SC "currentPage" CB, "1" } };
    char h[1024];
    oauth_header(f, "GET", "/rest/V1/orders", q, 2, md, md_name, nonce, ts, secret, h, sizeof(h));
    const char *hs[] = { h, NULL };
    struct th_resp r = th_fake_req_headers(
        f, "GET", "/rest/V1/orders?" SC "pageSize" CB "=5&" SC "currentPage" CB "=1", NULL, hs);
    long st = r.status;
    if (st == 200)
        cr_assert_eq(th_int(r.json, "total_count"), 1);
    th_resp_free(&r);
    return st;
}

/* Issue 12 item 1: the four integration credentials sign every request (OAuth 1.0a,
 * HMAC-SHA256 or -SHA1; the query is in the base string); a wrong signature, a replayed
 * nonce or a stale timestamp is a 401. */
Test(fakestore_magento2, m2_oauth_signed_requests_accepted_and_refused)
{
    struct th_fake f;
    static const char *const extra[] = {
        "--bearer", "off", "--consumer-key", CK, "--consumer-secret", CS, "--token-secret", TS, NULL
    };
    start(&f, extra);
    place_n(&f, 1);
    long long now = (long long)time(NULL);
    cr_assert_eq(oauth_get(&f, EVP_sha256(), "HMAC-SHA256", "n1", now, CS), 200);
    cr_assert_eq(oauth_get(&f, EVP_sha1(), "HMAC-SHA1", "n2", now, CS), 200);
    cr_assert_eq(oauth_get(&f, EVP_sha256(), "HMAC-SHA256", "n1", now, CS), 401, "replay");
    cr_assert_eq(oauth_get(&f, EVP_sha256(), "HMAC-SHA256", "n3", now, "wrong"), 401);
    cr_assert_eq(oauth_get(&f, EVP_sha256(), "HMAC-SHA256", "n4", now - 3600, CS), 401);
    /* a signature over another query does not pass for this one */
    struct kv q[1] = { { SC "pageSize" CB, "6" } };
    char h[1024];
    oauth_header(&f, "GET", "/rest/V1/orders", q, 1, EVP_sha256(), "HMAC-SHA256", "n5", now, CS, h,
                 sizeof(h));
    const char *hs[] = { h, NULL };
    struct th_resp r =
        th_fake_req_headers(&f, "GET", "/rest/V1/orders?" SC "pageSize" CB "=5", NULL, hs);
    cr_assert_eq(r.status, 401);
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* SPEC M3 (auto-invoice): POST /V1/order/{id}/invoice answers a bare id and sets
 * total_invoiced (absent before); a second invoice is Magento's 400 refusal. */
Test(fakestore_magento2, m3_invoice_then_second_invoice_refused)
{
    struct th_fake f;
    start(&f, NULL);
    place(&f, "{\"items\":[{\"sku\":\"A1\",\"qty_ordered\":2,\"price\":19.99}],"
              "\"shipping_amount\":5,\"payment\":{\"amount_authorized\":44.98}}");
    struct th_resp r = rest(&f, "GET", "/rest/V1/orders/1", NULL);
    cr_assert_null(json_object_get(r.json, "total_invoiced"));
    cr_assert_null(json_object_get(json_object_get(r.json, "payment"), "amount_paid"));
    cr_assert(json_is_null(json_object_get(json_object_get(r.json, "payment"), "cc_last4")));
    cr_assert_str_eq(th_str(r.json, "increment_id"), "000000001");
    th_resp_free(&r);
    r = rest(&f, "POST", "/rest/V1/order/1/invoice", "{\"capture\":true,\"notify\":false}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(r.body, "1");
    th_resp_free(&r);
    r = rest(&f, "GET", "/rest/V1/orders/1", NULL);
    cr_assert_str_eq(th_str(r.json, "state"), "processing");
    cr_assert(json_real_value(json_object_get(r.json, "total_invoiced")) == 44.98);
    cr_assert(json_real_value(json_object_get(json_object_get(r.json, "payment"), "amount_paid")) ==
              44.98);
    th_resp_free(&r);
    r = rest(&f, "POST", "/rest/V1/order/1/invoice", "{\"capture\":true}");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_str(r.json, "message"), "Invoice Document Validation Error(s):\n"
                                                "The order does not allow an invoice to be "
                                                "created.");
    th_resp_free(&r);
    r = rest(&f, "POST", "/rest/V1/order/99/invoice", "{}");
    cr_assert_eq(r.status, 404);
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* SPEC S1 / issue 12 item 7: cancel answers a bare true, and false with HTTP 200 when Magento
 * cannot cancel (complete); an invoice on a canceled order names its status. */
Test(fakestore_magento2, s1_cancel_false_on_complete_true_on_pending)
{
    struct th_fake f;
    start(&f, NULL);
    place(&f, "{\"items\":[{\"sku\":\"A1\"}],\"status\":\"complete\"}");
    place(&f, "{\"items\":[{\"sku\":\"A1\"}]}");
    struct th_resp r = rest(&f, "POST", "/rest/V1/orders/1/cancel", NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, "false");
    th_resp_free(&r);
    r = rest(&f, "POST", "/rest/V1/orders/2/cancel", NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, "true");
    th_resp_free(&r);
    r = rest(&f, "POST", "/rest/V1/order/2/invoice", "{}");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(th_str(r.json, "message"),
                     "Invoice Document Validation Error(s):\nAn invoice cannot be created when "
                     "an order has a status of canceled");
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* SPEC M9: an unshipped order holds a reservation against the salable quantity; shipping
 * takes the units from the source and ends the reservation. */
Test(fakestore_magento2, m9_reservation_held_until_shipped)
{
    struct th_fake f;
    start(&f, NULL);
    place(&f, "{\"items\":[{\"sku\":\"A1\",\"qty_ordered\":3}],\"invoiced\":true}");
    struct th_resp r =
        rest(&f, "GET", "/rest/V1/inventory/get-product-salable-quantity/A1/1", NULL);
    cr_assert_str_eq(r.body, "97");
    th_resp_free(&r);
    r = rest(
        &f, "POST", "/rest/V1/order/1/ship",
        "{\"tracks\":[{\"track_number\":\"1Z9\",\"title\":\"UPS\",\"carrier_code\":\"ups\"}]}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    r = th_fake_req(&f, "GET", "/_fake/magento2/source-items?sku=A1", NULL);
    cr_assert_eq(th_int(r.json, "reserved"), 0);
    cr_assert_eq(th_int(r.json, "salable"), 97);
    json_t *si = json_array_get(json_object_get(r.json, "source_items"), 0);
    cr_assert_eq(th_int(si, "quantity"), 97);
    th_resp_free(&r);
    r = rest(&f, "GET", "/rest/V1/orders/1", NULL);
    cr_assert_str_eq(th_str(r.json, "state"), "complete");
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* Issue 12 item 8: faults as for Shopify: the next N /rest/ requests answer 503, then the
 * store answers again; a cut closes the connection. */
Test(fakestore_magento2, m2_faults_answer_5xx_then_recover)
{
    struct th_fake f;
    start(&f, NULL);
    struct th_resp r = th_fake_req(&f, "POST", "/_fake/magento2/config",
                                   "{\"fault\":{\"status\":503,\"count\":2}}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    th_resp_free(&r);
    for (int i = 0; i < 2; i++) {
        r = rest(&f, "GET", "/rest/V1/inventory/sources?searchCriteria%5BpageSize%5D=10", NULL);
        cr_assert_eq(r.status, 503);
        th_resp_free(&r);
    }
    r = rest(&f, "GET", "/rest/V1/inventory/sources?searchCriteria%5BpageSize%5D=10", NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(th_str(json_array_get(json_object_get(r.json, "items"), 0), "source_code"),
                     "default");
    th_resp_free(&r);
    th_fake_stop(&f);
}

/* Issue 12 (traffic log contract): one JSON line per /rest/ exchange with method, path
 * (without the query), the raw query, the request and response bodies and the status; the
 * control API is not logged. */
Test(fakestore_magento2, m2_traffic_log_lines_are_json)
{
    char dir[] = "/tmp/sb-m2-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char log[64];
    snprintf(log, sizeof(log), "%s/traffic.jsonl", dir);
    struct th_fake f;
    const char *extra[] = { "--traffic-log", log, NULL };
    start(&f, extra);
    place_n(&f, 1);
    struct th_resp r = rest(&f, "GET", "/rest/V1/orders?" SC "pageSize" CB "=1", NULL);
    th_resp_free(&r);
    r = rest(&f, "POST", "/rest/V1/orders/1/cancel", NULL);
    th_resp_free(&r);
    th_fake_stop(&f);
    FILE *fp = fopen(log, "r");
    cr_assert_not_null(fp);
    char line[65536];
    int n = 0;
    while (fgets(line, sizeof(line), fp)) {
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        cr_assert_not_null(j, "line %d: %s", n + 1, e.text);
        if (n == 0) {
            cr_assert_str_eq(th_str(j, "method"), "GET");
            cr_assert_str_eq(th_str(j, "path"), "/rest/V1/orders");
            cr_assert_str_eq(th_str(j, "query"), SC "pageSize" CB "=1");
            cr_assert(json_is_null(json_object_get(j, "request")));
            cr_assert_eq(th_int(j, "status"), 200);
            cr_assert_eq(th_int(json_object_get(j, "response"), "total_count"), 1);
        } else {
            cr_assert_str_eq(th_str(j, "path"), "/rest/V1/orders/1/cancel");
            cr_assert(json_is_true(json_object_get(j, "response")));
        }
        json_decref(j);
        n++;
    }
    fclose(fp);
    cr_assert_eq(n, 2);
    unlink(log);
    rmdir(dir);
}
