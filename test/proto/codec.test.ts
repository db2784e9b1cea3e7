import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../control-plane/src/errors';
import {
  decodeAlert, decodeEnvelope, encodeAlert, encodeEnvelope, messageType, type EnvelopeInit,
} from '../../proto/src';

const proc = {
  pid: 4242, entity_id: 'ent-1', name: 'sh', executable: '/bin/sh', args: ['sh', '-c', 'id'],
  command_line: 'sh -c id', parent_pid: 4000, ancestors: [{ pid: 4000, entity_id: 'ent-0', executable: '/usr/sbin/nginx', args: ['nginx'] }],
};
const execEvent = { exec: { exit_code: 0 }, timestamp: '2025-01-01T00:00:00Z', id: 'ev1', process: proc, outcome: 'EVENT_OUTCOME_SUCCESS' as const };

const VARIANTS: Record<string, EnvelopeInit> = {
  hello: { hello: { host_id: 'a'.repeat(32), hostname: 'web1', kernel: '6.18.0', agent_version: '0.1.0', capabilities: ['CAPABILITY_PROCESS', 'CAPABILITY_QUERY'] } },
  heartbeat: { heartbeat: { timestamp: '2025-01-01T00:00:00Z', events: 2 ** 40, drops: 3, truncated: 4, filtered: 5, probes_attached: 12, probes_failed: 1 } },
  alert_batch: { alert_batch: { first_seq: 7, alerts: [{ id: 'a1', seq: 7, rule_id: 'r', severity: 'SEVERITY_CRITICAL', technique_ids: ['T1059'], tactic_names: ['execution'], triggering_events: [execEvent], process: proc, related_events: [{ connect: { destination_ip: '10.0.0.1', destination_port: 443 }, timestamp: 't' }], json: '{"x":1}' }] } },
  event_batch: { event_batch: { first_seq: 100, events: [execEvent, { open: { path: '/etc/shadow', flags: 0o2, flag_names: ['O_RDWR'], size: -1 } }, { module_load: { name: 'evil.ko', args: [3, -1, 0] } }] } },
  query_result: { query_result: { query_id: 'q1', rows: ['{"a":1}', '{"b":2}'], truncated: true, error: '' } },
  server_hello: { server_hello: { alert_seq: 99, heartbeat_interval_ms: 10000, server_version: '0.1.0' } },
  ack: { ack: { stream: 'ACK_STREAM_ALERTS', seq: 12345 } },
  query_request: { query_request: { query_id: 'q1', since: '15m', until: '', pid: 1, entity_id: 'e', exe: '/bin/sh', path: '/etc', dst: '1.2.3.4:443', action: 'exec', rule: 'r', limit: 10, timeout_ms: 2000 } },
  action_request: { action_request: { action_id: 'a1', action: 'isolate-process', pid: 4242, path: '', isolation_id: '', alert_ids: ['al1', 'al2'], comment: 'why', expires_ms: 3_600_000, requested_by: 'tok1' } },
  exception_set: { exception_set: { exceptions: [{ id: 'cp-1', rule: 'exec-from-tmp', match: [{ field: 'process.executable', values: ['/tmp/ci/*', '/tmp/b'] }], comment: 'ci', expires_ms: 1_800_000_000_000 }] } },
  action_result: { action_result: { action_id: 'a1', ok: true, error: '', pids: [4242, 4243], ref: 'iso-x', latency_ms: 12.5 } },
};

describe('Envelope codec', () => {
  it('covers every Envelope oneof member', () => {
    const members = messageType('Envelope').oneofs.payload.fieldsArray.map((f) => f.name).sort();
    expect(Object.keys(VARIANTS).sort()).toEqual(members);
  });

  for (const [name, env] of Object.entries(VARIANTS)) {
    it(`round-trips ${name}`, () => {
      const decoded = decodeEnvelope(encodeEnvelope(env));
      expect(decoded.payload).toBe(name);
      // Every field we set comes back with the same value (defaults fill the rest).
      expect(decoded).toMatchObject(env as object);
    });
  }

  it('keeps the event oneof member and 64-bit values', () => {
    const d = decodeEnvelope(encodeEnvelope(VARIANTS.event_batch));
    if (d.payload !== 'event_batch') throw new Error('wrong payload');
    expect(d.event_batch.events.map((e) => e.action)).toEqual(['exec', 'open', 'module_load']);
    expect(d.event_batch.events[1].open?.size).toBe(-1);
    expect(d.event_batch.events[2].module_load?.args).toEqual([3, -1, 0]);
    const hb = decodeEnvelope(encodeEnvelope(VARIANTS.heartbeat));
    expect(hb.payload === 'heartbeat' && hb.heartbeat.events).toBe(2 ** 40);
  });

  it('round-trips a bare Alert (feed frame)', () => {
    const a = decodeAlert(encodeAlert({ id: 'x', global_seq: 5, rule_id: 'r', severity: 'SEVERITY_LOW', process: proc }));
    expect(a.global_seq).toBe(5);
    expect(a.process?.ancestors[0].executable).toBe('/usr/sbin/nginx');
    expect(a.severity).toBe('SEVERITY_LOW');
  });

  it('rejects encoding with no payload, two payloads or a bad field type', () => {
    expect(() => encodeEnvelope({} as EnvelopeInit)).toThrow(/exactly one payload/);
    expect(() => encodeEnvelope({ ack: { seq: 1 }, heartbeat: {} } as unknown as EnvelopeInit)).toThrow(/exactly one payload/);
    expect(() => encodeEnvelope({ hello: { capabilities: ['CAPABILITY_TELEPATHY'] } } as unknown as EnvelopeInit))
      .toThrow(/hello\.capabilities: unknown Capability value "CAPABILITY_TELEPATHY"/);
    try {
      encodeEnvelope({ ack: { stream: 'NOPE' } } as unknown as EnvelopeInit);
      throw new Error('no throw');
    } catch (err) {
      expect(isVigilError(err, 'ENCODE_INVALID')).toBe(true);
    }
  });

  it('caps sizes on encode and decode', () => {
    const big: EnvelopeInit = { query_result: { query_id: 'q', rows: ['x'.repeat(2000)] } };
    expect(() => encodeEnvelope(big, 1000)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_FRAME_TOO_LARGE' }));
    const bytes = encodeEnvelope(big);
    expect(() => decodeEnvelope(bytes, 1000)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_FRAME_TOO_LARGE' }));
  });

  it('gives typed errors for malformed input', () => {
    expect(() => decodeEnvelope(Buffer.from([0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_FRAME_DECODE' }));
    // Only an unknown field (number 99): parses, but carries no known payload.
    expect(() => decodeEnvelope(Buffer.from([0x98, 0x06, 0x01]))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_PROTOCOL_VIOLATION' }));
    // ack (field 7) with stream = 42: not a value of AckStream.
    expect(() => decodeEnvelope(Buffer.from([0x3a, 0x02, 0x08, 42]))).toThrow(/ack\.stream: unknown AckStream value 42/);
    // Truncated length-delimited field.
    expect(() => decodeEnvelope(Buffer.from([0x0a, 0x10, 0x0a]))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_FRAME_DECODE' }));
    // Unknown enum values deep inside a batch: an alert's severity, an event's outcome.
    const raw = (v: object) => messageType('Envelope').encode(messageType('Envelope').fromObject(v)).finish();
    expect(() => decodeEnvelope(raw({ alert_batch: { first_seq: 1, alerts: [{ rule_id: 'r' }, { rule_id: 'r', severity: 77 }] } })))
      .toThrow(/alert_batch\.alerts\.severity: unknown Severity value 77/);
    expect(() => decodeEnvelope(raw({ event_batch: { first_seq: 1, events: [{ outcome: 1, open: { path: '/x' } }, { outcome: 9, exec: {} }] } })))
      .toThrow(/event_batch\.events\.outcome: unknown EventOutcome value 9/);
    expect(decodeEnvelope(raw({ event_batch: { first_seq: 1, events: [{ outcome: 2, open: { path: '/x' } }] } }))).toMatchObject({ payload: 'event_batch' });
  });
});
