/*
 * Magento stock (SPEC I1-I9, M9) through MSI's REST routes. Items are known by
 * SKU on Magento: an item's channel id (sb_channel_item.item_id) and the id
 * prices address (variant_id) are the SKU as Magento spells it; product_id is
 * the catalogue entity id; location_id is the one source the SKU is assigned
 * to, when it is assigned to exactly one (a single-source store then needs no
 * links), else NULL. Sources are the channel's locations (source_code).
 *
 *   find_items  GET /V1/products, sku "in" a comma list of up to 100 SKUs (a SKU
 *               holding a comma is looked up alone with "eq"), then
 *               GET /V1/inventory/source-items for the SKUs found (their sources).
 *               Magento compares SKUs without regard to case; an exact match is
 *               preferred, else Magento's spelling is taken.
 *   push_stock  POST /V1/inventory/source-items {"sourceItems": [{sku, source_code,
 *               quantity, status}]}, up to SB_M2_PUSH_BATCH per call; status is 1
 *               (in stock) when the quantity is above 0. Magento validates the whole
 *               list before saving any of it: a 400 "Validation Failed" saved nothing.
 *               When its errors[] name the items they refuse (by SKU, and source when
 *               given), those carry the error and the call is made again without them;
 *               when they do not (Magento's own validators name only the field), the
 *               whole call is an error and every level is retried by the lane.
 *               M9: the engine adds the quantities Magento still holds reserved for
 *               downloaded orders before the call; what is given is pushed exactly.
 *   read_stock  GET /V1/inventory/source-items sorted by sku then source_code, keyset
 *               paged on sku ("gt" the cursor, always page 1: Magento's last page
 *               served again past the end cannot bite), SB_M2_STOCK_PAGE rows a call.
 *               A full page leaves its last SKU for the next page, so a SKU's sources
 *               are never split between pages (the reconciliation keeps the first
 *               record of a SKU); a SKU with more sources than a page is read from its
 *               first page only. An item's available figure is its quantity when its
 *               status is in stock, else 0 (what the store sells). The page's product
 *               ids come from one GET /V1/products, so the ids recorded by
 *               reconciliation are the ones find_items gives.
 */
#include "channel/magento2/magento2.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SOURCES_PAGE 100 /* source items per page when reading the sources of found SKUs */
#define MAX_PAGES    1000

/* ------------------------------------------------------------------ answers */

static bool row_fields(json_t *row, const char **ret_sku, const char **ret_source,
                       int64_t *ret_available)
{
    const char *sku = json_string_value(json_object_get(row, "sku"));
    const char *src = json_string_value(json_object_get(row, "source_code"));
    json_t *q = json_object_get(row, "quantity"), *st = json_object_get(row, "status");
    if (!sku || !*sku || !src || !*src || !json_is_number(q))
        return false;
    double d = json_number_value(q);
    if (!isfinite(d) || d < -9e15 || d > 9e15)
        return false;
    /* quantities are whole here; a fractional one (decimal-quantity items) counts down */
    int64_t qty = (int64_t)floor(d);
    bool in_stock = !st || json_is_null(st) || (json_is_integer(st) && json_integer_value(st) == 1);
    *ret_sku = sku;
    *ret_source = src;
    *ret_available = in_stock && qty > 0 ? qty : 0;
    return true;
}

sb_err sb_m2up_source_page(json_t *body, size_t page_size, struct sb_arena *a,
                           struct sb_stock_page *ret)
{
    json_t *rows = json_object_get(body, "items"), *row;
    if (!json_is_object(body) || !json_is_array(rows))
        return sb_fail(SB_EIO, NULL, "Magento's source items answer has no items list");
    size_t n = json_array_size(rows);
    if (n > page_size)
        return sb_fail(SB_EIO, NULL, "Magento sent %zu source items for a page of %zu", n,
                       page_size);
    json_t *total = json_object_get(body, "total_count");
    bool full = n == page_size && n > 0 &&
                (!json_is_integer(total) || (size_t)json_integer_value(total) > n);
    struct sb_channel_stock *items = sb_arena_alloc(a, (n + 1) * sizeof(*items));
    const char **locs = sb_arena_alloc(a, (n + 1) * sizeof(*locs));
    int64_t *avail = sb_arena_alloc(a, (n + 1) * sizeof(*avail));
    if (!items || !locs || !avail)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t n_items = 0, i;
    json_array_foreach(rows, i, row)
    {
        const char *sku, *src;
        int64_t available;
        if (!row_fields(row, &sku, &src, &available))
            return sb_fail(SB_EIO, NULL,
                           "Magento sent a source item without its sku, source_code or "
                           "quantity (row %zu)",
                           i);
        struct sb_channel_stock *it = n_items ? &items[n_items - 1] : NULL;
        if (!it || strcmp(it->item.sku, sku) != 0) {
            if (it && strcasecmp(it->item.sku, sku) > 0)
                return sb_fail(SB_EIO, NULL, "Magento's source items are not sorted by sku");
            it = &items[n_items++];
            memset(it, 0, sizeof(*it));
            it->item.sku = it->item.item_id = it->item.variant_id = sku;
            it->location_ids = &locs[i];
            it->available = &avail[i];
        }
        locs[i] = src;
        avail[i] = available;
        it->n_levels++;
    }
    if (full && n_items > 1)
        n_items--; /* the last SKU may go on past this page: read it whole next time */
    for (size_t k = 0; k < n_items; k++)
        items[k].item.location_id = items[k].n_levels == 1 ? items[k].location_ids[0] : NULL;
    *ret = (struct sb_stock_page){ .items = items,
                                   .n = n_items,
                                   .next_cursor = n_items ? items[n_items - 1].item.sku : NULL,
                                   .more = full && n_items > 0 };
    return SB_OK;
}

sb_err sb_m2up_stock_refusal(const struct sb_m2_reply *r, struct sb_stock_level *levels,
                             const size_t *idx, size_t m, struct sb_arena *a, size_t *ret_marked)
{
    *ret_marked = 0;
    json_t *errors = json_object_get(r->body, "errors"), *e;
    const char *why = r->message ? r->message : "no reason given";
    if (r->status != 400 || json_array_size(errors) == 0)
        return sb_fail(SB_EINVALID_FIELD, NULL, "Magento refused the stock update: %.200s", why);
    size_t i;
    json_array_foreach(errors, i, e)
    {
        json_t *params = json_object_get(e, "parameters");
        bool sku_named = false, source_named = false;
        for (size_t k = 0; k < m; k++) {
            sku_named = sku_named || sb_m2up_names(params, levels[idx[k]].external_item_id);
            source_named = source_named || sb_m2up_names(params, levels[idx[k]].location_id);
        }
        size_t marked = 0;
        const char *msg = sb_m2_fill_message(json_object_get(e, "message"), params, a);
        for (size_t k = 0; sku_named && k < m; k++) {
            struct sb_stock_level *l = &levels[idx[k]];
            if (!sb_m2up_names(params, l->external_item_id) ||
                (source_named && !sb_m2up_names(params, l->location_id)))
                continue;
            marked++;
            if (!l->error) {
                l->error =
                    sb_arena_printf(a, "Magento refused the source item: %.200s", msg ? msg : why);
                ++*ret_marked;
            }
        }
        if (!marked) /* an error about no item we can name: nothing is known */
            return sb_fail(SB_EINVALID_FIELD, NULL,
                           "Magento refused the stock update: %.200s%s%.200s", why, msg ? ": " : "",
                           msg ? msg : "");
    }
    return SB_OK;
}

/* ------------------------------------------------------------------ calls */

static sb_err get(const struct sb_channel *ch, const char *path, const char *query,
                  struct sb_arena *a, const char *what, json_t **ret)
{
    struct sb_m2_reply r = { 0 };
    if (!query)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_m2_call(ch, "GET", path, query, NULL, a, &r);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    if (r.status < 200 || r.status > 299)
        return sb_m2_status_err(&r, what);
    if (!json_is_object(r.body) || !json_is_array(json_object_get(r.body, "items")))
        return sb_fail(SB_EIO, NULL, "Magento's answer to %s has no items list", what);
    *ret = r.body;
    return SB_OK;
}

/* Whether a SKU can stand in an "in" list (Magento splits the list on commas). */
static bool listable(const char *sku)
{
    return !strchr(sku, ',');
}

/* The comma list of skus[0..n) that are listable, in the arena ("" when none). */
static const char *comma_list(struct sb_arena *a, const char *const *skus, size_t n)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += strlen(skus[i]) + 1;
    char *out = sb_arena_alloc(a, cap), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!listable(skus[i]))
            continue;
        if (p != out)
            *p++ = ',';
        size_t l = strlen(skus[i]);
        memcpy(p, skus[i], l);
        p += l;
    }
    *p = '\0';
    return out;
}

/* Calls each() for every product GET /V1/products finds among skus[0..n) (n <= 100). */
static sb_err products(const struct sb_channel *ch, const char *const *skus, size_t n,
                       struct sb_arena *a, void (*each)(void *ud, const char *sku, json_t *id),
                       void *ud)
{
    const char *list = comma_list(a, skus, n);
    if (!list)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i <= n; i++) {
        /* the listable ones in one call (i == n), each other one alone */
        struct sb_m2_filter f = { .field = "sku", .value = list, .condition = "in" };
        if (i < n) {
            if (listable(skus[i]))
                continue;
            f = (struct sb_m2_filter){ .field = "sku", .value = skus[i], .condition = "eq" };
        } else if (!*list) {
            break;
        }
        json_t *body = NULL, *p;
        sb_err err = get(ch, "/V1/products", sb_m2_search(a, &f, 1, NULL, 0, (int)n, 1), a,
                         "searching products by SKU", &body);
        if (err)
            return err;
        size_t k;
        json_array_foreach(json_object_get(body, "items"), k, p)
        {
            const char *sku = json_string_value(json_object_get(p, "sku"));
            if (sku && *sku)
                each(ud, sku, json_object_get(p, "id"));
        }
    }
    return SB_OK;
}

struct find {
    struct sb_channel_item *items;
    size_t n;
    struct sb_arena *a;
    size_t *n_sources; /* per item: sources seen */
};

static void found_product(void *ud, const char *sku, json_t *id)
{
    struct find *f = ud;
    for (size_t k = 0; k < f->n; k++) {
        struct sb_channel_item *it = &f->items[k];
        if (strcasecmp(it->sku, sku) != 0)
            continue;
        /* an exact match wins over one found without regard to case */
        bool exact = strcmp(it->sku, sku) == 0;
        if (it->item_id && (!exact || strcmp(it->item_id, it->sku) == 0))
            continue;
        it->item_id = it->variant_id = sb_arena_strdup(f->a, sku);
        it->product_id = json_is_integer(id)
                             ? sb_arena_printf(f->a, "%lld", (long long)json_integer_value(id))
                             : NULL;
    }
}

/* The sources the found items are assigned to: location_id when exactly one. */
static sb_err sources(const struct sb_channel *ch, struct find *f)
{
    const char **skus = sb_arena_alloc(f->a, (f->n + 1) * sizeof(*skus));
    size_t n = 0;
    if (!skus)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t k = 0; k < f->n; k++)
        if (f->items[k].item_id && listable(f->items[k].item_id))
            skus[n++] = f->items[k].item_id;
    if (n == 0)
        return SB_OK;
    const char *list = comma_list(f->a, skus, n);
    struct sb_m2_filter flt = { .field = "sku", .value = list, .condition = "in" };
    for (int page = 1; list && page <= MAX_PAGES; page++) {
        json_t *body = NULL, *row;
        sb_err err = get(ch, "/V1/inventory/source-items",
                         sb_m2_search(f->a, &flt, 1, NULL, 0, SOURCES_PAGE, page), f->a,
                         "reading the found items' source items", &body);
        if (err)
            return err;
        size_t i;
        json_array_foreach(json_object_get(body, "items"), i, row)
        {
            const char *sku, *src;
            int64_t avail;
            if (!row_fields(row, &sku, &src, &avail))
                continue;
            for (size_t k = 0; k < f->n; k++) {
                struct sb_channel_item *it = &f->items[k];
                if (!it->item_id || strcmp(it->item_id, sku) != 0)
                    continue;
                if (f->n_sources[k]++ == 0)
                    it->location_id = sb_arena_strdup(f->a, src);
                else if (it->location_id && strcmp(it->location_id, src) != 0)
                    it->location_id = NULL;
            }
        }
        /* Magento serves the last page again past the end: stop by the count */
        json_t *total = json_object_get(body, "total_count");
        if (!json_is_integer(total) ||
            (int64_t)page * SOURCES_PAGE >= (int64_t)json_integer_value(total) ||
            json_array_size(json_object_get(body, "items")) < SOURCES_PAGE)
            return SB_OK;
    }
    return list ? SB_OK : sb_fail(SB_ENOMEM, NULL, NULL);
}

sb_err sb_m2_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                        struct sb_arena *a)
{
    for (size_t i = 0; i < n; i++)
        items[i].item_id = items[i].variant_id = items[i].product_id = items[i].location_id = NULL;
    for (size_t start = 0; start < n; start += SB_M2_FIND_BATCH) {
        size_t m = n - start < SB_M2_FIND_BATCH ? n - start : SB_M2_FIND_BATCH;
        const char *skus[SB_M2_FIND_BATCH];
        size_t n_sources[SB_M2_FIND_BATCH] = { 0 };
        for (size_t k = 0; k < m; k++)
            skus[k] = items[start + k].sku ? items[start + k].sku : "";
        struct find f = { .items = items + start, .n = m, .a = a, .n_sources = n_sources };
        sb_err err = products(ch, skus, m, a, found_product, &f);
        if (!err)
            err = sources(ch, &f);
        if (err)
            return err;
    }
    return SB_OK;
}

struct page_ids {
    struct sb_stock_page *page;
    struct sb_arena *a;
};

static void page_product(void *ud, const char *sku, json_t *id)
{
    struct page_ids *p = ud;
    for (size_t k = 0; k < p->page->n && json_is_integer(id); k++)
        if (strcmp(p->page->items[k].item.sku, sku) == 0)
            p->page->items[k].item.product_id =
                sb_arena_printf(p->a, "%lld", (long long)json_integer_value(id));
}

sb_err sb_m2_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                        struct sb_stock_page *ret)
{
    static const char *const sort[] = { "sku:ASC", "source_code:ASC" };
    struct sb_m2_filter after = { .field = "sku", .value = cursor, .condition = "gt" };
    json_t *body = NULL;
    sb_err err = get(ch, "/V1/inventory/source-items",
                     sb_m2_search(a, &after, cursor ? 1 : 0, sort, 2, SB_M2_STOCK_PAGE, 1), a,
                     "reading source items", &body);
    if (err)
        return err;
    struct sb_stock_page page;
    if ((err = sb_m2up_source_page(body, SB_M2_STOCK_PAGE, a, &page)))
        return err;
    const char *skus[SB_M2_STOCK_PAGE];
    for (size_t k = 0; k < page.n; k++)
        skus[k] = page.items[k].item.sku;
    struct page_ids ids = { .page = &page, .a = a };
    if (page.n && (err = products(ch, skus, page.n, a, page_product, &ids)))
        return err;
    *ret = page;
    return SB_OK;
}

/* One POST /V1/inventory/source-items for the levels at idx[0..m). */
static sb_err save_once(const struct sb_channel *ch, struct sb_stock_level *levels,
                        const size_t *idx, size_t m, struct sb_arena *a, size_t *ret_refused)
{
    *ret_refused = 0;
    json_t *list = json_array();
    for (size_t k = 0; list && k < m; k++) {
        const struct sb_stock_level *l = &levels[idx[k]];
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:i}", "sku", l->external_item_id,
                                              "source_code", l->location_id, "quantity",
                                              (json_int_t)l->available, "status",
                                              l->available > 0 ? 1 : 0));
    }
    json_t *body = list ? json_pack("{s:o}", "sourceItems", list) : NULL;
    if (!body)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    struct sb_m2_reply r = { 0 };
    sb_err err = sb_m2_call(ch, "POST", "/V1/inventory/source-items", NULL, body, a, &r);
    json_decref(body);
    if (err)
        return err;
    sb_m2up_keep(a, r.body);
    if (r.status >= 200 && r.status <= 299)
        return SB_OK;
    if (r.status != 400)
        return sb_m2_status_err(&r, "setting source item quantities");
    return sb_m2up_stock_refusal(&r, levels, idx, m, a, ret_refused);
}

sb_err sb_m2_push_stock(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                        struct sb_arena *a)
{
    size_t *idx = sb_arena_alloc(a, (n + 1) * sizeof(*idx));
    if (!idx)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t start = 0; start < n; start += SB_M2_PUSH_BATCH) {
        size_t end = n - start < SB_M2_PUSH_BATCH ? n : start + SB_M2_PUSH_BATCH;
        /* refused levels drop out and the rest is sent again (a 400 saved nothing); each
         * round drops at least one */
        for (;;) {
            size_t m = 0, refused = 0;
            for (size_t i = start; i < end; i++)
                if (!levels[i].error && levels[i].external_item_id && levels[i].location_id)
                    idx[m++] = i;
                else if (!levels[i].error)
                    levels[i].error = "no SKU or source to set it on";
            if (m == 0)
                break;
            sb_err err = save_once(ch, levels, idx, m, a, &refused);
            if (err)
                return err;
            if (refused == 0)
                break;
        }
    }
    return SB_OK;
}
