/*
 * Shared pieces of the command-line tool: the command signature, database
 * selection (--db URL, else $STOCKBRIDGE_DB, else sqlite:stockbridge.db),
 * and reporting an error once, with its detail.
 */
#ifndef SB_CLI_H
#define SB_CLI_H

#include "store/store.h"
#include "util/err.h"

typedef int (*sb_cmd_fn)(int argc, char **argv);

int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_items(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);

/* The database URL from the flag value (may be NULL) or the environment. */
const char *sb_cli_db_url(const char *flag);
/* Opens (and migrates) the store; prints the error and returns non-zero on failure. */
int sb_cli_open(const char *url, struct sb_store **ret);
/* Prints "stockbridge: <what>: <message>" for err to stderr; returns 1. */
int sb_cli_fail(const char *what, sb_err err);
/* Runs the server until SIGINT or SIGTERM. */
int sb_cli_serve_until_signal(struct sb_store *store, const char *listen, const char *banner_token);

#endif
