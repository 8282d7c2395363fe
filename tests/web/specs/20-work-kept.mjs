// Work is never lost silently (issue 16, items 5 and 7): customers created and
// edited on screen; a half-typed form survives a reload and an expired session
// (restored after signing in again); Back returns to where the list was
// scrolled; a slow answer shows the loading bar; a read that fails on the
// network is tried again, and a screen that still cannot load offers "Try again".
export const tests = [
  {
    name: 'customers: created and edited on screen; a duplicate email is refused in words',
    async fn(t) {
      const page = await t.signIn('admin');
      const stamp = Date.now().toString(36);
      await page.goto('/customers');
      await page.locator('#customer-new').click();
      await page.waitForURL('**/customers/new');
      await page.getByLabel('First name').fill('Noor');
      await page.getByLabel('Last name').fill(`Haddad${stamp}`);
      await page.getByLabel('Email').fill(`noor.${stamp}@example.com`);
      await page.locator('#customer-add-address').click();
      await page.locator('[name="a0_line1"]').fill('12 Quay Street');
      await page.locator('[name="a0_city"]').fill('Galway');
      await page.locator('[name="a0_country"]').fill('ie');
      await t.axe(page, 'customer-new');
      await t.shot(page, 'customer-new');
      const [created] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/customers') && r.request().method() === 'POST'),
        page.locator('#customer-save').click(),
      ]);
      t.assert(created.status() === 201, `create answered ${created.status()}`);
      const c = await created.json();
      await page.waitForURL(`**/customers/${c.id}`);
      await page.getByRole('heading', { name: `Noor Haddad${stamp}` }).waitFor();
      t.assert(c.email === `noor.${stamp}@example.com`, `email kept: ${c.email}`);
      t.assert(c.addresses.length === 1 && c.addresses[0].city === 'Galway' && c.addresses[0].country === 'IE',
        `address kept: ${JSON.stringify(c.addresses)}`);

      // edit: the phone changes, the rest stays
      await page.locator('#customer-edit').click();
      await page.waitForURL(`**/customers/${c.id}/edit`);
      await page.locator('#c-phone').fill('+353 91 555 0101');
      await page.locator('#customer-save').click();
      await page.waitForURL(`**/customers/${c.id}`);
      await page.getByText('+353 91 555 0101').waitFor();
      const after = await (await page.request.get(`/api/v1/customers/${c.id}`)).json();
      t.assert(after.phone === '+353 91 555 0101' && after.addresses.length === 1, `edited: ${JSON.stringify(after)}`);

      // a second customer with the same email is refused, in words, and nothing is created
      await page.goto('/customers/new');
      await page.getByLabel('First name').fill('Other');
      await page.getByLabel('Email').fill(`NOOR.${stamp}@example.com`);
      await page.locator('#customer-save').click();
      await page.getByText(`Another customer already has the email NOOR.${stamp}@example.com.`).waitFor();
      const same = await (await page.request.get(`/api/v1/customers?email=noor.${stamp}@example.com`)).json();
      t.assert(same.data.length === 1, `one customer with that email: ${same.data.length}`);
    },
  },
  {
    name: 'drafts: a half-typed customer survives a reload and an expired session',
    async fn(t) {
      const page = await t.signIn('tom');
      await page.goto('/customers/new');
      await page.getByLabel('First name').fill('Half');
      await page.getByLabel('Note').fill('Wants the blue one in size 9');
      await page.locator('#customer-add-address').click();
      await page.locator('[name="a0_city"]').fill('Cork');

      await page.reload();
      await page.getByLabel('First name').waitFor();
      t.assert(await page.getByLabel('First name').inputValue() === 'Half', 'first name back after reload');
      t.assert(await page.getByLabel('Note').inputValue() === 'Wants the blue one in size 9', 'note back after reload');
      t.assert(await page.locator('[name="a0_city"]').inputValue() === 'Cork', 'the address set is back too');

      // the session ends (expired, or signed out elsewhere): the app asks to sign in and
      // brings the form back as it was
      await page.context().clearCookies();
      await page.reload();
      await page.waitForURL('**/signin?next=%2Fcustomers%2Fnew');
      await page.getByLabel('Username').fill('tom');
      await page.getByLabel('Password').fill('tom-demo');
      await Promise.all([page.waitForURL('**/customers/new'), page.getByLabel('Password').press('Enter')]);
      await page.getByLabel('First name').waitFor();
      t.assert(await page.getByLabel('First name').inputValue() === 'Half', 'first name back after signing in');
      t.assert(await page.locator('[name="a0_city"]').inputValue() === 'Cork', 'address back after signing in');

      // another user on the same browser does not see it
      await page.context().clearCookies();
      await page.goto('/signin?next=%2Fcustomers%2Fnew');
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill('admin-demo');
      await Promise.all([page.waitForURL('**/customers/new'), page.getByLabel('Password').press('Enter')]);
      await page.getByLabel('First name').waitFor();
      t.assert(await page.getByLabel('First name').inputValue() === '', 'another user starts with an empty form');

      // the draft is gone once the customer is saved
      await page.context().clearCookies();
      await page.goto('/signin?next=%2Fcustomers%2Fnew');
      await page.getByLabel('Username').fill('tom');
      await page.getByLabel('Password').fill('tom-demo');
      await Promise.all([page.waitForURL('**/customers/new'), page.getByLabel('Password').press('Enter')]);
      await page.getByLabel('First name').waitFor();
      await page.getByLabel('Last name').fill(`Draft${Date.now().toString(36)}`);
      await page.locator('#customer-save').click();
      await page.waitForURL(/\/customers\/\d+$/);
      await page.goto('/customers/new');
      await page.getByLabel('First name').waitFor();
      t.assert(await page.getByLabel('First name').inputValue() === '', 'no draft left after saving');
    },
  },
  {
    name: 'lists: Back returns to the scrolled place; slow answers show the loading bar; reads are retried',
    async fn(t) {
      const page = await t.signIn('admin', undefined, { viewport: { width: 768, height: 500 } });
      // enough sales to scroll past
      const item = (await (await page.request.get('/api/v1/items?limit=1')).json()).data[0];
      await page.evaluate(async (id) => {
        const api = await import('/api.js');
        for (let i = 0; i < 12; i++)
          await api.post('/sales', { outlet_id: 1, allow_oversell: true, lines: [{ item_id: id, quantity: 1, unit_price: 100 + i }] });
      }, item.id);
      await page.goto('/sales');
      await page.locator('#sales tbody tr').first().waitFor();
      const rows = page.locator('#sales tbody tr a');
      const n = await rows.count();
      t.assert(n >= 8, `enough sales to scroll (${n})`);
      const target = rows.nth(n - 2);
      await target.scrollIntoViewIfNeeded();
      const y = await page.evaluate(() => window.scrollY);
      t.assert(y > 100, `the list is scrolled (${y})`);
      await target.click();
      await page.waitForURL(/\/sales\/\d+$/);
      await page.locator('h1').waitFor();
      await page.goBack();
      await page.waitForURL('**/sales');
      await t.poll(async () => Math.abs((await page.evaluate(() => window.scrollY)) - y) <= 2,
        `the scroll position ${y} after Back`);

      // a slow answer: the bar shows while it is pending, and goes after
      let release;
      const held = new Promise((r) => { release = r; });
      await page.route('**/api/v1/customers?*', async (route) => { await held; await route.continue(); });
      await page.goto('/customers');
      await page.locator('#progress:not([hidden])').waitFor();
      t.assert(await page.locator('main[aria-busy="true"]').count() === 1, 'main is marked busy');
      release();
      await page.locator('#customers tbody tr').first().waitFor();
      await page.locator('#progress').waitFor({ state: 'hidden' });
      await page.unroute('**/api/v1/customers?*');

      // reads failing on the network: tried again twice without a word; a third failure
      // offers "Try again", which then works
      let aborted = 0;
      await page.route('**/api/v1/customers?*', (route) => { aborted++; return route.abort('connectionreset'); });
      await page.goto('/customers');
      const retry = page.getByRole('button', { name: 'Try again' });
      await retry.waitFor();
      t.assert(aborted === 3, `one call and two retries before giving up (${aborted})`);
      t.assert(await page.getByText('The server cannot be reached').count() === 1, 'the error is in words');
      await page.unroute('**/api/v1/customers?*');
      await retry.click();
      await page.locator('#customers tbody tr').first().waitFor();
      t.assert(await retry.count() === 0 || !(await retry.isVisible()), 'no "Try again" left');
      t.assert(await page.getByText('The server cannot be reached').count() === 0, 'the error is gone');

      // one failure only: the retry hides it
      let once = 0;
      await page.route('**/api/v1/customers?*', (route) => (once++ === 0 ? route.abort('connectionreset') : route.continue()));
      await page.goto('/customers');
      await page.locator('#customers tbody tr').first().waitFor();
      t.assert(once === 2 && await page.getByText('The server cannot be reached').count() === 0,
        `retried once, no error shown (${once} calls)`);

      // a screen whose own read fails offers "Try again" in the page's alert
      const c = (await (await page.request.get('/api/v1/customers?limit=1')).json()).data[0];
      await page.route(`**/api/v1/customers/${c.id}`, (route) => route.abort('connectionreset'));
      await page.goto(`/customers/${c.id}`);
      await page.locator('#alert-retry').waitFor();
      await page.unroute(`**/api/v1/customers/${c.id}`);
      await page.locator('#alert-retry').click();
      await page.locator('#customer-edit').waitFor();
    },
  },
  {
    name: 'detail pages: previous and next through the list they were opened from, by link and by [ and ]',
    async fn(t) {
      const page = await t.signIn('admin');
      await page.goto('/sales');
      await page.locator('#sales tbody tr').nth(3).waitFor();
      const hrefs = await page.locator('#sales tbody tr').evaluateAll((trs) =>
        trs.map((tr) => tr.querySelector('a[href^="/"]').getAttribute('href')));
      await page.locator(`#sales tbody tr a[href="${hrefs[1]}"]`).click();
      await page.waitForURL(`**${hrefs[1]}`);
      await page.locator('#seq-next').waitFor();
      t.assert(await page.getByText(`2 of ${hrefs.length}`).count() === 1, 'where the page is in its list');
      await t.axe(page, 'sale-sequence');
      await page.locator('#seq-next').click();
      await page.waitForURL(`**${hrefs[2]}`);
      await page.locator('#seq-prev').waitFor();
      // the keys navigate in the page (history.pushState): the address is watched for
      await page.keyboard.press(']');
      await t.poll(() => new URL(page.url()).pathname === hrefs[3], `] to open ${hrefs[3]}`);
      await page.locator('#seq-prev').waitFor();
      await page.keyboard.press('[');
      await t.poll(() => new URL(page.url()).pathname === hrefs[2], `[ to open ${hrefs[2]}`);
      await page.locator('#seq-list').click();
      await page.waitForURL('**/sales');
      // a page not opened from a list has no bar
      await page.goto(hrefs[0].replace(/\d+$/, (n) => String(Number(n) + 100000)));
      t.assert(await page.locator('.sequence').count() === 0, 'no bar for a page outside the list');
    },
  },
  {
    name: "errors in words: field names, codes and minor units are not shown to staff",
    async fn(t) {
      const page = await t.signIn('admin');
      const said = await page.evaluate(async () => {
        const { message } = await import('/ui.js');
        const { ApiError } = await import('/api.js');
        const e = (status, code, msg, field) => message(new ApiError(status, code, msg, field));
        return [
          e(422, 'invalid_field', 'lines[1].unit_price must be a non-negative amount in minor units', 'lines[1].unit_price'),
          e(422, 'missing_field', 'payment_type_id is required', 'payment_type_id'),
          e(403, 'outlet_forbidden', 'you have no access to outlet 7', 'outlet_id'),
          e(422, 'missing_field', 'settings.regular_price_level_id is required', 'settings.regular_price_level_id'),
          message(new Error('Enter the amount, e.g. 12.50.')),
        ];
      });
      const want = [
        "Line 2's unit price must be a non-negative amount",
        'Payment type is required',
        'You have no access to that outlet.',
        'Regular price level is required',
        'Enter the amount, e.g. 12.50.',
      ];
      t.assert(JSON.stringify(said) === JSON.stringify(want), `in words: ${JSON.stringify(said)}`);

      // as a screen shows one: a customer with a bad email, refused by the server
      await page.goto('/customers/new');
      await page.getByLabel('First name').fill('Bad');
      await page.getByLabel('Email').fill('not-an-email');
      await page.locator('#customer-save').click();
      const box = page.locator('.customer-form .error p');
      await box.waitFor();
      const text = await box.innerText();
      t.assert(/^Email /.test(text) && !/_/.test(text), `the server's refusal in words: ${text}`);
    },
  },
];
