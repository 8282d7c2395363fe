/*
 * stockbridge-fakestore: a simulated webstore on loopback, for the tests and
 * `make demo`: a Shopify shop (the default) or, with --kind magento2, a
 * Magento 2 store, or with --kind ecwid an Ecwid store (which serves the
 * native eCom store too), or with --kind export an export-model webstore's
 * Site Manager (which calls stockbridge's connection API). This file is the program around the store: flags, the
 * catalogue (--skus / --sku), the HTTP listener (libmicrohttpd, a thread per
 * connection, bodies bounded), the demo timer that places orders, and a
 * clean stop on SIGTERM or SIGINT. The stores themselves are shopify/ (see
 * shop.h), magento2/ (see magento2.h), ecwid/ (see ecwid.h) and export/ (see
 * export.h); how to drive them is
 * docs/fakestore.md.
 *
 * The first line on stdout is always "fakestore listening on http://HOST:PORT/"
 * (tests read the port from it); logs go to stderr as key=value lines.
 */
#include "ecwid/ecwid.h"
#include "export/export.h"
#include "magento2/magento2.h"
#include "shopify/shopify.h"

#include "core/currency.h"
#include "core/money.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SKU_FILE_MAX     (32 * 1024 * 1024)
#define DEFAULT_PRICE    2500 /* --sku products: 2500 minor units (25.00 USD, 2500 JPY) */
#define MAX_SKUS_ON_FLAG 1000

static const char usage[] =
    "usage: stockbridge-fakestore [options]\n"
    "  --listen HOST:PORT        loopback address to serve (default 127.0.0.1:0, 0 = any port)\n"
    "  --token TOKEN             X-Shopify-Access-Token to accept (default shpat_fakestore)\n"
    "  --secret SECRET           webhook HMAC secret (default fakestore-webhook-secret)\n"
    "  --webhook-url URL         where webhooks go (also POST /_fake/config)\n"
    "  --shop-domain DOMAIN      X-Shopify-Shop-Domain (default demo.myshopify.com)\n"
    "  --budget N                GraphQL cost bucket size (default 1000)\n"
    "  --restore N               points restored per second (default 50)\n"
    "  --plan PLAN               bucket preset: standard (1000, 100/s), advanced (2000, 200/s)\n"
    "                            or plus (10000, 1000/s); --budget and --restore override it\n"
    "  --id-base N               first order id (default: 2^53 + 1 + milliseconds since\n"
    "                            2024-01-01, so that a restarted shop never reuses an id)\n"
    "  --skus FILE               catalogue CSV: sku[,title[,price[,barcode]]], or with a header\n"
    "                            naming sku, title|name, price|price:Default, barcode|upc|ean\n"
    "  --sku S1,S2,...           catalogue by SKU (price 25.00)\n"
    "  --orders-per-minute N     demo mode: place random orders from the catalogue\n"
    "  --seed N                  demo randomness (default: from the clock)\n"
    "  --currency CODE           the shop's ISO 4217 currency (default USD): every amount is\n"
    "                            in it, with its decimals (JPY 0, USD 2, KWD 3)\n"
    "  --kind shopify|magento2|ecwid|export\n"
    "                            the store to simulate (default shopify)\n"
    "Magento 2 (--kind magento2; --token is the integration's access token, default\n"
    "m2_fakestore_token):\n"
    "  --consumer-key K, --consumer-secret S, --token-secret T\n"
    "                            the integration's OAuth 1.0a credentials: signed requests\n"
    "                            are accepted when all are given\n"
    "  --bearer on|off           the access token accepted as a bearer (default on)\n"
    "  --page-size-max N         the admin's searchCriteria page-size limit (default off)\n"
    "  --sources A,B             MSI source codes (default \"default\")\n"
    "  --increment-prefix P      before every increment_id's digits (default none)\n"
    "  --traffic-log FILE        append every /rest/ exchange to FILE, one JSON line each\n"
    "Ecwid (--kind ecwid; --token is the API token, default secret_fakestore; --secret the\n"
    "app's client secret that signs webhooks; --webhook-url where they go; --traffic-log\n"
    "logs every /api/v3/ exchange):\n"
    "  --store-id N              the store id in /api/v3/{storeId}/ (default 1003)\n"
    "  --order-prefix P          before every order id (default none)\n"
    "  --rate-limit N            requests a minute before 429 (default 600)\n"
    "Export-model webstore (--kind export; it calls the POS's connection API; --traffic-log\n"
    "logs every exchange, as does $SB_EXPORT_TRAFFIC_DIR/<pid>.jsonl when that is set):\n"
    "  --pos-url URL             the POS (stockbridge) to connect to (required)\n"
    "  --pos-username U, --pos-password P\n"
    "                            an admin's or manager's credentials (required)\n"
    "  --webstore-id ID          the site's id (default fakestore-site)\n"
    "  --site-name NAME          the name the channel takes (default: the POS names it)\n"
    "  --locations L1:NAME,...   the site's locations (default \"L1:Main St\")\n"
    "  --refresh-seconds N       the change feed every N seconds (default 60; 0 = on request)\n"
    "  --auto-export on|off      export an order once paid and fulfilled (default off)\n"
    "  --export-status TEXT      the site status an exported order takes (default: unchanged)\n"
    "  --connect start|retry|request\n"
    "                            connect at start (default), at start and again with backoff\n"
    "                            until the POS answers, or only on POST /_fake/connect\n";

struct conn {
    char *body;
    size_t len, cap;
    bool too_large, started;
    char *uri; /* the request line's URI as sent (the Magento store signs and logs it raw) */
};

/* The store the listener serves: one of the three. */
struct program {
    struct fs_shop *shop;
    struct m2_shop *m2;
    struct ec_shop *ec;
    struct xp_site *xp;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct conn *st = calloc(1, sizeof(*st));
    if (st)
        st->uri = strdup(uri);
    return st;
}

/* The Magento store's answer to one request, from the raw URI. */
static void m2_answer(struct m2_shop *m2, struct MHD_Connection *c, const char *method,
                      struct conn *st, struct fs_response *resp)
{
    char *uri = st->uri ? st->uri : (char *)"/";
    char *q = strchr(uri, '?');
    if (q)
        *q = '\0';
    struct fs_m2_request req = {
        .method = method,
        .path = uri,
        .query = q ? q + 1 : "",
        .authorization =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
        .body = st->body ? st->body : "",
        .body_len = st->len,
    };
    struct fs_m2_response r = { 0 };
    fs_m2_handle(m2, &req, &r);
    if (q)
        *q = '?';
    resp->status = r.status;
    resp->body = r.body;
    resp->cut = r.cut;
}

/* The Ecwid store's answer to one request, from the raw URI. */
static void ec_answer(struct ec_shop *ec, struct MHD_Connection *c, const char *method,
                      struct conn *st, struct fs_response *resp)
{
    char *uri = st->uri ? st->uri : (char *)"/";
    char *q = strchr(uri, '?');
    if (q)
        *q = '\0';
    struct fs_ec_request req = {
        .method = method,
        .path = uri,
        .query = q ? q + 1 : "",
        .authorization =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .body = st->body ? st->body : "",
        .body_len = st->len,
    };
    struct fs_ec_response r = { 0 };
    fs_ec_handle(ec, &req, &r);
    if (q)
        *q = '?';
    resp->status = r.status;
    resp->body = r.body;
    resp->cut = r.cut;
    snprintf(resp->retry_after, sizeof(resp->retry_after), "%s", r.retry_after);
}

/* The export store's answer: its control API only, from the raw URI. */
static void xp_answer(struct xp_site *xp, const char *method, struct conn *st,
                      struct fs_response *resp)
{
    char *uri = st->uri ? st->uri : (char *)"/";
    char *q = strchr(uri, '?');
    if (q)
        *q = '\0';
    struct fs_xp_request req = {
        .method = method,
        .path = uri,
        .query = q ? q + 1 : "",
        .body = st->body ? st->body : "",
        .body_len = st->len,
    };
    struct fs_xp_response r = { 0 };
    fs_xp_handle(xp, &req, &r);
    if (q)
        *q = '?';
    resp->status = r.status;
    resp->body = r.body;
}

static const char *request_arg(const struct fs_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* A body made as it is sent (a bulk operation's result file): the shop's reader, called
 * for each block libmicrohttpd sends, and its release when the response is destroyed. */
#define STREAM_BLOCK (256 * 1024)

struct stream {
    long (*read)(void *ud, char *buf, size_t max);
    void (*done)(void *ud);
    void *ud;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos; /* sequential: libmicrohttpd asks for each block once, in order */
    struct stream *sm = cls;
    long n = sm->read(sm->ud, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_done(void *cls)
{
    struct stream *sm = cls;
    sm->done(sm->ud);
    free(sm);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct program *prog = cls;
    struct conn *st = *con_cls;
    if (!st || !st->started) {
        if (!st)
            st = calloc(1, sizeof(*st));
        if (!st)
            return MHD_NO;
        *con_cls = st;
        st->started = true;
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > FS_BODY_MAX)
            st->too_large = true;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (st->too_large)
            return MHD_YES;
        if (st->len + n > FS_BODY_MAX) {
            st->too_large = true;
            return MHD_YES;
        }
        if (st->len + n + 1 > st->cap) {
            size_t cap = st->cap ? st->cap : 4096;
            while (cap < st->len + n + 1)
                cap *= 2;
            char *nb = realloc(st->body, cap);
            if (!nb)
                return MHD_NO;
            st->body = nb;
            st->cap = cap;
        }
        memcpy(st->body + st->len, upload, n);
        st->len += n;
        st->body[st->len] = '\0';
        return MHD_YES;
    }

    struct fs_response resp = { 0 };
    if (st->too_large) {
        resp.status = 413;
        resp.body = strdup(prog->m2   ? "{\"message\":\"Request body too large\"}"
                           : prog->ec ? "{\"errorMessage\":\"Request body too large\"}"
                                      : "{\"errors\":\"Request body too large\"}");
    } else if (prog->xp) {
        xp_answer(prog->xp, method, st, &resp);
    } else if (prog->ec) {
        ec_answer(prog->ec, c, method, st, &resp);
    } else if (prog->m2) {
        m2_answer(prog->m2, c, method, st, &resp);
    } else {
        struct fs_request req = {
            .method = method,
            .path = url,
            .content_type =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
            .token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Shopify-Access-Token"),
            .host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
            .body = st->body ? st->body : "",
            .body_len = st->len,
            .arg = request_arg,
            .conn = c,
        };
        fs_shop_handle(prog->shop, &req, &resp);
    }
    if (resp.cut) {
        free(resp.body);
        if (resp.done)
            resp.done(resp.ud);
        return MHD_NO; /* the fault: the connection closes without an answer */
    }
    struct MHD_Response *r;
    if (resp.read) {
        free(resp.body);
        struct stream *sm = malloc(sizeof(*sm));
        if (sm)
            *sm = (struct stream){ resp.read, resp.done, resp.ud };
        r = sm ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, sm,
                                                   stream_done)
               : NULL;
        if (!r) {
            free(sm);
            resp.done(resp.ud);
            return MHD_NO;
        }
    } else {
        r = resp.body ? MHD_create_response_from_buffer(strlen(resp.body), resp.body,
                                                        MHD_RESPMEM_MUST_FREE)
                      : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!r) {
            free(resp.body);
            return MHD_NO;
        }
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp.content_type ? resp.content_type
                                              : "application/json; charset=utf-8");
    if (resp.retry_after[0])
        MHD_add_response_header(r, "Retry-After", resp.retry_after);
    if (resp.api_version[0])
        MHD_add_response_header(r, "X-Shopify-API-Version", resp.api_version);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)(resp.status ? resp.status : 500), r);
    MHD_destroy_response(r);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *st = *con_cls;
    if (st) {
        free(st->body);
        free(st->uri);
    }
    free(st);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    sb_log(SB_LOG_WARN, "fakestore.mhd", "message", msg, NULL);
}

/* ---------------------------------------------------------------- flags */

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    fputs("stockbridge-fakestore: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

static bool parse_double(const char *s, double min, double max, double *ret)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < min || v > max)
        return false;
    *ret = v;
    return true;
}

static bool parse_i64(const char *s, long long min, long long max, long long *ret)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return false;
    *ret = v;
    return true;
}

/* HOST:PORT with HOST an IPv4 loopback address: the control API has no authentication. */
static bool parse_listen(const char *s, struct sockaddr_in *addr, char *host, size_t cap)
{
    const char *colon = strrchr(s, ':');
    long long port;
    if (!colon || colon == s || (size_t)(colon - s) >= cap)
        return false;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (!parse_i64(colon + 1, 0, 65535, &port))
        return false;
    *addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, host, &addr->sin_addr) != 1)
        return false;
    return (ntohl(addr->sin_addr.s_addr) >> 24) == 127;
}

static int col(struct sb_csv_record *h, const char *const *names)
{
    for (size_t i = 0; i < h->n; i++)
        for (size_t k = 0; names[k]; k++)
            if (strcasecmp(h->fields[i], names[k]) == 0)
                return (int)i;
    return -1;
}

static const char *field(struct sb_csv_record *r, int i)
{
    return i >= 0 && (size_t)i < r->n && r->fields[i][0] ? r->fields[i] : NULL;
}

/* The catalogue file: positional columns, or a header naming them (the item CSV of
 * `stockbridge items import` works as is). */
/* A product for the store being simulated (barcode: Shopify only). */
static sb_err add_product(struct program *prog, const char *sku, const char *title, int64_t price,
                          const char *barcode)
{
    if (prog->m2)
        return fs_m2_add_product(prog->m2, sku, title, price);
    if (prog->xp)
        return fs_xp_add_product(prog->xp, sku, title, price);
    if (prog->ec)
        return fs_ec_add_product(prog->ec, sku, title, price);
    return fs_shop_add_product(prog->shop, sku, title, price, barcode);
}

static int load_skus(struct program *prog, const char *path, int exponent)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail("cannot open %s: %s", path, strerror(errno));
    char *data = malloc(SKU_FILE_MAX);
    size_t len = data ? fread(data, 1, SKU_FILE_MAX, f) : 0;
    bool too_big = data && len == SKU_FILE_MAX;
    fclose(f);
    if (!data || too_big) {
        free(data);
        return fail("%s: %s", path, data ? "file too large" : "out of memory");
    }
    struct sb_csv csv;
    sb_csv_init(&csv, data, len);
    struct sb_csv_record r;
    bool more, first = true;
    int c_sku = 0, c_title = 1, c_price = 2, c_barcode = 3, c_barcode2 = -1, rc = 0;
    sb_err err;
    while (!(err = sb_csv_next(&csv, &r, &more)) && more) {
        if (first) {
            first = false;
            static const char *const n_sku[] = { "sku", NULL };
            if (col(&r, n_sku) >= 0) {
                static const char *const n_title[] = { "title", "name", NULL };
                static const char *const n_price[] = { "price", "price:Default", NULL };
                static const char *const n_barcode[] = { "barcode", "upc", NULL };
                static const char *const n_ean[] = { "ean", NULL };
                c_sku = col(&r, n_sku);
                c_title = col(&r, n_title);
                c_price = col(&r, n_price);
                c_barcode = col(&r, n_barcode);
                c_barcode2 = col(&r, n_ean);
                continue;
            }
        }
        const char *sku = field(&r, c_sku);
        if (!sku || sku[0] == '#')
            continue;
        int64_t price = DEFAULT_PRICE;
        const char *ps = field(&r, c_price);
        if (ps && (!sb_money_parse(ps, exponent, &price) || price < 0)) {
            rc = fail("%s line %zu: price \"%s\" is not an amount with at most %d decimals", path,
                      r.line, ps, exponent);
            break;
        }
        const char *barcode = field(&r, c_barcode) ? field(&r, c_barcode) : field(&r, c_barcode2);
        if ((err = add_product(prog, sku, field(&r, c_title), price, barcode))) {
            rc = fail("%s line %zu: %s", path, r.line, sb_err_last()->message);
            break;
        }
    }
    if (err && !rc)
        rc = fail("%s: %s", path, sb_err_last()->message);
    sb_csv_free(&csv);
    free(data);
    return rc;
}

static int add_sku_list(struct program *prog, const char *list)
{
    char *copy = strdup(list);
    if (!copy)
        return fail("out of memory");
    int rc = 0, n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
        if (++n > MAX_SKUS_ON_FLAG || add_product(prog, t, NULL, DEFAULT_PRICE, NULL))
            rc =
                fail("--sku %s: %s", t, n > MAX_SKUS_ON_FLAG ? "too many" : sb_err_last()->message);
    }
    free(copy);
    return rc;
}

/* ---------------------------------------------------------------- demo mode */

struct demo {
    struct program *prog;
    double per_minute;
    uint64_t rng;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static void *demo_main(void *arg)
{
    struct demo *d = arg;
    bool first = true;
    pthread_mutex_lock(&d->mu);
    while (!d->stop) {
        /* The next order in 0.5 to 1.5 mean intervals, so arrivals look natural; the
         * first a few seconds after start, so a newcomer sees one come down at once. */
        double mean = 60.0 / d->per_minute;
        d->rng ^= d->rng << 13, d->rng ^= d->rng >> 7, d->rng ^= d->rng << 17;
        double wait = mean * (0.5 + (double)(d->rng % 1000) / 1000.0);
        if (first && wait > 3.0)
            wait = 3.0;
        first = false;
        struct timespec dl;
        clock_gettime(CLOCK_MONOTONIC, &dl);
        uint64_t ns = (uint64_t)dl.tv_nsec + (uint64_t)(wait * 1e9);
        dl.tv_sec += (time_t)(ns / 1000000000u);
        dl.tv_nsec = (long)(ns % 1000000000u);
        while (!d->stop && pthread_cond_timedwait(&d->cv, &d->mu, &dl) != ETIMEDOUT)
            ;
        if (d->stop)
            break;
        pthread_mutex_unlock(&d->mu);
        if (d->prog->m2   ? fs_m2_demo_order(d->prog->m2, &d->rng)
            : d->prog->ec ? fs_ec_demo_order(d->prog->ec, &d->rng)
            : d->prog->xp ? fs_xp_demo_order(d->prog->xp, &d->rng)
                          : fs_shop_demo_order(d->prog->shop, &d->rng))
            sb_log(SB_LOG_WARN, "fakestore.demo", "error", sb_err_last()->message, NULL);
        pthread_mutex_lock(&d->mu);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "listen", required_argument, NULL, 'l' },
        { "token", required_argument, NULL, 't' },
        { "secret", required_argument, NULL, 's' },
        { "webhook-url", required_argument, NULL, 'w' },
        { "shop-domain", required_argument, NULL, 'd' },
        { "budget", required_argument, NULL, 'b' },
        { "restore", required_argument, NULL, 'r' },
        { "plan", required_argument, NULL, 'p' },
        { "id-base", required_argument, NULL, 'i' },
        { "skus", required_argument, NULL, 'k' },
        { "sku", required_argument, NULL, 'K' },
        { "orders-per-minute", required_argument, NULL, 'o' },
        { "seed", required_argument, NULL, 'S' },
        { "currency", required_argument, NULL, 'c' },
        { "kind", required_argument, NULL, 'n' },
        { "consumer-key", required_argument, NULL, 1001 },
        { "consumer-secret", required_argument, NULL, 1002 },
        { "token-secret", required_argument, NULL, 1003 },
        { "bearer", required_argument, NULL, 1004 },
        { "page-size-max", required_argument, NULL, 1005 },
        { "sources", required_argument, NULL, 1006 },
        { "increment-prefix", required_argument, NULL, 1007 },
        { "traffic-log", required_argument, NULL, 1008 },
        { "store-id", required_argument, NULL, 1009 },
        { "order-prefix", required_argument, NULL, 1010 },
        { "rate-limit", required_argument, NULL, 1011 },
        { "pos-url", required_argument, NULL, 1012 },
        { "pos-username", required_argument, NULL, 1013 },
        { "pos-password", required_argument, NULL, 1014 },
        { "webstore-id", required_argument, NULL, 1015 },
        { "site-name", required_argument, NULL, 1016 },
        { "locations", required_argument, NULL, 1017 },
        { "refresh-seconds", required_argument, NULL, 1018 },
        { "auto-export", required_argument, NULL, 1019 },
        { "export-status", required_argument, NULL, 1020 },
        { "connect", required_argument, NULL, 1021 },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct fs_config cfg = { .budget = 1000, .restore = 50 };
    const char *listen = "127.0.0.1:0", *skus_file = NULL, *sku_list = NULL;
    double per_minute = 0;
    long long seed = 0, id_base = 0;
    bool has_seed = false, has_budget = false, has_restore = false;
    const char *plan = NULL, *kind = "shopify";
    struct fs_m2_config m2cfg = { 0 };
    struct fs_ec_config eccfg = { 0 };
    struct fs_xp_config xpcfg = { .refresh_seconds = 60 };
    bool xp_flags = false;
    long long refresh = 60;
    long long rate_limit = 0;
    long long page_size_max = 0;
    int opt;
    sb_log_level_from_env();
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'l':
            listen = optarg;
            break;
        case 't':
            cfg.token = optarg;
            break;
        case 's':
            cfg.secret = optarg;
            break;
        case 'w':
            cfg.webhook_url = optarg;
            break;
        case 'd':
            cfg.shop_domain = optarg;
            break;
        case 'c':
            if (sb_currency_exponent(optarg) < 0)
                return fail("--currency must be an ISO 4217 currency code such as USD or JPY");
            cfg.currency = optarg;
            break;
        case 'k':
            skus_file = optarg;
            break;
        case 'K':
            sku_list = optarg;
            break;
        case 'b':
            if (!parse_double(optarg, 1, 1e9, &cfg.budget))
                return fail("--budget must be a number from 1 to 1e9");
            has_budget = true;
            break;
        case 'r':
            if (!parse_double(optarg, 0, 1e9, &cfg.restore))
                return fail("--restore must be a number from 0 to 1e9");
            has_restore = true;
            break;
        case 'p':
            plan = optarg;
            break;
        case 'i':
            if (!parse_i64(optarg, 1, 9000000000000000000LL, &id_base))
                return fail("--id-base must be a positive integer");
            cfg.id_base = id_base;
            break;
        case 'o':
            if (!parse_double(optarg, 0.01, 6000, &per_minute))
                return fail("--orders-per-minute must be a number from 0.01 to 6000");
            break;
        case 'S':
            if (!parse_i64(optarg, 0, 9000000000000000000LL, &seed))
                return fail("--seed must be a non-negative integer");
            has_seed = true;
            break;
        case 'n':
            if (strcmp(optarg, "shopify") != 0 && strcmp(optarg, "magento2") != 0 &&
                strcmp(optarg, "ecwid") != 0 && strcmp(optarg, "export") != 0)
                return fail("--kind must be shopify, magento2, ecwid or export");
            kind = optarg;
            break;
        case 1001:
            m2cfg.consumer_key = optarg;
            break;
        case 1002:
            m2cfg.consumer_secret = optarg;
            break;
        case 1003:
            m2cfg.token_secret = optarg;
            break;
        case 1004:
            if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
                return fail("--bearer must be on or off");
            m2cfg.bearer_off = strcmp(optarg, "off") == 0;
            break;
        case 1005:
            if (!parse_i64(optarg, 1, 100000, &page_size_max))
                return fail("--page-size-max must be an integer from 1 to 100000");
            m2cfg.page_size_max = page_size_max;
            break;
        case 1006:
            m2cfg.sources = optarg;
            break;
        case 1007:
            m2cfg.increment_prefix = optarg;
            break;
        case 1008:
            m2cfg.traffic_log = optarg;
            break;
        case 1009:
            eccfg.store_id = optarg;
            break;
        case 1010:
            eccfg.order_prefix = optarg;
            break;
        case 1011:
            if (!parse_i64(optarg, 1, 1000000, &rate_limit))
                return fail("--rate-limit must be an integer from 1 to 1000000");
            eccfg.rate_limit = rate_limit;
            break;
        case 1012:
            xpcfg.pos_url = optarg;
            xp_flags = true;
            break;
        case 1013:
            xpcfg.pos_username = optarg;
            xp_flags = true;
            break;
        case 1014:
            xpcfg.pos_password = optarg;
            xp_flags = true;
            break;
        case 1015:
            xpcfg.webstore_id = optarg;
            xp_flags = true;
            break;
        case 1016:
            xpcfg.site_name = optarg;
            xp_flags = true;
            break;
        case 1017:
            xpcfg.locations = optarg;
            xp_flags = true;
            break;
        case 1018:
            if (!parse_i64(optarg, 0, 86400, &refresh))
                return fail("--refresh-seconds must be an integer from 0 to 86400");
            xpcfg.refresh_seconds = refresh;
            xp_flags = true;
            break;
        case 1019:
            if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
                return fail("--auto-export must be on or off");
            xpcfg.auto_export = strcmp(optarg, "on") == 0;
            xp_flags = true;
            break;
        case 1020:
            xpcfg.export_status = optarg;
            xp_flags = true;
            break;
        case 1021:
            if (strcmp(optarg, "start") == 0)
                xpcfg.connect = XP_CONNECT_START;
            else if (strcmp(optarg, "retry") == 0)
                xpcfg.connect = XP_CONNECT_RETRY;
            else if (strcmp(optarg, "request") == 0)
                xpcfg.connect = XP_CONNECT_REQUEST;
            else
                return fail("--connect must be start, retry or request");
            xp_flags = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc)
        return fail("unexpected argument %s", argv[optind]);
    if (plan) {
        double budget, restore;
        if (!fs_plan_find(plan, &budget, &restore, &cfg.plan))
            return fail("--plan must be standard, advanced or plus");
        if (!has_budget)
            cfg.budget = budget;
        if (!has_restore)
            cfg.restore = restore;
    }
    if (!cfg.id_base) {
        /* An engine keeps the orders it saw; a shop restarted against it (make demo keeps its
         * database) must not hand out those ids again. One id per millisecond of age leaves
         * room for any order rate the shop can sustain. */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - 1704067200000LL;
        cfg.id_base = FS_ID_BASE + (ms > 0 ? ms : 0);
    }
    if ((cfg.token && !*cfg.token) || (cfg.secret && !*cfg.secret) ||
        (cfg.shop_domain && !*cfg.shop_domain))
        return fail("--token, --secret and --shop-domain must not be empty");
    if (cfg.webhook_url && strncmp(cfg.webhook_url, "http://", 7) != 0 &&
        strncmp(cfg.webhook_url, "https://", 8) != 0)
        return fail("--webhook-url must be an http(s) URL");
    struct sockaddr_in addr;
    char host[64];
    if (!parse_listen(listen, &addr, host, sizeof(host)))
        return fail("--listen must be HOST:PORT with a 127.x.x.x host (the control API is "
                    "unauthenticated)");

    /* Signals are taken by sigwait() below; every thread started from here on blocks them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return fail("cannot initialise libcurl");

    struct program prog = { 0 };
    int rc = 0;
    bool m2 = strcmp(kind, "magento2") == 0, ec = strcmp(kind, "ecwid") == 0,
         xp = strcmp(kind, "export") == 0;
    if (!m2 && (m2cfg.consumer_key || m2cfg.consumer_secret || m2cfg.token_secret ||
                m2cfg.bearer_off || m2cfg.page_size_max || m2cfg.sources ||
                m2cfg.increment_prefix || (m2cfg.traffic_log && !ec && !xp))) {
        rc = fail("--consumer-key, --consumer-secret, --token-secret, --bearer, "
                  "--page-size-max, --sources, --increment-prefix and --traffic-log are for "
                  "--kind magento2 (--traffic-log for ecwid and export too)");
        goto out;
    }
    if (!xp && xp_flags) {
        rc = fail("--pos-url, --pos-username, --pos-password, --webstore-id, --site-name, "
                  "--locations, --refresh-seconds, --auto-export, --export-status and "
                  "--connect are for --kind export");
        goto out;
    }
    if (!ec && (eccfg.store_id || eccfg.order_prefix || eccfg.rate_limit)) {
        rc = fail("--store-id, --order-prefix and --rate-limit are for --kind ecwid");
        goto out;
    }
    if (xp) {
        xpcfg.traffic_log = m2cfg.traffic_log;
        xpcfg.traffic_dir = getenv("SB_EXPORT_TRAFFIC_DIR");
        if (fs_xp_new(&xpcfg, &prog.xp)) {
            rc = fail("%s", sb_err_last()->message);
            goto out;
        }
    } else if (ec) {
        eccfg.token = cfg.token;
        eccfg.client_secret = cfg.secret;
        eccfg.webhook_url = cfg.webhook_url;
        eccfg.currency = cfg.currency;
        eccfg.traffic_log = m2cfg.traffic_log;
        if (fs_ec_new(&eccfg, &prog.ec)) {
            rc = fail("%s", sb_err_last()->message);
            goto out;
        }
    } else if (m2) {
        m2cfg.token = cfg.token;
        m2cfg.currency = cfg.currency;
        if (fs_m2_new(&m2cfg, &prog.m2)) {
            rc = fail("%s", sb_err_last()->message);
            goto out;
        }
    } else if (fs_shop_new(&cfg, &prog.shop)) {
        rc = fail("%s", sb_err_last()->message);
        goto out;
    }
    if ((skus_file &&
         (rc = load_skus(&prog, skus_file,
                         sb_currency_exponent(cfg.currency ? cfg.currency : "USD")))) ||
        (sku_list && (rc = add_sku_list(&prog, sku_list))))
        goto out;
    size_t n_products = m2   ? fs_m2_product_count(prog.m2)
                        : ec ? fs_ec_product_count(prog.ec)
                        : xp ? fs_xp_product_count(prog.xp)
                             : fs_shop_product_count(prog.shop);
    if (per_minute > 0 && n_products == 0 && !xp) { /* the export site orders what the POS has */
        rc = fail("--orders-per-minute needs a catalogue: --skus FILE or --sku S1,S2");
        goto out;
    }

    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, &prog, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!daemon) {
        rc = fail("cannot listen on %s", listen);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : ntohs(addr.sin_port);
    printf("fakestore listening on http://%s:%u/\n", host, port);
    fflush(stdout);
    if (xp && fs_xp_start(prog.xp)) {
        rc = fail("%s", sb_err_last()->message);
        MHD_stop_daemon(daemon);
        goto out;
    }
    char port_s[8], n_s[24];
    snprintf(port_s, sizeof(port_s), "%u", port);
    snprintf(n_s, sizeof(n_s), "%zu", n_products);
    sb_log(SB_LOG_INFO, "fakestore.start", "kind", kind, "port", port_s, "products", n_s, NULL);

    struct demo demo = { .prog = &prog, .per_minute = per_minute };
    demo.rng = has_seed ? (uint64_t)seed * 2654435761u + 1 : sb_clock_ns() | 1;
    pthread_t demo_thread;
    bool demo_running = false;
    pthread_mutex_init(&demo.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&demo.cv, &ca);
    pthread_condattr_destroy(&ca);
    if (per_minute > 0)
        demo_running = pthread_create(&demo_thread, NULL, demo_main, &demo) == 0;

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;
    char sig_s[8];
    snprintf(sig_s, sizeof(sig_s), "%d", sig);
    sb_log(SB_LOG_INFO, "fakestore.stop", "signal", sig_s, NULL);
    if (demo_running) {
        pthread_mutex_lock(&demo.mu);
        demo.stop = true;
        pthread_cond_signal(&demo.cv);
        pthread_mutex_unlock(&demo.mu);
        pthread_join(demo_thread, NULL);
    }
    pthread_cond_destroy(&demo.cv);
    pthread_mutex_destroy(&demo.mu);
    MHD_stop_daemon(daemon);
out:
    fs_xp_free(prog.xp);
    fs_shop_free(prog.shop);
    fs_m2_free(prog.m2);
    fs_ec_free(prog.ec);
    curl_global_cleanup();
    return rc;
}
