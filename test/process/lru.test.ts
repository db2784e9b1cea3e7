import { describe, expect, it } from 'vitest';
import { LruMap } from '../../agent/src/process/lru';

describe('LruMap', () => {
  it('evicts the oldest entry when full and reports it', () => {
    const gone: string[] = [];
    const m = new LruMap<string, number>(4, (k) => gone.push(k));
    for (const k of ['a', 'b', 'c', 'd', 'e']) m.set(k, 1);
    expect(gone).toEqual(['a']);
    expect(m.size).toBe(4);
    expect(m.evicted).toBe(1);
  });

  it('never evicts an entry read within the last quarter of its capacity of inserts', () => {
    const cap = 64;
    const gone = new Set<number>();
    const m = new LruMap<number, number>(cap, (k) => gone.add(k));
    for (let i = 0; i < cap; i++) m.set(i, i);
    // Key 0 is the oldest; reading it moves it to the front of the order.
    expect(m.get(0)).toBe(0);
    for (let i = cap; i < cap + cap - 1; i++) {
      m.set(i, i);
      if (i % 8 === 0) expect(m.get(0)).toBe(0);
    }
    expect(gone.has(0)).toBe(false);
    expect(gone.has(1)).toBe(true);
  });

  it('an entry never read again is evicted after capacity newer inserts', () => {
    const m = new LruMap<number, number>(16);
    m.set(-1, -1);
    m.get(-1);
    for (let i = 0; i < 16; i++) m.set(i, i);
    expect(m.has(-1)).toBe(false);
  });

  it('set on an existing key replaces the value and moves it to the newest end', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    expect(m.peek('a')).toBe(3);
    expect([...m.entries()]).toEqual([['b', 2], ['a', 3]]);
    expect([...m.values()]).toEqual([2, 3]);
    expect(m.delete('a')).toBe(true);
    expect(m.size).toBe(1);
  });
});
