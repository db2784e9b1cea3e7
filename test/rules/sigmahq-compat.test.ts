// SigmaHQ's own Linux rules (test/fixtures/sigmahq, DRL 1.1, pinned commit):
// how many load, that the ones that cannot are reported with file, field and
// reason while the rest load, and that the auditd ones evaluate on Vigil's
// events through the auditd view (agent/src/rules/auditd-fields.ts).
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RuleEngine } from '../../agent/src/rules';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { makeEvent } from './fixtures';

const ROOT = resolve(__dirname, '../fixtures/sigmahq');
const engines: RuleEngine[] = [];
afterAll(() => engines.forEach((e) => e.close()));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : n.endsWith('.yml') ? [p] : [];
  });
}

function load(category: string): { engine: RuleEngine; files: number; loaded: number; skipped: { file?: string; msg: string }[] } {
  const skipped: { file?: string; msg: string }[] = [];
  const noop = () => undefined;
  const logger = { info: noop, debug: noop, error: noop, warn: (o: { file?: string }, msg: string) => skipped.push({ file: o?.file, msg }), child() { return this; } };
  const engine = new RuleEngine({ dirs: [join(ROOT, category)], watch: false, logger: logger as never });
  engines.push(engine);
  const files = yamlFiles(join(ROOT, category)).length;
  return { engine, files, loaded: files - skipped.length, skipped };
}

const titles = (engine: RuleEngine, ev: EcsEvent): string[] => engine.evaluate(ev).map((m) => m.rule.title).sort();

describe('SigmaHQ Linux rules', () => {
  it('process_creation, file_event and network_connection: at least 98% load', () => {
    let files = 0;
    let loaded = 0;
    for (const c of ['process_creation', 'file_event', 'network_connection']) {
      const r = load(c);
      files += r.files;
      loaded += r.loaded;
      expect(r.skipped).toEqual([]);
    }
    expect(files).toBe(135);
    expect(loaded / files).toBeGreaterThanOrEqual(0.98);
  });

  const auditd = load('auditd');

  it('auditd: at least 90% load; each one that cannot is named with its file, field and reason', () => {
    expect(auditd.files).toBe(53);
    expect(auditd.loaded / auditd.files).toBeGreaterThanOrEqual(0.9);
    for (const s of auditd.skipped) {
      expect(s.file).toMatch(/test\/fixtures\/sigmahq\/auditd\/.+\.yml$/);
      expect(s.msg).toMatch(/unknown field 'key'/); // audit rule keys: Vigil has no audit rules
    }
  });

  it('auditd EXECVE rules see an exec as its argv (a0, a1 ...)', () => {
    const uname = makeEvent('exec', { process: { executable: '/usr/bin/uname', name: 'uname', args: ['uname', '-a'] } });
    expect(titles(auditd.engine, uname)).toContain('System Information Discovery - Auditd');
    const aslr = makeEvent('exec', { process: { executable: '/usr/sbin/sysctl', name: 'sysctl', args: ['sysctl', '-w', 'kernel.randomize_va_space=0'] } });
    expect(titles(auditd.engine, aslr)).toContain('ASLR Disabled Via Sysctl or Direct Syscall - Linux');
    const ls = makeEvent('exec', { process: { executable: '/usr/bin/ls', name: 'ls', args: ['ls', '-la'] } });
    expect(titles(auditd.engine, ls)).toEqual([]);
  });

  it('auditd PATH rules see the file an event acted on; SYSCALL and ADD_USER rules see useradd', () => {
    const preload = makeEvent('open', { event: { category: ['file'] }, file: { path: '/etc/ld.so.preload' }, vigil: { syscall: 'openat', flag_names: ['O_WRONLY', 'O_APPEND'] } });
    expect(titles(auditd.engine, preload)).toContain('Modification of ld.so.preload');
    const useradd = makeEvent('exec', { process: { executable: '/usr/sbin/useradd', name: 'useradd', args: ['useradd', 'eve'] } });
    expect(titles(auditd.engine, useradd)).toContain('Creation Of An User Account');
    const other = makeEvent('open', { event: { category: ['file'] }, file: { path: '/etc/hostname' }, vigil: { syscall: 'openat', flag_names: ['O_RDONLY'] } });
    expect(titles(auditd.engine, other)).toEqual([]);
  });

  it('every loaded rule evaluates every kind of event without throwing', () => {
    const kinds: EcsEvent[] = [
      makeEvent('exec'), makeEvent('open', { file: { path: '/etc/passwd' } }), makeEvent('connect', { destination: { ip: '10.0.0.1', port: 4444 } }),
      makeEvent('setuid'), makeEvent('unlink', { file: { path: '/tmp/x' } }), makeEvent('rename', { file: { path: '/a', target_path: '/b' } }),
    ];
    for (const e of engines) for (const ev of kinds) expect(() => e.evaluate(ev)).not.toThrow();
  });
});
