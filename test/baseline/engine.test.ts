// The engine on synthetic enriched events (what the process model releases).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BaselineDb, BaselineDbError, BaselineEngine, DEFAULT_BASELINE } from '../../agent/src/baseline';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { anomalyAlert } from '../../agent/src/alerts/anomaly-alert';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
let seq = 0;

function exec(exe: string, parentExe: string, at: number, opts: { args?: string[]; ancestors?: { entity_id: string; pid: number; executable?: string }[]; id?: string } = {}): EcsEvent {
  const id = opts.id ?? `e${++seq}`;
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { kind: 'event', category: ['process'], action: 'exec', outcome: 'success' },
    process: {
      pid: 1000 + seq, entity_id: id, name: exe.split('/').pop()!, executable: exe, args: opts.args ?? [exe], thread: { id: 1000 + seq },
      parent: { pid: 10, entity_id: 'parent', executable: parentExe }, ancestors: opts.ancestors ?? [{ entity_id: 'parent', pid: 10, executable: parentExe }],
    },
    user: { id: '0', name: 'root' },
    host: { name: 'h' },
    vigil: { cgroup_id: '1', mnt_ns: 1, pid_ns: 1, start_boottime_ns: '0', ts_boot_ns: '0' },
  };
}

function connect(exe: string, ip: string, port: number, at: number, id = `c${++seq}`): EcsEvent {
  const e = exec(exe, '/usr/sbin/sshd', at, { id });
  e.event = { kind: 'event', category: ['network'], action: 'connect', outcome: 'success' };
  e.destination = { ip, port };
  e.network = { type: 'ipv4', transport: 'tcp', direction: 'egress' };
  return e;
}

/** A web server that only ever starts its CGI helper, 300 times over a day. */
function learnWebServer(engine: BaselineEngine): void {
  for (let i = 0; i < 300; i++) engine.process(exec('/usr/bin/status.sh', '/usr/sbin/nginx', T0 + i * 60_000, { args: ['/usr/bin/status.sh', 'check'] }), T0 + i * 60_000);
  for (let i = 0; i < 100; i++) engine.process(connect('/usr/bin/python3', '127.0.0.1', 5432, T0 + i * 60_000), T0 + i * 60_000);
  // The shell itself is no stranger here: cron runs it.
  for (let i = 0; i < 200; i++) engine.process(exec('/bin/sh', '/usr/sbin/cron', T0 + i * 60_000, { args: ['sh'] }), T0 + i * 60_000);
}

const config = { ...DEFAULT_BASELINE, learningMs: 6 * HOUR };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('BaselineEngine', () => {
  it('learns without alerting during the learning period', () => {
    const engine = new BaselineEngine({ config, clock: () => T0 });
    learnWebServer(engine);
    expect(engine.process(exec('/bin/sh', '/usr/sbin/nginx', T0 + HOUR), T0 + HOUR)).toBeUndefined();
    expect(engine.table.size).toBeGreaterThan(0);
    expect(engine.counters.findings).toBe(0);
  });

  it('raises a scored, explained finding for a web server starting a shell after learning', () => {
    const engine = new BaselineEngine({ config, clock: () => T0 });
    learnWebServer(engine);
    const at = T0 + 7 * HOUR;
    const shell = exec('/bin/sh', '/usr/sbin/nginx', at, { args: ['sh', '-c', 'id'] });
    const f = engine.process(shell, at);
    expect(f).toBeDefined();
    expect(f!.risk).toBeGreaterThanOrEqual(config.thresholds.medium);
    expect(f!.explanation).toMatch(/^first time on this host that \/usr\/sbin\/nginx started \/bin\/sh \(nginx seen starting 29\d processes over 7 h\)/);
    // Sigma can see it.
    expect(shell.vigil.first_seen).toMatchObject({ lineage: true });
    expect((shell.vigil.anomaly as { score: number }).score).toBeGreaterThanOrEqual(Math.round(f!.risk));
    const alert = anomalyAlert(f!, { host: 'h' });
    expect(alert.rule.id).toBe('vigil-anomaly');
    expect(alert.event.severity).toBe(Math.round(f!.risk));
    expect(alert.rule.description).toBe(f!.explanation);
  });

  it('accumulates a storyline: the shell\'s first outbound connection raises the level', () => {
    const engine = new BaselineEngine({ config, clock: () => T0 });
    learnWebServer(engine);
    const at = T0 + 7 * HOUR;
    const shell = exec('/bin/sh', '/usr/sbin/nginx', at, { id: 'shell' });
    const f1 = engine.process(shell, at)!;
    const conn = connect('/usr/bin/python3', '10.9.9.9', 4444, at + 1000, 'child');
    conn.process.ancestors = [{ entity_id: 'shell', pid: 77, executable: '/bin/sh' }, { entity_id: 'parent', pid: 10, executable: '/usr/sbin/nginx' }];
    const f2 = engine.process(conn, at + 1000);
    expect(f2).toBeDefined();
    expect(f2!.risk).toBeGreaterThan(f1.risk);
    expect(f2!.chain.rootEntityId).toBe('shell');
    expect(f2!.chain.contributions.map((c) => c.profile)).toEqual(['lineage', 'net-first']);
    expect(f2!.explanation).toContain('/usr/bin/python3 had never connected outside loopback before (100 connections over 7 h)');
  });

  it('allow stops the same behaviour from scoring again', () => {
    const engine = new BaselineEngine({ config, clock: () => T0 });
    learnWebServer(engine);
    const at = T0 + 7 * HOUR;
    engine.allow([{ profile: 'lineage', context: '/usr/sbin/nginx', value: '/bin/sh' }, { profile: 'cmdline', context: '/bin/sh', value: '' }], 'a1');
    const ev = exec('/bin/sh', '/usr/sbin/nginx', at, { args: ['sh'] });
    expect(engine.process(ev, at)).toBeUndefined();
    expect(ev.vigil.first_seen).toBeUndefined();
  });

  it('persists across restarts, and refuses a newer baseline schema untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bl-'));
    dirs.push(dir);
    const path = join(dir, 'x.db');
    const db = new BaselineDb(path);
    const engine = new BaselineEngine({ config, db, clock: () => T0 });
    learnWebServer(engine);
    engine.allow([{ profile: 'exe', context: '*', value: '/bin/x' }], 'a2');
    engine.save();
    db.close();

    const db2 = new BaselineDb(path);
    const again = new BaselineEngine({ config, db: db2, clock: () => T0 + 7 * HOUR });
    expect(again.table.size).toBe(engine.table.size);
    expect(again.learningSince).toBe(T0);
    expect(again.learning()).toBe(false);
    expect(again.process(exec('/bin/sh', '/usr/sbin/nginx', T0 + 7 * HOUR), T0 + 7 * HOUR)).toBeDefined();
    db2.setMeta('schema_version', '99');
    db2.close();
    expect(() => new BaselineDb(path)).toThrow(BaselineDbError);
    expect(() => new BaselineDb(path)).toThrow(/newer Vigil/);
  });

  it('caps memory: entries beyond max are evicted at save', () => {
    const engine = new BaselineEngine({ config: { ...config, maxEntries: 1000 }, clock: () => T0 });
    // Letters only: digits would be templated away into one name.
    const name = (i: number): string => i.toString(26).split('').map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
    for (let i = 0; i < 3000; i++) engine.process(exec(`/opt/app/tool-${name(i)}`, '/bin/bash', T0 + i), T0 + i);
    expect(engine.table.size).toBeGreaterThan(3000);
    engine.save();
    expect(engine.table.size).toBeLessThanOrEqual(1000);
    expect(engine.counters.evicted).toBeGreaterThan(0);
  });

  it('merges an exported baseline and moves the learning start back', () => {
    const a = new BaselineEngine({ config, clock: () => T0 });
    learnWebServer(a);
    const file = a.exportFile();
    const b = new BaselineEngine({ config, clock: () => T0 + 100 * HOUR });
    expect(b.learning()).toBe(true);
    b.merge(file);
    expect(b.learningSince).toBe(T0);
    expect(b.learning(T0 + 100 * HOUR)).toBe(false);
    expect(b.table.size).toBe(a.table.size);
  });

  it('counts runs, not calls: a process repeating a write is one observation', () => {
    const engine = new BaselineEngine({ config, clock: () => T0 });
    const write = (id: string, path: string, at: number): EcsEvent => {
      const e = exec('/usr/bin/dpkg', '/usr/bin/apt-get', at, { id });
      e.event = { kind: 'event', category: ['file'], action: 'create', outcome: 'success' };
      e.file = { path };
      return e;
    };
    const dirs = ['/srv/alpha', '/srv/beta', '/srv/gamma'];
    for (let i = 0; i < 500; i++) engine.process(write('one-run', `${dirs[i % 3]}/f${i}`, T0 + i), T0 + i);
    const c = engine.table.get('file-write', '/usr/bin/dpkg')!;
    expect(c.n).toBeCloseTo(3, 3);
    expect([...c.values.keys()]).toEqual(dirs);
    engine.process(write('another-run', '/srv/alpha/g', T0 + 600), T0 + 600);
    expect(engine.table.get('file-write', '/usr/bin/dpkg')!.n).toBeCloseTo(4, 3);
  });

  it('weighs a first by what it tells a defender: nsenter over nproc, the same rarity', () => {
    const engine = new BaselineEngine({ config: { ...config, learningMs: HOUR }, clock: () => T0 });
    for (let i = 0; i < 400; i++) engine.process(exec(`/usr/bin/tool${i % 40}`, '/bin/bash', T0 + i * 1000), T0 + i * 1000);
    const at = T0 + 2 * HOUR;
    const nproc = exec('/usr/bin/nproc', '/bin/bash', at);
    const nsenter = exec('/usr/bin/nsenter', '/bin/bash', at + 1);
    engine.process(nproc, at);
    engine.process(nsenter, at + 1);
    const a = nproc.vigil.anomaly as { score: number };
    const b = nsenter.vigil.anomaly as { score: number };
    expect(b.score).toBeGreaterThan(a.score);
    // Scores are whole numbers: the ratio of the weights, within rounding.
    expect(b.score / a.score).toBeGreaterThan(1.7);
    expect(b.score / a.score).toBeLessThan(2);
  });

  it('keeps writes, reads and destinations host-wide too: a new program writing into /etc/cron.d scores', () => {
    const engine = new BaselineEngine({ config: { ...config, learningMs: HOUR }, clock: () => T0 });
    for (let i = 0; i < 300; i++) {
      const e = exec('/usr/bin/vim', '/bin/bash', T0 + i * 1000);
      e.event = { kind: 'event', category: ['file'], action: 'create', outcome: 'success' };
      e.file = { path: `/root/notes${i % 3}.txt` };
      engine.process(e, T0 + i * 1000);
    }
    const e = exec('/opt/new/tool', '/bin/bash', T0 + 2 * HOUR);
    e.event = { kind: 'event', category: ['file'], action: 'create', outcome: 'success' };
    e.file = { path: '/etc/cron.d/job' };
    engine.process(e, T0 + 2 * HOUR);
    const an = e.vigil.anomaly as { score: number; reasons: string[] };
    expect(an.score).toBeGreaterThanOrEqual(60);
    expect(an.reasons[0]).toMatch(/^first write into \/etc\/cron\.d on this host \(29\d writes into 1 directories by all programs over 2 h\)$/);
  });

  it('learns but does not score what the subtree of a package manager does', () => {
    const engine = new BaselineEngine({ config: { ...config, learningMs: HOUR }, clock: () => T0 });
    learnWebServer(engine);
    const at = T0 + 7 * HOUR;
    const post = exec('/bin/sh', '/usr/bin/dpkg', at, { ancestors: [{ entity_id: 'dpkg', pid: 9, executable: '/usr/bin/dpkg' }, { entity_id: 'apt', pid: 8, executable: '/usr/bin/apt-get' }] });
    expect(engine.process(post, at)).toBeUndefined();
    expect(post.vigil.anomaly).toBeUndefined();
    expect(engine.table.get('lineage', '/usr/bin/dpkg')?.values.has('/bin/sh')).toBe(true);
  });

  it('one kind of news alone is at most medium; a second kind makes it high', () => {
    const thresholds = { low: 10, medium: 20, high: 30, critical: 95 };
    const engine = new BaselineEngine({ config: { ...config, learningMs: HOUR, thresholds }, clock: () => T0 });
    for (let i = 0; i < 400; i++) engine.process(exec(`/usr/bin/tool${i % 40}`, '/bin/bash', T0 + i * 1000), T0 + i * 1000);
    for (let i = 0; i < 100; i++) engine.process(connect('/usr/bin/tool1', '10.0.0.5', 443, T0 + i * 1000, `c-${i}`), T0 + i * 1000);
    const at = T0 + 2 * HOUR;
    const first = engine.process(exec('/usr/bin/nsenter', '/bin/bash', at, { id: 'ns' }), at)!;
    expect(first.level).toBe('medium');
    expect(first.risk).toBe(29);
    const out = engine.process(connect('/usr/bin/nsenter', '10.9.9.9', 4444, at + 1, 'ns'), at + 1)!;
    expect(out.chain.families).toBe(2);
    expect(['high', 'critical']).toContain(out.level);
  });
});
