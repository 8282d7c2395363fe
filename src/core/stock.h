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

enum sb_stock_reason {
    SB_STOCK_SALE,
    SB_STOCK_VOID,
    SB_STOCK_RETURN,
    SB_STOCK_RECEIPT,
    SB_STOCK_COUNT,
    SB_STOCK_ADJUSTMENT,
    SB_STOCK_RESERVATION,
    SB_STOCK_RELEASE,
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

#endif
