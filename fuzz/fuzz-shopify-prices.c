/*
 * Shopify's answers to productVariantsBulkUpdate (channel/shopify/prices.c,
 * push_prices, PR4): one call per product, all or nothing; a refusal marks
 * every price of that call with Shopify's reason. The input is the answers
 * (fuzz/wire.h). The push must make one call per product (and throttling
 * retries) at most, skip prices without a variant, and on success leave each
 * price either taken or refused with a UTF-8 reason.
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return 0;
    struct sb_price prices[] = {
        { 1, "gid://shopify/ProductVariant/11", "gid://shopify/Product/10", 2500, 1999, NULL },
        { 2, "gid://shopify/ProductVariant/12", "gid://shopify/Product/10", 2500, 0, NULL },
        { 3, "gid://shopify/ProductVariant/21", "gid://shopify/Product/20", 1000, 1200, NULL },
        { 4, NULL, NULL, 500, 0, NULL }, /* not on the channel: skipped */
    };
    size_t n = sizeof(prices) / sizeof(prices[0]);
    fz_wire_load(data, size);
    sb_err err = sb_channel_shopify.push_prices(fz_wire_channel(), prices, n, a);
    fz_check_error(err);
    FZ_CHECK(fz_wire_calls() <= 2 * (SB_SHOPIFY_MAX_RETRIES + 1), "%zu calls for 2 products",
             fz_wire_calls());
    FZ_CHECK(!prices[3].error, "a price without a variant was sent");
    for (size_t i = 0; !err && i < n; i++)
        FZ_CHECK(!prices[i].error || fz_utf8(prices[i].error, strlen(prices[i].error)),
                 "price %zu's error is not UTF-8", i);
    fz_wire_reset();
    sb_arena_free(a);
    return 0;
}
