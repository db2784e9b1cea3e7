import { describe, expect, it } from 'vitest';
import { buildAlert } from '../../agent/src/alerts/build-alert';
import { AlertDeduper } from '../../agent/src/alerts/deduper';
import type { RuleMeta } from '../../agent/src/rules/types';
import { at, makeEvent } from '../rules/fixtures';

const rule = (id: string): RuleMeta => ({ id, title: id, level: 'medium', tags: [], references: [], falsepositives: [], file: 'x', line: 1 });
const alert = (ruleId: string, ent: string, sec: number) =>
  buildAlert({ rule: rule(ruleId), events: [makeEvent('exec', { '@timestamp': at(sec), process: { entity_id: ent } })] });

describe('AlertDeduper', () => {
  it('emits the first alert, folds repeats and emits one update when the window closes', () => {
    let now = 0;
    const d = new AlertDeduper({ windowMs: 60_000, now: () => now });
    const first = alert('r', 'p1', 0);
    expect(d.offer(first)).toEqual([first]);
    now = 10_000;
    expect(d.offer(alert('r', 'p1', 10))).toEqual([]);
    now = 20_000;
    const last = alert('r', 'p1', 20);
    expect(d.offer(last)).toEqual([]);
    now = 59_999;
    expect(d.flush()).toEqual([]);
    now = 60_000;
    const [u, ...rest] = d.flush();
    expect(rest).toEqual([]);
    expect(u.event.id).toBe(first.event.id); // same id: stores upsert
    expect(u.vigil.alert).toMatchObject({ count: 3, first_seen: at(0), last_seen: at(20) });
    expect(u.vigil.alert.events).toBe(last.vigil.alert.events);
    expect(d.openWindows).toBe(0);
    // next occurrence opens a new window and is emitted at once
    const again = alert('r', 'p1', 70);
    expect(d.offer(again)).toEqual([again]);
  });

  it('keys on rule and process: different rules or processes are not folded', () => {
    const d = new AlertDeduper({ now: () => 0 });
    expect(d.offer(alert('r', 'p1', 0))).toHaveLength(1);
    expect(d.offer(alert('r', 'p2', 0))).toHaveLength(1);
    expect(d.offer(alert('q', 'p1', 0))).toHaveLength(1);
    expect(d.openWindows).toBe(3);
  });

  it('emits nothing on close for a single alert; drain closes everything', () => {
    let now = 0;
    const d = new AlertDeduper({ windowMs: 1000, now: () => now });
    d.offer(alert('r', 'p1', 0));
    d.offer(alert('r', 'p2', 0));
    d.offer(alert('r', 'p2', 0));
    expect(d.drain().map((a) => [a.process?.entity_id, a.vigil.alert.count])).toEqual([['p2', 2]]);
    now = 5000;
    expect(d.flush()).toEqual([]);
  });

  it('bounds open windows, closing the oldest early', () => {
    const d = new AlertDeduper({ now: () => 0, maxKeys: 2 });
    d.offer(alert('r', 'p1', 0));
    d.offer(alert('r', 'p1', 1));
    d.offer(alert('r', 'p2', 0));
    const out = d.offer(alert('r', 'p3', 0));
    expect(out.map((a) => [a.process?.entity_id, a.vigil.alert.count])).toEqual([['p1', 2], ['p3', 1]]);
    expect(d.openWindows).toBe(2);
  });

  it('flushes on an unref\'d timer when started', async () => {
    let now = 0;
    const d = new AlertDeduper({ windowMs: 10, now: () => now });
    d.offer(alert('r', 'p1', 0));
    d.offer(alert('r', 'p1', 0));
    const got: number[] = [];
    d.start((a) => got.push(a.vigil.alert.count), 5);
    now = 100;
    await new Promise((r) => setTimeout(r, 30));
    d.stop();
    expect(got).toEqual([2]);
  });
});
