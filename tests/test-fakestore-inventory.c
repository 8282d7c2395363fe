/*
 * stockbridge-fakestore's stock and prices, end to end: the built binary is
 * spawned (beside $SB_BIN) and driven over HTTP with libcurl. The GraphQL
 * operations the engine pushes stock and prices with and reconciles against
 * (SbLocations, SbInventoryItems, SbInventorySet, SbVariantsPrice): their
 * shapes, userErrors, atomicity, costs and cursors, the sku: search; the
 * control calls (hand edits, locations, bulk products, prices); orders
 * taking stock and restocks giving it back; faults aimed at operations and
 * started after N calls; the plan presets of the cost bucket. Every test
 * ends by stopping the shop with SIGTERM and checking it exits 0 (which
 * also catches leaks under LeakSanitizer).
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOKEN "shpat_test_token"
#define GQL   "/admin/api/2025-01/graphql.json"
#define BOUND 30 /* seconds any wait may take */

/* ---------------------------------------------------------------- the fakestore process */

struct fake {
    pid_t pid;
    unsigned port;
    char base[64];
};

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

/* Starts the binary with extra flags (NULL-terminated); *ret_line gets its first line. */
static pid_t spawn(const char *const *extra, char *line, size_t cap)
{
    const char *bin = getenv("SB_BIN");
    cr_assert(bin, "SB_BIN is not set");
    const char *slash = strrchr(bin, '/');
    cr_assert(slash);
    char path[512];
    snprintf(path, sizeof(path), "%.*s/stockbridge-fakestore", (int)(slash - bin), bin);
    const char *argv[24] = { path, "--listen", "127.0.0.1:0", "--token", TOKEN };
    size_t n = 5;
    for (size_t i = 0; extra && extra[i] && n < 23; i++)
        argv[n++] = extra[i];
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
    close(fds[0]);
    return pid;
}

static void fake_start(struct fake *f, const char *const *extra)
{
    char line[256];
    f->pid = spawn(extra, line, sizeof(line));
    cr_assert(sscanf(line, "fakestore listening on http://127.0.0.1:%u/", &f->port) == 1,
              "unexpected first line: \"%s\"", line);
    snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%u", f->port);
}

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
    json_t *json;
    char *body;
    size_t len;
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

static struct resp http(struct fake *f, const char *method, const char *path, const char *token,
                        const char *body)
{
    struct resp r = { 0 };
    char url[512], auth[256];
    snprintf(url, sizeof(url), "%s%s", f->base, path);
    CURL *c = curl_easy_init();
    cr_assert(c);
    struct curl_slist *h = NULL;
    if (token) {
        snprintf(auth, sizeof(auth), "X-Shopify-Access-Token: %s", token);
        h = curl_slist_append(h, auth);
    }
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)BOUND);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (r.body)
        r.json = json_loadb(r.body, r.len, 0, NULL);
    return r;
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
    struct resp r = http(f, method, path, NULL, body);
    cr_assert_eq(r.status, want, "%s %s: status %ld, body %s", method, path, r.status,
                 r.body ? r.body : "(none)");
    cr_assert(r.json, "%s %s: not JSON: %s", method, path, r.body ? r.body : "(none)");
    json_t *j = json_incref(r.json);
    resp_free(&r);
    return j;
}

/* A GraphQL call (vars as JSON text, may be NULL); returns the 200 answer's JSON. */
static json_t *gql(struct fake *f, const char *op, const char *query, const char *vars)
{
    json_error_t e;
    json_t *v = vars ? json_loads(vars, 0, &e) : json_object();
    cr_assert(v, "bad test variables: %s", e.text);
    json_t *doc = json_pack("{s:s,s:s,s:o}", "query", query, "operationName", op, "variables", v);
    char *body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct resp r = http(f, "POST", GQL, TOKEN, body);
    free(body);
    cr_assert_eq(r.status, 200, "%s: %ld %s", op, r.status, r.body ? r.body : "");
    cr_assert(r.json, "%s: not JSON", op);
    json_t *j = json_incref(r.json);
    resp_free(&r);
    return j;
}

static json_t *gql_ok(struct fake *f, const char *op, const char *query, const char *vars)
{
    json_t *j = gql(f, op, query, vars);
    cr_assert(json_object_get(j, "data") && !json_object_get(j, "errors"), "%s: %s", op,
              json_dumps(j, JSON_COMPACT));
    return j;
}

/* A member by path: "data.inventoryItems.nodes[0].sku". */
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

/* ---------------------------------------------------------------- the engine's documents */

static const char Q_LOCATIONS[] =
    "query SbLocations { locations(first: 50) { nodes { id name isActive } } }";
static const char Q_ITEMS[] =
    "query SbInventoryItems($first: Int!, $after: String, $query: String) { "
    "inventoryItems(first: $first, after: $after, query: $query) { pageInfo { hasNextPage "
    "endCursor } nodes { id sku tracked variant { id price compareAtPrice product { id } } "
    "inventoryLevels(first: 10) { nodes { location { id } quantities(names: [\"available\"]) { "
    "name quantity } } } } } }";
static const char Q_SET[] =
    "mutation SbInventorySet($input: InventorySetQuantitiesInput!) { "
    "inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { reason changes { name "
    "delta quantityAfterChange item { id } location { id } } } userErrors { field message code "
    "} } }";
static const char Q_PRICE[] =
    "mutation SbVariantsPrice($productId: ID!, $variants: [ProductVariantsBulkInput!]!) { "
    "productVariantsBulkUpdate(productId: $productId, variants: $variants) { productVariants { "
    "id price compareAtPrice } userErrors { field message code } } }";

static struct fake F;

static void setup(void)
{
    static const char *const flags[] = { "--restore", "0", "--budget", "1000", NULL };
    fake_start(&F, flags);
}

static void teardown(void)
{
    fake_stop(&F);
}

TestSuite(fakestore_inventory, .init = setup, .fini = teardown, .timeout = 120);

/* The product's gids by SKU, from the control API. */
struct ids {
    char item[96], variant[96], product[96];
};

static struct ids product_ids(const char *sku)
{
    json_t *all = ctl(&F, "GET", "/_fake/products", NULL, 200);
    struct ids out = { 0 };
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(all, "products"), i, p)
    {
        if (strcmp(js(p, "sku"), sku) != 0)
            continue;
        snprintf(out.item, sizeof(out.item), "%s", js(p, "inventory_item_gid"));
        snprintf(out.variant, sizeof(out.variant), "%s", js(p, "variant_gid"));
        snprintf(out.product, sizeof(out.product), "%s", js(p, "product_gid"));
    }
    json_decref(all);
    cr_assert(out.item[0], "no product %s", sku);
    return out;
}

static long long available(const char *sku, const char *location_gid)
{
    char path[128];
    snprintf(path, sizeof(path), "/_fake/inventory?sku=%s", sku);
    json_t *j = ctl(&F, "GET", path, NULL, 200);
    long long v = -999999;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(j, "levels"), i, l)
    {
        if (strcmp(js(l, "location_id"), location_gid) == 0)
            v = ji(l, "available");
    }
    json_decref(j);
    return v;
}

static void add_product(const char *body)
{
    json_decref(ctl(&F, "POST", "/_fake/products", body, 201));
}

/* ---------------------------------------------------------------- locations */

Test(fakestore_inventory, i2_locations_listed_and_added)
{
    json_t *j = ctl(&F, "GET", "/_fake/locations", NULL, 200);
    cr_expect_eq(json_array_size(json_object_get(j, "locations")), 1);
    cr_expect_str_eq(js(j, "locations[0].gid"), "gid://shopify/Location/1");
    json_decref(j);
    j = ctl(&F, "POST", "/_fake/locations", "{\"name\":\"Uptown store\"}", 201);
    cr_expect_eq(ji(j, "id"), 2);
    cr_expect_str_eq(js(j, "gid"), "gid://shopify/Location/2");
    json_decref(j);
    json_decref(ctl(&F, "POST", "/_fake/locations", "{\"name\":\"Uptown store\"}", 409));
    json_decref(ctl(&F, "POST", "/_fake/locations", "{\"nom\":\"x\"}", 422));

    j = gql_ok(&F, "SbLocations", Q_LOCATIONS, NULL);
    cr_expect_eq(json_array_size(jp(j, "data.locations.nodes")), 2);
    cr_expect_str_eq(js(j, "data.locations.nodes[0].id"), "gid://shopify/Location/1");
    cr_expect_str_eq(js(j, "data.locations.nodes[0].name"), "Main warehouse");
    cr_expect_str_eq(js(j, "data.locations.nodes[1].name"), "Uptown store");
    cr_expect(json_is_true(jp(j, "data.locations.nodes[1].isActive")));
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 52);
    cr_expect_eq(ji(j, "extensions.cost.actualQueryCost"), 4);
    json_decref(j);
}

/* ---------------------------------------------------------------- inventoryItems */

Test(fakestore_inventory, i5_inventory_items_page_by_id_with_cursors)
{
    json_t *b = ctl(&F, "POST", "/_fake/products/bulk",
                    "{\"count\":5,\"prefix\":\"P\",\"price\":\"12.50\",\"available\":3}", 201);
    cr_expect_eq(ji(b, "created"), 5);
    cr_expect_str_eq(js(b, "first_sku"), "P0000001");
    cr_expect_str_eq(js(b, "last_sku"), "P0000005");
    json_decref(b);

    char vars[512], seen[5][32];
    const char *after = NULL;
    char cursor[256] = "";
    size_t n = 0, pages = 0;
    long long last_id = 0;
    for (;;) {
        if (after)
            snprintf(vars, sizeof(vars), "{\"first\":2,\"after\":\"%s\"}", after);
        else
            snprintf(vars, sizeof(vars), "{\"first\":2}");
        json_t *j = gql_ok(&F, "SbInventoryItems", Q_ITEMS, vars);
        pages++;
        /* Shopify's rules (fakestore/gql/cost.c): 2 + first x (item 1 + variant 1 + product 1
         * + inventoryLevels (2 + 10 x (level 1 + location 1 + quantities 1))) */
        cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 2 + 2 * 35);
        json_t *nodes = jp(j, "data.inventoryItems.nodes");
        size_t i;
        json_t *node;
        json_array_foreach(nodes, i, node)
        {
            cr_assert(n < 5);
            snprintf(seen[n++], sizeof(seen[0]), "%s", js(node, "sku"));
            long long id = strtoll(strrchr(js(node, "id"), '/') + 1, NULL, 10);
            cr_expect_gt(id, last_id, "ordered by inventory item id");
            last_id = id;
            cr_expect_str_eq(js(node, "variant.price"), "12.50");
            cr_expect(json_is_null(jp(node, "variant.compareAtPrice")));
            cr_expect(json_is_true(jp(node, "tracked")));
            cr_expect_eq(strncmp(js(node, "variant.product.id"), "gid://shopify/Product/", 22), 0);
            cr_expect_str_eq(js(node, "inventoryLevels.nodes[0].location.id"),
                             "gid://shopify/Location/1");
            cr_expect_str_eq(js(node, "inventoryLevels.nodes[0].quantities[0].name"), "available");
            cr_expect_eq(ji(node, "inventoryLevels.nodes[0].quantities[0].quantity"), 3);
        }
        /* actual: each node returned with its one level: 1 + 1 + 1 + (2 + 1 x 3) */
        cr_expect_eq(ji(j, "extensions.cost.actualQueryCost"),
                     2 + 8 * (long long)json_array_size(nodes));
        bool more = json_is_true(jp(j, "data.inventoryItems.pageInfo.hasNextPage"));
        snprintf(cursor, sizeof(cursor), "%s", js(j, "data.inventoryItems.pageInfo.endCursor"));
        json_decref(j);
        if (!more)
            break;
        after = cursor;
    }
    cr_expect_eq(pages, 3);
    cr_expect_eq(n, 5);
    cr_expect_str_eq(seen[0], "P0000001");
    cr_expect_str_eq(seen[4], "P0000005");

    json_t *j = gql(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":2,\"after\":\"bm9wZQ==\"}");
    cr_expect_str_eq(js(j, "errors[0].message"), "Invalid cursor for current pagination sort.");
    json_decref(j);
}

Test(fakestore_inventory, i5_inventory_items_first_is_bounded_and_costed)
{
    /* 251 items cost 2 + 251 x 35: refused before anything runs */
    json_t *j = gql(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":251}");
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "MAX_COST_EXCEEDED");
    cr_expect(!jp(j, "data"));
    json_decref(j);
    j = gql(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":0}");
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "INVALID_VARIABLE");
    json_decref(j);
    /* 250 items with 10 levels each: 2 + 250 x 35 = 8752, above the single query limit */
    j = gql(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":250}");
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "MAX_COST_EXCEEDED");
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 8752);
    json_decref(j);
    /* the adapter's page: 20 items, 10 levels: 2 + 20 x 35 */
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":20}");
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 702);
    cr_expect_eq(ji(j, "extensions.cost.actualQueryCost"), 2);
    cr_expect(json_is_null(jp(j, "data.inventoryItems.pageInfo.endCursor")));
    cr_expect(json_is_false(jp(j, "data.inventoryItems.pageInfo.hasNextPage")));
    json_decref(j);
}

Test(fakestore_inventory, i5_inventory_items_sku_query)
{
    json_decref(ctl(&F, "POST", "/_fake/products/bulk", "{\"count\":300,\"prefix\":\"S-\"}", 201));
    /* 250 terms, in reverse order, plus an unknown SKU and a repeat: 250 items in id order */
    size_t cap = 250 * 24 + 64, len = 0;
    char *q = malloc(cap);
    cr_assert(q);
    for (int i = 250; i >= 1; i--)
        len += (size_t)snprintf(q + len, cap - len, "%ssku:S-%07d", len ? " OR " : "", i);
    len += (size_t)snprintf(q + len, cap - len, " OR sku:\"NOPE\" OR sku:S-0000007");
    /* inventoryLevels(first: 1): 2 + first x (1 + 2 + 1 x 2), so 150 items fit the single
     * query limit */
    static const char q_small[] =
        "query SbInventoryItems($first: Int!, $after: String, $query: String) { "
        "inventoryItems(first: $first, after: $after, query: $query) { pageInfo { hasNextPage "
        "endCursor } nodes { id sku inventoryLevels(first: 1) { nodes { location { id } } } } } "
        "}";
    json_t *vars = json_pack("{s:i,s:s}", "first", 250, "query", q);
    char *vs = json_dumps(vars, JSON_COMPACT);
    json_decref(vars);
    json_t *j = gql(&F, "SbInventoryItems", q_small, vs);
    free(vs);
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "MAX_COST_EXCEEDED");
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 1252);
    json_decref(j);
    vars = json_pack("{s:i,s:s}", "first", 150, "query", q);
    vs = json_dumps(vars, JSON_COMPACT);
    json_decref(vars);
    free(q);
    j = gql_ok(&F, "SbInventoryItems", q_small, vs);
    free(vs);
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 752);
    cr_expect_eq(json_array_size(jp(j, "data.inventoryItems.nodes")), 150);
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[0].sku"), "S-0000001");
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[149].sku"), "S-0000150");
    cr_expect(json_is_true(jp(j, "data.inventoryItems.pageInfo.hasNextPage")));
    json_decref(j);

    /* an escaped quote inside a quoted value */
    add_product("{\"sku\":\"Q\\\"1 2\"}");
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS,
               "{\"first\":5,\"query\":\"sku:\\\"Q\\\\\\\"1 2\\\"\"}");
    cr_expect_eq(json_array_size(jp(j, "data.inventoryItems.nodes")), 1);
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[0].sku"), "Q\"1 2");
    json_decref(j);

    /* quoted values, a page of a search, then the next */
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS,
               "{\"first\":2,\"query\":\"sku:S-0000003 OR sku:'S-0000002' OR sku:S-0000001\"}");
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[0].sku"), "S-0000001");
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[1].sku"), "S-0000002");
    cr_expect(json_is_true(jp(j, "data.inventoryItems.pageInfo.hasNextPage")));
    char after[128];
    snprintf(after, sizeof(after), "%s", js(j, "data.inventoryItems.pageInfo.endCursor"));
    json_decref(j);
    char v2[512];
    snprintf(v2, sizeof(v2),
             "{\"first\":2,\"after\":\"%s\",\"query\":\"sku:S-0000003 OR sku:S-0000002 OR "
             "sku:S-0000001\"}",
             after);
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS, v2);
    cr_expect_eq(json_array_size(jp(j, "data.inventoryItems.nodes")), 1);
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[0].sku"), "S-0000003");
    json_decref(j);

    /* issue 11 round 2: beyond the engine's sku:A OR sku:B form, Shopify's general syntax
     * (AND, NOT, "-", id:); a field items do not have is dropped with Shopify's warning in
     * extensions.search; only a query that does not parse is refused */
    json_decref(ctl(&F, "POST", "/_fake/config", "{\"budget\":10000}", 200)); /* a full bucket */
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS,
               "{\"first\":5,\"query\":\"sku:S-0000001 sku:S-0000002\"}");
    cr_expect_eq(json_array_size(jp(j, "data.inventoryItems.nodes")), 0);
    json_decref(j);
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS,
               "{\"first\":5,\"query\":\"sku:S-00000* AND -sku:S-0000001 AND NOT "
               "sku:S-0000003\"}");
    cr_expect_eq(json_array_size(jp(j, "data.inventoryItems.nodes")), 5);
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[0].sku"), "S-0000002");
    cr_expect_str_eq(js(j, "data.inventoryItems.nodes[1].sku"), "S-0000004");
    json_decref(j);
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":5,\"query\":\"title:shirt\"}");
    cr_expect_eq(json_array_size(jp(j, "data.inventoryItems.nodes")), 5);
    cr_expect_str_eq(js(j, "extensions.search[0].warnings[0].field"), "title");
    cr_expect_str_eq(js(j, "extensions.search[0].warnings[0].message"),
                     "Invalid search field for this query.");
    json_decref(j);
    j = gql(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":5,\"query\":\"sku:\\\"open\"}");
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "BAD_REQUEST");
    cr_expect(!jp(j, "data"));
    json_decref(j);
}

/* ---------------------------------------------------------------- inventorySetQuantities */

static char *set_vars(const char *quantities, bool ignore)
{
    char *out = NULL;
    cr_assert(asprintf(&out,
                       "{\"input\":{\"name\":\"available\",\"reason\":\"correction\","
                       "\"ignoreCompareQuantity\":%s,\"quantities\":%s}}",
                       ignore ? "true" : "false", quantities) > 0);
    return out;
}

static json_t *inv_set(const char *quantities, bool ignore)
{
    char *v = set_vars(quantities, ignore);
    json_t *j = gql_ok(&F, "SbInventorySet", Q_SET, v);
    free(v);
    return j;
}

Test(fakestore_inventory, i3_inventory_set_applies_and_lists_changes)
{
    add_product("{\"sku\":\"TEE\",\"available\":4}");
    add_product("{\"sku\":\"MUG\",\"available\":7}");
    struct ids tee = product_ids("TEE"), mug = product_ids("MUG");
    char q[1024];
    snprintf(q, sizeof(q),
             "[{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":10},{\"inventoryItemId\":\"%s\",\"locationId\":"
             "\"gid://shopify/Location/1\",\"quantity\":7}]",
             tee.item, mug.item);
    json_t *j = inv_set(q, true);
    cr_expect_eq(json_array_size(jp(j, "data.inventorySetQuantities.userErrors")), 0);
    json_t *g = jp(j, "data.inventorySetQuantities.inventoryAdjustmentGroup");
    cr_expect_str_eq(js(g, "reason"), "correction");
    cr_expect_eq(json_array_size(jp(g, "changes")), 1, "MUG did not change");
    cr_expect_str_eq(js(g, "changes[0].name"), "available");
    cr_expect_eq(ji(g, "changes[0].delta"), 6);
    cr_expect_eq(ji(g, "changes[0].quantityAfterChange"), 10);
    cr_expect_str_eq(js(g, "changes[0].item.id"), tee.item);
    cr_expect_str_eq(js(g, "changes[0].location.id"), "gid://shopify/Location/1");
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 10);
    cr_expect_eq(ji(j, "extensions.cost.actualQueryCost"), 10);
    json_decref(j);
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 10);

    /* the same again: nothing changes, no adjustment group */
    j = inv_set(q, true);
    cr_expect(json_is_null(jp(j, "data.inventorySetQuantities.inventoryAdjustmentGroup")));
    cr_expect_eq(json_array_size(jp(j, "data.inventorySetQuantities.userErrors")), 0);
    json_decref(j);

    j = ctl(&F, "GET", "/_fake/requests", NULL, 200);
    cr_expect_eq(ji(j, "inventory_set_calls"), 2);
    cr_expect_eq(ji(j, "inventory_quantities_set"), 4);
    cr_expect_eq(ji(j, "by_operation.SbInventorySet"), 2);
    json_decref(j);
}

Test(fakestore_inventory, i3_inventory_set_is_all_or_nothing)
{
    add_product("{\"sku\":\"TEE\",\"available\":4}");
    json_decref(ctl(&F, "POST", "/_fake/locations", "{\"name\":\"Uptown\"}", 201));
    struct ids tee = product_ids("TEE");
    char q[2048];
    snprintf(q, sizeof(q),
             "[{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":9},"
             "{\"inventoryItemId\":\"gid://shopify/InventoryItem/1\",\"locationId\":"
             "\"gid://shopify/Location/1\",\"quantity\":1},"
             "{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/99\","
             "\"quantity\":1},"
             "{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/2\","
             "\"quantity\":1}]",
             tee.item, tee.item, tee.item);
    json_t *j = inv_set(q, true);
    json_t *ue = jp(j, "data.inventorySetQuantities.userErrors");
    cr_assert_eq(json_array_size(ue), 3, "%s", json_dumps(ue, 0));
    cr_expect_str_eq(js(ue, "[0].code"), "INVALID_INVENTORY_ITEM");
    cr_expect_str_eq(js(ue, "[0].field[0]"), "input");
    cr_expect_str_eq(js(ue, "[0].field[1]"), "quantities");
    cr_expect_str_eq(js(ue, "[0].field[2]"), "1");
    cr_expect_str_eq(js(ue, "[0].field[3]"), "inventoryItemId");
    cr_expect_str_eq(js(ue, "[1].code"), "INVALID_LOCATION");
    cr_expect_str_eq(js(ue, "[1].field[2]"), "2");
    cr_expect_str_eq(js(ue, "[1].field[3]"), "locationId");
    cr_expect_str_eq(js(ue, "[2].code"), "ITEM_NOT_STOCKED_AT_LOCATION");
    cr_expect_str_eq(js(ue, "[2].field[2]"), "3");
    cr_expect(json_is_null(jp(j, "data.inventorySetQuantities.inventoryAdjustmentGroup")));
    json_decref(j);
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 4, "nothing changed");

    /* a duplicate pair, a bad reason and name */
    snprintf(q, sizeof(q),
             "{\"input\":{\"name\":\"reserved\",\"reason\":\"because\",\"quantities\":["
             "{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":1},{\"inventoryItemId\":\"%s\",\"locationId\":"
             "\"gid://shopify/Location/1\",\"quantity\":2,\"compareQuantity\":4}],"
             "\"ignoreCompareQuantity\":true}}",
             tee.item, tee.item);
    j = gql_ok(&F, "SbInventorySet", Q_SET, q);
    ue = jp(j, "data.inventorySetQuantities.userErrors");
    cr_expect_str_eq(js(ue, "[0].code"), "INVALID_NAME");
    cr_expect_str_eq(js(ue, "[1].code"), "INVALID_REASON");
    cr_expect_str_eq(js(ue, "[2].code"), "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR");
    json_decref(j);
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 4);

    /* malformed input: a GraphQL error, nothing charged */
    j = gql(&F, "SbInventorySet", Q_SET,
            "{\"input\":{\"name\":\"available\",\"reason\":\"correction\",\"quantities\":[{"
            "\"inventoryItemId\":\"x\",\"locationId\":\"gid://shopify/Location/1\","
            "\"quantity\":1}]}}");
    cr_expect_str_eq(js(j, "errors[0].message"), "Invalid global id 'x'");
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 0);
    json_decref(j);
    j = gql(&F, "SbInventorySet", Q_SET,
            "{\"input\":{\"name\":\"available\",\"reason\":\"correction\",\"quantities\":[]}}");
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "INVALID_VARIABLE");
    json_decref(j);
}

Test(fakestore_inventory, i3_inventory_set_compare_quantity)
{
    add_product("{\"sku\":\"TEE\",\"available\":4}");
    struct ids tee = product_ids("TEE");
    char q[1024];
    snprintf(q, sizeof(q),
             "[{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":8,\"compareQuantity\":3}]",
             tee.item);
    json_t *j = inv_set(q, false);
    cr_expect_str_eq(js(j, "data.inventorySetQuantities.userErrors[0].code"),
                     "COMPARE_QUANTITY_STALE");
    cr_expect_str_eq(js(j, "data.inventorySetQuantities.userErrors[0].field[3]"),
                     "compareQuantity");
    json_decref(j);
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 4);
    snprintf(q, sizeof(q),
             "[{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":8}]",
             tee.item);
    j = inv_set(q, false);
    cr_expect_str_eq(js(j, "data.inventorySetQuantities.userErrors[0].code"),
                     "COMPARE_QUANTITY_REQUIRED");
    json_decref(j);
    snprintf(q, sizeof(q),
             "[{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":8,\"compareQuantity\":4}]",
             tee.item);
    j = inv_set(q, false);
    cr_expect_eq(ji(j, "data.inventorySetQuantities.inventoryAdjustmentGroup.changes[0].delta"), 4);
    json_decref(j);
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 8);
}

Test(fakestore_inventory, i3_inventory_set_takes_at_most_250)
{
    add_product("{\"sku\":\"TEE\"}");
    struct ids tee = product_ids("TEE");
    size_t cap = 251 * 160 + 16, len = 0;
    char *q = malloc(cap);
    cr_assert(q);
    len += (size_t)snprintf(q + len, cap - len, "[");
    for (int i = 0; i < 251; i++)
        len += (size_t)snprintf(q + len, cap - len,
                                "%s{\"inventoryItemId\":\"%s\",\"locationId\":"
                                "\"gid://shopify/Location/1\",\"quantity\":%d}",
                                i ? "," : "", tee.item, i);
    snprintf(q + len, cap - len, "]");
    char *v = set_vars(q, true);
    free(q);
    json_t *j = gql(&F, "SbInventorySet", Q_SET, v);
    free(v);
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "MAX_INPUT_SIZE_EXCEEDED");
    cr_expect(!jp(j, "data"));
    json_decref(j);
}

/* ---------------------------------------------------------------- prices */

Test(fakestore_inventory, pr4_variant_prices_updated_atomically)
{
    add_product("{\"sku\":\"TEE\",\"price\":\"20.00\"}");
    add_product("{\"sku\":\"MUG\",\"price\":\"8.00\",\"compare_at_price\":\"9.00\"}");
    struct ids tee = product_ids("TEE"), mug = product_ids("MUG");
    char v[1024];
    snprintf(v, sizeof(v),
             "{\"productId\":\"%s\",\"variants\":[{\"id\":\"%s\",\"price\":\"12.50\","
             "\"compareAtPrice\":\"15.00\"}]}",
             tee.product, tee.variant);
    json_t *j = gql_ok(&F, "SbVariantsPrice", Q_PRICE, v);
    cr_expect_eq(json_array_size(jp(j, "data.productVariantsBulkUpdate.userErrors")), 0);
    cr_expect_str_eq(js(j, "data.productVariantsBulkUpdate.productVariants[0].id"), tee.variant);
    cr_expect_str_eq(js(j, "data.productVariantsBulkUpdate.productVariants[0].price"), "12.50");
    cr_expect_str_eq(js(j, "data.productVariantsBulkUpdate.productVariants[0].compareAtPrice"),
                     "15.00");
    cr_expect_eq(ji(j, "extensions.cost.requestedQueryCost"), 10);
    json_decref(j);
    j = ctl(&F, "GET", "/_fake/prices?sku=TEE", NULL, 200);
    cr_expect_str_eq(js(j, "price"), "12.50");
    cr_expect_str_eq(js(j, "compare_at_price"), "15.00");
    json_decref(j);

    /* compareAtPrice null unsets it */
    snprintf(v, sizeof(v),
             "{\"productId\":\"%s\",\"variants\":[{\"id\":\"%s\",\"price\":\"8.00\","
             "\"compareAtPrice\":null}]}",
             mug.product, mug.variant);
    json_decref(gql_ok(&F, "SbVariantsPrice", Q_PRICE, v));
    j = ctl(&F, "GET", "/_fake/prices?sku=MUG", NULL, 200);
    cr_expect(json_is_null(jp(j, "compare_at_price")));
    json_decref(j);

    /* a variant of another product: userError, nothing changes */
    snprintf(v, sizeof(v),
             "{\"productId\":\"%s\",\"variants\":[{\"id\":\"%s\",\"price\":\"1.00\"},{\"id\":"
             "\"%s\",\"price\":\"2.00\"}]}",
             tee.product, tee.variant, mug.variant);
    j = gql_ok(&F, "SbVariantsPrice", Q_PRICE, v);
    cr_expect_str_eq(js(j, "data.productVariantsBulkUpdate.userErrors[0].code"),
                     "PRODUCT_VARIANT_DOES_NOT_EXIST");
    cr_expect_str_eq(js(j, "data.productVariantsBulkUpdate.userErrors[0].field[1]"), "1");
    cr_expect(json_is_null(jp(j, "data.productVariantsBulkUpdate.productVariants")));
    json_decref(j);
    j = ctl(&F, "GET", "/_fake/prices?sku=TEE", NULL, 200);
    cr_expect_str_eq(js(j, "price"), "12.50");
    json_decref(j);

    snprintf(v, sizeof(v),
             "{\"productId\":\"gid://shopify/Product/1\",\"variants\":[{\"id\":\"%s\","
             "\"price\":\"1.00\"}]}",
             tee.variant);
    j = gql_ok(&F, "SbVariantsPrice", Q_PRICE, v);
    cr_expect_str_eq(js(j, "data.productVariantsBulkUpdate.userErrors[0].code"),
                     "PRODUCT_DOES_NOT_EXIST");
    json_decref(j);
    snprintf(v, sizeof(v),
             "{\"productId\":\"%s\",\"variants\":[{\"id\":\"%s\",\"price\":\"1.005\"}]}",
             tee.product, tee.variant);
    j = gql(&F, "SbVariantsPrice", Q_PRICE, v);
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "INVALID_VARIABLE");
    json_decref(j);
    json_decref(ctl(&F, "GET", "/_fake/prices?sku=NOPE", NULL, 404));
}

/* ---------------------------------------------------------------- control calls */

Test(fakestore_inventory, i1_hand_edit_is_overwritten_by_the_next_set)
{
    add_product("{\"sku\":\"TEE\",\"available\":4}");
    json_decref(ctl(&F, "POST", "/_fake/locations", "{\"name\":\"Uptown\"}", 201));
    json_t *j = ctl(&F, "POST", "/_fake/inventory", "{\"sku\":\"TEE\",\"available\":2}", 200);
    cr_expect_eq(ji(j, "available"), 2);
    cr_expect_str_eq(js(j, "location_id"), "gid://shopify/Location/1");
    cr_expect_str_eq(js(j, "sku"), "TEE");
    cr_expect(json_is_string(jp(j, "updated_at")));
    json_decref(j);
    /* by gid, at a location where it was not stocked: now it is */
    json_decref(ctl(&F, "POST", "/_fake/inventory",
                    "{\"sku\":\"TEE\",\"location_id\":\"gid://shopify/Location/2\","
                    "\"available\":5}",
                    200));
    json_decref(ctl(&F, "POST", "/_fake/inventory",
                    "{\"sku\":\"TEE\",\"location_id\":2,\"available\":6}", 200));
    cr_expect_eq(available("TEE", "gid://shopify/Location/2"), 6);
    json_decref(ctl(&F, "POST", "/_fake/inventory", "{\"sku\":\"NOPE\",\"available\":1}", 404));
    json_decref(ctl(&F, "POST", "/_fake/inventory",
                    "{\"sku\":\"TEE\",\"location_id\":77,\"available\":1}", 404));
    json_decref(ctl(&F, "POST", "/_fake/inventory", "{\"sku\":\"TEE\"}", 422));
    json_decref(ctl(&F, "GET", "/_fake/inventory?sku=NOPE", NULL, 404));

    struct ids tee = product_ids("TEE");
    char q[512];
    snprintf(q, sizeof(q),
             "[{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":4}]",
             tee.item);
    j = inv_set(q, true);
    cr_expect_eq(ji(j, "data.inventorySetQuantities.inventoryAdjustmentGroup.changes[0].delta"), 2);
    json_decref(j);
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 4);

    j = ctl(&F, "GET", "/_fake/inventory", NULL, 200);
    cr_expect_eq(json_array_size(json_object_get(j, "levels")), 2);
    cr_expect(!json_object_get(j, "truncated"));
    json_decref(j);
}

Test(fakestore_inventory, fakestore_bulk_products)
{
    json_t *j = ctl(&F, "POST", "/_fake/products/bulk",
                    "{\"count\":3,\"prefix\":\"B\",\"price\":\"9.99\",\"available\":2}", 201);
    cr_expect_eq(ji(j, "created"), 3);
    cr_expect_str_eq(js(j, "last_sku"), "B0000003");
    json_decref(j);
    cr_expect_eq(available("B0000002", "gid://shopify/Location/1"), 2);
    j = ctl(&F, "GET", "/_fake/prices?sku=B0000003", NULL, 200);
    cr_expect_str_eq(js(j, "price"), "9.99");
    json_decref(j);
    /* a SKU that exists: refused, nothing created */
    json_decref(ctl(&F, "POST", "/_fake/products/bulk", "{\"count\":5,\"prefix\":\"B\"}", 409));
    j = ctl(&F, "GET", "/_fake/products", NULL, 200);
    cr_expect_eq(json_array_size(json_object_get(j, "products")), 3);
    json_decref(j);
    json_decref(ctl(&F, "POST", "/_fake/products/bulk", "{\"count\":0}", 422));
    json_decref(ctl(&F, "POST", "/_fake/products/bulk", "{\"count\":1,\"size\":2}", 422));
    json_decref(ctl(&F, "GET", "/_fake/products/bulk", NULL, 405));
}

/* ---------------------------------------------------------------- orders */

Test(fakestore_inventory, i3_orders_take_stock_and_restocks_give_it_back)
{
    add_product("{\"sku\":\"TEE\",\"price\":\"20.00\",\"available\":10}");
    add_product("{\"sku\":\"FREE\",\"price\":\"1.00\",\"tracked\":false,\"available\":3}");
    json_t *o = ctl(&F, "POST", "/_fake/orders",
                    "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":3},{\"sku\":\"FREE\","
                    "\"quantity\":1},{\"sku\":\"X\",\"title\":\"Custom\",\"price\":\"1.00\","
                    "\"quantity\":1}],\"webhooks\":false}",
                    201);
    long long id = ji(o, "id"), line = ji(o, "line_items[0].id");
    json_decref(o);
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 7);
    cr_expect_eq(available("FREE", "gid://shopify/Location/1"), 3, "untracked");

    char path[96], body[256];
    snprintf(path, sizeof(path), "/_fake/orders/%lld/refund", id);
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_item_id\":%lld,\"quantity\":1,\"restock\":true}],"
             "\"webhooks\":false}",
             line);
    json_decref(ctl(&F, "POST", path, body, 200));
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 8);
    snprintf(path, sizeof(path), "/_fake/orders/%lld/cancel", id);
    json_decref(ctl(&F, "POST", path, "{\"restock\":true,\"webhooks\":false}", 200));
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 10, "back to where it was");

    /* a refund without restock gives nothing back */
    o = ctl(&F, "POST", "/_fake/orders",
            "{\"line_items\":[{\"sku\":\"TEE\",\"quantity\":2}],\"webhooks\":false}", 201);
    id = ji(o, "id");
    line = ji(o, "line_items[0].id");
    json_decref(o);
    snprintf(path, sizeof(path), "/_fake/orders/%lld/refund", id);
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_item_id\":%lld,\"quantity\":2}],\"webhooks\":false}", line);
    json_decref(ctl(&F, "POST", path, body, 200));
    cr_expect_eq(available("TEE", "gid://shopify/Location/1"), 8);
}

/* ---------------------------------------------------------------- faults */

Test(fakestore_inventory, i9_fault_aimed_at_an_operation_after_n_calls)
{
    json_decref(ctl(&F, "POST", "/_fake/faults",
                    "{\"graphql\":{\"status\":503,\"count\":1,\"after\":2,"
                    "\"operations\":[\"SbInventoryItems\"]}}",
                    200));
    json_t *j = ctl(&F, "GET", "/_fake/faults", NULL, 200);
    cr_expect_eq(ji(j, "graphql.after"), 2);
    cr_expect_str_eq(js(j, "graphql.operations[0]"), "SbInventoryItems");
    json_decref(j);
    /* other operations pass and do not count */
    for (int i = 0; i < 3; i++)
        json_decref(gql_ok(&F, "SbLocations", Q_LOCATIONS, NULL));
    json_decref(gql_ok(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":5}"));
    json_decref(gql_ok(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":5}"));
    char body[4096];
    snprintf(body, sizeof(body), "{\"query\":\"%s\",\"operationName\":\"SbLocations\"}",
             Q_LOCATIONS);
    struct resp r = http(&F, "POST", GQL, TOKEN,
                         "{\"query\":\"query SbInventoryItems($first: Int!) { inventoryItems("
                         "first: $first) { nodes { id } } }\",\"variables\":{\"first\":5}}");
    cr_expect_eq(r.status, 503, "the third SbInventoryItems: %ld %s", r.status, r.body);
    resp_free(&r);
    json_decref(gql_ok(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":5}"));

    /* throttle aimed at the mutation only */
    add_product("{\"sku\":\"TEE\"}");
    struct ids tee = product_ids("TEE");
    json_decref(ctl(&F, "POST", "/_fake/faults",
                    "{\"graphql\":{\"throttle\":1,\"operations\":[\"SbInventorySet\"]}}", 200));
    json_decref(gql_ok(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":5}"));
    char q[512];
    snprintf(q, sizeof(q),
             "[{\"inventoryItemId\":\"%s\",\"locationId\":\"gid://shopify/Location/1\","
             "\"quantity\":4}]",
             tee.item);
    char *v = set_vars(q, true);
    j = gql(&F, "SbInventorySet", Q_SET, v);
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "THROTTLED");
    json_decref(j);
    json_decref(gql_ok(&F, "SbInventorySet", Q_SET, v));
    free(v);
    j = ctl(&F, "GET", "/_fake/requests", NULL, 200);
    cr_expect_eq(ji(j, "faulted"), 1);
    cr_expect_eq(ji(j, "throttled"), 1);
    cr_expect_eq(ji(j, "by_operation.SbInventoryItems"), 5);
    cr_expect_eq(ji(j, "by_operation.SbLocations"), 3);
    cr_expect_eq(ji(j, "inventory_set_calls"), 1);
    json_decref(j);

    json_decref(
        ctl(&F, "POST", "/_fake/faults", "{\"graphql\":{\"status\":500,\"operations\":[1]}}", 422));
}

/* ---------------------------------------------------------------- plans */

Test(fakestore_inventory, i9_plan_presets)
{
    json_t *j = ctl(&F, "POST", "/_fake/config", "{\"plan\":\"plus\"}", 200);
    cr_expect_eq(json_real_value(jp(j, "budget")), 10000.0);
    cr_expect_eq(json_real_value(jp(j, "restore")), 1000.0);
    cr_expect_str_eq(js(j, "plan"), "plus");
    json_decref(j);
    /* a bucket of 10,000 still takes at most 1000 in one query */
    j = gql(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":100}");
    cr_expect_str_eq(js(j, "errors[0].extensions.code"), "MAX_COST_EXCEEDED");
    cr_expect_eq(ji(j, "errors[0].extensions.maxCost"), 1000);
    json_decref(j);
    j = gql_ok(&F, "SbInventoryItems", Q_ITEMS, "{\"first\":25}"); /* 2 + 25 x 35 = 877 */
    cr_expect_eq(json_real_value(jp(j, "extensions.cost.throttleStatus.maximumAvailable")),
                 10000.0);
    json_decref(j);
    j = ctl(&F, "POST", "/_fake/config", "{\"plan\":\"standard\"}", 200);
    cr_expect_eq(json_real_value(jp(j, "budget")), 1000.0);
    cr_expect_eq(json_real_value(jp(j, "restore")), 100.0);
    json_decref(j);
    j = ctl(&F, "POST", "/_fake/config", "{\"plan\":\"advanced\",\"restore\":0}", 200);
    cr_expect_eq(json_real_value(jp(j, "budget")), 2000.0);
    cr_expect_eq(json_real_value(jp(j, "restore")), 0.0);
    json_decref(j);
    json_decref(ctl(&F, "POST", "/_fake/config", "{\"plan\":\"enterprise\"}", 422));

    /* the flag */
    struct fake g;
    static const char *const flags[] = { "--plan", "advanced", NULL };
    fake_start(&g, flags);
    struct fake saved = F;
    F = g;
    j = ctl(&F, "GET", "/_fake/config", NULL, 200);
    cr_expect_eq(json_real_value(jp(j, "budget")), 2000.0);
    cr_expect_eq(json_real_value(jp(j, "restore")), 200.0);
    cr_expect_str_eq(js(j, "plan"), "advanced");
    json_decref(j);
    fake_stop(&F);
    F = saved;
    char line[256];
    static const char *const bad[] = { "--plan", "gold", NULL };
    pid_t pid = spawn(bad, line, sizeof(line));
    cr_expect_eq(reap(pid), 2);
}
