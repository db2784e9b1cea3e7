import { describe, expect, it } from 'vitest';
import { alertFromProto, decodeAlert, encodeAlert, eventFromProto, eventToProto } from '../../proto/src';
import { toAlertMessage } from '../../agent/src/transport/alert-message';
import { alertDoc } from './helpers/control-plane';

describe('toAlertMessage', () => {
  it('maps an agent alert document to a typed vigil.v1.Alert that gives the document back', () => {
    const doc = alertDoc(7);
    const { alert, slimmed } = toAlertMessage(7, JSON.stringify(doc), 1 << 20);
    expect(slimmed).toBe(0);
    const back = decodeAlert(encodeAlert(alert));
    expect(back).toMatchObject({
      id: 'alert-7', seq: 7, rule_id: 'proc-shell-from-web', rule_name: 'Shell spawned by web server',
      severity: 'SEVERITY_HIGH', technique_ids: ['T1059', 'T1059.004'], tactic_names: ['Execution'],
      host_id: '', hostname: 'web1', count: 1, process: { pid: 107, entity_id: 'ent-7', thread_id: 107, parent_pid: 1 },
    });
    expect(back.triggering_events.map((e) => [e.id, e.process?.pid])).toEqual([['ev-7', 107]]);
    expect(back.json).toBe('');
    expect(alertFromProto(back)).toEqual(doc);
  });

  it('coerces junk fields instead of producing an unencodable frame, and always has a rule_id', () => {
    const junk = { rule: { id: 42, level: 'apocalyptic' }, process: { pid: -5, args: ['a', 3] }, vigil: { alert: { count: 'many', events: 'x' } } };
    const { alert } = toAlertMessage(3, JSON.stringify(junk), 1 << 20);
    const back = decodeAlert(encodeAlert(alert));
    // Values of the wrong type are not forced into typed fields; they travel as they were.
    expect(back).toMatchObject({ seq: 3, id: 'seq-3', rule_id: 'unknown', severity: 'SEVERITY_UNSPECIFIED', count: 0, process: { pid: 0, args: [] } });
    const { rule, ...rest } = alertFromProto(back) as { rule: Record<string, unknown> };
    expect({ ...rest, rule: { ...rule, id: 42 } }).toEqual({ ...junk, event: { id: 'seq-3' } });
    expect(toAlertMessage(4, 'not json', 1 << 20).alert).toMatchObject({ rule_id: 'unknown', seq: 4 });
  });

  it('slims an oversized alert until it fits, related events first', () => {
    const doc = alertDoc(1);
    const bigEvent = { '@timestamp': 't', event: { id: 'big' }, blob: 'x'.repeat(40_000) };
    (doc.vigil as { alert: Record<string, unknown> }).alert.related = [bigEvent, bigEvent];
    const max = 64 * 1024;
    const r = toAlertMessage(1, JSON.stringify(doc), max);
    expect(r.slimmed).toBe(1);
    expect(r.bytes).toBeLessThanOrEqual(max);
    const back = decodeAlert(encodeAlert(r.alert));
    expect(back.related_events).toEqual([]);
    expect(back.triggering_events).toHaveLength(1);
    expect((alertFromProto(back).vigil as { alert: unknown }).alert).toMatchObject({ related: [], transport_truncated: true, n: 1 });

    // Even a giant rule name ends in a small identity-only message with the same seq.
    const huge = toAlertMessage(2, JSON.stringify({ ...doc, rule: { id: 'r', name: 'n'.repeat(200_000) } }), max);
    expect(huge.bytes).toBeGreaterThan(0);
    expect(huge.bytes).toBeLessThanOrEqual(max);
    expect(huge.alert).toMatchObject({ seq: 2, rule_id: 'r' });
  });
});

describe('eventToProto', () => {
  it('sets the action case from event.action, types its fields, and gives the document back', () => {
    const ev = { '@timestamp': 't1', event: { id: 'e1', action: 'tcp-state', outcome: 'failure' }, host: { name: 'h' }, vigil: { ret: -13, errno: 'EACCES' }, user: { id: '0' } };
    const p = eventToProto(ev);
    expect(p).toMatchObject({ id: 'e1', timestamp: 't1', host_name: 'h', outcome: 'EVENT_OUTCOME_FAILURE', ret: -13, errno: 'EACCES', tcp_state: {}, user: { id: '0' } });
    expect(p.json).toBeUndefined();
    expect(eventFromProto(decodeAlert(encodeAlert({ triggering_events: [p] })).triggering_events[0])).toEqual(ev);
  });
});
