import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, encodeEnvelope } from '../../../proto/src';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { bearer, makeHarness, until, type Harness } from '../helpers/harness';
import { TestSocket } from '../helpers/ws-client';

let h: Harness;
afterEach(async () => { await h?.close(); });

const HOST = '0123456789abcdef0123456789abcdef';

describe('agent socket /v1/agent', () => {
  it('hello -> ServerHello with resume point and heartbeat interval; agent listed online', async () => {
    h = await makeHarness({ heartbeatIntervalMs: 2500 });
    const agent = await FakeAgent.connect(await h.listen(), h.agentToken(HOST), { host_id: HOST, hostname: 'web1' });
    const sh = (await agent.waitFor('server_hello')).server_hello;
    expect(sh).toEqual({ alert_seq: 0, heartbeat_interval_ms: 2500, server_version: '0.1.0', protocol_major: 1, protocol_minor: 3 });
    const res = await h.app.inject({ url: '/v1/agents', headers: bearer(h.tokens.viewer) });
    expect(res.json().agents).toMatchObject([{ host_id: HOST, hostname: 'web1', kernel: '6.18.0', status: 'online', connected: true, capabilities: ['CAPABILITY_QUERY'] }]);
  });

  it('stores alerts, acks the highest agent seq, and is idempotent on re-send', async () => {
    h = await makeHarness();
    const agent = await FakeAgent.connect(await h.listen(), h.agentToken(HOST), { host_id: HOST });
    agent.sendAlerts(1, [sampleAlert(1), sampleAlert(2), sampleAlert(3)]);
    expect((await agent.waitFor('ack', 1)).ack).toEqual({ stream: 'ACK_STREAM_ALERTS', seq: 3 });
    // Re-send 2..3 plus a new 4: only 4 is stored.
    agent.sendAlerts(2, [sampleAlert(2), sampleAlert(3), sampleAlert(4)]);
    expect((await agent.waitFor('ack', 2)).ack.seq).toBe(4);
    // Exact duplicate batch: nothing stored, same ack.
    agent.sendAlerts(2, [sampleAlert(2), sampleAlert(3), sampleAlert(4)]);
    expect((await agent.waitFor('ack', 3)).ack.seq).toBe(4);

    const list = (await h.app.inject({ url: '/v1/alerts?order=asc', headers: bearer(h.tokens.viewer) })).json();
    expect(list.alerts.map((a: { seq: number; agent_seq: number }) => [a.seq, a.agent_seq])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
    expect(list.alerts[0]).toMatchObject({ host_id: HOST, rule_id: 'proc-shell-from-web', severity: 'high', tags: ['T1059.004', 'execution'], doc: { seq: 1 } });
    const metrics = (await h.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/vigil_alerts_ingested_total\{source="agent"\} 4/);
    expect(metrics).toMatch(/vigil_alert_duplicates_total 5/);

    // A reconnecting agent learns where to resume.
    agent.close();
    const again = await FakeAgent.connect(h.wsBase, h.agentToken(HOST), { host_id: HOST });
    expect((await again.waitFor('server_hello')).server_hello.alert_seq).toBe(4);
  });

  it('uses first_seq + i when alerts carry no seq; acks event batches', async () => {
    h = await makeHarness();
    const agent = await FakeAgent.connect(await h.listen(), h.agentToken(HOST), { host_id: HOST });
    agent.sendAlerts(10, [{ ...sampleAlert(0), seq: 0 }, { ...sampleAlert(0), seq: 0 }]);
    expect((await agent.waitFor('ack')).ack.seq).toBe(11);
    agent.send({ event_batch: { first_seq: 50, events: [{ exec: {} }, { open: { path: '/etc/passwd' } }] } });
    expect((await agent.waitFor('ack', 2)).ack).toEqual({ stream: 'ACK_STREAM_EVENTS', seq: 51 });
  });

  it('records heartbeat stats in the agent row and metrics', async () => {
    h = await makeHarness();
    const agent = await FakeAgent.connect(await h.listen(), h.agentToken(HOST), { host_id: HOST });
    agent.send({ heartbeat: { timestamp: 't', events: 1000, drops: 7, truncated: 2, filtered: 3, probes_attached: 20, probes_failed: 1 } });
    await until(() => h.app.vigil.agents.get(HOST)?.heartbeat !== null, 2000, 'heartbeat stored');
    expect(h.app.vigil.agents.get(HOST)?.heartbeat).toMatchObject({ drops: 7, probes_attached: 20 });
    const metrics = (await h.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain(`vigil_agent_kernel_drops_total{host_id="${HOST}"} 7`);
    expect(metrics).toContain(`vigil_agent_kernel_events_total{host_id="${HOST}"} 1000`);
    expect(metrics).toContain(`vigil_agent_probes{host_id="${HOST}",state="failed"} 1`);
    expect(metrics).toMatch(/# TYPE vigil_agent_kernel_drops_total counter/);
    expect(metrics).toMatch(/vigil_agents_connected 1/);
  });

  const badCases: Array<[string, (s: TestSocket) => void, number]> = [
    ['text frame', (s) => s.ws.send('hello'), 4400],
    ['garbage bytes', (s) => s.ws.send(Buffer.from([0xff, 0xff, 0xff, 0x01])), 4400],
    ['heartbeat before hello', (s) => s.ws.send(encodeEnvelope({ heartbeat: {} })), 4400],
    ['bad host_id', (s) => s.ws.send(encodeEnvelope({ hello: { host_id: '../../etc' } })), 4400],
    ['unknown message type', (s) => s.ws.send(Buffer.from([0x98, 0x06, 0x01])), 4409],
  ];
  for (const [name, act, code] of badCases) {
    it(`closes the connection on ${name} with ${code}`, async () => {
      h = await makeHarness();
      const s = new TestSocket(`${await h.listen()}/v1/agent`, { token: h.tokens.agent });
      await s.opened();
      act(s);
      expect((await s.waitClosed()).code).toBe(code);
    });
  }

  it('closes on protocol violations after hello (4409) and oversize frames (1009)', async () => {
    h = await makeHarness({ maxFrameBytes: 4096 });
    const base = await h.listen();
    const dup = await FakeAgent.connect(base, h.agentToken('h1'), { host_id: 'h1' });
    dup.send({ hello: { host_id: 'h1' } });
    expect((await dup.sock.waitClosed()).code).toBe(4409);
    const serverMsg = await FakeAgent.connect(base, h.agentToken('h2'), { host_id: 'h2' });
    serverMsg.send({ ack: { seq: 1 } });
    expect((await serverMsg.sock.waitClosed())).toMatchObject({ code: 4409, reason: expect.stringContaining('may not send ack') });
    const other = await FakeAgent.connect(base, h.agentToken('h3'), { host_id: 'h3' });
    other.sendAlerts(1, [sampleAlert(1, { host_id: 'someone-else' })]);
    expect((await other.sock.waitClosed()).code).toBe(4409);
    const big = await FakeAgent.connect(base, h.agentToken('h4'), { host_id: 'h4' });
    big.sock.ws.send(Buffer.alloc(8192, 1));
    expect((await big.sock.waitClosed()).code).toBe(1009);
    // Nothing of the above got stored; the server still answers.
    expect(h.app.vigil.alerts.maxSeq()).toBe(0);
    expect((await h.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('a second connection for the same host supersedes the first (4410)', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const first = await FakeAgent.connect(base, h.agentToken(HOST), { host_id: HOST });
    const second = await FakeAgent.connect(base, h.agentToken(HOST), { host_id: HOST });
    expect((await first.sock.waitClosed()).code).toBe(4410);
    second.sendAlerts(1, [sampleAlert(1)]);
    expect((await second.waitFor('ack')).ack.seq).toBe(1);
    expect(h.app.vigil.registry.size).toBe(1);
  });

  it('an agent token belongs to the first host that used it: another host with it is refused (4403)', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const token = h.agentToken(HOST);
    const real = await FakeAgent.connect(base, token, { host_id: HOST });
    const fake = new TestSocket(`${base}/v1/agent`, { token });
    await fake.opened();
    fake.ws.send(encodeEnvelope({ hello: { host_id: 'impostor', hostname: 'x', kernel: 'k', agent_version: 'v', protocol_major: PROTOCOL_VERSION.major, protocol_minor: PROTOCOL_VERSION.minor } }));
    expect(await fake.waitClosed()).toMatchObject({ code: 4403, reason: expect.stringContaining(`belongs to host ${HOST}`) });
    // The real host is untouched and no impostor was registered.
    expect(real.sock.closed).toBeUndefined();
    expect(h.app.vigil.agents.get('impostor')).toBeUndefined();
    expect(h.app.vigil.audit.list(20).some((e) => e.action === 'token.bind')).toBe(true);
  });
});
