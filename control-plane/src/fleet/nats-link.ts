// The control plane's one NATS connection: connect (failing fast with an
// actionable error), follow its status so /healthz and the batch path know
// whether JetStream is reachable now, and drain on close.
import { connect, Events, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { VigilError } from '../errors';
import { ensureStreams } from './streams';

export class NatsLink {
  private up = true;

  private constructor(readonly nc: NatsConnection, readonly js: JetStreamClient, readonly jsm: JetStreamManager, private readonly log: Logger) {
    void this.follow();
  }

  static async open(url: string, log: Logger): Promise<NatsLink> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: url.split(','), name: 'vigil-control-plane',
        // Keep trying for ever: an outage is reported on /healthz, not fatal.
        maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000,
        // No stack trace captured per request (every JetStream publish is one): about 4% of a replica's CPU.
        noAsyncTraces: true,
      });
    } catch (err) {
      throw new VigilError('NATS_UNAVAILABLE', `${url}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const jsm = await nc.jetstreamManager({ timeout: 5000 });
      await ensureStreams(jsm);
      return new NatsLink(nc, nc.jetstream({ timeout: 5000 }), jsm, log);
    } catch (err) {
      await nc.close();
      throw new VigilError('NATS_UNAVAILABLE', `${url} has no JetStream (start nats-server with -js): ${(err as Error).message}`, { cause: err });
    }
  }

  /** Connected to a server right now (JetStream requests may still time out). */
  get healthy(): boolean {
    return this.up && !this.nc.isClosed();
  }

  private async follow(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === Events.Disconnect) {
        this.up = false;
        this.log.warn({ server: s.data }, 'NATS disconnected; refusing agent batches until it is back');
      } else if (s.type === Events.Reconnect) {
        this.up = true;
        this.log.info({ server: s.data }, 'NATS reconnected');
      }
    }
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch {
      await this.nc.close();
    }
  }
}
