/*
 * Invariant names, as reported by `stockbridge check`.
 */
#include "core/check.h"

const char *sb_invariant_name(enum sb_invariant inv)
{
    switch (inv) {
    case SB_INV_SALE_TOTAL:
        return "sale.total";
    case SB_INV_SALE_BALANCE:
        return "sale.balance";
    case SB_INV_STOCK_LEDGER:
        return "stock.ledger";
    case SB_INV_REPORT_SUMMARY:
        return "report.summary";
    }
    return "unknown";
}
