// One sale with everything on it: lines (with taxes), discounts, taxes,
// adjustments, payments, returns, shipment notes, fulfillments and, for a
// web order, the channel's order reference. An open sale takes a payment. An
// exported sale (SPEC E9) is reopened here, its history listed, and a sale
// flagged for review (E8) is marked reviewed (sale-reopen.js).
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label, money, parseMoney, toDecimalInput } from '../format.js';
import { heading, badge, dl, table, errorBox, busy, announce } from '../ui.js';
import { trackingLink } from '../tracking.js';
import { reopenChoices, reopenForm, reviewForm, historyTable } from './sale-reopen.js';
import { voidButton, returnSection, mapSection } from './sale-actions.js';

function paymentForm(sale, types, onPaid) {
  const typeSel = h('select', { id: 'pay-type', name: 'payment_type_id' },
    types.map((t) => h('option', { value: String(t.id) }, t.name)));
  const amount = h('input', { id: 'pay-amount', name: 'amount', inputmode: 'decimal', required: true, value: toDecimalInput(sale.balance_due, sale.currency) });
  const ref = h('input', { id: 'pay-ref', name: 'reference', autocomplete: 'off' });
  const err = errorBox();
  const submit = h('button', { type: 'submit' }, 'Take payment');
  const form = h('form', { class: 'inline', id: 'take-payment', 'aria-labelledby': 'pay-title' },
    h('h2', { id: 'pay-title', class: 'full' }, `Take payment · ${money(sale.balance_due, sale.currency)} due`),
    h('div', { class: 'field' }, h('label', { for: 'pay-type' }, 'Payment type'), typeSel),
    h('div', { class: 'field' }, h('label', { for: 'pay-amount' }, `Amount (${sale.currency})`), amount),
    h('div', { class: 'field' }, h('label', { for: 'pay-ref' }, 'Reference (optional)'), ref),
    submit, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const minor = parseMoney(amount.value, sale.currency);
    if (!minor) { err.show(new Error('Enter the amount, e.g. 12.50.')); amount.focus(); return; }
    busy(submit, err, async () => {
      const body = { payment_type_id: Number(typeSel.value), amount: minor };
      if (ref.value.trim()) body.reference = ref.value.trim();
      const updated = await api.post(`/sales/${sale.id}/payments`, body);
      announce(`Payment of ${money(minor, sale.currency)} taken.`);
      onPaid(updated);
    });
  });
  return form;
}

// A sale line by what it sold, not by its id.
function lineName(s, id) {
  const l = (s.lines || []).find((x) => x.id === id);
  return l ? l.description : `line ${id}`;
}

export default async function sale(ctx) {
  const id = ctx.params[0];
  // M7: a return recorded without restocking (a credit memo, by the channel's setting) is
  // put back on the shelf when the goods are in hand
  function restockButton(r) {
    const err = errorBox();
    const b = h('button', { type: 'button', class: 'secondary', 'data-return': String(r.id) }, 'Restock');
    b.addEventListener('click', () => busy(b, err, async () => {
      const done = await api.post(`/returns/${r.id}/restock`, {});
      announce(`${done.restocked} line${done.restocked === 1 ? '' : 's'} restocked.`);
      paint(await api.get(`/sales/${id}`));
    }));
    return h('span', null, b, err);
  }
  const [s, types] = await Promise.all([api.get(`/sales/${id}`), api.get('/payment-types', { limit: 100 }).catch(() => ({ data: [] }))]);
  const exported = s.channel_kind === 'export';
  const choices = exported ? await reopenChoices() : null;
  const repaint = (u) => { paint(u); ctx.root.querySelector('h1').focus(); };
  paint(s);

  function paint(s) {
    const cur = s.currency;
    const m = (v) => money(v, cur);
    const outlet = ctx.user.outlets.find((o) => o.id === s.outlet_id);
    const cust = s.customer;
    const sh = s.shipment;
    replace(ctx.root,
      heading(`${s.kind === 'invoice' ? 'Invoice' : s.kind === 'order' ? 'Order' : 'Sale'} #${s.id}`, h('p', { class: 'statuses' }, badge(label(s.status), s.status),
        s.needs_review ? badge('Needs review', 'warn') : null)),
      h('p', { class: 'sale-actions' },
        h('a', { href: `/sales/${s.id}/receipt`, class: 'button secondary', id: 'sale-receipt' }, 'Print receipt'),
        s.status !== 'voided' && ctx.can('manager') && !(s.returns || []).length ? voidButton(ctx, s, repaint) : null),
      s.status !== 'voided' && ctx.can('manager') && (s.returns || []).length
        ? h('p', { class: 'hint' }, 'This sale has returns, so it cannot be voided: return the rest instead.') : null,
      s.needs_review && s.review_reason ? h('p', { class: 'note' }, 'Review: ', s.review_reason) : null,
      mapSection(s, repaint),
      s.needs_review ? reviewForm(s, repaint) : null,
      h('div', { class: 'grid2' },
        dl([
          ['Date', dateTime(s.created_at, s.outlet_id)],
          ['Outlet', outlet ? outlet.name : `Outlet ${s.outlet_id}`],
          ['Source', s.channel_id ? (s.channel_name || `Channel ${s.channel_id}`) : 'In store'],
          s.channel_id ? ['Channel order', h('strong', { id: 'order-ref' }, s.external_number || '—')] : null,
          s.channel_id ? ['Channel order id', s.external_id] : null,
          ['Customer', cust ? h('a', { href: `/customers/${cust.id}` },
            [cust.first_name, cust.last_name].filter(Boolean).join(' ') || cust.company || cust.email) : 'Walk-in'],
          s.note ? ['Note', h('span', { class: 'pre' }, s.note)] : null,
        ]),
        dl([
          ['Subtotal', m(s.subtotal)], ['Discounts', s.discount_total ? '−' + m(s.discount_total) : m(0)],
          ['Tax', m(s.tax_total)], s.adjustment_total ? ['Adjustments', m(s.adjustment_total)] : null,
          ['Total', h('strong', null, m(s.total))], ['Paid', m(s.paid_total)],
          ['Balance due', h('strong', { id: 'balance-due' }, m(s.balance_due))],
          s.refunded_total ? ['Refunded', m(s.refunded_total)] : null,
        ])),
      s.status === 'open' && s.balance_due > 0 && types.data.length
        ? paymentForm(s, types.data, (u) => { paint(u); ctx.root.querySelector('h1').focus(); }) : null,
      table('Lines', ['#', 'Item', 'SKU', 'Qty', 'Unit price', 'Discount', 'Tax', 'Line total'], (s.lines || []).map((l) => h('tr', null,
        h('td', null, l.line_no), h('td', null, l.description,
          (l.taxes || []).map((t) => h('div', null, h('small', null, `${t.name} (rate ${t.rate}): ${m(t.amount)}`))),
          l.returned_quantity ? h('div', null, h('small', null, `${l.returned_quantity} returned`)) : null),
        h('td', null, l.sku || '—'), h('td', { class: 'num' }, l.quantity), h('td', { class: 'num' }, m(l.unit_price)),
        h('td', { class: 'num' }, l.line_discount ? '−' + m(l.line_discount) : ''), h('td', { class: 'num' }, m(l.tax_total)),
        h('td', { class: 'num' }, m(l.line_total))))),
      (s.discounts || []).length ? table('Discounts', ['Name', 'Amount'], s.discounts.map((d) => h('tr', null,
        h('td', null, d.name || d.description || d.code || 'Discount'), h('td', { class: 'num' }, '−' + m(d.amount))))) : null,
      (s.taxes || []).length ? table('Order taxes', ['Tax', 'Rate', 'Amount'], s.taxes.map((t) => h('tr', null,
        h('td', null, t.name), h('td', null, t.rate), h('td', { class: 'num' }, m(t.amount))))) : null,
      (s.adjustments || []).length ? table('Adjustments', ['Reason', 'Amount'], s.adjustments.map((a) => h('tr', null,
        h('td', null, a.reason || a.description || a.name || 'Adjustment'), h('td', { class: 'num' }, m(a.amount))))) : null,
      table('Payments', ['When', 'Type', 'Reference', 'Amount'], (s.payments || []).length ? s.payments.map((p) => h('tr', null,
        h('td', null, dateTime(p.created_at, s.outlet_id)), h('td', null, p.payment_type_name || `Type ${p.payment_type_id}`),
        h('td', null, p.reference || '—'), h('td', { class: 'num' }, m(p.amount))))
        : h('tr', null, h('td', { colspan: '4', class: 'empty' }, 'No payments yet.')), { id: 'payments' }),
      (s.returns || []).length ? table('Returns', ['When', 'Lines', 'Refund', 'Stock'], s.returns.map((r) => h('tr', null,
        h('td', null, dateTime(r.created_at, s.outlet_id)),
        h('td', null, (r.lines || []).map((l) => h('div', null, `${l.quantity} × ${lineName(s, l.sale_line_id)}`,
          l.restock ? '' : h('small', null, ' · not restocked')))),
        h('td', { class: 'num' }, m(r.refund_total ?? r.amount ?? 0)),
        h('td', null, s.status !== 'voided' && (r.lines || []).some((l) => !l.restock) ? restockButton(r) : 'Restocked')))) : null,
      s.status !== 'voided' && s.kind !== 'order' && (s.lines || []).length ? returnSection(s, types.data, repaint) : null,
      sh ? h('section', { 'aria-labelledby': 'ship-title' },
        h('h2', { id: 'ship-title' }, 'Shipment'),
        dl([
          ['Ship to', [sh.name, sh.company, sh.line1, sh.line2, sh.city, sh.region, sh.postcode, sh.country].filter(Boolean).join(', ')],
          ['Method', sh.method], ['Shipped', sh.shipped ? dateTime(sh.shipped_at, s.outlet_id) : 'Not yet'],
          ['Tracking', trackingLink(sh) || '—'],
          ['Notes', h('span', { class: 'note' }, sh.note || '—')],
        ])) : null,
      (s.fulfillments || []).length ? table('Fulfillments', ['#', 'Outlet', 'Kind', 'Status'], s.fulfillments.map((f) => h('tr', null,
        h('td', null, h('a', { href: `/fulfillments/${f.id}` }, `#${f.id}`)),
        h('td', null, (ctx.user.outlets.find((o) => o.id === f.outlet_id) || {}).name || `Outlet ${f.outlet_id}`),
        h('td', null, label(f.kind)),
        h('td', null, badge(label(f.status), f.status), f.is_split ? badge('Split', 'split') : null,
          f.is_backorder ? badge('Backorder', 'warn') : null)))) : null,
      exported && s.status !== 'voided' ? reopenForm(ctx, s, choices, repaint) : null,
      exported || (s.history || []).length ? historyTable(s) : null);
  }
}
