// Fulfillments by outlet and status; split orders are marked as split; each
// moves along SPEC F2 (New → In progress → Packed → Shipped / Picked up, or
// Cancelled from any non-final status), by the server's table of statuses.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label, customerLabel } from '../format.js';
import { heading, pager, badge, table } from '../ui.js';
import { loadStatuses, statusButtons } from './fulfillment.js';

export default async function fulfillments(ctx) {
  const t = await loadStatuses();
  const outlet = ctx.query.get('outlet_id') || '';
  const status = ctx.query.get('status') || '';
  const outletSel = h('select', { id: 'ff-outlet', name: 'outlet_id' },
    h('option', { value: '' }, 'All my outlets'),
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: String(o.id) === outlet }, o.name)));
  const statusSel = h('select', { id: 'ff-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    t.statuses.map((s) => h('option', { value: s, selected: s === status }, label(s))));
  const form = h('form', { class: 'filters' },
    h('div', { class: 'field' }, h('label', { for: 'ff-outlet' }, 'Outlet'), outletSel),
    h('div', { class: 'field' }, h('label', { for: 'ff-status' }, 'Status'), statusSel),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (outletSel.value) p.set('outlet_id', outletSel.value);
    if (statusSel.value) p.set('status', statusSel.value);
    ctx.navigate('/fulfillments' + (p.toString() ? '?' + p : ''));
  });
  const names = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const tbody = h('tbody');
  function row(f) {
    const statusCell = h('td', null, badge(label(f.status), f.status));
    const tr = h('tr', { 'data-fulfillment': f.id },
      h('td', null, h('a', { href: `/fulfillments/${f.id}` }, `#${f.id}`)),
      h('td', null, h('a', { href: `/sales/${f.sale_id}` }, f.external_number || `Sale #${f.sale_id}`),
        f.is_split ? badge('Split', 'split') : null, f.is_backorder ? badge('Backorder', 'warn') : null),
      h('td', null, customerLabel(f)),
      h('td', null, names[f.outlet_id] || `Outlet ${f.outlet_id}`),
      h('td', null, label(f.kind)),
      h('td', null, h('time', { datetime: f.order_date || f.created_at }, dateTime(f.order_date || f.created_at, f.outlet_id))),
      h('td', null, (f.lines || []).map((l) => h('div', null, `${l.quantity} × ${l.description}`,
        l.backorder_quantity ? h('small', null, ` (${l.backorder_quantity} on backorder)`) : null))),
      statusCell,
      h('td'));
    const onChange = (updated) => {
      statusCell.replaceChildren(badge(label(updated.status), updated.status));
      tr.lastElementChild.replaceChildren(statusButtons(updated, t, onChange));
    };
    tr.lastElementChild.append(statusButtons(f, t, onChange));
    return tr;
  }
  const p = pager(tbody, (after) => api.get('/fulfillments', { outlet_id: outlet, status, limit: 25, after }), row,
    { emptyText: 'No fulfillments match.' });
  append(ctx.root, heading('Fulfillments'), form,
    table(null, ['#', 'Order', 'Customer', 'Outlet', 'Kind', 'Ordered', 'Items', 'Status', 'Move to'], [], { id: 'fulfillments' }),
    p.controls);
  ctx.root.querySelector('#fulfillments tbody').replaceWith(tbody);
  return p.start();
}
