// One customer: contact details, addresses, what they bought in my outlets
// (completed sales, spend per currency net of refunds, last purchase), and
// their sales, newest first.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { heading, pager, table, dl, busy, errorBox, announce } from '../ui.js';
import { dateTime, money } from '../format.js';
import { fullName } from './customers.js';
import { saleRow, SALE_HEADERS, channelNames } from './sales.js';

export default async function customer(ctx) {
  const id = ctx.params[0];
  const [c, channels, bought] = await Promise.all([api.get(`/customers/${id}`), channelNames(),
    api.get(`/customers/${id}/summary`)]);
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const tbody = h('tbody');
  const p = pager(tbody, (after) => api.get(`/customers/${id}/sales`, { limit: 50, after, sort: '-id' }),
    (s) => saleRow(s, outlets, channels), { emptyText: 'No sales in your outlets.' });
  const t = table("Customer's sales", SALE_HEADERS, [], { id: 'customer-sales' });
  t.querySelector('tbody').replaceWith(tbody);
  append(ctx.root, heading(fullName(c), h('a', { href: `/customers/${c.id}/edit`, class: 'button secondary', id: 'customer-edit' }, 'Edit')),
    dl([['Email', c.email], ['Phone', c.phone], ['Company', c.company], ['Note', c.note],
      ['Completed sales', String(bought.sales)],
      ['Lifetime spend', bought.spend.length ? bought.spend.map((m) => money(m.amount, m.currency)).join(' + ') : 'Nothing yet'],
      ['Last purchase', bought.last_purchase_at ? dateTime(bought.last_purchase_at) : 'Never']]),
    (c.addresses || []).length ? h('section', null, h('h2', null, 'Addresses'),
      h('ul', null, c.addresses.map((a) => h('li', null,
        [a.name, a.line1, a.line2, a.city, a.region, a.postcode, a.country].filter(Boolean).join(', '))))) : null,
    t, p.controls, ctx.can('manager') ? mergeForm(ctx, c) : null);
  return p.start();
}

// Managers merge a duplicate (found by its email or its number) into this
// customer, after confirming whose record goes.
function mergeForm(ctx, c) {
  const input = h('input', { id: 'merge-from', name: 'from', autocomplete: 'off', placeholder: 'Email or customer #' });
  const errs = errorBox();
  const button = h('button', { type: 'submit', class: 'secondary' }, 'Merge into this customer');
  const form = h('form', { class: 'merge', 'aria-labelledby': 'merge-title' },
    h('h2', { id: 'merge-title' }, 'Merge a duplicate'),
    h('p', { class: 'hint' }, `The duplicate's sales, addresses and any details ${fullName(c)} lacks come here; the duplicate is then deleted.`),
    h('div', { class: 'field' }, h('label', { for: 'merge-from' }, 'The duplicate'), input),
    button, errs);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, errs, async () => {
      const v = input.value.trim();
      const num = /^#?(\d+)$/.exec(v);
      let dup = null;
      if (num) dup = await api.get(`/customers/${num[1]}`);
      else if (v) dup = (await api.get('/customers', { email: v, limit: 1 })).data[0];
      if (!dup) throw new Error(v ? `No customer has the email ${v}.` : 'Type the duplicate\'s email or number.');
      if (dup.id === c.id) throw new Error('That is this customer.');
      if (!confirm(`Merge ${fullName(dup)} (#${dup.id}) into ${fullName(c)}? ${fullName(dup)}'s record is deleted.`)) return;
      const kept = await api.post(`/customers/${c.id}/merge`, { from_customer_id: dup.id });
      announce(`Merged: ${kept.moved_sales} sale${kept.moved_sales === 1 ? '' : 's'} moved.`);
      ctx.navigate(`/customers/${c.id}`, { replace: true });
    });
  });
  return form;
}
