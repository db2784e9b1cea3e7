// The typed wire (protocol 1.3): an ECS event or alert document, through
// eventToProto/alertToProto, the protobuf encoder and decoder, and back,
// is the same document. Run on events the real loader recorded
// (test/fixtures), and on alerts the real rule engine builds from them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedEvents } from '../fixtures/recorded-events';
import { buildAlert } from '../../agent/src/alerts/build-alert';
import { RuleEngine } from '../../agent/src/rules';
import {
  alertFromProto, alertToProto, decodeAlert, decodeEnvelope, encodeAlert, encodeEnvelope, eventFromProto, eventToProto,
  MAX_FRAME_BYTES,
} from '../../proto/src';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** Through the wire and back, as JSON sees it. */
const json = (v: unknown) => JSON.parse(JSON.stringify(v));
function eventRoundTrip(doc: unknown) {
  const env = decodeEnvelope(encodeEnvelope({ event_batch: { first_seq: 1, events: [eventToProto(doc)] } }, MAX_FRAME_BYTES));
  if (env.payload !== 'event_batch') throw new Error(env.payload);
  return { msg: env.event_batch.events[0], doc: eventFromProto(env.event_batch.events[0]) };
}

describe('ECS <-> typed messages', () => {
  const events = recordedEvents();

  it('every recorded event of every family comes back exactly, with no JSON string on the wire', () => {
    expect(events.length).toBeGreaterThan(100);
    const actions = new Set<string>();
    for (const ev of events) {
      const { msg, doc } = eventRoundTrip(ev);
      expect(doc).toEqual(json(ev));
      expect(msg.json).toBe('');
      actions.add(ev.event.action);
    }
    expect(actions.size).toBeGreaterThan(5);
  });

  it('puts the fields rules and analysts read in typed fields, not in extensions', () => {
    const exec = events.find((e) => e.event.action === 'exec' && e.process.executable)!;
    const { msg } = eventRoundTrip(exec);
    expect(msg.action).toBe('exec');
    expect(msg.process?.executable).toBe(exec.process.executable);
    expect(msg.process?.args).toEqual(exec.process.args);
    expect(msg.process?.parent_pid).toBe(exec.process.parent.pid);
    expect(msg.cgroup_id).toBe(exec.vigil.cgroup_id);
    expect(msg.start_boottime_ns).toBe(exec.vigil.start_boottime_ns);
    const keys = (msg.extensions?.fields ?? []).map((f) => f.key);
    expect(keys).not.toContain('process');
    expect(keys).not.toContain('@timestamp');
    const open = events.find((e) => e.event.action === 'open' && e.file?.path)!;
    const o = eventRoundTrip(open).msg;
    expect(o.action).toBe('open');
    expect(o.open?.path).toBe(open.file!.path);
    expect(o.open?.flag_names).toEqual(open.vigil.flag_names);
  });

  it('keeps zero apart from absent: exit_code 0 and ret 0 come back, missing fields stay missing', () => {
    const doc = { '@timestamp': 't', event: { action: 'exit', kind: 'event' }, process: { pid: 5, exit_code: 0, thread: { id: 5 } }, vigil: { ret: 0 } };
    expect(eventRoundTrip(doc).doc).toEqual(doc);
    const bare = { event: { action: 'connect' } };
    expect(eventRoundTrip(bare).doc).toEqual(bare);
    const odd = { event: { action: 'no-such-action', category: 'x' }, process: 'not an object', user: {}, vigil: { ret: 1.5, big: 2 ** 60 } };
    expect(eventRoundTrip(odd).doc).toEqual(odd);
  });

  it('survives documents a corrupt outbox could hold, and never turns a wire key into a prototype', () => {
    for (const bad of [null, 7, 'x', [], { event: null }, { process: { ancestors: [1, { pid: 'x' }] } }]) {
      expect(() => eventRoundTrip(bad)).not.toThrow();
    }
    const evil = JSON.parse('{"vigil":{"__proto__":{"polluted":true}}}');
    const back = eventRoundTrip(evil).doc as { vigil: Record<string, unknown> };
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(back.vigil)).toEqual(['__proto__']);
  });

  it('rule alerts built by the real engine from recorded events come back exactly', () => {
    const rules = new RuleEngine({ dirs: [join(__dirname, '../../rules')], logger: silent, watch: false });
    const alerts = [];
    for (const ev of events) {
      for (const m of rules.evaluate(ev)) alerts.push(buildAlert(m, () => events.slice(0, 5)));
    }
    rules.close();
    // A rule alert with threat, tags, related events and the process chain, built by hand too.
    const exec = events.find((e) => e.event.action === 'exec')!;
    alerts.push(buildAlert({
      rule: { id: 'r1', title: 'T', description: 'd', level: 'high', tags: ['attack.execution', 'attack.t1059.004'], references: ['x'], author: 'a' },
      events: [exec],
    } as never, () => events.slice(0, 3)));
    for (const a of alerts) {
      const msg = decodeAlert(encodeAlert(alertToProto(a), MAX_FRAME_BYTES), MAX_FRAME_BYTES);
      expect(alertFromProto(msg)).toEqual(json(a));
      expect(msg.json).toBe('');
    }
    const last = decodeAlert(encodeAlert(alertToProto(alerts[alerts.length - 1]), MAX_FRAME_BYTES), MAX_FRAME_BYTES);
    expect(last).toMatchObject({ rule_id: 'r1', rule_level: 'high', severity: 'SEVERITY_HIGH', technique_ids: ['T1059', 'T1059.004'], tactic_names: ['Execution'] });
    expect(last.triggering_events[0].process?.executable).toBe(exec.process.executable);
    expect(last.related_events).toHaveLength(3);
  });

  it('a 1.2 agent’s json is still the document', () => {
    const doc = { rule: { id: 'old' }, event: { id: 'a1' } };
    expect(alertFromProto({ ...decodeAlert(encodeAlert({ id: 'a1', rule_id: 'old' }, MAX_FRAME_BYTES), MAX_FRAME_BYTES), json: JSON.stringify(doc) })).toEqual(doc);
  });
});
