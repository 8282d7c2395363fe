// An export-model webstore's connection on the channel screen (SPEC E1,
// docs/web-app.md "Channel"): a webstore connects with the admin's password
// (POST /api/v1/connection, as the webstore would; not maria's, which
// 01-signin has locked by then: the same sign-in limits), the admin sees who
// connected it and when, revokes it (confirmed first), and then sees it not
// connected, with the revoke in the retired list; the webstore's token is
// refused with the reason.
export const tests = [
  {
    name: 'e1: an export webstore connection is shown and revoked from the channel screen',
    async fn(t) {
      const res = await fetch(`${t.base}/api/v1/connection`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin-demo', webstore_id: `web-spec-${Date.now()}`, name: 'Spec webstore' }),
      });
      const made = await res.json();
      t.assert(res.status === 201, `connect: ${res.status} ${JSON.stringify(made)}`);
      const { token, channel_id: id } = made;
      const page = await t.signIn('admin');
      await page.goto(`/channels/${id}`);
      const section = page.locator('#webstore-connection');
      await section.waitFor();
      const text = await section.innerText();
      t.assert(text.includes('Connected by') && text.includes('admin'), `who connected is not shown: ${text}`);
      await t.shot(page, 'channel-export-connection');
      page.once('dialog', (d) => d.accept());
      const [done] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/v1/channels/${id}/connection`)),
        section.locator('#revoke-connection').click(),
      ]);
      t.assert(done.status() === 204, `revoke: ${done.status()}`);
      await page.locator('#webstore-connection #not-connected').waitFor();
      const reason = await page.locator('#retired-connections tbody tr').first().innerText();
      t.assert(reason.includes('revoked by admin at'), `the revoke is not listed: ${reason}`);
      t.assert(await page.locator('#revoke-connection').count() === 0, 'a revoke button is still offered');
      const after = await fetch(`${t.base}/api/v1/connection`, { headers: { Authorization: `Bearer ${token}` } });
      const body = await after.json();
      t.assert(after.status === 401 && body.error.code === 'connection_retired', `the token still works: ${after.status} ${JSON.stringify(body)}`);
      t.assert(!(await page.locator('#alert').innerText()).trim(), await page.locator('#alert').innerText());
    },
  },
];
