// Sell: an in-store sale (outlet, register, customer, price level, items by
// SKU, barcode or search, quantities, line and sale discounts, a note,
// payment), and the unpaid web orders waiting for a payment. Each line warns
// when it asks for more than the outlet has; a sale past stock is refused by
// the server (exceeds_stock) and made only once the clerk confirms it.
// The cart's figures are integer sums of minor units (sell-cart.js); the
// server computes the sale itself and its answer is what is shown afterwards.
// The cart is kept per user in localStorage until the sale completes or is
// cleared, so navigation, a reload or a session that expired loses nothing.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { money, parseMoney, toDecimalInput, dateTime } from '../format.js';
import { heading, errorBox, busy, announce, table, empty } from '../ui.js';
import { emptyCart, loadCart, saveCart, clearCart, priceAt, figures, saleBody, customerName } from './sell-cart.js';
import { customerPicker } from './sell-customer.js';

export default async function sell(ctx) {
  const userId = ctx.user.id;
  const [outletsPage, registersPage, typesPage, levelsPage] = await Promise.all([
    api.get('/outlets', { limit: 100 }).catch(() => ({ data: [] })),
    api.get('/registers', { limit: 100 }).catch(() => ({ data: [] })),
    api.get('/payment-types', { limit: 100 }).catch(() => ({ data: [] })),
    api.get('/price-levels', { limit: 100 }).catch(() => ({ data: [] })),
  ]);
  const currencyOf = Object.fromEntries(outletsPage.data.map((o) => [o.id, o.currency]));
  const levels = [...levelsPage.data].sort((a, b) => a.id - b.id);
  const mine = ctx.user.outlets.map((o) => String(o.id));
  const savedOutlet = localStorage.getItem('sb-sell-outlet');

  // the cart: restored (its items read again: prices are never taken from storage) or new
  let cart = loadCart(userId);
  const restoreNotes = [];
  if (cart && !mine.includes(String(cart.outlet_id))) cart = null;
  if (!cart) cart = emptyCart(mine.includes(savedOutlet) ? savedOutlet : mine[0]);
  if (!levels.some((l) => l.id === cart.price_level_id)) cart.price_level_id = levels.length ? levels[0].id : null;
  if (cart.lines.length) {
    const read = await Promise.all(cart.lines.map((l) => api.get(`/items/${l.item_id}`).catch((err) => {
      if (err.status === 404) return null;
      throw err;
    })));
    cart.lines = cart.lines.filter((l, i) => {
      l.item = read[i];
      if (!l.item) { restoreNotes.push(`An item of this sale no longer exists and was taken off.`); return false; }
      const now = priceAt(l.item, cart.price_level_id);
      if (l.price_seen !== undefined && now !== null && now !== l.price_seen)
        restoreNotes.push(`${l.item.name} now costs ${money(now, currencyOfCart())} (was ${money(l.price_seen, currencyOfCart())}).`);
      if (now !== null) l.price_seen = now;
      return true;
    });
  }
  function currencyOfCart() { return currencyOf[cart.outlet_id] || 'USD'; }
  const currency = currencyOfCart;
  const save = () => saveCart(userId, cart);
  save();

  const outletSel = h('select', { id: 'sell-outlet', name: 'outlet_id' },
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: String(o.id) === String(cart.outlet_id) }, o.name)));
  const registerSel = h('select', { id: 'sell-register', name: 'register_id' });
  const levelSel = h('select', { id: 'sell-level', name: 'price_level_id' },
    levels.map((l) => h('option', { value: String(l.id), selected: l.id === cart.price_level_id }, l.name)));
  function fillRegisters() {
    const regs = registersPage.data.filter((r) => String(r.outlet_id) === String(cart.outlet_id));
    replace(registerSel, h('option', { value: '' }, 'No register'), regs.map((r) => h('option', { value: String(r.id) }, r.name)));
    const keep = regs.find((r) => r.id === cart.register_id) || (cart.register_id === null ? regs[0] : null);
    registerSel.value = keep ? String(keep.id) : '';
    cart.register_id = keep ? keep.id : null;
  }
  outletSel.addEventListener('change', () => {
    localStorage.setItem('sb-sell-outlet', outletSel.value);
    cart.outlet_id = outletSel.value;
    cart.register_id = null;
    fillRegisters();
    save();
    paintCart();
    refreshStock().catch(() => {}); // the warnings only: the server still guards the sale
  });
  registerSel.addEventListener('change', () => { cart.register_id = registerSel.value ? Number(registerSel.value) : 0; save(); });
  levelSel.addEventListener('change', () => {
    cart.price_level_id = Number(levelSel.value);
    save();
    paintCart();
    announce(`Prices of ${levelSel.selectedOptions[0].textContent}.`);
  });
  fillRegisters();

  const picker = customerPicker(cart.customer, (c) => { cart.customer = c; save(); });

  // Item lookup: exact SKU, UPC or EAN first (a scanner types one and presses
  // Enter), else a text search.
  const find = h('input', { id: 'sell-find', name: 'find', type: 'search', autocomplete: 'off', placeholder: 'Scan or type SKU, barcode or name' });
  const findErr = errorBox();
  const results = h('ul', { class: 'results', id: 'sell-results', 'aria-label': 'Matching items' });
  const findBtn = h('button', { type: 'submit' }, 'Find');
  const findForm = h('form', { class: 'filters', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'sell-find' }, 'Add item'), find), findBtn, findErr);
  findForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = find.value.trim();
    if (!text) return;
    busy(findBtn, findErr, async () => {
      let items = [];
      for (const key of ['sku', 'upc', 'ean']) {
        items = (await api.get('/items', { [key]: text, active: 'true', limit: 5 })).data;
        if (items.length) break;
      }
      if (items.length === 1) {
        await add(items[0]);
        find.value = '';
        replace(results);
        return;
      }
      items = (await api.get('/items', { q: text, active: 'true', limit: 10 })).data;
      replace(results, items.length ? items.map((it) => h('li', null,
        h('span', null, it.name, ' ', h('small', null, it.sku || ''), ' · ', money(priceAt(it, cart.price_level_id), currency())),
        h('button', { type: 'button', class: 'secondary', 'data-sku': it.sku, onclick: (ev) => busy(ev.currentTarget, findErr, async () => { await add(it); replace(results); find.value = ''; find.focus(); }) },
          'Add', h('span', { class: 'visually-hidden' }, ' ' + it.name)))) : h('li', { class: 'empty' }, 'No items match.'));
      announce(`${items.length} items found.`);
    });
  });

  // What the outlet has of each item (GET /items/{id}: its stock at the caller's outlets),
  // read when a line is added and when the outlet changes.
  const available = new Map(); // `${item}/${outlet}` -> available, or null: not tracked
  function noteStock(item) {
    for (const s of item.stock || [])
      available.set(`${item.id}/${s.outlet_id}`, item.track_stock === false ? null : s.available);
  }
  async function refreshStock() {
    const fresh = await Promise.all(cart.lines.map((l) => api.get(`/items/${l.item_id}`).catch(() => null)));
    fresh.forEach((it) => { if (it) noteStock(it); });
    paintCart();
  }
  for (const l of cart.lines) noteStock(l.item);

  async function add(found) {
    const item = await api.get(`/items/${found.id}`); // its stock, and today's prices
    noteStock(item);
    const price = priceAt(item, cart.price_level_id);
    if (price === null) { findErr.show(new Error(`${item.name} has no price at the ${levelSel.selectedOptions[0]?.textContent || ''} level.`)); return; }
    const line = cart.lines.find((l) => l.item_id === item.id);
    if (line) { line.quantity += 1; line.item = item; line.price_seen = price; } else cart.lines.push({ item_id: item.id, item, quantity: 1, price_seen: price, discount: { kind: 'amount', value: '' } });
    save();
    paintCart();
    const w = stockWarning(line || cart.lines[cart.lines.length - 1]);
    announce(`${item.name} added.` + (w ? ' ' + w : ''));
  }

  // "Only 3 at Old Town" when the line asks for more than the outlet has; null otherwise.
  function stockWarning(l) {
    const have = available.get(`${l.item_id}/${cart.outlet_id}`);
    if (have === undefined || have === null || l.quantity <= have) return null;
    const where = (ctx.user.outlets.find((o) => String(o.id) === String(cart.outlet_id)) || {}).name || 'this outlet';
    return have <= 0 ? `None in stock at ${where}.` : `Only ${have} in stock at ${where}.`;
  }

  const cartBody = h('tbody');
  const subtotalCell = h('td', { class: 'num', id: 'sell-subtotal' });
  const discountsCell = h('td', { class: 'num', id: 'sell-discounts' });
  const totalCell = h('td', { class: 'num total-line', id: 'sell-total' });
  const saleDiscKind = h('select', { id: 'sell-sale-discount-kind', 'aria-label': 'Sale discount as' });
  const saleDiscValue = h('input', { id: 'sell-sale-discount', name: 'sale_discount', inputmode: 'decimal', autocomplete: 'off', size: '6', value: cart.sale_discount.value });
  const saleDiscShown = h('span', { class: 'stock-warn', id: 'sell-sale-discount-error' });
  saleDiscValue.addEventListener('change', () => { cart.sale_discount.value = saleDiscValue.value; save(); paintCart(); });
  saleDiscKind.addEventListener('change', () => { cart.sale_discount.kind = saleDiscKind.value; save(); paintCart(); });
  const cartTable = h('div', { class: 'table-wrap cart' }, h('table', { id: 'cart' },
    h('caption', null, 'Sale'),
    h('thead', null, h('tr', null, ['Item', 'Unit price', 'Quantity', 'Discount', 'Line total', ''].map((t) => h('th', { scope: 'col' }, t)))),
    cartBody, h('tfoot', null,
      h('tr', null, h('td', { colspan: '4' }, 'Subtotal'), subtotalCell, h('td')),
      h('tr', null, h('td', { colspan: '3' }, h('label', { for: 'sell-sale-discount' }, 'Sale discount')),
        h('td', null, h('span', { class: 'disc' }, saleDiscValue, saleDiscKind), ' ', saleDiscShown), discountsCell, h('td')),
      h('tr', null, h('td', { colspan: '4' }, 'Total'), totalCell, h('td')))));

  function kindOptions(sel, kind) {
    replace(sel, h('option', { value: 'amount', selected: kind !== 'percent' }, currency()), h('option', { value: 'percent', selected: kind === 'percent' }, '%'));
  }

  function paintCart() {
    const cur = currency();
    const f = figures(cart, cur);
    replace(cartBody, cart.lines.length ? cart.lines.map((l, i) => {
      const fl = f.lines[i];
      const qty = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric', value: String(l.quantity), id: `qty-${l.item_id}`, 'aria-label': `Quantity of ${l.item.name}` });
      qty.addEventListener('change', () => {
        l.quantity = Math.max(1, Math.floor(Number(qty.value) || 1));
        save();
        paintCart();
        const w = stockWarning(l);
        if (w) announce(w);
        document.getElementById(`qty-${l.item_id}`)?.focus();
      });
      const disc = h('input', { id: `disc-${l.item_id}`, inputmode: 'decimal', autocomplete: 'off', size: '6', value: l.discount.value, 'aria-label': `Discount on ${l.item.name}` });
      const kind = h('select', { id: `disc-kind-${l.item_id}`, 'aria-label': `Discount on ${l.item.name} as` });
      kindOptions(kind, l.discount.kind);
      disc.addEventListener('change', () => { l.discount.value = disc.value; save(); paintCart(); document.getElementById(`disc-${l.item_id}`)?.focus(); });
      kind.addEventListener('change', () => { l.discount.kind = kind.value; save(); paintCart(); document.getElementById(`disc-kind-${l.item_id}`)?.focus(); });
      const warn = stockWarning(l);
      return h('tr', { 'data-item': l.item_id },
        h('td', null, l.item.name, ' ', h('small', null, l.item.sku || ''),
          warn ? h('div', { class: 'stock-warn' }, warn) : null),
        h('td', { class: 'num' }, fl.price === null ? h('span', { class: 'stock-warn' }, 'No price at this level') : money(fl.price, cur)),
        h('td', null, qty),
        h('td', null, h('span', { class: 'disc' }, disc, kind),
          fl.error ? h('div', { class: 'stock-warn' }, fl.error) : fl.discount ? h('div', null, h('small', { class: 'line-discount' }, '−' + money(fl.discount, cur))) : null),
        h('td', { class: 'num' }, money(fl.total, cur)),
        h('td', null, h('button', { type: 'button', class: 'link', onclick: () => { cart.lines.splice(i, 1); save(); paintCart(); find.focus(); } },
          'Remove', h('span', { class: 'visually-hidden' }, ' ' + l.item.name))));
    }) : h('tr', null, h('td', { colspan: '6', class: 'empty' }, 'No items yet: scan or search above.')));
    kindOptions(saleDiscKind, cart.sale_discount.kind);
    saleDiscShown.textContent = f.saleDiscountError || '';
    saleDiscShown.hidden = !f.saleDiscountError;
    // the lines after their discounts, then the sale's discount (the server's subtotal is
    // before any discount: the sale page shows both ways of adding up to the same total)
    subtotalCell.textContent = money(f.subtotal - f.lineDiscounts, cur);
    discountsCell.textContent = f.saleDiscount ? '−' + money(f.saleDiscount, cur) : '';
    totalCell.textContent = money(f.total, cur);
    amount.value = cart.lines.length ? toDecimalInput(f.total, cur) : '';
  }

  // Asks whether to sell past stock. Resolves true for "Sell anyway"; false
  // (the default, also Escape) puts the focus on the quantity to correct.
  function confirmOversell(err) {
    const m = /^lines\[(\d+)\]/.exec(err.field || '');
    const line = m ? cart.lines[Number(m[1])] : null;
    const fix = h('button', { type: 'button', class: 'secondary', autofocus: true }, 'Change the quantity');
    const go = h('button', { type: 'button', class: 'danger', id: 'sell-oversell' }, 'Sell anyway');
    const dialog = h('dialog', { id: 'oversell', role: 'alertdialog', 'aria-labelledby': 'oversell-title', 'aria-describedby': 'oversell-text' },
      h('h2', { id: 'oversell-title' }, 'More than in stock'),
      h('p', { id: 'oversell-text', class: 'warn-note' }, err.message, '. ',
        'Check the quantity: selling it anyway takes the outlet\'s stock below zero.'),
      h('p', { class: 'dialog-actions' }, fix, go));
    document.body.append(dialog);
    return new Promise((resolve) => {
      let answer = false;
      fix.addEventListener('click', () => dialog.close());
      go.addEventListener('click', () => { answer = true; dialog.close(); });
      dialog.addEventListener('close', () => {
        dialog.remove();
        if (!answer) {
          const qty = line && document.getElementById(`qty-${line.item_id}`);
          if (qty) { qty.focus(); qty.select(); }
          payErr.show(new Error(err.message + '. Change the quantity, or complete the sale again to sell it anyway.'));
        }
        resolve(answer);
      });
      dialog.showModal();
    });
  }

  const note = h('textarea', { id: 'sell-note', name: 'note', rows: '2', maxlength: '2000' });
  note.value = cart.note || '';
  note.addEventListener('input', () => { cart.note = note.value; save(); });

  const typeSel = h('select', { id: 'sell-paytype', name: 'payment_type_id' }, typesPage.data.map((t) => h('option', { value: String(t.id) }, t.name)));
  const amount = h('input', { id: 'sell-amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off' });
  const payErr = errorBox();
  const done = h('div', { id: 'sell-done', role: 'status' });
  const complete = h('button', { type: 'submit', id: 'sell-complete' }, 'Complete sale');
  const clear = h('button', { type: 'button', class: 'secondary', id: 'sell-clear' }, 'Clear sale');
  const payForm = h('form', { class: 'inline', 'aria-label': 'Payment' },
    h('div', { class: 'field' }, h('label', { for: 'sell-paytype' }, 'Payment type'), typeSel),
    h('div', { class: 'field' }, h('label', { for: 'sell-amount' }, 'Amount tendered'), amount),
    complete, clear, payErr);
  clear.addEventListener('click', () => {
    clearCart(userId);
    ctx.navigate('/sell', { replace: true }); // a fresh screen: customer, discounts and note empty
    announce('Sale cleared.');
  });
  payForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!cart.lines.length) { payErr.show(new Error('Add at least one item.')); find.focus(); return; }
    const cur = currency();
    const { body, figures: f } = saleBody(cart, cur);
    if (f.problem) { payErr.show(new Error(f.problem)); return; }
    const tendered = amount.value.trim() === '' ? 0 : parseMoney(amount.value, cur);
    if (tendered === null) { payErr.show(new Error('Enter the amount tendered, e.g. 20.00.')); amount.focus(); return; }
    const pay = Math.min(tendered, f.total);
    body.payments = pay > 0 ? [{ payment_type_id: Number(typeSel.value), amount: pay }] : [];
    busy(complete, payErr, async () => {
      let sale;
      try {
        sale = await api.post('/sales', body);
      } catch (err) {
        if (err.code !== 'exceeds_stock') throw err;
        // More than the outlet has: a typo must not become a sale. Only the
        // clerk's explicit confirmation sends the sale again with the override.
        if (!(await confirmOversell(err))) return;
        sale = await api.post('/sales', { ...body, allow_oversell: true });
      }
      clearCart(userId);
      const change = tendered - pay;
      replace(done, h('p', { class: 'ok-note' },
        h('a', { href: `/sales/${sale.id}`, id: 'sell-sale-link', 'data-sale': sale.id }, `Sale #${sale.id}`),
        ` recorded: ${money(sale.total, sale.currency)}`,
        sale.discount_total ? ` after ${money(sale.discount_total, sale.currency)} of discounts` : '',
        sale.customer ? ` for ${customerName(sale.customer)}` : '',
        sale.balance_due ? `, ${money(sale.balance_due, sale.currency)} still due` : ', paid',
        change > 0 ? `. Change: ${money(change, sale.currency)}` : '', '. ',
        h('a', { href: `/sales/${sale.id}/receipt${change > 0 ? '?change=' + change : ''}`, id: 'sell-receipt' }, 'Print receipt')));
      const outlet = cart.outlet_id;
      const level = cart.price_level_id;
      cart = emptyCart(outlet);
      cart.price_level_id = level;
      note.value = '';
      saleDiscValue.value = '';
      picker.set(null);
      paintCart();
      find.focus();
    });
  });

  const unpaid = h('div');
  append(ctx.root, heading('Sell'),
    restoreNotes.length ? h('div', { class: 'warn-note', id: 'sell-restored' }, restoreNotes.map((t) => h('p', null, t))) : null,
    cart.lines.length && !restoreNotes.length ? h('p', { class: 'hint', id: 'sell-restored' }, 'The sale you were making is back: complete it, or press Clear sale.') : null,
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'sell-outlet' }, 'Outlet'), outletSel),
      h('div', { class: 'field' }, h('label', { for: 'sell-register' }, 'Register'), registerSel),
      h('div', { class: 'field' }, h('label', { for: 'sell-level' }, 'Price level'), levelSel)),
    picker,
    findForm, results, cartTable,
    h('div', { class: 'field' }, h('label', { for: 'sell-note' }, 'Note (on the sale and its receipt)'), note),
    payForm, done,
    h('section', { 'aria-labelledby': 'unpaid-title' }, h('h2', { id: 'unpaid-title' }, 'Unpaid web orders'), unpaid));
  paintCart();
  find.focus();

  try {
    const open = (await api.get('/sales', { status: 'open', limit: 100 })).data.filter((s) => s.channel_id);
    replace(unpaid, open.length ? table(null, ['Order', 'Date', 'Customer', 'Due', ''], open.map((s) => h('tr', null,
      h('td', null, s.external_number || `#${s.id}`), h('td', null, dateTime(s.created_at, s.outlet_id)), h('td', null, s.customer_name || '—'),
      h('td', { class: 'num' }, money(s.balance_due, s.currency)),
      h('td', null, h('a', { href: `/sales/${s.id}#take-payment` }, 'Take payment'))))) : empty('No web orders are waiting for payment.'));
  } catch (err) {
    replace(unpaid, h('p', { class: 'error' }, err.message));
  }
}
