// Fleet event history: forwarded exec events answer "which hosts ran X in
// the last hour" at the control plane (embedded here; across replicas in
// test/control-plane/fleet/fleet-history.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';
import { execEvent, openEvent } from '../helpers/forwarded-events';

let h: Harness;
const agents: FakeAgent[] = [];
afterEach(async () => {
  agents.splice(0).forEach((a) => a.close());
  await h?.close();
});

const ask = async (query: string, token = h.tokens.viewer) => h.app.inject({ url: `/v1/fleet/execs?${query}`, headers: bearer(token) });

describe('GET /v1/fleet/execs', () => {
  it('names the hosts that ran an executable in the window, with run counts; other events and older runs do not count', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const a = await FakeAgent.connect(base, h.agentToken('web1'), { host_id: 'web1', hostname: 'web1.example' });
    const b = await FakeAgent.connect(base, h.agentToken('db1'), { host_id: 'db1', hostname: 'db1.example' });
    agents.push(a, b);
    a.send({ event_batch: { first_seq: 1, events: [execEvent('/usr/bin/curl'), execEvent('/usr/bin/curl'), openEvent('/usr/bin/curl'), execEvent('/bin/ls')] } });
    b.send({ event_batch: { first_seq: 1, events: [execEvent('/usr/local/bin/curl'), execEvent('/usr/bin/curl', 3 * 3_600_000)] } });
    await a.waitFor('ack');
    await b.waitFor('ack');

    const r = await ask('exe=*/curl&since=1h');
    expect(r.statusCode).toBe(200);
    const hosts = r.json().hosts.map((x: { host_id: string; hostname: string; exe: string; runs: number }) => [x.host_id, x.hostname, x.exe, x.runs]).sort();
    expect(hosts).toEqual([['db1', 'db1.example', '/usr/local/bin/curl', 1], ['web1', 'web1.example', '/usr/bin/curl', 2]]);
    expect(r.json().replicas).toBe(1);
    // The older run is found with a wider window.
    const wide = (await ask('exe=/usr/bin/curl&since=4h')).json().hosts.map((x: { host_id: string; runs: number }) => [x.host_id, x.runs]).sort();
    expect(wide).toEqual([['db1', 1], ['web1', 2]]);
    expect((await ask('exe=/usr/bin/nc')).json().hosts).toEqual([]);
  });

  it('refuses a match-everything glob, a missing exe, a bad window and a missing token', async () => {
    h = await makeHarness();
    expect((await ask('exe=*')).json().error.message).toMatch(/matches every executable/);
    expect((await ask('since=1h')).statusCode).toBe(400);
    expect((await ask('exe=/bin/sh&since=1h&until=2h')).json().error.message).toMatch(/since is later than until/);
    expect((await h.app.inject({ url: '/v1/fleet/execs?exe=/bin/sh' })).statusCode).toBe(401);
  });
});
