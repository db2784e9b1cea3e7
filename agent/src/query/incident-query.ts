// `vigil query --incident <id> --control-plane URL`: the incident, its
// alerts, and what each alerting process did, from any machine. The incident
// comes from the control plane (GET /v1/incidents/:id); each process's
// activity from its host's own history through the control plane's fan-out
// (POST /v1/query). The token comes from VIGIL_TOKEN or --token-file, never
// the command line, where `ps` would show it.
import { readFileSync } from 'node:fs';
import type { EcsEvent } from '../model/ecs-event';
import { QueryFilterError } from './errors';
import { formatJsonLines, formatTable } from './format';
import type { QueryRow } from './run-query';

export interface IncidentQueryOptions {
  incident: string;
  controlPlane?: string;
  tokenFile?: string;
  json?: boolean;
  limit?: string;
}

interface IncidentAlert { seq: number; host_id: string; doc: EcsEvent & { rule?: { id?: string; name?: string } }; duplicate: boolean }
interface IncidentDetail {
  incident: { id: number; host_id: string; title: string; severity: string; state: string; close_reason: string | null;
    assignee: string | null; first: string; last: string; alert_count: number; distinct_count: number; rules: string[] };
  alerts: IncidentAlert[];
}

export class ControlPlaneRequestError extends Error {
  readonly code = 'VIGIL_ERR_CONTROL_PLANE';
}

function token(o: IncidentQueryOptions): string {
  if (o.tokenFile) return readFileSync(o.tokenFile, 'utf8').trim();
  const t = process.env.VIGIL_TOKEN;
  if (!t) throw new QueryFilterError('incident', 'needs a viewer (or responder, for process activity) token: set VIGIL_TOKEN or pass --token-file');
  return t;
}

async function call<T>(base: string, tok: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${tok}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new ControlPlaneRequestError(`cannot reach the control plane at ${base}: ${(err as Error).message}`);
  }
  const json = await res.json().catch(() => ({})) as { error?: { message?: string } };
  if (!res.ok) throw new ControlPlaneRequestError(`${path}: ${res.status} ${json.error?.message ?? ''}`.trim());
  return json as T;
}

const alertRow = (a: IncidentAlert): QueryRow => ({ kind: 'alert', rowid: a.seq, ts: Date.parse(a.doc['@timestamp']), doc: a.doc });

/** Prints the incident; returns the exit code. */
export async function runIncidentQuery(o: IncidentQueryOptions, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  if (!/^[1-9]\d{0,15}$/.test(o.incident)) throw new QueryFilterError('incident', 'give the incident number from the dashboard or GET /v1/incidents');
  if (!o.controlPlane) throw new QueryFilterError('incident', 'incidents live on the control plane: add --control-plane http://HOST:PORT');
  const base = o.controlPlane.replace(/^ws/, 'http').replace(/\/+$/, '');
  const tok = token(o);
  const d = await call<IncidentDetail>(base, tok, `/v1/incidents/${o.incident}`);
  const inc = d.incident;
  const entities = [...new Map(d.alerts.filter((a) => a.doc.process?.entity_id).map((a) => [a.doc.process!.entity_id!, a.host_id])).entries()];
  let activity: { host_id: string; event: EcsEvent }[] = [];
  let note = '';
  if (entities.length) {
    try {
      const limit = Number(o.limit ?? 200);
      for (const [entity, host] of entities) {
        const r = await call<{ rows: { host_id: string; event: EcsEvent }[]; errors?: unknown[] }>(base, tok, '/v1/query',
          { hosts: [host], filters: { entity_id: entity }, limit, timeout_ms: 5000 });
        activity = activity.concat(r.rows.filter((x) => x.event.event?.kind !== 'alert'));
      }
    } catch (err) {
      note = `process activity unavailable: ${(err as Error).message}`;
    }
  }
  if (o.json) {
    io.out(formatJsonLines([...d.alerts.map(alertRow), ...activity.map((x, i) => ({ kind: 'event' as const, rowid: i, ts: Date.parse(x.event['@timestamp']), doc: x.event }))]));
  } else {
    const reason = inc.close_reason ? ` (${inc.close_reason})` : '';
    io.out(`incident ${inc.id} [${inc.severity}] ${inc.state}${reason}${inc.assignee ? `, assigned to ${inc.assignee}` : ''}: ${inc.title}`);
    io.out(`host ${inc.host_id}, ${inc.first} .. ${inc.last}, ${inc.alert_count} alerts (${inc.distinct_count} distinct), rules: ${inc.rules.join(', ')}`);
    io.out('');
    io.out(formatTable(d.alerts.map(alertRow)));
    if (activity.length) {
      io.out('');
      io.out(`what the ${entities.length} alerting process${entities.length === 1 ? '' : 'es'} did:`);
      io.out(formatTable(activity.map((x, i): QueryRow => ({ kind: 'event', rowid: i, ts: Date.parse(x.event['@timestamp']), doc: x.event }))
        .sort((a, b) => a.ts - b.ts)));
    }
  }
  if (note) io.err(note);
  return 0;
}
