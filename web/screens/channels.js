// Channels (connected webstores): each with whether it is ready; each opens
// its settings, orders, sync log and sync status.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime } from '../format.js';
import { heading, table, badge, empty } from '../ui.js';

export default async function channels(ctx) {
  const page = await api.get('/channels', { limit: 100 });
  append(ctx.root, heading('Channels'),
    page.data.length ? table(null, ['Channel', 'Kind', 'State', 'Last poll'], page.data.map((c) => h('tr', null,
      h('td', null, h('a', { href: `/channels/${c.id}` }, c.name)), h('td', null, c.kind),
      h('td', null, c.enabled ? (c.ready ? badge('Ready', 'completed') : badge('Not ready', 'warn')) : badge('Off', 'cancelled'),
        c.not_ready_reasons && c.not_ready_reasons.length ? h('small', null, ' ', c.not_ready_reasons.join('; ')) : null),
      h('td', null, dateTime(c.last_poll_at)))), { id: 'channels' }) : empty('No webstores are connected.'));
}
