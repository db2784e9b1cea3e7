import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { Responder } from '../../agent/src/response/responder';
import { ResponseDb } from '../../agent/src/response/response-db';
import { ResponseService } from '../../agent/src/response/response-service';
import { descendantsOf } from '../../agent/src/process/descendants';
import { resolveExecBlock } from '../../agent/src/agent/exec-block';

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

  it('after the kernel carried a rule out at exec: audited with the kernel\'s figures, nothing re-sent; a refusal is a failure', () => {
    const sent: [number, string][] = [];
    const db = new ResponseDb(join(dir, 'k.db'));
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), db, maxPerMinute: 1, responder: new Responder({ signal: (p, s) => void sent.push([p, s]), procRoot: dir }) });
    const killed = { ...ev(4343), vigil: { response: { by: 'kernel', action: 'kill-tree', rule_index: 0, signalled: 5, latency_us: 210 } } } as unknown as EcsEvent;
    const r = svc.act('kill-tree', killed, 'rule:k', 'K') as { ok: boolean; latency_ms: number; kernel?: unknown; pids: number[] };
    expect(r).toMatchObject({ ok: true, latency_ms: 0.21, kernel: { signalled: 5, latency_us: 210 }, pids: [4343] });
    // The root is gone from this (empty) /proc: no sweep, nothing sent.
    expect(sent).toEqual([]);
    const refused = { ...ev(4344), vigil: { response: { by: 'kernel', action: 'kill', rule_index: 0, signalled: 0, latency_us: 3, refused: 'rate limited' } } } as unknown as EcsEvent;
    expect(svc.act('kill', refused, 'rule:k', 'K')).toMatchObject({ ok: false, error: 'not carried out: the kernel refused (rate limited)', pids: [] });
    expect(db.auditRows(10).map((a) => a.ok)).toEqual(expect.arrayContaining([1, 0]));
    db.close();
  });

  it('after the kernel: a descendant it missed, while the root is still the process it killed, is killed by the sweep', async () => {
    const sent: [number, string][] = [];
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), responder: new Responder({ signal: (p, s) => void sent.push([p, s]) }) });
    const root = spawn('bash', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    let child: number | undefined;
    try {
      for (let i = 0; i < 200 && child === undefined; i++) {
        await new Promise((ok) => setTimeout(ok, 10));
        child = descendantsOf(root.pid!)[0];
      }
      const killed = { ...ev(root.pid!), vigil: { response: { by: 'kernel', action: 'kill-tree', rule_index: 0, signalled: 1, latency_us: 50 } } } as unknown as EcsEvent;
      const r = svc.act('kill-tree', killed, 'rule:k', 'K') as { ok: boolean; pids: number[]; latency_ms: number };
      expect(r).toMatchObject({ ok: true, pids: [root.pid, child] });
      expect(sent).toEqual([[root.pid, 'SIGSTOP'], [child, 'SIGSTOP'], [child, 'SIGKILL']]);
    } finally {
      if (child) try { process.kill(child, 'SIGKILL'); } catch { /* gone */ }
      root.kill('SIGKILL');
    }
  });

  it('the response allow-list: a process running an allowed executable is never acted on, and is spared inside a tree', async () => {
    const allowedExe = join(dir, 'vigil-allowed-sleep');
    copyFileSync('/bin/sleep', allowedExe);
    chmodSync(allowedExe, 0o755);
    const db = new ResponseDb(join(dir, 'allow.db'));
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), db, allow: [resolveExecBlock(allowedExe, '--response-allow')] });
    // The service builds its own responder (with the allow-list); signals are real here, on our own processes.
    const allowed = spawn(allowedExe, ['30'], { stdio: 'ignore' });
    const root = spawn('bash', ['-c', `${allowedExe} 30 & sleep 30 & wait`], { stdio: 'ignore' });
    try {
      await new Promise((ok) => setTimeout(ok, 300));
      const r = svc.act('kill', ev(allowed.pid!), 'rule:x', 'x');
      expect(r).toMatchObject({ ok: false, error: `pid ${allowed.pid} is protected (its executable is on the response allow-list (--response-allow)); no response acts on it` });
      const tree = svc.act('kill-tree', ev(root.pid!), 'rule:y', 'y') as { ok: boolean; pids: number[] };
      expect(tree.ok).toBe(true);
      const kids = tree.pids.slice(1);
      expect(kids).toHaveLength(1); // the sleep; the allowed one was left out
      await new Promise((ok) => root.once('exit', ok));
      expect(allowed.exitCode).toBeNull();
      expect(db.auditRows(10).some((a) => a.ok === 0 && /allow-list/.test(a.error ?? ''))).toBe(true);
    } finally {
      // The spared one under the killed root now belongs to init: found by its command line.
      for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try { if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(allowedExe)) process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
      }
      db.close();
    }
  });

  it('quarantined content run by an allow-listed binary: not killed, not blocked, and the alert says why', async () => {
    const original = join(dir, 'vigil-allowed-orig');
    const copy = join(dir, 'vigil-suspect-copy');
    copyFileSync('/bin/sleep', original);
    copyFileSync('/bin/sleep', copy);
    chmodSync(original, 0o755);
    const blocked: unknown[] = [];
    const db = new ResponseDb(join(dir, 'q.db'));
    const svc = new ResponseService({ logger: pino({ level: 'silent' }), db, quarantineDir: join(dir, 'quarantine'), allow: [resolveExecBlock(original, '--response-allow')] });
    svc.attachLoader({ killTree: () => {}, blockExec: (b: unknown[]) => void blocked.push(...b), unblockExec: () => {}, isolation: async () => ({ ok: true }) } as never, () => []);
    const q = await svc.remote({ action_id: 'a', action: 'quarantine-file', pid: 0, path: copy, isolation_id: '', alert_ids: [], comment: 'suspect', expires_ms: 0, requested_by: 't' });
    expect(q.ok).toBe(true);
    const p = spawn(original, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((ok) => setTimeout(ok, 200));
      const alert = svc.onExec({ ...ev(p.pid!), event: { action: 'exec', outcome: 'success' }, process: { pid: p.pid, executable: original } } as unknown as EcsEvent);
      expect(alert?.vigil.response?.[0]).toMatchObject({ ok: false, error: expect.stringMatching(/allow-list/) });
      expect(alert?.rule?.description).toMatch(/not killed/);
      expect(alert?.rule?.description).not.toMatch(/blocked in the kernel/);
      expect(blocked).toEqual([]);
      expect(p.exitCode).toBeNull();
    } finally {
      p.kill('SIGKILL');
      db.close();
    }
  });
});
