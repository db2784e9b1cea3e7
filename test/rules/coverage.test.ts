// The ATT&CK coverage table in docs/rules.md is generated from the bundled
// rules' tags: this keeps the two in step.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackCoverage, coverageBlock, coverageMarkdown, replaceCoverageBlock, COVERAGE_BEGIN, COVERAGE_END } from '../../agent/src/rules/coverage';
import { loadRules } from '../../agent/src/rules/loader';
import { compileRule } from './compile-helper';

const ROOT = resolve(__dirname, '../..');

describe('ATT&CK coverage', () => {
  it('docs/rules.md holds the table the bundled rules give (regenerate: vigil rules coverage --update docs/rules.md)', () => {
    const { rules, errors } = loadRules(resolve(ROOT, 'rules'));
    expect(errors).toEqual([]);
    const doc = readFileSync(resolve(ROOT, 'docs/rules.md'), 'utf8');
    expect(coverageBlock(doc)).toBe(coverageMarkdown(attackCoverage(rules)));
  });

  it('groups rules by technique with their tactics, sub-techniques apart', () => {
    const a = compileRule('title: A\ntags: [attack.execution, attack.t1059.004]\nlogsource: {product: linux, category: process_creation}\ndetection: {s: {Image: x}, condition: s}');
    const b = compileRule('title: B\ntags: [attack.defense_evasion, attack.t1059.004, attack.T1070]\nlogsource: {product: linux, category: process_creation}\ndetection: {s: {Image: y}, condition: s}');
    expect(attackCoverage([a, b])).toEqual([
      { technique: 'T1059.004', tactics: ['defense-evasion', 'execution'], rules: ['A', 'B'] },
      { technique: 'T1070', tactics: ['defense-evasion'], rules: ['B'] },
    ]);
  });

  it('replaces only the block between the markers, and refuses a document without them', () => {
    const doc = `x\n${COVERAGE_BEGIN}\nold\n${COVERAGE_END}\ny`;
    expect(replaceCoverageBlock(doc, 'new')).toBe(`x\n${COVERAGE_BEGIN}\nnew\n${COVERAGE_END}\ny`);
    expect(() => replaceCoverageBlock('no markers', 'new')).toThrow(/no coverage markers/);
  });
});
