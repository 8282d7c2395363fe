/*
 * Statements over many rows at once, in portable SQL: a multi-row INSERT
 * ("INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ...", RETURNING and ON CONFLICT
 * allowed after it) and a read whose WHERE takes a list ("id IN (?, ?, ?)").
 * One statement for n rows instead of n: a web order's lines, taxes, ledger
 * entries and fulfillment lines each cost one (docs/performance.md). At most
 * SB_ROWS_MAX rows go in one statement, so the statement cache holds a few
 * variants of each (one per row count), however long an order is.
 */
#ifndef SB_STORE_ROWS_H
#define SB_STORE_ROWS_H

#include "store/db.h"

#include <stddef.h>

#define SB_ROWS_MAX 8

/* Called for each row a statement answers (RETURNING, or a read), with the query at that
 * row; an error stops the statement and is returned. */
typedef sb_err (*sb_rows_fn)(struct sb_q *q, void *ud);

/*
 * head " VALUES " row, row, ... tail: row is one row's values with its own "?" marks,
 * such as "(?, ?, COALESCE(?, (SELECT sku FROM items WHERE id = ?)))", and args holds
 * nrows times as many values, row after row. tail (NULL: none) follows the values: an
 * ON CONFLICT clause, RETURNING. Rows come back through fn (NULL: ignored), in no
 * promised order: RETURNING should name a column that tells them apart.
 */
sb_err sb_rows_insert(struct sb_db *db, const char *head, const char *row, const char *tail,
                      const struct sb_db_arg *args, size_t nrows, sb_rows_fn fn, void *ud);

/*
 * A read over a list: head, then "?, ?, ..." for the n keys, then tail, such as
 * head "SELECT id, track_stock FROM items WHERE id IN (" and tail ")". before holds the
 * values of the marks head has of its own (n_before of them), after those of tail's
 * (n_after). Each row goes to fn. More than SB_ROWS_MAX keys are read in several
 * statements.
 */
sb_err sb_rows_select(struct sb_db *db, const char *head, const char *tail,
                      const struct sb_db_arg *before, size_t n_before, const struct sb_db_arg *keys,
                      size_t n, const struct sb_db_arg *after, size_t n_after, sb_rows_fn fn,
                      void *ud);

#endif
