/*
 * stockbridge token create --user NAME [--name LABEL]: prints a new API
 * token once; only its hash is kept.
 */
#include "cli/cli.h"
#include "store/users.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int usage(FILE *f)
{
    fprintf(f, "usage: stockbridge token create --user USERNAME [--name LABEL] [--db URL]\n\n"
               "Prints a new bearer token for the user. It is shown once: stockbridge keeps\n"
               "only its hash.\n");
    return f == stdout ? 0 : 2;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(argc < 2 ? stderr : stdout);
    if (strcmp(argv[1], "create") != 0) {
        fprintf(stderr, "stockbridge token: unknown action '%s'\n", argv[1]);
        return usage(stderr);
    }
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "user", required_argument, NULL, 'u' },
                                          { "name", required_argument, NULL, 'n' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL, *user = NULL, *label = NULL;
    int c;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'u')
            user = optarg;
        else if (c == 'n')
            label = optarg;
        else if (c == 'h')
            return usage(stdout);
        else
            return usage(stderr);
    }
    if (!user || optind != argc)
        return usage(stderr);
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    struct sb_db *conn;
    int64_t uid;
    char token[SB_TOKEN_LEN];
    sb_err err = sb_store_acquire(store, &conn);
    if (!err) {
        err = sb_store_user_find(conn, user, &uid);
        if (err == SB_ENOT_FOUND)
            err = sb_fail(err, "user", "no user named %s", user);
        if (!err)
            err = sb_store_token_create(conn, uid, label, token);
        sb_store_release(store, conn);
    }
    sb_store_close(store);
    if (err)
        return sb_cli_fail("token create", err);
    printf("%s\n", token);
    return 0;
}
