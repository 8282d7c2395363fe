// Shipping (SPEC SH1): the unfulfilled orders with order date, customer,
// status, address and order details; each can be marked shipped with a
// tracking number. The "Shipped" tab searches the shipped ones.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label } from '../format.js';
import { heading, errorBox, busy, pager, announce, badge } from '../ui.js';

function address(s) {
  return h('address', null,
    [s.name, s.company, s.line1, s.line2, [s.city, s.region, s.postcode].filter(Boolean).join(' '), s.country]
      .filter(Boolean).map((l, i) => [i ? h('br') : null, l]));
}

function orderRef(s) {
  return s.external_number ? `Order ${s.external_number}` : `Sale #${s.sale_id}`;
}

export default function shipping(ctx) {
  const shipped = ctx.query.get('shipped') === 'true';
  const q = ctx.query.get('q') || '';
  const search = h('input', { type: 'search', id: 'ship-q', name: 'q', value: q, placeholder: 'Name, order number or address' });
  const form = h('form', { class: 'filters', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'ship-q' }, shipped ? 'Search shipped orders' : 'Search orders to ship'), search),
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (shipped) p.set('shipped', 'true');
    if (search.value.trim()) p.set('q', search.value.trim());
    ctx.navigate('/shipping' + (p.toString() ? '?' + p : ''));
  });
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Shipping lists' },
    h('a', { href: '/shipping', 'aria-current': shipped ? null : 'page' }, 'To ship'),
    h('a', { href: '/shipping?shipped=true', 'aria-current': shipped ? 'page' : null }, 'Shipped'));
  const list = h('ul', { class: 'cards', id: 'shipments', 'aria-label': shipped ? 'Shipped orders' : 'Orders to ship' });

  function card(s) {
    const err = errorBox();
    const tracking = h('input', { name: 'tracking_number', autocomplete: 'off', required: true });
    const carrier = h('input', { name: 'carrier', autocomplete: 'off', value: '' });
    const submit = h('button', { type: 'submit' }, 'Mark shipped');
    const li = h('li', { class: 'card shipment', 'data-shipment': s.id, 'data-order': s.external_number || '' });
    const ship = s.shipped ? null : h('form', { class: 'ship-form inline' },
      h('div', { class: 'field' }, h('label', { for: `trk-${s.id}` }, 'Tracking number'), Object.assign(tracking, { id: `trk-${s.id}` })),
      h('div', { class: 'field' }, h('label', { for: `car-${s.id}` }, 'Carrier'), Object.assign(carrier, { id: `car-${s.id}` })),
      submit, err);
    if (ship) {
      ship.addEventListener('submit', (e) => {
        e.preventDefault();
        busy(submit, err, async () => {
          const body = { shipped: true, tracking_number: tracking.value.trim() };
          if (carrier.value.trim()) body.carrier = carrier.value.trim();
          await api.patch(`/shipments/${s.id}`, body);
          const next = li.nextElementSibling || li.previousElementSibling;
          li.remove();
          announce(`${orderRef(s)} marked shipped with tracking number ${body.tracking_number}.`);
          const focusTo = next ? next.querySelector('input, a') : document.querySelector('#ship-q');
          if (focusTo) focusTo.focus();
          if (!list.children.length) list.after(h('p', { class: 'empty' }, 'Everything is shipped.'));
        });
      });
    }
    return replace(li,
      h('div', { class: 'card-head' },
        h('h2', null, h('a', { href: `/sales/${s.sale_id}` }, orderRef(s)), ' · ', s.customer_name || s.name || 'No name'),
        h('span', { class: 'statuses' },
          badge(label(s.fulfillment_status || (s.shipped ? 'shipped' : 'new')), s.fulfillment_status),
          s.sale_status && s.sale_status !== 'completed' ? badge('Sale ' + label(s.sale_status), s.sale_status) : null)),
      h('div', { class: 'card-body' },
        h('div', null, h('h3', null, 'Ordered'), h('time', { datetime: s.order_date }, dateTime(s.order_date, s.outlet_id)),
          h('h3', null, 'Ship to'), address(s),
          s.method ? h('p', null, 'Method: ', s.method) : null),
        h('div', null, h('h3', null, 'Order'),
          h('ul', { class: 'lines' }, (s.lines || []).map((l) =>
            h('li', null, h('span', { class: 'qty' }, `${l.quantity} ×`), ' ', l.description, l.sku ? h('small', null, ' ', l.sku) : null))),
          s.note ? h('p', { class: 'note' }, s.note) : null,
          s.shipped ? h('p', null, 'Shipped ', dateTime(s.shipped_at, s.outlet_id),
            s.tracking_number ? [' · tracking ', h('strong', null, s.tracking_number)] : null,
            s.carrier ? ` (${s.carrier})` : null) : null)),
      ship);
  }

  const p = pager(list, (after) => api.get('/shipments', { shipped: shipped ? 'true' : 'false', q, limit: 25, after }),
    card, { emptyText: shipped ? 'No shipped orders match.' : 'Nothing to ship right now.' });
  append(ctx.root, heading('Shipping'), tabs, form, list, p.controls);
  return p.start();
}
