// Sell: an in-store sale (outlet, register, items by SKU, barcode or search,
// quantities, payment), and the unpaid web orders waiting for a payment. A
// line over what the outlet has in stock is refused by the server
// (exceeds_stock) and sold only once the clerk confirms it.
// The cart's figures are integer sums of minor units; the server computes
// the sale itself and its answer is what is shown afterwards.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { money, parseMoney, toDecimalInput, dateTime } from '../format.js';
import { heading, errorBox, busy, announce, table, empty } from '../ui.js';

function defaultPrice(item) {
  const prices = [...(item.prices || [])].sort((a, b) => a.price_level_id - b.price_level_id);
  return prices.length ? prices[0].amount : null;
}

export default async function sell(ctx) {
  const [outletsPage, registersPage, typesPage] = await Promise.all([
    api.get('/outlets', { limit: 100 }).catch(() => ({ data: [] })),
    api.get('/registers', { limit: 100 }).catch(() => ({ data: [] })),
    api.get('/payment-types', { limit: 100 }).catch(() => ({ data: [] })),
  ]);
  const currencyOf = Object.fromEntries(outletsPage.data.map((o) => [o.id, o.currency]));
  const cart = []; // {item, quantity, price}
  const saved = localStorage.getItem('sb-sell-outlet');
  const outletSel = h('select', { id: 'sell-outlet', name: 'outlet_id' },
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: String(o.id) === saved }, o.name)));
  const registerSel = h('select', { id: 'sell-register', name: 'register_id' });
  const currency = () => currencyOf[outletSel.value] || 'USD';
  function fillRegisters() {
    const regs = registersPage.data.filter((r) => String(r.outlet_id) === outletSel.value);
    replace(registerSel, h('option', { value: '' }, 'No register'), regs.map((r) => h('option', { value: String(r.id) }, r.name)));
    if (regs.length) registerSel.value = String(regs[0].id);
  }
  outletSel.addEventListener('change', () => { localStorage.setItem('sb-sell-outlet', outletSel.value); fillRegisters(); paintCart(); });
  fillRegisters();

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
        add(items[0]);
        find.value = '';
        replace(results);
        return;
      }
      items = (await api.get('/items', { q: text, active: 'true', limit: 10 })).data;
      replace(results, items.length ? items.map((it) => h('li', null,
        h('span', null, it.name, ' ', h('small', null, it.sku || ''), ' · ', money(defaultPrice(it), currency())),
        h('button', { type: 'button', class: 'secondary', 'data-sku': it.sku, onclick: () => { add(it); replace(results); find.value = ''; find.focus(); } },
          'Add', h('span', { class: 'visually-hidden' }, ' ' + it.name)))) : h('li', { class: 'empty' }, 'No items match.'));
      announce(`${items.length} items found.`);
    });
  });

  function add(item) {
    const price = defaultPrice(item);
    if (price === null) { findErr.show(new Error(`${item.name} has no price.`)); return; }
    const line = cart.find((l) => l.item.id === item.id);
    if (line) line.quantity += 1; else cart.push({ item, quantity: 1, price });
    paintCart();
    announce(`${item.name} added.`);
  }

  const cartBody = h('tbody');
  const totalCell = h('td', { class: 'num total-line', id: 'sell-total' });
  const cartTable = h('div', { class: 'table-wrap cart' }, h('table', { id: 'cart' },
    h('caption', null, 'Sale'),
    h('thead', null, h('tr', null, ['Item', 'Unit price', 'Quantity', 'Line total', ''].map((t) => h('th', { scope: 'col' }, t)))),
    cartBody, h('tfoot', null, h('tr', null, h('td', { colspan: '3' }, 'Total'), totalCell, h('td')))));
  const total = () => cart.reduce((sum, l) => sum + l.price * l.quantity, 0);
  function paintCart() {
    const cur = currency();
    replace(cartBody, cart.length ? cart.map((l, i) => {
      const qty = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric', value: String(l.quantity), id: `qty-${l.item.id}`, 'aria-label': `Quantity of ${l.item.name}` });
      qty.addEventListener('change', () => {
        const n = Math.max(1, Math.floor(Number(qty.value) || 1));
        l.quantity = n;
        paintCart();
        document.getElementById(`qty-${l.item.id}`)?.focus();
      });
      return h('tr', { 'data-item': l.item.id },
        h('td', null, l.item.name, ' ', h('small', null, l.item.sku || '')),
        h('td', { class: 'num' }, money(l.price, cur)), h('td', null, qty),
        h('td', { class: 'num' }, money(l.price * l.quantity, cur)),
        h('td', null, h('button', { type: 'button', class: 'link', onclick: () => { cart.splice(i, 1); paintCart(); find.focus(); } },
          'Remove', h('span', { class: 'visually-hidden' }, ' ' + l.item.name))));
    }) : h('tr', null, h('td', { colspan: '5', class: 'empty' }, 'No items yet: scan or search above.')));
    totalCell.textContent = money(total(), cur);
    amount.value = cart.length ? toDecimalInput(total(), cur) : '';
  }

  // Asks whether to sell past stock. Resolves true for "Sell anyway"; false
  // (the default, also Escape) puts the focus on the quantity to correct.
  function confirmOversell(err) {
    const m = /^lines\[(\d+)\]/.exec(err.field || '');
    const line = m ? cart[Number(m[1])] : null;
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
          const qty = line && document.getElementById(`qty-${line.item.id}`);
          if (qty) { qty.focus(); qty.select(); }
          payErr.show(new Error(err.message + '. Change the quantity, or complete the sale again to sell it anyway.'));
        }
        resolve(answer);
      });
      dialog.showModal();
    });
  }

  const typeSel = h('select', { id: 'sell-paytype', name: 'payment_type_id' }, typesPage.data.map((t) => h('option', { value: String(t.id) }, t.name)));
  const amount = h('input', { id: 'sell-amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off' });
  const payErr = errorBox();
  const done = h('div', { id: 'sell-done', role: 'status' });
  const complete = h('button', { type: 'submit', id: 'sell-complete' }, 'Complete sale');
  const payForm = h('form', { class: 'inline', 'aria-label': 'Payment' },
    h('div', { class: 'field' }, h('label', { for: 'sell-paytype' }, 'Payment type'), typeSel),
    h('div', { class: 'field' }, h('label', { for: 'sell-amount' }, 'Amount tendered'), amount),
    complete, payErr);
  payForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!cart.length) { payErr.show(new Error('Add at least one item.')); find.focus(); return; }
    const cur = currency();
    const tendered = amount.value.trim() === '' ? 0 : parseMoney(amount.value, cur);
    if (tendered === null) { payErr.show(new Error('Enter the amount tendered, e.g. 20.00.')); amount.focus(); return; }
    const due = total();
    const pay = Math.min(tendered, due);
    busy(complete, payErr, async () => {
      const body = {
        outlet_id: Number(outletSel.value),
        lines: cart.map((l) => ({ item_id: l.item.id, quantity: l.quantity })),
        payments: pay > 0 ? [{ payment_type_id: Number(typeSel.value), amount: pay }] : [],
      };
      if (registerSel.value) body.register_id = Number(registerSel.value);
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
      const change = tendered - pay;
      replace(done, h('p', { class: 'ok-note' },
        h('a', { href: `/sales/${sale.id}`, id: 'sell-sale-link', 'data-sale': sale.id }, `Sale #${sale.id}`),
        ` recorded: ${money(sale.total, sale.currency)}`,
        sale.balance_due ? `, ${money(sale.balance_due, sale.currency)} still due` : ', paid',
        change > 0 ? `. Change: ${money(change, sale.currency)}` : '', '.'));
      cart.length = 0;
      paintCart();
      find.focus();
    });
  });

  const unpaid = h('div');
  append(ctx.root, heading('Sell'),
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'sell-outlet' }, 'Outlet'), outletSel),
      h('div', { class: 'field' }, h('label', { for: 'sell-register' }, 'Register'), registerSel)),
    findForm, results, cartTable, payForm, done,
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
