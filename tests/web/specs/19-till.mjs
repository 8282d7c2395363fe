// The till (issue 16 item 4, and item 7's Sell cart): a sale with a new
// customer, a price level, line and sale discounts, a note and a stock
// warning; the cart kept through a reload and a session that expired; the
// sale page showing the server's exact figures; void, return with restock and
// refund, "needs review" resolved by mapping an unknown line (O5); the receipt.
const money = (page, v) => page.evaluate(async (x) => (await import('/format.js')).money(x, 'USD'), v);
const api = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const a = await import('/api.js');
  return m === 'GET' ? a.get(p) : m === 'DELETE' ? a.del(p) : a.post(p, b);
}, [method, path, body]);

async function addBySku(page, sku) {
  await page.getByLabel('Add item').fill(sku);
  await page.getByLabel('Add item').press('Enter');
  await page.locator('#cart tbody tr[data-item]').filter({ hasText: sku }).waitFor();
}

export const tests = [
  {
    name: 'till: customer, price level, discounts, note and stock warning; the cart survives a reload and an expired session',
    async fn(t) {
      const page = await t.signIn('tom');
      const stamp = Date.now().toString(36);
      const levels = (await api(page, 'GET', '/price-levels')).data;
      const sale = levels.find((l) => l.name === 'Sale');
      const tee = (await api(page, 'GET', '/items?sku=TEE-RED')).data[0];
      const mug = (await api(page, 'GET', '/items?sku=MUG-NVY')).data[0];
      const teePrice = tee.prices.find((p) => p.price_level_id === sale.id).amount;
      const mugPrice = mug.prices.find((p) => p.price_level_id === sale.id).amount;
      const mugHave = (await api(page, 'GET', `/items/${mug.id}`)).stock.find((s) => s.outlet_id === 2).available;

      await page.getByRole('link', { name: 'Sell' }).click();
      await page.getByRole('heading', { name: 'Sell' }).waitFor();
      await page.selectOption('#sell-level', String(sale.id));

      // a new customer, made in place
      await page.getByRole('button', { name: 'New customer' }).click();
      await page.locator('#sell-new-customer').waitFor();
      await t.axe(page, 'sell-new-customer');
      await page.fill('#sell-new-first_name', 'Tilly');
      await page.fill('#sell-new-last_name', `Counter${stamp}`);
      await page.fill('#sell-new-email', `tilly.${stamp}@example.com`);
      await page.fill('#sell-new-phone', '+1 207 555 0199');
      await page.getByRole('button', { name: 'Save customer' }).click();
      await page.locator('#sell-customer-name', { hasText: `Tilly Counter${stamp}` }).waitFor();

      await addBySku(page, 'TEE-RED');
      const teeRow = page.locator('#cart tbody tr[data-item]', { hasText: 'TEE-RED' });
      await teeRow.getByRole('spinbutton').fill('2');
      await teeRow.getByRole('spinbutton').press('Tab');
      await page.fill(`#disc-${tee.id}`, '10');
      await page.selectOption(`#disc-kind-${tee.id}`, 'percent');
      await addBySku(page, 'MUG-NVY');
      const mugRow = page.locator('#cart tbody tr[data-item]', { hasText: 'MUG-NVY' });
      // more than Old Town has: the line says so before paying
      await mugRow.getByRole('spinbutton').fill(String(mugHave + 1));
      await mugRow.getByRole('spinbutton').press('Tab');
      const warning = mugHave <= 0 ? 'None in stock at Old Town.' : `Only ${mugHave} in stock at Old Town.`;
      await mugRow.locator('.stock-warn', { hasText: warning }).waitFor();
      await mugRow.getByRole('spinbutton').fill('1');
      await mugRow.getByRole('spinbutton').press('Tab');
      if (mugHave >= 1) t.assert(!(await mugRow.locator('.stock-warn').count()), 'the warning stays once the quantity fits');
      await page.fill(`#disc-${mug.id}`, '1.00');
      await page.locator(`#disc-${mug.id}`).press('Tab');
      await page.fill('#sell-sale-discount', '7.5');
      await page.selectOption('#sell-sale-discount-kind', 'percent');
      await page.fill('#sell-note', 'Gift wrap, please');

      // the figures, in integers as the server makes them
      const teeDisc = Math.floor((teePrice * 2 * 1000 + 5000) / 10000);
      const sums = (mp) => {
        const sub = teePrice * 2 + mp;
        const b = sub - teeDisc - 100;
        const sd = Math.floor((b * 750 + 5000) / 10000);
        return [sub, sd, b - sd];
      };
      let [subtotal, saleDisc, total] = sums(mugPrice);
      await page.locator('#sell-total', { hasText: await money(page, total) }).waitFor();
      await page.locator('#sell-discounts', { hasText: await money(page, saleDisc) }).waitFor();
      await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
      await t.shot(page, 'sell-customer');
      await t.axe(page, 'sell-customer');

      // a reload keeps the cart
      const totalText = await money(page, total);
      const started = Date.now();
      await page.reload();
      await page.locator('#sell-total', { hasText: totalText }).waitFor();
      console.log(`     the Sell cart (2 lines, items read again) was back ${Date.now() - started} ms after the reload began`);
      t.assert(await page.inputValue('#sell-note') === 'Gift wrap, please', 'the note is back after a reload');
      t.assert(await page.inputValue('#sell-level') === String(sale.id), 'the price level is back after a reload');
      await page.locator('#sell-customer-name', { hasText: `Tilly Counter${stamp}` }).waitFor();

      // so does going elsewhere and coming back
      await page.getByRole('link', { name: 'Sales', exact: true }).click();
      await page.getByRole('heading', { name: 'Sales' }).waitFor();
      await page.getByRole('link', { name: 'Sell' }).click();
      await page.locator('#sell-total', { hasText: await money(page, total) }).waitFor();

      // on a tablet: every action of the cart within the screen, nothing to scroll sideways
      await page.setViewportSize({ width: 768, height: 1024 });
      for (const b of await page.locator('#cart button, #sell-complete, #sell-clear, #sell-customer button:visible').all()) {
        const box = await b.boundingBox();
        t.assert(box && box.x >= 0 && box.x + box.width <= 768, `${await b.textContent()} is off the screen at 768 px (${box && box.x + box.width})`);
      }
      t.assert(await page.evaluate(() => document.documentElement.scrollWidth) <= 768, 'the Sell screen scrolls sideways at 768 px');
      await t.shot(page, 'sell-tablet');
      await page.setViewportSize({ width: 1280, height: 860 });

      // meanwhile the mug's Sale price goes up: the cart takes the new one, and says so
      const admin = await t.signIn('admin');
      const newMug = mugPrice + 100;
      const mugPrices = mug.prices.map((p) => ({ price_level_id: p.price_level_id, amount: p.price_level_id === sale.id ? newMug : p.amount }));
      await admin.evaluate(async ([id, prices]) => (await import('/api.js')).patch(`/items/${id}`, { prices }), [mug.id, mugPrices]);
      [subtotal, saleDisc, total] = sums(newMug);

      // the session ends (as one that expired): the next call is refused, the clerk signs in again
      await api(page, 'DELETE', '/session');
      await page.getByLabel('Add item').fill('CAP-RED');
      await Promise.all([page.waitForURL(/\/signin\?next=%2Fsell/), page.getByLabel('Add item').press('Enter')]);
      await page.getByLabel('Username').fill('tom');
      await page.getByLabel('Password').fill('tom-demo');
      await Promise.all([page.waitForURL('**/sell'), page.getByLabel('Password').press('Enter')]);
      await page.locator('#sell-total', { hasText: await money(page, total) }).waitFor();
      t.assert(await page.locator('#cart tbody tr[data-item]').count() === 2, 'both lines are back after signing in');
      await page.locator('#sell-restored', { hasText: `${mug.name} now costs ${await money(page, newMug)} (was ${await money(page, mugPrice)}).` }).waitFor();
      t.assert(await page.inputValue(`#disc-${tee.id}`) === '10' && await page.inputValue(`#disc-kind-${tee.id}`) === 'percent', 'the line discount is back');
      await page.locator('#sell-customer-name', { hasText: `Tilly Counter${stamp}` }).waitFor();

      // the customer hands over more than the total: the change is on the receipt
      await page.fill('#sell-amount', ((total + 586) / 100).toFixed(2));
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/sales') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Complete sale' }).click(),
      ]);
      let made = res;
      if (res.status() === 409 || res.status() === 422) { // Old Town is out of mugs: the clerk confirms
        [made] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/sales') && r.request().method() === 'POST'),
          page.locator('#sell-oversell').click(),
        ]);
      }
      t.assert(made.status() === 201, `POST /sales: ${made.status()} ${await made.text()}`);
      const s = await made.json();
      t.assert(s.subtotal === subtotal && s.discount_total === teeDisc + 100 + saleDisc && s.total === total && s.balance_due === 0,
        `server figures ${s.subtotal}/${s.discount_total}/${s.total}/${s.balance_due}, want ${subtotal}/${teeDisc + 100 + saleDisc}/${total}/0`);
      t.assert(s.price_level_id === sale.id || s.price_level_id === undefined, 'the sale carries the level');
      t.assert(s.lines[0].unit_price === teePrice && s.lines[0].line_discount === teeDisc, 'line 1 at the Sale level with its discount');
      t.assert(s.lines[1].unit_price === newMug, `line 2 at the mug's new price (${s.lines[1].unit_price})`);
      t.assert(s.discounts.length === 1 && s.discounts[0].name === 'Sale discount 7.5%' && s.discounts[0].amount === saleDisc, 'the sale discount');
      t.assert(s.note === 'Gift wrap, please' && s.customer && s.customer.first_name === 'Tilly', 'note and customer');
      // the cart is gone once the sale is made
      t.assert(await page.locator('#cart tbody tr[data-item]').count() === 0, 'the cart is empty after the sale');
      t.assert(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sb-cart:') && JSON.parse(localStorage[k]).lines.length).length) === 0, 'no cart kept');

      await page.locator('#sell-done', { hasText: `Change: ${await money(page, 586)}` }).waitFor();

      // the receipt: the server's figures, the customer, the change; printed alone, 80 mm wide
      await page.locator('#sell-receipt').click();
      const paper = page.locator('#receipt');
      await paper.waitFor();
      for (const text of [tee.name, mug.name, `Sale #${s.id}`, `Customer: Tilly Counter${stamp}`, 'Sale discount 7.5%', 'Gift wrap, please', 'Old Town'])
        await paper.getByText(text).first().waitFor();
      await paper.locator('#receipt-total', { hasText: await money(page, total) }).waitFor();
      await paper.locator('#receipt-change', { hasText: await money(page, 586) }).waitFor();
      await paper.getByText('−' + await money(page, teeDisc), { exact: true }).waitFor();
      const when = await page.evaluate(async ([iso, o]) => (await import('/format.js')).dateTime(iso, o), [s.created_at, s.outlet_id]);
      await paper.getByText(when).waitFor();
      await t.axe(page, 'receipt');
      await t.shot(page, 'receipt');
      await page.emulateMedia({ media: 'print' });
      t.assert(!(await page.locator('header.top').isVisible()) && !(await page.locator('#receipt-print').isVisible()), 'printing shows the receipt alone');
      const pdf = await page.pdf({ preferCSSPageSize: true });
      t.assert(pdf.subarray(0, 5).toString() === '%PDF-' && pdf.length > 1000, 'the receipt prints to a PDF');
      // the page is the 80 mm roll (226.8 pt), not A4 or Letter
      const media = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.toString('latin1'));
      t.assert(media && Math.abs(Number(media[1]) - 226.77) < 1, `the receipt's page is 80 mm wide: ${media && media[0]}`);
      await page.emulateMedia({ media: 'screen' });

      await page.getByRole('link', { name: 'Back to the sale' }).click();
      await page.getByRole('heading', { name: `Sale #${s.id}` }).waitFor();
      const facts = page.locator('main dl.facts');
      await facts.getByText(await money(page, total), { exact: true }).first().waitFor();
      await facts.getByText('−' + await money(page, teeDisc + 100 + saleDisc), { exact: true }).waitFor();
      await page.getByRole('link', { name: `Tilly Counter${stamp}` }).waitFor();
      // Clear sale forgets a cart for good
      await page.getByRole('link', { name: 'Sell' }).click();
      await addBySku(page, 'TEE-RED');
      await page.getByRole('button', { name: 'Clear sale' }).click();
      await page.locator('#cart td.empty').waitFor();
      await page.reload();
      await page.locator('#cart td.empty').waitFor();
      t.assert(await page.locator('#sell-customer-name').textContent() === 'Walk-in', 'a cleared sale is a walk-in again');
      await admin.evaluate(async ([id, prices]) => (await import('/api.js')).patch(`/items/${id}`, { prices }), [mug.id, mug.prices.map((p) => ({ price_level_id: p.price_level_id, amount: p.amount }))]);
    },
  },
  {
    name: 'till: a manager voids a sale after a dialog that says what a void does; its stock comes back',
    async fn(t) {
      // a manager's role or above (maria, the demo's manager, is locked out by spec 01's bad sign-ins)
      const page = await t.signIn('admin');
      const tee = (await api(page, 'GET', '/items?sku=TEE-SND')).data[0];
      const type = (await api(page, 'GET', '/payment-types')).data[0];
      const onHand = async () => ((await api(page, 'GET', `/stock?item_id=${tee.id}&outlet_id=1`)).data[0] || { on_hand: 0 }).on_hand;
      const sale = await api(page, 'POST', '/sales', { outlet_id: 1, allow_oversell: true,
        lines: [{ item_id: tee.id, quantity: 3, unit_price: 1000 }], payments: [{ payment_type_id: type.id, amount: 3000 }] });
      const before = await onHand();
      await page.goto(`/sales/${sale.id}`);
      await page.getByRole('button', { name: 'Void sale' }).click();
      const dialog = page.locator('#void-dialog');
      await dialog.waitFor();
      await dialog.getByText(`Back to Harbour Street's stock: 3 × ${tee.name}.`).waitFor();
      await dialog.getByText('stay on record').waitFor();
      await t.axe(page, 'void-dialog');
      await t.shot(page, 'sale-void');
      // Escape keeps the sale
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      t.assert((await onHand()) === before, 'nothing moved when the void was not confirmed');
      await page.getByRole('button', { name: 'Void sale' }).click();
      await page.fill('#void-reason', 'rang up twice');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/sales/${sale.id}/void`)),
        page.locator('#void-confirm').click(),
      ]);
      t.assert(res.status() === 200, `void: ${res.status()} ${await res.text()}`);
      await page.locator('main .badge', { hasText: 'Voided' }).first().waitFor();
      t.assert(!(await page.getByRole('button', { name: 'Void sale' }).count()), 'a voided sale offers no void');
      t.assert(!(await page.locator('#returns-section').count()), 'a voided sale offers no return');
      t.assert((await onHand()) === before + 3, `on hand ${await onHand()}, want ${before + 3}`);
      // staff cannot void: no button
      const tom = await t.signIn('tom');
      const own = await api(tom, 'POST', '/sales', { outlet_id: 2, allow_oversell: true, lines: [{ item_id: tee.id, quantity: 1, unit_price: 100 }] });
      await tom.goto(`/sales/${own.id}`);
      await tom.getByRole('heading', { name: `Sale #${own.id}` }).waitFor();
      t.assert(!(await tom.getByRole('button', { name: 'Void sale' }).count()), 'staff are not offered a void');
    },
  },
  {
    name: 'till: two of three lines returned with restock and a refund lowered by the clerk',
    async fn(t) {
      const page = await t.signIn('admin');
      const items = await Promise.all(['TEE-BLK', 'MUG-GRN', 'CAP-SND'].map(async (sku) => (await api(page, 'GET', `/items?sku=${sku}`)).data[0]));
      const type = (await api(page, 'GET', '/payment-types')).data[0];
      const onHand = async (it) => ((await api(page, 'GET', `/stock?item_id=${it.id}&outlet_id=1`)).data[0] || { on_hand: 0 }).on_hand;
      const sale = await api(page, 'POST', '/sales', { outlet_id: 1, allow_oversell: true,
        lines: [{ item_id: items[0].id, quantity: 2, unit_price: 1000 }, { item_id: items[1].id, quantity: 1, unit_price: 500 },
          { item_id: items[2].id, quantity: 1, unit_price: 700 }],
        payments: [{ payment_type_id: type.id, amount: 3200 }] });
      const before = await Promise.all(items.map(onHand));
      await page.goto(`/sales/${sale.id}`);
      await page.getByRole('button', { name: 'Return items' }).click();
      const form = page.locator('#return-form');
      await form.waitFor();
      await page.fill(`#ret-qty-${sale.lines[0].id}`, '1');
      await page.fill(`#ret-qty-${sale.lines[1].id}`, '1');
      // the refund the lines are worth: half the first line, all the second
      t.assert(await page.inputValue('#ret-refund') === '15.00', `refund offered ${await page.inputValue('#ret-refund')}`);
      await page.fill('#ret-reason', 'wrong size');
      await page.fill('#ret-refund', '12.00');
      await page.locator('#ret-refund').blur();
      await t.shot(page, 'sale-return');
      await page.fill('#ret-refund', '20.00');
      await page.getByRole('button', { name: 'Record return' }).click();
      await form.getByText(`The refund can be at most ${await money(page, 1500)}.`).waitFor();
      await page.fill('#ret-refund', '12.00');
      await page.setViewportSize({ width: 768, height: 1024 });
      for (const b of await page.locator('#return-form button, #return-form input').all()) {
        const box = await b.boundingBox();
        t.assert(box && box.x + box.width <= 768, `a return control is off the screen at 768 px (${box && box.x + box.width})`);
      }
      await page.setViewportSize({ width: 1280, height: 860 });
      await t.axe(page, 'sale-return');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/sales/${sale.id}/returns`)),
        page.getByRole('button', { name: 'Record return' }).click(),
      ]);
      t.assert(res.status() === 201, `return: ${res.status()} ${await res.text()}`);
      const done = await res.json();
      t.assert(done.return.refund_total === 1200, `refund ${done.return.refund_total}`);
      t.assert(done.return.lines.length === 2 && done.return.lines.every((l) => l.restock), 'two lines, both restocked');
      t.assert(done.return.lines[0].amount === 1000 && done.return.lines[1].amount === 200, 'the refund is spread over the lines in order');
      await page.locator('main dl.facts').getByText(await money(page, 1200), { exact: true }).waitFor();
      const after = await Promise.all(items.map(onHand));
      t.assert(after[0] === before[0] + 1 && after[1] === before[1] + 1 && after[2] === before[2],
        `stock ${before} -> ${after}`);
      // what is left to return: 1 of the first line and the third
      await page.getByRole('button', { name: 'Return items' }).click();
      t.assert(await page.locator('#return-form tbody tr').count() === 2, 'the returned mug is no longer offered');
    },
  },
  {
    name: 'till: o5, a web order line of an unknown product is mapped to an item from the sale page',
    async fn(t) {
      const stamp = Date.now().toString(36).toUpperCase();
      const order = await t.fakeApi('POST', '/_fake/orders', {
        line_items: [{ sku: `ZZ-${stamp}`, title: 'Mystery mug', quantity: 2, price: '9.00' }],
        email: 'mystery@example.com', financial_status: 'paid',
        shipping_address: { first_name: 'Mo', last_name: 'Stery', address1: '1 Quay', city: 'Portland', province_code: 'ME', zip: '04101', country_code: 'US' },
      });
      const page = await t.signIn('admin');
      const row = await t.poll(async () => (await api(page, 'GET', '/channels/1/orders?limit=200')).data
        .find((o) => o.number === order.name && o.sale_id), `order ${order.name} to come down as a sale`);
      const sale = await api(page, 'GET', `/sales/${row.sale_id}`);
      t.assert(sale.needs_review, 'O5: the sale is flagged for review');
      const line = sale.lines.find((l) => l.sku === `ZZ-${stamp}`);
      const outlet = line.outlet_id || sale.outlet_id;
      const mug = (await api(page, 'GET', '/items?sku=MUG-SND')).data[0];
      const onHand = async () => ((await api(page, 'GET', `/stock?item_id=${mug.id}&outlet_id=${outlet}`)).data[0] || { on_hand: 0 }).on_hand;
      const before = await onHand();

      await page.goto(`/sales/${sale.id}`);
      const form = page.locator(`#map-line-${line.id}`);
      await form.waitFor();
      await form.getByLabel('Item SKU, barcode or name').fill('MUG-SND');
      await form.getByRole('button', { name: 'Find item' }).click();
      await form.getByRole('button', { name: `Map to this item ${mug.name}` }).waitFor();
      await t.axe(page, 'sale-map-line');
      await t.shot(page, 'sale-map-line');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/sales/${sale.id}/lines/${line.id}/item`)),
        form.getByRole('button', { name: `Map to this item ${mug.name}` }).click(),
      ]);
      t.assert(res.status() === 200, `map: ${res.status()} ${await res.text()}`);
      await page.locator('#map-lines').waitFor({ state: 'detached' });
      t.assert(!(await page.locator('main .badge', { hasText: 'Needs review' }).count()), 'the review flag is gone');
      await page.locator('#sale-history').getByText(`matched to ${mug.name}`).waitFor();
      t.assert((await onHand()) === before - 2, `on hand ${await onHand()}, want ${before - 2}`);
    },
  },
];
