// The tree around a process from exec events: ancestors, siblings,
// children and deeper descendants, each once, with their relation.
import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildTree, knownChain } from '../../../control-plane/src/investigation/process-tree';

const exec = (entity_id: string, parent: string, pid: number, start: string) =>
  ({ event: { action: 'exec' }, process: { entity_id, pid, executable: `/bin/${entity_id}`, args: [entity_id], start, parent: { entity_id: parent } } });

describe('buildTree', () => {
  it('puts ancestors first, then the focus, siblings and descendants breadth first', () => {
    const focus = { entity_id: 'sh', pid: 10, executable: '/tmp/sh', parent: { entity_id: 'bash' },
      ancestors: [{ entity_id: 'bash', pid: 5 }, { entity_id: 'init', pid: 1 }] };
    const events = [
      exec('curl', 'sh', 12, '2026-01-01T00:00:02Z'), exec('sleep', 'sh', 11, '2026-01-01T00:00:01Z'),
      exec('ls', 'bash', 9, '2026-01-01T00:00:00Z'), exec('dig', 'curl', 13, '2026-01-01T00:00:03Z'),
      exec('sh', 'bash', 10, '2026-01-01T00:00:00Z'), exec('other', 'elsewhere', 99, '2026-01-01T00:00:00Z'),
    ];
    const tree = buildTree(focus, events);
    expect(tree.map((n) => [n.entity_id, n.relation, n.depth])).toEqual([
      ['init', 'ancestor', -2], ['bash', 'ancestor', -1], ['sh', 'focus', 0], ['ls', 'sibling', 0],
      ['sleep', 'child', 1], ['curl', 'child', 1], ['dig', 'descendant', 2],
    ]);
    expect(tree.find((n) => n.entity_id === 'dig')).toMatchObject({ parent_entity_id: 'curl', pid: 13, executable: '/bin/dig' });
    expect(tree.find((n) => n.entity_id === 'sh')).toMatchObject({ executable: '/tmp/sh', parent_entity_id: 'bash' });
  });

  it('does not loop on a parent cycle', () => {
    const tree = buildTree({ entity_id: 'a' }, [exec('b', 'a', 2, ''), exec('a', 'b', 1, '')]);
    expect(tree.map((n) => n.entity_id)).toEqual(['a', 'b']);
  });
});

describe('ancestorsOf', () => {
  it('follows parent links through the alert chain and exec events', () => {
    const known = knownChain({ entity_id: 'sh', ancestors: [{ entity_id: 'bash' }, { entity_id: 'init' }] });
    known.set('curl', { entity_id: 'curl', parent: { entity_id: 'sh' } });
    expect(ancestorsOf({ entity_id: 'dig', parent: { entity_id: 'curl' } }, known).map((p) => p.entity_id)).toEqual(['curl', 'sh', 'bash', 'init']);
  });
});
