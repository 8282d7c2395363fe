/*
 * stockbridge user add NAME --role ROLE [--outlet ID]... [--email E] [--name N]
 */
#include "cli/cli.h"
#include "store/users.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *f)
{
    fprintf(f,
            "usage: stockbridge user add USERNAME --role admin|manager|staff\n"
            "                  [--outlet ID]... [--name NAME] [--email EMAIL] [--db URL]\n\n"
            "Adds a user. Managers and staff see only the outlets given with --outlet;\n"
            "admins see every outlet. Create a token for them with `stockbridge token create`.\n");
    return f == stdout ? 0 : 2;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(argc < 2 ? stderr : stdout);
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
