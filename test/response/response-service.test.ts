import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { Responder } from '../../agent/src/response/responder';
import { ResponseDb } from '../../agent/src/response/response-db';
import { ResponseService } from '../../agent/src/response/response-service';

const dir = mkdtempSync(join(tmpdir(), 'vigil-resp-svc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ev = (pid: number): EcsEvent => ({ '@timestamp': new Date().toISOString(), process: { pid } } as unknown as EcsEvent);

describe('ResponseService', () => {
  it('dry run: records what would be done, signals nothing, and audits it', () => {
    const sent: [number, string][] = [];
    const db = new ResponseDb(join(dir, 'a.db'));
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), db, dryRun: true, responder: new Responder({ signal: (p, s) => void sent.push([p, s]) }) });
    const r = svc.act('kill-tree', ev(4242), 'rule:x', 'Test rule');
    expect(r).toMatchObject({ action: 'kill-tree', ok: false, error: 'dry run: recorded, not carried out', pids: [4242] });
    expect(sent).toEqual([]);
    expect(db.auditRows()).toEqual([expect.objectContaining({ action: 'kill-tree', ok: 0, requested_by: 'rule:x', reason: 'Test rule (dry run)' })]);
    db.close();
  });

  it('isolation without a loader is reported failed, never done', async () => {
    const db = new ResponseDb(join(dir, 'b.db'));
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), db });
    const r = await svc.act('isolate-tree', ev(process.pid + 100000), 'anomaly', 'x');
    expect(r).toMatchObject({ action: 'isolate-tree', ok: false, error: 'network isolation needs the loader, which is not attached' });
    expect(db.auditRows()[0]).toMatchObject({ action: 'isolate-tree', ok: 0, requested_by: 'anomaly' });
    db.close();
  });

  it('rate-limits automatic responses per rule, not people', () => {
    const sent: [number, string][] = [];
    const db = new ResponseDb(join(dir, 'c.db'));
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), db, maxPerMinute: 3, responder: new Responder({ signal: (p, s) => void sent.push([p, s]), procRoot: dir }) });
    const results = Array.from({ length: 5 }, () => svc.act('kill', ev(4242), 'rule:noisy', 'Noisy rule') as { ok: boolean; error?: string });
    // The first three reach the responder (the fake /proc has no such pid, so they fail there); the rest are refused.
    expect(results.slice(0, 3).map((r) => r.error)).toEqual(Array(3).fill('pid 4242 has exited or is another process now'));
    expect(results.slice(3).map((r) => r.error)).toEqual(Array(2).fill('rate limited: rule:noisy asked for more than 3 responses in a minute; not carried out'));
    // Another rule has its own budget.
    expect((svc.act('kill', ev(4242), 'rule:other', 'Other') as { error?: string }).error).not.toMatch(/rate limited/);
    expect(db.auditRows(10).filter((r) => r.error?.startsWith('rate limited')).length).toBe(2);
    db.close();
  });

  it('refuses a tree action on an ancestor of the agent (the tree holds the agent), signalling nothing', () => {
    const sent: [number, string][] = [];
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), responder: new Responder({ signal: (p, s) => void sent.push([p, s]) }) });
    for (const action of ['kill-tree', 'suspend-tree'] as const) {
      const r = svc.act(action, ev(process.ppid), 'rule:x', 'x') as { ok: boolean; error?: string };
      expect(r).toMatchObject({ ok: false, error: `pid ${process.ppid} is protected (its tree holds the agent); no response acts on it` });
    }
    expect(sent).toEqual([]);
  });

  it('kill-tree arms the kernel for the event\'s process, then stops and kills the tree by signals', () => {
    const sent: [number, string][] = [];
    const armed: [number, boolean][] = [];
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), responder: new Responder({ signal: (p, s) => void sent.push([p, s]) }) });
    svc.attachLoader({ killTree: (tgid: number, on: boolean) => void armed.push([tgid, on]), blockExec: () => {}, unblockExec: () => {}, isolation: async () => ({ ok: true }) }, () => []);
    // A process of ours that is no ancestor of the agent: a child.
    const child = spawn('sleep', ['30']);
    try {
      const r = svc.act('kill-tree', ev(child.pid), 'rule:x', 'x') as { ok: boolean; pids: number[] };
      expect(armed).toEqual([[child.pid, true]]);
      expect(r).toMatchObject({ ok: true, pids: [child.pid] });
      expect(sent).toEqual([[child.pid, 'SIGSTOP'], [child.pid, 'SIGKILL']]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
