/*
 * The shop's stock and prices: locations (the main one from the start, more
 * through the control API), one "available" level per product and
 * location, the index that finds a product by SKU in O(1) (a reconciliation
 * looks up 250 SKUs a call in a catalogue of a million), bulk creation of
 * products for benchmarks, what an order takes from stock and what a
 * restock gives back, the plan presets of the cost bucket, and the GraphQL
 * fields of stock and prices (fs_gql_inventory_fields): locations,
 * inventoryItems (paged by inventory item id, filtered by `sku:` terms),
 * inventorySetQuantities (all or nothing, every error listed) and
 * productVariantsBulkUpdate; items, variants, products, levels and locations
 * are rendered for the engine, which selects what a document asks for.
 */
#include "app.h"
#include "graphql-search.h"
#include "graphql.h"

#include "core/money.h"
#include "util/hash.h"
#include "util/timeutil.h"

#include <openssl/evp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_MAX     (128 * 1024) /* bytes of SbInventoryItems' $query */
#define MAX_SKU_TERMS 1000         /* sku: terms in one $query */
#define INPUT_MAX     250          /* Shopify: input arrays hold at most 250 entries */
#define BULK_PREFIX   64

/* ---------------------------------------------------------------- the SKU index */

static size_t sku_hash(const char *s)
{
    uint64_t h = sb_fnv1a(s);
    return (size_t)(h ^ (h >> 29));
}

static void sku_place(uint32_t *t, size_t cap, const char *sku, uint32_t v)
{
    size_t i = sku_hash(sku) & (cap - 1);
    while (t[i])
        i = (i + 1) & (cap - 1);
    t[i] = v;
}

struct product *fs_sku_find(struct fs_shop *s, const char *sku)
{
    if (!s->sku_cap)
        return NULL;
    for (size_t i = sku_hash(sku) & (s->sku_cap - 1);; i = (i + 1) & (s->sku_cap - 1)) {
        uint32_t v = s->sku_index[i];
        if (!v)
            return NULL;
        if (strcmp(s->products[v - 1].sku, sku) == 0)
            return &s->products[v - 1];
    }
}

/* Kept at most half full, so probes stay short. */
sb_err fs_sku_insert(struct fs_shop *s, size_t index)
{
    if ((index + 1) * 2 > s->sku_cap) {
        size_t cap = s->sku_cap ? s->sku_cap : 1024;
        while ((index + 1) * 2 > cap)
            cap *= 2;
        uint32_t *t = calloc(cap, sizeof(*t));
        if (!t)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < s->sku_cap; i++)
            if (s->sku_index[i])
                sku_place(t, cap, s->products[s->sku_index[i] - 1].sku, s->sku_index[i]);
        free(s->sku_index);
        s->sku_index = t;
        s->sku_cap = cap;
    }
    sku_place(s->sku_index, s->sku_cap, s->products[index].sku, (uint32_t)(index + 1));
    return SB_OK;
}

void fs_sku_free(struct fs_shop *s)
{
    free(s->sku_index);
    s->sku_index = NULL;
    s->sku_cap = 0;
}

/* ---------------------------------------------------------------- products by id */

static int64_t id_at(const struct fs_shop *s, size_t i, size_t off)
{
    int64_t v;
    memcpy(&v, (const char *)&s->products[i] + off, sizeof(v));
    return v;
}

/* The first product whose id (the field at off) is >= id. */
static size_t lower_bound(const struct fs_shop *s, size_t off, int64_t id)
{
    size_t lo = 0, hi = s->n_products;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (id_at(s, mid, off) < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct product *by_id(struct fs_shop *s, size_t off, int64_t id)
{
    size_t i = lower_bound(s, off, id);
    return i < s->n_products && id_at(s, i, off) == id ? &s->products[i] : NULL;
}

struct product *fs_product_by_item(struct fs_shop *s, int64_t id)
{
    return by_id(s, offsetof(struct product, inventory_item_id), id);
}

struct product *fs_product_by_id(struct fs_shop *s, int64_t id)
{
    return by_id(s, offsetof(struct product, product_id), id);
}

struct product *fs_product_by_variant(struct fs_shop *s, int64_t id)
{
    return by_id(s, offsetof(struct product, variant_id), id);
}

/* ---------------------------------------------------------------- locations and levels */

int fs_location_index(const struct fs_shop *s, int64_t id)
{
    for (size_t i = 0; i < s->n_locations; i++)
        if (s->locations[i].id == id)
            return (int)i;
    return -1;
}

sb_err fs_location_add(struct fs_shop *s, const char *name, struct location **ret)
{
    if (!name || !*name || strlen(name) > STR_MAX)
        return sb_fail(SB_EINVALID_FIELD, "name", "name must be 1 to %d bytes", STR_MAX);
    for (size_t i = 0; i < s->n_locations; i++)
        if (strcmp(s->locations[i].name, name) == 0)
            return sb_fail(SB_EDUPLICATE, "name", "a location named %s exists", name);
    if (s->n_locations == MAX_LOCATIONS)
        return sb_fail(SB_EINSUFFICIENT, NULL, "the shop holds %d locations, its limit",
                       MAX_LOCATIONS);
    struct location *l = &s->locations[s->n_locations];
    *l = (struct location){ .id = LOCATION_ID + (int64_t)s->n_locations, .active = true };
    snprintf(l->name, sizeof(l->name), "%s", name);
    s->n_locations++;
    if (ret)
        *ret = l;
    return SB_OK;
}

void fs_level_set(struct product *p, int loc, int64_t available, int64_t now)
{
    if (available > QTY_LIMIT)
        available = QTY_LIMIT;
    if (available < -QTY_LIMIT)
        available = -QTY_LIMIT;
    p->available[loc] = (int32_t)available;
    p->updated[loc] = (uint32_t)now;
    p->stocked |= (uint8_t)(1u << loc);
}

static bool stocked(const struct product *p, int loc)
{
    return loc >= 0 && (p->stocked >> loc) & 1u;
}

/* ---------------------------------------------------------------- bulk products */

/* prefix + i zero-padded to width digits ("R0000001"); cap holds any prefix allowed. */
static void bulk_sku(char *out, size_t cap, const char *prefix, int width, int64_t i)
{
    char num[24];
    int len = snprintf(num, sizeof(num), "%lld", (long long)i);
    size_t pl = strlen(prefix), pad = width > len ? (size_t)(width - len) : 0;
    if (len < 0 || pl + pad + (size_t)len + 1 > cap) {
        out[0] = '\0';
        return;
    }
    memcpy(out, prefix, pl);
    memset(out + pl, '0', pad);
    memcpy(out + pl + pad, num, (size_t)len + 1);
}

sb_err fs_products_bulk(struct fs_shop *s, const char *prefix, int64_t count, int64_t price,
                        int64_t available, json_t **ret)
{
    if (strlen(prefix) > BULK_PREFIX)
        return sb_fail(SB_EINVALID_FIELD, "prefix", "prefix must be at most %d bytes", BULK_PREFIX);
    if (count > (int64_t)(MAX_PRODUCTS - s->n_products))
        return sb_fail(SB_EINSUFFICIENT, "count", "the shop holds %d products at most; it has %zu",
                       MAX_PRODUCTS, s->n_products);
    int width = 7;
    for (int64_t n = count / 10000000; n; n /= 10)
        width++;
    char sku[BULK_PREFIX + 24], first[sizeof(sku)], last[sizeof(sku)];
    for (int64_t i = 1; i <= count; i++) { /* refuse before anything is created */
        bulk_sku(sku, sizeof(sku), prefix, width, i);
        if (fs_sku_find(s, sku))
            return sb_fail(SB_EDUPLICATE, "prefix", "a product with SKU %s exists", sku);
    }
    if (s->n_products + (size_t)count > s->cap_products) {
        /* exactly what is needed: a million products must not double into two million */
        size_t cap = s->n_products + (size_t)count;
        struct product *np = realloc(s->products, cap * sizeof(*np));
        if (!np)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        s->products = np;
        s->cap_products = cap;
    }
    int64_t now = sb_time_now();
    for (int64_t i = 1; i <= count; i++) {
        struct product *p = NULL;
        bulk_sku(sku, sizeof(sku), prefix, width, i);
        sb_err err = fs_add_product_locked(s, sku, NULL, price, NULL, &p);
        if (err)
            return err;
        fs_level_set(p, 0, available, now);
    }
    bulk_sku(first, sizeof(first), prefix, width, 1);
    bulk_sku(last, sizeof(last), prefix, width, count);
    *ret = json_pack("{s:I,s:s,s:s}", "created", (json_int_t)count, "first_sku", first, "last_sku",
                     last);
    return SB_OK;
}

/* ---------------------------------------------------------------- orders and stock */

/* Shopify takes an order's units from stock when the order is placed. */
void fs_stock_take(struct fs_shop *s, struct order *o)
{
    int64_t now = sb_time_now();
    for (size_t i = 0; i < o->n_lines; i++) {
        struct line *l = &o->lines[i];
        struct product *p = l->variant_id ? fs_find_product(s, l->sku) : NULL;
        if (!p || !p->tracked || !stocked(p, 0))
            continue;
        fs_level_set(p, 0, (int64_t)p->available[0] - l->quantity, now);
        l->stock_taken = true;
    }
}

/* Never more than the order took: a cancel after a restocking refund gives nothing twice. */
void fs_stock_restock(struct fs_shop *s, struct line *l, int64_t qty)
{
    if (!l->stock_taken)
        return;
    if (qty > l->quantity - l->restocked)
        qty = l->quantity - l->restocked;
    struct product *p = fs_find_product(s, l->sku);
    if (qty <= 0 || !p || !stocked(p, 0))
        return;
    fs_level_set(p, 0, (int64_t)p->available[0] + qty, sb_time_now());
    l->restocked += qty;
}

/* ---------------------------------------------------------------- plan presets */

/* Restore rates from shopify.dev's GraphQL Admin rate limits (100, 200, 1000 points a
 * second); bucket sizes ten seconds of restore. docs/fakestore.md says where they come
 * from. */
static const struct plan {
    const char *name;
    double budget, restore;
} plans[] = {
    { "standard", 1000, 100 },
    { "advanced", 2000, 200 },
    { "plus", 10000, 1000 },
};

bool fs_plan_find(const char *name, double *ret_budget, double *ret_restore, const char **ret_name)
{
    for (size_t i = 0; name && i < sizeof(plans) / sizeof(plans[0]); i++)
        if (strcmp(plans[i].name, name) == 0) {
            *ret_budget = plans[i].budget;
            *ret_restore = plans[i].restore;
            if (ret_name)
                *ret_name = plans[i].name;
            return true;
        }
    return false;
}

/* ---------------------------------------------------------------- GraphQL: small pieces */

static json_t *path3(const char *a, long index, const char *c)
{
    json_t *f = json_array();
    char buf[24];
    json_array_append_new(f, json_string(a));
    if (index >= 0) {
        snprintf(buf, sizeof(buf), "%ld", index);
        json_array_append_new(f, json_string(buf));
    }
    if (c)
        json_array_append_new(f, json_string(c));
    return f;
}

/* ["input", "quantities", "<i>", field] */
static json_t *qty_path(size_t i, const char *field)
{
    json_t *f = path3("input", -1, NULL);
    json_t *rest = path3("quantities", (long)i, field);
    json_array_extend(f, rest);
    json_decref(rest);
    return f;
}

static void too_many(struct gql *g, size_t n)
{
    fs_gql_error(g, "MAX_INPUT_SIZE_EXCEEDED",
                 "The input array size of %zu is greater than the maximum allowed of %d.", n,
                 INPUT_MAX);
}

/* Cursors are opaque to the engine: base64 of {"last_id":N}, the last inventory item id. */
static json_t *cursor_encode(int64_t id)
{
    char raw[64];
    unsigned char out[100];
    int n = snprintf(raw, sizeof(raw), "{\"last_id\":%lld}", (long long)id);
    EVP_EncodeBlock(out, (const unsigned char *)raw, n);
    return json_string((const char *)out);
}

static bool cursor_decode(const char *c, int64_t *ret_id)
{
    size_t n = strlen(c);
    unsigned char raw[128];
    if (n == 0 || n % 4 || n / 4 * 3 >= sizeof(raw))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_ident(c[i]) && c[i] != '+' && c[i] != '/' && c[i] != '=')
            return false;
    int m = EVP_DecodeBlock(raw, (const unsigned char *)c, (int)n);
    if (m < 0)
        return false;
    size_t len = (size_t)m - (c[n - 1] == '=') - (c[n - 2] == '=');
    json_t *doc = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *id = json_object_get(doc, "last_id");
    bool ok = json_is_integer(id) && json_object_size(doc) == 1;
    if (ok)
        *ret_id = json_integer_value(id);
    json_decref(doc);
    return ok;
}

static json_t *money_or_null(int64_t v, int e)
{
    return v < 0 ? json_null() : fs_jmoney(v, e);
}

/* ---------------------------------------------------------------- SbLocations */

static json_t *location_json(const struct location *l)
{
    return json_pack("{s:s,s:o,s:s,s:b}", "__typename", "Location", "id",
                     fs_jgid("Location", l->id), "name", l->name, "isActive", l->active);
}

/* QueryRoot.locations: every location, paged as a plain list. */
static enum sb_gql_outcome field_locations(struct gql *g, const struct sb_gql_field_call *call,
                                           json_t **ret, struct sb_gql_field_error *ret_error)
{
    struct fs_shop *s = g->s;
    json_t *list = json_array();
    for (size_t n = 0; n < s->n_locations; n++)
        json_array_append_new(list, location_json(&s->locations[n]));
    *ret = fs_gql_page_list(list, call->args, call->arena, ret_error);
    json_decref(list);
    return *ret ? SB_GQL_VALUE : SB_GQL_ERROR;
}

/* ---------------------------------------------------------------- SbInventoryItems */

/* `sku:A OR sku:"B C" OR sku:'D'` (a backslash escapes the next character inside
 * quotes): exact SKUs, nothing else. With out, the products
 * found are appended (unknown SKUs match nothing). */
static bool parse_sku_query(struct gql *g, const char *q, struct fs_shop *s, size_t *out,
                            size_t *ret_n)
{
    const char *p = q;
    size_t terms = 0, n = 0;
    char value[STR_MAX + 1];
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (terms > 0) {
            if (strncmp(p, "OR ", 3) != 0)
                goto bad;
            p += 3;
            while (*p == ' ')
                p++;
        }
        if (strncmp(p, "sku:", 4) != 0)
            goto bad;
        p += 4;
        size_t len = 0;
        if (*p == '"' || *p == '\'') {
            char quote = *p++;
            while (*p && *p != quote && len < STR_MAX) {
                if (*p == '\\' && p[1]) /* \" and \\ inside quotes */
                    p++;
                value[len++] = *p++;
            }
            if (*p != quote)
                goto bad;
            p++;
        } else {
            while (*p && *p != ' ' && len < STR_MAX)
                value[len++] = *p++;
            if (*p && *p != ' ')
                goto bad;
        }
        value[len] = '\0';
        if (!len || ++terms > MAX_SKU_TERMS)
            goto bad;
        if (out) {
            struct product *pr = fs_sku_find(s, value);
            if (pr)
                out[n++] = (size_t)(pr - s->products);
        }
    }
    if (!terms)
        goto bad;
    if (ret_n)
        *ret_n = n;
    return true;
bad:
    (void)g;
    return false;
}

/* Any other search (graphql-search.c): sku:, id: (the item's), updated_at (its levels'
 * latest change); unknown fields are dropped with a warning. */
static const char *const item_fields[] = { "sku", "id", "updated_at", NULL };

static bool item_term(const void *obj, const struct fs_search_term *t)
{
    const struct product *p = obj;
    if (strcmp(t->field, "sku") == 0)
        return fs_search_str(t, p->sku);
    if (strcmp(t->field, "id") == 0)
        return fs_search_id(t, p->inventory_item_id);
    uint32_t u = 0;
    for (size_t i = 0; i < MAX_LOCATIONS; i++)
        if (stocked(p, (int)i) && p->updated[i] > u)
            u = p->updated[i];
    return fs_search_time(t, u);
}

bool fs_inv_prep_items(struct gql *g)
{
    const char *after = NULL, *query = NULL;
    if (!fs_gql_var_int(g, "first", "Int!", true, 1, g->bulk ? FS_BULK_ALL : 250, &g->first) ||
        !fs_gql_var_str(g, "after", "String", false, 1024, &after) ||
        !fs_gql_var_str(g, "query", "String", false, QUERY_MAX, &query))
        return false;
    if (query && !parse_sku_query(g, query, NULL, NULL, NULL)) {
        /* not the engine's fast form (sku:A OR sku:B ...): the general syntax */
        struct fs_search *se = fs_search_parse(query, item_fields);
        if (!se) {
            fs_gql_error(g, "BAD_REQUEST", "fakestore: the search query '%.200s' does not parse",
                         query);
            return false;
        }
        json_t *w = fs_search_warning(se, "inventoryItems", query);
        if (w)
            json_array_append_new(g->warnings, w);
        fs_search_free(se);
    }
    if (after) {
        if (!cursor_decode(after, &g->cur_id)) {
            fs_gql_error(g, "BAD_REQUEST", "Invalid cursor for current pagination sort.");
            return false;
        }
        g->has_cursor = true;
    }
    return true;
}

/* An inventory level: its quantities by name (available as set; on_hand the same, since
 * the shop commits nothing), the location and item as references. */
static json_t *level_json(const struct fs_shop *s, const struct product *p, int i)
{
    char id[96];
    snprintf(id, sizeof(id), "gid://shopify/InventoryLevel/%lld?inventory_item_id=%lld",
             (long long)s->locations[i].id, (long long)p->inventory_item_id);
    char at[SB_TIME_LEN];
    sb_time_format((int64_t)p->updated[i], at, sizeof(at));
    json_t *q = json_array();
    static const char *const names[] = {
        "available", "on_hand", "committed",    "incoming",
        "reserved",  "damaged", "safety_stock", "quality_control"
    };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        json_array_append_new(q, json_pack("{s:s,s:s,s:i,s:s}", "__typename", "InventoryQuantity",
                                           "name", names[k], "quantity",
                                           k < 2 ? (int)p->available[i] : 0, "updatedAt", at));
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:s}", "__typename", "InventoryLevel", "id", id,
                     "location", fs_gql_ref("Location", s->locations[i].id), "item",
                     fs_gql_ref("InventoryItem", p->inventory_item_id), "quantities", q,
                     "updatedAt", at);
}

static json_t *variant_node(const struct fs_shop *s, const struct product *p)
{
    int64_t total = 0;
    for (size_t i = 0; i < s->n_locations; i++)
        if (stocked(p, (int)i))
            total += p->available[i];
    return json_pack("{s:s,s:o,s:s,s:s,s:o?,s:o,s:o,s:I,s:o,s:o}", "__typename", "ProductVariant",
                     "id", fs_jgid("ProductVariant", p->variant_id), "sku", p->sku, "title",
                     "Default Title", "barcode", p->barcode ? json_string(p->barcode) : json_null(),
                     "price", fs_jmoney(p->price, s->exponent), "compareAtPrice",
                     money_or_null(p->compare_at, s->exponent), "inventoryQuantity",
                     (json_int_t)total, "product", fs_gql_ref("Product", p->product_id),
                     "inventoryItem", fs_gql_ref("InventoryItem", p->inventory_item_id));
}

static json_t *item_node(const struct fs_shop *s, const struct product *p)
{
    json_t *levels = json_array();
    for (size_t i = 0; i < s->n_locations; i++)
        if (stocked(p, (int)i))
            json_array_append_new(levels, level_json(s, p, (int)i));
    /* variant (deprecated in 2026-10) and variants, the one variant the item is of */
    json_t *variants = json_array();
    json_array_append_new(variants, variant_node(s, p));
    return json_pack("{s:s,s:o,s:s,s:b,s:o,s:o,s:o}", "__typename", "InventoryItem", "id",
                     fs_jgid("InventoryItem", p->inventory_item_id), "sku", p->sku, "tracked",
                     p->tracked, "variant", fs_gql_ref("ProductVariant", p->variant_id), "variants",
                     variants, "inventoryLevels", levels);
}

static json_t *product_node(const struct fs_shop *s, const struct product *p)
{
    int64_t total = 0;
    for (size_t i = 0; i < s->n_locations; i++)
        if (stocked(p, (int)i))
            total += p->available[i];
    json_t *variants = json_array();
    json_array_append_new(variants, fs_gql_ref("ProductVariant", p->variant_id));
    return json_pack("{s:s,s:o,s:s,s:s,s:I,s:b,s:o}", "__typename", "Product", "id",
                     fs_jgid("Product", p->product_id), "title", p->title ? p->title : p->sku,
                     "status", "ACTIVE", "totalInventory", (json_int_t)total, "tracksInventory",
                     p->tracked, "variants", variants);
}

json_t *fs_inv_render_ref(struct fs_shop *s, const char *type, int64_t id)
{
    const struct product *p = NULL;
    if (strcmp(type, "Location") == 0) {
        int i = fs_location_index(s, id);
        return i < 0 ? json_null() : location_json(&s->locations[i]);
    }
    if (strcmp(type, "InventoryItem") == 0 && (p = fs_product_by_item(s, id)))
        return item_node(s, p);
    if (strcmp(type, "ProductVariant") == 0 && (p = fs_product_by_variant(s, id)))
        return variant_node(s, p);
    if (strcmp(type, "Product") == 0 && (p = fs_product_by_id(s, id)))
        return product_node(s, p);
    return json_null();
}

static int by_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

json_t *fs_inv_run_items(struct gql *g)
{
    struct fs_shop *s = g->s;
    const char *query = json_string_value(fs_gql_var(g, "query"));
    size_t *sel = NULL, n_sel = 0, start = 0, end = 0;
    if (query && !parse_sku_query(g, query, NULL, NULL, NULL)) {
        struct fs_search *se = fs_search_parse(query, item_fields); /* prep parsed it */
        sel = malloc((s->n_products ? s->n_products : 1) * sizeof(*sel));
        for (size_t i = 0; sel && i < s->n_products; i++)
            if (fs_search_matches(se, item_term, &s->products[i]))
                sel[n_sel++] = i;
        fs_search_free(se);
    } else if (query) {
        sel = malloc(MAX_SKU_TERMS * sizeof(*sel));
        if (!sel || !parse_sku_query(g, query, s, sel, &n_sel))
            n_sel = 0;
    }
    if (query) {
        qsort(sel, n_sel, sizeof(*sel), by_index); /* index order is id order */
        size_t u = 0;
        for (size_t i = 0; i < n_sel; i++)
            if (!u || sel[u - 1] != sel[i])
                sel[u++] = sel[i];
        n_sel = u;
        while (g->has_cursor && start < n_sel &&
               s->products[sel[start]].inventory_item_id <= g->cur_id)
            start++;
        end = n_sel;
    } else {
        start = g->has_cursor
                    ? lower_bound(s, offsetof(struct product, inventory_item_id), g->cur_id + 1)
                    : 0;
        end = s->n_products;
    }
    json_t *nodes = json_array();
    size_t i = start, taken = 0;
    int last_id = 0;
    int64_t last = 0;
    for (; i < end && taken < (size_t)g->first; i++, taken++) {
        const struct product *p = &s->products[sel ? sel[i] : i];
        json_array_append_new(nodes, item_node(s, p));
        last = p->inventory_item_id;
        last_id = 1;
    }
    free(sel);
    return json_pack("{s:{s:{s:b,s:o},s:o}}", "inventoryItems", "pageInfo", "hasNextPage", i < end,
                     "endCursor", last_id ? cursor_encode(last) : json_null(), "nodes", nodes);
}

/* ---------------------------------------------------------------- SbInventorySet */

static const char *const reasons[] = { "correction",
                                       "cycle_count_available",
                                       "damaged",
                                       "movement_canceled",
                                       "movement_created",
                                       "movement_received",
                                       "movement_updated",
                                       "other",
                                       "promotion",
                                       "quality_control",
                                       "received",
                                       "reservation_created",
                                       "reservation_deleted",
                                       "reservation_updated",
                                       "restock",
                                       "safety_stock",
                                       "shrinkage",
                                       NULL };

static bool is_int32(json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= INT32_MIN &&
           json_integer_value(v) <= INT32_MAX;
}

static bool is_gid_string(json_t *v)
{
    return json_is_string(v) && json_string_length(v) <= 128 &&
           strncmp(json_string_value(v), "gid://shopify/", 14) == 0;
}

/* InventorySetQuantitiesInput's shape; NULL when it fits, else what is wrong. */
static const char *check_set_input(struct gql *g, json_t *in)
{
    const char *key, *k2;
    json_t *v, *v2, *q;
    size_t i;
    if (!json_is_object(in))
        return "Expected value to be an object (InventorySetQuantitiesInput)";
    json_object_foreach(in, key, v)
    {
        if (strcmp(key, "name") == 0 || strcmp(key, "reason") == 0) {
            if (!json_is_string(v) || json_string_length(v) > 64)
                return "name and reason must be strings (String!)";
        } else if (strcmp(key, "referenceDocumentUri") == 0) {
            if (!json_is_null(v) && (!json_is_string(v) || json_string_length(v) > 2048))
                return "referenceDocumentUri must be a string";
        } else if (strcmp(key, "ignoreCompareQuantity") == 0) {
            if (!json_is_null(v) && !json_is_boolean(v))
                return "ignoreCompareQuantity must be a Boolean";
        } else if (strcmp(key, "quantities") == 0) {
            if (!json_is_array(v) || json_array_size(v) < 1)
                return "quantities must list 1 to 250 entries ([InventoryQuantityInput!]!)";
            json_array_foreach(v, i, q)
            {
                if (!json_is_object(q))
                    return "quantities entries must be objects (InventoryQuantityInput)";
                json_object_foreach(q, k2, v2)
                {
                    if (strcmp(k2, "inventoryItemId") == 0 || strcmp(k2, "locationId") == 0) {
                        if (!json_is_string(v2))
                            return "inventoryItemId and locationId must be IDs";
                        if (!is_gid_string(v2)) {
                            fs_gql_error(g, "argumentLiteralsIncompatible",
                                         "Invalid global id '%.128s'", json_string_value(v2));
                            return "";
                        }
                    } else if (strcmp(k2, "quantity") == 0) {
                        if (!is_int32(v2))
                            return "quantity: Could not coerce value to Int";
                    } else if (strcmp(k2, "compareQuantity") == 0 ||
                               strcmp(k2, "changeFromQuantity") == 0) {
                        if (!json_is_null(v2) && !is_int32(v2))
                            return "compareQuantity: Could not coerce value to Int";
                    } else {
                        return "Field is not defined on InventoryQuantityInput";
                    }
                }
                if (!json_object_get(q, "inventoryItemId") || !json_object_get(q, "locationId") ||
                    !json_object_get(q, "quantity"))
                    return "quantities entries need inventoryItemId, locationId and quantity";
            }
        } else {
            return "Field is not defined on InventorySetQuantitiesInput";
        }
    }
    if (!json_object_get(in, "name") || !json_object_get(in, "reason") ||
        !json_object_get(in, "quantities"))
        return "name, reason and quantities are required";
    return NULL;
}

/* Whether the version served takes changeFromQuantity (2026-04 on) rather than
 * compareQuantity and ignoreCompareQuantity. */
static bool change_from_version(const struct gql *g)
{
    return g->version && strcmp(g->version, "2026-04") >= 0;
}

bool fs_inv_prep_set(struct gql *g)
{
    g->requested = 10;
    json_t *in = fs_gql_var(g, "input");
    if (!in) {
        fs_gql_var_error(g, "input", "InventorySetQuantitiesInput!", NULL,
                         "Expected value to not be null");
        return false;
    }
    json_t *qs = json_object_get(in, "quantities");
    if (json_is_array(qs) && json_array_size(qs) > INPUT_MAX) {
        too_many(g, json_array_size(qs));
        return false;
    }
    const char *why = check_set_input(g, in);
    if (why && *why)
        fs_gql_var_error(g, "input", "InventorySetQuantitiesInput!", in, why);
    if (why)
        return false;
    /* From 2026-04 every quantity carries changeFromQuantity, null to skip the check: the
     * schema types it nullable, so Shopify enforces it as it runs, with the error it gives
     * for inventoryAdjustQuantities' InventoryChangeInput (docs/fakestore.md) */
    size_t i;
    json_t *q;
    if (change_from_version(g))
        json_array_foreach(qs, i, q) if (!json_object_get(q, "changeFromQuantity"))
        {
            fs_gql_error(g, "INVALID_FIELD_ARGUMENTS",
                         "InventoryQuantityInput must include the following argument: "
                         "changeFromQuantity");
            return false;
        }
    return true;
}

struct set_row {
    struct product *p;
    int loc;
    int64_t qty;
};

json_t *fs_inv_run_set(struct gql *g)
{
    struct fs_shop *s = g->s;
    json_t *in = fs_gql_var(g, "input");
    json_t *qs = json_object_get(in, "quantities");
    const char *name = json_string_value(json_object_get(in, "name"));
    const char *reason = json_string_value(json_object_get(in, "reason"));
    bool ignore = json_is_true(json_object_get(in, "ignoreCompareQuantity"));
    size_t n = json_array_size(qs);
    struct set_row rows[INPUT_MAX];
    json_t *uerr = json_array(), *group = json_null();
    s->inventory_set_calls++;
    /* on_hand is the same number here: nothing is committed or reserved in this shop */
    if (strcmp(name, "available") != 0 && strcmp(name, "on_hand") != 0)
        fs_gql_user_error(uerr, path3("input", -1, "name"), "INVALID_NAME",
                          "The quantity name must be either 'available' or 'on_hand'.");
    size_t r = 0;
    while (reasons[r] && strcmp(reasons[r], reason) != 0)
        r++;
    if (!reasons[r])
        fs_gql_user_error(uerr, path3("input", -1, "reason"), "INVALID_REASON",
                          "The specified reason is invalid.");
    for (size_t i = 0; i < n; i++) {
        json_t *q = json_array_get(qs, i);
        int64_t item = 0, loc_id = 0;
        struct set_row *row = &rows[i];
        row->p = fs_gql_parse_gid(json_string_value(json_object_get(q, "inventoryItemId")),
                                  "InventoryItem", &item)
                     ? fs_product_by_item(s, item)
                     : NULL;
        row->loc = fs_gql_parse_gid(json_string_value(json_object_get(q, "locationId")), "Location",
                                    &loc_id)
                       ? fs_location_index(s, loc_id)
                       : -1;
        row->qty = json_integer_value(json_object_get(q, "quantity"));
        if (!row->p)
            fs_gql_user_error(uerr, qty_path(i, "inventoryItemId"), "INVALID_INVENTORY_ITEM",
                              "The specified inventory item could not be found.");
        if (row->loc < 0)
            fs_gql_user_error(uerr, qty_path(i, "locationId"), "INVALID_LOCATION",
                              "The specified location could not be found.");
        if (!row->p || row->loc < 0)
            continue;
        if (!stocked(row->p, row->loc)) {
            fs_gql_user_error(uerr, qty_path(i, "locationId"), "ITEM_NOT_STOCKED_AT_LOCATION",
                              "The specified inventory item is not stocked at the location.");
            continue;
        }
        if (row->qty > QTY_LIMIT)
            fs_gql_user_error(uerr, qty_path(i, "quantity"), "INVALID_QUANTITY_TOO_HIGH",
                              "The quantity can't be higher than 1,000,000,000.");
        if (row->qty < -QTY_LIMIT)
            fs_gql_user_error(uerr, qty_path(i, "quantity"), "INVALID_QUANTITY_TOO_LOW",
                              "The quantity can't be lower than -1,000,000,000.");
        for (size_t k = 0; k < i; k++)
            if (rows[k].p == row->p && rows[k].loc == row->loc) {
                fs_gql_user_error(uerr, qty_path(i, NULL),
                                  "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                                  "The combination of inventoryItemId and locationId must be "
                                  "unique.");
                break;
            }
        if (change_from_version(g)) {
            json_t *from = json_object_get(q, "changeFromQuantity");
            if (json_is_integer(from) && json_integer_value(from) != row->p->available[row->loc])
                fs_gql_user_error(uerr, qty_path(i, "changeFromQuantity"),
                                  "CHANGE_FROM_QUANTITY_STALE",
                                  "The changeFromQuantity argument no longer matches the "
                                  "persisted quantity.");
            continue;
        }
        if (ignore)
            continue;
        json_t *cmp = json_object_get(q, "compareQuantity");
        if (!cmp || json_is_null(cmp))
            fs_gql_user_error(uerr, qty_path(i, "compareQuantity"), "COMPARE_QUANTITY_REQUIRED",
                              "The compareQuantity argument must be given to each quantity or "
                              "ignored using ignoreCompareQuantity.");
        else if (json_integer_value(cmp) != row->p->available[row->loc])
            fs_gql_user_error(uerr, qty_path(i, "compareQuantity"), "COMPARE_QUANTITY_STALE",
                              "The compareQuantity argument no longer matches the persisted "
                              "quantity.");
    }
    if (json_array_size(uerr))
        goto out; /* all or nothing, as Shopify */
    int64_t now = sb_time_now();
    json_t *changes = json_array();
    for (size_t i = 0; i < n; i++) {
        struct set_row *row = &rows[i];
        int64_t before = row->p->available[row->loc];
        fs_level_set(row->p, row->loc, row->qty, now);
        if (row->qty == before)
            continue;
        json_array_append_new(
            changes,
            json_pack("{s:s,s:I,s:I,s:{s:o},s:{s:o}}", "name", name, "delta",
                      (json_int_t)(row->qty - before), "quantityAfterChange", (json_int_t)row->qty,
                      "item", "id", fs_jgid("InventoryItem", row->p->inventory_item_id), "location",
                      "id", fs_jgid("Location", s->locations[row->loc].id)));
    }
    s->inventory_quantities_set += (int64_t)n;
    if (json_array_size(changes)) {
        json_decref(group);
        char at[SB_TIME_LEN];
        sb_time_format(now, at, sizeof(at));
        group = json_pack("{s:s,s:s,s:o}", "createdAt", at, "reason", reason, "changes", changes);
    } else {
        json_decref(changes); /* nothing changed: no adjustment group, as Shopify answers */
    }
out:
    return json_pack("{s:{s:o,s:o}}", "inventorySetQuantities", "inventoryAdjustmentGroup", group,
                     "userErrors", uerr);
}

/* ---------------------------------------------------------------- SbVariantsPrice */

/* Money in the shop's currency, with at most its decimals (the shop's currency never
 * changes, so it is read without the lock). */
static bool money_var(json_t *v, int e)
{
    int64_t x;
    return json_is_null(v) || (json_is_string(v) && json_string_length(v) <= 32 &&
                               sb_money_parse(json_string_value(v), e, &x));
}

bool fs_inv_prep_prices(struct gql *g)
{
    g->requested = 10;
    int64_t pid = 0;
    if (!fs_gql_var_gid(g, "productId", "Product", &pid))
        return false;
    json_t *vs = fs_gql_var(g, "variants");
    if (!vs) {
        fs_gql_var_error(g, "variants", "[ProductVariantsBulkInput!]!", NULL,
                         "Expected value to not be null");
        return false;
    }
    if (json_is_array(vs) && json_array_size(vs) > INPUT_MAX) {
        too_many(g, json_array_size(vs));
        return false;
    }
    const char *why = NULL;
    size_t i;
    json_t *v;
    if (!json_is_array(vs) || json_array_size(vs) < 1)
        why = "variants must list 1 to 250 entries";
    json_array_foreach(vs, i, v)
    {
        const char *key;
        json_t *x;
        if (why)
            break;
        if (!json_is_object(v) || !json_is_string(json_object_get(v, "id"))) {
            why = "each variant needs an id (ID)";
            break;
        }
        json_object_foreach(v, key, x)
        {
            if (strcmp(key, "id") == 0) {
                if (!is_gid_string(x)) {
                    fs_gql_error(g, "argumentLiteralsIncompatible", "Invalid global id '%.128s'",
                                 json_string_value(x));
                    return false;
                }
            } else if (strcmp(key, "price") == 0 || strcmp(key, "compareAtPrice") == 0) {
                if (!money_var(x, g->s->exponent)) {
                    why = "price and compareAtPrice must be decimal strings (Money) with at most "
                          "the shop currency's decimals, like \"12.50\"";
                    break;
                }
            } else {
                why = "fakestore models only id, price and compareAtPrice of "
                      "ProductVariantsBulkInput";
                break;
            }
        }
    }
    if (why)
        fs_gql_var_error(g, "variants", "[ProductVariantsBulkInput!]!", vs, why);
    return !why;
}

json_t *fs_inv_run_prices(struct gql *g)
{
    struct fs_shop *s = g->s;
    int64_t pid = 0;
    (void)fs_gql_parse_gid(json_string_value(fs_gql_var(g, "productId")), "Product", &pid);
    json_t *vs = fs_gql_var(g, "variants");
    json_t *uerr = json_array(), *out = json_null();
    struct product *prod = fs_product_by_id(s, pid);
    size_t n = json_array_size(vs);
    if (!prod) {
        fs_gql_user_error(uerr, path3("productId", -1, NULL), "PRODUCT_DOES_NOT_EXIST",
                          "Product does not exist");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(vs, i);
        int64_t vid = 0;
        struct product *p =
            fs_gql_parse_gid(json_string_value(json_object_get(v, "id")), "ProductVariant", &vid)
                ? fs_product_by_variant(s, vid)
                : NULL;
        if (p != prod) {
            fs_gql_user_error(uerr, path3("variants", (long)i, "id"),
                              "PRODUCT_VARIANT_DOES_NOT_EXIST",
                              "Product variant does not exist on product %s.",
                              json_string_value(fs_gql_var(g, "productId")));
            continue;
        }
        static const char *const fields[] = { "price", "compareAtPrice" };
        for (size_t k = 0; k < 2; k++) {
            json_t *x = json_object_get(v, fields[k]);
            int64_t m = 0;
            if (!json_is_string(x) || !sb_money_parse(json_string_value(x), s->exponent, &m))
                continue;
            if (m < 0)
                fs_gql_user_error(uerr, path3("variants", (long)i, fields[k]),
                                  "GREATER_THAN_OR_EQUAL_TO",
                                  "The price of the variant must be greater than or equal to "
                                  "zero.");
            else if (m > PRICE_MAX)
                fs_gql_user_error(uerr, path3("variants", (long)i, fields[k]), "INVALID_INPUT",
                                  "%s is too large.", fields[k]);
        }
        if (json_is_null(json_object_get(v, "price")))
            fs_gql_user_error(uerr, path3("variants", (long)i, "price"), "INVALID_INPUT",
                              "Price can't be blank.");
    }
    if (json_array_size(uerr))
        goto done; /* nothing changes */
    json_decref(out);
    out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(vs, i);
        json_t *price = json_object_get(v, "price"), *cmp = json_object_get(v, "compareAtPrice");
        if (price)
            (void)sb_money_parse(json_string_value(price), s->exponent, &prod->price);
        if (cmp && json_is_null(cmp))
            prod->compare_at = -1;
        else if (cmp)
            (void)sb_money_parse(json_string_value(cmp), s->exponent, &prod->compare_at);
        json_array_append_new(out, json_pack("{s:o,s:o,s:o}", "id",
                                             fs_jgid("ProductVariant", prod->variant_id), "price",
                                             fs_jmoney(prod->price, s->exponent), "compareAtPrice",
                                             money_or_null(prod->compare_at, s->exponent)));
    }
done:
    return json_pack("{s:{s:o,s:o}}", "productVariantsBulkUpdate", "productVariants", out,
                     "userErrors", uerr);
}

/* ---------------------------------------------------------------- the fields */

static enum sb_gql_outcome field_items(struct gql *g, const struct sb_gql_field_call *call,
                                       json_t **ret, struct sb_gql_field_error *ret_error)
{
    enum sb_gql_outcome out =
        fs_gql_bridge(g, call, fs_inv_prep_items, fs_inv_run_items, ret, ret_error);
    if (out != SB_GQL_VALUE || !json_is_object(*ret))
        return out;
    /* the connection's edges and the rest of its pageInfo, from the page of nodes */
    json_t *nodes = json_object_get(*ret, "nodes"), *node, *edges = json_array();
    json_t *info = json_object_get(*ret, "pageInfo");
    size_t i;
    json_array_foreach(nodes, i, node)
    {
        int64_t id = 0;
        fs_gql_parse_gid(json_string_value(json_object_get(node, "id")), "InventoryItem", &id);
        json_t *c = cursor_encode(id);
        if (i == 0)
            json_object_set(info, "startCursor", c);
        json_array_append_new(edges, json_pack("{s:o,s:O}", "cursor", c, "node", node));
    }
    if (!json_array_size(nodes))
        json_object_set_new(info, "startCursor", json_null());
    json_object_set_new(info, "hasPreviousPage",
                        json_boolean(json_is_string(json_object_get(call->args, "after"))));
    json_object_set_new(*ret, "edges", edges);
    return out;
}

static enum sb_gql_outcome field_set(struct gql *g, const struct sb_gql_field_call *call,
                                     json_t **ret, struct sb_gql_field_error *ret_error)
{
    fs_app_stale_before(g, call->args); /* the STALE fault (app.c), when one is asked for */
    enum sb_gql_outcome out =
        fs_gql_bridge(g, call, fs_inv_prep_set, fs_inv_run_set, ret, ret_error);
    fs_app_stale_after(g, call->args);
    return out;
}

static enum sb_gql_outcome field_prices(struct gql *g, const struct sb_gql_field_call *call,
                                        json_t **ret, struct sb_gql_field_error *ret_error)
{
    return fs_gql_bridge(g, call, fs_inv_prep_prices, fs_inv_run_prices, ret, ret_error);
}

/* Location.inventoryLevels: the levels of every item stocked there, in item order. */
static enum sb_gql_outcome field_location_levels(struct gql *g,
                                                 const struct sb_gql_field_call *call, json_t **ret,
                                                 struct sb_gql_field_error *ret_error)
{
    struct fs_shop *s = g->s;
    int64_t id = 0;
    fs_gql_parse_gid(json_string_value(json_object_get(call->parent, "id")), "Location", &id);
    int loc = fs_location_index(s, id);
    json_t *levels = json_array();
    for (size_t i = 0; loc >= 0 && i < s->n_products; i++)
        if (stocked(&s->products[i], loc))
            json_array_append_new(levels, level_json(s, &s->products[i], loc));
    *ret = fs_gql_page_list(levels, call->args, call->arena, ret_error);
    json_decref(levels);
    return *ret ? SB_GQL_VALUE : SB_GQL_ERROR;
}

const struct fs_gql_field fs_gql_inventory_fields[] = {
    { "QueryRoot", "locations", field_locations },
    { "Location", "inventoryLevels", field_location_levels },
    { "QueryRoot", "inventoryItems", field_items },
    { "Mutation", "inventorySetQuantities", field_set },
    { "Mutation", "productVariantsBulkUpdate", field_prices },
    { NULL, NULL, NULL },
};
