/*
 * The lease store (issue 15 item 2: several nodes on one database), over a
 * real SQLite file: a lease is taken when free, renewed by its holder,
 * refused to another node while it runs, taken over once it has expired, and
 * lost by the old holder then (its renewal refused, its fence failing); a
 * lease given back is free at once. Times are written as the nodes would
 * (ISO 8601 UTC); the clock is the test's.
 */
#include "store/leases.h"
#include "store/rate-buckets.h"
#include "store/store.h"

#include "harness.h"

#include <criterion/criterion.h>
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
    cr_assert_eq(sb_store_open(tdb.url, 2, &store), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_store_acquire(store, &db), SB_OK);
}

static void teardown(void)
{
    sb_store_release(store, db);
    sb_store_close(store);
    th_db_drop(&tdb);
}

TestSuite(leases, .init = setup, .fini = teardown);

/* node takes (or renews) name at `now` until `until`; whether it holds it then */
static bool take(const char *name, const char *node, const char *now, const char *until)
{
    bool held = !false;
    cr_assert_eq(sb_store_lease_take(db, name, node, now, until, &held), SB_OK, "%s",
                 sb_err_last()->message);
    return held;
}

static bool fence(const char *name, const char *node)
{
    bool held = false;
    cr_assert_eq(sb_store_lease_held(db, name, node, &held), SB_OK);
    return held;
}

static const char *holder(const char *name)
{
    static char h[128], e[40];
    cr_assert_eq(sb_store_lease_get(db, name, h, sizeof(h), e, sizeof(e)), SB_OK);
    return h;
}

Test(leases, issue15_2_a_free_lease_is_taken_and_renewed_by_its_holder)
{
    cr_expect(take("channel:1", "a:1:x", "2026-12-04T10:00:00Z", "2026-12-04T10:00:30Z"));
    cr_expect_str_eq(holder("channel:1"), "a:1:x");
    cr_expect(fence("channel:1", "a:1:x"));
    /* renewed before it runs out, and after too while nobody took it */
    cr_expect(take("channel:1", "a:1:x", "2026-12-04T10:00:10Z", "2026-12-04T10:00:40Z"));
    cr_expect(take("channel:1", "a:1:x", "2026-12-04T10:01:00Z", "2026-12-04T10:01:30Z"));
    char h[64], e[40];
    cr_assert_eq(sb_store_lease_get(db, "channel:1", h, sizeof(h), e, sizeof(e)), SB_OK);
    cr_expect_str_eq(e, "2026-12-04T10:01:30Z", "the renewal moved the expiry");
    /* other leases are other names */
    cr_expect(take("channel:2", "b:2:y", "2026-12-04T10:01:00Z", "2026-12-04T10:01:30Z"));
    cr_expect_str_eq(holder("nothing"), "", "a lease nobody took has no holder");
}

Test(leases, issue15_2_a_running_lease_is_refused_to_another_node)
{
    cr_expect(take("channel:1", "a:1:x", "2026-12-04T10:00:00Z", "2026-12-04T10:00:30Z"));
    cr_expect_not(take("channel:1", "b:2:y", "2026-12-04T10:00:29Z", "2026-12-04T10:00:59Z"));
    cr_expect_str_eq(holder("channel:1"), "a:1:x", "the refused take changed nothing");
    cr_expect_not(fence("channel:1", "b:2:y"));
    cr_expect(fence("channel:1", "a:1:x"));
}

Test(leases, issue15_2_an_expired_lease_is_taken_over_and_lost_by_its_old_holder)
{
    cr_expect(take("channel:1", "a:1:x", "2026-12-04T10:00:00Z", "2026-12-04T10:00:30Z"));
    /* a, killed, renews no more: b takes the lease over once it has expired */
    cr_expect(take("channel:1", "b:2:y", "2026-12-04T10:00:31Z", "2026-12-04T10:01:01Z"));
    cr_expect_str_eq(holder("channel:1"), "b:2:y");
    /* a comes back (a long pause, not dead): its renewal is refused and its fence fails */
    cr_expect_not(take("channel:1", "a:1:x", "2026-12-04T10:00:35Z", "2026-12-04T10:01:05Z"));
    cr_expect_not(fence("channel:1", "a:1:x"));
    cr_expect(fence("channel:1", "b:2:y"));
    cr_expect_str_eq(holder("channel:1"), "b:2:y");
}

Test(leases, issue15_2_a_lease_given_back_is_free_at_once)
{
    cr_expect(take("channel:1", "a:1:x", "2026-12-04T10:00:00Z", "2026-12-04T10:00:30Z"));
    /* another node cannot give it back for a */
    cr_assert_eq(sb_store_lease_release(db, "channel:1", "b:2:y"), SB_OK);
    cr_expect_str_eq(holder("channel:1"), "a:1:x");
    cr_assert_eq(sb_store_lease_release(db, "channel:1", "a:1:x"), SB_OK);
    cr_expect_str_eq(holder("channel:1"), "");
    cr_expect(take("channel:1", "b:2:y", "2026-12-04T10:00:01Z", "2026-12-04T10:00:31Z"),
              "taken at once, long before a's time would have run out");
    cr_expect_not(fence("channel:1", "a:1:x"));
}

Test(leases, issue15_2_two_nodes_taking_a_free_lease_at_once_one_wins)
{
    /* two connections, as two nodes: the upsert lets exactly one win */
    struct sb_db *db2;
    cr_assert_eq(sb_store_acquire(store, &db2), SB_OK);
    bool a = false, b = false;
    cr_assert_eq(sb_store_lease_take(db, "sale-windows", "a:1:x", "2026-12-04T10:00:00Z",
                                     "2026-12-04T10:00:30Z", &a),
                 SB_OK);
    cr_assert_eq(sb_store_lease_take(db2, "sale-windows", "b:2:y", "2026-12-04T10:00:00Z",
                                     "2026-12-04T10:00:30Z", &b),
                 SB_OK);
    sb_store_release(store, db2);
    cr_expect(a != b, "exactly one node holds it (a %d, b %d)", a, b);
}

/* Issue 15 item 3: a connection's rate budget is one budget whichever node grants it. Two
 * connections stand for two nodes. */
Test(leases, issue15_3_a_rate_bucket_is_spent_from_every_node_at_once)
{
    struct sb_db *db2;
    cr_assert_eq(sb_store_acquire(store, &db2), SB_OK);
    struct sb_db *from[] = { db, db2, db };
    bool ok = false;
    int64_t left = -1, retry = -1;
    /* 60 a minute, bursts of 3: three requests, wherever they come */
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(sb_store_rate_take(from[i], "connection:9", 60, 3, 1000, &ok, &left, &retry),
                     SB_OK, "%s", sb_err_last()->message);
        cr_expect(ok, "request %d granted", i);
        cr_expect_eq(left, 2 - i);
    }
    cr_assert_eq(sb_store_rate_take(db2, "connection:9", 60, 3, 1000, &ok, &left, &retry), SB_OK);
    cr_expect_not(ok, "the fourth is refused on the other node too");
    cr_expect_eq(retry, 1, "one request a second comes back");
    /* another channel has its own bucket; a second later one request came back */
    cr_assert_eq(sb_store_rate_take(db2, "connection:10", 60, 3, 1000, &ok, &left, &retry), SB_OK);
    cr_expect(ok);
    cr_assert_eq(sb_store_rate_take(db, "connection:9", 60, 3, 1001, &ok, &left, &retry), SB_OK);
    cr_expect(ok);
    cr_expect_eq(left, 0);
    sb_store_release(store, db2);
}
