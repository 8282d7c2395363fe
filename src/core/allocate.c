/*
 * Allocation of order lines to outlets. The caller's availability callback
 * is read once per (item, outlet); quantities already promised to earlier
 * lines of the same order are deducted, so two lines of one item never
 * count the same units twice.
 */
#include "core/allocate.h"

#include <stdlib.h>
#include <string.h>

/* Distinct items of the order (at most one per line), each with what is left at every
 * outlet: left[i * n_outlets + o]. Sized to the order. */
struct avail {
    int64_t *item_id;
    int64_t *left;
    int64_t *need; /* scratch for fits() */
    size_t n, cap, n_outlets;
};

#define LEFT(av, i, o) ((av)->left[(size_t)(i) * (av)->n_outlets + (o)])

/* Index of item in the table, reading its availability on first sight. */
static int item_index(const struct sb_alloc_input *in, struct avail *av, int64_t item_id)
{
    for (size_t i = 0; i < av->n; i++)
        if (av->item_id[i] == item_id)
            return (int)i;
    if (av->n == av->cap)
        return -1;
    size_t i = av->n++;
    av->item_id[i] = item_id;
    for (size_t o = 0; o < in->n_outlets; o++) {
        int64_t a = in->available(in->ud, item_id, in->outlets[o]);
        LEFT(av, i, o) = a > 0 ? a : 0;
    }
    return (int)i;
}

static void add_part(struct sb_alloc_result *r, size_t line, size_t outlet, int64_t qty,
                     int64_t backorder)
{
    for (size_t p = 0; p < r->n_parts; p++) {
        if (r->parts[p].line == line && r->parts[p].outlet == outlet) {
            r->parts[p].quantity += qty;
            r->parts[p].backorder += backorder;
            return;
        }
    }
    r->parts[r->n_parts++] = (struct sb_alloc_part){
        .line = line, .outlet = outlet, .quantity = qty, .backorder = backorder
    };
}

/* A2: can outlet o give every stocked line in full? */
static bool fits(const struct sb_alloc_input *in, struct avail *av, size_t o)
{
    int64_t *need = av->need;
    memset(need, 0, av->cap * sizeof(*need));
    for (size_t l = 0; l < in->n_lines; l++) {
        if (!in->lines[l].item_id)
            continue;
        int i = item_index(in, av, in->lines[l].item_id);
        if (i < 0)
            return false;
        need[i] += in->lines[l].quantity;
        if (need[i] > LEFT(av, i, o))
            return false;
    }
    return true;
}

static sb_err allocate(const struct sb_alloc_input *in, struct avail *av,
                       struct sb_alloc_result *ret);

sb_err sb_allocate(const struct sb_alloc_input *in, struct sb_alloc_result *ret)
{
    if (in->n_outlets == 0 || in->n_outlets > SB_ALLOC_MAX_OUTLETS ||
        in->default_outlet >= in->n_outlets || (in->forced && in->forced_outlet >= in->n_outlets))
        return sb_fail(SB_ECONFLICT, "outlets", "the channel has no usable outlets");
    size_t cap = in->n_lines ? in->n_lines : 1;
    struct avail av = { .item_id = malloc(cap * sizeof(int64_t)),
                        .left = malloc(cap * in->n_outlets * sizeof(int64_t)),
                        .need = malloc(cap * sizeof(int64_t)),
                        .cap = cap,
                        .n_outlets = in->n_outlets };
    sb_err err =
        av.item_id && av.left && av.need ? allocate(in, &av, ret) : sb_fail(SB_ENOMEM, NULL, NULL);
    free(av.item_id);
    free(av.left);
    free(av.need);
    return err;
}

static sb_err allocate(const struct sb_alloc_input *in, struct avail *av,
                       struct sb_alloc_result *ret)
{
    ret->n_parts = 0;
    ret->split = false;
    ret->backorder = false;

    /* A1 and A2: one outlet takes the whole order */
    bool whole = in->forced;
    size_t chosen = in->forced ? in->forced_outlet : 0;
    for (size_t o = 0; !whole && o < in->n_outlets; o++) {
        if (fits(in, av, o)) {
            whole = true;
            chosen = o;
        }
    }
    if (whole) {
        for (size_t l = 0; l < in->n_lines; l++) {
            int64_t short_by = 0;
            if (in->lines[l].item_id) {
                int i = item_index(in, av, in->lines[l].item_id);
                int64_t have = i < 0 ? 0 : LEFT(av, i, chosen);
                int64_t take = have < in->lines[l].quantity ? have : in->lines[l].quantity;
                short_by = in->lines[l].quantity - take;
                if (i >= 0)
                    LEFT(av, i, chosen) -= take;
            }
            add_part(ret, l, chosen, in->lines[l].quantity, short_by);
            ret->backorder |= short_by > 0;
        }
        return SB_OK;
    }

    /* A3 and A4: split by available stock, backorder the rest at the default outlet */
    size_t first = SIZE_MAX;
    for (size_t l = 0; l < in->n_lines; l++) {
        if (!in->lines[l].item_id)
            continue;
        int i = item_index(in, av, in->lines[l].item_id);
        int64_t remaining = in->lines[l].quantity;
        for (size_t o = 0; i >= 0 && o < in->n_outlets && remaining > 0; o++) {
            int64_t take = LEFT(av, i, o) < remaining ? LEFT(av, i, o) : remaining;
            if (take > 0) {
                LEFT(av, i, o) -= take;
                remaining -= take;
                add_part(ret, l, o, take, 0);
                if (first == SIZE_MAX || o < first)
                    first = o;
            }
        }
        if (remaining > 0) {
            add_part(ret, l, in->default_outlet, remaining, remaining);
            ret->backorder = true;
            if (first == SIZE_MAX)
                first = in->default_outlet;
        }
    }
    if (first == SIZE_MAX)
        first = in->default_outlet;
    for (size_t l = 0; l < in->n_lines; l++)
        if (!in->lines[l].item_id)
            add_part(ret, l, first, in->lines[l].quantity, 0);
    for (size_t p = 1; p < ret->n_parts; p++)
        if (ret->parts[p].outlet != ret->parts[0].outlet)
            ret->split = true;
    return SB_OK;
}
