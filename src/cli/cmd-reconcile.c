/*
 * stockbridge reconcile CHANNEL_ID: reads the channel's stock, compares it
 * with the POS, and queues every difference for correction (SPEC I5); prints
 * the report. A progress bar on a terminal while the channel is read and the
 * items compared. The corrections are sent by the server's dispatcher (or by
 * `stockbridge sync --drain`).
 */
#include "cli/cli.h"
#include "store/items.h"
#include "sync/reconcile.h"
#include "util/progress.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Two bars: the channel read (its size is not known before it is read: the POS catalogue
 * stands in), then the comparison. */
struct bars {
    struct sb_progress bar;
    uint64_t items;
    bool comparing;
};

static void on_read(void *ud, int64_t n)
{
    struct bars *b = ud;
    sb_progress_update(&b->bar, (uint64_t)n < b->bar.total ? (uint64_t)n : b->bar.total);
}

static void on_compared(void *ud, int64_t n)
{
    struct bars *b = ud;
    if (!b->comparing) {
        sb_progress_finish(&b->bar);
        sb_progress_start(&b->bar, "comparing with the POS", b->items);
        b->comparing = true;
    }
    sb_progress_update(&b->bar, (uint64_t)n < b->bar.total ? (uint64_t)n : b->bar.total);
}

int cmd_reconcile(int argc, char **argv)
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
            printf("usage: stockbridge reconcile CHANNEL_ID [--db URL]\n\n"
                   "Reads the channel's stock whole, compares it with what the POS says the\n"
                   "channel should show, and queues every difference for correction; prints\n"
                   "the report as JSON. A failed read changes nothing (exit status 1).\n");
            return 0;
        } else {
            return 2;
        }
    }
    char *end = NULL;
    long long id = optind + 1 == argc ? strtoll(argv[optind], &end, 10) : 0;
    if (id <= 0 || !end || *end) {
        fprintf(stderr, "usage: stockbridge reconcile CHANNEL_ID [--db URL]\n");
        return 2;
    }
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    int64_t items = 0;
    struct sb_db *conn;
    if (!sb_store_acquire(store, &conn)) {
        (void)sb_store_item_count(conn, &items);
        sb_store_release(store, conn);
    }
    struct bars bars = { .items = (uint64_t)items };
    sb_progress_start(&bars.bar, "reading the channel", (uint64_t)items);
    struct sb_reconcile_progress pr = { .read = on_read, .compared = on_compared, .ud = &bars };
    json_t *report = NULL;
    sb_err err = sb_sync_reconcile(store, NULL, id, &pr, &report);
    sb_progress_finish(&bars.bar);
    sb_store_close(store);
    if (err)
        return sb_cli_fail("reconciling", err);
    char *text = json_dumps(report, JSON_INDENT(2));
    printf("%s\n", text ? text : "{}");
    free(text);
    json_decref(report);
    return 0;
}
