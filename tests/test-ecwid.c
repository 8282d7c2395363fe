/*
 * The Ecwid wire (src/channel/ecwid/) without a network: an order read into
 * the normalized order (O4 money rounded from floats, A1 pickup, C1-C5
 * customer, P1 payment method, W1 statuses raw), the webhook signature of
 * "{eventCreated}.{eventId}" (W5, W6), the request budget and Retry-After
 * (I9), the poll cursor and pages, and stock targets (I1); then the calls
 * against a scripted store on loopback (libmicrohttpd): the bearer token,
 * 429 storms and Retry-After, 403 for a bad token, the poll and the fetch,
 * absolute quantities PUT. Fixtures:
 * tests/fixtures/ecwid/ (README.md there says where each shape comes from).
 */
#include "channel/ecwid/ecwid.h"
#include "util/arena.h"

#include <criterion/criterion.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sb_arena *A;
static json_t *J;

static void setup(void)
{
    A = sb_arena_new();
    J = NULL;
}

static void teardown(void)
{
    json_decref(J);
    sb_arena_free(A);
}

static json_t *fixture(const char *name)
{
    const char *root = getenv("SB_SOURCE_ROOT");
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/fixtures/ecwid/%s", root ? root : "..", name);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    cr_assert(j, "%s: %s", path, e.text);
    return J = j;
}

static struct sb_order *parse(json_t *obj)
{
    struct sb_order *o = NULL;
    sb_err err = sb_ec_parse_order(obj, "USD", A, &o);
    cr_assert_eq(err, SB_OK, "%s", sb_err_last()->message);
    return o;
}

TestSuite(ecwid, .init = setup, .fini = teardown);

/* ---------------------------------------------------------------- orders */

Test(ecwid, O4_floats_rounded_to_cents_and_kept_as_sent)
{
    struct sb_order *o = parse(fixture("order-paid-pickup.json"));
    cr_assert_str_eq(o->external_id, "MYSTORE-X8UYE");
    cr_assert_str_eq(o->number, "MYSTORE-X8UYE");
    cr_assert_eq(o->total_price, 3741); /* 37.405 half away from zero */
    cr_assert_eq(o->total_tax, 300);    /* 2.995 */
    cr_assert_eq(o->subtotal, 3990);
    cr_assert_eq(o->total_discounts, 549); /* coupon 4.00 + discount 1.49 */
    cr_assert_eq(o->n_lines, 2);
    cr_assert_eq(o->lines[0].unit_price, 1495);
    cr_assert_eq(o->lines[0].quantity, 2);
    cr_assert_eq(o->lines[0].discount, 449); /* its discounts[].total + couponAmount */
    cr_assert_eq(o->lines[0].n_taxes, 1);
    cr_assert_eq(o->lines[0].taxes[0].amount, 250); /* 2.495 */
    cr_assert_eq(o->lines[1].discount, 100);
    /* everything is carried by the lines: no order-level rows */
    cr_assert_eq(o->n_order_discounts, 0);
    cr_assert_eq(o->n_order_taxes, 0);
    cr_assert_eq(o->n_discounts, 2);
    cr_assert_str_eq(o->discounts[0].code, "FOUROFF");
    cr_assert_eq(o->discounts[0].amount, 400);
}

Test(ecwid, O4_order_level_remainder_kept_under_its_name)
{
    json_t *o_json = fixture("order-paid-pickup.json");
    json_t *items = json_object_get(o_json, "items");
    json_object_del(json_array_get(items, 1), "couponAmount");
    json_object_set_new(o_json, "tax", json_real(3.5));
    struct sb_order *o = parse(o_json);
    cr_assert_eq(o->n_order_discounts, 1);
    cr_assert_str_eq(o->order_discounts[0].code, "FOUROFF");
    cr_assert_eq(o->order_discounts[0].amount, 100);
    cr_assert_eq(o->n_order_taxes, 1);
    cr_assert_eq(o->order_taxes[0].amount, 50);
}

Test(ecwid, lines_carry_product_and_combination_ids)
{
    struct sb_order *o = parse(fixture("order-paid-pickup.json"));
    cr_assert_str_eq(o->lines[0].external_id, "101");
    cr_assert_str_eq(o->lines[0].product_id, "1001");
    cr_assert_str_eq(o->lines[0].variant_id, "5001");
    cr_assert_str_eq(o->lines[0].sku, "TEE-RED-L");
    cr_assert_str_eq(o->lines[0].variant_title, "Color: Red, Size: L");
    cr_assert_str_eq(o->lines[1].product_id, "1002");
    cr_assert_null(o->lines[1].variant_id);
}

Test(ecwid, A1_pickup_names_its_location_C1_customer_P1_method)
{
    struct sb_order *o = parse(fixture("order-paid-pickup.json"));
    cr_assert_str_eq(o->pickup_location, "Downtown store");
    cr_assert_eq(o->n_shipping, 1);
    cr_assert_eq(o->total_shipping, 0);
    cr_assert_str_eq(o->email, "Ann.Buyer@example.com");
    cr_assert_str_eq(o->first_name, "Ann");
    cr_assert_str_eq(o->last_name, "Buyer");
    cr_assert_str_eq(o->ship_to.city, "Springfield");
    cr_assert_str_eq(o->gateway, "Stripe");
    cr_assert_eq(o->financial, SB_FIN_PAID);
    cr_assert_eq(o->n_payments, 1);
    cr_assert_eq(o->payments[0].amount, 3741);
    cr_assert_str_eq(o->payments[0].external_id, "ch_3PvA1");
    cr_assert_eq(o->created_at, 1725434529);
    cr_assert_eq(o->updated_at, 1725434740);
}

Test(ecwid, shipping_is_not_a_pickup)
{
    json_t *j = fixture("order-paid-pickup.json");
    json_t *so = json_object_get(j, "shippingOption");
    json_object_set_new(so, "isPickup", json_false());
    json_object_set_new(so, "fulfillmentType", json_string("SHIPPING"));
    json_object_set_new(so, "shippingMethodName", json_string("UPS Ground"));
    json_object_set_new(so, "shippingRate", json_real(5.125));
    struct sb_order *o = parse(j);
    cr_assert_null(o->pickup_location);
    cr_assert_str_eq(o->shipping[0].title, "UPS Ground");
    cr_assert_eq(o->total_shipping, 513);
}

Test(ecwid, W1_statuses_raw_unpaid_and_cancelled)
{
    json_t *j = fixture("order-paid-pickup.json");
    json_object_set_new(j, "paymentStatus", json_string("AWAITING_PAYMENT"));
    struct sb_order *o = parse(j);
    cr_assert_eq(o->financial, SB_FIN_PENDING);
    cr_assert_eq(o->n_payments, 0);
    cr_assert_eq(o->total_outstanding, 3741);
    cr_assert_str_eq(o->channel_status, "AWAITING_PROCESSING");
    json_object_set_new(j, "paymentStatus", json_string("CANCELLED"));
    o = parse(j);
    cr_assert(o->cancelled);
    cr_assert_str_eq(o->channel_status, "CANCELLED");
}

Test(ecwid, C5_no_email_no_names)
{
    json_t *j = fixture("order-paid-pickup.json");
    json_object_del(j, "email");
    json_object_del(j, "billingPerson");
    struct sb_order *o = parse(j);
    cr_assert_null(o->email);
    /* the ship-to's full name still names the order (C3: a person with only "name"); no
     * email, so it is attached to no customer (C5: order-apply.c) */
    cr_assert_str_eq(o->first_name, "Ann");
    cr_assert_str_eq(o->last_name, "Buyer");
    cr_assert_str_eq(o->ship_to.name, "Ann Buyer");
}

Test(ecwid, dates_and_the_creation_time_fallback)
{
    int64_t t;
    cr_assert(sb_ec_date_parse("2024-09-04 07:22:09 +0000", &t));
    cr_assert_eq(t, 1725434529);
    cr_assert(sb_ec_date_parse("2024-09-04 09:22:09 +0200", &t));
    cr_assert_eq(t, 1725434529);
    cr_assert_not(sb_ec_date_parse("2024-09-04T07:22:09Z", &t));
    cr_assert_not(sb_ec_date_parse("2024-09-04 07:22:09 +00", &t));
    json_t *j = fixture("order-paid-pickup.json");
    json_object_del(j, "createTimestamp");
    cr_assert_eq(parse(j)->created_at, 1725434529);
}

Test(ecwid, hostile_fields_name_the_field)
{
    json_t *j = fixture("order-paid-pickup.json");
    struct sb_order *o;
    json_object_set_new(json_array_get(json_object_get(j, "items"), 0), "quantity",
                        json_string("2"));
    cr_assert_eq(sb_ec_parse_order(j, "USD", A, &o), SB_EINVALID_FIELD);
    cr_assert_str_eq(sb_err_last()->field, "items[0]");
    json_object_set_new(json_array_get(json_object_get(j, "items"), 0), "quantity",
                        json_integer(2));
    json_object_set_new(j, "total", json_string("37.40"));
    cr_assert_eq(sb_ec_parse_order(j, "USD", A, &o), SB_EINVALID_FIELD);
    json_object_set_new(j, "total", json_real(1e300));
    cr_assert_eq(sb_ec_parse_order(j, "USD", A, &o), SB_EINVALID_FIELD);
    json_object_set_new(j, "total", json_real(1.0));
    json_object_del(j, "id");
    cr_assert_eq(sb_ec_parse_order(j, "USD", A, &o), SB_EMISSING_FIELD);
    json_t *arr = json_array();
    cr_assert_eq(sb_ec_parse_order(arr, "USD", A, &o), SB_EINVALID_FIELD);
    json_decref(arr);
}

Test(ecwid, O4_zero_decimal_currency)
{
    json_t *j = fixture("order-paid-pickup.json");
    struct sb_order *o = NULL;
    cr_assert_eq(sb_ec_parse_order(j, "JPY", A, &o), SB_OK);
    cr_assert_eq(o->total_price, 37);
    cr_assert_eq(o->lines[0].unit_price, 15);
}

/* ---------------------------------------------------------------- webhooks */

struct hdrs {
    const char *sig;
};
static const char *header(void *ud, const char *name)
{
    return !strcmp(name, "X-Ecwid-Webhook-Signature") ? ((struct hdrs *)ud)->sig : NULL;
}

static sb_err verify(const char *body, const char *sig, struct sb_event_info *info)
{
    json_t *cred = json_pack("{s:s, s:s, s:s}", "store_id", "1003", "api_token", "secret_tokenXYZ",
                             "client_secret", "app-client-secret");
    struct sb_channel ch = { .kind = "ecwid", .credentials = cred };
    struct hdrs h = { sig };
    struct sb_webhook wh = { .body = body, .len = strlen(body), .header = header, .ud = &h };
    sb_err err = sb_ec_verify_webhook(&ch, &wh, A, info);
    json_decref(cred);
    return err;
}

/* base64(HMAC-SHA256("app-client-secret", "1725434800.08a0f3c1-ev1")), by Python's hmac */
#define GOOD_SIG "YHCDQdNvaska4+HQEN/z7FFsEy5q9i1/kn7XnXqBNos="

Test(ecwid, W5_signature_of_created_dot_event_id)
{
    char buf[64];
    cr_assert(sb_ec_signature("app-client-secret", 1725434800, "08a0f3c1-ev1", buf, sizeof(buf)));
    cr_assert_str_eq(buf, GOOD_SIG);
    struct sb_event_info info = { 0 };
    const char *body = "{\"eventId\":\"08a0f3c1-ev1\",\"eventCreated\":1725434800,\"storeId\":1003,"
                       "\"entityId\":561036066,\"eventType\":\"order.updated\","
                       "\"data\":{\"orderId\":\"MYSTORE-X8UYE\",\"newPaymentStatus\":\"PAID\"}}";
    cr_assert_eq(verify(body, GOOD_SIG, &info), SB_OK, "%s", sb_err_last()->message);
    cr_assert_str_eq(info.event_id, "08a0f3c1-ev1");
    cr_assert_str_eq(info.topic, "order.updated");
    cr_assert_str_eq(info.order_ref, "MYSTORE-X8UYE");
    cr_assert_not(info.ignored);
}

Test(ecwid, W5_bad_or_missing_signature_refused_before_reading)
{
    struct sb_event_info info = { 0 };
    /* the signed values changed: the same signature no longer verifies */
    const char *other = "{\"eventId\":\"08a0f3c1-ev2\",\"eventCreated\":1725434800,"
                        "\"eventType\":\"order.updated\",\"data\":{\"orderId\":\"A\"}}";
    cr_assert_eq(verify(other, GOOD_SIG, &info), SB_EUNAUTHORIZED);
    cr_assert_eq(verify(other, NULL, &info), SB_EUNAUTHORIZED);
    cr_assert_eq(verify("not json", GOOD_SIG, &info), SB_EUNAUTHORIZED);
    /* eventCreated as text is not what was signed */
    cr_assert_eq(
        verify("{\"eventId\":\"08a0f3c1-ev1\",\"eventCreated\":\"1725434800\"}", GOOD_SIG, &info),
        SB_EUNAUTHORIZED);
    /* signed with the API token instead of the client secret */
    char buf[64];
    sb_ec_signature("secret_tokenXYZ", 1725434800, "08a0f3c1-ev1", buf, sizeof(buf));
    const char *body = "{\"eventId\":\"08a0f3c1-ev1\",\"eventCreated\":1725434800,"
                       "\"eventType\":\"order.updated\",\"data\":{\"orderId\":\"A\"}}";
    cr_assert_eq(verify(body, buf, &info), SB_EUNAUTHORIZED);
}

Test(ecwid, W6_product_updated_ignored_and_order_events_need_an_order)
{
    struct sb_event_info info = { 0 };
    const char *p = "{\"eventId\":\"08a0f3c1-ev1\",\"eventCreated\":1725434800,"
                    "\"eventType\":\"product.updated\",\"data\":{\"productId\":\"1001\"}}";
    cr_assert_eq(verify(p, GOOD_SIG, &info), SB_OK);
    cr_assert(info.ignored);
    cr_assert_null(info.order_ref);
    const char *o = "{\"eventId\":\"08a0f3c1-ev1\",\"eventCreated\":1725434800,"
                    "\"eventType\":\"order.created\",\"data\":{}}";
    cr_assert_eq(verify(o, GOOD_SIG, &info), SB_EMISSING_FIELD);
    const char *bad = "{\"eventId\":\"08a0f3c1-ev1\",\"eventCreated\":1725434800,"
                      "\"eventType\":\"order.created\",\"data\":{\"orderId\":\"../x\"}}";
    cr_assert_eq(verify(bad, GOOD_SIG, &info), SB_EINVALID_FIELD);
    /* an order deleted on Ecwid is answered and changes nothing in the POS (no fetch) */
    const char *del = "{\"eventId\":\"08a0f3c1-ev1\",\"eventCreated\":1725434800,"
                      "\"eventType\":\"order.deleted\",\"data\":{\"orderId\":\"K8XTQ\"}}";
    cr_assert_eq(verify(del, GOOD_SIG, &info), SB_OK);
    cr_assert(info.ignored);
    cr_assert_null(info.order_ref);
}

/* ---------------------------------------------------------------- the budget (I9) */

Test(ecwid, I9_600_a_minute_then_wait_for_the_window)
{
    struct sb_ec_state s = { 0 };
    for (int i = 0; i < SB_EC_BUDGET; i++)
        cr_assert_eq(sb_ec_budget_take(&s, 1000 + i), 0);
    cr_assert_eq(sb_ec_budget_take(&s, 1700), 60000 - 700);
    cr_assert_eq(sb_ec_budget_take(&s, 61000), 0); /* a new window */
    sb_ec_budget_block(&s, 62000, 3000);           /* a 429 asking 3 s */
    cr_assert_eq(sb_ec_budget_take(&s, 63000), 2000);
    cr_assert_eq(sb_ec_budget_take(&s, 65000), 0);
}

Test(ecwid, I9_retry_after_seconds)
{
    cr_assert_eq(sb_ec_retry_after_ms("3"), 3000);
    cr_assert_eq(sb_ec_retry_after_ms(" 10 "), 10000);
    cr_assert_eq(sb_ec_retry_after_ms(NULL), 1000);
    cr_assert_eq(sb_ec_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), 1000);
    cr_assert_eq(sb_ec_retry_after_ms("99999999999999999999"), SB_EC_MAX_WAIT_MS);
}

/* ---------------------------------------------------------------- the poll */

Test(ecwid, poll_cursor_round_trip_and_refusal)
{
    struct sb_ec_cursor c;
    cr_assert_eq(sb_ec_cursor_parse(NULL, &c), SB_OK);
    cr_assert_eq(c.from, 0);
    cr_assert_eq(sb_ec_cursor_parse("1725434000|100|1725434900|1725434740", &c), SB_OK);
    cr_assert_eq(c.offset, 100);
    cr_assert_str_eq(sb_ec_cursor_format(&c, A), "1725434000|100|1725434900|1725434740");
    cr_assert_str_eq(sb_ec_orders_query(&c, A), "updatedFrom=1725434000&offset=100&limit=100");
    cr_assert_eq(sb_ec_cursor_parse("1|2|3", &c), SB_EINVALID_FIELD);
    cr_assert_eq(sb_ec_cursor_parse("1|2|3|x", &c), SB_EINVALID_FIELD);
}

/* A page of `n` copies of the fixture (distinct ids), updated at `updated`. */
static json_t *page(json_t *order, size_t n, int64_t total, int64_t updated)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_deep_copy(order);
        char id[16];
        snprintf(id, sizeof(id), "ORD-%zu", i);
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "updateTimestamp", json_integer(updated));
        json_array_append_new(items, o);
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "count",
                     (json_int_t)n, "offset", (json_int_t)0, "limit", (json_int_t)100, "items",
                     items);
}

Test(ecwid, poll_pages_then_a_new_sweep_before_its_start)
{
    json_t *order = fixture("order-paid-pickup.json");
    struct sb_ec_cursor c = { .from = 1000 };
    struct sb_order_page p;
    json_t *b = page(order, 100, 150, 5000);
    cr_assert_eq(sb_ec_orders_page(b, &c, "USD", 9000, A, &p), SB_OK);
    json_decref(b);
    cr_assert_eq(p.n, 100);
    cr_assert(p.more);
    cr_assert_str_eq(p.next_cursor, "1000|100|9000|5000");
    cr_assert_eq(sb_ec_cursor_parse(p.next_cursor, &c), SB_OK);
    b = page(order, 50, 150, 7000);
    /* one unreadable order is listed, the others come down */
    json_object_set_new(json_array_get(json_object_get(b, "items"), 3), "items", json_string("x"));
    cr_assert_eq(sb_ec_orders_page(b, &c, "USD", 9100, A, &p), SB_OK);
    json_decref(b);
    cr_assert_eq(p.n, 49);
    cr_assert_eq(p.n_unreadable, 1);
    cr_assert_str_eq(p.unreadable[0].external_id, "ORD-3");
    cr_assert_not(p.more);
    /* next sweep: min(newest 7000, started 9000) - overlap */
    cr_assert_str_eq(p.next_cursor, "6700|0|0|0");
}

Test(ecwid, poll_empty_page_never_goes_back)
{
    json_t *b = json_pack("{s:i, s:i, s:[]}", "total", 0, "count", 0, "items");
    struct sb_ec_cursor c = { .from = 5000 };
    struct sb_order_page p;
    cr_assert_eq(sb_ec_orders_page(b, &c, "USD", 5100, A, &p), SB_OK);
    cr_assert_str_eq(p.next_cursor, "5000|0|0|0");
    cr_assert_eq(sb_ec_orders_page(json_object_get(b, "items"), &c, "USD", 5100, A, &p), SB_EIO);
    json_decref(b);
}

/* ---------------------------------------------------------------- stock */

Test(ecwid, I1_absolute_quantity_paths)
{
    struct sb_stock_level l = { .external_item_id = "1001", .available = 7 };
    cr_assert_str_eq(sb_ec_stock_path(&l, A), "/products/1001");
    l.external_item_id = "1001/5001";
    cr_assert_str_eq(sb_ec_stock_path(&l, A), "/products/1001/combinations/5001");
    l.external_item_id = "1001/";
    cr_assert_null(sb_ec_stock_path(&l, A));
    l.external_item_id = "../1";
    cr_assert_null(sb_ec_stock_path(&l, A));
    l.external_item_id = "1001";
    l.available = -1;
    cr_assert_null(sb_ec_stock_path(&l, A));
}

Test(ecwid, I1_unlimited_stock_left_alone)
{
    json_t *p =
        json_pack("{s:i, s:s, s:b, s:[{s:i, s:s, s:b}, {s:i, s:s, s:b}]}", "id", 1001, "sku", "TEE",
                  "unlimited", 1, "combinations", "id", 5001, "sku", "TEE-RED-L", "unlimited", 0,
                  "id", 5002, "sku", "TEE-RED-XL", "unlimited", 1);
    J = p;
    cr_assert_null(sb_ec_match_sku(p, "TEE", A));
    cr_assert_str_eq(sb_ec_match_sku(p, "TEE-RED-L", A), "1001/5001");
    cr_assert_null(sb_ec_match_sku(p, "TEE-RED-XL", A));
    cr_assert_null(sb_ec_match_sku(p, "NOPE", A));
    json_object_set_new(p, "unlimited", json_false());
    cr_assert_str_eq(sb_ec_match_sku(p, "TEE", A), "1001");
}

Test(ecwid, hostile_order_id_refused)
{
    json_t *j = fixture("order-paid-pickup.json");
    struct sb_order *o;
    json_object_set_new(j, "id", json_string("../../orders?x=1"));
    cr_assert_eq(sb_ec_parse_order(j, "USD", A, &o), SB_EINVALID_FIELD);
    cr_assert_str_eq(sb_err_last()->field, "id");
    cr_assert_eq(sb_ec_fetch_order(&(struct sb_channel){ 0 }, "a/b", A, &o), SB_EINVALID_FIELD);
}

/* ---------------------------------------------------------------- a scripted store */

#define SCRIPT_MAX 16

static struct {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;
    struct {
        unsigned status;
        const char *retry_after;
        char *body;
    } script[SCRIPT_MAX]; /* answered in turn; past the end: 500 */
    size_t n_script, next;
    char method[SCRIPT_MAX][8], url[SCRIPT_MAX][256], auth[SCRIPT_MAX][64], sent[SCRIPT_MAX][256];
    char base_url[64];
} st = { .mu = PTHREAD_MUTEX_INITIALIZER };

struct upload {
    char buf[256];
    size_t n;
};

static enum MHD_Result st_handler(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    (void)cls, (void)version;
    struct upload *u = *con_cls;
    if (!u) {
        *con_cls = calloc(1, sizeof(struct upload));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*data_size) {
        size_t k = *data_size < sizeof(u->buf) - 1 - u->n ? *data_size : sizeof(u->buf) - 1 - u->n;
        memcpy(u->buf + u->n, data, k);
        u->n += k;
        *data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&st.mu);
    size_t i = st.next++;
    unsigned status = 500;
    const char *ra = NULL, *text = "{}";
    if (i < SCRIPT_MAX) {
        const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "updatedFrom");
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        snprintf(st.method[i], sizeof(st.method[i]), "%s", method);
        snprintf(st.url[i], sizeof(st.url[i]), "%s%s%s", url, q ? "?updatedFrom=" : "", q ? q : "");
        snprintf(st.auth[i], sizeof(st.auth[i]), "%s", auth ? auth : "");
        snprintf(st.sent[i], sizeof(st.sent[i]), "%.*s", (int)u->n, u->buf);
    }
    if (i < st.n_script) {
        status = st.script[i].status;
        ra = st.script[i].retry_after;
        text = st.script[i].body ? st.script[i].body : "{}";
    }
    char *body = strdup(text);
    pthread_mutex_unlock(&st.mu);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (ra)
        MHD_add_response_header(resp, "Retry-After", ra);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void st_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static void answer(unsigned status, const char *retry_after, const char *body)
{
    cr_assert(st.n_script < SCRIPT_MAX);
    st.script[st.n_script].status = status;
    st.script[st.n_script].retry_after = retry_after;
    st.script[st.n_script].body = body ? strdup(body) : NULL;
    st.n_script++;
}

static struct sb_ec_state est;
static struct sb_channel ech;
static json_t *ecreds;

static void esetup(void)
{
    setup();
    st.n_script = st.next = 0;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    st.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, st_handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                            MHD_OPTION_NOTIFY_COMPLETED, st_done, NULL, MHD_OPTION_END);
    cr_assert(st.d);
    snprintf(st.base_url, sizeof(st.base_url), "http://127.0.0.1:%u/api/v3",
             MHD_get_daemon_info(st.d, MHD_DAEMON_INFO_BIND_PORT)->port);
    ecreds = json_pack("{s:s, s:s, s:s, s:s}", "base_url", st.base_url, "store_id", "1003",
                       "api_token", "secret_tokenXYZ", "client_secret", "app-client-secret");
    cr_assert_eq(sb_ec_open(NULL, &est), SB_OK);
    ech = (struct sb_channel){ .kind = "ecwid", .credentials = ecreds, .state = &est };
}

static void eteardown(void)
{
    MHD_stop_daemon(st.d);
    for (size_t i = 0; i < st.n_script; i++)
        free(st.script[i].body);
    sb_ec_close(&est);
    json_decref(ecreds);
    teardown();
}

TestSuite(ecwid_store, .init = esetup, .fini = eteardown);

Test(ecwid_store, I9_429_waited_out_then_the_call_goes_through)
{
    answer(429, "0", "{\"errorMessage\":\"Too many requests\"}");
    answer(429, "0", NULL);
    answer(200, NULL, "{\"updateCount\":1}");
    struct sb_ec_reply r;
    cr_assert_eq(sb_ec_call(&ech, "GET", "/profile", NULL, NULL, A, &r), SB_OK);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(json_integer_value(json_object_get(r.body, "updateCount")), 1);
    cr_assert_eq(st.next, 3);
    cr_assert_str_eq(st.url[2], "/api/v3/1003/profile");
    cr_assert_str_eq(st.auth[2], "Bearer secret_tokenXYZ");
    cr_assert_eq(est.used, 3); /* each try counted in the minute's budget */
}

Test(ecwid_store, I9_a_429_storm_gives_up_busy)
{
    for (int i = 0; i <= SB_EC_MAX_RETRIES; i++)
        answer(429, "0", NULL);
    struct sb_ec_reply r;
    cr_assert_eq(sb_ec_call(&ech, "GET", "/orders", NULL, NULL, A, &r), SB_EBUSY);
    cr_assert_eq(st.next, SB_EC_MAX_RETRIES + 1);
}

Test(ecwid_store, a_bad_token_answers_403_and_is_unauthorized)
{
    answer(403, NULL, "{\"errorMessage\":\"Invalid token\",\"errorCode\":\"INVALID_API_TOKEN\"}");
    struct sb_order_page p;
    cr_assert_eq(sb_ec_poll_orders(&ech, NULL, A, &p), SB_EUNAUTHORIZED);
    cr_assert(strstr(sb_err_last()->message, "INVALID_API_TOKEN"), "%s", sb_err_last()->message);
}

/* O4: the store's currency (its profile, read once) is what the floats are rounded to */
Test(ecwid_store, O4_poll_and_fetch_in_the_profiles_currency)
{
    json_t *o = fixture("order-paid-pickup.json");
    json_t *pg = json_pack("{s:i, s:i, s:i, s:i, s:[O]}", "total", 1, "count", 1, "offset", 0,
                           "limit", 100, "items", o);
    char *text = json_dumps(pg, 0), *one = json_dumps(o, 0);
    answer(200, NULL,
           "{\"generalInfo\":{\"storeId\":1003},\"formatsAndUnits\":{\"currency\":\"EUR\"}}");
    answer(200, NULL, text);
    answer(200, NULL, one);
    answer(404, NULL, "{\"errorMessage\":\"Order not found\"}");
    free(text);
    free(one);
    json_decref(pg);
    struct sb_order_page p;
    cr_assert_eq(sb_ec_poll_orders(&ech, "1725000000|0|0|0", A, &p), SB_OK);
    cr_assert_eq(p.n, 1);
    cr_assert_str_eq(p.orders[0]->external_id, "MYSTORE-X8UYE");
    cr_assert_str_eq(st.url[0], "/api/v3/1003/profile");
    cr_assert_str_eq(st.url[1], "/api/v3/1003/orders?updatedFrom=1725000000");
    cr_assert_str_eq(p.orders[0]->currency, "EUR");
    cr_assert_not(p.more);
    struct sb_order *got;
    cr_assert_eq(sb_ec_fetch_order(&ech, "MYSTORE-X8UYE", A, &got), SB_OK);
    cr_assert_str_eq(st.url[2], "/api/v3/1003/orders/MYSTORE-X8UYE");
    cr_assert_str_eq(got->currency, "EUR");
    cr_assert_eq(got->total_price, 3741);
    cr_assert_eq(sb_ec_fetch_order(&ech, "NOPE", A, &got), SB_ENOT_FOUND);
}

Test(ecwid_store, I1_absolute_quantities_put_and_a_refusal_marks_its_level)
{
    answer(200, NULL, "{\"updateCount\":1}");
    answer(404, NULL, "{\"errorMessage\":\"Combination not found\"}");
    answer(200, NULL, "{\"updateCount\":1}");
    struct sb_stock_level l[3] = {
        { .external_item_id = "1001", .available = 7 },
        { .external_item_id = "1001/9", .available = 2 },
        { .external_item_id = "1002/5002", .available = 0 },
    };
    cr_assert_eq(sb_ec_push_stock(&ech, l, 3, A), SB_OK);
    cr_assert_eq(st.next, 3);
    cr_assert_str_eq(st.method[0], "PUT");
    cr_assert_str_eq(st.url[0], "/api/v3/1003/products/1001");
    cr_assert_str_eq(st.sent[0], "{\"quantity\":7}");
    cr_assert_str_eq(st.url[2], "/api/v3/1003/products/1002/combinations/5002");
    cr_assert_str_eq(st.sent[2], "{\"quantity\":0}");
    cr_assert_null(l[0].error);
    cr_assert(l[1].error && strstr(l[1].error, "Combination not found"));
    cr_assert_null(l[2].error);
}

Test(ecwid_store, I1_find_items_leaves_unlimited_alone)
{
    answer(200, NULL,
           "{\"total\":1,\"items\":[{\"id\":1001,\"sku\":\"TEE\",\"unlimited\":true,"
           "\"combinations\":[{\"id\":5001,\"sku\":\"TEE-L\",\"unlimited\":false}]}]}");
    answer(200, NULL, "{\"total\":1,\"items\":[{\"id\":1001,\"sku\":\"TEE\",\"unlimited\":true}]}");
    struct sb_channel_item it[2] = { { .sku = "TEE-L" }, { .sku = "TEE" } };
    cr_assert_eq(sb_ec_find_items(&ech, it, 2, A), SB_OK);
    cr_assert_str_eq(it[0].item_id, "1001/5001");
    cr_assert_str_eq(it[0].product_id, "1001");
    cr_assert_null(it[1].item_id);
}

/* I2: the one location both kinds stock at is named, so the stock lane sends the sum of the
 * channel's outlets */
Test(ecwid_store, I2_found_items_stock_at_the_stores_one_location)
{
    answer(200, NULL, "{\"total\":1,\"items\":[{\"id\":1001,\"sku\":\"TEE\",\"quantity\":4}]}");
    struct sb_channel_item it[1] = { { .sku = "TEE" } };
    cr_assert_eq(sb_ec_find_items(&ech, it, 1, A), SB_OK);
    cr_assert_str_eq(it[0].item_id, "1001");
    cr_assert_str_eq(it[0].location_id, SB_EC_LOCATION);
}

/* I5: the store's stock read back a page at a time: products without combinations, each
 * combination, unlimited ones and those without a SKU left out; the cursor is the offset */
Test(ecwid_store, I5_read_stock_pages_products_and_combinations)
{
    answer(200, NULL,
           "{\"total\":150,\"count\":3,\"offset\":0,\"limit\":100,\"items\":["
           "{\"id\":1001,\"sku\":\"TEE\",\"quantity\":4},"
           "{\"id\":1002,\"sku\":\"HAT\",\"unlimited\":true},"
           "{\"id\":1003,\"sku\":\"MUG\",\"quantity\":9,\"combinations\":["
           "{\"id\":7,\"sku\":\"MUG-R\",\"quantity\":2},{\"id\":8,\"sku\":\"MUG-B\","
           "\"unlimited\":true},{\"id\":9,\"quantity\":1}]}]}");
    answer(200, NULL, "{\"total\":150,\"count\":0,\"offset\":3,\"limit\":100,\"items\":[]}");
    struct sb_stock_page p;
    cr_assert_eq(sb_ec_read_stock(&ech, NULL, A, &p), SB_OK, "%s", sb_err_last()->message);
    cr_assert_str_eq(st.url[0], "/api/v3/1003/products");
    cr_assert_eq(p.n, 2);
    cr_assert_str_eq(p.items[0].item.sku, "TEE");
    cr_assert_str_eq(p.items[0].item.item_id, "1001");
    cr_assert_eq(p.items[0].available[0], 4);
    cr_assert_str_eq(p.items[0].location_ids[0], SB_EC_LOCATION);
    cr_assert_str_eq(p.items[1].item.sku, "MUG-R");
    cr_assert_str_eq(p.items[1].item.item_id, "1003/7");
    cr_assert_str_eq(p.items[1].item.product_id, "1003");
    cr_assert_eq(p.items[1].available[0], 2);
    cr_assert(p.more);
    cr_assert_str_eq(p.next_cursor, "3");
    cr_assert_eq(sb_ec_read_stock(&ech, p.next_cursor, A, &p), SB_OK);
    cr_assert_eq(p.n, 0);
    cr_assert_not(p.more);
    /* I5: a read that cannot be understood fails; it never reads as zero stock */
    J = json_pack("{s:[]}", "items");
    cr_assert_eq(sb_ec_stock_page(J, 0, A, &p), SB_EIO);
    cr_assert_eq(sb_ec_read_stock(&ech, "-4", A, &p), SB_EINVALID_FIELD);
}

/* connect: the connection test reads the profile; a refused token says what to change */
Test(ecwid_store, connect_tests_the_token_and_reads_the_currency)
{
    answer(200, NULL,
           "{\"generalInfo\":{\"storeId\":1003},\"formatsAndUnits\":{\"currency\":\"JPY\"}}");
    answer(403, NULL, "{\"errorMessage\":\"Invalid token\",\"errorCode\":\"INVALID_API_TOKEN\"}");
    json_t *rep = NULL;
    cr_assert_eq(sb_ec_connect(&ech, &rep), SB_OK, "%s", sb_err_last()->message);
    cr_assert(json_is_true(json_object_get(rep, "ok")));
    cr_assert_str_eq(json_string_value(json_object_get(rep, "currency")), "JPY");
    json_decref(rep);
    cr_assert_str_eq(sb_ec_currency(&ech), "JPY");
    rep = NULL;
    cr_assert_eq(sb_ec_connect(&ech, &rep), SB_EUNAUTHORIZED);
    cr_assert_null(rep);
    json_t *c = sb_ec_connection(&ech, A, NULL);
    cr_assert(json_is_false(json_object_get(c, "ok")));
    cr_assert(strstr(json_string_value(json_object_get(c, "error")), "INVALID_API_TOKEN"));
    json_decref(c);
}

/* ---------------------------------------------------------------- the two kinds' rules */

/* P1-P3: a named processor gives the type its name, anything else is "Ecwid"; offline
 * methods are not integrated */
Test(ecwid, P1_P3_payment_types_from_the_method)
{
    bool integrated = false;
    cr_assert_str_eq(sb_ec_payment_type(NULL, "PayPal", &integrated), "PayPal");
    cr_assert(integrated);
    cr_assert_str_eq(sb_ec_payment_type(NULL, "Credit card (Stripe)", &integrated), "Stripe");
    cr_assert_str_eq(sb_ec_payment_type(NULL, "Lightspeed Payments", &integrated),
                     "Lightspeed Payments");
    cr_assert_str_eq(sb_ec_payment_type(NULL, "Credit or debit card", &integrated), "Ecwid");
    cr_assert(integrated);
    cr_assert_str_eq(sb_ec_payment_type(NULL, NULL, &integrated), "Ecwid");
    cr_assert(integrated);
    cr_assert_str_eq(sb_ec_payment_type(NULL, "Cash on delivery", &integrated), "Ecwid");
    cr_assert_not(integrated);
    sb_ec_payment_type(NULL, "Pay at pickup", &integrated);
    cr_assert_not(integrated);
    sb_ec_payment_type(NULL, "Bank transfer (wire)", &integrated);
    cr_assert_not(integrated);
}

/* W1 (Ecwid): PAID comes down, the rest waits saying why; L1 (eCom): everything comes down */
Test(ecwid, W1_L1_what_each_kind_downloads)
{
    struct sb_order o = { .financial = SB_FIN_PAID };
    const char *why = NULL;
    cr_assert_eq(sb_channel_ecwid.decide(NULL, &o, &why), SB_DECIDE_DOWNLOAD);
    o.financial = SB_FIN_PENDING;
    cr_assert_eq(sb_channel_ecwid.decide(NULL, &o, &why), SB_DECIDE_WAIT);
    cr_assert_str_eq(why, "awaiting payment (W1: only PAID orders come down)");
    o.financial = SB_FIN_PARTIALLY_REFUNDED;
    cr_assert_eq(sb_channel_ecwid.decide(NULL, &o, &why), SB_DECIDE_WAIT);
    cr_assert(strstr(why, "not PAID"));
    /* O10: which status keeps it waiting */
    o = (struct sb_order){ .financial = SB_FIN_PENDING,
                           .payment_status = "CUSTOM_PAYMENT_STATUS_2" };
    cr_assert_eq(sb_channel_ecwid.decide(NULL, &o, &why), SB_DECIDE_WAIT);
    cr_assert_str_eq(why, "a custom payment status, not PAID (W1: only PAID orders come down)");
    o.payment_status = "INCOMPLETE";
    cr_assert_eq(sb_channel_ecwid.decide(NULL, &o, &why), SB_DECIDE_WAIT);
    cr_assert_str_eq(why, "checkout not completed (W1: only PAID orders come down)");
    o.financial = SB_FIN_PENDING;
    cr_assert_eq(sb_channel_ecom.decide(NULL, &o, &why), SB_DECIDE_DOWNLOAD);
    /* W2, W4 belong to Ecwid only */
    cr_assert(sb_channel_ecwid.channel_fulfills && sb_channel_ecwid.register_outlet);
    cr_assert_not(sb_channel_ecom.channel_fulfills || sb_channel_ecom.register_outlet);
    cr_assert_not(sb_channel_ecwid.caps & (SB_CH_FULFILL | SB_CH_STATUS_IN | SB_CH_STATUS_OUT));
}

/* L2 as data: which rows apply to pickups and to shipped orders, and what does not travel */
Test(ecwid, L2_status_table_rows_by_direction_and_kind_of_order)
{
    const struct sb_channel_ops *k = &sb_channel_ecom;
    const struct sb_status_map *m;
    /* in */
    cr_assert_eq(sb_channel_status_in(k, "OUT_FOR_DELIVERY", false)->pos, SB_POS_SHIPPED);
    cr_assert_eq(sb_channel_status_in(k, "READY_FOR_PICKUP", true)->pos, SB_POS_PACKED);
    cr_assert_null(sb_channel_status_in(k, "READY_FOR_PICKUP", false));
    cr_assert_eq(sb_channel_status_in(k, "DELIVERED", false)->pos, SB_POS_SHIPPED);
    cr_assert_eq(sb_channel_status_in(k, "DELIVERED", true)->pos, SB_POS_PICKED_UP);
    cr_assert_eq(sb_channel_status_in(k, "CANCELLED", true)->pos, SB_POS_CANCELLED);
    cr_assert_null(sb_channel_status_in(k, "PROCESSING", false));
    cr_assert_null(sb_channel_status_in(k, "WILL_NOT_DELIVER", false));
    cr_assert_null(sb_channel_status_in(k, "RETURNED", false));
    /* out */
    m = sb_channel_status_out(k, SB_POS_PACKED, true);
    cr_assert_str_eq(m->channel, "READY_FOR_PICKUP");
    cr_assert_null(sb_channel_status_out(k, SB_POS_PACKED, false));
    cr_assert_str_eq(sb_channel_status_out(k, SB_POS_SHIPPED, false)->channel, "SHIPPED");
    cr_assert_null(sb_channel_status_out(k, SB_POS_SHIPPED, true));
    cr_assert_str_eq(sb_channel_status_out(k, SB_POS_PICKED_UP, true)->channel, "DELIVERED");
    cr_assert_str_eq(sb_channel_status_out(k, SB_POS_PAID, false)->channel, "PAID");
    cr_assert_str_eq(sb_channel_status_out(k, SB_POS_CANCELLED, true)->channel, "WILL_NOT_DELIVER");
    cr_assert_null(sb_channel_status_out(k, SB_POS_PENDING, false));
}

/* L2 out: statuses written with PUT /orders/{id}, the payment one as paymentStatus; the lock:
 * an order cancelled on eCom takes nothing more, but its WILL_NOT_DELIVER */
Test(ecwid_store, L2_push_status_writes_and_the_lock_after_a_cancel)
{
    answer(200, NULL, "{\"id\":\"K1\",\"paymentStatus\":\"AWAITING_PAYMENT\"}");
    answer(200, NULL, "{\"updateCount\":1}");
    answer(200, NULL, "{\"id\":\"K1\",\"paymentStatus\":\"PAID\"}");
    answer(200, NULL, "{\"updateCount\":1}");
    answer(200, NULL, "{\"id\":\"K1\",\"paymentStatus\":\"CANCELLED\"}");
    answer(200, NULL, "{\"updateCount\":1}");
    struct sb_status_push paid = { .order_external_id = "K1",
                                   .status = "PAID",
                                   .pos = SB_POS_PAID };
    cr_assert_eq(sb_channel_ecom.push_status(&ech, &paid), SB_OK, "%s", sb_err_last()->message);
    cr_assert_str_eq(st.method[0], "GET");
    cr_assert_str_eq(st.url[0], "/api/v3/1003/orders/K1");
    cr_assert_str_eq(st.method[1], "PUT");
    cr_assert_str_eq(st.sent[1], "{\"paymentStatus\":\"PAID\"}");
    struct sb_status_push ready = { .order_external_id = "K1",
                                    .status = "READY_FOR_PICKUP",
                                    .pos = SB_POS_PACKED,
                                    .pickup = true };
    cr_assert_eq(sb_channel_ecom.push_status(&ech, &ready), SB_OK);
    cr_assert_str_eq(st.sent[3], "{\"fulfillmentStatus\":\"READY_FOR_PICKUP\"}");
    /* locked: refused, nothing written */
    cr_assert_eq(sb_channel_ecom.push_status(&ech, &ready), SB_EINVALID_FIELD);
    cr_assert(strstr(sb_err_last()->message, "takes no further updates (L2)"));
    cr_assert_eq(st.next, 5);
    /* the cancel's own WILL_NOT_DELIVER goes without reading */
    struct sb_status_push wnd = { .order_external_id = "K1",
                                  .status = "WILL_NOT_DELIVER",
                                  .pos = SB_POS_CANCELLED };
    cr_assert_eq(sb_channel_ecom.push_status(&ech, &wnd), SB_OK);
    cr_assert_str_eq(st.method[5], "PUT");
    cr_assert_str_eq(st.sent[5], "{\"fulfillmentStatus\":\"WILL_NOT_DELIVER\"}");
}

/* S1: voided in the POS, each kind cancels as its rules say */
Test(ecwid_store, S1_push_cancel_bodies)
{
    answer(200, NULL, "{\"updateCount\":1}");
    answer(200, NULL, "{\"updateCount\":1}");
    answer(404, NULL, "{\"errorMessage\":\"Order not found\"}");
    cr_assert_eq(sb_channel_ecwid.push_cancel(&ech, "K2", "voided in the POS"), SB_OK);
    cr_assert_str_eq(st.url[0], "/api/v3/1003/orders/K2");
    cr_assert_str_eq(st.sent[0], "{\"paymentStatus\":\"CANCELLED\"}");
    cr_assert_eq(sb_channel_ecom.push_cancel(&ech, "K2", "voided in the POS"), SB_OK);
    cr_assert_str_eq(
        st.sent[1], "{\"paymentStatus\":\"CANCELLED\",\"fulfillmentStatus\":\"WILL_NOT_DELIVER\"}");
    cr_assert_eq(sb_channel_ecom.push_cancel(&ech, "K3", NULL), SB_ENOT_FOUND);
    cr_assert_eq(sb_channel_ecom.push_cancel(&ech, "../x", NULL), SB_EINVALID_FIELD);
    cr_assert_eq(st.next, 3);
}

/* ---------------------------------------------------------------- prices (PR1-PR4) */

static void store_currency(const char *code)
{
    memcpy(est.currency, code, 4); /* as if the profile had been read */
}

/* PR1-PR3: no sale -> the regular price with compareToPrice 0 (which clears Ecwid's
 * struck-through price); a sale -> the sale price with the regular one as compareToPrice;
 * a product and a combination each by their own path; amounts written exactly */
Test(ecwid_store, PR3_price_bodies_for_products_and_combinations)
{
    store_currency("USD");
    ech.currency = "USD";
    for (int i = 0; i < 4; i++)
        answer(200, NULL, "{\"updateCount\":1}");
    struct sb_price p[5] = {
        { .variant_id = "1001", .regular = 1999 },
        { .variant_id = "1001/5002", .regular = 2000, .sale = 1599 },
        { .variant_id = "1002", .regular = 1010, .sale = 1010 }, /* not below: no sale */
        { .variant_id = "1003/7", .regular = 1, .sale = 0 },
        { .variant_id = "TEE-L", .regular = 100 }, /* not an Ecwid id: refused, not sent */
    };
    cr_assert_eq(sb_ec_push_prices(&ech, p, 5, A), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(st.next, 4);
    cr_assert_str_eq(st.method[0], "PUT");
    cr_assert_str_eq(st.url[0], "/api/v3/1003/products/1001");
    cr_assert_str_eq(st.sent[0], "{\"price\":19.99,\"compareToPrice\":0.0}");
    cr_assert_str_eq(st.method[1], "PUT");
    cr_assert_str_eq(st.url[1], "/api/v3/1003/products/1001/combinations/5002");
    cr_assert_str_eq(st.sent[1], "{\"price\":15.99,\"compareToPrice\":20.0}");
    cr_assert_str_eq(st.url[2], "/api/v3/1003/products/1002");
    cr_assert_str_eq(st.sent[2], "{\"price\":10.1,\"compareToPrice\":0.0}");
    cr_assert_str_eq(st.url[3], "/api/v3/1003/products/1003/combinations/7");
    cr_assert_str_eq(st.sent[3], "{\"price\":0.01,\"compareToPrice\":0.0}");
    for (int i = 0; i < 4; i++)
        cr_assert_null(p[i].error, "%d: %s", i, p[i].error);
    cr_assert(p[4].error && strstr(p[4].error, "not an Ecwid"));
}

/* PR1 with O4's exponents: dinars with three decimals, yen with none */
Test(ecwid_store, PR1_amounts_in_the_currencys_exponent_KWD_JPY)
{
    answer(200, NULL, "{\"updateCount\":1}");
    answer(200, NULL, "{\"updateCount\":1}");
    store_currency("KWD");
    ech.currency = "KWD";
    struct sb_price k[1] = { { .variant_id = "1001", .regular = 12345, .sale = 9999 } };
    cr_assert_eq(sb_ec_push_prices(&ech, k, 1, A), SB_OK, "%s", sb_err_last()->message);
    cr_assert_str_eq(st.sent[0], "{\"price\":9.999,\"compareToPrice\":12.345}");
    store_currency("JPY");
    ech.currency = "JPY";
    struct sb_price y[1] = { { .variant_id = "1001/9", .regular = 1500 } };
    cr_assert_eq(sb_ec_push_prices(&ech, y, 1, A), SB_OK, "%s", sb_err_last()->message);
    cr_assert_str_eq(st.sent[1], "{\"price\":1500.0,\"compareToPrice\":0.0}");
    cr_assert_null(k[0].error);
    cr_assert_null(y[0].error);
}

/* PR1: POS amounts in another currency than the store's (its profile, read first) are
 * never sent as if they were the store's: each price says both currencies */
Test(ecwid_store, PR1_currency_mismatch_refuses_every_price_naming_both)
{
    answer(200, NULL,
           "{\"generalInfo\":{\"storeId\":1003},\"formatsAndUnits\":{\"currency\":\"EUR\"}}");
    ech.currency = "USD";
    struct sb_price p[2] = { { .variant_id = "1001", .regular = 1999 },
                             { .variant_id = "1002/3", .regular = 500, .sale = 400 } };
    cr_assert_eq(sb_ec_push_prices(&ech, p, 2, A), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(st.next, 1); /* the profile, and no PUT */
    cr_assert_str_eq(st.url[0], "/api/v3/1003/profile");
    for (int i = 0; i < 2; i++) {
        cr_assert(p[i].error && strstr(p[i].error, "EUR") && strstr(p[i].error, "USD"), "%s",
                  p[i].error);
    }
}

/* PR4 (as I3's push): a 404 marks only its price and the others go on; a 500 stops with
 * nothing after it sent */
Test(ecwid_store, PR4_a_refusal_marks_its_price_a_failure_stops)
{
    store_currency("USD");
    ech.currency = "USD";
    answer(200, NULL, "{\"updateCount\":1}");
    answer(404, NULL, "{\"errorMessage\":\"Combination not found\"}");
    answer(200, NULL, "{\"updateCount\":1}");
    answer(500, NULL, "{\"errorMessage\":\"Internal error\"}");
    struct sb_price p[5] = {
        { .variant_id = "1001", .regular = 100 }, { .variant_id = "1001/9", .regular = 200 },
        { .variant_id = "1002", .regular = 300 }, { .variant_id = "1003", .regular = 400 },
        { .variant_id = "1004", .regular = 500 },
    };
    cr_assert_eq(sb_ec_push_prices(&ech, p, 5, A), SB_EIO);
    cr_assert_eq(st.next, 4);
    cr_assert_null(p[0].error);
    cr_assert(p[1].error && strstr(p[1].error, "Combination not found"), "%s", p[1].error);
    cr_assert_null(p[2].error);
    cr_assert_null(p[4].error);
}

/* exact amounts: the largest sent carries every digit; beyond it, negative or unknown
 * exponents, no amount */
Test(ecwid, PR1_amounts_exact_and_bounded)
{
    json_t *v = sb_ec_amount(SB_EC_AMOUNT_MAX, 2);
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    cr_assert_str_eq(t, "9999999999999.99");
    free(t);
    json_decref(v);
    cr_assert_null(sb_ec_amount(SB_EC_AMOUNT_MAX + 1, 2));
    cr_assert_null(sb_ec_amount(-1, 2));
    cr_assert_null(sb_ec_amount(1, 5));
}
