// GET /v1/alerts/:id/investigation against a fake agent answering from a
// small history: the tree, each process's events and alerts, walking to
// a child, the offline fallback, and who may ask.
import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert, type QueryRequest } from '../../../proto/src';
import { FakeAgent, sampleAlert } from '../helpers/fake-agent';
import { bearer, makeHarness, until, type Harness } from '../helpers/harness';

let h: Harness;
afterEach(async () => { await h?.close(); });

const T = '2026-01-01T00:00:0';
const proc = (entity_id: string, parent: string, pid: number) => ({ entity_id, pid, executable: `/bin/${entity_id}`, args: [entity_id], parent: { entity_id: parent } });
const history = [
  { '@timestamp': `${T}1Z`, event: { action: 'exec' }, process: proc('sh', 'bash', 10) },
  { '@timestamp': `${T}2Z`, event: { action: 'exec' }, process: proc('curl', 'sh', 11) },
  { '@timestamp': `${T}3Z`, event: { action: 'connect' }, process: proc('curl', 'sh', 11), destination: { ip: '10.0.0.1', port: 4444 } },
  { '@timestamp': `${T}4Z`, event: { action: 'open' }, process: proc('sh', 'bash', 10), file: { path: '/etc/passwd' } },
];

function answer(req: QueryRequest) {
  return { rows: history.filter((e) => (!req.action || e.event.action === req.action) && (!req.entity_id || e.process.entity_id === req.entity_id)) };
}

async function setup(): Promise<FakeAgent> {
  h = await makeHarness();
  const agent = await FakeAgent.connect(await h.listen(), h.agentToken('h1'), { host_id: 'h1', hostname: 'web-1' });
  agent.onQuery = answer;
  const doc = { process: { ...proc('sh', 'bash', 10), ancestors: [{ entity_id: 'bash', pid: 5 }, { entity_id: 'init', pid: 1 }] } };
  h.app.vigil.ingest.fromAgent('h1', 1, normalize<Alert>('Alert', sampleAlert(1, { timestamp: `${T}1Z`, json: JSON.stringify(doc) })));
  return agent;
}

const get = (url: string, token = h.tokens.responder) => h.app.inject({ url, headers: bearer(token) });

describe('GET /v1/alerts/:id/investigation', () => {
  it('returns the tree with events and alerts per process, and walks to a child', async () => {
    await setup();
    const body = (await get('/v1/alerts/1/investigation')).json();
    expect(body).toMatchObject({ host_id: 'h1', hostname: 'web-1', focus: 'sh', history: 'ok', truncated: false });
    expect(body.nodes.map((n: { entity_id: string; relation: string }) => `${n.relation}:${n.entity_id}`))
      .toEqual(['ancestor:init', 'ancestor:bash', 'focus:sh', 'child:curl']);
    const byId = Object.fromEntries(body.nodes.map((n: { entity_id: string }) => [n.entity_id, n]));
    expect(byId.sh.alerts.map((a: { seq: number }) => a.seq)).toEqual([1]);
    expect(byId.sh.events.map((e: { event: { action: string } }) => e.event.action)).toEqual(['exec', 'open']);
    expect(byId.curl.events.map((e: { event: { action: string } }) => e.event.action)).toEqual(['exec', 'connect']);
    expect(byId.bash.events).toBeNull();

    const walked = (await get('/v1/alerts/1/investigation?entity_id=curl')).json();
    expect(walked.focus).toBe('curl');
    expect(walked.nodes.map((n: { entity_id: string; relation: string }) => `${n.relation}:${n.entity_id}`))
      .toEqual(['ancestor:init', 'ancestor:bash', 'ancestor:sh', 'focus:curl']);
    expect(h.app.vigil.audit.list(10).filter((e) => e.action === 'investigate')).toHaveLength(2);
  });

  it('falls back to what the alert recorded when the agent is offline', async () => {
    const agent = await setup();
    agent.close();
    await until(() => h.app.vigil.registry.size === 0, 5000, 'the agent to disconnect');
    const body = (await get('/v1/alerts/1/investigation')).json();
    expect(body.history).toBe('offline');
    expect(body.nodes.map((n: { entity_id: string }) => n.entity_id)).toEqual(['init', 'bash', 'sh']);
    expect(body.nodes.every((n: { events: unknown }) => n.events === null)).toBe(true);
  });

  it('needs a responder token, a known alert and a sane entity id', async () => {
    await setup();
    expect((await get('/v1/alerts/1/investigation', h.tokens.viewer)).statusCode).toBe(403);
    expect((await get('/v1/alerts/99/investigation')).json().error.code).toBe('VIGIL_ERR_NOT_FOUND');
    const bad = await get(`/v1/alerts/1/investigation?entity_id=${'x'.repeat(200)}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VIGIL_ERR_BAD_REQUEST');
  });
});
