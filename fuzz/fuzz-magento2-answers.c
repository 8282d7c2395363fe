/*
 * Magento's answers to the adapter's upward calls (channel/magento2/: stock.c,
 * prices.c, invoice.c, ship.c, cancel.c), parsed alone: a page of
 * GET /V1/inventory/source-items, a price call's list of PriceUpdateResult, a
 * 400 to POST /V1/inventory/source-items, and an order as the re-reads see it
 * (invoiced? shipped? capture?), which is also what a bare answer (an id, true,
 * false) falls back on. The input is one answer body (any JSON value, as
 * Magento may send bare ones). Whatever it says:
 *   - a source-items page read whole is sorted by SKU with distinct SKUs, every
 *     item with a SKU and at least one source, none available below 0, no more
 *     than the rows sent, and "more" only with a cursor that is the last SKU;
 *   - price and stock refusals mark only what they name, with UTF-8 reasons, and
 *     fail with SB_EIO or SB_EINVALID_FIELD only;
 *   - nothing crashes, leaks, or reads past the answer.
 */
#include "fuzz.h"

#include "channel/magento2/magento2.h"

#include <jansson.h>

#define PAGE 4

static void check_page(json_t *body, struct sb_arena *a)
{
    struct sb_stock_page p;
    sb_err err = sb_m2up_source_page(body, PAGE, a, &p);
    FZ_CHECK(err == SB_OK || err == SB_EIO || err == SB_ENOMEM, "source page: %s",
             sb_err_code(err));
    if (err)
        return;
    FZ_CHECK(p.n <= json_array_size(json_object_get(body, "items")), "%zu items from %zu rows", p.n,
             json_array_size(json_object_get(body, "items")));
    FZ_CHECK(!p.more || (p.n > 0 && p.next_cursor &&
                         strcmp(p.next_cursor, p.items[p.n - 1].item.sku) == 0),
             "more without the last SKU as cursor");
    for (size_t i = 0; i < p.n; i++) {
        const struct sb_channel_stock *it = &p.items[i];
        FZ_CHECK(it->item.sku && *it->item.sku && it->n_levels >= 1, "item %zu", i);
        FZ_CHECK(it->item.item_id == it->item.sku, "item %zu's id is not its SKU", i);
        FZ_CHECK(i == 0 || strcmp(p.items[i - 1].item.sku, it->item.sku) != 0,
                 "SKU %s listed twice", it->item.sku);
        for (size_t k = 0; k < it->n_levels; k++)
            FZ_CHECK(it->location_ids[k] && *it->location_ids[k] && it->available[k] >= 0,
                     "item %zu level %zu", i, k);
        FZ_CHECK((it->n_levels == 1) == (it->item.location_id != NULL), "item %zu's one location",
                 i);
    }
}

static void check_prices(json_t *body, struct sb_arena *a)
{
    struct sb_price prices[] = {
        { 1, "A", "7", 1999, 0, NULL },
        { 2, "B", "8", 500, 400, NULL },
        { 3, "SKU, with comma", "9", 100, 0, NULL },
    };
    size_t idx[] = { 0, 1, 2 };
    sb_err err = sb_m2up_price_results(body, prices, idx, 3, a);
    FZ_CHECK(err == SB_OK || err == SB_EIO || err == SB_EINVALID_FIELD || err == SB_ENOMEM,
             "price results: %s", sb_err_code(err));
    FZ_CHECK(err || json_array_size(body) == 0 || prices[0].error || prices[1].error ||
                 prices[2].error,
             "refusals accepted without marking a price");
    for (size_t i = 0; i < 3; i++)
        FZ_CHECK(!prices[i].error || fz_utf8(prices[i].error, strlen(prices[i].error)),
                 "price %zu's error is not UTF-8", i);
    FZ_CHECK(fz_utf8(sb_err_last()->message, strlen(sb_err_last()->message)),
             "the error message is not UTF-8");
}

static void check_refusal(json_t *body, struct sb_arena *a)
{
    struct sb_stock_level levels[] = {
        { 1, "A", "default", 5, NULL },
        { 2, "B", "default", 0, NULL },
        { 2, "B", "wh-2", 3, NULL },
    };
    size_t idx[] = { 0, 1, 2 }, marked = 0;
    struct sb_m2_reply r = {
        .status = 400,
        .body = body,
        .message = sb_m2_fill_message(json_object_get(body, "message"),
                                      json_object_get(body, "parameters"), a),
    };
    sb_err err = sb_m2up_stock_refusal(&r, levels, idx, 3, a, &marked);
    FZ_CHECK(err == SB_OK || err == SB_EINVALID_FIELD || err == SB_ENOMEM, "stock refusal: %s",
             sb_err_code(err));
    size_t with_error = 0;
    for (size_t i = 0; i < 3; i++) {
        with_error += levels[i].error != NULL;
        FZ_CHECK(!levels[i].error || fz_utf8(levels[i].error, strlen(levels[i].error)),
                 "level %zu's error is not UTF-8", i);
    }
    FZ_CHECK(marked == with_error, "%zu marked, %zu with an error", marked, with_error);
    FZ_CHECK(err || marked >= 1, "a refusal taken without marking a level");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_arena *a = sb_arena_new();
    if (!a)
        return 0;
    json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    check_page(body, a);
    check_prices(body, a);
    check_refusal(body, a);
    /* an order as the re-reads judge it; a bare answer is no order */
    (void)sb_m2up_invoiced(body);
    (void)sb_m2up_capture(body);
    (void)sb_m2up_shipped(body);
    json_decref(body);
    sb_arena_free(a);
    return 0;
}
