// ControlPlaneClient options: validated once at construction, defaults
// filled, then frozen (the CA file is read here so a bad path fails at start).
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import pino from 'pino';
import type { ActionRequest, ActionResult, AgentHello, ExceptionSet } from '../../../proto/src';
import { MAX_FRAME_BYTES } from '../../../proto/src';
import { DEFAULT_BACKOFF_MAX_MS } from './backoff';
import { TransportConfigError } from './errors';
import type { QueryHandler } from './query-responder';

/** Loader counters reported in each Heartbeat (cumulative since the agent started). */
export interface HeartbeatStats {
  events: number; drops: number; truncated: number; filtered: number;
  probes_attached: number; probes_failed: number;
  /** The riskiest behavioural storylines now (baseline on). */
  risky_trees?: { entity_id: string; pid?: number; executable?: string; risk: number; summary: string }[];
}

export interface ControlPlaneClientOptions {
  /**
   * ws://HOST:PORT or wss://HOST:PORT, optionally with /v1/agent (http(s):// also accepted).
   * Several control-plane replicas, comma-separated, are tried in turn: the
   * next one after a connection fails or is lost.
   */
  url: string;
  /** Bearer token of role `agent`. */
  token: string;
  /** SQLite file for the alert outbox (the event store's file or a sibling). */
  outboxPath: string;
  logger?: Logger;
  hello?: Partial<AgentHello>;
  heartbeatMs?: number;
  statsProvider?: () => HeartbeatStats;
  queryHandler?: QueryHandler;
  /** Carries out a response action the control plane asked for, and says how it went. */
  actionHandler?: (req: ActionRequest) => Promise<Omit<ActionResult, 'action_id'>>;
  /** Takes the control plane's rule exceptions for this host (each set replaces the last). */
  exceptionsHandler?: (set: ExceptionSet) => void;
  forwardEvents?: boolean;
  /** PEM CA bundle that signed the control plane's certificate (wss://). */
  caPath?: string;
  outboxMaxRows?: number;
  batchSize?: number;          // alerts per AlertBatch, default 256
  maxBatchBytes?: number;      // default 1 MiB
  maxInflight?: number;        // unacked alerts on the wire, default 2048
  maxFrameBytes?: number;      // incoming frame cap, default 4 MiB (the protocol's)
  backoffInitialMs?: number;   // default 250
  backoffMaxMs?: number;       // default 8000 (backoff.ts)
  stableMs?: number;           // a connection live this long resets the backoff, default 10000
  ackTimeoutMs?: number;       // unacked batch older than this recycles the connection, default 30000
  flushTimeoutMs?: number;     // stop() waits this long for acks, default 3000
  eventFlushMs?: number;       // EventBatch cadence, default 1000
  eventMaxQueue?: number;      // default 10000
  maxConcurrentQueries?: number; // default 4
}

export type ResolvedOptions = Readonly<Required<Omit<ControlPlaneClientOptions, 'caPath' | 'hello' | 'queryHandler' | 'statsProvider' | 'actionHandler' | 'exceptionsHandler'>>
  & Pick<ControlPlaneClientOptions, 'hello' | 'queryHandler' | 'statsProvider' | 'actionHandler' | 'exceptionsHandler'>
  & { ca?: Buffer; urls: readonly string[] }>;

const DEFAULTS = {
  heartbeatMs: 5000, forwardEvents: false, outboxMaxRows: 100_000, batchSize: 256, maxBatchBytes: 1024 * 1024,
  maxInflight: 2048, maxFrameBytes: MAX_FRAME_BYTES, backoffInitialMs: 250, backoffMaxMs: DEFAULT_BACKOFF_MAX_MS, stableMs: 10_000,
  ackTimeoutMs: 30_000, flushTimeoutMs: 3000, eventFlushMs: 1000, eventMaxQueue: 10_000, maxConcurrentQueries: 4,
} as const;

/** Normalises the control plane URL to ws(s)://host:port/v1/agent. */
/** The comma-separated replica URLs of --control-plane, each as agentUrl gives it. */
export function controlPlaneUrls(raw: string): string[] {
  return raw.split(',').map((u) => agentUrl(u.trim()));
}

export function agentUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new TransportConfigError('url', `"${raw}" is not a URL; use ws://HOST:PORT or wss://HOST:PORT`);
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[u.protocol];
  if (!scheme) throw new TransportConfigError('url', `scheme ${u.protocol} is not supported; use ws:// or wss://`);
  u.protocol = scheme;
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/v1/agent';
  return u.toString();
}

export function resolveOptions(o: ControlPlaneClientOptions): ResolvedOptions {
  if (typeof o.token !== 'string' || o.token.trim() === '') {
    throw new TransportConfigError('token', 'is required; create one with `vigil token create --role agent`');
  }
  if (typeof o.outboxPath !== 'string' || o.outboxPath === '') throw new TransportConfigError('outboxPath', 'is required');
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  for (const k of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    if (k === 'forwardEvents') continue;
    const v = out[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new TransportConfigError(k, `must be a positive integer, got ${String(v)}`);
  }
  const urls = controlPlaneUrls(String(o.url));
  out.urls = Object.freeze(urls);
  out.url = urls[0];
  out.logger = o.logger ?? pino({ level: 'silent' });
  if (o.caPath) {
    try {
      out.ca = readFileSync(o.caPath);
    } catch (err) {
      throw new TransportConfigError('caPath', `cannot read ${o.caPath}: ${(err as Error).message}`);
    }
  }
  delete out.caPath;
  return Object.freeze(out) as unknown as ResolvedOptions;
}
