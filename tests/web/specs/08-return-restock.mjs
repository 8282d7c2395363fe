// A return left off the shelf (SPEC M7: a Magento credit memo comes down
// unrestocked unless the channel's return_to_stock is on) is restocked later
// from the sale's page: the Restock button puts its lines back once, the
// outlet's stock rises, and the return then says Restocked.
export const tests = [
  {
    name: 'm7: a return not restocked is restocked later from the sale page, once',
    async fn(t) {
      const page = await t.signIn('admin');
      const item = (await (await page.request.get('/api/v1/items?sku=TEE-RED')).json()).data[0];
      const type = (await (await page.request.get('/api/v1/payment-types')).json()).data[0];
      const post = (path, b) => page.evaluate(async ([p, body]) => (await import('/api.js')).post(p, body), [path, b]);
      const onHand = async () => {
        const rows = (await (await page.request.get(`/api/v1/stock?item_id=${item.id}&outlet_id=1`)).json()).data;
        return rows[0].on_hand;
      };
      const sale = await post('/sales', {
        outlet_id: 1, allow_oversell: true, lines: [{ item_id: item.id, quantity: 2, unit_price: 1000 }],
        payments: [{ payment_type_id: type.id, amount: 2000 }],
      });
      const back = await post(`/sales/${sale.id}/returns`, {
        lines: [{ sale_line_id: sale.lines[0].id, quantity: 2, restock: false }],
      });
      const before = await onHand();

      await page.goto(`/sales/${sale.id}`);
      await page.getByRole('heading', { name: `Sale #${sale.id}` }).waitFor();
      t.assert((await page.getByText('not restocked').count()) === 1, 'the return does not say it is off the shelf');
      const [done] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/returns/${back.return.id}/restock`)),
        page.getByRole('button', { name: 'Restock' }).click(),
      ]);
      t.assert(done.status() === 200, `restock: ${done.status()} ${await done.text()}`);
      await page.getByRole('cell', { name: 'Restocked', exact: true }).waitFor();
      t.assert(!(await page.getByRole('button', { name: 'Restock', exact: true }).count()), 'Restock is still offered');
      t.assert((await onHand()) === before + 2, `on hand ${await onHand()}, want ${before + 2}`);
    },
  },
];
