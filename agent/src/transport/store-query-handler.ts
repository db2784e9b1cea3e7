// Adapts the agent's local history (agent/src/query) to the transport's
// QueryHandler: control-plane filter names -> QueryFilters, rows -> ECS
// documents. runQuery is synchronous but checks its own deadline between
// index windows, so it is given the agent-side deadline and a timed-out
// scan comes back as a truncated answer with the rows found so far.
import { runQuery, type QueryFilters, type QuerySource } from '../query';
import { agentDeadlineMs, type AgentQuery, type QueryHandler } from './query-responder';

export function toQueryFilters(q: AgentQuery): QueryFilters {
  const f: QueryFilters = { limit: q.limit, timeoutMs: Math.max(1, agentDeadlineMs(q.timeout_ms) - 50) };
  if (q.since) f.since = q.since;
  if (q.until) f.until = q.until;
  if (q.pid) f.pid = q.pid;
  if (q.entity_id) f.entityId = q.entity_id;
  if (q.exe) f.exe = q.exe;
  if (q.path) f.path = q.path;
  if (q.dst) f.dst = q.dst;
  if (q.action) f.action = q.action;
  if (q.rule) f.rule = q.rule;
  return f;
}

export function storeQueryHandler(src: QuerySource | (() => QuerySource)): QueryHandler {
  return async (q) => {
    const res = runQuery(typeof src === 'function' ? src() : src, toQueryFilters(q));
    return { rows: res.rows.map((r) => r.doc), truncated: res.limited || res.timedOut };
  };
}
