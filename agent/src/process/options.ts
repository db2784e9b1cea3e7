// ProcessModel configuration: defaults, validated once, then frozen.

export interface ProcessModelOptions {
  /** /proc to seed from; tests point it elsewhere. */
  procRoot?: string;
  /** cgroup v2 mount for id -> path; false turns container lookup by id off. */
  cgroupRoot?: string | false;
  maxProcesses?: number;
  exitGraceMs?: number;
  maxAncestors?: number;
  /** How long an event of an unknown process waits for its fork/exec. */
  retryMs?: number;
  /** Waiting events beyond this are released early, oldest first. */
  maxPending?: number;
  /** Read /proc when an event's process is unknown before queueing it. */
  seedOnMiss?: boolean;
  outboundWindowMs?: number;
  maxPeers?: number;
  maxTrackedWrites?: number;
  activityRingSize?: number;
  sweepIntervalMs?: number;
  cgroupRescanMs?: number;
  clock?: () => number;
}

export type ResolvedOptions = Readonly<Required<ProcessModelOptions>>;

export class ProcessModelConfigError extends Error {
  readonly code = 'VIGIL_ERR_PROCESS_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ProcessModelConfigError';
  }
}

const DEFAULTS: ResolvedOptions = {
  procRoot: '/proc',
  cgroupRoot: '',
  maxProcesses: 32_768,
  exitGraceMs: 60_000,
  maxAncestors: 64,
  retryMs: 200,
  maxPending: 10_000,
  seedOnMiss: true,
  outboundWindowMs: 60_000,
  maxPeers: 16,
  maxTrackedWrites: 8192,
  activityRingSize: 20,
  sweepIntervalMs: 1000,
  cgroupRescanMs: 2000,
  clock: Date.now,
};

const POSITIVE_INTS = [
  'maxProcesses', 'maxAncestors', 'maxPending', 'maxPeers', 'maxTrackedWrites', 'activityRingSize',
] as const;
const NON_NEGATIVE = ['exitGraceMs', 'retryMs', 'outboundWindowMs', 'sweepIntervalMs', 'cgroupRescanMs'] as const;

export function resolveOptions(opts: ProcessModelOptions = {}): ResolvedOptions {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  for (const k of POSITIVE_INTS) {
    if (!Number.isInteger(o[k]) || o[k] < 1) {
      throw new ProcessModelConfigError(`process model option ${k} must be a positive integer, got ${String(o[k])}`);
    }
  }
  for (const k of NON_NEGATIVE) {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || o[k] < 0) {
      throw new ProcessModelConfigError(`process model option ${k} must be a number of ms >= 0, got ${String(o[k])}`);
    }
  }
  if (typeof o.clock !== 'function') throw new ProcessModelConfigError('process model option clock must be a function returning ms');
  return Object.freeze(o);
}
