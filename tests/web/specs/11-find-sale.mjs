// Find any sale (SPEC T2): the sales list is newest first and says where it
// is ("Showing 1–50 of N"); the Find box takes a sale's number, a customer's
// email or a SKU; the Order select sorts by total. What the screen shows is
// checked against the API's own answer for the same search.
export const tests = [
  {
    name: 't2: find a sale by its number, its customer\'s email and a SKU; newest first; by total',
    async fn(t) {
      const page = await t.signIn('admin');
      const api = async (q) => (await page.request.get(`/api/v1/sales?${q}`)).json();
      const shownIds = () => page.locator('#sales tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.sale)));
      const find = async (text, sort) => {
        await page.fill('#sales-q', text);
        if (sort) await page.selectOption('#sales-sort', sort);
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url().includes('/api/v1/sales?') && r.url().includes('count=true')),
          page.locator('form.filters button[type=submit]').click(),
        ]);
        t.assert(answer.status() === 200, `search answered ${answer.status()}`);
        await page.locator('#sales-count:not(:empty), p.empty:not([hidden])').first().waitFor();
      };

      // newest first, with where the list is
      await page.goto('/sales');
      await page.locator('#sales tbody tr').first().waitFor();
      await page.locator('#sales-count:not(:empty)').waitFor();
      const newest = await api('sort=-id&limit=50&count=true');
      t.assert(JSON.stringify(await shownIds()) === JSON.stringify(newest.data.map((s) => s.id)),
        'the list is the API\'s newest-first page');
      const count = await page.locator('#sales-count').innerText();
      t.assert(count === `Showing 1–${newest.data.length} of ${newest.total.toLocaleString()}${newest.total_capped ? '+' : ''}`,
        `the count: ${count}`);

      // by number: exactly that sale
      const target = newest.data[newest.data.length - 1];
      await find(`#${target.id}`);
      t.assert(JSON.stringify(await shownIds()) === JSON.stringify([target.id]), `#${target.id}: ${await shownIds()}`);

      // by a customer's email: the customer's sales, as the API finds them
      const withCustomer = (await api('sort=-id&limit=200')).data.find((s) => s.customer_id);
      t.assert(withCustomer, 'a sale with a customer in the demo data');
      const customer = (await (await page.request.get(`/api/v1/customers/${withCustomer.customer_id}`)).json());
      if (customer.email) {
        await find(customer.email);
        const want = await api(`sort=-id&limit=50&q=${encodeURIComponent(customer.email)}`);
        const ids = await shownIds();
        t.assert(ids.includes(withCustomer.id) && JSON.stringify(ids) === JSON.stringify(want.data.map((s) => s.id)),
          `${customer.email}: ${ids} against ${want.data.map((s) => s.id)}`);
      }

      // by SKU, largest total first
      const sale = await (await page.request.get(`/api/v1/sales/${target.id}`)).json();
      const sku = sale.lines.find((l) => l.sku)?.sku;
      t.assert(sku, `sale ${target.id} has a line with a SKU`);
      await find(sku, '-total');
      const want = await api(`sort=-total&limit=50&count=true&q=${encodeURIComponent(sku)}`);
      t.assert(JSON.stringify(await shownIds()) === JSON.stringify(want.data.map((s) => s.id)),
        `${sku} by total: the API's order`);
      t.assert(want.data.every((s, i) => i === 0 || want.data[i - 1].total >= s.total), 'largest total first');
      t.assert(new URL(page.url()).searchParams.get('sort') === '-total', 'the order is in the address, to come back to');
      await t.shot(page, 'sales-find');
      await t.axe(page, 'sales-find');

      // a customer's page: what they bought, and their sales newest first
      const sum = await (await page.request.get(`/api/v1/customers/${withCustomer.customer_id}/summary`)).json();
      const theirs = await api(`customer_id=${withCustomer.customer_id}&sort=-id&limit=50`);
      await page.goto(`/customers/${withCustomer.customer_id}`);
      await page.locator('#customer-sales tbody tr').first().waitFor();
      const fact = async (k) => (await page.locator('dl.facts dt', { hasText: k }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
      t.assert(await fact('Completed sales') === String(sum.sales), `completed sales: ${await fact('Completed sales')} against ${sum.sales}`);
      t.assert(sum.spend.length === 0 ? await fact('Lifetime spend') === 'Nothing yet' : (await fact('Lifetime spend')).length > 1, 'lifetime spend shown');
      const custIds = await page.locator('#customer-sales tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.sale)));
      t.assert(JSON.stringify(custIds) === JSON.stringify(theirs.data.map((x) => x.id)), `the customer's sales newest first: ${custIds}`);
      await t.axe(page, 'customer');

      // nothing found says so, in words
      await page.goto('/sales');
      await page.locator('#sales tbody tr').first().waitFor();
      await find('no-such-sale-anywhere');
      await page.getByText('No sale matches “no-such-sale-anywhere”.').waitFor();
    },
  },
  {
    name: "t2: a channel's web orders newest first, found by their number with or without its #",
    async fn(t) {
      const page = await t.signIn('admin');
      // two more orders on the simulated Shopify shop, so that there is an order between others
      const stamp = Date.now().toString(36);
      for (const last of [`Ash${stamp}`, `Birch${stamp}`])
        await t.fakeApi('POST', '/_fake/orders', { line_items: [{ sku: 'TEE-RED', quantity: 1 }], email: `${last}@example.com`,
          customer: { first_name: 'Rae', last_name: last } });
      const all = await t.poll(async () => {
        const a = await (await page.request.get('/api/v1/channels/1/orders?sort=-id&limit=50')).json();
        return a.data.length >= 3 && a;
      }, "the shop's orders downloaded");
      await page.goto('/channels/1?tab=orders');
      await page.locator('#channel-orders tbody tr').first().waitFor();
      const shown = await page.locator('#channel-orders tbody tr td:first-child').allInnerTexts();
      t.assert(JSON.stringify(shown) === JSON.stringify(all.data.map((o) => o.number || o.external_id)),
        `newest first, as the API: ${shown.slice(0, 3)}`);
      const target = all.data[1];
      const bare = (target.number || target.external_id).replace(/^#/, '');
      await page.fill('#co-q', bare);
      await page.locator('#co-q').press('Enter');
      await page.waitForURL(`**/channels/1?tab=orders&q=${encodeURIComponent(bare)}`);
      await t.poll(async () => (await page.locator('#channel-orders tbody tr').count()) === 1 &&
        (await page.locator('#channel-orders tbody tr td:first-child').innerText()) === (target.number || target.external_id),
        `only order ${target.number} shown`);
      await t.axe(page, 'channel-orders-find');
    },
  },
  {
    name: 't2: sales of a period, chosen with the app\'s one date-range control (a preset, then two days)',
    async fn(t) {
      const page = await t.signIn('admin');
      await page.goto('/sales');
      await page.locator('#sales tbody tr').first().waitFor();
      const shown = () => page.locator('#sales tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.sale)));
      const apiIds = async (from, toIncl) => {
        const next = await page.evaluate(async (d) => (await import('/range.js')).addDays(d, 1), toIncl);
        const r = await (await page.request.get(`/api/v1/sales?sort=-id&limit=50&from=${from}&to=${next}`)).json();
        return r.data.map((x) => x.id);
      };
      // a preset: the days it names are filled in, and the address keeps the preset
      await page.selectOption('#sales-range', 'this-week');
      const week = { from: await page.inputValue('#sales-from'), to: await page.inputValue('#sales-to') };
      const want = await page.evaluate(async () => (await import('/range.js')).presetRange('this-week'));
      t.assert(week.from === want.from && week.to === want.to, `this week's days: ${JSON.stringify(week)}`);
      await Promise.all([page.waitForURL(/range=this-week/), page.getByRole('button', { name: 'Show' }).click()]);
      await page.locator('#sales tbody tr, #main p.empty:not([hidden])').first().waitFor();
      const weekIds = await apiIds(week.from, week.to);
      t.assert(weekIds.length > 0, 'this week has sales (the specs made some today)');
      t.assert(JSON.stringify(await shown()) === JSON.stringify(weekIds), 'this week: the API\'s sales, newest first');
      // two days of one's choosing: yesterday alone has none of today's sales
      const yesterday = await page.evaluate(async () => (await import('/range.js')).presetRange('yesterday'));
      await page.fill('#sales-from', yesterday.from);
      await page.fill('#sales-to', yesterday.to);
      t.assert(await page.inputValue('#sales-range') === 'custom', 'typing a day makes the period custom');
      await Promise.all([page.waitForURL(/range=custom/), page.getByRole('button', { name: 'Show' }).click()]);
      await page.locator('#sales tbody tr, #main p.empty:not([hidden])').first().waitFor();
      t.assert(JSON.stringify(await shown()) === JSON.stringify(await apiIds(yesterday.from, yesterday.to)), 'yesterday: the API\'s sales');
      t.assert(new URL(page.url()).searchParams.get('to') === yesterday.to, 'the last day is in the address as chosen');
      await t.axe(page, 'sales-period');
    },
  },
];
