// THE ONE LIST of checks of scripts/test-shopify-official that are known to fail on this
// branch, each with the reason. A check listed here that fails is reported XFAIL and does not
// fail the run; one that passes (XPASS), or an entry naming no check, fails the run until the
// entry is removed. The integrator removes entries as the branches that fix them land.
const adapter = 'the adapter on main (2025-01 documents); fixed on branch h-shop (issue 11 point 1)';
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
    // clients: @shopify/admin-api-client against the fakestore (its GraphQL engine)
    ['clients/adapter SbInventorySet',
     `ignoreCompareQuantity is no longer a field of InventorySetQuantitiesInput (2026-10): ${adapter}`],
]);
