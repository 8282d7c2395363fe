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

export function message(err) {
  if (!err) return '';
  if (err.status === 403 && err.code === 'forbidden') return 'Your role does not allow this. ' + (err.message || '');
  return err.message || String(err);
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
