// One channel: its settings as toggles (admins change them; PATCH merges the
// settings name by name), the orders it has seen with their state and
// reason, the sync log, and the stock sync status with parked changes.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label, money } from '../format.js';
import { heading, table, badge, pager, errorBox, announce, dl, empty } from '../ui.js';

const TOGGLES = [
  ['download_orders', 'Download web orders'],
  ['notifications', 'Notify staff of new orders'],
  ['auto_fulfillment', 'Fulfil on the webstore when shipped here'],
  ['take_fulfillments', 'Mark shipped here when fulfilled on the webstore'],
  ['stock_sync', 'Send stock levels'],
  ['use_pos_pricing', 'Send prices from the POS'],
  ['publish_on_hand', 'Publish items with stock on hand'],
  ['publish_on_order', 'Publish items on order'],
  ['publish_reorder', 'Publish items with a reorder point'],
];

export default async function channel(ctx) {
  const id = ctx.params[0];
  const tab = ctx.query.get('tab') || 'settings';
  const c = await api.get(`/channels/${id}`);
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Channel sections' },
    [['settings', 'Settings'], ['orders', 'Orders'], ['log', 'Sync log'], ['sync', 'Sync status']].map(([k, t]) =>
      h('a', { href: `/channels/${id}?tab=${k}`, 'aria-current': tab === k ? 'page' : null }, t)));
  const body = h('div');
  append(ctx.root, heading(c.name, h('p', null, c.enabled ? (c.ready ? badge('Ready', 'completed') : badge('Not ready', 'warn')) : badge('Off', 'cancelled'))), tabs, body);
  if (tab === 'settings') return settings(c, body, ctx);
  if (tab === 'orders') return orders(c, body, ctx);
  if (tab === 'log') return log(c, body);
  return sync(c, body);
}

function settings(c, body, ctx) {
  const err = errorBox();
  const admin = ctx.can('admin');
  const names = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  async function save(change, input, undo) {
    input.disabled = true;
    err.show(null);
    try {
      const updated = await api.patch(`/channels/${c.id}`, change);
      Object.assign(c, updated);
      announce('Saved.');
    } catch (e) {
      undo();
      err.show(e);
    } finally {
      input.disabled = !admin;
    }
  }
  const toggle = (key, text, value, change) => {
    const box = h('input', { type: 'checkbox', id: `set-${key}`, name: key, checked: !!value, disabled: !admin });
    box.addEventListener('change', () => save(change(box.checked), box, () => { box.checked = !box.checked; }));
    return h('div', { class: 'check' }, box, h('label', { for: `set-${key}` }, text));
  };
  const poll = h('input', { type: 'number', id: 'set-poll', min: '1', step: '1', value: String(c.settings.poll_interval_seconds ?? ''), disabled: !admin });
  poll.addEventListener('change', () => {
    const before = c.settings.poll_interval_seconds;
    save({ settings: { poll_interval_seconds: Number(poll.value) } }, poll, () => { poll.value = String(before); });
  });
  replace(body,
    admin ? null : h('p', { class: 'hint' }, 'Only an admin can change these settings.'),
    err,
    h('fieldset', null, h('legend', null, 'Channel'),
      toggle('enabled', 'Channel on', c.enabled, (v) => ({ enabled: v })),
      TOGGLES.map(([k, t]) => toggle(k, t, c.settings[k], (v) => ({ settings: { [k]: v } }))),
      h('div', { class: 'field' }, h('label', { for: 'set-poll' }, 'Poll for missed orders every (seconds)'), poll)),
    dl([
      ['Kind', c.kind], ['Credentials', c.has_credentials ? 'Stored' : 'None'],
      ['Default outlet', c.default_outlet_id ? names[c.default_outlet_id] || `Outlet ${c.default_outlet_id}` : '—'],
      ['Outlets (priority)', (c.outlets || []).map((o) => `${o.priority}. ${names[o.outlet_id] || 'Outlet ' + o.outlet_id}`).join(', ')],
      ['Pickup methods', (c.methods || []).map((m) => m.method).join(', ')],
      ['Last poll', dateTime(c.last_poll_at)], ['Webhook path', c.webhook_path],
      c.not_ready_reasons && c.not_ready_reasons.length ? ['Not ready because', c.not_ready_reasons.join('; ')] : null,
    ]));
}

function orders(c, body, ctx) {
  const state = ctx.query.get('state') || '';
  const sel = h('select', { id: 'co-state' }, h('option', { value: '' }, 'Any state'),
    ['downloaded', 'waiting', 'skipped'].map((s) => h('option', { value: s, selected: s === state }, label(s))));
  const form = h('form', { class: 'filters' }, h('div', { class: 'field' }, h('label', { for: 'co-state' }, 'State'), sel), h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => { e.preventDefault(); ctx.navigate(`/channels/${c.id}?tab=orders${sel.value ? '&state=' + sel.value : ''}`); });
  const tbody = h('tbody');
  const p = pager(tbody, (after) => api.get(`/channels/${c.id}/orders`, { state, limit: 50, after }), (o) => h('tr', null,
    h('td', null, o.number || o.external_id), h('td', null, badge(label(o.state), o.state), o.cancelled ? badge('Cancelled', 'cancelled') : null),
    h('td', null, o.reason || '—'), h('td', null, `${o.financial_status || '—'} / ${o.fulfillment_status || '—'}`),
    h('td', { class: 'num' }, o.total === null || o.total === undefined ? '—' : money(o.total, o.currency)),
    h('td', null, o.sale_id ? h('a', { href: `/sales/${o.sale_id}` }, `Sale #${o.sale_id}`) : '—'),
    h('td', null, dateTime(o.first_seen_at))), { emptyText: 'No orders seen yet.' });
  const t = table('Orders seen', ['Order', 'State', 'Reason', 'Payment / fulfilment', 'Total', 'Sale', 'First seen'], [], { id: 'channel-orders' });
  t.querySelector('tbody').replaceWith(tbody);
  replace(body, form, t, p.controls);
  return p.start();
}

function log(c, body) {
  const tbody = h('tbody');
  const p = pager(tbody, (after) => api.get(`/channels/${c.id}/log`, { limit: 50, after }), (r) => h('tr', null,
    h('td', null, dateTime(r.created_at)), h('td', null, badge(r.level, r.level === 'error' ? 'cancelled' : r.level === 'warn' ? 'warn' : '')),
    h('td', null, r.event), h('td', null, r.message)), { emptyText: 'Nothing logged yet.' });
  const t = table('Sync log, newest first', ['When', 'Level', 'Event', 'What happened'], [], { id: 'channel-log' });
  t.querySelector('tbody').replaceWith(tbody);
  replace(body, t, p.controls);
  return p.start();
}

async function sync(c, body) {
  const s = await api.get(`/channels/${c.id}/sync-status`);
  const q = s.queue || {};
  const r = s.last_reconcile;
  replace(body,
    h('div', { class: 'grid2' },
      h('section', null, h('h2', null, 'Stock changes'), dl([
        ['Waiting to send', q.queued ?? 0], ['Being sent', q.pending ?? 0], ['Parked', q.parked ?? 0],
        ['Oldest waiting', q.oldest_queued_at ? `${dateTime(q.oldest_queued_at)} (${q.oldest_age_seconds} s)` : '—'],
        ['Last push', dateTime(s.last_push_at)], ['Pushed in all', s.pushed_total ?? 0],
        ['Last failure', s.last_error ? `${s.last_error} (${dateTime(s.last_error_at)})` : 'None'],
      ])),
      h('section', null, h('h2', null, 'Last reconciliation'), r ? dl([
        ['Result', r.status], ['Started', dateTime(r.started_at)], ['Finished', dateTime(r.finished_at)],
        ['Items read', r.read], ['Compared', r.compared], ['Corrected', r.corrected], ['Not on the channel', r.not_on_channel],
      ]) : empty('Not reconciled yet.'))),
    (s.parked_changes || []).length
      ? table('Parked changes (tried again hourly, and at once when the item changes)', ['Item', 'Kind', 'Queued', 'Attempts', 'Next try', 'Error'], s.parked_changes.map((p) => h('tr', null,
        h('td', null, p.sku || `Item ${p.item_id}`), h('td', null, p.kind), h('td', null, dateTime(p.queued_at)),
        h('td', { class: 'num' }, p.attempts), h('td', null, dateTime(p.next_attempt_at)), h('td', null, p.error || '—'))), { id: 'parked' })
      : h('p', { id: 'parked' }, 'No parked changes.'));
}
