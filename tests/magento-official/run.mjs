// The checks of Magento traffic against what no one on this project wrote (issue 12), run by
// scripts/test-magento-official, which passes the paths below in the environment:
//   SB_M2_SCHEMA      Magento's admin REST description, 2.4.7 (m2rest-admin-2.4.7.json,
//                     fetched pinned by scripts/fetch-magento-schema)
//   SB_FAKESTORE      build/stockbridge-fakestore
//   SB_M2_TRAFFIC_DIR optional: a directory of traffic logs the e2e Magento suites left
//                     (our adapter's requests); every *.jsonl / *.log file in it is checked
// Groups:
//   validator  the validator on hand-made records whose verdict is known
//   oauth      OAuth 1.0a by oauth-1.0a (npm): the committed vectors, the fakestore's verdicts
//   scenario   a client written from the description drives the fakestore's Magento mode
//              (orders of every shape placed through its control API), and the whole
//              traffic log is validated; allow-list entries it did not need are STALE
//   e2e-logs   the logs in SB_M2_TRAFFIC_DIR, validated the same way
// `node run.mjs validator` runs one group.
import { summary, groupCounts, failRun } from './lib.mjs';
import { deviations } from './deviations.mjs';

const env = {
    schemaFile: process.env.SB_M2_SCHEMA,
    fakestore: process.env.SB_FAKESTORE,
    trafficDir: process.env.SB_M2_TRAFFIC_DIR || '',
    usedDeviations: new Set(),
    scenarioValidated: false, // set by the scenario once its traffic log was read
};
const groups = ['validator', 'oauth', 'scenario', 'e2e-logs'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : groups;

if (!env.schemaFile) {
    console.error('run.mjs: SB_M2_SCHEMA is not set (scripts/test-magento-official sets it)');
    process.exit(2);
}
for (const g of wanted) {
    if (!groups.includes(g)) {
        console.error(`run.mjs: no group ${g} (${groups.join(', ')})`);
        process.exit(2);
    }
    console.log(`--- ${g}`);
    const mod = await import(`./checks/${g}.mjs`);
    await mod.run(env);
    const c = groupCounts(`${g}/`);
    console.log(`--- ${g}: ${c.pass} pass, ${c.fail} fail`);
}
// the scenario places an order of every shape Magento has, so every deviation must show
// in its traffic; one that does not is an entry to remove
if (env.scenarioValidated) {
    for (const d of deviations)
        if (!env.usedDeviations.has(d.id))
            failRun(`deviations.mjs: ${d.id}: no record of the scenario needed it: remove it`);
}
process.exit(summary(wanted) ? 0 : 1);
