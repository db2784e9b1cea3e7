// --nats mode in one object: the NATS link, the bounded publisher, the
// streams agents' data goes to, and the consumer that fills this replica's
// alert store from VIGIL_ALERTS. It also raises the control plane's own
// alerts through the stream, so they get a seq in the same space.
import type { Logger } from 'pino';
import type { Alert, EventBatch, Heartbeat } from '../../../proto/src';
import { raisedAlert, type AlertIngest, type AlertRaiser, type RaisedAlert } from '../alerts/alert-ingest';
import type { Config } from '../config';
import type { AlertStore } from '../store/alert-store';
import { AlertConsumer } from './alert-consumer';
import { AlertStream } from './alert-stream';
import { BoundedPublisher } from './bounded-publisher';
import type { NatsLink } from './nats-link';
import { TelemetryStream } from './telemetry-stream';

export class Fleet implements AlertRaiser {
  private readonly alerts: AlertStream;
  private readonly telemetry: TelemetryStream;
  readonly consumer: AlertConsumer;

  constructor(private readonly link: NatsLink, ingest: AlertIngest, store: AlertStore, config: Config, private readonly log: Logger) {
    // Separate caps: a flood of forwarded events never queues alerts behind it.
    this.alerts = new AlertStream(new BoundedPublisher(link, config.natsMaxPending), config.maxFrameBytes);
    this.telemetry = new TelemetryStream(new BoundedPublisher(link, config.natsMaxPending), config.maxFrameBytes, log);
    this.consumer = new AlertConsumer(link, ingest, store, config.maxFrameBytes, log);
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  get healthy(): boolean {
    return this.link.healthy;
  }

  publishAlerts(hostId: string, items: ReadonlyArray<{ seq: number; alert: Alert }>): Promise<void> {
    return this.alerts.publishAgentBatch(hostId, items);
  }

  publishEvents(hostId: string, batch: EventBatch, raw?: Uint8Array): Promise<void> {
    return this.telemetry.publishEvents(hostId, batch, raw);
  }

  publishHeartbeat(hostId: string, hb: Heartbeat): void {
    this.telemetry.publishHeartbeat(hostId, hb);
  }

  raise(partial: RaisedAlert): void {
    this.alerts.publishControlPlaneAlert(raisedAlert(partial))
      .catch((err: Error) => this.log.error({ err: err.message, rule_id: partial.rule_id, host_id: partial.host_id }, 'control-plane alert not published'));
  }

  async close(): Promise<void> {
    this.consumer.stop();
    await this.link.close();
  }
}
