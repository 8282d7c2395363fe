// One purchase order to a supplier (issue 16 item 1): its lines with what is
// ordered, received and still outstanding, and the stock at its outlet. A
// draft's lines are edited by SKU (managers), then it is placed with the
// supplier (its quantities count as on order) or cancelled; an open order is
// received in part or in full (staff, as any goods are received: each line's
// quantity defaults to what is outstanding) and may be cancelled (what was
// outstanding leaves on order).
import { h, replace, field } from '../dom.js';
import * as api from '../api.js';
import { can } from '../app.js';
import { date, dateTime, money, parseMoney, toDecimalInput } from '../format.js';
import { heading, badge, dl, table, errorBox, busy, announce } from '../ui.js';

export const PO_STATUS_LABEL = {
  draft: 'Draft', ordered: 'Ordered', partial: 'Partly received', received: 'Received', cancelled: 'Cancelled',
};

// Rows of SKU, quantity and unit cost. lines: [{sku, quantity, unit_cost}] to start from;
// read(currency) resolves the SKUs and gives the API's lines, or throws an Error in words.
export function linesEditor(lines, currency) {
  const tbody = h('tbody');
  let n = 0;
  function addRow(l = {}) {
    const i = ++n;
    const sku = h('input', { id: `po-sku-${i}`, name: 'sku', value: l.sku || '', autocomplete: 'off', 'aria-label': `SKU, line ${i}` });
    const qty = h('input', { id: `po-qty-${i}`, name: 'quantity', inputmode: 'numeric', value: l.quantity ? String(l.quantity) : '1',
      'aria-label': `Quantity, line ${i}` });
    const cost = h('input', { id: `po-cost-${i}`, name: 'unit_cost', inputmode: 'decimal', 'aria-label': `Unit cost, line ${i}`,
      value: l.unit_cost !== undefined && l.unit_cost !== null ? toDecimalInput(l.unit_cost, currency) : '', placeholder: 'item\'s cost' });
    const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove line ${i}` }, 'Remove');
    const tr = h('tr', { class: 'po-edit-line' }, h('td', null, sku), h('td', null, qty), h('td', null, cost), h('td', null, remove));
    remove.addEventListener('click', () => { tr.remove(); });
    tbody.append(tr);
    return sku;
  }
  for (const l of lines) addRow(l);
  if (!lines.length) addRow();
  const add = h('button', { type: 'button', class: 'secondary', id: 'po-add-line' }, 'Add line');
  add.addEventListener('click', () => addRow().focus());
  const t = table('Lines', ['SKU', 'Quantity', `Unit cost (${currency})`, ''], [], { class: 'cart', id: 'po-edit-lines' });
  t.querySelector('tbody').replaceWith(tbody);
  async function read(cur) {
    const rows = [...tbody.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('input')].map((x) => x.value.trim()))
      .filter(([sku]) => sku);
    if (!rows.length) throw new Error('Add at least one line with a SKU.');
    return Promise.all(rows.map(async ([sku, qty, cost]) => {
      const quantity = Number(qty);
      if (!Number.isInteger(quantity) || quantity < 1) throw new Error(`The quantity for ${sku} must be a whole number of at least 1.`);
      let unitCost;
      if (cost) {
        unitCost = parseMoney(cost, cur);
        if (unitCost === null) throw new Error(`The unit cost for ${sku} is not an amount (e.g. 7.50).`);
      }
      const page = await api.get('/items', { sku, limit: 1 });
      if (!page.data.length) throw new Error(`No item has the SKU ${sku}.`);
      const line = { item_id: page.data[0].id, quantity };
      if (unitCost !== undefined) line.unit_cost = unitCost;
      return line;
    }));
  }
  return { node: h('div', null, t, add), read };
}

// A supplier chooser with "New supplier…", which asks for a name (and email) in place.
export async function supplierPicker(current) {
  const page = await api.get('/suppliers', { limit: 500 });
  const sel = h('select', { id: 'po-supplier', name: 'supplier_id', required: true },
    h('option', { value: '' }, 'Choose a supplier'),
    page.data.map((s) => h('option', { value: String(s.id), selected: s.id === current }, s.name)),
    can('manager') ? h('option', { value: 'new' }, 'New supplier…') : null);
  const name = h('input', { id: 'supplier-name', name: 'name', autocomplete: 'organization' });
  const email = h('input', { id: 'supplier-email', name: 'email', type: 'email', autocomplete: 'email' });
  const err = errorBox();
  const save = h('button', { type: 'button', id: 'supplier-add' }, 'Add supplier');
  const box = h('div', { class: 'filters', id: 'supplier-new', hidden: true },
    field('Supplier name', name), field('Email (optional)', email), save, err);
  sel.addEventListener('change', () => {
    box.hidden = sel.value !== 'new';
    if (!box.hidden) name.focus();
  });
  save.addEventListener('click', () => busy(save, err, async () => {
    const body = { name: name.value };
    if (email.value.trim()) body.email = email.value.trim();
    const s = await api.post('/suppliers', body);
    const opt = h('option', { value: String(s.id) }, s.name);
    sel.insertBefore(opt, sel.querySelector('option[value="new"]'));
    sel.value = String(s.id);
    box.hidden = true;
    name.value = '';
    email.value = '';
    announce(`Supplier ${s.name} added.`);
    sel.focus();
  }));
  return { node: [field('Supplier', sel), box], value: () => (sel.value && sel.value !== 'new' ? Number(sel.value) : null) };
}

function editForm(po, picker, onDone) {
  const editor = linesEditor(po.lines, po.currency);
  const expected = h('input', { id: 'po-expected', name: 'expected_on', type: 'date', value: po.expected_on || '' });
  const note = h('textarea', { id: 'po-note', name: 'note', rows: '2' }, po.note || '');
  const err = errorBox();
  const save = h('button', { type: 'submit', id: 'po-save' }, 'Save draft');
  const form = h('form', { id: 'po-edit', 'aria-labelledby': 'po-edit-title' },
    h('h2', { id: 'po-edit-title' }, 'Edit the draft'),
    h('div', { class: 'filters' }, picker.node, field('Expected', expected)),
    editor.node, field('Note', note), save, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, err, async () => {
      const supplier = picker.value();
      if (!supplier) throw new Error('Choose a supplier.');
      const lines = await editor.read(po.currency);
      const updated = await api.patch(`/purchase-orders/${po.id}`, {
        supplier_id: supplier, lines, expected_on: expected.value || null, note: note.value.trim() || null,
      });
      announce(`${updated.number} saved.`);
      onDone(updated);
    });
  });
  return form;
}

function receiveForm(po, onDone) {
  const open = po.lines.filter((l) => l.outstanding > 0);
  const inputs = new Map();
  const rows = open.map((l) => {
    const input = h('input', { id: `receive-${l.id}`, name: 'quantity', inputmode: 'numeric', value: String(l.outstanding),
      'aria-label': `Receive now: ${l.sku}` });
    inputs.set(l.id, input);
    return h('tr', { 'data-line': l.id }, h('td', null, l.name, ' ', h('small', null, l.sku)),
      h('td', { class: 'num' }, l.outstanding), h('td', null, input));
  });
  const reference = h('input', { id: 'receive-reference', name: 'reference', placeholder: 'e.g. DN-1042' });
  const err = errorBox();
  const submit = h('button', { type: 'submit', id: 'receive-submit' }, 'Receive');
  const t = table(null, ['Item', 'Outstanding', 'Receive now'], rows, { class: 'cart', id: 'receive-lines' });
  const form = h('form', { id: 'po-receive', 'aria-labelledby': 'receive-title' },
    h('h2', { id: 'receive-title' }, 'Receive a delivery'),
    h('p', { class: 'hint' }, 'Each line starts at what is still outstanding; set 0 for what did not come.'),
    t, h('div', { class: 'filters' }, field('Delivery note (optional)', reference), submit), err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, err, async () => {
      const lines = [];
      for (const l of open) {
        const v = inputs.get(l.id).value.trim();
        const q = v === '' ? 0 : Number(v);
        if (!Number.isInteger(q) || q < 0) throw new Error(`Receive now for ${l.sku} must be a whole number.`);
        if (q > l.outstanding) throw new Error(`Only ${l.outstanding} of ${l.sku} are outstanding: receive extra goods as a stock receipt.`);
        if (q) lines.push({ line_id: l.id, quantity: q });
      }
      if (!lines.length) throw new Error('Enter a quantity for at least one line.');
      const body = { lines };
      if (reference.value.trim()) body.reference = reference.value.trim();
      const updated = await api.post(`/purchase-orders/${po.id}/receive`, body);
      announce(updated.status === 'received' ? `${po.number} is received in full.` : `Delivery received on ${po.number}.`);
      onDone(updated);
    });
  });
  return form;
}

function actionButton(id, text, confirmText, path, doneText, onDone, kind) {
  const err = errorBox();
  const b = h('button', { type: 'button', id, class: kind || null }, text);
  b.addEventListener('click', () => busy(b, err, async () => {
    if (confirmText && !confirm(confirmText)) return;
    const updated = await api.post(path, {});
    announce(doneText);
    onDone(updated);
  }));
  return h('div', { class: 'pickup-actions' }, b, err);
}

// On hand and on order of each line's item at the order's outlet.
async function stockOf(po) {
  const rows = await Promise.all(po.lines.slice(0, 50).map((l) =>
    api.get('/stock', { item_id: l.item_id, outlet_id: po.outlet_id }).then((p) => p.data[0], () => null)));
  return new Map(rows.filter(Boolean).map((r) => [r.item_id, r]));
}

export default async function purchaseOrder(ctx) {
  const id = ctx.params[0];
  const po = await api.get(`/purchase-orders/${id}`);
  await paint(po);

  async function paint(po) {
    const m = (v) => money(v, po.currency);
    const [stock, picker] = await Promise.all([stockOf(po),
      po.status === 'draft' && can('manager') ? supplierPicker(po.supplier_id) : null]);
    if (!ctx.alive()) return;
    const again = (u) => paint(u).then(() => ctx.root.querySelector('h1').focus());
    const openOrder = po.status === 'ordered' || po.status === 'partial';
    const cancellable = po.status !== 'received' && po.status !== 'cancelled' && can('manager');
    replace(ctx.root,
      heading(`Purchase order ${po.number}`, h('p', { class: 'statuses' },
        badge(PO_STATUS_LABEL[po.status] || po.status, po.status))),
      h('div', { class: 'grid2' },
        dl([
          ['Supplier', po.supplier_name],
          ['Deliver to', po.outlet_name],
          ['Expected', po.expected_on ? date(po.expected_on) : null],
          po.note ? ['Note', h('span', { class: 'pre' }, po.note)] : null,
        ]),
        dl([
          ['Total', h('strong', { id: 'po-total' }, m(po.total))],
          ['Received', h('span', { id: 'po-received' }, `${po.received} of ${po.quantity} units`)],
          ['Created', dateTime(po.created_at, po.outlet_id)],
          po.ordered_at ? ['Ordered', dateTime(po.ordered_at, po.outlet_id)] : null,
          po.closed_at ? [po.status === 'cancelled' ? 'Cancelled' : 'Received in full', dateTime(po.closed_at, po.outlet_id)] : null,
        ])),
      table('Lines', ['Item', 'SKU', 'Ordered', 'Received', 'Outstanding', 'Unit cost', 'Amount', 'On hand', 'On order'],
        po.lines.map((l) => {
          const s = stock.get(l.item_id);
          return h('tr', { 'data-line': l.id },
            h('td', null, l.name), h('td', null, l.sku),
            h('td', { class: 'num' }, l.quantity), h('td', { class: 'num' }, l.received),
            h('td', { class: 'num' }, l.outstanding), h('td', { class: 'num' }, m(l.unit_cost)),
            h('td', { class: 'num' }, m(l.amount)),
            h('td', { class: 'num', 'data-on-hand': l.item_id }, s ? s.on_hand : '—'),
            h('td', { class: 'num', 'data-on-order': l.item_id }, s ? s.on_order : '—'));
        }), { id: 'po-lines' }),
      openOrder ? receiveForm(po, again) : null,
      po.status === 'draft' && can('manager') ? [
        editForm(po, picker, again),
        actionButton('po-order', 'Place order', null, `/purchase-orders/${po.id}/order`,
          `${po.number} is ordered.`, again),
      ] : null,
      cancellable ? actionButton('po-cancel', 'Cancel order',
        `Cancel ${po.number}? What is still outstanding stops counting as on order.`,
        `/purchase-orders/${po.id}/cancel`, `${po.number} is cancelled.`, again, 'secondary') : null,
      po.receipts.length ? table('Deliveries', ['When', 'Delivery note', 'By'], po.receipts.map((r) => h('tr', null,
        h('td', null, dateTime(r.created_at, po.outlet_id)), h('td', null, r.reference || '—'),
        h('td', null, r.username || '—'))), { id: 'po-receipts' }) : null,
      h('p', null, h('a', { href: '/purchase-orders' }, 'All purchase orders')));
  }
}
