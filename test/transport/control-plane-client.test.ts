// ControlPlaneClient against a real control plane on 127.0.0.1.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../proto/src';
import { ControlPlaneClient, Outbox, type ControlPlaneClientOptions } from '../../agent/src/transport';
import { alertDoc, bearer, createTokens, startControlPlane, tempDir, until, type ControlPlane, type Tokens } from './helpers/control-plane';

const HOST = 'feedfacefeedfacefeedfacefeedface';

let tmp: ReturnType<typeof tempDir>;
let cp: ControlPlane | undefined;
let tokens: Tokens;
const clients: ControlPlaneClient[] = [];

beforeEach(async () => {
  tmp = tempDir();
  cp = await startControlPlane(join(tmp.dir, 'cp.db'));
  tokens = createTokens(cp.app);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
  await cp?.close();
  tmp.cleanup();
});

function client(over: Partial<ControlPlaneClientOptions> = {}): ControlPlaneClient {
  const c = new ControlPlaneClient({
    url: cp!.url, token: tokens.agent, outboxPath: join(tmp.dir, 'agent.db'),
    hello: { host_id: HOST, hostname: 'web1', kernel: '6.18.0-test' },
    backoffInitialMs: 20, backoffMaxMs: 200, flushTimeoutMs: 500, ...over,
  });
  clients.push(c);
  return c;
}

async function get(path: string, token = tokens.viewer) {
  const res = await cp!.app.inject({ url: path, headers: bearer(token) });
  expect(res.statusCode).toBe(200);
  return res.json();
}

const storedAlerts = async () =>
  (await get('/v1/alerts?order=asc&limit=1000')).alerts as Array<{ agent_seq: number; host_id: string; rule_id: string; severity: string; tags: string[]; doc: Record<string, unknown> }>;

describe('ControlPlaneClient', () => {
  it('hello registers the agent with its identity and capabilities', async () => {
    const c = client({ queryHandler: async () => ({ rows: [], truncated: false }) });
    c.start();
    await until(() => c.stats().connected, 5000, 'connected');
    const agents = (await get('/v1/agents')).agents;
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ host_id: HOST, hostname: 'web1', kernel: '6.18.0-test', agent_version: '0.1.0', status: 'online', connected: true });
    expect(agents[0].capabilities).toContain('CAPABILITY_QUERY');
  });

  it('heartbeat stats and risky trees show up in GET /v1/agents', async () => {
    let drops = 7;
    const risky = [{ entity_id: 'e1', pid: 42, executable: '/bin/sh', risk: 73, summary: 'first time on this host that /usr/sbin/nginx started /bin/sh' }];
    const c = client({ heartbeatMs: 50, statsProvider: () => ({ events: 1000, drops, truncated: 2, filtered: 3, probes_attached: 20, probes_failed: 1, risky_trees: risky }) });
    c.start();
    await until(() => c.stats().connected, 5000, 'connected');
    drops = 9;
    const hbOf = async () => (await get('/v1/agents')).agents[0]?.heartbeat;
    const end = Date.now() + 3000;
    while ((await hbOf())?.drops !== 9 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await hbOf()).toMatchObject({ events: 1000, drops: 9, truncated: 2, filtered: 3, probes_attached: 20, probes_failed: 1, risky_trees: risky });
  });

  it('an enqueued alert is stored on the server, acked, and leaves the outbox', async () => {
    const c = client();
    c.start();
    await until(() => c.stats().connected, 5000, 'connected');
    expect(c.enqueueAlert(alertDoc(1))).toBe(1);
    await until(() => c.stats().acked === 1, 5000, 'ack');
    expect(c.stats()).toMatchObject({ pending: 0, sent: 1, acked: 1 });
    const alerts = await storedAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ agent_seq: 1, host_id: HOST, rule_id: 'proc-shell-from-web', severity: 'high' });
    expect(alerts[0].tags).toEqual(expect.arrayContaining(['T1059', 'T1059.004', 'Execution']));
    expect(alerts[0].doc).toMatchObject({ rule: { id: 'proc-shell-from-web' }, vigil: { alert: { n: 1 } } });
    // The triggering event travels with the alert and comes back in the detail view.
    const detail = await get(`/v1/alerts/${(await get('/v1/alerts')).alerts[0].seq}`);
    expect(JSON.stringify(detail)).toContain('ev-1');
  });

  it('outbox durability: alerts raised while the control plane is down arrive exactly once after it restarts', async () => {
    const c = client();
    c.start();
    await until(() => c.stats().connected, 5000, 'connected');
    c.enqueueAlert(alertDoc(1));
    await until(() => c.stats().acked === 1, 5000, 'first ack');

    const dbPath = join(tmp.dir, 'cp.db');
    const port = cp!.port;
    await cp!.close();
    await until(() => !c.stats().connected, 5000, 'disconnect seen');
    for (let i = 2; i <= 6; i++) expect(c.enqueueAlert(alertDoc(i))).toBe(i);
    expect(c.stats().pending).toBe(5);
    // Let a few reconnect attempts fail against the closed port.
    await new Promise((r) => setTimeout(r, 150));
    expect(c.stats().reconnects).toBeGreaterThan(0);

    cp = await startControlPlane(dbPath, port);
    await until(() => c.stats().connected && c.stats().pending === 0, 10_000, 'resent and acked');
    const alerts = await storedAlerts();
    expect(alerts.map((a) => a.agent_seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(alerts.map((a) => (a.doc.vigil as { alert: { n: number } }).alert.n)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a restarted client resends unacked outbox rows without duplicates', async () => {
    const outboxPath = join(tmp.dir, 'agent.db');
    // Rows 1..5 queued; the server already stored 1..3 (their ack was lost).
    const ob = new Outbox({ path: outboxPath });
    for (let i = 1; i <= 5; i++) ob.enqueue(alertDoc(i));
    ob.close();
    for (let s = 1; s <= 3; s++) {
      cp!.app.vigil.ingest.fromAgent(HOST, s, normalize<Alert>('Alert', { id: `alert-${s}`, rule_id: 'proc-shell-from-web', json: JSON.stringify(alertDoc(s)) }));
    }
    const c = client({ outboxPath });
    c.start();
    await until(() => c.stats().connected && c.stats().pending === 0, 5000, 'drained');
    expect(c.stats().sent).toBe(2);
    const alerts = await storedAlerts();
    expect(alerts.map((a) => a.agent_seq)).toEqual([1, 2, 3, 4, 5]);
    expect(alerts.map((a) => (a.doc.vigil as { alert: { n: number } }).alert.n)).toEqual([1, 2, 3, 4, 5]);

    // Stop with the server down: rows stay queued; a fresh client over the same file sends them, seqs continue.
    await c.stop();
    const port = cp!.port;
    await cp!.close();
    const offline = client({ outboxPath });
    offline.start();
    expect(offline.enqueueAlert(alertDoc(6))).toBe(6);
    expect(offline.enqueueAlert(alertDoc(7))).toBe(7);
    await offline.stop();
    cp = await startControlPlane(join(tmp.dir, 'cp.db'), port);
    const again = client({ outboxPath });
    expect(again.stats().pending).toBe(2);
    again.start();
    await until(() => again.stats().connected && again.stats().pending === 0, 5000, 'drained again');
    expect((await storedAlerts()).map((a) => a.agent_seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('renumbers queued alerts when the server already holds seqs this outbox never issued', async () => {
    // The server knows seqs 1..10 for this host; the agent's outbox file is brand new.
    for (let s = 1; s <= 10; s++) {
      cp!.app.vigil.ingest.fromAgent(HOST, s, normalize<Alert>('Alert', { id: `old-${s}`, rule_id: 'old-rule' }));
    }
    const c = client();
    c.enqueueAlert(alertDoc(1));
    c.enqueueAlert(alertDoc(2));
    c.start();
    await until(() => c.stats().connected && c.stats().pending === 0, 5000, 'drained');
    const mine = (await storedAlerts()).filter((a) => a.rule_id === 'proc-shell-from-web');
    expect(mine.map((a) => a.agent_seq)).toEqual([11, 12]);
    expect(c.enqueueAlert(alertDoc(3))).toBe(13);
  });

  it('sends a large backlog in order in several batches', async () => {
    const c = client({ batchSize: 16, maxInflight: 40 });
    for (let i = 1; i <= 300; i++) c.enqueueAlert(alertDoc(i));
    c.start();
    await until(() => c.stats().pending === 0, 10_000, 'backlog drained');
    expect(c.stats().sent).toBe(300);
    const seqs = (await storedAlerts()).map((a) => a.agent_seq);
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('stop() flushes: alerts enqueued right before stop are sent and acked before the socket closes', async () => {
    const c = client();
    c.start();
    await until(() => c.stats().connected, 5000, 'connected');
    for (let i = 1; i <= 3; i++) c.enqueueAlert(alertDoc(i));
    await c.stop();
    expect(c.stats()).toMatchObject({ connected: false, pending: 0, acked: 3 });
    expect((await storedAlerts()).map((a) => a.agent_seq)).toEqual([1, 2, 3]);
    expect(c.enqueueAlert(alertDoc(4))).toBeUndefined();
    expect(c.stats().rejected).toBe(1);
    await until(() => cp!.app.vigil.registry.size === 0, 2000, 'server saw the close');
  });

  it('forwards events as EventBatch when forwardEvents is on (best effort, acked by the server)', async () => {
    const c = client({ forwardEvents: true, eventFlushMs: 20 });
    c.enqueueEvents([{ event: { action: 'exec', id: 'e1' } }]); // queued while not connected yet
    c.start();
    await until(() => c.stats().connected, 5000, 'connected');
    c.enqueueEvents([{ event: { action: 'open', id: 'e2' } }, { event: { action: 'tcp-state', id: 'e3' } }]);
    await until(() => c.stats().events.acked === 3, 5000, 'events acked');
    expect(c.stats().events).toMatchObject({ sent: 3, dropped: 0, queued: 0 });
    expect((await cp!.app.inject({ url: '/metrics' })).body).toMatch(/vigil_events_received_total 3/);
    expect((await get('/v1/agents')).agents[0].capabilities).toContain('CAPABILITY_EVENT_STREAM');
    // Off by default: enqueueEvents is a no-op.
    const off = client({ outboxPath: join(tmp.dir, 'other.db'), hello: { host_id: 'other-host' } });
    off.enqueueEvents([{ a: 1 }]);
    expect(off.stats().events.queued).toBe(0);
  });

  describe('queries', () => {
    const query = async (body: object) => {
      const res = await cp!.app.inject({ method: 'POST', url: '/v1/query', headers: bearer(tokens.responder), payload: body });
      expect(res.statusCode).toBe(200);
      return res.json();
    };

    it('answers a QueryRequest with the handler rows, honouring limit', async () => {
      const seen: unknown[] = [];
      const c = client({
        queryHandler: async (req) => {
          seen.push(req);
          const rows = Array.from({ length: 5 }, (_, i) => ({ '@timestamp': `2025-01-01T00:00:0${i}Z`, process: { pid: req.pid }, i }));
          return { rows, truncated: false };
        },
      });
      c.start();
      await until(() => c.stats().connected, 5000, 'connected');
      const res = await query({ hosts: [HOST], filters: { pid: 42, exe: '/bin/sh' }, limit: 3, timeout_ms: 2000 });
      expect(res.hosts.responded).toEqual([HOST]);
      expect(res.rows.map((r: { event: { i: number } }) => r.event.i)).toEqual([0, 1, 2]);
      expect(res.rows[0]).toMatchObject({ host_id: HOST, event: { process: { pid: 42 } } });
      expect(res.truncated).toBe(true);
      expect(seen).toEqual([{ pid: 42, exe: '/bin/sh', limit: 3, timeout_ms: 2000 }]);
      expect(c.stats().queries).toBe(1);
    });

    it('a handler that throws yields an error result, and the client keeps working', async () => {
      const c = client({ queryHandler: async () => { throw new Error('disk on fire'); } });
      c.start();
      await until(() => c.stats().connected, 5000, 'connected');
      const res = await query({ hosts: [HOST], timeout_ms: 2000 });
      expect(res.hosts.failed).toEqual([{ host_id: HOST, error: expect.stringContaining('disk on fire') }]);
      expect(res.rows).toEqual([]);
      c.enqueueAlert(alertDoc(1));
      await until(() => c.stats().acked === 1, 5000, 'ack after failed query');
    });

    it('a handler slower than timeout_ms is answered with a timeout error before the server gives up', async () => {
      const c = client({ queryHandler: () => new Promise(() => { /* never resolves */ }) });
      c.start();
      await until(() => c.stats().connected, 5000, 'connected');
      const res = await query({ hosts: [HOST], timeout_ms: 600 });
      expect(res.hosts.timed_out).toEqual([]);
      expect(res.hosts.failed).toEqual([{ host_id: HOST, error: expect.stringContaining('timed out') }]);
    });
  });
});
