/*
 * Ecwid's answers to the adapter's other calls (channel/ecwid/: stock.c and
 * profile.c), parsed alone: a page of GET /products read back as stock (I5),
 * a product searched by SKU (find_items), and the store's profile (its
 * currency, O4). The input is one answer body (any JSON value). Whatever it
 * says:
 *   - a stock page lists no more items than the products and combinations
 *     sent, each with a non-empty SKU, an id that is a product or a
 *     combination target, one level at the store's location; "more" only with
 *     a cursor that is a later offset; a refusal is SB_EIO only;
 *   - a SKU match is a stock target of the product searched, or none;
 *   - a profile's currency is three letters A-Z, or none;
 *   - nothing crashes, leaks, or reads past the answer.
 */
#include "fuzz.h"

#include "channel/ecwid/ecwid.h"

#include <jansson.h>
#include <stdlib.h>

static void check_page(json_t *body, int64_t offset, struct sb_arena *a)
{
    struct sb_stock_page p;
    sb_err err = sb_ec_stock_page(body, offset, a, &p);
    FZ_CHECK(err == SB_OK || err == SB_EIO || err == SB_ENOMEM, "stock page: %s", sb_err_code(err));
    if (err)
        return;
    size_t sent = 0, i;
    json_t *pr;
    json_array_foreach(json_object_get(body, "items"), i, pr)
    {
        size_t nc = json_array_size(json_object_get(pr, "combinations"));
        sent += nc ? nc : 1;
    }
    FZ_CHECK(p.n <= sent, "%zu items from %zu sent", p.n, sent);
    for (size_t k = 0; k < p.n; k++) {
        const struct sb_channel_stock *it = &p.items[k];
        int64_t pid, cid;
        FZ_CHECK(it->item.sku && *it->item.sku, "item %zu has no SKU", k);
        FZ_CHECK(sb_ec_stock_target(it->item.item_id, &pid, &cid), "item %zu's id %s", k,
                 it->item.item_id);
        FZ_CHECK(it->n_levels == 1 && strcmp(it->location_ids[0], SB_EC_LOCATION) == 0,
                 "item %zu's levels", k);
    }
    if (p.more) {
        char *end;
        long long next = p.next_cursor ? strtoll(p.next_cursor, &end, 10) : -1;
        FZ_CHECK(p.next_cursor && !*end && next > offset, "more with cursor %s after %lld",
                 p.next_cursor ? p.next_cursor : "(none)", (long long)offset);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_arena *a = sb_arena_new();
    json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (a && root) {
        check_page(root, (int64_t)(size % 300), a);
        const char *sku = size % 2 ? "TEE" : "MUG-R";
        const char *id = sb_ec_match_sku(root, sku, a);
        int64_t pid, cid;
        FZ_CHECK(!id || sb_ec_stock_target(id, &pid, &cid), "match %s", id);
        json_t *items = json_object_get(root, "items");
        size_t i;
        json_t *pr;
        json_array_foreach(items, i, pr)(void) sb_ec_match_sku(pr, sku, a);
        const char *cur = sb_ec_profile_currency_of(root);
        FZ_CHECK(!cur || (strlen(cur) == 3 && cur[0] >= 'A' && cur[0] <= 'Z' && cur[1] >= 'A' &&
                          cur[1] <= 'Z' && cur[2] >= 'A' && cur[2] <= 'Z'),
                 "currency %s", cur);
    }
    json_decref(root);
    sb_arena_free(a);
    return 0;
}
