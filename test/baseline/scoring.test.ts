import { describe, expect, it } from 'vitest';
import { combineScores, rarityScore } from '../../agent/src/baseline/scoring';
import { FrequencyTable } from '../../agent/src/baseline/frequency-table';

const DAY = 86_400_000;

describe('rarity scoring', () => {
  it('gives no score without evidence', () => {
    expect(rarityScore({ total: 0, distinct: 0, novel: 0, count: 0 })).toBe(0);
  });

  it('scores a first in a stable context high, and in a varied one low', () => {
    const stable = rarityScore({ total: 1000, distinct: 2, novel: 0, count: 0 });
    const varied = rarityScore({ total: 1000, distinct: 400, novel: 300, count: 0 });
    expect(stable).toBeGreaterThan(90);
    expect(varied).toBeLessThan(10);
  });

  it('discounts a context that has seen little', () => {
    const little = rarityScore({ total: 5, distinct: 1, novel: 0, count: 0 });
    const much = rarityScore({ total: 500, distinct: 1, novel: 0, count: 0 });
    expect(little).toBeLessThan(much / 3);
  });

  it('a repeat scores far below a first', () => {
    const first = rarityScore({ total: 1000, distinct: 2, novel: 0, count: 0 });
    const again = rarityScore({ total: 1000, distinct: 3, novel: 1, count: 1 });
    expect(again).toBeLessThan(first / 3);
  });

  it('combines independent scores as noisy-or', () => {
    expect(combineScores([50, 50])).toBeCloseTo(75);
    expect(combineScores([])).toBe(0);
    expect(combineScores([100, 10])).toBe(100);
  });
});

describe('FrequencyTable', () => {
  it('decays counts with the half-life and tracks values seen once', () => {
    const t = new FrequencyTable(DAY);
    t.add('lineage', '/bin/bash', '/bin/ls', 0);
    t.add('lineage', '/bin/bash', '/bin/ls', 0);
    t.add('lineage', '/bin/bash', '/bin/id', 0);
    const e = t.evidence('lineage', '/bin/bash', '/bin/ls', DAY);
    expect(e.count).toBeCloseTo(1);
    expect(e.total).toBeCloseTo(1.5);
    expect(e.distinct).toBe(2);
    expect(e.novel).toBeCloseTo(1);
    expect(t.evidence('lineage', '/bin/bash', '/bin/new', 0).count).toBe(0);
  });

  it('evicts the rarest-oldest entries over the cap and records them for the next save', () => {
    const t = new FrequencyTable(DAY);
    for (let i = 0; i < 100; i++) t.add('exe', '*', `/bin/p${i}`, i, i < 50 ? 5 : 1);
    expect(t.evict(60, 100)).toBe(100 - 54);
    expect(t.size).toBe(54);
    // The heavy ones stay.
    for (let i = 0; i < 50; i++) expect(t.evidence('exe', '*', `/bin/p${i}`, 100).count).toBeGreaterThan(0);
    expect(t.removed.size).toBe(46);
  });
});
