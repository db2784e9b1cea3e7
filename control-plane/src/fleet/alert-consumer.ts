// Every replica reads all of VIGIL_ALERTS, in order, into its own SQLite
// alert store under the stream sequence. So REST, feeds and resume-by-
// cursor on any replica share one sequence space: the stream's. An ordered
// consumer is ephemeral and recreates itself after a server restart; it
// starts after the highest seq this replica already stored.
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from 'nats';
import type { Logger } from 'pino';
import { decodeAlert } from '../../../proto/src';
import type { AlertIngest } from '../alerts/alert-ingest';
import type { AlertStore } from '../store/alert-store';
import { SOURCE_HEADER } from './alert-stream';
import type { NatsLink } from './nats-link';
import { ALERTS_STREAM } from './streams';

export class AlertConsumer {
  private messages: ConsumerMessages | undefined;
  private lastSeq = 0;

  constructor(private readonly link: NatsLink, private readonly ingest: AlertIngest, private readonly store: AlertStore,
    private readonly maxBytes: number, private readonly log: Logger) {}

  async start(): Promise<void> {
    this.lastSeq = this.store.maxSeq();
    // No filterSubjects: the stream holds only alerts, and Debian's nats-server 2.9 would hang on it (2.10+).
    const consumer = await this.link.js.consumers.get(ALERTS_STREAM, {
      deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastSeq + 1,
    });
    // Pulls expire after 5 s (default 30 s): a restarted server is noticed, and the consumer recreated, within seconds.
    this.messages = await consumer.consume({ max_messages: 1000, expires: 5000 });
    void this.loop(this.messages);
  }

  /** Highest stream seq stored here. */
  get applied(): number {
    return this.lastSeq;
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) this.apply(m);
    } catch (err) {
      this.log.error({ err }, 'alert stream consumer stopped');
    }
  }

  private apply(m: JsMsg): void {
    // An ordered consumer may redeliver after a reset; the store is the truth.
    if (m.seq <= this.lastSeq) return;
    try {
      const alert = decodeAlert(m.data, this.maxBytes);
      const source = m.headers?.get(SOURCE_HEADER) === 'control-plane' ? 'control-plane' : 'agent';
      this.ingest.fromStream(m.seq, source, alert);
    } catch (err) {
      // Every replica skips the same message, so the sequence spaces stay equal.
      this.log.error({ err, stream_seq: m.seq, subject: m.subject }, 'unreadable message in VIGIL_ALERTS skipped');
    }
    this.lastSeq = m.seq;
  }

  stop(): void {
    this.messages?.stop();
  }
}
