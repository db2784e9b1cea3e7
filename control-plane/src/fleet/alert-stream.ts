// Alerts into VIGIL_ALERTS, one stream message per alert (a protobuf
// vigil.v1.Alert). Agent alerts carry msgID "<host>:<agent seq>", so a
// batch re-sent after a lost ack is deduplicated by JetStream; alerts the
// control plane raises itself are marked by a header.
import { randomUUID } from 'node:crypto';
import { headers } from 'nats';
import type { Alert } from '../../../proto/src';
import { encodeAlert, toFields } from '../../../proto/src';
import type { BoundedPublisher } from './bounded-publisher';
import { alertSubject, changeSubject } from './streams';
import type { Change } from '../changes/change';

export const SOURCE_HEADER = 'Vigil-Source';
/** SOURCE_HEADER of a control-plane change (triage, exception): JSON, not an Alert. */
export const CHANGE_SOURCE = 'change';

/** Room left for headers and the subject within the server's max_payload. */
const ENVELOPE_SLACK = 4096;

export class AlertStream {
  constructor(private readonly pub: BoundedPublisher, private readonly maxBytes: number,
    private readonly maxPayload: () => number = () => Number.MAX_SAFE_INTEGER) {}

  /** Resolves once JetStream has acked every alert of the batch (a duplicate counts as stored). */
  async publishAgentBatch(hostId: string, items: ReadonlyArray<{ seq: number; alert: Alert }>): Promise<void> {
    await Promise.all(items.map(({ seq, alert }) => this.pub.publish(
      alertSubject(hostId),
      this.fitted({ ...alert, host_id: hostId, seq, global_seq: 0 }),
      { msgID: `${hostId}:${seq}` },
    )));
  }

  /**
   * The alert's bytes, within the server's message size. One over it (an
   * agent may send up to maxFrameBytes) would be refused on every resend
   * for ever: it goes without its document and event copies instead, its
   * rule, host, process and times intact, marked as cut.
   */
  private fitted(alert: Alert): Uint8Array {
    const bytes = encodeAlert(alert, this.maxBytes);
    const limit = this.maxPayload();
    if (bytes.length <= limit - ENVELOPE_SLACK) return bytes;
    const cut = { vigil: { cut: `alert was ${bytes.length} bytes, over the fleet backbone's ${limit}-byte message size: its document and event copies were left out` } };
    return encodeAlert({ ...alert, triggering_events: [], related_events: [], extensions: toFields(cut), json: '' }, this.maxBytes);
  }

  /** A triage or exception change, in the alerts' order; resolves with its stream seq. */
  async publishChange(c: Change): Promise<number> {
    const h = headers();
    h.set(SOURCE_HEADER, CHANGE_SOURCE);
    const ack = await this.pub.publish(changeSubject(), Buffer.from(JSON.stringify(c)), { msgID: `change:${randomUUID()}`, headers: h });
    return ack.seq;
  }

  async publishControlPlaneAlert(alert: Alert, msgID = `control-plane:${randomUUID()}`): Promise<void> {
    const h = headers();
    h.set(SOURCE_HEADER, 'control-plane');
    await this.pub.publish(alertSubject(alert.host_id), encodeAlert({ ...alert, seq: 0, global_seq: 0 }, this.maxBytes),
      { msgID, headers: h });
  }
}
