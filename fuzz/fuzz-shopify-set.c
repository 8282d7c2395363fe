/*
 * Shopify's answers to inventorySetQuantities (channel/shopify/stock.c,
 * push_stock): userErrors name the quantities refused by index, the call is
 * made again without them, and the others are set (I9: a refused change is
 * parked with its error, never lost). The input is the answers
 * (fuzz/wire.h). Whatever they say, the push must end - each round drops at
 * least one level, so never more calls than levels plus one per batch -
 * and on success every level is either set (no error) or refused with a
 * UTF-8 reason.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "wire.h"

#define LEVELS 260 /* more than one call's worth (SB_SHOPIFY_SET_MAX) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sb_stock_level levels[LEVELS];
    static char ids[LEVELS][48];
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return 0;
    /* how many levels: a few, or enough for two batches, by the input's length */
    size_t n = size % 7 == 6 ? LEVELS : 1 + size % 5;
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof(ids[i]), "gid://shopify/InventoryItem/%zu", 1000 + i);
        levels[i] = (struct sb_stock_level){ .item_id = (int64_t)i + 1,
                                             .external_item_id = ids[i],
                                             .location_id = "gid://shopify/Location/1",
                                             .available = (int64_t)i * 3 - 2 };
    }
    fz_wire_load(data, size);
    sb_err err = sb_channel_shopify.push_stock(fz_wire_channel(), levels, n, a);
    fz_check_error(err);
    size_t batches = (n + SB_SHOPIFY_SET_MAX - 1) / SB_SHOPIFY_SET_MAX;
    /* every round but a batch's last refuses at least one level; throttled answers are
     * retried up to SB_SHOPIFY_MAX_RETRIES times a call */
    FZ_CHECK(fz_wire_calls() <= (n + batches) * (SB_SHOPIFY_MAX_RETRIES + 1), "%zu calls for %zu",
             fz_wire_calls(), n);
    for (size_t i = 0; !err && i < n; i++)
        FZ_CHECK(!levels[i].error || fz_utf8(levels[i].error, strlen(levels[i].error)),
                 "level %zu's error is not UTF-8", i);
    fz_wire_reset();
    sb_arena_free(a);
    return 0;
}
