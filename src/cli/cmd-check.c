/*
 * stockbridge check: verifies the invariants (core/check.h) across the
 * whole database, prints each violation, and exits 1 when there is one.
 */
#include "cli/cli.h"
#include "store/check.h"

#include <getopt.h>
#include <stdio.h>

static void report(void *ud, enum sb_invariant inv, const char *detail)
{
    (void)ud;
    printf("violation %s: %s\n", sb_invariant_name(inv), detail);
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') {
            db = optarg;
        } else if (c == 'h') {
            printf("usage: stockbridge check [--db URL]\n\n"
                   "Verifies, across the whole database, that every sale's total is its lines\n"
                   "less discounts plus taxes plus adjustments, that balance due is the total\n"
                   "less payments, and that on hand and reserved stock equal the sums of their\n"
                   "ledger entries. Prints each violation; exits 1 when there is one.\n");
            return 0;
        } else {
            return 2;
        }
    }
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    struct sb_db *conn;
    int64_t n = 0;
    sb_err err = sb_store_acquire(store, &conn);
    if (!err) {
        err = sb_store_check(conn, report, NULL, &n);
        sb_store_release(store, conn);
    }
    sb_store_close(store);
    if (err)
        return sb_cli_fail("check", err);
    printf("%lld violation%s\n", (long long)n, n == 1 ? "" : "s");
    return n ? 1 : 0;
}
