import { describe, expect, it } from 'vitest';
import { DROP_RULE_ID, dropAlert, loaderGapAlert } from '../../agent/src/alerts/drop-alert';

describe('dropAlert', () => {
  const now = () => new Date('2024-05-01T00:00:00.000Z');

  it('alerts when the drop counter grows', () => {
    const a = dropAlert({ drops: 150, events: 1000 }, { drops: 100, events: 900 }, { host: 'web-1', now });
    expect(a).toMatchObject({
      '@timestamp': '2024-05-01T00:00:00.000Z',
      event: { kind: 'alert', severity: 73, risk_score: 73, category: ['host'] },
      rule: { id: DROP_RULE_ID, level: 'high' },
      threat: { tactic: { name: ['Defense Evasion'] }, technique: { id: ['T1562'], subtechnique: { id: ['T1562.001'] } } },
      host: { name: 'web-1' },
      vigil: { alert: { dropped: 50, dropped_total: 150, delivered: 100 } },
    });
  });

  it('is silent when nothing new was dropped', () => {
    expect(dropAlert({ drops: 100 }, { drops: 100 })).toBeNull();
    expect(dropAlert({ drops: 0 })).toBeNull();
    expect(dropAlert({ drops: Number.NaN })).toBeNull();
  });

  it('counts first-seen drops and treats a counter reset as new drops', () => {
    expect(dropAlert({ drops: 7 })?.vigil.alert.dropped).toBe(7);
    expect(dropAlert({ drops: 3 }, { drops: 500 })?.vigil.alert.dropped).toBe(3);
  });

  it('alerts on records abandoned in a probe, naming the reason, like ring-buffer drops', () => {
    const prev = { drops: 4, events: 10, abandoned: { scratch: 0, size: 1 } };
    const a = dropAlert({ drops: 4, events: 20, abandoned: { scratch: 3, size: 1 } }, prev, { now });
    expect(a?.rule.id).toBe(DROP_RULE_ID);
    expect(a?.vigil.alert).toMatchObject({ dropped: 3, dropped_total: 8, abandoned: { scratch: 3 } });
    expect(a?.rule.description).toContain('3 abandoned in a probe (scratch: 3)');
    expect(a?.rule.description).not.toContain('ring buffer full');
  });

  it('is silent when neither drops nor abandoned records grew', () => {
    const s = { drops: 4, abandoned: { scratch: 2, size: 0 } };
    expect(dropAlert(s, { ...s, abandoned: { ...s.abandoned } })).toBeNull();
  });

  it('reports a loader restart as lost events: the gap, the estimate and how it died', () => {
    const a = loaderGapAlert({ gapMs: 650, estimatedLost: 1300, restarts: 2, exit: { code: null, signal: 'SIGKILL', message: 'loader killed by SIGKILL' } }, { host: 'h', now });
    expect(a.rule.id).toBe(DROP_RULE_ID);
    expect(a.vigil.alert).toMatchObject({ dropped: 1300, gap_ms: 650, loader_restarts: 2 });
    expect(a.rule.description).toContain('was killed by SIGKILL and was restarted (restart 2)');
    expect(a.rule.description).toContain('saw nothing for 650 ms');
  });
});
