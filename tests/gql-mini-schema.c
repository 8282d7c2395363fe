/*
 * The small test schema of gql-mini-schema.h, written as a table of types -
 * each field as "name(arg: Type = default, ...): Type", an input field as
 * "name: Type = default" - and turned into the introspection JSON a GraphQL
 * server would answer, so that the engine loads it exactly as it loads
 * Shopify's.
 */
#include "gql-mini-schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct mini_type {
    const char *kind;
    const char *name;
    /* objects and interfaces: interfaces implemented; unions: members; enums: values
     * (space-separated) */
    const char *refs;
    const char *fields[16];
    bool one_of;
};

#define TYPE(k, n, r, ...)                                         \
    {                                                              \
        .kind = k, .name = n, .refs = r, .fields = { __VA_ARGS__ } \
    }
#define ONE_OF(k, n, r, ...)                                                       \
    {                                                                              \
        .kind = k, .name = n, .refs = r, .fields = { __VA_ARGS__ }, .one_of = true \
    }

static const struct mini_type types[] = {
    TYPE("SCALAR", "String", ""),
    TYPE("SCALAR", "Int", ""),
    TYPE("SCALAR", "Float", ""),
    TYPE("SCALAR", "Boolean", ""),
    TYPE("SCALAR", "ID", ""),
    TYPE("SCALAR", "DateTime", ""),
    TYPE("SCALAR", "Decimal", ""),
    TYPE("SCALAR", "JSON", ""),
    TYPE("OBJECT", "QueryRoot", "", "shop: Shop!", "order(id: ID!): Order",
         "orders(first: Int, after: String, last: Int, before: String, query: String, reverse: "
         "Boolean = false, sortKey: OrderSortKeys = PROCESSED_AT): OrderConnection!",
         "products(first: Int, after: String, last: Int, before: String, query: String): "
         "ProductConnection!",
         "inventoryItems(first: Int, after: String, query: String): InventoryItemConnection!",
         "node(id: ID!): Node", "nodes(ids: [ID!]!): [Node]!",
         "search(term: String!): [SearchResult!]!",
         "productBy(by: ProductIdentifierInput!): Product", "ping(times: [[Int!]]): String"),
    TYPE("OBJECT", "Mutation", "",
         "inventorySetQuantities(input: InventorySetQuantitiesInput!): "
         "InventorySetQuantitiesPayload",
         "orderUpdate(input: OrderInput!): OrderUpdatePayload"),
    TYPE("INTERFACE", "Node", "", "id: ID!"),
    TYPE("OBJECT", "Shop", "", "id: ID!", "name: String!", "currencyCode: CurrencyCode!",
         "createdAt: DateTime!"),
    TYPE("OBJECT", "Order", "Node", "id: ID!", "name: String!", "note: String", "email: String",
         "createdAt: DateTime!", "displayFinancialStatus: OrderDisplayFinancialStatus",
         "totalPriceSet: MoneyBag!",
         "lineItems(first: Int, after: String, last: Int, before: String): LineItemConnection!",
         "transactions(first: Int): [OrderTransaction!]!", "tags: [String!]!", "customer: Customer",
         "legacyTotal: String @deprecated"),
    TYPE("OBJECT", "LineItem", "Node", "id: ID!", "sku: String", "title: String!", "quantity: Int!",
         "product: Product"),
    TYPE("OBJECT", "Product", "Node", "id: ID!", "title: String!", "totalInventory: Int",
         "variants(first: Int, after: String): ProductVariantConnection!"),
    TYPE("OBJECT", "ProductVariant", "", "id: ID!", "sku: String", "price: Decimal!"),
    TYPE("OBJECT", "InventoryItem", "Node", "id: ID!", "sku: String", "tracked: Boolean!"),
    TYPE("OBJECT", "Customer", "", "firstName: String", "email: String", "lastOrder: Order"),
    TYPE("OBJECT", "OrderTransaction", "", "id: ID!", "kind: OrderTransactionKind!",
         "amountSet: MoneyBag!"),
    TYPE("OBJECT", "MoneyBag", "", "shopMoney: MoneyV2!"),
    TYPE("OBJECT", "MoneyV2", "", "amount: Decimal!", "currencyCode: CurrencyCode!"),
    TYPE("OBJECT", "PageInfo", "", "hasNextPage: Boolean!", "hasPreviousPage: Boolean!",
         "startCursor: String", "endCursor: String"),
    TYPE("OBJECT", "OrderConnection", "", "edges: [OrderEdge!]!", "nodes: [Order!]!",
         "pageInfo: PageInfo!"),
    TYPE("OBJECT", "OrderEdge", "", "cursor: String!", "node: Order!"),
    TYPE("OBJECT", "LineItemConnection", "", "edges: [LineItemEdge!]!", "nodes: [LineItem!]!",
         "pageInfo: PageInfo!"),
    TYPE("OBJECT", "LineItemEdge", "", "cursor: String!", "node: LineItem!"),
    TYPE("OBJECT", "ProductConnection", "", "edges: [ProductEdge!]!", "nodes: [Product!]!",
         "pageInfo: PageInfo!"),
    TYPE("OBJECT", "ProductEdge", "", "cursor: String!", "node: Product!"),
    TYPE("OBJECT", "ProductVariantConnection", "", "edges: [ProductVariantEdge!]!",
         "nodes: [ProductVariant!]!", "pageInfo: PageInfo!"),
    TYPE("OBJECT", "ProductVariantEdge", "", "cursor: String!", "node: ProductVariant!"),
    TYPE("OBJECT", "InventoryItemConnection", "", "edges: [InventoryItemEdge!]!",
         "nodes: [InventoryItem!]!", "pageInfo: PageInfo!"),
    TYPE("OBJECT", "InventoryItemEdge", "", "cursor: String!", "node: InventoryItem!"),
    TYPE("UNION", "SearchResult", "Order Product"),
    TYPE("OBJECT", "InventorySetQuantitiesPayload", "", "changed: Int",
         "userErrors: [UserError!]!"),
    TYPE("OBJECT", "OrderUpdatePayload", "", "order: Order", "userErrors: [UserError!]!"),
    TYPE("OBJECT", "UserError", "", "field: [String!]", "message: String!"),
    TYPE("ENUM", "OrderSortKeys", "PROCESSED_AT UPDATED_AT ID"),
    TYPE("ENUM", "CurrencyCode", "USD EUR JPY"),
    TYPE("ENUM", "OrderDisplayFinancialStatus", "PENDING PAID REFUNDED"),
    TYPE("ENUM", "OrderTransactionKind", "SALE REFUND"),
    TYPE("INPUT_OBJECT", "InventorySetQuantitiesInput", "", "name: String!", "reason: String!",
         "quantities: [InventoryQuantityInput!]!", "ignoreCompareQuantity: Boolean = false"),
    TYPE("INPUT_OBJECT", "InventoryQuantityInput", "", "inventoryItemId: ID!", "locationId: ID!",
         "quantity: Int!", "changeFromQuantity: Int"),
    TYPE("INPUT_OBJECT", "OrderInput", "", "id: ID!", "note: String", "tags: [String!]",
         "metafields: JSON"),
    ONE_OF("INPUT_OBJECT", "ProductIdentifierInput", "", "id: ID", "handle: String"),
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

static const char *kind_of(const char *name, size_t len)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (strlen(types[i].name) == len && strncmp(types[i].name, name, len) == 0)
            return types[i].kind;
    return NULL;
}

/* "[ID!]!" as an introspection type reference. */
static json_t *typeref(const char *t, size_t len)
{
    while (len && t[len - 1] == ' ')
        len--;
    if (len && t[len - 1] == '!')
        return json_pack("{s:s, s:n, s:o}", "kind", "NON_NULL", "name", "ofType",
                         typeref(t, len - 1));
    if (len >= 2 && t[0] == '[')
        return json_pack("{s:s, s:n, s:o}", "kind", "LIST", "name", "ofType",
                         typeref(t + 1, len - 2));
    const char *kind = kind_of(t, len);
    if (!kind) {
        fprintf(stderr, "gql-mini-schema: no type %.*s\n", (int)len, t);
        return NULL;
    }
    return json_pack("{s:s, s:s%, s:n}", "kind", kind, "name", t, len, "ofType");
}

/* "name: Type = default" */
static json_t *input_value(const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len), *eq = memchr(s, '=', len);
    size_t tlen = (eq ? (size_t)(eq - colon) : len - (size_t)(colon - s)) - 1;
    json_t *v = json_pack("{s:s%, s:n, s:o, s:n, s:b, s:n}", "name", s, (size_t)(colon - s),
                          "description", "type", typeref(colon + 2, tlen - 1), "defaultValue",
                          "isDeprecated", 0, "deprecationReason");
    if (v && eq)
        json_object_set_new(v, "defaultValue", json_stringn(eq + 2, len - (size_t)(eq + 2 - s)));
    return v;
}

static json_t *args_of(const char *s, size_t len)
{
    json_t *args = json_array();
    while (args && len) {
        const char *comma = memchr(s, ',', len);
        size_t n = comma ? (size_t)(comma - s) : len;
        json_array_append_new(args, input_value(s, n));
        if (!comma)
            break;
        len -= n + 2;
        s = comma + 2;
    }
    return args;
}

/* "name(args): Type" or "name: Type", "@deprecated" at the end. */
static json_t *field(const char *s)
{
    size_t len = strlen(s);
    bool deprecated = len > 12 && strcmp(s + len - 12, " @deprecated") == 0;
    if (deprecated)
        len -= 12;
    const char *paren = memchr(s, '(', len), *colon;
    json_t *args;
    size_t name_len;
    if (paren) {
        const char *close = memchr(paren, ')', len - (size_t)(paren - s));
        name_len = (size_t)(paren - s);
        args = args_of(paren + 1, (size_t)(close - paren - 1));
        colon = close + 1;
    } else {
        colon = memchr(s, ':', len);
        name_len = (size_t)(colon - s);
        args = json_array();
    }
    return json_pack("{s:s%, s:n, s:o, s:o, s:b, s:n}", "name", s, name_len, "description", "args",
                     args, "type", typeref(colon + 2, len - (size_t)(colon + 2 - s)),
                     "isDeprecated", deprecated, "deprecationReason");
}

static json_t *names(const char *list, bool as_refs)
{
    json_t *a = json_array();
    while (a && list && *list) {
        const char *sp = strchr(list, ' ');
        size_t n = sp ? (size_t)(sp - list) : strlen(list);
        if (as_refs)
            json_array_append_new(a, json_pack("{s:s, s:s%, s:n}", "kind", kind_of(list, n), "name",
                                               list, n, "ofType"));
        else
            json_array_append_new(a,
                                  json_pack("{s:s%, s:n, s:b, s:n}", "name", list, n, "description",
                                            "isDeprecated", 0, "deprecationReason"));
        list = sp ? sp + 1 : list + n;
    }
    return a;
}

static json_t *type(const struct mini_type *t)
{
    bool composite = strcmp(t->kind, "OBJECT") == 0 || strcmp(t->kind, "INTERFACE") == 0;
    bool input = strcmp(t->kind, "INPUT_OBJECT") == 0;
    json_t *j = json_pack("{s:s, s:s, s:n, s:b}", "kind", t->kind, "name", t->name, "description",
                          "isOneOf", t->one_of);
    json_t *fields = composite || input ? json_array() : json_null();
    for (size_t i = 0; i < 16 && t->fields[i] && json_is_array(fields); i++)
        json_array_append_new(fields, input ? input_value(t->fields[i], strlen(t->fields[i]))
                                            : field(t->fields[i]));
    json_object_set_new(j, "fields", composite ? fields : json_null());
    json_object_set_new(j, "inputFields", input ? fields : json_null());
    if (!composite && !input)
        json_decref(fields);
    json_object_set_new(j, "interfaces", composite ? names(t->refs, true) : json_null());
    json_object_set_new(j, "enumValues",
                        strcmp(t->kind, "ENUM") == 0 ? names(t->refs, false) : json_null());
    json_t *possible = json_null();
    if (strcmp(t->kind, "UNION") == 0) {
        possible = names(t->refs, true);
    } else if (strcmp(t->kind, "INTERFACE") == 0) {
        possible = json_array();
        for (size_t i = 0; i < N_TYPES; i++)
            if (types[i].refs && strstr(types[i].refs, t->name) &&
                strcmp(types[i].kind, "OBJECT") == 0)
                json_array_append_new(possible, json_pack("{s:s, s:s, s:n}", "kind", "OBJECT",
                                                          "name", types[i].name, "ofType"));
    }
    json_object_set_new(j, "possibleTypes", possible);
    return j;
}

static json_t *directive(const char *name, const char *locations, const char *args)
{
    return json_pack("{s:s, s:n, s:b, s:o, s:o}", "name", name, "description", "isRepeatable", 0,
                     "locations", names(locations, false), "args",
                     args ? args_of(args, strlen(args)) : json_array());
}

json_t *gql_mini_schema(void)
{
    json_t *all = json_array();
    for (size_t i = 0; all && i < N_TYPES; i++)
        json_array_append_new(all, type(&types[i]));
    /* locations as plain names: names() makes objects, so make them strings here */
    json_t *dirs = json_array();
    json_array_append_new(
        dirs, directive("include", "FIELD FRAGMENT_SPREAD INLINE_FRAGMENT", "if: Boolean!"));
    json_array_append_new(
        dirs, directive("skip", "FIELD FRAGMENT_SPREAD INLINE_FRAGMENT", "if: Boolean!"));
    json_array_append_new(dirs, directive("deprecated", "FIELD_DEFINITION ENUM_VALUE",
                                          "reason: String = \"No longer supported\""));
    json_array_append_new(dirs, directive("oneOf", "INPUT_OBJECT", NULL));
    size_t i;
    json_t *d;
    json_array_foreach(dirs, i, d)
    {
        json_t *locs = json_array(), *l;
        size_t k;
        json_array_foreach(json_object_get(d, "locations"), k, l)
            json_array_append_new(locs, json_incref(json_object_get(l, "name")));
        json_object_set_new(d, "locations", locs);
    }
    return json_pack("{s:{s:{s:{s:s}, s:{s:s}, s:n, s:o, s:o}}}", "data", "__schema", "queryType",
                     "name", "QueryRoot", "mutationType", "name", "Mutation", "subscriptionType",
                     "types", all, "directives", dirs);
}
