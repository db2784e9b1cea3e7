import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../agent/src/rules/loader';
import { execRule, writeRules } from './fixtures';

const GOOD = execRule('good-1', '  sel:\n    Image|endswith: /nc\n  condition: sel');

describe('loadRules', () => {
  it('loads *.yml and *.yaml recursively, ignores other files, keeps metadata', () => {
    const dir = writeRules({
      'a/one.yml': GOOD,
      'b/c/two.yaml': execRule('good-2', '  sel:\n    User: root\n  condition: sel', 'tags:\n  - attack.execution\n  - attack.T1059.004\ndescription: d\n'),
      'notes.txt': 'not a rule',
    });
    const { rules, errors } = loadRules([dir]);
    expect(errors).toEqual([]);
    expect(rules.map((r) => r.meta.id).sort()).toEqual(['good-1', 'good-2']);
    const two = rules.find((r) => r.meta.id === 'good-2');
    expect(two?.meta).toMatchObject({ title: 'good-2', level: 'high', description: 'd', tags: ['attack.execution', 'attack.t1059.004'], file: join(dir, 'b/c/two.yaml') });
  });

  it('loads every document of a multi-document file', () => {
    const dir = writeRules({ 'multi.yml': `${GOOD}---\n${execRule('good-3', '  sel:\n    User: bob\n  condition: sel')}` });
    const { rules, errors } = loadRules(dir);
    expect(errors).toEqual([]);
    expect(rules.map((r) => r.meta.id)).toEqual(['good-1', 'good-3']);
  });

  it('reports each malformed rule with file and line and keeps the good ones', () => {
    const dir = writeRules({
      'good.yml': GOOD,
      'yaml-error.yml': 'title: x\ndetection:\n  sel: [unclosed\n',
      'no-detection.yml': 'title: x\nlogsource: {category: process_creation}\n',
      'no-condition.yml': 'title: x\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    User: x\n',
      'bad-modifier.yml': 'title: x\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    User: a\n    Image|bogus: x\n  condition: sel\n',
      'bad-regex.yml': "title: x\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    Image|re: '[a-'\n  condition: sel\n",
      'undefined-sel.yml': 'title: x\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    User: a\n  condition: sel and other\n',
      'bad-logsource.yml': 'title: x\nlogsource:\n  product: linux\n  category: registry_event\ndetection:\n  sel:\n    User: a\n  condition: sel\n',
      'multi.yml': `${execRule('good-4', '  sel:\n    User: x\n  condition: sel')}---\ntitle: y\nlogsource: {category: process_creation}\ndetection:\n  sel:\n    Nope: 1\n  condition: sel\n`,
    });
    const { rules, errors } = loadRules([dir]);
    expect(rules.map((r) => r.meta.id).sort()).toEqual(['good-1', 'good-4']);
    const byFile = Object.fromEntries(errors.map((e) => [e.file.slice(dir.length + 1), e]));
    expect(Object.keys(byFile).sort()).toEqual(['bad-logsource.yml', 'bad-modifier.yml', 'bad-regex.yml', 'multi.yml', 'no-condition.yml', 'no-detection.yml', 'undefined-sel.yml', 'yaml-error.yml']);
    expect(byFile['bad-modifier.yml']).toMatchObject({ line: 6, reason: "unknown modifier 'bogus'" });
    expect(byFile['bad-regex.yml'].line).toBe(5);
    expect(byFile['bad-regex.yml'].reason).toMatch(/bad regular expression/);
    expect(byFile['undefined-sel.yml']).toMatchObject({ line: 6, reason: "condition uses undefined search identifier 'other'" });
    expect(byFile['bad-logsource.yml']).toMatchObject({ line: 4, reason: "unsupported logsource category 'registry_event'" });
    expect(byFile['no-detection.yml'].reason).toMatch(/no 'detection'/);
    expect(byFile['no-condition.yml']).toMatchObject({ line: 3, reason: "detection has no 'condition'" });
    expect(byFile['yaml-error.yml'].reason).toMatch(/^YAML error/);
    expect(byFile['yaml-error.yml'].line).toBeGreaterThanOrEqual(3);
    // second document of multi.yml: its bad field is on line 16 of the file
    expect(byFile['multi.yml']).toMatchObject({ line: 16, reason: expect.stringMatching(/unknown field 'Nope'/) });
  });

  it('reports duplicate ids and missing rule directories', () => {
    const dir = writeRules({ 'a.yml': GOOD, 'b.yml': GOOD });
    const { rules, errors } = loadRules([dir, join(dir, 'missing')]);
    expect(rules).toHaveLength(1);
    expect(errors.map((e) => e.reason).sort()).toEqual([
      expect.stringMatching(/duplicate rule id\/name 'good-1'/),
      expect.stringMatching(/rule path not found/),
    ]);
  });

  it('gives rules without an id a stable id from the file', () => {
    const dir = writeRules({ 'noid.yml': 'title: no id\nlogsource: {category: process_creation}\ndetection: {s: {User: x}, condition: s}\n' });
    const { rules } = loadRules(dir);
    expect(rules[0].meta.id).toMatch(/noid\.yml#0$/);
  });
});
