// AlertBatch and EventBatch handling for an agent session: store, then
// Ack. Alerts are acked with the highest agent seq stored for the host,
// so a re-sent batch is acked again without storing anything twice.
import { VigilError } from '../errors';
import type { Alert, AlertBatch, Envelope, EnvelopeInit } from '../../../proto/src';
import type { AgentSessionDeps } from './agent-session';

export interface SessionIo {
  send(env: EnvelopeInit): void;
  /** A batch this session sent could not be stored: the session closes and the agent re-sends from its outbox. */
  failed?(err: unknown): void;
}

export type BatchEnvelope = Extract<Envelope, { payload: 'alert_batch' | 'event_batch' }>;

/** Each alert with its agent seq; throws PROTOCOL_VIOLATION for a batch no mode may store. */
export function validateAlertBatch(hostId: string, batch: AlertBatch): Array<{ seq: number; alert: Alert }> {
  return batch.alerts.map((alert, i) => {
    const seq = alert.seq || batch.first_seq + i;
    if (seq < 1) throw new VigilError('PROTOCOL_VIOLATION', 'alert seq must be >= 1 (set Alert.seq or AlertBatch.first_seq)');
    if (alert.host_id && alert.host_id !== hostId) {
      throw new VigilError('PROTOCOL_VIOLATION', `alert for host ${alert.host_id} sent on the connection of ${hostId}`);
    }
    if (!alert.rule_id) throw new VigilError('PROTOCOL_VIOLATION', `alert seq ${seq} has no rule_id`);
    return { seq, alert };
  });
}

export function handleBatch(io: SessionIo, hostId: string, env: BatchEnvelope, deps: AgentSessionDeps): void {
  if (env.payload === 'event_batch') {
    const n = env.event_batch.events.length;
    deps.metrics.eventsReceived.inc(n);
    // Events are not persisted by the embedded control plane: agents keep
    // their own history and answer QueryRequest from it.
    if (n > 0) io.send({ ack: { stream: 'ACK_STREAM_EVENTS', seq: env.event_batch.first_seq + n - 1 } });
    return;
  }
  const items = validateAlertBatch(hostId, env.alert_batch);
  deps.commits.add(hostId, items, (err) => (err === undefined
    ? io.send({ ack: { stream: 'ACK_STREAM_ALERTS', seq: deps.alerts.maxAgentSeq(hostId) } })
    : io.failed?.(err)));
}
