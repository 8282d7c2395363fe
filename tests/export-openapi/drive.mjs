// The self-test's traffic (run.mjs, group self-test): a stockbridge server of its own on a
// fresh demo database (`stockbridge demo --no-serve --no-fakestore`, the admin's password set
// with `stockbridge user passwd`), driven through the connection API as a webstore would:
// connect (and a wrong password), read the connection, the catalogue refused while
// incomplete, complete it (and a PATCH refused), the catalogue page by page with its ETag
// (304), a bad cursor, the change feed (and without since), orders (one created, one
// unbalanced), a refund (and its repeat, and one for an order never exported), and a
// foreign token. Each exchange is recorded in the export fakestore's traffic format
// (docs/testing.md): {method, path, query, status, request, response, headers}.
// GET /api/v1/connection/choices is not driven (it comes with the export fakestore, H1).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PASSWORD = 'export-openapi-secret';
const HEADERS = ['retry-after', 'etag', 'x-ratelimit-limit', 'x-ratelimit-remaining'];

function freePort() {
    return new Promise((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

function run(bin, args, input) {
    const r = spawnSync(bin, args, { input, encoding: 'utf8' });
    if (r.status !== 0)
        throw new Error(`${bin} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return r.stdout;
}

export async function drive(bin) {
    const dir = mkdtempSync(join(tmpdir(), 'sb-export-openapi-'));
    const db = `sqlite:${dir}/stockbridge.db`;
    const traffic = [];
    let server;
    try {
        run(bin, ['demo', '--dir', dir, '--no-serve', '--no-fakestore']);
        run(bin, ['user', 'passwd', 'admin', '--db', db], PASSWORD + '\n');
        const admin = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        server = spawn(bin, ['serve', '--db', db], {
            env: { ...process.env, STOCKBRIDGE_LISTEN: `127.0.0.1:${port}`,
                   STOCKBRIDGE_LOG_LEVEL: 'error' },
            stdio: ['ignore', 'ignore', 'inherit'],
        });
        // up within ten seconds (a bounded wait on the server's health)
        let up = false;
        for (let i = 0; i < 100 && !up; i++) {
            try {
                up = (await fetch(`${base}/healthz`)).ok;
            } catch {
                await new Promise((r) => setTimeout(r, 100));
            }
        }
        if (!up)
            throw new Error('the server did not come up');

        async function call(method, target, token, body, extra = {}) {
            const headers = { ...extra };
            if (token)
                headers.authorization = `Bearer ${token}`;
            if (body !== undefined)
                headers['content-type'] = 'application/json';
            const res = await fetch(base + target, {
                method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
            const text = await res.text();
            const response = text ? JSON.parse(text) : null;
            const url = new URL(base + target);
            const h = {};
            for (const k of HEADERS)
                if (res.headers.has(k))
                    h[k] = res.headers.get(k);
            if (url.pathname.startsWith('/api/v1/connection'))
                traffic.push({ method, path: url.pathname, query: url.search.slice(1),
                               status: res.status, request: body === undefined ? null : body,
                               response, headers: h });
            return { status: res.status, body: response, headers: res.headers };
        }
        const expect = (r, status, what) => {
            if (r.status !== status)
                throw new Error(`${what}: ${r.status}, not ${status}: ${JSON.stringify(r.body)}`);
            return r.body;
        };

        const adminGet = async (path) => expect(await call('GET', path, admin), 200, path);
        const outlet = (await adminGet('/api/v1/outlets')).data[0].id;
        const register = (await adminGet('/api/v1/registers')).data
            .find((r) => r.outlet_id === outlet).id;
        const employee = (await adminGet('/api/v1/employees')).data[0].id;

        const connect = { username: 'admin', password: PASSWORD, webstore_id: 'site-openapi',
                          name: 'OpenAPI check' };
        expect(await call('POST', '/api/v1/connection', null,
                          { ...connect, password: 'wrong-password' }), 401, 'a wrong password');
        const token = expect(await call('POST', '/api/v1/connection', null, connect), 201,
                             'connect').token;
        expect(await call('GET', '/api/v1/connection', token), 200, 'the connection');
        expect(await call('GET', '/api/v1/connection/catalogue', token), 409, 'incomplete');
        expect(await call('PATCH', '/api/v1/connection', token, { employee_id: 999999 }), 422,
               'an unknown employee');
        expect(await call('PATCH', '/api/v1/connection', token, {
            locations: [{ location_id: 'L1', outlet_id: outlet, name: 'Main St' }],
            employee_id: employee, register_id: register,
            settings: { publish_on_hand: true } }), 200, 'complete');

        const page = await call('GET', '/api/v1/connection/catalogue?limit=2', token);
        expect(page, 200, 'a catalogue page');
        expect(await call('GET', '/api/v1/connection/catalogue?limit=2', token, undefined,
                          { 'if-none-match': page.headers.get('etag') }), 304, 'unchanged');
        if (page.body.next_cursor)
            expect(await call('GET', '/api/v1/connection/catalogue?limit=2&cursor=' +
                              encodeURIComponent(page.body.next_cursor), token), 200, 'page 2');
        expect(await call('GET', '/api/v1/connection/catalogue?cursor=nope', token), 400,
               'a bad cursor');
        expect(await call('GET', '/api/v1/connection/changes', token), 400, 'no since');

        const item = page.body.items[0];
        const order = (id, paid) => ({
            order_id: id, number: `W-${id}`, created_at: '2026-03-01T10:00:00Z',
            currency: page.body.currency, email: 'ann@example.com', first_name: 'Ann',
            last_name: 'Lee', location_id: 'L1',
            lines: [{ sku: item.sku, title: item.name, quantity: 1, unit_price: 1000 }],
            total: 1000, payments: [{ method: 'Card', amount: paid, reference: `tx-${id}` }],
        });
        const made = expect(await call('POST', '/api/v1/connection/orders', token,
                                       { orders: [order('5001', 1000), order('5002', 900)] }),
                            200, 'orders');
        if (made.results[0].outcome !== 'created' || made.results[1].outcome !== 'refused')
            throw new Error(`orders: ${JSON.stringify(made)}`);
        expect(await call('GET', '/api/v1/connection/changes?since=' +
                          encodeURIComponent(page.body.changes_cursor), token), 200, 'changes');
        const refund = { refund_id: 're-1', lines: [{ sku: item.sku, quantity: 1 }],
                         note: 'arrived damaged' };
        expect(await call('POST', '/api/v1/connection/orders/5001/refund', token, refund), 201,
               'a refund');
        expect(await call('POST', '/api/v1/connection/orders/5001/refund', token, refund), 200,
               'the same refund again');
        expect(await call('POST', '/api/v1/connection/orders/9999/refund', token,
                          { refund_id: 're-2' }), 404, 'a refund of no order');
        expect(await call('GET', '/api/v1/connection', admin), 403, "a user's token");
        expect(await call('GET', '/api/v1/connection', 'not-a-token'), 401, 'no token');
        return traffic;
    } finally {
        if (server)
            server.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
    }
}
