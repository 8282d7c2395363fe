/*
 * stockbridge token create --user NAME [--name LABEL] [--expires-in 30d]
 * stockbridge token list [--user NAME]
 * stockbridge token revoke ID
 * API tokens (SEC3): a new one is printed once (only its hash is kept); the
 * list shows each with its state, never its secret; a revoked token fails at
 * once. Admins have the same in the API (/api/v1/tokens).
 */
#include "cli/cli.h"
#include "store/users.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The API's bound, so the two agree: an expiry at most ten years ahead. */
#define MAX_LIFETIME ((int64_t)10 * 366 * 24 * 3600)

static int usage(FILE *f)
{
    fprintf(f, "usage: stockbridge token create --user USERNAME [--name LABEL]\n"
               "                               [--expires-in DURATION] [--db URL]\n"
               "       stockbridge token list [--user USERNAME] [--db URL]\n"
               "       stockbridge token revoke ID [--db URL]\n\n"
               "create prints a new bearer token for the user. It is shown once: stockbridge\n"
               "keeps only its hash. DURATION is a number and a unit, s, m, h or d (90d, 12h);\n"
               "without it the token does not expire.\n"
               "list shows every token (or the user's) with its id, user, label, when it was\n"
               "made, when it expires and its state: active, expired or revoked.\n"
               "revoke ID stops the token at once, for good.\n");
    return f == stdout ? 0 : 2;
}

/* "90d", "12h", "30m", "3600s" as seconds; false for anything else or beyond the bound. */
static bool parse_duration(const char *s, int64_t *ret)
{
    errno = 0;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (errno || end == s || n <= 0 || s[0] == '-' || s[0] == '+' || !end[0] || end[1])
        return false;
    int64_t unit = 0;
    switch (*end) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    default:
        return false;
    }
    if (n > MAX_LIFETIME / unit)
        return false;
    *ret = (int64_t)n * unit;
    return true;
}

/* Options shared by the actions: --db, --user, --name, --expires-in. */
struct opts {
    const char *db, *user, *label, *expires_in;
    int rest; /* index of the first operand in argv */
};

/* -1 to go on, else the exit status (0 after --help). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        { "db", required_argument, NULL, 'd' },   { "user", required_argument, NULL, 'u' },
        { "name", required_argument, NULL, 'n' }, { "expires-in", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 }
    };
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'd')
            o->db = optarg;
        else if (c == 'u')
            o->user = optarg;
        else if (c == 'n')
            o->label = optarg;
        else if (c == 'e')
            o->expires_in = optarg;
        else if (c == 'h')
            return usage(stdout);
        else
            return usage(stderr);
    }
    o->rest = optind;
    return -1;
}

static sb_err find_user(struct sb_db *conn, const char *name, int64_t *ret)
{
    sb_err err = sb_store_user_find(conn, name, ret);
    return err == SB_ENOT_FOUND ? sb_fail(err, "user", "no user named %s", name) : err;
}

static sb_err create(struct sb_db *conn, const struct opts *o, int64_t expires)
{
    int64_t uid;
    char token[SB_TOKEN_LEN];
    sb_err err = find_user(conn, o->user, &uid);
    if (!err)
        err = sb_store_token_issue(conn, uid, o->label, expires, token, NULL);
    if (!err)
        printf("%s\n", token);
    return err;
}

static const char *text_or(json_t *row, const char *key, const char *none)
{
    const char *v = json_string_value(json_object_get(row, key));
    return v ? v : none;
}

static sb_err list(struct sb_db *conn, const struct opts *o)
{
    int64_t uid = 0, after = 0;
    sb_err err = o->user ? find_user(conn, o->user, &uid) : SB_OK;
    printf("%-6s %-16s %-16s %-20s %-20s %s\n", "ID", "USER", "NAME", "CREATED", "EXPIRES",
           "STATE");
    while (!err) {
        json_t *rows;
        err = sb_store_token_list(conn, uid, after, 500, &rows);
        if (err)
            break;
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            after = json_integer_value(json_object_get(row, "id"));
            printf("%-6lld %-16s %-16s %-20s %-20s %s\n", (long long)after,
                   text_or(row, "username", ""), text_or(row, "name", "-"),
                   text_or(row, "created_at", ""), text_or(row, "expires_at", "never"),
                   text_or(row, "state", ""));
        }
        size_t n = json_array_size(rows);
        json_decref(rows);
        if (n < 500)
            break;
    }
    return err;
}

static sb_err revoke(struct sb_db *conn, const char *id_text)
{
    errno = 0;
    char *end;
    long long id = strtoll(id_text, &end, 10);
    if (errno || end == id_text || *end || id <= 0)
        return sb_fail(SB_EINVALID_FIELD, "id", "not a token id: %s", id_text);
    sb_err err = sb_store_token_revoke(conn, id);
    if (!err)
        printf("token %lld revoked\n", id);
    return err;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(argc < 2 ? stderr : stdout);
    const char *action = argv[1];
    if (strcmp(action, "create") != 0 && strcmp(action, "list") != 0 &&
        strcmp(action, "revoke") != 0) {
        fprintf(stderr, "stockbridge token: unknown action '%s'\n", action);
        return usage(stderr);
    }
    struct opts o = { 0 };
    int rc = parse_opts(argc - 1, argv + 1, &o);
    if (rc >= 0)
        return rc;
    int operands = argc - 1 - o.rest;
    char **operand = argv + 1 + o.rest;
    bool is_create = strcmp(action, "create") == 0, is_revoke = strcmp(action, "revoke") == 0;
    if ((is_create && (!o.user || operands != 0)) || (is_revoke && operands != 1) ||
        (!is_create && !is_revoke && operands != 0) || (!is_create && (o.label || o.expires_in)) ||
        (is_revoke && o.user))
        return usage(stderr);
    int64_t lifetime = 0;
    if (o.expires_in) {
        if (!parse_duration(o.expires_in, &lifetime)) {
            fprintf(stderr,
                    "stockbridge token create: bad --expires-in %s (a number and s, m, h or d,"
                    " at most ten years)\n",
                    o.expires_in);
            return 2;
        }
    }
    struct sb_store *store;
    if (sb_cli_open(sb_cli_db_url(o.db), &store))
        return 1;
    struct sb_db *conn;
    sb_err err = sb_store_acquire(store, &conn);
    if (!err) {
        /* counted from now, not from before the store opened (connecting and checking the
         * migrations of a PostgreSQL database takes a moment): SEC3's "expires 30 days after
         * it was made" is read against the token's created_at */
        int64_t expires = o.expires_in ? sb_time_now() + lifetime : 0;
        if (is_create)
            err = create(conn, &o, expires);
        else if (is_revoke)
            err = revoke(conn, operand[0]);
        else
            err = list(conn, &o);
        sb_store_release(store, conn);
    }
    sb_store_close(store);
    if (err) {
        char what[32];
        snprintf(what, sizeof(what), "token %s", action);
        return sb_cli_fail(what, err);
    }
    return 0;
}
