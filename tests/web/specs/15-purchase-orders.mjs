// Purchase orders (issue 16 item 1): a manager starts one for two items with a
// new supplier named in place, places it (the items' on order grows by the
// quantities), receives part of it (status partly received, on hand up, on
// order down on the page and in the API) and then the rest, which the form
// offers by default (status received). Screenshots of the list and the order.
export const tests = [
  {
    name: 'purchase orders: create for two items, order, receive part, then the rest',
    async fn(t) {
      const page = await t.signIn('admin');
      const json = async (p) => (await page.request.get(`/api/v1${p}`)).json();
      const items = (await json('/items?limit=20')).data.filter((i) => i.track_stock).slice(0, 2);
      t.assert(items.length === 2, 'two demo items that track stock');
      const outlet = (await json('/outlets')).data.find((o) => o.name === 'Old Town');
      const stockOf = async (item) => (await json(`/stock?item_id=${item.id}&outlet_id=${outlet.id}`)).data[0]
        || { on_hand: 0, on_order: 0 };
      const before = await Promise.all(items.map(stockOf));

      await page.goto('/purchase-orders');
      await page.locator('#purchase-orders tbody tr').first().waitFor(); // the demo's order
      await page.click('#po-new-open');
      const stamp = Date.now().toString(36);
      await page.selectOption('#po-supplier', 'new');
      await page.fill('#supplier-name', `Casco Bay Goods ${stamp}`);
      await page.fill('#supplier-email', `sales.${stamp}@casco.example`);
      await page.click('#supplier-add');
      await page.locator('#supplier-new').waitFor({ state: 'hidden' });
      t.assert((await page.locator('#po-supplier option:checked').innerText()) === `Casco Bay Goods ${stamp}`,
        'the new supplier is chosen');
      await page.selectOption('#po-outlet', { label: 'Old Town' });
      await page.fill('#po-sku-1', items[0].sku);
      await page.fill('#po-qty-1', '5');
      await page.fill('#po-cost-1', '7.50');
      await page.click('#po-add-line');
      await page.fill('#po-sku-2', items[1].sku);
      await page.fill('#po-qty-2', '4');
      await t.axe(page, 'purchase-orders');
      await Promise.all([page.waitForURL(/\/purchase-orders\/\d+$/), page.click('#po-create')]);
      const id = Number(new URL(page.url()).pathname.split('/').pop());
      await page.locator('#po-order').waitFor();
      const statusText = () => page.locator('.screen-head .badge').innerText();
      t.assert(await statusText() === 'Draft', 'a draft first');
      await t.axe(page, 'purchase-order draft');
      // the draft is still edited: the second line down to 3, an expected date
      t.assert(await page.inputValue('#po-sku-2') === items[1].sku, 'the draft\'s lines are in the editor');
      await page.fill('#po-qty-2', '3');
      await page.fill('#po-expected', '2026-12-24');
      await page.click('#po-save');
      await page.waitForFunction(() => document.querySelector('#po-received')?.textContent === '0 of 8 units');
      const edited = await json(`/purchase-orders/${id}`);
      t.assert(edited.lines[1].quantity === 3 && edited.expected_on === '2026-12-24',
        `the draft as saved: ${JSON.stringify(edited.lines.map((l) => l.quantity))} ${edited.expected_on}`);

      // placed: on order grows by exactly the quantities
      await page.click('#po-order');
      await page.locator('#po-receive').waitFor();
      t.assert(await statusText() === 'Ordered', `ordered: ${await statusText()}`);
      let now = await Promise.all(items.map(stockOf));
      t.assert(now[0].on_order === before[0].on_order + 5 && now[1].on_order === before[1].on_order + 3,
        `on order after ordering: ${JSON.stringify(now)}`);
      t.assert((await page.locator(`#po-lines td[data-on-order="${items[0].id}"]`).innerText()) === String(now[0].on_order),
        'the page shows on order');

      // part: 2 of the first, all 3 of the second
      const lines = (await json(`/purchase-orders/${id}`)).lines;
      t.assert(await page.inputValue(`#receive-${lines[0].id}`) === '5', 'the form offers what is outstanding');
      await page.fill(`#receive-${lines[0].id}`, '2');
      await page.fill('#receive-reference', `DN-${stamp}`);
      await page.click('#receive-submit');
      await page.locator('.screen-head .badge', { hasText: 'Partly received' }).waitFor();
      now = await Promise.all(items.map(stockOf));
      t.assert(now[0].on_hand === before[0].on_hand + 2 && now[1].on_hand === before[1].on_hand + 3,
        `on hand after the first delivery: ${JSON.stringify(now)}`);
      t.assert(now[0].on_order === before[0].on_order + 3 && now[1].on_order === before[1].on_order,
        `on order after the first delivery: ${JSON.stringify(now)}`);
      t.assert((await page.locator(`#po-lines td[data-on-hand="${items[0].id}"]`).innerText()) === String(now[0].on_hand),
        'the page shows on hand');
      t.assert((await page.locator('#po-received').innerText()) === '5 of 8 units', await page.locator('#po-received').innerText());
      await t.axe(page, 'purchase-order partly received');
      await page.evaluate(() => window.scrollTo(0, 0));
      await t.shot(page, 'purchase-order');
      // on a tablet the actions stay on the page: nothing scrolls sideways but the lines' table
      await page.setViewportSize({ width: 768, height: 1024 });
      t.assert(await page.evaluate(() => document.documentElement.scrollWidth <= 768),
        'the page is no wider than a tablet');
      const box = await page.locator('#receive-submit').boundingBox();
      t.assert(box && box.x + box.width <= 768, 'Receive is on screen at 768 px');
      await page.setViewportSize({ width: 1280, height: 860 });

      // the rest: the form offers the 3 still outstanding
      t.assert(await page.inputValue(`#receive-${lines[0].id}`) === '3', 'the rest is offered');
      await page.click('#receive-submit');
      await page.locator('.screen-head .badge', { hasText: /^Received$/ }).waitFor();
      t.assert(await page.locator('#po-receive').count() === 0, 'nothing left to receive');
      now = await Promise.all(items.map(stockOf));
      t.assert(now[0].on_hand === before[0].on_hand + 5 && now[0].on_order === before[0].on_order,
        `after the rest: ${JSON.stringify(now)}`);
      t.assert(await page.locator('#po-receipts tbody tr').count() === 2, 'two deliveries listed');
      const ledger = (await json(`/stock/ledger?item_id=${items[0].id}&outlet_id=${outlet.id}&limit=500`)).data;
      const po = await json(`/purchase-orders/${id}`);
      t.assert(ledger.filter((e) => e.reference === `receipt:${po.number}`).length === 2,
        'the ledger names the order');
      await t.axe(page, 'purchase-order received');

      // the list finds it by supplier, with its status
      await page.goto(`/purchase-orders?q=${encodeURIComponent('Casco Bay')}`);
      await page.locator(`#purchase-orders tr[data-po="${id}"]`).waitFor();
      await t.axe(page, 'purchase-orders list');
      await page.goto('/purchase-orders');
      await page.locator('#purchase-orders tbody tr').first().waitFor();
      await t.shot(page, 'purchase-orders');
    },
  },
];
