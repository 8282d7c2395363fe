// Keyboard shortcuts (issue 16, item 9): "/" goes to the screen's search box,
// j and k move along the list's rows and Enter opens one, n starts a sale,
// "?" lists them all on an overlay that Esc closes; keys typed into a field
// stay the field's.
export const tests = [
  {
    name: 'shortcuts: / searches, j and k walk the rows, Enter opens, n sells, ? lists them',
    async fn(t) {
      const page = await t.signIn('admin');
      await page.goto('/sales');
      await page.locator('#sales tbody tr').nth(1).waitFor();
      const ids = await page.locator('#sales tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.sale));
      const focusedRow = () => page.evaluate(() => document.activeElement.closest('tr')?.dataset.sale ?? null);

      await page.locator('h1').click(); // the focus on no field
      await page.keyboard.press('/');
      t.assert(await page.evaluate(() => document.activeElement.id) === 'sales-q', '"/" focuses the search box');
      await page.keyboard.type('j');
      t.assert(await page.inputValue('#sales-q') === 'j', 'a key typed into the search box is the box\'s');
      await page.fill('#sales-q', '');

      await page.locator('h1').click();
      await page.keyboard.press('j');
      t.assert(await focusedRow() === ids[0], `j: the first row (${await focusedRow()})`);
      await page.keyboard.press('j');
      t.assert(await focusedRow() === ids[1], 'j again: the second row');
      await page.keyboard.press('k');
      t.assert(await focusedRow() === ids[0], 'k: back to the first');
      await Promise.all([page.waitForURL(`**/sales/${ids[0]}`), page.keyboard.press('Enter')]);

      await page.locator('h1').click();
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      const keys = await dialog.locator('kbd').allInnerTexts();
      for (const key of ['/', 'n', 'j', 'k', '?']) t.assert(keys.includes(key), `the overlay lists ${key}: ${keys}`);
      await t.axe(page, 'shortcuts');
      await t.shot(page, 'shortcuts');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      await page.locator('h1').click();
      await Promise.all([page.waitForURL('**/sell'), page.keyboard.press('n')]);
      // the same list from the button, for those who do not know the key
      await page.locator('#shortcuts-button').click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
    },
  },
];
