/*
 * The invariants stockbridge keeps, checked across a whole database by
 * `stockbridge check` and at the end of every end-to-end suite:
 *   - sale.total: a sale's total is its lines (quantity x unit price) less
 *     line and order discounts, plus taxes, plus adjustments; each part
 *     equals the sum of its rows;
 *   - sale.balance: balance due is the total less the payments;
 *   - stock.ledger: on hand (and reserved) at an outlet equals the sum of
 *     that outlet's ledger entries for the item.
 */
#ifndef SB_CHECK_H
#define SB_CHECK_H

#include <stdint.h>

enum sb_invariant {
    SB_INV_SALE_TOTAL,
    SB_INV_SALE_BALANCE,
    SB_INV_STOCK_LEDGER,
    SB_INV_REPORT_SUMMARY
};

const char *sb_invariant_name(enum sb_invariant inv);

/* Called once per violation found. */
typedef void (*sb_violation_fn)(void *ud, enum sb_invariant inv, const char *detail);

#endif
