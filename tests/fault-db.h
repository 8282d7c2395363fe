/*
 * A failing store, for tests: a storage backend (struct sb_db_ops) that
 * wraps a real one and fails on demand, the way SQLite's crash tests put a
 * VFS shim under SQLite. A store opened on "fault:sqlite:/path" (after
 * fault_db_install()) behaves exactly like "sqlite:/path" until armed; armed
 * with fault_db_arm(n, kind), the n-th counted driver call from then on
 * fails:
 *
 *   FAULT_FAIL   any call that can fail (begin, commit, prepare, bind, step)
 *                fails with SB_ESTORAGE and does nothing; a transaction stays
 *                open, as after SQLite undoes one statement (SQLITE_BUSY, a
 *                statement SQLite rolls back alone);
 *   FAULT_FULL   a step or a commit (the calls that write) fails as SQLite
 *                does with SQLITE_FULL when it has to give up the whole
 *                transaction: the transaction is rolled back, the call
 *                answers "database or disk is full";
 *   FAULT_IOERR  the same with SQLITE_IOERR: "disk I/O error".
 *
 * The counts are process-wide (every connection, every thread), so a test
 * arms the shim only while nothing else uses the store. The shim also keeps
 * what a test needs to check that a failure was clean: how many statements
 * are prepared and not yet finished, and how many connections are inside a
 * transaction. Rollback, finish and the column accessors never fail: they
 * are how a caller recovers.
 */
#ifndef SB_TEST_FAULT_DB_H
#define SB_TEST_FAULT_DB_H

#include "store/db.h"

#include <stdbool.h>

enum fault_kind {
    FAULT_FAIL,
    FAULT_FULL,
    FAULT_IOERR
};

#define FAULT_SCHEME "fault:"

/* Registers the shim (scheme "fault:") with sb_db_register; idempotent. */
void fault_db_install(void);

/* Fails the n-th counted call from now (n >= 1) with kind; the counter restarts. */
void fault_db_arm(long n, enum fault_kind kind);
/* Fails the next `times` steps of statements whose SQL starts with prefix (copied), with
 * kind, whichever thread runs them: for tests beside background threads, where counting
 * calls is not deterministic. fault_db_disarm stops it too. */
void fault_db_arm_sql(const char *prefix, enum fault_kind kind, int times);
/* Stops failing; returns whether the armed failure happened. */
bool fault_db_disarm(void);
/* Counted calls since the last arm. */
long fault_db_calls(void);

/* Statements prepared and not finished, over every connection. */
long fault_db_open_statements(void);
/* Connections inside a transaction they began (begin without commit or rollback). */
long fault_db_open_transactions(void);

/* The message of an injected failure of this kind starts with this. */
const char *fault_db_message(enum fault_kind kind);

#endif
