// One item (issue 16 item 1): its codes and prices per price level, its stock
// at each of my outlets (on hand, reserved, available, on order, reorder
// point), the stock actions (receive, count, adjust with a reason, transfer,
// reorder point), the ledger that explains every change, and the channels that
// carry it with what they were last sent.
import { h, append, replace } from '../dom.js';
import * as api from '../api.js';
import { dateTime, money } from '../format.js';
import { heading, pager, table, dl, badge, busy, errorBox, announce } from '../ui.js';
import { itemCurrency } from './items.js';

const REASONS = {
  sale: 'Sale', void: 'Void', return: 'Return', receipt: 'Received', count: 'Count',
  adjustment: 'Adjustment', reservation: 'Reserved', release: 'Released',
  transfer_out: 'Transfer out', transfer_in: 'Transfer in',
};

const CHANNEL_STATUS = {
  on_channel: ['On the channel', 'completed'],
  not_on_channel: ['Not on the channel (no such SKU there)', 'warn'],
  not_looked_up: ['Not looked up yet', ''],
};

export default async function item(ctx) {
  const id = ctx.params[0];
  const currency = itemCurrency(ctx.user);
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const outletName = (oid) => outlets[oid] || `Outlet ${oid}`;
  const [it, channels] = await Promise.all([api.get(`/items/${id}`), api.get(`/items/${id}/channels`)]);

  const stockBox = h('div', { id: 'item-stock' });
  const ledgerBox = h('div', { id: 'item-ledger' });
  const renderStock = (rows) => replace(stockBox, it.track_stock
    ? table('At each outlet', ['Outlet', 'On hand', 'Reserved', 'Available', 'On order', 'Reorder point'],
      rows.map((s) => h('tr', { 'data-outlet': s.outlet_id },
        h('td', null, outletName(s.outlet_id)),
        h('td', { class: 'num', 'data-col': 'on_hand' }, String(s.on_hand)),
        h('td', { class: 'num' }, String(s.reserved)),
        h('td', { class: 'num', 'data-col': 'available' }, String(s.available)),
        h('td', { class: 'num' }, String(s.on_order)),
        h('td', { class: 'num' }, s.reorder_point ? String(s.reorder_point) : '—',
          s.reorder_point && s.available < s.reorder_point ? badge('Low', 'warn') : null))),
      { id: 'item-stock-table' })
    : h('p', { class: 'hint' }, 'This item does not keep stock.'));
  const renderLedger = () => {
    const tbody = h('tbody');
    const p = pager(tbody, (after) => api.get('/stock/ledger', { item_id: id, limit: 25, after }),
      (e) => h('tr', null,
        h('td', null, h('time', { datetime: e.created_at }, dateTime(e.created_at, e.outlet_id))),
        h('td', null, outletName(e.outlet_id)),
        h('td', null, REASONS[e.reason] || e.reason),
        h('td', { class: 'num' }, (e.on_hand_delta > 0 ? '+' : '') + e.on_hand_delta),
        h('td', { class: 'num' }, String(e.on_hand_after)),
        h('td', null, e.sale_id ? h('a', { href: `/sales/${e.sale_id}` }, `Sale #${e.sale_id}`) : reference(e.reference, outletName),
          e.note ? h('small', null, ' — ' + e.note) : null)),
      { emptyText: 'No stock has moved yet.' });
    const t = table('Stock ledger (oldest first)', ['When', 'Outlet', 'Why', 'Change', 'On hand after', 'Reference'], [], { id: 'item-ledger-table' });
    t.querySelector('tbody').replaceWith(tbody);
    replace(ledgerBox, t, p.controls);
    return p.start();
  };
  // after a stock action: the figures and the ledger again
  const refresh = async () => {
    const fresh = await api.get(`/items/${id}`);
    renderStock(fresh.stock);
    await renderLedger();
  };
  renderStock(it.stock);

  const prices = table('Prices', ['Price level', 'Price'], (it.prices || []).map((p) =>
    h('tr', { 'data-level': p.price_level_id }, h('td', null, p.name), h('td', { class: 'num' }, money(p.amount, currency)))),
  { id: 'item-prices' });

  const chans = channels.data.length ? table('Channels', ['Channel', 'On it', 'Last stock sent', 'Last price sent', 'Waiting'],
    channels.data.map((c) => {
      const [text, kind] = CHANNEL_STATUS[c.status] || [c.status, ''];
      const s = c.sent.stock, pr = c.sent.price, qs = c.queued.stock || c.queued.price;
      return h('tr', { 'data-channel': c.channel_id },
        h('td', null, ctx.can('manager') ? h('a', { href: `/channels/${c.channel_id}` }, c.name) : c.name,
          c.enabled ? null : badge('Off', 'cancelled')),
        h('td', null, badge(text, kind)),
        h('td', null, s ? `${s.quantity} · ${dateTime(s.sent_at)}` : '—'),
        h('td', null, pr ? `${money(pr.price, currency)}${pr.sale_price ? ` (sale ${money(pr.sale_price, currency)})` : ''} · ${dateTime(pr.sent_at)}` : '—'),
        h('td', null, qs ? [qs.status === 'parked' ? badge('Stopped', 'warn') : badge('Waiting', 'waiting'),
          qs.last_error ? h('small', null, ' ' + qs.last_error) : null] : ''));
    }), { id: 'item-channels' })
    : h('p', { class: 'hint' }, 'No channel sells from your outlets.');

  append(ctx.root,
    heading(it.name, h('div', null, it.active ? null : badge('Inactive', 'cancelled'),
      ctx.can('manager') ? h('a', { class: 'button secondary', href: `/items/${id}/edit`, id: 'item-edit' }, 'Edit item') : null)),
    h('div', { class: 'grid2' },
      dl([['SKU', it.sku], ['UPC', it.upc], ['EAN', it.ean], ['Maker’s code', it.manufacturer_sku],
        ['Cost', money(it.default_cost, currency)], ['MSRP', money(it.msrp, currency)],
        ['Tax class', it.tax_class], ['Description', it.description]]),
      prices),
    h('section', { 'aria-labelledby': 'stock-title' }, h('h2', { id: 'stock-title' }, 'Stock'), stockBox,
      it.track_stock ? stockActions(ctx, id, refresh) : null),
    h('section', { 'aria-labelledby': 'channels-title' }, h('h2', { id: 'channels-title' }, 'Channels'), chans),
    it.track_stock ? h('section', { 'aria-labelledby': 'ledger-title' }, h('h2', { id: 'ledger-title' }, 'History'), ledgerBox) : null);
  if (it.track_stock) await renderLedger();
}

function reference(ref, outletName) {
  if (!ref) return '';
  const m = /^transfer-(to|from):(\d+)$/.exec(ref);
  if (m) return (m[1] === 'to' ? 'To ' : 'From ') + outletName(m[2]);
  return ref.replace(/^receipt:/, 'Delivery ');
}

// The stock actions, each a small form: what it needs, a button, its errors in words.
function stockActions(ctx, id, refresh) {
  const mine = ctx.user.outlets;
  const outletSelect = (name, label, pick = 0) => {
    const sel = h('select', { name, id: `${name}-${Math.random().toString(36).slice(2, 7)}` },
      mine.map((o, i) => h('option', { value: String(o.id), selected: i === pick }, o.name)));
    return [h('div', { class: 'field' }, h('label', { for: sel.id }, label), sel), sel];
  };
  const numberField = (name, label, min) => {
    const input = h('input', { type: 'number', name, id: `${name}-${Math.random().toString(36).slice(2, 7)}`, min: String(min), step: '1', required: true, inputmode: 'numeric' });
    return [h('div', { class: 'field' }, h('label', { for: input.id }, label), input), input];
  };
  const textField = (name, label) => {
    const input = h('input', { name, id: `${name}-${Math.random().toString(36).slice(2, 7)}`, autocomplete: 'off' });
    return [h('div', { class: 'field' }, h('label', { for: input.id }, label), input), input];
  };
  const wholeNumber = (input, what, min) => {
    const v = Number(input.value);
    if (input.value.trim() === '' || !Number.isInteger(v) || v < min)
      throw new Error(`${what} must be a whole number${min > 0 ? ' of at least ' + min : min === 0 ? ' (0 or more)' : ''}.`);
    return v;
  };
  const action = (key, title, fields, submit, hint) => {
    const errs = errorBox();
    const button = h('button', { type: 'submit' }, title);
    const form = h('form', { class: 'inline stock-action', id: `stock-${key}`, 'aria-label': title },
      h('h3', { class: 'visually-hidden' }, title), ...fields, button, hint ? h('small', { class: 'hint' }, hint) : null, errs);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(button, errs, async () => {
        const done = await submit();
        form.reset();
        await refresh();
        announce(done);
      });
    });
    return form;
  };

  const forms = [];
  {
    const [of, outlet] = outletSelect('outlet_id', 'At');
    const [qf, qty] = numberField('quantity', 'Quantity received', 1);
    const [rf, ref] = textField('reference', 'Delivery reference');
    forms.push(['receive', 'Receive', action('receive', 'Receive stock', [of, qf, rf], async () => {
      await api.post('/stock/receipts', { outlet_id: Number(outlet.value), reference: ref.value.trim() || null,
        lines: [{ item_id: Number(id), quantity: wholeNumber(qty, 'The quantity received', 1) }] });
      return 'Stock received.';
    })]);
  }
  if (ctx.can('manager')) {
    {
      const [of, outlet] = outletSelect('outlet_id', 'At');
      const [cf, count] = numberField('count', 'Counted on the shelf', 0);
      const [nf, note] = textField('note', 'Note');
      forms.push(['count', 'Count', action('count', 'Record a count', [of, cf, nf], async () => {
        await api.post('/stock/adjustments', { item_id: Number(id), outlet_id: Number(outlet.value),
          count: wholeNumber(count, 'The count', 0), note: note.value.trim() || null });
        return 'Count recorded.';
      }, 'On hand becomes what you counted; the difference goes in the history.')]);
    }
    {
      const [of, outlet] = outletSelect('outlet_id', 'At');
      const [df, delta] = numberField('delta', 'Change (+ or −)', -1000000000);
      const [nf, note] = textField('note', 'Reason');
      forms.push(['adjust', 'Adjust', action('adjust', 'Adjust stock', [of, df, nf], async () => {
        const d = Number(delta.value);
        if (delta.value.trim() === '' || !Number.isInteger(d) || d === 0) throw new Error('The change must be a whole number other than 0, such as 2 or −2.');
        if (!note.value.trim()) throw new Error('Say why the stock changes (damaged, found, …).');
        await api.post('/stock/adjustments', { item_id: Number(id), outlet_id: Number(outlet.value), delta: d,
          note: note.value.trim() });
        return 'Stock adjusted.';
      })]);
    }
    if (mine.length > 1) {
      const [ff, from] = outletSelect('from_outlet_id', 'From', 0);
      const [tf, to] = outletSelect('to_outlet_id', 'To', 1);
      const [qf, qty] = numberField('quantity', 'Quantity', 1);
      const [nf, note] = textField('note', 'Note');
      forms.push(['transfer', 'Transfer', action('transfer', 'Transfer stock', [ff, tf, qf, nf], async () => {
        if (from.value === to.value) throw new Error('Choose two different outlets.');
        await api.post('/stock/transfers', { from_outlet_id: Number(from.value), to_outlet_id: Number(to.value),
          note: note.value.trim() || null, lines: [{ item_id: Number(id), quantity: wholeNumber(qty, 'The quantity', 1) }] });
        return 'Stock transferred.';
      })]);
    }
    {
      const [of, outlet] = outletSelect('outlet_id', 'At');
      const [rf, point] = numberField('reorder_point', 'Reorder point', 0);
      forms.push(['reorder', 'Reorder point', action('reorder', 'Set reorder point', [of, rf], async () => {
        await api.post('/stock/levels', { item_id: Number(id), outlet_id: Number(outlet.value),
          reorder_point: wholeNumber(point, 'The reorder point', 0) });
        return 'Reorder point set.';
      }, 'Below it, the item shows under Low stock.')]);
    }
  }
  // one form at a time: a row of toggle buttons opens each (all stay in the page, hidden)
  for (const [, , form] of forms) form.hidden = true;
  const panel = h('div', { class: 'stock-panel' }, forms.map(([, , form]) => form));
  const buttons = forms.map(([key, text, form]) => {
    const b = h('button', { type: 'button', class: 'secondary', id: `open-${key}`, 'aria-pressed': 'false', 'aria-controls': `stock-${key}` }, text);
    b.addEventListener('click', () => {
      const open = b.getAttribute('aria-pressed') !== 'true';
      for (const [, , other] of forms) other.hidden = true;
      for (const other of buttons) other.setAttribute('aria-pressed', 'false');
      form.hidden = !open;
      if (open) {
        b.setAttribute('aria-pressed', 'true');
        const first = form.querySelector('input, select');
        if (first) first.focus();
      }
    });
    return b;
  });
  return h('div', { class: 'stock-actions' }, h('div', { class: 'actions', role: 'group', 'aria-label': 'Stock actions' }, buttons), panel);
}
