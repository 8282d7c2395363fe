// The traffic logs the end-to-end Magento suites leave (SB_M2_TRAFFIC_DIR: the harness has
// the fakestore write one per suite there), validated against Magento's description. Those
// carry OUR adapter's requests (searchCriteria, invoice, ship, cancel, refund, stock and
// price pushes) and the fakestore's answers to them. With no directory, or none in it, the
// group says so and checks nothing (make test builds the logs before it runs this).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { check, assert } from '../lib.mjs';
import { Spec } from '../openapi.mjs';
import { logChecks } from '../traffic.mjs';

export async function run(env) {
    if (!env.trafficDir) {
        console.log('      (SB_M2_TRAFFIC_DIR is not set: no e2e traffic logs to check)');
        return;
    }
    let files = [];
    await check('e2e-logs/the directory holds traffic logs', async () => {
        assert(existsSync(env.trafficDir), `${env.trafficDir} does not exist`);
        files = readdirSync(env.trafficDir).filter((f) => /\.(jsonl|log)$/.test(f)).sort();
        assert(files.length > 0, `no *.jsonl or *.log in ${env.trafficDir}`);
    });
    if (!files.length)
        return;
    const spec = new Spec(JSON.parse(readFileSync(env.schemaFile, 'utf8')));
    for (const f of files)
        await logChecks(`e2e-logs/${f}`, spec, join(env.trafficDir, f), env.usedDeviations);
}
