// Responder against a fake /proc and a recording signal(): which pids get
// which signal, in what order, and that a reused pid is never touched.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { Responder } from '../../agent/src/response/responder';
import { compileDoc } from '../../agent/src/rules/rule-compiler';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A /proc with pid -> [ppid, starttime ticks]. */
function fakeProc(procs: Record<number, [number, number]>): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-fproc-'));
  dirs.push(root);
  for (const [pid, [ppid, start]] of Object.entries(procs)) {
    mkdirSync(join(root, pid));
    const after = ['S', String(ppid), ...Array(17).fill('0'), String(start), '0'];
    writeFileSync(join(root, pid, 'stat'), `${pid} (x y) ${after.join(' ')}\n`);
  }
  return root;
}

const ev = (pid: number, startTicks: number): EcsEvent => ({
  '@timestamp': new Date().toISOString(),
  process: { pid },
  vigil: { start_boottime_ns: String(startTicks * 10_000_000) },
} as unknown as EcsEvent);

describe('Responder', () => {
  it('kill: SIGKILL to the matching process only', () => {
    const sent: [number, string][] = [];
    const r = new Responder({ procRoot: fakeProc({ 500: [1, 1234] }), signal: (p, s) => sent.push([p, s]) });
    expect(r.respond('kill', ev(500, 1234))).toMatchObject({ action: 'kill', pids: [500], ok: true });
    expect(sent).toEqual([[500, 'SIGKILL']]);
  });

  it('never signals a reused pid: the start time must be the event\'s process', () => {
    const sent: [number, string][] = [];
    const r = new Responder({ procRoot: fakeProc({ 500: [1, 9999] }), signal: (p, s) => sent.push([p, s]) });
    const res = r.respond('kill', ev(500, 1234));
    expect(res).toMatchObject({ ok: false, pids: [] });
    expect(res.error).toMatch(/another process now/);
    expect(sent).toEqual([]);
  });

  it('kill-tree: stops the root, then every descendant, then kills them all', () => {
    const sent: [number, string][] = [];
    const procRoot = fakeProc({ 500: [1, 10], 501: [500, 11], 502: [501, 12], 503: [500, 13], 600: [1, 14] });
    const r = new Responder({ procRoot, signal: (p, s) => sent.push([p, s]) });
    const res = r.respond('kill-tree', ev(500, 10));
    expect(res.ok).toBe(true);
    expect(res.pids.sort()).toEqual([500, 501, 502, 503]);
    const stops = sent.filter(([, s]) => s === 'SIGSTOP').map(([p]) => p);
    const kills = sent.filter(([, s]) => s === 'SIGKILL').map(([p]) => p);
    expect(stops[0]).toBe(500);
    expect(stops.sort()).toEqual([500, 501, 502, 503]);
    expect(kills.sort()).toEqual([500, 501, 502, 503]);
    expect(sent.findIndex(([, s]) => s === 'SIGKILL')).toBeGreaterThan(sent.map(([, s]) => s).lastIndexOf('SIGSTOP'));
    expect(sent.some(([p]) => p === 600)).toBe(false);
  });

  it('refuses pid 1 and the agent itself', () => {
    const r = new Responder({ procRoot: fakeProc({}), signal: () => { throw new Error('must not signal'); } });
    expect(r.respond('kill', ev(1, 0)).ok).toBe(false);
    expect(r.respond('kill-tree', ev(process.pid, 0)).ok).toBe(false);
  });
});

describe('rule response: key', () => {
  const doc = (response: unknown) => ({ title: 't', response, logsource: { category: 'process_creation', product: 'linux' }, detection: { sel: { Image: '/x' }, condition: 'sel' } });
  it('accepts kill, kill-tree, suspend-tree', () => {
    const r = compileDoc(doc(['kill-tree']), 'f.yml', 1, 'f#0');
    expect(r.meta.response).toEqual(['kill-tree']);
  });
  it('rejects an unknown action with the allowed ones', () => {
    expect(() => compileDoc(doc('nuke'), 'f.yml', 1, 'f#0')).toThrow(/unknown response 'nuke' \(kill, kill-tree, suspend-tree, isolate-tree\)/);
  });
});
