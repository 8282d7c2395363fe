// Customers: search by name, email, phone or company; each opens its page.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { heading, pager, table } from '../ui.js';

export const fullName = (c) => [c.first_name, c.last_name].filter(Boolean).join(' ') || c.company || c.email || `Customer #${c.id}`;

export default function customers(ctx) {
  const q = ctx.query.get('q') || '';
  const input = h('input', { type: 'search', id: 'cust-q', name: 'q', value: q, placeholder: 'Name, email, phone or company' });
  const form = h('form', { class: 'filters', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'cust-q' }, 'Search customers'), input),
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate('/customers' + (input.value.trim() ? '?q=' + encodeURIComponent(input.value.trim()) : ''));
  });
  const tbody = h('tbody');
  const p = pager(tbody, (after) => api.get('/customers', { q, limit: 50, after }), (c) => h('tr', null,
    h('td', null, h('a', { href: `/customers/${c.id}` }, fullName(c))),
    h('td', null, c.company || '—'), h('td', null, c.email || '—'), h('td', null, c.phone || '—')),
  { emptyText: 'No customers match.' });
  const t = table(null, ['Name', 'Company', 'Email', 'Phone'], [], { id: 'customers' });
  t.querySelector('tbody').replaceWith(tbody);
  append(ctx.root, heading('Customers', h('a', { href: '/customers/new', class: 'button', id: 'customer-new' }, 'New customer')), form, t, p.controls);
  return p.start();
}
