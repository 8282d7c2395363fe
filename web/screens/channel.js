// One channel: its settings (admins change them; PATCH merges the settings
// name by name), the orders it has seen with their state and reason, the
// sync log, and the stock sync status with parked changes and, for a kind that
// connects as an app (Shopify), its connection: missing access scopes and the
// features they leave off, webhook subscriptions, the API version answering,
// with a button that checks it again (POST .../connect); for an export-model
// webstore (kind export), its connection with a revoke button (admins). The settings form
// is built from the kind's descriptions (GET /api/v1/channel-kinds: the common
// settings, then the kind's own), the same data the server checks them by, so
// a kind that adds a setting gets its field here without a change to this file.
import { h, replace, append } from '../dom.js';
import * as api from '../api.js';
import { dateTime, label, money } from '../format.js';
import { heading, table, badge, pager, errorBox, announce, dl, empty, busy } from '../ui.js';

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

// The records a "ref" setting may name (price levels), as select options.
async function choicesFor(fields) {
  const refs = [...new Set(fields.filter((d) => d.type === 'ref' && d.refers).map((d) => d.refers))];
  const lists = await Promise.all(refs.map((r) => api.get(`/${r}`, { limit: 200 }).then((p) => p.data || []).catch(() => [])));
  return Object.fromEntries(refs.map((r, i) => [r, lists[i]]));
}

// One field for a described setting: its input, how to read it, and how to put a value
// back (after a change the server refused).
function input(d, value, admin) {
  const id = `set-${d.name}`;
  const attrs = { id, name: d.name, disabled: !admin, 'aria-describedby': d.help ? `${id}-help` : null };
  const text = (v) => (v === null || v === undefined ? '' : String(v));
  switch (d.type) {
    case 'bool':
      return { el: h('input', { ...attrs, type: 'checkbox', checked: !!value }), read: (el) => el.checked, write: (el, v) => { el.checked = !!v; } };
    case 'int':
      return { el: h('input', { ...attrs, type: 'number', min: String(d.min), max: String(d.max), step: '1', value: text(value) }), read: (el) => Number(el.value), write: (el, v) => { el.value = text(v); } };
    case 'choice':
      return { el: h('select', attrs, d.choices.map((v) => h('option', { value: v, selected: v === value }, label(v)))), read: (el) => el.value, write: (el, v) => { el.value = text(v); } };
    case 'ref':
      return { el: h('select', attrs, h('option', { value: '' }, 'None'), (d.options || []).map((o) => h('option', { value: String(o.id), selected: o.id === value }, o.name || `#${o.id}`))), read: (el) => (el.value ? Number(el.value) : null), write: (el, v) => { el.value = text(v); } };
    default: // time (UTC, empty: none) and text
      return { el: h('input', { ...attrs, type: 'text', placeholder: d.type === 'time' ? '2026-11-27T00:00:00Z' : null, value: text(value) }), read: (el) => el.value.trim() || null, write: (el, v) => { el.value = text(v); } };
  }
}

async function settings(c, body, ctx) {
  const err = errorBox();
  const admin = ctx.can('admin');
  const names = Object.fromEntries(ctx.user.outlets.map((o) => [o.id, o.name]));
  const kinds = (await api.get('/channel-kinds')).data || [];
  const kind = kinds.find((k) => k.kind === c.kind) || { settings: [], credentials: [], label: c.kind };
  const refs = await choicesFor(kind.settings);
  async function save(change, el, undo) {
    el.disabled = true;
    err.show(null);
    try {
      const updated = await api.patch(`/channels/${c.id}`, change);
      Object.assign(c, updated);
      announce('Saved.');
    } catch (e) {
      undo();
      err.show(e);
    } finally {
      el.disabled = !admin;
    }
  }
  // A described setting as a form field, saved as soon as it changes.
  const field = (d) => {
    const f = input({ ...d, options: refs[d.refers] }, c.settings[d.name], admin);
    f.el.addEventListener('change', () => {
      const was = c.settings[d.name];
      save({ settings: { [d.name]: f.read(f.el) } }, f.el, () => f.write(f.el, was));
    });
    const help = d.help ? h('small', { id: `set-${d.name}-help`, class: 'hint' }, d.help) : null;
    return d.type === 'bool'
      ? h('div', { class: 'check' }, f.el, h('label', { for: f.el.id }, d.label || label(d.name)), help)
      : h('div', { class: 'field' }, h('label', { for: f.el.id }, d.label || label(d.name)), f.el, help);
  };
  const enabled = h('input', { type: 'checkbox', id: 'set-enabled', name: 'enabled', checked: !!c.enabled, disabled: !admin });
  enabled.addEventListener('change', () => save({ enabled: enabled.checked }, enabled, () => { enabled.checked = !enabled.checked; }));
  replace(body,
    admin ? null : h('p', { class: 'hint' }, 'Only an admin can change these settings.'),
    err,
    c.connection ? webstoreConnection(c, ctx) : null,
    h('fieldset', null, h('legend', null, 'Channel'),
      h('div', { class: 'check' }, enabled, h('label', { for: 'set-enabled' }, 'Channel on')),
      kind.settings.map(field)),
    admin && kind.credentials.length ? credentials(c, kind) : null,
    dl([
      ['Kind', kind.label || c.kind], ['Credentials', c.has_credentials ? 'Stored' : 'None'],
      ['Default outlet', c.default_outlet_id ? names[c.default_outlet_id] || `Outlet ${c.default_outlet_id}` : '—'],
      ['Outlets (priority)', (c.outlets || []).map((o) => `${o.priority}. ${names[o.outlet_id] || 'Outlet ' + o.outlet_id}`).join(', ')],
      ['Pickup methods', (c.methods || []).map((m) => m.method).join(', ')],
      ['Last poll', dateTime(c.last_poll_at)], ['Webhook path', c.webhook_path],
      c.not_ready_reasons && c.not_ready_reasons.length ? ['Not ready because', c.not_ready_reasons.join('; ')] : null,
    ]));
}

// An export-model webstore's connection (SPEC E1): who connected it and when, the
// connections retired before it with why, and (admins) a button that revokes the live
// one at once (DELETE .../connection): the webstore's token then answers 401 with the
// reason, and it must connect again.
function webstoreConnection(c, ctx) {
  const conn = c.connection;
  const err = errorBox();
  const by = conn.connected_by;
  const revoke = ctx.can('admin') && conn.connected_at
    ? h('button', { type: 'button', id: 'revoke-connection', class: 'danger' }, 'Revoke connection') : null;
  const section = h('section', { id: 'webstore-connection' });
  revoke?.addEventListener('click', () => {
    if (!confirm(`Revoke the connection of ${c.name}? The webstore stops working with the POS until it connects again.`)) return;
    busy(revoke, err, async () => {
      await api.del(`/channels/${c.id}/connection`);
      Object.assign(c, await api.get(`/channels/${c.id}`));
      announce('Connection revoked.');
      section.replaceWith(webstoreConnection(c, ctx));
    });
  });
  const retired = conn.retired || [];
  append(section, h('h2', null, 'Webstore connection'), err,
    dl([
      ['Connected', conn.connected_at ? dateTime(conn.connected_at) : h('span', { id: 'not-connected' }, 'Not connected')],
      ['Connected by', by ? by.username : '—'],
    ]),
    retired.length
      ? table('Retired connections, newest first', ['When', 'Why'],
        retired.map((r) => h('tr', null, h('td', null, dateTime(r.at)), h('td', null, r.reason))), { id: 'retired-connections' })
      : null,
    revoke);
  return section;
}

// The kind's credentials, from its descriptions: they never come back from the server, so
// the form starts empty and replaces them whole (secrets in password fields).
function credentials(c, kind) {
  const err = errorBox();
  const inputs = kind.credentials.map((d) => {
    const el = h('input', { id: `cred-${d.name}`, name: d.name, type: d.secret ? 'password' : 'text', required: d.required, autocomplete: 'off' });
    return [d, el];
  });
  const form = h('form', { class: 'credentials', 'aria-label': 'Replace credentials' },
    h('h2', null, 'Replace credentials'),
    err,
    inputs.map(([d, el]) => h('div', { class: 'field' }, h('label', { for: el.id }, d.label || label(d.name), d.required ? '' : ' (optional)'), el,
      d.help ? h('small', { class: 'hint' }, d.help) : null)),
    h('button', { type: 'submit' }, 'Replace credentials'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.show(null);
    const cred = {};
    for (const [d, el] of inputs) if (el.value) cred[d.name] = el.value;
    try {
      const updated = await api.patch(`/channels/${c.id}`, { credentials: cred });
      Object.assign(c, updated);
      for (const [, el] of inputs) el.value = '';
      announce('Credentials replaced.');
    } catch (ex) {
      err.show(ex);
    }
  });
  return form;
}

function orders(c, body, ctx) {
  const state = ctx.query.get('state') || '';
  const q = ctx.query.get('q') || '';
  const sel = h('select', { id: 'co-state' }, h('option', { value: '' }, 'Any state'),
    ['downloaded', 'waiting', 'skipped'].map((s) => h('option', { value: s, selected: s === state }, label(s))));
  const find = h('input', { type: 'search', id: 'co-q', name: 'q', value: q, autocomplete: 'off', placeholder: 'e.g. #1001' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Find web orders' },
    h('div', { class: 'field' }, h('label', { for: 'co-q' }, 'Order number'), find),
    h('div', { class: 'field' }, h('label', { for: 'co-state' }, 'State'), sel), h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams({ tab: 'orders' });
    if (find.value.trim()) params.set('q', find.value.trim());
    if (sel.value) params.set('state', sel.value);
    ctx.navigate(`/channels/${c.id}?${params}`);
  });
  const tbody = h('tbody');
  // newest first (T2); a number finds its order whether typed with its # or not
  const p = pager(tbody, (after) => api.get(`/channels/${c.id}/orders`, { state, q, sort: '-id', limit: 50, after }), (o) => h('tr', null,
    h('td', null, o.number || o.external_id), h('td', null, badge(label(o.state), o.state), o.cancelled ? badge('Cancelled', 'cancelled') : null),
    h('td', null, o.reason || '—'), h('td', null, o.channel_status || '—'),
    h('td', null, `${o.financial_status || '—'} / ${o.fulfillment_status || '—'}`),
    h('td', { class: 'num' }, o.total === null || o.total === undefined ? '—' : money(o.total, o.currency)),
    h('td', null, o.sale_id ? h('a', { href: `/sales/${o.sale_id}` }, `Sale #${o.sale_id}`) : '—'),
    h('td', null, dateTime(o.first_seen_at))), { emptyText: q ? `No order numbered “${q}” on this channel.` : 'No orders seen yet.' });
  const t = table('Orders seen, newest first', ['Order', 'State', 'Reason', 'Status on the webstore', 'Payment / fulfilment', 'Total', 'Sale', 'First seen'], [], { id: 'channel-orders' });
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

// The connection of a kind that connects as an app; null: none known yet (or another kind).
function connection(c, s, body) {
  const conn = s.connection;
  const err = errorBox();
  const check = h('button', { type: 'button', id: 'check-connection' }, 'Check connection now');
  check.addEventListener('click', () => busy(check, err, async () => {
    await api.post(`/channels/${c.id}/connect`, {});
    announce('Connection checked.');
    await sync(c, body);
  }));
  if (!conn) return h('section', { id: 'connection' }, h('h2', null, 'Connection'), err, empty('Not checked since the server started.'), check);
  const v = conn.api_version || {};
  const sc = conn.scopes || { missing: [] };
  const wh = conn.webhooks;
  const off = (conn.features || []).filter((f) => !f.ok);
  return h('section', { id: 'connection' }, h('h2', null, 'Connection'), err,
    dl([
      ['Checked', conn.checked_at ? dateTime(conn.checked_at) : '—'],
      ['API version', v.served ? h('span', null, `${v.served} (stockbridge asks for ${v.requested}) `,
        v.mismatch ? badge('Mismatch: upgrade stockbridge', 'warn') : badge('OK', 'completed')) : '—'],
      ['Missing access scopes', (sc.missing || []).length ? h('span', { id: 'missing-scopes' }, sc.missing.join(', ')) : 'None'],
      ['Webhooks', !wh ? '—' : wh.managed
        ? `${wh.callback_url}: ${wh.kept} kept, ${wh.created} made, ${wh.deleted} deleted`
        : (wh.reason || 'Not managed')],
      ['Last check failed', conn.error || 'No'],
    ]),
    off.length ? h('ul', { id: 'features-off' }, off.map((f) => h('li', null, h('strong', null, f.feature), `: ${f.reason}`))) : null,
    check);
}

async function sync(c, body) {
  const s = await api.get(`/channels/${c.id}/sync-status`);
  const q = s.queue || {};
  const r = s.last_reconcile;
  replace(body,
    connection(c, s, body),
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
