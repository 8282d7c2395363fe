// Shipping (SPEC SH1, issue 16 item 3): a dense table a packer works from.
// One row group per order: order number, date (outlet's time zone),
// customer, ship-to city and country, the items to pack (never the shipping
// charge), the outlet that ships it (always shown), status; under it the
// quick "Mark shipped" form. Filters: outlet and a search over order and
// sale numbers, customer, email, address and tracking number, on the orders
// to ship, the shipped ones or both. Rows are selected for the bulk actions:
// Mark shipped (a tracking number and carrier per row, or one carrier for
// all: POST /shipments/bulk, each row done or refused on its own, F3), Print
// pick list and Print packing slips (the print screen, shipping-print.js).
// Only what can ship offers shipping (can_ship): not a voided sale, not an
// order whose fulfillments are cancelled (F3), not a pickup (SH2: the
// Pickups screen). The customer's name opens the shipment's details (seed 000).
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label } from '../format.js';
import { trackingLink } from '../tracking.js';
import { heading, errorBox, busy, pager, announce, badge, dl, table } from '../ui.js';

// Names the carrier field suggests: the carriers the server links (core/carrier.c); any
// other name is kept, with no link.
const CARRIERS = ['UPS', 'USPS', 'FedEx', 'DHL', 'Royal Mail', 'Canada Post', 'Australia Post', 'PostNL', 'DPD'];

function shipOutlets(s) {
  return (s.ship_outlets || []).map((o) => o.name).join(', ') || s.outlet_name || '';
}

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
      ['Ordered', dateTime(s.order_date, s.outlet_id)],
      ['Ship to', address(s)],
      s.phone ? ['Phone', s.phone] : null,
      s.email ? ['Email', s.email] : null,
      ['Method', s.method],
      ['Shipped', s.shipped ? dateTime(s.shipped_at) : 'Not yet'],
      ['Ships from', shipOutlets(s)],
      ['Tracking', trackingLink(s) || '—'],
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
  const status = ['shipped', 'all'].includes(ctx.query.get('status')) ? ctx.query.get('status')
    : ctx.query.get('shipped') === 'true' ? 'shipped' : 'to_ship';
  const shipped = status === 'shipped';
  const q = ctx.query.get('q') || '';
  const outlet = ctx.query.get('outlet_id') || '';
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const search = h('input', { type: 'search', id: 'ship-q', name: 'q', value: q, placeholder: 'Order, customer, email, tracking number' });
  const outletSel = h('select', { id: 'ship-outlet', name: 'outlet_id' },
    h('option', { value: '' }, 'All my outlets'),
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: String(o.id) === outlet }, o.name)));
  const searchLabel = { to_ship: 'Search orders to ship', shipped: 'Search shipped orders', all: 'Search all orders' }[status];
  const form = h('form', { class: 'filters', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'ship-q' }, searchLabel), search),
    h('div', { class: 'field' }, h('label', { for: 'ship-outlet' }, 'Ships from'), outletSel),
    h('button', { type: 'submit' }, 'Search'));
  const here = (over = {}) => {
    const p = new URLSearchParams();
    const st = over.status || status;
    if (st !== 'to_ship') p.set('status', st);
    const qq = over.q !== undefined ? over.q : q;
    if (qq) p.set('q', qq);
    const oo = over.outlet !== undefined ? over.outlet : outlet;
    if (oo) p.set('outlet_id', oo);
    return '/shipping' + (p.toString() ? '?' + p : '');
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(here({ q: search.value.trim(), outlet: outletSel.value }));
  });
  const tab = (st, text) => h('a', { href: here({ status: st }), 'aria-current': status === st ? 'page' : null }, text);
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Shipping lists' },
    tab('to_ship', 'To ship'), tab('shipped', 'Shipped'), tab('all', 'All'));
  const listName = { to_ship: 'Orders to ship', shipped: 'Shipped orders', all: 'All orders' }[status];
  const detailErr = errorBox();
  const bulkErr = errorBox();
  const rows = new Map(); // shipment id -> { s, group, box }
  const selected = () => [...rows.values()].filter((r) => r.box.checked);

  const all = h('input', { type: 'checkbox', id: 'ship-all', 'aria-label': 'Select all orders on the page' });
  const count = h('span', { class: 'selected-count', 'aria-live': 'polite' }, 'None selected');
  const shipBtn = h('button', { type: 'button', id: 'bulk-ship', disabled: true }, 'Mark shipped…');
  const pickBtn = h('button', { type: 'button', class: 'secondary', id: 'bulk-pick', disabled: true }, 'Print pick list');
  const slipBtn = h('button', { type: 'button', class: 'secondary', id: 'bulk-slips', disabled: true }, 'Print packing slips');
  function refresh() {
    const sel = selected();
    count.textContent = sel.length ? `${sel.length} selected` : 'None selected';
    pickBtn.disabled = slipBtn.disabled = !sel.length;
    shipBtn.disabled = !sel.some((r) => !r.s.shipped && r.s.can_ship);
    all.checked = rows.size > 0 && sel.length === rows.size;
    all.indeterminate = sel.length > 0 && sel.length < rows.size;
  }
  all.addEventListener('change', () => { for (const r of rows.values()) r.box.checked = all.checked; refresh(); });
  const print = (kind) => ctx.navigate(`/shipping/print?kind=${kind}&ids=${selected().map((r) => r.s.id).join(',')}`);
  pickBtn.addEventListener('click', () => print('pick'));
  slipBtn.addEventListener('click', () => print('slips'));
  const bulkBar = h('div', { class: 'bulk-bar', role: 'group', 'aria-label': 'With the selected orders' },
    count, status === 'shipped' ? null : shipBtn, pickBtn, slipBtn);

  const list = h('table', { id: 'shipments', class: 'dense', 'aria-label': listName },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', class: 'pick' }, all),
      h('th', { scope: 'col' }, 'Order'), h('th', { scope: 'col' }, 'Ordered'),
      h('th', { scope: 'col' }, 'Customer'), h('th', { scope: 'col', class: 'col-wide' }, 'Ship to'),
      h('th', { scope: 'col', class: 'col-wide' }, 'Items'), h('th', { scope: 'col' }, 'Ships from'),
      h('th', { scope: 'col' }, status === 'to_ship' ? 'Status' : 'Status / tracking'))));

  function removeRow(id) {
    const r = rows.get(id);
    if (!r) return;
    r.group.remove();
    rows.delete(id);
    refresh();
    if (!rows.size) list.after(h('p', { class: 'empty' }, 'Everything is shipped.'));
  }

  function shipForm(s, group) {
    const err = errorBox();
    const tracking = h('input', { name: 'tracking_number', id: `trk-${s.id}`, autocomplete: 'off', required: true });
    const carrier = h('input', { name: 'carrier', id: `car-${s.id}`, autocomplete: 'off', value: '', list: 'carriers' });
    const submit = h('button', { type: 'submit' }, 'Mark shipped', h('span', { class: 'visually-hidden' }, ` (${orderRef(s)})`));
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
        const next = group.nextElementSibling;
        removeRow(s.id);
        announce(`${orderRef(s)} marked shipped with tracking number ${body.tracking_number}.`);
        const focusTo = next ? next.querySelector('input[name=tracking_number], button.customer') : search;
        if (focusTo) focusTo.focus();
      });
    });
    return f;
  }

  function row(s) {
    const group = h('tbody', { class: 'shipment', 'data-shipment': s.id, 'data-order': s.external_number || '' });
    const box = h('input', { type: 'checkbox', class: 'pick-box', 'aria-label': `Select ${orderRef(s)}` });
    box.addEventListener('change', refresh);
    const who = h('button', { type: 'button', class: 'link customer', 'aria-haspopup': 'dialog',
      title: 'Show the details of the shipment' }, s.customer_name || s.name || 'No name');
    who.addEventListener('click', () => busy(who, detailErr, () => showDetails(s.id, who, outlets)));
    const items = (s.lines || []).map((l) => `${l.quantity} × ${l.description}`).join(', ');
    const main = h('tr', null,
      h('td', { class: 'pick' }, box),
      h('th', { scope: 'row' }, h('a', { href: `/sales/${s.sale_id}` }, orderRef(s))),
      h('td', null, h('time', { datetime: s.order_date }, dateTime(s.order_date, s.outlet_id))),
      h('td', null, who),
      h('td', { class: 'col-wide' }, [s.city, s.country].filter(Boolean).join(', ') || '—'),
      h('td', { class: 'col-wide items', title: items }, h('span', { class: 'num' }, String(s.items_count ?? 0)), ' ', h('small', null, items)),
      h('td', { class: 'outlet' }, shipOutlets(s)),
      h('td', null, h('span', { class: 'statuses' }, statusBadges(s)),
        s.shipped ? h('div', { class: 'shipped-info' }, dateTime(s.shipped_at, s.outlet_id), ' ', trackingLink(s)) : null));
    replace(group, main);
    // only what can ship offers the action (F3, SH2)
    if (!s.shipped && s.can_ship)
      group.append(h('tr', { class: 'ship-row' }, h('td', { class: 'pick' }), h('td', { colspan: 7 }, shipForm(s, group))));
    rows.set(s.id, { s, group, box });
    refresh();
    return group;
  }

  // Bulk "Mark shipped": a tracking number and carrier per row, or one carrier for all.
  function bulkShip() {
    const sel = selected().filter((r) => !r.s.shipped && r.s.can_ship);
    if (!sel.length) return;
    const err = errorBox();
    const close = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const carrierAll = h('input', { id: 'bulk-carrier', list: 'carriers', autocomplete: 'off' });
    const fields = sel.map((r) => ({
      r,
      tracking: h('input', { id: `bulk-trk-${r.s.id}`, autocomplete: 'off', 'aria-label': `Tracking number for ${orderRef(r.s)}` }),
      carrier: h('input', { id: `bulk-car-${r.s.id}`, list: 'carriers', autocomplete: 'off', 'aria-label': `Carrier for ${orderRef(r.s)}` }),
      note: h('td', { class: 'row-result' }),
    }));
    const submit = h('button', { type: 'submit' }, `Mark ${sel.length} shipped`);
    const dlg = h('dialog', { id: 'bulk-ship-dialog', 'aria-labelledby': 'bulk-ship-title', class: 'wide' },
      h('form', { method: 'dialog', novalidate: true },
        h('div', { class: 'dialog-head' }, h('h2', { id: 'bulk-ship-title' }, `Mark ${sel.length} orders shipped`)),
        h('div', { class: 'field' }, h('label', { for: 'bulk-carrier' }, 'Carrier for all (where a row gives none)'), carrierAll),
        table(null, ['Order', 'Customer', 'Tracking number', 'Carrier', ''], fields.map((f) => h('tr', { 'data-shipment': f.r.s.id },
          h('td', null, orderRef(f.r.s)), h('td', null, f.r.s.customer_name || f.r.s.name || 'No name'),
          h('td', null, f.tracking), h('td', null, f.carrier), f.note))),
        err, h('p', { class: 'dialog-actions' }, close, submit)));
    close.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => { dlg.remove(); shipBtn.focus(); });
    dlg.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      const missing = fields.find((f) => !f.tracking.value.trim());
      if (missing) {
        err.show(new Error(`Enter the tracking number for ${orderRef(missing.r.s)}.`));
        missing.tracking.focus();
        return;
      }
      busy(submit, err, async () => {
        const body = { action: 'ship', shipments: fields.map((f) => {
          const one = { id: f.r.s.id, tracking_number: f.tracking.value.trim() };
          const c = f.carrier.value.trim() || carrierAll.value.trim();
          if (c) one.carrier = c;
          return one;
        }) };
        const res = await api.post('/shipments/bulk', body);
        const refused = [];
        for (const r of res.results) {
          const f = fields.find((x) => x.r.s.id === r.id);
          if (r.ok) {
            removeRow(r.id);
            f.note.textContent = 'Shipped';
          } else {
            refused.push(f);
            f.note.textContent = r.error.message;
            f.note.classList.add('error');
          }
        }
        announce(`${res.shipped} marked shipped${res.refused ? `, ${res.refused} refused` : ''}.`);
        if (!refused.length) dlg.close();
        else err.show(new Error(`${refused.length} could not be shipped: see each row.`));
      });
    });
    document.body.append(dlg);
    dlg.showModal();
    fields[0].tracking.focus();
  }
  shipBtn.addEventListener('click', bulkShip);

  const p = pager(list, (after) => api.get('/shipments', { status, q, outlet_id: outlet, limit: 50, after }),
    row, { emptyText: status === 'to_ship' ? 'Nothing to ship right now.' : status === 'shipped' ? 'No shipped orders match.' : 'No orders match.' });
  const carriers = h('datalist', { id: 'carriers' }, CARRIERS.map((c) => h('option', { value: c })));
  append(ctx.root, heading('Shipping', h('a', { class: 'button secondary', href: '/pickups' }, 'Pickups')),
    tabs, form, bulkBar, bulkErr, detailErr, carriers, h('div', { class: 'table-wrap dense-wrap' }, list), p.controls);
  await p.start();
  // leaving the screen (back button) closes an open dialog
  return () => { for (const id of ['shipment-details', 'bulk-ship-dialog']) { const d = document.getElementById(id); if (d) d.remove(); } };
}
