// Which response rules the agent hands to the kernel, and the control lines
// that carry them (agent/loader/respond.h); and how the exec event reports
// what the kernel did.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileDoc } from '../../agent/src/rules/rule-compiler';
import { ExceptionSet } from '../../agent/src/rules/exceptions/exception-set';
import { validateException } from '../../agent/src/rules/exceptions/exception-file';
import { kernelResponseLines, planKernelResponses } from '../../agent/src/response/kernel-responses';
import { decodeRecord } from '../../agent/src/decode/record-decoder';
import { CONSTANTS } from '../../agent/src/decode/layout';
import { BootClock } from '../../agent/src/normalize/boot-clock';
import { EventNormalizer } from '../../agent/src/normalize';
import type { RawRecord } from '../../agent/src/normalize/types';
import { buildRecord } from '../decode/record-builder';

const doc = (id: string, response: string, detection = '  sel:\n    Image|endswith: /nc\n  condition: sel') =>
  compileDoc(parse(`title: T ${id}\nid: ${id}\nresponse: ${response}\nlogsource: { product: linux, category: process_creation }\ndetection:\n${detection}`), 'x.yml', 1, id);

describe('planKernelResponses', () => {
  it('hands over kill and kill-tree rules decided by the name; the rest, with why, stay in user space', () => {
    const rules = [
      doc('tree', 'kill-tree'),
      doc('kill', 'kill', "  sel:\n    Image|endswith: ['/socat', '/ncat']\n  condition: sel"),
      doc('both', '[kill, kill-tree]'),
      doc('suspend', 'suspend-tree'),
      doc('mixed', '[kill, isolate-tree]'),
      doc('args', 'kill', '  sel:\n    Image|endswith: /nc\n    CommandLine|contains: -e\n  condition: sel'),
      doc('excepted', 'kill'),
      compileDoc(parse('title: plain\nlogsource: { product: linux, category: process_creation }\ndetection:\n  sel:\n    Image|endswith: /nc\n  condition: sel'), 'x.yml', 1, 'plain'),
    ];
    const exceptions = new ExceptionSet([validateException({ rule: 'excepted', match: { 'process.executable': ['/opt/nc'] } }, 't', 'g')]);
    const plan = planKernelResponses(rules, exceptions, 7);
    expect(plan.entries).toEqual([
      { index: 0, rule: 'tree', action: 'kill-tree', perMinute: 7, names: ['nc'] },
      { index: 1, rule: 'kill', action: 'kill', perMinute: 7, names: ['ncat', 'socat'] },
      { index: 2, rule: 'both', action: 'kill-tree', perMinute: 7, names: ['nc'] },
    ]);
    expect(plan.userSpace.map((u) => u.rule)).toEqual(['suspend', 'mixed', 'args', 'excepted']);
    expect(plan.userSpace.find((u) => u.rule === 'excepted')?.reason).toMatch(/exceptions/);
    expect(plan.userSpace.find((u) => u.rule === 'args')?.reason).toMatch(/more than the executable's name/);
    expect(plan.userSpace.find((u) => u.rule === 'mixed')?.reason).toMatch(/isolate-tree/);
  });

  it('writes one respond line per name between respond-begin and respond-commit', () => {
    expect(kernelResponseLines([
      { index: 0, rule: 'a', action: 'kill-tree', perMinute: 30, names: ['nc', 'ncat'] },
      { index: 1, rule: 'b', action: 'kill', perMinute: 5, names: ['x'] },
    ])).toEqual(['respond-begin', 'respond 0 kill-tree 30 nc', 'respond 0 kill-tree 30 ncat', 'respond 1 kill 5 x', 'respond-commit']);
    expect(kernelResponseLines([])).toEqual(['respond-begin', 'respond-commit']);
  });
});

describe('the exec event of a kernel response', () => {
  const normalize = (flags: number, body: Record<string, number>) =>
    new EventNormalizer({ hostName: 'h', bootId: 'b', clock: new BootClock(0n) })
      .normalize(decodeRecord(buildRecord({ type: 1, flags, body: { ret: 0, exe_nlink: 1, ...body }, strings: ['/x/nc', 'nc\0', '/'] })) as RawRecord)!;

  it('carries what the kernel did, or why it did nothing', () => {
    const done = normalize(CONSTANTS.VIGIL_F_RESPONDED, { respond_rule: 4, respond_action: CONSTANTS.VIGIL_RESPOND_KILL_TREE, respond_signalled: 12, respond_ns: 183_456 });
    expect(done.vigil.response).toEqual({ by: 'kernel', action: 'kill-tree', rule_index: 4, signalled: 12, latency_us: 183.5 });
    const limited = normalize(CONSTANTS.VIGIL_F_RESPONDED, { respond_action: CONSTANTS.VIGIL_RESPOND_KILL, respond_refused: 2 });
    expect(limited.vigil.response).toMatchObject({ by: 'kernel', action: 'kill', signalled: 0, refused: 'rate limited' });
    const held = normalize(CONSTANTS.VIGIL_F_RESPONDED, { respond_action: CONSTANTS.VIGIL_RESPOND_KILL_TREE, respond_refused: 1 });
    expect(held.vigil.response).toMatchObject({ refused: 'its tree holds the agent' });
    expect(normalize(0, {}).vigil.response).toBeUndefined();
  });
});
