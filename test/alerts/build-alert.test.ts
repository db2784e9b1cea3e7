import { describe, expect, it } from 'vitest';
import { buildAlert } from '../../agent/src/alerts/build-alert';
import { LEVEL_SCORE, threatFromTags } from '../../agent/src/alerts/threat';
import type { RuleMatch, RuleMeta } from '../../agent/src/rules/types';
import { at, makeEvent } from '../rules/fixtures';

const meta = (over: Partial<RuleMeta> = {}): RuleMeta => ({
  id: 'r-1', title: 'Reverse shell', description: 'shell with socket stdio', level: 'high',
  tags: ['attack.execution', 'attack.t1059.004', 'attack.command-and-control', 'attack.t1071', 'attack.g0032', 'cve.2021-1234'],
  references: ['https://example.test'], falsepositives: [], file: 'r.yml', line: 1, ...over,
});

describe('threat and severity mapping', () => {
  it('maps levels to Elastic severities', () => {
    expect(LEVEL_SCORE).toEqual({ informational: 1, low: 21, medium: 47, high: 73, critical: 99 });
  });

  it('maps ATT&CK tags, old and new tactic spellings', () => {
    expect(threatFromTags(['attack.privilege_escalation', 'attack.defense-evasion', 'attack.t1548.001', 'attack.t1548'])).toEqual({
      framework: 'MITRE ATT&CK',
      tactic: { id: ['TA0004', 'TA0005'], name: ['Privilege Escalation', 'Defense Evasion'] },
      technique: { id: ['T1548'], subtechnique: { id: ['T1548.001'] } },
    });
    expect(threatFromTags(['car.2016-04-005', 'attack.s0002'])).toBeUndefined();
  });
});

describe('buildAlert', () => {
  it('builds an ECS alert from a plain match', () => {
    const ev = makeEvent('exec', { '@timestamp': at(5), container: { id: 'c1' } });
    const match: RuleMatch = { rule: meta(), events: [ev] };
    const fileEv = makeEvent('open', { event: { category: ['file'] }, file: { path: '/etc/passwd' } });
    const netEv = makeEvent('connect', { event: { category: ['network'] } });
    const forkEv = makeEvent('fork');
    const seen: string[] = [];
    const a = buildAlert(match, (id) => {
      seen.push(id);
      return [fileEv, forkEv, ev, netEv];
    }, { now: () => new Date('2024-05-01T10:00:09.000Z') });
    expect(seen).toEqual(['ent-1234']);
    expect(a).toMatchObject({
      '@timestamp': at(5),
      event: { kind: 'alert', severity: 73, risk_score: 73, action: 'exec', created: '2024-05-01T10:00:09.000Z' },
      rule: { id: 'r-1', name: 'Reverse shell', description: 'shell with socket stdio', level: 'high', reference: ['https://example.test'] },
      threat: {
        tactic: { name: ['Execution', 'Command and Control'], id: ['TA0002', 'TA0011'] },
        technique: { id: ['T1059', 'T1071'], subtechnique: { id: ['T1059.004'] } },
      },
      container: { id: 'c1' },
      user: { name: 'alice' },
      vigil: { alert: { count: 1, first_seen: at(5), last_seen: at(5) } },
    });
    expect(a.event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.process?.ancestors?.map((x) => x.executable)).toEqual(['/usr/sbin/sshd', '/usr/lib/systemd/systemd']);
    expect(a.vigil.alert.events).toEqual([ev]);
    // related: file/net/exec only, never the trigger itself
    expect(a.vigil.alert.related).toEqual([fileEv, netEv]);
  });

  it('uses the last event of a correlation, keeps all events and limits related', () => {
    const e1 = makeEvent('exec', { '@timestamp': at(1), process: { entity_id: 'A' } });
    const e2 = makeEvent('connect', { '@timestamp': at(9), process: { entity_id: 'B' } });
    const many = Array.from({ length: 50 }, (_, i) => makeEvent('exec', { '@timestamp': at(i) }));
    const a = buildAlert({ rule: meta({ correlation: 'temporal', level: 'critical' }), events: [e1, e2] }, () => many, { relatedLimit: 5 });
    expect(a.process?.entity_id).toBe('B');
    expect(a.rule.correlation).toBe('temporal');
    expect(a.event.severity).toBe(99);
    expect(a.vigil.alert).toMatchObject({ first_seen: at(1), last_seen: at(9) });
    expect(a.vigil.alert.events).toEqual([e1, e2]);
    expect(a.vigil.alert.related).toEqual(many.slice(45));
  });

  it('survives a failing activity source and no source at all', () => {
    const ev = makeEvent('exec');
    expect(buildAlert({ rule: meta(), events: [ev] }, () => { throw new Error('boom'); }).vigil.alert.related).toEqual([]);
    expect(buildAlert({ rule: meta({ tags: [] }), events: [ev] }).threat).toBeUndefined();
  });
});
