// The Sell screen's cart as data: what it holds, its figures, and where it is
// kept between visits. Figures are integers of minor units computed the way
// the server computes a sale (core/sale.c, sb_sale_compute): a line is worth
// quantity × unit price, its discount is at most that, the sale's discounts
// come off after the lines' and the total never goes below zero. The till
// adds no taxes. A percentage becomes an amount here, rounded half up to the
// minor unit, and it is that amount the server is sent.
//
// The cart is kept in localStorage under a key that names the signed-in user
// (issue 16 item 7: it survives navigation, reload and a session that expired),
// and cleared when the sale completes or the clerk clears it. Only what the
// clerk chose is kept: item ids, quantities, discounts as typed, the customer,
// level, outlet, register and note. Prices never come from storage: on restore
// every item is read again from the API (FORMAT is the stored shape's version;
// another version is dropped rather than misread).
import { parseMoney } from '../format.js';

export const FORMAT = 2;
const key = (userId) => `sb-cart:${userId}`;

export function emptyCart(outletId) {
  return {
    v: FORMAT, outlet_id: outletId, register_id: null, price_level_id: null, customer: null, note: '',
    sale_discount: { kind: 'amount', value: '' }, lines: [],
  };
}

export function loadCart(userId) {
  try {
    const raw = localStorage.getItem(key(userId));
    if (!raw) return null;
    const c = JSON.parse(raw);
    if (!c || c.v !== FORMAT || !Array.isArray(c.lines)) return null;
    c.lines = c.lines.filter((l) => Number.isSafeInteger(l.item_id) && Number.isSafeInteger(l.quantity) && l.quantity > 0);
    return c;
  } catch {
    return null;
  }
}

// What is kept: the cart less the items read from the API (l.item).
export function saveCart(userId, cart) {
  const stored = { ...cart, lines: cart.lines.map(({ item, ...rest }) => rest) };
  try { localStorage.setItem(key(userId), JSON.stringify(stored)); } catch { /* storage full or off: the cart lives on in the page */ }
}

export function clearCart(userId) {
  try { localStorage.removeItem(key(userId)); } catch { /* nothing kept */ }
}

// The item's price at a level; null when it has none there.
export function priceAt(item, levelId) {
  const p = (item.prices || []).find((x) => x.price_level_id === levelId);
  return p ? p.amount : null;
}

// "12.5" -> 1250 hundredths of a percent; 0..100 with at most two decimals, else null.
export function parsePercent(text) {
  const m = /^\s*(\d{1,3})(?:[.,](\d{0,2}))?\s*%?\s*$/.exec(String(text));
  if (!m) return null;
  const v = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
  return v <= 10000 ? v : null;
}

// bp hundredths of a percent of base, rounded half up to the minor unit (BigInt: base × bp
// may pass 2^53 where the result does not).
export function percentOf(base, bp) {
  return Number((BigInt(base) * BigInt(bp) + 5000n) / 10000n);
}

// A discount as typed ({kind, value}) on base: {amount} or {error} (a sentence), or
// {amount: 0} when nothing is typed.
export function discountAmount(d, base, currency) {
  const text = d && d.value !== undefined ? String(d.value).trim() : '';
  if (!text) return { amount: 0 };
  if (d.kind === 'percent') {
    const bp = parsePercent(text);
    if (bp === null) return { error: 'a percentage from 0 to 100, e.g. 10 or 12.5' };
    return { amount: percentOf(base, bp) };
  }
  const v = parseMoney(text, currency);
  if (v === null) return { error: 'an amount, e.g. 2.50' };
  if (v > base) return { error: 'more than it is worth' };
  return { amount: v };
}

// Every figure of the cart: per line {price, gross, discount, total, error}, and the
// subtotal, line discounts, sale discount, total and the first problem (a sentence) that
// keeps the sale from being completed.
export function figures(cart, currency) {
  let subtotal = 0;
  let lineDiscounts = 0;
  let problem = null;
  const lines = cart.lines.map((l) => {
    const price = l.item ? priceAt(l.item, cart.price_level_id) : null;
    if (price === null) {
      problem = problem || `${l.item ? l.item.name : 'An item'} has no price at this price level.`;
      return { price: null, gross: 0, discount: 0, total: 0, error: 'no price at this level' };
    }
    const gross = price * l.quantity;
    const d = discountAmount(l.discount, gross, currency);
    if (d.error) problem = problem || `The discount on ${l.item.name}: ${d.error}.`;
    const discount = d.error ? 0 : d.amount;
    subtotal += gross;
    lineDiscounts += discount;
    return { price, gross, discount, total: gross - discount, error: d.error || null };
  });
  const base = subtotal - lineDiscounts;
  const sd = discountAmount(cart.sale_discount, base, currency);
  if (sd.error) problem = problem || `The sale discount: ${sd.error}.`;
  const saleDiscount = sd.error ? 0 : sd.amount;
  return {
    lines, subtotal, lineDiscounts, saleDiscount, saleDiscountError: sd.error || null,
    total: base - saleDiscount, problem,
  };
}

// The name of the sale's discount row: "Sale discount" or "Sale discount 10%".
export function saleDiscountName(d) {
  if (d.kind !== 'percent') return 'Sale discount';
  const bp = parsePercent(d.value);
  const pct = bp % 100 ? (bp / 100).toFixed(2).replace(/0$/, '') : String(bp / 100);
  return `Sale discount ${pct}%`;
}

// The body of POST /sales for the cart (payments added by the caller).
export function saleBody(cart, currency) {
  const f = figures(cart, currency);
  const body = {
    outlet_id: Number(cart.outlet_id),
    lines: cart.lines.map((l, i) => {
      const line = { item_id: l.item_id, quantity: l.quantity };
      if (f.lines[i].discount > 0) line.line_discount = f.lines[i].discount;
      return line;
    }),
  };
  if (cart.register_id) body.register_id = Number(cart.register_id);
  if (cart.price_level_id) body.price_level_id = cart.price_level_id;
  if (cart.customer) body.customer_id = cart.customer.id;
  if (cart.note && cart.note.trim()) body.note = cart.note.trim();
  if (f.saleDiscount > 0) body.discounts = [{ name: saleDiscountName(cart.sale_discount), amount: f.saleDiscount }];
  return { body, figures: f };
}

// A customer's name as every screen shows it; no customer is a walk-in.
export function customerName(c) {
  if (!c) return 'Walk-in';
  return [c.first_name, c.last_name].filter(Boolean).join(' ') || c.company || c.email || c.phone || `Customer ${c.id}`;
}
