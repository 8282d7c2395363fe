// Create or edit a customer (issue 16, item 5): name, email, phone, company,
// note and their addresses (shipping or billing). The form keeps a draft as it
// is typed (drafts.js), so a reload or an expired session loses nothing; a
// duplicate email is answered in words and the email field gets the focus.
import { h, append, replace, field } from '../dom.js';
import * as api from '../api.js';
import { heading, errorBox, busy, announce } from '../ui.js';
import { clearDraft, restoreDraft } from '../drafts.js';
import { fullName } from './customers.js';

const MAX_ADDRESSES = 5; // shown at once on the form; the API allows more
const ADDRESS_FIELDS = [
  ['name', 'Name', 'name'], ['company', 'Company', 'organization'], ['line1', 'Address', 'address-line1'],
  ['line2', 'Address line 2', 'address-line2'], ['city', 'City', 'address-level2'],
  ['region', 'State or region', 'address-level1'], ['postcode', 'Postcode', 'postal-code'],
  ['country', 'Country (2 letters)', 'country'], ['phone', 'Phone', 'tel'],
];

function input(name, value, attrs = {}) {
  return h('input', { name, id: 'c-' + name, value: value ?? '', ...attrs });
}

function addressSet(i, a, onRemove) {
  const kind = h('select', { name: `a${i}_kind`, id: `c-a${i}_kind` },
    h('option', { value: 'shipping', selected: (a.kind || 'shipping') === 'shipping' }, 'Shipping'),
    h('option', { value: 'billing', selected: a.kind === 'billing' }, 'Billing'));
  const set = h('fieldset', { class: 'address', 'data-address': String(i) },
    h('legend', null, `Address ${i + 1}`),
    field('Kind', kind),
    ADDRESS_FIELDS.map(([k, label, ac]) => field(label, input(`a${i}_${k}`, a[k], {
      autocomplete: 'off', 'data-ac': ac, maxlength: k === 'country' ? '2' : '200',
    }))),
    h('button', { type: 'button', class: 'link', onclick: onRemove }, 'Remove this address'));
  return set;
}

export default async function customerEdit(ctx) {
  const id = ctx.params[0] || null;
  const c = id ? await api.get(`/customers/${id}`) : { addresses: [] };
  const title = id ? `Edit ${fullName(c)}` : 'New customer';
  const errs = errorBox();
  const save = h('button', { type: 'submit', id: 'customer-save' }, id ? 'Save changes' : 'Create customer');
  const addresses = h('div', { class: 'addresses' });
  // how many address sets the form shows: the record's, or the draft's when it has more
  const count = h('input', { type: 'number', name: 'addresses', value: String(c.addresses.length), hidden: true });
  const form = h('form', { class: 'customer-form', 'data-draft': id ? `customer-${id}` : 'customer-new', novalidate: true },
    h('div', { class: 'grid2' },
      field('First name', input('first_name', c.first_name, { autocomplete: 'off', maxlength: '100' })),
      field('Last name', input('last_name', c.last_name, { autocomplete: 'off', maxlength: '100' })),
      field('Email', input('email', c.email, { type: 'email', autocomplete: 'off', maxlength: '254' })),
      field('Phone', input('phone', c.phone, { type: 'tel', autocomplete: 'off', maxlength: '64' })),
      field('Company', input('company', c.company, { autocomplete: 'off', maxlength: '200' }))),
    field('Note', h('textarea', { name: 'note', id: 'c-note', rows: '3', maxlength: '2000' }, c.note || '')),
    h('h2', null, 'Addresses'), addresses,
    h('p', null, h('button', { type: 'button', class: 'secondary', id: 'customer-add-address', onclick: () => addAddress({}) }, 'Add an address')),
    count, h('p', { class: 'form-actions' }, save,
      h('a', { href: id ? `/customers/${id}` : '/customers', class: 'button secondary', id: 'customer-cancel' }, 'Cancel')),
    errs);

  let sets = [];
  function paint(list) {
    sets = list;
    replace(addresses, sets.length ? sets.map((a, i) => addressSet(i, a, () => {
      const now = readAddresses();
      now.splice(i, 1);
      paint(now);
      saveCount();
    })) : h('p', { class: 'empty' }, 'No address yet.'));
  }
  function saveCount() {
    count.value = String(sets.length);
    form.dispatchEvent(new Event('change', { bubbles: true })); // keeps the draft in step
  }
  function addAddress(a) {
    if (sets.length >= MAX_ADDRESSES) { errs.show(new Error(`A customer can have up to ${MAX_ADDRESSES} addresses here.`)); return; }
    paint([...readAddresses(), a]);
    saveCount();
    form.querySelector(`[name="a${sets.length - 1}_line1"]`)?.focus();
  }
  function readAddresses() {
    return sets.map((_, i) => {
      const a = { kind: form.elements[`a${i}_kind`].value };
      for (const [k] of ADDRESS_FIELDS) a[k] = form.elements[`a${i}_${k}`].value;
      return a;
    });
  }
  paint(c.addresses.map((a) => ({ ...a })));
  // a draft may hold more address sets than the record: show them before filling them in
  const wanted = Number(JSON.parse(localStorage.getItem(draftKey()) || '{"fields":{}}').fields?.addresses || 0);
  if (wanted > sets.length && wanted <= MAX_ADDRESSES) paint([...sets, ...Array.from({ length: wanted - sets.length }, () => ({}))]);
  function draftKey() {
    return `sb-draft:${ctx.user.id}:${location.pathname}:${form.dataset.draft}`;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(save, errs, async () => {
      const v = (n) => { const s = form.elements[n].value.trim(); return s === '' ? null : s; };
      const body = {
        first_name: v('first_name'), last_name: v('last_name'), email: v('email'), phone: v('phone'),
        company: v('company'), note: v('note'),
        addresses: readAddresses().map((a) => {
          const out = { kind: a.kind };
          for (const [k] of ADDRESS_FIELDS) if (a[k].trim()) out[k] = k === 'country' ? a[k].trim().toUpperCase() : a[k].trim();
          return out;
        }).filter((a) => Object.keys(a).length > 1),
      };
      if (!id && !body.first_name && !body.last_name && !body.email && !body.company) {
        form.elements.first_name.focus();
        throw new Error('Give at least a name, an email or a company.');
      }
      let saved;
      try {
        saved = id ? await api.patch(`/customers/${id}`, body) : await api.post('/customers', body);
      } catch (err) {
        const f = err.field && form.elements[err.field.replace(/^addresses\[(\d+)\]\.(\w+)$/, 'a$1_$2')];
        if (f && f.focus) f.focus();
        if (err.status === 409 && err.field === 'email') throw new Error(`Another customer already has the email ${body.email}.`);
        throw err;
      }
      clearDraft(form);
      announce(id ? 'Customer saved.' : 'Customer created.');
      ctx.navigate(`/customers/${saved.id}`, { replace: !!id });
    });
  });

  append(ctx.root, heading(title), form);
  // the app restores drafts after the screen is built; the address sets exist by then
  restoreDraft(form);
}
