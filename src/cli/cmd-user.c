/*
 * stockbridge user add NAME --role ROLE [--outlet ID]... [--email E] [--name N]
 * stockbridge user passwd NAME   (the password for the web app, read from stdin)
 */
#include "cli/cli.h"
#include "store/sessions.h"
#include "store/users.h"

#include <sodium.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f)
{
    fprintf(f, "usage: stockbridge user add USERNAME --role admin|manager|staff\n"
               "                  [--outlet ID]... [--name NAME] [--email EMAIL] [--db URL]\n\n"
               "       stockbridge user passwd USERNAME [--db URL]   (password on stdin)\n\n"
               "Adds a user. Managers and staff see only the outlets given with --outlet;\n"
               "admins see every outlet. Create a token for them with `stockbridge token create`.\n"
               "passwd sets the password they sign in to the web app with (8 to 256 characters,\n"
               "the first line of standard input; kept only as an argon2id hash) and ends the\n"
               "user's sessions: they sign in again with the new password.\n");
    return f == stdout ? 0 : 2;
}

static int passwd(int argc, char **argv)
{
    const char *db = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (!name && argv[i][0] != '-')
            name = argv[i];
        else
            return usage(stderr);
    }
    if (!name)
        return usage(stderr);
    char line[SB_PASSWORD_MAX + 2];
    if (!fgets(line, sizeof(line), stdin)) {
        fprintf(stderr, "stockbridge user passwd: no password on standard input\n");
        return 2;
    }
    line[strcspn(line, "\r\n")] = '\0';
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    struct sb_db *conn;
    int64_t uid = 0;
    sb_err err = sb_store_acquire(store, &conn);
    if (!err) {
        err = sb_store_user_find(conn, name, &uid);
        if (!err)
            err = sb_store_user_set_password(conn, uid, line);
        sb_store_release(store, conn);
    }
    sodium_memzero(line, sizeof(line));
    sb_store_close(store);
    if (err)
        return sb_cli_fail("setting the password", err);
    printf("password set for %s; their sessions were ended\n", name);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(argc < 2 ? stderr : stdout);
    if (strcmp(argv[1], "passwd") == 0)
        return passwd(argc - 1, argv + 1);
    if (strcmp(argv[1], "add") != 0) {
        fprintf(stderr, "stockbridge user: unknown action '%s'\n", argv[1]);
        return usage(stderr);
    }
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "role", required_argument, NULL, 'r' },
                                          { "outlet", required_argument, NULL, 'o' },
                                          { "name", required_argument, NULL, 'n' },
                                          { "email", required_argument, NULL, 'e' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    struct sb_user u = { 0 };
    u.outlets_set = true;
    const char *db = NULL;
    int c;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'r':
            u.role = (struct sb_opt_str){ optarg, true };
            break;
        case 'n':
            u.name = (struct sb_opt_str){ optarg, true };
            break;
        case 'e':
            u.email = (struct sb_opt_str){ optarg, true };
            break;
        case 'o': {
            char *end;
            long long id = strtoll(optarg, &end, 10);
            if (*end || id <= 0 || u.n_outlets == SB_USER_MAX_OUTLETS) {
                fprintf(stderr, "stockbridge user add: bad --outlet %s\n", optarg);
                return 2;
            }
            u.outlet_ids[u.n_outlets++] = id;
            break;
        }
        case 'h':
            return usage(stdout);
        default:
            return usage(stderr);
        }
    }
    if (optind != argc - 1)
        return usage(stderr);
    u.username = (struct sb_opt_str){ argv[optind], true };
    sb_err err = sb_user_validate(&u, true);
    if (err)
        return sb_cli_fail("user add", err);
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(db), &store))
        return 1;
    struct sb_db *conn;
    int64_t id = 0;
    err = sb_store_acquire(store, &conn);
    if (!err) {
        err = sb_store_user_create(conn, &u, &id);
        sb_store_release(store, conn);
    }
    sb_store_close(store);
    if (err)
        return sb_cli_fail("user add", err);
    printf("user %s created with id %lld\n", u.username.v, (long long)id);
    return 0;
}
