// Rules see what the baseline found: the bundled rule that needs a first-seen
// lineage matches only once the baseline says the lineage is new.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BaselineEngine, DEFAULT_BASELINE } from '../../agent/src/baseline';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { RuleEngine } from '../../agent/src/rules';
import { FIELD_MAP } from '../../agent/src/rules/field-map';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const noop = (): void => undefined;
const logger = { info: noop, warn: noop, error: noop, debug: noop, child() { return this; } } as never;

function exec(exe: string, parentExe: string, at: number, id: string): EcsEvent {
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { kind: 'event', category: ['process'], action: 'exec', outcome: 'success' },
    process: { pid: 5, entity_id: id, name: 'x', executable: exe, args: [exe], thread: { id: 5 }, parent: { pid: 4, entity_id: 'p', executable: parentExe }, ancestors: [] },
    user: { id: '0', name: 'root' }, host: { name: 'h' },
    vigil: { cgroup_id: '1', mnt_ns: 1, pid_ns: 1, start_boottime_ns: '0', ts_boot_ns: '0' },
  };
}

describe('baseline fields in Sigma', () => {
  const dir = join(resolve(__dirname, '../../rules'), 'execution');
  const rules = new RuleEngine({ dirs: [dir], logger, watch: false });
  const hits = (ev: EcsEvent): string[] => rules.evaluate(ev).map((m) => m.rule.title);
  const title = 'Interpreter Starts A Shell For The First Time On This Host';

  it('matches an interpreter starting a shell only when the lineage is a first', () => {
    const engine = new BaselineEngine({ config: { ...DEFAULT_BASELINE, learningMs: 1000 }, clock: () => T0 });
    const learned = exec('/usr/bin/bash', '/usr/bin/python3.11', T0, 'a');
    engine.process(learned, T0);
    expect(hits(learned)).not.toContain(title); // learning: no first_seen yet
    for (let i = 0; i < 50; i++) engine.process(exec('/usr/bin/ls', '/usr/bin/python3.11', T0 + i, `l${i}`), T0 + i);

    const repeat = exec('/usr/bin/bash', '/usr/bin/python3.11', T0 + 5000, 'b');
    engine.process(repeat, T0 + 5000);
    expect(hits(repeat)).not.toContain(title);

    const novel = exec('/usr/bin/dash', '/usr/bin/python3.11', T0 + 6000, 'c');
    engine.process(novel, T0 + 6000);
    expect(FIELD_MAP.FirstSeen(novel)).toContain('lineage');
    expect(FIELD_MAP.AnomalyScore(novel)).toBeGreaterThan(0);
    expect(hits(novel)).toContain(title);
  });
});
