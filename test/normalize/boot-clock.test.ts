import { describe, expect, it } from 'vitest';
import { BootClock, estimateRealtimeOffsetNs, isoFromEpochNs } from '../../agent/src/normalize/boot-clock';

describe('BootClock', () => {
  it('formats epoch ns as ISO with nanoseconds', () => {
    expect(isoFromEpochNs(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(isoFromEpochNs(1_700_000_000_000_000_007n)).toBe('2023-11-14T22:13:20.000000007Z');
  });

  it('adds the loader offset to boot time, reusing the per-second prefix correctly', () => {
    const c = new BootClock(0n);
    expect(c.setOffset('1700000000000000000')).toBe(true);
    expect(c.toIso(5n)).toBe('2023-11-14T22:13:20.000000005Z');
    expect(c.toIso(999_999_999n)).toBe('2023-11-14T22:13:20.999999999Z');
    expect(c.toIso(1_000_000_000n)).toBe('2023-11-14T22:13:21.000000000Z');
    expect(c.toIso(5n)).toBe('2023-11-14T22:13:20.000000005Z');
  });

  it('rejects offsets that are not decimal strings and bumps generation only on real moves', () => {
    const c = new BootClock(1_000_000_000n);
    expect(c.setOffset(12)).toBe(false);
    expect(c.setOffset('12abc')).toBe(false);
    expect(c.realtimeOffsetNs).toBe(1_000_000_000n);
    const g = c.generation;
    c.setOffset('1000000500');
    expect(c.generation).toBe(g);
    c.setOffset('2000000000');
    expect(c.generation).toBe(g + 1);
  });

  it('estimates the offset from /proc/uptime within a second of the truth', () => {
    const est = estimateRealtimeOffsetNs();
    const [uptime] = require('node:fs').readFileSync('/proc/uptime', 'utf8').split(' ');
    const truth = BigInt(Date.now()) * 1_000_000n - BigInt(Math.round(Number(uptime) * 1e9));
    const diff = est > truth ? est - truth : truth - est;
    expect(diff < 1_000_000_000n).toBe(true);
  });
});
