// Every notification of my outlets, newest first; each opens its fulfillment.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime } from '../format.js';
import { heading, pager, errorBox, busy } from '../ui.js';

export default function notifications(ctx) {
  const unreadOnly = ctx.query.get('unread') === 'true';
  const list = h('ul', { class: 'notes cards', id: 'notifications' });
  const err = errorBox();
  const readAll = h('button', { type: 'button', class: 'secondary' }, 'Mark all read');
  readAll.addEventListener('click', () => busy(readAll, err, async () => {
    await api.post('/notifications/read-all');
    ctx.navigate(location.pathname + location.search, { replace: true });
  }));
  async function open(n) {
    if (!n.read) { try { await api.post(`/notifications/${n.id}/read`); } catch { /* open anyway */ } }
    ctx.navigate(n.fulfillment_id ? `/fulfillments/${n.fulfillment_id}` : `/sales/${n.sale_id}`);
  }
  const p = pager(list, (after) => api.get('/notifications', { unread: unreadOnly ? 'true' : '', limit: 25, after }), (n) =>
    h('li', { class: 'card ' + (n.read ? 'read' : 'unread') },
      h('button', { type: 'button', class: 'note', 'data-notification': n.id, onclick: () => open(n) },
        h('strong', null, n.title, n.read ? '' : ' (unread)'), n.body ? h('span', null, n.body) : null,
        h('time', { datetime: n.created_at }, dateTime(n.created_at, n.outlet_id)))), { emptyText: 'No notifications.' });
  append(ctx.root, heading('Notifications', readAll),
    h('nav', { class: 'tabs', 'aria-label': 'Which notifications' },
      h('a', { href: '/notifications', 'aria-current': unreadOnly ? null : 'page' }, 'All'),
      h('a', { href: '/notifications?unread=true', 'aria-current': unreadOnly ? 'page' : null }, 'Unread')),
    err, list, p.controls);
  return p.start();
}
