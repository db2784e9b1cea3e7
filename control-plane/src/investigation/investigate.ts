// The investigation around one alert: the process tree from the agent's
// history (fanned out to the alert's host), each process's own events
// (files, connections, execs) and the control plane's alerts on it.
import type { Config } from '../config';
import { fanOutQuery, type QueryResponse } from '../agents/query-fanout';
import type { AgentRegistry } from '../agents/agent-registry';
import type { AgentStore } from '../store/agent-store';
import type { AlertStore, StoredAlert } from '../store/alert-store';
import { ancestorsOf, buildTree, knownChain, procOf, type TreeNode } from './process-tree';

/** History is read from this long before the process started (or the alert) ... */
const BEFORE_MS = 5 * 60_000;
/** ... to this long after the alert: what it went on to do. */
const AFTER_MS = 30 * 60_000;
/** Processes whose own events are fetched: the focus and its first descendants. */
const MAX_HISTORIES = 20;
const EVENTS_PER_PROCESS = 300;
const EXEC_LIMIT = 10_000;

export interface InvestigationNode extends TreeNode {
  /** The agent's events of this process (files, connections, execs ...), oldest first; null when not fetched. */
  events: unknown[] | null;
  alerts: Array<{ seq: number; rule_id: string; rule_name: string; severity: string; timestamp: string }>;
}

export interface Investigation {
  host_id: string; hostname: string; alert_seq: number; focus: string;
  window: { since: string; until: string };
  /** Whether the agent answered: 'ok', or why the tree only holds what the alert recorded. */
  history: 'ok' | 'offline' | 'timeout' | 'failed';
  history_error?: string;
  truncated: boolean;
  nodes: InvestigationNode[];
}

export interface InvestigateDeps { registry: AgentRegistry; agents: AgentStore; alerts: AlertStore; config: Config }

type Proc = NonNullable<ReturnType<typeof procOf>>;

function historyState(res: QueryResponse, host: string): Pick<Investigation, 'history' | 'history_error'> {
  if (res.hosts.responded.includes(host)) return { history: 'ok' };
  const failed = res.hosts.failed.find((f) => f.host_id === host);
  if (failed) return { history: 'failed', history_error: failed.error };
  return { history: res.hosts.timed_out.includes(host) ? 'timeout' : 'offline' };
}

const byTime = (a: unknown, b: unknown) =>
  String((a as { '@timestamp'?: string })['@timestamp'] ?? '').localeCompare(String((b as { '@timestamp'?: string })['@timestamp'] ?? ''));

export async function investigate(alert: StoredAlert, focusId: string | undefined, deps: InvestigateDeps, now = Date.now()): Promise<Investigation> {
  const host = alert.host_id;
  const alertProc = (alert.doc.process ?? undefined) as Proc | undefined;
  const focus = focusId ?? alertProc?.entity_id ?? '';
  const alertMs = Date.parse(alert.timestamp) || now;
  const startMs = Date.parse(alertProc?.start ?? '') || alertMs;
  const since = new Date(Math.min(startMs, alertMs) - BEFORE_MS).toISOString();
  const until = new Date(Math.min(alertMs + AFTER_MS, Math.max(now, alertMs))).toISOString();
  const ask = (filters: Record<string, unknown>, limit: number) =>
    fanOutQuery({ hosts: [host], filters: { since, until, ...filters }, limit }, [host], deps.registry, deps.agents, deps.config);

  const [own, execs] = await Promise.all([
    focus ? ask({ entity_id: focus }, EVENTS_PER_PROCESS) : undefined,
    ask({ action: 'exec' }, EXEC_LIMIT),
  ]);
  const state = historyState(execs, host);
  const execEvents = execs.rows.map((r) => r.event); // oldest first: a later exec of a process overrides an earlier one
  const known = knownChain(alertProc);
  for (const ev of execEvents) {
    const p = procOf(ev);
    if (p?.entity_id) known.set(p.entity_id, { ...known.get(p.entity_id), ...p });
  }
  const ownEvents = (own?.rows ?? []).map((r) => r.event);
  // A process's identity is its latest image: the events before its exec carry its parent's executable.
  const ownLatest = ownEvents.map(procOf).filter((p) => p?.entity_id === focus).pop();
  const focusProc: Proc = focus === alertProc?.entity_id
    ? { ...known.get(focus), ...alertProc }
    : { ...ownLatest, ...known.get(focus), entity_id: focus };
  if (focus === alertProc?.entity_id && alertProc.ancestors?.length) focusProc.ancestors = alertProc.ancestors;
  focusProc.ancestors = ancestorsOf(focusProc, known);
  const tree = buildTree(focusProc, execEvents);

  const histories = new Map<string, unknown[]>([[focus, ownEvents]]);
  const wanted = tree.filter((n) => n.relation === 'child' || n.relation === 'descendant').slice(0, MAX_HISTORIES - 1);
  const more = await Promise.all(wanted.map((n) => ask({ entity_id: n.entity_id }, EVENTS_PER_PROCESS)));
  wanted.forEach((n, i) => histories.set(n.entity_id, more[i].rows.map((r) => r.event)));

  const alertsByProcess = new Map<string, InvestigationNode['alerts']>();
  for (const a of deps.alerts.byProcesses(host, tree.map((n) => n.entity_id).filter(Boolean))) {
    const id = String((a.doc.process as Proc | undefined)?.entity_id ?? '');
    alertsByProcess.set(id, [...(alertsByProcess.get(id) ?? []),
      { seq: a.seq, rule_id: a.rule_id, rule_name: a.rule_name, severity: a.severity, timestamp: a.timestamp }]);
  }
  return {
    host_id: host, hostname: deps.agents.get(host)?.hostname ?? String((alert.doc.host as { name?: string } | undefined)?.name ?? ''),
    alert_seq: alert.seq, focus, window: { since, until }, ...state,
    truncated: execs.truncated || [own, ...more].some((r) => r?.truncated),
    nodes: tree.map((n) => ({
      ...n,
      events: histories.has(n.entity_id) && state.history === 'ok' ? [...histories.get(n.entity_id)!].sort(byTime) : null,
      alerts: alertsByProcess.get(n.entity_id) ?? [],
    })),
  };
}
