// Items and stock (issue 16 item 1): find an item by a scanned code (UPC, EAN,
// manufacturer SKU) or by text in its name, SKU or description; filter by
// status and outlet; sort by name or SKU from the column heads; the low-stock
// view (available below the reorder point at one of my outlets). The CSV
// export downloads with its progress shown; the import uploads a file to the
// same route the command line uses and says what it did.
import { h, append } from '../dom.js';
import * as api from '../api.js';
import { money } from '../format.js';
import { heading, pager, badge, busy, errorBox, announce } from '../ui.js';

// The currency item prices are in: the outlets' (prices are store-wide).
export function itemCurrency(user) {
  return (user.outlets[0] && user.outlets[0].currency) || 'USD';
}

const SORTABLE = { sku: 'SKU', name: 'Name' };

export default async function items(ctx) {
  const q = ctx.query;
  const low = q.get('low_stock') === 'true';
  const sort = q.get('sort') || 'name';
  const currency = itemCurrency(ctx.user);
  const go = (changes) => {
    const p = new URLSearchParams(q);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '' || v === undefined) p.delete(k); else p.set(k, v);
    }
    ctx.navigate('/items' + (p.toString() ? '?' + p : ''));
  };

  const search = h('input', { type: 'search', id: 'items-q', name: 'q', value: q.get('q') || '',
    placeholder: 'Name, SKU, UPC, EAN or maker’s code', autocomplete: 'off' });
  const outletSel = h('select', { id: 'items-outlet', name: 'outlet_id' }, h('option', { value: '' }, 'All my outlets'),
    ctx.user.outlets.map((o) => h('option', { value: String(o.id), selected: q.get('outlet_id') === String(o.id) }, o.name)));
  const statusSel = h('select', { id: 'items-status', name: 'active' },
    [['', 'Any'], ['true', 'Active'], ['false', 'Inactive']].map(([v, text]) =>
      h('option', { value: v, selected: (q.get('active') || '') === v }, text)));
  const form = h('form', { class: 'filters', 'aria-label': 'Find items' },
    h('div', { class: 'field wide' }, h('label', { for: 'items-q' }, 'Find'), search),
    h('div', { class: 'field' }, h('label', { for: 'items-outlet' }, 'Stock at'), outletSel),
    h('div', { class: 'field' }, h('label', { for: 'items-status' }, 'Status'), statusSel),
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go({ q: search.value.trim(), outlet_id: outletSel.value, active: statusSel.value });
  });

  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Which items' },
    h('a', { href: '/items', 'aria-current': low ? null : 'page' }, 'All items'),
    h('a', { href: '/items?low_stock=true', id: 'items-low', 'aria-current': low ? 'page' : null }, 'Low stock'));

  // column heads that sort: a button each, aria-sort on the one in use
  const head = (key, text, cls) => {
    if (!SORTABLE[key]) return h('th', { scope: 'col', class: cls }, text);
    const on = sort === key || sort === '-' + key;
    const desc = sort === '-' + key;
    return h('th', { scope: 'col', 'aria-sort': on ? (desc ? 'descending' : 'ascending') : null },
      h('button', { type: 'button', class: 'link sort', 'data-sort': key,
        onclick: () => go({ sort: on && !desc ? '-' + key : key }) },
      text, on ? (desc ? ' ▼' : ' ▲') : ''));
  };
  const tbody = h('tbody');
  const t = h('div', { class: 'table-wrap' }, h('table', { id: 'items' },
    h('thead', null, h('tr', null, head('sku', 'SKU'), head('name', 'Name'), head('price', 'Price', 'num'),
      head('on_hand', 'On hand', 'num'), head('available', 'Available', 'num'), head('on_order', 'On order', 'num'),
      head('status', 'Status'))),
    tbody));

  const params = { q: q.get('q'), outlet_id: q.get('outlet_id'), active: q.get('active'), sort,
    low_stock: low ? 'true' : undefined };
  const where = h('p', { id: 'items-count', class: 'hint', 'aria-live': 'polite' });
  let total = 0, capped = false, shown = 0;
  const load = async (after) => {
    const page = await api.get('/items', { ...params, limit: 50, after, count: after ? undefined : 'true' });
    if (!after) { total = page.total; capped = page.total_capped; shown = 0; }
    shown += page.data.length;
    where.textContent = shown ? `Showing 1–${shown.toLocaleString()} of ${total.toLocaleString()}${capped ? '+' : ''}` : '';
    return page;
  };
  const row = (it) => {
    const price = (it.prices || [])[0];
    return h('tr', { 'data-item': it.id },
      h('td', null, it.sku),
      h('td', null, h('a', { href: `/items/${it.id}` }, it.name)),
      h('td', { class: 'num' }, price ? money(price.amount, currency) : '—'),
      h('td', { class: 'num' }, it.track_stock ? it.on_hand.toLocaleString() : '—'),
      h('td', { class: 'num' }, it.track_stock ? it.available.toLocaleString() : '—'),
      h('td', { class: 'num' }, it.track_stock && it.on_order ? it.on_order.toLocaleString() : ''),
      h('td', null, it.active ? null : badge('Inactive', 'cancelled'), it.low_stock ? badge('Low stock', 'warn') : null,
        it.track_stock ? null : badge('No stock kept')));
  };
  const p = pager(tbody, load, row, { emptyText: params.q ? `No item matches “${params.q}”.`
    : low ? 'No item is below its reorder point.' : 'No items match.' });

  const actions = h('div', { class: 'actions' },
    ctx.can('manager') ? h('a', { class: 'button', href: '/items/new' }, 'New item') : null, ' ',
    exportButton(), ' ', ctx.can('manager') ? importForm(ctx) : null);
  append(ctx.root, heading(low ? 'Low stock' : 'Items', actions), tabs, form, where, t, p.controls);
  return p.start();
}

// The CSV export: read as it arrives, with the bytes so far shown, then saved.
function exportButton() {
  const button = h('button', { type: 'button', class: 'secondary', id: 'items-export' }, 'Export CSV');
  const progress = h('progress', { id: 'items-export-progress', hidden: true, 'aria-label': 'Export progress' });
  const status = h('span', { class: 'hint', id: 'items-export-status', 'aria-live': 'polite' });
  const errs = errorBox();
  button.addEventListener('click', () => busy(button, errs, async () => {
    progress.hidden = false;
    progress.removeAttribute('value');
    status.textContent = 'Preparing the file…';
    let res;
    try {
      res = await fetch('/api/v1/items/export', { credentials: 'same-origin', headers: { Accept: 'text/csv' } });
    } catch {
      throw new Error('The server cannot be reached. Check the connection and try again.');
    }
    if (!res.ok) {
      let msg = `The export failed (the server answered ${res.status}).`;
      try { msg = (await res.json()).error.message || msg; } catch { /* not JSON */ }
      progress.hidden = true;
      status.textContent = '';
      throw new Error(msg);
    }
    const size = Number(res.headers.get('Content-Length')) || 0;
    if (size) progress.max = size;
    const reader = res.body.getReader();
    const chunks = [];
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (size) progress.value = got;
      status.textContent = `Downloading… ${Math.round(got / 1024).toLocaleString()} KB` +
        (size ? ` of ${Math.round(size / 1024).toLocaleString()} KB` : '');
    }
    const blob = new Blob(chunks, { type: 'text/csv' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'items.csv', hidden: true });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    progress.hidden = true;
    status.textContent = `Exported (${Math.max(1, Math.round(got / 1024)).toLocaleString()} KB).`;
    announce('Items exported.');
  }));
  return h('span', { class: 'export' }, button, ' ', progress, ' ', status, errs);
}

// The CSV import: one file, the same columns as the export; every row is checked and
// nothing is imported when one is bad (each bad row named with its line).
function importForm(ctx) {
  const file = h('input', { type: 'file', id: 'items-import-file', accept: '.csv,text/csv' });
  const button = h('button', { type: 'submit', class: 'secondary' }, 'Import CSV');
  const result = h('div', { id: 'items-import-result', 'aria-live': 'polite' });
  const errs = errorBox();
  const form = h('form', { class: 'import', 'aria-label': 'Import items from a CSV file' },
    h('label', { for: 'items-import-file', class: 'visually-hidden' }, 'CSV file to import'), file, ' ', button, errs, result);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, errs, async () => {
      result.replaceChildren();
      const f = file.files[0];
      if (!f) throw new Error('Choose a CSV file first.');
      result.append(h('p', { class: 'hint' }, `Uploading ${f.name}…`));
      const res = await fetch('/api/v1/items/import', { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'text/csv', 'X-CSRF-Token': api.csrf() }, body: f });
      let body = null;
      try { body = await res.json(); } catch { /* not JSON */ }
      result.replaceChildren();
      if (!res.ok) {
        const e = (body && body.error) || {};
        result.append(h('div', { class: 'error' }, h('p', null, e.message || `The import failed (${res.status}).`),
          (e.details || []).length ? h('ul', null, e.details.map((d) =>
            h('li', null, `Line ${d.line}${d.field ? ` (${d.field})` : ''}: ${d.message}`))) : null));
        return;
      }
      result.append(h('p', { class: 'ok-note' },
        `Imported: ${body.created.toLocaleString()} created, ${body.updated.toLocaleString()} updated.`),
      h('button', { type: 'button', class: 'link', onclick: () => ctx.navigate('/items' + location.search, { replace: true }) },
        'Show the list with the changes'));
      announce('Import done.');
    });
  });
  return form;
}
