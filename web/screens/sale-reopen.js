// An exported sale's reopen form (SPEC E9: its outlet, register, customer and a
// note, sent as one request: POST /sales/{id}/reopen), the sale's history (who
// changed what, and when) and, on a sale flagged for review (E8), the "Mark
// reviewed" button (POST /sales/{id}/review). Used by the sale screen.
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { dateTime } from '../format.js';
import { errorBox, busy, announce, table } from '../ui.js';

const FIELD_NAMES = { outlet_id: 'Outlet', register_id: 'Register', customer_id: 'Customer' };

function customerName(c) {
  return [c.first_name, c.last_name].filter(Boolean).join(' ') || c.company || c.email || `Customer ${c.id}`;
}

// What the form offers: the registers and (the first 100) customers.
export async function reopenChoices() {
  const [regsPage, custPage] = await Promise.all([
    api.get('/registers', { limit: 100 }).catch(() => ({ data: [] })),
    api.get('/customers', { limit: 100 }).catch(() => ({ data: [] })),
  ]);
  return { regsPage, custPage };
}

// The reopen form. onDone(sale) repaints the screen with the sale answered.
export function reopenForm(ctx, sale, { regsPage, custPage }, onDone) {
  const outletSel = h('select', { id: 'reopen-outlet', name: 'outlet_id' },
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: o.id === sale.outlet_id }, o.name)));
  if (!ctx.user.outlets.some((o) => o.id === sale.outlet_id))
    outletSel.append(h('option', { value: String(sale.outlet_id), selected: true }, `Outlet ${sale.outlet_id}`));
  const registerSel = h('select', { id: 'reopen-register', name: 'register_id' });
  function fillRegisters() {
    const regs = regsPage.data.filter((r) => String(r.outlet_id) === outletSel.value);
    replace(registerSel, h('option', { value: '' }, 'No register'), regs.map((r) => h('option', { value: String(r.id) }, r.name)));
    const keep = regs.some((r) => r.id === sale.register_id) ? sale.register_id : (regs[0] ? regs[0].id : '');
    registerSel.value = String(keep);
  }
  outletSel.addEventListener('change', fillRegisters);
  fillRegisters();
  const customers = custPage.data.slice();
  if (sale.customer && !customers.some((c) => c.id === sale.customer.id)) customers.unshift(sale.customer);
  const customerSel = h('select', { id: 'reopen-customer', name: 'customer_id' },
    h('option', { value: '', selected: !sale.customer_id }, 'No customer'),
    customers.map((c) => h('option', { value: String(c.id), selected: c.id === sale.customer_id }, customerName(c))));
  const note = h('textarea', { id: 'reopen-note', name: 'note', rows: '2', maxlength: '2000' });
  const err = errorBox();
  const submit = h('button', { type: 'submit' }, 'Reopen and save');
  const form = h('form', { class: 'inline', id: 'reopen-sale', 'aria-labelledby': 'reopen-title' },
    h('h2', { id: 'reopen-title', class: 'full' }, 'Reopen'),
    h('p', { class: 'full' }, h('small', null,
      'Change where and by whom this webstore sale was made. A new outlet moves its stock there; returns already made stay where they were made.')),
    h('div', { class: 'field' }, h('label', { for: 'reopen-outlet' }, 'Outlet'), outletSel),
    h('div', { class: 'field' }, h('label', { for: 'reopen-register' }, 'Register'), registerSel),
    h('div', { class: 'field' }, h('label', { for: 'reopen-customer' }, 'Customer'), customerSel),
    h('div', { class: 'field' }, h('label', { for: 'reopen-note' }, 'Note (optional)'), note),
    submit, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = {};
    if (Number(outletSel.value) !== sale.outlet_id) body.outlet_id = Number(outletSel.value);
    const reg = registerSel.value ? Number(registerSel.value) : null;
    if (reg !== (sale.register_id ?? null)) body.register_id = reg;
    const cust = customerSel.value ? Number(customerSel.value) : null;
    if (cust !== (sale.customer_id ?? null)) body.customer_id = cust;
    if (note.value.trim()) body.note = note.value.trim();
    if (!Object.keys(body).length) { err.show(new Error('Nothing to change: pick another outlet, register or customer, or write a note.')); return; }
    busy(submit, err, async () => {
      const updated = await api.post(`/sales/${sale.id}/reopen`, body);
      announce('Sale saved.');
      onDone(updated);
    });
  });
  return form;
}

// E8: the button that clears the review flag, with an optional note.
export function reviewForm(sale, onDone) {
  const note = h('input', { id: 'review-note', name: 'note', autocomplete: 'off', maxlength: '2000' });
  const err = errorBox();
  const submit = h('button', { type: 'submit' }, 'Mark reviewed');
  const form = h('form', { class: 'inline', id: 'mark-reviewed', 'aria-label': 'Mark reviewed' },
    h('div', { class: 'field' }, h('label', { for: 'review-note' }, 'Review note (optional)'), note),
    submit, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, err, async () => {
      const body = note.value.trim() ? { note: note.value.trim() } : {};
      const updated = await api.post(`/sales/${sale.id}/review`, body);
      announce('Marked reviewed.');
      onDone(updated);
    });
  });
  return form;
}

function describe(e) {
  if (e.kind === 'note') return h('span', { class: 'pre' }, e.note);
  if (e.kind === 'reviewed')
    return h('span', null, 'Marked reviewed', e.reason ? ` (was: ${e.reason})` : '', e.note ? h('span', { class: 'pre' }, ` · ${e.note}`) : '');
  const name = FIELD_NAMES[e.field] || e.field;
  const none = e.field === 'customer_id' ? 'no customer' : 'none';
  // two registers may share a name ("Front counter" at each outlet): then the ids tell them apart
  const same = e.old_name && e.old_name === e.new_name;
  const named = (id, n) => (n ? (same ? `${n} (#${id})` : n) : `#${id}`);
  const old = e.old === null ? none : named(e.old, e.old_name);
  const now = e.new === null ? none : named(e.new, e.new_name);
  return `${name}: ${old} → ${now}`;
}

// Who changed what on the sale, oldest first.
export function historyTable(sale) {
  const rows = (sale.history || []).map((e) => h('tr', null,
    h('td', null, dateTime(e.created_at, sale.outlet_id)),
    h('td', null, e.username || (e.user_id ? `User ${e.user_id}` : '—')),
    h('td', null, describe(e))));
  return table('History', ['When', 'Who', 'What'], rows.length ? rows
    : h('tr', null, h('td', { colspan: '3', class: 'empty' }, 'No changes yet.')), { id: 'sale-history' });
}
