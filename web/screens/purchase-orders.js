// Purchase orders to suppliers (issue 16 item 1): newest first, in the user's
// outlets, filtered by status and found by number or supplier; each row opens
// the order. Managers start a new one here: a supplier (or a new one, named in
// place), the outlet it is delivered to and its lines by SKU, saved as a draft.
import { h, append, field, select } from '../dom.js';
import * as api from '../api.js';
import { can } from '../app.js';
import { date, dateTime, money } from '../format.js';
import { heading, pager, badge, table, errorBox, busy, announce } from '../ui.js';
import { PO_STATUS_LABEL, linesEditor, supplierPicker } from './purchase-order.js';

function poRow(p) {
  return h('tr', { 'data-po': p.id },
    h('td', null, h('a', { href: `/purchase-orders/${p.id}` }, p.number)),
    h('td', null, p.supplier_name),
    h('td', null, p.outlet_name),
    h('td', null, badge(PO_STATUS_LABEL[p.status] || p.status, p.status)),
    h('td', null, p.expected_on ? date(p.expected_on) : '—'),
    h('td', { class: 'num' }, `${p.received} / ${p.quantity}`),
    h('td', { class: 'num' }, money(p.total, p.currency)),
    h('td', null, h('time', { datetime: p.created_at }, dateTime(p.created_at, p.outlet_id))));
}

async function newForm(ctx) {
  const outlets = ctx.user.outlets;
  const picker = await supplierPicker(null);
  const outletSel = select(outlets.map((o) => [o.id, o.name]), { id: 'po-outlet', name: 'outlet_id' });
  const expected = h('input', { id: 'po-expected', name: 'expected_on', type: 'date' });
  const currencyOf = () => (outlets.find((o) => String(o.id) === outletSel.value) || {}).currency || 'USD';
  const editor = linesEditor([], currencyOf());
  const err = errorBox();
  const save = h('button', { type: 'submit', id: 'po-create' }, 'Save draft');
  const form = h('form', { id: 'po-new', 'aria-labelledby': 'po-new-title', hidden: true },
    h('h2', { id: 'po-new-title' }, 'New purchase order'),
    h('div', { class: 'filters' }, picker.node, field('Deliver to', outletSel), field('Expected', expected)),
    editor.node, save, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, err, async () => {
      const supplier = picker.value();
      if (!supplier) throw new Error('Choose a supplier.');
      const lines = await editor.read(currencyOf());
      const body = { supplier_id: supplier, outlet_id: Number(outletSel.value), lines };
      if (expected.value) body.expected_on = expected.value;
      const po = await api.post('/purchase-orders', body);
      announce(`${po.number} saved as a draft.`);
      ctx.navigate(`/purchase-orders/${po.id}`);
    });
  });
  const open = h('button', { type: 'button', id: 'po-new-open' }, 'New purchase order');
  open.addEventListener('click', () => {
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) form.querySelector('select').focus();
  });
  open.setAttribute('aria-expanded', 'false');
  return [open, form];
}

export default async function purchaseOrders(ctx) {
  const q = ctx.query;
  const status = q.get('status') || '';
  const text = q.get('q') || '';
  const statusSel = select([['', 'Any'], ...Object.entries(PO_STATUS_LABEL)], { id: 'po-status', name: 'status', value: status });
  const input = h('input', { type: 'search', id: 'po-q', name: 'q', value: text, placeholder: 'PO number or supplier' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Find purchase orders' },
    field('Search purchase orders', input), field('Status', statusSel),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (input.value.trim()) p.set('q', input.value.trim());
    if (statusSel.value) p.set('status', statusSel.value);
    ctx.navigate('/purchase-orders' + (p.toString() ? '?' + p : ''));
  });
  const params = {};
  if (status) params.status = status;
  if (text) params.q = text;
  const tbody = h('tbody');
  const p = pager(tbody, (after) => api.get('/purchase-orders', { ...params, limit: 50, after }), poRow,
    { emptyText: 'No purchase orders match.' });
  const t = table(null, ['Number', 'Supplier', 'Deliver to', 'Status', 'Expected', 'Received', 'Total', 'Created'], [],
    { id: 'purchase-orders' });
  t.querySelector('tbody').replaceWith(tbody);
  const creating = can('manager') ? await newForm(ctx) : null;
  if (!ctx.alive()) return undefined;
  append(ctx.root, heading('Purchase orders', creating ? creating[0] : null), creating ? creating[1] : null, form, t, p.controls);
  return p.start();
}
