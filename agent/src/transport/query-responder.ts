// QueryRequest -> handler -> QueryResult. The handler runs against the
// agent's local history; whatever it does (throw, hang, return junk, return
// too much), the control plane gets exactly one well-formed QueryResult that
// fits in a frame, and the agent keeps running.
import type { DeepPartial, Event, QueryRequest, QueryResult } from '../../../proto/src';
import { encodedSize, eventToProto } from '../../../proto/src';

export type QueryRequestFilters = Partial<Pick<QueryRequest,
  'since' | 'until' | 'pid' | 'entity_id' | 'exe' | 'path' | 'dst' | 'action' | 'rule'>>;

/** What a query handler receives: only the filters the request set, plus limit and timeout. */
export type AgentQuery = QueryRequestFilters & { limit: number; timeout_ms: number };

export type QueryHandler = (req: AgentQuery) => Promise<{ rows: object[]; truncated: boolean }>;

export interface QueryLimits {
  maxBytes: number;          // frame cap for the answer
  defaultLimit?: number;     // when the request has limit 0 (default 100)
  maxLimit?: number;         // default 10000
  defaultTimeoutMs?: number; // when the request has timeout_ms 0 (default 5000)
}

const FILTER_KEYS = ['since', 'until', 'pid', 'entity_id', 'exe', 'path', 'dst', 'action', 'rule'] as const;
// Envelope + QueryResult framing around the rows, with room to spare.
const OVERHEAD_BYTES = 4096;

export function toAgentQuery(req: QueryRequest, limits: QueryLimits): AgentQuery {
  const q: Record<string, unknown> = {};
  for (const k of FILTER_KEYS) if (req[k]) q[k] = req[k]; // proto3: '' and 0 mean unset
  const maxLimit = limits.maxLimit ?? 10_000;
  q.limit = Math.min(req.limit || limits.defaultLimit || 100, maxLimit);
  q.timeout_ms = req.timeout_ms || limits.defaultTimeoutMs || 5_000;
  return q as AgentQuery;
}

/** Answer a little before the control plane's own timer fires, so it sees our reason. */
export function agentDeadlineMs(timeoutMs: number): number {
  return Math.max(1, timeoutMs - Math.min(250, Math.floor(timeoutMs / 10)));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function answerQuery(req: QueryRequest, handler: QueryHandler, limits: QueryLimits): Promise<DeepPartial<QueryResult>> {
  const query = toAgentQuery(req, limits);
  const base = { query_id: req.query_id, events: [] as DeepPartial<Event>[], truncated: false, error: '' };
  let out: unknown;
  try {
    out = await withTimeout(Promise.resolve().then(() => handler(query)), agentDeadlineMs(query.timeout_ms));
  } catch (err) {
    return { ...base, error: `query failed on the agent: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (out === 'timeout') {
    return { ...base, truncated: true, error: `query timed out on the agent after ${query.timeout_ms} ms; narrow the filters (since/until, pid, exe) or raise timeout_ms` };
  }
  const res = out as { rows?: unknown; truncated?: unknown } | null;
  if (!res || !Array.isArray(res.rows)) return { ...base, error: 'query handler returned no rows array (agent bug)' };
  let truncated = res.truncated === true || res.rows.length > query.limit;
  let budget = limits.maxBytes - OVERHEAD_BYTES;
  const events: DeepPartial<Event>[] = [];
  for (const row of res.rows.slice(0, query.limit)) {
    const event = eventToProto(row);
    budget -= encodedSize('Event', event) + 6;
    if (budget < 0) {
      truncated = true;
      break;
    }
    events.push(event);
  }
  return { ...base, events, truncated };
}
