// A stockbridge-fakestore for the checks: started on a free loopback port with a catalogue,
// read from its first line of output, driven through its control API (docs/fakestore.md),
// stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const TOKEN = 'shpat_official_checks';
export const SECRET = 'official-checks-webhook-secret';
export const SHOP = 'official-checks.myshopify.com';

// JSON.parse with integers beyond 2^53 (the shop's ids) kept exact, as strings.
export function parseExact(text) {
    return JSON.parse(text.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
}

// JSON.stringify with BigInt values written as bare integers.
export function stringifyExact(value) {
    return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? `__big__${v}` : v))
        .replace(/"__big__(-?\d+)"/g, '$1');
}

export async function startFakestore(bin, extra = []) {
    const child = spawn(bin, ['--listen', '127.0.0.1:0', '--token', TOKEN, '--secret', SECRET,
        '--shop-domain', SHOP, '--sku', 'TEE-BLK,MUG-WHT,CAP-RED', '--restore', '1000',
        '--budget', '2000', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => { log = (log + d).slice(-8000); });
    const url = await new Promise((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        const timer = setTimeout(() => reject(new Error(`the fakestore did not start\n${log}`)),
            10000);
        rl.once('line', (line) => {
            clearTimeout(timer);
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
            m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}`));
        });
        child.once('exit', (code) => reject(new Error(`the fakestore exited (${code})\n${log}`)));
    });
    const fake = {
        url,
        child,
        log: () => log,
        async control(method, path, body) {
            const res = await fetch(url + path, {
                method,
                headers: body ? { 'Content-Type': 'application/json' } : {},
                body: body ? stringifyExact(body) : undefined,
            });
            const text = await res.text();
            let json = null;
            try { json = parseExact(text); } catch { /* not JSON */ }
            if (res.status >= 300)
                throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
            return json;
        },
        async stop() {
            if (child.exitCode === null) {
                const done = new Promise((r) => child.once('exit', r));
                child.kill('SIGTERM');
                await done;
            }
        },
    };
    return fake;
}
