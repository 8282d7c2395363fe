// A sale made on the Sell screen moves stock, which the webstore (fakestore)
// then shows; and an unpaid web order takes its payment on the sale screen.
export const tests = [
  {
    name: 'a sale on the Sell screen moves stock that the fakestore then shows',
    async fn(t) {
      const sku = 'CAP-NVY';
      const fakeLevel = async () => (await t.fakeApi('GET', `/_fake/inventory?sku=${sku}`)).levels
        .reduce((s, l) => s + l.available, 0);
      const page = await t.signIn('tom');
      // The POS's figure for the webstore (both outlets' available stock) and
      // the fakestore's must agree before the sale: the start-up sync is done.
      const posLevel = async () => (await (await page.request.get(`/api/v1/items?sku=${sku}`)).json()).data[0].id;
      const itemId = await posLevel();
      const adminPage = await t.signIn('admin');
      const posAvailable = async () => (await (await adminPage.request.get(`/api/v1/stock?item_id=${itemId}`)).json()).data
        .reduce((s, r) => s + r.available, 0);
      const start = await t.poll(async () => { const a = await posAvailable(); return (await fakeLevel()) === a ? a : 0; },
        'the fakestore to agree with the POS before the sale');

      await page.getByRole('link', { name: 'Sell' }).click();
      await page.getByRole('heading', { name: 'Sell' }).waitFor();
      t.assert(await page.locator('#sell-outlet option').count() === 1, 'tom can sell only at Old Town');
      await page.getByLabel('Add item').fill(sku);
      await page.getByLabel('Add item').press('Enter');
      const row = page.locator('#cart tbody tr', { hasText: 'Navy Cap' });
      await row.waitFor();
      await row.getByRole('spinbutton').fill('2');
      await row.getByRole('spinbutton').press('Tab');
      await page.locator('#sell-total', { hasText: '$' }).waitFor();
      await t.shot(page, 'sell');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/sales') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Complete sale' }).click(),
      ]);
      t.assert(res.status() === 201, `POST /sales: ${res.status()} ${await res.text()}`);
      const sale = await res.json();
      t.assert(sale.status === 'completed' && sale.balance_due === 0, `sale not paid in full: ${sale.status} ${sale.balance_due}`);
      t.assert(sale.lines[0].quantity === 2 && sale.outlet_id === 2, 'sale lines or outlet wrong');
      await page.locator('#sell-sale-link').waitFor();
      await t.poll(async () => (await fakeLevel()) === start - 2, `the fakestore's ${sku} level to drop from ${start} to ${start - 2}`);
    },
  },
  {
    name: 'an unpaid web order takes its payment on the sale screen',
    async fn(t) {
      const order = await t.fakeApi('POST', '/_fake/orders', {
        line_items: [{ sku: 'MUG-GRN', quantity: 1 }], email: 'unpaid@example.com',
        customer: { first_name: 'Una', last_name: 'Paid' }, financial_status: 'pending', gateway: 'manual',
        shipping_address: { first_name: 'Una', last_name: 'Paid', address1: '9 Quay', city: 'Portland', province_code: 'ME', zip: '04101', country_code: 'US' },
        shipping_lines: [{ title: 'Standard', price: '5.00' }],
      });
      const page = await t.signIn('admin');
      const row = await t.poll(async () => (await (await page.request.get('/api/v1/channels/1/orders?limit=200')).json()).data
        .find((o) => o.number === order.name && o.sale_id), `order ${order.name} to come down as a sale`);
      await page.goto('/sell');
      const link = page.locator('section', { hasText: 'Unpaid web orders' }).locator('tr', { hasText: order.name }).getByRole('link', { name: 'Take payment' });
      await link.click();
      await page.waitForURL(new RegExp(`/sales/${row.sale_id}`));
      const form = page.locator('#take-payment');
      await form.waitFor();
      await t.shot(page, 'sale-take-payment');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/sales/${row.sale_id}/payments`)),
        form.getByRole('button', { name: 'Take payment' }).click(),
      ]);
      t.assert(res.status() === 201, `POST payments: ${res.status()} ${await res.text()}`);
      await page.locator('#balance-due', { hasText: '$0.00' }).waitFor();
      await page.locator('main .badge', { hasText: 'Completed' }).first().waitFor();
    },
  },
];
