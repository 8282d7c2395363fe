// One fulfillment: its lines, history, shipment, and the status buttons
// allowed by SPEC F2 from where it stands. The moves come from the server's
// own table (GET /api/v1/fulfillment-statuses, the rule core/fulfillment.c
// checks), read once: nothing here repeats the rule.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label, customerLabel } from '../format.js';
import { heading, badge, errorBox, busy, dl, table, announce } from '../ui.js';

let statusTable = null;

// The F2 table: {statuses, final, kinds: {shipping|pickup: {status: {next, next_when_voided}}}}.
export function loadStatuses() {
  if (!statusTable) statusTable = api.get('/fulfillment-statuses').catch((e) => { statusTable = null; throw e; });
  return statusTable;
}

// The moves the table allows from where it stands; F3: one of a voided sale
// has its own row (only cancelled), a final status none.
export function nextStatuses(f, t) {
  const row = t.kinds[f.kind] && t.kinds[f.kind][f.status];
  if (!row) return [];
  return f.sale_status === 'voided' ? row.next_when_voided : row.next;
}

// Buttons for each allowed move (t: the table from loadStatuses); onChange(updated) after
// a successful one.
export function statusButtons(f, t, onChange) {
  const next = nextStatuses(f, t);
  if (!next.length) return h('span', { class: 'hint' }, 'Final');
  const err = errorBox();
  const group = h('div', { class: 'status-buttons', role: 'group', 'aria-label': `Move fulfillment ${f.id} to` });
  for (const s of next) {
    const b = h('button', { type: 'button', class: s === 'cancelled' ? 'secondary' : '', 'data-status': s }, label(s));
    b.addEventListener('click', () => busy(b, err, async () => {
      if (s === 'cancelled' && !confirm(`Cancel fulfillment #${f.id}?`)) return;
      const updated = await api.post(`/fulfillments/${f.id}/status`, { status: s });
      announce(`Fulfillment #${f.id} is now ${label(updated.status)}.`);
      onChange(updated);
    }));
    group.append(b, ' ');
  }
  return h('div', null, group, err);
}

export default async function fulfillment(ctx) {
  const id = ctx.params[0];
  const [f, t] = await Promise.all([api.get(`/fulfillments/${id}`), loadStatuses()]);
  const names = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const statusSlot = h('div');
  const head = h('p', { class: 'statuses' });
  function paint(cur) {
    replace(head, badge(label(cur.status), cur.status), cur.is_split ? badge('Split order', 'split') : null,
      cur.is_backorder ? badge('Backorder', 'warn') : null);
    replace(statusSlot, h('h2', null, 'Change status'), statusButtons(cur, t, (u) => { paint({ ...cur, ...u }); reload(); }));
  }
  const events = h('div');
  function paintEvents(list) {
    replace(events, table('History', ['When', 'From', 'To', 'By'], (list || []).map((e) => h('tr', null,
      h('td', null, dateTime(e.created_at, f.outlet_id)), h('td', null, e.from_status ? label(e.from_status) : '—'),
      h('td', null, label(e.to_status)), h('td', null, e.username || 'system')))));
  }
  async function reload() {
    try { paintEvents((await api.get(`/fulfillments/${id}`)).events); } catch { /* keep the old list */ }
  }
  const s = f.shipment;
  append(ctx.root, 
    heading(`Fulfillment #${f.id}`),
    head,
    dl([
      ['Order', h('a', { href: `/sales/${f.sale_id}` }, f.external_number || `Sale #${f.sale_id}`)],
      ['Customer', customerLabel(f)],
      ['Outlet', names[f.outlet_id] || `Outlet ${f.outlet_id}`],
      ['Kind', label(f.kind)],
      ['Ordered', dateTime(f.order_date || f.created_at, f.outlet_id)],
      s ? ['Ship to', [s.name, s.line1, s.line2, s.city, s.region, s.postcode, s.country].filter(Boolean).join(', ')] : null,
      s && s.method ? ['Method', s.method] : null,
      s && s.tracking_number ? ['Tracking', `${s.tracking_number}${s.carrier ? ' (' + s.carrier + ')' : ''}`] : null,
    ]),
    table('Items', ['Qty', 'Item', 'SKU', 'Backorder'], (f.lines || []).map((l) => h('tr', null,
      h('td', { class: 'num' }, l.quantity), h('td', null, l.description), h('td', null, l.sku || '—'),
      h('td', { class: 'num' }, l.backorder_quantity || '')))),
    statusSlot, events);
  paint(f);
  paintEvents(f.events);
}
