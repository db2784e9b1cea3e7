import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../agent/src/rules/condition';
import { RuleSyntaxError } from '../../agent/src/rules/errors';
import { det, matches } from './compile-helper';
import { makeEvent } from './fixtures';

// Four selections keyed on the command line, so each can be switched on alone.
const SELS = `  sel_a:\n    CommandLine|contains: AAA\n  sel_b:\n    CommandLine|contains: BBB\n  filter_c:\n    CommandLine|contains: CCC\n  _hidden:\n    CommandLine|contains: HHH\n`;
const rule = (cond: string) => det(`${SELS}  condition: ${cond}`);
const ev = (cmd: string) => makeEvent('exec', { process: { command_line: cmd } });

describe('condition forms', () => {
  it('and / or / not', () => {
    expect(matches(rule('sel_a and sel_b'), ev('AAA BBB'))).toBe(true);
    expect(matches(rule('sel_a and sel_b'), ev('AAA'))).toBe(false);
    expect(matches(rule('sel_a or sel_b'), ev('BBB'))).toBe(true);
    expect(matches(rule('sel_a or sel_b'), ev('CCC'))).toBe(false);
    expect(matches(rule('sel_a and not filter_c'), ev('AAA'))).toBe(true);
    expect(matches(rule('sel_a and not filter_c'), ev('AAA CCC'))).toBe(false);
    expect(matches(rule('not not sel_a'), ev('AAA'))).toBe(true);
  });

  it('precedence: not > and > or', () => {
    // a or b and c  ==  a or (b and c)
    expect(matches(rule('sel_a or sel_b and filter_c'), ev('AAA'))).toBe(true);
    expect(matches(rule('sel_a or sel_b and filter_c'), ev('BBB'))).toBe(false);
    // not a and b  ==  (not a) and b
    expect(matches(rule('not sel_a and sel_b'), ev('BBB'))).toBe(true);
    expect(matches(rule('not sel_a and sel_b'), ev('AAA BBB'))).toBe(false);
    expect(matches(rule('not sel_a and sel_b'), ev('CCC'))).toBe(false);
  });

  it('parentheses group', () => {
    expect(matches(rule('(sel_a or sel_b) and filter_c'), ev('AAA'))).toBe(false);
    expect(matches(rule('(sel_a or sel_b) and filter_c'), ev('BBB CCC'))).toBe(true);
    expect(matches(rule('not (sel_a or sel_b)'), ev('CCC'))).toBe(true);
    expect(matches(rule('not (sel_a or sel_b)'), ev('AAA'))).toBe(false);
  });

  it('1 of / all of with patterns', () => {
    expect(matches(rule('1 of sel_*'), ev('BBB'))).toBe(true);
    expect(matches(rule('1 of sel_*'), ev('CCC'))).toBe(false);
    expect(matches(rule('all of sel_*'), ev('AAA BBB'))).toBe(true);
    expect(matches(rule('all of sel_*'), ev('AAA'))).toBe(false);
    expect(matches(rule('1 of sel_* and not 1 of filter_*'), ev('AAA CCC'))).toBe(false);
    expect(matches(rule('any of sel_*'), ev('AAA'))).toBe(true);
    expect(matches(rule('2 of sel_*'), ev('AAA'))).toBe(false);
    expect(matches(rule('2 of them'), ev('AAA CCC'))).toBe(true);
  });

  it('1 of them / all of them skip identifiers starting with _', () => {
    expect(matches(rule('1 of them'), ev('CCC'))).toBe(true);
    expect(matches(rule('1 of them'), ev('HHH'))).toBe(false);
    expect(matches(rule('all of them'), ev('AAA BBB CCC'))).toBe(true);
    expect(matches(rule('all of them'), ev('AAA BBB'))).toBe(false);
    expect(matches(rule('_hidden'), ev('HHH'))).toBe(true);
  });

  it('operators are case-insensitive and a list of conditions is OR', () => {
    expect(matches(rule('sel_a AND NOT filter_c'), ev('AAA'))).toBe(true);
    const r = det(`${SELS}  condition:\n    - sel_a\n    - sel_b`);
    expect(matches(r, ev('BBB'))).toBe(true);
    expect(matches(r, ev('CCC'))).toBe(false);
  });

  it('parses to the expected AST', () => {
    expect(parseCondition('a or not b and (c or 1 of x*)', [])).toEqual({
      t: 'or',
      es: [
        { t: 'id', name: 'a' },
        { t: 'and', es: [{ t: 'not', e: { t: 'id', name: 'b' } }, { t: 'or', es: [{ t: 'id', name: 'c' }, { t: 'of', quant: 1, target: 'x*' }] }] },
      ],
    });
  });

  it('reports syntax errors', () => {
    for (const bad of ['sel_a and', '(sel_a', 'sel_a sel_b', 'sel_a or or sel_b', '1 of', 'sel_a | count() > 5', 'sel_a )', 'nope', '1 of zzz*']) {
      expect(() => rule(bad), bad).toThrow(RuleSyntaxError);
    }
    expect(() => rule('sel_a and missing')).toThrow(/undefined search identifier 'missing'/);
  });
});
