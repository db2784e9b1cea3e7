// Baseline settings, validated at the edge (the agent's flags).
import { DURATION_FORMS, parseDuration } from '../store/units';

export interface Thresholds {
  low: number;
  medium: number;
  high: number;
  critical: number;
}

export interface BaselineConfig {
  /** Profiles learn but never alert for this long after the baseline starts. */
  learningMs: number;
  /** A count halves in this time. */
  halfLifeMs: number;
  /** Storyline contributions fade with this half-life. */
  storylineHalfLifeMs: number;
  /** Entries kept in memory and on disk; the rarest-oldest go first. */
  maxEntries: number;
  /** Observations scoring below this are not part of a storyline. */
  minContribution: number;
  thresholds: Thresholds;
}

export const DEFAULT_THRESHOLDS: Thresholds = { low: 45, medium: 60, high: 75, critical: 90 };

export const DEFAULT_BASELINE: BaselineConfig = Object.freeze({
  learningMs: 24 * 3_600_000,
  halfLifeMs: 14 * 24 * 3_600_000,
  storylineHalfLifeMs: 15 * 60_000,
  maxEntries: 100_000,
  minContribution: 30,
  thresholds: DEFAULT_THRESHOLDS,
});

export class BaselineConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineConfigError';
  }
}

/** "low=45,medium=60,high=75,critical=90" (any subset), ascending, 1..100. */
export function parseThresholds(text: string, base: Thresholds = DEFAULT_THRESHOLDS): Thresholds {
  const out = { ...base };
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(low|medium|high|critical)=(\d{1,3})$/.exec(part);
    if (!m) throw new BaselineConfigError(`bad anomaly threshold '${part}': use level=score, e.g. medium=60 (levels: low, medium, high, critical)`);
    out[m[1] as keyof Thresholds] = Number(m[2]);
  }
  const order = [out.low, out.medium, out.high, out.critical];
  if (order.some((x) => x < 1 || x > 100) || order.some((x, i) => i > 0 && x < order[i - 1])) {
    throw new BaselineConfigError(`anomaly thresholds must be 1..100 and ascending low <= medium <= high <= critical, got ${JSON.stringify(out)}`);
  }
  return out;
}

export function parseLearningPeriod(text: string): number {
  if (text.trim() === '0') return 0;
  const ms = parseDuration(text);
  if (ms === undefined) throw new BaselineConfigError(`bad learning period '${text}': give ${DURATION_FORMS} (0 to alert at once)`);
  return ms;
}

export type Level = 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: Level[] = ['low', 'medium', 'high', 'critical'];

/** The level a score reaches, or undefined below `low`. */
export function levelOf(score: number, t: Thresholds): Level | undefined {
  if (score >= t.critical) return 'critical';
  if (score >= t.high) return 'high';
  if (score >= t.medium) return 'medium';
  if (score >= t.low) return 'low';
  return undefined;
}
