// Customer orders (SPEC M6): the open orders (or those turned into sales, or
// cancelled), newest first, in the user's outlets. Each row opens the order.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label, money, customerLabel } from '../format.js';
import { heading, pager, badge, table } from '../ui.js';

export const ORDER_STATUS_LABEL = { open: 'Open', completed: 'Turned into sale', voided: 'Cancelled' };

function orderRow(o, outlets) {
  return h('tr', { 'data-order': o.id },
    h('td', null, h('a', { href: `/orders/${o.id}` }, `#${o.id}`)),
    h('td', null, h('time', { datetime: o.created_at }, dateTime(o.created_at, o.outlet_id))),
    h('td', null, outlets[o.outlet_id] || `Outlet ${o.outlet_id}`),
    h('td', null, o.channel_id ? `${o.channel_name || 'Channel ' + o.channel_id} ${o.external_number || ''}` : 'In store'),
    h('td', null, customerLabel(o)),
    h('td', null, badge(ORDER_STATUS_LABEL[o.order_status] || label(o.order_status), o.order_status)),
    h('td', { class: 'num' }, o.reserved_total),
    h('td', { class: 'num' }, money(o.deposit_total, o.currency)),
    h('td', { class: 'num' }, money(o.total, o.currency)),
    h('td', { class: 'num' }, o.balance_due ? money(o.balance_due, o.currency) : ''));
}

export default async function orders(ctx) {
  const q = ctx.query;
  const status = q.has('status') ? q.get('status') : 'open';
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const statusSel = h('select', { id: 'orders-status', name: 'status' },
    h('option', { value: 'all', selected: status === 'all' }, 'Any'),
    ['open', 'completed', 'voided'].map((s) => h('option', { value: s, selected: status === s }, ORDER_STATUS_LABEL[s])));
  const form = h('form', { class: 'filters', 'aria-label': 'Filter orders' },
    h('div', { class: 'field' }, h('label', { for: 'orders-status' }, 'Status'), statusSel),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate('/orders?status=' + encodeURIComponent(statusSel.value));
  });
  const tbody = h('tbody');
  const params = status === 'all' ? {} : { status };
  const p = pager(tbody, (after) => api.get('/orders', { ...params, limit: 50, after }), (o) => orderRow(o, outlets),
    { emptyText: 'No orders match.' });
  const t = table(null, ['#', 'Date', 'Outlet', 'Channel', 'Customer', 'Status', 'Reserved', 'Deposits', 'Total', 'Due'], [],
    { id: 'orders' });
  t.querySelector('tbody').replaceWith(tbody);
  append(ctx.root, heading(status === 'open' ? 'Open orders' : 'Orders'), form, t, p.controls);
  return p.start();
}
