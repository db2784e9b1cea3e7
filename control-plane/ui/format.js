// Formatting of alert, agent and event fields for display. Pure functions;
// every input is untrusted JSON, so each accessor tolerates missing parts.

export const SEVERITIES = ['unspecified', 'informational', 'low', 'medium', 'high', 'critical'];

/** Deep get: get(doc, 'process.parent.pid'). */
export function get(obj, path) {
  let v = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k];
  }
  return v;
}

export const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
export const list = (v) => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]);

/** Severity name of a stored alert record: its name, else the ECS numeric score of its doc. */
export function severityOf(rec) {
  if (SEVERITIES.includes(rec?.severity) && rec.severity !== 'unspecified') return rec.severity;
  const n = Number(get(rec, 'doc.event.severity'));
  if (!Number.isFinite(n) || n <= 0) return 'unspecified';
  return n >= 90 ? 'critical' : n >= 70 ? 'high' : n >= 40 ? 'medium' : n >= 20 ? 'low' : 'informational';
}

const pad = (n) => String(n).padStart(2, '0');

/** Local "HH:MM:SS" for feeds; '' for a missing or bad time. */
export function clock(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local "YYYY-MM-DD HH:MM:SS". */
export function stamp(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(iso)}`;
}

/** "4s ago", "3m ago", "2h ago", "5d ago". */
export function ago(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return 'never';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** argv as a shell-ish line: arguments with spaces or quotes are quoted. */
export function argsLine(args) {
  return list(args).map((a) => {
    const s = str(a);
    return s === '' || /[\s'"\\$`]/.test(s) ? JSON.stringify(s) : s;
  }).join(' ');
}

/** One ECS event -> the columns the event tables show. */
export function eventRow(ev) {
  const action = str(get(ev, 'event.action')) || '?';
  const dst = get(ev, 'destination');
  const detail = str(get(ev, 'file.path'))
    ? [str(get(ev, 'file.path')), str(get(ev, 'file.target_path'))].filter(Boolean).join(' -> ')
    : dst && (dst.ip || dst.address)
      ? `${str(dst.address) || str(dst.ip)}${dst.port ? `:${dst.port}` : ''}`
      : str(get(ev, 'process.command_line')) || argsLine(get(ev, 'process.args'));
  const outcome = str(get(ev, 'event.outcome'));
  const errno = str(get(ev, 'vigil.errno'));
  return {
    time: stamp(str(ev?.['@timestamp'])),
    action,
    pid: str(get(ev, 'process.pid')),
    exe: str(get(ev, 'process.executable')) || str(get(ev, 'process.name')),
    detail,
    outcome: errno ? `${outcome || 'failure'} (${errno})` : outcome,
  };
}

/** ATT&CK ids of an alert: sub-techniques, techniques and tactics, de-duplicated. */
export function attackIds(doc, message) {
  const ids = [
    ...list(get(doc, 'threat.technique.subtechnique.id')),
    ...list(get(doc, 'threat.technique.id')),
    ...list(message?.technique_ids),
  ].map(str).filter(Boolean);
  return [...new Set(ids)];
}

export function tacticNames(doc, message) {
  return [...new Set([...list(get(doc, 'threat.tactic.name')), ...list(message?.tactic_names)].map(str).filter(Boolean))];
}
