import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeepPartial, QueryRequest, QueryResult } from '../../proto/src';
import { decodeEnvelope, encodeEnvelope, eventFromProto } from '../../proto/src';
import { openReadOnlyDb } from '../../agent/src/store/open-db';
import { answerQuery, toAgentQuery } from '../../agent/src/transport/query-responder';
import { storeQueryHandler } from '../../agent/src/transport';
import { buildFixtureDb } from '../query/fixtures/build-db';
import { tempDir } from './helpers/control-plane';

const req = (over: Partial<QueryRequest> = {}): QueryRequest => ({
  query_id: 'q1', since: '', until: '', pid: 0, entity_id: '', exe: '', path: '', dst: '', action: '', rule: '',
  limit: 0, timeout_ms: 0, ...over,
});

/** The events of a QueryResult as the control plane decodes them. */
function wire(out: DeepPartial<QueryResult>) {
  const env = decodeEnvelope(encodeEnvelope({ query_result: out }));
  return env.payload === 'query_result' ? env.query_result.events : [];
}

describe('answerQuery', () => {
  it('passes only the set filters, with defaults for limit and timeout', () => {
    expect(toAgentQuery(req({ exe: '/bin/sh', pid: 9 }), { maxBytes: 1 << 20 })).toEqual({ exe: '/bin/sh', pid: 9, limit: 100, timeout_ms: 5000 });
    expect(toAgentQuery(req({ limit: 50_000 }), { maxBytes: 1 << 20, maxLimit: 1000 }).limit).toBe(1000);
  });

  it('answers with typed events (no JSON strings) and enforces limit', async () => {
    const out = await answerQuery(req({ limit: 2 }), async () => ({ rows: [{ a: 1 }, { a: 2 }, { a: 3 }], truncated: false }), { maxBytes: 1 << 20 });
    expect(out).toMatchObject({ query_id: 'q1', truncated: true, error: '' });
    expect(out.rows).toBeUndefined();
    expect(wire(out).map(eventFromProto)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('turns throws, junk results and hangs into error results', async () => {
    const lim = { maxBytes: 1 << 20 };
    expect((await answerQuery(req(), () => { throw new Error('sync boom'); }, lim)).error).toContain('sync boom');
    expect((await answerQuery(req(), async () => null as never, lim)).error).toContain('no rows array');
    const t0 = Date.now();
    const hung = await answerQuery(req({ timeout_ms: 300 }), () => new Promise(() => {}), lim);
    expect(hung).toMatchObject({ truncated: true, events: [], error: expect.stringContaining('timed out') });
    expect(Date.now() - t0).toBeLessThan(300);
  });

  it('sends a row JSON could not (a bigint, as its decimal string) and trims to the frame budget', async () => {
    const big = { s: 'y'.repeat(3000) };
    const out = await answerQuery(req({ limit: 100 }), async () => ({ rows: [{ n: 1n } as object, big, big, big], truncated: false }), { maxBytes: 4096 + 7000 });
    expect(wire(out).map(eventFromProto)).toEqual([{ n: '1' }, big, big]);
    expect(out.truncated).toBe(true);
  });
});

describe('storeQueryHandler', () => {
  it('answers from the agent event database with control-plane filter names', async () => {
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'events.db');
      buildFixtureDb(path);
      const db = openReadOnlyDb(path);
      const handler = storeQueryHandler(db);
      const res = await handler({ pid: 201, action: 'connect', limit: 10, timeout_ms: 2000 });
      expect(res.truncated).toBe(false);
      expect(res.rows).toHaveLength(1);
      expect(res.rows[0]).toMatchObject({ event: { action: 'connect' }, destination: { ip: '10.0.0.5', port: 4444 } });
      const some = await handler({ limit: 2, timeout_ms: 2000 });
      expect(some).toMatchObject({ truncated: true });
      expect(some.rows).toHaveLength(2);
      await expect(handler({ dst: 'not-an-ip', limit: 1, timeout_ms: 1000 })).rejects.toThrow(/dst/);
      db.close();
    } finally {
      tmp.cleanup();
    }
  });
});
