/*
 * stockbridge serve: run the API server on the configured database.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "listen", required_argument, NULL, 'l' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL, *listen = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'h':
            printf("usage: stockbridge serve [--db URL] [--listen HOST:PORT]\n\n"
                   "Serves the HTTP API. Defaults: --db from $STOCKBRIDGE_DB, --listen from\n"
                   "$STOCKBRIDGE_LISTEN or 127.0.0.1:8080. Request bodies are limited to\n"
                   "$STOCKBRIDGE_BODY_LIMIT bytes (default 1 MiB).\n\n"
                   "STOCKBRIDGE_PIPELINE_WORKER=off makes an ingest-only server: webhooks are\n"
                   "verified, recorded and acknowledged, and applied later by\n"
                   "`stockbridge sync --drain` or a server with the worker on.\n"
                   "STOCKBRIDGE_POLL_SCHEDULE=off stops scheduled polls (POST\n"
                   "/api/v1/channels/{id}/poll still polls).\n"
                   "STOCKBRIDGE_CONNECTION_RATE=PER_MINUTE/BURST (default 120/60) or off sets\n"
                   "each export-model connection's rate limit on /api/v1/connection.\n");
            return 0;
        default:
            return 2;
        }
    }
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    int rc = sb_cli_serve_until_signal(store, listen ? listen : NULL, NULL);
    sb_store_close(store);
    return rc;
}
