/*
 * The failing store (see fault-db.h): a storage backend over another one
 * that counts the driver calls able to fail and fails the armed one. Each
 * shim connection holds the real connection; each shim statement the real
 * statement and its connection, so a failure that costs the transaction can
 * roll it back on the right connection.
 *
 * The whole-transaction loss of FAULT_FULL and FAULT_IOERR is played with a
 * plain ROLLBACK statement on the real connection, not with its rollback
 * call: the backend's write lock stays held, as it does in the real case,
 * until the caller's own rollback (sb_db_end) gives it up.
 */
#include "fault-db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fault_conn {
    struct sb_db base;
    struct sb_db *inner;
    bool in_tx;
};

struct fault_stmt {
    struct fault_conn *db;
    struct sb_stmt *inner;
    char sql[128]; /* its start: for fault_db_arm_sql and the failure's message */
};

static atomic_long armed;   /* the call to fail; 0: none */
static atomic_long counted; /* calls counted since the last arm */
static atomic_int kind_armed;
static atomic_bool fired;
static atomic_long open_statements, open_transactions;

/* arming by statement: guarded by a mutex (set from the test, read by any thread) */
static pthread_mutex_t sql_lock = PTHREAD_MUTEX_INITIALIZER;
static char sql_prefix[128];
static int sql_times;
static enum fault_kind sql_kind;

void fault_db_arm(long n, enum fault_kind kind)
{
    atomic_store(&fired, false);
    atomic_store(&kind_armed, (int)kind);
    atomic_store(&counted, 0);
    atomic_store(&armed, n);
}

void fault_db_arm_sql(const char *prefix, enum fault_kind kind, int times)
{
    pthread_mutex_lock(&sql_lock);
    snprintf(sql_prefix, sizeof(sql_prefix), "%s", prefix);
    sql_kind = kind;
    sql_times = times;
    pthread_mutex_unlock(&sql_lock);
}

bool fault_db_disarm(void)
{
    atomic_store(&armed, 0);
    pthread_mutex_lock(&sql_lock);
    sql_times = 0;
    pthread_mutex_unlock(&sql_lock);
    return atomic_load(&fired);
}

/* Whether this step is one armed by fault_db_arm_sql; *ret_kind its kind. */
static bool hit_sql(const char *sql, enum fault_kind *ret_kind)
{
    pthread_mutex_lock(&sql_lock);
    bool hit = sql_times > 0 && strncmp(sql, sql_prefix, strlen(sql_prefix)) == 0;
    if (hit) {
        sql_times--;
        *ret_kind = sql_kind;
    }
    pthread_mutex_unlock(&sql_lock);
    return hit;
}

long fault_db_calls(void)
{
    return atomic_load(&counted);
}

long fault_db_open_statements(void)
{
    return atomic_load(&open_statements);
}

long fault_db_open_transactions(void)
{
    return atomic_load(&open_transactions);
}

const char *fault_db_message(enum fault_kind kind)
{
    switch (kind) {
    case FAULT_FULL:
        return "database or disk is full";
    case FAULT_IOERR:
        return "disk I/O error";
    default:
        return "injected storage failure";
    }
}

/* Counts the call and says whether it is the one to fail. A write (step, commit) counts
 * in every mode; the other calls only for FAULT_FAIL, since a full disk or an I/O error
 * shows up where SQLite touches the file. */
static bool hit(bool writes)
{
    long n = atomic_load(&armed);
    if (n <= 0 || atomic_load(&fired))
        return false;
    if (!writes && atomic_load(&kind_armed) != FAULT_FAIL)
        return false;
    if (atomic_fetch_add(&counted, 1) + 1 != n)
        return false;
    atomic_store(&fired, true);
    return true;
}

/* The failure itself; for FULL and IOERR the connection's transaction is lost. The
 * message names the call and the start of its statement, to find the code that got it. */
static sb_err fail_as(struct fault_conn *c, enum fault_kind k, const char *call, const char *sql)
{
    if (k != FAULT_FAIL) {
        struct sb_stmt *st = NULL;
        bool row;
        if (!c->inner->ops->prepare(c->inner, "ROLLBACK", &st)) {
            (void)c->inner->ops->step(st, &row); /* fails harmlessly outside a transaction */
            c->inner->ops->finish(st);
        }
    }
    return sb_fail(SB_ESTORAGE, NULL, "%s (injected at call %ld: %s %.40s)", fault_db_message(k),
                   atomic_load(&counted), call, sql ? sql : "");
}

static sb_err fail(struct fault_conn *c, const char *call, const char *sql)
{
    return fail_as(c, (enum fault_kind)atomic_load(&kind_armed), call, sql);
}

static const struct sb_db_ops fault_ops;

static sb_err f_open(const char *target, struct sb_db **ret)
{
    struct fault_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_db_open(target, &c->inner);
    if (err) {
        free(c);
        return err;
    }
    c->base.ops = &fault_ops;
    *ret = &c->base;
    return SB_OK;
}

static void f_close(struct sb_db *db)
{
    struct fault_conn *c = (struct fault_conn *)db;
    if (c->in_tx)
        atomic_fetch_sub(&open_transactions, 1);
    sb_db_close(c->inner);
    free(c);
}

static sb_err f_script(struct sb_db *db, const char *sql)
{
    struct fault_conn *c = (struct fault_conn *)db;
    return sb_db_script(c->inner, sql);
}

static sb_err f_migrate(struct sb_db *db, int *ret_version)
{
    struct fault_conn *c = (struct fault_conn *)db;
    return c->inner->ops->migrate(c->inner, ret_version);
}

static sb_err f_begin(struct sb_db *db)
{
    struct fault_conn *c = (struct fault_conn *)db;
    if (hit(false))
        return fail(c, "begin", NULL);
    sb_err err = c->inner->ops->begin(c->inner);
    if (!err && !c->in_tx) {
        c->in_tx = true;
        atomic_fetch_add(&open_transactions, 1);
    }
    return err;
}

static void tx_over(struct fault_conn *c)
{
    if (c->in_tx) {
        c->in_tx = false;
        atomic_fetch_sub(&open_transactions, 1);
    }
}

static sb_err f_commit(struct sb_db *db)
{
    struct fault_conn *c = (struct fault_conn *)db;
    if (hit(true))
        return fail(c, "commit", NULL);
    sb_err err = c->inner->ops->commit(c->inner);
    if (!err)
        tx_over(c);
    return err;
}

static sb_err f_rollback(struct sb_db *db)
{
    struct fault_conn *c = (struct fault_conn *)db;
    sb_err err = c->inner->ops->rollback(c->inner);
    tx_over(c);
    return err;
}

static sb_err f_prepare(struct sb_db *db, const char *sql, struct sb_stmt **ret)
{
    struct fault_conn *c = (struct fault_conn *)db;
    if (hit(false))
        return fail(c, "prepare", sql);
    struct fault_stmt *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = c->inner->ops->prepare(c->inner, sql, &s->inner);
    if (err) {
        free(s);
        return err;
    }
    s->db = c;
    snprintf(s->sql, sizeof(s->sql), "%s", sql);
    atomic_fetch_add(&open_statements, 1);
    *ret = (struct sb_stmt *)s;
    return SB_OK;
}

static struct fault_stmt *fs(struct sb_stmt *st)
{
    return (struct fault_stmt *)st;
}

static const struct sb_db_ops *inner_ops(struct sb_stmt *st)
{
    return fs(st)->db->inner->ops;
}

static sb_err f_bind_i64(struct sb_stmt *st, int idx, int64_t v)
{
    if (hit(false))
        return fail(fs(st)->db, "bind", fs(st)->sql);
    return inner_ops(st)->bind_i64(fs(st)->inner, idx, v);
}

static sb_err f_bind_text(struct sb_stmt *st, int idx, const char *v)
{
    if (hit(false))
        return fail(fs(st)->db, "bind", fs(st)->sql);
    return inner_ops(st)->bind_text(fs(st)->inner, idx, v);
}

static sb_err f_bind_null(struct sb_stmt *st, int idx)
{
    if (hit(false))
        return fail(fs(st)->db, "bind", fs(st)->sql);
    return inner_ops(st)->bind_null(fs(st)->inner, idx);
}

static sb_err f_step(struct sb_stmt *st, bool *ret_row)
{
    enum fault_kind k;
    if (hit_sql(fs(st)->sql, &k)) {
        *ret_row = false;
        return fail_as(fs(st)->db, k, "step", fs(st)->sql);
    }
    if (hit(true)) {
        *ret_row = false;
        return fail(fs(st)->db, "step", fs(st)->sql);
    }
    return inner_ops(st)->step(fs(st)->inner, ret_row);
}

static int f_param_count(struct sb_stmt *st)
{
    const struct sb_db_ops *ops = inner_ops(st);
    return ops->param_count ? ops->param_count(fs(st)->inner) : -1;
}

static int f_column_count(struct sb_stmt *st)
{
    return inner_ops(st)->column_count(fs(st)->inner);
}

static const char *f_column_name(struct sb_stmt *st, int col)
{
    return inner_ops(st)->column_name(fs(st)->inner, col);
}

static enum sb_col_kind f_column_kind(struct sb_stmt *st, int col)
{
    return inner_ops(st)->column_kind(fs(st)->inner, col);
}

static int64_t f_column_i64(struct sb_stmt *st, int col)
{
    return inner_ops(st)->column_i64(fs(st)->inner, col);
}

static const char *f_column_text(struct sb_stmt *st, int col)
{
    return inner_ops(st)->column_text(fs(st)->inner, col);
}

static void f_finish(struct sb_stmt *st)
{
    inner_ops(st)->finish(fs(st)->inner);
    free(fs(st));
    atomic_fetch_sub(&open_statements, 1);
}

static const char *f_errmsg(struct sb_db *db)
{
    struct fault_conn *c = (struct fault_conn *)db;
    return c->inner->ops->errmsg(c->inner);
}

static const struct sb_db_ops fault_ops = {
    .name = "fault",
    .scheme = FAULT_SCHEME,
    .open = f_open,
    .close = f_close,
    .migrate = f_migrate,
    .script = f_script,
    .begin = f_begin,
    .commit = f_commit,
    .rollback = f_rollback,
    .prepare = f_prepare,
    .bind_i64 = f_bind_i64,
    .bind_text = f_bind_text,
    .bind_null = f_bind_null,
    .step = f_step,
    .column_count = f_column_count,
    .param_count = f_param_count,
    .column_name = f_column_name,
    .column_kind = f_column_kind,
    .column_i64 = f_column_i64,
    .column_text = f_column_text,
    .finish = f_finish,
    .errmsg = f_errmsg,
};

void fault_db_install(void)
{
    if (sb_db_register(&fault_ops))
        abort(); /* a test set-up error, not a condition to test */
}
