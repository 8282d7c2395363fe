/*
 * The seeded database and request runner of seeded.h. The seed goes through
 * the same handlers as the fuzzed requests, so it is always data the API
 * itself would have made.
 */
#include "seeded.h"

#include "fuzz.h"

#include "http/request.h"
#include "http/router.h"
#include "http/server.h"
#include "store/check.h"
#include "store/sessions.h"
#include "store/store.h"
#include "util/secretbox.h"

#include <dirent.h>
#include <unistd.h>

#define MAX_QUERY 16

static struct sb_store *store;
static struct sb_db *db;
static char dir[256], url[300];
static struct {
    char *name[MAX_QUERY], *value[MAX_QUERY];
    size_t n;
} query;

const char *__wrap_sb_req_query(struct sb_req *r, const char *name);
struct sb_store *__wrap_sb_server_store(const struct sb_server *s);
struct sb_pipeline *__wrap_sb_server_pipeline(const struct sb_server *s);
sb_err __wrap_sb_store_write(struct sb_store *s, sb_write_fn fn, void *ctx);
const char *__wrap_sb_req_client_address(struct sb_req *r);
const char *__wrap_sb_req_header(struct sb_req *r, const char *name);

const char *__wrap_sb_req_query(struct sb_req *r, const char *name)
{
    (void)r;
    for (size_t i = 0; i < query.n; i++)
        if (strcmp(query.name[i], name) == 0)
            return query.value[i];
    return NULL;
}

struct sb_store *__wrap_sb_server_store(const struct sb_server *s)
{
    (void)s;
    return store;
}

/* One client address for every request (the server reads it from libmicrohttpd). */
const char *__wrap_sb_req_client_address(struct sb_req *r)
{
    return sb_arena_strdup(r->arena, "192.0.2.1");
}

/* No request headers (the server reads them from libmicrohttpd): no If-None-Match, so the
 * catalogue routes answer their document, never 304. */
const char *__wrap_sb_req_header(struct sb_req *r, const char *name)
{
    (void)r;
    (void)name;
    return NULL;
}

struct sb_pipeline *__wrap_sb_server_pipeline(const struct sb_server *s)
{
    (void)s;
    return NULL; /* nothing to wake: sb_pipeline_kick_outbox(NULL) does nothing */
}

sb_err __wrap_sb_store_write(struct sb_store *s, sb_write_fn fn, void *ctx)
{
    (void)s;
    sb_err err = sb_db_begin(db);
    return err ? err : sb_db_end(db, fn(db, ctx));
}

/* ---------------------------------------------------------------- the request */

static int hex(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decodes %XX and '+' in place, as libmicrohttpd does for arguments. */
static void unescape(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '+') {
            *out++ = ' ';
        } else if (*s == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
            *out++ = (char)(hex(s[1]) * 16 + hex(s[2]));
            s += 2;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

static void query_clear(void)
{
    for (size_t i = 0; i < query.n; i++) {
        free(query.name[i]);
        free(query.value[i]);
    }
    query.n = 0;
}

static void query_parse(char *q)
{
    while (q && *q && query.n < MAX_QUERY) {
        char *amp = strchr(q, '&'), *eq;
        if (amp)
            *amp = '\0';
        eq = strchr(q, '=');
        if (eq)
            *eq = '\0';
        query.name[query.n] = strdup(q);
        query.value[query.n] = strdup(eq ? eq + 1 : "");
        unescape(query.name[query.n]);
        unescape(query.value[query.n]);
        query.n++;
        q = amp ? amp + 1 : NULL;
    }
}

/* The routes this harness drives: those a request body or query reaches without the
 * server's own machinery. */
static bool driven(const struct sb_route *route)
{
    const char *p = route->pattern;
    size_t n = strlen(p);
    return strncmp(p, "/api/v1/", 8) == 0 && strncmp(p, "/api/v1/session", 15) != 0 &&
           !(n >= 5 && strcmp(p + n - 5, "/poll") == 0) &&
           !(n >= 10 && strcmp(p + n - 10, "/reconcile") == 0);
}

static void violation(void *ud, enum sb_invariant inv, const char *detail)
{
    (void)ud;
    FZ_CHECK(false, "invariant %s broken: %s", sb_invariant_name(inv), detail);
}

void fz_seeded_check(void)
{
    int64_t count = 0;
    FZ_CHECK(sb_store_check(db, violation, NULL, &count) == SB_OK && count == 0,
             "the invariants could not be checked: %s", sb_err_last()->message);
}

struct sb_db *fz_seeded_db(void)
{
    return db;
}

/* A channel's own record (GET, POST and PATCH /api/v1/channels[/{id}]) is store-wide
 * configuration that names the outlets it spans, not a record of an outlet. */
static bool channel_config(const struct sb_route *route)
{
    return strcmp(route->pattern, "/api/v1/channels") == 0 ||
           strcmp(route->pattern, "/api/v1/channels/{id}") == 0;
}

/* N2 and the outlet rules of docs/behaviour.md: a user limited to outlet 1 sees nothing of
 * outlet 2 - every outlet_id in what the server sends back is 1 (or null). */
static void check_outlets(json_t *doc, const char *method, const char *target)
{
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_object(doc)) {
        json_object_foreach(doc, key, v)
        {
            if (strcmp(key, "outlet_id") == 0)
                FZ_CHECK(json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 1),
                         "%s %s shows outlet %lld to a user of outlet 1", method, target,
                         (long long)json_integer_value(v));
            check_outlets(v, method, target);
        }
    } else if (json_is_array(doc)) {
        json_array_foreach(doc, i, v)
        {
            check_outlets(v, method, target);
        }
    }
}

/* Runs one request as the server's last callback would; *ret_ran false when the route is
 * not one this harness drives. */
sb_err fz_request(const struct sb_scope *scope, const char *method, char *target, const char *body,
                  size_t len, bool check, json_t **ret_doc, bool *ret_ran)
{
    *ret_ran = false;
    char *q = strchr(target, '?');
    if (q)
        *q++ = '\0';
    query_clear();
    query_parse(q);
    struct sb_arena *a = sb_arena_new();
    FZ_CHECK(a, "out of memory");
    struct sb_req r = {
        .arena = a, .db = db, .body = (char *)body, .body_len = len, .scope = *scope
    };
    bool mismatch = false;
    size_t n_routes;
    const struct sb_route *routes = sb_routes(&n_routes);
    int i = sb_router_match(method, target, r.params, a, &mismatch);
    sb_err err = SB_OK;
    /* the server refuses a role below the route's before the handler runs (403) */
    /* E1: a connection token opens the connection routes only, and only it opens them */
    bool connection = i >= 0 && (routes[i].flags & SB_AUTH_CONNECTION) != 0;
    if (i >= 0 && driven(&routes[i]) && connection == (scope->channel_id != 0) &&
        (int)(routes[i].flags & SB_AUTH_MASK) <= (int)scope->role) {
        *ret_ran = true;
        r.route = &routes[i];
        FZ_CHECK(db->tx_depth == (check ? 1 : 0), "a transaction is open before the request");
        err = routes[i].handler(&r);
        FZ_CHECK(db->tx_depth == (check ? 1 : 0), "%s %s left %d transactions open", method, target,
                 db->tx_depth - (check ? 1 : 0));
        fz_check_error(err);
        /* allocations do not fail here, so out_of_memory too is a bug: what jansson
         * refuses to build (text that is not UTF-8) comes back as a NULL document */
        if (check)
            FZ_CHECK(sb_err_status(err) < 500, "%s %s: %d %s: %s", method, target,
                     sb_err_status(err), sb_err_code(err), sb_err_last()->message);
        if (!err) {
            FZ_CHECK(r.status >= 200 && r.status <= 299, "%s %s answered %d", method, target,
                     r.status);
            FZ_CHECK(r.resp || r.raw || r.status == 204, "%s %s: no document", method, target);
            char *text = r.resp ? json_dumps(r.resp, JSON_COMPACT) : NULL;
            FZ_CHECK(!r.resp || text, "%s %s: the document does not serialise", method, target);
            free(text);
            /* a connection sees the outlets of its own channel, whichever they are */
            if (check && !scope->all_outlets && !scope->channel_id && !channel_config(&routes[i]))
                check_outlets(r.resp, method, target);
            if (check)
                fz_seeded_check();
        }
        if (!err && ret_doc && r.resp)
            *ret_doc = json_incref(r.resp);
        /* a raw answer (the catalogue's, sent as the bytes its ETag hashes) is JSON too */
        if (!err && r.raw && r.content_type && !strcmp(r.content_type, "application/json")) {
            json_t *doc = json_loadb(r.raw, r.raw_len, 0, NULL);
            FZ_CHECK(doc, "%s %s: the raw answer is not JSON", method, target);
            if (check && !scope->all_outlets && !scope->channel_id && !channel_config(&routes[i]))
                check_outlets(doc, method, target);
            if (ret_doc)
                *ret_doc = doc;
            else
                json_decref(doc);
        }
        json_decref(r.error_details);
    }
    sb_arena_free(a);
    query_clear();
    return err;
}

/* ---------------------------------------------------------------- the seeded database */

const struct sb_scope fz_scopes[4] = {
    { .user_id = 1, .role = SB_ROLE_ADMIN, .all_outlets = true },
    { .user_id = 2, .role = SB_ROLE_STAFF },
    { .user_id = 3, .role = SB_ROLE_MANAGER },
    { .user_id = 1, .role = SB_ROLE_NONE, .channel_id = 2 },
};

static const char *const seed[][3] = {
    { "POST", "/api/v1/users", "{\"username\":\"admin\",\"name\":\"Admin\",\"role\":\"admin\"}" },
    { "POST", "/api/v1/outlets",
      "{\"name\":\"Downtown\",\"currency\":\"USD\",\"timezone\":\"America/New_York\"}" },
    { "POST", "/api/v1/outlets", "{\"name\":\"Uptown\",\"currency\":\"USD\"}" },
    { "POST", "/api/v1/registers", "{\"outlet_id\":1,\"name\":\"Till 1\"}" },
    { "POST", "/api/v1/employees", "{\"name\":\"Erin\",\"code\":\"E1\"}" },
    { "POST", "/api/v1/price-levels", "{\"name\":\"Default\"}" },
    { "POST", "/api/v1/price-levels", "{\"name\":\"Sale\"}" },
    { "POST", "/api/v1/payment-types", "{\"name\":\"Cash\",\"integrated\":false}" },
    { "POST", "/api/v1/payment-types", "{\"name\":\"Card\",\"integrated\":true}" },
    { "POST", "/api/v1/items",
      "{\"sku\":\"TEE\",\"name\":\"T-shirt\",\"upc\":\"012345678905\",\"default_cost\":800,"
      "\"msrp\":2500,\"prices\":[{\"price_level_id\":1,\"amount\":2000},"
      "{\"price_level_id\":2,\"amount\":1500}]}" },
    { "POST", "/api/v1/items",
      "{\"sku\":\"MUG\",\"name\":\"Mug\",\"prices\":[{\"price_level_id\":1,\"amount\":1250}]}" },
    { "POST", "/api/v1/items",
      "{\"sku\":\"GIFTWRAP\",\"name\":\"Gift wrap\",\"track_stock\":false}" },
    { "POST", "/api/v1/stock/receipts",
      "{\"outlet_id\":1,\"reference\":\"PO-1\",\"lines\":[{\"item_id\":1,\"quantity\":10},"
      "{\"item_id\":2,\"quantity\":3}]}" },
    { "POST", "/api/v1/registers", "{\"outlet_id\":2,\"name\":\"Till 2\"}" },
    { "POST", "/api/v1/stock/receipts",
      "{\"outlet_id\":2,\"reference\":\"PO-2\",\"lines\":[{\"item_id\":1,\"quantity\":4}]}" },
    { "POST", "/api/v1/users",
      "{\"username\":\"tom\",\"name\":\"Tom\",\"role\":\"staff\",\"outlet_ids\":[1]}" },
    { "POST", "/api/v1/users",
      "{\"username\":\"maria\",\"name\":\"Maria\",\"role\":\"manager\",\"outlet_ids\":[1]}" },
    { "POST", "/api/v1/customers",
      "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"email\":\"ada@example.com\"}" },
    { "POST", "/api/v1/sales",
      "{\"outlet_id\":1,\"register_id\":1,\"employee_id\":1,\"customer_id\":1,"
      "\"lines\":[{\"item_id\":1,\"quantity\":2,\"taxes\":[{\"name\":\"VAT\",\"rate\":\"0.2\","
      "\"amount\":800}]},{\"item_id\":2,\"quantity\":1,\"unit_price\":1250,\"line_discount\":250}],"
      "\"payments\":[{\"payment_type_id\":1,\"amount\":1000}],"
      "\"ship_to\":{\"name\":\"Ada Lovelace\",\"line1\":\"1 Main St\",\"city\":\"Boston\","
      "\"country\":\"US\",\"method\":\"Standard\"}}" },
    { "POST", "/api/v1/sales",
      "{\"outlet_id\":2,\"register_id\":2,\"customer_id\":1,\"lines\":[{\"item_id\":1,"
      "\"quantity\":1}],\"ship_to\":{\"name\":\"Ada Lovelace\",\"line1\":\"2 Elm St\","
      "\"city\":\"Salem\",\"country\":\"US\"}}" },
    { "POST", "/api/v1/channels",
      "{\"kind\":\"shopify\",\"name\":\"Web shop\",\"credentials\":{\"shop_domain\":"
      "\"demo.myshopify.com\",\"access_token\":\"shpat_fuzz\",\"webhook_secret\":\"s\"},"
      "\"outlets\":[1,2],\"default_outlet_id\":1,\"register_id\":1,\"employee_id\":1,"
      "\"settings\":{\"stock_sync\":false}}" },
    /* E1: an export-model webstore (channel 2), whose connection fz_scopes[3] is */
    { "POST", "/api/v1/channels",
      "{\"kind\":\"export\",\"name\":\"Webstore site-1\",\"credentials\":{\"webstore_id\":"
      "\"site-1\"},\"settings\":{\"stock_sync\":false}}" },
};

/* E1-E8: what the seeded webstore's connection (fz_scopes[3]) does once connected: it
 * completes the connection (location L1 at outlet 1, L2 at outlet 2, employee 1, register
 * 1), so that the routes that take orders and refunds run past 409 connection_incomplete,
 * and exports order "S-1" (two T-shirts and a mug from L1), so that a refund has an order
 * to name (fuzz/corpus/api/connection-refund*). */
static const char *const connection_seed[][3] = {
    { "PATCH", "/api/v1/connection",
      "{\"locations\":[{\"location_id\":\"L1\",\"outlet_id\":1,\"name\":\"Main\"},"
      "{\"location_id\":\"L2\",\"outlet_id\":2}],\"employee_id\":1,\"register_id\":1}" },
    { "POST", "/api/v1/connection/orders",
      "{\"orders\":[{\"order_id\":\"S-1\",\"number\":\"W-1\",\"created_at\":"
      "\"2026-03-01T10:00:00Z\",\"currency\":\"USD\",\"email\":\"ada@example.com\","
      "\"location_id\":\"L1\",\"lines\":[{\"sku\":\"TEE\",\"title\":\"T-shirt\",\"quantity\":2,"
      "\"unit_price\":2000},{\"sku\":\"MUG\",\"title\":\"Mug\",\"quantity\":1,\"unit_price\":1250}]"
      ","
      "\"total\":5250,\"payments\":[{\"method\":\"Card\",\"amount\":5250}]}]}" },
};

static void remove_dir(void)
{
    sb_store_release(store, db);
    sb_store_close(store);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[600];
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

void fz_seeded_init(void)
{
    if (store)
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/sb-fuzz-db-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FZ_CHECK(mkdtemp(dir), "cannot make a directory in %s", tmp ? tmp : "/tmp");
    snprintf(url, sizeof(url), "sqlite:%s/fuzz.db", dir);
    FZ_CHECK(sb_secretbox_init(url) == SB_OK, "key: %s", sb_err_last()->message);
    FZ_CHECK(sb_store_open(url, 2, &store) == SB_OK, "store: %s", sb_err_last()->message);
    FZ_CHECK(sb_store_acquire(store, &db) == SB_OK, "connection: %s", sb_err_last()->message);
    atexit(remove_dir);
    for (size_t i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
        char target[128];
        bool ran;
        snprintf(target, sizeof(target), "%s", seed[i][1]);
        sb_err err = fz_request(&fz_scopes[0], seed[i][0], target, seed[i][2], strlen(seed[i][2]),
                                false, NULL, &ran);
        FZ_CHECK(ran && err == SB_OK, "seeding %s %s: %s %s", seed[i][0], seed[i][1],
                 sb_err_code(err), sb_err_last()->message);
    }
    for (size_t i = 0; i < sizeof(connection_seed) / sizeof(connection_seed[0]); i++) {
        char target[128];
        bool ran;
        json_t *doc = NULL;
        snprintf(target, sizeof(target), "%s", connection_seed[i][1]);
        sb_err err = fz_request(&fz_scopes[3], connection_seed[i][0], target, connection_seed[i][2],
                                strlen(connection_seed[i][2]), false, &doc, &ran);
        FZ_CHECK(ran && err == SB_OK, "seeding %s %s: %s %s", connection_seed[i][0],
                 connection_seed[i][1], sb_err_code(err), sb_err_last()->message);
        /* an order is answered 200 with its outcome: it must have made a sale */
        json_t *res = json_array_get(json_object_get(doc, "results"), 0);
        FZ_CHECK(!res || json_integer_value(json_object_get(res, "sale_id")) > 0,
                 "seeding %s: the order made no sale", connection_seed[i][1]);
        json_decref(doc);
    }
    /* a manager who can connect a webstore (POST /api/v1/connection, E1) */
    FZ_CHECK(sb_store_user_set_password(db, 3, "maria-fuzz") == SB_OK, "password: %s",
             sb_err_last()->message);
}
