// Alert detail (GET /v1/alerts/:seq): rule, ATT&CK ids, the process
// ancestry from pid 1 down to the alerting process, and the triggering
// and related events.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { argsLine, attackIds, get, list, severityOf, stamp, str, tacticNames } from './format.js';
import { eventsTable } from './events-table.js';
import { actionBar } from './actions.js';
import { ruleExceptions } from './exceptions.js';
import { hrefFor } from './router.js';

export class AlertDetail {
  constructor({ root, onAuthFailed }) {
    Object.assign(this, { root, onAuthFailed });
    this.current = 0;
  }

  clear() {
    this.current = 0;
    fill(this.root, h('p', { class: 'muted' }, 'Select an alert to see its process tree and events.'));
  }

  async show(seq) {
    if (this.current === seq) return;
    this.current = seq;
    fill(this.root, h('p', { class: 'muted' }, `Loading alert #${seq}…`));
    let res;
    try {
      res = await api(`/v1/alerts/${encodeURIComponent(seq)}`);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.onAuthFailed(err.message);
      if (this.current === seq) fill(this.root, h('p', { class: 'error', testid: 'detail-error' }, err.message));
      return;
    }
    if (this.current !== seq) return; // a newer click won
    this.render(res);
  }

  render(res) {
    const rec = res.alert ?? {};
    const doc = rec.doc ?? {};
    const msg = res.message ?? {};
    const sev = severityOf(rec);
    const process = res.process ?? doc.process ?? null;
    const ancestors = list(res.ancestors).length ? list(res.ancestors) : list(process?.ancestors);
    const description = str(get(doc, 'rule.description')) || str(msg.description);
    const ids = attackIds(doc, msg);
    const tactics = tacticNames(doc, msg);
    const triggering = list(res.triggering_events).length ? list(res.triggering_events) : list(get(doc, 'vigil.alert.events'));
    const related = list(res.related_events).length ? list(res.related_events) : list(get(doc, 'vigil.alert.related'));
    const actions = actionBar({ hostId: str(rec.host_id), alertId: str(get(doc, 'event.id')) || str(rec.seq), target: process });

    fill(this.root,
      h('header', { class: `detail-head sev-${sev}` },
        h('span', { class: 'sev' }, sev),
        h('h2', { testid: 'detail-rule' }, str(rec.rule_name) || str(get(doc, 'rule.name')) || str(rec.rule_id)),
        h('div', { class: 'muted small' },
          `#${str(rec.seq)} · ${stamp(str(doc['@timestamp']) || str(rec.timestamp))} · `,
          h('span', { testid: 'detail-host' }, str(get(doc, 'host.name')) || str(rec.host_id)),
          ` · rule ${str(rec.rule_id)} · `,
          h('a', { href: hrefFor('alerts', { alert: rec.seq }), testid: 'detail-link' }, 'link'))),
      h('p', {}, h('a', { class: 'button', href: hrefFor('investigate', { alert: rec.seq }), testid: 'detail-investigate' }, 'Investigate the process tree →')),
      description && h('p', { class: 'description', testid: 'detail-description' }, description),
      h('section', {}, h('h3', {}, 'MITRE ATT&CK'),
        h('div', { class: 'chips', testid: 'detail-attack' },
          ids.length ? ids.map((id) => h('span', { class: 'chip attack', testid: 'attack-id' }, id)) : h('span', { class: 'muted' }, 'none'),
          tactics.map((t) => h('span', { class: 'chip tactic' }, t)))),
      h('section', {}, h('h3', {}, 'Respond'), actions.bar),
      h('section', {}, h('h3', {}, 'Process ancestry'), processTree(ancestors, process, actions.setTarget)),
      h('section', {}, h('h3', {}, `Triggering event${triggering.length === 1 ? '' : 's'}`),
        eventsTable(triggering.map((event) => ({ event })), { testid: 'triggering-events', empty: 'No triggering events recorded.' })),
      h('section', {}, h('h3', {}, `Related activity (${related.length})`),
        eventsTable(related.map((event) => ({ event })), { testid: 'related-events', empty: 'No related activity recorded.', process })),
      ruleExceptions(str(rec.rule_id)),
      h('details', { class: 'raw' }, h('summary', {}, 'Alert document (JSON)'),
        h('pre', { class: 'json', testid: 'detail-json' }, JSON.stringify(doc, null, 2))));
  }
}

/**
 * pid 1 at the top, down to the alerting process. Ancestors arrive nearest
 * first; each node nests in its parent so the indentation is the depth.
 */
export function processTree(ancestors, process, onSelect = () => undefined) {
  if (!process) return h('p', { class: 'muted', testid: 'process-tree' }, 'No process recorded for this alert.');
  const chain = [...ancestors].reverse().map((a) => ({ ...a, alerting: false }));
  chain.push({ pid: process.pid, entity_id: process.entity_id, executable: process.executable || process.name, args: process.args, alerting: true });
  const rootList = h('ul', { class: 'tree', testid: 'process-tree' });
  let parent = rootList;
  for (const p of chain) {
    const children = h('ul');
    parent.appendChild(h('li', {},
      h('div', {
        class: ['node', p.alerting && 'alerting'], testid: 'tree-node', data: { pid: str(p.pid), alerting: p.alerting },
        title: `entity ${str(p.entity_id)} (click to show all arguments)`,
        on: {
          click: (e) => {
            e.currentTarget.classList.toggle('expanded');
            onSelect({ pid: p.pid, executable: p.executable });
          },
        },
      },
        h('span', { class: 'pid', testid: 'tree-pid' }, str(p.pid)),
        h('span', { class: 'exe mono', testid: 'tree-exe' }, str(p.executable) || '?'),
        h('span', { class: 'args mono', testid: 'tree-args', title: argsLine(p.args) }, argsLine(p.args))),
      children));
    parent = children;
  }
  return rootList;
}
