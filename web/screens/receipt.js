// A sale's receipt (/sales/{id}/receipt), as the customer takes it away: the
// outlet, the date and time in the outlet's zone (SPEC T1), the sale number,
// the customer, each line with its discount and taxes, the sale's discounts
// and taxes, the total, the payments, the change (when the till passed it:
// ?change=, since the amount tendered is not kept) and any returns. Printing
// it (the button or the browser's own) prints the receipt alone, on a narrow
// 80 mm roll (app.css, @media print).
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, money } from '../format.js';
import { customerName } from './sell-cart.js';

export default async function receipt(ctx) {
  const id = ctx.params[0];
  const s = await api.get(`/sales/${id}`);
  const outlet = await api.get(`/outlets/${s.outlet_id}`).catch(() => ctx.user.outlets.find((o) => o.id === s.outlet_id) || null);
  const cur = s.currency;
  const m = (v) => money(v, cur);
  const change = Number(ctx.query.get('change'));
  const row = (label, value, attrs = {}) => h('tr', attrs, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, value));
  // the lines' own discounts, then the sale's (order-level) ones by name: they add up to discount_total
  const lineDiscounts = (s.lines || []).reduce((sum, l) => sum + (l.line_discount || 0), 0);
  const kind = s.kind === 'invoice' ? 'Invoice' : s.kind === 'order' ? 'Order' : 'Sale';

  const paper = h('article', { class: 'receipt', id: 'receipt', 'aria-labelledby': 'receipt-title' },
    h('header', null,
      h('h2', { id: 'receipt-title' }, outlet ? outlet.name : 'stockbridge'),
      outlet && outlet.address ? h('p', { class: 'pre' }, outlet.address) : null,
      outlet && (outlet.phone || outlet.email) ? h('p', null, [outlet.phone, outlet.email].filter(Boolean).join(' · ')) : null,
      h('p', null, `${kind} #${s.id}`, s.external_number ? ` · order ${s.external_number}` : ''),
      h('p', null, h('time', { datetime: s.created_at }, dateTime(s.created_at, s.outlet_id))),
      h('p', null, 'Customer: ', customerName(s.customer)),
      s.status === 'voided' ? h('p', { class: 'receipt-void' }, 'VOIDED') : null),
    h('table', { class: 'receipt-lines' },
      h('caption', { class: 'visually-hidden' }, 'Items'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col', class: 'num' }, 'Amount'))),
      h('tbody', null, (s.lines || []).map((l) => [
        h('tr', { class: 'receipt-line' },
          h('td', null, l.description, h('br'), h('small', null, `${l.quantity} × ${m(l.unit_price)}`, l.sku ? ` · ${l.sku}` : '')),
          h('td', { class: 'num' }, m(l.quantity * l.unit_price))),
        l.line_discount ? h('tr', { class: 'receipt-sub' }, h('td', null, 'Discount'), h('td', { class: 'num' }, '−' + m(l.line_discount))) : null,
        (l.taxes || []).map((t) => h('tr', { class: 'receipt-sub' }, h('td', null, t.rate ? `${t.name} ${t.rate}%` : t.name), h('td', { class: 'num' }, m(t.amount)))),
      ]))),
    h('table', { class: 'receipt-totals' },
      h('caption', { class: 'visually-hidden' }, 'Totals'),
      h('tbody', null,
        row('Subtotal', m(s.subtotal)),
        lineDiscounts ? row('Line discounts', '−' + m(lineDiscounts)) : null,
        (s.discounts || []).map((d) => row(d.name || d.code || 'Discount', '−' + m(d.amount))),
        (s.taxes || []).map((t) => row(t.rate ? `${t.name} ${t.rate}%` : t.name, m(t.amount))),
        row('Tax', m(s.tax_total)),
        (s.adjustments || []).map((a) => row(a.reason || 'Adjustment', m(a.amount))),
        row('Total', m(s.total), { class: 'receipt-total', id: 'receipt-total' }),
        (s.payments || []).map((p) => row(p.payment_type_name || 'Payment', m(p.amount))),
        Number.isSafeInteger(change) && change > 0 ? row('Change', m(change), { id: 'receipt-change' }) : null,
        s.balance_due ? row('Balance due', m(s.balance_due)) : null,
        (s.returns || []).map((r) => row(`Refund ${dateTime(r.created_at, s.outlet_id)}`, '−' + m(r.refund_total))))),
    s.note ? h('p', { class: 'pre receipt-note' }, s.note) : null,
    h('p', { class: 'receipt-thanks' }, 'Thank you!'));

  const print = h('button', { type: 'button', id: 'receipt-print', onclick: () => window.print() }, 'Print');
  append(ctx.root,
    h('div', { class: 'screen-head no-print' }, h('h1', { tabindex: '-1' }, `Receipt for ${kind.toLowerCase()} #${s.id}`),
      h('p', { class: 'sale-actions' }, print, h('a', { href: `/sales/${s.id}`, class: 'button secondary' }, 'Back to the sale'))),
    paper);
}
