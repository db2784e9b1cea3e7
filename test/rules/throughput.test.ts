// Throughput guard: a rule evaluation must cost well under a microsecond for
// simple rules. The assertion is loose (shared CI machines); the measured
// rate is printed for the record.
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../agent/src/rules/loader';
import { RuleSet } from '../../agent/src/rules/rule-set';
import { execRule, makeEvent, writeRules } from './fixtures';

function ruleFiles(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    const body = kind === 0 ? `  sel:\n    Image|endswith: /tool${i}\n  condition: sel`
      : kind === 1 ? `  sel:\n    CommandLine|contains|all:\n      - ' -x${i} '\n      - '/tmp/'\n  condition: sel`
      : kind === 2 ? `  sel:\n    ParentImage|endswith: /sshd\n    CommandLine|startswith: 'nc${i} '\n  filter:\n    User: root\n  condition: sel and not filter`
      : `  sel:\n    - Image: /usr/bin/x${i}\n    - CommandLine|contains: 'payload${i}'\n  condition: sel`;
    files[`r${i}.yml`] = execRule(`perf-${i}`, body);
  }
  return files;
}

describe('throughput', () => {
  it('evaluates simple rules at more than 500k rule evaluations per second', () => {
    const nRules = 200;
    const { rules, errors } = loadRules(writeRules(ruleFiles(nRules)));
    expect(errors).toEqual([]);
    const set = new RuleSet(rules);
    const events = Array.from({ length: 500 }, (_, i) =>
      makeEvent('exec', { process: { executable: `/usr/bin/prog${i % 50}`, command_line: `prog${i} --flag value /home/u/file${i}` } }));
    events.push(makeEvent('exec', { process: { executable: '/usr/bin/tool4' } }));
    let matched = 0;
    for (const ev of events) matched += set.evaluate(ev).length; // warm up
    expect(matched).toBe(1);
    const rounds = 20;
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (const ev of events) set.evaluate(ev);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const evalsPerSec = (rounds * events.length * nRules) / secs;
    console.log(`rules throughput: ${(evalsPerSec / 1e6).toFixed(2)}M rule evaluations/s, ${Math.round((rounds * events.length) / secs)} events/s against ${nRules} rules`);
    expect(evalsPerSec).toBeGreaterThan(500_000);
  });
});
