// Sign-in: bad credentials are refused with a message; after 5 failures for
// a username the 6th is rate-limited (429) and says so. The first paint of
// the app is measured and printed (the target is 200 ms on loopback), not
// asserted: speed is measured, never a timed test that a loaded machine fails.
export const tests = [
  {
    name: 'first paint is measured (sign-in page and shipping list)',
    async fn(t) {
      const measure = async (page, url) => {
        await page.goto(url);
        await page.waitForFunction(() => performance.getEntriesByType('paint').some((e) => e.name === 'first-contentful-paint'));
        return page.evaluate(() => Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, Math.round(e.startTime)])));
      };
      // The browser's very first page also pays for starting the browser's
      // renderer and network processes: reported, not judged. Judged: the
      // app's own first paint with an empty cache, in a fresh context whose
      // renderer for the site is already up (a GET of /healthz first), as on a
      // counter where the browser is running; and a signed-in load of the
      // shipping list. The machine is shared, so each is the median of 5.
      const median = (xs) => xs.map((p) => p['first-contentful-paint']).sort((a, b) => a - b)[2];
      const firstPage = await t.newPage();
      const first = await measure(firstPage, '/signin');
      await firstPage.context().close();
      const fresh = [];
      for (let i = 0; i < 5; i++) {
        const p = await t.newPage();
        await p.goto('/healthz');
        fresh.push(await measure(p, '/signin'));
        await p.context().close();
      }
      const page = await t.signIn('admin');
      const signedIn = [];
      for (let i = 0; i < 5; i++) signedIn.push(await measure(page, '/shipping'));
      console.log(`     first contentful paint (ms): browser's first page ${first['first-contentful-paint']}; ` +
        `fresh context /signin ${fresh.map((p) => p['first-contentful-paint']).join(', ')}; ` +
        `signed-in /shipping ${signedIn.map((p) => p['first-contentful-paint']).join(', ')}`);
      const med = (xs) => ({ 'first-paint': [...xs.map((p) => p['first-paint'])].sort((a, b) => a - b)[2], 'first-contentful-paint': median(xs) });
      for (const [where, p] of [['/signin', med(fresh)], ['/shipping', med(signedIn)]]) {
        t.assert(p['first-contentful-paint'] > 0, `${where} painted nothing`);
        console.log(`     ${where}: median first paint ${p['first-paint']} ms, first contentful paint ` +
          `${p['first-contentful-paint']} ms (target 200 ms: ${p['first-contentful-paint'] < 200 ? 'met' : 'not met'})`);
      }
    },
  },
  {
    name: 'bad sign-ins are refused, and rate-limited after 5',
    async fn(t) {
      const page = await t.newPage();
      await page.goto('/signin');
      const alert = page.locator('#signin-error');
      // A wrong password for a user who exists: 401, shown in the alert, still on /signin.
      for (let i = 1; i <= 5; i++) {
        await page.getByLabel('Username').fill('maria');
        await page.getByLabel('Password').fill(`wrong-${i}`);
        const [res] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Sign in' }).click(),
        ]);
        t.assert(res.status() === 401, `attempt ${i}: expected 401, got ${res.status()}`);
        await alert.getByText('do not match').waitFor();
        t.assert(new URL(page.url()).pathname === '/signin', 'a refused sign-in left the sign-in page');
        // The error is announced (role=alert) and the password is cleared for the next try.
        t.assert(await alert.getAttribute('role') === 'alert', 'the error is not in a role=alert region');
        t.assert(await page.getByLabel('Password').inputValue() === '', 'the password field was not cleared');
      }
      // The 6th, even with the right password, is refused while the limit lasts.
      await page.getByLabel('Username').fill('maria');
      await page.getByLabel('Password').fill('maria-demo');
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
        page.getByLabel('Password').press('Enter'),
      ]);
      t.assert(res.status() === 429, `6th attempt: expected 429, got ${res.status()}`);
      t.assert(res.headers()['retry-after'], '429 without Retry-After');
      await alert.getByText('Too many failed sign-ins').waitFor();
      t.assert(new URL(page.url()).pathname === '/signin', 'a rate-limited sign-in left the sign-in page');
      // A signed-out visitor is sent to sign in, and comes back after.
      const other = await t.newPage();
      await other.goto('/sales');
      await other.waitForURL('**/signin?next=%2Fsales');
      await other.getByLabel('Username').fill('admin');
      await other.getByLabel('Password').fill('admin-demo');
      await Promise.all([other.waitForURL('**/sales'), other.getByLabel('Password').press('Enter')]);
      await other.getByRole('heading', { name: 'Sales' }).waitFor();
    },
  },
];
