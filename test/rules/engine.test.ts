import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RuleEngine, type RulesLogger } from '../../agent/src/rules/engine';
import { at, execRule, makeEvent, writeRules } from './fixtures';

const NC = execRule('nc-exec', '  sel:\n    Image|endswith: /nc\n  condition: sel');
const CURL = execRule('curl-exec', '  sel:\n    Image|endswith: /curl\n  condition: sel');
const nc = (sec = 0) => makeEvent('exec', { '@timestamp': at(sec), process: { executable: '/usr/bin/nc' } });
const curl = (sec = 0) => makeEvent('exec', { '@timestamp': at(sec), process: { executable: '/usr/bin/curl' } });
const ids = (ms: { rule: { id: string } }[]) => ms.map((m) => m.rule.id);

const engines: RuleEngine[] = [];
afterEach(() => engines.splice(0).forEach((e) => e.close()));

function engine(dir: string, extra: Partial<ConstructorParameters<typeof RuleEngine>[0]> = {}): RuleEngine {
  const e = new RuleEngine({ dirs: [dir], watch: false, sighup: false, ...extra });
  engines.push(e);
  return e;
}

describe('RuleEngine', () => {
  it('reload() picks up a new rule, reports a broken one, keeps the others', () => {
    const dir = writeRules({ 'nc.yml': NC });
    const warned: string[] = [];
    const logger: RulesLogger = { info() {}, warn: (_o, m) => warned.push(m ?? ''), error() {} };
    const e = engine(dir, { logger });
    expect(ids(e.evaluate(nc()))).toEqual(['nc-exec']);
    expect(e.evaluate(curl())).toEqual([]);

    writeFileSync(join(dir, 'curl.yml'), CURL);
    writeFileSync(join(dir, 'broken.yml'), 'title: broken\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    Image|nope: x\n  condition: sel\n');
    const res = e.reload();
    expect(res.rules).toBe(2);
    expect(res.errors).toEqual([{ file: join(dir, 'broken.yml'), line: 5, reason: "unknown modifier 'nope'" }]);
    expect(warned.some((w) => w.includes('broken.yml:5'))).toBe(true);
    expect(ids(e.evaluate(curl()))).toEqual(['curl-exec']);
    expect(ids(e.evaluate(nc()))).toEqual(['nc-exec']);

    rmSync(join(dir, 'nc.yml'));
    e.reload();
    expect(e.evaluate(nc())).toEqual([]);
  });

  it('swaps the set atomically: an evaluation uses one set throughout', () => {
    const dir = writeRules({ 'nc.yml': NC, 'nc2.yml': execRule('nc-2', '  sel:\n    Comm: bash\n  condition: sel') });
    const e = engine(dir);
    const before = e.ruleSet;
    rmSync(join(dir, 'nc2.yml'));
    // Reload in the middle of an evaluation: the first rule's field read swaps the set.
    const ev = nc();
    let swapped = false;
    Object.defineProperty(ev.process, 'executable', {
      get() {
        if (!swapped) {
          swapped = true;
          e.reload();
        }
        return '/usr/bin/nc';
      },
    });
    expect(ids(e.evaluate(ev)).sort()).toEqual(['nc-2', 'nc-exec']); // wholly the old set
    expect(e.ruleSet).not.toBe(before);
    expect(ids(e.evaluate(nc()))).toEqual(['nc-exec']); // wholly the new set
  });

  it('keeps correlation state across reloads when the id is unchanged', () => {
    const base = `title: su\nid: su\nlogsource: {category: process_creation}\ndetection:\n  s:\n    Image|endswith: /su\n  condition: s\n`;
    const corr = (id: string) => `title: c\nid: ${id}\ncorrelation:\n  type: event_count\n  rules: [su]\n  group-by: [User]\n  timespan: 1m\n  condition: {gte: 3}\n`;
    const dir = writeRules({ 'su.yml': base, 'c.yml': corr('c1') });
    const e = engine(dir);
    const su = (s: number) => makeEvent('exec', { '@timestamp': at(s), process: { executable: '/bin/su' } });
    e.evaluate(su(0));
    e.evaluate(su(1));
    writeFileSync(join(dir, 'curl.yml'), CURL);
    e.reload();
    expect(ids(e.evaluate(su(2)))).toEqual(['c1']); // count carried over
    e.evaluate(su(3));
    e.evaluate(su(4));
    writeFileSync(join(dir, 'c.yml'), corr('c2'));
    e.reload();
    expect(e.evaluate(su(5))).toEqual([]); // new id: fresh state
  });

  it('reloads when a rule file changes (debounced watcher)', async () => {
    const dir = writeRules({ 'nc.yml': NC });
    const e = engine(dir, { watch: true, debounceMs: 50 }).start();
    const reloaded = new Promise((resolve) => e.once('reload', resolve));
    writeFileSync(join(dir, 'curl.yml'), CURL);
    await reloaded;
    expect(ids(e.evaluate(curl()))).toEqual(['curl-exec']);
  });

  it('reloads on SIGHUP', async () => {
    const dir = writeRules({ 'nc.yml': NC });
    const e = engine(dir, { sighup: true }).start();
    writeFileSync(join(dir, 'curl.yml'), CURL);
    expect(e.evaluate(curl())).toEqual([]);
    const reloaded = new Promise((resolve) => e.once('reload', resolve));
    process.kill(process.pid, 'SIGHUP');
    await reloaded;
    expect(ids(e.evaluate(curl()))).toEqual(['curl-exec']);
    e.close();
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });
});
