/*
 * The storage layer over a real SQLite file: migrations, the query
 * helpers, constraint mapping, transactions, the append-only stock ledger
 * and the invariant checker.
 */
#include "store/check.h"
#include "store/outlets.h"
#include "store/stock.h"
#include "store/store.h"

#include "harness.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct th_db tdb;
static struct sb_store *store;
static struct sb_db *db;

static void setup(void)
{
    th_db_make(&tdb);
    cr_assert_eq(sb_store_open(tdb.url, 4, &store), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_store_acquire(store, &db), SB_OK);
}

static void teardown(void)
{
    sb_store_release(store, db);
    sb_store_close(store);
    th_db_drop(&tdb);
}

TestSuite(store, .init = setup, .fini = teardown);

static int64_t outlet(const char *name)
{
    struct sb_outlet o = { .name = { name, true }, .currency = { "USD", true } };
    int64_t id;
    cr_assert_eq(sb_store_outlet_create(db, &o, &id), SB_OK);
    return id;
}

static int64_t item(const char *sku, int track)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO items (sku, name, track_stock, created_at, updated_at)"
             " VALUES ('%s', 'x', %s, 'now', 'now') RETURNING id",
             sku, track ? "true" : "false");
    int64_t id;
    cr_assert_eq(sb_db_int(db, &id, sql, NULL), SB_OK);
    return id;
}

Test(store, migrations_are_recorded_once)
{
    int version = sb_store_schema_version(store);
    cr_expect_geq(version, 1);
    int64_t n;
    cr_expect_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM schema_migrations", NULL), SB_OK);
    cr_expect_eq(n, version);
    struct sb_store *again;
    cr_assert_eq(sb_store_open(tdb.url, 1, &again), SB_OK);
    cr_expect_eq(sb_store_schema_version(again), version);
    sb_store_close(again);
    cr_expect_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM schema_migrations", NULL), SB_OK);
    cr_expect_eq(n, version);
}

Test(store, constraint_errors_are_mapped)
{
    outlet("A");
    struct sb_outlet dup = { .name = { "A", true }, .currency = { "USD", true } };
    int64_t id;
    cr_expect_eq(sb_store_outlet_create(db, &dup, &id), SB_EDUPLICATE);
    cr_expect_eq(sb_db_exec(db,
                            "INSERT INTO registers (outlet_id, name, created_at, updated_at)"
                            " VALUES (999, 'x', 'now', 'now')",
                            NULL),
                 SB_EUNKNOWN_REFERENCE);
    cr_expect_eq(sb_db_int(db, &id, "SELECT id FROM outlets WHERE name = ?", "s", "nope"),
                 SB_ENOT_FOUND);
}

Test(store, rollback_discards_everything)
{
    cr_assert_eq(sb_db_begin(db), SB_OK);
    outlet("Temp");
    cr_assert_eq(sb_db_begin(db), SB_OK); /* nested: joins the outer transaction */
    outlet("Temp2");
    cr_expect_eq(sb_db_end(db, SB_OK), SB_OK);
    cr_expect_eq(sb_db_end(db, SB_ECONFLICT), SB_ECONFLICT);
    int64_t n;
    cr_expect_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM outlets", NULL), SB_OK);
    cr_expect_eq(n, 0);
}

Test(store, json_rows_keep_types)
{
    int64_t o = outlet("Typed");
    item("SKU1", 1);
    json_t *row;
    cr_assert_eq(
        sb_db_json_one(db, &row, "SELECT id, name, track_stock, description FROM items", NULL),
        SB_OK);
    cr_expect(json_is_integer(json_object_get(row, "id")));
    cr_expect(json_is_string(json_object_get(row, "name")));
    cr_expect(json_is_true(json_object_get(row, "track_stock")));
    cr_expect(json_is_null(json_object_get(row, "description")));
    json_decref(row);
    (void)o;
}

Test(store, nested_use_of_one_statement)
{
    outlet("N1");
    outlet("N2");
    const char *sql = "SELECT id FROM outlets ORDER BY id";
    struct sb_q outer, inner;
    int rows = 0;
    cr_assert_eq(sb_q_open(&outer, db, sql, NULL), SB_OK);
    while (sb_q_next(&outer)) {
        cr_assert_eq(sb_q_open(&inner, db, sql, NULL), SB_OK);
        while (sb_q_next(&inner))
            rows++;
        cr_expect_eq(sb_q_close(&inner), SB_OK);
    }
    cr_expect_eq(sb_q_close(&outer), SB_OK);
    cr_expect_eq(rows, 4);
}

Test(store, stock_moves_write_the_ledger)
{
    int64_t o = outlet("S"), i = item("TRACKED", 1), u = item("UNTRACKED", 0);
    int64_t on_hand = 0;
    bool applied = false;
    struct sb_stock_move m = { .item_id = i,
                               .outlet_id = o,
                               .reason = SB_STOCK_RECEIPT,
                               .quantity = 7,
                               .reference = "receipt:PO-1" };
    cr_assert_eq(sb_store_stock_move(db, &m, &on_hand, &applied), SB_OK);
    cr_expect(applied);
    cr_expect_eq(on_hand, 7);
    m.reason = SB_STOCK_SALE;
    m.quantity = -9;
    cr_assert_eq(sb_store_stock_move(db, &m, &on_hand, &applied), SB_OK);
    cr_expect_eq(on_hand, -2);
    m.reason = SB_STOCK_RESERVATION;
    m.quantity = 1;
    cr_assert_eq(sb_store_stock_move(db, &m, &on_hand, &applied), SB_OK);
    int64_t reserved;
    cr_expect_eq(sb_db_int(db, &reserved, "SELECT reserved FROM stock WHERE item_id = ?", "i", i),
                 SB_OK);
    cr_expect_eq(reserved, 1);
    int64_t n;
    cr_expect_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM stock_ledger", NULL), SB_OK);
    cr_expect_eq(n, 3);
    m.item_id = u;
    cr_assert_eq(sb_store_stock_move(db, &m, &on_hand, &applied), SB_OK);
    cr_expect_not(applied);
    cr_expect_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM stock_ledger", NULL), SB_OK);
    cr_expect_eq(n, 3);
    m.item_id = 999;
    cr_expect_eq(sb_store_stock_move(db, &m, &on_hand, &applied), SB_EUNKNOWN_REFERENCE);
}

Test(store, ledger_is_append_only)
{
    int64_t o = outlet("L"), i = item("LEDGER", 1);
    struct sb_stock_move m = {
        .item_id = i, .outlet_id = o, .reason = SB_STOCK_RECEIPT, .quantity = 1
    };
    cr_assert_eq(sb_store_stock_move(db, &m, NULL, NULL), SB_OK);
    cr_expect_eq(sb_db_exec(db, "UPDATE stock_ledger SET on_hand_delta = 5", NULL), SB_ECONFLICT);
    cr_expect_eq(sb_db_exec(db, "DELETE FROM stock_ledger", NULL), SB_ECONFLICT);
}

static int violations;
static char last_detail[256];

static void count(void *ud, enum sb_invariant inv, const char *detail)
{
    (void)ud;
    (void)inv;
    violations++;
    snprintf(last_detail, sizeof(last_detail), "%s", detail);
}

Test(store, check_finds_each_broken_invariant)
{
    int64_t o = outlet("C"), i = item("CHECK", 1);
    struct sb_stock_move m = {
        .item_id = i, .outlet_id = o, .reason = SB_STOCK_RECEIPT, .quantity = 4
    };
    cr_assert_eq(sb_store_stock_move(db, &m, NULL, NULL), SB_OK);
    int64_t n = -1;
    violations = 0;
    cr_assert_eq(sb_store_check(db, count, NULL, &n), SB_OK);
    cr_expect_eq(n, 0);

    /* stock.ledger: on hand changed behind the ledger's back */
    cr_assert_eq(sb_db_exec(db, "UPDATE stock SET on_hand = 5", NULL), SB_OK);
    cr_assert_eq(sb_store_check(db, count, NULL, &n), SB_OK);
    cr_expect_eq(n, 1);
    cr_expect_str_eq(last_detail, "item 1 at outlet 1: on hand 5, but its ledger adds up to 4");
    cr_assert_eq(sb_db_exec(db, "UPDATE stock SET on_hand = 4", NULL), SB_OK);

    /* sale.total and sale.balance */
    cr_assert_eq(sb_db_exec(db,
                            "INSERT INTO sales (outlet_id, status, currency, subtotal,"
                            " discount_total, tax_total, adjustment_total, total, paid_total,"
                            " balance_due, created_at, updated_at) VALUES"
                            " (?, 'open', 'USD', 0, 0, 0, 0, 10, 0, 3, 'now', 'now')",
                            "i", o),
                 SB_OK);
    cr_assert_eq(sb_store_check(db, count, NULL, &n), SB_OK);
    cr_expect_eq(n, 2);
}

/* Group commit: jobs share a transaction but not each other's failures. */
struct job_ctx {
    const char *name;
    bool fail;
};

static sb_err insert_outlet(struct sb_db *d, void *ctx)
{
    struct job_ctx *j = ctx;
    struct sb_outlet o = { .name = { j->name, true }, .currency = { "USD", true } };
    int64_t id;
    sb_err err = sb_store_outlet_create(d, &o, &id);
    if (!err && j->fail)
        return sb_fail(SB_ECONFLICT, "name", "refused %s on purpose", j->name);
    return err;
}

static void *writer_thread(void *arg)
{
    struct job_ctx *j = arg;
    sb_err err = sb_store_write(store, insert_outlet, j);
    return (void *)(intptr_t)err;
}

Test(store, group_commit_isolates_failures)
{
    enum {
        N = 24
    };
    struct job_ctx jobs[N];
    char names[N][16];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "G%d", i);
        jobs[i] = (struct job_ctx){ .name = names[i], .fail = i % 5 == 0 };
        pthread_create(&th[i], NULL, writer_thread, &jobs[i]);
    }
    int failed = 0;
    for (int i = 0; i < N; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        sb_err err = (sb_err)(intptr_t)ret;
        cr_expect_eq(err, jobs[i].fail ? SB_ECONFLICT : SB_OK, "job %d", i);
        failed += jobs[i].fail;
    }
    int64_t n;
    cr_assert_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM outlets", NULL), SB_OK);
    cr_expect_eq(n, N - failed, "every job that succeeded is committed, no failed one is");
    cr_assert_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM outlets WHERE name = 'G5'", NULL), SB_OK);
    cr_expect_eq(n, 0);
    /* the caller sees the job's own error details */
    struct job_ctx bad = { .name = "G1", .fail = false }; /* a duplicate name */
    cr_expect_eq(sb_store_write(store, insert_outlet, &bad), SB_EDUPLICATE);
    struct job_ctx refused = { .name = "fresh", .fail = true };
    cr_expect_eq(sb_store_write(store, insert_outlet, &refused), SB_ECONFLICT);
    cr_expect_str_eq(sb_err_last()->field, "name");
    cr_expect_str_eq(sb_err_last()->message, "refused fresh on purpose");
}

/* sb_store_write_else: a failing job's work is undone and its other way runs in its place,
 * in the same job; a job that succeeds never takes it. */
static sb_err insert_other(struct sb_db *d, void *ctx)
{
    struct job_ctx *j = ctx;
    struct job_ctx other = { .name = j->fail ? "other-way" : "never", .fail = false };
    return insert_outlet(d, &other);
}

Test(store, write_else_undoes_the_failed_way_and_takes_the_other)
{
    int64_t n;
    struct job_ctx refused = { .name = "first-way", .fail = true };
    cr_expect_eq(sb_store_write_else(store, insert_outlet, insert_other, &refused), SB_OK);
    cr_assert_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM outlets WHERE name = 'first-way'", NULL),
                 SB_OK);
    cr_expect_eq(n, 0, "the failed way's outlet is undone");
    cr_assert_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM outlets WHERE name = 'other-way'", NULL),
                 SB_OK);
    cr_expect_eq(n, 1, "the other way is committed");
    struct job_ctx fine = { .name = "fine-way", .fail = false };
    cr_expect_eq(sb_store_write_else(store, insert_outlet, insert_other, &fine), SB_OK);
    cr_assert_eq(sb_db_int(db, &n,
                           "SELECT COUNT(*) FROM outlets WHERE name IN ('fine-way',"
                           " 'never')",
                           NULL),
                 SB_OK);
    cr_expect_eq(n, 1, "a job that succeeds keeps its work and never takes the other way");
    /* the other way failing too: the caller gets its error, nothing of either is kept */
    struct job_ctx dup = { .name = "other-way", .fail = true }; /* the other way: a duplicate */
    cr_expect_eq(sb_store_write_else(store, insert_outlet, insert_other, &dup), SB_EDUPLICATE);
    cr_assert_eq(sb_db_int(db, &n, "SELECT COUNT(*) FROM outlets WHERE name = 'other-way'", NULL),
                 SB_OK);
    cr_expect_eq(n, 1);
}

/* A statement given fewer or more values than it has "?" marks is refused, on every backend
 * (SQLite alone would bind the missing ones as NULL without a word). */
Test(store, a_statement_given_the_wrong_number_of_values_is_refused)
{
    int64_t v = 0;
#define TWO "SELECT CAST(? AS BIGINT) + CAST(? AS BIGINT)"
    cr_expect_eq(sb_db_int(db, &v, TWO, "i", (int64_t)1), SB_EINTERNAL);
    cr_expect(strstr(sb_err_last()->message, "takes 2 values, 1 given") != NULL, "%s",
              sb_err_last()->message);
    cr_expect_eq(sb_db_int(db, &v, "SELECT CAST(? AS BIGINT)", "ii", (int64_t)1, (int64_t)2),
                 SB_EINTERNAL);
    cr_expect_eq(sb_db_int(db, &v, TWO, "ii", (int64_t)1, (int64_t)2), SB_OK, "%s",
                 sb_err_last()->message);
    cr_expect_eq(v, 3);
}
