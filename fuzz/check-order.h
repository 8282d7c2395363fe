/*
 * What any order a channel adapter hands the pipeline must satisfy, whatever
 * the webstore sent (channel/order.h, SPEC O1 and O4): ids that are ids,
 * a currency code, at least one line, quantities and amounts inside the money
 * range so that the sale's arithmetic cannot overflow, bounded text in UTF-8.
 * Shared by the harnesses of every order parser.
 */
#ifndef SB_FUZZ_CHECK_ORDER_H
#define SB_FUZZ_CHECK_ORDER_H

#include "channel/order.h"

void fz_check_order(const struct sb_order *o);

#endif
