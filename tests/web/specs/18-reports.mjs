// Reports (issue 16 items 6 and 10): the one date-range control puts its preset or days
// in the address (a reload shows the same), the totals match the API's for those days,
// the previous period appears as a second series, long ranges are grouped by week or
// month, each table downloads as CSV with its header row, and the screen fits 768 px.
import fs from 'node:fs';

const addDays = (day, n) => {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

export const tests = [
  {
    name: 'item 6: presets in the address, figures as the API says, compare, CSV, 768 px',
    async fn(t) {
      const page = await t.signIn('admin');
      const fmt = (v, c) => page.evaluate(async ([x, y]) => (await import('/format.js')).money(x, y), [v, c]);
      const ready = () => page.locator('#rep-sales-body:not([aria-busy]) .currency-block, #rep-sales-body:not([aria-busy]) p.empty').first().waitFor();
      const params = () => new URL(page.url()).searchParams;
      const pick = async (preset) => {
        await Promise.all([page.waitForURL((u) => u.searchParams.get('range') === preset), page.selectOption('#rep-range', preset)]);
        await ready();
      };

      await page.goto('/reports');
      await ready();
      const today = await page.evaluate(async () => (await import('/format.js')).today());
      t.assert(await page.locator('#rep-to').inputValue() === today, 'the default range ends on the outlets\' today');
      t.assert(await page.locator('#rep-from').inputValue() === addDays(today, -29), 'the default is the last 30 days');

      // Today: the address says so; the totals are the API's for [today, tomorrow)
      await pick('today');
      t.assert(await page.locator('#rep-from').inputValue() === today && await page.locator('#rep-to').inputValue() === today, 'today\'s days');
      const rep = await (await page.request.get(`/api/v1/reports/sales?from=${today}&to=${addDays(today, 1)}`)).json();
      t.assert(rep.group === 'day' && rep.data.length > 0, `the demo has sales today: ${JSON.stringify(rep).slice(0, 200)}`);
      for (const s of rep.data) {
        const net = (await page.locator(`#rep-total-net-${s.currency} strong`).innerText()).trim();
        t.assert(net === await fmt(s.totals.net, s.currency), `net ${s.currency}: "${net}" against ${s.totals.net}`);
        const n = (await page.locator(`#rep-total-sales-${s.currency} strong`).innerText()).trim();
        t.assert(n === s.totals.sales.toLocaleString('en-US'), `sales ${s.currency}: ${n} against ${s.totals.sales}`);
      }
      const takings = await (await page.request.get(`/api/v1/reports/takings?from=${today}&to=${addDays(today, 1)}`)).json();
      const shownTakings = await page.locator('#takings tbody tr').count();
      t.assert(shownTakings === takings.data.length, `takings rows ${shownTakings} against ${takings.data.length}`);
      if (takings.data.length) {
        const cell = (await page.locator('#takings tbody tr').first().locator('td').last().innerText()).trim();
        t.assert(cell === await fmt(takings.data[0].net, takings.data[0].currency), `takings net "${cell}"`);
      }
      const items = await (await page.request.get(`/api/v1/reports/top-items?from=${today}&to=${addDays(today, 1)}`)).json();
      t.assert(await page.locator('#top-items tbody tr').count() === items.data.length, 'top items as the API lists them');

      // Last month: its first and last day, one bar per day
      await pick('last-month');
      const first = today.slice(0, 8) + '01';
      const lastDay = addDays(first, -1);
      t.assert(await page.locator('#rep-from').inputValue() === lastDay.slice(0, 8) + '01', 'last month starts on the 1st');
      t.assert(await page.locator('#rep-to').inputValue() === lastDay, 'last month ends on its last day');
      const days = Number(lastDay.slice(8));
      const cur = rep.data[0].currency;
      const lm = await (await page.request.get(`/api/v1/reports/sales?from=${lastDay.slice(0, 8)}01&to=${first}`)).json();
      if (lm.data.length) // the demo's sales are today's: last month may have none
        t.assert(await page.locator(`#sales-table-${cur} tbody tr`).count() === days, `one row per day of last month (${days})`);
      else
        await page.locator('#rep-sales-body p.empty', { hasText: 'No sales in these days.' }).waitFor();

      // This year: grouped by week or month, so the chart stays readable
      await pick('this-year');
      const yearRep = await (await page.request.get(`/api/v1/reports/sales?from=${today.slice(0, 5)}01-01&to=${addDays(today, 1)}`)).json();
      const doy = (Date.parse(today) - Date.parse(today.slice(0, 5) + '01-01')) / 86400000 + 1;
      t.assert(yearRep.group === (doy <= 62 ? 'day' : 'week'), `this year (${doy} days) by ${yearRep.group}`);
      const rows = await page.locator(`#sales-table-${cur} tbody tr`).count();
      t.assert(rows === yearRep.data[0].buckets.length, `a row per ${yearRep.group}: ${rows}`);
      const labels = await page.locator(`#sales-chart-${cur} svg text`).count();
      t.assert(labels <= 5 + 30, `at most ~30 period labels drawn, not ${labels}`);

      // Compare: the previous period is a second series; the address keeps it over a reload
      await pick('last-30-days');
      await Promise.all([page.waitForURL((u) => u.searchParams.get('compare') === 'previous'), page.locator('#rep-compare').check()]);
      await ready();
      t.assert(params().get('range') === 'last-30-days', 'the range stays when comparing');
      await page.locator(`#sales-chart-${cur} .legend li`, { hasText: 'Previous period' }).waitFor();
      t.assert(await page.locator(`#sales-table-${cur} thead th`, { hasText: 'Previous net' }).count() === 1, 'the previous net in the figures');
      const cmp = await (await page.request.get(`/api/v1/reports/sales?from=${addDays(today, -29)}&to=${addDays(today, 1)}&compare=previous`)).json();
      const s0 = cmp.data.find((s) => s.currency === cur);
      const change = (await page.locator(`#rep-total-net-${cur} .stat-change`).innerText()).trim();
      const pct = s0.change.net_percent;
      const want = pct === null ? 'no earlier figure' : `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;
      t.assert(change === want, `the change: "${change}" against ${pct}`);
      await page.reload();
      await ready();
      t.assert(await page.locator('#rep-range').inputValue() === 'last-30-days' && await page.locator('#rep-compare').isChecked(), 'a reload keeps the range and the comparison');
      await t.shot(page, 'reports');
      await t.axe(page, 'reports');

      // Custom days
      const from = addDays(today, -9);
      await page.fill('#rep-from', from);
      await page.fill('#rep-to', today);
      await Promise.all([page.waitForURL((u) => u.searchParams.get('range') === 'custom'), page.locator('form.range button[type=submit]').click()]);
      await ready();
      t.assert(params().get('from') === from && params().get('to') === today, `custom days in the address: ${page.url()}`);
      t.assert(await page.locator(`#sales-table-${cur} tbody tr`).count() === 10, 'ten days, to included');

      // CSV: the sales and the top items, with their header rows
      const csv = async (section) => {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`section[aria-labelledby=${section}] button.csv`).click()]);
        return { name: dl.suggestedFilename(), text: fs.readFileSync(await dl.path(), 'utf8') };
      };
      const sales = await csv('rep-sales');
      t.assert(sales.name === `sales-${from}-to-${today}.csv`, `file name ${sales.name}`);
      const lines = sales.text.split('\r\n');
      t.assert(lines[0] === 'series,currency,start,end,sales,total,refunded,net', `sales header: ${lines[0]}`);
      t.assert(lines.length - 2 === 10 * cmp.data.length * 2, `ten days a series, this and the previous period: ${lines.length}`);
      const top = await csv('rep-items');
      t.assert(top.text.startsWith('rank,item_id,sku,name,currency,quantity,revenue\r\n'), `top items header: ${top.text.slice(0, 60)}`);

      // 768 px: nothing scrolls sideways
      const tablet = await t.signIn('admin', 'admin-demo', { viewport: { width: 768, height: 1024 } });
      await tablet.goto('/reports?range=last-30-days&compare=previous');
      await tablet.locator('#rep-sales-body:not([aria-busy])').first().waitFor();
      await tablet.locator('#rep-takings-body:not([aria-busy])').first().waitFor();
      const wide = await tablet.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth);
      t.assert(wide <= 0, `the page scrolls sideways by ${wide} px at 768`);
      t.assert(page.exceptions.length === 0 && tablet.exceptions.length === 0, `exceptions: ${page.exceptions} ${tablet.exceptions}`);
    },
  },
];
