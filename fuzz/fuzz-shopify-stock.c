/*
 * Shopify's answers to the inventory lookups of stock sync
 * (channel/shopify/stock.c, SbInventoryItems): finding items by SKU for the
 * stock and price pushes, and reading the channel's stock a page at a time
 * for reconciliation (I5). The input is the answers (fuzz/wire.h): the
 * find's pages first, then what is left for one read. An item found must
 * carry the channel's id; a page read must hold its levels with a location
 * each, its one location named when it has exactly one, and a cursor
 * whenever it says there is more.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "wire.h"

static void check_stock(const struct sb_channel_stock *st)
{
    FZ_CHECK(st->item.item_id, "an item without its id");
    FZ_CHECK(st->n_levels <= SB_SHOPIFY_LEVELS * 1000, "%zu levels", st->n_levels);
    for (size_t i = 0; i < st->n_levels; i++)
        FZ_CHECK(st->location_ids[i], "level %zu has no location", i);
    FZ_CHECK((st->item.location_id != NULL) == (st->n_levels == 1), "one location: %zu levels",
             st->n_levels);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return 0;
    fz_wire_load(data, size);
    const struct sb_channel *ch = fz_wire_channel();
    struct sb_channel_item items[3] = { { .sku = "TEE-BLK" },
                                        { .sku = "MUG" },
                                        { .sku = "Q\"1 2" } };
    sb_err err = sb_channel_shopify.find_items(ch, items, 3, a);
    fz_check_error(err);
    for (size_t i = 0; !err && i < 3; i++)
        FZ_CHECK(items[i].item_id || (!items[i].variant_id && !items[i].location_id),
                 "SKU %s: ids without the item's", items[i].sku);
    if (fz_wire_left()) {
        struct sb_stock_page page = { 0 };
        err = sb_channel_shopify.read_stock(ch, NULL, a, &page);
        fz_check_error(err);
        if (!err) {
            FZ_CHECK(!page.more || page.next_cursor, "more without a cursor");
            for (size_t i = 0; i < page.n; i++)
                check_stock(&page.items[i]);
        }
    }
    fz_wire_reset();
    sb_arena_free(a);
    return 0;
}
