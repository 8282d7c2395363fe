/*
 * The PostgreSQL backend (libpq), behind the same interface as sqlite.c. Opened by a URL
 * "postgres://..." or "postgresql://...", handed whole to PQconnectdb. "?" placeholders
 * become $1..$n; statements are prepared once per connection, when first run, and cached
 * by SQL text. Schema and migrations live in pg-migrations.c.
 *
 * What the store above relies on from SQLite, kept here:
 *   - One writer at a time: every write transaction takes one transaction-level advisory
 *     lock when it begins, so writers queue (across threads and nodes alike) as SQLite's
 *     do, and a read-then-write in a transaction sees nothing change under it.
 *   - A failed statement fails alone where the caller goes on after it: PostgreSQL aborts
 *     the whole transaction on an error, SQLite only the statement. A statement the store
 *     marks with sb_db_may_fail (and each first preparation, which may be tried twice) runs
 *     in a savepoint of its own, undone when it fails, in the same round trip; any other
 *     failure gives up the transaction, which its caller rolls back (or rolls back to its
 *     piece's savepoint). STOCKBRIDGE_PG_SAVEPOINTS=every wraps every writing statement, as
 *     before; STOCKBRIDGE_PG_STRICT=1 (the test suite's PostgreSQL pass) aborts the process
 *     when a statement is run after an unwrapped failure in the same transaction, which is
 *     how a caller that goes on without sb_db_may_fail is found.
 *   - Parameters untyped where PostgreSQL can infer their type (a bound 1 is a boolean
 *     where a boolean is wanted); one it cannot type ("? IS NULL") gets the type of the
 *     value bound to it.
 *   - A connection lost (the server restarted) answers SB_ESTORAGE saying so, and is
 *     opened again at the next begin or prepare outside a transaction.
 */
#include "store/db.h"
#include "store/pg-migrations.h"
#include "util/crashpoint.h"
#include "util/timeutil.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CACHE_SLOTS 256 /* power of two */
#define MAX_PARAMS  128

/* Advisory lock keys: the writers' lock and the migrations' lock. */
#define WRITE_LOCK_KEY   "5342001"
#define MIGRATE_LOCK_KEY "5342002"

/* PostgreSQL's type oids (catalog/pg_type.h is not in libpq-dev). */
#define OID_BOOL    16
#define OID_INT8    20
#define OID_INT2    21
#define OID_INT4    23
#define OID_NUMERIC 1700

struct sb_stmt {
    struct pg_db *db;
    char *sql;   /* the caller's text: the cache key */
    char *pgsql; /* with $n placeholders */
    int nparams;
    bool writes;  /* not a plain SELECT: runs in a savepoint inside a transaction */
    bool control; /* SAVEPOINT / RELEASE / ROLLBACK TO: never wrapped */
    char name[24];
    unsigned prepared_gen; /* the connection generation it was prepared on (0: not) */
    bool typed;            /* prepared with the bound values' types */
    char *vals[MAX_PARAMS];
    Oid types[MAX_PARAMS];
    PGresult *res;
    int row; /* the current row; -1 before the first */
    bool executed, cached, in_use;
};

struct pg_db {
    struct sb_db base;
    PGconn *c;
    unsigned gen; /* bumped at every (re)connection: prepared statements are per connection */
    unsigned next_name;
    bool in_tx;
    bool wrap_every; /* STOCKBRIDGE_PG_SAVEPOINTS=every */
    bool strict;     /* STOCKBRIDGE_PG_STRICT=1 */
    bool aborted;    /* a statement failed unwrapped in this transaction */
    char failed_sql[200];
    char msg[512];
    struct sb_stmt *cache[CACHE_SLOTS];
};

static sb_err lost(struct pg_db *d)
{
    snprintf(d->msg, sizeof(d->msg), "%s", PQerrorMessage(d->c));
    return sb_fail(SB_ESTORAGE, NULL,
                   "lost the connection to PostgreSQL (opened again at the next "
                   "transaction): %.300s",
                   d->msg);
}

/* The error of a failed result, mapped as sqlite.c maps SQLite's. */
static sb_err map_result(struct pg_db *d, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(d->c);
    snprintf(d->msg, sizeof(d->msg), "%s", m ? m : "");
    size_t n = strlen(d->msg);
    while (n && (d->msg[n - 1] == '\n' || d->msg[n - 1] == ' '))
        d->msg[--n] = '\0';
    if (PQstatus(d->c) == CONNECTION_BAD || !state || strncmp(state, "08", 2) == 0 ||
        strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)
        return lost(d);
    if (strcmp(state, "23505") == 0)
        return sb_fail(SB_EDUPLICATE, NULL, "already exists (%s)", d->msg);
    if (strcmp(state, "23503") == 0)
        return sb_fail(SB_EUNKNOWN_REFERENCE, NULL, NULL);
    if (strcmp(state, "23514") == 0 || strcmp(state, "P0001") == 0 || strcmp(state, "23502") == 0)
        return sb_fail(SB_ECONFLICT, NULL, "%s", d->msg);
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return sb_fail(SB_EBUSY, NULL, NULL);
    if (strcmp(state, "53200") == 0)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    return sb_fail(SB_ESTORAGE, NULL, "%s", d->msg);
}

/* Runs SQL without parameters (several statements allowed), discarding rows. */
static sb_err exec_raw(struct pg_db *d, const char *sql)
{
    PGresult *r = PQexec(d->c, sql);
    ExecStatusType st = PQresultStatus(r);
    sb_err err = SB_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        err = map_result(d, r);
    PQclear(r);
    return err;
}

static void stmt_free(struct sb_stmt *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nparams; i++)
        free(s->vals[i]);
    PQclear(s->res);
    free(s->sql);
    free(s->pgsql);
    free(s);
}

static void pg_close(struct sb_db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    for (int i = 0; i < CACHE_SLOTS; i++)
        stmt_free(d->cache[i]);
    PQfinish(d->c);
    free(d);
}

/* Notices (a NOTICE from CREATE ... IF NOT EXISTS) are not errors: not printed. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static sb_err session_setup(struct pg_db *d)
{
    PQsetNoticeProcessor(d->c, quiet, NULL);
    return exec_raw(d, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
}

static sb_err pg_open_url(const char *url, struct sb_db **ret)
{
    struct pg_db *d = calloc(1, sizeof(*d));
    if (!d)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    d->base.ops = &sb_db_pg;
    const char *every = getenv("STOCKBRIDGE_PG_SAVEPOINTS"),
               *strict = getenv("STOCKBRIDGE_PG_STRICT");
    d->wrap_every = every && strcmp(every, "every") == 0;
    d->strict = strict && strcmp(strict, "1") == 0;
    d->c = PQconnectdb(url);
    if (!d->c || PQstatus(d->c) != CONNECTION_OK) {
        sb_err err = sb_fail(SB_ESTORAGE, "db", "cannot connect to PostgreSQL: %.300s",
                             d->c ? PQerrorMessage(d->c) : "out of memory");
        PQfinish(d->c);
        free(d);
        return err;
    }
    d->gen = 1;
    sb_err err = session_setup(d);
    if (err) {
        pg_close(&d->base);
        return err;
    }
    *ret = &d->base;
    return SB_OK;
}

/*
 * The scheme "postgres" is the prefix of both spellings, "postgres://" and
 * "postgresql://"; db.c hands over what follows it, and libpq wants the whole URL back.
 */
static sb_err pg_open(const char *rest, struct sb_db **ret)
{
    if (strncmp(rest, "://", 3) != 0 && strncmp(rest, "ql://", 5) != 0)
        return sb_fail(SB_EINVALID_FIELD, "db",
                       "unsupported database URL (use postgres://... or postgresql://...)");
    size_t cap = strlen(rest) + sizeof("postgres");
    char *url = malloc(cap);
    if (!url)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    snprintf(url, cap, "postgres%s", rest);
    sb_err err = pg_open_url(url, ret);
    free(url);
    return err;
}

/* Outside a transaction, a connection that was lost is opened again. */
static sb_err ensure_connected(struct pg_db *d)
{
    if (PQstatus(d->c) == CONNECTION_OK)
        return SB_OK;
    if (d->in_tx)
        return lost(d);
    PQreset(d->c);
    if (PQstatus(d->c) != CONNECTION_OK)
        return lost(d);
    d->gen++;
    return session_setup(d);
}

static sb_err pg_begin(struct sb_db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    sb_err err = ensure_connected(d);
    if (err)
        return err;
    err = exec_raw(d, "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")");
    if (err) {
        if (PQstatus(d->c) == CONNECTION_OK)
            (void)exec_raw(d, "ROLLBACK");
        return err;
    }
    d->in_tx = true;
    d->aborted = false;
    return SB_OK;
}

static sb_err pg_commit(struct sb_db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    PGresult *r = PQexec(d->c, "COMMIT");
    sb_err err = SB_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        err = map_result(d, r);
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) /* an aborted transaction rolls back */
        err = sb_fail(SB_ESTORAGE, NULL, "the transaction was aborted: %s", d->msg);
    PQclear(r);
    if (!err || PQtransactionStatus(d->c) == PQTRANS_IDLE) {
        d->in_tx = false;
        d->aborted = false;
    }
    return err; /* on failure sb_db_end rolls back */
}

static sb_err pg_rollback(struct sb_db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    sb_err err = SB_OK;
    if (PQstatus(d->c) == CONNECTION_OK && PQtransactionStatus(d->c) != PQTRANS_IDLE)
        err = exec_raw(d, "ROLLBACK");
    d->in_tx = false;
    d->aborted = false;
    return err;
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* "?" to "$n", outside quoted strings, quoted names and comments. */
static char *rewrite(const char *sql, int *ret_n)
{
    size_t len = strlen(sql);
    size_t cap = len * 4 + 1; /* "?" becomes at most "$128" */
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0;
    int n = 0;
    char quote = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '-' && sql[i + 1] == '-') {
            while (i < len && sql[i] != '\n')
                out[o++] = sql[i++];
            if (i < len)
                out[o++] = sql[i];
            continue;
        } else if (c == '?') {
            o += (size_t)snprintf(out + o, cap - o, "$%d", ++n);
            continue;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    *ret_n = n;
    return out;
}

static bool starts_with_word(const char *sql, const char *word)
{
    sql += strspn(sql, " \t\r\n(");
    size_t n = strlen(word);
    return strncasecmp(sql, word, n) == 0 &&
           !(sql[n] && (sql[n] == '_' || isalnum((unsigned char)sql[n])));
}

static sb_err pg_prepare(struct sb_db *db, const char *sql, struct sb_stmt **ret)
{
    struct pg_db *d = (struct pg_db *)db;
    sb_err err = ensure_connected(d);
    if (err)
        return err;
    uint32_t h = hash(sql);
    for (int probe = 0; probe < 8; probe++) {
        struct sb_stmt *s = d->cache[(h + probe) & (CACHE_SLOTS - 1)];
        if (!s)
            break;
        if (strcmp(s->sql, sql) == 0) {
            if (s->in_use)
                break; /* nested use of one statement: a private copy */
            s->in_use = true;
            *ret = s;
            return SB_OK;
        }
    }
    struct sb_stmt *s = calloc(1, sizeof(*s));
    if (!s)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    s->db = d;
    s->row = -1;
    s->sql = strdup(sql);
    s->pgsql = rewrite(sql, &s->nparams);
    if (!s->sql || !s->pgsql) {
        stmt_free(s);
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    if (s->nparams > MAX_PARAMS) {
        stmt_free(s);
        return sb_fail(SB_EINTERNAL, NULL, "more than %d parameters", MAX_PARAMS);
    }
    s->control = starts_with_word(sql, "SAVEPOINT") || starts_with_word(sql, "RELEASE") ||
                 starts_with_word(sql, "ROLLBACK");
    s->writes = !s->control && !starts_with_word(sql, "SELECT");
    s->in_use = true;
    for (int probe = 0; probe < 8; probe++) {
        struct sb_stmt **slot = &d->cache[(h + probe) & (CACHE_SLOTS - 1)];
        if (!*slot) {
            s->cached = true;
            *slot = s;
            break;
        }
    }
    *ret = s;
    return SB_OK;
}

static sb_err set_param(struct sb_stmt *st, int idx, const char *v, Oid type)
{
    if (idx < 1 || idx > st->nparams)
        return sb_fail(SB_EINTERNAL, NULL, "bind index %d out of range", idx);
    free(st->vals[idx - 1]);
    st->vals[idx - 1] = NULL;
    st->types[idx - 1] = type;
    if (v && !(st->vals[idx - 1] = strdup(v)))
        return sb_fail(SB_ENOMEM, NULL, NULL);
    return SB_OK;
}

static sb_err pg_bind_i64(struct sb_stmt *st, int idx, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    return set_param(st, idx, buf, OID_INT8);
}

static sb_err pg_bind_text(struct sb_stmt *st, int idx, const char *v)
{
    return set_param(st, idx, v, 0);
}

static sb_err pg_bind_null(struct sb_stmt *st, int idx)
{
    return set_param(st, idx, NULL, 0);
}

/* N of "could not determine data type of parameter $N" (SQLSTATE 42P18), or 0. */
static int untyped_param(const PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *p = m ? strchr(m, '$') : NULL; /* the message may be translated: "$N" is not */
    if (!state || strcmp(state, "42P18") != 0 || !p)
        return 0;
    char *end;
    long n = strtol(p + 1, &end, 10);
    return end != p + 1 && n > 0 && n <= MAX_PARAMS ? (int)n : 0;
}

/*
 * Prepares the statement on this connection with its parameters untyped, PostgreSQL
 * inferring each from where it stands (a bound 1 is then a boolean beside OR). A parameter
 * it cannot type ("? IS NULL") gets the type of the value bound to it (bigint for an
 * integer, text otherwise), one at a time as PostgreSQL names them, the others staying
 * untyped. Inside a transaction each try runs in the statement's savepoint.
 */
static sb_err prepare_here(struct pg_db *d, struct sb_stmt *st, bool in_savepoint)
{
    Oid types[MAX_PARAMS] = { 0 };
    PGresult *r = NULL;
    for (int tries = 0; tries <= st->nparams; tries++) {
        PQclear(r);
        snprintf(st->name, sizeof(st->name), "sb%u", ++d->next_name);
        r = PQprepare(d->c, st->name, st->pgsql, st->nparams, types);
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            break;
        int n = untyped_param(r);
        if (n < 1 || n > st->nparams || types[n - 1] || (d->in_tx && !in_savepoint) ||
            PQstatus(d->c) != CONNECTION_OK)
            break;
        types[n - 1] = st->types[n - 1] ? st->types[n - 1] : 25 /* text */;
        st->typed = true;
        if (in_savepoint) {
            sb_err e = exec_raw(d, "ROLLBACK TO SAVEPOINT sb_stmt");
            if (e) {
                PQclear(r);
                return e;
            }
        }
    }
    sb_err err = PQresultStatus(r) == PGRES_COMMAND_OK ? SB_OK : map_result(d, r);
    PQclear(r);
    if (!err)
        st->prepared_gen = d->gen;
    return err;
}

/*
 * A prepared statement in its savepoint, in one round trip: SAVEPOINT, the statement and
 * RELEASE sent together in libpq's pipeline mode. *ret_failed when the statement failed
 * (its error is set; the transaction is then aborted until the caller rolls back to the
 * savepoint); *ret_sent false when pipeline mode could not be used at all.
 */
static sb_err run_pipelined(struct pg_db *d, struct sb_stmt *st, bool *ret_failed, bool *ret_sent)
{
    *ret_failed = false;
    *ret_sent = false;
    if (!PQenterPipelineMode(d->c))
        return SB_OK;
    *ret_sent = true;
    sb_err err = SB_OK;
    if (!PQsendQueryParams(d->c, "SAVEPOINT sb_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
        !PQsendQueryPrepared(d->c, st->name, st->nparams, (const char *const *)st->vals, NULL, NULL,
                             0) ||
        !PQsendQueryParams(d->c, "RELEASE SAVEPOINT sb_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
        !PQpipelineSync(d->c))
        err = lost(d);
    /* the results in the order sent (each followed by NULL), then the sync's */
    int idx = 0, nulls = 0;
    while (!err) {
        PGresult *r = PQgetResult(d->c);
        if (!r) {
            if (++nulls > 4 || PQstatus(d->c) != CONNECTION_OK)
                err = lost(d);
            continue;
        }
        nulls = 0;
        ExecStatusType rs = PQresultStatus(r);
        if (rs == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        bool ok = rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK;
        if (idx == 1 && ok) {
            PQclear(st->res);
            st->res = r;
            r = NULL;
        } else if (!ok && rs != PGRES_PIPELINE_ABORTED && !*ret_failed) {
            *ret_failed = true;
            (void)map_result(d, r); /* the first failure's error is the caller's */
        }
        PQclear(r);
        idx++;
    }
    if (!PQexitPipelineMode(d->c) && !err)
        err = lost(d);
    if (!err && *ret_failed) {
        PQclear(st->res);
        st->res = NULL;
        err = sb_err_last()->err ? sb_err_last()->err : SB_ESTORAGE;
    }
    return err;
}

static sb_err run_statement(struct pg_db *d, struct sb_stmt *st, bool fresh, bool wrap);

static sb_err run(struct sb_stmt *st)
{
    struct pg_db *d = st->db;
    if (PQstatus(d->c) != CONNECTION_OK)
        return lost(d);
    bool fresh = st->prepared_gen != d->gen;
    bool may_fail = d->base.may_fail || d->wrap_every;
    bool wrap = d->in_tx && !st->control && ((st->writes && may_fail) || fresh);
    if (d->in_tx && d->aborted && !st->control && d->strict) {
        fprintf(stderr,
                "stockbridge: PostgreSQL strict mode: a statement run after a failed one in the"
                " same transaction (mark the failing statement with sb_db_may_fail)\n"
                "  failed: %s\n  then:   %.200s\n",
                d->failed_sql, st->sql);
        abort();
    }
    sb_err err = run_statement(d, st, fresh, wrap);
    if (d->in_tx && PQstatus(d->c) == CONNECTION_OK) {
        if (err && !wrap) {
            d->aborted = true;
            snprintf(d->failed_sql, sizeof(d->failed_sql), "%s", st->sql);
        } else if (!err && st->control && starts_with_word(st->sql, "ROLLBACK")) {
            d->aborted = false; /* back to a savepoint from before the failure */
        }
    }
    return err;
}

static sb_err run_statement(struct pg_db *d, struct sb_stmt *st, bool fresh, bool wrap)
{
    if (wrap && !fresh) {
        bool failed, sent;
        sb_err err = run_pipelined(d, st, &failed, &sent);
        if (sent) {
            if (failed && PQstatus(d->c) == CONNECTION_OK) {
                struct sb_errinfo saved = *sb_err_last();
                (void)exec_raw(d, "ROLLBACK TO SAVEPOINT sb_stmt; RELEASE SAVEPOINT sb_stmt");
                sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
            }
            return err;
        }
    }
    sb_err err = wrap ? exec_raw(d, "SAVEPOINT sb_stmt") : SB_OK;
    if (!err && fresh)
        err = prepare_here(d, st, wrap);
    if (!err) {
        PQclear(st->res);
        st->res = PQexecPrepared(d->c, st->name, st->nparams, (const char *const *)st->vals, NULL,
                                 NULL, 0);
        ExecStatusType rs = PQresultStatus(st->res);
        if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
            err = map_result(d, st->res);
            PQclear(st->res);
            st->res = NULL;
        }
    }
    if (wrap && PQstatus(d->c) == CONNECTION_OK) {
        struct sb_errinfo saved = *sb_err_last();
        sb_err e = err ? exec_raw(d, "ROLLBACK TO SAVEPOINT sb_stmt; RELEASE SAVEPOINT sb_stmt")
                       : exec_raw(d, "RELEASE SAVEPOINT sb_stmt");
        if (err) /* the statement's error is what the caller reads */
            sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
        else
            err = e;
    }
    return err;
}

static sb_err pg_step(struct sb_stmt *st, bool *ret_row)
{
    *ret_row = false;
    if (!st->executed) {
        st->executed = true;
        st->row = -1;
        sb_err err = run(st);
        if (err)
            return err;
    }
    if (!st->res)
        return SB_OK;
    if (st->row + 1 < PQntuples(st->res)) {
        st->row++;
        *ret_row = true;
    } else {
        st->row = PQntuples(st->res);
    }
    return SB_OK;
}

static int pg_param_count(struct sb_stmt *st)
{
    return st->nparams;
}

static int pg_column_count(struct sb_stmt *st)
{
    return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_column_name(struct sb_stmt *st, int col)
{
    return st->res ? PQfname(st->res, col) : NULL;
}

static bool has_row(struct sb_stmt *st)
{
    return st->res && st->row >= 0 && st->row < PQntuples(st->res);
}

static enum sb_col_kind pg_column_kind(struct sb_stmt *st, int col)
{
    if (!has_row(st) || PQgetisnull(st->res, st->row, col))
        return SB_COL_NULL;
    switch (PQftype(st->res, col)) {
    case OID_BOOL:
        return SB_COL_BOOL;
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
        return SB_COL_INT;
    case OID_NUMERIC: /* SUM() of BIGINT: an integer unless it has a fraction */
        return strchr(PQgetvalue(st->res, st->row, col), '.') ? SB_COL_TEXT : SB_COL_INT;
    default:
        return SB_COL_TEXT;
    }
}

static int64_t pg_column_i64(struct sb_stmt *st, int col)
{
    if (!has_row(st) || PQgetisnull(st->res, st->row, col))
        return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (PQftype(st->res, col) == OID_BOOL)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *pg_column_text(struct sb_stmt *st, int col)
{
    if (!has_row(st) || PQgetisnull(st->res, st->row, col))
        return NULL;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (PQftype(st->res, col) == OID_BOOL) /* as SQLite reads its 0/1 */
        return v[0] == 't' ? "1" : "0";
    return v;
}

static void pg_finish(struct sb_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->executed = false;
    st->row = -1;
    for (int i = 0; i < st->nparams; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
        st->types[i] = 0;
    }
    if (st->cached)
        st->in_use = false;
    else
        stmt_free(st);
}

static const char *pg_errmsg(struct sb_db *db)
{
    return ((struct pg_db *)db)->msg;
}

static sb_err pg_tables(struct sb_db *db, json_t **ret)
{
    struct sb_q q;
    json_t *names = json_array();
    if (!names)
        return sb_fail(SB_ENOMEM, NULL, NULL);
    sb_err err = sb_q_open(&q, db,
                           "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                           " ORDER BY tablename COLLATE \"C\"",
                           NULL);
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
    return exec_raw((struct pg_db *)db, sql);
}

/*
 * Several nodes may start at once: the first to take the migrations' advisory lock
 * migrates, the others wait for it and then find the schema current. Each migration is
 * applied in a transaction of its own and recorded in schema_migrations.
 */
static sb_err migrate_locked(struct pg_db *d, int *ret_version)
{
    struct sb_db *db = &d->base;
    sb_err err = exec_raw(d, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)");
    if (err)
        return err;
    size_t n;
    const char *const *migrations = sb_pg_migrations(&n);
    return sb_db_apply_migrations(db, migrations, n, script, ret_version);
}

static sb_err pg_migrate(struct sb_db *db, int *ret_version)
{
    struct pg_db *d = (struct pg_db *)db;
    sb_err err = exec_raw(d, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")");
    if (err)
        return err;
    err = migrate_locked(d, ret_version);
    struct sb_errinfo saved = *sb_err_last();
    (void)exec_raw(d, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
    if (err)
        sb_fail(saved.err, saved.field[0] ? saved.field : NULL, "%s", saved.message);
    return err;
}

const struct sb_db_ops sb_db_pg = {
    .name = "postgresql",
    .scheme = "postgres", /* postgres://... and postgresql://... */
    .open = pg_open,
    .close = pg_close,
    .migrate = pg_migrate,
    .script = script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_count = pg_column_count,
    .param_count = pg_param_count,
    .column_name = pg_column_name,
    .column_kind = pg_column_kind,
    .column_i64 = pg_column_i64,
    .column_text = pg_column_text,
    .finish = pg_finish,
    .errmsg = pg_errmsg,
    .tables = pg_tables,
};
