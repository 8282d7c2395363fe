/*
 * stockbridge-fakestore end to end: the built binary is spawned (beside
 * $SB_BIN), its port read from its first line, and it is driven over HTTP
 * with libcurl: the GraphQL operations of the engine's contract and their
 * shapes (SP2), cost throttling, pagination and the updated_at filter, the
 * control API, webhooks with Shopify's headers and HMAC (SP1) caught by a
 * small libmicrohttpd receiver in the test, duplicate / reversed / dropped /
 * badly signed deliveries, GraphQL faults, and a clean stop on SIGTERM
 * (every test ends by checking the exit status, which also catches leaks
 * under LeakSanitizer). Nothing sleeps: waits are on pipes, a pidfd and a
 * condition variable, each bounded.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN  "shpat_test_token"
#define SECRET "whsec_test_secret"
#define DOMAIN "test-shop.myshopify.com"
#define GQL    "/admin/api/2025-01/graphql.json"
#define BOUND  30 /* seconds any wait may take (sanitizer builds start slowly) */

/* ---------------------------------------------------------------- the webhook receiver */

#define MAX_HOOKS 64

struct hook {
    char topic[64], event_id[64], webhook_id[64], hmac[128], domain[128], version[32],
        triggered[64], content_type[64];
    unsigned answered; /* the status the receiver gave it */
    char *body;
    size_t len;
};

struct receiver {
    struct MHD_Daemon *d;
    unsigned port;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct hook hooks[MAX_HOOKS];
    size_t n;
    unsigned answer;   /* status the receiver answers */
    size_t hold_until; /* answer nothing until this many hooks have arrived (bounded) */
};

struct upload {
    char *body;
    size_t len;
};

static void copy_header(struct MHD_Connection *c, const char *name, char *out, size_t cap)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, cap, "%s", v ? v : "");
}

static enum MHD_Result rx_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    struct receiver *r = cls;
    struct upload *u = *con_cls;
    if (!u) {
        *con_cls = calloc(1, sizeof(struct upload));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *nb = realloc(u->body, u->len + *size + 1);
        if (!nb)
            return MHD_NO;
        memcpy(nb + u->len, data, *size);
        u->body = nb;
        u->len += *size;
        nb[u->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    struct hook *h = NULL;
    if (r->n < MAX_HOOKS) {
        h = &r->hooks[r->n++];
        copy_header(c, "X-Shopify-Topic", h->topic, sizeof(h->topic));
        copy_header(c, "X-Shopify-Event-Id", h->event_id, sizeof(h->event_id));
        copy_header(c, "X-Shopify-Webhook-Id", h->webhook_id, sizeof(h->webhook_id));
        copy_header(c, "X-Shopify-Hmac-Sha256", h->hmac, sizeof(h->hmac));
        copy_header(c, "X-Shopify-Shop-Domain", h->domain, sizeof(h->domain));
        copy_header(c, "X-Shopify-API-Version", h->version, sizeof(h->version));
        copy_header(c, "X-Shopify-Triggered-At", h->triggered, sizeof(h->triggered));
        copy_header(c, "Content-Type", h->content_type, sizeof(h->content_type));
        h->body = u->body;
        h->len = u->len;
        u->body = NULL;
    }
    unsigned status = r->answer;
    pthread_cond_broadcast(&r->cv);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += 3; /* below the fakestore's 5 s delivery timeout */
    while (r->n < r->hold_until && pthread_cond_timedwait(&r->cv, &r->mu, &dl) == 0)
        ;
    if (r->n < r->hold_until)
        status = 504; /* the copies did not overlap */
    if (h)
        h->answered = status;
    pthread_mutex_unlock(&r->mu);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void rx_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct upload *u = *con_cls;
    if (u)
        free(u->body);
    free(u);
    *con_cls = NULL;
}

static void rx_start(struct receiver *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    r->answer = 200;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
    r->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
        NULL, rx_request, r, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, rx_done, NULL, MHD_OPTION_END);
    cr_assert(r->d, "receiver did not start");
    r->port = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void rx_stop(struct receiver *r)
{
    if (!r->d)
        return;
    MHD_stop_daemon(r->d);
    r->d = NULL;
    for (size_t i = 0; i < r->n; i++)
        free(r->hooks[i].body);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

/* Waits (bounded) until n hooks have arrived; returns how many did. */
static size_t rx_wait(struct receiver *r, size_t n)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += BOUND;
    pthread_mutex_lock(&r->mu);
    while (r->n < n && pthread_cond_timedwait(&r->cv, &r->mu, &dl) == 0)
        ;
    size_t got = r->n;
    pthread_mutex_unlock(&r->mu);
    return got;
}

static size_t rx_count(struct receiver *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

static bool hmac_ok(const struct hook *h, const char *secret)
{
    unsigned char mac[EVP_MAX_MD_SIZE], b64[128];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)h->body, h->len, mac,
         &len);
    EVP_EncodeBlock(b64, mac, (int)len);
    return strcmp((const char *)b64, h->hmac) == 0;
}

static json_t *hook_json(const struct hook *h)
{
    json_t *j = json_loadb(h->body, h->len, 0, NULL);
    cr_assert(j, "webhook body is not JSON: %.*s", (int)h->len, h->body);
    return j;
}

/* ---------------------------------------------------------------- the fakestore process */

struct fake {
    pid_t pid;
    unsigned port;
    char base[64];
};

static void fake_path(char *out, size_t cap)
{
    const char *bin = getenv("SB_BIN");
    cr_assert(bin, "SB_BIN is not set");
    const char *slash = strrchr(bin, '/');
    cr_assert(slash);
    snprintf(out, cap, "%.*s/stockbridge-fakestore", (int)(slash - bin), bin);
}

/* Starts the binary with argv (NULL-terminated, without argv[0]); returns the pipe's first
 * line in line (or "" when it exited first) and the process. */
static pid_t spawn(const char *const *args, char *line, size_t cap, int *ret_stdout)
{
    char path[512];
    fake_path(path, sizeof(path));
    const char *argv[32] = { path };
    size_t n = 1;
    for (; args && args[n - 1]; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int fds[2];
    cr_assert(pipe(fds) == 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    line[0] = '\0';
    while (len + 1 < cap && !strchr(line, '\n')) {
        struct pollfd p = { .fd = fds[0], .events = POLLIN };
        if (poll(&p, 1, BOUND * 1000) <= 0)
            break;
        ssize_t got = read(fds[0], line + len, cap - 1 - len);
        if (got <= 0)
            break;
        len += (size_t)got;
        line[len] = '\0';
    }
    if (ret_stdout)
        *ret_stdout = fds[0];
    else
        close(fds[0]);
    return pid;
}

/* Waits (bounded) for the process to end; returns its exit status, -1 on a signal or timeout. */
static int reap(pid_t pid)
{
    int fd = pidfd_open(pid, 0);
    cr_assert(fd >= 0, "pidfd_open: %s", strerror(errno));
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int ready = poll(&p, 1, BOUND * 1000);
    close(fd);
    if (ready <= 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    int st = 0;
    cr_assert(waitpid(pid, &st, 0) == pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void fake_start(struct fake *f, const char *const *args)
{
    char line[256];
    f->pid = spawn(args, line, sizeof(line), NULL);
    cr_assert(sscanf(line, "fakestore listening on http://127.0.0.1:%u/", &f->port) == 1,
              "unexpected first line: \"%s\"", line);
    snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%u", f->port);
}

/* SIGTERM must stop it cleanly: exit status 0 (LeakSanitizer would make it 23). */
static void fake_stop(struct fake *f)
{
    if (!f->pid)
        return;
    kill(f->pid, SIGTERM);
    int st = reap(f->pid);
    f->pid = 0;
    cr_expect_eq(st, 0, "fakestore exit status %d after SIGTERM", st);
}

/* ---------------------------------------------------------------- HTTP */

struct resp {
    long status;
    CURLcode rc;
    json_t *json;
    char *body;
    size_t len;
    char retry_after[32];
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct resp *r = ctx;
    char *nb = realloc(r->body, r->len + size * n + 1);
    if (!nb)
        return 0;
    memcpy(nb + r->len, p, size * n);
    r->body = nb;
    r->len += size * n;
    nb[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct resp *r = ctx;
    if (size * n > 13 && strncasecmp(p, "Retry-After: ", 13) == 0) {
        int l = (int)(size * n - 13);
        while (l > 0 && (p[13 + l - 1] == '\r' || p[13 + l - 1] == '\n'))
            l--;
        snprintf(r->retry_after, sizeof(r->retry_after), "%.*s", l, p + 13);
    }
    return size * n;
}

static struct resp http_raw(struct fake *f, const char *method, const char *path, const char *token,
                            const char *ctype, const char *body, size_t len)
{
    struct resp r = { 0 };
    char url[512], auth[256], ct[128];
    snprintf(url, sizeof(url), "%s%s", f->base, path);
    CURL *c = curl_easy_init();
    cr_assert(c);
    struct curl_slist *h = NULL;
    if (token) {
        snprintf(auth, sizeof(auth), "X-Shopify-Access-Token: %s", token);
        h = curl_slist_append(h, auth);
    }
    if (ctype) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
        h = curl_slist_append(h, ct);
    }
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)BOUND);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    r.rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (r.body)
        r.json = json_loadb(r.body, r.len, 0, NULL);
    return r;
}

static struct resp http(struct fake *f, const char *method, const char *path, const char *body)
{
    return http_raw(f, method, path, NULL, body ? "application/json" : NULL, body,
                    body ? strlen(body) : 0);
}

static void resp_free(struct resp *r)
{
    json_decref(r->json);
    free(r->body);
}

/* A control call that must answer want; returns its JSON (caller decrefs). */
static json_t *ctl(struct fake *f, const char *method, const char *path, const char *body,
                   long want)
{
    struct resp r = http(f, method, path, body);
    cr_assert_eq(r.status, want, "%s %s: status %ld, body %s", method, path, r.status,
                 r.body ? r.body : "(none)");
    cr_assert(r.json, "%s %s: not JSON: %s", method, path, r.body ? r.body : "(none)");
    json_t *j = json_incref(r.json);
    resp_free(&r);
    return j;
}

/* A control call that must fail with this status, error code and (when given) field. */
static void ctl_error(struct fake *f, const char *method, const char *path, const char *body,
                      long status, const char *code, const char *field)
{
    json_t *j = ctl(f, method, path, body, status);
    json_t *e = json_object_get(j, "error");
    cr_expect_str_eq(json_string_value(json_object_get(e, "code")), code, "%s %s", method, path);
    if (field)
        cr_expect_str_eq(json_string_value(json_object_get(e, "field")), field, "%s %s", method,
                         path);
    json_decref(j);
}

static struct resp gql_as(struct fake *f, const char *token, const char *op, const char *query,
                          const char *vars)
{
    json_error_t e;
    json_t *v = vars ? json_loads(vars, 0, &e) : json_object();
    cr_assert(v, "bad test variables: %s", e.text);
    json_t *doc = json_pack("{s:s,s:s,s:o}", "query", query, "operationName", op, "variables", v);
    char *body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct resp r = http_raw(f, "POST", GQL, token, "application/json", body, strlen(body));
    free(body);
    return r;
}

static struct resp gql(struct fake *f, const char *op, const char *query, const char *vars)
{
    return gql_as(f, TOKEN, op, query, vars);
}

/* A GraphQL call that must answer 200 with data; returns the JSON (caller decrefs). */
static json_t *gql_ok(struct fake *f, const char *op, const char *query, const char *vars)
{
    struct resp r = gql(f, op, query, vars);
    cr_assert_eq(r.status, 200, "%s: %ld %s", op, r.status, r.body ? r.body : "");
    cr_assert(json_object_get(r.json, "data"), "%s: no data: %s", op, r.body);
    cr_assert(!json_object_get(r.json, "errors"), "%s: errors: %s", op, r.body);
    json_t *j = json_incref(r.json);
    resp_free(&r);
    return j;
}

/* A member by path: "data.orders.nodes[0].name". */
static json_t *jp(json_t *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = root;
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && cur;
         t = strtok_r(NULL, ".", &save)) {
        char *br = strchr(t, '[');
        if (br)
            *br = '\0';
        if (*t)
            cur = json_object_get(cur, t);
        while (br && cur) {
            cur = json_array_get(cur, strtoul(br + 1, NULL, 10));
            br = strchr(br + 1, '[');
        }
    }
    return cur;
}

static const char *js(json_t *root, const char *path)
{
    const char *s = json_string_value(jp(root, path));
    return s ? s : "(not a string)";
}

static long long ji(json_t *root, const char *path)
{
    json_t *v = jp(root, path);
    cr_assert(json_is_integer(v), "%s is not an integer", path);
    return json_integer_value(v);
}

/* ---------------------------------------------------------------- fixture */

static const char Q_ORDERS[] =
    "query SbOrders($first: Int!, $after: String, $query: String) { orders(first: $first, "
    "after: $after, query: $query, sortKey: UPDATED_AT) { pageInfo { hasNextPage endCursor } "
    "nodes { id legacyResourceId name updatedAt } } }";
static const char Q_ORDER[] = "query SbOrder($id: ID!) { order(id: $id) { id name } }";
/* The order as the adapter reads it (src/channel/shopify/query.c's ORDER_FIELDS, smaller
 * pages): the fakestore answers exactly the fields a document asks for. */
#define AMOUNT    "{ shopMoney { amount } }"
#define MONEY     "{ shopMoney { amount currencyCode } }"
#define TAX_LINES "taxLines { title rate priceSet " AMOUNT " }"
static const char Q_ORDER_FULL[] =
    "query SbOrder($id: ID!) { order(id: $id) { "
    "id legacyResourceId name email phone createdAt updatedAt cancelledAt cancelReason "
    "displayFinancialStatus displayFulfillmentStatus currencyCode taxesIncluded note "
    "customAttributes { key value } paymentGatewayNames discountCodes "
    "subtotalPriceSet " MONEY " totalDiscountsSet " MONEY " totalTaxSet " MONEY
    " totalShippingPriceSet " MONEY " totalPriceSet " MONEY " totalOutstandingSet " MONEY
    " " TAX_LINES " customer { firstName lastName email phone } "
    "shippingAddress { firstName lastName name company address1 address2 city province "
    "provinceCode zip country countryCodeV2 phone } "
    "shippingLine { title code originalPriceSet " AMOUNT " discountedPriceSet " AMOUNT " " TAX_LINES
    " } "
    "lineItems(first: 20) { pageInfo { hasNextPage } nodes { id sku name title variantTitle "
    "quantity requiresShipping variant { barcode } originalUnitPriceSet " AMOUNT
    " discountAllocations { allocatedAmountSet " AMOUNT " } " TAX_LINES " } } "
    "transactions(first: 10) { id gateway kind status amountSet " AMOUNT " } "
    "refunds(first: 2) { id note refundLineItems(first: 20) { pageInfo { hasNextPage } "
    "nodes { lineItem { id } quantity restockType subtotalSet " AMOUNT " totalTaxSet " AMOUNT
    " } } transactions(first: 5) { pageInfo { hasNextPage } nodes { kind status amountSet " AMOUNT
    " } } } fulfillments(first: 5) { id status trackingInfo { number company url } } } }";
static const char Q_FOS[] =
    "query SbFulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { "
    "nodes { id status lineItems(first: 20) { nodes { id remainingQuantity lineItem { id } } } "
    "} } } }"; /* cost 1 + 2 + 5 x (1 + 2 + 20 x 2) = 218: 20 and 250 would cost 10,063 */
static const char Q_FCREATE[] =
    "mutation SbFulfillmentCreate($fulfillment: FulfillmentInput!) { "
    "fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status trackingInfo { "
    "number company url } } userErrors { field message } } }";
static const char Q_CANCEL[] =
    "mutation SbOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!, "
    "$notifyCustomer: Boolean, $refund: Boolean!) { orderCancel(orderId: $orderId, reason: "
    "$reason, restock: $restock, notifyCustomer: $notifyCustomer, refund: $refund) { job { id "
    "done } orderCancelUserErrors { field message code } } }";

/* An order with discounts, several tax lines and shipping: 2 x TEE at 25.00 less 5.00,
 * taxes 9.00 + 1.00 on the line, 1 x a custom item at 3.50, shipping 5.00 taxed 1.00.
 * Subtotal 48.50, tax 11.00, total 64.50. */
static const char RICH_ORDER[] =
    "{\"email\":\"Ada@Example.com\",\"customer\":{\"first_name\":\"Ada\",\"last_name\":"
    "\"Lovelace\"},\"line_items\":[{\"sku\":\"TEE\",\"quantity\":2,\"discount_allocations\":[{"
    "\"amount\":\"5.00\"}],\"tax_lines\":[{\"title\":\"State\",\"rate\":0.06,\"price\":\"9.00\"},"
    "{\"title\":\"City\",\"rate\":0.02,\"price\":\"1.00\"}]},{\"title\":\"Gift card "
    "sleeve\",\"price\":\"3.50\",\"quantity\":1,\"requires_shipping\":false}],"
    "\"shipping_lines\":[{\"title\":\"Standard\",\"code\":\"STD\",\"price\":\"5.00\","
    "\"tax_lines\":[{\"title\":\"State\",\"rate\":0.06,\"price\":\"1.00\"}]}],"
    "\"shipping_address\":{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"address1\":\"1 "
    "Main St\",\"city\":\"Boston\",\"province_code\":\"MA\",\"zip\":\"02108\",\"country_code\":"
    "\"US\"},\"note\":\"Leave at the door\",\"note_attributes\":[{\"name\":\"gift\",\"value\":"
    "\"yes\"}]%s}";

static struct fake F;
static struct receiver R;

static void setup(void)
{
    rx_start(&R);
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/hooks", R.port);
    const char *args[] = {
        "--token", TOKEN,   "--secret", SECRET,      "--shop-domain",    DOMAIN, "--webhook-url",
        url,       "--sku", "TEE,MUG",  "--id-base", "9007199254740993", NULL
    };
    fake_start(&F, args);
}

static void teardown(void)
{
    fake_stop(&F);
    rx_stop(&R);
}

TestSuite(fakestore, .init = setup, .fini = teardown, .timeout = 120);

static json_t *place(const char *extra)
{
    char body[4096];
    snprintf(body, sizeof(body), RICH_ORDER, extra ? extra : "");
    return ctl(&F, "POST", "/_fake/orders", body, 201);
}

static long long place_id(const char *extra)
{
    json_t *o = place(extra);
    long long id = ji(o, "id");
    json_decref(o);
    return id;
}

/* ---------------------------------------------------------------- process */

Test(fakestore, first_line_banner_and_clean_stop_on_sigint)
{
    cr_expect_gt(F.port, 0);
    json_t *j = ctl(&F, "GET", "/", NULL, 200);
    cr_expect_str_eq(js(j, "fakestore"), "shopify");
    cr_expect_str_eq(js(j, "shop_domain"), DOMAIN);
    json_decref(j);
    kill(F.pid, SIGINT);
    cr_expect_eq(reap(F.pid), 0);
    F.pid = 0;
}

/* Without --id-base a shop starts its ids where an earlier run cannot have reached, so an
 * engine that keeps its orders across restarts never sees an id again. */
Test(fakestore, a_restarted_shop_never_reuses_order_ids)
{
    long long first[2];
    for (int run = 0; run < 2; run++) {
        struct fake g = { 0 };
        const char *args[] = { "--sku", "TEE", NULL };
        fake_start(&g, args);
        json_t *o =
            ctl(&g, "POST", "/_fake/orders",
                "{\"webhooks\":false,\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1}]}", 201);
        first[run] = ji(o, "id");
        json_decref(o);
        for (int i = 0; i < 5; i++)
            json_decref(ctl(&g, "POST", "/_fake/orders",
                            "{\"webhooks\":false,\"line_items\":[{\"sku\":\"TEE\","
                            "\"quantity\":1}]}",
                            201));
        fake_stop(&g);
    }
    cr_expect_gt(first[0], 9007199254740993LL);
    cr_expect_geq(first[1], first[0] + 6, "second run %lld, first %lld", first[1], first[0]);
}

Test(fakestore, bad_flags_exit_2_without_listening)
{
    const char *const bad[][3] = {
        { "--listen", "0.0.0.0:0", NULL }, /* not loopback */
        { "--budget", "lots", NULL },         { "--restore", "-1", NULL },
        { "--orders-per-minute", "5", NULL }, /* demo mode without a catalogue */
        { "--webhook-url", "ftp://x", NULL }, { "--token", "", NULL },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char line[256];
        pid_t pid = spawn(bad[i], line, sizeof(line), NULL);
        cr_expect_str_eq(line, "", "%s %s printed a banner", bad[i][0], bad[i][1]);
        cr_expect_eq(reap(pid), 2, "%s %s", bad[i][0], bad[i][1]);
    }
}

Test(fakestore, skus_file_with_a_header_is_the_catalogue)
{
    char path[] = "/tmp/fakestore-skus-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const char csv[] = "sku,name,upc,ean,price:Default\n"
                       "TEE-BLK,Black tee,061414100011,,19.99\n"
                       "MUG-WHT,\"White mug, large\",,4006381000014,12.50\n";
    cr_assert_eq(write(fd, csv, sizeof(csv) - 1), (ssize_t)(sizeof(csv) - 1));
    close(fd);
    struct fake g = { 0 };
    const char *args[] = { "--skus", path, NULL };
    fake_start(&g, args);
    json_t *p = ctl(&g, "GET", "/_fake/products", NULL, 200);
    cr_expect_eq(json_array_size(jp(p, "products")), 2);
    cr_expect_str_eq(js(p, "products[0].sku"), "TEE-BLK");
    cr_expect_str_eq(js(p, "products[0].title"), "Black tee");
    cr_expect_str_eq(js(p, "products[0].price"), "19.99");
    cr_expect_str_eq(js(p, "products[0].barcode"), "061414100011");
    cr_expect_str_eq(js(p, "products[1].title"), "White mug, large");
    cr_expect_str_eq(js(p, "products[1].barcode"), "4006381000014");
    json_decref(p);
    fake_stop(&g);

    /* A bad price names the line and refuses to start. */
    fd = open(path, O_WRONLY | O_TRUNC);
    const char bad[] = "TEE,Tee,19.999\n";
    cr_assert_eq(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
    close(fd);
    char line[256];
    pid_t pid = spawn(args, line, sizeof(line), NULL);
    cr_expect_eq(reap(pid), 2);
    unlink(path);
}

/* ---------------------------------------------------------------- GraphQL (SP2) */

Test(fakestore, sp2_wrong_or_missing_token_is_401)
{
    struct resp r =
        gql_as(&F, "shpat_wrong", "SbOrder", Q_ORDER, "{\"id\":\"gid://shopify/Order/1\"}");
    cr_expect_eq(r.status, 401);
    cr_expect_str_eq(js(r.json, "errors"),
                     "[API] Invalid API key or access token (unrecognized login or wrong "
                     "password)");
    resp_free(&r);
    r = gql_as(&F, NULL, "SbOrder", Q_ORDER, "{\"id\":\"gid://shopify/Order/1\"}");
    cr_expect_eq(r.status, 401);
    resp_free(&r);
    json_t *q = ctl(&F, "GET", "/_fake/requests", NULL, 200);
    cr_expect_eq(ji(q, "unauthorized"), 2);
    cr_expect_eq(ji(q, "total"), 2);
    json_decref(q);
}

Test(fakestore, sp2_order_shape_money_and_ids_beyond_2_53)
{
    long long id = place_id(",\"webhooks\":false");
    cr_expect_eq(id, 9007199254740993LL); /* 2^53 + 1: a double would round it */
    char vars[128];
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    json_t *j = gql_ok(&F, "SbOrder", Q_ORDER_FULL, vars);
    json_t *o = jp(j, "data.order");
    cr_expect_str_eq(js(o, "id"), "gid://shopify/Order/9007199254740993");
    cr_expect_str_eq(js(o, "legacyResourceId"), "9007199254740993");
    cr_expect_str_eq(js(o, "name"), "#1001");
    cr_expect_str_eq(js(o, "email"), "Ada@Example.com");
    cr_expect_str_eq(js(o, "displayFinancialStatus"), "PAID");
    cr_expect_str_eq(js(o, "displayFulfillmentStatus"), "UNFULFILLED");
    cr_expect_str_eq(js(o, "currencyCode"), "USD");
    cr_expect_str_eq(js(o, "subtotalPriceSet.shopMoney.amount"), "48.50");
    cr_expect_str_eq(js(o, "subtotalPriceSet.shopMoney.currencyCode"), "USD");
    cr_expect_str_eq(js(o, "totalDiscountsSet.shopMoney.amount"), "5.00");
    cr_expect_str_eq(js(o, "totalTaxSet.shopMoney.amount"), "11.00");
    cr_expect_str_eq(js(o, "totalShippingPriceSet.shopMoney.amount"), "5.00");
    cr_expect_str_eq(js(o, "totalPriceSet.shopMoney.amount"), "64.50");
    cr_expect_str_eq(js(o, "totalOutstandingSet.shopMoney.amount"), "0.00");
    cr_expect_str_eq(js(o, "customer.firstName"), "Ada");
    cr_expect_str_eq(js(o, "shippingAddress.name"), "Ada Lovelace");
    cr_expect_str_eq(js(o, "shippingAddress.countryCodeV2"), "US");
    cr_expect_str_eq(js(o, "shippingAddress.provinceCode"), "MA");
    cr_expect_str_eq(js(o, "shippingLine.title"), "Standard");
    cr_expect_str_eq(js(o, "shippingLine.originalPriceSet.shopMoney.amount"), "5.00");
    cr_expect_str_eq(js(o, "shippingLine.taxLines[0].priceSet.shopMoney.amount"), "1.00");
    cr_expect_str_eq(js(o, "customAttributes[0].key"), "gift");
    cr_expect_str_eq(js(o, "paymentGatewayNames[0]"), "shopify_payments");
    json_t *l0 = jp(o, "lineItems.nodes[0]");
    cr_expect_eq(strncmp(js(l0, "id"), "gid://shopify/LineItem/", 23), 0);
    cr_expect_str_eq(js(l0, "sku"), "TEE");
    cr_expect_eq(ji(l0, "quantity"), 2);
    cr_expect_str_eq(js(l0, "originalUnitPriceSet.shopMoney.amount"), "25.00");
    cr_expect_str_eq(js(l0, "discountAllocations[0].allocatedAmountSet.shopMoney.amount"), "5.00");
    cr_expect_eq(json_array_size(jp(l0, "taxLines")), 2);
    cr_expect_str_eq(js(l0, "taxLines[1].title"), "City");
    cr_expect(json_is_object(jp(l0, "variant")));
    json_t *l1 = jp(o, "lineItems.nodes[1]");
    cr_expect(json_is_null(jp(l1, "sku")));
    cr_expect(json_is_null(jp(l1, "variant"))); /* a custom item */
    cr_expect(json_is_false(jp(l1, "requiresShipping")));
    cr_expect_str_eq(js(o, "transactions[0].kind"), "SALE");
    cr_expect_str_eq(js(o, "transactions[0].status"), "SUCCESS");
    cr_expect_str_eq(js(o, "transactions[0].amountSet.shopMoney.amount"), "64.50");
    /* Every answer carries its cost, by Shopify's rules (issue 11, WIRE.md "cost"): order 1,
     * customAttributes 1, six MoneyBags 2 each, taxLines 1 + priceSet 2, customer 1,
     * shippingAddress 1, shippingLine 1 + 2 + 2 + 3; lineItems 2 + 20 x (1 + variant 1 + 2 +
     * discountAllocations 3 + taxLines 3); transactions 10 x 3; refunds 2 x (1 +
     * refundLineItems (2 + 20 x 6) + transactions (2 + 5 x 3)); fulfillments 5 x 2: 549.
     * Actual: the same walk over what was returned (2 lines, 1 transaction, no refund, no
     * fulfillment): the order's own fields 1 + 1 + 12 + 3 + 1 + 1 + 8 = 27; lineItems 2 +
     * line 1 (1 + variant 1 + 2 + discountAllocations 3 + taxLines 3) + line 2, a custom
     * item (1 + null variant 1 + 2 + empty discountAllocations 1 + empty taxLines 1) = 18;
     * transactions 1 x 3; refunds and fulfillments 0: 48. */
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 549);
    cr_expect_eq(ji(j, "extensions.cost.actualQueryCost"), 48);
    cr_expect(json_real_value(jp(j, "extensions.cost.throttleStatus.maximumAvailable")) == 1000.0);
    cr_expect(json_real_value(jp(j, "extensions.cost.throttleStatus.restoreRate")) == 50.0);
    long long avail = ji(j, "extensions.cost.throttleStatus.currentlyAvailable");
    long long spent = ji(j, "extensions.cost.actualQueryCost");
    cr_expect(avail >= 1000 - spent && avail <= 1000, "currentlyAvailable %lld", avail);
    json_decref(j);

    /* The REST rendering of the same record. */
    char path[64];
    snprintf(path, sizeof(path), "/_fake/orders/%lld", id);
    json_t *rest = ctl(&F, "GET", path, NULL, 200);
    cr_expect_eq(ji(rest, "id"), 9007199254740993LL);
    cr_expect_str_eq(js(rest, "total_price"), "64.50");
    cr_expect_str_eq(js(rest, "total_price_set.shop_money.amount"), "64.50");
    cr_expect_str_eq(js(rest, "subtotal_price"), "48.50");
    cr_expect_str_eq(js(rest, "total_tax"), "11.00");
    cr_expect_str_eq(js(rest, "total_discounts"), "5.00");
    cr_expect_str_eq(js(rest, "line_items[0].total_discount"), "0.00"); /* Shopify's quirk */
    cr_expect_str_eq(js(rest, "line_items[0].discount_allocations[0].amount"), "5.00");
    cr_expect_str_eq(js(rest, "tax_lines[0].title"), "State");
    cr_expect_str_eq(js(rest, "tax_lines[0].price"), "10.00"); /* line 9.00 + shipping 1.00 */
    cr_expect_str_eq(js(rest, "tax_lines[1].price"), "1.00");
    cr_expect_str_eq(js(rest, "shipping_lines[0].price"), "5.00");
    cr_expect_str_eq(js(rest, "financial_status"), "paid");
    cr_expect(json_is_null(jp(rest, "fulfillment_status")));
    /* REST times carry the shop's offset, GraphQL's are UTC. */
    cr_expect_eq(strlen(js(rest, "created_at")), 25);
    cr_expect_str_eq(js(rest, "created_at") + 19, "-05:00");
    json_decref(rest);
}

Test(fakestore, sp2_orders_paginate_by_updated_at_with_opaque_cursors)
{
    for (int i = 0; i < 5; i++)
        json_decref(place(",\"webhooks\":false"));
    json_t *j = gql_ok(&F, "SbOrders", Q_ORDERS, "{\"first\":2}");
    cr_expect_eq(json_array_size(jp(j, "data.orders.nodes")), 2);
    cr_expect_str_eq(js(j, "data.orders.nodes[0].name"), "#1001");
    cr_expect_str_eq(js(j, "data.orders.nodes[1].name"), "#1002");
    cr_expect(json_is_true(jp(j, "data.orders.pageInfo.hasNextPage")));
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 4);
    char vars[512];
    snprintf(vars, sizeof(vars), "{\"first\":2,\"after\":\"%s\"}",
             js(j, "data.orders.pageInfo.endCursor"));
    json_decref(j);
    j = gql_ok(&F, "SbOrders", Q_ORDERS, vars);
    cr_expect_str_eq(js(j, "data.orders.nodes[0].name"), "#1003");
    cr_expect_str_eq(js(j, "data.orders.nodes[1].name"), "#1004");
    snprintf(vars, sizeof(vars), "{\"first\":2,\"after\":\"%s\"}",
             js(j, "data.orders.pageInfo.endCursor"));
    json_decref(j);
    j = gql_ok(&F, "SbOrders", Q_ORDERS, vars);
    cr_expect_eq(json_array_size(jp(j, "data.orders.nodes")), 1);
    cr_expect_str_eq(js(j, "data.orders.nodes[0].name"), "#1005");
    cr_expect(json_is_false(jp(j, "data.orders.pageInfo.hasNextPage")));
    cr_expect_eq(ji(j, "extensions.cost.actualQueryCost"), 3);
    json_decref(j);

    struct resp r = gql(&F, "SbOrders", Q_ORDERS, "{\"first\":2,\"after\":\"not-a-cursor\"}");
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(js(r.json, "errors[0].message"),
                     "Invalid cursor for current pagination sort.");
    cr_expect(!jp(r.json, "data"), "%s", r.body);
    resp_free(&r);
    r = gql(&F, "SbOrders", Q_ORDERS, "{\"first\":251}");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "INVALID_VARIABLE");
    resp_free(&r);
    r = gql(&F, "SbOrders", Q_ORDERS, "{\"first\":\"2\"}");
    cr_expect_str_eq(js(r.json, "errors[0].message"),
                     "Variable $first of type Int! was provided invalid value");
    resp_free(&r);
}

Test(fakestore, sp2_updated_at_filter_sees_later_changes_only)
{
    long long first = place_id(",\"webhooks\":false");
    json_decref(place(",\"webhooks\":false"));
    json_decref(place(",\"webhooks\":false"));
    json_t *all = gql_ok(&F, "SbOrders", Q_ORDERS, "{\"first\":10}");
    char vars[256];
    snprintf(vars, sizeof(vars), "{\"first\":10,\"query\":\"updated_at:>'%s'\"}",
             js(all, "data.orders.nodes[1].updatedAt"));
    json_t *j = gql_ok(&F, "SbOrders", Q_ORDERS, vars);
    cr_expect_eq(json_array_size(jp(j, "data.orders.nodes")), 1);
    cr_expect_str_eq(js(j, "data.orders.nodes[0].name"), "#1003");
    json_decref(j);

    /* A change moves the order past the filter's time, to the end of the sort. */
    char path[96];
    snprintf(path, sizeof(path), "/_fake/orders/%lld/update", first);
    json_decref(ctl(&F, "POST", path, "{\"note\":\"changed\",\"webhooks\":false}", 200));
    j = gql_ok(&F, "SbOrders", Q_ORDERS, vars);
    cr_expect_eq(json_array_size(jp(j, "data.orders.nodes")), 2);
    cr_expect_str_eq(js(j, "data.orders.nodes[0].name"), "#1003");
    cr_expect_str_eq(js(j, "data.orders.nodes[1].name"), "#1001");
    json_decref(j);

    snprintf(vars, sizeof(vars), "{\"first\":10,\"query\":\"updated_at:>=\\\"%s\\\"\"}",
             js(all, "data.orders.nodes[1].updatedAt"));
    j = gql_ok(&F, "SbOrders", Q_ORDERS, vars);
    cr_expect_eq(json_array_size(jp(j, "data.orders.nodes")), 3);
    json_decref(j);
    json_decref(all);

    /* status: is modelled now (open: not cancelled), so it filters rather than refuses */
    j = gql_ok(&F, "SbOrders", Q_ORDERS, "{\"first\":10,\"query\":\"status:open\"}");
    cr_expect_eq(json_array_size(jp(j, "data.orders.nodes")), 3);
    json_decref(j);
    struct resp r =
        gql(&F, "SbOrders", Q_ORDERS, "{\"first\":10,\"query\":\"updated_at:>'yesterday'\"}");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "BAD_REQUEST");
    resp_free(&r);
}

/* Nested lists are cut at the document's own `first`, and a cut connection says so in
 * pageInfo, as Shopify does: the engine learns an order was truncated. */
Test(fakestore, sp2_nested_lists_honour_their_first)
{
    char body[4096];
    size_t len = (size_t)snprintf(body, sizeof(body), "{\"webhooks\":false,\"line_items\":[");
    for (int i = 0; i < 12; i++)
        len += (size_t)snprintf(body + len, sizeof(body) - len,
                                "%s{\"title\":\"Item %d\",\"price\":\"1.00\",\"quantity\":2}",
                                i ? "," : "", i);
    snprintf(body + len, sizeof(body) - len, "]}");
    json_t *o = ctl(&F, "POST", "/_fake/orders", body, 201);
    long long id = ji(o, "id"), line11 = ji(o, "line_items[11].id");
    json_decref(o);
    char path[96], refund[160];
    snprintf(path, sizeof(path), "/_fake/orders/%lld/refund", id);
    snprintf(refund, sizeof(refund),
             "{\"webhooks\":false,\"lines\":[{\"line_item_id\":%lld,\"quantity\":1}]}", line11);
    json_decref(ctl(&F, "POST", path, refund, 200));

    const char *q_small = "query SbOrders($first: Int!) { orders(first: $first) { nodes { id "
                          "lineItems(first: 10) { pageInfo { hasNextPage } nodes { id } } "
                          "transactions(first: 1) { id } refunds(first: 5) { id "
                          "refundLineItems(first: 5) { pageInfo { hasNextPage } nodes { quantity } "
                          "} transactions(first: 3) { pageInfo { hasNextPage } nodes { kind } } } "
                          "fulfillments(first: 2) { id } } } }";
    json_t *j = gql_ok(&F, "SbOrders", q_small, "{\"first\":1}");
    json_t *n = jp(j, "data.orders.nodes[0]");
    cr_expect_eq(json_array_size(jp(n, "lineItems.nodes")), 10);
    cr_expect(json_is_true(jp(n, "lineItems.pageInfo.hasNextPage")));
    cr_expect_eq(json_array_size(jp(n, "transactions")), 1); /* sale and refund: cut to 1 */
    cr_expect_eq(json_array_size(jp(n, "refunds[0].refundLineItems.nodes")), 1);
    cr_expect(json_is_false(jp(n, "refunds[0].refundLineItems.pageInfo.hasNextPage")));
    cr_expect_str_eq(js(n, "refunds[0].transactions.nodes[0].kind"), "REFUND");
    json_decref(j);

    char vars[96];
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    j = gql_ok(&F, "SbOrder",
               "query SbOrder($id: ID!) { order(id: $id) { lineItems(first: 30) { pageInfo { "
               "hasNextPage } nodes { id } } transactions(first: 50) { id } } }",
               vars);
    cr_expect_eq(json_array_size(jp(j, "data.order.lineItems.nodes")), 12);
    cr_expect(json_is_false(jp(j, "data.order.lineItems.pageInfo.hasNextPage")));
    cr_expect_eq(json_array_size(jp(j, "data.order.transactions")), 2);
    json_decref(j);
}

Test(fakestore, sp2_single_order_unknown_and_malformed_ids)
{
    json_t *j = gql_ok(&F, "SbOrder", Q_ORDER, "{\"id\":\"gid://shopify/Order/42\"}");
    cr_expect(json_is_null(jp(j, "data.order")));
    cr_expect_eq(ji(j, "extensions.cost.actualQueryCost"), 1);
    json_decref(j);
    struct resp r = gql(&F, "SbOrder", Q_ORDER, "{\"id\":\"gid://shopify/Product/42\"}");
    cr_expect_str_eq(js(r.json, "errors[0].message"),
                     "Invalid global id 'gid://shopify/Product/42'");
    resp_free(&r);
    r = gql(&F, "SbOrder", Q_ORDER, "{\"id\":\"gid://shopify/Order/99999999999999999999\"}");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "argumentLiteralsIncompatible");
    resp_free(&r);
    r = gql(&F, "SbOrder", Q_ORDER, NULL);
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "INVALID_VARIABLE");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.problems[0].explanation"),
                     "Expected value to not be null");
    /* Errors cost nothing but still report the bucket. */
    cr_expect_eq(ji(r.json, "extensions.cost.requestedQueryCost"), 0);
    resp_free(&r);
}

Test(fakestore, sp2_malformed_graphql_requests)
{
    const char *bad[] = { "not json", "[1,2]", "{\"operationName\":\"SbOrder\"}",
                          "{\"query\":\"query SbOrder { x }\",\"variables\":[1]}" };
    for (size_t i = 0; i < 4; i++) {
        struct resp r =
            http_raw(&F, "POST", GQL, TOKEN, "application/json", bad[i], strlen(bad[i]));
        cr_expect_eq(r.status, 400, "%s", bad[i]);
        cr_expect_str_eq(js(r.json, "errors.query"), "Required parameter missing or invalid");
        resp_free(&r);
    }
    /* operationName must name an operation of the document. */
    struct resp r = gql(&F, "SbOrders", Q_ORDER, "{\"id\":\"gid://shopify/Order/1\"}");
    cr_expect_str_eq(js(r.json, "errors[0].message"), "No operation named \"SbOrders\"");
    resp_free(&r);
    /* the document is validated against the schema: a field Mutation does not have */
    r = gql(&F, "SbProductCreate", "mutation SbProductCreate { x }", NULL);
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "undefinedField");
    cr_expect_str_eq(js(r.json, "errors[0].message"), "Field 'x' doesn't exist on type 'Mutation'");
    resp_free(&r);
    r = gql(&F, "SbOrder", "mutation SbOrder($id: ID!) { x }",
            "{\"id\":\"gid://shopify/Order/1\"}");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "undefinedField");
    resp_free(&r);
    /* Without operationName, the document's operation is used. */
    const char body[] = "{\"query\":\"query SbOrder($id: ID!) { order(id: $id) { id } }\","
                        "\"variables\":{\"id\":\"gid://shopify/Order/1\"}}";
    r = http_raw(&F, "POST", GQL, TOKEN, "application/json", body, sizeof(body) - 1);
    cr_expect_eq(r.status, 200);
    cr_expect(json_is_null(jp(r.json, "data.order")), "%s", r.body);
    resp_free(&r);
    r = http_raw(&F, "POST", GQL, TOKEN, "text/plain", body, sizeof(body) - 1);
    cr_expect_eq(r.status, 415);
    resp_free(&r);
    r = http_raw(&F, "GET", GQL, TOKEN, NULL, NULL, 0);
    cr_expect_eq(r.status, 405);
    resp_free(&r);
    r = http_raw(&F, "POST", "/admin/api/latest/graphql.json", TOKEN, "application/json", body,
                 sizeof(body) - 1);
    cr_expect_eq(r.status, 404);
    resp_free(&r);
    r = http_raw(&F, "POST", "/admin/api/unstable/graphql.json", TOKEN, "application/json", body,
                 sizeof(body) - 1);
    cr_expect_eq(r.status, 200);
    resp_free(&r);
    /* A body over 1 MiB is refused before it is read. */
    size_t big = 1024 * 1024 + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    r = http_raw(&F, "POST", GQL, TOKEN, "application/json", huge, big);
    cr_expect_eq(r.status, 413);
    resp_free(&r);
    free(huge);
}

Test(fakestore, sp2_throttled_when_the_budget_is_spent)
{
    long long id = place_id(",\"webhooks\":false");
    /* order(id) { id name } costs 1: one object, scalars free */
    json_decref(ctl(&F, "POST", "/_fake/config", "{\"budget\":2,\"restore\":0}", 200));
    char vars[96];
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    json_t *j = gql_ok(&F, "SbOrder", Q_ORDER, vars);
    cr_expect_eq(ji(j, "extensions.cost.throttleStatus.currentlyAvailable"), 1);
    json_decref(j);
    json_decref(gql_ok(&F, "SbOrder", Q_ORDER, vars));
    struct resp r = gql(&F, "SbOrder", Q_ORDER, vars);
    cr_expect_eq(r.status, 200);
    cr_expect(!jp(r.json, "data"));
    cr_expect_str_eq(js(r.json, "errors[0].message"), "Throttled");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "THROTTLED");
    cr_expect_eq(ji(r.json, "extensions.cost.requestedQueryCost"), 1);
    cr_expect(json_is_null(jp(r.json, "extensions.cost.actualQueryCost")));
    cr_expect_eq(ji(r.json, "extensions.cost.throttleStatus.currentlyAvailable"), 0);
    cr_expect(json_real_value(jp(r.json, "extensions.cost.throttleStatus.maximumAvailable")) ==
              2.0);
    resp_free(&r);
    /* A query dearer than the whole bucket can never run. */
    r = gql(&F, "SbOrders", Q_ORDERS, "{\"first\":10}");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "MAX_COST_EXCEEDED");
    resp_free(&r);
    /* Restoring refills the bucket. */
    json_decref(ctl(&F, "POST", "/_fake/config", "{\"restore\":1000000000}", 200));
    json_decref(gql_ok(&F, "SbOrder", Q_ORDER, vars));
    json_t *q = ctl(&F, "GET", "/_fake/requests", NULL, 200);
    cr_expect_eq(ji(q, "throttled"), 1);
    cr_expect_eq(ji(q, "by_operation.SbOrder"), 4);
    cr_expect_eq(ji(q, "by_operation.SbOrders"), 1);
    cr_expect_str_eq(js(q, "recent[2].outcome"), "throttled");
    cr_expect_str_eq(js(q, "recent[3].outcome"), "max_cost_exceeded");
    char want[96];
    snprintf(want, sizeof(want), "gid://shopify/Order/%lld", id);
    cr_expect_str_eq(js(q, "recent[0].variables.id"), want);
    cr_expect_str_eq(js(q, "recent[0].operation"), "SbOrder");
    json_decref(q);
}

Test(fakestore, sp2_throttle_fault_answers_throttled_n_times)
{
    json_decref(ctl(&F, "POST", "/_fake/faults", "{\"graphql\":{\"throttle\":2}}", 200));
    for (int i = 0; i < 2; i++) {
        struct resp r = gql(&F, "SbOrder", Q_ORDER, "{\"id\":\"gid://shopify/Order/1\"}");
        cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "THROTTLED");
        resp_free(&r);
    }
    json_decref(gql_ok(&F, "SbOrder", Q_ORDER, "{\"id\":\"gid://shopify/Order/1\"}"));
    json_t *f = ctl(&F, "GET", "/_fake/faults", NULL, 200);
    cr_expect_eq(ji(f, "graphql.throttle"), 0);
    json_decref(f);
}

Test(fakestore, sp2_faults_429_500_slow_and_cut_connections)
{
    const char *v = "{\"id\":\"gid://shopify/Order/1\"}";
    json_decref(
        ctl(&F, "POST", "/_fake/faults", "{\"graphql\":{\"status\":429,\"count\":2}}", 200));
    for (int i = 0; i < 2; i++) {
        struct resp r = gql(&F, "SbOrder", Q_ORDER, v);
        cr_expect_eq(r.status, 429);
        cr_expect_str_eq(r.retry_after, "1.0");
        resp_free(&r);
    }
    json_decref(gql_ok(&F, "SbOrder", Q_ORDER, v));

    json_decref(ctl(&F, "POST", "/_fake/faults", "{\"graphql\":{\"status\":500}}", 200));
    struct resp r = gql(&F, "SbOrder", Q_ORDER, v);
    cr_expect_eq(r.status, 500);
    resp_free(&r);
    json_decref(ctl(&F, "POST", "/_fake/faults", "{\"graphql\":{\"status\":503}}", 200));
    r = gql(&F, "SbOrder", Q_ORDER, v);
    cr_expect_eq(r.status, 503);
    resp_free(&r);

    json_decref(ctl(&F, "POST", "/_fake/faults", "{\"graphql\":{\"cut\":true}}", 200));
    r = gql(&F, "SbOrder", Q_ORDER, v);
    cr_expect_eq(r.rc, CURLE_GOT_NOTHING, "curl said %d", (int)r.rc);
    cr_expect_eq(r.status, 0);
    resp_free(&r);

    json_decref(ctl(&F, "POST", "/_fake/faults", "{\"graphql\":{\"delay_ms\":300}}", 200));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    r = gql(&F, "SbOrder", Q_ORDER, v);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (long)(b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    cr_expect_eq(r.status, 200);
    cr_expect_geq(ms, 300);
    resp_free(&r);

    json_t *q = ctl(&F, "GET", "/_fake/requests", NULL, 200);
    cr_expect_eq(ji(q, "faulted"), 5); /* 2 x 429, 500, 503, cut; the slow one answered */
    cr_expect_eq(ji(q, "total"), 7);
    json_decref(q);
    ctl_error(&F, "POST", "/_fake/faults", "{\"graphql\":{\"status\":200}}", 422, "invalid_field",
              "graphql.status");
    ctl_error(&F, "POST", "/_fake/faults", "{\"webhooks\":{\"lose\":1}}", 422, "invalid_field",
              "webhooks.lose");
}

/* ---------------------------------------------------------------- webhooks (SP1) */

Test(fakestore, sp1_webhooks_carry_shopify_headers_and_a_valid_hmac)
{
    json_t *o = place(NULL);
    long long id = ji(o, "id");
    json_decref(o);
    /* Deliveries are done when the control call returns. */
    cr_assert_eq(rx_count(&R), 2);
    struct hook *c = &R.hooks[0], *p = &R.hooks[1];
    cr_expect_str_eq(c->topic, "orders/create");
    cr_expect_str_eq(p->topic, "orders/paid"); /* created already paid: create, then paid */
    for (int i = 0; i < 2; i++) {
        struct hook *h = &R.hooks[i];
        cr_expect(hmac_ok(h, SECRET), "%s: bad HMAC %s", h->topic, h->hmac);
        cr_expect(!hmac_ok(h, "another secret"));
        cr_expect_str_eq(h->domain, DOMAIN);
        cr_expect_str_eq(h->version, "2026-10");
        cr_expect_str_eq(h->content_type, "application/json");
        cr_expect_eq(strlen(h->event_id), 36);
        cr_expect_eq(strlen(h->webhook_id), 36);
        cr_expect_eq(strlen(h->triggered), 24, "%s", h->triggered);
        json_t *b = hook_json(h);
        cr_expect_eq(ji(b, "id"), id);
        cr_expect_str_eq(js(b, "name"), "#1001");
        cr_expect_str_eq(js(b, "total_price"), "64.50");
        cr_expect_str_eq(js(b, "financial_status"), "paid");
        cr_expect_str_eq(js(b, "customer.email"), "Ada@Example.com");
        cr_expect(ji(b, "line_items[0].id") > 9007199254740993LL);
        json_decref(b);
    }
    cr_expect_str_neq(c->event_id, p->event_id);
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_eq(json_array_size(jp(d, "deliveries")), 2);
    cr_expect_str_eq(js(d, "deliveries[0].topic"), "orders/create");
    cr_expect_str_eq(js(d, "deliveries[0].event_id"), c->event_id);
    cr_expect_eq(ji(d, "deliveries[0].status"), 200);
    cr_expect_eq(ji(d, "deliveries[0].attempts"), 1);
    cr_expect_eq(ji(d, "deliveries[0].order_id"), id);
    cr_expect(json_is_true(jp(d, "deliveries[1].ok")));
    json_decref(d);
}

Test(fakestore, sp1_duplicates_share_the_event_id)
{
    json_decref(place(",\"financial_status\":\"pending\",\"gateway\":\"Cash on Delivery "
                      "(COD)\",\"duplicate\":2"));
    cr_assert_eq(rx_count(&R), 3); /* pending: orders/create only, three times */
    for (int i = 0; i < 3; i++) {
        cr_expect_str_eq(R.hooks[i].topic, "orders/create");
        cr_expect_str_eq(R.hooks[i].event_id, R.hooks[0].event_id);
        cr_expect_eq(R.hooks[i].len, R.hooks[0].len);
        cr_expect(hmac_ok(&R.hooks[i], SECRET));
    }
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_eq(json_array_size(jp(d, "deliveries")), 1);
    cr_expect_eq(ji(d, "deliveries[0].attempts"), 3);
    json_decref(d);
}

/* O2 needs this: two copies of one event in flight at the same time. The receiver holds the
 * first until the second arrives, so sequential sends would fail with 504. */
Test(fakestore, sp1_concurrent_duplicates_are_in_flight_together)
{
    pthread_mutex_lock(&R.mu);
    R.hold_until = 2;
    pthread_mutex_unlock(&R.mu);
    json_decref(place(",\"financial_status\":\"pending\",\"duplicate\":1,\"concurrent\":true"));
    cr_assert_eq(rx_count(&R), 2);
    cr_expect_eq(R.hooks[0].answered, 200);
    cr_expect_eq(R.hooks[1].answered, 200);
    cr_expect_str_eq(R.hooks[0].event_id, R.hooks[1].event_id);
    cr_expect(hmac_ok(&R.hooks[0], SECRET));
    cr_expect(hmac_ok(&R.hooks[1], SECRET));
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_eq(ji(d, "deliveries[0].attempts"), 2);
    cr_expect_eq(ji(d, "deliveries[0].failures"), 0);
    cr_expect_eq(ji(d, "deliveries[0].status"), 200);
    cr_expect(json_is_true(jp(d, "deliveries[0].ok")));
    json_decref(d);
}

Test(fakestore, sp1_reverse_delivers_paid_before_create)
{
    json_decref(place(",\"reverse\":true"));
    cr_assert_eq(rx_count(&R), 2);
    cr_expect_str_eq(R.hooks[0].topic, "orders/paid");
    cr_expect_str_eq(R.hooks[1].topic, "orders/create");
}

Test(fakestore, sp1_dropped_delivery_is_recorded_and_redelivered_with_its_event_id)
{
    json_decref(ctl(&F, "POST", "/_fake/faults", "{\"webhooks\":{\"drop\":1}}", 200));
    json_decref(place(NULL));
    cr_assert_eq(rx_count(&R), 1);
    cr_expect_str_eq(R.hooks[0].topic, "orders/paid");
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect(json_is_true(jp(d, "deliveries[0].dropped")));
    cr_expect(json_is_false(jp(d, "deliveries[0].ok")));
    cr_expect_eq(ji(d, "deliveries[0].status"), 0);
    char body[128];
    snprintf(body, sizeof(body), "{\"event_id\":\"%s\"}", js(d, "deliveries[0].event_id"));
    json_t *again = ctl(&F, "POST", "/_fake/redeliver", body, 200);
    cr_expect(json_is_true(jp(again, "ok")));
    cr_expect_eq(ji(again, "attempts"), 2);
    cr_expect(json_is_false(jp(again, "dropped")));
    json_decref(again);
    cr_assert_eq(rx_count(&R), 2);
    cr_expect_str_eq(R.hooks[1].topic, "orders/create");
    cr_expect_str_eq(R.hooks[1].event_id, js(d, "deliveries[0].event_id"));
    cr_expect_str_eq(R.hooks[1].webhook_id, js(d, "deliveries[0].webhook_id"));
    cr_expect(hmac_ok(&R.hooks[1], SECRET));
    json_decref(d);
    ctl_error(&F, "POST", "/_fake/redeliver", "{\"event_id\":\"nope\"}", 404, "not_found", NULL);
    ctl_error(&F, "POST", "/_fake/redeliver", "{}", 422, "missing_field", "event_id");
}

Test(fakestore, sp1_bad_signature_fault_signs_wrongly_once)
{
    json_decref(ctl(&F, "POST", "/_fake/faults", "{\"webhooks\":{\"bad_signature\":1}}", 200));
    json_decref(place(NULL));
    cr_assert_eq(rx_count(&R), 2);
    cr_expect(!hmac_ok(&R.hooks[0], SECRET));
    cr_expect_eq(strlen(R.hooks[0].hmac), 44); /* still looks like a SHA-256 in base64 */
    cr_expect(hmac_ok(&R.hooks[1], SECRET));
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect(json_is_true(jp(d, "deliveries[0].bad_signature")));
    cr_expect(json_is_false(jp(d, "deliveries[1].bad_signature")));
    json_decref(d);
}

Test(fakestore, sp1_failed_delivery_is_recorded_not_retried)
{
    pthread_mutex_lock(&R.mu);
    R.answer = 500;
    pthread_mutex_unlock(&R.mu);
    json_decref(place(",\"financial_status\":\"pending\""));
    cr_assert_eq(rx_count(&R), 1);
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_eq(ji(d, "deliveries[0].status"), 500);
    cr_expect(json_is_false(jp(d, "deliveries[0].ok")));
    cr_expect_str_eq(js(d, "deliveries[0].error"), "answered with a non-2xx status");
    pthread_mutex_lock(&R.mu);
    R.answer = 200;
    pthread_mutex_unlock(&R.mu);
    char body[128];
    snprintf(body, sizeof(body), "{\"event_id\":\"%s\"}", js(d, "deliveries[0].event_id"));
    json_t *again = ctl(&F, "POST", "/_fake/redeliver", body, 200);
    cr_expect_eq(ji(again, "status"), 200);
    cr_expect_eq(ji(again, "attempts"), 2);
    cr_expect_eq(ji(again, "failures"), 1);
    json_decref(again);
    json_decref(d);
    cr_expect_eq(rx_count(&R), 2);
}

Test(fakestore, sp1_orders_without_webhooks_are_seen_only_by_polling)
{
    json_decref(place(",\"webhooks\":false"));
    cr_expect_eq(rx_count(&R), 0);
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_eq(json_array_size(jp(d, "deliveries")), 0);
    json_decref(d);
    json_t *j = gql_ok(&F, "SbOrders", Q_ORDERS, "{\"first\":5}");
    cr_expect_eq(json_array_size(jp(j, "data.orders.nodes")), 1);
    json_decref(j);
}

Test(fakestore, webhook_url_and_secret_change_at_runtime)
{
    json_decref(ctl(&F, "POST", "/_fake/config", "{\"secret\":\"rotated\"}", 200));
    json_decref(place(",\"financial_status\":\"pending\""));
    cr_assert_eq(rx_count(&R), 1);
    cr_expect(hmac_ok(&R.hooks[0], "rotated"));
    json_t *c = ctl(&F, "POST", "/_fake/config", "{\"webhook_url\":null}", 200);
    cr_expect(json_is_null(jp(c, "webhook_url")));
    cr_expect(!jp(c, "secret")); /* never echoed */
    json_decref(c);
    json_decref(place(",\"financial_status\":\"pending\""));
    cr_expect_eq(rx_count(&R), 1);
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_str_eq(js(d, "deliveries[1].error"), "no webhook_url configured");
    json_decref(d);
    ctl_error(&F, "POST", "/_fake/config", "{\"webhook_url\":\"file:///etc/passwd\"}", 422,
              "invalid_field", "webhook_url");
    ctl_error(&F, "POST", "/_fake/config", "{\"budget\":0}", 422, "invalid_field", "budget");
    ctl_error(&F, "POST", "/_fake/config", "{\"secret\":\"\"}", 422, "invalid_field", NULL);
}

/* ---------------------------------------------------------------- the control API */

Test(fakestore, pay_fulfill_refund_update_cancel_raise_their_webhooks)
{
    long long id = place_id(",\"financial_status\":\"pending\",\"gateway\":\"Cash on Delivery "
                            "(COD)\"");
    cr_assert_eq(rx_count(&R), 1);
    char path[96];

    snprintf(path, sizeof(path), "/_fake/orders/%lld/pay", id);
    json_t *o = ctl(&F, "POST", path, NULL, 200);
    cr_expect_str_eq(js(o, "financial_status"), "paid");
    cr_expect_str_eq(js(o, "total_outstanding"), "0.00");
    cr_expect_str_eq(js(o, "gateway"), "Cash on Delivery (COD)");
    json_decref(o);
    cr_assert_eq(rx_count(&R), 2);
    cr_expect_str_eq(R.hooks[1].topic, "orders/paid");
    ctl_error(&F, "POST", path, NULL, 409, "conflict", NULL);

    snprintf(path, sizeof(path), "/_fake/orders/%lld/fulfill", id);
    o = ctl(&F, "POST", path, "{\"tracking_number\":\"1Z999\",\"tracking_company\":\"UPS\"}", 200);
    cr_expect_str_eq(js(o, "fulfillment_status"), "fulfilled");
    cr_expect_str_eq(js(o, "fulfillments[0].tracking_number"), "1Z999");
    cr_expect_str_eq(js(o, "fulfillments[0].name"), "#1001.1");
    long long line0 = ji(o, "line_items[0].id");
    json_decref(o);
    cr_assert_eq(rx_count(&R), 4);
    cr_expect_str_eq(R.hooks[2].topic, "fulfillments/create");
    cr_expect_str_eq(R.hooks[3].topic, "orders/updated");
    json_t *f = hook_json(&R.hooks[2]);
    cr_expect_eq(ji(f, "order_id"), id);
    cr_expect_str_eq(js(f, "tracking_company"), "UPS");
    cr_expect_str_eq(js(f, "tracking_numbers[0]"), "1Z999");
    cr_expect_eq(ji(f, "line_items[0].quantity"), 2);
    json_decref(f);
    ctl_error(&F, "POST", path, NULL, 409, "conflict", NULL); /* nothing left */

    snprintf(path, sizeof(path), "/_fake/orders/%lld/refund", id);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_item_id\":%lld,\"quantity\":1,"
             "\"restock\":true}],\"note\":\"too small\"}",
             line0);
    o = ctl(&F, "POST", path, body, 200);
    cr_expect_str_eq(js(o, "financial_status"), "partially_refunded");
    json_decref(o);
    cr_assert_eq(rx_count(&R), 6);
    cr_expect_str_eq(R.hooks[4].topic, "refunds/create");
    cr_expect_str_eq(R.hooks[5].topic, "orders/updated");
    json_t *rf = hook_json(&R.hooks[4]);
    cr_expect_eq(ji(rf, "order_id"), id);
    cr_expect_str_eq(js(rf, "note"), "too small");
    cr_expect_eq(ji(rf, "refund_line_items[0].line_item_id"), line0);
    cr_expect_str_eq(js(rf, "refund_line_items[0].restock_type"), "return"); /* was fulfilled */
    /* (2 x 25.00 - 5.00) / 2 = 22.50, a number here as on Shopify; tax 10.00 / 2 */
    cr_expect(json_is_real(jp(rf, "refund_line_items[0].subtotal")));
    cr_expect(json_real_value(jp(rf, "refund_line_items[0].subtotal")) == 22.5);
    cr_expect_str_eq(js(rf, "refund_line_items[0].subtotal_set.shop_money.amount"), "22.50");
    cr_expect_str_eq(js(rf, "refund_line_items[0].total_tax_set.shop_money.amount"), "5.00");
    cr_expect_str_eq(js(rf, "transactions[0].kind"), "refund");
    cr_expect_str_eq(js(rf, "transactions[0].amount"), "27.50");
    json_decref(rf);
    ctl_error(&F, "POST", path, "{\"lines\":[{\"line_item_id\":1,\"quantity\":1}]}", 422,
              "unknown_reference", "lines[0].line_item_id");
    snprintf(body, sizeof(body), "{\"lines\":[{\"line_item_id\":%lld,\"quantity\":2}]}", line0);
    ctl_error(&F, "POST", path, body, 422, "invalid_field", "quantity"); /* only 1 left */
    ctl_error(&F, "POST", path, "{\"amount\":\"1000.00\"}", 422, "invalid_field", "amount");

    snprintf(path, sizeof(path), "/_fake/orders/%lld/update", id);
    o = ctl(&F, "POST", path, "{\"note\":\"ring twice\"}", 200);
    cr_expect_str_eq(js(o, "note"), "ring twice");
    json_decref(o);
    cr_assert_eq(rx_count(&R), 7);
    cr_expect_str_eq(R.hooks[6].topic, "orders/updated");
    ctl_error(&F, "POST", path, "{}", 422, "missing_field", NULL);

    snprintf(path, sizeof(path), "/_fake/orders/%lld/cancel", id);
    o = ctl(&F, "POST", path, "{\"reason\":\"fraud\"}", 200);
    cr_expect(json_is_string(jp(o, "cancelled_at")));
    cr_expect_str_eq(js(o, "cancel_reason"), "fraud");
    json_decref(o);
    cr_assert_eq(rx_count(&R), 8);
    cr_expect_str_eq(R.hooks[7].topic, "orders/cancelled");
    ctl_error(&F, "POST", path, NULL, 409, "conflict", NULL);

    /* Each change moved updated_at forward. */
    json_t *j = gql_ok(&F, "SbOrders", Q_ORDERS, "{\"first\":5}");
    json_t *full = hook_json(&R.hooks[7]);
    cr_expect_str_neq(js(full, "updated_at"), js(full, "created_at"));
    json_decref(full);
    json_decref(j);
}

Test(fakestore, partial_fulfilment_and_unpaid_cancel_void)
{
    long long id = place_id(",\"financial_status\":\"pending\",\"webhooks\":false");
    char path[96], body[160];
    snprintf(path, sizeof(path), "/_fake/orders/%lld", id);
    json_t *o = ctl(&F, "GET", path, NULL, 200);
    long long line0 = ji(o, "line_items[0].id");
    json_decref(o);
    snprintf(path, sizeof(path), "/_fake/orders/%lld/fulfill", id);
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_item_id\":%lld,\"quantity\":1}],"
             "\"webhooks\":false}",
             line0);
    o = ctl(&F, "POST", path, body, 200);
    cr_expect_str_eq(js(o, "fulfillment_status"), "partial");
    cr_expect_eq(ji(o, "line_items[0].fulfillable_quantity"), 1);
    json_decref(o);
    snprintf(path, sizeof(path), "/_fake/orders/%lld/cancel", id);
    o = ctl(&F, "POST", path, "{\"webhooks\":false}", 200);
    cr_expect_str_eq(js(o, "financial_status"), "voided");
    cr_expect_str_eq(js(o, "total_outstanding"), "0.00");
    json_decref(o);
    snprintf(path, sizeof(path), "/_fake/orders/%lld/fulfill", id);
    ctl_error(&F, "POST", path, NULL, 409, "conflict", NULL);
    cr_expect_eq(rx_count(&R), 0);
}

Test(fakestore, bad_control_input_changes_nothing)
{
    const struct {
        const char *body;
        long status;
        const char *code, *field;
    } cases[] = {
        { "not json", 400, "invalid_json", NULL },
        { "[]", 400, "invalid_json", NULL },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1}],\"bogus\":1}", 422, "invalid_field",
          "bogus" },
        { "{}", 422, "missing_field", "line_items" },
        { "{\"line_items\":[]}", 422, "invalid_field", "line_items" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":0}]}", 422, "invalid_field",
          "line_items[0].quantity" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1,\"price\":\"1.999\"}]}", 422,
          "invalid_field", "line_items[0].price" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1,\"price\":19.99}]}", 422,
          "invalid_field", "line_items[0].price" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1,\"price\":\"-1.00\"}]}", 422,
          "invalid_field", "line_items[0].price" },
        { "{\"line_items\":[{\"sku\":\"NOPE\",\"quantity\":1,\"price\":\"1.00\"}]}", 422,
          "missing_field", "line_items[0].title" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1,\"tax_lines\":[{\"price\":\"1.00\","
          "\"rate\":\"0.1\"}]}]}",
          422, "invalid_field", "rate" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1,\"discount_allocations\":[{"
          "\"amount\":\"26.00\"}]}]}",
          422, "invalid_field", "discount_allocations" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1}],\"currency\":\"usd\"}", 422,
          "invalid_field", "currency" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1}],\"financial_status\":\"refunded\"}",
          422, "invalid_field", "financial_status" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1}],\"duplicate\":11}", 422,
          "invalid_field", "duplicate" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1}],\"shipping_address\":{\"town\":"
          "\"X\"}}",
          422, "invalid_field", "shipping_address.town" },
        { "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":1}],\"shipping_lines\":[{\"price\":"
          "\"1.00\"}]}",
          422, "missing_field", "shipping_lines[0].title" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ctl_error(&F, "POST", "/_fake/orders", cases[i].body, cases[i].status, cases[i].code,
                  cases[i].field);
    ctl_error(&F, "GET", "/_fake/orders/123", NULL, 404, "not_found", NULL);
    ctl_error(&F, "POST", "/_fake/orders/123/pay", NULL, 404, "not_found", NULL);
    ctl_error(&F, "POST", "/_fake/orders/123/explode", NULL, 404, "not_found", NULL);
    ctl_error(&F, "POST", "/_fake/orders/abc/pay", NULL, 404, "not_found", NULL);
    ctl_error(&F, "GET", "/_fake/redeliver", NULL, 405, "method_not_allowed", NULL);
    ctl_error(&F, "DELETE", "/_fake/orders", NULL, 405, "method_not_allowed", NULL);
    ctl_error(&F, "GET", "/_fake/nothing", NULL, 404, "not_found", NULL);
    struct resp r = http(&F, "GET", "/admin/oauth", NULL);
    cr_expect_eq(r.status, 404);
    resp_free(&r);

    json_t *all = ctl(&F, "GET", "/_fake/orders", NULL, 200);
    cr_expect_eq(json_array_size(jp(all, "orders")), 0);
    json_decref(all);
    cr_expect_eq(rx_count(&R), 0);
    /* The first good order still gets the first number. */
    json_t *o = place(",\"webhooks\":false");
    cr_expect_str_eq(js(o, "name"), "#1001");
    json_decref(o);
}

Test(fakestore, catalogue_fills_lines_and_unknown_skus_stay_custom)
{
    json_t *p = ctl(&F, "POST", "/_fake/products",
                    "{\"sku\":\"CAP\",\"title\":\"Cap\",\"price\":\"12.00\",\"barcode\":"
                    "\"0614141000012\"}",
                    201);
    cr_expect_eq(strncmp(js(p, "variant_gid"), "gid://shopify/ProductVariant/", 29), 0);
    cr_expect_str_eq(js(p, "price"), "12.00");
    json_decref(p);
    ctl_error(&F, "POST", "/_fake/products", "{\"sku\":\"CAP\"}", 409, "duplicate", "sku");
    json_t *o = ctl(&F, "POST", "/_fake/orders",
                    "{\"webhooks\":false,\"line_items\":[{\"sku\":\"CAP\",\"quantity\":3},"
                    "{\"sku\":\"ZZZ-UNKNOWN\",\"title\":\"Mystery\",\"price\":\"1.00\","
                    "\"quantity\":1}]}",
                    201);
    cr_expect_str_eq(js(o, "line_items[0].title"), "Cap");
    cr_expect_str_eq(js(o, "line_items[0].price"), "12.00");
    cr_expect(json_is_integer(jp(o, "line_items[0].variant_id")));
    cr_expect(json_is_null(jp(o, "line_items[1].variant_id")));
    cr_expect(json_is_null(jp(o, "email")));
    cr_expect(json_is_null(jp(o, "customer"))); /* no email, no customer */
    cr_expect_str_eq(js(o, "total_price"), "37.00");
    char vars[96];
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", ji(o, "id"));
    json_decref(o);
    json_t *j = gql_ok(&F, "SbOrder", Q_ORDER_FULL, vars);
    cr_expect_str_eq(js(j, "data.order.lineItems.nodes[0].variant.barcode"), "0614141000012");
    cr_expect(json_is_null(jp(j, "data.order.lineItems.nodes[1].variant")));
    json_decref(j);
    json_t *l = ctl(&F, "GET", "/_fake/locations", NULL, 200);
    cr_expect_str_eq(js(l, "locations[0].gid"), "gid://shopify/Location/1");
    cr_expect_str_eq(js(l, "locations[0].name"), "Main warehouse");
    json_decref(l);
}

/* ---------------------------------------------------------------- mutations (S1, S3) */

Test(fakestore, s3_fulfillment_create_with_tracking)
{
    long long id = place_id(",\"webhooks\":false");
    char vars[512];
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    json_t *fo = gql_ok(&F, "SbFulfillmentOrders", Q_FOS, vars);
    json_t *n0 = jp(fo, "data.order.fulfillmentOrders.nodes[0]");
    cr_expect_str_eq(js(n0, "status"), "OPEN");
    cr_expect_eq(json_array_size(jp(n0, "lineItems.nodes")), 2);
    cr_expect_eq(ji(n0, "lineItems.nodes[0].remainingQuantity"), 2);
    cr_expect_eq(strncmp(js(n0, "lineItems.nodes[0].lineItem.id"), "gid://shopify/LineItem/", 23),
                 0);
    char fo_id[128], fol[128];
    snprintf(fo_id, sizeof(fo_id), "%s", js(n0, "id"));
    snprintf(fol, sizeof(fol), "%s", js(n0, "lineItems.nodes[0].id"));
    json_decref(fo);

    /* One unit of the first line: partial. */
    snprintf(vars, sizeof(vars),
             "{\"fulfillment\":{\"lineItemsByFulfillmentOrder\":[{\"fulfillmentOrderId\":\"%s\","
             "\"fulfillmentOrderLineItems\":[{\"id\":\"%s\",\"quantity\":1}]}],\"trackingInfo\":"
             "{\"number\":\"1Z1\",\"company\":\"UPS\",\"url\":\"https://ups.example/1Z1\"},"
             "\"notifyCustomer\":true}}",
             fo_id, fol);
    json_t *j = gql_ok(&F, "SbFulfillmentCreate", Q_FCREATE, vars);
    cr_expect_str_eq(js(j, "data.fulfillmentCreate.fulfillment.status"), "SUCCESS");
    cr_expect_str_eq(js(j, "data.fulfillmentCreate.fulfillment.trackingInfo[0].number"), "1Z1");
    cr_expect_eq(json_array_size(jp(j, "data.fulfillmentCreate.userErrors")), 0);
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 10);
    json_decref(j);
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    fo = gql_ok(&F, "SbFulfillmentOrders", Q_FOS, vars);
    cr_expect_str_eq(js(fo, "data.order.fulfillmentOrders.nodes[0].status"), "IN_PROGRESS");
    cr_expect_eq(
        ji(fo, "data.order.fulfillmentOrders.nodes[0].lineItems.nodes[0].remainingQuantity"), 1);
    json_decref(fo);

    /* The rest, without line items: everything remaining. */
    snprintf(vars, sizeof(vars),
             "{\"fulfillment\":{\"lineItemsByFulfillmentOrder\":[{\"fulfillmentOrderId\":\"%s\"}],"
             "\"trackingInfo\":{\"number\":\"1Z2\"}}}",
             fo_id);
    json_decref(gql_ok(&F, "SbFulfillmentCreate", Q_FCREATE, vars));
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    j = gql_ok(&F, "SbOrder", Q_ORDER_FULL, vars);
    cr_expect_str_eq(js(j, "data.order.displayFulfillmentStatus"), "FULFILLED");
    cr_expect_eq(json_array_size(jp(j, "data.order.fulfillments")), 2);
    cr_expect_str_eq(js(j, "data.order.fulfillments[1].trackingInfo[0].number"), "1Z2");
    json_decref(j);

    /* A closed fulfillment order takes no more. */
    snprintf(
        vars, sizeof(vars),
        "{\"fulfillment\":{\"lineItemsByFulfillmentOrder\":[{\"fulfillmentOrderId\":\"%s\"}]}}",
        fo_id);
    j = gql_ok(&F, "SbFulfillmentCreate", Q_FCREATE, vars);
    cr_expect(json_is_null(jp(j, "data.fulfillmentCreate.fulfillment")));
    cr_expect_eq(strncmp(js(j, "data.fulfillmentCreate.userErrors[0].message"),
                         "Fulfillment order gid://shopify/FulfillmentOrder/", 48),
                 0);
    json_decref(j);
    j = gql_ok(&F, "SbFulfillmentCreate", Q_FCREATE,
               "{\"fulfillment\":{\"lineItemsByFulfillmentOrder\":[{\"fulfillmentOrderId\":"
               "\"gid://shopify/FulfillmentOrder/5\"}]}}");
    cr_expect_str_eq(js(j, "data.fulfillmentCreate.userErrors[0].message"),
                     "Fulfillment order does not exist.");
    json_decref(j);
    struct resp r = gql(&F, "SbFulfillmentCreate", Q_FCREATE,
                        "{\"fulfillment\":{\"lineItemsByFulfillmentOrder\":[],\"x\":1}}");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "INVALID_VARIABLE");
    resp_free(&r);

    json_t *list = ctl(&F, "GET", "/_fake/fulfillments", NULL, 200);
    cr_expect_eq(json_array_size(jp(list, "fulfillments")), 2);
    cr_expect_eq(ji(list, "fulfillments[0].order_id"), id);
    cr_expect_str_eq(js(list, "fulfillments[0].tracking_number"), "1Z1");
    cr_expect_str_eq(js(list, "fulfillments[0].tracking_company"), "UPS");
    cr_expect_str_eq(js(list, "fulfillments[0].tracking_url"), "https://ups.example/1Z1");
    cr_expect(json_is_true(jp(list, "fulfillments[0].notify_customer")));
    cr_expect_eq(ji(list, "fulfillments[0].line_items[0].quantity"), 1);
    json_decref(list);

    /* Webhooks of mutations are asynchronous; GET /_fake/deliveries waits for them. */
    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_eq(json_array_size(jp(d, "deliveries")), 4);
    cr_expect_str_eq(js(d, "deliveries[0].topic"), "fulfillments/create");
    cr_expect_str_eq(js(d, "deliveries[1].topic"), "orders/updated");
    json_decref(d);
    cr_assert_eq(rx_wait(&R, 4), 4);
    json_t *h = hook_json(&R.hooks[0]);
    cr_expect_str_eq(js(h, "tracking_number"), "1Z1");
    cr_expect_str_eq(js(h, "tracking_url"), "https://ups.example/1Z1");
    json_decref(h);
}

Test(fakestore, s1_order_cancel_records_the_cancellation)
{
    long long id = place_id(",\"webhooks\":false");
    char vars[256];
    snprintf(vars, sizeof(vars),
             "{\"orderId\":\"gid://shopify/Order/%lld\",\"reason\":\"CUSTOMER\",\"restock\":true,"
             "\"refund\":true,\"notifyCustomer\":false}",
             id);
    json_t *j = gql_ok(&F, "SbOrderCancel", Q_CANCEL, vars);
    cr_expect_eq(strncmp(js(j, "data.orderCancel.job.id"), "gid://shopify/Job/", 18), 0);
    cr_expect(json_is_false(jp(j, "data.orderCancel.job.done")));
    cr_expect_eq(json_array_size(jp(j, "data.orderCancel.orderCancelUserErrors")), 0);
    json_decref(j);

    json_t *c = ctl(&F, "GET", "/_fake/cancellations", NULL, 200);
    cr_expect_eq(json_array_size(jp(c, "cancellations")), 1);
    cr_expect_eq(ji(c, "cancellations[0].order_id"), id);
    cr_expect_str_eq(js(c, "cancellations[0].reason"), "CUSTOMER");
    cr_expect(json_is_true(jp(c, "cancellations[0].restock")));
    cr_expect(json_is_true(jp(c, "cancellations[0].refund")));
    cr_expect_str_eq(js(c, "cancellations[0].refunded"), "64.50");
    json_decref(c);

    char ov[96];
    snprintf(ov, sizeof(ov), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    j = gql_ok(&F, "SbOrder", Q_ORDER_FULL, ov);
    cr_expect(json_is_string(jp(j, "data.order.cancelledAt")));
    cr_expect_str_eq(js(j, "data.order.cancelReason"), "CUSTOMER");
    cr_expect_str_eq(js(j, "data.order.displayFinancialStatus"), "REFUNDED");
    cr_expect_str_eq(js(j, "data.order.refunds[0].refundLineItems.nodes[0].restockType"), "CANCEL");
    cr_expect_str_eq(js(j, "data.order.refunds[0].transactions.nodes[0].kind"), "REFUND");
    json_decref(j);

    j = gql_ok(&F, "SbOrderCancel", Q_CANCEL, vars);
    cr_expect_str_eq(js(j, "data.orderCancel.orderCancelUserErrors[0].code"), "INVALID");
    cr_expect_str_eq(js(j, "data.orderCancel.orderCancelUserErrors[0].message"),
                     "Order has already been cancelled");
    cr_expect(json_is_null(jp(j, "data.orderCancel.job")));
    json_decref(j);
    j = gql_ok(&F, "SbOrderCancel", Q_CANCEL,
               "{\"orderId\":\"gid://shopify/Order/7\",\"reason\":\"OTHER\",\"restock\":false,"
               "\"refund\":false}");
    cr_expect_str_eq(js(j, "data.orderCancel.orderCancelUserErrors[0].code"), "NOT_FOUND");
    json_decref(j);
    struct resp r = gql(&F, "SbOrderCancel", Q_CANCEL,
                        "{\"orderId\":\"gid://shopify/Order/7\",\"reason\":\"BORED\","
                        "\"restock\":false,\"refund\":false}");
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "INVALID_VARIABLE");
    resp_free(&r);
    r = gql(&F, "SbOrderCancel", Q_CANCEL,
            "{\"orderId\":\"gid://shopify/Order/7\",\"reason\":\"OTHER\",\"refund\":false}");
    cr_expect_str_eq(js(r.json, "errors[0].message"),
                     "Variable $restock of type Boolean! was provided invalid value");
    resp_free(&r);

    json_t *d = ctl(&F, "GET", "/_fake/deliveries", NULL, 200);
    cr_expect_eq(json_array_size(jp(d, "deliveries")), 1);
    cr_expect_str_eq(js(d, "deliveries[0].topic"), "orders/cancelled");
    json_decref(d);
}

/* ---------------------------------------------------------------- demo mode */

Test(fakestore, demo_mode_places_orders_with_webhooks)
{
    struct receiver rx;
    rx_start(&rx);
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/hooks", rx.port);
    const char *args[] = { "--sku",         "TEE,MUG,CAP", "--orders-per-minute",
                           "3000",          "--seed",      "7",
                           "--webhook-url", url,           NULL };
    struct fake g = { 0 };
    fake_start(&g, args);
    cr_expect_geq(rx_wait(&rx, 4), 4);
    fake_stop(&g);
    pthread_mutex_lock(&rx.mu);
    for (size_t i = 0; i < rx.n; i++)
        cr_expect(hmac_ok(&rx.hooks[i], "fakestore-webhook-secret"));
    json_t *b = hook_json(&rx.hooks[0]);
    cr_expect_str_eq(rx.hooks[0].topic, "orders/create");
    cr_expect_str_eq(js(b, "name"), "#1001");
    cr_expect_geq(json_array_size(jp(b, "line_items")), 1);
    json_decref(b);
    pthread_mutex_unlock(&rx.mu);
    rx_stop(&rx);
}

/* ---------------------------------------------------------------- the GraphQL engine (issue 11) */

/* issue 11 / SPEC SP2: the shop answers through the GraphQL engine - exactly the fields a
 * document asks for, under their aliases, through fragments, with __typename, and a
 * connection's edges, cursors and pageInfo paged by the document's own `first`. */
Test(fakestore, issue11_exactly_the_fields_asked_for)
{
    long long id = place_id(",\"webhooks\":false");
    char vars[128];
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    json_t *j = gql_ok(&F, "Q",
                       "query Q($id: ID!) { a: order(id: $id) { __typename ...F "
                       "lines: lineItems(first: 1) { edges { cursor node { sku } } pageInfo { "
                       "hasNextPage } } } } fragment F on Order { name }",
                       vars);
    json_t *a = jp(j, "data.a");
    cr_expect_str_eq(js(a, "__typename"), "Order");
    cr_expect_str_eq(js(a, "name"), "#1001");
    cr_expect_eq(json_object_size(a), 3, "only __typename, name and lines: %s",
                 json_dumps(a, JSON_COMPACT));
    cr_expect_eq(json_array_size(jp(a, "lines.edges")), 1);
    cr_expect(json_is_string(jp(a, "lines.edges[0].cursor")));
    cr_expect_eq(json_object_size(jp(a, "lines.edges[0].node")), 1);
    cr_expect(json_is_boolean(jp(a, "lines.pageInfo.hasNextPage")));
    json_decref(j);
}

/* issue 11 / WIRE.md "Versions and what changed": every document is validated against the
 * schema of the version the URL names; 2025-01 is no longer supported and is served as the
 * oldest supported (2026-01), where ignoreCompareQuantity still exists; 2026-10 refuses it. */
Test(fakestore, issue11_validated_against_the_version_the_url_names)
{
    static const char body[] =
        "{\"query\":\"mutation M { inventorySetQuantities(input: {name: \\\"available\\\", "
        "reason: \\\"correction\\\", ignoreCompareQuantity: true, quantities: []}) { userErrors "
        "{ message } } }\"}";
    struct resp r = http_raw(&F, "POST", "/admin/api/2026-10/graphql.json", TOKEN,
                             "application/json", body, sizeof(body) - 1);
    cr_expect_eq(r.status, 200);
    cr_expect(!jp(r.json, "data"), "%s", r.body);
    cr_expect(json_array_size(jp(r.json, "errors")) >= 1, "%s", r.body);
    cr_expect_eq(ji(r.json, "extensions.cost.requestedQueryCost"), 0);
    resp_free(&r);
    r = http_raw(&F, "POST", "/admin/api/2025-01/graphql.json", TOKEN, "application/json", body,
                 sizeof(body) - 1);
    cr_expect_eq(r.status, 200);
    /* the schema takes it: what refuses it is the shop's own check of an empty list */
    cr_expect_str_eq(js(r.json, "errors[0].extensions.problems[0].explanation"),
                     "quantities must list 1 to 250 entries ([InventoryQuantityInput!]!)");
    resp_free(&r);
    /* a field no version has */
    static const char nope[] = "{\"query\":\"{ shop { nope } }\"}";
    r = http_raw(&F, "POST", GQL, TOKEN, "application/json", nope, sizeof(nope) - 1);
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "undefinedField");
    cr_expect_str_eq(js(r.json, "errors[0].message"), "Field 'nope' doesn't exist on type 'Shop'");
    resp_free(&r);
}

/* ---------------------------------------------------------------- issue 11, round 2 */

/* A GraphQL call on a version's URL, its answer whatever it is. */
static struct resp gql_v(const char *version, const char *query, const char *vars)
{
    json_error_t e;
    json_t *v = vars ? json_loads(vars, 0, &e) : json_object();
    cr_assert(v, "bad test variables: %s", e.text);
    json_t *doc = json_pack("{s:s,s:o}", "query", query, "variables", v);
    char *body = json_dumps(doc, JSON_COMPACT), path[64];
    json_decref(doc);
    snprintf(path, sizeof(path), "/admin/api/%s/graphql.json", version);
    struct resp r = http_raw(&F, "POST", path, TOKEN, "application/json", body, strlen(body));
    free(body);
    return r;
}

/* The same, that must answer data and no error. */
static json_t *gql_v_ok(const char *version, const char *query, const char *vars)
{
    struct resp r = gql_v(version, query, vars);
    cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body ? r.body : "");
    cr_assert(json_object_get(r.json, "data") && !json_object_get(r.json, "errors"), "%s", r.body);
    json_t *j = json_incref(r.json);
    resp_free(&r);
    return j;
}

/* The names of an orders answer's nodes, joined by spaces. */
static const char *names_of(json_t *j, const char *path, char *buf, size_t cap)
{
    json_t *nodes = jp(j, path), *n;
    size_t i, used = 0;
    buf[0] = '\0';
    json_array_foreach(nodes, i, n)
    {
        int w = snprintf(buf + used, cap - used, "%s%s", i ? " " : "", js(n, "name"));
        used += (size_t)w < cap - used ? (size_t)w : 0;
    }
    return buf;
}

/* issue 11 point 3 (shopify.dev: node, nodes, inventoryItem, location, product,
 * productVariant, fulfillmentOrder, bulkOperation): the root fields that read one object by
 * its global id answer it, under the type the id names; an id of another kind, or of
 * nothing, is null. Before round 2 each answered NOT_IMPLEMENTED. */
Test(fakestore, issue11_root_fields_read_objects_by_id)
{
    long long id = place_id(",\"webhooks\":false");
    json_t *prods = ctl(&F, "GET", "/_fake/products", NULL, 200);
    json_t *tee = jp(prods, "products[0]");
    char q[2048], vars[512];
    snprintf(vars, sizeof(vars),
             "{\"o\":\"gid://shopify/Order/%lld\",\"i\":\"%s\",\"p\":\"%s\",\"v\":\"%s\"}", id,
             js(tee, "inventory_item_gid"), js(tee, "product_gid"), js(tee, "variant_gid"));
    snprintf(q, sizeof(q), "%s",
             "query ($o: ID!, $i: ID!, $p: ID!, $v: ID!) { node(id: $o) { __typename id ... on "
             "Order { name } } nodes(ids: [$i, \"gid://shopify/Order/1\", $v]) { __typename ... "
             "on ProductVariant { sku } ... on InventoryItem { sku } } inventoryItem(id: $i) { "
             "sku } product(id: $p) { title } productVariant(id: $v) { sku } location(id: "
             "\"gid://shopify/Location/1\") { name inventoryLevels(first: 5) { nodes { item { "
             "sku } quantities(names: [\"available\"]) { quantity } } } } bulkOperation(id: "
             "\"gid://shopify/BulkOperation/9\") { id } }");
    json_t *j = gql_v_ok("2026-10", q, vars);
    cr_expect_str_eq(js(j, "data.node.__typename"), "Order");
    cr_expect_str_eq(js(j, "data.node.name"), "#1001");
    cr_expect_str_eq(js(j, "data.nodes[0].__typename"), "InventoryItem");
    cr_expect_str_eq(js(j, "data.nodes[0].sku"), "TEE");
    cr_expect(json_is_null(jp(j, "data.nodes[1]")), "no order 1");
    cr_expect_str_eq(js(j, "data.nodes[2].sku"), "TEE");
    cr_expect_str_eq(js(j, "data.inventoryItem.sku"), "TEE");
    cr_expect_str_eq(js(j, "data.product.title"), js(tee, "title"));
    cr_expect_str_eq(js(j, "data.productVariant.sku"), "TEE");
    cr_expect_str_eq(js(j, "data.location.name"), "Main warehouse");
    cr_expect_eq(json_array_size(jp(j, "data.location.inventoryLevels.nodes")), 2);
    cr_expect_str_eq(js(j, "data.location.inventoryLevels.nodes[0].item.sku"), "TEE");
    cr_expect(json_is_null(jp(j, "data.bulkOperation")));
    json_decref(j);

    /* the id must name the field's type */
    struct resp r =
        gql_v("2026-10", "{ inventoryItem(id: \"gid://shopify/Order/1\") { id } }", NULL);
    cr_expect_str_eq(js(r.json, "errors[0].message"), "Invalid global id 'gid://shopify/Order/1'");
    resp_free(&r);
    json_decref(prods);
}

/* issue 11 point 3 (Relay connections as Shopify serves them): orders and inventoryItems
 * answer edges { cursor node } as well as nodes, and an edge's cursor pages on. */
Test(fakestore, issue11_connections_answer_edges_and_cursors)
{
    for (int i = 0; i < 3; i++)
        json_decref(place(",\"webhooks\":false"));
    json_t *j = gql_v_ok("2026-10",
                         "{ orders(first: 2) { edges { cursor node { name } } pageInfo { "
                         "hasNextPage hasPreviousPage endCursor } } inventoryItems(first: 1) { "
                         "edges { cursor node { sku } } pageInfo { hasNextPage hasPreviousPage "
                         "startCursor } } }",
                         NULL);
    cr_expect_eq(json_array_size(jp(j, "data.orders.edges")), 2);
    cr_expect_str_eq(js(j, "data.orders.edges[0].node.name"), "#1001");
    cr_expect_str_eq(js(j, "data.orders.edges[1].cursor"), js(j, "data.orders.pageInfo.endCursor"));
    cr_expect(json_is_true(jp(j, "data.orders.pageInfo.hasNextPage")));
    cr_expect(json_is_false(jp(j, "data.orders.pageInfo.hasPreviousPage")));
    cr_expect_str_eq(js(j, "data.inventoryItems.edges[0].node.sku"), "TEE");
    cr_expect_str_eq(js(j, "data.inventoryItems.edges[0].cursor"),
                     js(j, "data.inventoryItems.pageInfo.startCursor"));
    char vars[512];
    snprintf(vars, sizeof(vars), "{\"a\":\"%s\"}", js(j, "data.orders.edges[1].cursor"));
    json_decref(j);
    j = gql_v_ok("2026-10",
                 "query ($a: String) { orders(first: 5, after: $a) { nodes { name } pageInfo { "
                 "hasNextPage hasPreviousPage } } }",
                 vars);
    char names[256];
    cr_expect_str_eq(names_of(j, "data.orders.nodes", names, sizeof(names)), "#1003");
    cr_expect(json_is_false(jp(j, "data.orders.pageInfo.hasNextPage")));
    cr_expect(json_is_true(jp(j, "data.orders.pageInfo.hasPreviousPage")));
    json_decref(j);
}

/* The file of a bulk operation, started by this mutation text, once it is complete. */
static char *bulk_file(const char *mutation)
{
    json_t *j = gql_v_ok("2026-10", mutation, NULL);
    cr_assert_eq(json_array_size(jp(j, "data.bulkOperationRunQuery.userErrors")), 0, "%s",
                 json_dumps(j, JSON_COMPACT));
    char q[256];
    snprintf(q, sizeof(q), "{ node(id: \"%s\") { ... on BulkOperation { status url } } }",
             js(j, "data.bulkOperationRunQuery.bulkOperation.id"));
    json_decref(j);
    j = gql_v_ok("2026-10", q, NULL);
    cr_assert_str_eq(js(j, "data.node.status"), "COMPLETED");
    const char *url = js(j, "data.node.url");
    const char *path = strstr(url, "/_fake/bulk/");
    cr_assert(path, "%s", url);
    struct resp r = http(&F, "GET", path, NULL);
    cr_assert_eq(r.status, 200);
    char *body = r.body;
    r.body = NULL;
    resp_free(&r);
    json_decref(j);
    return body;
}

/* issue 11 point 3, WIRE.md "Versions and what changed" (2026-01: groupObjects defaults to
 * false): any bulk query runs through the engine; each connection's node is a line and a
 * nested connection's nodes are lines of their own naming their parent in __parentId -
 * every parent before any child by default, each parent's children right after it with
 * groupObjects: true. Before round 2 any query but the stock read was a userError. */
Test(fakestore, issue11_bulk_any_query_ungrouped_by_default_grouped_on_request)
{
    static const char doc[] = "{ products { edges { node { id variants { edges { node { sku } } } "
                              "} } } }";
    char m[512];
    snprintf(m, sizeof(m),
             "mutation { bulkOperationRunQuery(query: \"%s\") { bulkOperation { id "
             "} userErrors { message } } }",
             doc);
    json_t *prods = ctl(&F, "GET", "/_fake/products", NULL, 200);
    char want[1024];
    const char *p0 = js(prods, "products[0].product_gid"),
               *p1 = js(prods, "products[1].product_gid");
    snprintf(want, sizeof(want),
             "{\"id\":\"%s\"}\n{\"id\":\"%s\"}\n{\"sku\":\"TEE\",\"__parentId\":\"%s\"}\n"
             "{\"sku\":\"MUG\",\"__parentId\":\"%s\"}\n",
             p0, p1, p0, p1);
    char *body = bulk_file(m);
    cr_expect_str_eq(body, want);
    free(body);

    snprintf(m, sizeof(m),
             "mutation { bulkOperationRunQuery(groupObjects: true, query: \"%s\") "
             "{ bulkOperation { id } userErrors { message } } }",
             doc);
    snprintf(want, sizeof(want),
             "{\"id\":\"%s\"}\n{\"sku\":\"TEE\",\"__parentId\":\"%s\"}\n{\"id\":\"%s\"}\n"
             "{\"sku\":\"MUG\",\"__parentId\":\"%s\"}\n",
             p0, p0, p1, p1);
    body = bulk_file(m);
    cr_expect_str_eq(body, want);
    free(body);

    /* a document the schema refuses is the mutation's userError */
    json_t *j = gql_v_ok("2026-10",
                         "mutation { bulkOperationRunQuery(query: \"{ shop { nope } }\") { "
                         "bulkOperation { id } userErrors { field message } } }",
                         NULL);
    cr_expect(json_is_null(jp(j, "data.bulkOperationRunQuery.bulkOperation")));
    cr_expect_str_eq(js(j, "data.bulkOperationRunQuery.userErrors[0].message"),
                     "Invalid bulk query: Field 'nope' doesn't exist on type 'Shop'");
    json_decref(j);
    json_decref(prods);
}

/* issue 11 point 3 (shopify.dev/docs/api/usage/search-syntax; OrderSortKeys): orders'
 * query takes terms on financial_status, status, name, email, id (ranges too), joined by
 * AND (or a space) and OR, negated by NOT or "-", values quoted or not; an unknown field is
 * dropped and reported in extensions.search as Shopify does; sortKey ORDER_NUMBER, ID,
 * CREATED_AT, UPDATED_AT with reverse. Before round 2 any term but updated_at/created_at
 * was refused (BAD_REQUEST). */
Test(fakestore, issue11_orders_search_syntax_and_sort_keys)
{
    long long a = place_id(",\"webhooks\":false");
    json_decref(ctl(&F, "POST", "/_fake/orders",
                    "{\"webhooks\":false,\"email\":\"bob@example.org\",\"financial_status\":"
                    "\"pending\",\"line_items\":[{\"sku\":\"MUG\",\"quantity\":1}]}",
                    201));
    long long c = place_id(",\"webhooks\":false");
    char path[96], q[512], names[256];
    snprintf(path, sizeof(path), "/_fake/orders/%lld/cancel", c);
    json_decref(ctl(&F, "POST", path, "{\"reason\":\"fraud\",\"webhooks\":false}", 200));
    /* every term and the names it selects, in the default sort (ID) */
    struct {
        const char *query, *want;
    } cases[] = {
        { "financial_status:paid", "#1001 #1003" },
        { "financial_status:pending", "#1002" },
        { "-financial_status:pending", "#1001 #1003" },
        { "NOT financial_status:pending", "#1001 #1003" },
        { "status:open", "#1001 #1002" },
        { "status:cancelled", "#1003" },
        { "status:any", "#1001 #1002 #1003" },
        { "name:#1002 OR name:1003", "#1002 #1003" },
        { "email:'bob@example.org'", "#1002" },
        { "email:\"ADA@example.com\" financial_status:paid status:open", "#1001" },
        { "email:ada@example.com AND (status:cancelled OR name:1001)", "#1001 #1003" },
        { "fulfillment_status:unshipped -status:cancelled", "#1001 #1002" },
        { "nosuchfield:x", "#1001 #1002 #1003" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = json_pack("{s:s}", "q", cases[i].query);
        char *vars = json_dumps(v, JSON_COMPACT);
        json_t *j = gql_v_ok("2026-10",
                             "query ($q: String) { orders(first: 10, query: $q) { nodes { name } "
                             "} }",
                             vars);
        cr_expect_str_eq(names_of(j, "data.orders.nodes", names, sizeof(names)), cases[i].want,
                         "%s", cases[i].query);
        json_decref(j);
        free(vars);
        json_decref(v);
    }
    /* an id range, with gids or numbers */
    snprintf(q, sizeof(q),
             "{ orders(first: 10, query: \"id:>=%lld id:<'gid://shopify/Order/%lld'\") { nodes "
             "{ name } } }",
             a + 1, c);
    json_t *j = gql_v_ok("2026-10", q, NULL);
    cr_expect_str_eq(names_of(j, "data.orders.nodes", names, sizeof(names)), "#1002");
    json_decref(j);

    /* the unknown field's warning, in Shopify's shape */
    j = gql_v_ok("2026-10",
                 "{ recent: orders(first: 1, query: \"nosuchfield:x\") { nodes { id } } }", NULL);
    cr_expect_str_eq(js(j, "extensions.search[0].path[0]"), "recent");
    cr_expect_str_eq(js(j, "extensions.search[0].query"), "nosuchfield:x");
    cr_expect_str_eq(js(j, "extensions.search[0].warnings[0].field"), "nosuchfield");
    cr_expect_str_eq(js(j, "extensions.search[0].warnings[0].message"),
                     "Invalid search field for this query.");
    json_decref(j);

    /* sort keys, reverse, and a cursor of that sort */
    j = gql_v_ok("2026-10",
                 "{ a: orders(first: 3, sortKey: ORDER_NUMBER, reverse: true) { nodes { name } } "
                 "b: orders(first: 3, sortKey: UPDATED_AT) { nodes { name } } c: orders(first: 1, "
                 "sortKey: CREATED_AT, reverse: true) { nodes { name } edges { cursor } } }",
                 NULL);
    cr_expect_str_eq(names_of(j, "data.a.nodes", names, sizeof(names)), "#1003 #1002 #1001");
    cr_expect_str_eq(names_of(j, "data.b.nodes", names, sizeof(names)), "#1001 #1002 #1003",
                     "the cancelled order was updated last");
    cr_expect_str_eq(names_of(j, "data.c.nodes", names, sizeof(names)), "#1003");
    json_t *v = json_pack("{s:s}", "c", js(j, "data.c.edges[0].cursor"));
    char *vars = json_dumps(v, JSON_COMPACT);
    json_decref(j);
    j = gql_v_ok("2026-10",
                 "query ($c: String) { orders(first: 5, after: $c, sortKey: CREATED_AT, reverse: "
                 "true) { nodes { name } } }",
                 vars);
    cr_expect_str_eq(names_of(j, "data.orders.nodes", names, sizeof(names)), "#1002 #1001");
    json_decref(j);
    free(vars);
    json_decref(v);
}

/* issue 11 point 3 (ProductSortKeys, ProductVariantSortKeys, the shop's
 * fulfillmentOrders): products and productVariants search on sku:, title:, id: and sort by
 * TITLE, ID (and SKU for variants) with reverse; the shop's open fulfillment orders are
 * listed (status:), closed ones only with includeClosed. */
Test(fakestore, issue11_products_variants_and_fulfillment_orders)
{
    json_t *j = gql_v_ok("2026-10",
                         "{ p: products(first: 5, sortKey: TITLE, reverse: true) { nodes { title "
                         "} } v: productVariants(first: 5, query: \"sku:MU*\") { nodes { sku } } "
                         "t: products(first: 5, query: \"title:'Product TEE'\") { nodes { title } "
                         "} s: productVariants(first: 5, sortKey: SKU) { nodes { sku } } }",
                         NULL);
    cr_expect_str_eq(js(j, "data.p.nodes[0].title"), "Product TEE");
    cr_expect_str_eq(js(j, "data.p.nodes[1].title"), "Product MUG");
    cr_expect_eq(json_array_size(jp(j, "data.v.nodes")), 1);
    cr_expect_str_eq(js(j, "data.v.nodes[0].sku"), "MUG");
    cr_expect_eq(json_array_size(jp(j, "data.t.nodes")), 1);
    cr_expect_str_eq(js(j, "data.s.nodes[0].sku"), "MUG");
    cr_expect_str_eq(js(j, "data.s.nodes[1].sku"), "TEE");
    json_decref(j);

    long long a = place_id(",\"webhooks\":false");
    long long b = place_id(",\"webhooks\":false");
    char path[96];
    snprintf(path, sizeof(path), "/_fake/orders/%lld/cancel", b);
    json_decref(ctl(&F, "POST", path, "{\"reason\":\"fraud\",\"webhooks\":false}", 200));
    j = gql_v_ok("2026-10",
                 "{ open: fulfillmentOrders(first: 10, query: \"status:open\") { nodes { orderId "
                 "status } } all: fulfillmentOrders(first: 10, includeClosed: true) { nodes { "
                 "orderId } } }",
                 NULL);
    char gid[64];
    snprintf(gid, sizeof(gid), "gid://shopify/Order/%lld", a);
    cr_expect_eq(json_array_size(jp(j, "data.open.nodes")), 1);
    cr_expect_str_eq(js(j, "data.open.nodes[0].orderId"), gid);
    cr_expect_str_eq(js(j, "data.open.nodes[0].status"), "OPEN");
    cr_expect_eq(json_array_size(jp(j, "data.all.nodes")), 2);
    json_decref(j);
}

/* A fulfillmentCreate of one whole fulfillment order; the answer. */
static json_t *fulfil_fo(const char *fo_gid)
{
    char vars[256];
    snprintf(
        vars, sizeof(vars),
        "{\"fulfillment\":{\"lineItemsByFulfillmentOrder\":[{\"fulfillmentOrderId\":\"%s\"}]}}",
        fo_gid);
    return gql_ok(&F, "SbFulfillmentCreate", Q_FCREATE, vars);
}

/* issue 11 point 4 (shopify.dev FulfillmentOrder: one per assigned location; status ON_HOLD
 * with fulfillmentHolds, SCHEDULED until fulfillAt; fulfillmentCreate refuses a fulfillment
 * order whose status is not fulfillable): an order split by the control API answers one
 * fulfillment order per location; the one on hold and the scheduled one are refused with
 * Shopify's userError; fulfilling the open one raises fulfillments/create and leaves the
 * order partial until all are done. Before round 2 every order had one fulfillment order. */
Test(fakestore, issue11_several_fulfillment_orders_per_order)
{
    json_decref(ctl(&F, "POST", "/_fake/locations", "{\"name\":\"Uptown\"}", 201));
    long long id = place_id(",\"webhooks\":false");
    char path[96], vars[128];
    snprintf(path, sizeof(path), "/_fake/orders/%lld/split", id);
    json_decref(ctl(&F, "POST", path,
                    "{\"webhooks\":false,\"fulfillment_orders\":[{\"location_id\":1,\"lines\":[0]},"
                    "{\"location_id\":2,\"lines\":[1],\"hold\":\"awaiting stock\"}]}",
                    200));
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id);
    static const char q[] =
        "query ($id: ID!) { order(id: $id) { displayFulfillmentStatus fulfillmentOrders(first: "
        "5) { nodes { id status assignedLocation { name } fulfillmentHolds { reasonNotes } "
        "lineItems(first: 5) { nodes { lineItem { sku } } } } } } }";
    json_t *j = gql_v_ok("2026-10", q, vars);
    json_t *fos = jp(j, "data.order.fulfillmentOrders.nodes");
    cr_assert_eq(json_array_size(fos), 2);
    cr_expect_str_eq(js(fos, "[0].status"), "OPEN");
    cr_expect_str_eq(js(fos, "[0].assignedLocation.name"), "Main warehouse");
    cr_expect_str_eq(js(fos, "[0].lineItems.nodes[0].lineItem.sku"), "TEE");
    cr_expect_eq(json_array_size(jp(fos, "[0].lineItems.nodes")), 1);
    cr_expect_str_eq(js(fos, "[1].status"), "ON_HOLD");
    cr_expect_str_eq(js(fos, "[1].assignedLocation.name"), "Uptown");
    cr_expect_str_eq(js(fos, "[1].fulfillmentHolds[0].reasonNotes"), "awaiting stock");
    char open[96], held[96], want[160];
    snprintf(open, sizeof(open), "%s", js(fos, "[0].id"));
    snprintf(held, sizeof(held), "%s", js(fos, "[1].id"));
    json_decref(j);

    j = fulfil_fo(held);
    snprintf(want, sizeof(want), "Fulfillment order %s has an unfulfillable status= on_hold.",
             held);
    cr_expect_str_eq(js(j, "data.fulfillmentCreate.userErrors[0].message"), want);
    cr_expect(json_is_null(jp(j, "data.fulfillmentCreate.fulfillment")));
    json_decref(j);

    size_t before = rx_count(&R);
    j = fulfil_fo(open);
    cr_expect_eq(json_array_size(jp(j, "data.fulfillmentCreate.userErrors")), 0, "%s",
                 json_dumps(j, JSON_COMPACT));
    json_decref(j);
    cr_assert_geq(rx_wait(&R, before + 2), before + 2, "fulfillments/create, orders/updated");
    cr_expect_str_eq(R.hooks[before].topic, "fulfillments/create");
    snprintf(path, sizeof(path), "/_fake/orders/%lld", id);
    j = ctl(&F, "GET", path, NULL, 200);
    cr_expect_str_eq(js(j, "fulfillment_status"), "partial");
    json_decref(j);
    j = gql_v_ok("2026-10", q, vars);
    cr_expect_str_eq(js(j, "data.order.displayFulfillmentStatus"), "PARTIALLY_FULFILLED");
    cr_expect_str_eq(js(j, "data.order.fulfillmentOrders.nodes[0].status"), "CLOSED");
    json_decref(j);
    j = fulfil_fo(open);
    snprintf(want, sizeof(want), "Fulfillment order %s has an unfulfillable status= closed.", open);
    cr_expect_str_eq(js(j, "data.fulfillmentCreate.userErrors[0].message"), want);
    json_decref(j);

    /* scheduled: until fulfillAt */
    long long id2 = place_id(",\"webhooks\":false");
    snprintf(path, sizeof(path), "/_fake/orders/%lld/split", id2);
    json_decref(ctl(&F, "POST", path,
                    "{\"webhooks\":false,\"fulfillment_orders\":[{\"lines\":[0,1],\"fulfill_at\":"
                    "\"2099-01-01T00:00:00Z\"}]}",
                    200));
    snprintf(vars, sizeof(vars), "{\"id\":\"gid://shopify/Order/%lld\"}", id2);
    j = gql_v_ok("2026-10", q, vars);
    cr_expect_str_eq(js(j, "data.order.fulfillmentOrders.nodes[0].status"), "SCHEDULED");
    snprintf(open, sizeof(open), "%s", js(j, "data.order.fulfillmentOrders.nodes[0].id"));
    json_decref(j);
    j = fulfil_fo(open);
    snprintf(want, sizeof(want), "Fulfillment order %s has an unfulfillable status= scheduled.",
             open);
    cr_expect_str_eq(js(j, "data.fulfillmentCreate.userErrors[0].message"), want);
    json_decref(j);

    /* a split must place every line once */
    ctl_error(&F, "POST", path, "{\"fulfillment_orders\":[{\"lines\":[0]}]}", 422, "invalid_field",
              "lines");
}

/* WIRE.md "Versions and what changed" (2026-01: bulkOperationRunQuery's groupObjects
 * defaults to false): the engine's own stock read is ungrouped by default too - every item
 * line, then every level line naming its item in __parentId - and grouped (each item's
 * levels right after it) with groupObjects: true, which an adapter whose reader needs the
 * grouping can ask for. Before round 2 it was always grouped. */
Test(fakestore, issue11_stock_read_ungrouped_by_default_grouped_on_request)
{
    static const char q[] =
        "{ inventoryItems { edges { node { id sku variant { id product { id } } "
        "inventoryLevels { edges { node { location { id } quantities(names: [\\\"available\\\"]) { "
        "name quantity } } } } } } } }";
    char m[1024];
    for (int grouped = 0; grouped < 2; grouped++) {
        snprintf(m, sizeof(m),
                 "mutation { bulkOperationRunQuery(%squery: \"%s\") { bulkOperation { id } "
                 "userErrors { message } } }",
                 grouped ? "groupObjects: true, " : "", q);
        char *body = bulk_file(m);
        /* the kind of each line in order: I an item, L a level */
        char kinds[16] = "";
        size_t n = 0;
        for (char *line = body; *line && n + 1 < sizeof(kinds); n++) {
            kinds[n] = strncmp(line, "{\"id\"", 5) == 0 ? 'I' : 'L';
            char *nl = strchr(line, '\n');
            if (!nl)
                break;
            line = nl + 1;
        }
        kinds[n] = '\0';
        cr_expect_str_eq(kinds, grouped ? "ILIL" : "IILL", "%s", body);
        cr_expect(strstr(body, "\"__parentId\":\"gid://shopify/InventoryItem/"), "%s", body);
        free(body);
    }
}

/* issue 11 point 3 (shopify.dev InventoryQuantityInput.changeFromQuantity, 2026-04 on): every
 * quantity carries changeFromQuantity - omitted is Shopify's INVALID_FIELD_ARGUMENTS error
 * (the schema types it nullable; Shopify enforces it as it runs), null skips the check, a
 * value that is not the current quantity is the userError CHANGE_FROM_QUANTITY_STALE and
 * changes nothing. 2026-01 keeps compareQuantity. Before round 2 changeFromQuantity was
 * refused as a field the shop did not know. */
Test(fakestore, issue11_change_from_quantity_from_2026_04)
{
    json_t *prods = ctl(&F, "GET", "/_fake/products", NULL, 200);
    const char *item = js(prods, "products[0].inventory_item_gid");
    char body[256];
    snprintf(body, sizeof(body), "{\"sku\":\"TEE\",\"available\":7}");
    json_decref(ctl(&F, "POST", "/_fake/inventory", body, 200));
    static const char m[] =
        "mutation ($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) "
        "{ inventoryAdjustmentGroup { changes { delta quantityAfterChange } } userErrors { code "
        "field message } } }";
    char vars[512];
    /* omitted */
    snprintf(vars, sizeof(vars),
             "{\"input\":{\"name\":\"available\",\"reason\":\"correction\",\"quantities\":[{"
             "\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":9}]}}",
             item);
    struct resp r = gql_v("2026-10", m, vars);
    cr_expect_str_eq(js(r.json, "errors[0].extensions.code"), "INVALID_FIELD_ARGUMENTS", "%s",
                     r.body);
    cr_expect_str_eq(js(r.json, "errors[0].message"),
                     "InventoryQuantityInput must include the following argument: "
                     "changeFromQuantity");
    resp_free(&r);
    /* stale */
    snprintf(vars, sizeof(vars),
             "{\"input\":{\"name\":\"available\",\"reason\":\"correction\",\"quantities\":[{"
             "\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":9,\"changeFromQuantity\":6}]}}",
             item);
    json_t *j = gql_v_ok("2026-04", m, vars);
    cr_expect_str_eq(js(j, "data.inventorySetQuantities.userErrors[0].code"),
                     "CHANGE_FROM_QUANTITY_STALE");
    cr_expect_str_eq(js(j, "data.inventorySetQuantities.userErrors[0].field[3]"),
                     "changeFromQuantity");
    json_decref(j);
    /* current: set */
    snprintf(vars, sizeof(vars),
             "{\"input\":{\"name\":\"available\",\"reason\":\"correction\",\"quantities\":[{"
             "\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":9,\"changeFromQuantity\":7}]}}",
             item);
    j = gql_v_ok("2026-10", m, vars);
    cr_expect_eq(json_array_size(jp(j, "data.inventorySetQuantities.userErrors")), 0);
    cr_expect_eq(ji(j, "data.inventorySetQuantities.inventoryAdjustmentGroup.changes[0].delta"), 2);
    json_decref(j);
    /* null: no check */
    snprintf(vars, sizeof(vars),
             "{\"input\":{\"name\":\"available\",\"reason\":\"correction\",\"quantities\":[{"
             "\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":4,\"changeFromQuantity\":null}]}}",
             item);
    j = gql_v_ok("2026-10", m, vars);
    cr_expect_eq(
        ji(j,
           "data.inventorySetQuantities.inventoryAdjustmentGroup.changes[0].quantityAfterChange"),
        4);
    json_decref(j);
    /* 2026-01: compareQuantity still decides, changeFromQuantity is not required */
    snprintf(vars, sizeof(vars),
             "{\"input\":{\"name\":\"available\",\"reason\":\"correction\",\"quantities\":[{"
             "\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":5,\"compareQuantity\":3}]}}",
             item);
    j = gql_v_ok("2026-01", m, vars);
    cr_expect_str_eq(js(j, "data.inventorySetQuantities.userErrors[0].code"),
                     "COMPARE_QUANTITY_STALE");
    json_decref(j);
    json_decref(prods);
}
