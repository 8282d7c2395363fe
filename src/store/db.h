/*
 * The storage interface. A backend (sqlite.c now, pg.c next) fills a const
 * struct sb_db_ops, the way SQLite's VFS or curl's TLS backends plug in;
 * its connection struct embeds struct sb_db as its first member. Nothing
 * above this file knows which backend it talks to.
 *
 * SQL written outside a backend is portable: "?" placeholders (a backend
 * that numbers them rewrites), INSERT ... RETURNING, ON CONFLICT upserts,
 * booleans as 0/1 in BOOLEAN columns, times as ISO 8601 UTC text. Schema and
 * migrations belong to the backend.
 *
 * On top of the driver sit a few helpers that every repository uses:
 * sb_q_* to run a query and read rows, sb_db_exec for statements without
 * rows, sb_db_json_* to turn rows into JSON records, and sb_db_begin /
 * sb_db_end around one business action.
 *
 * Bind formats: 'i' int64_t, 'n' int64_t where 0 binds NULL (ids are never
 * 0), 'b' int as a boolean, 's' const char * (NULL binds NULL).
 */
#ifndef SB_DB_H
#define SB_DB_H

#include "util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sb_db;
struct sb_stmt;

enum sb_col_kind {
    SB_COL_NULL,
    SB_COL_INT,
    SB_COL_TEXT,
    SB_COL_BOOL
};

struct sb_db_ops {
    const char *name;
    const char *scheme; /* "sqlite:" — the prefix of the URL this backend opens */
    sb_err (*open)(const char *target, struct sb_db **ret);
    void (*close)(struct sb_db *db);
    /* Applies pending numbered migrations; returns the schema version. */
    sb_err (*migrate)(struct sb_db *db, int *ret_version);
    /* Runs a script of several statements, without parameters, as it is (a migration's). */
    sb_err (*script)(struct sb_db *db, const char *sql);
    sb_err (*begin)(struct sb_db *db); /* a write transaction */
    sb_err (*commit)(struct sb_db *db);
    sb_err (*rollback)(struct sb_db *db);
    /* Prepared statements are cached per connection by SQL text. */
    sb_err (*prepare)(struct sb_db *db, const char *sql, struct sb_stmt **ret);
    sb_err (*bind_i64)(struct sb_stmt *st, int idx, int64_t v);
    sb_err (*bind_text)(struct sb_stmt *st, int idx, const char *v);
    sb_err (*bind_null)(struct sb_stmt *st, int idx);
    /* *ret_row is true when a row is ready. Maps constraint failures to
     * SB_EDUPLICATE (unique), SB_EUNKNOWN_REFERENCE (foreign key) and
     * SB_ECONFLICT (check or trigger). */
    sb_err (*step)(struct sb_stmt *st, bool *ret_row);
    int (*column_count)(struct sb_stmt *st);
    /* How many values the statement takes ("?" marks); NULL: not offered. */
    int (*param_count)(struct sb_stmt *st);
    const char *(*column_name)(struct sb_stmt *st, int col);
    enum sb_col_kind (*column_kind)(struct sb_stmt *st, int col);
    int64_t (*column_i64)(struct sb_stmt *st, int col);
    const char *(*column_text)(struct sb_stmt *st, int col);
    /* Resets the statement and gives it back to the cache. */
    void (*finish)(struct sb_stmt *st);
    /* The backend's own message for the last failure, for logs. */
    const char *(*errmsg)(struct sb_db *db);
    /* The names of the database's tables, sorted, as a JSON array of strings: for tools
     * that read a database whole (the test harness's fingerprint). NULL: not offered. */
    sb_err (*tables)(struct sb_db *db, json_t **ret);
};

/* What a connection has asked of its backend, counted by the helpers below (whichever
 * backend): statements run (each query, exec and savepoint, and each BEGIN, COMMIT and
 * ROLLBACK of sb_db_begin/sb_db_end, is one) and, while sb_db_stats_timing is on, the
 * wall time spent inside the backend's calls for the statements (prepare, bind, step,
 * reset) - not BEGIN and COMMIT, which wait for the write lock and the disk. For
 * benchmarks and for tests that pin the statements an action costs. */
struct sb_db_stats {
    uint64_t statements;
    uint64_t backend_ns;
};

struct sb_db {
    const struct sb_db_ops *ops;
    int tx_depth;
    bool may_fail; /* sb_db_may_fail: the next statement's failure is one the caller goes on from */
    struct sb_db_stats stats; /* kept by db.c; read with sb_db_stats() */
};

extern const struct sb_db_ops sb_db_sqlite;
extern const struct sb_db_ops sb_db_pg; /* postgres://... or postgresql://... */

/*
 * Adds a backend, looked up by its scheme before the built-in ones: the hook
 * through which tests install a fault-injecting shim over a real backend (as
 * sqlite3_vfs_register does for SQLite's crash tests; see tests/fault-db.c).
 * Nothing in the program itself calls it. Call it before any connection is
 * opened; registering the same ops again changes nothing; SB_EINTERNAL when
 * the few slots are taken.
 */
sb_err sb_db_register(const struct sb_db_ops *ops);

/* Opens a connection for a URL such as "sqlite:/var/lib/stockbridge.db". */
sb_err sb_db_open(const char *url, struct sb_db **ret);
void sb_db_close(struct sb_db *db); /* accepts NULL */

/* A query in progress. */
struct sb_q {
    struct sb_db *db;
    struct sb_stmt *st;
    sb_err err;
};

sb_err sb_q_open(struct sb_q *q, struct sb_db *db, const char *sql, const char *fmt, ...);
/* The number of columns the query's rows have. */
int sb_q_columns(struct sb_q *q);
/* One bound value, for statements whose arguments are counted at run time (multi-row
 * inserts, assembled queries): kind is one of the bind formats above, 'i', 'n' and 'b'
 * taking i, 's' taking s. */
struct sb_db_arg {
    char kind;
    int64_t i;
    const char *s;
};
/* sb_q_open with the arguments as an array of n. */
sb_err sb_q_open_args(struct sb_q *q, struct sb_db *db, const char *sql,
                      const struct sb_db_arg *args, size_t n);
/* True while there is a row; false at the end or on error (then q->err is set). */
bool sb_q_next(struct sb_q *q);
int64_t sb_q_int(struct sb_q *q, int col);
const char *sb_q_text(struct sb_q *q, int col); /* NULL for SQL NULL */
bool sb_q_null(struct sb_q *q, int col);
/* The current row as a JSON object keyed by column name (BOOLEAN columns become
 * true/false, NULL becomes null). */
json_t *sb_q_row_json(struct sb_q *q);
/* Finishes the statement; returns the first error seen. */
sb_err sb_q_close(struct sb_q *q);
/* Reads every remaining row into a JSON array of objects, then closes the query. */
sb_err sb_q_json_all(struct sb_q *q, json_t **ret);

/* Runs a statement to completion, ignoring rows. */
sb_err sb_db_exec(struct sb_db *db, const char *sql, const char *fmt, ...);
/* The first column of the first row as an integer; SB_ENOT_FOUND without a row. */
sb_err sb_db_int(struct sb_db *db, int64_t *ret, const char *sql, const char *fmt, ...);
/* The first row as a JSON object; SB_ENOT_FOUND without a row. */
sb_err sb_db_json_one(struct sb_db *db, json_t **ret, const char *sql, const char *fmt, ...);
/* All rows as a JSON array of objects. */
sb_err sb_db_json_all(struct sb_db *db, json_t **ret, const char *sql, const char *fmt, ...);

/* The connection's counts so far (see struct sb_db_stats). Subtract two readings to
 * count one action. */
struct sb_db_stats sb_db_stats(const struct sb_db *db);
/* Whether the helpers also time the backend's calls (two clock reads per call), for every
 * connection of the process; off unless a benchmark or test turns it on. Counting
 * statements is always on. */
void sb_db_stats_timing(bool on);

/*
 * The next statement may fail and the caller goes on in the same transaction (a duplicate
 * it answers with the row that exists, say). SQLite undoes a failed statement alone;
 * PostgreSQL gives up the whole transaction, so its backend runs that statement in a
 * savepoint of its own. Every other statement that fails inside a transaction fails the
 * transaction: its caller returns the error, and the transaction is rolled back (or rolled
 * back to the caller's sb_store_savepoint). Cleared when the statement is done.
 */
void sb_db_may_fail(struct sb_db *db);

/* Runs a script of several statements without parameters, as the backend's migrations are
 * run: for migrations and for tools that build a schema step by step. SB_ESTORAGE when the
 * backend offers none. */
sb_err sb_db_script(struct sb_db *db, const char *sql);

/* For backends' migrate: applies the numbered scripts after the highest version recorded in
 * schema_migrations (which the backend has made), each in a transaction of its own with its
 * row, run by the backend's script runner; refuses a database newer than the list. Sets
 * *ret_version to the list's length. */
sb_err sb_db_apply_migrations(struct sb_db *db, const char *const *migrations, size_t n,
                              sb_err (*script)(struct sb_db *db, const char *sql),
                              int *ret_version);

/* The database's tables (see sb_db_ops.tables); SB_EINTERNAL when the backend does not
 * say. */
sb_err sb_db_tables(struct sb_db *db, json_t **ret);

/* One business action: sb_db_begin(), the work, then sb_db_end(db, err), which
 * commits when err is SB_OK and rolls back otherwise, and returns err (or the
 * commit's error). Nested begin/end pairs join the outer transaction. */
sb_err sb_db_begin(struct sb_db *db);
sb_err sb_db_end(struct sb_db *db, sb_err err);

/* Outlet access in SQL: "(? OR <col> IN (SELECT outlet_id FROM user_outlets
 * WHERE user_id = ?))", bound with 'b' scope->all_outlets then 'i' user id. */
#define SB_SQL_SCOPE(col) "(? OR " col " IN (SELECT outlet_id FROM user_outlets WHERE user_id = ?))"

#endif
