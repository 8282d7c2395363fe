// The fakestore's Magento mode driven by a client written from Magento's description
// (../client.mjs), then its whole traffic log validated against the description: what the
// fake answers must be what Magento would be allowed to answer. Orders of every shape are
// placed through the control API (docs/fakestore.md): a simple guest order, a configurable
// (priced parent, child at 0), a fixed-price bundle (priced parent, children at 0), a
// dynamic bundle (priced children), an in-store pickup, an order invoiced, one refunded in
// part by a credit memo. Then every route the adapter uses is called: the orders search in
// both spellings and past its last page, one order, an unknown order, invoice (and its
// refusal), ship with tracking, cancel (true, and false on a complete order), credit memos
// search, refund with return_to_stock_items, products search, base and special prices,
// sources, source items read and written, salable quantity.
// Rules: O1 (download), M2 M3 M4 (states, invoice), M7 (credit memos), M8 (parent/child),
// S1 (cancel), S4 (ship), I1 (stock), P1 (prices), F (pickup).
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, assert } from '../lib.mjs';
import { startFakestore, CREDS } from '../fake.mjs';
import { client, searchCriteria } from '../client.mjs';
import { Spec } from '../openapi.mjs';
import { logChecks } from '../traffic.mjs';

// the operations the adapter (src/channel/magento2/) sends; each must be seen answered 2xx
export const ADAPTER_OPERATIONS = [
    'GET /V1/orders', 'GET /V1/orders/{id}', 'POST /V1/orders/{id}/cancel',
    'POST /V1/order/{orderId}/invoice', 'POST /V1/order/{orderId}/ship',
    'POST /V1/order/{orderId}/refund', 'GET /V1/creditmemos', 'GET /V1/products',
    'POST /V1/products/base-prices', 'POST /V1/products/special-price',
    'GET /V1/inventory/sources', 'GET /V1/inventory/source-items',
    'POST /V1/inventory/source-items',
    'GET /V1/inventory/get-product-salable-quantity/{sku}/{stockId}',
];

const address = { firstname: 'Ada', lastname: 'Lovelace', street: ['1 Main St'], city: 'Boston',
    region_code: 'MA', postcode: '02108', country_id: 'US', telephone: '555-0100',
    email: 'ada@example.com' };

// the shapes placed through the control API (fields omitted get the fakestore's defaults)
const SHAPES = {
    guest: { customer_is_guest: 1, customer_email: 'guest@example.com', billing_address: address,
        items: [{ sku: 'MUG-WHT', name: 'Mug', qty_ordered: 2, price: 12.5, product_type: 'simple' }] },
    configurable: { customer_email: 'ada@example.com', billing_address: address,
        items: [{ sku: 'TEE-BLK-M', name: 'Tee', qty_ordered: 1, price: 25, product_type: 'configurable' },
            { sku: 'TEE-BLK-M', name: 'Tee Black M', qty_ordered: 1, price: 0, product_type: 'simple', parent: 0 }] },
    fixedBundle: { customer_email: 'ada@example.com', billing_address: address,
        items: [{ sku: 'KIT-BASE', name: 'Kit (fixed)', qty_ordered: 1, price: 40, product_type: 'bundle' },
            { sku: 'KIT-CUP', name: 'Cup', qty_ordered: 1, price: 0, product_type: 'simple', parent: 0 },
            { sku: 'KIT-LID', name: 'Lid', qty_ordered: 1, price: 0, product_type: 'simple', parent: 0 }] },
    dynamicBundle: { customer_email: 'ada@example.com', billing_address: address,
        items: [{ sku: 'KIT-BASE', name: 'Kit (dynamic)', qty_ordered: 1, price: 0, product_type: 'bundle' },
            { sku: 'KIT-CUP', name: 'Cup', qty_ordered: 2, price: 8, product_type: 'simple', parent: 0 },
            { sku: 'KIT-LID', name: 'Lid', qty_ordered: 2, price: 3, product_type: 'simple', parent: 0 }] },
    pickup: { customer_email: 'ada@example.com', billing_address: address,
        extension_attributes: { pickup_location_code: 'default' },
        items: [{ sku: 'TEE-BLK-L', name: 'Tee Black L', qty_ordered: 1, price: 25, product_type: 'simple' }] },
};

export async function run(env) {
    let spec;
    await check('scenario/the description loads', async () => {
        spec = new Spec(JSON.parse(readFileSync(env.schemaFile, 'utf8')));
    });
    if (!spec)
        return;
    const dir = mkdtempSync(join(tmpdir(), 'm2-official-scenario-'));
    const logFile = join(dir, 'traffic.jsonl');
    let fake;
    try {
        await check('scenario/the fakestore starts in Magento mode', async () => {
            fake = await startFakestore(env.fakestore, logFile);
        });
        if (!fake)
            return;
        // the scenario signs as the adapter does with all four credentials
        const call = client(fake.url, { oauth: CREDS, signatureMethod: 'HMAC-SHA256' });
        const ok = async (method, route, opts = {}, want = 200) => {
            const r = await call(method, route, opts);
            assert(r.status === want, `${method} ${route}: wanted ${want}, got ${r.status} ` +
                r.text.slice(0, 400));
            return r.body;
        };
        const placed = {};
        for (const [shape, body] of Object.entries(SHAPES)) {
            await check(`scenario/place a ${shape} order (control API)`, async () => {
                const o = await fake.control('POST', '/_fake/magento2/orders', body);
                assert(Number.isInteger(o?.entity_id), `no entity_id: ${JSON.stringify(o).slice(0, 200)}`);
                assert(o.items.length === body.items.length, `${o.items.length} items`);
                placed[shape] = o;
            });
        }
        const order = (shape) => {
            assert(placed[shape], `the ${shape} order was not placed`);
            return placed[shape];
        };

        await check('scenario/orders search, snake_case, page by page past the end', async () => {
            const total = Object.keys(placed).length;
            const page = (n) => ok('GET', '/V1/orders', { query: searchCriteria({
                filterGroups: [[{ field: 'updated_at', value: '2000-01-01 00:00:00', conditionType: 'gteq' }]],
                sortOrders: [{ field: 'updated_at', direction: 'ASC' }], pageSize: 2, currentPage: n }) });
            const first = await page(1);
            assert(first.total_count === total, `total_count ${first.total_count}, placed ${total}`);
            const last = Math.ceil(total / 2);
            const lastPage = await page(last);
            const beyond = await page(last + 1);
            // Magento answers the last page again past the end
            assert(JSON.stringify(beyond.items.map((o) => o.entity_id)) ===
                JSON.stringify(lastPage.items.map((o) => o.entity_id)), 'past the end is not the last page');
        });
        await check('scenario/orders search, camelCase, two filter groups', async () => {
            const r = await ok('GET', '/V1/orders', { query: searchCriteria({
                filterGroups: [[{ field: 'updated_at', value: '2000-01-01 00:00:00', conditionType: 'gteq' }],
                    [{ field: 'state', value: 'new', conditionType: 'eq' },
                        { field: 'state', value: 'processing', conditionType: 'eq' }]],
                pageSize: 50, currentPage: 1 }, 'camel') });
            assert(Array.isArray(r.items), 'no items');
        });
        await check('scenario/one order, and an unknown one (404)', async () => {
            const o = await ok('GET', `/V1/orders/${order('configurable').entity_id}`);
            assert(o.items.some((i) => i.parent_item_id), 'the configurable child has no parent_item_id');
            await ok('GET', '/V1/orders/999999999', {}, 404);
        });
        await check('scenario/invoice an order, then the refusal of a second invoice', async () => {
            const id = order('guest').entity_id;
            const invoiceId = await ok('POST', `/V1/order/${id}/invoice`,
                { body: { capture: true, notify: false } });
            assert(Number.isInteger(invoiceId), `invoice id ${JSON.stringify(invoiceId)}`);
            const r = await call('POST', `/V1/order/${id}/invoice`, { body: { capture: true, notify: false } });
            assert(r.status === 400 && /^Invoice Document Validation Error\(s\):/.test(r.body?.message || ''),
                `second invoice: ${r.status} ${r.text.slice(0, 200)}`);
        });
        await check('scenario/ship with tracking', async () => {
            const o = order('guest');
            const shipmentId = await ok('POST', `/V1/order/${o.entity_id}/ship`, { body: {
                items: [{ order_item_id: o.items[0].item_id, qty: 2 }], notify: false,
                tracks: [{ track_number: '1Z999', title: 'UPS', carrier_code: 'ups' }] } });
            assert(Number.isInteger(shipmentId), `shipment id ${JSON.stringify(shipmentId)}`);
        });
        await check('scenario/cancel: true on a pending order, false on a complete one', async () => {
            assert(await ok('POST', `/V1/orders/${order('pickup').entity_id}/cancel`) === true,
                'cancel of a pending order is not true');
            // the guest order is invoiced and shipped in full: complete, not cancellable
            assert(await ok('POST', `/V1/orders/${order('guest').entity_id}/cancel`) === false,
                'cancel of a complete order is not false');
        });
        await check('scenario/refund part of an order (return_to_stock_items), then a credit memo by control', async () => {
            const o = order('dynamicBundle');
            await ok('POST', `/V1/order/${o.entity_id}/invoice`, { body: { capture: true, notify: false } });
            const child = o.items.find((i) => i.sku === 'KIT-CUP' && i.parent_item_id);
            assert(child, 'no KIT-CUP child item');
            const memoId = await ok('POST', `/V1/order/${o.entity_id}/refund`, { body: {
                items: [{ order_item_id: child.item_id, qty: 1 }], notify: false,
                arguments: { extension_attributes: { return_to_stock_items: [child.item_id] } } } });
            assert(Number.isInteger(memoId), `credit memo id ${JSON.stringify(memoId)}`);
            const f = order('fixedBundle');
            await fake.control('POST', `/_fake/magento2/orders/${f.entity_id}`,
                { state: 'processing', status: 'processing', total_invoiced: f.grand_total,
                  total_paid: f.grand_total, touch: true });
            await fake.control('POST', `/_fake/magento2/orders/${f.entity_id}/creditmemo`,
                { items: [{ order_item_id: f.items[0].item_id, qty: 1 }], state: 2 });
        });
        await check('scenario/credit memos search', async () => {
            const r = await ok('GET', '/V1/creditmemos', { query: searchCriteria({
                filterGroups: [[{ field: 'updated_at', value: '2000-01-01 00:00:00', conditionType: 'gteq' }]],
                pageSize: 50, currentPage: 1 }) });
            assert(r.total_count >= 2, `total_count ${r.total_count}`);
        });
        await check('scenario/products search by SKU', async () => {
            const r = await ok('GET', '/V1/products', { query: searchCriteria({
                filterGroups: [[{ field: 'sku', value: 'TEE-BLK-M,MUG-WHT', conditionType: 'in' }]],
                pageSize: 50, currentPage: 1 }) });
            assert(r.items.length === 2, `${r.items.length} products`);
        });
        await check('scenario/base and special prices', async () => {
            const base = await ok('POST', '/V1/products/base-prices',
                { body: { prices: [{ sku: 'MUG-WHT', price: 13, store_id: 0 }] } });
            assert(Array.isArray(base) && base.length === 0, `base-prices: ${JSON.stringify(base)}`);
            const special = await ok('POST', '/V1/products/special-price', { body: { prices: [{
                sku: 'MUG-WHT', price: 11, store_id: 0, price_from: '2024-06-01 00:00:00',
                price_to: '2024-06-30 23:59:59' }] } });
            assert(Array.isArray(special), `special-price: ${JSON.stringify(special)}`);
        });
        await check('scenario/sources, source items read and written, salable quantity', async () => {
            const sources = await ok('GET', '/V1/inventory/sources',
                { query: searchCriteria({ pageSize: 50, currentPage: 1 }) });
            assert(sources.items.some((s) => s.source_code === 'default'), 'no default source');
            const write = await ok('POST', '/V1/inventory/source-items', { body: { sourceItems: [
                { sku: 'MUG-WHT', source_code: 'default', quantity: 7, status: 1 }] } });
            assert(write === null || (Array.isArray(write) && write.length === 0),
                `source-items: ${JSON.stringify(write)}`);
            const read = await ok('GET', '/V1/inventory/source-items', { query: searchCriteria({
                filterGroups: [[{ field: 'sku', value: 'MUG-WHT', conditionType: 'eq' }]] }) });
            const item = read.items.find((i) => i.source_code === 'default');
            assert(item && item.quantity === 7, `source item: ${JSON.stringify(read.items)}`);
            const salable = await ok('GET', '/V1/inventory/get-product-salable-quantity/MUG-WHT/1');
            assert(typeof salable === 'number', `salable: ${JSON.stringify(salable)}`);
        });
        await check('scenario/an unsigned request is refused (401)', async () => {
            const r = await client(fake.url, {})('GET', '/V1/orders', { query: searchCriteria({ pageSize: 1 }) });
            assert(r.status === 401, `${r.status}`);
        });
        await fake.stop();
        fake = null;
        if (await logChecks('scenario/traffic', spec, logFile, env.usedDeviations, ADAPTER_OPERATIONS))
            env.scenarioValidated = true;
    } finally {
        if (fake)
            await fake.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}
