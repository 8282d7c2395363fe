/*
 * The catalogue an export-model webstore reads and its change feed (SPEC E7,
 * I2, I6, I7, I8, PR1-PR3), over a real SQLite file: one export channel with
 * two locations (L1: outlets A and B; L2: outlet C; outlet D is not
 * mapped), items made through the store's business actions, and the
 * catalogue and the feed read as the connection API will serve them. Time
 * is given to the functions, never read from the clock.
 */
#include "core/catalogue-fields.h"
#include "store/catalogue.h"
#include "store/items.h"
#include "store/outlets.h"
#include "store/stock.h"
#include "store/store.h"
#include "util/timeutil.h"

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
static int64_t oa, ob, oc, od;
static int64_t now; /* 2026-06-15T12:00:00Z: inside the fixture's sale */

#define CH 1

static void exec(const char *sql)
{
    cr_assert_eq(sb_db_exec(db, sql, NULL), SB_OK, "%s: %s", sql, sb_err_last()->message);
    cr_assert_eq(th_db_sync_ids(db), SB_OK, "%s", sb_err_last()->message);
}

static void execf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void execf(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    exec(sql);
}

static int64_t at(const char *iso)
{
    int64_t t;
    cr_assert(sb_time_parse(iso, &t), "%s", iso);
    return t;
}

/* The channel's settings (JSON text), replacing what it had. */
static void settings(const char *json)
{
    execf("UPDATE channels SET settings = '%s' WHERE id = %d", json, CH);
}

#define PRICING                                                                        \
    "\"use_pos_pricing\":true,\"regular_price_level_id\":1,\"sale_price_level_id\":2," \
    "\"sale_starts_at\":\"2026-06-01T00:00:00Z\",\"sale_ends_at\":\"2026-07-01T00:00:00Z\""

static void setup(void)
{
    th_db_make(&tdb);
    cr_assert_eq(sb_store_open(tdb.url, 2, &store), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_store_acquire(store, &db), SB_OK);
    const char *names[] = { "A", "B", "C", "D" };
    int64_t *ids[] = { &oa, &ob, &oc, &od };
    for (size_t i = 0; i < 4; i++) {
        struct sb_outlet o = { .name = { names[i], true }, .currency = { "USD", true } };
        cr_assert_eq(sb_store_outlet_create(db, &o, ids[i]), SB_OK, "%s", sb_err_last()->message);
    }
    exec("INSERT INTO price_levels (id, name, created_at, updated_at) VALUES (1, 'Default', 'x',"
         " 'x'), (2, 'Sale', 'x', 'x')");
    execf("INSERT INTO channels (id, kind, name, enabled, settings, created_at, updated_at)"
          " VALUES (%d, 'export', 'Web', true, '{" PRICING "}', 'x', 'x')",
          CH);
    execf("INSERT INTO channel_locations (channel_id, location_id, outlet_id, name) VALUES"
          " (%d, 'L1', %lld, 'Main'), (%d, 'L1', %lld, 'Main'), (%d, 'L2', %lld, 'Annex')",
          CH, (long long)oa, CH, (long long)ob, CH, (long long)oc);
    now = at("2026-06-15T12:00:00Z");
}

static void teardown(void)
{
    sb_store_release(store, db);
    sb_store_close(store);
    th_db_drop(&tdb);
}

TestSuite(catalogue, .init = setup, .fini = teardown);

/* An item with every field the export channel requires, a regular price of 2500 and a
 * sale price of 1999; fields given as NULL (or cost/msrp -1) are left out. */
static int64_t item_full(const char *sku, const char *upc, const char *ean, const char *msku,
                         int64_t cost, int64_t msrp, bool prices)
{
    struct sb_item it = { .sku = { sku, true }, .name = { "Tee", true } };
    if (upc)
        it.upc = (struct sb_opt_str){ upc, true };
    if (ean)
        it.ean = (struct sb_opt_str){ ean, true };
    if (msku)
        it.manufacturer_sku = (struct sb_opt_str){ msku, true };
    if (cost >= 0) {
        it.default_cost = cost;
        it.default_cost_set = true;
    }
    if (msrp >= 0) {
        it.msrp = msrp;
        it.msrp_set = true;
    }
    if (prices) {
        it.prices[0] = (struct sb_item_price){ 1, 2500 };
        it.prices[1] = (struct sb_item_price){ 2, 1999 };
        it.n_prices = 2;
        it.prices_set = true;
    }
    int64_t id;
    cr_assert_eq(sb_store_item_create(db, &it, &id), SB_OK, "%s", sb_err_last()->message);
    return id;
}

static int64_t item(const char *sku)
{
    return item_full(sku, "036000291452", NULL, "MPN-1", 1000, -1, true);
}

static void adjust(int64_t item_id, int64_t outlet, int64_t delta)
{
    struct sb_stock_adjustment a = { .item_id = item_id, .outlet_id = outlet, .delta = delta };
    int64_t id;
    cr_assert_eq(sb_store_stock_adjust(db, &a, &id), SB_OK, "%s", sb_err_last()->message);
}

static void reserve(int64_t item_id, int64_t outlet, int64_t qty)
{
    struct sb_stock_move m = {
        .item_id = item_id, .outlet_id = outlet, .reason = SB_STOCK_RESERVATION, .quantity = qty
    };
    int64_t on_hand;
    cr_assert_eq(sb_db_begin(db), SB_OK);
    cr_assert_eq(sb_db_end(db, sb_store_stock_move(db, &m, &on_hand, NULL)), SB_OK, "%s",
                 sb_err_last()->message);
}

static void levels(int64_t item_id, int64_t outlet, int64_t on_order, int64_t reorder, int64_t max)
{
    struct sb_stock_levels l = { .item_id = item_id,
                                 .outlet_id = outlet,
                                 .on_order = on_order,
                                 .reorder_point = reorder,
                                 .max_level = max,
                                 .on_order_set = true,
                                 .reorder_point_set = true,
                                 .max_level_set = true };
    cr_assert_eq(sb_store_stock_set_levels(db, &l), SB_OK, "%s", sb_err_last()->message);
}

static json_t *page_at(const char *cursor, int64_t limit, int64_t t)
{
    json_t *p = NULL;
    cr_assert_eq(sb_store_catalogue_page(db, CH, cursor, limit, t, &p), SB_OK, "%s",
                 sb_err_last()->message);
    return p;
}

static json_t *page(void)
{
    return page_at(NULL, SB_CATALOGUE_LIMIT_MAX, now);
}

static json_t *feed_at(const char *since, int64_t limit, int64_t t)
{
    json_t *p = NULL;
    cr_assert_eq(sb_store_catalogue_changes(db, CH, since, limit, t, &p), SB_OK, "%s",
                 sb_err_last()->message);
    return p;
}

/* The ids in a list of the answer, as "3,5". */
static const char *ids_of(json_t *answer, const char *list, char *buf, size_t cap)
{
    size_t i, n = 0;
    json_t *e;
    buf[0] = '\0';
    json_array_foreach(json_object_get(answer, list), i, e)
    {
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", n ? "," : "",
                              (long long)json_integer_value(json_object_get(e, "id")));
        cr_assert_lt(n, cap);
    }
    return buf;
}

/* The listed entry of an item, or NULL. */
static json_t *listed(json_t *answer, int64_t id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(answer, "items"), i, e)
    {
        if (json_integer_value(json_object_get(e, "id")) == id)
            return e;
    }
    return NULL;
}

static void assert_json(json_t *got, const char *want_text)
{
    json_t *want = json_loads(want_text, 0, NULL);
    cr_assert_not_null(want, "bad expected JSON: %s", want_text);
    char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert(json_equal(got, want), "got %s\nwant %s", g, want_text);
    free(g);
    json_decref(want);
}

/* I2, I6, I8, PR2, PR3: an item's whole entry: per location the sum over its outlets of on
 * hand less reserved (never below zero per outlet), an unmapped outlet adding nothing; the
 * identifiers under the channel's names; the sale price with its dates. */
Test(catalogue, i2_i6_an_item_entry_sums_available_stock_per_location)
{
    int64_t id = item("TEE");
    adjust(id, oa, 5);
    reserve(id, oa, 2); /* A: 3 available */
    adjust(id, ob, 1);
    reserve(id, ob, 3);  /* B: over-reserved, 0 (not -2) */
    adjust(id, oc, 4);   /* C: 4 */
    adjust(id, od, 100); /* D: not mapped */
    json_t *p = page();
    char want[1024];
    snprintf(want, sizeof(want),
             "{\"channel_id\":1,\"currency\":\"USD\",\"incomplete\":[],\"next_cursor\":null,"
             "\"changes_cursor\":\"%s\",\"items\":[{\"id\":%lld,\"sku\":\"TEE\",\"name\":\"Tee\","
             "\"GTIN1\":\"036000291452\",\"GTIN2\":null,\"MPN\":\"MPN-1\",\"default_cost\":1000,"
             "\"msrp\":null,\"stock\":[{\"location_id\":\"L1\",\"available\":3},"
             "{\"location_id\":\"L2\",\"available\":4}],\"price\":{\"regular\":2500,"
             "\"sale\":1999,\"sale_starts_at\":\"2026-06-01T00:00:00Z\","
             "\"sale_ends_at\":\"2026-07-01T00:00:00Z\"}}]}",
             json_string_value(json_object_get(p, "changes_cursor")), (long long)id);
    assert_json(p, want);
    json_decref(p);
}

/* I7: on hand > 0 (the default filter): an item with none on hand in the channel's
 * outlets is not published, even with stock in an unmapped outlet or all of it reserved
 * (the filter reads on hand). */
Test(catalogue, i7_on_hand_filter_publishes_items_on_hand_in_the_channels_outlets)
{
    settings("{\"publish_on_hand\":true}");
    int64_t stocked = item("IN"), elsewhere = item("ELSEWHERE"), none = item("NONE");
    int64_t reserved = item("RESERVED");
    adjust(stocked, oc, 1);
    adjust(elsewhere, od, 7);
    adjust(reserved, oa, 2);
    reserve(reserved, oa, 2);
    (void)none;
    json_t *p = page();
    char b[64], want[64];
    snprintf(want, sizeof(want), "%lld,%lld", (long long)stocked, (long long)reserved);
    cr_assert_str_eq(ids_of(p, "items", b, sizeof(b)), want);
    cr_assert_str_eq(ids_of(p, "incomplete", b, sizeof(b)), "");
    json_decref(p);
}

/* I7: on order > 0 alone publishes the items on order in the channel's outlets, not those
 * only on hand. */
Test(catalogue, i7_on_order_filter_publishes_items_on_order)
{
    settings("{\"publish_on_hand\":false,\"publish_on_order\":true}");
    int64_t ordered = item("ORD"), on_hand = item("HAND"), ordered_elsewhere = item("ORDD");
    levels(ordered, ob, 3, 0, 0);
    adjust(on_hand, oa, 5);
    levels(ordered_elsewhere, od, 3, 0, 0);
    json_t *p = page();
    char b[64], want[64];
    snprintf(want, sizeof(want), "%lld", (long long)ordered);
    cr_assert_str_eq(ids_of(p, "items", b, sizeof(b)), want);
    json_decref(p);
}

/* I7: a reorder point or maximum level > 0 alone publishes the items with either. */
Test(catalogue, i7_reorder_filter_publishes_items_with_a_reorder_point_or_maximum)
{
    settings("{\"publish_on_hand\":false,\"publish_reorder\":true}");
    int64_t rp = item("RP"), max = item("MAX"), on_hand = item("HAND");
    levels(rp, oa, 0, 2, 0);
    levels(max, oc, 0, 0, 9);
    adjust(on_hand, oa, 5);
    json_t *p = page();
    char b[64], want[64];
    snprintf(want, sizeof(want), "%lld,%lld", (long long)rp, (long long)max);
    cr_assert_str_eq(ids_of(p, "items", b, sizeof(b)), want);
    json_decref(p);
    /* no filter on: nothing is published */
    settings("{\"publish_on_hand\":false}");
    p = page();
    cr_assert_str_eq(ids_of(p, "items", b, sizeof(b)), "");
    json_decref(p);
}

/* I8: each missing requirement is listed with its fields and reason, never skipped; an
 * MSRP stands for a cost and an EAN for a UPC. */
Test(catalogue, i8_items_missing_required_fields_are_listed_with_the_reason)
{
    int64_t no_cost = item_full("NOCOST", "036000291452", NULL, "M", -1, -1, true);
    int64_t no_code = item_full("NOCODE", NULL, NULL, "M", 100, -1, true);
    int64_t no_mpn = item_full("NOMPN", "036000291452", NULL, NULL, 100, -1, true);
    int64_t none = item_full("NONE", NULL, NULL, NULL, -1, -1, true);
    int64_t alt = item_full("ALT", NULL, "4006381333931", "M", -1, 700, true);
    int64_t ids[] = { no_cost, no_code, no_mpn, none, alt };
    for (size_t i = 0; i < 5; i++)
        adjust(ids[i], oa, 1);
    json_t *p = page();
    char b[64], want[2048];
    snprintf(want, sizeof(want), "%lld", (long long)alt);
    cr_assert_str_eq(ids_of(p, "items", b, sizeof(b)), want);
    snprintf(
        want, sizeof(want),
        "[{\"id\":%lld,\"sku\":\"NOCOST\",\"name\":\"Tee\",\"missing\":[{\"fields\":"
        "[\"default_cost\",\"msrp\"],\"reason\":\"needs a default cost or an MSRP\"}],"
        "\"reason\":\"needs a default cost or an MSRP\"},"
        "{\"id\":%lld,\"sku\":\"NOCODE\",\"name\":\"Tee\",\"missing\":[{\"fields\":"
        "[\"upc\",\"ean\"],\"reason\":\"needs a UPC or an EAN\"}],"
        "\"reason\":\"needs a UPC or an EAN\"},"
        "{\"id\":%lld,\"sku\":\"NOMPN\",\"name\":\"Tee\",\"missing\":[{\"fields\":"
        "[\"manufacturer_sku\"],\"reason\":\"needs a manufacturer SKU\"}],"
        "\"reason\":\"needs a manufacturer SKU\"},"
        "{\"id\":%lld,\"sku\":\"NONE\",\"name\":\"Tee\",\"missing\":["
        "{\"fields\":[\"default_cost\",\"msrp\"],\"reason\":\"needs a default cost or an MSRP\"},"
        "{\"fields\":[\"upc\",\"ean\"],\"reason\":\"needs a UPC or an EAN\"},"
        "{\"fields\":[\"manufacturer_sku\"],\"reason\":\"needs a manufacturer SKU\"}],"
        "\"reason\":\"needs a default cost or an MSRP; needs a UPC or an EAN; needs a "
        "manufacturer SKU\"}]",
        (long long)no_cost, (long long)no_code, (long long)no_mpn, (long long)none);
    assert_json(json_object_get(p, "incomplete"), want);
    json_decref(p);
}

/* I8: the mapping UPC -> GTIN1, EAN -> GTIN2, manufacturer SKU -> MPN, a missing code as
 * null; and as data, the table the channel reads. */
Test(catalogue, i8_identifiers_are_mapped_to_the_channels_names)
{
    int64_t both = item_full("BOTH", "036000291452", "4006381333931", "MPN-9", 1, -1, true);
    int64_t ean = item_full("EAN", NULL, "4006381333931", "MPN-8", 1, -1, true);
    adjust(both, oa, 1);
    adjust(ean, oa, 1);
    json_t *p = page();
    json_t *a = listed(p, both), *b = listed(p, ean);
    cr_assert(a && b);
    cr_assert_str_eq(json_string_value(json_object_get(a, "GTIN1")), "036000291452");
    cr_assert_str_eq(json_string_value(json_object_get(a, "GTIN2")), "4006381333931");
    cr_assert_str_eq(json_string_value(json_object_get(a, "MPN")), "MPN-9");
    cr_assert(json_is_null(json_object_get(b, "GTIN1")));
    cr_assert_str_eq(json_string_value(json_object_get(b, "GTIN2")), "4006381333931");
    cr_assert_null(json_object_get(a, "upc"));
    json_decref(p);
    cr_assert_eq(sb_export_n_mapping, 3);
    cr_assert_eq(sb_export_mapping[0].field, SB_CF_UPC);
    cr_assert_str_eq(sb_export_mapping[0].channel_name, "GTIN1");
    cr_assert_eq(sb_export_mapping[1].field, SB_CF_EAN);
    cr_assert_str_eq(sb_export_mapping[1].channel_name, "GTIN2");
    cr_assert_eq(sb_export_mapping[2].field, SB_CF_MANUFACTURER_SKU);
    cr_assert_str_eq(sb_export_mapping[2].channel_name, "MPN");
}

/* I8: each requirement is data with a setting's name: turned off, items without that
 * field are listed; the others still apply. */
Test(catalogue, i8_a_requirement_turned_off_by_its_setting_no_longer_applies)
{
    settings("{\"require_manufacturer_sku\":false}");
    int64_t no_mpn = item_full("NOMPN", "036000291452", NULL, NULL, 100, -1, false);
    int64_t no_code = item_full("NOCODE", NULL, NULL, NULL, 100, -1, false);
    adjust(no_mpn, oa, 1);
    adjust(no_code, oa, 1);
    json_t *p = page();
    char b[64], want[64];
    snprintf(want, sizeof(want), "%lld", (long long)no_mpn);
    cr_assert_str_eq(ids_of(p, "items", b, sizeof(b)), want);
    snprintf(want, sizeof(want), "%lld", (long long)no_code);
    cr_assert_str_eq(ids_of(p, "incomplete", b, sizeof(b)), want);
    json_decref(p);
}

/* PR1: POS pricing off: no prices at all, and an item without prices is listed. */
Test(catalogue, pr1_without_pos_pricing_no_prices_are_sent)
{
    settings("{\"use_pos_pricing\":false,\"regular_price_level_id\":1}");
    int64_t priced = item("PRICED");
    int64_t bare = item_full("BARE", "036000291452", NULL, "M", 1, -1, false);
    adjust(priced, oa, 1);
    adjust(bare, oa, 1);
    json_t *p = page();
    cr_assert(json_is_null(json_object_get(listed(p, priced), "price")));
    cr_assert(json_is_null(json_object_get(listed(p, bare), "price")));
    json_decref(p);
}

/* PR2, PR3: the regular price always; the sale price from its start date until (not at)
 * its end date, judged at the time given; an item without a regular price is incomplete. */
Test(catalogue, pr2_pr3_the_sale_price_only_within_its_dates)
{
    int64_t id = item("TEE");
    int64_t bare = item_full("BARE", "036000291452", NULL, "M", 1, -1, false);
    adjust(id, oa, 1);
    adjust(bare, oa, 1);
    struct {
        const char *at;
        bool sale;
    } cases[] = { { "2026-05-31T23:59:59Z", false },
                  { "2026-06-01T00:00:00Z", true },
                  { "2026-06-30T23:59:59Z", true },
                  { "2026-07-01T00:00:00Z", false } };
    for (size_t i = 0; i < 4; i++) {
        json_t *p = page_at(NULL, 50, at(cases[i].at));
        json_t *price = json_object_get(listed(p, id), "price");
        if (cases[i].sale)
            assert_json(price, "{\"regular\":2500,\"sale\":1999,"
                               "\"sale_starts_at\":\"2026-06-01T00:00:00Z\","
                               "\"sale_ends_at\":\"2026-07-01T00:00:00Z\"}");
        else
            assert_json(price, "{\"regular\":2500,\"sale\":null,\"sale_starts_at\":null,"
                               "\"sale_ends_at\":null}");
        char b[64], want[64];
        snprintf(want, sizeof(want), "%lld", (long long)bare);
        cr_assert_str_eq(ids_of(p, "incomplete", b, sizeof(b)), want);
        cr_assert_str_eq(json_string_value(json_object_get(
                             json_array_get(json_object_get(p, "incomplete"), 0), "reason")),
                         "the item has no price at the channel's regular price level");
        json_decref(p);
    }
}

/* E7: paging by a keyset cursor: items alike in every field shown (ties on all but the
 * id), with unpublished items between them, come once each in id order, across pages of
 * 2; the last page says there is no next one; a cursor not given by the catalogue and a
 * limit out of range are refused. */
Test(catalogue, e7_paging_with_the_cursor_across_ties)
{
    char want[128], got[128];
    size_t n = 0, w = 0;
    for (int i = 0; i < 7; i++) {
        char sku[16];
        snprintf(sku, sizeof(sku), "S%d", i);
        int64_t id = item(sku);
        if (i % 3 == 1)
            continue; /* none on hand: not published */
        adjust(id, oa, 1);
        w += (size_t)snprintf(want + w, sizeof(want) - w, "%s%lld", w ? "," : "", (long long)id);
    }
    got[0] = '\0';
    char cursor[64] = "";
    int pages = 0;
    for (;;) {
        json_t *p = page_at(cursor, 2, now);
        char b[64];
        ids_of(p, "items", b, sizeof(b));
        cr_assert_leq(json_array_size(json_object_get(p, "items")), 2);
        if (b[0])
            n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", n ? "," : "", b);
        pages++;
        json_t *next = json_object_get(p, "next_cursor");
        if (json_is_null(next)) {
            json_decref(p);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        json_decref(p);
        cr_assert_lt(pages, 10);
    }
    cr_assert_str_eq(got, want);
    cr_assert_eq(pages, 3); /* 5 published items: 2, 2, 1 */
    json_t *p = NULL;
    const char *bad[] = { "x", "p1-", "p1-12a", "p1--3", "c1-1-0000000000000000" };
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(sb_store_catalogue_page(db, CH, bad[i], 2, now, &p), SB_EINVALID_QUERY, "%s",
                     bad[i]);
        cr_assert_str_eq(sb_err_last()->field, "cursor");
    }
    cr_assert_eq(sb_store_catalogue_page(db, CH, NULL, 0, now, &p), SB_EINVALID_QUERY);
    cr_assert_str_eq(sb_err_last()->field, "limit");
    cr_assert_eq(sb_store_catalogue_page(db, CH, NULL, SB_CATALOGUE_LIMIT_MAX + 1, now, &p),
                 SB_EINVALID_QUERY);
    cr_assert_eq(sb_store_catalogue_page(db, 99, NULL, 2, now, &p), SB_ENOT_FOUND);
}

static char *cursor_of(json_t *answer, const char *name)
{
    const char *s = json_string_value(json_object_get(answer, name));
    cr_assert_not_null(s, "no %s", name);
    return strdup(s);
}

/* E7: the feed after a page's cursor holds the items changed since (a stock move, a price,
 * an item edit), not those changed before; its next cursor goes on from there. */
Test(catalogue, e7_the_feed_holds_only_what_changed_after_the_cursor)
{
    int64_t before = item("BEFORE"), stock = item("STOCK"), price = item("PRICE");
    int64_t edit = item("EDIT");
    adjust(before, oa, 1);
    adjust(stock, oa, 1);
    adjust(price, oa, 1);
    adjust(edit, oa, 1);
    json_t *p = page();
    char *since = cursor_of(p, "changes_cursor");
    json_decref(p);
    adjust(stock, oc, 2);
    struct sb_item it = { .prices = { { 1, 2600 } }, .n_prices = 1, .prices_set = true };
    cr_assert_eq(sb_store_item_update(db, price, &it), SB_OK, "%s", sb_err_last()->message);
    struct sb_item ed = { .upc = { "042100005264", true } };
    cr_assert_eq(sb_store_item_update(db, edit, &ed), SB_OK, "%s", sb_err_last()->message);
    json_t *f = feed_at(since, 100, now);
    char b[64], want[64];
    snprintf(want, sizeof(want), "%lld,%lld,%lld", (long long)stock, (long long)price,
             (long long)edit);
    cr_assert_str_eq(ids_of(f, "items", b, sizeof(b)), want);
    cr_assert(json_is_false(json_object_get(f, "reset")));
    cr_assert(json_is_false(json_object_get(f, "more")));
    cr_assert_eq(json_integer_value(json_object_get(
                     json_array_get(json_object_get(listed(f, stock), "stock"), 1), "available")),
                 2);
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(listed(f, price), "price"), "regular")),
        2600);
    cr_assert_str_eq(json_string_value(json_object_get(listed(f, edit), "GTIN1")), "042100005264");
    char *next = cursor_of(f, "next_cursor");
    json_decref(f);
    adjust(stock, oa, 1);
    f = feed_at(next, 100, now);
    snprintf(want, sizeof(want), "%lld", (long long)stock);
    cr_assert_str_eq(ids_of(f, "items", b, sizeof(b)), want);
    json_decref(f);
    /* paged: one at a time, in the order of the latest change, more while full */
    f = feed_at(since, 1, now);
    snprintf(want, sizeof(want), "%lld", (long long)price);
    cr_assert_str_eq(ids_of(f, "items", b, sizeof(b)), want);
    cr_assert(json_is_true(json_object_get(f, "more")));
    json_decref(f);
    free(since);
    free(next);
}

/* E7, I3: a burst of 1000 stock changes to one item is one entry, with the last figure. */
Test(catalogue, e7_a_burst_of_changes_to_one_item_is_one_entry)
{
    int64_t id = item("HOT"), other = item("COLD");
    adjust(id, oa, 1);
    adjust(other, oa, 1);
    json_t *p = page();
    char *since = cursor_of(p, "changes_cursor");
    json_decref(p);
    for (int i = 0; i < 1000; i++)
        adjust(id, oa, 1);
    json_t *f = feed_at(since, SB_CATALOGUE_LIMIT_MAX, now);
    char b[64], want[64];
    snprintf(want, sizeof(want), "%lld", (long long)id);
    cr_assert_str_eq(ids_of(f, "items", b, sizeof(b)), want);
    cr_assert_eq(json_integer_value(json_object_get(
                     json_array_get(json_object_get(listed(f, id), "stock"), 0), "available")),
                 1001);
    cr_assert_eq(json_array_size(json_object_get(f, "removed")), 0);
    json_decref(f);
    free(since);
}

/* E7, I7, I8: an item that stops passing the filters comes as removed (with its SKU); one
 * that loses a required field comes as incomplete. */
Test(catalogue, e7_an_item_leaving_the_filters_is_reported_removed)
{
    int64_t gone = item("GONE"), bare = item("BARE");
    adjust(gone, oa, 1);
    adjust(bare, oa, 1);
    json_t *p = page();
    char *since = cursor_of(p, "changes_cursor");
    json_decref(p);
    adjust(gone, oa, -1);
    struct sb_item ed = { .manufacturer_sku = { NULL, true } };
    cr_assert_eq(sb_store_item_update(db, bare, &ed), SB_OK, "%s", sb_err_last()->message);
    json_t *f = feed_at(since, 100, now);
    char want[128];
    snprintf(want, sizeof(want), "[{\"id\":%lld,\"sku\":\"GONE\"}]", (long long)gone);
    assert_json(json_object_get(f, "removed"), want);
    cr_assert_eq(json_array_size(json_object_get(f, "items")), 0);
    char b[64];
    snprintf(want, sizeof(want), "%lld", (long long)bare);
    cr_assert_str_eq(ids_of(f, "incomplete", b, sizeof(b)), want);
    json_decref(f);
    free(since);
}

/* E7: nothing changed: empty lists and the same cursor back. */
Test(catalogue, e7_nothing_changed_gives_an_empty_page_and_the_same_cursor)
{
    int64_t id = item("TEE");
    adjust(id, oa, 1);
    json_t *p = page();
    char *since = cursor_of(p, "changes_cursor");
    json_decref(p);
    json_t *f = feed_at(since, 100, now);
    char want[256];
    snprintf(want, sizeof(want),
             "{\"channel_id\":1,\"currency\":\"USD\",\"items\":[],\"incomplete\":[],"
             "\"removed\":[],\"reset\":false,\"more\":false,\"next_cursor\":\"%s\"}",
             since);
    assert_json(f, want);
    json_decref(f);
    free(since);
}

/* E7, I7, PR3: what the catalogue rests on besides its items (the settings, the sale
 * starting or ending) changed: the feed answers reset, with a cursor that goes on from
 * there; a cursor not given by the feed is refused. */
Test(catalogue, e7_the_feed_resets_when_the_channels_catalogue_changes_as_a_whole)
{
    int64_t id = item("TEE");
    adjust(id, oa, 1);
    json_t *p = page();
    char *since = cursor_of(p, "changes_cursor");
    json_decref(p);
    /* the sale ends */
    json_t *f = feed_at(since, 100, at("2026-07-01T00:00:00Z"));
    cr_assert(json_is_true(json_object_get(f, "reset")));
    cr_assert_eq(json_array_size(json_object_get(f, "items")), 0);
    char *next = cursor_of(f, "next_cursor");
    json_decref(f);
    f = feed_at(next, 100, at("2026-07-01T00:00:00Z"));
    cr_assert(json_is_false(json_object_get(f, "reset")));
    json_decref(f);
    /* a filter changes */
    settings("{" PRICING ",\"publish_on_order\":true}");
    f = feed_at(since, 100, now);
    cr_assert(json_is_true(json_object_get(f, "reset")));
    json_decref(f);
    const char *bad[] = { "", "c1-1", "c1-x-0000000000000000", "c1-1-000000000000000g", "p1-3" };
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(sb_store_catalogue_changes(db, CH, bad[i], 10, now, &f), SB_EINVALID_QUERY,
                     "%s", bad[i]);
        cr_assert_str_eq(sb_err_last()->field, "since");
    }
    free(since);
    free(next);
}

Test(catalogue, e7_no_export_channel_no_change_feed_rows_then_a_reader_starts_from_a_page)
{
    /* RULE E7: the feed is written only while an export-model channel exists to read it
     * (docs/performance.md "Stock to the webstores": the bump's cost on every stock move);
     * a channel made afterwards starts from a page, whose changes_cursor covers what came
     * before, and from then on sees every change */
    exec("DELETE FROM channel_locations");
    exec("UPDATE channels SET kind = 'shopify'");
    int64_t tee = item("TEE");
    adjust(tee, oa, 5);
    int64_t rows = -1;
    cr_assert_eq(sb_db_int(db, &rows, "SELECT COUNT(*) FROM catalogue_changes", NULL), SB_OK);
    cr_expect_eq(rows, 0, "with no export channel, a stock move writes no feed row");
    /* the export channel comes: its first page, then a change the feed shows */
    exec("UPDATE channels SET kind = 'export'");
    execf("INSERT INTO channel_locations (channel_id, location_id, outlet_id, name) VALUES"
          " (%d, 'L1', %lld, 'Main')",
          CH, (long long)oa);
    json_t *p = page();
    char buf[64], want[32];
    snprintf(want, sizeof(want), "%lld", (long long)tee);
    cr_expect_str_eq(ids_of(p, "items", buf, sizeof(buf)), want);
    char *since = cursor_of(p, "changes_cursor");
    json_decref(p);
    adjust(tee, oa, 1);
    json_t *f = feed_at(since, 10, now);
    cr_expect_str_eq(ids_of(f, "items", buf, sizeof(buf)), want, "the move after the page");
    json_decref(f);
    free(since);
}
