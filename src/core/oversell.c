/*
 * Selling past stock at the till (see oversell.h). The units of one item
 * at one outlet are summed over the sale's lines, so two lines of 6 against
 * 10 in stock are refused as one line of 12 would be; the refusal names the
 * line at which the sum goes over.
 */
#include "core/oversell.h"

#include <stdio.h>

static int64_t line_outlet(const struct sb_sale_input *in, size_t i)
{
    return in->lines[i].outlet_id ? in->lines[i].outlet_id : in->outlet_id;
}

static bool same_stock(const struct sb_sale_input *in, size_t i, size_t j)
{
    return in->lines[i].item_id == in->lines[j].item_id && line_outlet(in, i) == line_outlet(in, j);
}

sb_err sb_oversell_check(const struct sb_sale_input *in, sb_stock_have_fn have, void *ctx)
{
    if (in->source != SB_SALE_SOURCE_POS || in->allow_oversell)
        return SB_OK;
    for (size_t i = 0; i < in->n_lines; i++) {
        if (!in->lines[i].item_id)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_stock(in, i, j);
        if (seen) /* counted with its first line */
            continue;
        struct sb_stock_have h = { .tracked = false };
        sb_err err = have(ctx, in->lines[i].item_id, line_outlet(in, i), &h);
        if (err)
            return err;
        if (!h.tracked)
            continue;
        /* quantities are at most SB_QTY_MAX and lines SB_SALE_MAX_LINES: no overflow */
        int64_t taken = 0;
        for (size_t k = i; k < in->n_lines; k++) {
            if (!same_stock(in, i, k))
                continue;
            taken += in->lines[k].quantity;
            if (taken <= h.available)
                continue;
            char field[48];
            snprintf(field, sizeof(field), "lines[%zu].quantity", k);
            if (h.available <= 0)
                return sb_fail(SB_EEXCEEDS_STOCK, field, "%lld x %s: %s has none in stock",
                               (long long)taken, h.item, h.outlet);
            return sb_fail(SB_EEXCEEDS_STOCK, field,
                           "%lld x %s is more than %s has in stock (%lld)", (long long)taken,
                           h.item, h.outlet, (long long)h.available);
        }
    }
    return SB_OK;
}
