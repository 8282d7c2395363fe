/*
 * Reading a shop's whole stock with a bulk operation (channel/shopify/bulk.c,
 * I5): the answers to SbBulkStock and SbBulkStatus, then the JSONL result
 * file, streamed in pieces of varying sizes and read line by line as it
 * arrives. The input is the answers and the file, in that order (fuzz/wire.h;
 * the file is the answer after the status that gives its URL). Every item
 * handed over must have its id, at most the reader's number of levels, each
 * with its location, and its one location named when it has exactly one; a
 * failure must say why in UTF-8 (the caller discards the read, I5).
 */
#include "fuzz.h"

#include "channel/shopify/shopify.h"
#include "wire.h"

struct seen {
    size_t items;
};

static sb_err each(void *ud, const struct sb_channel_stock *st)
{
    struct seen *s = ud;
    FZ_CHECK(st->item.item_id, "an item without its id");
    FZ_CHECK(st->n_levels <= 10000, "%zu levels", st->n_levels);
    for (size_t i = 0; i < st->n_levels; i++)
        FZ_CHECK(st->location_ids[i], "level %zu without its location", i);
    FZ_CHECK((st->item.location_id != NULL) == (st->n_levels == 1), "one location: %zu levels",
             st->n_levels);
    s->items++;
    return SB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen s = { 0 };
    fz_wire_load(data, size);
    sb_err err = sb_channel_shopify.read_stock_all(fz_wire_channel(), each, &s);
    fz_check_error(err);
    fz_wire_reset();
    return 0;
}
