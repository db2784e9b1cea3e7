import { afterEach, describe, expect, it } from 'vitest';
import { alertFromProto, decodeAlert } from '../../../proto/src';
import { SLOW_REASON } from '../../../control-plane/src/feeds/feed-subscriber';
import { FakeAgent, ingestAlerts, sampleAlert } from '../helpers/fake-agent';
import { makeHarness, until, type Harness } from '../helpers/harness';
import { TestSocket } from '../helpers/ws-client';

let h: Harness;
afterEach(async () => { await h?.close(); });

const seqs = (s: TestSocket) => s.json<{ seq: number }>().map((a) => a.seq);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('alert stream /v1/alerts/stream', () => {
  it('resumes after a disconnect with exactly the missed alerts, then goes live', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const agent = await FakeAgent.connect(base, h.agentToken('h1'), { host_id: 'h1' });
    agent.sendAlerts(1, [sampleAlert(1), sampleAlert(2), sampleAlert(3)]);
    await agent.waitFor('ack');

    const s1 = new TestSocket(`${base}/v1/alerts/stream?after=0`, { token: h.tokens.viewer });
    await s1.waitMessages(3);
    agent.sendAlerts(4, [sampleAlert(4), sampleAlert(5)]);
    await s1.waitMessages(5);
    expect(seqs(s1)).toEqual([1, 2, 3, 4, 5]);
    expect(s1.json()[0]).toMatchObject({ seq: 1, host_id: 'h1', agent_seq: 1, rule_id: 'proc-shell-from-web', severity: 'high' });
    const last = seqs(s1).at(-1)!;
    s1.close();
    await s1.waitClosed();

    agent.sendAlerts(6, [sampleAlert(6), sampleAlert(7), sampleAlert(8)]);
    await agent.waitFor('ack', 3);
    const s2 = new TestSocket(`${base}/v1/alerts/stream?after=${last}`, { token: h.tokens.viewer });
    await s2.waitMessages(3);
    agent.sendAlerts(9, [sampleAlert(9)]);
    await s2.waitMessages(4);
    await new Promise((r) => setTimeout(r, 100)); // nothing extra trickles in
    expect(seqs(s2)).toEqual([6, 7, 8, 9]);
  });

  it('has no gap and no duplicate at the replay/live seam under concurrent ingest', async () => {
    h = await makeHarness({ replayPageSize: 7 });
    const base = await h.listen();
    ingestAlerts(h.app.vigil, 'h1', 1, 300);
    const s = new TestSocket(`${base}/v1/alerts/stream?after=50`, { token: h.tokens.viewer });
    // Keep ingesting while the replay pages through SQLite.
    let next = 301;
    const timer = setInterval(() => { if (next <= 500) ingestAlerts(h.app.vigil, 'h1', next++, 1); }, 0);
    await s.opened();
    await until(() => next > 500, 10_000, 'ingest');
    clearInterval(timer);
    await s.waitMessages(450, 10_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(seqs(s)).toEqual(range(51, 500));
  });

  it('without ?after starts live from now', async () => {
    h = await makeHarness();
    const base = await h.listen();
    ingestAlerts(h.app.vigil, 'h1', 1, 5);
    const s = new TestSocket(`${base}/v1/alerts/stream`, { token: h.tokens.viewer });
    await s.opened();
    await until(() => h.app.vigil.bus.size === 1, 2000, 'subscribed');
    ingestAlerts(h.app.vigil, 'h1', 6, 2);
    await s.waitMessages(2);
    expect(seqs(s)).toEqual([6, 7]);
  });

  it('applies host, rule, min_severity and tag filters to replay and live alike', async () => {
    h = await makeHarness();
    const base = await h.listen();
    const v = h.app.vigil;
    ingestAlerts(v, 'h1', 1, 1);                                            // seq 1: h1 high
    ingestAlerts(v, 'h2', 1, 1);                                            // seq 2: h2 high
    ingestAlerts(v, 'h1', 2, 1, { severity: 'SEVERITY_LOW' });              // seq 3: h1 low
    ingestAlerts(v, 'h1', 3, 1, { rule_id: 'other', tactic_names: ['persistence'] }); // seq 4
    const url = (q: string) => `${base}/v1/alerts/stream?after=0&${q}`;
    const byHost = new TestSocket(url('host=h1'), { token: h.tokens.viewer });
    const bySev = new TestSocket(url('min_severity=high'), { token: h.tokens.viewer });
    const byTag = new TestSocket(url('tag=persistence'), { token: h.tokens.viewer });
    const byRule = new TestSocket(url('rule=other'), { token: h.tokens.viewer });
    await Promise.all([byHost.waitMessages(3), bySev.waitMessages(3), byTag.waitMessages(1), byRule.waitMessages(1)]);
    ingestAlerts(v, 'h2', 2, 1, { severity: 'SEVERITY_CRITICAL', tactic_names: ['persistence'] }); // seq 5
    await Promise.all([bySev.waitMessages(4), byTag.waitMessages(2)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(seqs(byHost)).toEqual([1, 3, 4]);
    expect(seqs(bySev)).toEqual([1, 2, 4, 5]);
    expect(seqs(byTag)).toEqual([4, 5]);
    expect(seqs(byRule)).toEqual([4]);
    const bad = new TestSocket(`${base}/v1/alerts/stream?after=-1`, { token: h.tokens.viewer });
    expect(await bad.waitClosed()).toMatchObject({ code: 4400, reason: expect.stringContaining('after must be') });
  });

  it('sends protobuf Alert frames when the client asks for vigil.v1.protobuf', async () => {
    h = await makeHarness();
    const base = await h.listen();
    ingestAlerts(h.app.vigil, 'h1', 1, 2);
    const s = new TestSocket(`${base}/v1/alerts/stream?after=0`, { token: h.tokens.responder, protocols: ['vigil.v1.protobuf'] });
    const frames = await s.waitMessages(2);
    expect(s.ws.protocol).toBe('vigil.v1.protobuf');
    expect(frames.every((f) => f.binary)).toBe(true);
    const alerts = frames.map((f) => decodeAlert(f.data));
    expect(alerts.map((a) => [a.global_seq, a.seq, a.host_id])).toEqual([[1, 1, 'h1'], [2, 2, 'h1']]);
    expect(alerts[0]).toMatchObject({ rule_id: 'proc-shell-from-web', severity: 'SEVERITY_HIGH', technique_ids: ['T1059.004'] });
    // Typed: no JSON string; the stored document comes back from the fields.
    expect(alerts[1].json).toBe('');
    expect(alertFromProto(alerts[1])).toMatchObject({ seq: 2, rule: { id: 'proc-shell-from-web' } });
  });

  it('disconnects a slow subscriber with 4408 while another keeps receiving and ingest continues', async () => {
    h = await makeHarness({ feedMaxBufferedBytes: 64 * 1024 });
    const base = await h.listen();
    const slow = new TestSocket(`${base}/v1/alerts/stream`, { token: h.tokens.viewer });
    const fast = new TestSocket(`${base}/v1/alerts/stream`, { token: h.tokens.viewer });
    await Promise.all([slow.opened(), fast.opened()]);
    await until(() => h.app.vigil.bus.size === 2, 2000, 'subscribers');
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const pad = 'x'.repeat(16 * 1024);
    const N = 1500;  // ~24 MiB: far past the socket buffers of a loopback connection
    const t0 = Date.now();
    for (let i = 1; i <= N; i += 50) {
      ingestAlerts(h.app.vigil, 'h1', i, 50, { json: JSON.stringify({ pad }) });
      await new Promise((r) => setImmediate(r));
    }
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(h.app.vigil.alerts.maxSeq()).toBe(N);
    await fast.waitMessages(N, 20_000);
    expect(seqs(fast)).toEqual(range(1, N));
    await until(() => h.app.vigil.bus.size === 1, 5000, 'slow subscriber dropped');

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.waitClosed(20_000);
    expect(closed).toEqual({ code: 4408, reason: SLOW_REASON });
    // What it did get is a gap-free prefix, so ?after=<last seq> resumes cleanly.
    const got = seqs(slow);
    expect(got.length).toBeLessThan(N);
    expect(got).toEqual(range(1, got.length));
    expect((await h.app.inject({ url: '/metrics' })).body).toMatch(/vigil_feed_disconnects_total\{reason="slow"\} 1/);
  }, 60_000);
});
