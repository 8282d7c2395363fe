/*
 * Stock per item and outlet: on hand, reserved, on order, reorder point and
 * maximum level. On hand and reserved change only through the append-only
 * stock ledger: every movement is one ledger entry (quantity, reason,
 * reference) applied in the same transaction as the business action that
 * caused it, so on hand always equals the sum of its ledger entries.
 * Reservations and releases move "reserved"; every other reason moves
 * "on hand". Available stock is on hand less reserved.
 */
#ifndef SB_STOCK_H
#define SB_STOCK_H

#include "util/err.h"

#include <stdbool.h>
#include <stdint.h>

/* The largest quantity one request may move or set. */
#define SB_STOCK_QTY_MAX 1000000000

enum sb_stock_reason {
    SB_STOCK_SALE,
    SB_STOCK_VOID,
    SB_STOCK_RETURN,
    SB_STOCK_RECEIPT,
    SB_STOCK_COUNT,
    SB_STOCK_ADJUSTMENT,
    SB_STOCK_RESERVATION,
    SB_STOCK_RELEASE,
    SB_STOCK_TRANSFER_OUT, /* a transfer's two entries: out of one outlet, into another */
    SB_STOCK_TRANSFER_IN,
};

const char *sb_stock_reason_name(enum sb_stock_reason r);
/* false for an unknown name */
bool sb_stock_reason_parse(const char *s, enum sb_stock_reason *ret);

struct sb_stock_move {
    int64_t item_id, outlet_id;
    enum sb_stock_reason reason;
    int64_t quantity;      /* signed change to on hand (or to reserved, for reservations) */
    const char *reference; /* e.g. "sale:42", "receipt:PO-1001"; may be NULL */
    int64_t sale_id;       /* 0: none */
    int64_t user_id;       /* 0: none */
    const char *note;
};

/*
 * A manual correction: either a signed change ("delta", reason adjustment) or a
 * count of what is on the shelf ("count", reason count), whose ledger entry is the
 * difference from what the system held (zero too: it records that a count
 * happened).
 */
struct sb_stock_adjustment {
    int64_t item_id, outlet_id;
    bool is_count;
    int64_t delta; /* non-zero, when !is_count */
    int64_t count; /* >= 0, when is_count */
    const char *reference, *note;
    int64_t user_id;
};

/* The ledger quantity for an adjustment given what is on hand now. A decrease may
 * not take on hand below zero (SB_EINSUFFICIENT on "delta"): stock that is not
 * there is corrected with a count. */
sb_err sb_stock_adjustment_quantity(const struct sb_stock_adjustment *a, int64_t on_hand,
                                    int64_t *ret);

/* A transfer takes quantity (> 0) out of an outlet holding on_hand: as a decrease by
 * adjustment, it may not take on hand below zero (SB_EINSUFFICIENT on field). */
sb_err sb_stock_transfer_check(int64_t on_hand, int64_t quantity, const char *field);

/* Levels that are not on hand and so move without the ledger. */
struct sb_stock_levels {
    int64_t item_id, outlet_id;
    int64_t on_order, reorder_point, max_level;
    bool on_order_set, reorder_point_set, max_level_set;
};

/* A maximum level, when set (non-zero), is at least the reorder point. */
sb_err sb_stock_levels_check(int64_t reorder_point, int64_t max_level);

#endif
