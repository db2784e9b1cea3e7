import { afterEach, describe, expect, it } from 'vitest';
import type { QueryRequest } from '../../../proto/src';
import { FakeAgent } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';

let h: Harness;
afterEach(async () => { await h?.close(); });

describe('POST /v1/query', () => {
  it('fans out to agents, merges rows, reports timed-out, offline and unknown hosts, and audits', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const a = await FakeAgent.connect(base, h.agentToken('host-a'), { host_id: 'host-a' });
    const b = await FakeAgent.connect(base, h.agentToken('host-b'), { host_id: 'host-b' });
    const gone = await FakeAgent.connect(base, h.agentToken('host-gone'), { host_id: 'host-gone' });
    gone.close();
    await gone.sock.waitClosed();
    const seen: QueryRequest[] = [];
    a.onQuery = (req) => {
      seen.push(req);
      return { rows: [{ '@timestamp': '2025-01-01T00:00:02Z', n: 'a2' }, { '@timestamp': '2025-01-01T00:00:00Z', n: 'a0' }] };
    };
    b.onQuery = () => null; // never answers

    const t0 = Date.now();
    const res = await h.app.inject({
      method: 'POST', url: '/v1/query', headers: bearer(h.tokens.responder),
      payload: { hosts: ['host-a', 'host-b', 'host-gone', 'host-never'], filters: { action: 'exec', exe: '/bin/sh', pid: 42, since: '15m' }, limit: 50, timeout_ms: 300 },
    });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.hosts).toEqual({ responded: ['host-a'], timed_out: ['host-b'], offline: ['host-gone'], unknown: ['host-never'], failed: [] });
    expect(body.rows).toEqual([
      { host_id: 'host-a', event: { '@timestamp': '2025-01-01T00:00:00Z', n: 'a0' } },
      { host_id: 'host-a', event: { '@timestamp': '2025-01-01T00:00:02Z', n: 'a2' } },
    ]);
    expect(body.truncated).toBe(false);
    expect(seen[0]).toMatchObject({ action: 'exec', exe: '/bin/sh', pid: 42, since: '15m', limit: 50, timeout_ms: 300 });
    expect((await b.waitFor('query_request')).query_request.query_id).toMatch(/[0-9a-f-]{36}/);

    const audit = h.app.vigil.audit.list().find((e) => e.action === 'query');
    const responderId = h.app.vigil.tokens.verify(h.tokens.responder)!.id;
    expect(audit).toMatchObject({ actor: responderId, detail: { targets: ['host-a', 'host-b', 'host-gone', 'host-never'], filters: { action: 'exec' } } });
  });

  it('all: true merges two agents by time, applies the limit and passes agent errors through', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const a = await FakeAgent.connect(base, h.agentToken('a'), { host_id: 'a' });
    const b = await FakeAgent.connect(base, h.agentToken('b'), { host_id: 'b' });
    const c = await FakeAgent.connect(base, h.agentToken('c'), { host_id: 'c' });
    a.onQuery = () => ({ rows: [{ '@timestamp': '1' }, { '@timestamp': '3' }] });
    b.onQuery = () => ({ rows: [{ '@timestamp': '2' }, { '@timestamp': '4' }], truncated: false });
    c.onQuery = () => ({ rows: [], error: 'history store unavailable' });
    const res = (await h.app.inject({ method: 'POST', url: '/v1/query', headers: bearer(h.tokens.admin), payload: { all: true, limit: 3 } })).json();
    expect(res.rows.map((r: { host_id: string; event: Record<string, string> }) => `${r.host_id}${r.event['@timestamp']}`)).toEqual(['a1', 'b2', 'a3']);
    expect(res.truncated).toBe(true);
    expect(res.hosts.responded).toEqual(['a', 'b']);
    expect(res.hosts.failed).toEqual([{ host_id: 'c', error: 'history store unavailable' }]);
  });

  it('validates the body', async () => {
    h = await makeHarness();
    const post = (payload: object) => h.app.inject({ method: 'POST', url: '/v1/query', headers: bearer(h.tokens.responder), payload });
    expect((await post({})).json().error.code).toBe('VIGIL_ERR_QUERY_NO_TARGETS');
    expect((await post({ hosts: ['a'], filters: { pid: 'x' } })).json().error.code).toBe('VIGIL_ERR_BAD_REQUEST');
    expect((await post({ hosts: ['a'], bogus: 1 })).statusCode).toBe(400);
    expect((await post({ hosts: ['a'], filters: { since: 'yesterday-ish' } })).json().error.message).toContain('since');
  });
});
