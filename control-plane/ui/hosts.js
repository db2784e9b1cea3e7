// Hosts: GET /v1/agents every few seconds. A host is online while its
// agent socket is connected and the health monitor has not marked it
// offline; counters come from the agent's latest heartbeat.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { ago, stamp, str } from './format.js';

const POLL_MS = 3000;
const COUNTERS = ['events', 'drops', 'truncated', 'filtered', 'probes_attached', 'probes_failed'];
const WARN = new Set(['drops', 'truncated', 'probes_failed']);
/** The baseline's default medium threshold. */
const RISK_WARN = 60;

export class HostsView {
  constructor({ body, summary, error, onHosts, onAuthFailed }) {
    Object.assign(this, { body, summary, error, onHosts, onAuthFailed });
    this.timer = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    void this.poll();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async poll() {
    try {
      const res = await api('/v1/agents');
      if (this.stopped) return;
      this.render(Array.isArray(res?.agents) ? res.agents : []);
      this.error.textContent = '';
    } catch (err) {
      if (err.status === 401 || err.status === 403) return this.onAuthFailed(err.message);
      this.error.textContent = `hosts: ${err.message}`;
    }
    if (!this.stopped) this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  render(agents) {
    const online = agents.filter(isOnline).length;
    this.summary.textContent = `${agents.length} host${agents.length === 1 ? '' : 's'} · ${online} online`;
    const now = Date.now();
    fill(this.body, agents.length ? agents.map((a) => this.row(a, now))
      : h('tr', {}, h('td', { colspan: 6 + COUNTERS.length, class: 'muted' }, 'No agent has connected yet.')));
    this.onHosts(agents);
  }

  row(a, now) {
    const status = isOnline(a) ? 'online' : 'offline';
    const hb = a.heartbeat ?? {};
    return h('tr', { testid: 'host-row', data: { host: str(a.host_id), status } },
      h('td', {}, h('div', { class: 'hostname', testid: 'host-name' }, str(a.hostname) || str(a.host_id)),
        h('div', { class: 'muted mono small' }, str(a.host_id))),
      h('td', {}, h('span', { class: `badge ${status}`, testid: 'host-status' }, status)),
      h('td', { title: stamp(a.last_seen), testid: 'host-last-seen' }, ago(a.last_seen, now)),
      h('td', { class: 'small' }, str(a.kernel)),
      h('td', { class: 'small' }, str(a.agent_version)),
      COUNTERS.map((c) => {
        const v = Number(hb[c] ?? 0);
        return h('td', { class: ['num', WARN.has(c) && v > 0 && 'warn'], testid: `host-${c.replace('_', '-')}` },
          a.heartbeat ? v.toLocaleString('en-US') : '–');
      }),
      h('td', { class: 'small', testid: 'host-risk' }, riskyTrees(hb.risky_trees)));
  }
}

/** One line per storyline: risk, executable and pid; the explanation on hover. */
function riskyTrees(trees) {
  if (!Array.isArray(trees) || trees.length === 0) return '–';
  return trees.slice(0, 5).map((t) => h('div', {
    class: ['risk-tree', Number(t.risk) >= RISK_WARN && 'warn'], title: str(t.summary), testid: 'risk-tree',
  }, `${Number(t.risk) || 0} · ${str(t.executable) || '?'} (pid ${Number(t.pid) || '?'})`));
}

const isOnline = (a) => a.status === 'online' && a.connected !== false;
