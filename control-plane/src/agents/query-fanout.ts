// POST /v1/query: send one QueryRequest to each target agent, wait for all
// (each with the same timeout), merge rows by @timestamp, and say which
// hosts answered, timed out, were offline, unknown or failed.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { VigilError } from '../errors';
import type { QueryRequest } from '../../../proto/src';
import { eventFromProto } from '../../../proto/src';
import type { AgentStore } from '../store/agent-store';
import type { AgentRegistry } from './agent-registry';
import type { QueryOutcome } from './agent-session';

/** --nats: agents on other replicas. */
export interface RemoteAgents {
  /** Asks the replica that holds a host's agent; undefined when none does. */
  ask(hostId: string, filters: QueryFilters & { limit: number }, timeoutMs: number): Promise<QueryOutcome | undefined>;
  /** The host has been seen by some replica (so "offline", not "unknown"). */
  knows(hostId: string): boolean;
}

export type QueryFilters = Partial<Pick<QueryRequest,
  'since' | 'until' | 'pid' | 'entity_id' | 'exe' | 'path' | 'dst' | 'action' | 'rule'>>;

export interface QueryBody { hosts?: string[]; all?: boolean; filters?: QueryFilters; limit?: number; timeout_ms?: number }

export interface QueryRow { host_id: string; event: unknown }

export interface QueryResponse {
  query_id: string;
  rows: QueryRow[];
  truncated: boolean;
  hosts: {
    responded: string[]; timed_out: string[]; offline: string[]; unknown: string[];
    failed: Array<{ host_id: string; error: string }>;
  };
}

function parseRow(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return { raw };
  }
}

const tsOf = (r: QueryRow) => String((r.event as Record<string, unknown> | null)?.['@timestamp'] ?? '');

export function queryTargets(body: QueryBody, registry: AgentRegistry, agents: AgentStore, fleetHosts: readonly string[] = []): string[] {
  if (body.all) return [...new Set([...agents.list().map((a) => a.host_id), ...registry.hostIds(), ...fleetHosts])];
  if (!body.hosts?.length) throw new VigilError('QUERY_NO_TARGETS');
  return [...new Set(body.hosts)];
}

export async function fanOutQuery(
  body: QueryBody, targets: string[], registry: AgentRegistry, agents: AgentStore, config: Config, remote?: RemoteAgents,
): Promise<QueryResponse> {
  const limit = Math.min(body.limit ?? 1000, config.queryMaxRows);
  const timeoutMs = Math.min(body.timeout_ms ?? config.queryDefaultTimeoutMs, config.queryMaxTimeoutMs);
  const res: QueryResponse = {
    query_id: randomUUID(), rows: [], truncated: false,
    hosts: { responded: [], timed_out: [], offline: [], unknown: [], failed: [] },
  };
  await Promise.all(targets.map(async (hostId) => {
    const session = registry.get(hostId);
    const filters = { ...body.filters, limit };
    const out = session ? await session.query(filters, timeoutMs) : await remote?.ask(hostId, filters, timeoutMs);
    if (!out) {
      (agents.get(hostId) || remote?.knows(hostId) ? res.hosts.offline : res.hosts.unknown).push(hostId);
      return;
    }
    if (out.status === 'timeout') return void res.hosts.timed_out.push(hostId);
    if (out.status === 'disconnected') return void res.hosts.offline.push(hostId);
    if (out.result.error) return void res.hosts.failed.push({ host_id: hostId, error: out.result.error });
    res.hosts.responded.push(hostId);
    res.truncated ||= out.result.truncated;
    for (const raw of out.result.rows) res.rows.push({ host_id: hostId, event: parseRow(raw) }); // 1.2 agents
    for (const e of out.result.events) res.rows.push({ host_id: hostId, event: eventFromProto(e) });
  }));
  res.rows.sort((a, b) => (tsOf(a) < tsOf(b) ? -1 : tsOf(a) > tsOf(b) ? 1 : a.host_id.localeCompare(b.host_id)));
  if (res.rows.length > limit) {
    res.rows.length = limit;
    res.truncated = true;
  }
  for (const list of [res.hosts.responded, res.hosts.timed_out, res.hosts.offline, res.hosts.unknown]) list.sort();
  res.hosts.failed.sort((a, b) => a.host_id.localeCompare(b.host_id));
  return res;
}
