// Live alerts are matched in memory the way replays are matched in SQL:
// tags ignore case, severity lists select exact severities.
import { describe, expect, it } from 'vitest';
import { matches } from '../../../control-plane/src/feeds/feed-filter';
import type { StoredAlert } from '../../../control-plane/src/store/alert-store';

const alert = { seq: 1, host_id: 'h1', rule_id: 'r', severity_rank: 4, tags: ['T1059', 'Execution'], timestamp: '2026-01-01T00:00:00Z' } as StoredAlert;

describe('feed filter matches()', () => {
  it('compares tags without regard to case', () => {
    expect(matches(alert, { tag: 'execution' })).toBe(true);
    expect(matches(alert, { tag: 'EXECUTION' })).toBe(true);
    expect(matches(alert, { tag: 'persistence' })).toBe(false);
  });

  it('takes a list of severities', () => {
    expect(matches(alert, { severity_ranks: [4, 5] })).toBe(true);
    expect(matches(alert, { severity_ranks: [5] })).toBe(false);
  });
});
