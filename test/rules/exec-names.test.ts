// Which rules the kernel may carry out by the executable's name alone. The
// answer must be exact: every exec the kernel acts on must be one the rule
// matches, so anything but "Image|endswith '/NAME'" (ORed) is refused.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileDoc } from '../../agent/src/rules/rule-compiler';
import type { CompiledRule } from '../../agent/src/rules/types';
import { makeEvent } from './fixtures';
import { EventView } from '../../agent/src/rules/event-view';

const rule = (logsource: string, detection: string): CompiledRule => {
  const r = compileDoc(parse(`title: t\nlogsource: ${logsource}\ndetection:\n${detection}`), 'x.yml', 1, 'x');
  if (r.kind !== 'rule') throw new Error('not a plain rule');
  return r;
};
const exec = (detection: string) => rule('{ product: linux, category: process_creation }', detection);

describe('exec names a rule is decided by', () => {
  it('Image|endswith a /NAME, one or many, in one selection or ORed ones', () => {
    expect(exec('  sel:\n    Image|endswith: /nc\n  condition: sel').execNames).toEqual(['nc']);
    expect(exec("  sel:\n    Image|endswith: ['/ncat', '/nc', '/nc']\n  condition: sel").execNames).toEqual(['nc', 'ncat']);
    expect(exec('  a:\n    Image|endswith: /x\n  b:\n    process.executable|endswith|cased: /y\n  condition: a or b').execNames).toEqual(['x', 'y']);
    expect(exec('  sel_a:\n    Image|endswith: /x\n  sel_b:\n    Image|endswith: /y\n  condition: 1 of sel_*').execNames).toEqual(['x', 'y']);
    expect(exec('  sel:\n    - Image|endswith: /x\n    - Image|endswith: /y\n  condition: sel').execNames).toEqual(['x', 'y']);
    expect(exec("  sel:\n    Image|endswith: '/we\\*ird'\n  condition: sel").execNames).toEqual(['we*ird']);
  });

  it('anything the name alone does not decide is left to user space', () => {
    const none = [
      '  sel:\n    Image|endswith: nc\n  condition: sel', // no '/': also matches /usr/bin/rnc
      '  sel:\n    Image: /usr/bin/nc\n  condition: sel', // the whole path, not the name
      '  sel:\n    Image|endswith: /bin/nc\n  condition: sel', // a directory too
      '  sel:\n    Image|endswith: /n*c\n  condition: sel', // wildcard
      '  sel:\n    Image|contains: /nc\n  condition: sel',
      '  sel:\n    Image|endswith: /nc\n    CommandLine|contains: -e\n  condition: sel', // a second field
      '  sel:\n    Image|endswith: /nc\n  f:\n    User: root\n  condition: sel and not f',
      '  sel:\n    Image|endswith: /nc\n  f:\n    User: root\n  condition: sel and f',
      '  sel:\n    Image|endswith: /nc\n  f:\n    User: root\n  condition: sel or f',
      '  sel:\n    Image|endswith|all: [/nc, /x]\n  condition: sel',
      '  sel:\n    ParentImage|endswith: /nc\n  condition: sel',
      '  sel:\n    - nc\n  condition: sel', // keywords
      '  sel_a:\n    Image|endswith: /x\n  sel_b:\n    Image|endswith: /y\n  condition: all of sel_*',
      `  sel:\n    Image|endswith: /${'n'.repeat(63)}\n  condition: sel`, // longer than the kernel's key
    ];
    for (const d of none) expect(exec(d).execNames, d).toBeUndefined();
    expect(rule('{ product: linux, category: file_event }', '  sel:\n    Image|endswith: /nc\n  condition: sel').execNames).toBeUndefined();
    expect(rule('{ product: linux, service: auditd }', '  sel:\n    Image|endswith: /nc\n  condition: sel').execNames).toBeUndefined();
  });

  it('an exec whose file has the name matches the rule (the kernel never acts where the rule would not)', () => {
    const r = exec("  sel:\n    Image|endswith: ['/nc', '/socat']\n  condition: sel");
    for (const name of r.execNames!) {
      const ev = makeEvent('exec', { process: { executable: `/some/dir/${name}` } });
      expect(r.actions?.has('exec')).toBe(true);
      expect(r.match(new EventView(ev)), name).toBe(true);
      expect(r.match(new EventView(makeEvent('exec', { process: { executable: `/some/dir/x${name}` } }))), `x${name}`).toBe(false);
    }
  });
});
