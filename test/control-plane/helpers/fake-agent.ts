// A fake agent speaking the vigil.v1 agent protocol, as the real agent
// transport must: hello -> ServerHello, then batches/heartbeats, acks,
// and answers to QueryRequest (through a handler the test provides).
import type { AgentHello, Alert, DeepPartial, Envelope, EnvelopeInit, QueryRequest } from '../../../proto/src';
import { PROTOCOL_VERSION, decodeEnvelope, encodeEnvelope, eventToProto, normalize } from '../../../proto/src';
import { until } from './harness';
import { TestSocket } from './ws-client';

export type QueryHandler = (req: QueryRequest) => { rows: object[]; truncated?: boolean; error?: string } | null;

export class FakeAgent {
  readonly sock: TestSocket;
  readonly received: Envelope[] = [];
  onQuery: QueryHandler | undefined;

  constructor(base: string, token: string, readonly hello: Partial<AgentHello> & { host_id: string }) {
    this.sock = new TestSocket(`${base}/v1/agent`, { token });
    this.sock.ws.on('message', (data: Buffer) => {
      const env = decodeEnvelope(data);
      this.received.push(env);
      if (env.payload === 'query_request' && this.onQuery) {
        const out = this.onQuery(env.query_request);
        if (out) {
          this.send({ query_result: {
            query_id: env.query_request.query_id, events: out.rows.map(eventToProto),
            truncated: out.truncated ?? false, error: out.error ?? '',
          } });
        }
      }
    });
  }

  static async connect(base: string, token: string, hello: Partial<AgentHello> & { host_id: string }): Promise<FakeAgent> {
    const a = new FakeAgent(base, token, hello);
    await a.sock.opened();
    a.send({ hello: { hostname: `host-${hello.host_id}`, kernel: '6.18.0', agent_version: '0.1.0', capabilities: ['CAPABILITY_QUERY'],
      protocol_major: PROTOCOL_VERSION.major, protocol_minor: PROTOCOL_VERSION.minor, ...hello } });
    await a.waitFor('server_hello');
    return a;
  }

  send(env: EnvelopeInit): void {
    this.sock.ws.send(encodeEnvelope(env));
  }

  sendAlerts(firstSeq: number, alerts: DeepPartial<Alert>[]): void {
    this.send({ alert_batch: { first_seq: firstSeq, alerts } });
  }

  /** Waits for the n-th (1-based, counting from the start) envelope of a kind. */
  async waitFor<K extends Envelope['payload']>(kind: K, n = 1, timeoutMs = 5000): Promise<Extract<Envelope, { payload: K }>> {
    await until(() => this.of(kind).length >= n, timeoutMs, `${n} x ${kind}`);
    return this.of(kind)[n - 1];
  }

  of<K extends Envelope['payload']>(kind: K): Array<Extract<Envelope, { payload: K }>> {
    return this.received.filter((e): e is Extract<Envelope, { payload: K }> => e.payload === kind);
  }

  close(): void {
    this.sock.close();
  }
}

export function sampleAlert(seq: number, over: DeepPartial<Alert> = {}): DeepPartial<Alert> {
  return {
    id: `alert-${seq}`, seq, rule_id: 'proc-shell-from-web', rule_name: 'Shell spawned by web server',
    severity: 'SEVERITY_HIGH', technique_ids: ['T1059.004'], tactic_names: ['execution'],
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, seq % 60)).toISOString(), count: 1,
    json: JSON.stringify({ '@timestamp': '2025-01-01T00:00:00Z', rule: { id: 'proc-shell-from-web' }, seq }),
    ...over,
  };
}

/** Stores alerts straight through the ingest service (no socket), as an agent batch would. */
export function ingestAlerts(
  vigil: { ingest: { fromAgent(host: string, seq: number, a: import('../../../proto/src').Alert): unknown } },
  host: string, fromSeq: number, n: number, over: DeepPartial<Alert> = {},
): void {
  for (let s = fromSeq; s < fromSeq + n; s++) vigil.ingest.fromAgent(host, s, normalize<Alert>('Alert', sampleAlert(s, over)));
}
