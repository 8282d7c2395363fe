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
        sum = a > INT64_MAX - sum ? INT64_MAX : sum + a;
    }
    return sum;
}
