// A stockbridge-fakestore in Magento 2 mode for the checks: started on a free loopback port
// with a catalogue and a traffic log, read from its first line of output ("listening on
// http://127.0.0.1:PORT/"), driven through its control API (/_fake/magento2/..., documented
// in docs/fakestore.md), stopped with SIGTERM. How the fakestore is told the integration's
// credentials is in ONE place, ARGS below.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const CREDS = {
    consumer_key: 'official-checks-consumer-key',
    consumer_secret: 'official-checks-consumer-secret',
    access_token: 'official-checks-access-token',
    access_token_secret: 'official-checks-token-secret',
};
export const SKUS = ['TEE-BLK-M', 'TEE-BLK-L', 'MUG-WHT', 'KIT-BASE', 'KIT-CUP', 'KIT-LID'];

const ARGS = (trafficLog) => ['--kind', 'magento2', '--listen', '127.0.0.1:0',
    '--traffic-log', trafficLog, '--sku', SKUS.join(','),
    '--token', CREDS.access_token,
    '--consumer-key', CREDS.consumer_key, '--consumer-secret', CREDS.consumer_secret,
    '--token-secret', CREDS.access_token_secret];

export async function startFakestore(bin, trafficLog) {
    if (!bin)
        throw new Error('SB_FAKESTORE is not set');
    const child = spawn(bin, ARGS(trafficLog), { stdio: ['ignore', 'pipe', 'pipe'] });
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
    return {
        url,
        log: () => log,
        async control(method, path, body) {
            const res = await fetch(url + path, {
                method,
                headers: body ? { 'Content-Type': 'application/json' } : {},
                body: body ? JSON.stringify(body) : undefined,
            });
            const text = await res.text();
            if (res.status >= 300)
                throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
            return text ? JSON.parse(text) : null;
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
