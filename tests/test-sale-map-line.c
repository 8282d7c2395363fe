/*
 * SPEC O5 resolved (issue 16 item 4): a web order's line whose product the POS
 * did not know is matched to an item from the sale's page (POST
 * /api/v1/sales/{id}/lines/{line_id}/item). The stock moves once, as the
 * import would have moved it, with its ledger entry; the history says so; the
 * review flag goes when no unknown line is left; every refusal writes nothing.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;
static struct th_fake fake;

static void setup(void)
{
    th_shop_start(&t, &f, &fake);
}

static void teardown(void)
{
    th_fake_stop(&fake);
    th_stop(&t);
}

TestSuite(sale_map_line, .init = setup, .fini = teardown, .timeout = 120);

/* Places a paid web order with these line_items and returns its sale (caller decrefs). */
static json_t *web_sale(const char *line_items)
{
    char body[1024], id[32];
    snprintf(body, sizeof(body),
             "{\"financial_status\":\"paid\",\"email\":\"map@example.com\","
             "\"shipping_address\":{\"name\":\"Map Buyer\",\"address1\":\"1 Quay St\","
             "\"city\":\"Portland\",\"country_code\":\"US\"},"
             "\"shipping_lines\":[{\"title\":\"Standard\",\"price\":\"5.00\"}],"
             "\"line_items\":%s}",
             line_items);
    th_shop_place(&t, &fake, body, id, sizeof(id));
    json_t *page = th_get(&t, t.admin, "/api/v1/channels/1/orders?limit=500");
    json_t *row;
    size_t i;
    int64_t sale = 0;
    json_array_foreach(json_object_get(page, "data"), i, row)
    {
        if (strcmp(th_str(row, "external_id"), id) == 0)
            sale = th_int(row, "sale_id");
    }
    json_decref(page);
    cr_assert_gt(sale, 0, "order %s did not come down as a sale", id);
    return th_get(&t, t.admin, "/api/v1/sales/%lld", (long long)sale);
}

/* The sale's line whose SKU (or description, for a shipping line) starts with key. */
static json_t *line_of(json_t *sale, const char *key)
{
    json_t *l;
    size_t i;
    json_array_foreach(json_object_get(sale, "lines"), i, l)
    {
        const char *sku = json_string_value(json_object_get(l, "sku"));
        const char *desc = json_string_value(json_object_get(l, "description"));
        if ((sku && strcmp(sku, key) == 0) || (desc && strncmp(desc, key, strlen(key)) == 0))
            return l;
    }
    cr_assert_fail("no line %s", key);
    return NULL;
}

static int64_t on_hand(int64_t item, int64_t outlet)
{
    int64_t v =
        th_sql_intf(&t, "SELECT on_hand FROM stock WHERE item_id = %lld AND outlet_id = %lld",
                    (long long)item, (long long)outlet);
    return v == INT64_MIN ? 0 : v;
}

static char path[128];
static const char *map_path(json_t *sale, json_t *line)
{
    snprintf(path, sizeof(path), "/api/v1/sales/%lld/lines/%lld/item",
             (long long)th_int(sale, "id"), (long long)th_int(line, "id"));
    return path;
}

Test(sale_map_line, o5_mapping_moves_stock_once_records_history_and_clears_review)
{
    json_t *sale = web_sale("[{\"sku\":\"NOPE-1\",\"title\":\"Mystery box\",\"quantity\":2,"
                            "\"price\":\"9.99\"},{\"sku\":\"TEE\",\"title\":\"Tee\",\"quantity\":1,"
                            "\"price\":\"20.00\"}]");
    cr_assert(json_is_true(json_object_get(sale, "needs_review")), "O5: flagged on import");
    json_t *line = line_of(sale, "NOPE-1");
    cr_assert(json_is_null(json_object_get(line, "item_id")));
    int64_t sale_id = th_int(sale, "id");
    int64_t outlet = json_is_integer(json_object_get(line, "outlet_id"))
                         ? th_int(line, "outlet_id")
                         : th_int(sale, "outlet_id");
    cr_assert_eq(outlet, 1, "the order went to outlet 1, where staff1 works");
    int64_t before = on_hand(f.mug, outlet);
    int64_t ledger_before = th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger");

    char body[64];
    snprintf(body, sizeof(body), "{\"item_id\":%lld}", (long long)f.mug);
    struct th_resp r = th_req(&t, "POST", map_path(sale, line), f.staff1, body);
    cr_assert_eq(r.status, 200, "map: %ld %s", r.status, r.body);
    json_t *after = r.json;
    cr_expect(json_is_false(json_object_get(after, "needs_review")),
              "O5: the flag goes with the last unknown line");
    cr_expect(json_is_null(json_object_get(after, "review_reason")));
    json_t *mapped = line_of(after, "NOPE-1");
    cr_expect_eq(th_int(mapped, "item_id"), f.mug);
    cr_expect_str_eq(th_str(mapped, "sku"), "NOPE-1", "the line keeps the channel's SKU");
    cr_expect_eq(th_int(mapped, "line_total"), th_int(line, "line_total"),
                 "the money is untouched");
    cr_expect_eq(th_int(after, "total"), th_int(sale, "total"));

    /* the stock: once, two units, as the import's sale movement */
    cr_expect_eq(on_hand(f.mug, outlet), before - 2);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger"), ledger_before + 1);
    cr_expect_eq(th_sql_intf(&t,
                             "SELECT on_hand_delta FROM stock_ledger WHERE item_id = %lld AND"
                             " sale_id = %lld AND reason = 'sale' AND reference = 'sale:%lld'",
                             (long long)f.mug, (long long)sale_id, (long long)sale_id),
                 -2);

    /* the history: which line became which item and what moved, then the review cleared */
    json_t *hist = json_object_get(after, "history");
    cr_assert_eq(json_array_size(hist), 2);
    const char *note = th_str(json_array_get(hist, 0), "note");
    cr_expect_str_eq(th_str(json_array_get(hist, 0), "kind"), "note");
    cr_expect(strstr(note, "SKU NOPE-1") && strstr(note, "Mystery box") && strstr(note, "MUG") &&
                  strstr(note, "2 taken from Downtown"),
              "note: %s", note);
    cr_expect_str_eq(th_str(json_array_get(hist, 1), "kind"), "reviewed");
    cr_expect(strncmp(th_str(json_array_get(hist, 1), "reason"), "unknown product:", 16) == 0);
    th_resp_free(&r);

    /* twice: refused, nothing moves again */
    th_expect_error(&t, "POST", map_path(sale, line), f.staff1, body, 409, "conflict");
    cr_expect_eq(on_hand(f.mug, outlet), before - 2);
    /* the matched TEE line: refused */
    th_expect_error(&t, "POST", map_path(sale, line_of(sale, "TEE")), f.staff1, body, 409,
                    "conflict");
    /* the shipping line is no product: refused */
    th_expect_error(&t, "POST", map_path(sale, line_of(sale, "Shipping: ")), f.staff1, body, 409,
                    "conflict");
    json_decref(sale);
}

Test(sale_map_line, o5_the_flag_stays_while_an_unknown_line_remains)
{
    json_t *sale = web_sale("[{\"sku\":\"NOPE-A\",\"title\":\"Box A\",\"quantity\":1,"
                            "\"price\":\"5.00\"},{\"sku\":\"NOPE-B\",\"title\":\"Box B\","
                            "\"quantity\":1,\"price\":\"6.00\"}]");
    char tee[64], wrap[64];
    snprintf(tee, sizeof(tee), "{\"item_id\":%lld}", (long long)f.tee);
    snprintf(wrap, sizeof(wrap), "{\"item_id\":%lld}", (long long)f.giftwrap);
    int64_t outlet = th_int(sale, "outlet_id");
    int64_t tee_before = on_hand(f.tee, outlet);
    struct th_resp r = th_req(&t, "POST", map_path(sale, line_of(sale, "NOPE-A")), t.admin, tee);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_true(json_object_get(r.json, "needs_review")), "NOPE-B is still unknown");
    cr_expect_eq(on_hand(f.tee, outlet), tee_before - 1);
    th_resp_free(&r);
    /* an item that keeps no stock: the line is matched, nothing moves, and the flag goes */
    int64_t ledger = th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger");
    r = th_req(&t, "POST", map_path(sale, line_of(sale, "NOPE-B")), t.admin, wrap);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect(json_is_false(json_object_get(r.json, "needs_review")));
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger"), ledger);
    json_t *hist = json_object_get(r.json, "history");
    cr_expect(strstr(th_str(json_array_get(hist, 1), "note"), "no stock moved"));
    th_resp_free(&r);
    json_decref(sale);
}

Test(sale_map_line, sec2_other_outlets_and_bad_input_are_refused_with_nothing_written)
{
    json_t *sale = web_sale("[{\"sku\":\"NOPE-2\",\"title\":\"Crate\",\"quantity\":1,"
                            "\"price\":\"3.00\"}]");
    json_t *line = line_of(sale, "NOPE-2");
    /* what the import sent the shop back raises webhooks the shop delivers when it will
     * (GraphQL mutations do not wait for theirs): from here the shop's webhooks are dropped,
     * so that a refused request below is not blamed for what they bring */
    struct th_resp dr =
        th_fake_req(&fake, "POST", "/_fake/faults", "{\"webhooks\":{\"drop\":1000}}");
    cr_assert_eq(dr.status / 100, 2, "%s", dr.body);
    th_resp_free(&dr);
    th_wait_pipeline(&t);
    char body[64];
    snprintf(body, sizeof(body), "{\"item_id\":%lld}", (long long)f.mug);
    const char *p = map_path(sale, line);
    /* another outlet's sale is not there for staff2 (as every sale route answers) */
    th_expect_error(&t, "POST", p, f.staff2, body, 404, "not_found");
    /* bad input */
    th_expect_error(&t, "POST", p, f.staff1, "{\"item_id\":999999}", 422, "unknown_reference");
    th_expect_error(&t, "POST", p, f.staff1, "{\"item_id\":\"2\"}", 422, "invalid_field");
    th_expect_error(&t, "POST", p, f.staff1, "{}", 422, "missing_field");
    th_expect_error(&t, "POST", p, f.staff1, "{\"item_id\":2,\"x\":1}", 422, "invalid_field");
    th_expect_error(&t, "POST", p, f.staff1, "{\"item_id\":", 400, "invalid_json");
    th_expect_error(&t, "POST", p, NULL, body, 401, "unauthorized");
    char other[128];
    snprintf(other, sizeof(other), "/api/v1/sales/%lld/lines/999999/item",
             (long long)th_int(sale, "id"));
    th_expect_error(&t, "POST", other, f.staff1, body, 404, "not_found");
    th_expect_error(&t, "POST", "/api/v1/sales/1/lines/x/item", f.staff1, body, 404, "not_found");
    /* a split order's part sent from outlet 2: staff1 sees the sale, not that outlet */
    th_sql_exec(&t, "UPDATE sale_lines SET outlet_id = 2 WHERE sku = 'NOPE-2'");
    th_expect_error(&t, "POST", p, f.staff1, body, 403, "outlet_forbidden");
    th_sql_exec(&t, "UPDATE sale_lines SET outlet_id = 1 WHERE sku = 'NOPE-2'");
    /* a voided sale keeps its lines */
    char vp[64];
    snprintf(vp, sizeof(vp), "/api/v1/sales/%lld/void", (long long)th_int(sale, "id"));
    struct th_resp v = th_req(&t, "POST", vp, f.manager, "{}");
    cr_assert_eq(v.status, 200, "%s", v.body);
    th_resp_free(&v);
    /* (the void's cancellation goes to the shop, whose answer the pipeline records meanwhile:
     * the line and the ledger are checked rather than the whole database) */
    int64_t ledger = th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger");
    v = th_req(&t, "POST", p, f.staff1, body);
    cr_expect_eq(v.status, 409);
    cr_expect_str_eq(th_str(json_object_get(v.json, "error"), "code"), "sale_voided");
    th_resp_free(&v);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM sale_lines WHERE sku = 'NOPE-2' AND"
                                " item_id IS NULL"),
                 1);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM stock_ledger"), ledger);

    /* a till sale's line without an item is no web order line */
    int64_t till = th_create(&t, f.staff1, "/api/v1/sales",
                             "{\"outlet_id\":1,\"lines\":[{\"description\":\"Gift card\","
                             "\"unit_price\":500,\"quantity\":1}]}");
    json_t *ts = th_get(&t, f.staff1, "/api/v1/sales/%lld", (long long)till);
    th_expect_error(&t, "POST", map_path(ts, json_array_get(json_object_get(ts, "lines"), 0)),
                    f.staff1, body, 409, "conflict");
    json_decref(ts);
    json_decref(sale);
}
