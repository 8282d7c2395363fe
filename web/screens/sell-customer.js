// The Sell screen's customer: walk-in until the clerk finds one (by name,
// email or phone: GET /customers?q=) or creates one in place (POST
// /customers). onChange(customer or null) is told of every choice; the
// customer is kept as {id, name} in the cart.
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { errorBox, busy, announce } from '../ui.js';
import { customerName } from './sell-cart.js';

export function customerPicker(initial, onChange) {
  let current = initial;
  const name = h('strong', { id: 'sell-customer-name' });
  const remove = h('button', { type: 'button', class: 'link', id: 'sell-customer-remove' }, 'Make it a walk-in sale');
  const q = h('input', { id: 'sell-customer-q', name: 'q', type: 'search', autocomplete: 'off', placeholder: 'Name, email or phone', maxlength: '200' });
  const findBtn = h('button', { type: 'submit', class: 'secondary' }, 'Find customer');
  const newBtn = h('button', { type: 'button', class: 'secondary', id: 'sell-customer-new', 'aria-expanded': 'false', 'aria-controls': 'sell-new-customer' }, 'New customer');
  const err = errorBox();
  const results = h('ul', { class: 'results', id: 'sell-customer-results', 'aria-label': 'Matching customers' });
  const findForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Find a customer' },
    h('div', { class: 'field' }, h('label', { for: 'sell-customer-q' }, 'Find customer'), q), findBtn, newBtn, err);

  function show() {
    name.textContent = current ? current.name : 'Walk-in';
    remove.hidden = !current;
  }
  function choose(c) {
    current = c ? { id: c.id, name: customerName(c) } : null;
    show();
    replace(results);
    onChange(current);
    announce(current ? `Customer: ${current.name}.` : 'Walk-in sale.');
  }
  remove.addEventListener('click', () => { choose(null); q.focus(); });

  findForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = q.value.trim();
    if (!text) { err.show(new Error('Type a name, email or phone number to find.')); q.focus(); return; }
    busy(findBtn, err, async () => {
      const found = (await api.get('/customers', { q: text, limit: 10 })).data;
      replace(results, found.length ? found.map((c) => h('li', null,
        h('span', null, customerName(c), ' ', h('small', null, [c.email, c.phone].filter(Boolean).join(' · '))),
        h('button', { type: 'button', class: 'secondary', 'data-customer': String(c.id), onclick: () => { choose(c); q.value = ''; } },
          'Choose', h('span', { class: 'visually-hidden' }, ' ' + customerName(c)))))
        : h('li', { class: 'empty' }, 'No customer matches: create one with New customer.'));
      announce(`${found.length} customers found.`);
    });
  });

  // the inline "New customer" form
  const input = (id, label, attrs = {}) => {
    const el = h('input', { id, name: id.replace('sell-new-', ''), autocomplete: 'off', maxlength: '100', ...attrs });
    return [el, h('div', { class: 'field' }, h('label', { for: id }, label), el)];
  };
  const [first, firstField] = input('sell-new-first_name', 'First name');
  const [last, lastField] = input('sell-new-last_name', 'Last name');
  const [email, emailField] = input('sell-new-email', 'Email', { type: 'email', maxlength: '254' });
  const [phone, phoneField] = input('sell-new-phone', 'Phone', { type: 'tel', maxlength: '64' });
  const saveBtn = h('button', { type: 'submit' }, 'Save customer');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const newErr = errorBox();
  const newForm = h('form', { class: 'inline', id: 'sell-new-customer', 'aria-label': 'New customer', hidden: true },
    firstField, lastField, emailField, phoneField, saveBtn, cancel, newErr);
  function toggleNew(open) {
    newForm.hidden = !open;
    newBtn.setAttribute('aria-expanded', String(open));
    if (open) first.focus(); else newBtn.focus();
  }
  newBtn.addEventListener('click', () => toggleNew(newForm.hidden));
  cancel.addEventListener('click', () => toggleNew(false));
  newForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = {};
    for (const [k, el] of [['first_name', first], ['last_name', last], ['email', email], ['phone', phone]])
      if (el.value.trim()) body[k] = el.value.trim();
    if (!body.first_name && !body.last_name && !body.email) {
      newErr.show(new Error('Give the customer a name or an email address.'));
      first.focus();
      return;
    }
    busy(saveBtn, newErr, async () => {
      const c = await api.post('/customers', body);
      for (const el of [first, last, email, phone]) el.value = '';
      newForm.hidden = true;
      newBtn.setAttribute('aria-expanded', 'false');
      choose(c);
    });
  });

  show();
  const box = h('fieldset', { id: 'sell-customer' }, h('legend', null, 'Customer'),
    h('p', null, 'Customer: ', name, ' ', remove), findForm, results, newForm);
  box.set = (c) => { current = c; show(); }; // a new sale: back to walk-in
  return box;
}
