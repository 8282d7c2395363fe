// The validator itself, on hand-made traffic records whose verdict is known: an order as
// Magento answers it (the fields and types of sales-data-order-interface in the 2.4.7 file,
// with Magento's own quirks: "cc_last4": null, 0/1 flags, dates without a zone, a prefixed
// increment_id) must pass; the same order with one field invented, one of a wrong type, one
// required field missing must each fail with exactly that error; query names, spellings,
// path templates, void answers, error answers and request bodies likewise. A Swagger 2.0
// description (the 2.4.9 file's flavour) is read through a small one of the same shape.
// Rules: M3/M4 (the order fields the download modes read), O (order download), I (stock).
import { readFileSync } from 'node:fs';
import { check, assert } from '../lib.mjs';
import { Spec, checkRecord } from '../openapi.mjs';

export const order = () => ({
    base_currency_code: 'USD',
    base_discount_amount: -5,
    base_grand_total: 60,
    base_shipping_amount: 10,
    base_subtotal: 50,
    base_tax_amount: 5,
    created_at: '2024-03-01 10:15:00',
    customer_email: 'ada@example.com',
    customer_firstname: 'Ada',
    customer_is_guest: 0,
    customer_lastname: 'Lovelace',
    discount_amount: -5,
    entity_id: 42,
    grand_total: 60,
    increment_id: 'WEB-000000042',
    order_currency_code: 'USD',
    shipping_amount: 10,
    shipping_description: 'Flat Rate - Fixed',
    state: 'processing',
    status: 'processing',
    store_id: 1,
    subtotal: 50,
    tax_amount: 5,
    total_due: 0,
    total_invoiced: 60,
    total_paid: 60,
    total_qty_ordered: 2,
    updated_at: '2024-03-01 10:16:02',
    items: [
        { item_id: 101, order_id: 42, sku: 'TEE-BLK-M', name: 'Tee', product_type: 'configurable',
          qty_ordered: 2, qty_invoiced: 2, qty_shipped: 0, qty_refunded: 0, qty_canceled: 0,
          price: 25, row_total: 50, tax_amount: 5, tax_percent: 10, discount_amount: 5,
          is_virtual: 0, created_at: '2024-03-01 10:15:00', updated_at: '2024-03-01 10:15:00' },
        { item_id: 102, order_id: 42, sku: 'TEE-BLK-M', name: 'Tee Black M', product_type: 'simple',
          qty_ordered: 2, price: 0, row_total: 0, parent_item_id: 101, is_virtual: 0,
          parent_item: { item_id: 101, sku: 'TEE-BLK-M', product_type: 'configurable' } },
    ],
    billing_address: {
        address_type: 'billing', city: 'Boston', country_id: 'US', email: 'ada@example.com',
        entity_id: 84, firstname: 'Ada', lastname: 'Lovelace', parent_id: 42, postcode: '02108',
        region_code: 'MA', street: ['1 Main St'], telephone: '555-0100',
    },
    payment: {
        account_status: null,
        additional_information: ['Check / Money order'],
        amount_ordered: 60,
        amount_paid: 60,
        cc_last4: null,
        method: 'checkmo',
    },
    status_histories: [],
    extension_attributes: {
        shipping_assignments: [{
            shipping: {
                address: { address_type: 'shipping', city: 'Boston', country_id: 'US',
                    firstname: 'Ada', lastname: 'Lovelace', postcode: '02108',
                    street: ['1 Main St'], telephone: '555-0100' },
                method: 'flatrate_flatrate',
                total: { shipping_amount: 10, base_shipping_amount: 10 },
            },
            items: [],
        }],
        pickup_location_code: 'downtown',
    },
});

const SEARCH_SNAKE = 'searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=updated_at' +
    '&searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=2024-01-01%2000%3A00%3A00' +
    '&searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bcondition_type%5D=gteq' +
    '&searchCriteria%5BsortOrders%5D%5B0%5D%5Bfield%5D=updated_at' +
    '&searchCriteria%5BsortOrders%5D%5B0%5D%5Bdirection%5D=ASC' +
    '&searchCriteria%5BpageSize%5D=50&searchCriteria%5BcurrentPage%5D=1';
const SEARCH_CAMEL = 'searchCriteria[filterGroups][0][filters][0][field]=updated_at' +
    '&searchCriteria[filterGroups][0][filters][0][value]=2024-01-01+00:00:00' +
    '&searchCriteria[filterGroups][0][filters][0][conditionType]=gteq' +
    '&searchCriteria[filterGroups][1][filters][0][field]=state' +
    '&searchCriteria[filterGroups][1][filters][0][value]=processing' +
    '&searchCriteria[filterGroups][1][filters][1][field]=state' +
    '&searchCriteria[filterGroups][1][filters][1][value]=new' +
    '&searchCriteria[pageSize]=50&searchCriteria[currentPage]=2';

const searchAnswer = (o) => ({
    items: [o],
    search_criteria: { filter_groups: [{ filters: [{ field: 'updated_at',
        value: '2024-01-01 00:00:00', condition_type: 'gteq' }] }], page_size: 50, current_page: 1 },
    total_count: 1,
});

const rec = (method, path, query, request, status, response) =>
    ({ method, path, query, request, status, response });

// the verdict must be: no error (want = []), or exactly the errors matching each of `want`
function expectErrors(spec, record, want, { operation, allowed } = {}) {
    const used = new Set();
    const r = checkRecord(spec, record, used);
    if (operation !== undefined)
        assert(r.operation === operation, `operation ${r.operation}, wanted ${operation}`);
    assert(r.errors.length === want.length,
        `wanted ${want.length} error(s), got ${r.errors.length}:\n${r.errors.join('\n')}`);
    want.forEach((w, i) => assert(w.test(r.errors[i]), `error ${i}: "${r.errors[i]}" does not match ${w}`));
    if (allowed !== undefined)
        assert(JSON.stringify([...used].sort()) === JSON.stringify(allowed.sort()),
            `deviations used: ${[...used].join(', ') || 'none'}, wanted ${allowed.join(', ')}`);
    return r;
}

export async function run(env) {
    let spec;
    await check('validator/the description loads (OpenAPI 3, Magento 2.4.7)', async () => {
        spec = new Spec(JSON.parse(readFileSync(env.schemaFile, 'utf8')));
        assert(spec.flavour === 'openapi3', `flavour ${spec.flavour}`);
        assert(spec.version === '2.4.7', `version ${spec.version}`);
        assert(spec.basePath === '/rest/default', `basePath ${spec.basePath}`);
    });
    if (!spec)
        return;

    // M3 M4 O1: the order the download reads, as Magento writes it
    await check('validator/an order as Magento answers it passes (snake_case search)', async () => {
        expectErrors(spec, rec('GET', '/rest/V1/orders', SEARCH_SNAKE, null, 200, searchAnswer(order())),
            [], { operation: 'GET /V1/orders',
                allowed: ['payment.cc_last4-null', 'payment.account_status-null'] });
    });
    await check('validator/the camelCase search with two groups passes', async () => {
        expectErrors(spec, rec('GET', '/rest/V1/orders', SEARCH_CAMEL, null, 200, searchAnswer(order())),
            [], { operation: 'GET /V1/orders' });
    });
    await check('validator/a field the fake invents fails', async () => {
        const o = order();
        o.items[0].sb_parent_sku = 'TEE';
        expectErrors(spec, rec('GET', '/rest/V1/orders/42', '', null, 200, o),
            [/response 200: \/items\/0 must NOT have additional properties: sb_parent_sku \[sales-data-order-item-interface\]/]);
    });
    await check('validator/an invented extension attribute fails', async () => {
        const o = order();
        o.extension_attributes.pickup = true;
        expectErrors(spec, rec('GET', '/rest/V1/orders/42', '', null, 200, o),
            [/additional properties: pickup \[sales-data-order-extension-interface\]/]);
    });
    await check('validator/a wrong type fails (entity_id as a string)', async () => {
        const o = order();
        o.entity_id = '42';
        expectErrors(spec, rec('GET', '/rest/V1/orders/42', '', null, 200, o),
            [/\/entity_id must be integer \[sales-data-order-interface\/properties\/entity_id\]/]);
    });
    await check('validator/a flag as true instead of 1 fails (customer_is_guest)', async () => {
        const o = order();
        o.customer_is_guest = true;
        expectErrors(spec, rec('GET', '/rest/V1/orders/42', '', null, 200, o),
            [/\/customer_is_guest must be integer/]);
    });
    await check('validator/a required field left out fails (customer_email)', async () => {
        const o = order();
        delete o.customer_email;
        expectErrors(spec, rec('GET', '/rest/V1/orders/42', '', null, 200, o),
            [/must have required property 'customer_email' \[sales-data-order-interface\]/]);
    });
    await check('validator/null where no deviation allows it fails (payment.method)', async () => {
        const o = order();
        o.payment.method = null;
        expectErrors(spec, rec('GET', '/rest/V1/orders/42', '', null, 200, o),
            [/\/payment\/method must be string/]);
    });
    await check('validator/a deviation covers only its value (cc_last4 as a number fails)', async () => {
        const o = order();
        o.payment.cc_last4 = 1234;
        expectErrors(spec, rec('GET', '/rest/V1/orders/42', '', null, 200, o),
            [/\/payment\/cc_last4 must be string/]);
    });
    await check('validator/an undeclared query parameter fails', async () => {
        expectErrors(spec, rec('GET', '/rest/V1/orders', 'searchCriteria%5Bpage_size%5D=50&limit=5',
            null, 200, searchAnswer(order())),
            [/query parameter searchCriteria\[page_size\] is not declared/, /query parameter limit is not declared/]);
    });
    await check('validator/a non-integer pageSize and an unknown condition type fail', async () => {
        expectErrors(spec, rec('GET', '/rest/V1/orders',
            'searchCriteria[pageSize]=fifty&searchCriteria[filter_groups][0][filters][0][field]=updated_at' +
            '&searchCriteria[filter_groups][0][filters][0][value]=x' +
            '&searchCriteria[filter_groups][0][filters][0][condition_type]=greater', null, 200,
            searchAnswer(order())),
            [/pageSize\]: "fifty" is not an integer/, /condition type "greater"/]);
    });
    await check('validator/an unknown route is no operation', async () => {
        const r = checkRecord(spec, rec('GET', '/rest/V1/orderz', '', null, 404, { message: 'x' }));
        assert(r.operation === null && /no operation of the spec matches \/V1\/orderz/.test(r.errors[0]),
            JSON.stringify(r));
        const m = checkRecord(spec, rec('DELETE', '/rest/V1/orders/42', '', null, 404, { message: 'x' }));
        assert(m.operation === null && /DELETE is not an operation of/.test(m.errors[0]), JSON.stringify(m));
    });
    await check('validator/a store code in the path, and a literal segment before {id}', async () => {
        expectErrors(spec, rec('GET', '/rest/default/V1/orders/items', '', null, 200,
            { items: [], search_criteria: { filter_groups: [] }, total_count: 0 }),
            [], { operation: 'GET /V1/orders/items' });
        expectErrors(spec, rec('GET', '/rest/all/V1/orders/42', '', null, 200, order()),
            [], { operation: 'GET /V1/orders/{id}' });
    });
    await check('validator/a non-integer order id in the path fails', async () => {
        expectErrors(spec, rec('GET', '/rest/V1/orders/WEB-42', '', null, 404,
            { message: 'The entity that was requested doesn\'t exist. Verify the entity and try again.' }),
            [/path parameter id: "WEB-42" is not an integer/]);
    });
    // M3: the invoice the engine creates
    await check('validator/invoice: request and the bare id answer', async () => {
        expectErrors(spec, rec('POST', '/rest/V1/order/42/invoice', '',
            { capture: true, notify: false, items: [{ order_item_id: 101, qty: 2 }] }, 200, 7),
            [], { operation: 'POST /V1/order/{orderId}/invoice' });
        expectErrors(spec, rec('POST', '/rest/V1/order/42/invoice', '', { capture: true, offline: 1 },
            200, '7'), [/request: \(top\) must NOT have additional properties: offline/,
            /response 200: \(top\) must be integer/]);
    });
    await check('validator/an invoice refusal: Magento\'s error shape, and an invented field in it', async () => {
        const refusal = { message: 'Invoice Document Validation Error(s):\nThe order does not allow ' +
            'an invoice to be created.' };
        expectErrors(spec, rec('POST', '/rest/V1/order/42/invoice', '', { capture: true }, 400, refusal), []);
        expectErrors(spec, rec('POST', '/rest/V1/order/42/invoice', '', { capture: true }, 400,
            { ...refusal, code: 400, error: 'x' }),
            [/response 400: \(top\) must NOT have additional properties: error \[error-response\]/]);
        const denied = { message: 'The consumer isn\'t authorized to access %resources.',
            parameters: { resources: 'Magento_Sales::actions_view' } };
        expectErrors(spec, rec('GET', '/rest/V1/orders', '', null, 401, denied), [],
            { allowed: ['error.parameters-named'] });
        expectErrors(spec, rec('GET', '/rest/V1/orders', '', null, 401,
            { ...denied, parameters: { resources: ['Magento_Sales::actions_view'] } }),
            [/response 401: \/parameters must be array \[error-parameters\]/]);
    });
    // S1: the cancel route answers a bare boolean and takes no body
    await check('validator/cancel: a bare boolean, and no body', async () => {
        expectErrors(spec, rec('POST', '/rest/V1/orders/42/cancel', '', null, 200, false), []);
        expectErrors(spec, rec('POST', '/rest/V1/orders/42/cancel', '', {}, 200, 'false'),
            [/request: POST \/V1\/orders\/\{id\}\/cancel takes no body/, /response 200: \(top\) must be boolean/]);
    });
    // I (stock): the source items push is a void method
    await check('validator/source-items: sourceItems in, [] out', async () => {
        const body = { sourceItems: [{ sku: 'TEE-BLK-M', source_code: 'default', quantity: 4, status: 1 }] };
        expectErrors(spec, rec('POST', '/rest/V1/inventory/source-items', '', body, 200, []), []);
        expectErrors(spec, rec('POST', '/rest/V1/inventory/source-items', '', body, 200, { saved: 1 }),
            [/is void \(no 2xx declared\)/]);
        expectErrors(spec, rec('POST', '/rest/V1/inventory/source-items', '',
            { sourceItems: [{ sku: 'TEE-BLK-M', source_code: 'default', quantity: '4', status: 1 }] }, 200, []),
            [/request: \/sourceItems\/0\/quantity must be number/]);
    });
    // P (prices): store_id is required in a base price
    await check('validator/base-prices: a price without store_id fails', async () => {
        expectErrors(spec, rec('POST', '/rest/V1/products/base-prices', '',
            { prices: [{ sku: 'TEE-BLK-M', price: 25, store_id: 0 }] }, 200, []), []);
        expectErrors(spec, rec('POST', '/rest/V1/products/base-prices', '',
            { prices: [{ sku: 'TEE-BLK-M', price: 25 }] }, 200, []),
            [/request: \/prices\/0 must have required property 'store_id'/]);
    });

    await check('validator/a Swagger 2.0 description is read too (body parameter, definitions)', async () => {
        const s2 = new Spec({
            swagger: '2.0', basePath: '/rest/default', info: { version: 'mini' },
            definitions: {
                'thing': { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
                'error-response': { type: 'object', properties: { message: { type: 'string' } },
                    required: ['message'] },
            },
            paths: { '/V1/things/{id}': { put: {
                parameters: [{ name: 'id', in: 'path', type: 'integer', required: true },
                    { name: 'body', in: 'body', schema: { type: 'object',
                        properties: { thing: { $ref: '#/definitions/thing' } } } }],
                responses: { 200: { schema: { $ref: '#/definitions/thing' } },
                    default: { schema: { $ref: '#/definitions/error-response' } } },
            } } },
        });
        assert(s2.flavour === 'swagger2', s2.flavour);
        expectErrors(s2, rec('PUT', '/rest/V1/things/3', '', { thing: { id: 3 } }, 200, { id: 3 }), []);
        expectErrors(s2, rec('PUT', '/rest/V1/things/3', '', { thing: { id: 3, x: 1 } }, 500, { msg: 'x' }),
            [/request: \/thing must NOT have additional properties: x \[thing\]/,
             /response 500: \(top\) must have required property 'message'/,
             /response 500: \(top\) must NOT have additional properties: msg/]);
    });
}
