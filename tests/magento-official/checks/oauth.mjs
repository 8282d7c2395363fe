// OAuth 1.0a (the integration's four credentials, RFC 5849) with oauth-1.0a, a library no one
// here wrote: the committed vectors (tests/fixtures/magento2/oauth-vectors.json, which the
// adapter's unit test compares its signer with) are what the library gives; the fakestore,
// with bearer tokens refused as a store since 2.4.4 refuses them by default, accepts
// requests the library signs with HMAC-SHA256 and HMAC-SHA1, a signed POST whose JSON body
// is not in the signature, and refuses (401, Magento's error shape) a tampered signature, a
// query changed after signing, a wrong token secret, and the bearer.
// The traffic of the run is validated against Magento's description too.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { check, assert } from '../lib.mjs';
import { FILE, vectors } from '../oauth-vectors.mjs';
import { startFakestore, CREDS } from '../fake.mjs';
import { client, searchCriteria } from '../client.mjs';
import { sign } from '../oauth.mjs';
import { Spec } from '../openapi.mjs';
import { logChecks } from '../traffic.mjs';

export async function run(env) {
    await check('oauth/the committed vectors are what oauth-1.0a gives', async () => {
        const committed = JSON.parse(readFileSync(FILE, 'utf8'));
        assert(isDeepStrictEqual(committed, vectors()),
            'tests/fixtures/magento2/oauth-vectors.json differs from what the library gives: ' +
            'regenerate it (cd tests/magento-official && node gen-oauth-vectors.mjs)');
    });

    const dir = mkdtempSync(join(tmpdir(), 'm2-official-oauth-'));
    const logFile = join(dir, 'traffic.jsonl');
    let fake;
    try {
        await check('oauth/the fakestore starts in Magento mode', async () => {
            fake = await startFakestore(env.fakestore, logFile);
            await fake.control('POST', '/_fake/magento2/config', { bearer_allowed: false });
        });
        if (!fake)
            return;
        const query = searchCriteria({ filterGroups: [[{ field: 'updated_at',
            value: '2000-01-01 00:00:00', conditionType: 'gteq' }]], pageSize: 5, currentPage: 1 });
        const ok = async (call, route, opts, what) => {
            const r = await call(opts.method || 'GET', route, opts);
            assert(r.status === 200, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
            return r;
        };
        const refused = async (call, route, opts, what) => {
            const r = await call(opts.method || 'GET', route, opts);
            assert(r.status === 401, `${what}: wanted 401, got ${r.status} ${r.text.slice(0, 300)}`);
            assert(r.body && typeof r.body.message === 'string', `${what}: no Magento error message`);
            return r;
        };
        for (const m of ['HMAC-SHA256', 'HMAC-SHA1']) {
            await check(`oauth/a search signed ${m} is accepted`, async () => {
                await ok(client(fake.url, { oauth: CREDS, signatureMethod: m }), '/V1/orders',
                    { query }, m);
            });
        }
        await check('oauth/a signed POST is accepted: the JSON body is not signed', async () => {
            await ok(client(fake.url, { oauth: CREDS }), '/V1/products/base-prices',
                { method: 'POST', body: { prices: [{ sku: 'MUG-WHT', price: 12.5, store_id: 0 }] } },
                'base-prices');
        });
        await check('oauth/a tampered signature is refused (401)', async () => {
            await refused(client(fake.url, { oauth: CREDS }), '/V1/orders', { query,
                tamper: (h) => h.replace(/oauth_signature="([^"]{4})/, 'oauth_signature="AAAA') },
            'tampered');
        });
        await check('oauth/a query changed after signing is refused (401)', async () => {
            const url = `${fake.url}/rest/V1/orders`;
            const header = sign({ signatureMethod: 'HMAC-SHA256', method: 'GET', url,
                query, creds: CREDS }).authorization;
            const changed = query.map(([k, v]) => [k, k.endsWith('[pageSize]') ? '6' : v]);
            await refused(client(fake.url, { header }), '/V1/orders', { query: changed }, 'changed');
        });
        await check('oauth/a wrong token secret is refused (401)', async () => {
            await refused(client(fake.url, { oauth: { ...CREDS, access_token_secret: 'not-it' } }),
                '/V1/orders', { query }, 'wrong secret');
        });
        await check('oauth/the bearer token is refused when the store does not allow it (401)', async () => {
            const r = await refused(client(fake.url, { bearer: CREDS.access_token }), '/V1/orders',
                { query }, 'bearer');
            assert(r.body.message === 'The consumer isn\'t authorized to access %resources.',
                `message: ${r.body.message}`);
        });
        await check('oauth/the bearer token is accepted when the store allows it', async () => {
            await fake.control('POST', '/_fake/magento2/config', { bearer_allowed: true });
            await ok(client(fake.url, { bearer: CREDS.access_token }), '/V1/orders', { query }, 'bearer');
        });
        await fake.stop();
        fake = null;
        let spec;
        try {
            spec = new Spec(JSON.parse(readFileSync(env.schemaFile, 'utf8')));
        } catch (e) {
            await check('oauth/traffic: the description loads', async () => { throw e; });
            return;
        }
        await logChecks('oauth/traffic', spec, logFile, env.usedDeviations);
    } finally {
        if (fake)
            await fake.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}
