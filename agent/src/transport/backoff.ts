// Reconnect delays: exponential with full jitter (AWS Architecture Blog,
// "Exponential Backoff and Jitter"), so a fleet reconnecting after a control
// plane restart spreads out instead of arriving in waves.
export interface BackoffOptions {
  initialMs?: number;   // default 250
  maxMs?: number;       // default 8000: a replica failover must reconnect within 10 s
  random?: () => number;
}

/** The longest wait between reconnects: short enough that an outage past the control plane's grace is rare. */
export const DEFAULT_BACKOFF_MAX_MS = 8000;

export class Backoff {
  private attempt = 0;
  readonly initialMs: number;
  readonly maxMs: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 250;
    this.maxMs = opts.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
    this.random = opts.random ?? Math.random;
  }

  /** The ceiling for the next attempt: initial * 2^attempt, capped. */
  ceiling(): number {
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
  }

  /** Delay before the next attempt, uniformly in [0, ceiling]; advances the attempt count. */
  next(): number {
    const delay = Math.round(this.random() * this.ceiling());
    this.attempt++;
    return delay;
  }

  /** Jump straight to the cap (auth refused, superseded): retrying fast cannot help. */
  saturate(): void {
    this.attempt = 31;
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
