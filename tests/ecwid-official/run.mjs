// The checks of the fakestore's Ecwid mode against what no one on this project wrote (issue 13
// item 11), run by scripts/test-ecwid-official, which passes SB_FAKESTORE (the fakestore
// binary). Groups:
//   schema    the DTO schemas (schemas.mjs) on hand-made values whose verdict is known, so
//             the other groups can fail
//   sdk       @ecwid/sdk: its declared types as JSON Schema; its cart converter run on the
//             fakestore's order items (sdk.mjs says why that is all it covers)
//   rest      every REST v3 call the engine makes, against the fakestore, each answer
//             validated against the Java client's DTO (OrdersSearchResult, FetchedOrder,
//             OrderUpdateResult, ProductsSearchResult, FetchedProduct, FetchedVariation,
//             ProductUpdateResult, ProductInventoryUpdateResult, FetchedStoreProfile; errors
//             EcwidApiError) and its values checked (string ids, numbers for money, the stock
//             moved, 403/404/400/429 with Retry-After)
//   webhooks  the fakestore's webhook POSTs, received here: the body against the Java
//             client's Webhook DTO (data's values strings), the URL's ?eventtype=, and the
//             X-Ecwid-Webhook-Signature as the Java client's WebhooksUtils.isSignatureValid
//             computes it
//   e2e-logs  the traffic logs the e2e suites left in SB_EC_TRAFFIC_DIR (tests/harness.c): every
//             request the engine made is one of the REST v3 calls it may make, with the query
//             parameters and body types of the Java client (traffic.mjs), and every answer
//             (of every log) the DTO the rest group checks; first, hand-made requests the
//             engine might invent are shown to fail. With SB_EC_TRAFFIC_DIR unset the logs
//             are not checked (said so); set, a directory with no log of the engine fails.
// `node run.mjs rest` runs one group.
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, assert, validate, schemaErrors, summary } from './lib.mjs';
import { startFakestore, STORE } from './fake.mjs';
import { sdkSchema, sdkCart, sdkValidator } from './sdk.mjs';
import { checkRequest, checkAnswer, readLog, firstFew } from './traffic.mjs';

const groups = ['schema', 'sdk', 'rest', 'webhooks', 'e2e-logs'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : groups;
const bad = wanted.filter((g) => !groups.includes(g));
if (bad.length) {
    console.error(`run.mjs: unknown group ${bad.join(', ')} (groups: ${groups.join(' ')})`);
    process.exit(2);
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

async function schemaGroup() {
    const order = { id: 'OC-ABCDE', internalId: 1, total: 1.5, items: [{ productId: 5, sku: 'A', price: 1, quantity: 1 }],
        createDate: '2024-09-04 07:22:09 +0000', paymentStatus: 'PAID', fulfillmentStatus: 'SHIPPED' };
    await check('schema/a well-formed order passes', () => validate('FetchedOrder', order, 'order'));
    const refuse = async (name, dto, value) => check(name, () =>
        assert(schemaErrors(dto, value).length > 0, 'the schema accepted it'));
    await refuse('schema/an invented order field fails', 'FetchedOrder', { ...order, orderTotal: 1 });
    await refuse('schema/money as a string fails', 'FetchedOrder', { ...order, total: '1.50' });
    await refuse('schema/a numeric order id fails', 'FetchedOrder', { ...order, id: 5 });
    await refuse('schema/an unknown payment status fails', 'FetchedOrder', { ...order, paymentStatus: 'PAYED' });
    await refuse('schema/an ISO date fails', 'FetchedOrder', { ...order, createDate: '2024-09-04T07:22:09Z' });
    await refuse('schema/a productId beyond Int fails', 'FetchedOrder',
        { ...order, items: [{ productId: 2 ** 31, sku: 'A' }] });
    await refuse('schema/an invented item field fails', 'FetchedOrder', { ...order, items: [{ variantId: 1 }] });
    await refuse('schema/a profile without generalInfo.storeId fails', 'FetchedStoreProfile', { generalInfo: {} });
    await refuse('schema/a profile whose generalInfo is a number fails', 'FetchedStoreProfile', { generalInfo: 0 });
    await refuse('schema/a combination with a productId fails', 'FetchedVariation', { id: 1, productId: 2 });
    await refuse('schema/a webhook with a numeric data value fails', 'Webhook',
        { eventId: 'e', eventCreated: 1, storeId: 1, entityId: 1, eventType: 'order.created', data: { orderId: 5 } });
}

async function sdkGroup(fake) {
    let schema;
    await check('sdk/its TypeScript declarations become JSON Schema (Cart, CartItem, Product)', () => {
        schema = sdkSchema();
        for (const t of ['Cart', 'CartItem', 'Product'])
            assert(schema.definitions[t], `no ${t} in ${Object.keys(schema.definitions)}`);
    });
    if (!schema)
        return;
    const isCart = sdkValidator(schema, 'Cart');
    await check('sdk/its cart converter accepts the fakestore order items, as its types say', async () => {
        const placed = await fake.control('POST', 'orders', { paymentStatus: 'PAID',
            items: [{ sku: 'TEE-1', quantity: 2 }, { sku: 'MUG-1', quantity: 1 }] });
        const cart = await sdkCart(STORE.storeId, placed.items);
        assert(isCart(cart), `not the SDK's Cart: ${JSON.stringify(isCart.errors)}`);
        assert(cart.productsQuantity === 3, `productsQuantity ${cart.productsQuantity}, want 3`);
        placed.items.forEach((it, i) => {
            const p = cart.items[i].product;
            assert(p.id === it.productId && p.sku === it.sku && p.price === it.price,
                   `item ${i}: ${JSON.stringify(p)} from ${JSON.stringify(it)}`);
        });
    });
    await check('sdk/the Cart check fails on a string price (so it can fail)', async () => {
        const cart = await sdkCart(STORE.storeId, [{ productId: 1, sku: 'A', name: 'A', price: '1.00', quantity: 1 }]);
        assert(!isCart(cart), 'a string price passed');
    });
}

async function restGroup(fake) {
    const ok = (r, what) => {
        assert(r.status === 200, `${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
        return r.json;
    };
    let product, order;
    const since = Math.floor(Date.now() / 1000) - 1;
    await check('rest/products with combinations and unlimited stock are set up (control API)', async () => {
        product = await fake.control('POST', 'products', { sku: 'HOODIE', name: 'Hoodie', price: 39.5, quantity: 7,
            combinations: [{ sku: 'HOODIE-S', quantity: 3 }, { sku: 'HOODIE-M', quantity: 4 }] });
        await fake.control('POST', 'products', { sku: 'EBOOK', price: 5, unlimited: true });
        order = await fake.control('POST', 'orders', { paymentStatus: 'PAID', shipping: 4.99,
            items: [{ sku: 'HOODIE-S', quantity: 1 }, { sku: 'TEE-1', quantity: 2 }],
            billingPerson: { name: 'Ada Lovelace', firstName: 'Ada', lastName: 'Lovelace', city: 'London', countryCode: 'GB' } });
        await fake.control('POST', 'orders', { paymentStatus: 'AWAITING_PAYMENT', isPickup: true,
            fulfillmentType: 'PICKUP', items: [{ sku: 'EBOOK', quantity: 1 }] });
    });
    await check('rest/GET /orders?updatedFrom&offset&limit is an OrdersSearchResult of FetchedOrders', async () => {
        const page = ok(await fake.api('GET', `/orders?updatedFrom=${since}&offset=0&limit=1`), 'search');
        validate('OrdersSearchResult', page, 'GET /orders');
        assert(page.count === 1 && page.limit === 1 && page.offset === 0 && page.total >= 2, JSON.stringify({ ...page, items: '...' }));
        const next = ok(await fake.api('GET', `/orders?updatedFrom=${since}&offset=1&limit=1`), 'page 2');
        validate('OrdersSearchResult', next, 'GET /orders page 2');
        assert(next.items[0].id !== page.items[0].id, 'offset 1 answered the same order');
        const none = ok(await fake.api('GET', `/orders?updatedFrom=${since + 86400}`), 'future');
        assert(none.total === 0 && none.items.length === 0, `updatedFrom in the future: ${none.total}`);
    });
    await check('rest/GET /orders/{id} is a FetchedOrder: string id, numbers for money, Int ids', async () => {
        const o = ok(await fake.api('GET', `/orders/${encodeURIComponent(order.id)}`), 'get');
        validate('FetchedOrder', o, 'GET /orders/{id}');
        assert(typeof o.id === 'string' && o.id.startsWith(STORE.prefix), `id ${o.id}`);
        assert(Number.isInteger(o.internalId), `internalId ${o.internalId}`);
        for (const k of ['total', 'subtotal', 'tax', 'discount', 'couponDiscount'])
            assert(isNum(o[k]), `${k} ${JSON.stringify(o[k])}`);
        assert(Math.abs(o.shippingOption.shippingRate - 4.99) < 1e-9, `shippingRate ${o.shippingOption.shippingRate}`);
        const comb = product.combinations.find((c) => c.sku === 'HOODIE-S');
        assert(o.items[0].productId === product.id && o.items[0].combinationId === comb.id,
               `item 0 ids ${o.items[0].productId}/${o.items[0].combinationId}`);
        const byInternal = ok(await fake.api('GET', `/orders/${o.internalId}`), 'by internalId');
        assert(byInternal.id === o.id, 'the internal id found another order');
    });
    await check('rest/PUT /orders/{id} paymentStatus, fulfillmentStatus, trackingNumber is an OrderUpdateResult', async () => {
        const r = ok(await fake.api('PUT', `/orders/${order.id}`,
            { fulfillmentStatus: 'SHIPPED', trackingNumber: '1Z999', paymentStatus: 'PAID' }), 'update');
        validate('OrderUpdateResult', r, 'PUT /orders/{id}');
        assert(r.updateCount === 1, `updateCount ${r.updateCount}`);
        const o = ok(await fake.api('GET', `/orders/${order.id}`), 'get after');
        assert(o.fulfillmentStatus === 'SHIPPED' && o.trackingNumber === '1Z999', JSON.stringify(o).slice(0, 300));
    });
    let hoodie;
    await check('rest/GET /products?sku is a ProductsSearchResult of FetchedProducts with FetchedVariations', async () => {
        const page = ok(await fake.api('GET', '/products?sku=HOODIE'), 'search');
        validate('ProductsSearchResult', page, 'GET /products?sku');
        assert(page.total === 1 && page.items[0].id === product.id, `total ${page.total}`);
        hoodie = page.items[0];
        assert(hoodie.quantity === 7 && hoodie.combinations.length === 2, JSON.stringify(hoodie).slice(0, 300));
        const ebook = ok(await fake.api('GET', '/products?sku=EBOOK'), 'unlimited');
        validate('ProductsSearchResult', ebook, 'GET /products?sku (unlimited)');
        assert(ebook.items[0].unlimited === true && !('quantity' in ebook.items[0]), 'unlimited stock has a quantity');
    });
    await check('rest/GET /products/{id} is a FetchedProduct', async () => {
        const p = ok(await fake.api('GET', `/products/${product.id}`), 'get');
        validate('FetchedProduct', p, 'GET /products/{id}');
        assert(isNum(p.price) && p.price === 39.5, `price ${p.price}`);
    });
    await check('rest/PUT /products/{id} {quantity} is a ProductUpdateResult and sets the stock', async () => {
        const r = ok(await fake.api('PUT', `/products/${product.id}`, { quantity: 11 }), 'put');
        validate('ProductUpdateResult', r, 'PUT /products/{id}');
        const p = ok(await fake.api('GET', `/products/${product.id}`), 'get');
        assert(p.quantity === 11, `quantity ${p.quantity}`);
    });
    await check('rest/PUT /products/{id}/combinations/{cid} {quantity} is a ProductUpdateResult and sets it', async () => {
        const c = product.combinations.find((x) => x.sku === 'HOODIE-M');
        const r = ok(await fake.api('PUT', `/products/${product.id}/combinations/${c.id}`, { quantity: 9 }), 'put');
        validate('ProductUpdateResult', r, 'PUT combination');
        const got = ok(await fake.api('GET', `/products/${product.id}/combinations/${c.id}`), 'get');
        validate('FetchedVariation', got, 'GET combination');
        assert(got.quantity === 9, `quantity ${got.quantity}`);
    });
    await check('rest/PUT /products/{id}/inventory {quantityDelta} is a ProductInventoryUpdateResult', async () => {
        const r = ok(await fake.api('PUT', `/products/${product.id}/inventory`, { quantityDelta: -2 }), 'delta');
        validate('ProductInventoryUpdateResult', r, 'PUT inventory');
        const p = ok(await fake.api('GET', `/products/${product.id}`), 'get');
        assert(p.quantity === 9, `quantity ${p.quantity}, want 11 - 2`);
    });
    await check('rest/GET /profile is a FetchedStoreProfile with generalInfo.storeId and the currency', async () => {
        const p = ok(await fake.api('GET', '/profile'), 'profile');
        validate('FetchedStoreProfile', p, 'GET /profile');
        assert(p.generalInfo.storeId === STORE.storeId, `storeId ${JSON.stringify(p.generalInfo)}`);
        assert(p.formatsAndUnits.currency === 'USD', `currency ${JSON.stringify(p.formatsAndUnits)}`);
    });
    await check('rest/a bad token answers 403 INVALID_API_TOKEN, an EcwidApiError', async () => {
        const res = await fetch(`${fake.url}/api/v3/${STORE.storeId}/orders`, { headers: { Authorization: 'Bearer secret_wrong' } });
        const j = await res.json();
        validate('EcwidApiError', j, '403');
        assert(res.status === 403 && j.errorCode === 'INVALID_API_TOKEN', `${res.status} ${JSON.stringify(j)}`);
    });
    await check('rest/an unknown order answers 404, a bad status 400, each an EcwidApiError', async () => {
        const nf = await fake.api('GET', '/orders/NOSUCH');
        validate('EcwidApiError', nf.json, '404');
        assert(nf.status === 404 && nf.json.errorCode === 'ORDER_NOT_FOUND', `${nf.status} ${JSON.stringify(nf.json)}`);
        const bad = await fake.api('PUT', `/orders/${order.id}`, { fulfillmentStatus: 'PACKED' });
        validate('EcwidApiError', bad.json, '400');
        assert(bad.status === 400, `${bad.status} ${JSON.stringify(bad.json)}`);
    });
    await check('rest/a 429 storm answers 429 with Retry-After, an EcwidApiError, then recovers', async () => {
        await fake.control('POST', 'config', { fault: { status: 429, count: 2, retry_after: 7 } });
        for (let i = 0; i < 2; i++) {
            const r = await fake.api('GET', '/orders');
            validate('EcwidApiError', r.json, '429');
            assert(r.status === 429 && r.headers.get('retry-after') === '7', `${r.status} Retry-After ${r.headers.get('retry-after')}`);
        }
        ok(await fake.api('GET', '/orders'), 'after the storm');
    });
}

// The Java client's WebhooksUtils.isSignatureValid, in JS: base64 HMAC-SHA256 of
// "{eventCreated}.{eventId}" keyed with the app's client secret.
const javaSignature = (secret, w) => createHmac('sha256', secret).update(`${w.eventCreated}.${w.eventId}`).digest('base64');

async function webhooksGroup(fake) {
    const got = [];
    const server = createServer((req, res) => {
        let body = '';
        req.on('data', (d) => { body += d; });
        req.on('end', () => {
            got.push({ url: req.url, signature: req.headers['x-ecwid-webhook-signature'], body });
            res.writeHead(200).end();
        });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${server.address().port}/hooks/ecwid`;
    try {
        await fake.control('POST', 'config', { webhook_url: hookUrl });
        const o = await fake.control('POST', 'orders', { paymentStatus: 'AWAITING_PAYMENT', items: [{ sku: 'TEE-1', quantity: 1 }] });
        await fake.api('PUT', `/orders/${o.id}`, { paymentStatus: 'CANCELLED' });
        await fake.control('DELETE', `orders/${o.id}`);
        await fake.control('GET', 'deliveries');
        const types = got.map((g) => JSON.parse(g.body).eventType);
        await check('webhooks/order.created, product.updated, order.updated and order.deleted arrive', () =>
            assert(['order.created', 'order.updated', 'product.updated', 'order.deleted'].every((t) => types.includes(t)),
                   `got ${types.join(', ')}`));
        await check('webhooks/every body is the Java client\'s Webhook (data values strings)', () => {
            for (const g of got)
                validate('Webhook', JSON.parse(g.body), `webhook ${g.body.slice(0, 120)}`);
        });
        await check('webhooks/every URL is the registered one with ?eventtype=<type>', () => {
            for (const g of got) {
                const w = JSON.parse(g.body);
                assert(g.url === `/hooks/ecwid?eventtype=${w.eventType}`, `url ${g.url} for ${w.eventType}`);
            }
        });
        await check('webhooks/every signature is valid by WebhooksUtils.isSignatureValid', () => {
            for (const g of got) {
                const w = JSON.parse(g.body);
                assert(g.signature === javaSignature(STORE.clientSecret, w), `signature ${g.signature} for ${w.eventId}`);
                assert(g.signature !== javaSignature(STORE.token, w), 'signed with the API token');
            }
        });
        await check('webhooks/storeId and order data name this store and order', () => {
            for (const g of got) {
                const w = JSON.parse(g.body);
                assert(w.storeId === STORE.storeId, `storeId ${w.storeId}`);
                if (w.eventType.startsWith('order.'))
                    assert(w.data.orderId === o.id && w.entityId === o.internalId, `data ${JSON.stringify(w.data)}`);
            }
        });
    } finally {
        await fake.control('POST', 'config', { webhook_url: null }).catch(() => {});
        server.close();
    }
}

// A request record as the engine would log it; the check of each invented one must fail.
const rec = (method, path, query = '', request = null, auth = 'bearer') =>
    ({ method, path: `/api/v3/${STORE.storeId}${path}`, query, auth, request, status: 200, response: null });

async function e2eLogsGroup(dir) {
    const refuse = (name, r, why) => check(`e2e-logs/an invented request fails: ${name}`, () => {
        const got = checkRequest(r);
        assert(got.errors.some((e) => e.includes(why)),
               `errors ${JSON.stringify(got.errors)} do not say "${why}"`);
    });
    await check('e2e-logs/every call the engine may make passes, as the engine sends it', () => {
        const ok = [rec('GET', '/orders', 'updatedFrom=1733270400&offset=100&limit=100'),
            rec('GET', '/orders/SHOP-K8XTQ'), rec('GET', '/orders/1234'),
            rec('PUT', '/orders/SHOP-K8XTQ', '', { fulfillmentStatus: 'SHIPPED', trackingNumber: '1Z9' }),
            rec('PUT', '/orders/SHOP-K8XTQ', '', { paymentStatus: 'CANCELLED', fulfillmentStatus: 'WILL_NOT_DELIVER' }),
            rec('GET', '/products', 'sku=TEE%20S'), rec('GET', '/products', 'offset=0&limit=100'),
            rec('PUT', '/products/77', '', { quantity: 0 }), rec('PUT', '/products/77/combinations/5', '', { quantity: 12 }),
            rec('PUT', '/products/77', '', { price: 19.99, compareToPrice: 0 }),
            rec('PUT', '/products/77/combinations/5', '', { price: 15.99, compareToPrice: 20 }),
            rec('GET', '/profile')];
        for (const r of ok) {
            const got = checkRequest(r);
            assert(got.route && got.errors.length === 0, `${r.method} ${r.path}?${r.query}: ${got.errors.join('; ')}`);
        }
    });
    await refuse('a route the engine does not call', rec('GET', '/products/77'), 'not a call the engine may make');
    await refuse('a relative stock change', rec('PUT', '/products/77/inventory', '', { quantityDelta: -1 }), 'not a call the engine may make');
    await refuse('a DELETE', rec('DELETE', '/orders/SHOP-K8XTQ'), 'not a call the engine may make');
    await refuse('a page over 100', rec('GET', '/orders', 'updatedFrom=1&offset=0&limit=250'), 'limit="250"');
    await refuse('updatedFrom as a date', rec('GET', '/orders', 'updatedFrom=2024-09-04'), 'Unix seconds');
    await refuse('a search parameter the engine does not send', rec('GET', '/orders', 'paymentStatus=PAID'), 'query parameter paymentStatus');
    await refuse('the token in the query', rec('GET', '/profile', 'token=secret_x', null, 'query'), '?token=');
    await refuse('no Authorization: Bearer', rec('GET', '/profile', '', null, 'none'), 'not Authorization: Bearer');
    await refuse('a body on a GET', rec('GET', '/orders/SHOP-K8XTQ', '', {}), 'takes no body');
    await refuse('a status Ecwid does not have', rec('PUT', '/orders/SHOP-K8XTQ', '', { fulfillmentStatus: 'PACKED' }), 'not a UpdatedOrder');
    await refuse('an invented order field', rec('PUT', '/orders/SHOP-K8XTQ', '', { paymentStatus: 'PAID', note: 'x' }), 'not a UpdatedOrder');
    await refuse('an empty status write', rec('PUT', '/orders/SHOP-K8XTQ', '', {}), 'not a UpdatedOrder');
    await refuse('a tracking number as a number', rec('PUT', '/orders/SHOP-K8XTQ', '', { trackingNumber: 123 }), 'not a UpdatedOrder');
    await refuse('a negative quantity', rec('PUT', '/products/77', '', { quantity: -1 }), 'not a UpdatedProduct');
    await refuse('a fractional quantity', rec('PUT', '/products/77/combinations/5', '', { quantity: 1.5 }), 'not a UpdatedVariation');
    await refuse('unlimited set with the quantity', rec('PUT', '/products/77', '', { quantity: 1, unlimited: false }), 'not a UpdatedProduct');
    await refuse('an empty body', rec('PUT', '/products/77', '', {}), 'not a UpdatedProduct');
    await refuse('a price as a string', rec('PUT', '/products/77', '', { price: '19.99' }), 'not a UpdatedProduct');
    await refuse('a negative price', rec('PUT', '/products/77/combinations/5', '', { price: 5, compareToPrice: -1 }), 'not a UpdatedVariation');
    await refuse('no body on a PUT', rec('PUT', '/products/77'), 'no JSON body');
    await refuse('an order id with a slash', rec('PUT', '/orders/A%2FB', '', { paymentStatus: 'PAID' }), 'not a call the engine may make');
    await check('e2e-logs/an answer not its route\'s DTO fails', () => {
        const bad = { ...rec('GET', '/orders/SHOP-K8XTQ'), response: { id: 5 } };
        assert(checkAnswer(bad).length === 1, 'a numeric order id passed');
        const err = { ...rec('GET', '/profile'), status: 403, response: { errorCode: 'X', message: 'm' } };
        assert(checkAnswer(err).length === 1, 'an error answer with an invented field passed');
    });

    if (!dir) {
        console.log('      (SB_EC_TRAFFIC_DIR is not set: no e2e traffic logs to check)');
        return;
    }
    let files = [];
    await check('e2e-logs/the directory holds traffic logs, some of them the engine\'s', () => {
        assert(existsSync(dir), `${dir} does not exist`);
        files = readdirSync(dir).filter((f) => /^ec-.*\.jsonl$/.test(f)).sort();
        assert(files.length > 0, `no ec-*.jsonl in ${dir}: the e2e suites logged no Ecwid traffic`);
        assert(files.some((f) => f.startsWith('ec-engine-')),
               `no ec-engine-*.jsonl in ${dir}: no log carries the engine's requests`);
    });
    const totals = { files: 0, engine: 0, requests: 0, answers: 0, authorised: 0 };
    const routes = new Map();
    for (const f of files) {
        const engine = f.startsWith('ec-engine-');
        let log;
        await check(`e2e-logs/${f}: every line a JSON record of the log's contract`, () => {
            log = readLog(join(dir, f));
            assert(log.broken.length === 0, firstFew(log.broken));
        });
        if (!log)
            continue;
        totals.files++;
        if (engine) {
            totals.engine++;
            const bad = [];
            let authorised = 0;
            for (const { line, record } of log.records) {
                const r = checkRequest(record);
                totals.requests++;
                if (r.route)
                    routes.set(r.route, (routes.get(r.route) || 0) + 1);
                for (const e of r.errors)
                    bad.push(`line ${line}: ${record.method} ${record.path}${record.query ? `?${record.query}` : ''}: ${e}`);
                if (record.status >= 200 && record.status < 300)
                    authorised++;
            }
            totals.authorised += authorised;
            await check(`e2e-logs/${f}: every request one the engine may make (route, query, body, no ?token=)`, () => {
                assert(bad.length === 0, `${bad.length} of ${log.records.length} requests invalid:\n${firstFew(bad)}`);
            });
        }
        const wrong = [];
        for (const { line, record } of log.records) {
            totals.answers++;
            for (const e of checkAnswer(record))
                wrong.push(`line ${line}: ${record.method} ${record.path}: ${e}`);
        }
        await check(`e2e-logs/${f}: every answer its route's DTO (EcwidApiError for errors)`, () =>
            assert(wrong.length === 0, `${wrong.length} of ${log.records.length} answers invalid:\n${firstFew(wrong)}`));
    }
    if (files.length)
        await check('e2e-logs/the engine\'s requests carry the bearer: the store let them through', () => {
            // the log has no headers: a 2xx answer to a request with no ?token= (refused above)
            // was authorised by Authorization: Bearer; the others were refused (a test's wrong
            // token: 403), limited (429) or faulted before the token was looked at
            assert(totals.requests > 0, 'no request of the engine in any log');
            assert(totals.authorised > 0, `none of ${totals.requests} requests of the engine was let through`);
        });
    console.log(`      ${totals.files} logs (${totals.engine} of the engine): ${totals.requests} requests ` +
                `of the engine checked (${totals.authorised} let through by the bearer), ${totals.answers} answers`);
    for (const [r, n] of [...routes].sort())
        console.log(`      ${String(n).padStart(6)}  ${r}`);
}

const fake = wanted.some((g) => g !== 'schema' && g !== 'e2e-logs') ? await startFakestore(process.env.SB_FAKESTORE) : null;
try {
    if (wanted.includes('schema'))
        await schemaGroup();
    if (wanted.includes('sdk'))
        await sdkGroup(fake);
    if (wanted.includes('rest'))
        await restGroup(fake);
    if (wanted.includes('webhooks'))
        await webhooksGroup(fake);
    if (wanted.includes('e2e-logs'))
        await e2eLogsGroup(process.env.SB_EC_TRAFFIC_DIR || '');
} finally {
    if (fake)
        await fake.stop();
}
process.exit(summary(wanted.length === groups.length));
