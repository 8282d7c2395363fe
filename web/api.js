// fetch wrapper for /api/v1: the session cookie goes with every call
// (same-origin), unsafe methods carry the CSRF token, and an error body
// {"error":{code,message,field}} becomes a thrown ApiError with that text.
let csrfToken = null;

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
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.');
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
