// The OAuth 1.0a vectors of tests/fixtures/magento2/oauth-vectors.json: fixed requests (a
// fixed nonce and timestamp) signed by oauth-1.0a (./oauth.mjs), for the adapter's unit test
// to compare its own signer with. `node gen-oauth-vectors.mjs` writes the file;
// scripts/test-magento-official oauth checks that the committed file is what the library gives.
import { sign, queryString } from './oauth.mjs';

export const FILE = new URL('../fixtures/magento2/oauth-vectors.json', import.meta.url);

const integration = {
    consumer_key: 'q8v1kx7m3ccw2yfrbw0a9zq5e4dh6tgn',
    consumer_secret: 'u3p0a6ytr1jnl8e2hc5mfx9w4sqv7kdb',
    access_token: 'b7c2fz9nq4w1ye8kxt5ma3rh6dlu0vjs',
    access_token_secret: 'k1d9s3vh7ty2ep5rx0cmq8nw4uajl6gz',
};
// credentials with characters RFC 5849 percent-encodes in the signing key
const awkward = {
    consumer_key: 'ck with space',
    consumer_secret: 'cs+/=&~%',
    access_token: 'at.-_~',
    access_token_secret: "ts!*'()",
};
const search = [
    ['searchCriteria[filter_groups][0][filters][0][field]', 'updated_at'],
    ['searchCriteria[filter_groups][0][filters][0][value]', '2024-01-01 00:00:00'],
    ['searchCriteria[filter_groups][0][filters][0][condition_type]', 'gteq'],
    ['searchCriteria[sortOrders][0][field]', 'updated_at'],
    ['searchCriteria[sortOrders][0][direction]', 'ASC'],
    ['searchCriteria[pageSize]', '50'],
    ['searchCriteria[currentPage]', '1'],
];
const fixed = { nonce: 'sbM2vectorNonce0123456789abcdefg', timestamp: 1717243200 };

export const cases = [
    { name: 'orders search, HMAC-SHA256', signatureMethod: 'HMAC-SHA256', method: 'GET',
      url: 'http://127.0.0.1:8080/rest/V1/orders', query: search, creds: integration, fixed },
    { name: 'orders search, HMAC-SHA1', signatureMethod: 'HMAC-SHA1', method: 'GET',
      url: 'http://127.0.0.1:8080/rest/V1/orders', query: search, creds: integration, fixed },
    { name: 'invoice POST: the JSON body is not signed', signatureMethod: 'HMAC-SHA256',
      method: 'POST', url: 'https://shop.example.com/rest/V1/order/42/invoice', query: [],
      body: { capture: true, notify: false }, creds: integration, fixed },
    { name: 'a store code in the path, camelCase search', signatureMethod: 'HMAC-SHA256',
      method: 'GET', url: 'https://shop.example.com/rest/default/V1/inventory/source-items',
      query: [['searchCriteria[filterGroups][0][filters][0][field]', 'sku'],
              ['searchCriteria[filterGroups][0][filters][0][value]', 'TEE-BLK-M,MUG/WHT'],
              ['searchCriteria[filterGroups][0][filters][0][conditionType]', 'in']],
      creds: integration, fixed: { nonce: 'n0nce', timestamp: 1700000000 } },
    { name: 'credentials that need percent-encoding', signatureMethod: 'HMAC-SHA256',
      method: 'GET', url: 'http://magento.test:8443/rest/V1/orders/42', query: [],
      creds: awkward, fixed },
];

export function vectors() {
    return {
        about: 'OAuth 1.0a (RFC 5849) signatures of fixed Magento 2 REST requests, computed by ' +
            'the npm library oauth-1.0a 2.2.6 (not written on this project) with node:crypto ' +
            'HMAC, by tests/magento-official/gen-oauth-vectors.mjs. Do not edit: regenerate with ' +
            '`cd tests/magento-official && node gen-oauth-vectors.mjs`; ' +
            'scripts/test-magento-official oauth fails when this file differs from what the ' +
            'library gives. "url" is the base string URI (no query); "query" the decoded ' +
            'name/value pairs in the order sent; "request_url" the URL as sent (RFC 3986 ' +
            'encoding); a JSON "body" is sent but not signed.',
        vectors: cases.map((c) => {
            const r = sign(c);
            const oauth = Object.fromEntries(Object.entries(r.oauth)
                .filter(([k]) => k.startsWith('oauth_')).map(([k, v]) => [k, String(v)]));
            return {
                name: c.name,
                signature_method: c.signatureMethod,
                method: c.method,
                url: c.url,
                query: c.query,
                request_url: c.query.length ? `${c.url}?${queryString(c.query)}` : c.url,
                ...(c.body ? { body: c.body } : {}),
                ...c.creds,
                nonce: c.fixed.nonce,
                timestamp: String(c.fixed.timestamp),
                base_string: r.base_string,
                signing_key: r.signing_key,
                signature: r.signature,
                oauth,
                authorization: r.authorization,
            };
        }),
    };
}
