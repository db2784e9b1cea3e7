import { describe, expect, it } from 'vitest';
import { ANCESTOR_ARGS_MAX, newEntry, ProcessTable } from '../../agent/src/process/process-table';

const entry = (entityId: string, pid: number, ppid: number, parentEntityId?: string) =>
  newEntry({ entityId, pid, ppid, parentEntityId, executable: `/bin/${entityId}`, source: 'seed', firstSeenMs: 0 });

describe('ProcessTable', () => {
  it('walks ancestors nearest first and stops after pid 1', () => {
    const t = new ProcessTable();
    t.put(entry('init', 1, 0));
    t.put(entry('sshd', 50, 1, 'init'));
    t.put(entry('bash', 60, 50)); // no fork-time parent: found by ppid
    t.put(entry('vim', 70, 60, 'bash'));
    expect(t.ancestors('vim').map((a) => [a.pid, a.entity_id, a.executable])).toEqual([
      [60, 'bash', '/bin/bash'], [50, 'sshd', '/bin/sshd'], [1, 'init', '/bin/init'],
    ]);
    expect(t.ancestors('init')).toEqual([]);
  });

  it('caps each ancestor\'s args so one huge argv cannot inflate every descendant event', () => {
    const t = new ProcessTable();
    const big = newEntry({ entityId: 'runner', pid: 40, ppid: 1, executable: '/bin/runner', source: 'seed', firstSeenMs: 0 });
    big.args = ['runner', '--env', 'x'.repeat(10_000), '--tail'];
    t.put(big);
    const small = newEntry({ entityId: 'sh', pid: 41, ppid: 40, parentEntityId: 'runner', executable: '/bin/sh', source: 'seed', firstSeenMs: 0 });
    small.args = ['sh', '-c', 'true'];
    t.put(small);
    t.put(entry('child', 42, 41, 'sh'));
    const [sh, runner] = t.ancestors('child');
    expect(sh).toEqual({ pid: 41, entity_id: 'sh', executable: '/bin/sh', args: ['sh', '-c', 'true'] });
    expect(runner.args_truncated).toBe(true);
    expect(runner.args!.slice(0, 2)).toEqual(['runner', '--env']);
    expect(runner.args!.join('').length).toBe(ANCESTOR_ARGS_MAX);
    expect(t.peek('runner')!.args![2]).toHaveLength(10_000); // the table keeps the full argv
  });

  it('is cycle-safe and depth-capped', () => {
    const t = new ProcessTable({ maxAncestors: 5 });
    t.put(entry('a', 10, 11, 'b'));
    t.put(entry('b', 11, 10, 'a'));
    expect(t.ancestors('a').map((x) => x.entity_id)).toEqual(['b']);
    for (let i = 0; i < 20; i++) t.put(entry(`p${i}`, 100 + i, 99 + i, i ? `p${i - 1}` : undefined));
    expect(t.ancestors('p19')).toHaveLength(5);
    expect(t.ancestors('p19', 100)).toHaveLength(19);
  });

  it('stops at an unknown parent rather than guessing', () => {
    const t = new ProcessTable();
    t.put(entry('child', 20, 19, 'gone'));
    t.put(entry('impostor', 19, 1)); // pid 19 now belongs to another process
    expect(t.ancestors('child')).toEqual([]);
  });

  it('evicts least recently used entries, counts them and cleans the pid index', () => {
    const dropped: string[] = [];
    const t = new ProcessTable({ maxEntries: 3, onDrop: (e) => dropped.push(e.entityId) });
    t.put(entry('a', 1, 0));
    t.put(entry('b', 2, 0));
    t.put(entry('c', 3, 0));
    t.get('a');
    t.put(entry('d', 4, 0));
    expect(dropped).toEqual(['b']);
    expect(t.byPid(2)).toBeUndefined();
    expect(t.byPid(1)?.entityId).toBe('a');
    expect(t.stats()).toMatchObject({ size: 3, evicted: 1 });
  });

  it('sweeps exited entries only after the grace period', () => {
    const t = new ProcessTable({ exitGraceMs: 1000 });
    const e = t.put(entry('a', 5, 1));
    t.put(entry('b', 6, 1));
    t.markExited(e, 10_000, 1);
    expect(t.sweep(10_999)).toBe(0);
    expect(t.sweep(11_000)).toBe(1);
    expect(t.has('a')).toBe(false);
    expect(t.stats()).toMatchObject({ size: 1, live: 1, exited: 0, expired: 1 });
  });
});
