// The compatibility rule of proto/src/version.ts, proved against frozen
// copies of older schemas: test/proto/fixtures/v1.2 (one minor behind: alerts
// and events carry their document as a JSON string), v1.1 (before
// ExceptionSet) and v1.0 (before protocol_major/minor existed). A 1.2 agent
// still connects, sends alerts and gets them stored with their document and
// acked by today's control plane; 1.1 and 1.0 agents, two or more behind,
// are refused with a message that says what to upgrade.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION, assertCompatible, decodeEnvelope, encodeEnvelope, helloVersion, isWireError, loadProtoRoot,
} from '../../proto/src';
import { makeHarness, type Harness, until } from '../control-plane/helpers/harness';
import { FakeAgent, sampleAlert } from '../control-plane/helpers/fake-agent';
import { TestSocket } from '../control-plane/helpers/ws-client';

const frozen = (v: string) => {
  const dir = join(__dirname, 'fixtures', v);
  return loadProtoRoot(dir, readdirSync(join(dir, 'vigil/v1')).map((f) => `vigil/v1/${f}`));
};
const V10 = frozen('v1.0');
const V11 = frozen('v1.1');
const OLD = frozen('v1.2');
const oldEnvelope = OLD.lookupType('vigil.v1.Envelope');

function encodeOld(obj: Record<string, unknown>): Uint8Array {
  const msg = oldEnvelope.fromObject(obj);
  expect(oldEnvelope.verify(msg)).toBeNull();
  return oldEnvelope.encode(msg).finish();
}
function decodeOld(bytes: Uint8Array): Record<string, unknown> {
  return oldEnvelope.toObject(oldEnvelope.decode(bytes), { longs: Number, enums: String, oneofs: true, defaults: true });
}
const oldHello = (host: string, minor = 2) => ({ hello: { host_id: host, hostname: host, kernel: '6.1.0', agent_version: '0.1.0', capabilities: ['CAPABILITY_QUERY'], protocol_major: 1, protocol_minor: minor } });
const oldBatch = (first: number, n: number) => ({
  alert_batch: { first_seq: first, alerts: Array.from({ length: n }, (_, i) => sampleAlert(first + i)) },
});

describe('protocol version rule', () => {
  it('the frozen schemas really are the old ones: 1.2 has no typed documents, 1.1 no ExceptionSet, 1.0 no protocol version fields', () => {
    expect(OLD.lookup('vigil.v1.Fields')).toBeNull();
    expect(Object.keys(OLD.lookupType('vigil.v1.Alert').fields)).not.toContain('extensions');
    expect(Object.keys(loadProtoRoot().lookupType('vigil.v1.Alert').fields)).toContain('extensions');
    expect(V11.lookup('vigil.v1.ExceptionSet')).toBeNull();
    expect(Object.keys(V11.lookupType('vigil.v1.Envelope').fields)).not.toContain('exception_set');
    expect(Object.keys(loadProtoRoot().lookupType('vigil.v1.Envelope').fields)).toContain('exception_set');
    const hello = V10.lookupType('vigil.v1.AgentHello') as protobuf.Type;
    expect(Object.keys(hello.fields)).not.toContain('protocol_major');
    expect(Object.keys(loadProtoRoot().lookupType('vigil.v1.AgentHello').fields)).toContain('protocol_major');
  });

  it('accepts its own version and one minor behind; refuses two behind, a newer minor and another major', () => {
    const { major, minor } = PROTOCOL_VERSION;
    expect(() => assertCompatible({ major, minor })).not.toThrow();
    expect(() => assertCompatible({ major, minor: minor - 1 })).not.toThrow();
    for (const v of [{ major, minor: minor + 1 }, { major: major + 1, minor: 0 }, { major: major - 1, minor: 9 }]) {
      let caught: unknown;
      try { assertCompatible(v); } catch (err) { caught = err; }
      expect(isWireError(caught, 'PROTOCOL_VERSION')).toBe(true);
      expect((caught as Error).message).toContain(`agent speaks ${v.major}.${v.minor}`);
    }
    // Two minors behind, against a server at 1.2.
    expect(() => assertCompatible({ major: 1, minor: 0 }, { major: 1, minor: 2 })).toThrow(/accepts 1.1-1.2/);
  });

  it('an old-schema hello and alert batch decode with the new codec; the hello reads as version 1.2', () => {
    const hello = decodeEnvelope(encodeOld(oldHello('old-host')));
    expect(hello.payload).toBe('hello');
    if (hello.payload !== 'hello') return;
    expect(helloVersion(hello.hello)).toEqual({ major: 1, minor: 2 });
    const batch = decodeEnvelope(encodeOld(oldBatch(1, 3)));
    expect(batch.payload === 'alert_batch' && batch.alert_batch.alerts.map((a) => a.id)).toEqual(['alert-1', 'alert-2', 'alert-3']);
  });
});

describe('an old (1.2) agent at the new control plane', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('connects, reads the new ServerHello with its old schema, and gets its alerts stored with their JSON document and acked', async () => {
    h = await makeHarness();
    const s = new TestSocket(`${await h.listen()}/v1/agent`, { token: h.agentToken('old-host') });
    await s.opened();
    s.ws.send(encodeOld(oldHello('old-host')));
    const [serverHello] = await s.waitMessages(1);
    // The old agent decodes with its own schema: the new fields are unknown to it and skipped.
    expect(decodeOld(serverHello.data)).toMatchObject({ payload: 'server_hello', server_hello: { alert_seq: 0 } });
    expect(decodeEnvelope(serverHello.data)).toMatchObject({ server_hello: { protocol_major: PROTOCOL_VERSION.major, protocol_minor: PROTOCOL_VERSION.minor } });
    // A 1.2 agent speaks ExceptionSet: it gets the (empty) set after its hello.
    expect(decodeOld((await s.waitMessages(2))[1].data)).toMatchObject({ payload: 'exception_set' });
    s.ws.send(encodeOld(oldBatch(1, 3)));
    const [, , ack] = await s.waitMessages(3);
    expect(decodeOld(ack.data)).toMatchObject({ payload: 'ack', ack: { stream: 'ACK_STREAM_ALERTS', seq: 3 } });
    const page = h.app.vigil.alerts.page({ host: 'old-host' }, { order: 'asc', limit: 10 });
    expect(page.map((a) => a.id)).toEqual(['alert-1', 'alert-2', 'alert-3']);
    // Its document is the JSON string it sent, as 1.2 agents send it.
    expect(page.map((a) => a.doc)).toEqual([1, 2, 3].map((seq) => JSON.parse(sampleAlert(seq).json as string)));
    s.ws.send(encodeOld({ heartbeat: { timestamp: new Date().toISOString() } }));
    s.ws.send(encodeOld(oldBatch(4, 1)));
    const msgs = await s.waitMessages(4);
    expect(msgs.map((m) => decodeOld(m.data).payload)).toEqual(['server_hello', 'exception_set', 'ack', 'ack']);
    expect(s.closed).toBeUndefined();
  });

  it('1.1 and 1.0 agents, two or more minors behind, are refused with 4426 and told to upgrade', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const v11 = V11.lookupType('vigil.v1.Envelope');
    const v10 = V10.lookupType('vigil.v1.Envelope');
    const hellos = [
      v11.encode(v11.fromObject(oldHello('older', 1))).finish(),
      v10.encode(v10.fromObject({ hello: { host_id: 'ancient', hostname: 'ancient', kernel: '6.1.0', agent_version: '0.0.9' } })).finish(),
    ];
    for (const [i, hello] of hellos.entries()) {
      const s = new TestSocket(`${base}/v1/agent`, { token: h.agentToken(i ? 'ancient' : 'older') });
      await s.opened();
      s.ws.send(hello);
      expect(await s.waitClosed()).toMatchObject({ code: 4426, reason: expect.stringContaining('not supported') });
    }
  });

  it('an agent two minor versions ahead or of another major is closed with 4426 and a message that says what to upgrade', async () => {
    h = await makeHarness();
    const base = await h.listen();
    for (const [host, major, minor] of [['ahead', PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor + 2], ['major', PROTOCOL_VERSION.major + 1, 0]] as const) {
      const s = new TestSocket(`${base}/v1/agent`, { token: h.agentToken(host) });
      await s.opened();
      s.ws.send(encodeEnvelope({ hello: { host_id: host, protocol_major: major, protocol_minor: minor } }));
      expect(await s.waitClosed()).toMatchObject({ code: 4426, reason: expect.stringContaining('not supported') });
      expect(h.app.vigil.agents.get(host)).toBeUndefined();
    }
  });

  it('a frame with a newer, unknown message type closes only that session, with a protocol error', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const future = await FakeAgent.connect(base, h.agentToken('future'), { host_id: 'future', protocol_major: 1, protocol_minor: PROTOCOL_VERSION.minor - 1 });
    const bystander = await FakeAgent.connect(base, h.agentToken('bystander'), { host_id: 'bystander' });
    // Envelope field 11 (length-delimited, empty): a payload a later minor version could add.
    future.sock.ws.send(Buffer.from([0x5a, 0x00]));
    expect(await future.sock.waitClosed()).toMatchObject({ code: 4409, reason: expect.stringContaining('unknown message type') });
    bystander.sendAlerts(1, [sampleAlert(1)]);
    expect((await bystander.waitFor('ack')).ack.seq).toBe(1);
    await until(() => h.app.vigil.registry.size === 1, 2000, 'only the bystander registered');
    expect(bystander.sock.closed).toBeUndefined();
  });
});
