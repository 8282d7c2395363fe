// The packer's day (issue 16 item 3): the shipping table filtered by the
// outlet that ships, a shipped order found by its tracking number with the
// carrier's link, two orders selected for a pick list (quantities summed per
// SKU, no shipping charge) and packing slips saved as PDF, the two marked
// shipped together with a tracking number each (the rows leave, the link
// shows on the order), and the pickup list's own flow (SH2: ready for
// pickup, then picked up, no tracking asked). Every wait is on a locator, a
// response or a bounded poll.
const stamp = Date.now().toString(36);

function orderBody(last, lines, shipping) {
  return {
    line_items: lines,
    email: `${last.toLowerCase()}@example.com`,
    customer: { first_name: 'Wren', last_name: last },
    shipping_address: { first_name: 'Wren', last_name: last, address1: '9 Quay Road', city: 'Bangor',
      province_code: 'ME', zip: '04401', country: 'United States', country_code: 'US', phone: '207-555-0199' },
    shipping_lines: [shipping],
  };
}

// The POS sale of a fakestore order, once the pipeline has brought it down.
async function saleOf(t, page, order) {
  const row = await t.poll(async () => (await (await page.request.get('/api/v1/channels/1/orders?limit=500')).json()).data
    .find((o) => o.number === order.name && o.sale_id), `order ${order.name} to come down as a sale`);
  return (await page.request.get(`/api/v1/sales/${row.sale_id}`)).json();
}

// Pages of a PDF as Chromium writes them: one "/Type /Page" object each.
function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
}

const standard = { title: 'Standard', price: '5.00' };
let a = null, b = null, saleA = null;

export const tests = [
  {
    name: 'item 3: outlet filter, a shipped order found by tracking number, pick list and packing slips as PDF',
    async fn(t) {
      const page = await t.signIn('admin');
      // Harbour Street (outlet 1) has the goods, whatever the specs before this one sold
      // there, so that it is the outlet these orders are allocated to
      await page.evaluate(async () => {
        const api = await import('/api.js');
        const lines = [];
        for (const sku of ['TEE-RED', 'MUG-NVY'])
          lines.push({ item_id: (await api.get('/items', { sku })).data[0].id, quantity: 50 });
        await api.post('/stock/receipts', { outlet_id: 1, reference: 'spec 17', lines });
      });
      a = await t.fakeApi('POST', '/_fake/orders', orderBody(`Pack${stamp}A`,
        [{ sku: 'TEE-RED', quantity: 2 }, { sku: 'MUG-NVY', quantity: 1 }], standard));
      b = await t.fakeApi('POST', '/_fake/orders', orderBody(`Pack${stamp}B`, [{ sku: 'TEE-RED', quantity: 1 }], standard));
      const c = await t.fakeApi('POST', '/_fake/orders', orderBody(`Pack${stamp}C`, [{ sku: 'TEE-RED', quantity: 1 }], standard));
      saleA = await saleOf(t, page, a);
      await saleOf(t, page, b);
      const saleC = await saleOf(t, page, c);
      // the shipping charge is a line of the sale, marked so
      t.assert(saleA.lines.some((l) => /^Shipping: Standard/.test(l.description)), 'the sale lacks its shipping line');
      // C is shipped already, with a Royal Mail tracking number
      const trackC = `JD${stamp.toUpperCase()}GB`;
      // through the app's own API module, which holds the session's CSRF token
      const shippedC = await page.evaluate(async ([id, number]) => (await import('/api.js')).patch(`/shipments/${id}`,
        { shipped: true, tracking_number: number, carrier: 'Royal Mail' }), [saleC.shipment.id, trackC]);
      t.assert(shippedC.shipped === true, `C not shipped: ${JSON.stringify(shippedC)}`);

      // Outlet filter: Old Town ships none of these; Harbour Street ships both, and says so.
      await page.goto('/shipping');
      await page.selectOption('#ship-outlet', { label: 'Old Town' });
      await Promise.all([page.waitForURL(/outlet_id=/), page.locator('form.filters button[type=submit]').click()]);
      await page.locator('#shipments tbody.shipment, p.empty:not([hidden])').first().waitFor();
      const oldTown = await page.locator('#shipments tbody.shipment td.outlet').allInnerTexts();
      t.assert(oldTown.every((o) => o.includes('Old Town')), `Old Town's list shows other outlets: ${oldTown.join(' | ')}`);
      t.assert(await page.locator(`tbody.shipment[data-order="${a.name}"]`).count() === 0, 'order A is on Old Town\'s list');
      await page.selectOption('#ship-outlet', { label: 'Harbour Street' });
      await page.fill('#ship-q', `Pack`);
      await Promise.all([page.waitForURL(/q=Pack/), page.locator('form.filters button[type=submit]').click()]);
      const rowA = page.locator(`tbody.shipment[data-order="${a.name}"]`);
      const rowB = page.locator(`tbody.shipment[data-order="${b.name}"]`);
      await rowA.waitFor();
      await rowB.waitFor();
      t.assert((await rowA.locator('td.outlet').innerText()).includes('Harbour Street'), 'the shipping outlet is not shown');
      t.assert(!(await rowA.innerText()).includes('Shipping: Standard'), 'the shipping charge is listed as an item');
      t.assert((await rowA.locator('td.items .num').innerText()) === '3', 'order A does not count 3 items');
      // newest first: B came after A
      const order = await page.locator('#shipments tbody.shipment').evaluateAll((els) => els.map((e) => e.dataset.order));
      t.assert(order.indexOf(b.name) < order.indexOf(a.name), `not newest first: ${order.join(', ')}`);
      await t.axe(page, 'shipping-table');
      await t.shot(page, 'shipping-table');

      // A shipped order is found by its tracking number, linked to the carrier.
      await page.locator('nav.tabs').getByRole('link', { name: 'Shipped' }).click();
      await page.fill('#ship-q', trackC);
      await Promise.all([page.waitForURL(/status=shipped/), page.locator('form.filters button[type=submit]').click()]);
      const link = page.locator(`tbody.shipment[data-order="${c.name}"] a.tracking`);
      await link.waitFor();
      const href = await link.getAttribute('href');
      t.assert(href === `https://www.royalmail.com/track-your-item#/tracking-results/${trackC}`, `tracking link ${href}`);

      // Select A and B: a pick list summed per SKU, without the shipping charge.
      await page.goto(`/shipping?q=Pack${stamp}`);
      await rowA.waitFor();
      await rowB.waitFor();
      await rowA.getByRole('checkbox').check();
      await rowB.getByRole('checkbox').check();
      await page.locator('.selected-count', { hasText: '2 selected' }).waitFor();
      await Promise.all([page.waitForURL(/\/shipping\/print\?kind=pick/), page.click('#bulk-pick')]);
      await page.locator('#pick-lines tbody tr').first().waitFor();
      const picks = await page.locator('#pick-lines tbody tr').evaluateAll((rows) => rows.map((r) =>
        [r.dataset.sku, r.querySelector('.qty').textContent]));
      t.assert(JSON.stringify(picks) === JSON.stringify([['MUG-NVY', '1'], ['TEE-RED', '3']]), `pick list ${JSON.stringify(picks)}`);
      t.assert(!(await page.locator('.pick-list').innerText()).includes('Shipping:'), 'the pick list lists a shipping line');
      await t.axe(page, 'pick-list');
      await t.shot(page, 'pick-list');
      const pickPdf = await page.pdf({ format: 'A4' });
      t.assert(pickPdf.subarray(0, 5).toString() === '%PDF-', 'the pick list is no PDF');
      t.assert(pdfPages(pickPdf) >= 1, 'the pick list PDF has no page');

      // Packing slips: one per order (a page each in the PDF), the order numbers on them.
      await page.goto(page.url().replace('kind=pick', 'kind=slips'));
      await page.locator('.packing-slip').nth(1).waitFor();
      const slips = await page.locator('.packing-slip').allInnerTexts();
      t.assert(slips.length === 2, `${slips.length} packing slips`);
      for (const [name, text] of [[a.name, slips.find((s) => s.includes(a.name))], [b.name, slips.find((s) => s.includes(b.name))]]) {
        t.assert(text, `no packing slip names ${name}`);
        t.assert(text.includes('Harbour Street') && text.includes('9 Quay Road'), `the slip of ${name}: ${text}`);
      }
      // the items to pack: never the shipping charge (the notes may name the method)
      const packed = await page.locator('.packing-slip tbody').allInnerTexts();
      t.assert(packed.every((x) => !x.includes('Shipping:')), `a slip lists the shipping charge: ${packed.join(' | ')}`);
      t.assert(packed.some((x) => x.includes('MUG-NVY')), 'no slip lists the mug');
      await t.axe(page, 'packing-slips');
      await t.shot(page, 'packing-slips');
      const slipPdf = await page.pdf({ format: 'A4' });
      t.assert(slipPdf.subarray(0, 5).toString() === '%PDF-', 'the packing slips are no PDF');
      t.assert(pdfPages(slipPdf) === 2, `the packing slips PDF has ${pdfPages(slipPdf)} pages, not one per order`);
    },
  },
  {
    name: 'item 3: bulk mark shipped with a tracking number each: the rows leave, the link shows on the order',
    async fn(t) {
      t.assert(a && b, 'needs the orders of the previous test');
      const page = await t.signIn('admin');
      await page.goto(`/shipping?q=Pack${stamp}`);
      const rowA = page.locator(`tbody.shipment[data-order="${a.name}"]`);
      const rowB = page.locator(`tbody.shipment[data-order="${b.name}"]`);
      await rowA.waitFor();
      await rowB.waitFor();
      await page.locator('#ship-all').check();
      await page.click('#bulk-ship');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      // a row without its tracking number: asked for, nothing sent
      let posts = 0;
      page.on('request', (r) => { if (r.url().endsWith('/shipments/bulk')) posts++; });
      await dialog.getByRole('button', { name: /^Mark \d+ shipped$/ }).click();
      await dialog.getByText(/Enter the tracking number for/).waitFor();
      t.assert(posts === 0, 'a bulk request went without tracking numbers');
      const track = { [a.name]: `1ZA${stamp.toUpperCase()}`, [b.name]: `1ZB${stamp.toUpperCase()}` };
      const ids = await page.locator('#shipments tbody.shipment').evaluateAll((els) => els.map((e) => [e.dataset.order, e.dataset.shipment]));
      for (const [name, id] of ids) {
        if (track[name]) await dialog.locator(`#bulk-trk-${id}`).fill(track[name]);
        else await dialog.locator(`#bulk-trk-${id}`).fill(`X${id}`); // any other order of the search
      }
      await dialog.getByLabel('Carrier for all (where a row gives none)').fill('UPS');
      await t.axe(page, 'bulk-ship');
      await t.shot(page, 'bulk-ship');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/shipments/bulk')),
        dialog.getByRole('button', { name: /^Mark \d+ shipped$/ }).click(),
      ]);
      t.assert(res.status() === 200, `bulk: ${res.status()}`);
      const body = await res.json();
      t.assert(body.refused === 0 && body.shipped === ids.length, `bulk answer ${JSON.stringify(body)}`);
      await dialog.waitFor({ state: 'detached' });
      await rowA.waitFor({ state: 'detached' });
      await rowB.waitFor({ state: 'detached' });

      // The order's page links the tracking number to UPS.
      await page.goto(`/sales/${saleA.id}`);
      const link = page.locator('main a.tracking');
      await link.waitFor();
      t.assert(await link.getAttribute('href') === `https://www.ups.com/track?tracknum=${track[a.name]}`,
        `tracking link ${await link.getAttribute('href')}`);
      // and the webstore was told, with that number (S3)
      const f = await t.poll(async () => (await t.fakeApi('GET', '/_fake/fulfillments')).fulfillments
        .find((x) => x.order_name === a.name), `the fulfillment of ${a.name} on the fakestore`);
      t.assert(f.tracking_number === track[a.name], `fakestore tracking number ${f.tracking_number}`);
    },
  },
  {
    name: 'SH2: the pickup list is its own table: ready for pickup, then picked up, no tracking asked',
    async fn(t) {
      const page = await t.signIn('tom');
      const last = `Pack${stamp}P`;
      const order = await t.fakeApi('POST', '/_fake/orders', orderBody(last, [{ sku: 'TEE-RED', quantity: 1 }],
        { title: 'Pickup at Old Town', price: '0.00' }));
      await saleOf(t, page, order);
      await page.goto('/pickups');
      const row = page.locator(`tbody.pickup[data-order="${order.name}"]`);
      await row.waitFor();
      t.assert((await row.locator('td.outlet').innerText()).includes('Old Town'), 'the pickup outlet is not shown');
      t.assert(await page.getByLabel('Tracking number').count() === 0, 'a pickup asks for a tracking number');
      await t.axe(page, 'pickups-table');
      await t.shot(page, 'pickups-table');
      await Promise.all([
        page.waitForResponse((r) => /\/fulfillments\/\d+\/status$/.test(r.url()) && r.status() === 200),
        row.getByRole('button', { name: /^Ready for pickup/ }).click(),
      ]);
      await row.locator('.badge', { hasText: 'Ready for pickup' }).waitFor();
      await Promise.all([
        page.waitForResponse((r) => /\/fulfillments\/\d+\/status$/.test(r.url()) && r.status() === 200),
        row.getByRole('button', { name: /^Picked up/ }).click(),
      ]);
      await row.waitFor({ state: 'detached' });
      await page.locator('nav.tabs').getByRole('link', { name: 'Picked up' }).click();
      await page.locator(`tbody.pickup[data-order="${order.name}"]`).locator('.badge', { hasText: 'Picked up' }).waitFor();
    },
  },
  {
    name: 'item 9: the shipping table at 768 px: no sideways scrolling of its actions',
    async fn(t) {
      const page = await t.signIn('admin', undefined, { viewport: { width: 768, height: 1024 } });
      await page.goto('/shipping?status=all');
      await page.locator('#shipments tbody.shipment').first().waitFor();
      const over = await page.evaluate(() => {
        const wrap = document.querySelector('.dense-wrap');
        return { page: document.documentElement.scrollWidth - window.innerWidth, table: wrap.scrollWidth - wrap.clientWidth };
      });
      t.assert(over.page <= 0 && over.table <= 0, `sideways scroll at 768 px: ${JSON.stringify(over)}`);
      t.assert(await page.locator('#shipments th', { hasText: 'Ships from' }).isVisible(), 'the shipping outlet is hidden at 768 px');
      await t.shot(page, 'shipping-table-tablet');
    },
  },
];
