// Shared bits of screen UI: headings, error boxes, busy buttons, tables,
// "load more" paging, and the polite status line for screen readers.
import { h, replace } from './dom.js';

export function announce(text) {
  const el = document.getElementById('status');
  if (el) { el.textContent = ''; setTimeout(() => { el.textContent = text; }, 30); }
}

// A page-wide error; with retry, a "Try again" button that calls it.
export function showAlert(err, retry) {
  const el = document.getElementById('alert');
  if (!el) return;
  if (!err) { replace(el); return; }
  replace(el, h('p', null, message(err),
    retry ? [' ', h('button', { type: 'button', class: 'link', id: 'alert-retry', onclick: () => { replace(el); retry(); } }, 'Try again')] : null,
    ' ', h('button', { type: 'button', class: 'link', onclick: () => replace(el) }, 'Dismiss')));
}

// What the server says is written for API clients; staff read it in words
// (issue 16, item 10): a few codes get a sentence of their own, and field
// names become words ("lines[1].unit_price" is "line 2's unit price",
// "payment_type_id" is "payment type"), with no "minor units" left in.
const CODE_WORDS = {
  outlet_forbidden: 'You have no access to that outlet.',
  csrf: 'This page is out of step with your session (signed in again in another tab?). Reload the page and try again.',
  busy: 'The server is busy. Try again in a moment.',
  storage_error: 'Something went wrong on the server and nothing was changed. Try again; tell your administrator if it happens again.',
  internal: 'Something went wrong on the server and nothing was changed. Try again; tell your administrator if it happens again.',
};

function fieldWords(name) {
  return name.replace(/_id$/, '').replace(/_/g, ' ');
}

export function inWords(text) {
  const s = String(text)
    .replace(/\b([a-z_]+)\[(\d+)\]\.([a-z_]+)\b/g, (_, list, i, f) =>
      `${fieldWords(list).replace(/s$/, '')} ${Number(i) + 1}'s ${fieldWords(f)}`)
    .replace(/\b([a-z]+(?:_[a-z]+)+)\b/g, (m) => fieldWords(m))
    .replace(/ in minor units\b/g, '')
    .replace(/\bsettings\.(\w+)/g, (_, f) => fieldWords(f));
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function message(err) {
  if (!err) return '';
  if (err.status === 403 && err.code === 'forbidden') return 'Your role does not allow this. ' + inWords(err.message || '');
  if (err.code && CODE_WORDS[err.code]) return CODE_WORDS[err.code];
  if (err.status === undefined) return err.message || String(err); // the app's own words
  return inWords(err.message || String(err));
}

// An inline error region: role=alert so it is read out when it changes.
export function errorBox() {
  const box = h('div', { class: 'error', role: 'alert', 'aria-live': 'assertive' });
  box.show = (err) => replace(box, err ? h('p', null, message(err)) : null);
  return box;
}

export function heading(text, ...extra) {
  return h('div', { class: 'screen-head' }, h('h1', { tabindex: '-1' }, text), ...extra);
}

// Runs fn while the button is disabled; errors go to the error box.
export async function busy(button, errBox, fn) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (errBox) errBox.show(null);
  try {
    return await fn();
  } catch (err) {
    if (errBox) errBox.show(err); else showAlert(err);
    return undefined;
  } finally {
    button.disabled = was;
    button.removeAttribute('aria-busy');
  }
}

export function table(caption, headers, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      caption ? h('caption', null, caption) : null,
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows)));
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

export function badge(text, kind) {
  return h('span', { class: 'badge ' + (kind || '') }, text);
}

// A paged list: load(after) resolves to {data, next_after}; render(row) gives
// nodes to append to container. Adds a "Load more" button while pages remain,
// and "Try again" when a page could not be read.
export function pager(container, load, render, { emptyText = 'Nothing here.' } = {}) {
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const errBox = errorBox();
  const none = h('p', { class: 'empty', hidden: true }, emptyText);
  let after = null;
  let count = 0;
  async function next() {
    let ok = false;
    await busy(more, errBox, async () => {
      const page = await load(after);
      for (const row of page.data) container.append(render(row));
      count += page.data.length;
      after = page.next_after;
      more.hidden = after === null || after === undefined;
      none.hidden = count > 0;
      ok = true;
    });
    // a page that could not be read can be asked for again
    more.textContent = ok ? 'Load more' : 'Try again';
    if (!ok) more.hidden = false;
  }
  more.addEventListener('click', next);
  return { controls: h('div', { class: 'pager' }, none, errBox, more), start: next };
}

export function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) =>
    [h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v)]));
}
