/*
 * Connection pool: a mutex-guarded stack of idle connections. A connection
 * is opened on demand when none is idle and closed on release when the
 * stack is full, so the pool never blocks a request.
 *
 * Group commit: a writer thread owns one connection and runs queued write
 * jobs in batches, one savepoint per job and one commit per batch. While a
 * batch commits, the next one queues up, so under load each fsync carries
 * many business actions; with a single writer nothing waits longer than one
 * commit.
 *
 * And two small things for a caller on a connection of its own: several
 * store actions as one transaction (sb_store_transaction) and whether the
 * database answers (sb_store_ping).
 */
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_MAX 256

struct write_job {
    struct write_job *next;
    sb_write_fn fn, otherwise;
    void *ctx;
    sb_err err;
    struct sb_errinfo info;
    bool done;
};

struct sb_store {
    char *url;
    int version;
    pthread_mutex_t lock;
    unsigned nidle, max_idle;
    struct sb_db **idle;
    /* the writer */
    pthread_mutex_t wlock;
    pthread_cond_t wake, finished;
    struct write_job *head, *tail;
    struct sb_db *wdb;
    pthread_t writer;
    bool writer_started, stopping;
    void (*on_commit)(void *); /* called by the writer after each commit (under wlock) */
    void *on_commit_ud;
    void (*on_queue)(void *); /* called after each job is queued (under wlock) */
    void *on_queue_ud;
    struct sb_db_stats wstats; /* the writer connection's, as of its last batch (under wlock) */
    uint64_t wcpu_ns;          /* the writer thread's CPU time in its batches (under wlock) */
};

sb_err sb_store_open(const char *url, unsigned max_idle, struct sb_store **ret)
{
    struct sb_db *db = NULL;
    sb_err err = sb_db_open(url, &db);
    if (err)
        return err;
    int version = 0;
    err = db->ops->migrate(db, &version);
    if (err) {
        sb_db_close(db);
        return err;
    }
    struct sb_store *s = calloc(1, sizeof(*s));
    if (max_idle == 0)
        max_idle = 1;
    if (s) {
        s->url = strdup(url);
        s->idle = calloc(max_idle, sizeof(*s->idle));
    }
    if (!s || !s->url || !s->idle) {
        sb_db_close(db);
        if (s) {
            free(s->url);
            free(s->idle);
            free(s);
        }
        return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->wlock, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->finished, NULL);
    s->version = version;
    s->max_idle = max_idle;
    s->idle[s->nidle++] = db;
    *ret = s;
    return SB_OK;
}

void sb_store_close(struct sb_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->wlock);
    bool started = s->writer_started;
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->wlock);
    if (started)
        pthread_join(s->writer, NULL);
    sb_db_close(s->wdb);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->finished);
    pthread_mutex_destroy(&s->wlock);
    for (unsigned i = 0; i < s->nidle; i++)
        sb_db_close(s->idle[i]);
    pthread_mutex_destroy(&s->lock);
    free(s->idle);
    free(s->url);
    free(s);
}

sb_err sb_store_acquire(struct sb_store *s, struct sb_db **ret)
{
    struct sb_db *db = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->nidle > 0)
        db = s->idle[--s->nidle];
    pthread_mutex_unlock(&s->lock);
    if (db) {
        *ret = db;
        return SB_OK;
    }
    return sb_db_open(s->url, ret);
}

void sb_store_release(struct sb_store *s, struct sb_db *db)
{
    if (!db)
        return;
    if (db->tx_depth > 0) {
        /* a handler left a transaction open: never hand it to the next request */
        (void)sb_db_end(db, SB_EINTERNAL);
    }
    pthread_mutex_lock(&s->lock);
    if (s->nidle < s->max_idle) {
        s->idle[s->nidle++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    sb_db_close(db);
}

int sb_store_schema_version(const struct sb_store *s)
{
    return s->version;
}

/*
 * One job in its savepoint. Its work is kept only when the job succeeds and its
 * savepoint is released; otherwise it is undone (rolled back to the savepoint), so
 * a job never answers an error for work that would commit with the batch.
 * *ret_lost when the savepoint could not be made or undone: then the batch's
 * transaction cannot be trusted (SQLite may have rolled it back whole, on a full
 * disk or an I/O error, and would run what follows outside any transaction).
 */
static sb_err run_job(struct sb_db *db, struct write_job *j, bool *ret_lost)
{
    sb_err_clear();
    sb_err e = sb_db_exec(db, "SAVEPOINT sb_job", NULL);
    if (e) {
        j->info = *sb_err_last();
        *ret_lost = true;
        return e;
    }
    e = j->fn(db, j->ctx);
    if (e && j->otherwise && db->tx_depth == 1) {
        /* fn's work undone, and the job's other way taken in its place */
        if (sb_db_exec(db, "ROLLBACK TO SAVEPOINT sb_job", NULL)) {
            j->info = *sb_err_last();
            *ret_lost = true;
            return e;
        }
        sb_err_clear();
        e = j->otherwise(db, j->ctx);
    }
    if (db->tx_depth != 1) {
        /* fn left a transaction of its own open: refuse its work */
        db->tx_depth = 1;
        e = sb_fail(SB_EINTERNAL, NULL, "a write job left its transaction open");
    } else if (!e) {
        e = sb_db_exec(db, "RELEASE SAVEPOINT sb_job", NULL);
        if (!e)
            return SB_OK;
    }
    j->info = *sb_err_last();
    if (sb_db_exec(db, "ROLLBACK TO SAVEPOINT sb_job", NULL) ||
        sb_db_exec(db, "RELEASE SAVEPOINT sb_job", NULL))
        *ret_lost = true;
    return e;
}

/* Runs one batch: every job in its savepoint, one commit for all. When the
 * transaction is lost half-way, the jobs after it do not run, and every job of the
 * batch fails: nothing of it commits. */
static void run_batch(struct sb_store *s, struct write_job *batch)
{
    struct sb_db *db = s->wdb;
    sb_err err = sb_db_begin(db);
    struct sb_errinfo info = *sb_err_last();
    bool began = !err, lost = false;
    for (struct write_job *j = batch; j; j = j->next) {
        if (err) {
            j->err = err;
            j->info = info;
            continue;
        }
        j->err = run_job(db, j, &lost);
        if (lost) {
            err = j->err;
            info = j->info;
        }
    }
    if (!began)
        return;
    sb_err c = sb_db_end(db, err); /* commits, or rolls back a lost transaction */
    if (c) {
        if (!lost)
            info = *sb_err_last();
        for (struct write_job *j = batch; j; j = j->next) {
            if (!j->err) {
                j->err = c;
                j->info = info;
            }
        }
    }
}

/* This thread's CPU time (two clock reads a batch: cheap beside its commit). */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *writer_main(void *arg)
{
    struct sb_store *s = arg;
    pthread_setname_np(pthread_self(), "sb-writer"); /* as top -H and perf show it */
    pthread_mutex_lock(&s->wlock);
    for (;;) {
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->wake, &s->wlock);
        if (!s->head && s->stopping)
            break;
        struct write_job *batch = s->head, *last = batch;
        for (int n = 1; n < BATCH_MAX && last->next; n++)
            last = last->next;
        s->head = last->next;
        if (!s->head)
            s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->wlock);

        uint64_t cpu0 = thread_cpu_ns();
        run_batch(s, batch);
        uint64_t cpu = thread_cpu_ns() - cpu0;

        pthread_mutex_lock(&s->wlock);
        s->wstats = sb_db_stats(s->wdb);
        s->wcpu_ns += cpu;
        for (struct write_job *j = batch; j; j = j->next)
            j->done = true;
        pthread_cond_broadcast(&s->finished);
        if (s->on_commit)
            s->on_commit(s->on_commit_ud);
    }
    pthread_mutex_unlock(&s->wlock);
    return NULL;
}

struct sb_db_stats sb_store_writer_stats(struct sb_store *s, uint64_t *ret_cpu_ns)
{
    pthread_mutex_lock(&s->wlock);
    struct sb_db_stats st = s->wstats;
    if (ret_cpu_ns)
        *ret_cpu_ns = s->wcpu_ns;
    pthread_mutex_unlock(&s->wlock);
    return st;
}

void sb_store_on_commit(struct sb_store *s, void (*fn)(void *), void *ud)
{
    pthread_mutex_lock(&s->wlock);
    s->on_commit = fn;
    s->on_commit_ud = ud;
    pthread_mutex_unlock(&s->wlock);
}

void sb_store_on_queue(struct sb_store *s, void (*fn)(void *), void *ud)
{
    pthread_mutex_lock(&s->wlock);
    s->on_queue = fn;
    s->on_queue_ud = ud;
    pthread_mutex_unlock(&s->wlock);
}

sb_err sb_store_write(struct sb_store *s, sb_write_fn fn, void *ctx)
{
    return sb_store_write_else(s, fn, NULL, ctx);
}

sb_err sb_store_write_else(struct sb_store *s, sb_write_fn fn, sb_write_fn otherwise, void *ctx)
{
    struct write_job job = { .fn = fn, .otherwise = otherwise, .ctx = ctx };
    pthread_mutex_lock(&s->wlock);
    if (!s->writer_started) {
        sb_err err = s->stopping ? sb_fail(SB_EINTERNAL, NULL, "the store is closing")
                                 : sb_db_open(s->url, &s->wdb);
        if (!err && pthread_create(&s->writer, NULL, writer_main, s) != 0) {
            sb_db_close(s->wdb);
            s->wdb = NULL;
            err = sb_fail(SB_EINTERNAL, NULL, "cannot start the writer thread");
        }
        if (err) {
            pthread_mutex_unlock(&s->wlock);
            return err;
        }
        s->writer_started = true;
    }
    if (s->tail)
        s->tail->next = &job;
    else
        s->head = &job;
    s->tail = &job;
    if (s->on_queue)
        s->on_queue(s->on_queue_ud);
    pthread_cond_signal(&s->wake);
    while (!job.done)
        pthread_cond_wait(&s->finished, &s->wlock);
    pthread_mutex_unlock(&s->wlock);
    if (job.err)
        return sb_fail(job.err, job.info.field[0] ? job.info.field : NULL, "%s",
                       job.info.err == job.err && job.info.message[0] ? job.info.message
                                                                      : sb_err_message(job.err));
    return SB_OK;
}

sb_err sb_store_transaction(struct sb_db *db, sb_write_fn fn, void *ctx)
{
    sb_err err = sb_db_begin(db);
    return err ? err : sb_db_end(db, fn(db, ctx));
}

sb_err sb_store_ping(struct sb_db *db)
{
    int64_t one;
    return sb_db_int(db, &one, "SELECT 1", NULL);
}
