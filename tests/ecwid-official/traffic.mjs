// A traffic log of the fakestore's Ecwid mode (one JSON object a line, {method, path, query,
// request, status, response}, written by `stockbridge-fakestore --kind ecwid --traffic-log
// FILE`; fakestore/ecwid/shop.c, docs/fakestore.md) checked record by record.
// checkRequest: a request the ENGINE sent must be one of the REST v3 calls it may make
// (ENGINE_ROUTES: method and path, the query's parameter names and types, no body or a body
// of the Java client's request DTO, closed); anything else, a route or parameter or field
// the engine invents, fails. checkAnswer: every answer is the Java client's DTO for its
// route (or EcwidApiError for an error), as the rest group checks the fakestore's answers.
// The log records how each call authenticated (auth: bearer, query or none; never the token):
// every request of the engine must carry Authorization: Bearer.
import { readFileSync } from 'node:fs';
import { schemaErrors } from './lib.mjs';

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/; // src/channel/ecwid/order.c sb_ec_order_id_ok
const INT32 = 2147483647;
const isId = (s) => /^[1-9][0-9]{0,9}$/.test(s) && Number(s) <= INT32; // a product's Int id

// query parameter types: each a predicate on the (decoded) value, with its description
const UNIX_SECONDS = [(v) => /^(0|[1-9][0-9]{0,11})$/.test(v), 'Unix seconds (a non-negative integer)'];
const OFFSET = [(v) => /^(0|[1-9][0-9]{0,9})$/.test(v) && Number(v) <= INT32, 'a non-negative Int'];
const LIMIT = [(v) => /^[1-9][0-9]{0,2}$/.test(v) && Number(v) <= 100, 'an integer 1..100 (Ecwid pages at most 100)'];
const SKU = [(v) => v.length > 0 && v.length <= 256, 'a SKU (1..256 characters)'];

// The calls the engine may make (src/channel/ecwid: poll.c, update.c, stock.c, profile.c).
// seg: the path's segments after /api/v3/{storeId}, each a literal or a predicate; query:
// the parameters allowed (none required); body: the request DTO, or null for none; answer:
// the DTO of a 200 answer.
export const ENGINE_ROUTES = [
    { name: 'GET /orders', method: 'GET', seg: ['orders'],
      query: { updatedFrom: UNIX_SECONDS, offset: OFFSET, limit: LIMIT }, body: null, answer: 'OrdersSearchResult' },
    { name: 'GET /orders/{id}', method: 'GET', seg: ['orders', (s) => ORDER_ID.test(s)],
      query: {}, body: null, answer: 'FetchedOrder' },
    { name: 'PUT /orders/{id}', method: 'PUT', seg: ['orders', (s) => ORDER_ID.test(s)],
      query: {}, body: 'UpdatedOrder', answer: 'OrderUpdateResult' },
    { name: 'GET /products', method: 'GET', seg: ['products'],
      query: { sku: SKU, offset: OFFSET, limit: LIMIT }, body: null, answer: 'ProductsSearchResult' },
    { name: 'PUT /products/{id}', method: 'PUT', seg: ['products', isId],
      query: {}, body: 'UpdatedProduct', answer: 'ProductUpdateResult' },
    { name: 'PUT /products/{id}/combinations/{cid}', method: 'PUT', seg: ['products', isId, 'combinations', isId],
      query: {}, body: 'UpdatedVariation', answer: 'ProductUpdateResult' },
    { name: 'GET /profile', method: 'GET', seg: ['profile'], query: {}, body: null, answer: 'FetchedStoreProfile' },
];

// Calls the fakestore serves that the engine does not make: only in logs of tests that call
// the store themselves (the harness's "alone" logs), whose answers are checked all the same.
const OTHER_ROUTES = [
    { name: 'GET /products/{id}', method: 'GET', seg: ['products', isId], answer: 'FetchedProduct' },
    { name: 'GET /products/{id}/combinations', method: 'GET', seg: ['products', isId, 'combinations'], answer: 'FetchedVariation[]' },
    { name: 'GET /products/{id}/combinations/{cid}', method: 'GET', seg: ['products', isId, 'combinations', isId], answer: 'FetchedVariation' },
    { name: 'PUT /products/{id}/inventory', method: 'PUT', seg: ['products', isId, 'inventory'], answer: 'ProductInventoryUpdateResult' },
    { name: 'PUT /products/{id}/combinations/{cid}/inventory', method: 'PUT',
      seg: ['products', isId, 'combinations', isId, 'inventory'], answer: 'ProductInventoryUpdateResult' },
];

// path "/api/v3/{storeId}/a/b" -> {storeId, segs: ['a', 'b']} (decoded), or null
function splitPath(path) {
    const m = /^\/api\/v3\/([^/]+)((?:\/[^/]*)*)$/.exec(path);
    if (!m)
        return null;
    try {
        const segs = m[2].split('/').slice(1).map(decodeURIComponent);
        return { storeId: decodeURIComponent(m[1]), segs };
    } catch {
        return null;
    }
}

function matchRoute(routes, method, segs) {
    return routes.find((r) => r.method === method && r.seg.length === segs.length &&
        r.seg.every((p, i) => (typeof p === 'string' ? p === segs[i] : p(segs[i])))) || null;
}

const schemaText = (errs) => errs.slice(0, 6).map((e) => `${e.instancePath || '/'} ${e.message}` +
    (e.params.additionalProperty ? ` (${e.params.additionalProperty})` : '')).join('; ');

// One request of the engine -> {route (its name, or null), errors[]}
export function checkRequest(rec) {
    const errors = [];
    const p = typeof rec.path === 'string' ? splitPath(rec.path) : null;
    if (!p)
        return { route: null, errors: [`${rec.method} ${rec.path}: not a path under /api/v3/{storeId}/`] };
    if (!/^[1-9][0-9]{0,18}$/.test(p.storeId))
        errors.push(`store id ${JSON.stringify(p.storeId)} is not a number`);
    const route = matchRoute(ENGINE_ROUTES, rec.method, p.segs);
    if (!route)
        return { route: null, errors: [...errors, `${rec.method} /${p.segs.join('/')}: not a call the engine may make`] };
    if (rec.auth !== 'bearer')
        errors.push(`authenticated by ${JSON.stringify(rec.auth)}, not Authorization: Bearer`);
    const seen = new Set();
    for (const [k, v] of new URLSearchParams(typeof rec.query === 'string' ? rec.query : '')) {
        if (k === 'token')
            errors.push('the token is in the query (?token=), not in Authorization: Bearer');
        else if (!(k in route.query))
            errors.push(`query parameter ${k}: not one ${route.name} takes (${Object.keys(route.query).join(', ') || 'none'})`);
        else if (!route.query[k][0](v))
            errors.push(`query parameter ${k}=${JSON.stringify(v)}: not ${route.query[k][1]}`);
        if (seen.has(k))
            errors.push(`query parameter ${k} given twice`);
        seen.add(k);
    }
    if (route.body === null) {
        if (rec.request !== null)
            errors.push(`${route.name} takes no body, got ${JSON.stringify(rec.request).slice(0, 120)}`);
    } else {
        const errs = rec.request === null ? null : schemaErrors(route.body, rec.request);
        if (errs === null)
            errors.push(`${route.name}: no JSON body`);
        else if (errs.length)
            errors.push(`body not a ${route.body}: ${schemaText(errs)}`);
    }
    return { route: route.name, errors };
}

// One answer -> errors[]: a 200 is its route's DTO, an error status an EcwidApiError; status 0
// is a connection the fault cut (no answer).
export function checkAnswer(rec) {
    if (rec.status === 0)
        return rec.response === null ? [] : ['a cut connection (status 0) with an answer'];
    const p = typeof rec.path === 'string' ? splitPath(rec.path) : null;
    const route = p && (matchRoute(ENGINE_ROUTES, rec.method, p.segs) || matchRoute(OTHER_ROUTES, rec.method, p.segs));
    const dto = rec.status >= 400 ? 'EcwidApiError' : rec.status === 200 && route ? route.answer : null;
    if (!dto)
        return [`status ${rec.status} to ${rec.method} ${rec.path}: no answer type known for it`];
    if (rec.response === null)
        return [`status ${rec.status}: no JSON answer`];
    let errs;
    if (dto.endsWith('[]')) {
        if (!Array.isArray(rec.response))
            return [`answer not an array of ${dto.slice(0, -2)}`];
        errs = rec.response.flatMap((v) => schemaErrors(dto.slice(0, -2), v));
    } else
        errs = schemaErrors(dto, rec.response);
    return errs.length ? [`answer (${rec.status}) not a ${dto}: ${schemaText(errs)}`] : [];
}

// A log file -> {records[{line, record}], broken[]}
export function readLog(file) {
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines[lines.length - 1] === '')
        lines.pop();
    const records = [];
    const broken = [];
    lines.forEach((text, i) => {
        let r;
        try {
            r = JSON.parse(text);
        } catch (e) {
            broken.push(`line ${i + 1}: not JSON (${e.message}): ${text.slice(0, 120)}`);
            return;
        }
        if (!r || typeof r !== 'object' || Array.isArray(r)) {
            broken.push(`line ${i + 1}: not a JSON object`);
            return;
        }
        for (const k of ['method', 'path', 'query', 'request', 'status', 'response'])
            if (!(k in r))
                broken.push(`line ${i + 1}: no "${k}"`);
        if (typeof r.path === 'string' && r.path.includes('?'))
            broken.push(`line ${i + 1}: "path" carries a query string`);
        if (typeof r.path === 'string' && r.path.startsWith('/_fake/'))
            broken.push(`line ${i + 1}: a control API call is logged (${r.path})`);
        records.push({ line: i + 1, record: r });
    });
    return { records, broken };
}

export function firstFew(list, n = 8) {
    const shown = list.slice(0, n).join('\n');
    return list.length > n ? `${shown}\n... and ${list.length - n} more` : shown;
}
