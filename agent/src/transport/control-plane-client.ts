// The agent's link to the control plane. Alerts are persisted in the outbox
// first and leave it only when acked; the socket reconnects forever with
// jittered backoff. Per connection: AgentHello -> ServerHello (resume point)
// -> outbox backlog in seq order -> live alerts, heartbeats, queries.
import type { Logger } from 'pino';
import type { ActionRequest, ActionResult, AgentHello, Envelope, EnvelopeInit, QueryRequest } from '../../../proto/src';
import { encodeEnvelope } from '../../../proto/src';
import { CLOSE } from '../../../proto/src/close-codes';
import { AgentSocket } from './agent-socket';
import { AlertSender } from './alert-sender';
import { Backoff } from './backoff';
import { resolveOptions, type ControlPlaneClientOptions, type ResolvedOptions } from './client-options';
import { TransportConfigError } from './errors';
import { EventForwarder, type EventForwarderStats } from './event-forwarder';
import { buildHeartbeat } from './heartbeat';
import { buildHello } from './host-identity';
import { Outbox } from './outbox';
import { answerQuery } from './query-responder';

export interface ControlPlaneClientStats {
  connected: boolean;
  sent: number;        // alerts sent (resends included)
  acked: number;       // outbox rows removed by acks
  pending: number;     // rows in the outbox
  reconnects: number;
  dropped: number;     // outbox overflow
  rejected: number;    // alerts that could not be queued (not an object, disk error, stopped)
  queries: number;     // QueryResults sent
  events: EventForwarderStats;
}

const REFUSED = new Set<number>([CLOSE.UNAUTHENTICATED, CLOSE.FORBIDDEN, CLOSE.SUPERSEDED]);

export class ControlPlaneClient {
  readonly hello: AgentHello;
  private readonly o: ResolvedOptions;
  private readonly log: Logger;
  private readonly outbox: Outbox;
  private readonly sender: AlertSender;
  private readonly events: EventForwarder;
  private readonly backoff: Backoff;
  private socket: AgentSocket | undefined;
  private live = false;
  private liveSince = 0;
  private started = false;
  private stopped = false;
  private pumpQueued = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private heartbeatMs: number;
  private lastHeartbeat = 0;
  private activeQueries = 0;
  private failures = 0;
  private urlIndex = 0;
  private counters = { reconnects: 0, rejected: 0, queries: 0 };
  private idleWaiters: Array<() => void> = [];

  constructor(opts: ControlPlaneClientOptions) {
    this.o = resolveOptions(opts);
    this.log = this.o.logger.child({ module: 'control-plane-client' });
    this.hello = buildHello(this.o.hello, this.o.forwardEvents);
    try {
      encodeEnvelope({ hello: this.hello });
    } catch (err) {
      throw new TransportConfigError('hello', (err as Error).message);
    }
    this.heartbeatMs = this.o.heartbeatMs;
    this.outbox = new Outbox({ path: this.o.outboxPath, maxRows: this.o.outboxMaxRows, logger: this.log });
    this.sender = new AlertSender(this.outbox, {
      batchSize: this.o.batchSize, maxBatchBytes: this.o.maxBatchBytes, maxInflight: this.o.maxInflight, log: this.log,
    });
    this.events = new EventForwarder({ maxQueue: this.o.eventMaxQueue, batchSize: 512, maxBatchBytes: this.o.maxBatchBytes, log: this.log });
    this.backoff = new Backoff({ initialMs: this.o.backoffInitialMs, maxMs: this.o.backoffMaxMs });
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.connect();
    if (this.o.forwardEvents) {
      this.eventTimer = setInterval(() => this.flushEvents(), this.o.eventFlushMs);
      this.eventTimer.unref();
    }
  }

  /** Persists the alert (its agent seq is returned) and sends it when connected. Never throws. */
  enqueueAlert(doc: object): number | undefined {
    let seq: number;
    try {
      seq = this.outbox.enqueue(doc);
    } catch (err) {
      this.counters.rejected++;
      this.log.error({ err: (err as Error).message }, 'alert not queued for the control plane');
      return undefined;
    }
    this.schedulePump();
    return seq;
  }

  /** Best effort (only with forwardEvents): queued in memory, dropped when full. */
  enqueueEvents(docs: readonly object[]): void {
    if (this.o.forwardEvents && !this.stopped) this.events.push(docs);
  }

  stats(): ControlPlaneClientStats {
    const ob = this.outbox.stats();
    return {
      connected: this.live, sent: this.sender.sent, acked: ob.acked, pending: ob.pending,
      reconnects: this.counters.reconnects, dropped: ob.dropped, rejected: this.counters.rejected,
      queries: this.counters.queries, events: this.events.stats(),
    };
  }

  /** Graceful: sends what is queued, waits up to flushTimeoutMs for acks, closes. Unacked rows stay queued. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.eventTimer);
    if (this.live) {
      this.flushEvents();
      this.pump();
      await this.waitIdle(this.o.flushTimeoutMs);
    }
    clearInterval(this.tickTimer);
    const sock = this.socket;
    if (sock) {
      sock.close(CLOSE.NORMAL, 'agent stopping');
      await sock.closed$(1000);
    }
    this.outbox.close();
    this.log.info({ pending: this.outbox.pending }, 'control plane client stopped');
  }

  /** The replica to try now (several URLs: the next one after each lost or failed connection). */
  private get currentUrl(): string {
    return this.o.urls[this.urlIndex % this.o.urls.length];
  }

  private connect(): void {
    if (this.stopped) return;
    const sock: AgentSocket = new AgentSocket(
      { url: this.currentUrl, token: this.o.token, ca: this.o.ca, maxFrameBytes: this.o.maxFrameBytes, log: this.log },
      {
        onOpen: () => sock.send({ hello: this.hello }),
        onEnvelope: (env) => this.onEnvelope(sock, env),
        onBadFrame: (reason) => this.recycle(sock, CLOSE.BAD_FRAME, reason),
        onClose: (code, reason) => this.onClose(sock, code, reason),
      },
    );
    this.socket = sock;
  }

  private onEnvelope(sock: AgentSocket, env: Envelope): void {
    if (sock !== this.socket) return;
    if (!this.live && env.payload !== 'server_hello') return this.recycle(sock, CLOSE.PROTOCOL_VIOLATION, `expected ServerHello, got ${env.payload}`);
    switch (env.payload) {
      case 'server_hello': {
        if (this.live) return this.recycle(sock, CLOSE.PROTOCOL_VIOLATION, 'duplicate ServerHello');
        const sh = env.server_hello;
        this.live = true;
        this.liveSince = Date.now();
        this.failures = 0;
        this.heartbeatMs = Math.min(this.o.heartbeatMs, sh.heartbeat_interval_ms || this.o.heartbeatMs);
        this.sender.onServerHello(sh.alert_seq);
        this.log.info({ url: this.currentUrl, server_version: sh.server_version, resume_after: sh.alert_seq, pending: this.outbox.pending }, 'connected to control plane');
        this.sendHeartbeat();
        this.tickTimer = setInterval(() => this.tick(sock), Math.max(10, Math.min(this.heartbeatMs, 1000)));
        this.tickTimer.unref();
        this.pump();
        return this.flushEvents();
      }
      case 'ack':
        if (env.ack.stream === 'ACK_STREAM_EVENTS') return this.events.onAck(env.ack.seq);
        this.sender.onAck(env.ack.seq);
        return this.pump();
      case 'query_request':
        return void this.answer(sock, env.query_request);
      case 'action_request':
        return void this.act(sock, env.action_request);
      case 'exception_set':
        return this.o.exceptionsHandler?.(env.exception_set);
      default:
        return this.recycle(sock, CLOSE.PROTOCOL_VIOLATION, `control plane may not send ${env.payload}`);
    }
  }

  private async act(sock: AgentSocket, req: ActionRequest): Promise<void> {
    const t0 = Date.now();
    let result: Omit<ActionResult, 'action_id'>;
    try {
      result = this.o.actionHandler
        ? await this.o.actionHandler(req)
        : { ok: false, error: 'this agent takes no response actions', pids: [], ref: '', latency_ms: 0 };
    } catch (err) {
      result = { ok: false, error: (err as Error).message, pids: [], ref: '', latency_ms: Date.now() - t0 };
    }
    this.log.warn({ action_id: req.action_id, action: req.action, ok: result.ok, error: result.error }, 'control-plane action');
    // Dropped with its socket: the control plane reports a disconnect as an unconfirmed action.
    if (sock === this.socket) sock.send({ action_result: { ...result, action_id: req.action_id } });
  }

  private async answer(sock: AgentSocket, req: QueryRequest): Promise<void> {
    if (!this.o.queryHandler || this.activeQueries >= this.o.maxConcurrentQueries) {
      const error = this.o.queryHandler ? `agent is busy with ${this.activeQueries} queries; retry shortly` : 'this agent does not answer queries';
      this.counters.queries += sock.send({ query_result: { query_id: req.query_id, error } }) ? 1 : 0;
      return;
    }
    this.activeQueries++;
    try {
      const result = await answerQuery(req, this.o.queryHandler, { maxBytes: this.o.maxFrameBytes });
      if (result.error) this.log.warn({ query_id: req.query_id, error: result.error }, 'query answered with an error');
      // A result for a connection that has since closed is dropped: the control plane already saw the disconnect.
      if (sock === this.socket && sock.send({ query_result: result })) this.counters.queries++;
    } finally {
      this.activeQueries--;
    }
  }

  /** Heartbeats, liveness (no frame/pong for 3 intervals) and stuck acks. */
  private tick(sock: AgentSocket): void {
    if (sock !== this.socket || !this.live) return;
    const now = Date.now();
    if (now - this.lastHeartbeat >= this.heartbeatMs) {
      this.sendHeartbeat();
      sock.ping();
    }
    if (now - sock.lastSeen > 3 * this.heartbeatMs + 1000) return this.recycle(sock, CLOSE.GOING_AWAY, 'control plane silent for 3 heartbeat intervals');
    const oldest = this.sender.oldestInflightAt;
    if (oldest !== undefined && now - oldest > this.o.ackTimeoutMs) this.recycle(sock, CLOSE.GOING_AWAY, `no ack within ${this.o.ackTimeoutMs} ms`);
  }

  private sendHeartbeat(): void {
    this.lastHeartbeat = Date.now();
    this.socket?.send({ heartbeat: buildHeartbeat(this.o.statsProvider, this.log) });
  }

  private schedulePump(): void {
    if (this.pumpQueued || !this.live) return;
    this.pumpQueued = true;
    // Coalesces a burst of enqueues into few batches.
    setImmediate(() => { this.pumpQueued = false; this.pump(); });
  }

  private pump(): void {
    const sock = this.socket;
    if (this.live && sock) this.sender.pump((env: EnvelopeInit) => sock.send(env));
    if (this.outbox.pending === 0 || !this.live) for (const w of this.idleWaiters.splice(0)) w();
  }

  private flushEvents(): void {
    const sock = this.socket;
    if (this.live && sock) this.events.flush((env) => sock.send(env));
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    if (this.outbox.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }

  private recycle(sock: AgentSocket, code: number, reason: string): void {
    if (sock !== this.socket) return;
    this.log.warn({ code, reason }, 'recycling the control plane connection');
    sock.close(code, reason);
  }

  private onClose(sock: AgentSocket, code: number, reason: string): void {
    if (sock !== this.socket) return;
    const wasLive = this.live;
    this.live = false;
    this.socket = undefined;
    clearInterval(this.tickTimer);
    this.sender.onDisconnect();
    for (const w of this.idleWaiters.splice(0)) w();
    if (this.stopped) return;
    this.urlIndex++;
    if (wasLive && Date.now() - this.liveSince >= this.o.stableMs) this.backoff.reset();
    if (REFUSED.has(code)) this.backoff.saturate();
    const delay = this.backoff.next();
    this.counters.reconnects++;
    const level = REFUSED.has(code) ? 'error' : wasLive || this.failures++ % 10 === 0 ? 'warn' : 'debug';
    this.log[level]({ code, reason, retry_ms: delay, pending: this.outbox.pending }, wasLive ? 'control plane connection lost' : 'cannot connect to the control plane');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
