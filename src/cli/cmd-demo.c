/*
 * stockbridge demo [--dir DIR] [--listen HOST:PORT] [--no-serve]: creates
 * DIR/stockbridge.db with the demo store on first use, makes a fresh admin
 * token (also written to DIR/admin-token), and serves the API.
 */
#include "cli/cli.h"
#include "cli/demo-data.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        { "dir", required_argument, NULL, 'd' },    { "db", required_argument, NULL, 'b' },
        { "listen", required_argument, NULL, 'l' }, { "no-serve", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 }
    };
    const char *dir = "demo", *listen = NULL, *dburl = NULL;
    int serve = 1, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'b':
            dburl = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'n':
            serve = 0;
            break;
        case 'h':
            printf("usage: stockbridge demo [--dir DIR] [--db URL] [--listen HOST:PORT] "
                   "[--no-serve]\n\n"
                   "Creates a demo store (two outlets, registers, employees, three users, 50\n"
                   "items with prices and stock, customers and a few sales) in\n"
                   "DIR/stockbridge.db (default DIR: demo) unless it exists, prints a fresh\n"
                   "admin token (also saved in DIR/admin-token) and serves the API until\n"
                   "interrupted. --no-serve stops after the token.\n");
            return 0;
        default:
            return 2;
        }
    }
    char url[1024];
    if (!dburl) {
        if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
            fprintf(stderr, "stockbridge demo: cannot create %s\n", dir);
            return 1;
        }
        snprintf(url, sizeof(url), "sqlite:%s/stockbridge.db", dir);
        dburl = url;
    }
    struct sb_store *store;
    if (sb_cli_open(dburl, &store))
        return 1;
    struct sb_db *db;
    char token[SB_TOKEN_LEN];
    int64_t outlets = 0;
    sb_err err = sb_store_acquire(store, &db);
    if (!err)
        err = sb_db_int(db, &outlets, "SELECT COUNT(*) FROM outlets", NULL);
    if (!err && outlets == 0) {
        err = sb_demo_seed(db);
        if (!err)
            printf("created the demo store in %s\n", dburl);
    }
    if (!err)
        err = sb_demo_admin_token(db, token);
    sb_store_release(store, db);
    if (err) {
        sb_store_close(store);
        return sb_cli_fail("demo", err);
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/admin-token", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%s\n", token);
        fclose(f);
    }
    int rc = 0;
    if (serve) {
        rc = sb_cli_serve_until_signal(store, listen, token);
    } else {
        printf("admin token: %s\n", token);
    }
    sb_store_close(store);
    return rc;
}
