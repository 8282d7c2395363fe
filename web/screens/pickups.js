// Pickups (SPEC SH2): orders the customer collects at an outlet are not on
// the Shipping list and ask for no tracking number. Their flow: Packed means
// ready for pickup, then Picked up, both moves of the fulfillment's status
// (SPEC F2; a cancelled one, or one of a voided sale, never moves: F3). The
// "Picked up" tab lists the handed-over ones. A dense table like Shipping's
// (issue 16 item 3): one row group per order, the outlet it is collected at
// always shown.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label } from '../format.js';
import { heading, errorBox, busy, pager, announce, badge } from '../ui.js';

// On this screen Packed is said the way the counter says it.
const PICKUP_LABELS = { packed: 'Ready for pickup' };
const pickupLabel = (s) => PICKUP_LABELS[s] || label(s);

function orderRef(f) {
  return f.external_number ? `Order ${f.external_number}` : `Sale #${f.sale_id}`;
}

export default async function pickups(ctx) {
  const done = ctx.query.get('done') === 'true';
  const outlet = ctx.query.get('outlet_id') || '';
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const outletSel = h('select', { id: 'pu-outlet', name: 'outlet_id' },
    h('option', { value: '' }, 'All my outlets'),
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: String(o.id) === outlet }, o.name)));
  const form = h('form', { class: 'filters' },
    h('div', { class: 'field' }, h('label', { for: 'pu-outlet' }, 'Outlet'), outletSel),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (done) p.set('done', 'true');
    if (outletSel.value) p.set('outlet_id', outletSel.value);
    ctx.navigate('/pickups' + (p.toString() ? '?' + p : ''));
  });
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Pickup lists' },
    h('a', { href: '/pickups', 'aria-current': done ? null : 'page' }, 'To hand over'),
    h('a', { href: '/pickups?done=true', 'aria-current': done ? 'page' : null }, 'Picked up'));
  const list = h('table', { id: 'pickups', class: 'dense', 'aria-label': done ? 'Picked up orders' : 'Orders to hand over' },
    h('thead', null, h('tr', null, ['Order', 'Ordered', 'Customer', 'Contact', 'Items', 'Collect at', 'Status'].map((c, i) =>
      h('th', { scope: 'col', class: i === 3 || i === 4 ? 'col-wide' : null }, c)),
    done ? null : h('th', { scope: 'col' }, 'Next'))));

  function actions(f, li) {
    const next = f.status === 'packed' ? 'picked_up' : 'packed';
    const err = errorBox();
    const b = h('button', { type: 'button', 'data-status': next }, next === 'packed' ? 'Ready for pickup' : 'Picked up',
      h('span', { class: 'visually-hidden' }, ` (${orderRef(f)})`));
    b.addEventListener('click', () => busy(b, err, async () => {
      let updated;
      try {
        updated = await api.post(`/fulfillments/${f.id}/status`, { status: next });
      } catch (e) {
        if (e.code === 'fulfillment_cancelled' || e.code === 'sale_voided') b.remove();
        throw e;
      }
      if (updated.status === 'picked_up') {
        const after = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        announce(`${orderRef(f)} picked up.`);
        const to = after ? after.querySelector('button[data-status]') : document.querySelector('#pu-outlet');
        if (to) to.focus();
        if (!list.querySelector('tbody')) list.after(h('p', { class: 'empty' }, 'Nothing is waiting for pickup.'));
        return;
      }
      announce(`${orderRef(f)} is ready for pickup.`);
      const fresh = card({ ...f, ...updated });
      li.replaceWith(fresh);
      const again = fresh.querySelector('button[data-status]');
      if (again) again.focus();
    }));
    return h('div', { class: 'inline pickup-actions' }, b, ' ', h('a', { href: `/fulfillments/${f.id}` }, 'Details'), err);
  }

  function card(f) {
    const li = h('tbody', { class: 'pickup', 'data-fulfillment': f.id, 'data-order': f.external_number || '' });
    const items = (f.lines || []).map((l) => h('div', null, `${l.quantity} × `, l.description, l.sku ? h('small', null, ' ', l.sku) : null,
      l.backorder_quantity ? h('small', null, ` (${l.backorder_quantity} on backorder)`) : null));
    return replace(li, h('tr', null,
      h('th', { scope: 'row' }, h('a', { href: `/sales/${f.sale_id}` }, orderRef(f))),
      h('td', null, h('time', { datetime: f.order_date }, dateTime(f.order_date, f.outlet_id))),
      h('td', null, f.customer_name || 'No name'),
      h('td', { class: 'col-wide' }, [f.phone, f.email].filter(Boolean).join(' · ') || '—'),
      h('td', { class: 'col-wide items' }, items),
      h('td', { class: 'outlet' }, outlets[f.outlet_id] || `Outlet ${f.outlet_id}`),
      h('td', null, h('span', { class: 'statuses' }, badge(pickupLabel(f.status), f.status),
        f.is_split ? badge('Split', 'split') : null, f.is_backorder ? badge('Backorder', 'warn') : null)),
      done ? null : h('td', null, actions(f, li))));
  }

  const params = done ? { kind: 'pickup', status: 'picked_up' } : { kind: 'pickup', open: 'true' };
  const p = pager(list, (after) => api.get('/fulfillments', { ...params, outlet_id: outlet, limit: 25, after }), card,
    { emptyText: done ? 'No pickups handed over yet.' : 'Nothing is waiting for pickup.' });
  append(ctx.root, heading('Pickups'), tabs, form, h('div', { class: 'table-wrap dense-wrap' }, list), p.controls);
  await p.start();
}
