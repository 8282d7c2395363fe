/*
 * Small helpers about the normalized order (order.h) that every kind shares.
 */
#include "channel/order.h"

const char *sb_order_financial_name(enum sb_order_financial f)
{
    static const char *const names[] = { "pending", "authorized",         "partially_paid",
                                         "paid",    "partially_refunded", "refunded",
                                         "voided" };
    return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "pending";
}
