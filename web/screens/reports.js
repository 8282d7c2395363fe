// Reports: sales by day and channel, and stock value by outlet (default cost
// × on hand), both for my outlets, drawn as SVG bar charts with the figures
// in a table beside them. Totals are integer sums, formatted at the end.
import { h, svg, replace, append } from '../dom.js';
import * as api from '../api.js';
import { money, isoDay, date, today } from '../format.js';
import { heading, table, errorBox, empty } from '../ui.js';
import { groupedBars, hBars, COLOURS } from '../chart.js';

function byCurrency(rows) {
  const m = new Map();
  for (const r of rows) {
    if (!m.has(r.currency)) m.set(r.currency, []);
    m.get(r.currency).push(r);
  }
  return m;
}

function days(from, to) {
  const out = [];
  const d = new Date(from + 'T00:00:00Z');
  const end = new Date(to + 'T00:00:00Z');
  while (d <= end && out.length < 400) { out.push(isoDay(d)); d.setUTCDate(d.getUTCDate() + 1); }
  return out;
}

function salesChart(rows, from, to) {
  if (!rows.length) return empty('No sales in these days.');
  const out = [];
  for (const [cur, list] of byCurrency(rows)) {
    const channels = [...new Map(list.map((r) => [String(r.channel_id), r.channel])).entries()]; // [key, name]
    const dayList = days(from, to);
    for (const r of list) if (!dayList.includes(r.day)) dayList.push(r.day);
    dayList.sort();
    const cell = new Map(list.map((r) => [r.day + '|' + r.channel_id, r]));
    const groups = dayList.map((d) => ({
      label: date(d).replace(/,? \d{4}$/, ''),
      values: channels.map(([k]) => (cell.get(d + '|' + (k === 'null' ? null : k)) || { total: 0 }).total),
    }));
    const total = list.reduce((s, r) => s + r.total, 0);
    const count = list.reduce((s, r) => s + r.sales, 0);
    const fmt = (v) => money(v, cur);
    out.push(h('figure', { class: 'chart', id: `sales-chart-${cur}` },
      groupedBars({ title: `Sales by day and channel (${cur})`, desc: `${count} sales, ${fmt(total)} in all`, groups, series: channels.map(([, name]) => ({ name })), format: fmt }),
      h('ul', { class: 'legend' }, channels.map(([, name], i) => h('li', null, svg('svg', { class: 'swatch', viewBox: '0 0 10 10', width: '14', height: '14', 'aria-hidden': 'true' }, svg('rect', { width: '10', height: '10', rx: '2', fill: COLOURS[i % COLOURS.length] })), name))),
      h('figcaption', null, `${count} sales, ${fmt(total)} in all.`)),
    h('details', null, h('summary', null, 'Show the figures'),
      table(null, ['Day', 'Channel', 'Sales', 'Total'], list.map((r) => h('tr', null,
        h('td', null, date(r.day)), h('td', null, r.channel), h('td', { class: 'num' }, r.sales), h('td', { class: 'num' }, fmt(r.total)))))));
  }
  return out;
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

export default async function reports(ctx) {
  // Days are the outlets' business days (SPEC T1): today where my outlets are.
  const toV = ctx.query.get('to') || today();
  const fromV = ctx.query.get('from') || isoDay(new Date(Date.parse(toV + 'T00:00:00Z') - 13 * 86400000));
  const from = h('input', { type: 'date', id: 'rep-from', value: fromV, required: true });
  const to = h('input', { type: 'date', id: 'rep-to', value: toV, required: true });
  const form = h('form', { class: 'filters' },
    h('div', { class: 'field' }, h('label', { for: 'rep-from' }, 'From'), from),
    h('div', { class: 'field' }, h('label', { for: 'rep-to' }, 'To'), to),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => { e.preventDefault(); ctx.navigate(`/reports?from=${from.value}&to=${to.value}`); });
  const salesBox = h('div', { 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  const stockBox = h('div', { 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  const e1 = errorBox();
  const e2 = errorBox();
  append(ctx.root, heading('Reports'),
    h('section', { 'aria-labelledby': 'rep-sales' }, h('h2', { id: 'rep-sales' }, 'Sales by day and channel'), form, e1, salesBox),
    h('section', { 'aria-labelledby': 'rep-stock' }, h('h2', { id: 'rep-stock' }, 'Stock value by outlet'), e2, stockBox));
  await Promise.all([
    api.get('/reports/sales-by-day', { from: fromV, to: toV })
      .then((r) => replace(salesBox, salesChart(r.data, fromV, toV)), (err) => { replace(salesBox); e1.show(err); }),
    api.get('/reports/stock-value')
      .then((r) => replace(stockBox, stockChart(r.data)), (err) => { replace(stockBox); e2.show(err); }),
  ]);
  salesBox.removeAttribute('aria-busy');
  stockBox.removeAttribute('aria-busy');
}
