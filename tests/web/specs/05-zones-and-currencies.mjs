// SPEC T1 and O4 in the web app: times are shown in the outlet's time zone
// (the demo's outlets are in New York) whatever the browser's zone; report
// days are calendar days, not shifted a day early west of UTC; and amounts
// take their currency's ISO 4217 decimals (from the server), parsed the same
// way, even where the browser's own data (CLDR) says otherwise.
const NY = 'America/New_York';

function nyTime(iso) {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: NY, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
  }).format(new Date(iso));
}

function dayIn(instant, timeZone) {
  const p = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type) => p.find((x) => x.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();

export const tests = [
  {
    name: 't1: sale times are shown in the outlet zone, not the browser zone (Tokyo)',
    async fn(t) {
      const page = await t.signIn('admin', 'admin-demo', { timezoneId: 'Asia/Tokyo', locale: 'en-US' });
      await page.goto('/sales');
      const row = page.locator('#sales tbody tr[data-sale]').first();
      await row.waitFor();
      const id = Number(await row.getAttribute('data-sale'));
      const sale = await (await page.request.get(`/api/v1/sales/${id}`)).json();
      const shown = plain(await row.locator('time').innerText());
      const want = plain(nyTime(sale.created_at));
      t.assert(shown === want, `sale #${id} at ${sale.created_at}: shown "${shown}", want New York's "${want}"`);
      t.assert(/\b(EST|EDT)\b/.test(shown), `no zone name in "${shown}"`);
      await page.goto(`/sales/${id}`);
      const dateCell = page.locator('dt', { hasText: 'Date' }).locator('xpath=following-sibling::dd[1]');
      t.assert(plain(await dateCell.innerText()) === want, `the sale screen shows "${await dateCell.innerText()}"`);
    },
  },
  {
    name: 't1: report days are not shifted a day early west of UTC (Los Angeles)',
    async fn(t) {
      const page = await t.signIn('admin', 'admin-demo', { timezoneId: 'America/Los_Angeles', locale: 'en-US' });
      const to = dayIn(new Date(), NY);
      const fromDate = new Date(Date.parse(to + 'T00:00:00Z') - 6 * 86400000);
      const from = fromDate.toISOString().slice(0, 10);
      await page.goto(`/reports?from=${from}&to=${to}`);
      const labels = page.locator('figure[id^="sales-chart"] svg text');
      await labels.first().waitFor();
      // the day labels under the bars (the other texts are the axis' amounts)
      const first = (await labels.allTextContents()).find((x) => /^[A-Z][a-z]+ \d{1,2}$/.test(x));
      const want = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(fromDate).replace(/,? \d{4}$/, '');
      t.assert(first === want, `the first day of ${from}..${to} is labelled "${first}", want "${want}"`);
      await page.getByText('Show the figures').click();
      const rep = await (await page.request.get(`/api/v1/reports/sales-by-day?from=${from}&to=${to}`)).json();
      const last = rep.data[rep.data.length - 1];
      const cell = page.locator('figure[id^="sales-chart"] ~ details tbody tr').last().locator('td').first();
      const wantDay = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(last.day + 'T00:00:00Z'));
      t.assert(plain(await cell.innerText()) === wantDay, `report day ${last.day} shown as "${await cell.innerText()}", want "${wantDay}"`);
      // the default range ends on the outlets' today, not the browser's
      await page.goto('/reports');
      await page.locator('#rep-to').waitFor();
      t.assert(await page.locator('#rep-to').inputValue() === to, `default "to" is ${await page.locator('#rep-to').inputValue()}, want ${to}`);
    },
  },
  {
    name: 'o4: amounts take their currency ISO 4217 decimals, shown and typed',
    async fn(t) {
      const page = await t.signIn('admin', 'admin-demo', { locale: 'en-US' });
      const got = await page.evaluate(async () => {
        const f = await import('/format.js');
        const outlets = [{ id: 1, currency: 'USD', currency_exponent: 2, timezone: 'America/New_York' },
          { id: 2, currency: 'JPY', currency_exponent: 0, timezone: 'Asia/Tokyo' },
          { id: 3, currency: 'KWD', currency_exponent: 3, timezone: 'Asia/Kuwait' },
          { id: 4, currency: 'IQD', currency_exponent: 3, timezone: 'Asia/Baghdad' }];
        f.setOutlets(outlets);
        const out = {
          usd: f.money(123456, 'USD'), jpy: f.money(1000, 'JPY'), kwd: f.money(1234, 'KWD'), iqd: f.money(250125, 'IQD'),
          negKwd: f.money(-5, 'KWD'),
          inJpy: f.parseMoney('1000', 'JPY'), inJpyZeros: f.parseMoney('1000.00', 'JPY'), inJpyFrac: f.parseMoney('999.5', 'JPY'),
          inKwd: f.parseMoney('1.234', 'KWD'), inKwdShort: f.parseMoney('1.2', 'KWD'), inKwdLong: f.parseMoney('1.2345', 'KWD'),
          inIqd: f.parseMoney('250.125', 'IQD'), inUsd: f.parseMoney('12.5', 'USD'), inUsdLong: f.parseMoney('12.345', 'USD'),
          editKwd: f.toDecimalInput(1200, 'KWD'), editJpy: f.toDecimalInput(1000, 'JPY'),
        };
        f.setOutlets((await (await fetch('/api/v1/me')).json()).outlets); // the app's own again
        return out;
      });
      const want = {
        usd: '$1,234.56', jpy: '¥1,000', kwd: 'KWD 1.234', iqd: 'IQD 250.125', negKwd: '-KWD 0.005',
        inJpy: 1000, inJpyZeros: 1000, inJpyFrac: null, inKwd: 1234, inKwdShort: 1200, inKwdLong: null,
        inIqd: 250125, inUsd: 1250, inUsdLong: null, editKwd: '1.200', editJpy: '1000',
      };
      for (const [k, v] of Object.entries(want)) {
        const g = typeof got[k] === 'string' ? plain(got[k]) : got[k];
        t.assert(g === v, `${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(v)}`);
      }
    },
  },
];
