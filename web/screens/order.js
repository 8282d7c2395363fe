// One customer order (SPEC M6): its lines with what each holds reserved, its
// deposits and balance; an open order is turned into a sale (with an optional
// further payment) or cancelled (a manager's, asked to confirm: its stock is
// released and its deposits refunded).
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { can } from '../app.js';
import { dateTime, money, parseMoney, toDecimalInput } from '../format.js';
import { heading, badge, dl, table, errorBox, busy, announce } from '../ui.js';
import { ORDER_STATUS_LABEL } from './orders.js';

function completeForm(o, types, onDone) {
  const typeSel = h('select', { id: 'complete-type', name: 'payment_type_id' },
    types.map((t) => h('option', { value: String(t.id) }, t.name)));
  const amount = h('input', { id: 'complete-amount', name: 'amount', inputmode: 'decimal',
    value: o.balance_due ? toDecimalInput(o.balance_due, o.currency) : '' });
  const err = errorBox();
  const submit = h('button', { type: 'submit', id: 'turn-into-sale' }, 'Turn into sale');
  const form = h('form', { class: 'inline', id: 'complete-order', 'aria-labelledby': 'complete-title' },
    h('h2', { id: 'complete-title', class: 'full' }, `Turn into sale · ${money(o.balance_due, o.currency)} due`),
    o.balance_due && types.length ? [
      h('div', { class: 'field' }, h('label', { for: 'complete-type' }, 'Payment type'), typeSel),
      h('div', { class: 'field' }, h('label', { for: 'complete-amount' }, `Payment (${o.currency}, optional)`), amount),
    ] : null,
    submit, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const minor = o.balance_due && amount.value.trim() ? parseMoney(amount.value, o.currency) : 0;
    if (o.balance_due && amount.value.trim() && !minor) {
      err.show(new Error('Enter the amount, e.g. 12.50, or leave it empty.'));
      amount.focus();
      return;
    }
    busy(submit, err, async () => {
      const body = minor ? { payment: { payment_type_id: Number(typeSel.value), amount: minor } } : {};
      const updated = await api.post(`/orders/${o.id}/complete`, body);
      announce(`Order #${o.id} is a sale now.`);
      onDone(updated);
    });
  });
  return form;
}

function cancelButton(o, onDone) {
  const err = errorBox();
  const b = h('button', { type: 'button', class: 'secondary', id: 'cancel-order' }, 'Cancel order');
  b.addEventListener('click', () => busy(b, err, async () => {
    if (!confirm(`Cancel order #${o.id}? Its reserved stock is released and its deposits refunded.`)) return;
    const updated = await api.post(`/orders/${o.id}/cancel`, { reason: 'cancelled by staff' });
    announce(`Order #${o.id} is cancelled.`);
    onDone(updated);
  }));
  return h('div', null, b, err);
}

export default async function order(ctx) {
  const id = ctx.params[0];
  const [o, types] = await Promise.all([api.get(`/orders/${id}`),
    api.get('/payment-types', { limit: 100 }).catch(() => ({ data: [] }))]);
  paint(o);

  function paint(o) {
    const m = (v) => money(v, o.currency);
    const outlet = ctx.user.outlets.find((x) => x.id === o.outlet_id);
    const cust = o.customer;
    const open = o.order_status === 'open';
    const again = (u) => { paint(u); ctx.root.querySelector('h1').focus(); };
    replace(ctx.root,
      heading(`Order #${o.id}`, h('p', { class: 'statuses' },
        badge(ORDER_STATUS_LABEL[o.order_status] || o.order_status, o.order_status),
        o.order_status === 'completed' ? h('a', { href: `/sales/${o.id}` }, ' Open the sale') : null)),
      h('div', { class: 'grid2' },
        dl([
          ['Date', dateTime(o.created_at, o.outlet_id)],
          ['Outlet', outlet ? outlet.name : `Outlet ${o.outlet_id}`],
          ['Source', o.channel_id ? `${o.channel_name || 'Channel ' + o.channel_id} ${o.external_number || ''}` : 'In store'],
          ['Customer', cust ? [cust.first_name, cust.last_name].filter(Boolean).join(' ') || cust.company || cust.email : 'Walk-in'],
          ['Reserved', h('strong', { id: 'reserved-total' }, String(o.reserved_total))],
          o.note ? ['Note', h('span', { class: 'pre' }, o.note)] : null,
        ]),
        dl([
          ['Total', h('strong', null, m(o.total))],
          ['Deposits', h('span', { id: 'deposit-total' }, m(o.deposit_total))],
          ['Paid', m(o.paid_total)],
          ['Balance due', h('strong', { id: 'balance-due' }, m(o.balance_due))],
          o.refunded_total ? ['Refunded', m(o.refunded_total)] : null,
        ])),
      open ? completeForm(o, types.data, again) : null,
      open && can('manager') ? cancelButton(o, again) : null,
      table('Lines', ['#', 'Item', 'SKU', 'Qty', 'Reserved', 'Unit price', 'Line total'], (o.lines || []).map((l) => h('tr', null,
        h('td', null, l.line_no), h('td', null, l.description), h('td', null, l.sku || '—'),
        h('td', { class: 'num' }, l.quantity), h('td', { class: 'num' }, l.reserved),
        h('td', { class: 'num' }, m(l.unit_price)), h('td', { class: 'num' }, m(l.line_total)))), { id: 'order-lines' }),
      table('Deposits', ['When', 'Type', 'Reference', 'Amount'], (o.deposits || []).length ? o.deposits.map((p) => h('tr', null,
        h('td', null, dateTime(p.created_at, o.outlet_id)), h('td', null, p.payment_type_name),
        h('td', null, p.reference || '—'), h('td', { class: 'num' }, m(p.amount))))
        : h('tr', null, h('td', { colspan: '4', class: 'empty' }, 'No deposits.')), { id: 'deposits' }));
  }
}
