// One customer: contact details, addresses, what they bought in my outlets
// (completed sales, spend per currency net of refunds, last purchase), and
// their sales, newest first.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { heading, pager, table, dl } from '../ui.js';
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
  append(ctx.root, heading(fullName(c)),
    dl([['Email', c.email], ['Phone', c.phone], ['Company', c.company], ['Note', c.note],
      ['Completed sales', String(bought.sales)],
      ['Lifetime spend', bought.spend.length ? bought.spend.map((m) => money(m.amount, m.currency)).join(' + ') : 'Nothing yet'],
      ['Last purchase', bought.last_purchase_at ? dateTime(bought.last_purchase_at) : 'Never']]),
    (c.addresses || []).length ? h('section', null, h('h2', null, 'Addresses'),
      h('ul', null, c.addresses.map((a) => h('li', null,
        [a.name, a.line1, a.line2, a.city, a.region, a.postcode, a.country].filter(Boolean).join(', '))))) : null,
    t, p.controls);
  return p.start();
}
