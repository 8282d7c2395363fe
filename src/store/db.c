/*
 * Backend selection by URL scheme, and the query helpers every repository
 * uses. Only the driver calls in struct sb_db_ops touch the backend.
 */
#include "store/db.h"
#include "util/bell.h"
#include "util/crashpoint.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

static const struct sb_db_ops *backends[4] = { &sb_db_sqlite, &sb_db_pg };

sb_err sb_db_register(const struct sb_db_ops *ops)
{
    size_t n = sizeof(backends) / sizeof(backends[0]);
    for (size_t i = 0; i < n; i++)
        if (backends[i] == ops)
            return SB_OK;
    if (backends[n - 1])
        return sb_fail(SB_EINTERNAL, NULL, "no room for another storage backend");
    memmove(&backends[1], &backends[0], (n - 1) * sizeof(backends[0]));
    backends[0] = ops;
    return SB_OK;
}

sb_err sb_db_open(const char *url, struct sb_db **ret)
{
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]) && backends[i]; i++) {
        size_t n = strlen(backends[i]->scheme);
        if (strncmp(url, backends[i]->scheme, n) == 0)
            return backends[i]->open(url + n, ret);
    }
    return sb_fail(SB_EINVALID_FIELD, "db",
                   "unsupported database URL (use sqlite:PATH or postgresql://...)");
}

void sb_db_close(struct sb_db *db)
{
    if (db)
        db->ops->close(db);
}

/* ---- what a connection asks of its backend (struct sb_db_stats) ---- */

static atomic_bool timing;

void sb_db_stats_timing(bool on)
{
    atomic_store(&timing, on);
}

struct sb_db_stats sb_db_stats(const struct sb_db *db)
{
    return db->stats;
}

/* A clock reading when timing is on, else 0 (then spent() adds nothing). */
static uint64_t clock_start(void)
{
    return atomic_load_explicit(&timing, memory_order_relaxed) ? sb_clock_ns() : 0;
}

static void spent(struct sb_db *db, uint64_t t0)
{
    if (t0)
        db->stats.backend_ns += sb_clock_ns() - t0;
}

/* As many values as the statement has "?" marks: a value too few would be bound as NULL
 * by SQLite without a word. */
static sb_err check_count(struct sb_db *db, struct sb_stmt *st, size_t given, const char *sql)
{
    int want = db->ops->param_count ? db->ops->param_count(st) : -1;
    if (want < 0 || (size_t)want == given)
        return SB_OK;
    return sb_fail(SB_EINTERNAL, NULL, "the statement takes %d values, %zu given: %.120s", want,
                   given, sql);
}

static sb_err bindv(struct sb_db *db, struct sb_stmt *st, const char *fmt, va_list ap)
{
    const struct sb_db_ops *ops = db->ops;
    sb_err err = SB_OK;
    for (int i = 1; fmt && *fmt && !err; fmt++, i++) {
        switch (*fmt) {
        case 'i':
            err = ops->bind_i64(st, i, va_arg(ap, int64_t));
            break;
        case 'n': {
            int64_t v = va_arg(ap, int64_t);
            err = v ? ops->bind_i64(st, i, v) : ops->bind_null(st, i);
            break;
        }
        case 'b':
            err = ops->bind_i64(st, i, va_arg(ap, int) ? 1 : 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            err = s ? ops->bind_text(st, i, s) : ops->bind_null(st, i);
            break;
        }
        default:
            err = sb_fail(SB_EINTERNAL, NULL, "bad bind format '%c'", *fmt);
        }
    }
    return err;
}

static sb_err q_openv(struct sb_q *q, struct sb_db *db, const char *sql, const char *fmt,
                      va_list ap)
{
    uint64_t t0 = clock_start();
    q->db = db;
    q->st = NULL;
    db->stats.statements++;
    q->err = db->ops->prepare(db, sql, &q->st);
    if (!q->err)
        q->err = check_count(db, q->st, fmt ? strlen(fmt) : 0, sql);
    if (!q->err)
        q->err = bindv(db, q->st, fmt, ap);
    if (q->err && q->st) {
        db->ops->finish(q->st);
        q->st = NULL;
    }
    if (q->err)
        db->may_fail = false;
    spent(db, t0);
    return q->err;
}

sb_err sb_q_open_args(struct sb_q *q, struct sb_db *db, const char *sql,
                      const struct sb_db_arg *args, size_t n)
{
    const struct sb_db_ops *ops = db->ops;
    uint64_t t0 = clock_start();
    q->db = db;
    q->st = NULL;
    db->stats.statements++;
    q->err = ops->prepare(db, sql, &q->st);
    if (!q->err)
        q->err = check_count(db, q->st, n, sql);
    for (size_t i = 0; !q->err && i < n; i++) {
        const struct sb_db_arg *a = &args[i];
        int idx = (int)i + 1;
        switch (a->kind) {
        case 'i':
            q->err = ops->bind_i64(q->st, idx, a->i);
            break;
        case 'n':
            q->err = a->i ? ops->bind_i64(q->st, idx, a->i) : ops->bind_null(q->st, idx);
            break;
        case 'b':
            q->err = ops->bind_i64(q->st, idx, a->i ? 1 : 0);
            break;
        case 's':
            q->err = a->s ? ops->bind_text(q->st, idx, a->s) : ops->bind_null(q->st, idx);
            break;
        default:
            q->err = sb_fail(SB_EINTERNAL, NULL, "bad bind kind '%c'", a->kind);
        }
    }
    if (q->err && q->st) {
        ops->finish(q->st);
        q->st = NULL;
    }
    if (q->err)
        db->may_fail = false;
    spent(db, t0);
    return q->err;
}

sb_err sb_q_open(struct sb_q *q, struct sb_db *db, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_err err = q_openv(q, db, sql, fmt, ap);
    va_end(ap);
    return err;
}

bool sb_q_next(struct sb_q *q)
{
    if (q->err || !q->st)
        return false;
    bool row = false;
    uint64_t t0 = clock_start();
    q->err = q->db->ops->step(q->st, &row);
    spent(q->db, t0);
    return !q->err && row;
}

int sb_q_columns(struct sb_q *q)
{
    return q->st ? q->db->ops->column_count(q->st) : 0;
}

int64_t sb_q_int(struct sb_q *q, int col)
{
    return q->db->ops->column_i64(q->st, col);
}

const char *sb_q_text(struct sb_q *q, int col)
{
    return q->db->ops->column_text(q->st, col);
}

bool sb_q_null(struct sb_q *q, int col)
{
    return q->db->ops->column_kind(q->st, col) == SB_COL_NULL;
}

json_t *sb_q_row_json(struct sb_q *q)
{
    const struct sb_db_ops *ops = q->db->ops;
    json_t *o = json_object();
    int n = ops->column_count(q->st);
    for (int i = 0; i < n; i++) {
        json_t *v;
        switch (ops->column_kind(q->st, i)) {
        case SB_COL_INT:
            v = json_integer(ops->column_i64(q->st, i));
            break;
        case SB_COL_BOOL:
            v = json_boolean(ops->column_i64(q->st, i) != 0);
            break;
        case SB_COL_TEXT:
            v = json_string(ops->column_text(q->st, i));
            break;
        default:
            v = json_null();
        }
        json_object_set_new(o, ops->column_name(q->st, i), v);
    }
    return o;
}

sb_err sb_q_close(struct sb_q *q)
{
    if (q->db)
        q->db->may_fail = false;
    if (q->st) {
        uint64_t t0 = clock_start();
        q->db->ops->finish(q->st);
        spent(q->db, t0);
    }
    q->st = NULL;
    return q->err;
}

sb_err sb_db_exec(struct sb_db *db, const char *sql, const char *fmt, ...)
{
    struct sb_q q;
    va_list ap;
    va_start(ap, fmt);
    sb_err err = q_openv(&q, db, sql, fmt, ap);
    va_end(ap);
    if (err)
        return err;
    while (sb_q_next(&q))
        ;
    return sb_q_close(&q);
}

sb_err sb_db_int(struct sb_db *db, int64_t *ret, const char *sql, const char *fmt, ...)
{
    struct sb_q q;
    va_list ap;
    va_start(ap, fmt);
    sb_err err = q_openv(&q, db, sql, fmt, ap);
    va_end(ap);
    if (err)
        return err;
    bool found = sb_q_next(&q);
    int64_t v = found ? sb_q_int(&q, 0) : 0;
    err = sb_q_close(&q);
    if (err)
        return err;
    if (!found)
        return sb_fail(SB_ENOT_FOUND, NULL, NULL);
    *ret = v;
    return SB_OK;
}

sb_err sb_db_json_one(struct sb_db *db, json_t **ret, const char *sql, const char *fmt, ...)
{
    struct sb_q q;
    va_list ap;
    va_start(ap, fmt);
    sb_err err = q_openv(&q, db, sql, fmt, ap);
    va_end(ap);
    if (err)
        return err;
    json_t *row = sb_q_next(&q) ? sb_q_row_json(&q) : NULL;
    err = sb_q_close(&q);
    if (err) {
        json_decref(row);
        return err;
    }
    if (!row)
        return sb_fail(SB_ENOT_FOUND, NULL, NULL);
    *ret = row;
    return SB_OK;
}

sb_err sb_q_json_all(struct sb_q *q, json_t **ret)
{
    json_t *arr = json_array();
    while (sb_q_next(q))
        json_array_append_new(arr, sb_q_row_json(q));
    sb_err err = sb_q_close(q);
    if (err) {
        json_decref(arr);
        return err;
    }
    *ret = arr;
    return SB_OK;
}

sb_err sb_db_json_all(struct sb_db *db, json_t **ret, const char *sql, const char *fmt, ...)
{
    struct sb_q q;
    va_list ap;
    va_start(ap, fmt);
    sb_err err = q_openv(&q, db, sql, fmt, ap);
    va_end(ap);
    return err ? err : sb_q_json_all(&q, ret);
}

sb_err sb_db_tables(struct sb_db *db, json_t **ret)
{
    if (!db->ops->tables)
        return sb_fail(SB_EINTERNAL, NULL, "the %s backend does not list its tables",
                       db->ops->name);
    return db->ops->tables(db, ret);
}

sb_err sb_db_begin(struct sb_db *db)
{
    if (db->tx_depth++ > 0)
        return SB_OK;
    db->stats.statements++; /* not timed: it waits for the write lock */
    sb_err err = db->ops->begin(db);
    if (err)
        db->tx_depth = 0;
    return err;
}

sb_err sb_db_end(struct sb_db *db, sb_err err)
{
    if (db->tx_depth <= 0)
        return err ? err : sb_fail(SB_EINTERNAL, NULL, "sb_db_end without sb_db_begin");
    if (--db->tx_depth > 0)
        return err;
    if (err) {
        /* keep the caller's error details: a rollback failure changes nothing for them */
        struct sb_errinfo saved = *sb_err_last();
        db->stats.statements++;
        (void)db->ops->rollback(db);
        sb_fail(saved.err ? saved.err : err, saved.field[0] ? saved.field : NULL, "%s",
                saved.message[0] ? saved.message : sb_err_message(err));
        sb_bell_commit(false);
        return err;
    }
    db->stats.statements++; /* not timed: it waits for the disk */
    err = db->ops->commit(db);
    if (err)
        (void)db->ops->rollback(db);
    sb_bell_commit(!err); /* a notification written in it is visible now (util/bell.h) */
    return err;
}

void sb_db_may_fail(struct sb_db *db)
{
    db->may_fail = true;
}

sb_err sb_db_script(struct sb_db *db, const char *sql)
{
    if (!db->ops->script)
        return sb_fail(SB_ESTORAGE, "db", "the %s backend runs no scripts", db->ops->name);
    db->stats.statements++;
    return db->ops->script(db, sql);
}

sb_err sb_db_apply_migrations(struct sb_db *db, const char *const *migrations, size_t n,
                              sb_err (*script)(struct sb_db *db, const char *sql), int *ret_version)
{
    int64_t have = 0;
    sb_err err =
        sb_db_int(db, &have, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL);
    if (err)
        return err;
    if ((size_t)have > n)
        return sb_fail(SB_ESTORAGE, "db",
                       "database schema version %lld is newer than this program (%zu)",
                       (long long)have, n);
    for (size_t v = (size_t)have + 1; v <= n; v++) {
        char ts[SB_TIME_LEN];
        sb_time_format(sb_time_now(), ts, sizeof(ts));
        err = sb_db_begin(db);
        if (!err)
            err = script(db, migrations[v - 1]);
        if (!err)
            err =
                sb_db_exec(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                           "is", (int64_t)v, ts);
        if (!err)
            sb_crashpoint("migration"); /* applied, not yet committed */
        err = sb_db_end(db, err);
        if (err)
            return err;
    }
    *ret_version = (int)n;
    return SB_OK;
}
