import { afterEach, describe, expect, it } from 'vitest';
import { normalize, type Alert } from '../../../proto/src';
import { ingestAlerts, sampleAlert } from '../helpers/fake-agent';
import { bearer, makeHarness, type Harness } from '../helpers/harness';

let h: Harness;
afterEach(async () => { await h?.close(); });

const get = (url: string) => h.app.inject({ url, headers: bearer(h.tokens.viewer) });

describe('GET /v1/alerts', () => {
  it('filters by host, rule, min_severity, tag, since/until and pages by seq cursor', async () => {
    h = await makeHarness();
    const v = h.app.vigil;
    ingestAlerts(v, 'h1', 1, 10);                                                // seq 1..10, ts :01..:10
    ingestAlerts(v, 'h2', 1, 5, { severity: 'SEVERITY_LOW', rule_id: 'r-low' }); // seq 11..15
    const seqs = async (q: string) => (await get(`/v1/alerts?${q}`)).json().alerts.map((a: { seq: number }) => a.seq);

    expect(await seqs('limit=3')).toEqual([15, 14, 13]);
    expect(await seqs('order=asc&limit=3')).toEqual([1, 2, 3]);
    expect(await seqs('host=h2&order=asc')).toEqual([11, 12, 13, 14, 15]);
    expect(await seqs('rule=r-low&limit=2')).toEqual([15, 14]);
    expect(await seqs('min_severity=high&limit=100')).toHaveLength(10);
    expect(await seqs('min_severity=critical')).toEqual([]);
    expect(await seqs('tag=T1059.004&limit=100')).toHaveLength(15);
    expect(await seqs('tag=nope')).toEqual([]);
    expect(await seqs('host=h1&since=2025-01-01T00:00:08Z&until=2025-01-01T00:00:09Z&order=asc')).toEqual([8, 9]);

    // Walk every page: no overlap, no gap.
    const all: number[] = [];
    let cursor: number | null = null;
    for (let i = 0; i < 10; i++) {
      const body: { alerts: Array<{ seq: number }>; next_cursor: number | null } =
        (await get(`/v1/alerts?order=asc&limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json();
      all.push(...body.alerts.map((a) => a.seq));
      cursor = body.next_cursor;
      if (cursor === null) break;
    }
    expect(all).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('rejects bad filters with VIGIL_ERR_BAD_REQUEST', async () => {
    h = await makeHarness();
    for (const q of ['min_severity=extreme', 'limit=0', 'limit=100000', 'cursor=-1', 'order=sideways', 'since=not-a-time', 'colour=blue']) {
      const res = await get(`/v1/alerts?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code).toBe('VIGIL_ERR_BAD_REQUEST');
    }
  });
});

describe('GET /v1/alerts/:id', () => {
  it('returns the alert with its process, ancestors and events', async () => {
    h = await makeHarness();
    const msg = normalize<Alert>('Alert', sampleAlert(1, {
      process: { pid: 77, executable: '/bin/sh', ancestors: [{ pid: 70, executable: '/usr/sbin/nginx' }, { pid: 1, executable: '/sbin/init' }] },
      triggering_events: [{ exec: {}, json: JSON.stringify({ event: { action: 'exec' }, process: { pid: 77 } }) }],
      related_events: [{ connect: { destination_ip: '203.0.113.9', destination_port: 4444 } }],
    }));
    h.app.vigil.ingest.fromAgent('h1', 1, msg);
    const res = await get('/v1/alerts/1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.alert).toMatchObject({ seq: 1, host_id: 'h1', rule_id: 'proc-shell-from-web' });
    expect(body.process).toMatchObject({ pid: 77, executable: '/bin/sh' });
    expect(body.ancestors.map((a: { pid: number }) => a.pid)).toEqual([70, 1]);
    expect(body.triggering_events).toEqual([{ event: { action: 'exec' }, process: { pid: 77 } }]);
    expect(body.related_events[0]).toMatchObject({ event: { action: 'connect' }, destination: { ip: '203.0.113.9', port: 4444 } });
    expect(body.message.json).toBeUndefined();
  });

  it('falls back to the ECS document for process and related events', async () => {
    h = await makeHarness();
    const doc = { process: { pid: 5, ancestors: [{ pid: 1 }] }, vigil: { related_events: [{ n: 1 }] } };
    h.app.vigil.ingest.fromAgent('h1', 1, normalize<Alert>('Alert', sampleAlert(1, { json: JSON.stringify(doc) })));
    const body = (await get('/v1/alerts/1')).json();
    expect(body.process).toEqual(doc.process);
    expect(body.ancestors).toEqual([{ pid: 1 }]);
    expect(body.related_events).toEqual([{ n: 1 }]);
    expect(body.alert.doc).toEqual(doc);
  });

  it('404s unknown ids and 400s non-numeric ones', async () => {
    h = await makeHarness();
    expect((await get('/v1/alerts/999')).json().error.code).toBe('VIGIL_ERR_NOT_FOUND');
    expect((await get('/v1/alerts/abc')).statusCode).toBe(400);
    expect((await h.app.inject({ url: '/v1/nothing' })).json().error.code).toBe('VIGIL_ERR_NOT_FOUND');
  });
});
