/*
 * Shopify stock sync (SPEC I1-I9, SP3) over the Admin GraphQL API:
 *
 *   SbInventoryItems  inventoryItems(first, after, query: "sku:A OR sku:B"): an item's
 *                     InventoryItem id (what stock is set on), its variant and product
 *                     (what prices are set on) and its levels per location.
 *   SbInventorySet    inventorySetQuantities(name: "available"): absolute quantities,
 *                     up to 250 a call. The POS is the source of truth (I1), so the
 *                     compare-and-swap is waived: every quantity carries
 *                     changeFromQuantity: null, which API 2026-04 on requires (omitting
 *                     it is an error; compareQuantity and ignoreCompareQuantity are
 *                     deprecated and not sent).
 *
 * Cost of SbInventoryItems, by Shopify's documented rules (objects 1, scalars 0, a
 * connection 2 plus first times its node): an item is InventoryItem 1 + variants(first: 1)
 * (2 + 1 x (variant 1 + product 1)) + inventoryLevels (2 + 10 x (InventoryLevel 1 +
 * location 1 + quantities 1)) = 37, so a page of 20 is 2 + pageInfo 1 + 20 x 37 = 743,
 * under our budget of 800.
 * inventorySetQuantities is a mutation: 10.
 *
 * inventorySetQuantities is all or nothing: when Shopify refuses some quantities
 * (userErrors naming input.quantities.N), none is set. Those are marked with the error and
 * the call is made again without them, so one unknown item does not hold up the rest.
 * CHANGE_FROM_QUANTITY_STALE (the compare-and-swap lost; it cannot happen with null, but a
 * shop that says it is refusing the figure the POS had, not the item) is not a refusal of
 * the level: nothing was set, and the same call is sent again at once (the figures are the
 * POS's, which a changed shop figure does not make wrong: I1), up to STALE_RESENDS times;
 * after that the whole call is an error, so the lane retries it later with fresh figures.
 */
#include "channel/shopify/shopify.h"

#include <stdlib.h>
#include <string.h>

#define STALE_RESENDS 2 /* a call refused as stale is sent again at once this many times */

static const char q_items[] =
    "query SbInventoryItems($first: Int!, $after: String, $query: String) { "
    "inventoryItems(first: $first, after: $after, query: $query) { pageInfo { hasNextPage "
    "endCursor } nodes { id sku tracked variants(first: 1) { nodes { id price compareAtPrice "
    "product { id } } } "
    "inventoryLevels(first: 10) { nodes { location { id } quantities(names: [\"available\"]) { "
    "name quantity } } } } } }";
static const char m_set[] =
    "mutation SbInventorySet($input: InventorySetQuantitiesInput!) { "
    "inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { reason changes { name "
    "delta quantityAfterChange item { id } location { id } } } userErrors { field message code "
    "} } }";

bool sb_shopify_level_available(json_t *level, int64_t *ret)
{
    json_t *qv;
    size_t k;
    json_array_foreach(json_object_get(level, "quantities"), k, qv)
    {
        const char *name = json_string_value(json_object_get(qv, "name"));
        json_t *q = json_object_get(qv, "quantity");
        if (name && strcmp(name, "available") == 0 && json_is_integer(q)) {
            *ret = json_integer_value(q);
            return true;
        }
    }
    return false;
}

static bool plain_sku(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

const char *sb_shopify_sku_query(const char *const *skus, size_t n, struct sb_arena *a)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(skus[i]) + 12;
    char *out = sb_arena_alloc(a, cap), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(p, " OR ", 4);
            p += 4;
        }
        memcpy(p, "sku:", 4);
        p += 4;
        bool quote = !plain_sku(skus[i]);
        if (quote)
            *p++ = '"';
        for (const char *s = skus[i]; *s; s++) {
            if (quote && (*s == '"' || *s == '\\'))
                *p++ = '\\';
            *p++ = *s;
        }
        if (quote)
            *p++ = '"';
    }
    *p = '\0';
    return out;
}

static const char *str_at(json_t *obj, const char *k1, const char *k2)
{
    json_t *v = json_object_get(obj, k1);
    if (k2)
        v = json_object_get(v, k2);
    return json_string_value(v);
}

/* One item node into out (strings borrowed from the answer, alive with the arena). */
static sb_err item_node(json_t *node, struct sb_arena *a, struct sb_channel_stock *out)
{
    memset(out, 0, sizeof(*out));
    out->item.sku = json_string_value(json_object_get(node, "sku"));
    out->item.item_id = json_string_value(json_object_get(node, "id"));
    if (!out->item.item_id)
        return sb_fail(SB_EIO, NULL, "Shopify sent an inventory item without an id");
    /* InventoryItem.variant is deprecated in 2026-10 for variants: an item is one variant's */
    json_t *variant =
        json_array_get(json_object_get(json_object_get(node, "variants"), "nodes"), 0);
    out->item.variant_id = str_at(variant, "id", NULL);
    out->item.product_id = str_at(json_object_get(variant, "product"), "id", NULL);
    json_t *levels = json_object_get(json_object_get(node, "inventoryLevels"), "nodes");
    size_t n = json_array_size(levels);
    out->location_ids = sb_arena_alloc(a, (n + 1) * sizeof(*out->location_ids));
    out->available = sb_arena_alloc(a, (n + 1) * sizeof(*out->available));
    if (!out->location_ids || !out->available)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t i;
    json_t *lv;
    json_array_foreach(levels, i, lv)
    {
        const char *loc = str_at(json_object_get(lv, "location"), "id", NULL);
        int64_t available = 0;
        if (!loc || !sb_shopify_level_available(lv, &available))
            return sb_fail(SB_EIO, NULL,
                           "Shopify sent an inventory level without its location "
                           "or its available quantity");
        out->location_ids[out->n_levels] = loc;
        out->available[out->n_levels++] = available;
    }
    /* the one location it is stocked at, when there is one */
    out->item.location_id = out->n_levels == 1 ? out->location_ids[0] : NULL;
    return SB_OK;
}

static sb_err items_page(const struct sb_channel *ch, const char *after, const char *query,
                         struct sb_arena *a, json_t **ret_conn)
{
    json_t *vars = json_pack("{s:i, s:s?, s:s?}", "first", SB_SHOPIFY_ITEMS_PAGE, "after", after,
                             "query", query),
           *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_shopify_gql(ch, a, "SbInventoryItems", q_items, vars, &data);
    if (err)
        return err;
    json_t *conn = json_object_get(data, "inventoryItems");
    if (!json_is_array(json_object_get(conn, "nodes")))
        return sb_fail(SB_EIO, NULL, "Shopify's inventoryItems answer has no nodes");
    *ret_conn = conn;
    return SB_OK;
}

sb_err sb_shopify_find_items(const struct sb_channel *ch, struct sb_channel_item *items, size_t n,
                             struct sb_arena *a)
{
    for (size_t i = 0; i < n; i++) {
        items[i].item_id = items[i].variant_id = items[i].product_id = items[i].location_id = NULL;
    }
    for (size_t start = 0; start < n; start += SB_SHOPIFY_ITEMS_PAGE) {
        size_t m = n - start < SB_SHOPIFY_ITEMS_PAGE ? n - start : SB_SHOPIFY_ITEMS_PAGE;
        const char *skus[SB_SHOPIFY_ITEMS_PAGE];
        for (size_t k = 0; k < m; k++)
            skus[k] = items[start + k].sku;
        const char *query = sb_shopify_sku_query(skus, m, a);
        if (!query)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        const char *after = NULL;
        for (;;) { /* one SKU may match more than one item: read every page */
            json_t *conn = NULL;
            sb_err err = items_page(ch, after, query, a, &conn);
            if (err)
                return err;
            size_t i;
            json_t *node;
            json_array_foreach(json_object_get(conn, "nodes"), i, node)
            {
                struct sb_channel_stock st;
                if ((err = item_node(node, a, &st)))
                    return err;
                for (size_t k = start; st.item.sku && k < start + m; k++) {
                    /* the first item Shopify lists for a SKU is the one kept */
                    if (!items[k].item_id && strcmp(items[k].sku, st.item.sku) == 0) {
                        items[k].item_id = st.item.item_id;
                        items[k].variant_id = st.item.variant_id;
                        items[k].product_id = st.item.product_id;
                        items[k].location_id = st.item.location_id;
                    }
                }
            }
            json_t *pi = json_object_get(conn, "pageInfo");
            after = json_string_value(json_object_get(pi, "endCursor"));
            if (!json_is_true(json_object_get(pi, "hasNextPage")) || !after)
                break;
        }
    }
    return SB_OK;
}

sb_err sb_shopify_read_stock(const struct sb_channel *ch, const char *cursor, struct sb_arena *a,
                             struct sb_stock_page *ret)
{
    json_t *conn = NULL;
    sb_err err = items_page(ch, cursor, NULL, a, &conn);
    if (err)
        return err;
    json_t *nodes = json_object_get(conn, "nodes");
    size_t n = json_array_size(nodes);
    struct sb_channel_stock *items = sb_arena_alloc(a, (n + 1) * sizeof(*items));
    if (!items)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t i;
    json_t *node;
    json_array_foreach(nodes, i, node)
    {
        if ((err = item_node(node, a, &items[i])))
            return err;
    }
    json_t *pi = json_object_get(conn, "pageInfo");
    const char *end = json_string_value(json_object_get(pi, "endCursor"));
    *ret =
        (struct sb_stock_page){ .items = items,
                                .n = n,
                                .next_cursor = end,
                                .more = json_is_true(json_object_get(pi, "hasNextPage")) && end };
    return SB_OK;
}

/* The index N of a userError's field ["input", "quantities", "N", ...], or -1. */
static long error_index(json_t *field)
{
    if (!json_is_array(field) || json_array_size(field) < 3)
        return -1;
    const char *q = json_string_value(json_array_get(field, 1));
    json_t *iv = json_array_get(field, 2);
    if (!q || strcmp(q, "quantities") != 0)
        return -1;
    if (json_is_integer(iv))
        return (long)json_integer_value(iv);
    const char *s = json_string_value(iv);
    char *end;
    long i = s ? strtol(s, &end, 10) : -1;
    return s && *s && !*end ? i : -1;
}

/* One inventorySetQuantities call for the levels at idx[0..m). *ret_refused counts the
 * levels marked with an error (then nothing was set); *ret_stale says the call was refused
 * as CHANGE_FROM_QUANTITY_STALE (SB_EBUSY, nothing set). */
static sb_err set_once(const struct sb_channel *ch, struct sb_stock_level *levels,
                       const size_t *idx, size_t m, struct sb_arena *a, size_t *ret_refused,
                       bool *ret_stale)
{
    *ret_stale = false;
    json_t *qs = json_array();
    for (size_t k = 0; qs && k < m; k++) {
        const struct sb_stock_level *l = &levels[idx[k]];
        json_array_append_new(qs, json_pack("{s:s, s:s, s:I, s:n}", "inventoryItemId",
                                            l->external_item_id, "locationId", l->location_id,
                                            "quantity", (json_int_t)l->available,
                                            "changeFromQuantity"));
    }
    json_t *vars = qs ? json_pack("{s:{s:s, s:s, s:o}}", "input", "name", "available", "reason",
                                  "correction", "quantities", qs)
                      : NULL,
           *data = NULL;
    if (!vars)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_shopify_gql(ch, a, "SbInventorySet", m_set, vars, &data);
    if (err)
        return err;
    json_t *payload = json_object_get(data, "inventorySetQuantities");
    if (!json_is_object(payload))
        return sb_fail(SB_EIO, NULL, "Shopify's inventorySetQuantities answer has no payload");
    json_t *errs = json_object_get(payload, "userErrors"), *e;
    size_t i, refused = 0;
    json_array_foreach(errs, i, e)
    {
        long at = error_index(json_object_get(e, "field"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *code = json_string_value(json_object_get(e, "code"));
        if (code && strcmp(code, "CHANGE_FROM_QUANTITY_STALE") == 0) {
            *ret_stale = true;
            return sb_fail(SB_EBUSY, NULL,
                           "Shopify refused the stock update as stale "
                           "(CHANGE_FROM_QUANTITY_STALE): %.200s; it is sent again",
                           msg ? msg : "no reason given");
        }
        if (at < 0 || (size_t)at >= m) /* an error about the whole call */
            return sb_fail(SB_EINVALID_FIELD, NULL, "Shopify refused the stock update: %.200s",
                           msg ? msg : "no reason given");
        struct sb_stock_level *l = &levels[idx[at]];
        if (!l->error) {
            l->error = sb_arena_printf(a, "Shopify refused the quantity: %s%s%s%s",
                                       msg ? msg : "no reason given", code ? " (" : "",
                                       code ? code : "", code ? ")" : "");
            refused++;
        }
    }
    *ret_refused = refused;
    return SB_OK;
}

sb_err sb_shopify_push_stock(const struct sb_channel *ch, struct sb_stock_level *levels, size_t n,
                             struct sb_arena *a)
{
    size_t *idx = sb_arena_alloc(a, (n + 1) * sizeof(*idx));
    if (!idx)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t start = 0; start < n; start += SB_SHOPIFY_SET_MAX) {
        size_t end = n - start < SB_SHOPIFY_SET_MAX ? n : start + SB_SHOPIFY_SET_MAX;
        /* refused levels drop out and the call is made again; each round drops at least
         * one, and a level refused once is not sent again */
        for (int stale_resends = 0;;) {
            size_t m = 0;
            for (size_t i = start; i < end; i++)
                if (!levels[i].error)
                    idx[m++] = i;
            if (m == 0)
                break;
            size_t refused = 0;
            bool stale = false;
            sb_err err = set_once(ch, levels, idx, m, a, &refused, &stale);
            if (err && stale && stale_resends++ < STALE_RESENDS)
                continue; /* nothing was set: the same figures again */
            if (err)
                return err;
            if (refused == 0)
                break;
        }
    }
    return SB_OK;
}
