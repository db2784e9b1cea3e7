import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RuleEngine } from '../../agent/src/rules/engine';
import { runRulesCheck, runRulesTest } from '../../agent/src/rules/cli';
import { readExceptionFile, validateException } from '../../agent/src/rules/exceptions/exception-file';
import { ExceptionSet } from '../../agent/src/rules/exceptions/exception-set';
import { loadRules } from '../../agent/src/rules/loader';
import { at, execRule, makeEvent, writeRules } from './fixtures';

const TMP_RULE = execRule('tmp-exec', '  sel:\n    Image|startswith: /tmp/\n  condition: sel');
const exec = (exe: string, extra: Record<string, unknown> = {}) =>
  makeEvent('exec', { '@timestamp': at(0), process: { executable: exe, ...extra }, user: { name: 'ci' } });
const ids = (ms: { rule: { id: string } }[]) => ms.map((m) => m.rule.id);

const engines: RuleEngine[] = [];
afterEach(() => engines.splice(0).forEach((e) => e.close()));
function engine(dir: string): RuleEngine {
  const e = new RuleEngine({ dirs: [dir], watch: false, sighup: false });
  engines.push(e);
  return e;
}

const EXC = (body: string) => `exceptions:\n${body}`;

describe('exception files', () => {
  it('silence only the named rule, only where every field matches, and reload with the rules', () => {
    const dir = writeRules({ 'tmp.yml': TMP_RULE, 'any.yml': execRule('any-exec', '  sel:\n    Image|endswith: /build\n  condition: sel') });
    const e = engine(dir);
    expect(ids(e.evaluate(exec('/tmp/ci/build'))).sort()).toEqual(['any-exec', 'tmp-exec']);

    writeFileSync(join(dir, 'ci.exceptions.yml'), EXC([
      '  - id: ci-builds',
      '    rule: tmp-exec',
      '    comment: the CI runner builds in /tmp/ci',
      '    match:',
      '      process.executable: ["/tmp/ci/*"]',
      '      user.name: ci',
    ].join('\n')));
    const res = e.reload();
    expect(res.errors).toEqual([]);
    expect(e.exceptions.size).toBe(1);
    // Same rule, both fields match: silenced; the other rule still fires.
    expect(ids(e.evaluate(exec('/tmp/ci/build')))).toEqual(['any-exec']);
    // Another path, or another user: not covered.
    expect(ids(e.evaluate(exec('/tmp/evil')))).toEqual(['tmp-exec']);
    expect(ids(e.evaluate({ ...exec('/tmp/ci/x'), user: { name: 'root' } } as never))).toEqual(['tmp-exec']);
    expect(e.suppressedByException).toBe(1);
    expect(e.exceptions.hits.get('ci-builds')).toBe(1);
  });

  it('match by ancestor, by title, and stop applying after expires', () => {
    const dir = writeRules({ 'tmp.yml': TMP_RULE.replace('title: tmp-exec', 'title: Exec From Tmp') });
    writeFileSync(join(dir, 'x.exceptions.yml'), EXC([
      '  - id: under-make',
      '    rule: Exec From Tmp',
      '    match: { process.ancestors.executable: [/usr/bin/make] }',
      '  - id: old',
      '    rule: tmp-exec',
      '    expires: 2001-01-01T00:00:00Z',
      '    match: { process.executable: /tmp/old }',
    ].join('\n')));
    const e = engine(dir);
    expect(e.lastErrors).toEqual([]);
    expect(ids(e.evaluate(exec('/tmp/a', { ancestors: [{ executable: '/usr/bin/bash' }, { executable: '/usr/bin/make' }] })))).toEqual([]);
    expect(ids(e.evaluate(exec('/tmp/a', { ancestors: [{ executable: '/usr/bin/bash' }] })))).toEqual(['tmp-exec']);
    expect(ids(e.evaluate(exec('/tmp/old')))).toEqual(['tmp-exec']);
  });

  it('refuse an empty match, a match-everything value, unknown fields and unknown rules, and keep the good entries', () => {
    const dir = writeRules({ 'tmp.yml': TMP_RULE });
    const file = join(dir, 'bad.exceptions.yml');
    writeFileSync(file, EXC([
      '  - rule: tmp-exec',
      '    match: {}',
      '  - rule: tmp-exec',
      '    match: { process.executable: "*" }',
      '  - rule: tmp-exec',
      '    match: { Image: /tmp/x }',
      '  - rule: no-such-rule',
      '    match: { process.executable: /tmp/x }',
      '  - rule: tmp-exec',
      '    match: { process.executable: /tmp/fine }',
    ].join('\n')));
    const { exceptions, errors } = loadRules([dir]);
    expect(exceptions.map((x) => x.match)).toEqual([{ 'process.executable': ['/tmp/fine'] }]);
    const reasons = errors.map((x) => x.reason);
    expect(reasons[0]).toMatch(/^exception 1: match: is empty/);
    expect(reasons[1]).toMatch(/^exception 2: match.process.executable: '\*' matches everything/);
    expect(reasons[2]).toMatch(/^exception 3: match: unknown field 'Image'/);
    expect(reasons[3]).toMatch(/names no loaded rule 'no-such-rule'/);
    expect(errors.slice(0, 3).map((x) => x.line)).toEqual([2, 4, 6]);

    const out: string[] = [];
    const err: string[] = [];
    expect(runRulesCheck([dir], { out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(1);
    expect(out[0]).toBe(`exception bad-5: rule "tmp-exec" silenced when process.executable in [/tmp/fine] (${file})`);
    expect(out[1]).toBe('1 rules OK (1 detection, 0 correlation), 1 exceptions, 4 errors');
    expect(err).toHaveLength(4);
  });

  it('a file that is not an exceptions list is one clear error', () => {
    const dir = writeRules({ 'tmp.yml': TMP_RULE });
    writeFileSync(join(dir, 'oops.exceptions.yml'), 'rule: tmp-exec\n');
    const { exceptions, errors } = loadRules([dir]);
    expect(exceptions).toEqual([]);
    expect(errors).toEqual([{ file: join(dir, 'oops.exceptions.yml'), line: 1, reason: 'an exception file holds one map with an `exceptions:` list' }]);
    expect(readExceptionFile(join(dir, 'missing.exceptions.yml')).errors[0].reason).toMatch(/cannot read/);
  });

  it('remote exceptions join the file ones and survive a reload', () => {
    const dir = writeRules({ 'tmp.yml': TMP_RULE });
    const e = engine(dir);
    e.setRemoteExceptions([validateException({ id: 'cp-1', rule: 'tmp-exec', match: { 'process.executable': ['/tmp/cp'] } }, 'control-plane', 'x')]);
    expect(ids(e.evaluate(exec('/tmp/cp')))).toEqual([]);
    e.reload();
    expect(ids(e.evaluate(exec('/tmp/cp')))).toEqual([]);
    expect(ids(e.evaluate(exec('/tmp/other')))).toEqual(['tmp-exec']);
    e.setRemoteExceptions([]);
    expect(ids(e.evaluate(exec('/tmp/cp')))).toEqual(['tmp-exec']);
  });

  it('wildcards: * spans slashes, ? is one character, everything else is literal', () => {
    const set = new ExceptionSet([validateException({ rule: 'r', match: { 'file.path': ['/var/lib/*.d/x?.conf'] } }, 't', 'g')]);
    const rule = { id: 'r', title: 'R' };
    const open = (path: string) => makeEvent('open', { file: { path } });
    expect(set.covering(rule, open('/var/lib/a/b.d/x1.conf'))?.id).toBe('g');
    expect(set.covering(rule, open('/var/lib/a.d/x12.conf'))).toBeUndefined();
    expect(set.covering(rule, open('/var/lib/aXd/x1.conf'))).toBeUndefined();
  });

  it('rules test marks a silenced match', () => {
    const dir = writeRules({ 'tmp.yml': TMP_RULE });
    writeFileSync(join(dir, 'ci.exceptions.yml'), EXC('  - {id: ci, rule: tmp-exec, match: {process.executable: /tmp/ci}}'));
    const events = join(dir, 'events.jsonl');
    writeFileSync(events, `${JSON.stringify(exec('/tmp/ci'))}\n${JSON.stringify(exec('/tmp/x'))}\n`);
    const out: string[] = [];
    expect(runRulesTest(join(dir, 'tmp.yml'), events, { out: (t) => out.push(t), err: () => {} }, [join(dir, 'ci.exceptions.yml')])).toBe(0);
    expect(out[0]).toMatch(/:1: MATCH rule .*\(silenced by exception ci\)$/);
    expect(out[1]).toMatch(/:2: MATCH rule /);
    expect(out[1]).not.toMatch(/silenced/);
  });
});
