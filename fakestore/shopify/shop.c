/*
 * The simulated Shopify shop: orders, products, locations, fulfillment
 * orders, fulfillments and cancellations, held in memory behind one mutex
 * (the model is in shop.h, which also says which file does what). This file
 * holds the shop itself: creating and freeing it, the ids and the strictly
 * increasing clock every change takes, lookups, one customer id per email,
 * the catalogue, and the routing of a request to the Admin GraphQL endpoint
 * (graphql.c) or the control API (control.c). Requests come in as plain
 * method/path/headers/body and go out as status/body, so the shop knows
 * nothing of libmicrohttpd. Also the small JSON helpers the other files use.
 */
#include "shop.h"
#include "app.h"

#include "core/currency.h"
#include "core/money.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* The count is ADDR_N (shop.h): a table of another size does not compile. */
const struct fs_addr_field fs_addr_fields[] = {
    { "first_name", "firstName" },
    { "last_name", "lastName" },
    { "name", "name" },
    { "company", "company" },
    { "address1", "address1" },
    { "address2", "address2" },
    { "city", "city" },
    { "province", "province" },
    { "province_code", "provinceCode" },
    { "zip", "zip" },
    { "country", "country" },
    { "country_code", "countryCodeV2" },
    { "phone", "phone" },
};

/* ---------------------------------------------------------------- small helpers */

char *fs_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void gid(char *buf, size_t cap, const char *type, int64_t id)
{
    snprintf(buf, cap, "gid://shopify/%s/%lld", type, (long long)id);
}

json_t *fs_jgid(const char *type, int64_t id)
{
    char buf[96];
    gid(buf, sizeof(buf), type, id);
    return json_string(buf);
}

json_t *fs_jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *fs_jmoney(int64_t v, int exponent)
{
    char buf[32];
    sb_money_format(v, exponent, buf, sizeof(buf));
    return json_string(buf);
}

int fs_exp(const char *currency)
{
    int e = sb_currency_exponent(currency);
    return e < 0 ? 2 : e;
}

void fs_uuid4(char out[40])
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        /* No entropy: a clock-and-counter id is still unique within the run. */
        static uint64_t counter;
        uint64_t a = sb_clock_ns(), c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
        memcpy(b, &a, 8);
        memcpy(b + 8, &c, 8);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

char *fs_dump(json_t *doc)
{
    return json_dumps(doc, DUMP_FLAGS);
}

void fs_respond(struct fs_response *r, int status, json_t *doc)
{
    r->status = status;
    r->body = doc ? fs_dump(doc) : NULL;
    json_decref(doc);
}

/* ---------------------------------------------------------------- ids, clock and lookups */

int64_t fs_new_id(struct fs_shop *s)
{
    return s->next_id++;
}

/* Strictly increasing shop time: two changes never share a second, so updated_at orders
 * every change and `updated_at:>'…'` never hides one behind an equal timestamp. */
int64_t fs_tick(struct fs_shop *s)
{
    int64_t now = sb_time_now();
    s->clock = now > s->clock ? now : s->clock + 1;
    return s->clock;
}

struct order *fs_find_order(struct fs_shop *s, int64_t id)
{
    for (size_t i = 0; i < s->n_orders; i++)
        if (s->orders[i]->id == id)
            return s->orders[i];
    return NULL;
}

struct product *fs_find_product(struct fs_shop *s, const char *sku)
{
    return sku ? fs_sku_find(s, sku) : NULL;
}

/* The email as the shop compares it: trimmed, lower-case. */
static char *email_norm(const char *e)
{
    while (*e == ' ' || *e == '\t')
        e++;
    size_t n = strlen(e);
    while (n && (e[n - 1] == ' ' || e[n - 1] == '\t'))
        n--;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = (e[i] >= 'A' && e[i] <= 'Z') ? (char)(e[i] - 'A' + 'a') : e[i];
    out[n] = '\0';
    return out;
}

/* One customer id per email, as a shop keeps one customer per address. */
int64_t fs_customer_id(struct fs_shop *s, const char *email)
{
    char *norm = email ? email_norm(email) : NULL;
    if (!norm || !*norm) {
        free(norm);
        return fs_new_id(s);
    }
    for (size_t i = 0; i < s->n_customers; i++)
        if (strcmp(s->customers[i].email_norm, norm) == 0) {
            free(norm);
            return s->customers[i].id;
        }
    int64_t id = fs_new_id(s);
    if (s->n_customers == s->cap_customers) {
        size_t cap = s->cap_customers ? s->cap_customers * 2 : 64;
        struct known_customer *nc = realloc(s->customers, cap * sizeof(*nc));
        if (!nc) {
            free(norm);
            return id;
        }
        s->customers = nc;
        s->cap_customers = cap;
    }
    s->customers[s->n_customers++] = (struct known_customer){ norm, id };
    return id;
}

/* ---------------------------------------------------------------- products */

sb_err fs_add_product_locked(struct fs_shop *s, const char *sku, const char *title, int64_t price,
                             const char *barcode, struct product **ret)
{
    if (!sku || !*sku || strlen(sku) > STR_MAX)
        return sb_fail(SB_EINVALID_FIELD, "sku", "sku must be 1 to %d bytes", STR_MAX);
    if (fs_find_product(s, sku))
        return sb_fail(SB_EDUPLICATE, "sku", "a product with SKU %s exists", sku);
    if (s->n_products >= MAX_PRODUCTS)
        return sb_fail(SB_EINSUFFICIENT, NULL, "the shop holds %d products, its limit",
                       MAX_PRODUCTS);
    if (price < 0 || price > PRICE_MAX)
        return sb_fail(SB_EINVALID_FIELD, "price", "price out of range");
    if (s->n_products == s->cap_products) {
        size_t cap = s->cap_products ? s->cap_products * 2 : 64;
        struct product *np = realloc(s->products, cap * sizeof(*np));
        if (!np)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        s->products = np;
        s->cap_products = cap;
    }
    char deftitle[300];
    snprintf(deftitle, sizeof(deftitle), "Product %s", sku);
    struct product p = { .product_id = fs_new_id(s),
                         .variant_id = fs_new_id(s),
                         .inventory_item_id = fs_new_id(s),
                         .price = price,
                         .compare_at = -1,
                         .tracked = true,
                         .sku = sb_arena_strdup(s->strings, sku),
                         .title = sb_arena_strdup(s->strings, title && *title ? title : deftitle),
                         .barcode =
                             barcode && *barcode ? sb_arena_strdup(s->strings, barcode) : NULL };
    if (!p.sku || !p.title || (barcode && *barcode && !p.barcode))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    fs_level_set(&p, 0, 0, sb_time_now());
    s->products[s->n_products++] = p;
    if (fs_sku_insert(s, s->n_products - 1)) {
        s->n_products--;
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (ret)
        *ret = &s->products[s->n_products - 1];
    return SB_OK;
}

/* ---------------------------------------------------------------- the interface */

sb_err fs_shop_new(const struct fs_config *cfg, struct fs_shop **ret)
{
    struct fs_shop *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, &ca);
    pthread_cond_init(&s->done, &ca);
    pthread_condattr_destroy(&ca);
    s->token = fs_strdup(cfg->token ? cfg->token : "shpat_fakestore");
    s->secret = fs_strdup(cfg->secret ? cfg->secret : "fakestore-webhook-secret");
    s->webhook_url = fs_strdup(cfg->webhook_url);
    s->shop_domain = fs_strdup(cfg->shop_domain ? cfg->shop_domain : "demo.myshopify.com");
    s->budget = s->available = cfg->budget > 0 ? cfg->budget : 1000.0;
    s->restore = cfg->restore >= 0 ? cfg->restore : 50.0;
    s->plan = cfg->plan;
    const char *cur = cfg->currency ? cfg->currency : "USD";
    if (sb_currency_exponent(cur) < 0) {
        fs_shop_free(s);
        return sb_fail(SB_EINVALID_FIELD, "currency", "%s is not an ISO 4217 currency", cur);
    }
    memcpy(s->currency, cur, 4);
    s->exponent = sb_currency_exponent(cur);
    s->bucket_ns = sb_clock_ns();
    s->next_order_id = cfg->id_base > 0 ? cfg->id_base : FS_ID_BASE;
    s->next_id = s->next_order_id + 1000000000; /* other objects: their own range, also > 2^53 */
    s->next_number = 1001;
    s->api_fulfillments = json_array();
    s->api_cancellations = json_array();
    s->recent = json_array();
    s->strings = sb_arena_new();
    s->n_locations = 1;
    s->locations[0] = (struct location){ .id = LOCATION_ID, .name = LOCATION_NAME, .active = true };
    if (!s->strings || !s->token || !s->secret || !s->shop_domain ||
        (cfg->webhook_url && !s->webhook_url) || !s->api_fulfillments || !s->api_cancellations ||
        !s->recent) {
        fs_shop_free(s);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    sb_err err = fs_webhooks_start(s);
    if (err) {
        fs_shop_free(s);
        return err;
    }
    *ret = s;
    return SB_OK;
}

void fs_shop_free(struct fs_shop *s)
{
    if (!s)
        return;
    fs_webhooks_stop(s);
    fs_bulk_free(s);
    for (size_t i = 0; i < s->n_orders; i++)
        fs_order_free(s->orders[i]);
    free(s->orders);
    free(s->products);
    fs_sku_free(s);
    sb_arena_free(s->strings);
    for (size_t i = 0; i < s->n_customers; i++)
        free(s->customers[i].email_norm);
    free(s->customers);
    json_decref(s->api_fulfillments);
    json_decref(s->api_cancellations);
    json_decref(s->recent);
    fs_app_free(s->app);
    free(s->token);
    free(s->secret);
    free(s->webhook_url);
    free(s->shop_domain);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->done);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

sb_err fs_shop_add_product(struct fs_shop *s, const char *sku, const char *title, int64_t price,
                           const char *barcode)
{
    pthread_mutex_lock(&s->mu);
    sb_err err = fs_add_product_locked(s, sku, title, price, barcode, NULL);
    pthread_mutex_unlock(&s->mu);
    return err;
}

size_t fs_shop_product_count(struct fs_shop *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n_products;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* "/admin/api/{version}/graphql.json" with version "YYYY-MM" or "unstable". */
static bool graphql_path(const char *path)
{
    const char *p = path + strlen("/admin/api/");
    const char *slash = strchr(p, '/');
    if (!slash || strcmp(slash, "/graphql.json") != 0)
        return false;
    size_t n = (size_t)(slash - p);
    if (n == 8 && memcmp(p, "unstable", 8) == 0)
        return true;
    if (n != 7 || p[4] != '-')
        return false;
    for (size_t i = 0; i < 7; i++)
        if (i != 4 && (p[i] < '0' || p[i] > '9'))
            return false;
    return true;
}

void fs_shop_handle(struct fs_shop *s, const struct fs_request *req, struct fs_response *resp)
{
    sb_err_clear();
    if (strncmp(req->path, "/admin/api/", 11) == 0 && graphql_path(req->path)) {
        if (strcmp(req->method, "POST") != 0) {
            fs_respond(resp, 405, json_pack("{s:s}", "errors", "Method Not Allowed"));
            return;
        }
        fs_handle_graphql(s, req, resp);
    } else if (strncmp(req->path, "/_fake/bulk/", 12) == 0) {
        fs_bulk_download(s, req, resp);
    } else if (strncmp(req->path, "/_fake/app", 10) == 0) {
        fs_app_control(s, req, resp);
    } else if (strncmp(req->path, "/_fake/", 7) == 0) {
        fs_handle_control(s, req, resp);
    } else if (strcmp(req->path, "/") == 0 && strcmp(req->method, "GET") == 0) {
        pthread_mutex_lock(&s->mu);
        fs_respond(resp, 200,
                   json_pack("{s:s,s:s,s:s,s:s}", "fakestore", "shopify", "shop_domain",
                             s->shop_domain, "graphql",
                             "/admin/api/" FS_API_VERSION "/graphql.json", "control", "/_fake/"));
        pthread_mutex_unlock(&s->mu);
    } else {
        fs_respond(resp, 404, json_pack("{s:s}", "errors", "Not Found"));
    }
}
