// Reopening an exported sale in the app (SPEC E9, docs/web-app.md "Sales"): a
// webstore connects with the admin's password and exports a paid order
// (POST /api/v1/connection/orders, with Node fetch as the webstore would) to
// the first outlet; the admin opens the sale, picks the other outlet (its
// register comes with it) and a note in the Reopen form, and saves: the sale
// is at the other outlet, the history lists the change and the note, and the
// item's stock came back at the first outlet and left the second.
export const tests = [
  {
    name: 'e9: an exported sale is reopened to another outlet from the sale page',
    async fn(t) {
      const hook = `spec-reopen-${Date.now()}`;
      const res = await fetch(`${t.base}/api/v1/connection`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin-demo', webstore_id: hook, name: 'Reopen spec webstore' }),
      });
      const made = await res.json();
      t.assert(res.status === 201, `connect: ${res.status} ${JSON.stringify(made)}`);
      const auth = { Authorization: `Bearer ${made.token}`, 'Content-Type': 'application/json' };

      const page = await t.signIn('admin');
      const get = async (p) => (await (await page.request.get(p)).json()).data;
      const outlets = await get('/api/v1/outlets?limit=100');
      const registers = await get('/api/v1/registers?limit=100');
      const employees = await get('/api/v1/employees?limit=100');
      t.assert(outlets.length >= 2, 'the demo has two outlets');
      const [from, to] = outlets;
      const reg1 = registers.find((r) => r.outlet_id === from.id);
      const reg2 = registers.find((r) => r.outlet_id === to.id);
      t.assert(reg1 && reg2 && employees.length, 'the demo has a register at each outlet and an employee');
      const patch = await fetch(`${t.base}/api/v1/connection`, {
        method: 'PATCH', headers: auth,
        body: JSON.stringify({ locations: [{ location_id: 'L1', outlet_id: from.id }], employee_id: employees[0].id, register_id: reg1.id }),
      });
      t.assert(patch.status === 200, `complete the connection: ${patch.status} ${await patch.text()}`);

      const item = (await get('/api/v1/items?sku=TEE-RED'))[0];
      const onHand = async (outlet) => {
        const rows = await get(`/api/v1/stock?item_id=${item.id}&outlet_id=${outlet}`);
        return rows.length ? rows[0].on_hand : 0;
      };
      const exp = await fetch(`${t.base}/api/v1/connection/orders`, {
        method: 'POST', headers: auth,
        body: JSON.stringify({ orders: [{
          order_id: hook, number: `W-${hook}`, created_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          currency: from.currency, location_id: 'L1',
          lines: [{ sku: 'TEE-RED', title: 'Tee', quantity: 1, unit_price: 1000 }],
          total: 1000, payments: [{ method: 'Card', amount: 1000 }],
        }] }),
      });
      const exported = await exp.json();
      t.assert(exp.status === 200 && exported.results[0].outcome === 'created', `export: ${exp.status} ${JSON.stringify(exported)}`);
      const saleId = exported.results[0].sale_id;
      const before = [await onHand(from.id), await onHand(to.id)];

      await page.goto(`/sales/${saleId}`);
      await page.getByRole('heading', { name: `Sale #${saleId}` }).waitFor();
      const form = page.locator('#reopen-sale');
      await form.waitFor();
      await form.locator('#reopen-outlet').selectOption(String(to.id));
      t.assert(await form.locator('#reopen-register').inputValue() === String(reg2.id), 'the new outlet\'s register is not offered');
      await form.locator('#reopen-note').fill('collected at the other shop');
      const [done] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/sales/${saleId}/reopen`)),
        form.getByRole('button', { name: 'Reopen and save' }).click(),
      ]);
      t.assert(done.status() === 200, `reopen: ${done.status()} ${await done.text()}`);
      const history = page.locator('#sale-history');
      await history.getByText(`Outlet: ${from.name} → ${to.name}`).waitFor();
      await history.getByText('collected at the other shop').waitFor();
      t.assert((await history.innerText()).includes('admin'), 'the history does not say who');
      await history.scrollIntoViewIfNeeded();
      await t.shot(page, 'sale-reopen');
      const after = [await onHand(from.id), await onHand(to.id)];
      t.assert(after[0] === before[0] + 1 && after[1] === before[1] - 1,
        `stock did not follow: before ${before}, after ${after}`);
      const sale = await (await page.request.get(`/api/v1/sales/${saleId}`)).json();
      t.assert(sale.outlet_id === to.id && sale.register_id === reg2.id, `the sale is at ${sale.outlet_id}/${sale.register_id}`);
      t.assert(!(await page.locator('#alert').innerText()).trim(), await page.locator('#alert').innerText());
    },
  },
];
