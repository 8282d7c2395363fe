/*
 * A pool of database connections shared by the server's threads. Opening
 * the store applies migrations once; each request then borrows one
 * connection (its prepared-statement cache stays warm) and gives it back.
 */
#ifndef SB_STORE_H
#define SB_STORE_H

#include "store/db.h"

struct sb_store;

sb_err sb_store_open(const char *url, unsigned max_idle, struct sb_store **ret);
void sb_store_close(struct sb_store *s); /* accepts NULL */
sb_err sb_store_acquire(struct sb_store *s, struct sb_db **ret);
void sb_store_release(struct sb_store *s, struct sb_db *db); /* accepts NULL db */
int sb_store_schema_version(const struct sb_store *s);

/*
 * Group commit. fn(db, ctx) runs on the store's one writer connection inside a
 * write transaction shared with the other writers queued at the same time, each
 * in its own savepoint: a failing fn rolls back only its own work. The call
 * returns once the shared transaction is durably committed, with fn's error (its
 * field and message restored on the calling thread) or the commit's. One fsync
 * then serves a whole batch, and the writer's page cache stays warm.
 * fn may call sb_db_begin/sb_db_end (they join the shared transaction) but must
 * not call sb_store_write.
 */
typedef sb_err (*sb_write_fn)(struct sb_db *db, void *ctx);
sb_err sb_store_write(struct sb_store *s, sb_write_fn fn, void *ctx);
/* The same with another way: when fn fails, its work is undone and otherwise(db, ctx)
 * runs in its place, in the same job; the call answers otherwise's error (fn's is gone).
 * For a job that would otherwise wrap a part that may fail in a savepoint of its own:
 * the usual case then costs no second savepoint. NULL otherwise: sb_store_write. */
sb_err sb_store_write_else(struct sb_store *s, sb_write_fn fn, sb_write_fn otherwise, void *ctx);

/* What the writer's connection has run (struct sb_db_stats), as of its last batch: a job's
 * statements are counted once sb_store_write has returned for it. Zeros before the first
 * write. ret_cpu_ns (may be NULL): the CPU time the writer thread has spent running its
 * batches (jobs, savepoints, commits), for benchmarks. */
struct sb_db_stats sb_store_writer_stats(struct sb_store *s, uint64_t *ret_cpu_ns);

/* fn(db, ctx) as one business action on the caller's connection (not the writer's):
 * committed when it returns SB_OK, rolled back otherwise; its error is returned. For
 * callers that string several store actions together (the demo store's seed). */
sb_err sb_store_transaction(struct sb_db *db, sb_write_fn fn, void *ctx);

/* Whether the database answers (GET /healthz): a trivial query on the connection. */
sb_err sb_store_ping(struct sb_db *db);

/* fn(ud) is called after every commit of the writer (from its thread; it must be quick
 * and must not call sb_store_write). NULL fn: none. */
void sb_store_on_commit(struct sb_store *s, void (*fn)(void *), void *ud);

/* fn(ud) is called each time a job is queued for the writer, before it runs (from the
 * queuing thread, under the writer's lock: quick, and no sb_store_write). For tests that
 * must know two jobs wait together, so they share a batch. NULL fn: none. */
void sb_store_on_queue(struct sb_store *s, void (*fn)(void *), void *ud);

#endif
