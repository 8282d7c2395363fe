/*
 * The million-sale store the sales benchmarks share (bench-search, bench-reports): four
 * USD outlets, 200 items, 100,000 customers, n sales a sale every 30 seconds from
 * 2025-01-01 (every 3rd a web order, 7 in 10 with a customer, 95% completed, 3% open, 2%
 * voided) with two lines each; with `money`, also a payment per sale (cash, card or gift
 * card) and a return of the first line of every 50th sale, refunded in cash.
 */
#ifndef SB_BENCH_SALES_DATA_H
#define SB_BENCH_SALES_DATA_H

#include "bench.h"
#include "store/db.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    BENCH_CUSTOMERS = 100000,
    BENCH_ITEMS = 200,
    BENCH_OUTLETS = 4,
    BENCH_RETURN_EVERY = 50,
};
#define BENCH_FIRST_SALE_AT 1735689600 /* 2025-01-01T00:00:00Z */
#define BENCH_SALE_EVERY    30         /* seconds */

extern const char *const bench_first_names[20];
extern const char *const bench_last_names[20];

void bench_sales_seed(const struct bench *b, struct sb_db *db, int64_t n_sales, bool money);

#endif
