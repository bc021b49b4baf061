// api: fetch wrapper for /api/v1. JSON in and out; errors become ApiError with the server's
// {"error":{"code","message","field"}} body. The base URL is same-origin unless the page sets ?api=.
let base = '';
try {
  const a = new URLSearchParams(location.search).get('api');
  if (a) base = a.replace(/\/+$/, '');
} catch (_) {}

export function apiBase() {
  return base;
}

// The widget authenticates with its Bearer token only: 'omit' keeps the browser from sending a
// staff cookie and from storing the visitor cookie (which would log a staff user out of the
// workbench in the same browser).
let credentials = null;
export function setCredentials(mode) {
  credentials = mode;
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || e.code || 'HTTP ' + status);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field;
    this.retryAfter = null;
  }
}

// api('GET', '/me') or api('POST', '/login', {name, password}, {token}).
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.token) headers.Authorization = 'Bearer ' + opts.token;
  const url = path.startsWith('/api/') ? base + path : base + '/api/v1' + path;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: credentials || (base ? 'include' : 'same-origin'),
  });
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (_) {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    err.retryAfter = res.headers.get('Retry-After');
    throw err;
  }
  return data;
}

// The WebSocket URL for the same server: ws(s)://host/ws[?token=…].
export function wsUrl(token) {
  const origin = base || location.origin;
  const u = new URL('/ws', origin);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

// A client_id for idempotent sends (≤ 64 chars).
export function newClientId() {
  const r = new Uint8Array(12);
  crypto.getRandomValues(r);
  return 'c' + Date.now().toString(36) + Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('');
}
