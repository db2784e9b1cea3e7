// `vigil agent`: options are parsed and validated here, at the edge, into a
// frozen AgentConfig; everything past this point trusts them.
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from './logger';
import { defaultLoaderPath, type CaptureProfile } from './loader-process';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { existsSync } from 'node:fs';
import { DEFAULT_DB_PATH, DURATION_FORMS, parseDuration, parseRetention, StoreConfigError } from '../store';
import { ExecBlockError, resolveExecBlock, type ExecBlock } from './exec-block';
import { BaselineConfigError, DEFAULT_BASELINE, parseLearningPeriod, parseThresholds, type BaselineConfig } from '../baseline';
import { LEVELS, type Level } from '../baseline/config';
import { RESPONSE_ACTIONS, type ResponseAction } from '../rules/types';

/** History is capped by default: full capture can write hundreds of MB a minute. */
export const DEFAULT_RETENTION_SIZE = '2GB';
import { AgentRuntime } from './agent-runtime';
import { packageRoot } from './loader-process';
import { runAgent } from './run-agent';
import { parseListenAddress, type ListenAddress } from './metrics-server';

const MIN_RINGBUF = 4096;
const MAX_RINGBUF = 1 << 30;

/** --response-rate: automatic responses per rule per minute, 1..100000. */
export function parseResponseRate(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 100_000) throw new InvalidArgumentError('give a whole number of responses per minute, 1 to 100000');
  return n;
}

/** "8M", "65536", "512K" -> bytes; a power of two between a page and 1G. */
export function parseRingbufSize(value: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(value.trim());
  const mult = m ? ({ '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 } as Record<string, number>)[m[2].toUpperCase()] : 0;
  const bytes = m ? Number(m[1]) * mult : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_RINGBUF || bytes > MAX_RINGBUF || (bytes & (bytes - 1)) !== 0) {
    throw new InvalidArgumentError('must be a power of two between 4096 and 1G, e.g. 8M or 16777216.');
  }
  return bytes;
}

export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of: ${LOG_LEVELS.join(', ')}.`);
  }
  return value as LogLevel;
}

export function parseJsonlTarget(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('give a file path, or - for stdout.');
  return value;
}

export function parseControlPlaneUrl(value: string): string {
  // Several replicas, comma-separated: the agent moves to the next when one fails.
  if (!value.split(',').every((u) => /^(wss?|https?):\/\/[^/\s,]+/.test(u.trim()))) {
    throw new InvalidArgumentError('give ws://HOST:PORT or wss://HOST:PORT (several replicas: comma-separated).');
  }
  return value;
}

export function parseCapture(value: string): CaptureProfile {
  if (value !== 'default' && value !== 'all') throw new InvalidArgumentError('must be default or all (see docs/performance.md).');
  return value;
}

export function parseDedupWindow(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 60_000) throw new InvalidArgumentError('must be 0..60000 milliseconds (0 turns dedup off).');
  return n;
}

export function parseMetricsAddress(value: string): ListenAddress {
  try {
    return parseListenAddress(value);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
}

interface AgentFlags {
  capture: CaptureProfile;
  metrics?: ListenAddress;
  bpfStats?: boolean;
  dedupWindowMs?: number;
  jsonl?: string;
  ringbufSize?: number;
  loader?: string;
  logLevel: LogLevel;
  rules: string[];
  defaultRules: boolean;
  db: string | false;
  retentionAge?: string;
  blockExec?: string[];
  responseAllow?: string[];
  retentionSize?: string;
  controlPlane?: string;
  token?: string;
  ca?: string;
  forwardEvents?: boolean;
  baseline: boolean;
  baselineLearning?: string;
  anomalyThresholds?: string;
  baselineMaxEntries?: string;
  anomalyResponse?: { action: ResponseAction; floor: Level };
  responseDryRun?: boolean;
  kernelResponses: boolean;
  quarantineDir?: string;
  isolationAllow?: { ip: string; port: number }[];
  isolationFailsafe: string;
  responseRate: number;
}

/** "10.0.0.5:443" or "[fd00::5]:443" (port 0: every port) for --isolation-allow. */
export function parseIsolationAllow(value: string, prev: { ip: string; port: number }[] = []): { ip: string; port: number }[] {
  const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9A-Fa-f:.]+)\]):(\d{1,5})$/.exec(value.trim());
  const ip = m?.[1] ?? m?.[2];
  if (!m || !ip || isIP(ip) === 0 || Number(m[3]) > 65535) {
    throw new InvalidArgumentError('give IPV4:PORT or [IPV6]:PORT, e.g. 10.0.0.5:443 or [fd00::5]:443 (port 0 for every port).');
  }
  return [...prev, { ip, port: Number(m[3]) }];
}

/** "isolate-tree@critical" -> the action an anomaly at or above that level triggers. */
export function parseAnomalyResponse(value: string): { action: ResponseAction; floor: Level } {
  const [action, floor = 'high'] = value.split('@');
  if (!(RESPONSE_ACTIONS as readonly string[]).includes(action) || !(LEVELS as readonly string[]).includes(floor)) {
    throw new InvalidArgumentError(`give ACTION@LEVEL with ACTION one of ${RESPONSE_ACTIONS.join(', ')} and LEVEL one of ${LEVELS.join(', ')}, e.g. isolate-tree@critical.`);
  }
  return { action: action as ResponseAction, floor: floor as Level };
}

/** The baseline flags as a config, or a BaselineConfigError naming the bad flag. */
export function baselineConfig(flags: Pick<AgentFlags, 'baselineLearning' | 'anomalyThresholds' | 'baselineMaxEntries'>): BaselineConfig {
  const max = flags.baselineMaxEntries === undefined ? DEFAULT_BASELINE.maxEntries : Number(flags.baselineMaxEntries);
  if (!Number.isInteger(max) || max < 1000 || max > 10_000_000) throw new BaselineConfigError(`--baseline-max-entries must be a whole number 1000..10000000, got '${flags.baselineMaxEntries}'`);
  return Object.freeze({
    ...DEFAULT_BASELINE,
    learningMs: flags.baselineLearning === undefined ? DEFAULT_BASELINE.learningMs : parseLearningPeriod(flags.baselineLearning),
    thresholds: flags.anomalyThresholds === undefined ? DEFAULT_BASELINE.thresholds : parseThresholds(flags.anomalyThresholds),
    maxEntries: max,
  });
}

const collect = (value: string, prev: string[]): string[] => [...prev, value];

export function defaultRulesDir(): string {
  return resolve(packageRoot(), 'rules');
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('capture kernel events with the eBPF loader and emit normalized ECS events (run as root)')
    .option('--jsonl <file|->', 'append events as JSON lines to a file, or - for stdout', parseJsonlTarget)
    .option('--ringbuf-size <bytes>', 'kernel ring buffer size, power of two (K/M/G suffixes)', parseRingbufSize)
    .option('--capture <profile>', 'kernel filter profile: default (what rules and responders need, docs/performance.md) or all', parseCapture, 'default' as CaptureProfile)
    .option('--dedup-window-ms <ms>', 'default profile: fold a process\'s identical opens within this window into one event (0: off)', parseDedupWindow)
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics, e.g. 127.0.0.1:9464', parseMetricsAddress)
    .option('--bpf-stats', 'turn on kernel BPF run-time stats and export each program\'s run time (costs ~20 ns per program run)')
    .option('--loader <path>', 'vigil-loader binary (default: build/vigil-loader in the package)')
    .option('--log-level <level>', `log level on stderr: ${LOG_LEVELS.join('|')}`, parseLogLevel, 'info' as LogLevel)
    .option('--rules <dir>', 'extra Sigma rule directory (repeatable); the default set in rules/ is always loaded', collect, [] as string[])
    .option('--no-default-rules', 'do not load the bundled rules/ directory')
    .option('--db <path>', 'local event history (SQLite)', DEFAULT_DB_PATH)
    .option('--no-db', 'keep no local event history')
    .option('--block-exec <path>', 'kill every exec of this executable (by inode) in the kernel, before it runs (repeatable)', collect, [] as string[])
    .option('--response-allow <path>', 'no response (rule, anomaly or manual) ever acts on a process running this executable, by inode; spared inside a tree too (repeatable)', collect, [] as string[])
    .option('--retention-age <age>', 'prune history older than this, e.g. 7d')
    .option('--retention-size <size>', `prune history beyond this size, e.g. 500MB (default ${DEFAULT_RETENTION_SIZE})`, DEFAULT_RETENTION_SIZE)
    .option('--control-plane <url>', 'stream alerts to a control plane, e.g. ws://127.0.0.1:7070 (replicas: ws://a:7070,ws://b:7070)', parseControlPlaneUrl)
    .option('--token <token>', 'agent-role token for --control-plane (or VIGIL_TOKEN)')
    .option('--ca <path>', 'CA certificate for a wss:// control plane')
    .option('--forward-events', 'also forward every event to the control plane (off by default)')
    .option('--no-baseline', 'no behavioural baselines or anomaly alerts (docs/baseline.md)')
    .option('--baseline-learning <duration>', 'profiles learn without alerting for this long after the baseline starts (default 24h; 0: alert at once)')
    .option('--anomaly-thresholds <list>', 'anomaly score per level, e.g. low=45,medium=60,high=75,critical=90')
    .option('--baseline-max-entries <n>', 'baseline entries kept; the rarest-oldest are evicted (default 100000)')
    .option('--anomaly-response <action@level>', `act on anomalies at or above a level, e.g. isolate-tree@critical (${RESPONSE_ACTIONS.join(', ')})`, parseAnomalyResponse)
    .option('--response-dry-run', 'record (audit) every response a rule or anomaly asks for, carry none out')
    .option('--no-kernel-responses', 'carry out every rule response from user space, none in the kernel at exec (docs/response.md)')
    .option('--isolation-allow <ip:port>', 'an endpoint isolated process trees may still reach (repeatable; the control plane and loopback always may)', parseIsolationAllow)
    .option('--isolation-failsafe <duration>', 'with --control-plane: release every isolation once the control plane has been unreachable this long', '10m')
    .option('--response-rate <n>', 'at most this many automatic responses per rule (or the baseline) per minute; more are refused and audited', parseResponseRate, 30)
    .option('--quarantine-dir <dir>', 'where `vigil respond quarantine` keeps files (root-only)', '/var/lib/vigil/quarantine')
    .action(async (flags: AgentFlags) => {
      const logger = createLogger(flags.logLevel, { component: 'agent' });
      let retention;
      try {
        retention = parseRetention({ age: flags.retentionAge, size: flags.retentionSize });
      } catch (err) {
        if (!(err instanceof StoreConfigError)) throw err;
        process.stderr.write(`vigil agent: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      let execBlocks: ExecBlock[];
      let responseAllow: ExecBlock[];
      try {
        execBlocks = (flags.blockExec ?? []).map((p) => resolveExecBlock(p));
        responseAllow = (flags.responseAllow ?? []).map((p) => resolveExecBlock(p, '--response-allow'));
      } catch (err) {
        if (!(err instanceof ExecBlockError)) throw err;
        process.stderr.write(`vigil agent: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      let baseline: BaselineConfig | undefined;
      try {
        baseline = flags.baseline === false ? undefined : baselineConfig(flags);
      } catch (err) {
        if (!(err instanceof BaselineConfigError)) throw err;
        process.stderr.write(`vigil agent: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      const failsafeMs = parseDuration(flags.isolationFailsafe);
      if (failsafeMs === undefined) {
        process.stderr.write(`vigil agent: bad --isolation-failsafe '${flags.isolationFailsafe}': give ${DURATION_FORMS}\n`);
        process.exitCode = 2;
        return;
      }
      const token = flags.token ?? process.env.VIGIL_TOKEN;
      if (flags.controlPlane && !token) {
        process.stderr.write('vigil agent: --control-plane needs --token (or VIGIL_TOKEN); create one with `vigil token create --role agent`\n');
        process.exitCode = 2;
        return;
      }
      const ruleDirs = [...(flags.defaultRules && existsSync(defaultRulesDir()) ? [defaultRulesDir()] : []), ...flags.rules];
      const runtime = new AgentRuntime(Object.freeze({
        ruleDirs,
        capture: flags.capture,
        metrics: flags.metrics,
        dbPath: flags.db === false ? undefined : flags.db,
        retention,
        baseline,
        anomalyResponse: flags.anomalyResponse,
        responseDryRun: flags.responseDryRun === true,
        kernelResponses: flags.kernelResponses !== false,
        responseAllow,
        quarantineDir: flags.quarantineDir,
        isolationAllow: flags.isolationAllow,
        isolationFailsafeMs: failsafeMs,
        responsesPerMinute: flags.responseRate,
        controlPlane: flags.controlPlane && token
          ? { url: flags.controlPlane, token, caPath: flags.ca, forwardEvents: flags.forwardEvents === true }
          : undefined,
      }), logger);
      const code = await runAgent(Object.freeze({
        loaderPath: flags.loader ?? defaultLoaderPath(),
        jsonl: flags.jsonl,
        ringbufSize: flags.ringbufSize,
        capture: flags.capture,
        dedupWindowMs: flags.dedupWindowMs,
        bpfStats: flags.bpfStats === true,
        pipeline: runtime,
        execBlocks,
      }), logger);
      process.exitCode = code;
    });
}
