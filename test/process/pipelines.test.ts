import { describe, expect, it } from 'vitest';
import { PipeIndex } from '../../agent/src/process/pipelines';
import { newEntry, ProcessTable } from '../../agent/src/process/process-table';

describe('PipeIndex', () => {
  it('remembers at most 32 processes per pipe end: a read loop forking a child per line stays bounded', () => {
    const table = new ProcessTable();
    const pipes = new PipeIndex();
    const reader = table.put(newEntry({ entityId: 'loop', pid: 10, ppid: 1, source: 'fork', firstSeenMs: 0 }));
    pipes.noteStdio(reader, 0, 99);
    for (let i = 0; i < 1000; i++) {
      const child = table.put(newEntry({ entityId: `c${i}`, pid: 100 + i, ppid: 10, source: 'fork', firstSeenMs: 0, pipeIn: 99 }));
      pipes.inherit(child);
    }
    expect(pipes.size(99, 'readers')).toBe(32);
    const writer = table.put(newEntry({ entityId: 'w', pid: 9, ppid: 1, source: 'fork', firstSeenMs: 0, args: ['cat', 'list'] }));
    pipes.noteStdio(writer, 1, 99);
    // The newest reader still sees its writer.
    expect(pipes.members(table.peek('c999')!, table)?.map((e) => e.entityId)).toEqual(['w', 'c999']);
  });

  it('a dup of something else onto stdin unlinks the process from its pipe', () => {
    const table = new ProcessTable();
    const pipes = new PipeIndex();
    const a = table.put(newEntry({ entityId: 'a', pid: 1, ppid: 0, source: 'fork', firstSeenMs: 0 }));
    const b = table.put(newEntry({ entityId: 'b', pid: 2, ppid: 0, source: 'fork', firstSeenMs: 0 }));
    pipes.noteStdio(a, 1, 5);
    pipes.noteStdio(b, 0, 5);
    expect(pipes.members(b, table)?.map((e) => e.entityId)).toEqual(['a', 'b']);
    pipes.noteStdio(b, 0, undefined);
    expect(pipes.members(b, table)).toBeUndefined();
    expect(pipes.size(5, 'readers')).toBe(0);
  });
});
