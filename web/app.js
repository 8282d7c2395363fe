// The staff web app: session, navigation (history API), and the router that
// loads one module per screen from screens/. Nothing here blocks the first
// paint: index.html already shows the page frame before this runs.
import { h, replace } from './dom.js';
import * as api from './api.js';
import { showAlert } from './ui.js';
import { setOutlets } from './format.js';
import { startDrafts, keepDrafts, setDraftUser } from './drafts.js';
import { rememberFrom, sequenceBar } from './sequence.js';
import { fitTables } from './fit.js';

const ROUTES = [
  [/^\/signin$/, 'signin', 'Sign in', null],
  [/^\/shipping$/, 'shipping', 'Shipping', 'shipping'],
  [/^\/shipping\/print$/, 'shipping-print', 'Print', 'shipping'],
  [/^\/pickups$/, 'pickups', 'Pickups', 'pickups'],
  [/^\/fulfillments$/, 'fulfillments', 'Fulfillments', 'fulfillments'],
  [/^\/fulfillments\/(\d+)$/, 'fulfillment', 'Fulfillment', 'fulfillments'],
  [/^\/sales$/, 'sales', 'Sales', 'sales'],
  [/^\/sales\/(\d+)$/, 'sale', 'Sale', 'sales'],
  [/^\/sales\/(\d+)\/receipt$/, 'receipt', 'Receipt', 'sales'],
  [/^\/sell$/, 'sell', 'Sell', 'sell'],
  [/^\/orders$/, 'orders', 'Orders', 'orders'],
  [/^\/orders\/(\d+)$/, 'order', 'Order', 'orders'],
  [/^\/customers$/, 'customers', 'Customers', 'customers'],
  [/^\/customers\/(\d+)$/, 'customer', 'Customer', 'customers'],
  [/^\/customers\/new$/, 'customer-edit', 'New customer', 'customers'],
  [/^\/customers\/(\d+)\/edit$/, 'customer-edit', 'Edit customer', 'customers'],
  [/^\/purchase-orders$/, 'purchase-orders', 'Purchase orders', 'purchasing'],
  [/^\/purchase-orders\/(\d+)$/, 'purchase-order', 'Purchase order', 'purchasing'],
  [/^\/items$/, 'items', 'Items', 'items'],
  [/^\/items\/new$/, 'item-edit', 'New item', 'items'],
  [/^\/items\/(\d+)$/, 'item', 'Item', 'items'],
  [/^\/items\/(\d+)\/edit$/, 'item-edit', 'Edit item', 'items'],
  [/^\/channels$/, 'channels', 'Channels', 'channels'],
  [/^\/channels\/(\d+)$/, 'channel', 'Channel', 'channels'],
  [/^\/reports$/, 'reports', 'Reports', 'reports'],
  [/^\/notifications$/, 'notifications', 'Notifications', null],
];

const NAV = [
  ['/shipping', 'Shipping', 'shipping'],
  ['/pickups', 'Pickups', 'pickups'],
  ['/fulfillments', 'Fulfillments', 'fulfillments'],
  ['/sell', 'Sell', 'sell'],
  ['/sales', 'Sales', 'sales'],
  ['/orders', 'Orders', 'orders'],
  ['/customers', 'Customers', 'customers'],
  ['/items', 'Items', 'items'],
  ['/purchase-orders', 'Purchasing', 'purchasing'],
  ['/channels', 'Channels', 'channels', 'manager'],
  ['/reports', 'Reports', 'reports'],
];

const RANK = { staff: 1, manager: 2, admin: 3 };
export const session = { user: null };
let cleanup = null;
let seq = 0;

export function can(role) {
  return session.user && RANK[session.user.role] >= RANK[role];
}

// Where the page was scrolled to is kept in its history entry, so that Back
// comes to the same place once the screen has loaded again.
function keepScroll() {
  try { history.replaceState({ ...(history.state || {}), scroll: window.scrollY }, ''); } catch { /* ignore */ }
}

export function navigate(path, { replace: rep = false } = {}) {
  if (!rep) keepScroll();
  if (rep) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

function renderNav(active) {
  const nav = document.getElementById('nav');
  const tools = document.getElementById('tools');
  if (!session.user) {
    nav.hidden = true;
    tools.hidden = true;
    return;
  }
  nav.hidden = false;
  tools.hidden = false;
  if (!nav.firstChild) {
    replace(nav, h('ul', null, NAV.filter((n) => !n[3] || can(n[3])).map(([href, text, key]) =>
      h('li', null, h('a', { href, 'data-key': key }, text)))));
  }
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.key === active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderTools() {
  const tools = document.getElementById('tools');
  if (tools.firstChild) return;
  const bell = h('div', { class: 'bell-slot' });
  replace(tools, bell,
    h('span', { class: 'who' }, session.user.name || session.user.username),
    h('button', { type: 'button', class: 'secondary', id: 'shortcuts-button', 'aria-keyshortcuts': '?',
      onclick: () => import('./keys.js').then((m) => m.openShortcuts(), showAlert) }, 'Shortcuts'),
    h('button', { type: 'button', class: 'secondary', id: 'signout', onclick: signOut }, 'Sign out'));
  // The bell is not needed for the first paint: load it after.
  import('./bell.js').then((m) => { if (session.user) m.startBell(bell, navigate); }, showAlert);
}

function signedIn(body) {
  session.user = body.user;
  setDraftUser(body.user.id);
  setOutlets(body.user.outlets); // money and times are shown each outlet's way
  api.setCsrf(body.csrf_token);
  replace(document.getElementById('nav'));
  replace(document.getElementById('tools'));
  renderTools();
}

export function onSignedIn(body, next) {
  signedIn(body);
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/shipping', { replace: true });
}

function signedOut() {
  session.user = null;
  setDraftUser(null);
  setOutlets([]);
  api.setCsrf(null);
  import('./bell.js').then((m) => m.stopBell(), () => {});
  replace(document.getElementById('nav'));
  replace(document.getElementById('tools'));
}

async function signOut() {
  try { await api.del('/session'); } catch (err) { showAlert(err); }
  signedOut();
  navigate('/signin', { replace: true });
}

window.addEventListener('sb:unauthorized', () => {
  if (!session.user) return;
  signedOut();
  const here = location.pathname + location.search;
  navigate('/signin?next=' + encodeURIComponent(here), { replace: true });
});

async function route() {
  const my = ++seq;
  let path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/') {
    history.replaceState(null, '', session.user ? '/shipping' : '/signin');
    path = location.pathname;
  }
  if (!session.user && path !== '/signin') {
    history.replaceState(null, '', '/signin?next=' + encodeURIComponent(location.pathname + location.search));
    path = '/signin';
  }
  if (session.user && path === '/signin') {
    history.replaceState(null, '', '/shipping');
    path = '/shipping';
  }
  const main = document.getElementById('main');
  const hit = ROUTES.map((r) => [r, r[0].exec(path)]).find(([, m]) => m);
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } cleanup = null; }
  showAlert(null);
  if (!hit) {
    renderNav(null);
    document.title = 'Not found · stockbridge';
    replace(main, h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', null, h('a', { href: '/shipping' }, 'Go to the shipping list')));
    return;
  }
  const [[, name, title, key], m] = hit;
  renderNav(key);
  document.title = title + ' · stockbridge';
  let mod;
  try {
    mod = await import(`./screens/${name}.js`);
  } catch (err) {
    showAlert(new Error('This screen could not be loaded: ' + err.message));
    return;
  }
  if (my !== seq) return;
  const root = h('div', { class: 'screen screen-' + name });
  replace(main, root);
  fitTables(root);
  const ctx = {
    root, params: m.slice(1), query: new URLSearchParams(location.search),
    user: session.user, navigate, can, alive: () => my === seq, onSignedIn,
  };
  const scroll = popped && history.state ? history.state.scroll : null;
  popped = false;
  try {
    const r = await mod.default(ctx);
    if (typeof r === 'function') {
      if (my === seq) cleanup = r; else r();
    }
  } catch (err) {
    // a screen that could not load offers to try again (a network error, a 5xx)
    if (my === seq) showAlert(err, err && (err.status === 0 || err.status >= 500) ? route : null);
  }
  if (my !== seq) return;
  keepDrafts(root);
  const bar = sequenceBar(location.pathname);
  if (bar) root.prepend(bar);
  if (focusNext) {
    const h1 = root.querySelector('h1');
    if (h1) h1.focus({ preventScroll: false });
  }
  focusNext = true;
  if (typeof scroll === 'number' && scroll > 0) {
    // Back: the screen's first page may still be loading
    await api.idle();
    if (my === seq) window.scrollTo(0, scroll);
  }
}

let focusNext = false; // the first screen keeps the browser's natural focus

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  rememberFrom(a);
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
});
let popped = false; // this route comes from Back or Forward
window.addEventListener('popstate', () => { popped = true; route(); });
history.scrollRestoration = 'manual';

async function start() {
  startDrafts();
  import('./keys.js').then((m) => m.startKeys(navigate, () => !!session.user), showAlert);
  try {
    const body = await api.get('/session');
    signedIn(body);
  } catch (err) {
    if (err.status !== 401) showAlert(err);
  }
  route();
}

start();
