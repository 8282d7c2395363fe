// What the sale page does to a sale besides taking a payment: void it
// (managers, after a dialog that says what a void does: SPEC F3, S1, I3) and
// return some of its lines (choose lines and quantities, restock or not, a
// refund worked out from the lines as the server works it out — never more,
// and lower if the clerk types less — under a payment type, with a reason).
import { h } from '../dom.js';
import * as api from '../api.js';
import { money, parseMoney, toDecimalInput } from '../format.js';
import { errorBox, busy, announce } from '../ui.js';

const FINAL = new Set(['shipped', 'picked_up', 'cancelled']);

// A line's refund for qty of its units, as core/sale.c's sb_sale_return_share: its share
// of the line total, the last units taking what is left of it.
export function returnShare(lineTotal, quantity, returned, refunded, qty) {
  if (quantity <= 0 || qty <= 0 || lineTotal <= 0) return 0;
  const left = Math.max(lineTotal - refunded, 0);
  if (returned + qty >= quantity) return left;
  const share = Number((BigInt(lineTotal) * BigInt(qty)) / BigInt(quantity));
  return Math.min(share, left);
}

// The "Void sale" button and its dialog. onDone(sale) repaints.
export function voidButton(ctx, sale, onDone) {
  const b = h('button', { type: 'button', class: 'danger', id: 'void-sale' }, 'Void sale');
  b.addEventListener('click', () => openVoid(ctx, sale, b, onDone));
  return b;
}

function openVoid(ctx, sale, opener, onDone) {
  const cur = sale.currency;
  const outlet = (ctx.user.outlets.find((o) => o.id === sale.outlet_id) || {}).name || 'the outlet';
  const back = (sale.lines || []).filter((l) => l.item_id && l.quantity > (l.returned_quantity || 0));
  const open = (sale.fulfillments || []).filter((f) => !FINAL.has(f.status));
  const reason = h('input', { id: 'void-reason', name: 'reason', autocomplete: 'off', maxlength: '500' });
  const err = errorBox();
  const keep = h('button', { type: 'button', class: 'secondary', autofocus: true }, 'Keep the sale');
  const go = h('button', { type: 'submit', class: 'danger', id: 'void-confirm' }, 'Void sale');
  const form = h('form', { method: 'dialog' },
    h('ul', { id: 'void-consequences' },
      back.length ? h('li', null, `Back to ${outlet}'s stock: `, back.map((l, i) => [i ? ', ' : '', `${l.quantity - (l.returned_quantity || 0)} × ${l.description}`]), '.')
        : h('li', null, 'No stock moves: nothing on it is a stocked item.'),
      open.length ? h('li', null, `Its ${open.length === 1 ? 'fulfillment is' : `${open.length} fulfillments are`} cancelled: nothing can be shipped or picked up for it any more.`) : null,
      sale.channel_id ? h('li', null, `${sale.channel_name || 'The webstore'} is told the order ${sale.external_number || ''} is cancelled.`) : null,
      h('li', null, `Its payments (${money(sale.paid_total, cur)}) stay on record: give back any money yourself.`),
      h('li', null, 'A voided sale cannot be changed, paid or returned afterwards.')),
    h('div', { class: 'field' }, h('label', { for: 'void-reason' }, 'Reason (optional)'), reason),
    err, h('p', { class: 'dialog-actions' }, keep, go));
  const dialog = h('dialog', { id: 'void-dialog', 'aria-labelledby': 'void-title' },
    h('h2', { id: 'void-title' }, `Void sale #${sale.id}?`), form);
  document.body.append(dialog);
  keep.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { dialog.remove(); if (opener.isConnected) opener.focus(); });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(go, err, async () => {
      const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
      const updated = await api.post(`/sales/${sale.id}/void`, body);
      dialog.close();
      announce(`Sale #${sale.id} voided.`);
      onDone(updated);
    });
  });
  dialog.showModal();
}

// The return form: hidden behind its "Return items" button.
export function returnSection(sale, types, onDone) {
  const cur = sale.currency;
  const refundedOf = new Map();
  for (const r of sale.returns || [])
    for (const rl of r.lines || []) refundedOf.set(rl.sale_line_id, (refundedOf.get(rl.sale_line_id) || 0) + rl.amount);
  const room = Math.max(sale.paid_total - (sale.refunded_total || 0), 0);
  const lines = (sale.lines || []).filter((l) => l.quantity > (l.returned_quantity || 0));
  const rows = lines.map((l) => {
    const left = l.quantity - (l.returned_quantity || 0);
    const qty = h('input', { type: 'number', min: '0', max: String(left), step: '1', inputmode: 'numeric', value: '0', id: `ret-qty-${l.id}`, 'aria-label': `Units of ${l.description} to return (at most ${left})` });
    const restock = h('input', { type: 'checkbox', id: `ret-restock-${l.id}`, checked: !!l.item_id, disabled: !l.item_id, 'aria-label': `Put ${l.description} back in stock` });
    const share = h('td', { class: 'num', id: `ret-share-${l.id}` });
    return { l, left, qty, restock, share };
  });
  const refund = h('input', { id: 'ret-refund', name: 'refund', inputmode: 'decimal', autocomplete: 'off' });
  const refundHint = h('small', { class: 'hint', id: 'ret-refund-hint' });
  const typeSel = h('select', { id: 'ret-type', name: 'payment_type_id' },
    h('option', { value: '' }, 'No refund payment'), types.map((t) => h('option', { value: String(t.id) }, t.name)));
  if (types.length) typeSel.value = String((sale.payments && sale.payments[0] && sale.payments[0].payment_type_id) || types[0].id);
  const reason = h('input', { id: 'ret-reason', name: 'reason', autocomplete: 'off', maxlength: '500' });
  const err = errorBox();
  const submit = h('button', { type: 'submit', id: 'ret-submit' }, 'Record return');
  let most = 0;
  function chosen() {
    return rows.map((r) => ({ ...r, n: Math.floor(Number(r.qty.value) || 0) })).filter((r) => r.n > 0);
  }
  function recompute() {
    let sum = 0;
    for (const r of rows) {
      const n = Math.min(Math.max(Math.floor(Number(r.qty.value) || 0), 0), r.left);
      const s = returnShare(r.l.line_total, r.l.quantity, r.l.returned_quantity || 0, refundedOf.get(r.l.id) || 0, n);
      r.shareAmount = s;
      r.share.textContent = n ? money(s, cur) : '';
      sum += s;
    }
    most = Math.min(sum, room);
    refund.value = toDecimalInput(most, cur);
    refundHint.textContent = sum > room
      ? `At most ${money(most, cur)}: what is left of the payments.`
      : `At most ${money(most, cur)}; type less to refund less.`;
  }
  for (const r of rows) r.qty.addEventListener('input', recompute);
  const form = h('form', { id: 'return-form', 'aria-labelledby': 'return-title', hidden: true },
    h('div', { class: 'table-wrap' }, h('table', null,
      h('caption', null, 'Lines to return'),
      h('thead', null, h('tr', null, ['Item', 'Sold', 'Left', 'Return', 'Restock', 'Refund'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((r) => h('tr', { 'data-line': String(r.l.id) },
        h('td', null, r.l.description, ' ', h('small', null, r.l.sku || '')),
        h('td', { class: 'num' }, r.l.quantity), h('td', { class: 'num' }, r.left),
        h('td', null, r.qty), h('td', null, r.restock), r.share))))),
    h('div', { class: 'inline-fields' },
      h('div', { class: 'field' }, h('label', { for: 'ret-refund' }, `Refund (${cur})`), refund, refundHint),
      h('div', { class: 'field' }, h('label', { for: 'ret-type' }, 'Refund paid as'), typeSel),
      h('div', { class: 'field' }, h('label', { for: 'ret-reason' }, 'Reason (optional)'), reason),
      submit),
    err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const picked = chosen();
    if (!picked.length) { err.show(new Error('Choose how many units of which lines come back.')); rows[0]?.qty.focus(); return; }
    for (const r of picked) {
      if (r.n > r.left) { err.show(new Error(`Only ${r.left} of ${r.l.description} can still be returned.`)); r.qty.focus(); return; }
    }
    const typed = refund.value.trim() === '' ? 0 : parseMoney(refund.value, cur);
    if (typed === null) { err.show(new Error('Enter the refund as an amount, e.g. 12.50.')); refund.focus(); return; }
    if (typed > most) { err.show(new Error(`The refund can be at most ${money(most, cur)}.`)); refund.focus(); return; }
    if (typed > 0 && !typeSel.value) { err.show(new Error('Choose how the refund is paid.')); typeSel.focus(); return; }
    // the typed refund over the lines in order, each at most its share: they add up to it
    let rest = typed;
    const body = {
      lines: picked.map((r) => {
        const amount = Math.min(r.shareAmount, rest);
        rest -= amount;
        return { sale_line_id: r.l.id, quantity: r.n, amount, restock: r.restock.checked };
      }),
    };
    if (typeSel.value && typed > 0) body.payment_type_id = Number(typeSel.value);
    if (reason.value.trim()) body.reason = reason.value.trim();
    busy(submit, err, async () => {
      const done = await api.post(`/sales/${sale.id}/returns`, body);
      const units = body.lines.reduce((s, l) => s + l.quantity, 0);
      announce(`${units} unit${units === 1 ? '' : 's'} returned, ${money(done.return.refund_total, cur)} refunded.`);
      onDone(done.sale);
    });
  });
  const open = h('button', { type: 'button', class: 'secondary', id: 'return-open', 'aria-expanded': 'false', 'aria-controls': 'return-form' }, 'Return items');
  open.addEventListener('click', () => {
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) { recompute(); rows[0]?.qty.focus(); }
  });
  recompute();
  return h('section', { id: 'returns-section', 'aria-labelledby': 'return-title' },
    h('h2', { id: 'return-title' }, 'Return items'),
    lines.length ? [h('p', null, open), form] : h('p', { class: 'empty' }, 'Every unit of this sale has been returned.'));
}


// SPEC O5: a web order's lines whose product the POS did not know, each with a
// search for the item it is (by SKU, barcode or name) and "Map to this item":
// POST /sales/{id}/lines/{line_id}/item, which takes the stock and, once no
// unknown line is left, clears the review flag.
export function unmatchedLines(sale) {
  if (!sale.channel_id || sale.status === 'voided' || (sale.kind === 'order' && sale.status === 'open')) return [];
  return (sale.lines || []).filter((l) => !l.item_id && l.external_line_id);
}

export function mapSection(sale, onDone) {
  const lines = unmatchedLines(sale);
  if (!lines.length) return null;
  return h('section', { id: 'map-lines', 'aria-labelledby': 'map-title' },
    h('h2', { id: 'map-title' }, 'Lines without an item'),
    h('p', null, h('small', null, 'The webstore sold these under a SKU the POS does not know. Find the item each one is: its stock is then taken as for any sale.')),
    lines.map((l) => mapForm(sale, l, onDone)));
}

function mapForm(sale, l, onDone) {
  const q = h('input', { id: `map-q-${l.id}`, type: 'search', autocomplete: 'off', maxlength: '200', value: l.sku || '' });
  const find = h('button', { type: 'submit', class: 'secondary' }, 'Find item');
  const err = errorBox();
  const results = h('ul', { class: 'results', 'aria-label': `Items for line ${l.line_no}` });
  const form = h('form', { class: 'inline', id: `map-line-${l.id}`, 'data-line': String(l.id), 'aria-label': `Map line ${l.line_no} to an item` },
    h('p', { class: 'full' }, h('strong', null, `Line ${l.line_no}: ${l.description}`), ' ',
      h('small', null, [l.sku ? `SKU ${l.sku}` : null, `${l.quantity} × ${money(l.unit_price, sale.currency)}`].filter(Boolean).join(' · '))),
    h('div', { class: 'field' }, h('label', { for: `map-q-${l.id}` }, 'Item SKU, barcode or name'), q), find, err,
    h('div', { class: 'full' }, results));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = q.value.trim();
    if (!text) { err.show(new Error('Type the SKU, barcode or name of the item.')); q.focus(); return; }
    busy(find, err, async () => {
      let items = [];
      for (const key of ['sku', 'upc', 'ean']) {
        items = (await api.get('/items', { [key]: text, limit: 5 })).data;
        if (items.length) break;
      }
      if (!items.length) items = (await api.get('/items', { q: text, limit: 10 })).data;
      results.replaceChildren(...(items.length ? items.map((it) => {
        const use = h('button', { type: 'button', class: 'secondary', 'data-item': String(it.id) }, 'Map to this item', h('span', { class: 'visually-hidden' }, ` ${it.name}`));
        use.addEventListener('click', () => busy(use, err, async () => {
          const updated = await api.post(`/sales/${sale.id}/lines/${l.id}/item`, { item_id: it.id });
          announce(`Line ${l.line_no} is now ${it.name}.`);
          onDone(updated);
        }));
        return h('li', null, h('span', null, it.name, ' ', h('small', null, it.sku || '')), use);
      }) : [h('li', { class: 'empty' }, 'No item matches.')]));
      announce(`${items.length} items found.`);
    });
  });
  return form;
}
