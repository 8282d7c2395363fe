/*
 * A webstore's refund body (channel/export/refund.c, POST
 * /api/v1/connection/orders/{order_id}/refund, SPEC E8): the input is the
 * body's JSON. A body read must have a refund_id of 1-64 characters, a note
 * of at most 500, an amount >= 0, and 1-500 lines (or none), each naming a
 * line by sku or by line_index (not both) with 1..SB_QTY_MAX units. Its lines
 * are then made against a sale (three lines with a sku, two of them the
 * same, one worth the most money an amount may hold, and a shipping line
 * without one; some already returned, as the input's size picks): each
 * return line names a line of the sale, with its units (or, none named,
 * what is left of each line), restocked; an amount is spread over them to
 * the minor unit, no line given less than nothing. A refusal must be
 * missing_field, invalid_field or insufficient with a UTF-8 field and
 * message.
 */
#include "fuzz.h"

#include "channel/export/refund.h"
#include "core/money.h"

#include <string.h>

static void check_body(const struct sb_export_refund *f)
{
    size_t n = strlen(f->refund_id);
    FZ_CHECK(n >= 1 && n <= SB_EXPORT_REFUND_ID_MAX && fz_utf8(f->refund_id, n), "refund_id");
    FZ_CHECK(!f->note || strlen(f->note) <= SB_EXPORT_REFUND_NOTE_MAX * 4, "note");
    FZ_CHECK(!f->amount_set || (f->amount >= 0 && f->amount <= SB_MONEY_MAX), "amount %lld",
             (long long)f->amount);
    FZ_CHECK(f->n_lines <= SB_SALE_MAX_LINES, "%zu lines", f->n_lines);
    for (size_t i = 0; i < f->n_lines; i++) {
        const struct sb_export_refund_line *l = &f->lines[i];
        FZ_CHECK(l->by_index == !l->sku, "lines[%zu]: both or neither of sku and line_index", i);
        FZ_CHECK(!l->by_index || (l->line_index >= 0 && l->line_index <= SB_SALE_MAX_LINES),
                 "lines[%zu].line_index %lld", i, (long long)l->line_index);
        FZ_CHECK(l->quantity >= 1 && l->quantity <= SB_QTY_MAX, "lines[%zu].quantity %lld", i,
                 (long long)l->quantity);
    }
}

static void check_lines(const struct sb_export_refund *f, const struct sb_export_sale_line *sale,
                        size_t n_sale, const struct sb_return_line *l, size_t n)
{
    FZ_CHECK(n >= 1 && n <= (f->n_lines ? f->n_lines : n_sale), "%zu return lines", n);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sb_export_sale_line *s = NULL;
        for (size_t k = 0; k < n_sale; k++)
            if (sale[k].id == l[i].sale_line_id)
                s = &sale[k];
        FZ_CHECK(s, "return line %zu names sale line %lld", i, (long long)l[i].sale_line_id);
        FZ_CHECK(l[i].restock, "return line %zu is not restocked", i);
        if (f->n_lines) {
            FZ_CHECK(n == f->n_lines && l[i].quantity == f->lines[i].quantity,
                     "return line %zu: %lld units, the body said %lld", i, (long long)l[i].quantity,
                     (long long)f->lines[i].quantity);
            FZ_CHECK(!f->lines[i].by_index || s == &sale[f->lines[i].line_index],
                     "lines[%zu] names another line than its line_index", i);
            FZ_CHECK(f->lines[i].by_index || !strcmp(s->sku, f->lines[i].sku),
                     "lines[%zu] names a line of another sku", i);
        } else {
            FZ_CHECK(l[i].quantity == s->quantity - s->returned_quantity && l[i].quantity > 0,
                     "return line %zu: %lld units, %lld were left", i, (long long)l[i].quantity,
                     (long long)(s->quantity - s->returned_quantity));
        }
        FZ_CHECK(l[i].amount_set == f->amount_set, "return line %zu: amount set", i);
        if (f->amount_set) {
            FZ_CHECK(l[i].amount >= 0, "return line %zu: amount %lld", i, (long long)l[i].amount);
            sum += l[i].amount;
        }
    }
    FZ_CHECK(!f->amount_set || sum == f->amount, "the lines refund %lld, the amount is %lld",
             (long long)sum, (long long)f->amount);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the sale refunded: two T-shirt lines, a line worth SB_MONEY_MAX, a shipping line */
    struct sb_export_sale_line sale[] = {
        { .id = 11, .sku = "TEE", .quantity = 2, .returned_quantity = 0, .line_total = 3999 },
        { .id = 12,
          .sku = "BIKE",
          .quantity = 1,
          .returned_quantity = 0,
          .line_total = SB_MONEY_MAX },
        { .id = 13, .sku = "TEE", .quantity = 3, .returned_quantity = 0, .line_total = 0 },
        { .id = 14, .sku = NULL, .quantity = 1, .returned_quantity = 0, .line_total = 500 },
    };
    size_t n_sale = sizeof(sale) / sizeof(sale[0]);
    if (size % 2) /* some of it already returned */
        sale[0].returned_quantity = 2, sale[3].returned_quantity = 1;
    if (size % 3 == 0) /* every unit returned */
        for (size_t i = 0; i < n_sale; i++)
            sale[i].returned_quantity = sale[i].quantity;
    struct sb_arena *a = sb_arena_new();
    json_t *root = json_loadb((const char *)data, size, 0, NULL);
    if (!a || !json_is_object(root))
        goto done;
    struct sb_jctx c = { .obj = root, .prefix = NULL };
    struct sb_export_refund f;
    sb_err err = sb_export_refund_read(&c, a, &f);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EMISSING_FIELD || err == SB_EINVALID_FIELD, "read: %s",
                 sb_err_code(err));
        goto done;
    }
    check_body(&f);
    struct sb_return_line *l;
    size_t n;
    err = sb_export_refund_lines(&f, sale, n_sale, a, &l, &n);
    fz_check_error(err);
    if (err)
        FZ_CHECK(err == SB_EINVALID_FIELD || err == SB_EINSUFFICIENT, "lines: %s",
                 sb_err_code(err));
    else
        check_lines(&f, sale, n_sale, l, n);
done:
    sb_err_clear();
    json_decref(root);
    sb_arena_free(a);
    return 0;
}
