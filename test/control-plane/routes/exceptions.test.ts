// Rule exceptions over REST: created by responders, audited, refused when
// they would silence everything, and pushed to the agents they concern.
import { afterEach, describe, expect, it } from 'vitest';
import { EXCEPTION_FIELDS } from '../../../proto/src';
import { fromExceptionSet } from '../../../agent/src/rules/exceptions/remote-exceptions';
import { FakeAgent } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';

let h: Harness;
const agents: FakeAgent[] = [];
afterEach(async () => {
  agents.splice(0).forEach((a) => a.close());
  await h?.close();
});

const post = (body: unknown, token = h.tokens.responder) =>
  h.app.inject({ method: 'POST', url: '/v1/exceptions', headers: bearer(token), payload: body as object });
const list = async () => (await h.app.inject({ url: '/v1/exceptions', headers: bearer(h.tokens.viewer) })).json().exceptions;

describe('exceptions API', () => {
  it('creates, lists and deletes; audit-logs both; pushes the host set to connected agents', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const a1 = await FakeAgent.connect(base, h.agentToken('h1'), { host_id: 'h1' });
    const a2 = await FakeAgent.connect(base, h.agentToken('h2'), { host_id: 'h2' });
    agents.push(a1, a2);
    // On connect, each agent gets its (empty) set right after ServerHello.
    expect((await a1.waitFor('exception_set')).exception_set.exceptions).toEqual([]);
    await a2.waitFor('exception_set');

    const res = await post({ rule: 'exec-from-tmp', match: { 'process.executable': ['/tmp/ci/*'], 'user.name': ['ci'] }, comment: 'CI builds', host: 'h1' });
    expect(res.statusCode).toBe(201);
    const created = res.json().exception;
    expect(created).toMatchObject({ rule: 'exec-from-tmp', host: 'h1', comment: 'CI builds', created_by: expect.any(String) });

    const pushed = (await a1.waitFor('exception_set', 2)).exception_set.exceptions;
    expect(pushed).toEqual([{
      id: `cp-${created.id}`, rule: 'exec-from-tmp', comment: 'CI builds', expires_ms: 0,
      match: [{ field: 'process.executable', values: ['/tmp/ci/*'] }, { field: 'user.name', values: ['ci'] }],
    }]);
    // A host-scoped exception reaches only its host; a global one reaches both.
    const global = (await post({ rule: 'r2', match: { 'file.path': ['/var/cache/x'] } })).json().exception;
    expect((await a2.waitFor('exception_set', 2)).exception_set.exceptions.map((x) => x.id)).toEqual([`cp-${global.id}`]);
    expect((await a1.waitFor('exception_set', 3)).exception_set.exceptions.map((x) => x.id)).toEqual([`cp-${created.id}`, `cp-${global.id}`]);
    expect(a2.of('exception_set')).toHaveLength(2);

    expect((await list()).map((x: { id: number }) => x.id)).toEqual([created.id, global.id]);
    const del = await h.app.inject({ method: 'DELETE', url: `/v1/exceptions/${created.id}`, headers: bearer(h.tokens.responder) });
    expect(del.statusCode).toBe(200);
    expect((await a1.waitFor('exception_set', 4)).exception_set.exceptions.map((x) => x.id)).toEqual([`cp-${global.id}`]);
    expect((await list()).map((x: { id: number }) => x.id)).toEqual([global.id]);
    const again = await h.app.inject({ method: 'DELETE', url: `/v1/exceptions/${created.id}`, headers: bearer(h.tokens.responder) });
    expect(again.statusCode).toBe(404);

    const audit = (await h.app.inject({ url: '/v1/audit', headers: bearer(h.tokens.responder) })).json();
    const actions = (audit.entries ?? audit.audit ?? audit).map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a.startsWith('exception.'))).toEqual(['exception.delete', 'exception.create', 'exception.create']);
  });

  it('refuses what would silence everything, unknown fields, viewers and missing tokens, and changes nothing', async () => {
    h = await makeHarness();
    const cases: [unknown, RegExp][] = [
      [{ rule: 'r', match: {} }, /match/],
      [{ rule: 'r', match: { 'process.executable': ['*'] } }, /matches everything/],
      [{ rule: 'r', match: { 'process.executable': [] } }, /process.executable/],
      [{ rule: 'r', match: { Image: ['/x'] } }, /additional properties|Image/],
      [{ match: { 'process.executable': ['/x'] } }, /rule/],
      [{ rule: 'r', match: { 'process.executable': ['/x'] }, comment: 'x'.repeat(4001) }, /comment/],
      [{ rule: 'r', match: { 'process.executable': ['/x'] }, incident_id: 99 }, /no incident 99/],
    ];
    for (const [body, why] of cases) {
      const res = await post(body);
      expect([400, 404], JSON.stringify(body)).toContain(res.statusCode);
      expect(res.json().error.message).toMatch(why);
    }
    const ok = { rule: 'r', match: { 'process.executable': ['/x'] } };
    expect((await post(ok, h.tokens.viewer)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/v1/exceptions', payload: { bad: 1 } })).statusCode).toBe(401);
    expect(await list()).toEqual([]);
  });

  it('what the control plane pushes, the agent accepts as it would a file entry', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const a = await FakeAgent.connect(base, h.agentToken('h1'), { host_id: 'h1' });
    agents.push(a);
    await a.waitFor('exception_set');
    const body = { rule: 'exec-from-tmp', match: Object.fromEntries(EXCEPTION_FIELDS.map((f, i) => [f, [`/v${i}`]])), expires_in_hours: 1 };
    expect((await post(body)).statusCode).toBe(201);
    const set = (await a.waitFor('exception_set', 2)).exception_set;
    const refused: string[] = [];
    const [x] = fromExceptionSet(set, (id, reason) => refused.push(`${id}: ${reason}`));
    expect(refused).toEqual([]);
    expect(x.match).toEqual(body.match);
    expect(x.source).toBe('control-plane');
    expect(x.expires_ms! - Date.now()).toBeGreaterThan(3_500_000);
  });
});
