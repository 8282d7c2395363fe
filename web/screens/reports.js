// Reports (issue 16 item 6): a range of business days from the one date-range control
// (range.js, in the address), sales per day, week or month (the API picks by the range's
// length, so a year stays readable) with the previous period of the same length as a
// second series and the change in the totals, the top items and customers, takings by
// payment type, each table downloadable as the API's CSV; and stock value by outlet.
// Money is summed as integers per currency by the server and formatted at the end.
import { h, svg, replace, append } from '../dom.js';
import * as api from '../api.js';
import { money, date } from '../format.js';
import { heading, table, errorBox, empty } from '../ui.js';
import { groupedBars, hBars, COLOURS } from '../chart.js';
import { readRange, rangeParams, apiRange, rangeControl } from '../range.js';

const PREVIOUS_COLOUR = '#8c959f';

function byCurrency(rows) {
  const m = new Map();
  for (const r of rows) {
    if (!m.has(r.currency)) m.set(r.currency, []);
    m.get(r.currency).push(r);
  }
  return m;
}

const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

// A period's name: its day, "Week of Mar 2", or "Mar 2026" (a month cut by the range
// still starts on the range's first day: then its first day is named).
function periodLabel(b, group, short) {
  const day = date(b.start);
  if (group === 'month' && b.start.endsWith('-01')) return monthFormat.format(new Date(b.start + 'T00:00:00Z'));
  const d = short ? day.replace(/,? \d{4}$/, '') : day;
  return group === 'week' && !short ? `Week of ${d}` : d;
}

// "+12.5%", "−3%", or "new" when there was nothing before.
function change(pct) {
  if (pct === null || pct === undefined) return 'no earlier figure';
  const s = Math.abs(pct).toLocaleString(undefined, { maximumFractionDigits: 1 });
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${s}%`;
}

// The same query as CSV, saved under a name that says what and when.
async function download(button, path, params, name) {
  button.disabled = true;
  try {
    const res = await fetch('/api/v1' + path + api.query({ ...params, format: 'csv' }), {
      credentials: 'same-origin', headers: { Accept: 'text/csv' },
    });
    if (!res.ok) throw new Error(`The download failed (the server answered ${res.status}).`);
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } finally {
    button.disabled = false;
  }
}

function csvButton(label, path, params, name, errBox) {
  const b = h('button', { type: 'button', class: 'secondary csv' }, 'Download CSV');
  b.setAttribute('aria-label', `Download CSV of ${label}`);
  b.addEventListener('click', () => download(b, path, params, name).catch((e) => errBox.show(e)));
  return b;
}

function totalsList(s, compare) {
  const cur = s.currency;
  const t = s.totals;
  const item = (name, value, pct, id) => h('li', { class: 'stat', id },
    h('span', { class: 'stat-name' }, name), h('strong', null, value),
    compare && pct !== undefined ? h('span', { class: 'stat-change' }, change(pct)) : null);
  return h('ul', { class: 'stats', 'aria-label': `Totals in ${cur}` },
    item('Sales', t.sales.toLocaleString(), s.change ? s.change.sales_percent : null, `rep-total-sales-${cur}`),
    item('Net sales', money(t.net, cur), s.change ? s.change.net_percent : null, `rep-total-net-${cur}`),
    item('Refunded', money(t.refunded, cur), undefined, `rep-total-refunded-${cur}`));
}

function salesBlock(rep, compare) {
  if (!rep.data.length) return empty('No sales in these days.');
  return rep.data.map((s) => {
    const cur = s.currency;
    const fmt = (v) => money(v, cur);
    const prev = s.previous ? s.previous.buckets : null;
    const series = [{ name: 'This period', colour: COLOURS[0] }];
    if (prev) series.push({ name: 'Previous period', colour: PREVIOUS_COLOUR });
    const groups = s.buckets.map((b, i) => ({
      label: periodLabel(b, rep.group, true),
      values: prev ? [b.net, prev[i] ? prev[i].net : 0] : [b.net],
    }));
    const by = { day: 'day', week: 'week', month: 'month' }[rep.group];
    return h('div', { class: 'currency-block' },
      totalsList(s, compare),
      h('figure', { class: 'chart', id: `sales-chart-${cur}` },
        groupedBars({ title: `Net sales by ${by} (${cur})`, desc: `${s.totals.sales} sales, ${fmt(s.totals.net)} net`, groups, series, format: fmt }),
        h('ul', { class: 'legend' }, series.map((x) => h('li', null, svg('svg', { class: 'swatch', viewBox: '0 0 10 10', width: '14', height: '14', 'aria-hidden': 'true' }, svg('rect', { width: '10', height: '10', rx: '2', fill: x.colour })), x.name))),
        h('figcaption', null, `Net sales by ${by}: ${s.totals.sales} sales, ${fmt(s.totals.net)} net.`)),
      h('details', null, h('summary', null, 'Show the figures'),
        table(null, ['Period', 'Sales', 'Total', 'Refunded', 'Net'].concat(prev ? ['Previous net'] : []),
          s.buckets.map((b, i) => h('tr', null,
            h('td', null, periodLabel(b, rep.group, false)), h('td', { class: 'num' }, b.sales),
            h('td', { class: 'num' }, fmt(b.total)), h('td', { class: 'num' }, fmt(b.refunded)),
            h('td', { class: 'num' }, fmt(b.net)),
            prev ? h('td', { class: 'num' }, prev[i] ? fmt(prev[i].net) : '—') : null)),
          { id: `sales-table-${cur}` })));
  });
}

function topItems(rows) {
  if (!rows.length) return empty('No items sold in these days.');
  return table(null, ['#', 'Item', 'Sold', 'Revenue'], rows.map((r) => h('tr', null,
    h('td', { class: 'num' }, r.rank),
    h('td', null, r.name, ' ', h('small', { class: 'hint' }, r.sku)),
    h('td', { class: 'num' }, r.quantity), h('td', { class: 'num' }, money(r.revenue, r.currency)))),
  { id: 'top-items' });
}

function topCustomers(rows) {
  if (!rows.length) return empty('No customer bought anything in these days.');
  return table(null, ['#', 'Customer', 'Sales', 'Spent'], rows.map((r) => h('tr', null,
    h('td', { class: 'num' }, r.rank),
    h('td', null, h('a', { href: `/customers/${r.customer_id}` }, r.name)),
    h('td', { class: 'num' }, r.sales), h('td', { class: 'num' }, money(r.spend, r.currency)))),
  { id: 'top-customers' });
}

function takings(rows) {
  if (!rows.length) return empty('Nothing taken in these days.');
  return table(null, ['Payment type', 'Taken', 'Refunded', 'Net'], rows.map((r) => h('tr', null,
    h('td', null, r.payment_type), h('td', { class: 'num' }, money(r.payments, r.currency)),
    h('td', { class: 'num' }, money(r.refunds, r.currency)), h('td', { class: 'num' }, money(r.net, r.currency)))),
  { id: 'takings' });
}

function stockChart(rows) {
  if (!rows.length) return empty('No stock on record.');
  const out = [];
  for (const [cur, list] of byCurrency(rows)) {
    const fmt = (v) => money(v, cur);
    const total = list.reduce((s, r) => s + r.value, 0);
    out.push(h('figure', { class: 'chart', id: `stock-chart-${cur}` },
      hBars({ title: `Stock value by outlet (${cur})`, desc: `${fmt(total)} in all`, rows: list.map((r) => ({ label: r.outlet, value: r.value })), format: fmt }),
      h('figcaption', null, `${fmt(total)} in all, at default cost.`)),
    table(null, ['Outlet', 'Items', 'Value'], list.map((r) => h('tr', null,
      h('td', null, r.outlet), h('td', { class: 'num' }, r.items), h('td', { class: 'num' }, fmt(r.value)))),
    { id: 'stock-value' }));
  }
  return out;
}

// A section whose body loads from the API; its heading carries the CSV button.
function section(id, title, csv) {
  const box = h('div', { id: `${id}-body`, 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  const err = errorBox();
  const el = h('section', { 'aria-labelledby': id, class: 'report' },
    h('div', { class: 'section-head' }, h('h2', { id }, title), csv ? csv(err) : null), err, box);
  return {
    el,
    load: (p, render) => p.then((r) => replace(box, render(r)), (e) => { replace(box); err.show(e); })
      .finally(() => box.removeAttribute('aria-busy')),
  };
}

export default async function reports(ctx) {
  const range = readRange(ctx.query);
  const compare = ctx.query.get('compare') === 'previous';
  const go = (r, cmp) => ctx.navigate('/reports' + api.query({ ...rangeParams(r), compare: cmp ? 'previous' : null }));
  const cmpBox = h('input', { type: 'checkbox', id: 'rep-compare', checked: compare });
  cmpBox.addEventListener('change', () => go(range, cmpBox.checked));
  const control = rangeControl(range, (r) => go(r, cmpBox.checked), {
    idPrefix: 'rep',
    extra: h('div', { class: 'check' }, cmpBox, h('label', { for: 'rep-compare' }, 'Compare with the previous period')),
  });
  const q = apiRange(range);
  const tag = `${range.from}-to-${range.to}`;
  const sales = section('rep-sales', 'Sales', (e) => csvButton('sales', '/reports/sales', { ...q, compare: compare ? 'previous' : null }, `sales-${tag}.csv`, e));
  const items = section('rep-items', 'Top items', (e) => csvButton('top items', '/reports/top-items', { ...q, limit: 100 }, `top-items-${tag}.csv`, e));
  const custs = section('rep-customers', 'Top customers', (e) => csvButton('top customers', '/reports/top-customers', { ...q, limit: 100 }, `top-customers-${tag}.csv`, e));
  const pays = section('rep-takings', 'Takings by payment type', (e) => csvButton('takings', '/reports/takings', q, `takings-${tag}.csv`, e));
  const stock = section('rep-stock', 'Stock value by outlet');
  append(ctx.root, heading('Reports'), control,
    h('p', { class: 'hint', id: 'rep-days' }, range.from === range.to ? date(range.from) : `${date(range.from)} to ${date(range.to)}`,
      compare ? ', against the same number of days just before' : null, '.'),
    sales.el, items.el, custs.el, pays.el, stock.el);
  await Promise.all([
    sales.load(api.get('/reports/sales', { ...q, compare: compare ? 'previous' : null }), (r) => salesBlock(r, compare)),
    items.load(api.get('/reports/top-items', q), (r) => topItems(r.data)),
    custs.load(api.get('/reports/top-customers', q), (r) => topCustomers(r.data)),
    pays.load(api.get('/reports/takings', q), (r) => takings(r.data)),
    stock.load(api.get('/reports/stock-value'), (r) => stockChart(r.data)),
  ]);
}
