/*
 * The levels a channel should show for an item (SPEC I2, I6, I7), from the
 * item's stock rows and the channel's links: what the stock lane pushes and
 * what reconciliation compares with the channel's own figures.
 */
#include "sync/stock-levels.h"

#include <string.h>

sb_err sb_sync_levels(struct sb_db *db, const struct sb_channel_rt *rt,
                      const struct sb_sync_item *it, struct sb_arena *a,
                      struct sb_stock_level **ret, size_t *ret_n, const char **ret_error)
{
    struct sb_outlet_stock *rows = NULL;
    size_t n_rows = 0;
    *ret_n = 0;
    *ret_error = NULL;
    sb_err err = sb_store_outlet_stock(db, it->item_id, a, &rows, &n_rows);
    if (!err && rt->ops->held_statuses) { /* M9 */
        struct sb_held *held = NULL;
        size_t n_held = 0;
        err = sb_store_channel_held(db, rt->ch.id, rt->ops->held_statuses, it->item_id, a, &held,
                                    &n_held);
        if (!err)
            sb_sync_add_held(held, n_held, it->item_id, rows, n_rows);
    }
    if (err)
        return err;
    return sb_sync_levels_of(rt, it, rows, n_rows, a, ret, ret_n, ret_error);
}

void sb_sync_add_held(const struct sb_held *held, size_t n_held, int64_t item_id,
                      struct sb_outlet_stock *rows, size_t n_rows)
{
    size_t lo = 0, hi = n_held; /* held is sorted by item: the first of item_id's */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (held[mid].item_id < item_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t h = lo; h < n_held && held[h].item_id == item_id; h++)
        for (size_t r = 0; r < n_rows; r++)
            if (rows[r].outlet_id == held[h].outlet_id)
                rows[r].held += held[h].quantity;
}

sb_err sb_sync_levels_of(const struct sb_channel_rt *rt, const struct sb_sync_item *it,
                         const struct sb_outlet_stock *rows, size_t n_rows, struct sb_arena *a,
                         struct sb_stock_level **ret, size_t *ret_n, const char **ret_error)
{
    *ret_n = 0;
    *ret_error = NULL;
    size_t cap = rt->rec.n_locations ? rt->rec.n_locations : 1;
    struct sb_stock_level *levels = sb_arena_alloc(a, cap * sizeof(*levels));
    int64_t *outlets = sb_arena_alloc(a, (rt->rec.n_locations + 1) * sizeof(*outlets));
    if (!levels || !outlets)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t n = 0;
    if (!rt->rec.n_locations) {
        if (!it->ref.location_id) {
            *ret_error = "the item is stocked at several locations on the channel: link the "
                         "channel's locations to outlets";
            return SB_OK;
        }
        levels[n++] = (struct sb_stock_level){
            .item_id = it->item_id,
            .external_item_id = it->ref.item_id,
            .location_id = it->ref.location_id,
            .available = sb_available_sum(rows, n_rows, rt->rec.outlet_ids, rt->rec.n_outlets),
        };
    } else {
        /* locations come sorted by location id: one level per run of equal ids */
        for (size_t i = 0; i < rt->rec.n_locations;) {
            const char *loc = rt->rec.locations[i].location_id;
            size_t k = 0;
            for (; i < rt->rec.n_locations && strcmp(rt->rec.locations[i].location_id, loc) == 0;
                 i++)
                outlets[k++] = rt->rec.locations[i].outlet_id;
            levels[n++] = (struct sb_stock_level){
                .item_id = it->item_id,
                .external_item_id = it->ref.item_id,
                .location_id = loc,
                .available = sb_available_sum(rows, n_rows, outlets, k),
            };
        }
    }
    /* I7: an item the filters do not publish is withdrawn: 0 everywhere */
    size_t n_stocked = 0;
    int64_t *stocked =
        sb_arena_alloc(a, (rt->rec.n_outlets + rt->rec.n_locations + 1) * sizeof(*stocked));
    if (!stocked)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < rt->rec.n_outlets; i++)
        stocked[n_stocked++] = rt->rec.outlet_ids[i];
    for (size_t i = 0; i < rt->rec.n_locations; i++)
        stocked[n_stocked++] = rt->rec.locations[i].outlet_id;
    struct sb_publish_filters pf = { .on_hand = rt->rec.settings.publish_on_hand,
                                     .on_order = rt->rec.settings.publish_on_order,
                                     .reorder = rt->rec.settings.publish_reorder };
    if (sb_unpublished_reason(&pf, rows, n_rows, stocked, n_stocked))
        for (size_t i = 0; i < n; i++)
            levels[i].available = 0;
    *ret = levels;
    *ret_n = n;
    return SB_OK;
}
