/*
 * stockbridge migrate: create or upgrade the schema and say which version it is at.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>

int cmd_migrate(int argc, char **argv)
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
            printf("usage: stockbridge migrate [--db URL]\n\n"
                   "Applies pending schema migrations (the server also does at start-up).\n");
            return 0;
        } else {
            return 2;
        }
    }
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    printf("schema version %d\n", sb_store_schema_version(store));
    sb_store_close(store);
    return 0;
}
