/*
 * stockbridge sync --drain: applies every recorded webstore event that is
 * due and sends every due outbox call, then exits. For operations (catch up
 * after an outage without serving) and for crash tests (what was acknowledged
 * before a SIGKILL comes down now, exactly once).
 */
#include "cli/cli.h"
#include "sync/pipeline.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

int cmd_sync(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "drain", no_argument, NULL, 'r' },
                                          { "timeout", required_argument, NULL, 't' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL;
    bool drain = false;
    long timeout = 300;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd') {
            db = optarg;
        } else if (c == 'r') {
            drain = true;
        } else if (c == 't') {
            char *end;
            timeout = strtol(optarg, &end, 10);
            if (*end || timeout <= 0)
                return 2;
        } else if (c == 'h') {
            printf("usage: stockbridge sync --drain [--timeout SECONDS] [--db URL]\n\n"
                   "Applies every recorded webstore event that is due and sends every due\n"
                   "outbox call, then exits (0 when all were handled within the timeout,\n"
                   "default 300 s; 1 otherwise). Events and calls that failed and wait for a\n"
                   "later retry are left for the server.\n");
            return 0;
        } else {
            return 2;
        }
    }
    if (!drain || optind != argc) {
        fprintf(stderr, "usage: stockbridge sync --drain [--timeout SECONDS] [--db URL]\n");
        return 2;
    }
    setenv("STOCKBRIDGE_POLL_SCHEDULE", "off", 1); /* draining is not polling */
    /* A drain is the worker an ingest-only server (STOCKBRIDGE_PIPELINE_WORKER=off, often
     * set for the whole host) leaves its events to: it always applies them. */
    unsetenv("STOCKBRIDGE_PIPELINE_WORKER");
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    struct sb_pipeline *p;
    sb_err err = sb_pipeline_start(store, &p);
    if (err) {
        sb_store_close(store);
        return sb_cli_fail("starting the pipeline", err);
    }
    bool idle = sb_pipeline_wait_idle(p, (int)(timeout * 1000));
    sb_pipeline_stop(p);
    sb_store_close(store);
    if (!idle) {
        fprintf(stderr, "stockbridge sync: still busy after %ld s\n", timeout);
        return 1;
    }
    printf("drained\n");
    return 0;
}
