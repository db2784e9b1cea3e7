// One agent connection on /v1/agent: binary protobuf Envelopes.
// AgentHello first (answered with ServerHello), then Heartbeat, AlertBatch
// (answered with Ack), EventBatch (Ack) and QueryResult (for our
// QueryRequests). Anything else closes this connection only, with a
// specific close code; nothing here throws into the server.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { AlertIngest } from '../alerts/alert-ingest';
import type { Config } from '../config';
import { isVigilError } from '../errors';
import type { Metrics } from '../metrics';
import type { ActionRequest, ActionResult, AgentHello, Envelope, EnvelopeInit, Event, QueryRequest, QueryResult } from '../../../proto/src';
import { PROTOCOL_VERSION, assertCompatible, decodeEnvelope, encodeEnvelope, scanEventBatch, formatVersion, helloVersion } from '../../../proto/src';
import type { AgentStore } from '../store/agent-store';
import type { TokenStore } from '../store/token-store';
import type { AlertStore } from '../store/alert-store';
import { CLOSE, closeReason } from '../../../proto/src/close-codes';
import type { Fleet } from '../fleet/fleet';
import { FleetBatchQueue } from '../fleet/fleet-batches';
import type { AgentRegistry } from './agent-registry';
import { handleBatch, type SessionIo } from './agent-batches';
import type { GroupCommit } from '../alerts/group-commit';
import type { ExecIndex } from '../store/exec-index';
import type { ExceptionStore } from '../store/exception-store';
import { pushExceptions } from '../exceptions/exception-push';

export const SERVER_VERSION = '0.1.0';
const HOST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AgentSessionDeps {
  config: Config; agents: AgentStore; alerts: AlertStore; ingest: AlertIngest;
  registry: AgentRegistry; metrics: Metrics; log: Logger; tokens: TokenStore;
  /** Fleet exec history fed from forwarded event batches. */
  execIndex?: ExecIndex;
  /** Group commit of alert batches. */
  commits: GroupCommit;
  /** Rule exceptions for the agent's host, sent right after ServerHello. */
  exceptions?: ExceptionStore;
  /** --nats: batches go to JetStream and are acked after it acks. */
  fleet?: Fleet;
}

export type ActionOutcome = { status: 'ok'; result: ActionResult } | { status: 'timeout' } | { status: 'disconnected' };

export type QueryOutcome =
  | { status: 'ok'; result: QueryResult }
  | { status: 'timeout' }
  | { status: 'disconnected' };

class ProtocolError extends Error {
  constructor(readonly closeCode: number, message: string) { super(message); }
}

/** Frames an agent may send before its ServerHello while the token's host is agreed. */
const MAX_HELD_FRAMES = 64;

const backboneDown = (): ProtocolError =>
  new ProtocolError(CLOSE.BACKBONE_UNAVAILABLE, 'fleet backbone (NATS) unavailable; reconnect later, keep alerts queued');

/**
 * The Envelope of a frame. A forwarded EventBatch is only scanned
 * (proto/src/event-batch-scan.ts): its events carry just what this control
 * plane reads (exec, timestamp, process.executable) and the frame's bytes go
 * on as they came. Decoding every typed event cost 4x the JSON-string
 * events of protocol 1.2 and saturated the replicas at 50k events/s.
 */
function scannedOrDecoded(data: Uint8Array, maxBytes: number): Envelope {
  const batch = scanEventBatch(data, maxBytes);
  if (!batch) return decodeEnvelope(data, maxBytes);
  const events = batch.events.map((e) => ({ timestamp: e.timestamp, ...(e.exec ? { exec: {} } : {}), process: { executable: e.executable } }));
  return { payload: 'event_batch', event_batch: { first_seq: batch.first_seq, events: events as unknown as Event[] } };
}

export class AgentSession implements SessionIo {
  hostId: string | undefined;
  hello: AgentHello | undefined;
  private closed = false;
  private readonly pending = new Map<string, (o: QueryOutcome) => void>();
  private readonly pendingActions = new Map<string, (o: ActionOutcome) => void>();
  private fleetBatches: FleetBatchQueue | undefined;
  private log: Logger;
  /** --nats: frames that came while the replicas agree on the token's host (replayed in order after). */
  private heldWhileBinding: { env: Envelope; raw?: Uint8Array }[] | undefined;

  constructor(private readonly ws: WebSocket, private readonly deps: AgentSessionDeps, remote: string, private readonly tokenId: string) {
    this.log = deps.log.child({ remote });
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('error', (err) => {
      // ws raises these for frames it rejects itself (1009 too big, 1002 bad framing) and closes.
      this.deps.metrics.framesRejected.inc({ reason: (err as { code?: string }).code ?? 'ws_error' });
      this.log.warn({ err: err.message }, 'agent socket error; connection closed');
    });
    ws.on('close', () => this.onClose());
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    try {
      if (!isBinary) throw new ProtocolError(CLOSE.BAD_FRAME, 'text frame; send binary protobuf Envelopes');
      let env: Envelope;
      try {
        env = scannedOrDecoded(data, this.deps.config.maxFrameBytes);
      } catch (err) {
        if (isVigilError(err, 'FRAME_TOO_LARGE')) throw new ProtocolError(CLOSE.TOO_BIG, err.message);
        if (isVigilError(err, 'PROTOCOL_VIOLATION')) throw new ProtocolError(CLOSE.PROTOCOL_VIOLATION, err.message);
        if (isVigilError(err)) throw new ProtocolError(CLOSE.BAD_FRAME, err.message);
        throw err;
      }
      this.dispatch(env, data);
    } catch (err) {
      if (err instanceof ProtocolError) return this.reject(err.closeCode, err.message);
      this.log.error({ err }, 'agent frame handling failed');
      this.reject(CLOSE.INTERNAL, 'internal error; see the control plane log');
    }
  }

  /** `raw`: the frame as received (forwarded event batches go on to JetStream as is, not re-encoded). */
  private dispatch(env: Envelope, raw?: Uint8Array): void {
    if (this.heldWhileBinding) {
      if (this.heldWhileBinding.length >= MAX_HELD_FRAMES) throw new ProtocolError(CLOSE.PROTOCOL_VIOLATION, 'too many frames before ServerHello; wait for it');
      this.heldWhileBinding.push({ env, raw });
      return;
    }
    if (!this.hostId) {
      if (env.payload !== 'hello') throw new ProtocolError(CLOSE.BAD_FRAME, `first frame must be AgentHello, got ${env.payload}`);
      return this.onHello(env.hello);
    }
    const hostId = this.hostId;
    this.deps.agents.touch(hostId);
    switch (env.payload) {
      case 'heartbeat': {
        this.deps.agents.recordHeartbeat(hostId, env.heartbeat);
        const { timestamp: _t, risky_trees: _r, ...counters } = env.heartbeat;
        this.deps.metrics.agentHeartbeats.set(hostId, counters as Record<string, number>);
        this.deps.fleet?.publishHeartbeat(hostId, env.heartbeat);
        return;
      }
      case 'alert_batch':
      case 'event_batch':
        if (env.payload === 'event_batch') this.indexExecs(hostId, env.event_batch.events);
        try {
          if (this.fleetBatches) return this.fleetBatches.push(env, raw);
          return handleBatch(this, hostId, env, this.deps);
        } catch (err) {
          if (isVigilError(err, 'PROTOCOL_VIOLATION')) throw new ProtocolError(CLOSE.PROTOCOL_VIOLATION, err.message);
          throw err;
        }
      case 'query_result': {
        const done = this.pending.get(env.query_result.query_id);
        if (!done) return this.log.debug({ query_id: env.query_result.query_id }, 'late or unknown query result ignored');
        return done({ status: 'ok', result: env.query_result });
      }
      case 'action_result': {
        const done = this.pendingActions.get(env.action_result.action_id);
        if (!done) return this.log.warn({ action_id: env.action_result.action_id }, 'late or unknown action result ignored');
        return done({ status: 'ok', result: env.action_result });
      }
      case 'hello':
        throw new ProtocolError(CLOSE.PROTOCOL_VIOLATION, 'duplicate AgentHello');
      default:
        throw new ProtocolError(CLOSE.PROTOCOL_VIOLATION, `agents may not send ${env.payload}`);
    }
  }

  private onHello(hello: AgentHello): void {
    if (!HOST_ID_RE.test(hello.host_id)) {
      throw new ProtocolError(CLOSE.BAD_FRAME, 'AgentHello.host_id must be 1-128 chars of [A-Za-z0-9._:-] (use /etc/machine-id)');
    }
    try {
      assertCompatible(helloVersion(hello));
    } catch (err) {
      if (isVigilError(err, 'PROTOCOL_VERSION')) throw new ProtocolError(CLOSE.PROTOCOL_VERSION, err.message);
      throw err;
    }
    // One token, one host: a stolen agent token cannot speak for another host.
    const fleet = this.deps.fleet;
    if (!fleet) return this.accept(hello, this.deps.tokens.bindHost(this.tokenId, hello.host_id));
    if (!fleet.healthy) throw backboneDown();
    // A binding is never undone: one this replica already holds is the answer (a reconnect storm after a
    // failover asks the backbone nothing). Only a first binding is agreed through it, so two hosts racing
    // one token on two replicas get one answer.
    const known = this.deps.tokens.record(this.tokenId)?.bound_host;
    if (known) return this.accept(hello, known);
    this.heldWhileBinding = [];
    fleet.claimHost(this.tokenId, hello.host_id).then(
      (bound) => this.afterBinding(() => this.accept(hello, bound)),
      (err: Error) => this.afterBinding(() => {
        this.log.warn({ err: err.message }, 'token host binding not agreed');
        throw new ProtocolError(CLOSE.BACKBONE_UNAVAILABLE, 'could not bind this token to its host through the fleet backbone; reconnect later');
      }),
    );
  }

  /** Runs the rest of the hello, then the frames held meanwhile, as onMessage would have. */
  private afterBinding(next: () => void): void {
    const held = this.heldWhileBinding ?? [];
    this.heldWhileBinding = undefined;
    if (this.closed) return;
    try {
      next();
      for (const f of held) {
        if (this.closed) return;
        this.dispatch(f.env, f.raw);
      }
    } catch (err) {
      if (err instanceof ProtocolError) return this.reject(err.closeCode, err.message);
      this.log.error({ err }, 'agent frame handling failed');
      this.reject(CLOSE.INTERNAL, 'internal error; see the control plane log');
    }
  }

  private accept(hello: AgentHello, bound: string): void {
    if (bound !== hello.host_id) {
      throw new ProtocolError(CLOSE.FORBIDDEN, `this agent token belongs to host ${bound}; give each host its own (vigil token create --role agent)`);
    }
    const fleet = this.deps.fleet;
    if (fleet && !fleet.healthy) throw backboneDown();
    this.hostId = hello.host_id;
    this.hello = hello;
    this.log = this.log.child({ host_id: hello.host_id });
    if (fleet) this.fleetBatches = new FleetBatchQueue(this, hello.host_id, fleet, this.deps.metrics, this.log);
    this.deps.agents.upsertHello(hello);
    this.deps.fleet?.announceAgent(hello);
    this.deps.registry.attach(hello.host_id, this);
    this.send({
      server_hello: {
        alert_seq: this.deps.alerts.maxAgentSeq(hello.host_id),
        heartbeat_interval_ms: this.deps.config.heartbeatIntervalMs,
        server_version: SERVER_VERSION,
        protocol_major: PROTOCOL_VERSION.major,
        protocol_minor: PROTOCOL_VERSION.minor,
      },
    });
    if (this.deps.exceptions) pushExceptions(this, this.deps.exceptions);
    this.log.info({ hostname: hello.hostname, version: hello.agent_version, protocol: formatVersion(helloVersion(hello)) }, 'agent connected');
  }

  send(env: EnvelopeInit): void {
    if (this.closed) return;
    this.ws.send(encodeEnvelope(env, this.deps.config.maxFrameBytes));
  }

  /** Sends an ActionRequest and resolves with the agent's ActionResult, a timeout, or a disconnect. */
  action(req: Omit<ActionRequest, 'action_id'>, timeoutMs: number): Promise<ActionOutcome> {
    return this.request(this.pendingActions, timeoutMs, 'ActionRequest', (actionId) => ({ action_request: { ...req, action_id: actionId } }));
  }

  /** Sends a QueryRequest and resolves with its QueryResult, a timeout, or a disconnect. */
  query(filters: Partial<Omit<QueryRequest, 'query_id'>>, timeoutMs: number): Promise<QueryOutcome> {
    return this.request(this.pending, timeoutMs, 'QueryRequest', (queryId) => ({ query_request: { ...filters, query_id: queryId, timeout_ms: timeoutMs } }));
  }

  /** One request to the agent, answered by the frame carrying its id (settled through `pending`). */
  private request<O extends { status: string }>(
    pending: Map<string, (o: O) => void>, timeoutMs: number, what: string, frame: (id: string) => EnvelopeInit,
  ): Promise<O> {
    if (this.closed) return Promise.resolve({ status: 'disconnected' } as O);
    const id = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish({ status: 'timeout' } as O), timeoutMs);
      const finish = (o: O) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(o);
      };
      pending.set(id, finish);
      try {
        this.send(frame(id));
      } catch (err) {
        this.log.error({ err }, `cannot send ${what}`);
        finish({ status: 'disconnected' } as O);
      }
    });
  }

  /** Fleet history of who ran what; never in the way of the batch itself. */
  private indexExecs(hostId: string, events: Parameters<ExecIndex['add']>[1]): void {
    try {
      this.deps.execIndex?.add(hostId, events);
    } catch (err) {
      this.log.error({ err }, 'could not index the exec events of a forwarded batch');
    }
  }

  failed(err: unknown): void {
    this.log.error({ err }, 'could not store an alert batch; closing so the agent re-sends it');
    this.reject(CLOSE.INTERNAL, 'could not store alerts; reconnect and re-send');
  }

  private reject(code: number, message: string): void {
    this.deps.metrics.framesRejected.inc({ reason: String(code) });
    this.log.warn({ close_code: code, reason: message }, 'closing agent connection');
    this.close(code, message);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, closeReason(reason));
    this.onClose();
  }

  private onClose(): void {
    this.closed = true;
    if (this.hostId) this.deps.registry.detach(this.hostId, this);
    for (const done of [...this.pending.values()]) done({ status: 'disconnected' });
    for (const done of [...this.pendingActions.values()]) done({ status: 'disconnected' });
  }
}
