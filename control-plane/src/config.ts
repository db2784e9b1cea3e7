// Control plane options: validated once at start against a small schema,
// defaults filled, then frozen. Everything downstream reads Config.
import { VigilError } from './errors';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dbPath: string;                 // ':memory:' for tests
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** auto: off loopback without a cert, generate one (tls/generated-tls.ts); off: plaintext everywhere. */
  readonly tlsMode: 'auto' | 'off';
  /** Where generated TLS material lives (default: <db>.tls/). */
  readonly tlsDir?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly heartbeatIntervalMs: number;    // agents must heartbeat this often; 3 missed = offline
  readonly maxFrameBytes: number;          // agent socket ws maxPayload and codec cap
  readonly feedMaxBufferedBytes: number;   // per-subscriber socket backlog before 4408
  readonly feedMaxQueued: number;          // per-subscriber queued alerts during replay before 4408
  readonly replayPageSize: number;         // alerts read from SQLite per replay page
  readonly queryDefaultTimeoutMs: number;
  readonly queryMaxTimeoutMs: number;
  readonly queryMaxRows: number;
  readonly uiDir?: string;                 // dashboard assets folder, for the dashboard plug-in
  readonly natsUrl?: string;               // --nats: JetStream backbone (nats://host:port[,...]); absent = embedded
  readonly natsMaxPending: number;         // JetStream publishes awaiting their ack, per replica
}

export type ConfigInput = Partial<Record<keyof Config, unknown>>;

type Rule =
  | { type: 'string'; default?: string; optional?: boolean; oneOf?: readonly string[] }
  | { type: 'int'; default: number; min: number; max: number };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const SCHEMA: Record<keyof Config, Rule> = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'int', default: 7070, min: 0, max: 65535 },
  dbPath: { type: 'string', default: 'vigil-control-plane.db' },
  tlsCert: { type: 'string', optional: true },
  tlsKey: { type: 'string', optional: true },
  tlsMode: { type: 'string', default: 'auto', oneOf: ['auto', 'off'] },
  tlsDir: { type: 'string', optional: true },
  logLevel: { type: 'string', default: 'info', oneOf: LOG_LEVELS },
  heartbeatIntervalMs: { type: 'int', default: 10_000, min: 10, max: 3_600_000 },
  maxFrameBytes: { type: 'int', default: 4 * 1024 * 1024, min: 1024, max: 64 * 1024 * 1024 },
  feedMaxBufferedBytes: { type: 'int', default: 8 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 },
  feedMaxQueued: { type: 'int', default: 10_000, min: 1, max: 10_000_000 },
  replayPageSize: { type: 'int', default: 500, min: 1, max: 10_000 },
  queryDefaultTimeoutMs: { type: 'int', default: 5_000, min: 1, max: 600_000 },
  queryMaxTimeoutMs: { type: 'int', default: 60_000, min: 1, max: 600_000 },
  queryMaxRows: { type: 'int', default: 10_000, min: 1, max: 1_000_000 },
  uiDir: { type: 'string', optional: true },
  natsUrl: { type: 'string', optional: true },
  natsMaxPending: { type: 'int', default: 4096, min: 1, max: 1_000_000 },
};

const NATS_URL_RE = /^(nats|tls):\/\/[^\s,/]+(,(nats|tls):\/\/[^\s,/]+)*$/;

function check(key: string, rule: Rule, raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') {
    if (rule.type === 'int' || rule.default !== undefined) return rule.default;
    if (rule.optional) return undefined;
    throw new VigilError('CONFIG_INVALID', `${key} is required`);
  }
  if (rule.type === 'int') {
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < rule.min || n > rule.max) {
      throw new VigilError('CONFIG_INVALID', `${key} must be an integer in [${rule.min}, ${rule.max}], got ${JSON.stringify(raw)}`);
    }
    return n;
  }
  if (typeof raw !== 'string') throw new VigilError('CONFIG_INVALID', `${key} must be a string`);
  if (rule.oneOf && !rule.oneOf.includes(raw)) {
    throw new VigilError('CONFIG_INVALID', `${key} must be one of ${rule.oneOf.join(', ')}, got "${raw}"`);
  }
  return raw;
}

/** Splits "host:port" / "[v6]:port" / ":port". */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  if (!m) throw new VigilError('CONFIG_INVALID', `--listen must be HOST:PORT (e.g. 127.0.0.1:7070), got "${listen}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}

export function loadConfig(input: ConfigInput = {}): Config {
  for (const key of Object.keys(input)) {
    if (!(key in SCHEMA)) throw new VigilError('CONFIG_INVALID', `unknown option "${key}"`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(SCHEMA)) {
    const v = check(key, rule, input[key as keyof Config]);
    if (v !== undefined) out[key] = v;
  }
  if (Boolean(out.tlsCert) !== Boolean(out.tlsKey)) {
    throw new VigilError('CONFIG_INVALID', '--tls-cert and --tls-key must be given together');
  }
  if (out.natsUrl !== undefined && !NATS_URL_RE.test(out.natsUrl as string)) {
    throw new VigilError('CONFIG_INVALID', `--nats must be nats://HOST:PORT (comma-separate several servers), got "${out.natsUrl}"`);
  }
  if ((out.queryDefaultTimeoutMs as number) > (out.queryMaxTimeoutMs as number)) {
    throw new VigilError('CONFIG_INVALID', 'queryDefaultTimeoutMs must not exceed queryMaxTimeoutMs');
  }
  return Object.freeze(out) as unknown as Config;
}
