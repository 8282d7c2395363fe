/*
 * The SQLite backend: WAL journal, foreign keys on, a busy timeout, durable
 * commits (synchronous=FULL), and a per-connection cache of prepared
 * statements keyed by SQL text. Migrations live in sqlite-migrations.c.
 * Every connection also gets the SQL functions the portable SQL may call
 * (docs/architecture.md): sb_local_date().
 */
#include "store/db.h"
#include "store/sqlite-migrations.h"
#include "util/crashpoint.h"
#include "util/timeutil.h"
#include "util/zone.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 256 /* power of two */

struct sb_stmt {
    struct sqlite_db *db;
    sqlite3_stmt *st;
    const char *sql; /* owned by the cache slot */
    bool cached, in_use;
};

struct sqlite_db {
    struct sb_db base;
    sqlite3 *h;
    struct sb_stmt *cache[CACHE_SLOTS];
};

static sb_err map_rc(struct sqlite_db *d, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return SB_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return sb_fail(SB_EBUSY, NULL, NULL);
    case SQLITE_NOMEM:
        return sb_fail(SB_ENOMEM, NULL, NULL);
    case SQLITE_CONSTRAINT:
        switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return sb_fail(SB_EDUPLICATE, NULL, "already exists (%s)", sqlite3_errmsg(d->h));
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return sb_fail(SB_EUNKNOWN_REFERENCE, NULL, NULL);
        default:
            return sb_fail(SB_ECONFLICT, NULL, "%s", sqlite3_errmsg(d->h));
        }
    default:
        return sb_fail(SB_ESTORAGE, NULL, "%s", sqlite3_errmsg(d->h));
    }
}

static sb_err exec_raw(struct sqlite_db *d, const char *sql)
{
    return map_rc(d, sqlite3_exec(d->h, sql, NULL, NULL, NULL));
}

static void sq_close(struct sb_db *db)
{
    struct sqlite_db *d = (struct sqlite_db *)db;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (d->cache[i]) {
            sqlite3_finalize(d->cache[i]->st);
            free((char *)d->cache[i]->sql);
            free(d->cache[i]);
        }
    }
    sqlite3_close_v2(d->h);
    free(d);
}

/*
 * sb_local_date(utc, zone): the calendar day "YYYY-MM-DD" of the ISO 8601 time utc in
 * the tz database's zone (SPEC T1); a zone the database does not know counts as UTC
 * (outlets created before zones were checked); NULL for a NULL or unreadable time.
 * PostgreSQL would say to_char((utc::timestamptz) AT TIME ZONE zone, 'YYYY-MM-DD').
 */
static void fn_local_date(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *utc = (const char *)sqlite3_value_text(argv[0]);
    const char *zone = (const char *)sqlite3_value_text(argv[1]);
    int64_t t;
    char day[SB_DAY_LEN];
    if (!utc || !sb_time_parse(utc, &t) ||
        (!(zone && sb_zone_day(zone, t, day)) && !sb_zone_day("UTC", t, day))) {
        sqlite3_result_null(cx);
        return;
    }
    sqlite3_result_text(cx, day, -1, SQLITE_TRANSIENT);
}

/*
 * The database holds customers' names, addresses and orders: a new file is created here,
 * mode 0600, before SQLite opens it (SQLite would make it 0644 less the umask). SQLite
 * gives the -wal and -shm files the database file's mode, so they are 0600 too (SEC5). An
 * existing file keeps its mode (docs/operations.md).
 */
static sb_err create_private(const char *path)
{
    if (strcmp(path, ":memory:") == 0)
        return SB_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return SB_OK;
    }
    if (errno == EEXIST)
        return SB_OK;
    return sb_fail(SB_ESTORAGE, "db", "cannot create %s: %s", path, strerror(errno));
}

static sb_err sq_open(const char *path, struct sb_db **ret)
{
    if (!*path)
        return sb_fail(SB_EINVALID_FIELD, "db", "sqlite: needs a file path");
    sb_err cerr = create_private(path);
    if (cerr)
        return cerr;
    struct sqlite_db *d = calloc(1, sizeof(*d));
    if (!d)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    d->base.ops = &sb_db_sqlite;
    int rc = sqlite3_open_v2(
        path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sb_err err = sb_fail(SB_ESTORAGE, "db", "cannot open %s: %s", path,
                             d->h ? sqlite3_errmsg(d->h) : "out of memory");
        sqlite3_close_v2(d->h);
        free(d);
        return err;
    }
    sqlite3_extended_result_codes(d->h, 1);
    sqlite3_busy_timeout(d->h, 10000);
    rc = sqlite3_create_function_v2(d->h, "sb_local_date", 2,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                    fn_local_date, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sq_close(&d->base);
        return sb_fail(SB_ESTORAGE, "db", "cannot add SQL functions");
    }
    sb_err err = exec_raw(d, "PRAGMA journal_mode=WAL;"
                             "PRAGMA synchronous=FULL;"
                             "PRAGMA foreign_keys=ON;"
                             "PRAGMA temp_store=MEMORY;"
                             "PRAGMA cache_size=-16384;");
    if (err) {
        sq_close(&d->base);
        return err;
    }
    *ret = &d->base;
    return SB_OK;
}

/*
 * SQLite admits one writer at a time. Writers of this process queue on a
 * mutex instead of on SQLite's busy handler, which sleeps in growing steps
 * and would waste most of the disk's commit rate under load. The busy
 * timeout still covers writers in other processes (the CLI beside a server).
 */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static sb_err sq_begin(struct sb_db *db)
{
    pthread_mutex_lock(&write_lock);
    sb_err err = exec_raw((struct sqlite_db *)db, "BEGIN IMMEDIATE");
    if (err)
        pthread_mutex_unlock(&write_lock);
    return err;
}

static sb_err sq_commit(struct sb_db *db)
{
    sb_err err = exec_raw((struct sqlite_db *)db, "COMMIT");
    if (!err)
        pthread_mutex_unlock(&write_lock);
    return err; /* on failure sb_db_end rolls back, which unlocks */
}

static sb_err sq_rollback(struct sb_db *db)
{
    struct sqlite_db *d = (struct sqlite_db *)db;
    sb_err err = SB_OK;
    if (!sqlite3_get_autocommit(d->h)) /* else SQLite already rolled back (e.g. SQLITE_FULL) */
        err = exec_raw(d, "ROLLBACK");
    pthread_mutex_unlock(&write_lock);
    return err;
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static sb_err sq_prepare(struct sb_db *db, const char *sql, struct sb_stmt **ret)
{
    struct sqlite_db *d = (struct sqlite_db *)db;
    uint32_t h = hash(sql);
    for (int probe = 0; probe < 8; probe++) {
        struct sb_stmt *s = d->cache[(h + probe) & (CACHE_SLOTS - 1)];
        if (!s)
            break;
        if (strcmp(s->sql, sql) == 0) {
            if (s->in_use)
                break; /* nested use of one statement: prepare a private copy */
            s->in_use = true;
            *ret = s;
            return SB_OK;
        }
    }
    struct sb_stmt *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    int rc = sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        return sb_fail(SB_ESTORAGE, NULL, "prepare: %s", sqlite3_errmsg(d->h));
    }
    s->db = d;
    s->in_use = true;
    for (int probe = 0; probe < 8; probe++) {
        struct sb_stmt **slot = &d->cache[(h + probe) & (CACHE_SLOTS - 1)];
        if (!*slot) {
            s->sql = strdup(sql);
            if (s->sql) {
                s->cached = true;
                *slot = s;
            }
            break;
        }
    }
    *ret = s;
    return SB_OK;
}

static sb_err sq_bind_i64(struct sb_stmt *st, int idx, int64_t v)
{
    return map_rc(st->db, sqlite3_bind_int64(st->st, idx, v));
}

static sb_err sq_bind_text(struct sb_stmt *st, int idx, const char *v)
{
    return map_rc(st->db, sqlite3_bind_text(st->st, idx, v, -1, SQLITE_TRANSIENT));
}

static sb_err sq_bind_null(struct sb_stmt *st, int idx)
{
    return map_rc(st->db, sqlite3_bind_null(st->st, idx));
}

static sb_err sq_step(struct sb_stmt *st, bool *ret_row)
{
    int rc = sqlite3_step(st->st);
    *ret_row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return SB_OK;
    return map_rc(st->db, sqlite3_reset(st->st));
}

static int sq_param_count(struct sb_stmt *st)
{
    return sqlite3_bind_parameter_count(st->st);
}

static int sq_column_count(struct sb_stmt *st)
{
    return sqlite3_column_count(st->st);
}

static const char *sq_column_name(struct sb_stmt *st, int col)
{
    return sqlite3_column_name(st->st, col);
}

static enum sb_col_kind sq_column_kind(struct sb_stmt *st, int col)
{
    switch (sqlite3_column_type(st->st, col)) {
    case SQLITE_NULL:
        return SB_COL_NULL;
    case SQLITE_INTEGER: {
        const char *decl = sqlite3_column_decltype(st->st, col);
        return decl && strcmp(decl, "BOOLEAN") == 0 ? SB_COL_BOOL : SB_COL_INT;
    }
    default:
        return SB_COL_TEXT;
    }
}

static int64_t sq_column_i64(struct sb_stmt *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

static const char *sq_column_text(struct sb_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->st, col);
}

static void sq_finish(struct sb_stmt *st)
{
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
    if (st->cached) {
        st->in_use = false;
    } else {
        sqlite3_finalize(st->st);
        free(st);
    }
}

static const char *sq_errmsg(struct sb_db *db)
{
    return sqlite3_errmsg(((struct sqlite_db *)db)->h);
}

static sb_err sq_tables(struct sb_db *db, json_t **ret)
{
    struct sb_q q;
    json_t *names = json_array();
    if (!names)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_q_open(
        &q, db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", NULL);
    while (!err && sb_q_next(&q))
        if (json_array_append_new(names, json_string(sb_q_text(&q, 0))))
            q.err = sb_fail(SB_ENOMEM, NULL, NULL);
    if (!err)
        err = sb_q_close(&q);
    if (err) {
        json_decref(names);
        return err;
    }
    *ret = names;
    return SB_OK;
}

/* A migration's script, run as it is (several statements). */
static sb_err script(struct sb_db *db, const char *sql)
{
    return exec_raw((struct sqlite_db *)db, sql);
}

static sb_err sq_migrate(struct sb_db *db, int *ret_version)
{
    struct sqlite_db *d = (struct sqlite_db *)db;
    sb_err err = exec_raw(d, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    if (err)
        return err;
    size_t n;
    const char *const *migrations = sb_sqlite_migrations(&n);
    return sb_db_apply_migrations(db, migrations, n, script, ret_version);
}

const struct sb_db_ops sb_db_sqlite = {
    .name = "sqlite",
    .scheme = "sqlite:",
    .open = sq_open,
    .close = sq_close,
    .migrate = sq_migrate,
    .script = script,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .prepare = sq_prepare,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .column_count = sq_column_count,
    .param_count = sq_param_count,
    .column_name = sq_column_name,
    .column_kind = sq_column_kind,
    .column_i64 = sq_column_i64,
    .column_text = sq_column_text,
    .finish = sq_finish,
    .errmsg = sq_errmsg,
    .tables = sq_tables,
};
