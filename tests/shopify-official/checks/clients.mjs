// Shopify's official client, @shopify/admin-api-client, against the fakestore: the
// adapter's own operations (its documents, from the adapter through shopify-docs-dump) and
// shopify.dev's examples as shopify.dev writes them (edges/node, nodes, aliases,
// fragments, __typename, variables, search syntax, sort keys) for orders, order, inventory
// items, locations, inventory levels, inventorySetQuantities, fulfillment orders and
// fulfillmentCreate, bulk operations. Each check is one request; it passes when the answer
// has no GraphQL error and the data asked for.
//
// createAdminApiClient builds https URLs from storeDomain whatever scheme it is given; its
// customFetchApi option is how it is pointed at the fakestore's loopback http.
import { execFileSync } from 'node:child_process';
import { createAdminApiClient } from '@shopify/admin-api-client';
import { check, assert } from '../lib.mjs';
import { startFakestore, TOKEN, parseExact } from '../fake.mjs';

function clientFor(fake, apiVersion) {
    const origin = new URL(fake.url);
    return createAdminApiClient({
        storeDomain: `${origin.host}`,
        apiVersion,
        accessToken: TOKEN,
        customFetchApi: (url, init) => fetch(String(url).replace(/^https:/, 'http:'), init),
    });
}

async function ask(client, query, variables) {
    const res = await client.request(query, variables ? { variables } : {});
    if (res.errors) {
        const e = res.errors;
        const detail = e.graphQLErrors?.length
            ? e.graphQLErrors.map((g) => g.message + (g.extensions?.code ? ` (${g.extensions.code})`
                : '')).join('; ')
            : `${e.message ?? ''} ${e.networkStatusCode ?? ''} ${JSON.stringify(e.response?.body ??
                '').slice(0, 300)}`;
        throw new Error(detail.slice(0, 600));
    }
    assert(res.data, 'no data in the answer');
    return res.data;
}

const money = 'shopMoney { amount currencyCode }';

export async function run(env) {
    const fake = await startFakestore(env.fakestore);
    try {
        const client = clientFor(fake, env.apiVersion);
        // a shop with something in it: a second location, stock, and two orders
        await fake.control('POST', '/_fake/locations', { name: 'Uptown' });
        await fake.control('POST', '/_fake/inventory', { sku: 'TEE-BLK', available: 7 });
        const order = await fake.control('POST', '/_fake/orders', {
            email: 'ada@example.com', webhooks: false,
            line_items: [{ sku: 'TEE-BLK', quantity: 2 }, { sku: 'MUG-WHT', quantity: 1 }],
            shipping_address: { first_name: 'Ada', last_name: 'Lovelace', address1: '1 Main St',
                city: 'Boston', zip: '02108', country_code: 'US' },
        });
        await fake.control('POST', '/_fake/orders', { webhooks: false, financial_status: 'pending',
            line_items: [{ sku: 'CAP-RED', quantity: 1 }] });
        const orderGid = order.admin_graphql_api_id;
        const products = (await fake.control('GET', '/_fake/products')).products;
        const tee = products.find((p) => p.sku === 'TEE-BLK');
        const itemGid = tee.inventory_item_gid ?? `gid://shopify/InventoryItem/${tee.inventory_item_id}`;
        const locationGid = 'gid://shopify/Location/1';

        // ---- the adapter's own operations, as it sends them
        const docs = JSON.parse(execFileSync(env.docsDump, { encoding: 'utf8' }));
        for (const doc of docs) {
            if (doc.variables === null || doc.variables === undefined)
                continue; // the bulk query travels inside SbBulkStock
            await check(`clients/adapter ${doc.operation}`, () =>
                ask(client, doc.query, doc.variables));
        }

        // ---- shopify.dev's examples, as shopify.dev writes them
        const examples = [
            ['orders: first 10, edges { node }', `query { orders(first: 10) { edges { node {
                id name createdAt displayFinancialStatus totalPriceSet { ${money} } } }
                pageInfo { hasNextPage endCursor } } }`, null,
             (d) => d.orders.edges.length === 2],
            ['orders: search syntax, sortKey, reverse, nodes', `query RecentPaid {
                orders(first: 5, query: "financial_status:paid", sortKey: CREATED_AT,
                reverse: true) { nodes { id name displayFinancialStatus } } }`, null,
             (d) => d.orders.nodes.length === 1],
            ['orders: aliases and __typename', `query { paid: orders(first: 1, query:
                "financial_status:paid") { nodes { __typename id } } all: orders(first: 2) {
                nodes { id } } }`, null,
             (d) => d.paid.nodes[0].__typename === 'Order' && d.all.nodes.length === 2],
            ['order: by id with variables, lineItems and a fragment', `query GetOrder($id: ID!) {
                order(id: $id) { ...OrderBits lineItems(first: 10) { nodes { id title quantity
                sku } } } } fragment OrderBits on Order { id name email totalPriceSet { ${money} } }`,
             { id: orderGid }, (d) => d.order?.lineItems.nodes.length === 2],
            ['order: inline fragment on a node', `query ($id: ID!) { node(id: $id) { id
                ... on Order { name } } }`, { id: orderGid }, (d) => d.node?.name === order.name],
            ['inventory items: first 2, edges { node }', `query { inventoryItems(first: 2) {
                edges { node { id tracked sku } } } }`, null,
             (d) => d.inventoryItems.edges.length === 2],
            ['inventory items: query by sku', `query { inventoryItems(first: 1, query:
                "sku:TEE-BLK") { nodes { id sku } } }`, null,
             (d) => d.inventoryItems.nodes[0]?.sku === 'TEE-BLK'],
            ['inventory item: by id with its levels', `query InventoryItem($id: ID!) {
                inventoryItem(id: $id) { id tracked sku inventoryLevels(first: 10) { edges {
                node { id quantities(names: ["available", "on_hand"]) { name quantity }
                location { id name } } } } } }`, { id: itemGid },
             (d) => d.inventoryItem?.inventoryLevels.edges.length >= 1],
            ['locations: first 5, edges { node }', `query { locations(first: 5) { edges { node {
                id name isActive } } } }`, null, (d) => d.locations.edges.length === 2],
            ['location: inventory levels', `query ($id: ID!) { location(id: $id) { id name
                inventoryLevels(first: 10) { nodes { id quantities(names: ["available"]) {
                name quantity } item { id sku } } } } }`, { id: locationGid },
             (d) => d.location?.inventoryLevels.nodes.length >= 3],
            ['inventorySetQuantities: changeFromQuantity (2026-04 on)',
             `mutation InventorySet($input: InventorySetQuantitiesInput!) {
                inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { createdAt
                reason changes { name delta quantityAfterChange } } userErrors { code field
                message } } }`,
             { input: { name: 'available', reason: 'correction',
                 referenceDocumentUri: 'logistics://some.warehouse/take/2023-01-23T13:14:15Z',
                 // 7 set, less the first order's 2: an order takes its units from available
                 quantities: [{ inventoryItemId: itemGid, locationId: locationGid,
                     quantity: 11, changeFromQuantity: 5 }] } },
             (d) => d.inventorySetQuantities.userErrors.length === 0 &&
                 d.inventorySetQuantities.inventoryAdjustmentGroup?.changes[0]?.delta === 6],
            ['fulfillment orders: on the order', `query ($id: ID!) { order(id: $id) {
                fulfillmentOrders(first: 10) { nodes { id status requestStatus
                assignedLocation { name location { id } } lineItems(first: 10) { nodes { id
                remainingQuantity totalQuantity lineItem { id sku } } } } } } }`, { id: orderGid },
             (d) => d.order?.fulfillmentOrders.nodes[0]?.lineItems.nodes.length === 2],
            ['fulfillment orders: the shop\'s, top level', `query { fulfillmentOrders(first: 10,
                query: "status:open") { nodes { id status orderId } } }`, null,
             (d) => d.fulfillmentOrders.nodes.length >= 1],
        ];
        for (const [name, query, vars, ok] of examples)
            await check(`clients/shopify.dev ${name}`, async () => {
                const d = await ask(client, query, vars);
                assert(ok(d), `unexpected data: ${JSON.stringify(d).slice(0, 400)}`);
            });

        await check('clients/shopify.dev fulfillmentCreate: lineItemsByFulfillmentOrder', async () => {
            const d = await ask(client, `query ($id: ID!) { order(id: $id) {
                fulfillmentOrders(first: 1) { nodes { id } } } }`, { id: orderGid });
            const fo = d.order?.fulfillmentOrders.nodes[0]?.id;
            assert(fo, 'no fulfillment order to fulfil');
            const r = await ask(client, `mutation fulfillmentCreate($fulfillment: FulfillmentInput!) {
                fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status
                trackingInfo(first: 10) { company number url } } userErrors { field message } } }`,
            { fulfillment: { lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: fo }],
                trackingInfo: { company: 'UPS', number: '1Z001985YW99744790' },
                notifyCustomer: false } });
            assert(r.fulfillmentCreate.userErrors.length === 0,
                JSON.stringify(r.fulfillmentCreate.userErrors));
            assert(r.fulfillmentCreate.fulfillment?.id, 'no fulfillment');
        });
        await check('clients/shopify.dev bulkOperationRunQuery, then its status', async () => {
            const r = await ask(client, `mutation { bulkOperationRunQuery(query: """
                { products { edges { node { id title variants { edges { node { id sku } } } } } } }
                """) { bulkOperation { id status } userErrors { field message } } }`);
            assert(r.bulkOperationRunQuery.userErrors.length === 0,
                JSON.stringify(r.bulkOperationRunQuery.userErrors));
            const id = r.bulkOperationRunQuery.bulkOperation?.id;
            assert(id, 'no bulk operation');
            const s = await ask(client, `query ($id: ID!) { node(id: $id) { ... on BulkOperation {
                id status errorCode objectCount url } } }`, { id });
            assert(s.node?.id === id, `status not read: ${JSON.stringify(s)}`);
        });
        await check('clients/errors: an unknown field answers Shopify\'s error shape', async () => {
            const res = await client.request('query { shop { nameThatDoesNotExist } }');
            const g = res.errors?.graphQLErrors?.[0];
            assert(g, `no GraphQL error: ${JSON.stringify(res).slice(0, 300)}`);
            assert(/nameThatDoesNotExist/.test(g.message) && g.extensions?.code ===
                'undefinedField', `not Shopify's error: ${JSON.stringify(g)}`);
        });
    } finally {
        await fake.stop();
    }
}
