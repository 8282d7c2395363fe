// Sales history (SPEC T2): find any sale by its number, the channel's order
// number, the customer's name or email, or a SKU; filters (dates, outlet,
// channel, status), newest first or by total, and a count that says where the
// list is; today's transactions. Each row opens the sale.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label, money, customerLabel } from '../format.js';
import { heading, pager, badge, table } from '../ui.js';
import { PRESETS, presetRange, addDays } from '../range.js';

// The channels whose orders the user may see (linked to one of their outlets),
// by id: names only, which every role may read (GET /me/channels).
export async function channelNames() {
  try {
    const page = await api.get('/me/channels', { limit: 500 });
    return Object.fromEntries(page.data.map((c) => [c.id, c.name]));
  } catch {
    return {};
  }
}

export function saleRow(s, outlets, channels) {
  return h('tr', { 'data-sale': s.id },
    h('td', null, h('a', { href: `/sales/${s.id}` }, `#${s.id}`)),
    h('td', null, h('time', { datetime: s.created_at }, dateTime(s.created_at, s.outlet_id))),
    h('td', null, outlets[s.outlet_id] || `Outlet ${s.outlet_id}`),
    h('td', null, s.channel_id ? `${s.channel_name || channels[s.channel_id] || 'Channel ' + s.channel_id} ${s.external_number || ''}` : 'In store'),
    h('td', null, customerLabel(s)),
    h('td', null, badge(label(s.status), s.status), s.kind === 'invoice' ? badge('Invoice', 'invoice') : null,
      s.needs_review ? badge('Review', 'warn') : null),
    h('td', { class: 'num' }, money(s.total, s.currency)),
    h('td', { class: 'num' }, s.balance_due ? money(s.balance_due, s.currency) : ''));
}

export const SALE_HEADERS = ['#', 'Date', 'Outlet', 'Channel', 'Customer', 'Status', 'Total', 'Due'];

// The period the address names: ?range=<preset>, ?range=custom&from=&to= (either day may be
// left out; to is included), or any time. An older address's from= and to= (to was the
// first day after) keep their meaning.
function salesPeriod(q) {
  const key = q.get('range');
  const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : '');
  if (key === 'custom') return { preset: 'custom', from: day(q.get('from')), to: day(q.get('to')) };
  if (key && PRESETS.some(([k]) => k === key)) return { preset: key, ...presetRange(key) };
  const from = day(q.get('from')), before = day(q.get('to'));
  if (from || before) return { preset: 'custom', from, to: before ? addDays(before, -1) : '' };
  return { preset: 'any', from: '', to: '' };
}

export default async function sales(ctx) {
  const q = ctx.query;
  const today = q.get('today') === 'true';
  const channels = await channelNames();
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  // the period: the app's one date-range control's presets and days (range.js), or any
  // time; days are the outlets' business days, the last one included
  const period = salesPeriod(q);
  const periodSel = h('select', { id: 'sales-range', name: 'range' },
    [['any', 'Any time'], ...PRESETS].map(([k, text]) => h('option', { value: k, selected: k === period.preset }, text)));
  const from = h('input', { type: 'date', id: 'sales-from', name: 'from', value: period.from || '' });
  const to = h('input', { type: 'date', id: 'sales-to', name: 'to', value: period.to || '' });
  periodSel.addEventListener('change', () => {
    if (periodSel.value === 'custom') { from.focus(); return; }
    const r = periodSel.value === 'any' ? { from: '', to: '' } : presetRange(periodSel.value);
    from.value = r.from;
    to.value = r.to;
  });
  for (const el of [from, to]) el.addEventListener('input', () => { periodSel.value = from.value || to.value ? 'custom' : 'any'; });
  const outletSel = h('select', { id: 'sales-outlet', name: 'outlet_id' }, h('option', { value: '' }, 'All my outlets'),
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: q.get('outlet_id') === String(o.id) }, o.name)));
  const chanSel = h('select', { id: 'sales-channel', name: 'channel' }, h('option', { value: '' }, 'Any'),
    h('option', { value: 'pos', selected: q.get('channel') === 'pos' }, 'In store'),
    Object.entries(channels).map(([id, name]) => h('option', { value: id, selected: q.get('channel') === id }, name)));
  const statusSel = h('select', { id: 'sales-status', name: 'status' }, h('option', { value: '' }, 'Any'),
    ['open', 'completed', 'voided'].map((s) => h('option', { value: s, selected: q.get('status') === s }, label(s))));
  const todayBox = h('input', { type: 'checkbox', id: 'sales-today', name: 'today', checked: today });
  const search = h('input', { type: 'search', id: 'sales-q', name: 'q', value: q.get('q') || '',
    placeholder: 'Sale #, order #, customer, email or SKU', autocomplete: 'off' });
  const SORTS = [['-id', 'Newest first'], ['id', 'Oldest first'], ['-total', 'Largest total'], ['total', 'Smallest total']];
  const sortSel = h('select', { id: 'sales-sort', name: 'sort' },
    SORTS.map(([v, text]) => h('option', { value: v, selected: (q.get('sort') || '-id') === v }, text)));
  const form = h('form', { class: 'filters', 'aria-label': 'Find sales' },
    h('div', { class: 'field wide' }, h('label', { for: 'sales-q' }, 'Find'), search),
    h('div', { class: 'field' }, h('label', { for: 'sales-range' }, 'Period'), periodSel),
    h('div', { class: 'field' }, h('label', { for: 'sales-from' }, 'From'), from),
    h('div', { class: 'field' }, h('label', { for: 'sales-to' }, 'To'), to),
    h('div', { class: 'field' }, h('label', { for: 'sales-outlet' }, 'Outlet'), outletSel),
    h('div', { class: 'field' }, h('label', { for: 'sales-channel' }, 'Channel'), chanSel),
    h('div', { class: 'field' }, h('label', { for: 'sales-status' }, 'Status'), statusSel),
    h('div', { class: 'field' }, h('label', { for: 'sales-sort' }, 'Order'), sortSel),
    h('div', { class: 'check' }, todayBox, h('label', { for: 'sales-today' }, 'Today only')),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const el of [search, outletSel, chanSel, statusSel]) if (el.value.trim()) p.set(el.name, el.value.trim());
    if (periodSel.value === 'custom' && (from.value || to.value)) {
      p.set('range', 'custom');
      if (from.value) p.set('from', from.value);
      if (to.value) p.set('to', to.value);
    } else if (periodSel.value !== 'any' && periodSel.value !== 'custom') {
      p.set('range', periodSel.value);
    }
    if (sortSel.value !== '-id') p.set('sort', sortSel.value);
    if (todayBox.checked) p.set('today', 'true');
    ctx.navigate('/sales' + (p.toString() ? '?' + p : ''));
  });
  const tbody = h('tbody');
  const params = Object.fromEntries(['q', 'outlet_id', 'channel', 'status', 'today'].map((k) => [k, q.get(k)]));
  // the API takes the first day and the day after the last
  if (period.from) params.from = period.from;
  if (period.to) params.to = addDays(period.to, 1);
  params.sort = q.get('sort') || '-id';
  // where the list is: "1–50 of 1,234" (the count comes with the first page)
  const where = h('p', { id: 'sales-count', class: 'hint', 'aria-live': 'polite' });
  let total = null, capped = false, shown = 0;
  const load = async (after) => {
    const page = await api.get('/sales', { ...params, limit: 50, after, count: after ? undefined : 'true' });
    if (!after) { total = page.total; capped = page.total_capped; shown = 0; }
    shown += page.data.length;
    where.textContent = shown ? `Showing 1–${shown.toLocaleString()} of ${total.toLocaleString()}${capped ? '+' : ''}` : '';
    return page;
  };
  const p = pager(tbody, load, (s) => saleRow(s, outlets, channels),
    { emptyText: params.q ? `No sale matches “${params.q}”.` : 'No sales match.' });
  const t = table(null, SALE_HEADERS, [], { id: 'sales' });
  t.querySelector('tbody').replaceWith(tbody);
  append(ctx.root, heading(today ? "Today's transactions" : 'Sales',
    h('div', null, h('a', { class: 'button secondary', href: '/sales?today=true' }, "Today's transactions"), ' ',
      h('a', { class: 'button', href: '/sell' }, 'New sale'))),
  form, where, t, p.controls);
  return p.start();
}
