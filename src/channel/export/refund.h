/*
 * A webstore's refund of an exported order (SPEC E8, POST
 * /api/v1/connection/orders/{order_id}/refund): its body read and typed
 * (sb_export_refund_read), then turned into the return's lines against the
 * sale's lines (sb_export_refund_lines): each line named by sku or
 * line_index, or none named: every line, what is left of it; an amount for
 * the whole refund spread over them. No store and no HTTP here, so the body's
 * parser is fuzzed alone (fuzz/fuzz-export-refund.c). Whether the units and
 * the money are left to return is the store's to judge
 * (sb_store_sale_return).
 */
#ifndef SB_CHANNEL_EXPORT_REFUND_H
#define SB_CHANNEL_EXPORT_REFUND_H

#include "core/sale.h"
#include "util/arena.h"
#include "util/jsonx.h"

#define SB_EXPORT_REFUND_ID_MAX   64
#define SB_EXPORT_REFUND_NOTE_MAX 500
#define SB_EXPORT_REFUND_SKU_MAX  64

/* One line of the body: by sku or by line_index (by_index), never both. */
struct sb_export_refund_line {
    const char *sku;
    int64_t line_index;
    bool by_index;
    int64_t quantity; /* 1..SB_QTY_MAX */
};

struct sb_export_refund {
    const char *refund_id; /* 1..SB_EXPORT_REFUND_ID_MAX characters */
    const char *note;      /* NULL: none */
    int64_t amount;        /* 0..SB_MONEY_MAX, when amount_set */
    bool amount_set;
    const struct sb_export_refund_line *lines; /* n_lines 0: every line, what is left */
    size_t n_lines;                            /* 0 or 1..SB_SALE_MAX_LINES */
};

/* A line of the sale refunded, as the store shows it. */
struct sb_export_sale_line {
    int64_t id;
    const char *sku; /* NULL: none */
    int64_t quantity, returned_quantity;
    int64_t line_total;
};

/* Reads the body (the object at c) into arena a. SB_EMISSING_FIELD / SB_EINVALID_FIELD
 * with the field's path ("lines[2].quantity"). */
sb_err sb_export_refund_read(struct sb_jctx *c, struct sb_arena *a, struct sb_export_refund *ret);

/*
 * The return's lines (restocked) for refund f on a sale with these lines, in arena a:
 * f's lines resolved (a sku: the first sale line with it that has units left, else the
 * first with it; SB_EINVALID_FIELD "lines[i].sku" or ".line_index" for one that names no
 * line), or every line's units not yet returned (SB_EINSUFFICIENT "lines" when none are
 * left). With an amount, each line gets its value (its line_total per unit, times the
 * units returned) in turn until the amount runs out, the last line what remains.
 */
sb_err sb_export_refund_lines(const struct sb_export_refund *f,
                              const struct sb_export_sale_line *sale, size_t n_sale,
                              struct sb_arena *a, struct sb_return_line **ret, size_t *ret_n);

#endif
