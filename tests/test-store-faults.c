/*
 * Every business action against a failing store (tests/fault-db.h), the way
 * SQLite's crash tests put a VFS shim under SQLite: the action runs with its
 * 1st driver call failing, then its 2nd, 3rd ... until it runs through.
 * After each failure the answer must be a clean error (the storage error,
 * with the injected message: nothing swallowed, nothing taken for "not
 * found"), no statement left unfinished, no transaction left open, and the
 * database exactly as before (a fingerprint of every row of every table);
 * leaks show under ASan when the process ends. Failures come in three
 * kinds: a plain failure of any call, and a full disk or an I/O error that
 * cost the whole transaction, as SQLite may answer to a write.
 *
 * The actions: a sale, a payment, a void, a return, a web order imported
 * (sb_sync_apply_order on a parsed fixture, new and then cancelled), a stock
 * receipt, adjustment and count, and a reconciliation's writes. Each runs
 * on a connection of its own (its own transaction) and through the
 * group-commit writer (sb_store_write), as the server runs them. The rules
 * behind each are named with the action (O2, O6, S1, S2, I3, I5 ...); the
 * guarantee checked is the architecture's: what one action does commits
 * together or not at all.
 */
#include "fault-channel.h"
#include "fault-db.h"
#include "harness.h"
#include "shopify-test.h"
#include "store/sales.h"
#include "store/stock.h"
#include "sync/channel-cache.h"
#include "sync/order-apply.h"
#include "sync/reconcile.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static struct sb_store *fs; /* the same database through the failing shim */

static void setup(void)
{
    fault_db_install();
    fault_channel_install();
    fault_channel_set_stock(1, "TEE", 15);
    fault_channel_set_stock(1, "MUG", 3);
    th_start(&t);
    th_fixture(&t, &f);
    /* channel 1, stock sync on: every stock change below also queues its push (I3) */
    int64_t id = th_create(&t, t.admin, "/api/v1/channels",
                           "{\"kind\":\"" FC_KIND "\",\"name\":\"Web shop\","
                           "\"credentials\":{\"shop\":\"demo\","
                           "\"webhook_secret\":\"" TH_SHOP_SECRET "\"},"
                           "\"outlets\":[1,2],\"default_outlet_id\":1,\"register_id\":1,"
                           "\"employee_id\":1}");
    cr_assert_eq(id, 1);
    th_wait_pipeline(&t);
    cr_assert_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sync_queue"), 0, "the first push is done");
    /* from here on the tests drive the store alone: nothing else writes */
    sb_server_stop(t.server);
    sb_pipeline_stop(t.pipeline);
    t.server = NULL;
    t.pipeline = NULL;
    char url[400];
    snprintf(url, sizeof(url), FAULT_SCHEME "%s", t.db_url);
    cr_assert_eq(sb_store_open(url, 4, &fs), SB_OK, "%s", sb_err_last()->message);
}

static void teardown(void)
{
    fault_db_disarm();
    sb_store_close(fs);
    th_stop(&t); /* and `stockbridge check`: the invariants hold after all of it */
}

TestSuite(store_faults, .init = setup, .fini = teardown, .timeout = 280);

/* ---------------------------------------------------------------- the actions */

/* What an action works on, set up before its sweep with the shim disarmed. */
struct ctx {
    int64_t sale_id, line_id, new_id;
    int64_t entry;  /* the ledger entry an adjustment made */
    int64_t serial; /* makes each web order new */
    struct sb_arena *a;
    struct sb_channel_rt *rt;
    struct sb_order *order;
    json_t *report;
};

struct action {
    const char *name;
    /* The action on a connection; own_tx: it begins and ends its transaction itself
     * (else it runs inside one, as the pipeline runs it). */
    sb_err (*run)(struct sb_db *db, void *ctx);
    bool own_tx;
    /* Or an action that takes the store (it borrows and writes through the writer). */
    sb_err (*run_store)(struct sb_store *s, struct ctx *c);
    void (*prepare)(struct ctx *c);
    /* What success must have done. */
    void (*check)(struct ctx *c);
};

static const struct sb_sale_tax state_tax = { .name = "State", .rate = "5", .amount = 100 };
static const struct sb_address ship_to = {
    .name = "Jo Bloggs", .line1 = "1 Quay St", .city = "Portland", .country = "US"
};

/* A till sale of a T-shirt and a mug, shipped; paid in full or not at all. */
static sb_err sell_noted(struct sb_db *db, bool paid, const char *note, int64_t *ret_id)
{
    const struct sb_sale_line lines[] = {
        { .item_id = 1,
          .quantity = 1,
          .unit_price = 2000,
          .unit_price_set = true,
          .taxes = &state_tax,
          .n_taxes = 1 },
        { .item_id = 2, .quantity = 1 },
    };
    const struct sb_sale_payment pay = { .payment_type_id = 1, .amount = 2000 + 1250 + 100 };
    const struct sb_sale_input in = {
        .outlet_id = 1,
        .register_id = 1,
        .employee_id = 1,
        .lines = lines,
        .n_lines = 2,
        .payments = &pay,
        .n_payments = paid ? 1 : 0,
        .ship_to = &ship_to,
        .ship_method = "Post",
        .note = note,
        .allow_oversell = true, /* the sweep sells the mug many times over: not its subject */
    };
    return sb_store_sale_create(db, &in, ret_id);
}

static sb_err sell(struct sb_db *db, bool paid, int64_t *ret_id)
{
    return sell_noted(db, paid, "fault sweep", ret_id);
}

/* A sale made with the shim disarmed, as the precondition of another action. */
static int64_t made_sale(bool paid)
{
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(fs, &db), SB_OK);
    int64_t id = 0;
    cr_assert_eq(sell(db, paid, &id), SB_OK, "%s", sb_err_last()->message);
    sb_store_release(fs, db);
    return id;
}

static sb_err run_sale(struct sb_db *db, void *ctx)
{
    struct ctx *c = ctx;
    return sell(db, true, &c->new_id);
}

static void prepare_sale(struct ctx *c)
{
    c->new_id = 0;
}

#define sql_int(...) th_sql_intf(&t, __VA_ARGS__)

static void check_sale(struct ctx *c)
{
    cr_expect_gt(c->new_id, 0);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'completed'"
                         " AND total = 3350 AND paid_total = 3350",
                         (long long)c->new_id),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reference = 'sale:%lld'",
                         (long long)c->new_id),
                 2, "O6: stock left with the sale");
    cr_expect_eq(
        sql_int("SELECT COUNT(*) FROM fulfillments WHERE sale_id = %lld", (long long)c->new_id), 1);
}

static sb_err run_pay(struct sb_db *db, void *ctx)
{
    struct ctx *c = ctx;
    struct sb_scope all = { .user_id = 1, .role = SB_ROLE_ADMIN, .all_outlets = true };
    const struct sb_sale_payment p = { .payment_type_id = 2, .amount = 3350, .reference = "card" };
    return sb_store_sale_pay(db, &all, c->sale_id, &p, 1, NULL);
}

static void prepare_pay(struct ctx *c)
{
    c->sale_id = made_sale(false);
}

static void check_pay(struct ctx *c)
{
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'completed'"
                         " AND balance_due = 0",
                         (long long)c->sale_id),
                 1);
}

static sb_err run_void(struct sb_db *db, void *ctx)
{
    struct ctx *c = ctx;
    struct sb_scope all = { .user_id = 1, .role = SB_ROLE_ADMIN, .all_outlets = true };
    return sb_store_sale_void(db, &all, c->sale_id, 1, "fault sweep");
}

static void prepare_made(struct ctx *c)
{
    c->sale_id = made_sale(true);
    c->line_id = sql_int("SELECT id FROM sale_lines WHERE sale_id = %lld AND line_no = 1",
                         (long long)c->sale_id);
}

static void check_void(struct ctx *c)
{
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE id = %lld AND status = 'voided'",
                         (long long)c->sale_id),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reference = 'void:%lld'",
                         (long long)c->sale_id),
                 2, "the stock came back");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM fulfillments WHERE sale_id = %lld"
                         " AND status <> 'cancelled'",
                         (long long)c->sale_id),
                 0);
}

static sb_err run_return(struct sb_db *db, void *ctx)
{
    struct ctx *c = ctx;
    struct sb_scope all = { .user_id = 1, .role = SB_ROLE_ADMIN, .all_outlets = true };
    const struct sb_return_line l = { .sale_line_id = c->line_id, .quantity = 1, .restock = true };
    const struct sb_return_input in = {
        .reason = "too small", .payment_type_id = 1, .user_id = 1, .lines = &l, .n_lines = 1
    };
    return sb_store_sale_return(db, &all, c->sale_id, &in, &c->new_id);
}

static void check_return(struct ctx *c)
{
    cr_expect_eq(sql_int("SELECT refunded_total FROM sales WHERE id = %lld", (long long)c->sale_id),
                 2100, "S2: the line's share");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reference = 'return:%lld'",
                         (long long)c->new_id),
                 1, "restocked");
}

static sb_err run_receipt(struct sb_db *db, void *ctx)
{
    const struct sb_stock_receipt_line lines[] = { { .item_id = 1, .quantity = 12 },
                                                   { .item_id = 2, .quantity = 6 } };
    return sb_store_stock_receive(db, 1, "PO-77", "fault sweep", 1, lines, 2);
}

static void check_receipt(struct ctx *c)
{
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE reference = 'receipt:PO-77'"
                         " AND id > %lld",
                         (long long)c->new_id),
                 2);
}

static void prepare_ledger_mark(struct ctx *c)
{
    c->new_id = sql_int("SELECT COALESCE(MAX(id), 0) FROM stock_ledger");
}

static sb_err run_adjust(struct sb_db *db, void *ctx)
{
    struct ctx *c = ctx;
    const struct sb_stock_adjustment a = {
        .item_id = 1, .outlet_id = 1, .delta = -1, .reference = "shrink", .user_id = 1
    };
    return sb_store_stock_adjust(db, &a, &c->entry);
}

static sb_err run_count(struct sb_db *db, void *ctx)
{
    struct ctx *c = ctx;
    const struct sb_stock_adjustment a = {
        .item_id = 2, .outlet_id = 1, .is_count = true, .count = 40, .user_id = 1
    };
    return sb_store_stock_adjust(db, &a, &c->entry);
}

static void check_adjusted(struct ctx *c, int64_t item, int64_t outlet, const char *reason)
{
    cr_expect_gt(c->entry, c->new_id, "a new ledger entry");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger WHERE id = %lld AND item_id = %lld"
                         " AND outlet_id = %lld AND reason = '%s'",
                         (long long)c->entry, (long long)item, (long long)outlet, reason),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue WHERE channel_id = 1 AND kind = 'stock'"
                         " AND item_id = %lld AND status = 'pending'",
                         (long long)item),
                 1, "I3: the change is queued for the channel");
}

static void check_adjust(struct ctx *c)
{
    check_adjusted(c, 1, 1, "adjustment");
}

static void check_count(struct ctx *c)
{
    check_adjusted(c, 2, 1, "count");
}

/* ---- web orders (O1-O7, S1) ---- */

static void load_channel(struct ctx *c)
{
    if (c->rt)
        return;
    c->a = sb_arena_new();
    cr_assert_not_null(c->a);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(fs, &db), SB_OK);
    cr_assert_eq(sb_channel_load(NULL, db, 1, c->a, &c->rt), SB_OK, "%s", sb_err_last()->message);
    sb_store_release(fs, db);
}

/* The multi-line fixture order as a new order (its own id and number), cancelled or not. */
static struct sb_order *fixture_order(struct ctx *c, bool cancelled)
{
    json_t *o = fixture_json("orders-create-multi.json");
    json_object_set_new(o, "id", json_integer(9007199254740993123LL + c->serial));
    char name[32];
    snprintf(name, sizeof(name), "#%lld", 5000 + (long long)c->serial);
    json_object_set_new(o, "name", json_string(name));
    if (cancelled) {
        json_object_set_new(o, "cancelled_at", json_string("2026-11-22T10:00:00-05:00"));
        json_object_set_new(o, "cancel_reason", json_string("customer"));
        json_object_set_new(o, "updated_at", json_string("2026-11-22T10:00:00-05:00"));
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    cr_assert_not_null(text);
    struct sb_order *order = NULL;
    sb_err err =
        c->rt->ops->parse_event(&c->rt->ch, "orders/create", text, strlen(text), c->a, &order);
    free(text);
    cr_assert_eq(err, SB_OK, "%s", sb_err_last()->message);
    cr_assert_not_null(order);
    return order;
}

static sb_err run_import(struct sb_db *db, void *ctx)
{
    struct ctx *c = ctx;
    enum sb_apply_outcome out;
    sb_err err = sb_sync_apply_order(db, c->rt, c->order, &out);
    if (!err && out != SB_APPLY_IMPORTED && out != SB_APPLY_UPDATED)
        return sb_fail(SB_EINTERNAL, NULL, "unexpected outcome %d", (int)out);
    return err;
}

static void prepare_import(struct ctx *c)
{
    load_channel(c);
    c->serial++;
    c->order = fixture_order(c, false);
}

static void check_import(struct ctx *c)
{
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE channel_id = 1 AND external_id = '%s'",
                         c->order->external_id),
                 1, "O2: one sale");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_orders WHERE channel_id = 1"
                         " AND external_id = '%s' AND state = 'downloaded'",
                         c->order->external_id),
                 1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM stock_ledger l JOIN sales s"
                         " ON l.reference = 'sale:' || s.id WHERE s.external_id = '%s'",
                         c->order->external_id),
                 2, "O6: TEE and MUG left stock; the unknown line did not");
}

/* S1: the order, already down, comes again cancelled: the sale is voided. */
static void prepare_cancel(struct ctx *c)
{
    prepare_import(c);
    struct sb_db *db;
    cr_assert_eq(sb_store_acquire(fs, &db), SB_OK);
    cr_assert_eq(sb_db_begin(db), SB_OK);
    cr_assert_eq(sb_db_end(db, run_import(db, c)), SB_OK, "%s", sb_err_last()->message);
    sb_store_release(fs, db);
    c->order = fixture_order(c, true);
}

static void check_cancel(struct ctx *c)
{
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sales WHERE channel_id = 1 AND external_id = '%s'"
                         " AND status = 'voided'",
                         c->order->external_id),
                 1, "S1: voided");
}

/* ---- reconciliation (I5) ---- */

static void prepare_reconcile(struct ctx *c)
{
    /* the shop says otherwise than the POS about both items */
    fault_channel_set_stock(1, "TEE", 99);
    fault_channel_set_stock(1, "MUG", 99);
    th_sql_exec(&t, "DELETE FROM sync_queue");
    json_decref(c->report);
    c->report = NULL;
}

static sb_err run_reconcile(struct sb_store *s, struct ctx *c)
{
    json_decref(c->report);
    c->report = NULL;
    return sb_sync_reconcile(s, NULL, 1, NULL, &c->report);
}

static void check_reconcile(struct ctx *c)
{
    cr_expect_eq(th_int(c->report, "corrected"), 2);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue WHERE channel_id = 1"), 2,
                 "both differences queued");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_sync WHERE channel_id = 1"
                         " AND last_reconcile LIKE '%%\"corrected\":2%%'"),
                 1, "and reported");
}

/* ---------------------------------------------------------------- the sweep */

enum path {
    DIRECT, /* on a borrowed connection, in the action's own transaction */
    GROUP,  /* through the group-commit writer */
};

static const char *const path_names[] = { "direct", "group" };
static const char *const kind_names[] = { "fail", "full", "ioerr" };

static sb_err run_once(const struct action *a, enum path p, struct ctx *c)
{
    if (a->run_store)
        return a->run_store(fs, c);
    if (p == GROUP)
        return sb_store_write(fs, a->run, c);
    struct sb_db *db;
    sb_err err = sb_store_acquire(fs, &db);
    if (err)
        return err;
    if (a->own_tx) {
        err = a->run(db, c);
    } else {
        err = sb_db_begin(db);
        if (!err)
            err = sb_db_end(db, a->run(db, c));
    }
    sb_store_release(fs, db);
    return err;
}

/* Fails call 1, 2, 3 ... of the action until it runs through; returns the calls counted. */
static long sweep(const struct action *a, enum path p, enum fault_kind kind, struct ctx *c)
{
    if (a->prepare)
        a->prepare(c);
    uint64_t before = th_fingerprint(&t);
    const char *pn = a->run_store ? "store" : path_names[p], *kn = kind_names[kind];
    for (long n = 1; n < 10000; n++) {
        fault_db_arm(n, kind);
        sb_err_clear();
        sb_err err = run_once(a, p, c);
        bool fired = fault_db_disarm();
        char msg[sizeof(sb_err_last()->message)];
        snprintf(msg, sizeof(msg), "%s", sb_err_last()->message);
        cr_assert_eq(fault_db_open_statements(), 0,
                     "%s (%s, %s) at call %ld: %ld statement(s) left unfinished", a->name, pn, kn,
                     n, fault_db_open_statements());
        cr_assert_eq(fault_db_open_transactions(), 0,
                     "%s (%s, %s) at call %ld: a transaction left open", a->name, pn, kn, n);
        if (!fired) {
            cr_assert_eq(err, SB_OK, "%s (%s): %s", a->name, pn, msg);
            cr_assert_neq(th_fingerprint(&t), before, "%s (%s) changed nothing", a->name, pn);
            a->check(c);
            return n - 1;
        }
        cr_assert_neq(err, SB_OK, "%s (%s, %s): the failure of call %ld was swallowed: %s", a->name,
                      pn, kn, n, msg);
        cr_assert_eq(err, SB_ESTORAGE, "%s (%s, %s) at call %ld: answered %s (%s)", a->name, pn, kn,
                     n, sb_err_code(err), msg);
        cr_assert(strstr(msg, fault_db_message(kind)) && strstr(msg, "(injected at call"),
                  "%s (%s, %s) at call %ld: the error lost its message: %s", a->name, pn, kn, n,
                  msg);
        cr_assert_eq(th_fingerprint(&t), before,
                     "%s (%s, %s): the failure of call %ld left a half write: %s", a->name, pn, kn,
                     n, msg);
    }
    cr_assert_fail("%s (%s, %s) never ran through", a->name, pn, kn);
    return 0;
}

static void sweep_all(const struct action *a)
{
    TH_SQLITE_ONLY("the shim fails every driver call in turn the way SQLite fails (SQLITE_FULL "
                   "and SQLITE_IOERR give up the whole transaction), thousands of sweeps each "
                   "with a fingerprint: 30-60 s a test on PostgreSQL, over the pass's budget");
    struct ctx c = { 0 };
    for (int p = DIRECT; p <= GROUP; p++) {
        for (int k = FAULT_FAIL; k <= FAULT_IOERR; k++) {
            long calls = sweep(a, (enum path)p, (enum fault_kind)k, &c);
            cr_expect_gt(calls, 3, "%s: %ld calls counted", a->name, calls);
        }
        if (a->run_store)
            break; /* one path: its own */
    }
    json_decref(c.report);
    sb_arena_free(c.a);
}

Test(store_faults, o6_a_sale_commits_whole_or_not_at_all)
{
    const struct action a = { "sale", run_sale, true, NULL, prepare_sale, check_sale };
    sweep_all(&a);
}

Test(store_faults, p4_a_payment_commits_whole_or_not_at_all)
{
    const struct action a = { "payment", run_pay, true, NULL, prepare_pay, check_pay };
    sweep_all(&a);
}

Test(store_faults, s1_a_void_commits_whole_or_not_at_all)
{
    const struct action a = { "void", run_void, true, NULL, prepare_made, check_void };
    sweep_all(&a);
}

Test(store_faults, s2_a_return_commits_whole_or_not_at_all)
{
    const struct action a = { "return", run_return, true, NULL, prepare_made, check_return };
    sweep_all(&a);
}

Test(store_faults, o1_o2_o6_a_web_order_import_commits_whole_or_not_at_all)
{
    const struct action a = { "web order", run_import, false, NULL, prepare_import, check_import };
    sweep_all(&a);
}

Test(store_faults, s1_a_web_order_cancelled_after_download_commits_whole_or_not_at_all)
{
    const struct action a = { "web cancel", run_import, false, NULL, prepare_cancel, check_cancel };
    sweep_all(&a);
}

Test(store_faults, i3_a_stock_receipt_commits_whole_or_not_at_all)
{
    const struct action a = {
        "receipt", run_receipt, true, NULL, prepare_ledger_mark, check_receipt
    };
    sweep_all(&a);
}

Test(store_faults, i3_a_stock_adjustment_commits_whole_or_not_at_all)
{
    const struct action a = { "adjustment", run_adjust,          true,
                              NULL,         prepare_ledger_mark, check_adjust };
    sweep_all(&a);
}

Test(store_faults, i3_a_stock_count_commits_whole_or_not_at_all)
{
    const struct action a = { "count", run_count, true, NULL, prepare_ledger_mark, check_count };
    sweep_all(&a);
}

Test(store_faults, i5_a_reconciliation_writes_whole_or_not_at_all)
{
    const struct action a = { "reconciliation",  NULL,           false, run_reconcile,
                              prepare_reconcile, check_reconcile };
    sweep_all(&a);
}

/* ---------------------------------------------------------------- a batch of two */

/*
 * Group commit with two jobs in one batch, when the first loses the transaction (a full
 * disk: SQLite rolled back everything of the batch so far). The second must not run
 * outside any transaction: its work would commit on its own while its caller is told
 * it failed, and a retry would record it twice (O2). Whichever of the two runs first
 * arms the full disk, so the order in which they queued does not matter; the writer is
 * held by a first job until both have queued.
 */
struct pair {
    pthread_mutex_t m;
    pthread_cond_t cv;
    bool holding; /* the writer runs the holding job */
    int ready;    /* threads about to queue their job */
    int queued;   /* jobs queued since the holding job started */
    bool release; /* the holding job may finish */
    atomic_int ran;
    atomic_uint commits, commits_at_first;
    atomic_bool paired; /* the second ran in the first's batch, with no commit between */
};

static struct pair pr = { .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

struct pair_job {
    char note[32];
    sb_err err;
    char message[256];
};

static void counted_commit(void *ud)
{
    atomic_fetch_add(&pr.commits, 1);
}

static bool wait_for(bool (*cond)(void), int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    pthread_mutex_lock(&pr.m);
    int rc = 0;
    while (!cond() && rc == 0)
        rc = pthread_cond_timedwait(&pr.cv, &pr.m, &until);
    bool ok = cond();
    pthread_mutex_unlock(&pr.m);
    return ok;
}

static bool released(void)
{
    return pr.release;
}

static bool both_ready(void)
{
    return pr.ready == 2;
}

static bool both_queued(void)
{
    return pr.queued == 2;
}

/* The store's hook: a job is in the writer's queue (under the writer's lock). */
static void counted_queue(void *ud)
{
    pthread_mutex_lock(&pr.m);
    if (pr.holding)
        pr.queued++;
    pthread_cond_broadcast(&pr.cv);
    pthread_mutex_unlock(&pr.m);
}

static bool holding(void)
{
    return pr.holding;
}

static sb_err hold_fn(struct sb_db *db, void *ctx)
{
    pthread_mutex_lock(&pr.m);
    pr.holding = true;
    pthread_cond_broadcast(&pr.cv);
    pthread_mutex_unlock(&pr.m);
    return wait_for(released, 20000) ? SB_OK : sb_fail(SB_EINTERNAL, NULL, "never released");
}

static sb_err pair_fn(struct sb_db *db, void *ctx)
{
    struct pair_job *j = ctx;
    if (atomic_fetch_add(&pr.ran, 1) == 0) {
        atomic_store(&pr.commits_at_first, atomic_load(&pr.commits));
        fault_db_arm(1, FAULT_FULL); /* this job's first write finds the disk full */
    } else {
        atomic_store(&pr.paired, atomic_load(&pr.commits) == atomic_load(&pr.commits_at_first));
    }
    int64_t id;
    return sell_noted(db, true, j->note, &id);
}

static void *queue_pair_job(void *arg)
{
    struct pair_job *j = arg;
    pthread_mutex_lock(&pr.m);
    pr.ready++;
    pthread_cond_broadcast(&pr.cv);
    pthread_mutex_unlock(&pr.m);
    j->err = sb_store_write(fs, pair_fn, j);
    snprintf(j->message, sizeof(j->message), "%s", sb_err_last()->message);
    return NULL;
}

static void *queue_hold_job(void *arg)
{
    *(sb_err *)arg = sb_store_write(fs, hold_fn, NULL);
    return NULL;
}

Test(store_faults, o2_a_job_that_loses_the_transaction_fails_its_whole_batch)
{
    sb_store_on_commit(fs, counted_commit, NULL);
    sb_store_on_queue(fs, counted_queue, NULL);
    bool paired = false;
    for (int round = 0; round < 5 && !paired; round++) {
        pr.ready = 0;
        pr.queued = 0;
        pr.holding = false;
        pr.release = false;
        atomic_store(&pr.ran, 0);
        atomic_store(&pr.paired, false);
        uint64_t before = th_fingerprint(&t);
        sb_err held = SB_OK;
        pthread_t h, a, b;
        struct pair_job ja = { .err = SB_OK }, jb = { .err = SB_OK };
        snprintf(ja.note, sizeof(ja.note), "pair %d a", round);
        snprintf(jb.note, sizeof(jb.note), "pair %d b", round);
        cr_assert_eq(pthread_create(&h, NULL, queue_hold_job, &held), 0);
        cr_assert(wait_for(holding, 20000));
        cr_assert_eq(pthread_create(&a, NULL, queue_pair_job, &ja), 0);
        cr_assert_eq(pthread_create(&b, NULL, queue_pair_job, &jb), 0);
        cr_assert(wait_for(both_ready, 20000));
        /* both jobs wait in the writer's queue before the holding job ends: one batch */
        cr_assert(wait_for(both_queued, 20000));
        pthread_mutex_lock(&pr.m);
        pr.release = true;
        pthread_cond_broadcast(&pr.cv);
        pthread_mutex_unlock(&pr.m);
        pthread_join(h, NULL);
        pthread_join(a, NULL);
        pthread_join(b, NULL);
        fault_db_disarm();
        cr_assert_eq(held, SB_OK);
        /* in one batch: the second ran before any commit after the first, or (the batch
         * being lost) did not run at all */
        paired = atomic_load(&pr.paired) || atomic_load(&pr.ran) == 1;
        /* each caller's answer is the truth about its work */
        const struct pair_job *jobs[] = { &ja, &jb };
        for (int i = 0; i < 2; i++) {
            int64_t n = sql_int("SELECT COUNT(*) FROM sales WHERE note = '%s'", jobs[i]->note);
            cr_expect_eq(n, jobs[i]->err ? 0 : 1, "%s answered %s (%s) and recorded %lld sale(s)",
                         jobs[i]->note, sb_err_code(jobs[i]->err), jobs[i]->message, (long long)n);
        }
        if (paired) {
            cr_expect(ja.err && jb.err, "a batch whose transaction is lost fails whole");
            cr_expect_eq(th_fingerprint(&t), before, "and leaves nothing behind");
            cr_expect(strstr(ja.message, "database or disk is full") ||
                          strstr(jb.message, "database or disk is full"),
                      "%s / %s", ja.message, jb.message);
        }
        cr_expect_eq(fault_db_open_transactions(), 0);
        cr_expect_eq(fault_db_open_statements(), 0);
    }
    cr_assert(paired, "the two jobs never shared a batch");
    sb_store_on_commit(fs, NULL, NULL);
    sb_store_on_queue(fs, NULL, NULL);
    /* the writer goes on: the next job commits */
    struct ctx c = { 0 };
    cr_expect_eq(sb_store_write(fs, run_sale, &c), SB_OK, "%s", sb_err_last()->message);
    check_sale(&c);
}
