// Rule files change on disk in every way operators and tools change them:
// in place, by an editor's atomic save (write a temp file, rename it over),
// by `mv`, by a Kubernetes ConfigMap swap (..data symlink renamed). Each
// must reload, and keep reloading afterwards. A live file that breaks keeps
// its last good version and is reported once; oversize and binary files are
// one error line each.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RuleEngine, type LiveRuleError } from '../../agent/src/rules/engine';
import { loadRules } from '../../agent/src/rules/loader';
import { MAX_RULE_FILE_BYTES } from '../../agent/src/rules/yaml-source';
import { at, execRule, makeEvent, writeRules } from './fixtures';

const ruleFor = (id: string, exe: string) => execRule(id, `  sel:\n    Image|endswith: /${exe}\n  condition: sel`);
const run = (exe: string) => makeEvent('exec', { '@timestamp': at(0), process: { executable: `/usr/bin/${exe}` } });
const ids = (e: RuleEngine, exe: string) => e.evaluate(run(exe)).map((m) => m.rule.id);

const engines: RuleEngine[] = [];
afterEach(() => engines.splice(0).forEach((e) => e.close()));

function watched(dir: string, pollMs = 0): RuleEngine {
  const e = new RuleEngine({ dirs: [dir], sighup: false, watch: true, debounceMs: 30, pollMs });
  engines.push(e);
  return e.start();
}

/** Resolves on the next reload whose rules make `check` true (a burst of events may reload more than once). */
function reloadUntil(e: RuleEngine, check: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((ok, fail) => {
    const t = setTimeout(() => { e.off('reload', on); fail(new Error('no reload with the expected rules')); }, timeoutMs);
    const on = () => { if (check()) { clearTimeout(t); e.off('reload', on); ok(); } };
    e.on('reload', on);
  });
}

describe('rule files replaced on disk', () => {
  it('an editor\'s atomic save (temp file renamed over), then later edits in place', async () => {
    const dir = writeRules({ 'a.yml': ruleFor('v1', 'nc') });
    const e = watched(dir);
    expect(ids(e, 'nc')).toEqual(['v1']);
    writeFileSync(join(dir, '.a.yml.swp'), ruleFor('v2', 'nc'));
    const saved = reloadUntil(e, () => ids(e, 'nc').includes('v2'));
    renameSync(join(dir, '.a.yml.swp'), join(dir, 'a.yml'));
    await saved;
    // The old bug: the watch followed the replaced inode and went deaf here.
    const edited = reloadUntil(e, () => ids(e, 'nc').includes('v3'));
    writeFileSync(join(dir, 'a.yml'), ruleFor('v3', 'nc'));
    await edited;
    expect(ids(e, 'nc')).toEqual(['v3']);
  });

  it('mv of a new file into the directory, and into a new subdirectory', async () => {
    const dir = writeRules({ 'a.yml': ruleFor('nc-rule', 'nc') });
    const outside = mkdtempSync(join(tmpdir(), 'vigil-mv-'));
    const e = watched(dir);
    writeFileSync(join(outside, 'b.yml'), ruleFor('curl-rule', 'curl'));
    const moved = reloadUntil(e, () => ids(e, 'curl').includes('curl-rule'));
    renameSync(join(outside, 'b.yml'), join(dir, 'b.yml'));
    await moved;
    mkdirSync(join(dir, 'sub'));
    const nested = reloadUntil(e, () => ids(e, 'wget').includes('wget-rule'));
    writeFileSync(join(dir, 'sub', 'c.yml'), ruleFor('wget-rule', 'wget'));
    await nested;
    rmSync(outside, { recursive: true, force: true });
  });

  it('a Kubernetes ConfigMap swap: files are links into ..data, and ..data is renamed atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cm-'));
    const version = (n: number, id: string) => {
      mkdirSync(join(dir, `..v${n}`));
      writeFileSync(join(dir, `..v${n}`, 'rule.yml'), ruleFor(id, 'nc'));
    };
    version(1, 'cm-1');
    symlinkSync(`..v1`, join(dir, '..data'));
    symlinkSync('..data/rule.yml', join(dir, 'rule.yml'));
    const e = watched(dir);
    expect(ids(e, 'nc')).toEqual(['cm-1']);
    for (const [n, id] of [[2, 'cm-2'], [3, 'cm-3']] as const) {
      version(n, id);
      symlinkSync(`..v${n}`, join(dir, '..data_tmp'));
      const swapped = reloadUntil(e, () => ids(e, 'nc').includes(id));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      await swapped;
      rmSync(join(dir, `..v${n - 1}`), { recursive: true });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('the poll catches a change when no inotify event does', async () => {
    const dir = writeRules({ 'a.yml': ruleFor('p1', 'nc') });
    const e = watched(dir, 100);
    for (const w of (e as unknown as { watchers: { close(): void }[] }).watchers) w.close(); // as if inotify were lost
    const polled = reloadUntil(e, () => ids(e, 'nc').includes('p2'));
    writeFileSync(join(dir, 'a.yml'), ruleFor('p2', 'nc'));
    await polled;
  });
});

describe('a live rule file that breaks', () => {
  it('keeps running its last good version, is reported once with file and error, and switches when fixed', async () => {
    const dir = writeRules({ 'a.yml': ruleFor('good', 'nc') });
    const e = watched(dir);
    const reported: LiveRuleError[] = [];
    e.on('rule-error', (x: LiveRuleError) => reported.push(x));
    const broke = reloadUntil(e, () => e.lastErrors.length > 0);
    writeFileSync(join(dir, 'a.yml'), 'title: good\ndetection: [unclosed\n');
    await broke;
    expect(ids(e, 'nc')).toEqual(['good']);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ file: join(dir, 'a.yml'), kept: true });
    expect(reported[0].reason).toMatch(/YAML error/);
    e.reload(); // the same error again: not reported twice
    expect(reported).toHaveLength(1);
    const fixed = reloadUntil(e, () => ids(e, 'nc').includes('fixed'));
    writeFileSync(join(dir, 'a.yml'), ruleFor('fixed', 'nc'));
    await fixed;
    expect(ids(e, 'nc')).toEqual(['fixed']);
    expect(e.lastErrors).toEqual([]);
  });

  it('a file that never loaded is only an error: nothing to keep', () => {
    const dir = writeRules({ 'a.yml': 'title: x\ndetection: [unclosed\n' });
    const e = new RuleEngine({ dirs: [dir], sighup: false, watch: false });
    engines.push(e);
    expect(e.ruleSet.rules).toHaveLength(0);
    expect(e.lastErrors).toHaveLength(1);
  });
});

describe('files that are not rule files', () => {
  it('one error line for a file over the size cap, and the other rules load', () => {
    const dir = writeRules({ 'a.yml': ruleFor('ok', 'nc') });
    writeFileSync(join(dir, 'huge.yml'), `title: x\n# ${'y'.repeat(MAX_RULE_FILE_BYTES)}\n`);
    const r = loadRules(dir);
    expect(r.rules.map((x) => x.meta.id)).toEqual(['ok']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: join(dir, 'huge.yml'), line: 0 });
    expect(r.errors[0].reason).toMatch(/over the 1048576-byte cap/);
  });

  it('one error line for random bytes, however many YAML errors they make', () => {
    const dir = writeRules({ 'a.yml': ruleFor('ok', 'nc') });
    writeFileSync(join(dir, 'noise.yml'), randomBytes(512 * 1024));
    const r = loadRules(dir);
    expect(r.rules.map((x) => x.meta.id)).toEqual(['ok']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].file).toBe(join(dir, 'noise.yml'));
  });
});
