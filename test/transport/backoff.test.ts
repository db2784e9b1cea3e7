import { describe, expect, it } from 'vitest';
import { Backoff } from '../../agent/src/transport/backoff';

describe('Backoff', () => {
  it('doubles the ceiling from 250 ms to the 8 s cap with full jitter (a failover reconnects within 10 s)', () => {
    const b = new Backoff({ random: () => 1 });
    const seen = Array.from({ length: 10 }, () => b.next());
    expect(seen).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000]);
    const low = new Backoff({ random: () => 0 });
    expect([low.next(), low.next()]).toEqual([0, 0]);
    const mid = new Backoff({ random: () => 0.5 });
    mid.next();
    expect(mid.next()).toBe(250);
  });

  it('reset starts over; saturate jumps to the cap', () => {
    const b = new Backoff({ random: () => 1, initialMs: 10, maxMs: 1000 });
    b.next(); b.next(); b.next();
    b.reset();
    expect(b.next()).toBe(10);
    b.saturate();
    expect(b.next()).toBe(1000);
  });
});
