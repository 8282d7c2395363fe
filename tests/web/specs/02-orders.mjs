// A web order placed on the fakestore raises a notification (bell, live
// from the notifications stream), appears on the Shipping screen, is marked shipped with a
// tracking number, and the fakestore then holds the fulfillment with it.
// A staff user without access to the order's outlet never sees it.
const stamp = Date.now().toString(36);
let harbour = null; // the order shipped from Harbour Street
let oldtown = null; // a pickup at Old Town

function orderBody(last, shipping) {
  return {
    line_items: [{ sku: 'TEE-RED', quantity: 1 }],
    email: `${last.toLowerCase()}@example.com`,
    customer: { first_name: 'Wren', last_name: last },
    shipping_address: { first_name: 'Wren', last_name: last, address1: '5 Test Street', city: 'Portland',
      province_code: 'ME', zip: '04101', country: 'United States', country_code: 'US' },
    shipping_lines: [shipping],
  };
}

async function bellCount(page) {
  await page.locator('#bell[aria-label]').waitFor(); // the first poll has answered
  return Number((await page.locator('#bell-count').textContent()) || 0);
}

export const tests = [
  {
    name: 'a fakestore order shows in the bell and on Shipping, is shipped, and the fakestore gets the fulfillment',
    async fn(t) {
      const page = await t.signIn('admin');
      const before = await bellCount(page);
      harbour = await t.fakeApi('POST', '/_fake/orders', orderBody(`Harbour${stamp}`, { title: 'Standard', price: '5.00' }));
      oldtown = await t.fakeApi('POST', '/_fake/orders', orderBody(`Oldtown${stamp}`, { title: 'Pickup at Old Town', price: '0.00' }));
      // The bell's unread count goes up on its own (the stream), no reload.
      await page.waitForFunction((n) => Number(document.querySelector('#bell-count').textContent || 0) >= n + 2, before, { timeout: 15000 });
      await page.locator('#bell').click();
      const note = page.locator('#bell-panel button.note', { hasText: `order ${harbour.name}` });
      await note.waitFor();
      await t.shot(page, 'notifications');
      await note.click();
      await page.waitForURL(/\/fulfillments\/\d+$/);
      await page.getByRole('heading', { name: /^Fulfillment #\d+$/ }).waitFor();
      await page.locator('main').getByText(`Wren Harbour${stamp}`).first().waitFor();
      await page.locator('main').getByText('Harbour Street').first().waitFor();

      // Shipping list (a dense table since issue 16 item 3): the order with its date,
      // customer, status, ship-to city, lines and shipping outlet; the street is in its details.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shipping' }).click();
      const card = page.locator(`tbody.shipment[data-order="${harbour.name}"]`);
      await card.waitFor();
      const text = await card.innerText();
      for (const want of [`Wren Harbour${stamp}`, 'Portland', 'Red Tee', 'New'])
        t.assert(text.includes(want), `shipping row lacks "${want}": ${text}`);
      t.assert(await card.locator('time[datetime]').count() === 1, 'shipping row lacks the order date');
      const tracking = `1Z${stamp.toUpperCase()}`;
      await card.getByLabel('Tracking number').fill(tracking);
      await card.getByLabel('Carrier').fill('UPS');
      const [res] = await Promise.all([
        page.waitForResponse((r) => /\/api\/v1\/shipments\/\d+$/.test(r.url()) && r.request().method() === 'PATCH'),
        card.getByLabel('Carrier').press('Enter'),
      ]);
      t.assert(res.status() === 200, `PATCH shipment: ${res.status()}`);
      t.assert(res.request().headers()['x-csrf-token'], 'the PATCH carried no X-CSRF-Token');
      await card.waitFor({ state: 'detached' });

      // The shipped search finds it, with the tracking number.
      await page.getByRole('link', { name: 'Shipped' }).click();
      await page.getByLabel('Search shipped orders').fill(`Harbour${stamp}`);
      await page.getByLabel('Search shipped orders').press('Enter');
      await page.locator(`tbody.shipment[data-order="${harbour.name}"]`).getByText(tracking).waitFor();

      // The engine fulfilled the order on the webstore with that tracking number.
      const f = await t.poll(async () => (await t.fakeApi('GET', '/_fake/fulfillments')).fulfillments
        .find((x) => x.order_name === harbour.name), `the fulfillment of ${harbour.name} on the fakestore`);
      t.assert(f.tracking_number === tracking, `fakestore tracking number ${f.tracking_number}, expected ${tracking}`);
    },
  },
  {
    name: 'a staff user without access to an outlet never sees its orders',
    async fn(t) {
      t.assert(harbour && oldtown, 'needs the orders of the previous test');
      const page = await t.signIn('tom');
      // Tom (Old Town) sees the Old Town pickup in the bell...
      await page.locator('#bell').click();
      await page.locator('#bell-panel button.note', { hasText: `order ${oldtown.name}` }).waitFor();
      // ...and never the Harbour Street order, which arrived before it.
      t.assert(await page.locator('#bell-panel button.note', { hasText: `order ${harbour.name}` }).count() === 0,
        'tom sees the Harbour Street order in his notifications');
      await page.keyboard.press('Escape');
      await page.goto('/notifications');
      await page.locator('#notifications button.note', { hasText: `order ${oldtown.name}` }).waitFor();
      t.assert(await page.locator('#notifications', { hasText: `order ${harbour.name}` }).count() === 0,
        'tom sees the Harbour Street order on the notifications page');
      // Not on his shipping lists either (to ship or shipped).
      await page.goto(`/shipping?shipped=true&q=Harbour${stamp}`);
      await page.getByText('No shipped orders match.').waitFor();
      await page.goto(`/shipping?q=Harbour${stamp}`);
      await page.getByText('Nothing to ship right now.').waitFor();
      await page.goto('/shipping');
      await page.locator('#shipments tbody.shipment, p.empty:not([hidden])').first().waitFor();
      t.assert(await page.locator(`tbody.shipment[data-order="${harbour.name}"]`).count() === 0, 'tom sees the Harbour order on Shipping');
      await t.shot(page, 'shipping-staff');
      // Nor among fulfillments, and opening its sale is "not found".
      await page.goto('/fulfillments');
      await page.locator('#fulfillments tbody tr').first().waitFor();
      t.assert(await page.locator('#fulfillments', { hasText: harbour.name }).count() === 0, 'tom sees the Harbour order among fulfillments');
    },
  },
  {
    name: 'F2: a fulfillment moves forward along its statuses on its screen, with its history',
    async fn(t) {
      t.assert(oldtown, 'needs the orders of the first test');
      const page = await t.signIn('admin');
      // the Old Town pickup, still new: opened from the fulfillments list
      await page.goto('/fulfillments');
      const link = page.locator('#fulfillments tbody tr', { hasText: oldtown.name }).first().getByRole('link').first();
      const id = (await link.getAttribute('href')).match(/\/fulfillments\/(\d+)$/)[1];
      await link.click();
      // the URL changes before the screen is painted, and the list has its
      // own status buttons: wait for this fulfillment's heading
      await page.getByRole('heading', { name: `Fulfillment #${id}`, exact: true }).waitFor();
      for (const step of ['In progress', 'Packed']) {
        const [res] = await Promise.all([
          page.waitForResponse((r) => /\/api\/v1\/fulfillments\/\d+\/status$/.test(r.url())),
          page.getByRole('group', { name: `Move fulfillment ${id} to` }).getByRole('button', { name: step, exact: true }).click(),
        ]);
        t.assert(res.status() === 200, `${step}: ${res.status()}`);
        await page.locator('main table', { hasText: 'History' }).getByText(step).first().waitFor();
      }
      // a pickup ends when it is picked up, not shipped; it never goes back to new
      t.assert(await page.getByRole('button', { name: 'New', exact: true }).count() === 0, 'a step back is offered');
    },
  },
];
