// The kernel counters a STATS frame carries: mirrors VIGIL_STAT_KEYS in
// bpf/events.h (index = enum vigil_stat, key = the frame's JSON key).
// test/decode/kernel-stats.test.ts compiles this table against the header.

export interface KernelStat {
  cName: string;
  index: number;
  key: string;
}

export const KERNEL_STATS: readonly KernelStat[] = [
  { cName: 'VIGIL_STAT_EVENTS', index: 0, key: 'events' },
  { cName: 'VIGIL_STAT_DROPS', index: 1, key: 'drops' },
  { cName: 'VIGIL_STAT_TRUNCATED', index: 2, key: 'truncated' },
  { cName: 'VIGIL_STAT_FILTERED', index: 3, key: 'filtered' },
  { cName: 'VIGIL_STAT_DEDUPED', index: 4, key: 'deduped' },
  { cName: 'VIGIL_STAT_ABANDONED_SCRATCH', index: 5, key: 'abandoned_scratch' },
  { cName: 'VIGIL_STAT_ABANDONED_SIZE', index: 6, key: 'abandoned_size' },
];

const ABANDONED_PREFIX = 'abandoned_';

/** Why a probe gave up on a record it had started: the `reason` label of vigil_kernel_abandoned_total. */
export const ABANDON_REASONS: readonly string[] = KERNEL_STATS
  .filter((s) => s.key.startsWith(ABANDONED_PREFIX))
  .map((s) => s.key.slice(ABANDONED_PREFIX.length));

export const abandonKey = (reason: string): string => `${ABANDONED_PREFIX}${reason}`;
