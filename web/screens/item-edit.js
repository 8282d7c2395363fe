// Create or edit an item (managers, issue 16 item 1): its name and codes, costs,
// tax class, whether it keeps stock, whether it is for sale, and a price per
// price level. Errors come back in words on the field they concern.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { parseMoney, toDecimalInput } from '../format.js';
import { heading, busy, errorBox } from '../ui.js';
import { itemCurrency } from './items.js';

export default async function itemEdit(ctx) {
  const id = ctx.params[0] || null;
  const currency = itemCurrency(ctx.user);
  const [it, levels] = await Promise.all([id ? api.get(`/items/${id}`) : null, api.get('/price-levels', { limit: 200 })]);
  const priceOf = (lid) => ((it && it.prices) || []).find((p) => p.price_level_id === lid);
  const inputs = {};
  const text = (name, label, attrs = {}, hint) => {
    const input = h(attrs.multiline ? 'textarea' : 'input', { id: `item-${name}`, name, autocomplete: 'off',
      value: it && it[name] !== null && it[name] !== undefined ? String(it[name]) : '', ...attrs, multiline: undefined });
    if (attrs.multiline) input.value = it && it[name] ? it[name] : '';
    inputs[name] = input;
    return h('div', { class: 'field' }, h('label', { for: input.id }, label), input,
      hint ? h('small', { class: 'hint' }, hint) : null);
  };
  const moneyField = (name, label, minor) => {
    const input = h('input', { id: `item-${name}`, name, inputmode: 'decimal', autocomplete: 'off',
      value: minor === null || minor === undefined ? '' : toDecimalInput(minor, currency) });
    inputs[name] = input;
    return h('div', { class: 'field' }, h('label', { for: input.id }, `${label} (${currency})`), input);
  };
  const check = (name, label, on) => {
    const input = h('input', { type: 'checkbox', id: `item-${name}`, name, checked: on });
    inputs[name] = input;
    return h('div', { class: 'check' }, input, h('label', { for: input.id }, label));
  };
  const priceInputs = levels.data.map((l) => {
    const p = priceOf(l.id);
    const input = h('input', { id: `item-price-${l.id}`, name: `price-${l.id}`, inputmode: 'decimal', autocomplete: 'off',
      'data-level': l.id, value: p ? toDecimalInput(p.amount, currency) : '' });
    return [l, input];
  });
  const errs = errorBox();
  const button = h('button', { type: 'submit' }, id ? 'Save item' : 'Create item');
  const form = h('form', { class: 'item-form', 'aria-labelledby': 'item-form-title', novalidate: true },
    h('div', { class: 'grid2' },
      h('div', null,
        text('name', 'Name', { required: true, maxlength: 200 }),
        text('sku', 'SKU', { required: true, maxlength: 64 }, 'Unique; no spaces.'),
        text('upc', 'UPC', { inputmode: 'numeric', maxlength: 12 }, '12 digits, with its check digit.'),
        text('ean', 'EAN', { inputmode: 'numeric', maxlength: 13 }, '13 digits, with its check digit.'),
        text('manufacturer_sku', 'Maker’s code', { maxlength: 64 }),
        text('description', 'Description', { multiline: true, rows: 3, maxlength: 4000 })),
      h('div', null,
        h('fieldset', null, h('legend', null, 'Prices'),
          priceInputs.length ? priceInputs.map(([l, input]) =>
            h('div', { class: 'field' }, h('label', { for: input.id }, `${l.name} (${currency})`), input))
            : h('p', { class: 'hint' }, 'No price levels yet.')),
        moneyField('default_cost', 'Cost', it ? it.default_cost : null),
        moneyField('msrp', 'MSRP', it ? it.msrp : null),
        text('tax_class', 'Tax class', { maxlength: 64, value: it ? it.tax_class : 'standard' }),
        check('track_stock', 'Keep stock of this item', it ? it.track_stock : true),
        check('active', 'For sale (active)', it ? it.active : true))),
    button, ' ', h('a', { href: id ? `/items/${id}` : '/items' }, 'Cancel'), errs);

  const markField = (field) => {
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    if (!field) return;
    const m = /^prices\[(\d+)\]/.exec(field);
    const el = m ? (priceInputs[Number(m[1])] || [])[1] : inputs[field];
    if (el) { el.setAttribute('aria-invalid', 'true'); el.focus(); }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, errs, async () => {
      markField(null);
      const body = {};
      const fail = (field, msg) => { const err = new Error(msg); err.field = field; markField(field); throw err; };
      for (const k of ['name', 'sku']) {
        const v = inputs[k].value.trim();
        if (!v) fail(k, k === 'sku' ? 'Give the item a SKU.' : 'Give the item a name.');
        body[k] = v;
      }
      for (const k of ['upc', 'ean', 'manufacturer_sku', 'description']) {
        const v = inputs[k].value.trim();
        if (v) body[k] = v; else if (id) body[k] = null;
      }
      body.tax_class = inputs.tax_class.value.trim() || 'standard';
      for (const [k, label] of [['default_cost', 'The cost'], ['msrp', 'The MSRP']]) {
        const v = inputs[k].value.trim();
        if (!v) { body[k] = 0; continue; }
        const minor = parseMoney(v, currency);
        if (minor === null) fail(k, `${label} must be an amount such as 12.50.`);
        body[k] = minor;
      }
      body.prices = [];
      for (const [l, input] of priceInputs) {
        const v = input.value.trim();
        if (!v) continue;
        const minor = parseMoney(v, currency);
        if (minor === null) {
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          throw new Error(`The ${l.name} price must be an amount such as 12.50.`);
        }
        body.prices.push({ price_level_id: l.id, amount: minor });
      }
      body.track_stock = inputs.track_stock.checked;
      body.active = inputs.active.checked;
      try {
        const saved = id ? await api.patch(`/items/${id}`, body) : await api.post('/items', body);
        ctx.navigate(`/items/${saved.id}`, { replace: !id });
      } catch (err) {
        // the price errors name prices[i] of what was sent: point at that level's input
        if (err.field && /^prices\[(\d+)\]/.test(err.field)) {
          const sent = body.prices[Number(/^prices\[(\d+)\]/.exec(err.field)[1])];
          const hit = sent && priceInputs.find(([l]) => l.id === sent.price_level_id);
          if (hit) { hit[1].setAttribute('aria-invalid', 'true'); hit[1].focus(); }
        } else {
          markField(err.field);
        }
        throw err;
      }
    });
  });
  append(ctx.root, heading(id ? `Edit ${it.name}` : 'New item'), h('h2', { id: 'item-form-title', class: 'visually-hidden' }, 'Item details'), form);
}
