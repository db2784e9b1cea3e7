// Response buttons in the alert detail: act on the alert's process, or on
// any process of the tree once it is selected (click a node), or isolate
// the alert's whole host. Each click is POST /v1/agents/:host/actions with
// the alert's id; the answer (confirmed or failed, never assumed) is shown
// under the buttons, with a Release button after an isolation.
import { api } from './api.js';
import { fill, h } from './dom.js';
import { str } from './format.js';

const ACTIONS = [
  ['kill-tree', 'Kill tree'],
  ['suspend-tree', 'Suspend tree'],
  ['resume-tree', 'Resume tree'],
  ['isolate-process', 'Isolate network'],
];

export function actionBar({ hostId, alertId, target }) {
  const result = h('div', { class: 'small action-result', testid: 'action-result', role: 'status' });
  const label = h('span', { class: 'muted small', testid: 'action-target' });
  const setTarget = (p) => {
    target = p;
    label.textContent = p ? `on pid ${str(p.pid)} ${str(p.executable)}` : 'no process';
  };
  setTarget(target);
  const post = async (action, name, actionTarget, question) => {
    if (!hostId || !window.confirm(question)) return;
    fill(result, `${name}…`);
    try {
      const r = await api(`/v1/agents/${encodeURIComponent(hostId)}/actions`, {
        method: 'POST', body: { action, target: actionTarget, alert_ids: alertId ? [String(alertId)] : [], comment: 'from the dashboard' },
      });
      const outcome = h('span', { class: r.ok ? 'ok' : 'error', testid: 'action-outcome', data: { ok: String(Boolean(r.ok)) } },
        r.ok ? `${name}: done, ${(r.pids ?? []).length} process(es)${r.ref ? ` (${r.ref})` : ''}, ${Number(r.latency_ms ?? 0).toFixed(1)} ms` : `${name} failed: ${r.error}`);
      const isolation = r.ok && (action === 'isolate-process' || action === 'isolate-host') && r.ref;
      fill(result, outcome, isolation ? h('button', { type: 'button', testid: 'action-release', on: {
        click: () => post('release', 'Release', { isolation_id: String(r.ref) }, `Release ${r.ref} on ${hostId}?`),
      } }, `Release ${r.ref}`) : null);
    } catch (err) {
      fill(result, h('span', { class: 'error', testid: 'action-outcome', data: { ok: 'false' } }, `${name} failed: ${err.message}`));
    }
  };
  const run = (action, name) => {
    if (!target?.pid) return;
    void post(action, name, { pid: Number(target.pid) }, `${name}: pid ${target.pid} (${str(target.executable)}) on ${hostId}?`);
  };
  const isolateHost = () => post('isolate-host', 'Isolate host', { host: true },
    `Isolate ${hostId} from the network? Only loopback and the control plane stay reachable until it is released.`);
  const bar = h('div', { class: 'actions', testid: 'action-bar' },
    ACTIONS.map(([action, name]) => h('button', { type: 'button', testid: `action-${action}`, on: { click: () => run(action, name) } }, name)),
    h('button', { type: 'button', testid: 'action-isolate-host', on: { click: isolateHost } }, 'Isolate host'),
    label, result);
  return { bar, setTarget };
}
