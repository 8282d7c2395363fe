/*
 * Merging duplicate customers (issue 16, customers): the kept record's fields
 * win and those it lacks come from the duplicate, its email included; the
 * duplicate's sales move with a line in each sale's history (E9), its
 * addresses too; the duplicate is gone. Managers only; bad requests change
 * nothing. `stockbridge check` at teardown.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct th t;
static struct th_fixture f;

static void setup(void)
{
    th_start(&t);
    th_fixture(&t, &f);
}

static void teardown(void)
{
    th_stop(&t);
}

TestSuite(customer_merge, .init = setup, .fini = teardown);

static int64_t sale_for(int64_t customer)
{
    return th_create(&t, t.admin, "/api/v1/sales",
                     "{\"outlet_id\":1,\"customer_id\":%lld,\"allow_oversell\":true,"
                     "\"lines\":[{\"item_id\":%lld,\"quantity\":1,\"unit_price\":1000}]}",
                     (long long)customer, (long long)f.tee);
}

Test(customer_merge, a_duplicate_is_merged_into_the_kept_customer_with_its_sales)
{
    int64_t keep =
        th_create(&t, t.admin, "/api/v1/customers",
                  "{\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"phone\":\"555-0101\"}");
    int64_t dup =
        th_create(&t, t.admin, "/api/v1/customers",
                  "{\"first_name\":\"Annie\",\"last_name\":\"\",\"email\":\"ann@example.com\","
                  "\"company\":\"Lee & Co\",\"addresses\":[{\"line1\":\"1 Main St\","
                  "\"city\":\"Springfield\"}]}");
    int64_t s1 = sale_for(keep), s2 = sale_for(dup), s3 = sale_for(dup);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/customers/%lld/merge", (long long)keep);
    char body[64];
    snprintf(body, sizeof(body), "{\"from_customer_id\":%lld}", (long long)dup);
    /* staff may not merge */
    th_expect_error(&t, "POST", path, f.staff1, body, 403, "forbidden");
    struct th_resp r = th_req(&t, "POST", path, f.manager, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_expect_eq(th_int(r.json, "moved_sales"), 2);
    cr_expect_str_eq(th_str(r.json, "first_name"), "Ann", "the kept customer's fields win");
    cr_expect_str_eq(th_str(r.json, "last_name"), "Lee");
    cr_expect_str_eq(th_str(r.json, "phone"), "555-0101");
    cr_expect_str_eq(th_str(r.json, "email"), "ann@example.com", "those it lacked come over");
    cr_expect_str_eq(th_str(r.json, "company"), "Lee & Co");
    cr_expect_eq(json_array_size(json_object_get(r.json, "addresses")), 1);
    th_resp_free(&r);
    char dup_path[64];
    snprintf(dup_path, sizeof(dup_path), "/api/v1/customers/%lld", (long long)dup);
    th_expect_error(&t, "GET", dup_path, t.admin, NULL, 404, "not_found");
    /* the duplicate's sales are the kept customer's now, each saying so in its history */
    cr_expect_eq(
        th_sql_intf(&t, "SELECT COUNT(*) FROM sales WHERE customer_id = %lld", (long long)keep), 3);
    cr_expect_eq(th_sql_intf(&t, "SELECT customer_id FROM sales WHERE id = %lld", (long long)s1),
                 keep);
    for (int i = 0; i < 2; i++) {
        int64_t s = i ? s3 : s2;
        cr_expect_eq(th_sql_intf(&t,
                                 "SELECT COUNT(*) FROM sale_events WHERE sale_id = %lld AND kind ="
                                 " 'change' AND field = 'customer_id' AND old_id = %lld AND new_id"
                                 " = %lld",
                                 (long long)s, (long long)dup, (long long)keep),
                     1, "sale %lld's history", (long long)s);
    }
    /* the email now finds the kept customer */
    json_t *page = th_get(&t, t.admin, "/api/v1/customers?email=ANN@example.com");
    cr_expect_eq(th_int(json_array_get(json_object_get(page, "data"), 0), "id"), keep);
    json_decref(page);
}

Test(customer_merge, bad_merges_change_nothing)
{
    int64_t a = th_create(&t, t.admin, "/api/v1/customers", "{\"first_name\":\"A\"}");
    char path[96], body[64];
    snprintf(path, sizeof(path), "/api/v1/customers/%lld/merge", (long long)a);
    snprintf(body, sizeof(body), "{\"from_customer_id\":%lld}", (long long)a);
    th_expect_error(&t, "POST", path, f.manager, body, 422, "invalid_field");
    th_expect_error(&t, "POST", path, f.manager, "{\"from_customer_id\":999999}", 422,
                    "unknown_reference");
    th_expect_error(&t, "POST", path, f.manager, "{\"from\":1}", 422, "invalid_field");
    snprintf(body, sizeof(body), "{\"from_customer_id\":%lld}", (long long)a);
    th_expect_error(&t, "POST", "/api/v1/customers/999999/merge", f.manager, body, 404,
                    "not_found");
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customers"), 1, "nothing merged");
}
