// One screenshot of every screen (tests/web/screenshots/ and docs/web/),
// each taken once the screen has its data; plus keyboard reachability.
const SCREENS = [
  ['shipping', '/shipping', 'tbody.shipment, p.empty:not([hidden])'],
  ['shipped', '/shipping?shipped=true', 'tbody.shipment, p.empty:not([hidden])'],
  ['pickups', '/pickups', 'tbody.pickup, p.empty:not([hidden])'],
  ['fulfillments', '/fulfillments', '#fulfillments tbody tr'],
  ['sales', '/sales', '#sales tbody tr'],
  ['sales-today', '/sales?today=true', '#sales tbody tr'],
  ['customers', '/customers', '#customers tbody tr'],
  ['channels', '/channels', '#channels tbody tr'],
  ['channel-settings', '/channels/1', '#set-download_orders'],
  ['channel-orders', '/channels/1?tab=orders', '#channel-orders tbody tr'],
  ['channel-log', '/channels/1?tab=log', '#channel-log tbody tr'],
  ['channel-sync', '/channels/1?tab=sync', '#parked'],
  ['reports', '/reports', 'figure[id^="stock-chart"] svg'],
  ['notifications', '/notifications', '#notifications li, p.empty:not([hidden])'],
  ['sell', '/sell', '#sell-find'],
  ['items', '/items', '#items tbody tr'],
  ['item', '/items/1', '#item-stock-table tbody tr'],
  ['purchase-orders', '/purchase-orders', '#purchase-orders tbody tr'],
  ['purchase-order', '/purchase-orders/1', '#po-lines tbody tr'],
  ['customer-new', '/customers/new', '#customer-save'],
];

// Interactive elements a user would have to scroll sideways to reach at the
// page's width: outside the window, or clipped by a scrolling table wrapper.
async function outOfReach(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    if (document.documentElement.scrollWidth > width + 1) found.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    for (const el of document.querySelectorAll('#main a[href], #main button, #main input, #main select, #main textarea')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || el.closest('[hidden]')) continue;
      let clip = { left: 0, right: width };
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') {
          const pr = p.getBoundingClientRect();
          clip = { left: Math.max(clip.left, pr.left), right: Math.min(clip.right, pr.right) };
        }
      }
      if (r.right > clip.right + 1 || r.left < clip.left - 1)
        found.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.textContent || el.value || el.name || '').trim().slice(0, 30)}" at ${Math.round(r.left)}–${Math.round(r.right)}`);
    }
    return found;
  });
}

export const tests = [
  {
    name: 'tablet: at 768 px every action of every screen is reachable without scrolling sideways',
    async fn(t) {
      const page = await t.signIn('admin', undefined, { viewport: { width: 768, height: 1024 } });
      const bad = [];
      for (const [name, url, ready] of SCREENS) {
        await page.goto(url);
        await page.locator(ready).first().waitFor();
        const found = await outOfReach(page);
        if (found.length) bad.push(`${name}: ${found.slice(0, 4).join('; ')}`);
      }
      // and the pages a row opens
      for (const [list, row] of [['/sales', '#sales tbody tr a[href^="/sales/"]'], ['/fulfillments', '#fulfillments tbody tr a[href^="/fulfillments/"]'],
        ['/customers', '#customers tbody tr a[href^="/customers/"]']]) {
        await page.goto(list);
        await page.locator(row).first().click();
        await page.locator('#main h1').waitFor();
        await page.waitForFunction(() => !document.querySelector('#main [aria-busy="true"]'));
        const found = await outOfReach(page);
        if (found.length) bad.push(`${page.url()}: ${found.slice(0, 4).join('; ')}`);
      }
      t.assert(bad.length === 0, `out of reach at 768 px:\n  ${bad.join('\n  ')}`);
      // the fulfillments' nine columns become one card per row, each cell named
      await page.goto('/fulfillments');
      await page.locator('#fulfillments tbody tr').first().waitFor();
      await page.locator('.table-wrap.stacked #fulfillments').waitFor();
      t.assert(await page.locator('#fulfillments tbody tr:first-child td[data-label="Customer"]').count() === 1, 'cells are named');
      await t.shot(page, 'fulfillments-tablet');
      await t.axe(page, 'fulfillments-tablet');
      // and back to a table when the window is wide again
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.locator('.table-wrap:not(.stacked) #fulfillments').waitFor();
    },
  },
  {
    name: 'a screenshot of every screen',
    async fn(t) {
      const signin = await t.newPage();
      await signin.goto('/signin');
      await signin.locator('#username').waitFor();
      await t.shot(signin, 'signin');
      await t.axe(signin, 'signin');
      const page = await t.signIn('admin');
      for (const [name, url, ready] of SCREENS) {
        await page.goto(url);
        await page.locator(ready).first().waitFor();
        if (name === 'reports') await page.locator('figure[id^="sales-chart"] svg, #rep-sales-body p.empty').first().waitFor();
        t.assert(!(await page.locator('#alert').innerText()).trim(), `${name}: ${await page.locator('#alert').innerText()}`);
        if (name !== 'notifications') await t.shot(page, name);
        await t.axe(page, name);
      }
      // Details: a fulfillment, a web order's sale, a customer.
      await page.goto('/fulfillments');
      await page.locator('#fulfillments tbody tr a[href^="/fulfillments/"]').last().click();
      await page.locator('.status-buttons, .hint').first().waitFor();
      await t.shot(page, 'fulfillment');
      await page.goto('/sales?channel=1');
      await page.locator('#sales tbody tr a[href^="/sales/"]').first().click();
      await page.locator('#order-ref').waitFor();
      await t.shot(page, 'sale');
      await page.goto('/customers');
      await page.locator('#customers tbody tr a').first().click();
      await page.locator('#customer-sales').waitFor();
      await t.shot(page, 'customer');
      // On a tablet.
      const tablet = await t.signIn('admin', 'admin-demo', { viewport: { width: 768, height: 1024 } });
      await tablet.locator('tbody.shipment, p.empty:not([hidden])').first().waitFor();
      await t.shot(tablet, 'shipping-tablet');
    },
  },
  {
    name: 'keyboard: skip link, visible focus, Enter submits, Escape closes the bell',
    async fn(t) {
      const page = await t.signIn('admin');
      await page.goto('/customers');
      await page.locator('#customers tbody tr').first().waitFor();
      await page.keyboard.press('Tab');
      t.assert(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'the first Tab does not reach the skip link');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      t.assert(outline !== 'none', 'the focused skip link has no visible outline');
      await page.getByLabel('Search customers').fill('Bloggs');
      await page.getByLabel('Search customers').press('Enter');
      await page.waitForURL('**/customers?q=Bloggs');
      await page.locator('#customers tbody tr', { hasText: 'Jo Bloggs' }).waitFor();
      await page.locator('#bell').focus();
      await page.keyboard.press('Enter');
      await page.locator('#bell-panel:not([hidden])').waitFor();
      t.assert(await page.locator('#bell').getAttribute('aria-expanded') === 'true', 'the bell does not say it is expanded');
      await page.keyboard.press('Escape');
      await page.locator('#bell-panel').waitFor({ state: 'hidden' });
      t.assert(await page.evaluate(() => document.activeElement.id) === 'bell', 'Escape does not return focus to the bell');
    },
  },
  {
    name: 'channel settings: a toggle is saved (PATCH) and survives a reload',
    async fn(t) {
      const page = await t.signIn('admin');
      await page.goto('/channels/1');
      const box = page.getByLabel('Publish items on order');
      const was = await box.isChecked();
      const flip = async () => {
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/channels/1') && r.request().method() === 'PATCH'),
          box.click(),
        ]);
        t.assert(res.status() === 200, `PATCH channel: ${res.status()}`);
        t.assert(JSON.parse(res.request().postData()).settings.publish_on_order !== undefined, 'the PATCH did not carry the setting');
      };
      await flip();
      await page.reload();
      await page.getByLabel('Publish items on order').waitFor();
      t.assert(await box.isChecked() === !was, 'the toggle did not survive a reload');
      await flip(); // put it back
      t.assert(await box.isChecked() === was, 'the toggle did not go back');
    },
  },
];
