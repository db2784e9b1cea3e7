// --nats: POST /v1/query and POST /v1/agents/:id/actions on replica A reach
// agents connected to replica B over NATS request/reply; a host no replica
// holds is reported at once, not after the timeout; `all` covers agents
// that heartbeat to any replica.
import type { QueryRequest } from '../../../proto/src';
import { describe, expect, it } from 'vitest';
import { bearer, until } from '../helpers/harness';
import { FakeAgent } from '../helpers/fake-agent';
import { useFleet } from '../helpers/fleet-replicas';

describe('fleet: queries and actions across replicas', () => {
  const fleet = useFleet();

  it('a query on A merges rows from an agent on A and one on B, and reports timed-out and unknown hosts', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica();
    const b = await fleet.replica();
    await a.listen();
    await b.listen();
    const local = await FakeAgent.connect(a.wsBase, a.agentToken('on-a'), { host_id: 'on-a' });
    const remote = await FakeAgent.connect(b.wsBase, b.agentToken('on-b'), { host_id: 'on-b' });
    const silent = await FakeAgent.connect(b.wsBase, b.agentToken('silent'), { host_id: 'silent' });
    const seen: QueryRequest[] = [];
    local.onQuery = () => ({ rows: [{ '@timestamp': '2025-01-01T00:00:01Z', n: 'a1' }] });
    remote.onQuery = (req) => {
      seen.push(req);
      return { rows: [{ '@timestamp': '2025-01-01T00:00:00Z', n: 'b0' }, { '@timestamp': '2025-01-01T00:00:02Z', n: 'b2' }] };
    };
    silent.onQuery = () => null;

    const t0 = Date.now();
    const res = await a.app.inject({
      method: 'POST', url: '/v1/query', headers: bearer(a.tokens.responder),
      payload: { hosts: ['on-a', 'on-b', 'silent', 'nowhere'], filters: { exe: '/bin/sh', since: '15m' }, limit: 10, timeout_ms: 400 },
    });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.hosts).toEqual({ responded: ['on-a', 'on-b'], timed_out: ['silent'], offline: [], unknown: ['nowhere'], failed: [] });
    expect(body.rows.map((r: { host_id: string; event: { n: string } }) => [r.host_id, r.event.n]))
      .toEqual([['on-b', 'b0'], ['on-a', 'a1'], ['on-b', 'b2']]);
    expect(seen[0]).toMatchObject({ exe: '/bin/sh', since: '15m', limit: 10, timeout_ms: 400 });
  }, 20_000);

  it('a host that left its replica is no longer reachable through it; all=true covers agents heartbeating elsewhere', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica();
    const b = await fleet.replica();
    await b.listen();
    const agent = await FakeAgent.connect(b.wsBase, b.agentToken('roamer'), { host_id: 'roamer' });
    agent.onQuery = () => ({ rows: [{ '@timestamp': '2025-01-01T00:00:00Z', n: 'r' }] });
    agent.send({ heartbeat: { timestamp: new Date().toISOString() } });
    await until(() => a.app.vigil.fleet!.heartbeats.hosts().includes('roamer'), 5000, 'A saw its heartbeat');
    const all = await a.app.inject({ method: 'POST', url: '/v1/query', headers: bearer(a.tokens.responder), payload: { all: true, timeout_ms: 400 } });
    expect(all.json().hosts.responded).toEqual(['roamer']);

    agent.close();
    await until(() => b.app.vigil.registry.size === 0, 5000, 'B detached the agent');
    const t0 = Date.now();
    const gone = await a.app.inject({ method: 'POST', url: '/v1/query', headers: bearer(a.tokens.responder), payload: { hosts: ['roamer'], timeout_ms: 2000 } });
    expect(Date.now() - t0).toBeLessThan(1500);
    // Seen by a replica (its heartbeat), so offline rather than unknown.
    expect(gone.json().hosts).toMatchObject({ responded: [], offline: ['roamer'], unknown: [] });
  }, 20_000);

  it('a response action asked on A is carried out by the agent on B, once, and audited on A', async () => {
    const nats = await fleet.nats();
    const a = await fleet.replica();
    const b = await fleet.replica();
    await b.listen();
    const agent = await FakeAgent.connect(b.wsBase, b.agentToken('target'), { host_id: 'target' });
    // Answers each ActionRequest (FakeAgent records frames before this listener runs).
    let answered = 0;
    agent.sock.ws.on('message', () => {
      const reqs = agent.of('action_request');
      for (; answered < reqs.length; answered++) {
        const r = reqs[answered].action_request;
        agent.send({ action_result: { action_id: r.action_id, ok: true, pids: [r.pid], latency_ms: 1 } });
      }
    });
    agent.send({ heartbeat: { timestamp: new Date().toISOString() } });
    await until(() => a.app.vigil.fleet!.heartbeats.hosts().includes('target'), 5000, 'A saw its heartbeat');

    const res = await a.app.inject({ method: 'POST', url: '/v1/agents/target/actions', headers: bearer(a.tokens.responder),
      payload: { action: 'kill-process', target: { pid: 4242 }, comment: 'relay test' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, pids: [4242] });
    expect(agent.of('action_request')).toHaveLength(1);
    expect(agent.of('action_request')[0].action_request).toMatchObject({ action: 'kill-process', pid: 4242, comment: 'relay test' });
    const audited = a.app.vigil.audit.list(10).filter((e) => e.action === 'action');
    expect(audited).toHaveLength(1);

    agent.close();
    await until(() => b.app.vigil.registry.size === 0, 5000, 'B detached the agent');
    const gone = await a.app.inject({ method: 'POST', url: '/v1/agents/target/actions', headers: bearer(a.tokens.responder),
      payload: { action: 'kill-process', target: { pid: 4243 } } });
    expect(gone.statusCode).toBe(409);
    expect(gone.json().error.code).toBe('VIGIL_ERR_AGENT_OFFLINE');
    const nowhere = await a.app.inject({ method: 'POST', url: '/v1/agents/never-seen/actions', headers: bearer(a.tokens.responder),
      payload: { action: 'kill-process', target: { pid: 4243 } } });
    expect(nowhere.statusCode).toBe(404);
  }, 20_000);
});
