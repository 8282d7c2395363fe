/*
 * The stockbridge command. Subcommands live in a table, as in git.c.
 *
 * How to add a command: write cmd-<verb>.c with `int cmd_<verb>(int argc,
 * char **argv)` (argv[0] is the verb; answer --help), declare it in cli.h,
 * add a row below, and list the file in meson.build.
 */
#include "cli/cli.h"
#include "util/log.h"
#include "util/secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    sb_cmd_fn fn;
    const char *help;
} commands[] = {
    { "serve", cmd_serve, "run the HTTP API server" },
    { "demo", cmd_demo, "create a demo store and serve it" },
    { "migrate", cmd_migrate, "create or upgrade the database schema" },
    { "user", cmd_user, "add a user (user add NAME --role ROLE --outlet ID...)" },
    { "token", cmd_token, "API tokens (token create --user NAME, token list, token revoke ID)" },
    { "items", cmd_items, "import items from CSV (items import FILE.csv)" },
    { "check", cmd_check, "verify the database's invariants" },
    { "sync", cmd_sync, "apply pending webstore events now (sync --drain)" },
    { "reconcile", cmd_reconcile, "compare a channel's stock with the POS and correct it" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: stockbridge COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nEvery command takes --help. The database is --db URL, else $STOCKBRIDGE_DB,\n"
               "else sqlite:stockbridge.db. The server listens on $STOCKBRIDGE_LISTEN\n"
               "(default 127.0.0.1:8080). Logs go to stderr as key=value lines;\n"
               "$STOCKBRIDGE_LOG_LEVEL is debug, info, warn or error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* every file stockbridge makes holds customer data or a secret: owner only (SEC5; the
     * database, the key file and the demo's files also ask for 0600 themselves) */
    umask(077);
    sb_log_level_from_env();
    if (sb_secret_init())
        return sb_cli_fail("starting", SB_EINTERNAL);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "stockbridge: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
