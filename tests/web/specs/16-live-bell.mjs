// The live bell (issue 16 item 8, SPEC N1; item 7): the bell listens to the
// notifications stream (Server-Sent Events), so a web order placed on the
// fakestore changes its count with no reload and well inside the old 5 s
// poll; when the stream cannot be reached the bell says "Can't reach the
// server — retrying" (visible, in a live region) and recovers by itself.
// N4's settings (a channel's new-order emails) are set on the channel's screen.
const stamp = Date.now().toString(36);

function orderBody(last) {
  return {
    line_items: [{ sku: 'TEE-RED', quantity: 1 }],
    email: `${last.toLowerCase()}@example.com`,
    customer: { first_name: 'Lark', last_name: last },
    shipping_address: { first_name: 'Lark', last_name: last, address1: '9 Bell Lane', city: 'Portland',
      province_code: 'ME', zip: '04101', country: 'United States', country_code: 'US' },
    shipping_lines: [{ title: 'Standard', price: '5.00' }],
  };
}

const count = () => Number(document.querySelector('#bell-count').textContent || 0);

export const tests = [
  {
    name: 'live bell: a new web order changes the count at once, no reload, no poll',
    async fn(t) {
      const page = await t.signIn('admin');
      let streams = 0;
      let lists = 0;
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/notifications/stream')) streams++;
        else if (/\/api\/v1\/notifications\?/.test(r.url())) lists++;
      });
      await page.reload();
      await page.locator('#bell[aria-label]').waitFor(); // the first read has answered
      const before = await page.evaluate(count);
      const listsBefore = lists;
      const started = Date.now();
      await t.fakeApi('POST', '/_fake/orders', orderBody(`Live${stamp}`));
      // the fakestore sends its webhook; the commit wakes the stream; the bell reads the list
      await page.waitForFunction((n) => Number(document.querySelector('#bell-count').textContent || 0) > n,
        before, { timeout: 4000 });
      const took = Date.now() - started;
      t.assert(streams === 1, `one stream opened (${streams})`);
      t.assert(lists > listsBefore, 'the list was read again on the event');
      t.assert(took < 4000, `the count moved in ${took} ms`);
      t.assert((await page.locator('#bell-status').textContent()) === '', 'no "can\'t reach" while the stream is up');
      await page.locator('#bell').click();
      await page.locator('#bell-panel button.note', { hasText: 'Lark' }).first().waitFor();
      await t.shot(page, 'live-bell');
      await t.axe(page, 'live-bell');
    },
  },
  {
    name: 'live bell: a stream that fails shows "Can\'t reach the server — retrying" and recovers by itself',
    async fn(t) {
      const page = await t.signIn('admin');
      await page.route('**/api/v1/notifications/stream', (route) => route.abort('connectionrefused'));
      await page.reload();
      const status = page.locator('#bell-status');
      await page.getByText('Can\u2019t reach the server \u2014 retrying').waitFor();
      t.assert(await status.isVisible(), 'the text is visible');
      t.assert((await status.getAttribute('aria-live')) === 'polite', 'in a live region');
      t.assert((await status.getAttribute('role')) === 'status', 'role status');
      await t.shot(page, 'live-bell-offline');
      await t.axe(page, 'live-bell-offline');
      // at 768 px the header keeps its actions without sideways scrolling
      await page.setViewportSize({ width: 768, height: 900 });
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      t.assert(wide <= 768, `the page is ${wide} px wide at 768`);
      // the server is reachable again: the browser's own retry (3 s) reconnects
      await page.unroute('**/api/v1/notifications/stream');
      await page.waitForFunction(() => document.querySelector('#bell-status').textContent === '', null,
        { timeout: 10000 });
      t.assert((await status.textContent()) === '', 'the text is gone once the stream is back');
      const before = await page.evaluate(count);
      await t.fakeApi('POST', '/_fake/orders', orderBody(`Back${stamp}`));
      await page.waitForFunction((n) => Number(document.querySelector('#bell-count').textContent || 0) > n,
        before, { timeout: 4000 });
    },
  },
  {
    name: 'N4: a channel\'s new-order emails are set on its screen, the addresses checked',
    async fn(t) {
      const page = await t.signIn('admin');
      await page.goto('/channels/1');
      const to = page.getByLabel('Email new orders to');
      const on = page.getByLabel('Email staff about new orders');
      await to.waitFor();
      t.assert(!(await on.isChecked()), 'off by default');
      const patch = () => page.waitForResponse((r) => r.url().endsWith('/api/v1/channels/1') && r.request().method() === 'PATCH');
      const type = async (text) => { await to.fill(text); await to.press('Tab'); };
      let [res] = await Promise.all([patch(), type('floor@shop.example, not an address')]);
      t.assert(res.status() === 422, `a bad address: ${res.status()}`);
      await page.getByText(/not an email address/).first().waitFor();
      [res] = await Promise.all([patch(), type('floor@shop.example, boss@shop.example')]);
      t.assert(res.status() === 200, `the addresses: ${res.status()}`);
      [res] = await Promise.all([patch(), on.click()]);
      t.assert(res.status() === 200, `turned on: ${res.status()}`);
      await page.reload();
      await to.waitFor();
      t.assert((await to.inputValue()) === 'floor@shop.example, boss@shop.example', 'the addresses were kept');
      t.assert(await on.isChecked(), 'on after a reload');
      await to.scrollIntoViewIfNeeded();
      await t.shot(page, 'channel-email');
      await t.axe(page, 'channel-email');
      [res] = await Promise.all([patch(), on.click()]); // off again: the demo has no mail server
      t.assert(res.status() === 200, `turned off: ${res.status()}`);
    },
  },
];
