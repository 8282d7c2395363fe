// What a clerk ran into, as browser tests: a cancelled order offers no
// shipping and the webstore hears nothing of it (SPEC F3); a tracking number
// of spaces is refused; the customer's name opens the shipment's details
// (seed 000); pickups have their own list and flow (SPEC SH2); a quantity
// over the outlet's stock asks before it sells (SPEC A4: only web orders
// backorder). Every wait is on a locator, a response or a bounded poll.
const stamp = Date.now().toString(36);

function orderBody(last, shipping) {
  return {
    line_items: [{ sku: 'TEE-RED', quantity: 1 }],
    email: `${last.toLowerCase()}@example.com`,
    customer: { first_name: 'Wren', last_name: last },
    shipping_address: { first_name: 'Wren', last_name: last, address1: '5 Test Street', city: 'Portland',
      province_code: 'ME', zip: '04101', country: 'United States', country_code: 'US', phone: '207-555-0101' },
    shipping_lines: [shipping],
  };
}

// The POS sale of a fakestore order, once the pipeline has brought it down.
async function saleOf(t, page, order) {
  const row = await t.poll(async () => (await (await page.request.get('/api/v1/channels/1/orders?limit=500')).json()).data
    .find((o) => o.number === order.name && o.sale_id), `order ${order.name} to come down as a sale`);
  return (await page.request.get(`/api/v1/sales/${row.sale_id}`)).json();
}

export const tests = [
  {
    name: 'F3: a fulfillment cancelled elsewhere is not shipped from a stale card, leaves Shipping, and the webstore hears nothing',
    async fn(t) {
      const page = await t.signIn('admin');
      const last = `Cancel${stamp}`;
      const order = await t.fakeApi('POST', '/_fake/orders', orderBody(last, { title: 'Standard', price: '5.00' }));
      const sale = await saleOf(t, page, order);
      const ff = sale.fulfillments[0];
      t.assert(ff && ff.kind === 'shipping' && ff.status === 'new', `unexpected fulfillment ${JSON.stringify(ff)}`);

      await page.goto(`/shipping?q=${last}`);
      const card = page.locator(`tbody.shipment[data-order="${order.name}"]`);
      await card.waitFor();

      // Seed 000: the customer's name opens the shipment's details.
      const name = card.getByRole('button', { name: `Wren ${last}` });
      await name.click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      const text = await dialog.innerText();
      for (const want of ['5 Test Street', 'Portland', '207-555-0101', 'Red Tee', 'Standard', 'Not yet'])
        t.assert(text.includes(want), `the details lack "${want}": ${text}`);
      await t.shot(page, 'shipment-details');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      t.assert(await name.evaluate((el) => el === document.activeElement), 'closing the details does not return focus to the name');

      // A tracking number of spaces is none: refused before anything is sent.
      let patches = 0;
      page.on('request', (r) => { if (r.method() === 'PATCH') patches++; });
      await card.getByLabel('Tracking number').fill('   ');
      await card.getByLabel('Tracking number').press('Enter');
      await card.getByText('Enter the tracking number.').waitFor();
      t.assert(patches === 0, `a blank tracking number was sent (${patches} PATCH)`);

      // Cancelled on the Fulfillments screen in another tab: no move is offered any more.
      const other = await page.context().newPage();
      other.on('dialog', (d) => d.accept());
      await other.goto(`/fulfillments/${ff.id}`);
      const [cancel] = await Promise.all([
        other.waitForResponse((r) => r.url().endsWith(`/api/v1/fulfillments/${ff.id}/status`)),
        other.getByRole('button', { name: 'Cancelled', exact: true }).click(),
      ]);
      t.assert(cancel.status() === 200, `cancel: ${cancel.status()}`);
      await other.locator('.hint', { hasText: 'Final' }).waitFor();
      t.assert(await other.locator('.status-buttons').count() === 0, 'a cancelled fulfillment still offers moves');
      await other.close();

      // The stale card: the server refuses, the form goes, nothing is shipped.
      await card.getByLabel('Tracking number').fill('1ZCANCEL');
      const [res] = await Promise.all([
        page.waitForResponse((r) => /\/api\/v1\/shipments\/\d+$/.test(r.url()) && r.request().method() === 'PATCH'),
        card.getByLabel('Tracking number').press('Enter'),
      ]);
      t.assert(res.status() === 409, `shipping a cancelled order: ${res.status()}`);
      const code = (await res.json()).error.code;
      t.assert(code === 'fulfillment_cancelled', `error code ${code}`);
      await card.locator('p.note', { hasText: 'cancelled' }).waitFor();
      t.assert(await card.locator('form.ship-form').count() === 0, 'the Mark shipped form is still there');

      // Off the list to ship, and not among the shipped either.
      await page.reload();
      await page.getByText('Nothing to ship right now.').waitFor();
      await page.goto(`/shipping?shipped=true&q=${last}`);
      await page.getByText('No shipped orders match.').waitFor();
      const shipped = (await t.fakeApi('GET', '/_fake/fulfillments')).fulfillments.filter((x) => x.order_name === order.name);
      t.assert(shipped.length === 0, `the webstore was told ${order.name} shipped`);
    },
  },
  {
    name: 'SH2: a pickup is not on Shipping; on Pickups it goes ready for pickup, then picked up, with no tracking number',
    async fn(t) {
      const page = await t.signIn('tom');
      const last = `Pick${stamp}`;
      const order = await t.fakeApi('POST', '/_fake/orders', orderBody(last, { title: 'Pickup at Old Town', price: '0.00' }));
      await saleOf(t, page, order);

      await page.goto(`/shipping?q=${last}`);
      await page.getByText('Nothing to ship right now.').waitFor();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pickups' }).click();
      await page.getByRole('heading', { name: 'Pickups' }).waitFor();
      const card = page.locator(`tbody.pickup[data-order="${order.name}"]`);
      await card.waitFor();
      const text = await card.innerText();
      for (const want of [`Wren ${last}`, 'Red Tee', 'Old Town', '207-555-0101', 'New'])
        t.assert(text.includes(want), `the pickup card lacks "${want}": ${text}`);
      t.assert(await card.getByLabel('Tracking number').count() === 0, 'a pickup asks for a tracking number');

      const move = async (button, status) => {
        const [res] = await Promise.all([
          page.waitForResponse((r) => /\/api\/v1\/fulfillments\/\d+\/status$/.test(r.url())),
          card.getByRole('button', { name: button }).click(),
        ]);
        t.assert(res.status() === 200, `${status}: ${res.status()}`);
        t.assert(JSON.parse(res.request().postData()).status === status, `sent ${res.request().postData()}`);
      };
      await move(/^Ready for pickup/, 'packed');
      await card.locator('.badge', { hasText: 'Ready for pickup' }).waitFor();
      await move(/^Picked up/, 'picked_up');
      await card.waitFor({ state: 'detached' });

      await page.locator('nav.tabs').getByRole('link', { name: 'Picked up' }).click();
      await page.locator(`tbody.pickup[data-order="${order.name}"]`).locator('.badge', { hasText: 'Picked up' }).waitFor();
    },
  },
  {
    name: 'A4: a quantity over the stock asks first; Change the quantity sells nothing, Sell anyway records it',
    async fn(t) {
      const page = await t.signIn('tom');
      const sku = 'NOTE-SND';
      const item = (await (await page.request.get(`/api/v1/items?sku=${sku}`)).json()).data[0];
      const available = async () => (await (await page.request.get(`/api/v1/stock?item_id=${item.id}`)).json()).data
        .find((r) => r.outlet_id === 2).available;
      const before = await available();

      await page.goto('/sell');
      await page.getByRole('heading', { name: 'Sell' }).waitFor();
      await page.getByLabel('Add item').fill(sku);
      await page.getByLabel('Add item').press('Enter');
      const row = page.locator('#cart tbody tr', { hasText: item.name });
      await row.waitFor();
      const qty = row.getByRole('spinbutton');
      await qty.fill('9999');
      await qty.press('Tab');

      const complete = async () => {
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/sales') && r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Complete sale' }).click(),
        ]);
        return res;
      };
      let res = await complete();
      t.assert(res.status() === 409, `POST /sales with 9999: ${res.status()}`);
      const dialog = page.getByRole('alertdialog');
      await dialog.getByText(`9999 x ${item.name} is more than Old Town has in stock (${before})`).waitFor();
      await t.shot(page, 'sell-oversell');
      await dialog.getByRole('button', { name: 'Change the quantity' }).click();
      await dialog.waitFor({ state: 'detached' });
      // the dialog's close (and the browser's own focus restoring) settle in their own
      // tasks: wait, bounded, for the focus to land on the quantity
      const focused = await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id,
        `qty-${item.id}`, { timeout: 3000 }).then(() => true, () => false);
      t.assert(focused, `the focus is not on the quantity but on #${await page.evaluate(() => document.activeElement && document.activeElement.id)}`);
      t.assert(await available() === before, 'the refused sale moved stock');

      // One more than the outlet has, confirmed: recorded, stock below zero.
      await page.locator(`#qty-${item.id}`).fill(String(before + 1));
      await page.locator(`#qty-${item.id}`).press('Tab');
      res = await complete();
      t.assert(res.status() === 409, `POST /sales with ${before + 1}: ${res.status()}`);
      const [sold] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/sales') && r.request().method() === 'POST'),
        page.getByRole('alertdialog').getByRole('button', { name: 'Sell anyway' }).click(),
      ]);
      t.assert(sold.status() === 201, `confirmed sale: ${sold.status()} ${await sold.text()}`);
      t.assert(JSON.parse(sold.request().postData()).allow_oversell === true, 'the confirmed sale did not carry allow_oversell');
      await page.locator('#sell-sale-link').waitFor();
      t.assert(await available() === -1, `stock after selling ${before + 1} of ${before}: ${await available()}`);
    },
  },
];
