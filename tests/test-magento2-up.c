/*
 * The Magento 2 adapter's upward calls (src/channel/magento2/: invoice.c,
 * ship.c, cancel.c, stock.c, prices.c) against a scripted fake Magento on
 * loopback (libmicrohttpd in this process, as tests/test-shopify-ops.c does
 * for Shopify): the request bodies exactly, the answers handled (bare
 * integers, bare true/false, error lists, 400 messages), the re-reads that
 * keep invoices, shipments and cancellations exactly-once, and each error
 * class mapped to its sb_err. The answers are written from Magento's
 * official OpenAPI description (2.4.9: /V1/order/{orderId}/invoice and /ship
 * answer an integer, /V1/orders/{id}/cancel a boolean, the price routes a
 * list of catalog-data-price-update-result-interface, errors an
 * error-response) and the messages from Magento's source (InvoiceService,
 * ShipOrder, Inventory's SourceItemsSave, Catalog's price storages).
 */
#include "channel/magento2/magento2.h"
#include "util/arena.h"
#include "util/timeutil.h"

#include <criterion/criterion.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ a fake Magento */

#define MAX_CALLS 16

struct script {
    long status;
    char *body;
};

struct recorded {
    char *method, *path, *authz;
    json_t *args; /* the query's arguments, decoded */
    json_t *json; /* the request body */
};

static struct {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;
    struct script script[MAX_CALLS];
    size_t n_script, next;
    struct recorded req[MAX_CALLS];
    size_t n_req;
    char base_url[64];
} fk = { .mu = PTHREAD_MUTEX_INITIALIZER };

struct conn {
    char *buf;
    size_t len;
};

static enum MHD_Result arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    json_object_set_new(cls, key, json_string(value ? value : ""));
    return MHD_YES;
}

static enum MHD_Result fk_handler(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct conn *cn = *con_cls;
    if (!cn) {
        *con_cls = calloc(1, sizeof(*cn));
        return MHD_YES;
    }
    if (*data_size) {
        if (cn->len + *data_size > (1 << 20))
            return MHD_NO;
        cn->buf = realloc(cn->buf, cn->len + *data_size + 1);
        memcpy(cn->buf + cn->len, data, *data_size);
        cn->len += *data_size;
        cn->buf[cn->len] = '\0';
        *data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&fk.mu);
    if (fk.n_req < MAX_CALLS) {
        struct recorded *r = &fk.req[fk.n_req++];
        r->method = strdup(method);
        r->path = strdup(url);
        const char *authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        r->authz = authz ? strdup(authz) : NULL;
        r->args = json_object();
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, arg, r->args);
        r->json = cn->buf ? json_loads(cn->buf, JSON_DECODE_ANY, NULL) : NULL;
    }
    struct script s = { .status = 500, .body = "{\"message\":\"no script\"}" };
    if (fk.next < fk.n_script)
        s = fk.script[fk.next++];
    pthread_mutex_unlock(&fk.mu);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(s.body), s.body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)s.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void fk_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *cn = *con_cls;
    if (cn) {
        free(cn->buf);
        free(cn);
        *con_cls = NULL;
    }
}

static json_t *creds, *settings;
static struct sb_channel ch;

static void fk_start(void)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fk.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, fk_handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                            MHD_OPTION_NOTIFY_COMPLETED, fk_completed, NULL, MHD_OPTION_END);
    cr_assert(fk.d);
    snprintf(fk.base_url, sizeof(fk.base_url), "http://127.0.0.1:%u",
             MHD_get_daemon_info(fk.d, MHD_DAEMON_INFO_BIND_PORT)->port);
    creds = json_pack("{s:s, s:s}", "base_url", fk.base_url, "access_token", "tok");
    settings = json_pack("{s:s}", "download_mode", "auto_invoice");
    ch = (struct sb_channel){ .id = 1,
                              .kind = "magento2",
                              .name = "M2",
                              .settings = settings,
                              .credentials = creds,
                              .currency = "USD" };
}

static void fk_stop(void)
{
    MHD_stop_daemon(fk.d);
    for (size_t i = 0; i < fk.n_req; i++) {
        free(fk.req[i].method);
        free(fk.req[i].path);
        free(fk.req[i].authz);
        json_decref(fk.req[i].args);
        json_decref(fk.req[i].json);
    }
    for (size_t i = 0; i < fk.n_script; i++)
        free(fk.script[i].body);
    json_decref(creds);
    json_decref(settings);
    sb_time_set_for_tests(0);
}

static void fk_push(long status, const char *body)
{
    cr_assert(fk.n_script < MAX_CALLS);
    fk.script[fk.n_script++] = (struct script){ .status = status, .body = strdup(body) };
}

/* Request i was method path, with this body (NULL: none). */
static void expect_req(size_t i, const char *method, const char *path, const char *body)
{
    cr_assert(i < fk.n_req, "request %zu was not made (%zu made)", i, fk.n_req);
    cr_expect_str_eq(fk.req[i].method, method);
    cr_expect_str_eq(fk.req[i].path, path);
    cr_expect_str_eq(fk.req[i].authz, "Bearer tok");
    if (!body) {
        cr_expect_null(fk.req[i].json, "request %zu has a body", i);
        return;
    }
    json_t *want = json_loads(body, JSON_DECODE_ANY, NULL);
    cr_assert(want, "bad literal %s", body);
    char *got = fk.req[i].json ? json_dumps(fk.req[i].json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    cr_expect(json_equal(want, fk.req[i].json), "request %zu body: want %s, got %s", i, body,
              got ? got : "(none)");
    free(got);
    json_decref(want);
}

static const char *query_arg(size_t i, const char *key)
{
    cr_assert(i < fk.n_req);
    return json_string_value(json_object_get(fk.req[i].args, key));
}

static void expect_err(sb_err got, sb_err want, const char *needle)
{
    cr_expect_eq(got, want, "error %s, want %s (%s)", sb_err_code(got), sb_err_code(want),
                 sb_err_last()->message);
    if (needle)
        cr_expect(strstr(sb_err_last()->message, needle), "message \"%s\" lacks \"%s\"",
                  sb_err_last()->message, needle);
}

/* Orders as GET /V1/orders/{id} answers them (sales-data-order-interface; fields never
 * set are left out, as Magento leaves them). */
static const char order_authorized[] =
    "{\"entity_id\":42,\"increment_id\":\"000000042\",\"state\":\"processing\",\"status\":"
    "\"processing\",\"created_at\":\"2026-11-20 10:00:00\",\"grand_total\":30,"
    "\"payment\":{\"method\":\"braintree\",\"amount_ordered\":30,\"amount_authorized\":30},"
    "\"items\":[{\"item_id\":7,\"sku\":\"A\",\"qty_ordered\":2,\"product_type\":\"simple\"}]}";
static const char order_checkmo[] =
    "{\"entity_id\":42,\"increment_id\":\"000000042\",\"state\":\"new\",\"status\":\"pending\","
    "\"created_at\":\"2026-11-20 10:00:00\",\"payment\":{\"method\":\"checkmo\","
    "\"amount_ordered\":30},\"items\":[]}";
static const char order_invoiced[] =
    "{\"entity_id\":42,\"increment_id\":\"000000042\",\"state\":\"processing\",\"status\":"
    "\"processing\",\"created_at\":\"2026-11-20 10:00:00\",\"total_invoiced\":30,"
    "\"payment\":{\"method\":\"braintree\",\"amount_ordered\":30,\"amount_paid\":30},"
    "\"items\":[]}";
static const char invoice_refused[] =
    "{\"message\":\"Invoice Document Validation Error(s):\\nThe order does not allow an invoice "
    "to be created.\"}";

static const struct sb_after_download down42 = { .order_external_id = "42", .sale_id = 1 };

TestSuite(m2up, .init = fk_start, .fini = fk_stop);

/* ------------------------------------------------------------------ M3: auto-invoice */

Test(m2up, m3_invoices_an_authorized_order_capturing_it)
{
    fk_push(200, order_authorized);
    fk_push(200, "17"); /* the invoice's id, bare */
    cr_assert_eq(sb_m2_after_download(&ch, &down42), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 2);
    expect_req(0, "GET", "/rest/V1/orders/42", NULL);
    expect_req(1, "POST", "/rest/V1/order/42/invoice", "{\"capture\":true,\"notify\":false}");
}

Test(m2up, m3_an_offline_payment_is_invoiced_without_capture)
{
    fk_push(200, order_checkmo);
    fk_push(200, "18");
    cr_assert_eq(sb_m2_after_download(&ch, &down42), SB_OK, "%s", sb_err_last()->message);
    expect_req(1, "POST", "/rest/V1/order/42/invoice", "{\"capture\":false,\"notify\":false}");
}

Test(m2up, m3_an_invoiced_order_is_never_invoiced_again)
{
    fk_push(200, order_invoiced); /* a re-send after a lost answer finds it invoiced */
    cr_assert_eq(sb_m2_after_download(&ch, &down42), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 1, "only the re-read: no second invoice");
}

Test(m2up, m5_an_order_under_wait_for_invoice_is_not_invoiced)
{
    json_object_set_new(settings, "download_mode", json_string("wait_for_invoice"));
    fk_push(200, order_authorized);
    cr_assert_eq(sb_m2_after_download(&ch, &down42), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 1);
}

Test(m2up, m3_a_refusal_after_someone_else_invoiced_is_done)
{
    fk_push(200, order_authorized);
    fk_push(400, invoice_refused);
    fk_push(200, order_invoiced);
    cr_assert_eq(sb_m2_after_download(&ch, &down42), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 3);
    expect_req(2, "GET", "/rest/V1/orders/42", NULL);
}

Test(m2up, m3_a_refusal_of_an_uninvoiced_order_is_permanent)
{
    fk_push(200, order_authorized);
    fk_push(400, invoice_refused);
    fk_push(200, order_authorized);
    expect_err(sb_m2_after_download(&ch, &down42), SB_EINVALID_FIELD,
               "Magento refused to invoice order 000000042: Invoice Document Validation "
               "Error(s):\nThe order does not allow an invoice to be created.");
}

Test(m2up, m3_a_5xx_is_retried)
{
    fk_push(200, order_authorized);
    fk_push(503, "{\"message\":\"Service Unavailable\"}");
    expect_err(sb_m2_after_download(&ch, &down42), SB_EIO, "503");
    cr_expect_eq(fk.n_req, 2);
}

Test(m2up, m3_an_answer_without_an_id_is_checked_by_a_re_read)
{
    fk_push(200, order_authorized);
    fk_push(200, "<html>proxy</html>");
    fk_push(200, order_authorized);
    expect_err(sb_m2_after_download(&ch, &down42), SB_EIO, "without an invoice id");
    cr_expect_eq(fk.n_req, 3);
}

Test(m2up, m3_an_order_id_that_is_not_an_entity_id_calls_nothing)
{
    const struct sb_after_download bad = { .order_external_id = "42/../../V1/customers" };
    expect_err(sb_m2_after_download(&ch, &bad), SB_EINVALID_FIELD, "not a Magento order id");
    cr_expect_eq(fk.n_req, 0);
}

Test(m2up, m3_a_401_names_the_bearer)
{
    fk_push(401, "{\"message\":\"The consumer isn't authorized to access %resources.\","
                 "\"parameters\":{\"resources\":\"Magento_Sales::actions_view\"}}");
    expect_err(sb_m2_after_download(&ch, &down42), SB_EUNAUTHORIZED,
               "refused the token as a bearer (reading order #42)");
}

/* ------------------------------------------------------------------ S3: shipments */

static const char order_unshipped[] =
    "{\"entity_id\":42,\"increment_id\":\"000000042\",\"state\":\"processing\",\"status\":"
    "\"processing\",\"items\":[{\"item_id\":7,\"sku\":\"A\",\"qty_ordered\":2,\"qty_shipped\":0,"
    "\"product_type\":\"simple\"}]}";
static const char order_shipped[] =
    "{\"entity_id\":42,\"increment_id\":\"000000042\",\"state\":\"processing\",\"status\":"
    "\"processing\",\"items\":[{\"item_id\":7,\"sku\":\"A\",\"qty_ordered\":2,\"qty_shipped\":1,"
    "\"qty_refunded\":1,\"product_type\":\"simple\"},{\"item_id\":8,\"sku\":\"B\","
    "\"qty_ordered\":1,\"qty_canceled\":1,\"product_type\":\"simple\"}]}";
static const char ship_refused[] =
    "{\"message\":\"Shipment Document Validation Error(s):\\nThe order does not allow a "
    "shipment to be created.\"}";

Test(m2up, s3_ships_with_tracking_and_the_carrier_code)
{
    fk_push(200, "5");
    const struct sb_fulfillment_push f = { .order_external_id = "42",
                                           .tracking_number = "1Z999AA10123456784",
                                           .tracking_company = "UPS",
                                           .notify_customer = true };
    cr_assert_eq(sb_m2_push_fulfillment(&ch, &f), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 1);
    expect_req(0, "POST", "/rest/V1/order/42/ship",
               "{\"items\":[],\"notify\":true,\"tracks\":[{\"track_number\":"
               "\"1Z999AA10123456784\",\"title\":\"UPS\",\"carrier_code\":\"ups\"}]}");
}

Test(m2up, s3_an_unknown_company_is_custom_and_none_is_tracking)
{
    fk_push(200, "5");
    fk_push(200, "6");
    const struct sb_fulfillment_push f = { .order_external_id = "42",
                                           .tracking_number = "TRK1",
                                           .tracking_company = "Royal Mail" };
    const struct sb_fulfillment_push g = { .order_external_id = "43", .tracking_number = "TRK2" };
    cr_assert_eq(sb_m2_push_fulfillment(&ch, &f), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(sb_m2_push_fulfillment(&ch, &g), SB_OK, "%s", sb_err_last()->message);
    expect_req(0, "POST", "/rest/V1/order/42/ship",
               "{\"items\":[],\"notify\":false,\"tracks\":[{\"track_number\":\"TRK1\",\"title\":"
               "\"Royal Mail\",\"carrier_code\":\"custom\"}]}");
    expect_req(1, "POST", "/rest/V1/order/43/ship",
               "{\"items\":[],\"notify\":false,\"tracks\":[{\"track_number\":\"TRK2\",\"title\":"
               "\"Tracking\",\"carrier_code\":\"custom\"}]}");
}

Test(m2up, s3_carrier_codes)
{
    cr_expect_str_eq(sb_m2up_carrier("ups"), "ups");
    cr_expect_str_eq(sb_m2up_carrier("U.S.P.S."), "usps");
    cr_expect_str_eq(sb_m2up_carrier("FedEx Ground"), "fedex");
    cr_expect_str_eq(sb_m2up_carrier("DHL Express"), "dhl");
    cr_expect_str_eq(sb_m2up_carrier("PostNL"), "custom");
    cr_expect_str_eq(sb_m2up_carrier(NULL), "custom");
}

Test(m2up, s3_a_refusal_of_a_shipped_order_is_done)
{
    fk_push(400, ship_refused);
    fk_push(200, order_shipped); /* shipped, refunded or cancelled: nothing left */
    const struct sb_fulfillment_push f = { .order_external_id = "42", .tracking_number = "T" };
    cr_assert_eq(sb_m2_push_fulfillment(&ch, &f), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 2);
    expect_req(1, "GET", "/rest/V1/orders/42", NULL);
}

Test(m2up, s3_a_refusal_of_an_unshipped_order_is_permanent)
{
    fk_push(400, ship_refused);
    fk_push(200, order_unshipped);
    const struct sb_fulfillment_push f = { .order_external_id = "42", .tracking_number = "T" };
    expect_err(sb_m2_push_fulfillment(&ch, &f), SB_EINVALID_FIELD,
               "Magento refused to ship order 000000042: Shipment Document Validation");
}

Test(m2up, s3_shipped_is_judged_per_item_and_by_children)
{
    json_t *o = json_loads(order_unshipped, 0, NULL);
    cr_expect_not(sb_m2up_shipped(o));
    json_decref(o);
    o = json_loads(order_shipped, 0, NULL);
    cr_expect(sb_m2up_shipped(o));
    json_decref(o);
    /* a bundle shipped separately: the parent's own qty_shipped stays 0, its children ship */
    o = json_loads("{\"state\":\"processing\",\"items\":[{\"item_id\":1,\"qty_ordered\":1,"
                   "\"product_type\":\"bundle\"},{\"item_id\":2,\"parent_item_id\":1,"
                   "\"qty_ordered\":2,\"qty_shipped\":2},{\"item_id\":3,\"parent_item_id\":1,"
                   "\"qty_ordered\":1,\"qty_shipped\":1},{\"item_id\":4,\"qty_ordered\":1,"
                   "\"is_virtual\":1}]}",
                   0, NULL);
    cr_expect(sb_m2up_shipped(o));
    json_object_set_new(json_array_get(json_object_get(o, "items"), 2), "qty_shipped",
                        json_integer(0));
    cr_expect_not(sb_m2up_shipped(o));
    json_object_set_new(o, "state", json_string("complete"));
    cr_expect(sb_m2up_shipped(o));
    json_decref(o);
}

/* ------------------------------------------------------------------ S1: cancellations */

Test(m2up, s1_cancel_true_is_done)
{
    fk_push(200, "true");
    cr_assert_eq(sb_m2_push_cancel(&ch, "42", "voided"), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 1);
    expect_req(0, "POST", "/rest/V1/orders/42/cancel", NULL);
}

Test(m2up, s1_cancel_false_of_a_cancelled_order_is_done)
{
    fk_push(200, "false");
    fk_push(200, "{\"entity_id\":42,\"increment_id\":\"000000042\",\"state\":\"canceled\","
                 "\"status\":\"canceled\"}");
    cr_assert_eq(sb_m2_push_cancel(&ch, "42", NULL), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 2);
}

Test(m2up, s1_cancel_false_is_reported_with_the_orders_state)
{
    fk_push(200, "false");
    fk_push(200, order_unshipped);
    expect_err(sb_m2_push_cancel(&ch, "42", NULL), SB_EINVALID_FIELD,
               "Magento did not cancel order 000000042: it is processing/processing");
}

Test(m2up, s1_cancel_error_classes)
{
    fk_push(404, "{\"message\":\"The entity that was requested doesn't exist. Verify the entity "
                 "and try again.\"}");
    expect_err(sb_m2_push_cancel(&ch, "42", NULL), SB_ENOT_FOUND, "doesn't exist");
    fk_push(500, "{\"message\":\"Internal Error\"}");
    expect_err(sb_m2_push_cancel(&ch, "42", NULL), SB_EIO, NULL);
    fk_push(401, "{\"message\":\"The consumer isn't authorized to access %resources.\","
                 "\"parameters\":{\"resources\":\"Magento_Sales::cancel\"}}");
    expect_err(sb_m2_push_cancel(&ch, "42", NULL), SB_EUNAUTHORIZED,
               "refused the token as a bearer (cancelling order #42)");
    expect_err(sb_m2_push_cancel(&ch, "-1", NULL), SB_EINVALID_FIELD, "not a Magento order id");
    cr_expect_eq(fk.n_req, 3);
}

/* ------------------------------------------------------------------ I1-I9: stock */

Test(m2up, i1_stock_is_pushed_as_source_items_in_one_call)
{
    fk_push(200, "[]");
    struct sb_stock_level lv[] = {
        { .item_id = 1, .external_item_id = "A", .location_id = "default", .available = 5 },
        { .item_id = 2, .external_item_id = "B", .location_id = "wh-2", .available = 0 },
    };
    struct sb_arena *a = sb_arena_new();
    cr_assert_eq(sb_m2_push_stock(&ch, lv, 2, a), SB_OK, "%s", sb_err_last()->message);
    cr_expect_null(lv[0].error);
    cr_expect_null(lv[1].error);
    cr_expect_eq(fk.n_req, 1);
    expect_req(0, "POST", "/rest/V1/inventory/source-items",
               "{\"sourceItems\":[{\"sku\":\"A\",\"source_code\":\"default\",\"quantity\":5,"
               "\"status\":1},{\"sku\":\"B\",\"source_code\":\"wh-2\",\"quantity\":0,"
               "\"status\":0}]}");
    sb_arena_free(a);
}

Test(m2up, i9_a_refusal_naming_an_item_marks_it_and_sends_the_rest_again)
{
    fk_push(400, "{\"message\":\"Validation Failed\",\"errors\":[{\"message\":\"Product "
                 "\\\"%sku\\\" at source \\\"%source\\\" is refused.\",\"parameters\":{\"sku\":"
                 "\"B\",\"source\":\"wh-2\"}}]}");
    fk_push(200, "[]");
    struct sb_stock_level lv[] = {
        { .item_id = 1, .external_item_id = "A", .location_id = "default", .available = 5 },
        { .item_id = 2, .external_item_id = "B", .location_id = "default", .available = 3 },
        { .item_id = 2, .external_item_id = "B", .location_id = "wh-2", .available = 4 },
    };
    struct sb_arena *a = sb_arena_new();
    cr_assert_eq(sb_m2_push_stock(&ch, lv, 3, a), SB_OK, "%s", sb_err_last()->message);
    cr_expect_null(lv[0].error);
    cr_expect_null(lv[1].error, "B at default was not named");
    cr_assert_not_null(lv[2].error);
    cr_expect_str_eq(lv[2].error,
                     "Magento refused the source item: Product \"B\" at source \"wh-2\" is "
                     "refused.");
    cr_expect_eq(fk.n_req, 2);
    expect_req(1, "POST", "/rest/V1/inventory/source-items",
               "{\"sourceItems\":[{\"sku\":\"A\",\"source_code\":\"default\",\"quantity\":5,"
               "\"status\":1},{\"sku\":\"B\",\"source_code\":\"default\",\"quantity\":3,"
               "\"status\":1}]}");
    sb_arena_free(a);
}

Test(m2up, i9_a_refusal_naming_no_item_fails_the_call_whole)
{
    /* Magento's own validators name the field, never the item */
    fk_push(400, "{\"message\":\"Validation Failed\",\"errors\":[{\"message\":\"\\\"%field\\\" "
                 "can not be empty.\",\"parameters\":{\"field\":\"source_code\"}}]}");
    struct sb_stock_level lv[] = {
        { .item_id = 1, .external_item_id = "A", .location_id = "default", .available = 5 },
    };
    struct sb_arena *a = sb_arena_new();
    expect_err(sb_m2_push_stock(&ch, lv, 1, a), SB_EINVALID_FIELD,
               "Validation Failed: \"source_code\" can not be empty.");
    cr_expect_null(lv[0].error, "nothing known: the lane retries every level");
    fk_push(503, "{\"message\":\"busy\"}");
    expect_err(sb_m2_push_stock(&ch, lv, 1, a), SB_EIO, NULL);
    sb_arena_free(a);
}

Test(m2up, i1_find_items_by_sku)
{
    fk_push(200, "{\"items\":[{\"id\":7,\"sku\":\"A\",\"type_id\":\"simple\"},{\"id\":9,\"sku\":"
                 "\"c-1\",\"type_id\":\"simple\"}],\"search_criteria\":{},\"total_count\":2}");
    fk_push(200, "{\"items\":[{\"sku\":\"A\",\"source_code\":\"default\",\"quantity\":4,"
                 "\"status\":1},{\"sku\":\"c-1\",\"source_code\":\"default\",\"quantity\":1,"
                 "\"status\":1},{\"sku\":\"c-1\",\"source_code\":\"wh-2\",\"quantity\":1,"
                 "\"status\":1}],\"search_criteria\":{},\"total_count\":3}");
    struct sb_channel_item it[] = { { .sku = "A" }, { .sku = "B" }, { .sku = "C-1" } };
    struct sb_arena *a = sb_arena_new();
    cr_assert_eq(sb_m2_find_items(&ch, it, 3, a), SB_OK, "%s", sb_err_last()->message);
    cr_expect_str_eq(it[0].item_id, "A");
    cr_expect_str_eq(it[0].variant_id, "A");
    cr_expect_str_eq(it[0].product_id, "7");
    cr_expect_str_eq(it[0].location_id, "default");
    cr_expect_null(it[1].item_id);
    cr_expect_null(it[1].product_id);
    cr_expect_str_eq(it[2].item_id, "c-1",
                     "Magento's spelling of a SKU it matched regardless "
                     "of case");
    cr_expect_null(it[2].location_id, "stocked at two sources");
    cr_expect_eq(fk.n_req, 2);
    expect_req(0, "GET", "/rest/V1/products", NULL);
    cr_expect_str_eq(query_arg(0, "searchCriteria[filter_groups][0][filters][0][field]"), "sku");
    cr_expect_str_eq(query_arg(0, "searchCriteria[filter_groups][0][filters][0][value]"),
                     "A,B,C-1");
    cr_expect_str_eq(query_arg(0, "searchCriteria[filter_groups][0][filters][0][condition_type]"),
                     "in");
    expect_req(1, "GET", "/rest/V1/inventory/source-items", NULL);
    cr_expect_str_eq(query_arg(1, "searchCriteria[filter_groups][0][filters][0][value]"), "A,c-1");
    sb_arena_free(a);
}

Test(m2up, i5_a_source_items_page_keeps_a_skus_sources_together)
{
    struct sb_arena *a = sb_arena_new();
    json_t *body =
        json_loads("{\"items\":[{\"sku\":\"A\",\"source_code\":\"s1\",\"quantity\":3,\"status\":1},"
                   "{\"sku\":\"A\",\"source_code\":\"s2\",\"quantity\":5,\"status\":0},"
                   "{\"sku\":\"B\",\"source_code\":\"s1\",\"quantity\":2.5,\"status\":1}],"
                   "\"search_criteria\":{},\"total_count\":5}",
                   0, NULL);
    struct sb_stock_page p;
    cr_assert_eq(sb_m2up_source_page(body, 3, a, &p), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(p.n, 1, "B may go on in the next page: left for it");
    cr_expect(p.more);
    cr_expect_str_eq(p.next_cursor, "A");
    cr_expect_str_eq(p.items[0].item.item_id, "A");
    cr_assert_eq(p.items[0].n_levels, 2);
    cr_expect_str_eq(p.items[0].location_ids[1], "s2");
    cr_expect_eq(p.items[0].available[0], 3);
    cr_expect_eq(p.items[0].available[1], 0, "out of stock: 0 available whatever its quantity");
    cr_expect_null(p.items[0].item.location_id);
    /* the last page: everything, and no more */
    json_object_set_new(body, "total_count", json_integer(3));
    cr_assert_eq(sb_m2up_source_page(body, 3, a, &p), SB_OK);
    cr_assert_eq(p.n, 2);
    cr_expect_not(p.more);
    cr_expect_eq(p.items[1].available[0], 2, "a fractional quantity counts down");
    cr_expect_str_eq(p.items[1].item.location_id, "s1");
    /* unsorted or incomplete rows: the read fails whole (I5: never zeros from a bad read) */
    json_object_set_new(json_array_get(json_object_get(body, "items"), 2), "sku", json_string("0"));
    expect_err(sb_m2up_source_page(body, 3, a, &p), SB_EIO, "not sorted");
    json_object_del(json_array_get(json_object_get(body, "items"), 2), "quantity");
    expect_err(sb_m2up_source_page(body, 3, a, &p), SB_EIO, "without its sku");
    json_decref(body);
    sb_arena_free(a);
}

Test(m2up, i5_read_stock_pages_by_sku_and_finds_product_ids)
{
    fk_push(200, "{\"items\":[{\"sku\":\"B\",\"source_code\":\"default\",\"quantity\":4,"
                 "\"status\":1}],\"search_criteria\":{},\"total_count\":1}");
    fk_push(200, "{\"items\":[{\"id\":12,\"sku\":\"B\"}],\"search_criteria\":{},"
                 "\"total_count\":1}");
    struct sb_arena *a = sb_arena_new();
    struct sb_stock_page p;
    cr_assert_eq(sb_m2_read_stock(&ch, "A", a, &p), SB_OK, "%s", sb_err_last()->message);
    cr_assert_eq(p.n, 1);
    cr_expect_not(p.more);
    cr_expect_str_eq(p.items[0].item.product_id, "12");
    cr_expect_str_eq(p.items[0].item.location_id, "default");
    cr_expect_eq(p.items[0].available[0], 4);
    expect_req(0, "GET", "/rest/V1/inventory/source-items", NULL);
    cr_expect_str_eq(query_arg(0, "searchCriteria[filter_groups][0][filters][0][field]"), "sku");
    cr_expect_str_eq(query_arg(0, "searchCriteria[filter_groups][0][filters][0][value]"), "A");
    cr_expect_str_eq(query_arg(0, "searchCriteria[filter_groups][0][filters][0][condition_type]"),
                     "gt");
    cr_expect_str_eq(query_arg(0, "searchCriteria[sortOrders][0][field]"), "sku");
    cr_expect_str_eq(query_arg(0, "searchCriteria[sortOrders][1][field]"), "source_code");
    cr_expect_str_eq(query_arg(0, "searchCriteria[currentPage]"), "1");
    expect_req(1, "GET", "/rest/V1/products", NULL);
    fk_push(500, "{\"message\":\"down\"}");
    expect_err(sb_m2_read_stock(&ch, NULL, a, &p), SB_EIO, NULL);
    sb_arena_free(a);
}

/* ------------------------------------------------------------------ PR1-PR4: prices */

Test(m2up, pr1_decimal_numbers_from_minor_units)
{
    json_t *j = sb_m2up_decimal(1999, 2), *want = json_loads("19.99", JSON_DECODE_ANY, NULL);
    cr_expect(json_equal(j, want), "19.99");
    json_decref(j);
    json_decref(want);
    j = sb_m2up_decimal(2000, 2);
    cr_expect(json_is_integer(j) && json_integer_value(j) == 20);
    json_decref(j);
    j = sb_m2up_decimal(1000, 0);
    cr_expect(json_is_integer(j) && json_integer_value(j) == 1000);
    json_decref(j);
    j = sb_m2up_decimal(1234, 3);
    want = json_loads("1.234", JSON_DECODE_ANY, NULL);
    cr_expect(json_equal(j, want), "1.234");
    json_decref(j);
    json_decref(want);
}

Test(m2up, pr2_regular_and_sale_prices)
{
    sb_time_set_for_tests(1795000000); /* 2026-11-18T...: the sale starts on the day before */
    fk_push(200, "[]");
    fk_push(200, "[]");
    struct sb_price pr[] = {
        { .item_id = 1, .variant_id = "A", .product_id = "7", .regular = 1999, .sale = 1499 },
    };
    struct sb_arena *a = sb_arena_new();
    cr_assert_eq(sb_m2_push_prices(&ch, pr, 1, a), SB_OK, "%s", sb_err_last()->message);
    cr_expect_null(pr[0].error);
    cr_expect_eq(fk.n_req, 2);
    expect_req(0, "POST", "/rest/V1/products/base-prices",
               "{\"prices\":[{\"price\":19.99,\"store_id\":0,\"sku\":\"A\"}]}");
    expect_req(1, "POST", "/rest/V1/products/special-price",
               "{\"prices\":[{\"price\":14.99,\"store_id\":0,\"sku\":\"A\",\"price_from\":"
               "\"2026-11-17 00:00:00\",\"price_to\":\"\"}]}");
    sb_arena_free(a);
}

Test(m2up, pr3_no_sale_removes_the_special_price_magento_holds)
{
    fk_push(200, "[]");
    fk_push(200, "[{\"price\":9.5,\"store_id\":0,\"sku\":\"A\",\"price_from\":\"2026-11-01 "
                 "00:00:00\",\"price_to\":\"2026-12-01 00:00:00\"}]");
    fk_push(200, "[]");
    struct sb_price pr[] = {
        { .item_id = 1, .variant_id = "A", .product_id = "7", .regular = 1000, .sale = 0 },
        { .item_id = 2, .variant_id = "B", .product_id = "8", .regular = 500, .sale = 500 },
    };
    struct sb_arena *a = sb_arena_new();
    cr_assert_eq(sb_m2_push_prices(&ch, pr, 2, a), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 3);
    expect_req(0, "POST", "/rest/V1/products/base-prices",
               "{\"prices\":[{\"price\":10,\"store_id\":0,\"sku\":\"A\"},{\"price\":5,"
               "\"store_id\":0,\"sku\":\"B\"}]}");
    expect_req(1, "POST", "/rest/V1/products/special-price-information",
               "{\"skus\":[\"A\",\"B\"]}");
    expect_req(2, "POST", "/rest/V1/products/special-price-delete",
               "{\"prices\":[{\"price\":9.5,\"store_id\":0,\"sku\":\"A\",\"price_from\":"
               "\"2026-11-01 00:00:00\",\"price_to\":\"2026-12-01 00:00:00\"}]}");
    /* none held: nothing to remove */
    fk_push(200, "[]");
    fk_push(200, "[]");
    cr_assert_eq(sb_m2_push_prices(&ch, pr, 1, a), SB_OK, "%s", sb_err_last()->message);
    cr_expect_eq(fk.n_req, 5);
    sb_arena_free(a);
}

Test(m2up, pr4_refusals_are_mapped_to_their_skus)
{
    fk_push(200, "[{\"message\":\"Invalid attribute %fieldName = %fieldValue.\",\"parameters\":"
                 "{\"fieldName\":\"SKU\",\"fieldValue\":\"B\"}}]");
    fk_push(200, "[]");
    fk_push(200, "[]");
    struct sb_price pr[] = {
        { .item_id = 1, .variant_id = "A", .product_id = "7", .regular = 1000 },
        { .item_id = 2, .variant_id = "B", .product_id = "8", .regular = 500 },
    };
    struct sb_arena *a = sb_arena_new();
    cr_assert_eq(sb_m2_push_prices(&ch, pr, 2, a), SB_OK, "%s", sb_err_last()->message);
    cr_expect_null(pr[0].error);
    cr_assert_not_null(pr[1].error);
    cr_expect_str_eq(pr[1].error, "Magento refused the price: Invalid attribute SKU = B.");
    /* only A goes on to the special price lookup */
    expect_req(1, "POST", "/rest/V1/products/special-price-information", "{\"skus\":[\"A\"]}");
    sb_arena_free(a);
}

Test(m2up, pr4_a_refusal_naming_no_sku_fails_the_call)
{
    struct sb_arena *a = sb_arena_new();
    struct sb_price pr[] = { { .item_id = 1, .variant_id = "A", .regular = 1000 } };
    size_t idx[] = { 0 };
    json_t *body = json_loads("[{\"message\":\"Requested store is not found.\",\"parameters\":"
                              "[\"9\"]}]",
                              0, NULL);
    expect_err(sb_m2up_price_results(body, pr, idx, 1, a), SB_EINVALID_FIELD,
               "Requested store is not found.");
    json_decref(body);
    body = json_loads("{\"message\":\"x\"}", 0, NULL);
    expect_err(sb_m2up_price_results(body, pr, idx, 1, a), SB_EIO, "not a list");
    json_decref(body);
    fk_push(401, "{\"message\":\"The consumer isn't authorized to access %resources.\","
                 "\"parameters\":{\"resources\":\"Magento_Catalog::products\"}}");
    expect_err(sb_m2_push_prices(&ch, pr, 1, a), SB_EUNAUTHORIZED, NULL);
    sb_arena_free(a);
}
