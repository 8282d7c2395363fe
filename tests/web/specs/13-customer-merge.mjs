// Merging a duplicate customer (issue 16, customers): a manager finds the
// duplicate by its email on the kept customer's page, confirms, and the page
// then shows the duplicate's sales and its email; the duplicate is gone.
export const tests = [
  {
    name: 'customers: a duplicate found by email is merged in, its sales with it',
    async fn(t) {
      const page = await t.signIn('admin');
      const post = (p, b) => page.evaluate(async ([path, body]) => (await import('/api.js')).post(path, body), [p, b]);
      const stamp = Date.now().toString(36);
      const keep = await post('/customers', { first_name: 'Mira', last_name: `Keep${stamp}` });
      const dup = await post('/customers', { first_name: 'Mira', last_name: '', email: `mira.${stamp}@example.com` });
      const item = (await (await page.request.get('/api/v1/items?limit=1')).json()).data[0];
      const sale = await post('/sales', { outlet_id: 1, customer_id: dup.id, allow_oversell: true,
        lines: [{ item_id: item.id, quantity: 1, unit_price: 500 }] });

      await page.goto(`/customers/${keep.id}`);
      await page.locator('#merge-from').waitFor();
      await page.fill('#merge-from', dup.email);
      page.once('dialog', (d) => d.accept());
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/customers/${keep.id}/merge`)),
        page.getByRole('button', { name: 'Merge into this customer' }).click(),
      ]);
      t.assert(answer.status() === 200, `merge answered ${answer.status()}`);
      await page.locator(`#customer-sales tbody tr[data-sale="${sale.id}"]`).waitFor();
      t.assert(await page.getByText(dup.email).count() >= 1, 'the duplicate\'s email is the kept customer\'s now');
      const gone = await page.request.get(`/api/v1/customers/${dup.id}`);
      t.assert(gone.status() === 404, `the duplicate is gone (${gone.status()})`);
      await t.axe(page, 'customer-merge');
    },
  },
];
