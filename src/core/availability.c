#include "core/availability.h"

int64_t sb_available(int64_t on_hand, int64_t reserved)
{
    if (reserved < 0)
        reserved = 0; /* a reservation never adds stock */
    if (on_hand <= reserved)
        return 0;
    return on_hand - reserved;
}

int64_t sb_available_sum(const struct sb_outlet_stock *rows, size_t n, const int64_t *outlet_ids,
                         size_t n_outlets)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < n_outlets && outlet_ids[k] != rows[i].outlet_id)
            k++;
        if (k == n_outlets)
            continue;
        int64_t a = sb_available(rows[i].on_hand, rows[i].reserved);
        if (rows[i].held > 0) /* M9 */
            a = rows[i].held > INT64_MAX - a ? INT64_MAX : a + rows[i].held;
        sum = a > INT64_MAX - sum ? INT64_MAX : sum + a;
    }
    return sum;
}

static bool linked(int64_t outlet, const int64_t *ids, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (ids[k] == outlet)
            return true;
    return false;
}

const char *sb_unpublished_reason(const struct sb_publish_filters *f,
                                  const struct sb_outlet_stock *rows, size_t n,
                                  const int64_t *outlet_ids, size_t n_outlets)
{
    bool on_hand = false, on_order = false, reorder = false;
    for (size_t i = 0; i < n; i++) {
        if (!linked(rows[i].outlet_id, outlet_ids, n_outlets))
            continue;
        on_hand = on_hand || rows[i].on_hand > 0;
        on_order = on_order || rows[i].on_order > 0;
        reorder = reorder || rows[i].reorder_point > 0 || rows[i].max_level > 0;
    }
    if ((f->on_hand && on_hand) || (f->on_order && on_order) || (f->reorder && reorder))
        return NULL;
    static const char *const reasons[8] = {
        "not published: no publish filter is on for this channel",
        "not published: none on hand in the channel's outlets (filter: on hand > 0)",
        "not published: none on order in the channel's outlets (filter: on order > 0)",
        "not published: none on hand or on order in the channel's outlets",
        "not published: no reorder point or maximum level in the channel's outlets",
        "not published: none on hand, and no reorder point or maximum level, in the channel's "
        "outlets",
        "not published: none on order, and no reorder point or maximum level, in the channel's "
        "outlets",
        "not published: none on hand or on order, and no reorder point or maximum level, in the "
        "channel's outlets",
    };
    return reasons[(f->on_hand ? 1 : 0) | (f->on_order ? 2 : 0) | (f->reorder ? 4 : 0)];
}
