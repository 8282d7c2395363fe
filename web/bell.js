// The notifications bell: the unread count and a panel of the latest ones,
// each opening its fulfillment (the API only returns notifications of the
// user's outlets, N2). The count changes the moment an order lands: the bell
// listens to GET /api/v1/notifications/stream (Server-Sent Events, with the
// session cookie) and reads the list again on each event. When the stream
// fails the bell says so ("Can't reach the server — retrying") and keeps
// trying by itself; polling every 5 s only where EventSource is missing.
import { h, svg, replace } from './dom.js';
import * as api from './api.js';
import { dateTime } from './format.js';
import { message } from './ui.js';

const POLL_MS = 5000;
const RETRY_MS = [3000, 6000, 15000, 30000]; // when the browser gives a stream up itself
const OFFLINE = 'Can\u2019t reach the server \u2014 retrying';
let timer = null;
let running = false;
let state = null;
let source = null;

function bellIcon() {
  return svg('svg', { viewBox: '0 0 24 24', width: '20', height: '20', 'aria-hidden': 'true', focusable: 'false', class: 'bell-icon' },
    svg('path', { fill: 'currentColor', d: 'M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z' }));
}

export function stopBell() {
  running = false;
  clearTimeout(timer);
  timer = null;
  if (source) source.close();
  source = null;
  if (state) {
    document.removeEventListener('keydown', state.onKey);
    document.removeEventListener('click', state.onDoc);
  }
  state = null;
}

export function startBell(slot, navigate) {
  stopBell();
  running = true;
  const count = h('span', { class: 'bell-count', id: 'bell-count', 'aria-live': 'polite', 'aria-atomic': 'true' }, '');
  const button = h('button', {
    type: 'button', class: 'bell', id: 'bell', 'aria-haspopup': 'true', 'aria-expanded': 'false',
    'aria-controls': 'bell-panel',
  }, bellIcon(), h('span', { class: 'visually-hidden' }, 'Notifications'), count);
  const list = h('ul', { class: 'bell-list' });
  const err = h('p', { class: 'error', role: 'alert' });
  const status = h('span', { class: 'bell-status', id: 'bell-status', role: 'status', 'aria-live': 'polite' }, '');
  const panel = h('div', { class: 'bell-panel', id: 'bell-panel', hidden: true, role: 'region', 'aria-label': 'Notifications' },
    h('div', { class: 'bell-head' },
      h('h2', null, 'Notifications'),
      h('button', { type: 'button', class: 'link', onclick: readAll }, 'Mark all read')),
    err, list,
    h('p', null, h('a', { href: '/notifications', onclick: () => toggle(false) }, 'All notifications')));
  replace(slot, status, button, panel);
  state = { onKey, onDoc };
  document.addEventListener('keydown', onKey);
  document.addEventListener('click', onDoc);

  function onDoc(e) {
    if (!panel.hidden && !slot.contains(e.target)) toggle(false);
  }

  function onKey(e) {
    if (e.key === 'Escape' && !panel.hidden) { toggle(false); button.focus(); }
  }

  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) { refresh(); const first = panel.querySelector('button, a'); if (first) first.focus(); }
  }
  button.addEventListener('click', () => toggle(panel.hidden));

  async function open(n) {
    toggle(false);
    if (!n.read) {
      try { await api.post(`/notifications/${n.id}/read`); } catch { /* still open it */ }
    }
    if (n.fulfillment_id) navigate(`/fulfillments/${n.fulfillment_id}`);
    else if (n.sale_id) navigate(`/sales/${n.sale_id}`);
    refresh();
  }

  async function readAll() {
    try { await api.post('/notifications/read-all'); err.textContent = ''; } catch (e) { err.textContent = message(e); }
    refresh();
  }

  function render(page) {
    const n = page.unread_count || 0;
    count.textContent = n ? String(n) : '';
    count.hidden = !n;
    button.setAttribute('aria-label', n ? `Notifications, ${n} unread` : 'Notifications, none unread');
    if (panel.hidden) return;
    replace(list, page.data.length ? page.data.map((note) =>
      h('li', { class: note.read ? 'read' : 'unread' },
        h('button', { type: 'button', class: 'note', 'data-notification': note.id, onclick: () => open(note) },
          h('strong', null, note.title), note.body ? h('span', null, note.body) : null,
          h('time', { datetime: note.created_at }, dateTime(note.created_at, note.outlet_id)),
          note.read ? null : h('span', { class: 'visually-hidden' }, ' (unread)'))))
      : h('li', { class: 'empty' }, 'No notifications yet.'));
  }

  function offline(down) {
    status.textContent = down ? OFFLINE : '';
    slot.classList.toggle('offline', down);
  }

  // Reads the list and the count; a burst of events costs one read at a time.
  let reading = false;
  let again = false;
  async function refresh() {
    if (reading) { again = true; return; }
    reading = true;
    try {
      const page = await api.get('/notifications', { limit: 10 });
      if (!running) return;
      err.textContent = '';
      render(page);
    } catch (e) {
      if (!running) return;
      err.textContent = message(e);
    } finally {
      reading = false;
      if (again && running) { again = false; refresh(); }
    }
  }

  // Without EventSource: the list every POLL_MS.
  async function poll() {
    clearTimeout(timer);
    if (!running) return;
    await refresh();
    if (running && !source) timer = setTimeout(poll, POLL_MS);
  }

  let failures = 0;
  function listen() {
    clearTimeout(timer);
    if (!running) return;
    const es = new EventSource('/api/v1/notifications/stream');
    source = es;
    es.addEventListener('open', () => {
      if (source !== es) return;
      failures = 0;
      offline(false);
      refresh(); // what came while it was down
    });
    es.addEventListener('notification', () => { if (source === es) refresh(); });
    es.addEventListener('error', () => {
      if (source !== es || !running) return;
      offline(true);
      // CONNECTING: the browser retries by itself (after the stream's retry: delay);
      // CLOSED (an answer that is no stream: 503, 401...): we try again, backing off
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        timer = setTimeout(listen, RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]);
      }
    });
  }

  if (typeof EventSource === 'function') {
    refresh();
    listen();
  } else {
    poll();
  }
}
