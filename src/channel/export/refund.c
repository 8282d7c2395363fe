/*
 * The body of a webstore's refund and the return's lines it makes (see
 * refund.h): split out of the route (http/api-connection-refunds.c) so that
 * it is typed, bounded and fuzzed without a server.
 */
#include "channel/export/refund.h"

#include <stdio.h>
#include <string.h>

static sb_err line_read(struct sb_jctx *c, size_t i, json_t *v, struct sb_export_refund_line *ret)
{
    char buf[64];
    struct sb_jctx e = sb_jctx_child(c, "lines", (long)i, v, buf, sizeof(buf));
    static const char *const keys[] = { "sku", "line_index", "quantity", NULL };
    bool has_sku = false, has_index = false;
    sb_err err;
    if (!json_is_object(v))
        return sb_fail(SB_EINVALID_FIELD, e.prefix, "%s must be an object", e.prefix);
    *ret = (struct sb_export_refund_line){ 0 };
    if ((err = sb_json_only(&e, keys)) ||
        (err = sb_json_str(&e, "sku", false, SB_EXPORT_REFUND_SKU_MAX, &ret->sku, &has_sku)) ||
        (err = sb_json_int(&e, "line_index", false, 0, SB_SALE_MAX_LINES, &ret->line_index,
                           &has_index)))
        return err;
    if (has_sku == has_index)
        return sb_fail(SB_EINVALID_FIELD, e.prefix, "%s needs either sku or line_index", e.prefix);
    ret->by_index = has_index;
    if (!has_sku)
        ret->sku = NULL;
    return sb_json_int(&e, "quantity", true, 1, SB_QTY_MAX, &ret->quantity, NULL);
}

sb_err sb_export_refund_read(struct sb_jctx *c, struct sb_arena *a, struct sb_export_refund *ret)
{
    static const char *const keys[] = { "refund_id", "lines", "amount", "note", NULL };
    struct sb_export_refund f = { 0 };
    json_t *lines = NULL;
    sb_err err;
    if ((err = sb_json_only(c, keys)) ||
        (err = sb_json_str(c, "refund_id", true, SB_EXPORT_REFUND_ID_MAX, &f.refund_id, NULL)) ||
        (err = sb_json_int(c, "amount", false, 0, SB_MONEY_MAX, &f.amount, &f.amount_set)) ||
        (err = sb_json_str_or_null(c, "note", SB_EXPORT_REFUND_NOTE_MAX, &f.note, NULL)) ||
        (err = sb_json_array(c, "lines", false, SB_SALE_MAX_LINES, &lines)))
        return err;
    if (!f.refund_id[0])
        return sb_fail(SB_EINVALID_FIELD, "refund_id", "refund_id must not be empty");
    if (lines && json_array_size(lines) == 0)
        return sb_fail(SB_EINVALID_FIELD, "lines", "lines needs at least 1 entry");
    if (lines) {
        size_t n = json_array_size(lines);
        struct sb_export_refund_line *l = sb_arena_alloc(a, n * sizeof(*l));
        if (!l)
            return sb_fail(SB_ENOMEM, NULL, NULL);
        for (size_t i = 0; i < n; i++)
            if ((err = line_read(c, i, json_array_get(lines, i), &l[i])))
                return err;
        f.lines = l;
        f.n_lines = n;
    }
    *ret = f;
    return SB_OK;
}

/* The sale line a body line names. */
static sb_err line_of(const struct sb_export_refund_line *b, size_t i,
                      const struct sb_export_sale_line *sale, size_t n_sale,
                      const struct sb_export_sale_line **ret)
{
    const struct sb_export_sale_line *line = NULL;
    if (b->by_index) {
        line = b->line_index >= 0 && (uint64_t)b->line_index < n_sale ? &sale[b->line_index] : NULL;
    } else {
        for (size_t k = 0; k < n_sale; k++) {
            if (!sale[k].sku || strcmp(sale[k].sku, b->sku) != 0)
                continue;
            if (!line)
                line = &sale[k];
            if (sale[k].quantity > sale[k].returned_quantity) {
                line = &sale[k];
                break;
            }
        }
    }
    if (!line) {
        char field[64];
        snprintf(field, sizeof(field), "lines[%zu].%s", i, b->by_index ? "line_index" : "sku");
        return sb_fail(SB_EINVALID_FIELD, field, "is not a line of this order");
    }
    *ret = line;
    return SB_OK;
}

/* A line's value for `units` of it: its line_total per unit times the units, never more
 * than the line_total (units beyond the line's are the store's to refuse). */
static int64_t value_of(const struct sb_export_sale_line *s, int64_t units)
{
    if (s->quantity <= 0 || s->line_total <= 0)
        return 0;
    if (units > s->quantity)
        units = s->quantity;
    return s->line_total / s->quantity * units;
}

sb_err sb_export_refund_lines(const struct sb_export_refund *f,
                              const struct sb_export_sale_line *sale, size_t n_sale,
                              struct sb_arena *a, struct sb_return_line **ret, size_t *ret_n)
{
    size_t n = f->n_lines ? f->n_lines : n_sale;
    struct sb_return_line *l = sb_arena_alloc(a, (n ? n : 1) * sizeof(*l));
    const struct sb_export_sale_line **src = sb_arena_alloc(a, (n ? n : 1) * sizeof(*src));
    if (!l || !src)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sb_export_sale_line *s = NULL;
        int64_t quantity;
        if (f->n_lines) {
            sb_err err = line_of(&f->lines[i], i, sale, n_sale, &s);
            if (err)
                return err;
            quantity = f->lines[i].quantity;
        } else { /* every line, what is left of it */
            s = &sale[i];
            quantity = s->quantity - s->returned_quantity;
            if (quantity <= 0)
                continue;
        }
        l[k] =
            (struct sb_return_line){ .sale_line_id = s->id, .quantity = quantity, .restock = true };
        src[k++] = s;
    }
    if (k == 0)
        return sb_fail(SB_EINSUFFICIENT, "lines", "every unit of this order is already returned");
    if (f->amount_set) {
        int64_t amount = f->amount;
        for (size_t i = 0; i < k; i++) {
            int64_t value = i + 1 == k ? amount : value_of(src[i], l[i].quantity);
            if (value > amount)
                value = amount;
            l[i].amount = value;
            l[i].amount_set = true;
            amount -= value;
        }
    }
    *ret = l;
    *ret_n = k;
    return SB_OK;
}
