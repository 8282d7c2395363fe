// fetch wrapper for /api/v1: the session cookie goes with every call
// (same-origin), unsafe methods carry the CSRF token, and an error body
// {"error":{code,message,field}} becomes a thrown ApiError with that text.
// A read that meets a network error or a 502/503/504 is tried again twice
// (after 0.4 s and 1.2 s); a write never is, since it may have been done.
// While any call takes longer than SLOW_MS the page shows it is loading
// (#progress, and aria-busy on main), and idle() resolves once none is left.
let csrfToken = null;
const SLOW_MS = 300;
const RETRY_MS = [400, 1200];
let inflight = 0;
let slowTimer = null;
let idleWaiters = [];

function busyChanged() {
  const bar = document.getElementById('progress');
  const main = document.getElementById('main');
  if (inflight > 0) {
    if (!slowTimer && bar && bar.hidden) {
      slowTimer = setTimeout(() => {
        slowTimer = null;
        if (inflight > 0) { bar.hidden = false; if (main) main.setAttribute('aria-busy', 'true'); }
      }, SLOW_MS);
    }
    return;
  }
  clearTimeout(slowTimer);
  slowTimer = null;
  if (bar) bar.hidden = true;
  if (main) main.removeAttribute('aria-busy');
  const w = idleWaiters;
  idleWaiters = [];
  for (const f of w) f();
}

// Resolves when no call is in flight (at once when none is).
export function idle() {
  return inflight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
}

export function setCsrf(token) {
  csrfToken = token || null;
}

// The CSRF token, for a request made without request() (a file upload).
export function csrf() {
  return csrfToken || '';
}

export class ApiError extends Error {
  constructor(status, code, message, field, retryAfter) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.retryAfter = retryAfter;
  }
}

export function query(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

const SAFE = new Set(['GET', 'HEAD']);

export async function request(method, path, body, params) {
  inflight++;
  busyChanged();
  try {
    return await attempt(method, path, body, params, 0);
  } finally {
    inflight--;
    busyChanged();
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function attempt(method, path, body, params, tries) {
  const again = SAFE.has(method) && tries < RETRY_MS.length;
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch('/api/v1' + path + query(params), {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (again) { await pause(RETRY_MS[tries]); return attempt(method, path, body, params, tries + 1); }
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.');
  }
  if (again && (res.status === 502 || res.status === 503 || res.status === 504)) {
    await pause(RETRY_MS[tries]);
    return attempt(method, path, body, params, tries + 1);
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || `http_${res.status}`,
      e.message || `The server answered ${res.status}.`, e.field, res.headers.get('Retry-After'));
    if (res.status === 401 && path !== '/session')
      window.dispatchEvent(new CustomEvent('sb:unauthorized'));
    throw err;
  }
  return data;
}

export const get = (path, params) => request('GET', path, undefined, params);
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);
