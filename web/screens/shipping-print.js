// The packer's print views (issue 16 item 3), for the orders selected on
// Shipping (?ids=1,2,3, at most 100): the pick list (?kind=pick), one line
// per SKU with the quantities of every selected order summed, and the
// packing slips (?kind=slips), one page per order with its ship-to, items,
// notes, order number and the outlet that ships it. Shipping charges are
// never items to pack: the server leaves them out of a shipment's lines.
// "Print" uses the browser's print dialog, whose "Save as PDF" makes the
// PDF; the print stylesheet (app.css, @media print) hides the app around it.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime } from '../format.js';
import { heading, errorBox, busy } from '../ui.js';

const MAX = 100;

function orderRef(s) {
  return s.external_number ? `Order ${s.external_number}` : `Sale #${s.sale_id}`;
}

function shipsFrom(s) {
  return (s.ship_outlets || []).map((o) => o.name).join(', ') || s.outlet_name || '';
}

function address(s) {
  return h('address', null, [s.name, s.company, s.line1, s.line2, [s.city, s.region, s.postcode].filter(Boolean).join(' '), s.country]
    .filter(Boolean).map((l, i) => [i ? h('br') : null, l]));
}

// One line per SKU (an item without one by its description), summed over the orders.
export function pickLines(shipments) {
  const by = new Map();
  for (const s of shipments) {
    for (const l of s.lines || []) {
      const key = l.sku ? `sku:${l.sku}` : `text:${l.description}`;
      const e = by.get(key) || { sku: l.sku, description: l.description, quantity: 0, orders: [] };
      e.quantity += l.quantity;
      if (!e.orders.includes(orderRef(s))) e.orders.push(orderRef(s));
      by.set(key, e);
    }
  }
  return [...by.values()].sort((a, b) => (a.sku || '\uffff' + a.description).localeCompare(b.sku || '\uffff' + b.description));
}

function pickList(shipments) {
  const lines = pickLines(shipments);
  const units = lines.reduce((n, l) => n + l.quantity, 0);
  return h('section', { class: 'print-doc pick-list', 'aria-labelledby': 'pick-title' },
    h('h2', { id: 'pick-title' }, `Pick list · ${shipments.length} orders · ${units} units`),
    h('p', null, 'Orders: ', shipments.map(orderRef).join(', ')),
    h('table', { class: 'dense', id: 'pick-lines' },
      h('thead', null, h('tr', null, ['Picked', 'SKU', 'Item', 'Qty', 'For'].map((t) => h('th', { scope: 'col', class: t === 'Qty' ? 'num' : null }, t)))),
      h('tbody', null, lines.map((l) => h('tr', { 'data-sku': l.sku || '' },
        h('td', { class: 'tick', 'aria-label': 'Not yet picked' }, '☐'),
        h('td', null, l.sku || '—'), h('td', null, l.description),
        h('td', { class: 'num qty' }, String(l.quantity)), h('td', null, h('small', null, l.orders.join(', '))))))));
}

function slip(s) {
  return h('section', { class: 'print-doc packing-slip', 'data-shipment': s.id, 'aria-label': `Packing slip for ${orderRef(s)}` },
    h('div', { class: 'slip-head' },
      h('h2', null, `Packing slip · ${orderRef(s)}`),
      h('p', null, 'Ordered ', dateTime(s.order_date, s.outlet_id), h('br'), 'Ships from ', h('strong', null, shipsFrom(s)))),
    h('div', { class: 'slip-body' },
      h('div', null, h('h3', null, 'Ship to'), address(s), s.method ? h('p', null, 'Method: ', s.method) : null),
      s.note ? h('div', null, h('h3', null, 'Notes'), h('p', { class: 'note' }, s.note)) : null),
    h('table', { class: 'dense' },
      h('thead', null, h('tr', null, ['Qty', 'Item', 'SKU', 'Packed'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, (s.lines || []).map((l) => h('tr', null,
        h('td', { class: 'num' }, String(l.quantity)), h('td', null, l.description), h('td', null, l.sku || '—'),
        h('td', { class: 'tick' }, '☐'))))),
    h('p', { class: 'slip-foot' }, `${s.items_count ?? 0} items · ${s.customer_name || s.name || ''}`));
}

export default async function shippingPrint(ctx) {
  const kind = ctx.query.get('kind') === 'slips' ? 'slips' : 'pick';
  const ids = [...new Set((ctx.query.get('ids') || '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0))].slice(0, MAX);
  const err = errorBox();
  const printBtn = h('button', { type: 'button', id: 'print-now' }, 'Print or save as PDF');
  printBtn.addEventListener('click', () => window.print());
  const title = kind === 'pick' ? 'Pick list' : 'Packing slips';
  append(ctx.root, heading(title, h('div', { class: 'no-print inline' }, printBtn, ' ', h('a', { class: 'button secondary', href: '/shipping' }, 'Back to Shipping'))), err);
  if (!ids.length) {
    append(ctx.root, h('p', { class: 'empty' }, 'No orders chosen: select them on Shipping first.'));
    return;
  }
  const out = h('div', { class: 'print-area' });
  append(ctx.root, out);
  await busy(printBtn, err, async () => {
    const shipments = await Promise.all(ids.map((id) => api.get(`/shipments/${id}`)));
    if (kind === 'pick') append(out, pickList(shipments));
    else append(out, shipments.map(slip));
  });
}
