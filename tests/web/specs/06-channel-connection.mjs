// The channel screen's connection section (docs/web-app.md, "Channel"): a
// Shopify shop whose app lacks access scopes and that answers with another API
// version than stockbridge asks for. WIRE.md ("Versions and what changed":
// access scopes, X-Shopify-API-Version and the fall-forward) and O10 (why a
// feature is off is visible): after "Check connection now" the screen names
// the missing scopes, the features they leave off and the version mismatch.
const ALL_SCOPES = [
  'read_orders', 'write_orders', 'read_all_orders', 'read_merchant_managed_fulfillment_orders',
  'write_merchant_managed_fulfillment_orders', 'read_products', 'write_products',
  'read_inventory', 'write_inventory', 'read_locations',
];
const VERSIONS = ['2026-01', '2026-04', '2026-07', '2026-10'];

export const tests = [
  {
    name: 'channel screen: missing scopes and a version mismatch are named',
    async fn(t) {
      // The shop's app: no read_all_orders, no write_orders; the shop serves 2027-01 only.
      await t.fakeApi('POST', '/_fake/app', {
        scopes: ALL_SCOPES.filter((s) => s !== 'read_all_orders' && s !== 'write_orders'),
        versions: ['2027-01'],
      });
      try {
        const page = await t.signIn('admin');
        await page.goto('/channels/1?tab=sync');
        const section = page.locator('#connection');
        await section.locator('#check-connection').click();
        await section.locator('#missing-scopes', { hasText: 'read_all_orders, write_orders' }).waitFor();
        const text = await section.innerText();
        t.assert(text.includes('2027-01 (stockbridge asks for 2026-10)'), `no served version in: ${text}`);
        t.assert(text.includes('Mismatch: upgrade stockbridge'), `no mismatch named in: ${text}`);
        const off = await section.locator('#features-off li').allInnerTexts();
        t.assert(off.some((f) => f.startsWith('orders older than 60 days') && f.includes('read_all_orders')),
          `the 60-day feature is not named off: ${off.join(' | ')}`);
        t.assert(off.some((f) => f.startsWith('cancellations') && f.includes('write_orders')),
          `cancellations are not named off: ${off.join(' | ')}`);
        t.assert(!(await page.locator('#alert').innerText()).trim(), await page.locator('#alert').innerText());
        await t.shot(page, 'channel-connection');
        // Granted again and served 2026-10: the screen says so after the next check.
        await t.fakeApi('POST', '/_fake/app', { scopes: ALL_SCOPES, versions: VERSIONS });
        await section.locator('#check-connection').click();
        await section.locator('dd', { hasText: 'None' }).first().waitFor();
        const after = await section.innerText();
        t.assert(!after.includes('Mismatch'), `a mismatch is still shown: ${after}`);
        t.assert(await section.locator('#missing-scopes').count() === 0, 'missing scopes still shown');
      } finally {
        await t.fakeApi('POST', '/_fake/app', { scopes: ALL_SCOPES, versions: VERSIONS });
      }
    },
  },
];
