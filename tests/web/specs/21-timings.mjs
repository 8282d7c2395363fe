// Page-load timings of every screen (issue 16): for each, a full load of its
// address signed in, five times, printed as the median first contentful paint
// (the page frame) and the median time until the screen shows its data (its
// ready selector), both from the start of navigation. Printed, not judged:
// the machine is shared, and speed is measured, never a timed test.
const SCREENS = [
  ['shipping', '/shipping', 'tbody.shipment, #main p.empty:not([hidden])'],
  ['shipped, a search', '/shipping?status=shipped&q=a', 'tbody.shipment, #main p.empty:not([hidden])'],
  ['pickups', '/pickups', 'tbody.pickup, #main p.empty:not([hidden])'],
  ['sales', '/sales', '#sales tbody tr'],
  ['sales, a search', '/sales?q=TEE', '#sales tbody tr, #main p.empty:not([hidden])'],
  ['sell', '/sell', '#sell-find'],
  ['customers', '/customers', '#customers tbody tr'],
  ['customer', '/customers/1', '#customer-sales tbody tr, #main p.empty:not([hidden])'],
  ['fulfillments', '/fulfillments', '#fulfillments tbody tr'],
  ['orders', '/orders', '#main h1'],
  ['channel', '/channels/1', '#set-download_orders'],
  ['items', '/items', '#items tbody tr'],
  ['items, a search', '/items?q=tee', '#items tbody tr, #main p.empty:not([hidden])'],
  ['item', '/items/1', '#item-stock-table tbody tr'],
  ['purchase orders', '/purchase-orders', '#purchase-orders tbody tr'],
  ['purchase order', '/purchase-orders/1', '#po-lines tbody tr'],
  ['reports', '/reports', '#main figure svg, #main p.empty:not([hidden])'],
];

export const tests = [
  {
    name: 'first paint and data shown, every screen (printed)',
    async fn(t) {
      const page = await t.signIn('admin');
      const rows = [];
      for (const [name, url, ready] of SCREENS) {
        const fcp = [], shown = [];
        for (let i = 0; i < 5; i++) {
          await page.goto(url);
          await page.locator(ready).first().waitFor();
          const at = await page.evaluate(() => performance.now());
          await page.waitForFunction(() => performance.getEntriesByType('paint').some((e) => e.name === 'first-contentful-paint'));
          fcp.push(await page.evaluate(() => performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint').startTime));
          shown.push(at);
        }
        const median = (xs) => Math.round([...xs].sort((a, b) => a - b)[2]);
        t.assert(median(fcp) > 0 && median(shown) > 0, `${name}: nothing measured`);
        rows.push(`${name.padEnd(20)} first contentful paint ${String(median(fcp)).padStart(4)} ms, data shown ${String(median(shown)).padStart(4)} ms`);
      }
      console.log('     medians of 5 loads, signed in, from the start of navigation:\n     ' + rows.join('\n     '));
    },
  },
];
