// The REST and WebSocket client: the token lives in sessionStorage (per
// tab, gone when it closes) and goes out as a bearer header, or as the
// ?token= parameter on the stream socket (browsers cannot set ws headers).

const KEY = 'vigil.token';

export const session = {
  get: () => sessionStorage.getItem(KEY) ?? '',
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Called with the ApiError of any 401, so the app can ask for a new token. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function api(path, { method = 'GET', body, token = session.get() } = {}) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `cannot reach the control plane (${err.message})`);
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    /* non-JSON body: reported below by status */
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? res.statusText);
    if (res.status === 401) onUnauthorized(err);
    throw err;
  }
  return json;
}

/** ws(s)://<this host>/v1/alerts/stream?after=<seq>&token=<token> */
export function streamUrl(after, token = session.get()) {
  const u = new URL('/v1/alerts/stream', location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('after', String(after));
  u.searchParams.set('token', token);
  return u.toString();
}
