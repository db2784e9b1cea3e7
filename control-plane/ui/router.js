// The view's state lives in the URL hash, so a link reproduces a view and
// back/forward walk through it: #/<view>?<params>, e.g.
// #/incidents?severity=high,critical&since=15m&incident=12,
// #/alerts?alert=34, #/investigate?alert=34&focus=<entity id>&node=<entity id>.
export const VIEWS = ['incidents', 'alerts', 'investigate', 'hosts', 'search', 'exceptions'];

/** { view, params: URLSearchParams } of the current (or a given) hash. */
export function parseHash(hash = location.hash) {
  const m = /^#\/([a-z]+)(?:\?(.*))?$/.exec(hash);
  const view = m && VIEWS.includes(m[1]) ? m[1] : 'incidents';
  return { view, params: new URLSearchParams(m?.[2] ?? '') };
}

export function hrefFor(view, params = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const q = p.toString().replace(/%2C/g, ',');
  return `#/${view}${q ? `?${q}` : ''}`;
}

/** Goes to a view; each call is a history entry unless `replace` (for typing in a filter box). */
export function navigate(view, params = {}, { replace = false } = {}) {
  const href = hrefFor(view, params);
  if (href === location.hash) return;
  if (replace) {
    history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = href;
  }
}

export function onRoute(fn) {
  window.addEventListener('hashchange', () => fn(parseHash()));
}

/** The params as a plain object (for spreading into navigate). */
export const paramsObject = (params) => Object.fromEntries(params.entries());
