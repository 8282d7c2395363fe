/*
 * The simulated Magento 2 store: its creation and release, the clock and ids,
 * the route table of the admin REST API, and the admission every /rest/
 * request goes through (faults first, as a broken network or server would
 * answer before Magento looks at anything, then the call count, then auth).
 * Errors are Magento's: {"message": "... %1 ...", "parameters": ...}, with
 * the message's placeholders left in, as Magento's webapi renders them. Every
 * /rest/ exchange is appended to the traffic log (--traffic-log) as one JSON
 * line written with one write() under its own lock.
 */
#include "magento2.h"

#include "core/currency.h"
#include "core/money.h"
#include "util/grow.h"
#include "util/hash.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- creation */

static char *dup_or(const char *s, const char *fallback)
{
    return strdup(s ? s : fallback);
}

sb_err fs_m2_new(const struct fs_m2_config *cfg, struct m2_shop **ret)
{
    struct m2_shop *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    s->log_fd = -1;
    s->token = dup_or(cfg->token, "m2_fakestore_token");
    s->consumer_key = cfg->consumer_key ? strdup(cfg->consumer_key) : NULL;
    s->consumer_secret = cfg->consumer_secret ? strdup(cfg->consumer_secret) : NULL;
    s->token_secret = cfg->token_secret ? strdup(cfg->token_secret) : NULL;
    s->prefix = dup_or(cfg->increment_prefix, "");
    s->bearer_allowed = !cfg->bearer_off;
    s->page_size_max = cfg->page_size_max;
    const char *cur = cfg->currency ? cfg->currency : "USD";
    s->exponent = sb_currency_exponent(cur);
    snprintf(s->currency, sizeof(s->currency), "%s", cur);
    s->next_order = 1;
    s->next_item = 1;
    s->next_memo = 1;
    s->next_memo_item = 1;
    s->next_invoice = 1;
    s->next_shipment = 1;
    s->next_product = 1;
    s->strings = sb_arena_new();
    s->invoices = json_array();
    s->shipments = json_array();
    s->cancels = json_array();
    s->refunds = json_array();
    s->source_item_calls = json_array();
    s->price_calls = json_array();
    if (!s->token || !s->prefix || !s->strings || !s->invoices || !s->shipments || !s->cancels ||
        !s->refunds || !s->source_item_calls || !s->price_calls || s->exponent < 0) {
        fs_m2_free(s);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    /* The MSI sources: "default" unless --sources names others. */
    char *list = strdup(cfg->sources ? cfg->sources : "default"), *save = NULL;
    if (!list) {
        fs_m2_free(s);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_err err = SB_OK;
    for (char *t = strtok_r(list, ",", &save); t && !err; t = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(t);
        if (n == 0 || n >= sizeof(s->sources[0].code) || s->n_sources == M2_MAX_SOURCES ||
            m2_source_find(s, t) >= 0)
            err = sb_fail(SB_EINVALID_FIELD, "sources",
                          "--sources: \"%s\" is empty, too long, repeated or one too many", t);
        else {
            struct m2_source *src = &s->sources[s->n_sources++];
            memcpy(src->code, t, n + 1);
            snprintf(src->name, sizeof(src->name), "%s",
                     strcmp(t, "default") == 0 ? "Default Source" : t);
            src->enabled = true;
        }
    }
    free(list);
    if (err) {
        fs_m2_free(s);
        return err;
    }
    if (cfg->traffic_log) {
        s->log_fd = open(cfg->traffic_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (s->log_fd < 0) {
            err = sb_fail(SB_EIO, NULL, "--traffic-log %s: %s", cfg->traffic_log, strerror(errno));
            fs_m2_free(s);
            return err;
        }
    }
    *ret = s;
    return SB_OK;
}

void fs_m2_free(struct m2_shop *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_orders; i++)
        m2_order_free(s->orders[i]);
    free(s->orders);
    for (size_t i = 0; i < s->n_memos; i++) {
        sb_arena_free(s->memos[i]->arena);
        free(s->memos[i]);
    }
    free(s->memos);
    free(s->products);
    free(s->sku_index);
    free(s->nonces);
    sb_arena_free(s->strings);
    json_decref(s->invoices);
    json_decref(s->shipments);
    json_decref(s->cancels);
    json_decref(s->refunds);
    json_decref(s->source_item_calls);
    json_decref(s->price_calls);
    free(s->token);
    free(s->consumer_key);
    free(s->consumer_secret);
    free(s->token_secret);
    free(s->prefix);
    if (s->log_fd >= 0)
        close(s->log_fd);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int fs_m2_exponent(struct m2_shop *s)
{
    return s->exponent;
}

/* ---------------------------------------------------------------- clock, money, lookups */

int64_t m2_now(struct m2_shop *s)
{
    int64_t now = (int64_t)time(NULL);
    if (now < s->clock)
        now = s->clock; /* an explicit updated_at in the future keeps the clock monotonic */
    s->clock = now;
    return now;
}

void m2_touch(struct m2_shop *s, struct m2_order *o)
{
    o->updated_at = m2_now(s);
}

void m2_time_format(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

bool m2_time_parse(const char *s, int64_t *ret)
{
    struct tm tm = { 0 };
    const char *end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
    if (!end || *end)
        return false;
    *ret = (int64_t)timegm(&tm);
    return true;
}

json_t *m2_money(const struct m2_shop *s, int64_t minor)
{
    return fs_money_json(s->exponent, minor);
}

bool m2_money_parse(const struct m2_shop *s, const json_t *v, int64_t *ret)
{
    return fs_money_parse(s->exponent, v, false, ret);
}

struct m2_order *m2_order_find(struct m2_shop *s, int64_t id)
{
    /* entity_ids grow with the array's index: binary search */
    size_t lo = 0, hi = s->n_orders;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->orders[mid]->entity_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_orders && s->orders[lo]->entity_id == id ? s->orders[lo] : NULL;
}

struct m2_product *m2_product_find(struct m2_shop *s, const char *sku)
{
    if (!s->sku_cap)
        return NULL;
    for (size_t h = sb_fnv1a(sku) & (s->sku_cap - 1);; h = (h + 1) & (s->sku_cap - 1)) {
        uint32_t v = s->sku_index[h];
        if (!v)
            return NULL;
        if (strcmp(s->products[v - 1].sku, sku) == 0)
            return &s->products[v - 1];
    }
}

long m2_source_find(struct m2_shop *s, const char *code)
{
    for (size_t i = 0; i < s->n_sources; i++)
        if (strcmp(s->sources[i].code, code) == 0)
            return (long)i;
    return -1;
}

size_t fs_m2_product_count(struct m2_shop *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n_products;
    pthread_mutex_unlock(&s->mu);
    return n;
}

sb_err fs_m2_add_product(struct m2_shop *s, const char *sku, const char *name, int64_t price)
{
    pthread_mutex_lock(&s->mu);
    sb_err err = m2_product_add(s, sku, name, price, "simple", NULL);
    pthread_mutex_unlock(&s->mu);
    return err;
}

/* ---------------------------------------------------------------- answers */

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

void m2_reply(struct fs_m2_response *r, int status, json_t *body)
{
    free(r->body);
    r->status = status;
    r->body = body ? dump(body) : NULL;
    json_decref(body);
}

void m2_error(struct fs_m2_response *r, int status, const char *message, json_t *params)
{
    json_t *b = json_pack("{s:s}", "message", message);
    if (params)
        json_object_set_new(b, "parameters", params);
    m2_reply(r, status, b);
}

void m2_not_found(struct fs_m2_response *r)
{
    m2_error(r, 404,
             "The entity that was requested doesn't exist. Verify the entity and try again.", NULL);
}

static void unauthorized(struct fs_m2_response *r, const char *resource)
{
    m2_error(r, 401, "The consumer isn't authorized to access %resources.",
             json_pack("{s:s}", "resources", resource));
}

/* ---------------------------------------------------------------- routes */

enum route_id {
    R_ORDERS,
    R_ORDER,
    R_CANCEL,
    R_INVOICE,
    R_SHIP,
    R_REFUND,
    R_MEMOS,
    R_PRODUCTS,
    R_BASE_PRICES,
    R_SPECIAL,
    R_SPECIAL_DELETE,
    R_SPECIAL_INFO,
    R_SOURCES,
    R_SOURCE_ITEMS_GET,
    R_SOURCE_ITEMS_POST,
    R_SALABLE,
};

struct route {
    enum route_id id;
    const char *method, *pattern, *resource;
};

/* Magento's routes as its webapi.xml declares them; {x} is one path segment. The ACL
 * resource is what a 401 names. */
static const struct route routes[] = {
    { R_ORDERS, "GET", "V1/orders", "Magento_Sales::actions_view" },
    { R_ORDER, "GET", "V1/orders/{id}", "Magento_Sales::actions_view" },
    { R_CANCEL, "POST", "V1/orders/{id}/cancel", "Magento_Sales::cancel" },
    { R_INVOICE, "POST", "V1/order/{id}/invoice", "Magento_Sales::sales_invoice" },
    { R_SHIP, "POST", "V1/order/{id}/ship", "Magento_Sales::ship" },
    { R_REFUND, "POST", "V1/order/{id}/refund", "Magento_Sales::sales_creditmemo" },
    { R_MEMOS, "GET", "V1/creditmemos", "Magento_Sales::sales_creditmemo" },
    { R_PRODUCTS, "GET", "V1/products", "Magento_Catalog::products" },
    { R_BASE_PRICES, "POST", "V1/products/base-prices", "Magento_Catalog::catalog" },
    { R_SPECIAL, "POST", "V1/products/special-price", "Magento_Catalog::catalog" },
    { R_SPECIAL_DELETE, "POST", "V1/products/special-price-delete", "Magento_Catalog::catalog" },
    { R_SPECIAL_INFO, "POST", "V1/products/special-price-information", "Magento_Catalog::catalog" },
    { R_SOURCES, "GET", "V1/inventory/sources", "Magento_InventoryApi::source" },
    { R_SOURCE_ITEMS_GET, "GET", "V1/inventory/source-items", "Magento_InventoryApi::source" },
    { R_SOURCE_ITEMS_POST, "POST", "V1/inventory/source-items",
      "Magento_InventoryApi::source_item" },
    { R_SALABLE, "GET", "V1/inventory/get-product-salable-quantity/{sku}/{stock}",
      "Magento_InventoryApi::stock" },
};

#define MAX_SEGS 8

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

/* Matches the segments after rest/[store/] against a pattern; vars gets {x}'s values. */
static bool match(const char *pattern, char **segs, size_t n, const char **vars)
{
    char pat[96];
    snprintf(pat, sizeof(pat), "%s", pattern);
    size_t k = 0, nv = 0;
    char *save = NULL;
    for (char *t = strtok_r(pat, "/", &save); t; t = strtok_r(NULL, "/", &save), k++) {
        if (k >= n)
            return false;
        if (t[0] == '{')
            vars[nv++] = segs[k];
        else if (strcmp(t, segs[k]) != 0)
            return false;
    }
    return k == n;
}

static void count_route(struct m2_shop *s, const char *method, const char *route)
{
    for (size_t i = 0; i < s->n_counts; i++)
        if (strcmp(s->counts[i].method, method) == 0 && strcmp(s->counts[i].route, route) == 0) {
            s->counts[i].n++;
            return;
        }
    if (s->n_counts == M2_MAX_ROUTE_CNT)
        return;
    struct m2_route_count *c = &s->counts[s->n_counts++];
    snprintf(c->method, sizeof(c->method), "%s", method);
    snprintf(c->route, sizeof(c->route), "%s", route);
    c->n = 1;
}

json_t *m2_counts_json(struct m2_shop *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_counts; i++)
        json_array_append_new(a,
                              json_pack("{s:s,s:s,s:I}", "method", s->counts[i].method, "path",
                                        s->counts[i].route, "count", (json_int_t)s->counts[i].n));
    return a;
}

static bool parse_id(const char *v, int64_t *ret)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno)
        return false;
    *ret = n;
    return true;
}

static void bad_type(struct fs_m2_response *r, const char *value, const char *type)
{
    m2_error(r, 400,
             "The \"%1\" value's type is invalid. The \"%2\" type was expected. Verify "
             "and try again.",
             json_pack("[s,s]", value, type));
}

/* Magento decodes the body before the route runs: a POST route needs a JSON object. */
static bool body_object(const struct fs_m2_request *req, struct fs_m2_response *r, json_t **ret)
{
    if (req->body_len == 0) {
        *ret = json_object();
        return true;
    }
    json_error_t e;
    json_t *doc = json_loadb(req->body, req->body_len, 0, &e);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        m2_error(r, 400, "Decoding error: \nSyntax error", NULL);
        return false;
    }
    *ret = doc;
    return true;
}

static void dispatch(struct m2_shop *s, const struct route *rt, const char **vars,
                     const struct fs_m2_request *req, const struct fs_args *args,
                     struct fs_m2_response *r)
{
    int64_t id = 0;
    if (rt->id == R_ORDER || rt->id == R_CANCEL || rt->id == R_INVOICE || rt->id == R_SHIP ||
        rt->id == R_REFUND) {
        if (!parse_id(vars[0], &id))
            return bad_type(r, vars[0], "int");
    }
    json_t *body = NULL;
    if (strcmp(rt->method, "POST") == 0 && !body_object(req, r, &body))
        return;
    switch (rt->id) {
    case R_ORDERS:
        m2_route_orders(s, req, args, r);
        break;
    case R_ORDER:
        m2_route_order_get(s, id, r);
        break;
    case R_CANCEL:
        m2_route_cancel(s, id, r);
        break;
    case R_INVOICE:
        m2_route_invoice(s, id, body, r);
        break;
    case R_SHIP:
        m2_route_ship(s, id, body, r);
        break;
    case R_REFUND:
        m2_route_refund(s, id, body, r);
        break;
    case R_MEMOS:
        m2_route_creditmemos(s, args, r);
        break;
    case R_PRODUCTS:
        m2_route_products(s, args, r);
        break;
    case R_BASE_PRICES:
        m2_route_prices(s, "base", body, r);
        break;
    case R_SPECIAL:
        m2_route_prices(s, "special", body, r);
        break;
    case R_SPECIAL_DELETE:
        m2_route_prices(s, "special-delete", body, r);
        break;
    case R_SPECIAL_INFO:
        m2_route_special_info(s, body, r);
        break;
    case R_SOURCES:
        m2_route_sources(s, args, r);
        break;
    case R_SOURCE_ITEMS_GET:
        m2_route_source_items_get(s, args, r);
        break;
    case R_SOURCE_ITEMS_POST:
        m2_route_source_items_post(s, body, r);
        break;
    case R_SALABLE:
        m2_route_salable(s, vars[0], vars[1], r);
        break;
    }
    json_decref(body);
}

/* ---------------------------------------------------------------- the traffic log */

static void traffic_log(struct m2_shop *s, const struct fs_m2_request *req,
                        const struct fs_m2_response *r)
{
    if (s->log_fd < 0 || r->garbled)
        return;
    json_t *rq = NULL, *rs = NULL;
    if (req->body_len)
        rq = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, NULL);
    if (r->body)
        rs = json_loads(r->body, JSON_DECODE_ANY, NULL);
    json_t *line =
        json_pack("{s:s,s:s,s:s,s:o,s:i,s:o}", "method", req->method, "path", req->path, "query",
                  req->query ? req->query : "", "request", rq ? rq : json_null(), "status",
                  r->cut ? 0 : r->status, "response", rs ? rs : json_null());
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

/* ---------------------------------------------------------------- admission */

/* The fault for this path, if one is armed: taken and counted down. */
static bool take_fault(struct m2_shop *s, const char *path, struct m2_fault *ret)
{
    struct m2_fault *f = &s->fault;
    if (f->count <= 0)
        return false;
    if (f->prefix[0] && strncmp(path, f->prefix, strlen(f->prefix)) != 0)
        return false;
    *ret = *f;
    f->count--;
    return true;
}

static void answer_rest(struct m2_shop *s, const struct fs_m2_request *req,
                        struct fs_m2_response *r)
{
    char buf[1024];
    char *segs[MAX_SEGS + 1];
    size_t n = split(req->path, buf, sizeof(buf), segs);
    /* rest/V1/... or rest/<store code>/V1/... */
    size_t first = 1;
    if (n >= 3 && strcmp(segs[1], "V1") != 0 && strcmp(segs[2], "V1") == 0)
        first = 2;
    const struct route *rt = NULL;
    const char *vars[4] = { 0 };
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && !rt; i++)
        if (strcmp(routes[i].method, req->method) == 0 && n > first &&
            match(routes[i].pattern, segs + first, n - first, vars))
            rt = &routes[i];

    pthread_mutex_lock(&s->mu);
    s->requests++;
    struct m2_fault f;
    bool faulted = take_fault(s, req->path, &f);
    count_route(s, req->method, rt ? rt->pattern : "(no route)");
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
        if (f.has_body) { /* not Magento's words: a broken proxy, a truncated answer */
            r->status = f.status ? f.status : 200;
            r->body = strdup(f.body);
            r->garbled = true;
            return;
        }
        if (f.status == 401)
            return unauthorized(r, rt ? rt->resource : "Magento_Backend::admin");
        if (f.status == 503)
            return m2_error(r, 503, "Service Unavailable", NULL);
        if (f.status)
            return m2_error(r, f.status,
                            "Internal Error. Details are available in Magento log file. Report "
                            "ID: webapi-fakestore",
                            NULL);
    }
    if (!rt)
        return m2_error(r, 404, "Request does not match any route.", NULL);

    pthread_mutex_lock(&s->mu);
    const char *why = NULL;
    bool ok = m2_auth_check(s, req, &why);
    if (!ok)
        s->unauthorized++;
    pthread_mutex_unlock(&s->mu);
    if (!ok) {
        sb_log(SB_LOG_INFO, "fakestore.magento2.auth", "path", req->path, "refused", why, NULL);
        return unauthorized(r, rt->resource);
    }
    struct fs_args args;
    if (!m2_args_parse(req->query, &args))
        return m2_error(r, 400, "The request query is too long or malformed.", NULL);
    pthread_mutex_lock(&s->mu);
    dispatch(s, rt, vars, req, &args, r);
    pthread_mutex_unlock(&s->mu);
    fs_args_free(&args);
}

void fs_m2_handle(struct m2_shop *s, const struct fs_m2_request *req, struct fs_m2_response *r)
{
    r->status = 500;
    if (strncmp(req->path, "/_fake/magento2/", 16) == 0 ||
        strcmp(req->path, "/_fake/magento2") == 0) {
        struct fs_args args;
        if (!m2_args_parse(req->query, &args)) {
            m2_error(r, 400, "bad query", NULL);
            return;
        }
        m2_control(s, req, &args, r);
        fs_args_free(&args);
        return;
    }
    if (strncmp(req->path, "/rest/", 6) != 0) {
        m2_error(r, 404, "Request does not match any route.", NULL);
        return;
    }
    answer_rest(s, req, r);
    traffic_log(s, req, r);
}
