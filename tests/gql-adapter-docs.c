/*
 * The fake wire of gql-adapter-docs.h: the adapter's calls of the HTTP client
 * land here, are recorded, and get the smallest answer that lets the
 * operation go on to its next request (the fulfillment orders before
 * fulfillmentCreate, a finished bulk operation after it is started). Other
 * operations get an empty data object; what they make of it does not matter,
 * only what they sent.
 *
 * If the channel interface changes (its ops or their structs), this file is
 * where the test follows it.
 */
#include "gql-adapter-docs.h"

#include "channel/channel.h"
#include "util/http-client.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SENT 32

static struct gql_sent sent[MAX_SENT];
static size_t n_sent;

sb_err __wrap_sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret);
sb_err __wrap_sb_http_get_stream(const char *url,
                                 sb_err (*each)(void *ud, const char *data, size_t len), void *ud,
                                 size_t max_size, long timeout_ms);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);

static void record(const char *operation, const char *query, json_t *variables)
{
    for (size_t i = 0; i < n_sent; i++)
        if (strcmp(sent[i].operation, operation) == 0)
            return;
    if (n_sent == MAX_SENT || !operation || !query)
        return;
    sent[n_sent++] = (struct gql_sent){
        .operation = strdup(operation),
        .query = strdup(query),
        .variables = variables ? json_deep_copy(variables) : NULL,
    };
}

static const char *answer_to(const char *operation)
{
    if (strcmp(operation, "SbFulfillmentOrders") == 0)
        return "{\"data\":{\"order\":{\"fulfillmentOrders\":{\"nodes\":[{\"id\":"
               "\"gid://shopify/FulfillmentOrder/1\",\"status\":\"OPEN\"}]}}}}";
    if (strcmp(operation, "SbBulkStock") == 0)
        return "{\"data\":{\"bulkOperationRunQuery\":{\"bulkOperation\":{\"id\":"
               "\"gid://shopify/BulkOperation/1\",\"status\":\"CREATED\"},\"userErrors\":[]}}}";
    if (strcmp(operation, "SbBulkStatus") == 0)
        return "{\"data\":{\"bulkOperation\":{\"id\":\"gid://shopify/BulkOperation/1\","
               "\"status\":\"COMPLETED\",\"errorCode\":null,\"objectCount\":\"0\",\"url\":null}}}";
    if (strcmp(operation, "SbAppInstallation") == 0)
        return "{\"data\":{\"currentAppInstallation\":{\"accessScopes\":[{\"handle\":"
               "\"read_orders\"}]}}}";
    /* one subscription at another address: the repair deletes it and creates the six */
    if (strcmp(operation, "SbWebhooks") == 0)
        return "{\"data\":{\"webhookSubscriptions\":{\"nodes\":[{\"id\":"
               "\"gid://shopify/WebhookSubscription/1\",\"topic\":\"ORDERS_CREATE\",\"uri\":"
               "\"https://old.example/webhooks/9911\"}],\"pageInfo\":{\"hasNextPage\":false,"
               "\"endCursor\":null}}}}";
    return "{\"data\":{}}";
}

sb_err __wrap_sb_http_post_json(const struct sb_http_request *req, struct sb_http_response *ret)
{
    memset(ret, 0, sizeof(*ret));
    json_t *body = json_loadb(req->body, req->body_len, 0, NULL);
    const char *operation = json_string_value(json_object_get(body, "operationName"));
    const char *query = json_string_value(json_object_get(body, "query"));
    json_t *variables = json_object_get(body, "variables");
    if (operation && query) {
        record(operation, query, variables);
        const char *bulk = json_string_value(json_object_get(variables, "query"));
        if (strcmp(operation, "SbBulkStock") == 0 && bulk)
            record("SbBulkStock.query", bulk, NULL);
    }
    const char *answer = answer_to(operation ? operation : "");
    json_decref(body);
    ret->status = 200;
    ret->len = strlen(answer);
    ret->body = strdup(answer);
    return ret->body ? SB_OK : SB_ENOMEM;
}

sb_err __wrap_sb_http_get_stream(const char *url,
                                 sb_err (*each)(void *ud, const char *data, size_t len), void *ud,
                                 size_t max_size, long timeout_ms)
{
    (void)url, (void)each, (void)ud, (void)max_size, (void)timeout_ms;
    return SB_OK; /* an empty result file */
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
    (void)req, (void)rem;
    return 0; /* the adapter's pacing and polling waits: no time passes here */
}

static sb_err each_item(void *ud, const struct sb_channel_stock *st)
{
    (void)ud, (void)st;
    return SB_OK;
}

size_t gql_adapter_documents(struct gql_sent **ret)
{
    const struct sb_channel_ops *ops = sb_channel_ops_for("shopify");
    json_t *credentials = json_pack("{s:s, s:s}", "access_token", "shpat_gql_test", "base_url",
                                    "http://shopify.gql-test.invalid");
    json_t *settings = json_pack("{s:s}", "webhook_base_url", "https://pos.example");
    struct sb_channel ch = {
        .id = 9911,
        .kind = "shopify",
        .name = "gql",
        .credentials = credentials,
        .settings = settings,
        .currency = "USD",
    };
    struct sb_arena *a = sb_arena_new();
    n_sent = 0;
    if (ops && credentials && a) {
        struct sb_order_page page;
        struct sb_order *order;
        struct sb_fulfillment_push f = {
            .order_external_id = "450789469",
            .tracking_number = "1Z999",
            .tracking_company = "UPS",
            .tracking_url = "https://www.ups.com/track?tracknum=1Z999",
            .notify_customer = true,
        };
        struct sb_channel_item item = { .sku = "SKU-1" };
        struct sb_stock_level level = {
            .item_id = 1,
            .external_item_id = "gid://shopify/InventoryItem/1",
            .location_id = "gid://shopify/Location/1",
            .available = 5,
        };
        struct sb_price price = {
            .item_id = 1,
            .variant_id = "gid://shopify/ProductVariant/1",
            .product_id = "gid://shopify/Product/1",
            .regular = 2500,
            .sale = 1999,
        };
        struct sb_stock_page stock;
        /* what each operation returns does not matter here: only what it sent */
        if (ops->poll_orders)
            (void)ops->poll_orders(&ch, NULL, a, &page);
        if (ops->fetch_order)
            (void)ops->fetch_order(&ch, "450789469", a, &order);
        if (ops->push_fulfillment)
            (void)ops->push_fulfillment(&ch, &f);
        if (ops->push_cancel)
            (void)ops->push_cancel(&ch, "450789469", "customer");
        if (ops->find_items)
            (void)ops->find_items(&ch, &item, 1, a);
        if (ops->push_stock)
            (void)ops->push_stock(&ch, &level, 1, a);
        if (ops->push_prices)
            (void)ops->push_prices(&ch, &price, 1, a);
        if (ops->read_stock)
            (void)ops->read_stock(&ch, NULL, a, &stock);
        if (ops->read_stock_all)
            (void)ops->read_stock_all(&ch, each_item, NULL);
        if (ops->connect) {
            json_t *report = NULL;
            (void)ops->connect(&ch, &report);
            json_decref(report);
        }
    }
    sb_arena_free(a);
    json_decref(credentials);
    json_decref(settings);
    *ret = sent;
    return n_sent;
}

void gql_adapter_documents_free(struct gql_sent *docs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(docs[i].operation);
        free(docs[i].query);
        json_decref(docs[i].variables);
    }
}
