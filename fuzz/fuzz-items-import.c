/*
 * The items CSV import's parse (POST /api/v1/items/import, `stockbridge items
 * import`): the CSV reader, the header row mapped to columns and price levels
 * (core/item.c), each row read into an item and checked as the import checks
 * it - everything store/items.c does before it writes. An item that passes is
 * one the store may write: its identifiers and amounts are within the rules;
 * every refusal names a field and says why in UTF-8 (it becomes a detail of
 * the 422).
 */
#include "fuzz.h"

#include "core/item.h"
#include "core/money.h"
#include "util/csv.h"

static const struct sb_price_level_ref levels[] = {
    { 1, "Retail" },
    { 2, "Sale" },
    { 3, "Wholesale" },
    { 4, "Prix de gros \xC3\xA9t\xC3\xA9" }, /* a level name beyond ASCII */
};

static void check_item(const struct sb_item *it, bool create)
{
    FZ_CHECK(!create || (it->sku.set && it->name.set), "created without sku or name");
    FZ_CHECK(!it->sku.set || sb_sku_valid(it->sku.v), "sku \"%s\"", it->sku.v);
    FZ_CHECK(!it->upc.set || !it->upc.v || sb_upc_valid(it->upc.v), "upc");
    FZ_CHECK(!it->ean.set || !it->ean.v || sb_ean_valid(it->ean.v), "ean");
    FZ_CHECK(!it->default_cost_set || (it->default_cost >= 0 && it->default_cost <= SB_MONEY_MAX),
             "default_cost %lld", (long long)it->default_cost);
    FZ_CHECK(!it->msrp_set || (it->msrp >= 0 && it->msrp <= SB_MONEY_MAX), "msrp");
    FZ_CHECK(it->n_prices <= SB_ITEM_MAX_PRICES, "%zu prices", it->n_prices);
    for (size_t i = 0; i < it->n_prices; i++) {
        FZ_CHECK(it->prices[i].price_level_id >= 1 && it->prices[i].price_level_id <= 4,
                 "price level %lld", (long long)it->prices[i].price_level_id);
        FZ_CHECK(it->prices[i].amount >= 0 && it->prices[i].amount <= SB_MONEY_MAX, "price");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sb_csv c;
    struct sb_csv_record rec;
    bool more = false;
    sb_csv_init(&c, (const char *)data, size);
    sb_err err = sb_csv_next(&c, &rec, &more);
    fz_check_error(err);
    if (err || !more || sb_item_csv_blank(rec.fields, rec.n)) {
        sb_csv_free(&c);
        return 0;
    }
    struct sb_item_csv_col *cols = calloc(rec.n, sizeof(*cols));
    struct sb_item *it = calloc(1, sizeof(*it));
    struct sb_item_csv_map map = { .cols = cols, .cap = rec.n };
    if (!cols || !it)
        goto done;
    err = sb_item_csv_header(&map, rec.fields, rec.n, levels, sizeof(levels) / sizeof(levels[0]));
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_CSV, "header error %d", err);
        goto done;
    }
    FZ_CHECK(map.n == rec.n, "%zu columns mapped of %zu", map.n, rec.n);
    for (;;) {
        err = sb_csv_next(&c, &rec, &more);
        fz_check_error(err);
        if (err || !more)
            break;
        if (sb_item_csv_blank(rec.fields, rec.n))
            continue;
        err = sb_item_csv_row(&map, rec.fields, rec.n, it);
        fz_check_error(err);
        if (err) {
            FZ_CHECK(err == SB_EINVALID_FIELD, "row error %d", err);
            continue;
        }
        for (int create = 0; create < 2; create++) {
            err = sb_item_validate(it, create);
            fz_check_error(err);
            if (!err)
                check_item(it, create);
        }
    }
done:
    free(cols);
    free(it);
    sb_csv_free(&c);
    return 0;
}
