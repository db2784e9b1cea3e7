// --nats mode in one object: the NATS link, the bounded publisher, the
// streams agents' data goes to, and the consumer that fills this replica's
// alert store from VIGIL_ALERTS. It also raises the control plane's own
// alerts through the stream, so they get a seq in the same space, and
// shares API tokens with the other replicas (token-replicator.ts) and
// relays queries and actions to whichever replica holds an agent (agent-relay.ts).
import type { Logger } from 'pino';
import type { AgentHello, Alert, EventBatch, Heartbeat } from '../../../proto/src';
import { raisedAlert, type AlertIngest, type AlertRaiser, type RaisedAlert } from '../alerts/alert-ingest';
import type { Config } from '../config';
import type { AgentRegistry } from '../agents/agent-registry';
import type { AgentStore } from '../store/agent-store';
import type { AlertStore } from '../store/alert-store';
import type { TokenStore } from '../store/token-store';
import { AlertConsumer } from './alert-consumer';
import { AlertStream } from './alert-stream';
import { BoundedPublisher } from './bounded-publisher';
import { HeartbeatFollower } from './heartbeat-follower';
import { AgentDirectory } from './agent-directory';
import { AgentRelay } from './agent-relay';
import type { NatsLink } from './nats-link';
import { TelemetryStream } from './telemetry-stream';
import { TokenReplicator } from './token-replicator';
import type { Change } from '../changes/change';
import type { ExecIndex } from '../store/exec-index';
import { ExecHistoryRelay } from './exec-history-relay';

/** A control-plane alert is retried this often, for this long (within the stream's duplicate window). */
const RAISE_RETRY_MS = 1000;
const RAISE_RETRY_FOR_MS = 5 * 60_000;

export class Fleet implements AlertRaiser {
  private closed = false;
  private readonly alerts: AlertStream;
  private readonly telemetry: TelemetryStream;
  readonly consumer: AlertConsumer;
  readonly heartbeats: HeartbeatFollower;
  readonly relay: AgentRelay;
  private tokenReplicator: TokenReplicator | undefined;
  private directory: AgentDirectory | undefined;

  constructor(private readonly link: NatsLink, ingest: AlertIngest, store: AlertStore, private readonly agents: AgentStore,
    registry: AgentRegistry, private readonly tokens: TokenStore, private readonly config: Config, private readonly log: Logger) {
    // Separate caps: a flood of forwarded events never queues alerts behind it.
    this.alerts = new AlertStream(new BoundedPublisher(link, config.natsMaxPending), config.maxFrameBytes,
      () => link.nc.info?.max_payload ?? 1024 * 1024);
    this.telemetry = new TelemetryStream(new BoundedPublisher(link, config.natsMaxPending), config.maxFrameBytes, log);
    this.consumer = new AlertConsumer(link, ingest, store, config.maxFrameBytes, log);
    this.heartbeats = new HeartbeatFollower(link, agents, log.child({ module: 'heartbeats' }));
    this.relay = new AgentRelay(link, registry, log.child({ module: 'agent-relay' }));
  }

  async start(): Promise<void> {
    await this.consumer.start();
    await this.heartbeats.start();
    this.tokenReplicator = await TokenReplicator.open(this.link, this.tokens, this.log.child({ module: 'tokens' }));
    await this.tokenReplicator.start();
    this.directory = await AgentDirectory.open(this.link, this.agents, this.config.heartbeatIntervalMs, this.log.child({ module: 'agents' }));
    await this.directory.start();
    this.execHistory?.start();
  }

  /** Binds an agent token to a host, agreed by every replica (TokenReplicator.claimHost). */
  claimHost(tokenId: string, hostId: string): Promise<string> {
    if (!this.tokenReplicator) return Promise.resolve(this.tokens.bindHost(tokenId, hostId));
    return this.tokenReplicator.claimHost(tokenId, hostId);
  }

  /** Shares an agent's hello with the other replicas (GET /v1/agents anywhere lists it). */
  announceAgent(hello: AgentHello): void {
    this.directory?.announce(hello);
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

  /**
   * Publishes a control-plane alert. Replicas that raise the same rule for
   * the same host with no heartbeat from it in between describe one event:
   * the shared msgID lets JetStream keep one of them. While NATS is away the
   * publish is retried (the msgID makes a retry harmless), so an agent that
   * went offline during an outage still gets its alert.
   */
  /** Answers and asks "which hosts ran X" across replicas (set before start). */
  execHistory: ExecHistoryRelay | undefined;

  useExecIndex(index: ExecIndex): void {
    this.execHistory = new ExecHistoryRelay(this.link, index, this.log);
  }

  /** A triage or exception change into the ordered alert stream; resolves with its stream seq. */
  publishChange(c: Change): Promise<number> {
    return this.alerts.publishChange(c);
  }

  raise(partial: RaisedAlert): void {
    const msgID = `control-plane:${partial.rule_id}:${partial.host_id}:hb${this.heartbeats.lastSeqOf(partial.host_id)}`;
    this.publishRaised(raisedAlert(partial), msgID, Date.now());
  }

  private publishRaised(alert: Alert, msgID: string, since: number): void {
    if (this.closed) return;
    this.alerts.publishControlPlaneAlert(alert, msgID).catch((err: Error) => {
      const giveUp = Date.now() - since > RAISE_RETRY_FOR_MS;
      this.log[giveUp ? 'error' : 'warn']({ err: err.message, rule_id: alert.rule_id, host_id: alert.host_id },
        giveUp ? 'control-plane alert not published; gave up' : 'control-plane alert not published yet; retrying');
      if (!giveUp) setTimeout(() => this.publishRaised(alert, msgID, since), RAISE_RETRY_MS).unref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.consumer.stop();
    this.heartbeats.stop();
    this.relay.stop();
    this.tokenReplicator?.stop();
    this.directory?.stop();
    this.execHistory?.stop();
    await this.link.close();
  }
}
