/*
 * /api/v1/customers end to end (create, read, update with addresses, email
 * uniqueness, search, the customer's sales within the caller's outlets, bad
 * input), and the order pipeline's look-ups against a real store without
 * HTTP: customers by email (SPEC C1-C5) and payment types by name (SPEC P2).
 */
#include "harness.h"
#include "store/customers.h"
#include "store/payment-types.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

TestSuite(customers, .init = setup, .fini = teardown);

static json_t *call(const char *method, const char *token, long status, const char *path,
                    const char *body)
{
    struct th_resp r = th_req(&t, method, path, token, body);
    cr_assert_eq(r.status, status, "%s %s %s -> %ld %s", method, path, body ? body : "", r.status,
                 r.body);
    json_t *j = json_incref(r.json);
    th_resp_free(&r);
    return j;
}

static void expect_field(const char *method, const char *path, const char *token, const char *body,
                         long status, const char *code, const char *field)
{
    th_expect_error(&t, method, path, token, body, status, code);
    struct th_resp r = th_req(&t, method, path, token, body);
    json_t *got = json_object_get(json_object_get(r.json, "error"), "field");
    cr_expect(json_is_string(got) && strcmp(json_string_value(got), field) == 0,
              "%s %s %s: want field %s, got %s", method, path, body, field, r.body);
    th_resp_free(&r);
}

/* The ids in a page's data, 0-terminated, into out. */
static size_t ids(json_t *page, int64_t *out, size_t cap)
{
    json_t *data = json_object_get(page, "data");
    size_t n = json_array_size(data);
    for (size_t i = 0; i < n && i + 1 < cap; i++)
        out[i] = th_int(json_array_get(data, i), "id");
    out[n < cap ? n : cap - 1] = 0;
    return n;
}

Test(customers, create_get_update_with_addresses)
{
    json_t *c =
        call("POST", f.staff1, 201, "/api/v1/customers",
             "{\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"email\":\" Ann.Lee@Example.com "
             "\",\"phone\":\"555-0101\",\"company\":\"Acme\",\"note\":\"VIP\","
             "\"addresses\":[{\"kind\":\"billing\",\"name\":\"Ann Lee\",\"line1\":\"1 Main"
             " St\",\"city\":\"Springfield\",\"postcode\":\"12345\",\"country\":\"US\"},"
             "{\"line1\":\"9 Dock Rd\",\"city\":\"Shelbyville\"}]}");
    int64_t id = th_int(c, "id");
    cr_expect_str_eq(th_str(c, "first_name"), "Ann");
    cr_expect_str_eq(th_str(c, "email"), "Ann.Lee@Example.com", "kept as given, without spaces");
    cr_expect(json_object_get(c, "email_norm") == NULL, "email_norm is internal");
    cr_expect_str_eq(th_str(c, "company"), "Acme");
    json_t *addrs = json_object_get(c, "addresses");
    cr_expect_eq(json_array_size(addrs), 2);
    cr_expect_str_eq(th_str(json_array_get(addrs, 0), "kind"), "billing");
    cr_expect_str_eq(th_str(json_array_get(addrs, 1), "kind"), "shipping", "the default kind");
    cr_expect(json_is_null(json_object_get(json_array_get(addrs, 1), "postcode")));
    json_decref(c);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customers"
                                " WHERE email_norm = 'ann.lee@example.com'"),
                 1);

    char path[64];
    snprintf(path, sizeof(path), "/api/v1/customers/%lld", (long long)id);
    c = call("PATCH", f.staff2, 200, path,
             "{\"last_name\":\"Li\",\"phone\":null,\"addresses\":[{\"kind\":\"shipping\","
             "\"line1\":\"2 Elm St\"}]}");
    cr_expect_str_eq(th_str(c, "last_name"), "Li");
    cr_expect_str_eq(th_str(c, "first_name"), "Ann", "untouched");
    cr_expect(json_is_null(json_object_get(c, "phone")));
    cr_expect_eq(json_array_size(json_object_get(c, "addresses")), 1, "replaced whole");
    json_decref(c);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customer_addresses"), 1);

    c = call("PATCH", f.staff1, 200, path, "{\"note\":\"VVIP\"}");
    cr_expect_eq(json_array_size(json_object_get(c, "addresses")), 1, "kept when not given");
    json_decref(c);
    c = call("PATCH", f.staff1, 200, path, "{\"addresses\":[],\"email\":null}");
    cr_expect_eq(json_array_size(json_object_get(c, "addresses")), 0);
    cr_expect(json_is_null(json_object_get(c, "email")));
    json_decref(c);
    cr_expect_eq(th_sql_int(&t, "SELECT COUNT(*) FROM customers WHERE email_norm IS NULL"), 1);

    c = th_get(&t, f.staff2, "%s", path);
    cr_expect_str_eq(th_str(c, "note"), "VVIP");
    json_decref(c);

    /* a customer keeps a name */
    expect_field("PATCH", path, f.staff1,
                 "{\"first_name\":\"\",\"last_name\":null,\"company\":null}", 422, "invalid_field",
                 "first_name");
    c = call("PATCH", f.staff1, 200, path, "{\"first_name\":\"\",\"last_name\":\"\"}");
    cr_expect_str_eq(th_str(c, "first_name"), "");
    json_decref(c);
}

Test(customers, email_is_unique_case_and_spaces_ignored)
{
    int64_t a = th_create(&t, f.staff1, "/api/v1/customers",
                          "{\"first_name\":\"Ann\",\"email\":\"ann@example.com\"}");
    int64_t b = th_create(&t, f.staff1, "/api/v1/customers",
                          "{\"first_name\":\"Bo\",\"email\":\"bo@example.com\"}");
    expect_field("POST", "/api/v1/customers", f.staff1,
                 "{\"first_name\":\"Other\",\"email\":\"  ANN@Example.COM \"}", 409, "duplicate",
                 "email");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/customers/%lld", (long long)b);
    expect_field("PATCH", path, f.staff1, "{\"email\":\"Ann@example.com\"}", 409, "duplicate",
                 "email");
    /* changing the case of one's own email is fine */
    json_t *c = call("PATCH", f.staff1, 200, path, "{\"email\":\"BO@example.com\"}");
    cr_expect_str_eq(th_str(c, "email"), "BO@example.com");
    json_decref(c);
    (void)a;
}

Test(customers, search_and_email_lookup)
{
    int64_t ann = th_create(&t, f.staff1, "/api/v1/customers",
                            "{\"first_name\":\"Ann\",\"last_name\":\"Lee\","
                            "\"email\":\"ann@example.com\",\"phone\":\"555-0101\"}");
    int64_t bob = th_create(&t, f.staff1, "/api/v1/customers",
                            "{\"first_name\":\"Bob\",\"last_name\":\"Annand\","
                            "\"email\":\"bob@shop.test\"}");
    int64_t acme = th_create(&t, f.staff1, "/api/v1/customers",
                             "{\"company\":\"ACME 100%% Widgets\",\"phone\":\"555-0199\"}");
    int64_t got[8];
    struct {
        const char *query;
        int64_t want[4];
    } cases[] = {
        { "", { ann, bob, acme, 0 } },
        { "?q=ann", { ann, bob, 0 } },     /* first name, last name, email */
        { "?q=ANN%20LEE", { ann, 0 } },    /* full name, any case */
        { "?q=shop.test", { bob, 0 } },    /* email */
        { "?q=555-01", { ann, acme, 0 } }, /* phone */
        { "?q=widgets", { acme, 0 } },     /* company */
        { "?q=100%25", { acme, 0 } },      /* a literal % */
        { "?q=%25", { acme, 0 } },
        { "?q=_", { 0 } }, /* LIKE wildcards are literal */
        { "?q=zzz", { 0 } },
        { "?email=ANN@EXAMPLE.COM", { ann, 0 } },
        { "?email=%20ann@example.com%20", { ann, 0 } },
        { "?email=ann", { 0 } },
        { "?email=", { 0 } },
        { "?email=bob@shop.test&q=bob", { bob, 0 } },
        { "?email=bob@shop.test&q=ann", { bob, 0 } },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *page = th_get(&t, f.staff2, "/api/v1/customers%s", cases[i].query);
        size_t n = ids(page, got, 8), want = 0;
        while (cases[i].want[want])
            want++;
        cr_expect_eq(n, want, "%s: %zu rows, want %zu", cases[i].query, n, want);
        for (size_t k = 0; k < want && k < n; k++)
            cr_expect_eq(got[k], cases[i].want[k], "%s row %zu", cases[i].query, k);
        json_decref(page);
    }
    json_t *page = th_get(&t, f.staff1, "/api/v1/customers?limit=2");
    cr_expect_eq(ids(page, got, 8), 2);
    cr_expect_eq(th_int(page, "next_after"), bob);
    cr_expect(json_is_array(
        json_object_get(json_array_get(json_object_get(page, "data"), 0), "addresses")));
    json_decref(page);
    page = th_get(&t, f.staff1, "/api/v1/customers?limit=2&after=%lld", (long long)bob);
    cr_expect_eq(ids(page, got, 8), 1);
    cr_expect_eq(got[0], acme);
    cr_expect(json_is_null(json_object_get(page, "next_after")));
    json_decref(page);

    char longq[300];
    memset(longq, 'a', sizeof(longq));
    memcpy(longq, "/api/v1/customers?q=", 20);
    longq[sizeof(longq) - 1] = '\0';
    th_expect_error(&t, "GET", longq, f.staff1, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/customers?limit=-1", f.staff1, NULL, 400, "invalid_query");
    th_expect_error(&t, "GET", "/api/v1/customers", NULL, NULL, 401, "unauthorized");
}

/* O9: a customer's sales, within the caller's outlets. */
Test(customers, customer_sales_are_scoped)
{
    int64_t ann = th_create(&t, f.staff1, "/api/v1/customers", "{\"first_name\":\"Ann\"}");
    int64_t other = th_create(&t, f.staff1, "/api/v1/customers", "{\"first_name\":\"Cy\"}");
    int64_t s1 = th_create(&t, f.staff1, "/api/v1/sales",
                           "{\"outlet_id\":1,\"customer_id\":%lld,\"lines\":[{\"item_id\":1,"
                           "\"quantity\":1}]}",
                           (long long)ann);
    int64_t s2 = th_create(&t, f.staff2, "/api/v1/sales",
                           "{\"outlet_id\":2,\"customer_id\":%lld,\"lines\":[{\"item_id\":1,"
                           "\"quantity\":1}]}",
                           (long long)ann);
    int64_t s3 = th_create(&t, f.staff1, "/api/v1/sales",
                           "{\"outlet_id\":1,\"customer_id\":%lld,\"lines\":[{\"item_id\":3,"
                           "\"quantity\":1}]}",
                           (long long)ann);
    th_create(&t, f.staff1, "/api/v1/sales",
              "{\"outlet_id\":1,\"customer_id\":%lld,\"lines\":[{\"item_id\":3,\"quantity\":1}]}",
              (long long)other);
    int64_t got[8];
    json_t *page = th_get(&t, t.admin, "/api/v1/customers/%lld/sales", (long long)ann);
    cr_expect_eq(ids(page, got, 8), 3);
    cr_expect_eq(got[0], s1);
    cr_expect_eq(got[1], s2);
    cr_expect_eq(got[2], s3);
    cr_expect_str_eq(th_str(json_array_get(json_object_get(page, "data"), 0), "customer_name"),
                     "Ann");
    json_decref(page);
    page = th_get(&t, f.staff1, "/api/v1/customers/%lld/sales", (long long)ann);
    cr_expect_eq(ids(page, got, 8), 2, "staff1 sees outlet 1 only");
    cr_expect_eq(got[1], s3);
    json_decref(page);
    page = th_get(&t, f.staff2, "/api/v1/customers/%lld/sales?limit=1", (long long)ann);
    cr_expect_eq(ids(page, got, 8), 1);
    cr_expect_eq(got[0], s2);
    json_decref(page);
    page = th_get(&t, f.staff1, "/api/v1/customers/%lld/sales?limit=1&after=%lld", (long long)ann,
                  (long long)s1);
    cr_expect_eq(ids(page, got, 8), 1);
    cr_expect_eq(got[0], s3);
    json_decref(page);

    /* the sale shows its customer */
    json_t *s = th_get(&t, f.staff1, "/api/v1/sales/%lld", (long long)s1);
    cr_expect_eq(th_int(json_object_get(s, "customer"), "id"), ann);
    cr_expect_str_eq(th_str(json_object_get(s, "customer"), "first_name"), "Ann");
    json_decref(s);

    th_expect_error(&t, "GET", "/api/v1/customers/999/sales", f.staff1, NULL, 404, "not_found");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/customers/%lld/sales?after=x", (long long)ann);
    th_expect_error(&t, "GET", path, f.staff1, NULL, 400, "invalid_query");
}

Test(customers, bad_input)
{
    const char *P = "/api/v1/customers";
    int64_t id = th_create(&t, f.staff1, P, "{\"company\":\"Acme\"}");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/customers/%lld", (long long)id);
    th_expect_error(&t, "POST", P, f.staff1, "{\"first_name\":", 400, "invalid_json");
    th_expect_error(&t, "POST", P, f.staff1, "\"Ann\"", 400, "invalid_json");
    th_expect_error(&t, "POST", P, f.staff1, NULL, 400, "invalid_json");
    expect_field("POST", P, f.staff1, "{}", 422, "missing_field", "first_name");
    expect_field("POST", P, f.staff1, "{\"phone\":\"555\",\"note\":\"x\"}", 422, "missing_field",
                 "first_name");
    expect_field("POST", P, f.staff1, "{\"first_name\":\"  \",\"company\":\"\"}", 422,
                 "missing_field", "first_name");
    expect_field("POST", P, f.staff1, "{\"first_name\":5}", 422, "invalid_field", "first_name");
    expect_field("POST", P, f.staff1, "{\"email\":\"ann\"}", 422, "invalid_field", "email");
    expect_field("POST", P, f.staff1, "{\"email\":\"ann lee@example.com\"}", 422, "invalid_field",
                 "email");
    expect_field("POST", P, f.staff1, "{\"email\":\"a@b@c\"}", 422, "invalid_field", "email");
    expect_field("POST", P, f.staff1, "{\"first_name\":\"A\",\"email\":\"\"}", 422, "invalid_field",
                 "email");
    expect_field("POST", P, f.staff1, "{\"first_name\":\"A\",\"age\":3}", 422, "invalid_field",
                 "age");
    expect_field("POST", P, f.staff1, "{\"first_name\":\"A\",\"addresses\":{}}", 422,
                 "invalid_field", "addresses");
    expect_field("POST", P, f.staff1, "{\"first_name\":\"A\",\"addresses\":[\"1 Main St\"]}", 422,
                 "invalid_field", "addresses[0]");
    expect_field("POST", P, f.staff1, "{\"first_name\":\"A\",\"addresses\":[{\"kind\":\"home\"}]}",
                 422, "invalid_field", "addresses[0].kind");
    expect_field("POST", P, f.staff1,
                 "{\"first_name\":\"A\",\"addresses\":[{\"city\":\"X\"},{\"street\":\"x\"}]}", 422,
                 "invalid_field", "addresses[1].street");
    expect_field("POST", P, f.staff1, "{\"first_name\":\"A\",\"addresses\":[{\"city\":7}]}", 422,
                 "invalid_field", "addresses[0].city");
    /* 21 addresses, one more than a customer may have */
    const char *many = "{\"first_name\":\"A\",\"addresses\":[{},{},{},{},{},{},{},{},{},{},"
                       "{},{},{},{},{},{},{},{},{},{},{}]}";
    expect_field("POST", P, f.staff1, many, 422, "invalid_field", "addresses");
    th_expect_error(&t, "POST", P, NULL, "{\"first_name\":\"A\"}", 401, "unauthorized");
    th_expect_error(&t, "GET", "/api/v1/customers/999", f.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "GET", "/api/v1/customers/0", f.staff1, NULL, 404, "not_found");
    th_expect_error(&t, "PATCH", "/api/v1/customers/999", f.staff1, "{\"first_name\":\"Z\"}", 404,
                    "not_found");
    expect_field("PATCH", path, f.staff1, "{\"email\":\"nope\"}", 422, "invalid_field", "email");
    expect_field("PATCH", path, f.staff1, "{\"company\":null}", 422, "invalid_field", "first_name");
    th_expect_error(&t, "PATCH", path, f.staff1, "{\"x\":1}", 422, "invalid_field");
    th_expect_error(&t, "DELETE", path, f.staff1, NULL, 405, "method_not_allowed");
}

/* ---- the order pipeline's look-ups, against a store without HTTP ---- */

static struct th_db tdb;
static struct sb_store *store;
static struct sb_db *db;

static void store_setup(void)
{
    th_db_make(&tdb);
    cr_assert_eq(sb_store_open(tdb.url, 2, &store), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_store_acquire(store, &db), SB_OK);
}

static void store_teardown(void)
{
    sb_store_release(store, db);
    sb_store_close(store);
    th_db_drop(&tdb);
}

TestSuite(pipeline, .init = store_setup, .fini = store_teardown);

static int64_t count(const char *sql)
{
    int64_t n = -1;
    cr_assert_eq(sb_db_int(db, &n, sql, NULL), SB_OK, "%s", sql);
    return n;
}

static json_t *customer(int64_t id)
{
    json_t *c = NULL;
    cr_assert_eq(sb_store_customer_get(db, id, &c), SB_OK);
    return c;
}

/* C3: a new email creates the customer from the order's email and names. */
Test(pipeline, c3_new_email_creates_customer)
{
    int64_t id = 0;
    cr_assert_eq(sb_customer_match_or_create(db, " Ann.Lee@Example.com ", "Ann", "Lee", &id),
                 SB_OK);
    cr_expect_gt(id, 0);
    json_t *c = customer(id);
    cr_expect_str_eq(json_string_value(json_object_get(c, "first_name")), "Ann");
    cr_expect_str_eq(json_string_value(json_object_get(c, "last_name")), "Lee");
    cr_expect_str_eq(json_string_value(json_object_get(c, "email")), "Ann.Lee@Example.com");
    json_decref(c);
}

/* C1 + C2: matched by email whatever the case and spaces; names are not overwritten. */
Test(pipeline, c1_c2_match_by_email_without_overwriting)
{
    int64_t a = 0, b = 0;
    cr_assert_eq(sb_customer_match_or_create(db, "ann@example.com", "Ann", "Lee", &a), SB_OK);
    cr_assert_eq(sb_customer_match_or_create(db, "  ANN@Example.COM\t", "Annie", "Li", &b), SB_OK);
    cr_expect_eq(a, b);
    cr_expect_eq(count("SELECT COUNT(*) FROM customers"), 1);
    json_t *c = customer(a);
    cr_expect_str_eq(json_string_value(json_object_get(c, "first_name")), "Ann");
    cr_expect_str_eq(json_string_value(json_object_get(c, "last_name")), "Lee");
    cr_expect_str_eq(json_string_value(json_object_get(c, "email")), "ann@example.com");
    json_decref(c);
    /* a customer created through the API is matched too */
    struct sb_customer in = { .first_name = { "Cy", true }, .email = { "Cy@Shop.test", true } };
    int64_t cy = 0, got = 0;
    cr_assert_eq(sb_store_customer_create(db, &in, &cy), SB_OK);
    cr_assert_eq(sb_customer_match_or_create(db, "cy@shop.test", NULL, NULL, &got), SB_OK);
    cr_expect_eq(got, cy);
}

/* C4: no name: the email becomes the first name. */
Test(pipeline, c4_email_as_name)
{
    int64_t id = 0;
    cr_assert_eq(sb_customer_match_or_create(db, " solo@example.com", NULL, "  ", &id), SB_OK);
    json_t *c = customer(id);
    cr_expect_str_eq(json_string_value(json_object_get(c, "first_name")), "solo@example.com");
    cr_expect_str_eq(json_string_value(json_object_get(c, "last_name")), "");
    json_decref(c);
    /* a last name alone is a name */
    cr_assert_eq(sb_customer_match_or_create(db, "x@example.com", NULL, "Xu", &id), SB_OK);
    c = customer(id);
    cr_expect_str_eq(json_string_value(json_object_get(c, "first_name")), "");
    cr_expect_str_eq(json_string_value(json_object_get(c, "last_name")), "Xu");
    json_decref(c);
}

/* C5: no email, no customer. */
Test(pipeline, c5_no_email_no_customer)
{
    const char *none[] = { NULL, "", "   ", "not-an-email" };
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        int64_t id = 77;
        cr_assert_eq(sb_customer_match_or_create(db, none[i], "Ann", "Lee", &id), SB_OK);
        cr_expect_eq(id, 0);
    }
    cr_expect_eq(count("SELECT COUNT(*) FROM customers"), 0);
}

/* The look-up joins the caller's transaction: an order that fails leaves no customer. */
Test(pipeline, joins_the_callers_transaction)
{
    int64_t id = 0;
    cr_assert_eq(sb_db_begin(db), SB_OK);
    cr_assert_eq(sb_customer_match_or_create(db, "ann@example.com", "Ann", NULL, &id), SB_OK);
    cr_expect_eq(sb_db_end(db, SB_EINVALID_FIELD), SB_EINVALID_FIELD);
    cr_expect_eq(count("SELECT COUNT(*) FROM customers"), 0);
}

/* P2: a payment type is matched by name, and created when none exists. */
Test(pipeline, p2_payment_type_matched_or_created)
{
    int64_t shopify = 0, again = 0, cash = 0, got = 0;
    cr_assert_eq(sb_store_payment_type_ensure(db, "Shopify", true, &shopify), SB_OK);
    cr_assert_eq(sb_store_payment_type_ensure(db, "  SHOPIFY ", false, &again), SB_OK);
    cr_expect_eq(shopify, again);
    cr_expect_eq(count("SELECT COUNT(*) FROM payment_types"), 1);
    json_t *p = NULL;
    cr_assert_eq(sb_store_payment_type_get(db, shopify, &p), SB_OK);
    cr_expect_str_eq(json_string_value(json_object_get(p, "name")), "Shopify");
    cr_expect(json_is_true(json_object_get(p, "integrated")), "an existing type keeps its flag");
    json_decref(p);

    struct sb_payment_type in = { .name = { "Cash", true } };
    cr_assert_eq(sb_store_payment_type_create(db, &in, &cash), SB_OK);
    cr_assert_eq(sb_store_payment_type_ensure(db, "cash", true, &got), SB_OK);
    cr_expect_eq(got, cash);
    cr_assert_eq(sb_store_payment_type_ensure(db, "Manual", false, &got), SB_OK);
    cr_expect_neq(got, cash);
    cr_expect_eq(count("SELECT COUNT(*) FROM payment_types"), 3);
    cr_expect_eq(sb_store_payment_type_ensure(db, "  ", false, &got), SB_EINVALID_FIELD);
    cr_expect_eq(sb_store_payment_type_ensure(db, NULL, false, &got), SB_EINVALID_FIELD);
}
