// A stockbridge-fakestore in Ecwid mode for the checks: started on a free loopback port with
// a token, a client secret, a store id, an order prefix and a catalogue, read from its first
// line of output ("fakestore listening on http://127.0.0.1:PORT/"), driven through its
// control API (/_fake/ecwid/..., docs/fakestore.md "Ecwid"), stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const STORE = { storeId: 7007, token: 'secret_official_checks', clientSecret: 'official-checks-client-secret', prefix: 'OC-' };

export async function startFakestore(bin) {
    if (!bin)
        throw new Error('SB_FAKESTORE is not set');
    const child = spawn(bin, ['--kind', 'ecwid', '--listen', '127.0.0.1:0', '--token', STORE.token,
        '--secret', STORE.clientSecret, '--store-id', String(STORE.storeId),
        '--order-prefix', STORE.prefix, '--sku', 'TEE-1,MUG-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => { log = (log + d).slice(-8000); });
    const url = await new Promise((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        const timer = setTimeout(() => reject(new Error(`the fakestore did not start\n${log}`)), 10000);
        rl.once('line', (line) => {
            clearTimeout(timer);
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
            m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}\n${log}`));
        });
        child.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`the fakestore exited (${code})\n${log}`));
        });
    });
    const call = async (method, path, body, headers = {}) => {
        const res = await fetch(url + path, {
            method,
            headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
            body: body ? JSON.stringify(body) : undefined,
        });
        const text = await res.text();
        return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
    };
    return {
        url,
        // REST v3 as Ecwid's clients call it: https://app.ecwid.com/api/v3/{storeId}/...
        async api(method, path, body) {
            return call(method, `/api/v3/${STORE.storeId}${path}`, body,
                { Authorization: `Bearer ${STORE.token}` });
        },
        async control(method, path, body) {
            const r = await call(method, `/_fake/ecwid/${path}`, body);
            if (r.status >= 300)
                throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json).slice(0, 400)}`);
            return r.json;
        },
        async stop() {
            if (child.exitCode === null) {
                const done = new Promise((r) => child.once('exit', r));
                child.kill('SIGTERM');
                await done;
            }
        },
    };
}
