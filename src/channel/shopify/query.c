/*
 * The Admin GraphQL order query: its page sizes, what it costs by Shopify's
 * documented rules, the document itself, and how to tell an Order node that
 * was cut short. The adapter (adapter.c) polls with the page sizes and reads
 * an order alone with the larger ones.
 */
#include "channel/shopify/shopify.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * What an order query costs. Shopify computes a query's requested cost from the document
 * before running it and refuses a single query above 1,000 points (MAX_COST_EXCEEDED), so
 * the nested page sizes have to be chosen with the arithmetic in hand. The documented
 * rules (shopify.dev "GraphQL Admin API rate limits"; Shopify Engineering "Rate limiting
 * GraphQL APIs by calculating query complexity"): a scalar or an enum costs 0, an object
 * 1, a connection 2 plus its `first` times the cost of one node's selection. Where the
 * documents say nothing we count on the safe side: lists that take `first`
 * (Order.transactions, refunds, fulfillments) are charged like connections, a pageInfo
 * costs 1, and a list without `first` (taxLines, discountAllocations, customAttributes,
 * trackingInfo) is charged for one element.
 *
 *   money bag  { shopMoney { amount } }   MoneyBag 1 + MoneyV2 1                    =  2
 *   tax line   { title rate priceSet }    TaxLine 1 + money bag 2                   =  3
 *   order without its paged lists         Order 1, customAttributes 1, six money bags
 *                                         12, the order's tax line 3, customer 1,
 *                                         shippingAddress 1,
 *                                         shippingLine 1 + 2 + 2 + tax line 3 = 8   = 27
 *   lineItems(L)         2 + pageInfo 1 + L x (LineItem 1, variant 1, price 2,
 *                                              discountAllocations 1 + 2, tax line 3 = 10)
 *   transactions(T)      2 + T x (OrderTransaction 1 + amountSet 2 = 3)
 *   refunds(R)           2 + R x (Refund 1
 *                                 + refundLineItems(RL) 2 + 1 + RL x (1 + lineItem 1 + 2 + 2)
 *                                 + transactions(RT)    2 + 1 + RT x (1 + amountSet 2))
 *                        = 2 + R x (7 + 6 RL + 3 RT)
 *   fulfillments(F)      2 + F x (Fulfillment 1 + trackingInfo 1 = 2)
 *
 *   order    = 36 + 10 L + 3 T + R x (7 + 6 RL + 3 RT) + 2 F
 *   SbOrder  = order                      (order(id:) is the Order object counted above)
 *   SbOrders = 2 + pageInfo 1 + N x order
 *
 * The page (SbOrders): N 3, L 10, T 5, R 2, RL 5, RT 2, F 3
 *   order = 36 + 100 + 15 + 2 x (7 + 30 + 6) + 6 = 243;  SbOrders = 3 + 3 x 243 = 732.
 * An order alone (SbOrder): L 30, T 8, R 4, RL 15, RT 3, F 4
 *   SbOrder = 36 + 300 + 24 + 4 x (7 + 90 + 9) + 8 = 792.
 * Both stay under SB_SHOPIFY_COST_BUDGET (800), a fifth below Shopify's limit, for fields
 * Shopify prices above the defaults. (The sizes this adapter first asked for, 50 orders of
 * 250 lines, 50 refunds of 250 lines ..., came to about four million.)
 *
 * Most orders fit a page. One that does not (more lines, refunds, transactions or
 * fulfillments than the page holds, which sb_shopify_truncated() tells from pageInfo, or
 * from a list holding as many as was asked for) is read again alone with the larger
 * sizes; one that does not fit those either is unreadable (SB_EINVALID_FIELD naming what
 * is cut short), never imported in part.
 */
const struct sb_shopify_sizes sb_shopify_page = {
    .orders = 3,
    .lines = 10,
    .transactions = 5,
    .refunds = 2,
    .refund_lines = 5,
    .refund_transactions = 2,
    .fulfillments = 3,
};
const struct sb_shopify_sizes sb_shopify_alone = {
    .orders = 0,
    .lines = 30,
    .transactions = 8,
    .refunds = 4,
    .refund_lines = 15,
    .refund_transactions = 3,
    .fulfillments = 4,
};

static bool size_ok(int n)
{
    return n >= 1 && n <= 250; /* Shopify's bounds for first */
}

int64_t sb_shopify_query_cost(const struct sb_shopify_sizes *s)
{
    enum {
        OBJ = 1,
        CONN = 2,
        PAGE_INFO = 1,
        BAG = 2,
        TAX = OBJ + BAG
    };
    if (!s || s->orders < 0 || (s->orders && !size_ok(s->orders)) || !size_ok(s->lines) ||
        !size_ok(s->transactions) || !size_ok(s->refunds) || !size_ok(s->refund_lines) ||
        !size_ok(s->refund_transactions) || !size_ok(s->fulfillments))
        return -1;
    int64_t fixed = OBJ + OBJ /* customAttributes */ + 6 * BAG + OBJ /* customer */ +
                    OBJ /* shippingAddress */ + (OBJ + 2 * BAG + TAX) /* shippingLine */;
    int64_t line = OBJ + OBJ /* variant */ + BAG + (OBJ + BAG) /* discountAllocations */ + TAX;
    int64_t refund_line = OBJ + OBJ /* lineItem */ + BAG + BAG;
    int64_t transaction = OBJ + BAG;
    int64_t refund = OBJ + (CONN + PAGE_INFO + s->refund_lines * refund_line) +
                     (CONN + PAGE_INFO + s->refund_transactions * transaction);
    int64_t order = fixed + (CONN + PAGE_INFO + s->lines * line) +
                    (CONN + s->transactions * transaction) + (CONN + s->refunds * refund) +
                    (CONN + s->fulfillments * (OBJ + OBJ /* trackingInfo */));
    return s->orders ? CONN + PAGE_INFO + s->orders * order : order;
}

/* A connection cut short: pageInfo says there is more, or - an answer without pageInfo -
 * it holds as many nodes as were asked for. */
static bool connection_cut(json_t *conn, int first)
{
    json_t *page_info = json_object_get(conn, "pageInfo");
    if (json_is_object(page_info) && json_is_boolean(json_object_get(page_info, "hasNextPage")))
        return json_is_true(json_object_get(page_info, "hasNextPage"));
    return json_array_size(json_object_get(conn, "nodes")) >= (size_t)first;
}

/* A list that took `first` has no pageInfo: holding as many as asked for, it may be cut. */
static bool list_cut(json_t *list, int first)
{
    return json_array_size(list) >= (size_t)first;
}

const char *sb_shopify_truncated(json_t *node, const struct sb_shopify_sizes *s)
{
    if (connection_cut(json_object_get(node, "lineItems"), s->lines))
        return "lineItems";
    if (list_cut(json_object_get(node, "transactions"), s->transactions))
        return "transactions";
    json_t *refunds = json_object_get(node, "refunds");
    if (list_cut(refunds, s->refunds))
        return "refunds";
    size_t i;
    json_t *r;
    json_array_foreach(refunds, i, r)
    {
        if (connection_cut(json_object_get(r, "refundLineItems"), s->refund_lines))
            return "refunds.refundLineItems";
        if (connection_cut(json_object_get(r, "transactions"), s->refund_transactions))
            return "refunds.transactions";
    }
    if (list_cut(json_object_get(node, "fulfillments"), s->fulfillments))
        return "fulfillments";
    return NULL;
}

#define AMOUNT    "{ shopMoney { amount } }"
#define MONEY     "{ shopMoney { amount currencyCode } }"
#define TAX_LINES "taxLines { title rate priceSet " AMOUNT " }"
#define HAS_NEXT  "pageInfo { hasNextPage } "
/* The six %d are the sizes' lines, transactions, refunds, refund_lines,
 * refund_transactions and fulfillments, in that order. */
#define ORDER_FIELDS                                                                             \
    "id legacyResourceId name email phone createdAt updatedAt cancelledAt cancelReason "         \
    "displayFinancialStatus displayFulfillmentStatus currencyCode taxesIncluded note "           \
    "customAttributes { key value } paymentGatewayNames discountCodes "                          \
    "subtotalPriceSet " MONEY " totalDiscountsSet " MONEY " totalTaxSet " MONEY                  \
    " totalShippingPriceSet " MONEY " totalPriceSet " MONEY " totalOutstandingSet " MONEY        \
    " " TAX_LINES " customer { firstName lastName defaultEmailAddress { emailAddress } "         \
    "defaultPhoneNumber { phoneNumber } } "                                                      \
    "shippingAddress { firstName lastName name company address1 address2 city province "         \
    "provinceCode zip country countryCodeV2 phone } "                                            \
    "shippingLine { title code originalPriceSet " AMOUNT " discountedPriceSet " AMOUNT           \
    " " TAX_LINES " } "                                                                          \
    "lineItems(first: %d) { " HAS_NEXT "nodes { id sku name title variantTitle quantity "        \
    "requiresShipping variant { barcode } originalUnitPriceSet " AMOUNT                          \
    " discountAllocations { allocatedAmountSet " AMOUNT " } " TAX_LINES " } } "                  \
    "transactions(first: %d) { id gateway kind status amountSet " AMOUNT " } "                   \
    "refunds(first: %d) { id note refundLineItems(first: %d) { " HAS_NEXT                        \
    "nodes { lineItem { id } quantity restockType subtotalSet " AMOUNT " totalTaxSet " AMOUNT    \
    " } } transactions(first: %d) { " HAS_NEXT "nodes { kind status amountSet " AMOUNT " } } } " \
    "fulfillments(first: %d) { id status trackingInfo { number company url } }"

const char *sb_shopify_order_query(const struct sb_shopify_sizes *s, struct sb_arena *a)
{
    if (s->orders)
        return sb_arena_printf(
            a,
            "query SbOrders($first: Int!, $after: String, $query: String) { orders(first: "
            "$first, after: $after, query: $query, sortKey: UPDATED_AT) { pageInfo { "
            "hasNextPage endCursor } nodes { " ORDER_FIELDS " } } }",
            s->lines, s->transactions, s->refunds, s->refund_lines, s->refund_transactions,
            s->fulfillments);
    return sb_arena_printf(a, "query SbOrder($id: ID!) { order(id: $id) { " ORDER_FIELDS " } }",
                           s->lines, s->transactions, s->refunds, s->refund_lines,
                           s->refund_transactions, s->fulfillments);
}
