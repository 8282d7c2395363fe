/*
 * The simulated Ecwid store: its creation and release, the clock and money,
 * the route table of REST v3 under /api/v3/{storeId}/, and the admission
 * every API request goes through: the faults first (as a broken network
 * would answer before Ecwid looks at anything), then the 600-requests-a-
 * minute limit (429 with Retry-After in seconds, counted per token in
 * one-minute windows), then the token (Authorization: Bearer or ?token=; a
 * bad one answers 403 INVALID_API_TOKEN as Ecwid does). Errors are Ecwid's
 * {"errorMessage","errorCode"}. Every API exchange is appended to the
 * traffic log (--traffic-log) as one JSON line, as the Magento store does.
 */
#include "ecwid.h"

#include "core/currency.h"
#include "core/money.h"
#include "util/grow.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- creation */

static bool copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

sb_err fs_ec_new(const struct fs_ec_config *cfg, struct ec_shop **ret)
{
    const char *cur = cfg->currency ? cfg->currency : "USD";
    const char *store = cfg->store_id ? cfg->store_id : "1003";
    if (sb_currency_exponent(cur) < 0)
        return sb_fail(SB_EINVALID_FIELD, "currency", "not an ISO 4217 code");
    if (!*store || strspn(store, "0123456789") != strlen(store))
        return sb_fail(SB_EINVALID_FIELD, "store_id", "--store-id must be digits");
    struct ec_shop *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->log_fd = -1;
    if (!copy_str(s->token, sizeof(s->token), cfg->token ? cfg->token : "secret_fakestore") ||
        !copy_str(s->secret, sizeof(s->secret),
                  cfg->client_secret ? cfg->client_secret : "ecwid-fakestore-client-secret") ||
        !copy_str(s->store_id, sizeof(s->store_id), store) ||
        !copy_str(s->prefix, sizeof(s->prefix), cfg->order_prefix ? cfg->order_prefix : "")) {
        fs_ec_free(s);
        return sb_fail(SB_EINVALID_FIELD, NULL,
                       "token, client secret, store id or prefix too long");
    }
    copy_str(s->currency, sizeof(s->currency), cur);
    s->exponent = sb_currency_exponent(cur);
    s->rate_limit = cfg->rate_limit > 0 ? cfg->rate_limit : 600;
    s->next_internal = 1000001;
    s->next_item = 1;
    s->next_product = 100001;
    s->next_comb = 5001;
    s->next_event = 1;
    s->order_updates = json_array();
    s->stock_calls = json_array();
    s->webhook_url = cfg->webhook_url ? strdup(cfg->webhook_url) : NULL;
    if (!s->order_updates || !s->stock_calls || (cfg->webhook_url && !s->webhook_url)) {
        fs_ec_free(s);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (cfg->traffic_log) {
        s->log_fd = open(cfg->traffic_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (s->log_fd < 0) {
            sb_err err = sb_fail(SB_EIO, NULL, "cannot open the traffic log: %s", strerror(errno));
            fs_ec_free(s);
            return err;
        }
    }
    sb_err err = ec_hooks_start(s);
    if (err) {
        fs_ec_free(s);
        return err;
    }
    *ret = s;
    return SB_OK;
}

void fs_ec_free(struct ec_shop *s)
{
    if (!s)
        return;
    ec_hooks_stop(s);
    for (size_t i = 0; i < s->n_orders; i++)
        ec_order_free(s->orders[i]);
    free(s->orders);
    for (size_t i = 0; i < s->n_products; i++)
        free(s->products[i]);
    free(s->products);
    for (size_t i = 0; i < s->n_events; i++) {
        json_decref(s->events[i].data);
        json_decref(s->events[i].statuses);
    }
    free(s->events);
    json_decref(s->order_updates);
    json_decref(s->stock_calls);
    free(s->webhook_url);
    if (s->log_fd >= 0)
        close(s->log_fd);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

size_t fs_ec_product_count(struct ec_shop *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n_products;
    pthread_mutex_unlock(&s->mu);
    return n;
}

sb_err fs_ec_add_product(struct ec_shop *s, const char *sku, const char *name, int64_t price)
{
    json_t *b = json_pack("{s:s,s:s,s:o,s:i}", "sku", sku, "name", name ? name : sku, "price",
                          ec_money(s, price), "quantity", 100);
    if (!b)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_mutex_lock(&s->mu);
    sb_err err = ec_product_add(s, b, NULL);
    pthread_mutex_unlock(&s->mu);
    json_decref(b);
    return err;
}

/* ---------------------------------------------------------------- clock, money */

int64_t ec_now(struct ec_shop *s)
{
    int64_t now = (int64_t)time(NULL);
    if (now < s->clock)
        now = s->clock;
    s->clock = now;
    return now;
}

void ec_date(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S +0000", &tm);
}

json_t *ec_money(const struct ec_shop *s, int64_t minor)
{
    return fs_money_json(s->exponent, minor);
}

bool ec_money_parse(const struct ec_shop *s, const json_t *v, int64_t *ret)
{
    /* exact: an amount the store cannot hold (20.005 dollars) is refused, not rounded */
    return fs_money_parse(s->exponent, v, true, ret);
}

/* ---------------------------------------------------------------- answers */

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

void ec_reply(struct fs_ec_response *r, int status, json_t *body)
{
    free(r->body);
    r->status = status;
    r->body = body ? dump(body) : NULL;
    json_decref(body);
}

void ec_error(struct fs_ec_response *r, int status, const char *code, const char *message)
{
    json_t *b = json_pack("{s:s}", "errorMessage", message);
    if (code)
        json_object_set_new(b, "errorCode", json_string(code));
    ec_reply(r, status, b);
}

/* ---------------------------------------------------------------- the query string */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#define EC_MAX_ARGS 32

bool ec_args_parse(const char *query, struct fs_args *ret)
{
    return fs_args_parse(query, 4096, EC_MAX_ARGS, ret);
}

static bool parse_i64(const char *v, int64_t min, int64_t max, int64_t *ret)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < min || n > max)
        return false;
    *ret = n;
    return true;
}

bool ec_paging(const struct fs_args *a, int64_t max, int64_t *offset, int64_t *limit,
               struct fs_ec_response *r)
{
    const char *o = fs_args_first(a, "offset"), *l = fs_args_first(a, "limit");
    *offset = 0;
    *limit = max;
    if (o && !parse_i64(o, 0, INT32_MAX, offset)) {
        ec_error(r, 400, "INVALID_PARAMETER", "offset must be a non-negative integer");
        return false;
    }
    if (l && !parse_i64(l, 0, INT32_MAX, limit)) {
        ec_error(r, 400, "INVALID_PARAMETER", "limit must be a non-negative integer");
        return false;
    }
    if (*limit > max || *limit == 0)
        *limit = max; /* Ecwid caps the page at its maximum rather than refusing */
    return true;
}

/* ---------------------------------------------------------------- the traffic log */

static void traffic_log(struct ec_shop *s, const struct fs_ec_request *req,
                        const struct fs_ec_response *r)
{
    if (s->log_fd < 0 || r->garbled)
        return;
    json_t *rq = NULL, *rs = NULL;
    if (req->body_len)
        rq = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, NULL);
    if (r->body)
        rs = json_loads(r->body, JSON_DECODE_ANY, NULL);
    /* how the call authenticated (never the token itself): the official check holds the
     * engine to Authorization: Bearer */
    const char *auth =
        req->authorization && strncmp(req->authorization, "Bearer ", 7) == 0 ? "bearer"
        : req->query && (strncmp(req->query, "token=", 6) == 0 || strstr(req->query, "&token="))
            ? "query"
            : "none";
    json_t *line = json_pack("{s:s,s:s,s:s,s:s,s:o,s:i,s:o}", "method", req->method, "path",
                             req->path, "query", req->query ? req->query : "", "auth", auth,
                             "request", rq ? rq : json_null(), "status", r->cut ? 0 : r->status,
                             "response", rs ? rs : json_null());
    char *text = line ? dump(line) : NULL;
    json_decref(line);
    if (!text)
        return;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        return;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    pthread_mutex_lock(&s->log_mu);
    ssize_t w = write(s->log_fd, out, n + 1);
    pthread_mutex_unlock(&s->log_mu);
    (void)w; /* a test reads the log; a short write shows there as a bad line */
    free(out);
}

/* ---------------------------------------------------------------- routing */

#define MAX_SEGS 8

/* Splits a raw path at '/', percent-decoding each segment into buf. */
static size_t split(const char *path, char *buf, size_t cap, char **segs)
{
    size_t n = 0, o = 0;
    const char *p = path;
    while (*p == '/')
        p++;
    while (*p && n < MAX_SEGS + 1 && o + 1 < cap) {
        segs[n++] = buf + o;
        while (*p && *p != '/' && o + 1 < cap) {
            if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
                buf[o++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
                p += 3;
            } else
                buf[o++] = *p++;
        }
        buf[o++] = '\0';
        if (*p == '/')
            p++;
    }
    return n;
}

static bool body_object(const struct fs_ec_request *req, struct fs_ec_response *r, json_t **ret)
{
    json_error_t e;
    json_t *doc = req->body_len ? json_loadb(req->body, req->body_len, 0, &e) : NULL;
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        ec_error(r, 400, "INVALID_JSON", "Request body is not a valid JSON object");
        return false;
    }
    *ret = doc;
    return true;
}

/* The route of segs (after api/v3/{storeId}); answers r. */
static void dispatch(struct ec_shop *s, const struct fs_ec_request *req, char **segs, size_t n,
                     const struct fs_args *args, struct fs_ec_response *r)
{
    bool get = strcmp(req->method, "GET") == 0, put = strcmp(req->method, "PUT") == 0;
    json_t *body = NULL;
    if (n == 0)
        return ec_error(r, 404, NULL, "Resource not found");
    if (put && !body_object(req, r, &body))
        return;
    if (strcmp(segs[0], "orders") == 0 && n == 1 && get)
        ec_route_orders(s, args, r);
    else if (strcmp(segs[0], "orders") == 0 && n == 2 && get)
        ec_route_order_get(s, segs[1], r);
    else if (strcmp(segs[0], "orders") == 0 && n == 2 && put)
        ec_route_order_put(s, segs[1], body, r);
    else if (strcmp(segs[0], "products") == 0 && n == 1 && get)
        ec_route_products(s, args, r);
    else if (strcmp(segs[0], "products") == 0 && n == 2 && (get || put))
        ec_route_product(s, req->method, segs[1], NULL, false, body, r);
    else if (strcmp(segs[0], "products") == 0 && n == 3 && put && strcmp(segs[2], "inventory") == 0)
        ec_route_product(s, req->method, segs[1], NULL, true, body, r);
    else if (strcmp(segs[0], "products") == 0 && n == 3 && get &&
             strcmp(segs[2], "combinations") == 0)
        ec_route_product(s, "COMBINATIONS", segs[1], NULL, false, NULL, r);
    else if (strcmp(segs[0], "products") == 0 && n == 4 && (get || put) &&
             strcmp(segs[2], "combinations") == 0)
        ec_route_product(s, req->method, segs[1], segs[3], false, body, r);
    else if (strcmp(segs[0], "products") == 0 && n == 5 && put &&
             strcmp(segs[2], "combinations") == 0 && strcmp(segs[4], "inventory") == 0)
        ec_route_product(s, req->method, segs[1], segs[3], true, body, r);
    else if (strcmp(segs[0], "profile") == 0 && n == 1 && get)
        ec_reply(r, 200,
                 json_pack("{s:{s:I},s:{s:s},s:{s:s}}", "generalInfo", "storeId",
                           (json_int_t)strtoll(s->store_id, NULL, 10), "account", "accountName",
                           "Fakestore", "formatsAndUnits", "currency", s->currency));
    else
        ec_error(r, 404, NULL, "Resource not found");
    json_decref(body);
}

static const char *bearer(const struct fs_ec_request *req, const struct fs_args *args)
{
    if (req->authorization && strncmp(req->authorization, "Bearer ", 7) == 0)
        return req->authorization + 7;
    return fs_args_first(args, "token");
}

static bool take_fault(struct ec_shop *s, const char *rest, struct ec_fault *ret)
{
    struct ec_fault *f = &s->fault;
    if (f->count <= 0)
        return false;
    if (f->prefix[0] && strncmp(rest, f->prefix, strlen(f->prefix)) != 0)
        return false;
    *ret = *f;
    f->count--;
    return true;
}

static void answer_api(struct ec_shop *s, const struct fs_ec_request *req, struct fs_ec_response *r)
{
    char buf[1024];
    char *segs[MAX_SEGS + 1];
    size_t n = split(req->path, buf, sizeof(buf), segs);
    /* api v3 {storeId} ... */
    if (n < 3 || strcmp(segs[2], s->store_id) != 0 ||
        strncmp(req->path + 8, s->store_id, strlen(s->store_id)) != 0)
        return ec_error(r, 404, NULL, "Store not found");
    const char *rest = req->path + 8 + strlen(s->store_id); /* "/api/v3/" + id */
    rest = *rest == '/' ? rest + 1 : rest;

    pthread_mutex_lock(&s->mu);
    s->requests++;
    struct ec_fault f;
    bool faulted = take_fault(s, rest, &f);
    pthread_mutex_unlock(&s->mu);
    if (faulted) {
        if (f.delay_ms > 0) {
            struct timespec ts = { f.delay_ms / 1000, (long)(f.delay_ms % 1000) * 1000000L };
            while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
                ;
        }
        if (f.cut) {
            r->cut = true;
            return;
        }
        if (f.has_body) {
            r->status = f.status ? f.status : 200;
            r->body = strdup(f.body);
            r->garbled = true;
            return;
        }
        if (f.status == 429) {
            snprintf(r->retry_after, sizeof(r->retry_after), "%d",
                     f.retry_after > 0 ? f.retry_after : 1);
            return ec_error(r, 429, "TOO_MANY_REQUESTS", "Too many requests");
        }
        if (f.status == 401 || f.status == 403)
            return ec_error(r, f.status, "INVALID_API_TOKEN", "Access denied: invalid token");
        if (f.status)
            return ec_error(r, f.status, NULL, "Internal server error");
    }

    struct fs_args args;
    if (!ec_args_parse(req->query, &args))
        return ec_error(r, 400, "INVALID_PARAMETER", "The query is too long or malformed");
    pthread_mutex_lock(&s->mu);
    int64_t now = (int64_t)time(NULL);
    if (now - s->window_start >= 60) {
        s->window_start = now;
        s->window_count = 0;
    }
    if (++s->window_count > s->rate_limit) {
        s->limited++;
        int64_t wait = 60 - (now - s->window_start);
        pthread_mutex_unlock(&s->mu);
        fs_args_free(&args);
        snprintf(r->retry_after, sizeof(r->retry_after), "%d", (int)(wait > 0 ? wait : 1));
        return ec_error(r, 429, "TOO_MANY_REQUESTS", "Too many requests");
    }
    const char *tok = bearer(req, &args);
    if (!tok || strcmp(tok, s->token) != 0) {
        s->unauthorized++;
        pthread_mutex_unlock(&s->mu);
        fs_args_free(&args);
        return ec_error(r, 403, "INVALID_API_TOKEN", "Access denied: invalid token");
    }
    dispatch(s, req, segs + 3, n - 3, &args, r);
    pthread_mutex_unlock(&s->mu);
    fs_args_free(&args);
}

void fs_ec_handle(struct ec_shop *s, const struct fs_ec_request *req, struct fs_ec_response *r)
{
    r->status = 500;
    if (strncmp(req->path, "/_fake/ecwid/", 13) == 0 || strcmp(req->path, "/_fake/ecwid") == 0) {
        ec_control(s, req, r);
        return;
    }
    if (strncmp(req->path, "/api/v3/", 8) != 0) {
        ec_error(r, 404, NULL, "Resource not found");
        return;
    }
    answer_api(s, req, r);
    traffic_log(s, req, r);
}
