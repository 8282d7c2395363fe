/*
 * What the store's business actions owe a channel (SPEC S1, S3, S4), over a
 * real SQLite file and without the HTTP layer: voiding a web order, shipping
 * its shipment and shipping its last fulfillment queue the outbox row in the
 * same transaction, whichever caller runs the action (the API, the web app,
 * the pipeline); a change the channel itself made queues nothing back.
 * Orders are written with SQL, as the pipeline would leave them.
 */
#include "store/fulfillments.h"
#include "store/outbox-queue.h"
#include "store/sales.h"
#include "store/shipments.h"
#include "store/store.h"

#include "harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct th_db tdb;
static struct sb_store *store;
static struct sb_db *db;
static const struct sb_scope admin = { .user_id = 0, .role = SB_ROLE_ADMIN, .all_outlets = true };

static void exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void exec(const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    cr_assert_eq(sb_db_exec(db, sql, NULL), SB_OK, "%s: %s", sql, sb_err_last()->message);
    cr_assert_eq(th_db_sync_ids(db), SB_OK, "%s", sb_err_last()->message);
}

static int64_t count(const char *where)
{
    char sql[512];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM outbox WHERE %s", where);
    int64_t n = -1;
    cr_assert_eq(sb_db_int(db, &n, sql, NULL), SB_OK, "%s: %s", sql, sb_err_last()->message);
    return n;
}

static void setup(void)
{
    th_db_make(&tdb);
    cr_assert_eq(sb_store_open(tdb.url, 2, &store), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_store_acquire(store, &db), SB_OK);
    exec("INSERT INTO outlets (id, name, currency, created_at, updated_at)"
         " VALUES (1, 'Harbour', 'USD', 'x', 'x'), (2, 'Old Town', 'USD', 'x', 'x')");
    exec("INSERT INTO channels (id, kind, name, settings, created_at, updated_at) VALUES"
         " (1, 'shopify', 'Web', '{\"auto_fulfillment\":true}', 'x', 'x'),"
         " (2, 'shopify', 'Quiet', '{\"auto_fulfillment\":false}', 'x', 'x')");
}

static void teardown(void)
{
    sb_store_release(store, db);
    sb_store_close(store);
    th_db_drop(&tdb);
}

TestSuite(outbox_queue, .init = setup, .fini = teardown);

/* Sale `id`: a web order of channel `channel` (0: a POS sale) with one line and its
 * shipment (id + 100). */
static void order(int64_t id, int64_t channel)
{
    char src[64];
    if (channel)
        snprintf(src, sizeof(src), "'channel', %lld, 'ext-%lld'", (long long)channel,
                 (long long)id);
    else
        snprintf(src, sizeof(src), "'pos', NULL, NULL");
    exec("INSERT INTO sales (id, outlet_id, status, currency, subtotal, discount_total,"
         " tax_total, adjustment_total, total, paid_total, balance_due, source, channel_id,"
         " external_id, created_at, updated_at) VALUES (%lld, 1, 'open', 'USD', 500, 0, 0, 0,"
         " 500, 0, 500, %s, 'x', 'x')",
         (long long)id, src);
    exec("INSERT INTO sale_lines (id, sale_id, line_no, description, quantity, unit_price,"
         " line_total) VALUES (%lld, %lld, 1, 'Gift card', 1, 500, 500)",
         (long long)id * 10, (long long)id);
    exec("INSERT INTO shipments (id, sale_id, name, created_at, updated_at)"
         " VALUES (%lld, %lld, 'Grace', 'x', 'x')",
         (long long)id + 100, (long long)id);
}

/* A shipping fulfillment of the sale at the outlet, in `status`. */
static void fulfillment(int64_t id, int64_t sale, int64_t outlet, const char *status)
{
    exec("INSERT INTO fulfillments (id, sale_id, outlet_id, kind, status, created_at,"
         " updated_at) VALUES (%lld, %lld, %lld, 'shipping', '%s', 'x', 'x')",
         (long long)id, (long long)sale, (long long)outlet, status);
}

/* S1: a web order voided by the store's void queues its cancellation, in the void's
 * transaction; a POS sale queues nothing, nor does the channel's own cancellation. */
Test(outbox_queue, s1_the_store_void_of_a_web_order_queues_its_cancellation)
{
    order(1, 1);
    order(2, 0);
    order(3, 1);
    cr_assert_eq(sb_store_sale_void(db, &admin, 1, 0, "customer called"), SB_OK, "%s",
                 sb_err_last()->message);
    cr_expect_eq(count("channel_id = 1 AND kind = 'cancel' AND ref = 'ext-1' AND status ="
                       " 'pending' AND payload = '{\"reason\":\"voided in the POS\"}'"),
                 1);
    cr_assert_eq(sb_store_sale_void(db, &admin, 2, 0, NULL), SB_OK);
    cr_assert_eq(sb_store_sale_void_cancelled(db, 3, "cancelled on Web"), SB_OK);
    cr_expect_eq(count("1 = 1"), 1, "nothing for a POS sale or the channel's own cancel");
    /* a void refused queues nothing either */
    cr_expect_eq(sb_store_sale_void(db, &admin, 1, 0, NULL), SB_ECONFLICT);
    cr_expect_eq(count("1 = 1"), 1);
}

/* S3: a web order's shipment shipped by the store queues the fulfillment with its
 * tracking (trimmed as kept); unless the channel's auto-fulfillment is off, or the
 * channel itself said it was fulfilled (S4). */
Test(outbox_queue, s3_a_shipment_shipped_by_the_store_queues_the_fulfillment)
{
    order(1, 1);
    order(2, 2);
    order(3, 1);
    order(4, 0);
    struct sb_shipment_patch p = { .shipped = true,
                                   .shipped_set = true,
                                   .tracking_number = { " 1Z999 ", true },
                                   .carrier = { "UPS", true } };
    cr_assert_eq(sb_store_shipment_update(db, &admin, 101, &p), SB_OK, "%s",
                 sb_err_last()->message);
    cr_expect_eq(count("channel_id = 1 AND kind = 'fulfillment' AND ref = 'ext-1' AND payload ="
                       " '{\"tracking_number\":\"1Z999\",\"tracking_company\":\"UPS\"}'"),
                 1);
    cr_assert_eq(sb_store_shipment_update(db, &admin, 102, &p), SB_OK);
    cr_expect_eq(count("channel_id = 2"), 0, "auto-fulfillment off");
    struct sb_shipment_patch told = { .shipped = true, .shipped_set = true, .from_channel = true };
    cr_assert_eq(sb_store_shipment_update(db, &admin, 103, &told), SB_OK);
    cr_assert_eq(sb_store_shipment_update(db, &admin, 104, &p), SB_OK);
    cr_expect_eq(count("1 = 1"), 1, "nothing back to the channel that said so, nor for a POS sale");
    /* an edit that does not ship queues nothing */
    struct sb_shipment_patch note = { .note = { "leave at the door", true } };
    cr_assert_eq(sb_store_shipment_update(db, &admin, 101, &note), SB_OK);
    cr_expect_eq(count("1 = 1"), 1);
}

/* S3, F2: the last open shipping fulfillment moved to shipped by the store ships the
 * shipment and queues the fulfillment, once; the first of two does not. */
Test(outbox_queue, s3_the_last_fulfillment_shipped_queues_the_fulfillment_once)
{
    order(1, 1);
    fulfillment(11, 1, 1, "packed");
    fulfillment(12, 1, 2, "in_progress");
    cr_assert_eq(sb_store_fulfillment_set_status(db, &admin, 11, SB_FF_SHIPPED), SB_OK, "%s",
                 sb_err_last()->message);
    cr_expect_eq(count("1 = 1"), 0, "fulfillment 12 is still open");
    cr_assert_eq(sb_store_fulfillment_set_status(db, &admin, 12, SB_FF_SHIPPED), SB_OK, "%s",
                 sb_err_last()->message);
    cr_expect_eq(count("channel_id = 1 AND kind = 'fulfillment' AND ref = 'ext-1'"), 1);
    int64_t shipped = 0;
    cr_assert_eq(sb_db_int(db, &shipped, "SELECT shipped FROM shipments WHERE id = 101", NULL),
                 SB_OK);
    cr_expect_eq(shipped, 1);
}
