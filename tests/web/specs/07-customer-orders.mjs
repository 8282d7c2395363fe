// Customer orders (SPEC M6): an order taken with a reservation and a deposit
// shows on the Orders screen (reached from the nav) with what it holds; it is
// turned into a sale there, and a second one is cancelled (confirmed first),
// releasing its reserved stock.
export const tests = [
  {
    name: 'm6: an open order shows its reservation and deposit, is turned into a sale, another is cancelled',
    async fn(t) {
      const page = await t.signIn('admin');
      const me = await (await page.request.get('/api/v1/me')).json();
      const outlet = (me.outlets || me.user?.outlets || [])[0]?.id || 1;
      const item = (await (await page.request.get('/api/v1/items?sku=TEE-RED')).json()).data[0];
      const type = (await (await page.request.get('/api/v1/payment-types')).json()).data[0];
      // taken through the app's own API module, which holds the session's CSRF token
      const take = () => page.evaluate(async (b) => (await import('/api.js')).post('/orders', b), {
        outlet_id: outlet, lines: [{ item_id: item.id, quantity: 2 }],
        deposit: { payment_type_id: type.id, amount: 100 }, allow_oversell: true,
      });
      const first = await take();
      const second = await take();
      t.assert(first.reserved_total === 2 && first.order_status === 'open', `order not reserving: ${JSON.stringify(first)}`);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
      await page.getByRole('heading', { name: 'Open orders' }).waitFor();
      const row = page.locator(`#orders tr[data-order="${first.id}"]`);
      await row.waitFor();
      t.assert((await row.innerText()).includes('Open'), 'the row does not say Open');
      await t.shot(page, 'orders');
      await row.getByRole('link', { name: `#${first.id}` }).click();
      await page.getByRole('heading', { name: `Order #${first.id}` }).waitFor();
      t.assert((await page.locator('#reserved-total').textContent()) === '2', 'reserved total not shown');
      t.assert((await page.locator('#deposits tbody tr').count()) === 1, 'the deposit is not listed');
      await t.shot(page, 'order');
      await page.getByLabel(/^Payment \(/).fill('');
      const [done] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/orders/${first.id}/complete`)),
        page.getByRole('button', { name: 'Turn into sale' }).click(),
      ]);
      t.assert(done.status() === 200, `complete: ${done.status()} ${await done.text()}`);
      await page.locator('.statuses', { hasText: 'Turned into sale' }).waitFor();
      t.assert((await page.locator('#reserved-total').textContent()) === '0', 'still reserved after the sale');
      t.assert(!(await page.getByRole('button', { name: 'Turn into sale' }).count()), 'a sale offers Turn into sale');

      await page.goto(`/orders/${second.id}`);
      await page.getByRole('heading', { name: `Order #${second.id}` }).waitFor();
      page.once('dialog', (d) => d.accept());
      const [cancelled] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/orders/${second.id}/cancel`)),
        page.getByRole('button', { name: 'Cancel order' }).click(),
      ]);
      t.assert(cancelled.status() === 200, `cancel: ${cancelled.status()} ${await cancelled.text()}`);
      await page.locator('.statuses', { hasText: 'Cancelled' }).waitFor();
      t.assert((await page.locator('#reserved-total').textContent()) === '0', 'still reserved after the cancel');

      // staff (tom) see no Cancel button: a manager's, as a void
      const staff = await t.signIn('tom');
      const third = await staff.evaluate(async (b) => (await import('/api.js')).post('/orders', b), {
        outlet_id: 2, lines: [{ item_id: item.id, quantity: 1 }], reserve: false,
      });
      await staff.goto(`/orders/${third.id}`);
      await staff.getByRole('heading', { name: `Order #${third.id}` }).waitFor();
      await staff.getByRole('button', { name: 'Turn into sale' }).waitFor();
      t.assert(!(await staff.getByRole('button', { name: 'Cancel order' }).count()), 'staff see Cancel order');
    },
  },
];
