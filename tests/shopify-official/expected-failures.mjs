// THE ONE LIST of checks of scripts/test-shopify-official that are known to fail on this
// branch, each with the reason. A check listed here that fails is reported XFAIL and does not
// fail the run; one that passes (XPASS), or an entry naming no check, fails the run until the
// entry is removed. The integrator removes entries as the branches that fix them land.
const adapter = 'the adapter on main (2025-01 documents); fixed on branch h-shop (issue 11 point 1)';
const fakestoreByName = 'the fakestore on main answers by operationName and never reads the ' +
    'document; the GraphQL engine is on branch h-gql (issue 11 point 3)';
export const expectedFailures = new Map([
    // docs: the adapter's documents against Admin 2026-10
    ['docs/SbOrders: uses no deprecated field, argument or value',
     `Customer.email and Customer.phone are deprecated: ${adapter}`],
    ['docs/SbOrder: uses no deprecated field, argument or value',
     `Customer.email and Customer.phone are deprecated: ${adapter}`],
    ['docs/SbOrderCancel: uses no deprecated field, argument or value',
     `orderCancel(refund:) is deprecated (refundMethod): ${adapter}`],
    ['docs/SbInventoryItems: uses no deprecated field, argument or value',
     `InventoryItem.variant is deprecated (variants): ${adapter}`],
    ['docs/SbBulkStock.query: uses no deprecated field, argument or value',
     `InventoryItem.variant is deprecated (variants): ${adapter}`],
    ['docs/SbBulkStatus: uses no deprecated field, argument or value',
     `currentBulkOperation is deprecated (bulkOperations): ${adapter}`],
    ['docs/SbInventorySet: the variables it sent coerce to their declared types',
     `ignoreCompareQuantity is no longer a field of InventorySetQuantitiesInput: ${adapter}`],
    ['docs/SbInventorySet: every quantity carries changeFromQuantity (2026-04 on)',
     `stock pushes send ignoreCompareQuantity and no changeFromQuantity: ${adapter}`],
    // clients: @shopify/admin-api-client against the fakestore, which on main answers by
    // operation name only (no name, or a name not its own: OPERATION_NOT_FOUND /
    // UNSUPPORTED_OPERATION) and never reads the document
    ['clients/shopify.dev orders: first 10, edges { node }', fakestoreByName],
    ['clients/shopify.dev orders: search syntax, sortKey, reverse, nodes', fakestoreByName],
    ['clients/shopify.dev orders: aliases and __typename', fakestoreByName],
    ['clients/shopify.dev order: by id with variables, lineItems and a fragment', fakestoreByName],
    ['clients/shopify.dev order: inline fragment on a node', fakestoreByName],
    ['clients/shopify.dev inventory items: first 2, edges { node }', fakestoreByName],
    ['clients/shopify.dev inventory items: query by sku', fakestoreByName],
    ['clients/shopify.dev inventory item: by id with its levels', fakestoreByName],
    ['clients/shopify.dev locations: first 5, edges { node }', fakestoreByName],
    ['clients/shopify.dev location: inventory levels', fakestoreByName],
    ['clients/shopify.dev inventorySetQuantities: changeFromQuantity (2026-04 on)', fakestoreByName],
    ['clients/shopify.dev fulfillment orders: on the order', fakestoreByName],
    ['clients/shopify.dev fulfillment orders: the shop\'s, top level', fakestoreByName],
    ['clients/shopify.dev fulfillmentCreate: lineItemsByFulfillmentOrder', fakestoreByName],
    ['clients/shopify.dev bulkOperationRunQuery, then its status', fakestoreByName],
    ['clients/errors: an unknown field answers Shopify\'s error shape', fakestoreByName],
]);
