import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRulesCommands, runRulesCheck, runRulesTest } from '../../agent/src/rules/cli';
import { at, execRule, makeEvent, writeRules } from './fixtures';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}
const NC = execRule('nc-exec', '  sel:\n    Image|endswith: /nc\n  condition: sel');

describe('vigil rules check', () => {
  it('prints rule count and exits 0 when clean', () => {
    const dir = writeRules({ 'a.yml': NC });
    const c = io();
    expect(runRulesCheck([dir], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out).toEqual(['1 rules OK (1 detection, 0 correlation), 0 exceptions, 0 errors']);
  });

  it('prints file:line: reason per error and exits 1', () => {
    const dir = writeRules({ 'a.yml': NC, 'bad.yml': 'title: bad\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    Image: x\n  condition: sel or\n' });
    const c = io();
    expect(runRulesCheck([dir], c.io)).toBe(1);
    expect(c.err).toEqual([`${join(dir, 'bad.yml')}:6: condition 'sel or': unexpected end`]);
    expect(c.out[0]).toMatch(/^1 rules OK .* 1 errors$/);
  });
});

describe('vigil rules test', () => {
  it('prints which events match, including correlations over the file', () => {
    const dir = writeRules({
      'r.yml': `${NC}---\ntitle: two nc\nid: two-nc\ncorrelation:\n  type: event_count\n  rules: [nc-exec]\n  group-by: [User]\n  timespan: 1m\n  condition: {gte: 2}\n`,
    });
    const evs = [
      makeEvent('exec', { '@timestamp': at(0), process: { executable: '/usr/bin/nc' } }),
      makeEvent('exec', { '@timestamp': at(1), process: { executable: '/usr/bin/ls' } }),
      makeEvent('exec', { '@timestamp': at(2), process: { executable: '/usr/bin/nc' } }),
    ];
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${evs.map((e) => JSON.stringify(e)).join('\n')}\n{broken\n`);
    const c = io();
    expect(runRulesTest(join(dir, 'r.yml'), file, c.io)).toBe(0);
    expect(c.out).toEqual([
      `${file}:1: MATCH rule "nc-exec" [nc-exec] level=high (feeds a correlation; no alert on its own)`,
      `${file}:3: MATCH rule "nc-exec" [nc-exec] level=high (feeds a correlation; no alert on its own)`,
      `${file}:3: MATCH correlation event_count "two nc" [two-nc] level=medium from events on lines 1, 3`,
      '3 events, 2 matched, 2 rules',
    ]);
    expect(c.err).toEqual([`${file}:4: not valid JSON, skipped`]);
  });

  it('exits 1 on a broken rule file and 2 on a missing events file', () => {
    const dir = writeRules({ 'bad.yml': 'title: x\n', 'ok.yml': NC });
    const c = io();
    expect(runRulesTest(join(dir, 'bad.yml'), join(dir, 'none.jsonl'), c.io)).toBe(1);
    expect(c.err[0]).toMatch(/bad\.yml:1: rule has no 'logsource'/);
    expect(runRulesTest(join(dir, 'ok.yml'), join(dir, 'none.jsonl'), c.io)).toBe(2);
  });

  it('registers check, coverage and test subcommands', () => {
    const program = new Command('vigil');
    registerRulesCommands(program);
    const rules = program.commands.find((c) => c.name() === 'rules');
    expect(rules?.commands.map((c) => c.name())).toEqual(['check', 'coverage', 'test']);
  });
});
