/*
 * The stock queue's rules (SPEC I3, I4, I8, PR4), over a real SQLite file:
 * which channels a change of stock, a price or an item queues for, and what
 * happens to a row already waiting. Until migration 10 SQLite triggers did
 * this; now every writer in the store calls store/stock-queue.c in its own
 * transaction. These tests hold the C to exactly what the triggers did (they
 * pass with the triggers too), through the store's business actions.
 */
#include "store/items.h"
#include "store/outlets.h"
#include "store/stock-queue.h"
#include "store/stock.h"
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
static int64_t o1, o2, item;

static void exec(const char *sql)
{
    cr_assert_eq(sb_db_exec(db, sql, NULL), SB_OK, "%s: %s", sql, sb_err_last()->message);
    cr_assert_eq(th_db_sync_ids(db), SB_OK, "%s", sb_err_last()->message);
}

static int64_t sql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t sql_int(const char *fmt, ...)
{
    char sql[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    int64_t v = INT64_MIN;
    sb_err err = sb_db_int(db, &v, sql, NULL);
    cr_assert(err == SB_OK || err == SB_ENOT_FOUND, "%s: %s", sql, sb_err_last()->message);
    return v;
}

/* A channel with these settings (JSON text) and enabled flag, linked to an outlet (or to
 * one through a channel location, or to none: 0). */
static void channel(int64_t id, bool enabled, const char *settings, int64_t outlet, bool location)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO channels (id, kind, name, enabled, settings, created_at, updated_at)"
             " VALUES (%lld, 'shopify', 'C%lld', %s, '%s', 'x', 'x')",
             (long long)id, (long long)id, enabled ? "true" : "false", settings);
    exec(sql);
    if (!outlet)
        return;
    if (location)
        snprintf(sql, sizeof(sql),
                 "INSERT INTO channel_locations (channel_id, location_id, outlet_id)"
                 " VALUES (%lld, 'gid://loc/%lld', %lld)",
                 (long long)id, (long long)id, (long long)outlet);
    else
        snprintf(sql, sizeof(sql),
                 "INSERT INTO channel_outlets (channel_id, outlet_id, priority)"
                 " VALUES (%lld, %lld, 1)",
                 (long long)id, (long long)outlet);
    exec(sql);
}

static void setup(void)
{
    th_db_make(&tdb);
    cr_assert_eq(sb_store_open(tdb.url, 2, &store), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_store_acquire(store, &db), SB_OK);
    struct sb_outlet a = { .name = { "A", true }, .currency = { "USD", true } };
    struct sb_outlet b = { .name = { "B", true }, .currency = { "USD", true } };
    cr_assert_eq(sb_store_outlet_create(db, &a, &o1), SB_OK);
    cr_assert_eq(sb_store_outlet_create(db, &b, &o2), SB_OK);
    exec("INSERT INTO price_levels (id, name, created_at, updated_at) VALUES (1, 'Default', 'x',"
         " 'x'), (2, 'Sale', 'x', 'x')");
    struct sb_item it = { .sku = { "TEE", true }, .name = { "T-shirt", true } };
    cr_assert_eq(sb_store_item_create(db, &it, &item), SB_OK, "%s", sb_err_last()->message);
    /* 1: stock sync on, linked to outlet A: the one that takes A's stock */
    channel(1, true, "{\"stock_sync\":true}", o1, false);
    /* 2: stock sync off; 3: disabled; 4: on, through a location at A; 5: on, B only;
     * 6: no stock_sync setting stored; 7: stock_sync 0 (a number) */
    channel(2, true, "{\"stock_sync\":false}", o1, false);
    channel(3, false, "{\"stock_sync\":true}", o1, false);
    channel(4, true, "{\"stock_sync\":true}", o1, true);
    channel(5, true, "{\"stock_sync\":true}", o2, false);
    channel(6, true, "{}", o1, false);
    channel(7, true, "{\"stock_sync\":0}", o1, false);
}

static void teardown(void)
{
    sb_store_release(store, db);
    sb_store_close(store);
    th_db_drop(&tdb);
}

TestSuite(stock_queue, .init = setup, .fini = teardown);

/* The channels that have the item queued as kind, as "1,4". */
static const char *queued_for(const char *kind, char *buf, size_t cap)
{
    struct sb_q q;
    size_t n = 0;
    buf[0] = '\0';
    cr_assert_eq(sb_q_open(&q, db,
                           "SELECT channel_id FROM sync_queue WHERE kind = ? AND item_id = ?"
                           " ORDER BY channel_id",
                           "si", kind, item),
                 SB_OK);
    while (sb_q_next(&q) && n + 24 < cap)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", n ? "," : "", (long long)sb_q_int(&q, 0));
    cr_assert_eq(sb_q_close(&q), SB_OK);
    return buf;
}

static void adjust(int64_t outlet, int64_t delta)
{
    struct sb_stock_adjustment a = { .item_id = item, .outlet_id = outlet, .delta = delta };
    int64_t id;
    cr_assert_eq(sb_store_stock_adjust(db, &a, &id), SB_OK, "%s", sb_err_last()->message);
}

/* I3, I4: an enabled channel with stock sync on that stocks from the outlet, by an outlet
 * link or a location link; not one with sync off, disabled, of another outlet, or
 * without the setting. */
Test(stock_queue, i3_i4_a_stock_change_queues_the_channels_that_stock_from_the_outlet)
{
    char b[64];
    exec("DELETE FROM sync_queue");
    adjust(o1, 5);
    cr_expect_str_eq(queued_for("stock", b, sizeof(b)), "1,4");
    cr_expect_str_eq(queued_for("price", b, sizeof(b)), "");
    cr_expect_eq(sql_int("SELECT seq FROM sync_queue WHERE channel_id = 1"), 1);
    cr_expect_eq(
        sql_int("SELECT COUNT(*) FROM sync_queue WHERE status = 'pending'"
                " AND attempts = 0 AND next_attempt_at IS NULL AND queued_at LIKE '20%%Z'"),
        2);
    adjust(o2, 1);
    cr_expect_str_eq(queued_for("stock", b, sizeof(b)), "1,4,5");
    adjust(o1, 1);
    cr_expect_eq(sql_int("SELECT seq FROM sync_queue WHERE channel_id = 1"), 2, "coalesced");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue"), 3);
}

/* I9: a new change gives a parked row a fresh start; a row backing off keeps its wait. */
Test(stock_queue, i9_a_new_change_revives_a_parked_row_and_leaves_a_backing_off_one_waiting)
{
    exec("DELETE FROM sync_queue");
    adjust(o1, 5);
    exec("UPDATE sync_queue SET status = 'parked', attempts = 8, last_error = 'down',"
         " next_attempt_at = '2999-01-01T00:00:00Z' WHERE channel_id = 1");
    exec("UPDATE sync_queue SET attempts = 3, last_error = 'slow',"
         " next_attempt_at = '2999-01-01T00:00:00Z' WHERE channel_id = 4");
    adjust(o1, -1);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue WHERE channel_id = 1 AND seq = 2"
                         " AND status = 'pending' AND attempts = 0 AND next_attempt_at IS NULL"),
                 1, "parked: tried again at once");
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue WHERE channel_id = 4 AND seq = 2"
                         " AND status = 'pending' AND attempts = 3"
                         " AND next_attempt_at = '2999-01-01T00:00:00Z'"),
                 1, "backing off: keeps its wait");
}

/* I3, I7: every writer of a stock row queues, once per row it writes: a receipt (the move,
 * then on order), levels, a sale-like move. */
Test(stock_queue, i3_i7_every_writer_of_a_stock_row_queues_once_per_write)
{
    exec("DELETE FROM sync_queue");
    struct sb_stock_receipt_line l = { .item_id = item, .quantity = 3 };
    cr_assert_eq(sb_store_stock_receive(db, o1, "PO-1", NULL, 0, &l, 1), SB_OK);
    cr_expect_eq(sql_int("SELECT seq FROM sync_queue WHERE channel_id = 1"), 2);
    struct sb_stock_levels lv = {
        .item_id = item, .outlet_id = o1, .reorder_point = 2, .reorder_point_set = true
    };
    cr_assert_eq(sb_store_stock_set_levels(db, &lv), SB_OK);
    cr_expect_eq(sql_int("SELECT seq FROM sync_queue WHERE channel_id = 1"), 3);
    struct sb_stock_move m = {
        .item_id = item, .outlet_id = o1, .reason = SB_STOCK_RESERVATION, .quantity = 1
    };
    cr_assert_eq(sb_db_begin(db), SB_OK);
    cr_assert_eq(sb_store_stock_move(db, &m, NULL, NULL), SB_OK);
    cr_assert_eq(sb_db_end(db, SB_OK), SB_OK);
    cr_expect_eq(sql_int("SELECT seq FROM sync_queue WHERE channel_id = 4"), 4);
    /* levels set where the item has never moved create the row: queued as well */
    struct sb_stock_levels fresh = {
        .item_id = item, .outlet_id = o2, .on_order = 6, .on_order_set = true
    };
    cr_assert_eq(sb_store_stock_set_levels(db, &fresh), SB_OK);
    cr_expect_eq(sql_int("SELECT seq FROM sync_queue WHERE channel_id = 5"), 1);
}

/* PR4: a price written queues the item's price for every channel, enabled or not, linked
 * or not, whatever its stock setting; a waiting row keeps its attempts and wait. */
Test(stock_queue, pr4_a_price_change_queues_the_price_for_every_channel)
{
    char b[64];
    exec("DELETE FROM sync_queue");
    struct sb_item it = { .prices = { { .price_level_id = 1, .amount = 2000 },
                                      { .price_level_id = 2, .amount = 1500 } },
                          .n_prices = 2,
                          .prices_set = true };
    cr_assert_eq(sb_store_item_update(db, item, &it), SB_OK, "%s", sb_err_last()->message);
    cr_expect_str_eq(queued_for("price", b, sizeof(b)), "1,2,3,4,5,6,7");
    cr_expect_eq(sql_int("SELECT MIN(seq) FROM sync_queue WHERE kind = 'price'"), 2,
                 "one change per price written");
    exec("UPDATE sync_queue SET status = 'parked', attempts = 8,"
         " next_attempt_at = '2999-01-01T00:00:00Z' WHERE kind = 'price' AND channel_id = 1");
    cr_assert_eq(sb_store_item_update(db, item, &it), SB_OK);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM sync_queue WHERE kind = 'price' AND channel_id = 1"
                         " AND seq = 4 AND status = 'pending' AND attempts = 8"
                         " AND next_attempt_at = '2999-01-01T00:00:00Z'"),
                 1);
}

/* I8: an item written (its SKU perhaps changed) is forgotten by every channel and its stock
 * queued everywhere, so each finds it by SKU again. */
Test(stock_queue, i8_an_item_change_makes_every_channel_find_it_again)
{
    char b[64];
    exec("DELETE FROM sync_queue");
    exec("INSERT INTO channel_items (channel_id, item_id, sku, external_item_id, checked_at)"
         " VALUES (1, 1, 'TEE', 'gid://item/1', 'x'), (5, 1, 'TEE', NULL, 'x')");
    struct sb_item it = { .sku = { "TEE-2", true } };
    cr_assert_eq(sb_store_item_update(db, item, &it), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_items"), 0);
    cr_expect_str_eq(queued_for("stock", b, sizeof(b)), "1,2,3,4,5,6,7");
    /* whatever the change: the name alone does the same */
    exec("INSERT INTO channel_items (channel_id, item_id, sku, checked_at)"
         " VALUES (1, 1, 'TEE-2', 'x')");
    struct sb_item named = { .name = { "Tee", true } };
    cr_assert_eq(sb_store_item_update(db, item, &named), SB_OK);
    cr_expect_eq(sql_int("SELECT COUNT(*) FROM channel_items"), 0);
    cr_expect_eq(sql_int("SELECT seq FROM sync_queue WHERE channel_id = 3 AND kind = 'stock'"), 2);
}

/* I4: stock sync turned on or off takes effect at the next change (the setting is read
 * from the channel as it is now). */
Test(stock_queue, i4_stock_sync_turned_on_or_off_applies_to_the_next_change)
{
    char b[64];
    exec("DELETE FROM sync_queue");
    adjust(o1, 1);
    cr_expect_str_eq(queued_for("stock", b, sizeof(b)), "1,4");
    exec("UPDATE channels SET settings = '{\"stock_sync\":true}' WHERE id = 2");
    exec("UPDATE channels SET settings = '{\"stock_sync\":false,\"notifications\":true}'"
         " WHERE id = 1");
    exec("DELETE FROM sync_queue");
    adjust(o1, 1);
    cr_expect_str_eq(queued_for("stock", b, sizeof(b)), "2,4");
    exec("UPDATE channels SET enabled = false WHERE id = 4");
    exec("DELETE FROM sync_queue");
    adjust(o1, 1);
    cr_expect_str_eq(queued_for("stock", b, sizeof(b)), "2");
}
