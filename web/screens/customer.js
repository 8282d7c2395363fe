// One customer: contact details, addresses, and their sales in my outlets.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { heading, pager, table, dl } from '../ui.js';
import { fullName } from './customers.js';
import { saleRow, SALE_HEADERS, channelNames } from './sales.js';

export default async function customer(ctx) {
  const id = ctx.params[0];
  const [c, channels] = await Promise.all([api.get(`/customers/${id}`), channelNames()]);
  const outlets = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const tbody = h('tbody');
  const p = pager(tbody, (after) => api.get(`/customers/${id}/sales`, { limit: 50, after }),
    (s) => saleRow(s, outlets, channels), { emptyText: 'No sales in your outlets.' });
  const t = table("Customer's sales", SALE_HEADERS, [], { id: 'customer-sales' });
  t.querySelector('tbody').replaceWith(tbody);
  append(ctx.root, heading(fullName(c)),
    dl([['Email', c.email], ['Phone', c.phone], ['Company', c.company], ['Note', c.note]]),
    (c.addresses || []).length ? h('section', null, h('h2', null, 'Addresses'),
      h('ul', null, c.addresses.map((a) => h('li', null,
        [a.name, a.line1, a.line2, a.city, a.region, a.postcode, a.country].filter(Boolean).join(', '))))) : null,
    t, p.controls);
  return p.start();
}
