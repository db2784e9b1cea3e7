// The investigation view (#/investigate?alert=<seq>&focus=<entity>&node=<entity>):
// the process tree around an alert's process from GET
// /v1/alerts/:seq/investigation — ancestors, the focus, its siblings and
// descendants — and, for the selected process, its files, connections,
// execs and alerts on one timeline. Each node is a link; "Focus" re-centres
// the tree on a process (walking it), which fetches that process's events.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { argsLine, eventRow, stamp, str } from './format.js';
import { hostName } from './host-names.js';
import { hrefFor } from './router.js';

const RELATION = { ancestor: 'parent', focus: 'focus', sibling: 'sibling', child: 'child', descendant: 'descendant' };

export class InvestigationView {
  constructor({ root, onAuthFailed }) {
    Object.assign(this, { root, onAuthFailed });
    this.key = null;
    this.data = null;
  }

  async show(params) {
    const alert = params.get('alert');
    if (!alert) return fill(this.root, h('p', { class: 'muted' }, 'Open an alert or an incident and choose "Investigate".'));
    const focus = params.get('focus') ?? '';
    const key = `${alert}|${focus}`;
    if (key !== this.key) {
      this.key = key;
      this.data = null;
      fill(this.root, h('p', { class: 'muted', testid: 'investigation-loading' }, `Asking the host's agent about alert #${alert}…`));
      try {
        const q = focus ? `?entity_id=${encodeURIComponent(focus)}` : '';
        const data = await api(`/v1/alerts/${encodeURIComponent(alert)}/investigation${q}`);
        if (this.key !== key) return;
        this.data = data;
      } catch (err) {
        if (err.status === 401) return this.onAuthFailed(err.message);
        if (this.key === key) fill(this.root, h('p', { class: 'error', testid: 'investigation-error' },
          err.status === 403 ? `${err.message} (the investigation reads the host's history: it needs a responder token)` : err.message));
        return;
      }
    }
    if (this.data) this.render(params);
  }

  render(params) {
    const d = this.data;
    const base = { alert: params.get('alert'), focus: params.get('focus') || undefined, incident: params.get('incident') || undefined };
    const selected = d.nodes.find((n) => n.entity_id === params.get('node')) ?? d.nodes.find((n) => n.relation === 'focus');
    const note = d.history === 'ok' ? '' : ` · history ${d.history}${d.history_error ? `: ${d.history_error}` : ''} (showing what the alert recorded)`;
    fill(this.root,
      h('header', { class: 'investigation-head' },
        h('h2', {}, `Process tree on ${d.hostname || hostName(d.host_id)}`),
        h('div', { class: 'muted small', testid: 'investigation-meta' },
          `alert #${d.alert_seq} · ${stamp(d.window.since)} – ${stamp(d.window.until)}${d.truncated ? ' · truncated' : ''}${note} · `,
          h('a', { href: hrefFor('alerts', { alert: d.alert_seq }) }, 'the alert'),
          base.incident && [' · ', h('a', { href: hrefFor('incidents', { incident: base.incident }) }, `incident ${base.incident}`)])),
      h('div', { class: 'investigation' },
        h('ul', { class: 'ptree', testid: 'investigation-tree' }, treeOrder(d.nodes).map((n) => this.node(n, base, selected))),
        h('section', { class: 'timeline-pane', testid: 'investigation-timeline' }, selected && this.timeline(selected, base))));
  }

  node(n, base, selected) {
    const depth = Math.max(0, n.depth - (this.data.nodes[0]?.depth ?? 0));
    const li = h('li', {
      class: ['pnode', `rel-${n.relation}`, n === selected && 'selected', n.alerts.length && 'has-alerts'],
      testid: 'investigation-node',
      data: { entity: n.entity_id, relation: n.relation, pid: str(n.pid), events: n.events ? String(n.events.length) : '' },
    },
    h('a', { href: hrefFor('investigate', { ...base, node: n.entity_id }), class: 'pnode-link', title: `entity ${n.entity_id}` },
      h('span', { class: 'rel' }, RELATION[n.relation] ?? n.relation),
      h('span', { class: 'pid' }, str(n.pid) || '?'),
      h('span', { class: 'exe mono', testid: 'node-exe' }, n.executable || '?'),
      n.alerts.length > 0 && h('span', { class: 'chip alert-chip' }, `${n.alerts.length} alert${n.alerts.length === 1 ? '' : 's'}`),
      n.events && h('span', { class: 'muted small' }, ` ${n.events.length} ev`)),
    n.relation !== 'focus' && h('a', { class: 'focus-link small', testid: 'node-focus', href: hrefFor('investigate', { ...base, focus: n.entity_id, node: n.entity_id }) }, 'focus'));
    // Through the CSSOM: the page's CSP forbids inline style attributes.
    li.style.setProperty('--depth', String(Math.min(depth, 12)));
    return li;
  }

  timeline(n, base) {
    const items = [
      ...(n.events ?? []).map((ev) => ({ ts: str(ev?.['@timestamp']), ev })),
      ...n.alerts.map((a) => ({ ts: a.timestamp, alert: a })),
    ].sort((a, b) => a.ts.localeCompare(b.ts));
    return [
      h('h3', {}, `${n.executable || '?'} (pid ${str(n.pid) || '?'})`),
      h('p', { class: 'mono small args', testid: 'timeline-args' }, argsLine(n.args)),
      n.events === null
        ? h('p', { class: 'muted', testid: 'timeline-unfetched' }, 'Its events were not fetched. ',
          h('a', { href: hrefFor('investigate', { ...base, focus: n.entity_id, node: n.entity_id }), testid: 'timeline-focus' }, 'Focus on this process'), ' to read its history.')
        : !items.length && h('p', { class: 'muted' }, 'No events in the window.'),
      items.length > 0 && h('ol', { class: 'timeline', testid: 'timeline' }, items.map((it) => it.alert ? alertItem(it.alert) : eventItem(it.ev))),
    ];
  }
}

/** Ancestors, the focus with its descendants depth first (each under its parent), then the siblings. */
export function treeOrder(nodes) {
  const kids = new Map();
  for (const n of nodes) {
    if (n.relation !== 'child' && n.relation !== 'descendant') continue;
    kids.set(n.parent_entity_id, [...(kids.get(n.parent_entity_id) ?? []), n]);
  }
  const out = nodes.filter((n) => n.relation === 'ancestor');
  const walk = (n) => { out.push(n); for (const c of kids.get(n.entity_id) ?? []) walk(c); };
  for (const f of nodes.filter((n) => n.relation === 'focus')) walk(f);
  return [...out, ...nodes.filter((n) => n.relation === 'sibling')];
}

function alertItem(a) {
  return h('li', { class: ['tl-item', 'tl-alert', `sev-${str(a.severity)}`], testid: 'timeline-item', data: { kind: 'alert', seq: String(a.seq) } },
    h('span', { class: 'tl-time small' }, stamp(a.timestamp)),
    h('span', { class: 'sev' }, str(a.severity)),
    h('a', { href: hrefFor('alerts', { alert: a.seq }) }, str(a.rule_name) || str(a.rule_id)));
}

function eventItem(ev) {
  const r = eventRow(ev);
  const kind = r.action === 'connect' || r.action === 'accept' || r.action === 'bind' || r.action === 'listen' ? 'network'
    : r.action === 'exec' || r.action === 'fork' || r.action === 'exit' ? 'process' : 'file';
  return h('li', { class: ['tl-item', `tl-${kind}`], testid: 'timeline-item', data: { kind, action: r.action } },
    h('span', { class: 'tl-time small' }, r.time),
    h('span', { class: 'chip' }, r.action),
    h('details', { class: 'tl-detail' }, h('summary', { class: 'mono', testid: 'timeline-detail' }, r.detail || '(details)', r.outcome && h('span', { class: 'muted' }, ` ${r.outcome}`)),
      h('pre', { class: 'json' }, JSON.stringify(ev, null, 2))));
}
