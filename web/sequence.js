// Previous and next on detail pages (issue 16, item 9): opening a row of a
// list remembers the list's rows (their first links, in order) for the tab;
// the page a row opens then shows "Previous", "Back to the list" and "Next",
// and the [ and ] keys follow them. Any list works: sales, customers,
// orders, fulfillments, a channel's orders.
import { h } from './dom.js';

const KEY = 'sb-sequence';

function rowLinks(table) {
  return [...table.querySelectorAll('tbody tr')]
    .map((tr) => tr.querySelector('a[href^="/"]'))
    .filter(Boolean)
    .map((a) => a.getAttribute('href'));
}

// Called for a click on a link: remembers its list when it is a row's first link.
export function rememberFrom(link) {
  const tr = link.closest('#main table tbody tr');
  if (!tr || tr.querySelector('a[href^="/"]') !== link) return;
  const table = tr.closest('table');
  const list = rowLinks(table);
  const head = document.querySelector('#main h1');
  try {
    sessionStorage.setItem(KEY, JSON.stringify({
      list, from: location.pathname + location.search, title: head ? head.textContent.trim() : 'the list',
    }));
  } catch { /* storage off: no previous/next */ }
}

function remembered() {
  try { return JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch { return null; }
}

// The bar for the page at path, or null when no remembered list holds it.
export function sequenceBar(path) {
  const seq = remembered();
  if (!seq || !Array.isArray(seq.list)) return null;
  const at = seq.list.indexOf(path);
  if (at < 0) return null;
  const prev = at > 0 ? seq.list[at - 1] : null;
  const next = at + 1 < seq.list.length ? seq.list[at + 1] : null;
  return h('nav', { class: 'sequence', 'aria-label': 'Previous and next' },
    prev ? h('a', { href: prev, id: 'seq-prev', rel: 'prev' }, '← Previous') : h('span', { class: 'muted' }, '← Previous'),
    h('a', { href: seq.from, id: 'seq-list' }, `Back to ${seq.title}`),
    h('span', { class: 'muted' }, `${at + 1} of ${seq.list.length}`),
    next ? h('a', { href: next, id: 'seq-next', rel: 'next' }, 'Next →') : h('span', { class: 'muted' }, 'Next →'));
}
