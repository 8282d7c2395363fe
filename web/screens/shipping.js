// Shipping (SPEC SH1): the orders still to ship with order date, customer,
// status, address and order details; each can be marked shipped with a
// tracking number. The "Shipped" tab searches the shipped ones. Only what can
// ship is listed (can_ship): not a voided sale, not an order whose
// fulfillments are cancelled (F3), not a pickup (SH2: the Pickups screen).
// The customer's name opens the shipment's details (seed 000).
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label } from '../format.js';
import { heading, errorBox, busy, pager, announce, badge, dl, table } from '../ui.js';

function addressLines(s) {
  return [s.name, s.company, s.line1, s.line2, [s.city, s.region, s.postcode].filter(Boolean).join(' '), s.country]
    .filter(Boolean);
}

function address(s) {
  return h('address', null, addressLines(s).map((l, i) => [i ? h('br') : null, l]));
}

function orderRef(s) {
  return s.external_number ? `Order ${s.external_number}` : `Sale #${s.sale_id}`;
}

function statusBadges(s) {
  return [badge(label(s.fulfillment_status || (s.shipped ? 'shipped' : 'new')), s.fulfillment_status),
    s.sale_status && s.sale_status !== 'completed' ? badge('Sale ' + label(s.sale_status), s.sale_status) : null];
}

// Why a shipment that is not shipped cannot ship (F3, SH2), for the detail view.
function whyNot(s) {
  if (s.shipped || s.can_ship) return null;
  if (s.sale_status === 'voided') return 'The sale is voided: it is not shipped.';
  const ffs = s.fulfillments || [];
  if (ffs.length && ffs.every((f) => f.kind === 'pickup')) return 'A pickup order: it is handed over on the Pickups screen, not shipped.';
  return 'The order is cancelled: it is not shipped.';
}

// The shipment's details in a modal dialog, read fresh from the server.
async function showDetails(id, opener, outlets) {
  const s = await api.get(`/shipments/${id}`);
  // Close comes first, at the top: the focus lands there without scrolling past the heading
  const close = h('button', { type: 'button', class: 'secondary', autofocus: true }, 'Close');
  const title = `${orderRef(s)} · ${s.customer_name || s.name || 'No name'}`;
  const dialog = h('dialog', { class: 'details', id: 'shipment-details', 'aria-labelledby': 'shipment-details-title' },
    h('div', { class: 'dialog-head' }, h('h2', { id: 'shipment-details-title' }, title),
      h('span', { class: 'statuses' }, statusBadges(s)), close),
    whyNot(s) ? h('p', { class: 'note' }, whyNot(s)) : null,
    dl([
      ['Ordered', dateTime(s.order_date)],
      ['Ship to', address(s)],
      s.phone ? ['Phone', s.phone] : null,
      s.email ? ['Email', s.email] : null,
      ['Method', s.method],
      ['Shipped', s.shipped ? dateTime(s.shipped_at) : 'Not yet'],
      ['Tracking', s.tracking_number ? `${s.tracking_number}${s.carrier ? ' (' + s.carrier + ')' : ''}` : '—'],
      ['Notes', s.note ? h('div', { class: 'note' }, s.note) : '—'],
    ]),
    table('Items', ['Qty', 'Item', 'SKU'], (s.lines || []).map((l) => h('tr', null,
      h('td', { class: 'num' }, l.quantity), h('td', null, l.description), h('td', null, l.sku || '—')))),
    (s.fulfillments || []).length ? table('Fulfillments', ['#', 'Outlet', 'Kind', 'Status'], s.fulfillments.map((f) => h('tr', null,
      h('td', null, h('a', { href: `/fulfillments/${f.id}` }, `#${f.id}`)),
      h('td', null, outlets[f.outlet_id] || `Outlet ${f.outlet_id}`), h('td', null, label(f.kind)),
      h('td', null, badge(label(f.status), f.status))))) : null,
    h('p', { class: 'dialog-actions' }, h('a', { href: `/sales/${s.sale_id}` }, 'Open the sale')));
  close.addEventListener('click', () => dialog.close());
  // a link inside the dialog navigates away: the dialog goes with the screen
  dialog.addEventListener('click', (e) => { if (e.target.closest('a[href]')) dialog.close(); });
  dialog.addEventListener('close', () => { dialog.remove(); if (opener.isConnected) opener.focus(); });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

export default async function shipping(ctx) {
  const shipped = ctx.query.get('shipped') === 'true';
  const q = ctx.query.get('q') || '';
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
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
  const detailErr = errorBox();

  function shipForm(s, li) {
    const err = errorBox();
    const tracking = h('input', { name: 'tracking_number', id: `trk-${s.id}`, autocomplete: 'off', required: true });
    const carrier = h('input', { name: 'carrier', id: `car-${s.id}`, autocomplete: 'off', value: '' });
    const submit = h('button', { type: 'submit' }, 'Mark shipped');
    const f = h('form', { class: 'ship-form inline', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: `trk-${s.id}` }, 'Tracking number'), tracking),
      h('div', { class: 'field' }, h('label', { for: `car-${s.id}` }, 'Carrier'), carrier),
      submit, err);
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      // a tracking number of spaces is none: the webstore would get an empty one
      const number = tracking.value.trim();
      if (!number) {
        err.show(new Error('Enter the tracking number.'));
        tracking.focus();
        return;
      }
      busy(submit, err, async () => {
        const body = { shipped: true, tracking_number: number };
        if (carrier.value.trim()) body.carrier = carrier.value.trim();
        try {
          await api.patch(`/shipments/${s.id}`, body);
        } catch (e2) {
          // cancelled or voided meanwhile (F3): the order no longer ships
          if (e2.code === 'fulfillment_cancelled' || e2.code === 'sale_voided') f.replaceWith(h('p', { class: 'note' }, e2.message));
          throw e2;
        }
        const next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        announce(`${orderRef(s)} marked shipped with tracking number ${body.tracking_number}.`);
        const focusTo = next ? next.querySelector('input, button.customer') : document.querySelector('#ship-q');
        if (focusTo) focusTo.focus();
        if (!list.children.length) list.after(h('p', { class: 'empty' }, 'Everything is shipped.'));
      });
    });
    return f;
  }

  function card(s) {
    const li = h('li', { class: 'card shipment', 'data-shipment': s.id, 'data-order': s.external_number || '' });
    const who = h('button', { type: 'button', class: 'link customer', 'aria-haspopup': 'dialog',
      title: 'Show the details of the shipment' }, s.customer_name || s.name || 'No name');
    who.addEventListener('click', () => busy(who, detailErr, () => showDetails(s.id, who, outlets)));
    return replace(li,
      h('div', { class: 'card-head' },
        h('h2', null, h('a', { href: `/sales/${s.sale_id}` }, orderRef(s)), ' · ', who),
        h('span', { class: 'statuses' }, statusBadges(s))),
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
      // only what can ship offers the action (F3, SH2)
      !s.shipped && s.can_ship ? shipForm(s, li) : null);
  }

  const p = pager(list, (after) => api.get('/shipments', { shipped: shipped ? 'true' : 'false', q, limit: 25, after }),
    card, { emptyText: shipped ? 'No shipped orders match.' : 'Nothing to ship right now.' });
  append(ctx.root, heading('Shipping', h('a', { class: 'button secondary', href: '/pickups' }, 'Pickups')),
    tabs, form, detailErr, list, p.controls);
  await p.start();
  // leaving the screen (back button) closes an open details dialog
  return () => { const d = document.getElementById('shipment-details'); if (d) d.remove(); };
}
